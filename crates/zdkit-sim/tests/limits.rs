//! Rate limits, faults, stats and the `/__sim` controls, end to end over HTTP with a
//! manual clock.

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zdkit_clock::{Clock, ManualClock, Timestamp};
use zdkit_sim::faults::FaultPlan;
use zdkit_sim::limits::Plan;
use zdkit_sim::{SimConfig, SimState};

/// 20 seconds into a minute: `1_700_000_000 % 60 == 20`.
const T0: u64 = 1_700_000_000;
const ADMIN: &str = "admin@example.com";
const TOKEN: &str = "zd-sim-token";

struct Sim {
    base: String,
    clock: ManualClock,
    client: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn num(&self, name: &str) -> u64 {
        self.header(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing or not a number: {:?}", self.headers))
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

async fn start(plan: Plan, faults: FaultPlan, clock: ManualClock) -> Sim {
    let config = SimConfig {
        plan,
        faults,
        clock: Some(clock.shared()),
        ..SimConfig::with_tickets(100)
    };
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

async fn sim(plan: Plan) -> Sim {
    let clock = ManualClock::new(Timestamp::from_unix_secs(T0));
    start(plan, FaultPlan::default(), clock).await
}

impl Sim {
    fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }

    async fn send(&self, rb: reqwest::RequestBuilder) -> Resp {
        let r = rb.send().await.expect("request failed");
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        Resp {
            status,
            headers,
            text,
        }
    }

    fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .basic_auth(format!("{ADMIN}/token"), Some(TOKEN))
    }

    async fn get(&self, path: &str) -> Resp {
        self.send(self.api(reqwest::Method::GET, path)).await
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut rb = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            rb = with_json(rb, &b);
        }
        let r = self.send(rb).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        r.json()
    }
}

fn with_json(rb: reqwest::RequestBuilder, body: &Value) -> reqwest::RequestBuilder {
    rb.header("content-type", "application/json")
        .body(body.to_string())
}

/// `(total, remaining, resets)` of `zendesk-ratelimit-<bucket>`.
fn bucket(r: &Resp, name: &str) -> (u64, u64, u64) {
    let raw = r
        .header(&format!("zendesk-ratelimit-{name}"))
        .unwrap_or_else(|| panic!("no {name} header: {:?}", r.headers));
    let field = |k: &str| -> u64 {
        raw.split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(key, _)| *key == k)
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or_else(|| panic!("{k} missing in {raw}"))
    };
    (field("total"), field("remaining"), field("resets"))
}

const INCREMENTAL: &str = "/api/v2/incremental/tickets/cursor.json?start_time=1600000000";

#[tokio::test]
async fn eleventh_incremental_request_in_a_minute_waits_for_retry_after() {
    let sim = sim(Plan::Enterprise).await;
    for i in 0..10 {
        let r = sim.get(INCREMENTAL).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(bucket(&r, "incremental-exports"), (10, 9 - i, 40));
    }
    let r = sim.get(INCREMENTAL).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.num("retry-after"), 40);
    assert_eq!(bucket(&r, "incremental-exports"), (10, 0, 40));
    assert_eq!(
        r.json(),
        json!({"error": "APIRateLimitExceeded",
               "description": "Number of allowed incremental export API requests per minute exceeded"})
    );
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(
        r.num("x-rate-limit-remaining"),
        690,
        "the 429 charged nothing"
    );

    sim.advance(39);
    assert_eq!(sim.get(INCREMENTAL).await.status, 429);
    sim.advance(1);
    let r = sim.get(INCREMENTAL).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(bucket(&r, "incremental-exports"), (10, 9, 60));

    let stats = sim.admin(reqwest::Method::GET, "/__sim/stats", None).await;
    assert_eq!(stats["requests"], 13);
    assert_eq!(stats["by_status"]["200"], 11);
    assert_eq!(stats["by_status"]["429"], 2);
    assert_eq!(stats["rate_limited"]["incremental-exports"], 2);
    assert_eq!(stats["budget_used"]["incremental-exports"], 11);
}

