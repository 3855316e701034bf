//! `tickets` tests: bulk updates in jobs, creates with idempotency keys, results files.

use super::support::*;
use zdkit_sim::hostile::Reply;

fn fast_sim() -> Sim {
    let mut cfg = zdkit_sim::SimConfig::with_tickets(300);
    cfg.time_scale = 1000.0;
    Sim::with(cfg)
}

#[test]
fn malformed_rows_are_reported_with_line_numbers_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "id,status\n1,open\n2\n,solved\n\"3,open\n").unwrap();
    // No account configured: nothing can be sent, and nothing is tried.
    let r = zd(
        &[],
        &["tickets", "update-many", "--input", input.to_str().unwrap()],
    );
    r.expect(2);
    for s in ["line 3:", "line 4: no ticket `id`", "line 5:"] {
        assert!(r.stderr.contains(s), "{s}: {}", r.stderr);
    }
    assert!(r.stderr.contains("nothing was sent"));
}

#[test]
fn update_many_records_failures_and_a_rerun_skips_successes() {
    let sim = fast_sim();
    let env = admin(&sim);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let results = dir.path().join("in.csv.results.jsonl");
    let mut csv = String::from("id,priority,additional_tags\n");
    for id in 1..=150 {
        csv.push_str(&format!("{id},high,bulk zd\n"));
    }
    csv.push_str("999999,low,\n");
    std::fs::write(&input, csv).unwrap();
    let input = input.to_str().unwrap();
    let r = run(
        &env,
        &["tickets", "update-many", "--input", input, "--dry-run"],
    );
    r.expect(0);
    assert!(
        r.stdout.contains("151 ticket(s) in 2 job(s)"),
        "{}",
        r.stdout
    );
    assert!(!results.exists());
    let r = run(&env, &["tickets", "update-many", "--input", input, "--yes"]);
    r.expect(5);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&results)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v.get("job").is_none())
        .collect();
    assert_eq!(lines.len(), 151);
    let failed: Vec<&serde_json::Value> = lines.iter().filter(|l| l["ok"] == false).collect();
    assert!(failed.iter().any(|l| l["id"] == 999999 && l["line"] == 152));
    assert!(failed.iter().all(|l| l["error"].is_string()), "{failed:?}");
    // The rerun sends only what failed.
    let r = run(
        &env,
        &["tickets", "update-many", "--input", input, "--dry-run"],
    );
    r.expect(0);
    assert!(
        r.stdout
            .contains(&format!("would update {} ticket(s)", failed.len())),
        "{}",
        r.stdout
    );
    let t = run(&env, &["api", "GET", "tickets/2"]);
    let v: serde_json::Value = serde_json::from_str(&t.stdout).unwrap();
    if v["ticket"]["status"] != "closed" {
        assert_eq!(v["ticket"]["priority"], "high");
    }
}

