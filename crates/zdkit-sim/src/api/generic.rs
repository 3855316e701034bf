//! The generic collection engine's routes: every generic family of the catalogue
//! (`zdkit_catalog::generic()`) gets the routes of the operations its row lists, served
//! from `data::coll`. Adding a family is a catalogue row plus its seed generator.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::{Extension, Router};
use serde_json::{json, Map, Value};
use zdkit_catalog::{Family, Method};

use super::generic_list::{self as gl, Paging};
use crate::auth::Caller;
use crate::data::coll::{self, ids, Ctx};
use crate::data::gen::iso;
use crate::data::jobs::JobOp;
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, ZJson, Q};
use crate::state::SimState;

/// Every route of every generic family.
pub(crate) fn router() -> Router<SimState> {
    zdkit_catalog::generic().fold(Router::new(), family_routes)
}

fn family_routes(r: Router<SimState>, f: &'static Family) -> Router<SimState> {
    use axum::routing::{delete, get, patch, post, put};
    let coll_path = format!("/api/v2/{}", super::axum_path(f.path));
    let depth = usize::from(f.parent.is_some());
    let item_path = format!("{coll_path}/{{{}}}", super::param_name(depth));
    let o = f.ops;
    let mut r = r;
    let mut c: Option<MethodRouter<SimState>> = None;
    let add = |slot: &mut Option<MethodRouter<SimState>>, _m: Method, h: MethodRouter<SimState>| {
        *slot = Some(match slot.take() {
            Some(mr) => mr.merge(h),
            None => h,
        });
    };
    if o.list {
        add(
            &mut c,
            Method::Get,
            get(
                move |State(st): State<SimState>, Base(b): Base, q: Q, p: PathIds| async move {
                    list(f, &st, &b, &q, &p)
                },
            ),
        );
    }
    if o.create {
        add(
            &mut c,
            Method::Post,
            post(
                move |State(st): State<SimState>,
                      Extension(caller): Extension<Caller>,
                      Base(b): Base,
                      p: PathIds,
                      ZJson(body): ZJson| async move {
                    create(f, &st, &caller, &b, &p, &body)
                },
            ),
        );
    }
    if let Some(mr) = c {
        r = r.route(&coll_path, mr);
    }
    let mut i: Option<MethodRouter<SimState>> = None;
    if o.show {
        add(
            &mut i,
            Method::Get,
            get(
                move |State(st): State<SimState>, Base(b): Base, p: PathIds| async move {
                    show(f, &st, &b, &p)
                },
            ),
        );
    }
    if o.update {
        let h =
            move |State(st): State<SimState>,
                  Extension(caller): Extension<Caller>,
                  Base(b): Base,
                  p: PathIds,
                  ZJson(body): ZJson| async move { update(f, &st, &caller, &b, &p, &body) };
        let mr = match f.update_method {
            Method::Patch => patch(h),
            _ => put(h),
        };
        add(&mut i, f.update_method, mr);
    }
    if o.delete {
        add(
            &mut i,
            Method::Delete,
            delete(
                move |State(st): State<SimState>, p: PathIds| async move { destroy(f, &st, &p) },
            ),
        );
    }
    if let Some(mr) = i {
        r = r.route(&item_path, mr);
    }
    if o.show_many {
        r = r.route(
            &format!("{coll_path}/show_many"),
            get(
                move |State(st): State<SimState>, Base(b): Base, q: Q| async move {
                    show_many(f, &st, &b, &q)
                },
            ),
        );
    }
    if o.count {
        r = r.route(
            &format!("{coll_path}/count"),
            get(move |State(st): State<SimState>, q: Q| async move { count(f, &st, &q) }),
        );
    }
    if o.search {
        r = r.route(
            &format!("{coll_path}/search"),
            get(
                move |State(st): State<SimState>, Base(b): Base, q: Q| async move {
                    search(f, &st, &b, &q)
                },
            ),
        );
    }
    if o.create_many {
        r = r.route(
            &format!("{coll_path}/create_many"),
            post(
                move |State(st): State<SimState>,
                      Extension(caller): Extension<Caller>,
                      Base(b): Base,
                      ZJson(body): ZJson| async move {
                    create_many(f, &st, &caller, &b, &body)
                },
            ),
        );
    }
    if o.update_many {
        r = r.route(
            &format!("{coll_path}/update_many"),
            put(
                move |State(st): State<SimState>,
                      Extension(caller): Extension<Caller>,
                      Base(b): Base,
                      ZJson(body): ZJson| async move {
                    update_many(f, &st, &caller, &b, &body)
                },
            ),
        );
    }
    // Actions that are lists of the family itself (`macros/active`, `views/compact`,
    // `group_memberships/assignable`, `locales/public`): the list, with `active=true` for
    // `active`.
    for a in f.actions {
        let own_list = a.method == Method::Get
            && a.key == Some(f.plural)
            && a.path == format!("{}/{}", f.path, a.name);
        if !own_list || f.parent.is_some() {
            continue;
        }
        let active = a.name == "active";
        r = r.route(
            &format!("/api/v2/{}", a.path),
            get(
                move |State(st): State<SimState>, Base(b): Base, q: Q, p: PathIds| async move {
                    let mut q = q;
                    if active {
                        q.0.push(("active".into(), "true".into()));
                    }
                    list_as(f, &st, &b, &q, &p, true)
                },
            ),
        );
    }
    if f.name == "locales" {
        r = r.route(
            "/api/v2/locales/current",
            get(
                move |State(st): State<SimState>, Base(b): Base| async move {
                    let db = st.read();
                    let cx = Ctx {
                        s: st.seeds(),
                        db: &db,
                    };
                    let rec = db
                        .colls
                        .get(f.name)
                        .and_then(|c| c.get(cx, 1))
                        .ok_or(ApiError::RecordNotFound)?;
                    Ok::<Response, ApiError>(
                        Obj::new()
                            .field(f.singular, &render(f, &b, None, 1, rec))
                            .ok(),
                    )
                },
            ),
        );
    }
    if o.destroy_many {
        r = r.route(
            &format!("{coll_path}/destroy_many"),
            delete(
                move |State(st): State<SimState>,
                      Extension(caller): Extension<Caller>,
                      Base(b): Base,
                      q: Q| async move { destroy_many(f, &st, &caller, &b, &q) },
            ),
        );
    }
    r
}

