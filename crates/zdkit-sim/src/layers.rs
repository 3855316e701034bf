//! Middleware: request ids, statistics, faults and rate limits, as two layers around the
//! authentication layer (`auth::layer`).
//!
//! * [`outer`] wraps the whole app, outside authentication: assigns `X-Zendesk-Request-Id`
//!   and `X-Request-Id`, counts the request, injects faults (latency, storms, 5xx, resets,
//!   edge 429, plain-text 400 before the handler; truncation after it) and adds
//!   `X-Zendesk-API-Version: v2`, the request ids and, when the limiter did not run
//!   (authentication failure, unknown route, fault), the account headers without charging.
//! * [`limits`] wraps the API routes inside authentication (it reads the
//!   `Caller` of `crate::auth`): charges the rate limiter, answers 429 or adds the
//!   rate-limit headers to the handler's response.
//!
//! `/__sim/*` bypasses both: no faults, no limits, not counted.
//!
//! Wiring (in `app()`):
//! `api.layer(from_fn_with_state(s, layers::limits)).layer(from_fn_with_state(s, auth::layer))`
//! then `router.layer(from_fn_with_state(s, layers::outer))`.

use std::sync::{Mutex, MutexGuard};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;

use crate::auth::Caller;
use crate::faults::{splitmix64, FaultAction};
use crate::limits::{normalize_path, RequestKey};
use crate::state::SimState;

/// The prefix of the admin API, which bypasses faults, limits and statistics.
pub(crate) const ADMIN_PREFIX: &str = "/__sim";

/// The largest body [`outer`] buffers to truncate it.
const MAX_TRUNCATE_BODY: usize = 64 * 1024 * 1024;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A 20-hex-char request id, deterministic from the simulator seed and the request number.
pub(crate) fn request_id(seed: u64, seq: u64) -> String {
    let a = splitmix64(seed ^ splitmix64(seq));
    let b = splitmix64(a);
    format!("{a:016x}{:04x}", b >> 48)
}

/// The outer layer (see the module docs).
pub(crate) async fn outer(State(state): State<SimState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path == ADMIN_PREFIX || path.starts_with("/__sim/") {
        return next.run(req).await;
    }
    let stats = state.stats();
    let seq = stats.begin_request();
    let norm = normalize_path(&path);
    let client = client_identity(req.headers());
    let decision = lock(state.faults()).decide_for(state.clock().now(), &client, &norm);
    let conditional = (req.method() == Method::GET)
        .then(|| req.headers().get(header::IF_NONE_MATCH).cloned())
        .flatten();
    let is_get = req.method() == Method::GET;
    if let Some(latency) = decision.latency {
        state.clock().sleep(latency).await;
    }
    let action = decision.action;
    if let Some(a) = action {
        stats.record_fault(&a.kind());
    }
    let mut response = match action {
        None | Some(FaultAction::Truncate) => next.run(req).await,
        Some(FaultAction::Edge429 { retry_after_secs }) => {
            // A CDN answered: none of Zendesk's headers.
            stats.record_status(429);
            return edge_429(retry_after_secs);
        }
        Some(FaultAction::Reset) => return reset_response(),
        Some(a) => fault_response(a),
    };
    let id = request_id(state.config().seed, seq);
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert("x-zendesk-request-id", v.clone());
        h.insert("x-request-id", v);
    }
    h.insert("x-zendesk-api-version", HeaderValue::from_static("v2"));
    h.insert(
        "x-zendesk-application-version",
        HeaderValue::from_static(APPLICATION_VERSION),
    );
    h.insert("x-frame-options", HeaderValue::from_static("SAMEORIGIN"));
    if !h.contains_key("x-rate-limit") && norm.starts_with("/api/v2/") {
        let account = lock(state.limiter()).account_headers(state.clock().now());
        h.extend(account);
    }
    if action.is_none() || action == Some(FaultAction::Truncate) {
        response = cache_headers(response, is_get, conditional).await;
    }
    stats.record_status(response.status().as_u16());
    if action == Some(FaultAction::Truncate) {
        response = truncate(response).await;
    }
    response
}

/// The `X-Zendesk-Application-Version` every response carries (a value seen on real
/// responses: Zendesk's release train, `v<yymm>.<n>`).
pub(crate) const APPLICATION_VERSION: &str = "v2308.25";

/// The header that names a client for the fault schedule (see [`client_identity`]).
pub(crate) const CLIENT_HEADER: &str = "x-sim-client";

/// Who is asking, for the per-client fault schedule: the `X-Sim-Client` header when
/// sent, else the `Authorization` header (the credential: a token or OAuth bearer
/// names one client), else "" (anonymous requests share one numbering).
pub(crate) fn client_identity(h: &axum::http::HeaderMap) -> String {
    h.get(CLIENT_HEADER)
        .or_else(|| h.get(header::AUTHORIZATION))
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
}

/// The largest body given an `ETag` (bigger ones are sent without).
const MAX_ETAG_BODY: u64 = 32 * 1024 * 1024;

