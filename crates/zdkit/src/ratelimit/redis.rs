//! [`RedisStore`]: one rate-limit budget shared by every process that calls an account.
//!
//! Every bucket of an account lives in Redis under `zdkit:budget:{<account>}:<bucket>`, as
//! the same state [`Limiter`](super::Limiter) keeps in process (limit and window learned
//! from headers, remaining as last observed, the paced schedule, requests in flight), and
//! `acquire` / `observe` are each one Lua script (`redis/*.lua`), atomic on the server, so
//! N processes pace as one client would. Time is the caller's clock, passed in; permits in
//! flight are leases that expire, so a process killed with `kill -9` returns its share
//! within [`RedisStoreBuilder::lease`].
//!
//! Failure is never an outage: when Redis cannot be reached, requests are paced by a local
//! [`Limiter`](super::Limiter) spending a reduced share of what the headers say remains
//! (a warning is logged), and the store rejoins the shared budget as soon as Redis
//! answers again. See `docs/design/rate-limiting.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::BoxFuture;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use zdkit_clock::Timestamp;

use super::limiter::{BucketSnapshot, Limiter, Permit, WaitUntil, DEFAULT_BACKGROUND_RESERVE};
use super::store::{BudgetStore, Observation};
use super::{BucketKey, Lane, Pacing, RequestClass, ACCOUNT};

mod fallback;
mod inspect;
use fallback::ShareMeter;
pub use inspect::{ClientUsage, SharedBudget};

const COMMON: &str = include_str!("redis/common.lua");
const ACQUIRE: &str = include_str!("redis/acquire.lua");
const OBSERVE: &str = include_str!("redis/observe.lua");
const INSPECT: &str = include_str!("redis/inspect.lua");

/// How long each Redis exchange may take (connect, or one script) before the store falls
/// back to local pacing. Real time: it bounds the network, not the account's windows.
const IO_TIMEOUT: Duration = Duration::from_millis(250);

/// What to do when Redis cannot be reached when the store is created.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum RedisFallback {
    /// Fail: [`RedisStoreBuilder::connect`] returns [`RedisStoreError::Unreachable`].
    Refuse,
    /// Pace locally, spending this share (0.01–1.0) of what the headers say remains,
    /// until Redis answers.
    Local {
        /// The share of each window's remaining budget this process may spend alone.
        share: f64,
    },
    /// Pace locally at this process's **measured** share of the shared budget: what it
    /// was granted through Redis in the last complete account window, over that window's
    /// usable budget (at least 0.02), so that N processes falling back together spend
    /// about one window's budget between them, not N × `share`; `share` until a complete
    /// window has been seen (a process that just started, or Redis down at start). The
    /// default, with a share of 0.5.
    Measured {
        /// The share to use before a complete window has been measured.
        share: f64,
    },
}

impl Default for RedisFallback {
    fn default() -> Self {
        RedisFallback::Measured { share: 0.5 }
    }
}

/// Why a [`RedisStore`] could not be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisStoreError {
    /// The URL is not `redis://HOST[:PORT][/DB]`.
    #[error("invalid budget URL {url:?}: {message} (expected redis://HOST:PORT[/DB])")]
    InvalidUrl {
        /// The URL as given (without any password).
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// Redis did not answer and the fallback policy is [`RedisFallback::Refuse`].
    #[error("the shared rate-limit budget at {url} is unreachable: {message}")]
    Unreachable {
        /// The URL (without any password).
        url: String,
        /// The Redis client's error.
        message: String,
    },
}

/// Builds a [`RedisStore`]: `RedisStore::builder(url, account).connect().await`.
#[derive(Debug, Clone)]
pub struct RedisStoreBuilder {
    url: String,
    account: String,
    headroom: f64,
    background_reserve: f64,
    lease: Duration,
    fallback: RedisFallback,
    label: String,
    retry_every: Duration,
    pacing: [Pacing; 3],
}

impl RedisStoreBuilder {
    /// Pace this process's requests of `lane` this way (each process chooses its own;
    /// the budget they spend is one). Default [`Pacing::default_for`] the lane.
    pub fn pacing(mut self, lane: Lane, pacing: Pacing) -> Self {
        self.pacing[usize::from(lane.index())] = pacing;
        self
    }

