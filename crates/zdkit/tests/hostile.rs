//! The library against hostile servers (`zdkit_sim::hostile`): every test names what broke
//! before and proves it no longer does. Items refer to issue 9.

use std::time::Duration;

use futures_util::TryStreamExt;
use serde_json::json;
use zdkit::{Client, Clock, Credentials, ManualClock, Timestamp};
use zdkit_sim::hostile::{HostileServer, Reply};

const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_040);

fn client_for(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .credentials(Credentials::api_token("agent@example.com", "s3cret-token"))
        .clock(ManualClock::auto_advancing(T0).shared())
        .build()
        .unwrap()
}

fn tickets_page(next: &str) -> Reply {
    Reply::json(&json!({
        "tickets": [{"id": 1}],
        "meta": {"has_more": true, "after_cursor": "c1"},
        "links": {"next": next}
    }))
}

// Item 1: a next-page link to another origin was followed with the Authorization header.
#[tokio::test]
async fn smuggled_next_links_send_no_byte_to_the_other_origin() {
    let other = HostileServer::start().await;
    let host = other.authority();
    for link in [
        format!("//{host}/api/v2/tickets?page[after]=c1"),
        format!("/\\{host}/api/v2/tickets?page[after]=c1"),
        format!("/\t/{host}/api/v2/tickets?page[after]=c1"),
        format!("/\n/{host}/api/v2/tickets?page[after]=c1"),
        format!("http://{host}/api/v2/tickets?page[after]=c1"),
    ] {
        let server = HostileServer::start().await;
        server.route("/api/v2/tickets", tickets_page(&link));
        let c = client_for(&server.url());
        let r: Result<Vec<_>, _> = c.tickets().list().stream().try_collect().await;
        let e = r.expect_err(&format!("{link:?} must be refused"));
        assert!(e.to_string().contains("refusing"), "{link:?}: {e}");
        assert!(e.to_string().contains(&host), "names the link: {e}");
        assert_eq!(server.request_count(), 1);
    }
    assert!(
        other.requests().is_empty(),
        "a request reached the other origin: {:?}",
        other.requests()
    );
}

// Item 1: `GET //host/x` (a path that is a scheme-relative URL) went to that host.
#[tokio::test]
async fn a_scheme_relative_request_path_is_refused_before_sending() {
    let other = HostileServer::start().await;
    let server = HostileServer::start().await;
    let c = client_for(&server.url());
    for path in [
        format!("//{}/api/v2/x", other.authority()),
        format!("/\\{}/api/v2/x", other.authority()),
        format!("/\t/{}/api/v2/x", other.authority()),
    ] {
        let e = c.get(&path).send().await.unwrap_err();
        assert!(matches!(e, zdkit::Error::InvalidRequest(_)), "{e}");
    }
    assert_eq!(other.request_count() + server.request_count(), 0);
}

// Item 8: two alternating cursors looped forever.
#[tokio::test]
async fn two_alternating_cursors_end_with_an_error_not_a_loop() {
    let server = HostileServer::start().await;
    let base = server.url();
    server.handler(move |r| {
        let (cursor, next) = if r.query.as_deref().unwrap_or("").contains("c=a") {
            ("b", "b")
        } else {
            ("a", "a")
        };
        Reply::json(&json!({
            "tickets": [{"id": 1}],
            "meta": {"has_more": true, "after_cursor": cursor},
            "links": {"next": format!("{base}/api/v2/tickets?c={next}")}
        }))
    });
    let c = client_for(&server.url());
    let r: Result<Vec<_>, _> = c.tickets().list().stream().try_collect().await;
    let e = r.unwrap_err();
    assert!(e.to_string().contains("loops"), "{e}");
    assert!(server.request_count() <= 4, "{}", server.request_count());
}

// Item 8: empty pages with has_more and a fresh cursor never ended.
#[tokio::test]
async fn empty_pages_with_has_more_and_fresh_cursors_end() {
    let server = HostileServer::start().await;
    let base = server.url();
    let n = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    server.handler(move |_| {
        let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Reply::json(&json!({
            "tickets": [],
            "meta": {"has_more": true, "after_cursor": format!("c{i}")},
            "links": {"next": format!("{base}/api/v2/tickets?page[after]=c{i}")}
        }))
    });
    let c = client_for(&server.url());
    let r: Result<Vec<_>, _> = c.tickets().list().stream().try_collect().await;
    assert!(r.unwrap_err().to_string().contains("empty pages"));
    assert!(server.request_count() < 100);
}

