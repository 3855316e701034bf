//! Ticket fields (zendesk-api.md §7.5).

use serde_json::Value;
use time::OffsetDateTime;

use super::ids::{CustomFieldOptionId, TicketFieldId, UserId};
use super::page::Resource;

string_enum! {
    /// `ticket_field.type`: custom and system field types.
    pub enum TicketFieldType {
        /// `text`
        Text = "text",
        /// `textarea`
        Textarea = "textarea",
        /// `checkbox`
        Checkbox = "checkbox",
        /// `date`
        Date = "date",
        /// `integer`
        Integer = "integer",
        /// `decimal`
        Decimal = "decimal",
        /// `regexp`
        Regexp = "regexp",
        /// `partialcreditcard`
        PartialCreditCard = "partialcreditcard",
        /// `multiselect`
        Multiselect = "multiselect",
        /// `tagger` (drop-down)
        Tagger = "tagger",
        /// `lookup` (relationship)
        Lookup = "lookup",
        /// System: `subject`
        Subject = "subject",
        /// System: `description`
        Description = "description",
        /// System: `status`
        Status = "status",
        /// System: `tickettype`
        TicketType = "tickettype",
        /// System: `priority`
        Priority = "priority",
        /// System: `group`
        Group = "group",
        /// System: `assignee`
        Assignee = "assignee",
        /// System: `custom_status`
        CustomStatus = "custom_status",
    }
}

model! {
    /// An option of a `tagger`/`multiselect` field.
    pub struct CustomFieldOption {
        /// Option id.
        opt id: CustomFieldOptionId,
        /// Display name.
        opt name: String,
        /// Name with dynamic-content placeholders.
        opt raw_name: String,
        /// Tag value.
        opt value: String,
        /// Default option.
        opt default: bool,
    }
}

model! {
    /// A ticket field (system or custom).
    pub struct TicketField {
        /// Field id.
        req id: TicketFieldId,
        /// API URL.
        opt url: String,
        /// Field type.
        opt field_type: TicketFieldType = "type",
        /// Title.
        opt title: String,
        /// Title with placeholders.
        opt raw_title: String,
        /// Description.
        opt description: String,
        /// Description with placeholders.
        opt raw_description: String,
        /// Description shown to agents.
        opt agent_description: String,
        /// Position.
        opt position: i64,
        /// Active.
        opt active: bool,
        /// Required for agents.
        opt required: bool,
        /// Required in the help center.
        opt required_in_portal: bool,
        /// Visible in the help center.
        opt visible_in_portal: bool,
        /// Editable in the help center.
        opt editable_in_portal: bool,
        /// Help center title.
        opt title_in_portal: String,
        /// Help center title with placeholders.
        opt raw_title_in_portal: String,
        /// Collapsed for agents.
        opt collapsed_for_agents: bool,
        /// Validation regexp (`regexp` fields).
        opt regexp_for_validation: String,
        /// Tag (`checkbox` fields).
        opt tag: String,
        /// Options (`tagger`, `multiselect`).
        opt custom_field_options: Vec<CustomFieldOption>,
        /// System field options (read-only): `[{"name", "value"}]`.
        opt system_field_options: Vec<Value>,
        /// Custom statuses (read-only, `custom_status` field).
        opt custom_statuses: Vec<Value>,
        /// Sub-type.
        opt sub_type_id: i64,
        /// Removable (read-only).
        opt removable: bool,
        /// Editable by agents (read-only).
        opt agent_can_edit: bool,
        /// Creator.
        opt creator_user_id: UserId,
        /// Creating app.
        opt creator_app_name: String,
        /// `lookup` fields: `zen:user`, `zen:organization`, `zen:ticket`, `zen:custom_object:{key}`.
        opt relationship_target_type: String,
        /// `lookup` fields: filter.
        opt relationship_filter: Value,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

impl Resource for TicketField {
    const SINGULAR: &'static str = "ticket_field";
    const PLURAL: &'static str = "ticket_fields";
    type Id = TicketFieldId;
    fn id(&self) -> TicketFieldId {
        self.id
    }
}
