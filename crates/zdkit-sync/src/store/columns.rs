//! Typed columns extracted from Zendesk's JSON, per table, shared by both backends.
//!
//! Each table is a [`TableSpec`] (in `tables.rs`): its columns in order (`id` first, `raw`
//! last), where each value comes from, and how versions compare ([`Newest`]). This module
//! turns a page of records into rows, newest per id. Extraction is lenient: a field
//! that is missing or of an unexpected type becomes NULL (the `raw` column still has it);
//! only a record without an integer `id` is rejected.

use std::collections::HashMap;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

#[cfg(test)]
use super::tables::TICKET_EVENTS;
pub(crate) use super::tables::{column_list, conflict_clause, spec, Kind, Newest, Src, TableSpec};
use super::tables::{COMMENTS, IDENTITIES, TICKET_METRICS};
use super::{Record, Result, StoreError, Stream};
/// An extracted value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
}

/// Rows for one table, each in [`TableSpec::cols`] order.
pub(crate) struct Rows {
    pub spec: &'static TableSpec,
    pub rows: Vec<Vec<Val>>,
}

/// A page ready to write: the stream's rows and, for ticket events, the comments; for
/// tickets, the embedded metric sets and the ids of the deleted tickets (whose metrics are
/// marked deleted).
pub(crate) struct PreparedPage {
    pub received: usize,
    pub main: Rows,
    pub comments: Option<Rows>,
    pub metrics: Option<Rows>,
    pub deleted_tickets: Vec<i64>,
    /// Tickets only: each main row's tags and custom field values (same order), written
    /// in place of the stored ones when the row itself is written.
    pub children: Vec<Children>,
    /// Users with an `identities` array (the sideload, attached by the engine): the users
    /// whose identities are replaced, and the identity rows. Written only for the users
    /// whose row is written.
    pub identities: Option<(Vec<i64>, Rows)>,
}

/// A ticket's many-valued fields, one entry per value.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Children {
    pub tags: Vec<String>,
    pub fields: Vec<FieldValue>,
}

/// One value of a custom field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldValue {
    pub field_id: i64,
    pub value: String,
    pub number: Option<f64>,
    pub boolean: Option<bool>,
}

/// The tags and custom field values of a ticket (duplicates dropped; empty and null
/// values have no row).
fn children(record: &Value) -> Children {
    let mut tags: Vec<String> = record
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(strip_nul)
        .collect();
    tags.sort();
    tags.dedup();
    let mut fields = Vec::new();
    let cfs = record.get("custom_fields").and_then(Value::as_array);
    for cf in cfs.into_iter().flatten() {
        let Some(field_id) = cf.get("id").and_then(Value::as_i64) else {
            continue;
        };
        let one = |v: &Value| -> Option<FieldValue> {
            let (value, number, boolean) = match v {
                Value::String(s) if !s.is_empty() => (strip_nul(s), None, None),
                Value::Number(n) => (n.to_string(), n.as_f64(), None),
                Value::Bool(b) => (b.to_string(), None, Some(*b)),
                _ => return None,
            };
            Some(FieldValue {
                field_id,
                value,
                number,
                boolean,
            })
        };
        match cf.get("value") {
            Some(Value::Array(items)) => fields.extend(items.iter().filter_map(one)),
            Some(v) => fields.extend(one(v)),
            None => {}
        }
    }
    fields.sort_by(|a, b| (a.field_id, &a.value).cmp(&(b.field_id, &b.value)));
    fields.dedup_by(|a, b| a.field_id == b.field_id && a.value == b.value);
    Children { tags, fields }
}

/// Takes a user's `identities` array (attached by the engine from the export's sideload)
/// out of the user into `rows`; returns the user's id when it had one.
fn take_identities(record: &mut Record, rows: &mut Deduper, now: &str) -> Option<i64> {
    let o = record.as_object_mut()?;
    let ids = o.remove("identities")?;
    let user = o.get("id").and_then(Value::as_i64)?;
    for identity in ids.as_array().into_iter().flatten() {
        if identity.get("user_id").and_then(Value::as_i64) != Some(user) {
            continue;
        }
        match extract(&IDENTITIES, identity, None, now) {
            Ok(row) => rows.push(row, 0),
            Err(reason) => tracing::warn!(%reason, "unusable identity; left out"),
        }
    }
    Some(user)
}

