//! Writes to generic families: validation in Zendesk's shapes (422 `RecordInvalid` with
//! per-field `details`), then create / update / delete in the overlay.
//!
//! Validation, all from the catalogue row and the family's defaults:
//! * a `required` field that is missing, null, `""` or `[]` → `BlankValue`;
//! * a field whose JSON type differs from its default's type (null aside) → `InvalidValue`;
//! * `user_id`, `group_id`, `organization_id`, `ticket_id`, `brand_id` naming no record
//!   → `InvalidValue`;
//! * a `unique` field set equal to another live record's → `DuplicateValue`.

use serde_json::{json, Map, Value};
use zdkit_catalog::Family;

use super::{ids, seed, Ctx};
use crate::data::gen::iso;
use crate::data::{Db, Seeds};
use crate::error::ApiError;

/// Keys a client cannot set.
const READ_ONLY: &[&str] = &["id", "url", "created_at", "updated_at"];

fn label(field: &str) -> String {
    seed::capital(&field.replace('_', " "))
}

#[derive(Default)]
struct Details(Map<String, Value>);

impl Details {
    fn add(&mut self, field: &str, error: &str, description: String) {
        let list = self
            .0
            .entry(field.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(a) = list {
            a.push(json!({"description": description, "error": error}));
        }
    }

    fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::RecordInvalid(self.0))
        }
    }
}

fn blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

fn same_type(a: &Value, b: &Value) -> bool {
    // Ids may come as numeric strings (`"category_id": "2"`), numbers as strings in forms.
    matches!(
        (a, b),
        (Value::Bool(_), Value::Bool(_))
            | (Value::Number(_), Value::Number(_))
            | (Value::String(_), Value::String(_))
            | (Value::Array(_), Value::Array(_))
            | (Value::Object(_), Value::Object(_))
    )
}

/// Whether the record a reference field names exists.
fn reference_exists(cx: Ctx<'_>, field: &str, v: &Value) -> Option<bool> {
    let id = v
        .as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))?;
    let s = cx.s;
    let db = cx.db;
    Some(match field {
        "user_id" => db.users.get(s, id).is_some(),
        "group_id" => db.groups.get(s, id).is_some(),
        "organization_id" => db.orgs.get(s, id).is_some(),
        "ticket_id" => db.tickets.get(s, id).is_some(),
        "brand_id" => db
            .colls
            .get("brands")
            .is_some_and(|c| c.get(cx, id).is_some()),
        _ => return None,
    })
}

/// Validates `input` as a whole record (`creating`) or as changes to record `id`.
fn validate(
    f: &'static Family,
    cx: Ctx<'_>,
    input: &Map<String, Value>,
    merged: &Map<String, Value>,
    id: Option<u64>,
    creating: bool,
) -> Result<(), ApiError> {
    let mut d = Details::default();
    let defaults = seed::defaults(f);
    if creating {
        for r in f.required {
            if blank(merged.get(*r)) {
                d.add(r, "BlankValue", format!("{} cannot be blank", label(r)));
            }
        }
    }
    for (k, v) in input {
        if v.is_null() || READ_ONLY.contains(&k.as_str()) {
            continue;
        }
        if let Some(def) = defaults.get(k) {
            if !def.is_null() && !same_type(def, v) {
                d.add(k, "InvalidValue", format!("{} is invalid", label(k)));
                continue;
            }
        }
        let is_ref = matches!(
            k.as_str(),
            "user_id" | "group_id" | "organization_id" | "ticket_id" | "brand_id"
        );
        if is_ref && v.as_u64().is_none() && v.as_str().is_none_or(|s| s.parse::<u64>().is_err()) {
            d.add(k, "InvalidValue", format!("{} is invalid", label(k)));
            continue;
        }
        if reference_exists(cx, k, v) == Some(false) {
            d.add(
                k,
                "InvalidValue",
                format!("{} {} does not exist", label(k), v),
            );
        }
    }
    let coll = cx.db.colls.get(f.name);
    for set in f.unique {
        let key: Vec<Option<&Value>> = set.iter().map(|k| merged.get(*k)).collect();
        if key.iter().any(|v| blank(*v)) {
            continue;
        }
        let norm = |v: &Value| match v {
            Value::String(s) => Value::String(s.to_ascii_lowercase()),
            other => other.clone(),
        };
        let key: Vec<Value> = key.into_iter().flatten().map(norm).collect();
        let clash = coll.is_some_and(|c| {
            c.small()
                && c.all(cx).into_iter().any(|(other, r)| {
                    Some(other) != id
                        && set
                            .iter()
                            .zip(&key)
                            .all(|(k, want)| r.get(*k).map(norm).as_ref() == Some(want))
                })
        });
        if clash {
            let field = set[set.len() - 1];
            d.add(
                field,
                "DuplicateValue",
                format!("{} has already been taken", label(field)),
            );
        }
    }
    d.finish()
}