#[test]
fn create_uses_idempotency_keys_so_reruns_do_not_duplicate() {
    let sim = fast_sim();
    let env = admin(&sim);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("new.jsonl");
    std::fs::write(
        &input,
        "{\"subject\":\"A\",\"comment\":\"one\"}\n{\"subject\":\"B\",\"comment\":\"two\",\"idempotency_key\":\"k2\"}\n",
    )
    .unwrap();
    let input = input.to_str().unwrap();
    let r = run(
        &env,
        &["tickets", "create", "--input", input, "-q", "--yes"],
    );
    r.expect(0);
    let results = format!("{input}.results.jsonl");
    let first = std::fs::read_to_string(&results).unwrap();
    assert!(first.contains("\"key\":\"k2\""), "{first}");
    // A rerun skips both; with the results file gone the keys replay the same tickets.
    let r = run(&env, &["tickets", "create", "--input", input, "--yes"]);
    r.expect(0);
    assert!(r.stderr.contains("2 skipped"), "{}", r.stderr);
    std::fs::remove_file(&results).unwrap();
    let r = run(&env, &["tickets", "create", "--input", input, "--yes"]);
    r.expect(0);
    let second = std::fs::read_to_string(&results).unwrap();
    assert_eq!(second.matches("Replayed").count(), 2, "{second}");
    let id = |s: &str| -> Vec<u64> {
        s.lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_u64()
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(id(&first), id(&second));
}

/// Comments on each ticket whose body is `body`, straight from the simulator.
fn comments_with(rt: &tokio::runtime::Runtime, sim: &Sim, id: u64, body: &str) -> usize {
    rt.block_on(async {
        let text = crate::support::admin_get(&format!(
            "{}/api/v2/tickets/{id}/comments?sort_order=desc&per_page=100",
            sim.url
        ))
        .await;
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        if v["error"] == "RecordNotFound" {
            return 0; // a deleted ticket
        }
        v["comments"]
            .as_array()
            .unwrap_or_else(|| panic!("ticket {id}: {text}"))
            .iter()
            .filter(|c| c["body"] == body || c["plain_body"] == body)
            .count()
    })
}

/// Issue 9 item 10: Ctrl-C during `update-many`, then a rerun: every comment is posted
/// exactly once (the rerun polls the submitted jobs instead of resending them).
#[cfg(unix)]
#[test]
fn ctrl_c_during_update_many_then_a_rerun_posts_each_comment_once() {
    use std::io::BufRead;
    let mut cfg = zdkit_sim::SimConfig::with_tickets(300);
    cfg.time_scale = 10.0;
    let sim = Sim::with(cfg);
    let env = set(admin(&sim), "ZD_TIME_SCALE", "10");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("notes.csv");
    let mut csv = String::from("id,comment[body],comment[public]\n");
    for id in 1..=250 {
        csv.push_str(&format!("{id},bulk note {id},false\n"));
    }
    std::fs::write(&input, csv).unwrap();
    let input = input.to_str().unwrap();
    let mut cmd = std::process::Command::new(zd_bin());
    cmd.env_clear();
    for (k, v) in &env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .args(["tickets", "update-many", "--input", input, "--yes", "-q"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut line = String::new();
    // Interrupt as soon as the first job is submitted.
    while stderr.read_line(&mut line).unwrap() > 0 {
        seen.push_str(&line);
        if line.contains("submitted job") {
            break;
        }
        line.clear();
    }
    assert!(seen.contains("submitted job"), "{seen}");
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "{seen}{rest}");
    assert!(
        rest.contains("interrupted") && rest.contains("submitted"),
        "{seen}{rest}"
    );
    // The rerun collects the submitted job(s) and sends only the rest.
    let r = run(
        &env,
        &["tickets", "update-many", "--input", input, "--yes", "-q"],
    );
    assert!(r.code == 0 || r.code == 5, "{}", r.stderr);
    let results = std::fs::read_to_string(format!("{input}.results.jsonl")).unwrap();
    let ok: Vec<u64> = results
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["ok"] == true)
        .map(|v| v["id"].as_u64().unwrap())
        .collect();
    let outcomes = results.lines().filter(|l| l.contains("\"line\"")).count();
    assert_eq!(outcomes, 250, "{results}");
    assert!(ok.len() > 100, "{results}");
    assert!(
        r.stderr.contains("collecting 1 submitted job(s)"),
        "{}",
        r.stderr
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for id in 1..=250u64 {
        let n = comments_with(&rt, &sim, id, &format!("bulk note {id}"));
        let want = usize::from(ok.contains(&id));
        assert_eq!(
            n, want,
            "ticket {id}: {n} comment(s)\n{}\n{results}",
            r.stderr
        );
    }
}

/// Issue 9 item 11: bulk writes name the account and need `--yes` without a terminal.
#[test]
fn bulk_writes_name_the_account_and_need_yes_without_a_terminal() {
    let sim = fast_sim();
    let env = admin(&sim);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "id,priority\n1,high\n").unwrap();
    let input = input.to_str().unwrap();
    let r = run(&env, &["tickets", "update-many", "--input", input]);
    r.expect(2);
    assert!(r.stderr.contains(&sim.url), "{}", r.stderr);
    assert!(
        r.stderr.contains("--yes") && r.stderr.contains("nothing was sent"),
        "{}",
        r.stderr
    );
    let r = run(&env, &["tickets", "update-many", "--input", input, "--yes"]);
    assert!(r.code == 0 || r.code == 5, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("on {} (env ZENDESK_BASE_URL)", sim.url)),
        "{}",
        r.stderr
    );
}

