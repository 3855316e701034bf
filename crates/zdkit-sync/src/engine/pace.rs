//! A stream's pace for progress displays ([`StreamPace`]): records per second, the bucket
//! it waits on and for how long, and an ETA from the pages left and the bucket's rate.
//!
//! **Pages left.** Where Zendesk gives a total (an offset-paged list's `count`), from it.
//! Otherwise, for exports, from how far the export has come: its position is the last
//! page's `end_time` (time-based exports) or the newest stamp on the page (cursor-based:
//! `generated_timestamp`, else `updated_at`), the export ends about a minute before now
//! (Zendesk leaves the most recent minute out), and the pages left are the time still to
//! cover divided by the time one page of this run covered on average (counted from the
//! run's first page, so a first page that starts far back in the past does not skew it).
//! Cursor-paged lists give neither: no ETA.
//!
//! **Time a page.** The longer of the bucket's interval (`window / limit` of the last
//! bucket the stream waited on: 6 s for the 10/min export bucket) and the time a page has
//! taken in this run so far, on the client's clock.

use std::time::Duration;

use zdkit::ratelimit::BudgetWait;

use super::streams::EXPORT_LAG_SECS;

/// The bucket a stream waited on, with its rate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BucketRate {
    /// The bucket (`incremental-exports`, `account`).
    pub bucket: String,
    /// Its limit per window, when known.
    pub limit: Option<u32>,
    /// Its window.
    pub window: Duration,
}

impl BucketRate {
    /// `window / limit`: what one request costs at the bucket's rate.
    pub fn interval(&self) -> Option<Duration> {
        self.limit.filter(|l| *l > 0).map(|l| self.window / l)
    }

    /// Requests per minute at the bucket's rate.
    pub fn per_minute(&self) -> Option<f64> {
        let window = self.window.as_secs_f64();
        self.limit
            .filter(|_| window > 0.0)
            .map(|l| f64::from(l) * 60.0 / window)
    }
}

/// How a stream is doing, for a progress display (sent with
/// [`ProgressEvent::PageWritten`](super::ProgressEvent::PageWritten) and
/// [`ProgressEvent::Waiting`](super::ProgressEvent::Waiting)). Times are on the client's
/// clock (scaled under `zd sync --simulate`).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct StreamPace {
    /// Records received per second in this run so far.
    pub records_per_sec: Option<f64>,
    /// The bucket of the stream's most recent wait, with its rate.
    pub bucket: Option<BucketRate>,
    /// The wait under way: how long it lasts (only in
    /// [`ProgressEvent::Waiting`](super::ProgressEvent::Waiting); a page ends it).
    pub waiting: Option<Duration>,
    /// Total time this stream's requests waited for budget in this run.
    pub waited: Duration,
    /// How far the export has come (Unix seconds), where it is an export.
    pub position: Option<i64>,
    /// Pages still to fetch (0 once caught up), when it can be told.
    pub pages_left: Option<u64>,
    /// Seconds to caught up: `pages_left` × the time a page takes (see the module).
    pub eta_secs: Option<u64>,
}

/// Keeps a stream's figures between pages.
#[derive(Debug)]
pub(crate) struct Pacer {
    started: f64,
    pages: u64,
    records: u64,
    /// `(position, pages)` after the run's first page that had a position.
    origin: Option<(i64, u64)>,
    pace: StreamPace,
}

/// What a page tells the pacer.
pub(crate) struct PageFacts {
    /// Records on the page.
    pub records: u64,
    /// The export's position after it.
    pub position: Option<i64>,
    /// The stream is caught up.
    pub end: bool,
    /// Pages left by a total Zendesk gave (`count`).
    pub pages_left: Option<u64>,
}

fn secs(now: zdkit::Timestamp) -> f64 {
    now.unix_secs_f64()
}

impl Pacer {
    pub(crate) fn new(now: zdkit::Timestamp) -> Self {
        Pacer {
            started: secs(now),
            pages: 0,
            records: 0,
            origin: None,
            pace: StreamPace::default(),
        }
    }

    /// A pacer that knows from the start which bucket limits the stream's requests (GETs
    /// of `path`): the narrowest the client's classification names, at the limit the
    /// client has learned for it (else the documented one). No bucket when the client
    /// does not limit itself.
    pub(crate) fn for_path(client: &zdkit::Client, path: &str) -> Self {
        let mut p = Self::new(client.clock().now());
        let policy = client.rate_limit_policy();
        if policy.is_enabled() {
            let class = zdkit::ratelimit::RequestClass::classify(
                &http::Method::GET,
                path,
                policy.starting_plan(),
            );
            if let Some(spec) = class.buckets.last() {
                let name = spec.key.to_string();
                let learned = client.stats().bucket(&name).and_then(|b| b.limit);
                p.pace.bucket = Some(BucketRate {
                    bucket: name,
                    limit: learned.or(spec.limit),
                    window: spec.window,
                });
            }
        }
        p
    }

