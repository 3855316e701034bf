//! Decode throughput of a 1,000-ticket cursor-based incremental export page with
//! sideloads (`include=users,groups,organizations`), ~1.3 MB.
//!
//! Run: `cargo bench -p zdkit --bench decode`. Prints MB/s (1 MB = 10^6 bytes) for the
//! typed page via `zdkit::models::decode`, plain `serde_json::from_slice`, and, for
//! reference, an untyped `serde_json::Value`.
//!
//! Then, for every typed catalogue family: a list page of 100 records built from the
//! records an in-process simulator serves for it (cycled, with fresh ids), decoded as the
//! family's `ListPage<T>` (`ZDKIT_BENCH_FAMILIES=0` skips this part).
#![allow(clippy::print_stdout, clippy::disallowed_methods)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use zdkit::models::*;
use zdkit::resources::Record;

include!("../tests/support/export_page.rs");

fn measure(name: &str, bytes: &[u8], mut f: impl FnMut(&[u8])) {
    // Warm up, then run for at least ~2 s and report the best of 5 rounds.
    for _ in 0..5 {
        f(bytes);
    }
    let mut best = f64::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < Duration::from_millis(400) {
            f(bytes);
            n += 1;
        }
        best = best.min(start.elapsed().as_secs_f64() / f64::from(n));
    }
    let mbps = bytes.len() as f64 / best / 1e6;
    println!("{name:<40} {:>8.3} ms/page {mbps:>8.1} MB/s", best * 1e3);
}

/// A page of 100 records of `T`'s family made from what the simulator serves.
fn family_page<T: Record>(client: &zdkit::Client, rt: &tokio::runtime::Runtime) -> Vec<u8> {
    let f = T::family();
    let path = match f.name {
        "identities" => "/api/v2/users/3/identities".to_owned(),
        _ => format!("/api/v2/{}", f.path),
    };
    let mut q: Vec<(&str, &str)> = vec![("per_page", "100")];
    if f.path.starts_with("incremental/") {
        q.push(("start_time", "0"));
    }
    let page: Value = rt
        .block_on(client.get(&path).query(&q).send())
        .expect("the simulator serves the family")
        .json()
        .expect("json");
    let seed = page[f.plural].as_array().expect("items").clone();
    assert!(!seed.is_empty(), "{}", f.name);
    let items: Vec<Value> = (0..100)
        .map(|i| {
            let mut r = seed[i % seed.len()].clone();
            let id = match &r["id"] {
                Value::String(_) => json!(format!("{}", 1000 + i)),
                _ => json!(1000 + i),
            };
            if f.name == "tags" {
                r["name"] = json!(format!("tag_{i}"));
            } else {
                r["id"] = id;
            }
            r
        })
        .collect();
    let body = json!({ f.plural: items, "next_page": null, "previous_page": null, "count": 100 });
    serde_json::to_vec(&body).unwrap()
}

/// `ZDKIT_BENCH_ITERS=N`: decode each page N times in [`decode_loop`] instead of timing
/// it, for an instruction count under callgrind (load-independent):
/// `valgrind --tool=callgrind --toggle-collect='*decode_loop*' target/release/deps/decode-*`
/// then `callgrind_annotate --inclusive=yes` lists `decode_loop<…>` per page type.
fn iterations() -> Option<u32> {
    std::env::var("ZDKIT_BENCH_ITERS").ok()?.parse().ok()
}

/// Decodes `bytes` as `P` `n` times (not inlined: callgrind collects inside it only).
#[inline(never)]
fn decode_loop<P: serde::de::DeserializeOwned>(bytes: &[u8], n: u32) {
    for _ in 0..n {
        let page: P = decode(bytes).expect("decodes");
        black_box(page);
    }
}

fn bench_family<T: Record>(client: &zdkit::Client, rt: &tokio::runtime::Runtime) {
    let bytes = family_page::<T>(client, rt);
    let name = format!("{} ({} B/page)", T::FAMILY, bytes.len());
    if let Some(n) = iterations() {
        decode_loop::<ListPage<T>>(&bytes, n);
        println!("{name}: decoded {n} times");
        return;
    }
    measure(&name, &bytes, |b| {
        let page: ListPage<T> = decode(b).expect("decodes");
        black_box(page);
    });
}

