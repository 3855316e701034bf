//! The generic collection engine's routes: every generic family of the catalogue
//! (`zdkit_catalog::generic()`) gets the routes of the operations its row lists, served
//! from `data::coll`. Adding a family is a catalogue row plus its seed generator.
//! Handlers: reads in `generic_read`, writes in `generic_write`, lists' paging and sorts
//! in `generic_list`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{delete, get, patch, post, put, MethodRouter};
use axum::Router;
use serde_json::{json, Map, Value};
use zdkit_catalog::{Family, Method};

use super::{generic_read as read, generic_write as write};
use crate::auth::Caller;
use crate::data::coll::ids;
use crate::error::ApiError;
use crate::extract::{Base, PathIds, ZJson, Q};
use crate::state::SimState;

/// Every route of every generic family.
pub(crate) fn router() -> Router<SimState> {
    zdkit_catalog::generic().fold(Router::new(), family_routes)
}

/// What a generic handler reads from a request besides its body.
pub(crate) struct Call {
    pub st: SimState,
    pub base: String,
    pub q: Q,
    pub p: PathIds,
    pub caller: Caller,
}

impl FromRequestParts<SimState> for Call {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &SimState) -> Result<Self, ApiError> {
        let Base(base) = Base::from_request_parts(parts, st).await?;
        let q = Q::from_request_parts(parts, st).await?;
        let p = PathIds::from_request_parts(parts, st).await?;
        // The auth layer puts the caller on every `/api/v2` request.
        let caller = parts
            .extensions
            .get::<Caller>()
            .copied()
            .ok_or(ApiError::Unauthorized)?;
        Ok(Call {
            st: st.clone(),
            base,
            q,
            p,
            caller,
        })
    }
}

/// A handler without a body.
type Plain = fn(&'static Family, &Call) -> Result<Response, ApiError>;
/// A handler of a JSON body.
type WithBody = fn(&'static Family, &Call, &Value) -> Result<Response, ApiError>;

fn plain(m: Method, f: &'static Family, h: Plain) -> MethodRouter<SimState> {
    let handler = move |c: Call| async move { h(f, &c) };
    match m {
        Method::Post => post(handler),
        Method::Put => put(handler),
        Method::Patch => patch(handler),
        Method::Delete => delete(handler),
        _ => get(handler),
    }
}

fn with_body(m: Method, f: &'static Family, h: WithBody) -> MethodRouter<SimState> {
    let handler = move |c: Call, ZJson(body): ZJson| async move { h(f, &c, &body) };
    match m {
        Method::Put => put(handler),
        Method::Patch => patch(handler),
        Method::Delete => delete(handler),
        Method::Get => get(handler),
        _ => post(handler),
    }
}

fn merge(slot: &mut Option<MethodRouter<SimState>>, h: MethodRouter<SimState>) {
    *slot = Some(match slot.take() {
        Some(mr) => mr.merge(h),
        None => h,
    });
}

fn family_routes(mut r: Router<SimState>, f: &'static Family) -> Router<SimState> {
    let coll_path = format!("/api/v2/{}", super::axum_path(f.path));
    let depth = usize::from(f.parent.is_some());
    let item_path = format!("{coll_path}/{{{}}}", super::param_name(depth));
    let o = f.ops;
    let (mut coll, mut item) = (None, None);
    if o.list {
        merge(&mut coll, plain(Method::Get, f, read::list));
    }
    if o.create {
        merge(&mut coll, with_body(Method::Post, f, write::create));
    }
    if o.show {
        merge(&mut item, plain(Method::Get, f, read::show));
    }
    if o.update {
        merge(&mut item, with_body(f.update_method, f, write::update));
    }
    if o.delete {
        merge(&mut item, plain(Method::Delete, f, write::destroy));
    }
    for (path, mr) in [(&coll_path, coll), (&item_path, item)] {
        if let Some(mr) = mr {
            r = r.route(path, mr);
        }
    }
    let extras: [(bool, &str, MethodRouter<SimState>); 6] = [
        (
            o.show_many,
            "show_many",
            plain(Method::Get, f, read::show_many),
        ),
        (o.count, "count", plain(Method::Get, f, read::count)),
        (o.search, "search", plain(Method::Get, f, read::search)),
        (
            o.create_many,
            "create_many",
            with_body(Method::Post, f, write::create_many),
        ),
        (
            o.update_many,
            "update_many",
            with_body(Method::Put, f, write::update_many),
        ),
        (
            o.destroy_many,
            "destroy_many",
            plain(Method::Delete, f, write::destroy_many),
        ),
    ];
    for (on, name, mr) in extras {
        if on {
            r = r.route(&format!("{coll_path}/{name}"), mr);
        }
    }
    // Actions that are lists of the family itself (`macros/active`, `views/compact`,
    // `group_memberships/assignable`, `locales/public`): offset lists, with `active=true`
    // for `active`.
    for a in f.actions {
        let own_list = a.method == Method::Get
            && a.key == Some(f.plural)
            && a.path == format!("{}/{}", f.path, a.name);
        if !own_list || f.parent.is_some() {
            continue;
        }
        let h: Plain = if a.name == "active" {
            read::list_active
        } else {
            read::list_offset
        };
        r = r.route(&format!("/api/v2/{}", a.path), plain(Method::Get, f, h));
    }
    if f.name == "locales" {
        r = r.route(
            "/api/v2/locales/current",
            plain(Method::Get, f, read::current_locale),
        );
    }
    r
}

/// The concrete collection path of a request (`users/7/identities`), without `/api/v2/`.
pub(super) fn concrete_path(f: &Family, parent: Option<u64>) -> String {
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
pub(super) fn parent_of(f: &Family, st: &SimState, p: &PathIds) -> Result<Option<u64>, ApiError> {
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
pub(super) fn item_id(f: &Family, p: &PathIds) -> Result<u64, ApiError> {
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

pub(super) fn parent_field(f: &Family) -> Option<&'static str> {
    f.parent.map(|p| p.param)
}

pub(super) fn belongs(f: &Family, rec: &Map<String, Value>, parent: Option<u64>) -> bool {
    match (parent_field(f), parent) {
        (Some(field), Some(p)) => rec.get(field).and_then(Value::as_u64) == Some(p),
        _ => true,
    }
}

/// `ids=` of a bulk request as record numbers (400 when one is not an id of the family).
pub(super) fn ids_param(f: &Family, q: &Q) -> Result<Vec<u64>, ApiError> {
    let raw = q.get("ids").ok_or_else(|| ApiError::BadRequest {
        error: "ParameterMissing".into(),
        description: "param is missing or the value is empty: ids".into(),
    })?;
    raw.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| ids::parse(f, s).ok_or_else(|| ApiError::bad_param("ids", raw)))
        .collect()
}
