//! The bulk-load rule on PostgreSQL ([`crate::store::indexes`]): drop the reader-only
//! indexes of empty tables before a sync, rebuild the missing ones after it.

use tokio_postgres::Transaction;

use super::Inner;
use crate::store::indexes::{ReaderIndex, READER_INDEXES};
use crate::store::Result;

/// Whether the index exists in the store's schema (the first of the `search_path`).
async fn present(tx: &Transaction<'_>, ix: &ReaderIndex) -> Result<bool, tokio_postgres::Error> {
    Ok(tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_indexes \
             WHERE schemaname = current_schema() AND indexname = $1)",
            &[&ix.name],
        )
        .await?
        .get(0))
}

/// [`Store::drop_reader_indexes`](crate::store::Store::drop_reader_indexes), in one
/// transaction.
pub(super) async fn drop_reader_indexes(inner: &Inner) -> Result<Vec<String>> {
    let err = inner.db_err("drop_reader_indexes");
    let mut client = inner.client.lock().await;
    let tx = client.transaction().await.map_err(&err)?;
    let mut dropped = Vec::new();
    for ix in READER_INDEXES {
        let empty: bool = tx
            .query_one(&ix.table_empty_sql(), &[])
            .await
            .map_err(&err)?
            .get(0);
        if empty && present(&tx, ix).await.map_err(&err)? {
            tx.batch_execute(&ix.drop_sql()).await.map_err(&err)?;
            dropped.push(ix.name.to_owned());
        }
    }
    tx.commit().await.map_err(&err)?;
    Ok(dropped)
}

/// [`Store::rebuild_reader_indexes`](crate::store::Store::rebuild_reader_indexes), in one
/// transaction.
pub(super) async fn rebuild_reader_indexes(inner: &Inner) -> Result<Vec<String>> {
    let err = inner.db_err("rebuild_reader_indexes");
    let mut client = inner.client.lock().await;
    let tx = client.transaction().await.map_err(&err)?;
    let mut created = Vec::new();
    for ix in READER_INDEXES {
        if !present(&tx, ix).await.map_err(&err)? {
            tx.batch_execute(&ix.create_sql()).await.map_err(&err)?;
            created.push(ix.name.to_owned());
        }
    }
    tx.commit().await.map_err(&err)?;
    Ok(created)
}
