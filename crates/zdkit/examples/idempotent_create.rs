//! Creates a ticket with an `Idempotency-Key`, then sends the same create again (as a
//! retry after a lost answer would): Zendesk replays the first result instead of creating
//! a second ticket. Then creates a user, or gets the existing one.
//!
//! `cargo run -p zdkit --example idempotent_create`
#![allow(clippy::print_stdout)]

#[path = "support/mod.rs"]
mod support;

use zdkit::models::{NewComment, NewTicket, NewUser};

#[tokio::main]
async fn main() -> zdkit::Result<()> {
    let client = support::simulator(100).await;
    let ticket = NewTicket::new("Printer on fire", NewComment::text("Smoke everywhere."));
    let key = zdkit::resources::tickets::new_idempotency_key();
    let first = client
        .tickets()
        .create(ticket.clone())
        .idempotency_key(key.clone())
        .send()
        .await?;
    println!(
        "created ticket {} (key {key}, replayed: {})",
        first.value.item.id, first.idempotency_hit
    );
    let again = client
        .tickets()
        .create(ticket)
        .idempotency_key(key)
        .send()
        .await?;
    println!(
        "same key again → ticket {} (replayed: {})",
        again.value.item.id, again.idempotency_hit
    );
    assert_eq!(first.value.item.id, again.value.item.id);

    let user = NewUser::new("Jo Doe", "jo.doe@example.com");
    let a = client.users().create_or_get(&user).await?;
    let b = client.users().create_or_get(&user).await?;
    println!(
        "user {} (created: {}), then {} (created: {})",
        a.user.id, a.created, b.user.id, b.created
    );
    Ok(())
}
