//! The backfill planner: a first sync of tickets, users and organizations through search
//! export (its own 100/min bucket, `created_at` slices walked concurrently) and the
//! incremental export (from the backfill's start minus a margin) at the same time, merged
//! newest-version-wins. The argument for exactness and its assumptions are in
//! `docs/design/backfill.md`.
//!
//! The engine uses it when [`SyncOptions::backfill`](crate::SyncOptions::backfill) is set
//! and a stream has never been synced (or its backfill is unfinished); [`plan`] computes
//! the plan without running it (`zd sync --plan-only`).
//!
//! Every route commits its pages with its own checkpoint in `sync_state`: the stream's
//! incremental checkpoint under its name, each slice's watermark under
//! `STREAM/search/NNNN`, the plan under `STREAM/backfill`. A killed run resumes all of
//! them.
//!
//! ```no_run
//! # async fn demo(client: zdkit::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use zdkit_sync::backfill::BackfillOptions;
//! use zdkit_sync::engine::{sync, CancelToken, NoProgress, SyncOptions};
//! let store = zdkit_sync::open("sqlite:zendesk.db").await?;
//! let options = SyncOptions { backfill: Some(BackfillOptions::default()), ..SyncOptions::default() };
//! if let Some(plan) = zdkit_sync::backfill::plan(&client, &*store, &options).await? {
//!     println!("{plan}");
//! }
//! let report = sync(&client, &*store, &options, &NoProgress, &CancelToken::new()).await?;
//! # let _ = report; Ok(()) }
//! ```

pub mod comments;
mod comments_plan;
mod plan;
mod search;

pub use comments::{CommentTotals, CommentsPlan};
pub use plan::{Plan, StreamPlan};

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use zdkit::Client;

use crate::engine::{
    streams::{is_list, Ctx},
    CancelToken, Progress, ProgressEvent, StreamReport, SyncError, SyncOptions, SyncReport,
};
use crate::store::{BackfillMark, Checkpoint, Merge, SliceMark, Store, Stream};

/// The streams a backfill serves (groups and ticket fields come from their full lists).
pub const BACKFILL_STREAMS: [Stream; 3] = [Stream::Tickets, Stream::Users, Stream::Organizations];

/// The largest search-export page (Zendesk's maximum).
pub(crate) const MAX_PAGE: u32 = 1000;
/// The smallest page a walker shrinks to.
pub(crate) const MIN_PAGE: u32 = 100;

/// How a backfill runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackfillOptions {
    /// Seconds before the backfill's start at which the incremental export starts. Must
    /// exceed the search index's lag (minutes) plus any clock skew. Default 3,600.
    pub margin_secs: i64,
    /// A slice holds at most this many records (by the plan's count). Default 50,000.
    pub max_slice_records: u64,
    /// Search-export walkers running at once. Default 8: the route's rate (98 pages a
    /// minute on Enterprise) needs `rate × page latency` pages in flight, and pages of
    /// archived tickets can take seconds (a 6 s page needs 10 for the full rate; 8 give
    /// 80 a minute); each walker holds at most one page (≤ 1,000 records) at a time.
    pub concurrency: usize,
    /// A page slower than this halves the walker's page size, like a failed page does.
    /// Default `None`: only failures count, because a page's time as the engine sees it
    /// includes the wait for rate-limit budget, which says nothing about the server.
    pub slow_page: Option<Duration>,
    /// Run the search-export route. `false` makes a first sync the single export chain.
    pub search_export: bool,
    /// Run the incremental route during the backfill. `false` leaves it to the next run
    /// (from `T0 − margin`): the mirror is then exact only after that run.
    pub incremental: bool,
    /// Backfill the ticket-events stream's comments (when synced with comments) through
    /// the comment routes ([`comments`]). `false`: the single ticket-events export.
    pub comments: bool,
    /// Run the account-wide audits walk (`GET /api/v2/ticket_audits`). `false` leaves
    /// every ticket to the ticket-events export and the per-ticket audits.
    pub comment_audits: bool,
    /// Fetch archived tickets' audits per ticket. `false` leaves them to the
    /// ticket-events export's prefix.
    pub archived_audits: bool,
    /// Closed tickets last updated more than this many days before the start count as
    /// archived (Zendesk archives tickets closed for 120 days). Default 119: a ticket
    /// archived within a day of the start is fetched per ticket too.
    pub archive_days: u32,
    /// Per-ticket audit requests at once. Default 8.
    pub audit_concurrency: usize,
}

