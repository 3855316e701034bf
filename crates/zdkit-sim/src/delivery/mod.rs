//! Webhook delivery: webhooks subscribed to ticket events (`zen:event-type:ticket.*`) get
//! a signed `POST` to their endpoint when a ticket changes.
//!
//! * Ticket writes (`data::writes`: create, update, delete, and the bulk jobs that call
//!   them) record a `TicketChange` in the `Db`; when the write guard is released
//!   ([`enqueue`], from `state::DbWrite`'s drop) each change becomes its events
//!   (`events::derive`) and each event one delivery per active webhook subscribed to its
//!   type. Building the payload happens under the write lock (a few hundred bytes per
//!   event); sending never does.
//! * Deliveries go into a bounded queue ([`QUEUE`]); when it is full the delivery is
//!   dropped and counted (`/__sim/stats` → `webhooks.dropped`). One background task
//!   (started on the first delivery, on the runtime of the request that caused it) sends
//!   them, at most [`CONCURRENCY`] at once, so a slow endpoint never holds up requests.
//! * Each attempt is signed anew: `x-zendesk-webhook-signature` = base64
//!   HMAC-SHA256(signing secret, timestamp ++ body), the timestamp being the attempt's
//!   virtual time in ISO 8601 (`x-zendesk-webhook-signature-timestamp`)
//!   ("Verifying webhook authenticity",
//!   <https://developer.zendesk.com/documentation/webhooks/verifying/>).
//! * Retries ("Webhooks API introduction", Webhook retries,
//!   <https://developer.zendesk.com/api-reference/webhooks/introduction/>): a `409` is
//!   retried up to 3 times (after 1, 2, 4 virtual seconds: the wait is not documented);
//!   a `429` or `503` whose `Retry-After` is at most 60 s is retried after it, up to 3
//!   times; anything else (2xx: delivered; other statuses, connection errors, the
//!   [`TIMEOUT`]) ends the delivery. Every wait is on the simulator's clock.
//! * Endpoints on the RFC 2606 example domains (`example.com`, `.org`, `.net`, and
//!   `.example`, `.invalid`, `.test` names), which the seeded webhooks use, are never
//!   contacted (counted as `skipped`): a simulator must not reach out to the internet
//!   because of its seed data.
//!
//! `docs/design/simulator-webhooks.md` has the event table and the choices.

pub(crate) mod events;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use serde_json::{Map, Value};
use tokio::sync::{mpsc, Semaphore};
use zdkit_clock::SharedClock;

use crate::data::coll::{ids, Ctx};
use crate::data::writes::TicketChange;
use crate::data::{Db, Seeds};
use crate::stats::Stats;

/// Deliveries waiting to be sent at most; more are dropped (and counted).
pub(crate) const QUEUE: usize = 1024;
/// Deliveries in flight at most.
pub(crate) const CONCURRENCY: usize = 8;
/// How long an attempt may take (virtual time) before it counts as failed.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);
/// Retries after the first attempt, at most.
pub(crate) const MAX_RETRIES: u32 = 3;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// `base64(HMAC-SHA256(secret, timestamp ++ body))`.
pub(crate) fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut m = <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    m.update(timestamp.as_bytes());
    m.update(body);
    base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
}

/// One request to send (and retry).
#[derive(Debug, Clone)]
struct Delivery {
    webhook_id: String,
    endpoint: String,
    secret: String,
    invocation_id: String,
    headers: Vec<(String, String)>,
    body: Arc<[u8]>,
}

/// The most recent invocations kept per webhook (`GET .../invocations`).
pub(crate) const INVOCATIONS_KEPT: usize = 100;

/// One delivery as `GET /api/v2/webhooks/{id}/invocations` shows it.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    pub id: String,
    pub created_at: u64,
    pub completed_at: Option<u64>,
    /// `queued`, `success` or `failed`.
    pub status: &'static str,
    pub status_code: Option<u16>,
}

/// Invocations per webhook id, newest last.
type Log = Arc<
    std::sync::Mutex<std::collections::HashMap<String, std::collections::VecDeque<Invocation>>>,
>;

/// The queue and its sender task; owned by the `SimState`.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    tx: OnceLock<Option<mpsc::Sender<Delivery>>>,
    /// Events numbered since start (event and invocation ids).
    seq: std::sync::atomic::AtomicU64,
    log: Log,
}

fn record(log: &Log, webhook: &str, inv: Invocation) {
    let mut l = log.lock().unwrap_or_else(|p| p.into_inner());
    let list = l.entry(webhook.to_string()).or_default();
    match list.iter_mut().find(|i| i.id == inv.id) {
        Some(slot) => *slot = inv,
        None => {
            list.push_back(inv);
            if list.len() > INVOCATIONS_KEPT {
                list.pop_front();
            }
        }
    }
}

impl Outbox {
    /// The invocations of webhook `id` (its wire id), newest first.
    pub(crate) fn invocations(&self, id: &str) -> Vec<Invocation> {
        let l = self.log.lock().unwrap_or_else(|p| p.into_inner());
        l.get(id)
            .map(|v| v.iter().rev().cloned().collect())
            .unwrap_or_default()
    }

