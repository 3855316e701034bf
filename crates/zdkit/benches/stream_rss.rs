//! Peak memory of a consumer streaming every ticket with `client.tickets().list().stream()`
//! (cursor pages of 100, one page in memory at a time).
//!
//! The simulator runs in a child process (this binary re-executed with
//! `ZDKIT_BENCH_SIM=1`), so the figure is the consumer's alone: its peak resident set
//! (`VmHWM` from `/proc/self/status`, Linux only), before and after streaming.
//!
//! Run: `cargo bench -p zdkit --bench stream_rss` (1,000,000 tickets; override with
//! `STREAM_RSS_TICKETS=n`). `STREAM_RSS_MODE=export` streams the cursor-based incremental
//! ticket export instead (pages of 1,000; both processes run on a clock 600× faster than
//! real time, so the export rate limit of 30/min does not dominate). Target: peak RSS
//! ≤ 64 MB.
#![allow(clippy::print_stdout, clippy::disallowed_methods)] // a bench reports on stdout and times itself

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use futures_util::TryStreamExt;
use zdkit::ratelimit::Plan;
use zdkit::{Client, Credentials, RateLimitPolicy, ScaledClock};

/// Virtual seconds per real second in export mode (both processes).
const EXPORT_SCALE: f64 = 600.0;

fn export_mode() -> bool {
    std::env::var("STREAM_RSS_MODE").is_ok_and(|m| m == "export")
}

fn tickets() -> u64 {
    std::env::var("STREAM_RSS_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// `VmHWM` (peak resident set) and `VmRSS` in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// The child: serve a simulator on a free port, print the port, run until killed.
fn run_simulator() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let state = zdkit_sim::SimState::new(zdkit_sim::SimConfig {
            plan: zdkit_sim::limits::Plan::Unlimited,
            time_scale: if export_mode() { EXPORT_SCALE } else { 1.0 },
            ..zdkit_sim::SimConfig::with_tickets(tickets())
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("PORT {}", listener.local_addr().expect("addr").port());
        zdkit_sim::serve(listener, state).await.expect("serve");
    });
}

fn main() {
    if std::env::var_os("ZDKIT_BENCH_SIM").is_some() {
        return run_simulator();
    }
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes benches; nothing to list
    }
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .env("ZDKIT_BENCH_SIM", "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the simulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("child stdout"))
        .read_line(&mut line)
        .expect("read the port");
    let port: u16 = line
        .trim()
        .strip_prefix("PORT ")
        .and_then(|p| p.parse().ok())
        .expect("the simulator prints its port");

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let result = rt.block_on(async {
        let mut builder = Client::builder()
            .base_url(format!("http://127.0.0.1:{port}"))
            .credentials(Credentials::api_token("admin@example.com", "zd-sim-token"))
            .rate_limit_policy(RateLimitPolicy::default().plan(Plan::Custom(1_000_000)));
        if export_mode() {
            builder = builder.clock(std::sync::Arc::new(ScaledClock::new(EXPORT_SCALE)));
        }
        let client = builder.build()?;
        let (before, _) = memory_kib();
        let start = Instant::now();
        let mut stream = if export_mode() {
            client
                .incremental()
                .tickets()
                .start_time(0)
                .per_page(1000)
                .stream()
        } else {
            client.tickets().list().page_size(100).stream()
        };
        let (mut n, mut checksum) = (0u64, 0u64);
        while let Some(t) = stream.try_next().await? {
            n += 1;
            checksum = checksum.wrapping_add(t.id.0);
        }
        let elapsed = start.elapsed();
        let (peak, now) = memory_kib();
        Ok::<_, zdkit::Error>((
            n,
            checksum,
            elapsed,
            before,
            peak,
            now,
            client.stats().requests,
        ))
    });
    let _ = child.kill();
    let _ = child.wait();
    let (n, checksum, elapsed, before, peak, now, requests) = result.expect("stream");
    println!(
        "{}: streamed {n} tickets in {requests} requests, {:.1} s ({:.0} tickets/s), checksum {checksum}",
        if export_mode() { "incremental export, pages of 1000" } else { "list, pages of 100" },
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
    );
    println!(
        "consumer RSS: {:.1} MB before streaming, peak {:.1} MB, {:.1} MB at the end (target: peak ≤ 64 MB)",
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
        now as f64 / 1024.0
    );
}
