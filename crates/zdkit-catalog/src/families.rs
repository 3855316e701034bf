//! The table. One row per family; keep rows in the order of the reference's sections.
//!
//! Paging, sorts and filters follow each operation's "Pagination" and parameter notes in
//! Zendesk's OpenAPI file; endpoint limits follow the API reference's "Rate limits"
//! endpoint table (limits with `documented_header: false` have no documented
//! `Zendesk-RateLimit-*` header: the bucket name is ours).

use crate::{
    Action, Family, IdKind, Incremental, Limit, LimitOn, LimitScope, Method, Op, Ops, PageDefault,
    Paging, Parent, Seed,
};

/// The defaults every row starts from (`..BASE`).
const BASE: Family = Family {
    name: "",
    path: "",
    singular: "",
    plural: "",
    id_param: "",
    id: IdKind::Integer,
    parent: None,
    ops: Ops::CRUD,
    update_method: Method::Put,
    create_status: 201,
    bulk_is_job: true,
    paging: Paging::BOTH,
    cursor_sorts: &[],
    offset_sorts: &[],
    filters: &[],
    sideloads: &[],
    required: &[],
    unique: &[],
    limits: &[],
    actions: &[],
    incremental: None,
    seed: Seed::Fixed(10),
    bespoke: false,
    oas_gaps: &[],
    source: None,
};

const fn get(name: &'static str, path: &'static str, key: Option<&'static str>) -> Action {
    Action {
        name,
        method: Method::Get,
        path,
        key,
        in_oas: true,
    }
}

const fn act(
    name: &'static str,
    method: Method,
    path: &'static str,
    key: Option<&'static str>,
) -> Action {
    Action {
        name,
        method,
        path,
        key,
        in_oas: true,
    }
}

const fn limit(on: LimitOn, bucket: &'static str, limit: u32, window_secs: u32) -> Limit {
    Limit {
        on,
        bucket,
        limit,
        window_secs,
        scope: LimitScope::Account,
        documented_header: false,
    }
}

const RULE_SORTS: &[&str] = &[
    "alphabetical",
    "created_at",
    "updated_at",
    "usage_1h",
    "usage_24h",
    "usage_7d",
    "usage_30d",
    "position",
];

