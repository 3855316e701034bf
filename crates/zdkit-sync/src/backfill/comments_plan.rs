//! The plan and forecast of the comment routes (`--with-comments`): how many tickets and
//! archived candidates there are, how many comments a ticket has, and where the prefix
//! export and the per-ticket audits are expected to meet.
//!
//! The estimate rests on counts, not on assumptions about where archived tickets sit in
//! the history: the split point `τ` (the prefix export covers every event before it,
//! the per-ticket audits every candidate last updated at or after it) is found by
//! bisection with `GET /api/v2/search/count` (`type:ticket updated<τ` and `status:closed
//! updated>=τ updated<cut-off`), so a history whose archived tickets are its oldest
//! part (Zendesk's shape) and one where they are spread over every period both get the
//! time the run then takes. See `docs/design/backfill.md`, *Comments*.

use serde_json::Value;
use zdkit::models::SideloadName;
use zdkit::resources::SearchQuery;
use zdkit::Client;

use super::comments::{archived_query, load_mark, WALK_PAGE};
use super::BackfillOptions;
use crate::audits::client_err;
use crate::engine::SyncError;
use crate::store::columns::format_unix;
use crate::store::{CommentsMark, Store};

/// `show_many` requests of the comments-per-ticket sample.
const SAMPLE_REQUESTS: u64 = 30;
/// Ids a `show_many` request holds (Zendesk's maximum).
const SHOW_MANY: u64 = 100;
/// Bisection steps of the split (from 1970 to the cut-off: about 7 hours' resolution).
const SPLIT_STEPS: u32 = 16;
/// Export requests of the tail (from `T0 − margin`) and its catch-up.
const TAIL_REQUESTS: u64 = 2;
/// Candidates a search-export page holds (the candidate list is fetched before the
/// per-ticket audits and the prefix start).
const CANDIDATE_PAGE: u64 = 1000;

/// The comment routes' part of a [`Plan`](super::Plan).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CommentsPlan {
    /// The stored mark: start, the tail export's start, the archive cut-off.
    pub mark: CommentsMark,
    /// Read from the store (a resumed backfill).
    pub resumed: bool,
    /// Tickets created before the start (search count).
    pub tickets: u64,
    /// Archived candidates: closed tickets last updated before the cut-off (search count).
    pub archived: u64,
    /// Mean comments a ticket, from `show_many?include=comment_count` of tickets spread
    /// evenly over the id range ([`CommentsPlan::sampled`] of them).
    pub comments_per_ticket: f64,
    /// Tickets the comments-per-ticket figure was taken from.
    pub sampled: u64,
    /// Ticket events an export page holds (the sync's `per_page`, at most 1,000).
    pub export_page: u32,
    /// Where the prefix export and the per-ticket audits are expected to meet (Unix
    /// seconds): the prefix covers the events before it, the per-ticket audits the
    /// candidates last updated at or after it.
    pub split_at: i64,
    /// Tickets last updated before [`CommentsPlan::split_at`] (search count): the history
    /// the prefix export walks.
    pub tickets_before_split: u64,
    /// Candidates last updated at or after [`CommentsPlan::split_at`] (search count): the
    /// per-ticket audits' requests.
    pub archived_after_split: u64,
    /// Requests a minute assumed: the account limit (shared by the audits walk and the
    /// per-ticket audits), the per-ticket audits' bucket, the incremental exports'.
    pub account_per_minute: u32,
    /// See [`CommentsPlan::account_per_minute`].
    pub ticket_audits_per_minute: u32,
    /// See [`CommentsPlan::account_per_minute`].
    pub incremental_per_minute: u32,
    /// See [`CommentsPlan::account_per_minute`] (the candidate list's search export).
    pub search_export_per_minute: u32,
    /// The routes that run (the others were disabled by option).
    pub walk: bool,
    /// See [`CommentsPlan::walk`].
    pub per_ticket: bool,
}