impl Default for BackfillOptions {
    fn default() -> Self {
        BackfillOptions {
            margin_secs: 3_600,
            max_slice_records: 50_000,
            concurrency: 8,
            slow_page: None,
            search_export: true,
            incremental: true,
            comments: true,
            comment_audits: true,
            archived_audits: true,
            archive_days: 119,
            audit_concurrency: 8,
        }
    }
}

/// The search-export route's totals so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteTotals {
    /// Pages committed.
    pub pages: u64,
    /// Records received.
    pub records: u64,
    /// Rows inserted or replaced.
    pub written: u64,
    /// Pages that failed (5xx, timeouts) and were refetched smaller.
    pub failed_pages: u64,
    /// Walks restarted from their watermark because a cursor expired.
    pub restarts: u64,
    /// The page size of the walker that reported last.
    pub page_size: u32,
    /// Slices finished.
    pub slices_done: u64,
    /// Slices in the plan (done ones included).
    pub slices_total: u64,
}

/// A backfill's part of the progress ([`ProgressEvent::Backfill`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum BackfillEvent<'a> {
    /// The plan, before the first data request.
    Planned {
        /// The plan.
        plan: &'a Plan,
    },
    /// A search-export page (or slice end) was committed.
    SearchPage {
        /// The route's totals.
        totals: &'a RouteTotals,
    },
    /// A page of a comment route was committed.
    CommentPage {
        /// Which route: [`comments::ROUTE_WALK`], [`comments::ROUTE_ARCHIVED`],
        /// [`comments::ROUTE_PREFIX`] or [`comments::ROUTE_DONE`].
        route: &'static str,
        /// The comment routes' totals.
        totals: &'a CommentTotals,
    },
    /// The incremental export is catching up after the slices.
    CatchUp,
}

/// What a backfill did ([`SyncReport::backfill`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BackfillReport {
    /// The plan it ran.
    pub plan: Plan,
    /// The search-export route.
    pub search: RouteTotals,
    /// The comment routes, when they ran.
    pub comments: Option<CommentTotals>,
    /// Every stream's backfill is done (slices and catch-up).
    pub done: bool,
}

fn mark_key(stream: Stream) -> String {
    format!("{}/backfill", stream.as_str())
}

fn now_secs(client: &Client) -> i64 {
    i64::try_from(client.clock().now().unix_secs()).unwrap_or(i64::MAX)
}

