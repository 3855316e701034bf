//! Errors, split by whether the request was sent (smithy-rs's `SdkError` shape):
//!
//! | variant | sent? |
//! | --- | --- |
//! | [`Error::InvalidRequest`], [`Error::Config`] | no: nothing left the process |
//! | [`Error::RateLimited`] | no: our own limiter would have waited and the client is in "don't wait" mode |
//! | [`Error::Transport`] | maybe: see [`TransportError::may_have_been_processed`] |
//! | [`Error::Decode`] | yes: Zendesk answered 2xx, the body did not decode |
//! | [`Error::Api`] | yes: Zendesk said no |
//!
//! No third-party error type appears in the public enum, and no secret in any message.

mod hint;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use crate::ratelimit::RateLimitHeaders;

/// Every failure of a zdkit operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built (bad path, a URL on another host, unserialisable body).
    /// Nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client configuration is unusable (bad subdomain, bad credentials, missing env).
    /// Nothing was sent.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The client's own rate limiter would have had to wait and the client is configured
    /// not to wait ([`crate::RateLimitPolicy::wait`] `= false`). Nothing was sent.
    #[error("rate limit budget `{bucket}` exhausted; retry after {:.1}s", retry_after.as_secs_f64())]
    RateLimited {
        /// The bucket that has no budget (`account`, `tickets-index`, …).
        bucket: String,
        /// How long until the bucket allows the request.
        retry_after: Duration,
    },
    /// The request failed on the wire (connect, timeout, reset, truncated body).
    #[error(transparent)]
    Transport(TransportError),
    /// Zendesk answered with a non-success status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// Zendesk answered with success but the body did not decode into the expected type.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// A multi-request operation stopped short although each request succeeded: a list or
    /// export stopped advancing (the same cursor twice, which would loop forever), a list
    /// hit a hard cap (plain search ends at 1,000 results), or a background job did not
    /// finish in time.
    #[error("incomplete: {0}")]
    Incomplete(String),
}

impl Error {
    /// The fix, in one line, when zdkit knows one.
    pub fn hint(&self) -> Option<String> {
        hint::hint(self)
    }

    /// The [`ApiError`] when Zendesk answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// How long to wait before trying again, when the error says so (a 429's
    /// `Retry-After`, a 503 with `Retry-After`, or the local limiter's wait).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => Some(*retry_after),
            Error::Api(e) => e.retry_after,
            _ => None,
        }
    }

    /// The HTTP status, when Zendesk answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => e.status,
            _ => None,
        }
    }
}

/// What kind of wire failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be established (DNS, refused, TLS). Nothing was sent.
    Connect,
    /// The request or the response timed out.
    Timeout,
    /// The connection broke while sending the request or reading the response.
    Reset,
    /// The response body was cut short or could not be read.
    Body,
    /// Something else went wrong in the HTTP stack.
    Other,
    /// The response body exceeded the client's cap ([`crate::ClientBuilder::max_body_bytes`]);
    /// reading stopped at the cap, and the request is not retried.
    TooLarge,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "connect",
            TransportErrorKind::Timeout => "timeout",
            TransportErrorKind::Reset => "connection reset",
            TransportErrorKind::Body => "body",
            TransportErrorKind::Other => "transport",
            TransportErrorKind::TooLarge => "body too large",
        })
    }
}

/// A failure on the wire. The underlying HTTP stack's error is kept as text only.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind} error on {method} {path}: {message}{}", if *may_have_been_processed { " (the request may have been processed)" } else { "" })]
pub struct TransportError {
    /// What kind of failure.
    pub kind: TransportErrorKind,
    /// The HTTP stack's description (no URL credentials, no headers).
    pub message: String,
    /// `false` only when the request certainly never reached Zendesk (connect failure):
    /// then any method is safe to resend.
    pub may_have_been_processed: bool,
    /// The request method.
    pub method: String,
    /// The request path (no query string).
    pub path: String,
}

pub(crate) use crate::models::excerpt;
pub use crate::models::DecodeError;

