//! Zendesk event webhook payloads ("Webhook event types", "Ticket events"). Verification
//! lives in [`crate::webhooks`].

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::DecodeError;

string_enum! {
    /// The `type` of a Zendesk event webhook payload (`zen:event-type:ticket.*` are
    /// documented under "Ticket events"); others are kept as `Unknown`.
    pub enum EventType {
        /// `zen:event-type:ticket.created`
        TicketCreated = "zen:event-type:ticket.created",
        /// `zen:event-type:ticket.status_changed`
        TicketStatusChanged = "zen:event-type:ticket.status_changed",
        /// `zen:event-type:ticket.priority_changed`
        TicketPriorityChanged = "zen:event-type:ticket.priority_changed",
        /// `zen:event-type:ticket.agent_assignment_changed`
        TicketAgentAssignmentChanged = "zen:event-type:ticket.agent_assignment_changed",
        /// `zen:event-type:ticket.group_assignment_changed`
        TicketGroupAssignmentChanged = "zen:event-type:ticket.group_assignment_changed",
        /// `zen:event-type:ticket.comment_added`
        TicketCommentAdded = "zen:event-type:ticket.comment_added",
        /// `zen:event-type:ticket.tags_changed`
        TicketTagsChanged = "zen:event-type:ticket.tags_changed",
        /// `zen:event-type:ticket.subject_changed`
        TicketSubjectChanged = "zen:event-type:ticket.subject_changed",
        /// `zen:event-type:ticket.custom_field_changed`
        TicketCustomFieldChanged = "zen:event-type:ticket.custom_field_changed",
        /// `zen:event-type:ticket.custom_status_changed`
        TicketCustomStatusChanged = "zen:event-type:ticket.custom_status_changed",
        /// `zen:event-type:ticket.requester_changed`
        TicketRequesterChanged = "zen:event-type:ticket.requester_changed",
        /// `zen:event-type:ticket.organization_changed`
        TicketOrganizationChanged = "zen:event-type:ticket.organization_changed",
        /// `zen:event-type:ticket.form_changed`
        TicketFormChanged = "zen:event-type:ticket.form_changed",
        /// `zen:event-type:ticket.type_changed`
        TicketTypeChanged = "zen:event-type:ticket.type_changed",
        /// `zen:event-type:ticket.soft_deleted`
        TicketSoftDeleted = "zen:event-type:ticket.soft_deleted",
        /// `zen:event-type:ticket.permanently_deleted`
        TicketPermanentlyDeleted = "zen:event-type:ticket.permanently_deleted",
        /// `zen:event-type:ticket.undeleted`
        TicketUndeleted = "zen:event-type:ticket.undeleted",
        /// `zen:event-type:ticket.merged`
        TicketMerged = "zen:event-type:ticket.merged",
        /// `zen:event-type:ticket.marked_as_spam`
        TicketMarkedAsSpam = "zen:event-type:ticket.marked_as_spam",
    }
}

impl EventType {
    /// Whether this is a ticket event (known or not).
    pub fn is_ticket_event(&self) -> bool {
        self.as_str().starts_with("zen:event-type:ticket.")
    }
}

model! {
    /// The `detail` of a ticket event: the ticket as it is after the event ("Ticket
    /// events": `external_id` arrives as a string; ids as numbers or strings depending on
    /// the event version, so they are kept as JSON values in `extra` when not numbers).
    pub struct TicketEventDetail {
        /// Ticket id (a string in the payload).
        opt id: String,
        /// Who made the change.
        opt actor_id: String,
        /// Assignee.
        opt assignee_id: String,
        /// Brand.
        opt brand_id: String,
        /// Group.
        opt group_id: String,
        /// Organization.
        opt organization_id: String,
        /// Requester.
        opt requester_id: String,
        /// Submitter.
        opt submitter_id: String,
        /// Ticket form.
        opt form_id: String,
        /// External id.
        opt external_id: String,
        /// Status (`OPEN`, `PENDING`, … as sent).
        opt status: String,
        /// Priority.
        opt priority: String,
        /// Ticket type.
        opt ticket_type: String = "type",
        /// Subject.
        opt subject: String,
        /// Description.
        opt description: String,
        /// Public ticket.
        opt is_public: bool,
        /// Tags.
        opt tags: Vec<String>,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

model! {
    /// One event webhook payload: `{"type", "id", "time", "account_id", "subject",
    /// "zendesk_event_version", "detail", "event"}`. Unknown fields are kept in `extra`.
    pub struct WebhookEvent {
        /// The event type (`type`).
        opt event_type: EventType = "type",
        /// The event id (unique per event; deduplicate on it).
        opt id: String,
        /// When the event happened.
        ts time: OffsetDateTime,
        /// The account.
        opt account_id: u64,
        /// What the event is about (`zen:ticket:123`).
        opt subject: String,
        /// The payload schema version (`2022-11-06`).
        opt zendesk_event_version: String,
        /// The object after the event (for ticket events, see [`WebhookEvent::ticket`]).
        opt detail: Map<String, Value>,
        /// What changed (`{"current": .., "previous": ..}` for most ticket events).
        opt event: Map<String, Value>,
    }
}

impl WebhookEvent {
    /// The ticket of a ticket event (`detail` decoded), or `None` for other events.
    pub fn ticket(&self) -> Option<Result<TicketEventDetail, DecodeError>> {
        if !self
            .event_type
            .as_ref()
            .is_some_and(EventType::is_ticket_event)
        {
            return None;
        }
        let detail = Value::Object(self.detail.clone().unwrap_or_default());
        let bytes = serde_json::to_vec(&detail).unwrap_or_default();
        Some(super::decode::<TicketEventDetail>(&bytes))
    }

    /// `event.current` and `event.previous` (for the `*_changed` ticket events).
    pub fn change(&self) -> (Option<&Value>, Option<&Value>) {
        let e = self.event.as_ref();
        (
            e.and_then(|m| m.get("current")),
            e.and_then(|m| m.get("previous")),
        )
    }
}
