//! The sync engine: drives zdkit's exports and lists into a [`Store`], page by page.
//!
//! * Tickets and users: cursor-based incremental exports (`per_page=1000`).
//! * Organizations and ticket events: time-based exports (ticket events only when asked
//!   for, with `include=comment_events` when [`SyncOptions::with_comments`]).
//! * Groups and ticket fields: full lists, refetched every run.
//!
//! **Exactness.** Every page's records and the stream's checkpoint go to
//! [`Store::apply_page`] together (one transaction), so stopping at any point — an
//! error, [`CancelToken`], a dropped future, `kill -9` — and running again leaves no gap
//! and no duplicate: the next run resumes from the last committed checkpoint, and
//! newest-wins upserts absorb the records a time-based export repeats at its boundary.
//!
//! **Requests.** All incremental exports share one 10/min bucket, so export streams run
//! one after another; the list streams (account bucket) run beside them. While a page is
//! being written the next one is already being fetched and decoded (a channel of one page,
//! so memory stays at about two pages). A rerun with nothing new costs one request per
//! export stream (the stored cursor answers `end_of_stream` at once) plus one per list.
//!
//! **Bulk load.** A first sync fills empty tables whose reader-only indexes (tags, custom
//! fields, emails, identity values) are dropped for the load and built once at its end
//! ([`Store::drop_reader_indexes`], [`Store::rebuild_reader_indexes`]).
//!
//! **Sideloads.** Only those that carry rows of their own at no extra request: tickets
//! with `include=metric_sets` (each ticket's metric set goes to `ticket_metrics`,
//! [`SyncOptions::ticket_metrics`]), users with `include=identities` (to `identities`,
//! [`SyncOptions::user_identities`]), and ticket events with `include=comment_events`
//! (their comments go to `comments`, [`SyncOptions::with_comments`]); `zd sync
//! --no-sideloads` / `--no-sideload NAME` turn the first two off. Sideloaded *users* or
//! *organizations* are never requested: on ticket pages they are partial objects that must
//! never overwrite the full ones, and the users export already fetches every user (1,000
//! per request), so they would only make pages larger.
//!
//! ```no_run
//! # async fn demo(client: zdkit::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use zdkit_sync::engine::{sync, CancelToken, NoProgress, SyncOptions};
//! let store = zdkit_sync::open("sqlite:zendesk.db").await?;
//! let report = sync(&client, &*store, &SyncOptions::default(), &NoProgress, &CancelToken::new()).await?;
//! println!("{} records", report.records());
//! # Ok(()) }
//! ```

mod pace;
mod progress;
mod records;
mod refresh;
pub(crate) mod streams;

pub use pace::{BucketRate, StreamPace};
pub use progress::{CancelToken, NoProgress, Progress, ProgressEvent};

use std::collections::BTreeMap;

use zdkit::Client;

use crate::store::{Checkpoint, Store, StoreError, Stream};

/// What to sync and how.
///
/// Defaults: streams [`SyncOptions::default_streams`] (everything but ticket events),
/// `since` 0 (the beginning), `per_page` 1000, no comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// The streams to sync (order does not matter; duplicates are ignored).
    pub streams: Vec<Stream>,
    /// The `start_time` (Unix seconds) of an export stream without a stored checkpoint.
    /// A stored checkpoint always wins.
    pub since: i64,
    /// Records per export page, 1–1000; also the page size of the catalogue refreshes'
    /// lists, capped at each family's largest (100).
    pub per_page: u32,
    /// Ticket events with `include=comment_events` (their comments go to `comments`).
    pub with_comments: bool,
    /// Tickets with `include=metric_sets`: each ticket's metric set goes to
    /// `ticket_metrics` (no extra request). Default `true`.
    pub ticket_metrics: bool,
    /// Backfill a stream that was never synced (tickets, users, organizations) through
    /// search export and the incremental export at once ([`crate::backfill`]); `None`
    /// (the default): the single export chain from `since`.
    pub backfill: Option<crate::backfill::BackfillOptions>,
    /// Users with `include=identities`: each user's identities go to `identities` (no
    /// extra request). Default `true`.
    pub user_identities: bool,
    /// The account identity the store records and checks ([`Store::begin_sync`]);
    /// `None` (the default): the client's base URL without its trailing slash. A caller
    /// whose base URL changes between runs of one account (an in-process simulator on a
    /// fresh port, say) names the account here instead.
    pub account: Option<String>,
    /// After the streams, when ticket events are among them and the sync was not
    /// cancelled: the archived-audits completeness pass ([`crate::audits`]), one
    /// `GET /api/v2/tickets/{id}/audits` for each archived ticket in the store whose
    /// comments (ticket events without [`SyncOptions::with_comments`]) are missing.
    /// Default `None`: no pass.
    pub archived_audits: Option<crate::audits::ArchivedAuditsOptions>,
}

