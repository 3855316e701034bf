//! Search export (`/search/export`) and search count (`/search/count`) through each
//! table's `created_at` index ([`crate::data::table::Table::created_after`]): a page
//! costs the records it walks from its cursor (or the query's `created>=`), not the
//! account, so a million-ticket export stays cheap per page. Semantics are those of the
//! linear scan they replace: the index's lag ([`super::search::cutoff`]), archived tickets
//! included, deleted records absent, `(created_at, id)` order, cursors that expire.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use base64::Engine;
use serde_json::{json, Value};

use super::search::{cutoff, parse_query, render, Hit, KINDS};
use super::search_query::{Cond, Op, Query};
use crate::auth::Caller;
use crate::data::orgs::{Group, Organization};
use crate::data::table::{Generate, Table};
use crate::data::tickets::{self, Ticket};
use crate::data::users::User;
use crate::data::{Db, Seeds};
use crate::error::{ApiError, Obj};
use crate::extract::{enc, Base, Q};
use crate::state::SimState;

/// The `created_at` range `[lo, hi)` a query's `created` conditions allow (Unix seconds).
fn created_range(query: &Query) -> (u64, u64) {
    let (mut lo, mut hi) = (0u64, u64::MAX);
    for c in &query.conds {
        let Cond::Created(op, at, day) = *c else {
            continue;
        };
        let end = if day { 86_400 } else { 1 };
        let (l, h) = match op {
            Op::Eq => (at, at.saturating_add(end)),
            Op::Gt => (at.saturating_add(end), u64::MAX),
            Op::Ge => (at, u64::MAX),
            Op::Lt => (0, at),
            Op::Le => (0, at.saturating_add(end)),
        };
        lo = lo.max(l);
        hi = hi.min(h);
    }
    (lo, hi)
}

/// Whether the query is nothing but `created` conditions (a count then needs no record).
fn created_only(query: &Query) -> bool {
    query.words.is_empty() && query.conds.iter().all(|c| matches!(c, Cond::Created(..)))
}

/// Walks `table` in `(created_at, id)` order strictly after `after`, within the query's
/// `created` range, calling `visit` with each record the index holds (at `cut`) until it
/// returns `false`.
fn walk<T: Generate>(
    table: &Table<T>,
    s: &Seeds,
    query: &Query,
    after: (u64, u64),
    cut: u64,
    generate: fn(&Seeds, u64) -> T,
    mut visit: impl FnMut((u64, u64), T) -> bool,
) {
    let (lo, hi) = created_range(query);
    // Ids start at 1, so `(lo, 0)` excludes nothing created at `lo`.
    let start = after.max((lo, 0));
    for key in table.created_after(s, start) {
        if key.0 >= hi {
            break;
        }
        if let Some(r) = table.get_indexed(s, key.1, cut, generate) {
            if !visit(key, r) {
                break;
            }
        }
    }
}

/// Up to `take` hits of kind `kind` strictly after `after`, in export order.
fn page(
    db: &Db,
    s: &Seeds,
    query: &Query,
    kind: usize,
    after: (u64, u64),
    take: usize,
    cut: u64,
) -> Vec<Hit> {
    let mut out = Vec::new();
    let mut push = |key: (u64, u64), ok: bool| {
        if ok {
            out.push((kind, key.0, key.1));
        }
        out.len() < take
    };
    match kind {
        0 => {
            // The description is only needed for free text; custom fields never.
            let generate = if query.words.is_empty() {
                tickets::generate_light
            } else {
                <Ticket as Generate>::generate
            };
            walk(&db.tickets, s, query, after, cut, generate, |k, t| {
                push(k, query.ticket(&t))
            });
        }
        1 => walk(&db.users, s, query, after, cut, User::generate, |k, u| {
            push(k, query.user(&u))
        }),
        2 => walk(
            &db.orgs,
            s,
            query,
            after,
            cut,
            Organization::generate,
            |k, o| {
                let ok = query.named(
                    &o.name,
                    &o.tags,
                    o.created_at,
                    o.updated_at,
                    o.external_id.as_deref(),
                );
                push(k, ok)
            },
        ),
        _ => walk(&db.groups, s, query, after, cut, Group::generate, |k, g| {
            push(k, query.named(&g.name, &[], g.created_at, g.ts, None))
        }),
    }
    out
}

