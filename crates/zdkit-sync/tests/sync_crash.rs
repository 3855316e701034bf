//! `kill -9` the real sync engine at seeded random pages, several times, then let it
//! finish: every stream (exports, lists, catalogue refreshes, ticket metrics) must end
//! exactly equal to the simulator's ground truth or listing, on SQLite and PostgreSQL.
//!
//! The sync runs in a child process (this test binary re-run, `sync_crash_child`) against
//! its own in-process simulator: same seed, same start time, same port, so each child
//! serves the same account. The parent prints nothing of the child's but its page count.

mod common;

use std::io::{BufRead, BufReader};

use common::{Backend, Db};
use serde_json::Value;
use zdkit::{Client, Timestamp};
use zdkit_sim::{SimConfig, SimState};
use zdkit_sync::engine::{NoProgress, ProgressEvent, SyncOptions};
use zdkit_sync::store::{self, Checkpoint, FamilyStream, KeyStamp, Store, Table};

const CHILD_URL: &str = "ZD_SYNC_CRASH_URL";
const CHILD_PORT: &str = "ZD_SYNC_CRASH_PORT";
/// The streams the child syncs (names, comma-separated; default: the default streams).
const CHILD_STREAMS: &str = "ZD_SYNC_CRASH_STREAMS";
const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_040);
const TICKETS: u64 = 1_500;

async fn sim(port: u16) -> (Client, SimState) {
    let (client, _clock, state) =
        common::serve_sim(SimConfig::with_tickets(TICKETS), T0, port, 8).await;
    (client, state)
}

fn options() -> SyncOptions {
    let mut o = SyncOptions {
        // Small pages: catalogue walks of several pages get killed in the middle too.
        per_page: 20,
        ..SyncOptions::default()
    };
    if let Ok(names) = std::env::var(CHILD_STREAMS) {
        o.streams = names.split(',').map(|n| n.parse().unwrap()).collect();
    }
    o
}

/// The child: one sync, printing a line per committed page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the crash tests run it as a child process"]
#[allow(clippy::print_stdout)]
async fn sync_crash_child() {
    let (Ok(url), Ok(port)) = (std::env::var(CHILD_URL), std::env::var(CHILD_PORT)) else {
        return;
    };
    let (client, _state) = sim(port.parse().unwrap()).await;
    let store = store::open(&url).await.unwrap();
    let progress = |e: &ProgressEvent<'_>| {
        if let ProgressEvent::PageWritten { stream, .. } = e {
            println!("page {stream}");
        }
    };
    let r = common::sync_once_unlocked(&client, &*store, &options(), &progress)
        .await
        .unwrap();
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
    println!("done");
}

/// Runs the child; SIGKILLs it after `kill_after` pages, or lets it finish.
fn run_child(url: &str, port: u16, kill_after: Option<usize>) -> usize {
    run_child_of(url, port, kill_after, None)
}

/// [`run_child`] syncing only `streams`.
fn run_child_of(url: &str, port: u16, kill_after: Option<usize>, streams: Option<&str>) -> usize {
    run_child_counting(url, port, kill_after, streams, |_| true)
}

/// [`run_child_of`] that kills after `kill_after` pages of the streams `counts` accepts
/// (by name); returns every page committed.
fn run_child_counting(
    url: &str,
    port: u16,
    kill_after: Option<usize>,
    streams: Option<&str>,
    counts: impl Fn(&str) -> bool,
) -> usize {
    let mut env = vec![(CHILD_URL, url.to_owned()), (CHILD_PORT, port.to_string())];
    if let Some(s) = streams {
        env.push((CHILD_STREAMS, s.to_owned()));
    }
    let mut child = common::spawn_child("sync_crash_child", &env);
    let mut pages = 0;
    let mut counted = 0;
    let mut done = false;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(stream) = line.strip_prefix("page ") {
            pages += 1;
            counted += usize::from(counts(stream));
            if Some(counted) == kill_after {
                child.kill().unwrap();
                break;
            }
        }
        done |= line == "done";
    }
    let status = child.wait().unwrap();
    if kill_after.is_none() || !done && Some(counted) != kill_after {
        assert!(status.success() && done, "sync child failed: {status}");
    }
    pages
}

async fn listing(client: &Client, f: FamilyStream) -> Vec<(String, Option<i64>)> {
    let fam = f.family();
    let mut walk = zdkit::pagination::Walk::new(client.base_url());
    let mut next = Some(format!("/api/v2/{}", fam.path));
    let mut out = Vec::new();
    while let Some(url) = next.take() {
        let page: Value = client.get(&url).send().await.unwrap().json().unwrap();
        for r in page[fam.plural].as_array().unwrap() {
            let key = match &r[f.key_field()] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let updated = r["updated_at"].as_str().map(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                    .unwrap()
                    .unix_timestamp()
            });
            out.push((key, updated));
        }
        next = walk.raw(&page).unwrap();
    }
    out.sort();
    out
}

