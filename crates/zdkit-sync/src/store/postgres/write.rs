//! Writing a page: the statements, prepared once per connection, and one transaction per
//! page whose independent statements are pipelined (sent together, answered in order).
//!
//! A table-stream page is four round trips whatever its size: `BEGIN`; the checkpoint,
//! the main upsert, the comments or metrics upsert and the metric sets of deleted tickets;
//! then the rows that depend on which records were newer than the stored ones (tags and
//! custom field values of the tickets written, identities of the users written); `COMMIT`.
//!
//! Each page transaction runs with `enable_seqscan = off`: the child tables grow from empty
//! during a first sync and are not analyzed yet, so the planner estimates that
//! `ticket_id = ANY($1)` with 1,000 ids matches most of the table and scans all of it
//! (measured: a `ticket_custom_fields` delete scanning 200,000 rows per page, the cost
//! growing with every page). Every statement here has an index to use.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;

use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Statement, Transaction};

use crate::store::columns::{self, Kind, Rows, Val};
use crate::store::family::{FamilyStream, Key};
use crate::store::generic::{self, Dialect, FamilyPage};
use crate::store::{Checkpoint, Merge, PageStats, Record, Result, StoreError, Stream, Table};

use super::Inner;

type PgResult<T> = std::result::Result<T, tokio_postgres::Error>;
type Pending<'a> = Pin<Box<dyn Future<Output = PgResult<u64>> + Send + 'a>>;

const UPSERT_CHECKPOINT: &str = "INSERT INTO sync_state (stream, checkpoint, updated_at) \
     VALUES ($1, $2, ($3::text)::timestamptz) ON CONFLICT (stream) DO UPDATE \
     SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at";

/// Settings of a page transaction (see the module documentation).
const PAGE_SETTINGS: &str = "SET LOCAL enable_seqscan = off";

/// The statements of a page write, prepared when the store is opened.
#[derive(Debug)]
pub(super) struct Statements {
    upserts: HashMap<(Table, Merge), Statement>,
    pub(super) checkpoint: Statement,
    delete_tags: Statement,
    delete_fields: Statement,
    insert_tags: Statement,
    insert_fields: Statement,
    mark_identities: Statement,
    delete_metrics: Statement,
}

impl Statements {
    pub(super) async fn prepare(client: &Client) -> PgResult<Statements> {
        let mut upserts = HashMap::new();
        for table in Table::ALL {
            for merge in Merge::ALL {
                let Some(sql) = upsert_sql(table, merge) else {
                    continue;
                };
                upserts.insert((table, merge), client.prepare(&sql).await?);
            }
        }
        Ok(Statements {
            upserts,
            checkpoint: client.prepare(UPSERT_CHECKPOINT).await?,
            delete_tags: client
                .prepare("DELETE FROM ticket_tags WHERE ticket_id = ANY($1::bigint[])")
                .await?,
            delete_fields: client
                .prepare("DELETE FROM ticket_custom_fields WHERE ticket_id = ANY($1::bigint[])")
                .await?,
            insert_tags: client
                .prepare(
                    "INSERT INTO ticket_tags (ticket_id, tag) \
                     SELECT * FROM unnest($1::bigint[], $2::text[])",
                )
                .await?,
            insert_fields: client
                .prepare(
                    "INSERT INTO ticket_custom_fields \
                     (ticket_id, field_id, value, value_number, value_bool) \
                     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], \
                     $4::float8[], $5::boolean[])",
                )
                .await?,
            mark_identities: client
                .prepare(
                    "UPDATE identities SET deleted = true, _synced_at = $2::text::timestamptz \
                     WHERE user_id = ANY($1::bigint[])",
                )
                .await?,
            delete_metrics: client
                .prepare(
                    "UPDATE ticket_metrics SET deleted = true WHERE ticket_id = ANY($1::bigint[])",
                )
                .await?,
        })
    }
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
pub(super) async fn write_family_page(
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
        &inner.statements.checkpoint,
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

/// What a page write starts from: the records, or their rows already extracted.
pub(super) enum Input {
    Records(Stream, Vec<Record>),
    Prepared(columns::PreparedPage),
}

fn page_arrays(input: Input, now: &str) -> Result<PageArrays> {
    let page = match input {
        Input::Records(stream, records) => columns::prepare(stream, records, now)?,
        Input::Prepared(page) => page,
    };
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

fn is_empty(arrays: &[Array]) -> bool {
    match arrays.first() {
        Some(Array::Int(ids)) => ids.is_empty(),
        _ => true,
    }
}

fn params(arrays: &[Array]) -> Vec<&(dyn ToSql + Sync)> {
    arrays.iter().map(Array::param).collect()
}

/// `stmt` with `params`, sent when first polled.
fn exec<'a>(
    tx: &'a Transaction<'_>,
    stmt: &'a Statement,
    params: Vec<&'a (dyn ToSql + Sync)>,
) -> Pending<'a> {
    Box::pin(async move { tx.execute(stmt, &params).await })
}

/// An upsert of `arrays` (nothing to send when there are no rows).
fn upsert<'a>(
    tx: &'a Transaction<'_>,
    stmt: &'a Statement,
    arrays: Option<&'a [Array]>,
) -> Pending<'a> {
    Box::pin(async move {
        match arrays {
            Some(arrays) if !is_empty(arrays) => tx.execute(stmt, &params(arrays)).await,
            _ => Ok(0),
        }
    })
}

/// The tags and custom field values of the tickets `written`, as array parameters.
struct ChildArrays<'a> {
    tag_ticket: Vec<i64>,
    tag: Vec<&'a str>,
    f_ticket: Vec<i64>,
    f_id: Vec<i64>,
    f_value: Vec<&'a str>,
    f_num: Vec<Option<f64>>,
    f_bool: Vec<Option<bool>>,
}

