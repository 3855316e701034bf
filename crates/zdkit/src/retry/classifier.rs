//! Whether and why to retry one attempt's outcome.

use std::time::Duration;

use http::Method;

use crate::error::TransportErrorKind;

/// Why an attempt will be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryReason {
    /// 429: the server throttled us; nothing was processed, any method may be resent.
    Throttled {
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
    },
    /// 500/502/503/504 on a request safe to resend (`Retry-After` honoured on 503).
    ServerError {
        /// The status.
        status: u16,
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
    },
    /// 409 on a request safe to resend.
    Conflict,
    /// A transport failure on a request safe to resend (or one that never left).
    Transient(TransportErrorKind),
}

/// The classifier's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Success, or a final answer (4xx other than 409/429): do not retry.
    Done,
    /// Retry, for this reason.
    Retry(RetryReason),
    /// Retryable in principle, but resending could repeat a write: do not retry.
    Unsafe,
}

/// What one attempt produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Zendesk answered.
    Response {
        /// The status.
        status: u16,
        /// `Retry-After`, resolved.
        retry_after: Option<Duration>,
    },
    /// No (complete) answer.
    Transport {
        /// The kind of failure.
        kind: TransportErrorKind,
        /// `false` only when the request certainly never reached the server.
        may_have_been_processed: bool,
    },
}

/// GET, HEAD, PUT, DELETE, OPTIONS and TRACE are idempotent (RFC 9110).
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// Classify one attempt. `has_idempotency_key` makes a POST/PATCH safe to resend.
pub fn classify(
    outcome: Outcome,
    method: &Method,
    has_idempotency_key: bool,
    retry_conflicts: bool,
) -> RetryDecision {
    let safe = is_idempotent(method) || has_idempotency_key;
    let if_safe = |r: RetryReason| {
        if safe {
            RetryDecision::Retry(r)
        } else {
            RetryDecision::Unsafe
        }
    };
    match outcome {
        Outcome::Response {
            status: 429,
            retry_after,
        } => RetryDecision::Retry(RetryReason::Throttled { retry_after }),
        Outcome::Response {
            status: status @ (500 | 502 | 503 | 504),
            retry_after,
        } => if_safe(RetryReason::ServerError {
            status,
            retry_after: if status == 503 { retry_after } else { None },
        }),
        Outcome::Response { status: 409, .. } if retry_conflicts => if_safe(RetryReason::Conflict),
        Outcome::Response { .. } => RetryDecision::Done,
        Outcome::Transport {
            kind,
            may_have_been_processed: false,
        } => RetryDecision::Retry(RetryReason::Transient(kind)),
        Outcome::Transport { kind, .. } => if_safe(RetryReason::Transient(kind)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RA: Option<Duration> = Some(Duration::from_secs(3));

    /// One row per (status, method, idempotency key) → expected decision kind.
    macro_rules! classification_table {
        ($($name:ident: $status:expr, $method:ident, $key:expr => $expect:pat,)*) => {$(
            #[test]
            fn $name() {
                let d = classify(
                    Outcome::Response { status: $status, retry_after: RA },
                    &Method::$method,
                    $key,
                    true,
                );
                assert!(matches!(d, $expect), "{} {} key={}: {:?}", $status, stringify!($method), $key, d);
            }
        )*};
    }

    classification_table! {
        ok_get: 200, GET, false => RetryDecision::Done,
        created_post: 201, POST, false => RetryDecision::Done,
        bad_request_get: 400, GET, false => RetryDecision::Done,
        unauthorized_get: 401, GET, false => RetryDecision::Done,
        forbidden_put: 403, PUT, false => RetryDecision::Done,
        not_found_delete: 404, DELETE, false => RetryDecision::Done,
        invalid_post: 422, POST, true => RetryDecision::Done,
        throttled_get: 429, GET, false => RetryDecision::Retry(RetryReason::Throttled { retry_after: RA }),
        throttled_post: 429, POST, false => RetryDecision::Retry(RetryReason::Throttled { retry_after: RA }),
        throttled_post_key: 429, POST, true => RetryDecision::Retry(RetryReason::Throttled { .. }),
        conflict_put: 409, PUT, false => RetryDecision::Retry(RetryReason::Conflict),
        conflict_post: 409, POST, false => RetryDecision::Unsafe,
        conflict_post_key: 409, POST, true => RetryDecision::Retry(RetryReason::Conflict),
        e500_get: 500, GET, false => RetryDecision::Retry(RetryReason::ServerError { status: 500, retry_after: None }),
        e500_post: 500, POST, false => RetryDecision::Unsafe,
        e500_post_key: 500, POST, true => RetryDecision::Retry(RetryReason::ServerError { status: 500, .. }),
        e502_head: 502, HEAD, false => RetryDecision::Retry(RetryReason::ServerError { status: 502, .. }),
        e503_get_retry_after: 503, GET, false => RetryDecision::Retry(RetryReason::ServerError { status: 503, retry_after: RA }),
        e503_post: 503, POST, false => RetryDecision::Unsafe,
        e504_delete: 504, DELETE, false => RetryDecision::Retry(RetryReason::ServerError { status: 504, .. }),
        e504_patch: 504, PATCH, false => RetryDecision::Unsafe,
        e501_get: 501, GET, false => RetryDecision::Done,
    }

    #[test]
    fn transport_failures_by_whether_sent() {
        use TransportErrorKind::*;
        let t = |kind, sent, m: Method, key| {
            classify(
                Outcome::Transport {
                    kind,
                    may_have_been_processed: sent,
                },
                &m,
                key,
                true,
            )
        };
        assert_eq!(
            t(Connect, false, Method::POST, false),
            RetryDecision::Retry(RetryReason::Transient(Connect))
        );
        assert_eq!(t(Reset, true, Method::POST, false), RetryDecision::Unsafe);
        assert_eq!(
            t(Timeout, true, Method::POST, true),
            RetryDecision::Retry(RetryReason::Transient(Timeout))
        );
        assert_eq!(
            t(Body, true, Method::GET, false),
            RetryDecision::Retry(RetryReason::Transient(Body))
        );
    }

    #[test]
    fn conflicts_can_be_left_alone() {
        let d = classify(
            Outcome::Response {
                status: 409,
                retry_after: None,
            },
            &Method::PUT,
            false,
            false,
        );
        assert_eq!(d, RetryDecision::Done);
    }
}
