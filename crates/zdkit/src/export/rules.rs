//! The pure parts of exports: [`Checkpoint`] and boundary de-duplication (the stop rules
//! are the one next-page rule, [`crate::pagination::Walk`])
//! (unit-tested without a network).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::models::{Organization, Resource, Sideloads, Ticket, TicketEvent, User};

/// Where an export stands: resume from here with [`ExportRequest::resume`](super::ExportRequest::resume).
///
/// Serialized as `{"cursor": "…"}` or `{"time": 1704164645}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Checkpoint {
    /// A cursor-based export's `after_cursor`.
    Cursor(String),
    /// A time-based export's `end_time` (the next `start_time`), Unix seconds.
    Time(i64),
}

/// One page of an export.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ExportPage<T> {
    /// The records (boundary duplicates of time-based exports removed).
    pub items: Vec<T>,
    /// Sideloaded records (`include=`).
    pub sideloads: Sideloads,
    /// Resume from here to get what follows this page.
    pub checkpoint: Checkpoint,
    /// `true` on the last page for now: poll again later from `checkpoint`.
    pub end_of_stream: bool,
    /// Boundary duplicates dropped from this page.
    pub duplicates_dropped: usize,
}

/// A record of a time-based export: its id and the stamp the export orders by (Unix
/// seconds), used to drop boundary duplicates.
pub trait ExportRecord: Resource {
    /// `(id, stamp)`.
    fn export_key(&self) -> (u64, Option<i64>);
}

/// The stamp a time-based export orders a record by, in Unix seconds: its
/// `generated_timestamp` where the family has one (tickets), else its `updated_at`. The
/// one rule for the typed models and for records kept as text (`zdkit-sync`).
pub fn export_stamp(
    generated_timestamp: Option<i64>,
    updated_at: Option<time::OffsetDateTime>,
) -> Option<i64> {
    generated_timestamp.or(updated_at.map(|t| t.unix_timestamp()))
}

impl ExportRecord for Ticket {
    fn export_key(&self) -> (u64, Option<i64>) {
        (
            self.id.0,
            export_stamp(self.generated_timestamp, self.updated_at),
        )
    }
}

impl ExportRecord for User {
    fn export_key(&self) -> (u64, Option<i64>) {
        (self.id.0, export_stamp(None, self.updated_at))
    }
}

impl ExportRecord for Organization {
    fn export_key(&self) -> (u64, Option<i64>) {
        (self.id.0, export_stamp(None, self.updated_at))
    }
}

impl ExportRecord for crate::models::TicketMetricEvent {
    fn export_key(&self) -> (u64, Option<i64>) {
        (self.id.0, self.time.map(|t| t.unix_timestamp()))
    }
}

impl ExportRecord for TicketEvent {
    fn export_key(&self) -> (u64, Option<i64>) {
        let stamp = self
            .timestamp
            .or(self.created_at.map(|t| t.unix_timestamp()));
        (self.id.0, stamp)
    }
}

/// Drops the items already seen at the previous page's boundary; returns the number
/// dropped and the new boundary set (items at or after `end_time`, or without a stamp).
pub(crate) fn dedup_boundary<T: ExportRecord>(
    items: &mut Vec<T>,
    seen: &HashSet<(u64, Option<i64>)>,
    end_time: Option<i64>,
) -> (usize, HashSet<(u64, Option<i64>)>) {
    let before = items.len();
    if !seen.is_empty() {
        items.retain(|t| !seen.contains(&t.export_key()));
    }
    let next = items
        .iter()
        .map(ExportRecord::export_key)
        .filter(|(_, s)| match (s, end_time) {
            (Some(s), Some(e)) => *s >= e,
            _ => true,
        })
        .collect();
    (before - items.len(), next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{decode, IncrementalTimePage, SideloadName, TicketId};
    use crate::Client;

    #[test]
    fn checkpoints_serialize_for_storage() {
        let c = Checkpoint::Cursor("MTcw".into());
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"cursor":"MTcw"}"#);
        let t: Checkpoint = serde_json::from_str(r#"{"time":1704164645}"#).unwrap();
        assert_eq!(t, Checkpoint::Time(1_704_164_645));
    }

    #[test]
    fn boundary_duplicates_are_dropped_once() {
        let p1: IncrementalTimePage<Ticket> = decode(
            br#"{"tickets":[{"id":1,"generated_timestamp":10},{"id":2,"generated_timestamp":20},
                {"id":3,"generated_timestamp":20}],"end_time":20,"end_of_stream":false}"#,
        )
        .unwrap();
        let mut items = p1.items;
        let (n, seen) = dedup_boundary(&mut items, &HashSet::new(), Some(20));
        assert_eq!(n, 0);
        assert_eq!(seen.len(), 2);
        // Page 2 starts at 20: tickets 2 and 3 come again; ticket 3 changed since (new stamp).
        let p2: IncrementalTimePage<Ticket> = decode(
            br#"{"tickets":[{"id":2,"generated_timestamp":20},{"id":4,"generated_timestamp":20},
                {"id":3,"generated_timestamp":25}],"end_time":25,"end_of_stream":true}"#,
        )
        .unwrap();
        let mut items = p2.items;
        let (n, _) = dedup_boundary(&mut items, &seen, Some(25));
        assert_eq!(n, 1);
        let ids: Vec<TicketId> = items.iter().map(|t| t.id).collect();
        assert_eq!(ids, [TicketId(4), TicketId(3)]);
    }

    #[test]
    fn params_are_the_query_string() {
        let c = Client::builder().subdomain("acme").build().unwrap();
        let r = c
            .incremental()
            .tickets()
            .start_time(1_700_000_000)
            .per_page(5000)
            .include(&[SideloadName::Users, SideloadName::Groups])
            .exclude_deleted(true);
        assert_eq!(
            serde_urlencoded::to_string(r.params()).unwrap(),
            "start_time=1700000000&per_page=1000&include=users%2Cgroups&exclude_deleted=true"
        );
        let r = c
            .incremental()
            .users()
            .resume(Checkpoint::Cursor("x".into()));
        assert_eq!(serde_urlencoded::to_string(r.params()).unwrap(), "cursor=x");
    }
}
