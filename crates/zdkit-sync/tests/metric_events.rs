//! The `ticket_metric_events` stream (the incremental export
//! `/api/v2/incremental/ticket_metric_events`, time-based) against the simulator's own
//! listing (its whole export from the beginning), on SQLite and PostgreSQL: after a full
//! run, after an incremental run that follows ticket creates, replies, solves and deletes,
//! and a rerun with nothing new costs one request. (`tests/sync_crash.rs` kills it.)

mod common;

use std::time::Duration;

use common::{Backend, Db};
use serde_json::json;
use zdkit::models::{NewComment, NewTicket, TicketId, TicketStatus, TicketUpdate};
use zdkit::Timestamp;
use zdkit_sync::engine::{sync, CancelToken, NoProgress, SyncOptions, SyncReport};
use zdkit_sync::store::{FamilyStream, Store, Stream};

const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_040);
const TICKETS: u64 = 1_200;

fn stream() -> Stream {
    Stream::Family(FamilyStream::get("ticket_metric_events").unwrap())
}

fn options() -> SyncOptions {
    SyncOptions {
        streams: vec![stream()],
        ..SyncOptions::default()
    }
}

async fn run(client: &zdkit::Client, store: &dyn Store) -> SyncReport {
    let r = sync(client, store, &options(), &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
    assert_eq!(r.streams.len(), 1, "{r:?}");
    r
}

async fn assert_exact(client: &zdkit::Client, store: &dyn Store) {
    let want = common::metric_events_listing(client).await;
    let got = common::stored_metric_events(store).await;
    assert!(want.len() > TICKETS as usize * 3, "{}", want.len());
    assert_eq!(got.len(), want.len(), "row count");
    assert!(got == want, "the store differs from the simulator's export");
}

async fn full_incremental_and_rerun_are_exact(backend: Backend) {
    let (client, clock, _state) = common::start_sim(TICKETS, T0).await;
    let db = Db::new(backend).await;
    let store = db.open().await;
    let first = run(&client, &*store).await;
    assert!(first.streams[0].pages >= 4, "{first:?}");
    assert_exact(&client, &*store).await;

    // Creates (activate events), a reply to a ticket of one comment (its reply_time
    // fulfill), solves (agent_work_time and requester_wait_time fulfills), a delete.
    let t = client.tickets();
    let mut created = Vec::new();
    for i in 0..3 {
        let c = t
            .create(NewTicket::new(format!("m{i}"), NewComment::text("new")))
            .send()
            .await
            .unwrap();
        created.push(c.value.item.id);
    }
    clock.advance(Duration::from_secs(30));
    let reply = TicketUpdate {
        comment: Some(NewComment::text("a reply")),
        ..TicketUpdate::default()
    };
    t.update(created[0], &reply).await.unwrap();
    let solve = TicketUpdate {
        status: Some(TicketStatus::Solved),
        ..TicketUpdate::default()
    };
    t.update(created[1], &solve).await.unwrap();
    let mut solved = 0;
    for id in (1..=TICKETS).step_by(89) {
        if t.update(TicketId(id), &solve).await.is_ok() {
            solved += 1;
        }
        if solved == 3 {
            break;
        }
    }
    assert_eq!(solved, 3);
    t.delete(TicketId(7)).await.unwrap();
    clock.advance(Duration::from_secs(120));
    let before = store.summary().await.unwrap();
    let second = run(&client, &*store).await;
    let s = &second.streams[0];
    // 9 activates, 1 reply, 8 solve fulfills (some solved tickets may have had them).
    assert!(
        s.records >= 12 && s.records < 100,
        "only the new events: {s:?}"
    );
    assert_exact(&client, &*store).await;
    assert!(store.summary().await.unwrap().tables != before.tables);

    // Nothing new: one request.
    clock.advance(Duration::from_secs(120));
    let requests = client.stats().requests;
    let third = run(&client, &*store).await;
    assert_eq!(third.streams[0].pages, 1, "{third:?}");
    assert_eq!(client.stats().requests - requests, 1);
    assert_exact(&client, &*store).await;
    // The event's own fields are in `raw`.
    let f = FamilyStream::get("ticket_metric_events").unwrap();
    let raw = store
        .get_raw(zdkit_sync::store::Table::Family(f), 16 + 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(raw["metric"], json!("reply_time"));
    assert_eq!(raw["ticket_id"], json!(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_full_incremental_and_rerun_are_exact() {
    full_incremental_and_rerun_are_exact(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_full_incremental_and_rerun_are_exact() {
    full_incremental_and_rerun_are_exact(Backend::Postgres).await;
}

/// Not a default stream (its cost), but part of `all`.
#[test]
fn ticket_metric_events_is_asked_for_by_name() {
    assert!(!SyncOptions::default_streams().contains(&stream()));
    assert!(Stream::every().any(|s| s == stream()));
    assert_eq!("ticket_metric_events".parse::<Stream>().unwrap(), stream());
}
