//! One page and its checkpoint in one `BEGIN IMMEDIATE` transaction: the stream's rows
//! (newest wins), and for tickets their child rows and metric sets, for users their
//! identities, for ticket events their comments; catalogue family pages.

use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, Transaction, TransactionBehavior};

use super::super::columns::{self, Rows, Val};
use super::super::family::{FamilyStream, Key};
use super::super::generic::{self, Dialect, FamilyPage};
use super::super::{Checkpoint, Merge, PageStats, Result};
use super::children::{json_ids, replace_ticket_children};
use super::{Inner, UPSERT_CHECKPOINT};

/// Where a page goes: its checkpoint's key and how its rows merge.
pub(super) struct Target {
    pub key: String,
    pub merge: Merge,
}

impl Inner {
    /// Upserts `rows` (newest wins under `merge`); returns the ids of the rows written
    /// (not older than the stored version) with their index in `rows`.
    fn upsert(
        &self,
        tx: &Transaction<'_>,
        rows: &Rows,
        merge: Merge,
    ) -> rusqlite::Result<Vec<(usize, i64)>> {
        let mut stmt = tx.prepare_cached(&self.upserts[&(rows.spec.table, merge)])?;
        let mut written = Vec::with_capacity(rows.rows.len());
        for (i, row) in rows.rows.iter().enumerate() {
            let n = stmt.execute(params_from_iter(row.iter()))?;
            if let (1, Val::Int(Some(id))) = (n, &row[0]) {
                written.push((i, *id));
            }
        }
        Ok(written)
    }
}

/// One page and its checkpoint in one `BEGIN IMMEDIATE` transaction.
pub(super) fn write_page(
    inner: &Inner,
    conn: &mut Connection,
    target: &Target,
    page: &columns::PreparedPage,
    checkpoint: &Checkpoint,
    updated_at: &str,
) -> Result<PageStats> {
    let err = inner.db_err(format!("apply_page({})", target.key));
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(&err)?;
    tx.prepare_cached(UPSERT_CHECKPOINT)
        .and_then(|mut s| s.execute((target.key.as_str(), checkpoint.to_json(), updated_at)))
        .map_err(&err)?;
    let written_rows = inner.upsert(&tx, &page.main, target.merge).map_err(&err)?;
    let written = written_rows.len() as u64;
    if !page.children.is_empty() {
        // Each written ticket's tags and custom field values replace its stored ones.
        let children: Vec<_> = written_rows
            .iter()
            .filter_map(|&(i, id)| page.children.get(i).map(|c| (id, c)))
            .collect();
        replace_ticket_children(&tx, &children).map_err(&err)?;
    }
    let mut identities_written = 0;
    if let Some((users, rows)) = &page.identities {
        // Users: the identities of each user written replace (mark deleted) its stored ones.
        let users: std::collections::HashSet<i64> = users.iter().copied().collect();
        let replaced: std::collections::HashSet<i64> = written_rows
            .iter()
            .map(|&(_, id)| id)
            .filter(|id| users.contains(id))
            .collect();
        if !replaced.is_empty() {
            tx.prepare_cached(
                "UPDATE identities SET deleted = 1, _synced_at = ?2 \
                 WHERE user_id IN (SELECT value FROM json_each(?1))",
            )
            .and_then(|mut s| s.execute((json_ids(replaced.iter().copied()), updated_at)))
            .map_err(&err)?;
        }
        let user_at = rows.spec.cols.iter().position(|c| c.name == "user_id");
        let keep = Rows {
            spec: rows.spec,
            rows: rows
                .rows
                .iter()
                .filter(|r| match user_at.map(|i| &r[i]) {
                    Some(Val::Int(Some(u))) => replaced.contains(u),
                    _ => false,
                })
                .cloned()
                .collect(),
        };
        identities_written = inner.upsert(&tx, &keep, target.merge).map_err(&err)?.len() as u64;
    }
    let comments_written = match &page.comments {
        Some(rows) => inner.upsert(&tx, rows, target.merge).map_err(&err)?.len() as u64,
        None => 0,
    };
    let metrics_written = match &page.metrics {
        Some(rows) => inner.upsert(&tx, rows, target.merge).map_err(&err)?.len() as u64,
        None => 0,
    };
    if !page.deleted_tickets.is_empty() {
        tx.prepare_cached(
            "UPDATE ticket_metrics SET deleted = 1 \
             WHERE ticket_id IN (SELECT value FROM json_each(?1))",
        )
        .and_then(|mut s| s.execute([json_ids(page.deleted_tickets.iter().copied())]))
        .map_err(&err)?;
    }
    tx.commit().map_err(&err)?;
    Ok(PageStats {
        received: page.received,
        written,
        comments_written,
        metrics_written,
        identities_written,
    })
}

/// A family page and its checkpoint in one transaction.
pub(super) fn write_family_page(
    inner: &Inner,
    conn: &mut Connection,
    family: FamilyStream,
    page: &FamilyPage,
    checkpoint: &Checkpoint,
    now: &str,
) -> Result<PageStats> {
    let err = inner.db_err(format!("apply_page({})", family.name()));
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(&err)?;
    tx.prepare_cached(UPSERT_CHECKPOINT)
        .and_then(|mut s| s.execute((family.name(), checkpoint.to_json(), now)))
        .map_err(&err)?;
    let mut written = 0u64;
    {
        let mut stmt = tx
            .prepare_cached(&generic::upsert_sql(family, Dialect::Sqlite))
            .map_err(&err)?;
        for row in &page.rows {
            let key = match &row.key {
                Key::Int(i) => SqlValue::Integer(*i),
                Key::Text(t) => SqlValue::Text(t.clone()),
            };
            written += stmt
                .execute((key, &row.updated_at, page.walk, now, &row.raw))
                .map_err(&err)? as u64;
        }
    }
    if let Some(walk) = page.completes {
        tx.prepare_cached(&generic::complete_sql(family, Dialect::Sqlite))
            .and_then(|mut s| s.execute((walk, now)))
            .map_err(&err)?;
    }
    tx.commit().map_err(&err)?;
    Ok(PageStats {
        received: page.received,
        written,
        comments_written: 0,
        metrics_written: 0,
        identities_written: 0,
    })
}