/// How many records of `table` the index holds in the query's `created` range; `matches`
/// decides for queries with more than `created` conditions.
fn count_in<T: Generate>(
    table: &Table<T>,
    s: &Seeds,
    query: &Query,
    cut: u64,
    matches: impl Fn(&T) -> bool,
) -> u64 {
    let (lo, hi) = created_range(query);
    let keys = table.created_after(s, (lo, 0)).take_while(|k| k.0 < hi);
    if created_only(query) {
        keys.filter(|k| table.is_indexed_live(s, k.1, cut)).count() as u64
    } else {
        keys.filter(|k| {
            table
                .get_indexed(s, k.1, cut, T::generate)
                .is_some_and(|r| matches(&r))
        })
        .count() as u64
    }
}

/// `GET /api/v2/search/count`.
pub(super) async fn count(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    q: Q,
) -> Result<Response, ApiError> {
    let s = st.seeds();
    let db = st.read();
    let query = parse_query(&q, &db, s, caller.user_id)?;
    let cut = cutoff(&st);
    let mut n = 0;
    if query.wants("ticket") {
        n += count_in(&db.tickets, s, &query, cut, |t| query.ticket(t));
    }
    if query.wants("user") {
        n += count_in(&db.users, s, &query, cut, |u| query.user(u));
    }
    if query.wants("organization") {
        n += count_in(&db.orgs, s, &query, cut, |o| {
            query.named(
                &o.name,
                &o.tags,
                o.created_at,
                o.updated_at,
                o.external_id.as_deref(),
            )
        });
    }
    if query.wants("group") {
        n += count_in(&db.groups, s, &query, cut, |g| {
            query.named(&g.name, &[], g.created_at, g.ts, None)
        });
    }
    Ok(Obj::new().field("count", &n).ok())
}

/// A search export cursor: the `(created_at, id)` of the last hit and when the cursor was
/// issued (it expires `search_cursor_ttl_secs` later, as Zendesk's does after an hour).
fn export_cursor(kind: usize, k: (u64, u64), issued: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("se{kind}:{}:{}:{issued}", k.0, k.1))
}

fn parse_export_cursor(kind: usize, token: &str) -> Option<((u64, u64), u64)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.split(':');
    if parts.next()? != format!("se{kind}") {
        return None;
    }
    let a = parts.next()?.parse().ok()?;
    let b = parts.next()?.parse().ok()?;
    let issued = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some(((a, b), issued))
}