/// Which streams to backfill and how: a stored unfinished backfill is resumed as stored;
/// a stream never synced gets a new plan (counting requests); others tail as before.
async fn prepare(
    client: &Client,
    store: &dyn Store,
    wanted: &[Stream],
    resume: &BTreeMap<Stream, Option<Checkpoint>>,
    bf: &BackfillOptions,
    options: &SyncOptions,
) -> Result<Option<Plan>, SyncError> {
    let t0 = now_secs(client);
    let wants_comments =
        bf.comments && options.with_comments && wanted.contains(&Stream::TicketEvents);
    let comments = if wants_comments {
        let synced = resume
            .get(&Stream::TicketEvents)
            .is_some_and(Option::is_some);
        comments::plan(client, store, bf, synced, t0, options.per_page).await?
    } else {
        None
    };
    let mut streams = Vec::new();
    let backfilled = if bf.search_export {
        plan::backfillable(wanted)
    } else {
        Vec::new()
    };
    for stream in backfilled {
        let pre = SyncError::Preflight;
        let mark = store
            .load_route_checkpoints(&mark_key(stream))
            .await
            .map_err(pre)?
            .into_iter()
            .find_map(|(k, cp)| match cp {
                Checkpoint::Backfill(m) if k == mark_key(stream) => Some(m),
                _ => None,
            });
        match mark {
            Some(m) if m.done => {}
            Some(m) => {
                let prefix = format!("{}/search/", stream.as_str());
                let stored = store.load_route_checkpoints(&prefix).await.map_err(pre)?;
                let slices = (0..m.slices as usize)
                    .map(|i| {
                        let key = search::slice_key(stream, i);
                        stored
                            .iter()
                            .find(|(k, _)| *k == key)
                            .and_then(|(_, cp)| match cp {
                                Checkpoint::SearchSlice(s) => Some(s.clone()),
                                _ => None,
                            })
                    })
                    .collect::<Option<Vec<SliceMark>>>()
                    .ok_or_else(|| {
                        SyncError::Preflight(crate::store::StoreError::BadCheckpoint {
                            stream: prefix.clone(),
                            text: format!("{} slices expected", m.slices),
                            reason: "a slice of the stored backfill plan is missing".into(),
                        })
                    })?;
                streams.push(StreamPlan {
                    stream,
                    started_at: m.started_at,
                    since: m.since,
                    slices,
                    resumed: true,
                });
            }
            None if resume.get(&stream).is_none_or(Option::is_none) => {
                let slices = plan::slices(client, stream, t0, bf)
                    .await
                    .map_err(|source| SyncError::Client { stream, source })?;
                streams.push(StreamPlan {
                    stream,
                    started_at: t0,
                    since: t0 - bf.margin_secs,
                    slices,
                    resumed: false,
                });
            }
            None => {}
        }
    }
    if streams.is_empty() && comments.is_none() {
        return Ok(None);
    }
    Ok(Some(Plan {
        streams,
        comments,
        search_per_minute: plan::rate(client, "search-export", 100),
        incremental_per_minute: plan::rate(client, "incremental-exports", 10),
        concurrency: bf.concurrency.max(1),
    }))
}

/// The plan a [`sync`](crate::engine::sync) with these options would run now, without
/// running it: `None` when no stream would be backfilled (backfill off, or every stream
/// already synced). Costs the counting requests of a new plan (search export and search
/// count); writes nothing and takes no lock.
pub async fn plan(
    client: &Client,
    store: &dyn Store,
    options: &SyncOptions,
) -> Result<Option<Plan>, SyncError> {
    let Some(bf) = &options.backfill else {
        return Ok(None);
    };
    let mut resume = BTreeMap::new();
    for &stream in &options.streams {
        let cp = store
            .load_checkpoint(stream)
            .await
            .map_err(SyncError::Preflight)?;
        resume.insert(stream, cp);
    }
    prepare(client, store, &options.streams, &resume, bf, options).await
}

/// The engine's hook: the plan to run for this sync, if any.
pub(crate) async fn prepare_for_sync(
    client: &Client,
    store: &dyn Store,
    options: &SyncOptions,
    wanted: &[Stream],
    resume: &BTreeMap<Stream, Option<Checkpoint>>,
) -> Result<Option<Plan>, SyncError> {
    match &options.backfill {
        Some(bf) => prepare(client, store, wanted, resume, bf, options).await,
        None => Ok(None),
    }
}

/// Stores a new plan (slices first, the mark last: a run killed in between plans again).
async fn persist(store: &dyn Store, plan: &Plan) -> Result<(), SyncError> {
    for sp in plan.streams.iter().filter(|s| !s.resumed) {
        let stream = sp.stream;
        let err = |source| SyncError::Store { stream, source };
        for (i, slice) in sp.slices.iter().enumerate() {
            store
                .apply_route_page(
                    stream,
                    &search::slice_key(stream, i),
                    Vec::new(),
                    Checkpoint::SearchSlice(slice.clone()),
                    Merge::StrictlyNewer,
                )
                .await
                .map_err(err)?;
        }
        write_mark(store, sp, false).await?;
    }
    Ok(())
}

