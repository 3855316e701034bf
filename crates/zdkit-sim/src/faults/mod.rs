//! The seeded fault schedule: 5xx, connection resets, truncated bodies, virtual latency,
//! 429 storms, a CDN-style ("edge") 429 and a plain-text 400.
//!
//! Deterministic: the decision for request number `n` is a pure function of
//! `(seed, n, path, now)` (a splitmix64 hash), so a seed replays the same schedule.
//! Requests are numbered **per client** ([`Faults::decide_for`]: a client is named by
//! its `X-Sim-Client` header, else by its credential), so each client replays its own
//! schedule whatever other clients do concurrently.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use zdkit_clock::Timestamp;

/// A fault plan, usually read from JSON (`zd sim --faults FILE`, `PUT /__sim/faults`).
///
/// Default: seed 0, no rules, no storms (no faults at all). Example in
/// `docs/faults-example.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultPlan {
    /// The seed of the schedule.
    pub seed: u64,
    /// Probabilistic faults; for each request the first rule whose `path` matches and whose
    /// draw hits decides the fault.
    pub rules: Vec<FaultRule>,
    /// Windows of virtual time in which every matching request gets 429.
    pub storms: Vec<Storm>,
}

/// Probabilities (each in `0..=1`, summing to at most 1) of the faults of one rule.
///
/// Default: every rate 0, no `Retry-After` on 503, no latency, any path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultRule {
    /// Only requests whose normalized path is this path or below it (`/api/v2/incremental`
    /// matches `/api/v2/incremental/tickets`); `None` matches every path.
    pub path: Option<String>,
    /// Rate of 500 (JSON body).
    pub error_500: f64,
    /// Rate of 502 (HTML proxy page).
    pub error_502: f64,
    /// Rate of 503 (plain text).
    pub error_503: f64,
    /// Rate of 504 (HTML proxy page).
    pub error_504: f64,
    /// `Retry-After` seconds sent with 503 (a database timeout); `None` sends none (an
    /// outage or maintenance).
    pub retry_after_on_503: Option<u64>,
    /// Rate of connection resets: the connection is dropped without a complete response.
    pub reset: f64,
    /// Rate of truncated bodies: the full `Content-Length` is declared, part is sent.
    pub truncate: f64,
    /// Rate of CDN-style 429s: HTML body, no `Retry-After`, no Zendesk headers.
    pub edge_429: f64,
    /// Rate of plain-text 400s (`Content-Type: text/plain`).
    pub plain_400: f64,
    /// Virtual latency added before the response.
    pub latency: Option<Latency>,
}

/// A latency distribution in virtual milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Latency {
    /// Always `ms`.
    Fixed {
        /// Milliseconds.
        ms: u64,
    },
    /// Uniform in `min_ms..=max_ms`.
    Uniform {
        /// Lower bound, milliseconds.
        min_ms: u64,
        /// Upper bound, milliseconds.
        max_ms: u64,
    },
    /// Normal with `mean_ms` and `stddev_ms`, clamped at 0.
    Normal {
        /// Mean, milliseconds.
        mean_ms: f64,
        /// Standard deviation, milliseconds.
        stddev_ms: f64,
    },
}

/// A window of 429s.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Storm {
    /// Start, in virtual seconds after the plan was installed (inclusive).
    pub start_secs: u64,
    /// End, in virtual seconds after the plan was installed (exclusive).
    pub end_secs: u64,
    /// `Retry-After` to send; `None` sends the seconds until the storm ends (rounded up).
    pub retry_after_secs: Option<u64>,
    /// Only requests at or below this normalized path; `None` matches every path.
    pub path: Option<String>,
    /// Send the CDN ("edge") dialect instead of Zendesk's plain-text 429.
    pub edge: bool,
}

/// A fault plan that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FaultPlanError {
    /// The file could not be read.
    #[error("cannot read fault plan {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The JSON is malformed or has unknown fields.
    #[error("invalid fault plan JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The values are out of range.
    #[error("invalid fault plan: {0}")]
    Invalid(String),
}

impl FaultPlan {
    /// Parses and validates a plan from JSON text.
    pub fn from_json_str(s: &str) -> Result<FaultPlan, FaultPlanError> {
        let plan: FaultPlan = serde_json::from_str(s)?;
        plan.validate()?;
        Ok(plan)
    }

