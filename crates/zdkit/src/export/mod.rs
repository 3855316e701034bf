//! Incremental exports with checkpoints: `client.incremental().tickets()` (cursor-based),
//! `.users()` (cursor-based), `.organizations()` and `.ticket_events()` (time-based).
//!
//! Every page carries a [`Checkpoint`] (serde-serializable: persist it) from which
//! [`ExportRequest::resume`] continues with the next page; the checkpoint of the
//! `end_of_stream` page is where the next scheduled export starts. The stream:
//!
//! * fetches lazily, one page in memory, and ends after the `end_of_stream` page;
//! * never re-requests the same page forever: a page that is not the end but whose
//!   cursor (or `end_time`) did not advance is an [`Error::Incomplete`];
//! * on time-based exports drops the records repeated at page boundaries (same id and
//!   same stamp as a record of the previous page at or after its `end_time`). A resumed
//!   time-based export can repeat the boundary records of the page before the checkpoint;
//!   upsert by id.
//!
//! Requests go through the `incremental-exports` bucket of the limiter (10/min, 30/min
//! with High Volume), selected by the `/incremental/` path.
//!
//! ```no_run
//! # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
//! use futures_util::TryStreamExt;
//! use zdkit::export::Checkpoint;
//! use zdkit::models::SideloadName;
//! let mut pages = client.incremental().tickets().start_time(1_700_000_000).per_page(1000)
//!     .include(&[SideloadName::Users]).stream_pages();
//! let mut last: Option<Checkpoint> = None;
//! while let Some(page) = pages.try_next().await? {
//!     // store page.items, then persist the checkpoint
//!     last = Some(page.checkpoint.clone());
//! }
//! // next run: client.incremental().tickets().resume(last.unwrap()).stream_pages()
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use futures_util::stream::{self, StreamExt};
use http::Method;
use serde::Serialize;

use crate::error::Error;
use crate::models::{
    IncrementalCursorPage, IncrementalTimePage, Organization, SideloadName, Ticket, TicketEvent,
    User,
};
use crate::pagination::{ExportStep, ResultStream, Walk};
use crate::request::RequestSpec;
use crate::Client;

mod rules;

pub(crate) use rules::dedup_boundary;
pub use rules::{export_stamp, Checkpoint, ExportPage, ExportRecord};

/// Cursor- or time-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportStyle {
    /// `?start_time=` then `?cursor=`.
    Cursor,
    /// `?start_time=` on every page.
    Time,
}

/// The query string of an export request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportParams {
    /// Unix seconds (first page of cursor exports, every page of time exports).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    /// Cursor (cursor exports after the first page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Records per page, 1–1,000 (Zendesk's default: 1,000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    /// Sideloads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
    /// Leave deleted tickets out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude_deleted: Option<bool>,
}

/// Export operations. Made by [`Client::incremental`].
#[derive(Debug, Clone)]
pub struct IncrementalHandler {
    client: Client,
}

impl Client {
    /// Incremental exports (admin only).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let page = client.incremental().users().start_time(0).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn incremental(&self) -> IncrementalHandler {
        IncrementalHandler {
            client: self.clone(),
        }
    }
}

impl IncrementalHandler {
    fn make<T>(&self, path: &'static str, style: ExportStyle) -> ExportRequest<T> {
        ExportRequest {
            client: self.client.clone(),
            path,
            style,
            params: ExportParams::default(),
            error: None,
            marker: PhantomData,
        }
    }

    /// `GET /api/v2/incremental/tickets/cursor` (cursor-based).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let s = client.incremental().tickets().start_time(0).exclude_deleted(true).stream_pages();
    /// # let _ = s; Ok(()) }
    /// ```
    pub fn tickets(&self) -> ExportRequest<Ticket> {
        self.make("/api/v2/incremental/tickets/cursor", ExportStyle::Cursor)
    }

    /// `GET /api/v2/incremental/users/cursor` (cursor-based).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let s = client.incremental().users().start_time(0).stream_pages();
    /// # let _ = s; Ok(()) }
    /// ```
    pub fn users(&self) -> ExportRequest<User> {
        self.make("/api/v2/incremental/users/cursor", ExportStyle::Cursor)
    }

    /// `GET /api/v2/incremental/organizations` (time-based).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let s = client.incremental().organizations().start_time(0).stream_pages();
    /// # let _ = s; Ok(()) }
    /// ```
    pub fn organizations(&self) -> ExportRequest<Organization> {
        self.make("/api/v2/incremental/organizations", ExportStyle::Time)
    }

    /// `GET /api/v2/incremental/ticket_events` (time-based); add
    /// `.include(&[SideloadName::CommentEvents])` for comment bodies.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::SideloadName;
    /// let s = client.incremental().ticket_events().start_time(0)
    ///     .include(&[SideloadName::CommentEvents]).stream_pages();
    /// # let _ = s; Ok(()) }
    /// ```
    pub fn ticket_events(&self) -> ExportRequest<TicketEvent> {
        self.make("/api/v2/incremental/ticket_events", ExportStyle::Time)
    }

