//! Client-side rate limiting: pace requests from Zendesk's own headers so that 429s do not
//! happen, and share the budget between every clone and task of a client.
//!
//! * [`headers`]: the header grammars and `Retry-After`.
//! * [`limiter`]: [`Limiter`], the pure state machine (`acquire` / `observe`, time passed in).
//! * [`observe`]: [`BudgetWait`] and [`WaitObserver`], waits announced as they begin.
//! * [`store`]: [`BudgetStore`], the seam for where the state lives (in-process
//!   [`InProcessStore`] now; a Redis-backed store shared by many processes later).
//!
//! Each request belongs to the `account` bucket plus the endpoint buckets its method and
//! path select ([`RequestClass::classify`]). See `docs/design/rate-limiting.md`.

pub mod headers;
pub mod limiter;
pub mod observe;
#[cfg(feature = "redis")]
pub mod redis;
pub mod store;

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use http::Method;

pub use headers::{RateLimitHeaders, Window};
pub use limiter::{BucketSnapshot, Limiter, Permit, WaitUntil};
pub use observe::{BudgetWait, WaitObserver};
pub use store::{BudgetStore, InProcessStore, Observation};

#[cfg(feature = "redis")]
pub use self::redis::{ClientUsage, RedisFallback, RedisStore, RedisStoreBuilder, SharedBudget};

/// A request's priority when several share one budget.
///
/// [`Lane::Background`] never spends the last
/// [`background reserve`](RateLimitPolicy::background_reserve) of a window (default 20%)
/// and yields to a waiting [`Lane::Interactive`] request; the other two lanes pace alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Lane {
    /// A person is waiting for this request (an agent-facing automation, a chatbot).
    Interactive,
    /// Everything else (the default; `zd api`, bulk writes).
    #[default]
    Normal,
    /// Work nobody is waiting for (a backfill, `zd sync`).
    Background,
}

impl Lane {
    /// Every lane, highest priority first.
    pub const ALL: [Lane; 3] = [Lane::Interactive, Lane::Normal, Lane::Background];

    /// `interactive`, `normal` or `background`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Interactive => "interactive",
            Lane::Normal => "normal",
            Lane::Background => "background",
        }
    }

    /// The lane's number in shared stores (0 = interactive).
    pub(crate) fn index(self) -> u8 {
        match self {
            Lane::Interactive => 0,
            Lane::Normal => 1,
            Lane::Background => 2,
        }
    }

    pub(crate) fn from_index(i: i64) -> Lane {
        match i {
            0 => Lane::Interactive,
            2 => Lane::Background,
            _ => Lane::Normal,
        }
    }
}

impl fmt::Display for Lane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Lane {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "interactive" | "high" => Ok(Lane::Interactive),
            "normal" | "default" => Ok(Lane::Normal),
            "background" | "low" => Ok(Lane::Background),
            other => Err(format!(
                "unknown priority {other:?} (expected interactive, normal or background)"
            )),
        }
    }
}

/// How a lane spends each window's budget.
///
/// Defaults per lane ([`Pacing::default_for`]): [`Lane::Interactive`] eager (a person is
/// waiting, and interactive traffic is sparse), [`Lane::Normal`] and [`Lane::Background`]
/// even (the good citizen where others share the account uncoordinated). See
/// `docs/design/rate-limiting.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Pacing {
    /// Spread what is left of each window evenly until its reset.
    #[default]
    Even,
    /// As fast as the server takes it, never past what the headers say remains less the
    /// headroom (and, for background work, the other lanes' reserve); then wait for the
    /// reset.
    Eager,
}

impl Pacing {
    /// The default pacing of a lane: eager for [`Lane::Interactive`], even otherwise.
    pub fn default_for(lane: Lane) -> Pacing {
        match lane {
            Lane::Interactive => Pacing::Eager,
            Lane::Normal | Lane::Background => Pacing::Even,
        }
    }

    /// `even` or `eager`.
    pub fn as_str(self) -> &'static str {
        match self {
            Pacing::Even => "even",
            Pacing::Eager => "eager",
        }
    }

    /// The per-lane defaults, indexed by lane (interactive, normal, background).
    pub(crate) fn defaults() -> [Pacing; 3] {
        Lane::ALL.map(Pacing::default_for)
    }
}

impl fmt::Display for Pacing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Pacing {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "even" => Ok(Pacing::Even),
            "eager" => Ok(Pacing::Eager),
            other => Err(format!("unknown pacing {other:?} (expected even or eager)")),
        }
    }
}

/// The name of the account-wide bucket.
pub const ACCOUNT: &str = "account";

