//! Typed resource handlers (octocrab's shape): `client.tickets().list().sort("-updated_at")
//! .page_size(100)` ends in `.send()` (one page), `.pages()` (every page, with sideloads)
//! or `.stream()` (every item). One file per resource:
//!
//! * [`tickets`]: [`TicketsHandler`] — list, get, show_many, create (idempotent), update
//!   (`safe_update`), delete, count, comments, audits, bulk jobs.
//! * [`users`]: [`UsersHandler`] — list, get, me, create, update, create_or_update,
//!   search by email, create-or-get.
//! * [`directory`]: [`OrganizationsHandler`], [`GroupsHandler`], [`TicketFieldsHandler`]
//!   — list, get (cached, see [`crate::cache`]).
//! * [`search`]: [`SearchHandler`] and the [`SearchQuery`] builder.
//!
//! The query of a list is the [`ListQuery`] struct: it derives `Serialize`, so what you
//! see is exactly the query string sent (and it is unit-tested without a network).

pub mod directory;
pub mod search;
pub mod tickets;
pub mod users;

use std::fmt;
use std::marker::PhantomData;

use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use directory::{GroupsHandler, OrganizationsHandler, TicketFieldsHandler};
pub use search::{SearchExport, SearchHandler, SearchQuery, SearchRequest};
pub use tickets::{CreateTicket, Created, TicketsHandler};
pub use users::{UserUpsert, UsersHandler};

use crate::error::Error;
use crate::models::{ListPage, Resource, SideloadName};
use crate::pagination::{self, ResultStream};
use crate::request::RequestSpec;
use crate::Client;

/// The largest `page[size]` of ordinary cursor-paginated lists.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The query string of a list request. `page[size]` is always sent (it opts into cursor
/// pagination); `None` fields are not sent.
///
/// ```
/// use zdkit::resources::ListQuery;
/// let q = ListQuery { sort: Some("-updated_at".into()), include: Some("users,groups".into()), ..ListQuery::default() };
/// assert_eq!(q.to_query_string(), "page%5Bsize%5D=100&sort=-updated_at&include=users%2Cgroups");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListQuery {
    /// `page[size]`: items per page, 1–100. Default 100.
    #[serde(rename = "page[size]")]
    pub page_size: u32,
    /// `sort`: a field, `-field` for descending (`-updated_at`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// `include`: comma-separated sideloads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
    /// `external_id` filter (tickets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            page_size: MAX_PAGE_SIZE,
            sort: None,
            include: None,
            external_id: None,
        }
    }
}

impl ListQuery {
    /// The encoded query string.
    ///
    /// ```no_run
    /// assert_eq!(zdkit::resources::ListQuery::default().to_query_string(), "page%5Bsize%5D=100");
    /// ```
    pub fn to_query_string(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }
}

/// A list request of `T` (tickets, users, comments, …): set the query, then `.send()`,
/// `.pages()` or `.stream()`.
#[must_use = "a list request does nothing until .send(), .pages() or .stream() is used"]
pub struct ListRequest<T> {
    client: Client,
    path: String,
    query: ListQuery,
    marker: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for ListRequest<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListRequest")
            .field("path", &self.path)
            .field("query", &self.query)
            .finish()
    }
}

