//! The tables' layouts: which JSON field feeds which typed column, how versions compare,
//! and the SQL both backends derive from that (column lists, the newest-wins upsert clause).

use super::columns::{normalize_time, strip_nul, text_value, Val};
use super::view::{as_str, Obj};
use super::{Merge, Table};

/// A column's SQL type family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// 64-bit integer.
    Int,
    /// Text (NUL characters removed: PostgreSQL text cannot hold them).
    Text,
    /// Boolean (SQLite: 0/1).
    Bool,
    /// Timestamp, normalized to `YYYY-MM-DDTHH:MM:SSZ` (PostgreSQL: `timestamptz`).
    Time,
    /// A JSON value (e.g. `tags`; PostgreSQL: `jsonb`).
    Json,
    /// The whole record as compact JSON text (PostgreSQL: `jsonb`, NUL characters removed).
    Raw,
}

/// Where a column's value comes from.
#[derive(Clone, Copy)]
pub(crate) enum Src {
    /// A top-level field of the record.
    Field(&'static str),
    /// A top-level field of the parent record (comments: the ticket event).
    Parent(&'static str),
    /// Computed from the record and its parent.
    Derived(fn(&Obj<'_>, Option<&Obj<'_>>) -> Val),
    /// The record itself, serialized.
    Raw,
    /// When the page is written (`YYYY-MM-DDTHH:MM:SSZ`), the same for every row of it.
    SyncedAt,
}

/// One column.
#[derive(Clone, Copy)]
pub(crate) struct Col {
    pub name: &'static str,
    pub kind: Kind,
    pub src: Src,
}

/// How two versions of a row are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Newest {
    /// `(generated_timestamp, updated_at)` when both sides have a `generated_timestamp`,
    /// else `updated_at` alone; NULL is oldest; a tie replaces (idempotent replays).
    GtsThenUpdated,
    /// `updated_at` alone; NULL is oldest; a tie replaces.
    Updated,
    /// Immutable records (events, comments): the latest write replaces.
    Always,
}

/// A table's layout.
pub(crate) struct TableSpec {
    pub table: Table,
    pub cols: &'static [Col],
    pub newest: Newest,
    /// Column holding `RowStamp::updated_at`.
    pub stamp_updated: &'static str,
    /// Column holding `RowStamp::generated_timestamp`.
    pub stamp_gts: Option<&'static str>,
    /// Whether the table has a `deleted` column.
    pub has_deleted: bool,
}

impl TableSpec {
    /// The index of the `raw` column.
    pub(crate) fn raw_at(&self) -> Option<usize> {
        self.cols.iter().position(|c| matches!(c.src, Src::Raw))
    }
}

const fn col(name: &'static str, kind: Kind) -> Col {
    Col {
        name,
        kind,
        src: Src::Field(name),
    }
}

const fn derived(name: &'static str, kind: Kind, f: fn(&Obj<'_>, Option<&Obj<'_>>) -> Val) -> Col {
    Col {
        name,
        kind,
        src: Src::Derived(f),
    }
}

const ID: Col = col("id", Kind::Int);
const RAW: Col = Col {
    name: "raw",
    kind: Kind::Raw,
    src: Src::Raw,
};
const CREATED: Col = col("created_at", Kind::Time);
const UPDATED: Col = col("updated_at", Kind::Time);
const SYNCED: Col = Col {
    name: "_synced_at",
    kind: Kind::Time,
    src: Src::SyncedAt,
};

/// `via.channel` (an object on tickets).
fn via_channel(v: &Obj<'_>, _: Option<&Obj<'_>>) -> Val {
    Val::Text(
        v.obj("via")
            .and_then(|o| o.get("channel"))
            .and_then(text_value),
    )
}
/// `satisfaction_rating.score` (`offered`, `unoffered`, `good`, `bad`, …).
fn satisfaction_score(v: &Obj<'_>, _: Option<&Obj<'_>>) -> Val {
    let s = v.obj("satisfaction_rating").and_then(|r| r.str("score"));
    Val::Text(s.map(|s| strip_nul(&s)))
}
/// The `event_type` of each child event, in order, as a JSON array.
fn event_types(v: &Obj<'_>, _: Option<&Obj<'_>>) -> Val {
    let types: Vec<String> = v
        .array("child_events")
        .into_iter()
        .flatten()
        .filter_map(|c| Obj::parse(c).ok())
        .filter_map(|c| {
            c.get("event_type")
                .or_else(|| c.get("type"))
                .and_then(as_str)
                .map(|t| strip_nul(&t))
        })
        .collect();
    Val::Text(Some(serde_json::to_string(&types).unwrap_or_default()))
}

fn ticket_deleted(v: &Obj<'_>, _: Option<&Obj<'_>>) -> Val {
    Val::Bool(Some(v.str("status").as_deref() == Some("deleted")))
}
fn user_deleted(v: &Obj<'_>, _: Option<&Obj<'_>>) -> Val {
    Val::Bool(Some(v.bool("active") == Some(false)))
}
fn org_deleted(v: &Obj<'_>, _: Option<&Obj<'_>>) -> Val {
    Val::Bool(Some(v.present("deleted_at").is_some()))
}
fn group_deleted(v: &Obj<'_>, _: Option<&Obj<'_>>) -> Val {
    Val::Bool(Some(v.bool("deleted") == Some(true)))
}
fn never_deleted(_: &Obj<'_>, _: Option<&Obj<'_>>) -> Val {
    Val::Bool(Some(false))
}
/// `via` is a string in the ticket event export and an object elsewhere: keep the channel.
fn event_via(v: &Obj<'_>, _: Option<&Obj<'_>>) -> Val {
    let text = v
        .str("via")
        .or_else(|| v.obj("via").and_then(|o| o.str("channel")));
    Val::Text(text.map(|t| strip_nul(&t)))
}
/// A comment's audit: its own `audit_id`, else the enclosing event's id.
fn comment_audit(v: &Obj<'_>, parent: Option<&Obj<'_>>) -> Val {
    let own = v.i64("audit_id");
    Val::Int(own.or_else(|| parent.and_then(|p| p.i64("id"))))
}
/// A comment's `created_at`, else the enclosing event's.
fn comment_created(v: &Obj<'_>, parent: Option<&Obj<'_>>) -> Val {
    let time = |o: &Obj<'_>| o.str("created_at").and_then(|s| normalize_time(&s));
    Val::Text(time(v).or_else(|| parent.and_then(time)))
}

pub(crate) static TICKETS: TableSpec = TableSpec {
    table: Table::Tickets,
    cols: &[
        ID,
        col("subject", Kind::Text),
        col("status", Kind::Text),
        col("priority", Kind::Text),
        col("type", Kind::Text),
        col("requester_id", Kind::Int),
        col("assignee_id", Kind::Int),
        col("group_id", Kind::Int),
        col("organization_id", Kind::Int),
        col("tags", Kind::Json),
        CREATED,
        UPDATED,
        col("generated_timestamp", Kind::Int),
        derived("deleted", Kind::Bool, ticket_deleted),
        col("description", Kind::Text),
        col("external_id", Kind::Text),
        derived("via_channel", Kind::Text, via_channel),
        col("brand_id", Kind::Int),
        col("ticket_form_id", Kind::Int),
        col("custom_status_id", Kind::Int),
        derived("satisfaction_score", Kind::Text, satisfaction_score),
        SYNCED,
        RAW,
    ],
    newest: Newest::GtsThenUpdated,
    stamp_updated: "updated_at",
    stamp_gts: Some("generated_timestamp"),
    has_deleted: true,
};

pub(crate) static USERS: TableSpec = TableSpec {
    table: Table::Users,
    cols: &[
        ID,
        col("name", Kind::Text),
        col("email", Kind::Text),
        col("role", Kind::Text),
        col("organization_id", Kind::Int),
        col("external_id", Kind::Text),
        col("active", Kind::Bool),
        CREATED,
        UPDATED,
        derived("deleted", Kind::Bool, user_deleted),
        SYNCED,
        RAW,
    ],
    newest: Newest::Updated,
    stamp_updated: "updated_at",
    stamp_gts: None,
    has_deleted: true,
};

pub(crate) static ORGANIZATIONS: TableSpec = TableSpec {
    table: Table::Organizations,
    cols: &[
        ID,
        col("name", Kind::Text),
        col("external_id", Kind::Text),
        col("group_id", Kind::Int),
        col("tags", Kind::Json),
        CREATED,
        UPDATED,
        col("deleted_at", Kind::Time),
        derived("deleted", Kind::Bool, org_deleted),
        SYNCED,
        RAW,
    ],
    newest: Newest::Updated,
    stamp_updated: "updated_at",
    stamp_gts: None,
    has_deleted: true,
};

pub(crate) static GROUPS: TableSpec = TableSpec {
    table: Table::Groups,
    cols: &[
        ID,
        col("name", Kind::Text),
        col("description", Kind::Text),
        col("is_public", Kind::Bool),
        Col {
            name: "is_default",
            kind: Kind::Bool,
            src: Src::Field("default"),
        },
        CREATED,
        UPDATED,
        derived("deleted", Kind::Bool, group_deleted),
        SYNCED,
        RAW,
    ],
    newest: Newest::Updated,
    stamp_updated: "updated_at",
    stamp_gts: None,
    has_deleted: true,
};

pub(crate) static TICKET_FIELDS: TableSpec = TableSpec {
    table: Table::TicketFields,
    cols: &[
        ID,
        col("type", Kind::Text),
        col("title", Kind::Text),
        col("active", Kind::Bool),
        col("required", Kind::Bool),
        col("position", Kind::Int),
        CREATED,
        UPDATED,
        derived("deleted", Kind::Bool, never_deleted),
        SYNCED,
        RAW,
    ],
    newest: Newest::Updated,
    stamp_updated: "updated_at",
    stamp_gts: None,
    has_deleted: true,
};

pub(crate) static TICKET_EVENTS: TableSpec = TableSpec {
    table: Table::TicketEvents,
    cols: &[
        ID,
        col("ticket_id", Kind::Int),
        col("timestamp", Kind::Int),
        CREATED,
        col("updater_id", Kind::Int),
        col("event_type", Kind::Text),
        derived("via", Kind::Text, event_via),
        derived("event_types", Kind::Json, event_types),
        SYNCED,
        RAW,
    ],
    newest: Newest::Always,
    stamp_updated: "created_at",
    stamp_gts: Some("timestamp"),
    has_deleted: false,
};

pub(crate) static COMMENTS: TableSpec = TableSpec {
    table: Table::Comments,
    cols: &[
        ID,
        Col {
            name: "ticket_id",
            kind: Kind::Int,
            src: Src::Parent("ticket_id"),
        },
        derived("audit_id", Kind::Int, comment_audit),
        col("author_id", Kind::Int),
        col("public", Kind::Bool),
        col("body", Kind::Text),
        derived("created_at", Kind::Time, comment_created),
        SYNCED,
        RAW,
    ],
    newest: Newest::Always,
    stamp_updated: "created_at",
    stamp_gts: None,
    has_deleted: false,
};

pub(crate) static TICKET_METRICS: TableSpec = TableSpec {
    table: Table::TicketMetrics,
    cols: &[
        ID,
        col("ticket_id", Kind::Int),
        CREATED,
        UPDATED,
        derived("deleted", Kind::Bool, never_deleted),
        SYNCED,
        RAW,
    ],
    newest: Newest::Updated,
    stamp_updated: "updated_at",
    stamp_gts: None,
    has_deleted: true,
};

pub(crate) static IDENTITIES: TableSpec = TableSpec {
    table: Table::Identities,
    cols: &[
        ID,
        col("user_id", Kind::Int),
        col("type", Kind::Text),
        col("value", Kind::Text),
        col("verified", Kind::Bool),
        col("primary", Kind::Bool),
        CREATED,
        UPDATED,
        derived("deleted", Kind::Bool, never_deleted),
        SYNCED,
        RAW,
    ],
    newest: Newest::Always,
    stamp_updated: "updated_at",
    stamp_gts: None,
    has_deleted: true,
};

/// The layout of `table`; `None` for a generic family table (`super::generic`).
pub(crate) fn spec(table: Table) -> Option<&'static TableSpec> {
    Some(match table {
        Table::Tickets => &TICKETS,
        Table::Users => &USERS,
        Table::Organizations => &ORGANIZATIONS,
        Table::Groups => &GROUPS,
        Table::TicketFields => &TICKET_FIELDS,
        Table::TicketEvents => &TICKET_EVENTS,
        Table::Comments => &COMMENTS,
        Table::TicketMetrics => &TICKET_METRICS,
        Table::Identities => &IDENTITIES,
        Table::TicketTags | Table::TicketCustomFields | Table::Family(_) => return None,
    })
}

