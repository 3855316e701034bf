//! `explain` tests.
use super::support::*;

fn explain(name: &str, extra: &[&str]) -> Run {
    let p = data(name);
    let mut args = vec!["explain", "--file", p.to_str().unwrap()];
    args.extend_from_slice(extra);
    zd(&[], &args)
}

#[test]
fn validation_details() {
    let r = explain("422.txt", &[]);
    r.expect(0);
    for s in [
        "422",
        "DuplicateValue",
        "email:",
        "custom field 360001234567",
        "617d2e58f7c8ce71fb42",
    ] {
        assert!(r.stdout.contains(s), "{s}: {}", r.stdout);
    }
    let r = explain("422.txt", &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["exit_class"], 5);
    assert_eq!(v["fields"]["email"][0]["error"], "DuplicateValue");
}

#[test]
fn waits_of_429_and_503() {
    let r = explain("429.txt", &[]);
    r.expect(0);
    assert!(r.stdout.contains("37 s"), "{}", r.stdout);
    assert!(r.stdout.contains("tickets-index"), "{}", r.stdout);
    assert!(r.stdout.contains("aa11bb22cc33dd44ee55"));
    let r = explain("503.txt", &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["retry_after_secs"], 10.0);
    assert_eq!(v["exit_class"], 7);
}

#[test]
fn auth_not_found_and_garbage() {
    let r = explain("401.txt", &[]);
    r.expect(0);
    assert!(r.stdout.contains("authentication"), "{}", r.stdout);
    assert!(r.stdout.contains("401bbb"));
    let r = explain("404.txt", &["--request", "GET /api/v2/tickets/5"]);
    assert!(r.stdout.contains("RecordNotFound"), "{}", r.stdout);
    explain("garbage.txt", &[]).expect(2);
    let mut cmd = assert_cmd::Command::new(zd_bin());
    let out = cmd
        .arg("explain")
        .write_stdin(std::fs::read(data("401.txt")).unwrap())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("401"));
}
