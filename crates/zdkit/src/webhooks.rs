//! Receiving Zendesk webhooks: signature verification with a replay window, and a typed
//! model of event payloads.
//!
//! Zendesk signs each webhook request ("Verifying webhook authenticity"):
//! `x-zendesk-webhook-signature` is `base64(HMAC-SHA256(key = signing secret, message =
//! timestamp ++ raw body))`, where the timestamp is the value of
//! `x-zendesk-webhook-signature-timestamp` (ISO 8601, UTC) and the secret is used as the
//! string it is (not base64-decoded). The signing secret comes from
//! `GET /api/v2/webhooks/{id}/signing_secret`. Zendesk documents no replay window;
//! [`Verifier`] refuses a timestamp more than [`DEFAULT_TOLERANCE`] away from its clock
//! (configurable).
//!
//! ```
//! use zdkit::webhooks::{self, Verifier};
//! use zdkit::{ManualClock, Timestamp};
//!
//! let secret = "my-signing-secret";
//! let timestamp = "2024-01-02T03:04:05Z";
//! let body = br#"{"type":"zen:event-type:ticket.status_changed","id":"e1","account_id":1}"#;
//! let signature = webhooks::sign(secret, timestamp, body);
//!
//! // A clock ten seconds after the timestamp: inside the default five-minute window.
//! let clock = ManualClock::new(Timestamp::from_unix_secs(1_704_164_645 + 10));
//! let verifier = Verifier::new(secret).clock(clock.shared());
//! verifier.verify(&signature, timestamp, body).unwrap();
//! assert!(verifier.verify(&signature, timestamp, b"{}").is_err());
//!
//! let event = webhooks::parse_event(body).unwrap();
//! assert_eq!(event.kind, Some(webhooks::EventType::TicketStatusChanged));
//! ```
//!
//! A complete receiver: `crates/zdkit/examples/webhook_receiver.rs`.

use std::time::Duration;

use crate::auth::Secret;
use crate::models::DecodeError;
pub use crate::models::{EventType, TicketEventDetail, WebhookEvent};
use base64::Engine as _;
use hmac::{KeyInit, Mac};
use zdkit_clock::{SharedClock, SystemClock};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-zendesk-webhook-signature";
/// The signature timestamp header.
pub const TIMESTAMP_HEADER: &str = "x-zendesk-webhook-signature-timestamp";
/// The invocation id header (the same for every retry of one delivery: use it to
/// deduplicate, since delivery is at least once).
pub const INVOCATION_ID_HEADER: &str = "x-zendesk-webhook-invocation-id";
/// The secret Zendesk signs with when testing a webhook that is not saved yet.
pub const TEST_SECRET: &str = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";
/// The default replay window: a timestamp further than this from the receiver's clock
/// (either way) is refused.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);
/// The longest tolerance [`Verifier::tolerance`] accepts (one day).
pub const MAX_TOLERANCE: Duration = Duration::from_secs(86_400);

/// Why a webhook request was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// A required header is missing or not text.
    #[error("missing or unreadable `{0}` header")]
    MissingHeader(&'static str),
    /// The signature is not base64 of a SHA-256 MAC.
    #[error("the signature is not base64 of a 32-byte HMAC-SHA256")]
    MalformedSignature,
    /// The signature does not match the body and timestamp.
    #[error("the signature does not match (wrong signing secret, or the body was altered)")]
    BadSignature,
    /// The timestamp is not ISO 8601.
    #[error("the signature timestamp {0:?} is not an ISO 8601 time")]
    BadTimestamp(String),
    /// The timestamp is outside the replay window.
    #[error("the signature timestamp is {age_secs} s away from now (tolerance {tolerance_secs} s): a replay or a wrong clock")]
    OutsideTolerance {
        /// How far the timestamp is from the receiver's clock, in seconds.
        age_secs: u64,
        /// The window, in seconds.
        tolerance_secs: u64,
    },
}

/// `base64(HMAC-SHA256(secret, timestamp ++ body))`: the signature Zendesk sends. For
/// tests and simulators; receivers call [`verify`] or [`Verifier::verify`].
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(mac(secret, timestamp, body).finalize().into_bytes())
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length.
    let mut m = <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    m.update(timestamp.as_bytes());
    m.update(body);
    m
}

/// Verify a webhook request against the system clock with [`DEFAULT_TOLERANCE`].
/// `signature` and `timestamp` are the header values; `body` the raw body bytes, exactly
/// as received (before any JSON parsing).
pub fn verify(
    secret: &str,
    signature: &str,
    timestamp: &str,
    body: &[u8],
) -> Result<(), WebhookError> {
    Verifier::new(secret).verify(signature, timestamp, body)
}

