//! Tests of the layered configuration resolver.

use super::*;

fn layer(pairs: &[(Key, &str)], source: Source) -> Layer {
    let mut l = Layer::new();
    for (k, v) in pairs {
        l.set(*k, *v, source.clone());
    }
    l
}

#[test]
fn account_and_secret_come_whole_from_one_layer() {
    let flags = layer(&[(Key::Subdomain, "flag")], Source::Flag("subdomain"));
    let env = layer(
        &[
            (Key::BaseUrl, "http://env"),
            (Key::ApiToken, "envtok"),
            (Key::Email, "e@example.com"),
        ],
        Source::Env("X"),
    );
    let r = Resolved::from_layers(&[flags, env.clone()]).unwrap();
    assert_eq!(r.subdomain.as_ref().unwrap().value, "flag");
    assert!(r.base_url.is_none());
    assert_eq!(r.secret.as_ref().unwrap().value.1.expose(), "envtok");
    let two = layer(
        &[
            (Key::ApiToken, "secret-one"),
            (Key::OAuthToken, "secret-two"),
        ],
        Source::Env("X"),
    );
    let e = Resolved::from_layers(&[two]).unwrap_err().to_string();
    assert!(e.contains("more than one secret"), "{e}");
    assert!(
        !e.contains("secret-one") && !e.contains("secret-two"),
        "{e}"
    );
    assert!(format!("{env:?}").contains("[redacted]"));
    assert!(!format!("{env:?}").contains("envtok"));
}

#[test]
fn without_identity_keeps_other_keys() {
    let env = layer(
        &[
            (Key::Subdomain, "prod"),
            (Key::TimeScale, "2"),
            (Key::ApiToken, "t"),
        ],
        Source::Env("X"),
    );
    let (kept, dropped) = env.without_identity();
    assert_eq!(dropped.len(), 2);
    assert!(kept.get(Key::TimeScale).is_some() && kept.get(Key::Subdomain).is_none());
}

#[test]
fn plan_and_headroom_are_parsed_and_validated() {
    assert_eq!(parse_headroom("0.1"), Ok(0.1));
    assert_eq!(parse_headroom("25%"), Ok(0.25));
    for bad in ["0.6", "-0.1", "NaN", "inf", "51%", "x"] {
        assert!(parse_headroom(bad).is_err(), "{bad}");
    }
    let r = Resolved::from_layers(&[layer(
        &[(Key::Plan, "enterprise"), (Key::Headroom, "10%")],
        Source::Flag("plan"),
    )])
    .unwrap();
    assert_eq!(r.plan().unwrap().unwrap().value, crate::Plan::Enterprise);
    assert_eq!(r.headroom().unwrap().unwrap().value, 0.1);
    let bad =
        Resolved::from_layers(&[layer(&[(Key::Plan, "gold")], Source::Env("ZD_PLAN"))]).unwrap();
    let e = bad.plan().unwrap_err().to_string();
    assert!(e.contains("ZD_PLAN") && e.contains("gold"), "{e}");
}

#[test]
fn time_scale_is_validated() {
    for bad in ["0", "-1", "nan", "inf", "1e300", "1e-300", "x"] {
        let r = Resolved::from_layers(&[layer(
            &[(Key::TimeScale, bad)],
            Source::Env("ZD_TIME_SCALE"),
        )])
        .unwrap();
        let e = r.time_scale().unwrap_err().to_string();
        assert!(e.contains("env ZD_TIME_SCALE"), "{e}");
    }
    assert_eq!(parse_time_scale("600", "k").unwrap(), 600.0);
}
