//! Request payloads (write side). Plain structs with `Default`: set what you need and
//! leave the rest `None` — `None` fields are not sent. A field of type
//! `Option<Option<T>>` can also be cleared: `Some(None)` sends `null`.
//!
//! Wrap a payload in its envelope with [`Wrapped`]: `Wrapped::new("ticket", &new_ticket)`
//! serializes as `{"ticket": {…}}` (or use the `*::wrapped()` helpers).

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::common::CustomFieldValue;
use super::ids::{
    BrandId, CustomStatusId, GroupId, OrganizationId, TicketFieldId, TicketFormId, TicketId, UserId,
};
use super::ticket::{TicketPriority, TicketStatus, TicketType};
use super::user::{TicketRestriction, UserRole};

/// `{key: value}` — the single-key envelope of a request body.
#[derive(Debug, Clone, Copy)]
pub struct Wrapped<T> {
    /// The envelope key (`"ticket"`, `"user"`, `"tickets"`).
    pub key: &'static str,
    /// The payload.
    pub value: T,
}

impl<T> Wrapped<T> {
    /// Wraps `value` under `key`.
    pub fn new(key: &'static str, value: T) -> Self {
        Wrapped { key, value }
    }
}

impl<T: Serialize> Serialize for Wrapped<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.key, &self.value)?;
        m.end()
    }
}

/// Deserializes a present value (including `null`) as `Some(_)`, for `Option<Option<T>>`
/// fields with `#[serde(default)]`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A comment to add (on ticket create it becomes the description).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NewComment {
    /// Plain-text body (HTML is stripped; use `html_body` for HTML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// HTML body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_body: Option<String>,
    /// Public comment (`true`) or internal note (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    /// Author (defaults to the caller).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_id: Option<UserId>,
    /// Upload tokens from `POST /api/v2/uploads`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uploads: Vec<String>,
    /// Any other property, sent as is.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl NewComment {
    /// A comment with this plain-text body.
    pub fn text(body: impl Into<String>) -> Self {
        NewComment {
            body: Some(body.into()),
            ..Default::default()
        }
    }

    /// Sets `public`.
    pub fn public(mut self, public: bool) -> Self {
        self.public = Some(public);
        self
    }
}

/// The requester of a new ticket given by name/email (creates the user if needed).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NewRequester {
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Locale id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale_id: Option<u64>,
}

/// An `email_ccs` / `followers` change: `{"user_id" | "user_email", "action": "put" | "delete"}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CcChange {
    /// User id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// User email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_email: Option<String>,
    /// User name (for new users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// `put` (default) or `delete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// `POST /api/v2/tickets` payload (`{"ticket": …}`). `comment` is the only required
/// property.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NewTicket {
    /// The first comment (required).
    pub comment: NewComment,
    /// Subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ticket_type: Option<TicketType>,
    /// Priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<TicketPriority>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TicketStatus>,
    /// Custom status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_status_id: Option<CustomStatusId>,
    /// Requester by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_id: Option<UserId>,
    /// Requester by name/email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<NewRequester>,
    /// Submitter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitter_id: Option<UserId>,
    /// Assignee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<UserId>,
    /// Assignee by email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_email: Option<String>,
    /// Group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<GroupId>,
    /// Organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<OrganizationId>,
    /// Brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_id: Option<BrandId>,
    /// Ticket form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_form_id: Option<TicketFormId>,
    /// Problem (for incidents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem_id: Option<TicketId>,
    /// External id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Due date (tasks).
    #[serde(
        default,
        with = "super::timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_at: Option<OffsetDateTime>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Custom field values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    /// CC user ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collaborator_ids: Option<Vec<UserId>>,
    /// Email CCs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_ccs: Option<Vec<CcChange>>,
    /// Followers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<Vec<CcChange>>,
    /// Macros to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub macro_ids: Option<Vec<u64>>,
    /// Stored in the audit's `metadata.custom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Any other property, sent as is.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl NewTicket {
    /// Every property this type models (its JSON names); anything else lands in
    /// [`extra`](Self::extra). Bulk inputs use it to refuse unknown columns.
    pub const FIELDS: &'static [&'static str] = &[
        "comment",
        "subject",
        "type",
        "priority",
        "status",
        "custom_status_id",
        "requester_id",
        "requester",
        "submitter_id",
        "assignee_id",
        "assignee_email",
        "group_id",
        "organization_id",
        "brand_id",
        "ticket_form_id",
        "problem_id",
        "external_id",
        "due_at",
        "tags",
        "custom_fields",
        "collaborator_ids",
        "email_ccs",
        "followers",
        "macro_ids",
        "metadata",
    ];
}

