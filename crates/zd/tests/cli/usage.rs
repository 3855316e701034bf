//! `usage` tests.
use super::support::*;

#[test]
fn help_lists_exit_codes_and_commands() {
    let r = zd(&[], &["--help"]);
    r.expect(0);
    for s in [
        "Exit codes",
        "6  rate limited",
        "api",
        "doctor",
        "limits",
        "explain",
    ] {
        assert!(r.stdout.contains(s), "{s}: {}", r.stdout);
    }
}

#[test]
fn secrets_on_the_command_line_are_refused_without_echo() {
    for args in [
        &["api", "GET", "users/me", "--token=supersecret123"][..],
        &["--api-token", "supersecret123", "doctor"][..],
        &["doctor", "--password=supersecret123"][..],
    ] {
        let r = zd(&[], args);
        r.expect(2);
        assert!(
            r.stderr.contains("never accepted on the command line"),
            "{}",
            r.stderr
        );
        assert!(!r.all().contains("supersecret123"), "{}", r.all());
    }
    // Any other unknown `--flag=value` has its value redacted too.
    let r = zd(&[], &["api", "--frobnicate=supersecret123", "GET", "x"]);
    r.expect(2);
    assert!(!r.all().contains("supersecret123"), "{}", r.all());
}

#[test]
fn missing_configuration_is_exit_2() {
    let r = zd(&[], &["api", "GET", "users/me"]);
    r.expect(2);
    assert!(r.stderr.contains("ZENDESK_SUBDOMAIN"), "{}", r.stderr);
    let r = zd(
        &[("ZD_CONFIG", "/nonexistent/zd.toml")],
        &["config", "show"],
    );
    r.expect(2);
}

#[test]
fn completions_and_man_page() {
    let r = zd(&[], &["completions", "bash"]);
    r.expect(0);
    assert!(r.stdout.contains("zd"));
    let r = zd(&[], &["completions", "fish"]);
    r.expect(0);
    let r = zd(&[], &["man"]);
    r.expect(0);
    assert!(r.stdout.contains(".TH"), "{}", r.stdout);
}
