//! The limiter: a pure state machine with time passed in.
//!
//! Per bucket it keeps the limit, an estimate of what is left in the current window, when
//! the window resets, and how many requests are in flight. Zendesk's windows are fixed
//! (60 s for the account) and `ratelimit-reset` / `resets=` say how many whole seconds
//! are left, so:
//!
//! * **Pacing, not bursting.** The next request of a bucket may go at
//!   `last_send + (reset_at − last_send) / (remaining − reserve)`: what is left is spread
//!   evenly over the time left, so the window's budget runs out exactly as it resets.
//! * **In-flight requests count.** A response's `remaining` does not include requests
//!   still in flight, so the estimate becomes `remaining − (requests granted after this
//!   one and still in flight)`; those granted before it most likely reached Zendesk first
//!   and are already counted (reordering is absorbed by the headroom and the next response).
//! * **Reset guard.** The server's reset is whole seconds; the estimate adds
//!   [`RESET_GUARD`] so a new window is never assumed before the server's has begun. The
//!   pacing uses the whole new window, so the guard costs no throughput.
//! * **Headroom.** `ceil(limit × headroom)` of each window is never used.
//! * **429.** The bucket at fault is closed until `Retry-After`.
//! * **Learning.** Each response's headers replace the assumed limit, remaining and reset.
//!   Buckets whose limit is unpublished are enforced once a header reports them.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use zdkit_clock::Timestamp;

use super::headers::{RateLimitHeaders, Window};
use super::{BucketKey, Lane, Pacing, RequestClass, ACCOUNT};

/// Added to every reset time learned from a header (whole seconds are reported).
pub const RESET_GUARD: Duration = Duration::from_secs(1);

/// How many paced slots a late sender may catch up on (see `Bucket::schedule_slot`).
const CATCH_UP_SLOTS: u32 = 4;

/// Marker returned by `ready_at` for "wait for a response".
const PROBE: Timestamp = Timestamp::from_unix_secs(u64::MAX / 4);

/// Scoped buckets (per ticket, per user) beyond this many are pruned once idle.
const MAX_SCOPED: usize = 4096;

/// How long past its retry time a refused [`Lane::Interactive`] request holds background
/// work back (so the interactive request gets the next slot).
pub const INTERACTIVE_HOLD: Duration = Duration::from_millis(250);

/// The default share of each window background work leaves to the other lanes.
pub const DEFAULT_BACKGROUND_RESERVE: f64 = 0.2;

/// Leave to send: the buckets drawn from, to hand back to [`Limiter::observe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permit {
    /// (bucket, window epoch, grant sequence number) per bucket drawn from.
    pub(crate) buckets: Vec<(BucketKey, u64, u64)>,
    /// When the permit was granted.
    pub issued_at: Timestamp,
    /// Granted by a shared store's local fallback (its observation stays local).
    pub(crate) fallback: bool,
}

impl Permit {
    /// A permit drawing from no bucket (limiting disabled).
    pub fn unlimited(now: Timestamp) -> Self {
        Permit {
            buckets: Vec::new(),
            issued_at: now,
            fallback: false,
        }
    }
}

/// Not yet: the earliest time the request may go, and the bucket that holds it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitUntil {
    /// Try again at this time.
    pub at: Timestamp,
    /// The bucket that holds the request back.
    pub bucket: String,
    /// Wait for a response to a request in flight (or until `at`, whichever is later):
    /// the first request of a client probes the real limit before others follow.
    pub after_response: bool,
}

/// A bucket's state, for stats and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSnapshot {
    /// The bucket (`account`, `tickets-update:42`, …).
    pub bucket: String,
    /// The limit per window as last known.
    pub limit: Option<u32>,
    /// The estimate of requests left in this window.
    pub remaining: u32,
    /// When the window resets.
    pub reset_at: Timestamp,
    /// Requests granted whose responses have not been observed.
    pub in_flight: u32,
    /// Closed by a 429 until this time.
    pub closed_until: Option<Timestamp>,
    /// Whether a header has ever reported this bucket.
    pub learned: bool,
}

