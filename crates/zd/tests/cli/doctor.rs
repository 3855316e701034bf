//! `doctor` tests.
use super::support::*;

fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

fn status<'a>(v: &'a serde_json::Value, name: &str) -> &'a str {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}"))["status"]
        .as_str()
        .unwrap()
}

#[test]
fn a_good_admin_passes_everything() {
    let sim = Sim::start();
    let r = run(&admin(&sim), &["doctor"]);
    r.expect(0);
    assert!(!r.stdout.contains("FAIL"), "{}", r.stdout);
    assert!(r.stdout.contains("requests/min"), "{}", r.stdout);
    let r = run(&admin(&sim), &["doctor", "--json"]);
    r.expect(0);
    let v = json(&r);
    assert_eq!(v["ok"], true);
    assert_eq!(status(&v, "role"), "pass");
    assert_eq!(status(&v, "rate limit"), "pass");
}

#[test]
fn email_with_token_suffix() {
    let sim = Sim::start();
    let r = run(
        &set(admin(&sim), "ZENDESK_EMAIL", "admin@example.com/token"),
        &["doctor", "--json"],
    );
    r.expect(3);
    let v = json(&r);
    assert_eq!(status(&v, "credentials"), "fail");
    assert!(r.stdout.contains("/token"));
}

#[test]
fn newline_in_the_token() {
    let sim = Sim::start();
    let r = run(
        &set(admin(&sim), "ZENDESK_API_TOKEN", "zd-sim-token\n"),
        &["doctor"],
    );
    r.expect(3);
    assert!(r.stdout.contains("newline"), "{}", r.stdout);
}

#[test]
fn oauth_token_given_as_api_token() {
    let sim = Sim::start();
    let hex = "0123456789abcdef".repeat(4);
    let r = run(
        &set(admin(&sim), "ZENDESK_API_TOKEN", &hex),
        &["doctor", "--json"],
    );
    r.expect(3);
    let v = json(&r);
    assert_eq!(status(&v, "credentials"), "warn");
    assert_eq!(status(&v, "authentication"), "fail");
    assert!(r.stdout.contains("looks like an OAuth"), "{}", r.stdout);
    assert!(!r.stdout.contains(&hex));
}

#[test]
fn wrong_token_lists_likely_causes() {
    let sim = Sim::start();
    let r = run(
        &set(admin(&sim), "ZENDESK_API_TOKEN", "wrong-token"),
        &["doctor"],
    );
    r.expect(3);
    assert!(r.stdout.contains("likely causes"), "{}", r.stdout);
    assert!(r.stdout.contains("token access"), "{}", r.stdout);
}

#[test]
fn read_only_oauth_token_is_a_warning() {
    let sim = Sim::start();
    let env = vec![
        ("ZENDESK_BASE_URL", sim.url.clone()),
        ("ZENDESK_OAUTH_TOKEN", "zd-sim-oauth-readonly".to_owned()),
    ];
    let r = run(&env, &["doctor", "--json"]);
    r.expect(0);
    let v = json(&r);
    assert_eq!(status(&v, "write"), "warn");
    assert!(r.stdout.contains("read-only"));
    let r = run(
        &set(env, "ZENDESK_OAUTH_TOKEN", "zd-sim-oauth"),
        &["doctor", "--json"],
    );
    r.expect(0);
    assert_eq!(status(&json(&r), "write"), "pass");
}

#[test]
fn end_user_fails_the_role_check() {
    let sim = Sim::start();
    let r = run(
        &set(admin(&sim), "ZENDESK_EMAIL", "enduser@example.com"),
        &["doctor", "--json"],
    );
    r.expect(3);
    assert_eq!(status(&json(&r), "role"), "fail");
}

#[test]
fn unreachable_host_and_missing_config() {
    let sim = Sim::start();
    let r = run(
        &set(admin(&sim), "ZENDESK_BASE_URL", "http://127.0.0.1:9"),
        &["doctor", "--json"],
    );
    r.expect(7);
    assert_eq!(status(&json(&r), "host"), "fail");
    let r = run(&unset(admin(&sim), "ZENDESK_API_TOKEN"), &["doctor"]);
    r.expect(2);
    assert!(r.stdout.contains("no credentials"), "{}", r.stdout);
}

/// Traces of Rust `Debug` formatting: `Some(..)`, `Err(..)`, `Kind { field: .. }`,
/// `["a"]`, escaped quotes.
fn debug_syntax(text: &str) -> Option<&'static str> {
    [
        "Some(", "None", "Ok(", "Err(", "{ ", " }", "[\"", "\\\"", "kind:", "source:", "Error {",
        "Url {", "Duration",
    ]
    .into_iter()
    .find(|p| text.contains(p))
}