/// Extracts and de-duplicates a page's rows; `now` fills `_synced_at`.
///
/// Records are consumed one by one: each is dropped as soon as its rows (and, for a
/// ticket, its embedded `metric_set`, which goes to `ticket_metrics` while the ticket's
/// `raw` keeps the ticket alone, and its child rows; for a user, its `identities`) are
/// extracted, so a page's JSON trees need not all be in memory at once: given an
/// iterator that parses each record when asked, only one tree is.
pub(crate) fn prepare(
    stream: Stream,
    records: impl IntoIterator<Item = Record>,
    now: &str,
) -> Result<PreparedPage> {
    let mut received = 0;
    // Users: the users that had an `identities` array, and the identity rows.
    let mut identities = (stream == Stream::Users).then(|| (Vec::new(), Deduper::new(&IDENTITIES)));
    let Some(main_spec) = spec(stream.table()) else {
        return Err(StoreError::UnknownName {
            kind: "stream with typed columns",
            name: stream.as_str().to_owned(),
        });
    };
    let tickets = stream == Stream::Tickets;
    let mut main = Deduper::new(main_spec);
    let mut comments = (stream == Stream::TicketEvents).then(|| Deduper::new(&COMMENTS));
    let mut metrics: Option<Deduper> = None;
    // Tickets: each record's children, by record index (the page's winners are kept).
    let mut all_children: Vec<Children> = Vec::new();
    for (index, mut record) in records.into_iter().enumerate() {
        received += 1;
        if let Some((users, rows)) = identities.as_mut() {
            users.extend(take_identities(&mut record, rows, now));
        }
        if tickets {
            if let Some(m) = record.as_object_mut().and_then(|o| o.remove("metric_set")) {
                let d = metrics.get_or_insert_with(|| Deduper::new(&TICKET_METRICS));
                // Derived data: a metric set without a usable id stays out (its ticket is
                // kept).
                if m.is_object() {
                    match extract(&TICKET_METRICS, &m, None, now) {
                        Ok(row) => d.push(row, 0),
                        Err(reason) => {
                            tracing::warn!(%reason, "ticket has an unusable metric_set; left out");
                        }
                    }
                }
            }
        }
        let invalid = |reason: String| StoreError::InvalidRecord {
            stream: stream.as_str(),
            index,
            reason,
        };
        main.push(
            extract(main.spec, &record, None, now).map_err(invalid)?,
            index,
        );
        if tickets {
            all_children.push(children(&record));
        }
        if let Some(comments) = comments.as_mut() {
            let children = record.get("child_events").and_then(Value::as_array);
            for child in children.into_iter().flatten() {
                if !is_comment(child) {
                    continue;
                }
                // A comment is derived data: one without a usable id stays in its event's
                // `raw` and is not worth failing the page for.
                match extract(&COMMENTS, child, Some(&record), now) {
                    Ok(row) => comments.push(row, index),
                    Err(reason) => {
                        tracing::warn!(index, %reason, "ticket event has an unusable comment; kept in raw only");
                    }
                }
            }
        }
    }
    let mut deleted_tickets = Vec::new();
    if tickets {
        let at = main.spec.cols.iter().position(|c| c.name == "deleted");
        for row in &main.rows {
            if let (Val::Int(Some(id)), Some(Val::Bool(Some(true)))) =
                (&row[0], at.map(|i| &row[i]))
            {
                deleted_tickets.push(*id);
            }
        }
    }
    let children = main
        .src
        .iter()
        .filter_map(|&i| all_children.get_mut(i).map(std::mem::take))
        .collect();
    Ok(PreparedPage {
        received,
        main: main.finish(),
        comments: comments.map(Deduper::finish),
        metrics: metrics.map(Deduper::finish),
        deleted_tickets,
        children,
        identities: identities
            .filter(|(users, _)| !users.is_empty())
            .map(|(users, rows)| (users, rows.finish())),
    })
}

fn is_comment(child: &Value) -> bool {
    let kind = |k: &str| child.get(k).and_then(Value::as_str);
    matches!(
        kind("event_type").or_else(|| kind("type")),
        Some("Comment" | "VoiceComment")
    )
}

