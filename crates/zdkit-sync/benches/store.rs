//! Store throughput: 100 pages of 1000 synthetic tickets into each backend (inserts), then
//! the same tickets again with a newer `generated_timestamp` (updates). Prints records/s.
//!
//! `cargo bench -p zdkit-sync --bench store [-- sqlite|postgres]` (PostgreSQL from `DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`, in a scratch schema dropped afterwards).
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use std::time::Instant;

use serde_json::{json, Value};
use zdkit_sync::store::{self, Checkpoint, Store, Stream, Table};

const PAGES: i64 = 100;
const PAGE_SIZE: i64 = 1000;
const T0: i64 = 1_700_000_000;

fn iso(secs: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).expect("valid time");
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("formattable")
}

/// A ticket shaped like Zendesk's (about 1.5 KB of JSON).
fn ticket(id: i64, gts: i64) -> Value {
    json!({
        "id": id, "url": format!("https://acme.zendesk.com/api/v2/tickets/{id}.json"),
        "external_id": format!("crm-{id}"), "type": "incident",
        "subject": format!("Printer {id} on fire"), "raw_subject": format!("Printer {id} on fire"),
        "description": "Smoke everywhere. The printer in room 4 caught fire again after the update.",
        "priority": "high", "status": if id % 50 == 0 { "deleted" } else { "open" },
        "custom_status_id": 123, "recipient": null, "requester_id": 20_978_392 + id % 1000,
        "submitter_id": 76_872, "assignee_id": 235_323, "organization_id": 509_974, "group_id": 98_738,
        "collaborator_ids": [], "follower_ids": [], "email_cc_ids": [], "forum_topic_id": null,
        "problem_id": null, "has_incidents": false, "is_public": true, "due_at": null,
        "tags": ["hardware", "printer", "fire"],
        "custom_fields": [{"id": 27_642, "value": "745"}, {"id": 27_648, "value": true}],
        "satisfaction_rating": null, "sharing_agreement_ids": [], "followup_ids": [],
        "ticket_form_id": null, "brand_id": 1, "allow_channelback": false,
        "allow_attachments": true, "from_messaging_channel": false,
        "generated_timestamp": gts,
        "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": null}},
        "created_at": iso(T0 - 86_400 + id), "updated_at": iso(gts - 100_000 + id)
    })
}

fn pages(gts: i64) -> Vec<Vec<Value>> {
    (0..PAGES)
        .map(|p| {
            (0..PAGE_SIZE)
                .map(|i| ticket(p * PAGE_SIZE + i + 1, gts))
                .collect()
        })
        .collect()
}

/// CPU seconds (user + system) this process used so far; Linux only. Other processes on
/// a busy machine slow the wall clock, not this.
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ is 100 on Linux
}

#[allow(clippy::disallowed_methods)] // wall time is what a benchmark measures
async fn run(name: &str, store: &dyn Store) {
    for (pass, gts) in [("insert", T0), ("update", T0 + 1)] {
        let pages = pages(gts);
        let cpu_start = cpu_secs();
        let start = Instant::now();
        for (i, page) in pages.into_iter().enumerate() {
            let cp = Checkpoint::Export(zdkit::export::Checkpoint::Cursor(format!("{pass}-{i}")));
            store
                .apply_page(Stream::Tickets, page, cp)
                .await
                .expect("apply_page");
        }
        let secs = start.elapsed().as_secs_f64();
        let n = (PAGES * PAGE_SIZE) as f64;
        let cpu = match (cpu_start, cpu_secs()) {
            (Some(a), Some(b)) => format!(
                "; client CPU {:.2} s = {:>7.0} tickets/CPU-s",
                b - a,
                n / (b - a)
            ),
            _ => String::new(),
        };
        println!(
            "{name:<10} {pass:<6} {n:>7} tickets in {secs:6.2} s = {:>7.0} tickets/s{cpu}",
            n / secs
        );
    }
    assert_eq!(
        store.count(Table::Tickets).await.expect("count"),
        (PAGES * PAGE_SIZE) as u64
    );
}

#[tokio::main]
async fn main() {
    // `cargo bench ... -- sqlite` runs one backend; cargo itself passes `--bench`.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    if wanted("sqlite") {
        sqlite().await;
    }
    if wanted("postgres") {
        postgres().await;
    }
}

async fn sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bench.db");
    let sqlite = store::open(&format!("sqlite:{}", path.display()))
        .await
        .expect("open sqlite");
    run("sqlite", &*sqlite).await;
    drop(sqlite);
}

async fn postgres() {
    let base = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let schema = format!("zd_bench_{}", std::process::id());
    let sep = if base.contains('?') { '&' } else { '?' };
    match store::open(&format!("{base}{sep}schema={schema}")).await {
        Ok(pg) => {
            run("postgres", &*pg).await;
            drop(pg);
            if let Ok((client, conn)) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await
            {
                tokio::spawn(conn);
                let _ = client
                    .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
                    .await;
            }
        }
        Err(e) => eprintln!("postgres: skipped: {e}"),
    }
}
