//! The one clock abstraction used by every crate of zdkit.
//!
//! Nothing in zdkit reads ambient time (`Instant::now`, `SystemTime::now`) or sleeps
//! through `tokio::time::sleep` directly: clippy's `disallowed-methods` bans them outside
//! this crate. Instead every wait and timestamp goes through a [`Clock`]:
//!
//! * [`SystemClock`]: real time (monotonic, anchored to the wall clock once at start).
//! * [`ScaledClock`]: virtual time running `K` times faster than real time, so a client
//!   can talk to `zd sim --time-scale K` on the simulator's own virtual seconds.
//! * [`ManualClock`]: time moves only when a test says so ([`ManualClock::advance`]), or,
//!   in auto-advance mode, jumps forward to the deadline of whoever sleeps. Tests never
//!   sleep in real time.
//!
//! Time is expressed as a [`Timestamp`]: a duration since the Unix epoch, in the clock's
//! (possibly virtual) seconds.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::ops::{Add, Sub};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// A point in (possibly virtual) time: the duration since the Unix epoch.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(Duration);

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp(Duration::ZERO);

    /// A timestamp `d` after the Unix epoch.
    pub const fn from_unix(d: Duration) -> Self {
        Timestamp(d)
    }

    /// A timestamp at whole Unix seconds.
    pub const fn from_unix_secs(secs: u64) -> Self {
        Timestamp(Duration::from_secs(secs))
    }

    /// The duration since the Unix epoch.
    pub const fn since_epoch(self) -> Duration {
        self.0
    }

    /// Whole seconds since the Unix epoch (rounded down).
    pub const fn unix_secs(self) -> u64 {
        self.0.as_secs()
    }

    /// Seconds since the Unix epoch, fractional.
    pub fn unix_secs_f64(self) -> f64 {
        self.0.as_secs_f64()
    }

    /// `self - earlier`, or zero when `earlier` is later than `self`.
    pub fn saturating_since(self, earlier: Timestamp) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({:.3}s)", self.0.as_secs_f64())
    }
}

/// Saturating: a duration a server chose (`Retry-After: 18446744073709551615`) can never
/// panic; the result is at most the far end of time.
impl Add<Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, rhs: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(rhs))
    }
}

impl Sub<Duration> for Timestamp {
    type Output = Timestamp;
    fn sub(self, rhs: Duration) -> Timestamp {
        Timestamp(self.0.saturating_sub(rhs))
    }
}

/// A boxed sleep future.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The clock seam: current time and waiting, both in the clock's own seconds.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> Timestamp;

    /// A future that completes once `duration` of this clock's time has passed.
    fn sleep(&self, duration: Duration) -> Sleep;

    /// A future that completes once this clock reaches `deadline`.
    fn sleep_until(&self, deadline: Timestamp) -> Sleep {
        self.sleep(deadline.saturating_since(self.now()))
    }

    /// How many clock seconds pass per real second (1 for real time). Informational.
    fn time_scale(&self) -> f64 {
        1.0
    }
}

/// A clock shared between clones of a client, tasks and the simulator.
pub type SharedClock = Arc<dyn Clock>;

/// Real time. Monotonic: the wall clock is read once, at construction, and time then
/// advances with the monotonic clock, so NTP steps cannot move it backwards.
///
/// Equivalent to a [`ScaledClock`] with scale 1.
#[derive(Debug)]
pub struct SystemClock(ScaledClock);

impl SystemClock {
    /// A clock anchored to the current wall-clock time.
    pub fn new() -> Self {
        SystemClock(ScaledClock::new(1.0))
    }

    /// A [`SharedClock`] of real time.
    pub fn shared() -> SharedClock {
        Arc::new(Self::new())
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        self.0.now()
    }
    fn sleep(&self, duration: Duration) -> Sleep {
        self.0.sleep(duration)
    }
}

