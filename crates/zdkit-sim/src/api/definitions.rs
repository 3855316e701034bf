//! The catalogue's remaining read actions: business-rule definitions
//! (`macros/actions|categories|definitions`, `triggers/definitions`,
//! `slas/policies/definitions`), `tickets/{id}/related`, `organizations/{id}/related`,
//! `user_fields/{id}/options`, `locales/detect_best_locale` and
//! `brands/check_host_mapping`. The definitions are fixed documents shaped like the
//! examples of Zendesk's reference (developer.zendesk.com/api-reference/ticketing/
//! business-rules/), listing the fields the simulator's tickets have.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::paging::OnePage;
use crate::data::coll::Ctx;
use crate::data::tickets::{PRIORITIES, STATUSES};
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, Q};
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/macros/actions", get(macro_actions))
        .route("/api/v2/macros/categories", get(macro_categories))
        .route("/api/v2/macros/definitions", get(macro_definitions))
        .route("/api/v2/triggers/definitions", get(trigger_definitions))
        .route("/api/v2/slas/policies/definitions", get(sla_definitions))
        .route("/api/v2/tickets/{id}/related", get(ticket_related))
        .route(
            "/api/v2/organizations/{id}/related",
            get(organization_related),
        )
        .route("/api/v2/user_fields/{id}/options", get(user_field_options))
        .route("/api/v2/locales/detect_best_locale", get(best_locale))
        .route("/api/v2/brands/check_host_mapping", get(host_mapping))
}

fn title(v: &str) -> String {
    let mut c = v.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn values(list: &[&str]) -> Vec<Value> {
    list.iter()
        .map(|v| json!({"enabled": true, "title": title(v), "value": v}))
        .collect()
}

fn is_ops() -> Value {
    json!([{"title": "Is", "value": "is"}, {"title": "Is not", "value": "is_not"}])
}

/// `{group, title, subject, type, nullable, repeatable, values}` rule definitions.
fn definition(subject: &str, label: &str, list: &[&str]) -> Value {
    json!({"group": "ticket", "nullable": false, "repeatable": false, "subject": subject,
           "title": label, "type": "list", "values": values(list)})
}

fn action_defs() -> Vec<Value> {
    vec![
        definition("status", "Status", &STATUSES[1..]),
        definition("priority", "Priority", PRIORITIES),
        json!({"group": "ticket", "nullable": false, "repeatable": false, "subject": "subject",
               "title": "Set subject", "type": "text"}),
        json!({"group": "ticket", "nullable": false, "repeatable": true,
               "subject": "current_tags", "title": "Add tags", "type": "tags"}),
        json!({"group": "ticket", "nullable": true, "repeatable": false,
               "subject": "comment_value", "title": "Comment/description", "type": "text"}),
    ]
}

async fn macro_actions() -> Response {
    let field = |value: &str, label: &str, list: &[&str]| {
        json!({"group": "ticket", "operators": [{"title": "Is", "value": "is"}],
               "output_key": null, "target": null, "title": label, "title_for_field": label,
               "value": value,
               "values": {"list": values(list), "type": if list.is_empty() { "text" } else { "list" }}})
    };
    let actions = vec![
        field("subject", "Set subject", &[]),
        field("status", "Status", &STATUSES[1..]),
        field("priority", "Priority", PRIORITIES),
    ];
    Obj::new().field("actions", &actions).ok()
}

async fn macro_categories(State(st): State<SimState>) -> Response {
    // The first segment of the macros' `::`-separated titles, as Zendesk derives them.
    let db = st.read();
    let cx = Ctx {
        s: st.seeds(),
        db: &db,
    };
    let mut cats: Vec<String> = db
        .colls
        .get("macros")
        .map(|c| c.all(cx))
        .unwrap_or_default()
        .iter()
        .filter_map(|(_, r)| r.get("title").and_then(Value::as_str))
        .filter_map(|t| t.split_once("::").map(|(c, _)| c.trim().to_string()))
        .collect();
    cats.sort();
    cats.dedup();
    Obj::new().field("categories", &cats).ok()
}

async fn macro_definitions() -> Response {
    Obj::new()
        .field("definitions", &json!({"actions": action_defs()}))
        .ok()
}

async fn trigger_definitions() -> Response {
    let mut status = definition("status", "Status", STATUSES);
    status["operators"] = json!([
        {"terminal": false, "title": "Is", "value": "is"},
        {"terminal": false, "title": "Is not", "value": "is_not"},
        {"terminal": false, "title": "Less than", "value": "less_than"},
        {"terminal": false, "title": "Greater than", "value": "greater_than"},
        {"terminal": true, "title": "Changed", "value": "changed"},
        {"terminal": false, "title": "Changed to", "value": "value"},
        {"terminal": false, "title": "Changed from", "value": "value_previous"},
        {"terminal": true, "title": "Not changed", "value": "not_changed"},
    ]);
    let mut priority = definition("priority", "Priority", PRIORITIES);
    priority["operators"] = status["operators"].clone();
    Obj::new()
        .field(
            "definitions",
            &json!({"actions": action_defs(), "conditions_all": [status, priority.clone()],
                    "conditions_any": [priority]}),
        )
        .ok()
}

async fn sla_definitions() -> Response {
    let filter = |value: &str, label: &str, list: &[&str]| {
        json!({"group": "ticket", "operators": is_ops(), "target": null, "title": label,
               "value": value,
               "values": {"list": list.iter().map(|v| json!({"title": title(v), "value": v})).collect::<Vec<_>>(),
                          "type": "list"}})
    };
    let all = vec![
        filter("brand_id", "Brand", &["1"]),
        filter("priority", "Priority", PRIORITIES),
        filter("status", "Status", STATUSES),
    ];
    Obj::new()
        .field("definitions", &json!({"all": all, "any": all}))
        .ok()
}

async fn ticket_related(State(st): State<SimState>, p: PathIds) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let db = st.read();
    db.tickets
        .get(st.seeds(), id)
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Obj::new()
        .field("topic_id", &None::<String>)
        .field("jira_issue_ids", &Vec::<String>::new())
        .field("followup_source_ids", &Vec::<String>::new())
        .field("from_archive", &st.is_archived(&db, id))
        .field("incidents", &0)
        .ok())
}