/// Verifies webhook requests for one signing secret.
#[derive(Debug, Clone)]
pub struct Verifier {
    secret: Secret,
    tolerance: Duration,
    clock: SharedClock,
}

impl Verifier {
    /// A verifier for this signing secret, on the system clock, [`DEFAULT_TOLERANCE`].
    pub fn new(secret: impl Into<String>) -> Self {
        Verifier {
            secret: Secret::new(secret),
            tolerance: DEFAULT_TOLERANCE,
            clock: SystemClock::shared(),
        }
    }

    /// The replay window (capped at [`MAX_TOLERANCE`]).
    pub fn tolerance(mut self, d: Duration) -> Self {
        self.tolerance = d.min(MAX_TOLERANCE);
        self
    }

    /// The clock the timestamp is compared with.
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Check the signature (constant-time) and then the timestamp's age.
    pub fn verify(
        &self,
        signature: &str,
        timestamp: &str,
        body: &[u8],
    ) -> Result<(), WebhookError> {
        let sig = base64::engine::general_purpose::STANDARD
            .decode(signature.trim())
            .map_err(|_| WebhookError::MalformedSignature)?;
        if sig.len() != 32 {
            return Err(WebhookError::MalformedSignature);
        }
        mac(self.secret.expose(), timestamp, body)
            .verify_slice(&sig)
            .map_err(|_| WebhookError::BadSignature)?;
        let at = crate::models::timestamp::parse(timestamp.trim())
            .map_err(|_| WebhookError::BadTimestamp(timestamp.chars().take(64).collect()))?;
        let sent_ns = at.unix_timestamp_nanos();
        let now_ns = i128::try_from(self.clock.now().since_epoch().as_nanos()).unwrap_or(i128::MAX);
        let age_ns = now_ns.saturating_sub(sent_ns).unsigned_abs();
        let age_secs = u64::try_from(age_ns / 1_000_000_000).unwrap_or(u64::MAX);
        if age_ns > self.tolerance.as_nanos() {
            return Err(WebhookError::OutsideTolerance {
                age_secs,
                tolerance_secs: self.tolerance.as_secs(),
            });
        }
        Ok(())
    }

    /// [`Verifier::verify`] with the signature and timestamp read from the request's
    /// headers.
    pub fn verify_request(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<(), WebhookError> {
        let get = |name: &'static str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .ok_or(WebhookError::MissingHeader(name))
        };
        self.verify(get(SIGNATURE_HEADER)?, get(TIMESTAMP_HEADER)?, body)
    }
}

/// A decoded webhook payload with its type at hand.
#[derive(Debug, Clone)]
pub struct ParsedEvent {
    /// The event type, if the payload had one.
    pub kind: Option<EventType>,
    /// The whole payload.
    pub event: WebhookEvent,
}

