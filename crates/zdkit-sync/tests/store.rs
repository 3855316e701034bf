//! The store suite, run against both backends (`sqlite::*` and `postgres::*`).
//!
//! PostgreSQL tests use `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`),
//! each in its own schema, dropped afterwards. An unreachable server FAILS them.

#[macro_use]
mod common;

use common::{database_url, iso, pg_connect, Backend, Db, T0};
use serde_json::{json, Value};
use zdkit_sync::migrations::LATEST;
use zdkit_sync::store::{self, Checkpoint, RowStamp, Store, StoreError, Stream, Table};

fn ticket(id: i64, gts: i64, updated: i64, subject: &str) -> Value {
    json!({
        "id": id, "url": format!("https://acme.zendesk.com/api/v2/tickets/{id}.json"),
        "subject": subject, "status": "open", "priority": "high", "type": "incident",
        "requester_id": 20, "assignee_id": 30, "group_id": 40, "organization_id": 50,
        "tags": ["a", "b"], "custom_fields": [{"id": 27642, "value": "745"}],
        "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": null}},
        "created_at": iso(T0 - 86_400), "updated_at": iso(updated), "generated_timestamp": gts,
    })
}

fn cursor(c: &str) -> Checkpoint {
    Checkpoint::Export(zdkit::export::Checkpoint::Cursor(c.to_owned()))
}

async fn subject(s: &dyn Store, id: i64) -> Value {
    s.get_raw(Table::Tickets, id).await.unwrap().unwrap()["subject"].clone()
}

// ---------------------------------------------------------------------------------------

const ACME: &str = "https://acme.zendesk.com";

/// Issue 9 item 12: a store mirrors one account.
async fn the_store_records_its_account_and_refuses_another(backend: Backend) {
    let db = Db::new(backend).await;
    let s = db.open().await;
    assert_eq!(s.account().await.unwrap(), None);
    s.begin_sync(ACME).await.unwrap();
    drop(s);
    let s = db.open().await;
    assert_eq!(s.account().await.unwrap().as_deref(), Some(ACME));
    s.begin_sync(ACME).await.unwrap();
    drop(s);
    let s = db.open().await;
    let err = s.begin_sync("https://other.zendesk.com").await.unwrap_err();
    assert!(matches!(err, StoreError::OtherAccount { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains(ACME) && msg.contains("other.zendesk.com"),
        "{msg}"
    );
}

/// Issue 9 item 12: two concurrent syncs on one store: the second is refused; the lock
/// goes with the first store (a process killed with `kill -9` releases it too: a `flock`
/// or a session advisory lock, never a lock file whose existence is the lock).
/// A store written by the version 2 schema (its migration files, as released, run by
/// hand) with a ticket, a checkpoint and an account is upgraded in place: data kept, the
/// new tables usable.
async fn a_version_2_store_is_upgraded_in_place(backend: Backend) {
    let db = released_store(backend, 2).await;
    let s = db.open().await;
    assert_eq!(s.summary().await.unwrap().schema_version, LATEST);
    assert_eq!(subject(&*s, 7).await, "old");
    assert_eq!(
        s.load_checkpoint(Stream::Tickets).await.unwrap(),
        Some(cursor("c9"))
    );
    s.begin_sync(ACME).await.unwrap();
    let metric = json!({"id": 70, "ticket_id": 7, "updated_at": iso(T0)});
    let mut t = ticket(7, T0 + 9, T0 + 9, "new");
    t["metric_set"] = metric;
    let p = s
        .apply_page(Stream::Tickets, vec![t], cursor("c10"))
        .await
        .unwrap();
    assert_eq!((p.written, p.metrics_written), (1, 1));
    assert_eq!(subject(&*s, 7).await, "new");
    let raw = s.get_raw(Table::Tickets, 7).await.unwrap().unwrap();
    assert!(
        raw.get("metric_set").is_none(),
        "the ticket's raw keeps the ticket alone"
    );
    assert_eq!(
        s.get_raw(Table::TicketMetrics, 70).await.unwrap().unwrap()["ticket_id"],
        7
    );
    // Deleting the ticket marks its metrics deleted.
    let mut gone = ticket(7, T0 + 20, T0 + 20, "gone");
    gone["status"] = json!("deleted");
    s.apply_page(Stream::Tickets, vec![gone], cursor("c11"))
        .await
        .unwrap();
    let m = s.ids_and_stamps(Table::TicketMetrics).await.unwrap();
    assert!(m.len() == 1 && m[0].deleted, "{m:?}");
}

async fn a_second_sync_on_the_store_is_refused_until_the_first_ends(backend: Backend) {
    let db = Db::new(backend).await;
    if let Some(p) = &db.sqlite_path {
        // A lock file left behind by a killed process does not block.
        std::fs::write(format!("{}.lock", p.display()), "").unwrap();
    }
    let first = db.open().await;
    first.begin_sync(ACME).await.unwrap();
    let second = db.open().await;
    let err = second.begin_sync(ACME).await.unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(
        err.to_string().contains("another zd sync is running"),
        "{err}"
    );
    drop(first);
    db.wait_unlocked().await;
    second
        .begin_sync(ACME)
        .await
        .unwrap_or_else(|e| panic!("the lock was not released with the first store: {e}"));
}

/// A store written by the version 5 schema, with tags and custom field values, is
/// upgraded in place (version 6: SQLite's child tables become WITHOUT ROWID): its child
/// rows kept, the view over them and their indexes back, and a newer version of the
/// ticket replaces its children.
async fn a_version_5_store_is_upgraded_in_place(backend: Backend) {
    let db = released_store(backend, 5).await;
    let s = db.open().await;
    assert_eq!(s.summary().await.unwrap().schema_version, LATEST);
    assert_eq!(subject(&*s, 7).await, "old");
    let tags = "SELECT count(*) FROM ticket_tags WHERE ticket_id = 7";
    assert_eq!(db.query_i64(tags).await, 2);
    assert_eq!(
        db.query_i64("SELECT count(*) FROM ticket_tags WHERE tag IN ('vip', 'billing')")
            .await,
        2
    );
    assert_eq!(
        db.query_i64(
            "SELECT value_integer FROM ticket_custom_field_values \
             WHERE ticket_id = 7 AND field_id = 360 AND field_title = 'Points'"
        )
        .await,
        42
    );
    if db.sqlite_path.is_some() {
        for table in ["ticket_tags", "ticket_custom_fields"] {
            let sql = format!(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}' \
                 AND sql LIKE '%) WITHOUT ROWID'"
            );
            assert_eq!(db.query_i64(&sql).await, 1, "{table} is WITHOUT ROWID");
        }
        assert_eq!(
            db.query_i64(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' \
                 AND name IN ('ticket_tags_tag', 'ticket_custom_fields_field')"
            )
            .await,
            2
        );
    }
    s.begin_sync(ACME).await.unwrap();
    let p = s
        .apply_page(
            Stream::Tickets,
            vec![ticket(7, T0 + 9, T0 + 9, "new")],
            cursor("c10"),
        )
        .await
        .unwrap();
    assert_eq!(p.written, 1);
    assert_eq!(db.query_i64(tags).await, 2);
    assert_eq!(
        db.query_i64("SELECT count(*) FROM ticket_tags WHERE tag IN ('a', 'b')")
            .await,
        2
    );
    assert_eq!(
        db.query_i64("SELECT count(*) FROM ticket_custom_fields WHERE ticket_id = 7")
            .await,
        1
    );
}

