//! The generic family tables ([`super::family`]): rows from a page of records, and the SQL
//! both backends run (`CREATE TABLE IF NOT EXISTS`, the upsert, the end-of-walk marking).
//!
//! A refresh page's rows always replace the stored ones (the list is the current truth)
//! and are stamped `_seen = walk`; the page that completes walk `n` also marks every row
//! with `_seen <> n` deleted, in the same transaction. A row seen again is undeleted.

use std::collections::HashMap;

use serde_json::Value;

use super::columns::{json_without_nul, normalize_time};
use super::family::{FamilyStream, Key};
use super::{Checkpoint, Record, Result, StoreError};

/// One row of a family table.
pub(crate) struct FamilyRow {
    pub key: Key,
    pub updated_at: Option<String>,
    pub raw: String,
}

/// A page of a family stream, ready to write.
pub(crate) struct FamilyPage {
    pub received: usize,
    pub rows: Vec<FamilyRow>,
    /// `_seen` of the rows: the walk number of a [`Checkpoint::Refresh`].
    pub walk: Option<i64>,
    /// The walk this page completes: mark the rows it did not see deleted.
    pub completes: Option<i64>,
}

/// Extracts a page's rows (one per key, the later record wins).
pub(crate) fn prepare(
    family: FamilyStream,
    records: Vec<Record>,
    checkpoint: &Checkpoint,
) -> Result<FamilyPage> {
    let received = records.len();
    let mut rows: Vec<FamilyRow> = Vec::with_capacity(received);
    let mut at: HashMap<Key, usize> = HashMap::with_capacity(received);
    for (index, record) in records.iter().enumerate() {
        let key = family
            .key(record)
            .map_err(|reason| StoreError::InvalidRecord {
                stream: family.name(),
                index,
                reason,
            })?;
        if let Key::Int(id) = key {
            if id <= 0 {
                return Err(StoreError::InvalidRecord {
                    stream: family.name(),
                    index,
                    reason: format!("`id` must be positive, got {id}"),
                });
            }
        }
        let row = FamilyRow {
            updated_at: record
                .get(family.stamp_field())
                .and_then(Value::as_str)
                .and_then(normalize_time),
            raw: json_without_nul(record),
            key: key.clone(),
        };
        match at.get(&key) {
            Some(&i) => rows[i] = row,
            None => {
                at.insert(key, rows.len());
                rows.push(row);
            }
        }
    }
    let (walk, completes) = match checkpoint {
        Checkpoint::Refresh { walk, next } => {
            let walk = i64::try_from(*walk).unwrap_or(i64::MAX);
            (Some(walk), next.is_none().then_some(walk))
        }
        _ => (None, None),
    };
    Ok(FamilyPage {
        received,
        rows,
        walk,
        completes,
    })
}

/// The SQL dialect of a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// `CREATE TABLE IF NOT EXISTS` of the family's table.
pub(crate) fn create_sql(f: FamilyStream, d: Dialect) -> String {
    let name = f.name();
    let (id, time, flag, int, raw) = match (d, f.string_ids()) {
        (Dialect::Sqlite, false) => (
            "INTEGER PRIMARY KEY CHECK (id > 0)",
            "TEXT",
            "INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))",
            "INTEGER",
            "TEXT",
        ),
        (Dialect::Sqlite, true) => (
            "TEXT PRIMARY KEY",
            "TEXT",
            "INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))",
            "INTEGER",
            "TEXT",
        ),
        (Dialect::Postgres, false) => (
            "BIGINT PRIMARY KEY CHECK (id > 0)",
            "TIMESTAMPTZ",
            "BOOLEAN NOT NULL DEFAULT FALSE",
            "BIGINT",
            "JSONB",
        ),
        (Dialect::Postgres, true) => (
            "TEXT PRIMARY KEY",
            "TIMESTAMPTZ",
            "BOOLEAN NOT NULL DEFAULT FALSE",
            "BIGINT",
            "JSONB",
        ),
    };
    format!(
        "CREATE TABLE IF NOT EXISTS \"{name}\" (id {id}, updated_at {time}, deleted {flag}, \
         _seen {int}, _synced_at {time} NOT NULL, raw {raw} NOT NULL)"
    )
}

