//! The stores a sync writes into: one async [`Store`] trait, two backends.
//!
//! - [`sqlite`]: an embedded SQLite file (the default, `zendesk.db`), WAL journal,
//!   `synchronous=NORMAL`, one transaction per page; the blocking work runs on
//!   [`tokio::task::spawn_blocking`].
//! - [`postgres`]: a PostgreSQL database, one multi-row `INSERT ... SELECT FROM unnest(...)`
//!   upsert per table per page, optionally inside its own schema (`?schema=name`).
//!
//! Records arrive as the JSON objects Zendesk sends ([`Record`]); the store extracts the
//! typed columns itself (module `columns`) and keeps the whole object in a `raw` column, so
//! nothing Zendesk sends is lost. [`Store::apply_page`] writes a page's rows and the
//! stream's [`Checkpoint`] in one transaction, and an upsert never lets an older version of
//! a record overwrite a newer one, so a crash at any point followed by a rerun leaves
//! neither gap nor duplicate.

use std::fmt;
use std::str::FromStr;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use zdkit_clock::{SharedClock, SystemClock};

pub(crate) mod columns;
mod error;
pub mod family;
mod generic;
mod indexes;
pub mod postgres;
mod route;
pub mod sqlite;
mod tables;
mod view;

pub use error::StoreError;
pub use family::FamilyStream;
pub use route::{ArchivedMark, AuditWalkMark, BackfillMark, CommentsMark, Merge, SliceMark};
pub use view::RecordText;

/// One record as Zendesk sent it: a JSON object with at least an integer `id`.
pub type Record = serde_json::Value;

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The default store location when `--to` is not given.
pub const DEFAULT_LOCATION: &str = "zendesk.db";

/// An export stream: a source of records with its own checkpoint.
///
/// Its name (`"tickets"`, …, see [`Stream::as_str`]) is the key of the `sync_state` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Stream {
    /// Incremental ticket export (deleted tickets included) into `tickets`.
    Tickets,
    /// Incremental user export into `users`.
    Users,
    /// Incremental organization export into `organizations`.
    Organizations,
    /// Group list into `groups`.
    Groups,
    /// Ticket field list into `ticket_fields`.
    TicketFields,
    /// Incremental ticket event export into `ticket_events`, plus the embedded comments
    /// (`include=comment_events`) into `comments`.
    TicketEvents,
    /// A catalogue family without a change cursor: a full refresh of its list into the
    /// table of the family's name (see [`family`]).
    Family(FamilyStream),
}

impl Stream {
    /// The dedicated (non-catalogue) streams, in a sensible sync order; [`Stream::every`]
    /// adds the catalogue families.
    pub const ALL: [Stream; 6] = [
        Stream::Groups,
        Stream::TicketFields,
        Stream::Organizations,
        Stream::Users,
        Stream::Tickets,
        Stream::TicketEvents,
    ];

    /// The stream's name: `tickets`, `users`, `organizations`, `groups`, `ticket_fields`,
    /// `ticket_events`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Tickets => "tickets",
            Stream::Users => "users",
            Stream::Organizations => "organizations",
            Stream::Groups => "groups",
            Stream::TicketFields => "ticket_fields",
            Stream::TicketEvents => "ticket_events",
            Stream::Family(f) => f.name(),
        }
    }

    /// Every stream: [`Stream::ALL`], then each [`FamilyStream`] in catalogue order.
    pub fn every() -> impl Iterator<Item = Stream> {
        Stream::ALL
            .into_iter()
            .chain(FamilyStream::all().map(Stream::Family))
    }

    /// The tables the stream writes: its own, and the ticket metrics of tickets and the
    /// comments of ticket events.
    pub fn tables(self) -> Vec<Table> {
        match self {
            Stream::Tickets => vec![
                Table::Tickets,
                Table::TicketMetrics,
                Table::TicketTags,
                Table::TicketCustomFields,
            ],
            Stream::TicketEvents => vec![Table::TicketEvents, Table::Comments],
            Stream::Users => vec![Table::Users, Table::Identities],
            other => vec![other.table()],
        }
    }

    /// Whether the stream is a catalogue family's full refresh.
    pub fn family(self) -> Option<FamilyStream> {
        match self {
            Stream::Family(f) => Some(f),
            _ => None,
        }
    }

    /// The table the stream's records go to.
    pub fn table(self) -> Table {
        match self {
            Stream::Tickets => Table::Tickets,
            Stream::Users => Table::Users,
            Stream::Organizations => Table::Organizations,
            Stream::Groups => Table::Groups,
            Stream::TicketFields => Table::TicketFields,
            Stream::TicketEvents => Table::TicketEvents,
            Stream::Family(f) => Table::Family(f),
        }
    }
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stream {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self> {
        Stream::every()
            .find(|stream| stream.as_str() == s)
            .ok_or_else(|| StoreError::UnknownName {
                kind: "stream",
                name: s.to_owned(),
            })
    }
}

