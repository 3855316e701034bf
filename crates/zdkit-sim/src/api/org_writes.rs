//! Updates of organizations, groups and ticket fields (`PUT {family}/{id}`), and
//! `PUT users/update_many` / `PUT organizations/update_many` (background jobs: a list of
//! records each with its `id`, or `?ids=` with one change for all).

use axum::extract::State;
use axum::response::Response;
use axum::routing::put;
use axum::{Extension, Router};

use super::ticket_writes::enqueue;
use super::write_body::{record, updates};
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
        record(&body, "organization")?,
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
    let g = org_writes::update_group(
        &mut st.write(),
        st.seeds(),
        now,
        id,
        record(&body, "group")?,
    )?;
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
        record(&body, "ticket_field")?,
    )?;
    Ok(Obj::new().field("ticket_field", &f.to_json(&base)).ok())
}

async fn users_update_many(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    Base(base): Base,
    q: Q,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let op = JobOp::UpdateRecords("users", updates(&q, &body, "user", "users")?.0);
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
        updates(&q, &body, "organization", "organizations")?.0,
    );
    Ok(enqueue(&st, &caller, &base, "bulk_update", op))
}
