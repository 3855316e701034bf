//! The one loop every request goes through:
//! acquire budget → send → observe headers → classify → wait and retry, or return.

use std::time::Duration;

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue};
use tracing::{field, Instrument};
use zdkit_clock::Timestamp;

use crate::error::{ApiError, Error, TransportError, TransportErrorKind};
use crate::ratelimit::headers::retry_after;
use crate::ratelimit::{Observation, Permit, RateLimitHeaders, RequestClass};
use crate::request::{RequestSpec, Response};
use crate::retry::classifier::{classify, Outcome};
use crate::retry::{strategy, RetryDecision};
use crate::stats::inc;
use crate::Client;

const REQUEST_ID: &str = "x-zendesk-request-id";
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// What one attempt produced, before classification.
enum Attempt {
    Answered {
        status: u16,
        headers: HeaderMap,
        body: bytes::Bytes,
        rate_limit: RateLimitHeaders,
        retry_after: Option<Duration>,
    },
    /// No complete answer; the headers and status when they did arrive.
    Failed(TransportError, RateLimitHeaders, Option<u16>),
}

fn transport_error(e: reqwest::Error, method: &str, path: &str) -> TransportError {
    let (kind, may_have_been_processed) = if e.is_connect() {
        (TransportErrorKind::Connect, false)
    } else if e.is_timeout() {
        (TransportErrorKind::Timeout, true)
    } else if e.is_body() || e.is_decode() {
        (TransportErrorKind::Body, true)
    } else if e.is_request() {
        (TransportErrorKind::Reset, true)
    } else {
        (TransportErrorKind::Other, true)
    };
    let e = e.without_url();
    // reqwest's Display omits the cause chain; add it (it holds no URL or header).
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    TransportError {
        kind,
        message,
        may_have_been_processed,
        method: method.to_owned(),
        path: path.to_owned(),
    }
}