#[derive(Debug, Clone)]
struct Bucket {
    limit: Option<u32>,
    window: Duration,
    remaining: u32,
    reset_at: Timestamp,
    flying: BTreeSet<u64>,
    next_seq: u64,
    last_send: Option<Timestamp>,
    closed_until: Option<Timestamp>,
    epoch: u64,
    learned: bool,
    /// `RESET_GUARD` once `reset_at` comes from a header: pacing aims at `reset_at − guard`.
    guard: Duration,
    /// Until the first response, only one request at a time (the account bucket only):
    /// the real limit may be far from the assumed one.
    probing: bool,
    /// The newest grant whose response has updated `remaining` in this window: older
    /// responses arriving late carry stale figures.
    synced_seq: Option<u64>,
    /// Until when a refused interactive request holds background work back.
    hi_wait: Option<Timestamp>,
    /// Grants in this window (for [`Limiter::set_share`]).
    granted: u32,
}

impl Bucket {
    fn new(now: Timestamp, key: &BucketKey, limit: Option<u32>, window: Duration) -> Self {
        Bucket {
            limit,
            window,
            remaining: limit.unwrap_or(u32::MAX),
            reset_at: now + window,
            flying: BTreeSet::new(),
            next_seq: 0,
            last_send: None,
            closed_until: None,
            epoch: 0,
            learned: false,
            guard: Duration::ZERO,
            probing: key.name == ACCOUNT,
            synced_seq: None,
            hi_wait: None,
            granted: 0,
        }
    }

    /// Start a new window when the current one has passed.
    fn roll(&mut self, now: Timestamp) {
        if now < self.reset_at {
            return;
        }
        self.epoch += 1;
        self.remaining = self.limit.unwrap_or(u32::MAX);
        self.last_send = None;
        self.synced_seq = None;
        self.granted = 0;
        // Fixed windows: the next one resets one window after the last (if still ahead).
        let next = self.reset_at + self.window;
        self.reset_at = if next > now { next } else { now + self.window };
    }

