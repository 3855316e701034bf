//! The bulk-load rule (docs/design/sync.md, "Bulk load"), on SQLite and PostgreSQL: a
//! sync drops the reader-only indexes of empty tables and rebuilds them at its end; a
//! store with rows keeps them; indexes a killed sync left missing come back with the
//! next sync, exactly as the migrations define them.

#[macro_use]
mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{pg_connect, Backend, Db, Harness};
use serde_json::json;
use zdkit_sim::SimConfig;
use zdkit_sync::engine::{sync, CancelToken, NoProgress, SyncOptions};
use zdkit_sync::store::{Store, Stream, Table};

/// The reader-only indexes, in the store's order.
const READER: [&str; 4] = [
    "ticket_tags_tag",
    "ticket_custom_fields_field",
    "users_email",
    "identities_value",
];

fn options() -> SyncOptions {
    SyncOptions {
        streams: vec![Stream::TicketFields, Stream::Users, Stream::Tickets],
        ..SyncOptions::default()
    }
}

async fn start(backend: Backend) -> Harness {
    Harness::start(backend, SimConfig::with_tickets(400), 8).await
}

/// Every index of the store's schema as the database defines it: `(name, definition)`
/// (SQLite: `sqlite_master.sql`; PostgreSQL: `pg_indexes.indexdef`), by name.
async fn indexes(db: &Db) -> Vec<(String, String)> {
    if let Some(path) = &db.sqlite_path {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT name, sql FROM sqlite_master \
                 WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
            )
            .unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    } else {
        let schema = db.pg_schema.as_ref().unwrap();
        pg_connect()
            .await
            .query(
                "SELECT indexname::text, indexdef FROM pg_indexes \
                 WHERE schemaname = $1 ORDER BY indexname",
                &[schema],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    }
}

fn names(list: &[(String, String)]) -> BTreeSet<&str> {
    list.iter().map(|(n, _)| n.as_str()).collect()
}

fn reader() -> Vec<String> {
    READER.map(str::to_owned).to_vec()
}

/// The ids of the tickets tagged `tag`, through the store's `ticket_tags` (by its tag
/// index when it has one).
async fn tagged(db: &Db, tag: &str) -> BTreeSet<i64> {
    let sql = "SELECT ticket_id FROM ticket_tags WHERE tag = $1 ORDER BY ticket_id";
    if let Some(path) = &db.sqlite_path {
        let conn = rusqlite::Connection::open(path).unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map([tag], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter().any(|p| p.contains("ticket_tags_tag")),
            "the tag query reads through the rebuilt index: {plan:?}"
        );
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([tag], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    } else {
        let schema = db.pg_schema.as_ref().unwrap();
        let client = pg_connect().await;
        client
            .batch_execute(&format!("SET search_path TO {schema}"))
            .await
            .unwrap();
        client
            .query(sql, &[&tag])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    }
}

/// The ids of the stored tickets whose JSON, as Zendesk sent it, has `tag`.
async fn tagged_in_raw(store: &dyn Store, tag: &str) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    for row in store.ids_and_stamps(Table::Tickets).await.unwrap() {
        let raw = store
            .get_raw(Table::Tickets, row.id)
            .await
            .unwrap()
            .unwrap();
        if raw["tags"]
            .as_array()
            .is_some_and(|tags| tags.contains(&json!(tag)))
        {
            out.insert(row.id);
        }
    }
    out
}

/// Every table with a reader-only index has rows.
async fn assert_tables_have_rows(db: &Db) {
    for table in ["ticket_tags", "ticket_custom_fields", "users", "identities"] {
        let n = db.query_i64(&format!("SELECT count(*) FROM {table}")).await;
        assert!(n > 0, "{table} is empty");
    }
}