const SET: &str = "ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, \
     deleted = excluded.deleted, _seen = excluded._seen, _synced_at = excluded._synced_at, \
     raw = excluded.raw";

/// The upsert of one row (SQLite: `?1` key, `?2` updated_at, `?3` _seen, `?4` _synced_at,
/// `?5` raw) or of a page (PostgreSQL: `$1` keys, `$2` updated_at, `$3` raw arrays, `$4`
/// _seen, `$5` _synced_at).
pub(crate) fn upsert_sql(f: FamilyStream, d: Dialect) -> String {
    let name = f.name();
    match d {
        Dialect::Sqlite => format!(
            "INSERT INTO \"{name}\" (id, updated_at, deleted, _seen, _synced_at, raw) \
             VALUES (?1, ?2, 0, ?3, ?4, ?5) {SET}"
        ),
        Dialect::Postgres => {
            let key = if f.string_ids() { "text[]" } else { "bigint[]" };
            format!(
                "INSERT INTO \"{name}\" AS cur (id, updated_at, deleted, _seen, _synced_at, raw) \
                 SELECT u.id, u.updated_at::timestamptz, false, $4::bigint, $5::text::timestamptz, \
                 u.raw::jsonb FROM unnest($1::{key}, $2::text[], $3::text[]) AS u(id, updated_at, raw) \
                 {SET}"
            )
        }
    }
}

/// Marks the rows a completed walk did not see deleted (SQLite: `?1` walk, `?2` now;
/// PostgreSQL: `$1`, `$2`).
pub(crate) fn complete_sql(f: FamilyStream, d: Dialect) -> String {
    let name = f.name();
    match d {
        Dialect::Sqlite => format!(
            "UPDATE \"{name}\" SET deleted = 1, _synced_at = ?2 \
             WHERE deleted = 0 AND (_seen IS NULL OR _seen <> ?1)"
        ),
        Dialect::Postgres => format!(
            "UPDATE \"{name}\" SET deleted = true, _synced_at = $2::text::timestamptz \
             WHERE NOT deleted AND (_seen IS NULL OR _seen <> $1::bigint)"
        ),
    }
}

/// Every row's key and stamps: text key, Unix seconds, deleted.
pub(crate) fn key_stamps_sql(f: FamilyStream, d: Dialect) -> String {
    let name = f.name();
    match d {
        Dialect::Sqlite => format!(
            "SELECT CAST(id AS TEXT), CAST(strftime('%s', updated_at) AS INTEGER), deleted \
             FROM \"{name}\" ORDER BY id"
        ),
        Dialect::Postgres => format!(
            "SELECT id::text, extract(epoch FROM updated_at)::bigint, deleted \
             FROM \"{name}\" ORDER BY id"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pages_keep_the_last_record_per_key_and_know_their_walk() {
        let macros = FamilyStream::get("macros").unwrap();
        let page = vec![
            json!({"id": 1, "title": "a", "updated_at": "2024-01-01T00:00:00Z"}),
            json!({"id": 1, "title": "b"}),
            json!({"id": 2, "title": "c\u{0}"}),
        ];
        let cp = Checkpoint::Refresh {
            walk: 4,
            next: None,
        };
        let p = prepare(macros, page, &cp).unwrap();
        assert_eq!((p.received, p.rows.len()), (3, 2));
        assert!(p.rows[0].raw.contains("\"b\"") && p.rows[0].updated_at.is_none());
        assert!(!p.rows[1].raw.contains("\\u0000"));
        assert_eq!((p.walk, p.completes), (Some(4), Some(4)));
        let cp = Checkpoint::Refresh {
            walk: 4,
            next: Some("u".into()),
        };
        let p = prepare(macros, vec![], &cp).unwrap();
        assert_eq!((p.walk, p.completes), (Some(4), None));
        let err = prepare(macros, vec![json!({"id": 0})], &cp).err().unwrap();
        assert!(err.to_string().contains("positive"), "{err}");
    }
}
