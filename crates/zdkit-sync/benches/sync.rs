//! End-to-end sync throughput against the in-process simulator (same process, so the
//! simulator's own work is included in the figures).
//!
//! * `unlimited-sqlite`, `unlimited-postgres`: plan `unlimited` (no rate limits), 100k
//!   tickets with 10k users and 1k organizations; prints tickets/s (total tickets over the
//!   whole sync's wall time).
//! * `enterprise`: plan `enterprise` (10 export requests/min) on a shared 60× clock, into
//!   SQLite; prints the virtual time against the floor set by the export limit (every
//!   export request at 10/min), and 429s. The client leaves no headroom (no other consumer
//!   of the simulated account); `ZD_BENCH_HEADROOM=0.02` measures the client's default.
//!
//! * `null`: plan `unlimited` into a store that keeps nothing: the fetching side alone
//!   (fetch, decode and the `Preparer`'s per-record extraction, as for a real store).
//! * `replay-sqlite`, `replay-postgres`: the store writer alone (pages prepared first).
//!
//! `ZD_BENCH_TRACE=1` prints a line per page; `ZD_BENCH_STREAMS=a,b` syncs only those streams
//! and `ZD_BENCH_NO_SIDELOADS=1` drops the `metric_sets` and `identities` sideloads (to
//! attribute time).
//!
//! `cargo bench -p zdkit-sync --bench sync [-- CASE...] [--tickets N]` (PostgreSQL from
//! `DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`, in a scratch schema
//! dropped afterwards).
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use std::time::Instant;

use futures_util::future::BoxFuture;
use zdkit::{Client, Credentials, RateLimitPolicy, ScaledClock, SharedClock};
use zdkit_sim::limits::Plan;
use zdkit_sim::{SimConfig, SimState};
use zdkit_sync::engine::{sync, CancelToken, NoProgress, SyncOptions};
use zdkit_sync::store::{
    self, Checkpoint, PageStats, PreparedPage, Preparer, Record, RowStamp, Store, Stream, Summary,
    Table,
};

/// A page as the engine handed it to the store: records, or rows its `Preparer` made.
#[derive(Debug)]
enum Items {
    Records(Vec<Record>),
    Prepared(Box<PreparedPage>),
}
type Page = (Stream, Items, Checkpoint);

/// `null`: a store that keeps nothing, to time the fetching side alone (fetch, decode and
/// the `Preparer`'s per-record work, as for a real store). `replay-*` keeps the pages it
/// is given (`pages` set) to write them again into a real store.
#[derive(Debug, Default)]
struct NullStore {
    pages: Option<std::sync::Mutex<Vec<Page>>>,
}

impl Store for NullStore {
    fn location(&self) -> &str {
        "null"
    }
    fn begin_sync(&self, _: &str) -> BoxFuture<'_, store::Result<()>> {
        Box::pin(async { Ok(()) })
    }
    fn account(&self) -> BoxFuture<'_, store::Result<Option<String>>> {
        Box::pin(async { Ok(None) })
    }
    fn apply_page(
        &self,
        stream: Stream,
        records: Vec<Record>,
        checkpoint: Checkpoint,
    ) -> BoxFuture<'_, store::Result<PageStats>> {
        let n = records.len();
        if let Some(pages) = &self.pages {
            pages
                .lock()
                .unwrap()
                .push((stream, Items::Records(records), checkpoint));
        }
        Box::pin(async move {
            Ok(PageStats {
                received: n,
                written: n as u64,
                ..PageStats::default()
            })
        })
    }
    fn preparer(&self) -> Option<Preparer> {
        Some(Preparer::new(zdkit::SystemClock::shared()))
    }
    fn apply_prepared(
        &self,
        stream: Stream,
        page: PreparedPage,
        checkpoint: Checkpoint,
    ) -> BoxFuture<'_, store::Result<PageStats>> {
        let n = page.received();
        if let Some(pages) = &self.pages {
            pages
                .lock()
                .unwrap()
                .push((stream, Items::Prepared(Box::new(page)), checkpoint));
        }
        Box::pin(async move {
            Ok(PageStats {
                received: n,
                written: n as u64,
                ..PageStats::default()
            })
        })
    }
    fn reset(&self, _: Stream) -> BoxFuture<'_, store::Result<u64>> {
        Box::pin(async { Ok(0) })
    }
    fn apply_route_page(
        &self,
        stream: Stream,
        _: &str,
        records: Vec<Record>,
        checkpoint: Checkpoint,
        _: store::Merge,
    ) -> BoxFuture<'_, store::Result<PageStats>> {
        self.apply_page(stream, records, checkpoint)
    }
    fn load_route_checkpoints(
        &self,
        _: &str,
    ) -> BoxFuture<'_, store::Result<Vec<(String, Checkpoint)>>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn load_checkpoint(&self, _: Stream) -> BoxFuture<'_, store::Result<Option<Checkpoint>>> {
        Box::pin(async { Ok(None) })
    }
    fn count(&self, _: Table) -> BoxFuture<'_, store::Result<u64>> {
        Box::pin(async { Ok(0) })
    }
    fn ids_and_stamps(&self, _: Table) -> BoxFuture<'_, store::Result<Vec<RowStamp>>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn get_raw(&self, _: Table, _: i64) -> BoxFuture<'_, store::Result<Option<Record>>> {
        Box::pin(async { Ok(None) })
    }
    fn archived_without_history(
        &self,
        _: i64,
        _: bool,
    ) -> BoxFuture<'_, store::Result<Vec<(i64, i64)>>> {
        // It keeps no tickets.
        Box::pin(async { Ok(Vec::new()) })
    }
    fn summary(&self) -> BoxFuture<'_, store::Result<Summary>> {
        Box::pin(async { Err(store::StoreError::Worker("null store".into())) })
    }
}

