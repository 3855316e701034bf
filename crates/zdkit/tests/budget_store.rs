//! One limiter test suite, run over every [`BudgetStore`]: the in-process store and the
//! Redis store (Redis at `ZDKIT_TEST_REDIS`, default `redis://127.0.0.1:6379`;
//! `scripts/test` starts or checks it). The Redis runs also share one budget between
//! several store instances (as separate processes would), each on its own account key.
//!
//! Time is passed in (a manual timestamp): nothing here sleeps.
#![cfg(feature = "redis")]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use zdkit::ratelimit::limiter::Limiter;
use zdkit::ratelimit::{
    BucketKey, BucketSpec, BudgetStore, InProcessStore, Lane, Observation, Pacing, Permit,
    RateLimitHeaders, RedisFallback, RedisStore, RequestClass, Window, ACCOUNT,
};
use zdkit::{Plan, Timestamp};

const T0: Timestamp = Timestamp::from_unix_secs(1_000_000);

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn redis_url() -> String {
    std::env::var("ZDKIT_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A fresh account name, so tests (and their runs) never share keys.
fn account_name() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "test-{}-{}-{:08x}.example",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        fastrand::u32(..)
    )
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    InProcess,
    Redis,
}

/// `n` handles on one budget: clones of one in-process store, or `n` Redis stores (as `n`
/// processes would hold) on one account.
async fn stores(kind: Kind, n: usize, headroom: f64) -> Vec<Arc<dyn BudgetStore>> {
    handles(kind, n, headroom).await.0
}

/// `n` handles whose every lane paces as `pacing`.
async fn paced(kind: Kind, n: usize, headroom: f64, pacing: Pacing) -> Vec<Arc<dyn BudgetStore>> {
    handles_paced(kind, n, headroom, pacing).await.0
}

/// [`stores`], and for Redis one more store on the same account, to read the shared state.
/// Every lane paces evenly.
async fn handles(
    kind: Kind,
    n: usize,
    headroom: f64,
) -> (Vec<Arc<dyn BudgetStore>>, Option<RedisStore>) {
    handles_paced(kind, n, headroom, Pacing::Even).await
}

