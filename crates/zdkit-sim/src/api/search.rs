//! Search (`/search`, `/search/count`, `/search/export`): a linear scan with the query
//! subset of [`super::search_query`].

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Value};

use super::paging::{cursor_token, parse_cursor};
use super::search_query::{self, Query};
use crate::auth::Caller;
use crate::data::table::Generate;
use crate::data::tickets::{self, Ticket, TicketOut, PRIORITIES, STATUSES};
use crate::data::{Db, Seeds};
use crate::error::{ApiError, Obj};
use crate::extract::{enc, Base, Q};
use crate::state::SimState;

/// The most results a search can page through.
const SEARCH_CAP: u64 = 1000;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/search", get(search))
        .route("/api/v2/search/count", get(count))
        .route("/api/v2/search/export", get(export))
}

const KINDS: [&str; 4] = ["ticket", "user", "organization", "group"];

/// A hit: `(kind index, sort key, id)`.
type Hit = (usize, u64, u64);

/// The sort field: `sort_by=`, else `order_by:` in the query.
fn sort_key(q: &Q, query: &Query) -> Result<&'static str, ApiError> {
    let order_by = query.order_by.as_deref().map(|o| match o {
        "created" => "created_at",
        "updated" => "updated_at",
        other => other,
    });
    match q.get("sort_by").or(order_by) {
        None | Some("relevance") => Ok("relevance"),
        Some("created_at") => Ok("created_at"),
        Some("updated_at") => Ok("updated_at"),
        Some("priority") => Ok("priority"),
        Some("status") => Ok("status"),
        Some("ticket_type") => Ok("ticket_type"),
        Some(other) => Err(ApiError::bad_param("sort_by", other)),
    }
}

fn hits(db: &Db, s: &Seeds, query: &Query, sort: &str) -> Vec<Hit> {
    let mut out = Vec::new();
    if query.wants("ticket") {
        // The description is only needed for free text; custom fields never.
        let generate = if query.words.is_empty() {
            tickets::generate_light
        } else {
            <Ticket as Generate>::generate
        };
        for id in 1..=db.tickets.max_id() {
            if let Some(t) = db.tickets.get_with(s, id, generate) {
                if query.ticket(&t) {
                    let key = match sort {
                        "created_at" => t.created_at,
                        "updated_at" => t.updated_at,
                        "priority" => t
                            .priority
                            .and_then(|p| PRIORITIES.iter().position(|x| *x == p))
                            .map_or(0, |p| p as u64 + 1),
                        "status" => {
                            STATUSES.iter().position(|x| *x == t.status).unwrap_or(0) as u64
                        }
                        "ticket_type" => t.kind.map_or(0, |k| u64::from(k.as_bytes()[0])),
                        _ => 0,
                    };
                    out.push((0, key, id));
                }
            }
        }
    }
    let time_key = |created: u64, updated: u64| match sort {
        "created_at" => created,
        "updated_at" => updated,
        _ => 0,
    };
    if query.wants("user") {
        for id in db.users.ids_after(s, 0) {
            if let Some(u) = db.users.get(s, id).filter(|u| query.user(u)) {
                out.push((1, time_key(u.created_at, u.updated_at), id));
            }
        }
    }
    if query.wants("organization") {
        for id in db.orgs.ids_after(s, 0) {
            if let Some(o) = db.orgs.get(s, id).filter(|o| {
                query.named(
                    &o.name,
                    &o.tags,
                    o.created_at,
                    o.updated_at,
                    o.external_id.as_deref(),
                )
            }) {
                out.push((2, time_key(o.created_at, o.updated_at), id));
            }
        }
    }
    if query.wants("group") {
        for id in db.groups.ids_after(s, 0) {
            if let Some(g) = db
                .groups
                .get(s, id)
                .filter(|g| query.named(&g.name, &[], g.created_at, g.ts, None))
            {
                out.push((3, time_key(g.created_at, g.ts), id));
            }
        }
    }
    out
}

fn render(db: &Db, s: &Seeds, base: &str, hit: Hit) -> Option<Value> {
    let (kind, _, id) = hit;
    let mut v = match kind {
        0 => serde_json::to_value(TicketOut {
            t: &db.tickets.get(s, id)?,
            base,
            comment_count: false,
        })
        .ok()?,
        1 => db.users.get(s, id)?.to_json(base),
        2 => db.orgs.get(s, id)?.to_json(base),
        _ => db.groups.get(s, id)?.to_json(base),
    };
    v["result_type"] = json!(KINDS[kind]);
    Some(v)
}

