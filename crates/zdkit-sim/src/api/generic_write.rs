//! The generic engine's writes: create, update, delete and the bulk operations
//! (background jobs where the row says `bulk_is_job`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use zdkit_catalog::Family;

use super::generic::{belongs, ids_param, item_id, parent_of, render, Call};
use super::paging::OnePage;
use crate::data::coll::{self, ids, Ctx};
use crate::data::jobs::JobOp;
use crate::error::{ApiError, Obj};

fn location(resp: &mut Response, url: Option<&Value>) {
    if let Some(v) = url
        .and_then(Value::as_str)
        .and_then(|u| HeaderValue::from_str(u).ok())
    {
        resp.headers_mut().insert(header::LOCATION, v);
    }
}

pub(super) fn create(f: &'static Family, c: &Call, body: &Value) -> Result<Response, ApiError> {
    let (st, caller, base, p) = (&c.st, &c.caller, c.base.as_str(), &c.p);
    let parent = parent_of(f, st, p)?;
    let now = st.now_secs();
    let (id, rec) = {
        let mut db = st.write();
        coll::writes::create_from_body(&mut db, st.seeds(), now, caller.user_id, f, body, parent)?
    };
    let rec = render(f, base, parent, id, rec);
    let status = StatusCode::from_u16(f.create_status).unwrap_or(StatusCode::CREATED);
    let url = rec.get("url").cloned();
    let mut resp = Obj::new().field(f.singular, &rec).respond(status);
    location(&mut resp, url.as_ref());
    Ok(resp)
}

pub(super) fn update(f: &'static Family, c: &Call, body: &Value) -> Result<Response, ApiError> {
    let (st, caller, base, p) = (&c.st, &c.caller, c.base.as_str(), &c.p);
    let parent = parent_of(f, st, p)?;
    let id = item_id(f, p)?;
    let now = st.now_secs();
    let rec = {
        let mut db = st.write();
        let owned = {
            let cx = Ctx {
                s: st.seeds(),
                db: &db,
            };
            db.colls
                .get(f.name)
                .and_then(|c| c.get(cx, id))
                .is_some_and(|r| belongs(f, &r, parent))
        };
        if !owned {
            return Err(ApiError::RecordNotFound);
        }
        coll::writes::update_from_body(&mut db, st.seeds(), now, caller.user_id, f, id, body)?
    };
    Ok(Obj::new()
        .field(f.singular, &render(f, base, parent, id, rec))
        .ok())
}

pub(super) fn destroy(f: &'static Family, c: &Call) -> Result<Response, ApiError> {
    let (st, p) = (&c.st, &c.p);
    let parent = parent_of(f, st, p)?;
    let id = item_id(f, p)?;
    let mut db = st.write();
    let owned = {
        let cx = Ctx {
            s: st.seeds(),
            db: &db,
        };
        db.colls
            .get(f.name)
            .and_then(|c| c.get(cx, id))
            .is_some_and(|r| belongs(f, &r, parent))
    };
    if !owned {
        return Err(ApiError::RecordNotFound);
    }
    coll::writes::delete(&mut db, st.seeds(), f, id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn bulk_items(f: &Family, body: &Value) -> Result<Vec<Value>, ApiError> {
    let items = body
        .get(f.plural)
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| {
            ApiError::invalid(
                f.plural,
                "BlankValue",
                format!("{} is missing", gl_label(f.plural)),
            )
        })?;
    if items.len() > 100 {
        return Err(ApiError::BadRequest {
            error: "TooManyRecords".into(),
            description: format!("{} accepts at most 100 records", f.plural),
        });
    }
    Ok(items)
}

fn gl_label(s: &str) -> String {
    coll::seed::capital(&s.replace('_', " "))
}

pub(super) fn create_many(
    f: &'static Family,
    c: &Call,
    body: &Value,
) -> Result<Response, ApiError> {
    let (st, caller, base) = (&c.st, &c.caller, c.base.as_str());
    let items = bulk_items(f, body)?;
    if f.bulk_is_job {
        return Ok(super::ticket_writes::enqueue(
            st,
            caller,
            base,
            "bulk_create",
            JobOp::CollCreate(f, items),
        ));
    }
    let now = st.now_secs();
    let mut db = st.write();
    let mut out = Vec::new();
    for item in &items {
        let input = item.as_object().cloned().unwrap_or_default();
        let (id, rec) =
            coll::writes::create(&mut db, st.seeds(), now, caller.user_id, f, &input, None)?;
        out.push(render(f, base, None, id, rec));
    }
    Ok(Obj::new().field(f.plural, &out).ok())
}

pub(super) fn update_many(
    f: &'static Family,
    c: &Call,
    body: &Value,
) -> Result<Response, ApiError> {
    let (st, caller, base) = (&c.st, &c.caller, c.base.as_str());
    let items = bulk_items(f, body)?;
    let now = st.now_secs();
    let mut db = st.write();
    // Validate every id first, so a bad one changes nothing.
    let mut todo = Vec::new();
    for item in &items {
        let id = item
            .get("id")
            .and_then(|v| match v {
                Value::String(s) => ids::parse(f, s),
                other => other.as_u64(),
            })
            .ok_or(ApiError::RecordNotFound)?;
        let exists = {
            let cx = Ctx {
                s: st.seeds(),
                db: &db,
            };
            db.colls.get(f.name).and_then(|c| c.get(cx, id)).is_some()
        };
        if !exists {
            return Err(ApiError::RecordNotFound);
        }
        todo.push((id, item.as_object().cloned().unwrap_or_default()));
    }
    let mut out = Vec::new();
    for (id, input) in todo {
        let rec = coll::writes::update(&mut db, st.seeds(), now, caller.user_id, f, id, &input)?;
        out.push(render(f, base, None, id, rec));
    }
    let n = out.len();
    Ok(Obj::new().field(f.plural, &out).one_page(n as u64).ok())
}

pub(super) fn destroy_many(f: &'static Family, c: &Call) -> Result<Response, ApiError> {
    let (st, caller, base, q) = (&c.st, &c.caller, c.base.as_str(), &c.q);
    let ids = ids_param(f, q)?;
    if ids.len() > 100 {
        return Err(ApiError::BadRequest {
            error: "TooManyRecords".into(),
            description: format!("{} destroy_many accepts at most 100 ids", f.plural),
        });
    }
    if f.bulk_is_job {
        return Ok(super::ticket_writes::enqueue(
            st,
            caller,
            base,
            "bulk_delete",
            JobOp::CollDestroy(f, ids),
        ));
    }
    let mut db = st.write();
    for id in &ids {
        let cx = Ctx {
            s: st.seeds(),
            db: &db,
        };
        if db.colls.get(f.name).and_then(|c| c.get(cx, *id)).is_none() {
            return Err(ApiError::RecordNotFound);
        }
    }
    for id in ids {
        coll::writes::delete(&mut db, st.seeds(), f, id)?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
