//! Organizations and groups (zendesk-api.md §7.5).

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::ids::{GroupId, OrganizationId};
use super::page::Resource;

model! {
    /// An organization.
    pub struct Organization {
        /// Organization id.
        req id: OrganizationId,
        /// API URL.
        opt url: String,
        /// Name (unique).
        opt name: String,
        /// External id (unique, case-insensitive).
        opt external_id: String,
        /// Details.
        opt details: String,
        /// Notes.
        opt notes: String,
        /// Email domains whose users join this organization.
        opt domain_names: Vec<String>,
        /// Group new tickets are assigned to.
        opt group_id: GroupId,
        /// Members see each other's tickets.
        opt shared_tickets: bool,
        /// Members can comment on each other's tickets.
        opt shared_comments: bool,
        /// Tags.
        opt tags: Vec<String>,
        /// Custom organization fields (key → value).
        opt organization_fields: Map<String, Value>,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

impl Resource for Organization {
    const SINGULAR: &'static str = "organization";
    const PLURAL: &'static str = "organizations";
    type Id = OrganizationId;
    fn id(&self) -> OrganizationId {
        self.id
    }
}

model! {
    /// An agent group.
    pub struct Group {
        /// Group id.
        req id: GroupId,
        /// API URL.
        opt url: String,
        /// Name.
        opt name: String,
        /// Description.
        opt description: String,
        /// The account's default group (read-only).
        opt default: bool,
        /// Deleted (read-only).
        opt deleted: bool,
        /// Public group.
        opt is_public: bool,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

impl Resource for Group {
    const SINGULAR: &'static str = "group";
    const PLURAL: &'static str = "groups";
    type Id = GroupId;
    fn id(&self) -> GroupId {
        self.id
    }
}