    /// Pace every lane as `policy` says.
    pub fn pacing_of(mut self, policy: &super::RateLimitPolicy) -> Self {
        for lane in Lane::ALL {
            self = self.pacing(lane, policy.pacing_of(lane));
        }
        self
    }

    /// Fraction (0.0–0.5) of each window left unused. Default 0.02 (as
    /// [`RateLimitPolicy`](super::RateLimitPolicy)).
    pub fn headroom(mut self, fraction: f64) -> Self {
        self.headroom = if fraction.is_finite() {
            fraction.clamp(0.0, 0.5)
        } else {
            0.02
        };
        self
    }

    /// The share of each window [`Lane::Background`] leaves to the other lanes. Default 0.2.
    pub fn background_reserve(mut self, fraction: f64) -> Self {
        self.background_reserve = super::limiter::sanitize_reserve(fraction);
        self
    }

    /// How long a permit counts as in flight without its response (caller's clock):
    /// the bound on what a killed process holds. Default 60 s; keep it above the
    /// longest request.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(100));
        self
    }

    /// What to do when Redis is unreachable (at start: [`RedisFallback::Refuse`] fails;
    /// mid-run every policy paces locally). Default [`RedisFallback::Measured`] with a
    /// share of 0.5.
    pub fn fallback(mut self, fallback: RedisFallback) -> Self {
        self.fallback = fallback;
        self
    }

    /// A short name for this process in the shared state (`zd limits`). Default `zdkit`.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// While Redis is unreachable, how often (caller's clock) to try it again. Default 1 s.
    pub fn retry_every(mut self, every: Duration) -> Self {
        self.retry_every = every;
        self
    }

    /// Connect. With [`RedisFallback::Local`] this fails only on a malformed URL: an
    /// unreachable Redis is logged and paced around.
    pub async fn connect(self) -> Result<RedisStore, RedisStoreError> {
        let refuse = self.fallback == RedisFallback::Refuse;
        let store = self.build()?;
        let ping: redis::RedisResult<String> = redis::cmd("PING")
            .query_async(&mut store.conn.clone())
            .await;
        if let Err(e) = ping {
            if refuse {
                return Err(RedisStoreError::Unreachable {
                    url: store.url.clone(),
                    message: e.to_string(),
                });
            }
            tracing::warn!(url = %store.url, error = %e, "the shared rate-limit budget is unreachable: pacing locally with a reduced share until it answers");
            *store.lock_mode() = Mode::Local {
                retry_at: None,
                since: None,
            };
        }
        Ok(store)
    }

    /// The store without contacting Redis (no async context needed to call it, but a tokio
    /// runtime must be running): the first request finds out whether Redis answers, and
    /// falls back to local pacing (with a warning) when it does not, whatever the policy.
    pub fn build(self) -> Result<RedisStore, RedisStoreError> {
        let shown = redact_url(&self.url);
        let info: redis::ConnectionInfo =
            redis::IntoConnectionInfo::into_connection_info(self.url.as_str()).map_err(|e| {
                RedisStoreError::InvalidUrl {
                    url: shown.clone(),
                    message: e.to_string(),
                }
            })?;
        let client = redis::Client::open(info).map_err(|e| RedisStoreError::InvalidUrl {
            url: shown.clone(),
            message: e.to_string(),
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(IO_TIMEOUT))
            .set_response_timeout(Some(IO_TIMEOUT))
            .set_number_of_retries(0)
            .set_max_delay(IO_TIMEOUT);
        let conn = ConnectionManager::new_lazy_with_config(client, config).map_err(|e| {
            RedisStoreError::InvalidUrl {
                url: shown.clone(),
                message: e.to_string(),
            }
        })?;
        let (share, measured) = match self.fallback {
            RedisFallback::Local { share } => (share, false),
            RedisFallback::Measured { share } => (share, true),
            RedisFallback::Refuse => (0.5, true),
        };
        let mut local = Limiter::new(self.headroom).background_reserve(self.background_reserve);
        for lane in Lane::ALL {
            local = local.pacing(lane, self.pacing[usize::from(lane.index())]);
        }
        local.set_share(share);
        let store = RedisStore {
            conn,
            url: shown.clone(),
            prefix: format!("zdkit:budget:{{{}}}:", self.account),
            client_id: format!(
                "{}:{}:{:04x}",
                self.label,
                std::process::id(),
                fastrand::u16(..)
            ),
            headroom: self.headroom,
            background_reserve: self.background_reserve,
            lease: self.lease,
            retry_every: self.retry_every,
            pacing: self.pacing,
            default_share: share,
            meter: measured.then(|| Mutex::new(ShareMeter::default())),
            acquire: redis::Script::new(&format!("{COMMON}{ACQUIRE}")),
            observe: redis::Script::new(&format!("{COMMON}{OBSERVE}")),
            inspect: redis::Script::new(&format!("{COMMON}{INSPECT}")),
            local: Mutex::new(local),
            mode: Mutex::new(Mode::Shared),
            mirror: Mutex::new(BTreeMap::new()),
            changed: tokio::sync::Notify::new(),
        };
        Ok(store)
    }
}

