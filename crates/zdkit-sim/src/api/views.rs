//! Views beyond the generic collection: `views/{id}/count`, `views/count_many`,
//! `views/{id}/tickets` and `views/{id}/execute`, evaluating the view's conditions on the
//! tickets. Supported condition fields: `status`, `priority`, `type` (`is`, `is_not`,
//! `less_than`, `greater_than`), `assignee_id`, `group_id`, `requester_id`,
//! `organization_id` (`is`/`is_not`; `""` is none, `current_user` the caller),
//! `current_tags` (`includes`/`not_includes`); other conditions are treated as met.
//! Counts scan the tickets: exactly up to [`COUNT_SCAN`] tickets, extrapolated beyond
//! (with `"fresh": false`, as Zendesk's cached counts say).

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::paging::{self, Mode, SortBy};
use crate::auth::Caller;
use crate::data::coll::{ids, Ctx};
use crate::data::tickets::{generate_light, Ticket, TicketOut, PRIORITIES, STATUSES, TYPES};
use crate::data::{Db, Seeds};
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, Q};
use crate::state::SimState;

/// Counts scan at most this many tickets exactly.
pub(crate) const COUNT_SCAN: u64 = 200_000;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/views/{id}/count", get(count))
        .route("/api/v2/views/count_many", get(count_many))
        .route("/api/v2/views/{id}/tickets", get(tickets))
        .route("/api/v2/views/{id}/execute", get(execute))
}

fn family() -> &'static zdkit_catalog::Family {
    zdkit_catalog::family("views").expect("the catalogue has views")
}

/// The view record `n` (404 when absent).
fn view(st: &SimState, db: &Db, n: u64) -> Result<Map<String, Value>, ApiError> {
    let cx = Ctx { s: st.seeds(), db };
    db.colls
        .get("views")
        .and_then(|c| c.get(cx, n))
        .ok_or(ApiError::RecordNotFound)
}

fn view_id(p: &PathIds) -> Result<u64, ApiError> {
    p.0.first()
        .and_then(|s| ids::parse(family(), s))
        .ok_or(ApiError::RecordNotFound)
}

fn rank(list: &[&str], v: &str) -> Option<usize> {
    list.iter().position(|x| *x == v)
}

fn id_matches(got: Option<u64>, want: &Value, caller: u64) -> bool {
    match want {
        Value::String(s) if s.is_empty() => got.is_none(),
        Value::String(s) if s == "current_user" => got == Some(caller),
        Value::String(s) => s.parse::<u64>().ok() == got && got.is_some(),
        Value::Number(n) => n.as_u64() == got && got.is_some(),
        Value::Null => got.is_none(),
        _ => true,
    }
}

fn condition(t: &Ticket, c: &Value, caller: u64) -> bool {
    let field = c["field"].as_str().unwrap_or("");
    let op = c["operator"].as_str().unwrap_or("is");
    let value = &c["value"];
    let ordered = |list: &[&str], got: Option<&str>| -> bool {
        let want = value.as_str().unwrap_or("");
        let (g, w) = (got.and_then(|g| rank(list, g)), rank(list, want));
        match op {
            "is" => got == Some(want),
            "is_not" => got != Some(want),
            "less_than" => matches!((g, w), (Some(g), Some(w)) if g < w),
            "greater_than" => matches!((g, w), (Some(g), Some(w)) if g > w),
            _ => true,
        }
    };
    let ids = |got: Option<u64>| -> bool {
        let m = id_matches(got, value, caller);
        match op {
            "is" => m,
            "is_not" => !m,
            _ => true,
        }
    };
    match field {
        "status" => ordered(STATUSES, Some(t.status)),
        "priority" => ordered(PRIORITIES, t.priority),
        "type" => ordered(TYPES, t.kind),
        "assignee_id" => ids(t.assignee_id),
        "group_id" => ids(t.group_id),
        "requester_id" => ids(Some(t.requester_id)),
        "organization_id" => ids(t.organization_id),
        "current_tags" => {
            let want: Vec<&str> = value.as_str().unwrap_or("").split_whitespace().collect();
            let any = want.iter().any(|w| t.tags.iter().any(|x| x == w));
            match op {
                "includes" => any,
                "not_includes" => !any,
                _ => true,
            }
        }
        _ => true,
    }
}

