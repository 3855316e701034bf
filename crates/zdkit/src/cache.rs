//! A TTL cache for slow-changing data (groups, ticket fields, organizations), shared by
//! every clone of a client. Time comes from the client's clock; writes made through the
//! typed handlers invalidate the affected entries. Hits and misses are counted in
//! [`CacheStats`] ([`Client::cache_stats`]).
//!
//! Defaults: TTL 5 minutes, at most 10,000 entries (the oldest are evicted first).
//! A TTL of zero disables caching.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use zdkit_clock::Timestamp;

use crate::Client;

/// The default time an entry stays fresh.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// The default maximum number of entries.
pub const DEFAULT_CAPACITY: usize = 10_000;

type Value = Arc<dyn Any + Send + Sync>;

/// Hit/miss counters and size of a client's cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that went to Zendesk.
    pub misses: u64,
    /// Entries dropped by a write or [`Client::clear_cache`].
    pub invalidations: u64,
    /// Entries currently held (fresh or not).
    pub entries: usize,
}

/// The cache itself (one per client, shared by its clones).
pub(crate) struct Cache {
    ttl_nanos: AtomicU64,
    capacity: usize,
    entries: Mutex<HashMap<String, (Timestamp, Value)>>,
    hits: AtomicU64,
    misses: AtomicU64,
    invalidations: AtomicU64,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("ttl", &self.ttl())
            .field("stats", &self.stats())
            .finish()
    }
}

impl Default for Cache {
    fn default() -> Self {
        Cache {
            ttl_nanos: AtomicU64::new(DEFAULT_TTL.as_nanos() as u64),
            capacity: DEFAULT_CAPACITY,
            entries: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
        }
    }
}

impl Cache {
    fn ttl(&self) -> Duration {
        Duration::from_nanos(self.ttl_nanos.load(Ordering::Relaxed))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Timestamp, Value)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The fresh value under `key`, counting a hit or a miss.
    pub(crate) fn get<T: Clone + Send + Sync + 'static>(
        &self,
        key: &str,
        now: Timestamp,
    ) -> Option<T> {
        let ttl = self.ttl();
        let found = if ttl.is_zero() {
            None
        } else {
            let mut m = self.lock();
            match m.get(key) {
                Some((at, v)) if now.saturating_since(*at) < ttl => v.downcast_ref::<T>().cloned(),
                Some(_) => {
                    m.remove(key);
                    None
                }
                None => None,
            }
        };
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores `value` under `key` as of `now`.
    pub(crate) fn put<T: Send + Sync + 'static>(&self, key: &str, value: T, now: Timestamp) {
        if self.ttl().is_zero() {
            return;
        }
        let mut m = self.lock();
        if m.len() >= self.capacity && !m.contains_key(key) {
            if let Some(oldest) = m
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
            {
                m.remove(&oldest);
            }
        }
        m.insert(key.to_owned(), (now, Arc::new(value)));
    }

    /// Drops the entry under `key`.
    pub(crate) fn invalidate(&self, key: &str) {
        if self.lock().remove(key).is_some() {
            self.invalidations.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Drops every entry whose key starts with `prefix`.
    pub(crate) fn invalidate_prefix(&self, prefix: &str) {
        let mut m = self.lock();
        let before = m.len();
        m.retain(|k, _| !k.starts_with(prefix));
        let n = (before - m.len()) as u64;
        self.invalidations.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            invalidations: self.invalidations.load(Ordering::Relaxed),
            entries: self.lock().len(),
        }
    }
}

impl Client {
    /// Hit/miss counters of the cache of slow-changing resources (groups, ticket fields,
    /// organizations), shared by all clones.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// client.groups().get(zdkit::models::GroupId(1)).await?;
    /// client.groups().get(zdkit::models::GroupId(1)).await?; // from the cache
    /// assert_eq!(client.cache_stats().hits, 1);
    /// # Ok(()) }
    /// ```
    pub fn cache_stats(&self) -> CacheStats {
        self.inner.cache.stats()
    }

    /// How long cached groups, ticket fields and organizations stay fresh (default 5
    /// minutes; zero disables the cache). Applies to every clone.
    ///
    /// ```no_run
    /// # fn demo(client: zdkit::Client) {
    /// client.set_cache_ttl(std::time::Duration::from_secs(60));
    /// # }
    /// ```
    pub fn set_cache_ttl(&self, ttl: Duration) {
        let n = u64::try_from(ttl.as_nanos()).unwrap_or(u64::MAX);
        self.inner.cache.ttl_nanos.store(n, Ordering::Relaxed);
    }

    /// Drops every cached entry.
    ///
    /// ```no_run
    /// # fn demo(client: zdkit::Client) { client.clear_cache(); }
    /// ```
    pub fn clear_cache(&self) {
        self.inner.cache.invalidate_prefix("");
    }

    /// `GET path` decoded as `T`, through the cache.
    pub(crate) async fn cached_get<T>(&self, path: String) -> crate::Result<T>
    where
        T: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    {
        let cache = &self.inner.cache;
        if let Some(v) = cache.get::<T>(&path, self.clock().now()) {
            return Ok(v);
        }
        let v: T = crate::resources::get_json(self, path.clone(), &()).await?;
        cache.put(&path, v.clone(), self.clock().now());
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_000);

    #[test]
    fn entries_expire_after_the_ttl() {
        let c = Cache::default();
        c.put("/api/v2/groups/1", 7u32, T0);
        assert_eq!(
            c.get::<u32>("/api/v2/groups/1", T0 + Duration::from_secs(299)),
            Some(7)
        );
        assert_eq!(
            c.get::<u32>("/api/v2/groups/1", T0 + Duration::from_secs(300)),
            None
        );
        let s = c.stats();
        assert_eq!((s.hits, s.misses, s.entries), (1, 1, 0));
    }

    #[test]
    fn invalidation_by_prefix_and_zero_ttl() {
        let c = Cache::default();
        c.put("/api/v2/groups/1", 1u8, T0);
        c.put("/api/v2/groups/2", 2u8, T0);
        c.put("/api/v2/ticket_fields/1", 3u8, T0);
        c.invalidate_prefix("/api/v2/groups");
        assert_eq!(c.get::<u8>("/api/v2/groups/1", T0), None);
        assert_eq!(c.get::<u8>("/api/v2/ticket_fields/1", T0), Some(3));
        assert_eq!(c.stats().invalidations, 2);
        c.ttl_nanos.store(0, Ordering::Relaxed);
        assert_eq!(c.get::<u8>("/api/v2/ticket_fields/1", T0), None);
    }

    #[test]
    fn a_wrong_type_is_a_miss_not_a_panic() {
        let c = Cache::default();
        c.put("k", 1u8, T0);
        assert_eq!(c.get::<String>("k", T0), None);
    }
}
