//! `kill -9` a backfilling sync at seeded points of each route (search-export pages,
//! incremental pages, the catch-up), several times, then let it finish: tickets, users,
//! organizations, groups and ticket fields must end exactly equal to the simulator's
//! ground truth (less the records deleted before the backfill's `since`), on SQLite and
//! PostgreSQL.
//!
//! The harness of `sync_crash.rs`: the sync runs in a child process (this test binary
//! re-run, `backfill_crash_child`) against its own in-process simulator with the same
//! seed, start time and port, so every child serves the same account.

mod common;

use std::io::{BufRead, BufReader};

use common::{Backend, Db};
use zdkit::{Client, Timestamp};
use zdkit_sim::{SimConfig, SimState};
use zdkit_sync::backfill::{BackfillEvent, BackfillOptions};
use zdkit_sync::engine::{ProgressEvent, SyncOptions};
use zdkit_sync::store::{self, Checkpoint, RowStamp, Stream, Table};

const CHILD_URL: &str = "ZD_BACKFILL_CRASH_URL";
const CHILD_PORT: &str = "ZD_BACKFILL_CRASH_PORT";
/// `comments`: the child backfills ticket events with comments instead.
const CHILD_MODE: &str = "ZD_BACKFILL_CRASH_MODE";
const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_040);
const TICKETS: u64 = 4_000;

async fn sim(port: u16) -> (Client, SimState) {
    let (client, _clock, state) =
        common::serve_sim(SimConfig::with_tickets(TICKETS), T0, port, 8).await;
    (client, state)
}

/// Slices of at most 300 records (many search pages to be killed at) and small export
/// pages (several incremental pages).
fn options() -> SyncOptions {
    SyncOptions {
        streams: SyncOptions::DEFAULT_STREAMS.to_vec(),
        per_page: 100,
        backfill: Some(BackfillOptions {
            max_slice_records: 300,
            concurrency: 3,
            ..BackfillOptions::default()
        }),
        ..SyncOptions::default()
    }
}

/// Ticket events with comments through the comment routes (small export pages, so that
/// the prefix export takes several).
fn comment_options() -> SyncOptions {
    SyncOptions {
        streams: vec![Stream::TicketEvents],
        with_comments: true,
        per_page: 100,
        backfill: Some(BackfillOptions {
            audit_concurrency: 3,
            ..BackfillOptions::default()
        }),
        ..SyncOptions::default()
    }
}

fn options_for(mode: &str) -> SyncOptions {
    if mode == "comments" {
        comment_options()
    } else {
        options()
    }
}

/// The child: one sync, printing a line per committed page of each route.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the crash tests run it as a child process"]
#[allow(clippy::print_stdout)]
async fn backfill_crash_child() {
    let (Ok(url), Ok(port)) = (std::env::var(CHILD_URL), std::env::var(CHILD_PORT)) else {
        return;
    };
    let mode = std::env::var(CHILD_MODE).unwrap_or_default();
    let (client, _state) = sim(port.parse().unwrap()).await;
    let store = store::open(&url).await.unwrap();
    let progress = |e: &ProgressEvent<'_>| match e {
        ProgressEvent::PageWritten { stream, .. } => println!("page {stream}"),
        ProgressEvent::Backfill(BackfillEvent::SearchPage { .. }) => println!("page search"),
        ProgressEvent::Backfill(BackfillEvent::CommentPage { route, .. }) if *route != "done" => {
            println!("page {route}")
        }
        _ => {}
    };
    let r = common::sync_once_unlocked(&client, &*store, &options_for(&mode), &progress)
        .await
        .unwrap();
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
    println!("done");
}

/// What a child did before it ended or was killed.
#[derive(Debug, Default)]
struct Seen {
    search: usize,
    export: usize,
    /// The child was killed (it had not finished).
    killed: bool,
}

/// Runs the child; SIGKILLs it at the `kill_after`-th line `page …` (any route), or lets
/// it finish.
fn run_child(url: &str, port: u16, kill_after: Option<usize>) -> Seen {
    run_child_in("", url, port, kill_after.map(|n| ("", n)))
}

/// [`run_child`] in `mode`, killing at the `n`-th line `page ROUTE` (`""`: any route).
fn run_child_in(mode: &str, url: &str, port: u16, kill: Option<(&str, usize)>) -> Seen {
    let kill_after = kill.map(|(_, n)| n);
    let env = [
        (CHILD_URL, url.to_owned()),
        (CHILD_PORT, port.to_string()),
        (CHILD_MODE, mode.to_owned()),
    ];
    let mut child = common::spawn_child("backfill_crash_child", &env);
    let mut seen = Seen::default();
    let mut done = false;
    let mut pages = 0;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(what) = line.strip_prefix("page ") {
            let counted = kill.is_none_or(|(route, _)| route.is_empty() || route == what);
            if counted {
                pages += 1;
            }
            if what == "search" {
                seen.search += 1;
            } else {
                seen.export += 1;
            }
            if counted && Some(pages) == kill_after {
                child.kill().unwrap();
                seen.killed = true;
                break;
            }
        }
        done |= line == "done";
    }
    let status = child.wait().unwrap();
    if kill_after.is_none() || !done && Some(pages) != kill_after {
        assert!(status.success() && done, "sync child failed: {status}");
    }
    seen
}