/// Whether ticket `t` is in the view (`conditions.all` all met, and one of
/// `conditions.any` when there are any).
fn matches(view: &Map<String, Value>, t: &Ticket, caller: u64) -> bool {
    let conds = &view["conditions"];
    let all = conds["all"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let any = conds["any"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    all.iter().all(|c| condition(t, c, caller))
        && (any.is_empty() || any.iter().any(|c| condition(t, c, caller)))
}

fn live_ticket(db: &Db, s: &Seeds, id: u64) -> Option<Ticket> {
    db.tickets.get_with(s, id, generate_light)
}

/// `(count, exact)` of the tickets in a view (archived tickets are not in views).
fn count_of(st: &SimState, db: &Db, view: &Map<String, Value>, caller: u64) -> (u64, bool) {
    let s = st.seeds();
    let mut hits = 0u64;
    for (scanned, id) in (0u64..).zip(db.tickets.ids_after(s, 0)) {
        if scanned >= COUNT_SCAN {
            let total = db.tickets.live_count();
            return (
                (hits as u128 * total as u128 / scanned.max(1) as u128) as u64,
                false,
            );
        }
        if !st.is_archived(db, id)
            && live_ticket(db, s, id).is_some_and(|t| matches(view, &t, caller))
        {
            hits += 1;
        }
    }
    (hits, true)
}

fn count_json(base: &str, n: u64, (value, exact): (u64, bool), active: bool) -> Value {
    let wire = ids::render(family(), n);
    json!({
        "view_id": wire,
        "url": format!("{base}/api/v2/views/{n}/count.json"),
        "value": value,
        "pretty": if exact { value.to_string() } else { format!("~{value}") },
        "fresh": exact,
        "active": active,
    })
}

async fn count(
    State(st): State<SimState>,
    Extension(c): Extension<Caller>,
    Base(base): Base,
    p: PathIds,
) -> Result<Response, ApiError> {
    let n = view_id(&p)?;
    let db = st.read();
    let v = view(&st, &db, n)?;
    let active = v["active"].as_bool().unwrap_or(true);
    let value = count_of(&st, &db, &v, c.user_id);
    Ok(Obj::new()
        .field("view_count", &count_json(&base, n, value, active))
        .ok())
}

async fn count_many(
    State(st): State<SimState>,
    Extension(c): Extension<Caller>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let raw = q.get("ids").ok_or_else(|| ApiError::BadRequest {
        error: "ParameterMissing".into(),
        description: "param is missing or the value is empty: ids".into(),
    })?;
    let db = st.read();
    let mut out = Vec::new();
    for n in raw
        .split(',')
        .filter_map(|s| ids::parse(family(), s))
        .take(20)
    {
        if let Ok(v) = view(&st, &db, n) {
            let active = v["active"].as_bool().unwrap_or(true);
            out.push(count_json(
                &base,
                n,
                count_of(&st, &db, &v, c.user_id),
                active,
            ));
        }
    }
    Ok(Obj::new().field("view_counts", &out).ok())
}

/// How a view's tickets are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ViewSort {
    /// Ticket id (`id`, `nice_id`, and columns the simulator cannot sort by).
    Id,
    /// `updated_at` / `updated`: the tickets' update index (see `simulator-catalogue.md`).
    Updated,
    /// Any other column: the matching tickets are scanned and sorted.
    Field(&'static str),
}

/// The sort of a view's tickets: the `sort_by` / `sort_order` parameters, else the view's
/// `execution.sort_by` / `execution.sort_order` ("List Tickets From a View": "Sort or
/// group the tickets by a column in the View columns table").
fn view_sort(v: &Map<String, Value>, q: &Q) -> Result<(ViewSort, bool), ApiError> {
    let exec = v.get("execution");
    let by = q
        .present("sort_by")
        .map(str::to_string)
        .or_else(|| exec.and_then(|e| e["sort_by"].as_str()).map(str::to_string))
        .unwrap_or_default();
    // A `sort_by` without `sort_order` sorts ascending; neither: the view's own order.
    let order = match (q.present("sort_order"), q.present("sort_by")) {
        (Some(_), _) => paging::sort_order(q)?,
        (None, Some(_)) => false,
        (None, None) => exec
            .and_then(|e| e["sort_order"].as_str())
            .is_some_and(|o| o.eq_ignore_ascii_case("desc")),
    };
    let sort = match by.as_str() {
        "updated_at" | "updated" => ViewSort::Updated,
        "created_at" | "created" => ViewSort::Field("created_at"),
        "status" => ViewSort::Field("status"),
        "priority" => ViewSort::Field("priority"),
        "type" | "ticket_type" => ViewSort::Field("type"),
        "subject" => ViewSort::Field("subject"),
        "requester" | "requester_id" => ViewSort::Field("requester_id"),
        "assignee" | "assignee_id" => ViewSort::Field("assignee_id"),
        "group" | "group_id" => ViewSort::Field("group_id"),
        "due_date" | "due_at" => ViewSort::Field("due_at"),
        _ => ViewSort::Id,
    };
    Ok((sort, order))
}

/// An order-preserving number for column `field` of `t` (strings by their first 8 bytes,
/// case-folded; ties go by id).
fn sort_rank(t: &Ticket, field: &str) -> u64 {
    let pos =
        |list: &[&str], v: Option<&str>| v.and_then(|v| rank(list, v)).map_or(0, |p| p as u64 + 1);
    match field {
        "created_at" => t.created_at,
        "status" => pos(STATUSES, Some(t.status)),
        "priority" => pos(PRIORITIES, t.priority),
        "type" => pos(TYPES, t.kind),
        "requester_id" => t.requester_id,
        "assignee_id" => t.assignee_id.unwrap_or(0),
        "group_id" => t.group_id.unwrap_or(0),
        "due_at" => t.due_at.unwrap_or(0),
        _ => {
            let mut b = [0u8; 8];
            for (slot, c) in b.iter_mut().zip(t.subject.to_lowercase().bytes()) {
                *slot = c;
            }
            u64::from_be_bytes(b)
        }
    }
}

/// The page of tickets in the view, in the view's sort (see [`view_sort`]), cursor or
/// offset; archived tickets are left out, as Zendesk's views do. Returns the cursor tag
/// used (it names the sort, so a cursor of another sort is refused).
fn page_of_view(
    st: &SimState,
    db: &Db,
    view_rec: &Map<String, Value>,
    q: &Q,
    tag: &str,
    caller: u64,
) -> Result<(paging::Page, Vec<Ticket>, String), ApiError> {
    let s = st.seeds();
    let (sort, desc) = view_sort(view_rec, q)?;
    let tag = match sort {
        ViewSort::Id => format!("{tag}i{}", u8::from(desc)),
        ViewSort::Updated => format!("{tag}u{}", u8::from(desc)),
        ViewSort::Field(f) => format!("{tag}{f}{}", u8::from(desc)),
    };
    let mode = paging::mode(q, &tag, 100)?;
    let keep = |id: u64| {
        !st.is_archived(db, id)
            && live_ticket(db, s, id).is_some_and(|t| matches(view_rec, &t, caller))
    };
    let count = matches!(mode, Mode::Offset { .. }).then(|| count_of(st, db, view_rec, caller).0);
    let page = match sort {
        ViewSort::Id => paging::page_where(&db.tickets, s, mode, SortBy::Id, desc, &keep, count),
        ViewSort::Updated => {
            paging::page_where(&db.tickets, s, mode, SortBy::UpdatedAt, desc, &keep, count)
        }
        ViewSort::Field(field) => {
            let mut keys: Vec<paging::Key> = db
                .tickets
                .ids_after(s, 0)
                .take(COUNT_SCAN as usize)
                .filter(|&id| !st.is_archived(db, id))
                .filter_map(|id| live_ticket(db, s, id).map(|t| (id, t)))
                .filter(|(_, t)| matches(view_rec, t, caller))
                .map(|(id, t)| (sort_rank(&t, field), id))
                .collect();
            keys.sort_unstable();
            let mut p = paging::keys_page(&keys, mode, desc);
            if let Some(c) = count {
                p.count = c;
            }
            p
        }
    };
    let tickets: Vec<Ticket> = page
        .keys
        .iter()
        .filter_map(|k| db.tickets.get(s, k.1))
        .collect();
    Ok((page, tickets, tag))
}

async fn tickets(
    State(st): State<SimState>,
    Extension(c): Extension<Caller>,
    Base(base): Base,
    p: PathIds,
    q: Q,
) -> Result<Response, ApiError> {
    let n = view_id(&p)?;
    let db = st.read();
    let v = view(&st, &db, n)?;
    let (page, list, tag) = page_of_view(&st, &db, &v, &q, &format!("v{n}"), c.user_id)?;
    let obj = super::tickets_with_sideloads(
        Obj::new(),
        "tickets",
        &db,
        st.seeds(),
        &base,
        &list,
        &q.includes(),
    );
    let path = format!("/api/v2/views/{n}/tickets");
    Ok(paging::finish(obj, &page, &tag, &base, &path, &q).ok())
}

/// The columns of a view's execution (`execution.columns`).
fn columns(v: &Map<String, Value>) -> Vec<Value> {
    v.get("execution")
        .and_then(|e| e.get("columns"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

async fn execute(
    State(st): State<SimState>,
    Extension(c): Extension<Caller>,
    Base(base): Base,
    p: PathIds,
    q: Q,
) -> Result<Response, ApiError> {
    let n = view_id(&p)?;
    let db = st.read();
    let v = view(&st, &db, n)?;
    let (page, list, tag) = page_of_view(&st, &db, &v, &q, &format!("x{n}"), c.user_id)?;
    let cols = columns(&v);
    let rows: Vec<Value> = list
        .iter()
        .map(|t| {
            let ticket = serde_json::to_value(TicketOut::plain(t, &base)).unwrap_or(Value::Null);
            let mut row = Map::new();
            row.insert("ticket_id".into(), json!(t.id));
            for col in &cols {
                let id = col["id"].as_str().unwrap_or("");
                let val = match id {
                    "requester" => json!(t.requester_id),
                    "assignee" => json!(t.assignee_id),
                    "group" => json!(t.group_id),
                    "updated" => ticket["updated_at"].clone(),
                    "created" => ticket["created_at"].clone(),
                    other => ticket.get(other).cloned().unwrap_or(Value::Null),
                };
                row.insert(id.to_string(), val);
            }
            row.insert(
                "ticket".into(),
                json!({"id": t.id, "subject": t.subject, "description": t.subject,
                       "status": t.status, "type": t.kind, "priority": t.priority,
                       "url": ticket["url"]}),
            );
            Value::Object(row)
        })
        .collect();
    let mut view_json = v.clone();
    let wire = ids::render(family(), n);
    view_json.insert("url".into(), json!(format!("{base}/api/v2/views/{n}.json")));
    view_json.insert("id".into(), wire);
    let obj = Obj::new()
        .field("rows", &rows)
        .field("columns", &cols)
        .field("groups", &Vec::<Value>::new())
        .field("view", &view_json);
    let path = format!("/api/v2/views/{n}/execute");
    Ok(paging::finish(obj, &page, &tag, &base, &path, &q).ok())
}
