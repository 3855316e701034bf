//! The comment routes of a backfill (`--with-comments`: the account-wide audits walk, the
//! archived tickets' audits and the ticket-events export) against the in-process
//! simulator with archived tickets, on SQLite and PostgreSQL. One auto-advancing manual
//! clock is shared by the simulator and the client.
//!
//! Exact here means (docs/design/backfill.md): every comment of a ticket that is not
//! deleted, and every comment created since the backfill's `since`, is stored once with
//! its stamps; nothing else is (comments of tickets deleted before `since` may or may not
//! be, as the ticket-events export's prefix happens to carry them).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{Backend, Db, Harness};
use tokio::sync::Notify;
use zdkit::models::{NewComment, NewTicket, TicketId, TicketUpdate};
use zdkit_sim::{Quirks, SimConfig};
use zdkit_sync::backfill::{self, BackfillEvent, BackfillOptions};
use zdkit_sync::engine::{sync, CancelToken, ProgressEvent, SyncOptions, SyncReport};
use zdkit_sync::store::Stream;

const TICKETS: u64 = 3_000;

async fn start(backend: Backend) -> Harness {
    let config = SimConfig {
        quirks: Quirks::default(),
        ..SimConfig::with_tickets(TICKETS)
    };
    Harness::start(backend, config, 3).await
}

/// Ticket events with comments only, backfilled; small export pages so that the prefix
/// export takes several.
fn options(bf: BackfillOptions) -> SyncOptions {
    SyncOptions {
        streams: vec![Stream::TicketEvents],
        with_comments: true,
        per_page: 200,
        backfill: Some(bf),
        ..SyncOptions::default()
    }
}

fn since_of(r: &SyncReport) -> i64 {
    let plan = &r.backfill.as_ref().expect("a backfill ran").plan;
    plan.comments.as_ref().expect("comment routes").mark.since
}

impl Harness {
    /// A comment on a few live tickets and a new ticket (with its first comment).
    async fn write_round(&self, round: u64) {
        let t = self.client.tickets();
        t.create(NewTicket::new(
            format!("c{round}"),
            NewComment::text("during the backfill"),
        ))
        .send()
        .await
        .unwrap();
        for id in (TICKETS - 400 + round * 7..=TICKETS).step_by(97).take(3) {
            let change = TicketUpdate {
                comment: Some(NewComment::text(format!("round {round}"))),
                ..TicketUpdate::default()
            };
            // Closed tickets refuse updates; that is fine here.
            let _ = t.update(TicketId(id), &change).await;
        }
    }
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
    comment_routes_with_concurrent_writes_are_exact,
    each_comment_route_disabled_stays_exact,
    plan_only_shows_the_comment_routes,
);

async fn comment_routes_with_concurrent_writes_are_exact(backend: Backend) {
    let h = Arc::new(start(backend).await);
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
    let routes = std::sync::Mutex::new(std::collections::BTreeSet::new());
    let progress = |e: &ProgressEvent<'_>| {
        if let ProgressEvent::Backfill(BackfillEvent::CommentPage { route, .. }) = e {
            routes.lock().unwrap().insert(*route);
            if pages.fetch_add(1, Ordering::SeqCst) % 25 == 0 {
                tick.notify_one();
            }
        }
    };
    let opts = options(BackfillOptions::default());
    let r = sync(&h.client, &*store, &opts, &progress, &CancelToken::new())
        .await
        .unwrap();
    let bf = r.backfill.as_ref().unwrap();
    assert!(bf.done, "{bf:?}");
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
    let totals = bf.comments.as_ref().unwrap();
    assert!(totals.walk_pages >= 20, "{totals:?}");
    assert!(totals.archived_fetched >= 10, "{totals:?}");
    assert!(totals.prefix_pages >= 2, "{totals:?}");
    assert!(
        totals.archived_total > totals.archived_fetched,
        "the prefix export covered some candidates: {totals:?}"
    );
    assert_eq!(
        routes.into_inner().unwrap().len(),
        4,
        "every route reported (and the end)"
    );
    for _ in 0..8 {
        tick.notify_one();
    }
    writer.await.unwrap();
    h.clock.advance(Duration::from_secs(120));
    let r2 = h.sync(&*store, &opts).await;
    assert!(
        r2.backfill.is_none(),
        "a finished backfill is not run again"
    );
    let archived = common::assert_comments_exact(&h.client, &*store, since_of(&r)).await;
    assert!(
        archived > 200,
        "archived tickets' comments were checked: {archived}"
    );
}

