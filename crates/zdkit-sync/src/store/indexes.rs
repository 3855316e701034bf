//! The bulk-load rule: the secondary indexes only readers use are dropped while a sync
//! fills their empty tables and rebuilt at its end (docs/design/sync.md, "Bulk load").
//!
//! Maintaining an index row by row costs a B-tree insert per row at a random place; a
//! `CREATE INDEX` over the loaded table sorts once. callgrind of the SQLite writer
//! (10,000 tickets) put the two child tables' indexes at 37 % of its instructions. Only
//! indexes that no statement of a sync reads through are in [`READER_INDEXES`]: not
//! `identities_user_id` or `ticket_metrics_ticket_id` (the `UPDATE … WHERE user_id /
//! ticket_id IN` of every page), nor `tickets_updated_at`, `ticket_events_ticket_id` and
//! `comments_ticket_id` (the archived-audits pass's query,
//! [`archived_without_history_sql`](super::archived_without_history_sql)).
//!
//! The migrations created these indexes with the same definitions; released migrations
//! never change, so from version 6 on this list owns them (a unit test below checks the
//! migrations' text, and `tests/indexes.rs` that a rebuilt index is exactly what a fresh
//! migration creates, on both backends).

use super::Table;

/// A secondary index of the mirror that only readers use.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReaderIndex {
    /// The index's name.
    pub name: &'static str,
    /// Its table.
    pub table: Table,
    /// Its column list, as in `CREATE INDEX … ON table (columns)`.
    pub columns: &'static str,
}

impl ReaderIndex {
    /// `CREATE INDEX IF NOT EXISTS` (the same statement on SQLite and PostgreSQL).
    pub fn create_sql(&self) -> String {
        format!(
            "CREATE INDEX IF NOT EXISTS {} ON {} ({})",
            self.name, self.table, self.columns
        )
    }

    /// `DROP INDEX IF EXISTS`.
    pub fn drop_sql(&self) -> String {
        format!("DROP INDEX IF EXISTS {}", self.name)
    }

    /// `SELECT NOT EXISTS (…)`: whether the index's table has no row.
    pub fn table_empty_sql(&self) -> String {
        format!("SELECT NOT EXISTS (SELECT 1 FROM \"{}\")", self.table)
    }
}

/// The reader-only indexes, both backends: tag and custom field lookups, users by email,
/// identities by value.
pub(crate) const READER_INDEXES: &[ReaderIndex] = &[
    ReaderIndex {
        name: "ticket_tags_tag",
        table: Table::TicketTags,
        columns: "tag",
    },
    ReaderIndex {
        name: "ticket_custom_fields_field",
        table: Table::TicketCustomFields,
        columns: "field_id, value",
    },
    ReaderIndex {
        name: "users_email",
        table: Table::Users,
        columns: "email",
    },
    ReaderIndex {
        name: "identities_value",
        table: Table::Identities,
        columns: "value",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Each index of the list is created by each backend's migrations with this very
    /// definition (`tests/indexes.rs` compares the databases' own definitions after a
    /// rebuild).
    #[test]
    fn every_reader_index_is_defined_by_the_migrations() {
        for list in [crate::migrations::SQLITE, crate::migrations::POSTGRES] {
            let sql: String = list.iter().map(|m| m.sql).collect();
            for ix in READER_INDEXES {
                let created = format!("CREATE INDEX {} ON {} ({});", ix.name, ix.table, ix.columns);
                assert!(sql.contains(&created), "no migration has `{created}`");
                assert_eq!(ix.create_sql().replace(" IF NOT EXISTS", "") + ";", created);
            }
        }
    }
}
