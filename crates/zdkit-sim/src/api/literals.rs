//! Literal paths next to the `{id}` routes of the core families, which would otherwise be
//! answered by them: `organizations/show_many|search|autocomplete|count`,
//! `users/count|autocomplete`, `users/{id}/related`, `groups/count|assignable`,
//! `ticket_fields/count`, `tickets/recent`.

use super::paging::OnePage;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use crate::data::gen::iso;
use crate::data::tickets::STATUSES;
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, Q};
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/organizations/show_many", get(orgs_show_many))
        .route("/api/v2/organizations/search", get(orgs_search))
        .route("/api/v2/organizations/autocomplete", get(orgs_autocomplete))
        .route("/api/v2/organizations/count", get(orgs_count))
        .route("/api/v2/users/count", get(users_count))
        .route("/api/v2/users/autocomplete", get(users_autocomplete))
        .route("/api/v2/users/{id}/related", get(user_related))
        .route("/api/v2/groups/count", get(groups_count))
        .route("/api/v2/groups/assignable", get(groups_assignable))
        .route("/api/v2/ticket_fields/count", get(fields_count))
}

fn count_body(st: &SimState, n: u64) -> Response {
    Obj::new()
        .field(
            "count",
            &json!({"value": n, "refreshed_at": iso(st.now_secs())}),
        )
        .ok()
}

fn offset_list(key: &str, items: Vec<Value>) -> Response {
    let n = items.len();
    Obj::new().field(key, &items).one_page(n as u64).ok()
}

/// The id a generated organization's name or external id encodes (`Acme Labs 17`, `org-17`).
fn org_id_of_name(name: &str) -> Option<u64> {
    name.rsplit(' ').next()?.parse().ok()
}

async fn orgs_show_many(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let s = st.seeds();
    let db = st.read();
    let items: Vec<Value> = if let Some(ids) = q.ids("ids")? {
        ids.into_iter()
            .take(100)
            .filter_map(|id| db.orgs.get(s, id))
            .map(|o| o.to_json(&base))
            .collect()
    } else if let Some(ext) = q.get("external_ids") {
        ext.split(',')
            .filter_map(|e| {
                let id = e.trim().strip_prefix("org-")?.parse().ok()?;
                db.orgs
                    .get(s, id)
                    .filter(|o| o.external_id.as_deref() == Some(e.trim()))
            })
            .take(100)
            .map(|o| o.to_json(&base))
            .collect()
    } else {
        return Err(ApiError::BadRequest {
            error: "ParameterMissing".into(),
            description: "param is missing or the value is empty: ids or external_ids".into(),
        });
    };
    Ok(offset_list("organizations", items))
}

/// Organizations matching `pred`, scanning ids ascending (at most `limit`).
fn scan_orgs(
    st: &SimState,
    base: &str,
    limit: usize,
    pred: impl Fn(&crate::data::orgs::Organization) -> bool,
) -> Vec<Value> {
    let s = st.seeds();
    let db = st.read();
    db.orgs
        .ids_after(s, 0)
        .filter_map(|id| db.orgs.get(s, id))
        .filter(|o| pred(o))
        .take(limit)
        .map(|o| o.to_json(base))
        .collect()
}

async fn orgs_search(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    if let Some(ext) = q.get("external_id") {
        let s = st.seeds();
        let db = st.read();
        // Generated external ids encode the id; written ones are found by a scan.
        let direct = ext
            .strip_prefix("org-")
            .and_then(|n| n.parse().ok())
            .and_then(|id| db.orgs.get(s, id))
            .filter(|o| {
                o.external_id
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(ext))
            });
        drop(db);
        let items = match direct {
            Some(o) => vec![o.to_json(&base)],
            None => scan_orgs(&st, &base, 100, |o| {
                o.external_id
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(ext))
            }),
        };
        return Ok(offset_list("organizations", items));
    }
    if let Some(name) = q.get("name") {
        let s = st.seeds();
        let db = st.read();
        let direct = org_id_of_name(name)
            .and_then(|id| db.orgs.get(s, id))
            .filter(|o| o.name.eq_ignore_ascii_case(name));
        drop(db);
        let items = match direct {
            Some(o) => vec![o.to_json(&base)],
            None => scan_orgs(&st, &base, 100, |o| o.name.eq_ignore_ascii_case(name)),
        };
        return Ok(offset_list("organizations", items));
    }
    Err(ApiError::BadRequest {
        error: "ParameterMissing".into(),
        description: "param is missing or the value is empty: external_id or name".into(),
    })
}

