//! The limiter against a server with Zendesk's window semantics: 16 tasks sharing one client
//! issue 3,000 GETs against a 700/min bucket. Zero 429s, and within 3% of the minimum time.

mod common;

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::lockstep::Lockstep;
use common::{clock, json, with_header, Action, Mock, T0};
use zdkit::{Client, Credentials};

const LIMIT: u32 = 700;
const WINDOW: u64 = 60;

/// A fixed-window account limiter like Zendesk's: `ratelimit-reset` is the whole seconds
/// left (rounded down, the harder case for a client), 429 with `Retry-After` when spent.
async fn zendesk_like(clock: zdkit::SharedClock, rejected: Arc<AtomicU32>) -> Mock {
    let state = Mutex::new((0u64, 0u32)); // (window index, used)
    let c = clock.clone();
    Mock::start(clock, move |_| {
        let now = c.now().since_epoch();
        let window = now.as_secs() / WINDOW;
        let left = Duration::from_secs((window + 1) * WINDOW).saturating_sub(now);
        let mut st = state.lock().unwrap();
        if st.0 != window {
            *st = (window, 0);
        }
        if st.1 >= LIMIT {
            rejected.fetch_add(1, Ordering::SeqCst);
            let ra = left.as_secs_f64().ceil() as u64;
            return with_header(
                json(429, r#"{"error":"APIRateLimitExceeded"}"#),
                "Retry-After",
                &ra.to_string(),
            );
        }
        st.1 += 1;
        let remaining = (LIMIT - st.1).to_string();
        let mut a: Action = json(200, r#"{"user":{"id":1}}"#);
        for (k, v) in [
            ("X-Rate-Limit", LIMIT.to_string()),
            ("X-Rate-Limit-Remaining", remaining.clone()),
            ("ratelimit-limit", LIMIT.to_string()),
            ("ratelimit-remaining", remaining),
            ("ratelimit-reset", left.as_secs().to_string()),
        ] {
            a = with_header(a, k, &v);
        }
        a
    })
    .await
}

/// Runs `total` GETs from `tasks` tasks sharing one client; returns (elapsed virtual
/// seconds, sorted send offsets, 429 count, stats).
async fn run(
    clock: zdkit::SharedClock,
    lockstep: Option<Lockstep>,
    tasks: usize,
    total: usize,
) -> (f64, Vec<f64>, u32, zdkit::ClientStats) {
    let rejected = Arc::new(AtomicU32::new(0));
    let mock = zendesk_like(clock.clone(), rejected.clone()).await;
    let client = Client::builder()
        .base_url(mock.url())
        .credentials(Credentials::oauth(
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ))
        .clock(clock)
        .build()
        .unwrap();
    let left = Arc::new(AtomicUsize::new(total));
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let (client, left, lockstep) = (client.clone(), left.clone(), lockstep.clone());
        handles.push(tokio::spawn(async move {
            while left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                client.get("/api/v2/users/1.json").send().await.unwrap();
            }
            if let Some(l) = lockstep {
                l.leave();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let mut at: Vec<f64> = mock
        .requests()
        .iter()
        .map(|r| r.at.saturating_since(T0).as_secs_f64())
        .collect();
    at.sort_by(f64::total_cmp);
    assert_eq!(at.len(), total + rejected.load(Ordering::SeqCst) as usize);
    (
        *at.last().unwrap(),
        at,
        rejected.load(Ordering::SeqCst),
        client.stats(),
    )
}

fn worst_second(at: &[f64]) -> usize {
    (0..at.len())
        .map(|i| at[i..].iter().take_while(|u| **u < at[i] + 1.0).count())
        .max()
        .unwrap_or(0)
}

const MINIMUM: f64 = 3000.0 / LIMIT as f64 * 60.0;

/// Time stands still while requests are in flight: the pacing itself is measured.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_tasks_3000_gets_700_per_minute_no_429_within_3_percent() {
    let lockstep = Lockstep::new(T0, 16);
    let (elapsed, at, rejected, stats) =
        run(Arc::new(lockstep.clone()), Some(lockstep), 16, 3000).await;
    assert_eq!(rejected, 0, "429s: {stats:?}");
    assert_eq!(stats.rate_limited, 0);
    assert!(
        elapsed <= 1.03 * MINIMUM,
        "took {elapsed:.1} s of virtual time; minimum {MINIMUM:.1} s; {stats:?}"
    );
    // Spread, not burst: no 1-second span holds more than the even rate (+1 for the edges).
    let per_sec = f64::from(LIMIT) / 60.0;
    let worst = worst_second(&at);
    assert!(
        (worst as f64) <= per_sec + 1.0,
        "burst of {worst} in one second"
    );
}

/// Virtual time races ahead while requests are in flight (an auto-advancing clock and real
/// sockets): requests reach the server later than the limiter granted them, out of order.
/// Still no 429, and still close to the minimum.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_429_when_virtual_time_races_ahead_of_the_network() {
    let c = clock();
    let (elapsed, at, rejected, stats) = run(c.shared(), None, 16, 3000).await;
    assert_eq!(rejected, 0, "429s: {stats:?}");
    assert!(
        elapsed <= 1.05 * MINIMUM,
        "took {elapsed:.1} s; minimum {MINIMUM:.1} s; {stats:?}"
    );
    assert!(worst_second(&at) <= 40);
}
