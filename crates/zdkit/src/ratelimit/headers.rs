//! The rate-limit header grammars, and `Retry-After`.
//!
//! Account families (any case): `X-Rate-Limit` / `X-Rate-Limit-Remaining`,
//! `ratelimit-limit` / `ratelimit-remaining` / `ratelimit-reset` (seconds left), and the
//! older `rate-limit` / `rate-limit-remaining` / `rate-limit-reset`.
//! Endpoint buckets: `Zendesk-RateLimit-<bucket>` or `zendesk-rate-limit-<bucket>` with the
//! value `total=<n>; remaining=<n>; resets=<seconds>` (any order, any spacing, any case).

use std::time::Duration;

use http::HeaderMap;

/// The longest wait any server number may ask for: Zendesk's longest documented window is
/// one hour ("5 per hour" on trial accounts), so a `Retry-After`, `ratelimit-reset` or
/// `resets=` beyond it is clamped here (`ratelimit-reset: 4294967295` would otherwise be
/// 136 years). The limiter further caps a reset at the bucket's own window plus
/// [`super::limiter::RESET_GUARD`].
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(3600);

fn secs(s: u32) -> Duration {
    Duration::from_secs(s.into()).min(MAX_SERVER_WAIT)
}
use zdkit_clock::Timestamp;

/// One window's figures as a server reported them. Missing figures are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    /// Requests allowed per window.
    pub limit: Option<u32>,
    /// Requests left in the current window.
    pub remaining: Option<u32>,
    /// Time until the window resets.
    pub reset: Option<Duration>,
}

impl Window {
    fn is_empty(&self) -> bool {
        self.limit.is_none() && self.remaining.is_none() && self.reset.is_none()
    }
}

/// Every rate-limit figure found on one response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RateLimitHeaders {
    /// The account bucket (`X-Rate-Limit*`, `ratelimit-*`, `rate-limit*`), if reported.
    pub account: Option<Window>,
    /// Endpoint buckets by lower-case name (`tickets-index`, `incremental-exports`, …).
    pub buckets: Vec<(String, Window)>,
}

impl RateLimitHeaders {
    /// Parse every known header family. Unparseable values are ignored, never a panic.
    pub fn parse(headers: &HeaderMap) -> RateLimitHeaders {
        let mut account = Window::default();
        let mut buckets: Vec<(String, Window)> = Vec::new();
        for (name, value) in headers {
            // HeaderName is always lower case.
            let name = name.as_str();
            let Ok(value) = value.to_str() else { continue };
            match name {
                "x-rate-limit" | "ratelimit-limit" | "rate-limit" => {
                    account.limit = account.limit.or(parse_u32(value))
                }
                "x-rate-limit-remaining" | "ratelimit-remaining" | "rate-limit-remaining" => {
                    account.remaining = account.remaining.or(parse_u32(value))
                }
                "ratelimit-reset" | "rate-limit-reset" | "x-rate-limit-reset" => {
                    account.reset = account.reset.or(parse_u32(value).map(secs))
                }
                _ => {
                    let bucket = name
                        .strip_prefix("zendesk-ratelimit-")
                        .or_else(|| name.strip_prefix("zendesk-rate-limit-"));
                    if let Some(bucket) = bucket {
                        if let Some(w) = parse_bucket_value(value) {
                            if !bucket.is_empty() && !buckets.iter().any(|(b, _)| b == bucket) {
                                buckets.push((bucket.to_owned(), w));
                            }
                        }
                    }
                }
            }
        }
        RateLimitHeaders {
            account: (!account.is_empty()).then_some(account),
            buckets,
        }
    }

    /// The figures for `bucket` (`account` for the account family).
    pub fn get(&self, bucket: &str) -> Option<&Window> {
        if bucket == super::ACCOUNT {
            return self.account.as_ref();
        }
        self.buckets
            .iter()
            .find(|(b, _)| b == bucket)
            .map(|(_, w)| w)
    }

    /// The endpoint bucket reported as exhausted (`remaining=0`), if any.
    pub fn exhausted_bucket(&self) -> Option<&str> {
        self.buckets
            .iter()
            .find(|(_, w)| w.remaining == Some(0))
            .map(|(b, _)| b.as_str())
    }

    /// `true` when no rate-limit header was present.
    pub fn is_empty(&self) -> bool {
        self.account.is_none() && self.buckets.is_empty()
    }
}

fn parse_u32(s: &str) -> Option<u32> {
    let s = s.trim();
    // Tolerate `700.0` and negative remaining values some proxies produce.
    if let Ok(v) = s.parse::<u32>() {
        return Some(v);
    }
    let f: f64 = s.parse().ok()?;
    f.is_finite().then(|| f.clamp(0.0, u32::MAX as f64) as u32)
}

/// Parse `total=<n>; remaining=<n>; resets=<seconds>` (keys in any case and order, `;` or
/// `,` separated, optional spaces). `None` when no key was recognised.
pub fn parse_bucket_value(value: &str) -> Option<Window> {
    let mut w = Window::default();
    for part in value.split([';', ',']) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"');
        match k.trim().to_ascii_lowercase().as_str() {
            "total" | "limit" => w.limit = parse_u32(v),
            "remaining" => w.remaining = parse_u32(v),
            "resets" | "reset" => w.reset = parse_u32(v).map(secs),
            _ => {}
        }
    }
    (!w.is_empty()).then_some(w)
}

