//! Users: list, show, me, show_many, create, update, create_or_update, search.

use super::paging::OnePage;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::Value;

use super::paging;
use crate::auth::Caller;
use crate::data::user_writes;
use crate::data::users::User;
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, ZJson, Q};
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/users", get(list).post(create))
        .route("/api/v2/users/me", get(me))
        .route("/api/v2/users/show_many", get(show_many))
        .route("/api/v2/users/search", get(search))
        .route("/api/v2/users/create_or_update", post(create_or_update))
        .route(
            "/api/v2/users/create_or_update_many",
            post(create_or_update_many),
        )
        .route("/api/v2/users/{id}", get(show).put(update))
}

async fn list(State(st): State<SimState>, Base(base): Base, q: Q) -> Result<Response, ApiError> {
    let mode = paging::mode(&q, "", 100)?;
    let (by, desc) = paging::sort_for(&q, &mode, true)?;
    let tag = paging::tag("u", by, desc);
    let mode = paging::mode(&q, &tag, 100)?;
    let s = st.seeds();
    let db = st.read();
    let roles: Vec<&str> =
        q.0.iter()
            .filter(|(k, _)| k == "role" || k == "role[]")
            .map(|(_, v)| v.as_str())
            .collect();
    let page = if roles.is_empty() {
        paging::page(&db.users, s, mode, by, desc)
    } else {
        if by != paging::SortBy::Id {
            return Err(ApiError::InvalidPaginationParameter(
                "only id order is supported with a role filter".into(),
            ));
        }
        let ids: Vec<u64> = db
            .users
            .ids_after(s, 0)
            .filter(|&id| db.users.get(s, id).is_some_and(|u| roles.contains(&u.role)))
            .collect();
        paging::ids_page(&ids, mode, desc)
    };
    let users: Vec<User> = page
        .keys
        .iter()
        .filter_map(|k| db.users.get(s, k.1))
        .collect();
    let obj =
        super::users_with_sideloads(Obj::new(), "users", &db, s, &base, &users, &q.includes());
    Ok(paging::finish(obj, &page, &tag, &base, "/api/v2/users", &q).ok())
}

async fn me(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    Base(base): Base,
) -> Result<Response, ApiError> {
    let u = st
        .read()
        .users
        .get(st.seeds(), caller.user_id)
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Obj::new().field("user", &u.to_json(&base)).ok())
}

async fn show(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
    q: Q,
) -> Result<Response, ApiError> {
    let s = st.seeds();
    let db = st.read();
    let u = db.users.get(s, p.id(0)?).ok_or(ApiError::RecordNotFound)?;
    let obj = Obj::new().field("user", &u.to_json(&base));
    Ok(super::user_sideloads(obj, &db, s, &base, std::slice::from_ref(&u), &q.includes()).ok())
}

async fn show_many(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let s = st.seeds();
    let db = st.read();
    let users: Vec<User> = if let Some(ids) = q.ids("ids")? {
        if ids.len() > 100 {
            return Err(ApiError::BadRequest {
                error: "TooManyValues".into(),
                description: "at most 100 ids".into(),
            });
        }
        ids.iter().filter_map(|&id| db.users.get(s, id)).collect()
    } else if let Some(ext) = q.get("external_ids") {
        ext.split(',')
            .filter_map(|e| db.user_by_external(s, e.trim()))
            .collect()
    } else {
        Vec::new()
    };
    let n = users.len();
    Ok(
        super::users_with_sideloads(Obj::new(), "users", &db, s, &base, &users, &q.includes())
            .one_page(n as u64)
            .ok(),
    )
}

