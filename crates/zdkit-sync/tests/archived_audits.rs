//! The archived-audits completeness pass (`SyncOptions::archived_audits`,
//! `zd sync --with-comments --archived-audits`) on a store whose ticket events started
//! after the archived tickets' last updates, against the in-process simulator (default
//! quirks: tickets closed for 120 days are archived), on SQLite and PostgreSQL.
//!
//! Exact here means: every comment of an archived ticket that is not deleted, and every
//! comment created since the events' `since`, is stored once with its `created_at`;
//! nothing is stored that the simulator does not hold, and the only other comments are
//! those of tickets last updated before the pass's cut-off; each candidate costs one
//! request, and a rerun finds none left.
//!
//! The `kill -9` test runs the sync in a child process (this binary re-run,
//! `archived_audits_child`) against its own simulator with the same seed, start time and
//! port, as `backfill_crash.rs` does.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};

use common::{Backend, Db};
use zdkit::{Client, Timestamp};
use zdkit_sync::audits::ArchivedAuditsOptions;
use zdkit_sync::backfill::BackfillEvent;
use zdkit_sync::engine::{NoProgress, ProgressEvent, SyncOptions, SyncReport};
use zdkit_sync::store::{self, Checkpoint, Store, Stream, Table};

const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_040);
const TICKETS: u64 = 1_500;
/// The ticket events start 30 days before the start: archived tickets (last updated more
/// than 120 days before) have none of theirs.
const SINCE: i64 = 1_700_000_040 - 30 * 86_400;
const DAY: i64 = 86_400;

const CHILD_URL: &str = "ZD_ARCHIVED_AUDITS_URL";
const CHILD_PORT: &str = "ZD_ARCHIVED_AUDITS_PORT";
const CHILD_MODE: &str = "ZD_ARCHIVED_AUDITS_MODE";

/// The first sync: tickets only, from the beginning (archived tickets included).
fn tickets_only() -> SyncOptions {
    SyncOptions {
        streams: vec![Stream::Tickets],
        ..SyncOptions::default()
    }
}

/// The second: tickets (resumed) and ticket events with comments since [`SINCE`], then
/// the pass with three workers.
fn with_pass() -> SyncOptions {
    SyncOptions {
        streams: vec![Stream::Tickets, Stream::TicketEvents],
        with_comments: true,
        since: SINCE,
        archived_audits: Some(ArchivedAuditsOptions {
            concurrency: 3,
            ..ArchivedAuditsOptions::default()
        }),
        ..SyncOptions::default()
    }
}

/// The simulator's tickets as `id -> (updated_at, deleted, archived)`.
async fn ticket_truth(client: &Client) -> HashMap<i64, (i64, bool, bool)> {
    common::ground_truth(client, "tickets")
        .await
        .iter()
        .map(|r| {
            let (updated, deleted, archived) = (r[1].as_i64(), r[3].as_bool(), r[4].as_bool());
            (
                r[0].as_i64().unwrap(),
                (updated.unwrap(), deleted.unwrap(), archived.unwrap()),
            )
        })
        .collect()
}

/// The store's comments against the truth (see the module doc). Returns how many
/// comments of archived tickets were checked.
async fn assert_exact(client: &Client, store: &dyn Store) -> usize {
    // The pass's cut-off (119 days before its own clock, which ran ahead of this one by
    // the rate-limit waits of its run) with a day to spare.
    let now = i64::try_from(client.clock().now().unix_secs()).unwrap();
    let cut = now - 118 * DAY;
    let tickets = ticket_truth(client).await;
    let truth = common::comment_truth(client).await;
    let got = store.ids_and_stamps(Table::Comments).await.unwrap();
    let by_id: HashMap<i64, &common::CommentTruth> = truth.iter().map(|c| (c.id, c)).collect();
    for g in &got {
        let t = by_id
            .get(&g.id)
            .unwrap_or_else(|| panic!("stored comment {} is not in the truth", g.id));
        assert_eq!(g.updated_at, Some(t.created_at), "comment {}", g.id);
        let (updated, _, archived) = tickets[&t.ticket_id];
        assert!(
            archived || t.created_at >= SINCE || updated < cut,
            "comment {} of ticket {} (updated {updated}) came from nowhere",
            g.id,
            t.ticket_id
        );
    }
    let want: Vec<&common::CommentTruth> = truth
        .iter()
        .filter(|c| (c.ticket_archived && !c.ticket_deleted) || c.created_at >= SINCE)
        .collect();
    let missing: Vec<_> = want
        .iter()
        .filter(|w| got.binary_search_by_key(&w.id, |g| g.id).is_err())
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} comments missing, e.g. {:?}",
        missing.len(),
        want.len(),
        &missing[..missing.len().min(5)]
    );
    want.iter().filter(|c| c.ticket_archived).count()
}

