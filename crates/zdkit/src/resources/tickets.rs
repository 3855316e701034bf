//! `client.tickets()`: list, get, show_many, create (idempotent), update (`safe_update`),
//! delete, count, comments, audits. Bulk jobs are in [`crate::jobs`].

use http::Method;

use super::{get_json, ids_param, write, ListRequest};
use crate::error::{Error, ErrorKind};
use crate::models::{
    Audit, Comment, Count, ListPage, NewTicket, SideloadName, Ticket, TicketEnvelope, TicketId,
    TicketUpdate,
};
use crate::request::RequestSpec;
use crate::Client;

/// Ticket operations. Made by [`Client::tickets`].
#[derive(Debug, Clone)]
pub struct TicketsHandler {
    pub(crate) client: Client,
}

impl Client {
    /// Ticket operations: `client.tickets().list()`, `.get(id)`, `.create(..)`, ….
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let t = client.tickets().get(zdkit::models::TicketId(1)).await?;
    /// # let _ = t; Ok(()) }
    /// ```
    pub fn tickets(&self) -> TicketsHandler {
        TicketsHandler {
            client: self.clone(),
        }
    }
}

/// `true` when `e` is a 409 Conflict: a `safe_update` whose `updated_stamp` no longer
/// matches the ticket (re-read the ticket and try again).
///
/// ```no_run
/// # async fn demo(client: zdkit::Client, t: zdkit::models::Ticket) -> zdkit::Result<()> {
/// use zdkit::models::{TicketStatus, TicketUpdate};
/// let change = TicketUpdate { status: Some(TicketStatus::Solved), ..Default::default() }
///     .safe(t.updated_at.unwrap());
/// match client.tickets().update(t.id, &change).await {
///     Err(e) if zdkit::resources::tickets::is_update_conflict(&e) => { /* re-read, retry */ }
///     other => { other?; }
/// }
/// # Ok(()) }
/// ```
pub fn is_update_conflict(e: &Error) -> bool {
    e.api().is_some_and(|a| a.kind == ErrorKind::Conflict)
}

impl ListRequest<Ticket> {
    /// Only tickets with this `external_id` (not unique: may return several).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let page = client.tickets().list().external_id("crm-991").send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.query.external_id = Some(external_id.into());
        self
    }
}

impl TicketsHandler {
    /// `GET /api/v2/tickets` (cursor pagination; default order id ascending).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let all: Vec<_> = client.tickets().list().sort("-updated_at").stream().try_collect().await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub fn list(&self) -> ListRequest<Ticket> {
        ListRequest::new(&self.client, "/api/v2/tickets")
    }

    /// `GET /api/v2/tickets/{id}`.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let t = client.tickets().get(zdkit::models::TicketId(42)).await?;
    /// println!("{:?}", t.subject);
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: TicketId) -> Result<Ticket, Error> {
        Ok(self.get_with(id, &[]).await?.item)
    }

    /// `GET /api/v2/tickets/{id}?include=…`: the ticket with its sideloads.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::{SideloadName, TicketId};
    /// let env = client.tickets().get_with(TicketId(42), &[SideloadName::Users]).await?;
    /// let requester = env.item.requester_id.and_then(|id| env.sideloads.user(id));
    /// # let _ = requester; Ok(()) }
    /// ```
    pub async fn get_with(
        &self,
        id: TicketId,
        include: &[SideloadName],
    ) -> Result<TicketEnvelope, Error> {
        let q: Vec<(&str, String)> = if include.is_empty() {
            Vec::new()
        } else {
            vec![("include", SideloadName::join(include))]
        };
        get_json(&self.client, format!("/api/v2/tickets/{id}"), &q).await
    }

    /// `GET /api/v2/tickets/show_many?ids=…`, any number of ids (sent 100 per request).
    /// Missing tickets are simply absent from the result.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::TicketId;
    /// let ts = client.tickets().show_many(&[TicketId(1), TicketId(2)]).await?;
    /// # let _ = ts; Ok(()) }
    /// ```
    pub async fn show_many(&self, ids: &[TicketId]) -> Result<Vec<Ticket>, Error> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(100) {
            let page: ListPage<Ticket> = get_json(
                &self.client,
                "/api/v2/tickets/show_many".into(),
                &[("ids", ids_param(chunk))],
            )
            .await?;
            out.extend(page.items);
        }
        Ok(out)
    }

    /// `POST /api/v2/tickets`, with an `Idempotency-Key` (generated once per call of
    /// [`CreateTicket::send`] unless given), so a retried create never makes two tickets.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::{NewComment, NewTicket};
    /// let created = client.tickets()
    ///     .create(NewTicket::new("Printer on fire", NewComment::text("Smoke!")))
    ///     .idempotency_key("crm-991-create")
    ///     .send().await?;
    /// println!("ticket {} (replayed: {})", created.value.item.id, created.idempotency_hit);
    /// # Ok(()) }
    /// ```
    pub fn create(&self, ticket: NewTicket) -> CreateTicket {
        CreateTicket {
            client: self.client.clone(),
            ticket,
            key: None,
        }
    }

    /// `PUT /api/v2/tickets/{id}`. With [`TicketUpdate::safe`] a stale `updated_stamp`
    /// fails with a 409 ([`ErrorKind::Conflict`], see [`is_update_conflict`]).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::{NewComment, TicketId, TicketStatus, TicketUpdate};
    /// let change = TicketUpdate {
    ///     status: Some(TicketStatus::Solved),
    ///     comment: Some(NewComment::text("Fixed.")),
    ///     ..Default::default()
    /// };
    /// let env = client.tickets().update(TicketId(42), &change).await?;
    /// # let _ = env; Ok(()) }
    /// ```
    pub async fn update(
        &self,
        id: TicketId,
        update: &TicketUpdate,
    ) -> Result<TicketEnvelope, Error> {
        write(
            &self.client,
            Method::PUT,
            format!("/api/v2/tickets/{id}"),
            Some(&update.wrapped()),
        )
        .await?
        .json()
    }

    /// `DELETE /api/v2/tickets/{id}` (soft delete).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// client.tickets().delete(zdkit::models::TicketId(42)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, id: TicketId) -> Result<(), Error> {
        write::<()>(
            &self.client,
            Method::DELETE,
            format!("/api/v2/tickets/{id}"),
            None,
        )
        .await?;
        Ok(())
    }

    /// `GET /api/v2/tickets/count` (approximate on big accounts).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let n = client.tickets().count().await?.value();
    /// # let _ = n; Ok(()) }
    /// ```
    pub async fn count(&self) -> Result<Count, Error> {
        get_json(&self.client, "/api/v2/tickets/count".into(), &()).await
    }

    /// `GET /api/v2/tickets/{id}/comments` (cursor pagination; `sort("-created_at")`).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let comments: Vec<_> = client.tickets().comments(zdkit::models::TicketId(42)).stream().try_collect().await?;
    /// # let _ = comments; Ok(()) }
    /// ```
    pub fn comments(&self, id: TicketId) -> ListRequest<Comment> {
        ListRequest::new(&self.client, format!("/api/v2/tickets/{id}/comments"))
    }

    /// `GET /api/v2/tickets/{id}/audits` (cursor pagination).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let page = client.tickets().audits(zdkit::models::TicketId(42)).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn audits(&self, id: TicketId) -> ListRequest<Audit> {
        ListRequest::new(&self.client, format!("/api/v2/tickets/{id}/audits"))
    }
}

