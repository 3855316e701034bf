//! `zd sync`: the embedded demo (`--simulate`) and a sync of a running simulator.

use serde_json::Value;

use crate::support::{admin, run, zd, zd_bin, Sim};

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
    // A first load into an empty store builds its reader-only indexes after the load.
    let built = v["indexes_built_after_load"].as_array().unwrap();
    assert!(built.iter().any(|i| i == "ticket_tags_tag"), "{v}");
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

/// The README's main command run twice into one store: each `--simulate` listens on a
/// fresh port, and the store records the simulated account (seed and size), not the port,
/// so the rerun continues the mirror; another seed is another account and is refused.
#[test]
fn simulate_twice_into_one_store_continues_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("zendesk.db");
    let to = format!("sqlite:{}", db.display());
    let sync = |seed| {
        let args = [
            "sync",
            "--simulate",
            "--tickets",
            "300",
            "--seed",
            seed,
            "--json",
        ];
        zd(&[], &[&args[..], &["--to", &to]].concat())
    };
    sync("1").expect(0);
    let before = count(&db, "tickets");
    assert_eq!(before, 300);
    let r = sync("1");
    r.expect(0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["complete"], true, "{v}");
    assert_eq!(count(&db, "tickets"), before);
    assert!(
        v["account"]
            .as_str()
            .is_some_and(|a| a.contains("zd-sim:seed=1,tickets=300")),
        "{v}"
    );
    // Complete up to the last request less the export's minute, not up to the newest
    // record (the organizations' time export ends at its newest one, days old here). The
    // simulated clock starts at the real time and runs ahead, so the real time two
    // minutes ago is a lower bound.
    let up_to = v["complete_up_to"].as_str().unwrap();
    let now = zdkit_clock::Clock::now(&zdkit_clock::SystemClock::new()).unix_secs();
    let bound = time::OffsetDateTime::from_unix_timestamp(now as i64 - 120).unwrap();
    let bound = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        bound.year(),
        u8::from(bound.month()),
        bound.day(),
        bound.hour(),
        bound.minute(),
        bound.second()
    );
    assert!(
        up_to.ends_with(" UTC") && *up_to >= *bound,
        "{up_to} < {bound}: {v}"
    );
    let r = sync("2");
    r.expect(2);
    assert!(
        r.stderr
            .contains("mirrors zd-sim:seed=1,tickets=300, not zd-sim:seed=2"),
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
    // Issue 9 item 11: the summary names the account mirrored.
    assert_eq!(
        v["account"],
        format!("{} (env ZENDESK_BASE_URL)", sim.url),
        "{v}"
    );
    assert_eq!(count(&db, "tickets"), 120);
    let again = run(&env, &["sync", "--quiet", "--json", "--to", &to]);
    again.expect(0);
    let v: Value = serde_json::from_str(&again.stdout).unwrap();
    // One request per export (three, resumed from their cursors) and per whole list (two);
    // each catalogue family costs the pages of its list.
    let streams = v["streams"].as_array().unwrap();
    let pages: u64 = streams.iter().map(|s| s["pages"].as_u64().unwrap()).sum();
    assert_eq!(v["requests"], pages, "{v}");
    for s in streams {
        let name = s["stream"].as_str().unwrap();
        if [
            "tickets",
            "users",
            "organizations",
            "groups",
            "ticket_fields",
        ]
        .contains(&name)
        {
            assert_eq!(s["pages"], 1, "{s}");
        } else {
            assert!(s["pages"].as_u64().unwrap() <= s["records"].as_u64().unwrap() / 100 + 1);
        }
    }
    assert_eq!(count(&db, "tickets"), 120);
}

