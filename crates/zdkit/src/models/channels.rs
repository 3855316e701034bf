//! Channels, content and account settings: support addresses, Talk phone numbers,
//! targets, ticket sharing agreements, dynamic content, satisfaction reasons and
//! business-hours schedules (Ticketing API reference:
//! developer.zendesk.com/api-reference/ticketing/; Talk API reference, Phone Numbers:
//! developer.zendesk.com/api-reference/voice/talk-api/phone_numbers/).

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::ids::{
    BrandId, DynamicContentItemId, DynamicContentVariantId, GroupId, LocaleId, PhoneNumberId,
    RecipientAddressId, SatisfactionReasonId, ScheduleId, SharingAgreementId, TargetId,
};

model! {
    /// A satisfaction reason (`/api/v2/satisfaction_reasons`, keys `reason` / `reasons`):
    /// a choice offered to a customer who rated a ticket bad.
    pub struct SatisfactionReason {
        /// Reason id.
        req id: SatisfactionReasonId,
        /// API URL.
        opt url: String,
        /// Account-level code: 0 (none), 5–8 and 100 (system), 1000 and up (custom).
        opt reason_code: u64,
        /// The reason in the account's locale.
        opt value: String,
        /// The dynamic content placeholder, or `value`.
        opt raw_value: String,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
        /// Deletion time (deleted reasons stay readable).
        ts deleted_at: OffsetDateTime,
    }
}