/// Decode `bytes` as `T`, naming the JSON path on failure.
///
/// One decoder for the whole crate: [`crate::models::decode`] (a plain `serde_json` pass;
/// only a failing body is decoded again to find the path). This adds the response's
/// status and request id.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    status: u16,
    request_id: Option<&str>,
) -> Result<T, Error> {
    crate::models::decode(bytes).map_err(|e| decode_failed(e, status, request_id))
}

/// A [`DecodeError`] of a response body, with the response's status and request id.
pub(crate) fn decode_failed(
    mut e: crate::models::DecodeError,
    status: u16,
    request_id: Option<&str>,
) -> Error {
    e.status = Some(status);
    e.request_id = request_id.map(str::to_owned);
    Error::Decode(Box::new(e))
}

/// What Zendesk's answer means, coarse-grained by status.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400 (including `InvalidPaginationDepth`, `IdempotentRequestError`).
    BadRequest,
    /// 401: the credentials were not accepted.
    Unauthorized,
    /// 403: authenticated but not allowed.
    Forbidden,
    /// 404: no such record, or no such endpoint on this plan.
    NotFound,
    /// 409: a concurrent write or a `safe_update` stamp mismatch.
    Conflict,
    /// 422: validation failed; `details` maps each field (or `base`) to its problems.
    Invalid {
        /// Field name → problems, from the body's `details`.
        details: BTreeMap<String, Vec<FieldError>>,
    },
    /// 429: a rate limit was hit.
    RateLimited {
        /// `Retry-After`, when present.
        retry_after: Option<Duration>,
        /// The endpoint bucket whose `remaining` was 0, else `None` (the account bucket).
        bucket: Option<String>,
    },
    /// 3xx: a redirect. zdkit never follows one (credentials must not move to another
    /// host, a write must not be replayed): the base URL is wrong (wrong subdomain, `http`
    /// instead of `https`) or something (SSO, a maintenance page) stands in front.
    Redirect {
        /// The `Location` header, as sent (escape before printing).
        location: Option<String>,
    },
    /// 5xx.
    ServerError,
    /// Any other status.
    Other,
}

pub use crate::models::FieldError;

/// Zendesk's answer to a request that failed.
#[derive(Clone, thiserror::Error)]
#[error("{}", self.summary())]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// The coarse kind.
    pub kind: ErrorKind,
    /// Zendesk's error code (`RecordNotFound`, `InvalidPaginationDepth`, `invalid_token`, …).
    pub code: Option<String>,
    /// Zendesk's human description, whole and unescaped (`Display` cuts and escapes it).
    pub description: Option<String>,
    /// The raw body, whatever its content type (at most the client's body cap).
    pub body: Bytes,
    /// The response `Content-Type`.
    pub content_type: Option<String>,
    /// `X-Zendesk-Request-Id` (quote it to Zendesk support).
    pub request_id: Option<String>,
    /// The rate-limit headers of this response.
    pub rate_limit: RateLimitHeaders,
    /// `Retry-After`, when present (seconds or HTTP date, resolved to a duration).
    pub retry_after: Option<Duration>,
    /// The request method.
    pub method: String,
    /// The request path (no query string).
    pub path: String,
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("kind", &self.kind)
            .field("code", &self.code)
            .field("description", &self.description)
            .field("request_id", &self.request_id)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("body", &excerpt(&self.body, 200))
            .finish()
    }
}

