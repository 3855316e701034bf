//! Tags: the account's tag list with counts (`GET /api/v2/tags`, `tags/count`,
//! `autocomplete/tags`) and the tags of one ticket, user or organization
//! (`GET`/`POST` set/`PUT` add/`DELETE` remove on `{tickets|users|organizations}/{id}/tags`).
//! Counts are over live tickets: the generated ones (counted once, on first use) adjusted
//! by every written ticket.

use super::paging::OnePage;
use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::generic_list::{self as gl, Paging};
use crate::auth::Caller;
use crate::data::gen::iso;
use crate::data::tickets::generate_light;
use crate::data::{user_writes, writes, Db, Seeds};
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, ZJson, Q};
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/tags", get(list))
        .route("/api/v2/tags/count", get(count))
        .route("/api/v2/autocomplete/tags", get(autocomplete))
        .route(
            "/api/v2/tickets/{id}/tags",
            get(ticket_tags)
                .post(ticket_set)
                .put(ticket_add)
                .delete(ticket_remove),
        )
        .route(
            "/api/v2/users/{id}/tags",
            get(user_tags)
                .post(user_set)
                .put(user_add)
                .delete(user_remove),
        )
        .route(
            "/api/v2/organizations/{id}/tags",
            get(org_tags).post(org_set).put(org_add).delete(org_remove),
        )
}

fn family() -> &'static zdkit_catalog::Family {
    zdkit_catalog::family("tags").expect("the catalogue has tags")
}

fn base_counts<'a>(db: &'a Db, s: &Seeds) -> &'a [(&'static str, u64)] {
    db.tag_base.get_or_init(|| {
        let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
        for id in 1..=db.tickets.base_count() {
            if <crate::data::tickets::Ticket as crate::data::table::Generate>::base_deleted(s, id) {
                continue;
            }
            for t in generate_light(s, id).tags {
                if let Some(k) = crate::data::gen::TAGS.iter().find(|x| **x == t) {
                    *counts.entry(k).or_default() += 1;
                }
            }
        }
        counts.into_iter().collect()
    })
}

/// Every tag with its count, most used first (then by name).
fn counts(db: &Db, s: &Seeds) -> Vec<(String, u64)> {
    let mut m: BTreeMap<String, i64> = BTreeMap::new();
    for (k, n) in base_counts(db, s) {
        *m.entry((*k).to_string()).or_default() += *n as i64;
    }
    for t in db.tickets.written() {
        let base = db.tickets.base_count();
        if t.id <= base
            && !<crate::data::tickets::Ticket as crate::data::table::Generate>::base_deleted(
                s, t.id,
            )
        {
            for tag in generate_light(s, t.id).tags {
                *m.entry(tag).or_default() -= 1;
            }
        }
        if !t.deleted {
            for tag in &t.tags {
                *m.entry(tag.clone()).or_default() += 1;
            }
        }
    }
    let mut v: Vec<(String, u64)> = m
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k, n as u64))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

async fn list(State(st): State<SimState>, Base(base): Base, q: Q) -> Result<Response, ApiError> {
    let f = family();
    let (paging, sort) = gl::parse(f, &q, st.config().oversize_page)?;
    let all = {
        let db = st.read();
        counts(&db, st.seeds())
    };
    // Records keyed by popularity rank, so cursors follow the documented order.
    let recs: Vec<(u64, Map<String, Value>)> = all
        .into_iter()
        .enumerate()
        .map(|(i, (name, n))| {
            let mut m = Map::new();
            m.insert("name".into(), json!(name));
            m.insert("count".into(), json!(n));
            (i as u64 + 1, m)
        })
        .collect();
    let page = gl::page_of(recs, &paging, &sort);
    let items: Vec<&Map<String, Value>> = page.items.iter().map(|(_, m)| m).collect();
    let obj = Obj::new().field("tags", &items);
    let paging = match paging {
        Paging::All => Paging::Offset {
            page: 1,
            per_page: 100,
        },
        p => p,
    };
    Ok(gl::finish(obj, f, &paging, &sort, &page, &base, "/api/v2/tags", &q).ok())
}

async fn count(State(st): State<SimState>) -> Response {
    let n = {
        let db = st.read();
        counts(&db, st.seeds()).len()
    };
    Obj::new()
        .field(
            "count",
            &json!({"value": n, "refreshed_at": iso(st.now_secs())}),
        )
        .ok()
}

async fn autocomplete(State(st): State<SimState>, q: Q) -> Result<Response, ApiError> {
    let name = q.get("name").unwrap_or("").trim().to_lowercase();
    if name.len() < 2 {
        return Err(ApiError::BadRequest {
            error: "InvalidValue".into(),
            description: "name must be at least 2 characters".into(),
        });
    }
    let db = st.read();
    let tags: Vec<String> = counts(&db, st.seeds())
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with(&name))
        .take(100)
        .collect();
    let n = tags.len();
    Ok(Obj::new().field("tags", &tags).one_page(n as u64).ok())
}

fn tags_body(body: &Value) -> Result<Vec<String>, ApiError> {
    let list = match body.get("tags") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => s
            .split([' ', ','])
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect(),
        _ => {
            return Err(ApiError::invalid(
                "tags",
                "BlankValue",
                "Tags: cannot be blank",
            ))
        }
    };
    Ok(list)
}

#[derive(Clone, Copy)]
enum Verb {
    Set,
    Add,
    Remove,
}

