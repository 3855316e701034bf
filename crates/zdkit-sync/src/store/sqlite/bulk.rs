//! The bulk-load rule on SQLite ([`super::super::indexes`]): drop the reader-only indexes
//! of empty tables before a sync, rebuild the missing ones after it.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::super::indexes::{ReaderIndex, READER_INDEXES};
use super::{Inner, Result};

/// Whether the index exists.
fn present(tx: &Transaction<'_>, ix: &ReaderIndex) -> rusqlite::Result<bool> {
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1)",
        [ix.name],
        |r| r.get(0),
    )
}

/// [`Store::drop_reader_indexes`](super::Store::drop_reader_indexes), in one transaction.
pub(super) fn drop_reader_indexes(inner: &Inner, conn: &mut Connection) -> Result<Vec<String>> {
    let err = inner.db_err("drop_reader_indexes");
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(&err)?;
    let mut dropped = Vec::new();
    for ix in READER_INDEXES {
        let empty: bool = tx
            .query_row(&ix.table_empty_sql(), [], |r| r.get(0))
            .map_err(&err)?;
        if empty && present(&tx, ix).map_err(&err)? {
            tx.execute_batch(&ix.drop_sql()).map_err(&err)?;
            dropped.push(ix.name.to_owned());
        }
    }
    tx.commit().map_err(&err)?;
    Ok(dropped)
}

/// [`Store::rebuild_reader_indexes`](super::Store::rebuild_reader_indexes), in one
/// transaction.
///
/// The builds sort through temporary files: with the store's `temp_store = MEMORY` the
/// sorter keeps every run in memory, and rebuilding `ticket_custom_fields_field` after a
/// first sync of 1M tickets (5.3M rows) took `zd sync` to 361 MB peak RSS instead of
/// about 65 MB (measured; BENCHMARKS.md, "Sync").
pub(super) fn rebuild_reader_indexes(inner: &Inner, conn: &mut Connection) -> Result<Vec<String>> {
    let err = inner.db_err("rebuild_reader_indexes");
    // The connection's own setting (`open_blocking`'s), put back after the builds.
    let setting: i64 = conn
        .query_row("PRAGMA temp_store", [], |r| r.get(0))
        .map_err(&err)?;
    conn.execute_batch("PRAGMA temp_store = FILE")
        .map_err(&err)?;
    let built = build_missing(inner, conn);
    let restored = conn
        .execute_batch(&format!("PRAGMA temp_store = {setting}"))
        .map_err(&err);
    let built = built?;
    restored?;
    Ok(built)
}

fn build_missing(inner: &Inner, conn: &mut Connection) -> Result<Vec<String>> {
    let err = inner.db_err("rebuild_reader_indexes");
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(&err)?;
    let mut created = Vec::new();
    for ix in READER_INDEXES {
        if !present(&tx, ix).map_err(&err)? {
            tx.execute_batch(&ix.create_sql()).map_err(&err)?;
            created.push(ix.name.to_owned());
        }
    }
    tx.commit().map_err(&err)?;
    Ok(created)
}
