//! The PostgreSQL store: one connection, one transaction per page, and per table one
//! multi-row upsert, `INSERT … SELECT … FROM unnest($1::bigint[], $2::text[], …)`, so a
//! page of 1000 records is a single statement.
//!
//! The URL is a libpq-style `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` plus an optional
//! `schema=NAME` parameter: the schema is created if needed and becomes the
//! `search_path`, so several mirrors (or tests) can share one database. Connections are
//! made without TLS.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::Mutex;
use tokio_postgres::{Client, Config, NoTls};
use zdkit_clock::SharedClock;

use self::connect::{chain, describe, open_error, redact, split_schema};
use self::write::{write_family_page, write_page, Input, Statements};
use crate::migrations::{self, Migration};
use crate::store::columns;
use crate::store::family::FamilyStream;
use crate::store::generic::{self, Dialect};
use crate::store::{
    now_iso, Checkpoint, KeyStamp, Merge, OpenOptions, PageStats, PreparedPage, Preparer, Record,
    Result, RowStamp, Store, StoreError, Stream, StreamState, Summary, Table,
};

mod bulk;
mod connect;
mod write;

/// A store in a PostgreSQL database. Open it with [`PostgresStore::open`] or
/// [`crate::store::open`].
#[derive(Debug, Clone)]
pub struct PostgresStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: Mutex<Client>,
    location: String,
    clock: SharedClock,
    statements: Statements,
}

impl PostgresStore {
    /// Connects, creates the schema named by `?schema=` if needed, and brings the
    /// tables up to date.
    ///
    /// Errors (see [`StoreError`]): a malformed URL, an unreachable server, failed
    /// authentication, a missing database, missing privileges, or a schema newer than this
    /// build.
    pub async fn open(url: &str, options: OpenOptions) -> Result<PostgresStore> {
        let (base, schema) = split_schema(url)?;
        let mut config: Config =
            base.parse()
                .map_err(|e: tokio_postgres::Error| StoreError::BadLocation {
                    location: redact(url),
                    reason: chain(&e),
                })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let location = describe(&config, schema.as_deref());
        let (mut client, connection) = config
            .connect(NoTls)
            .await
            .map_err(|e| open_error(&location, &e))?;
        let conn_location = location.clone();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::error!(location = %conn_location, error = %chain(&e), "PostgreSQL connection lost");
            }
        });
        if let Some(schema) = &schema {
            client
                // CREATE SCHEMA IF NOT EXISTS races with itself: serialize concurrent opens.
                .batch_execute(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock(7238, hashtext('{schema}')); \
                     CREATE SCHEMA IF NOT EXISTS \"{schema}\"; COMMIT; \
                     SET search_path TO \"{schema}\""
                ))
                .await
                .map_err(|e| open_error(&location, &e))?;
        }
        migrate(&mut client, &location, migrations::POSTGRES).await?;
        // `raw` values over about 2 kB are compressed (TOAST): lz4 costs a fraction of the
        // default pglz (measured: pglz was 10 % of the server's time in a ticket sync).
        // A server built without lz4 keeps its default.
        if let Err(e) = client
            .batch_execute("SET default_toast_compression = lz4")
            .await
        {
            tracing::debug!(%location, error = %chain(&e), "lz4 TOAST compression unavailable");
        }
        let statements = Statements::prepare(&client)
            .await
            .map_err(|e| open_error(&location, &e))?;
        tracing::debug!(%location, "opened PostgreSQL store");
        let inner = Inner {
            client: Mutex::new(client),
            location,
            clock: options.clock,
            statements,
        };
        Ok(PostgresStore {
            inner: Arc::new(inner),
        })
    }
}

