//! The SQLite store: one file, WAL journal, `synchronous=NORMAL`, cached prepared
//! statements, one `BEGIN IMMEDIATE` transaction per page.
//!
//! rusqlite is blocking, so every operation runs on [`tokio::task::spawn_blocking`] with
//! the connection behind a mutex (writes are serialized anyway by SQLite).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::BoxFuture;
use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior};
use zdkit_clock::SharedClock;

use super::columns::{self, Val};
use super::family::FamilyStream;
use super::generic::{self, Dialect};
use super::{
    now_iso, Checkpoint, KeyStamp, Merge, OpenOptions, PageStats, PreparedPage, Preparer, Record,
    Result, RowStamp, Store, StoreError, Stream, StreamState, Summary, Table,
};
use crate::migrations::{self, Migration};

mod bulk;
mod children;
mod write;

use write::{write_family_page, write_page, Target};

/// A store in a SQLite file. Open it with [`SqliteStore::open`] or [`super::open`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    conn: Mutex<Connection>,
    location: String,
    /// `PATH.lock`, locked (`flock`) by [`Store::begin_sync`]: the kernel drops the lock
    /// when the process exits, however it exits.
    lock_path: PathBuf,
    lock: Mutex<Option<std::fs::File>>,
    clock: SharedClock,
    upserts: HashMap<(Table, Merge), String>,
}

const UPSERT_CHECKPOINT: &str = "INSERT INTO sync_state (stream, checkpoint, updated_at) \
     VALUES (?1, ?2, ?3) ON CONFLICT (stream) DO UPDATE \
     SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at";

impl SqliteStore {
    /// Opens or creates the database at `path` and brings its schema up to date.
    ///
    /// Errors (see [`StoreError`]): the directory does not exist, the file is not a
    /// database or cannot be written, or its schema is newer than this build.
    pub async fn open(path: &Path, options: OpenOptions) -> Result<SqliteStore> {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || open_blocking(path, options))
            .await
            .map_err(|e| StoreError::Worker(e.to_string()))?
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn blocking<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner, &mut Connection) -> Result<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.conn.lock().unwrap_or_else(PoisonError::into_inner);
            f(&inner, &mut conn)
        })
        .await
        .map_err(|e| StoreError::Worker(e.to_string()))?
    }
}

/// How long a statement waits for another connection's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `PRAGMA journal_mode = WAL`, against concurrent opens of a new database: the switch
/// needs an exclusive lock, and when two connections race for it SQLite fails the loser
/// with `SQLITE_BUSY` at once instead of calling the busy handler (each holds the shared
/// lock the other waits on). The loser then waits for the winner through a lock request
/// that does call the busy handler (`BEGIN IMMEDIATE`, given back at once) and asks
/// again, when the database is WAL already. Each retry follows another connection's
/// progress, so a few suffice.
fn wal_mode(conn: &Connection) -> rusqlite::Result<String> {
    let switch = || conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0));
    for _ in 0..16 {
        match switch() {
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) => {
                conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;")?;
            }
            r => return r,
        }
    }
    switch()
}