async fn killed_backfills_resume_exactly(b: Backend) {
    let db = Db::new(b).await;
    drop(db.open().await);
    let port = common::free_port();
    let mut rng = fastrand::Rng::with_seed(b as u64 + 23);
    let (mut search, mut export) = (0, 0);
    for _ in 0..6 {
        let kill_after = rng.usize(1..=12);
        let (url, p) = (db.url.clone(), port);
        let seen = tokio::task::spawn_blocking(move || run_child(&url, p, Some(kill_after)))
            .await
            .unwrap();
        search += seen.search;
        export += seen.export;
    }
    assert!(search > 0 && export > 0, "kills fell in both routes");
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || run_child(&url, port, None))
        .await
        .unwrap();
    let (client, _state) = sim(port).await;
    let store = db.open().await;
    let since = store
        .load_route_checkpoints("tickets/backfill")
        .await
        .unwrap()
        .into_iter()
        .find_map(|(_, cp)| match cp {
            Checkpoint::Backfill(m) => Some(m),
            _ => None,
        })
        .expect("the backfill's mark");
    assert!(since.done, "{since:?}");
    for table in [
        Table::Tickets,
        Table::Users,
        Table::Organizations,
        Table::Groups,
        Table::TicketFields,
    ] {
        let mut got = store.ids_and_stamps(table).await.unwrap();
        if table != Table::Tickets {
            for r in &mut got {
                r.generated_timestamp = None;
            }
        }
        let want: Vec<RowStamp> = common::truth(&client, table)
            .await
            .into_iter()
            .filter(|r| !r.deleted || r.generated_timestamp.or(r.updated_at) >= Some(since.since))
            .collect();
        assert_eq!(got.len(), want.len(), "{table}: row count");
        let diff: Vec<_> = got
            .iter()
            .zip(&want)
            .filter(|(g, w)| g != w)
            .take(3)
            .collect();
        assert!(diff.is_empty(), "{table}: (store, truth) differ: {diff:?}");
    }
    // Every slice is done and a rerun tails the exports (no new backfill).
    let slices = store
        .load_route_checkpoints("tickets/search/")
        .await
        .unwrap();
    assert!(slices.len() >= 5, "{slices:?}");
    assert!(slices
        .iter()
        .all(|(_, cp)| matches!(cp, Checkpoint::SearchSlice(m) if m.done)));
    let r = common::sync_once_unlocked(
        &client,
        &*store,
        &options(),
        &zdkit_sync::engine::NoProgress,
    )
    .await
    .unwrap();
    assert!(
        r.backfill.is_none() && r.streams.iter().all(|s| s.complete),
        "{r:?}"
    );
    assert!(
        r.streams.iter().any(|s| s.stream == Stream::Tickets),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_killed_backfills_resume_exactly() {
    killed_backfills_resume_exactly(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_backfills_resume_exactly() {
    killed_backfills_resume_exactly(Backend::Postgres).await;
}

/// `kill -9` a comment backfill during each comment route (the audits walk, the archived
/// tickets' audits, the ticket-events export's prefix, the tail), twice each, then let it
/// finish: the comments equal the ground truth and every route's checkpoint is done.
async fn killed_comment_backfills_resume_exactly(b: Backend) {
    let db = Db::new(b).await;
    drop(db.open().await);
    let port = common::free_port();
    let kills = [
        ("audits walk", 3),
        ("archived audits", 2),
        ("events export", 1),
        ("audits walk", 9),
        ("archived audits", 7),
        ("events export", 2),
        ("ticket_events", 1),
    ];
    let mut killed_in = std::collections::BTreeSet::new();
    for (route, n) in kills {
        let (url, p) = (db.url.clone(), port);
        let seen = tokio::task::spawn_blocking(move || {
            run_child_in("comments", &url, p, Some((route, n)))
        })
        .await
        .unwrap();
        if seen.killed {
            killed_in.insert(route);
        }
    }
    assert_eq!(
        killed_in.len(),
        4,
        "a kill fell in every route: {killed_in:?}"
    );
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || run_child_in("comments", &url, port, None))
        .await
        .unwrap();
    let (client, _state) = sim(port).await;
    let store = db.open().await;
    let marks = store
        .load_route_checkpoints("ticket_events/")
        .await
        .unwrap();
    let mark = marks
        .iter()
        .find_map(|(_, cp)| match cp {
            Checkpoint::Comments(m) => Some(m.clone()),
            _ => None,
        })
        .expect("the comment backfill's mark");
    assert!(mark.done, "{marks:?}");
    assert!(
        marks.iter().any(|(k, cp)| k == "ticket_events/archived"
            && matches!(cp, Checkpoint::Archived(m) if m.done)),
        "{marks:?}"
    );
    let archived = common::assert_comments_exact(&client, &*store, mark.since).await;
    assert!(archived > 100, "{archived}");
    let r = common::sync_once_unlocked(
        &client,
        &*store,
        &comment_options(),
        &zdkit_sync::engine::NoProgress,
    )
    .await
    .unwrap();
    assert!(
        r.backfill.is_none() && r.streams.iter().all(|s| s.complete),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_killed_comment_backfills_resume_exactly() {
    killed_comment_backfills_resume_exactly(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_comment_backfills_resume_exactly() {
    killed_comment_backfills_resume_exactly(Backend::Postgres).await;
}
