//! The per-plan layered rate limiter: a pure state machine with time passed in.
//!
//! Every `/api/v2/` request is charged to the account bucket and to each endpoint bucket it
//! belongs to (reference §3.2). Windows are **fixed and aligned**:
//! a window of `w` seconds starts at every multiple of `w` seconds since the Unix epoch
//! (of virtual time), so `ratelimit-reset`, `resets=` and `Retry-After` are all "whole
//! seconds until the current window ends", rounded up. A request that would exceed any
//! bucket is rejected without charging the others. See
//! `docs/design/simulator-rate-limits.md`.

mod catalogue;
mod plan;
mod rules;

use std::collections::HashMap;

use http::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use zdkit_clock::Timestamp;

pub use plan::{Plan, UnknownPlan};
pub use rules::{normalize_path, RequestKey, ACCOUNT, DEFAULT_TICKETS_INDEX_RPM, UNLIMITED_RPM};
use rules::{rules_for, Rule};

/// The run-time settings of a [`RateLimiter`].
///
/// Defaults: plan [`Plan::Enterprise`], `background_rpm` 0, `tickets_index_rpm`
/// [`DEFAULT_TICKETS_INDEX_RPM`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitSettings {
    /// The plan: account limit and High Volume add-on.
    pub plan: Plan,
    /// Requests per minute made by simulated other API consumers, spread evenly over each
    /// minute and charged to the account bucket.
    pub background_rpm: u32,
    /// The size of the `tickets-index` bucket per minute.
    pub tickets_index_rpm: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            plan: Plan::default(),
            background_rpm: 0,
            tickets_index_rpm: DEFAULT_TICKETS_INDEX_RPM,
        }
    }
}

/// The outcome of [`RateLimiter::admit`].
#[derive(Debug, Clone, Default)]
pub struct Admission {
    /// Rate-limit headers for the response (after charging, or unchanged state when
    /// rejected; a rejection also carries `Retry-After`).
    pub headers: HeaderMap,
    /// `Some` when the request must be answered with 429.
    pub rejected: Option<Rejection>,
    /// The buckets charged (empty when rejected), one entry per bucket name.
    pub charged: Vec<&'static str>,
}

/// Why a request was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The bucket that was full (`account` or an endpoint bucket name).
    pub bucket: String,
    /// Whole seconds (rounded up, at least 1) until that bucket frees a slot.
    pub retry_after_secs: u64,
    /// Whether it was the account bucket (plain-text body) rather than an endpoint bucket
    /// (JSON `APIRateLimitExceeded` body).
    pub account: bool,
    /// The human text of the 429 body.
    pub description: String,
}

impl Rejection {
    /// The 429 body and its content type: plain text for the account bucket, JSON
    /// `{"error":"APIRateLimitExceeded","description":…}` for endpoint buckets.
    pub fn body(&self) -> (&'static str, String) {
        if self.account {
            ("text/plain; charset=utf-8", self.description.clone())
        } else {
            let body = serde_json::json!({
                "error": "APIRateLimitExceeded",
                "description": self.description,
            });
            ("application/json; charset=utf-8", body.to_string())
        }
    }
}

/// The state of one live window, for `/__sim/limits`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketState {
    /// The bucket name.
    pub bucket: String,
    /// Which limit of the bucket (`tickets-update-user-ticket`, …).
    pub limit_id: String,
    /// What the limit is keyed by (`[user, ticket]`, `[user_profile, 0]`), `None` when
    /// account-wide.
    pub scope: Option<[u64; 2]>,
    /// Requests allowed per window.
    pub limit: u32,
    /// Window length in seconds.
    pub window_secs: u64,
    /// Used in the current window (background consumers included).
    pub used: u32,
    /// `limit - used`.
    pub remaining: u32,
    /// Seconds until the current window ends.
    pub resets_in_secs: u64,
}

/// A snapshot of the limiter for `/__sim/limits`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitsSnapshot {
    /// The current settings.
    pub settings: LimitSettings,
    /// The account bucket (when limited) and every endpoint window used in its current
    /// window.
    pub buckets: Vec<BucketState>,
}