    /// A wait begins: the pace with `waiting` set.
    pub(crate) fn wait(&mut self, w: &BudgetWait) -> StreamPace {
        self.pace.bucket = Some(BucketRate {
            bucket: w.bucket.clone(),
            limit: w.limit,
            window: w.window,
        });
        self.pace.waited += w.wait;
        let mut p = self.pace.clone();
        p.waiting = Some(w.wait);
        // The ETA still holds, but at least this wait.
        if let Some(eta) = p.eta_secs.as_mut() {
            *eta = (*eta).max(w.wait.as_secs_f64().ceil() as u64);
        }
        p
    }

    /// Total time waited so far.
    pub(crate) fn waited(&self) -> Duration {
        self.pace.waited
    }

    /// A page was written at `now`.
    pub(crate) fn page(&mut self, now: zdkit::Timestamp, facts: PageFacts) -> StreamPace {
        let now_s = secs(now);
        self.pages += 1;
        self.records += facts.records;
        let elapsed = (now_s - self.started).max(0.0);
        self.pace.records_per_sec = (elapsed > 0.0).then(|| self.records as f64 / elapsed);
        if let Some(p) = facts.position {
            self.pace.position = Some(self.pace.position.map_or(p, |q| q.max(p)));
        }
        let pages_left = if facts.end {
            Some(0)
        } else if let Some(n) = facts.pages_left {
            Some(n.max(1))
        } else {
            self.pages_left_by_position(now_s)
        };
        self.pace.pages_left = pages_left;
        let per_page = {
            let observed = elapsed / self.pages as f64;
            let interval = self
                .pace
                .bucket
                .as_ref()
                .and_then(BucketRate::interval)
                .map_or(0.0, |d| d.as_secs_f64());
            observed.max(interval)
        };
        self.pace.eta_secs = pages_left.map(|n| (n as f64 * per_page).ceil() as u64);
        let mut p = self.pace.clone();
        p.waiting = None;
        p
    }

    fn pages_left_by_position(&mut self, now_s: f64) -> Option<u64> {
        let pos = self.pace.position?;
        let Some((origin, at_page)) = self.origin else {
            self.origin = Some((pos, self.pages));
            return None;
        };
        let pages = self.pages.saturating_sub(at_page);
        let covered = pos.saturating_sub(origin);
        if pages == 0 || covered <= 0 {
            return None;
        }
        let per_page = covered as f64 / pages as f64;
        let end = now_s as i64 - EXPORT_LAG_SECS;
        let left = end.saturating_sub(pos).max(0) as f64;
        Some(((left / per_page).ceil() as u64).max(1))
    }
}

/// A clone of `client` whose waits for budget arrive on the receiver (the latest one; a
/// stream reports it as [`ProgressEvent::Waiting`](super::ProgressEvent::Waiting)).
pub(crate) fn observed(
    client: &zdkit::Client,
) -> (
    zdkit::Client,
    tokio::sync::watch::Receiver<Option<BudgetWait>>,
) {
    let (tx, rx) = tokio::sync::watch::channel(None);
    let client = client.observing_waits(std::sync::Arc::new(move |w: &BudgetWait| {
        // No receiver: the stream has ended; nobody to tell.
        let _ = tx.send(Some(w.clone()));
    }));
    (client, rx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zdkit::Timestamp;

    fn at(s: u64) -> Timestamp {
        Timestamp::from_unix_secs(s)
    }

    #[test]
    fn eta_from_position_and_bucket_rate() {
        let now = 1_000_000;
        let mut p = Pacer::new(at(now));
        let facts = |pos: i64| PageFacts {
            records: 1000,
            position: Some(pos),
            end: false,
            pages_left: None,
        };
        // First page: the origin, no estimate yet.
        let first = p.page(at(now + 1), facts(100_000));
        assert_eq!(first.pages_left, None);
        assert_eq!(first.eta_secs, None);
        // The export bucket at 10/min: a 6 s wait.
        let w = BudgetWait::new(
            "incremental-exports",
            Duration::from_secs(6),
            at(now + 1),
            Some(10),
            Duration::from_secs(60),
            zdkit::ratelimit::Lane::Background,
        );
        let waiting = p.wait(&w);
        assert_eq!(waiting.waiting, Some(Duration::from_secs(6)));
        assert_eq!(waiting.bucket.as_ref().unwrap().per_minute(), Some(10.0));
        // 100,000 s of data a page; 1,000,007 - 60 - 200,000 left: 8 pages at 6 s.
        let second = p.page(at(now + 7), facts(200_000));
        assert_eq!(second.pages_left, Some(8));
        assert_eq!(second.eta_secs, Some(48));
        assert_eq!(second.waiting, None);
        assert_eq!(second.waited, Duration::from_secs(6));
        assert!(second.records_per_sec.unwrap() > 0.0);
        let end = p.page(
            at(now + 13),
            PageFacts {
                end: true,
                ..facts(999_000)
            },
        );
        assert_eq!((end.pages_left, end.eta_secs), (Some(0), Some(0)));
    }

    #[test]
    fn a_total_count_wins() {
        let mut p = Pacer::new(at(0));
        let got = p.page(
            at(10),
            PageFacts {
                records: 100,
                position: None,
                end: false,
                pages_left: Some(4),
            },
        );
        // No bucket: the page time observed (10 s).
        assert_eq!((got.pages_left, got.eta_secs), (Some(4), Some(40)));
    }
}
