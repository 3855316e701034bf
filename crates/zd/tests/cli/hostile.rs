//! `zd` against hostile servers (`zdkit_sim::hostile`): items of issue 9, each test named
//! after what broke.
use super::support::*;
use zdkit_sim::hostile::{HostileServer, Reply};

/// Hostile servers living in their own runtime while the binary runs.
pub struct Hostile {
    pub rt: tokio::runtime::Runtime,
}

impl Hostile {
    pub fn new() -> Hostile {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        Hostile { rt }
    }

    pub fn server(&self) -> HostileServer {
        self.rt.block_on(HostileServer::start())
    }
}

pub fn env_for(server: &HostileServer) -> Vec<(&'static str, String)> {
    vec![
        ("ZENDESK_BASE_URL", server.url()),
        ("ZENDESK_EMAIL", "admin@example.com".into()),
        ("ZENDESK_API_TOKEN", "zd-sim-token".into()),
    ]
}

// Item 1: `zd api --paginate` followed `//host`, `/\host`, TAB- and LF-smuggled links.
#[test]
fn api_paginate_refuses_smuggled_links_and_sends_nothing_elsewhere() {
    let h = Hostile::new();
    let other = h.server();
    let host = other.authority();
    for link in [
        format!("//{host}/api/v2/tickets"),
        format!("/\\{host}/api/v2/tickets"),
        format!("/\t/{host}/api/v2/tickets"),
        format!("/\n/{host}/api/v2/tickets"),
    ] {
        let server = h.server();
        server.route(
            "/api/v2/tickets",
            Reply::json(&serde_json::json!({"tickets": [{"id": 1}],
                "meta": {"has_more": true, "after_cursor": "c1"}, "links": {"next": link}})),
        );
        let r = run(&env_for(&server), &["api", "GET", "tickets", "--paginate"]);
        assert_ne!(r.code, 0, "{link:?}: {}", r.all());
        assert!(r.stderr.contains("refusing"), "{link:?}: {}", r.stderr);
    }
    // `zd api GET //host/x` is refused before anything is sent.
    let server = h.server();
    let r = run(
        &env_for(&server),
        &["api", "GET", &format!("//{host}/api/v2/users/me")],
    );
    assert_ne!(r.code, 0, "{}", r.all());
    assert_eq!(server.request_count(), 0);
    assert!(other.requests().is_empty(), "{:?}", other.requests());
}

// Item 3: `Exit::of_status` mapped 3xx to success: commands exited 0 with no output and
// `doctor` printed FAIL then exited 0.
#[test]
fn a_redirect_exits_8_with_a_hint_and_doctor_fails() {
    let h = Hostile::new();
    let server = h.server();
    server.handler(|_| Reply::redirect(302, "https://acme.zendesk.com/access/login"));
    let env = env_for(&server);
    let r = run(&env, &["api", "GET", "users/me"]);
    r.expect(8);
    assert!(r.stderr.contains("the host redirects to"), "{}", r.stderr);
    assert!(r.stderr.contains("access/login"), "{}", r.stderr);
    let r = run(&env, &["limits"]);
    assert_ne!(r.code, 0, "{}", r.all());
    let r = run(&env, &["doctor"]);
    assert_ne!(r.code, 0, "{}", r.all());
    let help = run(&[], &["--help"]);
    assert!(
        help.stdout.contains("8  the host redirected"),
        "{}",
        help.stdout
    );
}