/// `redis://user:secret@host` → `redis://user:***@host`.
fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(unparseable URL)".to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// Redis answers.
    Shared,
    /// Redis did not answer: pace locally; try Redis again at `retry_at` (caller's clock;
    /// `None` = at the next request).
    Local {
        retry_at: Option<Timestamp>,
        since: Option<Timestamp>,
    },
}

/// A [`BudgetStore`] in Redis, shared by every process that uses the same account and URL.
/// See the [module docs](self).
pub struct RedisStore {
    conn: ConnectionManager,
    url: String,
    prefix: String,
    client_id: String,
    headroom: f64,
    background_reserve: f64,
    lease: Duration,
    retry_every: Duration,
    pacing: [Pacing; 3],
    default_share: f64,
    meter: Option<Mutex<ShareMeter>>,
    acquire: redis::Script,
    observe: redis::Script,
    inspect: redis::Script,
    local: Mutex<Limiter>,
    mode: Mutex<Mode>,
    mirror: Mutex<BTreeMap<String, BucketSnapshot>>,
    changed: tokio::sync::Notify,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.url)
            .field("prefix", &self.prefix)
            .field("client_id", &self.client_id)
            .field("mode", &*self.lock_mode())
            .finish_non_exhaustive()
    }
}

fn micros(t: Timestamp) -> i64 {
    i64::try_from(t.since_epoch().as_micros()).unwrap_or(i64::MAX)
}

fn dur_micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX / 4)
}

fn from_micros(us: i64) -> Timestamp {
    Timestamp::from_unix(Duration::from_micros(us.max(0).unsigned_abs()))
}

/// An absent figure is `-1` in the scripts.
fn opt(v: Option<u32>) -> i64 {
    v.map_or(-1, i64::from)
}