/// One row in `spec` order, or why the record is unusable.
pub(crate) fn extract(
    spec: &TableSpec,
    record: &Value,
    parent: Option<&Value>,
    now: &str,
) -> std::result::Result<Vec<Val>, String> {
    let Some(object) = record.as_object() else {
        return Err(format!("expected a JSON object, got {}", json_type(record)));
    };
    match object.get("id") {
        Some(id) if id.as_i64().is_some() => {}
        Some(id) => return Err(format!("`id` is not a 64-bit integer: {id}")),
        None => return Err("no `id` field".into()),
    }
    let row = spec
        .cols
        .iter()
        .map(|c| match c.src {
            Src::Field(name) => convert(c.kind, object.get(name)),
            Src::Parent(name) => convert(c.kind, parent.and_then(|p| p.get(name))),
            Src::Derived(f) => f(record, parent),
            Src::Raw => Val::Text(Some(json_text(record))),
            Src::SyncedAt => Val::Text(Some(now.to_owned())),
        })
        .collect();
    Ok(row)
}

fn convert(kind: Kind, v: Option<&Value>) -> Val {
    let v = v.filter(|v| !v.is_null());
    match kind {
        Kind::Int => Val::Int(v.and_then(Value::as_i64)),
        Kind::Bool => Val::Bool(v.and_then(Value::as_bool)),
        Kind::Text => Val::Text(v.and_then(|v| match v {
            Value::String(s) => Some(strip_nul(s)),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })),
        Kind::Time => Val::Text(v.and_then(Value::as_str).and_then(normalize_time)),
        Kind::Json => Val::Text(v.map(json_without_nul)),
        Kind::Raw => Val::Text(v.map(json_text)),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Compact JSON text (faster than `Value`'s `Display`, which goes through `fmt::Write`).
fn json_text(v: &Value) -> String {
    // Serializing a `Value` into memory cannot fail.
    serde_json::to_string(v).unwrap_or_default()
}

pub(crate) fn strip_nul(s: &str) -> String {
    if s.contains('\0') {
        s.replace('\0', "")
    } else {
        s.to_owned()
    }
}

/// `v` as JSON text, NUL characters removed from its strings (PostgreSQL `jsonb` rejects
/// `\u0000`).
pub(crate) fn json_without_nul(v: &Value) -> String {
    fn clean(v: &mut Value) {
        match v {
            Value::String(s) => *s = strip_nul(s),
            Value::Array(items) => items.iter_mut().for_each(clean),
            Value::Object(map) => map.values_mut().for_each(clean),
            _ => {}
        }
    }
    let text = json_text(v);
    if text.contains("\\u0000") {
        let mut owned = v.clone();
        clean(&mut owned);
        json_text(&owned)
    } else {
        text
    }
}

/// RFC 3339 → `YYYY-MM-DDTHH:MM:SSZ` in UTC (sub-seconds dropped), so text order is time
/// order; `None` if unparsable or before year 1 (PostgreSQL has no year 0).
pub(crate) fn normalize_time(s: &str) -> Option<String> {
    if is_canonical_time(s) {
        return Some(s.to_owned());
    }
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    (t.year() >= 1).then(|| format_unix(t.unix_timestamp()))
}

/// Whether `s` is already a valid `YYYY-MM-DDTHH:MM:SSZ` (what Zendesk sends): the fast
/// path of [`normalize_time`].
fn is_canonical_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return false;
    }
    let num = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u16, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day), Some(h), Some(m), Some(sec)) = (
        num(0, 4),
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
    ) else {
        return false;
    };
    let date = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .and_then(|m| {
            time::Date::from_calendar_date(i32::from(year), m, u8::try_from(day).ok()?).ok()
        });
    year >= 1 && date.is_some() && h < 24 && m < 60 && sec < 60
}

/// Unix seconds → `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn format_unix(secs: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Keeps one row per id, the newest by the table's [`Newest`] rule (later wins ties).
struct Deduper {
    spec: &'static TableSpec,
    rows: Vec<Vec<Val>>,
    /// The index of each row's record in the page.
    src: Vec<usize>,
    by_id: HashMap<i64, usize>,
    gts: Option<usize>,
    updated: Option<usize>,
}

impl Deduper {
    fn new(spec: &'static TableSpec) -> Self {
        let pos = |name: &str| spec.cols.iter().position(|c| c.name == name);
        Deduper {
            spec,
            rows: Vec::new(),
            src: Vec::new(),
            by_id: HashMap::new(),
            gts: pos("generated_timestamp"),
            updated: pos("updated_at"),
        }
    }

    fn push(&mut self, row: Vec<Val>, index: usize) {
        let Val::Int(Some(id)) = row[0] else { return };
        match self.by_id.get(&id) {
            Some(&i) => {
                if !self.is_older(&row, &self.rows[i]) {
                    self.rows[i] = row;
                    self.src[i] = index;
                }
            }
            None => {
                self.by_id.insert(id, self.rows.len());
                self.rows.push(row);
                self.src.push(index);
            }
        }
    }

