//! The typed families: one `family!` line each ties a model to its catalogue row
//! ([`Record`]), names its JSON keys and id ([`Resource`]) and adds its accessor on
//! [`Client`]. All the plumbing is [`Collection<T>`]; what is special about a family
//! (macros' `apply`, views' `count`, tags, signing secrets, …) lives in
//! [`crate::resources::rules`], [`crate::resources::tags`] and
//! [`crate::resources::specials`].
//!
//! Every accessor's example runs: it decodes a page of the family (as Zendesk documents
//! it) with the family's model and shows the request the accessor builds.

use super::collection::{Collection, Record};
use crate::models::{
    Activity, Audit, Automation, Brand, CustomRole, CustomStatus, Group, GroupMembership, Identity,
    Locale, Macro, Organization, OrganizationField, OrganizationMembership, Resource,
    SatisfactionRating, SlaPolicy, Tag, Ticket, TicketField, TicketForm, TicketMetric,
    TicketMetricEvent, Trigger, TriggerCategory, User, UserField, View, Webhook,
};
use crate::Client;

/// Declares a typed family: `Resource` (keys, id), `Record` (catalogue name) and, with
/// `accessor`, `Client::accessor()`.
macro_rules! family {
    (
        $model:ty, $name:literal, $singular:literal / $plural:literal,
        id $id:ty = |$s:ident| $id_expr:expr
        $(, cached $cached:literal)?
        $(, $(#[$doc:meta])* accessor $accessor:ident)?
    ) => {
        impl Resource for $model {
            const SINGULAR: &'static str = $singular;
            const PLURAL: &'static str = $plural;
            type Id = $id;
            fn id(&self) -> $id {
                let $s = self;
                $id_expr
            }
        }
        family!(@record $model, $name $(, cached $cached)? $(, $(#[$doc])* accessor $accessor)?);
    };
    (
        @record $model:ty, $name:literal
        $(, cached $cached:literal)?
        $(, $(#[$doc:meta])* accessor $accessor:ident)?
    ) => {
        impl Record for $model {
            const FAMILY: &'static str = $name;
            $(const CACHED: bool = $cached;)?
        }
        $(
            impl Client {
                $(#[$doc])*
                pub fn $accessor(&self) -> Collection<$model> {
                    self.collection()
                }
            }
        )?
    };
}
pub(super) use family;

// ---- Families whose models and handlers existed before the catalogue. ----
family!(@record Ticket, "tickets");
family!(@record User, "users");
family!(@record Audit, "ticket_audits",
    /// Account-wide ticket audits (`/api/v2/ticket_audits`, cursor pages only, newest
    /// first; the audits of one ticket are [`TicketsHandler::audits`](super::TicketsHandler::audits)).
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let r = client.ticket_audits().list();
    /// assert_eq!(r.path(), "/api/v2/ticket_audits");
    /// let page: zdkit::models::ListPage<zdkit::models::Audit> = zdkit::models::decode(
    ///     br#"{"audits":[{"id":9,"ticket_id":1,"author_id":-1,"events":[]}],
    ///     "meta":{"has_more":false},"links":{"next":null},"after_cursor":null}"#).unwrap();
    /// assert_eq!(page.items[0].author(), None, "-1 is Zendesk itself");
    /// ```
    accessor ticket_audits);
family!(@record Organization, "organizations", cached true,
    /// Organizations (`/api/v2/organizations`): list, show (cached), show_many, create,
    /// update, delete, bulk writes, and [`Collection::<Organization>::autocomplete`],
    /// [`Collection::<Organization>::search_external_id`].
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let r = client.organizations().list().sort("-updated_at");
    /// assert_eq!(r.list_query().to_query_string(), "page%5Bsize%5D=100&sort=-updated_at");
    /// let page: zdkit::models::ListPage<zdkit::models::Organization> = zdkit::models::decode(
    ///     br#"{"organizations":[{"id":3,"name":"Acme","domain_names":["acme.test"]}],
    ///     "meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// assert_eq!(page.items[0].name.as_deref(), Some("Acme"));
    /// ```
    accessor organizations);
family!(@record Group, "groups", cached true,
    /// Agent groups (`/api/v2/groups`): list, show (cached), count, create, update, delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.groups().path(), "/api/v2/groups");
    /// let page: zdkit::models::ListPage<zdkit::models::Group> = zdkit::models::decode(
    ///     br#"{"groups":[{"id":2,"name":"Tier 2","default":false}],"meta":{"has_more":false},"links":{}}"#).unwrap();
    /// assert_eq!(page.items[0].id, zdkit::models::GroupId(2));
    /// ```
    accessor groups);
family!(@record TicketField, "ticket_fields", cached true,
    /// Ticket fields (`/api/v2/ticket_fields`): list, show (cached), count, create,
    /// update, delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.ticket_fields().path(), "/api/v2/ticket_fields");
    /// let page: zdkit::models::ListPage<zdkit::models::TicketField> = zdkit::models::decode(
    ///     br#"{"ticket_fields":[{"id":5,"type":"tagger","title":"Plan"}],"next_page":null,"count":1}"#).unwrap();
    /// assert_eq!(page.items[0].title.as_deref(), Some("Plan"));
    /// ```
    accessor ticket_fields);

// ---- Families typed from the catalogue. ----
family!(GroupMembership, "group_memberships", "group_membership" / "group_memberships",
    id crate::models::GroupMembershipId = |s| s.id,
    /// Group memberships (`/api/v2/group_memberships`): list (filters `group_id`,
    /// `user_id`), show, create, delete, create_many, destroy_many (jobs), and
    /// [`Collection::<GroupMembership>::assignable`].
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let r = client.group_memberships().list().filter("user_id", 7);
    /// assert_eq!(r.params()[0].0, "user_id");
    /// let page: zdkit::models::ListPage<zdkit::models::GroupMembership> = zdkit::models::decode(
    ///     br#"{"group_memberships":[{"id":4,"user_id":7,"group_id":2,"default":true}],
    ///     "meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// assert_eq!(page.items[0].group_id, Some(zdkit::models::GroupId(2)));
    /// ```
    accessor group_memberships);
family!(OrganizationMembership, "organization_memberships",
    "organization_membership" / "organization_memberships",
    id crate::models::OrganizationMembershipId = |s| s.id,
    /// Organization memberships (`/api/v2/organization_memberships`): list (filters
    /// `organization_id`, `user_id`), show, create, delete, create_many, destroy_many.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.organization_memberships().path(), "/api/v2/organization_memberships");
    /// let page: zdkit::models::ListPage<zdkit::models::OrganizationMembership> = zdkit::models::decode(
    ///     br#"{"organization_memberships":[{"id":4,"user_id":7,"organization_id":3,"default":true}],
    ///     "meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// assert_eq!(page.items[0].organization_id, Some(zdkit::models::OrganizationId(3)));
    /// ```
    accessor organization_memberships);
family!(Macro, "macros", "macro" / "macros", id crate::models::MacroId = |s| s.id,
    /// Macros (`/api/v2/macros`): list (filters `access`, `active`, `category`,
    /// `group_id`), show, create, update, delete, search, update_many, destroy_many, and
    /// [`Collection::<Macro>::apply`] / [`Collection::<Macro>::apply_to_ticket`].
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// // `usage_7d` is an offset-only sort: the list pages by offset for it.
    /// let r = client.macros().list().sort("-usage_7d");
    /// assert_eq!(r.list_query().to_query_string(), "per_page=100&sort_by=usage_7d&sort_order=desc");
    /// let page: zdkit::models::ListPage<zdkit::models::Macro> = zdkit::models::decode(
    ///     br#"{"macros":[{"id":1,"title":"Close","active":true,
    ///     "actions":[{"field":"status","value":"solved"}]}],"next_page":null,"count":1}"#).unwrap();
    /// assert_eq!(page.items[0].actions.as_ref().unwrap()[0].field.as_deref(), Some("status"));
    /// ```
    accessor macros);
family!(View, "views", "view" / "views", id crate::models::ViewId = |s| s.id,
    /// Views (`/api/v2/views`): list, show, show_many, create, update, delete, search,
    /// and [`Collection::<View>::ticket_count`], [`Collection::<View>::tickets`],
    /// [`Collection::<View>::execute`].
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.views().tickets(zdkit::models::ViewId(25)).path(), "/api/v2/views/25/tickets");
    /// let page: zdkit::models::ListPage<zdkit::models::View> = zdkit::models::decode(
    ///     br#"{"views":[{"id":25,"title":"Open","active":true,
    ///     "conditions":{"all":[{"field":"status","operator":"is","value":"open"}],"any":[]}}],
    ///     "next_page":null,"count":1}"#).unwrap();
    /// let c = &page.items[0].conditions.as_ref().unwrap().all.as_ref().unwrap()[0];
    /// assert_eq!(c.operator.as_deref(), Some("is"));
    /// ```
    accessor views);
family!(Trigger, "triggers", "trigger" / "triggers", id crate::models::TriggerId = |s| s.id,
    /// Triggers (`/api/v2/triggers`): list (filters `active`, `category_id`), show,
    /// create, update, delete, search, update_many, destroy_many.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let r = client.triggers().list().filter("active", true).sort("position");
    /// assert_eq!(r.list_query().sort.as_deref(), Some("position"));
    /// let page: zdkit::models::ListPage<zdkit::models::Trigger> = zdkit::models::decode(
    ///     br#"{"triggers":[{"id":8,"title":"Notify","category_id":"10026",
    ///     "conditions":{"all":[],"any":[]},"actions":[{"field":"notification_user","value":["requester_id","Hi","Body"]}]}],
    ///     "meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// assert_eq!(page.items[0].category_id.as_ref().unwrap().as_str(), "10026");
    /// ```
    accessor triggers);
family!(TriggerCategory, "trigger_categories", "trigger_category" / "trigger_categories",
    id crate::models::TriggerCategoryId = |s| s.id.clone(),
    /// Trigger categories (`/api/v2/trigger_categories`; string ids, updates are `PATCH`,
    /// a create answers 200).
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.trigger_categories().family().update_method, zdkit::catalog::Method::Patch);
    /// let page: zdkit::models::ListPage<zdkit::models::TriggerCategory> = zdkit::models::decode(
    ///     br#"{"trigger_categories":[{"id":"10026","name":"Notifications","position":0}],
    ///     "meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// assert_eq!(page.items[0].id.as_str(), "10026");
    /// ```
    accessor trigger_categories);
family!(Automation, "automations", "automation" / "automations",
    id crate::models::AutomationId = |s| s.id,
    /// Automations (`/api/v2/automations`; offset pages): list, show, create, update,
    /// delete, search, update_many, destroy_many.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.automations().list().list_query().to_query_string(), "page%5Bsize%5D=100");
    /// let page: zdkit::models::ListPage<zdkit::models::Automation> = zdkit::models::decode(
    ///     br#"{"automations":[{"id":3,"title":"Close solved","active":true,
    ///     "conditions":{"all":[{"field":"SOLVED","operator":"greater_than","value":"96"}]},
    ///     "actions":[{"field":"status","value":"closed"}]}],"next_page":null,"count":1}"#).unwrap();
    /// assert_eq!(page.items[0].title.as_deref(), Some("Close solved"));
    /// ```
    accessor automations);
family!(TicketForm, "ticket_forms", "ticket_form" / "ticket_forms",
    id crate::models::TicketFormId = |s| s.id,
    /// Ticket forms (`/api/v2/ticket_forms`; one response): list (filters `active`,
    /// `end_user_visible`, …), show, show_many, create, update, delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.ticket_forms().list().list_query().to_query_string(), "");
    /// let page: zdkit::models::ListPage<zdkit::models::TicketForm> = zdkit::models::decode(
    ///     br#"{"ticket_forms":[{"id":47,"name":"Snowboard Problem","ticket_field_ids":[2,4,5]}],
    ///     "next_page":null,"previous_page":null,"count":1}"#).unwrap();
    /// assert_eq!(page.items[0].ticket_field_ids.as_ref().unwrap().len(), 3);
    /// ```
    accessor ticket_forms);
family!(Brand, "brands", "brand" / "brands", id crate::models::BrandId = |s| s.id,
    /// Brands (`/api/v2/brands`): list, show, create, update, delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.brands().path(), "/api/v2/brands");
    /// let page: zdkit::models::ListPage<zdkit::models::Brand> = zdkit::models::decode(
    ///     br#"{"brands":[{"id":360002783572,"name":"Acme","subdomain":"acme","help_center_state":"enabled"}],
    ///     "meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// assert_eq!(page.items[0].help_center_state, Some(zdkit::models::HelpCenterState::Enabled));
    /// ```
    accessor brands);
family!(CustomStatus, "custom_statuses", "custom_status" / "custom_statuses",
    id crate::models::CustomStatusId = |s| s.id,
    /// Custom ticket statuses (`/api/v2/custom_statuses`; one response): list (filters
    /// `status_categories`, `active`, `default`), show, create, update.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert!(!client.custom_statuses().family().ops.delete);
    /// let page: zdkit::models::ListPage<zdkit::models::CustomStatus> = zdkit::models::decode(
    ///     br#"{"custom_statuses":[{"id":35436,"agent_label":"Waiting on vendor","status_category":"hold"},
    ///     {"id":2,"agent_label":"Escalated","status_category":"escalated"}]}"#).unwrap();
    /// assert_eq!(page.items[0].status_category, Some(zdkit::models::StatusCategory::Hold));
    /// assert!(page.items[1].status_category.as_ref().unwrap().is_unknown());
    /// ```
    accessor custom_statuses);
family!(CustomRole, "custom_roles", "custom_role" / "custom_roles",
    id crate::models::CustomRoleId = |s| s.id,
    /// Custom agent roles (`/api/v2/custom_roles`; one response): list, show, create,
    /// update, delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.custom_roles().path(), "/api/v2/custom_roles");
    /// let page: zdkit::models::ListPage<zdkit::models::CustomRole> = zdkit::models::decode(
    ///     br#"{"custom_roles":[{"id":10127,"name":"Light agent","role_type":0,
    ///     "configuration":{"ticket_editing":false}}]}"#).unwrap();
    /// assert_eq!(page.items[0].configuration.as_ref().unwrap()["ticket_editing"], false);
    /// ```
    accessor custom_roles);
family!(Locale, "locales", "locale" / "locales", id crate::models::LocaleId = |s| s.id,
    /// Locales (`/api/v2/locales`; read-only, one response).
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert!(!client.locales().family().ops.writes());
    /// let page: zdkit::models::ListPage<zdkit::models::Locale> = zdkit::models::decode(
    ///     br#"{"locales":[{"id":1,"locale":"en-US","name":"English"}]}"#).unwrap();
    /// assert_eq!(page.items[0].locale.as_deref(), Some("en-US"));
    /// ```
    accessor locales);
family!(UserField, "user_fields", "user_field" / "user_fields",
    id crate::models::UserFieldId = |s| s.id,
    /// Custom user fields (`/api/v2/user_fields`): list, show, create, update, delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.user_fields().path(), "/api/v2/user_fields");
    /// let page: zdkit::models::ListPage<zdkit::models::UserField> = zdkit::models::decode(
    ///     br#"{"user_fields":[{"id":7,"key":"plan","type":"tagger","title":"Plan",
    ///     "custom_field_options":[{"id":1,"name":"Gold","value":"gold"}]}],"next_page":null,"count":1}"#).unwrap();
    /// assert_eq!(page.items[0].key.as_deref(), Some("plan"));
    /// ```
    accessor user_fields);
family!(OrganizationField, "organization_fields", "organization_field" / "organization_fields",
    id crate::models::OrganizationFieldId = |s| s.id,
    /// Custom organization fields (`/api/v2/organization_fields`): list, show, create,
    /// update, delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.organization_fields().path(), "/api/v2/organization_fields");
    /// let page: zdkit::models::ListPage<zdkit::models::OrganizationField> = zdkit::models::decode(
    ///     br#"{"organization_fields":[{"id":9,"key":"region","type":"text","title":"Region"}],
    ///     "next_page":null,"count":1}"#).unwrap();
    /// assert_eq!(page.items[0].field_type, Some(zdkit::models::TicketFieldType::Text));
    /// ```
    accessor organization_fields);
family!(SlaPolicy, "sla_policies", "sla_policy" / "sla_policies",
    id crate::models::SlaPolicyId = |s| s.id,
    /// SLA policies (`/api/v2/slas/policies`; one response): list, show, create, update,
    /// delete.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.sla_policies().path(), "/api/v2/slas/policies");
    /// let page: zdkit::models::ListPage<zdkit::models::SlaPolicy> = zdkit::models::decode(
    ///     br#"{"sla_policies":[{"id":36,"title":"Urgent","filter":{"all":[],"any":[]},
    ///     "policy_metrics":[{"priority":"urgent","metric":"first_reply_time","target":30,"business_hours":false}]}],
    ///     "next_page":null,"count":1}"#).unwrap();
    /// assert_eq!(page.items[0].policy_metrics.as_ref().unwrap()[0].target, Some(30));
    /// ```
    accessor sla_policies);
family!(SatisfactionRating, "satisfaction_ratings", "satisfaction_rating" / "satisfaction_ratings",
    id crate::models::SatisfactionRatingId = |s| s.id.unwrap_or_default(),
    /// Satisfaction ratings (`/api/v2/satisfaction_ratings`): list (filters `score`,
    /// `start_time`, `end_time`), show, count, and
    /// [`Collection::<SatisfactionRating>::create_for_ticket`].
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let r = client.satisfaction_ratings().list().filter("score", "bad");
    /// assert_eq!(r.params(), [("score".to_string(), "bad".to_string())]);
    /// let page: zdkit::models::ListPage<zdkit::models::SatisfactionRating> = zdkit::models::decode(
    ///     br#"{"satisfaction_ratings":[{"id":35436,"score":"good","ticket_id":208,"requester_id":7}],
    ///     "meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// assert_eq!(page.items[0].score, Some(zdkit::models::SatisfactionScore::Good));
    /// ```
    accessor satisfaction_ratings);
family!(TicketMetric, "ticket_metrics", "ticket_metric" / "ticket_metrics",
    id crate::models::TicketMetricId = |s| s.id,
    /// Ticket metric sets (`/api/v2/ticket_metrics`; read-only).
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.ticket_metrics().path(), "/api/v2/ticket_metrics");
    /// let page: zdkit::models::ListPage<zdkit::models::TicketMetric> = zdkit::models::decode(
    ///     br#"{"ticket_metrics":[{"id":33,"ticket_id":4343,"replies":2,
    ///     "reply_time_in_minutes":{"calendar":2391,"business":737}}],"next_page":null,"count":1}"#).unwrap();
    /// assert_eq!(page.items[0].reply_time_in_minutes.as_ref().unwrap().business, Some(737));
    /// ```
    accessor ticket_metrics);
family!(TicketMetricEvent, "ticket_metric_events", "ticket_metric_event" / "ticket_metric_events",
    id crate::models::TicketMetricEventId = |s| s.id,
    /// Ticket metric events (`/api/v2/incremental/ticket_metric_events`): `list()` is
    /// everything since the epoch; [`Collection::<TicketMetricEvent>::since`] is the
    /// resumable time-based export from a time.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let r = client.ticket_metric_events().list();
    /// assert_eq!(r.params(), [("start_time".to_string(), "0".to_string())]);
    /// assert_eq!(client.ticket_metric_events().since(1_700_000_000).params().start_time, Some(1_700_000_000));
    /// let page: zdkit::models::ListPage<zdkit::models::TicketMetricEvent> = zdkit::models::decode(
    ///     br#"{"ticket_metric_events":[{"id":926256957613,"ticket_id":155,"metric":"agent_work_time",
    ///     "instance_id":0,"type":"measure","time":"2020-10-26T12:53:12Z"}],
    ///     "meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// assert_eq!(page.items[0].event_type, Some(zdkit::models::MetricEventType::Measure));
    /// ```
    accessor ticket_metric_events);
family!(Activity, "activities", "activity" / "activities", id crate::models::ActivityId = |s| s.id,
    /// The agent activity stream (`/api/v2/activities`; read-only, filter `since`).
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.activities().path(), "/api/v2/activities");
    /// let page: zdkit::models::ListPage<zdkit::models::Activity> = zdkit::models::decode(
    ///     br#"{"activities":[{"id":35,"title":"Bob assigned ticket #123 to you","verb":"tickets.assignment",
    ///     "user_id":29451,"actor_id":23546}],"meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// assert_eq!(page.items[0].verb.as_deref(), Some("tickets.assignment"));
    /// ```
    accessor activities);
family!(Identity, "identities", "identity" / "identities", id crate::models::IdentityId = |s| s.id);
family!(Tag, "tags", "tag" / "tags", id String = |s| s.name.clone(),
    /// Tags: the account's tag list (`/api/v2/tags`, with counts) and the tags of one
    /// ticket, user or organization ([`Collection::<Tag>::of`], `set`, `add`, `remove`).
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// assert_eq!(client.tags().path(), "/api/v2/tags");
    /// let page: zdkit::models::ListPage<zdkit::models::Tag> = zdkit::models::decode(
    ///     br#"{"tags":[{"name":"vip","count":14}],"next_page":null,"count":1}"#).unwrap();
    /// assert_eq!(page.items[0].count, Some(14));
    /// ```
    accessor tags);
family!(Webhook, "webhooks", "webhook" / "webhooks", id crate::models::WebhookId = |s| s.id.clone(),
    /// Webhooks (`/api/v2/webhooks`, cursor pages): list (filters
    /// `filter[name_contains]`, `filter[status]`), show, create, update, delete, and
    /// [`Collection::<Webhook>::signing_secret`].
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let r = client.webhooks().list().filter("filter[status]", "active");
    /// assert_eq!(r.list_query().page_size, Some(100));
    /// let page: zdkit::models::ListPage<zdkit::models::Webhook> = zdkit::models::decode(
    ///     br#"{"webhooks":[{"id":"01GWS1WHE4NHNR1TJGX1WJXG5V","name":"CRM","status":"active",
    ///     "endpoint":"https://crm.example/hook","http_method":"POST","request_format":"json",
    ///     "subscriptions":["conditional_ticket_events"]}],"meta":{"has_more":false},"links":{"next":null}}"#).unwrap();
    /// assert_eq!(page.items[0].status, Some(zdkit::models::WebhookStatus::Active));
    /// ```
    accessor webhooks);

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
        check::<Ticket>();
        check::<User>();
        check::<Audit>();
        check::<Organization>();
        check::<Group>();
        check::<TicketField>();
        check::<GroupMembership>();
        check::<OrganizationMembership>();
        check::<Macro>();
        check::<View>();
        check::<Trigger>();
        check::<TriggerCategory>();
        check::<Automation>();
        check::<TicketForm>();
        check::<Brand>();
        check::<CustomStatus>();
        check::<CustomRole>();
        check::<Locale>();
        check::<UserField>();
        check::<OrganizationField>();
        check::<SlaPolicy>();
        check::<SatisfactionRating>();
        check::<TicketMetric>();
        check::<TicketMetricEvent>();
        check::<Activity>();
        check::<Identity>();
        check::<Tag>();
        check::<Webhook>();
    }
}
