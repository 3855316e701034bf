//! Progress that tells the truth about waiting: on a manual clock (requests take no
//! time) a ticket export of 100-record pages runs into the 10/min export limit, so every
//! page after the first waits; each wait is reported with its bucket and rate, and each
//! page with the pages left and an ETA at that rate.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::{Backend, Db};
use zdkit_sync::engine::{sync, CancelToken, ProgressEvent, StreamPace, SyncOptions};
use zdkit_sync::store::Stream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waits_name_their_bucket_and_pages_give_an_eta() {
    let (client, _clock, _state) =
        common::start_sim(1_500, zdkit::Timestamp::from_unix_secs(1_700_000_040)).await;
    let db = Db::new(Backend::Sqlite).await;
    let store = db.open().await;
    let waits: Mutex<Vec<(String, Duration, Option<Duration>)>> = Mutex::default();
    let pages: Mutex<Vec<StreamPace>> = Mutex::default();
    let progress = |e: &ProgressEvent<'_>| match e {
        ProgressEvent::Waiting {
            stream: Stream::Tickets,
            wait,
            pace,
            ..
        } => {
            assert_eq!(pace.waiting, Some(wait.wait));
            waits
                .lock()
                .unwrap()
                .push((wait.bucket.clone(), wait.wait, wait.interval()));
        }
        ProgressEvent::PageWritten {
            stream: Stream::Tickets,
            pace,
            ..
        } => pages.lock().unwrap().push((*pace).clone()),
        _ => {}
    };
    let options = SyncOptions {
        streams: vec![Stream::Tickets],
        per_page: 100,
        ..SyncOptions::default()
    };
    let r = sync(&client, &*store, &options, &progress, &CancelToken::new())
        .await
        .unwrap();
    let report = &r.streams[0];
    assert!(report.complete && report.pages >= 15, "{report:?}");
    let waits = waits.into_inner().unwrap();
    assert!(waits.len() >= 3, "{waits:?}");
    for (bucket, wait, interval) in &waits {
        assert_eq!(bucket, "incremental-exports");
        assert!(*wait > Duration::ZERO);
        assert_eq!(*interval, Some(Duration::from_secs(6)));
    }
    assert_eq!(report.waited_on.as_deref(), Some("incremental-exports"));
    let total: Duration = waits.iter().map(|w| w.1).sum();
    assert_eq!(report.waited, total);
    let pages = pages.into_inner().unwrap();
    // From the second page on: pages left, and an ETA of at least 6 s a page.
    for p in &pages[1..pages.len() - 1] {
        let left = p.pages_left.expect("pages left");
        assert!(left >= 1);
        assert!(p.eta_secs.unwrap() >= left * 6, "{p:?}");
        let b = p.bucket.as_ref().unwrap();
        assert_eq!(
            (b.bucket.as_str(), b.per_minute()),
            ("incremental-exports", Some(10.0))
        );
    }
    let last = pages.last().unwrap();
    assert!(last.waited > Duration::ZERO && last.records_per_sec.unwrap() > 0.0);
    // The estimate closes in: the pages left only go down, and end at 0.
    let lefts: Vec<u64> = pages[1..].iter().map(|p| p.pages_left.unwrap()).collect();
    assert_eq!(lefts.last(), Some(&0));
    assert_eq!(pages.last().unwrap().eta_secs, Some(0));
}