/// The account's plan: where the limits start before the first response teaches them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Plan {
    /// Not known: assume the smallest current plan (200 requests/min) until Zendesk's
    /// headers say otherwise. The default.
    #[default]
    Unknown,
    /// Team: 200/min.
    Team,
    /// Growth: 400/min.
    Growth,
    /// Professional: 400/min.
    Professional,
    /// Enterprise: 700/min.
    Enterprise,
    /// Enterprise Plus: 2500/min (High Volume built in).
    EnterprisePlus,
    /// Any plan with the High Volume API add-on: 2500/min.
    HighVolume,
    /// A negotiated account limit per minute.
    Custom(u32),
}

impl Plan {
    /// The account limit per minute this plan starts from.
    pub fn account_per_minute(self) -> u32 {
        match self {
            Plan::Unknown | Plan::Team => 200,
            Plan::Growth | Plan::Professional => 400,
            Plan::Enterprise => 700,
            Plan::EnterprisePlus | Plan::HighVolume => 2500,
            Plan::Custom(n) => n.max(1),
        }
    }

    fn high_volume(self) -> bool {
        matches!(self, Plan::EnterprisePlus | Plan::HighVolume)
            || matches!(self, Plan::Custom(n) if n >= 2500)
    }
}

impl std::str::FromStr for Plan {
    type Err = String;

    /// `team`, `growth`, `professional`, `enterprise`, `enterprise-plus`, `high-volume`
    /// (case-insensitive, `_` or `-`), `unknown`, or a number of requests per minute for a
    /// negotiated limit.
    fn from_str(s: &str) -> Result<Plan, String> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        Ok(match norm.as_str() {
            "unknown" => Plan::Unknown,
            "team" | "suite-team" => Plan::Team,
            "growth" | "suite-growth" => Plan::Growth,
            "professional" | "suite-professional" => Plan::Professional,
            "enterprise" | "suite-enterprise" => Plan::Enterprise,
            "enterprise-plus" | "suite-enterprise-plus" => Plan::EnterprisePlus,
            "high-volume" | "hv" => Plan::HighVolume,
            n => match n.parse::<u32>() {
                Ok(per_min) if (1..=100_000).contains(&per_min) => Plan::Custom(per_min),
                _ => {
                    return Err(format!(
                        "unknown plan {s:?}: use team, growth, professional, enterprise, \
                         enterprise-plus, high-volume, or a limit per minute (1-100000)"
                    ))
                }
            },
        })
    }
}

/// How the client paces itself.
///
/// Defaults: enabled, [`Plan::Unknown`] (200/min until headers teach the real limit),
/// headroom 2% (left for other consumers of the same account), `wait = true`, `max_wait`
/// 10 minutes, pacing per lane as [`Pacing::default_for`].
#[derive(Debug, Clone)]
pub struct RateLimitPolicy {
    pub(crate) enabled: bool,
    pub(crate) plan: Plan,
    pub(crate) headroom: f64,
    pub(crate) wait: bool,
    pub(crate) lane: Lane,
    pub(crate) background_reserve: f64,
    pub(crate) max_wait: std::time::Duration,
    pub(crate) pacing: [Pacing; 3],
}

impl Default for RateLimitPolicy {
    fn default() -> Self {
        RateLimitPolicy {
            enabled: true,
            plan: Plan::Unknown,
            headroom: 0.02,
            wait: true,
            lane: Lane::Normal,
            background_reserve: limiter::DEFAULT_BACKGROUND_RESERVE,
            max_wait: std::time::Duration::from_secs(600),
            pacing: Pacing::defaults(),
        }
    }
}

impl RateLimitPolicy {
    /// No client-side limiting at all (429s are still honoured by the retry strategy).
    pub fn disabled() -> Self {
        RateLimitPolicy {
            enabled: false,
            ..Self::default()
        }
    }

    /// Start from this plan's limits. Default [`Plan::Unknown`].
    pub fn plan(mut self, plan: Plan) -> Self {
        self.plan = plan;
        self
    }

    /// Fraction (0.0–0.5) of each window left unused for other consumers of the account.
    /// Default 0.02.
    pub fn headroom(mut self, fraction: f64) -> Self {
        self.headroom = if fraction.is_finite() {
            fraction.clamp(0.0, 0.5)
        } else {
            0.02
        };
        self
    }

    /// `true` (default): wait for budget. `false` ("don't wait", for job queues): return
    /// [`crate::Error::RateLimited`] with the wait instead of sleeping, and do not sleep on
    /// a 429 either (the [`crate::ApiError`] carries `retry_after`).
    pub fn wait(mut self, wait: bool) -> Self {
        self.wait = wait;
        self
    }