impl NewTicket {
    /// A ticket with this subject and first comment.
    pub fn new(subject: impl Into<String>, comment: NewComment) -> Self {
        NewTicket {
            subject: Some(subject.into()),
            comment,
            ..Default::default()
        }
    }

    /// `{"ticket": self}`.
    pub fn wrapped(&self) -> Wrapped<&Self> {
        Wrapped::new("ticket", self)
    }
}

/// Alias of [`NewTicket`].
pub type TicketCreate = NewTicket;

/// `PUT /api/v2/tickets/{id}` payload (all optional), also an item of a batch
/// `update_many` (set `id`). `Option<Option<T>>` fields clear with `Some(None)`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TicketUpdate {
    /// Ticket id (batch `update_many` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<TicketId>,
    /// A comment to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<NewComment>,
    /// Subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TicketStatus>,
    /// Custom status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_status_id: Option<CustomStatusId>,
    /// Type (`Some(None)` clears).
    #[serde(
        rename = "type",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub ticket_type: Option<Option<TicketType>>,
    /// Priority (`Some(None)` clears).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub priority: Option<Option<TicketPriority>>,
    /// Requester.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_id: Option<UserId>,
    /// Assignee (`Some(None)` unassigns).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub assignee_id: Option<Option<UserId>>,
    /// Assignee by email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_email: Option<String>,
    /// Group (`Some(None)` clears).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_id: Option<Option<GroupId>>,
    /// Organization (`Some(None)` clears).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub organization_id: Option<Option<OrganizationId>>,
    /// Brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_id: Option<BrandId>,
    /// Ticket form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_form_id: Option<TicketFormId>,
    /// Problem (`Some(None)` unlinks).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub problem_id: Option<Option<TicketId>>,
    /// External id (`Some(None)` clears).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_id: Option<Option<String>>,
    /// Due date (`Some(None)` clears).
    #[serde(
        default,
        serialize_with = "super::timestamp::serialize_nullable",
        deserialize_with = "super::timestamp::deserialize_nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_at: Option<Option<OffsetDateTime>>,
    /// Replaces all tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Adds tags (bulk `update_many` and tag endpoints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_tags: Option<Vec<String>>,
    /// Removes tags (bulk `update_many` and tag endpoints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_tags: Option<Vec<String>>,
    /// Custom field values to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    /// CC user ids (replaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collaborator_ids: Option<Vec<UserId>>,
    /// Email CC changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_ccs: Option<Vec<CcChange>>,
    /// Follower changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<Vec<CcChange>>,
    /// Enables the `updated_stamp` check (any present value enables it; leave `None` to
    /// disable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_update: Option<bool>,
    /// The `updated_at` last read; the update fails with 409 if the ticket changed since.
    #[serde(
        default,
        with = "super::timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_stamp: Option<OffsetDateTime>,
    /// Stored in the audit's `metadata.custom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Any other property, sent as is.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TicketUpdate {
    /// Every property this type models (its JSON names); anything else lands in
    /// [`extra`](Self::extra). Bulk inputs use it to refuse unknown columns.
    pub const FIELDS: &'static [&'static str] = &[
        "id",
        "comment",
        "subject",
        "status",
        "custom_status_id",
        "type",
        "priority",
        "requester_id",
        "assignee_id",
        "assignee_email",
        "group_id",
        "organization_id",
        "brand_id",
        "ticket_form_id",
        "problem_id",
        "external_id",
        "due_at",
        "tags",
        "additional_tags",
        "remove_tags",
        "custom_fields",
        "collaborator_ids",
        "email_ccs",
        "followers",
        "safe_update",
        "updated_stamp",
        "metadata",
    ];

    /// Sets `safe_update: true` and `updated_stamp` to the `updated_at` you last read.
    pub fn safe(mut self, updated_at: OffsetDateTime) -> Self {
        self.safe_update = Some(true);
        self.updated_stamp = Some(updated_at);
        self
    }

    /// Sets a custom field value.
    pub fn custom_field(mut self, id: TicketFieldId, value: Value) -> Self {
        let field = CustomFieldValue {
            id,
            value: Some(value),
            ..Default::default()
        };
        self.custom_fields.get_or_insert_with(Vec::new).push(field);
        self
    }

    /// `{"ticket": self}`.
    pub fn wrapped(&self) -> Wrapped<&Self> {
        Wrapped::new("ticket", self)
    }
}

