//! [`Client`] and [`ClientBuilder`].

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{HeaderValue, Method};
use url::Url;
use zdkit_clock::{SharedClock, SystemClock};

use crate::auth::Credentials;
use crate::error::Error;
use crate::ratelimit::{BudgetStore, InProcessStore, RateLimitPolicy, WaitObserver};
use crate::request::RequestBuilder;
use crate::retry::{RetryBudget, RetryPolicy};
use crate::stats::{ClientStats, Stats};

/// A Zendesk API client. Cheap to clone: every clone shares one connection pool, one
/// rate-limit budget, one retry budget and one set of stats.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    /// Told of this clone's waits for budget ([`Client::observing_waits`]).
    pub(crate) observer: Option<Arc<dyn WaitObserver>>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) auth: Option<HeaderValue>,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate: RateLimitPolicy,
    pub(crate) store: Arc<dyn BudgetStore>,
    pub(crate) retry_budget: Mutex<RetryBudget>,
    pub(crate) rng: Mutex<fastrand::Rng>,
    pub(crate) clock: SharedClock,
    pub(crate) stats: Stats,
    /// The TTL cache of slow-changing resources (see `crate::cache`).
    pub(crate) cache: crate::cache::Cache,
    /// The most bytes one response body may have (see `ClientBuilder::max_body_bytes`).
    pub(crate) max_body: u64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .field("authenticated", &self.inner.auth.is_some())
            .finish()
    }
}

/// The default cap on one response body: 64 MiB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 << 20;

/// The default user agent: `zdkit/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("zdkit/", env!("CARGO_PKG_VERSION"));

/// Configures a [`Client`].
///
/// Defaults: no credentials (anonymous), connect timeout 10 s, request timeout 60 s, user
/// agent [`DEFAULT_USER_AGENT`], [`RetryPolicy::default`], [`RateLimitPolicy::default`],
/// [`SystemClock`], an [`InProcessStore`] for the rate-limit budget. One of
/// [`subdomain`](Self::subdomain) or [`base_url`](Self::base_url) is required.
#[must_use]
pub struct ClientBuilder {
    subdomain: Option<String>,
    base_url: Option<String>,
    credentials: Option<Credentials>,
    connect_timeout: Duration,
    request_timeout: Duration,
    max_body: u64,
    user_agent: String,
    retry: RetryPolicy,
    rate: RateLimitPolicy,
    clock: Option<SharedClock>,
    store: Option<Arc<dyn BudgetStore>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("subdomain", &self.subdomain)
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            subdomain: None,
            base_url: None,
            credentials: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_body: DEFAULT_MAX_BODY_BYTES,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            retry: RetryPolicy::default(),
            rate: RateLimitPolicy::default(),
            clock: None,
            store: None,
        }
    }
}

/// Check a Zendesk subdomain: 1–63 of `a-z`, `0-9`, `-`, not starting or ending with `-`.
pub fn validate_subdomain(s: &str) -> Result<(), Error> {
    let bad = |why: &str| {
        Err(Error::Config(format!(
            "invalid subdomain {}: {why}; pass just the first label, e.g. `acme` for acme.zendesk.com",
            crate::text::quote(s)
        )))
    };
    if s.is_empty() {
        return bad("empty");
    }
    if s.contains("://") || s.contains('/') {
        return bad("it contains a scheme or a slash (use base_url for a full URL)");
    }
    if s.contains('@') || s.contains(':') {
        return bad("it contains `@` or `:`");
    }
    if s.contains('.') {
        return bad("it contains a dot");
    }
    if s.len() > 63 {
        return bad("longer than 63 characters");
    }
    if !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        || s.starts_with('-')
        || s.ends_with('-')
    {
        return bad("only letters, digits and inner hyphens are allowed");
    }
    Ok(())
}

impl ClientBuilder {
    /// `https://{subdomain}.zendesk.com`. Validated: no scheme, slash, `@`, dot or port.
    pub fn subdomain(mut self, subdomain: impl Into<String>) -> Self {
        self.subdomain = Some(subdomain.into());
        self
    }

    /// Any `http`/`https` base URL (the simulator, a proxy). Overrides `subdomain`.
    /// A path is kept as a prefix: with `https://proxy.example/zendesk`, the path
    /// `/api/v2/tickets` is sent to `https://proxy.example/zendesk/api/v2/tickets`. A query
    /// or fragment is refused. Credentials are only ever sent to this origin (scheme, host,
    /// port); see [`crate::origin`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The credentials. Default: none.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Time allowed to establish a connection. Default 10 s.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// The most bytes one response body may have. Default [`DEFAULT_MAX_BODY_BYTES`]
    /// (64 MiB: a 1,000-record export page with sideloads is a few MB). Checked while
    /// streaming (and against `Content-Length` first), so a hostile 1 GiB body costs at
    /// most the cap in memory; exceeding it is a [`crate::TransportError`] of kind
    /// [`crate::TransportErrorKind::TooLarge`], never retried.
    pub fn max_body_bytes(mut self, n: u64) -> Self {
        self.max_body = n.max(1);
        self
    }

