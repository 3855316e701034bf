//! The sync engine against the in-process simulator, on SQLite and PostgreSQL (every test
//! runs on both, see `both!`). One auto-advancing manual clock is shared by the simulator
//! and the client, so 10/min export waits take no real time.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Backend, Harness};
use serde_json::{json, Value};
use tokio::sync::Notify;
use zdkit::models::{NewComment, NewTicket, TicketId, TicketStatus, TicketUpdate};
use zdkit::{Client, Credentials, Timestamp};
use zdkit_sim::SimConfig;
use zdkit_sync::engine::{sync, CancelToken, NoProgress, ProgressEvent, SyncOptions, SyncReport};
use zdkit_sync::store::{FamilyStream, KeyStamp, RowStamp, Store, Stream, Table};

const TICKETS: u64 = 3_000;

async fn start(backend: Backend, tickets: u64) -> Harness {
    Harness::start(backend, SimConfig::with_tickets(tickets), 8).await
}

impl Harness {
    async fn store(&self) -> Box<dyn Store> {
        self.db.open().await
    }

    async fn sync_default(&self, store: &dyn Store) -> SyncReport {
        self.sync(store, &SyncOptions::default()).await
    }

    async fn get(&self, path: &str) -> Value {
        self.client.get(path).send().await.unwrap().json().unwrap()
    }

    async fn put(&self, path: &str, body: Value) -> Value {
        self.client
            .put(path)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .unwrap()
    }

    /// The ground truth of `kind` as stamps comparable with the store's.
    async fn truth(&self, table: Table) -> Vec<RowStamp> {
        common::truth(&self.client, table).await
    }

    /// Every synced table equals the simulator's ground truth.
    async fn assert_exact(&self, store: &dyn Store) {
        for table in [
            Table::Tickets,
            Table::Users,
            Table::Organizations,
            Table::Groups,
            Table::TicketFields,
        ] {
            let mut got = store.ids_and_stamps(table).await.unwrap();
            if table != Table::Tickets {
                for r in &mut got {
                    r.generated_timestamp = None;
                }
            }
            let want = self.truth(table).await;
            assert_eq!(got.len(), want.len(), "{table}: row count");
            let diff: Vec<_> = got
                .iter()
                .zip(&want)
                .filter(|(g, w)| g != w)
                .take(3)
                .collect();
            assert!(diff.is_empty(), "{table}: (store, truth) differ: {diff:?}");
        }
        // The refreshed families (the exported one, ticket metric events, is not a default
        // stream: tests/metric_events.rs).
        for f in FamilyStream::all().filter(|f| !f.is_export()) {
            self.assert_family_exact(store, f).await;
        }
        self.assert_ticket_metrics_exact(store).await;
        self.assert_identities_exact(store).await;
    }