/// Applies the missing migrations in one transaction, serialized across processes by an
/// advisory lock, and proves the tables are writable.
async fn migrate(client: &mut Client, location: &str, list: &[Migration]) -> Result<()> {
    let open_err = |e: tokio_postgres::Error| open_error(location, &e);
    let tx = client.transaction().await.map_err(open_err)?;
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(7238, hashtext(COALESCE(current_schema(), ''))); \
         CREATE TABLE IF NOT EXISTS schema_version \
         (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await
    .map_err(open_err)?;
    let found: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::bigint FROM schema_version",
            &[],
        )
        .await
        .map_err(open_err)?
        .get(0);
    if found > migrations::LATEST {
        return Err(StoreError::SchemaTooNew {
            location: location.to_owned(),
            found,
            supported: migrations::LATEST,
        });
    }
    for m in list.iter().filter(|m| m.version > found) {
        let failed = |e: tokio_postgres::Error| StoreError::Migration {
            location: location.to_owned(),
            version: m.version,
            source: Box::new(e),
        };
        tx.batch_execute(m.sql).await.map_err(failed)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&m.version],
        )
        .await
        .map_err(failed)?;
        tracing::info!(%location, version = m.version, "applied schema migration");
    }
    // The generic family tables (see `store::family`): created when missing.
    let families: Vec<String> = FamilyStream::all()
        .map(|f| generic::create_sql(f, Dialect::Postgres))
        .collect();
    tx.batch_execute(&families.join("; "))
        .await
        .map_err(open_err)?;
    tx.batch_execute(
        "INSERT INTO schema_version (version) VALUES (-1); \
         DELETE FROM schema_version WHERE version = -1",
    )
    .await
    .map_err(open_err)?;
    tx.commit().await.map_err(open_err)
}

impl Inner {
    fn db_err(
        &self,
        operation: impl Into<String>,
    ) -> impl Fn(tokio_postgres::Error) -> StoreError + '_ {
        let operation = operation.into();
        move |e| StoreError::Database {
            location: self.location.clone(),
            operation: operation.clone(),
            source: chain(&e).into(),
        }
    }
}

impl PostgresStore {
    /// A page of a table stream (not a family) and its checkpoint under `key`, in one
    /// transaction, rows merged by `merge`.
    async fn write(
        &self,
        stream: Stream,
        key: String,
        records: Vec<Record>,
        checkpoint: Checkpoint,
        merge: Merge,
    ) -> Result<PageStats> {
        let now = now_iso(&self.inner.clock);
        let input = Input::Records(stream, records);
        write_page(&self.inner, key, input, checkpoint, merge, now).await
    }
}

impl Store for PostgresStore {
    fn location(&self) -> &str {
        &self.inner.location
    }

