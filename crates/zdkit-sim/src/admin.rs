//! The admin API under `/__sim/` (no authentication): health, reset and ground truth.
//!
//! The clock, faults and stats handlers of the limits stream are added to [`router`].

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use futures_util::StreamExt;
use serde_json::json;

use crate::data::table::{Generate, Table};
use crate::data::{Db, Seeds};
use crate::error::{ApiError, Obj, JSON_CONTENT_TYPE};
use crate::extract::PathIds;
use crate::state::SimState;

/// Every `/__sim/*` route.
pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/__sim/health", get(health))
        .route("/__sim/reset", post(reset))
        .route("/__sim/ground-truth/{kind}", get(ground_truth))
        .merge(crate::truth_comments::router())
        .merge(crate::control::router())
}

async fn health(State(st): State<SimState>) -> Response {
    let now = st.now_secs();
    let db = st.read();
    Obj::new()
        .field("status", &"ok")
        .field("now", &now)
        .field(
            "live",
            &json!({
                "tickets": db.tickets.live_count(),
                "users": db.users.live_count(),
                "organizations": db.orgs.live_count(),
                "groups": db.groups.live_count(),
                "ticket_fields": db.fields.live_count(),
            }),
        )
        .ok()
}

/// `POST /__sim/reset`: drops every write, refills every rate-limit bucket, zeroes the
/// statistics and restarts the fault schedule (storm windows and per-client request
/// numbers), so a rerun replays the same run.
async fn reset(State(st): State<SimState>) -> Response {
    st.reset();
    st.limiter()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .reset();
    st.stats().reset();
    st.faults()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .restart(st.clock().now());
    Obj::new().field("reset", &true).ok()
}

/// Rows per streamed chunk.
const CHUNK: u64 = 20_000;

fn chunk<T: Generate>(
    t: &Table<T>,
    s: &Seeds,
    from: u64,
    to: u64,
    first: &mut bool,
    archived: &dyn Fn(u64) -> bool,
) -> String {
    let mut out = String::with_capacity(((to - from + 1) * 32) as usize);
    for id in from..=to {
        if let Some((updated, ts, deleted)) = t.truth(s, id) {
            if !*first {
                out.push(',');
            }
            *first = false;
            let archived = archived(id);
            out.push_str(&format!("[{id},{updated},{ts},{deleted},{archived}]"));
        }
    }
    out
}

fn stream<T: Generate + Send + 'static>(
    st: SimState,
    key: &'static str,
    table: fn(&Db) -> &Table<T>,
) -> Response {
    let max = table(&st.read()).max_id();
    let tickets = key == "tickets";
    let head = format!(
        "{{\"fields\":[\"id\",\"updated_at\",\"generated_timestamp\",\"deleted\",\"archived\"],\"{key}\":["
    );
    let mut first = true;
    let chunks = futures_util::stream::iter((0..max.div_ceil(CHUNK)).map(move |i| {
        let from = i * CHUNK + 1;
        let to = ((i + 1) * CHUNK).min(max);
        let db = st.read();
        let archived = |id: u64| tickets && st.is_archived(&db, id);
        let text = chunk(table(&db), st.seeds(), from, to, &mut first, &archived);
        Ok::<_, std::convert::Infallible>(text)
    }));
    let body = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(head) })
        .chain(chunks)
        .chain(futures_util::stream::once(async { Ok("]}".to_string()) }));
    let mut resp = Response::new(Body::from_stream(body));
    resp.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    resp
}

async fn ground_truth(State(st): State<SimState>, p: PathIds) -> Result<Response, ApiError> {
    match p.0.first().map(String::as_str) {
        Some("tickets") => Ok(stream(st, "tickets", |db| &db.tickets)),
        Some("users") => Ok(stream(st, "users", |db| &db.users)),
        Some("organizations") => Ok(stream(st, "organizations", |db| &db.orgs)),
        Some("groups") => Ok(stream(st, "groups", |db| &db.groups)),
        Some("ticket_fields") => Ok(stream(st, "ticket_fields", |db| &db.fields)),
        _ => Err(ApiError::InvalidEndpoint),
    }
}
