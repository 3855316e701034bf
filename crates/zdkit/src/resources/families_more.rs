//! The typed families of channels, content and account settings (satisfaction reasons,
//! dynamic content, support addresses, sharing agreements, targets, Talk phone numbers,
//! schedules, group SLA policies): one `family!` line each, as in
//! [`crate::resources::families`]. Each accessor's example decodes a page as Zendesk
//! documents it and shows the request the accessor builds.

use super::collection::{Collection, Record};
use super::families::family;
use crate::models::{
    DynamicContentItem, GroupSlaPolicy, JobStatus, PhoneNumber, RecipientAddress, Resource,
    SatisfactionReason, Schedule, SharingAgreement, Target,
};
use crate::Client;

family!(SatisfactionReason, "satisfaction_reasons", "reason" / "reasons",
    id crate::models::SatisfactionReasonId = |s| s.id,
    /// Satisfaction reasons (`/api/v2/satisfaction_reasons`; read-only, one response,
    /// keys `reason` / `reasons`).
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert!(!client.satisfaction_reasons().family().ops.writes());
    /// let page: zdkit::models::ListPage<zdkit::models::SatisfactionReason> = zdkit::models::decode(
    ///     br#"{"reasons":[{"id":35436,"reason_code":1000,"value":"Agent did not respond quickly.",
    ///     "raw_value":"{{dc.reason_code_1000}}","created_at":"2011-07-20T22:55:29Z"}]}"#).unwrap();
    /// assert_eq!(page.items[0].reason_code, Some(1000));
    /// ```
    accessor satisfaction_reasons);
family!(DynamicContentItem, "dynamic_content_items", "item" / "items",
    id crate::models::DynamicContentItemId = |s| s.id,
    /// Dynamic content items (`/api/v2/dynamic_content/items`, keys `item` / `items`):
    /// list, show, create, update (the name only), delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.dynamic_content_items().path(), "/api/v2/dynamic_content/items");
    /// let page: zdkit::models::ListPage<zdkit::models::DynamicContentItem> = zdkit::models::decode(
    ///     br#"{"items":[{"id":360000346774,"name":"title","placeholder":"{{dc.title}}",
    ///     "default_locale_id":1,"outdated":false,"variants":[{"id":360001113514,
    ///     "content":"Terraform provider for Zendesk","locale_id":1,"default":true}]}],
    ///     "next_page":null,"previous_page":null,"count":1}"#).unwrap();
    /// let v = &page.items[0].variants.as_ref().unwrap()[0];
    /// assert_eq!(v.locale_id, Some(zdkit::models::LocaleId(1)));
    /// ```
    accessor dynamic_content_items);
family!(RecipientAddress, "recipient_addresses", "recipient_address" / "recipient_addresses",
    id crate::models::RecipientAddressId = |s| s.id,
    /// Support addresses (`/api/v2/recipient_addresses`): list, show, create, update,
    /// delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.recipient_addresses().path(), "/api/v2/recipient_addresses");
    /// let page: zdkit::models::ListPage<zdkit::models::RecipientAddress> = zdkit::models::decode(
    ///     br#"{"recipient_addresses":[{"id":35436,"brand_id":123,"email":"support@example.zendesk.com",
    ///     "name":"all","default":true,"forwarding_status":"unknown","spf_status":"verified",
    ///     "cname_status":"verified","domain_verification_status":"verified"}],
    ///     "meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// use zdkit::models::AddressCheck;
    /// assert_eq!(page.items[0].forwarding_status, Some(AddressCheck::Unchecked));
    /// assert_eq!(page.items[0].spf_status, Some(AddressCheck::Verified));
    /// ```
    accessor recipient_addresses);
family!(SharingAgreement, "sharing_agreements", "sharing_agreement" / "sharing_agreements",
    id crate::models::SharingAgreementId = |s| s.id,
    /// Ticket sharing agreements (`/api/v2/sharing_agreements`; one response): list,
    /// show, create, update, delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.sharing_agreements().path(), "/api/v2/sharing_agreements");
    /// let page: zdkit::models::ListPage<zdkit::models::SharingAgreement> = zdkit::models::decode(
    ///     br#"{"sharing_agreements":[{"id":88335,"name":"Ticket Sharing","partner_name":"jira",
    ///     "status":"accepted","type":"inbound"}]}"#).unwrap();
    /// use zdkit::models::{SharingDirection, SharingStatus};
    /// assert_eq!(page.items[0].direction, Some(SharingDirection::Inbound));
    /// assert_eq!(page.items[0].status, Some(SharingStatus::Accepted));
    /// ```
    accessor sharing_agreements);
