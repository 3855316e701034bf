//! Live responses validated against the official OAS (`shared/zendesk-oas`).
//!
//! The validator covers the subset of OpenAPI the file uses for responses: `$ref`,
//! `allOf`/`oneOf`/`anyOf`, `type`, `properties`, `required`, `items`, `nullable`, `enum`.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

const OAS_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/zendesk-oas/support-api-oas.yaml"
);

/// Places where the OAS is known to disagree with what Zendesk sends; the simulator
/// follows the wire-format notes. Each entry: (JSON path suffix, reason).
const KNOWN_OAS_GAPS: &[(&str, &str)] = &[
    (".nullable", "the OAS omits `nullable: true` on many properties that Zendesk documents and sends as null (assignee_id, group_id, organization_id, external_id, type, priority, due_at, …); null is accepted for any property that is not `required`"),
    ("ticket_events[].child_events[]", "the OAS example/schema for ticket_events describes ticket metric events (reference §6.5); child event items are not checked"),
    ("custom_fields[].value", "custom field values are string, number, bool, array or null (reference §7.1); the OAS says string"),
    ("fields[].value", "same as custom_fields[].value"),
    ("=$.ticket_metric", "the OAS types the answer of Show Ticket Metrics as an array; Zendesk sends one object (the list's item schema)"),
    ("=$.satisfaction_rating", "same for Show Satisfaction Rating"),
    ("=$.reason", "same for Show Satisfaction Reason"),
    ("result.ticket.fields", "the OAS types a macro result's `fields` as one {id, value} object; tickets carry an array of them everywhere else (TicketObject), which the simulator sends"),
    ("tickets[].status = deleted", "incremental ticket exports report deleted tickets with status \"deleted\" (reference §6.2), which the OAS status enum lacks"),
];

fn oas() -> Value {
    let text = std::fs::read_to_string(OAS_PATH).unwrap_or_else(|e| {
        panic!("the OAS file is required for the conformance test: {OAS_PATH}: {e} (CI clones the repo with shared/ beside it)")
    });
    serde_yaml::from_str(&text).expect("the OAS parses as YAML")
}

fn resolve<'a>(root: &'a Value, mut v: &'a Value) -> &'a Value {
    while let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let mut cur = root;
        for part in r.trim_start_matches("#/").split('/') {
            cur = &cur[part];
        }
        v = cur;
    }
    v
}

fn gap(path: &str) -> bool {
    KNOWN_OAS_GAPS
        .iter()
        .any(|(suffix, _)| match suffix.strip_prefix('=') {
            Some(exact) => path == exact,
            None => !suffix.starts_with('.') && path.contains(suffix),
        })
}

fn validate(root: &Value, schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    let schema = resolve(root, schema);
    if gap(path) {
        return;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate(root, s, v, path, errors);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(any) = schema.get(key).and_then(Value::as_array) {
            let ok = any.iter().any(|s| {
                let mut e = Vec::new();
                validate(root, s, v, path, &mut e);
                e.is_empty()
            });
            if !ok {
                errors.push(format!("{path}: matches none of {key}"));
            }
        }
    }
    if v.is_null() {
        // Callers decide about nulls of optional properties (see KNOWN_OAS_GAPS).
        if schema.get("nullable") != Some(&json!(true))
            && schema.get("type").is_some()
            && path.ends_with("!required")
        {
            errors.push(format!("{path}: null"));
        }
        return;
    }
    let ty = schema.get("type").and_then(Value::as_str);
    let ok = match ty {
        Some("integer") => v.is_i64() || v.is_u64(),
        Some("number") => v.is_number(),
        Some("string") => v.is_string(),
        Some("boolean") => v.is_boolean(),
        Some("array") => v.is_array(),
        Some("object") => v.is_object(),
        _ => true,
    };
    if !ok {
        errors.push(format!("{path}: expected {}, got {v}", ty.unwrap_or("?")));
        return;
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let deleted_in_export = path.ends_with("tickets[].status") && v == "deleted";
        if !values.contains(v) && !deleted_in_export {
            errors.push(format!("{path}: {v} not in enum {values:?}"));
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, item) in arr.iter().enumerate().take(50) {
            let _ = i;
            validate(root, items, item, &format!("{path}[]"), errors);
        }
    }
    if let Some(obj) = v.as_object() {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for r in &required {
            if !obj.contains_key(*r) {
                errors.push(format!("{path}.{r}: required but missing"));
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, s) in props {
                if let Some(x) = obj.get(k) {
                    let p = if required.contains(&k.as_str()) {
                        format!("{path}.{k}!required")
                    } else {
                        format!("{path}.{k}")
                    };
                    validate(root, s, x, &p, errors);
                }
            }
        }
    }
}