/// `"name", "name", …` of the table's columns.
pub(crate) fn column_list(spec: &TableSpec) -> String {
    spec.cols
        .iter()
        .map(|c| format!("\"{}\"", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The upsert's `DO UPDATE SET … [WHERE newer]` clause. `current` names the stored row
/// (`"tickets"` in SQLite, an alias in PostgreSQL); `oldest` is a time literal older than
/// any timestamp, standing in for NULL. `merge` decides a tie: [`Merge::Newest`] replaces,
/// [`Merge::StrictlyNewer`] keeps the stored row (immutable tables always replace).
pub(crate) fn conflict_clause(
    spec: &TableSpec,
    current: &str,
    oldest: &str,
    merge: Merge,
) -> String {
    let ge = match merge {
        Merge::Newest => ">=",
        Merge::StrictlyNewer => ">",
    };
    let sets = spec.cols[1..]
        .iter()
        .map(|c| format!("\"{0}\" = excluded.\"{0}\"", c.name))
        .collect::<Vec<_>>()
        .join(", ");
    let updated = |row: &str| format!("COALESCE({row}.\"updated_at\", {oldest})");
    let condition = match spec.newest {
        Newest::Always => String::new(),
        Newest::Updated => {
            format!(" WHERE {} {ge} {}", updated("excluded"), updated(current))
        }
        Newest::GtsThenUpdated => {
            let gts = |row: &str| format!("{row}.\"generated_timestamp\"");
            format!(
                " WHERE CASE WHEN {eg} IS NOT NULL AND {cg} IS NOT NULL \
                 THEN ({eg}, {eu}) {ge} ({cg}, {cu}) ELSE {eu} {ge} {cu} END",
                eg = gts("excluded"),
                cg = gts(current),
                eu = updated("excluded"),
                cu = updated(current),
            )
        }
    };
    format!("ON CONFLICT (\"id\") DO UPDATE SET {sets}{condition}")
}