    /// `None` when a request may go now, else when it may. `eager`: no spacing, only the
    /// budget (and the guard) hold a request back.
    fn ready_at(
        &self,
        now: Timestamp,
        headroom: f64,
        share: f64,
        eager: bool,
    ) -> Option<Timestamp> {
        if self.probing && !self.flying.is_empty() {
            return Some(PROBE);
        }
        let closed = self.closed_until.filter(|until| *until > now);
        let paced = self.limit.and_then(|limit| {
            let available = available(self.remaining, limit, headroom, share, self.granted);
            if available == 0 {
                // Responses still to come may show more budget than the estimate: wait for
                // them first, and for the reset only when none is in flight.
                return Some(if self.flying.is_empty() {
                    self.reset_at
                } else {
                    PROBE
                });
            }
            let pace_until = self.reset_at - self.guard;
            if eager {
                // What is left may go now, but not into a window the server may have
                // opened already (ours is then spent up to its estimate).
                return (now >= pace_until).then_some(self.reset_at);
            }
            // `available` requests still to place after `last`, evenly, all before the reset.
            let last = self.last_send?;
            if now >= pace_until {
                // Inside the guard: the server's window may already have turned, and what
                // is left of ours must not spill into it.
                return Some(self.reset_at);
            }
            let next = last + pace_until.saturating_since(last) / (available + 1);
            (next > now).then_some(next)
        });
        match (closed, paced) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// The fraction of the limit a request leaves unused: the `headroom`, plus the lane
    /// reserve pro rata of the window's time left. The higher lanes are kept
    /// `lane_reserve` of the limit per window *as a rate*: at any moment, that share of
    /// the budget for the rest of the window; what they leave unused is released as the
    /// window runs out (a fixed lump would cap background work at `1 − headroom −
    /// reserve` of the plan however idle the other lanes are).
    fn reserve_fraction(&self, now: Timestamp, headroom: f64, lane_reserve: f64) -> f64 {
        if lane_reserve <= 0.0 {
            return headroom;
        }
        let left = (self.reset_at - self.guard).saturating_since(now);
        let frac = (left.as_secs_f64() / self.window.as_secs_f64().max(1e-6)).clamp(0.0, 1.0);
        (headroom + lane_reserve * frac).min(0.95)
    }

    /// Learn the window's end from a response: `end` = now + the whole seconds it reports
    /// left. Zendesk rounds up, so every response bounds the real end from above, and
    /// responses of one window, seen at different fractions of a second, narrow it: the
    /// earliest bound is kept ([`same_window`]). Pacing then spends the window up to its
    /// real end, not up to a second into the next one (where the last requests of the
    /// window would land in, and spend, the next window's budget). An end more than half
    /// a window later is the next window's: taken as is.
    fn learn_reset(&mut self, end: Timestamp) {
        let known = self.reset_at - self.guard;
        self.reset_at = if self.guard == RESET_GUARD && same_window(end, known, self.window) {
            known.min(end) + RESET_GUARD
        } else {
            end + RESET_GUARD
        };
        self.guard = RESET_GUARD;
    }

    /// The time to record as this send's place on the pacing schedule (call when granting,
    /// before taking from `remaining`): the slot it was paced to, when the caller comes
    /// late (timer granularity, a busy runtime, a fast virtual clock), else `now`. Late
    /// wake-ups then do not push every later slot back (which caps the rate near one
    /// request per timer tick and leaves budget unused at the reset); the lag absorbed is
    /// at most [`CATCH_UP_SLOTS`] slots, so a client that falls behind (or was idle)
    /// sends at most that many extra requests back to back, never a burst.
    fn schedule_slot(&self, now: Timestamp, headroom: f64, share: f64, eager: bool) -> Timestamp {
        let (Some(limit), Some(last)) = (self.limit, self.last_send) else {
            return now;
        };
        if eager {
            return now;
        }
        let available = available(self.remaining, limit, headroom, share, self.granted);
        let pace_until = self.reset_at - self.guard;
        if available == 0 || now >= pace_until {
            return now;
        }
        let step = pace_until.saturating_since(last) / (available + 1);
        let slot = last + step;
        if slot > now {
            return now;
        }
        slot.max(now - step * CATCH_UP_SLOTS)
    }
}

/// Whether a reported window end `end` and a known one `known` are the same window's:
/// apart by less than half a window.
fn same_window(end: Timestamp, known: Timestamp, window: Duration) -> bool {
    let apart = if end > known {
        end.saturating_since(known)
    } else {
        known.saturating_since(end)
    };
    apart < window / 2
}

/// What of `remaining` may still be spent: less the reserve (`ceil(limit × reserve)`,
/// never all of the limit); with a `share` below 1 (pacing alone for several processes),
/// also at most that share of the window's usable budget less what this window `granted`.
fn available(remaining: u32, limit: u32, reserve: f64, share: f64, granted: u32) -> u32 {
    let reserve = ((f64::from(limit) * reserve).ceil() as u32).min(limit.saturating_sub(1));
    let left = remaining.saturating_sub(reserve);
    if share >= 1.0 {
        return left;
    }
    let cap = ((f64::from(limit - reserve) * share).floor() as u32).max(1);
    left.min(cap.saturating_sub(granted))
}

/// The limiter state for every bucket of one account.
#[derive(Debug, Clone)]
pub struct Limiter {
    headroom: f64,
    background_reserve: f64,
    share: f64,
    pacing: [Pacing; 3],
    buckets: HashMap<BucketKey, Bucket>,
}

impl Limiter {
    /// A limiter leaving `headroom` (0.0–0.5) of each window unused.
    pub fn new(headroom: f64) -> Self {
        Limiter {
            headroom: headroom.clamp(0.0, 0.5),
            background_reserve: DEFAULT_BACKGROUND_RESERVE,
            share: 1.0,
            pacing: Pacing::defaults(),
            buckets: HashMap::new(),
        }
    }

    /// Pace requests of `lane` this way. Default [`Pacing::default_for`] the lane.
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

    /// The share (0.0–0.9) of each window that [`Lane::Background`] requests leave to the
    /// other lanes. Default [`DEFAULT_BACKGROUND_RESERVE`].
    pub fn background_reserve(mut self, fraction: f64) -> Self {
        self.background_reserve = sanitize_reserve(fraction);
        self
    }

    /// Spend only this fraction (0.01–1.0) of what the headers say remains: for a process
    /// pacing alone while it knows others share the account (a shared store's fallback).
    pub fn set_share(&mut self, share: f64) {
        self.share = if share.is_finite() {
            share.clamp(0.01, 1.0)
        } else {
            1.0
        };
    }

    /// What a request of `lane` leaves unused: (the headroom, the lane reserve), the
    /// latter the background reserve for background work, else 0.
    fn reserve(&self, lane: Lane) -> (f64, f64) {
        match lane {
            Lane::Background => (self.headroom, self.background_reserve),
            Lane::Interactive | Lane::Normal => (self.headroom, 0.0),
        }
    }