/// Seconds each route needs for a split: `(walk and account, per-ticket, prefix)`.
struct Times {
    walk: f64,
    per_ticket: f64,
    prefix: f64,
}

impl Times {
    fn total(&self) -> f64 {
        self.walk.max(self.per_ticket).max(self.prefix)
    }
}

impl CommentsPlan {
    /// Audits-walk requests expected: the non-archived tickets' comments, 100 a page.
    pub fn walk_requests(&self) -> u64 {
        if !self.walk {
            return 0;
        }
        let live = self.tickets.saturating_sub(self.archived) as f64;
        (live * self.comments_per_ticket / f64::from(WALK_PAGE)).ceil() as u64 + 1
    }

    /// Prefix-export requests expected: the events of the tickets last updated before
    /// the split (every ticket's when the audits walk is off: the prefix is then the only
    /// route of the live tickets and runs to the end). The tail adds two.
    pub fn prefix_requests(&self) -> u64 {
        let tickets = if self.walk {
            self.tickets_before_split
        } else {
            self.tickets
        };
        (tickets as f64 * self.comments_per_ticket / f64::from(self.export_page.max(1))).ceil()
            as u64
    }

    /// Per-ticket audits expected (the candidates at or after the split).
    pub fn per_ticket_requests(&self) -> u64 {
        if self.walk && self.per_ticket {
            self.archived_after_split
        } else {
            0
        }
    }

    fn times(&self, tickets_before: u64, archived_after: u64) -> Times {
        let per_sec = |n: u32| f64::from(n.max(1)) / 60.0;
        let account = per_sec(self.account_per_minute);
        let walk = self.walk_requests() as f64;
        let (per_ticket, prefix_tickets) = match (self.walk, self.per_ticket) {
            (false, _) => (0, self.tickets),
            (true, false) => (0, tickets_before),
            (true, true) => (archived_after, tickets_before),
        };
        // The candidate list comes first (one search export of them), then the per-ticket
        // audits and the prefix start together.
        let candidates = if self.walk {
            self.archived.div_ceil(CANDIDATE_PAGE) as f64 / per_sec(self.search_export_per_minute)
        } else {
            0.0
        };
        let n = per_ticket as f64;
        let prefix = (prefix_tickets as f64 * self.comments_per_ticket
            / f64::from(self.export_page.max(1)))
        .ceil()
            + TAIL_REQUESTS as f64;
        Times {
            // The walk and the per-ticket audits share the account.
            walk: (walk + n) / account,
            per_ticket: if per_ticket == 0 {
                0.0
            } else {
                candidates + n / per_sec(self.ticket_audits_per_minute)
            },
            prefix: candidates + prefix / per_sec(self.incremental_per_minute),
        }
    }

    /// The forecast in seconds and how many archived tickets go per ticket: the slowest
    /// of the audits walk (with the per-ticket audits, on the account), the per-ticket
    /// audits on their bucket and the prefix export, at the planned split.
    pub fn forecast(&self) -> (f64, u64) {
        let t = self.times(self.tickets_before_split, self.archived_after_split);
        (t.total(), self.per_ticket_requests())
    }

    /// The single ticket-events export's time for the same history, in seconds.
    pub fn export_only_secs(&self) -> f64 {
        let events = self.tickets as f64 * self.comments_per_ticket;
        (events / f64::from(self.export_page.max(1))).ceil()
            / (f64::from(self.incremental_per_minute.max(1)) / 60.0)
    }
}

