//! The limiter driven on a manual timestamp.

use super::*;
use crate::ratelimit::headers::Window;
use crate::ratelimit::{BucketSpec, Plan};
use http::Method;
use proptest::prelude::*;

const T0: Timestamp = Timestamp::from_unix_secs(1_000_000);

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
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

fn hdr(limit: u32, remaining: u32, reset: u64) -> RateLimitHeaders {
    RateLimitHeaders {
        account: Some(Window {
            limit: Some(limit),
            remaining: Some(remaining),
            reset: Some(Duration::from_secs(reset)),
        }),
        buckets: vec![],
    }
}

/// Acquire as soon as allowed, `n` times; returns the grant times.
fn drain(l: &mut Limiter, class: &RequestClass, mut now: Timestamp, n: usize) -> Vec<Timestamp> {
    let mut out = Vec::new();
    while out.len() < n {
        match l.acquire(now, class) {
            Ok(p) => {
                out.push(now);
                l.observe(now, &p, &RateLimitHeaders::default(), Some(200), None);
            }
            Err(w) => {
                assert!(w.at > now, "wait must move forward");
                now = w.at;
            }
        }
    }
    out
}

#[test]
fn pacing_spreads_evenly_over_the_window() {
    let mut l = Limiter::new(0.0);
    let class = account(60);
    let times = drain(&mut l, &class, T0, 60);
    let gaps: Vec<f64> = times
        .windows(2)
        .map(|w| w[1].saturating_since(w[0]).as_secs_f64())
        .collect();
    for g in &gaps {
        assert!((*g - 60.0 / 60.0).abs() < 0.05, "gap {g}");
    }
    // The 61st request waits for the next window.
    let last = *times.last().unwrap();
    let Err(w) = l.acquire(last, &class) else {
        panic!("should wait")
    };
    assert_eq!(w.at, T0 + secs(60.0));
    assert_eq!(w.bucket, "account");
}

/// A sender that always wakes late (a coarse timer, a busy runtime, a fast virtual clock)
/// still spends the window: the schedule is kept, not pushed back by every late wake-up,
/// and the catch-up is a few requests back to back, never a burst.
#[test]
fn late_wake_ups_catch_up_without_bursting() {
    let mut l = Limiter::new(0.0);
    let class = account(60);
    let reset = T0 + secs(60.0);
    let mut now = T0;
    let mut times = Vec::new();
    while now < reset {
        match l.acquire(now, &class) {
            Ok(p) => {
                times.push(now);
                l.observe(now, &p, &RateLimitHeaders::default(), Some(200), None);
            }
            // Every wait ends 1.5 s late; the spacing is 1 s.
            Err(w) => now = w.at + secs(1.5),
        }
    }
    assert!(times.len() >= 58, "only {} of 60 sent", times.len());
    let most_at_once = times
        .chunk_by(|a, b| a == b)
        .map(<[Timestamp]>::len)
        .max()
        .unwrap_or(0);
    assert!(
        most_at_once <= CATCH_UP_SLOTS as usize + 1,
        "{most_at_once} at once"
    );
}

#[test]
fn headroom_is_left_unused() {
    let mut l = Limiter::new(0.05);
    let class = account(100);
    let times = drain(&mut l, &class, T0, 95);
    assert!(times.last().unwrap().saturating_since(T0) < secs(60.0));
    let Err(w) = l.acquire(*times.last().unwrap(), &class) else {
        panic!()
    };
    assert_eq!(w.at, T0 + secs(60.0));
}

#[test]
fn learns_a_different_limit_and_reset_from_headers() {
    let mut l = Limiter::new(0.0);
    let class = account(200);
    let p = l.acquire(T0, &class).unwrap();
    // The server says: 700/min, 699 left, resets in 29 s.
    l.observe(T0, &p, &hdr(700, 699, 29), Some(200), None);
    let snap = &l.snapshot()[0];
    assert_eq!(snap.limit, Some(700));
    assert_eq!(snap.remaining, 699);
    assert_eq!(snap.reset_at, T0 + secs(30.0));
    // Next allowed: 699 to place evenly before the reported reset (29 s; the guard
    // second only delays the roll).
    let Err(w) = l.acquire(T0, &class) else {
        panic!()
    };
    assert!((w.at.saturating_since(T0).as_secs_f64() - 29.0 / 700.0).abs() < 1e-6);
}

