//! The search-export route: walkers that take slices from one queue and walk each from
//! its watermark, committing every page with the slice's checkpoint, adapting the page
//! size to how the pages fare.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use super::plan::{created_at, slice_query};
use super::{BackfillEvent, RouteTotals, MAX_PAGE, MIN_PAGE};
use crate::engine::{CancelToken, Progress, ProgressEvent, SyncError};
use crate::store::{Checkpoint, Merge, Record, SliceMark, Store, Stream};

/// A slice still to walk.
#[derive(Debug, Clone)]
pub(super) struct SliceJob {
    pub stream: Stream,
    pub index: usize,
    pub mark: SliceMark,
}

impl SliceJob {
    pub(super) fn key(&self) -> String {
        slice_key(self.stream, self.index)
    }
}

/// The `sync_state` key of slice `index` of `stream`.
pub(super) fn slice_key(stream: Stream, index: usize) -> String {
    format!("{}/search/{index:04}", stream.as_str())
}

/// Good pages in a row before the page size first doubles back; each failure doubles it
/// (so a size that keeps failing is retried ever more rarely).
const GOOD_PAGES_TO_GROW: u32 = 4;

/// The page size of one walker: halves on a failed page (or, when `slow` is set, a slow
/// one), doubles back after a run of good pages.
#[derive(Debug, Clone, Copy)]
pub(super) struct PageSize {
    pub size: u32,
    good: u32,
    grow_after: u32,
    slow: Option<Duration>,
}

impl PageSize {
    pub(super) fn new(slow: Option<Duration>) -> Self {
        PageSize {
            size: MAX_PAGE,
            good: 0,
            grow_after: GOOD_PAGES_TO_GROW,
            slow,
        }
    }

    /// After a good page of size `asked` that took `took` (pages asked at another size
    /// than the current one, by a walker that has not seen the change yet, say nothing
    /// about it): whether the size changed.
    pub(super) fn observe(&mut self, asked: u32, took: Duration) -> bool {
        if asked != self.size {
            return false;
        }
        if self.slow.is_some_and(|slow| took > slow) {
            return self.shrink();
        }
        self.good += 1;
        if self.good >= self.grow_after && self.size < MAX_PAGE {
            self.good = 0;
            self.size = (self.size * 2).min(MAX_PAGE);
            return true;
        }
        false
    }

    /// After a page of size `asked` failed: the size to retry with (halved, unless another
    /// walker already made it smaller than `asked`); `None` when `asked` was the smallest.
    pub(super) fn shrink_from(&mut self, asked: u32) -> Option<u32> {
        if self.size < asked {
            return Some(self.size);
        }
        self.shrink().then_some(self.size)
    }

    /// Halves the size; `false` when it is already the smallest.
    fn shrink(&mut self) -> bool {
        self.good = 0;
        self.grow_after = self.grow_after.saturating_mul(2).min(1 << 16);
        if self.size <= MIN_PAGE {
            return false;
        }
        self.size = (self.size / 2).max(MIN_PAGE);
        true
    }
}

/// Whether a failed page is worth retrying smaller: a gateway timeout or another 5xx, or
/// a transport failure (a timeout on our side).
fn is_slow_failure(e: &zdkit::Error) -> bool {
    match e {
        zdkit::Error::Api(a) => a.status >= 500,
        zdkit::Error::Transport(_) => true,
        _ => false,
    }
}

/// Whether the cursor expired (Zendesk: after an hour): the walk restarts from its
/// watermark.
fn is_expired_cursor(e: &zdkit::Error) -> bool {
    e.api().is_some_and(|a| {
        a.status == 400
            && a.description
                .as_deref()
                .is_some_and(|d| d.contains("expired"))
    })
}

/// A search result as the record the exports would have sent (`result_type` removed).
fn to_record(item: zdkit::models::SearchResult) -> Result<Record, zdkit::Error> {
    let mut v = serde_json::to_value(item)
        .map_err(|e| zdkit::Error::InvalidRequest(format!("re-encoding a search result: {e}")))?;
    if let Value::Object(m) = &mut v {
        m.remove("result_type");
    }
    Ok(v)
}

/// What walkers share.
pub(super) struct Walkers<'a> {
    pub client: &'a zdkit::Client,
    pub store: &'a dyn Store,
    pub progress: &'a dyn Progress,
    pub cancel: &'a CancelToken,
    pub stop: &'a CancelToken,
    pub queue: Mutex<VecDeque<SliceJob>>,
    pub totals: Mutex<RouteTotals>,
    /// The page size, one for the route: every walker asks the same server, so what one
    /// learns (a size that times out) the others need not learn again.
    pub size: Mutex<PageSize>,
}

