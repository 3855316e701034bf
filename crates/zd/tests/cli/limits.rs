//! `limits` tests.
use super::support::*;

#[test]
fn table_json_and_watch() {
    let sim = Sim::start();
    let env = admin(&sim);
    let r = run(&env, &["limits"]);
    r.expect(0);
    assert!(r.stdout.contains("account"), "{}", r.stdout);
    let r = run(&env, &["limits", "--json"]);
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["buckets"][0]["bucket"], "account");
    assert!(v["buckets"][0]["limit"].as_u64().unwrap() > 0);
    let r = run(&env, &["limits", "--json", "--watch", "1", "--count", "3"]);
    r.expect(0);
    assert_eq!(r.stdout.lines().count(), 3);
}

#[test]
fn probe_shows_the_export_buckets() {
    let sim = Sim::start();
    let r = run(&admin(&sim), &["limits", "--probe", "--json"]);
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let names: Vec<&str> = v["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["bucket"].as_str())
        .collect();
    assert_eq!(names[0], "account", "{names:?}");
    assert!(names.iter().any(|n| n.contains("export")), "{names:?}");
}

#[test]
fn watch_intervals_are_validated() {
    let sim = Sim::start();
    for bad in ["0", "-1", "1e300", "nan", "inf"] {
        let r = run(
            &admin(&sim),
            &["limits", &format!("--watch={bad}"), "--count", "1"],
        );
        r.expect(2);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
}

#[test]
fn man_pages_for_every_command() {
    let r = zd(&[], &["man", "sync"]);
    r.expect(0);
    assert!(
        r.stdout.contains(".TH zd-sync"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    zd(&[], &["man", "tickets", "update-many"]).expect(0);
    zd(&[], &["man"]).expect(0);
    zd(&[], &["man", "nosuch"]).expect(2);
}

#[test]
fn config_init_writes_a_private_template() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("zd/config.toml");
    let ps = p.to_str().unwrap();
    let r = zd(&[("ZD_CONFIG", ps)], &["config", "init"]);
    r.expect(0);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains("# plan = "), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    zd(&[("ZD_CONFIG", ps)], &["config", "init"]).expect(2);
    // The template is a valid config file as written.
    let r = zd(&[("ZD_CONFIG", ps)], &["config", "show", "--json"]);
    r.expect(0);
}
