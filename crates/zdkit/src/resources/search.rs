//! `client.search()`: a typed [`SearchQuery`] builder, plain search (offset pages, capped
//! at 1,000 results: the stream fails with [`Error::Incomplete`] rather than cutting
//! silently), counts, and search export (cursor pages of up to 1,000, no cap).

use http::Method;
use serde::Serialize;

use super::get_json;
use crate::error::Error;
use crate::models::{Count, ListPage, Resource, SearchResult, SideloadName};
use crate::pagination::{self, Cap, ResultStream};
use crate::request::RequestSpec;
use crate::Client;

/// The most results plain search pages through.
pub const SEARCH_CAP: u64 = 1000;

pub use super::search_query::SearchQuery;

/// The query string of `GET /api/v2/search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchParams {
    /// The query.
    pub query: String,
    /// `updated_at`, `created_at`, `priority`, `status`, `ticket_type` (default relevance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// `asc` or `desc` (default `desc`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<String>,
    /// Results per page, at most 100 (default 100).
    pub per_page: u32,
    /// Scoped sideloads: `tickets(users,groups)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
}

/// Search operations. Made by [`Client::search`].
#[derive(Debug, Clone)]
pub struct SearchHandler {
    client: Client,
}

impl Client {
    /// Search: `client.search().query(&q).stream()`, `.count(&q)`, `.export(&q)`.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::resources::SearchQuery;
    /// let n = client.search().count(&SearchQuery::tickets().status("open")).await?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub fn search(&self) -> SearchHandler {
        SearchHandler {
            client: self.clone(),
        }
    }
}

impl SearchHandler {
    /// `GET /api/v2/search` (offset pages; at most 1,000 results per query).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use zdkit::resources::SearchQuery;
    /// let q = SearchQuery::tickets().status("open").tag("vip");
    /// let hits: Vec<_> = client.search().query(&q).sort_by("updated_at").stream().try_collect().await?;
    /// # let _ = hits; Ok(()) }
    /// ```
    pub fn query(&self, q: &SearchQuery) -> SearchRequest {
        SearchRequest {
            client: self.client.clone(),
            params: SearchParams {
                query: q.to_string(),
                sort_by: None,
                sort_order: None,
                per_page: 100,
                include: None,
            },
        }
    }

    /// `GET /api/v2/search/count`: the true total (also beyond 1,000).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let n = client.search().count(&zdkit::resources::SearchQuery::users().tag("vip")).await?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub async fn count(&self, q: &SearchQuery) -> Result<u64, Error> {
        let c: Count = get_json(
            &self.client,
            "/api/v2/search/count".into(),
            &[("query", q.to_string())],
        )
        .await?;
        Ok(c.value().unwrap_or(0))
    }

    /// `GET /api/v2/search/export`: every result, cursor pages of up to 1,000, no cap.
    /// The query must name one type ([`SearchQuery::tickets`], …).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let q = zdkit::resources::SearchQuery::tickets().status("open");
    /// let mut s = client.search().export(&q).page_size(1000).stream();
    /// while let Some(r) = s.try_next().await? { let _ = r; }
    /// # Ok(()) }
    /// ```
    pub fn export(&self, q: &SearchQuery) -> SearchExport {
        SearchExport {
            client: self.client.clone(),
            query: q.clone(),
            page_size: 100,
            retry: None,
        }
    }
}

/// A pending plain search. Made by [`SearchHandler::query`].
#[derive(Debug)]
#[must_use = "a search does nothing until .send() or .stream() is used"]
pub struct SearchRequest {
    client: Client,
    params: SearchParams,
}

impl SearchRequest {
    /// Sort field (`updated_at`, `created_at`, `priority`, `status`, `ticket_type`).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let q = zdkit::SearchQuery::tickets().status("open");
    /// let page = client.search().query(&q).sort_by("updated_at").send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn sort_by(mut self, field: impl Into<String>) -> Self {
        self.params.sort_by = Some(field.into());
        self
    }
    /// `asc` (`true`) or `desc`.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let q = zdkit::SearchQuery::tickets().status("open");
    /// let page = client.search().query(&q).sort_by("created_at").ascending(true).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn ascending(mut self, asc: bool) -> Self {
        self.params.sort_order = Some(if asc { "asc" } else { "desc" }.into());
        self
    }
    /// Results per page (1–100, default 100).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let q = zdkit::SearchQuery::tickets().status("open");
    /// let page = client.search().query(&q).per_page(25).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn per_page(mut self, n: u32) -> Self {
        self.params.per_page = n.clamp(1, 100);
        self
    }
    /// Sideloads for ticket results: `include=tickets(users,…)`.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::SideloadName;
    /// let q = zdkit::SearchQuery::tickets().status("open");
    /// let page = client.search().query(&q).include(&[SideloadName::Users]).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn include(mut self, names: &[SideloadName]) -> Self {
        self.params.include =
            (!names.is_empty()).then(|| format!("tickets({})", SideloadName::join(names)));
        self
    }
    /// The query string that will be sent.
    ///
    /// ```no_run
    /// # fn demo(client: zdkit::Client) {
    /// let q = zdkit::SearchQuery::tickets().status("open");
    /// assert_eq!(client.search().query(&q).params().query, "type:ticket status:open");
    /// # }
    /// ```
    pub fn params(&self) -> &SearchParams {
        &self.params
    }

    fn spec(&self) -> Result<RequestSpec, Error> {
        let mut spec = RequestSpec::new(Method::GET, "/api/v2/search");
        spec.query(&self.params)?;
        Ok(spec)
    }

    /// The first page.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let q = zdkit::SearchQuery::tickets().status("open");
    /// let page = client.search().query(&q).send().await?;
    /// println!("{} of {:?}", page.items.len(), page.info.count);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ListPage<SearchResult>, Error> {
        pagination::one_page(&self.client, SearchResult::PLURAL, self.spec()?).await
    }

    /// Every page; after the 1,000th result of a query that matches more, the stream
    /// ends with [`Error::Incomplete`] (use [`SearchHandler::export`] instead).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let q = zdkit::SearchQuery::tickets().status("open");
    /// let mut pages = client.search().query(&q).pages();
    /// while let Some(p) = pages.try_next().await? { let _ = p; }
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> ResultStream<ListPage<SearchResult>> {
        let cap = Cap {
            limit: SEARCH_CAP,
            what: "plain search",
        };
        match self.spec() {
            Ok(spec) => pagination::pages(self.client, SearchResult::PLURAL, spec, Some(cap)),
            Err(e) => Box::pin(futures_util::stream::once(async move { Err(e) })),
        }
    }

    /// Every result (see [`SearchRequest::pages`] for the cap).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let q = zdkit::SearchQuery::tickets().status("open");
    /// let hits: Vec<_> = client.search().query(&q).stream().try_collect().await?;
    /// # let _ = hits; Ok(()) }
    /// ```
    pub fn stream(self) -> ResultStream<SearchResult> {
        pagination::items(self.pages())
    }
}