/// The endpoint a path belongs to, for traces: `.json` dropped and ids replaced, so
/// `/api/v2/tickets/42/comments.json` is `/api/v2/tickets/{id}/comments` and every request
/// to one endpoint shares one span name (ids stay visible in the URL at TRACE).
fn path_template(path: &str) -> String {
    let path = path.strip_suffix(".json").unwrap_or(path);
    let is_id = |seg: &str| {
        let digits = !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit());
        // job status ids: 32 hex characters
        let job = seg.len() == 32 && seg.bytes().all(|b| b.is_ascii_hexdigit());
        digits || job
    };
    path.split('/')
        .map(|seg| if is_id(seg) { "{id}" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

enum BodyError {
    Http(reqwest::Error),
    TooLarge,
}

/// The body, read chunk by chunk and refused as soon as it passes `cap` (a declared
/// `Content-Length` above the cap is refused before reading anything).
async fn read_capped(mut resp: reqwest::Response, cap: u64) -> Result<bytes::Bytes, BodyError> {
    if resp.content_length().is_some_and(|n| n > cap) {
        return Err(BodyError::TooLarge);
    }
    // Reserve what the server declares, but never more than 8 MiB up front (a lying
    // Content-Length must not cost memory it never sends).
    let declared = resp.content_length().unwrap_or(0).min(8 << 20);
    let mut buf = bytes::BytesMut::with_capacity(declared as usize);
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Http)? {
        if (buf.len() + chunk.len()) as u64 > cap {
            return Err(BodyError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// Waits at least this long are announced at INFO on [`WAIT_TARGET`].
pub const LONG_WAIT: Duration = Duration::from_secs(10);

/// The `tracing` target of the long-wait announcements ("waiting 40 s for the `account`
/// bucket; Ctrl-C to stop"): enable `zdkit::wait=info` to show them without the rest of
/// the client's INFO events (`zd` does, on stderr, without `-v`).
pub const WAIT_TARGET: &str = "zdkit::wait";

impl Client {
    /// The pipeline entry point for everything in this crate: raw builders and typed
    /// resources alike. Returns the 2xx [`Response`], or the [`Error`] of the last attempt.
    pub(crate) async fn execute(&self, spec: RequestSpec) -> Result<Response, Error> {
        let url = self.resolve(&spec.path, &spec.query)?;
        let path = url.path().to_owned();
        let span = tracing::debug_span!(
            "zendesk.request",
            method = %spec.method,
            path = %path_template(&path),
            attempt = field::Empty,
            status = field::Empty,
            request_id = field::Empty,
            budget_wait_ms = field::Empty,
            lane = %spec.lane.unwrap_or(self.inner.rate.lane),
        );
        self.run(spec, url, path).instrument(span).await
    }

    async fn run(&self, spec: RequestSpec, url: url::Url, path: String) -> Result<Response, Error> {
        let inner = &*self.inner;
        let clock = &inner.clock;
        let method = spec.method.as_str().to_owned();
        let class = if inner.rate.enabled {
            let mut c = spec
                .class
                .clone()
                .unwrap_or_else(|| RequestClass::classify(&spec.method, &path, inner.rate.plan));
            for extra in &spec.extra_buckets {
                c = c.with(extra.clone());
            }
            c.lane = spec.lane.unwrap_or(inner.rate.lane);
            c
        } else {
            RequestClass::default()
        };
        let headers = self.base_headers(&spec)?;
        let started = clock.now();
        let mut spent_on_retries = 0u32;
        let mut attempt = 0u32;
        let mut budget_wait = Duration::ZERO;
        // The error of the previous attempt: when a retry cannot even get budget (in
        // "don't wait" mode), that error, not "budget exhausted", is the real cause.
        let mut last: Option<Error> = None;
        loop {
            attempt += 1;
            let span = tracing::Span::current();
            span.record("attempt", attempt);
            let permit = match self.acquire(&class, &mut budget_wait).await {
                Ok(p) => p,
                Err(e) => return Err(last.take().unwrap_or(e)),
            };
            let mut flight = InFlight {
                inner: self.inner.clone(),
                permit: Some(permit),
            };
            span.record("budget_wait_ms", budget_wait.as_millis() as u64);

            let mut req = inner
                .http
                .request(spec.method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(body) = &spec.body {
                req = req.body(body.clone());
            }
            tracing::debug!(attempt, "sending");
            inner
                .stats
                .requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let result = match req.send().await {
                Err(e) => Attempt::Failed(
                    transport_error(e, &method, &path),
                    RateLimitHeaders::default(),
                    None,
                ),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    match read_capped(resp, inner.max_body).await {
                        Err(BodyError::TooLarge) => {
                            flight
                                .finish(RateLimitHeaders::parse(&headers), Some(status), None)
                                .await;
                            inc(&inner.stats.transport_errors);
                            return Err(Error::Transport(TransportError {
                                kind: TransportErrorKind::TooLarge,
                                message: format!(
                                    "the response body (HTTP {status}) exceeds the {} byte cap \
                                     (ClientBuilder::max_body_bytes)",
                                    inner.max_body
                                ),
                                may_have_been_processed: true,
                                method: method.clone(),
                                path: path.clone(),
                            }));
                        }
                        Err(BodyError::Http(e)) => {
                            // The headers arrived (the limiter can still learn from them);
                            // the body did not: the request was processed.
                            let mut t = transport_error(e, &method, &path);
                            t.kind = TransportErrorKind::Body;
                            t.may_have_been_processed = true;
                            Attempt::Failed(t, RateLimitHeaders::parse(&headers), Some(status))
                        }
                        Ok(body) => Attempt::Answered {
                            status,
                            rate_limit: RateLimitHeaders::parse(&headers),
                            retry_after: retry_after(&headers, clock.now()),
                            headers,
                            body,
                        },
                    }
                }
            };

            match result {
                Attempt::Failed(t, rate_limit, status) => {
                    flight.finish(rate_limit, status, None).await;
                    inc(&inner.stats.transport_errors);
                    let outcome = Outcome::Transport {
                        kind: t.kind,
                        may_have_been_processed: t.may_have_been_processed,
                    };
                    match self.next_step(outcome, &spec, attempt, started, &mut spent_on_retries) {
                        Some(d) => {
                            tracing::info!(error = %t, delay_ms = d.as_millis() as u64, "retrying after a transport error");
                            let why = format!("{} error", t.kind);
                            last = Some(Error::Transport(t));
                            self.wait_retry(d, &why).await;
                        }
                        None => {
                            tracing::debug!(error = %t, "giving up");
                            return Err(Error::Transport(t));
                        }
                    }
                }
                Attempt::Answered {
                    status,
                    headers,
                    body,
                    rate_limit,
                    retry_after,
                } => {
                    let request_id = headers
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    span.record("status", status);
                    if let Some(id) = &request_id {
                        span.record("request_id", id.as_str());
                    }
                    flight
                        .finish(rate_limit.clone(), Some(status), retry_after)
                        .await;
                    if status == 429 {
                        let bucket = rate_limit
                            .exhausted_bucket()
                            .unwrap_or(crate::ratelimit::ACCOUNT);
                        inner.stats.add_rate_limited(bucket);
                    }
                    if (200..300).contains(&status) {
                        let mut b = inner.retry_budget.lock().unwrap_or_else(|p| p.into_inner());
                        b.on_success(spent_on_retries);
                        tracing::debug!(status, attempt, "done");
                        return Ok(Response {
                            status,
                            headers,
                            request_id,
                            rate_limit,
                            body,
                            attempts: attempt,
                        });
                    }
                    let outcome = Outcome::Response {
                        status,
                        retry_after,
                    };
                    let retry = if status == 429 && !inner.rate.wait {
                        None // "don't wait" mode: hand the 429 (with retry_after) to the caller
                    } else {
                        self.next_step(outcome, &spec, attempt, started, &mut spent_on_retries)
                    };
                    match retry {
                        Some(d) => {
                            tracing::info!(status, delay_ms = d.as_millis() as u64, "retrying");
                            last = Some(Error::Api(Box::new(
                                ApiError::from_response(
                                    status,
                                    body,
                                    None,
                                    request_id,
                                    rate_limit,
                                    retry_after,
                                    &method,
                                    &path,
                                )
                                .with_location(&headers),
                            )));
                            self.wait_retry(d, &format!("HTTP {status}")).await;
                        }
                        None => {
                            let content_type = headers
                                .get(CONTENT_TYPE)
                                .and_then(|v| v.to_str().ok())
                                .map(str::to_owned);
                            let err = ApiError::from_response(
                                status,
                                body,
                                content_type,
                                request_id,
                                rate_limit,
                                retry_after,
                                &method,
                                &path,
                            )
                            .with_location(&headers);
                            tracing::debug!(status, error = %err, "request failed");
                            return Err(Error::Api(Box::new(err)));
                        }
                    }
                }
            }
        }
    }

    /// The headers every attempt carries.
    fn base_headers(&self, spec: &RequestSpec) -> Result<HeaderMap, Error> {
        let mut h = spec.headers.clone();
        h.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if spec.body.is_some() && !h.contains_key(CONTENT_TYPE) {
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        if let Some(key) = &spec.idempotency_key {
            let v = HeaderValue::from_str(key).map_err(|_| {
                Error::InvalidRequest("the idempotency key is not a valid header value".into())
            })?;
            h.insert(IDEMPOTENCY_KEY, v);
        }
        if let Some(auth) = &self.inner.auth {
            h.insert(AUTHORIZATION, auth.clone());
        }
        Ok(h)
    }

    /// Wait for rate-limit budget (or refuse, in "don't wait" mode).
    async fn acquire(&self, class: &RequestClass, waited: &mut Duration) -> Result<Permit, Error> {
        let inner = &*self.inner;
        if class.buckets.is_empty() {
            return Ok(Permit::unlimited(inner.clock.now()));
        }
        let asked = inner.clock.now();
        let mut waits = 0u64;
        loop {
            // Registered before asking, so a response arriving meanwhile is not missed.
            let changed = inner.store.changed();
            let now = inner.clock.now();
            match inner.store.acquire(now, class).await {
                Ok(p) => {
                    inner
                        .stats
                        .add_lane(class.lane, waits, now.saturating_since(asked));
                    return Ok(p);
                }
                // Even in "don't wait" mode: this is learning the limit from the first
                // response in flight, not a budget wait.
                Err(w) if w.after_response => {
                    waits += 1;
                    tracing::trace!(bucket = %w.bucket, "waiting for the first response to learn the limit");
                    changed.await;
                }
                Err(w) => {
                    let d = w.at.saturating_since(now).max(Duration::from_millis(1));
                    if !inner.rate.wait {
                        return Err(Error::RateLimited {
                            bucket: w.bucket,
                            retry_after: d,
                        });
                    }
                    if d > inner.rate.max_wait {
                        tracing::warn!(bucket = %w.bucket, wait_secs = d.as_secs(), "giving up: the wait exceeds max_wait");
                        return Err(Error::RateLimited {
                            bucket: w.bucket,
                            retry_after: d,
                        });
                    }
                    if d >= LONG_WAIT {
                        tracing::info!(
                            target: WAIT_TARGET,
                            "waiting {} s for the `{}` bucket; Ctrl-C to stop",
                            d.as_secs_f64().ceil(),
                            crate::text::escape_control(&w.bucket)
                        );
                    }
                    inner.stats.add_budget_wait(&w.bucket, d);
                    if let Some(observer) = &self.observer {
                        observer.waiting(&self.budget_wait(class, &w, now, d));
                    }
                    waits += 1;
                    *waited += d;
                    tracing::trace!(bucket = %w.bucket, wait_ms = d.as_millis() as u64, "waiting for budget");
                    inner.clock.sleep_until(now + d).await;
                }
            }
        }
    }

    /// What [`WaitObserver`](crate::ratelimit::WaitObserver)s are told of a wait: the
    /// bucket's limit as the store knows it (else the class's assumption) and its window.
    fn budget_wait(
        &self,
        class: &RequestClass,
        w: &crate::ratelimit::WaitUntil,
        now: Timestamp,
        d: Duration,
    ) -> crate::ratelimit::BudgetWait {
        let spec = class.buckets.iter().find(|b| b.key.to_string() == w.bucket);
        let learned = self
            .inner
            .store
            .snapshot()
            .into_iter()
            .find(|b| b.bucket == w.bucket)
            .and_then(|b| b.limit);
        crate::ratelimit::BudgetWait {
            bucket: w.bucket.clone(),
            wait: d,
            until: now + d,
            limit: learned.or(spec.and_then(|s| s.limit)),
            window: spec.map_or(Duration::from_secs(60), |s| s.window),
            lane: class.lane,
        }
    }

    /// Whether to retry, and after how long. Counts the retry and spends its budget.
    fn next_step(
        &self,
        outcome: Outcome,
        spec: &RequestSpec,
        attempt: u32,
        started: Timestamp,
        spent: &mut u32,
    ) -> Option<Duration> {
        let inner = &*self.inner;
        let policy = spec.retry.as_ref().unwrap_or(&inner.retry);
        let decision = classify(
            outcome,
            &spec.method,
            spec.idempotency_key.is_some(),
            policy.retry_conflicts,
        );
        let reason = match decision {
            RetryDecision::Retry(r) => r,
            RetryDecision::Unsafe => {
                tracing::debug!(
                    "not retrying: the request may have been processed and is not idempotent"
                );
                return None;
            }
            RetryDecision::Done => return None,
        };
        if attempt >= policy.attempts_for(reason) {
            tracing::debug!(attempt, "not retrying: attempt limit reached");
            return None;
        }
        let delay = {
            let mut rng = inner.rng.lock().unwrap_or_else(|p| p.into_inner());
            strategy::delay(policy, reason, attempt, &mut rng)
        };
        let now = inner.clock.now();
        if (now + delay).saturating_since(started) > policy.max_elapsed {
            tracing::debug!(
                delay_ms = delay.as_millis() as u64,
                "not retrying: total time limit reached"
            );
            return None;
        }
        let mut budget = inner.retry_budget.lock().unwrap_or_else(|p| p.into_inner());
        match budget.try_spend(reason) {
            Some(cost) => *spent += cost,
            None => {
                inc(&inner.stats.refused_by_budget);
                tracing::warn!(
                    ?reason,
                    "not retrying: the retry budget is spent (is Zendesk down?)"
                );
                return None;
            }
        }
        inc(&inner.stats.retries);
        Some(delay)
    }

    async fn wait_retry(&self, d: Duration, why: &str) {
        if d >= LONG_WAIT {
            tracing::info!(
                target: WAIT_TARGET,
                "waiting {} s before retrying ({why}); Ctrl-C to stop",
                d.as_secs_f64().ceil()
            );
        }
        self.inner.stats.add_retry_wait(d);
        self.inner.clock.sleep(d).await;
    }
}

/// A granted permit whose outcome the limiter has not heard yet. Dropped unfinished (the
/// caller cancelled the request), it still hands the permit back, so budgets never leak.
struct InFlight {
    inner: std::sync::Arc<crate::client::Inner>,
    permit: Option<Permit>,
}

impl InFlight {
    async fn finish(
        &mut self,
        headers: RateLimitHeaders,
        status: Option<u16>,
        retry_after: Option<Duration>,
    ) {
        let Some(permit) = self.permit.take() else {
            return;
        };
        if permit.buckets.is_empty() {
            return;
        }
        let o = Observation {
            headers,
            status,
            retry_after,
        };
        self.inner
            .store
            .observe(self.inner.clock.now(), &permit, &o)
            .await;
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let Some(permit) = self.permit.take() else {
            return;
        };
        if permit.buckets.is_empty() {
            return;
        }
        let inner = self.inner.clone();
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let now = inner.clock.now();
                inner
                    .store
                    .observe(now, &permit, &Observation::default())
                    .await;
            });
        }
    }
}

#[cfg(test)]
mod template_tests {
    use super::path_template;

    #[test]
    fn ids_and_json_suffix_are_templated_away() {
        assert_eq!(
            path_template("/api/v2/tickets/42.json"),
            "/api/v2/tickets/{id}"
        );
        assert_eq!(
            path_template("/api/v2/tickets/42/comments"),
            "/api/v2/tickets/{id}/comments"
        );
        assert_eq!(
            path_template("/api/v2/job_statuses/8b726e606741012ffc2d782bcb7848fe"),
            "/api/v2/job_statuses/{id}"
        );
        assert_eq!(
            path_template("/api/v2/incremental/tickets/cursor.json"),
            "/api/v2/incremental/tickets/cursor"
        );
        assert_eq!(path_template("/api/v2/users/me"), "/api/v2/users/me");
    }
}
