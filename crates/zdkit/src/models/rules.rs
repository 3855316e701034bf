//! Business rules: macros, triggers and their categories, automations, views and SLA
//! policies (Ticketing API reference, "Business rules":
//! developer.zendesk.com/api-reference/ticketing/business-rules/).

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::ids::{
    AutomationId, GroupSlaPolicyId, MacroId, SlaPolicyId, TriggerCategoryId, TriggerId, ViewId,
};

model! {
    /// One action of a macro, trigger or automation: `{"field": "status", "value": "solved"}`.
    /// `value` is a string, a number or an array (`["notification_user", "requester_id",
    /// "subject", "body"]`) depending on the field.
    pub struct RuleAction {
        /// The ticket field or action name (`status`, `set_tags`, `comment_value`, …).
        opt field: String,
        /// The value.
        opt value: Value,
    }
}

model! {
    /// One condition of a trigger, automation, view or SLA policy:
    /// `{"field": "status", "operator": "less_than", "value": "solved"}`.
    pub struct Condition {
        /// The field (`status`, `group_id`, `current_tags`, …).
        opt field: String,
        /// The operator (`is`, `is_not`, `less_than`, `includes`, …).
        opt operator: String,
        /// The value (a string, a number, or null).
        opt value: Value,
    }
}

model! {
    /// Conditions: every one of `all` and at least one of `any`.
    pub struct Conditions {
        /// All of these must hold.
        opt all: Vec<Condition>,
        /// At least one of these must hold.
        opt any: Vec<Condition>,
    }
}