/// A table of the mirror.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Table {
    /// `tickets`: one row per ticket id; deleted tickets kept with `deleted = true`.
    Tickets,
    /// `users`.
    Users,
    /// `organizations`.
    Organizations,
    /// `groups`.
    Groups,
    /// `ticket_fields`.
    TicketFields,
    /// `ticket_events`: one row per ticket update (audit), keyed by event id.
    TicketEvents,
    /// `comments`: the comment child events of `ticket_events`, keyed by comment id.
    Comments,
    /// `ticket_metrics`: each ticket's metric set (the ticket export's `metric_sets`
    /// sideload), keyed by metric set id; marked deleted with its ticket.
    TicketMetrics,
    /// `identities`: users' identities (the users export's `identities` sideload), keyed
    /// by identity id; a user's identities no longer listed are marked deleted.
    Identities,
    /// `ticket_tags`: one row per ticket and tag (no `id`; `ids_and_stamps` does not apply).
    TicketTags,
    /// `ticket_custom_fields`: one row per ticket, custom field and value (no `id`).
    TicketCustomFields,
    /// A catalogue family's generic table (`id`, `updated_at`, `deleted`, `_seen`,
    /// `_synced_at`, `raw`), named by the family.
    Family(FamilyStream),
}

impl Table {
    /// The tables with typed columns; [`Table::every`] adds the catalogue families'.
    pub const ALL: [Table; 11] = [
        Table::Tickets,
        Table::Users,
        Table::Organizations,
        Table::Groups,
        Table::TicketFields,
        Table::TicketEvents,
        Table::Comments,
        Table::TicketMetrics,
        Table::Identities,
        Table::TicketTags,
        Table::TicketCustomFields,
    ];

    /// The SQL table name.
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Tickets => "tickets",
            Table::Users => "users",
            Table::Organizations => "organizations",
            Table::Groups => "groups",
            Table::TicketFields => "ticket_fields",
            Table::TicketEvents => "ticket_events",
            Table::Comments => "comments",
            Table::TicketMetrics => "ticket_metrics",
            Table::Identities => "identities",
            Table::TicketTags => "ticket_tags",
            Table::TicketCustomFields => "ticket_custom_fields",
            Table::Family(f) => f.name(),
        }
    }

    /// Every table: [`Table::ALL`], then each family table in catalogue order.
    pub fn every() -> impl Iterator<Item = Table> {
        Table::ALL
            .into_iter()
            .chain(FamilyStream::all().map(Table::Family))
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Table {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self> {
        Table::every()
            .find(|table| table.as_str() == s)
            .ok_or_else(|| StoreError::UnknownName {
                kind: "table",
                name: s.to_owned(),
            })
    }
}

/// Where a stream resumes: an export's own [`zdkit::export::Checkpoint`], or a full list
/// that completed. Stored as JSON text in `sync_state.checkpoint`, e.g.
/// `{"kind":"cursor","cursor":"MTcw..."}`, `{"kind":"time","start_time":1704164645}` or
/// `{"kind":"done","at":1704067200}` (the format of every earlier version), or
/// `{"kind":"refresh","walk":3,"next":"https://…"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Checkpoint {
    /// An incremental export resumes here (cursor or time).
    Export(zdkit::export::Checkpoint),
    /// A full (non-incremental) list completed; `at` is when it started (Unix seconds).
    Done {
        /// Unix seconds.
        at: i64,
    },
    /// A full refresh of a catalogue family: walk number `walk` continues at `next`, or
    /// (`next: None`) completed, so the next run starts walk `walk + 1` from the first page.
    /// Rows are stamped with the walk that last saw them; completing a walk marks every
    /// row it did not see deleted.
    Refresh {
        /// The walk's number, from 1.
        walk: u64,
        /// The next page's URL (origin-checked when the page named it).
        next: Option<String>,
    },
    /// A stream's backfill (key `STREAM/backfill`), `{"kind":"backfill",…}`.
    Backfill(BackfillMark),
    /// A search-export slice of a backfill (key `STREAM/search/NNNN`),
    /// `{"kind":"search_slice",…}`.
    SearchSlice(SliceMark),
    /// A comments backfill (key `ticket_events/backfill`), `{"kind":"comments_backfill",…}`.
    Comments(CommentsMark),
    /// The account-wide audits walk (key `ticket_events/audits`), `{"kind":"audit_walk",…}`.
    AuditWalk(AuditWalkMark),
    /// The archived tickets' audits (key `ticket_events/archived`),
    /// `{"kind":"archived_audits",…}`.
    Archived(ArchivedMark),
}