/// Issue 9 item 12: an existing (version 1) store is upgraded in place, data kept.
async fn a_version_1_store_is_upgraded_in_place(backend: Backend) {
    let db = released_store(backend, 1).await;
    let s = db.open().await;
    assert_eq!(s.summary().await.unwrap().schema_version, LATEST);
    assert_eq!(subject(&*s, 7).await, "old");
    s.begin_sync(ACME).await.unwrap();
    assert_eq!(s.account().await.unwrap().as_deref(), Some(ACME));
}

/// A database built by the released migrations up to `version` (their SQL files run by
/// hand, as an older zd left it), holding ticket 7 (`old`), a tickets checkpoint `c9`
/// and, from version 2 on, the account; from version 4 on its tags `vip` and `billing`
/// and the value 42 of its integer custom field 360.
async fn released_store(backend: Backend, version: usize) -> Db {
    let db = Db::new(backend).await;
    let (files, ts, versions, f): ([&str; 5], &str, &str, &str) = match backend {
        Backend::Sqlite => (
            [
                include_str!("../src/migrations/sqlite/001_initial.sql"),
                include_str!("../src/migrations/sqlite/002_account.sql"),
                include_str!("../src/migrations/sqlite/003_ticket_metrics.sql"),
                include_str!("../src/migrations/sqlite/004_analyst.sql"),
                include_str!("../src/migrations/sqlite/005_identities.sql"),
            ],
            "'2023-11-14T22:13:20Z'",
            "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL",
            "0",
        ),
        Backend::Postgres => (
            [
                include_str!("../src/migrations/postgres/001_initial.sql"),
                include_str!("../src/migrations/postgres/002_account.sql"),
                include_str!("../src/migrations/postgres/003_ticket_metrics.sql"),
                include_str!("../src/migrations/postgres/004_analyst.sql"),
                include_str!("../src/migrations/postgres/005_identities.sql"),
            ],
            "now()",
            "version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now()",
            "false",
        ),
    };
    if let Some(schema) = &db.pg_schema {
        common::pg_connect()
            .await
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
    }
    let mut sql = format!("CREATE TABLE schema_version ({versions});");
    for (n, file) in files.iter().enumerate().take(version) {
        sql.push_str(file);
        sql.push_str(&format!(
            ";INSERT INTO schema_version VALUES ({}, {ts});",
            n + 1
        ));
    }
    sql.push_str(&format!(
        "INSERT INTO tickets (id, subject, status, updated_at, generated_timestamp, deleted, raw) \
         VALUES (7, 'old', 'open', {ts}, 5, {f}, '{{\"id\":7,\"subject\":\"old\"}}'); \
         INSERT INTO sync_state VALUES ('tickets', '{{\"kind\":\"cursor\",\"cursor\":\"c9\"}}', {ts});"
    ));
    if version >= 2 {
        sql.push_str(&format!(
            "INSERT INTO store_account VALUES (1, '{ACME}', {ts});"
        ));
    }
    if version >= 4 {
        sql.push_str(&format!(
            "INSERT INTO ticket_tags VALUES (7, 'vip'), (7, 'billing'); \
             INSERT INTO ticket_custom_fields VALUES (7, 360, '42', 42, NULL); \
             INSERT INTO ticket_fields (id, type, title, deleted, raw) \
             VALUES (360, 'integer', 'Points', {f}, '{{\"id\":360}}');"
        ));
    }
    db.exec(&sql).await;
    db
}

