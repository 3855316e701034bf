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
//! * `data/*`   – records generated from `(seed, id)` plus an overlay of writes;
//!   `data/coll` is the generic store of the catalogue families (`zdkit_catalog`).
//! * `api/*`    – one module per Zendesk resource, each owning its `router()`.
//! * `admin`    – `/__sim/*`: health, reset, ground truth (and clock, faults, stats).
//! * [`hostile`] – the opposite of a simulator: a test server that answers any status,
//!   header, body, delay or link it is told to and records every request.
//! * `delivery` – webhook deliveries: signed ticket-event `POST`s from a background task.
//! * `wire`     – the connection under hyper: raw `>`/`<`/`"` in request lines, JSON 400s.
//!
//! # Accounts and credentials (defaults of [`SimConfig`])
//! * user 1 `admin@example.com` (admin); users 2–9 `agent1..8@example.com` (agents);
//!   user 10 `enduser@example.com` (end-user); users 11.. `customer{id}@example.com`
//!   (end-users, external id `ext-{id}`).
//! * `Basic base64("{any user's email}/token:zd-sim-token")`, with that user's role;
//!   `Bearer zd-sim-oauth` (admin); `Bearer zd-sim-oauth-readonly` (admin, writes 403);
//!   `Basic base64("{email}:{password}")` only when [`SimConfig::password`] is set.
//! * Groups 1–10, ticket fields 1–7 (system) and 8–15 (custom: text, textarea, checkbox,
//!   date, integer, decimal, tagger, multiselect), organizations `1..=organizations`.
//!
//! # Endpoints (each with or without `.json`)
//! Tickets: list (cursor `page[size]`/`page[after]`/`page[before]`/`sort`, offset
//! `page`/`per_page`/`sort_by`/`sort_order`, `external_id=`), show, show_many, count,
//! create (`Idempotency-Key`, `async=true`), update (`safe_update`), delete,
//! create_many, update_many, destroy_many, comments, audits;
//! `include=users,groups,organizations,comment_count`.
//! Users: list (`role`), show, me, show_many, search, create, update, create_or_update,
//! create_or_update_many. Organizations, groups, ticket fields: list, show. Incremental:
//! tickets (cursor and time), users (cursor and time), organizations, ticket_events.
//! Job statuses: show, show_many, list. Search, search/count, search/export. Every
//! generic family of `zdkit_catalog` (group and organization memberships, macros,
//! triggers, trigger categories, automations, views, user and organization fields, SLA
//! policies, ticket forms, brands, custom statuses and roles, locales, satisfaction
//! ratings, activities, identities, webhooks, phone numbers, schedules, …) with the
//! operations its row lists; tags, views' counts and tickets, macros' apply, account-wide
//! ticket audits, webhook signing secrets (`docs/design/simulator-catalogue.md`). Uploads and
//! attachments. Admin: `GET /__sim/health`, `POST /__sim/reset`,
//! `GET /__sim/ground-truth/{tickets|users|organizations|groups|ticket_fields}`
//! (`[id, updated_at, generated_timestamp, deleted, archived]` rows of every record ever
//! created), `GET /__sim/ground-truth/comments` (`[id, created_at, ticket_id,
//! ticket_deleted, ticket_archived]` of every comment). Quirks (archiving, search lag, …): [`Quirks`], `docs/design/simulator-quirks.md`.

mod admin;
mod api;
mod auth;
pub mod config;
mod control;
mod data;
mod delivery;
pub mod error;
mod extract;
pub mod faults;
pub mod hostile;
mod layers;
pub mod limits;
mod state;
pub mod stats;
mod truth_comments;
mod wire;

pub use config::{Quirks, SimConfig};
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

/// Serves [`app`] on `listener` until the task is dropped. Connections go through
/// `wire::Conn`, so request lines with raw `>`, `<`, `"` (as curl users type them) are
/// accepted and a request hyper cannot parse still gets a Zendesk-shaped JSON 400.
pub async fn serve(listener: tokio::net::TcpListener, state: SimState) -> std::io::Result<()> {
    axum::serve(wire::Listener(listener), app(state)).await
}