/// Mean comments a ticket: `show_many?include=comment_count` of ids spread evenly over
/// `1..=max_id` (Zendesk's ticket ids are sequential in an account), so every period of
/// the history is sampled alike, and enough of them (3,000) that the few tickets with
/// hundreds of comments are counted in their share. Returns `(mean, tickets sampled)`.
async fn comments_per_ticket(client: &Client) -> Result<(f64, u64), SyncError> {
    let newest = client
        .tickets()
        .list()
        .page_size(1)
        .sort("-id")
        .send()
        .await
        .map_err(client_err)?;
    let Some(max_id) = newest.items.first().map(|t| t.id.0) else {
        return Ok((1.0, 0));
    };
    let n = (SAMPLE_REQUESTS * SHOW_MANY).min(max_id);
    let ids: Vec<u64> = (0..n)
        .map(|k| 1 + ((2 * k + 1) * max_id / (2 * n)).min(max_id - 1))
        .collect();
    let (mut sum, mut count) = (0.0, 0u64);
    for chunk in ids.chunks(SHOW_MANY as usize) {
        let list = chunk
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let page: Value = client
            .get("/api/v2/tickets/show_many")
            .query(&[
                ("ids", list.as_str()),
                ("include", SideloadName::CommentCount.as_str()),
            ])
            .send()
            .await
            .map_err(client_err)?
            .json()
            .map_err(client_err)?;
        for t in page
            .get("tickets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(c) = t.get("comment_count").and_then(Value::as_f64) {
                sum += c;
                count += 1;
            }
        }
    }
    Ok(if count == 0 {
        (1.0, 0)
    } else {
        (sum / count as f64, count)
    })
}

/// `(tickets last updated before τ, candidates last updated at or after τ)`.
async fn counts_at(
    client: &Client,
    tau: i64,
    archived_before: i64,
) -> Result<(u64, u64), SyncError> {
    let search = client.search();
    let before = SearchQuery::tickets().term(format!("updated<{}", format_unix(tau)));
    let after = archived_query(archived_before).term(format!("updated>={}", format_unix(tau)));
    let (b, a) = tokio::join!(search.count(&before), search.count(&after));
    Ok((b.map_err(client_err)?, a.map_err(client_err)?))
}