impl From<zdkit::export::Checkpoint> for Checkpoint {
    fn from(c: zdkit::export::Checkpoint) -> Self {
        Checkpoint::Export(c)
    }
}

/// The stored JSON form of a [`Checkpoint`] (kept so older stores stay readable).
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum StoredCheckpoint {
    Cursor { cursor: String },
    Time { start_time: i64 },
    Done { at: i64 },
    Refresh { walk: u64, next: Option<String> },
    Backfill(BackfillMark),
    SearchSlice(SliceMark),
    CommentsBackfill(CommentsMark),
    AuditWalk(AuditWalkMark),
    ArchivedAudits(ArchivedMark),
}

impl Serialize for Checkpoint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use zdkit::export::Checkpoint as E;
        match self {
            Checkpoint::Export(E::Cursor(c)) => StoredCheckpoint::Cursor { cursor: c.clone() },
            Checkpoint::Export(E::Time(t)) => StoredCheckpoint::Time { start_time: *t },
            Checkpoint::Done { at } => StoredCheckpoint::Done { at: *at },
            Checkpoint::Refresh { walk, next } => StoredCheckpoint::Refresh {
                walk: *walk,
                next: next.clone(),
            },
            Checkpoint::Backfill(m) => StoredCheckpoint::Backfill(m.clone()),
            Checkpoint::SearchSlice(m) => StoredCheckpoint::SearchSlice(m.clone()),
            Checkpoint::Comments(m) => StoredCheckpoint::CommentsBackfill(m.clone()),
            Checkpoint::AuditWalk(m) => StoredCheckpoint::AuditWalk(m.clone()),
            Checkpoint::Archived(m) => StoredCheckpoint::ArchivedAudits(m.clone()),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Checkpoint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use zdkit::export::Checkpoint as E;
        Ok(match StoredCheckpoint::deserialize(d)? {
            StoredCheckpoint::Cursor { cursor } => Checkpoint::Export(E::Cursor(cursor)),
            StoredCheckpoint::Time { start_time } => Checkpoint::Export(E::Time(start_time)),
            StoredCheckpoint::Done { at } => Checkpoint::Done { at },
            StoredCheckpoint::Refresh { walk, next } => Checkpoint::Refresh { walk, next },
            StoredCheckpoint::Backfill(m) => Checkpoint::Backfill(m),
            StoredCheckpoint::SearchSlice(m) => Checkpoint::SearchSlice(m),
            StoredCheckpoint::CommentsBackfill(m) => Checkpoint::Comments(m),
            StoredCheckpoint::AuditWalk(m) => Checkpoint::AuditWalk(m),
            StoredCheckpoint::ArchivedAudits(m) => Checkpoint::Archived(m),
        })
    }
}

impl Checkpoint {
    /// The export checkpoint to resume from; `None` for a completed full list or a
    /// backfill route.
    pub fn export(&self) -> Option<&zdkit::export::Checkpoint> {
        match self {
            Checkpoint::Export(c) => Some(c),
            _ => None,
        }
    }

    pub(crate) fn to_json(&self) -> String {
        // Serializing a plain enum of strings and integers cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub(crate) fn from_json(stream: &str, text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| StoreError::BadCheckpoint {
            stream: stream.to_owned(),
            text: text.to_owned(),
            reason: e.to_string(),
        })
    }
}

/// What [`Store::apply_page`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageStats {
    /// Records in the page.
    pub received: usize,
    /// Rows of the stream's table inserted or replaced. `received - written` records were
    /// duplicates within the page or older than the stored version.
    pub written: u64,
    /// Comment rows inserted or replaced (ticket events only).
    pub comments_written: u64,
    /// Ticket metric rows inserted or replaced (tickets with `metric_sets` only).
    pub metrics_written: u64,
    /// Identity rows inserted or replaced (users with `identities` only).
    pub identities_written: u64,
}

