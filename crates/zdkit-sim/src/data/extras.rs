//! Records derived from a ticket or a user, for sideloads (and the `ticket_metrics`
//! family): a ticket's metric set and `dates`, a user's identities. Pure functions of the
//! record (and the seed), so they cost nothing until asked for.
//!
//! Shapes: `TicketMetricObject` and `UserIdentityObject` of the OAS (examples
//! `TicketMetricResponseExample`, `UserIdentityResponseExample`).

use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use super::gen::{self, hash, Iso};
use super::tickets::Ticket;
use super::users::User;
use super::{Seeds, KIND_TICKET};

/// Minutes between two Unix times, 0 when reversed.
fn minutes(from: u64, to: u64) -> u64 {
    to.saturating_sub(from) / 60
}

/// `{"business": …, "calendar": …}` minutes of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Both {
    pub business: u64,
    pub calendar: u64,
}

fn both(calendar: u64, business: u64) -> Both {
    Both { business, calendar }
}

/// `{"calendar": …}` seconds (`reply_time_in_seconds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Calendar {
    pub calendar: u64,
}

/// `{base}/api/v2/ticket_metrics/{id}.json`, written without an intermediate string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MetricUrl<'a> {
    base: &'a str,
    id: u64,
}

impl Serialize for MetricUrl<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_str(&format_args!(
            "{}/api/v2/ticket_metrics/{}.json",
            self.base, self.id
        ))
    }
}

/// A ticket's metric set (`TicketMetricObject`) for the wire. Fields in alphabetical
/// order, the order `serde_json`'s maps write, so the JSON is what a `Value` of the same
/// fields would give; times are Unix seconds written as ISO 8601 ([`Iso`]).
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct MetricSet<'a> {
    pub agent_wait_time_in_minutes: Both,
    pub assigned_at: Option<Iso>,
    pub assignee_stations: u64,
    pub assignee_updated_at: Option<Iso>,
    pub created_at: Iso,
    pub custom_status_updated_at: Iso,
    pub first_resolution_time_in_minutes: Both,
    pub full_resolution_time_in_minutes: Both,
    pub group_stations: u64,
    pub id: u64,
    pub initially_assigned_at: Option<Iso>,
    pub latest_comment_added_at: Iso,
    pub on_hold_time_in_minutes: Both,
    pub reopens: u64,
    pub replies: u64,
    pub reply_time_in_minutes: Both,
    pub reply_time_in_seconds: Calendar,
    pub requester_updated_at: Iso,
    pub requester_wait_time_in_minutes: Both,
    pub solved_at: Option<Iso>,
    pub status_updated_at: Iso,
    pub ticket_id: u64,
    pub updated_at: Iso,
    pub url: MetricUrl<'a>,
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
pub(crate) fn metric_set<'a>(s: &Seeds, t: &Ticket, base: &'a str) -> MetricSet<'a> {
    let h = |salt: u64| hash(s.seed, KIND_TICKET, t.id, 4000 + salt);
    let span = t.ts.saturating_sub(t.created_at).max(60);
    let assigned_at = t
        .assignee_id
        .map(|_| t.created_at + h(1) % span.clamp(1, 3600));
    let solved_at = resolved(t.status).then_some(t.ts);
    let first_reply = (t.comments >= 2).then(|| t.created_at + h(2) % span.max(1));
    let reply = first_reply.map_or(0, |r| minutes(t.created_at, r));
    let resolution = solved_at.map_or(0, |at| minutes(t.created_at, at));
    let on_hold = if t.status == "hold" {
        minutes(t.created_at, t.ts) / 2
    } else {
        0
    };
    MetricSet {
        url: MetricUrl {
            base,
            id: metric_set_id(t),
        },
        id: metric_set_id(t),
        ticket_id: t.id,
        created_at: Iso(t.created_at),
        updated_at: Iso(t.ts),
        group_stations: u64::from(t.group_id.is_some()) + h(3) % 2,
        assignee_stations: u64::from(t.assignee_id.is_some()) + h(4) % 2,
        reopens: if resolved(t.status) { h(5) % 2 } else { 0 },
        replies: u64::from(t.comments.saturating_sub(1) / 2 + u32::from(t.comments >= 2)),
        assignee_updated_at: assigned_at.map(|_| Iso(t.ts)),
        requester_updated_at: Iso(t.ts),
        status_updated_at: Iso(t.ts),
        initially_assigned_at: assigned_at.map(Iso),
        assigned_at: assigned_at.map(Iso),
        solved_at: solved_at.map(Iso),
        latest_comment_added_at: Iso(t.ts),
        custom_status_updated_at: Iso(t.ts),
        reply_time_in_minutes: both(reply, reply * 2 / 3),
        reply_time_in_seconds: Calendar {
            calendar: reply * 60,
        },
        first_resolution_time_in_minutes: both(resolution, resolution * 2 / 3),
        full_resolution_time_in_minutes: both(resolution, resolution * 2 / 3),
        agent_wait_time_in_minutes: both(0, 0),
        requester_wait_time_in_minutes: both(resolution / 4, resolution / 6),
        on_hold_time_in_minutes: both(on_hold, 0),
    }
}

/// The `dates` sideload of a ticket (embedded in the ticket): when its assignee,
/// requester and status last changed, and when it was assigned and solved.
pub(crate) fn dates(s: &Seeds, t: &Ticket) -> Value {
    let m = metric_set(s, t, "");
    let iso = |v: Option<Iso>| v.map(|i| gen::iso(i.0));
    json!({
        "assignee_updated_at": iso(m.assignee_updated_at),
        "requester_updated_at": gen::iso(m.requester_updated_at.0),
        "status_updated_at": gen::iso(m.status_updated_at.0),
        "initially_assigned_at": iso(m.initially_assigned_at),
        "assigned_at": iso(m.assigned_at),
        "solved_at": iso(m.solved_at),
        "latest_comment_added_at": gen::iso(m.latest_comment_added_at.0),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::table::Generate;

    /// The metric set as it was first written (a `json!` value): the typed one must
    /// serialize to exactly the same text.
    fn reference(s: &Seeds, t: &Ticket, base: &str) -> Value {
        let both =
            |calendar: u64, business: u64| json!({"calendar": calendar, "business": business});
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

    #[test]
    fn typed_metric_set_writes_the_same_json_text() {
        let state = crate::SimState::new(crate::SimConfig::with_tickets(2_000));
        let seeds = state.seeds();
        let base = "https://acme.zendesk.com";
        let mut seen = std::collections::BTreeSet::new();
        for id in 1..=2_000 {
            let t = <Ticket as Generate>::generate(seeds, id);
            seen.insert((t.status, t.assignee_id.is_some(), t.comments >= 2));
            let typed = serde_json::to_string(&metric_set(seeds, &t, base)).unwrap();
            let old = serde_json::to_string(&reference(seeds, &t, base)).unwrap();
            assert_eq!(typed, old, "ticket {id}");
        }
        // Every status, assigned or not, with and without replies.
        assert!(seen.len() >= 12, "{seen:?}");
    }
}
