//! Announcing waits for budget as they begin: [`BudgetWait`] and [`WaitObserver`].
//!
//! A client made with [`Client::observing_waits`](crate::Client::observing_waits) tells
//! its observer, before each wait for rate-limit budget, which bucket holds the request
//! back, for how long, and at what rate the bucket refills. The observer belongs to that
//! clone only (its requests, and the exports and lists it starts), so a caller running
//! several streams of work on one budget can tell whose request waits; the budget itself
//! stays shared by every clone.
//!
//! ```
//! use std::sync::Arc;
//! use zdkit::ratelimit::BudgetWait;
//! # fn demo(client: zdkit::Client) {
//! let client = client.observing_waits(Arc::new(|w: &BudgetWait| {
//!     eprintln!("waiting {:?} for the `{}` bucket", w.wait, w.bucket);
//! }));
//! # let _ = client; }
//! ```

use std::time::Duration;

use zdkit_clock::Timestamp;

use super::Lane;

/// A wait for rate-limit budget, announced as it begins.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BudgetWait {
    /// The bucket that holds the request back (`incremental-exports`, `account`,
    /// `tickets-update:42`).
    pub bucket: String,
    /// How long the request will wait (on the client's clock).
    pub wait: Duration,
    /// When the wait ends.
    pub until: Timestamp,
    /// The bucket's limit per window as last known (learned from Zendesk's headers, else
    /// the documented default); `None` when unpublished and not yet reported.
    pub limit: Option<u32>,
    /// The bucket's window (one minute for most buckets).
    pub window: Duration,
    /// The lane of the waiting request.
    pub lane: Lane,
}

impl BudgetWait {
    /// A wait of `wait` from `now` for `bucket` (`limit` per `window`), for observers'
    /// own tests; the client makes these itself.
    ///
    /// ```
    /// use std::time::Duration;
    /// use zdkit::ratelimit::{BudgetWait, Lane};
    /// let w = BudgetWait::new("incremental-exports", Duration::from_secs(6),
    ///     zdkit::Timestamp::from_unix_secs(0), Some(10), Duration::from_secs(60), Lane::Background);
    /// assert_eq!(w.interval(), Some(Duration::from_secs(6)));
    /// ```
    pub fn new(
        bucket: impl Into<String>,
        wait: Duration,
        now: Timestamp,
        limit: Option<u32>,
        window: Duration,
        lane: Lane,
    ) -> Self {
        BudgetWait {
            bucket: bucket.into(),
            wait,
            until: now + wait,
            limit,
            window,
            lane,
        }
    }

    /// The time one request costs at the bucket's rate (`window / limit`), when the limit
    /// is known.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # fn demo(w: zdkit::ratelimit::BudgetWait) {
    /// // the incremental-exports bucket: 10 a minute, 6 s a request
    /// if let Some(each) = w.interval() { assert!(each > Duration::ZERO); }
    /// # }
    /// ```
    pub fn interval(&self) -> Option<Duration> {
        self.limit
            .filter(|l| *l > 0)
            .map(|l| self.window / l.max(1))
    }
}

/// Told of every wait for budget of the requests of one client clone
/// ([`Client::observing_waits`](crate::Client::observing_waits)). Called on the
/// request's task just before it sleeps: keep it cheap and never block.
pub trait WaitObserver: Send + Sync + 'static {
    /// A request is about to wait.
    fn waiting(&self, wait: &BudgetWait);
}

impl<F: Fn(&BudgetWait) + Send + Sync + 'static> WaitObserver for F {
    fn waiting(&self, wait: &BudgetWait) {
        self(wait)
    }
}