async fn orgs_autocomplete(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let name = q.get("name").unwrap_or("").trim().to_lowercase();
    if name.len() < 2 {
        return Err(ApiError::BadRequest {
            error: "InvalidValue".into(),
            description: "name must be at least 2 characters".into(),
        });
    }
    let per_page = q.u64("per_page")?.unwrap_or(100).clamp(1, 100) as usize;
    let items = scan_orgs(&st, &base, per_page, |o| {
        o.name.to_lowercase().starts_with(&name)
    });
    Ok(offset_list("organizations", items))
}

async fn orgs_count(State(st): State<SimState>) -> Response {
    let n = st.read().orgs.live_count();
    count_body(&st, n)
}

async fn users_count(State(st): State<SimState>, q: Q) -> Response {
    let roles: Vec<&str> =
        q.0.iter()
            .filter(|(k, _)| k == "role" || k == "role[]")
            .map(|(_, v)| v.as_str())
            .collect();
    let s = st.seeds();
    let db = st.read();
    let n = if roles.is_empty() {
        db.users.live_count()
    } else {
        db.users
            .ids_after(s, 0)
            .filter(|&id| db.users.get(s, id).is_some_and(|u| roles.contains(&u.role)))
            .count() as u64
    };
    drop(db);
    count_body(&st, n)
}

async fn users_autocomplete(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let name = q.get("name").unwrap_or("").trim().to_lowercase();
    if name.len() < 2 {
        return Err(ApiError::BadRequest {
            error: "InvalidValue".into(),
            description: "name must be at least 2 characters".into(),
        });
    }
    let s = st.seeds();
    let db = st.read();
    let users: Vec<Value> = db
        .users
        .ids_after(s, 0)
        .filter_map(|id| db.users.get(s, id))
        .filter(|u| {
            u.name
                .to_lowercase()
                .split(' ')
                .any(|w| w.starts_with(&name))
                || u.email.as_deref().is_some_and(|e| e.starts_with(&name))
        })
        .take(100)
        .map(|u| u.to_json(&base))
        .collect();
    Ok(offset_list("users", users))
}

/// `users/{id}/related`: ticket counts by role, from a scan of the tickets.
async fn user_related(State(st): State<SimState>, p: PathIds) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let s = st.seeds();
    let db = st.read();
    let user = db.users.get(s, id).ok_or(ApiError::RecordNotFound)?;
    let (mut requested, mut assigned, mut ccd) = (0u64, 0u64, 0u64);
    for tid in db.tickets.ids_after(s, 0) {
        let Some(t) = db
            .tickets
            .get_with(s, tid, crate::data::tickets::generate_light)
        else {
            continue;
        };
        requested += u64::from(t.requester_id == id);
        let open = STATUSES.iter().position(|x| *x == t.status) < Some(4);
        assigned += u64::from(t.assignee_id == Some(id) && open);
        ccd += u64::from(t.collaborator_ids.contains(&id));
    }
    let subs = u64::from(user.organization_id.is_some());
    Ok(Obj::new()
        .field(
            "user_related",
            &json!({
                "assigned_tickets": assigned,
                "requested_tickets": requested,
                "ccd_tickets": ccd,
                "organization_subscriptions": subs,
            }),
        )
        .ok())
}

async fn groups_count(State(st): State<SimState>) -> Response {
    let n = st.read().groups.live_count();
    count_body(&st, n)
}

async fn groups_assignable(State(st): State<SimState>, Base(base): Base) -> Response {
    let s = st.seeds();
    let db = st.read();
    let groups: Vec<Value> = db
        .groups
        .ids_after(s, 0)
        .filter_map(|id| db.groups.get(s, id))
        .map(|g| g.to_json(&base))
        .collect();
    offset_list("groups", groups)
}

async fn fields_count(State(st): State<SimState>) -> Response {
    let n = st.read().fields.live_count();
    count_body(&st, n)
}