/// The concrete collection path of a request (`users/7/identities`), without `/api/v2/`.
fn concrete_path(f: &Family, parent: Option<u64>) -> String {
    match (f.parent, parent) {
        (Some(p), Some(id)) => f.path.replace(&format!("{{{}}}", p.param), &id.to_string()),
        _ => f.path.to_string(),
    }
}

/// Renders a record with its `url`.
pub(crate) fn render(
    f: &Family,
    base: &str,
    parent: Option<u64>,
    id: u64,
    mut rec: Map<String, Value>,
) -> Map<String, Value> {
    let wire = match ids::render(f, id) {
        Value::String(s) => s,
        other => other.to_string(),
    };
    let url = format!("{base}/api/v2/{}/{wire}.json", concrete_path(f, parent));
    rec.insert("url".into(), json!(url));
    rec
}

/// The parent id of a nested family's request (404 when the parent does not exist).
fn parent_of(f: &Family, st: &SimState, p: &PathIds) -> Result<Option<u64>, ApiError> {
    let Some(parent) = f.parent else {
        return Ok(None);
    };
    let id = p.id(0)?;
    let db = st.read();
    let exists = match parent.family {
        "users" => db.users.get(st.seeds(), id).is_some(),
        "tickets" => db.tickets.get(st.seeds(), id).is_some(),
        "organizations" => db.orgs.get(st.seeds(), id).is_some(),
        _ => true,
    };
    if exists {
        Ok(Some(id))
    } else {
        Err(ApiError::RecordNotFound)
    }
}