fn open_blocking(path: PathBuf, options: OpenOptions) -> Result<SqliteStore> {
    let location = format!("sqlite:{}", path.display());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            return Err(StoreError::NoSuchDirectory {
                path: path.clone(),
                dir: dir.to_owned(),
            });
        }
    }
    if path.is_dir() {
        return Err(StoreError::Open {
            location,
            reason: "it is a directory".into(),
            hint: "pass a file path, e.g. --to sqlite:DIR/zendesk.db".into(),
        });
    }
    let open_err = |e: rusqlite::Error| open_error(&location, e);
    let conn = Connection::open(&path).map_err(open_err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
    let mode = wal_mode(&conn).map_err(open_err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%location, %mode, "SQLite refused WAL journal mode; writes will be slower");
    }
    // Memory: a 16 MiB page cache and no mmap keep `zd sync` of a million tickets under
    // 100 MB RSS (mapped database pages count as resident); with one transaction per page
    // of 1,000 the larger cache bought no measurable throughput (BENCHMARKS.md).
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384; \
         PRAGMA mmap_size = 0; PRAGMA wal_autocheckpoint = 4096;",
    )
    .map_err(open_err)?;
    conn.set_prepared_statement_cache_capacity(160);
    let mut conn = conn;
    migrate(&mut conn, &location, migrations::SQLITE)?;
    for f in FamilyStream::all() {
        conn.execute_batch(&generic::create_sql(f, Dialect::Sqlite))
            .map_err(open_err)?;
    }
    let upserts = Table::ALL
        .into_iter()
        .flat_map(|t| Merge::ALL.map(move |m| (t, m)))
        .filter_map(|(t, merge)| {
            let spec = columns::spec(t)?;
            let params: Vec<String> = (1..=spec.cols.len()).map(|i| format!("?{i}")).collect();
            let sql = format!(
                "INSERT INTO \"{t}\" ({}) VALUES ({}) {}",
                columns::column_list(spec),
                params.join(", "),
                columns::conflict_clause(spec, &format!("\"{t}\""), "''", merge),
            );
            Some(((t, merge), sql))
        })
        .collect();
    tracing::debug!(%location, "opened SQLite store");
    let mut lock_path = path.clone().into_os_string();
    lock_path.push(".lock");
    let inner = Inner {
        conn: Mutex::new(conn),
        location,
        lock_path: PathBuf::from(lock_path),
        lock: Mutex::new(None),
        clock: options.clock,
        upserts,
    };
    Ok(SqliteStore {
        inner: Arc::new(inner),
    })
}

/// `flock(LOCK_EX | LOCK_NB)`: `Ok(false)` when another open file holds it.
#[cfg(unix)]
fn try_flock(file: &std::fs::File) -> std::io::Result<bool> {
    use rustix::fs::{flock, FlockOperation};
    match flock(file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// No advisory file locks here: a concurrent sync is not detected.
#[cfg(not(unix))]
fn try_flock(_file: &std::fs::File) -> std::io::Result<bool> {
    tracing::warn!("no store lock on this platform: do not run two syncs on one store");
    Ok(true)
}

/// An open-time failure with advice.
fn open_error(location: &str, e: rusqlite::Error) -> StoreError {
    let hint = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            "the file is not a SQLite database (or is encrypted); pass another path with --to"
        }
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
            "the file or its directory is not writable; fix the permissions or pass another \
             path with --to"
        }
        Some(ErrorCode::CannotOpen) => {
            "check that the path is right and that its directory is writable"
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "another process holds the database; wait for it or stop it"
        }
        Some(ErrorCode::DiskFull) => "the disk is full; free some space",
        _ => "check the path given with --to",
    };
    StoreError::Open {
        location: location.to_owned(),
        reason: e.to_string(),
        hint: hint.into(),
    }
}

/// Applies the missing migrations in one `BEGIN IMMEDIATE` transaction, and proves the
/// database is writable.
fn migrate(conn: &mut Connection, location: &str, list: &[Migration]) -> Result<()> {
    let open_err = |e: rusqlite::Error| open_error(location, e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(open_err)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version \
         (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .map_err(open_err)?;
    let found: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            [],
            |r| r.get(0),
        )
        .map_err(open_err)?;
    if found > migrations::LATEST {
        return Err(StoreError::SchemaTooNew {
            location: location.to_owned(),
            found,
            supported: migrations::LATEST,
        });
    }
    for m in list.iter().filter(|m| m.version > found) {
        let failed = |e: rusqlite::Error| StoreError::Migration {
            location: location.to_owned(),
            version: m.version,
            source: Box::new(e),
        };
        tx.execute_batch(m.sql).map_err(failed)?;
        tx.execute(
            "INSERT INTO schema_version (version, applied_at) \
             VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            [m.version],
        )
        .map_err(failed)?;
        tracing::info!(%location, version = m.version, "applied schema migration");
    }
    // Write probe: a read-only file fails here, at open, not at the first page.
    tx.execute(
        "INSERT INTO schema_version (version, applied_at) VALUES (-1, 'probe')",
        [],
    )
    .map_err(open_err)?;
    tx.execute("DELETE FROM schema_version WHERE version = -1", [])
        .map_err(open_err)?;
    tx.commit().map_err(open_err)
}

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Int(v) => ToSqlOutput::Owned(v.map_or(SqlValue::Null, SqlValue::Integer)),
            Val::Bool(v) => {
                ToSqlOutput::Owned(v.map_or(SqlValue::Null, |b| SqlValue::Integer(i64::from(b))))
            }
            Val::Text(Some(s)) => {
                ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(s.as_bytes()))
            }
            Val::Text(None) => ToSqlOutput::Owned(SqlValue::Null),
        })
    }
}

