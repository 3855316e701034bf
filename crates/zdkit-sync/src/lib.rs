//! Mirror a Zendesk account into SQLite or PostgreSQL: resumable and exactly-once.
//!
//! Module map:
//! - [`store`]: the [`Store`](store::Store) trait and its backends
//!   ([`store::sqlite`], [`store::postgres`]), opened from a `--to` location by
//!   [`store::open`]. Records are Zendesk's JSON objects; each page and its checkpoint
//!   are written in one transaction, newest version wins.
//! - [`migrations`]: the embedded, versioned schema of each backend.
//!
//! The engine driving zdkit's export streams into a store comes later.

pub mod migrations;
pub mod store;

pub use store::{open, Checkpoint, Record, Store, StoreError, Stream, Table};
