//! Account configuration: ticket forms, brands, custom ticket statuses, custom agent
//! roles, locales, and user and organization fields (Ticketing API reference:
//! developer.zendesk.com/api-reference/ticketing/).

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::common::Attachment;
use super::ids::{
    BrandId, CustomRoleId, CustomStatusId, LocaleId, OrganizationFieldId, TicketFieldId,
    TicketFormId, UserFieldId,
};
use super::ticket_field::{CustomFieldOption, TicketFieldType};

model! {
    /// A ticket form (`/api/v2/ticket_forms`).
    pub struct TicketForm {
        /// Form id.
        req id: TicketFormId,
        /// API URL.
        opt url: String,
        /// Name agents see.
        opt name: String,
        /// Name before dynamic content is rendered.
        opt raw_name: String,
        /// Name end users see.
        opt display_name: String,
        /// Display name before dynamic content is rendered.
        opt raw_display_name: String,
        /// The fields, in order.
        opt ticket_field_ids: Vec<TicketFieldId>,
        /// Usable.
        opt active: bool,
        /// The account's default form.
        opt default: bool,
        /// Shown to end users.
        opt end_user_visible: bool,
        /// Available in every brand.
        opt in_all_brands: bool,
        /// The brands it is restricted to.
        opt restricted_brand_ids: Vec<BrandId>,
        /// Position.
        opt position: i64,
        /// Conditional fields for agents.
        opt agent_conditions: Vec<Value>,
        /// Conditional fields for end users.
        opt end_user_conditions: Vec<Value>,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

string_enum! {
    /// `brand.help_center_state`.
    pub enum HelpCenterState {
        /// `enabled`
        Enabled = "enabled",
        /// `disabled`
        Disabled = "disabled",
        /// `restricted`
        Restricted = "restricted",
    }
}

model! {
    /// A brand (`/api/v2/brands`).
    pub struct Brand {
        /// Brand id.
        req id: BrandId,
        /// API URL.
        opt url: String,
        /// Name.
        opt name: String,
        /// Subdomain (unique).
        opt subdomain: String,
        /// Host mapping (custom domain).
        opt host_mapping: String,
        /// The brand's URL.
        opt brand_url: String,
        /// Active.
        opt active: bool,
        /// The account's default brand.
        opt default: bool,
        /// Deleted.
        opt is_deleted: bool,
        /// Has a help center.
        opt has_help_center: bool,
        /// Help center state.
        opt help_center_state: HelpCenterState,
        /// Logo.
        opt logo: Attachment,
        /// Agent signature template.
        opt signature_template: String,
        /// Ticket forms of the brand.
        opt ticket_form_ids: Vec<TicketFormId>,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

string_enum! {
    /// `custom_status.status_category`: the built-in status a custom status refines.
    pub enum StatusCategory {
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
    }
}

model! {
    /// A custom ticket status (`/api/v2/custom_statuses`).
    pub struct CustomStatus {
        /// Status id.
        req id: CustomStatusId,
        /// The built-in category.
        opt status_category: StatusCategory,
        /// Label agents see.
        opt agent_label: String,
        /// Label end users see.
        opt end_user_label: String,
        /// Description.
        opt description: String,
        /// Description end users see.
        opt end_user_description: String,
        /// Agent label before dynamic content is rendered.
        opt raw_agent_label: String,
        /// End-user label before dynamic content is rendered.
        opt raw_end_user_label: String,
        /// Description before dynamic content is rendered.
        opt raw_description: String,
        /// End-user description before dynamic content is rendered.
        opt raw_end_user_description: String,
        /// Usable.
        opt active: bool,
        /// The default status of its category.
        opt default: bool,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

model! {
    /// A custom agent role (`/api/v2/custom_roles`, Enterprise).
    pub struct CustomRole {
        /// Role id.
        req id: CustomRoleId,
        /// Name.
        opt name: String,
        /// Description.
        opt description: String,
        /// Role type (0: custom agent role).
        opt role_type: i64,
        /// Agents with this role.
        opt team_member_count: u64,
        /// Permissions (`{"ticket_editing": true, "manage_macros": "full", …}`).
        opt configuration: Map<String, Value>,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

model! {
    /// A locale (`/api/v2/locales`): `{"id": 1, "locale": "en-US", "name": "English"}`.
    pub struct Locale {
        /// Locale id.
        req id: LocaleId,
        /// API URL.
        opt url: String,
        /// BCP-47 code (`en-US`).
        opt locale: String,
        /// Name.
        opt name: String,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

/// User fields and organization fields have the same shape; one field list for both.
macro_rules! custom_field_model {
    ($(#[$m:meta])* $name:ident, $id:ty) => {
        model! {
            $(#[$m])*
            pub struct $name {
                /// Field id.
                req id: $id,
                /// API URL.
                opt url: String,
                /// Key in the records' `user_fields` / `organization_fields` (unique).
                opt key: String,
                /// Type (`text`, `dropdown` as `tagger`, `checkbox`, `date`, `lookup`, …).
                opt field_type: TicketFieldType = "type",
                /// Title.
                opt title: String,
                /// Title before dynamic content is rendered.
                opt raw_title: String,
                /// Description.
                opt description: String,
                /// Description before dynamic content is rendered.
                opt raw_description: String,
                /// Position.
                opt position: i64,
                /// Usable.
                opt active: bool,
                /// A system field (read-only).
                opt system: bool,
                /// Validation regular expression (`regexp` fields).
                opt regexp_for_validation: String,
                /// Tag added for a checked checkbox.
                opt tag: String,
                /// Options of a drop-down field.
                opt custom_field_options: Vec<CustomFieldOption>,
                /// Lookup fields: what they point at (`zen:user`, …).
                opt relationship_target_type: String,
                /// Lookup fields: the filter.
                opt relationship_filter: Value,
                /// Creation time.
                ts created_at: OffsetDateTime,
                /// Last update time.
                ts updated_at: OffsetDateTime,
            }
        }
    };
}

custom_field_model!(
    /// A custom user field (`/api/v2/user_fields`).
    UserField,
    UserFieldId
);
custom_field_model!(
    /// A custom organization field (`/api/v2/organization_fields`).
    OrganizationField,
    OrganizationFieldId
);