impl RedisStore {
    /// A builder for the budget of `account` (its host, e.g. `acme.zendesk.com`) in the
    /// Redis at `url` (`redis://HOST:PORT[/DB]`).
    pub fn builder(url: impl Into<String>, account: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.into(),
            account: account.into(),
            headroom: 0.02,
            background_reserve: DEFAULT_BACKGROUND_RESERVE,
            lease: Duration::from_secs(60),
            fallback: RedisFallback::default(),
            label: "zdkit".to_owned(),
            retry_every: Duration::from_secs(1),
            pacing: Pacing::defaults(),
        }
    }

    /// This process's id in the shared state.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Whether the store currently paces through Redis (`false`: local fallback).
    pub fn is_shared(&self) -> bool {
        *self.lock_mode() == Mode::Shared
    }

    fn lock_mode(&self) -> std::sync::MutexGuard<'_, Mode> {
        self.mode.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_local(&self) -> std::sync::MutexGuard<'_, Limiter> {
        self.local.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn key(&self, k: &BucketKey) -> String {
        format!("{}{}", self.prefix, k)
    }

    fn clients_key(&self) -> String {
        format!("{}~clients", self.prefix)
    }

    /// Whether to try Redis now (shared, or local and due for a retry).
    fn try_shared(&self, now: Timestamp) -> bool {
        match *self.lock_mode() {
            Mode::Shared => true,
            Mode::Local { retry_at, .. } => retry_at.is_none_or(|at| now >= at),
        }
    }

    /// Redis failed: go (or stay) local, with a warning on the way down.
    fn went_away(&self, now: Timestamp, e: &redis::RedisError) {
        let mut mode = self.lock_mode();
        if *mode == Mode::Shared {
            let share = self.fallback_share();
            self.lock_local().set_share(share);
            tracing::warn!(url = %self.url, error = %e, share, "the shared rate-limit budget stopped answering: pacing locally with a reduced share until it is back");
        }
        let since = match *mode {
            Mode::Local { since, .. } => since.or(Some(now)),
            Mode::Shared => Some(now),
        };
        *mode = Mode::Local {
            retry_at: Some(now + self.retry_every),
            since,
        };
    }

    /// The share to pace locally with: measured ([`RedisFallback::Measured`]) when a
    /// complete window was seen, else the configured one.
    fn fallback_share(&self) -> f64 {
        let Some(meter) = &self.meter else {
            return self.default_share;
        };
        let meter = *meter.lock().unwrap_or_else(|p| p.into_inner());
        let mirror = self.mirror.lock().unwrap_or_else(|p| p.into_inner());
        let Some(limit) = mirror.get(ACCOUNT).and_then(|b| b.limit) else {
            return self.default_share;
        };
        let usable = limit.saturating_sub((f64::from(limit) * self.headroom).ceil() as u32);
        meter.share(usable).unwrap_or(self.default_share)
    }

    fn came_back(&self) {
        let mut mode = self.lock_mode();
        if let Mode::Local { .. } = *mode {
            tracing::warn!(url = %self.url, "the shared rate-limit budget answers again: rejoined");
            *mode = Mode::Shared;
        }
    }

    fn acquire_local(&self, now: Timestamp, class: &RequestClass) -> Result<Permit, WaitUntil> {
        let mut p = self.lock_local().acquire(now, class)?;
        p.fallback = true;
        Ok(p)
    }

    async fn acquire_shared(
        &self,
        now: Timestamp,
        class: &RequestClass,
    ) -> redis::RedisResult<Result<Permit, WaitUntil>> {
        let lane_reserve = match class.lane {
            Lane::Background => self.background_reserve,
            Lane::Interactive | Lane::Normal => 0.0,
        };
        let mut inv = self.acquire.prepare_invoke();
        for spec in &class.buckets {
            inv.key(self.key(&spec.key));
        }
        inv.key(self.clients_key());
        inv.arg(micros(now))
            .arg(self.headroom)
            .arg(dur_micros(self.lease))
            .arg(class.lane.index())
            .arg(lane_reserve)
            .arg(&self.client_id)
            .arg(dur_micros(super::limiter::INTERACTIVE_HOLD))
            .arg(u8::from(
                self.pacing[usize::from(class.lane.index())] == Pacing::Eager,
            ));
        for spec in &class.buckets {
            inv.arg(spec.key.to_string())
                .arg(u8::from(
                    spec.key.name == ACCOUNT && spec.key.scope.is_none(),
                ))
                .arg(opt(spec.limit))
                .arg(dur_micros(spec.window));
        }
        let out: Vec<String> = inv.invoke_async(&mut self.conn.clone()).await?;
        let num = |i: usize| out.get(i).and_then(|s| s.parse::<i64>().ok()).unwrap_or(-1);
        if num(0) == 1 {
            if let (Some(meter), Some(i)) = (
                &self.meter,
                class
                    .buckets
                    .iter()
                    .position(|s| s.key.name == ACCOUNT && s.key.scope.is_none()),
            ) {
                let epoch = num(1 + 2 * i).max(0).unsigned_abs();
                meter.lock().unwrap_or_else(|p| p.into_inner()).grant(epoch);
            }
            let buckets = class
                .buckets
                .iter()
                .enumerate()
                .map(|(i, spec)| {
                    let epoch = num(1 + 2 * i).max(0).unsigned_abs();
                    let seq = num(2 + 2 * i).max(0).unsigned_abs();
                    (spec.key.clone(), epoch, seq)
                })
                .collect();
            return Ok(Ok(Permit {
                buckets,
                issued_at: now,
                fallback: false,
            }));
        }
        let bucket = out.get(2).cloned().unwrap_or_else(|| ACCOUNT.to_owned());
        let mut at = from_micros(num(1));
        if num(3) == 1 {
            // Another process's response may be the one to wait for, and its arrival is
            // not signalled here: look again after about half a paced gap.
            let gap = class
                .buckets
                .first()
                .and_then(|s| s.limit.map(|l| s.window / l.max(1) / 2))
                .unwrap_or(Duration::from_millis(100))
                .clamp(Duration::from_millis(20), Duration::from_secs(1));
            at = at.max(now + gap);
        }
        Ok(Err(WaitUntil {
            at,
            bucket,
            after_response: false,
        }))
    }

    async fn observe_shared(
        &self,
        now: Timestamp,
        permit: &Permit,
        o: &Observation,
    ) -> redis::RedisResult<()> {
        let reported: Vec<(&str, &super::Window)> = o
            .headers
            .account
            .iter()
            .map(|w| (ACCOUNT, w))
            .chain(o.headers.buckets.iter().map(|(n, w)| (n.as_str(), w)))
            .collect();
        let mut inv = self.observe.prepare_invoke();
        for (k, _, _) in &permit.buckets {
            inv.key(self.key(k));
        }
        inv.arg(micros(now))
            .arg(o.status.map_or(-1, i64::from))
            .arg(o.retry_after.map_or(-1, dur_micros))
            .arg(reported.len());
        for (k, epoch, seq) in &permit.buckets {
            inv.arg(k.name.as_ref())
                .arg(u8::from(k.scope.is_some()))
                .arg(*epoch)
                .arg(*seq);
        }
        for (name, w) in &reported {
            inv.arg(*name)
                .arg(opt(w.limit))
                .arg(opt(w.remaining))
                .arg(w.reset.map_or(-1, dur_micros));
        }
        let out: Vec<String> = inv.invoke_async(&mut self.conn.clone()).await?;
        let num = |i: usize| out.get(i).and_then(|s| s.parse::<i64>().ok()).unwrap_or(-1);
        let mut mirror = self.mirror.lock().unwrap_or_else(|p| p.into_inner());
        for (i, (k, _, _)) in permit.buckets.iter().enumerate() {
            let b = 6 * i;
            if num(b + 2) < 0 {
                continue;
            }
            let closed = num(b + 4);
            mirror.insert(
                k.to_string(),
                BucketSnapshot {
                    bucket: k.to_string(),
                    limit: u32::try_from(num(b)).ok(),
                    remaining: u32::try_from(num(b + 1)).unwrap_or(u32::MAX),
                    reset_at: from_micros(num(b + 2)),
                    in_flight: u32::try_from(num(b + 3)).unwrap_or(0),
                    closed_until: (closed >= 0).then(|| from_micros(closed)),
                    learned: num(b + 5) == 1,
                },
            );
        }
        Ok(())
    }
}