    /// `GET /api/v2/incremental/ticket_metric_events` (time-based; also
    /// [`Collection::<TicketMetricEvent>::since`](crate::resources::Collection)).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let s = client.incremental().ticket_metric_events().start_time(0).stream();
    /// # let _ = s; Ok(()) }
    /// ```
    pub fn ticket_metric_events(&self) -> ExportRequest<crate::models::TicketMetricEvent> {
        self.make(
            "/api/v2/incremental/ticket_metric_events",
            ExportStyle::Time,
        )
    }
}

/// A pending export: set where it starts, then `.stream_pages()`.
#[must_use = "an export does nothing until .send() or .stream_pages() is used"]
pub struct ExportRequest<T> {
    client: Client,
    path: &'static str,
    style: ExportStyle,
    params: ExportParams,
    error: Option<Error>,
    marker: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for ExportRequest<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportRequest")
            .field("path", &self.path)
            .field("params", &self.params)
            .finish()
    }
}

impl<T: ExportRecord> ExportRequest<T> {
    /// The same request (endpoint, start, page size, sideloads), its pages' items decoded
    /// as `U` instead of `T`: a caller's own record type for this endpoint, e.g. the JSON
    /// objects as sent, when the typed model would only be converted back. `U` must read
    /// the same list key ([`Resource::PLURAL`](crate::models::Resource::PLURAL)); if it
    /// does not, the stream fails with [`Error::InvalidRequest`] before any request.
    pub fn decode_as<U: ExportRecord>(self) -> ExportRequest<U> {
        let error = self.error.or_else(|| {
            (T::PLURAL != U::PLURAL).then(|| {
                Error::InvalidRequest(format!(
                    "{} lists `{}`, not `{}`",
                    self.path,
                    T::PLURAL,
                    U::PLURAL
                ))
            })
        });
        ExportRequest {
            client: self.client,
            path: self.path,
            style: self.style,
            params: self.params,
            error,
            marker: PhantomData,
        }
    }
}

impl<T: ExportRecord + Send + 'static> ExportRequest<T> {
    /// Start at this Unix time (seconds; must be over a minute in the past).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let page = client.incremental().tickets().start_time(1_700_000_000).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn start_time(mut self, unix_secs: i64) -> Self {
        self.params.start_time = Some(unix_secs);
        self.params.cursor = None;
        self
    }

    /// Continue from a checkpoint of an earlier run (a [`Checkpoint::Time`] also starts
    /// a cursor-based export; a [`Checkpoint::Cursor`] on a time-based export is an
    /// error).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client, saved: String) -> zdkit::Result<()> {
    /// let cp: zdkit::export::Checkpoint = serde_json::from_str(&saved).unwrap();
    /// let pages = client.incremental().tickets().resume(cp).stream_pages();
    /// # let _ = pages; Ok(()) }
    /// ```
    pub fn resume(mut self, checkpoint: Checkpoint) -> Self {
        match (checkpoint, self.style) {
            (Checkpoint::Time(t), _) => return self.start_time(t),
            (Checkpoint::Cursor(c), ExportStyle::Cursor) => {
                self.params.cursor = Some(c);
                self.params.start_time = None;
            }
            (Checkpoint::Cursor(_), ExportStyle::Time) => {
                self.error = Some(Error::InvalidRequest(format!(
                    "{} is time-based: resume it from a Checkpoint::Time",
                    self.path
                )));
            }
        }
        self
    }

    /// Records per page, 1–1,000 (Zendesk's default is 1,000).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let s = client.incremental().users().start_time(0).per_page(1000).stream_pages();
    /// # let _ = s; Ok(()) }
    /// ```
    pub fn per_page(mut self, n: u32) -> Self {
        self.params.per_page = Some(n.clamp(1, 1000));
        self
    }

    /// Sideloads (`users`, `groups`, `organizations`, `comment_events`, …).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::SideloadName;
    /// let s = client.incremental().tickets().start_time(0)
    ///     .include(&[SideloadName::Users, SideloadName::Organizations]).stream_pages();
    /// # let _ = s; Ok(()) }
    /// ```
    pub fn include(mut self, names: &[SideloadName]) -> Self {
        self.params.include = (!names.is_empty()).then(|| SideloadName::join(names));
        self
    }

    /// Leave deleted tickets out (`exclude_deleted=true`).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let s = client.incremental().tickets().start_time(0).exclude_deleted(true).stream_pages();
    /// # let _ = s; Ok(()) }
    /// ```
    pub fn exclude_deleted(mut self, yes: bool) -> Self {
        self.params.exclude_deleted = yes.then_some(true);
        self
    }

    /// The query of the first request.
    ///
    /// ```no_run
    /// # fn demo(client: zdkit::Client) {
    /// let r = client.incremental().tickets().start_time(0).per_page(500);
    /// assert_eq!(r.params().per_page, Some(500));
    /// # }
    /// ```
    pub fn params(&self) -> &ExportParams {
        &self.params
    }

    /// The export style of this endpoint.
    ///
    /// ```no_run
    /// # fn demo(client: zdkit::Client) {
    /// use zdkit::export::ExportStyle;
    /// assert_eq!(client.incremental().organizations().style(), ExportStyle::Time);
    /// # }
    /// ```
    pub fn style(&self) -> ExportStyle {
        self.style
    }

    /// The first page only.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let first = client.incremental().tickets().start_time(0).send().await?;
    /// println!("{} tickets, resume from {:?}", first.items.len(), first.checkpoint);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ExportPage<T>, Error> {
        let mut s = self.stream_pages();
        match s.next().await {
            Some(r) => r,
            None => Err(Error::Incomplete("the export returned no page".into())),
        }
    }

    /// Every page up to `end_of_stream`, lazily, each with its checkpoint.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut pages = client.incremental().organizations().start_time(0).stream_pages();
    /// while let Some(p) = pages.try_next().await? {
    ///     println!("{} orgs, checkpoint {:?}, end: {}", p.items.len(), p.checkpoint, p.end_of_stream);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream_pages(self) -> ResultStream<ExportPage<T>> {
        let first = match (&self.error, &self.params.cursor, self.params.start_time) {
            (Some(_), _, _) => None,
            (None, Some(c), _) => Some(Checkpoint::Cursor(c.clone())),
            (None, None, Some(t)) => Some(Checkpoint::Time(t)),
            (None, None, None) => None,
        };
        let error = self.error.or_else(|| {
            first.is_none().then(|| {
                Error::InvalidRequest(
                    "an export needs .start_time(..) or .resume(checkpoint)".into(),
                )
            })
        });
        if let Some(e) = error {
            return Box::pin(stream::once(async move { Err(e) }));
        }
        let mut walk = Walk::new(self.client.base_url());
        if let Some(at) = &first {
            walk.start_at(at.clone());
        }
        let state = State {
            walk,
            client: self.client,
            path: self.path,
            style: self.style,
            params: self.params,
            next: first,
            seen: HashSet::new(),
            marker: PhantomData,
        };
        stream::try_unfold(state, State::step).boxed()
    }

    /// Every record up to `end_of_stream` (without checkpoints: prefer
    /// [`stream_pages`](Self::stream_pages) when you need to resume).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let users: Vec<_> = client.incremental().users().start_time(0).stream().try_collect().await?;
    /// # let _ = users; Ok(()) }
    /// ```
    pub fn stream(self) -> ResultStream<T> {
        self.stream_pages()
            .map(|r| match r {
                Ok(p) => stream::iter(p.items.into_iter().map(Ok)).left_stream(),
                Err(e) => stream::once(async move { Err(e) }).right_stream(),
            })
            .flatten()
            .boxed()
    }
}