/// The closed tickets not deleted last updated before `cut` (Unix seconds), and the
/// requests their audits take at 100 a page (one comment an audit).
async fn candidate_requests(db: &Db, cut: i64) -> (u64, u64) {
    let from = format!(
        "FROM tickets t WHERE t.status = 'closed' AND NOT t.deleted AND t.updated_at < '{}'",
        common::iso(cut)
    );
    let n = db.query_i64(&format!("SELECT count(*) {from}")).await;
    let requests = db
        .query_i64(&format!(
            "SELECT CAST(COALESCE(SUM((n + 99) / 100), 0) AS BIGINT) FROM \
             (SELECT (SELECT count(*) FROM comments c WHERE c.ticket_id = t.id) AS n {from}) s"
        ))
        .await;
    (n as u64, requests as u64)
}

/// [`assert_exact`] with the comments of over 500 archived tickets, and a rerun of the
/// pass finds no archived ticket without its history.
async fn assert_exact_and_complete(client: &Client, store: &dyn Store) {
    let archived = assert_exact(client, store).await;
    assert!(archived > 500, "{archived}");
    let again = common::sync_once_unlocked(client, store, &with_pass(), &NoProgress)
        .await
        .unwrap();
    let t = pass_totals(&again);
    assert_eq!((t.archived_total, t.archived_fetched), (0, 0), "{t:?}");
    assert!(t.done, "{t:?}");
    assert_exact(client, store).await;
}

fn pass_totals(r: &SyncReport) -> &zdkit_sync::backfill::CommentTotals {
    r.archived_audits.as_ref().expect("the pass ran")
}