model! {
    /// A macro (`/api/v2/macros`).
    pub struct Macro {
        /// Macro id.
        req id: MacroId,
        /// API URL.
        opt url: String,
        /// Title (with `::` category separators).
        opt title: String,
        /// Title before dynamic content is rendered.
        opt raw_title: String,
        /// What applying it does.
        opt actions: Vec<RuleAction>,
        /// Usable.
        opt active: bool,
        /// A default macro (read-only).
        opt default: bool,
        /// Description.
        opt description: String,
        /// Position in the macro list.
        opt position: i64,
        /// Who may use it (`{"type": "Group", "id": 1, "ids": [1]}`; null for everyone).
        opt restriction: Value,
        /// Uses in the last hour (with `include=usage_1h`).
        opt usage_1h: u64,
        /// Uses in the last 24 hours.
        opt usage_24h: u64,
        /// Uses in the last 7 days.
        opt usage_7d: u64,
        /// Uses in the last 30 days.
        opt usage_30d: u64,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

model! {
    /// What applying a macro does (`GET macros/{id}/apply` and
    /// `tickets/{ticket_id}/macros/{id}/apply`, key `result`): the ticket fields it sets
    /// (only those for a bare apply; the whole ticket after the change when applied to a
    /// ticket) and the comment it adds. Nothing is saved: send [`MacroResult::ticket`] as
    /// a ticket update to apply it.
    pub struct MacroResult {
        /// The ticket fields after the macro (changed fields only, or the whole ticket).
        opt ticket: Map<String, Value>,
        /// The comment it adds (`{"body", "html_body", "public", "scoped_body"}`).
        opt comment: Map<String, Value>,
    }
}

model! {
    /// A trigger (`/api/v2/triggers`).
    pub struct Trigger {
        /// Trigger id.
        req id: TriggerId,
        /// API URL.
        opt url: String,
        /// Title.
        opt title: String,
        /// Title before dynamic content is rendered.
        opt raw_title: String,
        /// Runs on ticket creates and updates.
        opt active: bool,
        /// When it fires.
        opt conditions: Conditions,
        /// What it does.
        opt actions: Vec<RuleAction>,
        /// The trigger category (a string id).
        opt category_id: TriggerCategoryId,
        /// A default trigger (read-only).
        opt default: bool,
        /// Description.
        opt description: String,
        /// Position (evaluation order).
        opt position: i64,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

model! {
    /// A trigger category (`/api/v2/trigger_categories`; string ids, `PATCH` updates).
    pub struct TriggerCategory {
        /// Category id.
        req id: TriggerCategoryId,
        /// Name.
        opt name: String,
        /// Position.
        opt position: i64,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

model! {
    /// An automation (`/api/v2/automations`): a time-based rule run hourly.
    pub struct Automation {
        /// Automation id.
        req id: AutomationId,
        /// API URL.
        opt url: String,
        /// Title.
        opt title: String,
        /// Title before dynamic content is rendered.
        opt raw_title: String,
        /// Runs every hour.
        opt active: bool,
        /// When it applies (must include a time condition).
        opt conditions: Conditions,
        /// What it does.
        opt actions: Vec<RuleAction>,
        /// A default automation (read-only).
        opt default: bool,
        /// Position.
        opt position: i64,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

model! {
    /// One column of a view's `execution` (`columns`, `fields`, `custom_fields`):
    /// `{"id": "subject", "title": "Subject"}`. `id` is a field name, or a custom field's
    /// number.
    pub struct ViewColumn {
        /// The column's field (`"subject"`, `"updated"`, or a custom field id).
        opt id: Value,
        /// Its heading.
        opt title: String,
    }
}

model! {
    /// A view's grouping or sorting (`execution.group`, `execution.sort`):
    /// `{"id": "status", "title": "Status", "order": "asc"}`.
    pub struct ViewOrdering {
        /// The field grouped or sorted by.
        opt id: Value,
        /// Its heading.
        opt title: String,
        /// `asc` or `desc`.
        opt order: String,
    }
}

model! {
    /// How a view shows its tickets (`view.execution`; Views API reference,
    /// developer.zendesk.com/api-reference/ticketing/business-rules/views/). Fields it does
    /// not name are kept in `extra`.
    pub struct ViewExecution {
        /// The field rows are grouped by.
        opt group_by: String,
        /// `asc` or `desc`.
        opt group_order: String,
        /// The field rows are sorted by.
        opt sort_by: String,
        /// `asc` or `desc`.
        opt sort_order: String,
        /// Grouping, with its heading.
        opt group: ViewOrdering,
        /// Sorting, with its heading.
        opt sort: ViewOrdering,
        /// The columns shown.
        opt columns: Vec<ViewColumn>,
        /// The system fields among the columns.
        opt fields: Vec<ViewColumn>,
        /// The custom fields among the columns.
        opt custom_fields: Vec<ViewColumn>,
    }
}

model! {
    /// A view (`/api/v2/views`): a saved ticket filter.
    pub struct View {
        /// View id.
        req id: ViewId,
        /// API URL.
        opt url: String,
        /// Title.
        opt title: String,
        /// Title before dynamic content is rendered.
        opt raw_title: String,
        /// Shown to agents.
        opt active: bool,
        /// Which tickets it shows.
        opt conditions: Conditions,
        /// How it shows them: columns, grouping and sorting.
        opt execution: ViewExecution,
        /// Who sees it (null: everyone).
        opt restriction: Value,
        /// A default view (read-only).
        opt default: bool,
        /// Description.
        opt description: String,
        /// Position.
        opt position: i64,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

model! {
    /// A view's ticket count (`GET views/{id}/count`, key `view_count`). Counts are
    /// cached by Zendesk: `fresh: false` means a newer one is being computed.
    pub struct ViewCount {
        /// The view.
        opt view_id: ViewId,
        /// API URL.
        opt url: String,
        /// The count (null while it is computed).
        opt value: u64,
        /// Display form (`"~5000"`).
        opt pretty: String,
        /// Up to date.
        opt fresh: bool,
        /// The view is active.
        opt active: bool,
    }
}

model! {
    /// One row of an executed view (`GET views/{id}/execute`, key `rows`): the columns
    /// of the view's `execution` keyed by column id, the `ticket` (a small object with
    /// its `id`) and grouping keys; column values stay in `extra`.
    pub struct ViewRow {
        /// The ticket (`{"id", "subject", …}` as the row shows it).
        opt ticket: Map<String, Value>,
        /// The ticket's id when the row has it at the top level.
        opt ticket_id: super::ids::TicketId,
        /// The group value of a grouped view.
        opt group: Value,
    }
}

model! {
    /// One SLA target: `{"priority": "urgent", "metric": "first_reply_time", "target": 30,
    /// "business_hours": false}`.
    pub struct SlaPolicyMetric {
        /// Ticket priority it applies to.
        opt priority: String,
        /// The metric (`first_reply_time`, `next_reply_time`, `agent_work_time`, …).
        opt metric: String,
        /// Target in minutes.
        opt target: u64,
        /// Counted in business hours.
        opt business_hours: bool,
    }
}

model! {
    /// An SLA policy (`/api/v2/slas/policies`).
    pub struct SlaPolicy {
        /// Policy id.
        req id: SlaPolicyId,
        /// API URL.
        opt url: String,
        /// Title.
        opt title: String,
        /// Description.
        opt description: String,
        /// Position (first match wins).
        opt position: i64,
        /// Which tickets it applies to.
        opt filter: Conditions,
        /// Its targets.
        opt policy_metrics: Vec<SlaPolicyMetric>,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

model! {
    /// A group SLA policy (`/api/v2/group_slas/policies`; string ids): targets for how
    /// long a ticket may stay with one group (`group_ownership_time`).
    pub struct GroupSlaPolicy {
        /// Policy id (a string).
        req id: GroupSlaPolicyId,
        /// API URL.
        opt url: String,
        /// Title.
        opt title: String,
        /// Description.
        opt description: String,
        /// Position (first match wins).
        opt position: i64,
        /// Which tickets it applies to (`all` only; values are arrays of group ids).
        opt filter: Conditions,
        /// Its targets (in seconds for `group_ownership_time`).
        opt policy_metrics: Vec<SlaPolicyMetric>,
        /// Creation time.
        ts created_at: OffsetDateTime,
        /// Last update time.
        ts updated_at: OffsetDateTime,
    }
}

#[cfg(test)]
mod tests {
    use super::View;

    #[test]
    fn a_view_execution_is_typed_and_keeps_what_it_does_not_name() {
        let text = r#"{"id": 7, "title": "Open", "execution": {
            "group_by": "status", "sort_by": "updated_at", "sort_order": "desc",
            "group": {"id": "status", "title": "Status", "order": "asc"},
            "columns": [{"id": "subject", "title": "Subject"}, {"id": 360001, "title": "Team", "type": "tagger"}],
            "custom_fields": [{"id": 360001, "title": "Team"}],
            "brand_new": {"x": 1}}}"#;
        let view: View = serde_json::from_str(text).unwrap();
        let exec = view.execution.as_ref().unwrap();
        assert_eq!(exec.group_by.as_deref(), Some("status"));
        assert_eq!(exec.group.as_ref().unwrap().order.as_deref(), Some("asc"));
        let columns = exec.columns.as_ref().unwrap();
        assert_eq!(columns[1].id, Some(serde_json::json!(360001)));
        assert_eq!(columns[1].extra["type"], "tagger");
        assert_eq!(exec.extra["brand_new"]["x"], 1);
        let back = serde_json::to_value(&view).unwrap();
        let orig: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(back["execution"], orig["execution"]);
    }
}
