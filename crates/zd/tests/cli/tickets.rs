//! `tickets` tests: bulk updates in jobs, creates with idempotency keys, results files.

use super::support::*;

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
    let r = run(&env, &["tickets", "update-many", "--input", input]);
    r.expect(5);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&results)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
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
    let r = run(&env, &["tickets", "create", "--input", input, "-q"]);
    r.expect(0);
    let results = format!("{input}.results.jsonl");
    let first = std::fs::read_to_string(&results).unwrap();
    assert!(first.contains("\"key\":\"k2\""), "{first}");
    // A rerun skips both; with the results file gone the keys replay the same tickets.
    let r = run(&env, &["tickets", "create", "--input", input]);
    r.expect(0);
    assert!(r.stderr.contains("2 skipped"), "{}", r.stderr);
    std::fs::remove_file(&results).unwrap();
    let r = run(&env, &["tickets", "create", "--input", input]);
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