fn families() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let clock = zdkit::ManualClock::auto_advancing(zdkit::Timestamp::from_unix_secs(1_700_000_040))
        .shared();
    let state = zdkit_sim::SimState::new(zdkit_sim::SimConfig {
        clock: Some(clock.clone()),
        tickets: 200,
        ..zdkit_sim::SimConfig::default()
    });
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(zdkit_sim::serve(listener, state));
    let client = zdkit::Client::builder()
        .base_url(&url)
        .credentials(zdkit::Credentials::api_token(
            "admin@example.com",
            "zd-sim-token",
        ))
        .clock(clock)
        .build()
        .unwrap();
    println!("\nfamily list pages of 100 records (models::decode):");
    let c = &client;
    bench_family::<GroupMembership>(c, &rt);
    bench_family::<OrganizationMembership>(c, &rt);
    bench_family::<Macro>(c, &rt);
    bench_family::<View>(c, &rt);
    bench_family::<Trigger>(c, &rt);
    bench_family::<TriggerCategory>(c, &rt);
    bench_family::<Automation>(c, &rt);
    bench_family::<TicketForm>(c, &rt);
    bench_family::<Brand>(c, &rt);
    bench_family::<CustomStatus>(c, &rt);
    bench_family::<CustomRole>(c, &rt);
    bench_family::<Locale>(c, &rt);
    bench_family::<UserField>(c, &rt);
    bench_family::<OrganizationField>(c, &rt);
    bench_family::<SlaPolicy>(c, &rt);
    bench_family::<SatisfactionRating>(c, &rt);
    bench_family::<TicketMetric>(c, &rt);
    bench_family::<TicketMetricEvent>(c, &rt);
    bench_family::<Audit>(c, &rt);
    bench_family::<Activity>(c, &rt);
    bench_family::<Identity>(c, &rt);
    bench_family::<Tag>(c, &rt);
    bench_family::<Webhook>(c, &rt);
    bench_family::<SatisfactionReason>(c, &rt);
    bench_family::<DynamicContentItem>(c, &rt);
    bench_family::<RecipientAddress>(c, &rt);
    bench_family::<SharingAgreement>(c, &rt);
    bench_family::<Target>(c, &rt);
    bench_family::<PhoneNumber>(c, &rt);
    bench_family::<Schedule>(c, &rt);
    bench_family::<GroupSlaPolicy>(c, &rt);
}

fn main() {
    if std::env::var_os("ZDKIT_BENCH_FAMILIES").is_some_and(|v| v == "only") {
        return families();
    }
    let body = export_page_json(1000);
    println!("page: 1000 tickets + sideloads, {} bytes", body.len());
    let bytes = body.as_bytes();
    if let Some(n) = iterations() {
        decode_loop::<IncrementalCursorPage<Ticket>>(bytes, n);
        println!("tickets export page: decoded {n} times");
        return families();
    }
    measure("models::decode (typed page)", bytes, |b| {
        let page: IncrementalCursorPage<Ticket> = decode(b).expect("decodes");
        black_box(page);
    });
    if std::env::var_os("ZDKIT_BENCH_TYPED_ONLY").is_some() {
        return; // For profiling the typed decode alone.
    }
    measure("serde_json::from_slice (typed page)", bytes, |b| {
        let page: IncrementalCursorPage<Ticket> = serde_json::from_slice(b).expect("decodes");
        black_box(page);
    });
    measure("serde_json::from_slice::<Value>", bytes, |b| {
        let v: serde_json::Value = serde_json::from_slice(b).expect("decodes");
        black_box(v);
    });
    let page: IncrementalCursorPage<Ticket> = decode(bytes).expect("decodes");
    measure("serde_json::to_vec (typed page)", bytes, |_| {
        black_box(serde_json::to_vec(&page).expect("encodes"));
    });
    if std::env::var_os("ZDKIT_BENCH_FAMILIES").is_none_or(|v| v != "0") {
        families();
    }
}