// Item 8: an export whose cursors cycle (a, b, a, ...) looped forever.
#[tokio::test]
async fn an_export_whose_cursors_cycle_errors() {
    let server = HostileServer::start().await;
    server.handler(|r| {
        let c = if r.query.as_deref().unwrap_or("").contains("cursor=a") {
            "b"
        } else {
            "a"
        };
        Reply::json(&json!({"tickets": [{"id": 1, "generated_timestamp": 5}],
            "after_cursor": c, "end_of_stream": false}))
    });
    let c = client_for(&server.url());
    let r: Result<Vec<_>, _> = c
        .incremental()
        .tickets()
        .start_time(0)
        .stream()
        .try_collect()
        .await;
    assert!(r.unwrap_err().to_string().contains("loops"));
    assert!(server.request_count() <= 4);
}

// Item 9: a base URL with a path lost the prefix.
#[tokio::test]
async fn a_base_url_path_prefix_is_kept() {
    let server = HostileServer::start().await;
    server.route(
        "/zendesk/api/v2/users/me",
        Reply::json(&json!({"user": {"id": 1}})),
    );
    let c = client_for(&format!("{}/zendesk/", server.url()));
    let r = c.get("/api/v2/users/me").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(server.requests()[0].path, "/zendesk/api/v2/users/me");
    let _ = Duration::ZERO;
}

// Item 3: a 3xx was a silent success; now it is an error naming the Location, and the
// redirect is not followed (nothing reaches the target).
#[tokio::test]
async fn a_redirect_is_an_error_with_a_hint_and_is_not_followed() {
    let target = HostileServer::start().await;
    let server = HostileServer::start().await;
    for status in [301, 302, 303, 307, 308] {
        server.push(Reply::redirect(
            status,
            &format!("{}/api/v2/users/me", target.url()),
        ));
        let c = client_for(&server.url());
        let e = c.get("/api/v2/users/me").send().await.unwrap_err();
        let api = e.api().expect("an ApiError");
        assert_eq!(api.status, status);
        assert!(matches!(api.kind, zdkit::ErrorKind::Redirect { .. }));
        assert_eq!(
            api.redirect_location(),
            Some(format!("{}/api/v2/users/me", target.url()).as_str())
        );
        let hint = e.hint().unwrap();
        assert!(hint.contains("the host redirects to"), "{hint}");
        assert!(hint.contains(&target.url()), "{hint}");
    }
    assert_eq!(target.request_count(), 0);
}

// Items 6 and 7: a 50 MB description was printed whole, with its escape sequences.
#[tokio::test]
async fn error_display_is_cut_and_escaped_and_the_full_body_stays_available() {
    let server = HostileServer::start().await;
    let evil = format!(
        "\x1b]0;pwned\x07\x1b[2J\r\nFAKE LOG{}",
        "x".repeat(2_000_000)
    );
    server.push(
        Reply::status(422)
            .header("Content-Type", "application/json")
            .body(
                serde_json::to_vec(&json!({"error": "RecordInvalid", "description": evil}))
                    .unwrap(),
            ),
    );
    let c = client_for(&server.url());
    let e = c.get("/api/v2/tickets/1").send().await.unwrap_err();
    let shown = e.to_string();
    assert!(shown.len() < 2_000, "{} bytes", shown.len());
    assert!(!shown.chars().any(zdkit::text::is_unsafe_char), "{shown:?}");
    assert!(shown.contains("more bytes"), "{shown}");
    let api = e.api().unwrap();
    assert_eq!(api.description.as_deref(), Some(evil.as_str()));
    assert!(api.body_text().len() > 2_000_000);
}

fn client_with(url: &str, clock: &ManualClock, rate: zdkit::RateLimitPolicy) -> Client {
    Client::builder()
        .base_url(url)
        .credentials(Credentials::api_token("agent@example.com", "s3cret-token"))
        .clock(clock.shared())
        .rate_limit_policy(rate)
        .build()
        .unwrap()
}

// Item 2: `Retry-After: 18446744073709551615` on a 429 or 503 panicked (Timestamp + Duration).
#[tokio::test]
async fn a_huge_retry_after_gives_up_naming_the_wait_instead_of_panicking() {
    for status in [429, 503] {
        let server = HostileServer::start().await;
        server.handler(move |_| {
            Reply::status(status)
                .header("Retry-After", "18446744073709551615")
                .header("X-Rate-Limit", "700")
                .header("X-Rate-Limit-Remaining", "0")
        });
        let clock = ManualClock::auto_advancing(T0);
        let c = client_with(&server.url(), &clock, zdkit::RateLimitPolicy::default());
        let e = c.get("/api/v2/users/me").send().await.unwrap_err();
        assert_eq!(e.status(), Some(status), "{e}");
        let wait = e.retry_after().expect("the wait is named");
        assert!(
            wait <= zdkit::ratelimit::headers::MAX_SERVER_WAIT,
            "{wait:?}"
        );
        assert!(
            clock.now().saturating_since(T0) <= Duration::from_secs(3600),
            "waited {:?}",
            clock.now().saturating_since(T0)
        );
    }
}

