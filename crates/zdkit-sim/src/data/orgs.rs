//! Organizations, groups and ticket fields: generation and wire serialization.

use serde_json::{json, Map, Value};

use super::gen::{self, hash, pick};
use super::table::{Generate, Record};
use super::tickets::{CHANNEL_OPTIONS, CUSTOM_FIELDS, PRODUCT_OPTIONS};
use super::{Seeds, KIND_FIELD, KIND_GROUP, KIND_ORG};

/// An organization.
#[derive(Clone, Debug)]
pub(crate) struct Organization {
    pub id: u64,
    pub name: String,
    pub external_id: Option<String>,
    pub domain_names: Vec<String>,
    pub group_id: Option<u64>,
    pub tags: Vec<String>,
    pub details: Option<String>,
    pub notes: Option<String>,
    pub created_at: u64,
    pub updated_at: u64,
    pub ts: u64,
}

impl Record for Organization {
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

impl Generate for Organization {
    fn base_ts(s: &Seeds, id: u64) -> u64 {
        gen::spread_ts(s.seed, KIND_ORG, s.t0, id, s.organizations)
    }

    fn base_created(s: &Seeds, id: u64) -> u64 {
        Self::base_ts(s, id).saturating_sub(hash(s.seed, KIND_ORG, id, 7) % (90 * 86_400))
    }

    fn generate(s: &Seeds, id: u64) -> Self {
        let h = |salt: u64| hash(s.seed, KIND_ORG, id, salt);
        let ts = Self::base_ts(s, id);
        let company = pick(gen::COMPANY, h(1));
        // The id keeps names unique, as Zendesk requires.
        let name = format!("{company} {} {id}", pick(gen::COMPANY_KIND, h(2)));
        Organization {
            id,
            domain_names: vec![format!("{}{id}.example.com", company.to_ascii_lowercase())],
            name,
            external_id: Some(format!("org-{id}")),
            group_id: (h(3) % 4 == 0).then(|| 1 + h(4) % s.groups),
            tags: if h(5) % 3 == 0 {
                vec![pick(gen::TAGS, h(6)).to_string()]
            } else {
                Vec::new()
            },
            details: None,
            notes: None,
            created_at: Self::base_created(s, id),
            updated_at: ts,
            ts,
        }
    }
}

impl Organization {
    /// The wire form.
    pub(crate) fn to_json(&self, base: &str) -> Value {
        json!({
            "url": format!("{base}/api/v2/organizations/{}.json", self.id),
            "id": self.id,
            "name": self.name,
            "shared_tickets": false,
            "shared_comments": false,
            "external_id": self.external_id,
            "created_at": gen::iso(self.created_at),
            "updated_at": gen::iso(self.updated_at),
            "domain_names": self.domain_names,
            "details": self.details,
            "notes": self.notes,
            "group_id": self.group_id,
            "tags": self.tags,
            "organization_fields": {},
        })
    }
}

const GROUP_NAMES: &[&str] = &[
    "Support",
    "Billing",
    "Tier 2",
    "Hardware",
    "Returns",
    "Sales",
    "Escalations",
    "Onboarding",
    "Partners",
    "Night shift",
];

/// A group.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub id: u64,
    pub name: String,
    pub created_at: u64,
    pub ts: u64,
}

impl Record for Group {
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

impl Generate for Group {
    fn base_ts(s: &Seeds, id: u64) -> u64 {
        s.t0.saturating_sub(gen::SPAN_SECS) + id * 3600
    }

    fn base_created(s: &Seeds, id: u64) -> u64 {
        Self::base_ts(s, id) - hash(s.seed, KIND_GROUP, id, 1) % 3600
    }