const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

async fn start_sim(plan: Plan, tickets: u64, scale: f64) -> (Client, SharedClock) {
    let clock: SharedClock = std::sync::Arc::new(ScaledClock::new(scale));
    let state = SimState::new(SimConfig {
        plan,
        clock: Some(clock.clone()),
        time_scale: scale,
        ..SimConfig::with_tickets(tickets)
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(zdkit_sim::serve(listener, state));
    let mut builder = Client::builder()
        .base_url(url)
        .credentials(Credentials::api_token("admin@example.com", "zd-sim-token"))
        .clock(clock.clone());
    if plan == Plan::Unlimited {
        // No limits to learn from headers: don't pace by the default export limit.
        builder = builder.rate_limit_policy(RateLimitPolicy::disabled());
    } else {
        // The simulated account has no other API consumer to leave headroom for
        // (`ZD_BENCH_HEADROOM`, default 0; the client's own default is 0.02).
        let headroom = std::env::var("ZD_BENCH_HEADROOM")
            .ok()
            .and_then(|h| h.parse().ok())
            .unwrap_or(0.0);
        builder = builder.rate_limit_policy(RateLimitPolicy::default().headroom(headroom));
    }
    let client = builder.build().unwrap();
    (client, clock)
}

async fn pg_schema_url(schema: &str) -> (String, tokio_postgres::Client) {
    let base = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into());
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {base}: {e}"));
    tokio::spawn(conn);
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    (format!("{base}{sep}schema={schema}"), client)
}

/// The sync options, with attribution knobs: `ZD_BENCH_STREAMS=tickets,users` syncs only
/// those streams, `ZD_BENCH_NO_SIDELOADS=1` turns off the `metric_sets` and `identities`
/// sideloads.
fn bench_options() -> SyncOptions {
    let mut options = SyncOptions::default();
    if let Ok(list) = std::env::var("ZD_BENCH_STREAMS") {
        options.streams = list
            .split(',')
            .map(|s| s.parse().expect("ZD_BENCH_STREAMS: stream names"))
            .collect();
    }
    if std::env::var_os("ZD_BENCH_NO_SIDELOADS").is_some() {
        options.ticket_metrics = false;
        options.user_identities = false;
    }
    options
}

#[allow(clippy::disallowed_methods)] // a benchmark measures real time
async fn run_case(case: &str, tickets: u64) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite:{}", dir.path().join("bench.db").display());
    let (plan, scale) = match case {
        "enterprise" => (Plan::Enterprise, 60.0),
        _ => (Plan::Unlimited, 1.0),
    };
    let mut pg = None;
    let url = if case == "unlimited-postgres" || case == "replay-postgres" {
        let (url, client) = pg_schema_url("zd_bench_sync").await;
        pg = Some(client);
        url
    } else {
        sqlite
    };
    let (client, clock) = start_sim(plan, tickets, scale).await;
    let store: Box<dyn Store> = if case == "null" {
        Box::<NullStore>::default()
    } else if case.starts_with("replay-") {
        let recorder = NullStore {
            pages: Some(std::sync::Mutex::default()),
        };
        let options = bench_options();
        sync(
            &client,
            &recorder,
            &options,
            &NoProgress,
            &CancelToken::new(),
        )
        .await
        .unwrap();
        let pages = recorder.pages.unwrap().into_inner().unwrap();
        replay(case, &url, pages, tickets).await;
        if let Some(pg) = pg {
            let _ = pg
                .batch_execute("DROP SCHEMA IF EXISTS zd_bench_sync CASCADE")
                .await;
        }
        return;
    } else {
        zdkit_sync::open(&url).await.unwrap()
    };
    let virt0 = clock.now();
    let t0 = Instant::now();
    let trace = std::env::var_os("ZD_BENCH_TRACE").is_some();
    let progress = |e: &zdkit_sync::engine::ProgressEvent<'_>| {
        if let zdkit_sync::engine::ProgressEvent::PageWritten { stream, totals, .. } = e {
            if trace {
                let v = clock.now().saturating_since(virt0).as_secs_f64();
                let s = client.stats();
                eprintln!(
                    "{:.2}s ({v:.1} virtual s) {stream} page {}; {} requests",
                    t0.elapsed().as_secs_f64(),
                    totals.pages,
                    s.requests
                );
            }
        }
    };
    let options = bench_options();
    let report = sync(&client, &*store, &options, &progress, &CancelToken::new())
        .await
        .unwrap();
    let secs = t0.elapsed().as_secs_f64();
    let virt = clock.now().saturating_since(virt0).as_secs_f64();
    let stats = client.stats();
    if case != "null" {
        let stored = store.count(Table::Tickets).await.unwrap();
        assert_eq!(stored, tickets, "every ticket stored");
    }
    let exports: u64 = report
        .streams
        .iter()
        .filter(|s| !matches!(s.stream, Stream::Groups | Stream::TicketFields))
        .map(|s| s.pages)
        .sum();
    println!(
        "{case}: {tickets} tickets ({} records, {} requests, {exports} export pages) in {secs:.2}s \
         = {:.0} tickets/s; 429s {}",
        report.records(),
        stats.requests,
        tickets as f64 / secs,
        stats.rate_limited,
    );
    if case == "enterprise" {
        // The floor: every export request at 10/min, in virtual seconds.
        let floor = exports as f64 * 6.0;
        println!(
            "enterprise: {virt:.0} virtual s vs floor {floor:.0} s ({} export requests at \
             10/min) = {:.3}x; budget wait {:.0}s",
            exports,
            virt / floor,
            stats.budget_wait().as_secs_f64()
        );
    }
    if let Some(pg) = pg {
        drop(store);
        let _ = pg
            .batch_execute("DROP SCHEMA IF EXISTS zd_bench_sync CASCADE")
            .await;
    }
}

