//! The shared state of an account's budget as `zd limits` shows it:
//! [`RedisStore::shared_state`].

use zdkit_clock::Timestamp;

use super::{from_micros, RedisStore, RedisStoreError};
use crate::ratelimit::limiter::BucketSnapshot;
use crate::ratelimit::Lane;

/// One process (client) using a shared budget, as recorded in Redis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientUsage {
    /// `<label>:<pid>:<random>`.
    pub id: String,
    /// The lane of its last request.
    pub lane: Lane,
    /// Requests granted in the account window of its last request.
    pub granted_in_window: u64,
    /// Requests granted since it first used this budget (within the last hour).
    pub granted_total: u64,
    /// When it was last granted a request (its own clock).
    pub last_seen: Timestamp,
}

/// The shared state of one account's budget, read from Redis (`zd limits`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedBudget {
    /// Every bucket, sorted by name.
    pub buckets: Vec<BucketSnapshot>,
    /// Every client seen in the last hour, most recent first.
    pub clients: Vec<ClientUsage>,
}

impl RedisStore {
    /// The shared state of this account's budget, read from Redis: every bucket and every
    /// client seen in the last hour (`zd limits`). Clients idle for longer than an hour
    /// are forgotten.
    pub async fn shared_state(&self) -> Result<SharedBudget, RedisStoreError> {
        let out: redis::RedisResult<Vec<String>> = self
            .inspect
            .key(self.clients_key())
            .arg(format!("{}*", escape_glob(&self.prefix)))
            .arg(self.prefix.len())
            .invoke_async(&mut self.conn.clone())
            .await;
        let out = out.map_err(|e| RedisStoreError::Unreachable {
            url: self.url.clone(),
            message: e.to_string(),
        })?;
        Ok(parse_inspect(&out))
    }
}

/// Escape Redis glob characters (an account host holds none, but a caller's string might).
fn escape_glob(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn parse_inspect(out: &[String]) -> SharedBudget {
    let num = |i: usize| out.get(i).and_then(|s| s.parse::<i64>().ok()).unwrap_or(-1);
    let nb = usize::try_from(num(0)).unwrap_or(0).min(100_000);
    let mut budget = SharedBudget::default();
    let mut i = 1;
    for _ in 0..nb {
        let closed = num(i + 5);
        budget.buckets.push(BucketSnapshot {
            bucket: out.get(i).cloned().unwrap_or_default(),
            limit: u32::try_from(num(i + 1)).ok(),
            remaining: u32::try_from(num(i + 2)).unwrap_or(u32::MAX),
            reset_at: from_micros(num(i + 3)),
            in_flight: u32::try_from(num(i + 4)).unwrap_or(0),
            closed_until: (closed >= 0).then(|| from_micros(closed)),
            learned: num(i + 6) == 1,
        });
        i += 7;
    }
    let nc = usize::try_from(num(i)).unwrap_or(0).min(100_000);
    i += 1;
    for _ in 0..nc {
        budget.clients.push(ClientUsage {
            id: out.get(i).cloned().unwrap_or_default(),
            lane: Lane::from_index(num(i + 1)),
            granted_in_window: num(i + 2).max(0).unsigned_abs(),
            granted_total: num(i + 3).max(0).unsigned_abs(),
            last_seen: from_micros(num(i + 4)),
        });
        i += 5;
    }
    budget.buckets.sort_by(|a, b| a.bucket.cmp(&b.bucket));
    budget
        .clients
        .sort_by_key(|c| std::cmp::Reverse(c.last_seen));
    budget
}
