//! Streams every ticket page by page with users, groups and organizations sideloaded, and
//! resolves each ticket's requester, group and organization from the page's sideloads.
//!
//! `cargo run -p zdkit --example list_with_sideloads`
#![allow(clippy::print_stdout)]

#[path = "support/mod.rs"]
mod support;

use futures_util::TryStreamExt;
use zdkit::models::SideloadName;

#[tokio::main]
async fn main() -> zdkit::Result<()> {
    let client = support::simulator(500).await;
    let mut pages = client
        .tickets()
        .list()
        .sort("-updated_at")
        .page_size(100)
        .include(&[
            SideloadName::Users,
            SideloadName::Groups,
            SideloadName::Organizations,
        ])
        .pages();
    let (mut n_pages, mut n_tickets) = (0, 0);
    while let Some(page) = pages.try_next().await? {
        n_pages += 1;
        n_tickets += page.items.len();
        if n_pages == 1 {
            for t in page.items.iter().take(5) {
                let requester = t
                    .requester_id
                    .and_then(|id| page.sideloads.user(id))
                    .and_then(|u| u.name.as_deref())
                    .unwrap_or("?");
                let group = t
                    .group_id
                    .and_then(|id| page.sideloads.group(id))
                    .and_then(|g| g.name.as_deref())
                    .unwrap_or("-");
                let org = t
                    .organization_id
                    .and_then(|id| page.sideloads.organization(id))
                    .and_then(|o| o.name.as_deref())
                    .unwrap_or("-");
                println!(
                    "#{:<5} {:<40} requester: {requester:<24} group: {group:<12} org: {org}",
                    t.id,
                    t.subject.as_deref().unwrap_or("")
                );
            }
        }
    }
    println!("{n_tickets} tickets in {n_pages} pages");
    let stats = client.stats();
    println!(
        "{} requests, {} retries, waited {:?} for rate-limit budget",
        stats.requests,
        stats.retries,
        stats.budget_wait()
    );
    Ok(())
}
