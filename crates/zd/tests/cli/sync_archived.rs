//! `zd sync --with-comments --archived-audits` through the real binary against
//! `zd sim --archived-percent`: the archived tickets' comments a later events sync left
//! out are fetched per ticket, exactly, and a rerun costs nothing more.

use std::collections::HashSet;

use serde_json::Value;

use crate::support::{admin_get, run, ZdSim};

fn get(url: &str, path: &str) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    serde_json::from_str(&rt.block_on(admin_get(&format!("{url}{path}")))).unwrap()
}

fn ids(db: &std::path::Path, sql: &str) -> HashSet<i64> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn archived_audits_complete_a_mirror() {
    let sim = ZdSim::spawn(
        &[
            "--port",
            "0",
            "--tickets",
            "400",
            "--archived-percent",
            "40",
            "--time-scale",
            "1000",
        ],
        &[],
    );
    let url = sim.url.clone();
    let env = vec![
        ("ZENDESK_BASE_URL", url.clone()),
        ("ZENDESK_EMAIL", "admin@example.com".to_owned()),
        ("ZENDESK_API_TOKEN", "zd-sim-token".to_owned()),
    ];
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("z.db");
    let to = format!("sqlite:{}", db.display());

    // Without ticket events the flag is refused before anything runs.
    let refused = run(&env, &["sync", "--quiet", "--to", &to, "--archived-audits"]);
    refused.expect(2);
    assert!(
        refused.stderr.contains("--with-comments"),
        "{}",
        refused.stderr
    );

    // Tickets from the beginning, then ticket events with comments from 30 days back:
    // the archived tickets (closed 120 days and more) have none of theirs yet.
    run(
        &env,
        &["sync", "--quiet", "--to", &to, "--streams", "tickets"],
    )
    .expect(0);
    let pass = [
        "sync",
        "--quiet",
        "--json",
        "--to",
        &to,
        "--streams",
        "tickets",
        "--with-comments",
        "--since",
        "30d",
        "--archived-audits",
    ];
    let r = run(&env, &pass);
    r.expect(0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let a = &v["archived_audits"];
    assert_eq!(a["done"], true, "{v}");
    let fetched = a["archived_fetched"].as_u64().unwrap();
    assert!(fetched > 100, "{a}");
    assert_eq!(a["archived_tickets"], fetched, "{a}");
    assert_eq!(v["rate_limited"], 0, "{v}");
    // One request per archived ticket fetched (the simulator pages audits by 100: the
    // 1% of its tickets with 120 to 250 comments cost 2 or 3), beside the streams' pages.
    let pages: u64 = v["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["pages"].as_u64().unwrap())
        .sum();
    let requests = v["requests"].as_u64().unwrap();
    assert!(
        requests >= pages + fetched && requests <= pages + fetched + fetched / 20,
        "{v}"
    );

    // Every comment of every archived ticket not deleted is stored, each with its ticket;
    // every stored comment is the simulator's.
    let truth = get(&url, "/__sim/ground-truth/comments");
    let truth = truth["comments"].as_array().unwrap();
    let all: HashSet<i64> = truth.iter().map(|c| c[0].as_i64().unwrap()).collect();
    let archived: HashSet<i64> = truth
        .iter()
        .filter(|c| c[4] == true && c[3] == false)
        .map(|c| c[0].as_i64().unwrap())
        .collect();
    assert!(archived.len() > 300, "{}", archived.len());
    let stored = ids(&db, "SELECT id FROM comments");
    let missing: Vec<_> = archived.difference(&stored).take(5).collect();
    assert!(missing.is_empty(), "archived comments missing: {missing:?}");
    let foreign: Vec<_> = stored.difference(&all).take(5).collect();
    assert!(foreign.is_empty(), "comments not in the truth: {foreign:?}");
    let orphans = ids(
        &db,
        "SELECT c.id FROM comments c LEFT JOIN ticket_events e ON e.id = c.audit_id \
         WHERE e.id IS NULL",
    );
    assert!(
        orphans.is_empty(),
        "comments without their event: {orphans:?}"
    );

    // A rerun: nothing is missing any more, no per-ticket request.
    let again = run(&env, &pass);
    again.expect(0);
    let v: Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(v["archived_audits"]["archived_tickets"], 0, "{v}");
    assert_eq!(v["archived_audits"]["archived_fetched"], 0, "{v}");
    let text = run(
        &env,
        &[
            "sync",
            "--to",
            &to,
            "--streams",
            "tickets",
            "--with-comments",
            "--archived-audits",
            "--progress",
            "none",
        ],
    );
    text.expect(0);
    assert!(
        text.stdout
            .contains("archived audits: 0 of 0 archived tickets without their history fetched"),
        "{}",
        text.stdout
    );
}
