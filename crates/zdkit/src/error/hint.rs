//! One-line fixes for errors.

use super::{ApiError, Error, ErrorKind, TransportErrorKind};

pub(super) fn hint(err: &Error) -> Option<String> {
    match err {
        Error::Api(api) => api_hint(api),
        Error::RateLimited { bucket, retry_after } => Some(format!(
            "the `{bucket}` budget is spent: try again in {:.0} s, or let the client wait (RateLimitPolicy::wait(true))",
            retry_after.as_secs_f64().ceil()
        )),
        Error::Transport(t) => Some(match t.kind {
            TransportErrorKind::Connect => {
                "could not connect: check the subdomain / base URL and the network".to_owned()
            }
            TransportErrorKind::Timeout => {
                "the request timed out: retry later or raise the request timeout".to_owned()
            }
            _ if t.may_have_been_processed => "the connection failed after the request was sent: \
                 read the resource back before re-sending a write (or send an Idempotency-Key)"
                .to_owned(),
            _ => "a transient network failure: retry".to_owned(),
        }),
        Error::Decode(d) => Some(format!(
            "the response did not match the expected shape at `{}`; report it with request id {}",
            crate::text::escape_control(&d.path),
            crate::text::escape_control(d.request_id.as_deref().unwrap_or("(none)"))
        )),
        Error::Config(_) | Error::InvalidRequest(_) | Error::Incomplete(_) => None,
    }
}

pub(super) fn api_hint(e: &ApiError) -> Option<String> {
    if e.code.as_deref() == Some("InvalidPaginationDepth") {
        return Some(
            "offset pagination stops at page 100 / 10,000 records: switch to cursor pagination (page[size])"
                .to_owned(),
        );
    }
    if e.code.as_deref() == Some("IdempotentRequestError") {
        return Some(
            "this Idempotency-Key was used with a different body: use a new key for a new request"
                .to_owned(),
        );
    }
    Some(match &e.kind {
        ErrorKind::Unauthorized => "credentials rejected: for an API token the user is `email/token` \
             (the client adds `/token`), API tokens use Basic and OAuth tokens Bearer, the token may be \
             revoked, or the subdomain is wrong"
            .to_owned(),
        ErrorKind::Forbidden => "authenticated but not allowed: check the user's role, the OAuth \
             scope, the plan/feature, and any IP allowlist"
            .to_owned(),
        ErrorKind::NotFound => {
            "not found: check the id, or whether this endpoint exists on the account's plan".to_owned()
        }
        ErrorKind::Conflict => "a concurrent change won: re-read the record and retry \
             (with safe_update and the new updated_stamp)"
            .to_owned(),
        ErrorKind::Invalid { details } if !details.is_empty() => {
            let parts: Vec<String> = details
                .iter()
                .map(|(field, problems)| {
                    // Server text: cut and escaped.
                    let what: Vec<String> = problems
                        .iter()
                        .filter_map(|p| p.description.as_deref().or(p.error.as_deref()))
                        .map(|t| crate::text::for_display(t, 200))
                        .collect();
                    format!("{}: {}", crate::text::for_display(field, 100), what.join("; "))
                })
                .collect();
            format!("fix these fields: {}", parts.join(" | "))
        }
        ErrorKind::Invalid { .. } => {
            "validation failed: see the description for the field at fault".to_owned()
        }
        ErrorKind::RateLimited { retry_after, bucket } => {
            let wait = retry_after
                .map(|d| format!("wait {} s", d.as_secs_f64().ceil()))
                .unwrap_or_else(|| "wait for the window to reset".to_owned());
            let bucket = bucket.as_deref().unwrap_or("account");
            format!("rate limited on the `{bucket}` bucket: {wait}; lower the concurrency or raise the headroom")
        }
        ErrorKind::ServerError => "a Zendesk server error: transient, retried automatically \
             for safe requests; retry later (quote the request id if it persists)"
            .to_owned(),
        ErrorKind::BadRequest => "the request is malformed: check the parameters".to_owned(),
        ErrorKind::Redirect { location } => format!(
            "the host redirects to {}: wrong subdomain, http instead of https, or SSO in front; \
             use the final https://SUBDOMAIN.zendesk.com base URL (redirects are never followed)",
            location
                .as_deref()
                .map_or_else(|| "another location".to_owned(), |l| crate::text::for_display(l, 200))
        ),
        ErrorKind::Other => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratelimit::RateLimitHeaders;
    use bytes::Bytes;
    use std::time::Duration;

    fn api(status: u16, body: &str, retry_after: Option<Duration>) -> Error {
        Error::Api(Box::new(ApiError::from_response(
            status,
            Bytes::from(body.to_owned()),
            None,
            None,
            RateLimitHeaders::default(),
            retry_after,
            "GET",
            "/api/v2/x",
        )))
    }

    #[test]
    fn hints_name_the_fix() {
        let h = |e: Error| e.hint().unwrap();
        assert!(h(api(401, r#"{"error":"Couldn't authenticate you"}"#, None)).contains("/token"));
        assert!(h(api(403, "", None)).contains("role"));
        assert!(h(api(404, "", None)).contains("id"));
        assert!(h(api(409, "", None)).contains("re-read"));
        let h422 = h(api(
            422,
            r#"{"error":"RecordInvalid","details":{"email":[{"description":"taken","error":"DuplicateValue"}]}}"#,
            None,
        ));
        assert!(h422.contains("email: taken"), "{h422}");
        assert!(h(api(429, "", Some(Duration::from_secs(7)))).contains("wait 7 s"));
        assert!(h(api(503, "", None)).contains("transient"));
        assert!(h(api(302, "", None)).contains("the host redirects to"));
        assert!(h(api(
            400,
            r#"{"errors":[{"code":"InvalidPaginationDepth","title":"x"}]}"#,
            None
        ))
        .contains("cursor pagination"));
    }
}
