//! Lazy pagination: every list ends in `.send()` (one page), `.pages()` (a stream of
//! pages, with their sideloads) or `.stream()` (a stream of items). Streams fetch the next
//! page only when the previous one has been consumed, so one page is in memory at a time.
//!
//! Stop rules ([`next_step`]), unit-tested below:
//!
//! * cursor pagination (`meta` present): continue while `meta.has_more` is `true`, to
//!   `links.next` (or `page[after]=<after_cursor>` on the first request when `links.next`
//!   is missing). An empty page is a normal page: an empty last page after
//!   `has_more: true` simply ends the stream;
//! * offset pagination (no `meta`, search only): continue while `next_page` is non-null;
//! * a next URL equal to the one just requested, or the same `after_cursor` twice, is an
//!   [`Error::Incomplete`] instead of an endless loop.

use std::marker::PhantomData;

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use http::Method;

use crate::error::Error;
use crate::models::{ListPage, Resource};
use crate::request::RequestSpec;
use crate::Client;

/// A boxed stream of `Result<T, zdkit::Error>` (what `.stream()`, `.pages()` and the
/// export streams return).
pub type ResultStream<T> = BoxStream<'static, Result<T, Error>>;

/// Where the next page is, decided from the page just received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextPage {
    /// Request this URL next (`links.next` or `next_page`).
    Url(String),
    /// Re-send the first request with `page[after]=<cursor>` (no `links.next` given).
    After(String),
    /// The list is complete.
    Done,
}

/// The stop rule of list pagination (see the module docs). `requested` is the URL (or
/// path) of the page just received, `prev_cursor` the `after_cursor` of the page before.
///
/// ```
/// use zdkit::models::{decode, ListPage, Ticket};
/// use zdkit::pagination::{next_step, NextPage};
/// let last: ListPage<Ticket> = decode(br#"{"tickets":[],"meta":{"has_more":false}}"#).unwrap();
/// assert_eq!(next_step(&last, "/api/v2/tickets", None).unwrap(), NextPage::Done);
/// ```
pub fn next_step<T>(
    page: &ListPage<T>,
    requested: &str,
    prev_cursor: Option<&str>,
) -> Result<NextPage, Error> {
    let stalled = |what: &str| {
        Err(Error::Incomplete(format!(
            "pagination stopped advancing: the server returned the same {what} twice ({requested})"
        )))
    };
    match &page.info.meta {
        Some(meta) => {
            if meta.has_more != Some(true) {
                return Ok(NextPage::Done);
            }
            let cursor = meta.after_cursor.as_deref();
            if cursor.is_some() && cursor == prev_cursor {
                return stalled("after_cursor");
            }
            match (page.info.links.as_ref().and_then(|l| l.next.as_deref()), cursor) {
                (Some(next), _) if next == requested => stalled("next link"),
                (Some(next), _) => Ok(NextPage::Url(next.to_owned())),
                (None, Some(c)) => Ok(NextPage::After(c.to_owned())),
                (None, None) => Err(Error::Incomplete(format!(
                    "the page of {requested} says has_more but gives neither links.next nor an after_cursor"
                ))),
            }
        }
        None => match page.info.next_page.as_deref() {
            Some(next) if next == requested => stalled("next_page"),
            Some(next) => Ok(NextPage::Url(next.to_owned())),
            None => Ok(NextPage::Done),
        },
    }
}

/// A cap on the number of results a list can page through (plain search: 1,000).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cap {
    pub(crate) limit: u64,
    pub(crate) what: &'static str,
}

struct Pager<T> {
    client: Client,
    first: RequestSpec,
    next: Option<RequestSpec>,
    requested: String,
    prev_cursor: Option<String>,
    seen: u64,
    cap: Option<Cap>,
    /// Reported on the next poll (after the page that reached a cap was handed out).
    fail: Option<String>,
    marker: PhantomData<fn() -> T>,
}

impl<T: Resource + Send + 'static> Pager<T> {
    async fn step(mut self) -> Result<Option<(ListPage<T>, Self)>, Error> {
        if let Some(msg) = self.fail.take() {
            return Err(Error::Incomplete(msg));
        }
        let Some(spec) = self.next.take() else {
            return Ok(None);
        };
        let page: ListPage<T> = self.client.execute(spec).await?.json()?;
        self.seen += page.items.len() as u64;
        match next_step(&page, &self.requested, self.prev_cursor.as_deref())? {
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
                self.requested = url.clone();
                self.next = Some(RequestSpec::new(Method::GET, url));
            }
            NextPage::After(cursor) => {
                let mut spec = self.first.clone();
                spec.query(&[("page[after]", cursor.as_str())])?;
                self.requested = format!("{}?{}", spec.path, spec.query);
                self.next = Some(spec);
            }
        }
        self.prev_cursor = page.info.meta.as_ref().and_then(|m| m.after_cursor.clone());
        Ok(Some((page, self)))
    }
}