/// Family-specific derived fields, after a create or an update.
fn fixup(f: &Family, cx: Ctx<'_>, rec: &mut Map<String, Value>, input: &Map<String, Value>) {
    let mirror = |rec: &mut Map<String, Value>, from: &str, to: &str| {
        if input.contains_key(from) && !input.contains_key(to) {
            if let Some(v) = rec.get(from).cloned() {
                rec.insert(to.to_string(), v);
            }
        }
    };
    mirror(rec, "title", "raw_title");
    mirror(rec, "name", "raw_name");
    mirror(rec, "description", "raw_description");
    mirror(rec, "agent_label", "raw_agent_label");
    mirror(rec, "end_user_label", "raw_end_user_label");
    mirror(rec, "value", "raw_value");
    if f.name == "ticket_forms" {
        mirror(rec, "name", "display_name");
        mirror(rec, "display_name", "raw_display_name");
    }
    if f.name == "custom_statuses" {
        mirror(rec, "agent_label", "end_user_label");
        mirror(rec, "end_user_label", "raw_end_user_label");
    }
    if f.name == "organization_memberships" {
        let name = rec
            .get("organization_id")
            .and_then(Value::as_u64)
            .and_then(|o| cx.db.orgs.get(cx.s, o))
            .map(|o| o.name);
        if let Some(name) = name {
            rec.insert("organization_name".into(), json!(name));
        }
    }
    if f.name == "brands" {
        if let Some(sub) = rec.get("subdomain").and_then(Value::as_str) {
            let url = format!("https://{sub}.zendesk.com");
            rec.insert("brand_url".into(), json!(url));
        }
    }
}

fn input_object(f: &Family, body: &Value) -> Result<Map<String, Value>, ApiError> {
    match body.get(f.singular) {
        Some(Value::Object(m)) => Ok(m.clone()),
        _ => Err(ApiError::BadRequest {
            error: "ParameterMissing".to_string(),
            description: format!("param is missing or the value is empty: {}", f.singular),
        }),
    }
}

/// Creates a record from a `{singular: {...}}` body (or the item of a bulk create);
/// `parent` is the parent id of nested families. Returns the new record number.
pub(crate) fn create(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    caller: u64,
    f: &'static Family,
    input: &Map<String, Value>,
    parent: Option<u64>,
) -> Result<(u64, Map<String, Value>), ApiError> {
    let mut rec = seed::defaults(f);
    for (k, v) in input {
        if !READ_ONLY.contains(&k.as_str()) {
            rec.insert(k.clone(), v.clone());
        }
    }
    if let (Some(p), Some(parent_field)) = (parent, f.parent.map(|p| p.param)) {
        rec.insert(parent_field.to_string(), json!(p));
    }
    {
        let cx = Ctx { s, db };
        validate(f, cx, input, &rec, None, true)?;
        fixup(f, cx, &mut rec, input);
    }
    if f.name == "webhooks" {
        rec.insert("created_by".into(), json!(caller.to_string()));
        rec.insert("updated_by".into(), json!(caller.to_string()));
    }
    let coll = db.colls.get_mut(f.name).ok_or(ApiError::InvalidEndpoint)?;
    let id = coll.alloc_id();
    rec.insert("id".into(), ids::render(f, id));
    rec.insert("created_at".into(), json!(iso(now)));
    rec.insert("updated_at".into(), json!(iso(now)));
    coll.put(id, rec.clone());
    Ok((id, rec))
}

/// Creates from a request body.
pub(crate) fn create_from_body(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    caller: u64,
    f: &'static Family,
    body: &Value,
    parent: Option<u64>,
) -> Result<(u64, Map<String, Value>), ApiError> {
    let input = input_object(f, body)?;
    create(db, s, now, caller, f, &input, parent)
}

/// Applies `input` to live record `id`.
pub(crate) fn update(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    caller: u64,
    f: &'static Family,
    id: u64,
    input: &Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let mut rec = {
        let cx = Ctx { s, db };
        db.colls
            .get(f.name)
            .and_then(|c| c.get(cx, id))
            .ok_or(ApiError::RecordNotFound)?
    };
    for (k, v) in input {
        if !READ_ONLY.contains(&k.as_str()) {
            rec.insert(k.clone(), v.clone());
        }
    }
    {
        let cx = Ctx { s, db };
        validate(f, cx, input, &rec, Some(id), false)?;
        fixup(f, cx, &mut rec, input);
    }
    if f.name == "webhooks" {
        rec.insert("updated_by".into(), json!(caller.to_string()));
    }
    rec.insert("updated_at".into(), json!(iso(now)));
    let coll = db.colls.get_mut(f.name).ok_or(ApiError::InvalidEndpoint)?;
    coll.put(id, rec.clone());
    Ok(rec)
}

/// Updates from a request body.
pub(crate) fn update_from_body(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    caller: u64,
    f: &'static Family,
    id: u64,
    body: &Value,
) -> Result<Map<String, Value>, ApiError> {
    let input = input_object(f, body)?;
    update(db, s, now, caller, f, id, &input)
}

/// Deletes live record `id`.
pub(crate) fn delete(db: &mut Db, s: &Seeds, f: &'static Family, id: u64) -> Result<(), ApiError> {
    let exists = {
        let cx = Ctx { s, db };
        db.colls.get(f.name).and_then(|c| c.get(cx, id)).is_some()
    };
    if !exists {
        return Err(ApiError::RecordNotFound);
    }
    if let Some(c) = db.colls.get_mut(f.name) {
        c.remove(id);
    }
    Ok(())
}
