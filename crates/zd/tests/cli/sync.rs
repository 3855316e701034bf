//! `zd sync`: the embedded demo (`--simulate`) and a sync of a running simulator.

use serde_json::Value;

use crate::support::{admin, run, zd, Sim};

fn count(db: &std::path::Path, table: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn simulate_syncs_the_demo_account_and_prints_a_json_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let to = format!("sqlite:{}", db.display());
    let r = zd(
        &[],
        &[
            "sync",
            "--simulate",
            "--tickets",
            "2000",
            "--json",
            "--to",
            &to,
        ],
    );
    r.expect(0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["complete"], true, "{v}");
    assert_eq!(v["simulated"]["plan"], "enterprise");
    assert_eq!(v["simulated"]["tickets"], 2000);
    assert_eq!(v["rate_limited"], 0);
    let tickets = v["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stream"] == "tickets")
        .unwrap();
    assert_eq!(tickets["records"], 2000);
    assert_eq!(tickets["pages"], 2);
    // users: tickets/10 clamped to at least 50; organizations: users/10.
    for (table, n) in [
        ("tickets", 2000),
        ("users", 200),
        ("organizations", 20),
        ("groups", 10),
        ("ticket_fields", 15),
    ] {
        assert_eq!(v["tables"][table], n, "{table} in {v}");
        assert_eq!(count(&db, table), n, "{table} in the file");
    }
    // Progress went to stderr as plain lines (not a terminal), the summary to stdout.
    assert!(
        r.stderr.contains("sync: tickets: caught up"),
        "{}",
        r.stderr
    );
}

#[test]
fn quiet_sync_of_a_running_simulator_then_a_cheap_rerun() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("z.db");
    let to = format!("sqlite:{}", db.display());
    let env = admin(&sim);
    let r = run(&env, &["sync", "--quiet", "--json", "--to", &to]);
    r.expect(0);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["simulated"], Value::Null);
    assert_eq!(count(&db, "tickets"), 120);
    let again = run(&env, &["sync", "--quiet", "--json", "--to", &to]);
    again.expect(0);
    let v: Value = serde_json::from_str(&again.stdout).unwrap();
    // One request per stream: three exports resumed from their cursors, two lists.
    assert_eq!(v["requests"], 5, "{v}");
    assert!(v["streams"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["pages"] == 1));
    assert_eq!(count(&db, "tickets"), 120);
}

#[test]
fn an_unusable_store_fails_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let to = format!("sqlite:{}/missing/z.db", dir.path().display());
    let r = zd(
        &[],
        &["sync", "--simulate", "--tickets", "100", "--to", &to],
    );
    r.expect(2);
    assert!(r.stderr.contains("does not exist"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was requested"), "{}", r.stderr);
}
