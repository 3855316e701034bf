//! Scenario tests of the typed API surface against the in-process simulator, sharing one
//! auto-advancing manual clock with the client (rate-limit waits take no real time).

use std::collections::{BTreeSet, HashSet};

use futures_util::TryStreamExt;
use serde_json::{json, Value};
use zdkit::export::Checkpoint;
use zdkit::models::{
    NewComment, NewTicket, NewUser, SideloadName, TicketId, TicketStatus, TicketUpdate,
};
use zdkit::{Client, Credentials, ErrorKind, ManualClock, RetryPolicy, SharedClock, Timestamp};
use zdkit_sim::faults::{FaultPlan, FaultRule};
use zdkit_sim::{SimConfig, SimState};

const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_040);

struct Sim {
    client: Client,
    #[allow(dead_code)]
    state: SimState,
}

async fn start_with(tickets: u64, faults: FaultPlan) -> Sim {
    let clock = ManualClock::auto_advancing(T0);
    let shared: SharedClock = clock.shared();
    let state = SimState::new(SimConfig {
        clock: Some(shared.clone()),
        faults,
        ..SimConfig::with_tickets(tickets)
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(zdkit_sim::serve(listener, state.clone()));
    let client = Client::builder()
        .base_url(url)
        .credentials(Credentials::api_token("admin@example.com", "zd-sim-token"))
        .clock(shared)
        .retry_policy(RetryPolicy::default().jitter_seed(7).max_attempts(6))
        .build()
        .unwrap();
    Sim { client, state }
}

async fn start(tickets: u64) -> Sim {
    start_with(tickets, FaultPlan::default()).await
}

/// `(id, updated_at)` of the tickets `GET /tickets` lists: live and not archived (the
/// ground truth's fifth column).
async fn listed(c: &Client) -> Vec<(u64, i64)> {
    let v: Value = c
        .get("/__sim/ground-truth/tickets")
        .send()
        .await
        .unwrap()
        .json()
        .unwrap();
    v["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r[3] == false && r[4] == false)
        .map(|r| (r[0].as_u64().unwrap(), r[1].as_i64().unwrap()))
        .collect()
}

/// `(id, updated_at, generated_timestamp, deleted)` rows of the simulator's ground truth.
async fn truth(c: &Client, kind: &str) -> Vec<(u64, i64, i64, bool)> {
    let v: Value = c
        .get(&format!("/__sim/ground-truth/{kind}"))
        .send()
        .await
        .unwrap()
        .json()
        .unwrap();
    v[kind]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_u64().unwrap(),
                r[1].as_i64().unwrap(),
                r[2].as_i64().unwrap(),
                r[3].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn full_ticket_stream_with_sideloads_equals_the_ground_truth() {
    let sim = start(1_000).await;
    let c = &sim.client;
    let mut pages = c
        .tickets()
        .list()
        .include(&[
            SideloadName::Users,
            SideloadName::Groups,
            SideloadName::Organizations,
        ])
        .pages();
    let mut got = Vec::new();
    let mut n_pages = 0;
    while let Some(page) = pages.try_next().await.unwrap() {
        n_pages += 1;
        assert!(page.items.len() <= 100);
        for t in &page.items {
            let requester = t.requester_id.unwrap();
            assert!(
                page.sideloads.user(requester).is_some(),
                "requester of {}",
                t.id
            );
            if let Some(g) = t.group_id {
                assert!(page.sideloads.group(g).is_some(), "group of {}", t.id);
            }
            if let Some(o) = t.organization_id {
                assert!(page.sideloads.organization(o).is_some(), "org of {}", t.id);
            }
            got.push((t.id.0, t.updated_at.unwrap().unix_timestamp()));
        }
    }
    let want = listed(c).await;
    assert_eq!(got, want, "every listed ticket once, in id order, current");
    // ~25% of the tickets are archived (closed long ago) and not listed.
    assert!(n_pages >= 7, "{n_pages} pages");

    // The item stream yields the same, and `.send()` one page.
    let ids: Vec<u64> = c
        .tickets()
        .list()
        .stream()
        .map_ok(|t| t.id.0)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, want.iter().map(|r| r.0).collect::<Vec<_>>());
    let first = c.tickets().list().page_size(7).send().await.unwrap();
    assert_eq!(first.items.len(), 7);
    assert!(first.has_more());
}

#[tokio::test]
async fn export_resumed_from_a_checkpoint_has_no_gap_and_no_duplicate() {
    let sim = start(1_000).await;
    let c = &sim.client;
    let full: Vec<u64> = {
        let mut s = c
            .incremental()
            .tickets()
            .start_time(0)
            .per_page(100)
            .stream_pages();
        let mut v = Vec::new();
        while let Some(p) = s.try_next().await.unwrap() {
            v.extend(p.items.iter().map(|t| t.id.0));
        }
        v
    };
    // The export holds every ticket (deleted ones included) once.
    let all: BTreeSet<u64> = truth(c, "tickets").await.iter().map(|r| r.0).collect();
    assert_eq!(full.iter().copied().collect::<BTreeSet<_>>(), all);
    assert_eq!(full.len(), all.len());

    // Interrupted after 3 pages; the checkpoint goes through JSON like a stored one.
    let mut got = Vec::new();
    let saved = {
        let mut s = c
            .incremental()
            .tickets()
            .start_time(0)
            .per_page(100)
            .stream_pages();
        let mut cp = None;
        for _ in 0..3 {
            let p = s.try_next().await.unwrap().unwrap();
            assert!(!p.end_of_stream);
            got.extend(p.items.iter().map(|t| t.id.0));
            cp = Some(p.checkpoint.clone());
        }
        serde_json::to_string(&cp.unwrap()).unwrap()
    };
    let cp: Checkpoint = serde_json::from_str(&saved).unwrap();
    assert!(matches!(cp, Checkpoint::Cursor(_)));
    let mut s = c
        .incremental()
        .tickets()
        .resume(cp)
        .per_page(100)
        .stream_pages();
    let mut last = None;
    while let Some(p) = s.try_next().await.unwrap() {
        got.extend(p.items.iter().map(|t| t.id.0));
        last = Some(p);
    }
    assert_eq!(got, full, "no gap, no duplicate, same order");
    let last = last.unwrap();
    assert!(last.end_of_stream);
    // Resuming from the end checkpoint yields nothing new (and terminates).
    let again = c
        .incremental()
        .tickets()
        .resume(last.checkpoint)
        .send()
        .await
        .unwrap();
    assert!(again.items.is_empty() && again.end_of_stream);
    // The exports drew from the incremental-exports bucket.
    assert!(c.stats().bucket("incremental-exports").is_some());
}

#[tokio::test]
async fn time_based_exports_drop_boundary_duplicates() {
    let sim = start(2_000).await;
    let c = &sim.client;
    let mut s = c
        .incremental()
        .organizations()
        .start_time(0)
        .per_page(3)
        .stream_pages();
    let mut ids = Vec::new();
    let mut dropped = 0;
    while let Some(p) = s.try_next().await.unwrap() {
        dropped += p.duplicates_dropped;
        assert!(matches!(p.checkpoint, Checkpoint::Time(_)));
        ids.extend(p.items.iter().map(|o| o.id.0));
    }
    let unique: HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "no duplicates");
    let all: HashSet<u64> = truth(c, "organizations")
        .await
        .iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(unique, all);
    assert!(dropped > 0, "the simulator repeats boundary records");

    let ev = c
        .incremental()
        .ticket_events()
        .start_time(0)
        .per_page(50)
        .include(&[SideloadName::CommentEvents])
        .send()
        .await
        .unwrap();
    assert!(!ev.items.is_empty());
    // A cursor checkpoint cannot resume a time-based export.
    let e = c
        .incremental()
        .organizations()
        .resume(Checkpoint::Cursor("x".into()))
        .send()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("time-based"), "{e}");
}

#[tokio::test]
async fn two_hundred_fifty_updates_become_three_jobs_that_all_complete() {
    let sim = start(400).await;
    let c = &sim.client;
    let updates: Vec<TicketUpdate> = (1..=250)
        .map(|id| TicketUpdate {
            id: Some(TicketId(id)),
            additional_tags: Some(vec!["bulk-test".into()]),
            ..Default::default()
        })
        .collect();
    let jobs = c.tickets().update_many(&updates).await.unwrap();
    assert_eq!(jobs.len(), 3);
    assert_eq!(
        jobs.iter().map(|j| j.records).collect::<Vec<_>>(),
        [100, 100, 50]
    );
    let outcomes = zdkit::jobs::wait_all(&jobs).await.unwrap();
    let results: usize = outcomes.iter().map(|o| o.results().len()).sum();
    assert_eq!(results, 250);
    // Deleted and closed tickets fail; the failures are reported, not lost.
    let ids: Vec<TicketId> = (1..=250).map(TicketId).collect();
    let live = c.tickets().show_many(&ids).await.unwrap();
    let mut expected: HashSet<u64> = ids.iter().map(|i| i.0).collect();
    for t in &live {
        if t.status != Some(TicketStatus::Closed) {
            expected.remove(&t.id.0);
        }
    }
    let failed: HashSet<u64> = outcomes
        .iter()
        .flat_map(|o| o.failures().filter_map(|f| f.id))
        .collect();
    assert_eq!(failed, expected);
    assert!(outcomes
        .iter()
        .flat_map(|o| o.failures())
        .all(|f| f.error.is_some() && f.details.is_some()));
    let live = (1..=250u64).find(|id| !expected.contains(id)).unwrap();
    let t = c.tickets().get(TicketId(live)).await.unwrap();
    assert!(t.tags().iter().any(|t| t == "bulk-test"));
}

#[tokio::test]
async fn a_retried_create_with_the_same_key_creates_one_ticket() {
    // Half the creates lose their answer after the ticket was stored.
    let faults = FaultPlan {
        seed: 3,
        rules: vec![FaultRule {
            path: Some("/api/v2/tickets".into()),
            truncate: 0.4,
            ..FaultRule::default()
        }],
        ..FaultPlan::default()
    };
    let sim = start_with(200, faults).await;
    let c = &sim.client;
    let before = c.tickets().count().await.unwrap().value().unwrap();
    let mut hits = 0;
    let mut ids = HashSet::new();
    for i in 0..8 {
        let t = NewTicket::new(format!("printer {i}"), NewComment::text("on fire"));
        let created = c.tickets().create(t).send().await.unwrap();
        assert_eq!(created.status, 201);
        assert!(created.idempotency_key.is_some());
        hits += usize::from(created.idempotency_hit);
        ids.insert(created.value.item.id);
    }
    assert!(hits > 0, "some creates were retried and replayed");
    let after = c.tickets().count().await.unwrap().value().unwrap();
    assert_eq!(after - before, 8, "one ticket per logical create");
    assert_eq!(ids.len(), 8);
}

#[tokio::test]
async fn the_same_key_twice_replays_the_first_create() {
    let sim = start(100).await;
    let c = &sim.client;
    let t = NewTicket::new("Printer on fire", NewComment::text("Smoke"));
    let a = c
        .tickets()
        .create(t.clone())
        .idempotency_key("k-1")
        .send()
        .await
        .unwrap();
    let b = c
        .tickets()
        .create(t)
        .idempotency_key("k-1")
        .send()
        .await
        .unwrap();
    assert!(!a.idempotency_hit && b.idempotency_hit);
    assert_eq!(a.value.item.id, b.value.item.id);
}

#[tokio::test]
async fn a_422_shows_its_field_details_and_create_or_get_recovers() {
    let sim = start(100).await;
    let c = &sim.client;
    let nu = NewUser::new("Jo Doe", "jo.doe@example.com");
    let first = c.users().create_or_get(&nu).await.unwrap();
    assert!(first.created);
    let e = c.users().create(&nu).await.unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.status, 422);
    let ErrorKind::Invalid { details } = &api.kind else {
        panic!("{e}")
    };
    assert_eq!(details["email"][0].error.as_deref(), Some("DuplicateValue"));
    assert!(e.to_string().contains("email"), "{e}");
    let again = c.users().create_or_get(&nu).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.user.id, first.user.id);
    let found = c
        .users()
        .search_by_email("JO.DOE@example.com")
        .await
        .unwrap();
    assert_eq!(found.map(|u| u.id), Some(first.user.id));
}

