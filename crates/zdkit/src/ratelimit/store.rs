//! Where the limiter state lives: [`BudgetStore`].
//!
//! The pipeline talks to the store only through this trait, so a store shared by many
//! processes (Redis, a database) can replace [`InProcessStore`] without touching callers.
//! The methods return boxed futures so such a store can do I/O.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::BoxFuture;
use zdkit_clock::Timestamp;

use super::headers::RateLimitHeaders;
use super::limiter::{BucketSnapshot, Limiter, Permit, WaitUntil};
use super::RequestClass;

/// What a response (or a failed attempt) told the limiter.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    /// The rate-limit headers of the response (empty after a transport failure).
    pub headers: RateLimitHeaders,
    /// The status, `None` when no response arrived.
    pub status: Option<u16>,
    /// `Retry-After`, resolved to a duration.
    pub retry_after: Option<Duration>,
}

/// Shared rate-limit state: one per account, shared by every clone of a client.
pub trait BudgetStore: Send + Sync + fmt::Debug + 'static {
    /// Take budget for one request of `class` at `now`, or say when to try again.
    fn acquire<'a>(
        &'a self,
        now: Timestamp,
        class: &'a RequestClass,
    ) -> BoxFuture<'a, Result<Permit, WaitUntil>>;

    /// Learn from the outcome of the request `permit` was granted for.
    fn observe<'a>(
        &'a self,
        now: Timestamp,
        permit: &'a Permit,
        observation: &'a Observation,
    ) -> BoxFuture<'a, ()>;

    /// Every bucket's state (for stats; may be approximate for remote stores).
    fn snapshot(&self) -> Vec<BucketSnapshot>;

    /// A future that completes after the next [`observe`](Self::observe) of any client
    /// sharing this store. It must register at call time (before it is polled), so that a
    /// caller may call `changed()`, then `acquire`, then await the change without missing
    /// it. Used when [`WaitUntil::after_response`] is set.
    fn changed(&self) -> BoxFuture<'_, ()>;
}

/// The in-process store: a [`Limiter`] behind a mutex (held only for microseconds, never
/// across an await).
#[derive(Debug)]
pub struct InProcessStore {
    limiter: Mutex<Limiter>,
    changed: tokio::sync::Notify,
}

impl InProcessStore {
    /// A store leaving `headroom` (0.0–0.5) of every window unused.
    pub fn new(headroom: f64) -> Self {
        InProcessStore {
            limiter: Mutex::new(Limiter::new(headroom)),
            changed: tokio::sync::Notify::new(),
        }
    }

    /// A store around a configured [`Limiter`].
    pub fn with_limiter(limiter: Limiter) -> Self {
        InProcessStore {
            limiter: Mutex::new(limiter),
            changed: tokio::sync::Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Limiter> {
        self.limiter.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl BudgetStore for InProcessStore {
    fn acquire<'a>(
        &'a self,
        now: Timestamp,
        class: &'a RequestClass,
    ) -> BoxFuture<'a, Result<Permit, WaitUntil>> {
        let result = self.lock().acquire(now, class);
        Box::pin(std::future::ready(result))
    }

    fn observe<'a>(
        &'a self,
        now: Timestamp,
        permit: &'a Permit,
        o: &'a Observation,
    ) -> BoxFuture<'a, ()> {
        self.lock()
            .observe(now, permit, &o.headers, o.status, o.retry_after);
        self.changed.notify_waiters();
        Box::pin(std::future::ready(()))
    }

    fn snapshot(&self) -> Vec<BucketSnapshot> {
        self.lock().snapshot()
    }

    fn changed(&self) -> BoxFuture<'_, ()> {
        // `Notified` registers for `notify_waiters` when created, not when first polled.
        Box::pin(self.changed.notified())
    }
}
