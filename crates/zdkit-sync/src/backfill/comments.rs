//! The comment routes of a backfill (`--with-comments`): the ticket-events stream's
//! first sync through three routes at once, each on its own budget, merged by event and
//! comment id into the same `ticket_events` and `comments` tables the export fills.
//!
//! - **Audits walk**: `GET /api/v2/ticket_audits`, 100 audits a page on the account limit,
//!   every audit of every ticket that is neither archived nor deleted.
//! - **Archived tickets**: the closed tickets last updated before
//!   [`CommentsMark::archived_before`] (found by search export), newest first, one
//!   `GET /api/v2/tickets/{id}/audits` each (their own 500/min bucket), while the
//!   ticket-events export walks the oldest part of the history forward from `since`
//!   (`start_time=0` on a first sync): a candidate last updated before the export's
//!   position is already covered, so the two meet in the middle and stop.
//! - **The ticket-events export** from `T0 − margin` (run by the backfill's export chain,
//!   then caught up): every change made during the backfill.
//!
//! The per-ticket part lives in [`crate::audits`] (shared with the completeness pass of
//! [`SyncOptions::archived_audits`](crate::SyncOptions::archived_audits)).
//!
//! Why the union is exact, and what it assumes of Zendesk: `docs/design/backfill.md`.
//! Checkpoints (one per route, in `sync_state`): `ticket_events/backfill` (the plan),
//! `ticket_events/audits` (the walk's cursor), `ticket_events/archived` (the candidates
//! done), `ticket_events/prefix` (the prefix export's `start_time`).

use std::sync::Mutex;

use futures_util::TryStreamExt;
use serde_json::Value;
use zdkit::models::SideloadName;
use zdkit::resources::SearchQuery;
use zdkit::Client;

use super::BackfillEvent;
use crate::audits::{client_err, lock, store_err, to_events, unix_of, Candidate, Meet, PerTicket};
use crate::engine::{CancelToken, Progress, ProgressEvent, SyncError};
use crate::store::columns::format_unix;
use crate::store::{ArchivedMark, AuditWalkMark, Checkpoint, CommentsMark, Merge, Store, Stream};

pub(super) const MARK_KEY: &str = "ticket_events/backfill";
const WALK_KEY: &str = "ticket_events/audits";
const ARCHIVED_KEY: &str = "ticket_events/archived";
const PREFIX_KEY: &str = "ticket_events/prefix";

/// The route names of [`BackfillEvent::CommentPage`].
pub const ROUTE_WALK: &str = "audits walk";
/// See [`ROUTE_WALK`].
pub const ROUTE_ARCHIVED: &str = "archived audits";
/// See [`ROUTE_WALK`].
pub const ROUTE_PREFIX: &str = "events export";
/// See [`ROUTE_WALK`]: every comment route is done.
pub const ROUTE_DONE: &str = "done";

/// Audits a `GET /api/v2/ticket_audits` page holds (Zendesk's maximum).
pub(super) const WALK_PAGE: u32 = 100;

pub(super) use super::comments_plan::plan;
pub use super::comments_plan::CommentsPlan;

/// The comment routes' totals so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommentTotals {
    /// Audits-walk pages committed.
    pub walk_pages: u64,
    /// Audits received by the walk.
    pub walk_audits: u64,
    /// Archived candidates found.
    pub archived_total: u64,
    /// Candidates fetched per ticket.
    pub archived_fetched: u64,
    /// Candidates left to the prefix export (all their events precede its position).
    pub archived_by_export: u64,
    /// Prefix-export pages committed.
    pub prefix_pages: u64,
    /// Comment rows inserted or replaced by these routes.
    pub comments_written: u64,
    /// The walk and the archived candidates are done.
    pub done: bool,
}

pub(super) async fn load_mark(store: &dyn Store) -> Result<Option<CommentsMark>, SyncError> {
    Ok(store
        .load_route_checkpoints(MARK_KEY)
        .await
        .map_err(SyncError::Preflight)?
        .into_iter()
        .find_map(|(k, cp)| match cp {
            Checkpoint::Comments(m) if k == MARK_KEY => Some(m),
            _ => None,
        }))
}

pub(super) fn archived_query(before: i64) -> SearchQuery {
    SearchQuery::tickets()
        .term("status:closed")
        .term(format!("updated<{}", format_unix(before)))
}

/// Stores a new plan's mark (before the first data request).
pub(super) async fn persist(store: &dyn Store, plan: &CommentsPlan) -> Result<(), SyncError> {
    if plan.resumed {
        return Ok(());
    }
    write_mark(store, &plan.mark).await
}

pub(super) async fn write_mark(store: &dyn Store, mark: &CommentsMark) -> Result<(), SyncError> {
    store
        .apply_route_page(
            Stream::TicketEvents,
            MARK_KEY,
            Vec::new(),
            Checkpoint::Comments(mark.clone()),
            Merge::Newest,
        )
        .await
        .map(|_| ())
        .map_err(store_err)
}