impl Walkers<'_> {
    fn stopped(&self) -> bool {
        self.cancel.is_cancelled() || self.stop.is_cancelled()
    }

    async fn wait_stopped(&self) {
        tokio::select! {
            () = self.cancel.cancelled() => {}
            () = self.stop.cancelled() => {}
        }
    }

    fn next_job(&self) -> Option<SliceJob> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop_front()
    }

    /// One walker: slices from the queue until it is empty, the run stops, or a slice
    /// fails (the error stops the other walkers after their page).
    pub(super) async fn walker(&self) -> Result<(), SyncError> {
        while !self.stopped() {
            let Some(job) = self.next_job() else {
                return Ok(());
            };
            if let Err(e) = self.walk(job).await {
                self.stop.cancel();
                return Err(e);
            }
        }
        Ok(())
    }

    fn page_size(&self) -> std::sync::MutexGuard<'_, PageSize> {
        self.size
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn report(&self, f: impl FnOnce(&mut RouteTotals)) {
        let snapshot = {
            let mut t = self
                .totals
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut t);
            t.clone()
        };
        self.progress
            .event(&ProgressEvent::Backfill(BackfillEvent::SearchPage {
                totals: &snapshot,
            }));
    }

    /// Walks one slice from its watermark to its end.
    async fn walk(&self, mut job: SliceJob) -> Result<(), SyncError> {
        let stream = job.stream;
        let key = job.key();
        let client_err = |source| SyncError::Client { stream, source };
        let clock = self.client.clock().clone();
        'restart: loop {
            let from = job.mark.after.unwrap_or(job.mark.from);
            let q = slice_query(stream, from, job.mark.to);
            let asked = self.page_size().size;
            // A page that times out (504) is not retried as it is: the route halves the
            // size at once instead of paying the client's five gateway timeouts first.
            let mut pages = self
                .client
                .search()
                .export(&q)
                .page_size(asked)
                .retry(self.client.retry_policy().clone().timeout_attempts(1))
                .pages();
            loop {
                let started = clock.now();
                let next = tokio::select! {
                    biased;
                    () = self.wait_stopped() => return Ok(()),
                    next = pages.next() => next,
                };
                let page = match next {
                    None => break 'restart,
                    Some(Ok(page)) => page,
                    Some(Err(e)) if is_expired_cursor(&e) => {
                        self.report(|t| t.restarts += 1);
                        continue 'restart;
                    }
                    Some(Err(e)) if is_slow_failure(&e) => {
                        let Some(now) = self.page_size().shrink_from(asked) else {
                            return Err(client_err(e));
                        };
                        tracing::info!(%key, size = now, error = %e, "search export page failed; smaller pages");
                        self.report(|t| {
                            t.failed_pages += 1;
                            t.page_size = now;
                        });
                        continue 'restart;
                    }
                    Some(Err(e)) => return Err(client_err(e)),
                };
                let took = clock.now().saturating_since(started);
                let records = page
                    .items
                    .into_iter()
                    .map(to_record)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(client_err)?;
                if let Some(last) = records.last().and_then(created_at) {
                    job.mark.after = Some(last.max(job.mark.after.unwrap_or(i64::MIN)));
                }
                let stats = self
                    .store
                    .apply_route_page(
                        stream,
                        &key,
                        records,
                        Checkpoint::SearchSlice(job.mark.clone()),
                        Merge::StrictlyNewer,
                    )
                    .await
                    .map_err(|source| SyncError::Store { stream, source })?;
                let now = {
                    let mut size = self.page_size();
                    size.observe(asked, took);
                    size.size
                };
                self.report(|t| {
                    t.pages += 1;
                    t.records += stats.received as u64;
                    t.written += stats.written;
                    t.page_size = now;
                });
                if self.stopped() {
                    return Ok(());
                }
                if now != asked {
                    // A new size takes effect from the watermark (a restart costs no
                    // extra request: the next page starts where this one ended).
                    continue 'restart;
                }
            }
        }
        job.mark.done = true;
        self.store
            .apply_route_page(
                stream,
                &key,
                Vec::new(),
                Checkpoint::SearchSlice(job.mark),
                Merge::StrictlyNewer,
            )
            .await
            .map_err(|source| SyncError::Store { stream, source })?;
        self.report(|t| t.slices_done += 1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_halves_when_slow_or_failed_and_grows_back_ever_more_rarely() {
        let mut p = PageSize::new(Some(Duration::from_secs(5)));
        assert_eq!(p.size, 1000);
        assert!(p.observe(1000, Duration::from_secs(6)));
        assert_eq!(p.size, 500);
        assert!(
            !p.observe(1000, Duration::from_secs(6)),
            "a page asked at the old size says nothing"
        );
        for _ in 0..7 {
            assert!(!p.observe(500, Duration::from_secs(1)));
        }
        assert!(
            p.observe(500, Duration::from_secs(1)),
            "8 good pages after one failure"
        );
        assert_eq!(p.size, 1000);
        assert!(p.shrink());
        assert!(p.shrink());
        assert!(p.shrink());
        assert_eq!(p.size, 125);
        assert!(p.shrink());
        assert_eq!(p.size, 100);
        assert!(!p.shrink(), "never below the minimum");
        assert_eq!(p.shrink_from(100), None);
        let mut r = PageSize::new(None);
        assert_eq!(r.shrink_from(1000), Some(500));
        assert_eq!(
            r.shrink_from(1000),
            Some(500),
            "a second walker failing at the old size does not halve again"
        );
        let mut q = PageSize::new(None);
        assert!(
            !q.observe(1000, Duration::from_secs(600)),
            "latency ignored without a threshold"
        );
    }

    #[test]
    fn slice_keys_sort_in_order() {
        assert_eq!(slice_key(Stream::Tickets, 7), "tickets/search/0007");
        assert!(slice_key(Stream::Users, 9) < slice_key(Stream::Users, 10));
    }
}
