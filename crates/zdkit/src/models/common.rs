//! Small shapes shared by several resources: `via`, custom field values, attachments,
//! satisfaction ratings.

use serde_json::Value;

use time::OffsetDateTime;

use super::ids::{AttachmentId, GroupId, SatisfactionRatingId, TicketFieldId, TicketId, UserId};

string_enum! {
    /// The channel a ticket, comment or event came through (`via.channel`).
    pub enum ViaChannel {
        /// `web`
        Web = "web",
        /// `mobile`
        Mobile = "mobile",
        /// `rule` (trigger or automation)
        Rule = "rule",
        /// `system`
        System = "system",
        /// `api`
        Api = "api",
        /// `email`
        Email = "email",
        /// `chat`
        Chat = "chat",
        /// `twitter`
        Twitter = "twitter",
        /// `facebook`
        Facebook = "facebook",
        /// `voice`
        Voice = "voice",
        /// `sms`
        Sms = "sms",
        /// `any_channel`
        AnyChannel = "any_channel",
        /// `native_messaging`
        NativeMessaging = "native_messaging",
        /// `mobile_sdk`
        MobileSdk = "mobile_sdk",
        /// `web_widget`
        WebWidget = "web_widget",
        /// `side_conversation`
        SideConversation = "side_conversation",
        /// `sample_ticket`
        SampleTicket = "sample_ticket",
        /// `help_center`
        HelpCenter = "help_center",
        /// `merge`
        Merge = "merge",
    }
}

model! {
    /// How something was created: `{"channel": "email", "source": {"from": {…}, "to": {…}, "rel": null}}`.
    pub struct Via {
        /// The channel.
        opt channel: ViaChannel,
        /// Channel-specific details.
        opt source: ViaSource,
    }
}

model! {
    /// `via.source`: `{"from": {…}, "to": {…}, "rel": …}`.
    pub struct ViaSource {
        /// Where it came from (an email sender, a trigger, a ticket, …).
        opt from: ViaParty,
        /// Where it went.
        opt to: ViaParty,
        /// Relation (`trigger`, `automation`, `follow_up`, …).
        opt rel: String,
    }
}

model! {
    /// One side of `via.source`. Only the common keys are typed; channel-specific ones
    /// (`ticket_id`, `subject`, `phone`, `profile_url`, …) stay in `extra`.
    pub struct ViaParty {
        /// Email address.
        opt address: String,
        /// Display name.
        opt name: String,
        /// Id of the rule, ticket, … (a number or a string depending on the channel).
        opt id: Value,
        /// Title of the rule.
        opt title: String,
    }
}

model! {
    /// One entry of a ticket's `custom_fields`: `{"id": 27642, "value": "745"}`.
    pub struct CustomFieldValue {
        /// The ticket field id.
        req id: TicketFieldId,
        /// The value: string, number, bool, array (multiselect) or null.
        opt value: Value,
    }
}

model! {
    /// A file attached to a comment (also a user's `photo` and its `thumbnails`).
    pub struct Attachment {
        /// Attachment id.
        opt id: AttachmentId,
        /// API URL of the attachment.
        opt url: String,
        /// File name.
        opt file_name: String,
        /// Download URL.
        opt content_url: String,
        /// Download URL on the host-mapped domain.
        opt mapped_content_url: String,
        /// MIME type.
        opt content_type: String,
        /// Size in bytes.
        opt size: u64,
        /// Image width in pixels.
        opt width: u64,
        /// Image height in pixels.
        opt height: u64,
        /// Inline (embedded in the comment body) rather than attached.
        opt inline: bool,
        /// Deleted (redacted).
        opt deleted: bool,
        /// Malware scan result.
        opt malware_scan_result: String,
        /// Whether an agent overrode a malware flag.
        opt malware_access_override: bool,
        /// Thumbnails (images only).
        opt thumbnails: Vec<Attachment>,
    }
}

model! {
    /// A satisfaction rating: a ticket's (`{"id": 1234, "score": "good", "comment": "…"}`
    /// or `{"score": "offered"}`), or a record of the `satisfaction_ratings` family (with
    /// its ticket, requester, assignee, group and times).
    pub struct SatisfactionRating {
        /// Rating id.
        opt id: SatisfactionRatingId,
        /// Score.
        opt score: SatisfactionScore,
        /// Free-text comment.
        opt comment: String,
        /// Reason text.
        opt reason: String,
        /// Reason id.
        opt reason_id: u64,
        /// Reason code.
        opt reason_code: u64,
        /// API URL (the `satisfaction_ratings` family).
        opt url: String,
        /// The rated ticket.
        opt ticket_id: TicketId,
        /// The requester who rated.
        opt requester_id: UserId,
        /// The assignee when rated.
        opt assignee_id: UserId,
        /// The group when rated.
        opt group_id: GroupId,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

string_enum! {
    /// `satisfaction_rating.score`.
    pub enum SatisfactionScore {
        /// `offered`
        Offered = "offered",
        /// `unoffered`
        Unoffered = "unoffered",
        /// `good`
        Good = "good",
        /// `bad`
        Bad = "bad",
    }
}
