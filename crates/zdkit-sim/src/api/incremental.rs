//! Incremental exports: cursor- and time-based, ordered by `(generated_timestamp, id)`,
//! never returning the most recent minute.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use super::paging::{cursor_token, parse_cursor, Key};
use super::{render_tickets, Sideloads};
use crate::data::comments::{generated_audits, Audit};
use crate::data::gen::MAX_TICKET_AGE_SECS;
use crate::data::table::{Generate, Table};
use crate::data::tickets::Ticket;
use crate::data::{Db, Seeds};
use crate::error::{ApiError, Obj};
use crate::extract::{enc, Base, Q};
use crate::state::SimState;

/// Records newer than this many seconds are never exported.
pub(crate) const EXCLUSION_SECS: u64 = 60;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/incremental/tickets/cursor", get(tickets_cursor))
        .route("/api/v2/incremental/tickets", get(tickets_time))
        .route("/api/v2/incremental/users/cursor", get(users_cursor))
        .route("/api/v2/incremental/users", get(users_time))
        .route("/api/v2/incremental/organizations", get(orgs_time))
        .route("/api/v2/incremental/ticket_events", get(ticket_events))
}

/// The required `start_time`; one within the last minute (or in the future) is 422
/// `InvalidValue` on the ticket and ticket-event exports.
pub(crate) fn start_time(q: &Q, now: u64) -> Result<u64, ApiError> {
    let start = q.start_time()?.ok_or_else(|| ApiError::BadRequest {
        error: "InvalidValue".to_string(),
        description: "start_time is required".to_string(),
    })?;
    if start > now.saturating_sub(EXCLUSION_SECS) {
        return Err(ApiError::InvalidValue(
            "Too recent start_time. Use a start_time older than 1 minute".to_string(),
        ));
    }
    Ok(start)
}

/// The required `start_time` of the users and organizations time-based exports, where a
/// recent one is accepted (and finds nothing newer than a minute ago): singer
/// tap-zendesk checks access with `start_time` = now and runs in production.
pub(crate) fn recent_ok_start_time(q: &Q) -> Result<u64, ApiError> {
    q.start_time()?.ok_or_else(|| ApiError::BadRequest {
        error: "InvalidValue".to_string(),
        description: "start_time is required".to_string(),
    })
}

fn per_page(q: &Q) -> Result<usize, ApiError> {
    Ok(q.u64("per_page")?.unwrap_or(1000).clamp(1, 1000) as usize)
}

fn link(base: &str, path: &str, q: &Q, key: &str, value: &str) -> String {
    let mut parts: Vec<String> =
        q.0.iter()
            .filter(|(k, _)| k != "start_time" && k != "cursor")
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
    parts.push(format!("{key}={}", enc(value)));
    format!("{base}{path}?{}", parts.join("&"))
}

/// One cursor page: `(keys, position after the page, end_of_stream)`.
fn cursor_scan<T: Generate>(
    t: &Table<T>,
    s: &Seeds,
    from: Key,
    n: usize,
    limit: u64,
    keep: impl Fn(Key) -> bool,
) -> (Vec<Key>, Key, bool) {
    let mut out = Vec::new();
    let mut last = from;
    for k in t.order_after(s, from) {
        if k.0 > limit {
            return (out, last, true);
        }
        if out.len() == n {
            return (out, last, false);
        }
        last = k;
        if keep(k) {
            out.push(k);
        }
    }
    (out, last, true)
}

/// One time-based page: `(keys incl. every tie of the last timestamp, end_time, end_of_stream)`.
fn time_scan<T: Generate>(
    t: &Table<T>,
    s: &Seeds,
    start: u64,
    n: usize,
    limit: u64,
    keep: impl Fn(Key) -> bool,
) -> (Vec<Key>, u64, bool) {
    let mut out: Vec<Key> = Vec::new();
    let mut eos = true;
    for k in t.order_after(s, (start, 0)) {
        if k.0 > limit {
            break;
        }
        if out.len() >= n && out.last().is_some_and(|l| l.0 != k.0) {
            eos = false;
            break;
        }
        if keep(k) {
            out.push(k);
        }
    }
    let mut end = out.last().map_or(start, |k| k.0);
    if !eos && end == start {
        // The whole page shares the start timestamp and every tie is in it: move on.
        end += 1;
    }
    (out, end, eos)
}

struct Export {
    cursor: bool,
    exclude_deleted: bool,
}

