//! A local Zendesk for tests, benchmarks and users' own integration tests.
//!
//! `app(state)` is the seam: serve it on a port (`zd sim`), or in-process on port 0 from a
//! test. Everything is deterministic from [`SimConfig::seed`], and all time is the virtual
//! time of the [`SimConfig::clock`].
//!
//! Module map (one concern each):
//! * `config`   – [`SimConfig`], plans, accounts and credentials.
//! * `state`    – [`SimState`]: data, clock, limiter, faults, stats behind one `Arc`.
//! * `limits`   – the per-plan layered rate limiter (pure state machine, time passed in).
//! * `faults`   – the seeded fault schedule.
//! * `layers`   – middleware: request id, faults, rate limits, stats, headers.
//! * `auth`     – credentials and permissions (runs inside the rate-limit layer).
//! * `error`    – one error enum rendering Zendesk-shaped bodies.
//! * `data/*`   – records generated from `(seed, id)` plus an overlay of writes.
//! * `api/*`    – one module per Zendesk resource, each owning its `router()`.
//! * `admin`    – `/__sim/*`: health, reset, ground truth (and clock, faults, stats).

mod admin;
mod api;
mod auth;
pub mod config;
mod control;
mod data;
pub mod error;
mod extract;
pub mod faults;
mod layers;
pub mod limits;
mod state;
pub mod stats;

pub use config::SimConfig;
pub use error::ApiError;
pub use state::SimState;

use axum::extract::Request;
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::Router;
use tower::ServiceExt;

/// The whole simulator as a router: the Zendesk API under `/api/v2` (with or without a
/// `.json` suffix) and the admin API under `/__sim`.
pub fn app(state: SimState) -> Router {
    let api = api::router()
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            layers::limits,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::layer,
        ));
    let inner = Router::new()
        .merge(api)
        .merge(admin::router())
        .fallback(|| async { ApiError::InvalidEndpoint.into_response() })
        .method_not_allowed_fallback(|| async { ApiError::InvalidEndpoint.into_response() });
    // Request ids, stats, faults and headers, outside auth (see `layers`).
    let inner = inner.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        layers::outer,
    ));
    let inner = inner.with_state(state);
    Router::new().fallback_service(inner.map_request(strip_json))
}

/// Routes `/api/v2/tickets.json` like `/api/v2/tickets`.
fn strip_json(mut req: Request) -> Request {
    let uri = req.uri();
    if let Some(stripped) = uri.path().strip_suffix(".json") {
        let pq = match uri.query() {
            Some(q) => format!("{stripped}?{q}"),
            None => stripped.to_string(),
        };
        let mut parts = uri.clone().into_parts();
        if let Ok(pq) = pq.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(new) = Uri::from_parts(parts) {
                *req.uri_mut() = new;
            }
        }
    }
    req
}

/// Serves [`app`] on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, state: SimState) -> std::io::Result<()> {
    axum::serve(listener, app(state)).await
}