/// With the audits walk off, the export runs to its end; with the per-ticket audits off,
/// it covers every archived ticket; with both on but comments routes off, the single
/// export: exact each time.
async fn each_comment_route_disabled_stays_exact(backend: Backend) {
    let h = start(backend).await;
    for (walk, per_ticket, routes) in [
        (false, true, true),
        (true, false, true),
        (true, true, false),
    ] {
        let db = Db::new(backend).await;
        let store = db.open().await;
        let bf = BackfillOptions {
            comment_audits: walk,
            archived_audits: per_ticket,
            comments: routes,
            ..BackfillOptions::default()
        };
        let r = h.sync(&*store, &options(bf)).await;
        assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
        let since = match &r.backfill {
            Some(b) => {
                let c = b.comments.as_ref().unwrap();
                assert!(b.done);
                assert_eq!(c.walk_pages > 0, walk, "{c:?}");
                assert_eq!(c.archived_fetched > 0, per_ticket && walk, "{c:?}");
                since_of(&r)
            }
            None => {
                assert!(!routes);
                0
            }
        };
        common::assert_comments_exact(&h.client, &*store, since).await;
    }
}

/// `--plan-only`'s plan names the comment routes and writes nothing; the run then uses
/// the same mark.
async fn plan_only_shows_the_comment_routes(backend: Backend) {
    let h = start(backend).await;
    let store = h.db.open().await;
    let opts = options(BackfillOptions::default());
    let plan = backfill::plan(&h.client, &*store, &opts)
        .await
        .unwrap()
        .expect("a plan");
    let c = plan.comments.as_ref().expect("comment routes");
    assert!(c.tickets >= TICKETS - 200 && c.tickets <= TICKETS, "{c:?}");
    assert!(c.archived > 300 && c.archived < c.tickets, "{c:?}");
    assert!(c.comments_per_ticket > 1.0, "{c:?}");
    let (secs, per_ticket) = c.forecast();
    assert!(
        secs > 0.0 && per_ticket <= c.archived,
        "{secs} {per_ticket}"
    );
    let text = plan.to_string();
    for want in [
        "audits walk",
        "archived",
        "events export",
        "ticket-audits bucket",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    assert!(store
        .load_route_checkpoints("ticket_events/")
        .await
        .unwrap()
        .is_empty());
    // The estimate's inputs are the account's: the mean comments a ticket (sampled
    // over the whole id range, heavy tickets included) against the ground truth, and the
    // walk's requests against what the walk then sends. (Its time is checked by the
    // benchmark on the scaled clock: on this auto-advancing clock every sleep moves time
    // for all routes at once, so routes running side by side do not overlap in time.)
    let truth = common::comment_truth(&h.client).await;
    let live = truth.iter().filter(|t| !t.ticket_deleted).count() as f64;
    let mean = live / c.tickets as f64;
    assert!(
        (c.comments_per_ticket - mean).abs() < 0.05 * mean,
        "planned {:.2} comments a ticket, the ground truth {mean:.2}",
        c.comments_per_ticket
    );
    let r = h.sync(&*store, &opts).await;
    let bf = r.backfill.unwrap();
    let done = bf.comments.as_ref().expect("comment totals");
    let (planned, walked) = (c.walk_requests() as f64, done.walk_pages as f64);
    assert!(
        (walked - planned).abs() <= 0.15 * planned + 2.0,
        "walk: planned {planned}, ran {walked}; {c:?} {done:?}"
    );
    assert!(c.per_ticket_requests() <= c.archived, "{c:?}");
    let ran = bf.plan.comments.unwrap();
    assert_eq!((ran.tickets, ran.archived), (c.tickets, c.archived));
    assert_eq!(
        ran.mark.started_at - ran.mark.since,
        c.mark.started_at - c.mark.since
    );
}

/// The typed columns of `comments` and `ticket_events` of a backfilled store equal those
/// of a store filled by the single ticket-events export, row for row (the tickets deleted
/// before the backfill aside: their comments come only from the export).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfilled_rows_equal_the_exports() {
    let h = start(Backend::Sqlite).await;
    let export = Db::new(Backend::Sqlite).await;
    let s = export.open().await;
    let off = BackfillOptions {
        comments: false,
        ..BackfillOptions::default()
    };
    h.sync(&*s, &options(off)).await;
    let s2 = h.db.open().await;
    let r = h.sync(&*s2, &options(BackfillOptions::default())).await;
    assert!(r.backfill.unwrap().done);
    let deleted: Vec<i64> = common::comment_truth(&h.client)
        .await
        .into_iter()
        .filter(|c| c.ticket_deleted)
        .map(|c| c.ticket_id)
        .collect();
    let rows = |db: &Db, sql: &str| -> Vec<Vec<String>> {
        let c = rusqlite::Connection::open(db.sqlite_path.as_ref().unwrap()).unwrap();
        let mut st = c.prepare(sql).unwrap();
        let n = st.column_count();
        st.query_map([], |r| {
            (0..n)
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i)
                        .map(|v| format!("{v:?}"))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap()
        .map(Result::unwrap)
        .filter(|row| {
            let tid: i64 = row[1]
                .trim_start_matches("Integer(")
                .trim_end_matches(')')
                .parse()
                .unwrap();
            !deleted.contains(&tid)
        })
        .collect()
    };
    for sql in [
        "SELECT id, ticket_id, audit_id, author_id, public, body, created_at FROM comments ORDER BY id",
        "SELECT id, ticket_id, timestamp, created_at, updater_id, event_type, via, event_types \
         FROM ticket_events ORDER BY id",
    ] {
        let (a, b) = (rows(&export, sql), rows(&h.db, sql));
        assert!(a.len() > 1_000, "{sql}: {}", a.len());
        assert_eq!(a.len(), b.len(), "{sql}");
        let diff: Vec<_> = a.iter().zip(&b).filter(|(x, y)| x != y).take(3).collect();
        assert!(diff.is_empty(), "{sql}: (export, backfill) differ: {diff:?}");
    }
}

/// With no candidate (every ticket younger than the archive age: here the cut-off is set
/// before the history) the plan leaves the prefix export nothing to cover: no per-ticket
/// audits, no prefix requests; the run then makes no prefix page either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_candidates_plan_no_prefix() {
    let h = start(Backend::Sqlite).await;
    let store = h.db.open().await;
    let opts = options(BackfillOptions {
        archive_days: 5_000,
        ..BackfillOptions::default()
    });
    let plan = backfill::plan(&h.client, &*store, &opts)
        .await
        .unwrap()
        .expect("a plan");
    let c = plan.comments.as_ref().expect("comment routes");
    assert_eq!(c.archived, 0, "{c:?}");
    assert_eq!(
        (
            c.tickets_before_split,
            c.per_ticket_requests(),
            c.prefix_requests()
        ),
        (0, 0, 0),
        "{c:?}"
    );
    let r = h.sync(&*store, &opts).await;
    let done = r.backfill.unwrap().comments.expect("comment totals");
    assert_eq!(
        (done.prefix_pages, done.archived_fetched),
        (0, 0),
        "{done:?}"
    );
    assert!(done.walk_pages > 0, "{done:?}");
}
