//! Lazy pagination: every list ends in `.send()` (one page), `.pages()` (a stream of
//! pages, with their sideloads) or `.stream()` (a stream of items). Streams fetch the next
//! page only when the previous one has been consumed, so one page is in memory at a time.
//!
//! Where the next page is, and when to stop, is decided by the one next-page rule,
//! [`Walk`] (module [`rule`]): origin-checked links, cycle and empty-run detection, a page
//! cap. An empty page is a normal page: an empty last page after `has_more: true` simply
//! ends the stream.

mod rule;

pub use rule::{ExportStep, NextPage, Walk, WalkLimits};

use std::marker::PhantomData;

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use http::Method;

use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::models::ListPage;
use crate::request::RequestSpec;
use crate::Client;

/// A boxed stream of `Result<T, zdkit::Error>` (what `.stream()`, `.pages()` and the
/// export streams return).
pub type ResultStream<T> = BoxStream<'static, Result<T, Error>>;

/// A cap on the number of results a list can page through (plain search: 1,000).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cap {
    pub(crate) limit: u64,
    pub(crate) what: &'static str,
}

struct Pager<T> {
    client: Client,
    /// The key of the items (`tickets`, `macros`, …).
    key: &'static str,
    first: RequestSpec,
    next: Option<RequestSpec>,
    walk: Walk,
    seen: u64,
    cap: Option<Cap>,
    /// Reported on the next poll (after the page that reached a cap was handed out).
    fail: Option<String>,
    marker: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + Send + 'static> Pager<T> {
    async fn step(mut self) -> Result<Option<(ListPage<T>, Self)>, Error> {
        if let Some(msg) = self.fail.take() {
            return Err(Error::Incomplete(msg));
        }
        let Some(spec) = self.next.take() else {
            return Ok(None);
        };
        let page: ListPage<T> = self.client.execute(spec).await?.page(self.key)?;
        self.seen += page.items.len() as u64;
        match self.walk.list(&page.info, page.items.len())? {
            NextPage::Done => {
                if let (Some(cap), Some(total)) = (self.cap, page.info.count) {
                    if total > self.seen && self.seen >= cap.limit {
                        // Hand out this page; the next poll reports the cap.
                        self.fail = Some(format!(
                            "{} stops at {} results but the query matches {total}: narrow the query or use the export stream",
                            cap.what, cap.limit
                        ));
                    }
                }
            }
            NextPage::Url(url) => {
                let mut spec = RequestSpec::new(Method::GET, url);
                spec.retry = self.first.retry.clone();
                self.next = Some(spec);
            }
            NextPage::After(cursor) => {
                let mut spec = self.first.clone();
                spec.query(&[("page[after]", cursor.as_str())])?;
                self.next = Some(spec);
            }
        }
        Ok(Some((page, self)))
    }
}

/// A lazy stream of the pages of a list, starting with `first`; the items are under `key`.
pub(crate) fn pages<T: DeserializeOwned + Send + 'static>(
    client: Client,
    key: &'static str,
    first: RequestSpec,
    cap: Option<Cap>,
) -> ResultStream<ListPage<T>> {
    let mut walk = Walk::new(client.base_url());
    if first.query.is_empty() {
        walk.start(&first.path);
    } else {
        walk.start(&format!("{}?{}", first.path, first.query));
    }
    let pager = Pager::<T> {
        client,
        key,
        next: Some(first.clone()),
        first,
        walk,
        seen: 0,
        cap,
        fail: None,
        marker: PhantomData,
    };
    stream::try_unfold(pager, Pager::step).boxed()
}

/// Flattens a page stream into an item stream.
pub(crate) fn items<T: Send + 'static>(pages: ResultStream<ListPage<T>>) -> ResultStream<T> {
    pages
        .map_ok(|p| stream::iter(p.items.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}

/// Fetches one page; the items are under `key`.
pub(crate) async fn one_page<T: DeserializeOwned>(
    client: &Client,
    key: &'static str,
    spec: RequestSpec,
) -> Result<ListPage<T>, Error> {
    client.execute(spec).await?.page(key)
}
