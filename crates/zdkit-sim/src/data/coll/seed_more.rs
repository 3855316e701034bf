//! Seed generators, continued: business rules (macros, triggers, automations, views),
//! custom fields, ticket metrics and the small account-settings families.

use serde_json::{json, Map, Value};
use zdkit_catalog::Family;

use super::{ids, Ctx};
use crate::data::gen::{self, pick};
use crate::data::tickets::generate_light;

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn set(m: &mut Map<String, Value>, k: &str, v: Value) {
    m.insert(k.to_string(), v);
}

/// Defaults of the families `seed::defaults` does not list.
pub(super) fn defaults(f: &Family) -> Map<String, Value> {
    obj(match f.name {
        "locales" => json!({"locale": "", "name": ""}),
        "satisfaction_ratings" => json!({
            "ticket_id": null, "assignee_id": null, "group_id": null, "requester_id": null,
            "score": "offered", "comment": null, "reason": null, "reason_id": null,
            "reason_code": null,
        }),
        "satisfaction_reasons" => json!({"value": "", "raw_value": "", "reason_code": 100}),
        "activities" => json!({
            "title": "", "verb": "", "user_id": null, "actor_id": null, "user": {}, "actor": {},
            "object": {}, "target": {},
        }),
        "dynamic_content_items" => json!({
            "name": "", "placeholder": "", "default_locale_id": 1, "outdated": false,
            "variants": [],
        }),
        "recipient_addresses" => json!({
            "email": "", "name": "", "brand_id": 1, "default": false,
            "forwarding_status": "unknown", "spf_status": "unknown", "cname_status": "unknown",
            "domain_verification_status": "unknown", "dns_results": "failed",
        }),
        "sharing_agreements" => json!({
            "name": "", "partner_name": null, "remote_subdomain": "", "status": "pending",
            "type": "outbound",
        }),
        "targets" => json!({"title": "", "type": "email_target", "active": true}),
        "phone_numbers" => json!({
            "number": "", "display_number": "", "name": "", "nickname": "",
            "country_code": "US", "location": "", "toll_free": false, "recorded": true,
            "transcription": false, "sms_enabled": false, "voice_enabled": true,
            "capabilities": {"sms": false, "mms": false, "voice": true, "emergency_address": true},
            "default_group_id": null, "greeting_ids": [], "default_greeting_ids": [],
            "group_ids": [], "priority": 0, "ivr_id": null, "external": false,
        }),
        "schedules" => json!({
            "name": "", "time_zone": "Pacific Time (US & Canada)", "intervals": [],
        }),
        "ticket_metrics" => json!({}),
        _ => json!({}),
    })
}