#[tokio::test]
async fn account_bucket_answers_plain_text_on_team_plan() {
    let sim = sim(Plan::Team).await;
    for i in 0..200 {
        let r = sim.get("/api/v2/users/me").await;
        assert_eq!(r.status, 200, "request {i}: {}", r.text);
        assert_eq!(r.num("x-rate-limit"), 200);
        assert_eq!(r.num("x-rate-limit-remaining"), 199 - i);
    }
    let r = sim.get("/api/v2/users/me").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(r.text, "Number of allowed API requests per minute exceeded");
    assert_eq!(r.num("retry-after"), 40);
    assert_eq!(r.num("ratelimit-reset"), 40);
    assert_eq!(r.num("ratelimit-remaining"), 0);
    sim.advance(40);
    assert_eq!(sim.get("/api/v2/users/me").await.status, 200);
}

fn check_common_headers(r: &Resp) {
    let id = r.header("x-zendesk-request-id").expect("request id");
    assert_eq!(id.len(), 20);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(r.header("x-request-id"), Some(id));
    assert_eq!(r.header("x-zendesk-api-version"), Some("v2"));
    assert_eq!(r.num("x-rate-limit"), r.num("ratelimit-limit"));
    assert_eq!(
        r.num("x-rate-limit-remaining"),
        r.num("ratelimit-remaining")
    );
    assert!(r.num("x-rate-limit-remaining") <= r.num("x-rate-limit"));
    assert!((1..=60).contains(&r.num("ratelimit-reset")));
    for (name, _) in r.headers.iter() {
        if let Some(b) = name.as_str().strip_prefix("zendesk-ratelimit-") {
            let (total, remaining, resets) = bucket(r, b);
            assert!(remaining <= total && resets >= 1, "{name}");
        }
    }
}

#[tokio::test]
async fn headers_on_every_response_parse_and_agree() {
    let sim = sim(Plan::Enterprise).await;
    let mut expected_remaining = 700;
    let cases: [(&str, bool); 6] = [
        ("/api/v2/users/me", true),
        ("/api/v2/tickets.json", true),
        ("/api/v2/search?query=status:open", true),
        (INCREMENTAL, true),
        ("/api/v2/tickets/999999999", true),
        ("/api/v2/no_such_thing", false),
    ];
    for (path, charged) in cases {
        let r = sim.get(path).await;
        check_common_headers(&r);
        if charged {
            expected_remaining -= 1;
        }
        assert_eq!(
            r.num("x-rate-limit-remaining"),
            expected_remaining,
            "{path}"
        );
    }
    let r = sim.get("/api/v2/tickets").await;
    expected_remaining -= 1;
    assert_eq!(bucket(&r, "tickets-index"), (100_000, 99_998, 40));
    // A failed authentication is not charged, yet carries the headers.
    let r = sim
        .send(
            sim.client
                .get(format!("{}/api/v2/users/me", sim.base))
                .basic_auth("nobody@example.com/token", Some("wrong")),
        )
        .await;
    assert_eq!(r.status, 401);
    check_common_headers(&r);
    assert_eq!(r.num("x-rate-limit-remaining"), expected_remaining);
    // Ticket updates: the per-(user, ticket) window of 10 minutes shows through.
    let r = sim
        .send(with_json(
            sim.api(reqwest::Method::PUT, "/api/v2/tickets/1.json"),
            &json!({"ticket": {"priority": "high"}}),
        ))
        .await;
    check_common_headers(&r);
    let (total, remaining, resets) = bucket(&r, "tickets-update");
    assert_eq!((total, remaining), (30, 29), "{}", r.text);
    assert_eq!(resets, 600 - (T0 % 600));
    // The admin API is neither limited nor counted.
    let r = sim
        .send(sim.client.get(format!("{}/__sim/stats", sim.base)))
        .await;
    assert!(r.header("x-rate-limit").is_none());
    let limits = sim.admin(reqwest::Method::GET, "/__sim/limits", None).await;
    assert_eq!(limits["settings"]["plan"], "enterprise");
    assert_eq!(limits["buckets"][0]["bucket"], "account");
    assert_eq!(limits["buckets"][0]["remaining"], expected_remaining - 1);
}

