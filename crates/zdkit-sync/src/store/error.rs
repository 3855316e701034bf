//! [`StoreError`]: what went wrong with a store, worded for the person running `zd`.

use std::error::Error as StdError;
use std::path::PathBuf;

/// A boxed underlying error (SQLite, PostgreSQL, I/O); its type is not part of the API.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// An error of a [`Store`](super::Store) or of [`open`](super::open).
///
/// `Display` never repeats the [`source`](StdError::source): print the chain
/// ([`StoreError::chain`], or anyhow's `{:#}`) to see the cause.
///
/// The `open` variants ([`BadLocation`](Self::BadLocation),
/// [`NoSuchDirectory`](Self::NoSuchDirectory), [`Open`](Self::Open),
/// [`SchemaTooNew`](Self::SchemaTooNew), [`Migration`](Self::Migration)) say what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The `--to` argument is not a store location.
    #[error("invalid store location `{location}`: {reason}")]
    BadLocation {
        /// The argument as given.
        location: String,
        /// What is wrong and the accepted forms.
        reason: String,
    },

    /// A stream or table name that does not exist.
    #[error("unknown {kind} `{name}`")]
    UnknownName {
        /// `"stream"` or `"table"`.
        kind: &'static str,
        /// The name given.
        name: String,
    },

    /// The SQLite file's directory does not exist.
    #[error(
        "cannot create the SQLite database {}: the directory {} does not exist; \
         create it first or pass another path with --to",
        path.display(),
        dir.display()
    )]
    NoSuchDirectory {
        /// The database path.
        path: PathBuf,
        /// Its missing (or non-directory) parent.
        dir: PathBuf,
    },

    /// The store cannot be opened or written.
    #[error("cannot open the store {location}: {reason}\n  hint: {hint}")]
    Open {
        /// Where (no password).
        location: String,
        /// The underlying failure.
        reason: String,
        /// What to do about it.
        hint: String,
    },

    /// The database was written by a newer zd.
    #[error(
        "the store {location} has schema version {found}, but this zd only knows versions up \
         to {supported}; upgrade zd, or sync into a new file (--to sqlite:NEW.db) or a new \
         PostgreSQL schema (?schema=NAME)"
    )]
    SchemaTooNew {
        /// Where (no password).
        location: String,
        /// The database's version.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },

    /// Applying an embedded schema migration failed.
    #[error("cannot migrate the store {location} to schema version {version}")]
    Migration {
        /// Where (no password).
        location: String,
        /// The migration that failed.
        version: i64,
        /// The database's error.
        #[source]
        source: BoxError,
    },

    /// A record is not a JSON object with an integer `id`; nothing of its page was written.
    #[error("record {index} of a `{stream}` page is invalid: {reason}")]
    InvalidRecord {
        /// The stream's name.
        stream: &'static str,
        /// Position in the page.
        index: usize,
        /// What is wrong.
        reason: String,
    },

    /// A stored checkpoint cannot be read (written by another program?).
    #[error("the stored checkpoint of stream `{stream}` is unreadable ({reason}): {text}")]
    BadCheckpoint {
        /// The stream's name.
        stream: String,
        /// The stored text.
        text: String,
        /// The parse error.
        reason: String,
    },

    /// A database operation failed after the store was opened; the page's transaction, if
    /// any, was rolled back.
    #[error("{operation} failed on the store {location}")]
    Database {
        /// Where (no password).
        location: String,
        /// What was being done, e.g. `"apply_page(tickets)"`.
        operation: String,
        /// The database's error.
        #[source]
        source: BoxError,
    },

    /// The store mirrors another account ([`Store::begin_sync`](super::Store::begin_sync)).
    #[error(
        "the store {location} mirrors {recorded}, not {given}; sync {given} into another \
         store (--to sqlite:OTHER.db, or ?schema=OTHER on PostgreSQL)"
    )]
    OtherAccount {
        /// Where (no password).
        location: String,
        /// The account the store records.
        recorded: String,
        /// The account of this sync.
        given: String,
    },

    /// Another sync holds the store's lock ([`Store::begin_sync`](super::Store::begin_sync)).
    #[error(
        "another zd sync is running on the store {location} ({how}); wait for it to finish, \
         or sync into another store"
    )]
    Locked {
        /// Where (no password).
        location: String,
        /// Which lock.
        how: String,
    },

    /// A blocking worker task (SQLite, JSON extraction) panicked or was cancelled.
    #[error("a store worker task failed: {0}")]
    Worker(String),
}

impl StoreError {
    /// The message and every cause, joined by `: ` (each printed once).
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut cause = StdError::source(self);
        while let Some(c) = cause {
            out.push_str(": ");
            out.push_str(&c.to_string());
            cause = c.source();
        }
        out
    }
}