impl ApiError {
    /// Parse Zendesk's error body, whichever of its shapes it has.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_response(
        status: u16,
        body: Bytes,
        content_type: Option<String>,
        request_id: Option<String>,
        rate_limit: RateLimitHeaders,
        retry_after: Option<Duration>,
        method: &str,
        path: &str,
    ) -> ApiError {
        let parsed = ParsedBody::parse(&body);
        let kind = match status {
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            422 => ErrorKind::Invalid {
                details: parsed.details.clone(),
            },
            429 => ErrorKind::RateLimited {
                retry_after,
                bucket: rate_limit.exhausted_bucket().map(str::to_owned),
            },
            300..=399 => ErrorKind::Redirect { location: None },
            500..=599 => ErrorKind::ServerError,
            _ => ErrorKind::Other,
        };
        ApiError {
            status,
            kind,
            code: parsed.code,
            description: parsed.description,
            body,
            content_type,
            request_id,
            rate_limit,
            retry_after,
            method: method.to_owned(),
            path: path.to_owned(),
        }
    }

    /// Build the error the client would have returned for a failed response read elsewhere
    /// (a `curl -i` dump, a log): same body parsing, kinds and [`hint`](Self::hint)s.
    /// `now` resolves a `Retry-After` given as an HTTP date.
    pub fn from_parts(
        status: u16,
        headers: &http::HeaderMap,
        body: impl Into<Bytes>,
        method: &str,
        path: &str,
        now: zdkit_clock::Timestamp,
    ) -> ApiError {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        ApiError::from_response(
            status,
            body.into(),
            header("content-type"),
            header("x-zendesk-request-id"),
            RateLimitHeaders::parse(headers),
            crate::ratelimit::headers::retry_after(headers, now),
            method,
            path,
        )
        .with_location(headers)
    }

    /// The fix, in one line, when zdkit knows one.
    pub fn hint(&self) -> Option<String> {
        hint::api_hint(self)
    }

    /// Record a redirect's `Location` (a no-op for other statuses).
    pub(crate) fn with_location(mut self, headers: &http::HeaderMap) -> Self {
        if let ErrorKind::Redirect { location } = &mut self.kind {
            *location = headers
                .get(http::header::LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        }
        self
    }

    /// The redirect target of a 3xx, when the server sent one.
    pub fn redirect_location(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Redirect { location } => location.as_deref(),
            _ => None,
        }
    }

    fn summary(&self) -> String {
        let mut s = format!(
            "Zendesk answered {} to {} {}",
            self.status, self.method, self.path
        );
        // Server text: cut to a readable length and escaped (the whole body stays in
        // `self.body` / `body_text()`).
        let show = |t: &str| crate::text::for_display(t, crate::text::DISPLAY_MAX_CHARS);
        match (&self.code, &self.description) {
            (Some(c), Some(d)) => s.push_str(&format!(": {}: {}", show(c), show(d))),
            (Some(c), None) => s.push_str(&format!(": {}", show(c))),
            (None, Some(d)) => s.push_str(&format!(": {}", show(d))),
            (None, None) if !self.body.is_empty() => s.push_str(&format!(
                ": {}",
                crate::text::escape_control(&excerpt(&self.body, 120))
            )),
            _ => {}
        }
        if let ErrorKind::Redirect { location } = &self.kind {
            s.push_str(&format!(
                " (a redirect to {}, not followed)",
                location.as_deref().map_or_else(
                    || "an unnamed location".to_owned(),
                    |l| crate::text::for_display(l, 200)
                )
            ));
        }
        if let ErrorKind::Invalid { details } = &self.kind {
            if !details.is_empty() {
                let fields: Vec<&str> = details.keys().map(String::as_str).collect();
                s.push_str(&format!(" (fields: {})", fields.join(", ")));
            }
        }
        if let Some(id) = &self.request_id {
            s.push_str(&format!(" [request id {}]", show(id)));
        }
        s
    }

    /// The whole response body as text (lossily decoded, unescaped: escape it with
    /// [`crate::text::escape_control_multiline`] before printing). `Display` shows only
    /// the first [`crate::text::DISPLAY_MAX_CHARS`] characters of the description.
    pub fn body_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// The fields zdkit extracts from any of Zendesk's error body shapes.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ParsedBody {
    pub(crate) code: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) details: BTreeMap<String, Vec<FieldError>>,
}