model! {
    /// One locale's text of a dynamic content item.
    pub struct DynamicContentVariant {
        /// Variant id.
        opt id: DynamicContentVariantId,
        /// API URL.
        opt url: String,
        /// The text.
        opt content: String,
        /// Its locale.
        opt locale_id: LocaleId,
        /// Usable.
        opt active: bool,
        /// The item's default variant.
        opt default: bool,
        /// Older than the default variant.
        opt outdated: bool,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

model! {
    /// A dynamic content item (`/api/v2/dynamic_content/items`, keys `item` / `items`):
    /// a named text with one variant per locale, used as `{{dc.name}}`.
    pub struct DynamicContentItem {
        /// Item id.
        req id: DynamicContentItemId,
        /// API URL.
        opt url: String,
        /// Unique name.
        opt name: String,
        /// The placeholder (`{{dc.name}}`), derived from the name.
        opt placeholder: String,
        /// The default variant's locale.
        opt default_locale_id: LocaleId,
        /// Some variant is outdated.
        opt outdated: bool,
        /// The variants.
        opt variants: Vec<DynamicContentVariant>,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

string_enum! {
    /// A check of a support address: `forwarding_status`, `spf_status`, `cname_status`,
    /// `domain_verification_status` and `dns_results`.
    pub enum AddressCheck {
        /// `unknown`: not checked yet.
        Unchecked = "unknown",
        /// `waiting` (forwarding only).
        Waiting = "waiting",
        /// `verified`
        Verified = "verified",
        /// `failed`
        Failed = "failed",
    }
}

model! {
    /// A support address (`/api/v2/recipient_addresses`): an address customers write to.
    pub struct RecipientAddress {
        /// Address id.
        req id: RecipientAddressId,
        /// API URL.
        opt url: String,
        /// The address (cannot change).
        opt email: String,
        /// Display name.
        opt name: String,
        /// Its brand.
        opt brand_id: BrandId,
        /// The account's default address.
        opt default: bool,
        /// Email forwarding.
        opt forwarding_status: AddressCheck,
        /// SPF record.
        opt spf_status: AddressCheck,
        /// CNAME records.
        opt cname_status: AddressCheck,
        /// Domain verification TXT record.
        opt domain_verification_status: AddressCheck,
        /// The TXT record's value.
        opt domain_verification_code: String,
        /// Domain and CNAME checks together.
        opt dns_results: AddressCheck,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

string_enum! {
    /// `sharing_agreement.status`.
    pub enum SharingStatus {
        /// `accepted`
        Accepted = "accepted",
        /// `declined`
        Declined = "declined",
        /// `pending`
        Pending = "pending",
        /// `inactive`
        Inactive = "inactive",
        /// `failed`
        Failed = "failed",
        /// `ssl_error`
        SslError = "ssl_error",
        /// `configuration_error`
        ConfigurationError = "configuration_error",
    }
}

string_enum! {
    /// `sharing_agreement.type`.
    pub enum SharingDirection {
        /// `inbound`
        Inbound = "inbound",
        /// `outbound`
        Outbound = "outbound",
    }
}

model! {
    /// A ticket sharing agreement (`/api/v2/sharing_agreements`) with another Zendesk
    /// account or Jira.
    pub struct SharingAgreement {
        /// Agreement id.
        req id: SharingAgreementId,
        /// API URL.
        opt url: String,
        /// Name.
        opt name: String,
        /// `jira` or null.
        opt partner_name: String,
        /// The other account's subdomain.
        opt remote_subdomain: String,
        /// State.
        opt status: SharingStatus,
        /// Direction.
        opt direction: SharingDirection = "type",
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

string_enum! {
    /// `target.type`.
    pub enum TargetType {
        /// `basecamp_target`
        Basecamp = "basecamp_target",
        /// `campfire_target`
        Campfire = "campfire_target",
        /// `clickatell_target`
        Clickatell = "clickatell_target",
        /// `email_target`
        Email = "email_target",
        /// `flowdock_target`
        Flowdock = "flowdock_target",
        /// `get_satisfaction_target`
        GetSatisfaction = "get_satisfaction_target",
        /// `jira_target`
        Jira = "jira_target",
        /// `pivotal_target`
        Pivotal = "pivotal_target",
        /// `twitter_target`
        Twitter = "twitter_target",
        /// `url_target`
        Url = "url_target",
        /// `http_target`
        Http = "http_target",
        /// `yammer_target`
        Yammer = "yammer_target",
    }
}

model! {
    /// A target (`/api/v2/targets`, legacy; webhooks replace it): where triggers and
    /// automations send notifications. The common fields and those of the email and
    /// HTTP/URL targets are typed; the other types' fields stay in `extra`. Write-only
    /// secrets (`password`, `token`) are never answered.
    pub struct Target {
        /// Target id.
        req id: TargetId,
        /// API URL.
        opt url: String,
        /// Name.
        opt title: String,
        /// Kind.
        opt target_type: TargetType = "type",
        /// Activated.
        opt active: bool,
        /// Email targets: the address.
        opt email: String,
        /// Email targets: the subject.
        opt subject: String,
        /// HTTP and URL targets: the URL.
        opt target_url: String,
        /// HTTP and URL targets: `get`, `post`, `put`, `patch` or `delete`.
        opt method: String,
        /// HTTP targets: the body's content type.
        opt content_type: String,
        /// URL targets: the query attribute that carries the message.
        opt attribute: String,
        /// HTTP, URL and Jira targets: the basic-auth user name.
        opt username: String,
        /// Creation time.
        ts created_at: OffsetDateTime,
    }
}

model! {
    /// What a Talk number can do.
    pub struct PhoneCapabilities {
        /// Text messages.
        opt sms: bool,
        /// Multimedia messages.
        opt mms: bool,
        /// Calls.
        opt voice: bool,
        /// An emergency address is required.
        opt emergency_address: bool,
    }
}

model! {
    /// A Talk phone number (`/api/v2/channels/voice/phone_numbers`).
    pub struct PhoneNumber {
        /// Number id.
        req id: PhoneNumberId,
        /// API URL.
        opt url: String,
        /// The digits (E.164).
        opt number: String,
        /// Formatted.
        opt display_number: String,
        /// The nickname, or the display number.
        opt name: String,
        /// Nickname.
        opt nickname: String,
        /// ISO country code.
        opt country_code: String,
        /// Where the number is (`CA`, `Leeds`).
        opt location: String,
        /// Toll-free rather than local.
        opt toll_free: bool,
        /// An external caller id number.
        opt external: bool,
        /// Calls are recorded.
        opt recorded: bool,
        /// Calls are transcribed.
        opt transcription: bool,
        /// Text messages enabled.
        opt sms_enabled: bool,
        /// Calls enabled.
        opt voice_enabled: bool,
        /// Outbound calls enabled.
        opt outbound_enabled: bool,
        /// Capabilities.
        opt capabilities: PhoneCapabilities,
        /// Default group.
        opt default_group_id: GroupId,
        /// Groups calls go to.
        opt group_ids: Vec<GroupId>,
        /// Group for text messages.
        opt sms_group_id: GroupId,
        /// Custom greetings.
        opt greeting_ids: Vec<u64>,
        /// Names of the default system greetings.
        opt default_greeting_ids: Vec<String>,
        /// Greeting category ids and names.
        opt categorised_greetings: Map<String, Value>,
        /// Greeting categories with their settings.
        opt categorised_greetings_with_sub_settings: Map<String, Value>,
        /// Routing priority.
        opt priority: i64,
        /// Its IVR.
        opt ivr_id: u64,
        /// `phone` or `digital`.
        opt line_type: String,
        /// Its schedule.
        opt schedule_id: ScheduleId,
        /// Its brand.
        opt brand_id: BrandId,
        /// Failover number.
        opt failover_number: String,
        /// Call recording consent setting.
        opt call_recording_consent: String,
        /// Creation time.
        ts created_at: OffsetDateTime,
    }
}

model! {
    /// A period of business hours, in minutes since Sunday 00:00 in the schedule's time
    /// zone (`{"start_time": 1980, "end_time": 2460}` is Monday 09:00–17:00).
    pub struct ScheduleInterval {
        /// Start, minutes since Sunday midnight.
        opt start_time: u32,
        /// End, minutes since Sunday midnight (same calendar day as the start).
        opt end_time: u32,
    }
}

model! {
    /// A business-hours schedule (`/api/v2/business_hours/schedules`).
    pub struct Schedule {
        /// Schedule id.
        req id: ScheduleId,
        /// API URL.
        opt url: String,
        /// Name.
        opt name: String,
        /// Time zone (Zendesk's names: `Pacific Time (US & Canada)`, `London`).
        opt time_zone: String,
        /// The weekly business hours.
        opt intervals: Vec<ScheduleInterval>,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

impl ScheduleInterval {
    /// The interval's day of the week (0 = Sunday) and start and end as minutes since
    /// that day's midnight; `None` if a bound is missing or the interval is not within
    /// one day.
    ///
    /// ```
    /// let i = zdkit::models::ScheduleInterval { start_time: Some(1980), end_time: Some(2460), ..Default::default() };
    /// assert_eq!(i.day_and_minutes(), Some((1, 540, 1020)));
    /// ```
    pub fn day_and_minutes(&self) -> Option<(u32, u32, u32)> {
        let (s, e) = (self.start_time?, self.end_time?);
        let day = s / 1440;
        (e > s && e <= (day + 1) * 1440 && day < 7).then_some((day, s % 1440, e - day * 1440))
    }
}