async fn pass_fills_exactly_the_missing_archived_histories(b: Backend) {
    let (client, _clock, _state) = common::start_sim(TICKETS, T0).await;
    let db = Db::new(b).await;
    let store = db.open().await;
    let first = common::sync_once_unlocked(&client, &*store, &tickets_only(), &NoProgress)
        .await
        .unwrap();
    assert!(
        first.archived_audits.is_none(),
        "no pass without ticket events"
    );
    let before = client.stats();
    let r = common::sync_once_unlocked(&client, &*store, &with_pass(), &NoProgress)
        .await
        .unwrap();
    let after = client.stats();
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
    let t = pass_totals(&r);
    assert!(t.done, "{t:?}");
    assert!(t.archived_total > 200, "{t:?}");
    assert_eq!(t.archived_fetched, t.archived_total, "{t:?}");
    // The candidates were the closed tickets last updated before the cut-off (all their
    // comments precede `SINCE`), each fetched once: one request per 100 audits (one
    // comment each), beside the streams' pages; nothing retried, never rate-limited.
    let now = i64::try_from(client.clock().now().unix_secs()).unwrap();
    let (n, requests) = candidate_requests(&db, now - 119 * DAY).await;
    assert_eq!(n, t.archived_fetched, "{t:?}");
    let pages: u64 = r.streams.iter().map(|s| s.pages).sum();
    assert_eq!(after.requests - before.requests, pages + requests, "{r:?}");
    assert_eq!(after.retries, before.retries);
    assert_eq!(after.rate_limited, before.rate_limited);
    assert_exact_and_complete(&client, &*store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_pass_fills_exactly_the_missing_archived_histories() {
    pass_fills_exactly_the_missing_archived_histories(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_pass_fills_exactly_the_missing_archived_histories() {
    pass_fills_exactly_the_missing_archived_histories(Backend::Postgres).await;
}

/// The pass without the ticket events stream is refused before anything is sent, not
/// skipped in silence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pass_without_ticket_events_is_refused() {
    let (client, _clock, _state) = common::start_sim(TICKETS, T0).await;
    let db = Db::new(Backend::Sqlite).await;
    let store = db.open().await;
    let options = SyncOptions {
        streams: vec![Stream::Tickets],
        ..with_pass()
    };
    let err = common::sync_once_unlocked(&client, &*store, &options, &NoProgress)
        .await
        .unwrap_err();
    assert!(
        matches!(err, zdkit_sync::engine::SyncError::Options(ref m) if m.contains("ticket_events")),
        "{err:?}"
    );
    assert_eq!(client.stats().requests, 0, "nothing sent");
}

/// Without comments the candidates are the tickets without their first ticket event;
/// the audits fetched carry the comments too, so a later pass with comments finds none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_pass_without_comments_completes_the_events() {
    let (client, _clock, _state) = common::start_sim(TICKETS, T0).await;
    let db = Db::new(Backend::Sqlite).await;
    let store = db.open().await;
    common::sync_once_unlocked(&client, &*store, &tickets_only(), &NoProgress)
        .await
        .unwrap();
    let events_only = SyncOptions {
        with_comments: false,
        ..with_pass()
    };
    let r = common::sync_once_unlocked(&client, &*store, &events_only, &NoProgress)
        .await
        .unwrap();
    let t = pass_totals(&r);
    assert!(t.done && t.archived_total > 200, "{t:?}");
    assert_eq!(t.archived_fetched, t.archived_total, "{t:?}");
    let missing_events = db
        .query_i64(&format!(
            "SELECT count(*) FROM tickets t WHERE t.status = 'closed' AND t.deleted = 0 \
             AND t.updated_at < '{}' AND NOT EXISTS \
             (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id)",
            common::iso(T0.unix_secs() as i64 - 119 * DAY).replace("+00:00", "Z")
        ))
        .await;
    assert_eq!(missing_events, 0);
    let r = common::sync_once_unlocked(&client, &*store, &with_pass(), &NoProgress)
        .await
        .unwrap();
    let c = pass_totals(&r);
    assert_eq!((c.archived_total, c.archived_fetched), (0, 0), "{c:?}");
    assert_exact(&client, &*store).await;
}

async fn child_sim(port: u16) -> (Client, zdkit_sim::SimState) {
    let config = zdkit_sim::SimConfig::with_tickets(TICKETS);
    let (client, _clock, state) = common::serve_sim(config, T0, port, 8).await;
    (client, state)
}

/// The child: one sync (`tickets`: tickets only; otherwise with the pass), printing
/// `candidates N` when the pass starts and `fetched` per committed ticket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the crash test runs it as a child process"]
#[allow(clippy::print_stdout)]
async fn archived_audits_child() {
    let (Ok(url), Ok(port)) = (std::env::var(CHILD_URL), std::env::var(CHILD_PORT)) else {
        return;
    };
    // Off the line libtest started with `test archived_audits_child ... `.
    println!();
    let mode = std::env::var(CHILD_MODE).unwrap_or_default();
    let (client, _state) = child_sim(port.parse().unwrap()).await;
    let store = store::open(&url).await.unwrap();
    let started = std::sync::atomic::AtomicBool::new(false);
    let progress = |e: &ProgressEvent<'_>| {
        if let ProgressEvent::Backfill(BackfillEvent::CommentPage { route, totals }) = e {
            if *route != "archived audits" {
                return;
            }
            if !started.swap(true, std::sync::atomic::Ordering::SeqCst) {
                println!("candidates {}", totals.archived_total);
            } else {
                println!("fetched");
            }
        }
    };
    let options = if mode == "tickets" {
        tickets_only()
    } else {
        with_pass()
    };
    let r = common::sync_once_unlocked(&client, &*store, &options, &progress)
        .await
        .unwrap();
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
    assert!(r.archived_audits.as_ref().is_none_or(|t| t.done), "{r:?}");
    println!("done");
}

/// What one child run showed.
#[derive(Debug, Default)]
struct Seen {
    candidates: Option<u64>,
    fetched: u64,
}

/// Runs the child in `mode`; SIGKILLs it at its `kill_at`-th `fetched` line, or lets it
/// finish.
fn run_child(mode: &str, url: &str, port: u16, kill_at: Option<u64>) -> Seen {
    let env = [
        (CHILD_URL, url.to_owned()),
        (CHILD_PORT, port.to_string()),
        (CHILD_MODE, mode.to_owned()),
    ];
    let mut child = common::spawn_child("archived_audits_child", &env);
    let mut seen = Seen::default();
    let mut done = false;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("candidates ") {
            seen.candidates = Some(n.parse().unwrap());
        } else if line == "fetched" {
            seen.fetched += 1;
            if Some(seen.fetched) == kill_at {
                child.kill().unwrap();
                break;
            }
        }
        done |= line == "done";
    }
    let status = child.wait().unwrap();
    if kill_at.is_none_or(|n| seen.fetched < n) {
        assert!(status.success() && done, "child failed: {status} {seen:?}");
    }
    seen
}

