//! Search (`/search`): a linear scan with the query subset of [`super::search_query`];
//! count and export walk the `created_at` index ([`super::search_export`]).

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Value};

use super::search_query::{self, Query};
use crate::auth::Caller;
use crate::data::orgs::{Group, Organization};
use crate::data::table::Generate;
use crate::data::tickets::{self, Ticket, TicketOut, PRIORITIES, STATUSES};
use crate::data::users::User;
use crate::data::{Db, Seeds};
use crate::error::{ApiError, Obj};
use crate::extract::{enc, Base, Q};
use crate::state::SimState;

/// The most results a search can page through.
const SEARCH_CAP: u64 = 1000;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/search", get(search))
        .route("/api/v2/search/count", get(super::search_export::count))
        .route("/api/v2/search/export", get(super::search_export::export))
}

pub(super) const KINDS: [&str; 4] = ["ticket", "user", "organization", "group"];

/// A hit: `(kind index, sort key, id)`.
pub(super) type Hit = (usize, u64, u64);

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

/// The newest write search sees at `now`: writes lag by `search_lag_secs`.
pub(super) fn cutoff(st: &SimState) -> u64 {
    match st.quirks().search_lag_secs {
        0 => u64::MAX,
        lag => st.now_secs().saturating_sub(lag),
    }
}

pub(super) fn hits(db: &Db, s: &Seeds, query: &Query, sort: &str, cut: u64) -> Vec<Hit> {
    let mut out = Vec::new();
    if query.wants("ticket") {
        // The description is only needed for free text; custom fields never.
        let generate = if query.words.is_empty() {
            tickets::generate_light
        } else {
            <Ticket as Generate>::generate
        };
        for id in 1..=db.tickets.max_id() {
            if let Some(t) = db.tickets.get_indexed(s, id, cut, generate) {
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
        for id in 1..=db.users.max_id() {
            let u = db
                .users
                .get_indexed(s, id, cut, <User as Generate>::generate);
            if let Some(u) = u.filter(|u| query.user(u)) {
                out.push((1, time_key(u.created_at, u.updated_at), id));
            }
        }
    }
    if query.wants("organization") {
        for id in 1..=db.orgs.max_id() {
            let o = db
                .orgs
                .get_indexed(s, id, cut, <Organization as Generate>::generate);
            if let Some(o) = o.filter(|o| {
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
        for id in 1..=db.groups.max_id() {
            if let Some(g) = db
                .groups
                .get_indexed(s, id, cut, <Group as Generate>::generate)
                .filter(|g| query.named(&g.name, &[], g.created_at, g.ts, None))
            {
                out.push((3, time_key(g.created_at, g.ts), id));
            }
        }
    }
    out
}

/// A hit as the index holds it (see [`cutoff`]).
pub(super) fn render(db: &Db, s: &Seeds, base: &str, hit: Hit, cut: u64) -> Option<Value> {
    let (kind, _, id) = hit;
    let mut v = match kind {
        0 => {
            let t = db
                .tickets
                .get_indexed(s, id, cut, <Ticket as Generate>::generate)?;
            serde_json::to_value(TicketOut::plain(&t, base)).ok()?
        }
        1 => db
            .users
            .get_indexed(s, id, cut, <User as Generate>::generate)?
            .to_json(base),
        2 => db
            .orgs
            .get_indexed(s, id, cut, <Organization as Generate>::generate)?
            .to_json(base),
        _ => db
            .groups
            .get_indexed(s, id, cut, <Group as Generate>::generate)?
            .to_json(base),
    };
    v["result_type"] = json!(KINDS[kind]);
    Some(v)
}

/// Parses a scoped `include` (`tickets(users,organizations),users(identities)`) into
/// `(scope, names)` pairs; a bare name is scoped to every result type.
fn parse_scoped(raw: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = raw.trim();
    while !rest.is_empty() {
        let end = rest.find([',', '(']).unwrap_or(rest.len());
        let name = rest[..end].trim().to_string();
        if rest[end..].starts_with('(') {
            let close = rest[end..].find(')').map_or(rest.len(), |i| end + i);
            let inner = rest.get(end + 1..close).unwrap_or("");
            let names = inner
                .split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect();
            out.push((name, names));
            rest = rest.get(close + 1..).unwrap_or("");
        } else {
            if !name.is_empty() {
                out.push((String::new(), vec![name]));
            }
            rest = &rest[end..];
        }
        rest = rest.trim_start_matches([',', ' ']);
    }
    out
}

/// The scoped sideloads of a search page (`include=tickets(users,groups)`,
/// `users(organizations,identities)`), as top-level arrays like those of the tickets and
/// users endpoints. Each array appears once, from the first scope that asks for it.
fn scoped_sideloads(mut obj: Obj, db: &Db, s: &Seeds, base: &str, page: &[Hit], raw: &str) -> Obj {
    let scopes = parse_scoped(raw);
    let wanted = |scope: &str| -> Vec<String> {
        scopes
            .iter()
            .filter(|(sc, _)| sc.is_empty() || sc == scope)
            .flat_map(|(_, n)| n.iter().cloned())
            .collect()
    };
    let ticket_names = wanted("tickets");
    let tickets: Vec<Ticket> = page
        .iter()
        .filter(|h| h.0 == 0)
        .filter_map(|h| db.tickets.get(s, h.2))
        .collect();
    if !ticket_names.is_empty() && !tickets.is_empty() {
        obj = super::sideloads(obj, db, s, base, &tickets, &ticket_names);
    }
    let user_names: Vec<String> = wanted("users")
        .into_iter()
        .filter(|n| tickets.is_empty() || !ticket_names.contains(n))
        .collect();
    let users: Vec<_> = page
        .iter()
        .filter(|h| h.0 == 1)
        .filter_map(|h| db.users.get(s, h.2))
        .collect();
    if !user_names.is_empty() && !users.is_empty() {
        obj = super::user_sideloads(obj, db, s, base, &users, &user_names);
    }
    obj
}

pub(super) fn parse_query(q: &Q, db: &Db, s: &Seeds, caller: u64) -> Result<Query, ApiError> {
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
    let order = q.present("sort_order").or(query.sort.as_deref());
    let desc = !order.is_some_and(|o| o.trim().eq_ignore_ascii_case("asc"));
    let cut = cutoff(&st);
    let mut all = hits(&db, s, &query, sort, cut);
    if sort != "relevance" {
        all.sort_by_key(|h| (h.1, h.0, h.2));
        if desc {
            all.reverse();
        }
    }
    let start = ((page - 1) * per_page) as usize;
    let shown: Vec<Hit> = all
        .iter()
        .skip(start)
        .take(per_page as usize)
        .copied()
        .collect();
    let results: Vec<Value> = shown
        .iter()
        .filter_map(|h| render(&db, s, &base, *h, cut))
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
    let obj = Obj::new().field("results", &results);
    let obj = scoped_sideloads(obj, &db, s, &base, &shown, q.get("include").unwrap_or(""));
    Ok(obj
        .field("facets", &Value::Null)
        .field("next_page", &more.then(|| link(page + 1)))
        .field("previous_page", &(page > 1).then(|| link(page - 1)))
        .field("count", &all.len())
        .ok())
}
