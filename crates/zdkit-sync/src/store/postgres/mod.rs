//! The PostgreSQL store: one connection, one transaction per page, and per table one
//! multi-row upsert, `INSERT … SELECT … FROM unnest($1::bigint[], $2::text[], …)`, so a
//! page of 1000 records is a single statement.
//!
//! The URL is a libpq-style `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` plus an optional
//! `schema=NAME` parameter: the schema is created if needed and becomes the
//! `search_path`, so several mirrors (or tests) can share one database. Connections are
//! made without TLS.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::Mutex;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls, Statement};
use zdkit_clock::SharedClock;

use self::connect::{chain, describe, open_error, redact, split_schema};
use crate::migrations::{self, Migration};
use crate::store::columns::{self, Kind, Rows, Val};
use crate::store::family::{FamilyStream, Key};
use crate::store::generic::{self, Dialect, FamilyPage};
use crate::store::{
    now_iso, Checkpoint, KeyStamp, Merge, OpenOptions, PageStats, Record, Result, RowStamp, Store,
    StoreError, Stream, StreamState, Summary, Table,
};

mod connect;

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
    upserts: HashMap<(Table, Merge), Statement>,
    checkpoint: Statement,
}

const UPSERT_CHECKPOINT: &str = "INSERT INTO sync_state (stream, checkpoint, updated_at) \
     VALUES ($1, $2, ($3::text)::timestamptz) ON CONFLICT (stream) DO UPDATE \
     SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at";

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
        let prepare_err = |e: tokio_postgres::Error| open_error(&location, &e);
        let mut upserts = HashMap::new();
        for table in Table::ALL {
            for merge in Merge::ALL {
                let Some(sql) = upsert_sql(table, merge) else {
                    continue;
                };
                let stmt = client.prepare(&sql).await.map_err(prepare_err)?;
                upserts.insert((table, merge), stmt);
            }
        }
        let checkpoint = client
            .prepare(UPSERT_CHECKPOINT)
            .await
            .map_err(prepare_err)?;
        tracing::debug!(%location, "opened PostgreSQL store");
        let inner = Inner {
            client: Mutex::new(client),
            location,
            clock: options.clock,
            upserts,
            checkpoint,
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

fn upsert_sql(table: Table, merge: Merge) -> Option<String> {
    let spec = columns::spec(table)?;
    let mut arrays = Vec::new();
    let mut names = Vec::new();
    let mut selects = Vec::new();
    for (i, c) in spec.cols.iter().enumerate() {
        let (array, cast) = match c.kind {
            Kind::Int => ("bigint[]", ""),
            Kind::Bool => ("boolean[]", ""),
            Kind::Text => ("text[]", ""),
            Kind::Time => ("text[]", "::timestamptz"),
            Kind::Json => ("text[]", "::jsonb"),
            Kind::Raw => ("text[]", "::jsonb"),
        };
        arrays.push(format!("${}::{array}", i + 1));
        names.push(format!("c{i}"));
        selects.push(format!("u.c{i}{cast}"));
    }
    Some(format!(
        "INSERT INTO \"{table}\" AS cur ({}) SELECT {} FROM unnest({}) AS u({}) {} RETURNING id",
        columns::column_list(spec),
        selects.join(", "),
        arrays.join(", "),
        names.join(", "),
        columns::conflict_clause(spec, "cur", "'-infinity'::timestamptz", merge),
    ))
}

/// A family page and its checkpoint in one transaction.
async fn write_family_page(
    inner: &Inner,
    family: FamilyStream,
    page: FamilyPage,
    checkpoint: &Checkpoint,
    now: &str,
) -> Result<PageStats> {
    let err = inner.db_err(format!("apply_page({})", family.name()));
    let mut ints = Vec::new();
    let mut texts = Vec::new();
    let mut updated = Vec::with_capacity(page.rows.len());
    let mut raws = Vec::with_capacity(page.rows.len());
    for row in page.rows {
        match row.key {
            Key::Int(i) => ints.push(i),
            Key::Text(t) => texts.push(t),
        }
        updated.push(row.updated_at);
        raws.push(row.raw);
    }
    let mut client = inner.client.lock().await;
    let tx = client.transaction().await.map_err(&err)?;
    tx.execute(
        &inner.checkpoint,
        &[&family.name(), &checkpoint.to_json(), &now],
    )
    .await
    .map_err(&err)?;
    let mut written = 0;
    if !raws.is_empty() {
        let keys: &(dyn ToSql + Sync) = if family.string_ids() { &texts } else { &ints };
        written = tx
            .execute(
                &generic::upsert_sql(family, Dialect::Postgres),
                &[keys, &updated, &raws, &page.walk, &now],
            )
            .await
            .map_err(&err)?;
    }
    if let Some(walk) = page.completes {
        tx.execute(
            &generic::complete_sql(family, Dialect::Postgres),
            &[&walk, &now],
        )
        .await
        .map_err(&err)?;
    }
    tx.commit().await.map_err(&err)?;
    Ok(PageStats {
        received: page.received,
        written,
        comments_written: 0,
        metrics_written: 0,
        identities_written: 0,
    })
}

/// A column of a page, as one array parameter.
enum Array {
    Int(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
    Bool(Vec<Option<bool>>),
}

impl Array {
    fn param(&self) -> &(dyn ToSql + Sync) {
        match self {
            Array::Int(v) => v,
            Array::Text(v) => v,
            Array::Bool(v) => v,
        }
    }
}

/// `raw` for a JSONB column: JSONB cannot hold `\u0000`, so NUL characters are removed
/// (the only change; the rare path re-encodes the record).
fn jsonb_text(raw: String) -> String {
    if !raw.contains("\\u0000") {
        return raw;
    }
    match serde_json::from_str::<serde_json::Value>(&raw) {
        Ok(v) => columns::json_without_nul(&v),
        Err(_) => raw,
    }
}

/// Rows → one array per column.
fn to_arrays(rows: Rows) -> Vec<Array> {
    let n = rows.rows.len();
    let mut arrays: Vec<Array> = rows
        .spec
        .cols
        .iter()
        .map(|c| match c.kind {
            Kind::Int => Array::Int(Vec::with_capacity(n)),
            Kind::Bool => Array::Bool(Vec::with_capacity(n)),
            _ => Array::Text(Vec::with_capacity(n)),
        })
        .collect();
    let raw_at = rows.spec.cols.iter().position(|c| c.kind == Kind::Raw);
    for row in rows.rows {
        for (i, (array, val)) in arrays.iter_mut().zip(row).enumerate() {
            let val = match val {
                Val::Text(Some(t)) if Some(i) == raw_at => Val::Text(Some(jsonb_text(t))),
                v => v,
            };
            match (array, val) {
                (Array::Int(a), Val::Int(v)) => a.push(v),
                (Array::Bool(a), Val::Bool(v)) => a.push(v),
                (Array::Text(a), Val::Text(v)) => a.push(v),
                // Specs pair kinds and values; a mismatch would be a bug caught by tests.
                (Array::Int(a), _) => a.push(None),
                (Array::Bool(a), _) => a.push(None),
                (Array::Text(a), _) => a.push(None),
            }
        }
    }
    arrays
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

/// A page as array parameters, built off the async threads.
struct PageArrays {
    received: usize,
    table: Table,
    /// Tickets: each main row's id and children (tags, custom field values).
    children: Vec<(i64, columns::Children)>,
    main: Vec<Array>,
    comments: Option<Vec<Array>>,
    metrics: Option<Vec<Array>>,
    deleted_tickets: Vec<i64>,
    /// Users whose identities are replaced, and the identity rows.
    identities: Option<(Vec<i64>, Rows)>,
}

fn page_arrays(stream: Stream, records: Vec<Record>, now: &str) -> Result<PageArrays> {
    let page = columns::prepare(stream, records, now)?;
    let children = page
        .main
        .rows
        .iter()
        .zip(page.children)
        .filter_map(|(row, c)| match row[0] {
            Val::Int(Some(id)) => Some((id, c)),
            _ => None,
        })
        .collect();
    Ok(PageArrays {
        children,
        received: page.received,
        table: page.main.spec.table,
        main: to_arrays(page.main),
        comments: page.comments.map(to_arrays),
        metrics: page.metrics.map(to_arrays),
        deleted_tickets: page.deleted_tickets,
        identities: page.identities,
    })
}

async fn upsert(
    tx: &tokio_postgres::Transaction<'_>,
    stmt: &Statement,
    arrays: &[Array],
) -> Result<u64, tokio_postgres::Error> {
    let empty = match arrays.first() {
        Some(Array::Int(ids)) => ids.is_empty(),
        _ => true,
    };
    if empty {
        return Ok(0);
    }
    let params: Vec<&(dyn ToSql + Sync)> = arrays.iter().map(Array::param).collect();
    tx.execute(stmt, &params).await
}

/// Like [`upsert`], returning the ids written (newer than the stored versions).
async fn upsert_returning(
    tx: &tokio_postgres::Transaction<'_>,
    stmt: &Statement,
    arrays: &[Array],
) -> Result<Vec<i64>, tokio_postgres::Error> {
    let params: Vec<&(dyn ToSql + Sync)> = arrays.iter().map(Array::param).collect();
    Ok(tx
        .query(stmt, &params)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// Marks the identities of the users written (and listed with identities) deleted, then
/// upserts their listed identities.
async fn write_identities(
    tx: &tokio_postgres::Transaction<'_>,
    stmt: &Statement,
    written: &[i64],
    users: &[i64],
    rows: Rows,
    now: &str,
) -> Result<u64, tokio_postgres::Error> {
    let users: std::collections::HashSet<i64> = users.iter().copied().collect();
    let replaced: Vec<i64> = written
        .iter()
        .copied()
        .filter(|u| users.contains(u))
        .collect();
    if replaced.is_empty() {
        return Ok(0);
    }
    tx.execute(
        "UPDATE identities SET deleted = true, _synced_at = $2::text::timestamptz \
         WHERE user_id = ANY($1::bigint[])",
        &[&replaced, &now],
    )
    .await?;
    let set: std::collections::HashSet<i64> = replaced.into_iter().collect();
    let user_at = rows.spec.cols.iter().position(|c| c.name == "user_id");
    let keep = Rows {
        spec: rows.spec,
        rows: rows
            .rows
            .into_iter()
            .filter(
                |r| matches!(user_at.map(|i| &r[i]), Some(Val::Int(Some(u))) if set.contains(u)),
            )
            .collect(),
    };
    upsert(tx, stmt, &to_arrays(keep)).await
}

/// Replaces the tags and custom field values of the tickets `written`.
async fn write_children(
    tx: &tokio_postgres::Transaction<'_>,
    written: &[i64],
    children: &[(i64, columns::Children)],
) -> Result<(), tokio_postgres::Error> {
    if written.is_empty() {
        return Ok(());
    }
    let written_set: std::collections::HashSet<i64> = written.iter().copied().collect();
    let (mut tag_ticket, mut tag) = (Vec::new(), Vec::new());
    let (mut f_ticket, mut f_id, mut f_value, mut f_num, mut f_bool) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (id, c) in children.iter().filter(|(id, _)| written_set.contains(id)) {
        for t in &c.tags {
            tag_ticket.push(*id);
            tag.push(t.as_str());
        }
        for f in &c.fields {
            f_ticket.push(*id);
            f_id.push(f.field_id);
            f_value.push(f.value.as_str());
            f_num.push(f.number);
            f_bool.push(f.boolean);
        }
    }
    tx.execute(
        "DELETE FROM ticket_tags WHERE ticket_id = ANY($1::bigint[])",
        &[&written],
    )
    .await?;
    tx.execute(
        "DELETE FROM ticket_custom_fields WHERE ticket_id = ANY($1::bigint[])",
        &[&written],
    )
    .await?;
    if !tag.is_empty() {
        tx.execute(
            "INSERT INTO ticket_tags (ticket_id, tag) SELECT * FROM unnest($1::bigint[], $2::text[])",
            &[&tag_ticket, &tag],
        )
        .await?;
    }
    if !f_value.is_empty() {
        tx.execute(
            "INSERT INTO ticket_custom_fields (ticket_id, field_id, value, value_number, value_bool) \
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::float8[], $5::boolean[])",
            &[&f_ticket, &f_id, &f_value, &f_num, &f_bool],
        )
        .await?;
    }
    Ok(())
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
        let inner = &self.inner;
        let updated_at = now_iso(&inner.clock);
        // Extraction is CPU work: keep it off the async worker threads.
        let now = updated_at.clone();
        let page = tokio::task::spawn_blocking(move || page_arrays(stream, records, &now))
            .await
            .map_err(|e| StoreError::Worker(e.to_string()))??;
        let err = inner.db_err(format!("apply_page({key})"));
        let mut client = inner.client.lock().await;
        let tx = client.transaction().await.map_err(&err)?;
        tx.execute(
            &inner.checkpoint,
            &[&key.as_str(), &checkpoint.to_json(), &updated_at],
        )
        .await
        .map_err(&err)?;
        let mut identities_written = 0;
        let written = if page.children.is_empty() && page.identities.is_none() {
            upsert(&tx, &inner.upserts[&(page.table, merge)], &page.main)
                .await
                .map_err(&err)?
        } else {
            let ids = match page.main.first() {
                Some(Array::Int(keys)) if !keys.is_empty() => {
                    upsert_returning(&tx, &inner.upserts[&(page.table, merge)], &page.main)
                        .await
                        .map_err(&err)?
                }
                _ => Vec::new(),
            };
            if !page.children.is_empty() {
                write_children(&tx, &ids, &page.children)
                    .await
                    .map_err(&err)?;
            }
            if let Some((users, rows)) = page.identities {
                identities_written = write_identities(
                    &tx,
                    &inner.upserts[&(Table::Identities, merge)],
                    &ids,
                    &users,
                    rows,
                    &updated_at,
                )
                .await
                .map_err(&err)?;
            }
            ids.len() as u64
        };
        let comments_written = match &page.comments {
            Some(arrays) => upsert(&tx, &inner.upserts[&(Table::Comments, merge)], arrays)
                .await
                .map_err(&err)?,
            None => 0,
        };
        let metrics_written = match &page.metrics {
            Some(arrays) => upsert(&tx, &inner.upserts[&(Table::TicketMetrics, merge)], arrays)
                .await
                .map_err(&err)?,
            None => 0,
        };
        if !page.deleted_tickets.is_empty() {
            tx.execute(
                "UPDATE ticket_metrics SET deleted = true WHERE ticket_id = ANY($1::bigint[])",
                &[&page.deleted_tickets],
            )
            .await
            .map_err(&err)?;
        }
        tx.commit().await.map_err(&err)?;
        Ok(PageStats {
            received: page.received,
            written,
            comments_written,
            metrics_written,
            identities_written,
        })
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