/// Issue 9 item 14: an unknown column is refused with the valid ones (it used to be
/// reported "Updated" while nothing changed), before anything is sent.
#[test]
fn unknown_csv_columns_are_refused_with_the_valid_ones() {
    let sim = fast_sim();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "id,custom_field_8\n2,hello\n3,world\n").unwrap();
    let input = input.to_str().unwrap();
    let r = run(
        &admin(&sim),
        &["tickets", "update-many", "--input", input, "--yes"],
    );
    r.expect(2);
    assert!(
        r.stderr.contains("unknown column \"custom_field_8\"")
            && r.stderr.contains("custom_fields[ID]")
            && r.stderr.contains("additional_tags")
            && r.stderr.contains("nothing was sent"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("custom_field_8").count(),
        1,
        "{}",
        r.stderr
    );
    // An id alone changes nothing: refused too.
    std::fs::write(input, "id,status\n2,\n").unwrap();
    let r = run(
        &admin(&sim),
        &["tickets", "update-many", "--input", input, "--yes"],
    );
    r.expect(2);
    assert!(r.stderr.contains("nothing to change"), "{}", r.stderr);
}

/// Issue 9 item 14: `custom_fields[ID]` columns, big numbers kept exact, a BOM accepted,
/// and `--dry-run` prints the first request body.
#[test]
fn custom_field_columns_bom_and_dry_run_body() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "\u{feff}id,custom_fields[360001],priority\n5,12345678901234567890,high\n",
    )
    .unwrap();
    let r = zd(
        &[],
        &[
            "tickets",
            "update-many",
            "--input",
            input.to_str().unwrap(),
            "--dry-run",
        ],
    );
    r.expect(0);
    assert!(
        r.stdout.contains("PUT /api/v2/tickets/update_many"),
        "{}",
        r.stdout
    );
    let body: serde_json::Value =
        serde_json::from_str(&r.stdout[r.stdout.find('{').unwrap()..]).unwrap();
    assert_eq!(
        body["tickets"][0]["custom_fields"][0],
        serde_json::json!({"id": 360001, "value": "12345678901234567890"}),
        "{}",
        r.stdout
    );
    assert_eq!(body["tickets"][0]["id"], 5);
}

/// Issue 9 item 14: JSON-lines input keeps big numbers exact. `12345678901234567890` (a
/// u64) stays a number digit for digit; a custom field value beyond 64 bits is sent as
/// its exact digits in a string; elsewhere such a number is refused with its path.
#[test]
fn jsonl_big_numbers_are_sent_exactly_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"comment": "hi", "custom_fields": [{"id": 360001, "value": 12345678901234567890},"#,
            r#" {"id": 360002, "value": 123456789012345678901234567890}], "requester_id": 12345678901234567890}"#,
            "\n"
        ),
    )
    .unwrap();
    let input = input.to_str().unwrap();
    let h = super::hostile::Hostile::new();
    let server = h.server();
    server.handler(|_| {
        Reply::json(&serde_json::json!({"ticket": {"id": 77, "subject": "x"}})).with_status(201)
    });
    let r = run(
        &super::hostile::env_for(&server),
        &["tickets", "create", "--input", input, "--yes"],
    );
    r.expect(0);
    let sent = server.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let body = String::from_utf8_lossy(&sent[0].body).into_owned();
    assert!(
        body.contains(r#"{"id":360001,"value":12345678901234567890}"#),
        "{body}"
    );
    assert!(
        body.contains(r#"{"id":360002,"value":"123456789012345678901234567890"}"#),
        "{body}"
    );
    assert!(
        body.contains(r#""requester_id":12345678901234567890"#),
        "{body}"
    );
    // A number no JSON value can hold, outside a custom field value: refused, unsent.
    std::fs::write(
        input,
        "{\"id\": 1, \"priority\": \"high\"}\n{\"id\": 123456789012345678901, \"priority\": \"low\"}\n",
    )
    .unwrap();
    let r = zd(
        &[],
        &["tickets", "update-many", "--input", input, "--dry-run"],
    );
    r.expect(2);
    assert!(
        r.stderr
            .contains("line 2: id: the number 123456789012345678901 cannot be sent exactly"),
        "{}",
        r.stderr
    );
}