/// `--streams` picks streams by their API family names, `--skip` leaves some out, `all`
/// takes every one, and an unknown name is refused with the valid ones.
#[test]
fn streams_and_skip_choose_what_is_synced() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("z.db");
    let to = format!("sqlite:{}", db.display());
    let env = admin(&sim);
    let names = |r: &crate::support::Run| -> Vec<String> {
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        v["streams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["stream"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = run(
        &env,
        &[
            "sync",
            "--quiet",
            "--json",
            "--to",
            &to,
            "--streams",
            "ticket_forms,sla_policies,macros",
        ],
    );
    r.expect(0);
    assert_eq!(names(&r), ["macros", "sla_policies", "ticket_forms"]);
    assert_eq!(count(&db, "tickets"), 0);
    assert!(count(&db, "sla_policies") > 0 && count(&db, "macros") > 0);
    let r = run(
        &env,
        &[
            "sync",
            "--quiet",
            "--json",
            "--to",
            &to,
            "--skip",
            "tickets,macros",
        ],
    );
    r.expect(0);
    let got = names(&r);
    assert!(!got.contains(&"tickets".to_owned()) && !got.contains(&"macros".to_owned()));
    assert!(got.contains(&"users".to_owned()) && got.contains(&"brands".to_owned()));
    assert!(!got.contains(&"ticket_events".to_owned()), "{got:?}");
    let r = run(
        &env,
        &[
            "sync",
            "--quiet",
            "--json",
            "--to",
            &to,
            "--streams",
            "all",
            "--skip",
            "ticket_events",
        ],
    );
    r.expect(0);
    assert!(names(&r).contains(&"tickets".to_owned()));
    let r = run(
        &env,
        &["sync", "--quiet", "--to", &to, "--streams", "tikets"],
    );
    r.expect(2);
    assert!(
        r.stderr.contains("unknown stream `tikets`") && r.stderr.contains("sla_policies"),
        "{}",
        r.stderr
    );
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

#[test]
fn ctrl_c_stops_after_the_current_page() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("z.db");
    let to = format!("sqlite:{}", db.display());
    // Enterprise at 10x: each export request after the first ten waits 0.6 s of real time.
    let mut child = Command::new(zd_bin())
        .env_clear()
        .args([
            "sync",
            "--simulate",
            "--tickets",
            "30000",
            "--time-scale",
            "10",
        ])
        .args(["--json", "--to", &to])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 {
        if line.contains("sync: tickets: 2000 records") {
            break;
        }
        line.clear();
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(out.status.code(), Some(1), "stderr: {rest}");
    assert!(rest.contains("interrupted"), "{rest}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cancelled"], true, "{v}");
    let stored = count(&db, "tickets");
    assert!((2000..30_000).contains(&stored), "{stored}");
    assert_eq!(stored % 1000, 0, "whole pages only: {stored}");
}

/// Issue 9 item 12: a store records the account it mirrors; syncing another account into
/// it is refused before any request, naming both.
#[test]
fn a_store_of_one_account_refuses_another() {
    let first = Sim::start();
    let second = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let to = format!("sqlite:{}", dir.path().join("z.db").display());
    run(&admin(&first), &["sync", "--quiet", "--to", &to]).expect(0);
    let r = run(&admin(&second), &["sync", "--quiet", "--to", &to]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains(&format!("mirrors {}", first.url))
            && r.stderr.contains(&second.url)
            && r.stderr.contains("nothing was requested"),
        "{}",
        r.stderr
    );
}

/// `--since` takes dates and durations (it reaches the export: a recent start gets fewer
/// tickets), refuses nonsense, and says which streams' stored checkpoints won; the summary
/// names the time the mirror is complete up to.
#[test]
fn since_takes_dates_and_durations_and_says_when_a_checkpoint_wins() {
    let sim = Sim::start();
    let env = admin(&sim);
    let dir = tempfile::tempdir().unwrap();
    let to = |name: &str| format!("sqlite:{}", dir.path().join(name).display());
    let sync = |to: &str, extra: &[&str]| {
        let mut args = vec!["sync", "--streams", "tickets,users", "--to", to];
        args.extend_from_slice(extra);
        run(&env, &args)
    };
    let records = |r: &crate::support::Run, stream: &str| -> u64 {
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        v["streams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stream"] == stream)
            .unwrap()["records"]
            .as_u64()
            .unwrap()
    };
    let all = sync(&to("all.db"), &["--json"]);
    all.expect(0);
    assert_eq!(records(&all, "tickets"), 120);
    let v: Value = serde_json::from_str(&all.stdout).unwrap();
    assert!(
        v["complete_up_to"].as_str().unwrap().ends_with(" UTC"),
        "{v}"
    );
    let recent = sync(&to("recent.db"), &["--json", "--since", "90d"]);
    recent.expect(0);
    let n = records(&recent, "tickets");
    assert!(n > 0 && n < 120, "--since 90d: {n} of 120 tickets");
    let dated = to("dated.db");
    sync(&dated, &["--json", "--since", "2020-01-01"]).expect(0);
    let again = sync(&dated, &["--json", "--since", "2020-01-01"]);
    again.expect(0);
    let v: Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(
        v["since_ignored"],
        serde_json::json!(["users", "tickets"]),
        "{v}"
    );
    assert!(
        again
            .stderr
            .contains("--since ignored for users, tickets: their stored checkpoints win"),
        "{}",
        again.stderr
    );
    let plain = sync(&dated, &[]);
    plain.expect(0);
    assert!(
        plain.stdout.contains("complete up to ")
            && plain.stdout.contains("Zendesk exports lag about a minute"),
        "{}",
        plain.stdout
    );
    let bad = sync(&to("bad.db"), &["--since", "yesterday"]);
    bad.expect(2);
    assert!(bad.stderr.contains("not a time"), "{}", bad.stderr);
}

