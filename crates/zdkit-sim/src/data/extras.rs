//! Records derived from a ticket or a user, for sideloads (and the `ticket_metrics`
//! family): a ticket's metric set and `dates`, a user's identities. Pure functions of the
//! record (and the seed), so they cost nothing until asked for.
//!
//! Shapes: `TicketMetricObject` and `UserIdentityObject` of the OAS (examples
//! `TicketMetricResponseExample`, `UserIdentityResponseExample`).

use serde_json::{json, Value};

use super::gen::{self, hash};
use super::tickets::Ticket;
use super::users::User;
use super::{Seeds, KIND_TICKET};

/// Minutes between two Unix times, 0 when reversed.
fn minutes(from: u64, to: u64) -> u64 {
    to.saturating_sub(from) / 60
}

fn both(calendar: u64, business: u64) -> Value {
    json!({"calendar": calendar, "business": business})
}

/// The id of ticket `t`'s metric set (one per ticket).
pub(crate) fn metric_set_id(t: &Ticket) -> u64 {
    t.id
}

/// Whether `status` is solved or closed.
fn resolved(status: &str) -> bool {
    matches!(status, "solved" | "closed")
}

/// The ticket's metric set (`TicketMetricObject`), consistent with the ticket: assigned
/// tickets have assignment times, solved and closed ones a `solved_at` and resolution
/// times, every ticket one reply or more when it has two comments or more.
pub(crate) fn metric_set(s: &Seeds, t: &Ticket, base: &str) -> Value {
    let h = |salt: u64| hash(s.seed, KIND_TICKET, t.id, 4000 + salt);
    let span = t.ts.saturating_sub(t.created_at).max(60);
    let assigned_at = t
        .assignee_id
        .map(|_| t.created_at + h(1) % span.clamp(1, 3600));
    let solved_at = resolved(t.status).then_some(t.ts);
    let first_reply = (t.comments >= 2).then(|| t.created_at + h(2) % span.max(1));
    let reply = first_reply.map_or(0, |r| minutes(t.created_at, r));
    let resolution = solved_at.map(|at| minutes(t.created_at, at));
    let iso = |v: Option<u64>| v.map(gen::iso);
    json!({
        "url": format!("{base}/api/v2/ticket_metrics/{}.json", metric_set_id(t)),
        "id": metric_set_id(t),
        "ticket_id": t.id,
        "created_at": gen::iso(t.created_at),
        "updated_at": gen::iso(t.ts),
        "group_stations": u64::from(t.group_id.is_some()) + h(3) % 2,
        "assignee_stations": u64::from(t.assignee_id.is_some()) + h(4) % 2,
        "reopens": if resolved(t.status) { h(5) % 2 } else { 0 },
        "replies": u64::from(t.comments.saturating_sub(1) / 2 + u32::from(t.comments >= 2)),
        "assignee_updated_at": iso(assigned_at.map(|_| t.ts)),
        "requester_updated_at": gen::iso(t.ts),
        "status_updated_at": gen::iso(t.ts),
        "initially_assigned_at": iso(assigned_at),
        "assigned_at": iso(assigned_at),
        "solved_at": iso(solved_at),
        "latest_comment_added_at": gen::iso(t.ts),
        "custom_status_updated_at": gen::iso(t.ts),
        "reply_time_in_minutes": both(reply, reply * 2 / 3),
        "reply_time_in_seconds": {"calendar": reply * 60},
        "first_resolution_time_in_minutes": both(resolution.unwrap_or(0), resolution.unwrap_or(0) * 2 / 3),
        "full_resolution_time_in_minutes": both(resolution.unwrap_or(0), resolution.unwrap_or(0) * 2 / 3),
        "agent_wait_time_in_minutes": both(0, 0),
        "requester_wait_time_in_minutes": both(resolution.unwrap_or(0) / 4, resolution.unwrap_or(0) / 6),
        "on_hold_time_in_minutes": both(if t.status == "hold" { minutes(t.created_at, t.ts) / 2 } else { 0 }, 0),
    })
}

/// The `dates` sideload of a ticket (embedded in the ticket): when its assignee,
/// requester and status last changed, and when it was assigned and solved.
pub(crate) fn dates(s: &Seeds, t: &Ticket) -> Value {
    let m = metric_set(s, t, "");
    json!({
        "assignee_updated_at": m["assignee_updated_at"],
        "requester_updated_at": m["requester_updated_at"],
        "status_updated_at": m["status_updated_at"],
        "initially_assigned_at": m["initially_assigned_at"],
        "assigned_at": m["assigned_at"],
        "solved_at": m["solved_at"],
        "latest_comment_added_at": m["latest_comment_added_at"],
    })
}

/// The identities of a user (`UserIdentityObject`): the email (primary), then the phone
/// when the user has one. Identity ids are `user id * 4 + n`.
pub(crate) fn identities(u: &User, base: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut push = |n: u64, kind: &str, value: &str, primary: bool| {
        let id = u.id * 4 + n;
        out.push(json!({
            "url": format!("{base}/api/v2/users/{}/identities/{id}.json", u.id),
            "id": id,
            "user_id": u.id,
            "type": kind,
            "value": value,
            "verified": u.verified,
            "primary": primary,
            "created_at": gen::iso(u.created_at),
            "updated_at": gen::iso(u.updated_at),
            "undeliverable_count": 0,
            "deliverable_state": "deliverable",
        }));
    };
    if let Some(email) = &u.email {
        push(1, "email", email, true);
    }
    if let Some(phone) = &u.phone {
        push(2, "phone_number", phone, u.email.is_none());
    }
    out
}
