//! Catalogue families mirrored generically: one table per family, named by
//! [`zdkit_catalog::Family::name`], with the columns `id`, `updated_at`, `deleted`,
//! `_seen`, `_synced_at` and `raw` (the whole JSON object).
//!
//! Which families are streams is decided from the catalogue ([`FamilyStream::all`]): every
//! listable top-level family that no dedicated stream covers. Most are full refreshes; a
//! family with an incremental export (ticket metric events) is exported instead
//! ([`FamilyStream::is_export`]) into the same layout. Their tables are created
//! when a store is opened (`CREATE TABLE IF NOT EXISTS`), so a family added to the
//! catalogue gets its table without a migration; the layout itself is fixed.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde_json::Value;
use zdkit_catalog::{Family, IdKind, FAMILIES};

/// Families that have a dedicated stream and table (typed columns), or that are not
/// account data worth mirroring, or that arrive through another stream.
const NOT_GENERIC: &[&str] = &[
    // Dedicated streams (`Stream::Tickets`, …).
    "tickets",
    "users",
    "organizations",
    "groups",
    "ticket_fields",
    // Background jobs: transient, expire after about an hour.
    "job_statuses",
    // Every audit of every ticket: the ticket events export covers the same changes.
    "ticket_audits",
    // One record per ticket: sideloaded on the ticket export (`metric_sets`).
    "ticket_metrics",
];

/// A catalogue family mirrored by the generic full-refresh stream.
///
/// Compared, ordered and hashed by name.
#[derive(Clone, Copy)]
pub struct FamilyStream(&'static Family);

impl FamilyStream {
    /// The generic family stream called `name` (its [`Family::name`]).
    pub fn get(name: &str) -> Option<FamilyStream> {
        Self::all().find(|f| f.name() == name)
    }

    /// Every generic family stream, in catalogue order: each listable family that is not
    /// nested under another and no dedicated stream covers.
    pub fn all() -> impl Iterator<Item = FamilyStream> {
        FAMILIES
            .iter()
            .filter(|f| f.ops.list && f.parent.is_none() && !NOT_GENERIC.contains(&f.name))
            .map(FamilyStream)
    }

    /// Whether the family has an incremental export (ticket metric events): the stream
    /// follows it from a checkpoint instead of refreshing the whole list, and nothing is
    /// marked deleted for not being listed.
    pub fn is_export(self) -> bool {
        self.0.incremental.is_some()
    }

    /// The field of a record stored as the row's `updated_at`: `updated_at`, or `time`
    /// for ticket metric events (an event's only stamp).
    pub fn stamp_field(self) -> &'static str {
        if self.name() == "ticket_metric_events" {
            "time"
        } else {
            "updated_at"
        }
    }

    /// The catalogue row.
    pub fn family(self) -> &'static Family {
        self.0
    }

    /// The family's name: the stream's and the table's.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// Whether ids are strings (`TEXT` key) rather than integers.
    pub fn string_ids(self) -> bool {
        self.0.id == IdKind::String
    }

    /// The field of a record that holds its key: `id`, or `name` for families keyed by
    /// name (tags: `tag_name`).
    pub fn key_field(self) -> &'static str {
        match self.0.id_param.rsplit_once('_') {
            Some((_, "id")) | None => "id",
            Some((_, field)) => field,
        }
    }

    /// The key of `record`, as text (integers in decimal), or why it has none.
    pub(crate) fn key(self, record: &Value) -> Result<Key, String> {
        let field = self.key_field();
        let Some(object) = record.as_object() else {
            return Err("expected a JSON object".into());
        };
        match (object.get(field), self.string_ids()) {
            (Some(Value::Number(n)), false) => n
                .as_i64()
                .map(Key::Int)
                .ok_or_else(|| format!("`{field}` is not a 64-bit integer: {n}")),
            (Some(Value::String(s)), true) if !s.is_empty() => {
                Ok(Key::Text(super::columns::strip_nul(s)))
            }
            (Some(Value::Number(n)), true) => Ok(Key::Text(n.to_string())),
            (Some(v), _) => Err(format!("`{field}` has an unexpected type: {v}")),
            (None, _) => Err(format!("no `{field}` field")),
        }
    }
}

/// A record's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Int(i64),
    Text(String),
}

impl fmt::Debug for FamilyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FamilyStream({})", self.name())
    }
}

impl PartialEq for FamilyStream {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for FamilyStream {}

impl PartialOrd for FamilyStream {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FamilyStream {
    fn cmp(&self, other: &Self) -> Ordering {
        self.name().cmp(other.name())
    }
}

impl Hash for FamilyStream {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_catalogue_decides_the_generic_streams() {
        let names: Vec<&str> = FamilyStream::all().map(FamilyStream::name).collect();
        for want in [
            "macros",
            "ticket_forms",
            "sla_policies",
            "brands",
            "tags",
            "webhooks",
        ] {
            assert!(names.contains(&want), "{want} in {names:?}");
        }
        for not in ["tickets", "identities", "job_statuses"] {
            assert!(!names.contains(&not), "{not} in {names:?}");
        }
        let exports: Vec<&str> = FamilyStream::all()
            .filter(|f| f.is_export())
            .map(FamilyStream::name)
            .collect();
        assert_eq!(exports, ["ticket_metric_events"]);
        assert_eq!(
            FamilyStream::get("ticket_metric_events")
                .unwrap()
                .stamp_field(),
            "time"
        );
        assert_eq!(FamilyStream::get("tags").unwrap().key_field(), "name");
        assert_eq!(FamilyStream::get("macros").unwrap().key_field(), "id");
    }

    #[test]
    fn keys_follow_the_id_kind() {
        let macros = FamilyStream::get("macros").unwrap();
        assert_eq!(macros.key(&json!({"id": 7})), Ok(Key::Int(7)));
        assert!(macros.key(&json!({"id": "7"})).is_err());
        assert!(macros.key(&json!({"name": 1})).is_err());
        let webhooks = FamilyStream::get("webhooks").unwrap();
        assert_eq!(
            webhooks.key(&json!({"id": "01H"})),
            Ok(Key::Text("01H".into()))
        );
        let tags = FamilyStream::get("tags").unwrap();
        assert_eq!(
            tags.key(&json!({"name": "vip", "count": 3})),
            Ok(Key::Text("vip".into()))
        );
    }
}