/// `zd sync reset STREAM` asks first (refuses without a terminal or --yes), then forgets
/// the stream's checkpoint and rows only; the next sync fetches it whole again.
#[test]
fn reset_forgets_one_stream_after_confirmation() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("z.db");
    let to = format!("sqlite:{}", db.display());
    let env = admin(&sim);
    run(
        &env,
        &[
            "sync",
            "--quiet",
            "--to",
            &to,
            "--streams",
            "tickets,macros",
        ],
    )
    .expect(0);
    assert_eq!(count(&db, "tickets"), 120);
    let macros = count(&db, "macros");
    assert!(macros > 0);
    let r = zd(&[], &["sync", "reset", "tickets", "--to", &to]);
    r.expect(2);
    assert!(r.stderr.contains("pass --yes"), "{}", r.stderr);
    assert_eq!(
        count(&db, "tickets"),
        120,
        "nothing deleted without confirmation"
    );
    let r = zd(&[], &["sync", "reset", "tickets", "--to", &to, "--yes"]);
    r.expect(0);
    assert!(
        r.stderr.contains("tickets (") && r.stderr.contains(&sim.url),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("reset tickets: "), "{}", r.stdout);
    assert_eq!(count(&db, "tickets"), 0);
    assert_eq!(count(&db, "ticket_metrics"), 0);
    assert_eq!(count(&db, "macros"), macros);
    assert_eq!(count(&db, "sync_state WHERE stream = 'tickets'"), 0);
    let r = run(
        &env,
        &[
            "sync",
            "--quiet",
            "--json",
            "--to",
            &to,
            "--streams",
            "tickets",
        ],
    );
    r.expect(0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["streams"][0]["records"], 120, "{v}");
    assert_eq!(v["streams"][0]["resumed"], false, "{v}");
    let r = zd(&[], &["sync", "reset", "tickts", "--to", &to, "--yes"]);
    r.expect(2);
    assert!(r.stderr.contains("unknown stream `tickts`"), "{}", r.stderr);
}

/// `--every` syncs again after each wait (on the client's clock: 10 minutes are one second
/// at time scale 600) until SIGTERM, which ends the wait and exits cleanly.
#[test]
fn every_keeps_syncing_until_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let to = format!("sqlite:{}", dir.path().join("z.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_zd"))
        .env_clear()
        .args([
            "sync",
            "--simulate",
            "--tickets",
            "300",
            "--time-scale",
            "600",
        ])
        .args([
            "--every",
            "10m",
            "--json",
            "--streams",
            "tickets,brands",
            "--to",
            &to,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let mut waits = 0;
    while stderr.read_line(&mut line).unwrap() > 0 {
        if line.contains("zd sync: next run at") {
            waits += 1;
            if waits == 2 {
                break;
            }
        }
        line.clear();
    }
    assert_eq!(waits, 2, "two runs, each followed by a wait");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr: {rest}");
    assert!(rest.contains("stopped between runs"), "{rest}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("\"complete_up_to\"").count(), 2, "{stdout}");
    // The second run resumed: it fetched only what changed (nothing).
    assert!(stdout.contains("\"resumed\": true"), "{stdout}");
}

/// `--backfill --plan-only` prints the plan and writes nothing; the run then does what it
/// said: the same slices per stream, no more search-export pages than planned.
#[test]
fn backfill_plan_only_matches_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bf.db");
    let to = format!("sqlite:{}", db.display());
    let base = [
        "sync",
        "--simulate",
        "--tickets",
        "3000",
        "--backfill",
        "--to",
        &to,
    ];
    let plan = zd(&[], &[&base[..], &["--plan-only", "--json"]].concat());
    plan.expect(0);
    let planned: Value = serde_json::from_str(&plan.stdout).unwrap();
    let planned = &planned["plan"];
    assert!(
        planned["search_requests"].as_u64().unwrap() >= 5,
        "{planned}"
    );
    assert_eq!(count(&db, "tickets"), 0, "plan-only writes nothing");
    let text = zd(&[], &[&base[..], &["--plan-only"]].concat());
    text.expect(0);
    for want in [
        "search export",
        "incremental",
        "search-export bucket",
        "expected:",
    ] {
        assert!(text.stdout.contains(want), "{}", text.stdout);
    }
    let r = zd(&[], &[&base[..], &["--json"]].concat());
    r.expect(0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["complete"], true, "{v}");
    assert_eq!(v["rate_limited"], 0, "{v}");
    let bf = &v["backfill"];
    assert_eq!(bf["done"], true, "{bf}");
    let slices = |p: &Value| -> Vec<(String, u64)> {
        p["streams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["stream"].as_str().unwrap().to_owned(),
                    s["slices"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(slices(planned), slices(&bf["plan"]), "{planned}\n{bf}");
    let (want, got) = (
        planned["search_requests"].as_u64().unwrap(),
        bf["search_pages"].as_u64().unwrap(),
    );
    let n: u64 = slices(planned).iter().map(|s| s.1).sum();
    assert!(
        got <= want && got + n >= want,
        "planned {want}, ran {got}: {bf}"
    );
    assert!(
        r.stderr.contains("backfill plan:"),
        "the plan is printed first: {}",
        r.stderr
    );
    assert!(r.stderr.contains("sync: search export:"), "{}", r.stderr);
    assert!(count(&db, "tickets") > 2_800, "{v}");
}
