//! Newtype ids: one type per resource, so a user id cannot be passed where a ticket id
//! is expected. Numeric ids are `Copy` `u64` newtypes; job status ids are strings.

id_type!(
    /// A ticket id.
    TicketId
);
id_type!(
    /// A user id.
    UserId
);
id_type!(
    /// An organization id.
    OrganizationId
);
id_type!(
    /// A group id.
    GroupId
);
id_type!(
    /// A ticket field id (also the `id` of a ticket's `custom_fields` entry).
    TicketFieldId
);
id_type!(
    /// A custom field option id.
    CustomFieldOptionId
);
id_type!(
    /// A ticket comment id.
    CommentId
);
id_type!(
    /// A ticket audit id.
    AuditId
);
id_type!(
    /// An audit event (or incremental child event) id.
    EventId
);
id_type!(
    /// A brand id.
    BrandId
);
id_type!(
    /// A ticket form id.
    TicketFormId
);
id_type!(
    /// A custom ticket status id.
    CustomStatusId
);
id_type!(
    /// An attachment id.
    AttachmentId
);
id_type!(
    /// A satisfaction rating id.
    SatisfactionRatingId
);
id_type!(
    /// A custom agent role id.
    CustomRoleId
);
id_type!(
    /// A group membership id.
    GroupMembershipId
);
id_type!(
    /// An organization membership id.
    OrganizationMembershipId
);
id_type!(
    /// A macro id.
    MacroId
);
id_type!(
    /// A view id.
    ViewId
);
id_type!(
    /// A trigger id.
    TriggerId
);
id_type!(
    /// An automation id.
    AutomationId
);
id_type!(
    /// A locale id.
    LocaleId
);
id_type!(
    /// A user field id.
    UserFieldId
);
id_type!(
    /// An organization field id.
    OrganizationFieldId
);
id_type!(
    /// An SLA policy id.
    SlaPolicyId
);
id_type!(
    /// A ticket metric (metric set) id.
    TicketMetricId
);
id_type!(
    /// A ticket metric event id.
    TicketMetricEventId
);
id_type!(
    /// An activity (agent activity stream) id.
    ActivityId
);
id_type!(
    /// A user identity id.
    IdentityId
);
id_type!(
    /// A trigger category id (a string of digits on the wire: `"10026"`).
    string TriggerCategoryId
);
id_type!(
    /// A webhook id (a ULID-like string: `01GWS1WHE4NHNR1TJGX1WJXG5V`).
    string WebhookId
);
id_type!(
    /// A job status id (a string such as `8b726e60…` or `V3-eb3753c8…`).
    string JobStatusId
);
id_type!(
    /// A satisfaction reason id.
    SatisfactionReasonId
);
id_type!(
    /// A dynamic content item id.
    DynamicContentItemId
);
id_type!(
    /// A dynamic content variant id.
    DynamicContentVariantId
);
id_type!(
    /// A support (recipient) address id.
    RecipientAddressId
);
id_type!(
    /// A ticket sharing agreement id.
    SharingAgreementId
);
id_type!(
    /// A target id.
    TargetId
);
id_type!(
    /// A Talk phone number id.
    PhoneNumberId
);
id_type!(
    /// A business-hours schedule id.
    ScheduleId
);
id_type!(
    /// A group SLA policy id (a ULID-like string: `01H078CBDY28BZG7P6BONY09DN`).
    string GroupSlaPolicyId
);
