//! The in-process simulator and a small client.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use zdkit_clock::{ManualClock, Timestamp};
use zdkit_sim::limits::Plan;
use zdkit_sim::{SimConfig, SimState};

/// The manual clock's start.
pub const T0: u64 = 1_700_000_000;

/// A running simulator.
pub struct Sim {
    pub base: String,
    pub clock: ManualClock,
    pub client: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A response: status, headers, parsed JSON body (Null when not JSON).
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn start(tickets: u64) -> Sim {
    start_with(SimConfig::with_tickets(tickets)).await
}

pub async fn start_with(mut config: SimConfig) -> Sim {
    let clock = ManualClock::new(Timestamp::from_unix_secs(T0));
    config.clock = Some(clock.shared());
    config.plan = Plan::Unlimited;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = SimState::new(config);
    let task = tokio::spawn(async move {
        let _ = zdkit_sim::serve(listener, state).await;
    });
    Sim {
        base: format!("http://{addr}"),
        clock,
        client: reqwest::Client::new(),
        task,
    }
}

pub const ADMIN: &str = "admin@example.com";
pub const TOKEN: &str = "zd-sim-token";

impl Sim {
    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }

    pub fn now(&self) -> u64 {
        zdkit_clock::Clock::now(&self.clock).unix_secs()
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Resp {
        let r = rb.send().await.expect("request failed");
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    pub fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .basic_auth(format!("{ADMIN}/token"), Some(TOKEN))
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.req(Method::GET, path)).await
    }

    pub async fn json(&self, method: Method, path: &str, body: Value) -> Resp {
        self.send(self.req(method, path).json(&body)).await
    }

    /// `[id, updated_at, generated_timestamp, deleted]` rows of the ground truth.
    pub async fn truth(&self, kind: &str) -> Vec<(u64, u64, u64, bool)> {
        let r = self
            .send(
                self.client
                    .get(self.url(&format!("/__sim/ground-truth/{kind}"))),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.body[kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                (
                    row[0].as_u64().unwrap(),
                    row[1].as_u64().unwrap(),
                    row[2].as_u64().unwrap(),
                    row[3].as_bool().unwrap(),
                )
            })
            .collect()
    }
}

impl Sim {
    /// The ids `GET /tickets` lists: live and not archived (ground truth column 5).
    pub async fn listed_ticket_ids(&self) -> Vec<u64> {
        let r = self
            .send(self.client.get(self.url("/__sim/ground-truth/tickets")))
            .await;
        r.body["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|row| row[3] == false && row[4] == false)
            .map(|row| row[0].as_u64().unwrap())
            .collect()
    }
}

/// Asserts a Zendesk error body `{"error": code, ...}` with the given status.
pub fn assert_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status.as_u16(), status, "body: {}", r.text);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8"),
        "{}",
        r.text
    );
    let got = r.body["error"]
        .as_str()
        .or_else(|| r.body["errors"][0]["code"].as_str());
    assert_eq!(got, Some(code), "body: {}", r.text);
}
