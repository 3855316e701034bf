//! The `tags` refresh stream after ticket writes through the API (issue 12: "the tags
//! stream fails with no `name` field after API ticket writes"): every way a ticket's tags
//! change (create with tags, update `tags` and `additional_tags`, tag/untag, delete),
//! with more than 100 distinct tags so the walk spans pages, on SQLite and PostgreSQL.
//! The mirror's live rows must be exactly `GET /api/v2/tags`, keyed by `name`.

mod common;

use std::time::Duration;

use common::{Backend, Db};
use serde_json::{json, Value};
use zdkit_sync::engine::{sync, CancelToken, NoProgress, SyncOptions};
use zdkit_sync::store::{FamilyStream, Store, Stream, Table};

fn tags() -> FamilyStream {
    FamilyStream::get("tags").unwrap()
}

async fn run(client: &zdkit::Client, store: &dyn Store) {
    let options = SyncOptions {
        streams: vec![Stream::Family(tags()), Stream::Tickets],
        per_page: 50,
        ..SyncOptions::default()
    };
    let r = sync(client, store, &options, &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
}

/// The name of every tag the simulator lists, walked with the library's rule.
async fn listing(client: &zdkit::Client) -> Vec<String> {
    let mut walk = zdkit::pagination::Walk::new(client.base_url());
    let mut next = Some("/api/v2/tags?page%5Bsize%5D=100".to_owned());
    let mut out = Vec::new();
    while let Some(url) = next.take() {
        let page: Value = client.get(&url).send().await.unwrap().json().unwrap();
        for t in page["tags"].as_array().unwrap() {
            assert!(t["count"].as_u64().is_some(), "{t}");
            out.push(t["name"].as_str().unwrap().to_owned());
        }
        next = walk.raw(&page).unwrap();
    }
    out.sort();
    out
}

/// The names of the stored tags not marked deleted.
async fn stored(store: &dyn Store) -> Vec<String> {
    let mut out: Vec<String> = store
        .key_stamps(Table::Family(tags()))
        .await
        .unwrap()
        .into_iter()
        .filter(|k| !k.deleted)
        .map(|k| k.key)
        .collect();
    out.sort();
    out
}

async fn tags_after_ticket_writes_are_exact(backend: Backend) {
    let (c, clock, _state) =
        common::start_sim(400, zdkit::Timestamp::from_unix_secs(1_700_000_040)).await;
    let db = Db::new(backend).await;
    let store = db.open().await;
    run(&c, &*store).await;
    assert_eq!(stored(&*store).await, listing(&c).await);
    // More than 100 new distinct tags (two pages), in every way a ticket's tags change.
    let many: Vec<String> = (0..120).map(|i| format!("t{i:03}")).collect();
    c.post("/api/v2/tickets")
        .json(&json!({"ticket": {"subject": "s", "comment": {"body": "b"}, "tags": many}}))
        .send()
        .await
        .unwrap();
    c.put("/api/v2/tickets/5")
        .json(&json!({"ticket": {"tags": ["alpha", "123"], "additional_tags": ["beta"]}}))
        .send()
        .await
        .unwrap();
    c.put("/api/v2/tickets/6/tags")
        .json(&json!({"tags": ["gamma"]}))
        .send()
        .await
        .unwrap();
    c.delete("/api/v2/tickets/6/tags")
        .json(&json!({"tags": ["vip", "billing"]}))
        .send()
        .await
        .unwrap();
    c.delete("/api/v2/tickets/8").send().await.unwrap();
    clock.advance(Duration::from_secs(120));
    run(&c, &*store).await;
    let want = listing(&c).await;
    assert!(want.len() > 120, "{}", want.len());
    assert_eq!(stored(&*store).await, want);
    // A tag no ticket has any more is marked deleted, not dropped.
    c.put("/api/v2/tickets/5")
        .json(&json!({"ticket": {"tags": []}}))
        .send()
        .await
        .unwrap();
    clock.advance(Duration::from_secs(120));
    run(&c, &*store).await;
    assert_eq!(stored(&*store).await, listing(&c).await);
    let rows = store.key_stamps(Table::Family(tags())).await.unwrap();
    assert!(
        rows.iter().any(|r| r.key == "alpha" && r.deleted),
        "{rows:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_tags_after_ticket_writes_are_exact() {
    tags_after_ticket_writes_are_exact(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_tags_after_ticket_writes_are_exact() {
    tags_after_ticket_writes_are_exact(Backend::Postgres).await;
}
