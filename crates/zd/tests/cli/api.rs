//! `api` tests.
use super::support::*;

#[test]
fn get_prints_json() {
    let sim = Sim::start();
    let r = run(&admin(&sim), &["api", "GET", "/api/v2/users/me", "-i"]);
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["user"]["email"], "admin@example.com");
    assert!(r.stderr.contains("HTTP 200"), "{}", r.stderr);
}

#[test]
fn items_and_pages_follow_cursors_and_offsets() {
    let sim = Sim::start();
    let env = admin(&sim);
    let first = run(&env, &["api", "GET", "tickets", "-f", "per_page=10"]);
    let v: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    let total = v["count"].as_u64().unwrap() as usize;
    assert!(total > 100);
    let r = run(
        &env,
        &["api", "GET", "tickets", "-f", "page[size]=50", "--items"],
    );
    r.expect(0);
    assert_eq!(r.stdout.lines().count(), total);
    let ids: std::collections::HashSet<u64> = r
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids.len(), total);
    let r = run(
        &env,
        &["api", "GET", "tickets", "-f", "page[size]=50", "--paginate"],
    );
    r.expect(0);
    assert_eq!(r.stdout.lines().count(), 3);
    let r = run(
        &env,
        &["api", "GET", "tickets", "-f", "per_page=100", "--items"],
    );
    r.expect(0);
    assert_eq!(r.stdout.lines().count(), total);
}

#[test]
fn post_with_typed_nested_fields() {
    let sim = Sim::start();
    let r = run(
        &admin(&sim),
        &[
            "api",
            "POST",
            "tickets",
            "-f",
            "ticket[subject]=Hello zd",
            "-f",
            "ticket[comment][body]=body",
            "-f",
            "ticket[tags][]=cli",
            "-H",
            "X-Test: 1",
        ],
    );
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["ticket"]["subject"], "Hello zd");
}

#[test]
fn exit_codes_follow_the_failure_class() {
    let sim = Sim::start();
    let env = admin(&sim);
    let r = run(&env, &["api", "GET", "tickets/999999"]);
    r.expect(4);
    assert!(r.stderr.contains("request id"), "{}", r.stderr);
    assert!(r.stderr.contains("hint:"), "{}", r.stderr);
    let r = run(&env, &["api", "POST", "tickets", "-f", "nothing=1"]);
    r.expect(5);
    assert!(r.stderr.contains("ticket"), "{}", r.stderr);
    let r = run(
        &set(env.clone(), "ZENDESK_API_TOKEN", "wrong"),
        &["api", "GET", "users/me"],
    );
    r.expect(3);
    let r = run(
        &set(env.clone(), "ZENDESK_EMAIL", "enduser@example.com"),
        &["api", "GET", "tickets"],
    );
    r.expect(3);
    let r = run(&env, &["api", "BAD METHOD", "x"]);
    r.expect(2);
}

#[test]
fn rate_limit_in_no_wait_mode_is_exit_6() {
    let mut cfg = zdkit_sim::SimConfig::with_tickets(50);
    cfg.faults = zdkit_sim::faults::FaultPlan::from_json_str(
        r#"{"storms":[{"start_secs":0,"end_secs":100000,"retry_after_secs":42,"path":"/api/v2/users/me"}]}"#,
    )
    .unwrap();
    let sim = Sim::with(cfg);
    let r = run(&admin(&sim), &["--no-wait", "api", "GET", "users/me"]);
    r.expect(6);
    assert!(r.stderr.contains("retry after: 42"), "{}", r.stderr);
}

#[test]
fn server_and_transport_failures_are_exit_7() {
    let mut cfg = zdkit_sim::SimConfig::with_tickets(50);
    cfg.faults = zdkit_sim::faults::FaultPlan::from_json_str(
        r#"{"rules":[{"path":"/api/v2/tickets","error_500":1.0}]}"#,
    )
    .unwrap();
    let sim = Sim::with(cfg);
    let r = run(&admin(&sim), &["api", "GET", "tickets"]);
    r.expect(7);
    let dead = set(admin(&sim), "ZENDESK_BASE_URL", "http://127.0.0.1:9");
    let r = run(&dead, &["api", "GET", "users/me"]);
    r.expect(7);
}

#[test]
fn incremental_exports_paginate_to_the_end_of_stream() {
    let sim = Sim::start();
    let r = run(
        &admin(&sim),
        &[
            "api",
            "GET",
            "incremental/tickets/cursor",
            "-f",
            "start_time=0",
            "--items",
        ],
    );
    r.expect(0);
    assert!(
        r.stdout.lines().count() >= 100,
        "{}",
        r.stdout.lines().count()
    );
}

#[test]
fn a_closed_pipe_is_success() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let sim = Sim::start();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zd"));
    cmd.env_clear();
    for (k, v) in admin(&sim) {
        cmd.env(k, v);
    }
    let mut child = cmd
        .args([
            "api",
            "GET",
            "tickets",
            "-f",
            "page[size]=100",
            "--paginate",
        ])
        .args(["--time-scale", "100"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with('{'));
    // The reader is dropped here: the rest of the output hits a closed pipe.
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