#[tokio::test]
async fn limits_change_at_run_time() {
    let sim = sim(Plan::Enterprise).await;
    let body = json!({"plan": "team", "background_rpm": 120});
    let snap = sim
        .admin(reqwest::Method::PUT, "/__sim/limits", Some(body))
        .await;
    assert_eq!(snap["settings"]["plan"], "team");
    // 120/min spread evenly: 40 used by others 20 s into the minute.
    let r = sim.get("/api/v2/users/me").await;
    assert_eq!(r.num("x-rate-limit"), 200);
    assert_eq!(r.num("x-rate-limit-remaining"), 200 - 40 - 1);
    let body = json!({"plan": "unlimited"});
    sim.admin(reqwest::Method::PUT, "/__sim/limits", Some(body))
        .await;
    let r = sim.get("/api/v2/users/me").await;
    // Unlimited still advertises a (very high) limit.
    assert_eq!(r.num("x-rate-limit"), 10_000_000);
    assert!(r.header("x-zendesk-request-id").is_some());
}

#[tokio::test]
async fn a_storm_answers_429_inside_its_window_only() {
    let sim = sim(Plan::Enterprise).await;
    let plan = json!({"storms": [{"start_secs": 10, "end_secs": 30}]});
    sim.admin(reqwest::Method::PUT, "/__sim/faults", Some(plan.clone()))
        .await;
    let got = sim.admin(reqwest::Method::GET, "/__sim/faults", None).await;
    assert_eq!(got["storms"][0]["end_secs"], 30);
    sim.advance(9);
    assert_eq!(sim.get("/api/v2/users/me").await.status, 200);
    sim.advance(1);
    let r = sim.get("/api/v2/users/me").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.num("retry-after"), 20);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    check_common_headers(&r);
    sim.advance(20);
    assert_eq!(sim.get("/api/v2/users/me").await.status, 200);
    let stats = sim.admin(reqwest::Method::GET, "/__sim/stats", None).await;
    assert_eq!(stats["faults"]["storm_429"], 1);
    let bad = sim
        .send(
            sim.client
                .put(format!("{}/__sim/faults", sim.base))
                .body(r#"{"rules":[{"error_500":2}]}"#),
        )
        .await;
    assert_eq!(bad.status, 400);
}

async fn statuses(seed: u64) -> Vec<(u16, Option<String>)> {
    let plan = FaultPlan::from_json_str(&format!(
        r#"{{"seed": {seed}, "rules": [{{"error_500": 0.1, "error_503": 0.05,
            "retry_after_on_503": 3, "plain_400": 0.02, "edge_429": 0.02}}]}}"#
    ))
    .unwrap();
    let clock = ManualClock::new(Timestamp::from_unix_secs(T0));
    let sim = start(Plan::Unlimited, plan, clock).await;
    let mut out = Vec::new();
    for _ in 0..1000 {
        let r = sim.get("/api/v2/users/me").await;
        if r.status == 503 {
            assert_eq!(r.num("retry-after"), 3);
        }
        if r.status == 429 {
            assert_eq!(r.header("content-type"), Some("text/html"));
            assert!(
                r.header("x-zendesk-request-id").is_none(),
                "edge 429s are not Zendesk's"
            );
        }
        if r.status == 400 {
            assert!(r.header("content-type").unwrap().starts_with("text/plain"));
        }
        out.push((
            r.status.as_u16(),
            r.header("x-zendesk-request-id").map(String::from),
        ));
    }
    out
}

