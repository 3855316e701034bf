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

/// Issue 9 item 11: with production credentials in the environment, an explicit
/// `--profile` talks to the profile's account, never with the environment's token.
#[test]
fn an_explicit_profile_beats_the_environment() {
    let production = Sim::start();
    let sandbox = Sim::with(zdkit_sim::SimConfig {
        api_token: "sandbox-token".into(),
        ..zdkit_sim::SimConfig::with_tickets(3)
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let token = dir.path().join("token");
    std::fs::write(&token, "sandbox-token\n").unwrap();
    std::fs::write(
        &path,
        format!(
            "[profiles.sandbox]\nbase_url = \"{}\"\nemail = \"admin@example.com\"\ntoken_file = \"{}\"\n",
            sandbox.url,
            token.display()
        ),
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let env = set(admin(&production), "ZD_CONFIG", p);
    let r = run(
        &env,
        &["--profile", "sandbox", "api", "GET", "tickets/count"],
    );
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["count"]["value"], 3, "{}", r.stdout);
    assert!(
        r.stderr.contains("ignoring env ZENDESK_BASE_URL"),
        "{}",
        r.stderr
    );
    // Without the flag the environment's account is used, as before.
    let r = run(&env, &["api", "GET", "tickets/count"]);
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["count"]["value"].as_u64().unwrap() > 3, "{}", r.stdout);
}

/// Issue 9 item 9: an extreme time scale is a usage error, not a panic.
#[test]
fn extreme_time_scales_are_usage_errors() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("z.db").display());
    for k in ["1e300", "1e-300", "0", "nan"] {
        let r = run(
            &set(admin(&sim), "ZD_TIME_SCALE", k),
            &["api", "GET", "tickets/count"],
        );
        r.expect(2);
        assert!(r.stderr.contains("ZD_TIME_SCALE"), "{}", r.stderr);
        let r = run(
            &admin(&sim),
            &[
                "--time-scale",
                k,
                "sync",
                "--simulate",
                "--tickets",
                "5",
                "--to",
                &db,
            ],
        );
        r.expect(2);
    }
}

/// Issue 9: a config file holding a secret that others can read gets a warning.
#[cfg(unix)]
#[test]
fn a_world_readable_secret_warns() {
    use std::os::unix::fs::PermissionsExt;
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[profiles.default]\nbase_url = \"{}\"\nemail = \"admin@example.com\"\napi_token = \"zd-sim-token\"\n",
            sim.url
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = zd(
        &[("ZD_CONFIG", path.to_str().unwrap())],
        &["api", "GET", "tickets/count"],
    );
    r.expect(0);
    assert!(r.stderr.contains("chmod 600"), "{}", r.stderr);
    assert!(!r.all().contains("zd-sim-token"));
}