async fn assert_exact(client: &Client, store: &dyn Store) {
    for table in [
        Table::Tickets,
        Table::Users,
        Table::Organizations,
        Table::Groups,
        Table::TicketFields,
    ] {
        let mut got = store.ids_and_stamps(table).await.unwrap();
        if table != Table::Tickets {
            got.iter_mut().for_each(|r| r.generated_timestamp = None);
        }
        assert!(
            got == common::truth(client, table).await,
            "{table} differs from the ground truth"
        );
    }
    let tickets = common::truth(client, Table::Tickets).await;
    let metrics: Vec<i64> = store
        .ids_and_stamps(Table::TicketMetrics)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| !m.deleted)
        .map(|m| m.id)
        .collect();
    let live: Vec<i64> = tickets
        .iter()
        .filter(|t| !t.deleted)
        .map(|t| t.id)
        .collect();
    assert!(
        metrics == live,
        "ticket metrics differ from the live tickets"
    );
    for f in FamilyStream::all().filter(|f| !f.is_export()) {
        let mut got: Vec<(String, Option<i64>)> = store
            .key_stamps(Table::Family(f))
            .await
            .unwrap()
            .into_iter()
            .filter(|r: &KeyStamp| !r.deleted)
            .map(|r| (r.key, r.updated_at))
            .collect();
        got.sort();
        assert!(
            got == listing(client, f).await,
            "{} differs from the listing",
            f.name()
        );
    }
}

async fn killed_syncs_resume_exactly(b: Backend) {
    let db = Db::new(b).await;
    drop(db.open().await);
    let port = common::free_port();
    let mut rng = fastrand::Rng::with_seed(b as u64 + 11);
    let mut total = 0;
    let mut mid_walk = 0;
    for round in 0..6 {
        let (url, p) = (db.url.clone(), port);
        // Every other kill counts only catalogue refresh pages, so some kill lands in a
        // walk however the export and list halves of the sync interleave.
        let in_walk = round % 2 == 1;
        let kill_after = if in_walk {
            rng.usize(1..=6)
        } else {
            rng.usize(1..=40)
        };
        total += tokio::task::spawn_blocking(move || {
            let refresh = |name: &str| FamilyStream::all().any(|f| f.name() == name);
            run_child_counting(&url, p, Some(kill_after), None, |name| {
                !in_walk || refresh(name)
            })
        })
        .await
        .unwrap();
        let s = db.open().await;
        mid_walk += s
            .summary()
            .await
            .unwrap()
            .streams
            .iter()
            .filter(|st| matches!(st.checkpoint, Checkpoint::Refresh { next: Some(_), .. }))
            .count();
    }
    assert!(
        mid_walk > 0,
        "some kill left a catalogue walk in the middle"
    );
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || run_child(&url, port, None))
        .await
        .unwrap();
    assert!(total >= 5, "the killed runs committed pages");
    // The parent's own simulator: the same account, for the comparison.
    let (client, _state) = sim(port).await;
    let store = db.open().await;
    assert_exact(&client, &*store).await;
    // The child tables hold exactly each stored ticket's tags.
    let sql = match b {
        Backend::Sqlite => {
            "SELECT (SELECT count(*) FROM ticket_tags) - \
             (SELECT COALESCE(sum(json_array_length(raw, '$.tags')), 0) FROM tickets)"
        }
        Backend::Postgres => {
            "SELECT ((SELECT count(*) FROM ticket_tags) - \
             (SELECT COALESCE(sum(jsonb_array_length(raw -> 'tags')), 0) FROM tickets))::bigint"
        }
    };
    assert_eq!(
        db.query_i64(sql).await,
        0,
        "ticket_tags against the tickets' tags"
    );
    assert!(db.query_i64("SELECT count(*) FROM ticket_tags").await > 0);
    assert!(
        db.query_i64("SELECT count(*) FROM ticket_custom_fields")
            .await
            > 0
    );
    // And a rerun finds nothing new.
    let r = common::sync_once_unlocked(&client, &*store, &options(), &NoProgress)
        .await
        .unwrap();
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
    assert_exact(&client, &*store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_killed_syncs_resume_exactly() {
    killed_syncs_resume_exactly(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_syncs_resume_exactly() {
    killed_syncs_resume_exactly(Backend::Postgres).await;
}

/// The exported family (ticket metric events, about 7,500 events: 8 pages of 1,000)
/// killed at seeded pages, then finished: exactly the simulator's export.
async fn killed_metric_event_exports_resume_exactly(b: Backend) {
    const STREAM: &str = "ticket_metric_events";
    let db = Db::new(b).await;
    drop(db.open().await);
    let port = common::free_port();
    let mut rng = fastrand::Rng::with_seed(b as u64 + 23);
    let mut partial = Vec::new();
    for _ in 0..6 {
        let kill_after = rng.usize(1..=4);
        let (url, p) = (db.url.clone(), port);
        tokio::task::spawn_blocking(move || run_child_of(&url, p, Some(kill_after), Some(STREAM)))
            .await
            .unwrap();
        partial.push(common::stored_metric_events(&*db.open().await).await.len());
    }
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || run_child_of(&url, port, None, Some(STREAM)))
        .await
        .unwrap();
    let (client, _state) = sim(port).await;
    let store = db.open().await;
    let want = common::metric_events_listing(&client).await;
    assert!(want.len() > 5_000, "{}", want.len());
    assert!(
        partial.iter().any(|n| *n > 0 && *n < want.len()),
        "some kill left the export in the middle: {partial:?} of {}",
        want.len()
    );
    assert!(
        common::stored_metric_events(&*store).await == want,
        "ticket metric events differ from the export"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_killed_metric_event_exports_resume_exactly() {
    killed_metric_event_exports_resume_exactly(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_metric_event_exports_resume_exactly() {
    killed_metric_event_exports_resume_exactly(Backend::Postgres).await;
}
