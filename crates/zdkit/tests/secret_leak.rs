//! Captures ALL log output of failing runs at TRACE — zdkit's tracing and the HTTP stack's
//! `log` records (reqwest, hyper) — and checks no form of the secret appears in it.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use common::{clock, json, with_header, Action, Mock};
use zdkit::{Client, Credentials, RetryPolicy};

const EMAIL: &str = "agent@example.com";
const TOKEN: &str = "Zq7TokenThatMustNeverLeak0123456789abcde";
const OAUTH: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Forwards `log` records (reqwest, hyper-util) into the same buffer.
struct LogCapture(Buf);

impl log::Log for LogCapture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, r: &log::Record<'_>) {
        let mut b = self.0.clone();
        let _ = writeln!(b, "[log {} {}] {}", r.level(), r.target(), r.args());
    }
    fn flush(&self) {}
}

#[tokio::test]
async fn no_secret_in_any_log_output_at_trace() {
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    log::set_logger(Box::leak(Box::new(LogCapture(buf.clone())))).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let c = clock();
    let mock = Mock::script(
        c.shared(),
        vec![
            json(401, r#"{"error":"Couldn't authenticate you"}"#),
            json(500, "{}"),
            Action::Hangup,
            with_header(json(429, "{}"), "Retry-After", "2"),
            json(503, "{}"),
            json(
                401,
                r#"{"error":"invalid_token","error_description":"expired"}"#,
            ),
        ],
    )
    .await;
    let api = Client::builder()
        .base_url(mock.url())
        .credentials(Credentials::api_token(EMAIL, TOKEN))
        .clock(c.shared())
        .retry_policy(RetryPolicy::default().max_attempts(4).jitter_seed(5))
        .build()
        .unwrap();
    let e1 = api.get("/api/v2/users/me").send().await.unwrap_err();
    let e2 = api.get("/api/v2/tickets").send().await.unwrap_err();
    let oauth = Client::builder()
        .base_url(mock.url())
        .credentials(Credentials::oauth(OAUTH))
        .clock(c.shared())
        .build()
        .unwrap();
    let e3 = oauth.get("/api/v2/users/me").send().await.unwrap_err();
    // Also what a user would print.
    let printed = format!("{e1}\n{e1:?}\n{e2}\n{e2:?}\n{e3}\n{e3:?}\n{api:?}\n{oauth:?}");

    let out = String::from_utf8_lossy(&buf.0.lock().unwrap()).into_owned() + &printed;
    assert!(
        out.contains("zendesk.request"),
        "the capture saw zdkit's spans:\n{out}"
    );
    assert!(
        out.contains("[log "),
        "the capture saw the HTTP stack's log records:\n{out}"
    );
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for secret in [
        TOKEN.to_owned(),
        b64(TOKEN),
        b64(&format!("{EMAIL}/token:{TOKEN}")),
        OAUTH.to_owned(),
        b64(OAUTH),
    ] {
        assert!(
            !out.contains(&secret),
            "secret {secret} leaked into:\n{out}"
        );
    }
    // The requests really carried the credentials (so the test can fail).
    let sent = mock.requests();
    assert!(sent[0]
        .header("authorization")
        .unwrap()
        .contains(&b64(&format!("{EMAIL}/token:{TOKEN}"))));
    assert_eq!(
        sent.last().unwrap().header("authorization"),
        Some(format!("Bearer {OAUTH}").as_str())
    );
}
