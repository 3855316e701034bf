//! [`SimState`]: data, clock, limiter, faults and stats behind one `Arc`.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use zdkit_clock::{ScaledClock, SharedClock};

use crate::config::SimConfig;
use crate::data::{jobs, Db, Seeds};
use crate::faults::Faults;
use crate::limits::RateLimiter;
use crate::stats::Stats;

/// The simulator's shared state. Cheap to clone.
#[derive(Clone)]
pub struct SimState(Arc<Inner>);

struct Inner {
    config: SimConfig,
    clock: SharedClock,
    seeds: Seeds,
    db: RwLock<Db>,
    /// Virtual ms at which the next job completes (`u64::MAX`: none pending).
    next_due: AtomicU64,
    limiter: Mutex<RateLimiter>,
    faults: Mutex<Faults>,
    stats: Arc<Stats>,
    /// Webhook deliveries (`crate::delivery`).
    outbox: crate::delivery::Outbox,
    /// The clock built here (not passed in the config), which `/__sim/clock` can advance.
    scaled: Option<Arc<ScaledClock>>,
}

impl std::fmt::Debug for SimState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimState")
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}

impl SimState {
    /// Builds the state; generation is lazy, so this is fast for any number of records.
    pub fn new(config: SimConfig) -> SimState {
        // The limits stream keeps a handle on a clock it builds, so `/__sim/clock` can advance it.
        let scaled = config.clock.is_none().then(|| {
            let scale = if config.time_scale.is_finite() && config.time_scale > 0.0 {
                config.time_scale
            } else {
                1.0
            };
            Arc::new(ScaledClock::new(scale))
        });
        let clock = match (&config.clock, &scaled) {
            (Some(c), _) => c.clone(),
            (None, Some(s)) => s.clone() as SharedClock,
            (None, None) => Arc::new(ScaledClock::new(1.0)) as SharedClock,
        };
        let agents = 8;
        let seeds = Seeds {
            seed: config.seed,
            t0: clock.now().unix_secs(),
            tickets: config.tickets,
            users: config.users.max(agents + 4),
            organizations: config.organizations.max(1),
            groups: 10,
            agents,
            admin_email: config.admin_email.clone(),
            end_user_email: config.end_user_email.clone(),
            split_updated: config.quirks.split_updated_at,
            closed_bp: None,
            closed_before: None,
        };
        let days = config.quirks.archive_after_days;
        let seeds = match config.archived_percent {
            Some(p) if config.archived_oldest => Seeds {
                closed_before: crate::data::tickets::closed_before_for(&seeds, p, days),
                ..seeds
            },
            Some(p) => Seeds {
                closed_bp: crate::data::tickets::closed_bp_for(&seeds, p, days),
                ..seeds
            },
            None => seeds,
        };
        let db = Db::new(&seeds);
        SimState(Arc::new(Inner {
            limiter: Mutex::new(RateLimiter::new(config.plan, config.background_rpm)),
            faults: Mutex::new({
                let mut f = Faults::new(config.faults.clone());
                f.set_origin(clock.now());
                f
            }),
            scaled,
            stats: Arc::new(Stats::default()),
            outbox: crate::delivery::Outbox::default(),
            config,
            clock,
            seeds,
            db: RwLock::new(db),
            next_due: AtomicU64::new(u64::MAX),
        }))
    }

    /// The clock (virtual time).
    pub fn clock(&self) -> &SharedClock {
        &self.0.clock
    }

    /// Whether [`SimState::advance_clock`] can move the clock.
    pub(crate) fn clock_advanceable(&self) -> bool {
        self.0.scaled.is_some()
    }

    /// Jumps virtual time forward by `by`; `false` when the clock was passed in
    /// [`SimConfig::clock`] (its owner advances it).
    pub(crate) fn advance_clock(&self, by: std::time::Duration) -> bool {
        match &self.0.scaled {
            Some(c) => {
                c.advance(by);
                true
            }
            None => false,
        }
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &SimConfig {
        &self.0.config
    }

    /// The rate limiter.
    pub(crate) fn limiter(&self) -> &Mutex<RateLimiter> {
        &self.0.limiter
    }

    /// The fault injector.
    pub(crate) fn faults(&self) -> &Mutex<Faults> {
        &self.0.faults
    }

    /// Webhook deliveries.
    pub(crate) fn outbox(&self) -> &crate::delivery::Outbox {
        &self.0.outbox
    }

    /// Request statistics.
    pub(crate) fn stats(&self) -> &Stats {
        &self.0.stats
    }

    pub(crate) fn seeds(&self) -> &Seeds {
        &self.0.seeds
    }

    /// Virtual now, whole Unix seconds.
    pub(crate) fn now_secs(&self) -> u64 {
        self.0.clock.now().unix_secs()
    }

    /// Virtual now, Unix milliseconds.
    pub(crate) fn now_ms(&self) -> u64 {
        u64::try_from(self.0.clock.now().since_epoch().as_millis()).unwrap_or(u64::MAX)
    }

    fn settle_if_due(&self) {
        let now = self.now_ms();
        if now >= self.0.next_due.load(Ordering::SeqCst) {
            drop(self.write());
        }
    }

    /// Read access to the data (completing due jobs first).
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Db> {
        self.settle_if_due();
        self.0.db.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Write access to the data (completing due jobs first).
    pub(crate) fn write(&self) -> DbWrite<'_> {
        let mut guard = self.0.db.write().unwrap_or_else(|p| p.into_inner());
        let now = self.now_ms();
        if now >= self.0.next_due.load(Ordering::SeqCst) {
            jobs::settle(&mut guard, &self.0.seeds, now);
        }
        DbWrite { guard, state: self }
    }

    /// The quirks in force.
    pub(crate) fn quirks(&self) -> &crate::config::Quirks {
        &self.0.config.quirks
    }

    /// Whether ticket `id` is archived now ([`Db::is_archived`] with the configured
    /// `archive_after_days`): for every list that leaves archived tickets out.
    pub(crate) fn is_archived(&self, db: &Db, id: u64) -> bool {
        db.is_archived(
            &self.0.seeds,
            id,
            self.now_secs(),
            self.0.config.quirks.archive_after_days,
        )
    }

    /// Drops every write: back to the generated state.
    pub(crate) fn reset(&self) {
        let mut db = self.write();
        *db = Db::new(&self.0.seeds);
        db.jobs.clear();
        self.0.outbox.clear();
    }
}

/// A write guard that records when the next job is due on release.
pub(crate) struct DbWrite<'a> {
    guard: RwLockWriteGuard<'a, Db>,
    state: &'a SimState,
}

impl Deref for DbWrite<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.guard
    }
}

impl DerefMut for DbWrite<'_> {
    fn deref_mut(&mut self) -> &mut Db {
        &mut self.guard
    }
}

impl Drop for DbWrite<'_> {
    fn drop(&mut self) {
        if !self.guard.ticket_changes.is_empty() {
            let changes = std::mem::take(&mut self.guard.ticket_changes);
            let inner = &self.state.0;
            crate::delivery::enqueue(
                &inner.outbox,
                &inner.clock,
                &inner.stats,
                &self.guard,
                &inner.seeds,
                changes,
            );
        }
        self.state
            .0
            .next_due
            .store(self.guard.jobs.next_due(), Ordering::SeqCst);
    }
}
