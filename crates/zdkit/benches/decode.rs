//! Decode throughput of a 1,000-ticket cursor-based incremental export page with
//! sideloads (`include=users,groups,organizations`), ~1.3 MB.
//!
//! Run: `cargo bench -p zdkit --bench decode`. Prints MB/s (1 MB = 10^6 bytes) for the
//! typed page via `zdkit::models::decode`, plain `serde_json::from_slice`, and, for
//! reference, an untyped `serde_json::Value`.
#![allow(clippy::print_stdout, clippy::disallowed_methods)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use zdkit::models::{decode, IncrementalCursorPage, Ticket};

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

fn main() {
    let body = export_page_json(1000);
    println!("page: 1000 tickets + sideloads, {} bytes", body.len());
    let bytes = body.as_bytes();
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
}