/// `replay-sqlite`, `replay-postgres`: the pages of a sync (fetched and prepared first,
/// into memory) written again into the store, in the same order: the store writer's share
/// of the sync alone (the `Preparer`'s work is on the fetching side, in `null`), with the
/// engine's bulk-load rule around the pages: the reader-only indexes of the empty tables
/// dropped first and rebuilt after the last page, inside the measured time.
#[allow(clippy::disallowed_methods)] // a benchmark measures real time
async fn replay(case: &str, url: &str, pages: Vec<Page>, tickets: u64) {
    let store = zdkit_sync::open(url).await.unwrap();
    let records: usize = pages
        .iter()
        .map(|p| match &p.1 {
            Items::Records(r) => r.len(),
            Items::Prepared(p) => p.received(),
        })
        .sum();
    let n = pages.len();
    let t0 = Instant::now();
    let cpu0 = cpu_secs();
    let dropped = store.drop_reader_indexes().await.unwrap();
    for (stream, items, checkpoint) in pages {
        match items {
            Items::Records(r) => store.apply_page(stream, r, checkpoint).await,
            Items::Prepared(p) => store.apply_prepared(stream, *p, checkpoint).await,
        }
        .unwrap();
    }
    let rebuilt = store.rebuild_reader_indexes().await.unwrap();
    let secs = t0.elapsed().as_secs_f64();
    let cpu = match (cpu0, cpu_secs()) {
        (Some(a), Some(b)) => format!("; bench CPU {:.2} s", b - a),
        _ => String::new(),
    };
    assert_eq!(store.count(Table::Tickets).await.unwrap(), tickets);
    println!(
        "{case}: {tickets} tickets ({records} records, {n} pages) written in {secs:.2}s \
         = {:.0} tickets/s{cpu}; indexes dropped {dropped:?}, rebuilt {rebuilt:?}",
        tickets as f64 / secs
    );
}

/// CPU seconds (user + system) of this process so far; Linux only.
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ is 100 on Linux
}

fn main() {
    let mut cases = Vec::new();
    let mut tickets = 100_000;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--tickets" => tickets = args.next().and_then(|n| n.parse().ok()).unwrap_or(tickets),
            "--bench" => {}
            c if !c.starts_with('-') => cases.push(c.to_owned()),
            _ => {}
        }
    }
    if cases.is_empty() {
        cases = vec![
            "unlimited-sqlite".into(),
            "unlimited-postgres".into(),
            "enterprise".into(),
        ];
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for case in cases {
        rt.block_on(run_case(&case, tickets));
    }
}
