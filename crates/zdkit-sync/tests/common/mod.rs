//! Test harness shared by the store test binaries: a fresh database per test.
#![allow(dead_code)] // each test binary uses a different part

use std::sync::atomic::{AtomicUsize, Ordering};

use zdkit_clock::{ManualClock, SharedClock, Timestamp};
use zdkit_sync::store::{self, OpenOptions, Store, StoreError};

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
pub const T0: i64 = 1_700_000_000;

/// `both_backends!(a, b)`: for each async `fn a(Backend)` of the test file, a test
/// `sqlite::a` and a test `postgres::a` (the file says `#[macro_use] mod common;`).
#[allow(unused_macros)]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name(super::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name(super::Backend::Postgres).await } )*
        }
    };
}

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned())
}

/// A fresh, empty database for one test: a temp file, or a new PostgreSQL schema that is
/// dropped when this is dropped.
pub struct Db {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pub sqlite_path: Option<std::path::PathBuf>,
    pub pg_schema: Option<String>,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

pub async fn pg_connect() -> tokio_postgres::Client {
    let url = database_url();
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is required by these tests and is not reachable at {url}: {e:?}\n\
             start it (scripts/test tries to) or set DATABASE_URL"
            )
        });
    tokio::spawn(conn);
    client
}

impl Db {
    pub async fn new(backend: Backend) -> Db {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("zendesk.db");
                Db {
                    url: format!("sqlite:{}", path.display()),
                    _dir: Some(dir),
                    sqlite_path: Some(path),
                    pg_schema: None,
                }
            }
            Backend::Postgres => {
                let schema = format!(
                    "zd_test_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::SeqCst)
                );
                let client = pg_connect().await;
                client
                    .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    .await
                    .unwrap();
                let base = database_url();
                let sep = if base.contains('?') { '&' } else { '?' };
                Db {
                    url: format!("{base}{sep}schema={schema}"),
                    _dir: None,
                    sqlite_path: None,
                    pg_schema: Some(schema),
                }
            }
        }
    }

    pub fn clock() -> SharedClock {
        ManualClock::new(Timestamp::from_unix_secs(T0 as u64)).shared()
    }

    pub async fn open(&self) -> Box<dyn Store> {
        self.try_open()
            .await
            .unwrap_or_else(|e| panic!("open {}: {e}", self.url))
    }

    pub async fn try_open(&self) -> Result<Box<dyn Store>, StoreError> {
        store::open_with(&self.url, OpenOptions { clock: Db::clock() }).await
    }

    /// Runs SQL directly, behind the store's back.
    pub async fn exec(&self, sql: &str) {
        if let Some(path) = &self.sqlite_path {
            rusqlite::Connection::open(path)
                .unwrap()
                .execute_batch(sql)
                .unwrap();
        } else {
            let schema = self.pg_schema.as_ref().unwrap();
            let client = pg_connect().await;
            client
                .batch_execute(&format!("SET search_path TO {schema}; {sql}"))
                .await
                .unwrap();
        }
    }

    /// Waits until no store holds this database's sync lock (SQLite: the `PATH.lock`
    /// file's `flock`; PostgreSQL: the schema's session advisory lock, key 7239), without
    /// keeping it. A dropped store can hold it a moment longer than its owner (its last
    /// blocking write still runs; PostgreSQL frees a closed session's locks when its
    /// backend notices): taking the lock blocks until exactly then, not for a number of
    /// tries, and it is given back at once.
    pub async fn wait_unlocked(&self) {
        wait_unlocked_at(&self.url).await;
    }

    pub async fn query_i64(&self, sql: &str) -> i64 {
        if let Some(path) = &self.sqlite_path {
            rusqlite::Connection::open(path)
                .unwrap()
                .query_row(sql, [], |r| r.get(0))
                .unwrap()
        } else {
            let schema = self.pg_schema.as_ref().unwrap();
            let client = pg_connect().await;
            client
                .batch_execute(&format!("SET search_path TO {schema}"))
                .await
                .unwrap();
            client.query_one(sql, &[]).await.unwrap().get(0)
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let Some(schema) = self.pg_schema.take() else {
            return;
        };
        // Drop runs inside the test's runtime: clean up on a thread with its own.
        let url = database_url();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok((client, conn)) =
                    tokio_postgres::connect(&url, tokio_postgres::NoTls).await
                {
                    tokio::spawn(conn);
                    let _ = client
                        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .await;
                }
            });
        })
        .join();
    }
}

