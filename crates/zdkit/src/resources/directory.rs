//! Slow-changing resources: `client.organizations()`, `client.groups()`,
//! `client.ticket_fields()` — list (never cached) and get (through the client's TTL
//! cache, see [`crate::cache`]).

use http::Method;
use serde::Serialize;

use super::{write, ListRequest};
use crate::error::Error;
use crate::models::{
    Envelope, Group, GroupId, Organization, OrganizationId, TicketField, TicketFieldId, Wrapped,
};
use crate::Client;

/// Organization operations. Made by [`Client::organizations`].
#[derive(Debug, Clone)]
pub struct OrganizationsHandler {
    client: Client,
}

/// Group operations. Made by [`Client::groups`].
#[derive(Debug, Clone)]
pub struct GroupsHandler {
    client: Client,
}

/// Ticket field operations. Made by [`Client::ticket_fields`].
#[derive(Debug, Clone)]
pub struct TicketFieldsHandler {
    client: Client,
}

impl Client {
    /// Organization operations.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let org = client.organizations().get(zdkit::models::OrganizationId(3)).await?;
    /// # let _ = org; Ok(()) }
    /// ```
    pub fn organizations(&self) -> OrganizationsHandler {
        OrganizationsHandler {
            client: self.clone(),
        }
    }

    /// Group operations.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let g = client.groups().get(zdkit::models::GroupId(3)).await?;
    /// # let _ = g; Ok(()) }
    /// ```
    pub fn groups(&self) -> GroupsHandler {
        GroupsHandler {
            client: self.clone(),
        }
    }

    /// Ticket field operations.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let f = client.ticket_fields().get(zdkit::models::TicketFieldId(3)).await?;
    /// # let _ = f; Ok(()) }
    /// ```
    pub fn ticket_fields(&self) -> TicketFieldsHandler {
        TicketFieldsHandler {
            client: self.clone(),
        }
    }
}

impl OrganizationsHandler {
    /// `GET /api/v2/organizations` (cursor pagination).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let orgs: Vec<_> = client.organizations().list().stream().try_collect().await?;
    /// # let _ = orgs; Ok(()) }
    /// ```
    pub fn list(&self) -> ListRequest<Organization> {
        ListRequest::new(&self.client, "/api/v2/organizations")
    }

    /// `GET /api/v2/organizations/{id}`, cached.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let org = client.organizations().get(zdkit::models::OrganizationId(3)).await?;
    /// println!("{:?}", org.name);
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: OrganizationId) -> Result<Organization, Error> {
        let env: Envelope<Organization> = self
            .client
            .cached_get(format!("/api/v2/organizations/{id}"))
            .await?;
        Ok(env.item)
    }

    /// `PUT /api/v2/organizations/{id}` with `{"organization": change}`; drops the cached
    /// organization.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let change = serde_json::json!({"notes": "VIP"});
    /// let org = client.organizations().update(zdkit::models::OrganizationId(3), &change).await?;
    /// # let _ = org; Ok(()) }
    /// ```
    pub async fn update<B: Serialize + ?Sized>(
        &self,
        id: OrganizationId,
        change: &B,
    ) -> Result<Organization, Error> {
        let path = format!("/api/v2/organizations/{id}");
        let result = write(
            &self.client,
            Method::PUT,
            path.clone(),
            Some(&Wrapped::new("organization", change)),
        )
        .await;
        // Invalidate even on failure: the write may have been applied.
        self.client.inner.cache.invalidate(&path);
        let env: Envelope<Organization> = result?.json()?;
        Ok(env.item)
    }
}

impl GroupsHandler {
    /// `GET /api/v2/groups` (cursor pagination).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let page = client.groups().list().send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn list(&self) -> ListRequest<Group> {
        ListRequest::new(&self.client, "/api/v2/groups")
    }

    /// `GET /api/v2/groups/{id}`, cached.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let g = client.groups().get(zdkit::models::GroupId(3)).await?;
    /// # let _ = g; Ok(()) }
    /// ```
    pub async fn get(&self, id: GroupId) -> Result<Group, Error> {
        let env: Envelope<Group> = self
            .client
            .cached_get(format!("/api/v2/groups/{id}"))
            .await?;
        Ok(env.item)
    }
}

impl TicketFieldsHandler {
    /// `GET /api/v2/ticket_fields` (cursor pagination, ordered by id).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let fields: Vec<_> = client.ticket_fields().list().stream().try_collect().await?;
    /// # let _ = fields; Ok(()) }
    /// ```
    pub fn list(&self) -> ListRequest<TicketField> {
        ListRequest::new(&self.client, "/api/v2/ticket_fields")
    }

    /// `GET /api/v2/ticket_fields/{id}`, cached.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let f = client.ticket_fields().get(zdkit::models::TicketFieldId(3)).await?;
    /// println!("{:?}", f.title);
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: TicketFieldId) -> Result<TicketField, Error> {
        let env: Envelope<TicketField> = self
            .client
            .cached_get(format!("/api/v2/ticket_fields/{id}"))
            .await?;
        Ok(env.item)
    }
}
