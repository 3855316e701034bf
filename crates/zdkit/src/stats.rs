//! Counters shared by every clone of a client: [`crate::Client::stats`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::ratelimit::BucketSnapshot;

/// A point-in-time copy of a client's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientStats {
    /// Attempts sent on the wire (including retries).
    pub requests: u64,
    /// Responses with status 429.
    pub rate_limited: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// Attempts that failed on the wire.
    pub transport_errors: u64,
    /// Retries refused because the retry budget was spent.
    pub retries_refused_by_budget: u64,
    /// Total time spent waiting between attempts (backoff and `Retry-After`).
    pub retry_wait: Duration,
    /// Per bucket: waits for budget and the limiter's current view.
    pub buckets: Vec<BucketStats>,
    /// The TTL cache of slow-changing data (groups, ticket fields, organizations): hits,
    /// misses, invalidations. The same figures as [`crate::Client::cache_stats`].
    pub cache: crate::cache::CacheStats,
    /// Per priority lane that sent anything: requests, waits for budget.
    pub lanes: Vec<LaneStats>,
}

/// One priority lane's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LaneStats {
    /// The lane.
    pub lane: crate::ratelimit::Lane,
    /// Requests granted budget (attempts, retries included).
    pub requests: u64,
    /// How many times a request of this lane waited for budget.
    pub waits: u64,
    /// Total time waited for budget.
    pub waited: Duration,
    /// The longest single wait for budget.
    pub longest_wait: Duration,
}

impl ClientStats {
    /// The stats of one bucket by name (`account`, `tickets-index`, …).
    pub fn bucket(&self, name: &str) -> Option<&BucketStats> {
        self.buckets.iter().find(|b| b.bucket == name)
    }

    /// Total time waited for rate-limit budget, all buckets.
    pub fn budget_wait(&self) -> Duration {
        self.buckets.iter().map(|b| b.waited).sum()
    }
}

/// One bucket's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BucketStats {
    /// The bucket name.
    pub bucket: String,
    /// How many times a request waited for this bucket.
    pub waits: u64,
    /// Total time waited for this bucket.
    pub waited: Duration,
    /// 429 responses attributed to this bucket (the bucket whose header said
    /// `remaining=0`, else `account`).
    pub rate_limited: u64,
    /// Known limit per window.
    pub limit: Option<u32>,
    /// Estimated requests left in the window.
    pub remaining: Option<u32>,
    /// Requests in flight.
    pub in_flight: u32,
}

#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) requests: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) transport_errors: AtomicU64,
    pub(crate) refused_by_budget: AtomicU64,
    retry_wait_nanos: AtomicU64,
    waits: Mutex<BTreeMap<String, (u64, Duration, u64)>>,
    lanes: Mutex<BTreeMap<crate::ratelimit::Lane, LaneStats>>,
}

pub(crate) fn inc(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

impl Stats {
    pub(crate) fn add_retry_wait(&self, d: Duration) {
        let n = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.retry_wait_nanos.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn add_budget_wait(&self, bucket: &str, d: Duration) {
        let mut w = self.waits.lock().unwrap_or_else(|p| p.into_inner());
        let e = w.entry(bucket.to_owned()).or_default();
        e.0 += 1;
        e.1 += d;
    }

    /// A request of `lane` was granted after waiting `waited` in total (zero: no wait),
    /// over `waits` separate waits.
    pub(crate) fn add_lane(&self, lane: crate::ratelimit::Lane, waits: u64, waited: Duration) {
        let mut l = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
        let e = l.entry(lane).or_insert_with(|| LaneStats {
            lane,
            ..LaneStats::default()
        });
        e.requests += 1;
        e.waits += waits;
        e.waited += waited;
        e.longest_wait = e.longest_wait.max(waited);
    }

    pub(crate) fn add_rate_limited(&self, bucket: &str) {
        inc(&self.rate_limited);
        let mut w = self.waits.lock().unwrap_or_else(|p| p.into_inner());
        w.entry(bucket.to_owned()).or_default().2 += 1;
    }

    pub(crate) fn snapshot(
        &self,
        limiter: Vec<BucketSnapshot>,
        cache: crate::cache::CacheStats,
    ) -> ClientStats {
        let waits = self.waits.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut buckets: BTreeMap<String, BucketStats> = BTreeMap::new();
        for s in limiter {
            buckets.insert(
                s.bucket.clone(),
                BucketStats {
                    bucket: s.bucket,
                    limit: s.limit,
                    remaining: s.limit.map(|_| s.remaining),
                    in_flight: s.in_flight,
                    ..BucketStats::default()
                },
            );
        }
        for (name, (n, d, limited)) in waits {
            let b = buckets.entry(name.clone()).or_insert_with(|| BucketStats {
                bucket: name,
                ..BucketStats::default()
            });
            b.waits = n;
            b.waited = d;
            b.rate_limited = limited;
        }
        ClientStats {
            requests: self.requests.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            transport_errors: self.transport_errors.load(Ordering::Relaxed),
            retries_refused_by_budget: self.refused_by_budget.load(Ordering::Relaxed),
            retry_wait: Duration::from_nanos(self.retry_wait_nanos.load(Ordering::Relaxed)),
            buckets: buckets.into_values().collect(),
            cache,
            lanes: self
                .lanes
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .values()
                .cloned()
                .collect(),
        }
    }
}