    /// Whether `new` is strictly older than `old` (mirrors the SQL upsert condition).
    fn is_older(&self, new: &[Val], old: &[Val]) -> bool {
        let int = |row: &[Val], i: Option<usize>| match i.map(|i| &row[i]) {
            Some(Val::Int(v)) => *v,
            _ => None,
        };
        let text = |row: &[Val], i: Option<usize>| match i.map(|i| &row[i]) {
            Some(Val::Text(v)) => v.clone(),
            _ => None,
        };
        let (nu, ou) = (text(new, self.updated), text(old, self.updated));
        match self.spec.newest {
            Newest::Always => false,
            Newest::Updated => nu < ou,
            Newest::GtsThenUpdated => match (int(new, self.gts), int(old, self.gts)) {
                (Some(ng), Some(og)) => (ng, nu) < (og, ou),
                _ => nu < ou,
            },
        }
    }

    fn finish(self) -> Rows {
        Rows {
            spec: self.spec,
            rows: self.rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tables::TICKETS;
    use super::*;
    use serde_json::json;

    const NOW: &str = "2024-05-06T07:08:09Z";

    #[test]
    fn ticket_analyst_columns_and_children() {
        let t = json!({"id": 7, "description": "d", "external_id": "x-1", "via": {"channel": "email"},
            "brand_id": 3, "ticket_form_id": 4, "custom_status_id": 5,
            "satisfaction_rating": {"score": "good"}, "tags": ["b", "a", "b"],
            "custom_fields": [{"id": 10, "value": "text"}, {"id": 11, "value": null},
                {"id": 12, "value": ["o1", "o2", "o1"]}, {"id": 13, "value": true},
                {"id": 14, "value": 2.5}, {"id": 15, "value": ""}, {"value": "no id"}]});
        let row = extract(&TICKETS, &t, None, NOW).unwrap();
        let get =
            |name: &str| row[TICKETS.cols.iter().position(|c| c.name == name).unwrap()].clone();
        assert_eq!(get("via_channel"), Val::Text(Some("email".into())));
        assert_eq!(get("satisfaction_score"), Val::Text(Some("good".into())));
        assert_eq!(get("brand_id"), Val::Int(Some(3)));
        assert_eq!(get("custom_status_id"), Val::Int(Some(5)));
        assert_eq!(get("description"), Val::Text(Some("d".into())));
        assert_eq!(get("_synced_at"), Val::Text(Some(NOW.into())));
        let c = children(&t);
        assert_eq!(c.tags, ["a", "b"]);
        let f: Vec<(i64, &str, Option<f64>, Option<bool>)> = c
            .fields
            .iter()
            .map(|f| (f.field_id, f.value.as_str(), f.number, f.boolean))
            .collect();
        assert_eq!(
            f,
            [
                (10, "text", None, None),
                (12, "o1", None, None),
                (12, "o2", None, None),
                (13, "true", None, Some(true)),
                (14, "2.5", Some(2.5), None),
            ]
        );
        // The children follow the version of the ticket that wins the page.
        let older = json!({"id": 7, "generated_timestamp": 1, "tags": ["old"]});
        let newer = json!({"id": 7, "generated_timestamp": 2, "tags": ["new"]});
        let p = prepare(Stream::Tickets, vec![newer, older], NOW).unwrap();
        assert_eq!(p.children.len(), 1);
        assert_eq!(p.children[0].tags, ["new"]);
    }

    #[test]
    fn ticket_events_list_their_child_event_types() {
        let ev = json!({"id": 1, "event_type": "Audit", "child_events": [
            {"id": 2, "event_type": "Create"}, {"id": 3, "event_type": "Comment"}]});
        let p = prepare(Stream::TicketEvents, vec![ev], NOW).unwrap();
        let at = TICKET_EVENTS
            .cols
            .iter()
            .position(|c| c.name == "event_types")
            .unwrap();
        assert_eq!(
            p.main.rows[0][at],
            Val::Text(Some(r#"["Create","Comment"]"#.into()))
        );
    }

    #[test]
    fn ticket_columns_are_extracted() {
        let t = json!({"id": 7, "subject": "a\u{0}b", "status": "deleted", "priority": null,
            "tags": ["x"], "updated_at": "2024-01-02T04:04:05+01:00", "generated_timestamp": 9,
            "requester_id": 3, "extra": {"kept": true}});
        let row = extract(&TICKETS, &t, None, NOW).unwrap();
        let get =
            |name: &str| row[TICKETS.cols.iter().position(|c| c.name == name).unwrap()].clone();
        assert_eq!(get("subject"), Val::Text(Some("ab".into())));
        assert_eq!(get("priority"), Val::Text(None));
        assert_eq!(get("deleted"), Val::Bool(Some(true)));
        assert_eq!(get("tags"), Val::Text(Some(r#"["x"]"#.into())));
        assert_eq!(
            get("updated_at"),
            Val::Text(Some("2024-01-02T03:04:05Z".into()))
        );
        assert_eq!(get("requester_id"), Val::Int(Some(3)));
        let Val::Text(Some(raw)) = get("raw") else {
            panic!()
        };
        assert_eq!(serde_json::from_str::<Value>(&raw).unwrap(), t);
    }

    #[test]
    fn records_without_integer_id_are_rejected() {
        assert!(extract(&TICKETS, &json!({"id": "7"}), None, NOW)
            .unwrap_err()
            .contains("not a 64-bit"));
        assert!(extract(&TICKETS, &json!({"subject": "x"}), None, NOW)
            .unwrap_err()
            .contains("no `id`"));
        assert!(extract(&TICKETS, &json!([1]), None, NOW)
            .unwrap_err()
            .contains("an array"));
        let err = prepare(Stream::Tickets, vec![json!({"id": 1}), json!(null)], NOW)
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("record 1 of a `tickets` page"),
            "{err}"
        );
    }

    #[test]
    fn page_duplicates_keep_the_newest() {
        let page = vec![
            json!({"id": 1, "generated_timestamp": 5, "subject": "new"}),
            json!({"id": 1, "generated_timestamp": 4, "subject": "old"}),
            json!({"id": 2, "generated_timestamp": 4, "subject": "first"}),
            json!({"id": 2, "generated_timestamp": 4, "subject": "tie"}),
        ];
        let p = prepare(Stream::Tickets, page, NOW).unwrap();
        assert_eq!(p.received, 4);
        let subjects: Vec<_> = p.main.rows.iter().map(|r| r[1].clone()).collect();
        assert_eq!(
            subjects,
            [Val::Text(Some("new".into())), Val::Text(Some("tie".into()))]
        );
    }

    #[test]
    fn comments_come_from_ticket_event_children() {
        let ev = json!({"id": 100, "ticket_id": 7, "timestamp": 50, "via": "Web form",
            "created_at": "2024-01-02T03:04:05Z", "child_events": [
                {"id": 101, "event_type": "Comment", "body": "hi", "public": true, "author_id": 3},
                {"event_type": "Comment", "body": "no id: skipped"},
                {"id": 102, "event_type": "Change", "field_name": "status"}]});
        let p = prepare(Stream::TicketEvents, vec![ev], NOW).unwrap();
        let comments = p.comments.unwrap().rows;
        assert_eq!(comments.len(), 1);
        let c = &comments[0];
        assert_eq!(c[0], Val::Int(Some(101)));
        assert_eq!(c[1], Val::Int(Some(7)));
        assert_eq!(c[2], Val::Int(Some(100)));
        assert_eq!(c[6], Val::Text(Some("2024-01-02T03:04:05Z".into())));
        assert_eq!(p.main.rows[0][6], Val::Text(Some("Web form".into())));
    }

    #[test]
    fn times_normalize_or_become_null() {
        assert_eq!(
            normalize_time("2011-05-05T10:38:52Z").as_deref(),
            Some("2011-05-05T10:38:52Z")
        );
        assert_eq!(
            normalize_time("2011-05-05T10:38:52.5-02:00").as_deref(),
            Some("2011-05-05T12:38:52Z")
        );
        assert_eq!(normalize_time("yesterday"), None);
        assert_eq!(normalize_time("2023-02-29T00:00:00Z"), None);
        assert_eq!(
            normalize_time("2024-02-29T23:59:59Z").as_deref(),
            Some("2024-02-29T23:59:59Z")
        );
        assert_eq!(normalize_time("2024-01-01T24:00:00Z"), None);
        assert_eq!(normalize_time("0000-01-01T00:00:00Z"), None);
        assert_eq!(format_unix(0), "1970-01-01T00:00:00Z");
    }
}