/// One row's identity and version stamps, for comparing a mirror with the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowStamp {
    /// The record id.
    pub id: i64,
    /// `updated_at` in Unix seconds (`created_at` for ticket events and comments).
    pub updated_at: Option<i64>,
    /// `generated_timestamp` (tickets) or `timestamp` (ticket events); `None` elsewhere.
    pub generated_timestamp: Option<i64>,
    /// Marked deleted: a ticket with status `deleted`, a user with `active: false`, an
    /// organization with `deleted_at`, a group with `deleted: true`.
    pub deleted: bool,
}

/// One row's key and stamps, for any table (family tables may have text keys).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyStamp {
    /// The key: the id in decimal, or the text id (tags: the name).
    pub key: String,
    /// `updated_at` in Unix seconds.
    pub updated_at: Option<i64>,
    /// Marked deleted (family tables: not seen by the last complete refresh).
    pub deleted: bool,
}

/// A stream's stored checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamState {
    /// The stream's name (a [`Stream::as_str`]).
    pub stream: String,
    /// Where it resumes.
    pub checkpoint: Checkpoint,
    /// When the checkpoint was written, `YYYY-MM-DDTHH:MM:SSZ`.
    pub updated_at: String,
}

/// An overview of a store: [`Store::summary`]. `Display` renders it for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The store's location, password removed.
    pub location: String,
    /// The schema version of the database.
    pub schema_version: i64,
    /// Row count of every table, in [`Table::every`] order.
    pub tables: Vec<(Table, u64)>,
    /// Every stored checkpoint, by stream name.
    pub streams: Vec<StreamState>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} (schema version {})",
            self.location, self.schema_version
        )?;
        for (table, count) in &self.tables {
            writeln!(f, "  {:<24} {count:>10} rows", table.as_str())?;
        }
        for s in &self.streams {
            writeln!(
                f,
                "  stream {:<24} {} at {}",
                s.stream,
                s.checkpoint.to_json(),
                s.updated_at
            )?;
        }
        Ok(())
    }
}

/// Extracts a page's rows ahead of the write, on the caller's thread: what
/// [`Store::apply_prepared`] writes. A store that offers one ([`Store::preparer`]) lets the
/// sync engine do the per-record work (typed columns, child rows, `raw` text) on the
/// fetching side, one record at a time as each is parsed, so the store's writer only binds
/// and writes, and a page waits for its write as rows rather than as JSON trees.
#[derive(Debug, Clone)]
pub struct Preparer {
    clock: SharedClock,
}

impl Preparer {
    /// A preparer stamping `_synced_at` (and the checkpoint's `updated_at`) from `clock`
    /// (a store's own; also for a store that only passes pages on, e.g. a benchmark's).
    pub fn new(clock: SharedClock) -> Self {
        Preparer { clock }
    }

    /// The rows of one page of `stream` (a stream with typed columns: not a catalogue
    /// family), consuming the records one by one: record trees ([`Record`]) or, cheaper,
    /// the text the server sent ([`RecordText`]). Blocking CPU work: call it from a
    /// blocking task. Fails as [`Store::apply_page`] would on an unusable record.
    pub fn prepare<R: Into<RecordText>>(
        &self,
        stream: Stream,
        records: impl IntoIterator<Item = R>,
    ) -> Result<PreparedPage> {
        let now = now_iso(&self.clock);
        let page = columns::prepare(stream, records, &now)?;
        Ok(PreparedPage { page, now })
    }
}

/// A page made by [`Preparer::prepare`], for [`Store::apply_prepared`].
pub struct PreparedPage {
    pub(crate) page: columns::PreparedPage,
    /// When it was prepared (`_synced_at` of its rows).
    pub(crate) now: String,
}

impl fmt::Debug for PreparedPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedPage")
            .field("table", &self.page.main.spec.table)
            .field("received", &self.page.received)
            .field("rows", &self.page.main.rows.len())
            .finish()
    }
}

impl PreparedPage {
    /// Records in the page.
    pub fn received(&self) -> usize {
        self.page.received
    }
}

/// A mirror of a Zendesk account. Every method is safe to call concurrently; writes are
/// serialized by the store.
pub trait Store: Send + Sync + fmt::Debug {
    /// Where the store lives, for messages (`sqlite:PATH`, `postgres://user@host:port/db`,
    /// never a password).
    fn location(&self) -> &str;