fn response_schema<'a>(root: &'a Value, path: &str, method: &str, status: &str) -> &'a Value {
    let op = &root["paths"][path][method];
    assert!(op.is_object(), "OAS has no {method} {path}");
    let resp = resolve(root, &op["responses"][status]);
    let schema = &resp["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "OAS {method} {path} {status} has no JSON schema"
    );
    schema
}

#[tokio::test]
async fn live_responses_match_the_oas() {
    let root = oas();
    let sim = start(300).await;
    let created = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"comment": {"body": "hi"}, "priority": "high"}}),
        )
        .await;
    let job = sim
        .json(
            Method::PUT,
            "/api/v2/tickets/update_many?ids=1,2",
            json!({"ticket": {"priority": "low"}}),
        )
        .await;
    let job_id = job.body["job_status"]["id"].as_str().unwrap().to_string();
    sim.advance(120);
    let live = sim.truth("tickets").await.iter().find(|t| !t.3).unwrap().0;
    let cases: Vec<(&str, String)> = vec![
        ("/api/v2/tickets", "/api/v2/tickets?page[size]=20".into()),
        ("/api/v2/tickets", "/api/v2/tickets?per_page=20".into()),
        (
            "/api/v2/tickets/{ticket_id}",
            format!("/api/v2/tickets/{live}"),
        ),
        (
            "/api/v2/tickets/show_many",
            format!("/api/v2/tickets/show_many?ids={live}"),
        ),
        ("/api/v2/tickets/count", "/api/v2/tickets/count".into()),
        (
            "/api/v2/tickets/{ticket_id}/comments",
            format!("/api/v2/tickets/{live}/comments"),
        ),
        (
            "/api/v2/tickets/{ticket_id}/audits",
            format!("/api/v2/tickets/{live}/audits"),
        ),
        ("/api/v2/users", "/api/v2/users?page[size]=30".into()),
        ("/api/v2/users/{user_id}", "/api/v2/users/12".into()),
        ("/api/v2/users/me", "/api/v2/users/me".into()),
        ("/api/v2/organizations", "/api/v2/organizations".into()),
        (
            "/api/v2/organizations/{organization_id}",
            "/api/v2/organizations/1".into(),
        ),
        ("/api/v2/groups", "/api/v2/groups".into()),
        ("/api/v2/groups/{group_id}", "/api/v2/groups/1".into()),
        ("/api/v2/ticket_fields", "/api/v2/ticket_fields".into()),
        (
            "/api/v2/ticket_fields/{ticket_field_id}",
            "/api/v2/ticket_fields/14".into(),
        ),
        (
            "/api/v2/incremental/tickets/cursor",
            "/api/v2/incremental/tickets/cursor?start_time=0&per_page=50".into(),
        ),
        (
            "/api/v2/incremental/tickets",
            "/api/v2/incremental/tickets?start_time=0&per_page=50".into(),
        ),
        (
            "/api/v2/incremental/users/cursor",
            "/api/v2/incremental/users/cursor?start_time=0&per_page=50".into(),
        ),
        (
            "/api/v2/incremental/users",
            "/api/v2/incremental/users?start_time=0&per_page=50".into(),
        ),
        (
            "/api/v2/incremental/organizations",
            "/api/v2/incremental/organizations?start_time=0".into(),
        ),
        (
            "/api/v2/incremental/ticket_events",
            "/api/v2/incremental/ticket_events?start_time=0&per_page=20".into(),
        ),
        ("/api/v2/job_statuses", "/api/v2/job_statuses".into()),
        (
            "/api/v2/job_statuses/{job_status_id}",
            format!("/api/v2/job_statuses/{job_id}"),
        ),
        ("/api/v2/search", "/api/v2/search?query=status:open".into()),
        ("/api/v2/search", "/api/v2/search?query=role:agent".into()),
        (
            "/api/v2/search/count",
            "/api/v2/search/count?query=status:open".into(),
        ),
        (
            "/api/v2/search/export",
            "/api/v2/search/export?query=status:open&filter[type]=ticket".into(),
        ),
    ];
    let mut failures = Vec::new();
    for (oas_path, url) in &cases {
        let r = sim.get(url).await;
        assert_eq!(r.status, 200, "{url}: {}", r.text);
        let schema = response_schema(&root, oas_path, "get", "200");
        let mut errors = Vec::new();
        validate(&root, schema, &r.body, "$", &mut errors);
        failures.extend(errors.into_iter().map(|e| format!("GET {url}: {e}")));
    }
    let created_id = created.body["ticket"]["id"].as_u64().unwrap();
    let updated = sim
        .json(
            Method::PUT,
            &format!("/api/v2/tickets/{created_id}"),
            json!({"ticket": {"status": "open", "comment": "more"}}),
        )
        .await;
    let user = sim
        .json(
            Method::POST,
            "/api/v2/users",
            json!({"user": {"name": "New", "email": "new@example.com"}}),
        )
        .await;
    let upsert = sim
        .json(
            Method::POST,
            "/api/v2/users/create_or_update",
            json!({"user": {"name": "Newer", "email": "new@example.com"}}),
        )
        .await;
    let bulk = sim
        .json(
            Method::POST,
            "/api/v2/tickets/create_many",
            json!({"tickets": [{"comment": "a"}]}),
        )
        .await;
    let writes: Vec<(&str, &str, &str, &Resp)> = vec![
        ("/api/v2/tickets", "post", "201", &created),
        ("/api/v2/tickets/{ticket_id}", "put", "200", &updated),
        ("/api/v2/users", "post", "201", &user),
        ("/api/v2/users/create_or_update", "post", "200", &upsert),
        ("/api/v2/tickets/create_many", "post", "200", &bulk),
        ("/api/v2/tickets/update_many", "put", "200", &job),
    ];
    for (path, method, status, r) in writes {
        assert_eq!(r.status.as_str(), status, "{method} {path}: {}", r.text);
        let schema = response_schema(&root, path, method, status);
        let mut errors = Vec::new();
        validate(&root, schema, &r.body, "$", &mut errors);
        failures.extend(errors.into_iter().map(|e| format!("{method} {path}: {e}")));
    }
    assert!(
        failures.is_empty(),
        "{} OAS mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn validator_catches_mismatches() {
    let root = json!({"components": {"schemas": {"T": {"type": "object", "required": ["id"], "properties": {
        "id": {"type": "integer"}, "status": {"type": "string", "enum": ["open"]}, "tags": {"type": "array", "items": {"type": "string"}}}}}}});
    let schema = json!({"$ref": "#/components/schemas/T"});
    let mut e = Vec::new();
    validate(
        &root,
        &schema,
        &json!({"id": 1, "status": "open", "tags": ["a"]}),
        "$",
        &mut e,
    );
    assert!(e.is_empty(), "{e:?}");
    validate(
        &root,
        &schema,
        &json!({"status": "closed", "tags": [1]}),
        "$",
        &mut e,
    );
    assert_eq!(e.len(), 3, "{e:?}");
}

