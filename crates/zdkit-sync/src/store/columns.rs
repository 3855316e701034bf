//! Typed columns extracted from Zendesk's JSON, per table, shared by both backends.
//!
//! Each table is a [`TableSpec`] (in `tables.rs`): its columns in order (`id` first, `raw`
//! last), where each value comes from, and how versions compare ([`Newest`]). This module
//! turns a page of records into rows, newest per id, reading each record from its JSON
//! text ([`Obj`]: no tree is built; `raw` is the text as sent). Extraction is lenient: a field
//! that is missing or of an unexpected type becomes NULL (the `raw` column still has it);
//! only a record without an integer `id` is rejected.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

#[cfg(test)]
use super::tables::TICKET_EVENTS;
pub(crate) use super::tables::{column_list, conflict_clause, spec, Kind, Newest, Src, TableSpec};
use super::tables::{COMMENTS, IDENTITIES, TICKET_METRICS};
use super::view::{as_array, as_bool, as_i64, as_str, Obj, RecordText};
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
fn children(record: &Obj<'_>) -> Children {
    let mut tags: Vec<String> = record
        .array("tags")
        .into_iter()
        .flatten()
        .filter_map(as_str)
        .map(|t| strip_nul(&t))
        .collect();
    tags.sort();
    tags.dedup();
    let mut fields = Vec::new();
    for cf in record.array("custom_fields").into_iter().flatten() {
        let Ok(cf) = Obj::parse(cf) else { continue };
        let Some(field_id) = cf.i64("id") else {
            continue;
        };
        let one = |v: &str| -> Option<FieldValue> {
            let (value, number, boolean) = match v.as_bytes().first()? {
                b'"' => {
                    let s = as_str(v)?;
                    if s.is_empty() {
                        return None;
                    }
                    (strip_nul(&s), None, None)
                }
                b't' | b'f' => {
                    let b = as_bool(v)?;
                    (b.to_string(), None, Some(b))
                }
                b'-' | b'0'..=b'9' => {
                    let n: serde_json::Number = serde_json::from_str(v).ok()?;
                    (n.to_string(), n.as_f64(), None)
                }
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
            Some(v) if v.starts_with('[') => {
                fields.extend(as_array(v).into_iter().flatten().filter_map(one));
            }
            Some(v) => fields.extend(one(v)),
            None => {}
        }
    }
    fields.sort_by(|a, b| (a.field_id, &a.value).cmp(&(b.field_id, &b.value)));
    fields.dedup_by(|a, b| a.field_id == b.field_id && a.value == b.value);
    Children { tags, fields }
}

/// Extracts a user's identities (from the export's sideload) into `rows`.
fn take_identities(user: i64, identities: Vec<Record>, rows: &mut Deduper, now: &str) {
    for identity in identities {
        if identity.get("user_id").and_then(Value::as_i64) != Some(user) {
            continue;
        }
        let text = json_text(&identity);
        let row = Obj::parse(&text).and_then(|o| extract(&IDENTITIES, &o, None, now));
        match row {
            Ok(row) => rows.push(row, 0),
            Err(reason) => tracing::warn!(%reason, "unusable identity; left out"),
        }
    }
}

/// Extracts and de-duplicates a page's rows; `now` fills `_synced_at`.
///
/// Records are consumed one by one, each read from its text ([`Obj`]) and dropped as soon
/// as its rows (and, for a ticket, its embedded `metric_set`, which goes to
/// `ticket_metrics` while the ticket's `raw` keeps the ticket alone, and its child rows;
/// for a user, its sideloaded identities) are extracted: given an iterator that yields
/// each record's text when asked, a page is never in memory as JSON trees.
pub(crate) fn prepare<R: Into<RecordText>>(
    stream: Stream,
    records: impl IntoIterator<Item = R>,
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
    let raw_at = main_spec.raw_at();
    for (index, record) in records.into_iter().enumerate() {
        received += 1;
        let RecordText {
            text,
            identities: sideloaded,
        } = record.into();
        let invalid = |reason: String| StoreError::InvalidRecord {
            stream: stream.as_str(),
            index,
            reason,
        };
        let obj = Obj::parse(&text).map_err(invalid)?;
        if let (Some((users, rows)), Some(mine)) = (identities.as_mut(), sideloaded) {
            if let Some(user) = obj.i64("id") {
                users.push(user);
                take_identities(user, mine, rows, now);
            }
        }
        let mut dropped: &[&str] = &[];
        if tickets {
            if let Some(m) = obj.get("metric_set") {
                dropped = &["metric_set"];
                let d = metrics.get_or_insert_with(|| Deduper::new(&TICKET_METRICS));
                // Derived data: a metric set without a usable id stays out (its ticket is
                // kept).
                if let Ok(m) = Obj::parse(m) {
                    match extract(&TICKET_METRICS, &m, None, now) {
                        Ok(row) => d.push(row, 0),
                        Err(reason) => {
                            tracing::warn!(%reason, "ticket has an unusable metric_set; left out");
                        }
                    }
                }
            }
        }
        let mut row = extract_with(main.spec, &obj, None, now, Some(dropped)).map_err(invalid)?;
        if tickets {
            all_children.push(children(&obj));
        }
        if let Some(comments) = comments.as_mut() {
            for child in obj.array("child_events").into_iter().flatten() {
                let Ok(child) = Obj::parse(child) else {
                    continue;
                };
                if !is_comment(&child) {
                    continue;
                }
                // A comment is derived data: one without a usable id stays in its event's
                // `raw` and is not worth failing the page for.
                match extract(&COMMENTS, &child, Some(&obj), now) {
                    Ok(row) => comments.push(row, index),
                    Err(reason) => {
                        tracing::warn!(index, %reason, "ticket event has an unusable comment; kept in raw only");
                    }
                }
            }
        }
        // The record's own text is `raw` when nothing was taken out of it: moved, not
        // copied.
        if let Some(raw @ Val::Text(None)) = raw_at.map(|i| &mut row[i]) {
            drop(obj);
            *raw = Val::Text(Some(text.into_string()));
        }
        main.push(row, index);
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

fn is_comment(child: &Obj<'_>) -> bool {
    let kind = child
        .get("event_type")
        .or_else(|| child.get("type"))
        .and_then(as_str);
    matches!(kind.as_deref(), Some("Comment" | "VoiceComment"))
}

/// One row in `spec` order, or why the record is unusable.
pub(crate) fn extract(
    spec: &TableSpec,
    record: &Obj<'_>,
    parent: Option<&Obj<'_>>,
    now: &str,
) -> std::result::Result<Vec<Val>, String> {
    extract_with(spec, record, parent, now, None)
}

/// [`extract`]; with `dropped`, `raw` is the record without the members named there, and
/// when it has none of them `raw` is left NULL for the caller to fill with the record's
/// own text (moved rather than copied).
fn extract_with(
    spec: &TableSpec,
    record: &Obj<'_>,
    parent: Option<&Obj<'_>>,
    now: &str,
    dropped: Option<&[&str]>,
) -> std::result::Result<Vec<Val>, String> {
    match record.get("id") {
        Some(id) if as_i64(id).is_some() => {}
        Some(id) => return Err(format!("`id` is not a 64-bit integer: {id}")),
        None => return Err("no `id` field".into()),
    }
    let row = spec
        .cols
        .iter()
        .map(|c| match c.src {
            Src::Field(name) => convert(c.kind, record.get(name)),
            Src::Parent(name) => convert(c.kind, parent.and_then(|p| p.get(name))),
            Src::Derived(f) => f(record, parent),
            Src::Raw => match dropped.map(|d| record.text_without(d)) {
                None => Val::Text(Some(record.text().to_owned())),
                Some(Cow::Owned(text)) => Val::Text(Some(text)),
                Some(Cow::Borrowed(_)) => Val::Text(None),
            },
            Src::SyncedAt => Val::Text(Some(now.to_owned())),
        })
        .collect();
    Ok(row)
}

/// A JSON value's text as a text column takes it: a string (NUL characters removed), or
/// a number as `serde_json` prints it (`1.50` → `1.5`); `None` for anything else.
pub(crate) fn text_value(v: &str) -> Option<String> {
    match as_str(v) {
        Some(s) => Some(strip_nul(&s)),
        None => number_text(v),
    }
}

/// A JSON number's text as `serde_json` prints the number (`1.50` → `1.5`).
fn number_text(v: &str) -> Option<String> {
    match v.as_bytes().first() {
        Some(b'-' | b'0'..=b'9') => serde_json::from_str::<serde_json::Number>(v)
            .ok()
            .map(|n| n.to_string()),
        _ => None,
    }
}

fn convert(kind: Kind, v: Option<&str>) -> Val {
    let v = v.filter(|v| *v != "null");
    match kind {
        Kind::Int => Val::Int(v.and_then(as_i64)),
        Kind::Bool => Val::Bool(v.and_then(as_bool)),
        Kind::Text => Val::Text(v.and_then(text_value)),
        Kind::Time => Val::Text(v.and_then(as_str).and_then(|s| normalize_time(&s))),
        Kind::Json => Val::Text(v.and_then(|v| {
            serde_json::from_str::<Value>(v)
                .ok()
                .map(|v| json_without_nul(&v))
        })),
        Kind::Raw => Val::Text(v.map(str::to_owned)),
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

    /// [`extract`] of a record tree (through its text, as the preparer reads it).
    fn ex(spec: &TableSpec, v: &Value) -> std::result::Result<Vec<Val>, String> {
        let text = json_text(v);
        extract(spec, &Obj::parse(&text)?, None, NOW)
    }

    fn kids(v: &Value) -> Children {
        let text = json_text(v);
        children(&Obj::parse(&text).unwrap())
    }

    #[test]
    fn ticket_analyst_columns_and_children() {
        let t = json!({"id": 7, "description": "d", "external_id": "x-1", "via": {"channel": "email"},
            "brand_id": 3, "ticket_form_id": 4, "custom_status_id": 5,
            "satisfaction_rating": {"score": "good"}, "tags": ["b", "a", "b"],
            "custom_fields": [{"id": 10, "value": "text"}, {"id": 11, "value": null},
                {"id": 12, "value": ["o1", "o2", "o1"]}, {"id": 13, "value": true},
                {"id": 14, "value": 2.5}, {"id": 15, "value": ""}, {"value": "no id"}]});
        let row = ex(&TICKETS, &t).unwrap();
        let get =
            |name: &str| row[TICKETS.cols.iter().position(|c| c.name == name).unwrap()].clone();
        assert_eq!(get("via_channel"), Val::Text(Some("email".into())));
        assert_eq!(get("satisfaction_score"), Val::Text(Some("good".into())));
        assert_eq!(get("brand_id"), Val::Int(Some(3)));
        assert_eq!(get("custom_status_id"), Val::Int(Some(5)));
        assert_eq!(get("description"), Val::Text(Some("d".into())));
        assert_eq!(get("_synced_at"), Val::Text(Some(NOW.into())));
        let c = kids(&t);
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
    fn text_and_tree_give_the_same_rows_and_raw_keeps_the_text() {
        // As a server sends it: spacing, key order, escapes, a NUL, an embedded metric set.
        let text = r#"{ "id": 7, "subject": "a\u0000b \"q\" \u00e9", "status": "deleted",
            "tags": ["b", "a"], "via": {"channel": "email", "source": {}},
            "custom_fields": [{"id": 10, "value": 1.50}, {"id": 11, "value": ["x", "y"]},
                {"id": 12, "value": false}, {"id": 13, "value": ""}],
            "updated_at": "2024-01-02T04:04:05+01:00", "generated_timestamp": 9,
            "metric_set": {"id": 70, "ticket_id": 7, "reopens": 2},
            "satisfaction_rating": {"score": "good"}, "brand_id": 3, "future": [1, {"a": null}] }"#;
        let tree: Value = serde_json::from_str(text).unwrap();
        let raw: Box<serde_json::value::RawValue> = serde_json::from_str(text).unwrap();
        let from_text = prepare(Stream::Tickets, vec![RecordText::new(raw)], NOW).unwrap();
        let from_tree = prepare(Stream::Tickets, vec![tree.clone()], NOW).unwrap();
        let raw_at = TICKETS.raw_at().unwrap();
        let (a, b) = (&from_text.main.rows[0], &from_tree.main.rows[0]);
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            if i != raw_at {
                assert_eq!(x, y, "column {}", TICKETS.cols[i].name);
            }
        }
        assert_eq!(from_text.children, from_tree.children);
        let (ma, mb) = (
            &from_text.metrics.as_ref().unwrap().rows[0],
            &from_tree.metrics.as_ref().unwrap().rows[0],
        );
        let m_raw = TICKET_METRICS.raw_at().unwrap();
        assert_eq!(ma[..m_raw], mb[..m_raw]);
        assert_eq!(
            ma[m_raw],
            Val::Text(Some(r#"{"id": 70, "ticket_id": 7, "reopens": 2}"#.into()))
        );
        assert_eq!(from_text.deleted_tickets, [7]);
        // `raw` is the ticket without its metric set, every other member as sent.
        let Val::Text(Some(stored)) = &a[raw_at] else {
            panic!("no raw")
        };
        let mut expected = tree;
        expected.as_object_mut().unwrap().remove("metric_set");
        assert_eq!(serde_json::from_str::<Value>(stored).unwrap(), expected);
        assert!(
            stored.contains(r#""value": 1.50"#),
            "numbers as sent: {stored}"
        );
        // Without a member to take out, `raw` is the text itself.
        let plain = r#"{"id": 8,  "subject": "s"}"#;
        let raw: Box<serde_json::value::RawValue> = serde_json::from_str(plain).unwrap();
        let p = prepare(Stream::Tickets, vec![RecordText::new(raw)], NOW).unwrap();
        assert_eq!(p.main.rows[0][raw_at], Val::Text(Some(plain.into())));
        assert!(p.metrics.is_none());
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
        let row = ex(&TICKETS, &t).unwrap();
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
        assert!(ex(&TICKETS, &json!({"id": "7"}))
            .unwrap_err()
            .contains("not a 64-bit"));
        assert!(ex(&TICKETS, &json!({"subject": "x"}))
            .unwrap_err()
            .contains("no `id`"));
        assert!(ex(&TICKETS, &json!([1])).unwrap_err().contains("an array"));
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