    /// Claims the store for one sync of `account` (its base URL): takes the store's lock,
    /// held until the store is dropped (or its process dies, even by `kill -9`), and
    /// records the account on first use. Fails with [`StoreError::Locked`] when another
    /// sync holds the lock and [`StoreError::OtherAccount`] when the store mirrors another
    /// account. The engine calls it before any request.
    fn begin_sync(&self, account: &str) -> BoxFuture<'_, Result<()>>;

    /// The bulk-load rule, first half: called by the engine right after
    /// [`Store::begin_sync`]. Drops each of the store's reader-only secondary indexes (no
    /// statement of a sync reads through them: tag and custom field lookups, users by
    /// email, identities by value) whose table is empty, so a first sync loads those
    /// tables without maintaining the indexes row by row; tables with rows keep theirs.
    /// One transaction; returns the names of the indexes dropped. A sync that ends in any
    /// way but a killed process rebuilds them ([`Store::rebuild_reader_indexes`]).
    /// Default: none dropped.
    fn drop_reader_indexes(&self) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// The bulk-load rule, second half: recreates every reader-only index of the store
    /// that is missing (`CREATE INDEX IF NOT EXISTS`, the migrations' definitions),
    /// whether [`Store::drop_reader_indexes`] dropped it in this sync or a killed sync
    /// left it missing. Returns the names of the indexes created. Default: none.
    fn rebuild_reader_indexes(&self) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// The account the store mirrors, once a sync recorded it.
    fn account(&self) -> BoxFuture<'_, Result<Option<String>>>;

    /// Writes one page of `stream`'s records and the stream's checkpoint in ONE transaction.
    ///
    /// Rows are upserted by `id`, newest wins: a record replaces the stored row only if its
    /// `generated_timestamp` (then `updated_at`) is not older; duplicates within the page
    /// are resolved the same way. Ticket events are keyed by event id and their embedded
    /// comments by comment id. An empty page just stores the checkpoint. On error nothing
    /// of the page, not even the checkpoint, is written.
    fn apply_page(
        &self,
        stream: Stream,
        records: Vec<Record>,
        checkpoint: Checkpoint,
    ) -> BoxFuture<'_, Result<PageStats>>;

    /// A [`Preparer`] for pages of this store, if it writes [`PreparedPage`]s
    /// ([`Store::apply_prepared`]). Default: `None` (the engine hands over records).
    fn preparer(&self) -> Option<Preparer> {
        None
    }

    /// [`apply_page`](Self::apply_page) of a page whose rows were extracted by this
    /// store's [`preparer`](Self::preparer): the same single transaction and newest-wins
    /// rules. A store without a preparer fails.
    fn apply_prepared(
        &self,
        stream: Stream,
        page: PreparedPage,
        checkpoint: Checkpoint,
    ) -> BoxFuture<'_, Result<PageStats>> {
        let _ = (page, checkpoint);
        Box::pin(async move {
            Err(StoreError::Worker(format!(
                "{} does not write prepared pages (stream {stream})",
                self.location()
            )))
        })
    }

    /// Forgets `stream`: deletes its checkpoint and every row of its
    /// [`tables`](Stream::tables) in one transaction, under the store's sync lock (fails
    /// with [`StoreError::Locked`] while a sync runs). The next sync of the stream starts
    /// from the beginning. Returns the number of rows deleted.
    fn reset(&self, stream: Stream) -> BoxFuture<'_, Result<u64>>;

    /// [`apply_page`](Self::apply_page) for a route of a backfill: `records` go to
    /// `stream`'s table merged by `merge`, and `checkpoint` is stored under `key` (e.g.
    /// `tickets/search/0003`) instead of the stream's name, in the same transaction.
    fn apply_route_page(
        &self,
        stream: Stream,
        key: &str,
        records: Vec<Record>,
        checkpoint: Checkpoint,
        merge: Merge,
    ) -> BoxFuture<'_, Result<PageStats>>;

    /// Every stored checkpoint whose key starts with `prefix`, ordered by key.
    fn load_route_checkpoints(
        &self,
        prefix: &str,
    ) -> BoxFuture<'_, Result<Vec<(String, Checkpoint)>>>;

    /// The stream's checkpoint, if a page of it was ever applied.
    fn load_checkpoint(&self, stream: Stream) -> BoxFuture<'_, Result<Option<Checkpoint>>>;

    /// Number of rows in `table`.
    fn count(&self, table: Table) -> BoxFuture<'_, Result<u64>>;

    /// Every row's id and stamps, ordered by id. Family tables with text keys have no
    /// integer ids: use [`Store::key_stamps`].
    fn ids_and_stamps(&self, table: Table) -> BoxFuture<'_, Result<Vec<RowStamp>>>;

    /// Every row's key and stamps, ordered by key (as the database orders it).
    fn key_stamps(&self, table: Table) -> BoxFuture<'_, Result<Vec<KeyStamp>>> {
        Box::pin(async move {
            Ok(self
                .ids_and_stamps(table)
                .await?
                .into_iter()
                .map(|r| KeyStamp {
                    key: r.id.to_string(),
                    updated_at: r.updated_at,
                    deleted: r.deleted,
                })
                .collect())
        })
    }

    /// The stored JSON of one record, as Zendesk sent it.
    fn get_raw(&self, table: Table, id: i64) -> BoxFuture<'_, Result<Option<Record>>>;

    /// Counts per table and every checkpoint.
    fn summary(&self) -> BoxFuture<'_, Result<Summary>>;

    /// The archived-looking tickets whose history is not stored, for the archived-audits
    /// pass: not deleted, `closed`, last updated before `updated_before` (Unix seconds),
    /// and without their first update: no `ticket_events` row (with `comments`: no
    /// `comments` row) created at or before the ticket's `created_at`. As `(updated_at,
    /// id)`, newest first.
    fn archived_without_history(
        &self,
        updated_before: i64,
        comments: bool,
    ) -> BoxFuture<'_, Result<Vec<(i64, i64)>>>;
}

