//! Per-ticket audits of archived tickets: `GET /api/v2/tickets/{id}/audits` ("List Audits
//! for a Ticket", <https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/#list-audits-for-a-ticket>),
//! one request per ticket on the endpoint's own 500/min limit and the account's.
//!
//! Zendesk leaves archived tickets out of the account-wide `GET /api/v2/ticket_audits`
//! ("Archived tickets are not included", <https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/#list-all-ticket-audits>)
//! and of `GET /api/v2/tickets`, but a ticket's own audits list still answers for them.
//! Two users share this module:
//!
//! - the comments backfill's archived route ([`crate::backfill::comments`]), whose
//!   candidates come from search export and which meets the ticket-events export's
//!   prefix;
//! - the completeness pass ([`pass`], [`SyncOptions::archived_audits`]): after an
//!   ordinary sync, the archived tickets *in the store* whose history is missing
//!   ([`Store::archived_without_history`]) get their audits fetched, until none is left.
//!
//! Audits are written as the ticket-events export's items ([`audit_to_event`]) into the
//! same `ticket_events` and `comments` tables, merged by event and comment id (newest
//! wins), so a ticket fetched twice, or also exported, is stored once. Each ticket's
//! audits and the route's watermark ([`ArchivedMark`]) are committed in one transaction:
//! a `kill -9` resumes below the watermark.

use std::collections::BTreeSet;
use std::sync::Mutex;

use futures_util::TryStreamExt;
use serde_json::Value;
use zdkit::models::TicketId;
use zdkit::Client;

use crate::backfill::comments::{ROUTE_ARCHIVED, ROUTE_DONE};
use crate::backfill::{BackfillEvent, CommentTotals};
use crate::engine::{CancelToken, Progress, ProgressEvent, SyncError, SyncOptions};
use crate::store::{ArchivedMark, Checkpoint, Merge, PageStats, Store, Stream};

/// The completeness pass's checkpoint key in `sync_state`.
pub(crate) const PASS_KEY: &str = "ticket_events/archived_pass";

/// How the completeness pass runs ([`SyncOptions::archived_audits`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedAuditsOptions {
    /// Closed tickets last updated more than this many days ago count as archived
    /// (Zendesk archives tickets closed for 120 days). Default 119, as the backfill's
    /// [`archive_days`](crate::backfill::BackfillOptions::archive_days).
    pub archive_days: u32,
    /// Per-ticket audit requests at once. Default 8.
    pub concurrency: usize,
}

impl Default for ArchivedAuditsOptions {
    fn default() -> Self {
        ArchivedAuditsOptions {
            archive_days: 119,
            concurrency: 8,
        }
    }
}

pub(crate) fn client_err(source: zdkit::Error) -> SyncError {
    SyncError::Client {
        stream: Stream::TicketEvents,
        source,
    }
}

pub(crate) fn store_err(source: crate::store::StoreError) -> SyncError {
    SyncError::Store {
        stream: Stream::TicketEvents,
        source,
    }
}

/// An audit as the item the ticket-events export sends for the same update: `events`
/// become `child_events` (each keeps its `type`, which names it as `event_type` does),
/// `timestamp` is `created_at` in Unix seconds, `updater_id` the `author_id`, and
/// `event_type` is `Audit`. Every other field stays as sent. A comment's `created_at`,
/// `audit_id` and `ticket_id` come from the enclosing item, as for the export's.
pub(crate) fn audit_to_event(audit: Value) -> Option<Value> {
    let Value::Object(mut o) = audit else {
        return None;
    };
    let created = o
        .get("created_at")
        .and_then(Value::as_str)
        .and_then(unix_of)?;
    let events = o.remove("events").unwrap_or(Value::Array(Vec::new()));
    o.insert("child_events".into(), events);
    o.insert("timestamp".into(), created.into());
    if let Some(author) = o.get("author_id").cloned() {
        o.entry("updater_id").or_insert(author);
    }
    o.entry("event_type").or_insert_with(|| "Audit".into());
    Some(Value::Object(o))
}