type WindowKey = (&'static str, u64, u64);

#[derive(Debug, Clone, Copy)]
struct Window {
    start: u64,
    len: u64,
    count: u32,
    rule: Rule,
}

#[derive(Debug, Clone, Copy)]
struct Usage {
    rule: Rule,
    start: u64,
    own: u32,
    used: u32,
    reset: u64,
}

impl Usage {
    fn remaining(&self) -> u32 {
        self.rule.limit.saturating_sub(self.used)
    }
}

/// Windows kept before stale ones are pruned.
const PRUNE_AT: usize = 4096;

/// The simulator's rate limiter. Pure: every call takes the virtual `now`.
#[derive(Debug, Clone, Default)]
pub struct RateLimiter {
    settings: LimitSettings,
    windows: HashMap<WindowKey, Window>,
}

impl RateLimiter {
    /// A limiter for `plan` with `background_rpm` requests/minute of simulated other
    /// consumers, and the default `tickets-index` size.
    pub fn new(plan: Plan, background_rpm: u32) -> Self {
        Self::with_settings(LimitSettings {
            plan,
            background_rpm,
            ..LimitSettings::default()
        })
    }

    /// A limiter with explicit settings.
    pub fn with_settings(settings: LimitSettings) -> Self {
        RateLimiter {
            settings,
            windows: HashMap::new(),
        }
    }

    /// The current settings.
    pub fn settings(&self) -> LimitSettings {
        self.settings
    }

    /// Replaces the settings; windows already used keep their counts.
    pub fn set_settings(&mut self, settings: LimitSettings) {
        self.settings = settings;
    }

    /// Changes the plan; windows already used keep their counts.
    pub fn set_plan(&mut self, plan: Plan) {
        self.settings.plan = plan;
    }

    /// Changes the background consumers' requests per minute.
    pub fn set_background_rpm(&mut self, rpm: u32) {
        self.settings.background_rpm = rpm;
    }

    /// Changes the size of the `tickets-index` bucket (requests per minute).
    pub fn set_tickets_index_rpm(&mut self, rpm: u32) {
        self.settings.tickets_index_rpm = rpm;
    }

    /// Forgets every window: all buckets are full again.
    pub fn reset(&mut self) {
        self.windows.clear();
    }

    /// Charges `req` at `now` to every bucket it belongs to, or rejects it without
    /// charging any when one of them is full.
    pub fn admit(&mut self, now: Timestamp, req: &RequestKey) -> Admission {
        let rules = rules_for(req, self.settings.plan, self.settings.tickets_index_rpm);
        let mut usages: Vec<Usage> = rules.iter().map(|r| self.usage(*r, now)).collect();
        let full = usages
            .iter()
            .filter(|u| u.used >= u.rule.limit)
            .max_by_key(|u| (u.reset, !u.rule.is_account()));
        if let Some(full) = full {
            let rejection = Rejection {
                bucket: full.rule.bucket.to_string(),
                retry_after_secs: full.reset.max(1),
                account: full.rule.is_account(),
                description: description(&full.rule),
            };
            let mut headers = render_headers(&usages);
            headers.insert(http::header::RETRY_AFTER, rejection.retry_after_secs.into());
            return Admission {
                headers,
                rejected: Some(rejection),
                charged: Vec::new(),
            };
        }
        for u in &mut usages {
            let key = window_key(&u.rule);
            self.windows.insert(
                key,
                Window {
                    start: u.start,
                    len: u.rule.window,
                    count: u.own + 1,
                    rule: u.rule,
                },
            );
            u.own += 1;
            u.used = u.used.saturating_add(1);
        }
        self.prune(now);
        let mut charged: Vec<&'static str> = usages.iter().map(|u| u.rule.bucket).collect();
        charged.dedup();
        Admission {
            headers: render_headers(&usages),
            rejected: None,
            charged,
        }
    }

    /// The account headers at `now` without charging anything (for responses that were
    /// never admitted, such as authentication failures).
    pub fn account_headers(&self, now: Timestamp) -> HeaderMap {
        match self.account_rule() {
            Some(rule) => render_headers(&[self.usage(rule, now)]),
            None => HeaderMap::new(),
        }
    }

    /// The account bucket and every window live at `now`.
    pub fn snapshot(&self, now: Timestamp) -> LimitsSnapshot {
        let mut usages: Vec<Usage> = self
            .account_rule()
            .map(|r| self.usage(r, now))
            .into_iter()
            .collect();
        let now_s = now.unix_secs();
        let mut live: Vec<&Window> = self
            .windows
            .values()
            .filter(|w| !w.rule.is_account() && w.start + w.len > now_s)
            .collect();
        live.sort_by_key(|w| (w.rule.bucket, w.rule.sub, w.rule.scope));
        usages.extend(live.into_iter().map(|w| self.usage(w.rule, now)));
        let buckets = usages
            .iter()
            .map(|u| BucketState {
                bucket: u.rule.bucket.to_string(),
                limit_id: u.rule.sub.to_string(),
                scope: (u.rule.scope != (0, 0)).then_some([u.rule.scope.0, u.rule.scope.1]),
                limit: u.rule.limit,
                window_secs: u.rule.window,
                used: u.used.min(u.rule.limit),
                remaining: u.remaining(),
                resets_in_secs: u.reset,
            })
            .collect();
        LimitsSnapshot {
            settings: self.settings,
            buckets,
        }
    }

    fn account_rule(&self) -> Option<Rule> {
        let key = RequestKey::new(http::Method::GET, "/api/v2/account", None);
        rules_for(&key, self.settings.plan, self.settings.tickets_index_rpm)
            .into_iter()
            .find(Rule::is_account)
    }

    fn usage(&self, rule: Rule, now: Timestamp) -> Usage {
        let now_s = now.unix_secs();
        let start = now_s - now_s % rule.window;
        let own = self
            .windows
            .get(&window_key(&rule))
            .filter(|w| w.start == start && w.len == rule.window)
            .map_or(0, |w| w.count);
        let background = if rule.is_account() {
            background_used(self.settings.background_rpm, rule.limit, now, start)
        } else {
            0
        };
        Usage {
            rule,
            start,
            own,
            used: own.saturating_add(background),
            reset: start + rule.window - now_s,
        }
    }

    fn prune(&mut self, now: Timestamp) {
        if self.windows.len() > PRUNE_AT {
            let now_s = now.unix_secs();
            self.windows.retain(|_, w| w.start + w.len > now_s);
        }
    }
}

fn window_key(rule: &Rule) -> WindowKey {
    (rule.sub, rule.scope.0, rule.scope.1)
}

/// Requests made by background consumers since `start`: `rpm` evenly spread per minute,
/// never more than `limit`.
fn background_used(rpm: u32, limit: u32, now: Timestamp, start: u64) -> u32 {
    if rpm == 0 {
        return 0;
    }
    let elapsed = now
        .saturating_since(Timestamp::from_unix_secs(start))
        .as_nanos();
    let made = u128::from(rpm) * elapsed / 60_000_000_000;
    u32::try_from(made).unwrap_or(u32::MAX).min(limit)
}

fn description(rule: &Rule) -> String {
    let per = match rule.window {
        1 => "second".to_string(),
        60 => "minute".to_string(),
        w if w % 60 == 0 => format!("{} minutes", w / 60),
        w => format!("{w} seconds"),
    };
    format!("Number of allowed {} per {per} exceeded", rule.noun)
}

/// Renders the account headers and one `zendesk-ratelimit-<bucket>` header per endpoint
/// bucket; for a bucket with several limits, the tightest one is shown (fewest remaining,
/// then the longest wait), so a full bucket's `resets=` equals its `Retry-After`.
fn render_headers(usages: &[Usage]) -> HeaderMap {
    let mut h = HeaderMap::new();
    let mut shown: Vec<&Usage> = Vec::new();
    for u in usages {
        if u.rule.is_account() {
            let limit = HeaderValue::from(u.rule.limit);
            let remaining = HeaderValue::from(u.remaining());
            h.insert("x-rate-limit", limit.clone());
            h.insert("x-rate-limit-remaining", remaining.clone());
            h.insert("ratelimit-limit", limit);
            h.insert("ratelimit-remaining", remaining);
            h.insert("ratelimit-reset", HeaderValue::from(u.reset));
            continue;
        }
        match shown.iter_mut().find(|s| s.rule.bucket == u.rule.bucket) {
            Some(s) => {
                if (u.remaining(), std::cmp::Reverse(u.reset))
                    < (s.remaining(), std::cmp::Reverse(s.reset))
                {
                    *s = u;
                }
            }
            None => shown.push(u),
        }
    }
    for u in shown {
        let name = format!("zendesk-ratelimit-{}", u.rule.bucket);
        let value = format!(
            "total={}; remaining={}; resets={}",
            u.rule.limit,
            u.remaining(),
            u.reset
        );
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            h.insert(name, value);
        }
    }
    h
}

#[cfg(test)]
mod tests;