/// The SQL of [`Store::archived_without_history`]: `updated_at` as Unix seconds is
/// `epoch("t.updated_at")`, and the query's parameter is the cut-off as the dialect
/// compares it.
pub(crate) fn archived_without_history_sql(
    comments: bool,
    epoch: impl Fn(&str) -> String,
    param: &str,
) -> String {
    let history = if comments {
        "comments"
    } else {
        "ticket_events"
    };
    format!(
        "SELECT {}, t.id FROM tickets t \
         WHERE NOT t.deleted AND t.status = 'closed' AND t.updated_at < {param} \
         AND NOT EXISTS (SELECT 1 FROM {history} h \
             WHERE h.ticket_id = t.id AND h.created_at <= t.created_at) \
         ORDER BY t.updated_at DESC, t.id DESC",
        epoch("t.updated_at"),
    )
}

/// Options for [`open_with`].
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Clock stamping `sync_state.updated_at`. Default: [`SystemClock`].
    pub clock: SharedClock,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            clock: SystemClock::shared(),
        }
    }
}

/// A parsed `--to` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL URL (`postgres://` or `postgresql://`, optional `?schema=name`).
    Postgres(String),
}

impl Location {
    /// Parses `sqlite:PATH`, `sqlite://PATH`, `postgres://…`, `postgresql://…`, or a plain
    /// path (SQLite). An empty string means [`DEFAULT_LOCATION`].
    pub fn parse(url: &str) -> Result<Location> {
        let url = url.trim();
        if url.is_empty() {
            return Ok(Location::Sqlite(DEFAULT_LOCATION.into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Location::Postgres(url.to_owned()));
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(StoreError::BadLocation {
                    location: url.to_owned(),
                    reason: "no file name after `sqlite:`; write e.g. sqlite:zendesk.db".into(),
                });
            }
            return Ok(Location::Sqlite(path.into()));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(StoreError::BadLocation {
                location: url.to_owned(),
                reason: format!(
                    "unsupported store `{scheme}`; use sqlite:PATH, a file path, or postgres://USER@HOST/DB"
                ),
            });
        }
        Ok(Location::Sqlite(url.into()))
    }
}

/// Opens (creating and migrating if needed) the store at `url`; see [`Location::parse`].
///
/// Fails here, before any request to Zendesk, when the store cannot be opened or written
/// or its schema is newer than this build knows; the error says what to do.
pub async fn open(url: &str) -> Result<Box<dyn Store>> {
    open_with(url, OpenOptions::default()).await
}