    /// Reads, parses and validates a plan from a JSON file.
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<FaultPlan, FaultPlanError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| FaultPlanError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json_str(&text)
    }

    /// Checks rates (each in `0..=1`, at most 1 per rule), storms and latencies.
    pub fn validate(&self) -> Result<(), FaultPlanError> {
        let bad = |m: String| Err(FaultPlanError::Invalid(m));
        for (i, r) in self.rules.iter().enumerate() {
            let rates = r.rates();
            if rates.iter().any(|(_, p)| !(0.0..=1.0).contains(p)) {
                return bad(format!("rules[{i}]: every rate must be between 0 and 1"));
            }
            if rates.iter().map(|(_, p)| p).sum::<f64>() > 1.0 + 1e-9 {
                return bad(format!("rules[{i}]: rates add up to more than 1"));
            }
            match r.latency {
                Some(Latency::Uniform { min_ms, max_ms }) if min_ms > max_ms => {
                    return bad(format!("rules[{i}].latency: min_ms > max_ms"));
                }
                Some(Latency::Normal { mean_ms, stddev_ms })
                    if !(mean_ms.is_finite() && stddev_ms.is_finite() && stddev_ms >= 0.0) =>
                {
                    return bad(format!("rules[{i}].latency: bad mean or stddev"));
                }
                _ => {}
            }
        }
        for (i, s) in self.storms.iter().enumerate() {
            if s.start_secs >= s.end_secs {
                return bad(format!("storms[{i}]: start_secs must be before end_secs"));
            }
        }
        Ok(())
    }
}

impl FaultRule {
    fn rates(&self) -> [(FaultAction, f64); 8] {
        [
            (
                FaultAction::Status {
                    status: 500,
                    retry_after_secs: None,
                },
                self.error_500,
            ),
            (
                FaultAction::Status {
                    status: 502,
                    retry_after_secs: None,
                },
                self.error_502,
            ),
            (
                FaultAction::Status {
                    status: 503,
                    retry_after_secs: self.retry_after_on_503,
                },
                self.error_503,
            ),
            (
                FaultAction::Status {
                    status: 504,
                    retry_after_secs: None,
                },
                self.error_504,
            ),
            (FaultAction::Reset, self.reset),
            (FaultAction::Truncate, self.truncate),
            (
                FaultAction::Edge429 {
                    retry_after_secs: None,
                },
                self.edge_429,
            ),
            (FaultAction::PlainBadRequest, self.plain_400),
        ]
    }
}

/// A fault to inject instead of (or, for [`FaultAction::Truncate`], into) the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultAction {
    /// A 5xx status, with `Retry-After` when set.
    Status {
        /// 500, 502, 503 or 504.
        status: u16,
        /// `Retry-After` seconds.
        retry_after_secs: Option<u64>,
    },
    /// A Zendesk 429 from a storm, plain text, with `Retry-After`.
    Storm429 {
        /// `Retry-After` seconds.
        retry_after_secs: u64,
    },
    /// A CDN-style 429: HTML, no Zendesk headers.
    Edge429 {
        /// `Retry-After` seconds, if any.
        retry_after_secs: Option<u64>,
    },
    /// A plain-text 400.
    PlainBadRequest,
    /// Drop the connection without a complete response.
    Reset,
    /// Run the handler, then send only part of its body.
    Truncate,
}

impl FaultAction {
    /// A short name for statistics (`status_503`, `storm_429`, `edge_429`, `plain_400`,
    /// `reset`, `truncate`).
    pub fn kind(&self) -> String {
        match self {
            FaultAction::Status { status, .. } => format!("status_{status}"),
            FaultAction::Storm429 { .. } => "storm_429".into(),
            FaultAction::Edge429 { .. } => "edge_429".into(),
            FaultAction::PlainBadRequest => "plain_400".into(),
            FaultAction::Reset => "reset".into(),
            FaultAction::Truncate => "truncate".into(),
        }
    }
}

/// What to do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultDecision {
    /// Virtual delay before answering.
    pub latency: Option<Duration>,
    /// The fault, if any.
    pub action: Option<FaultAction>,
}

/// The fault injector: a plan, the virtual time it was installed at and the number of
/// requests each client has made since.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    plan: FaultPlan,
    origin: Option<Timestamp>,
    /// Requests seen per client (keyed by a hash of the client's identity).
    clients: HashMap<u64, u64>,
}

/// The most clients whose request numbers are kept; beyond it every count restarts.
const MAX_CLIENTS: usize = 65_536;

impl Faults {
    /// An injector for `plan`. Storm windows count from [`Faults::set_origin`], or from the
    /// first [`Faults::decide`] when it was never set.
    pub fn new(plan: FaultPlan) -> Self {
        Faults {
            plan,
            origin: None,
            clients: HashMap::new(),
        }
    }

