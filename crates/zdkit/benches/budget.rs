//! Benchmarks of issue 13, one rate-limit budget shared in Redis, against the real
//! simulator (`zd sim --plan team --time-scale 60`, a separate process) and the real `zd`
//! binary for every walker process:
//!
//! * `walkers`: 8 and 32 processes of `zd api GET tickets --paginate` for 20 virtual
//!   minutes sharing one budget (`--budget`), and the same without it (the baseline).
//!   Targets with the budget: 0 429s after the first window (≤ 0.1% over the run) and
//!   ≥ 97% of the plan's requests used.
//! * `lanes`: one background walker (`--priority background`) saturating the budget and
//!   one interactive client (this process, its own `RedisStore`) sending a request every 5
//!   virtual seconds. Targets: interactive p95 wait ≤ 1 virtual second, background ≥ 80%
//!   of the plan.
//! * `faults`: 8 walkers sharing a budget in a private `redis-server`, killed for 30
//!   virtual seconds mid-run. Targets: 0 failed requests, ≤ 1% 429s.
//! * `overhead`: acquire + observe through Redis on loopback (no HTTP). Target ≤ 0.5 ms p99.
//!
//! Run: `cargo build --release -p zd && cargo bench -p zdkit --bench budget` (all), or name
//! scenarios: `cargo bench -p zdkit --bench budget -- walkers lanes`. Environment:
//! `ZD_BIN` (default `target/release/zd`), `BUDGET_REDIS` (default
//! `redis://127.0.0.1:6379`; `faults` starts its own), `BUDGET_SCALE` (default 60),
//! `BUDGET_MINUTES` (walkers, default 20), `BUDGET_PROCS` (default `8,32`),
//! `BUDGET_TRACE=1` (per-window counts). Exits with status 1 when a target is missed.
//!
//! Counting: the bench starts the walkers just after one of the simulator's minute windows
//! opens and reads `/__sim/stats` just after each following window opens, so every count
//! is per simulator window (a request in flight across a boundary may land in either).
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)] // a bench reports on stdout and times itself

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use zdkit::ratelimit::{
    BudgetStore, Lane, Observation, RateLimitHeaders, RedisFallback, RedisStore, RequestClass,
    Window,
};
use zdkit::{Client, Credentials, Plan, RateLimitPolicy, ScaledClock, Timestamp};

const PLAN_RPM: u64 = 200;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn scale() -> f64 {
    env_or("BUDGET_SCALE", 60.0)
}

