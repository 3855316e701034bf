//! Tests of the CLI's configuration (flags and profiles over the library resolver).

use super::*;
use std::collections::HashMap;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let m: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |k: &str| m.get(k).cloned()
}

#[test]
fn flags_beat_env_beat_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "default_profile = \"p\"\n[profiles.p]\nsubdomain = \"fromfile\"\nemail = \"f@example.com\"\napi_token = \"filetok\"\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let s = Settings::resolve_with(&GlobalArgs::default(), &env(&[("ZD_CONFIG", p)])).unwrap();
    assert_eq!(s.subdomain.as_ref().unwrap().value, "fromfile");
    assert_eq!(s.secret.as_ref().unwrap().value.1.expose(), "filetok");
    assert!(s.missing().is_empty());
    let s = Settings::resolve_with(
        &GlobalArgs::default(),
        &env(&[("ZD_CONFIG", p), ("ZENDESK_SUBDOMAIN", "fromenv")]),
    )
    .unwrap();
    assert_eq!(
        s.subdomain.as_ref().unwrap().source,
        Source::Env("ZENDESK_SUBDOMAIN")
    );
    let args = GlobalArgs {
        subdomain: Some("fromflag".into()),
        ..GlobalArgs::default()
    };
    let s = Settings::resolve_with(
        &args,
        &env(&[("ZD_CONFIG", p), ("ZENDESK_BASE_URL", "http://x")]),
    )
    .unwrap();
    assert_eq!(s.subdomain.as_ref().unwrap().value, "fromflag");
    assert!(s.base_url.is_none());
}

#[test]
fn errors_are_usage_errors() {
    let e = Settings::resolve_with(
        &GlobalArgs::default(),
        &env(&[("ZD_CONFIG", "/nonexistent/zd.toml")]),
    )
    .unwrap_err();
    assert_eq!(crate::report::exit_code(&e), Exit::Usage);
    let e = Settings::resolve_with(
        &GlobalArgs::default(),
        &env(&[("ZENDESK_API_TOKEN", "a"), ("ZENDESK_OAUTH_TOKEN", "b")]),
    )
    .unwrap_err();
    assert!(!format!("{e:#}").contains("ZENDESK_API_TOKEN=a"));
    let s = Settings::resolve_with(&GlobalArgs::default(), &env(&[])).unwrap();
    assert_eq!(s.missing().len(), 2);
}

#[test]
fn an_explicit_profile_beats_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "[profiles.sandbox]\nsubdomain = \"sandbox\"\nemail = \"s@example.com\"\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let prod = [
        ("ZD_CONFIG", p),
        ("ZENDESK_SUBDOMAIN", "production"),
        ("ZENDESK_EMAIL", "p@example.com"),
        ("ZENDESK_API_TOKEN", "prodtoken"),
        ("ZD_TIME_SCALE", "2"),
    ];
    let args = GlobalArgs {
        profile: Some("sandbox".into()),
        ..GlobalArgs::default()
    };
    let s = Settings::resolve_with(&args, &env(&prod)).unwrap();
    assert_eq!(s.subdomain.as_ref().unwrap().value, "sandbox");
    assert_eq!(s.email.as_ref().unwrap().value, "s@example.com");
    // The production token is not sent to the sandbox.
    assert!(s.secret.is_none(), "{:?}", s.secret);
    assert_eq!(s.ignored.len(), 3);
    assert_eq!(s.time_scale.value, 2.0);
    // ZD_PROFILE is explicit too.
    let mut with_env_profile = prod.to_vec();
    with_env_profile.push(("ZD_PROFILE", "sandbox"));
    let s = Settings::resolve_with(&GlobalArgs::default(), &env(&with_env_profile)).unwrap();
    assert_eq!(s.subdomain.as_ref().unwrap().value, "sandbox");
    // Without an explicit profile the environment still wins.
    let s = Settings::resolve_with(&GlobalArgs::default(), &env(&prod)).unwrap();
    assert_eq!(s.subdomain.as_ref().unwrap().value, "production");
}

#[test]
fn unknown_profile_keys_are_refused_with_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "[profiles.default]\nsubdomian = \"x\"\n").unwrap();
    let e = Settings::resolve_with(
        &GlobalArgs::default(),
        &env(&[("ZD_CONFIG", path.to_str().unwrap())]),
    )
    .unwrap_err();
    let m = format!("{e:#}");
    assert!(m.contains("subdomian") && m.contains("base_url"), "{m}");
}

#[cfg(unix)]
#[test]
fn a_readable_config_file_with_a_secret_warns() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "[profiles.default]\napi_token = \"t\"\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let p = path.to_str().unwrap();
    let s = Settings::resolve_with(&GlobalArgs::default(), &env(&[("ZD_CONFIG", p)])).unwrap();
    assert!(s.warnings[0].contains("chmod 600"), "{:?}", s.warnings);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let s = Settings::resolve_with(&GlobalArgs::default(), &env(&[("ZD_CONFIG", p)])).unwrap();
    assert!(s.warnings.is_empty());
}

#[test]
fn token_file_drops_one_newline_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t");
    std::fs::write(&path, "abc\n").unwrap();
    assert_eq!(zdkit::config::read_secret_file(&path).unwrap(), "abc");
    std::fs::write(&path, "abc\n\n").unwrap();
    assert_eq!(zdkit::config::read_secret_file(&path).unwrap(), "abc\n");
}
