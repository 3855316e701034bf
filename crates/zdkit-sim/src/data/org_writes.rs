//! Updates of organizations, groups and ticket fields (`PUT {family}/{id}`), with the
//! validation Zendesk documents for the fields they change.

use serde_json::{Map, Value};

use super::writes::{opt_id, string_list, Details};
use super::{Db, Seeds};
use crate::data::orgs::{Group, Organization, TicketField};
use crate::error::ApiError;

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// Updates organization `id` from an `organization` object.
pub(crate) fn update_org(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    id: u64,
    input: &Map<String, Value>,
) -> Result<Organization, ApiError> {
    let mut o = db.orgs.get(s, id).ok_or(ApiError::RecordNotFound)?;
    let mut d = Details::default();
    if let Some(v) = input.get("name") {
        match v.as_str().map(str::trim) {
            Some(n) if !n.is_empty() => o.name = n.to_string(),
            _ => d.add("name", "BlankValue", "Name: cannot be blank".into()),
        }
    }
    if let Some(v) = input.get("external_id") {
        o.external_id = text(v).or_else(|| v.as_u64().map(|n| n.to_string()));
    }
    for (key, slot) in [("details", &mut o.details), ("notes", &mut o.notes)] {
        if let Some(v) = input.get(key) {
            *slot = text(v);
        }
    }
    if let Some(tags) = input.get("tags").and_then(string_list) {
        o.tags = tags;
    }
    if let Some(names) = input.get("domain_names").and_then(string_list) {
        o.domain_names = names;
    }
    if let Some(v) = input.get("group_id") {
        match opt_id(v) {
            Some(None) => o.group_id = None,
            Some(Some(g)) if db.groups.is_live(s, g) => o.group_id = Some(g),
            _ => d.add("group_id", "InvalidValue", "Group: is invalid".into()),
        }
    }
    d.finish()?;
    o.updated_at = now;
    o.ts = now;
    db.orgs.put(s, o.clone());
    Ok(o)
}

/// Updates group `id` from a `group` object.
pub(crate) fn update_group(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    id: u64,
    input: &Map<String, Value>,
) -> Result<Group, ApiError> {
    let mut g = db.groups.get(s, id).ok_or(ApiError::RecordNotFound)?;
    if let Some(v) = input.get("name") {
        match v.as_str().map(str::trim) {
            Some(n) if !n.is_empty() => g.name = n.to_string(),
            _ => {
                return Err(ApiError::invalid(
                    "name",
                    "BlankValue",
                    "Name: cannot be blank",
                ))
            }
        }
    }
    g.ts = now;
    db.groups.put(s, g.clone());
    Ok(g)
}

/// Updates ticket field `id` from a `ticket_field` object (`title`; the type cannot
/// change).
pub(crate) fn update_field(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    id: u64,
    input: &Map<String, Value>,
) -> Result<TicketField, ApiError> {
    let mut f = db.fields.get(s, id).ok_or(ApiError::RecordNotFound)?;
    if let Some(v) = input.get("title") {
        match v.as_str().map(str::trim) {
            Some(t) if !t.is_empty() => f.title = t.to_string().into(),
            _ => {
                return Err(ApiError::invalid(
                    "title",
                    "BlankValue",
                    "Title: cannot be blank",
                ))
            }
        }
    }
    if let Some(v) = input.get("type").and_then(Value::as_str) {
        if v != f.kind {
            return Err(ApiError::invalid(
                "type",
                "InvalidValue",
                "Type: cannot be changed",
            ));
        }
    }
    f.ts = now;
    db.fields.put(s, f.clone());
    Ok(f)
}
