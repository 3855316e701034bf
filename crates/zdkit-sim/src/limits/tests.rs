use std::time::Duration;

use http::Method;
use proptest::prelude::*;

use super::*;

/// Aligned to a 10-minute (and so a 1-minute) window boundary.
const T0: u64 = 1_700_000_400;

fn at(secs: u64) -> Timestamp {
    Timestamp::from_unix_secs(T0 + secs)
}

fn at_ms(ms: u64) -> Timestamp {
    Timestamp::from_unix_secs(T0) + Duration::from_millis(ms)
}

fn get(path: &str) -> RequestKey {
    RequestKey::new(Method::GET, path, Some(1))
}

fn put_ticket(user: u64, ticket: u64) -> RequestKey {
    RequestKey::new(
        Method::PUT,
        &format!("/api/v2/tickets/{ticket}.json"),
        Some(user),
    )
}

fn num(a: &Admission, name: &str) -> u64 {
    a.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("header {name} missing or not a number: {:?}", a.headers))
}

/// `(total, remaining, resets)` of `zendesk-ratelimit-<bucket>`.
fn bucket(a: &Admission, name: &str) -> (u64, u64, u64) {
    let raw = a
        .headers
        .get(format!("zendesk-ratelimit-{name}"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header: {:?}", a.headers));
    let mut out = [None; 3];
    for part in raw.split(';') {
        let (k, v) = part.trim().split_once('=').expect("k=v");
        let i = ["total", "remaining", "resets"]
            .iter()
            .position(|x| *x == k)
            .expect("known key");
        out[i] = v.parse().ok();
    }
    (out[0].unwrap(), out[1].unwrap(), out[2].unwrap())
}

fn admit_n(l: &mut RateLimiter, now: Timestamp, req: &RequestKey, n: u32) -> Admission {
    let mut last = Admission::default();
    for i in 0..n {
        last = l.admit(now, req);
        assert!(last.rejected.is_none(), "request {i} rejected: {last:?}");
    }
    last
}

#[test]
fn incremental_exports_eleventh_request_waits_for_the_minute() {
    let mut l = RateLimiter::new(Plan::Enterprise, 0);
    let req = get("/api/v2/incremental/tickets/cursor.json");
    for i in 0..10u64 {
        let a = l.admit(at(5), &req);
        assert!(a.rejected.is_none());
        assert_eq!(bucket(&a, "incremental-exports"), (10, 9 - i, 55));
        assert_eq!(num(&a, "x-rate-limit-remaining"), 699 - i);
        assert_eq!(a.charged, ["account", "incremental-exports"]);
    }
    let a = l.admit(at(5), &req);
    let r = a.rejected.clone().expect("11th is rejected");
    assert_eq!(r.bucket, "incremental-exports");
    assert_eq!(r.retry_after_secs, 55);
    assert!(!r.account);
    assert_eq!(num(&a, "retry-after"), 55);
    assert_eq!(bucket(&a, "incremental-exports"), (10, 0, 55));
    assert_eq!(
        num(&a, "x-rate-limit-remaining"),
        690,
        "rejection charges nothing"
    );
    assert!(a.charged.is_empty());
    let (ct, body) = r.body();
    assert!(ct.starts_with("application/json"));
    assert_eq!(
        body,
        r#"{"description":"Number of allowed incremental export API requests per minute exceeded","error":"APIRateLimitExceeded"}"#
    );
    assert!(l.admit(at(59), &req).rejected.is_some());
    let a = l.admit(at(5 + 55), &req);
    assert!(a.rejected.is_none());
    assert_eq!(bucket(&a, "incremental-exports"), (10, 9, 60));
}

#[test]
fn fractional_now_rounds_retry_after_up() {
    let mut l = RateLimiter::new(Plan::Enterprise, 0);
    let req = get("/api/v2/incremental/users");
    admit_n(&mut l, at_ms(5_500), &req, 10);
    let r = l.admit(at_ms(5_500), &req).rejected.unwrap();
    assert_eq!(r.retry_after_secs, 55);
    assert!(l.admit(at_ms(59_999), &req).rejected.is_some());
    assert!(l.admit(at_ms(5_500 + 55_000), &req).rejected.is_none());
}

#[test]
fn account_bucket_rejects_in_plain_text() {
    let mut l = RateLimiter::new(Plan::Team, 0);
    let req = get("/api/v2/users");
    let a = admit_n(&mut l, at(20), &req, 200);
    assert_eq!(num(&a, "x-rate-limit"), 200);
    assert_eq!(num(&a, "x-rate-limit-remaining"), 0);
    assert_eq!(num(&a, "ratelimit-remaining"), 0);
    assert_eq!(num(&a, "ratelimit-reset"), 40);
    let a = l.admit(at(20), &req);
    let r = a.rejected.clone().unwrap();
    assert!(r.account);
    assert_eq!((r.bucket.as_str(), r.retry_after_secs), ("account", 40));
    assert_eq!(
        r.body(),
        (
            "text/plain; charset=utf-8",
            "Number of allowed API requests per minute exceeded".to_string()
        )
    );
    assert_eq!(num(&a, "retry-after"), num(&a, "ratelimit-reset"));
    let a = l.admit(at(60), &req);
    assert!(a.rejected.is_none());
    assert_eq!(num(&a, "x-rate-limit-remaining"), 199);
}

#[test]
fn tickets_update_is_per_user_and_ticket_over_ten_minutes() {
    let mut l = RateLimiter::new(Plan::Enterprise, 0);
    admit_n(&mut l, at(100), &put_ticket(1, 7), 30);
    let a = l.admit(at(100), &put_ticket(1, 7));
    let r = a.rejected.clone().unwrap();
    assert_eq!(r.bucket, "tickets-update");
    assert_eq!(
        r.retry_after_secs, 500,
        "the 10-minute window ends at T0+600"
    );
    assert_eq!(bucket(&a, "tickets-update"), (30, 0, 500));
    assert!(r.description.contains("per 10 minutes"));
    // Other users and other tickets are not affected.
    assert!(l.admit(at(100), &put_ticket(2, 7)).rejected.is_none());
    assert!(l.admit(at(100), &put_ticket(1, 8)).rejected.is_none());
    // Still closed one second before the window ends, even across minute windows.
    assert!(l.admit(at(599), &put_ticket(1, 7)).rejected.is_some());
    let a = l.admit(at(600), &put_ticket(1, 7));
    assert!(a.rejected.is_none());
    // The fresh (user, ticket) window shows 29 left, the account limit 99: 29 is tighter.
    assert_eq!(bucket(&a, "tickets-update"), (30, 29, 600));
}

#[test]
fn tickets_update_account_limit_is_per_minute() {
    let mut l = RateLimiter::new(Plan::Enterprise, 0);
    for t in 0..100 {
        assert!(l.admit(at(10), &put_ticket(1, t)).rejected.is_none());
    }
    let a = l.admit(at(10), &put_ticket(1, 1000));
    let r = a.rejected.clone().unwrap();
    assert_eq!(
        (r.bucket.as_str(), r.retry_after_secs),
        ("tickets-update", 50)
    );
    assert_eq!(bucket(&a, "tickets-update"), (100, 0, 50));
    assert!(l.admit(at(60), &put_ticket(1, 1000)).rejected.is_none());

    let mut hv = RateLimiter::new(Plan::HighVolume, 0);
    for t in 0..300 {
        assert!(hv.admit(at(10), &put_ticket(1, t)).rejected.is_none());
    }
    assert!(hv.admit(at(10), &put_ticket(1, 1000)).rejected.is_some());
}

#[test]
fn search_buckets() {
    let mut l = RateLimiter::new(Plan::Enterprise, 0);
    let export = get("/api/v2/search/export");
    admit_n(&mut l, at(0), &export, 100);
    let r = l.admit(at(0), &export).rejected.unwrap();
    assert_eq!(
        (r.bucket.as_str(), r.retry_after_secs),
        ("search-export", 60)
    );
    let a = l.admit(at(0), &get("/api/v2/search"));
    assert_eq!(bucket(&a, "search-index"), (2500, 2499, 60));

    // Enterprise Plus: account and search-index are both 2500; the endpoint bucket is named.
    let mut l = RateLimiter::new(Plan::EnterprisePlus, 0);
    admit_n(&mut l, at(0), &get("/api/v2/search"), 2500);
    let r = l.admit(at(0), &get("/api/v2/search")).rejected.unwrap();
    assert_eq!(r.bucket, "search-index");
}

#[test]
fn tickets_index_size_is_configurable() {
    let mut l = RateLimiter::new(Plan::Enterprise, 0);
    let a = l.admit(at(0), &get("/api/v2/tickets.json"));
    assert_eq!(bucket(&a, "tickets-index"), (100_000, 99_999, 60));
    l.set_tickets_index_rpm(100);
    admit_n(&mut l, at(1), &get("/api/v2/tickets"), 99);
    let r = l.admit(at(1), &get("/api/v2/tickets")).rejected.unwrap();
    assert_eq!(
        (r.bucket.as_str(), r.retry_after_secs),
        ("tickets-index", 59)
    );
}

#[test]
fn small_endpoint_buckets() {
    let mut l = RateLimiter::new(Plan::Enterprise, 0);
    admit_n(&mut l, at(0), &get("/api/v2/deleted_tickets"), 10);
    let r = l
        .admit(at(0), &get("/api/v2/deleted_tickets"))
        .rejected
        .unwrap();
    assert_eq!(r.bucket, "deleted-tickets-index");

    let put_user = |id: u64| RequestKey::new(Method::PUT, &format!("/api/v2/users/{id}"), Some(1));
    assert!(l.admit(at(0), &put_user(5)).rejected.is_none());
    let r = l.admit(at(0), &put_user(6)).rejected.unwrap();
    assert_eq!(
        (r.bucket.as_str(), r.retry_after_secs),
        ("create-update-user", 1)
    );
    assert!(r.description.ends_with("per second exceeded"));
    for s in 1..5 {
        assert!(l.admit(at(s), &put_user(5)).rejected.is_none());
    }
    let r = l.admit(at(5), &put_user(5)).rejected.unwrap();
    assert_eq!(r.retry_after_secs, 55, "5 per minute per user profile");
}

#[test]
fn rejections_charge_no_bucket() {
    let mut l = RateLimiter::new(Plan::Team, 0);
    let req = get("/api/v2/incremental/tickets");
    admit_n(&mut l, at(0), &req, 10);
    for _ in 0..500 {
        assert!(l.admit(at(0), &req).rejected.is_some());
    }
    let a = l.admit(at(0), &get("/api/v2/users"));
    assert_eq!(num(&a, "x-rate-limit-remaining"), 200 - 11);
}

#[test]
fn background_consumers_use_the_account_budget() {
    let mut l = RateLimiter::new(Plan::Enterprise, 600);
    let req = get("/api/v2/users");
    // 600/min evenly spread: 300 used after 30 s.
    let a = l.admit(at(30), &req);
    assert_eq!(num(&a, "x-rate-limit-remaining"), 700 - 301);
    // At the start of the next window only our own requests count... none yet.
    let a = l.admit(at(60), &req);
    assert_eq!(num(&a, "x-rate-limit-remaining"), 699);
    // Background at twice the limit: the account is full half way through each minute.
    let mut l = RateLimiter::new(Plan::Team, 400);
    assert!(l.admit(at_ms(29_900), &req).rejected.is_none());
    let r = l.admit(at(30), &req).rejected.unwrap();
    assert!(r.account);
    assert_eq!(r.retry_after_secs, 30);
    assert!(l.admit(at(60), &req).rejected.is_none());
}

#[test]
fn unlimited_plan_advertises_a_very_high_limit_and_never_rejects() {
    let mut l = RateLimiter::new(Plan::Unlimited, 10_000);
    for i in 0..100 {
        let a = l.admit(at(0), &get("/api/v2/incremental/tickets"));
        assert!(a.rejected.is_none());
        assert_eq!(num(&a, "x-rate-limit"), u64::from(UNLIMITED_RPM));
        assert_eq!(num(&a, "ratelimit-limit"), u64::from(UNLIMITED_RPM));
        assert_eq!(
            num(&a, "x-rate-limit-remaining"),
            u64::from(UNLIMITED_RPM) - i - 1
        );
        // No endpoint bucket: 100 incremental requests in a minute are fine.
        assert!(a
            .headers
            .keys()
            .all(|k| !k.as_str().starts_with("zendesk-ratelimit")));
    }
    assert_eq!(
        num_of(&l.account_headers(at(0)), "x-rate-limit"),
        Some(u64::from(UNLIMITED_RPM))
    );
}

#[test]
fn plan_changes_and_reset_apply_at_run_time() {
    let mut l = RateLimiter::new(Plan::Enterprise, 0);
    let req = get("/api/v2/users");
    admit_n(&mut l, at(0), &req, 250);
    l.set_plan(Plan::Team);
    let a = l.admit(at(0), &req);
    assert!(a.rejected.unwrap().account);
    assert_eq!(num_of(&l.account_headers(at(0)), "x-rate-limit"), Some(200));
    l.reset();
    let a = l.admit(at(0), &req);
    assert_eq!(num(&a, "x-rate-limit-remaining"), 199);
    let peek = l.account_headers(at(0));
    assert_eq!(
        peek.get("x-rate-limit-remaining").unwrap(),
        "199",
        "peeking charges nothing"
    );
    let snap = l.snapshot(at(0));
    assert_eq!(snap.settings.plan, Plan::Team);
    assert_eq!(snap.buckets[0].bucket, "account");
    assert_eq!((snap.buckets[0].used, snap.buckets[0].remaining), (1, 199));
}

#[test]
fn snapshot_lists_live_endpoint_windows() {
    let mut l = RateLimiter::new(Plan::Enterprise, 0);
    l.admit(at(0), &put_ticket(3, 9));
    let snap = l.snapshot(at(30));
    let ids: Vec<_> = snap.buckets.iter().map(|b| b.limit_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "account",
            "tickets-update-account",
            "tickets-update-user-ticket"
        ]
    );
    assert_eq!(snap.buckets[2].scope, Some([3, 9]));
    assert_eq!(snap.buckets[2].resets_in_secs, 570);
    assert_eq!(
        l.snapshot(at(61)).buckets.len(),
        2,
        "the minute window has ended"
    );
}

fn num_of(h: &HeaderMap, name: &str) -> Option<u64> {
    h.get(name)?.to_str().ok()?.parse().ok()
}

const PATHS: [(&str, &str); 6] = [
    ("GET", "/api/v2/incremental/tickets/cursor"),
    ("GET", "/api/v2/tickets"),
    ("PUT", "/api/v2/tickets/1"),
    ("PUT", "/api/v2/tickets/2"),
    ("GET", "/api/v2/search/export"),
    ("GET", "/api/v2/users/me"),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn limiter_invariants(
        plan_i in 0usize..6,
        background in prop_oneof![Just(0u32), 0u32..3000],
        ops in proptest::collection::vec((0u64..4000, 0usize..PATHS.len(), 1u64..3, 1u32..40), 1..60),
    ) {
        let plan = Plan::ALL[plan_i];
        let limit = u64::from(plan.account_rpm().unwrap());
        let background = background.min(limit as u32);
        let mut l = RateLimiter::new(plan, background);
        let mut now = at(0);
        // Model of our own requests charged to the account bucket, per minute window.
        let mut window = now.unix_secs() / 60;
        let mut admitted_in_window = 0u64;
        for (advance_ms, path_i, user, burst) in ops {
            now = now + Duration::from_millis(advance_ms);
            if now.unix_secs() / 60 != window {
                window = now.unix_secs() / 60;
                admitted_in_window = 0;
            }
            let (m, p) = PATHS[path_i];
            let req = RequestKey::new(m.parse().unwrap(), p, Some(user));
            for _ in 0..burst {
                let a = l.admit(now, &req);
                let h = &a.headers;
                let total = num_of(h, "x-rate-limit").unwrap();
                let remaining = num_of(h, "x-rate-limit-remaining").unwrap();
                prop_assert_eq!(total, limit);
                prop_assert!(remaining <= total);
                prop_assert_eq!(num_of(h, "ratelimit-limit"), Some(total));
                prop_assert_eq!(num_of(h, "ratelimit-remaining"), Some(remaining));
                let reset = num_of(h, "ratelimit-reset").unwrap();
                prop_assert!((1..=60).contains(&reset));
                prop_assert_eq!(reset, 60 - now.unix_secs() % 60);
                if a.rejected.is_none() {
                    admitted_in_window += 1;
                }
                if background == 0 {
                    prop_assert_eq!(remaining + admitted_in_window, total, "remaining + used == total");
                }
                if let Some(r) = a.rejected {
                    prop_assert!(r.retry_after_secs > 0);
                    prop_assert_eq!(num_of(h, "retry-after"), Some(r.retry_after_secs));
                    let later = now + Duration::from_secs(r.retry_after_secs);
                    let mut probe = l.clone();
                    let again = probe.admit(later, &req);
                    if background == 0 {
                        prop_assert!(again.rejected.is_none(), "{:?} at +{}", again.rejected, r.retry_after_secs);
                    } else if let Some(r2) = again.rejected {
                        prop_assert_ne!(r2.bucket, r.bucket);
                    }
                    // One second earlier the same bucket is still full.
                    if r.retry_after_secs > 1 {
                        let earlier = now + Duration::from_secs(r.retry_after_secs - 1);
                        let mut probe = l.clone();
                        prop_assert!(probe.admit(earlier, &req).rejected.is_some());
                    }
                }
            }
        }
    }
}
