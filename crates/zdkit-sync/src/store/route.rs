//! The checkpoints of a backfill's routes ([`crate::backfill`]), stored in `sync_state`
//! beside the streams' own under keys `STREAM/backfill` and `STREAM/search/NNNN`, and how
//! a route's page merges with the stored rows ([`Merge`]).

use serde::{Deserialize, Serialize};

/// How a page's rows meet the stored rows of the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Merge {
    /// Newest version wins (`generated_timestamp` then `updated_at` where both rows have
    /// a `generated_timestamp`, else `updated_at`), a tie replaces: what the exports write.
    Newest,
    /// The same comparison, but a tie keeps the stored row: what search export writes, so
    /// that an index copy never displaces the exact route's version of equal stamps.
    StrictlyNewer,
}

impl Merge {
    /// Both rules.
    pub const ALL: [Merge; 2] = [Merge::Newest, Merge::StrictlyNewer];
}

/// A stream's backfill: when it started and from when its incremental export runs.
/// Stored under `STREAM/backfill` before the backfill's first data request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackfillMark {
    /// The backfill's start `T0` (Unix seconds): the slices cover `created_at < T0`.
    pub started_at: i64,
    /// The incremental export's start (`T0 − margin`).
    pub since: i64,
    /// Number of search-export slices (keys `STREAM/search/0000` …).
    pub slices: u32,
    /// Every route finished and the incremental export caught up after them.
    pub done: bool,
}

/// One search-export slice: records with `from <= created_at < to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SliceMark {
    /// First `created_at` of the slice (Unix seconds, inclusive).
    pub from: i64,
    /// End of the slice (Unix seconds, exclusive).
    pub to: i64,
    /// The `created_at` of the last record committed: the walk resumes at `created>=after`.
    pub after: Option<i64>,
    /// The records the plan's count expected (for progress and the estimate).
    pub expected: u64,
    /// The walk reached the slice's end.
    pub done: bool,
}

/// A comments backfill (key `ticket_events/backfill`): its start, the ticket-events
/// export's start, and which tickets count as archived. Stored before its first data
/// request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentsMark {
    /// The backfill's start `T0` (Unix seconds).
    pub started_at: i64,
    /// The ticket-events export's start (`T0 − margin`).
    pub since: i64,
    /// Closed tickets last updated before this (Unix seconds) are fetched per ticket.
    pub archived_before: i64,
    /// Every comment route finished and the ticket-events export caught up after them.
    pub done: bool,
}

/// The walk of the account-wide `GET /api/v2/ticket_audits` (key `ticket_events/audits`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditWalkMark {
    /// The `page[after]` cursor of the next page; `None` before the first page.
    pub after: Option<String>,
    /// The walk reached its last page.
    pub done: bool,
}

/// The per-ticket audits of the archived candidates (key `ticket_events/archived`),
/// walked newest first by `(updated_at, id)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedMark {
    /// Every candidate at or above this `(updated_at, id)` is stored; `None`: none yet.
    pub below: Option<(i64, i64)>,
    /// Every candidate is stored (per ticket, or by the ticket-events export's prefix).
    pub done: bool,
}