impl Inner {
    /// Takes the sync lock (once per store; later calls keep it).
    fn take_lock(&self) -> Result<()> {
        let mut held = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        if held.is_some() {
            return Ok(());
        }
        let open_failed = |e: std::io::Error| StoreError::Open {
            location: self.location.clone(),
            reason: format!(
                "cannot create the lock file {}: {e}",
                self.lock_path.display()
            ),
            hint: "the database's directory must be writable".into(),
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)
            .map_err(open_failed)?;
        match try_flock(&file) {
            Ok(true) => {
                *held = Some(file);
                Ok(())
            }
            Ok(false) => Err(StoreError::Locked {
                location: self.location.clone(),
                how: format!("it holds the lock on {}", self.lock_path.display()),
            }),
            Err(e) => Err(open_failed(e)),
        }
    }

    fn db_err(&self, operation: impl Into<String>) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        let operation = operation.into();
        move |e| StoreError::Database {
            location: self.location.clone(),
            operation: operation.clone(),
            source: Box::new(e),
        }
    }
}

fn stamps_sql(table: Table) -> String {
    let Some(spec) = columns::spec(table) else {
        return format!(
            "SELECT id, CAST(strftime('%s', updated_at) AS INTEGER), NULL, deleted \
             FROM \"{table}\" ORDER BY id"
        );
    };
    format!(
        "SELECT id, CAST(strftime('%s', \"{}\") AS INTEGER), {}, {} FROM \"{table}\" ORDER BY id",
        spec.stamp_updated,
        spec.stamp_gts
            .map_or("NULL".to_owned(), |c| format!("\"{c}\"")),
        if spec.has_deleted { "deleted" } else { "0" },
    )
}

impl SqliteStore {
    /// A page of a table stream (not a family) and its checkpoint under `target.key`.
    async fn write(
        &self,
        stream: Stream,
        target: Target,
        records: Vec<Record>,
        checkpoint: Checkpoint,
        updated_at: String,
    ) -> Result<PageStats> {
        // Extract outside the connection lock, so other streams can write meanwhile.
        let now = updated_at.clone();
        let page = tokio::task::spawn_blocking(move || columns::prepare(stream, records, &now))
            .await
            .map_err(|e| StoreError::Worker(e.to_string()))??;
        self.blocking(move |inner, conn| {
            write_page(inner, conn, &target, &page, &checkpoint, &updated_at)
        })
        .await
    }
}

impl Store for SqliteStore {
    fn location(&self) -> &str {
        &self.inner.location
    }

    fn begin_sync(&self, account: &str) -> BoxFuture<'_, Result<()>> {
        let account = account.to_owned();
        let at = now_iso(&self.inner.clock);
        Box::pin(self.blocking(move |inner, conn| {
            inner.take_lock()?;
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(inner.db_err("begin_sync"))?;
            let recorded: Option<String> = tx
                .query_row("SELECT base_url FROM store_account WHERE id = 1", [], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(inner.db_err("begin_sync"))?;
            match recorded {
                Some(r) if r != account => Err(StoreError::OtherAccount {
                    location: inner.location.clone(),
                    recorded: r,
                    given: account,
                }),
                Some(_) => Ok(()),
                None => {
                    tx.execute(
                        "INSERT INTO store_account (id, base_url, recorded_at) VALUES (1, ?1, ?2)",
                        [&account, &at],
                    )
                    .map_err(inner.db_err("begin_sync"))?;
                    tx.commit().map_err(inner.db_err("begin_sync"))
                }
            }
        }))
    }