    /// Forgets every invocation (`/__sim/reset`).
    pub(crate) fn clear(&self) {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Whether `endpoint` is on a reserved example domain (never contacted).
fn reserved(endpoint: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(endpoint) else {
        return true;
    };
    let host = url.host_str().unwrap_or("").trim_end_matches('.');
    let host = host.to_ascii_lowercase();
    ["example.com", "example.org", "example.net"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        || [".example", ".invalid", ".test", ".localhost.invalid"]
            .iter()
            .any(|d| host.ends_with(d))
        || ["example", "invalid", "test"].contains(&host.as_str())
}

/// Headers from the webhook's `authentication` and `custom_headers`.
fn extra_headers(rec: &Map<String, Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(Value::Object(h)) = rec.get("custom_headers") {
        for (k, v) in h {
            if let Some(v) = v.as_str() {
                out.push((k.clone(), v.to_string()));
            }
        }
    }
    let auth = rec.get("authentication").and_then(Value::as_object);
    let data = auth.and_then(|a| a.get("data")).and_then(Value::as_object);
    let field = |k: &str| {
        data.and_then(|d| d.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    match auth.and_then(|a| a.get("type")).and_then(Value::as_str) {
        Some("bearer_token") => {
            out.push(("authorization".into(), format!("Bearer {}", field("token"))))
        }
        Some("basic_auth") => {
            let raw = format!("{}:{}", field("username"), field("password"));
            let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
            out.push(("authorization".into(), format!("Basic {b64}")));
        }
        Some("api_key") => out.push((field("name"), field("value"))),
        _ => {}
    }
    out
}

/// A webhook that wants ticket events: `(id, endpoint, subscriptions, extra headers,
/// secret)`.
struct Target {
    id: String,
    endpoint: String,
    subscriptions: Vec<String>,
    headers: Vec<(String, String)>,
    secret: String,
}

fn targets(db: &Db, s: &Seeds) -> Vec<Target> {
    let Some(f) = zdkit_catalog::family("webhooks") else {
        return Vec::new();
    };
    let Some(coll) = db.colls.get(f.name) else {
        return Vec::new();
    };
    coll.all(Ctx { s, db })
        .into_iter()
        .filter(|(_, r)| r.get("status").and_then(Value::as_str) == Some("active"))
        .filter_map(|(n, r)| {
            let subscriptions: Vec<String> = r
                .get("subscriptions")?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .filter(|x| x.starts_with("zen:event-type:ticket."))
                .map(str::to_string)
                .collect();
            if subscriptions.is_empty() {
                return None;
            }
            Some(Target {
                id: ids::render(f, n).as_str().unwrap_or_default().to_string(),
                endpoint: r.get("endpoint")?.as_str()?.to_string(),
                subscriptions,
                headers: extra_headers(&r),
                secret: crate::api::webhooks::secret(db, s, n),
            })
        })
        .collect()
}

impl Outbox {
    fn sender(&self, clock: &SharedClock, stats: &Arc<Stats>) -> Option<&mpsc::Sender<Delivery>> {
        self.tx
            .get_or_init(|| {
                let rt = tokio::runtime::Handle::try_current().ok()?;
                let (tx, rx) = mpsc::channel(QUEUE);
                rt.spawn(run(rx, clock.clone(), stats.clone(), self.log.clone()));
                Some(tx)
            })
            .as_ref()
    }
}

/// Turns the changes of a finished write into deliveries (see the module docs).
pub(crate) fn enqueue(
    outbox: &Outbox,
    clock: &SharedClock,
    stats: &Arc<Stats>,
    db: &Db,
    s: &Seeds,
    changes: Vec<TicketChange>,
) {
    let targets = targets(db, s);
    if targets.is_empty() {
        return;
    }
    for c in &changes {
        let evs = events::derive(db, s, c);
        for (i, e) in evs.iter().enumerate() {
            let wanted: Vec<&Target> = targets
                .iter()
                .filter(|t| t.subscriptions.iter().any(|x| x == e.kind))
                .collect();
            if wanted.is_empty() {
                continue;
            }
            let seq = outbox
                .seq
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let body: Arc<[u8]> = events::payload(s, c, e, seq, i + 1, evs.len()).into();
            for t in wanted {
                if reserved(&t.endpoint) {
                    stats.record_webhook("skipped");
                    continue;
                }
                let d = Delivery {
                    webhook_id: t.id.clone(),
                    endpoint: t.endpoint.clone(),
                    secret: t.secret.clone(),
                    invocation_id: (8_350_205_582 + seq).to_string(),
                    headers: t.headers.clone(),
                    body: body.clone(),
                };
                let inv = Invocation {
                    id: d.invocation_id.clone(),
                    created_at: clock.now().unix_secs(),
                    completed_at: None,
                    status: "queued",
                    status_code: None,
                };
                let sent = outbox
                    .sender(clock, stats)
                    .is_some_and(|tx| tx.try_send(d).is_ok());
                match sent {
                    true => {
                        stats.record_webhook("queued");
                        record(&outbox.log, &t.id, inv);
                    }
                    false => stats.record_webhook("dropped"),
                }
            }
        }
    }
}

async fn run(mut rx: mpsc::Receiver<Delivery>, clock: SharedClock, stats: Arc<Stats>, log: Log) {
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Zendesk Webhook")
        .build()
    {
        Ok(c) => c,
        Err(_) => return,
    };
    let slots = Arc::new(Semaphore::new(CONCURRENCY));
    while let Some(d) = rx.recv().await {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        let (client, clock, stats, log) =
            (client.clone(), clock.clone(), stats.clone(), log.clone());
        tokio::spawn(async move {
            let (ok, code) = deliver(&client, &clock, &stats, &d).await;
            let done = clock.now().unix_secs();
            let mut l = log.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(i) = l
                .get_mut(&d.webhook_id)
                .and_then(|v| v.iter_mut().find(|i| i.id == d.invocation_id))
            {
                i.completed_at = Some(done);
                i.status = if ok { "success" } else { "failed" };
                i.status_code = code;
            }
            drop(l);
            drop(permit);
        });
    }
}

/// What one attempt got.
enum Outcome {
    Status(u16, Option<u64>),
    Failed,
}

async fn attempt(client: &reqwest::Client, clock: &SharedClock, d: &Delivery) -> Outcome {
    let timestamp = crate::data::gen::iso(clock.now().unix_secs());
    let mut req = client
        .post(&d.endpoint)
        .header("content-type", "application/json; charset=utf-8")
        .header("x-zendesk-account-id", events::ACCOUNT_ID.to_string())
        .header("x-zendesk-webhook-id", &d.webhook_id)
        .header("x-zendesk-webhook-invocation-id", &d.invocation_id)
        .header(
            "x-zendesk-webhook-signature",
            sign(&d.secret, &timestamp, &d.body),
        )
        .header("x-zendesk-webhook-signature-timestamp", &timestamp);
    for (k, v) in &d.headers {
        if let (Ok(k), Ok(v)) = (
            http::HeaderName::try_from(k.as_str()),
            http::HeaderValue::try_from(v.as_str()),
        ) {
            req = req.header(k, v);
        }
    }
    let send = req.body(d.body.to_vec()).send();
    tokio::select! {
        biased;
        r = send => match r {
            Ok(resp) => {
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                Outcome::Status(resp.status().as_u16(), retry_after)
            }
            Err(_) => Outcome::Failed,
        },
        () = clock.sleep(TIMEOUT) => Outcome::Failed,
    }
}

/// Sends `d` with its retries: `(delivered, the last status code)`.
async fn deliver(
    client: &reqwest::Client,
    clock: &SharedClock,
    stats: &Stats,
    d: &Delivery,
) -> (bool, Option<u16>) {
    let mut code = None;
    for n in 0..=MAX_RETRIES {
        let outcome = attempt(client, clock, d).await;
        if let Outcome::Status(s, _) = outcome {
            code = Some(s);
        }
        let wait = match outcome {
            Outcome::Status(s, _) if (200..300).contains(&s) => {
                stats.record_webhook("delivered");
                return (true, code);
            }
            Outcome::Status(409, _) => Duration::from_secs(1 << n),
            Outcome::Status(429 | 503, Some(secs)) if secs <= 60 => Duration::from_secs(secs),
            _ => break,
        };
        if n == MAX_RETRIES {
            break;
        }
        stats.record_webhook("retried");
        clock.sleep(wait).await;
    }
    stats.record_webhook("failed");
    (false, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_the_documented_construction() {
        // The test vector of zdkit::webhooks (test secret, TIMESTAMP ++ BODY).
        assert_eq!(
            sign(
                "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==",
                "2024-01-02T03:04:05Z",
                br#"{"ticket_id":"42","event":"updated"}"#
            ),
            "j+7y0njUHi0qzxNmyYJpo8AcUj3HYnWkNWJE8uJj29c="
        );
    }

    #[test]
    fn example_domains_are_never_contacted() {
        for e in [
            "https://hooks.example.com/zendesk/1",
            "https://example.org/x",
            "http://a.invalid/",
            "http://svc.test:8080/",
            "not a url",
        ] {
            assert!(reserved(e), "{e}");
        }
        for e in [
            "http://127.0.0.1:9999/hook",
            "https://hooks.example-corp.com/z",
        ] {
            assert!(!reserved(e), "{e}");
        }
    }

    #[test]
    fn authentication_and_custom_headers() {
        let rec: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "custom_headers": {"x-team": "support"},
            "authentication": {"type": "basic_auth", "add_position": "header",
                               "data": {"username": "u", "password": "p"}},
        }))
        .unwrap();
        assert_eq!(
            extra_headers(&rec),
            vec![
                ("x-team".to_string(), "support".to_string()),
                ("authorization".to_string(), "Basic dTpw".to_string()),
            ]
        );
    }
}
