//! The generic engine's reads: lists (and the action lists of a family itself), show,
//! show_many, count and search.

use std::collections::BTreeSet;

use axum::response::Response;
use serde_json::{json, Map, Value};
use zdkit_catalog::Family;

use super::generic::{
    belongs, concrete_path, ids_param, item_id, parent_field, parent_of, render, Call,
};
use super::generic_list::{self as gl, Paging};
use super::paging::OnePage;
use crate::data::coll::Ctx;
use crate::data::gen::iso;
use crate::error::{ApiError, Obj};
use crate::extract::{PathIds, Q};
use crate::state::SimState;

pub(super) fn list(f: &'static Family, c: &Call) -> Result<Response, ApiError> {
    list_as(f, &c.st, &c.base, &c.q, &c.p, false)
}

/// An action that lists the family by offset (`views/compact`, `locales/public`, …).
pub(super) fn list_offset(f: &'static Family, c: &Call) -> Result<Response, ApiError> {
    list_as(f, &c.st, &c.base, &c.q, &c.p, true)
}

/// `{family}/active`: the offset list with `active=true`.
pub(super) fn list_active(f: &'static Family, c: &Call) -> Result<Response, ApiError> {
    let mut q = c.q.clone();
    q.0.push(("active".into(), "true".into()));
    list_as(f, &c.st, &c.base, &q, &c.p, true)
}

/// `locales/current`: the account's locale (record 1).
pub(super) fn current_locale(f: &'static Family, c: &Call) -> Result<Response, ApiError> {
    let db = c.st.read();
    let cx = Ctx {
        s: c.st.seeds(),
        db: &db,
    };
    let rec = db
        .colls
        .get(f.name)
        .and_then(|coll| coll.get(cx, 1))
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Obj::new()
        .field(f.singular, &render(f, &c.base, None, 1, rec))
        .ok())
}

/// A list; `offset_only` for the action lists (`views/active`), which page by offset.
fn list_as(
    f: &'static Family,
    st: &SimState,
    base: &str,
    q: &Q,
    p: &PathIds,
    offset_only: bool,
) -> Result<Response, ApiError> {
    let parent = parent_of(f, st, p)?;
    let mut shape = *f;
    if offset_only && shape.paging.default != zdkit_catalog::PageDefault::All {
        shape.paging = zdkit_catalog::Paging::OFFSET;
    }
    let (paging, sort) = gl::parse(&shape, q, st.config().oversize_page)?;
    let s = st.seeds();
    let db = st.read();
    let cx = Ctx { s, db: &db };
    let c = db.colls.get(f.name).ok_or(ApiError::InvalidEndpoint)?;
    let page = if let Some(pid) = parent {
        let field = parent_field(f).unwrap_or("user_id");
        let mut ids: BTreeSet<u64> = c.written_where(field, &json!(pid)).collect();
        if !c.is_written(pid) {
            ids.insert(pid);
        }
        let all: Vec<_> = ids
            .into_iter()
            .filter_map(|id| c.get(cx, id).map(|r| (id, r)))
            .filter(|(_, r)| belongs(f, r, parent) && gl::keep(f, q, r))
            .collect();
        gl::page_of(all, &paging, &sort)
    } else if c.small() {
        let all: Vec<_> = c
            .all(cx)
            .into_iter()
            .filter(|(_, r)| gl::keep(f, q, r))
            .collect();
        gl::page_of(all, &paging, &sort)
    } else {
        gl::page_big(c, cx, &paging, sort.desc)
    };
    let items: Vec<Map<String, Value>> = page
        .items
        .iter()
        .map(|(id, r)| render(f, base, parent, *id, r.clone()))
        .collect();
    let obj = Obj::new().field(f.plural, &items);
    let obj = sideloads(obj, f, st, &db, base, &items, &q.includes());
    let path = format!("/api/v2/{}", concrete_path(f, parent));
    let paging = match (&paging, c.small() || parent.is_some()) {
        (Paging::All, false) => Paging::Offset {
            page: 1,
            per_page: 100,
        },
        (p, _) => p.clone(),
    };
    Ok(gl::finish(obj, &shape, &paging, &sort, &page, base, &path, q).ok())
}

