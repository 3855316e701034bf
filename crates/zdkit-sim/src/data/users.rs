//! Users: generation and wire serialization.

use serde_json::{json, Map, Value};

use super::gen::{self, hash, pick};
use super::table::{Generate, Record};
use super::tickets::user_org;
use super::{Seeds, KIND_USER};

/// A user.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub id: u64,
    pub name: String,
    pub email: Option<String>,
    pub role: &'static str,
    pub organization_id: Option<u64>,
    pub external_id: Option<String>,
    pub phone: Option<String>,
    pub tags: Vec<String>,
    pub details: Option<String>,
    pub notes: Option<String>,
    pub time_zone: String,
    pub locale: String,
    pub verified: bool,
    pub suspended: bool,
    pub default_group_id: Option<u64>,
    pub user_fields: Map<String, Value>,
    pub created_at: u64,
    pub updated_at: u64,
    pub ts: u64,
}

/// User roles.
pub(crate) const ROLES: &[&str] = &["end-user", "agent", "admin"];

impl Record for User {
    fn id(&self) -> u64 {
        self.id
    }
    fn ts(&self) -> u64 {
        self.ts
    }
    fn created(&self) -> u64 {
        self.created_at
    }
}

/// The email of generated user `id`.
pub(crate) fn gen_email(s: &Seeds, id: u64) -> String {
    if id == 1 {
        s.admin_email.clone()
    } else if id < s.first_customer() {
        format!("agent{}@example.com", id - 1)
    } else if id == s.first_customer() {
        s.end_user_email.clone()
    } else {
        format!("customer{id}@example.com")
    }
}

/// The id a generated user with this email would have (not checked against the overlay).
pub(crate) fn gen_id_for_email(s: &Seeds, email: &str) -> Option<u64> {
    let e = email.to_ascii_lowercase();
    if e == s.admin_email.to_ascii_lowercase() {
        return Some(1);
    }
    if e == s.end_user_email.to_ascii_lowercase() {
        return Some(s.first_customer());
    }
    let num = |prefix: &str| {
        e.strip_prefix(prefix)?
            .strip_suffix("@example.com")?
            .parse::<u64>()
            .ok()
    };
    if let Some(n) = num("agent") {
        return (n >= 1 && n <= s.agents).then_some(n + 1);
    }
    num("customer").filter(|&id| id > s.first_customer() && id <= s.users)
}

/// The id a generated user with this external id would have.
pub(crate) fn gen_id_for_external(s: &Seeds, ext: &str) -> Option<u64> {
    let e = ext.to_ascii_lowercase();
    let id = e.strip_prefix("ext-")?.parse::<u64>().ok()?;
    (id > s.first_customer() && id <= s.users).then_some(id)
}

impl Generate for User {
    fn base_ts(s: &Seeds, id: u64) -> u64 {
        gen::spread_ts(s.seed, KIND_USER, s.t0, id, s.users)
    }

    fn base_created(s: &Seeds, id: u64) -> u64 {
        Self::base_ts(s, id).saturating_sub(hash(s.seed, KIND_USER, id, 11) % (30 * 86_400))
    }

    fn generate(s: &Seeds, id: u64) -> Self {
        let h = |salt: u64| hash(s.seed, KIND_USER, id, salt);
        let ts = Self::base_ts(s, id);
        let role = if id == 1 {
            "admin"
        } else if id < s.first_customer() {
            "agent"
        } else {
            "end-user"
        };
        let name = if id == 1 {
            "Admin Example".to_string()
        } else {
            format!(
                "{} {}",
                pick(gen::FIRST_NAMES, h(1)),
                pick(gen::LAST_NAMES, h(2))
            )
        };
        User {
            id,
            name,
            email: Some(gen_email(s, id)),
            role,
            organization_id: user_org(s, id),
            external_id: (id > s.first_customer()).then(|| format!("ext-{id}")),
            phone: (h(4) % 3 == 0).then(|| format!("+1555{:07}", h(5) % 10_000_000)),
            tags: if h(6) % 4 == 0 {
                vec![pick(gen::TAGS, h(7)).to_string()]
            } else {
                Vec::new()
            },
            details: None,
            notes: None,
            time_zone: pick(
                &[
                    "Copenhagen",
                    "Eastern Time (US & Canada)",
                    "London",
                    "Tokyo",
                ],
                h(8),
            )
            .to_string(),
            locale: "en-US".to_string(),
            verified: role != "end-user" || h(9) % 2 == 0,
            suspended: false,
            default_group_id: (role != "end-user").then(|| 1 + h(10) % s.groups),
            user_fields: Map::new(),
            created_at: Self::base_created(s, id),
            updated_at: ts,
            ts,
        }
    }
}

fn iana(tz: &str) -> &'static str {
    match tz {
        "Copenhagen" => "Europe/Copenhagen",
        "Eastern Time (US & Canada)" => "America/New_York",
        "London" => "Europe/London",
        "Tokyo" => "Asia/Tokyo",
        _ => "Etc/UTC",
    }
}

impl User {
    /// The wire form.
    pub(crate) fn to_json(&self, base: &str) -> Value {
        let role_type = if self.role == "admin" {
            json!(4)
        } else {
            Value::Null
        };
        json!({
            "id": self.id,
            "url": format!("{base}/api/v2/users/{}.json", self.id),
            "name": self.name,
            "email": self.email,
            "created_at": gen::iso(self.created_at),
            "updated_at": gen::iso(self.updated_at),
            "time_zone": self.time_zone,
            "iana_time_zone": iana(&self.time_zone),
            "phone": self.phone,
            "shared_phone_number": null,
            "photo": null,
            "locale_id": 1,
            "locale": self.locale,
            "organization_id": self.organization_id,
            "role": self.role,
            "verified": self.verified,
            "external_id": self.external_id,
            "tags": self.tags,
            "alias": null,
            "active": true,
            "shared": false,
            "shared_agent": false,
            "last_login_at": null,
            "two_factor_auth_enabled": false,
            "signature": null,
            "details": self.details,
            "notes": self.notes,
            "role_type": role_type,
            "custom_role_id": null,
            "moderator": self.role != "end-user",
            "ticket_restriction": if self.role == "end-user" { json!("requested") } else { Value::Null },
            "only_private_comments": false,
            "restricted_agent": self.role == "end-user",
            "suspended": self.suspended,
            "default_group_id": self.default_group_id,
            "report_csv": false,
            "user_fields": self.user_fields,
        })
    }
}
