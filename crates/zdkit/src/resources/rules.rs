//! What is special about macros and views: applying a macro (what it would change,
//! without saving) and a view's count, tickets and executed rows. Paths come from the
//! families' catalogue actions.

use super::collection::Collection;
use super::{get_json, ListRequest};
use crate::error::Error;
use crate::models::{
    Macro, MacroId, MacroResult, Ticket, TicketId, TicketUpdate, View, ViewCount, ViewId, ViewRow,
};

#[derive(serde::Deserialize)]
struct ResultEnvelope {
    result: MacroResult,
}

#[derive(serde::Deserialize)]
struct ViewCountEnvelope {
    view_count: ViewCount,
}

impl MacroResult {
    /// The change as a ticket update: send it with
    /// [`TicketsHandler::update`](super::TicketsHandler::update) to apply the macro (the
    /// comment included). Fields of a whole ticket that an update cannot set (`id`, `url`,
    /// times) are left out.
    ///
    /// ```
    /// let r: zdkit::models::MacroResult = serde_json::from_str(
    ///     r#"{"ticket":{"id":1,"status":"solved","url":"u"},"comment":{"body":"Done","public":true}}"#).unwrap();
    /// let u = r.to_update().unwrap();
    /// assert_eq!(u.status, Some(zdkit::models::TicketStatus::Solved));
    /// assert_eq!(u.comment.as_ref().and_then(|c| c.body.as_deref()), Some("Done"));
    /// ```
    pub fn to_update(&self) -> Result<TicketUpdate, serde_json::Error> {
        const READ_ONLY: [&str; 8] = [
            "id",
            "url",
            "created_at",
            "updated_at",
            "generated_timestamp",
            "via",
            "satisfaction_rating",
            "description",
        ];
        let mut t = self.ticket.clone().unwrap_or_default();
        for k in READ_ONLY {
            t.remove(k);
        }
        if let Some(c) = &self.comment {
            t.insert("comment".into(), serde_json::Value::Object(c.clone()));
        }
        serde_json::from_value(serde_json::Value::Object(t))
    }
}

impl Collection<Macro> {
    /// `GET macros/{id}/apply`: the changes the macro makes (not saved).
    ///
    /// ```no_run
    /// # // no_run: needs a Zendesk account (the simulator test runs it).
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let r = client.macros().apply(zdkit::models::MacroId(1)).await?;
    /// println!("{:?}", r.ticket);
    /// # Ok(()) }
    /// ```
    pub async fn apply(&self, id: MacroId) -> Result<MacroResult, Error> {
        let path = self.action_path("apply", &[("macro_id", &id)])?;
        Ok(get_json::<ResultEnvelope, _>(&self.client, path, &())
            .await?
            .result)
    }

    /// `GET tickets/{ticket_id}/macros/{id}/apply`: the ticket as it would be after the
    /// macro, and its comment (not saved; see [`MacroResult::to_update`]).
    pub async fn apply_to_ticket(
        &self,
        id: MacroId,
        ticket: TicketId,
    ) -> Result<MacroResult, Error> {
        let path = self.action_path(
            "apply_to_ticket",
            &[("macro_id", &id), ("ticket_id", &ticket)],
        )?;
        Ok(get_json::<ResultEnvelope, _>(&self.client, path, &())
            .await?
            .result)
    }

    /// `GET macros/active`: the active macros the caller may use.
    pub fn active(&self) -> ListRequest<Macro> {
        self.action_list("active")
    }
}

impl<T: serde::de::DeserializeOwned + Send + 'static> Collection<T> {
    /// A list at the family's action `name` (no path parameters), paged like the family.
    pub(crate) fn action_list(&self, name: &str) -> ListRequest<T> {
        match self.action_path(name, &[]) {
            Ok(p) => ListRequest::family(&self.client, self.family(), p),
            Err(e) => ListRequest::family(&self.client, self.family(), String::new())
                .refuse(e.to_string()),
        }
    }
}

impl Collection<View> {
    /// `GET views/{id}/count`: the view's ticket count (cached by Zendesk; `fresh`
    /// says whether it is current). Spends the per-view `views-count` limit.
    pub async fn ticket_count(&self, id: ViewId) -> Result<ViewCount, Error> {
        let path = self.action_path("count", &[("view_id", &id)])?;
        Ok(get_json::<ViewCountEnvelope, _>(&self.client, path, &())
            .await?
            .view_count)
    }

    /// `GET views/{id}/tickets`: the tickets the view shows, in its order.
    pub fn tickets(&self, id: ViewId) -> ListRequest<Ticket> {
        match self.action_path("tickets", &[("view_id", &id)]) {
            Ok(p) => ListRequest::<View>::family(&self.client, self.family(), p).rekey("tickets"),
            Err(e) => ListRequest::new(&self.client, String::new()).refuse(e.to_string()),
        }
    }

    /// `GET views/{id}/execute`: the view's rows with its columns (the page's
    /// `columns` and `groups` are in its sideloads' `extra`).
    pub fn execute(&self, id: ViewId) -> ListRequest<ViewRow> {
        match self.action_path("execute", &[("view_id", &id)]) {
            Ok(p) => ListRequest::<View>::family(&self.client, self.family(), p).rekey("rows"),
            Err(e) => ListRequest::keyed(&self.client, String::new(), "rows").refuse(e.to_string()),
        }
    }

    /// `GET views/active`.
    pub fn active(&self) -> ListRequest<View> {
        self.action_list("active")
    }
}