/// Appends `users`, `groups` and `organizations` sideload arrays the family documents.
fn sideloads(
    mut obj: Obj,
    f: &Family,
    st: &SimState,
    db: &crate::data::Db,
    base: &str,
    items: &[Map<String, Value>],
    inc: &[String],
) -> Obj {
    let s = st.seeds();
    let wanted = |n: &str| f.sideloads.contains(&n) && inc.iter().any(|i| i == n);
    let collect = |fields: &[&str]| -> BTreeSet<u64> {
        items
            .iter()
            .flat_map(|r| {
                fields
                    .iter()
                    .filter_map(|k| r.get(*k).and_then(Value::as_u64))
            })
            .collect()
    };
    if wanted("users") {
        let users: Vec<Value> = collect(&["user_id", "actor_id", "requester_id", "assignee_id"])
            .into_iter()
            .filter_map(|id| db.users.get(s, id))
            .map(|u| u.to_json(base))
            .collect();
        obj = obj.field("users", &users);
    }
    if wanted("groups") {
        let groups: Vec<Value> = collect(&["group_id"])
            .into_iter()
            .filter_map(|id| db.groups.get(s, id))
            .map(|g| g.to_json(base))
            .collect();
        obj = obj.field("groups", &groups);
    }
    if wanted("organizations") {
        let orgs: Vec<Value> = collect(&["organization_id"])
            .into_iter()
            .filter_map(|id| db.orgs.get(s, id))
            .map(|o| o.to_json(base))
            .collect();
        obj = obj.field("organizations", &orgs);
    }
    obj
}

pub(super) fn show(f: &'static Family, c: &Call) -> Result<Response, ApiError> {
    let (st, base, p) = (&c.st, c.base.as_str(), &c.p);
    let parent = parent_of(f, st, p)?;
    let id = item_id(f, p)?;
    let db = st.read();
    let cx = Ctx {
        s: st.seeds(),
        db: &db,
    };
    let rec = db
        .colls
        .get(f.name)
        .and_then(|c| c.get(cx, id))
        .filter(|r| belongs(f, r, parent))
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Obj::new()
        .field(f.singular, &render(f, base, parent, id, rec))
        .ok())
}

pub(super) fn show_many(f: &'static Family, c: &Call) -> Result<Response, ApiError> {
    let (st, base, q) = (&c.st, c.base.as_str(), &c.q);
    let wanted = ids_param(f, q)?;
    let db = st.read();
    let cx = Ctx {
        s: st.seeds(),
        db: &db,
    };
    let c = db.colls.get(f.name).ok_or(ApiError::InvalidEndpoint)?;
    let items: Vec<Map<String, Value>> = wanted
        .into_iter()
        .take(100)
        .filter_map(|id| c.get(cx, id).map(|r| render(f, base, None, id, r)))
        .filter(|r| gl::keep(f, q, r))
        .collect();
    let n = items.len();
    Ok(Obj::new().field(f.plural, &items).one_page(n as u64).ok())
}

pub(super) fn count(f: &'static Family, c: &Call) -> Result<Response, ApiError> {
    let (st, q) = (&c.st, &c.q);
    let db = st.read();
    let cx = Ctx {
        s: st.seeds(),
        db: &db,
    };
    let c = db.colls.get(f.name).ok_or(ApiError::InvalidEndpoint)?;
    let n = if c.small() {
        c.all(cx)
            .into_iter()
            .filter(|(_, r)| gl::keep(f, q, r))
            .count() as u64
    } else {
        c.ids(cx, None, false).count() as u64
    };
    Ok(Obj::new()
        .field(
            "count",
            &json!({"value": n, "refreshed_at": iso(st.now_secs())}),
        )
        .ok())
}

pub(super) fn search(f: &'static Family, c: &Call) -> Result<Response, ApiError> {
    let (st, base, q) = (&c.st, c.base.as_str(), &c.q);
    let needle = q.get("query").unwrap_or("").trim().to_lowercase();
    // Search is offset-paginated only.
    let mut offset_only = f.to_owned();
    offset_only.paging = zdkit_catalog::Paging::OFFSET;
    let f2: &Family = &offset_only;
    let (paging, sort) = gl::parse(f2, q, st.config().oversize_page)?;
    let db = st.read();
    let cx = Ctx {
        s: st.seeds(),
        db: &db,
    };
    let c = db.colls.get(f.name).ok_or(ApiError::InvalidEndpoint)?;
    let all: Vec<_> = c
        .all(cx)
        .into_iter()
        .filter(|(_, r)| {
            let text = r
                .get("title")
                .or_else(|| r.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_lowercase();
            needle.is_empty() || text.contains(&needle)
        })
        .filter(|(_, r)| gl::keep(f, q, r))
        .collect();
    let page = gl::page_of(all, &paging, &sort);
    let items: Vec<Map<String, Value>> = page
        .items
        .iter()
        .map(|(id, r)| render(f, base, None, *id, r.clone()))
        .collect();
    let obj = Obj::new().field(f.plural, &items);
    let path = format!("/api/v2/{}/search", f.path);
    Ok(gl::finish(obj, f2, &paging, &sort, &page, base, &path, q).ok())
}