    /// Take one request's worth from every bucket of `class`, or say when that is possible.
    /// All-or-nothing: a refusal changes no budget.
    pub fn acquire(&mut self, now: Timestamp, class: &RequestClass) -> Result<Permit, WaitUntil> {
        if self.buckets.len() > MAX_SCOPED {
            self.prune(now);
        }
        let mut wait: Option<WaitUntil> = None;
        let (headroom, lane_reserve) = self.reserve(class.lane);
        let share = self.share;
        let eager = self.pacing[usize::from(class.lane.index())] == Pacing::Eager;
        for spec in &class.buckets {
            let b = self
                .buckets
                .entry(spec.key.clone())
                .or_insert_with(|| Bucket::new(now, &spec.key, spec.limit, spec.window));
            b.roll(now);
            let reserve = b.reserve_fraction(now, headroom, lane_reserve);
            let mut ready = b.ready_at(now, reserve, share, eager);
            // Background work yields to a waiting interactive request.
            if ready.is_none() && class.lane == Lane::Background {
                ready = b.hi_wait.filter(|t| *t > now);
            }
            match ready {
                Some(PROBE) => {
                    let at = wait.as_ref().map_or(now, |w| w.at);
                    wait = Some(WaitUntil {
                        at,
                        bucket: spec.key.to_string(),
                        after_response: true,
                    });
                }
                Some(at) if wait.as_ref().is_none_or(|w| at > w.at) => {
                    let after_response = wait.as_ref().is_some_and(|w| w.after_response);
                    wait = Some(WaitUntil {
                        at,
                        bucket: spec.key.to_string(),
                        after_response,
                    });
                }
                Some(_) | None => {}
            }
        }
        if let Some(w) = wait {
            if class.lane == Lane::Interactive {
                let hold = w.at + INTERACTIVE_HOLD;
                for spec in &class.buckets {
                    if let Some(b) = self.buckets.get_mut(&spec.key) {
                        b.hi_wait = Some(b.hi_wait.map_or(hold, |h| h.max(hold)));
                    }
                }
            }
            return Err(w);
        }
        let mut taken = Vec::with_capacity(class.buckets.len());
        for spec in &class.buckets {
            if let Some(b) = self.buckets.get_mut(&spec.key) {
                if class.lane == Lane::Interactive {
                    b.hi_wait = None;
                }
                let reserve = b.reserve_fraction(now, headroom, lane_reserve);
                let slot = b.schedule_slot(now, reserve, share, eager);
                b.remaining = b.remaining.saturating_sub(1);
                b.granted = b.granted.saturating_add(1);
                let seq = b.next_seq;
                b.next_seq += 1;
                b.flying.insert(seq);
                b.last_send = Some(slot);
                taken.push((spec.key.clone(), b.epoch, seq));
            }
        }
        Ok(Permit {
            buckets: taken,
            issued_at: now,
            fallback: false,
        })
    }

    /// Learn from a response (or its absence: `status = None` after a transport failure).
    pub fn observe(
        &mut self,
        now: Timestamp,
        permit: &Permit,
        headers: &RateLimitHeaders,
        status: Option<u16>,
        retry_after: Option<Duration>,
    ) {
        for (key, _, seq) in &permit.buckets {
            if let Some(b) = self.buckets.get_mut(key) {
                b.flying.remove(seq);
                if status.is_some() {
                    b.probing = false;
                }
                b.roll(now);
            }
        }
        // Each reported window teaches the one bucket of this request it describes.
        let reported = headers
            .account
            .iter()
            .map(|w| (ACCOUNT, w))
            .chain(headers.buckets.iter().map(|(n, w)| (n.as_str(), w)));
        for (name, w) in reported {
            let Some((key, epoch, seq)) = self.target(permit, name, w) else {
                continue;
            };
            let Some(b) = self.buckets.get_mut(key) else {
                continue;
            };
            if let Some(limit) = w.limit {
                if limit > 0 {
                    if b.limit.is_none() {
                        b.remaining = limit;
                    }
                    b.limit = Some(limit);
                }
            }
            b.learned = true;
            // A response to a request of an earlier window says nothing about this one.
            if *epoch != b.epoch || b.synced_seq.is_some_and(|s| s > *seq) {
                continue;
            }
            b.synced_seq = Some(*seq);
            if let Some(reset) = w.reset {
                // Never beyond the bucket's own window (plus the guard): a fixed window
                // resets within one window, whatever a server claims.
                b.learn_reset(now + reset.min(b.window));
            }
            if let Some(r) = w.remaining {
                let later = b.flying.range(seq + 1..).count() as u32;
                b.remaining = r.saturating_sub(later);
            }
        }
        if status == Some(429) {
            self.close(now, permit, headers, retry_after);
        }
    }