async fn handles_paced(
    kind: Kind,
    n: usize,
    headroom: f64,
    pacing: Pacing,
) -> (Vec<Arc<dyn BudgetStore>>, Option<RedisStore>) {
    match kind {
        Kind::InProcess => {
            let mut l = Limiter::new(headroom).background_reserve(0.2);
            for lane in Lane::ALL {
                l = l.pacing(lane, pacing);
            }
            let s: Arc<dyn BudgetStore> = Arc::new(InProcessStore::with_limiter(l));
            (vec![s; n], None)
        }
        Kind::Redis => {
            let account = account_name();
            let mut out: Vec<RedisStore> = Vec::new();
            for _ in 0..=n {
                let mut b = RedisStore::builder(redis_url(), account.clone());
                for lane in Lane::ALL {
                    b = b.pacing(lane, pacing);
                }
                let s = b
                    .headroom(headroom)
                    .fallback(RedisFallback::Refuse)
                    .connect()
                    .await
                    .unwrap_or_else(|e| {
                        panic!("{e}: start Redis (scripts/test does) or set ZDKIT_TEST_REDIS")
                    });
                assert!(s.is_shared());
                out.push(s);
            }
            let inspect = out.pop();
            let out = out
                .into_iter()
                .map(|s| Arc::new(s) as Arc<dyn BudgetStore>)
                .collect();
            (out, inspect)
        }
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn account(limit: u32) -> RequestClass {
    RequestClass {
        buckets: vec![BucketSpec::new(
            BucketKey::new(ACCOUNT),
            Some(limit),
            secs(60.0),
        )],
        ..RequestClass::default()
    }
}

fn hdr(limit: u32, remaining: u32, reset: u64) -> Observation {
    Observation {
        headers: RateLimitHeaders {
            account: Some(Window {
                limit: Some(limit),
                remaining: Some(remaining),
                reset: Some(Duration::from_secs(reset)),
            }),
            buckets: vec![],
        },
        status: Some(200),
        retry_after: None,
    }
}

fn ok() -> Observation {
    Observation {
        status: Some(200),
        ..Observation::default()
    }
}

/// Acquire as soon as allowed, `n` times, round-robin over the handles; returns the grant
/// times. Every refusal must point forward.
async fn drain(
    stores: &[Arc<dyn BudgetStore>],
    class: &RequestClass,
    mut now: Timestamp,
    n: usize,
) -> Vec<Timestamp> {
    let mut out = Vec::new();
    let mut i = 0;
    while out.len() < n {
        let s = &stores[i % stores.len()];
        i += 1;
        match s.acquire(now, class).await {
            Ok(p) => {
                out.push(now);
                s.observe(now, &p, &ok()).await;
            }
            Err(w) => {
                assert!(w.at > now || w.after_response, "wait must move forward");
                now = w.at.max(now + Duration::from_millis(1));
            }
        }
    }
    out
}

macro_rules! both {
    ($name:ident, $body:ident) => {
        mod $name {
            use super::*;
            #[test]
            fn in_process() {
                rt().block_on($body(Kind::InProcess));
            }
            #[test]
            fn redis() {
                rt().block_on($body(Kind::Redis));
            }
        }
    };
}

async fn pacing_spreads_evenly(kind: Kind) {
    let s = stores(kind, 3, 0.0).await;
    let class = account(60);
    let times = drain(&s, &class, T0, 60).await;
    for w in times.windows(2) {
        let gap = w[1].saturating_since(w[0]).as_secs_f64();
        // the first gap waits for the probe's response, at most one paced gap
        assert!((gap - 1.0).abs() < 0.05 || gap < 1.0, "gap {gap}");
    }
    assert!(times.last().unwrap().saturating_since(T0) < secs(60.0));
    let Err(w) = s[0].acquire(*times.last().unwrap(), &class).await else {
        panic!("the 61st request should wait for the next window")
    };
    assert_eq!(w.at, T0 + secs(60.0));
    assert_eq!(w.bucket, "account");
}
both!(pacing_spreads_evenly_over_the_window, pacing_spreads_evenly);

async fn learns(kind: Kind) {
    let s = stores(kind, 2, 0.0).await;
    let class = account(200);
    let p = s[0].acquire(T0, &class).await.unwrap();
    s[0].observe(T0, &p, &hdr(700, 699, 29)).await;
    let snap = s[0].snapshot();
    let a = snap.iter().find(|b| b.bucket == "account").unwrap();
    assert_eq!(a.limit, Some(700));
    assert_eq!(a.remaining, 699);
    assert_eq!(a.reset_at, T0 + secs(30.0));
    // Another handle (another process) paces from what the first one learned.
    let Err(w) = s[1].acquire(T0, &class).await else {
        panic!()
    };
    assert!((w.at.saturating_since(T0).as_secs_f64() - 29.0 / 700.0).abs() < 1e-5);
}
both!(learns_limit_and_reset_from_headers, learns);

async fn in_flight(kind: Kind) {
    let s = stores(kind, 2, 0.0).await;
    let class = account(1000);
    let p0 = s[0].acquire(T0, &class).await.unwrap();
    // Until the first response, one request at a time, in every process.
    let w = s[1].acquire(T0, &class).await.unwrap_err();
    assert!(w.after_response || w.at > T0);
    s[0].observe(T0, &p0, &ok()).await;
    let p1 = s[0].acquire(T0 + secs(1.0), &class).await.unwrap();
    let p2 = s[1].acquire(T0 + secs(2.0), &class).await.unwrap();
    let p3 = s[0].acquire(T0 + secs(3.0), &class).await.unwrap();
    // p2's response: 10 left, and p3 (granted later, by another process) is on its way.
    s[1].observe(T0 + secs(3.0), &p2, &hdr(1000, 10, 50)).await;
    let a = |s: &Arc<dyn BudgetStore>| {
        s.snapshot()
            .into_iter()
            .find(|b| b.bucket == "account")
            .unwrap()
    };
    assert_eq!(a(&s[1]).remaining, 9);
    // p1's response arrives late with older figures: ignored.
    s[0].observe(T0 + secs(3.0), &p1, &hdr(1000, 11, 50)).await;
    assert_eq!(a(&s[0]).remaining, 9);
    assert_eq!(a(&s[0]).in_flight, 1);
    s[0].observe(T0 + secs(3.0), &p3, &ok()).await;
    assert_eq!(a(&s[0]).in_flight, 0);
}
both!(in_flight_requests_of_every_process_count, in_flight);

async fn closes_on_429(kind: Kind) {
    let s = stores(kind, 2, 0.0).await;
    let class = account(700);
    let p = s[0].acquire(T0, &class).await.unwrap();
    let mut o = hdr(700, 0, 45);
    o.status = Some(429);
    o.retry_after = Some(secs(45.0));
    s[0].observe(T0, &p, &o).await;
    let Err(w) = s[1].acquire(T0 + secs(10.0), &class).await else {
        panic!()
    };
    assert_eq!(w.at, T0 + secs(46.0));
    assert!(s[1].acquire(T0 + secs(46.0), &class).await.is_ok());
}
both!(a_429_closes_the_bucket_for_everyone, closes_on_429);

async fn per_ticket(kind: Kind) {
    let s = stores(kind, 2, 0.0).await;
    let t1 = RequestClass::classify(&http::Method::PUT, "/api/v2/tickets/1", Plan::HighVolume);
    let t2 = RequestClass::classify(&http::Method::PUT, "/api/v2/tickets/2", Plan::HighVolume);
    let times = drain(&s, &t1, T0, 30).await;
    let last = *times.last().unwrap();
    let Err(w) = s[0].acquire(last, &t1).await else {
        panic!()
    };
    assert_eq!(w.bucket, "tickets-update:1");
    assert_eq!(w.at, T0 + secs(600.0));
    assert!(s[1].acquire(last + secs(1.0), &t2).await.is_ok());
}
both!(scoped_buckets_are_separate, per_ticket);

/// Background work leaves the reserve (20% of the budget for the rest of the window); an
/// interactive request still gets through, and a waiting interactive request holds
/// background work back.
async fn lanes(kind: Kind) {
    let s = stores(kind, 2, 0.0).await;
    let bg = account(100).in_lane(Lane::Background);
    let hi = account(100).in_lane(Lane::Interactive);
    let times = drain(&s[..1], &bg, T0, 45).await;
    let last = *times.last().unwrap();
    let left = (T0 + secs(60.0)).saturating_since(last).as_secs_f64();
    assert!(left > 10.0, "{left}");
    let remaining = s[0]
        .snapshot()
        .into_iter()
        .find(|b| b.bucket == "account")
        .unwrap()
        .remaining;
    assert!(
        f64::from(remaining) >= 20.0 * left / 60.0,
        "background must leave 20% of the rest of the window: {remaining} left, {left} s"
    );
    let hi_times = drain(&s[1..], &hi, last, 1).await;
    assert!(
        hi_times[0] < last + secs(1.0),
        "interactive waits for its paced slot only"
    );
    // Next window: an interactive request refused (paced) holds background back.
    let t = T0 + secs(60.0);
    let p = s[0].acquire(t, &bg).await.unwrap();
    s[0].observe(t, &p, &ok()).await;
    let w = s[1].acquire(t, &hi).await.unwrap_err();
    // Pacing alone would let background go here; the waiting interactive request not.
    let later = w.at + secs(0.2);
    let r = s[0].acquire(later, &bg).await;
    assert!(
        r.is_err(),
        "background must yield to the waiting interactive request"
    );
    assert!(s[1].acquire(later, &hi).await.is_ok());
}
both!(lanes_reserve_and_yield, lanes);

/// Grant and answer as a server would (its remaining counted down from `left`, window end
/// at `end`), round-robin over the handles, all at `now`, until one is refused; returns
/// the grants and the refusal.
async fn burst(
    s: &[Arc<dyn BudgetStore>],
    class: &RequestClass,
    now: Timestamp,
    left: &mut u32,
    end: Timestamp,
) -> (u32, zdkit::ratelimit::WaitUntil) {
    let limit = class.buckets[0].limit.unwrap();
    let mut granted = 0;
    loop {
        let h = &s[granted as usize % s.len()];
        match h.acquire(now, class).await {
            Ok(p) => {
                granted += 1;
                *left = left.saturating_sub(1);
                let reset = end.saturating_since(now).as_secs_f64().ceil() as u64;
                h.observe(now, &p, &hdr(limit, *left, reset)).await;
            }
            Err(w) => return (granted, w),
        }
    }
}

/// Eager: what the headers say remains, less the headroom, goes at once (from every
/// process); then the wait is for the reset (plus the guard), not a paced slot.
async fn eager(kind: Kind) {
    let s = paced(kind, 3, 0.05, Pacing::Eager).await;
    let class = account(60);
    let end = T0 + secs(59.5);
    let mut left = 60;
    // The probe: one request until the first response.
    let p = s[0].acquire(T0, &class).await.unwrap();
    assert!(
        s[1].acquire(T0, &class).await.is_err(),
        "one probe at a time"
    );
    left -= 1;
    s[0].observe(T0 + secs(0.1), &p, &hdr(60, left, 60)).await;
    let t = T0 + secs(0.2);
    let (n, w) = burst(&s, &class, t, &mut left, end).await;
    // 60 - ceil(60 × 0.05) = 57 usable; the probe took one.
    assert_eq!(n, 56);
    assert_eq!(left, 3);
    assert!(!w.after_response);
    // The window ends at T0 + 59.5 s (the probe's `60` is an upper bound; the burst's
    // responses, at 0.2 s, say 60 again: the end stays at T0 + 60.1, plus the guard).
    assert_eq!(w.at, T0 + secs(61.1));
    // Others spent part of the next window (the server says 30 remain): never past it.
    let t2 = T0 + secs(61.1);
    let mut left = 30;
    let p = s[2].acquire(t2, &class).await.unwrap();
    left -= 1;
    s[2].observe(t2, &p, &hdr(60, left, 59)).await;
    let (n, w) = burst(&s, &class, t2, &mut left, t2 + secs(59.0)).await;
    assert_eq!(n, 26, "30 left, 3 kept as headroom, 1 already taken");
    assert!(w.at > t2 + secs(58.0), "{:?}", w.at.saturating_since(t2));
}
both!(eager_spends_what_remains_at_once, eager);

/// Eager background work still leaves the reserve to the other lanes; requests in flight
/// count (never more granted than remain), and the last second before the reported end
/// is not spent.
async fn eager_reserve(kind: Kind) {
    let s = paced(kind, 2, 0.0, Pacing::Eager).await;
    let bg = account(100).in_lane(Lane::Background);
    let normal = account(100);
    let p = s[0].acquire(T0, &bg).await.unwrap();
    s[0].observe(T0, &p, &hdr(100, 99, 30)).await;
    // Granted without answers: in flight, they count.
    let mut held = Vec::new();
    while let Ok(p) = s[(held.len()) % 2].acquire(T0, &bg).await {
        held.push(p);
        assert!(held.len() <= 89);
    }
    // 30 s of the window left: background leaves 20% of the budget pro rata, 10 of 100.
    assert_eq!(held.len(), 89, "background leaves 10 of 100");
    let mut normal_held = 0;
    while s[1].acquire(T0, &normal).await.is_ok() {
        normal_held += 1;
        assert!(normal_held <= 10);
    }
    assert_eq!(normal_held, 10);
    // Past the reported end (T0 + 30 s): budget left (50 reported, 10 in flight), but
    // the server's window may have turned; wait for ours (+ the guard).
    let t = T0 + secs(30.2);
    let p = held.pop().unwrap();
    s[0].observe(t, &p, &hdr(100, 50, 1)).await;
    let w = s[1].acquire(t, &normal).await.unwrap_err();
    assert_eq!(w.at, T0 + secs(31.0));
}
both!(eager_background_leaves_the_reserve, eager_reserve);

/// Responses of one window narrow its end (Zendesk reports whole seconds, rounded up):
/// the earliest bound is kept; the next window's end replaces it.
async fn reset_bounds(kind: Kind) {
    let s = stores(kind, 2, 0.0).await;
    let class = account(1000);
    let reset_at = |s: &Arc<dyn BudgetStore>| {
        s.snapshot()
            .into_iter()
            .find(|b| b.bucket == "account")
            .unwrap()
            .reset_at
    };
    let p = s[0].acquire(T0, &class).await.unwrap();
    s[0].observe(T0, &p, &hdr(1000, 999, 30)).await;
    assert_eq!(reset_at(&s[0]), T0 + secs(31.0));
    let p = s[1].acquire(T0 + secs(0.6), &class).await.unwrap();
    s[1].observe(T0 + secs(0.6), &p, &hdr(1000, 998, 30)).await;
    assert_eq!(
        reset_at(&s[1]),
        T0 + secs(31.0),
        "a later bound is not tighter"
    );
    let p = s[0].acquire(T0 + secs(0.9), &class).await.unwrap();
    s[0].observe(T0 + secs(0.9), &p, &hdr(1000, 997, 29)).await;
    assert_eq!(reset_at(&s[0]), T0 + secs(30.9));
    // A response counted in the server's next window (sent just before our estimate).
    let t = T0 + secs(29.85);
    let p = s[1].acquire(t, &class).await.unwrap();
    s[1].observe(t, &p, &hdr(1000, 999, 60)).await;
    assert_eq!(reset_at(&s[1]), t + secs(61.0));
}
both!(responses_narrow_the_window_end, reset_bounds);

/// Two accounts on one store backend never share a budget.
async fn accounts(kind: Kind) {
    let a = stores(kind, 1, 0.0).await;
    let b = stores(kind, 1, 0.0).await;
    let class = account(10);
    let times = drain(&a, &class, T0, 10).await;
    assert!(a[0].acquire(*times.last().unwrap(), &class).await.is_err());
    assert_eq!(drain(&b, &class, T0, 10).await.len(), 10);
}
both!(two_accounts_do_not_interfere, accounts);

fn never_exceeds(kind: Kind, limit: u32, headroom: f64, n: usize, handles: usize) {
    rt().block_on(async {
        let s = stores(kind, handles, headroom).await;
        let class = account(limit);
        let times = drain(&s, &class, T0, n).await;
        let allowed = limit - ((f64::from(limit) * headroom).ceil() as u32).min(limit - 1);
        for w in 0..=(n as u64) {
            let start = T0 + Duration::from_secs(60 * w);
            let end = start + Duration::from_secs(60);
            let in_window = times.iter().filter(|t| **t >= start && **t < end).count();
            assert!(
                in_window as u32 <= allowed.max(1),
                "{in_window} in window {w}, {allowed} allowed"
            );
        }
    });
}

fn survives(kind: Kind, ops: Vec<(u8, u32, u32, u64, usize)>) {
    rt().block_on(async {
        let (s, inspect) = handles(kind, 2, 0.02).await;
        let class =
            RequestClass::classify(&http::Method::PUT, "/api/v2/tickets/7", Plan::Enterprise);
        let mut now = T0;
        let mut pending: Vec<(usize, Permit)> = Vec::new();
        for (op, a, b, secs_, pick) in ops {
            let h = pick % s.len();
            match op {
                0 | 1 => match s[h].acquire(now, &class).await {
                    Ok(p) => pending.push((h, p)),
                    Err(w) => assert!(w.at > now || w.after_response),
                },
                2 if !pending.is_empty() => {
                    let (h, p) = pending.remove(pick % pending.len());
                    let status = [200u16, 429, 500, 200][pick % 4];
                    let mut o = hdr(a.max(1), b, secs_);
                    o.status = Some(status);
                    o.retry_after = (status == 429).then(|| Duration::from_secs(secs_));
                    s[h].observe(now, &p, &o).await;
                }
                _ => now = now + Duration::from_millis(u64::from(a) * 37),
            }
        }
        for (h, p) in pending.drain(..) {
            s[h].observe(now, &p, &Observation::default()).await;
        }
        let buckets = match &inspect {
            Some(r) => r.shared_state().await.unwrap().buckets,
            None => s[0].snapshot(),
        };
        for b in buckets {
            assert_eq!(b.in_flight, 0, "{}", b.bucket);
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever the interleaving of handles, a bucket never grants more than its limit
    /// (less headroom) in one window.
    #[test]
    fn never_exceeds_the_window_in_process(limit in 1u32..300, headroom in 0.0f64..0.2, n in 1usize..400, handles in 1usize..4) {
        never_exceeds(Kind::InProcess, limit, headroom, n, handles);
    }

    #[test]
    fn never_exceeds_the_window_redis(limit in 1u32..300, headroom in 0.0f64..0.2, n in 1usize..400, handles in 1usize..4) {
        never_exceeds(Kind::Redis, limit, headroom, n, handles);
    }

    /// Any interleaving of grants, responses (any figures, any status, out of order) and
    /// time: no panic, every refusal points forward, nothing stays in flight.
    #[test]
    fn survives_anything_the_server_says_in_process(
        ops in prop::collection::vec((0u8..4, 0u32..800, 0u32..800, 0u64..90, 0usize..8), 1..120),
    ) {
        survives(Kind::InProcess, ops);
    }

    #[test]
    fn survives_anything_the_server_says_redis(
        ops in prop::collection::vec((0u8..4, 0u32..800, 0u32..800, 0u64..90, 0usize..8), 1..120),
    ) {
        survives(Kind::Redis, ops);
    }
}