    /// Time allowed for one attempt, from sending to the end of the body. Default 60 s.
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }

    /// The `User-Agent`. Default [`DEFAULT_USER_AGENT`].
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// The retry policy. Default [`RetryPolicy::default`].
    pub fn retry_policy(mut self, p: RetryPolicy) -> Self {
        self.retry = p;
        self
    }

    /// The rate-limit policy. Default [`RateLimitPolicy::default`].
    pub fn rate_limit_policy(mut self, p: RateLimitPolicy) -> Self {
        self.rate = p;
        self
    }

    /// The clock for every wait and timestamp. Default [`SystemClock`].
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Where the rate-limit budget lives. Default: a fresh [`InProcessStore`] with the
    /// policy's headroom. Pass one store to several clients to share an account budget.
    pub fn budget_store(mut self, store: Arc<dyn BudgetStore>) -> Self {
        self.store = Some(store);
        self
    }

    fn resolve_base(&self) -> Result<Url, Error> {
        if let Some(raw) = &self.base_url {
            let url = Url::parse(raw).map_err(|e| {
                Error::Config(format!("invalid base URL {}: {e}", crate::text::quote(raw)))
            })?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(Error::Config(format!(
                    "base URL {} must be http or https",
                    crate::text::quote(raw)
                )));
            }
            if url.host_str().is_none() {
                return Err(Error::Config(format!(
                    "base URL {} has no host",
                    crate::text::quote(raw)
                )));
            }
            if url.query().is_some() || url.fragment().is_some() {
                return Err(Error::Config(format!(
                    "base URL {} must not have a query or fragment",
                    crate::text::quote(raw)
                )));
            }
            if !url.username().is_empty() || url.password().is_some() {
                return Err(Error::Config(
                    "the base URL must not carry credentials; use .credentials(..)".into(),
                ));
            }
            return Ok(url);
        }
        let sub = self
            .subdomain
            .as_deref()
            .ok_or_else(|| Error::Config("set a subdomain or a base URL".into()))?;
        validate_subdomain(sub)?;
        Url::parse(&format!("https://{}.zendesk.com", sub.to_ascii_lowercase()))
            .map_err(|e| Error::Config(format!("invalid subdomain: {e}")))
    }

    /// Build the client. Fails on an invalid subdomain or URL, or credentials that
    /// [`Credentials::check`] finds certainly wrong (heuristic findings are logged).
    pub fn build(self) -> Result<Client, Error> {
        let base = self.resolve_base()?;
        let auth = match &self.credentials {
            None => None,
            Some(c) => {
                let findings = c.check();
                let fatal: Vec<String> = findings
                    .iter()
                    .filter(|f| f.fatal)
                    .map(ToString::to_string)
                    .collect();
                if !fatal.is_empty() {
                    return Err(Error::Config(format!("credentials: {}", fatal.join("; "))));
                }
                for f in findings {
                    tracing::warn!(finding = %f, "credentials look wrong");
                }
                Some(c.header_value()?)
            }
        };
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .user_agent(self.user_agent)
            // Never follow redirects: the Authorization header must not reach another host,
            // and a redirected write must not be replayed.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        let rng = match self.retry.seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        let store = self.store.unwrap_or_else(|| {
            Arc::new(InProcessStore::with_limiter(
                crate::ratelimit::Limiter::new(self.rate.headroom)
                    .background_reserve(self.rate.background_reserve)
                    .pacing_of(&self.rate),
            ))
        });
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                auth,
                retry_budget: Mutex::new(RetryBudget::new(&self.retry)),
                retry: self.retry,
                rate: self.rate,
                store,
                rng: Mutex::new(rng),
                clock: self.clock.unwrap_or_else(SystemClock::shared),
                stats: Stats::default(),
                cache: crate::cache::Cache::default(),
                max_body: self.max_body,
            }),
            observer: None,
        })
    }
}

impl Client {
    /// A builder with the defaults listed on [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from the environment: `ZENDESK_SUBDOMAIN` or `ZENDESK_BASE_URL`;
    /// `ZENDESK_EMAIL` + `ZENDESK_API_TOKEN`, or `ZENDESK_OAUTH_TOKEN`; optional
    /// `ZD_TIME_SCALE` (a [`ScaledClock`](crate::ScaledClock), to talk to a simulator running faster).
    pub fn from_env() -> Result<Client, Error> {
        Self::builder_from(|k| std::env::var(k).ok())?.build()
    }

    /// [`Client::from_env`] with a custom variable lookup, returning the builder so more
    /// settings can be added.
    pub fn builder_from(var: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder, Error> {
        crate::config::Resolved::from_layers(&[crate::config::Layer::from_env(var)])?.builder()
    }

    /// A raw request with any method.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        RequestBuilder::new(self.clone(), method, path)
    }

    /// `GET path` (`/api/v2/...`, or a full URL on the configured host).
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    /// `POST path`.
    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    /// `PUT path`.
    pub fn put(&self, path: &str) -> RequestBuilder {
        self.request(Method::PUT, path)
    }

