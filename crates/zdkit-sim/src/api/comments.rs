//! Ticket comments and audits (cursor and offset pagination).

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use super::paging::{self, Mode};
use crate::data::comments::Audit;
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, Q};
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/tickets/{id}/comments", get(comments))
        .route("/api/v2/tickets/{id}/audits", get(audits))
}

fn descending(q: &Q, mode: &Mode) -> Result<bool, ApiError> {
    let v = match mode {
        Mode::Cursor { .. } => q.get("sort").unwrap_or("created_at"),
        Mode::Offset { .. } => {
            if super::paging::sort_order(q)? {
                "-created_at"
            } else {
                "created_at"
            }
        }
    };
    match v {
        "created_at" | "id" => Ok(false),
        "-created_at" | "-id" => Ok(true),
        other => Err(ApiError::InvalidPaginationParameter(format!(
            "sort={other} is not supported"
        ))),
    }
}

fn load(st: &SimState, id: u64) -> Result<Vec<Audit>, ApiError> {
    let s = st.seeds();
    let db = st.read();
    let t = db.tickets.get(s, id).ok_or(ApiError::RecordNotFound)?;
    Ok(db.ticket_audits(s, &t))
}

/// A page of `items` under `key`, with `include=users` sideloading the `author_id`s.
fn respond(
    st: &SimState,
    key: &str,
    items: Vec<Value>,
    q: Q,
    base: &str,
    tag: &str,
    path: &str,
) -> Result<Response, ApiError> {
    let mode = paging::mode(&q, "", 100)?;
    let desc = descending(&q, &mode)?;
    let tag = format!("{tag}{}", if desc { "d" } else { "a" });
    let mode = paging::mode(&q, &tag, 100)?;
    let page = paging::vec_page(items.len(), mode, desc);
    let out: Vec<&Value> = page
        .keys
        .iter()
        .filter_map(|k| items.get(k.1 as usize))
        .collect();
    let mut obj = Obj::new().field(key, &out);
    if q.includes().iter().any(|i| i == "users") {
        let ids: std::collections::BTreeSet<u64> =
            out.iter().filter_map(|v| v["author_id"].as_u64()).collect();
        let db = st.read();
        let users: Vec<Value> = ids
            .into_iter()
            .filter_map(|id| db.users.get(st.seeds(), id))
            .map(|u| u.to_json(base))
            .collect();
        obj = obj.field("users", &users);
    }
    Ok(paging::finish(obj, &page, &tag, base, path, &q).ok())
}

async fn comments(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
    q: Q,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let items: Vec<Value> = load(&st, id)?
        .iter()
        .filter_map(|a| a.comment.as_ref().map(|c| c.to_json(a.id, &base)))
        .collect();
    let path = format!("/api/v2/tickets/{id}/comments");
    respond(&st, "comments", items, q, &base, &format!("c{id}"), &path)
}

async fn audits(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
    q: Q,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let items: Vec<Value> = load(&st, id)?.iter().map(|a| a.to_json(&base)).collect();
    let path = format!("/api/v2/tickets/{id}/audits");
    respond(&st, "audits", items, q, &base, &format!("a{id}"), &path)
}
