//! Tags 250 tickets with one call: the update is split into jobs of at most 100, each job
//! is polled until it finishes, and per-record failures (closed or deleted tickets) are
//! reported.
//!
//! `cargo run -p zdkit --example bulk_update`
#![allow(clippy::print_stdout)]

#[path = "support/mod.rs"]
mod support;

use zdkit::models::{TicketId, TicketUpdate};

#[tokio::main]
async fn main() -> zdkit::Result<()> {
    let client = support::simulator(1_000).await;
    let updates: Vec<TicketUpdate> = (1..=250)
        .map(|id| TicketUpdate {
            id: Some(TicketId(id)),
            additional_tags: Some(vec!["reviewed".into()]),
            ..Default::default()
        })
        .collect();
    let jobs = client.tickets().update_many(&updates).await?;
    println!("{} updates → {} jobs", updates.len(), jobs.len());
    for (job, outcome) in jobs.iter().zip(zdkit::jobs::wait_all(&jobs).await?) {
        let failures: Vec<_> = outcome.failures().collect();
        println!(
            "job {}: {:?}, {} records, {} failed",
            job.id(),
            outcome.status.status,
            outcome.results().len(),
            failures.len()
        );
        for f in failures.iter().take(3) {
            println!(
                "  ticket {:?}: {} ({})",
                f.id,
                f.error.as_deref().unwrap_or("?"),
                f.details.as_deref().unwrap_or("")
            );
        }
    }
    Ok(())
}
