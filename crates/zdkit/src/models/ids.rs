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
    /// A job status id (a string such as `8b726e60…` or `V3-eb3753c8…`).
    string JobStatusId
);