fn combine(old: &[String], given: Vec<String>, verb: Verb) -> Vec<String> {
    let norm = |t: &str| t.trim().to_lowercase().replace(' ', "_");
    let given: Vec<String> = given
        .iter()
        .map(|t| norm(t))
        .filter(|t| !t.is_empty())
        .collect();
    let mut out: Vec<String> = match verb {
        Verb::Set => given,
        Verb::Add => old.iter().cloned().chain(given).collect(),
        Verb::Remove => old.iter().filter(|t| !given.contains(t)).cloned().collect(),
    };
    out.sort();
    out.dedup();
    out
}

fn answer(tags: Vec<String>, verb: Verb) -> Response {
    match verb {
        Verb::Remove => StatusCode::NO_CONTENT.into_response(),
        Verb::Set => Obj::new().field("tags", &tags).respond(StatusCode::CREATED),
        Verb::Add => Obj::new().field("tags", &tags).ok(),
    }
}

async fn ticket_tags(State(st): State<SimState>, p: PathIds) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let db = st.read();
    let t = db
        .tickets
        .get(st.seeds(), id)
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Obj::new().field("tags", &t.tags).ok())
}

fn ticket_write(
    st: &SimState,
    caller: &Caller,
    p: &PathIds,
    body: &Value,
    verb: Verb,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let given = tags_body(body)?;
    let now = st.now_secs();
    let mut db = st.write();
    let old = db
        .tickets
        .get(st.seeds(), id)
        .ok_or(ApiError::RecordNotFound)?
        .tags;
    let new = combine(&old, given, verb);
    let (t, _) = writes::update_ticket(
        &mut db,
        st.seeds(),
        now,
        caller.user_id,
        id,
        &json!({"tags": new}),
    )?;
    Ok(answer(t.tags, verb))
}

async fn ticket_set(
    State(st): State<SimState>,
    Extension(c): Extension<Caller>,
    p: PathIds,
    ZJson(b): ZJson,
) -> Result<Response, ApiError> {
    ticket_write(&st, &c, &p, &b, Verb::Set)
}
async fn ticket_add(
    State(st): State<SimState>,
    Extension(c): Extension<Caller>,
    p: PathIds,
    ZJson(b): ZJson,
) -> Result<Response, ApiError> {
    ticket_write(&st, &c, &p, &b, Verb::Add)
}
async fn ticket_remove(
    State(st): State<SimState>,
    Extension(c): Extension<Caller>,
    p: PathIds,
    ZJson(b): ZJson,
) -> Result<Response, ApiError> {
    ticket_write(&st, &c, &p, &b, Verb::Remove)
}

async fn user_tags(State(st): State<SimState>, p: PathIds) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let db = st.read();
    let u = db
        .users
        .get(st.seeds(), id)
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Obj::new().field("tags", &u.tags).ok())
}

fn user_write(st: &SimState, p: &PathIds, body: &Value, verb: Verb) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let given = tags_body(body)?;
    let now = st.now_secs();
    let mut db = st.write();
    let old = db
        .users
        .get(st.seeds(), id)
        .ok_or(ApiError::RecordNotFound)?
        .tags;
    let new = combine(&old, given, verb);
    let mut input = Map::new();
    input.insert("tags".into(), json!(new));
    let u = user_writes::update_user(&mut db, st.seeds(), now, id, &input)?;
    Ok(answer(u.tags, verb))
}

async fn user_set(
    State(st): State<SimState>,
    p: PathIds,
    ZJson(b): ZJson,
) -> Result<Response, ApiError> {
    user_write(&st, &p, &b, Verb::Set)
}
async fn user_add(
    State(st): State<SimState>,
    p: PathIds,
    ZJson(b): ZJson,
) -> Result<Response, ApiError> {
    user_write(&st, &p, &b, Verb::Add)
}
async fn user_remove(
    State(st): State<SimState>,
    p: PathIds,
    ZJson(b): ZJson,
) -> Result<Response, ApiError> {
    user_write(&st, &p, &b, Verb::Remove)
}

async fn org_tags(State(st): State<SimState>, p: PathIds) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let db = st.read();
    let o = db
        .orgs
        .get(st.seeds(), id)
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Obj::new().field("tags", &o.tags).ok())
}

fn org_write(st: &SimState, p: &PathIds, body: &Value, verb: Verb) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let given = tags_body(body)?;
    let now = st.now_secs();
    let s = st.seeds();
    let mut db = st.write();
    let mut o = db.orgs.get(s, id).ok_or(ApiError::RecordNotFound)?;
    o.tags = combine(&o.tags, given, verb);
    o.updated_at = now;
    o.ts = now;
    let tags = o.tags.clone();
    db.orgs.put(s, o);
    Ok(answer(tags, verb))
}

async fn org_set(
    State(st): State<SimState>,
    p: PathIds,
    ZJson(b): ZJson,
) -> Result<Response, ApiError> {
    org_write(&st, &p, &b, Verb::Set)
}
async fn org_add(
    State(st): State<SimState>,
    p: PathIds,
    ZJson(b): ZJson,
) -> Result<Response, ApiError> {
    org_write(&st, &p, &b, Verb::Add)
}
async fn org_remove(
    State(st): State<SimState>,
    p: PathIds,
    ZJson(b): ZJson,
) -> Result<Response, ApiError> {
    org_write(&st, &p, &b, Verb::Remove)
}