pub fn iso(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// [`Db::wait_unlocked`] for the store at `location` (`sqlite:PATH`, or a PostgreSQL URL
/// with `?schema=S` on the test database, as [`Store::location`] gives it).
pub async fn wait_unlocked_at(location: &str) {
    if let Some(path) = location.strip_prefix("sqlite:") {
        let lock = format!("{path}.lock");
        tokio::task::spawn_blocking(move || {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock)
                .unwrap();
            use rustix::fs::{flock, FlockOperation};
            flock(&f, FlockOperation::LockExclusive).unwrap();
            flock(&f, FlockOperation::Unlock).unwrap();
        })
        .await
        .unwrap();
    } else {
        let schema = location
            .split_once("schema=")
            .map(|(_, s)| s.split('&').next().unwrap_or(s))
            .unwrap_or_else(|| panic!("no schema in {location}"));
        let key = format!("7239, hashtext('{schema}')");
        pg_connect()
            .await
            .batch_execute(&format!(
                "SELECT pg_advisory_lock({key}); SELECT pg_advisory_unlock({key})"
            ))
            .await
            .unwrap();
    }
}

/// Runs one sync like a user rerunning after a `kill -9`: the killed process's PostgreSQL
/// session (and with it the store's advisory lock) ends only when the server notices the
/// closed connection, which may be a moment after the kill. So when the store answers
/// `Locked`, the sync waits for exactly that release ([`wait_unlocked_at`]) and runs once
/// more; any other outcome is returned.
pub async fn sync_once_unlocked(
    client: &zdkit::Client,
    store: &dyn Store,
    options: &zdkit_sync::SyncOptions,
    progress: &dyn zdkit_sync::engine::Progress,
) -> Result<zdkit_sync::SyncReport, zdkit_sync::SyncError> {
    let cancel = zdkit_sync::CancelToken::new();
    match zdkit_sync::sync(client, store, options, progress, &cancel).await {
        Err(zdkit_sync::SyncError::Preflight(StoreError::Locked { .. })) => {
            wait_unlocked_at(store.location()).await;
            zdkit_sync::sync(client, store, options, progress, &cancel).await
        }
        other => other,
    }
}

/// The simulator's ground truth of `table` as stamps comparable with the store's
/// (`GET /__sim/ground-truth/{kind}` answers `[id, updated_at, generated_timestamp, deleted]`).
pub async fn truth(client: &zdkit::Client, table: store::Table) -> Vec<store::RowStamp> {
    ground_truth(client, table.as_str())
        .await
        .iter()
        .map(|r| store::RowStamp {
            id: r[0].as_i64().unwrap(),
            updated_at: r[1].as_i64(),
            generated_timestamp: (table == store::Table::Tickets)
                .then(|| r[2].as_i64())
                .flatten(),
            deleted: r[3].as_bool().unwrap(),
        })
        .collect()
}

/// This test binary run again as a child process that runs only the ignored test `name`
/// (a crash test's child), with `env` set, its stdout piped (its lines tell the parent
/// where to kill it) and its stderr inherited (so that its panics show).
pub fn spawn_child(name: &str, env: &[(&str, String)]) -> std::process::Child {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args([
        name,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The simulator's ground truth of `kind` (`GET /__sim/ground-truth/{kind}`): its rows.
pub async fn ground_truth(client: &zdkit::Client, kind: &str) -> Vec<serde_json::Value> {
    let mut v: serde_json::Value = client
        .get(&format!("/__sim/ground-truth/{kind}"))
        .send()
        .await
        .unwrap()
        .json()
        .unwrap();
    match v[kind].take() {
        serde_json::Value::Array(rows) => rows,
        other => panic!("ground truth of {kind}: {other}"),
    }
}

/// A free loopback port (for a child process's simulator).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One comment of the simulator's ground truth (`GET /__sim/ground-truth/comments`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentTruth {
    pub id: i64,
    pub created_at: i64,
    pub ticket_id: i64,
    pub ticket_deleted: bool,
    pub ticket_archived: bool,
}

/// Every comment the simulator holds, ordered by id.
pub async fn comment_truth(client: &zdkit::Client) -> Vec<CommentTruth> {
    let mut out: Vec<CommentTruth> = ground_truth(client, "comments")
        .await
        .iter()
        .map(|r| CommentTruth {
            id: r[0].as_i64().unwrap(),
            created_at: r[1].as_i64().unwrap(),
            ticket_id: r[2].as_i64().unwrap(),
            ticket_deleted: r[3].as_bool().unwrap(),
            ticket_archived: r[4].as_bool().unwrap(),
        })
        .collect();
    out.sort_by_key(|c| c.id);
    out
}

/// The store's comments against the ground truth: every comment of a ticket not deleted,
/// and every comment created at or after `since`, is stored once with its `created_at`;
/// nothing else is stored but comments of deleted tickets (which the backfill's routes
/// need not carry). Returns how many comments of archived tickets were checked.
pub async fn assert_comments_exact(client: &zdkit::Client, store: &dyn Store, since: i64) -> usize {
    let truth = comment_truth(client).await;
    let got = store.ids_and_stamps(store::Table::Comments).await.unwrap();
    let by_id: std::collections::HashMap<i64, &CommentTruth> =
        truth.iter().map(|c| (c.id, c)).collect();
    for g in &got {
        let t = by_id
            .get(&g.id)
            .unwrap_or_else(|| panic!("stored comment {} is not in the truth", g.id));
        assert_eq!(g.updated_at, Some(t.created_at), "comment {}", g.id);
    }
    let want: Vec<&CommentTruth> = truth
        .iter()
        .filter(|c| !c.ticket_deleted || c.created_at >= since)
        .collect();
    let missing: Vec<_> = want
        .iter()
        .filter(|w| got.binary_search_by_key(&w.id, |g| g.id).is_err())
        .take(5)
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} comments missing, e.g. {missing:?}",
        want.iter()
            .filter(|w| got.binary_search_by_key(&w.id, |g| g.id).is_err())
            .count(),
        want.len()
    );
    want.iter().filter(|c| c.ticket_archived).count()
}