// Item 4: `ratelimit-reset: 4294967295` with remaining 0 made the next request wait 136 years.
#[tokio::test]
async fn a_far_reset_is_capped_at_the_buckets_window() {
    let server = HostileServer::start().await;
    server.push(
        Reply::json(&json!({"user": {"id": 1}}))
            .header("X-Rate-Limit", "700")
            .header("X-Rate-Limit-Remaining", "0")
            .header("ratelimit-reset", "4294967295"),
    );
    server.handler(|_| Reply::json(&json!({"user": {"id": 1}})));
    let clock = ManualClock::auto_advancing(T0);
    let c = client_with(&server.url(), &clock, zdkit::RateLimitPolicy::default());
    c.get("/api/v2/users/me").send().await.unwrap();
    let before = clock.now();
    c.get("/api/v2/users/me").send().await.unwrap();
    let waited = clock.now().saturating_since(before);
    assert!(waited <= Duration::from_secs(62), "waited {waited:?}");
    assert_eq!(server.request_count(), 2);
}

// Item 4: a wait longer than the caller's limit is a give-up naming the wait, not a hang.
#[tokio::test]
async fn a_wait_beyond_max_wait_is_a_give_up_naming_the_wait() {
    let server = HostileServer::start().await;
    server.push(
        Reply::json(&json!({"user": {"id": 1}}))
            .header("X-Rate-Limit", "700")
            .header("X-Rate-Limit-Remaining", "0")
            .header("ratelimit-reset", "50"),
    );
    let clock = ManualClock::auto_advancing(T0);
    let rate = zdkit::RateLimitPolicy::default().max_wait(Duration::from_secs(5));
    let c = client_with(&server.url(), &clock, rate);
    c.get("/api/v2/users/me").send().await.unwrap();
    let e = c.get("/api/v2/users/me").send().await.unwrap_err();
    assert!(matches!(e, zdkit::Error::RateLimited { .. }), "{e}");
    assert!(e.to_string().contains("retry after 5"), "{e}");
    assert_eq!(server.request_count(), 1);
}

// Item 5: `--no-wait` reported a 500 (or a reset) as "rate limit budget exhausted".
#[tokio::test]
async fn no_wait_mode_reports_the_real_last_error() {
    let server = HostileServer::start().await;
    server.handler(|_| {
        Reply::status(500)
            .header("X-Rate-Limit", "700")
            .header("X-Rate-Limit-Remaining", "0")
            .header("ratelimit-reset", "30")
            .body("boom")
    });
    let clock = ManualClock::auto_advancing(T0);
    let c = client_with(
        &server.url(),
        &clock,
        zdkit::RateLimitPolicy::default().wait(false),
    );
    let e = c.get("/api/v2/users/me").send().await.unwrap_err();
    assert_eq!(e.status(), Some(500), "{e}");
    // A refused connection is a transport error too, never RateLimited.
    let dead = {
        let s = HostileServer::start().await;
        s.url()
    };
    let c = client_with(&dead, &clock, zdkit::RateLimitPolicy::default().wait(false));
    for _ in 0..5 {
        clock.advance(Duration::from_secs(1)); // past the pacing interval of a new request
        let e = c.get("/api/v2/users/me").send().await.unwrap_err();
        assert!(matches!(e, zdkit::Error::Transport(_)), "{e}");
    }
}

// Item 6: a 1 GiB body was buffered whole (1.07 GB RSS). Now reading stops at the cap,
// whether the length is declared or the body is streamed (chunked).
#[tokio::test]
async fn a_body_over_the_cap_is_refused_while_streaming() {
    let server = HostileServer::start().await;
    server.handler(|_| Reply::status(200).streamed(vec![b'x'; 64 << 10], 1 << 30));
    let c = Client::builder()
        .base_url(server.url())
        .clock(ManualClock::auto_advancing(T0).shared())
        .max_body_bytes(1 << 20)
        .build()
        .unwrap();
    let e = c.get("/api/v2/tickets").send().await.unwrap_err();
    let zdkit::Error::Transport(t) = &e else {
        panic!("{e}")
    };
    assert_eq!(t.kind, zdkit::TransportErrorKind::TooLarge, "{e}");
    assert!(e.to_string().contains("cap"), "{e}");
    assert_eq!(server.request_count(), 1, "not retried");
    // Under the cap: fine.
    server.push(Reply::status(200).streamed(vec![b' '; 1000], 1 << 20));
    let r = c.get("/api/v2/tickets").send().await.unwrap();
    assert_eq!(r.bytes().len(), 1 << 20);
}