impl ParsedBody {
    /// A JSON body goes through the one typed error body ([`crate::models::ErrorBody`]:
    /// its precedence of code and message); plain text becomes the description.
    pub(crate) fn parse(body: &[u8]) -> ParsedBody {
        let value: serde_json::Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(_) => {
                let text = String::from_utf8_lossy(body).trim().to_owned();
                return ParsedBody {
                    description: (!text.is_empty()).then(|| excerpt(text.as_bytes(), 500)),
                    ..ParsedBody::default()
                };
            }
        };
        let typed: crate::models::ErrorBody = serde_json::from_value(value).unwrap_or_default();
        ParsedBody {
            code: typed.code().map(str::to_owned),
            description: typed.message().map(str::to_owned),
            details: typed.field_errors(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn api(status: u16, body: &str) -> ApiError {
        ApiError::from_response(
            status,
            Bytes::from(body.to_owned()),
            None,
            Some("abc123".into()),
            RateLimitHeaders::default(),
            None,
            "GET",
            "/api/v2/tickets/1",
        )
    }

    #[test]
    fn parses_every_body_shape() {
        let classic = ParsedBody::parse(br#"{"error":"RecordNotFound","description":"Not found"}"#);
        assert_eq!(classic.code.as_deref(), Some("RecordNotFound"));
        assert_eq!(classic.description.as_deref(), Some("Not found"));

        let nested = ParsedBody::parse(
            br#"{"error":{"title":"Forbidden","message":"You do not have access"}}"#,
        );
        assert_eq!(nested.code.as_deref(), Some("Forbidden"));
        assert_eq!(
            nested.description.as_deref(),
            Some("You do not have access")
        );

        let oauth =
            ParsedBody::parse(br#"{"error":"invalid_token","error_description":"expired"}"#);
        assert_eq!(oauth.code.as_deref(), Some("invalid_token"));
        assert_eq!(oauth.description.as_deref(), Some("expired"));

        let jsonapi = ParsedBody::parse(
            br#"{"errors":[{"code":"InvalidPaginationDepth","title":"T","detail":"switch to Cursor Pagination"}]}"#,
        );
        assert_eq!(jsonapi.code.as_deref(), Some("InvalidPaginationDepth"));
        assert_eq!(
            jsonapi.description.as_deref(),
            Some("switch to Cursor Pagination")
        );

        let text = ParsedBody::parse(b"Number of allowed API requests per minute exceeded\n");
        assert_eq!(text.code, None);
        assert_eq!(
            text.description.as_deref(),
            Some("Number of allowed API requests per minute exceeded")
        );
        assert_eq!(ParsedBody::parse(b""), ParsedBody::default());
    }

    #[test]
    fn record_invalid_details_accept_error_and_type() {
        let e = api(
            422,
            r#"{"error":"RecordInvalid","description":"Record validation errors","details":{
              "email":[{"description":"Email: jo@example.com is already being used","error":"DuplicateValue"}],
              "base":[{"description":"Status: closed prevents ticket update","type":"invalid","field_key":360001234567}]}}"#,
        );
        let ErrorKind::Invalid { details } = &e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(details["email"][0].error.as_deref(), Some("DuplicateValue"));
        assert_eq!(details["base"][0].error.as_deref(), Some("invalid"));
        assert_eq!(
            details["base"][0].field_key,
            Some(serde_json::json!(360001234567u64))
        );
        let shown = e.to_string();
        assert!(shown.contains("base, email"), "{shown}");
        assert!(shown.contains("abc123"), "{shown}");
    }

    #[test]
    fn decode_error_names_the_path() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct T {
            tickets: Vec<U>,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct U {
            id: u64,
        }
        let err = decode_json::<T>(br#"{"tickets":[{"id":1},{"id":"x"}]}"#, 200, None).unwrap_err();
        let Error::Decode(d) = &err else { panic!() };
        assert_eq!(d.path, "tickets[1].id");
        assert!(err.to_string().contains("tickets[1].id"));
    }

    #[test]
    fn excerpt_truncates_on_char_boundaries() {
        assert_eq!(excerpt("héllo".as_bytes(), 2), "hé…");
        assert_eq!(excerpt(b"ab", 5), "ab");
    }
}