/// A lazy stream of the pages of a list, starting with `first`.
pub(crate) fn pages<T: Resource + Send + 'static>(
    client: Client,
    first: RequestSpec,
    cap: Option<Cap>,
) -> ResultStream<ListPage<T>> {
    let requested = if first.query.is_empty() {
        first.path.clone()
    } else {
        format!("{}?{}", first.path, first.query)
    };
    let pager = Pager::<T> {
        client,
        next: Some(first.clone()),
        first,
        requested,
        prev_cursor: None,
        seen: 0,
        cap,
        fail: None,
        marker: PhantomData,
    };
    stream::try_unfold(pager, Pager::step).boxed()
}

/// Flattens a page stream into an item stream.
pub(crate) fn items<T: Resource + Send + 'static>(
    pages: ResultStream<ListPage<T>>,
) -> ResultStream<T> {
    pages
        .map_ok(|p| stream::iter(p.items.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}

/// Fetches one page.
pub(crate) async fn one_page<T: Resource>(
    client: &Client,
    spec: RequestSpec,
) -> Result<ListPage<T>, Error> {
    client.execute(spec).await?.json()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{decode, Ticket};

    fn page(body: &str) -> ListPage<Ticket> {
        decode(body.as_bytes()).unwrap()
    }

    #[test]
    fn cursor_follows_links_next_while_has_more() {
        let p = page(
            r#"{"tickets":[{"id":1}],"meta":{"has_more":true,"after_cursor":"a1"},
                "links":{"next":"http://h/api/v2/tickets?page%5Bafter%5D=a1","prev":null}}"#,
        );
        assert_eq!(
            next_step(&p, "/api/v2/tickets?page%5Bsize%5D=1", None).unwrap(),
            NextPage::Url("http://h/api/v2/tickets?page%5Bafter%5D=a1".into())
        );
    }

    #[test]
    fn cursor_stops_on_has_more_false_even_with_a_next_link() {
        let p = page(
            r#"{"tickets":[{"id":1}],"meta":{"has_more":false,"after_cursor":"a1"},
                "links":{"next":"http://h/next"}}"#,
        );
        assert_eq!(next_step(&p, "/x", None).unwrap(), NextPage::Done);
    }

    #[test]
    fn empty_last_page_after_has_more_is_a_normal_end() {
        let p = page(
            r#"{"tickets":[],"meta":{"has_more":false,"after_cursor":null},"links":{"next":null}}"#,
        );
        assert_eq!(next_step(&p, "/x", Some("a1")).unwrap(), NextPage::Done);
    }

    #[test]
    fn missing_next_link_falls_back_to_the_cursor() {
        let p = page(r#"{"tickets":[],"meta":{"has_more":true,"after_cursor":"a2"}}"#);
        assert_eq!(
            next_step(&p, "/x", Some("a1")).unwrap(),
            NextPage::After("a2".into())
        );
        let p = page(r#"{"tickets":[],"meta":{"has_more":true}}"#);
        assert!(matches!(
            next_step(&p, "/x", None),
            Err(Error::Incomplete(_))
        ));
    }

    #[test]
    fn a_repeated_cursor_or_link_is_an_error_not_a_loop() {
        let p = page(
            r#"{"tickets":[{"id":1}],"meta":{"has_more":true,"after_cursor":"a1"},
                "links":{"next":"http://h/p2"}}"#,
        );
        assert!(matches!(
            next_step(&p, "/x", Some("a1")),
            Err(Error::Incomplete(_))
        ));
        assert!(matches!(
            next_step(&p, "http://h/p2", None),
            Err(Error::Incomplete(_))
        ));
    }

    #[test]
    fn offset_follows_next_page_until_null() {
        let p = page(r#"{"tickets":[{"id":1}],"next_page":"http://h/p2","count":2}"#);
        assert_eq!(
            next_step(&p, "/x", None).unwrap(),
            NextPage::Url("http://h/p2".into())
        );
        let p = page(r#"{"tickets":[{"id":2}],"next_page":null,"count":2}"#);
        assert_eq!(next_step(&p, "http://h/p2", None).unwrap(), NextPage::Done);
        assert!(next_step(
            &page(r#"{"tickets":[],"next_page":"http://h/p2"}"#),
            "http://h/p2",
            None
        )
        .is_err());
    }
}
