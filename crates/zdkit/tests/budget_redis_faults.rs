//! The Redis store when Redis fails: each test runs its OWN `redis-server` on a free
//! loopback port (never the shared one), stops it and starts it again.
//!
//! Failure is never an outage: unreachable at start → refused or paced locally (by
//! policy); gone mid-run → local pacing at once, and the shared budget rejoined when
//! Redis answers again; a permit whose holder died is returned when its lease expires.
#![cfg(feature = "redis")]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use zdkit::ratelimit::{
    BucketKey, BucketSpec, BudgetStore, Observation, RedisFallback, RedisStore, RequestClass,
    ACCOUNT,
};
use zdkit::Timestamp;

const T0: Timestamp = Timestamp::from_unix_secs(2_000_000);

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A private `redis-server` (no persistence), stopped when dropped.
struct OwnRedis {
    port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    fn start(port: u16) -> OwnRedis {
        use std::io::BufRead;
        let mut child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .args(["--logfile", ""])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/test checks it)");
        // Ready once it says so (reading its log blocks; no timer involved).
        let out = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(out).lines();
        loop {
            match lines.next() {
                Some(Ok(l)) if l.contains("Ready to accept connections") => break,
                Some(Ok(_)) => {}
                _ => panic!("redis-server did not start on port {port}"),
            }
        }
        // Keep draining its log so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        OwnRedis {
            port,
            child: Some(child),
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

fn account(limit: u32) -> RequestClass {
    RequestClass {
        buckets: vec![BucketSpec::new(
            BucketKey::new(ACCOUNT),
            Some(limit),
            Duration::from_secs(60),
        )],
        ..RequestClass::default()
    }
}

fn ok() -> Observation {
    Observation {
        status: Some(200),
        ..Observation::default()
    }
}

#[tokio::test]
async fn unreachable_at_start_refuses_or_paces_locally_by_policy() {
    let url = format!("redis://127.0.0.1:{}", free_port());
    let err = RedisStore::builder(&url, "a.example")
        .fallback(RedisFallback::Refuse)
        .connect()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unreachable"), "{err}");
    let s = RedisStore::builder(&url, "a.example")
        .headroom(0.0)
        .fallback(RedisFallback::Local { share: 0.5 })
        .connect()
        .await
        .unwrap();
    assert!(!s.is_shared());
    // Paced locally: requests still go, with half of the window's budget.
    let class = account(100);
    let mut now = T0;
    let mut granted = 0;
    while now < T0 + Duration::from_secs(60) {
        match s.acquire(now, &class).await {
            Ok(p) => {
                granted += 1;
                s.observe(now, &p, &ok()).await;
            }
            Err(w) => now = w.at.max(now + Duration::from_millis(1)),
        }
    }
    assert_eq!(granted, 50, "half of the window, alone");
}

#[tokio::test]
async fn redis_stopped_and_restarted_mid_run() {
    let port = free_port();
    let mut redis = OwnRedis::start(port);
    let s = RedisStore::builder(redis.url(), "b.example")
        .retry_every(Duration::from_secs(1))
        .connect()
        .await
        .unwrap();
    let class = account(600);
    let mut now = T0;
    let p = s.acquire(now, &class).await.unwrap();
    s.observe(now, &p, &ok()).await;
    assert!(s.is_shared());

    // Redis goes away while a request is in flight.
    now = now + Duration::from_millis(200);
    let held = s.acquire(now, &class).await.unwrap();
    redis.stop();
    s.observe(now, &held, &ok()).await; // fails quietly: the lease would expire anyway
    assert!(!s.is_shared());
    // Requests keep going, paced locally.
    let mut local = 0;
    for _ in 0..20 {
        match s.acquire(now, &class).await {
            Ok(p) => {
                local += 1;
                s.observe(now, &p, &ok()).await;
            }
            Err(w) => now = w.at.max(now + Duration::from_millis(1)),
        }
    }
    assert!(local > 0);
    assert!(!s.is_shared());

    // Back: the next try after `retry_every` rejoins the shared budget.
    let _redis = OwnRedis::start(port);
    now = now + Duration::from_secs(1);
    let mut rejoined = false;
    for _ in 0..50 {
        match s.acquire(now, &class).await {
            Ok(p) => {
                s.observe(now, &p, &ok()).await;
                if s.is_shared() {
                    rejoined = true;
                    break;
                }
            }
            Err(w) => now = w.at.max(now + Duration::from_millis(1)),
        }
        if s.is_shared() {
            rejoined = true;
            break;
        }
    }
    assert!(rejoined, "the store did not rejoin the shared budget");
}

#[tokio::test]
async fn a_killed_holder_returns_its_permit_when_the_lease_expires() {
    let redis = OwnRedis::start(free_port());
    let lease = Duration::from_secs(30);
    let dead = RedisStore::builder(redis.url(), "c.example")
        .lease(lease)
        .connect()
        .await
        .unwrap();
    let alive = RedisStore::builder(redis.url(), "c.example")
        .lease(lease)
        .connect()
        .await
        .unwrap();
    let class = account(5);
    // The first process takes the probe and every permit, then dies (never observes).
    let p = dead.acquire(T0, &class).await.unwrap();
    std::mem::forget(p);
    drop(dead);
    let w = alive.acquire(T0, &class).await.unwrap_err();
    assert!(
        w.at <= T0 + Duration::from_secs(1),
        "polls while the probe is out"
    );
    // Still held just before the lease ends, free once it has.
    assert!(alive
        .acquire(T0 + lease - Duration::from_millis(1), &class)
        .await
        .is_err());
    assert!(alive.acquire(T0 + lease, &class).await.is_ok());
}

#[tokio::test]
async fn two_accounts_on_one_redis_do_not_interfere() {
    let redis = OwnRedis::start(free_port());
    let a = RedisStore::builder(redis.url(), "one.example")
        .headroom(0.0)
        .connect()
        .await
        .unwrap();
    let b = RedisStore::builder(redis.url(), "two.example")
        .headroom(0.0)
        .connect()
        .await
        .unwrap();
    let class = account(3);
    let mut now = T0;
    let mut n = 0;
    while n < 3 {
        match a.acquire(now, &class).await {
            Ok(p) => {
                n += 1;
                a.observe(now, &p, &ok()).await;
            }
            Err(w) => now = w.at,
        }
    }
    assert!(
        a.acquire(now, &class).await.is_err(),
        "account one is spent"
    );
    let p = b
        .acquire(now, &class)
        .await
        .expect("account two is untouched");
    b.observe(now, &p, &ok()).await;
    let sa = a.shared_state().await.unwrap();
    let sb = b.shared_state().await.unwrap();
    assert_eq!(sa.buckets[0].remaining, 0);
    assert_eq!(sb.buckets[0].remaining, 2);
    assert_eq!(sa.clients.len(), 1);
    assert_eq!(sb.clients.len(), 1);
    assert_eq!(sa.clients[0].granted_in_window, 3);
}

/// A host whose clock is far ahead (beyond a window) does not park the others until its
/// idea of the reset: their next request starts a fresh window.
#[tokio::test]
async fn a_reset_written_by_a_clock_far_ahead_does_not_park_the_others() {
    let redis = OwnRedis::start(free_port());
    let ahead = RedisStore::builder(redis.url(), "skew.example")
        .headroom(0.0)
        .connect()
        .await
        .unwrap();
    let behind = RedisStore::builder(redis.url(), "skew.example")
        .headroom(0.0)
        .connect()
        .await
        .unwrap();
    let class = account(2);
    let far = T0 + Duration::from_secs(10_000);
    for _ in 0..2 {
        let mut now = far;
        loop {
            match ahead.acquire(now, &class).await {
                Ok(p) => {
                    ahead.observe(now, &p, &ok()).await;
                    break;
                }
                Err(w) => now = w.at,
            }
        }
    }
    match behind.acquire(T0, &class).await {
        Ok(_) => {}
        Err(w) => assert!(
            w.at <= T0 + Duration::from_secs(60),
            "parked until {:?}",
            w.at
        ),
    }
}
