//! Memberships, identities, tags, ticket metrics and metric events, activities,
//! webhooks and users' related counts (Ticketing API reference:
//! developer.zendesk.com/api-reference/ticketing/; Webhooks API reference:
//! developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks/).

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::ids::{
    ActivityId, GroupId, GroupMembershipId, IdentityId, OrganizationId, OrganizationMembershipId,
    TicketId, TicketMetricEventId, TicketMetricId, UserId, WebhookId,
};

model! {
    /// A group membership (`/api/v2/group_memberships`): an agent in a group.
    pub struct GroupMembership {
        /// Membership id.
        req id: GroupMembershipId,
        /// API URL.
        opt url: String,
        /// The agent.
        opt user_id: UserId,
        /// The group.
        opt group_id: GroupId,
        /// The agent's default group.
        opt default: bool,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

model! {
    /// An organization membership (`/api/v2/organization_memberships`).
    pub struct OrganizationMembership {
        /// Membership id.
        req id: OrganizationMembershipId,
        /// API URL.
        opt url: String,
        /// The user.
        opt user_id: UserId,
        /// The organization.
        opt organization_id: OrganizationId,
        /// The organization's name.
        opt organization_name: String,
        /// The user's default organization.
        opt default: bool,
        /// The user may see the organization's tickets.
        opt view_tickets: bool,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

string_enum! {
    /// `identity.type`.
    pub enum IdentityType {
        /// `email`
        Email = "email",
        /// `twitter`
        Twitter = "twitter",
        /// `facebook`
        Facebook = "facebook",
        /// `google`
        Google = "google",
        /// `phone_number`
        PhoneNumber = "phone_number",
        /// `agent_forwarding`
        AgentForwarding = "agent_forwarding",
        /// `any_channel`
        AnyChannel = "any_channel",
        /// `foreign`
        Foreign = "foreign",
        /// `sdk`
        Sdk = "sdk",
        /// `messaging`
        Messaging = "messaging",
    }
}

model! {
    /// A user identity (`/api/v2/users/{user_id}/identities`; sideloaded with
    /// `include=identities`).
    pub struct Identity {
        /// Identity id.
        req id: IdentityId,
        /// API URL.
        opt url: String,
        /// The user.
        opt user_id: UserId,
        /// Type.
        opt identity_type: IdentityType = "type",
        /// The address, number or handle.
        opt value: String,
        /// Verified.
        opt verified: bool,
        /// The user's primary identity of its type.
        opt primary: bool,
        /// How it was verified (`none`, `low`, `sso`, `embed`, `full`).
        opt verification_method: String,
        /// Email deliverability (`deliverable`, `undeliverable`, …).
        opt deliverable_state: String,
        /// Bounces counted.
        opt undeliverable_count: u64,
        /// Verification time.
        ts verified_at: OffsetDateTime,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

model! {
    /// A tag of the account's tag list (`/api/v2/tags`): `{"name": "vip", "count": 12}`.
    pub struct Tag {
        /// The tag.
        req name: String,
        /// Tickets (approximately) carrying it.
        opt count: u64,
    }
}

model! {
    /// Business and calendar minutes of a ticket metric: `{"calendar": 2391, "business": 737}`.
    pub struct MetricMinutes {
        /// Calendar minutes.
        opt calendar: u64,
        /// Business-hours minutes.
        opt business: u64,
    }
}

model! {
    /// A ticket's metric set (`/api/v2/ticket_metrics`; sideloaded on tickets with
    /// `include=metric_sets`).
    pub struct TicketMetric {
        /// Metric set id.
        req id: TicketMetricId,
        /// API URL.
        opt url: String,
        /// The ticket.
        opt ticket_id: TicketId,
        /// Groups the ticket passed through.
        opt group_stations: u64,
        /// Assignees the ticket passed through.
        opt assignee_stations: u64,
        /// Times reopened.
        opt reopens: u64,
        /// Public agent replies.
        opt replies: u64,
        /// Time to first reply.
        opt reply_time_in_minutes: MetricMinutes,
        /// Time to first reply, in seconds (calendar).
        opt reply_time_in_seconds: Map<String, Value>,
        /// Time to first resolution.
        opt first_resolution_time_in_minutes: MetricMinutes,
        /// Time to full resolution.
        opt full_resolution_time_in_minutes: MetricMinutes,
        /// Agent wait time.
        opt agent_wait_time_in_minutes: MetricMinutes,
        /// Requester wait time.
        opt requester_wait_time_in_minutes: MetricMinutes,
        /// Time on hold.
        opt on_hold_time_in_minutes: MetricMinutes,
        /// Assignee last updated.
        ts assignee_updated_at: OffsetDateTime,
        /// Requester last updated.
        ts requester_updated_at: OffsetDateTime,
        /// Status last changed.
        ts status_updated_at: OffsetDateTime,
        /// First assigned.
        ts initially_assigned_at: OffsetDateTime,
        /// Last assigned.
        ts assigned_at: OffsetDateTime,
        /// Solved.
        ts solved_at: OffsetDateTime,
        /// Latest comment.
        ts latest_comment_added_at: OffsetDateTime,
        /// Custom status last changed.
        ts custom_status_updated_at: OffsetDateTime,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

string_enum! {
    /// `ticket_metric_event.metric`.
    pub enum MetricName {
        /// `agent_work_time`
        AgentWorkTime = "agent_work_time",
        /// `pausable_update_time`
        PausableUpdateTime = "pausable_update_time",
        /// `periodic_update_time`
        PeriodicUpdateTime = "periodic_update_time",
        /// `reply_time`
        ReplyTime = "reply_time",
        /// `requester_wait_time`
        RequesterWaitTime = "requester_wait_time",
        /// `resolution_time`
        ResolutionTime = "resolution_time",
        /// `group_ownership_time`
        GroupOwnershipTime = "group_ownership_time",
    }
}

string_enum! {
    /// `ticket_metric_event.type`.
    pub enum MetricEventType {
        /// `activate`
        Activate = "activate",
        /// `pause`
        Pause = "pause",
        /// `fulfill`
        Fulfill = "fulfill",
        /// `apply_sla`
        ApplySla = "apply_sla",
        /// `apply_group_sla`
        ApplyGroupSla = "apply_group_sla",
        /// `breach`
        Breach = "breach",
        /// `update_status`
        UpdateStatus = "update_status",
        /// `measure`
        Measure = "measure",
    }
}

model! {
    /// A ticket metric event (`/api/v2/incremental/ticket_metric_events`).
    pub struct TicketMetricEvent {
        /// Event id.
        req id: TicketMetricEventId,
        /// The ticket.
        opt ticket_id: TicketId,
        /// The metric.
        opt metric: MetricName,
        /// The metric instance (1 for the first reply, …).
        opt instance_id: u64,
        /// What happened.
        opt event_type: MetricEventType = "type",
        /// When.
        ts time: OffsetDateTime,
        /// Deleted (`pause`/`fulfill` of a removed event).
        opt deleted: bool,
        /// `apply_sla` events: the policy and target.
        opt sla: Map<String, Value>,
        /// `update_status` events: the status.
        opt status: Map<String, Value>,
    }
}

model! {
    /// An activity of the agent activity stream (`/api/v2/activities`).
    pub struct Activity {
        /// Activity id.
        req id: ActivityId,
        /// API URL.
        opt url: String,
        /// What happened (`"Bob assigned ticket #1 to you"`).
        opt title: String,
        /// The verb (`tickets.assignment`, `tickets.comment`, …).
        opt verb: String,
        /// The agent it is for.
        opt user_id: UserId,
        /// Who did it.
        opt actor_id: UserId,
        /// The agent (an object).
        opt user: Map<String, Value>,
        /// Who did it (an object).
        opt actor: Map<String, Value>,
        /// The object acted on.
        opt object: Map<String, Value>,
        /// The target of the action.
        opt target: Map<String, Value>,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

string_enum! {
    /// `webhook.status`.
    pub enum WebhookStatus {
        /// `active`
        Active = "active",
        /// `inactive`
        Inactive = "inactive",
    }
}

model! {
    /// A webhook (`/api/v2/webhooks`, Webhooks API).
    pub struct Webhook {
        /// Webhook id (a string).
        req id: WebhookId,
        /// Name.
        opt name: String,
        /// Description.
        opt description: String,
        /// Where requests go.
        opt endpoint: String,
        /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
        opt http_method: String,
        /// `json`, `xml` or `form_encoded`.
        opt request_format: String,
        /// Active or inactive.
        opt status: WebhookStatus,
        /// Event subscriptions (`conditional_ticket_events`, `zen:event-type:user.created`, …).
        opt subscriptions: Vec<String>,
        /// Authentication (`{"type": "basic_auth", "data": {…}, "add_position": "header"}`).
        opt authentication: Value,
        /// Custom headers.
        opt custom_headers: Map<String, Value>,
        /// Creator.
        opt created_by: String,
        /// Last updater.
        opt updated_by: String,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

/// A webhook's signing secret (`GET`/`POST webhooks/{id}/signing_secret`, key
/// `signing_secret`): the secret itself is a redacting [`crate::Secret`] (its `Debug` and
/// `Display` never show it); pass it to [`crate::webhooks::verify`].
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
pub struct SigningSecret {
    /// The secret.
    #[serde(deserialize_with = "secret")]
    pub secret: crate::Secret,
    /// The signing algorithm (`SHA256`).
    #[serde(default)]
    pub algorithm: Option<String>,
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<crate::Secret, D::Error> {
    <String as serde::Deserialize>::deserialize(d).map(crate::Secret::from)
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningSecret")
            .field("secret", &self.secret)
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

model! {
    /// A user's related counts (`GET users/{id}/related`, key `user_related`).
    pub struct UserRelated {
        /// Tickets the user requested.
        opt requested_tickets: u64,
        /// Tickets the user is CC'd on.
        opt ccd_tickets: u64,
        /// Tickets assigned to the user.
        opt assigned_tickets: u64,
        /// Organization subscriptions.
        opt organization_subscriptions: u64,
        /// Topics (legacy).
        opt topics: u64,
        /// Topic comments (legacy).
        opt topic_comments: u64,
        /// Votes (legacy).
        opt votes: u64,
        /// Subscriptions (legacy).
        opt subscriptions: u64,
        /// Entry subscriptions (legacy).
        opt entry_subscriptions: u64,
        /// Forum subscriptions (legacy).
        opt forum_subscriptions: u64,
    }
}
