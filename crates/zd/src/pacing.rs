//! The rate-limit policy at hand: `--plan` and `--headroom` (also config keys), and the
//! one-time note when a server sends no rate-limit headers at all.

use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use zdkit::ratelimit::RateLimitHeaders;
use zdkit::{Plan, RateLimitPolicy};

/// The pacing flags every command accepts.
#[derive(Debug, Clone, Default, Args)]
pub struct PacingArgs {
    /// The account's plan, where pacing starts before Zendesk's headers teach the real
    /// limit: team (200/min), growth, professional (400), enterprise (700),
    /// enterprise-plus, high-volume (2500), or a limit per minute [default: 200/min].
    /// Given before the command (`zd --plan enterprise api …`): `zd sim` and
    /// `zd sync --simulate` have a `--plan` of their own, the simulated plan.
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<String>,
    /// The share of each rate-limit window left unused for other integrations of the
    /// account: a fraction (0.1) or a percentage (10%), at most 0.5 [default: 0.02].
    #[arg(long, value_name = "FRACTION")]
    pub headroom: Option<String>,
}

/// The policy for a plan, a headroom and the don't-wait mode.
pub fn policy(plan: Option<Plan>, headroom: Option<f64>, no_wait: bool) -> RateLimitPolicy {
    let mut p = RateLimitPolicy::default();
    if let Some(plan) = plan {
        p = p.plan(plan);
    }
    if let Some(h) = headroom {
        p = p.headroom(h);
    }
    p.wait(!no_wait)
}

/// The text of the note.
pub const NO_HEADERS_NOTE: &str =
    "note: no rate-limit headers seen: pacing at the assumed 200/min; set --plan (or `plan` in the config file)";

static NOTED: AtomicBool = AtomicBool::new(false);

/// Whether a response carried no rate-limit header at all.
pub fn headerless(h: &RateLimitHeaders) -> bool {
    h.account.is_none() && h.buckets.is_empty()
}

/// Say once per process, on stderr, that a server sends no rate-limit headers while the
/// plan is unknown (the client then paces at the smallest plan's 200/min).
pub fn note_if_headerless(h: &RateLimitHeaders, plan_known: bool) {
    if !plan_known && headerless(h) && !NOTED.swap(true, Ordering::Relaxed) {
        crate::output::note(NO_HEADERS_NOTE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headerless_responses() {
        assert!(headerless(&RateLimitHeaders::default()));
        let mut h = http::HeaderMap::new();
        h.insert("x-rate-limit", "700".parse().unwrap());
        assert!(!headerless(&RateLimitHeaders::parse(&h)));
    }
}