/// Virtual time running `scale` times faster than real time.
///
/// `now()` is `origin + real_elapsed × scale + offset`; `sleep(d)` waits `d / scale` real
/// seconds. The origin defaults to the wall-clock time at construction. [`ScaledClock::advance`]
/// jumps virtual time forward (the simulator's admin API uses it); sleeps already under way
/// are not shortened by a jump.
pub struct ScaledClock {
    origin: Timestamp,
    started: std::time::Instant,
    scale: f64,
    offset_nanos: AtomicU64,
}

impl fmt::Debug for ScaledClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScaledClock")
            .field("scale", &self.scale)
            .field("now", &self.now())
            .finish()
    }
}

impl ScaledClock {
    /// Virtual time starting at the current wall-clock time, running `scale` times faster.
    ///
    /// # Panics
    /// When `scale` is not a finite number greater than zero.
    #[allow(clippy::disallowed_methods)] // the one place that reads the wall clock
    pub fn new(scale: f64) -> Self {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Self::starting_at(Timestamp(wall), scale)
    }

    /// Virtual time starting at `origin`, running `scale` times faster than real time.
    ///
    /// # Panics
    /// When `scale` is not a finite number greater than zero.
    #[allow(clippy::disallowed_methods)] // the one place that reads the monotonic clock
    pub fn starting_at(origin: Timestamp, scale: f64) -> Self {
        assert!(
            scale.is_finite() && scale > 0.0,
            "time scale must be a positive number, got {scale}"
        );
        ScaledClock {
            origin,
            started: std::time::Instant::now(),
            scale,
            offset_nanos: AtomicU64::new(0),
        }
    }

    /// Virtual time that every process constructing it with the same `anchor` and `scale`
    /// agrees on: `anchor + (wall − anchor) × scale`. Processes started at different times
    /// then share one virtual time (a budget shared through Redis needs that); with
    /// [`ScaledClock::new`] each process's virtual time starts at its own start.
    ///
    /// # Panics
    /// When `scale` is not a finite number greater than zero.
    #[allow(clippy::disallowed_methods)] // the one place that reads the wall clock
    pub fn anchored(anchor: Timestamp, scale: f64) -> Self {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let since = wall.saturating_sub(anchor.0);
        let virt = if scale.is_finite() && scale > 0.0 {
            since.mul_f64(scale)
        } else {
            since
        };
        Self::starting_at(anchor + virt, scale)
    }

    /// A [`SharedClock`] running `scale` times faster than real time.
    pub fn shared(scale: f64) -> SharedClock {
        Arc::new(Self::new(scale))
    }

    /// Jump virtual time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.offset_nanos.fetch_add(nanos, Ordering::SeqCst);
    }

    /// The scale factor.
    pub fn scale(&self) -> f64 {
        self.scale
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> Timestamp {
        let real = self.started.elapsed();
        let virt = if self.scale == 1.0 {
            real
        } else {
            scale_duration(real, self.scale)
        };
        self.origin + virt + Duration::from_nanos(self.offset_nanos.load(Ordering::SeqCst))
    }

    #[allow(clippy::disallowed_methods)] // the one place that sleeps in real time
    fn sleep(&self, duration: Duration) -> Sleep {
        let real = if self.scale == 1.0 {
            duration
        } else {
            scale_duration(duration, 1.0 / self.scale)
        };
        // tokio treats a deadline beyond its range as "far future": no overflow.
        Box::pin(tokio::time::sleep(real))
    }

    fn time_scale(&self) -> f64 {
        self.scale
    }
}

/// `d × k`, saturating at [`Duration::MAX`] (never the panic of `Duration::mul_f64`).
fn scale_duration(d: Duration, k: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * k).unwrap_or(if k > 0.0 {
        Duration::MAX
    } else {
        Duration::ZERO
    })
}