    /// The lane of every request of this client that does not choose its own
    /// ([`crate::RequestBuilder::lane`]). Default [`Lane::Normal`].
    pub fn lane(mut self, lane: Lane) -> Self {
        self.lane = lane;
        self
    }

    /// The share (0.0–0.9) of each window [`Lane::Background`] requests leave to the other
    /// lanes. Default 0.2.
    pub fn background_reserve(mut self, fraction: f64) -> Self {
        self.background_reserve = limiter::sanitize_reserve(fraction);
        self
    }

    /// Pace every lane this way (see [`Pacing`]). Default: [`Pacing::default_for`] each
    /// lane (interactive eager, normal and background even).
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = [pacing; 3];
        self
    }

    /// Pace one lane this way.
    pub fn lane_pacing(mut self, lane: Lane, pacing: Pacing) -> Self {
        self.pacing[usize::from(lane.index())] = pacing;
        self
    }

    /// How `lane` is paced.
    pub fn pacing_of(&self, lane: Lane) -> Pacing {
        self.pacing[usize::from(lane.index())]
    }

    /// The headroom fraction (see [`RateLimitPolicy::headroom`]).
    pub fn headroom_fraction(&self) -> f64 {
        self.headroom
    }

    /// The default lane.
    pub fn default_lane(&self) -> Lane {
        self.lane
    }

    /// The background reserve fraction.
    pub fn background_reserve_fraction(&self) -> f64 {
        self.background_reserve
    }

    /// The longest single wait for budget the client accepts (default 10 minutes). A
    /// longer one (a server announcing a far reset) is not waited: the request fails with
    /// [`crate::Error::RateLimited`] naming the wait. Server numbers are clamped anyway
    /// (see [`headers::MAX_SERVER_WAIT`]), so no wait is ever longer than an hour.
    pub fn max_wait(mut self, d: std::time::Duration) -> Self {
        self.max_wait = d;
        self
    }

    /// Whether client-side limiting is on.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The plan the limits start from.
    pub fn starting_plan(&self) -> Plan {
        self.plan
    }
}

/// Identifies one budget: a bucket name, optionally scoped (per ticket, per user).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BucketKey {
    /// The bucket name, as in `Zendesk-RateLimit-<name>` where Zendesk reports one.
    pub name: Cow<'static, str>,
    /// The scope (`"123"` for ticket 123), `None` for account-wide buckets.
    pub scope: Option<String>,
}

impl BucketKey {
    /// An unscoped bucket.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        BucketKey {
            name: name.into(),
            scope: None,
        }
    }

    /// A bucket scoped to one record.
    pub fn scoped(name: impl Into<Cow<'static, str>>, scope: impl Into<String>) -> Self {
        BucketKey {
            name: name.into(),
            scope: Some(scope.into()),
        }
    }
}

impl fmt::Display for BucketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.scope {
            Some(s) => write!(f, "{}:{}", self.name, s),
            None => f.write_str(&self.name),
        }
    }
}

/// One bucket a request draws from, with the limit to assume until headers say otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSpec {
    /// Which bucket.
    pub key: BucketKey,
    /// Requests per window to assume; `None` = unpublished, enforced only once Zendesk
    /// reports it in a header.
    pub limit: Option<u32>,
    /// The window length.
    pub window: Duration,
}

impl BucketSpec {
    /// A bucket of `limit` requests per `window`.
    pub fn new(key: BucketKey, limit: Option<u32>, window: Duration) -> Self {
        BucketSpec { key, limit, window }
    }
}

/// The buckets one request draws from (always `account` first), and its lane.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestClass {
    /// The buckets.
    pub buckets: Vec<BucketSpec>,
    /// The request's priority.
    pub lane: Lane,
}

const MINUTE: Duration = Duration::from_secs(60);

