//! Batched SQLite writes of derived rows: a ticket's `ticket_tags` and
//! `ticket_custom_fields`, and the id-list updates of a page (identities of the users
//! written, metrics of the deleted tickets).
//!
//! Per page, the child rows of the tickets written replace their stored ones with one
//! `DELETE` per table (the ids as a JSON array through `json_each`) and multi-row
//! `INSERT`s of at most [`CHUNKS`]`[0]` rows, instead of two `DELETE`s and one `INSERT`
//! per value for each ticket: a first sync of 100,000 tickets writes about 800,000 child
//! rows, so the per-statement cost dominated the tickets stream (BENCHMARKS.md, "Sync").

use rusqlite::{Statement, Transaction};

use super::super::columns::Children;

/// Rows per multi-row `INSERT`, largest first: a page's rows go in as many statements of
/// the largest size as fit, the rest in smaller ones (each size one cached statement; at
/// most 256 × 5 = 1,280 parameters, far below SQLite's limit of 32,766).
const CHUNKS: [usize; 5] = [256, 64, 16, 4, 1];

/// `ids` as a JSON array (`[1,2,3]`) for `json_each`.
pub(super) fn json_ids(ids: impl IntoIterator<Item = i64>) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("[");
    for (i, id) in ids.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Writing into a `String` cannot fail.
        let _ = write!(out, "{id}");
    }
    out.push(']');
    out
}

/// Replaces the tags and custom field values of the tickets in `written` (ticket id and
/// its children) with theirs.
pub(super) fn replace_ticket_children(
    tx: &Transaction<'_>,
    written: &[(i64, &Children)],
) -> rusqlite::Result<()> {
    if written.is_empty() {
        return Ok(());
    }
    let ids = json_ids(written.iter().map(|(id, _)| *id));
    tx.prepare_cached(
        "DELETE FROM ticket_tags WHERE ticket_id IN (SELECT value FROM json_each(?1))",
    )?
    .execute([&ids])?;
    tx.prepare_cached(
        "DELETE FROM ticket_custom_fields WHERE ticket_id IN (SELECT value FROM json_each(?1))",
    )?
    .execute([&ids])?;
    let tags: Vec<(i64, &str)> = written
        .iter()
        .flat_map(|(id, c)| c.tags.iter().map(move |t| (*id, t.as_str())))
        .collect();
    insert_all(
        tx,
        "INSERT INTO ticket_tags (ticket_id, tag)",
        2,
        &tags,
        |s, at, (id, tag)| {
            s.raw_bind_parameter(at, id)?;
            s.raw_bind_parameter(at + 1, tag)
        },
    )?;
    let fields: Vec<(i64, &super::super::columns::FieldValue)> = written
        .iter()
        .flat_map(|(id, c)| c.fields.iter().map(move |f| (*id, f)))
        .collect();
    insert_all(
        tx,
        "INSERT INTO ticket_custom_fields (ticket_id, field_id, value, value_number, value_bool)",
        5,
        &fields,
        |s, at, (id, f)| {
            s.raw_bind_parameter(at, id)?;
            s.raw_bind_parameter(at + 1, f.field_id)?;
            s.raw_bind_parameter(at + 2, f.value.as_str())?;
            s.raw_bind_parameter(at + 3, f.number)?;
            s.raw_bind_parameter(at + 4, f.boolean)
        },
    )
}

/// `head VALUES (?, …), …`: `rows` groups of `width` parameters.
fn values_sql(head: &str, width: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + 8 + rows * (2 * width + 2));
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push(',');
            }
            sql.push('?');
        }
        sql.push(')');
    }
    sql
}

/// Inserts `rows` with multi-row `INSERT`s; `bind` binds one row's `width` values from
/// parameter index `at` (1-based).
fn insert_all<R>(
    tx: &Transaction<'_>,
    head: &str,
    width: usize,
    rows: &[R],
    bind: impl Fn(&mut Statement<'_>, usize, &R) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let mut rest = rows;
    for size in CHUNKS {
        if rest.len() < size {
            continue;
        }
        let mut stmt = tx.prepare_cached(&values_sql(head, width, size))?;
        while rest.len() >= size {
            let (chunk, tail) = rest.split_at(size);
            for (i, row) in chunk.iter().enumerate() {
                bind(&mut stmt, i * width + 1, row)?;
            }
            stmt.raw_execute()?;
            rest = tail;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_sql_and_chunks_cover_every_row() {
        assert_eq!(
            values_sql("INSERT INTO t (a, b)", 2, 3),
            "INSERT INTO t (a, b) VALUES (?,?),(?,?),(?,?)"
        );
        assert_eq!(json_ids([3, -1, 20]), "[3,-1,20]");
        assert_eq!(json_ids([]), "[]");
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER, b TEXT)")
            .unwrap();
        let mut conn = conn;
        for n in [0usize, 1, 3, 4, 255, 256, 257, 341, 1000] {
            let tx = conn.transaction().unwrap();
            tx.execute("DELETE FROM t", []).unwrap();
            let rows: Vec<(i64, String)> = (0..n).map(|i| (i as i64, format!("v{i}"))).collect();
            insert_all(&tx, "INSERT INTO t (a, b)", 2, &rows, |s, at, (a, b)| {
                s.raw_bind_parameter(at, a)?;
                s.raw_bind_parameter(at + 1, b.as_str())
            })
            .unwrap();
            let stored: Vec<(i64, String)> = tx
                .prepare("SELECT a, b FROM t ORDER BY a")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(stored, rows, "{n} rows");
            tx.commit().unwrap();
        }
    }
}