/// `Retry-After` as seconds (`120`, `1.5`) or an HTTP date (relative to `now`; a date in
/// the past means zero), clamped to [`MAX_SERVER_WAIT`].
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    let d = if let Ok(secs) = value.parse::<u64>() {
        Duration::from_secs(secs)
    } else if let Ok(secs) = value.parse::<f64>() {
        if !(secs >= 0.0 && secs.is_finite()) {
            return None;
        }
        Duration::try_from_secs_f64(secs).unwrap_or(MAX_SERVER_WAIT)
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        let at = at.duration_since(std::time::UNIX_EPOCH).ok()?;
        at.saturating_sub(now.since_epoch())
    };
    Some(d.min(MAX_SERVER_WAIT))
}

/// `Retry-After` of a response, resolved against `now`.
pub fn retry_after(headers: &HeaderMap, now: Timestamp) -> Option<Duration> {
    headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderName, HeaderValue};
    use proptest::prelude::*;

    fn map(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        m
    }

    #[test]
    fn parses_every_family() {
        let h = RateLimitHeaders::parse(&map(&[
            ("X-Rate-Limit", "700"),
            ("X-Rate-Limit-Remaining", "699"),
            ("ratelimit-reset", "41"),
            (
                "Zendesk-RateLimit-tickets-index",
                "total=100; remaining=99; resets=41",
            ),
            (
                "zendesk-rate-limit-incremental-exports",
                "total=10;remaining=9;resets=2",
            ),
        ]));
        assert_eq!(
            h.account,
            Some(Window {
                limit: Some(700),
                remaining: Some(699),
                reset: Some(Duration::from_secs(41))
            })
        );
        assert_eq!(h.get("tickets-index").unwrap().remaining, Some(99));
        assert_eq!(h.get("incremental-exports").unwrap().limit, Some(10));
        let old = RateLimitHeaders::parse(&map(&[
            ("rate-limit", "200"),
            ("rate-limit-remaining", "0"),
            ("rate-limit-reset", "5"),
        ]));
        assert_eq!(old.account.unwrap().remaining, Some(0));
        assert!(RateLimitHeaders::parse(&HeaderMap::new()).is_empty());
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = Timestamp::from_unix_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after(" 1.5 ", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn huge_server_numbers_are_clamped_to_the_longest_window() {
        let now = Timestamp::from_unix_secs(1_445_412_480);
        for v in [
            "18446744073709551615",
            "1e300",
            "4294967295",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            assert_eq!(parse_retry_after(v, now), Some(MAX_SERVER_WAIT), "{v}");
        }
        assert_eq!(parse_retry_after("NaN", now), None);
        let h = RateLimitHeaders::parse(&map(&[
            ("ratelimit-reset", "4294967295"),
            (
                "Zendesk-RateLimit-tickets-index",
                "total=1; remaining=0; resets=99999999999",
            ),
        ]));
        assert_eq!(h.account.unwrap().reset, Some(MAX_SERVER_WAIT));
        assert_eq!(h.get("tickets-index").unwrap().reset, Some(MAX_SERVER_WAIT));
    }

    fn case_variant(s: &str, mask: u64) -> String {
        s.chars()
            .enumerate()
            .map(|(i, c)| {
                if mask >> (i % 64) & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect()
    }

    proptest! {
        #[test]
        fn bucket_grammar_variants_parse_alike(
            total in 0u32..100_000, remaining in 0u32..100_000, resets in 0u32..3600,
            order in 0usize..6, mask in any::<u64>(), sp1 in "[ ]{0,3}", sp2 in "[ ]{0,3}",
            sep in prop::sample::select(vec![";", ","]),
        ) {
            let mut parts = vec![
                format!("total{sp1}={sp2}{total}"),
                format!("remaining={sp1}{remaining}{sp2}"),
                format!("{sp2}resets={resets}"),
            ];
            let perms = [[0,1,2],[0,2,1],[1,0,2],[1,2,0],[2,0,1],[2,1,0]];
            let p = perms[order];
            parts = vec![parts[p[0]].clone(), parts[p[1]].clone(), parts[p[2]].clone()];
            let value = case_variant(&parts.join(&format!("{sep}{sp1}")), mask);
            let name = case_variant("zendesk-ratelimit-tickets-index", mask.rotate_left(7));
            let h = RateLimitHeaders::parse(&map(&[(&name, &value)]));
            prop_assert_eq!(h.get("tickets-index").copied(), Some(Window {
                limit: Some(total), remaining: Some(remaining),
                reset: Some(Duration::from_secs(resets.into())),
            }));
        }

        #[test]
        fn account_grammar_any_case(limit in 0u32..100_000, rem in 0u32..100_000, mask in any::<u64>(), sp in "[ ]{0,2}") {
            let h = RateLimitHeaders::parse(&map(&[
                (&case_variant("x-rate-limit", mask), &format!("{sp}{limit}")),
                (&case_variant("ratelimit-remaining", mask), &format!("{rem}{sp}")),
            ]));
            prop_assert_eq!(h.account.unwrap().limit, Some(limit));
            prop_assert_eq!(h.account.unwrap().remaining, Some(rem));
        }

        #[test]
        fn garbage_never_panics(value in "[ -~]{0,60}", name in "[a-z-]{1,30}") {
            let _ = parse_bucket_value(&value);
            let _ = parse_retry_after(&value, Timestamp::from_unix_secs(0));
            if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(format!("zendesk-ratelimit-{name}").as_bytes()), HeaderValue::from_str(&value)) {
                let mut m = HeaderMap::new();
                m.insert(n, v.clone());
                m.insert(HeaderName::from_static("x-rate-limit"), v);
                let _ = RateLimitHeaders::parse(&m);
            }
        }
    }
}