/// A pending search export. Made by [`SearchHandler::export`].
#[derive(Debug)]
#[must_use = "an export does nothing until .stream() or .pages() is used"]
pub struct SearchExport {
    client: Client,
    query: SearchQuery,
    page_size: u32,
    retry: Option<crate::RetryPolicy>,
}

/// The query string of `GET /api/v2/search/export`.
#[derive(Debug, Serialize)]
struct ExportParams<'a> {
    query: String,
    #[serde(rename = "filter[type]")]
    filter_type: &'a str,
    #[serde(rename = "page[size]")]
    page_size: u32,
}

impl SearchExport {
    /// Results per page, 1–1,000 (default 100; big pages can time out).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let q = zdkit::SearchQuery::tickets().status("open");
    /// let s = client.search().export(&q).page_size(1000).stream();
    /// # let _ = s; Ok(()) }
    /// ```
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n.clamp(1, 1000);
        self
    }

    /// Retry every page by `policy` instead of the client's (see
    /// [`RequestBuilder::retry`](crate::RequestBuilder::retry)). Big pages of archived
    /// tickets can time out (504); a caller that shrinks the page on failure gives up at
    /// once with `client.retry_policy().clone().timeout_attempts(1)`.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let q = zdkit::SearchQuery::tickets().status("closed");
    /// let once = client.retry_policy().clone().timeout_attempts(1);
    /// let s = client.search().export(&q).page_size(1000).retry(once).pages();
    /// # let _ = s; Ok(()) }
    /// ```
    pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Every page, lazily.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let q = zdkit::SearchQuery::tickets().status("open");
    /// let mut pages = client.search().export(&q).pages();
    /// while let Some(p) = pages.try_next().await? { let _ = p.items.len(); }
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> ResultStream<ListPage<SearchResult>> {
        let spec = (|| {
            let kind = self.query.kind().ok_or_else(|| {
                Error::InvalidRequest(
                    "search export needs one type: start from SearchQuery::tickets(), users(), organizations() or groups()".into(),
                )
            })?;
            let mut spec = RequestSpec::new(Method::GET, "/api/v2/search/export");
            spec.query(&ExportParams {
                query: self.query.terms_only(),
                filter_type: kind,
                page_size: self.page_size,
            })?;
            spec.retry = self.retry.clone();
            Ok(spec)
        })();
        match spec {
            Ok(spec) => pagination::pages(self.client, SearchResult::PLURAL, spec, None),
            Err(e) => Box::pin(futures_util::stream::once(async move { Err(e) })),
        }
    }

    /// Every result, lazily.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let q = zdkit::SearchQuery::tickets().status("open");
    /// let all: Vec<_> = client.search().export(&q).stream().try_collect().await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub fn stream(self) -> ResultStream<SearchResult> {
        pagination::items(self.pages())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_building_and_quoting() {
        let q = SearchQuery::users().term("\"jo doe\"").group("Tier 1");
        assert_eq!(q.to_string(), "type:user \"jo doe\" group:\"Tier 1\"");
        assert_eq!(SearchQuery::any().tag("a").to_string(), "tags:a");
        assert_eq!(
            SearchQuery::tickets().status_below("solved").terms_only(),
            "status<solved"
        );
    }

    #[test]
    fn params_are_the_query_string() {
        let c = Client::builder().subdomain("acme").build().unwrap();
        let r = c
            .search()
            .query(&SearchQuery::tickets().status("open"))
            .sort_by("updated_at")
            .ascending(true)
            .per_page(500)
            .include(&[SideloadName::Users]);
        assert_eq!(
            serde_urlencoded::to_string(r.params()).unwrap(),
            "query=type%3Aticket+status%3Aopen&sort_by=updated_at&sort_order=asc&per_page=100&include=tickets%28users%29"
        );
    }
}
