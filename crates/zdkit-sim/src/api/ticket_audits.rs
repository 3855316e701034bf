//! `GET /api/v2/ticket_audits`: every ticket's audits, account-wide. Cursor pagination
//! only (`page[size]` up to 100, default 100), in (ticket id, audit id) order, answered
//! with `meta`/`links` and the older top-level `after_cursor`, `before_cursor`,
//! `after_url`, `before_url` the OAS shows. Deleted and archived tickets' audits are not
//! listed (archived tickets are absent from the account-wide audits, as from `GET /tickets`).

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use super::paging::{cursor_token, envelope, parse_cursor, Envelope};
use crate::error::{ApiError, Obj};
use crate::extract::{Base, Q};
use crate::state::SimState;

const TAG: &str = "ta";

pub(crate) fn router() -> Router<SimState> {
    Router::new().route("/api/v2/ticket_audits", get(list))
}

fn bad(detail: &str) -> ApiError {
    ApiError::InvalidPaginationParameter(detail.to_string())
}

/// The parameters that select a page (dropped from the links).
const PAGING: &[&str] = &[
    "page[size]",
    "page[after]",
    "page[before]",
    "cursor",
    "limit",
];

async fn list(State(st): State<SimState>, Base(base): Base, q: Q) -> Result<Response, ApiError> {
    let size = match q.get("page[size]").or_else(|| q.get("limit")) {
        None => 100,
        Some(v) => {
            let n: usize = v
                .trim()
                .parse()
                .map_err(|_| bad("page[size] must be a number"))?;
            if n == 0 {
                return Err(bad("page[size] must be between 1 and 100"));
            }
            n.min(100)
        }
    };
    let cursor = |name: &str| -> Result<Option<(u64, u64)>, ApiError> {
        match q.get(name) {
            None | Some("") => Ok(None),
            Some(t) => parse_cursor(TAG, t)
                .map(Some)
                .ok_or_else(|| bad("not a valid ticket_audits cursor")),
        }
    };
    let after = cursor("page[after]")?.or(cursor("cursor")?);
    let before = cursor("page[before]")?;
    let s = st.seeds();
    let db = st.read();
    // Keys are (ticket id, audit id); walk tickets from the cursor's ticket.
    let mut keys_items: Vec<((u64, u64), Value)> = Vec::new();
    let has_more;
    if let (None, Some(b)) = (after, before) {
        let mut out: Vec<((u64, u64), Value)> = Vec::new();
        let tids = db.tickets.ids_before(s, b.0.saturating_add(1));
        for tid in tids.filter(|&id| !st.is_archived(&db, id)) {
            let Some(t) = db.tickets.get(s, tid) else {
                continue;
            };
            for a in db.ticket_audits(s, &t).iter().rev() {
                if (tid, a.id) < b {
                    out.push(((tid, a.id), a.to_json(&base)));
                }
            }
            if out.len() > size {
                break;
            }
        }
        has_more = out.len() > size;
        out.truncate(size);
        out.reverse();
        keys_items = out;
    } else {
        let from = after.unwrap_or((0, 0));
        let start = from.0.saturating_sub(1);
        let tids = db.tickets.ids_after(s, start);
        'tickets: for tid in tids.filter(|&id| !st.is_archived(&db, id)) {
            let Some(t) = db.tickets.get(s, tid) else {
                continue;
            };
            for a in db.ticket_audits(s, &t) {
                if (tid, a.id) > from {
                    keys_items.push(((tid, a.id), a.to_json(&base)));
                    if keys_items.len() > size {
                        break 'tickets;
                    }
                }
            }
        }
        has_more = keys_items.len() > size;
        keys_items.truncate(size);
    }
    let items: Vec<&Value> = keys_items.iter().map(|(_, v)| v).collect();
    let e = Envelope::Cursor {
        size,
        has_more,
        after: keys_items.last().map(|(k, _)| cursor_token(TAG, *k)),
        before: keys_items.first().map(|(k, _)| cursor_token(TAG, *k)),
        legacy: true,
    };
    let obj = Obj::new().field("audits", &items);
    Ok(envelope(obj, &e, &base, "/api/v2/ticket_audits", &q, PAGING).ok())
}