// Item 7: escape sequences in an error body reached the terminal (`api`, `explain`).
#[test]
fn server_text_is_escaped_in_api_errors_and_explain() {
    let h = Hostile::new();
    let server = h.server();
    let evil = "\x1b]0;pwned\x07\x1b[2J\r\nerror: FAKE\u{9b}31m";
    server.handler(move |_| {
        Reply::status(422)
            .header("Content-Type", "application/json")
            .header("X-Zendesk-Request-Id", "id\x1b[2J")
            .body(
                serde_json::to_vec(&serde_json::json!({"error": evil, "description": evil}))
                    .unwrap(),
            )
    });
    let r = run(&env_for(&server), &["api", "GET", "tickets/1", "-i"]);
    r.expect(5);
    assert!(!r.all().contains('\x1b'), "{:?}", r.all());
    assert!(!r.all().contains('\u{9b}'), "{:?}", r.all());
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump.txt");
    let body = serde_json::to_string(&serde_json::json!({"error": "RecordInvalid", "description": format!("{evil}{}", "y".repeat(5000)),
        "details": {"email": [{"description": evil, "error": "DuplicateValue"}]}})).unwrap();
    std::fs::write(
        &dump,
        format!("HTTP/1.1 422 Unprocessable\r\nx-zendesk-request-id: abc\r\n\r\n{body}"),
    )
    .unwrap();
    let r = run(&[], &["explain", "--file", dump.to_str().unwrap()]);
    assert!(!r.all().contains('\x1b'), "{:?}", r.all());
    assert!(r.stdout.contains("more bytes"), "{}", r.stdout);
    let r = run(
        &[],
        &["explain", "--full", "--file", dump.to_str().unwrap()],
    );
    assert!(!r.all().contains('\x1b'), "{:?}", r.all());
    assert!(r.stdout.contains(&"y".repeat(5000)));
}

// Item 2: a huge Retry-After panicked `api`, `doctor` and `limits` (exit 101).
#[test]
fn a_huge_retry_after_never_panics_any_command() {
    let h = Hostile::new();
    for status in [429, 503] {
        let server = h.server();
        server.handler(move |_| {
            Reply::status(status)
                .header("Retry-After", "18446744073709551615")
                .header("ratelimit-reset", "4294967295")
                .header("X-Rate-Limit-Remaining", "0")
        });
        let env = env_for(&server);
        for args in [&["api", "GET", "users/me"][..], &["doctor"], &["limits"]] {
            let r = run(&env, args);
            assert!(
                r.code != 0 && r.code != 101,
                "{args:?} {status}: {}",
                r.all()
            );
            assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        }
    }
}

// Items 2/4: long waits were silent without -v.
#[test]
fn a_long_wait_is_announced_without_verbose() {
    let h = Hostile::new();
    let server = h.server();
    server.push(Reply::status(429).header("Retry-After", "20"));
    server.handler(|_| Reply::json(&serde_json::json!({"user": {"id": 1}})));
    let r = run(&env_for(&server), &["api", "GET", "users/me"]);
    r.expect(0);
    assert!(
        r.stderr
            .contains("waiting 20 s before retrying (HTTP 429); Ctrl-C to stop"),
        "{}",
        r.stderr
    );
}

// Item 5: `--no-wait` reported a 500 as "rate limit budget exhausted" (exit 6, not 7).
#[test]
fn no_wait_reports_the_real_last_error() {
    let h = Hostile::new();
    let server = h.server();
    server.handler(|_| {
        Reply::status(500)
            .header("X-Rate-Limit", "700")
            .header("X-Rate-Limit-Remaining", "0")
            .header("ratelimit-reset", "30")
    });
    let r = run(&env_for(&server), &["--no-wait", "api", "GET", "users/me"]);
    r.expect(7);
}

/// Item 5, made deterministic: on the export bucket (10 a minute, one request each 6 s)
/// every retry of a 500 or of a refused connection falls inside the pacing interval, where
/// `--no-wait` gives up. What it gives up with is the real error (the 500, or the
/// connection), never "rate limit budget exhausted".
#[test]
fn no_wait_on_the_export_bucket_reports_the_real_error() {
    let h = Hostile::new();
    let server = h.server();
    server.handler(|_| Reply::status(500).body("boom"));
    let export = "incremental/tickets/cursor?start_time=1700000000";
    let r = run(&env_for(&server), &["--no-wait", "api", "GET", export]);
    r.expect(7);
    assert!(r.stderr.contains("500"), "{}", r.stderr);
    assert!(!r.stderr.contains("budget exhausted"), "{}", r.stderr);
    let dead = {
        let h = Hostile::new();
        let s = h.server();
        s.url()
    };
    let mut env = env_for(&server);
    env[0].1 = dead;
    let r = run(&env, &["--no-wait", "api", "GET", export]);
    r.expect(7);
    assert!(!r.stderr.contains("budget exhausted"), "{}", r.stderr);
}