    fn generate(s: &Seeds, id: u64) -> Self {
        let name = match GROUP_NAMES.get(id as usize - 1) {
            Some(n) => n.to_string(),
            None => format!("Group {id}"),
        };
        let ts = Self::base_ts(s, id);
        Group {
            id,
            name,
            created_at: Self::base_created(s, id),
            ts,
        }
    }
}

impl Group {
    /// The wire form.
    pub(crate) fn to_json(&self, base: &str) -> Value {
        json!({
            "url": format!("{base}/api/v2/groups/{}.json", self.id),
            "id": self.id,
            "is_public": true,
            "name": self.name,
            "description": "",
            "default": self.id == 1,
            "deleted": false,
            "created_at": gen::iso(self.created_at),
            "updated_at": gen::iso(self.ts),
        })
    }
}

/// System ticket fields: (type, title).
const SYSTEM_FIELDS: &[(&str, &str)] = &[
    ("subject", "Subject"),
    ("description", "Description"),
    ("status", "Status"),
    ("tickettype", "Type"),
    ("priority", "Priority"),
    ("group", "Group"),
    ("assignee", "Assignee"),
];

/// How many ticket fields exist (system + custom).
pub(crate) const FIELD_COUNT: u64 = (SYSTEM_FIELDS.len() + CUSTOM_FIELDS.len()) as u64;

/// A ticket field.
#[derive(Clone, Debug)]
pub(crate) struct TicketField {
    pub id: u64,
    pub kind: &'static str,
    /// The title (generated fields borrow theirs; an update owns its own).
    pub title: std::borrow::Cow<'static, str>,
    pub ts: u64,
}

impl Record for TicketField {
    fn id(&self) -> u64 {
        self.id
    }
    fn ts(&self) -> u64 {
        self.ts
    }
}

impl Generate for TicketField {
    fn base_ts(s: &Seeds, id: u64) -> u64 {
        s.t0.saturating_sub(gen::SPAN_SECS) + 600 * id + hash(s.seed, KIND_FIELD, 0, 0) % 60
    }

    fn generate(s: &Seeds, id: u64) -> Self {
        let i = id as usize - 1;
        let (kind, title) = match SYSTEM_FIELDS.get(i) {
            Some(&(k, t)) => (k, t),
            None => {
                let (_, k, t) = CUSTOM_FIELDS[i - SYSTEM_FIELDS.len()];
                (k, t)
            }
        };
        TicketField {
            id,
            kind,
            title: title.into(),
            ts: Self::base_ts(s, id),
        }
    }
}

fn options(field_id: u64, values: &[&str]) -> Value {
    Value::Array(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let name = v.split('_').nth(1).unwrap_or(v);
                json!({"id": field_id * 100 + i as u64 + 1, "name": name, "raw_name": name, "value": v, "default": false})
            })
            .collect(),
    )
}

impl TicketField {
    /// The wire form.
    pub(crate) fn to_json(&self, base: &str) -> Value {
        let system = self.id as usize <= SYSTEM_FIELDS.len();
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_string(), v);
        };
        put(
            "url",
            json!(format!("{base}/api/v2/ticket_fields/{}.json", self.id)),
        );
        put("id", json!(self.id));
        put("type", json!(self.kind));
        put("title", json!(self.title));
        put("raw_title", json!(self.title));
        put("description", json!(""));
        put("raw_description", json!(""));
        put("position", json!(self.id - 1));
        put("active", json!(true));
        put("required", json!(false));
        put("collapsed_for_agents", json!(false));
        put("regexp_for_validation", Value::Null);
        put("title_in_portal", json!(self.title));
        put("raw_title_in_portal", json!(self.title));
        put("visible_in_portal", json!(system));
        put("editable_in_portal", json!(system));
        put("required_in_portal", json!(false));
        put("tag", Value::Null);
        put("created_at", json!(gen::iso(self.ts)));
        put("updated_at", json!(gen::iso(self.ts)));
        put("removable", json!(!system));
        put("key", Value::Null);
        put("agent_description", Value::Null);
        match self.kind {
            "tagger" => put("custom_field_options", options(self.id, PRODUCT_OPTIONS)),
            "multiselect" => put("custom_field_options", options(self.id, CHANNEL_OPTIONS)),
            "status" => put(
                "system_field_options",
                json!(["new", "open", "pending", "hold", "solved", "closed"]
                    .iter()
                    .map(|s| json!({"name": s, "value": s}))
                    .collect::<Vec<_>>()),
            ),
            _ => {}
        }
        Value::Object(m)
    }
}