/// The plan of the comment routes, or `None` when the ticket-events stream is not
/// backfilled (not wanted, without comments, already synced, or its backfill is done).
pub(in crate::backfill) async fn plan(
    client: &Client,
    store: &dyn Store,
    bf: &BackfillOptions,
    synced_before: bool,
    t0: i64,
    per_page: u32,
) -> Result<Option<CommentsPlan>, SyncError> {
    let (mark, resumed) = match load_mark(store).await? {
        Some(m) if m.done => return Ok(None),
        Some(m) => (m, true),
        None if synced_before => return Ok(None),
        None => (
            CommentsMark {
                started_at: t0,
                since: t0 - bf.margin_secs,
                archived_before: t0 - i64::from(bf.archive_days) * 86_400,
                done: false,
            },
            false,
        ),
    };
    let search = client.search();
    let all = SearchQuery::tickets().term(format!("created<{}", format_unix(mark.started_at)));
    let tickets = search.count(&all).await.map_err(client_err)?;
    let archived = search
        .count(&archived_query(mark.archived_before))
        .await
        .map_err(client_err)?;
    let (comments_per_ticket, sampled) = comments_per_ticket(client).await?;
    let cutoff = mark.archived_before;
    let mut plan = CommentsPlan {
        mark,
        resumed,
        tickets,
        archived,
        comments_per_ticket,
        sampled,
        export_page: per_page.clamp(1, 1000),
        split_at: cutoff,
        tickets_before_split: 0,
        archived_after_split: 0,
        account_per_minute: super::plan::rate(client, "account", 700),
        ticket_audits_per_minute: super::plan::rate(client, "ticket-audits", 500),
        incremental_per_minute: super::plan::rate(client, "incremental-exports", 10),
        search_export_per_minute: super::plan::rate(client, "search-export", 100),
        walk: bf.comment_audits,
        per_ticket: bf.archived_audits,
    };
    if !plan.walk {
        // The prefix is the live tickets' only route: it runs to the end.
        return Ok(Some(plan));
    }
    if archived == 0 {
        // Nothing for the prefix to cover: it stops at once (the tail still runs).
        plan.split_at = 0;
        return Ok(Some(plan));
    }
    let (before_cutoff, _) = counts_at(client, cutoff, cutoff).await?;
    plan.tickets_before_split = before_cutoff;
    if !plan.per_ticket {
        return Ok(Some(plan));
    }
    // Bisect τ in [0, cut-off]: at 0 the per-ticket audits take every candidate, at the
    // cut-off the prefix does. Move τ later while the prefix is the faster side.
    let (mut lo, mut hi) = ((0i64, (0u64, archived)), (cutoff, (before_cutoff, 0u64)));
    for _ in 0..SPLIT_STEPS {
        if hi.0 - lo.0 <= 1 {
            break;
        }
        let mid = lo.0 + (hi.0 - lo.0) / 2;
        let c = counts_at(client, mid, cutoff).await?;
        let t = plan.times(c.0, c.1);
        if t.prefix < t.per_ticket.max(t.walk) {
            lo = (mid, c);
        } else {
            hi = (mid, c);
        }
    }
    let total = |(_, (b, a)): (i64, (u64, u64))| plan.times(b, a).total();
    let best = if total(lo) <= total(hi) { lo } else { hi };
    plan.split_at = best.0;
    (plan.tickets_before_split, plan.archived_after_split) = best.1;
    Ok(Some(plan))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(tickets: u64, archived: u64, before: u64, after: u64) -> CommentsPlan {
        CommentsPlan {
            mark: CommentsMark {
                started_at: 0,
                since: 0,
                archived_before: 0,
                done: false,
            },
            resumed: false,
            tickets,
            archived,
            comments_per_ticket: 4.0,
            sampled: 3000,
            export_page: 1000,
            split_at: 0,
            tickets_before_split: before,
            archived_after_split: after,
            account_per_minute: 700,
            ticket_audits_per_minute: 500,
            incremental_per_minute: 10,
            search_export_per_minute: 100,
            walk: true,
            per_ticket: true,
        }
    }

    #[test]
    fn the_forecast_is_the_slowest_route_at_the_split() {
        // 100k tickets, 30k archived and the oldest: after the candidate list (30 pages,
        // 18 s) the prefix walks 25k tickets (100 pages + 2 of tail: 10.2 min) and the
        // per-ticket audits take 5k (10 min); the walk, 70k × 4 / 100 = 2,801 pages,
        // shares the account with them: 7,801 / 700 = 11.1 min, the slowest.
        let p = plan(100_000, 30_000, 25_000, 5_000);
        let (secs, per_ticket) = p.forecast();
        assert_eq!(per_ticket, 5_000);
        assert_eq!(p.walk_requests(), 2_801);
        assert_eq!(p.prefix_requests(), 100);
        assert!((secs - 7_801.0 / 700.0 * 60.0).abs() < 1e-6, "{secs}");
        // The single export: 400 pages at 10/min.
        assert!((p.export_only_secs() - 2_400.0).abs() < 1e-6);
        // Archived tickets spread over the history: the prefix must walk most of it.
        let spread = plan(100_000, 30_000, 80_000, 3_000);
        let (secs, _) = spread.forecast();
        assert!((secs - (18.0 + 322.0 * 6.0)).abs() < 1e-6, "{secs}");
    }

    #[test]
    fn disabled_routes_leave_the_rest_to_the_export() {
        let mut p = plan(100_000, 30_000, 25_000, 5_000);
        p.walk = false;
        assert_eq!(p.walk_requests(), 0);
        assert_eq!(p.per_ticket_requests(), 0);
        assert_eq!(p.prefix_requests(), 400, "every event");
        assert!((p.forecast().0 - 402.0 * 6.0).abs() < 1e-6);
        let mut q = plan(100_000, 30_000, 25_000, 5_000);
        q.per_ticket = false;
        assert_eq!(q.per_ticket_requests(), 0);
        assert_eq!(q.forecast().1, 0);
    }
}