/// Audits as ticket events ([`audit_to_event`]).
pub(crate) fn to_events(audits: Vec<zdkit::models::Audit>) -> Result<Vec<Value>, SyncError> {
    let mut out = Vec::with_capacity(audits.len());
    for a in audits {
        let v = serde_json::to_value(a).map_err(|e| {
            client_err(zdkit::Error::InvalidRequest(format!(
                "re-encoding an audit: {e}"
            )))
        })?;
        match audit_to_event(v) {
            Some(e) => out.push(e),
            None => {
                return Err(client_err(zdkit::Error::Incomplete(
                    "an audit without a valid created_at".into(),
                )))
            }
        }
    }
    Ok(out)
}

/// An RFC 3339 time as Unix seconds.
pub(crate) fn unix_of(text: &str) -> Option<i64> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

/// One candidate ticket: `(updated_at, id)`.
pub(crate) type Candidate = (i64, i64);

/// The candidates the per-ticket workers share (and, in a backfill, the prefix export).
#[derive(Debug, Default)]
pub(crate) struct Meet {
    /// Candidates, newest first.
    pub queue: Vec<Candidate>,
    /// The next candidate to take.
    pub next: usize,
    /// Taken, not yet committed.
    pub inflight: BTreeSet<usize>,
    /// The prefix export's position: every event before it is stored (`i64::MIN`: no
    /// prefix export runs, every candidate is fetched).
    pub prefix_at: i64,
    /// The prefix reached the newest candidate not taken: every other one is covered.
    pub met: bool,
}

impl Meet {
    /// The next candidate for a per-ticket worker, unless the prefix covers it.
    fn take(&mut self) -> Option<(usize, Candidate)> {
        if self.met {
            return None;
        }
        let c = *self.queue.get(self.next)?;
        if c.0 < self.prefix_at {
            self.met = true;
            return None;
        }
        let i = self.next;
        self.next += 1;
        self.inflight.insert(i);
        Some((i, c))
    }

    /// The watermark: every candidate at or above it is committed (`None`: none is).
    fn below(&self, floor: Option<Candidate>) -> Option<Candidate> {
        let first_open = self.inflight.first().copied().unwrap_or(self.next);
        first_open.checked_sub(1).map(|i| self.queue[i]).or(floor)
    }
}

pub(crate) fn lock(meet: &Mutex<Meet>) -> std::sync::MutexGuard<'_, Meet> {
    meet.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The per-ticket route: its checkpoint key and what stops it.
pub(crate) struct PerTicket<'a> {
    pub client: &'a Client,
    pub store: &'a dyn Store,
    /// Where its [`ArchivedMark`] is stored.
    pub key: &'static str,
    pub cancel: &'a CancelToken,
    pub stop: &'a CancelToken,
}

impl PerTicket<'_> {
    pub(crate) fn stopped(&self) -> bool {
        self.cancel.is_cancelled() || self.stop.is_cancelled()
    }

    pub(crate) async fn wait_stopped(&self) {
        tokio::select! {
            () = self.cancel.cancelled() => {}
            () = self.stop.cancelled() => {}
        }
    }

    /// The stored mark under [`PerTicket::key`], if any.
    pub(crate) async fn load(&self) -> Result<Option<ArchivedMark>, SyncError> {
        Ok(self
            .store
            .load_route_checkpoints(self.key)
            .await
            .map_err(store_err)?
            .into_iter()
            .find_map(|(k, cp)| match cp {
                Checkpoint::Archived(m) if k == self.key => Some(m),
                _ => None,
            }))
    }

    /// Stores `mark` (no records).
    pub(crate) async fn write_mark(&self, mark: ArchivedMark) -> Result<(), SyncError> {
        self.store
            .apply_route_page(
                Stream::TicketEvents,
                self.key,
                Vec::new(),
                Checkpoint::Archived(mark),
                Merge::Newest,
            )
            .await
            .map(|_| ())
            .map_err(store_err)
    }

    /// One worker: candidates from the top until none is left (or the prefix covers
    /// the rest), each ticket's audits committed with the watermark; `committed` is
    /// called after each.
    pub(crate) async fn worker(
        &self,
        meet: &Mutex<Meet>,
        floor: Option<Candidate>,
        committed: &(dyn Fn(PageStats) + Send + Sync),
    ) -> Result<(), SyncError> {
        while !self.stopped() {
            let Some((i, (_, id))) = lock(meet).take() else {
                return Ok(());
            };
            let Ok(tid) = u64::try_from(id) else { continue };
            let fetch = async {
                let mut pages = self.client.tickets().audits(TicketId(tid)).pages();
                let mut all = Vec::new();
                while let Some(page) = pages.try_next().await? {
                    all.extend(page.items);
                }
                Ok::<_, zdkit::Error>(all)
            };
            let audits = tokio::select! {
                biased;
                () = self.wait_stopped() => return Ok(()),
                r = fetch => match r {
                    Ok(a) => a,
                    // Deleted since it was found: it has no audits to store.
                    Err(e) if e.api().is_some_and(|a| a.status == 404) => Vec::new(),
                    Err(e) => return Err(client_err(e)),
                },
            };
            let records = to_events(audits)?;
            // The watermark as it stands with this candidate still open: committing it
            // never claims a candidate whose own page is not committed.
            let below = lock(meet).below(floor);
            let stats = self
                .store
                .apply_route_page(
                    Stream::TicketEvents,
                    self.key,
                    records,
                    Checkpoint::Archived(ArchivedMark { below, done: false }),
                    Merge::Newest,
                )
                .await
                .map_err(store_err)?;
            lock(meet).inflight.remove(&i);
            committed(stats);
        }
        Ok(())
    }
}

