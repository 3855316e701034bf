//! Pacing against the real simulator (issue 3): 16 tasks sharing one client issue 3,000
//! GETs against `zd sim --plan enterprise --time-scale 60` (700 requests/min on the
//! account bucket), then again with `--background-rpm 200` (other consumers of the
//! account use 200/min, leaving 500/min).
//!
//! Targets: zero 429s; the run takes ≤ 1.03 × the minimum the plan allows (3000/700
//! virtual minutes), ≤ 1.05 × the minimum for the remaining budget (3000/500 minutes)
//! with background consumers.
//!
//! The simulator is the `zd` binary in a separate process, so client and server run on
//! independent scaled clocks, as a user's would. Time is virtual (the client's
//! [`zdkit::ScaledClock`]); the run includes the first window, where the client starts
//! from a safe default (one probe request) until a response reports the real limit.
//! Where in the simulator's fixed minute window a run starts ("phase") changes the figure:
//! a run starting late in a window gets a whole window's budget in a few seconds, so it
//! can beat the "minimum"; a run starting as a window opens is the hardest case. Each
//! scenario runs once per start phase (`PACING_PHASES`, virtual seconds into the window,
//! default `0,15,30,45`) on a fresh simulator, and the worst run decides.
//! `PACING_TRACE=1` prints the requests completed per simulator window.
//!
//! Run: `cargo build --release -p zd && cargo bench -p zdkit --bench pacing`.
//! The `zd` binary is `$ZD_BIN`, else `zd` next to this bench's target directory
//! (`target/release/zd`). Exits with status 1 when a target is missed.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)] // a bench reports on stdout and times itself

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use zdkit::{Client, Clock, Credentials, ScaledClock};

const SCALE: f64 = 60.0;
const TASKS: usize = 16;
const TOTAL: usize = 3000;
const PLAN_RPM: u32 = 700;
const PATH: &str = "/api/v2/users/me";

/// The `zd` binary: `$ZD_BIN`, else `target/release/zd` (beside `target/release/deps/`,
/// where this bench runs from), else relative to the workspace.
fn zd_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("ZD_BIN") {
        return PathBuf::from(p);
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("zd")));
    if let Some(p) = beside.filter(|p| p.is_file()) {
        return p;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/release/zd")
}

/// A running `zd sim`, killed when dropped.
struct Sim {
    child: Child,
    url: String,
    email: String,
    token: String,
}

