//! Embedded, numbered schema migrations, one list per backend.
//!
//! A database's version is `max(version)` of its `schema_version` table (one row per
//! applied migration). Opening applies the missing migrations in order, each in the same
//! transaction as its `schema_version` row; a database whose version is newer than
//! [`LATEST`] is refused ([`StoreError::SchemaTooNew`](crate::store::StoreError)).
//! Never edit a released migration: add the next number.

/// One migration: its version and SQL.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    pub version: i64,
    pub sql: &'static str,
}

/// SQLite migrations, ascending.
pub(crate) const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("sqlite/001_initial.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("sqlite/002_account.sql"),
    },
    Migration {
        version: 3,
        sql: include_str!("sqlite/003_ticket_metrics.sql"),
    },
    Migration {
        version: 4,
        sql: include_str!("sqlite/004_analyst.sql"),
    },
    Migration {
        version: 5,
        sql: include_str!("sqlite/005_identities.sql"),
    },
    Migration {
        version: 6,
        sql: include_str!("sqlite/006_without_rowid.sql"),
    },
];

/// PostgreSQL migrations, ascending.
pub(crate) const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("postgres/001_initial.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("postgres/002_account.sql"),
    },
    Migration {
        version: 3,
        sql: include_str!("postgres/003_ticket_metrics.sql"),
    },
    Migration {
        version: 4,
        sql: include_str!("postgres/004_analyst.sql"),
    },
    Migration {
        version: 5,
        sql: include_str!("postgres/005_identities.sql"),
    },
    Migration {
        version: 6,
        sql: include_str!("postgres/006_without_rowid.sql"),
    },
];

/// The newest schema version this build knows.
pub const LATEST: i64 = 6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_end_at_latest_in_order() {
        for list in [SQLITE, POSTGRES] {
            let versions: Vec<i64> = list.iter().map(|m| m.version).collect();
            let expected: Vec<i64> = (1..=LATEST).collect();
            assert_eq!(versions, expected);
        }
    }
}