#[tokio::test]
async fn server_errors_follow_their_rates_and_replay_with_the_seed() {
    let a = statuses(7).await;
    let count = |s: u16| a.iter().filter(|(st, _)| *st == s).count();
    assert!((60..=140).contains(&count(500)), "500s: {}", count(500));
    assert!((20..=80).contains(&count(503)), "503s: {}", count(503));
    assert!((5..=40).contains(&count(400)), "400s: {}", count(400));
    assert!((5..=40).contains(&count(429)), "429s: {}", count(429));
    assert_eq!(
        a,
        statuses(7).await,
        "same seed, same schedule and request ids"
    );
    let b = statuses(8).await;
    assert_ne!(
        a.iter().map(|x| x.0).collect::<Vec<_>>(),
        b.iter().map(|x| x.0).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn resets_and_truncated_bodies_are_errors_for_the_client() {
    let plan = FaultPlan::from_json_str(
        r#"{"rules": [{"path": "/api/v2/users/me", "reset": 1.0},
                      {"path": "/api/v2/tickets", "truncate": 1.0}]}"#,
    )
    .unwrap();
    let clock = ManualClock::new(Timestamp::from_unix_secs(T0));
    let sim = start(Plan::Enterprise, plan, clock).await;
    // A reset: no response at all.
    let reset = sim
        .api(reqwest::Method::GET, "/api/v2/users/me")
        .send()
        .await;
    assert!(reset.is_err(), "a reset is an error: {reset:?}");
    // A truncated body: the head arrives with the full length, the body does not.
    let r = sim
        .api(reqwest::Method::GET, "/api/v2/tickets")
        .send()
        .await;
    let r = r.expect("the head of a truncated response arrives");
    assert_eq!(r.status(), 200);
    assert!(r.content_length().unwrap() > 1000);
    let body = r.bytes().await;
    assert!(body.is_err(), "a truncated body is an error: {body:?}");
    // Other paths are fine.
    let r = sim.get("/api/v2/users/1").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let stats = sim.admin(reqwest::Method::GET, "/__sim/stats", None).await;
    assert!(stats["faults"]["reset"].as_u64() >= Some(1));
    assert_eq!(stats["faults"]["truncate"], 1);
    let zeroed = sim
        .admin(reqwest::Method::DELETE, "/__sim/stats", None)
        .await;
    assert_eq!(zeroed["requests"], 0);
}

#[tokio::test]
async fn latency_is_virtual() {
    let plan =
        FaultPlan::from_json_str(r#"{"rules": [{"latency": {"kind": "fixed", "ms": 1500}}]}"#)
            .unwrap();
    let clock = ManualClock::auto_advancing(Timestamp::from_unix_secs(T0));
    let sim = start(Plan::Enterprise, plan, clock.clone()).await;
    assert_eq!(sim.get("/api/v2/users/me").await.status, 200);
    assert_eq!(
        clock.now(),
        Timestamp::from_unix_secs(T0) + Duration::from_millis(1500)
    );
    let c = sim.admin(reqwest::Method::GET, "/__sim/clock", None).await;
    assert_eq!(c["now"], T0 + 1);
    assert_eq!(c["advanceable"], false);
    let r = sim
        .send(with_json(
            sim.client.post(format!("{}/__sim/clock", sim.base)),
            &json!({"advance_secs": 5}),
        ))
        .await;
    assert_eq!(r.status, 409, "a clock passed in is advanced by its owner");
}

#[tokio::test]
async fn ticket_updates_wait_for_the_ten_minute_window() {
    let sim = sim(Plan::Enterprise).await;
    let put = |ticket: u64| {
        with_json(
            sim.api(
                reqwest::Method::PUT,
                &format!("/api/v2/tickets/{ticket}.json"),
            ),
            &json!({"ticket": {"priority": "high"}}),
        )
    };
    for i in 0..30 {
        let r = sim.send(put(3)).await;
        // Whatever the handler says (a closed ticket gives 422), the update is charged.
        assert_ne!(r.status, 429, "update {i}: {}", r.text);
    }
    let r = sim.send(put(3)).await;
    assert_eq!(r.status, 429, "{}", r.text);
    // T0 is 200 s into a 10-minute window.
    assert_eq!(r.num("retry-after"), 400);
    assert_eq!(bucket(&r, "tickets-update"), (30, 0, 400));
    assert_eq!(r.json()["error"], "APIRateLimitExceeded");
    // Another ticket is not affected; the same one is, across minute windows.
    assert_ne!(sim.send(put(4)).await.status, 429);
    sim.advance(399);
    assert_eq!(sim.send(put(3)).await.status, 429);
    sim.advance(1);
    assert_ne!(sim.send(put(3)).await.status, 429);
}