/// A first sync into an empty store drops the four reader-only indexes and ends with
/// every index of the schema present, defined exactly as a fresh migration defines it;
/// tag queries return the tickets with the tag.
async fn first_sync_builds_reader_indexes_after_the_load(backend: Backend) {
    let h = start(backend).await;
    let store = h.db.open().await;
    let fresh = indexes(&h.db).await;
    assert!(
        READER.iter().all(|n| names(&fresh).contains(n)),
        "{fresh:?}"
    );
    let report = h.sync(&*store, &options()).await;
    assert_eq!(report.indexes_dropped, reader());
    assert_eq!(report.indexes_rebuilt, reader());
    assert_eq!(indexes(&h.db).await, fresh);
    assert_tables_have_rows(&h.db).await;
    let mut checked = 0;
    for tag in ["vip", "billing", "escalated", "no-such-tag"] {
        let want = tagged_in_raw(&*store, tag).await;
        checked += want.len();
        assert_eq!(tagged(&h.db, tag).await, want, "tag {tag}");
    }
    assert!(checked > 0, "no ticket has any of the tags looked up");
}

/// A store whose tables have rows keeps its indexes through a sync that writes into
/// them: nothing is dropped, nothing needs rebuilding.
async fn a_store_with_rows_keeps_its_indexes(backend: Backend) {
    let h = start(backend).await;
    let store = h.db.open().await;
    h.sync(&*store, &options()).await;
    assert_tables_have_rows(&h.db).await;
    let before = indexes(&h.db).await;
    h.client
        .put("/api/v2/tickets/5")
        .json(&json!({"ticket": {"tags": ["freshly-tagged"]}}))
        .send()
        .await
        .unwrap();
    h.clock.advance(Duration::from_secs(120));
    let report = h.sync(&*store, &options()).await;
    let tickets = report
        .streams
        .iter()
        .find(|s| s.stream == Stream::Tickets)
        .unwrap();
    assert!(tickets.written >= 1, "{tickets:?}");
    assert_eq!(report.indexes_dropped, Vec::<String>::new());
    assert_eq!(report.indexes_rebuilt, Vec::<String>::new());
    assert_eq!(indexes(&h.db).await, before);
    assert_eq!(tagged(&h.db, "freshly-tagged").await, BTreeSet::from([5]));
}

/// A first sync killed after its load leaves the reader-only indexes missing over full
/// tables: the next sync does not drop anything (its tables have rows) and rebuilds
/// them at its end, exactly as the migrations defined them.
async fn indexes_a_killed_sync_left_missing_are_rebuilt(backend: Backend) {
    let h = start(backend).await;
    let store = h.db.open().await;
    let fresh = indexes(&h.db).await;
    h.sync(&*store, &options()).await;
    let drops: Vec<String> = READER.iter().map(|n| format!("DROP INDEX {n};")).collect();
    h.db.exec(&drops.concat()).await;
    let left = indexes(&h.db).await;
    assert!(READER.iter().all(|n| !names(&left).contains(n)), "{left:?}");
    drop(store);
    h.db.wait_unlocked().await;
    let store = h.db.open().await;
    let report = h.sync(&*store, &options()).await;
    assert_eq!(report.indexes_dropped, Vec::<String>::new());
    assert_eq!(report.indexes_rebuilt, reader());
    assert_eq!(indexes(&h.db).await, fresh);
    let want = tagged_in_raw(&*store, "vip").await;
    assert!(!want.is_empty());
    assert_eq!(tagged(&h.db, "vip").await, want);
}

/// A cancelled sync rebuilds the indexes it dropped, too.
async fn a_cancelled_sync_rebuilds_what_it_dropped(backend: Backend) {
    let h = start(backend).await;
    let store = h.db.open().await;
    let fresh = indexes(&h.db).await;
    let cancel = CancelToken::new();
    cancel.cancel();
    let report = sync(&h.client, &*store, &options(), &NoProgress, &cancel)
        .await
        .unwrap();
    assert!(report.cancelled);
    assert_eq!(report.indexes_dropped, reader());
    assert_eq!(report.indexes_rebuilt, reader());
    assert_eq!(indexes(&h.db).await, fresh);
}

both_backends!(
    first_sync_builds_reader_indexes_after_the_load,
    a_store_with_rows_keeps_its_indexes,
    indexes_a_killed_sync_left_missing_are_rebuilt,
    a_cancelled_sync_rebuilds_what_it_dropped,
);