impl<T: Resource + Send + 'static> ListRequest<T> {
    pub(crate) fn new(client: &Client, path: impl Into<String>) -> Self {
        ListRequest {
            client: client.clone(),
            path: path.into(),
            query: ListQuery::default(),
            marker: PhantomData,
        }
    }

    /// Items per page (clamped to 1–100). Default 100.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let page = client.tickets().list().page_size(25).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn page_size(mut self, n: u32) -> Self {
        self.query.page_size = n.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Sort order: a field name, `-field` for descending (`"-updated_at"`).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let page = client.tickets().list().sort("-updated_at").send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        self.query.sort = Some(sort.into());
        self
    }

    /// Sideload related records (`include=users,groups`); each page's
    /// [`Sideloads`](crate::models::Sideloads) then looks them up by id.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::SideloadName;
    /// let page = client.tickets().list().include(&[SideloadName::Users]).send().await?;
    /// for t in &page.items {
    ///     let name = t.requester_id.and_then(|id| page.sideloads.user(id)).and_then(|u| u.name.clone());
    ///     # let _ = name;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn include(mut self, names: &[SideloadName]) -> Self {
        self.query.include = (!names.is_empty()).then(|| SideloadName::join(names));
        self
    }

    /// The query that will be sent.
    ///
    /// ```no_run
    /// # fn demo(client: zdkit::Client) {
    /// let r = client.tickets().list().sort("-id");
    /// assert_eq!(r.list_query().to_query_string(), "page%5Bsize%5D=100&sort=-id");
    /// # }
    /// ```
    pub fn list_query(&self) -> &ListQuery {
        &self.query
    }

    fn spec(&self) -> Result<RequestSpec, Error> {
        let mut spec = RequestSpec::new(Method::GET, self.path.clone());
        spec.query(&self.query)?;
        Ok(spec)
    }

    /// The first page only.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let page = client.users().list().send().await?;
    /// println!("{} users, more: {}", page.items.len(), page.has_more());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ListPage<T>, Error> {
        let spec = self.spec()?;
        pagination::one_page(&self.client, spec).await
    }

    /// Every page, fetched lazily (one page in memory), with its sideloads.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut pages = client.tickets().list().pages();
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} tickets, {} users sideloaded", page.items.len(),
    ///         page.sideloads.users.as_ref().map_or(0, Vec::len));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> ResultStream<ListPage<T>> {
        match self.spec() {
            Ok(spec) => pagination::pages(self.client, spec, None),
            Err(e) => Box::pin(futures_util::stream::once(async move { Err(e) })),
        }
    }

    /// Every item of every page, fetched lazily (one page in memory).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut tickets = client.tickets().list().stream();
    /// while let Some(t) = tickets.try_next().await? {
    ///     println!("{} {:?}", t.id, t.subject);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> ResultStream<T> {
        pagination::items(self.pages())
    }
}

/// Joins ids with commas (`ids=1,2,3`).
pub(crate) fn ids_param<I: fmt::Display>(ids: &[I]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// `GET path?query` decoded as `R`.
pub(crate) async fn get_json<R: DeserializeOwned, Q: Serialize + ?Sized>(
    client: &Client,
    path: String,
    query: &Q,
) -> Result<R, Error> {
    let mut spec = RequestSpec::new(Method::GET, path);
    spec.query(query)?;
    client.execute(spec).await?.json()
}

/// A write with a JSON body, returning the raw response.
pub(crate) async fn write<B: Serialize + ?Sized>(
    client: &Client,
    method: Method,
    path: String,
    body: Option<&B>,
) -> Result<crate::Response, Error> {
    let mut spec = RequestSpec::new(method, path);
    if let Some(b) = body {
        spec.json(b)?;
    }
    client.execute(spec).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_query_is_the_query_string() {
        assert_eq!(ListQuery::default().to_query_string(), "page%5Bsize%5D=100");
        let q = ListQuery {
            page_size: 10,
            sort: Some("-updated_at".into()),
            include: Some(SideloadName::join(&[
                SideloadName::Users,
                SideloadName::Groups,
            ])),
            external_id: Some("crm 1".into()),
        };
        assert_eq!(
            q.to_query_string(),
            "page%5Bsize%5D=10&sort=-updated_at&include=users%2Cgroups&external_id=crm+1"
        );
    }

    #[test]
    fn builder_clamps_and_sets() {
        let c = Client::builder().subdomain("acme").build().unwrap();
        let r = c
            .tickets()
            .list()
            .page_size(1000)
            .sort("id")
            .include(&[SideloadName::Organizations]);
        assert_eq!(r.list_query().page_size, 100);
        assert_eq!(r.list_query().include.as_deref(), Some("organizations"));
        assert_eq!(c.tickets().list().page_size(0).list_query().page_size, 1);
    }
}