/// A minimal valid create body of each generic family (its `singular` object).
pub fn sample_create(name: &str) -> Value {
    match name {
        "group_memberships" => json!({"user_id": 2, "group_id": 7}),
        "organization_memberships" => json!({"user_id": 1, "organization_id": 3}),
        "macros" => json!({"title": "Roger", "actions": [{"field": "status", "value": "solved"}]}),
        "triggers" | "automations" => {
            json!({"title": "Rule", "conditions": {"all": [{"field": "status", "operator": "is", "value": "open"}], "any": []}, "actions": [{"field": "priority", "value": "high"}]})
        }
        "trigger_categories" => json!({"name": "Mine", "position": 9}),
        "views" => {
            json!({"title": "Mine", "all": [{"field": "status", "operator": "is", "value": "open"}]})
        }
        "organization_fields" | "user_fields" => {
            json!({"type": "text", "title": "Shoe size", "key": "shoe_size"})
        }
        "sla_policies" | "group_sla_policies" => {
            json!({"title": "Fast", "filter": {"all": [], "any": []}})
        }
        "ticket_forms" => json!({"name": "Snowboard problem"}),
        "brands" => json!({"name": "Other", "subdomain": "other-brand"}),
        "custom_statuses" => {
            json!({"status_category": "pending", "agent_label": "Waiting on parts"})
        }
        "custom_roles" => json!({"name": "Reviewer", "role_type": 0}),
        "identities" => json!({"type": "email", "value": "second@example.com"}),
        "dynamic_content_items" => {
            json!({"name": "Footer", "default_locale_id": 1, "variants": [{"locale_id": 1, "default": true, "content": "Bye"}]})
        }
        "recipient_addresses" => json!({"email": "help@other.example.com", "name": "Help"}),
        "sharing_agreements" => json!({"remote_subdomain": "friend"}),
        "targets" => {
            json!({"type": "email_target", "title": "Alert", "email": "a@example.com", "subject": "x"})
        }
        "webhooks" => {
            json!({"name": "Hook", "endpoint": "https://example.com/h", "http_method": "POST", "request_format": "json", "status": "active", "subscriptions": ["conditional_ticket_events"]})
        }
        "phone_numbers" => json!({"token": "abc"}),
        "schedules" => json!({"name": "Weekend", "time_zone": "London"}),
        other => panic!("no sample body for {other}"),
    }
}