impl BudgetStore for RedisStore {
    fn acquire<'a>(
        &'a self,
        now: Timestamp,
        class: &'a RequestClass,
    ) -> BoxFuture<'a, Result<Permit, WaitUntil>> {
        Box::pin(async move {
            if self.try_shared(now) {
                match self.acquire_shared(now, class).await {
                    Ok(r) => {
                        self.came_back();
                        return r;
                    }
                    Err(e) => self.went_away(now, &e),
                }
            }
            self.acquire_local(now, class)
        })
    }

    fn observe<'a>(
        &'a self,
        now: Timestamp,
        permit: &'a Permit,
        o: &'a Observation,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if permit.fallback {
                self.lock_local()
                    .observe(now, permit, &o.headers, o.status, o.retry_after);
            } else {
                if let Err(e) = self.observe_shared(now, permit, o).await {
                    // The lease in Redis (if Redis kept it) expires on its own.
                    self.went_away(now, &e);
                }
            }
            self.changed.notify_waiters();
        })
    }

    fn snapshot(&self) -> Vec<BucketSnapshot> {
        if self.is_shared() {
            self.mirror
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .values()
                .cloned()
                .collect()
        } else {
            self.lock_local().snapshot()
        }
    }

    fn changed(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.changed.notified())
    }
}