/// Fills record `id` of the remaining families; `false` when the id has no record.
pub(super) fn generate(
    f: &'static Family,
    cx: Ctx<'_>,
    id: u64,
    m: &mut Map<String, Value>,
    h: u64,
) -> bool {
    let s = cx.s;
    match f.name {
        "locales" => {
            let l = [
                ("en-US", "English"),
                ("es", "Español"),
                ("de", "Deutsch"),
                ("fr", "Français"),
                ("ja", "日本語"),
                ("pt-br", "Português (Brasil)"),
            ];
            let (code, name) = pick(&l, id - 1);
            set(m, "locale", json!(code));
            set(m, "name", json!(name));
        }
        "satisfaction_ratings" => {
            // A solved or closed ticket with an assignee and a group, found from a hash.
            if s.tickets == 0 {
                return false;
            }
            let start = 1 + h % s.tickets;
            let found = (0..8)
                .map(|k| 1 + (start + k - 1) % s.tickets)
                .find_map(|tid| {
                    let t = cx.db.tickets.get_with(s, tid, generate_light)?;
                    let solved = matches!(t.status, "solved" | "closed");
                    (solved && t.assignee_id.is_some() && t.group_id.is_some()).then_some(t)
                });
            let Some(t) = found else { return false };
            let score = match h % 10 {
                0..=5 => "good",
                6 | 7 => "bad",
                _ => "offered",
            };
            set(m, "ticket_id", json!(t.id));
            set(m, "assignee_id", json!(t.assignee_id));
            set(m, "group_id", json!(t.group_id));
            set(m, "requester_id", json!(t.requester_id));
            set(m, "score", json!(score));
            if score == "bad" {
                set(m, "comment", json!("Took too long"));
                set(m, "reason", json!("The issue took too long to resolve"));
                set(m, "reason_id", json!(2));
                set(m, "reason_code", json!(5));
            } else if score == "good" && h % 3 == 0 {
                set(m, "comment", json!("Thanks, quick and friendly"));
            }
            set(m, "created_at", json!(gen::iso(t.updated_at)));
            set(m, "updated_at", json!(gen::iso(t.updated_at)));
        }
        "satisfaction_reasons" => {
            let r = [
                ("No reason provided", 0),
                ("The issue took too long to resolve", 5),
                ("The issue was not resolved", 6),
                ("The agent's knowledge is unsatisfactory", 7),
                ("The agent's attitude is unsatisfactory", 8),
            ];
            let (value, code) = pick(&r, id - 1);
            set(m, "value", json!(value));
            set(m, "raw_value", json!(value));
            set(m, "reason_code", json!(code));
        }
        "activities" => {
            if s.tickets == 0 {
                return false;
            }
            let tid = 1 + h % s.tickets;
            let subject = cx
                .db
                .tickets
                .get_with(s, tid, generate_light)
                .map(|t| t.subject)
                .unwrap_or_default();
            let user = 2 + h % s.agents;
            let actor = 1 + (h >> 8) % (s.agents + 1);
            let name = |uid: u64| {
                cx.db
                    .users
                    .get(s, uid)
                    .map(|u| json!({"id": uid, "name": u.name}))
                    .unwrap_or(json!({"id": uid}))
            };
            set(
                m,
                "title",
                json!(format!("Ticket #{tid} was assigned to you: {subject}")),
            );
            set(m, "verb", json!("tickets.assignment"));
            set(m, "user_id", json!(user));
            set(m, "actor_id", json!(actor));
            set(m, "user", name(user));
            set(m, "actor", name(actor));
            set(
                m,
                "object",
                json!({"ticket": {"id": tid, "subject": subject}}),
            );
            set(
                m,
                "target",
                json!({"ticket": {"id": tid, "subject": subject}}),
            );
        }
        "dynamic_content_items" => {
            let names = ["Greeting", "Signature", "Closing", "Holiday notice"];
            let name = pick(&names, id - 1);
            let key = name.to_ascii_lowercase().replace(' ', "_");
            set(m, "name", json!(name));
            set(m, "placeholder", json!(format!("{{{{dc.{key}}}}}")));
            set(
                m,
                "variants",
                json!([{"id": id * 10 + 1, "content": format!("{name} (en)"), "locale_id": 1,
                        "outdated": false, "active": true, "default": true}]),
            );
        }
        "recipient_addresses" => {
            set(m, "email", json!(format!("support{id}@acme.example.com")));
            set(m, "name", json!(format!("Support {id}")));
            set(m, "brand_id", json!(1 + (id - 1) % 3));
            set(m, "default", json!(id == 1));
            for k in [
                "forwarding_status",
                "spf_status",
                "cname_status",
                "domain_verification_status",
            ] {
                set(m, k, json!("verified"));
            }
            set(m, "dns_results", json!("verified"));
        }
        "sharing_agreements" => {
            set(m, "name", json!(format!("Partner {id}")));
            set(m, "remote_subdomain", json!(format!("partner{id}")));
            set(m, "status", json!("accepted"));
            set(
                m,
                "type",
                json!(if id % 2 == 1 { "inbound" } else { "outbound" }),
            );
        }
        "targets" => {
            set(m, "title", json!(format!("Target {id}")));
            set(m, "type", json!("email_target"));
            set(m, "email", json!(format!("alerts{id}@example.com")));
            set(m, "subject", json!("Ticket {{ticket.id}} updated"));
        }
        "phone_numbers" => {
            let number = format!("+1555010{:04}", id);
            set(m, "number", json!(number));
            set(
                m,
                "display_number",
                json!(format!("+1 (555) 010-{:04}", id)),
            );
            set(m, "name", json!(format!("Support line {id}")));
            set(m, "nickname", json!(format!("Line {id}")));
            set(m, "location", json!("CA"));
            set(m, "toll_free", json!(id == 1));
            set(m, "default_group_id", json!(1 + (id - 1) % s.groups));
            set(m, "group_ids", json!([1 + (id - 1) % s.groups]));
        }
        "schedules" => {
            let zones = ["Pacific Time (US & Canada)", "London"];
            set(m, "name", json!(format!("Business hours {id}")));
            set(m, "time_zone", json!(pick(&zones, id - 1)));
            // Minutes from Sunday 00:00: Monday–Friday 09:00–17:00.
            let intervals: Vec<Value> = (1..=5)
                .map(|d| json!({"start_time": d * 1440 + 540, "end_time": d * 1440 + 1020}))
                .collect();
            set(m, "intervals", json!(intervals));
        }
        _ => return false,
    }
    true
}