async fn write_mark(store: &dyn Store, sp: &StreamPlan, done: bool) -> Result<(), SyncError> {
    let stream = sp.stream;
    let mark = BackfillMark {
        started_at: sp.started_at,
        since: sp.since,
        slices: u32::try_from(sp.slices.len()).unwrap_or(u32::MAX),
        done,
    };
    store
        .apply_route_page(
            stream,
            &mark_key(stream),
            Vec::new(),
            Checkpoint::Backfill(mark),
            Merge::Newest,
        )
        .await
        .map(|_| ())
        .map_err(|source| SyncError::Store { stream, source })
}

/// Everything a run needs from the engine.
pub(crate) struct RunArgs<'a> {
    pub client: &'a Client,
    pub store: &'a dyn Store,
    pub options: &'a SyncOptions,
    pub wanted: &'a [Stream],
    pub resume: BTreeMap<Stream, Option<Checkpoint>>,
    pub progress: &'a dyn Progress,
    pub cancel: &'a CancelToken,
}

/// Runs `plan`: lists, the incremental chain and the search walkers at once, then the
/// catch-up of every backfilled stream.
pub(crate) async fn run(args: RunArgs<'_>, plan: Plan) -> Result<SyncReport, SyncError> {
    let RunArgs {
        client,
        store,
        options,
        wanted,
        resume,
        progress,
        cancel,
    } = args;
    let bf = options.backfill.clone().unwrap_or_default();
    persist(store, &plan).await?;
    if let Some(c) = &plan.comments {
        comments::persist(store, c).await?;
    }
    progress.event(&ProgressEvent::Backfill(BackfillEvent::Planned {
        plan: &plan,
    }));
    let stop = CancelToken::new();
    // The incremental start of each backfilled stream (`T0 − margin`).
    let since_of = |stream: Stream| -> Option<i64> {
        if stream == Stream::TicketEvents {
            return plan.comments.as_ref().map(|c| c.mark.since);
        }
        plan.streams
            .iter()
            .find(|s| s.stream == stream)
            .map(|s| s.since)
    };
    let with_since = |since: i64| SyncOptions {
        since,
        ..options.clone()
    };
    let jobs: VecDeque<search::SliceJob> = plan
        .streams
        .iter()
        .flat_map(|sp| {
            sp.slices
                .iter()
                .enumerate()
                .filter(|(_, m)| !m.done)
                .map(|(index, mark)| search::SliceJob {
                    stream: sp.stream,
                    index,
                    mark: mark.clone(),
                })
        })
        .collect();
    let walkers = search::Walkers {
        client,
        store,
        progress,
        cancel,
        stop: &stop,
        queue: Mutex::new(jobs),
        totals: Mutex::new(RouteTotals {
            page_size: MAX_PAGE,
            slices_done: plan
                .streams
                .iter()
                .flat_map(|s| &s.slices)
                .filter(|m| m.done)
                .count() as u64,
            slices_total: plan.streams.iter().map(|s| s.slices.len() as u64).sum(),
            ..RouteTotals::default()
        }),
        size: Mutex::new(search::PageSize::new(bf.slow_page)),
    };
    let ctx = Ctx {
        client,
        store,
        options,
        progress,
        cancel,
        stop: &stop,
    };
    let lists = crate::engine::list_streams(&ctx, wanted, &resume, &stop);
    let chain = async {
        let mut out = Vec::new();
        for &stream in wanted.iter().filter(|s| !is_list(**s)) {
            let planned = since_of(stream);
            if planned.is_some() && !bf.incremental {
                continue;
            }
            let opts = planned.map(with_since);
            let ctx = Ctx {
                options: opts.as_ref().unwrap_or(options),
                ..ctx
            };
            let from = resume.get(&stream).cloned().flatten();
            let r = ctx.export_stream(stream, from).await;
            let failed = r.is_err();
            out.push(r);
            if failed || ctx.stopped() {
                stop.cancel();
                break;
            }
        }
        out
    };
    let searches = async {
        let n = plan.concurrency.max(1);
        let all = futures_util::future::join_all((0..n).map(|_| walkers.walker())).await;
        all.into_iter().find_map(Result::err)
    };
    let comment_routes = plan.comments.as_ref().map(|c| comments::Routes {
        client,
        store,
        progress,
        cancel,
        stop: &stop,
        plan: c,
        concurrency: bf.audit_concurrency,
        since: options.since,
        per_page: options.per_page,
        totals: Mutex::new(CommentTotals::default()),
    });
    let comment_run = async {
        match &comment_routes {
            Some(r) => r.run().await.err(),
            None => None,
        }
    };
    let (lists, chain, search_err, comment_err) = tokio::join!(lists, chain, searches, comment_run);
    let mut first_error = search_err.or(comment_err);
    let mut reports: Vec<StreamReport> = Vec::new();
    for r in lists.into_iter().chain(chain) {
        match r {
            Ok(report) => reports.push(report),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let search_totals = walkers
        .totals
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let comment_totals = comment_routes.map(|r| {
        r.totals
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    });
    let slices_done = search_totals.slices_done == search_totals.slices_total
        && comment_totals.as_ref().is_none_or(|t| t.done);
    let mut done = false;
    if slices_done && !ctx.stopped() {
        progress.event(&ProgressEvent::Backfill(BackfillEvent::CatchUp));
        done = true;
        let mut caught_up: Vec<(Stream, i64)> =
            plan.streams.iter().map(|s| (s.stream, s.since)).collect();
        if let Some(c) = &plan.comments {
            caught_up.push((Stream::TicketEvents, c.mark.since));
        }
        for (stream, since) in caught_up {
            if bf.incremental {
                let opts = with_since(since);
                let ctx = Ctx {
                    options: &opts,
                    ..ctx
                };
                let from = store
                    .load_checkpoint(stream)
                    .await
                    .map_err(|source| SyncError::Store { stream, source })?;
                let r = ctx.export_stream(stream, from).await?;
                let complete = r.complete;
                merge_report(&mut reports, r);
                if !complete {
                    done = false;
                    break;
                }
            } else if resume.get(&stream).is_none_or(Option::is_none) {
                // The incremental route is left to the next run, from `since`.
                let cp = Checkpoint::Export(zdkit::export::Checkpoint::Time(since));
                store
                    .apply_page(stream, Vec::new(), cp)
                    .await
                    .map_err(|source| SyncError::Store { stream, source })?;
            }
            match (
                plan.streams.iter().find(|s| s.stream == stream),
                &plan.comments,
            ) {
                (Some(sp), _) => write_mark(store, sp, true).await?,
                (None, Some(c)) => {
                    let mark = crate::store::CommentsMark {
                        done: true,
                        ..c.mark.clone()
                    };
                    comments::write_mark(store, &mark).await?;
                }
                (None, None) => {}
            }
        }
    }
    if !done {
        // Not caught up: the stream reports must not claim it.
        for r in &mut reports {
            if since_of(r.stream).is_some() {
                r.complete = false;
            }
        }
    }
    reports.sort_by_key(|r| Stream::ALL.iter().position(|s| *s == r.stream));
    Ok(SyncReport {
        cancelled: cancel.is_cancelled(),
        streams: reports,
        backfill: Some(BackfillReport {
            plan,
            search: search_totals,
            comments: comment_totals,
            done,
        }),
        archived_audits: None,
        indexes_dropped: Vec::new(),
        indexes_rebuilt: Vec::new(),
    })
}

/// Adds a catch-up's totals to the stream's report from the first pass.
fn merge_report(reports: &mut Vec<StreamReport>, r: StreamReport) {
    match reports.iter_mut().find(|x| x.stream == r.stream) {
        Some(x) => {
            x.pages += r.pages;
            x.records += r.records;
            x.written += r.written;
            x.comments_written += r.comments_written;
            x.checkpoint = r.checkpoint.or(x.checkpoint.take());
            x.complete = r.complete;
        }
        None => reports.push(r),
    }
}
