//! The plan of a backfill: per stream, its search-export slices (made by counting) and its
//! incremental export's start, and the forecast of what each route costs.

use std::fmt;

use futures_util::TryStreamExt;
use zdkit::resources::SearchQuery;
use zdkit::Client;

use super::{BackfillOptions, BACKFILL_STREAMS};
use crate::store::{columns::format_unix, SliceMark, Stream};

/// What a backfill will do (or, resumed, what is left of it).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Plan {
    /// Per backfilled stream.
    pub streams: Vec<StreamPlan>,
    /// The comment routes of the ticket-events stream, when it is backfilled.
    pub comments: Option<super::CommentsPlan>,
    /// Search-export requests a minute the forecast assumes (the learned limit, less the
    /// client's headroom).
    pub search_per_minute: u32,
    /// Incremental-export requests a minute the forecast assumes.
    pub incremental_per_minute: u32,
    /// Search walkers running at once.
    pub concurrency: usize,
}

/// One stream's part of a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamPlan {
    /// The stream.
    pub stream: Stream,
    /// The backfill's start `T0` (Unix seconds).
    pub started_at: i64,
    /// The incremental export's start (`T0 − margin`).
    pub since: i64,
    /// The search-export slices (done ones included when resumed).
    pub slices: Vec<SliceMark>,
    /// Whether the plan was read from the store (a resumed backfill).
    pub resumed: bool,
}

impl StreamPlan {
    /// Records the slices not yet done are expected to hold.
    pub fn expected_records(&self) -> u64 {
        self.slices
            .iter()
            .filter(|s| !s.done)
            .map(|s| s.expected)
            .sum()
    }

    /// Search-export requests expected: one per full page of 1,000 plus one per slice
    /// (its last, partial page, or the empty answer of an empty slice).
    pub fn search_requests(&self) -> u64 {
        self.slices
            .iter()
            .filter(|s| !s.done)
            .map(|s| s.expected / u64::from(super::MAX_PAGE) + 1)
            .sum()
    }
}

impl Plan {
    /// Search-export requests over every stream.
    pub fn search_requests(&self) -> u64 {
        self.streams.iter().map(StreamPlan::search_requests).sum()
    }

    /// Incremental-export requests expected: for each stream, one for the margin and one
    /// catch-up after the slices (more if many records change meanwhile).
    pub fn incremental_requests(&self) -> u64 {
        2 * self.streams.len() as u64
    }

    /// The forecast in seconds: the slowest route at its rate.
    pub fn expected_secs(&self) -> f64 {
        let per_sec = |per_min: u32| f64::from(per_min.max(1)) / 60.0;
        let search = self.search_requests() as f64 / per_sec(self.search_per_minute);
        let inc = self.incremental_requests() as f64 / per_sec(self.incremental_per_minute);
        let comments = self.comments.as_ref().map_or(0.0, |c| c.forecast().0);
        search.max(inc).max(comments)
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "backfill plan:")?;
        for s in &self.streams {
            let left = s.slices.iter().filter(|m| !m.done).count();
            writeln!(
                f,
                "  {:<13} search export   {:>4} slices ({} left), ~{} records, ~{} requests  [search-export bucket]{}",
                s.stream.as_str(),
                s.slices.len(),
                left,
                s.expected_records(),
                s.search_requests(),
                if s.resumed { "  (resumed)" } else { "" },
            )?;
            writeln!(
                f,
                "  {:<13} incremental     from {} (start {} minus margin), then a catch-up  [incremental-exports bucket]",
                s.stream.as_str(),
                format_unix(s.since),
                format_unix(s.started_at),
            )?;
        }
        if let Some(c) = &self.comments {
            let (secs, per_ticket) = c.forecast();
            let on = |b: bool| if b { "" } else { "  (disabled)" };
            writeln!(
                f,
                "  comments      audits walk     ~{} requests of 100 audits ({} tickets, ~{:.1} comments each, from {} sampled)  [account bucket, {}/min]{}{}",
                c.walk_requests(),
                c.tickets.saturating_sub(c.archived),
                c.comments_per_ticket,
                c.sampled,
                c.account_per_minute,
                on(c.walk),
                if c.resumed { "  (resumed)" } else { "" },
            )?;
            writeln!(
                f,
                "  comments      archived        {} closed tickets updated before {}: ~{} per ticket (those updated since {})  [ticket-audits bucket, {}/min]{}",
                c.archived,
                format_unix(c.mark.archived_before),
                per_ticket,
                format_unix(c.split_at),
                c.ticket_audits_per_minute,
                on(c.per_ticket),
            )?;
            writeln!(
                f,
                "  comments      events export   the rest of them from the oldest event forward, until it meets the per-ticket audits: ~{} requests ({} tickets updated before {})  [incremental-exports bucket, {}/min]",
                c.prefix_requests(),
                c.tickets_before_split,
                format_unix(c.split_at),
                c.incremental_per_minute,
            )?;
            writeln!(
                f,
                "  comments      events export   from {} (start minus margin), then a catch-up  [incremental-exports bucket]",
                format_unix(c.mark.since),
            )?;
            writeln!(
                f,
                "  comments      expected about {:.1} min (the ticket-events export alone: about {:.1} min)",
                secs / 60.0,
                c.export_only_secs() / 60.0,
            )?;
        }
        write!(
            f,
            "  expected: {} search-export requests at {}/min on {} walkers, {} incremental at {}/min: about {:.1} min",
            self.search_requests(),
            self.search_per_minute,
            self.concurrency,
            self.incremental_requests(),
            self.incremental_per_minute,
            self.expected_secs() / 60.0,
        )
    }
}