impl SyncOptions {
    /// The dedicated streams synced by default: groups, ticket fields, organizations,
    /// users, tickets. [`SyncOptions::default_streams`] adds the catalogue families.
    pub const DEFAULT_STREAMS: [Stream; 5] = [
        Stream::Groups,
        Stream::TicketFields,
        Stream::Organizations,
        Stream::Users,
        Stream::Tickets,
    ];

    /// The streams synced by default: [`SyncOptions::DEFAULT_STREAMS`] and every
    /// catalogue family stream ([`Stream::every`]) but the exported ones: ticket events
    /// and ticket metric events cost several export requests per thousand tickets at the
    /// shared 10/min export limit, so they are asked for by name.
    pub fn default_streams() -> Vec<Stream> {
        Stream::every()
            .filter(|s| match s {
                Stream::TicketEvents => false,
                Stream::Family(f) => !f.is_export(),
                _ => true,
            })
            .collect()
    }
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            streams: Self::default_streams(),
            since: 0,
            per_page: 1000,
            with_comments: false,
            ticket_metrics: true,
            backfill: None,
            user_identities: true,
            account: None,
            archived_audits: None,
        }
    }
}

/// One stream's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamReport {
    /// The stream.
    pub stream: Stream,
    /// Pages committed (one request each, retries aside).
    pub pages: u64,
    /// Records received.
    pub records: u64,
    /// Rows inserted or replaced (records minus duplicates and older versions).
    pub written: u64,
    /// Comment rows inserted or replaced (ticket events with comments).
    pub comments_written: u64,
    /// Ticket metric rows inserted or replaced (tickets with metric sets).
    pub metrics_written: u64,
    /// Identity rows inserted or replaced (users with identities).
    pub identities_written: u64,
    /// The checkpoint the stream started from.
    pub resumed_from: Option<Checkpoint>,
    /// The last committed checkpoint.
    pub checkpoint: Option<Checkpoint>,
    /// The stream caught up (`end_of_stream`, or the whole list was written).
    pub complete: bool,
    /// When complete: every change up to this time (Unix seconds) is in the store. Time
    /// exports: the last page's `end_time`; cursor exports: one minute before the last
    /// page was requested (Zendesk's exports leave out the most recent minute); lists and
    /// refreshes: when their walk started.
    pub complete_up_to: Option<i64>,
    /// The account does not have this family (its list answered 403 or 404): the stream
    /// was skipped, its table left as it was. `complete` is `true`.
    pub unavailable: Option<String>,
    /// Time this stream's requests waited for rate-limit budget (client clock).
    pub waited: std::time::Duration,
    /// The bucket of the stream's most recent wait for budget.
    pub waited_on: Option<String>,
}

impl StreamReport {
    pub(crate) fn new(stream: Stream, resumed_from: Option<Checkpoint>) -> Self {
        StreamReport {
            stream,
            pages: 0,
            records: 0,
            written: 0,
            comments_written: 0,
            metrics_written: 0,
            identities_written: 0,
            resumed_from,
            checkpoint: None,
            complete: false,
            complete_up_to: None,
            unavailable: None,
            waited: std::time::Duration::ZERO,
            waited_on: None,
        }
    }
}

/// What a [`sync`] did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SyncReport {
    /// Per stream, in the order of [`Stream::every`]. A stream not reached because the
    /// sync was cancelled is absent.
    pub streams: Vec<StreamReport>,
    /// The sync stopped early on a [`CancelToken`].
    pub cancelled: bool,
    /// The backfill this sync ran, if it ran one.
    pub backfill: Option<crate::backfill::BackfillReport>,
    /// The archived-audits pass ([`SyncOptions::archived_audits`]), if it ran: its
    /// candidates (`archived_total`), tickets fetched, comment rows written, and `done`.
    pub archived_audits: Option<crate::backfill::CommentTotals>,
    /// The reader-only indexes dropped before the streams because their tables were empty
    /// ([`Store::drop_reader_indexes`]).
    pub indexes_dropped: Vec<String>,
    /// The reader-only indexes rebuilt after the streams: those dropped, and any a killed
    /// sync left missing ([`Store::rebuild_reader_indexes`]).
    pub indexes_rebuilt: Vec<String>,
}

impl SyncReport {
    /// Records received, all streams.
    pub fn records(&self) -> u64 {
        self.streams.iter().map(|s| s.records).sum()
    }

    /// Pages committed, all streams.
    pub fn pages(&self) -> u64 {
        self.streams.iter().map(|s| s.pages).sum()
    }

