//! Typed Zendesk resources. Every model keeps unknown fields and every enum has an
//! `Unknown(String)` fallback, so nothing Zendesk adds is lost.
//!
//! * Resource models ([`Ticket`], [`Comment`], [`Audit`], [`TicketEvent`], [`User`],
//!   [`Organization`], [`Group`], [`TicketField`], [`JobStatus`], [`SearchResult`],
//!   [`Count`]) decode every documented field into a typed `Option`, keep unknown keys in
//!   `extra`, and remember absent-versus-`null` in [`Presence`]: decoding and
//!   re-encoding a body gives back the same JSON value.
//! * Page and envelope types ([`Page`], [`ListPage`], [`IncrementalCursorPage`],
//!   [`IncrementalTimePage`], [`Envelope`]) are generic over [`Resource`] and carry
//!   [`Sideloads`] with id lookups.
//! * Write payloads ([`NewTicket`], [`TicketUpdate`], [`NewComment`], [`NewUser`],
//!   [`UserUpdate`]) send only what is set.
//! * [`decode`] decodes a body and names the JSON path on failure ([`DecodeError`]).
//! * [`timestamp`] reads and writes Zendesk's `YYYY-MM-DDTHH:MM:SSZ` timestamps.

#[macro_use]
mod macros;

mod account;
mod audit;
mod channels;
mod comment;
mod common;
mod decode;
mod error_body;
mod ids;
mod job_status;
mod organization;
mod page;
mod records;
mod rules;
mod search;
mod sideloads;
mod ticket;
mod ticket_field;
pub mod timestamp;
mod user;
mod webhook;
mod wire;
mod write;

#[cfg(test)]
mod tests;

pub use account::{
    Brand, CustomRole, CustomStatus, HelpCenterState, Locale, OrganizationField, StatusCategory,
    TicketForm, UserField,
};
pub use audit::{Audit, AuditEvent, AuditEventType, ChildEvent, TicketEvent};
pub use channels::{
    AddressCheck, DynamicContentItem, DynamicContentVariant, PhoneCapabilities, PhoneNumber,
    RecipientAddress, SatisfactionReason, Schedule, ScheduleInterval, SharingAgreement,
    SharingDirection, SharingStatus, Target, TargetType,
};
pub use comment::{Comment, CommentType};
pub use common::{
    Attachment, CustomFieldValue, SatisfactionRating, SatisfactionScore, Via, ViaChannel, ViaParty,
    ViaSource,
};
pub use decode::{decode, excerpt, DecodeError, EXCERPT_LEN};
pub use error_body::{ApiError, ErrorBody, FieldError};
pub use ids::{
    ActivityId, AttachmentId, AuditId, AutomationId, BrandId, CommentId, CustomFieldOptionId,
    CustomRoleId, CustomStatusId, DynamicContentItemId, DynamicContentVariantId, EventId, GroupId,
    GroupMembershipId, GroupSlaPolicyId, IdentityId, JobStatusId, LocaleId, MacroId,
    OrganizationFieldId, OrganizationId, OrganizationMembershipId, PhoneNumberId,
    RecipientAddressId, SatisfactionRatingId, SatisfactionReasonId, ScheduleId, SharingAgreementId,
    SlaPolicyId, TargetId, TicketFieldId, TicketFormId, TicketId, TicketMetricEventId,
    TicketMetricId, TriggerCategoryId, TriggerId, UserFieldId, UserId, ViewId, WebhookId,
};
pub use job_status::{JobResult, JobResults, JobState, JobStatus, JobSummary};
pub use organization::{Group, Organization};
pub use page::{
    decode_envelope, decode_page, CursorExportInfo, CursorMeta, Envelope, IncrementalCursorPage,
    IncrementalTimePage, Links, ListInfo, ListPage, NoInfo, Page, Resource, TimeExportInfo,
};
pub use records::{
    Activity, GroupMembership, Identity, IdentityType, MetricEventType, MetricMinutes, MetricName,
    OrganizationMembership, SigningSecret, Tag, TicketMetric, TicketMetricEvent, UserRelated,
    Webhook, WebhookStatus,
};
pub use rules::{
    Automation, Condition, Conditions, GroupSlaPolicy, Macro, MacroResult, RuleAction, SlaPolicy,
    SlaPolicyMetric, Trigger, TriggerCategory, View, ViewColumn, ViewCount, ViewExecution,
    ViewOrdering, ViewRow,
};
pub use search::{Count, CountValue, RefreshedCount, SearchResult};
pub use sideloads::{SideloadName, Sideloads};
pub use ticket::{
    Ticket, TicketEnvelope, TicketPriority, TicketStatus, TicketType, TicketWriteInfo,
};
pub use ticket_field::{CustomFieldOption, TicketField, TicketFieldType};
pub use user::{TicketRestriction, User, UserRole};
pub use webhook::{EventType, TicketEventDetail, WebhookEvent};
pub use wire::{Key, Presence, WireFields};
pub use write::{
    CcChange, NewComment, NewIdentity, NewRequester, NewTicket, NewUser, TicketCreate,
    TicketUpdate, UserUpdate, Wrapped,
};

/// `{"user": …}`.
pub type UserEnvelope = Envelope<User>;
/// `{"organization": …}`.
pub type OrganizationEnvelope = Envelope<Organization>;
/// `{"group": …}`.
pub type GroupEnvelope = Envelope<Group>;
/// `{"ticket_field": …}`.
pub type TicketFieldEnvelope = Envelope<TicketField>;
/// `{"job_status": …}`.
pub type JobStatusEnvelope = Envelope<JobStatus>;
/// `{"audit": …}`.
pub type AuditEnvelope = Envelope<Audit>;