struct State<T> {
    walk: Walk,
    client: Client,
    path: &'static str,
    style: ExportStyle,
    params: ExportParams,
    next: Option<Checkpoint>,
    seen: HashSet<(u64, Option<i64>)>,
    marker: PhantomData<fn() -> T>,
}

impl<T: ExportRecord + Send + 'static> State<T> {
    fn spec(&self, pos: &Checkpoint) -> Result<RequestSpec, Error> {
        let mut params = self.params.clone();
        match pos {
            Checkpoint::Time(t) => {
                params.start_time = Some(*t);
                params.cursor = None;
            }
            Checkpoint::Cursor(c) => {
                params.start_time = None;
                params.cursor = Some(c.clone());
            }
        }
        let mut spec = RequestSpec::new(Method::GET, self.path);
        spec.query(&params)?;
        Ok(spec)
    }

    async fn step(mut self) -> Result<Option<(ExportPage<T>, Self)>, Error> {
        let Some(pos) = self.next.take() else {
            return Ok(None);
        };
        let resp = self.client.execute(self.spec(&pos)?).await?;
        let (mut items, sideloads, adv, end_time) = match self.style {
            ExportStyle::Cursor => {
                let p: IncrementalCursorPage<T> = resp.json()?;
                let adv = self.walk.cursor_export(
                    p.after_cursor(),
                    p.is_end_of_stream(),
                    p.items.len(),
                )?;
                (p.items, p.sideloads, adv, None)
            }
            ExportStyle::Time => {
                let p: IncrementalTimePage<T> = resp.json()?;
                let end_time = p.end_time();
                let adv = self
                    .walk
                    .time_export(end_time, p.is_end_of_stream(), p.items.len())?;
                (p.items, p.sideloads, adv, end_time)
            }
        };
        drop(resp);
        let mut dropped = 0;
        if self.style == ExportStyle::Time {
            let (n, next_seen) = dedup_boundary(&mut items, &self.seen, end_time);
            dropped = n;
            self.seen = next_seen;
        }
        let (checkpoint, end) = match adv {
            ExportStep::Next(c) => {
                self.next = Some(c.clone());
                (c, false)
            }
            ExportStep::End(c) => (c, true),
        };
        let page = ExportPage {
            items,
            sideloads,
            checkpoint,
            end_of_stream: end,
            duplicates_dropped: dropped,
        };
        Ok(Some((page, self)))
    }
}