/// The result of a create: the decoded body plus what the response said about the write.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Created<T> {
    /// The decoded body (for tickets: the ticket and its audit).
    pub value: T,
    /// The HTTP status (201).
    pub status: u16,
    /// The `Idempotency-Key` that was sent.
    pub idempotency_key: Option<String>,
    /// `x-idempotency-lookup: hit`: Zendesk replayed an earlier create with the same key
    /// instead of creating a new record.
    pub idempotency_hit: bool,
    /// The `Location` header.
    pub location: Option<String>,
}

/// A new idempotency key: 128 random bits as 32 hex digits.
///
/// ```
/// let key = zdkit::resources::tickets::new_idempotency_key();
/// assert_eq!(key.len(), 32);
/// ```
pub fn new_idempotency_key() -> String {
    format!("{:032x}", fastrand::u128(..))
}

/// A pending `POST /api/v2/tickets`. Made by [`TicketsHandler::create`].
#[derive(Debug)]
#[must_use = "a create does nothing until .send() is awaited"]
pub struct CreateTicket {
    client: Client,
    ticket: NewTicket,
    key: Option<String>,
}

impl CreateTicket {
    /// Use this `Idempotency-Key` (e.g. derived from your own record id, so a create
    /// retried after a crash is recognised too). Default: a random key made once per
    /// `send()` and reused by every retry of that send.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client, t: zdkit::models::NewTicket) -> zdkit::Result<()> {
    /// let c = client.tickets().create(t).idempotency_key("order-1234").send().await?;
    /// # let _ = c; Ok(()) }
    /// ```
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Send the create (retried safely on 5xx and broken connections: the key is sent
    /// on every attempt).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client, t: zdkit::models::NewTicket) -> zdkit::Result<()> {
    /// let c = client.tickets().create(t).send().await?;
    /// println!("created {} (key {:?})", c.value.item.id, c.idempotency_key);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Created<TicketEnvelope>, Error> {
        let key = self.key.unwrap_or_else(new_idempotency_key);
        let mut spec = RequestSpec::new(Method::POST, "/api/v2/tickets");
        spec.json(&self.ticket.wrapped())?;
        spec.idempotency_key = Some(key.clone());
        let resp = self.client.execute(spec).await?;
        let header = |n: &str| {
            resp.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Ok(Created {
            value: resp.json()?,
            status: resp.status(),
            idempotency_hit: header("x-idempotency-lookup").as_deref() == Some("hit"),
            location: header("location"),
            idempotency_key: Some(key),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_32_hex_digits_and_differ() {
        let a = new_idempotency_key();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, new_idempotency_key());
    }

    #[test]
    fn external_id_goes_into_the_query() {
        let c = Client::builder().subdomain("acme").build().unwrap();
        let q = c
            .tickets()
            .list()
            .external_id("x-1")
            .list_query()
            .to_query_string();
        assert_eq!(q, "page%5Bsize%5D=100&external_id=x-1");
    }
}
