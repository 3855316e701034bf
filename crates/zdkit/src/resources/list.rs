//! [`ListRequest`]: one list request of any family, ending in `.send()`, `.pages()` or
//! `.stream()`. Its query is the [`ListQuery`] struct plus the family's filters; how it
//! pages (`page[size]` cursor pages, `per_page` offset pages, or everything at once) comes
//! from the family's catalogue row ([`zdkit_catalog::Paging`]).

use std::fmt;
use std::marker::PhantomData;

use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use zdkit_catalog::{Family, PageDefault};

use crate::error::Error;
use crate::models::{ListPage, Resource, SideloadName};
use crate::pagination::{self, ResultStream};
use crate::request::RequestSpec;
use crate::Client;

/// The largest `page[size]` of ordinary cursor-paginated lists.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The query string of a list request; `None` fields are not sent. Cursor-paginated
/// families always send `page[size]` (it opts into cursor pagination); offset-only
/// families send `per_page`; unpaginated ones neither.
///
/// ```
/// use zdkit::resources::ListQuery;
/// let q = ListQuery { sort: Some("-updated_at".into()), include: Some("users,groups".into()), ..ListQuery::default() };
/// assert_eq!(q.to_query_string(), "page%5Bsize%5D=100&sort=-updated_at&include=users%2Cgroups");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListQuery {
    /// `page[size]`: items per cursor page, 1–100. Default 100.
    #[serde(rename = "page[size]", skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// `per_page`: items per offset page (families without cursor pagination).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    /// `sort`: a field, `-field` for descending (`-updated_at`); cursor lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// `sort_by`: offset lists' sort field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// `sort_order`: `asc` or `desc` (offset lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<String>,
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
            page_size: Some(MAX_PAGE_SIZE),
            per_page: None,
            sort: None,
            sort_by: None,
            sort_order: None,
            include: None,
            external_id: None,
        }
    }
}

impl ListQuery {
    /// The encoded query string.
    ///
    /// ```
    /// assert_eq!(zdkit::resources::ListQuery::default().to_query_string(), "page%5Bsize%5D=100");
    /// ```
    pub fn to_query_string(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }
}

/// How a list pages (from the family's catalogue row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Cursor,
    Offset,
    All,
}

/// A list request of `T` (tickets, users, macros, `serde_json::Value`, …): set the query,
/// then `.send()`, `.pages()` or `.stream()`.
#[must_use = "a list request does nothing until .send(), .pages() or .stream() is used"]
pub struct ListRequest<T> {
    client: Client,
    path: String,
    pub(crate) query: ListQuery,
    /// Family filters and other parameters, in the order given.
    params: Vec<(String, String)>,
    key: &'static str,
    family: Option<&'static Family>,
    mode: Mode,
    max_page_size: u32,
    /// Why the request cannot be sent (the family has no list), reported by the endings.
    refused: Option<String>,
    marker: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for ListRequest<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListRequest")
            .field("path", &self.path)
            .field("query", &self.query)
            .field("params", &self.params)
            .finish()
    }
}

impl<T> ListRequest<T> {
    /// The same request with items under another key (a family's action that lists
    /// records of another kind: a view's `tickets`, its executed `rows`).
    pub(crate) fn rekey<U>(self, key: &'static str) -> ListRequest<U> {
        ListRequest {
            client: self.client,
            path: self.path,
            query: self.query,
            params: self.params,
            key,
            family: self.family,
            mode: self.mode,
            max_page_size: self.max_page_size,
            refused: self.refused,
            marker: PhantomData,
        }
    }

    /// Sends neither `page[size]` nor `per_page` (endpoints that take neither).
    pub(crate) fn no_page_size(mut self) -> Self {
        self.query.page_size = None;
        self.query.per_page = None;
        self
    }

    /// Drops the parameters set so far.
    pub(crate) fn clear_params(&mut self) {
        self.params.clear();
    }

