//! Shared by the examples: an in-process simulator and a client on the same simulated
//! clock (an auto-advancing manual clock, so rate-limit waits and job polling take no
//! real time).

use zdkit::{Client, Credentials, ManualClock, SharedClock, Timestamp};
use zdkit_sim::{SimConfig, SimState};

/// Starts a simulator with `tickets` tickets on 127.0.0.1 (a free port) and returns a
/// client for it, authenticated as the simulator's admin.
pub async fn simulator(tickets: u64) -> Client {
    let clock: SharedClock =
        ManualClock::auto_advancing(Timestamp::from_unix_secs(1_700_000_000)).shared();
    let state = SimState::new(SimConfig {
        clock: Some(clock.clone()),
        ..SimConfig::with_tickets(tickets)
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local port");
    let url = format!("http://{}", listener.local_addr().expect("local address"));
    tokio::spawn(zdkit_sim::serve(listener, state));
    Client::builder()
        .base_url(url)
        .credentials(Credentials::api_token("admin@example.com", "zd-sim-token"))
        .clock(clock)
        .build()
        .expect("a valid client")
}