    fn drop_reader_indexes(&self) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(self.blocking(bulk::drop_reader_indexes))
    }

    fn rebuild_reader_indexes(&self) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(self.blocking(bulk::rebuild_reader_indexes))
    }

    fn account(&self) -> BoxFuture<'_, Result<Option<String>>> {
        Box::pin(self.blocking(|inner, conn| {
            conn.query_row("SELECT base_url FROM store_account WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(inner.db_err("account"))
        }))
    }

    fn apply_page(
        &self,
        stream: Stream,
        records: Vec<Record>,
        checkpoint: Checkpoint,
    ) -> BoxFuture<'_, Result<PageStats>> {
        let updated_at = now_iso(&self.inner.clock);
        if let Stream::Family(family) = stream {
            return Box::pin(async move {
                let page = tokio::task::spawn_blocking(move || {
                    generic::prepare(family, records, &checkpoint).map(|p| (p, checkpoint))
                })
                .await
                .map_err(|e| StoreError::Worker(e.to_string()))??;
                self.blocking(move |inner, conn| {
                    let (page, checkpoint) = page;
                    write_family_page(inner, conn, family, &page, &checkpoint, &updated_at)
                })
                .await
            });
        }
        let target = Target {
            key: stream.as_str().to_owned(),
            merge: Merge::Newest,
        };
        Box::pin(self.write(stream, target, records, checkpoint, updated_at))
    }

    fn preparer(&self) -> Option<Preparer> {
        Some(Preparer::new(self.inner.clock.clone()))
    }

    fn apply_prepared(
        &self,
        stream: Stream,
        page: PreparedPage,
        checkpoint: Checkpoint,
    ) -> BoxFuture<'_, Result<PageStats>> {
        let target = Target {
            key: stream.as_str().to_owned(),
            merge: Merge::Newest,
        };
        Box::pin(self.blocking(move |inner, conn| {
            write_page(inner, conn, &target, &page.page, &checkpoint, &page.now)
        }))
    }

    fn apply_route_page(
        &self,
        stream: Stream,
        key: &str,
        records: Vec<Record>,
        checkpoint: Checkpoint,
        merge: Merge,
    ) -> BoxFuture<'_, Result<PageStats>> {
        let target = Target {
            key: key.to_owned(),
            merge,
        };
        let updated_at = now_iso(&self.inner.clock);
        Box::pin(self.write(stream, target, records, checkpoint, updated_at))
    }

    fn load_route_checkpoints(
        &self,
        prefix: &str,
    ) -> BoxFuture<'_, Result<Vec<(String, Checkpoint)>>> {
        let prefix = prefix.to_owned();
        Box::pin(self.blocking(move |inner, conn| {
            let rows: Vec<(String, String)> = conn
                .prepare_cached(
                    "SELECT stream, checkpoint FROM sync_state \
                     WHERE substr(stream, 1, length(?1)) = ?1 ORDER BY stream",
                )
                .and_then(|mut s| {
                    s.query_map([&prefix], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect()
                })
                .map_err(inner.db_err("load_route_checkpoints"))?;
            rows.into_iter()
                .map(|(key, text)| {
                    let cp = Checkpoint::from_json(&key, &text)?;
                    Ok((key, cp))
                })
                .collect()
        }))
    }

    fn reset(&self, stream: Stream) -> BoxFuture<'_, Result<u64>> {
        Box::pin(self.blocking(move |inner, conn| {
            inner.take_lock()?;
            let err = inner.db_err(format!("reset({stream})"));
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(&err)?;
            // The stream's own checkpoint and its backfill's (`STREAM/backfill`,
            // `STREAM/search/NNNN`): a reset stream is backfilled again.
            tx.execute(
                "DELETE FROM sync_state WHERE stream = ?1 \
                 OR substr(stream, 1, length(?1) + 1) = ?1 || '/'",
                [stream.as_str()],
            )
            .map_err(&err)?;
            let mut deleted = 0;
            for table in stream.tables() {
                deleted += tx
                    .execute(&format!("DELETE FROM \"{table}\""), [])
                    .map_err(&err)? as u64;
            }
            tx.commit().map_err(&err)?;
            Ok(deleted)
        }))
    }

    fn load_checkpoint(&self, stream: Stream) -> BoxFuture<'_, Result<Option<Checkpoint>>> {
        Box::pin(self.blocking(move |inner, conn| {
            let text: Option<String> = conn
                .prepare_cached("SELECT checkpoint FROM sync_state WHERE stream = ?1")
                .and_then(|mut s| s.query_row([stream.as_str()], |r| r.get(0)).optional())
                .map_err(inner.db_err("load_checkpoint"))?;
            text.map(|t| Checkpoint::from_json(stream.as_str(), &t))
                .transpose()
        }))
    }

    fn count(&self, table: Table) -> BoxFuture<'_, Result<u64>> {
        Box::pin(self.blocking(move |inner, conn| count(inner, conn, table)))
    }

    fn key_stamps(&self, table: Table) -> BoxFuture<'_, Result<Vec<KeyStamp>>> {
        let Table::Family(family) = table else {
            return Box::pin(async move {
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
            });
        };
        Box::pin(self.blocking(move |inner, conn| {
            let mut stmt = conn
                .prepare_cached(&generic::key_stamps_sql(family, Dialect::Sqlite))
                .map_err(inner.db_err("key_stamps"))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(KeyStamp {
                        key: r.get(0)?,
                        updated_at: r.get(1)?,
                        deleted: r.get(2)?,
                    })
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(inner.db_err("key_stamps"))?;
            Ok(rows)
        }))
    }

    fn ids_and_stamps(&self, table: Table) -> BoxFuture<'_, Result<Vec<RowStamp>>> {
        Box::pin(self.blocking(move |inner, conn| {
            let mut stmt = conn
                .prepare_cached(&stamps_sql(table))
                .map_err(inner.db_err("ids_and_stamps"))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(RowStamp {
                        id: r.get(0)?,
                        updated_at: r.get(1)?,
                        generated_timestamp: r.get(2)?,
                        deleted: r.get(3)?,
                    })
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(inner.db_err("ids_and_stamps"))?;
            Ok(rows)
        }))
    }

    fn archived_without_history(
        &self,
        updated_before: i64,
        comments: bool,
    ) -> BoxFuture<'_, Result<Vec<(i64, i64)>>> {
        Box::pin(self.blocking(move |inner, conn| {
            let sql = super::archived_without_history_sql(
                comments,
                |c| format!("CAST(strftime('%s', {c}) AS INTEGER)"),
                "?1",
            );
            let err = inner.db_err("archived_without_history");
            let mut stmt = conn.prepare_cached(&sql).map_err(&err)?;
            let rows = stmt
                .query_map([columns::format_unix(updated_before)], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(&err)?;
            Ok(rows)
        }))
    }

    fn get_raw(&self, table: Table, id: i64) -> BoxFuture<'_, Result<Option<Record>>> {
        Box::pin(self.blocking(move |inner, conn| {
            let raw: Option<String> = conn
                .prepare_cached(&format!("SELECT raw FROM \"{table}\" WHERE id = ?1"))
                .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
                .map_err(inner.db_err("get_raw"))?;
            raw.map(|raw| {
                serde_json::from_str(&raw).map_err(|e| StoreError::Database {
                    location: inner.location.clone(),
                    operation: format!("get_raw({table}, {id})"),
                    source: Box::new(e),
                })
            })
            .transpose()
        }))
    }

    fn summary(&self) -> BoxFuture<'_, Result<Summary>> {
        Box::pin(self.blocking(move |inner, conn| {
            let err = inner.db_err("summary");
            let schema_version: i64 = conn
                .query_row(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_version",
                    [],
                    |r| r.get(0),
                )
                .map_err(&err)?;
            let mut tables = Vec::new();
            for table in Table::every() {
                tables.push((table, count(inner, conn, table)?));
            }
            let mut stmt = conn
                .prepare_cached(
                    "SELECT stream, checkpoint, updated_at FROM sync_state ORDER BY stream",
                )
                .map_err(&err)?;
            let rows: Vec<(String, String, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .and_then(|rows| rows.collect())
                .map_err(&err)?;
            let streams = rows
                .into_iter()
                .map(|(stream, text, updated_at)| {
                    let checkpoint = Checkpoint::from_json(&stream, &text)?;
                    Ok(StreamState {
                        stream,
                        checkpoint,
                        updated_at,
                    })
                })
                .collect::<Result<_>>()?;
            Ok(Summary {
                location: inner.location.clone(),
                schema_version,
                tables,
                streams,
            })
        }))
    }
}

fn count(inner: &Inner, conn: &Connection, table: Table) -> Result<u64> {
    let n: i64 = conn
        .query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
            r.get(0)
        })
        .map_err(inner.db_err(format!("count({table})")))?;
    Ok(u64::try_from(n).unwrap_or_default())
}
