//! Writes: ticket and user creation/update/deletion with Zendesk's validation rules.

use serde_json::{json, Map, Value};

use super::comments::{comment_id, Audit, Comment};
use super::gen;
use super::tickets::{intern, Ticket, CUSTOM_FIELDS, PRIORITIES, STATUSES, TYPES};
use super::{Db, Seeds};
use crate::error::ApiError;

type Change = (&'static str, String, Value, Value);

/// Collects validation problems into a `details` map.
#[derive(Default)]
pub(super) struct Details(Map<String, Value>);

impl Details {
    pub(super) fn add(&mut self, field: &str, error: &str, description: String) {
        let list = self.0.entry(field.to_string()).or_insert_with(|| json!([]));
        if let Value::Array(a) = list {
            a.push(json!({"description": description, "error": error}));
        }
    }

    pub(super) fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::RecordInvalid(self.0))
        }
    }
}

pub(super) fn opt_id(v: &Value) -> Option<Option<u64>> {
    match v {
        Value::Null => Some(None),
        Value::Number(n) => n.as_u64().map(Some),
        Value::String(s) => s.parse().ok().map(Some),
        _ => None,
    }
}

pub(super) fn string_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string)).collect(),
        Value::String(s) => Some(
            s.split([' ', ','])
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        Value::Null => Some(Vec::new()),
        _ => None,
    }
}