/// Decode a webhook body (after [`verify`]); the error names the JSON path.
pub fn parse_event(body: &[u8]) -> Result<ParsedEvent, DecodeError> {
    let event: WebhookEvent = crate::models::decode(body)?;
    Ok(ParsedEvent {
        kind: event.event_type.clone(),
        event,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use zdkit_clock::{ManualClock, Timestamp};

    const TS: &str = "2024-01-02T03:04:05Z";
    const TS_UNIX: u64 = 1_704_164_645;

    fn at(secs: u64) -> Verifier {
        Verifier::new(TEST_SECRET).clock(ManualClock::new(Timestamp::from_unix_secs(secs)).shared())
    }

    #[test]
    fn matches_the_documented_construction() {
        // zendesk-api.md §10.2's test vector: the test secret, TIMESTAMP ++ BODY.
        let body = br#"{"ticket_id":"42","event":"updated"}"#;
        assert_eq!(
            sign(TEST_SECRET, TS, body),
            "j+7y0njUHi0qzxNmyYJpo8AcUj3HYnWkNWJE8uJj29c="
        );
        at(TS_UNIX)
            .verify("j+7y0njUHi0qzxNmyYJpo8AcUj3HYnWkNWJE8uJj29c=", TS, body)
            .unwrap();
    }

    #[test]
    fn refuses_altered_bodies_wrong_secrets_and_garbage() {
        let body = b"{\"a\":1}";
        let sig = sign(TEST_SECRET, TS, body);
        let v = at(TS_UNIX);
        assert_eq!(
            v.verify(&sig, TS, b"{\"a\":2}"),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            v.verify(&sign("other", TS, body), TS, body),
            Err(WebhookError::BadSignature)
        );
        // The signature covers the timestamp too.
        assert_eq!(
            v.verify(&sig, "2024-01-02T03:04:06Z", body),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            v.verify("not base64!", TS, body),
            Err(WebhookError::MalformedSignature)
        );
        assert_eq!(
            v.verify("AAAA", TS, body),
            Err(WebhookError::MalformedSignature)
        );
        let bad_ts = sign(TEST_SECRET, "yesterday", body);
        assert!(matches!(
            v.verify(&bad_ts, "yesterday", body),
            Err(WebhookError::BadTimestamp(_))
        ));
    }

    #[test]
    fn replay_window_both_ways() {
        let body = b"{}";
        let sig = sign(TEST_SECRET, TS, body);
        assert!(at(TS_UNIX + 300).verify(&sig, TS, body).is_ok());
        assert!(at(TS_UNIX - 300).verify(&sig, TS, body).is_ok());
        assert_eq!(
            at(TS_UNIX + 301).verify(&sig, TS, body),
            Err(WebhookError::OutsideTolerance {
                age_secs: 301,
                tolerance_secs: 300
            })
        );
        assert!(at(TS_UNIX - 400).verify(&sig, TS, body).is_err());
        let wide = at(TS_UNIX + 3_600).tolerance(Duration::from_secs(7_200));
        assert!(wide.verify(&sig, TS, body).is_ok());
        // Extreme clocks and tolerances neither panic nor overflow.
        assert!(at(u64::MAX / 4).verify(&sig, TS, body).is_err());
        let huge = at(TS_UNIX + 90_000).tolerance(Duration::MAX);
        assert!(huge.verify(&sig, TS, body).is_err());
    }

    #[test]
    fn reads_headers() {
        let body = b"{}";
        let mut h = http::HeaderMap::new();
        h.insert(
            SIGNATURE_HEADER,
            sign(TEST_SECRET, TS, body).parse().unwrap(),
        );
        assert_eq!(
            at(TS_UNIX).verify_request(&h, body),
            Err(WebhookError::MissingHeader(TIMESTAMP_HEADER))
        );
        h.insert(TIMESTAMP_HEADER, TS.parse().unwrap());
        assert!(at(TS_UNIX).verify_request(&h, body).is_ok());
    }

    #[test]
    fn ticket_events_are_typed_and_unknowns_kept() {
        let body = br#"{
            "account_id": 12514403,
            "detail": {"actor_id": "8447388090494", "assignee_id": "8447388090494",
                       "brand_id": "8447346621310", "created_at": "2025-01-08T10:12:07Z",
                       "description": "Hi", "external_id": null, "form_id": "8447325358590",
                       "group_id": "8447320466430", "id": "5158", "is_public": true,
                       "organization_id": "8447346622462", "priority": "LOW",
                       "requester_id": "8447388090494", "status": "OPEN", "subject": "Help",
                       "submitter_id": "8447388090494", "tags": ["vip"], "type": "TASK",
                       "updated_at": "2025-01-08T10:12:07Z", "via": {"channel": "web_service"},
                       "custom_status": "8447320465662"},
            "event": {"current": "OPEN", "previous": "NEW"},
            "id": "cbe4028c-7239-495d-b020-f22348516046",
            "subject": "zen:ticket:5158",
            "time": "2025-01-08T10:12:07.672717030Z",
            "type": "zen:event-type:ticket.status_changed",
            "zendesk_event_version": "2022-11-06",
            "brand_new_field": 1
        }"#;
        let p = parse_event(body).unwrap();
        assert_eq!(p.kind, Some(EventType::TicketStatusChanged));
        assert_eq!(p.event.extra.get("brand_new_field"), Some(&Value::from(1)));
        let t = p.event.ticket().unwrap().unwrap();
        assert_eq!(t.id.as_deref(), Some("5158"));
        assert_eq!(t.tags.as_deref(), Some(&["vip".to_owned()][..]));
        assert!(t.extra.contains_key("via"));
        let (cur, prev) = p.event.change();
        assert_eq!(cur, Some(&Value::from("OPEN")));
        assert_eq!(prev, Some(&Value::from("NEW")));

        let other = parse_event(br#"{"type":"zen:event-type:user.created","id":"x"}"#).unwrap();
        assert_eq!(
            other.kind,
            Some(EventType::Unknown("zen:event-type:user.created".into()))
        );
        assert!(other.event.ticket().is_none());
        let e = parse_event(br#"{"account_id":"nope"}"#).unwrap_err();
        assert!(e.to_string().contains("account_id"), "{e}");
    }
}