/// `configuration` of a custom role.
pub(super) fn role_configuration(lead: bool) -> Value {
    json!({
        "assign_tickets_to_any_group": lead,
        "chat_access": true,
        "end_user_list_access": if lead { "full" } else { "none" },
        "end_user_profile_access": if lead { "full" } else { "readonly" },
        "explore_access": "readonly",
        "forum_access": "readonly",
        "forum_access_restricted_content": false,
        "group_access": lead,
        "light_agent": false,
        "macro_access": if lead { "full" } else { "readonly" },
        "manage_business_rules": lead,
        "manage_dynamic_content": false,
        "manage_extensions_and_channels": false,
        "manage_facebook": false,
        "moderate_forums": false,
        "organization_editing": lead,
        "organization_notes_editing": lead,
        "report_access": if lead { "full" } else { "readonly" },
        "ticket_access": "all",
        "ticket_comment_access": "public",
        "ticket_deletion": lead,
        "ticket_editing": true,
        "ticket_merge": lead,
        "ticket_tag_editing": true,
        "twitter_search_access": false,
        "view_access": if lead { "full" } else { "readonly" },
        "view_deleted_tickets": lead,
        "voice_access": true,
    })
}

const MACROS: &[(&str, &str, &str)] = &[
    (
        "Close and redirect to topics",
        "solved",
        "This topic is covered in our help center.",
    ),
    (
        "Downgrade and inform",
        "open",
        "We have lowered the priority of your request.",
    ),
    ("Take it!", "open", ""),
    (
        "Customer not responding",
        "pending",
        "We have not heard back from you.",
    ),
    (
        "Request more information",
        "pending",
        "Could you send us a few more details?",
    ),
    (
        "Escalate to tier 2",
        "open",
        "Escalating to our tier 2 team.",
    ),
    ("Refund issued", "solved", "Your refund is on its way."),
    ("Put on hold", "hold", "We are waiting on a third party."),
];

/// Macro `id`: title, actions (status, priority, tags, a comment).
pub(super) fn rule_macro(m: &mut Map<String, Value>, id: u64, h: u64) {
    let (title, status, comment) = pick(MACROS, id - 1);
    let title = if id as usize > MACROS.len() {
        format!("{title} ({id})")
    } else {
        title.to_string()
    };
    let mut actions = vec![json!({"field": "status", "value": status})];
    if id % 3 == 0 {
        actions
            .push(json!({"field": "priority", "value": pick(crate::data::tickets::PRIORITIES, h)}));
    }
    if id == 3 {
        actions.push(json!({"field": "assignee_id", "value": "current_user"}));
    }
    actions.push(json!({"field": "current_tags", "value": format!("macro_{id}")}));
    if !comment.is_empty() {
        actions.push(json!({"field": "comment_value", "value": comment}));
        actions.push(json!({"field": "comment_mode_is_public", "value": "true"}));
    }
    set(m, "title", json!(title));
    set(m, "raw_title", json!(title));
    set(
        m,
        "description",
        json!(format!("Sets the status to {status}")),
    );
    set(m, "position", json!(id));
    set(m, "active", json!(id % 7 != 0));
    set(m, "actions", json!(actions));
}