/// Applies the writable ticket properties of `input` to `t`, recording changes.
fn apply_ticket_fields(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    t: &mut Ticket,
    input: &Map<String, Value>,
    changes: &mut Vec<Change>,
    creating: bool,
) -> Result<(), ApiError> {
    let mut d = Details::default();
    let kind = if creating { "Create" } else { "Change" };
    let record = |field: &str, old: Value, new: Value, changes: &mut Vec<Change>| {
        if creating || old != new {
            changes.push((
                kind,
                field.to_string(),
                new,
                if creating { Value::Null } else { old },
            ));
        }
    };
    if let Some(v) = input.get("subject") {
        match v.as_str() {
            Some(subject) => {
                record("subject", json!(t.subject), json!(subject), changes);
                t.subject = subject.to_string();
            }
            None => d.add("subject", "InvalidValue", "Subject: is invalid".into()),
        }
    }
    let enum_field = |name: &str,
                      list: &[&'static str],
                      label: &str,
                      d: &mut Details|
     -> Option<Option<&'static str>> {
        let v = input.get(name)?;
        match v {
            Value::Null if name != "status" => Some(None),
            Value::String(s) => match intern(list, s) {
                Some(x) => Some(Some(x)),
                None => {
                    d.add(name, "InvalidValue", format!("{label}: {s} is not valid"));
                    None
                }
            },
            _ => {
                d.add(name, "InvalidValue", format!("{label}: is not valid"));
                None
            }
        }
    };
    if let Some(p) = enum_field("priority", PRIORITIES, "Priority", &mut d) {
        record("priority", json!(t.priority), json!(p), changes);
        t.priority = p;
    }
    if let Some(k) = enum_field("type", TYPES, "Type", &mut d) {
        record("type", json!(t.kind), json!(k), changes);
        t.kind = k;
    }
    if let Some(Some(st)) = enum_field("status", STATUSES, "Status", &mut d) {
        record("status", json!(t.status), json!(st), changes);
        t.status = st;
    }
    if let Some(v) = input.get("requester_id") {
        match opt_id(v).flatten() {
            Some(id) if db.users.is_live(s, id) => {
                record("requester_id", json!(t.requester_id), json!(id), changes);
                t.requester_id = id;
            }
            _ => d.add("requester", "InvalidValue", "Requester: is invalid".into()),
        }
    } else if let Some(Value::Object(r)) = input.get("requester") {
        let email = r.get("email").and_then(Value::as_str).unwrap_or("");
        if let Some(u) = db.user_by_email(s, email) {
            t.requester_id = u.id;
        } else if !email.contains('@') {
            d.add(
                "requester",
                "InvalidValue",
                "Requester: Email is invalid".into(),
            );
        } else {
            let name = r.get("name").and_then(Value::as_str).unwrap_or(email);
            let mut body = Map::new();
            body.insert("name".into(), json!(name));
            body.insert("email".into(), json!(email));
            let u = super::user_writes::create_user(db, s, now, &body)?;
            t.requester_id = u.id;
        }
    }
    if let Some(v) = input.get("assignee_id") {
        match opt_id(v) {
            Some(None) => t.assignee_id = None,
            Some(Some(id)) if db.users.get(s, id).is_some_and(|u| u.role != "end-user") => {
                record("assignee_id", json!(t.assignee_id), json!(id), changes);
                t.assignee_id = Some(id);
            }
            _ => d.add(
                "assignee",
                "InvalidValue",
                "Assignee: is not an agent".into(),
            ),
        }
    }
    if let Some(v) = input.get("group_id") {
        match opt_id(v) {
            Some(None) => t.group_id = None,
            Some(Some(id)) if db.groups.is_live(s, id) => {
                record("group_id", json!(t.group_id), json!(id), changes);
                t.group_id = Some(id);
            }
            _ => d.add("group", "InvalidValue", "Group: is invalid".into()),
        }
    }
    if let Some(v) = input.get("organization_id") {
        match opt_id(v) {
            Some(None) => t.organization_id = None,
            Some(Some(id)) if db.orgs.is_live(s, id) => t.organization_id = Some(id),
            _ => d.add(
                "organization",
                "InvalidValue",
                "Organization: is invalid".into(),
            ),
        }
    }
    if let Some(v) = input.get("external_id") {
        t.external_id = v
            .as_str()
            .map(str::to_string)
            .or_else(|| v.as_u64().map(|n| n.to_string()));
    }
    if let Some(v) = input.get("tags") {
        match string_list(v) {
            Some(mut tags) => {
                tags.sort();
                tags.dedup();
                record("tags", json!(t.tags), json!(tags), changes);
                t.tags = tags;
            }
            None => d.add("tags", "InvalidValue", "Tags: is invalid".into()),
        }
    }
    if let Some(add) = input.get("additional_tags").and_then(string_list) {
        let old = t.tags.clone();
        t.tags.extend(add);
        t.tags.sort();
        t.tags.dedup();
        record("tags", json!(old), json!(t.tags), changes);
    }
    if let Some(remove) = input.get("remove_tags").and_then(string_list) {
        let old = t.tags.clone();
        t.tags.retain(|x| !remove.contains(x));
        record("tags", json!(old), json!(t.tags), changes);
    }
    if let Some(v) = input.get("collaborator_ids") {
        if let Some(ids) = v
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect::<Vec<_>>())
        {
            t.collaborator_ids = ids;
        }
    }
    if let Some(v) = input.get("due_at") {
        t.due_at = v.as_str().and_then(gen::parse_date);
    }
    if let Some(v) = input.get("custom_fields").or_else(|| input.get("fields")) {
        match v.as_array() {
            Some(items) => {
                for item in items {
                    let id = item.get("id").and_then(Value::as_u64);
                    let value = item.get("value").cloned().unwrap_or(Value::Null);
                    match id.and_then(|id| CUSTOM_FIELDS.iter().position(|f| f.0 == id)) {
                        Some(_) => {
                            let id = id.unwrap_or_default();
                            match t.custom_fields.iter_mut().find(|(fid, _)| *fid == id) {
                                Some(slot) => slot.1 = value,
                                None => t.custom_fields.push((id, value)),
                            }
                        }
                        None => d.add(
                            "base",
                            "InvalidValue",
                            format!(
                                "Field {} does not exist",
                                item.get("id").unwrap_or(&Value::Null)
                            ),
                        ),
                    }
                }
            }
            None => d.add(
                "custom_fields",
                "InvalidValue",
                "Custom fields: is invalid".into(),
            ),
        }
    }
    d.finish()
}

/// The comment of a ticket write: `(body, public, author)`, or None when absent.
/// `(body, public, author_id, upload tokens)` of a comment.
type CommentInput = (String, Option<bool>, Option<u64>, Vec<String>);

