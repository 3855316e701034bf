//! `GET /api/v2/incremental/ticket_metric_events?start_time=`: a time-based export of
//! ticket metric events (up to 1,000 per page, oldest first, `end_time`, `next_page`,
//! `count`, `end_of_stream`), charged to the incremental-exports bucket like the other
//! exports. Each ticket has `activate` events of `reply_time`, `agent_work_time` and
//! `requester_wait_time` at its creation, a `fulfill` of `reply_time` at its first reply,
//! and `fulfill` events of the other two when it is first solved or closed. Events newer
//! than the exports' one-minute exclusion window are left for the next page.
//!
//! Like Zendesk's, the log only grows: an event, once it happened, keeps its time whatever
//! happens to the ticket later (a generated ticket's history comes from the ticket as
//! generated, a written one's from its written audits: the one that brought the second
//! comment, the first that solved it), so an incremental export from a checkpoint sees
//! every event a full export does.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use crate::data::gen::{hash, iso, MAX_TICKET_AGE_SECS};
use crate::data::tickets::{generate_light, Ticket};
use crate::data::{Db, Seeds, KIND_TICKET};
use crate::error::{ApiError, Obj};
use crate::extract::{enc, Base, Q};
use crate::state::SimState;

const PAGE: usize = 1000;

pub(crate) fn router() -> Router<SimState> {
    Router::new().route("/api/v2/incremental/ticket_metric_events", get(export))
}

type Event = (u64, u64, u64, &'static str, &'static str);

/// `(time, id, ticket, metric, type)` of ticket `t`'s events (`t` as it is now; its
/// history from the generated ticket and the written audits).
fn events(s: &Seeds, db: &Db, t: &Ticket) -> Vec<Event> {
    let generated = (t.id <= db.tickets.base_count()).then(|| generate_light(s, t.id));
    let mut reply = None;
    let mut solved = None;
    if let Some(g) = &generated {
        let life = g.updated_at.saturating_sub(g.created_at).max(1);
        if g.comments > 1 {
            reply = Some(g.created_at + hash(s.seed, KIND_TICKET, g.id, 0x3E7) % life);
        }
        if matches!(g.status, "solved" | "closed") {
            solved = Some(g.updated_at);
        }
    }
    if let Some(written) = db.audits.get(&t.id) {
        let mut comments = generated.as_ref().map_or(0, |g| g.comments);
        for a in written {
            if a.comment.is_some() {
                comments += 1;
                if comments == 2 && reply.is_none() {
                    reply = Some(a.created_at);
                }
            }
            let solves = a.changes.iter().any(|(_, field, value, _)| {
                field == "status" && matches!(value.as_str(), Some("solved" | "closed"))
            });
            if solves && solved.is_none() {
                solved = Some(a.created_at);
            }
        }
    }
    history(t, reply, solved)
}

/// The events of `t` given when it was first replied to and first solved.
fn history(t: &Ticket, reply: Option<u64>, solved: Option<u64>) -> Vec<Event> {
    let base = t.id * 16;
    let mut out = vec![
        (t.created_at, base + 1, t.id, "reply_time", "activate"),
        (t.created_at, base + 2, t.id, "agent_work_time", "activate"),
        (
            t.created_at,
            base + 3,
            t.id,
            "requester_wait_time",
            "activate",
        ),
    ];
    if let Some(reply) = reply {
        out.push((reply, base + 4, t.id, "reply_time", "fulfill"));
    }
    if let Some(at) = solved {
        out.push((at, base + 5, t.id, "agent_work_time", "fulfill"));
        out.push((at, base + 6, t.id, "requester_wait_time", "fulfill"));
    }
    out
}

async fn export(State(st): State<SimState>, Base(base): Base, q: Q) -> Result<Response, ApiError> {
    let now = st.now_secs();
    // A recent start_time finds nothing rather than 422: singer tap-zendesk checks
    // access with start_time = now here, in production.
    let start = super::incremental::recent_ok_start_time(&q)?;
    let cutoff = now.saturating_sub(60);
    let include_changes = q.bool("include_changes");
    let s = st.seeds();
    let db = st.read();
    let mut found: Vec<Event> = Vec::new();
    // Every event of a generated ticket lies within a week before its generated
    // timestamp; written tickets (few) are taken whole below, wherever their history lies.
    let from = (start.saturating_sub(MAX_TICKET_AGE_SECS), 0);
    let in_range = |e: &Event| e.0 >= start && e.0 < cutoff;
    for (ts, id) in db.tickets.order_after(s, from) {
        if found.len() >= PAGE {
            found.sort_unstable();
            let kth = found[PAGE - 1].0;
            if ts.saturating_sub(MAX_TICKET_AGE_SECS) > kth {
                break;
            }
        }
        if db.tickets.is_written_id(id) || id > db.tickets.base_count() {
            continue;
        }
        let t = generate_light(s, id);
        found.extend(events(s, &db, &t).into_iter().filter(in_range));
    }
    for t in db.tickets.written() {
        found.extend(events(s, &db, t).into_iter().filter(in_range));
    }
    found.sort_unstable();
    found.dedup();
    let end_of_stream = found.len() < PAGE;
    found.truncate(PAGE);
    let end_time = found.last().map_or(start, |e| e.0);
    let items: Vec<Value> = found
        .iter()
        .map(|(time, id, tid, metric, ty)| {
            let mut v = json!({"id": id, "ticket_id": tid, "metric": metric, "instance_id": 1,
                               "type": ty, "time": iso(*time), "deleted": false});
            if include_changes && *ty == "fulfill" {
                v["status"] = json!({"calendar": 0, "business": 0});
            }
            v
        })
        .collect();
    let next_start = end_time;
    let mut parts: Vec<String> =
        q.0.iter()
            .filter(|(k, _)| k != "start_time")
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
    parts.push(format!("start_time={next_start}"));
    let next = format!(
        "{base}/api/v2/incremental/ticket_metric_events.json?{}",
        parts.join("&")
    );
    Ok(Obj::new()
        .field("ticket_metric_events", &items)
        .field("next_page", &next)
        .field("count", &items.len())
        .field("end_time", &end_time)
        .field("end_of_stream", &end_of_stream)
        .ok())
}