async fn migrations_from_empty(b: Backend) {
    let db = Db::new(b).await;
    let s = db.open().await;
    let summary = s.summary().await.unwrap();
    assert_eq!(summary.schema_version, LATEST);
    assert_eq!(summary.tables.len(), Table::every().count());
    assert!(
        summary.tables.len() > Table::ALL.len() + 20,
        "family tables"
    );
    assert!(summary.tables.iter().all(|(_, n)| *n == 0), "{summary}");
    assert!(summary.streams.is_empty());
    for stream in Stream::every() {
        assert_eq!(s.load_checkpoint(stream).await.unwrap(), None);
    }
    assert_eq!(
        db.query_i64("SELECT count(*) FROM schema_version").await,
        LATEST
    );
}

async fn reopen_is_idempotent(b: Backend) {
    let db = Db::new(b).await;
    let s = db.open().await;
    s.apply_page(
        Stream::Tickets,
        vec![ticket(1, 10, T0, "one")],
        cursor("c1"),
    )
    .await
    .unwrap();
    drop(s);
    for _ in 0..2 {
        let s = db.open().await;
        assert_eq!(s.summary().await.unwrap().schema_version, LATEST);
        assert_eq!(s.count(Table::Tickets).await.unwrap(), 1);
        assert_eq!(
            s.load_checkpoint(Stream::Tickets).await.unwrap(),
            Some(cursor("c1"))
        );
    }
    // One row per applied migration; the open-time write probe leaves nothing behind.
    assert_eq!(
        db.query_i64("SELECT count(*) FROM schema_version").await,
        LATEST
    );
}

async fn newer_schema_is_refused(b: Backend) {
    let db = Db::new(b).await;
    drop(db.open().await);
    let applied_at = if db.sqlite_path.is_some() {
        "'x'"
    } else {
        "now()"
    };
    db.exec(&format!(
        "INSERT INTO schema_version (version, applied_at) VALUES (999, {applied_at})"
    ))
    .await;
    let err = db.try_open().await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::SchemaTooNew {
                found: 999,
                supported: LATEST,
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("schema version 999") && msg.contains("upgrade zd"),
        "{msg}"
    );
}

async fn newest_version_wins(b: Backend) {
    let db = Db::new(b).await;
    let s = db.open().await;
    let stats = s
        .apply_page(Stream::Tickets, vec![ticket(1, 20, T0, "v2")], cursor("c1"))
        .await
        .unwrap();
    assert_eq!((stats.received, stats.written), (1, 1));

    // An older replay (lower generated_timestamp, even with a later updated_at) is ignored.
    let stats = s
        .apply_page(
            Stream::Tickets,
            vec![ticket(1, 10, T0 + 50, "v1")],
            cursor("c2"),
        )
        .await
        .unwrap();
    assert_eq!(stats.written, 0);
    assert_eq!(subject(&*s, 1).await, "v2");
    // ... but its checkpoint is stored: the page was processed.
    assert_eq!(
        s.load_checkpoint(Stream::Tickets).await.unwrap(),
        Some(cursor("c2"))
    );

    // Same generated_timestamp, later updated_at: newer.
    s.apply_page(
        Stream::Tickets,
        vec![ticket(1, 20, T0 + 5, "v2b")],
        cursor("c3"),
    )
    .await
    .unwrap();
    assert_eq!(subject(&*s, 1).await, "v2b");
    // Same generated_timestamp, earlier updated_at: older.
    s.apply_page(
        Stream::Tickets,
        vec![ticket(1, 20, T0 + 1, "v2a")],
        cursor("c4"),
    )
    .await
    .unwrap();
    assert_eq!(subject(&*s, 1).await, "v2b");
    // An identical replay is applied (idempotent) and never duplicates.
    let stats = s
        .apply_page(
            Stream::Tickets,
            vec![ticket(1, 20, T0 + 5, "v2b")],
            cursor("c5"),
        )
        .await
        .unwrap();
    assert_eq!(stats.written, 1);
    // Newer.
    s.apply_page(Stream::Tickets, vec![ticket(1, 30, T0, "v3")], cursor("c6"))
        .await
        .unwrap();
    assert_eq!(subject(&*s, 1).await, "v3");

    // Duplicates within one page: the newest survives whatever the order.
    let page = vec![ticket(2, 50, T0, "new"), ticket(2, 40, T0, "old")];
    let stats = s
        .apply_page(Stream::Tickets, page, cursor("c7"))
        .await
        .unwrap();
    assert_eq!((stats.received, stats.written), (2, 1));
    assert_eq!(subject(&*s, 2).await, "new");
    assert_eq!(s.count(Table::Tickets).await.unwrap(), 2);

    // Without generated_timestamp (users), updated_at decides.
    let user = |updated: i64, name: &str| json!({"id": 9, "name": name, "updated_at": iso(updated), "active": true});
    s.apply_page(Stream::Users, vec![user(T0 + 10, "new")], cursor("u1"))
        .await
        .unwrap();
    let stats = s
        .apply_page(Stream::Users, vec![user(T0, "old")], cursor("u2"))
        .await
        .unwrap();
    assert_eq!(stats.written, 0);
    assert_eq!(
        s.get_raw(Table::Users, 9).await.unwrap().unwrap()["name"],
        "new"
    );
}

