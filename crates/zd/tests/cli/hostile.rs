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