#[test]
fn in_flight_requests_are_subtracted_from_remaining() {
    let mut l = Limiter::new(0.0);
    let class = account(1000);
    let p0 = l.acquire(T0, &class).unwrap();
    // Until the first response, one request at a time.
    assert!(l.acquire(T0, &class).unwrap_err().after_response);
    l.observe(T0, &p0, &RateLimitHeaders::default(), Some(200), None);
    let p1 = l.acquire(T0 + secs(1.0), &class).unwrap();
    let p2 = l.acquire(T0 + secs(2.0), &class).unwrap();
    let _p3 = l.acquire(T0 + secs(3.0), &class).unwrap();
    // p2's response: 10 left, and p3 (granted later) is still on its way.
    l.observe(T0 + secs(3.0), &p2, &hdr(1000, 10, 50), Some(200), None);
    assert_eq!(l.snapshot()[0].remaining, 9);
    // p1's response arrives late with older figures: ignored.
    l.observe(T0 + secs(3.0), &p1, &hdr(1000, 11, 50), Some(200), None);
    assert_eq!(l.snapshot()[0].remaining, 9);
    assert_eq!(l.snapshot()[0].in_flight, 1);
}

#[test]
fn a_429_closes_the_bucket_until_retry_after() {
    let mut l = Limiter::new(0.0);
    let class = account(700);
    let p = l.acquire(T0, &class).unwrap();
    l.observe(T0, &p, &hdr(700, 0, 45), Some(429), Some(secs(45.0)));
    let Err(w) = l.acquire(T0 + secs(10.0), &class) else {
        panic!()
    };
    assert_eq!(w.at, T0 + secs(46.0)); // reset 45 + guard
    let Err(w) = l.acquire(T0 + secs(45.5), &class) else {
        panic!()
    };
    assert!(w.at > T0 + secs(45.5));
    assert!(l.acquire(T0 + secs(46.0), &class).is_ok());
}

#[test]
fn a_429_without_headers_closes_until_retry_after() {
    let mut l = Limiter::new(0.0);
    let class = account(700);
    let p = l.acquire(T0, &class).unwrap();
    l.observe(
        T0,
        &p,
        &RateLimitHeaders::default(),
        Some(429),
        Some(secs(7.0)),
    );
    let Err(w) = l.acquire(T0 + secs(1.0), &class) else {
        panic!()
    };
    assert_eq!(w.at, T0 + secs(7.0));
    // The window was pushed past the close, so a fresh window starts after it.
    assert!(l.acquire(T0 + secs(7.0), &class).is_ok());
}

#[test]
fn per_ticket_update_bucket_is_separate_per_ticket() {
    let mut l = Limiter::new(0.0);
    let t1 = RequestClass::classify(&Method::PUT, "/api/v2/tickets/1", Plan::HighVolume);
    let t2 = RequestClass::classify(&Method::PUT, "/api/v2/tickets/2", Plan::HighVolume);
    // 30 updates per 10 minutes per ticket: the 31st waits for the next window.
    let times = drain(&mut l, &t1, T0, 30);
    assert!(times.last().unwrap().saturating_since(T0) < secs(600.0));
    let Err(w) = l.acquire(*times.last().unwrap(), &t1) else {
        panic!()
    };
    assert_eq!(w.bucket, "tickets-update:1");
    assert_eq!(w.at, T0 + secs(600.0));
    // Ticket 2 is not held back by ticket 1's budget (only paced by the shared buckets).
    assert!(l.acquire(*times.last().unwrap() + secs(1.0), &t2).is_ok());
}