/// A reply chosen from the request.
type Answer = Box<dyn Fn(&zdkit_sim::hostile::Recorded) -> Reply + Send + Sync>;

/// A hostile account for `zd sync`: every incremental export answers one empty last page,
/// the ticket field list an empty page, and `groups` (the first list stream) is answered
/// by `groups`; `tickets` answers the ticket export when given.
fn sync_account(
    server: &HostileServer,
    groups: impl Fn(&zdkit_sim::hostile::Recorded) -> Reply + Send + Sync + 'static,
    tickets: Option<Answer>,
) {
    server.handler(move |r| {
        let p = r.path.trim_end_matches(".json");
        if p.starts_with("/api/v2/groups") {
            return groups(r);
        }
        if p.contains("/incremental/tickets") {
            if let Some(t) = &tickets {
                return t(r);
            }
        }
        // The page's array: the export's record type, else the catalogue family's.
        let key = match p.split_once("/incremental/") {
            Some((_, rest)) => rest.split('/').next().unwrap_or(rest),
            None => zdkit_catalog::FAMILIES
                .iter()
                .find(|f| p.strip_prefix("/api/v2/") == Some(f.path))
                .map_or_else(|| p.rsplit('/').next().unwrap_or(p), |f| f.plural),
        };
        Reply::json(
            &serde_json::json!({key: [], "end_of_stream": true, "after_cursor": "end",
            "after_url": null, "next_page": null, "end_time": 1_700_000_000, "count": 0,
            "meta": {"has_more": false, "after_cursor": null}, "links": {"next": null}}),
        )
    });
}

fn sync_to(dir: &tempfile::TempDir) -> String {
    format!("sqlite:{}", dir.path().join("z.db").display())
}

// Item 1 in `zd sync`: a list stream followed a smuggled `links.next` to another host.
#[test]
fn sync_refuses_a_list_link_to_another_origin() {
    let h = Hostile::new();
    let other = h.server();
    let link = format!("//{}/api/v2/groups?page[after]=c1", other.authority());
    let server = h.server();
    sync_account(
        &server,
        move |_| {
            Reply::json(&serde_json::json!({"groups": [{"id": 1, "name": "g"}],
                "meta": {"has_more": true, "after_cursor": "c1"}, "links": {"next": link}}))
        },
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        &env_for(&server),
        &["sync", "--quiet", "--to", &sync_to(&dir)],
    );
    assert!(r.code != 0 && r.code != 101, "{}", r.all());
    assert!(r.stderr.contains("refusing"), "{}", r.stderr);
    assert!(other.requests().is_empty(), "{:?}", other.requests());
}

// Item 2 in `zd sync`: a huge Retry-After panicked a fetch task and the run exited 0 with
// part of the tickets.
#[test]
fn sync_with_a_huge_retry_after_fails_instead_of_a_short_success() {
    let h = Hostile::new();
    let server = h.server();
    let base = server.url();
    sync_account(
        &server,
        |_| {
            Reply::json(
                &serde_json::json!({"groups": [], "meta": {"has_more": false}, "links": {"next": null}}),
            )
        },
        Some(Box::new(move |r| {
            if r.query.as_deref().unwrap_or("").contains("cursor=c1") {
                return Reply::status(429).header("Retry-After", "18446744073709551615");
            }
            Reply::json(&serde_json::json!({"tickets": [{"id": 1, "subject": "a"}],
                "end_of_stream": false, "after_cursor": "c1",
                "after_url": format!("{base}/api/v2/incremental/tickets/cursor.json?cursor=c1")}))
        })),
    );
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        &env_for(&server),
        &["sync", "--quiet", "--to", &sync_to(&dir)],
    );
    assert!(r.code != 0 && r.code != 101, "{}", r.all());
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