/// The gateway timeout a slow search export page gets.
fn gateway_timeout() -> Response {
    let page = "<html><head><title>504 Gateway Time-out</title></head><body>\
                <h1>504 Gateway Time-out</h1></body></html>\n";
    let mut r = (axum::http::StatusCode::GATEWAY_TIMEOUT, page).into_response();
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// `GET /api/v2/search/export`.
pub(super) async fn export(
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
    let quirks = *st.quirks();
    let now = st.now_secs();
    let after = match q.present("page[after]") {
        Some(c) => {
            let (key, issued) = parse_export_cursor(kind_idx, c).ok_or_else(|| {
                ApiError::InvalidPaginationParameter("page[after] is not a valid cursor".into())
            })?;
            let ttl = quirks.search_cursor_ttl_secs;
            if ttl > 0 && now.saturating_sub(issued) > ttl {
                return Err(ApiError::InvalidPaginationParameter(format!(
                    "page[after] has expired: search export cursors are valid for {ttl} seconds"
                )));
            }
            Some(key)
        }
        None => None,
    };
    let s = st.seeds();
    let (obj, archived) = {
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
        let cut = cutoff(&st);
        // Ordered by created_at (then id), the only order search export has; one hit
        // past the page says whether there are more.
        let mut page = page(
            &db,
            s,
            &query,
            kind_idx,
            after.unwrap_or((0, 0)),
            size + 1,
            cut,
        );
        let has_more = page.len() > size;
        page.truncate(size);
        let archived = page
            .iter()
            .filter(|h| h.0 == 0 && st.is_archived(&db, h.2))
            .count() as u64;
        let results: Vec<Value> = page
            .iter()
            .filter_map(|h| render(&db, s, &base, *h, cut))
            .collect();
        let after_cursor = page
            .last()
            .map(|h| export_cursor(kind_idx, (h.1, h.2), now));
        let next = after_cursor.as_ref().filter(|_| has_more).map(|c| {
            let mut parts: Vec<String> =
                q.0.iter()
                    .filter(|(k, _)| k != "page[after]")
                    .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                    .collect();
            parts.push(format!("page%5Bafter%5D={}", enc(c)));
            format!("{base}/api/v2/search/export?{}", parts.join("&"))
        });
        let obj = Obj::new()
            .field("results", &results)
            .field("facets", &Value::Null)
            .field(
                "meta",
                &json!({"has_more": has_more, "after_cursor": after_cursor, "before_cursor": null}),
            )
            .field("links", &json!({"next": next, "prev": null}));
        (obj, archived)
    };
    // Archived tickets are slow to fetch: a page costs `search_export_archived_ms` per
    // archived ticket, and past `search_export_timeout_ms` the gateway gives up.
    let cost = archived.saturating_mul(quirks.search_export_archived_ms);
    let limit = quirks.search_export_timeout_ms;
    if limit > 0 && cost > limit {
        st.clock()
            .sleep(std::time::Duration::from_millis(limit))
            .await;
        return Ok(gateway_timeout());
    }
    if cost > 0 {
        st.clock()
            .sleep(std::time::Duration::from_millis(cost))
            .await;
    }
    Ok(obj.ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Quirks, SimConfig};
    use crate::data::table::Record;
    use crate::data::users::User;

    /// Every export page chain (several page sizes and `created` ranges) and every count
    /// equals the linear scan of `search::hits`, through creates, updates and deletes
    /// written before and inside the index lag.
    #[test]
    fn the_created_at_index_matches_the_linear_scan_through_writes() {
        let st = SimState::new(SimConfig {
            quirks: Quirks {
                search_lag_secs: 100,
                ..Quirks::default()
            },
            ..SimConfig::with_tickets(3_000)
        });
        let s = st.seeds().clone();
        let now = st.now_secs();
        {
            let mut db = st.write();
            for i in 0..400u64 {
                // Half the writes are inside the lag (invisible to the index yet).
                let at = if i % 2 == 0 {
                    now - 500 + i
                } else {
                    now - 50 + i % 40
                };
                match i % 4 {
                    0 => {
                        let id = db.tickets.alloc_id();
                        let mut t = Ticket::generate(&s, 1 + i);
                        (t.id, t.created_at, t.updated_at, t.ts) = (id, at, at, at);
                        db.tickets.put(&s, t);
                    }
                    1 | 2 => {
                        let id = 1 + (i * 7) % 3_000;
                        let mut t = db.tickets.get_any(&s, id).unwrap();
                        t.deleted = i % 4 == 2;
                        t.subject = format!("w{i}");
                        (t.updated_at, t.ts) = (at, at);
                        db.tickets.put(&s, t);
                    }
                    _ => {
                        let id = 20 + i % 200;
                        let mut u = db.users.get_any(&s, id).unwrap();
                        (u.updated_at, u.ts) = (at, at);
                        db.users.put(&s, u);
                        let id = db.users.alloc_id();
                        let mut u = User::generate(&s, 13);
                        (u.id, u.created_at, u.updated_at, u.ts) = (id, at, at, at);
                        db.users.put(&s, u);
                    }
                }
            }
        }
        let db = st.read();
        let cut = cutoff(&st);
        let mid = db.tickets.get_any(&s, 1_500).unwrap().created();
        for text in [
            String::new(),
            format!("created>={}", crate::data::gen::iso(mid)),
            format!(
                "created>={} created<{}",
                crate::data::gen::iso(mid - 86_400 * 30),
                crate::data::gen::iso(mid)
            ),
            "status:closed".to_string(),
        ] {
            for (kind, name) in KINDS.iter().enumerate() {
                let mut query = super::super::search_query::parse(&text, &db, &s, 1).unwrap();
                query.kind = Some((*name).to_string());
                let mut want = super::super::search::hits(&db, &s, &query, "created_at", cut);
                want.sort_by_key(|h| (h.1, h.2));
                for size in [1, 7, 1000] {
                    let mut got = Vec::new();
                    let mut after = (0, 0);
                    loop {
                        let p = page(&db, &s, &query, kind, after, size, cut);
                        let Some(last) = p.last() else { break };
                        after = (last.1, last.2);
                        got.extend(p);
                    }
                    assert_eq!(got, want, "{name} {text:?} pages of {size}");
                }
                let count = |q: &Query| {
                    let mut n = 0;
                    if q.wants("ticket") {
                        n += count_in(&db.tickets, &s, q, cut, |t| q.ticket(t));
                    }
                    if q.wants("user") {
                        n += count_in(&db.users, &s, q, cut, |u| q.user(u));
                    }
                    n
                };
                if kind < 2 {
                    assert_eq!(count(&query), want.len() as u64, "count {name} {text:?}");
                }
            }
        }
    }
}