    /// After a 429: close the bucket at fault until `Retry-After` (or its reset).
    fn close(
        &mut self,
        now: Timestamp,
        permit: &Permit,
        headers: &RateLimitHeaders,
        retry_after: Option<Duration>,
    ) {
        // Without Retry-After (a CDN's 429) there is nothing to learn: the retry strategy
        // backs off, and the headers (if any) were already applied.
        let Some(retry_after) = retry_after else {
            return;
        };
        let reported = headers
            .account
            .iter()
            .map(|w| (ACCOUNT, w))
            .chain(headers.buckets.iter().map(|(n, w)| (n.as_str(), w)));
        let exhausted: Vec<&BucketKey> = reported
            .filter(|(_, w)| w.remaining == Some(0))
            .filter_map(|(name, w)| self.target(permit, name, w).map(|(k, _, _)| k))
            .collect();
        let targets: Vec<BucketKey> = if !exhausted.is_empty() {
            exhausted.into_iter().cloned().collect()
        } else if let Some((k, _, _)) = permit
            .buckets
            .iter()
            .rev()
            .find(|(k, _, _)| k.scope.is_some())
        {
            // No header names the bucket: blame the narrowest one.
            vec![k.clone()]
        } else if let Some((k, _, _)) = permit.buckets.iter().find(|(k, _, _)| k.name == ACCOUNT) {
            vec![k.clone()]
        } else {
            Vec::new()
        };
        for key in targets {
            if let Some(b) = self.buckets.get_mut(&key) {
                b.remaining = 0;
                {
                    // Retry-After is the time to the window's reset: at most one window.
                    let until = now + retry_after.min(b.window + RESET_GUARD);
                    b.closed_until = Some(b.closed_until.map_or(until, |c| c.max(until)));
                    // Zendesk's Retry-After is the time to the window's reset; a reset
                    // reported in this response's headers (plus guard) may be later.
                    let reported = headers.get(&key.name).and_then(|w| w.reset).is_some();
                    if reported {
                        b.reset_at = b.reset_at.max(until);
                    } else {
                        b.reset_at = until;
                        b.guard = Duration::ZERO;
                    }
                }
            }
        }
    }

    /// The bucket of `permit` that a window reported under `name` describes. Zendesk
    /// reports one header per bucket name even when the name covers several limits (e.g.
    /// `tickets-update`: per ticket, 30 per 10 minutes, and per account, 100 per minute):
    /// the candidate whose limit matches `total`, else the one with the smallest window
    /// that can hold `resets`.
    fn target<'p>(
        &self,
        permit: &'p Permit,
        name: &str,
        w: &Window,
    ) -> Option<&'p (BucketKey, u64, u64)> {
        let mut cands = permit.buckets.iter().filter(|(k, _, _)| k.name == name);
        let first = cands.next()?;
        let rest: Vec<_> = cands.collect();
        if rest.is_empty() {
            return Some(first);
        }
        let all = || std::iter::once(first).chain(rest.iter().copied());
        let bucket = |k: &BucketKey| self.buckets.get(k);
        if let Some(limit) = w.limit {
            if let Some(c) = all().find(|(k, _, _)| bucket(k).and_then(|b| b.limit) == Some(limit))
            {
                return Some(c);
            }
        }
        let reset = w.reset.unwrap_or_default();
        all()
            .filter_map(|c| bucket(&c.0).map(|b| (b.window, c)))
            .filter(|(window, _)| *window + RESET_GUARD >= reset)
            .min_by_key(|(window, _)| *window)
            .map(|(_, c)| c)
    }

    /// The state of every bucket, sorted by name.
    pub fn snapshot(&self) -> Vec<BucketSnapshot> {
        let mut out: Vec<BucketSnapshot> = self
            .buckets
            .iter()
            .map(|(k, b)| BucketSnapshot {
                bucket: k.to_string(),
                limit: b.limit,
                remaining: b.remaining,
                reset_at: b.reset_at,
                in_flight: b.flying.len() as u32,
                closed_until: b.closed_until,
                learned: b.learned,
            })
            .collect();
        out.sort_by(|a, b| a.bucket.cmp(&b.bucket));
        out
    }

    fn prune(&mut self, now: Timestamp) {
        self.buckets
            .retain(|k, b| k.scope.is_none() || !b.flying.is_empty() || b.reset_at > now);
    }
}

/// A lane reserve clamped to 0.0–0.9 (0.2 when not a number).
pub(crate) fn sanitize_reserve(fraction: f64) -> f64 {
    if fraction.is_finite() {
        fraction.clamp(0.0, 0.9)
    } else {
        DEFAULT_BACKGROUND_RESERVE
    }
}

#[cfg(test)]
mod tests;