    /// The live identities are exactly those the simulator's user list sideloads
    /// (`include=identities`), with their stamps.
    async fn assert_identities_exact(&self, store: &dyn Store) {
        let mut walk = zdkit::pagination::Walk::new(self.client.base_url());
        let mut next = Some("/api/v2/users?include=identities&page%5Bsize%5D=100".to_owned());
        let mut want = Vec::new();
        while let Some(url) = next.take() {
            let page = self.get(&url).await;
            for i in page["identities"].as_array().unwrap() {
                let t = i["updated_at"].as_str().unwrap();
                let t =
                    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                        .unwrap()
                        .unix_timestamp();
                want.push((i["id"].as_i64().unwrap(), Some(t)));
            }
            next = walk.raw(&page).unwrap();
        }
        want.sort();
        let got: Vec<(i64, Option<i64>)> = store
            .ids_and_stamps(Table::Identities)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| !r.deleted)
            .map(|r| (r.id, r.updated_at))
            .collect();
        assert!(!want.is_empty());
        assert_eq!(got.len(), want.len(), "live identities");
        assert!(
            got == want,
            "identities differ from the user list's sideload"
        );
    }

    /// One live metric set per live ticket (id = the ticket's metric set id, stamped with
    /// the ticket's version), the deleted tickets' metrics marked deleted.
    async fn assert_ticket_metrics_exact(&self, store: &dyn Store) {
        let tickets = self.truth(Table::Tickets).await;
        let metrics = store.ids_and_stamps(Table::TicketMetrics).await.unwrap();
        let live: Vec<(i64, Option<i64>)> = metrics
            .iter()
            .filter(|m| !m.deleted)
            .map(|m| (m.id, m.updated_at))
            .collect();
        let want: Vec<(i64, Option<i64>)> = tickets
            .iter()
            .filter(|t| !t.deleted)
            .map(|t| (t.id, t.generated_timestamp))
            .collect();
        assert_eq!(live.len(), want.len(), "live ticket metrics");
        assert!(live == want, "ticket metrics differ from the live tickets");
        let deleted = tickets.iter().filter(|t| t.deleted).count();
        assert_eq!(
            metrics.len() - live.len(),
            deleted.min(metrics.len() - live.len())
        );
        for m in metrics.iter().filter(|m| m.deleted) {
            assert!(tickets.iter().any(|t| t.id == m.id && t.deleted), "{m:?}");
        }
    }

    /// The simulator's own listing of a family: every record, walked with the library's
    /// next-page rule, as (key, updated_at) sorted by key.
    async fn listing(&self, f: FamilyStream) -> Vec<KeyStamp> {
        let fam = f.family();
        let mut walk = zdkit::pagination::Walk::new(self.client.base_url());
        let mut next = Some(format!("/api/v2/{}", fam.path));
        let mut out = Vec::new();
        while let Some(url) = next.take() {
            let page = self.get(&url).await;
            for r in page[fam.plural].as_array().unwrap() {
                let key = match &r[f.key_field()] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let updated_at = r["updated_at"].as_str().map(|t| {
                    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                        .unwrap()
                        .unix_timestamp()
                });
                out.push(KeyStamp {
                    key,
                    updated_at,
                    deleted: false,
                });
            }
            next = walk.raw(&page).unwrap();
        }
        out.sort();
        out
    }

    /// A family's rows not marked deleted are exactly the simulator's listing.
    async fn assert_family_exact(&self, store: &dyn Store, f: FamilyStream) {
        let mut live: Vec<KeyStamp> = store
            .key_stamps(Table::Family(f))
            .await
            .unwrap()
            .into_iter()
            .filter(|r| !r.deleted)
            .collect();
        live.sort();
        let want = self.listing(f).await;
        assert_eq!(live.len(), want.len(), "{}: live rows", f.name());
        assert!(live == want, "{}: store and listing differ", f.name());
    }

    /// Creates, updates and deletes tickets through the API, then lets the export's
    /// one-minute exclusion window pass.
    async fn write_some(&self) {
        let t = self.client.tickets();
        for i in 0..5 {
            t.create(NewTicket::new(format!("n{i}"), NewComment::text("new")))
                .send()
                .await
                .unwrap();
        }
        // Closed tickets refuse updates: update the first four that accept one.
        let change = TicketUpdate {
            status: Some(TicketStatus::Solved),
            ..TicketUpdate::default()
        };
        let mut updated = 0;
        for id in (1..=TICKETS).step_by(97) {
            if t.update(TicketId(id), &change).await.is_ok() {
                updated += 1;
            }
            if updated == 4 {
                break;
            }
        }
        assert_eq!(updated, 4);
        for id in [3u64, 1_234] {
            t.delete(TicketId(id)).await.unwrap();
        }
        self.clock.advance(Duration::from_secs(120));
    }
}

/// Instantiates each test for SQLite and PostgreSQL.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Postgres).await })*
        }
    };
}

both!(
    full_sync_equals_ground_truth,
    incremental_sync_after_writes_is_exact,
    rerun_with_nothing_new_costs_one_request_per_stream,
    sync_killed_at_random_pages_then_resumed_is_exact,
    cancel_stops_after_the_current_page,
    faults_and_a_429_storm_leave_the_result_exact,
    ticket_events_with_comments_are_synced,
    family_changes_are_mirrored,
);