impl RequestClass {
    /// Classify by method and path (query and `.json` ignored; with or without `/api/v2`).
    pub fn classify(method: &Method, path: &str, plan: Plan) -> RequestClass {
        let hv = plan.high_volume();
        let mut buckets = vec![BucketSpec::new(
            BucketKey::new(ACCOUNT),
            Some(plan.account_per_minute()),
            MINUTE,
        )];
        let path = path.split(['?', '#']).next().unwrap_or("");
        let path = path.trim_end_matches('/');
        let path = path.strip_suffix(".json").unwrap_or(path);
        let path = path.strip_prefix("/api/v2").unwrap_or(path);
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let is_id = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let mut add = |name: &'static str, limit: Option<u32>, window: Duration| {
            buckets.push(BucketSpec::new(BucketKey::new(name), limit, window))
        };
        match (method.as_str(), segs.as_slice()) {
            ("GET", ["incremental", ..]) => add(
                "incremental-exports",
                Some(if hv { 30 } else { 10 }),
                MINUTE,
            ),
            ("GET", ["tickets"]) => add("tickets-index", None, MINUTE),
            ("GET", ["search", "export"]) => add("search-export", Some(100), MINUTE),
            ("GET", ["search"]) => add("search-index", Some(2500), MINUTE),
            ("GET", ["deleted_tickets"]) => add("deleted-tickets-index", Some(10), MINUTE),
            // "List Audits for a Ticket": 500/min (developer.zendesk.com, Rate limits).
            ("GET", ["tickets", id, "audits"]) if is_id(id) => {
                add("ticket-audits", Some(500), MINUTE)
            }
            ("PUT", ["tickets", id]) if is_id(id) => {
                add("tickets-update", Some(if hv { 300 } else { 100 }), MINUTE);
                buckets.push(BucketSpec::new(
                    BucketKey::scoped("tickets-update", *id),
                    Some(30),
                    Duration::from_secs(600),
                ));
            }
            ("PUT", ["tickets", "update_many"]) => {
                add("tickets-update", Some(if hv { 300 } else { 100 }), MINUTE)
            }
            ("DELETE", ["tickets", id]) if is_id(id) => add("tickets-destroy", Some(400), MINUTE),
            ("PUT", ["users", id]) if is_id(id) => {
                add("create-update-user", Some(1), Duration::from_secs(1));
                buckets.push(BucketSpec::new(
                    BucketKey::scoped("create-update-user", *id),
                    Some(5),
                    MINUTE,
                ));
            }
            ("POST", ["users", "create_or_update"]) => {
                add("create-update-user", Some(1), Duration::from_secs(1))
            }
            ("PUT", ["organizations", id]) if is_id(id) => buckets.push(BucketSpec::new(
                BucketKey::scoped("organization-update", *id),
                Some(5),
                MINUTE,
            )),
            _ => {}
        }
        RequestClass {
            buckets,
            lane: Lane::Normal,
        }
    }

    /// The same buckets in another lane.
    pub fn in_lane(mut self, lane: Lane) -> Self {
        self.lane = lane;
        self
    }

    /// Add a bucket (for resources that know better than the path classifier).
    pub fn with(mut self, spec: BucketSpec) -> Self {
        self.buckets.retain(|b| b.key != spec.key);
        self.buckets.push(spec);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_parse_by_name_or_number() {
        assert_eq!("Enterprise_Plus".parse::<Plan>(), Ok(Plan::EnterprisePlus));
        assert_eq!("growth".parse::<Plan>(), Ok(Plan::Growth));
        assert_eq!("1500".parse::<Plan>(), Ok(Plan::Custom(1500)));
        for bad in ["", "gold", "0", "-5", "99999999999"] {
            assert!(bad.parse::<Plan>().is_err(), "{bad}");
        }
    }

    fn names(method: Method, path: &str) -> Vec<String> {
        RequestClass::classify(&method, path, Plan::Enterprise)
            .buckets
            .iter()
            .map(|b| b.key.to_string())
            .collect()
    }

    #[test]
    fn classification_by_method_and_path() {
        assert_eq!(
            names(Method::GET, "/api/v2/tickets/42/audits?page[size]=100"),
            ["account", "ticket-audits"]
        );
        assert_eq!(names(Method::GET, "/api/v2/ticket_audits"), ["account"]);
        assert_eq!(
            names(Method::GET, "/api/v2/tickets.json?page[size]=100"),
            ["account", "tickets-index"]
        );
        assert_eq!(
            names(Method::GET, "/api/v2/tickets/"),
            ["account", "tickets-index"]
        );
        assert_eq!(names(Method::POST, "/api/v2/tickets"), ["account"]);
        assert_eq!(
            names(Method::PUT, "/api/v2/tickets/42.json"),
            ["account", "tickets-update", "tickets-update:42"]
        );
        assert_eq!(
            names(Method::GET, "/api/v2/incremental/tickets/cursor"),
            ["account", "incremental-exports"]
        );
        assert_eq!(
            names(Method::GET, "/api/v2/search/export?query=x"),
            ["account", "search-export"]
        );
        assert_eq!(
            names(Method::GET, "/api/v2/search.json"),
            ["account", "search-index"]
        );
        assert_eq!(names(Method::GET, "/api/v2/users/1"), ["account"]);
        let acct = &RequestClass::classify(&Method::GET, "/x", Plan::Unknown).buckets[0];
        assert_eq!(acct.limit, Some(200));
    }
}
