//! `cargo bench -p zdkit-sim --bench sim`: start time and memory of a 1M-ticket
//! simulator, the latency of a 1000-ticket incremental page, and small requests/s.
//!
//! The only place in the crate that reads real time (to measure it).
#![allow(clippy::disallowed_methods, clippy::print_stdout, missing_docs)]

use std::time::{Duration, Instant};

use zdkit_clock::{ManualClock, Timestamp};
use zdkit_sim::limits::Plan;
use zdkit_sim::{SimConfig, SimState};

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let tickets: u64 = std::env::var("SIM_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let clock = ManualClock::new(Timestamp::from_unix_secs(1_750_000_000));
        let mut config = SimConfig::with_tickets(tickets);
        config.clock = Some(clock.shared());
        config.plan = Plan::Unlimited;
        let started = Instant::now();
        let state = SimState::new(config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(zdkit_sim::serve(listener, state));
        let client = reqwest::Client::new();
        let base = format!("http://{addr}");
        let get = |path: String| {
            client.get(format!("{base}{path}")).basic_auth("admin@example.com/token", Some("zd-sim-token")).send()
        };
        let health = get("/__sim/health".into()).await.expect("health");
        assert!(health.status().is_success());
        let start_time = started.elapsed();
        println!("tickets: {tickets}");
        println!("start (state + first response): {:.1} ms", start_time.as_secs_f64() * 1000.0);

        // 1000-ticket incremental pages, following the cursor.
        let mut url = "/api/v2/incremental/tickets/cursor?start_time=0&per_page=1000".to_string();
        let mut times = Vec::new();
        let mut bytes = 0usize;
        for _ in 0..60 {
            clock.advance(Duration::from_secs(3)); // stay under the incremental-export bucket
            let t = Instant::now();
            let r = get(url.clone()).await.expect("page");
            assert_eq!(r.status(), 200);
            let raw = r.bytes().await.expect("body");
            times.push(t.elapsed());
            bytes += raw.len();
            let body: serde_json::Value = serde_json::from_slice(&raw).expect("json");
            assert_eq!(body["tickets"].as_array().map(Vec::len), Some(1000));
            let after = body["after_url"].as_str().expect("after_url");
            url = after.trim_start_matches(&base).to_string();
        }
        println!(
            "incremental page of 1000 tickets: median {:.2} ms to the last byte (60 pages, {:.0} KiB each)",
            median(times).as_secs_f64() * 1000.0,
            bytes as f64 / 60.0 / 1024.0
        );

        // A search over every ticket, and the full ground truth.
        let t = Instant::now();
        let r = get("/api/v2/search?query=type:ticket%20status:open%20tags:vip".into()).await.expect("search");
        assert_eq!(r.status(), 200);
        let _ = r.bytes().await;
        println!("search over all tickets: {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let r = get("/__sim/ground-truth/tickets".into()).await.expect("truth");
        let n = r.bytes().await.map(|b| b.len()).unwrap_or(0);
        println!("ground truth of all tickets: {:.0} ms ({:.1} MiB)", t.elapsed().as_secs_f64() * 1000.0, n as f64 / 1048576.0);

        // One list page of every catalogue family the generic engine serves, plus the
        // bespoke tags and view lists: median of 20 requests each.
        let mut paths: Vec<(String, String)> = zdkit_catalog::generic()
            .map(|f| {
                let path = f.path.replace("{user_id}", "12");
                let q = if f.paging.cursor { "?page[size]=100" } else { "" };
                (f.name.to_string(), format!("/api/v2/{path}{q}"))
            })
            .collect();
        paths.push(("tags".into(), "/api/v2/tags?page[size]=100".into()));
        paths.push(("views/{id}/tickets".into(), "/api/v2/views/3/tickets?page[size]=100".into()));
        let _ = get("/api/v2/tags".into()).await.expect("tags warm-up");
        let mut worst = (String::new(), Duration::ZERO);
        for (name, path) in &paths {
            let mut times = Vec::new();
            for _ in 0..20 {
                let t = Instant::now();
                let r = get(path.clone()).await.expect("list");
                assert_eq!(r.status(), 200, "{path}");
                let _ = r.bytes().await;
                times.push(t.elapsed());
            }
            let m = median(times);
            if m > worst.1 {
                worst = (name.clone(), m);
            }
            println!("list page {name}: median {:.3} ms", m.as_secs_f64() * 1000.0);
        }
        println!(
            "family list pages: {} families, slowest median {:.3} ms ({})",
            paths.len(),
            worst.1.as_secs_f64() * 1000.0,
            worst.0
        );

        // Small requests, 8 concurrent clients.
        let n = 4000;
        let t = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..8u64 {
            let client = client.clone();
            let base = base.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..n / 8 {
                    let id = 1 + (w * 7919 + i * 104_729) % tickets;
                    let r = client
                        .get(format!("{base}/api/v2/users/me"))
                        .basic_auth("admin@example.com/token", Some("zd-sim-token"))
                        .send()
                        .await
                        .expect("request");
                    let _ = (id, r.bytes().await);
                }
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
        let secs = t.elapsed().as_secs_f64();
        println!("small requests (GET /users/me, 8 clients): {:.0} requests/s", n as f64 / secs);
        if let Some(kib) = vm_hwm_kib() {
            println!("peak RSS (VmHWM): {:.1} MiB", kib as f64 / 1024.0);
        }
    });
}