    /// A request that fails with `Error::InvalidRequest(why)` without sending anything.
    pub(crate) fn refuse(mut self, why: String) -> Self {
        self.refused = Some(why);
        self
    }
}

impl<T: Resource + Send + 'static> ListRequest<T> {
    /// A cursor-paginated list of `T` at `path` (items under `T::PLURAL`).
    pub(crate) fn new(client: &Client, path: impl Into<String>) -> Self {
        ListRequest::keyed(client, path, T::PLURAL)
    }
}

impl<T: DeserializeOwned + Send + 'static> ListRequest<T> {
    /// A cursor-paginated list at `path` whose items are under `key`.
    pub(crate) fn keyed(client: &Client, path: impl Into<String>, key: &'static str) -> Self {
        ListRequest {
            client: client.clone(),
            path: path.into(),
            query: ListQuery::default(),
            params: Vec::new(),
            key,
            family: None,
            mode: Mode::Cursor,
            max_page_size: MAX_PAGE_SIZE,
            refused: None,
            marker: PhantomData,
        }
    }

    /// The list of `family` at `path`, paging as its catalogue row says.
    pub(crate) fn family(client: &Client, family: &'static Family, path: String) -> Self {
        let mut r = ListRequest::keyed(client, path, family.plural);
        r.family = Some(family);
        let p = family.paging;
        r.max_page_size = p.max_page_size.clamp(1, MAX_PAGE_SIZE);
        r.mode = match p.default {
            PageDefault::Cursor => Mode::Cursor,
            PageDefault::Offset if p.cursor => Mode::Cursor,
            PageDefault::Offset => Mode::Offset,
            PageDefault::All if p.cursor => Mode::Cursor,
            PageDefault::All if p.offset => Mode::Offset,
            PageDefault::All => Mode::All,
        };
        r.query.page_size = None;
        match r.mode {
            Mode::Cursor => r.query.page_size = Some(r.max_page_size),
            Mode::Offset => r.query.per_page = Some(r.max_page_size),
            Mode::All => {}
        }
        if !family.ops.list {
            r.refused = Some(format!("{} cannot be listed", family.name));
        }
        r
    }

    /// Items per page (clamped to 1–100; `per_page` on offset-only families; ignored by
    /// families that answer everything at once). Default 100.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let page = client.tickets().list().page_size(25).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn page_size(mut self, n: u32) -> Self {
        let n = n.clamp(1, self.max_page_size);
        match self.mode {
            Mode::Cursor => self.query.page_size = Some(n),
            Mode::Offset => self.query.per_page = Some(n),
            Mode::All => {}
        }
        self
    }

    /// Sort order: a field name, `-field` for descending (`"-updated_at"`). Offset-only
    /// families get `sort_by` and `sort_order`, and so does a sort the family documents
    /// only for offset pages (macros' `usage_7d`: the list then pages by offset).
    ///
    /// ```
    /// # fn demo(client: zdkit::Client) {
    /// let r = client.tickets().list().sort("-updated_at");
    /// assert_eq!(r.list_query().sort.as_deref(), Some("-updated_at"));
    /// # }
    /// # demo(zdkit::Client::builder().subdomain("acme").build().unwrap());
    /// ```
    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        let sort = sort.into();
        let field = sort.trim_start_matches('-');
        let offset_only = self.family.is_some_and(|f| {
            f.paging.offset && f.offset_sorts.contains(&field) && !f.cursor_sorts.contains(&field)
        });
        if self.mode == Mode::Cursor && offset_only {
            self.mode = Mode::Offset;
            self.query.per_page = self.query.page_size.take();
        }
        if self.mode == Mode::Cursor {
            self.query.sort = Some(sort);
        } else {
            let (field, order) = match sort.strip_prefix('-') {
                Some(f) => (f.to_owned(), "desc"),
                None => (sort, "asc"),
            };
            self.query.sort_by = Some(field);
            self.query.sort_order = Some(order.to_owned());
        }
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

    /// Any other query parameter: the family's filters (`group_id`, `active`, `user_id`,
    /// see [`zdkit_catalog::Family::filters`]) and the like. Sent after the
    /// [`ListQuery`], in the order given.
    ///
    /// ```
    /// # fn demo(client: zdkit::Client) {
    /// let r = client.group_memberships().list().filter("group_id", 7);
    /// assert_eq!(r.params(), [("group_id".to_string(), "7".to_string())]);
    /// # }
    /// # demo(zdkit::Client::builder().subdomain("acme").build().unwrap());
    /// ```
    pub fn filter(mut self, name: impl Into<String>, value: impl fmt::Display) -> Self {
        self.params.push((name.into(), value.to_string()));
        self
    }

    /// The query that will be sent (without [`ListRequest::params`]).
    ///
    /// ```
    /// # fn demo(client: zdkit::Client) {
    /// let r = client.tickets().list().sort("-id");
    /// assert_eq!(r.list_query().to_query_string(), "page%5Bsize%5D=100&sort=-id");
    /// # }
    /// # demo(zdkit::Client::builder().subdomain("acme").build().unwrap());
    /// ```
    pub fn list_query(&self) -> &ListQuery {
        &self.query
    }

    /// The extra parameters (filters) that will be sent after the [`ListQuery`].
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// The path requested (`/api/v2/macros`).
    pub fn path(&self) -> &str {
        &self.path
    }

    fn spec(&self) -> Result<RequestSpec, Error> {
        if let Some(why) = &self.refused {
            return Err(Error::InvalidRequest(why.clone()));
        }
        let mut spec = RequestSpec::new(Method::GET, self.path.clone());
        spec.query(&self.query)?;
        spec.query(&self.params)?;
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
        pagination::one_page(&self.client, self.key, spec).await
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
            Ok(spec) => pagination::pages(self.client, self.key, spec, None),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_query_is_the_query_string() {
        assert_eq!(ListQuery::default().to_query_string(), "page%5Bsize%5D=100");
        let q = ListQuery {
            page_size: Some(10),
            sort: Some("-updated_at".into()),
            include: Some(SideloadName::join(&[
                SideloadName::Users,
                SideloadName::Groups,
            ])),
            external_id: Some("crm 1".into()),
            ..ListQuery::default()
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
        assert_eq!(r.list_query().page_size, Some(100));
        assert_eq!(r.list_query().include.as_deref(), Some("organizations"));
        assert_eq!(
            c.tickets().list().page_size(0).list_query().page_size,
            Some(1)
        );
    }

    #[test]
    fn paging_follows_the_catalogue() {
        let c = Client::builder().subdomain("acme").build().unwrap();
        let fam = |n| zdkit_catalog::family(n).unwrap();
        let q = |n| {
            ListRequest::<serde_json::Value>::family(&c, fam(n), String::new())
                .sort("-position")
                .list_query()
                .to_query_string()
        };
        // Cursor + offset (cursor used), offset-only, and unpaginated families.
        assert_eq!(q("group_memberships"), "page%5Bsize%5D=100&sort=-position");
        assert_eq!(q("macros"), "per_page=100&sort_by=position&sort_order=desc");
        assert_eq!(q("triggers"), "page%5Bsize%5D=100&sort=-position");
        assert_eq!(
            q("phone_numbers"),
            "per_page=100&sort_by=position&sort_order=desc"
        );
        assert_eq!(q("sla_policies"), "sort_by=position&sort_order=desc");
        let r = ListRequest::<serde_json::Value>::family(&c, fam("ticket_audits"), String::new());
        assert!(r.refused.is_none());
        let r = ListRequest::<serde_json::Value>::family(&c, fam("job_statuses"), String::new());
        assert!(r.refused.is_none());
    }
}
