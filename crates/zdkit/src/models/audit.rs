//! Ticket audits and their events (`GET /api/v2/tickets/{id}/audits`), and the
//! incremental ticket-events export items (zendesk-api.md §6.5).

use serde_json::Value;
use time::OffsetDateTime;

use super::common::{Attachment, Via};
use super::ids::{AuditId, EventId, TicketId, UserId};
use super::page::Resource;

string_enum! {
    /// The `type` of an audit event (and the `event_type` of an incremental child event).
    pub enum AuditEventType {
        /// `Comment`
        Comment = "Comment",
        /// `VoiceComment`
        VoiceComment = "VoiceComment",
        /// `CommentPrivacyChange`
        CommentPrivacyChange = "CommentPrivacyChange",
        /// `CommentRedactionEvent`
        CommentRedactionEvent = "CommentRedactionEvent",
        /// `Create`
        Create = "Create",
        /// `Change`
        Change = "Change",
        /// `Notification`
        Notification = "Notification",
        /// `NotificationWithCcs`
        NotificationWithCcs = "NotificationWithCcs",
        /// `Cc`
        Cc = "Cc",
        /// `FollowerChange`
        FollowerChange = "FollowerChange",
        /// `EmailCcChange`
        EmailCcChange = "EmailCcChange",
        /// `Error`
        Error = "Error",
        /// `External`
        External = "External",
        /// `FacebookEvent`
        FacebookEvent = "FacebookEvent",
        /// `LogMeInTranscript`
        LogMeInTranscript = "LogMeInTranscript",
        /// `Push`
        Push = "Push",
        /// `SatisfactionRating`
        SatisfactionRating = "SatisfactionRating",
        /// `Tweet`
        Tweet = "Tweet",
        /// `SMS`
        Sms = "SMS",
        /// `TicketSharingEvent`
        TicketSharingEvent = "TicketSharingEvent",
        /// `OrganizationActivity`
        OrganizationActivity = "OrganizationActivity",
        /// `AgentMacroReference`
        AgentMacroReference = "AgentMacroReference",
        /// `ChatStartedEvent`
        ChatStartedEvent = "ChatStartedEvent",
        /// `ChatEndedEvent`
        ChatEndedEvent = "ChatEndedEvent",
        /// `Audit` (the top-level `event_type` of an incremental ticket event)
        Audit = "Audit",
    }
}

model! {
    /// One event of an audit. A single struct covers every event type: the common fields
    /// are typed, type-specific ones stay in `extra`, and `event_type` tells them apart
    /// (unknown types decode as `AuditEventType::Unknown`).
    pub struct AuditEvent {
        /// Event id.
        opt id: EventId,
        /// Event type.
        opt event_type: AuditEventType = "type",
        /// `Change`/`Create`: the changed field.
        opt field_name: String,
        /// `Change`/`Create`: the new value (string, array or null).
        opt value: Value,
        /// `Change`: the previous value.
        opt previous_value: Value,
        /// `Comment`: text body.
        opt body: String,
        /// `Comment`: HTML body.
        opt html_body: String,
        /// `Comment`: plain body.
        opt plain_body: String,
        /// `Comment`: public or internal.
        opt public: bool,
        /// `Comment`: author.
        opt author_id: UserId,
        /// `Comment`: attachments.
        opt attachments: Vec<Attachment>,
        /// `Comment`: the audit id.
        opt audit_id: AuditId,
        /// `Notification`/`Cc`: recipient user ids.
        opt recipients: Vec<UserId>,
        /// `Notification`: subject.
        opt subject: String,
        /// How the event happened.
        opt via: Via,
    }
}

impl AuditEvent {
    /// `true` for `Comment` and `VoiceComment` events.
    pub fn is_comment(&self) -> bool {
        matches!(
            self.event_type,
            Some(AuditEventType::Comment | AuditEventType::VoiceComment)
        )
    }
}