/// Trigger `id`: a condition on the status or priority, one notification or tag action.
pub(super) fn rule_trigger(m: &mut Map<String, Value>, id: u64, h: u64) {
    let (title, cond, action) = match id % 4 {
        1 => (
            "Notify requester of received request",
            json!({"field": "update_type", "operator": "is", "value": "Create"}),
            json!({"field": "notification_user", "value": ["requester_id", "Request received", "We got your request."]}),
        ),
        2 => (
            "Notify assignee of assignment",
            json!({"field": "assignee_id", "operator": "changed", "value": null}),
            json!({"field": "notification_user", "value": ["assignee_id", "Assigned", "A ticket was assigned to you."]}),
        ),
        3 => (
            "Tag urgent tickets",
            json!({"field": "priority", "operator": "is", "value": "urgent"}),
            json!({"field": "current_tags", "value": "urgent_escalated"}),
        ),
        _ => (
            "Route billing tickets",
            json!({"field": "current_tags", "operator": "includes", "value": "billing"}),
            json!({"field": "group_id", "value": "2"}),
        ),
    };
    let title = format!("{title} {id}");
    set(m, "title", json!(title));
    set(m, "raw_title", json!(title));
    set(m, "position", json!(id));
    set(m, "active", json!(h % 10 != 0));
    set(m, "category_id", json!((1 + (id - 1) % 5).to_string()));
    set(m, "conditions", json!({"all": [cond], "any": []}));
    set(m, "actions", json!([action]));
}

/// Automation `id`: close solved tickets after N hours, or nudge pending ones.
pub(super) fn rule_automation(m: &mut Map<String, Value>, id: u64) {
    let hours = 24 * (1 + id % 7);
    let (title, status, to) = if id % 2 == 1 {
        (
            format!("Close ticket {hours} hours after solved"),
            "solved",
            "closed",
        )
    } else {
        (
            format!("Reopen pending after {hours} hours"),
            "pending",
            "open",
        )
    };
    set(m, "title", json!(title));
    set(m, "raw_title", json!(title));
    set(m, "position", json!(id));
    set(
        m,
        "conditions",
        json!({"all": [
            {"field": "status", "operator": "is", "value": status},
            {"field": if status == "solved" { "SOLVED" } else { "PENDING" }, "operator": "greater_than", "value": hours.to_string()}
        ], "any": []}),
    );
    set(m, "actions", json!([{"field": "status", "value": to}]));
}

/// The seeded views: title and `conditions.all` (evaluated by the views endpoints).
pub(crate) const VIEWS: &[(&str, &str, &str, &str)] = &[
    ("Your unsolved tickets", "status", "less_than", "solved"),
    ("Unassigned tickets", "assignee_id", "is", ""),
    ("All unsolved tickets", "status", "less_than", "solved"),
    ("Recently updated tickets", "status", "less_than", "closed"),
    ("New tickets in your groups", "status", "is", "new"),
    ("Pending tickets", "status", "is", "pending"),
    ("Recently solved tickets", "status", "is", "solved"),
    ("On-hold tickets", "status", "is", "hold"),
    ("Urgent tickets", "priority", "is", "urgent"),
    ("VIP customers", "current_tags", "includes", "vip"),
    ("Billing questions", "current_tags", "includes", "billing"),
    ("Closed tickets", "status", "is", "closed"),
];

/// View `id`.
pub(super) fn rule_view(m: &mut Map<String, Value>, id: u64) {
    let (title, field, op, value) = pick(VIEWS, id - 1);
    let title = if id as usize > VIEWS.len() {
        format!("{title} ({id})")
    } else {
        title.to_string()
    };
    let mut all = vec![json!({"field": field, "operator": op, "value": value})];
    if id == 1 {
        all.push(json!({"field": "assignee_id", "operator": "is", "value": "current_user"}));
    }
    set(m, "title", json!(title));
    set(m, "raw_title", json!(title));
    set(m, "position", json!(id));
    set(m, "default", json!(id <= 8));
    set(m, "conditions", json!({"all": all, "any": []}));
}

