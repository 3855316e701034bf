//! `kill -9` a writer at an arbitrary moment, several times, then let it finish: the store
//! must always hold exactly the pages up to its checkpoint (no gap, no duplicate, no
//! half page), and the resumed writer must complete the data set exactly.
//!
//! The writer is this test binary re-run as a child (`crash_child`, ignored otherwise). It
//! writes two streams concurrently, so whenever it is killed one of them is usually inside
//! a transaction.

mod common;

use std::io::{BufRead, BufReader};
use std::sync::Arc;

use common::{Backend, Db, T0};
use serde_json::{json, Value};
use zdkit_sync::store::{self, Checkpoint, RowStamp, Store, Stream};

const CHILD_URL: &str = "ZD_CRASH_CHILD_URL";
const PAGES: i64 = 40;
const PAGE_SIZE: i64 = 500;
/// Each page also re-sends this many tickets of the previous page, newer.
const UPDATES: i64 = 50;

/// The streams the writer fills concurrently.
const STREAMS: [Stream; 2] = [Stream::Tickets, Stream::Users];

/// Page `p`: records `p*PAGE_SIZE+1 ..`, plus newer versions of the first `UPDATES`
/// records of page `p-1`. A record's version (`generated_timestamp` for tickets,
/// `updated_at` for both) is the page that last sent it.
fn page(stream: Stream, p: i64) -> Vec<Value> {
    let previous = (p - 1) * PAGE_SIZE + 1;
    let updates = if p > 0 { UPDATES } else { 0 };
    let ids = (p * PAGE_SIZE + 1..=(p + 1) * PAGE_SIZE).chain(previous..previous + updates);
    ids.map(|id| match stream {
        Stream::Tickets => json!({"id": id, "subject": format!("ticket {id}"), "status": "open",
            "generated_timestamp": T0 + p, "updated_at": common::iso(T0 + p)}),
        _ => json!({"id": id, "name": format!("user {id}"), "active": true,
            "updated_at": common::iso(T0 + p)}),
    })
    .collect()
}

/// What `stream`'s table must hold after pages `0..=last`.
fn expected(stream: Stream, last: i64) -> Vec<RowStamp> {
    (1..=(last + 1) * PAGE_SIZE)
        .map(|id| {
            let own = (id - 1) / PAGE_SIZE;
            let updated = own < last && (id - 1) % PAGE_SIZE < UPDATES;
            let p = if updated { own + 1 } else { own };
            let gts = (stream == Stream::Tickets).then_some(T0 + p);
            RowStamp {
                id,
                updated_at: Some(T0 + p),
                generated_timestamp: gts,
                deleted: false,
            }
        })
        .collect()
}

async fn last_page(s: &dyn Store, stream: Stream) -> Option<i64> {
    match s.load_checkpoint(stream).await.unwrap() {
        Some(Checkpoint::Export(zdkit::export::Checkpoint::Cursor(cursor))) => {
            Some(cursor.parse().unwrap())
        }
        None => None,
        Some(other) => panic!("unexpected checkpoint {other:?}"),
    }
}

/// Checks every stream holds exactly its checkpointed pages; returns the checkpoints.
async fn check(url: &str) -> Vec<Option<i64>> {
    let s = store::open(url).await.unwrap();
    let mut lasts = Vec::new();
    for stream in STREAMS {
        let last = last_page(&*s, stream).await;
        let stamps = s.ids_and_stamps(stream.table()).await.unwrap();
        let want = last.map_or_else(Vec::new, |l| expected(stream, l));
        assert_eq!(
            stamps.len(),
            want.len(),
            "{stream}: rows after checkpoint {last:?}"
        );
        assert!(
            stamps == want,
            "{stream}: rows differ from pages 0..={last:?}"
        );
        lasts.push(last);
    }
    lasts
}

/// The writer: for each stream, resumes after its checkpoint and applies pages until
/// `PAGES`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the crash tests run it as a child process"]
#[allow(clippy::print_stdout)]
async fn crash_child() {
    let Ok(url) = std::env::var(CHILD_URL) else {
        return;
    };
    let s: Arc<dyn Store> = store::open(&url).await.unwrap().into();
    let writers = STREAMS.map(|stream| {
        let s = Arc::clone(&s);
        tokio::spawn(async move {
            let start = last_page(&*s, stream).await.map_or(0, |p| p + 1);
            for p in start..PAGES {
                let cp = Checkpoint::Export(zdkit::export::Checkpoint::Cursor(p.to_string()));
                s.apply_page(stream, page(stream, p), cp).await.unwrap();
                println!("applied {stream} {p}");
            }
        })
    });
    for w in writers {
        w.await.unwrap();
    }
}

/// Runs the writer; kills it (SIGKILL) once it reports `kill_after` more pages, or lets
/// it finish if `None`.
fn run_child(url: &str, kill_after: Option<usize>) {
    let mut child = common::spawn_child("crash_child", &[(CHILD_URL, url.to_owned())]);
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut applied = 0;
    let mut killed = false;
    for line in lines {
        if line.unwrap().starts_with("applied ") {
            applied += 1;
            if Some(applied) == kill_after {
                // The other stream is usually inside a transaction, this one about to be.
                child.kill().unwrap();
                killed = true;
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    match kill_after {
        Some(n) => assert!(killed, "writer exited ({status}) before applying {n} pages"),
        None => assert!(status.success(), "writer failed: {status}"),
    }
}

async fn killed_writers_resume_exactly(b: Backend) {
    let db = Db::new(b).await;
    drop(db.open().await); // create the schema up front
    let url = db.url.clone();
    let mut previous = check(&url).await;
    for kill_after in [1, 3, 2, 5, 1, 4, 2, 3] {
        let u = url.clone();
        tokio::task::spawn_blocking(move || run_child(&u, Some(kill_after)))
            .await
            .unwrap();
        let lasts = check(&url).await;
        // Checkpoints never go back, and the killed run committed at least one page.
        assert!(
            lasts.iter().zip(&previous).all(|(l, p)| l >= p),
            "{previous:?} → {lasts:?}"
        );
        assert!(lasts != previous, "no progress: {lasts:?}");
        previous = lasts;
    }
    let u = url.clone();
    tokio::task::spawn_blocking(move || run_child(&u, None))
        .await
        .unwrap();
    assert_eq!(check(&url).await, [Some(PAGES - 1); 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_killed_writers_resume_exactly() {
    killed_writers_resume_exactly(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_writers_resume_exactly() {
    killed_writers_resume_exactly(Backend::Postgres).await;
}
