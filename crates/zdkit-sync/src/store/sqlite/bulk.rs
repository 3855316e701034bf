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
pub(super) fn rebuild_reader_indexes(inner: &Inner, conn: &mut Connection) -> Result<Vec<String>> {
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
