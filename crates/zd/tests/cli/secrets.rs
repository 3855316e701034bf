//! `secrets` tests.
use super::support::*;

#[test]
fn secrets_never_appear_in_output_even_with_tracing() {
    let sim = Sim::start();
    let secret = "s3cr3t-never-shown-42";
    let basic = "YWRtaW5AZXhhbXBsZS5jb20vdG9rZW46czNjcjN0LW5ldmVyLXNob3duLTQy";
    let env = set(admin(&sim), "ZENDESK_API_TOKEN", secret);
    for args in [
        &["-vv", "api", "GET", "users/me"][..],
        &["-vvv", "doctor"][..],
        &["-vv", "limits"][..],
        &["config", "show"][..],
        &["-vv", "api", "POST", "tickets", "-f", "x=1"][..],
    ] {
        let r = run(&env, args);
        assert!(r.code != 0 || args[0] == "config", "{args:?}");
        let all = r.all();
        assert!(
            !all.contains(secret) && !all.contains(basic),
            "{args:?}: {all}"
        );
    }
    let env = vec![
        ("ZENDESK_BASE_URL", sim.url.clone()),
        ("ZENDESK_OAUTH_TOKEN", secret.to_owned()),
    ];
    let r = run(&env, &["-vv", "doctor", "--json"]);
    r.expect(3);
    assert!(!r.all().contains(secret));
    // -vv does trace requests.
    let r = run(&admin(&sim), &["-vv", "api", "GET", "users/me"]);
    r.expect(0);
    assert!(r.stderr.contains("zendesk.request"), "{}", r.stderr);
}