#[tokio::test]
async fn safe_update_with_a_stale_stamp_is_a_conflict() {
    let sim = start(100).await;
    let c = &sim.client;
    let id = c
        .tickets()
        .list()
        .send()
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|t| !matches!(t.status, Some(TicketStatus::Closed)))
        .unwrap()
        .id;
    let t = c.tickets().get(id).await.unwrap();
    let stamp = t.updated_at.unwrap();
    let change = TicketUpdate {
        status: Some(TicketStatus::Pending),
        comment: Some(NewComment::text("first")),
        ..Default::default()
    };
    c.tickets()
        .update(id, &change.clone().safe(stamp))
        .await
        .unwrap();
    let e = c
        .tickets()
        .update(id, &change.safe(stamp - time::Duration::seconds(1)))
        .await
        .unwrap_err();
    assert!(zdkit::resources::tickets::is_update_conflict(&e), "{e}");
}

#[tokio::test]
async fn directory_gets_are_cached_until_the_ttl_or_a_write() {
    let sim = start(100).await;
    let c = &sim.client;
    let g = c.groups().list().send().await.unwrap().items[0].id;
    let a = c.groups().get(g).await.unwrap();
    let b = c.clone().groups().get(g).await.unwrap();
    assert_eq!(a, b);
    let s = c.cache_stats();
    assert_eq!((s.hits, s.misses), (1, 1));
    let requests = c.stats().requests;
    c.groups().get(g).await.unwrap();
    assert_eq!(c.stats().requests, requests, "served from the cache");
    c.clock().sleep(std::time::Duration::from_secs(301)).await;
    c.groups().get(g).await.unwrap();
    assert_eq!(c.cache_stats().misses, 2, "expired after the TTL");
    let st = c.stats().cache;
    assert_eq!(
        (st.hits, st.misses),
        (2, 2),
        "client.stats() carries the cache figures"
    );

    let org = c.organizations().list().send().await.unwrap().items[0].id;
    c.organizations().get(org).await.unwrap();
    c.organizations().get(org).await.unwrap();
    let misses = c.cache_stats().misses;
    // The simulator has no organization writes (404), but a write through the handler
    // invalidates the entry whatever the answer: it may have been applied.
    let _ = c
        .organizations()
        .update(org, &json!({"notes": "vip"}))
        .await;
    assert!(c.cache_stats().invalidations >= 1);
    c.organizations().get(org).await.unwrap();
    assert_eq!(
        c.cache_stats().misses,
        misses + 1,
        "the write invalidated the entry"
    );
}