/// The record number of the item in the path (404 when it is not one of this family's ids).
fn item_id(f: &Family, p: &PathIds) -> Result<u64, ApiError> {
    let i = usize::from(f.parent.is_some());
    let raw = p.0.get(i).ok_or(ApiError::RecordNotFound)?;
    match ids::parse(f, raw) {
        Some(id) => Ok(id),
        // A literal the simulator does not serve is an unknown endpoint, not a missing record.
        None if raw.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_') => {
            Err(ApiError::InvalidEndpoint)
        }
        None => Err(ApiError::RecordNotFound),
    }
}

fn parent_field(f: &Family) -> Option<&'static str> {
    f.parent.map(|p| p.param)
}

fn belongs(f: &Family, rec: &Map<String, Value>, parent: Option<u64>) -> bool {
    match (parent_field(f), parent) {
        (Some(field), Some(p)) => rec.get(field).and_then(Value::as_u64) == Some(p),
        _ => true,
    }
}

fn list(
    f: &'static Family,
    st: &SimState,
    base: &str,
    q: &Q,
    p: &PathIds,
) -> Result<Response, ApiError> {
    list_as(f, st, base, q, p, false)
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

fn show(f: &'static Family, st: &SimState, base: &str, p: &PathIds) -> Result<Response, ApiError> {
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

fn location(resp: &mut Response, url: Option<&Value>) {
    if let Some(v) = url
        .and_then(Value::as_str)
        .and_then(|u| HeaderValue::from_str(u).ok())
    {
        resp.headers_mut().insert(header::LOCATION, v);
    }
}

fn create(
    f: &'static Family,
    st: &SimState,
    caller: &Caller,
    base: &str,
    p: &PathIds,
    body: &Value,
) -> Result<Response, ApiError> {
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

fn update(
    f: &'static Family,
    st: &SimState,
    caller: &Caller,
    base: &str,
    p: &PathIds,
    body: &Value,
) -> Result<Response, ApiError> {
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

fn destroy(f: &'static Family, st: &SimState, p: &PathIds) -> Result<Response, ApiError> {
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

/// `ids=` of a bulk request as record numbers (400 when one is not an id of the family).
fn ids_param(f: &Family, q: &Q) -> Result<Vec<u64>, ApiError> {
    let raw = q.get("ids").ok_or_else(|| ApiError::BadRequest {
        error: "ParameterMissing".into(),
        description: "param is missing or the value is empty: ids".into(),
    })?;
    raw.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| ids::parse(f, s).ok_or_else(|| ApiError::bad_param("ids", raw)))
        .collect()
}

fn show_many(f: &'static Family, st: &SimState, base: &str, q: &Q) -> Result<Response, ApiError> {
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
    Ok(Obj::new()
        .field(f.plural, &items)
        .field("next_page", &None::<String>)
        .field("previous_page", &None::<String>)
        .field("count", &n)
        .ok())
}

fn count(f: &'static Family, st: &SimState, q: &Q) -> Result<Response, ApiError> {
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

fn search(f: &'static Family, st: &SimState, base: &str, q: &Q) -> Result<Response, ApiError> {
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

fn create_many(
    f: &'static Family,
    st: &SimState,
    caller: &Caller,
    base: &str,
    body: &Value,
) -> Result<Response, ApiError> {
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

fn update_many(
    f: &'static Family,
    st: &SimState,
    caller: &Caller,
    base: &str,
    body: &Value,
) -> Result<Response, ApiError> {
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
    Ok(Obj::new()
        .field(f.plural, &out)
        .field("next_page", &None::<String>)
        .field("previous_page", &None::<String>)
        .field("count", &n)
        .ok())
}

fn destroy_many(
    f: &'static Family,
    st: &SimState,
    caller: &Caller,
    base: &str,
    q: &Q,
) -> Result<Response, ApiError> {
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
