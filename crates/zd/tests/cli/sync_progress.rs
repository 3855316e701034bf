//! `zd sync`'s progress (`--progress json|lines`): each stream names the bucket it waits
//! on, how long, and gives an ETA; and the sideload switches (`--no-sideloads`,
//! `--no-sideload NAME`).

use serde_json::Value;

use crate::support::zd;

fn count(db: &std::path::Path, table: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// 3,000 tickets at 1,000 a page against the 10/min export limit (the team plan, on the
/// real-time scale, so even on a loaded machine a page is fetched well within its 6 s
/// slot): the pages wait for `incremental-exports`, and from the second page on the ETA
/// is known.
fn throttled(progress: &str, db: &std::path::Path) -> crate::support::Run {
    let to = format!("sqlite:{}", db.display());
    zd(
        &[("ZD_TIME_SCALE", "1")],
        &[
            "sync",
            "--simulate",
            "--plan",
            "team",
            "--tickets",
            "3000",
            "--streams",
            "tickets",
            "--progress",
            progress,
            "--json",
            "--to",
            &to,
        ],
    )
}

#[test]
fn json_progress_names_the_bucket_and_gives_an_eta() {
    let dir = tempfile::tempdir().unwrap();
    let r = throttled("json", &dir.path().join("p.db"));
    r.expect(0);
    let events: Vec<Value> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Whether a page waits depends on how fast the machine fetches it (the engine's own
    // test, tests/progress.rs in zdkit-sync, makes the waits certain on a manual clock);
    // every wait reported names its bucket and rate.
    let waits: Vec<&Value> = events.iter().filter(|e| e["event"] == "waiting").collect();
    for w in &waits {
        assert_eq!(w["stream"], "tickets", "{w}");
        assert_eq!(w["bucket"], "incremental-exports", "{w}");
        assert_eq!(w["bucket_per_minute"], 10.0, "{w}");
        assert!(w["wait_secs"].as_f64().unwrap() > 0.0, "{w}");
        assert!(w["until"].as_str().unwrap().ends_with("UTC"), "{w}");
    }
    let pages: Vec<&Value> = events.iter().filter(|e| e["event"] == "page").collect();
    assert!(pages.len() >= 3, "{}", r.stderr);
    // Mid-stream pages have pages left and an ETA at the bucket's rate (6 s a page).
    let mid: Vec<&&Value> = pages
        .iter()
        .filter(|p| p["pages_left"].as_u64().is_some_and(|n| n > 0))
        .collect();
    assert!(!mid.is_empty(), "{}", r.stderr);
    for p in &mid {
        let left = p["pages_left"].as_u64().unwrap();
        let eta = p["eta_secs"].as_u64().unwrap();
        assert!(eta >= left * 6, "{p}");
        assert_eq!(p["bucket"], "incremental-exports", "{p}");
        assert!(p["records_per_sec"].as_f64().unwrap() > 0.0, "{p}");
    }
    // The last page: caught up, nothing left.
    let last = pages.last().unwrap();
    assert_eq!(
        (last["pages_left"].as_u64(), last["eta_secs"].as_u64()),
        (Some(0), Some(0))
    );
    // The summary says what each stream waited on.
    let summary: Value = serde_json::from_str(&r.stdout).unwrap();
    let tickets = &summary["streams"][0];
    if !waits.is_empty() {
        assert_eq!(tickets["waited_on"], "incremental-exports", "{summary}");
        assert!(tickets["waited_secs"].as_f64().unwrap() > 0.0, "{summary}");
    }
}

#[test]
fn line_progress_says_what_it_waits_for_and_when_it_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let r = throttled("lines", &dir.path().join("p.db"));
    r.expect(0);
    // Waits of a second or more get a line of their own (shorter ones are counted on
    // the page lines); either way the bucket and its rate are named.
    for l in r
        .stderr
        .lines()
        .filter(|l| l.starts_with("sync: tickets: waiting"))
    {
        assert!(l.contains("for incremental-exports 10/min (until "), "{l}");
    }
    let pages: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("sync: tickets: ") && l.contains(" records, "))
        .collect();
    for l in pages.iter().filter(|l| l.contains(" waited for ")) {
        assert!(l.contains("waited for incremental-exports 10/min"), "{l}");
    }
    assert!(
        pages
            .iter()
            .any(|l| l.contains("ETA ") && l.contains("pages left at incremental-exports 10/min")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("sync: tickets: caught up, 3000 records"),
        "{}",
        r.stderr
    );
}

#[test]
fn sideloads_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let sync = |db: &std::path::Path, extra: &[&str]| {
        let to = format!("sqlite:{}", db.display());
        let mut args = vec![
            "sync",
            "--simulate",
            "--tickets",
            "300",
            "--streams",
            "tickets,users",
            "-q",
            "--to",
            &to,
        ];
        args.extend_from_slice(extra);
        zd(&[], &args).expect(0);
    };
    let with = dir.path().join("with.db");
    sync(&with, &[]);
    assert!(count(&with, "ticket_metrics") > 0);
    assert!(count(&with, "identities") > 0);
    let none = dir.path().join("none.db");
    sync(&none, &["--no-sideloads"]);
    assert_eq!(count(&none, "ticket_metrics"), 0);
    assert_eq!(count(&none, "identities"), 0);
    assert_eq!(count(&none, "tickets"), count(&with, "tickets"));
    let one = dir.path().join("one.db");
    sync(&one, &["--no-sideload", "identities"]);
    assert!(count(&one, "ticket_metrics") > 0);
    assert_eq!(count(&one, "identities"), 0);
    let to = format!("sqlite:{}", dir.path().join("bad.db").display());
    let bad = zd(
        &[],
        &[
            "sync",
            "--simulate",
            "--no-sideload",
            "comments",
            "--to",
            &to,
        ],
    );
    bad.expect(2);
    assert!(
        bad.stderr.contains("metric_sets, identities"),
        "{}",
        bad.stderr
    );
}