#[tokio::test]
async fn more_than_thirty_jobs_wait_for_room_and_all_complete() {
    let sim = start(3_600).await;
    let c = &sim.client;
    let tickets: Vec<NewTicket> = (0..3_500)
        .map(|i| NewTicket::new(format!("bulk {i}"), NewComment::text("hi")))
        .collect();
    let jobs = c.tickets().create_many(&tickets).await.unwrap();
    assert_eq!(jobs.len(), 35);
    let outcomes = zdkit::jobs::wait_all(&jobs).await.unwrap();
    assert!(outcomes.iter().all(|o| o.status.is_finished()));
    let results: usize = outcomes.iter().map(|o| o.results().len()).sum();
    assert_eq!(results, 3_500);
    assert!(
        c.stats().rate_limited > 0,
        "TooManyJobs was met and waited out"
    );
}

#[tokio::test]
async fn plain_search_fails_loudly_at_the_cap_and_export_gets_everything() {
    let sim = start(3_000).await;
    let c = &sim.client;
    let q = zdkit::SearchQuery::tickets();
    let total = c.search().count(&q).await.unwrap();
    assert!(total > 1_000, "{total}");
    let mut s = c.search().query(&q).stream();
    let mut n = 0;
    let err = loop {
        match s.try_next().await {
            Ok(Some(_)) => n += 1,
            Ok(None) => panic!("the stream ended silently after {n} results"),
            Err(e) => break e,
        }
    };
    assert_eq!(n, 1_000);
    assert!(matches!(err, zdkit::Error::Incomplete(_)), "{err}");
    assert!(err.to_string().contains("1000"), "{err}");

    let exported: Vec<_> = c
        .search()
        .export(&q)
        .page_size(1000)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(exported.len() as u64, total);
    let small = zdkit::SearchQuery::tickets().status("open");
    let open = c.search().count(&small).await.unwrap();
    let hits: Vec<_> = c
        .search()
        .query(&small)
        .stream()
        .try_collect()
        .await
        .unwrap();
    if open <= 1_000 {
        assert_eq!(hits.len() as u64, open);
    }
    assert!(hits.iter().all(|h| matches!(
        h,
        zdkit::models::SearchResult::Ticket(t) if t.status == Some(TicketStatus::Open)
    )));
}

