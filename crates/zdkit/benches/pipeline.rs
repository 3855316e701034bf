//! Pipeline overhead per request, excluding the network: classify the request, acquire
//! from the limiter, build the HTTP request (auth header included), parse a typical
//! response's rate-limit headers and `Retry-After`, observe, classify the outcome.
//!
//! Run: `cargo bench -p zdkit --bench pipeline`. Target: ≤ 20 µs per request.
#![allow(clippy::print_stdout, clippy::disallowed_methods)] // a bench reports on stdout and times itself

use std::hint::black_box;
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue, Method};
use zdkit::ratelimit::headers::retry_after;
use zdkit::ratelimit::{Limiter, Plan, RateLimitHeaders, RequestClass};
use zdkit::retry::classifier::{classify, Outcome};
use zdkit::Timestamp;

fn response_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in [
        ("content-type", "application/json; charset=utf-8"),
        ("x-zendesk-request-id", "617d2e58f7c8ce71fb42"),
        ("x-rate-limit", "700"),
        ("x-rate-limit-remaining", "699"),
        ("ratelimit-limit", "700"),
        ("ratelimit-remaining", "699"),
        ("ratelimit-reset", "41"),
        (
            "zendesk-ratelimit-tickets-index",
            "total=100; remaining=99; resets=41",
        ),
        ("cache-control", "no-cache"),
        ("x-zendesk-api-version", "v2"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    h
}

fn main() {
    let http = reqwest::Client::builder().build().unwrap();
    let mut auth =
        HeaderValue::from_static("Basic YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46czNjcjN0VDBrM24=");
    auth.set_sensitive(true);
    let base = url::Url::parse("https://acme.zendesk.com").unwrap();
    let resp = response_headers();
    let paths = [
        "/api/v2/tickets.json",
        "/api/v2/users/12345",
        "/api/v2/tickets/42",
        "/api/v2/search?query=x",
    ];
    let methods = [Method::GET, Method::GET, Method::PUT, Method::GET];

    let mut limiter = Limiter::new(0.02);
    // A generous limit so the limiter never says "wait" (we measure bookkeeping, not waits).
    let plan = Plan::Custom(u32::MAX / 2);
    let n: u32 = 200_000;
    let mut now = Timestamp::from_unix_secs(1_700_000_000);
    let start = Instant::now();
    for i in 0..n {
        let k = (i % 4) as usize;
        now = now + Duration::from_nanos(100);
        let class = RequestClass::classify(&methods[k], paths[k], plan);
        // A request can wait on more than one bucket (the search endpoint's own limit,
        // then the account's pacing): jump to each named time until it is let through.
        let mut tries = 0;
        let permit = loop {
            match limiter.acquire(now, &class) {
                Ok(p) => break p,
                Err(w) => {
                    tries += 1;
                    assert!(tries <= 16, "acquire keeps waiting at {:?}", w.at);
                    now = now.max(w.at);
                }
            }
        };
        let url = base.join(paths[k]).unwrap();
        let req = http
            .request(methods[k].clone(), url)
            .header(http::header::AUTHORIZATION, auth.clone())
            .header(http::header::ACCEPT, "application/json")
            .build()
            .unwrap();
        black_box(&req);
        let rl = RateLimitHeaders::parse(&resp);
        let ra = retry_after(&resp, now);
        limiter.observe(now, &permit, &rl, Some(200), ra);
        black_box(classify(
            Outcome::Response {
                status: 200,
                retry_after: ra,
            },
            &methods[k],
            false,
            true,
        ));
    }
    let per = start.elapsed() / n;
    println!(
        "pipeline overhead (no network): {:.2} µs/request over {n} requests",
        per.as_secs_f64() * 1e6
    );
}