async fn full_sync_equals_ground_truth(backend: Backend) {
    let h = start(backend, TICKETS).await;
    let store = h.store().await;
    let r = h.sync_default(&*store).await;
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
    let tickets = r
        .streams
        .iter()
        .find(|s| s.stream == Stream::Tickets)
        .unwrap();
    assert!(tickets.pages >= 3, "several pages: {tickets:?}");
    let families: Vec<_> = r
        .streams
        .iter()
        .filter(|s| s.stream.family().is_some())
        .collect();
    let refreshed = FamilyStream::all().filter(|f| !f.is_export()).count();
    assert_eq!(families.len(), refreshed, "{r:?}");
    for f in &families {
        assert!(f.unavailable.is_none() && f.records > 0, "{f:?}");
    }
    h.assert_exact(&*store).await;
}

/// Creates, updates and deletes records of refresh families; the next run mirrors each
/// change (the deleted one marked, not dropped).
async fn family_changes_are_mirrored(backend: Backend) {
    let h = start(backend, 100).await;
    let store = h.store().await;
    h.sync_default(&*store).await;
    let macros = FamilyStream::get("macros").unwrap();
    let created = h
        .client
        .post("/api/v2/macros")
        .json(&json!({"macro": {"title": "new one", "actions": [{"field": "status", "value": "open"}]}}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .unwrap();
    let new_id = created["macro"]["id"].as_i64().unwrap();
    h.clock.advance(Duration::from_secs(5));
    h.put("/api/v2/macros/2", json!({"macro": {"title": "renamed"}}))
        .await;
    h.client.delete("/api/v2/macros/3").send().await.unwrap();
    h.client.delete("/api/v2/brands/2").send().await.unwrap();
    let r = h.sync_default(&*store).await;
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
    h.assert_exact(&*store).await;
    let rows = store.ids_and_stamps(Table::Family(macros)).await.unwrap();
    assert!(rows.iter().any(|r| r.id == 3 && r.deleted), "{rows:?}");
    assert!(
        rows.iter().any(|r| r.id == new_id && !r.deleted),
        "{rows:?}"
    );
    let raw = store
        .get_raw(Table::Family(macros), 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(raw["title"], "renamed");
    let brands = FamilyStream::get("brands").unwrap();
    let rows = store.ids_and_stamps(Table::Family(brands)).await.unwrap();
    assert!(rows.iter().any(|r| r.id == 2 && r.deleted), "{rows:?}");
}

async fn incremental_sync_after_writes_is_exact(backend: Backend) {
    let h = start(backend, TICKETS).await;
    let store = h.store().await;
    h.sync_default(&*store).await;
    h.write_some().await;
    let r = h.sync_default(&*store).await;
    let tickets = r
        .streams
        .iter()
        .find(|s| s.stream == Stream::Tickets)
        .unwrap();
    assert!(tickets.records >= 11, "the changes came back: {tickets:?}");
    assert!(tickets.records < 100, "only the changes: {tickets:?}");
    h.assert_exact(&*store).await;
    let deleted = store.ids_and_stamps(Table::Tickets).await.unwrap();
    assert!(deleted.iter().any(|r| r.id == 1_234 && r.deleted));
}

async fn rerun_with_nothing_new_costs_one_request_per_stream(backend: Backend) {
    let h = start(backend, TICKETS).await;
    let store = h.store().await;
    h.sync_default(&*store).await;
    h.clock.advance(Duration::from_secs(120));
    let before = h.client.stats().requests;
    let r = h.sync_default(&*store).await;
    let after = h.client.stats().requests;
    let mut expected = 0;
    for s in &r.streams {
        assert!(s.complete, "{s:?}");
        match s.stream {
            // A refresh costs its walk: one request per page of the family's list (every
            // seeded family fits in two pages of 100).
            Stream::Family(_) => {
                assert!(s.pages >= 1 && s.pages <= s.records / 100 + 1, "{s:?}");
            }
            // One request per export and per whole list.
            _ => assert_eq!(s.pages, 1, "{s:?}"),
        }
        expected += s.pages;
    }
    assert_eq!(after - before, expected, "{r:?}");
    let exports = r.streams.iter().filter(|s| !streams_is_list(s.stream));
    assert_eq!(exports.count(), 3);
    // The number docs/design/sync.md gives for the simulator's default account: 3 export
    // requests, 2 whole lists, 28 refresh pages (27 families, satisfaction ratings two).
    assert_eq!(after - before, 33, "{r:?}");
    h.assert_exact(&*store).await;
}

fn streams_is_list(s: Stream) -> bool {
    matches!(s, Stream::Groups | Stream::TicketFields | Stream::Family(_))
}

fn small_pages() -> SyncOptions {
    SyncOptions {
        per_page: 250,
        ..SyncOptions::default()
    }
}

async fn sync_killed_at_random_pages_then_resumed_is_exact(backend: Backend) {
    let h = start(backend, TICKETS).await;
    let mut rng = fastrand::Rng::with_seed(backend as u64 + 5);
    let options = small_pages();
    for round in 0..4 {
        let kill_after = rng.usize(1..=8);
        let pages = AtomicUsize::new(0);
        let reached = Notify::new();
        let progress = |e: &ProgressEvent<'_>| {
            if matches!(e, ProgressEvent::PageWritten { .. })
                && pages.fetch_add(1, Ordering::SeqCst) + 1 == kill_after
            {
                reached.notify_one();
            }
        };
        // A fresh store per run, as a new process would open it.
        let store = h.store().await;
        let cancel = CancelToken::new();
        tokio::select! {
            r = sync(&h.client, &*store, &options, &progress, &cancel) => {
                r.unwrap();
            }
            () = reached.notified() => {}
        }
        let stamps = store.ids_and_stamps(Table::Tickets).await.unwrap();
        let mut ids: Vec<i64> = stamps.iter().map(|r| r.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), stamps.len(), "round {round}: no duplicate rows");
        drop(store);
        if round == 1 {
            h.write_some().await;
        }
    }
    let store = h.store().await;
    let r = sync(
        &h.client,
        &*store,
        &options,
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
    h.assert_exact(&*store).await;
}

async fn cancel_stops_after_the_current_page(backend: Backend) {
    let h = start(backend, TICKETS).await;
    let store = h.store().await;
    let cancel = CancelToken::new();
    let pages = AtomicUsize::new(0);
    let progress = |e: &ProgressEvent<'_>| {
        if let ProgressEvent::PageWritten {
            stream: Stream::Users,
            ..
        } = e
        {
            if pages.fetch_add(1, Ordering::SeqCst) == 0 {
                cancel.cancel();
            }
        }
    };
    let r = sync(&h.client, &*store, &small_pages(), &progress, &cancel)
        .await
        .unwrap();
    assert!(r.cancelled);
    let users = r
        .streams
        .iter()
        .find(|s| s.stream == Stream::Users)
        .unwrap();
    assert_eq!(users.pages, 1, "{users:?}");
    assert!(!users.complete);
    let tickets = r.streams.iter().find(|s| s.stream == Stream::Tickets);
    assert_eq!(tickets.map_or(0, |t| t.pages), 0, "{tickets:?}");
    assert_eq!(store.count(Table::Users).await.unwrap(), 250);
    let r = h.sync_default(&*store).await;
    assert!(!r.cancelled && r.streams.iter().all(|s| s.complete));
    h.assert_exact(&*store).await;
}

async fn faults_and_a_429_storm_leave_the_result_exact(backend: Backend) {
    let h = start(backend, TICKETS).await;
    let plan = json!({
        "seed": 9,
        "rules": [{"error_500": 0.03, "error_503": 0.05, "reset": 0.05, "truncate": 0.03}],
        "storms": [{"start_secs": 0, "end_secs": 20}],
    });
    h.put("/__sim/faults", plan).await;
    let store = h.store().await;
    let options = SyncOptions {
        per_page: 100,
        ..SyncOptions::default()
    };
    let r = sync(
        &h.client,
        &*store,
        &options,
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
    let stats = h.client.stats();
    assert!(stats.rate_limited > 0, "the storm was hit: {stats:?}");
    assert!(
        stats.retries > stats.rate_limited,
        "faults were retried: {stats:?}"
    );
    h.put("/__sim/faults", json!({})).await;
    h.assert_exact(&*store).await;
}

async fn ticket_events_with_comments_are_synced(backend: Backend) {
    let h = start(backend, 200).await;
    let store = h.store().await;
    let options = SyncOptions {
        streams: vec![Stream::TicketEvents],
        with_comments: true,
        ..SyncOptions::default()
    };
    let r = sync(
        &h.client,
        &*store,
        &options,
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    let ev = &r.streams[0];
    assert!(ev.complete && ev.records > 200, "{ev:?}");
    assert_eq!(store.count(Table::TicketEvents).await.unwrap(), ev.written);
    assert!(store.count(Table::Comments).await.unwrap() >= 200);
}

/// A client clock that panics once armed: stands for any panic inside the client (issue 9
/// item 2: a huge `Retry-After` panicked the fetch task and the run exited 0).
#[derive(Debug)]
struct PanicClock {
    inner: zdkit::SharedClock,
    armed: std::sync::atomic::AtomicBool,
}

impl zdkit::Clock for PanicClock {
    fn now(&self) -> Timestamp {
        assert!(
            !self.armed.load(Ordering::SeqCst),
            "injected panic in the client"
        );
        self.inner.now()
    }
    fn sleep(&self, d: Duration) -> zdkit_clock::Sleep {
        self.inner.sleep(d)
    }
}

/// A fetch task that panics makes the sync fail with the cause, never a short "success".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_fetch_task_fails_the_sync() {
    let h = start(Backend::Sqlite, TICKETS).await;
    let clock = std::sync::Arc::new(PanicClock {
        inner: h.clock.shared(),
        armed: std::sync::atomic::AtomicBool::new(false),
    });
    let client = Client::builder()
        .base_url(h.client.base_url().as_str())
        .credentials(Credentials::api_token("admin@example.com", "zd-sim-token"))
        .clock(clock.clone())
        .build()
        .unwrap();
    let store = h.store().await;
    let progress = |e: &ProgressEvent<'_>| {
        if let ProgressEvent::PageWritten {
            stream: Stream::Tickets,
            ..
        } = e
        {
            clock.armed.store(true, Ordering::SeqCst);
        }
    };
    let options = SyncOptions {
        streams: vec![Stream::Tickets],
        per_page: 100,
        ..SyncOptions::default()
    };
    let err = sync(&client, &*store, &options, &progress, &CancelToken::new())
        .await
        .expect_err("a dead fetch task must fail the sync");
    let msg = err.to_string();
    assert!(
        msg.contains("tickets") && msg.contains("injected panic"),
        "{msg}"
    );
    assert!(matches!(err, zdkit_sync::engine::SyncError::Worker { .. }));
    // What was committed stays committed, and a rerun with a healthy client finishes.
    clock.armed.store(false, Ordering::SeqCst);
    let r = sync(
        &h.client,
        &*store,
        &options,
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert!(r.streams.iter().all(|s| s.complete), "{r:?}");
}

/// The error chain names each cause once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_errors_print_their_cause_once() {
    let h = start(Backend::Sqlite, 10).await;
    let client = Client::builder()
        .base_url(h.client.base_url().as_str())
        .credentials(Credentials::api_token("admin@example.com", "wrong-token"))
        .clock(h.clock.shared())
        .build()
        .unwrap();
    let store = h.store().await;
    let err = sync(
        &client,
        &*store,
        &SyncOptions::default(),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap_err();
    let chain = format!("{:#}", anyhow_like(&err));
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert_eq!(chain.matches(&cause).count(), 1, "{chain}");
}

/// The chain as anyhow's `{:#}` prints it: every message joined by `: `.
fn anyhow_like(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut c = e.source();
    while let Some(x) = c {
        out.push_str(": ");
        out.push_str(&x.to_string());
        c = x.source();
    }
    out
}
