//! Ticket reads: list, count, show, show_many.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::json;

use super::paging;
use super::tickets_with_sideloads;
use crate::data::gen::iso;
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, Q};
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/tickets", get(list))
        .route("/api/v2/tickets/count", get(count))
        .route("/api/v2/tickets/show_many", get(show_many))
        .route("/api/v2/tickets/{id}", get(show))
}

async fn list(State(st): State<SimState>, Base(base): Base, q: Q) -> Result<Response, ApiError> {
    let mode = paging::mode(&q, "", 100)?;
    let (by, desc) = paging::sort_for(&q, &mode, true)?;
    let tag = paging::tag("t", by, desc);
    let mode = paging::mode(&q, &tag, 100)?;
    let s = st.seeds();
    let db = st.read();
    let page = paging::page(&db.tickets, s, mode, by, desc);
    let list: Vec<_> = page
        .keys
        .iter()
        .filter_map(|k| db.tickets.get(s, k.1))
        .collect();
    let obj = tickets_with_sideloads(Obj::new(), "tickets", &db, s, &base, &list, &q.includes());
    Ok(paging::finish(obj, &page, &tag, &base, "/api/v2/tickets", &q).ok())
}

async fn count(State(st): State<SimState>) -> Response {
    let n = st.read().tickets.live_count();
    Obj::new()
        .field(
            "count",
            &json!({"value": n, "refreshed_at": iso(st.now_secs())}),
        )
        .ok()
}

async fn show(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
    q: Q,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let s = st.seeds();
    let db = st.read();
    let t = db.tickets.get(s, id).ok_or(ApiError::RecordNotFound)?;
    let inc = q.includes();
    let cc = inc.iter().any(|i| i == "comment_count");
    let obj = Obj::new().field(
        "ticket",
        &crate::data::tickets::TicketOut {
            t: &t,
            base: &base,
            comment_count: cc,
        },
    );
    Ok(super::sideloads(obj, &db, s, &base, std::slice::from_ref(&t), &inc).ok())
}

async fn show_many(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let ids = q.ids("ids")?.unwrap_or_default();
    if ids.len() > 100 {
        return Err(ApiError::BadRequest {
            error: "TooManyValues".to_string(),
            description: "show_many accepts at most 100 ids".to_string(),
        });
    }
    let s = st.seeds();
    let db = st.read();
    let list: Vec<_> = ids.iter().filter_map(|&id| db.tickets.get(s, id)).collect();
    let obj = tickets_with_sideloads(Obj::new(), "tickets", &db, s, &base, &list, &q.includes());
    Ok(obj
        .field("next_page", &None::<String>)
        .field("previous_page", &None::<String>)
        .field("count", &list.len())
        .ok())
}