// Item 8 in `zd sync`: two alternating cursors in a list looped forever.
#[test]
fn sync_list_with_alternating_cursors_ends_with_an_error() {
    let h = Hostile::new();
    let server = h.server();
    let base = server.url();
    sync_account(
        &server,
        move |r| {
            let next = if r.query.as_deref().unwrap_or("").contains("after%5D=a")
                || r.query.as_deref().unwrap_or("").contains("after]=a")
            {
                "b"
            } else {
                "a"
            };
            Reply::json(&serde_json::json!({"groups": [{"id": 1, "name": "g"}],
                "meta": {"has_more": true, "after_cursor": next},
                "links": {"next": format!("{base}/api/v2/groups?page[after]={next}")}}))
        },
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        &env_for(&server),
        &["sync", "--quiet", "--to", &sync_to(&dir)],
    );
    assert!(r.code > 0 && r.code != 101, "{}", r.all());
    assert!(server.request_count() < 100, "{}", server.request_count());
}

// Item 3 in `zd sync` and the bulk writes: a redirect was a silent success.
#[test]
fn a_redirect_fails_sync_and_bulk_writes() {
    let h = Hostile::new();
    let server = h.server();
    server.handler(|_| Reply::redirect(301, "https://acme.zendesk.com/"));
    let env = env_for(&server);
    let dir = tempfile::tempdir().unwrap();
    let r = run(&env, &["sync", "--quiet", "--to", &sync_to(&dir)]);
    r.expect(8);
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "id,priority\n1,high\n").unwrap();
    let input = input.to_str().unwrap();
    let r = run(&env, &["tickets", "update-many", "--input", input, "--yes"]);
    r.expect(8);
    let input = dir.path().join("new.jsonl");
    std::fs::write(&input, "{\"comment\": \"hi\"}\n").unwrap();
    let r = run(
        &env,
        &[
            "tickets",
            "create",
            "--input",
            input.to_str().unwrap(),
            "--yes",
        ],
    );
    r.expect(8);
}

// Item 8 in `zd api --paginate`: empty pages with `has_more` and a fresh cursor never
// ended.
#[test]
fn api_paginate_stops_on_a_run_of_empty_pages() {
    let h = Hostile::new();
    let server = h.server();
    let base = server.url();
    let n = std::sync::atomic::AtomicU64::new(0);
    server.handler(move |_| {
        let i = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Reply::json(&serde_json::json!({"tickets": [], "meta": {"has_more": true, "after_cursor": format!("c{i}")},
            "links": {"next": format!("{base}/api/v2/tickets?page[after]=c{i}")}}))
    });
    let r = run(&env_for(&server), &["api", "GET", "tickets", "--paginate"]);
    assert!(r.code > 0, "{}", r.all());
    assert!(r.stderr.contains("empty"), "{}", r.stderr);
    assert!(server.request_count() < 1000, "{}", server.request_count());
}

// Item 4: `ratelimit-reset: 4294967295` with nothing remaining made the next request wait
// 136 years, silently. The reset is capped at the bucket's window (a minute).
#[test]
fn a_far_reset_waits_at_most_the_window() {
    let h = Hostile::new();
    let server = h.server();
    let base = server.url();
    server.push(
        Reply::json(&serde_json::json!({"tickets": [{"id": 1}], "meta": {"has_more": true, "after_cursor": "c1"},
            "links": {"next": format!("{base}/api/v2/tickets?page[after]=c1")}}))
        .header("X-Rate-Limit", "700")
        .header("X-Rate-Limit-Remaining", "0")
        .header("ratelimit-limit", "700")
        .header("ratelimit-remaining", "0")
        .header("ratelimit-reset", "4294967295"),
    );
    server.handler(|_| {
        Reply::json(&serde_json::json!({"tickets": [{"id": 2}], "meta": {"has_more": false}, "links": {"next": null}}))
    });
    let r = run(&env_for(&server), &["api", "GET", "tickets", "--paginate"]);
    r.expect(0);
    assert_eq!(server.request_count(), 2);
}