fn child_arrays<'a>(written: &[i64], children: &'a [(i64, columns::Children)]) -> ChildArrays<'a> {
    let written: HashSet<i64> = written.iter().copied().collect();
    let mut c = ChildArrays {
        tag_ticket: Vec::new(),
        tag: Vec::new(),
        f_ticket: Vec::new(),
        f_id: Vec::new(),
        f_value: Vec::new(),
        f_num: Vec::new(),
        f_bool: Vec::new(),
    };
    for (id, children) in children.iter().filter(|(id, _)| written.contains(id)) {
        for t in &children.tags {
            c.tag_ticket.push(*id);
            c.tag.push(t.as_str());
        }
        for f in &children.fields {
            c.f_ticket.push(*id);
            c.f_id.push(f.field_id);
            c.f_value.push(f.value.as_str());
            c.f_num.push(f.number);
            c.f_bool.push(f.boolean);
        }
    }
    c
}

/// The users written (and listed with identities), and the identity rows of those users.
fn identity_arrays(written: &[i64], users: &[i64], rows: Rows) -> (Vec<i64>, Vec<Array>) {
    let users: HashSet<i64> = users.iter().copied().collect();
    let replaced: Vec<i64> = written
        .iter()
        .copied()
        .filter(|u| users.contains(u))
        .collect();
    let set: HashSet<i64> = replaced.iter().copied().collect();
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
    (replaced, to_arrays(keep))
}

/// A page of a table stream (not a family) and its checkpoint under `key`, in one
/// transaction, rows merged by `merge`.
pub(super) async fn write_page(
    inner: &Inner,
    key: String,
    input: Input,
    checkpoint: Checkpoint,
    merge: Merge,
    now: String,
) -> Result<PageStats> {
    // Extraction is CPU work: keep it off the async worker threads.
    let page = {
        let now = now.clone();
        tokio::task::spawn_blocking(move || page_arrays(input, &now))
            .await
            .map_err(|e| StoreError::Worker(e.to_string()))??
    };
    let st = &inner.statements;
    let err = inner.db_err(format!("apply_page({key})"));
    let mut client = inner.client.lock().await;
    let tx = client.transaction().await.map_err(&err)?;

    // First flight: everything that does not depend on which rows were newer.
    let main = &st.upserts[&(page.table, merge)];
    let needs_ids = !page.children.is_empty() || page.identities.is_some();
    let checkpoint_json = checkpoint.to_json();
    let checkpoint_params: [&(dyn ToSql + Sync); 3] = [&key.as_str(), &checkpoint_json, &now];
    let mut first: Vec<Pending<'_>> = vec![
        Box::pin(async { tx.batch_execute(PAGE_SETTINGS).await.map(|()| 0) }),
        exec(&tx, &st.checkpoint, checkpoint_params.to_vec()),
    ];
    let main_params = params(&page.main);
    // The rows written: their ids when the second flight needs them, else only a count.
    let main_upsert = async {
        if is_empty(&page.main) {
            Ok((0, Vec::new()))
        } else if needs_ids {
            let rows = tx.query(main, &main_params).await?;
            let ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
            Ok((ids.len() as u64, ids))
        } else {
            Ok((tx.execute(main, &main_params).await?, Vec::new()))
        }
    };
    first.push(upsert(
        &tx,
        &st.upserts[&(Table::Comments, merge)],
        page.comments.as_deref(),
    ));
    first.push(upsert(
        &tx,
        &st.upserts[&(Table::TicketMetrics, merge)],
        page.metrics.as_deref(),
    ));
    // After the metrics upsert (sent in this order).
    if !page.deleted_tickets.is_empty() {
        first.push(exec(&tx, &st.delete_metrics, vec![&page.deleted_tickets]));
    }
    let ((written, ids), counts) =
        futures_util::future::try_join(main_upsert, futures_util::future::try_join_all(first))
            .await
            .map_err(&err)?;
    let comments_written = counts[2];
    let metrics_written = counts[3];

    // Second flight: the rows that follow the records written.
    let mut identities_written = 0;
    if needs_ids && !ids.is_empty() {
        let children = child_arrays(&ids, &page.children);
        let identities = page
            .identities
            .map(|(users, rows)| identity_arrays(&ids, &users, rows));
        let mut second: Vec<Pending<'_>> = Vec::new();
        if !page.children.is_empty() {
            second.push(exec(&tx, &st.delete_tags, vec![&ids]));
            second.push(exec(&tx, &st.delete_fields, vec![&ids]));
            if !children.tag.is_empty() {
                second.push(exec(
                    &tx,
                    &st.insert_tags,
                    vec![&children.tag_ticket, &children.tag],
                ));
            }
            if !children.f_value.is_empty() {
                second.push(exec(
                    &tx,
                    &st.insert_fields,
                    vec![
                        &children.f_ticket,
                        &children.f_id,
                        &children.f_value,
                        &children.f_num,
                        &children.f_bool,
                    ],
                ));
            }
        }
        let mut identity_upsert = None;
        if let Some((users, rows)) = &identities {
            if !users.is_empty() {
                second.push(exec(&tx, &st.mark_identities, vec![users, &now]));
                identity_upsert = Some(second.len());
                second.push(upsert(
                    &tx,
                    &st.upserts[&(Table::Identities, merge)],
                    Some(rows),
                ));
            }
        }
        let counts = futures_util::future::try_join_all(second)
            .await
            .map_err(&err)?;
        if let Some(i) = identity_upsert {
            identities_written = counts[i];
        }
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