model! {
    /// A ticket audit: one update to a ticket, with its events.
    pub struct Audit {
        /// Audit id.
        req id: AuditId,
        /// The ticket.
        opt ticket_id: TicketId,
        /// Who made the update (`-1` for Zendesk itself, e.g. triggers).
        opt author_id: i64,
        /// `{"system": {…}, "custom": {…}}`.
        opt metadata: Value,
        /// How the update was made.
        opt via: Via,
        /// The events of this update.
        opt events: Vec<AuditEvent>,
        /// Creation time.
        ts created_at: OffsetDateTime,
    }
}

/// A user id from an actor field that uses `-1` for "Zendesk itself".
fn actor(id: Option<i64>) -> Option<UserId> {
    id.and_then(|i| u64::try_from(i).ok()).map(UserId)
}

impl Audit {
    /// The author as a user id (`None` for system updates and when absent).
    pub fn author(&self) -> Option<UserId> {
        actor(self.author_id)
    }
}

impl TicketEvent {
    /// The updater as a user id (`None` for system updates and when absent).
    pub fn updater(&self) -> Option<UserId> {
        actor(self.updater_id)
    }
}

impl Resource for Audit {
    const SINGULAR: &'static str = "audit";
    const PLURAL: &'static str = "audits";
    type Id = AuditId;
    fn id(&self) -> AuditId {
        self.id
    }
}

model! {
    /// One child event of an incremental [`TicketEvent`]. Like [`AuditEvent`] the common
    /// fields are typed and the rest (field-specific keys such as `status`, `tags`,
    /// `added_tags`) stay in `extra`. With `include=comment_events` a comment is embedded
    /// with its `body`, `html_body`, `public`, … fields.
    pub struct ChildEvent {
        /// Event id.
        opt id: EventId,
        /// `Comment`, `Change`, `Create`, … (`event_type`).
        opt event_type: AuditEventType,
        /// Comment events repeat the type in `type`.
        opt comment_type: String = "type",
        /// Changed field.
        opt field_name: String,
        /// New value.
        opt value: Value,
        /// Previous value.
        opt previous_value: Value,
        /// Without `comment_events`: whether the update had a comment.
        opt comment_present: bool,
        /// Without `comment_events`: whether that comment was public.
        opt comment_public: bool,
        /// Comment: author.
        opt author_id: UserId,
        /// Comment: text body.
        opt body: String,
        /// Comment: HTML body.
        opt html_body: String,
        /// Comment: public.
        opt public: bool,
        /// Comment: attachments.
        opt attachments: Vec<Attachment>,
        /// Comment: audit id.
        opt audit_id: AuditId,
        /// Comment: creation time.
        ts created_at: OffsetDateTime,
        /// How the event happened (an object here, a string on the parent).
        opt via: Value,
        /// Via reference id.
        opt via_reference_id: Value,
    }
}

model! {
    /// An item of `GET /api/v2/incremental/ticket_events` (one ticket update).
    pub struct TicketEvent {
        /// Event (audit) id.
        req id: EventId,
        /// The ticket.
        opt ticket_id: TicketId,
        /// Epoch seconds of the update.
        opt timestamp: i64,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Who made the update (`-1` for Zendesk itself, e.g. triggers).
        opt updater_id: i64,
        /// Channel name (a string in this export, e.g. `"Web form"`).
        opt via: Value,
        /// Usually `Audit`.
        opt event_type: AuditEventType,
        /// System metadata.
        opt system: Value,
        /// Merged ticket ids, when the update was a merge.
        opt merged_ticket_ids: Vec<TicketId>,
        /// The changes of this update.
        opt child_events: Vec<ChildEvent>,
    }
}

impl Resource for TicketEvent {
    const SINGULAR: &'static str = "ticket_event";
    const PLURAL: &'static str = "ticket_events";
    type Id = EventId;
    fn id(&self) -> EventId {
        self.id
    }
}
