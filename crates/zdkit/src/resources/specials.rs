//! The remaining family-specific operations, on paths from the catalogue's actions:
//! organizations' `search`/`autocomplete`, users' `related` and `identities`, group
//! memberships' `assignable`, ticket satisfaction ratings, metric events from a time, and
//! webhooks' signing secrets.

use http::Method;
use serde::{Deserialize, Serialize};

use super::collection::Collection;
use super::{get_json, write, ListRequest, UsersHandler};
use crate::error::Error;
use crate::models::{
    GroupMembership, Identity, Organization, SatisfactionRating, SatisfactionScore, SigningSecret,
    TicketId, TicketMetricEvent, UserId, UserRelated, Webhook, WebhookId, Wrapped,
};

impl Collection<Organization> {
    /// `GET organizations/autocomplete?name=…`: organizations whose name starts with
    /// `name` (at least 2 characters).
    pub fn autocomplete(&self, name: &str) -> ListRequest<Organization> {
        self.action_list("autocomplete")
            .no_page_size()
            .filter("name", name)
    }

    /// `GET organizations/search?external_id=…`: the organizations with this external id.
    ///
    /// ```no_run
    /// # // no_run: needs a Zendesk account (the simulator test runs it).
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let page = client.organizations().search_external_id("crm-7").send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn search_external_id(&self, external_id: &str) -> ListRequest<Organization> {
        self.search_by("external_id", external_id)
    }

    /// `GET organizations/search?name=…`: the organization with exactly this name.
    pub fn search_name(&self, name: &str) -> ListRequest<Organization> {
        self.search_by("name", name)
    }

    fn search_by(&self, key: &str, value: &str) -> ListRequest<Organization> {
        // The generic search sends `query=`; organizations search by a field instead.
        let mut r = self.search("");
        r.clear_params();
        r.filter(key, value)
    }
}

impl UsersHandler {
    /// `GET users/{id}/related`: how many tickets the user requested, is CC'd on, is
    /// assigned, ….
    ///
    /// ```no_run
    /// # // no_run: needs a Zendesk account (the simulator test runs it).
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let r = client.users().related(zdkit::models::UserId(7)).await?;
    /// println!("{:?} requested", r.requested_tickets);
    /// # Ok(()) }
    /// ```
    pub async fn related(&self, id: UserId) -> Result<UserRelated, Error> {
        #[derive(Deserialize)]
        struct Env {
            user_related: UserRelated,
        }
        let users = self.client.collection::<crate::models::User>();
        let path = users.action_path("related", &[("user_id", &id)])?;
        Ok(get_json::<Env, _>(&self.client, path, &())
            .await?
            .user_related)
    }

    /// The identities of one user (`users/{id}/identities`): list, show, create,
    /// update, delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let ids = client.users().identities(zdkit::models::UserId(7));
    /// assert_eq!(ids.path(), "/api/v2/users/7/identities");
    /// let page: zdkit::models::ListPage<zdkit::models::Identity> = zdkit::models::decode(
    ///     br#"{"identities":[{"id":35,"user_id":7,"type":"email","value":"a@b.test","primary":true}],
    ///     "meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// assert_eq!(page.items[0].identity_type, Some(zdkit::models::IdentityType::Email));
    /// ```
    pub fn identities(&self, user: UserId) -> Collection<Identity> {
        self.client.collection::<Identity>().under(user)
    }
}

impl Collection<GroupMembership> {
    /// `GET group_memberships/assignable`: memberships of groups tickets can be assigned to.
    pub fn assignable(&self) -> ListRequest<GroupMembership> {
        self.action_list("assignable")
    }
}

impl Collection<SatisfactionRating> {
    /// `POST tickets/{ticket_id}/satisfaction_rating`: the requester's rating of a solved
    /// ticket (only the requester may rate).
    pub async fn create_for_ticket(
        &self,
        ticket: TicketId,
        score: SatisfactionScore,
        comment: Option<&str>,
    ) -> Result<SatisfactionRating, Error> {
        #[derive(Serialize)]
        struct New<'a> {
            score: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            comment: Option<&'a str>,
        }
        let path = self.action_path("create_for_ticket", &[("ticket_id", &ticket)])?;
        let body = Wrapped::new(
            "satisfaction_rating",
            New {
                score: score.as_str(),
                comment,
            },
        );
        let resp = write(&self.client, Method::POST, path, Some(&body)).await?;
        Ok(resp
            .envelope::<SatisfactionRating>("satisfaction_rating")?
            .item)
    }
}

impl Collection<TicketMetricEvent> {
    /// The metric events since `start_time` (epoch seconds) as the time-based export it
    /// is: resumable from each page's [`crate::Checkpoint`], boundary duplicates dropped.
    pub fn since(&self, start_time: i64) -> crate::export::ExportRequest<TicketMetricEvent> {
        self.client
            .incremental()
            .ticket_metric_events()
            .start_time(start_time)
    }
}

impl Collection<Webhook> {
    /// `GET webhooks/{id}/signing_secret`: the secret deliveries are signed with (a
    /// redacting [`crate::Secret`]; give it to [`crate::webhooks::verify`]).
    ///
    /// ```no_run
    /// # // no_run: needs a Zendesk account (the simulator test runs it).
    /// # async fn demo(client: zdkit::Client, sig: &str, ts: &str, body: &[u8]) -> zdkit::Result<()> {
    /// let id = zdkit::models::WebhookId::from("01GWS1WHE4NHNR1TJGX1WJXG5V");
    /// let s = client.webhooks().signing_secret(&id).await?;
    /// # let _ = (s, sig, ts, body); Ok(()) }
    /// ```
    pub async fn signing_secret(&self, id: &WebhookId) -> Result<SigningSecret, Error> {
        let path = self.action_path("signing_secret", &[("webhook_id", id)])?;
        Ok(get_json::<SecretEnvelope, _>(&self.client, path, &())
            .await?
            .signing_secret)
    }

    /// `POST webhooks/{id}/signing_secret`: a new secret (the old one stops working).
    pub async fn reset_signing_secret(&self, id: &WebhookId) -> Result<SigningSecret, Error> {
        let path = self.action_path("reset_signing_secret", &[("webhook_id", id)])?;
        let resp = write::<()>(&self.client, Method::POST, path, None).await?;
        Ok(resp.json::<SecretEnvelope>()?.signing_secret)
    }
}

#[derive(Deserialize)]
struct SecretEnvelope {
    signing_secret: SigningSecret,
}
