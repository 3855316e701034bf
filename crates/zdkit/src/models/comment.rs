//! Ticket comments (zendesk-api.md §7.3).

use serde_json::Value;
use time::OffsetDateTime;

use super::common::{Attachment, Via};
use super::ids::{AuditId, CommentId, UserId};
use super::page::Resource;

string_enum! {
    /// `comment.type`.
    pub enum CommentType {
        /// `Comment`
        Comment = "Comment",
        /// `VoiceComment`
        VoiceComment = "VoiceComment",
    }
}

model! {
    /// A ticket comment (`GET /api/v2/tickets/{id}/comments`).
    pub struct Comment {
        /// Comment id.
        req id: CommentId,
        /// `Comment` or `VoiceComment`.
        opt comment_type: CommentType = "type",
        /// Text body (HTML stripped).
        opt body: String,
        /// HTML body.
        opt html_body: String,
        /// Plain-text body.
        opt plain_body: String,
        /// Public (visible to the requester) or internal note.
        opt public: bool,
        /// Author.
        opt author_id: UserId,
        /// Attachments.
        opt attachments: Vec<Attachment>,
        /// The audit this comment belongs to.
        opt audit_id: AuditId,
        /// How the comment was created.
        opt via: Via,
        /// `{"system": {client, ip_address, location, …}, "via": {…}, "flags": […]}`.
        opt metadata: Value,
        /// Creation time.
        ts created_at: OffsetDateTime,
    }
}

impl Resource for Comment {
    const SINGULAR: &'static str = "comment";
    const PLURAL: &'static str = "comments";
    type Id = CommentId;
    fn id(&self) -> CommentId {
        self.id
    }
}
