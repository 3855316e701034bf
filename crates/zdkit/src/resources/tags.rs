//! Tags of one ticket, user or organization (Tags reference:
//! developer.zendesk.com/api-reference/ticketing/ticket-management/tags/): read, set
//! (replace), add and remove, on the paths of the `tags` family's catalogue actions.

use http::Method;
use serde::{Deserialize, Serialize};

use super::collection::Collection;
use super::{get_json, write};
use crate::error::Error;
use crate::models::{OrganizationId, Tag, TicketId, UserId};

/// A record that carries tags: [`TicketId`], [`UserId`] or [`OrganizationId`].
pub trait Taggable: std::fmt::Display + Copy {
    /// The `tags` action prefix (`ticket`, `user`, `organization`).
    const ACTION: &'static str;
    /// The id parameter of its path (`ticket_id`).
    const PARAM: &'static str;
}

impl Taggable for TicketId {
    const ACTION: &'static str = "ticket";
    const PARAM: &'static str = "ticket_id";
}

impl Taggable for UserId {
    const ACTION: &'static str = "user";
    const PARAM: &'static str = "user_id";
}

impl Taggable for OrganizationId {
    const ACTION: &'static str = "organization";
    const PARAM: &'static str = "organization_id";
}

#[derive(Serialize, Deserialize)]
struct Tags<T> {
    tags: T,
}

impl Collection<Tag> {
    fn tag_path<R: Taggable>(&self, verb: &str, on: R) -> Result<String, Error> {
        let name = if verb.is_empty() {
            R::ACTION.to_owned()
        } else {
            format!("{}_{verb}", R::ACTION)
        };
        self.action_path(&name, &[(R::PARAM, &on)])
    }

    async fn tag_write<R: Taggable>(
        &self,
        verb: &str,
        method: Method,
        on: R,
        tags: &[&str],
    ) -> Result<Option<Vec<String>>, Error> {
        let path = self.tag_path(verb, on)?;
        let resp = write(&self.client, method, path, Some(&Tags { tags })).await?;
        if resp.bytes().is_empty() {
            return Ok(None);
        }
        Ok(Some(resp.json::<Tags<Vec<String>>>()?.tags))
    }

    /// `GET {tickets|users|organizations}/{id}/tags`.
    ///
    /// ```no_run
    /// # // no_run: needs a Zendesk account (the simulator test runs it).
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let tags = client.tags().of(zdkit::models::TicketId(1)).await?;
    /// # let _ = tags; Ok(()) }
    /// ```
    pub async fn of<R: Taggable>(&self, on: R) -> Result<Vec<String>, Error> {
        let path = self.tag_path("", on)?;
        Ok(get_json::<Tags<Vec<String>>, _>(&self.client, path, &())
            .await?
            .tags)
    }

    /// `POST …/tags`: replace the record's tags; answers the new list.
    pub async fn set<R: Taggable>(&self, on: R, tags: &[&str]) -> Result<Vec<String>, Error> {
        let new = self.tag_write("set", Method::POST, on, tags).await?;
        match new {
            Some(t) => Ok(t),
            None => self.of(on).await,
        }
    }

    /// `PUT …/tags`: add tags (keeping the others); answers the new list.
    ///
    /// ```no_run
    /// # // no_run: needs a Zendesk account (the simulator test runs it).
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let now = client.tags().add(zdkit::models::UserId(7), &["vip"]).await?;
    /// # let _ = now; Ok(()) }
    /// ```
    pub async fn add<R: Taggable>(&self, on: R, tags: &[&str]) -> Result<Vec<String>, Error> {
        let new = self.tag_write("add", Method::PUT, on, tags).await?;
        match new {
            Some(t) => Ok(t),
            None => self.of(on).await,
        }
    }

    /// `DELETE …/tags` with the tags to remove (Zendesk answers no body).
    pub async fn remove<R: Taggable>(&self, on: R, tags: &[&str]) -> Result<(), Error> {
        self.tag_write("remove", Method::DELETE, on, tags)
            .await
            .map(drop)
    }
}
