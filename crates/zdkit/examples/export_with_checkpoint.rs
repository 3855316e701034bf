//! Runs an incremental ticket export, "crashes" after three pages, persists the
//! checkpoint as JSON, and resumes from it: no record is missed or repeated.
//!
//! `cargo run -p zdkit --example export_with_checkpoint`
#![allow(clippy::print_stdout)]

#[path = "support/mod.rs"]
mod support;

use std::collections::HashSet;

use futures_util::TryStreamExt;
use zdkit::export::Checkpoint;
use zdkit::models::SideloadName;

#[tokio::main]
async fn main() -> zdkit::Result<()> {
    let client = support::simulator(2_000).await;
    let mut seen = HashSet::new();

    // First run: interrupted after three pages.
    let saved: String = {
        let mut pages = client
            .incremental()
            .tickets()
            .start_time(0)
            .per_page(250)
            .include(&[SideloadName::Users])
            .stream_pages();
        let mut checkpoint = None;
        for _ in 0..3 {
            let Some(page) = pages.try_next().await? else {
                break;
            };
            seen.extend(page.items.iter().map(|t| t.id));
            println!(
                "page: {} tickets, {} users sideloaded, checkpoint {:?}",
                page.items.len(),
                page.sideloads.users.as_ref().map_or(0, Vec::len),
                page.checkpoint
            );
            checkpoint = Some(page.checkpoint);
        }
        serde_json::to_string(&checkpoint).expect("a checkpoint serializes")
    };
    println!("interrupted; stored checkpoint {saved}");

    // Second run: resume from the stored checkpoint.
    let checkpoint: Option<Checkpoint> = serde_json::from_str(&saved).expect("stored checkpoint");
    let request = client.incremental().tickets().per_page(250);
    let request = match checkpoint {
        Some(cp) => request.resume(cp),
        None => request.start_time(0),
    };
    let mut pages = request.stream_pages();
    let mut repeated = 0;
    let mut next_poll = None;
    while let Some(page) = pages.try_next().await? {
        for t in &page.items {
            if !seen.insert(t.id) {
                repeated += 1;
            }
        }
        if page.end_of_stream {
            next_poll = Some(page.checkpoint);
        }
    }
    println!("exported {} tickets, {repeated} repeated", seen.len());
    println!("next scheduled export resumes from {next_poll:?}");
    Ok(())
}
