//! Scenario tests against the simulator (zdkit-sim) in-process, sharing one clock.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::lockstep::Lockstep;
use common::T0;
use zdkit::{
    Client, Clock, Credentials, ErrorKind, ManualClock, Pacing, Plan, RateLimitPolicy, RetryPolicy,
    SharedClock,
};
use zdkit_sim::faults::{FaultPlan, FaultRule, Storm};
use zdkit_sim::{SimConfig, SimState};

async fn sim(clock: SharedClock, faults: FaultPlan) -> (String, SimState) {
    let state = SimState::new(SimConfig {
        clock: Some(clock),
        tickets: 200,
        faults,
        ..SimConfig::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(zdkit_sim::serve(listener, state.clone()));
    (url, state)
}

fn client(url: &str, clock: SharedClock, token: &str) -> Client {
    Client::builder()
        .base_url(url)
        .credentials(Credentials::api_token("admin@example.com", token))
        .clock(clock)
        .retry_policy(RetryPolicy::default().jitter_seed(9))
        .build()
        .unwrap()
}

#[tokio::test]
async fn reads_a_ticket_and_learns_the_plan_from_headers() {
    let c = ManualClock::auto_advancing(T0);
    let (url, _) = sim(c.shared(), FaultPlan::default()).await;
    let cl = client(&url, c.shared(), "zd-sim-token");
    let resp = cl.get("/api/v2/tickets/1.json").send().await.unwrap();
    let v: serde_json::Value = resp.json().unwrap();
    assert_eq!(v["ticket"]["id"], 1);
    assert!(resp.request_id().is_some());
    assert_eq!(
        cl.stats().bucket("account").unwrap().limit,
        Some(700),
        "Enterprise learned from headers"
    );
}

#[tokio::test]
async fn wrong_token_and_missing_record_explain_themselves() {
    let c = ManualClock::auto_advancing(T0);
    let (url, _) = sim(c.shared(), FaultPlan::default()).await;
    let bad = client(&url, c.shared(), "not-the-token");
    let e = bad.get("/api/v2/tickets/1").send().await.unwrap_err();
    assert_eq!(e.api().unwrap().kind, ErrorKind::Unauthorized);
    assert!(e.hint().unwrap().contains("/token"));
    let good = client(&url, c.shared(), "zd-sim-token");
    let e = good.get("/api/v2/tickets/999999").send().await.unwrap_err();
    assert_eq!(e.api().unwrap().kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn gets_ride_out_a_fault_schedule_but_a_post_is_sent_once() {
    let c = ManualClock::auto_advancing(T0);
    let faults = FaultPlan {
        seed: 7,
        rules: vec![FaultRule {
            error_500: 0.2,
            error_503: 0.1,
            reset: 0.05,
            truncate: 0.05,
            ..FaultRule::default()
        }],
        ..FaultPlan::default()
    };
    let (url, _) = sim(c.shared(), faults).await;
    let cl = client(&url, c.shared(), "zd-sim-token");
    for _ in 0..40 {
        cl.get("/api/v2/tickets/1").send().await.unwrap();
    }
    assert!(cl.stats().retries > 0);

    let all_500 = FaultPlan {
        seed: 1,
        rules: vec![FaultRule {
            error_500: 1.0,
            ..FaultRule::default()
        }],
        ..FaultPlan::default()
    };
    let (url, _) = sim(c.shared(), all_500).await;
    let cl = client(&url, c.shared(), "zd-sim-token");
    let body = serde_json::json!({"ticket": {"subject": "s", "comment": {"body": "b"}}});
    let e = cl
        .post("/api/v2/tickets")
        .json(&body)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(
        cl.stats().requests,
        1,
        "a POST without an idempotency key is never re-sent"
    );
}

#[tokio::test]
async fn a_429_storm_is_waited_out() {
    let c = ManualClock::auto_advancing(T0);
    let faults = FaultPlan {
        storms: vec![Storm {
            start_secs: 0,
            end_secs: 30,
            ..Storm::default()
        }],
        ..FaultPlan::default()
    };
    let (url, _) = sim(c.shared(), faults).await;
    let cl = client(&url, c.shared(), "zd-sim-token");
    cl.get("/api/v2/tickets/1").send().await.unwrap();
    let s = cl.stats();
    assert!(s.rate_limited >= 1);
    assert!(zdkit::Clock::now(&c).saturating_since(T0) >= Duration::from_secs(30));
    assert!(
        s.requests <= 3,
        "waited Retry-After instead of hammering: {s:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_tasks_pace_under_the_simulators_limit_without_a_429() {
    let lockstep = Lockstep::new(T0, 16);
    let clock: SharedClock = Arc::new(lockstep.clone());
    let (url, _) = sim(clock.clone(), FaultPlan::default()).await;
    let cl = client(&url, clock.clone(), "zd-sim-token");
    let left = Arc::new(AtomicUsize::new(1500));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (cl, left, lockstep) = (cl.clone(), left.clone(), lockstep.clone());
        tasks.push(tokio::spawn(async move {
            while left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                cl.get("/api/v2/users/1").send().await.unwrap();
            }
            lockstep.leave();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = clock.now().saturating_since(T0).as_secs_f64();
    let minimum = 1500.0 / 700.0 * 60.0;
    let stats = cl.stats();
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    assert!(
        elapsed <= 1.03 * minimum,
        "took {elapsed:.1} s, minimum {minimum:.1} s"
    );
}

/// Eager pacing on the manual clock: the window's budget less the headroom (686 of 700)
/// goes at once, then the next window's at its reset (+ the guard); never a 429.
#[tokio::test]
async fn eager_pacing_spends_each_window_at_once_without_a_429() {
    let c = ManualClock::auto_advancing(T0);
    let (url, _) = sim(c.shared(), FaultPlan::default()).await;
    let cl = Client::builder()
        .base_url(url)
        .credentials(Credentials::api_token("admin@example.com", "zd-sim-token"))
        .clock(c.shared())
        .rate_limit_policy(
            RateLimitPolicy::default()
                .plan(Plan::Enterprise)
                .pacing(Pacing::Eager),
        )
        .build()
        .unwrap();
    for _ in 0..686 {
        cl.get("/api/v2/users/1").send().await.unwrap();
    }
    assert_eq!(c.now(), T0, "no request of the first window waited");
    for _ in 0..686 {
        cl.get("/api/v2/users/1").send().await.unwrap();
    }
    assert_eq!(
        c.now().saturating_since(T0),
        Duration::from_secs(61),
        "the second window from its start (+ the guard)"
    );
    cl.get("/api/v2/users/1").send().await.unwrap();
    assert_eq!(c.now().saturating_since(T0), Duration::from_secs(121));
    assert_eq!(cl.stats().rate_limited, 0);
}

/// Regression: the simulator (like Zendesk) reports ticket 42's own 30-per-10-minutes
/// limit under the `tickets-update` name; it must not throttle updates of other tickets.
#[tokio::test]
async fn updates_of_many_tickets_are_not_held_to_one_tickets_limit() {
    let c = ManualClock::auto_advancing(T0);
    let (url, _) = sim(c.shared(), FaultPlan::default()).await;
    let cl = client(&url, c.shared(), "zd-sim-token");
    let body = serde_json::json!({"ticket": {"priority": "high"}});
    let mut updated = 0;
    for id in 1..=40 {
        match cl
            .put(&format!("/api/v2/tickets/{id}"))
            .json(&body)
            .send()
            .await
        {
            Ok(_) => updated += 1,
            // Deleted (404) or closed (422) tickets still count as update attempts.
            Err(e) if matches!(e.status(), Some(404 | 422)) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert!(updated >= 10, "{updated}");
    let elapsed = zdkit::Clock::now(&c).saturating_since(T0);
    assert!(
        elapsed < Duration::from_secs(60),
        "took {elapsed:?}: {:?}",
        cl.stats()
    );
    assert_eq!(cl.stats().rate_limited, 0);
    let per_ticket = cl
        .stats()
        .buckets
        .iter()
        .filter(|b| b.bucket.starts_with("tickets-update:"))
        .count();
    assert!(per_ticket >= 20);
}