/// Every family, existing (bespoke) and generic.
pub static FAMILIES: &[Family] = &[
    // ---- The bespoke core: served by hand-written simulator modules. ----
    Family {
        name: "tickets",
        path: "tickets",
        singular: "ticket",
        plural: "tickets",
        id_param: "ticket_id",
        ops: Ops {
            show_many: true,
            count: true,
            create_many: true,
            update_many: true,
            destroy_many: true,
            ..Ops::CRUD
        },
        cursor_sorts: &["id", "updated_at", "status"],
        offset_sorts: &[
            "assignee",
            "assignee.name",
            "created_at",
            "group",
            "id",
            "requester",
            "requester.name",
            "status",
            "subject",
            "updated_at",
        ],
        filters: &["external_id"],
        sideloads: &[
            "users",
            "groups",
            "organizations",
            "last_audits",
            "metric_sets",
            "dates",
            "sharing_agreements",
            "comment_count",
            "incident_counts",
            "ticket_forms",
            "brands",
            "custom_statuses",
        ],
        limits: &[
            Limit {
                documented_header: true,
                ..limit(LimitOn::Op(Op::List), "tickets-index", 100_000, 60)
            },
            Limit {
                documented_header: true,
                ..limit(LimitOn::Op(Op::Update), "tickets-update", 100, 60)
            },
            limit(LimitOn::Op(Op::Delete), "tickets-delete", 400, 60),
            limit(LimitOn::Action("audits"), "ticket-audits", 500, 60),
        ],
        actions: &[
            get("related", "tickets/{ticket_id}/related", None),
            get("audits", "tickets/{ticket_id}/audits", Some("audits")),
            get("comments", "tickets/{ticket_id}/comments", Some("comments")),
        ],
        incremental: Some(Incremental {
            time_path: Some("incremental/tickets"),
            cursor_path: Some("incremental/tickets/cursor"),
        }),
        seed: Seed::Configured,
        bespoke: true,
        ..BASE
    },
    Family {
        name: "users",
        path: "users",
        singular: "user",
        plural: "users",
        id_param: "user_id",
        ops: Ops {
            show_many: true,
            count: true,
            create_many: true,
            update_many: true,
            destroy_many: true,
            search: true,
            ..Ops::CRUD
        },
        cursor_sorts: &["id", "updated_at"],
        offset_sorts: &["id", "updated_at"],
        filters: &["role", "role[]", "permission_set", "external_id"],
        sideloads: &[
            "organizations",
            "abilities",
            "roles",
            "identities",
            "groups",
            "open_ticket_count",
        ],
        limits: &[Limit {
            documented_header: true,
            ..limit(LimitOn::Op(Op::Update), "create-update-user", 5, 60)
        }],
        actions: &[
            get("me", "users/me", Some("user")),
            get("related", "users/{user_id}/related", Some("user_related")),
            get("autocomplete", "users/autocomplete", Some("users")),
            act(
                "create_or_update",
                Method::Post,
                "users/create_or_update",
                Some("user"),
            ),
            act(
                "create_or_update_many",
                Method::Post,
                "users/create_or_update_many",
                Some("job_status"),
            ),
        ],
        incremental: Some(Incremental {
            time_path: Some("incremental/users"),
            cursor_path: Some("incremental/users/cursor"),
        }),
        seed: Seed::Configured,
        bespoke: true,
        ..BASE
    },
    Family {
        name: "organizations",
        path: "organizations",
        singular: "organization",
        plural: "organizations",
        id_param: "organization_id",
        ops: Ops {
            show_many: true,
            count: true,
            create_many: true,
            update_many: true,
            destroy_many: true,
            search: true,
            ..Ops::CRUD
        },
        cursor_sorts: &["id", "updated_at"],
        offset_sorts: &["id", "updated_at"],
        sideloads: &["abilities"],
        limits: &[Limit {
            scope: LimitScope::PerRecord,
            ..limit(LimitOn::Op(Op::Update), "organizations-update", 5, 60)
        }],
        actions: &[
            get(
                "autocomplete",
                "organizations/autocomplete",
                Some("organizations"),
            ),
            get(
                "related",
                "organizations/{organization_id}/related",
                Some("organization_related"),
            ),
            act(
                "create_or_update",
                Method::Post,
                "organizations/create_or_update",
                Some("organization"),
            ),
        ],
        incremental: Some(Incremental {
            time_path: Some("incremental/organizations"),
            cursor_path: None,
        }),
        seed: Seed::Configured,
        bespoke: true,
        ..BASE
    },
    Family {
        name: "groups",
        path: "groups",
        singular: "group",
        plural: "groups",
        id_param: "group_id",
        ops: Ops {
            count: true,
            ..Ops::CRUD
        },
        cursor_sorts: &["id", "updated_at"],
        offset_sorts: &["id", "updated_at"],
        filters: &["exclude_deleted"],
        seed: Seed::Fixed(10),
        bespoke: true,
        ..BASE
    },
    Family {
        name: "ticket_fields",
        path: "ticket_fields",
        singular: "ticket_field",
        plural: "ticket_fields",
        id_param: "ticket_field_id",
        ops: Ops {
            count: true,
            ..Ops::CRUD
        },
        paging: Paging {
            default: PageDefault::All,
            ..Paging::CURSOR
        },
        cursor_sorts: &["id"],
        filters: &["locale", "creator"],
        sideloads: &["users"],
        limits: &[
            limit(LimitOn::Op(Op::List), "ticket-fields-index", 300, 60),
            limit(LimitOn::Op(Op::Update), "ticket-fields-update", 75, 60),
        ],
        seed: Seed::Fixed(15),
        bespoke: true,
        ..BASE
    },
    Family {
        name: "job_statuses",
        path: "job_statuses",
        singular: "job_status",
        plural: "job_statuses",
        id_param: "job_status_id",
        id: IdKind::String,
        ops: Ops {
            show_many: true,
            ..Ops::READ
        },
        paging: Paging::CURSOR,
        seed: Seed::Derived,
        bespoke: true,
        ..BASE
    },
    Family {
        name: "ticket_audits",
        path: "ticket_audits",
        singular: "audit",
        plural: "audits",
        id_param: "ticket_audit_id",
        ops: Ops {
            list: true,
            ..Ops::NONE
        },
        paging: Paging {
            legacy_cursor_fields: true,
            ..Paging::CURSOR
        },
        // No endpoint limit is documented for the account-wide list: only the account
        // limit applies (zendesk-api.md §3.2 names only the per-ticket audits' 500/min).
        seed: Seed::Derived,
        bespoke: true,
        ..BASE
    },
    Family {
        name: "tags",
        path: "tags",
        singular: "tag",
        plural: "tags",
        id_param: "tag_name",
        id: IdKind::String,
        ops: Ops {
            list: true,
            count: true,
            ..Ops::NONE
        },
        limits: &[limit(LimitOn::Op(Op::List), "tags-index", 2000, 60)],
        actions: &[
            get("autocomplete", "autocomplete/tags", Some("tags")),
            get("ticket", "tickets/{ticket_id}/tags", Some("tags")),
            act("ticket_set", Method::Post, "tickets/{ticket_id}/tags", Some("tags")),
            act("ticket_add", Method::Put, "tickets/{ticket_id}/tags", Some("tags")),
            act("ticket_remove", Method::Delete, "tickets/{ticket_id}/tags", None),
            // The Tags reference documents the same four verbs on users and organizations;
            // the OAS file lists only the ticket paths.
            Action {
                in_oas: false,
                ..get("user", "users/{user_id}/tags", Some("tags"))
            },
            Action {
                in_oas: false,
                ..act("user_set", Method::Post, "users/{user_id}/tags", Some("tags"))
            },
            Action {
                in_oas: false,
                ..act("user_add", Method::Put, "users/{user_id}/tags", Some("tags"))
            },
            Action {
                in_oas: false,
                ..act("user_remove", Method::Delete, "users/{user_id}/tags", None)
            },
            Action {
                in_oas: false,
                ..get(
                    "organization",
                    "organizations/{organization_id}/tags",
                    Some("tags"),
                )
            },
            Action {
                in_oas: false,
                ..act(
                    "organization_set",
                    Method::Post,
                    "organizations/{organization_id}/tags",
                    Some("tags"),
                )
            },
            Action {
                in_oas: false,
                ..act(
                    "organization_add",
                    Method::Put,
                    "organizations/{organization_id}/tags",
                    Some("tags"),
                )
            },
            Action {
                in_oas: false,
                ..act(
                    "organization_remove",
                    Method::Delete,
                    "organizations/{organization_id}/tags",
                    None,
                )
            },
        ],
        seed: Seed::Derived,
        bespoke: true,
        ..BASE
    },
    Family {
        name: "ticket_metric_events",
        path: "incremental/ticket_metric_events",
        singular: "ticket_metric_event",
        plural: "ticket_metric_events",
        id_param: "ticket_metric_event_id",
        ops: Ops {
            list: true,
            ..Ops::NONE
        },
        // Cursor pages of up to 100 with `page[size]`; without it, a time-based export.
        paging: Paging {
            default: PageDefault::All,
            ..Paging::CURSOR
        },
        filters: &["start_time", "include_changes"],
        limits: &[limit(
            LimitOn::Op(Op::List),
            "incremental-exports",
            10,
            60,
        )],
        incremental: Some(Incremental {
            time_path: Some("incremental/ticket_metric_events"),
            cursor_path: None,
        }),
        seed: Seed::Derived,
        bespoke: true,
        ..BASE
    },
    // ---- Served by the generic collection engine. ----
    Family {
        name: "ticket_metrics",
        path: "ticket_metrics",
        singular: "ticket_metric",
        plural: "ticket_metrics",
        id_param: "ticket_metric_id",
        ops: Ops::READ,
        seed: Seed::PerTicket,
        ..BASE
    },
    Family {
        name: "group_memberships",
        path: "group_memberships",
        singular: "group_membership",
        plural: "group_memberships",
        id_param: "group_membership_id",
        ops: Ops {
            update: false,
            create_many: true,
            destroy_many: true,
            ..Ops::CRUD
        },
        cursor_sorts: &["id"],
        filters: &["group_id", "user_id"],
        sideloads: &["users", "groups"],
        required: &["user_id", "group_id"],
        unique: &[&["user_id", "group_id"]],
        actions: &[
            get(
                "assignable",
                "group_memberships/assignable",
                Some("group_memberships"),
            ),
            act(
                "make_default",
                Method::Put,
                "users/{user_id}/group_memberships/{group_membership_id}/make_default",
                Some("group_memberships"),
            ),
        ],
        seed: Seed::Fixed(40),
        ..BASE
    },
    Family {
        name: "organization_memberships",
        path: "organization_memberships",
        singular: "organization_membership",
        plural: "organization_memberships",
        id_param: "organization_membership_id",
        ops: Ops {
            update: false,
            create_many: true,
            destroy_many: true,
            ..Ops::CRUD
        },
        cursor_sorts: &["id"],
        filters: &["organization_id", "user_id"],
        sideloads: &["users", "organizations"],
        required: &["user_id", "organization_id"],
        unique: &[&["user_id", "organization_id"]],
        actions: &[act(
            "make_default",
            Method::Put,
            "users/{user_id}/organization_memberships/{organization_membership_id}/make_default",
            Some("organization_memberships"),
        )],
        seed: Seed::Fixed(60),
        ..BASE
    },
    Family {
        name: "macros",
        path: "macros",
        singular: "macro",
        plural: "macros",
        id_param: "macro_id",
        ops: Ops {
            update_many: true,
            destroy_many: true,
            search: true,
            ..Ops::CRUD
        },
        create_status: 200,
        bulk_is_job: false,
        offset_sorts: RULE_SORTS,
        filters: &["access", "active", "category", "group_id", "only_viewable"],
        sideloads: &["app_installation", "categories", "permissions", "usage_1h", "usage_24h", "usage_7d", "usage_30d"],
        required: &["title", "actions"],
        actions: &[
            get("apply", "macros/{macro_id}/apply", Some("result")),
            get(
                "apply_to_ticket",
                "tickets/{ticket_id}/macros/{macro_id}/apply",
                Some("result"),
            ),
            get("active", "macros/active", Some("macros")),
            get("actions", "macros/actions", Some("actions")),
            get("categories", "macros/categories", Some("categories")),
            get("definitions", "macros/definitions", Some("definitions")),
        ],
        seed: Seed::Fixed(25),
        ..BASE
    },
    Family {
        name: "triggers",
        path: "triggers",
        singular: "trigger",
        plural: "triggers",
        id_param: "trigger_id",
        ops: Ops {
            update_many: true,
            destroy_many: true,
            search: true,
            ..Ops::CRUD
        },
        bulk_is_job: false,
        cursor_sorts: &["alphabetical", "created_at", "updated_at", "position"],
        offset_sorts: RULE_SORTS,
        filters: &["active", "category_id"],
        sideloads: &["app_installation", "permissions", "usage_1h", "usage_24h", "usage_7d"],
        required: &["title", "conditions", "actions"],
        actions: &[
            get("active", "triggers/active", Some("triggers")),
            get("definitions", "triggers/definitions", Some("definitions")),
            act("reorder", Method::Put, "triggers/reorder", None),
        ],
        seed: Seed::Fixed(20),
        ..BASE
    },
    Family {
        name: "trigger_categories",
        path: "trigger_categories",
        singular: "trigger_category",
        plural: "trigger_categories",
        id_param: "trigger_category_id",
        id: IdKind::String,
        update_method: Method::Patch,
        create_status: 200,
        paging: Paging {
            default: PageDefault::Cursor,
            ..Paging::BOTH
        },
        cursor_sorts: &["position", "name", "created_at", "updated_at"],
        sideloads: &["rule_counts"],
        required: &["name"],
        actions: &[act("jobs", Method::Post, "trigger_categories/jobs", None)],
        seed: Seed::Fixed(5),
        ..BASE
    },
    Family {
        name: "automations",
        path: "automations",
        singular: "automation",
        plural: "automations",
        id_param: "automation_id",
        ops: Ops {
            update_many: true,
            destroy_many: true,
            search: true,
            ..Ops::CRUD
        },
        bulk_is_job: false,
        offset_sorts: RULE_SORTS,
        filters: &["active"],
        sideloads: &["app_installation", "permissions", "usage_1h", "usage_24h", "usage_7d"],
        required: &["title", "conditions", "actions"],
        actions: &[get("active", "automations/active", Some("automations"))],
        seed: Seed::Fixed(12),
        ..BASE
    },
    Family {
        name: "views",
        path: "views",
        singular: "view",
        plural: "views",
        id_param: "view_id",
        ops: Ops {
            show_many: true,
            count: true,
            update_many: true,
            destroy_many: true,
            search: true,
            ..Ops::CRUD
        },
        create_status: 200,
        bulk_is_job: false,
        cursor_sorts: &["created_at"],
        offset_sorts: &["alphabetical", "created_at", "updated_at", "position"],
        filters: &["access", "active", "group_id"],
        sideloads: &["app_installation", "permissions"],
        required: &["title", "all"],
        limits: &[
            Limit {
                scope: LimitScope::PerUserRecord,
                ..limit(LimitOn::Action("count"), "views-count", 5, 60)
            },
            Limit {
                scope: LimitScope::PerUserRecord,
                ..limit(LimitOn::Action("execute"), "views-execute", 5, 60)
            },
            limit(LimitOn::Action("count_many"), "views-count-many", 6, 300),
        ],
        actions: &[
            get("active", "views/active", Some("views")),
            get("compact", "views/compact", Some("views")),
            get("count", "views/{view_id}/count", Some("view_count")),
            get("count_many", "views/count_many", Some("view_counts")),
            get("tickets", "views/{view_id}/tickets", Some("tickets")),
            get("execute", "views/{view_id}/execute", Some("rows")),
        ],
        seed: Seed::Fixed(12),
        ..BASE
    },
    Family {
        name: "organization_fields",
        path: "organization_fields",
        singular: "organization_field",
        plural: "organization_fields",
        id_param: "organization_field_id",
        cursor_sorts: &["id"],
        required: &["type", "title", "key"],
        unique: &[&["key"]],
        actions: &[act("reorder", Method::Put, "organization_fields/reorder", None)],
        seed: Seed::Fixed(6),
        ..BASE
    },
    Family {
        name: "user_fields",
        path: "user_fields",
        singular: "user_field",
        plural: "user_fields",
        id_param: "user_field_id",
        cursor_sorts: &["id"],
        required: &["type", "title", "key"],
        unique: &[&["key"]],
        actions: &[
            act("reorder", Method::Put, "user_fields/reorder", None),
            get(
                "options",
                "user_fields/{user_field_id}/options",
                Some("custom_field_options"),
            ),
        ],
        seed: Seed::Fixed(6),
        ..BASE
    },
    Family {
        name: "sla_policies",
        path: "slas/policies",
        singular: "sla_policy",
        plural: "sla_policies",
        id_param: "sla_policy_id",
        paging: Paging::NONE,
        required: &["title", "filter"],
        actions: &[
            get("definitions", "slas/policies/definitions", Some("definitions")),
            act("reorder", Method::Put, "slas/policies/reorder", None),
        ],
        seed: Seed::Fixed(4),
        ..BASE
    },
    Family {
        name: "group_sla_policies",
        path: "group_slas/policies",
        singular: "group_sla_policy",
        plural: "group_sla_policies",
        id_param: "group_sla_policy_id",
        id: IdKind::String,
        paging: Paging::NONE,
        required: &["title", "filter"],
        seed: Seed::Fixed(2),
        ..BASE
    },
    Family {
        name: "ticket_forms",
        path: "ticket_forms",
        singular: "ticket_form",
        plural: "ticket_forms",
        id_param: "ticket_form_id",
        ops: Ops {
            show_many: true,
            ..Ops::CRUD
        },
        paging: Paging::NONE,
        filters: &["active", "end_user_visible", "fallback_to_default", "associated_to_brand"],
        required: &["name"],
        actions: &[
            act("clone", Method::Post, "ticket_forms/{ticket_form_id}/clone", Some("ticket_form")),
            act("reorder", Method::Put, "ticket_forms/reorder", Some("ticket_forms")),
        ],
        seed: Seed::Fixed(4),
        ..BASE
    },
    Family {
        name: "brands",
        path: "brands",
        singular: "brand",
        plural: "brands",
        id_param: "brand_id",
        cursor_sorts: &["id"],
        required: &["name", "subdomain"],
        unique: &[&["subdomain"]],
        actions: &[get(
            "check_host_mapping",
            "brands/check_host_mapping",
            None,
        )],
        seed: Seed::Fixed(3),
        ..BASE
    },
    Family {
        name: "custom_statuses",
        path: "custom_statuses",
        singular: "custom_status",
        plural: "custom_statuses",
        id_param: "custom_status_id",
        ops: Ops {
            delete: false,
            ..Ops::CRUD
        },
        paging: Paging::NONE,
        filters: &["status_categories", "active", "default"],
        required: &["status_category", "agent_label"],
        seed: Seed::Fixed(8),
        ..BASE
    },
    Family {
        name: "custom_roles",
        path: "custom_roles",
        singular: "custom_role",
        plural: "custom_roles",
        id_param: "custom_role_id",
        create_status: 200,
        paging: Paging::NONE,
        required: &["name"],
        seed: Seed::Fixed(5),
        ..BASE
    },
    Family {
        name: "locales",
        path: "locales",
        singular: "locale",
        plural: "locales",
        id_param: "locale_id",
        ops: Ops::READ,
        paging: Paging::NONE,
        actions: &[
            get("agent", "locales/agent", Some("locales")),
            get("public", "locales/public", Some("locales")),
            get("current", "locales/current", Some("locale")),
            get("detect_best_locale", "locales/detect_best_locale", Some("locale")),
        ],
        seed: Seed::Fixed(6),
        ..BASE
    },
    Family {
        name: "satisfaction_ratings",
        path: "satisfaction_ratings",
        singular: "satisfaction_rating",
        plural: "satisfaction_ratings",
        id_param: "satisfaction_rating_id",
        ops: Ops {
            count: true,
            ..Ops::READ
        },
        cursor_sorts: &["id"],
        filters: &["score", "start_time", "end_time"],
        actions: &[act(
            "create_for_ticket",
            Method::Post,
            "tickets/{ticket_id}/satisfaction_rating",
            Some("satisfaction_rating"),
        )],
        seed: Seed::Fixed(150),
        ..BASE
    },
    Family {
        name: "satisfaction_reasons",
        path: "satisfaction_reasons",
        singular: "reason",
        plural: "reasons",
        id_param: "satisfaction_reason_id",
        ops: Ops::READ,
        paging: Paging::NONE,
        seed: Seed::Fixed(5),
        ..BASE
    },
    Family {
        name: "activities",
        path: "activities",
        singular: "activity",
        plural: "activities",
        id_param: "activity_id",
        ops: Ops {
            count: true,
            ..Ops::READ
        },
        cursor_sorts: &["id"],
        filters: &["since"],
        sideloads: &["users"],
        seed: Seed::Fixed(60),
        ..BASE
    },
    Family {
        name: "identities",
        path: "users/{user_id}/identities",
        singular: "identity",
        plural: "identities",
        id_param: "user_identity_id",
        parent: Some(Parent {
            family: "users",
            param: "user_id",
        }),
        cursor_sorts: &["id"],
        filters: &["type[]"],
        required: &["type", "value"],
        unique: &[&["type", "value"]],
        actions: &[
            act(
                "make_primary",
                Method::Put,
                "users/{user_id}/identities/{user_identity_id}/make_primary",
                Some("identities"),
            ),
            act(
                "verify",
                Method::Put,
                "users/{user_id}/identities/{user_identity_id}/verify",
                Some("identity"),
            ),
            act(
                "request_verification",
                Method::Put,
                "users/{user_id}/identities/{user_identity_id}/request_verification",
                None,
            ),
        ],
        seed: Seed::PerParent(1),
        ..BASE
    },
    Family {
        name: "dynamic_content_items",
        path: "dynamic_content/items",
        singular: "item",
        plural: "items",
        id_param: "dynamic_content_item_id",
        cursor_sorts: &["id"],
        required: &["name", "default_locale_id", "variants"],
        seed: Seed::Fixed(4),
        ..BASE
    },
    Family {
        name: "recipient_addresses",
        path: "recipient_addresses",
        singular: "recipient_address",
        plural: "recipient_addresses",
        id_param: "support_address_id",
        cursor_sorts: &["id"],
        required: &["email"],
        unique: &[&["email"]],
        seed: Seed::Fixed(3),
        ..BASE
    },
    Family {
        name: "sharing_agreements",
        path: "sharing_agreements",
        singular: "sharing_agreement",
        plural: "sharing_agreements",
        id_param: "sharing_agreement_id",
        paging: Paging::NONE,
        required: &["remote_subdomain"],
        seed: Seed::Fixed(2),
        ..BASE
    },
    Family {
        name: "targets",
        path: "targets",
        singular: "target",
        plural: "targets",
        id_param: "target_id",
        paging: Paging::NONE,
        required: &["type", "title"],
        seed: Seed::Fixed(2),
        ..BASE
    },
    // ---- Documented outside the OAS file. ----
    Family {
        name: "webhooks",
        path: "webhooks",
        singular: "webhook",
        plural: "webhooks",
        id_param: "webhook_id",
        id: IdKind::String,
        paging: Paging {
            default: PageDefault::Cursor,
            ..Paging::CURSOR
        },
        cursor_sorts: &["name", "status"],
        filters: &["filter[name_contains]", "filter[status]"],
        required: &["name", "endpoint", "http_method", "request_format", "status", "subscriptions"],
        actions: &[
            Action {
                in_oas: false,
                ..get(
                    "signing_secret",
                    "webhooks/{webhook_id}/signing_secret",
                    Some("signing_secret"),
                )
            },
            Action {
                in_oas: false,
                ..act(
                    "reset_signing_secret",
                    Method::Post,
                    "webhooks/{webhook_id}/signing_secret",
                    Some("signing_secret"),
                )
            },
            Action {
                in_oas: false,
                ..get(
                    "invocations",
                    "webhooks/{webhook_id}/invocations",
                    Some("invocations"),
                )
            },
        ],
        seed: Seed::Fixed(3),
        source: Some("Webhooks API reference (developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks/)"),
        ..BASE
    },
    Family {
        name: "phone_numbers",
        path: "channels/voice/phone_numbers",
        singular: "phone_number",
        plural: "phone_numbers",
        id_param: "phone_number_id",
        paging: Paging::OFFSET,
        required: &["token"],
        seed: Seed::Fixed(3),
        source: Some("Talk API reference, Phone Numbers (developer.zendesk.com/api-reference/voice/talk-api/phone_numbers/)"),
        ..BASE
    },
    Family {
        name: "schedules",
        path: "business_hours/schedules",
        singular: "schedule",
        plural: "schedules",
        id_param: "schedule_id",
        paging: Paging::NONE,
        required: &["name", "time_zone"],
        seed: Seed::Fixed(2),
        source: Some("Ticketing API reference, Schedules (developer.zendesk.com/api-reference/ticketing/ticket-management/schedules/)"),
        ..BASE
    },
];
