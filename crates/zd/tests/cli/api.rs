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
    // Several pages of 50 (archived tickets are not listed).
    assert!(total > 50, "{total}");
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
    assert_eq!(r.stdout.lines().count(), total.div_ceil(50));
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
    let mut cmd = Command::new(zd_bin());
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

#[test]
fn default_get_method_flag_and_misspelled_methods() {
    let sim = Sim::start();
    let env = admin(&sim);
    let r = run(&env, &["api", "/api/v2/tickets/1"]);
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["ticket"]["id"], 1);
    run(&env, &["api", "-X", "get", "tickets/1"]).expect(0);
    let r = run(&env, &["api", "GTE", "tickets/1"]);
    r.expect(2);
    assert!(r.stderr.contains("GET, POST"), "{}", r.stderr);
    run(&env, &["api", "-X", "PSOT", "tickets"]).expect(2);
}

#[test]
fn fields_arrays_of_objects_and_big_integers_are_sent_exactly() {
    let sim = Sim::start();
    let env = admin(&sim);
    let big = "12345678901234567890";
    let r = run(
        &env,
        &[
            "api",
            "-X",
            "POST",
            "tickets",
            "-f",
            "ticket[subject]=big numbers",
            "-f",
            "ticket[comment][body]=hi",
            "--jq",
            ".ticket.id",
        ],
    );
    r.expect(0);
    let path = format!("tickets/{}", r.stdout.trim());
    let r = run(
        &env,
        &[
            "api",
            "-X",
            "PUT",
            &path,
            "-F",
            "ticket[custom_fields][][id]=12",
            "-F",
            &format!("ticket[custom_fields][][value]={big}"),
            "-F",
            "ticket[custom_fields][][id]=8",
            "-f",
            &format!("ticket[custom_fields][][value]={big}"),
            "--silent",
        ],
    );
    r.expect(0);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let r = run(
        &env,
        &[
            "api",
            &path,
            "--jq",
            "[.ticket.custom_fields[] | select(.id == 8 or .id == 12)] | sort_by(.id) | .[]",
        ],
    );
    r.expect(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!(r#"{{"id":8,"value":"{big}"}}"#),
            format!(r#"{{"id":12,"value":{big}}}"#)
        ],
        "{}",
        r.stdout
    );
    // @file for a comment body, and --jq printing strings raw.
    let dir = tempfile::tempdir().unwrap();
    let note = dir.path().join("note.txt");
    std::fs::write(&note, "from a file").unwrap();
    let r = run(
        &env,
        &[
            "api",
            "-X",
            "PUT",
            &path,
            "-F",
            &format!("ticket[subject]=@{}", note.display()),
            "--jq",
            ".ticket.subject",
        ],
    );
    r.expect(0);
    assert_eq!(r.stdout, "from a file\n");
}

#[test]
fn jq_filters_items_and_bad_expressions_are_usage_errors() {
    let sim = Sim::start();
    let env = admin(&sim);
    let r = run(
        &env,
        &[
            "api",
            "tickets",
            "-f",
            "page[size]=50",
            "--items",
            "--jq",
            ".id",
        ],
    );
    r.expect(0);
    let ids: Vec<u64> = r.stdout.lines().map(|l| l.parse().unwrap()).collect();
    // Several pages of 50, in id order (archived tickets are not listed).
    assert!(
        ids.len() > 50 && ids.windows(2).all(|w| w[0] < w[1]),
        "{}",
        ids.len()
    );
    let r = run(&env, &["api", "tickets/1", "--jq", ".ticket["]);
    r.expect(2);
    let r = run(&env, &["api", "users/me", "--jq", "env"]);
    r.expect(2);
    assert!(r.stderr.contains("env"), "{}", r.stderr);
}

#[test]
fn verbose_shows_method_url_query_and_redacted_headers() {
    let sim = Sim::start();
    let r = run(
        &admin(&sim),
        &[
            "-v",
            "api",
            "tickets",
            "-f",
            "page[size]=2",
            "-H",
            "X-Trace: 7",
        ],
    );
    r.expect(0);
    let e = &r.stderr;
    assert!(e.contains("> GET http://127.0.0.1:"), "{e}");
    assert!(e.contains("page%5Bsize%5D=2"), "{e}");
    assert!(e.contains("> query page[size] = 2"), "{e}");
    assert!(e.contains("> authorization: Basic [redacted]"), "{e}");
    assert!(e.contains("> X-Trace: 7"), "{e}");
    assert!(e.contains("< HTTP 200"), "{e}");
    assert!(!e.contains("zd-sim-token"), "{e}");
}

/// Issue 9 item 13: `--items` on a single record printed nothing and exited 0.
#[test]
fn items_on_one_record_fails_loudly() {
    let sim = Sim::start();
    let r = run(&admin(&sim), &["api", "GET", "tickets/1", "--items"]);
    r.expect(2);
    assert!(r.stderr.contains("drop --items"), "{}", r.stderr);
}

/// Issue 9 item 13: `--items` on plain search stopped at 1,000 results with exit 0.
#[test]
fn items_on_capped_search_fail_loudly() {
    let sim = Sim::with(zdkit_sim::SimConfig::with_tickets(1_150));
    let env = admin(&sim);
    let r = run(
        &env,
        &["api", "GET", "search", "-f", "query=type:ticket", "--items"],
    );
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1000);
    assert!(r.stderr.contains("1000"), "{}", r.stderr);
    assert!(r.stderr.contains("search/export"), "{}", r.stderr);
}

