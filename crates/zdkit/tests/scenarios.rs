//! Scenario tests of the pipeline against a scripted local server (tests/common), on an
//! auto-advancing manual clock: waits take no real time but are measured exactly.

mod common;

use std::time::Duration;

use common::{clock, json, with_header, Action, Mock, T0};
use zdkit::{
    Client, Credentials, Error, ErrorKind, ManualClock, RateLimitPolicy, RetryPolicy,
    TransportErrorKind,
};

const TOKEN: &str = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd";

fn client(mock: &Mock, clock: &ManualClock) -> Client {
    builder(mock, clock).build().unwrap()
}

fn builder(mock: &Mock, clock: &ManualClock) -> zdkit::ClientBuilder {
    Client::builder()
        .base_url(mock.url())
        .credentials(Credentials::api_token("agent@example.com", TOKEN))
        .clock(clock.shared())
        .retry_policy(RetryPolicy::default().jitter_seed(42))
}

fn api(e: &Error) -> &zdkit::ApiError {
    e.api().unwrap_or_else(|| panic!("not an API error: {e:?}"))
}

#[tokio::test]
async fn sends_auth_accept_and_decodes_json() {
    let c = clock();
    let mock = Mock::script(
        c.shared(),
        vec![with_header(
            json(200, r#"{"ticket":{"id":1,"subject":"hi"}}"#),
            "X-Rate-Limit",
            "700",
        )],
    )
    .await;
    let resp = client(&mock, &c)
        .get("/api/v2/tickets/1.json")
        .query(&[("include", "users")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req-0123456789abcdef"));
    assert_eq!(resp.rate_limit().account.unwrap().limit, Some(700));
    let v: serde_json::Value = resp.json().unwrap();
    assert_eq!(v["ticket"]["subject"], "hi");
    let r = &mock.requests()[0];
    assert_eq!(r.path, "/api/v2/tickets/1.json?include=users");
    assert_eq!(
        r.header("authorization"),
        Some("Basic YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46QWJDZEVmR2hJaktsTW5PcFFyU3RVdld4WXowMTIzNDU2Nzg5YWJjZA==")
    );
    assert_eq!(r.header("accept"), Some("application/json"));
}

#[tokio::test]
async fn error_statuses_become_typed_errors_with_hints() {
    let c = clock();
    let mock = Mock::script(
        c.shared(),
        vec![
            json(401, r#"{"error":"Couldn't authenticate you"}"#),
            json(403, r#"{"error":{"title":"Forbidden","message":"You do not have access to this page."}}"#),
            json(404, r#"{"error":"RecordNotFound","description":"Not found"}"#),
            json(
                422,
                r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"status":[{"description":"Status: closed prevents ticket update","error":"InvalidValue"}]}}"#,
            ),
            Action::Reply { status: 400, headers: vec![("content-type".into(), "text/plain".into())], body: b"Bad request syntax".to_vec() },
        ],
    )
    .await;
    let cl = client(&mock, &c);
    let e401 = cl.get("/api/v2/users/me").send().await.unwrap_err();
    assert_eq!(api(&e401).kind, ErrorKind::Unauthorized);
    assert_eq!(
        api(&e401).code.as_deref(),
        Some("Couldn't authenticate you")
    );
    assert!(e401.hint().unwrap().contains("/token"));
    let e403 = cl.get("/api/v2/users/me").send().await.unwrap_err();
    assert_eq!(api(&e403).kind, ErrorKind::Forbidden);
    assert_eq!(
        api(&e403).description.as_deref(),
        Some("You do not have access to this page.")
    );
    let e404 = cl.get("/api/v2/tickets/9").send().await.unwrap_err();
    assert_eq!(api(&e404).code.as_deref(), Some("RecordNotFound"));
    assert_eq!(
        api(&e404).request_id.as_deref(),
        Some("req-0123456789abcdef")
    );
    // A POST with a 422 is a final answer: no retry.
    let e422 = cl
        .post("/api/v2/tickets")
        .json(&serde_json::json!({"ticket":{}}))
        .send()
        .await
        .unwrap_err();
    let ErrorKind::Invalid { details } = &api(&e422).kind else {
        panic!("{e422:?}")
    };
    assert_eq!(details["status"][0].error.as_deref(), Some("InvalidValue"));
    assert!(e422
        .hint()
        .unwrap()
        .contains("status: Status: closed prevents ticket update"));
    let e400 = cl.get("/api/v2/x").send().await.unwrap_err();
    assert_eq!(
        api(&e400).description.as_deref(),
        Some("Bad request syntax")
    );
    assert_eq!(&api(&e400).body[..], b"Bad request syntax");
    assert_eq!(mock.requests().len(), 5, "no error above was retried");
}

#[tokio::test]
async fn a_429_waits_retry_after_then_succeeds_for_a_post_too() {
    let c = clock();
    let mock = Mock::script(
        c.shared(),
        vec![
            with_header(
                Action::Reply {
                    status: 429,
                    headers: vec![],
                    body: b"Number of allowed API requests per minute exceeded".to_vec(),
                },
                "Retry-After",
                "17",
            ),
            json(201, r#"{"ticket":{"id":5}}"#),
        ],
    )
    .await;
    let cl = client(&mock, &c);
    let resp = cl
        .post("/api/v2/tickets")
        .json(&serde_json::json!({"ticket":{}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.attempts(), 2);
    let reqs = mock.requests();
    assert_eq!(
        reqs[1].at.saturating_since(reqs[0].at),
        Duration::from_secs(17)
    );
    let stats = cl.stats();
    assert_eq!(
        (stats.requests, stats.rate_limited, stats.retries),
        (2, 1, 1)
    );
    assert_eq!(stats.retry_wait, Duration::from_secs(17));
    assert_eq!(stats.bucket("account").unwrap().rate_limited, 1);
}

#[tokio::test]
async fn dont_wait_mode_returns_the_429_with_retry_after() {
    let c = clock();
    let mock = Mock::script(
        c.shared(),
        vec![with_header(
            json(429, r#"{"error":"APIRateLimitExceeded"}"#),
            "Retry-After",
            "30",
        )],
    )
    .await;
    let cl = builder(&mock, &c)
        .rate_limit_policy(RateLimitPolicy::default().wait(false))
        .build()
        .unwrap();
    let err = cl.get("/api/v2/tickets").send().await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert!(matches!(
        api(&err).kind,
        ErrorKind::RateLimited {
            retry_after: Some(_),
            ..
        }
    ));
    // The bucket is now closed: the next request is refused locally, without being sent.
    let err = cl.get("/api/v2/tickets").send().await.unwrap_err();
    let Error::RateLimited {
        bucket,
        retry_after,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(bucket, "account");
    assert!(*retry_after <= Duration::from_secs(30) && *retry_after > Duration::from_secs(29));
    assert_eq!(mock.requests().len(), 1);
    assert_eq!(zdkit::Clock::now(&c), T0, "nothing slept");
}

#[tokio::test]
async fn server_errors_are_retried_for_gets_with_backoff() {
    let c = clock();
    let mock = Mock::script(
        c.shared(),
        vec![
            json(500, "{}"),
            json(502, "{}"),
            with_header(json(503, "{}"), "Retry-After", "9"),
            json(200, "{}"),
        ],
    )
    .await;
    let cl = client(&mock, &c);
    let resp = cl.get("/api/v2/users/1").send().await.unwrap();
    assert_eq!(resp.attempts(), 4);
    let at: Vec<_> = mock.requests().iter().map(|r| r.at).collect();
    // Full jitter under the 0.5 s and 1 s ceilings, then the 503's Retry-After exactly.
    assert!(at[1].saturating_since(at[0]) <= Duration::from_millis(500));
    assert!(at[2].saturating_since(at[1]) <= Duration::from_secs(1));
    assert_eq!(at[3].saturating_since(at[2]), Duration::from_secs(9));
}

#[tokio::test]
async fn a_request_can_give_up_on_a_gateway_timeout_at_once() {
    let c = clock();
    let html = || Action::Reply {
        status: 504,
        headers: vec![("content-type".into(), "text/html".into())],
        body: b"<html><body><h1>504 Gateway Time-out</h1></body></html>".to_vec(),
    };
    let mock = Mock::start(c.shared(), move |_| html()).await;
    let cl = client(&mock, &c);

    // The client's policy: five attempts of a 504, with backoff between them.
    let err = cl.get("/api/v2/users/1").send().await.unwrap_err();
    assert_eq!(api(&err).status, 504);
    assert_eq!(mock.requests().len(), 5);
    let after_default = zdkit::Clock::now(&c);
    assert!(after_default > T0, "the retries waited");

    // A per-request override: one attempt on a timeout, no wait, the 504 handed back.
    let once = cl.retry_policy().clone().timeout_attempts(1);
    let err = cl
        .get("/api/v2/users/1")
        .retry(once.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(api(&err).status, 504);
    assert_eq!(mock.requests().len(), 6, "one attempt");
    assert_eq!(zdkit::Clock::now(&c), after_default, "nothing slept");

    // Search export pages carry the override on every page.
    let q = zdkit::SearchQuery::tickets().status("closed");
    let mut pages = cl.search().export(&q).page_size(1000).retry(once).pages();
    let err = futures_util::StreamExt::next(&mut pages)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(api(&err).status, 504);
    assert_eq!(mock.requests().len(), 7, "one attempt");
    assert!(mock.requests()[6].path.starts_with("/api/v2/search/export"));
    assert_eq!(cl.stats().retries, 4, "only the default policy's retries");
}

#[tokio::test]
async fn a_timeout_override_leaves_other_server_errors_to_the_attempt_cap() {
    let c = clock();
    let mock = Mock::script(
        c.shared(),
        vec![json(502, "{}"), json(500, "{}"), json(200, "{}")],
    )
    .await;
    let cl = client(&mock, &c);
    let once = cl.retry_policy().clone().timeout_attempts(1);
    let resp = cl.get("/api/v2/users/1").retry(once).send().await.unwrap();
    assert_eq!(resp.attempts(), 3, "500 and 502 are still retried");
    let fewer = RetryPolicy::default().max_attempts(2).jitter_seed(1);
    let mock = Mock::script(
        c.shared(),
        vec![json(500, "{}"), json(500, "{}"), json(200, "{}")],
    )
    .await;
    let cl = client(&mock, &c);
    let err = cl
        .get("/api/v2/users/1")
        .retry(fewer)
        .send()
        .await
        .unwrap_err();
    assert_eq!(api(&err).status, 500);
    assert_eq!(mock.requests().len(), 2, "the override's attempt cap");
}

#[tokio::test]
async fn a_post_is_not_resent_after_a_5xx_without_an_idempotency_key() {
    let c = clock();
    let mock = Mock::script(c.shared(), vec![json(500, "{}"), json(201, "{}")]).await;
    let cl = client(&mock, &c);
    let err = cl
        .post("/api/v2/tickets")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(api(&err).kind, ErrorKind::ServerError);
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn a_post_with_an_idempotency_key_is_resent_after_a_5xx() {
    let c = clock();
    let mock = Mock::script(c.shared(), vec![json(503, "{}"), json(201, "{}")]).await;
    let cl = client(&mock, &c);
    let resp = cl
        .post("/api/v2/tickets")
        .idempotency_key("k-1")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs
        .iter()
        .all(|r| r.header("idempotency-key") == Some("k-1")));
    assert_eq!(reqs[0].body, reqs[1].body);
}

#[tokio::test]
async fn a_conflict_is_retried_for_a_put() {
    let c = clock();
    let mock = Mock::script(
        c.shared(),
        vec![
            json(409, r#"{"error":"DatabaseConflict"}"#),
            json(200, "{}"),
        ],
    )
    .await;
    let resp = client(&mock, &c)
        .put("/api/v2/users/1")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.attempts(), 2);
}

#[tokio::test]
async fn a_reset_connection_retries_a_get_but_not_a_post() {
    let c = clock();
    let mock = Mock::script(
        c.shared(),
        vec![
            Action::Hangup,
            json(200, "{}"),
            Action::Hangup,
            json(201, "{}"),
        ],
    )
    .await;
    let cl = client(&mock, &c);
    assert_eq!(
        cl.get("/api/v2/users/1").send().await.unwrap().attempts(),
        2
    );
    let err = cl
        .post("/api/v2/tickets")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert!(t.may_have_been_processed);
    assert_eq!(mock.requests().len(), 3);
    assert_eq!(cl.stats().transport_errors, 2);
}

#[tokio::test]
async fn a_truncated_body_is_a_transport_error_and_retried_for_a_get() {
    let c = clock();
    let mock = Mock::script(
        c.shared(),
        vec![
            Action::Truncate {
                status: 200,
                declared: 100,
                body: b"{\"tick".to_vec(),
            },
            json(200, r#"{"ok":true}"#),
        ],
    )
    .await;
    let cl = client(&mock, &c);
    let resp = cl.get("/api/v2/tickets/1").send().await.unwrap();
    assert_eq!(resp.attempts(), 2);
    let mock2 = Mock::script(
        c.shared(),
        vec![Action::Truncate {
            status: 200,
            declared: 100,
            body: b"{".to_vec(),
        }],
    )
    .await;
    let cl2 = builder(&mock2, &c)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = cl2.get("/api/v2/tickets/1").send().await.unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind, TransportErrorKind::Body);
}

#[tokio::test]
async fn a_connect_failure_is_retried_even_for_a_post() {
    let c = clock();
    // A port with nothing listening.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let cl = Client::builder()
        .base_url(format!("http://{addr}"))
        .clock(c.shared())
        .retry_policy(RetryPolicy::default().max_attempts(3).jitter_seed(1))
        .build()
        .unwrap();
    let err = cl
        .post("/api/v2/tickets")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind, TransportErrorKind::Connect);
    assert!(!t.may_have_been_processed);
    assert_eq!(
        cl.stats().requests,
        3,
        "connect failures are safe to retry for any method"
    );
}

#[tokio::test]
async fn a_storm_of_5xx_is_cut_short_by_the_retry_budget() {
    let c = clock();
    let mock = Mock::start(c.shared(), |_| json(500, "{}")).await;
    let cl = builder(&mock, &c)
        .retry_policy(RetryPolicy::default().budget(20).jitter_seed(3))
        .build()
        .unwrap();
    let clone = cl.clone();
    for _ in 0..5 {
        assert!(clone.get("/api/v2/users/1").send().await.is_err());
    }
    // 20 tokens pay for 4 retries in all, shared by the clones; then one attempt per call.
    let s = cl.stats();
    assert_eq!(s.retries, 4);
    assert_eq!(s.requests, 5 + 4);
    assert!(s.retries_refused_by_budget >= 4);
}

#[tokio::test]
async fn redirects_are_not_followed_so_the_token_never_reaches_another_host() {
    let c = clock();
    let other = Mock::script(c.shared(), vec![json(200, "{}")]).await;
    let location = format!("{}/steal", other.url());
    let mock = Mock::script(
        c.shared(),
        vec![Action::Reply {
            status: 302,
            headers: vec![("location".into(), location)],
            body: vec![],
        }],
    )
    .await;
    let cl = client(&mock, &c);
    let err = cl.get("/api/v2/tickets").send().await.unwrap_err();
    assert_eq!(err.status(), Some(302));
    assert!(other.requests().is_empty(), "the other host was contacted");
    // A full URL on another host is refused before anything is sent.
    let err = cl
        .get(&format!("{}/api/v2/tickets", other.url()))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)));
    assert!(other.requests().is_empty());
}

#[tokio::test]
async fn decode_errors_name_the_json_path() {
    let c = clock();
    let mock = Mock::script(
        c.shared(),
        vec![json(200, r#"{"tickets":[{"id":1},{"id":"two"}]}"#)],
    )
    .await;
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Page {
        tickets: Vec<T>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        id: u64,
    }
    let resp = client(&mock, &c)
        .get("/api/v2/tickets")
        .send()
        .await
        .unwrap();
    let err = resp.json::<Page>().unwrap_err();
    let Error::Decode(d) = &err else { panic!() };
    assert_eq!(d.path, "tickets[1].id");
    assert_eq!(d.request_id.as_deref(), Some("req-0123456789abcdef"));
}

#[tokio::test]
async fn errors_never_show_the_token() {
    let c = clock();
    let mock = Mock::script(
        c.shared(),
        vec![json(401, r#"{"error":"Couldn't authenticate you"}"#)],
    )
    .await;
    let err = client(&mock, &c)
        .get("/api/v2/users/me")
        .send()
        .await
        .unwrap_err();
    for shown in [format!("{err}"), format!("{err:?}"), err.hint().unwrap()] {
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains("QWJDZEVm"), "{shown}");
    }
}

#[tokio::test]
async fn a_cancelled_request_hands_its_budget_back() {
    use tokio::io::AsyncReadExt;
    let c = clock();
    // A server that reads the request and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = sock.read(&mut buf).await;
        let _ = tx.send(());
        std::future::pending::<()>().await;
        drop(sock);
    });
    let cl = Client::builder()
        .base_url(format!("http://{addr}"))
        .clock(c.shared())
        .build()
        .unwrap();
    let in_flight = |cl: &Client| cl.stats().bucket("account").map(|b| b.in_flight);
    let task = tokio::spawn({
        let cl = cl.clone();
        async move { cl.get("/api/v2/users/1").send().await }
    });
    rx.await.unwrap();
    assert_eq!(in_flight(&cl), Some(1));
    task.abort();
    let _ = task.await;
    for _ in 0..100 {
        if in_flight(&cl) == Some(0) {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(
        in_flight(&cl),
        Some(0),
        "the permit of the cancelled request leaked"
    );
}

#[tokio::test]
async fn clients_sharing_a_budget_store_share_one_budget() {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;
    use zdkit::ratelimit::{BudgetStore, InProcessStore};
    let c = clock();
    let used = Arc::new(AtomicU32::new(0));
    let c2 = c.shared();
    let mock = Mock::start(c.shared(), move |_| {
        let n = used.fetch_add(1, Ordering::SeqCst) + 1;
        let left = 60 - c2.now().saturating_since(T0).as_secs().min(60);
        let mut a = json(200, "{}");
        a = with_header(a, "x-rate-limit", "3");
        a = with_header(
            a,
            "x-rate-limit-remaining",
            &3u32.saturating_sub(n).to_string(),
        );
        with_header(a, "ratelimit-reset", &left.to_string())
    })
    .await;
    let store: Arc<dyn BudgetStore> = Arc::new(InProcessStore::new(0.0));
    let a = builder(&mock, &c)
        .budget_store(store.clone())
        .build()
        .unwrap();
    let b = builder(&mock, &c).budget_store(store).build().unwrap();
    a.get("/api/v2/users/1").send().await.unwrap();
    a.get("/api/v2/users/1").send().await.unwrap();
    b.get("/api/v2/users/1").send().await.unwrap();
    // The account's 3 are spent (2 by a, 1 by b): b's next request waits for the window.
    b.get("/api/v2/users/1").send().await.unwrap();
    let reqs = mock.requests();
    assert!(reqs[2].at.saturating_since(T0) < Duration::from_secs(60));
    assert!(
        reqs[3].at.saturating_since(T0) >= Duration::from_secs(60),
        "{:?}",
        reqs[3].at
    );
    assert!(b.stats().bucket("account").unwrap().waited >= Duration::from_secs(30));
}
