//! The backfill planner against the in-process simulator (archived tickets, search index
//! lag, cursor expiry and the big-page slowdown on), on SQLite and PostgreSQL. One
//! auto-advancing manual clock is shared by the simulator and the client.
//!
//! Exact here means (docs/design/backfill.md): every live record, and every record deleted
//! since the backfill's `since`, equals the ground truth; a record deleted before `since`
//! is absent.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{Backend, Db, Harness};
use tokio::sync::Notify;
use zdkit::models::{NewComment, NewTicket, TicketId, TicketStatus, TicketUpdate};
use zdkit_sim::{Quirks, SimConfig};
use zdkit_sync::backfill::{self, BackfillEvent, BackfillOptions};
use zdkit_sync::engine::{sync, CancelToken, ProgressEvent, SyncOptions, SyncReport};
use zdkit_sync::store::{RowStamp, Store, Stream, Table};

const TICKETS: u64 = 20_000;

async fn start(backend: Backend, tickets: u64, quirks: Quirks) -> Harness {
    let config = SimConfig {
        quirks,
        ..SimConfig::with_tickets(tickets)
    };
    Harness::start(backend, config, 3).await
}

/// Small slices, so that a test of 20,000 tickets has several per stream; the streams a
/// backfill concerns and the two lists (the catalogue families are tested elsewhere).
fn options() -> SyncOptions {
    SyncOptions {
        streams: SyncOptions::DEFAULT_STREAMS.to_vec(),
        backfill: Some(BackfillOptions {
            max_slice_records: 4_000,
            ..BackfillOptions::default()
        }),
        ..SyncOptions::default()
    }
}

impl Harness {
    /// A fresh store with its lock taken, once the dropped run's store has let it go (its
    /// last blocking write may still hold it: [`Db::wait_unlocked`]).
    async fn locked_store(&self) -> Box<dyn Store> {
        let account = self
            .client
            .base_url()
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        self.db.wait_unlocked().await;
        let store = self.db.open().await;
        store.begin_sync(&account).await.unwrap();
        store
    }

    async fn truth(&self, table: Table) -> Vec<RowStamp> {
        common::truth(&self.client, table).await
    }

    /// Every table equals the ground truth, less the records deleted before `since`.
    async fn assert_exact(&self, store: &dyn Store, since: i64) {
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
            let want: Vec<RowStamp> = self
                .truth(table)
                .await
                .into_iter()
                .filter(|r| !r.deleted || r.generated_timestamp.or(r.updated_at) >= Some(since))
                .collect();
            let missing: Vec<_> = want
                .iter()
                .filter(|w| got.binary_search_by_key(&w.id, |g| g.id).is_err())
                .take(3)
                .collect();
            assert_eq!(
                got.len(),
                want.len(),
                "{table}: row count; missing e.g. {missing:?}"
            );
            let diff: Vec<_> = got
                .iter()
                .zip(&want)
                .filter(|(g, w)| g != w)
                .take(3)
                .collect();
            assert!(diff.is_empty(), "{table}: (store, truth) differ: {diff:?}");
        }
    }

    /// A few creates, updates and deletes of tickets, `round` choosing which.
    async fn write_round(&self, round: u64) {
        let t = self.client.tickets();
        t.create(NewTicket::new(
            format!("bf{round}"),
            NewComment::text("new"),
        ))
        .send()
        .await
        .unwrap();
        let change = TicketUpdate {
            status: Some(TicketStatus::Solved),
            ..TicketUpdate::default()
        };
        for id in (1 + round * 37..=TICKETS).step_by(1_013).take(3) {
            // Closed tickets refuse updates; that is fine here.
            let _ = t.update(TicketId(id), &change).await;
        }
        let _ = t.delete(TicketId(100 + round * 211)).await;
    }
}

fn since_of(r: &SyncReport) -> i64 {
    let plan = &r.backfill.as_ref().expect("a backfill ran").plan;
    plan.streams.iter().map(|s| s.since).min().unwrap()
}

/// Instantiates each test for SQLite and PostgreSQL.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Postgres).await })*
        }
    };
}

both!(
    backfill_with_concurrent_writes_is_exact,
    backfill_killed_in_every_route_resumes_exactly,
    big_page_timeouts_shrink_pages_and_stay_exact,
    plan_only_matches_the_run,
    route_pages_merge_strictly_newer_under_their_own_key,
);

async fn subject_of(s: &dyn Store) -> String {
    let raw = s.get_raw(Table::Tickets, 1).await.unwrap().unwrap();
    raw["subject"].as_str().unwrap().to_owned()
}