async fn organization_related(
    State(st): State<SimState>,
    p: PathIds,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let s = st.seeds();
    let db = st.read();
    db.orgs.get(s, id).ok_or(ApiError::RecordNotFound)?;
    // Counted over the first 100,000 users and tickets (bounded work per request).
    let users = db
        .users
        .ids_after(s, 0)
        .take(100_000)
        .filter(|&u| {
            db.users
                .get(s, u)
                .is_some_and(|u| u.organization_id == Some(id))
        })
        .count();
    let tickets = db
        .tickets
        .ids_after(s, 0)
        .take(100_000)
        .filter(|&t| {
            db.tickets
                .get(s, t)
                .is_some_and(|t| t.organization_id == Some(id))
        })
        .count();
    Ok(Obj::new()
        .field(
            "organization_related",
            &json!({"tickets_count": tickets, "users_count": users}),
        )
        .ok())
}

async fn user_field_options(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let db = st.read();
    let cx = Ctx {
        s: st.seeds(),
        db: &db,
    };
    let field = db
        .colls
        .get("user_fields")
        .and_then(|c| c.get(cx, id))
        .ok_or(ApiError::RecordNotFound)?;
    let options: Vec<Value> = field
        .get("custom_field_options")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, mut o)| {
            let oid = o["id"].as_u64().unwrap_or(i as u64 + 1);
            o["id"] = json!(oid);
            o["position"] = o.get("position").cloned().unwrap_or(json!(i));
            o["url"] = json!(format!("{base}/api/v2/user_fields/{id}/options/{oid}.json"));
            o
        })
        .collect();
    let n = options.len() as u64;
    Ok(Obj::new()
        .field("custom_field_options", &options)
        .one_page(n)
        .ok())
}

async fn best_locale(State(st): State<SimState>, Base(base): Base) -> Result<Response, ApiError> {
    let db = st.read();
    let cx = Ctx {
        s: st.seeds(),
        db: &db,
    };
    let mut rec = db
        .colls
        .get("locales")
        .and_then(|c| c.get(cx, 1))
        .ok_or(ApiError::RecordNotFound)?;
    rec.insert("url".into(), json!(format!("{base}/api/v2/locales/1.json")));
    Ok(Obj::new().field("locale", &rec).ok())
}

async fn host_mapping(q: Q) -> Result<Response, ApiError> {
    let host = q
        .get("host_mapping")
        .ok_or_else(|| ApiError::BadRequest {
            error: "ParameterMissing".into(),
            description: "param is missing or the value is empty: host_mapping".into(),
        })?
        .trim()
        .to_ascii_lowercase();
    let subdomain = q.get("subdomain").unwrap_or("example").trim();
    let expected = format!("{subdomain}.zendesk.com");
    // The simulator resolves nothing: a host mapping is valid when it names a host.
    let valid = host.contains('.') && !host.starts_with('.') && !host.ends_with('.');
    Ok(Obj::new()
        .field("cname", &expected)
        .field("expected_cnames", &[&expected])
        .field("is_valid", &valid)
        .ok())
}