fn redis_url() -> String {
    std::env::var("BUDGET_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn trace() -> bool {
    std::env::var_os("BUDGET_TRACE").is_some()
}

/// The `zd` binary: `$ZD_BIN`, else `zd` beside this bench's target directory.
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

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// A running `zd sim`, killed when dropped.
struct Sim {
    child: Child,
    url: String,
    http: Http,
}

/// The bench's own requests to `/__sim/*` (never paced), blocking.
struct Http {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Http {
    fn new() -> Http {
        Http {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
            client: reqwest::Client::new(),
        }
    }

    fn get(&self, url: &str) -> serde_json::Value {
        self.rt.block_on(async {
            let r = self.client.get(url).send().await;
            let body = r
                .and_then(|r| r.error_for_status())
                .unwrap_or_else(|e| panic!("GET {url}: {e}"))
                .bytes()
                .await
                .unwrap_or_else(|e| panic!("GET {url}: {e}"));
            serde_json::from_slice(&body).unwrap_or_else(|e| panic!("GET {url}: {e}"))
        })
    }
}

impl Sim {
    fn start(bin: &PathBuf, plan: &str, tickets: u64) -> Sim {
        let mut child = Command::new(bin)
            .args(["sim", "--port", "0", "--plan", plan, "--no-quirks"])
            .args(["--tickets", &tickets.to_string()])
            .args(["--time-scale", &scale().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut url = None;
        while url.is_none() {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("`zd sim` exited before printing its address");
            };
            if let Some(u) = line.strip_prefix("listening on ") {
                url = Some(u.split_whitespace().next().unwrap_or("").to_string());
            }
        }
        std::thread::spawn(move || lines.for_each(drop));
        Sim {
            child,
            url: url.expect("url"),
            http: Http::new(),
        }
    }

    fn admin(&self, path: &str) -> serde_json::Value {
        self.http.get(&format!("{}{path}", self.url))
    }

    /// The simulator's virtual time (unix seconds).
    fn now(&self) -> f64 {
        self.admin("/__sim/clock")["now_f64"]
            .as_f64()
            .unwrap_or(0.0)
    }

    /// (200s, 429s, any other status) so far.
    fn counts(&self) -> Counts {
        let s = self.admin("/__sim/stats");
        let by = &s["by_status"];
        let mut c = Counts::default();
        if let Some(m) = by.as_object() {
            for (k, v) in m {
                let n = v.as_u64().unwrap_or(0);
                match k.as_str() {
                    "200" => c.ok += n,
                    "429" => c.limited += n,
                    _ => c.other += n,
                }
            }
        }
        c
    }

    /// Sleep (real time) until `secs` virtual seconds after the next minute window of the
    /// simulator opens; returns that window's start (virtual unix seconds).
    fn sync_to_window(&self, secs: f64) -> f64 {
        let now = self.now();
        let start = (now / 60.0).floor() * 60.0 + 60.0;
        std::thread::sleep(Duration::from_secs_f64(
            (start + secs - now).max(0.0) / scale(),
        ));
        start
    }

    /// Sleep until `secs` virtual seconds into the window starting at `start`.
    fn sleep_until(&self, start: f64, secs: f64) {
        let now = self.now();
        let d = (start + secs - now).max(0.0) / scale();
        std::thread::sleep(Duration::from_secs_f64(d));
    }

    /// The account the shared budget is keyed by (as `zd` computes it: host and port).
    fn account(&self) -> String {
        let rest = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, r)| r);
        rest.split('/').next().unwrap_or(rest).to_owned()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    ok: u64,
    limited: u64,
    other: u64,
}

impl std::ops::Sub for Counts {
    type Output = Counts;
    fn sub(self, b: Counts) -> Counts {
        Counts {
            ok: self.ok - b.ok,
            limited: self.limited - b.limited,
            other: self.other - b.other,
        }
    }
}

/// The real-time instant all processes of a run anchor their virtual time at.
fn origin() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        .to_string()
}

/// One `zd api GET tickets --paginate` process.
fn walker(bin: &PathBuf, sim: &Sim, origin: &str, budget: Option<&str>, lane: &str) -> Child {
    let mut cmd = Command::new(bin);
    cmd.env_clear()
        .env("ZENDESK_BASE_URL", &sim.url)
        .env("ZENDESK_EMAIL", "admin@example.com")
        .env("ZENDESK_API_TOKEN", "zd-sim-token")
        .env("ZD_TIME_SCALE", scale().to_string())
        .env("ZD_TIME_ORIGIN", origin)
        .env("ZD_PRIORITY", lane)
        .env("HOME", std::env::temp_dir());
    if let Some(url) = budget {
        cmd.env("ZD_BUDGET_URL", url);
    }
    if let Some(p) = std::env::var_os("PATH") {
        cmd.env("PATH", p);
    }
    cmd.args(["api", "GET", "tickets", "-f", "page[size]=1", "--paginate"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()))
}

/// Children still running at the end (else their exit status and stderr), then killed.
fn finish(children: Vec<Child>) -> Vec<String> {
    let mut dead = Vec::new();
    let mut alive = Vec::new();
    for mut c in children {
        match c.try_wait() {
            Ok(None) => alive.push(c),
            Ok(Some(status)) => {
                let mut err = String::new();
                if let Some(mut e) = c.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                dead.push(format!("{status}: {}", err.trim()));
            }
            Err(e) => dead.push(e.to_string()),
        }
    }
    for mut c in alive {
        let _ = c.kill();
        let _ = c.wait();
    }
    dead
}

/// Per-window counts of a run of `windows` simulator windows, the first starting as the
/// processes start. `during(w)` runs just after window `w` (1-based) ends.
fn windows(sim: &Sim, start: f64, windows: u32, mut during: impl FnMut(u32)) -> Vec<Counts> {
    let mut out = Vec::new();
    let mut last = sim.counts();
    for w in 1..=windows {
        sim.sleep_until(start, f64::from(w) * 60.0 + 0.02);
        let c = sim.counts();
        out.push(c - last);
        last = c;
        during(w);
    }
    out
}

struct WalkResult {
    procs: usize,
    shared: bool,
    windows: Vec<Counts>,
    dead: Vec<String>,
    real_secs: f64,
}

impl WalkResult {
    fn total(&self) -> Counts {
        self.windows.iter().fold(Counts::default(), |a, c| Counts {
            ok: a.ok + c.ok,
            limited: a.limited + c.limited,
            other: a.other + c.other,
        })
    }
    fn used(&self) -> f64 {
        self.total().ok as f64 / (PLAN_RPM * self.windows.len() as u64) as f64
    }
    fn limited_after_first(&self) -> u64 {
        self.windows.iter().skip(1).map(|c| c.limited).sum()
    }
    fn limited_share(&self) -> f64 {
        let t = self.total();
        t.limited as f64 / (t.ok + t.limited + t.other).max(1) as f64
    }
}

fn walk(bin: &PathBuf, procs: usize, budget: Option<&str>, minutes: u32) -> WalkResult {
    let sim = Sim::start(bin, "team", 8000);
    let start = sim.sync_to_window(0.0);
    let origin = origin();
    let real = Instant::now();
    let children: Vec<Child> = (0..procs)
        .map(|_| walker(bin, &sim, &origin, budget, "normal"))
        .collect();
    let w = windows(&sim, start, minutes, |_| {});
    let real_secs = real.elapsed().as_secs_f64();
    let dead = finish(children);
    WalkResult {
        procs,
        shared: budget.is_some(),
        windows: w,
        dead,
        real_secs,
    }
}

fn print_windows(w: &[Counts]) {
    let ok: Vec<String> = w.iter().map(|c| c.ok.to_string()).collect();
    let lim: Vec<String> = w.iter().map(|c| c.limited.to_string()).collect();
    println!("    200s per window: {}", ok.join(" "));
    println!("    429s per window: {}", lim.join(" "));
}

fn scenario_walkers(bin: &PathBuf) -> bool {
    let minutes: u32 = env_or("BUDGET_MINUTES", 20);
    let procs: Vec<usize> = std::env::var("BUDGET_PROCS")
        .unwrap_or_else(|_| "8,32".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let url = redis_url();
    let mut ok = true;
    println!(
        "walkers: zd sim --plan team --time-scale {}, {minutes} virtual minutes, `zd api GET tickets -f page[size]=1 --paginate` per process",
        scale()
    );
    println!("| processes | budget | 200s | 429s | 429s after window 1 | 429 share | plan used | other statuses | exited early | real s |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for &n in &procs {
        for shared in [true, false] {
            let r = walk(bin, n, shared.then_some(url.as_str()), minutes);
            let t = r.total();
            println!(
                "| {} | {} | {} | {} | {} | {:.2}% | {:.1}% | {} | {} | {:.1} |",
                r.procs,
                if r.shared { "Redis" } else { "none" },
                t.ok,
                t.limited,
                r.limited_after_first(),
                100.0 * r.limited_share(),
                100.0 * r.used(),
                t.other,
                r.dead.len(),
                r.real_secs
            );
            if trace() {
                print_windows(&r.windows);
            }
            for d in &r.dead {
                eprintln!("    a walker exited early: {d}");
            }
            if r.shared {
                let pass = r.limited_after_first() == 0
                    && r.limited_share() <= 0.001
                    && r.used() >= 0.97
                    && r.dead.is_empty()
                    && t.other == 0;
                if !pass {
                    eprintln!("walkers: target missed with {n} processes sharing a budget");
                    ok = false;
                }
            }
        }
    }
    ok
}

fn p(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let i = ((s.len() as f64 * q).ceil() as usize).clamp(1, s.len()) - 1;
    s[i]
}

fn scenario_lanes(bin: &PathBuf) -> bool {
    let minutes: u32 = env_or("BUDGET_LANES_MINUTES", 10);
    let url = redis_url();
    let sim = Sim::start(bin, "team", 8000);
    let start = sim.sync_to_window(0.0);
    let origin = origin();
    let bg = walker(bin, &sim, &origin, Some(&url), "background");
    let runtime = rt();
    let clock: zdkit::SharedClock = Arc::new(ScaledClock::anchored(
        Timestamp::from_unix_secs(origin.parse().unwrap_or(0)),
        scale(),
    ));
    let store = runtime.block_on(async {
        RedisStore::builder(url.clone(), sim.account())
            .label("bench-interactive")
            .fallback(RedisFallback::Refuse)
            .connect()
            .await
            .expect("Redis")
    });
    let client = Client::builder()
        .base_url(sim.url.clone())
        .credentials(Credentials::api_token("admin@example.com", "zd-sim-token"))
        .clock(clock.clone())
        .rate_limit_policy(RateLimitPolicy::default().lane(Lane::Interactive))
        .budget_store(Arc::new(store))
        .build()
        .expect("client");
    // The interactive client runs in the background thread pool while windows are counted.
    let c2 = client.clone();
    let total = Duration::from_secs(u64::from(minutes) * 60);
    let task = runtime.spawn(async move {
        let t0 = c2.clock().now();
        let mut waits = Vec::new();
        let mut failed = 0u32;
        let mut k = 1u32;
        loop {
            let at = t0 + Duration::from_secs(5 * u64::from(k));
            if at.saturating_since(t0) >= total {
                break;
            }
            c2.clock().sleep_until(at).await;
            let before = lane_waited(&c2);
            match c2.get("/api/v2/users/me").send().await {
                Ok(r) if r.status() == 200 => {}
                _ => failed += 1,
            }
            waits.push((lane_waited(&c2) - before).as_secs_f64());
            k += 1;
        }
        (waits, failed)
    });
    let w = windows(&sim, start, minutes, |_| {});
    let (waits, failed) = runtime.block_on(task).expect("interactive task");
    let dead = finish(vec![bg]);
    let all = w.iter().fold(Counts::default(), |a, c| Counts {
        ok: a.ok + c.ok,
        limited: a.limited + c.limited,
        other: a.other + c.other,
    });
    let interactive_ok = waits.len() as u64 - u64::from(failed);
    let bg_ok = all.ok.saturating_sub(interactive_ok);
    let bg_share = bg_ok as f64 / (PLAN_RPM * u64::from(minutes)) as f64;
    let p95 = p(&waits, 0.95);
    println!(
        "lanes: zd sim --plan team --time-scale {}, {minutes} virtual minutes; one background `zd api --paginate`, one interactive request every 5 virtual s",
        scale()
    );
    println!("| interactive requests | p50 wait | p95 wait | max wait | failed | background 200s | background share of plan | 429s |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    println!(
        "| {} | {:.3} s | {:.3} s | {:.3} s | {} | {} | {:.1}% | {} |",
        waits.len(),
        p(&waits, 0.5),
        p95,
        p(&waits, 1.0),
        failed,
        bg_ok,
        100.0 * bg_share,
        all.limited
    );
    if trace() {
        print_windows(&w);
    }
    for d in &dead {
        eprintln!("    the background walker exited early: {d}");
    }
    let pass = p95 <= 1.0 && bg_share >= 0.80 && failed == 0 && dead.is_empty();
    if !pass {
        eprintln!("lanes: target missed");
    }
    pass
}

fn lane_waited(c: &Client) -> Duration {
    c.stats()
        .lanes
        .iter()
        .find(|l| l.lane == Lane::Interactive)
        .map_or(Duration::ZERO, |l| l.waited)
}

/// A private `redis-server`, stopped when dropped.
struct OwnRedis {
    port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    fn start(port: u16) -> OwnRedis {
        let mut child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .args(["--logfile", ""])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed");
        let out = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(out).lines();
        loop {
            match lines.next() {
                Some(Ok(l)) if l.contains("Ready to accept connections") => break,
                Some(Ok(_)) => {}
                _ => panic!("redis-server did not start on port {port}"),
            }
        }
        std::thread::spawn(move || lines.for_each(drop));
        OwnRedis {
            port,
            child: Some(child),
        }
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

fn scenario_faults(bin: &PathBuf) -> bool {
    let minutes: u32 = env_or("BUDGET_FAULTS_MINUTES", 10);
    let procs: usize = env_or("BUDGET_FAULTS_PROCS", 8);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut redis = OwnRedis::start(port);
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let sim = Sim::start(bin, "team", 8000);
    let start = sim.sync_to_window(0.0);
    let origin = origin();
    let children: Vec<Child> = (0..procs)
        .map(|_| walker(bin, &sim, &origin, Some(&url), "normal"))
        .collect();
    let kill_after = minutes / 2;
    let w = windows(&sim, start, minutes, |w| {
        if w == kill_after {
            // 20 virtual seconds into the next window: kill, then 30 virtual s later restart.
            sim.sleep_until(start, f64::from(w) * 60.0 + 20.0);
            redis.kill();
            sim.sleep_until(start, f64::from(w) * 60.0 + 50.0);
            redis = OwnRedis::start(port);
        }
    });
    let dead = finish(children);
    let t = w.iter().fold(Counts::default(), |a, c| Counts {
        ok: a.ok + c.ok,
        limited: a.limited + c.limited,
        other: a.other + c.other,
    });
    let share = t.limited as f64 / (t.ok + t.limited + t.other).max(1) as f64;
    println!(
        "faults: {procs} walkers sharing a budget, zd sim --plan team --time-scale {}, {minutes} virtual minutes, Redis killed {}:20–{}:50",
        scale(),
        kill_after,
        kill_after
    );
    println!(
        "| 200s | 429s | 429 share | other statuses (failed) | walkers exited early | plan used |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    println!(
        "| {} | {} | {:.2}% | {} | {} | {:.1}% |",
        t.ok,
        t.limited,
        100.0 * share,
        t.other,
        dead.len(),
        100.0 * t.ok as f64 / (PLAN_RPM * u64::from(minutes)) as f64
    );
    if trace() {
        print_windows(&w);
    }
    for d in &dead {
        eprintln!("    a walker exited early: {d}");
    }
    let pass = t.other == 0 && dead.is_empty() && share <= 0.01;
    if !pass {
        eprintln!("faults: target missed");
    }
    pass
}

fn scenario_overhead() -> bool {
    // One thread: a request's acquire and observe, as on a client's task.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let n: usize = env_or("BUDGET_OVERHEAD_N", 20_000);
    let account = format!("bench-overhead-{}.example", std::process::id());
    let store = runtime.block_on(async {
        RedisStore::builder(redis_url(), account)
            .fallback(RedisFallback::Refuse)
            .connect()
            .await
            .expect("Redis")
    });
    let class =
        RequestClass::classify(&http::Method::GET, "/api/v2/tickets", Plan::Custom(100_000));
    let lat = runtime.block_on(async {
        let mut now = Timestamp::from_unix_secs(3_000_000);
        let mut lat = Vec::with_capacity(n);
        let mut remaining = 100_000u32;
        for i in 0..(n + 1000) {
            let t = Instant::now();
            let permit = loop {
                match store.acquire(now, &class).await {
                    Ok(p) => break p,
                    Err(w) => now = w.at.max(now + Duration::from_micros(100)),
                }
            };
            remaining = remaining.saturating_sub(1);
            let o = Observation {
                headers: RateLimitHeaders {
                    account: Some(Window {
                        limit: Some(100_000),
                        remaining: Some(remaining),
                        reset: Some(Duration::from_secs(30)),
                    }),
                    buckets: vec![],
                },
                status: Some(200),
                retry_after: None,
            };
            store.observe(now, &permit, &o).await;
            if i >= 1000 {
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            now = now + Duration::from_millis(1);
            if remaining < 1000 {
                remaining = 100_000;
            }
        }
        lat
    });
    let p99 = p(&lat, 0.99);
    println!(
        "overhead: acquire + observe through Redis ({}), {} requests of GET /tickets (2 buckets)",
        redis_url(),
        lat.len()
    );
    println!("| p50 | p90 | p99 | max |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| {:.3} ms | {:.3} ms | {:.3} ms | {:.3} ms |",
        p(&lat, 0.5),
        p(&lat, 0.9),
        p99,
        p(&lat, 1.0)
    );
    let pass = p99 <= 0.5;
    if !pass {
        eprintln!("overhead: target missed");
    }
    pass
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let all = ["overhead", "walkers", "lanes", "faults"];
    let chosen: Vec<&str> = if args.is_empty() {
        all.to_vec()
    } else {
        all.iter()
            .copied()
            .filter(|s| args.iter().any(|a| a == s))
            .collect()
    };
    let bin = zd_bin();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at start: {}", load.trim());
    let mut ok = true;
    for s in chosen {
        let pass = match s {
            "overhead" => scenario_overhead(),
            "walkers" => scenario_walkers(&bin),
            "lanes" => scenario_lanes(&bin),
            "faults" => scenario_faults(&bin),
            _ => true,
        };
        ok &= pass;
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        println!(
            "{s}: {} (load average {})",
            if pass { "target met" } else { "TARGET MISSED" },
            load.trim()
        );
    }
    if !ok {
        std::process::exit(1);
    }
}