/// Time that moves only when told to. For tests.
///
/// * [`ManualClock::advance`] / [`ManualClock::set`] move time and wake every sleeper whose
///   deadline has passed.
/// * In auto-advance mode ([`ManualClock::auto_advancing`]), a sleep moves time forward to
///   its own deadline at once, so code that waits runs instantly yet sees time pass exactly
///   as it asked. Share one auto-advancing clock between a client and an in-process
///   simulator and the simulator's windows open exactly when the client's waits end.
#[derive(Clone)]
pub struct ManualClock {
    inner: Arc<ManualInner>,
}

struct ManualInner {
    auto_advance: bool,
    state: Mutex<ManualState>,
}

struct ManualState {
    now: Timestamp,
    next_id: u64,
    sleepers: BTreeMap<(Timestamp, u64), Waker>,
    slept: Duration,
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("ManualClock")
            .field("now", &st.now)
            .field("auto_advance", &self.inner.auto_advance)
            .field("sleepers", &st.sleepers.len())
            .finish()
    }
}

impl ManualClock {
    /// A manual clock at `start` that moves only through [`advance`](Self::advance) and
    /// [`set`](Self::set).
    pub fn new(start: Timestamp) -> Self {
        Self::build(start, false)
    }

    /// A manual clock at `start` where every sleep advances time to its deadline at once.
    pub fn auto_advancing(start: Timestamp) -> Self {
        Self::build(start, true)
    }

    fn build(start: Timestamp, auto_advance: bool) -> Self {
        ManualClock {
            inner: Arc::new(ManualInner {
                auto_advance,
                state: Mutex::new(ManualState {
                    now: start,
                    next_id: 0,
                    sleepers: BTreeMap::new(),
                    slept: Duration::ZERO,
                }),
            }),
        }
    }

