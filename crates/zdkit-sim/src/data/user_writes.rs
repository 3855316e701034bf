//! User writes: create and update with Zendesk's validation rules.

use serde_json::{Map, Value};

use super::tickets::intern;
use super::users::{User, ROLES};
use super::writes::{opt_id, string_list, Details};
use super::{Db, Seeds};
use crate::error::ApiError;

fn apply_user_fields(
    db: &Db,
    s: &Seeds,
    u: &mut User,
    input: &Map<String, Value>,
    d: &mut Details,
) {
    if let Some(v) = input.get("name") {
        match v.as_str().map(str::trim) {
            Some(n) if !n.is_empty() => u.name = n.to_string(),
            _ => d.add("name", "BlankValue", "Name: cannot be blank".into()),
        }
    }
    if let Some(v) = input.get("role") {
        match v.as_str().and_then(|r| intern(ROLES, r)) {
            Some(r) => u.role = r,
            None => d.add("role", "InvalidValue", format!("Role: {} is not valid", v)),
        }
    }
    if let Some(v) = input.get("external_id") {
        let ext = v
            .as_str()
            .map(str::to_string)
            .or_else(|| v.as_u64().map(|n| n.to_string()));
        if let Some(e) = &ext {
            if db
                .user_by_external(s, e)
                .is_some_and(|other| other.id != u.id)
            {
                d.add(
                    "external_id",
                    "DuplicateValue",
                    format!("External: {e} has already been taken"),
                );
            }
        }
        u.external_id = ext;
    }
    if let Some(v) = input.get("organization_id") {
        match opt_id(v) {
            Some(None) => u.organization_id = None,
            Some(Some(id)) if db.orgs.is_live(s, id) => u.organization_id = Some(id),
            _ => d.add(
                "organization_id",
                "InvalidValue",
                "Organization: is invalid".into(),
            ),
        }
    }
    for (key, slot) in [
        ("phone", &mut u.phone),
        ("details", &mut u.details),
        ("notes", &mut u.notes),
    ] {
        if let Some(v) = input.get(key) {
            *slot = v.as_str().map(str::to_string);
        }
    }
    if let Some(tz) = input.get("time_zone").and_then(Value::as_str) {
        u.time_zone = tz.to_string();
    }
    if let Some(l) = input.get("locale").and_then(Value::as_str) {
        u.locale = l.to_string();
    }
    if let Some(b) = input.get("verified").and_then(Value::as_bool) {
        u.verified = b;
    }
    if let Some(b) = input.get("suspended").and_then(Value::as_bool) {
        u.suspended = b;
    }
    if let Some(tags) = input.get("tags").and_then(string_list) {
        u.tags = tags;
    }
    if let Some(Value::Object(f)) = input.get("user_fields") {
        for (k, v) in f {
            u.user_fields.insert(k.clone(), v.clone());
        }
    }
}

fn index_user(db: &mut Db, u: &User) {
    if let Some(e) = &u.email {
        db.user_emails.insert(e.to_ascii_lowercase(), u.id);
    }
    if let Some(e) = &u.external_id {
        db.user_externals.insert(e.to_ascii_lowercase(), u.id);
    }
}

/// Creates a user from a `user` object.
pub(crate) fn create_user(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    input: &Map<String, Value>,
) -> Result<User, ApiError> {
    let mut d = Details::default();
    let email = input
        .get("email")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(e) = email {
        if !e.contains('@') {
            d.add(
                "email",
                "InvalidValue",
                format!("Email: {e} is not properly formatted"),
            );
        } else if db.user_by_email(s, e).is_some() {
            d.add(
                "email",
                "DuplicateValue",
                format!("Email: {e} is already being used by another user"),
            );
        }
    }
    if input
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(|n| n.trim().is_empty())
    {
        d.add("name", "BlankValue", "Name: cannot be blank".into());
    }
    let mut u = User {
        id: db.users.max_id() + 1,
        name: String::new(),
        email: email.map(str::to_string),
        role: "end-user",
        organization_id: None,
        external_id: None,
        phone: None,
        tags: Vec::new(),
        details: None,
        notes: None,
        time_zone: "Copenhagen".to_string(),
        locale: "en-US".to_string(),
        verified: false,
        suspended: false,
        default_group_id: None,
        user_fields: Map::new(),
        created_at: now,
        updated_at: now,
        ts: now,
    };
    apply_user_fields(db, s, &mut u, input, &mut d);
    d.finish()?;
    let id = db.users.alloc_id();
    u.id = id;
    if u.role != "end-user" {
        u.default_group_id = Some(1);
    }
    index_user(db, &u);
    db.users.put(s, u.clone());
    Ok(u)
}

/// Updates user `id` from a `user` object (email changes are ignored: Zendesk adds a
/// secondary identity instead).
pub(crate) fn update_user(
    db: &mut Db,
    s: &Seeds,
    now: u64,
    id: u64,
    input: &Map<String, Value>,
) -> Result<User, ApiError> {
    let mut u = db.users.get(s, id).ok_or(ApiError::RecordNotFound)?;
    let mut d = Details::default();
    apply_user_fields(db, s, &mut u, input, &mut d);
    d.finish()?;
    u.updated_at = now;
    u.ts = now;
    index_user(db, &u);
    db.users.put(s, u.clone());
    Ok(u)
}
