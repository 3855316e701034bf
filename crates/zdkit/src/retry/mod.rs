//! Retries in two parts (smithy-rs's shape): the [`classifier`] says *whether and why*, the
//! [`strategy`] says *when* (backoff with full jitter, attempt cap, total-time cap), and a
//! [`budget`] shared by all clones stops retry storms when Zendesk is really down.
//! See `docs/design/retry.md`.

pub mod budget;
pub mod classifier;
pub mod strategy;

use std::time::Duration;

pub use budget::RetryBudget;
pub use classifier::{classify, RetryDecision, RetryReason};

/// When and how often to retry.
///
/// Defaults: 5 attempts in all, backoff base 0.5 s doubling up to a 30 s cap with full
/// jitter, at most 2 minutes from the first attempt, retry budget 500 tokens (a retry costs
/// 5, a retry after a timeout 10, a retry after a 429 nothing; a success refunds), 409s
/// retried for idempotent requests, jitter seeded from the OS.
///
/// The client's policy ([`ClientBuilder::retry_policy`](crate::ClientBuilder::retry_policy))
/// applies to every request; a request can carry its own
/// ([`RequestBuilder::retry`](crate::RequestBuilder::retry), e.g. a search export page
/// that should give up at once on a gateway timeout), which then decides its attempts,
/// backoff and time limit. The retry budget and the jitter RNG stay the client's (shared
/// by every request), so an override's `budget` and `jitter_seed` are not used.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    /// Attempts in all when an attempt timed out (a 504 gateway timeout, or a timeout on
    /// our side); `None`: `max_attempts`.
    pub(crate) timeout_attempts: Option<u32>,
    pub(crate) base: Duration,
    pub(crate) cap: Duration,
    pub(crate) max_elapsed: Duration,
    pub(crate) budget_capacity: u32,
    pub(crate) retry_cost: u32,
    pub(crate) timeout_cost: u32,
    pub(crate) retry_conflicts: bool,
    pub(crate) seed: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            timeout_attempts: None,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(120),
            budget_capacity: 500,
            retry_cost: 5,
            timeout_cost: 10,
            retry_conflicts: true,
            seed: None,
        }
    }
}

impl RetryPolicy {
    /// Never retry (one attempt).
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, including the first (minimum 1). Default 5.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Attempts in all (including the first, minimum 1) when the attempt that failed
    /// timed out: a 504 Gateway Timeout, or a timeout on our side. Default: as
    /// [`RetryPolicy::max_attempts`]. A request that timed out once often times out
    /// again as it is: a caller that can make it cheaper (a smaller page) sets 1 and
    /// reacts at once instead of paying five timeouts.
    pub fn timeout_attempts(mut self, n: u32) -> Self {
        self.timeout_attempts = Some(n.max(1));
        self
    }

    /// The attempt cap for a failure for `reason`.
    pub(crate) fn attempts_for(&self, reason: RetryReason) -> u32 {
        let timed_out = matches!(
            reason,
            RetryReason::ServerError { status: 504, .. }
                | RetryReason::Transient(crate::error::TransportErrorKind::Timeout)
        );
        match self.timeout_attempts {
            Some(n) if timed_out => n,
            _ => self.max_attempts,
        }
    }

    /// Backoff base and cap: attempt `n` waits up to `min(cap, base × 2^(n−1))`.
    /// Defaults 0.5 s and 30 s.
    pub fn backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.base = base;
        self.cap = cap.max(base);
        self
    }

    /// Give up when the next wait would end later than this after the first attempt.
    /// Default 2 minutes.
    pub fn max_elapsed(mut self, d: Duration) -> Self {
        self.max_elapsed = d;
        self
    }

    /// Retry-budget capacity in tokens (a retry costs 5, after a timeout 10). Default 500.
    pub fn budget(mut self, tokens: u32) -> Self {
        self.budget_capacity = tokens;
        self
    }

    /// Whether 409 Conflict is retried for idempotent requests. Default `true`.
    pub fn retry_conflicts(mut self, yes: bool) -> Self {
        self.retry_conflicts = yes;
        self
    }

    /// Seed the jitter RNG (deterministic tests). Default: seeded from the OS.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }
}