fn parse_query(q: &Q, db: &Db, s: &Seeds, caller: u64) -> Result<Query, ApiError> {
    let text = q.get("query").unwrap_or("");
    search_query::parse(text, db, s, caller).map_err(|e| ApiError::BadRequest {
        error: "invalid".to_string(),
        description: format!("Invalid search query: {e}"),
    })
}

async fn search(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let page = q.u64("page")?.unwrap_or(1).max(1);
    let per_page = q.u64("per_page")?.unwrap_or(100).clamp(1, 100);
    if page.saturating_mul(per_page) > SEARCH_CAP {
        return Err(ApiError::SearchResponseLimit);
    }
    let s = st.seeds();
    let db = st.read();
    let query = parse_query(&q, &db, s, caller.user_id)?;
    let sort = sort_key(&q, &query)?;
    let desc = !matches!(q.get("sort_order").or(query.sort.as_deref()), Some("asc"));
    let mut all = hits(&db, s, &query, sort);
    if sort != "relevance" {
        all.sort_by_key(|h| (h.1, h.0, h.2));
        if desc {
            all.reverse();
        }
    }
    let start = ((page - 1) * per_page) as usize;
    let results: Vec<Value> = all
        .iter()
        .skip(start)
        .take(per_page as usize)
        .filter_map(|h| render(&db, s, &base, *h))
        .collect();
    let more = all.len() > start + per_page as usize && page * per_page < SEARCH_CAP;
    let link = |p: u64| {
        let mut parts: Vec<String> =
            q.0.iter()
                .filter(|(k, _)| k != "page" && k != "per_page")
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect();
        parts.push(format!("page={p}&per_page={per_page}"));
        format!("{base}/api/v2/search?{}", parts.join("&"))
    };
    Ok(Obj::new()
        .field("results", &results)
        .field("facets", &Value::Null)
        .field("next_page", &more.then(|| link(page + 1)))
        .field("previous_page", &(page > 1).then(|| link(page - 1)))
        .field("count", &all.len())
        .ok())
}

async fn count(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    q: Q,
) -> Result<Response, ApiError> {
    let s = st.seeds();
    let db = st.read();
    let query = parse_query(&q, &db, s, caller.user_id)?;
    let n = hits(&db, s, &query, "relevance").len();
    Ok(Obj::new().field("count", &n).ok())
}

async fn export(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let kind = q.get("filter[type]").ok_or_else(|| ApiError::BadRequest {
        error: "InvalidParameter".to_string(),
        description: "filter[type] is required".to_string(),
    })?;
    let Some(kind_idx) = KINDS.iter().position(|k| *k == kind) else {
        return Err(ApiError::bad_param("filter[type]", kind));
    };
    let size = match q.u64("page[size]")? {
        None => 100,
        Some(n) if (1..=1000).contains(&n) => n as usize,
        Some(_) => {
            return Err(ApiError::InvalidPaginationParameter(
                "page[size] must be between 1 and 1000".into(),
            ))
        }
    };
    let tag = format!("s{kind_idx}");
    let after = match q.get("page[after]") {
        Some(c) => Some(parse_cursor(&tag, c).ok_or_else(|| {
            ApiError::InvalidPaginationParameter("page[after] is not a valid cursor".into())
        })?),
        None => None,
    };
    let s = st.seeds();
    let db = st.read();
    let mut query = parse_query(&q, &db, s, caller.user_id)?;
    if query.kind.is_some() {
        return Err(ApiError::BadRequest {
            error: "InvalidParameter".to_string(),
            description: "type: is not allowed in the query of an export; use filter[type]"
                .to_string(),
        });
    }
    query.kind = Some(kind.to_string());
    let mut all = hits(&db, s, &query, "created_at");
    all.sort_by_key(|h| (h.1, h.2));
    let from = after.map_or(0, |k| all.partition_point(|h| (h.1, h.2) <= k));
    let page: Vec<Hit> = all.iter().skip(from).take(size).copied().collect();
    let has_more = all.len() > from + size;
    let results: Vec<Value> = page
        .iter()
        .filter_map(|h| render(&db, s, &base, *h))
        .collect();
    let after_cursor = page.last().map(|h| cursor_token(&tag, (h.1, h.2)));
    let next = after_cursor.as_ref().filter(|_| has_more).map(|c| {
        let mut parts: Vec<String> =
            q.0.iter()
                .filter(|(k, _)| k != "page[after]")
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect();
        parts.push(format!("page%5Bafter%5D={}", enc(c)));
        format!("{base}/api/v2/search/export?{}", parts.join("&"))
    });
    Ok(Obj::new()
        .field("results", &results)
        .field("facets", &Value::Null)
        .field(
            "meta",
            &json!({"has_more": has_more, "after_cursor": after_cursor, "before_cursor": null}),
        )
        .field("links", &json!({"next": next, "prev": null}))
        .ok())
}
