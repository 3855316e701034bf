//! Users (zendesk-api.md §7.4).

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::common::Attachment;
use super::ids::{CustomRoleId, GroupId, OrganizationId, UserId};
use super::page::Resource;

string_enum! {
    /// `user.role`.
    pub enum UserRole {
        /// `end-user`
        EndUser = "end-user",
        /// `agent`
        Agent = "agent",
        /// `admin`
        Admin = "admin",
    }
}

string_enum! {
    /// `user.ticket_restriction`.
    pub enum TicketRestriction {
        /// `organization`
        Organization = "organization",
        /// `groups`
        Groups = "groups",
        /// `assigned`
        Assigned = "assigned",
        /// `requested`
        Requested = "requested",
    }
}

model! {
    /// A user (end user, agent or admin).
    pub struct User {
        /// User id.
        req id: UserId,
        /// API URL.
        opt url: String,
        /// Name.
        opt name: String,
        /// Primary email.
        opt email: String,
        /// Alias shown to end users.
        opt alias: String,
        /// `false` once deleted.
        opt active: bool,
        /// Role.
        opt role: UserRole,
        /// 0 custom agent, 1 light agent, 2 chat agent, 3 contributor, 4 admin, 5 billing admin.
        opt role_type: i64,
        /// Custom agent role.
        opt custom_role_id: CustomRoleId,
        /// Default group (agents).
        opt default_group_id: GroupId,
        /// Default organization.
        opt organization_id: OrganizationId,
        /// External id (unique, case-insensitive).
        opt external_id: String,
        /// Phone (E.164).
        opt phone: String,
        /// Whether the phone number is shared.
        opt shared_phone_number: bool,
        /// Details.
        opt details: String,
        /// Notes.
        opt notes: String,
        /// Locale (BCP-47).
        opt locale: String,
        /// Locale id.
        opt locale_id: u64,
        /// Rails time zone name.
        opt time_zone: String,
        /// IANA time zone.
        opt iana_time_zone: String,
        /// Tags.
        opt tags: Vec<String>,
        /// Custom user fields (key → value).
        opt user_fields: Map<String, Value>,
        /// Verified identity.
        opt verified: bool,
        /// Suspended.
        opt suspended: bool,
        /// Forum moderator.
        opt moderator: bool,
        /// Agent may only post private comments.
        opt only_private_comments: bool,
        /// Restricted agent.
        opt restricted_agent: bool,
        /// Which tickets the user may see.
        opt ticket_restriction: TicketRestriction,
        /// Agent signature.
        opt signature: String,
        /// Profile photo.
        opt photo: Attachment,
        /// Shared via a sharing agreement.
        opt shared: bool,
        /// Shared agent.
        opt shared_agent: bool,
        /// Chat-only agent.
        opt chat_only: bool,
        /// Two-factor authentication enabled.
        opt two_factor_auth_enabled: bool,
        /// Inert legacy flag.
        opt report_csv: bool,
        /// Last sign-in.
        ts last_login_at: OffsetDateTime,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

impl Resource for User {
    const SINGULAR: &'static str = "user";
    const PLURAL: &'static str = "users";
    type Id = UserId;
    fn id(&self) -> UserId {
        self.id
    }
}
