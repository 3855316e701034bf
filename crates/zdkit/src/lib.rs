//! zdkit: a Zendesk REST API client that paces itself from the rate-limit headers, retries
//! safely and explains every error.
//!
//! ```no_run
//! # async fn demo() -> Result<(), zdkit::Error> {
//! let client = zdkit::Client::builder()
//!     .subdomain("acme")
//!     .credentials(zdkit::Credentials::api_token("agent@example.com", "TOKEN"))
//!     .build()?;
//! let page = client.get("/api/v2/tickets").query(&[("page[size]", "100")]).send().await?;
//! let body: serde_json::Value = page.json()?;
//! # let _ = body; Ok(()) }
//! ```
//!
//! Module map (one concern each):
//! * [`client`]    – [`Client`], [`ClientBuilder`]: configuration, `from_env`.
//! * [`config`]    – the one layered configuration resolver (environment, flags, profiles).
//! * [`auth`]      – [`Credentials`], [`Secret`] (redacting), [`Credentials::check`].
//! * [`error`]     – [`Error`] split by "was the request sent?", [`ApiError`], hints.
//! * [`origin`]    – the origin check every request and every followed link goes through.
//! * [`request`]   – raw request builders ([`RequestBuilder`]), [`Response`].
//! * `pipeline`    – the one loop every request goes through: acquire → send → observe →
//!   classify → wait/retry (crate-internal entry point `Client::execute`).
//! * [`retry`]     – classifier (whether and why), strategy (when), retry budget.
//! * [`ratelimit`] – header grammars, the pure limiter state machine, its [`ratelimit::BudgetStore`].
//! * [`stats`]     – counters visible through [`Client::stats`].
//! * [`text`]      – escaping control characters and cutting long server text for display.
//! * [`models`]    – typed Zendesk resources.
//! * [`resources`] – typed handlers and builders: `client.tickets().list().stream()`.
//! * [`pagination`] – lazy page/item streams and their stop rules.
//! * [`export`]    – incremental exports with resumable [`export::Checkpoint`]s.
//! * [`jobs`]      – bulk operations split into jobs, [`jobs::JobHandle::wait`].
//! * [`cache`]     – the TTL cache of slow-changing resources.

pub mod auth;
pub mod client;
pub mod config;
pub mod error;
pub mod models;
pub mod origin;
mod pipeline;
pub mod ratelimit;
pub mod request;
pub mod retry;
pub mod stats;
pub mod text;

// Typed API surface (resources, pagination, exports, jobs, cache).
pub mod cache;
pub mod export;
pub mod jobs;
pub mod pagination;
pub mod resources;
pub mod webhooks;

pub use auth::{CredentialFinding, Credentials, FindingKind, Secret};
pub use client::{Client, ClientBuilder, DEFAULT_MAX_BODY_BYTES};
pub use error::{ApiError, DecodeError, ErrorKind, FieldError, TransportError, TransportErrorKind};
pub use pipeline::{LONG_WAIT, WAIT_TARGET};
pub use ratelimit::{Lane, Pacing, Plan, RateLimitPolicy};
pub use request::{RequestBuilder, Response};
pub use retry::RetryPolicy;
pub use stats::{BucketStats, ClientStats, LaneStats};

pub use cache::CacheStats;
pub use export::{Checkpoint, ExportPage};
pub use jobs::{JobHandle, JobOutcome};
pub use pagination::ResultStream;
pub use resources::{ListRequest, SearchQuery};
/// The resource catalogue every family's plumbing is read from.
pub use zdkit_catalog as catalog;
pub use zdkit_clock::{Clock, ManualClock, ScaledClock, SharedClock, SystemClock, Timestamp};

/// The error type of every fallible zdkit operation.
pub use error::Error;

/// `Result<T, zdkit::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
