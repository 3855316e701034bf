//! Several processes of the real binary sharing one budget in Redis (`--budget`), on one
//! scaled clock (`ZD_TIME_ORIGIN`), against an in-process simulator on the team plan.
//! Redis: `ZDKIT_TEST_REDIS` (default redis://127.0.0.1:6379; `scripts/test` starts it).

use std::process::{Command, Stdio};

use crate::support::{admin, zd_bin, Sim};
use zdkit_sim::limits::Plan;
use zdkit_sim::SimConfig;

fn redis_url() -> String {
    std::env::var("ZDKIT_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

const SCALE: &str = "60";

fn sim() -> Sim {
    let mut c = SimConfig::with_tickets(150);
    c.plan = Plan::Team;
    c.time_scale = 60.0;
    c.quirks.archive_after_days = 0; // the walkers count on every ticket being listed
    Sim::with(c)
}

fn walker(sim: &Sim, origin: &str, budget: bool) -> Command {
    let mut cmd = Command::new(zd_bin());
    cmd.env_clear();
    for (k, v) in admin(sim) {
        cmd.env(k, v);
    }
    cmd.env("ZD_TIME_SCALE", SCALE)
        .env("ZD_TIME_ORIGIN", origin);
    if budget {
        cmd.env("ZD_BUDGET_URL", redis_url());
    }
    cmd.args(["api", "GET", "tickets", "-f", "page[size]=1", "--paginate"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn sim_stats(sim: &Sim) -> serde_json::Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let body = reqwest::get(format!("{}/__sim/stats", sim.url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        serde_json::from_str(&body).unwrap()
    })
}

fn origin() -> String {
    // Any instant shared by the processes of one test; the test's start is as good as any.
    zdkit::Clock::now(&zdkit::SystemClock::new())
        .unix_secs()
        .to_string()
}

/// Four walkers, 600 requests against 200/min: together they pace as one client.
#[test]
fn processes_sharing_a_budget_pace_as_one_client() {
    let sim = sim();
    let origin = origin();
    let children: Vec<_> = (0..4)
        .map(|_| walker(&sim, &origin, true).spawn().unwrap())
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stats = sim_stats(&sim);
    let requests = stats["requests"].as_u64().unwrap();
    let limited = stats["by_status"]["429"].as_u64().unwrap_or(0);
    assert!(requests >= 500, "{stats}");
    assert!(limited <= 1, "{limited} 429s of {requests}: {stats}");
    // `zd limits` shows the shared state: the four walkers, their lane and usage.
    let mut env = admin(&sim);
    env.push(("ZD_BUDGET_URL", redis_url()));
    env.push(("ZD_TIME_ORIGIN", origin.clone()));
    let run = crate::support::run(&env, &["limits", "--json", "--time-scale", SCALE]);
    run.expect(0);
    let v: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let clients = v["shared"]["clients"].as_array().unwrap();
    let walkers: Vec<_> = clients
        .iter()
        .filter(|c| c["lane"] == "normal" && c["granted_total"].as_u64() > Some(50))
        .collect();
    assert!(walkers.len() >= 4, "{v}");
    let account = v["shared"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bucket"] == "account")
        .cloned()
        .unwrap();
    assert_eq!(account["limit"], 200, "{v}");
    let table = crate::support::run(&env, &["limits", "--time-scale", SCALE]);
    assert!(
        table.expect(0).stdout.contains("SHARED BUCKET"),
        "{}",
        table.stdout
    );
}

/// A process killed (`kill -9`) while holding permits: the others finish, the leases
/// expire, and the shared state shows no permit held for ever.
#[test]
fn a_process_killed_holding_permits_does_not_stall_the_others() {
    use std::io::Read;
    let sim = sim();
    let origin = origin();
    let mut victim = walker(&sim, &origin, true).spawn().unwrap();
    // Let it start spending the budget (its first page is a real request).
    loop {
        let s = sim_stats(&sim);
        if s["requests"].as_u64().unwrap_or(0) >= 5 {
            break;
        }
        std::thread::yield_now();
    }
    victim.kill().unwrap(); // SIGKILL
    let _ = victim.wait();
    let mut survivor = walker(&sim, &origin, true).spawn().unwrap();
    let status = survivor.wait().unwrap();
    let mut err = String::new();
    survivor
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
}

/// `--pacing eager` (here through `ZD_PACING`): one walker spends each window's budget as
/// fast as the simulator answers, never past what its headers say remains: no 429.
#[test]
fn eager_pacing_walks_without_a_429() {
    let sim = sim();
    let mut cmd = walker(&sim, &origin(), false);
    cmd.env("ZD_PACING", "eager");
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats = sim_stats(&sim);
    assert!(stats["requests"].as_u64().unwrap() >= 100, "{stats}");
    assert_eq!(
        stats["by_status"]["429"].as_u64().unwrap_or(0),
        0,
        "{stats}"
    );
}

/// An unknown pacing mode is a usage error that names the valid ones.
#[test]
fn an_unknown_pacing_mode_is_refused() {
    let sim = sim();
    let r = crate::support::run(&admin(&sim), &["--pacing", "fast", "api", "GET", "tickets"]);
    r.expect(2);
    assert!(r.stderr.contains("even or eager"), "{}", r.stderr);
}