// Item 6: a body of any size was buffered whole; a huge error description was printed
// whole.
#[test]
fn bodies_over_the_cap_fail_and_error_text_is_cut() {
    let h = Hostile::new();
    let server = h.server();
    server.push(
        Reply::status(200)
            .header("Content-Type", "application/json")
            .streamed(vec![b' '; 1 << 20], 70 << 20),
    );
    let description = "x".repeat(5 << 20);
    server.handler(move |_| {
        Reply::status(422)
            .header("Content-Type", "application/json")
            .body(
                serde_json::to_vec(
                    &serde_json::json!({"error": "RecordInvalid", "description": description}),
                )
                .unwrap(),
            )
    });
    let env = env_for(&server);
    let r = run(&env, &["api", "GET", "tickets"]);
    assert!(r.code > 0 && r.code != 101, "exit {}: {}", r.code, r.stderr);
    assert!(r.stderr.contains("cap"), "{}", r.stderr);
    assert!(r.stdout.len() < 1 << 20, "{} bytes printed", r.stdout.len());
    let r = run(&env, &["api", "GET", "tickets/1"]);
    r.expect(5);
    assert!(
        r.stderr.len() < 64 << 10,
        "{} bytes of stderr",
        r.stderr.len()
    );
}

// Item 9: a base URL with a path lost its prefix.
#[test]
fn a_base_url_path_prefix_is_kept_by_the_cli() {
    let h = Hostile::new();
    let server = h.server();
    server.handler(|_| Reply::json(&serde_json::json!({"user": {"id": 1}})));
    let env = set(
        env_for(&server),
        "ZENDESK_BASE_URL",
        &format!("{}/prefix/", server.url()),
    );
    let r = run(&env, &["api", "GET", "users/me"]);
    r.expect(0);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/prefix/api/v2/users/me"]);
}

// Item 12: two concurrent syncs on one store both ran. The first sync here waits on a
// reply that never comes; the second must be refused before sending anything.
#[test]
fn a_second_concurrent_sync_on_one_store_is_refused() {
    let h = Hostile::new();
    let server = h.server();
    server.push(Reply::status(200).delay(std::time::Duration::from_secs(3600)));
    sync_account(
        &server,
        |_| {
            Reply::json(
                &serde_json::json!({"groups": [], "meta": {"has_more": false}, "links": {"next": null}}),
            )
        },
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    let to = sync_to(&dir);
    let env = env_for(&server);
    let mut first = std::process::Command::new(zd_bin());
    first.env_clear().env("ZD_TIME_SCALE", "1000");
    for (k, v) in &env {
        first.env(k, v);
    }
    let mut first = first
        .args(["sync", "--quiet", "--to", &to])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The first sync holds the store once its first request arrived.
    while server.request_count() == 0 {
        if let Some(status) = first.try_wait().unwrap() {
            panic!("the first sync ended early: {status}");
        }
        std::thread::yield_now();
    }
    let sent = server.request_count();
    let r = run(&env, &["sync", "--quiet", "--to", &to]);
    let _ = first.kill();
    let _ = first.wait();
    assert!(r.code > 0, "{}", r.all());
    assert!(
        r.stderr.contains("another zd sync is running"),
        "{}",
        r.stderr
    );
    assert_eq!(
        server.request_count(),
        sent,
        "the second sync sent requests"
    );
}

// "Sync errors stop repeating their cause": a failed stream's message carries Zendesk's
// text once, not once per wrapping layer.
#[test]
fn a_failed_sync_names_its_cause_once() {
    let h = Hostile::new();
    let server = h.server();
    sync_account(
        &server,
        |_| {
            Reply::json(
                &serde_json::json!({"groups": [], "meta": {"has_more": false}, "links": {"next": null}}),
            )
        },
        Some(Box::new(|_| {
            Reply::status(403)
                .header("Content-Type", "application/json")
                .body(r#"{"error": "Forbidden", "description": "CAUSE-7f3a no export for you"}"#)
        })),
    );
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        &env_for(&server),
        &["sync", "--quiet", "--to", &sync_to(&dir)],
    );
    r.expect(3);
    assert_eq!(r.stderr.matches("CAUSE-7f3a").count(), 1, "{}", r.stderr);
    assert_eq!(r.stderr.matches("403").count(), 1, "{}", r.stderr);
}
