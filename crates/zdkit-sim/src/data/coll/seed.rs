//! Seed generators of the generic families: `defaults` (the fields a created record starts
//! with, which also fix each field's JSON type for validation) and `generate` (record `id`
//! of the seeded state, a pure function of `(seed, id)` and the generated core data).
//! Shapes follow the OAS schemas and the recorded responses of the API reference.

use serde_json::{json, Map, Value};
use zdkit_catalog::Family;

use super::{ids, seed_more, Ctx};
use crate::data::gen::{self, hash, pick};
use crate::data::tickets::STATUSES;

/// The `kind` salt of a family's hashes (distinct per family name).
pub(crate) fn kind(f: &Family) -> u64 {
    0x1000
        + f.name
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(131).wrapping_add(u64::from(b)))
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The fields a record of family `f` starts with when created through the API (before the
/// request's fields are merged in). `None` for a family without create.
pub(crate) fn defaults(f: &Family) -> Map<String, Value> {
    obj(match f.name {
        "group_memberships" => json!({"user_id": null, "group_id": null, "default": false}),
        "organization_memberships" => json!({
            "user_id": null, "organization_id": null, "default": false, "view_tickets": true,
            "organization_name": "",
        }),
        "macros" => json!({
            "title": "", "raw_title": "", "description": null, "active": true, "default": false,
            "position": 10_000, "restriction": null, "actions": [],
        }),
        "triggers" => json!({
            "title": "", "raw_title": "", "description": null, "active": true, "default": false,
            "position": 10_000, "category_id": "1", "conditions": {"all": [], "any": []}, "actions": [],
        }),
        "trigger_categories" => json!({"name": "", "position": 10_000}),
        "automations" => json!({
            "title": "", "raw_title": "", "active": true, "default": false, "position": 10_000,
            "conditions": {"all": [], "any": []}, "actions": [],
        }),
        "views" => json!({
            "title": "", "raw_title": "", "description": null, "active": true, "default": false,
            "position": 10_000, "restriction": null,
            "conditions": {"all": [], "any": []},
            "execution": {
                "group_by": "status", "group_order": "asc", "sort_by": "updated_at",
                "sort_order": "desc", "group": {"id": "status", "title": "Status", "order": "asc"},
                "sort": {"id": "updated_at", "title": "Updated", "order": "desc"},
                "columns": [
                    {"id": "subject", "title": "Subject"},
                    {"id": "requester", "title": "Requester"},
                    {"id": "updated", "title": "Updated"}
                ],
                "fields": [
                    {"id": "subject", "title": "Subject"},
                    {"id": "requester", "title": "Requester"},
                    {"id": "updated", "title": "Updated"}
                ],
                "custom_fields": []
            },
        }),
        "organization_fields" | "user_fields" => json!({
            "type": "text", "key": "", "title": "", "raw_title": "", "description": "",
            "raw_description": "", "position": 10_000, "active": true, "system": false,
            "regexp_for_validation": null, "tag": null,
        }),
        "sla_policies" | "group_sla_policies" => json!({
            "title": "", "description": "", "position": 10_000,
            "filter": {"all": [], "any": []}, "policy_metrics": [],
        }),
        "ticket_forms" => json!({
            "name": "", "raw_name": "", "display_name": "", "raw_display_name": "",
            "position": 10_000, "active": true, "end_user_visible": true, "default": false,
            "in_all_brands": true, "restricted_brand_ids": [], "ticket_field_ids": [],
            "agent_conditions": [], "end_user_conditions": [],
        }),
        "brands" => json!({
            "name": "", "subdomain": "", "brand_url": "", "host_mapping": null,
            "has_help_center": false, "help_center_state": "disabled", "active": true,
            "default": false, "is_deleted": false, "logo": null, "ticket_form_ids": [],
            "signature_template": "{{agent.signature}}",
        }),
        "custom_statuses" => json!({
            "status_category": "open", "agent_label": "", "raw_agent_label": "",
            "end_user_label": "", "raw_end_user_label": "", "description": "",
            "raw_description": "", "end_user_description": "", "raw_end_user_description": "",
            "active": true, "default": false,
        }),
        "custom_roles" => json!({
            "name": "", "description": "", "role_type": 0, "team_member_count": 0,
            "configuration": seed_more::role_configuration(false),
        }),
        "webhooks" => json!({
            "name": "", "description": null, "endpoint": "", "http_method": "POST",
            "request_format": "json", "status": "active", "subscriptions": [],
            "authentication": null, "custom_headers": {}, "created_by": "1", "updated_by": "1",
        }),
        "identities" => json!({
            "user_id": null, "type": "email", "value": "", "verified": false, "primary": false,
            "deliverable_state": "deliverable", "undeliverable_count": 0, "verified_at": null,
            "verification_method": "none",
        }),
        _ => return seed_more::defaults(f),
    })
}

/// Record `id` of the seeded state of family `f`, `None` when that id has no record
/// (a membership whose user has no organization, a metric of a deleted ticket, …).
pub(crate) fn generate(f: &'static Family, cx: Ctx<'_>, id: u64) -> Option<Map<String, Value>> {
    let s = cx.s;
    let h = |salt: u64| hash(s.seed, kind(f), id, salt);
    let count = match f.seed {
        zdkit_catalog::Seed::Fixed(n) => u64::from(n),
        _ => s.tickets.max(1),
    };
    let created = gen::spread_ts(s.seed, kind(f), s.t0, id, count.max(1));
    let updated = created + h(90) % (30 * 86_400).min(s.t0.saturating_sub(created).max(1));
    let mut m = defaults(f);
    let set = |m: &mut Map<String, Value>, k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    match f.name {
        "group_memberships" => {
            // Users 1..=9 (the admin and the agents), each in up to five groups.
            let members = s.agents + 1;
            let (k, u) = ((id - 1) / members, (id - 1) % members);
            if k >= 5 {
                return None;
            }
            set(&mut m, "user_id", json!(1 + u));
            set(&mut m, "group_id", json!(1 + (3 * k + u) % s.groups));
            set(&mut m, "default", json!(k == 0));
        }
        "organization_memberships" => {
            let user = s.first_customer() + id;
            if user > s.users {
                return None;
            }
            let u = cx.db.users.get(s, user)?;
            let org = u.organization_id?;
            let name = cx.db.orgs.get(s, org).map(|o| o.name).unwrap_or_default();
            set(&mut m, "user_id", json!(user));
            set(&mut m, "organization_id", json!(org));
            set(&mut m, "organization_name", json!(name));
            set(&mut m, "default", json!(true));
        }
        "macros" => seed_more::rule_macro(&mut m, id, h(1)),
        "triggers" => seed_more::rule_trigger(&mut m, id, h(1)),
        "automations" => seed_more::rule_automation(&mut m, id),
        "views" => seed_more::rule_view(&mut m, id),
        "trigger_categories" => {
            let names = ["Notifications", "Routing", "SLA", "Tagging", "Integrations"];
            set(&mut m, "name", json!(pick(&names, id - 1)));
            set(&mut m, "position", json!(id));
        }
        "organization_fields" | "user_fields" => seed_more::custom_field(f, &mut m, id),
        "sla_policies" => {
            let p = pick(
                crate::data::tickets::PRIORITIES,
                3u64.saturating_sub(id - 1),
            );
            set(
                &mut m,
                "title",
                json!(format!("{} priority SLA", capital(p))),
            );
            set(
                &mut m,
                "description",
                json!(format!("Targets for {p} tickets")),
            );
            set(&mut m, "position", json!(id));
            set(
                &mut m,
                "filter",
                json!({"all": [{"field": "priority", "operator": "is", "value": p}], "any": []}),
            );
            let t = [30, 60, 240, 480][(id as usize - 1) % 4];
            set(
                &mut m,
                "policy_metrics",
                json!([
                    {"priority": p, "metric": "first_reply_time", "target": t, "business_hours": false},
                    {"priority": p, "metric": "requester_wait_time", "target": t * 8, "business_hours": true}
                ]),
            );
        }
        "group_sla_policies" => {
            set(&mut m, "title", json!(format!("Group ownership {id}")));
            set(&mut m, "position", json!(id));
            set(
                &mut m,
                "filter",
                json!({"all": [{"field": "group_id", "operator": "includes", "value": [id]}]}),
            );
            set(
                &mut m,
                "policy_metrics",
                json!([{"priority": "normal", "metric": "group_ownership_time", "target": 3600 * id, "business_hours": false}]),
            );
        }
        "ticket_forms" => {
            let names = ["Default Ticket Form", "Billing", "Returns", "Hardware"];
            let name = pick(&names, id - 1);
            for k in ["name", "raw_name", "display_name", "raw_display_name"] {
                set(&mut m, k, json!(name));
            }
            set(&mut m, "position", json!(id));
            set(&mut m, "default", json!(id == 1));
            set(
                &mut m,
                "ticket_field_ids",
                json!((1..=crate::data::orgs::FIELD_COUNT).collect::<Vec<u64>>()),
            );
        }
        "brands" => {
            let names = ["Acme Support", "Acme Shop", "Acme Labs"];
            let name = pick(&names, id - 1);
            let sub = format!(
                "acme{}",
                if id == 1 {
                    String::new()
                } else {
                    id.to_string()
                }
            );
            set(&mut m, "name", json!(name));
            set(
                &mut m,
                "brand_url",
                json!(format!("https://{sub}.zendesk.com")),
            );
            set(&mut m, "subdomain", json!(sub));
            set(&mut m, "default", json!(id == 1));
            set(&mut m, "has_help_center", json!(id == 1));
            set(
                &mut m,
                "help_center_state",
                json!(if id == 1 { "enabled" } else { "disabled" }),
            );
            set(&mut m, "ticket_form_ids", json!([1, 2, 3, 4]));
        }
        "custom_statuses" => {
            // 1..=6 are the statuses tickets carry (`custom_status_id` of new … closed).
            let (cat, label, default) = match id {
                1..=5 => (
                    STATUSES[id as usize - 1],
                    capital(STATUSES[id as usize - 1]),
                    true,
                ),
                6 => ("solved", "Closed".to_string(), false),
                7 => ("pending", "Awaiting vendor".to_string(), false),
                _ => ("open", "Escalated".to_string(), false),
            };
            set(&mut m, "status_category", json!(cat));
            for k in [
                "agent_label",
                "raw_agent_label",
                "end_user_label",
                "raw_end_user_label",
            ] {
                set(&mut m, k, json!(label));
            }
            set(&mut m, "default", json!(default));
        }
        "custom_roles" => {
            let names = [
                "Staff",
                "Team lead",
                "Advisor",
                "Light agent",
                "Contributor",
            ];
            set(&mut m, "name", json!(pick(&names, id - 1)));
            set(&mut m, "description", json!(format!("Role {id}")));
            set(&mut m, "role_type", json!(if id == 4 { 1 } else { 0 }));
            set(&mut m, "team_member_count", json!(h(2) % 6));
            set(
                &mut m,
                "configuration",
                seed_more::role_configuration(id <= 2),
            );
        }
        "webhooks" => {
            set(&mut m, "name", json!(format!("Webhook {id}")));
            set(
                &mut m,
                "endpoint",
                json!(format!("https://hooks.example.com/zendesk/{id}")),
            );
            set(
                &mut m,
                "subscriptions",
                json!(if id == 1 {
                    vec!["conditional_ticket_events"]
                } else {
                    vec![
                        "zen:event-type:ticket.created",
                        "zen:event-type:ticket.status_changed",
                    ]
                }),
            );
        }
        "identities" => {
            // One primary email identity per generated user with an email; id = user id.
            let u = cx.db.users.get(s, id)?;
            let email = u.email?;
            set(&mut m, "user_id", json!(id));
            set(&mut m, "value", json!(email));
            set(&mut m, "verified", json!(true));
            set(&mut m, "primary", json!(true));
            set(&mut m, "verified_at", json!(gen::iso(u.created_at)));
            set(&mut m, "verification_method", json!("full"));
            m.insert("id".into(), ids::render(f, id));
            m.insert("created_at".into(), json!(gen::iso(u.created_at)));
            m.insert("updated_at".into(), json!(gen::iso(u.updated_at)));
            return Some(m);
        }
        "ticket_metrics" => return seed_more::ticket_metric(f, cx, id),
        _ => {
            if !seed_more::generate(f, cx, id, &mut m, h(1)) {
                return None;
            }
        }
    }
    m.insert("id".into(), ids::render(f, id));
    m.entry("created_at")
        .or_insert_with(|| json!(gen::iso(created)));
    m.entry("updated_at")
        .or_insert_with(|| json!(gen::iso(updated)));
    Some(m)
}

pub(crate) fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