/// The completeness pass: the audits of every archived ticket in the store whose history
/// is missing ([`Store::archived_without_history`]: the comments with
/// [`SyncOptions::with_comments`], else the ticket events), fetched per ticket newest
/// first by `concurrency` workers, each committed with the pass's watermark under
/// `ticket_events/archived_pass`. A killed pass resumes below its watermark; a finished
/// one (`done`) starts again from the top on the next run, where only tickets still
/// without a history are candidates (a ticket deleted since costs its 404 again).
pub(crate) async fn pass(
    client: &Client,
    store: &dyn Store,
    options: &SyncOptions,
    aa: &ArchivedAuditsOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<CommentTotals, SyncError> {
    let stop = CancelToken::new();
    let route = PerTicket {
        client,
        store,
        key: PASS_KEY,
        cancel,
        stop: &stop,
    };
    let floor = route
        .load()
        .await?
        .filter(|m| !m.done)
        .and_then(|m| m.below);
    let now = i64::try_from(client.clock().now().unix_secs()).unwrap_or(i64::MAX);
    let before = now.saturating_sub(i64::from(aa.archive_days) * 86_400);
    let mut queue = store
        .archived_without_history(before, options.with_comments)
        .await
        .map_err(store_err)?;
    queue.sort_unstable_by(|a, b| b.cmp(a));
    queue.dedup();
    if let Some(w) = floor {
        queue.retain(|c| *c < w);
    }
    let totals = Mutex::new(CommentTotals {
        archived_total: queue.len() as u64,
        ..CommentTotals::default()
    });
    let report = |route: &'static str, f: &dyn Fn(&mut CommentTotals)| {
        let snapshot = {
            let mut t = totals
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut t);
            t.clone()
        };
        progress.event(&ProgressEvent::Backfill(BackfillEvent::CommentPage {
            route,
            totals: &snapshot,
        }));
    };
    report(ROUTE_ARCHIVED, &|_| {});
    let meet = Mutex::new(Meet {
        queue,
        prefix_at: i64::MIN,
        ..Meet::default()
    });
    let committed = |stats: PageStats| {
        report(ROUTE_ARCHIVED, &|t| {
            t.archived_fetched += 1;
            t.comments_written += stats.comments_written;
        });
    };
    let workers = (0..aa.concurrency.max(1)).map(|_| async {
        let r = route.worker(&meet, floor, &committed).await;
        if r.is_err() {
            // One failure stops the others after their ticket.
            stop.cancel();
        }
        r
    });
    for r in futures_util::future::join_all(workers).await {
        r?;
    }
    if !route.stopped() {
        route
            .write_mark(ArchivedMark {
                below: None,
                done: true,
            })
            .await?;
        report(ROUTE_DONE, &|t| t.done = true);
    }
    Ok(totals
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner))
}