async fn page_and_checkpoint_are_atomic(b: Backend) {
    let db = Db::new(b).await;
    let s = db.open().await;
    let first: Vec<Value> = (1..=10).map(|id| ticket(id, 10, T0, "kept")).collect();
    s.apply_page(Stream::Tickets, first, cursor("c1"))
        .await
        .unwrap();

    // A page that updates existing rows, adds new ones, then hits a record the database
    // rejects (ids must be positive) after the checkpoint and the other rows were written.
    let mut bad: Vec<Value> = (1..=500)
        .map(|id| ticket(id, 20, T0, "clobbered"))
        .collect();
    bad.push(ticket(-5, 20, T0, "invalid"));
    let err = s
        .apply_page(Stream::Tickets, bad, cursor("c2"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Database { .. }), "{err:?}");
    assert!(err.to_string().contains("apply_page(tickets)"), "{err}");
    assert_eq!(s.count(Table::Tickets).await.unwrap(), 10);
    assert_eq!(subject(&*s, 1).await, "kept");
    assert_eq!(
        s.load_checkpoint(Stream::Tickets).await.unwrap(),
        Some(cursor("c1"))
    );

    // Ticket events: the events statement succeeds, the comments one fails.
    let event = json!({"id": 100, "ticket_id": 1, "timestamp": T0, "created_at": iso(T0),
        "child_events": [{"id": -1, "event_type": "Comment", "body": "x"}]});
    let err = s
        .apply_page(Stream::TicketEvents, vec![event], cursor("e1"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Database { .. }), "{err:?}");
    assert_eq!(s.count(Table::TicketEvents).await.unwrap(), 0);
    assert_eq!(s.load_checkpoint(Stream::TicketEvents).await.unwrap(), None);

    // A record Rust already rejects (no integer id) fails before any write.
    let err = s
        .apply_page(Stream::Tickets, vec![json!({"id": "1"})], cursor("c3"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidRecord { index: 0, .. }),
        "{err:?}"
    );

    // The store is still usable after the failures.
    s.apply_page(
        Stream::Tickets,
        vec![ticket(11, 20, T0, "after")],
        cursor("c4"),
    )
    .await
    .unwrap();
    assert_eq!(s.count(Table::Tickets).await.unwrap(), 11);
    assert_eq!(
        s.load_checkpoint(Stream::Tickets).await.unwrap(),
        Some(cursor("c4"))
    );
}

async fn deleted_records_are_marked_not_dropped(b: Backend) {
    let db = Db::new(b).await;
    let s = db.open().await;
    s.apply_page(
        Stream::Tickets,
        vec![ticket(1, 10, T0, "x"), ticket(2, 10, T0, "y")],
        cursor("c1"),
    )
    .await
    .unwrap();
    let mut gone = ticket(1, 11, T0, "x");
    gone["status"] = json!("deleted");
    s.apply_page(Stream::Tickets, vec![gone], cursor("c2"))
        .await
        .unwrap();
    let stamps = s.ids_and_stamps(Table::Tickets).await.unwrap();
    assert_eq!(
        stamps.iter().map(|r| (r.id, r.deleted)).collect::<Vec<_>>(),
        [(1, true), (2, false)]
    );
    assert_eq!(
        s.get_raw(Table::Tickets, 1).await.unwrap().unwrap()["status"],
        "deleted"
    );

    let users = vec![
        json!({"id": 5, "name": "gone", "active": false, "updated_at": iso(T0)}),
        json!({"id": 6, "name": "here", "active": true, "updated_at": iso(T0)}),
    ];
    s.apply_page(Stream::Users, users, cursor("u"))
        .await
        .unwrap();
    let orgs = vec![json!({"id": 7, "name": "o", "deleted_at": iso(T0), "updated_at": iso(T0)})];
    s.apply_page(
        Stream::Organizations,
        orgs,
        Checkpoint::Export(zdkit::export::Checkpoint::Time(T0)),
    )
    .await
    .unwrap();
    let groups = vec![json!({"id": 8, "name": "g", "deleted": true, "default": false})];
    s.apply_page(Stream::Groups, groups, Checkpoint::Done { at: T0 })
        .await
        .unwrap();
    let deleted = |v: Vec<RowStamp>| v.into_iter().map(|r| (r.id, r.deleted)).collect::<Vec<_>>();
    assert_eq!(
        deleted(s.ids_and_stamps(Table::Users).await.unwrap()),
        [(5, true), (6, false)]
    );
    assert_eq!(
        deleted(s.ids_and_stamps(Table::Organizations).await.unwrap()),
        [(7, true)]
    );
    assert_eq!(
        deleted(s.ids_and_stamps(Table::Groups).await.unwrap()),
        [(8, true)]
    );
}

