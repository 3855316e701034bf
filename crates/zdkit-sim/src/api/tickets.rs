//! Ticket reads: list, count, show, show_many.

use super::paging::OnePage;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::json;

use super::paging::{self, SortBy};
use super::tickets_with_sideloads;
use crate::data::gen::iso;
use crate::data::tickets::{Ticket, STATUSES};
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
    if let Some(ext) = q.get("external_id") {
        return Ok(by_external_id(&st, &base, &q, ext));
    }
    let mode = paging::mode(&q, "", 100)?;
    let (field, desc) = sort_field(&q, &mode)?;
    let by = match field.as_str() {
        "id" => Some(SortBy::Id),
        "updated_at" => Some(SortBy::UpdatedAt),
        "created_at" | "status" | "assignee" | "group" | "requester" => None,
        other => {
            return Err(ApiError::InvalidPaginationParameter(format!(
                "sorting tickets by {other} is not supported by the simulator"
            )))
        }
    };
    let tag = match by {
        Some(by) => paging::tag("t", by, desc),
        None => format!("ts{field}{}", if desc { "d" } else { "a" }),
    };
    let mode = paging::mode(&q, &tag, 100)?;
    let s = st.seeds();
    let db = st.read();
    // Archived tickets are not listed (Zendesk: "Archived tickets are not included").
    let keep = |id: u64| !st.is_archived(&db, id);
    let page = match by {
        Some(by) => {
            let count = matches!(mode, paging::Mode::Offset { .. }).then(|| {
                let archived = (1..=db.tickets.max_id())
                    .filter(|&id| st.is_archived(&db, id))
                    .count() as u64;
                db.tickets.live_count().saturating_sub(archived)
            });
            paging::page_where(&db.tickets, s, mode, by, desc, &keep, count)
        }
        None => {
            // Other fields: sort every live ticket's (value, id) key. Linear, but offset
            // pages stop at 10,000 records and this is the simulator.
            let mut keys: Vec<paging::Key> = (1..=db.tickets.max_id())
                .filter(|&id| keep(id))
                .filter_map(|id| {
                    db.tickets
                        .get_with(s, id, crate::data::tickets::generate_light)
                })
                .map(|t| (sort_value(&t, &field), t.id))
                .collect();
            keys.sort_unstable();
            paging::keys_page(&keys, mode, desc)
        }
    };
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
    let obj = super::ticket_with_sideloads(Obj::new(), &db, s, &base, &t, &inc);
    Ok(obj.ok())
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
    Ok(obj.one_page(list.len() as u64).ok())
}

/// `GET /tickets?external_id=`: every live ticket with that external id (not unique), in
/// one page.
fn by_external_id(st: &SimState, base: &str, q: &Q, ext: &str) -> Response {
    let s = st.seeds();
    let db = st.read();
    let list: Vec<_> = (1..=db.tickets.max_id())
        .filter_map(|id| {
            db.tickets
                .get_with(s, id, crate::data::tickets::generate_light)
        })
        .filter(|t| t.external_id.as_deref() == Some(ext))
        .filter_map(|t| db.tickets.get(s, t.id))
        .collect();
    let n = list.len();
    tickets_with_sideloads(Obj::new(), "tickets", &db, s, base, &list, &q.includes())
        .one_page(n as u64)
        .ok()
}

/// The sort field and direction: `sort=[-]field` (cursor) or `sort_by`/`sort_order`
/// (offset).
fn sort_field(q: &Q, mode: &paging::Mode) -> Result<(String, bool), ApiError> {
    match mode {
        paging::Mode::Cursor { .. } => {
            let s = q.get("sort").unwrap_or("id");
            Ok(match s.strip_prefix('-') {
                Some(f) => (f.to_string(), true),
                None => (s.to_string(), false),
            })
        }
        paging::Mode::Offset { .. } => {
            let desc = paging::sort_order(q)?;
            Ok((q.get("sort_by").unwrap_or("id").to_string(), desc))
        }
    }
}

/// The value a ticket sorts by (nulls first).
fn sort_value(t: &Ticket, field: &str) -> u64 {
    match field {
        "created_at" => t.created_at,
        "status" => STATUSES.iter().position(|s| *s == t.status).unwrap_or(0) as u64,
        "assignee" => t.assignee_id.unwrap_or(0),
        "group" => t.group_id.unwrap_or(0),
        _ => t.requester_id,
    }
}