/// The store's hook: a route page keeps its checkpoint under its own key, and
/// `Merge::StrictlyNewer` never replaces a row of equal stamps (the exact route's version
/// stays), while a strictly newer one replaces it.
async fn route_pages_merge_strictly_newer_under_their_own_key(backend: Backend) {
    use zdkit_sync::store::{Checkpoint, Merge, SliceMark};
    let db = Db::new(backend).await;
    let s = db.open().await;
    let t = |gts: i64, updated: i64, subject: &str| {
        serde_json::json!({"id": 1, "subject": subject, "status": "open",
            "generated_timestamp": gts, "updated_at": common::iso(updated)})
    };
    let cursor = |c: &str| Checkpoint::Export(zdkit::export::Checkpoint::Cursor(c.into()));
    let slice = |after: i64| {
        Checkpoint::SearchSlice(SliceMark {
            from: 0,
            to: 100,
            after: Some(after),
            expected: 1,
            done: false,
        })
    };
    let base = common::T0;
    s.apply_page(Stream::Tickets, vec![t(base, base, "export")], cursor("c1"))
        .await
        .unwrap();
    let key = "tickets/search/0000";
    let tie = s
        .apply_route_page(
            Stream::Tickets,
            key,
            vec![t(base, base, "index")],
            slice(5),
            Merge::StrictlyNewer,
        )
        .await
        .unwrap();
    assert_eq!(tie.written, 0, "a tie keeps the stored row");
    assert_eq!(subject_of(&*s).await, "export");
    let newer = s
        .apply_route_page(
            Stream::Tickets,
            key,
            vec![t(base + 1, base + 1, "index2")],
            slice(6),
            Merge::StrictlyNewer,
        )
        .await
        .unwrap();
    assert_eq!(newer.written, 1);
    assert_eq!(subject_of(&*s).await, "index2");
    // An export page of equal stamps replaces it again (the usual rule: a tie replaces).
    s.apply_page(
        Stream::Tickets,
        vec![t(base + 1, base + 1, "export2")],
        cursor("c2"),
    )
    .await
    .unwrap();
    assert_eq!(subject_of(&*s).await, "export2");
    // Each checkpoint under its own key.
    assert_eq!(
        s.load_checkpoint(Stream::Tickets).await.unwrap(),
        Some(cursor("c2"))
    );
    assert_eq!(
        s.load_route_checkpoints("tickets/").await.unwrap(),
        vec![(key.to_owned(), slice(6))]
    );
    assert_eq!(s.load_route_checkpoints("users/").await.unwrap(), vec![]);
}

async fn backfill_with_concurrent_writes_is_exact(backend: Backend) {
    let h = Arc::new(start(backend, TICKETS, Quirks::default()).await);
    let store = h.db.open().await;
    let tick = Arc::new(Notify::new());
    let writer = {
        let (h, tick) = (Arc::clone(&h), Arc::clone(&tick));
        tokio::spawn(async move {
            for round in 0..8 {
                tick.notified().await;
                h.write_round(round).await;
            }
        })
    };
    let pages = AtomicUsize::new(0);
    let progress = |e: &ProgressEvent<'_>| {
        if let ProgressEvent::Backfill(BackfillEvent::SearchPage { .. }) = e {
            if pages.fetch_add(1, Ordering::SeqCst) % 2 == 0 {
                tick.notify_one();
            }
        }
    };
    let r = sync(
        &h.client,
        &*store,
        &options(),
        &progress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    let bf = r.backfill.as_ref().unwrap();
    assert!(bf.done, "{bf:?}");
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
    let tickets = bf
        .plan
        .streams
        .iter()
        .find(|s| s.stream == Stream::Tickets)
        .unwrap();
    assert!(
        tickets.slices.len() >= 4,
        "several slices: {:?}",
        tickets.slices
    );
    assert!(bf.search.pages >= 20, "{bf:?}");
    // Let the writer finish, then the next run tails the export (changes of the last
    // minute arrive on the next run, as in every sync).
    for _ in 0..8 {
        tick.notify_one();
    }
    writer.await.unwrap();
    h.clock.advance(Duration::from_secs(120));
    let r2 = h.sync(&*store, &options()).await;
    assert!(
        r2.backfill.is_none(),
        "a finished backfill is not run again"
    );
    h.assert_exact(&*store, since_of(&r)).await;
}