async fn raw_json_is_kept_exactly(b: Backend) {
    let db = Db::new(b).await;
    let s = db.open().await;
    let mut t = ticket(1, 10, T0, "Prïnter \u{1F525} on \"fire\"\u{0}!");
    t["brand_new_field"] = json!({"nested": [1, 2.5, -0.1, 1e300, null, true, "\u{0}"], "": {}});
    t["huge"] = json!(u64::MAX);
    t["created_at"] = json!("not a time");
    t["tags"] = json!(["x\u{0}y"]);
    s.apply_page(Stream::Tickets, vec![t.clone()], cursor("c"))
        .await
        .unwrap();
    // PostgreSQL keeps raw as JSONB, which cannot hold NUL characters: only they go.
    fn without_nul(v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(s.replace('\0', "")),
            Value::Array(a) => Value::Array(a.iter().map(without_nul).collect()),
            Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), without_nul(v))).collect())
            }
            other => other.clone(),
        }
    }
    let want = match b {
        Backend::Sqlite => t.clone(),
        Backend::Postgres => without_nul(&t),
    };
    assert_eq!(s.get_raw(Table::Tickets, 1).await.unwrap().unwrap(), want);
    assert_eq!(s.get_raw(Table::Tickets, 2).await.unwrap(), None);
    let field = json!({"id": 3, "type": "tagger", "title": "T", "custom_field_options": [{"id": 1, "value": "v"}]});
    s.apply_page(
        Stream::TicketFields,
        vec![field.clone()],
        Checkpoint::Done { at: T0 },
    )
    .await
    .unwrap();
    assert_eq!(
        s.get_raw(Table::TicketFields, 3).await.unwrap().unwrap(),
        field
    );
}

async fn ticket_events_and_comments_upsert_by_id(b: Backend) {
    let db = Db::new(b).await;
    let s = db.open().await;
    let event = |id: i64, ticket: i64, body: &str| {
        json!({"id": id, "ticket_id": ticket, "timestamp": T0 + id, "created_at": iso(T0 + id),
            "updater_id": 3, "event_type": "Audit", "via": "Web form", "child_events": [
                {"id": id + 1, "event_type": "Comment", "body": body, "public": true, "author_id": 3},
                {"id": id + 2, "event_type": "Change", "field_name": "status", "value": "open"}]})
    };
    let page1 = vec![event(100, 1, "a"), event(200, 1, "b")];
    let stats = s
        .apply_page(
            Stream::TicketEvents,
            page1,
            Checkpoint::Export(zdkit::export::Checkpoint::Time(T0 + 200)),
        )
        .await
        .unwrap();
    assert_eq!((stats.written, stats.comments_written), (2, 2));
    // The next time-based page starts at the boundary: event 200 comes again.
    let page2 = vec![event(200, 1, "b"), event(300, 2, "c")];
    s.apply_page(
        Stream::TicketEvents,
        page2,
        Checkpoint::Export(zdkit::export::Checkpoint::Time(T0 + 300)),
    )
    .await
    .unwrap();
    assert_eq!(s.count(Table::TicketEvents).await.unwrap(), 3);
    assert_eq!(s.count(Table::Comments).await.unwrap(), 3);
    let comment = s.get_raw(Table::Comments, 301).await.unwrap().unwrap();
    assert_eq!(comment["body"], "c");
    let stamps = s.ids_and_stamps(Table::TicketEvents).await.unwrap();
    assert_eq!(
        stamps,
        [100, 200, 300].map(|id| RowStamp {
            id,
            updated_at: Some(T0 + id),
            generated_timestamp: Some(T0 + id),
            deleted: false
        })
    );
    let comments = s.ids_and_stamps(Table::Comments).await.unwrap();
    assert_eq!(
        comments
            .iter()
            .map(|r| (r.id, r.updated_at))
            .collect::<Vec<_>>(),
        [
            (101, Some(T0 + 100)),
            (201, Some(T0 + 200)),
            (301, Some(T0 + 300))
        ]
    );
    assert_eq!(
        s.load_checkpoint(Stream::TicketEvents).await.unwrap(),
        Some(Checkpoint::Export(zdkit::export::Checkpoint::Time(
            T0 + 300
        )))
    );
}