family!(Target, "targets", "target" / "targets", id crate::models::TargetId = |s| s.id,
    /// Targets (`/api/v2/targets`; legacy, one response): list, show, create, update,
    /// delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.targets().path(), "/api/v2/targets");
    /// let page: zdkit::models::ListPage<zdkit::models::Target> = zdkit::models::decode(
    ///     br#"{"targets":[{"id":360000217438,"type":"http_target","title":"postbin","active":true,
    ///     "method":"post","username":"","password":null,"content_type":"application/json",
    ///     "target_url":"https://postb.in/WERcssi2"},{"id":360000217439,"type":"email_target",
    ///     "title":"mail","email":"john.doe@example.com","subject":"New ticket created"}],
    ///     "next_page":null,"previous_page":null,"count":2}"#).unwrap();
    /// use zdkit::models::TargetType;
    /// assert_eq!(page.items[0].target_type, Some(TargetType::Http));
    /// assert_eq!(page.items[1].email.as_deref(), Some("john.doe@example.com"));
    /// assert!(page.items[0].extra.contains_key("password"), "other fields are kept");
    /// ```
    accessor targets);
family!(PhoneNumber, "phone_numbers", "phone_number" / "phone_numbers",
    id crate::models::PhoneNumberId = |s| s.id,
    /// Talk phone numbers (`/api/v2/channels/voice/phone_numbers`, offset pages): list,
    /// show, create (with a `token` from the available-numbers search), update, delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.phone_numbers().path(), "/api/v2/channels/voice/phone_numbers");
    /// let page: zdkit::models::ListPage<zdkit::models::PhoneNumber> = zdkit::models::decode(
    ///     br#"{"phone_numbers":[{"id":6,"number":"+14155556666","display_number":"+1 (415) 555-6666",
    ///     "toll_free":false,"capabilities":{"sms":true,"mms":false,"voice":true},"group_ids":[1]}],
    ///     "next_page":null,"previous_page":null,"count":1}"#).unwrap();
    /// assert_eq!(page.items[0].capabilities.as_ref().unwrap().sms, Some(true));
    /// ```
    accessor phone_numbers);
family!(Schedule, "schedules", "schedule" / "schedules", id crate::models::ScheduleId = |s| s.id,
    /// Business-hours schedules (`/api/v2/business_hours/schedules`; one response): list,
    /// show, create, update, delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.schedules().path(), "/api/v2/business_hours/schedules");
    /// let page: zdkit::models::ListPage<zdkit::models::Schedule> = zdkit::models::decode(
    ///     br#"{"schedules":[{"id":1,"name":"East Coast","time_zone":"Eastern Time (US & Canada)",
    ///     "intervals":[{"start_time":1980,"end_time":2460}]}]}"#).unwrap();
    /// let i = &page.items[0].intervals.as_ref().unwrap()[0];
    /// assert_eq!(i.day_and_minutes(), Some((1, 9 * 60, 17 * 60)));
    /// ```
    accessor schedules);
family!(GroupSlaPolicy, "group_sla_policies", "group_sla_policy" / "group_sla_policies",
    id crate::models::GroupSlaPolicyId = |s| s.id.clone(),
    /// Group SLA policies (`/api/v2/group_slas/policies`; string ids, one response):
    /// list, show, create, update, delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.group_sla_policies().path(), "/api/v2/group_slas/policies");
    /// let page: zdkit::models::ListPage<zdkit::models::GroupSlaPolicy> = zdkit::models::decode(
    ///     br#"{"group_sla_policies":[{"id":"01H078CBDY28BZG7P6BONY09DN","title":"Tier 1",
    ///     "position":3,"filter":{"all":[]},"policy_metrics":[{"business_hours":false,
    ///     "metric":"group_ownership_time","priority":"low","target":3600}]}],
    ///     "next_page":null,"previous_page":null,"count":1}"#).unwrap();
    /// assert_eq!(page.items[0].id.as_str(), "01H078CBDY28BZG7P6BONY09DN");
    /// assert_eq!(page.items[0].policy_metrics.as_ref().unwrap()[0].target, Some(3600));
    /// ```
    accessor group_sla_policies);
family!(@record JobStatus, "job_statuses",
    /// Background jobs (`/api/v2/job_statuses`, cursor pages; string ids): the
    /// account's recent jobs and one job's status. To wait for a job use
    /// [`crate::jobs::JobHandle`].
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert!(client.job_statuses().family().ops.show_many);
    /// let page: zdkit::models::ListPage<zdkit::models::JobStatus> = zdkit::models::decode(
    ///     br#"{"job_statuses":[{"id":"8b726e606741012ffc2d782bcb7848fe","status":"completed",
    ///     "job_type":"bulk_update","total":2,"progress":2,"results":[]}],
    ///     "meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// assert_eq!(page.items[0].total, Some(2));
    /// ```
    accessor job_statuses);

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: Record>() {
        let f = T::family();
        assert_eq!(f.singular, T::SINGULAR, "{}", f.name);
        assert_eq!(f.plural, T::PLURAL, "{}", f.name);
    }

    #[test]
    fn every_record_matches_its_catalogue_row() {
        check::<SatisfactionReason>();
        check::<DynamicContentItem>();
        check::<RecipientAddress>();
        check::<SharingAgreement>();
        check::<Target>();
        check::<PhoneNumber>();
        check::<Schedule>();
        check::<GroupSlaPolicy>();
        check::<JobStatus>();
    }
}
