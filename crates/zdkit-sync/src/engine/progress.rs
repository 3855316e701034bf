//! How the engine reports what it does ([`Progress`]) and how it is asked to stop
//! ([`CancelToken`]). The engine never prints: a command line renders these events.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

use super::{StreamPace, StreamReport};
use crate::store::{Checkpoint, PageStats, Stream};

/// One thing that happened during a sync.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ProgressEvent<'a> {
    /// A stream is about to send its first request.
    StreamStarted {
        /// The stream.
        stream: Stream,
        /// The stored checkpoint it resumes from (`None`: a first run from `since`).
        resume_from: Option<&'a Checkpoint>,
    },
    /// A page and its checkpoint were committed to the store.
    PageWritten {
        /// The stream.
        stream: Stream,
        /// What the store did with the page.
        page: PageStats,
        /// The stream's totals so far.
        totals: &'a StreamReport,
        /// Its rate, the bucket it last waited on, pages left and ETA.
        pace: &'a StreamPace,
    },
    /// A request of the stream is about to wait for rate-limit budget: which bucket, how
    /// long (`wait`), and the stream's pace (`pace.waiting` set). A page written ends it.
    Waiting {
        /// The stream.
        stream: Stream,
        /// The wait, as the client announced it.
        wait: &'a zdkit::ratelimit::BudgetWait,
        /// The stream's totals so far.
        totals: &'a StreamReport,
        /// The stream's pace, its ETA at least the wait.
        pace: &'a StreamPace,
    },
    /// A backfill's plan or progress ([`crate::backfill`]).
    Backfill(crate::backfill::BackfillEvent<'a>),
    /// A stream finished: caught up (`totals.complete`), cancelled, or failed.
    StreamFinished {
        /// The stream.
        stream: Stream,
        /// The stream's totals.
        totals: &'a StreamReport,
    },
}

/// Receives [`ProgressEvent`]s. Called from the engine's task, between pages; keep it
/// cheap.
pub trait Progress: Send + Sync {
    /// One event.
    fn event(&self, event: &ProgressEvent<'_>);
}

/// A [`Progress`] that ignores every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn event(&self, _event: &ProgressEvent<'_>) {}
}

impl<F: Fn(&ProgressEvent<'_>) + Send + Sync> Progress for F {
    fn event(&self, event: &ProgressEvent<'_>) {
        self(event)
    }
}

/// Asks a running sync to stop after the page it is writing (clones share the flag).
///
/// Checked between pages; a wait for rate-limit budget or a request in flight is
/// abandoned at once (nothing of an unwritten page is stored, so the next run refetches
/// it from the checkpoint).
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    inner: Arc<CancelInner>,
}

#[derive(Debug, Default)]
struct CancelInner {
    flag: AtomicBool,
    notify: Notify,
}

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests the stop.
    pub fn cancel(&self) {
        self.inner.flag.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.flag.load(Ordering::SeqCst)
    }

    /// Completes once [`cancel`](Self::cancel) is called.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cancelled_wakes_waiters_and_sticks() {
        let t = CancelToken::new();
        assert!(!t.is_cancelled());
        let waiter = {
            let t = t.clone();
            tokio::spawn(async move { t.cancelled().await })
        };
        tokio::task::yield_now().await;
        t.cancel();
        waiter.await.unwrap();
        assert!(t.is_cancelled());
        t.cancelled().await; // already cancelled: returns at once
    }
}
