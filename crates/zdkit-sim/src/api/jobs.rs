//! Job statuses: show, show_many, list (cursor, newest first).

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use super::paging::{self, Mode};
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, Q};
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/job_statuses", get(list))
        .route("/api/v2/job_statuses/show_many", get(show_many))
        .route("/api/v2/job_statuses/{id}", get(show))
}

async fn show(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
) -> Result<Response, ApiError> {
    let id = p.0.first().cloned().unwrap_or_default();
    let now = st.now_ms();
    let db = st.read();
    let job = db
        .jobs
        .list
        .iter()
        .find(|j| j.id == id)
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Obj::new()
        .field("job_status", &job.to_json(&base, now))
        .ok())
}

async fn show_many(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let ids: Vec<String> = q
        .get("ids")
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let now = st.now_ms();
    let db = st.read();
    let out: Vec<Value> = ids
        .iter()
        .filter_map(|id| db.jobs.list.iter().find(|j| &j.id == id))
        .map(|j| j.to_json(&base, now))
        .collect();
    Ok(Obj::new().field("job_statuses", &out).ok())
}

async fn list(State(st): State<SimState>, Base(base): Base, q: Q) -> Result<Response, ApiError> {
    let mode = if q.get("page[size]").is_some() {
        paging::mode(&q, "j", 100)?
    } else {
        Mode::Cursor {
            size: 100,
            after: None,
            before: None,
        }
    };
    let now = st.now_ms();
    let db = st.read();
    // Keys are positions in the append-only, oldest-first list, so cursors stay valid as
    // new jobs arrive; pages run newest first.
    let items: Vec<Value> = db.jobs.list.iter().map(|j| j.to_json(&base, now)).collect();
    let page = paging::vec_page(items.len(), mode, true);
    let out: Vec<&Value> = page
        .keys
        .iter()
        .filter_map(|k| items.get(k.1 as usize))
        .collect();
    Ok(paging::finish(
        Obj::new().field("job_statuses", &out),
        &page,
        "j",
        &base,
        "/api/v2/job_statuses",
        &q,
    )
    .ok())
}