    /// The time (Unix seconds) the mirror is complete up to: the earliest
    /// [`StreamReport::complete_up_to`] of the streams synced (unavailable ones aside);
    /// `None` when a stream did not complete or the sync was cancelled.
    pub fn complete_up_to(&self) -> Option<i64> {
        if self.cancelled {
            return None;
        }
        let mut min: Option<i64> = None;
        for s in self.streams.iter().filter(|s| s.unavailable.is_none()) {
            let t = s.complete_up_to.filter(|_| s.complete)?;
            min = Some(min.map_or(t, |m| m.min(t)));
        }
        min
    }
}

/// Why a sync stopped. `Display` names the stream; the cause is the error's
/// [`source`](std::error::Error::source), so printing the chain shows it once.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The options contradict each other (nothing was opened or sent).
    #[error("invalid sync options: {0}")]
    Options(String),
    /// The store could not be read before the first request (nothing was sent).
    #[error("the store is not usable, nothing was requested")]
    Preflight(#[source] StoreError),
    /// A request of `stream` failed (after the client's retries).
    #[error("stream {stream}")]
    Client {
        /// The stream.
        stream: Stream,
        /// The client's error.
        #[source]
        source: zdkit::Error,
    },
    /// The streams ended but the store's reader-only indexes could not be rebuilt
    /// ([`Store::rebuild_reader_indexes`]); what was committed stays committed, and the
    /// next sync rebuilds them.
    #[error("the streams ended, but the store's indexes could not be rebuilt")]
    Indexes(#[source] StoreError),
    /// Writing a page of `stream` failed; nothing of that page was stored.
    #[error("stream {stream}")]
    Store {
        /// The stream.
        stream: Stream,
        /// The store's error.
        #[source]
        source: StoreError,
    },
    /// A task of `stream` died (panicked, or stopped before the stream's stop rule said
    /// it was caught up). What was committed stays committed; a rerun resumes.
    #[error("stream {stream}: its {task} task died before the stream was caught up: {cause}")]
    Worker {
        /// The stream.
        stream: Stream,
        /// `fetch` or `decode`.
        task: &'static str,
        /// The panic message, or what ended the task.
        cause: String,
    },
}

/// The message of a task's panic (or why it ended), for [`SyncError::Worker`].
pub(crate) fn join_cause(e: tokio::task::JoinError) -> String {
    if e.is_panic() {
        let p = e.into_panic();
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        format!("panicked: {msg}")
    } else {
        "cancelled".to_owned()
    }
}

/// The list and refresh streams among `wanted`, one after another; an error or a stop
/// cancels `stop` (the other half of the sync stops after its page).
pub(crate) async fn list_streams(
    ctx: &streams::Ctx<'_>,
    wanted: &[Stream],
    resume: &BTreeMap<Stream, Option<Checkpoint>>,
    stop: &CancelToken,
) -> Vec<Result<StreamReport, SyncError>> {
    let mut out = Vec::new();
    for &stream in wanted.iter().filter(|s| streams::is_list(**s)) {
        let r = match stream {
            Stream::Family(f) => {
                let from = resume.get(&stream).cloned().flatten();
                ctx.refresh_stream(f, from).await
            }
            _ => ctx.list_stream(stream).await,
        };
        let failed = r.is_err();
        out.push(r);
        if failed || ctx.stopped() {
            stop.cancel();
            break;
        }
    }
    out
}

/// Syncs `options.streams` from `client` into `store`, reporting to `progress`, until
/// every stream is caught up or `cancel` is cancelled.
///
/// The store is claimed first ([`Store::begin_sync`]: its lock, and the account it
/// mirrors: [`SyncOptions::account`], else `client`'s base URL), and every stored checkpoint is read before the first
/// request, so a locked store, another account's store or an unreadable one fails with
/// [`SyncError::Preflight`] having sent nothing. On an error in one stream the
/// others stop after their current page; what was committed stays committed.
///
/// Around the streams (the backfill's too) the store applies its bulk-load rule: right
/// after `begin_sync` it drops the reader-only indexes of its empty tables
/// ([`Store::drop_reader_indexes`]), and once the streams end, in success, error or
/// cancel, it rebuilds every missing one ([`Store::rebuild_reader_indexes`]) before the
/// archived-audits pass. A failed rebuild is [`SyncError::Indexes`] after a successful
/// run; after a failed one the run's error is returned (the next sync rebuilds).
pub async fn sync(
    client: &Client,
    store: &dyn Store,
    options: &SyncOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<SyncReport, SyncError> {
    let wanted: Vec<Stream> = Stream::every()
        .filter(|s| options.streams.contains(s))
        .collect();
    // The archived-audits pass completes the ticket events stream: asked for without it,
    // it would silently do nothing.
    if options.archived_audits.is_some() && !wanted.contains(&Stream::TicketEvents) {
        return Err(SyncError::Options(
            "the archived-audits pass completes the ticket_events stream, which is not \
             among the streams of this sync: add ticket_events (e.g. --with-comments) or \
             drop --archived-audits"
                .into(),
        ));
    }
    // The store's lock and account first: a second sync, or another account, is refused
    // before any request.
    let account = match &options.account {
        Some(a) => a.clone(),
        None => client.base_url().as_str().trim_end_matches('/').to_owned(),
    };
    store
        .begin_sync(&account)
        .await
        .map_err(SyncError::Preflight)?;
    // The bulk-load rule (docs/design/sync.md): the reader-only indexes of empty tables
    // are dropped for the streams and rebuilt after them, however they end (an error, a
    // cancel); a killed process leaves them missing and the next sync rebuilds them.
    let dropped = store
        .drop_reader_indexes()
        .await
        .map_err(SyncError::Preflight)?;
    if !dropped.is_empty() {
        tracing::info!(location = store.location(), indexes = ?dropped,
            "empty tables: their reader-only indexes are built after the load");
    }
    let streams = run_streams(client, store, options, &wanted, progress, cancel).await;
    tracing::debug!(
        location = store.location(),
        "rebuilding missing reader-only indexes"
    );
    let rebuilt = store.rebuild_reader_indexes().await;
    match &rebuilt {
        Ok(names) if !names.is_empty() => {
            tracing::info!(location = store.location(), indexes = ?names, "rebuilt reader-only indexes");
        }
        _ => {}
    }
    let mut report = match (streams, rebuilt) {
        (Ok(mut report), Ok(rebuilt)) => {
            report.indexes_dropped = dropped;
            report.indexes_rebuilt = rebuilt;
            report
        }
        (Ok(_), Err(e)) => return Err(SyncError::Indexes(e)),
        (Err(e), Ok(_)) => return Err(e),
        (Err(e), Err(rebuild)) => {
            // The run's error is the one to report; the next sync rebuilds the indexes.
            tracing::warn!(location = store.location(), error = %rebuild.chain(),
                "the reader-only indexes could not be rebuilt after the failed sync");
            return Err(e);
        }
    };
    if let Some(aa) = &options.archived_audits {
        // The ticket events stream is among `wanted` (checked above).
        if !report.cancelled {
            let totals = crate::audits::pass(client, store, options, aa, progress, cancel).await?;
            report.cancelled = cancel.is_cancelled();
            report.archived_audits = Some(totals);
        }
    }
    Ok(report)
}

/// The streams of a sync, once the store is claimed: every stored checkpoint (read before
/// the first request), then the backfill or the plain streams.
async fn run_streams(
    client: &Client,
    store: &dyn Store,
    options: &SyncOptions,
    wanted: &[Stream],
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<SyncReport, SyncError> {
    let mut resume = BTreeMap::new();
    for &stream in wanted {
        let cp = store
            .load_checkpoint(stream)
            .await
            .map_err(SyncError::Preflight)?;
        resume.insert(stream, cp);
    }
    match crate::backfill::prepare_for_sync(client, store, options, wanted, &resume).await? {
        Some(plan) => {
            let args = crate::backfill::RunArgs {
                client,
                store,
                options,
                wanted,
                resume,
                progress,
                cancel,
            };
            crate::backfill::run(args, plan).await
        }
        None => sync_streams(client, store, options, wanted, &resume, progress, cancel).await,
    }
}

/// The streams of a sync without a backfill: the lists beside the export chain.
async fn sync_streams(
    client: &Client,
    store: &dyn Store,
    options: &SyncOptions,
    wanted: &[Stream],
    resume: &BTreeMap<Stream, Option<Checkpoint>>,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<SyncReport, SyncError> {
    // An error in one half stops the other after its current page.
    let stop = CancelToken::new();
    let ctx = streams::Ctx {
        client,
        store,
        options,
        progress,
        cancel,
        stop: &stop,
    };
    let lists = list_streams(&ctx, wanted, resume, &stop);
    let exports = async {
        let mut out = Vec::new();
        for &stream in wanted.iter().filter(|s| !streams::is_list(**s)) {
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
    let (lists, exports) = futures_util::future::join(lists, exports).await;
    let mut reports = Vec::new();
    let mut first_error = None;
    for r in lists.into_iter().chain(exports) {
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
    reports.sort_by_key(|r| Stream::every().position(|s| s == r.stream));
    Ok(SyncReport {
        cancelled: cancel.is_cancelled(),
        streams: reports,
        backfill: None,
        archived_audits: None,
        indexes_dropped: Vec::new(),
        indexes_rebuilt: Vec::new(),
    })
}