    /// `DELETE path`.
    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.request(Method::DELETE, path)
    }

    /// The base URL requests are resolved against.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The clock this client waits on.
    pub fn clock(&self) -> &SharedClock {
        &self.inner.clock
    }

    /// The retry policy of every request that does not carry its own
    /// ([`RequestBuilder::retry`]): start a per-request override from it.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// A clone whose requests (and the exports, lists and pages it starts) announce each
    /// wait for rate-limit budget to `observer` before they sleep
    /// ([`crate::ratelimit::BudgetWait`]: the bucket, how long, its rate). Everything else
    /// (budget, connections, stats) stays shared with `self`; `self` keeps its own
    /// observer, if any.
    ///
    /// ```
    /// # fn demo(client: zdkit::Client) {
    /// use std::sync::Arc;
    /// let tickets = client.observing_waits(Arc::new(|w: &zdkit::ratelimit::BudgetWait| {
    ///     eprintln!("tickets: waiting {:.0?} for {}", w.wait, w.bucket);
    /// }));
    /// # let _ = tickets; }
    /// ```
    pub fn observing_waits(&self, observer: Arc<dyn WaitObserver>) -> Client {
        Client {
            inner: self.inner.clone(),
            observer: Some(observer),
        }
    }

    /// The rate-limit policy this client was built with.
    pub fn rate_limit_policy(&self) -> &RateLimitPolicy {
        &self.inner.rate
    }

    /// Counters and the limiter's view, shared by all clones.
    pub fn stats(&self) -> ClientStats {
        self.inner
            .stats
            .snapshot(self.inner.store.snapshot(), self.inner.cache.stats())
    }

    /// Resolve a path or same-origin URL plus an encoded query (see [`crate::origin`]:
    /// every request is origin-checked here, before anything is sent).
    pub(crate) fn resolve(&self, path: &str, query: &str) -> Result<Url, Error> {
        let mut url = crate::origin::resolve(&self.inner.base, path)?;
        if !query.is_empty() {
            let joined = match url.query() {
                Some(q) if !q.is_empty() => format!("{q}&{query}"),
                _ => query.to_owned(),
            };
            url.set_query(Some(&joined));
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn subdomain_validation() {
        for ok in ["acme", "acme-support", "a1"] {
            assert!(validate_subdomain(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "https://acme",
            "acme.zendesk.com",
            "acme/",
            "evil.com@acme",
            "acme:443",
            "-acme",
            "ac me",
            "..",
        ] {
            assert!(validate_subdomain(bad).is_err(), "{bad}");
        }
        let c = Client::builder().subdomain("Acme").build().unwrap();
        assert_eq!(c.base_url().as_str(), "https://acme.zendesk.com/");
    }

    #[test]
    fn resolve_relative_full_and_foreign() {
        let c = Client::builder()
            .base_url("http://127.0.0.1:9999")
            .build()
            .unwrap();
        assert_eq!(
            c.resolve("/api/v2/tickets.json?a=1", "b=2")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9999/api/v2/tickets.json?a=1&b=2"
        );
        assert!(c.resolve("http://127.0.0.1:9999/api/v2/x", "").is_ok());
        assert!(c.resolve("http://127.0.0.1:9998/api/v2/x", "").is_err());
        assert!(c.resolve("https://evil.example/api/v2/x", "").is_err());
        assert!(c.resolve("api/v2/x", "").is_err());
    }

    #[test]
    fn from_env_reads_each_variable() {
        let env = |pairs: &[(&str, &str)]| {
            let m: HashMap<String, String> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            move |k: &str| m.get(k).cloned()
        };
        let c = Client::builder_from(env(&[
            ("ZENDESK_SUBDOMAIN", "acme"),
            ("ZENDESK_EMAIL", "a@example.com"),
            ("ZENDESK_API_TOKEN", "tok"),
            ("ZD_TIME_SCALE", "60"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(c.base_url().host_str(), Some("acme.zendesk.com"));
        assert_eq!(c.clock().time_scale(), 60.0);
        assert!(Client::builder_from(env(&[
            ("ZENDESK_SUBDOMAIN", "acme"),
            ("ZENDESK_API_TOKEN", "t")
        ]))
        .is_err());
        assert!(Client::builder_from(env(&[])).is_err());
        assert!(Client::builder_from(env(&[
            ("ZENDESK_BASE_URL", "http://localhost:1"),
            ("ZD_TIME_SCALE", "0")
        ]))
        .is_err());
        let err = Client::builder_from(env(&[
            ("ZENDESK_SUBDOMAIN", "acme"),
            ("ZENDESK_EMAIL", "a@example.com/token"),
            ("ZENDESK_API_TOKEN", "secret-token-value"),
        ]))
        .unwrap()
        .build()
        .unwrap_err();
        assert!(err.to_string().contains("/token"));
        assert!(!err.to_string().contains("secret-token-value"));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let c = Client::builder()
            .subdomain("acme")
            .credentials(Credentials::api_token("a@example.com", "supersecret"))
            .build()
            .unwrap();
        assert!(!format!("{c:?}").contains("supersecret"));
    }
}