    fn apply_page(
        &self,
        stream: Stream,
        records: Vec<Record>,
        checkpoint: Checkpoint,
    ) -> BoxFuture<'_, Result<PageStats>> {
        if let Stream::Family(family) = stream {
            return Box::pin(async move {
                let now = now_iso(&self.inner.clock);
                let page = tokio::task::spawn_blocking(move || {
                    generic::prepare(family, records, &checkpoint).map(|p| (p, checkpoint))
                })
                .await
                .map_err(|e| StoreError::Worker(e.to_string()))??;
                write_family_page(&self.inner, family, page.0, &page.1, &now).await
            });
        }
        Box::pin(self.write(
            stream,
            stream.as_str().to_owned(),
            records,
            checkpoint,
            Merge::Newest,
        ))
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
        let key = stream.as_str().to_owned();
        let input = Input::Prepared(page.page);
        Box::pin(write_page(
            &self.inner,
            key,
            input,
            checkpoint,
            Merge::Newest,
            page.now,
        ))
    }

    fn apply_route_page(
        &self,
        stream: Stream,
        key: &str,
        records: Vec<Record>,
        checkpoint: Checkpoint,
        merge: Merge,
    ) -> BoxFuture<'_, Result<PageStats>> {
        Box::pin(self.write(stream, key.to_owned(), records, checkpoint, merge))
    }

    fn load_route_checkpoints(
        &self,
        prefix: &str,
    ) -> BoxFuture<'_, Result<Vec<(String, Checkpoint)>>> {
        let prefix = prefix.to_owned();
        Box::pin(async move {
            let client = self.inner.client.lock().await;
            let rows = client
                .query(
                    "SELECT stream, checkpoint FROM sync_state \
                     WHERE left(stream, length($1)) = $1 ORDER BY stream",
                    &[&prefix],
                )
                .await
                .map_err(self.inner.db_err("load_route_checkpoints"))?;
            rows.iter()
                .map(|r| {
                    let key: String = r.get(0);
                    let cp = Checkpoint::from_json(&key, r.get(1))?;
                    Ok((key, cp))
                })
                .collect()
        })
    }

    fn reset(&self, stream: Stream) -> BoxFuture<'_, Result<u64>> {
        Box::pin(async move {
            let mut client = self.inner.client.lock().await;
            take_lock(&self.inner, &client).await?;
            let err = self.inner.db_err(format!("reset({stream})"));
            let tx = client.transaction().await.map_err(&err)?;
            // The stream's own checkpoint and its backfill's (`STREAM/backfill`,
            // `STREAM/search/NNNN`): a reset stream is backfilled again.
            tx.execute(
                "DELETE FROM sync_state WHERE stream = $1 \
                 OR left(stream, length($1) + 1) = $1 || '/'",
                &[&stream.as_str()],
            )
            .await
            .map_err(&err)?;
            let mut deleted = 0;
            for table in stream.tables() {
                deleted += tx
                    .execute(&format!("DELETE FROM \"{table}\""), &[])
                    .await
                    .map_err(&err)?;
            }
            tx.commit().await.map_err(&err)?;
            Ok(deleted)
        })
    }

    fn begin_sync(&self, account: &str) -> BoxFuture<'_, Result<()>> {
        let account = account.to_owned();
        Box::pin(async move {
            let client = self.inner.client.lock().await;
            let err = self.inner.db_err("begin_sync");
            take_lock(&self.inner, &client).await?;
            client
                .execute(
                    "INSERT INTO store_account (id, base_url) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
                    &[&account],
                )
                .await
                .map_err(&err)?;
            let recorded: String = client
                .query_one("SELECT base_url FROM store_account WHERE id = 1", &[])
                .await
                .map_err(&err)?
                .get(0);
            if recorded != account {
                return Err(StoreError::OtherAccount {
                    location: self.inner.location.clone(),
                    recorded,
                    given: account,
                });
            }
            Ok(())
        })
    }

    fn drop_reader_indexes(&self) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(bulk::drop_reader_indexes(&self.inner))
    }

    fn rebuild_reader_indexes(&self) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(bulk::rebuild_reader_indexes(&self.inner))
    }

    fn account(&self) -> BoxFuture<'_, Result<Option<String>>> {
        Box::pin(async move {
            let client = self.inner.client.lock().await;
            Ok(client
                .query_opt("SELECT base_url FROM store_account WHERE id = 1", &[])
                .await
                .map_err(self.inner.db_err("account"))?
                .map(|r| r.get(0)))
        })
    }

    fn load_checkpoint(&self, stream: Stream) -> BoxFuture<'_, Result<Option<Checkpoint>>> {
        Box::pin(async move {
            let client = self.inner.client.lock().await;
            let row = client
                .query_opt(
                    "SELECT checkpoint FROM sync_state WHERE stream = $1",
                    &[&stream.as_str()],
                )
                .await
                .map_err(self.inner.db_err("load_checkpoint"))?;
            row.map(|r| Checkpoint::from_json(stream.as_str(), r.get(0)))
                .transpose()
        })
    }

    fn count(&self, table: Table) -> BoxFuture<'_, Result<u64>> {
        Box::pin(async move {
            let client = self.inner.client.lock().await;
            count(&self.inner, &client, table).await
        })
    }

    fn key_stamps(&self, table: Table) -> BoxFuture<'_, Result<Vec<KeyStamp>>> {
        Box::pin(async move {
            let Table::Family(family) = table else {
                return Ok(self
                    .ids_and_stamps(table)
                    .await?
                    .into_iter()
                    .map(|r| KeyStamp {
                        key: r.id.to_string(),
                        updated_at: r.updated_at,
                        deleted: r.deleted,
                    })
                    .collect());
            };
            let client = self.inner.client.lock().await;
            let rows = client
                .query(&generic::key_stamps_sql(family, Dialect::Postgres), &[])
                .await
                .map_err(self.inner.db_err("key_stamps"))?;
            Ok(rows
                .iter()
                .map(|r| KeyStamp {
                    key: r.get(0),
                    updated_at: r.get(1),
                    deleted: r.get(2),
                })
                .collect())
        })
    }

    fn ids_and_stamps(&self, table: Table) -> BoxFuture<'_, Result<Vec<RowStamp>>> {
        Box::pin(async move {
            let sql = match columns::spec(table) {
                Some(spec) => format!(
                    "SELECT id, extract(epoch FROM \"{}\")::bigint, {}, {} FROM \"{table}\" ORDER BY id",
                    spec.stamp_updated,
                    spec.stamp_gts.map_or("NULL::bigint".to_owned(), |c| format!("\"{c}\"")),
                    if spec.has_deleted { "deleted" } else { "false" },
                ),
                None => format!(
                    "SELECT id, extract(epoch FROM updated_at)::bigint, NULL::bigint, deleted \
                     FROM \"{table}\" ORDER BY id"
                ),
            };
            let client = self.inner.client.lock().await;
            let rows = client
                .query(&sql, &[])
                .await
                .map_err(self.inner.db_err("ids_and_stamps"))?;
            Ok(rows
                .iter()
                .map(|r| RowStamp {
                    id: r.get(0),
                    updated_at: r.get(1),
                    generated_timestamp: r.get(2),
                    deleted: r.get(3),
                })
                .collect())
        })
    }

    fn archived_without_history(
        &self,
        updated_before: i64,
        comments: bool,
    ) -> BoxFuture<'_, Result<Vec<(i64, i64)>>> {
        Box::pin(async move {
            let sql = super::archived_without_history_sql(
                comments,
                |c| format!("extract(epoch FROM {c})::bigint"),
                "to_timestamp($1::bigint)",
            );
            let client = self.inner.client.lock().await;
            let rows = client
                .query(&sql, &[&updated_before])
                .await
                .map_err(self.inner.db_err("archived_without_history"))?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
        })
    }

    fn get_raw(&self, table: Table, id: i64) -> BoxFuture<'_, Result<Option<Record>>> {
        Box::pin(async move {
            let client = self.inner.client.lock().await;
            let row = client
                .query_opt(
                    &format!("SELECT raw::text FROM \"{table}\" WHERE id = $1"),
                    &[&id],
                )
                .await
                .map_err(self.inner.db_err("get_raw"))?;
            row.map(|r| {
                serde_json::from_str(r.get(0)).map_err(|e| StoreError::Database {
                    location: self.inner.location.clone(),
                    operation: format!("get_raw({table}, {id})"),
                    source: Box::new(e),
                })
            })
            .transpose()
        })
    }

    fn summary(&self) -> BoxFuture<'_, Result<Summary>> {
        Box::pin(async move {
            let inner = &self.inner;
            let err = inner.db_err("summary");
            let client = inner.client.lock().await;
            let schema_version: i64 = client
                .query_one(
                    "SELECT COALESCE(MAX(version), 0)::bigint FROM schema_version",
                    &[],
                )
                .await
                .map_err(&err)?
                .get(0);
            let mut tables = Vec::new();
            for table in Table::every() {
                tables.push((table, count(inner, &client, table).await?));
            }
            let rows = client
                .query(
                    "SELECT stream, checkpoint, to_char(updated_at AT TIME ZONE 'UTC', \
                     'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM sync_state ORDER BY stream",
                    &[],
                )
                .await
                .map_err(&err)?;
            let streams = rows
                .iter()
                .map(|r| {
                    let stream: String = r.get(0);
                    let checkpoint = Checkpoint::from_json(&stream, r.get(1))?;
                    Ok(StreamState {
                        stream,
                        checkpoint,
                        updated_at: r.get(2),
                    })
                })
                .collect::<Result<_>>()?;
            Ok(Summary {
                location: inner.location.clone(),
                schema_version,
                tables,
                streams,
            })
        })
    }
}

/// A session-level advisory lock: held by this connection until it closes, which the
/// server notices when the process dies. Taking it again on the same session is fine.
async fn take_lock(inner: &Inner, client: &Client) -> Result<()> {
    let locked: bool = client
        .query_one(
            "SELECT pg_try_advisory_lock(7239, hashtext(COALESCE(current_schema(), '')))",
            &[],
        )
        .await
        .map_err(inner.db_err("lock"))?
        .get(0);
    if !locked {
        return Err(StoreError::Locked {
            location: inner.location.clone(),
            how: "it holds the schema's advisory lock".into(),
        });
    }
    Ok(())
}

async fn count(inner: &Inner, client: &Client, table: Table) -> Result<u64> {
    let n: i64 = client
        .query_one(&format!("SELECT count(*) FROM \"{table}\""), &[])
        .await
        .map_err(inner.db_err(format!("count({table})")))?
        .get(0);
    Ok(u64::try_from(n).unwrap_or_default())
}
