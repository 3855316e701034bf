//! `config` tests.
use super::support::*;

#[test]
fn show_redacts_secrets_and_names_sources() {
    let sim = Sim::start();
    let r = run(&admin(&sim), &["config", "show"]);
    r.expect(0);
    assert!(r.stdout.contains("[redacted]"), "{}", r.stdout);
    assert!(r.stdout.contains("env ZENDESK_API_TOKEN"), "{}", r.stdout);
    assert!(!r.all().contains("zd-sim-token"));
}

#[test]
fn profiles_prefill_and_flags_win() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let token = dir.path().join("token");
    std::fs::write(&token, "zd-sim-token\n").unwrap();
    std::fs::write(
        &path,
        format!(
            "default_profile = \"sim\"\n[profiles.sim]\nbase_url = \"{}\"\nemail = \"admin@example.com\"\ntoken_file = \"{}\"\n[profiles.other]\nsubdomain = \"acme\"\n",
            sim.url,
            token.display()
        ),
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let r = zd(&[("ZD_CONFIG", p)], &["api", "GET", "users/me"]);
    r.expect(0);
    assert!(r.stdout.contains("admin@example.com"));
    let r = zd(
        &[],
        &[
            "--config",
            p,
            "--profile",
            "other",
            "config",
            "show",
            "--json",
        ],
    );
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["subdomain"]["value"], "acme");
    assert_eq!(
        v["subdomain"]["source"],
        "config [profiles.other] subdomain"
    );
    let r = zd(
        &[("ZD_CONFIG", p)],
        &["--profile", "nope", "config", "show"],
    );
    r.expect(2);
    // A flag beats the file.
    let r = zd(
        &[("ZD_CONFIG", p)],
        &["--email", "enduser@example.com", "api", "GET", "tickets"],
    );
    r.expect(3);
}
