//! Comments and audits: generated from `(ticket id, index)`, plus written ones.

use serde_json::{json, Value};

use super::gen::{self, hash};
use super::tickets::{comment_body, Ticket};
use super::uploads::Attachment;
use super::{Seeds, KIND_TICKET};

/// Comment `idx` of ticket `ticket_id` has this id; its audit is `id + 1`.
pub(crate) fn comment_id(ticket_id: u64, idx: u32) -> u64 {
    ticket_id * 20_000 + 2 * u64::from(idx)
}

/// A comment.
#[derive(Clone, Debug)]
pub(crate) struct Comment {
    pub id: u64,
    pub author_id: u64,
    pub body: String,
    pub public: bool,
    pub created_at: u64,
    pub channel: &'static str,
    pub attachments: Vec<Attachment>,
}

/// An audit: one update of a ticket.
#[derive(Clone, Debug)]
pub(crate) struct Audit {
    pub id: u64,
    pub ticket_id: u64,
    pub created_at: u64,
    pub author_id: u64,
    pub channel: &'static str,
    pub comment: Option<Comment>,
    /// `(type, field_name, value, previous_value)`; type is `Create` or `Change`.
    pub changes: Vec<(&'static str, String, Value, Value)>,
}

/// The generated audits of the generated ticket `t` (always one comment each).
pub(crate) fn generated_audits(s: &Seeds, t: &Ticket) -> Vec<Audit> {
    (0..t.gen_comments)
        .map(|i| generated_audit(s, t, i))
        .collect()
}

/// Generated audit `idx` of generated ticket `t`.
pub(crate) fn generated_audit(s: &Seeds, t: &Ticket, idx: u32) -> Audit {
    let n = u64::from(t.gen_comments.max(2) - 1);
    let created_at = t.created_at + (t.ts - t.created_at) * u64::from(idx).min(n) / n;
    let h = hash(s.seed, KIND_TICKET, t.id, 3000 + u64::from(idx));
    let author_id = if idx % 2 == 0 {
        t.requester_id
    } else {
        t.assignee_id.unwrap_or(1)
    };
    let id = comment_id(t.id, idx);
    let changes = if idx == 0 {
        vec![
            (
                "Create",
                "subject".to_string(),
                json!(t.subject),
                Value::Null,
            ),
            ("Create", "status".to_string(), json!("new"), Value::Null),
            (
                "Create",
                "priority".to_string(),
                json!(t.priority),
                Value::Null,
            ),
        ]
    } else {
        Vec::new()
    };
    Audit {
        id: id + 1,
        ticket_id: t.id,
        created_at,
        author_id,
        channel: t.channel,
        comment: Some(Comment {
            id,
            author_id,
            body: comment_body(s, t.id, idx),
            public: idx == 0 || h % 5 != 0,
            created_at,
            channel: t.channel,
            attachments: Vec::new(),
        }),
        changes,
    }
}

fn via(channel: &str) -> Value {
    json!({"channel": channel, "source": {"from": {}, "to": {}, "rel": null}})
}

impl Comment {
    /// The wire form (`audit_id` given).
    pub(crate) fn to_json(&self, audit_id: u64, base: &str) -> Value {
        json!({
            "id": self.id,
            "type": "Comment",
            "author_id": self.author_id,
            "body": self.body,
            "html_body": format!("<div class=\"zd-comment\" dir=\"auto\"><p>{}</p></div>", html_escape(&self.body)),
            "plain_body": self.body,
            "public": self.public,
            "attachments": self.attachments.iter().map(|a| a.to_json(base)).collect::<Vec<_>>(),
            "audit_id": audit_id,
            "via": via(self.channel),
            "metadata": {"system": {}, "custom": {}},
            "created_at": gen::iso(self.created_at),
        })
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Audit {
    /// The events of this audit (comment first, then changes).
    pub(crate) fn events_json(&self, base: &str) -> Vec<Value> {
        let mut events = Vec::new();
        let mut next = self.id * 10;
        if let Some(c) = &self.comment {
            events.push(json!({
                "id": c.id,
                "type": "Comment",
                "author_id": c.author_id,
                "body": c.body,
                "html_body": format!("<div class=\"zd-comment\" dir=\"auto\"><p>{}</p></div>", html_escape(&c.body)),
                "plain_body": c.body,
                "public": c.public,
                "attachments": c.attachments.iter().map(|a| a.to_json(base)).collect::<Vec<_>>(),
                "audit_id": self.id,
            }));
        }
        for (kind, field, value, previous) in &self.changes {
            next += 1;
            let mut e = json!({"id": next, "type": kind, "field_name": field, "value": value});
            if *kind == "Change" {
                e["previous_value"] = previous.clone();
            }
            events.push(e);
        }
        events
    }

    /// The wire form of `GET /tickets/{id}/audits`.
    pub(crate) fn to_json(&self, base: &str) -> Value {
        json!({
            "id": self.id,
            "ticket_id": self.ticket_id,
            "created_at": gen::iso(self.created_at),
            "author_id": self.author_id,
            "metadata": {"system": {}, "custom": {}},
            "via": via(self.channel),
            "events": self.events_json(base),
        })
    }

    /// The item of `GET /incremental/ticket_events`.
    pub(crate) fn to_event_json(&self, comment_events: bool, base: &str) -> Value {
        let mut children = Vec::new();
        let mut next = self.id * 10;
        if let Some(c) = &self.comment {
            if comment_events {
                let mut e = c.to_json(self.id, base);
                e["event_type"] = json!("Comment");
                e["via_reference_id"] = Value::Null;
                children.push(e);
            } else {
                children.push(json!({
                    "id": c.id, "via": self.channel, "via_reference_id": null,
                    "comment_present": true, "comment_public": c.public, "event_type": "Comment",
                }));
            }
        }
        for (kind, field, value, previous) in &self.changes {
            next += 1;
            let mut e = json!({"id": next, "via": self.channel, "via_reference_id": null,
                "event_type": kind, "field_name": field, "value": value});
            if *kind == "Change" {
                e["previous_value"] = previous.clone();
            }
            children.push(e);
        }
        json!({
            "id": self.id,
            "ticket_id": self.ticket_id,
            "timestamp": self.created_at,
            "created_at": gen::iso(self.created_at),
            "updater_id": self.author_id,
            "via": self.channel,
            "system": {},
            "event_type": "Audit",
            "merged_ticket_ids": [],
            "child_events": children,
        })
    }
}
