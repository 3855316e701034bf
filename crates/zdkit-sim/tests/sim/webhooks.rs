//! Webhook delivery: a receiver in the test gets signed ticket events, verifies them with
//! `zdkit::webhooks` and decodes them with its typed event model; retries run on the
//! simulator's manual clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use zdkit::webhooks::{self, EventType, Verifier};

use crate::support::{start, Sim, T0};

/// What the receiver got: headers and the raw body.
type Got = (HeaderMap, Bytes);
/// The statuses (and `Retry-After`) the receiver answers next, then 200.
type Script = Arc<Mutex<Vec<(u16, Option<&'static str>)>>>;

#[derive(Clone)]
struct Receiver {
    tx: mpsc::UnboundedSender<Got>,
    script: Script,
}

async fn hook(
    State(r): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let _ = r.tx.send((headers, body));
    let next = {
        let mut s = r.script.lock().unwrap();
        (!s.is_empty()).then(|| s.remove(0))
    };
    let (status, retry_after) = next.unwrap_or((200, None));
    let mut resp =
        axum::response::IntoResponse::into_response(StatusCode::from_u16(status).unwrap());
    if let Some(ra) = retry_after {
        resp.headers_mut()
            .insert("retry-after", ra.parse().unwrap());
    }
    resp
}

struct Hooks {
    url: String,
    rx: mpsc::UnboundedReceiver<Got>,
    script: Script,
    _task: tokio::task::JoinHandle<()>,
}

impl Hooks {
    async fn start() -> Hooks {
        let (tx, rx) = mpsc::unbounded_channel();
        let script = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route("/hook", post(hook))
            .with_state(Receiver {
                tx,
                script: script.clone(),
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Hooks {
            url,
            rx,
            script,
            _task: task,
        }
    }

    /// The next request (a guard against hanging, not a timing: deliveries are immediate).
    async fn next(&mut self) -> Got {
        tokio::time::timeout(Duration::from_secs(30), self.rx.recv())
            .await
            .expect("no webhook request within 30 s")
            .expect("receiver closed")
    }
}

async fn webhook(sim: &Sim, endpoint: &str, subscriptions: &[&str]) -> (String, String) {
    let r = sim
        .json(
            Method::POST,
            "/api/v2/webhooks",
            json!({"webhook": {
                "name": "receiver", "endpoint": endpoint, "http_method": "POST",
                "request_format": "json", "status": "active",
                "subscriptions": subscriptions,
                "custom_headers": {"x-team": "support"},
            }}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["webhook"]["id"].as_str().unwrap().to_string();
    let s = sim
        .get(&format!("/api/v2/webhooks/{id}/signing_secret"))
        .await;
    let secret = s.body["signing_secret"]["secret"]
        .as_str()
        .unwrap()
        .to_string();
    (id, secret)
}

fn verified(sim: &Sim, secret: &str, got: &Got) -> webhooks::ParsedEvent {
    let (headers, body) = got;
    Verifier::new(secret)
        .clock(sim.clock.shared())
        .verify_request(headers, body)
        .expect("signature verifies");
    webhooks::parse_event(body).expect("payload decodes")
}

async fn webhook_stats(sim: &Sim) -> Value {
    sim.send(sim.client.get(sim.url("/__sim/stats"))).await.body["webhooks"].clone()
}

/// Waits (yielding, no sleeping) until `/__sim/stats` counts `n` webhook `outcome`s.
async fn wait_stat(sim: &Sim, outcome: &str, n: u64) {
    for _ in 0..10_000 {
        if webhook_stats(sim).await[outcome] == n {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!(
        "webhooks.{outcome} never reached {n}: {}",
        webhook_stats(sim).await
    );
}

async fn new_ticket(sim: &Sim) -> u64 {
    let r = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"comment": {"body": "hello"}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["ticket"]["id"].as_u64().unwrap()
}

#[tokio::test]
async fn ticket_events_are_signed_delivered_and_typed() {
    let sim = start(20).await;
    let mut hooks = Hooks::start().await;
    let (wid, secret) = webhook(
        &sim,
        &hooks.url,
        &[
            "zen:event-type:ticket.created",
            "zen:event-type:ticket.status_changed",
            "zen:event-type:ticket.comment_added",
        ],
    )
    .await;

    let r = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"subject": "Printer", "comment": {"body": "It jams"}, "tags": ["vip"]}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let tid = r.body["ticket"]["id"].as_u64().unwrap();

    let got = hooks.next().await;
    let h = &got.0;
    assert_eq!(h["x-zendesk-webhook-id"], wid.as_str());
    assert_eq!(h["x-team"], "support");
    assert_eq!(h["user-agent"], "Zendesk Webhook");
    assert!(h.contains_key("x-zendesk-webhook-invocation-id"));
    assert!(h.contains_key("x-zendesk-account-id"));
    assert_eq!(
        h["x-zendesk-webhook-signature-timestamp"], "2023-11-14T22:13:20Z",
        "the simulator's virtual time (T0 = {T0})"
    );
    let e = verified(&sim, &secret, &got);
    assert_eq!(e.kind, Some(EventType::TicketCreated));
    assert_eq!(
        e.event.subject.as_deref(),
        Some(format!("zen:ticket:{tid}").as_str())
    );
    let t = e.event.ticket().unwrap().unwrap();
    assert_eq!(t.id, Some(tid.to_string()));
    assert_eq!(t.subject.as_deref(), Some("Printer"));
    assert_eq!(t.status.as_deref(), Some("NEW"));
    assert_eq!(t.tags.as_deref(), Some(&["vip".to_string()][..]));
    // A body altered in transit fails verification.
    let mut bad = got.1.to_vec();
    bad[1] ^= 1;
    assert!(Verifier::new(&secret)
        .clock(sim.clock.shared())
        .verify_request(&got.0, &bad)
        .is_err());

    // One update: a status change and a comment, two events (sent concurrently). The
    // clock moves only once the delivery is complete (an attempt times out after 10
    // virtual seconds).
    wait_stat(&sim, "delivered", 1).await;
    sim.advance(30);
    let r = sim
        .json(
            Method::PUT,
            &format!("/api/v2/tickets/{tid}"),
            json!({"ticket": {"status": "open", "priority": "high", "comment": {"body": "On it", "public": false}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut events: Vec<_> = [hooks.next().await, hooks.next().await]
        .iter()
        .map(|g| verified(&sim, &secret, g))
        .collect();
    events.sort_by_key(|e| e.kind.as_ref().map(|k| k.as_str().to_string()));
    assert_eq!(events[0].kind, Some(EventType::TicketCommentAdded));
    let comment = &events[0].event.event.as_ref().unwrap()["comment"];
    assert_eq!(comment["body"], "On it");
    assert_eq!(comment["is_public"], false);
    assert_eq!(comment["author"]["id"], "1");
    assert_eq!(comment["author"]["is_staff"], true);
    assert_eq!(events[1].kind, Some(EventType::TicketStatusChanged));
    let (cur, prev) = events[1].event.change();
    assert_eq!((cur, prev), (Some(&json!("OPEN")), Some(&json!("NEW"))));
    let meta = &events[1].event.event.as_ref().unwrap()["meta"]["sequence"];
    assert_eq!(
        meta["total"], 4,
        "status, custom status, priority, comment: {meta}"
    );
    // priority_changed and custom_status_changed were not subscribed: nothing else came.
    assert!(hooks.rx.try_recv().is_err());
    let st = webhook_stats(&sim).await;
    assert_eq!(st["queued"], 3, "{st}");
    wait_stat(&sim, "delivered", 3).await;
    // The invocations, newest first.
    let inv = sim
        .get(&format!("/api/v2/webhooks/{wid}/invocations"))
        .await;
    assert_eq!(inv.status, 200, "{}", inv.text);
    let list = inv.body["invocations"].as_array().unwrap();
    assert_eq!(list.len(), 3, "{}", inv.text);
    assert!(
        list.iter()
            .all(|i| i["status"] == "success" && i["status_code"] == 200),
        "{}",
        inv.text
    );
    assert_eq!(
        list[2]["id"],
        got.0["x-zendesk-webhook-invocation-id"].to_str().unwrap()
    );
}

#[tokio::test]
async fn retries_follow_zendesk_rules_on_the_simulators_clock() {
    let sim = start(20).await;
    let mut hooks = Hooks::start().await;
    let (_, secret) = webhook(&sim, &hooks.url, &["zen:event-type:ticket.status_changed"]).await;
    // 409, then 429 with Retry-After 30: retried; then 200.
    hooks
        .script
        .lock()
        .unwrap()
        .extend([(409, None), (429, Some("30"))]);
    let tid = new_ticket(&sim).await;
    let r = sim
        .json(
            Method::PUT,
            &format!("/api/v2/tickets/{tid}"),
            json!({"ticket": {"status": "pending"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let first = hooks.next().await;
    let e = verified(&sim, &secret, &first);
    assert_eq!(e.kind, Some(EventType::TicketStatusChanged));
    wait_stat(&sim, "retried", 1).await;
    // Nothing is sent before the 1 s wait after a 409 has passed on the manual clock.
    assert!(hooks.rx.try_recv().is_err());
    sim.advance(1);
    let second = hooks.next().await;
    assert_eq!(
        second.0["x-zendesk-webhook-invocation-id"], first.0["x-zendesk-webhook-invocation-id"],
        "a retry keeps its invocation id"
    );
    assert_eq!(second.1, first.1, "and its body");
    // Signed again at the new time.
    assert_ne!(
        second.0["x-zendesk-webhook-signature-timestamp"],
        first.0["x-zendesk-webhook-signature-timestamp"]
    );
    verified(&sim, &secret, &second);
    wait_stat(&sim, "retried", 2).await;
    // Retry-After 30: nothing before 30 s.
    sim.advance(29);
    assert!(hooks.rx.try_recv().is_err());
    sim.advance(1);
    let third = hooks.next().await;
    verified(&sim, &secret, &third);
    wait_stat(&sim, "delivered", 1).await;

    // A 500 is not retried.
    hooks.script.lock().unwrap().push((500, None));
    sim.json(
        Method::PUT,
        &format!("/api/v2/tickets/{tid}"),
        json!({"ticket": {"status": "open"}}),
    )
    .await;
    hooks.next().await;
    wait_stat(&sim, "failed", 1).await;
    let st = webhook_stats(&sim).await;
    assert_eq!(st["failed"], 1, "{st}");
    assert_eq!(st["retried"], 2, "{st}");
}

#[tokio::test]
async fn seeded_webhooks_on_example_domains_are_never_contacted() {
    let sim = start(20).await;
    // Seeded webhooks 2 and 3 subscribe to ticket.created at hooks.example.com.
    new_ticket(&sim).await;
    let st = webhook_stats(&sim).await;
    assert_eq!(st["skipped"], 2, "{st}");
    assert!(st.get("queued").is_none(), "{st}");
}