/// An in-process simulator of `tickets` tickets on an auto-advancing manual clock shared
/// with the returned client (export waits take no real time).
pub async fn start_sim(
    tickets: u64,
    start: Timestamp,
) -> (zdkit::Client, ManualClock, zdkit_sim::SimState) {
    serve_sim(zdkit_sim::SimConfig::with_tickets(tickets), start, 0, 8).await
}

/// A simulator of `config` on 127.0.0.1:`port` (0: any free one; a crash test's children
/// reuse one so that every child serves the same account), on an auto-advancing manual
/// clock from `start` shared with the returned client (admin API token; retries seeded,
/// at most `attempts`).
pub async fn serve_sim(
    config: zdkit_sim::SimConfig,
    start: Timestamp,
    port: u16,
    attempts: u32,
) -> (zdkit::Client, ManualClock, zdkit_sim::SimState) {
    let clock = ManualClock::auto_advancing(start);
    let state = zdkit_sim::SimState::new(zdkit_sim::SimConfig {
        clock: Some(clock.shared()),
        ..config
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(zdkit_sim::serve(listener, state.clone()));
    let client = zdkit::Client::builder()
        .base_url(url)
        .credentials(zdkit::Credentials::api_token(
            "admin@example.com",
            "zd-sim-token",
        ))
        .clock(clock.shared())
        .retry_policy(
            zdkit::RetryPolicy::default()
                .jitter_seed(7)
                .max_attempts(attempts),
        )
        .build()
        .unwrap();
    (client, clock, state)
}

/// The start of the engine and backfill tests' simulated accounts.
pub const SIM_T0: Timestamp = Timestamp::from_unix_secs(1_700_000_040);

/// A simulator ([`serve_sim`] from [`SIM_T0`]), its client and clock, and a fresh
/// database: what the engine and backfill tests share. Each test file adds its own
/// methods in an `impl Harness` of its own.
pub struct Harness {
    pub client: zdkit::Client,
    pub clock: ManualClock,
    pub state: zdkit_sim::SimState,
    pub db: Db,
}

impl Harness {
    pub async fn start(backend: Backend, config: zdkit_sim::SimConfig, attempts: u32) -> Harness {
        let (client, clock, state) = serve_sim(config, SIM_T0, 0, attempts).await;
        Harness {
            client,
            clock,
            state,
            db: Db::new(backend).await,
        }
    }

    /// One sync of `options` into `store`, which must succeed.
    pub async fn sync(
        &self,
        store: &dyn Store,
        options: &zdkit_sync::SyncOptions,
    ) -> zdkit_sync::SyncReport {
        zdkit_sync::sync(
            &self.client,
            store,
            options,
            &zdkit_sync::engine::NoProgress,
            &zdkit_sync::CancelToken::new(),
        )
        .await
        .unwrap()
    }
}

/// The simulator's own listing of ticket metric events: its whole export from the
/// beginning, as `(id, time)` sorted by id.
pub async fn metric_events_listing(client: &zdkit::Client) -> Vec<(i64, i64)> {
    use futures_util::TryStreamExt;
    let mut out: Vec<(i64, i64)> = client
        .incremental()
        .ticket_metric_events()
        .start_time(0)
        .stream()
        .map_ok(|e| {
            let id = i64::try_from(e.id.0).unwrap();
            (id, e.time.unwrap().unix_timestamp())
        })
        .try_collect()
        .await
        .unwrap();
    out.sort();
    out.dedup();
    out
}

/// The stored ticket metric events as `(id, time)` sorted by id.
pub async fn stored_metric_events(store: &dyn Store) -> Vec<(i64, i64)> {
    let f = store::FamilyStream::get("ticket_metric_events").unwrap();
    let mut out: Vec<(i64, i64)> = store
        .key_stamps(store::Table::Family(f))
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            assert!(!r.deleted, "{r:?}");
            (r.key.parse().unwrap(), r.updated_at.unwrap())
        })
        .collect();
    out.sort();
    out
}
