//! Request statistics for `/__sim/stats`: totals, statuses, 429s per bucket, budget used
//! per bucket and faults injected. `/__sim/*` requests are not counted.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;

/// Request statistics, shared by every request. All methods take `&self`.
#[derive(Debug, Default)]
pub struct Stats {
    /// The request sequence number (drives the fault schedule); never reset.
    seq: AtomicU64,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default, Clone, Serialize)]
struct Counts {
    requests: u64,
    by_status: BTreeMap<u16, u64>,
    rate_limited: BTreeMap<String, u64>,
    budget_used: BTreeMap<String, u64>,
    faults: BTreeMap<String, u64>,
    webhooks: BTreeMap<String, u64>,
}

impl Stats {
    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a new API request and returns its sequence number (0, 1, 2, … since start;
    /// [`Stats::reset`] does not restart it).
    pub fn begin_request(&self) -> u64 {
        self.counts().requests += 1;
        self.seq.fetch_add(1, Ordering::SeqCst)
    }

    /// Counts a response status.
    pub fn record_status(&self, status: u16) {
        *self.counts().by_status.entry(status).or_default() += 1;
    }

    /// Counts a 429 from the rate limiter, per bucket.
    pub fn record_rate_limited(&self, bucket: &str) {
        *self
            .counts()
            .rate_limited
            .entry(bucket.to_string())
            .or_default() += 1;
    }

    /// Counts one unit of budget used in each of `buckets`.
    pub fn record_charged(&self, buckets: &[&str]) {
        if buckets.is_empty() {
            return;
        }
        let mut c = self.counts();
        for b in buckets {
            *c.budget_used.entry((*b).to_string()).or_default() += 1;
        }
    }

    /// Counts an injected fault of `kind` (see `FaultAction::kind`).
    pub fn record_fault(&self, kind: &str) {
        *self.counts().faults.entry(kind.to_string()).or_default() += 1;
    }

    /// Counts a webhook delivery outcome: `queued`, `delivered`, `retried` (one per
    /// retry), `failed`, `dropped` (queue full), `skipped` (example-domain endpoint).
    pub fn record_webhook(&self, outcome: &str) {
        *self
            .counts()
            .webhooks
            .entry(outcome.to_string())
            .or_default() += 1;
    }

    /// The statistics as JSON:
    /// `{"requests": N, "by_status": {"200": N}, "rate_limited": {"<bucket>": N},
    /// "budget_used": {"<bucket>": N}, "faults": {"<kind>": N}, "webhooks": {"<outcome>": N}}`.
    pub fn snapshot(&self) -> serde_json::Value {
        serde_json::to_value(&*self.counts()).unwrap_or_default()
    }

    /// Zeroes every count (the sequence number goes on).
    pub fn reset(&self) {
        *self.counts() = Counts::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_resets() {
        let s = Stats::default();
        assert_eq!(s.begin_request(), 0);
        assert_eq!(s.begin_request(), 1);
        s.record_status(200);
        s.record_status(429);
        s.record_status(200);
        s.record_rate_limited("incremental-exports");
        s.record_charged(&["account", "incremental-exports"]);
        s.record_charged(&["account"]);
        s.record_fault("status_503");
        assert_eq!(
            s.snapshot(),
            serde_json::json!({
                "requests": 2,
                "by_status": {"200": 2, "429": 1},
                "rate_limited": {"incremental-exports": 1},
                "budget_used": {"account": 2, "incremental-exports": 1},
                "faults": {"status_503": 1},
                "webhooks": {},
            })
        );
        s.reset();
        assert_eq!(s.snapshot()["requests"], 0);
        assert_eq!(s.snapshot()["by_status"], serde_json::json!({}));
        assert_eq!(s.begin_request(), 2, "the sequence goes on");
    }
}