/// A server that answers every request with `body` and no rate-limit headers.
fn headerless_server(body: &'static str) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let h = std::thread::spawn(move || {
        for stream in listener.incoming().take(2) {
            let Ok(mut s) = stream else { return };
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            let resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(resp.as_bytes());
        }
    });
    (url, h)
}

#[test]
fn a_server_without_rate_limit_headers_is_noted_once() {
    let (url, _h) = headerless_server(r#"{"tickets":[{"id":1}],"next_page":null}"#);
    let env = set(
        vec![
            ("ZENDESK_EMAIL", "a@example.com".to_owned()),
            ("ZENDESK_API_TOKEN", "t".to_owned()),
        ],
        "ZENDESK_BASE_URL",
        &url,
    );
    let r = run(&env, &["api", "tickets", "--paginate"]);
    r.expect(0);
    assert_eq!(
        r.stderr.matches("no rate-limit headers seen").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("set --plan"), "{}", r.stderr);
    let r = run(
        &env,
        &["--plan", "enterprise", "api", "tickets", "--paginate"],
    );
    r.expect(0);
    assert!(!r.stderr.contains("no rate-limit headers"), "{}", r.stderr);
}

#[test]
fn list_and_get_resources_in_every_format() {
    let sim = Sim::start();
    let env = admin(&sim);
    // Every page (the simulator's tickets span two pages of 100).
    let r = run(&env, &["list", "tickets"]);
    r.expect(0);
    let ids: std::collections::HashSet<&str> = r.stdout.lines().collect();
    assert!(ids.len() > 100, "{}", ids.len());
    let r = run(&env, &["list", "tickets", "--limit", "50", "--sort", "id"]);
    r.expect(0);
    assert_eq!(r.stdout.lines().count(), 50);
    let first: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert!(first["id"].is_u64());
    let r = run(
        &env,
        &["list", "ticket", "--limit", "3", "--format", "json"],
    );
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    let r = run(
        &env,
        &[
            "list",
            "tickets",
            "--limit",
            "2",
            "--format",
            "csv",
            "--columns",
            "id,status",
        ],
    );
    r.expect(0);
    assert_eq!(r.stdout.lines().next(), Some("id,status"));
    assert_eq!(r.stdout.lines().count(), 3);
    let r = run(
        &env,
        &["list", "users", "--limit", "2", "--format", "table"],
    );
    r.expect(0);
    assert!(r.stdout.starts_with("id"), "{}", r.stdout);
    let r = run(&env, &["get", "tickets", "1", "2"]);
    r.expect(0);
    assert_eq!(r.stdout.lines().count(), 2);
    run(&env, &["get", "tickets", "999999"]).expect(4);
    run(&env, &["list", "nosuch"]).expect(2);
}

/// Issue 9 item 11: every write names the account it goes to (on stderr, before sending;
/// stdout stays the response), reads do not.
#[test]
fn writes_name_the_account_they_go_to() {
    let sim = Sim::start();
    let env = admin(&sim);
    let account = format!("on {} (env ZENDESK_BASE_URL)", sim.url);
    for (args, what) in [
        (
            &["api", "POST", "tickets", "-f", "ticket[comment][body]=hi"][..],
            "zd api: POST /api/v2/tickets",
        ),
        (
            &[
                "api",
                "-X",
                "PUT",
                "tickets/1",
                "-f",
                "ticket[priority]=high",
            ],
            "zd api: PUT /api/v2/tickets/1",
        ),
        (
            &["api", "PATCH", "tickets/1", "-f", "ticket[priority]=low"],
            "zd api: PATCH /api/v2/tickets/1",
        ),
        (
            &["api", "DELETE", "tickets/2"],
            "zd api: DELETE /api/v2/tickets/2",
        ),
    ] {
        let r = run(&env, args);
        assert!(
            r.stderr.contains(&format!("{what} {account}")),
            "{args:?}: {}",
            r.all()
        );
        assert!(!r.stdout.contains(&account), "{}", r.stdout);
    }
    // Named even when the write then fails.
    let r = run(&env, &["api", "POST", "tickets", "-f", "nothing=1"]);
    r.expect(5);
    assert!(r.stderr.contains(&account), "{}", r.stderr);
    let r = run(&env, &["api", "GET", "tickets/1"]);
    r.expect(0);
    assert!(!r.stderr.contains(&account), "{}", r.stderr);
}