    /// This clock as a [`SharedClock`] (the same underlying time).
    pub fn shared(&self) -> SharedClock {
        Arc::new(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Move time forward by `by`, waking every sleeper whose deadline has come.
    pub fn advance(&self, by: Duration) {
        let mut st = self.lock();
        let target = st.now + by;
        Self::move_to(&mut st, target);
    }

    /// Set the time to `to` (never backwards: an earlier `to` is ignored).
    pub fn set(&self, to: Timestamp) {
        let mut st = self.lock();
        Self::move_to(&mut st, to);
    }

    fn move_to(st: &mut ManualState, to: Timestamp) {
        if to <= st.now {
            return;
        }
        st.now = to;
        let still_waiting = st.sleepers.split_off(&(to, u64::MAX));
        let due = std::mem::replace(&mut st.sleepers, still_waiting);
        for (_, waker) in due {
            waker.wake();
        }
    }

    /// How many sleepers are waiting.
    pub fn sleepers(&self) -> usize {
        self.lock().sleepers.len()
    }

    /// Total time requested through `sleep` so far (whether or not it has passed).
    pub fn total_slept(&self) -> Duration {
        self.lock().slept
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.lock().now
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        let deadline = {
            let mut st = self.lock();
            st.slept = st.slept.saturating_add(duration);
            let deadline = st.now + duration;
            if self.inner.auto_advance {
                Self::move_to(&mut st, deadline);
            }
            deadline
        };
        Box::pin(ManualSleep {
            clock: self.clone(),
            deadline,
            id: None,
        })
    }

    fn sleep_until(&self, deadline: Timestamp) -> Sleep {
        let now = self.now();
        self.sleep(deadline.saturating_since(now))
    }
}

struct ManualSleep {
    clock: ManualClock,
    deadline: Timestamp,
    id: Option<u64>,
}

impl Future for ManualSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let clock = self.clock.clone();
        let mut st = clock.lock();
        if st.now >= self.deadline {
            if let Some(id) = self.id.take() {
                st.sleepers.remove(&(self.deadline, id));
            }
            return Poll::Ready(());
        }
        let id = match self.id {
            Some(id) => id,
            None => {
                let id = st.next_id;
                st.next_id += 1;
                self.id = Some(id);
                id
            }
        };
        st.sleepers.insert((self.deadline, id), cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for ManualSleep {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.clock.lock().sleepers.remove(&(self.deadline, id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn time_arithmetic_saturates_instead_of_panicking() {
        let t = Timestamp::from_unix_secs(1_700_000_000);
        assert_eq!(t + Duration::MAX, Timestamp::from_unix(Duration::MAX));
        assert_eq!(
            t + Duration::from_secs(u64::MAX),
            Timestamp::from_unix(Duration::MAX)
        );
        assert_eq!(scale_duration(Duration::MAX, 1e9), Duration::MAX);
        assert_eq!(
            scale_duration(Duration::from_secs(1), 1e-30),
            Duration::ZERO
        );
        let c = ScaledClock::new(1e300);
        let _ = c.now();
        let c = ScaledClock::new(1e-300);
        drop(c.sleep(Duration::from_secs(u64::MAX)));
        let m = ManualClock::auto_advancing(t);
        drop(m.sleep(Duration::MAX));
        drop(m.sleep(Duration::MAX));
    }

    #[tokio::test]
    async fn manual_sleep_waits_until_advanced() {
        let clock = ManualClock::new(Timestamp::from_unix_secs(1000));
        let c2 = clock.clone();
        let task = tokio::spawn(async move {
            c2.sleep(Duration::from_secs(10)).await;
            c2.now()
        });
        tokio::task::yield_now().await;
        while clock.sleepers() == 0 {
            tokio::task::yield_now().await;
        }
        clock.advance(Duration::from_secs(9));
        tokio::task::yield_now().await;
        assert!(!task.is_finished());
        clock.advance(Duration::from_secs(1));
        let woke_at = task.await.unwrap();
        assert_eq!(woke_at, Timestamp::from_unix_secs(1010));
        assert_eq!(clock.sleepers(), 0);
    }

    #[tokio::test]
    async fn auto_advance_jumps_to_deadline() {
        let clock = ManualClock::auto_advancing(Timestamp::from_unix_secs(0));
        clock.sleep(Duration::from_secs(61)).await;
        assert_eq!(clock.now(), Timestamp::from_unix_secs(61));
        clock.sleep_until(Timestamp::from_unix_secs(100)).await;
        assert_eq!(clock.now(), Timestamp::from_unix_secs(100));
        assert_eq!(clock.total_slept(), Duration::from_secs(100));
    }

    #[test]
    fn set_never_goes_backwards() {
        let clock = ManualClock::new(Timestamp::from_unix_secs(50));
        clock.set(Timestamp::from_unix_secs(10));
        assert_eq!(clock.now(), Timestamp::from_unix_secs(50));
    }

    #[test]
    fn scaled_clock_advance_moves_time() {
        let clock = ScaledClock::starting_at(Timestamp::from_unix_secs(100), 1000.0);
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now().saturating_since(before) >= Duration::from_secs(3600));
    }

    #[tokio::test(start_paused = true)]
    #[allow(clippy::disallowed_methods)] // reads tokio's paused clock to check the real wait
    async fn scaled_sleep_waits_duration_over_scale_in_real_time() {
        // 600 virtual seconds at scale 60 is 10 real seconds: tokio's paused clock
        // measures the real wait without the test sleeping at all.
        let clock = ScaledClock::starting_at(Timestamp::from_unix_secs(0), 60.0);
        let started = tokio::time::Instant::now();
        clock.sleep(Duration::from_secs(600)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(10));
    }

    #[test]
    fn anchored_clocks_agree() {
        let anchor = Timestamp::from_unix_secs(1_700_000_000);
        let a = ScaledClock::anchored(anchor, 60.0);
        let b = ScaledClock::anchored(anchor, 60.0);
        let (ta, tb) = (a.now(), b.now());
        let skew = ta.saturating_since(tb).max(tb.saturating_since(ta));
        assert!(skew < Duration::from_secs(5), "{skew:?}");
        assert!(ta > SystemClock::new().now());
    }

    #[test]
    #[should_panic(expected = "time scale must be a positive number")]
    fn zero_scale_is_rejected() {
        let _ = ScaledClock::new(0.0);
    }
}