    /// Replaces the plan; storm windows now count from `now` and every client's
    /// request numbers restart at 0.
    pub fn set_plan(&mut self, plan: FaultPlan, now: Timestamp) {
        self.plan = plan;
        self.restart(now);
    }

    /// Restarts the schedule at `now` (storm windows and per-client request numbers),
    /// keeping the plan: what `POST /__sim/reset` does.
    pub fn restart(&mut self, now: Timestamp) {
        self.origin = Some(now);
        self.clients.clear();
    }

    /// The fault for the next request of `client` (any stable identity: a header value,
    /// a credential) to `path` (normalized) at `now`. The `n`-th request of a client gets
    /// the same decision whatever other clients did before it.
    pub fn decide_for(&mut self, now: Timestamp, client: &str, path: &str) -> FaultDecision {
        if self.clients.len() >= MAX_CLIENTS {
            self.clients.clear();
        }
        let id = fnv1a(client);
        let n = self.clients.entry(id).or_insert(0);
        let seq = *n;
        *n += 1;
        // Client "" keeps the plain numbering of `decide`.
        let seq = if client.is_empty() {
            seq
        } else {
            splitmix64(id) ^ seq
        };
        self.decide(now, seq, path)
    }

    /// Sets the time storm windows count from.
    pub fn set_origin(&mut self, origin: Timestamp) {
        self.origin = Some(origin);
    }

    /// The current plan.
    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    /// The fault for request number `request_seq` to `path` (normalized) at `now`.
    pub fn decide(&mut self, now: Timestamp, request_seq: u64, path: &str) -> FaultDecision {
        let origin = *self.origin.get_or_insert(now);
        decide(&self.plan, origin, now, request_seq, path)
    }
}

/// The pure decision function behind [`Faults::decide`].
fn decide(
    plan: &FaultPlan,
    origin: Timestamp,
    now: Timestamp,
    seq: u64,
    path: &str,
) -> FaultDecision {
    let mut out = FaultDecision::default();
    let base = splitmix64(plan.seed ^ splitmix64(seq ^ splitmix64(fnv1a(path))));
    let mut draw = 0u64;
    let mut uniform = || {
        draw += 1;
        unit(splitmix64(
            base.wrapping_add(draw.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        ))
    };
    // Latency first, from the first matching rule that has one: storms take time too.
    out.latency = plan
        .rules
        .iter()
        .filter(|r| matches(r.path.as_deref(), path))
        .find_map(|r| r.latency.as_ref())
        .map(|l| sample(l, uniform(), uniform()));
    let since = now.saturating_since(origin);
    for storm in &plan.storms {
        let (start, end) = (
            Duration::from_secs(storm.start_secs),
            Duration::from_secs(storm.end_secs),
        );
        if since >= start && since < end && matches(storm.path.as_deref(), path) {
            let left = end - since;
            let left = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            let retry = storm.retry_after_secs.unwrap_or(left).max(1);
            out.action = Some(if storm.edge {
                FaultAction::Edge429 {
                    retry_after_secs: storm.retry_after_secs,
                }
            } else {
                FaultAction::Storm429 {
                    retry_after_secs: retry,
                }
            });
            return out;
        }
    }
    for rule in plan
        .rules
        .iter()
        .filter(|r| matches(r.path.as_deref(), path))
    {
        let u = uniform();
        let mut cumulative = 0.0;
        for (action, rate) in rule.rates() {
            cumulative += rate;
            if rate > 0.0 && u < cumulative {
                out.action = Some(action);
                return out;
            }
        }
    }
    out
}

fn sample(l: &Latency, u1: f64, u2: f64) -> Duration {
    let ms = match *l {
        Latency::Fixed { ms } => ms as f64,
        Latency::Uniform { min_ms, max_ms } => min_ms as f64 + u1 * (max_ms - min_ms + 1) as f64,
        Latency::Normal { mean_ms, stddev_ms } => {
            // Box–Muller.
            let r = (-2.0 * (1.0 - u1).ln()).sqrt();
            mean_ms + stddev_ms * r * (std::f64::consts::TAU * u2).cos()
        }
    };
    Duration::from_micros((ms.max(0.0).floor() * 1000.0) as u64)
}

/// Whether `path` is `filter` or below it.
fn matches(filter: Option<&str>, path: &str) -> bool {
    match filter {
        None => true,
        Some(f) => {
            let f = f.trim_end_matches('/');
            path == f
                || path
                    .strip_prefix(f)
                    .is_some_and(|rest| rest.starts_with('/'))
                || f.is_empty()
        }
    }
}

/// splitmix64's output function.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A uniform `f64` in `[0, 1)` from 53 bits of `x`.
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests;
