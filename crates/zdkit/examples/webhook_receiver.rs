//! A webhook receiver: verifies Zendesk's signature and the replay window before reading
//! the body, deduplicates on the event id, and handles ticket events by type.
//!
//! `cargo run -p zdkit --example webhook_receiver`
//!
//! The demo serves on 127.0.0.1 (a free port), then plays Zendesk: it sends one signed
//! delivery, the same delivery again (a retry: deduplicated), a forged one and a stale one,
//! and prints what the receiver answered. In production, bind the router to your public
//! listener and use the webhook's signing secret
//! (`GET /api/v2/webhooks/{id}/signing_secret`).
#![allow(clippy::print_stdout)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use zdkit::webhooks::{self, EventType, Verifier};
use zdkit::Clock;

#[derive(Clone)]
struct Receiver {
    verifier: Verifier,
    seen: Arc<Mutex<HashSet<String>>>,
}

async fn receive(
    State(r): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    // 1. Authenticity and freshness, on the raw bytes, before any parsing.
    if let Err(e) = r.verifier.verify_request(&headers, &body) {
        return (StatusCode::UNAUTHORIZED, format!("refused: {e}"));
    }
    // 2. Decode (unknown fields and event types are kept, never an error).
    let parsed = match webhooks::parse_event(&body) {
        Ok(p) => p,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("bad payload: {e}")),
    };
    // 3. Delivery is at least once: answer 200 to a repeat without acting twice.
    let id = parsed.event.id.clone().unwrap_or_default();
    if !r
        .seen
        .lock()
        .map(|mut s| s.insert(id.clone()))
        .unwrap_or(false)
    {
        return (StatusCode::OK, format!("duplicate {id}: ignored"));
    }
    // 4. Act by type.
    let msg = match &parsed.kind {
        Some(EventType::TicketStatusChanged) => {
            let (current, previous) = parsed.event.change();
            let ticket = parsed.event.ticket().and_then(Result::ok);
            format!(
                "ticket {} status {} -> {}",
                ticket.and_then(|t| t.id).unwrap_or_default(),
                previous.map(ToString::to_string).unwrap_or_default(),
                current.map(ToString::to_string).unwrap_or_default()
            )
        }
        Some(k) if k.is_ticket_event() => format!("other ticket event {}", k.as_str()),
        Some(k) => format!("not a ticket event: {}", k.as_str()),
        None => "an event without a type".to_owned(),
    };
    (StatusCode::OK, msg)
}

fn iso(unix_secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = "example-signing-secret";
    let receiver = Receiver {
        verifier: Verifier::new(secret),
        seen: Arc::default(),
    };
    let app = Router::new()
        .route("/zendesk/webhook", post(receive))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/zendesk/webhook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("receiving on {url}");

    let now = zdkit::SystemClock::new().now().unix_secs() as i64;
    let body = br#"{"type":"zen:event-type:ticket.status_changed","id":"evt-1","account_id":1,
        "subject":"zen:ticket:42","time":"2025-01-08T10:12:07Z","zendesk_event_version":"2022-11-06",
        "detail":{"id":"42","status":"SOLVED"},"event":{"current":"SOLVED","previous":"OPEN"}}"#;
    let http = reqwest::Client::new();
    let deliveries = [
        ("signed", secret, iso(now)),
        ("retry of the same delivery", secret, iso(now)),
        ("forged (wrong secret)", "guess", iso(now)),
        ("stale (replayed after an hour)", secret, iso(now - 3_600)),
    ];
    for (what, key, ts) in deliveries {
        let resp = http
            .post(&url)
            .header(webhooks::TIMESTAMP_HEADER, &ts)
            .header(webhooks::SIGNATURE_HEADER, webhooks::sign(key, &ts, body))
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await?;
        println!("{what}: {} {}", resp.status().as_u16(), resp.text().await?);
    }
    Ok(())
}
