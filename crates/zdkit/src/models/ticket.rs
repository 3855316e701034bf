//! Tickets (zendesk-api.md §7.1).

use serde_json::Value;
use time::OffsetDateTime;

use super::audit::Audit;
use super::common::{CustomFieldValue, SatisfactionRating, Via};
use super::ids::{
    BrandId, CustomStatusId, GroupId, OrganizationId, TicketFormId, TicketId, UserId,
};
use super::page::{Envelope, Resource};

string_enum! {
    /// `ticket.status` (the status *category* when custom statuses are enabled).
    pub enum TicketStatus {
        /// `new`
        New = "new",
        /// `open`
        Open = "open",
        /// `pending`
        Pending = "pending",
        /// `hold`
        Hold = "hold",
        /// `solved`
        Solved = "solved",
        /// `closed`
        Closed = "closed",
        /// `deleted` (seen in incremental exports)
        Deleted = "deleted",
    }
}

string_enum! {
    /// `ticket.priority`.
    pub enum TicketPriority {
        /// `urgent`
        Urgent = "urgent",
        /// `high`
        High = "high",
        /// `normal`
        Normal = "normal",
        /// `low`
        Low = "low",
    }
}

string_enum! {
    /// `ticket.type`.
    pub enum TicketType {
        /// `problem`
        Problem = "problem",
        /// `incident`
        Incident = "incident",
        /// `question`
        Question = "question",
        /// `task`
        Task = "task",
    }
}

model! {
    /// A ticket, as returned by show/list/search/incremental export.
    ///
    /// Every field but `id` is optional: sideloaded and exported tickets can be partial.
    /// Unknown fields are kept in `extra`; see [`Presence`](crate::models::Presence) for
    /// absent vs `null`.
    pub struct Ticket {
        /// Ticket id.
        req id: TicketId,
        /// API URL of the ticket.
        opt url: String,
        /// External id (free-form, not unique).
        opt external_id: String,
        /// `problem`, `incident`, `question` or `task`.
        opt ticket_type: TicketType = "type",
        /// Subject.
        opt subject: String,
        /// Subject with dynamic-content placeholders unrendered.
        opt raw_subject: String,
        /// The first comment's text (read-only).
        opt description: String,
        /// Priority.
        opt priority: TicketPriority,
        /// Status (category).
        opt status: TicketStatus,
        /// Custom status id.
        opt custom_status_id: CustomStatusId,
        /// Original recipient address.
        opt recipient: String,
        /// Requester.
        opt requester_id: UserId,
        /// Author of the first comment.
        opt submitter_id: UserId,
        /// Assignee.
        opt assignee_id: UserId,
        /// Organization.
        opt organization_id: OrganizationId,
        /// Group.
        opt group_id: GroupId,
        /// CCs (legacy name).
        opt collaborator_ids: Vec<UserId>,
        /// Followers.
        opt follower_ids: Vec<UserId>,
        /// Email CCs.
        opt email_cc_ids: Vec<UserId>,
        /// Community topic the ticket came from (read-only).
        opt forum_topic_id: u64,
        /// Problem this incident is linked to.
        opt problem_id: TicketId,
        /// Whether this problem has incidents.
        opt has_incidents: bool,
        /// Whether any comment is public.
        opt is_public: bool,
        /// Due date (tasks only).
        ts due_at: OffsetDateTime,
        /// Tags.
        opt tags: Vec<String>,
        /// Custom field values.
        opt custom_fields: Vec<CustomFieldValue>,
        /// Legacy alias of `custom_fields`.
        opt fields: Vec<CustomFieldValue>,
        /// Satisfaction rating.
        opt satisfaction_rating: SatisfactionRating,
        /// Satisfaction prediction (plan-dependent).
        opt satisfaction_probability: Value,
        /// Sharing agreements.
        opt sharing_agreement_ids: Vec<u64>,
        /// Follow-up tickets (read-only).
        opt followup_ids: Vec<TicketId>,
        /// Ticket form.
        opt ticket_form_id: TicketFormId,
        /// Brand.
        opt brand_id: BrandId,
        /// Whether channelback is allowed.
        opt allow_channelback: bool,
        /// Whether attachments are allowed.
        opt allow_attachments: bool,
        /// Whether the ticket came from a messaging channel.
        opt from_messaging_channel: bool,
        /// How the ticket was created.
        opt via: Via,
        /// Number of comments (only with `include=comment_count`).
        opt comment_count: u64,
        /// Epoch seconds, bumped on every change (incremental exports).
        opt generated_timestamp: i64,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

impl Ticket {
    /// The value of custom field `field`, if the ticket has it.
    pub fn custom_field(&self, field: super::ids::TicketFieldId) -> Option<&Value> {
        self.custom_fields
            .as_deref()?
            .iter()
            .find(|f| f.id == field)
            .and_then(|f| f.value.as_ref())
    }

    /// The tags, or an empty slice.
    pub fn tags(&self) -> &[String] {
        self.tags.as_deref().unwrap_or_default()
    }
}

impl Resource for Ticket {
    const SINGULAR: &'static str = "ticket";
    const PLURAL: &'static str = "tickets";
    type Id = TicketId;
    fn id(&self) -> TicketId {
        self.id
    }
}

model! {
    @info
    /// Extra keys of a ticket create/update response (`{"ticket": …, "audit": …}`).
    pub struct TicketWriteInfo {
        /// The audit the write produced.
        opt audit: Audit,
    }
}

/// `{"ticket": {…}}`, plus `audit` on create/update responses and sideloads on
/// `?include=`.
pub type TicketEnvelope = Envelope<Ticket, TicketWriteInfo>;
