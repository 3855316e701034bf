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
