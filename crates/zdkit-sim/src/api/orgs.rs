//! Organizations, groups and ticket fields: list (cursor and offset) and show.

use super::paging::OnePage;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use super::paging;
use crate::data::table::{Generate, Table};
use crate::data::{Db, Seeds};
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, Q};
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/organizations", get(list_orgs))
        .route("/api/v2/organizations/{id}", get(show_org))
        .route("/api/v2/groups", get(list_groups))
        .route("/api/v2/groups/{id}", get(show_group))
        .route("/api/v2/ticket_fields", get(list_fields))
        .route("/api/v2/ticket_fields/{id}", get(show_field))
}

#[allow(clippy::too_many_arguments)]
fn list<T: Generate>(
    st: &SimState,
    base: &str,
    q: &Q,
    key: &str,
    tag: &str,
    table: impl Fn(&Db) -> &Table<T>,
    render: impl Fn(&T, &str) -> Value,
) -> Result<Response, ApiError> {
    let mode = paging::mode(q, "", 100)?;
    let (by, desc) = paging::sort_for(q, &mode, true)?;
    let tag = paging::tag(tag, by, desc);
    let mode = paging::mode(q, &tag, 100)?;
    let s: &Seeds = st.seeds();
    let db = st.read();
    let t = table(&db);
    let page = paging::page(t, s, mode, by, desc);
    let items: Vec<Value> = page
        .keys
        .iter()
        .filter_map(|k| t.get(s, k.1))
        .map(|r| render(&r, base))
        .collect();
    let path = format!("/api/v2/{key}");
    Ok(paging::finish(Obj::new().field(key, &items), &page, &tag, base, &path, q).ok())
}

fn show<T: Generate>(
    st: &SimState,
    id: u64,
    key: &str,
    table: impl Fn(&Db) -> &Table<T>,
    render: impl Fn(&T) -> Value,
) -> Result<Response, ApiError> {
    let db = st.read();
    let r = table(&db)
        .get(st.seeds(), id)
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Obj::new().field(key, &render(&r)).ok())
}

async fn list_orgs(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    list(
        &st,
        &base,
        &q,
        "organizations",
        "o",
        |db| &db.orgs,
        |o, b| o.to_json(b),
    )
}

async fn show_org(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
) -> Result<Response, ApiError> {
    show(
        &st,
        p.id(0)?,
        "organization",
        |db| &db.orgs,
        |o| o.to_json(&base),
    )
}

async fn list_groups(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    list(
        &st,
        &base,
        &q,
        "groups",
        "g",
        |db| &db.groups,
        |g, b| g.to_json(b),
    )
}

async fn show_group(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
) -> Result<Response, ApiError> {
    show(
        &st,
        p.id(0)?,
        "group",
        |db| &db.groups,
        |g| g.to_json(&base),
    )
}

async fn list_fields(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    if q.get("page[size]").is_some() || q.get("page").is_some() {
        return list(
            &st,
            &base,
            &q,
            "ticket_fields",
            "f",
            |db| &db.fields,
            |f, b| f.to_json(b),
        );
    }
    // Unpaginated by default: every field, ordered by position (= id here).
    let s = st.seeds();
    let db = st.read();
    let items: Vec<Value> = db
        .fields
        .ids_after(s, 0)
        .filter_map(|id| db.fields.get(s, id))
        .map(|f| f.to_json(&base))
        .collect();
    let n = items.len();
    Ok(Obj::new()
        .field("ticket_fields", &items)
        .one_page(n as u64)
        .ok())
}

async fn show_field(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
) -> Result<Response, ApiError> {
    show(
        &st,
        p.id(0)?,
        "ticket_field",
        |db| &db.fields,
        |f| f.to_json(&base),
    )
}