async fn search(State(st): State<SimState>, Base(base): Base, q: Q) -> Result<Response, ApiError> {
    let s = st.seeds();
    let db = st.read();
    let page = q.u64("page")?.unwrap_or(1).max(1);
    let per_page = q.u64("per_page")?.unwrap_or(100).clamp(1, 100);
    if page > 100 || page * per_page > 10_000 {
        return Err(ApiError::InvalidPaginationDepth);
    }
    let matches: Vec<u64> = if let Some(ext) = q.get("external_id") {
        db.user_by_external(s, ext)
            .map(|u| u.id)
            .into_iter()
            .collect()
    } else if let Some(email) = q.get("email") {
        db.user_by_email(s, email)
            .map(|u| u.id)
            .into_iter()
            .collect()
    } else if let Some(query) = q.get("query").map(str::trim).filter(|x| !x.is_empty()) {
        let query = query.strip_prefix("email:").unwrap_or(query);
        if query.contains('@') {
            db.user_by_email(s, query)
                .map(|u| u.id)
                .into_iter()
                .collect()
        } else {
            let needle = query.to_lowercase();
            db.users
                .ids_after(s, 0)
                .filter(|&id| {
                    db.users.get(s, id).is_some_and(|u| {
                        u.name.to_lowercase().contains(&needle)
                            || u.external_id
                                .as_deref()
                                .is_some_and(|e| e.eq_ignore_ascii_case(&needle))
                    })
                })
                .collect()
        }
    } else {
        return Err(ApiError::BadRequest {
            error: "InvalidParameter".into(),
            description: "query, email or external_id is required".into(),
        });
    };
    let start = ((page - 1) * per_page) as usize;
    let users: Vec<User> = matches
        .iter()
        .skip(start)
        .take(per_page as usize)
        .filter_map(|&id| db.users.get(s, id))
        .collect();
    let more = matches.len() > start + per_page as usize;
    let link = |p: u64| {
        let mut parts: Vec<String> =
            q.0.iter()
                .filter(|(k, _)| k != "page" && k != "per_page")
                .map(|(k, v)| format!("{}={}", crate::extract::enc(k), crate::extract::enc(v)))
                .collect();
        parts.push(format!("page={p}&per_page={per_page}"));
        format!("{base}/api/v2/users/search?{}", parts.join("&"))
    };
    Ok(
        super::users_with_sideloads(Obj::new(), "users", &db, s, &base, &users, &q.includes())
            .field("next_page", &more.then(|| link(page + 1)))
            .field("previous_page", &(page > 1).then(|| link(page - 1)))
            .field("count", &matches.len())
            .ok(),
    )
}

async fn create(
    State(st): State<SimState>,
    Base(base): Base,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let input = super::write_body::record(&body, "user")?;
    let now = st.now_secs();
    let u = user_writes::create_user(&mut st.write(), st.seeds(), now, input)?;
    Ok(Obj::new()
        .field("user", &u.to_json(&base))
        .respond(StatusCode::CREATED))
}

async fn update(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let input = super::write_body::record(&body, "user")?;
    let now = st.now_secs();
    let u = user_writes::update_user(&mut st.write(), st.seeds(), now, id, input)?;
    Ok(Obj::new().field("user", &u.to_json(&base)).ok())
}

async fn create_or_update(
    State(st): State<SimState>,
    Base(base): Base,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let input = super::write_body::record(&body, "user")?;
    let now = st.now_secs();
    let s = st.seeds();
    let mut db = st.write();
    let existing = input
        .get("email")
        .and_then(Value::as_str)
        .and_then(|e| db.user_by_email(s, e))
        .or_else(|| {
            input
                .get("external_id")
                .and_then(Value::as_str)
                .and_then(|e| db.user_by_external(s, e))
        });
    let (u, status) = match existing {
        Some(u) => (
            user_writes::update_user(&mut db, s, now, u.id, input)?,
            StatusCode::OK,
        ),
        None => (
            user_writes::create_user(&mut db, s, now, input)?,
            StatusCode::CREATED,
        ),
    };
    Ok(Obj::new().field("user", &u.to_json(&base)).respond(status))
}

async fn create_or_update_many(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    Base(base): Base,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let items = body
        .get("users")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| ApiError::invalid("users", "BlankValue", "Users: is missing"))?;
    if items.len() > 100 {
        return Err(ApiError::BadRequest {
            error: "TooManyValues".into(),
            description: "create_or_update_many: at most 100 records per request".into(),
        });
    }
    Ok(super::ticket_writes::enqueue(
        &st,
        &caller,
        &base,
        "bulk_create_or_update_users",
        crate::data::jobs::JobOp::UpsertUsers(items),
    ))
}
