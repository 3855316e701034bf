//! Ticket changes as Zendesk event-webhook payloads ("Ticket events",
//! <https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/>):
//! `{"account_id", "detail", "event", "id", "subject", "time", "type",
//! "zendesk_event_version"}`, the detail being the ticket after the change with ids as
//! strings and `status`/`priority`/`type` in upper case, as the documented examples show.

use serde_json::{json, Map, Value};

use crate::data::comments::Comment;
use crate::data::gen::{hash, iso};
use crate::data::tickets::{custom_status_id, Ticket};
use crate::data::writes::TicketChange;
use crate::data::{Db, Seeds};

/// The account id the simulator's payloads and `x-zendesk-account-id` carry.
pub(crate) const ACCOUNT_ID: u64 = 12_514_403;

/// The payload schema version of ticket events.
const EVENT_VERSION: &str = "2022-11-06";

/// An event: its type (`zen:event-type:ticket.created`, …) and the `event` object.
pub(crate) struct Event {
    pub kind: &'static str,
    pub event: Map<String, Value>,
}

fn id_str(v: Option<u64>) -> Value {
    v.map_or(Value::Null, |n| Value::String(n.to_string()))
}

fn upper(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.to_ascii_uppercase()))
}

/// The `detail` object: the ticket after the change.
fn detail(t: &Ticket, actor: u64) -> Value {
    json!({
        "actor_id": actor.to_string(),
        "assignee_id": id_str(t.assignee_id),
        "brand_id": "1",
        "created_at": iso(t.created_at),
        "custom_status": custom_status_id(t.status).to_string(),
        "description": t.description,
        "external_id": t.external_id,
        "form_id": "1",
        "group_id": id_str(t.group_id),
        "id": t.id.to_string(),
        "is_public": true,
        "organization_id": id_str(t.organization_id),
        "priority": upper(t.priority),
        "requester_id": t.requester_id.to_string(),
        "status": upper(Some(t.status)),
        "subject": t.subject,
        "submitter_id": t.submitter_id.to_string(),
        "tags": t.tags,
        "type": upper(t.kind),
        "updated_at": iso(t.updated_at),
        "via": {"channel": t.channel},
    })
}

fn changed(kind: &'static str, current: Value, previous: Value) -> Event {
    let mut event = Map::new();
    event.insert("current".into(), current);
    event.insert("previous".into(), previous);
    Event { kind, event }
}

fn comment_event(db: &Db, s: &Seeds, c: &Comment) -> Event {
    let author = db.users.get(s, c.author_id);
    let mut event = Map::new();
    event.insert(
        "comment".into(),
        json!({
            "id": c.id.to_string(),
            "body": c.body,
            "is_public": c.public,
            "author": {
                "id": c.author_id.to_string(),
                "is_staff": author.as_ref().is_some_and(|u| u.role != "end-user"),
                "name": author.map(|u| u.name).unwrap_or_default(),
            },
        }),
    );
    Event {
        kind: "zen:event-type:ticket.comment_added",
        event,
    }
}