impl Sim {
    fn start(bin: &PathBuf, background_rpm: u32) -> Sim {
        let mut child = Command::new(bin)
            .args([
                "sim",
                "--port",
                "0",
                "--plan",
                "enterprise",
                "--tickets",
                "100",
            ])
            .args(["--time-scale", &SCALE.to_string()])
            .args(["--background-rpm", &background_rpm.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let (mut url, mut credentials) = (None, None);
        while url.is_none() || credentials.is_none() {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("`zd sim` exited before printing its address and API token");
            };
            if let Some(u) = line.strip_prefix("listening on ") {
                url = Some(u.trim().to_string());
            } else if let Some(t) = line.strip_prefix("api token: ") {
                // `admin@example.com/token:zd-sim-token`
                if let Some((email, token)) = t.trim().split_once("/token:") {
                    credentials = Some((email.to_string(), token.to_string()));
                }
            }
        }
        // Keep draining stdout so the simulator never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let (email, token) = credentials.expect("credentials");
        Sim {
            child,
            url: url.expect("url"),
            email,
            token,
        }
    }

    async fn admin(&self, path: &str) -> serde_json::Value {
        let body = reqwest::get(format!("{}{path}", self.url))
            .await
            .and_then(|r| r.error_for_status())
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        serde_json::from_slice(&body).unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One measured run.
struct Run {
    phase: f64,
    virtual_secs: f64,
    real_secs: f64,
    ok: u64,
    errors: u64,
    client_429: u64,
    server_429: u64,
    server_requests: u64,
    retries: u64,
    budget_wait: f64,
}

async fn run_once(bin: &PathBuf, background_rpm: u32, start_phase: f64) -> Run {
    let sim = Sim::start(bin, background_rpm);
    // Start `start_phase` virtual seconds into one of the simulator's minute windows.
    let sim_now = sim.admin("/__sim/clock").await["now_f64"]
        .as_f64()
        .unwrap_or(0.0);
    let wait = (start_phase - sim_now % 60.0).rem_euclid(60.0);
    ScaledClock::new(SCALE)
        .sleep(std::time::Duration::from_secs_f64(wait))
        .await;
    let clock = sim.admin("/__sim/clock").await;
    let client = Client::builder()
        .base_url(sim.url.clone())
        .credentials(Credentials::api_token(&sim.email, sim.token.as_str()))
        .clock(ScaledClock::shared(SCALE))
        .build()
        .expect("client");
    // The simulator's virtual time minus the client's (independent clocks), for the trace.
    let offset = clock["now_f64"].as_f64().unwrap_or(0.0) - client.clock().now().unix_secs_f64();
    let done = Arc::new(std::sync::Mutex::new(Vec::with_capacity(TOTAL)));
    let left = Arc::new(AtomicUsize::new(TOTAL));
    let (ok, errors) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let real = Instant::now();
    let t0 = client.clock().now();
    let phase = (t0.unix_secs_f64() + offset).rem_euclid(60.0);
    let mut handles = Vec::with_capacity(TASKS);
    for _ in 0..TASKS {
        let (client, left, ok, errors) = (client.clone(), left.clone(), ok.clone(), errors.clone());
        let done = done.clone();
        handles.push(tokio::spawn(async move {
            while left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                let r = client.get(PATH).send().await;
                let at = client.clock().now().unix_secs_f64();
                done.lock().expect("lock").push(at);
                match r {
                    Ok(r) if r.status() == 200 => ok.fetch_add(1, Ordering::Relaxed),
                    Ok(r) => {
                        eprintln!("unexpected status {}", r.status());
                        errors.fetch_add(1, Ordering::Relaxed)
                    }
                    Err(e) => {
                        eprintln!("request failed: {e}");
                        errors.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
        }));
    }
    for h in handles {
        h.await.expect("task");
    }
    let virtual_secs = client.clock().now().saturating_since(t0).as_secs_f64();
    let real_secs = real.elapsed().as_secs_f64();
    let stats = client.stats();
    let server = sim.admin("/__sim/stats").await;
    let server_429 = server["rate_limited"]
        .as_object()
        .map_or(0, |m| m.values().filter_map(|v| v.as_u64()).sum());
    drop(sim);
    if std::env::var_os("PACING_TRACE").is_some() {
        trace(&done.lock().expect("lock"), offset);
    }
    Run {
        phase,
        virtual_secs,
        real_secs,
        ok: ok.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        client_429: stats.rate_limited,
        server_429,
        server_requests: server["requests"].as_u64().unwrap_or(0),
        retries: stats.retries,
        budget_wait: stats.budget_wait().as_secs_f64(),
    }
}

/// Per simulator window: requests completed, first and last completion (seconds into the
/// window, simulator time).
fn trace(done: &[f64], offset: f64) {
    let mut windows: std::collections::BTreeMap<u64, (u32, f64, f64)> = Default::default();
    for at in done {
        let t = at + offset;
        let w = (t / 60.0).floor();
        let into = t - w * 60.0;
        let e = windows.entry(w as u64).or_insert((0, f64::MAX, 0.0));
        e.0 += 1;
        e.1 = e.1.min(into);
        e.2 = e.2.max(into);
    }
    for (w, (n, first, last)) in windows {
        println!("      window {w}: {n:>4} requests, first {first:>5.1}s, last {last:>5.1}s");
    }
}

/// Runs one scenario once per start phase; returns whether its targets were met.
async fn scenario(bin: &PathBuf, background_rpm: u32, max_ratio: f64, phases: &[f64]) -> bool {
    let budget = PLAN_RPM - background_rpm;
    let minimum = TOTAL as f64 / f64::from(budget) * 60.0;
    println!(
        "\n== enterprise ({PLAN_RPM}/min), --background-rpm {background_rpm}: {TOTAL} GETs {PATH}, \
         {TASKS} tasks, one client, time scale {SCALE}"
    );
    println!(
        "   minimum {minimum:.1} virtual s ({TOTAL}/{budget} min); target ≤ {max_ratio} × = {:.1} s, zero 429s",
        minimum * max_ratio
    );
    println!(
        "   {:>3} {:>6} {:>9} {:>6} {:>7} {:>8} {:>6} {:>6} {:>7} {:>8} {:>7}",
        "run",
        "phase",
        "virtual",
        "ratio",
        "real",
        "ok",
        "errors",
        "429 c",
        "429 sim",
        "sim reqs",
        "retries"
    );
    let mut worst: f64 = 0.0;
    let mut limited = 0;
    let mut failed = 0;
    for (i, phase) in phases.iter().enumerate() {
        let r = run_once(bin, background_rpm, *phase).await;
        let ratio = r.virtual_secs / minimum;
        worst = worst.max(ratio);
        limited += r.client_429 + r.server_429;
        failed += r.errors;
        println!(
            "   {:>3} {:>5.1}s {:>8.1}s {ratio:>6.3} {:>6.2}s {:>8} {:>6} {:>6} {:>7} {:>8} {:>7}   (budget wait summed over tasks: {:.0} s)",
            i + 1,
            r.phase,
            r.virtual_secs,
            r.real_secs,
            r.ok,
            r.errors,
            r.client_429,
            r.server_429,
            r.server_requests,
            r.retries,
            r.budget_wait
        );
    }
    let met = worst <= max_ratio && limited == 0 && failed == 0;
    println!(
        "   worst ratio {worst:.3} (target ≤ {max_ratio}), 429s {limited}, errors {failed}: {}",
        if met { "target met" } else { "TARGET MISSED" }
    );
    met
}

fn main() {
    let bin = zd_bin();
    if !bin.is_file() {
        eprintln!(
            "pacing bench: no `zd` binary at {}.\n\
             Build it first: `cargo build --release -p zd` (or set ZD_BIN=/path/to/zd).",
            bin.display()
        );
        std::process::exit(2);
    }
    let phases: Vec<f64> = std::env::var("PACING_PHASES")
        .ok()
        .map(|v| v.split(',').filter_map(|p| p.trim().parse().ok()).collect())
        .filter(|p: &Vec<f64>| !p.is_empty())
        .unwrap_or_else(|| vec![0.0, 15.0, 30.0, 45.0]);
    println!("pacing: simulator {}", bin.display());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let met = rt.block_on(async {
        let a = scenario(&bin, 0, 1.03, &phases).await;
        let b = scenario(&bin, 200, 1.05, &phases).await;
        a && b
    });
    if !met {
        std::process::exit(1);
    }
}