/// An identity given on user create: `{"type": "email", "value": "jo@example.com"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewIdentity {
    /// `email`, `phone_number`, `twitter`, …
    #[serde(rename = "type")]
    pub identity_type: String,
    /// The identity.
    pub value: String,
}

/// `POST /api/v2/users` payload (`{"user": …}`); also `create_or_update` and the items
/// of `create_many`. `name` is required.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NewUser {
    /// Name (required).
    pub name: String,
    /// Primary email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<UserRole>,
    /// Custom agent role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_role_id: Option<u64>,
    /// Organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<OrganizationId>,
    /// Default group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_group_id: Option<GroupId>,
    /// External id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Custom user fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_fields: Option<Map<String, Value>>,
    /// Mark the email verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Skip the verification email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_verify_email: Option<bool>,
    /// Ticket restriction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_restriction: Option<TicketRestriction>,
    /// Extra identities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identities: Option<Vec<NewIdentity>>,
    /// Any other property, sent as is.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl NewUser {
    /// A user with this name and email.
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        NewUser {
            name: name.into(),
            email: Some(email.into()),
            ..Default::default()
        }
    }

    /// `{"user": self}`.
    pub fn wrapped(&self) -> Wrapped<&Self> {
        Wrapped::new("user", self)
    }
}

/// `PUT /api/v2/users/{id}` payload (all optional); also an item of a batch
/// `update_many` (set `id`). `Option<Option<T>>` fields clear with `Some(None)`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UserUpdate {
    /// User id (batch `update_many` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<UserId>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Adds a secondary email identity (the primary email cannot be changed here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<UserRole>,
    /// Organization (`Some(None)` clears).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub organization_id: Option<Option<OrganizationId>>,
    /// Default group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_group_id: Option<GroupId>,
    /// External id (`Some(None)` clears).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_id: Option<Option<String>>,
    /// Alias (`Some(None)` clears).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub alias: Option<Option<String>>,
    /// Phone (`Some(None)` clears).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<Option<String>>,
    /// Details (`Some(None)` clears).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub details: Option<Option<String>>,
    /// Notes (`Some(None)` clears).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub notes: Option<Option<String>>,
    /// Locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Tags (replaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Custom user fields (merged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_fields: Option<Map<String, Value>>,
    /// Suspended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspended: Option<bool>,
    /// Verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Ticket restriction (`Some(None)` clears).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub ticket_restriction: Option<Option<TicketRestriction>>,
    /// Any other property, sent as is.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UserUpdate {
    /// `{"user": self}`.
    pub fn wrapped(&self) -> Wrapped<&Self> {
        Wrapped::new("user", self)
    }
}

#[cfg(test)]
mod field_list_tests {
    use super::*;

    /// Every listed name is a modelled property: it never lands in `extra`.
    #[test]
    fn fields_lists_are_modelled_properties() {
        for name in TicketUpdate::FIELDS {
            let v = serde_json::json!({ *name: null });
            if let Ok(u) = serde_json::from_value::<TicketUpdate>(v) {
                assert!(u.extra.is_empty(), "{name} is not a TicketUpdate field");
            }
        }
        for name in NewTicket::FIELDS {
            let mut v = serde_json::json!({"comment": {"body": "x"}});
            v[*name] = Value::Null;
            if let Ok(t) = serde_json::from_value::<NewTicket>(v) {
                assert!(t.extra.is_empty(), "{name} is not a NewTicket field");
            }
        }
        let u: TicketUpdate =
            serde_json::from_value(serde_json::json!({"custom_field_8": 1})).unwrap();
        assert_eq!(u.extra.len(), 1);
    }
}