async fn ids_and_stamps_match_what_was_written(b: Backend) {
    let db = Db::new(b).await;
    let s = db.open().await;
    let mut expected = Vec::new();
    let mut pages = vec![Vec::new(); 3];
    for id in 1..=60i64 {
        let (gts, updated) = (T0 + id * 7, T0 + id * 3);
        let mut t = ticket(id, gts, updated, "s");
        let deleted = id % 11 == 0;
        if deleted {
            t["status"] = json!("deleted");
        }
        pages[(id % 3) as usize].push(t);
        expected.push(RowStamp {
            id,
            updated_at: Some(updated),
            generated_timestamp: Some(gts),
            deleted,
        });
    }
    for (i, page) in pages.into_iter().enumerate() {
        s.apply_page(Stream::Tickets, page, cursor(&format!("c{i}")))
            .await
            .unwrap();
    }
    assert_eq!(s.ids_and_stamps(Table::Tickets).await.unwrap(), expected);
    assert_eq!(s.count(Table::Tickets).await.unwrap(), 60);
}

async fn checkpoints_and_summary(b: Backend) {
    let db = Db::new(b).await;
    let s = db.open().await;
    // An empty page stores just the checkpoint.
    let stats = s
        .apply_page(Stream::Groups, vec![], Checkpoint::Done { at: T0 })
        .await
        .unwrap();
    assert_eq!(stats, store::PageStats::default());
    s.apply_page(Stream::Tickets, vec![ticket(1, 1, T0, "x")], cursor("abc"))
        .await
        .unwrap();
    s.apply_page(
        Stream::Users,
        vec![],
        Checkpoint::Export(zdkit::export::Checkpoint::Time(42)),
    )
    .await
    .unwrap();
    assert_eq!(
        s.load_checkpoint(Stream::Groups).await.unwrap(),
        Some(Checkpoint::Done { at: T0 })
    );
    assert_eq!(
        s.load_checkpoint(Stream::Users).await.unwrap(),
        Some(Checkpoint::Export(zdkit::export::Checkpoint::Time(42)))
    );
    let summary = s.summary().await.unwrap();
    let streams: Vec<_> = summary
        .streams
        .iter()
        .map(|st| (st.stream.as_str(), st.updated_at.as_str()))
        .collect();
    let at = "2023-11-14T22:13:20Z"; // T0 on the manual clock
    assert_eq!(streams, [("groups", at), ("tickets", at), ("users", at)]);
    assert!(summary.tables.contains(&(Table::Tickets, 1)));
    let text = summary.to_string();
    assert!(
        text.contains("tickets") && text.contains(r#"{"kind":"cursor","cursor":"abc"}"#),
        "{text}"
    );
    assert!(!text.contains("password"));
}

async fn concurrent_pages_of_different_streams(b: Backend) {
    let db = Db::new(b).await;
    let s: std::sync::Arc<dyn Store> = db.open().await.into();
    let mut tasks = Vec::new();
    for (k, stream) in [Stream::Tickets, Stream::Users, Stream::Organizations]
        .into_iter()
        .enumerate()
    {
        let s = std::sync::Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            for page in 0..5i64 {
                let records = (0..100)
                    .map(|i| json!({"id": page * 100 + i + 1, "updated_at": iso(T0), "generated_timestamp": k}))
                    .collect();
                s.apply_page(stream, records, Checkpoint::Export(zdkit::export::Checkpoint::Time(page))).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for table in [Table::Tickets, Table::Users, Table::Organizations] {
        assert_eq!(s.count(table).await.unwrap(), 500);
    }
}

/// A family refresh: rows of walk 1, then walk 2 in two pages that no longer lists id 2;
/// the page completing walk 2 marks id 2 deleted, a later walk that sees it again revives
/// it. Text keys (webhooks) work the same way.
async fn family_refresh_marks_unseen_rows_deleted(b: Backend) {
    use zdkit_sync::store::FamilyStream;
    let db = Db::new(b).await;
    let s = db.open().await;
    let macros = Stream::Family(FamilyStream::get("macros").unwrap());
    let rec = |id: i64, title: &str| json!({"id": id, "title": title, "updated_at": iso(T0 + id)});
    let refresh = |walk: u64, next: Option<&str>| Checkpoint::Refresh {
        walk,
        next: next.map(str::to_owned),
    };
    async fn live(s: &dyn Store, t: Table) -> Vec<(String, bool)> {
        let rows = s.key_stamps(t).await.unwrap();
        rows.into_iter().map(|r| (r.key, r.deleted)).collect()
    }
    s.apply_page(
        macros,
        vec![rec(1, "a"), rec(2, "b"), rec(3, "c")],
        refresh(1, None),
    )
    .await
    .unwrap();
    let st = |k: &str, d: bool| (k.to_owned(), d);
    assert_eq!(
        live(&*s, macros.table()).await,
        [st("1", false), st("2", false), st("3", false)]
    );
    // Walk 2, first page: nothing is marked yet (the walk is not complete).
    let p = s
        .apply_page(macros, vec![rec(1, "a2")], refresh(2, Some("http://x/p2")))
        .await
        .unwrap();
    assert_eq!((p.received, p.written), (1, 1));
    assert_eq!(
        live(&*s, macros.table()).await,
        [st("1", false), st("2", false), st("3", false)]
    );
    assert_eq!(
        s.load_checkpoint(macros).await.unwrap(),
        Some(refresh(2, Some("http://x/p2")))
    );
    s.apply_page(macros, vec![rec(3, "c"), rec(4, "d")], refresh(2, None))
        .await
        .unwrap();
    assert_eq!(
        live(&*s, macros.table()).await,
        [
            st("1", false),
            st("2", true),
            st("3", false),
            st("4", false)
        ]
    );
    assert_eq!(
        s.get_raw(macros.table(), 1).await.unwrap().unwrap()["title"],
        "a2"
    );
    s.apply_page(macros, vec![rec(2, "b"), rec(4, "d")], refresh(3, None))
        .await
        .unwrap();
    assert_eq!(
        live(&*s, macros.table()).await,
        [st("1", true), st("2", false), st("3", true), st("4", false)]
    );
    let stamps = s.ids_and_stamps(macros.table()).await.unwrap();
    assert_eq!(stamps[1].updated_at, Some(T0 + 2));
    // Text keys.
    let webhooks = Stream::Family(FamilyStream::get("webhooks").unwrap());
    s.apply_page(
        webhooks,
        vec![
            json!({"id": "01HZ", "name": "w"}),
            json!({"id": "01HA", "name": "v"}),
        ],
        refresh(1, None),
    )
    .await
    .unwrap();
    s.apply_page(
        webhooks,
        vec![json!({"id": "01HZ", "name": "w"})],
        refresh(2, None),
    )
    .await
    .unwrap();
    let w = s.key_stamps(webhooks.table()).await.unwrap();
    let w: Vec<_> = w.into_iter().map(|r| (r.key, r.deleted)).collect();
    assert_eq!(w, [st("01HA", true), st("01HZ", false)]);
    // A record without its key fails the page, checkpoint included.
    let err = s
        .apply_page(webhooks, vec![json!({"name": "x"})], refresh(3, None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("webhooks"), "{err}");
    assert_eq!(
        s.load_checkpoint(webhooks).await.unwrap(),
        Some(refresh(2, None))
    );
    assert_eq!(
        db.query_i64("SELECT count(*) FROM macros WHERE _synced_at IS NOT NULL")
            .await,
        4
    );
}

/// `reset` forgets one stream (checkpoint and every table it writes) and nothing else, and
/// is refused while another store holds the sync lock.
async fn reset_forgets_one_stream(b: Backend) {
    let db = Db::new(b).await;
    let s = db.open().await;
    let mut t = ticket(1, T0, T0, "one");
    t["metric_set"] = json!({"id": 10, "ticket_id": 1});
    s.apply_page(Stream::Tickets, vec![t], cursor("c1"))
        .await
        .unwrap();
    s.apply_page(Stream::Users, vec![json!({"id": 5})], cursor("u1"))
        .await
        .unwrap();
    let mut rows = 0;
    for t in Stream::Tickets.tables() {
        rows += s.count(t).await.unwrap();
    }
    assert!(rows >= 4, "ticket, metric, tags and custom fields: {rows}");
    let other = db.open().await;
    other.begin_sync(ACME).await.unwrap();
    let err = s.reset(Stream::Tickets).await.unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    drop(other);
    db.wait_unlocked().await;
    let deleted = s.reset(Stream::Tickets).await.unwrap();
    assert_eq!(
        deleted, rows,
        "the ticket and its metrics, tags, custom fields"
    );
    for t in Stream::Tickets.tables() {
        assert_eq!(s.count(t).await.unwrap(), 0, "{t}");
    }
    assert_eq!(s.load_checkpoint(Stream::Tickets).await.unwrap(), None);
    assert_eq!(s.count(Table::Users).await.unwrap(), 1);
    assert_eq!(
        s.load_checkpoint(Stream::Users).await.unwrap(),
        Some(cursor("u1"))
    );
}

/// Users carrying `identities` (as the engine attaches the export's sideload): the
/// identities go to their table, the user's raw keeps the user alone; a newer version of
/// the user replaces its identities (a removed one is marked deleted); an older version
/// changes nothing; a user without the key leaves its identities alone.
async fn user_identities_follow_their_user(b: Backend) {
    let db = Db::new(b).await;
    let s = db.open().await;
    let user = |updated: i64, ids: &[i64]| {
        let identities: Vec<Value> = ids
            .iter()
            .map(|&i| {
                json!({"id": i, "user_id": 5, "type": "email", "value": format!("u{i}@x"),
                "primary": i == 50, "verified": true, "updated_at": iso(updated)})
            })
            .collect();
        json!({"id": 5, "name": "u", "updated_at": iso(updated), "identities": identities})
    };
    let p = s
        .apply_page(Stream::Users, vec![user(T0, &[50, 51])], cursor("u1"))
        .await
        .unwrap();
    assert_eq!(p.identities_written, 2);
    let raw = s.get_raw(Table::Users, 5).await.unwrap().unwrap();
    assert!(raw.get("identities").is_none(), "{raw}");
    async fn live(s: &dyn Store) -> Vec<(i64, bool)> {
        let rows = s.ids_and_stamps(Table::Identities).await.unwrap();
        rows.into_iter().map(|r| (r.id, r.deleted)).collect()
    }
    assert_eq!(live(&*s).await, [(50, false), (51, false)]);
    s.apply_page(Stream::Users, vec![user(T0 - 5, &[52])], cursor("u2"))
        .await
        .unwrap();
    assert_eq!(
        live(&*s).await,
        [(50, false), (51, false)],
        "older: no change"
    );
    s.apply_page(Stream::Users, vec![user(T0 + 5, &[50])], cursor("u3"))
        .await
        .unwrap();
    assert_eq!(live(&*s).await, [(50, false), (51, true)]);
    s.apply_page(
        Stream::Users,
        vec![json!({"id": 5, "updated_at": iso(T0 + 9)})],
        cursor("u4"),
    )
    .await
    .unwrap();
    assert_eq!(
        live(&*s).await,
        [(50, false), (51, true)],
        "no sideload: left alone"
    );
    assert_eq!(
        db.query_i64(
            "SELECT count(*) FROM identities WHERE value = 'u50@x' AND _synced_at IS NOT NULL"
        )
        .await,
        1
    );
}

async fn concurrent_opens_migrate_once(b: Backend) {
    let db = Db::new(b).await;
    let opens = (0..4).map(|_| {
        let url = db.url.clone();
        tokio::spawn(async move { store::open_with(&url, Default::default()).await })
    });
    for open in opens.collect::<Vec<_>>() {
        let s = open
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("concurrent open: {e}"));
        assert_eq!(s.summary().await.unwrap().schema_version, LATEST);
    }
    assert_eq!(
        db.query_i64("SELECT count(*) FROM schema_version").await,
        LATEST
    );
}

both_backends!(
    the_store_records_its_account_and_refuses_another,
    a_second_sync_on_the_store_is_refused_until_the_first_ends,
    a_version_1_store_is_upgraded_in_place,
    a_version_2_store_is_upgraded_in_place,
    a_version_5_store_is_upgraded_in_place,
    migrations_from_empty,
    reopen_is_idempotent,
    newer_schema_is_refused,
    newest_version_wins,
    page_and_checkpoint_are_atomic,
    deleted_records_are_marked_not_dropped,
    raw_json_is_kept_exactly,
    ticket_events_and_comments_upsert_by_id,
    ids_and_stamps_match_what_was_written,
    checkpoints_and_summary,
    concurrent_pages_of_different_streams,
    concurrent_opens_migrate_once,
    family_refresh_marks_unseen_rows_deleted,
    reset_forgets_one_stream,
    user_identities_follow_their_user,
);

// --- open errors, per backend ----------------------------------------------------------

#[tokio::test]
async fn sqlite_missing_directory_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}/no/such/dir/z.db", dir.path().display());
    let err = store::open(&url).await.unwrap_err();
    assert!(matches!(err, StoreError::NoSuchDirectory { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("does not exist") && msg.contains("--to"),
        "{msg}"
    );
}

#[tokio::test]
async fn sqlite_non_database_file_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "this is not a database, just some text that is long enough ".repeat(50),
    )
    .unwrap();
    let err = store::open(path.to_str().unwrap()).await.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(msg.contains("not a SQLite database"), "{msg}");
    let err = store::open(dir.path().to_str().unwrap()).await.unwrap_err();
    assert!(err.to_string().contains("it is a directory"), "{err}");
}

#[tokio::test]
async fn postgres_unreachable_port_is_explained() {
    let err = store::open("postgres://postgres@127.0.0.1:1/test")
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(
        msg.contains("127.0.0.1:1") && msg.contains("is PostgreSQL running"),
        "{msg}"
    );
}

#[tokio::test]
async fn postgres_unknown_database_and_role_are_explained() {
    pg_connect().await; // the server itself must be up
    let base = database_url();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    let err = store::open(&format!("{prefix}/zd_no_such_database"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("database does not exist"), "{err}");

    let host = prefix
        .rsplit_once('@')
        .map_or(prefix.trim_start_matches("postgres://"), |(_, h)| h);
    let err = store::open(&format!("postgres://zd_no_such_role:secret@{host}/test"))
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("check the user and password"), "{msg}");
    assert!(!msg.contains("secret"), "{msg}");
}

#[tokio::test]
async fn bad_locations_are_explained() {
    let err = store::open("mysql://x/y").await.unwrap_err();
    assert!(err.to_string().contains("unsupported store"), "{err}");
    let err = store::open("postgres://u:pw@h/db?schema=Robert'); DROP")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadLocation { .. }), "{err:?}");
}