#[test]
fn a_shared_header_name_teaches_the_limit_it_describes() {
    let mut l = Limiter::new(0.0);
    let t42 = RequestClass::classify(&Method::PUT, "/api/v2/tickets/42", Plan::Enterprise);
    let t43 = RequestClass::classify(&Method::PUT, "/api/v2/tickets/43", Plan::Enterprise);
    let per_ticket = |remaining, resets| RateLimitHeaders {
        account: None,
        buckets: vec![(
            "tickets-update".into(),
            Window {
                limit: Some(30),
                remaining: Some(remaining),
                reset: Some(Duration::from_secs(resets)),
            },
        )],
    };
    let p = l.acquire(T0, &t42).unwrap();
    l.observe(T0, &p, &per_ticket(29, 599), Some(200), None);
    let snap = l.snapshot();
    let get = |name: &str| snap.iter().find(|s| s.bucket == name).unwrap().clone();
    assert_eq!(
        get("tickets-update").limit,
        Some(100),
        "the account-wide limit is untouched"
    );
    assert_eq!(get("tickets-update:42").remaining, 29);
    // Paced: 29 more spread over 599 s. A 429 on ticket 42's own limit closes it alone.
    let p = l.acquire(T0 + secs(21.0), &t42).unwrap();
    l.observe(
        T0 + secs(21.0),
        &p,
        &per_ticket(0, 598),
        Some(429),
        Some(secs(598.0)),
    );
    let Err(w) = l.acquire(T0 + secs(22.0), &t42) else {
        panic!("ticket 42 should be closed")
    };
    assert_eq!(w.bucket, "tickets-update:42");
    assert!(l.acquire(T0 + secs(22.0), &t43).is_ok());
}

#[test]
fn unpublished_limits_are_enforced_once_reported() {
    let mut l = Limiter::new(0.0);
    let class = RequestClass::classify(&Method::GET, "/api/v2/tickets", Plan::Custom(100_000));
    for i in 0..50 {
        let p = l.acquire(T0 + secs(i as f64 * 0.001), &class).unwrap();
        l.observe(T0, &p, &RateLimitHeaders::default(), Some(200), None);
    }
    let p = l.acquire(T0 + secs(1.0), &class).unwrap();
    let h = RateLimitHeaders {
        account: None,
        buckets: vec![(
            "tickets-index".into(),
            Window {
                limit: Some(100),
                remaining: Some(0),
                reset: Some(Duration::from_secs(20)),
            },
        )],
    };
    l.observe(T0 + secs(1.0), &p, &h, Some(200), None);
    let Err(w) = l.acquire(T0 + secs(1.0), &class) else {
        panic!()
    };
    assert_eq!(w.bucket, "tickets-index");
    assert_eq!(w.at, T0 + secs(22.0));
}

proptest! {
    /// Any interleaving of grants, responses (any figures, any status, out of order)
    /// and time: no panic, every refusal points forward or at a pending response, and
    /// nothing stays in flight once every response is in.
    #[test]
    fn survives_anything_the_server_says(
        ops in prop::collection::vec((0u8..4, 0u32..800, 0u32..800, 0u64..90, 0usize..8), 1..200),
    ) {
        let mut l = Limiter::new(0.02);
        let class = RequestClass::classify(&Method::PUT, "/api/v2/tickets/7", Plan::Enterprise);
        let mut now = T0;
        let mut pending: Vec<Permit> = Vec::new();
        for (op, a, b, secs_, pick) in ops {
            match op {
                0 | 1 => match l.acquire(now, &class) {
                    Ok(p) => pending.push(p),
                    Err(w) => prop_assert!(w.at > now || w.after_response),
                },
                2 if !pending.is_empty() => {
                    let p = pending.remove(pick % pending.len());
                    let status = [200u16, 429, 500, 200][pick % 4];
                    let h = hdr(a.max(1), b, secs_);
                    l.observe(now, &p, &h, Some(status), (status == 429).then(|| Duration::from_secs(secs_)));
                }
                _ => now = now + Duration::from_millis(u64::from(a) * 37),
            }
        }
        for p in pending.drain(..) {
            l.observe(now, &p, &RateLimitHeaders::default(), None, None);
        }
        for s in l.snapshot() {
            prop_assert_eq!(s.in_flight, 0);
        }
    }

    /// Whatever the server reports, a bucket never grants more than its limit
    /// (less headroom) in one window, and every wait moves forward.
    #[test]
    fn never_exceeds_the_window(limit in 1u32..300, headroom in 0.0f64..0.2, n in 1usize..400) {
        let mut l = Limiter::new(headroom);
        let class = account(limit);
        let times = drain(&mut l, &class, T0, n);
        let allowed = limit - ((f64::from(limit) * headroom).ceil() as u32).min(limit - 1);
        for w in 0..=(n as u64) {
            let start = T0 + Duration::from_secs(60 * w);
            let end = start + Duration::from_secs(60);
            let in_window = times.iter().filter(|t| **t >= start && **t < end).count();
            prop_assert!(in_window as u32 <= allowed.max(1));
        }
    }
}