/// `Cache-Control` as Rails (Zendesk) sends it: a 200 to a GET is
/// `max-age=0, private, must-revalidate` with a weak `ETag` of the body (an
/// `If-None-Match` that matches gets `304 Not Modified` with no body); anything else is
/// `no-cache`.
async fn cache_headers(
    response: Response,
    is_get: bool,
    if_none_match: Option<HeaderValue>,
) -> Response {
    let exact = axum::body::HttpBody::size_hint(response.body()).exact();
    if !is_get || response.status() != StatusCode::OK || exact.is_none_or(|n| n > MAX_ETAG_BODY) {
        let mut response = response;
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-cache"));
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ETAG_BODY as usize).await else {
        return reset_response();
    };
    let tag = format!("W/\"{:016x}\"", body_hash(&bytes));
    parts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=0, private, must-revalidate"),
    );
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    let matched = if_none_match
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/") == tag.trim_start_matches("W/")
            })
        });
    if matched {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A fast 64-bit hash of a body, eight bytes at a time (for `ETag`s, not security).
fn body_hash(b: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^= h >> 29;
    }
    for &x in chunks.remainder() {
        h = (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
    }
    splitmix64(h)
}

/// The rate-limit layer (see the module docs).
pub(crate) async fn limits(State(state): State<SimState>, req: Request, next: Next) -> Response {
    let user = req.extensions().get::<Caller>().map(|c| c.user_id);
    let key = RequestKey::new(req.method().clone(), req.uri().path(), user);
    let admission = lock(state.limiter()).admit(state.clock().now(), &key);
    state.stats().record_charged(&admission.charged);
    if let Some(rejection) = &admission.rejected {
        state.stats().record_rate_limited(&rejection.bucket);
        let (content_type, body) = rejection.body();
        let mut response = (StatusCode::TOO_MANY_REQUESTS, body).into_response();
        response.headers_mut().extend(admission.headers);
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        return response;
    }
    let mut response = next.run(req).await;
    response.headers_mut().extend(admission.headers);
    response
}

fn with_type(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// The response of a fault injected instead of the handler.
fn fault_response(action: FaultAction) -> Response {
    const HTML: &str = "text/html; charset=utf-8";
    const TEXT: &str = "text/plain; charset=utf-8";
    let (mut r, retry) = match action {
        FaultAction::Status { status: 500, .. } => {
            let body = r#"{"error":"InternalServerError","description":"Internal server error"}"#;
            let r = with_type(
                StatusCode::INTERNAL_SERVER_ERROR,
                "application/json; charset=utf-8",
                body.into(),
            );
            (r, None)
        }
        FaultAction::Status {
            status,
            retry_after_secs,
        } => {
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let reason = code.canonical_reason().unwrap_or("Error");
            let r = if code == StatusCode::SERVICE_UNAVAILABLE {
                with_type(code, TEXT, format!("{reason}\n"))
            } else {
                let page = format!(
                    "<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1></body></html>\n"
                );
                with_type(code, HTML, page)
            };
            (r, retry_after_secs)
        }
        FaultAction::Storm429 { retry_after_secs } => {
            let body = "Number of allowed API requests per minute exceeded".to_string();
            (
                with_type(StatusCode::TOO_MANY_REQUESTS, TEXT, body),
                Some(retry_after_secs),
            )
        }
        FaultAction::PlainBadRequest => (
            with_type(StatusCode::BAD_REQUEST, TEXT, "Bad Request\n".into()),
            None,
        ),
        FaultAction::Edge429 { retry_after_secs } => (edge_429(retry_after_secs), None),
        FaultAction::Reset | FaultAction::Truncate => (reset_response(), None),
    };
    if let Some(secs) = retry {
        r.headers_mut().insert(header::RETRY_AFTER, secs.into());
    }
    r
}

/// A CDN-style 429: an HTML page, no Zendesk headers.
fn edge_429(retry_after_secs: Option<u64>) -> Response {
    let page = "<html>\n<head><title>429 Too Many Requests</title></head>\n<body>\n\
                <center><h1>429 Too Many Requests</h1></center>\n<hr><center>edge</center>\n\
                </body>\n</html>\n";
    let mut r = with_type(StatusCode::TOO_MANY_REQUESTS, "text/html", page.into());
    if let Some(secs) = retry_after_secs {
        r.headers_mut().insert(header::RETRY_AFTER, secs.into());
    }
    r
}

fn broken_pipe() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionReset, "simulated fault")
}

/// A response whose body fails at once: the server drops the connection.
fn reset_response() -> Response {
    let stream = futures_util::stream::once(async { Err::<Bytes, _>(broken_pipe()) });
    Response::new(Body::from_stream(stream))
}

/// Declares the full `Content-Length`, sends half the body, then fails. The failure waits
/// one scheduler turn so that the server flushes the head and the partial body first.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_TRUNCATE_BODY).await else {
        return reset_response();
    };
    let declared = bytes.len().max(1);
    let head = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, declared.into());
    let fail = futures_util::stream::once(async {
        tokio::task::yield_now().await;
        Err::<Bytes, _>(broken_pipe())
    });
    let stream = futures_util::stream::iter([Ok(head)]).chain(fail);
    Response::from_parts(parts, Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_20_hex_and_deterministic() {
        let a = request_id(1, 0);
        assert_eq!(a.len(), 20);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a, request_id(1, 0));
        assert_ne!(a, request_id(1, 1));
        assert_ne!(a, request_id(2, 0));
    }
}