/// User or organization field `id`.
pub(super) fn custom_field(f: &Family, m: &mut Map<String, Value>, id: u64) {
    let types = [
        ("text", "Nickname"),
        ("dropdown", "Plan"),
        ("checkbox", "Beta tester"),
        ("date", "Renewal date"),
        ("integer", "Seats"),
        ("decimal", "Discount"),
        ("textarea", "Background"),
        ("regexp", "Customer code"),
    ];
    let (ty, title) = pick(&types, id - 1);
    let scope = if f.name == "user_fields" {
        "user"
    } else {
        "org"
    };
    let key = format!("{scope}_{}", title.to_ascii_lowercase().replace(' ', "_"));
    set(m, "type", json!(ty));
    set(m, "key", json!(key));
    set(m, "title", json!(title));
    set(m, "raw_title", json!(title));
    set(m, "description", json!(format!("{} of the {scope}", title)));
    set(
        m,
        "raw_description",
        json!(format!("{} of the {scope}", title)),
    );
    set(m, "position", json!(id));
    if ty == "checkbox" {
        set(m, "tag", json!(format!("{key}_yes")));
    }
    if ty == "regexp" {
        set(m, "regexp_for_validation", json!("^[A-Z]{3}-[0-9]+$"));
    }
    if ty == "dropdown" {
        let options: Vec<Value> = ["Free", "Team", "Enterprise"]
            .iter()
            .enumerate()
            .map(|(i, n)| {
                json!({"id": id * 100 + i as u64 + 1, "name": n, "raw_name": n,
                       "value": format!("{scope}_plan_{}", n.to_ascii_lowercase()),
                       "position": i, "default": false})
            })
            .collect();
        set(m, "custom_field_options", json!(options));
    }
}

fn minutes(calendar: u64, business: u64) -> Value {
    json!({"calendar": calendar, "business": business})
}

/// The metrics of ticket `id` (metric id = ticket id), from the ticket as it is now.
pub(super) fn ticket_metric(f: &Family, cx: Ctx<'_>, id: u64) -> Option<Map<String, Value>> {
    let s = cx.s;
    let t = cx.db.tickets.get_with(s, id, generate_light)?;
    let h = |salt: u64| gen::hash(s.seed, super::seed::kind(f), id, salt);
    let solved = matches!(t.status, "solved" | "closed");
    let life = t.updated_at.saturating_sub(t.created_at) / 60;
    let reply = if t.comments > 1 {
        (h(1) % life.max(1)).max(1)
    } else {
        0
    };
    let first_reply = (t.comments > 1).then(|| minutes(reply, reply * 2 / 3));
    let resolution = solved.then(|| minutes(life, life / 3));
    let assigned = t.assignee_id.map(|_| gen::iso(t.created_at + reply * 30));
    let mut m = Map::new();
    m.insert("id".into(), ids::render(f, id));
    m.insert("ticket_id".into(), json!(id));
    m.insert("created_at".into(), json!(gen::iso(t.created_at)));
    m.insert("updated_at".into(), json!(gen::iso(t.updated_at)));
    m.insert("group_stations".into(), json!(1 + h(2) % 2));
    m.insert(
        "assignee_stations".into(),
        json!(u64::from(t.assignee_id.is_some()) + h(3) % 2),
    );
    m.insert("reopens".into(), json!(h(4) % 3));
    m.insert("replies".into(), json!(t.comments.saturating_sub(1)));
    m.insert("assignee_updated_at".into(), json!(assigned));
    m.insert("requester_updated_at".into(), json!(gen::iso(t.created_at)));
    m.insert("status_updated_at".into(), json!(gen::iso(t.updated_at)));
    m.insert("initially_assigned_at".into(), json!(assigned));
    m.insert("assigned_at".into(), json!(assigned));
    m.insert(
        "solved_at".into(),
        json!(solved.then(|| gen::iso(t.updated_at))),
    );
    m.insert(
        "latest_comment_added_at".into(),
        json!(gen::iso(t.updated_at)),
    );
    m.insert(
        "custom_status_updated_at".into(),
        json!(gen::iso(t.updated_at)),
    );
    m.insert("reply_time_in_minutes".into(), json!(first_reply));
    m.insert(
        "reply_time_in_seconds".into(),
        json!((t.comments > 1).then(|| json!({"calendar": reply * 60}))),
    );
    m.insert("first_resolution_time_in_minutes".into(), json!(resolution));
    m.insert("full_resolution_time_in_minutes".into(), json!(resolution));
    m.insert(
        "agent_wait_time_in_minutes".into(),
        minutes(life / 4, life / 8),
    );
    m.insert(
        "requester_wait_time_in_minutes".into(),
        minutes(life / 2, life / 5),
    );
    m.insert("on_hold_time_in_minutes".into(), minutes(0, 0));
    Some(m)
}