/// The search query of `stream` (one `filter[type]`).
pub(crate) fn query_of(stream: Stream) -> SearchQuery {
    match stream {
        Stream::Users => SearchQuery::users(),
        Stream::Organizations => SearchQuery::organizations(),
        _ => SearchQuery::tickets(),
    }
}

/// `query` restricted to `from <= created_at < to` (second precision, as Zendesk's search
/// syntax takes ISO 8601 times).
pub(crate) fn slice_query(stream: Stream, from: i64, to: i64) -> SearchQuery {
    query_of(stream)
        .term(format!("created>={}", format_unix(from)))
        .term(format!("created<{}", format_unix(to)))
}

/// The `created_at` of a record as Unix seconds.
pub(crate) fn created_at(record: &serde_json::Value) -> Option<i64> {
    let text = record.get("created_at")?.as_str()?;
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some(t.unix_timestamp())
}

/// The oldest record's `created_at` (one search-export request of one result), or `None`
/// when the stream has no record created before `t0`.
async fn oldest(client: &Client, stream: Stream, t0: i64) -> Result<Option<i64>, zdkit::Error> {
    let q = query_of(stream).term(format!("created<{}", format_unix(t0)));
    let mut pages = client.search().export(&q).page_size(1).pages();
    let Some(page) = pages.try_next().await? else {
        return Ok(None);
    };
    Ok(page
        .items
        .first()
        .and_then(|r| serde_json::to_value(r).ok())
        .and_then(|v| created_at(&v)))
}

/// Slices are not made smaller than this to give every walker some (see [`slices`]).
const MIN_SLICE_RECORDS: u64 = 5_000;

/// The slices of `stream` for a backfill starting at `t0`: `[oldest, t0)` bisected by time
/// until each slice counts at most `options.max_slice_records`, and at most a
/// `2 × concurrency`-th of the stream (but not below 5,000 records): a slice is walked by
/// one walker, page after page, so when pages are slow (archived tickets) a stream of
/// 100,000 records in two slices of 50,000 would keep 2 of the 8 walkers busy.
pub(crate) async fn slices(
    client: &Client,
    stream: Stream,
    t0: i64,
    options: &BackfillOptions,
) -> Result<Vec<SliceMark>, zdkit::Error> {
    let Some(first) = oldest(client, stream, t0).await? else {
        return Ok(Vec::new());
    };
    let search = client.search();
    let mut todo = vec![(first.min(t0 - 1), t0)];
    let mut out = Vec::new();
    let mut limit = None;
    while let Some((from, to)) = todo.pop() {
        let n = search.count(&slice_query(stream, from, to)).await?;
        // The first count is the whole stream's.
        let limit = *limit.get_or_insert_with(|| {
            let share = n.div_ceil(2 * options.concurrency.max(1) as u64);
            options.max_slice_records.min(share.max(MIN_SLICE_RECORDS))
        });
        if n > limit && to - from > 1 {
            let mid = from + (to - from) / 2;
            // Popped last-in first-out: push the later half first to walk in order.
            todo.push((mid, to));
            todo.push((from, mid));
        } else {
            out.push(SliceMark {
                from,
                to,
                after: None,
                expected: n,
                done: false,
            });
        }
    }
    Ok(out)
}

/// The rate (requests a minute) the forecast assumes for `bucket`: the limit the client
/// learned, else `default`, less the client's usual 2% headroom.
pub(crate) fn rate(client: &Client, bucket: &str, default: u32) -> u32 {
    let limit = client
        .stats()
        .buckets
        .iter()
        .find(|b| b.bucket == bucket)
        .and_then(|b| b.limit)
        .unwrap_or(default);
    limit - limit / 50
}

/// The streams a backfill can serve, among `wanted`.
pub(crate) fn backfillable(wanted: &[Stream]) -> Vec<Stream> {
    BACKFILL_STREAMS
        .into_iter()
        .filter(|s| wanted.contains(s))
        .collect()
}