fn ticket_keep<'a>(db: &'a Db, s: &'a Seeds, exclude_deleted: bool) -> impl Fn(Key) -> bool + 'a {
    move |k: Key| !exclude_deleted || db.tickets.is_live(s, k.1)
}

fn tickets(st: &SimState, base: &str, q: &Q, how: Export) -> Result<Response, ApiError> {
    let now = st.now_secs();
    let limit = now.saturating_sub(EXCLUSION_SECS);
    let n = per_page(q)?;
    let s = st.seeds();
    let side = Sideloads::parse(&q.includes()).for_export();
    if how.cursor {
        let from = match q.present("cursor") {
            Some(c) => parse_cursor("xt", c).ok_or_else(|| {
                ApiError::InvalidPaginationParameter("cursor is not valid".into())
            })?,
            None => (start_time(q, now)?, 0),
        };
        let db = st.read();
        let (keys, last, eos) = cursor_scan(
            &db.tickets,
            s,
            from,
            n,
            limit,
            ticket_keep(&db, s, how.exclude_deleted),
        );
        let list: Vec<Ticket> = keys
            .iter()
            .filter_map(|k| db.tickets.get_any(s, k.1))
            .collect();
        let after = cursor_token("xt", last);
        let path = "/api/v2/incremental/tickets/cursor";
        let obj = render_tickets(Obj::new(), "tickets", &db, s, base, &list, side)
            .field("after_url", &link(base, path, q, "cursor", &after))
            .field("after_cursor", &after)
            .field("before_url", &Value::Null)
            .field("before_cursor", &Value::Null)
            .field("end_of_stream", &eos);
        return Ok(obj.ok());
    }
    let start = start_time(q, now)?;
    let db = st.read();
    let (keys, end, eos) = time_scan(
        &db.tickets,
        s,
        start,
        n,
        limit,
        ticket_keep(&db, s, how.exclude_deleted),
    );
    let list: Vec<Ticket> = keys
        .iter()
        .filter_map(|k| db.tickets.get_any(s, k.1))
        .collect();
    let obj = render_tickets(Obj::new(), "tickets", &db, s, base, &list, side)
        .field("count", &list.len())
        .field("end_time", &end)
        .field(
            "next_page",
            &link(
                base,
                "/api/v2/incremental/tickets",
                q,
                "start_time",
                &end.to_string(),
            ),
        )
        .field("end_of_stream", &eos);
    Ok(obj.ok())
}

async fn tickets_cursor(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let exclude_deleted = q.bool("exclude_deleted");
    tickets(
        &st,
        &base,
        &q,
        Export {
            cursor: true,
            exclude_deleted,
        },
    )
}

async fn tickets_time(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let exclude_deleted = q.bool("exclude_deleted");
    tickets(
        &st,
        &base,
        &q,
        Export {
            cursor: false,
            exclude_deleted,
        },
    )
}

async fn users_cursor(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let now = st.now_secs();
    let limit = now.saturating_sub(EXCLUSION_SECS);
    let n = per_page(&q)?;
    let from = match q.present("cursor") {
        Some(c) => parse_cursor("xu", c)
            .ok_or_else(|| ApiError::InvalidPaginationParameter("cursor is not valid".into()))?,
        None => (start_time(&q, now)?, 0),
    };
    let s = st.seeds();
    let db = st.read();
    let (keys, last, eos) = cursor_scan(&db.users, s, from, n, limit, |_| true);
    let users: Vec<_> = keys
        .iter()
        .filter_map(|k| db.users.get_any(s, k.1))
        .collect();
    let after = cursor_token("xu", last);
    // Sideloads (`include=identities`, …) as on the user lists.
    Ok(
        super::users_with_sideloads(Obj::new(), "users", &db, s, &base, &users, &q.includes())
            .field(
                "after_url",
                &link(
                    &base,
                    "/api/v2/incremental/users/cursor",
                    &q,
                    "cursor",
                    &after,
                ),
            )
            .field("after_cursor", &after)
            .field("before_url", &Value::Null)
            .field("before_cursor", &Value::Null)
            .field("end_of_stream", &eos)
            .ok(),
    )
}