/// The collection path of a catalogue family for a request (parents filled with 12).
fn concrete(path: &str) -> String {
    path.replace("{user_id}", "12")
}

#[allow(clippy::too_many_arguments)]
fn check(
    root: &Value,
    failures: &mut Vec<String>,
    what: String,
    oas_path: &str,
    method: &str,
    status: &str,
    r: &Resp,
    in_oas: bool,
) {
    if r.status.as_str() != status {
        failures.push(format!(
            "{what}: status {} (want {status}): {}",
            r.status, r.text
        ));
        return;
    }
    if !in_oas || status == "204" {
        return;
    }
    let op = &root["paths"][oas_path][method];
    let resp = resolve(root, &op["responses"][status]);
    let schema = &resp["content"]["application/json"]["schema"];
    if !schema.is_object() {
        return;
    }
    let mut errors = Vec::new();
    validate(root, schema, &r.body, "$", &mut errors);
    failures.extend(errors.into_iter().map(|e| format!("{what}: {e}")));
}

/// Every generic family of the catalogue, through the live simulator: list (each paging
/// the row declares), show, create, update, delete; each answer checked against the OAS
/// operation's schema (families documented outside the OAS are checked for their keys).
#[tokio::test]
async fn catalogue_families_match_the_oas() {
    use zdkit_catalog::{Op, PageDefault};
    let root = oas();
    let sim = start(300).await;
    let mut failures = Vec::new();
    let mut served = 0;
    for f in zdkit_catalog::generic() {
        served += 1;
        let in_oas = f.source.is_none();
        let oas = |op: Op| format!("/api/v2/{}", f.op_path(op).unwrap());
        let path = format!("/api/v2/{}", concrete(f.path));
        // Lists, in every paging the row declares.
        let mut urls = vec![path.clone()];
        if f.paging.cursor {
            urls.push(format!("{path}?page[size]=2"));
        }
        if f.paging.offset {
            urls.push(format!("{path}?per_page=2&page=1"));
        }
        let mut first_id = None;
        for url in &urls {
            let r = sim.get(url).await;
            check(
                &root,
                &mut failures,
                format!("GET {url}"),
                &oas(Op::List),
                "get",
                "200",
                &r,
                in_oas,
            );
            let items = r.body[f.plural].as_array().cloned().unwrap_or_default();
            if items.is_empty() {
                failures.push(format!("GET {url}: no {} seeded", f.plural));
                continue;
            }
            if url.contains("page[size]") {
                if !r.body["meta"]["has_more"].is_boolean() || !r.body["links"]["next"].is_string()
                {
                    failures.push(format!("GET {url}: cursor fields missing: {}", r.text));
                } else if f.parent.is_none() && r.body["meta"]["has_more"] != json!(true) {
                    failures.push(format!("GET {url}: has_more is false with more records"));
                } else {
                    // The next page continues without repeating.
                    let next = sim.get(r.body["links"]["next"].as_str().unwrap()).await;
                    let again = next.body[f.plural].as_array().cloned().unwrap_or_default();
                    if again
                        .iter()
                        .any(|x| items.iter().any(|y| y["id"] == x["id"]))
                    {
                        failures.push(format!("GET {url}: the next page repeats records"));
                    }
                }
            } else if (url.contains("per_page") || f.paging.default != PageDefault::Cursor)
                && !r.body.get("count").is_some_and(Value::is_u64)
            {
                failures.push(format!("GET {url}: no count: {}", r.text));
            }
            first_id.get_or_insert(items[0]["id"].clone());
        }
        let Some(id) = first_id else { continue };
        let id_text = match &id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if f.ops.show {
            let url = format!("{path}/{id_text}");
            let r = sim.get(&url).await;
            check(
                &root,
                &mut failures,
                format!("GET {url}"),
                &oas(Op::Show),
                "get",
                "200",
                &r,
                in_oas,
            );
            if r.body[f.singular]["id"] != id {
                failures.push(format!("GET {url}: wrong record: {}", r.text));
            }
            let missing = sim.get(&format!("{path}/999999")).await;
            if missing.status != 404 {
                failures.push(format!("GET {path}/999999: {}", missing.status));
            }
        }
        if !f.ops.create {
            continue;
        }
        let body = json!({ f.singular: sample_create(f.name) });
        let r = sim.json(Method::POST, &path, body).await;
        let status = f.create_status.to_string();
        check(
            &root,
            &mut failures,
            format!("POST {path}"),
            &oas(Op::Create),
            "post",
            &status,
            &r,
            in_oas,
        );
        let new_id = r.body[f.singular]["id"].clone();
        let new_text = match &new_id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        // The same record again breaks a uniqueness rule, or a required field is blank.
        let blank = sim
            .json(Method::POST, &path, json!({ f.singular: {} }))
            .await;
        if !f.required.is_empty() && blank.status != 422 {
            failures.push(format!(
                "POST {path} with {{}}: {} {}",
                blank.status, blank.text
            ));
        }
        let shown = sim.get(&format!("{path}/{new_text}")).await;
        if f.ops.show && shown.status != 200 {
            failures.push(format!("GET the created {}: {}", f.singular, shown.text));
        }
        if f.ops.update {
            let change = json!({ f.singular: {"active": false} });
            let method = match f.update_method {
                zdkit_catalog::Method::Patch => Method::PATCH,
                _ => Method::PUT,
            };
            let m = method.as_str().to_ascii_lowercase();
            let r = sim
                .json(method, &format!("{path}/{new_text}"), change)
                .await;
            check(
                &root,
                &mut failures,
                format!("{m} {path}/{new_text}"),
                &oas(Op::Update),
                &m,
                "200",
                &r,
                in_oas,
            );
        }
        if f.ops.delete {
            let r = sim
                .send(sim.req(Method::DELETE, &format!("{path}/{new_text}")))
                .await;
            check(
                &root,
                &mut failures,
                format!("DELETE {path}/{new_text}"),
                &oas(Op::Delete),
                "delete",
                "204",
                &r,
                in_oas,
            );
            let gone = sim.get(&format!("{path}/{new_text}")).await;
            if f.ops.show && gone.status != 404 {
                failures.push(format!("GET a deleted {}: {}", f.singular, gone.status));
            }
        }
    }
    assert!(served >= 25, "the generic engine serves {served} families");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Reads of every family the simulator serves, bespoke ones included: the list, the
/// `show_many`, `count` and `search` the row declares and every `GET` action
/// (`views/{view_id}/tickets`, `tickets/{ticket_id}/tags`, `webhooks/{webhook_id}/signing_secret`,
/// …), each answer checked against its OAS operation (or, for families documented outside
/// the OAS, for a 200 with the row's key).
#[tokio::test]
async fn every_catalogue_read_matches_the_oas() {
    use zdkit_catalog::{Method as M, Op};
    let root = oas();
    let sim = start(300).await;
    let ticket = sim.listed_ticket_ids().await[0];
    let webhooks = sim.get("/api/v2/webhooks").await;
    let webhook = webhooks.body["webhooks"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let fill = |path: &str| {
        path.replace("{ticket_id}", &ticket.to_string())
            .replace("{user_id}", "12")
            .replace("{user_identity_id}", "12")
            .replace("{organization_id}", "1")
            .replace("{webhook_id}", &webhook)
            .replace(['{', '}'], "")
    };
    // Remaining `{x_id}` parameters are record 1 of their family.
    let fill = |path: &str| {
        let mut out = fill(path);
        for name in [
            "view_id",
            "macro_id",
            "user_field_id",
            "ticket_form_id",
            "group_membership_id",
            "organization_membership_id",
        ] {
            out = out.replace(name, "1");
        }
        out
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in zdkit_catalog::FAMILIES {
        let in_oas = f.source.is_none();
        let mut reads: Vec<(String, String, Option<&str>, bool)> = Vec::new();
        let mut add = |template: String, query: &str, key: Option<&'static str>, in_oas: bool| {
            let url = format!("/api/v2/{}{query}", fill(&template));
            reads.push((format!("/api/v2/{template}"), url, key, in_oas));
        };
        if f.ops.list && f.path != "job_statuses" {
            let q = if f.path.starts_with("incremental/") {
                "?start_time=0"
            } else {
                ""
            };
            add(f.path.to_string(), q, Some(f.plural), in_oas);
        }
        if f.ops.show_many {
            let ids = if f.name == "tickets" {
                ticket.to_string()
            } else {
                "1,2".to_string()
            };
            add(
                format!("{}/show_many", f.path),
                &format!("?ids={ids}"),
                Some(f.plural),
                in_oas,
            );
        }
        if f.ops.count {
            add(f.op_path(Op::Count).unwrap(), "", Some("count"), in_oas);
        }
        if f.ops.search {
            let q = match f.name {
                "users" => "?query=customer",
                "organizations" => "?name=Org",
                _ => "?query=a",
            };
            add(format!("{}/search", f.path), q, Some(f.plural), in_oas);
        }
        for a in f.actions.iter().filter(|a| a.method == M::Get) {
            let q = match a.name {
                "count_many" => "?ids=1,2",
                "search" => "?query=a",
                "autocomplete" => "?name=ag",
                "check_host_mapping" => "?host_mapping=help.example.org&subdomain=acme",
                _ => "",
            };
            add(a.path.to_string(), q, a.key, a.in_oas && in_oas);
        }
        for (oas_path, url, key, in_oas) in reads {
            checked += 1;
            let r = sim.get(&url).await;
            if r.status != 200 {
                failures.push(format!("GET {url}: status {}: {}", r.status, r.text));
                continue;
            }
            if let Some(k) = key {
                if r.body.get(k).is_none() {
                    failures.push(format!("GET {url}: no `{k}` key: {}", r.text));
                }
            }
            if in_oas {
                check(
                    &root,
                    &mut failures,
                    format!("GET {url}"),
                    &oas_path,
                    "get",
                    "200",
                    &r,
                    true,
                );
            }
        }
    }
    assert!(checked >= 60, "only {checked} reads checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} reads fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
