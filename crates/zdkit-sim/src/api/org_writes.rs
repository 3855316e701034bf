//! Updates of organizations, groups and ticket fields (`PUT {family}/{id}`), and
//! `PUT users/update_many` / `PUT organizations/update_many` (background jobs: a list of
//! records each with its `id`, or `?ids=` with one change for all).

use axum::extract::State;
use axum::response::Response;
use axum::routing::put;
use axum::{Extension, Router};
use serde_json::{Map, Value};

use super::ticket_writes::{enqueue, too_many};
use crate::auth::Caller;
use crate::data::jobs::JobOp;
use crate::data::org_writes;
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, ZJson, Q};
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/organizations/{id}", put(update_org))
        .route("/api/v2/groups/{id}", put(update_group))
        .route("/api/v2/ticket_fields/{id}", put(update_field))
        .route("/api/v2/users/update_many", put(users_update_many))
        .route("/api/v2/organizations/update_many", put(orgs_update_many))
}

fn input<'a>(body: &'a Value, key: &str) -> Result<&'a Map<String, Value>, ApiError> {
    body.get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::invalid(key, "BlankValue", format!("{key}: is missing")))
}

async fn update_org(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let now = st.now_secs();
    let o = org_writes::update_org(
        &mut st.write(),
        st.seeds(),
        now,
        id,
        input(&body, "organization")?,
    )?;
    Ok(Obj::new().field("organization", &o.to_json(&base)).ok())
}

async fn update_group(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let now = st.now_secs();
    let g = org_writes::update_group(&mut st.write(), st.seeds(), now, id, input(&body, "group")?)?;
    Ok(Obj::new().field("group", &g.to_json(&base)).ok())
}

async fn update_field(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let now = st.now_secs();
    let f = org_writes::update_field(
        &mut st.write(),
        st.seeds(),
        now,
        id,
        input(&body, "ticket_field")?,
    )?;
    Ok(Obj::new().field("ticket_field", &f.to_json(&base)).ok())
}

/// The updates of an `update_many` body: `?ids=` with `{singular: change}`, or
/// `{plural: [{id, ...}, ...]}`.
fn updates(
    q: &Q,
    body: &Value,
    singular: &str,
    plural: &str,
) -> Result<Vec<(u64, Value)>, ApiError> {
    let what = format!("{plural}/update_many");
    if let Some(ids) = q.ids("ids")? {
        if ids.len() > 100 {
            return Err(too_many(&what));
        }
        let change = Value::Object(input(body, singular)?.clone());
        return Ok(ids.into_iter().map(|id| (id, change.clone())).collect());
    }
    let items = body
        .get(plural)
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::invalid(plural, "BlankValue", format!("{plural}: is missing")))?;
    if items.len() > 100 {
        return Err(too_many(&what));
    }
    items
        .iter()
        .map(|item| {
            let id = item
                .get("id")
                .and_then(Value::as_u64)
                .ok_or_else(|| ApiError::invalid("id", "BlankValue", "Id: is missing"))?;
            Ok((id, item.clone()))
        })
        .collect()
}

async fn users_update_many(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    Base(base): Base,
    q: Q,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let op = JobOp::UpdateRecords("users", updates(&q, &body, "user", "users")?);
    Ok(enqueue(&st, &caller, &base, "bulk_update", op))
}

async fn orgs_update_many(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    Base(base): Base,
    q: Q,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let op = JobOp::UpdateRecords(
        "organizations",
        updates(&q, &body, "organization", "organizations")?,
    );
    Ok(enqueue(&st, &caller, &base, "bulk_update", op))
}
