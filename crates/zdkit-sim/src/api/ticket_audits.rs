//! `GET /api/v2/ticket_audits`: every ticket's audits, account-wide. Cursor pagination
//! only (`page[size]` up to 100, default 100), in (ticket id, audit id) order, answered
//! with `meta`/`links` and the older top-level `after_cursor`, `before_cursor`,
//! `after_url`, `before_url` the OAS shows. Deleted tickets' audits are not listed.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::paging::{cursor_token, parse_cursor};
use crate::error::{ApiError, Obj};
use crate::extract::{enc, Base, Q};
use crate::state::SimState;

const TAG: &str = "ta";

pub(crate) fn router() -> Router<SimState> {
    Router::new().route("/api/v2/ticket_audits", get(list))
}

fn bad(detail: &str) -> ApiError {
    ApiError::InvalidPaginationParameter(detail.to_string())
}

fn link(base: &str, q: &Q, key: &str, cursor: &str, size: usize) -> String {
    let mut parts: Vec<String> =
        q.0.iter()
            .filter(|(k, _)| !k.starts_with("page[") && k != "cursor" && k != "limit")
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
    parts.push(format!("{}={}", enc(key), enc(cursor)));
    parts.push(format!("{}={size}", enc("page[size]")));
    format!("{base}/api/v2/ticket_audits?{}", parts.join("&"))
}

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
        for tid in db.tickets.ids_before(s, b.0.saturating_add(1)) {
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
        'tickets: for tid in db.tickets.ids_after(s, start) {
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
    let after_c = keys_items.last().map(|(k, _)| cursor_token(TAG, *k));
    let before_c = keys_items.first().map(|(k, _)| cursor_token(TAG, *k));
    let next = after_c
        .as_ref()
        .map(|c| link(&base, &q, "page[after]", c, size));
    let prev = before_c
        .as_ref()
        .map(|c| link(&base, &q, "page[before]", c, size));
    let items: Vec<&Value> = keys_items.iter().map(|(_, v)| v).collect();
    Ok(Obj::new()
        .field("audits", &items)
        .field(
            "meta",
            &json!({"has_more": has_more, "after_cursor": after_c, "before_cursor": before_c}),
        )
        .field("links", &json!({"next": next, "prev": prev}))
        .field("after_cursor", &after_c)
        .field("before_cursor", &before_c)
        .field("after_url", &next)
        .field("before_url", &prev)
        .ok())
}