fn time_export<T: Generate>(
    st: &SimState,
    base: &str,
    q: &Q,
    key: &str,
    table: impl Fn(&Db) -> &Table<T>,
    render: impl Fn(&T) -> Value,
) -> Result<Response, ApiError> {
    let now = st.now_secs();
    let limit = now.saturating_sub(EXCLUSION_SECS);
    let n = per_page(q)?;
    let start = recent_ok_start_time(q)?;
    let s = st.seeds();
    let db = st.read();
    let t = table(&db);
    let (keys, end, eos) = time_scan(t, s, start, n, limit, |_| true);
    let items: Vec<Value> = keys
        .iter()
        .filter_map(|k| t.get_any(s, k.1))
        .map(|r| render(&r))
        .collect();
    let path = format!("/api/v2/incremental/{key}");
    Ok(Obj::new()
        .field(key, &items)
        .field("count", &items.len())
        .field("end_time", &end)
        .field(
            "next_page",
            &link(base, &path, q, "start_time", &end.to_string()),
        )
        .field("end_of_stream", &eos)
        .ok())
}

async fn users_time(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    time_export(
        &st,
        &base,
        &q,
        "users",
        |db| &db.users,
        |u| u.to_json(&base),
    )
}

async fn orgs_time(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    time_export(
        &st,
        &base,
        &q,
        "organizations",
        |db| &db.orgs,
        |o| o.to_json(&base),
    )
}

/// The audits with `start <= created_at <= limit`, the first `n` plus ties, and whether
/// the stream ended.
fn audits_from(db: &Db, s: &Seeds, start: u64, n: usize, limit: u64) -> (Vec<Audit>, bool) {
    let mut cands: Vec<Audit> = Vec::new();
    // Generated audits happen within MAX_TICKET_AGE_SECS before their ticket's base
    // timestamp, so scan generated tickets from `start` until none can beat the n-th.
    let (mut lo, mut hi) = (1u64, s.tickets + 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if Ticket::base_ts(s, mid) >= start {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let mut bound = u64::MAX;
    let mut more = false;
    for (scanned, id) in (lo..=s.tickets).enumerate() {
        let earliest = Ticket::base_ts(s, id).saturating_sub(MAX_TICKET_AGE_SECS);
        if earliest > limit {
            break;
        }
        if earliest > bound {
            more = true;
            break;
        }
        let t = Ticket::generate(s, id);
        cands.extend(
            generated_audits(s, &t)
                .into_iter()
                .filter(|a| a.created_at >= start && a.created_at <= limit),
        );
        if cands.len() >= n && scanned % 64 == 0 {
            cands.sort_by_key(|a| (a.created_at, a.id));
            let nth = cands[n - 1].created_at;
            let before = cands.len();
            cands.retain(|a| a.created_at <= nth);
            more |= cands.len() < before;
            bound = nth;
        }
    }
    let mut taken = 0;
    for &(ts, aid, tid) in db.audit_order.range((start, 0, 0)..) {
        if ts > limit {
            break;
        }
        if taken >= n && ts > bound {
            more = true;
            break;
        }
        if let Some(a) = db
            .audits
            .get(&tid)
            .and_then(|v| v.iter().find(|a| a.id == aid))
        {
            cands.push(a.clone());
            taken += 1;
        }
    }
    cands.sort_by_key(|a| (a.created_at, a.id));
    if cands.len() > n {
        let last = cands[n - 1].created_at;
        let keep = cands.iter().take_while(|a| a.created_at <= last).count();
        more |= keep < cands.len();
        cands.truncate(keep);
    }
    (cands, !more)
}

async fn ticket_events(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let now = st.now_secs();
    let limit = now.saturating_sub(EXCLUSION_SECS);
    let n = per_page(&q)?;
    let start = start_time(&q, now)?;
    let comment_events = q.includes().iter().any(|i| i == "comment_events");
    let s = st.seeds();
    let db = st.read();
    let (audits, eos) = audits_from(&db, s, start, n, limit);
    let mut end = audits.last().map_or(start, |a| a.created_at);
    if !eos && end == start {
        end += 1;
    }
    let events: Vec<Value> = audits
        .iter()
        .map(|a| a.to_event_json(comment_events, &base))
        .collect();
    Ok(Obj::new()
        .field("ticket_events", &events)
        .field("count", &events.len())
        .field("end_time", &end)
        .field(
            "next_page",
            &link(
                &base,
                "/api/v2/incremental/ticket_events",
                &q,
                "start_time",
                &end.to_string(),
            ),
        )
        .field("end_of_stream", &eos)
        .ok())
}