/// The comment routes of one run.
pub(super) struct Routes<'a> {
    pub client: &'a Client,
    pub store: &'a dyn Store,
    pub progress: &'a dyn Progress,
    pub cancel: &'a CancelToken,
    pub stop: &'a CancelToken,
    pub plan: &'a CommentsPlan,
    pub concurrency: usize,
    /// Start of the prefix export on a first run (the sync's `since`).
    pub since: i64,
    /// Ticket events a prefix-export page asks for (the sync's `per_page`).
    pub per_page: u32,
    pub totals: Mutex<CommentTotals>,
}

impl Routes<'_> {
    /// The archived route's per-ticket part (shared with the completeness pass).
    fn route(&self) -> PerTicket<'_> {
        PerTicket {
            client: self.client,
            store: self.store,
            key: ARCHIVED_KEY,
            cancel: self.cancel,
            stop: self.stop,
        }
    }

    fn stopped(&self) -> bool {
        self.route().stopped()
    }

    async fn wait_stopped(&self) {
        self.route().wait_stopped().await;
    }

    fn report(&self, route: &'static str, f: impl FnOnce(&mut CommentTotals)) {
        let snapshot = {
            let mut t = self
                .totals
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut t);
            t.clone()
        };
        self.progress
            .event(&ProgressEvent::Backfill(BackfillEvent::CommentPage {
                route,
                totals: &snapshot,
            }));
    }

    /// Both routes; an error stops the other (and the rest of the sync) after its page.
    pub(super) async fn run(&self) -> Result<(), SyncError> {
        let stored = self
            .store
            .load_route_checkpoints("ticket_events/")
            .await
            .map_err(store_err)?;
        let find = |key: &str| {
            stored
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, c)| c.clone())
        };
        let walk = match find(WALK_KEY) {
            Some(Checkpoint::AuditWalk(m)) => m,
            _ => AuditWalkMark {
                after: None,
                done: !self.plan.walk,
            },
        };
        let archived = match find(ARCHIVED_KEY) {
            Some(Checkpoint::Archived(m)) => m,
            _ => ArchivedMark {
                below: None,
                done: false,
            },
        };
        let prefix_at = match find(PREFIX_KEY) {
            Some(Checkpoint::Export(zdkit::export::Checkpoint::Time(t))) => t,
            _ => self.since,
        };
        let fail = |r: Result<(), SyncError>| {
            if r.is_err() {
                self.stop.cancel();
            }
            r
        };
        let (a, b) = tokio::join!(async { fail(self.walk(walk).await) }, async {
            fail(self.archived(archived, prefix_at).await)
        },);
        a.and(b)?;
        if !self.stopped() {
            self.report(ROUTE_DONE, |t| t.done = true);
        }
        Ok(())
    }

    /// Walks `GET /api/v2/ticket_audits` from its stored cursor to the end.
    async fn walk(&self, mut mark: AuditWalkMark) -> Result<(), SyncError> {
        if mark.done {
            return Ok(());
        }
        let mut req = self.client.ticket_audits().list().page_size(WALK_PAGE);
        if let Some(after) = &mark.after {
            req = req.filter("page[after]", after);
        }
        let mut pages = req.pages();
        loop {
            let next = tokio::select! {
                biased;
                () = self.wait_stopped() => return Ok(()),
                next = pages.try_next() => next.map_err(client_err)?,
            };
            let Some(page) = next else { break };
            let after = page.after_cursor().map(str::to_owned);
            let n = page.items.len() as u64;
            let records = to_events(page.items)?;
            mark.done = after.is_none();
            if after.is_some() {
                mark.after = after;
            }
            let stats = self
                .store
                .apply_route_page(
                    Stream::TicketEvents,
                    WALK_KEY,
                    records,
                    Checkpoint::AuditWalk(mark.clone()),
                    Merge::Newest,
                )
                .await
                .map_err(store_err)?;
            self.report(ROUTE_WALK, |t| {
                t.walk_pages += 1;
                t.walk_audits += n;
                t.comments_written += stats.comments_written;
            });
            if mark.done || self.stopped() {
                return Ok(());
            }
        }
        // The pages ended without a page saying so (an empty first page).
        mark.done = true;
        self.store
            .apply_route_page(
                Stream::TicketEvents,
                WALK_KEY,
                Vec::new(),
                Checkpoint::AuditWalk(mark),
                Merge::Newest,
            )
            .await
            .map(|_| ())
            .map_err(store_err)
    }

    /// The archived candidates still to store, newest first.
    async fn candidates(&self, below: Option<Candidate>) -> Result<Vec<Candidate>, SyncError> {
        let q = archived_query(self.plan.mark.archived_before);
        let mut pages = self.client.search().export(&q).page_size(1000).pages();
        let mut out = Vec::new();
        while let Some(page) = tokio::select! {
            biased;
            () = self.wait_stopped() => return Ok(Vec::new()),
            next = pages.try_next() => next.map_err(client_err)?,
        } {
            for item in page.items {
                let v = serde_json::to_value(item).unwrap_or(Value::Null);
                let id = v.get("id").and_then(Value::as_i64);
                let updated = v
                    .get("updated_at")
                    .and_then(Value::as_str)
                    .and_then(unix_of);
                if let (Some(id), Some(updated)) = (id, updated) {
                    out.push((updated, id));
                }
            }
        }
        out.sort_unstable_by(|a, b| b.cmp(a));
        out.dedup();
        if let Some(w) = below {
            out.retain(|c| *c < w);
        }
        Ok(out)
    }

    /// The per-ticket workers and the prefix export, until they meet.
    async fn archived(&self, mark: ArchivedMark, prefix_at: i64) -> Result<(), SyncError> {
        if mark.done {
            return Ok(());
        }
        let queue = self.candidates(mark.below).await?;
        if self.stopped() {
            return Ok(());
        }
        let total = queue.len() as u64;
        self.report(ROUTE_ARCHIVED, |t| t.archived_total = total);
        let meet = Mutex::new(Meet {
            queue,
            prefix_at,
            ..Meet::default()
        });
        let floor = mark.below;
        let workers = (0..if self.plan.per_ticket && self.plan.walk {
            self.concurrency.max(1)
        } else {
            0
        })
            .map(|_| self.per_ticket(&meet, floor));
        let (w, p) = tokio::join!(
            futures_util::future::join_all(workers),
            self.prefix(&meet, floor)
        );
        for r in w {
            r?;
        }
        p?;
        if self.stopped() {
            return Ok(());
        }
        let left = {
            let m = lock(&meet);
            m.queue.len().saturating_sub(m.next)
        };
        self.report(ROUTE_ARCHIVED, |t| t.archived_by_export = left as u64);
        self.route()
            .write_mark(ArchivedMark {
                below: None,
                done: true,
            })
            .await
    }

    /// One per-ticket worker: candidates from the top until the prefix covers the rest.
    async fn per_ticket(
        &self,
        meet: &Mutex<Meet>,
        floor: Option<Candidate>,
    ) -> Result<(), SyncError> {
        let committed = |stats: crate::store::PageStats| {
            self.report(ROUTE_ARCHIVED, |t| {
                t.archived_fetched += 1;
                t.comments_written += stats.comments_written;
            });
        };
        self.route().worker(meet, floor, &committed).await
    }

    /// The ticket-events export from the stored position forward, until every candidate
    /// not taken by a worker was last updated before its position.
    async fn prefix(&self, meet: &Mutex<Meet>, _floor: Option<Candidate>) -> Result<(), SyncError> {
        // Without the audits walk the export is the only route of the live tickets: it
        // runs to its end.
        let full = !self.plan.walk;
        let covered = |m: &mut Meet| {
            if full {
                return m.met;
            }
            if m.met || m.queue.get(m.next).is_none_or(|c| c.0 < m.prefix_at) {
                m.met = true;
            }
            m.met
        };
        let start = {
            let mut m = lock(meet);
            if covered(&mut m) {
                return Ok(());
            }
            m.prefix_at
        };
        let req = self
            .client
            .incremental()
            .ticket_events()
            .include(&[SideloadName::CommentEvents])
            .per_page(self.per_page)
            .start_time(start);
        let mut pages = req.stream_pages();
        loop {
            let next = tokio::select! {
                biased;
                () = self.wait_stopped() => return Ok(()),
                next = pages.try_next() => next.map_err(client_err)?,
            };
            let Some(page) = next else { return Ok(()) };
            let at = match &page.checkpoint {
                zdkit::export::Checkpoint::Time(t) => *t,
                zdkit::export::Checkpoint::Cursor(_) => {
                    return Err(client_err(zdkit::Error::Incomplete(
                        "the ticket-events export answered a cursor".into(),
                    )))
                }
            };
            let records = page
                .items
                .into_iter()
                .map(serde_json::to_value)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| {
                    client_err(zdkit::Error::InvalidRequest(format!(
                        "re-encoding a ticket event: {e}"
                    )))
                })?;
            let stats = self
                .store
                .apply_route_page(
                    Stream::TicketEvents,
                    PREFIX_KEY,
                    records,
                    Checkpoint::Export(zdkit::export::Checkpoint::Time(at)),
                    Merge::Newest,
                )
                .await
                .map_err(store_err)?;
            self.report(ROUTE_PREFIX, |t| {
                t.prefix_pages += 1;
                t.comments_written += stats.comments_written;
            });
            let done = {
                let mut m = lock(meet);
                // Everything before `at` is stored: one second less when the stream
                // has not ended, as the next page starts at `at` inclusive.
                m.prefix_at = m.prefix_at.max(at);
                covered(&mut m) || page.end_of_stream
            };
            if done || self.stopped() {
                if page.end_of_stream {
                    lock(meet).met = true;
                }
                return Ok(());
            }
        }
    }
}