async fn backfill_killed_in_every_route_resumes_exactly(backend: Backend) {
    let h = start(backend, TICKETS, Quirks::default()).await;
    let opts = options();
    // Kill (drop the run) after a search page, then after an incremental page, then after
    // a few more search pages, then during the catch-up.
    for (round, kill) in [
        ("search", 3),
        ("incremental", 1),
        ("search", 9),
        ("catch-up", 1),
    ]
    .into_iter()
    .enumerate()
    {
        let seen = AtomicUsize::new(0);
        let in_catch_up = std::sync::atomic::AtomicBool::new(false);
        let reached = Notify::new();
        let progress = |e: &ProgressEvent<'_>| {
            let hit = match (kill.0, e) {
                ("search", ProgressEvent::Backfill(BackfillEvent::SearchPage { .. })) => true,
                ("incremental", ProgressEvent::PageWritten { stream, .. }) => {
                    !matches!(stream, Stream::Groups | Stream::TicketFields)
                }
                ("catch-up", ProgressEvent::Backfill(BackfillEvent::CatchUp)) => {
                    in_catch_up.store(true, Ordering::SeqCst);
                    false
                }
                ("catch-up", ProgressEvent::PageWritten { .. }) => {
                    in_catch_up.load(Ordering::SeqCst)
                }
                _ => false,
            };
            if hit && seen.fetch_add(1, Ordering::SeqCst) + 1 == kill.1 {
                reached.notify_one();
            }
        };
        let store = h.locked_store().await;
        let cancel = CancelToken::new();
        tokio::select! {
            biased;
            () = reached.notified() => {}
            r = sync(&h.client, &*store, &opts, &progress, &cancel) => {
                // The kill point may be the run's last page: then the run is simply over.
                assert!(
                    seen.load(Ordering::SeqCst) >= kill.1,
                    "round {round}: the run ended before its kill point: {r:?}"
                );
            }
        }
        drop(store);
        if round == 1 {
            h.write_round(1).await;
        }
    }
    // The last killed run's blocking write may still hold the lock.
    h.db.wait_unlocked().await;
    let store = h.db.open().await;
    let r = h.sync(&*store, &opts).await;
    let bf = r
        .backfill
        .as_ref()
        .expect("the unfinished backfill resumed");
    assert!(
        bf.done && bf.plan.streams.iter().all(|s| s.resumed),
        "{bf:?}"
    );
    h.clock.advance(Duration::from_secs(120));
    h.sync(&*store, &opts).await;
    // The plan was made at the first run's start; kills never re-plan.
    h.assert_exact(&*store, since_of(&r)).await;
}

async fn big_page_timeouts_shrink_pages_and_stay_exact(backend: Backend) {
    // Every archived ticket on a page costs 40 ms: a page of 1,000 with more than 250 of
    // them passes the 10 s gateway timeout.
    let quirks = Quirks {
        search_export_archived_ms: 40,
        ..Quirks::default()
    };
    let h = start(backend, TICKETS, quirks).await;
    let store = h.db.open().await;
    let r = h.sync(&*store, &options()).await;
    let bf = r.backfill.as_ref().unwrap();
    assert!(bf.done, "{bf:?}");
    assert!(bf.search.failed_pages > 0, "some pages timed out: {bf:?}");
    // A page that timed out is not sent again as it is (the client would retry a 504):
    // the route gives up after one try and halves the page at once.
    let stats = h.client.stats();
    assert_eq!(stats.retries, 0, "{stats:?}");
    h.clock.advance(Duration::from_secs(120));
    h.sync(&*store, &options()).await;
    h.assert_exact(&*store, since_of(&r)).await;
}

async fn plan_only_matches_the_run(backend: Backend) {
    let h = start(backend, TICKETS, Quirks::default()).await;
    let store = h.db.open().await;
    let planned = backfill::plan(&h.client, &*store, &options())
        .await
        .unwrap()
        .expect("a first sync backfills");
    assert_eq!(
        store.summary().await.unwrap().streams,
        vec![],
        "plan-only writes nothing"
    );
    let r = h.sync(&*store, &options()).await;
    let ran = &r.backfill.as_ref().unwrap().plan;
    // Same streams, same slices (the clock moved only by the planning requests' waits,
    // so the counts agree); the run's search pages are what the plan expected.
    assert_eq!(
        planned
            .streams
            .iter()
            .map(|s| (s.stream, s.slices.len()))
            .collect::<Vec<_>>(),
        ran.streams
            .iter()
            .map(|s| (s.stream, s.slices.len()))
            .collect::<Vec<_>>(),
    );
    // A slice of n records takes ceil(n / 1000) pages (one if empty); the plan counts
    // floor(n / 1000) + 1.
    let expected = planned.search_requests();
    let slices: u64 = ran.streams.iter().map(|s| s.slices.len() as u64).sum();
    let got = r.backfill.as_ref().unwrap().search.pages;
    assert!(
        got <= expected && got + slices >= expected,
        "plan said {expected} search pages, the run made {got}\n{planned}"
    );
    // A reset forgets the stream's backfill too: the next sync backfills it again.
    assert!(!store
        .load_route_checkpoints("tickets/")
        .await
        .unwrap()
        .is_empty());
    drop(store);
    let store = h.locked_store().await;
    store.reset(Stream::Tickets).await.unwrap();
    assert_eq!(
        store.load_route_checkpoints("tickets/").await.unwrap(),
        vec![]
    );
    let again = backfill::plan(&h.client, &*store, &options())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again.streams.iter().map(|s| s.stream).collect::<Vec<_>>(),
        vec![Stream::Tickets]
    );
    let text = planned.to_string();
    for want in [
        "tickets",
        "users",
        "organizations",
        "search export",
        "incremental",
        "expected",
    ] {
        assert!(text.contains(want), "{text}");
    }
}
