//! Mirror a Zendesk account into SQLite or PostgreSQL: resumable and exactly-once.
//!
//! Module map:
//! - [`store`]: the [`Store`] trait and its backends
//!   ([`store::sqlite`], [`store::postgres`]), opened from a `--to` location by
//!   [`store::open`]. Records are Zendesk's JSON objects; each page and its checkpoint
//!   are written in one transaction, newest version wins.
//! - [`migrations`]: the embedded, versioned schema of each backend.
//! - [`engine`]: [`sync`](engine::sync) drives zdkit's exports and lists into a store,
//!   reporting through [`Progress`](engine::Progress), stoppable by a
//!   [`CancelToken`](engine::CancelToken).
//! - [`backfill`]: a first sync through search export and the incremental export at once
//!   (the planner of issue 14), used by the engine when [`SyncOptions::backfill`] is set.
//! - [`audits`]: per-ticket audits of archived tickets, shared by the backfill's archived
//!   route and the completeness pass of [`SyncOptions::archived_audits`].

pub mod audits;
pub mod backfill;
pub mod engine;
pub mod migrations;
pub mod store;

pub use engine::{sync, CancelToken, SyncError, SyncOptions, SyncReport};
pub use store::{open, Checkpoint, Record, Store, StoreError, Stream, Table};