#[track_caller]
fn assert_plain(case: &str, r: &Run) {
    assert_ne!(r.code, 101, "{case}: {}", r.all());
    if let Some(p) = debug_syntax(&r.all()) {
        panic!(
            "{case}: Debug syntax {p:?} in doctor's output:\n{}",
            r.all()
        );
    }
    assert!(!r.all().contains('\x1b'), "{case}: {:?}", r.all());
}

/// Issue 9 ("doctor prints no Rust Debug syntax"): whatever the server or the
/// configuration, doctor's text and its JSON details are plain prose.
#[test]
fn doctor_prints_no_debug_syntax_whatever_the_server_sends() {
    use super::hostile::{env_for, Hostile};
    use zdkit_sim::hostile::Reply;
    let h = Hostile::new();
    let weird_user = serde_json::json!({"user": {"id": "7\"x", "name": "Ann \"A\"\u{1b}[2J\nB",
        "email": {"a": 1}, "role": "admin\"x\n"}});
    type Answer = Box<dyn Fn() -> Reply + Send + Sync>;
    let servers: Vec<(&str, Answer)> = vec![
        (
            "odd user",
            Box::new(move || {
                Reply::json(&weird_user)
                    .header("X-Rate-Limit", "abc")
                    .header("X-Rate-Limit-Remaining", "-1")
                    .header("ratelimit-reset", "x\"y")
            }),
        ),
        (
            "null user",
            Box::new(|| Reply::json(&serde_json::json!({"user": null}))),
        ),
        (
            "500 object error",
            Box::new(|| {
                Reply::status(500)
                    .header("Content-Type", "application/json")
                    .body(r#"{"error": {"title": "x\"y", "message": "a\nb"}, "details": [1]}"#)
            }),
        ),
        (
            "200 not JSON",
            Box::new(|| Reply::status(200).body("<html>\"hi\"</html>")),
        ),
        (
            "404 html",
            Box::new(|| Reply::status(404).body("<html>nope</html>")),
        ),
        (
            "302",
            Box::new(|| Reply::redirect(302, "https://x.example/login?a=\"b\"")),
        ),
        (
            "429 huge",
            Box::new(|| Reply::status(429).header("Retry-After", "18446744073709551615")),
        ),
        (
            "401",
            Box::new(|| {
                Reply::status(401)
                    .header("Content-Type", "application/json")
                    .body(r#"{"error": "Couldn't authenticate you"}"#)
            }),
        ),
        (
            "403 scoped",
            Box::new(|| {
                Reply::status(403)
                .header("Content-Type", "application/json")
                .body(r#"{"error": "Forbidden", "description": "You do not have access \"here\""}"#)
            }),
        ),
    ];
    for (case, reply) in servers {
        let server = h.server();
        server.handler(move |_| reply());
        for oauth in [false, true] {
            let env = if oauth {
                vec![
                    ("ZENDESK_BASE_URL", server.url()),
                    (
                        "ZENDESK_OAUTH_TOKEN",
                        "an-oauth-token-of-some-length".to_owned(),
                    ),
                ]
            } else {
                env_for(&server)
            };
            let r = run(&env, &["doctor"]);
            assert_plain(case, &r);
            let r = run(&env, &["doctor", "--json"]);
            assert_ne!(r.code, 101, "{case}: {}", r.all());
            let v = json(&r);
            for c in v["checks"].as_array().unwrap() {
                for k in ["detail", "fix"] {
                    let s = c[k].as_str().unwrap_or("");
                    assert!(debug_syntax(s).is_none(), "{case}: {k} {s:?}");
                    assert!(!s.contains('\x1b'), "{case}: {k} {s:?}");
                }
            }
        }
    }
    // Configuration and network failures.
    let sim = Sim::start();
    for (case, env) in [
        ("bad scale", set(admin(&sim), "ZD_TIME_SCALE", "abc")),
        ("huge scale", set(admin(&sim), "ZD_TIME_SCALE", "1e300")),
        (
            "not a URL",
            set(admin(&sim), "ZENDESK_BASE_URL", "not a url"),
        ),
        (
            "ftp",
            set(admin(&sim), "ZENDESK_BASE_URL", "ftp://x.example"),
        ),
        (
            "refused",
            set(admin(&sim), "ZENDESK_BASE_URL", "http://127.0.0.1:9"),
        ),
        (
            "newline token",
            set(admin(&sim), "ZENDESK_API_TOKEN", "zd-sim-token\n"),
        ),
        (
            "bad subdomain",
            set(
                unset(admin(&sim), "ZENDESK_BASE_URL"),
                "ZENDESK_SUBDOMAIN",
                "a b\"c",
            ),
        ),
        ("nothing", Vec::new()),
    ] {
        assert_plain(case, &run(&env, &["doctor"]));
    }
    let r = run(
        &admin(&sim),
        &["--config", "/nonexistent/zd.toml", "doctor"],
    );
    assert_plain("missing config file", &r);
}