/// `kill -9` the pass at seeded tickets, five times, then let it finish: each run's
/// candidates are the previous run's less at least what it committed, the last run
/// fetches all that are left, the comments are exact and a rerun finds none.
async fn killed_passes_resume_exactly(b: Backend) {
    let db = Db::new(b).await;
    drop(db.open().await);
    let port = common::free_port();
    let (url, p) = (db.url.clone(), port);
    tokio::task::spawn_blocking(move || run_child("tickets", &url, p, None))
        .await
        .unwrap();
    let mut rng = fastrand::Rng::with_seed(b as u64 + 41);
    let (mut left, mut kills) = (None::<u64>, 0);
    for _ in 0..5 {
        let kill_at = rng.u64(1..=50);
        let (url, p) = (db.url.clone(), port);
        let seen = tokio::task::spawn_blocking(move || run_child("pass", &url, p, Some(kill_at)))
            .await
            .unwrap();
        let candidates = seen.candidates.expect("the pass started");
        // What the parent saw committed is a lower bound (the child may have committed
        // more before the kill landed): the candidates never grow.
        assert!(
            left.is_none_or(|l| candidates <= l),
            "{candidates} after {left:?}"
        );
        kills += u32::from(seen.fetched == kill_at);
        left = Some(candidates - seen.fetched);
    }
    assert!(kills >= 3, "{kills} kills fell inside the pass");
    let url = db.url.clone();
    let last = tokio::task::spawn_blocking(move || run_child("pass", &url, port, None))
        .await
        .unwrap();
    let candidates = last.candidates.unwrap();
    assert!(
        left.is_some_and(|l| candidates <= l),
        "{candidates} after {left:?}"
    );
    assert_eq!(
        last.fetched, candidates,
        "the last run fetched every one left"
    );
    let (client, _state) = child_sim(port).await;
    let store = db.open().await;
    let marks = store
        .load_route_checkpoints("ticket_events/archived_pass")
        .await
        .unwrap();
    assert!(
        matches!(marks.as_slice(), [(_, Checkpoint::Archived(m))] if m.done),
        "{marks:?}"
    );
    assert_exact_and_complete(&client, &*store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_killed_passes_resume_exactly() {
    killed_passes_resume_exactly(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_passes_resume_exactly() {
    killed_passes_resume_exactly(Backend::Postgres).await;
}