/// [`open`] with options.
pub async fn open_with(url: &str, options: OpenOptions) -> Result<Box<dyn Store>> {
    match Location::parse(url)? {
        Location::Sqlite(path) => Ok(Box::new(sqlite::SqliteStore::open(&path, options).await?)),
        Location::Postgres(url) => Ok(Box::new(
            postgres::PostgresStore::open(&url, options).await?,
        )),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a clock reading.
pub(crate) fn now_iso(clock: &SharedClock) -> String {
    let secs = i64::try_from(clock.now().unix_secs()).unwrap_or(i64::MAX);
    columns::format_unix(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_parses_each_form() {
        let sqlite = |p: &str| Location::Sqlite(p.into());
        assert_eq!(Location::parse("").unwrap(), sqlite("zendesk.db"));
        assert_eq!(Location::parse("sqlite:a/b.db").unwrap(), sqlite("a/b.db"));
        assert_eq!(
            Location::parse("sqlite:///tmp/x.db").unwrap(),
            sqlite("/tmp/x.db")
        );
        assert_eq!(Location::parse("./x.db").unwrap(), sqlite("./x.db"));
        assert_eq!(
            Location::parse("postgres://u@h/db?schema=s").unwrap(),
            Location::Postgres("postgres://u@h/db?schema=s".into())
        );
        let err = Location::parse("mysql://h/db").unwrap_err().to_string();
        assert!(err.contains("unsupported store `mysql`"), "{err}");
        assert!(Location::parse("sqlite:").is_err());
    }

    #[test]
    fn checkpoint_json_round_trips() {
        for cp in [
            Checkpoint::Export(zdkit::export::Checkpoint::Cursor("abc".into())),
            Checkpoint::Export(zdkit::export::Checkpoint::Time(1_704_164_645)),
            Checkpoint::Done { at: 7 },
            Checkpoint::Refresh {
                walk: 2,
                next: Some("https://a.zendesk.com/api/v2/macros?page=2".into()),
            },
            Checkpoint::Refresh {
                walk: 3,
                next: None,
            },
            Checkpoint::Backfill(BackfillMark {
                started_at: 10,
                since: 5,
                slices: 3,
                done: false,
            }),
            Checkpoint::SearchSlice(SliceMark {
                from: 1,
                to: 9,
                after: Some(4),
                expected: 100,
                done: true,
            }),
            Checkpoint::Comments(CommentsMark {
                started_at: 10,
                since: 5,
                archived_before: 1,
                done: false,
            }),
            Checkpoint::AuditWalk(AuditWalkMark {
                after: Some("c".into()),
                done: false,
            }),
            Checkpoint::Archived(ArchivedMark {
                below: Some((7, 3)),
                done: true,
            }),
        ] {
            assert_eq!(Checkpoint::from_json("s", &cp.to_json()).unwrap(), cp);
        }
        assert_eq!(
            Checkpoint::Export(zdkit::export::Checkpoint::Cursor("c".into())).to_json(),
            r#"{"kind":"cursor","cursor":"c"}"#
        );
        assert!(Checkpoint::from_json("s", r#"{"kind":"warp"}"#).is_err());
    }

    /// The exact JSON the store has always written to `sync_state.checkpoint`: stores
    /// written by earlier versions must stay readable, and new writes keep the format.
    #[test]
    fn checkpoint_reads_the_stored_json_format() {
        let stored = [
            (
                r#"{"kind":"cursor","cursor":"MTcwNDE2NDY0NS4wfHwxMjM0NQ=="}"#,
                Checkpoint::Export(zdkit::export::Checkpoint::Cursor(
                    "MTcwNDE2NDY0NS4wfHwxMjM0NQ==".into(),
                )),
            ),
            (
                r#"{"kind":"time","start_time":1704164645}"#,
                Checkpoint::Export(zdkit::export::Checkpoint::Time(1_704_164_645)),
            ),
            (
                r#"{"kind":"done","at":1704067200}"#,
                Checkpoint::Done { at: 1_704_067_200 },
            ),
        ];
        for (json, cp) in stored {
            assert_eq!(Checkpoint::from_json("s", json).unwrap(), cp, "{json}");
            assert_eq!(cp.to_json(), json);
        }
    }

    #[test]
    fn names_round_trip() {
        for s in Stream::every() {
            assert_eq!(s.as_str().parse::<Stream>().unwrap(), s);
        }
        for t in Table::every() {
            assert_eq!(t.as_str().parse::<Table>().unwrap(), t);
        }
        assert!("nope".parse::<Table>().is_err());
    }
}