fn comment_of(input: &Map<String, Value>) -> Option<CommentInput> {
    let c = input.get("comment")?;
    let (body, public, author, uploads) = match c {
        Value::String(b) => (b.clone(), None, None, Vec::new()),
        Value::Object(o) => {
            let body = o
                .get("body")
                .or_else(|| o.get("html_body"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            (
                body,
                o.get("public").and_then(Value::as_bool),
                o.get("author_id").and_then(Value::as_u64),
                o.get("uploads").and_then(string_list).unwrap_or_default(),
            )
        }
        _ => (String::new(), None, None, Vec::new()),
    };
    Some((body, public, author, uploads))
}

fn blank_description() -> ApiError {
    ApiError::invalid("description", "BlankValue", "Description: cannot be blank")
}

/// Creates a ticket from a `ticket` object.
pub(crate) fn create_ticket(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    caller: u64,
    input: &Value,
) -> Result<(Ticket, Audit), ApiError> {
    create_ticket_as(db, s, now, caller, input, None)
}

/// Creates a ticket, with an id reserved earlier (`async=true`) or a fresh one.
pub(crate) fn create_ticket_as(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    caller: u64,
    input: &Value,
    reserved: Option<u64>,
) -> Result<(Ticket, Audit), ApiError> {
    let Some(input) = input.as_object() else {
        return Err(ApiError::invalid(
            "base",
            "InvalidValue",
            "Ticket: is invalid",
        ));
    };
    // Without a comment, `description` is the first comment (what zenpy's documented
    // `Ticket(subject=…, description=…)` sends, and Zendesk accepts).
    let described = || {
        input
            .get("description")
            .and_then(Value::as_str)
            .map(|d| (d.to_string(), None, None, Vec::new()))
    };
    let (body, public, author, uploads) = match comment_of(input).or_else(described) {
        Some((b, p, a, u)) if !b.trim().is_empty() => (b, p, a, u),
        _ => return Err(blank_description()),
    };
    let id = reserved.unwrap_or(db.tickets.max_id() + 1);
    let mut t = Ticket {
        id,
        external_id: None,
        kind: None,
        subject: body.chars().take(50).collect(),
        description: body.clone(),
        priority: None,
        status: "new",
        requester_id: caller,
        submitter_id: caller,
        assignee_id: None,
        organization_id: None,
        group_id: None,
        collaborator_ids: Vec::new(),
        tags: Vec::new(),
        custom_fields: CUSTOM_FIELDS.iter().map(|f| (f.0, Value::Null)).collect(),
        channel: "api",
        due_at: None,
        created_at: now,
        updated_at: now,
        ts: now,
        deleted: false,
        comments: 1,
        gen_comments: 0,
    };
    let mut changes = Vec::new();
    apply_ticket_fields(db, s, now, &mut t, input, &mut changes, true)?;
    if !input.contains_key("status") && t.assignee_id.is_some() {
        t.status = "open";
    }
    if !input.contains_key("organization_id") {
        t.organization_id = db
            .users
            .get(s, t.requester_id)
            .and_then(|u| u.organization_id);
    }
    if reserved.is_none() {
        db.tickets.alloc_id();
    }
    let author_id = author.unwrap_or(t.requester_id);
    t.submitter_id = author_id;
    let cid = comment_id(id, 0);
    let audit = Audit {
        id: cid + 1,
        ticket_id: id,
        created_at: now,
        author_id,
        channel: "api",
        comment: Some(Comment {
            id: cid,
            author_id,
            body,
            public: public.unwrap_or(true),
            created_at: now,
            channel: "api",
            attachments: uploads
                .iter()
                .flat_map(|u| db.uploads.attachments(u))
                .collect(),
        }),
        changes,
    };
    db.tickets.put(s, t.clone());
    push_audit(db, audit.clone());
    db.ticket_changes.push(TicketChange {
        before: None,
        after: t.clone(),
        comment: audit.comment.clone(),
        actor: caller,
        at: now,
    });
    Ok((t, audit))
}

fn push_audit(db: &mut Db, audit: Audit) {
    db.audit_order
        .insert((audit.created_at, audit.id, audit.ticket_id));
    db.audits.entry(audit.ticket_id).or_default().push(audit);
}

/// Updates ticket `id` from a `ticket` object. `safe_stamp` is the `updated_stamp` to
/// enforce (`Some(None)` when `safe_update` was sent without a stamp).
pub(crate) fn update_ticket(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    caller: u64,
    id: u64,
    input: &Value,
) -> Result<(Ticket, Audit), ApiError> {
    let Some(input) = input.as_object() else {
        return Err(ApiError::invalid(
            "base",
            "InvalidValue",
            "Ticket: is invalid",
        ));
    };
    let mut t = db.tickets.get(s, id).ok_or(ApiError::RecordNotFound)?;
    let before = t.clone();
    if input.contains_key("safe_update") {
        let stamp = input.get("updated_stamp").and_then(Value::as_str);
        let current = gen::iso(t.updated_at);
        let matches = stamp
            .and_then(gen::parse_date)
            .is_some_and(|st| st == t.updated_at)
            || stamp == Some(current.as_str());
        if !matches {
            return Err(ApiError::UpdateConflict);
        }
    }
    if t.status == "closed" {
        return Err(ApiError::invalid(
            "status",
            "InvalidValue",
            "Status: closed prevents ticket update",
        ));
    }
    let comment = match comment_of(input) {
        Some((b, _, _, _)) if b.trim().is_empty() => {
            return Err(ApiError::invalid(
                "comment",
                "BlankValue",
                "Comment: cannot be blank",
            ));
        }
        other => other,
    };
    let idx = t.gen_comments + db.audits.get(&id).map_or(0, |a| a.len() as u32);
    if idx >= 9_999 || (comment.is_some() && t.comments >= 5_000) {
        return Err(ApiError::invalid(
            "base",
            "InvalidValue",
            "Ticket has reached the maximum of 5000 comments",
        ));
    }
    let mut changes = Vec::new();
    apply_ticket_fields(db, s, now, &mut t, input, &mut changes, false)?;
    let cid = comment_id(id, idx);
    let comment = comment.map(|(body, public, author, uploads)| {
        t.comments += 1;
        let attachments = uploads
            .iter()
            .flat_map(|u| db.uploads.attachments(u))
            .collect();
        let author_id = author.unwrap_or(caller);
        Comment {
            id: cid,
            author_id,
            body,
            public: public.unwrap_or(true),
            created_at: now,
            channel: "api",
            attachments,
        }
    });
    // An update that changes no field and adds no comment is a system update: Zendesk
    // moves `generated_timestamp` (so exports return the ticket) but not `updated_at`.
    if !(s.split_updated && changes.is_empty() && comment.is_none()) {
        t.updated_at = now;
    }
    t.ts = now;
    let audit = Audit {
        id: cid + 1,
        ticket_id: id,
        created_at: now,
        author_id: caller,
        channel: "api",
        comment,
        changes,
    };
    db.tickets.put(s, t.clone());
    push_audit(db, audit.clone());
    db.ticket_changes.push(TicketChange {
        before: Some(before),
        after: t.clone(),
        comment: audit.comment.clone(),
        actor: caller,
        at: now,
    });
    Ok((t, audit))
}

/// Soft-deletes ticket `id`.
pub(crate) fn delete_ticket(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    caller: u64,
    id: u64,
) -> Result<(), ApiError> {
    let mut t = db.tickets.get(s, id).ok_or(ApiError::RecordNotFound)?;
    let before = t.clone();
    t.deleted = true;
    t.updated_at = now;
    t.ts = now;
    db.tickets.put(s, t.clone());
    db.ticket_changes.push(TicketChange {
        before: Some(before),
        after: t,
        comment: None,
        actor: caller,
        at: now,
    });
    Ok(())
}

/// One change of a ticket, kept until the write guard is released, where the webhook
/// outbox turns it into event deliveries (`crate::delivery`).
#[derive(Debug, Clone)]
pub(crate) struct TicketChange {
    /// The ticket before the write (`None`: created).
    pub before: Option<Ticket>,
    /// The ticket after it.
    pub after: Ticket,
    /// The comment the write added.
    pub comment: Option<Comment>,
    /// Who made the change.
    pub actor: u64,
    /// When (Unix seconds).
    pub at: u64,
}