/// The events of one change, in the order Zendesk lists them (created first; then field
/// changes; the comment; deletion).
pub(crate) fn derive(db: &Db, s: &Seeds, c: &TicketChange) -> Vec<Event> {
    let t = &c.after;
    let mut out = Vec::new();
    let Some(b) = &c.before else {
        out.push(Event {
            kind: "zen:event-type:ticket.created",
            event: Map::new(),
        });
        return out;
    };
    if b.status != t.status {
        out.push(changed(
            "zen:event-type:ticket.status_changed",
            upper(Some(t.status)),
            upper(Some(b.status)),
        ));
        out.push(changed(
            "zen:event-type:ticket.custom_status_changed",
            json!(custom_status_id(t.status).to_string()),
            json!(custom_status_id(b.status).to_string()),
        ));
    }
    if b.priority != t.priority {
        out.push(changed(
            "zen:event-type:ticket.priority_changed",
            upper(t.priority),
            upper(b.priority),
        ));
    }
    if b.kind != t.kind {
        out.push(changed(
            "zen:event-type:ticket.type_changed",
            upper(t.kind),
            upper(b.kind),
        ));
    }
    if b.subject != t.subject {
        out.push(changed(
            "zen:event-type:ticket.subject_changed",
            json!(t.subject),
            json!(b.subject),
        ));
    }
    if b.assignee_id != t.assignee_id {
        out.push(changed(
            "zen:event-type:ticket.agent_assignment_changed",
            id_str(t.assignee_id),
            id_str(b.assignee_id),
        ));
    }
    if b.group_id != t.group_id {
        out.push(changed(
            "zen:event-type:ticket.group_assignment_changed",
            id_str(t.group_id),
            id_str(b.group_id),
        ));
    }
    if b.organization_id != t.organization_id {
        out.push(changed(
            "zen:event-type:ticket.organization_changed",
            id_str(t.organization_id),
            id_str(b.organization_id),
        ));
    }
    if b.requester_id != t.requester_id {
        out.push(changed(
            "zen:event-type:ticket.requester_changed",
            json!(t.requester_id.to_string()),
            json!(b.requester_id.to_string()),
        ));
    }
    if b.external_id != t.external_id {
        out.push(changed(
            "zen:event-type:ticket.external_id_changed",
            json!(t.external_id),
            json!(b.external_id),
        ));
    }
    if b.tags != t.tags {
        let added: Vec<&String> = t.tags.iter().filter(|x| !b.tags.contains(x)).collect();
        let removed: Vec<&String> = b.tags.iter().filter(|x| !t.tags.contains(x)).collect();
        let mut event = Map::new();
        event.insert("tags_added".into(), json!(added));
        event.insert("tags_removed".into(), json!(removed));
        out.push(Event {
            kind: "zen:event-type:ticket.tags_changed",
            event,
        });
    }
    for (id, value) in &t.custom_fields {
        let old = b
            .custom_fields
            .iter()
            .find(|(f, _)| f == id)
            .map_or(&Value::Null, |(_, v)| v);
        if old != value {
            let mut e = changed(
                "zen:event-type:ticket.custom_field_changed",
                value.clone(),
                old.clone(),
            );
            e.event
                .insert("custom_field".into(), json!({"id": id.to_string()}));
            out.push(e);
        }
    }
    if let Some(comment) = &c.comment {
        out.push(comment_event(db, s, comment));
    }
    if t.deleted && !b.deleted {
        out.push(Event {
            kind: "zen:event-type:ticket.soft_deleted",
            event: Map::new(),
        });
    }
    out
}

/// A UUID-shaped event id, unique per `(seed, n)`.
fn event_id(s: &Seeds, n: u64) -> String {
    let a = hash(s.seed, 0xE7E47, n, 1);
    let b = hash(s.seed, 0xE7E47, n, 2);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0x0FFF,
        0x8000 | (b >> 48) & 0x3FFF,
        b & 0xFFFF_FFFF_FFFF
    )
}

/// The whole payload of event `e` of change `c` (`seq` numbers events: the event id and
/// the sequence id of one change derive from it; `position` is 1-based within the change).
pub(crate) fn payload(
    s: &Seeds,
    c: &TicketChange,
    e: &Event,
    seq: u64,
    position: usize,
    total: usize,
) -> Vec<u8> {
    let mut event = e.event.clone();
    event.insert(
        "meta".into(),
        json!({"sequence": {
            "id": format!("{:016X}", hash(s.seed, 0x5E9, c.after.id, c.at)),
            "position": position,
            "total": total,
        }}),
    );
    let body = json!({
        "account_id": ACCOUNT_ID,
        "detail": detail(&c.after, c.actor),
        "event": event,
        "id": event_id(s, seq),
        "subject": format!("zen:ticket:{}", c.after.id),
        "time": iso(c.at),
        "type": e.kind,
        "zendesk_event_version": EVENT_VERSION,
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_look_like_uuids_and_differ() {
        let s = crate::data::Seeds {
            seed: 7,
            t0: 0,
            tickets: 1,
            users: 12,
            organizations: 1,
            groups: 1,
            agents: 8,
            admin_email: String::new(),
            end_user_email: String::new(),
            split_updated: false,
            closed_bp: None,
            closed_before: None,
        };
        let a = event_id(&s, 1);
        assert_eq!(a.len(), 36, "{a}");
        assert_eq!(a.matches('-').count(), 4);
        assert_ne!(a, event_id(&s, 2));
    }
}
