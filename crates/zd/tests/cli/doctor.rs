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