#[tokio::test]
async fn streams_survive_server_errors_resets_and_truncated_bodies() {
    let faults = FaultPlan {
        seed: 11,
        rules: vec![FaultRule {
            error_500: 0.08,
            error_503: 0.04,
            reset: 0.04,
            truncate: 0.04,
            ..FaultRule::default()
        }],
        ..FaultPlan::default()
    };
    let sim = start_with(1_500, faults).await;
    let c = &sim.client;
    let ids: Vec<u64> = c
        .tickets()
        .list()
        .page_size(50)
        .stream()
        .map_ok(|t| t.id.0)
        .try_collect()
        .await
        .unwrap();
    let users: BTreeSet<u64> = c
        .incremental()
        .users()
        .start_time(0)
        .per_page(40)
        .stream()
        .map_ok(|u| u.id.0)
        .try_collect()
        .await
        .unwrap();
    assert!(c.stats().retries > 0, "faults were met");
    let clean = start(1_500).await;
    let want: Vec<u64> = listed(&clean.client).await.iter().map(|r| r.0).collect();
    assert_eq!(ids, want);
    let want_users: BTreeSet<u64> = truth(&clean.client, "users")
        .await
        .iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(users, want_users);
}

#[tokio::test]
async fn exclude_deleted_exports_only_live_tickets_and_comments_stream() {
    let sim = start(600).await;
    let c = &sim.client;
    let live: BTreeSet<u64> = c
        .incremental()
        .tickets()
        .start_time(0)
        .exclude_deleted(true)
        .stream()
        .map_ok(|t| t.id.0)
        .try_collect()
        .await
        .unwrap();
    let rows = truth(c, "tickets").await;
    let want: BTreeSet<u64> = rows.iter().filter(|r| !r.3).map(|r| r.0).collect();
    assert!(want.len() < rows.len(), "some tickets are deleted");
    assert_eq!(live, want);

    let id = TicketId(*want.iter().next().unwrap());
    let env = c
        .tickets()
        .get_with(id, &[SideloadName::CommentCount])
        .await
        .unwrap();
    let comments: Vec<_> = c
        .tickets()
        .comments(id)
        .page_size(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(Some(comments.len() as u64), env.item.comment_count);
    let audits = c.tickets().audits(id).send().await.unwrap();
    assert!(!audits.items.is_empty());
}

/// A clone made with `observing_waits` announces each wait for budget before it sleeps:
/// the bucket, the wait, and the bucket's rate; the original client stays silent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waits_for_budget_are_announced_to_the_observing_clone() {
    use std::sync::{Arc, Mutex};
    use zdkit::ratelimit::BudgetWait;
    let sim = start(3_000).await;
    let log: Arc<Mutex<Vec<BudgetWait>>> = Arc::default();
    let sink = log.clone();
    let c = sim.client.observing_waits(Arc::new(move |w: &BudgetWait| {
        sink.lock().unwrap().push(w.clone())
    }));
    // 3,000 tickets at 100 a page: 31 export pages at 10/min, so waits for the bucket.
    let mut pages = c
        .incremental()
        .tickets()
        .start_time(0)
        .per_page(100)
        .stream_pages();
    while pages.try_next().await.unwrap().is_some() {}
    let seen = log.lock().unwrap().clone();
    let exports: Vec<&BudgetWait> = seen
        .iter()
        .filter(|w| w.bucket == "incremental-exports")
        .collect();
    assert!(exports.len() >= 5, "{seen:?}");
    for w in &exports {
        assert!(w.wait > std::time::Duration::ZERO);
        assert_eq!(w.limit, Some(10), "{w:?}");
        assert_eq!(w.window, std::time::Duration::from_secs(60));
        assert_eq!(w.interval(), Some(std::time::Duration::from_secs(6)));
    }
    let waited: std::time::Duration = exports.iter().map(|w| w.wait).sum();
    let stats = sim.client.stats();
    let counted = stats.bucket("incremental-exports").unwrap().waited;
    assert_eq!(waited, counted, "every counted wait was announced");
    // The original client has no observer: its waits are counted, not announced.
    let mut pages = sim
        .client
        .incremental()
        .tickets()
        .start_time(0)
        .per_page(100)
        .stream_pages();
    while pages.try_next().await.unwrap().is_some() {}
    assert!(
        sim.client
            .stats()
            .bucket("incremental-exports")
            .unwrap()
            .waited
            > counted
    );
    assert_eq!(log.lock().unwrap().len(), seen.len());
}
