//! The two kinds of stream: incremental exports (paged, checkpointed per page, fetched
//! one page ahead) and full lists (groups, ticket fields: one write at the end).

use std::collections::HashMap;

use futures_util::{StreamExt, TryStreamExt};
use tokio::sync::mpsc;
use zdkit::export::{ExportPage, ExportRecord, ExportRequest};
use zdkit::models::{Resource, SideloadName};
use zdkit::{Client, ListRequest};

use super::pace::{Pacer, PageFacts};
use super::records::{to_records, IntoRecord, OrganizationJson, TicketJson, UserJson};
use super::{CancelToken, Progress, ProgressEvent, StreamReport, SyncError, SyncOptions};
use crate::store::{Checkpoint, PreparedPage, Preparer, Record, Store, StoreError, Stream};

/// Whether `stream` is a full list rather than an incremental export.
pub(crate) fn is_list(stream: Stream) -> bool {
    match stream {
        Stream::Groups | Stream::TicketFields => true,
        Stream::Family(f) => !f.is_export(),
        _ => false,
    }
}

/// What every stream needs.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub(crate) client: &'a Client,
    pub(crate) store: &'a dyn Store,
    pub(crate) options: &'a SyncOptions,
    pub(crate) progress: &'a dyn Progress,
    /// The caller's token.
    pub(crate) cancel: &'a CancelToken,
    /// Set when another stream failed.
    pub(crate) stop: &'a CancelToken,
}

/// A page fetched and decoded. Its items become JSON records, and when the store has a
/// [`Preparer`] its rows (one record's tree at a time), on a blocking thread started as
/// soon as the page arrives, so that work overlaps both the next request and the previous
/// page's write; the store's writer then only binds and writes.
struct Fetched {
    records: tokio::task::JoinHandle<Result<Decoded, DecodeFailed>>,
    checkpoint: Checkpoint,
    end: bool,
    /// The client clock just before the page was requested (Unix seconds).
    requested_at: i64,
    /// How far the export has come: the `end_time` of a time-based page, else the newest
    /// stamp on the page (for the ETA).
    position: Option<i64>,
    /// The client clock when the page arrived (taken on the fetch task, for the rate).
    received_at: zdkit::Timestamp,
}

/// Zendesk's exports leave out changes of the most recent minute.
pub(super) const EXPORT_LAG_SECS: i64 = 60;

/// Aborts the fetching task when the stream ends or its future is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl AbortOnDrop {
    /// Why the task ended (it has dropped its sender): a panic, or it ended early.
    async fn cause(&mut self) -> String {
        match (&mut self.0).await {
            Ok(()) => "the page stream ended without `end_of_stream`".to_owned(),
            Err(e) => super::join_cause(e),
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A page's items as the store takes them.
pub(crate) enum Decoded {
    /// JSON records, for [`Store::apply_page`].
    Records(Vec<Record>),
    /// Rows extracted by the store's [`Preparer`], for [`Store::apply_prepared`].
    Prepared(Box<PreparedPage>),
}

/// Why a page could not be made ready for the store.
pub(crate) enum DecodeFailed {
    Client(zdkit::Error),
    Store(StoreError),
}

fn fetched<T: ExportRecord + IntoRecord + Send + 'static>(
    mut page: ExportPage<T>,
    requested_at: i64,
    received_at: zdkit::Timestamp,
    identities: bool,
    prepare: Option<(Preparer, Stream)>,
) -> Fetched {
    let position = match &page.checkpoint {
        zdkit::export::Checkpoint::Time(t) => Some(*t),
        zdkit::export::Checkpoint::Cursor(_) => {
            page.items.iter().filter_map(|i| i.export_key().1).max()
        }
    };
    let items = page.items;
    let sideloaded = identities
        .then(|| page.sideloads.identities.take())
        .flatten();
    Fetched {
        records: tokio::task::spawn_blocking(move || {
            let mut by_user = match sideloaded.map(to_records).transpose() {
                Ok(s) => s.map(identities_by_user),
                Err(e) => return Err(DecodeFailed::Client(e)),
            };
            let Some((preparer, stream)) = prepare else {
                let records = to_records(items).map_err(DecodeFailed::Client)?;
                let attach = |mut record: Record| {
                    if let Some(by_user) = by_user.as_mut() {
                        attach_identities(&mut record, by_user);
                    }
                    record
                };
                return Ok(Decoded::Records(records.into_iter().map(attach).collect()));
            };
            // Each record's text goes to the preparer as it is; its rows are extracted
            // before the next is taken.
            let mut failed = None;
            let records = items.into_iter().map_while(|item| {
                let id = item.export_key().0;
                match item.into_text() {
                    Ok(text) => Some(match by_user.as_mut() {
                        Some(by_user) => {
                            let mine = i64::try_from(id)
                                .ok()
                                .and_then(|id| by_user.remove(&id))
                                .unwrap_or_default();
                            text.with_identities(mine)
                        }
                        None => text,
                    }),
                    Err(e) => {
                        failed = Some(e);
                        None
                    }
                }
            });
            let page = preparer.prepare(stream, records);
            if let Some(e) = failed {
                return Err(DecodeFailed::Client(e));
            }
            page.map(|p| Decoded::Prepared(Box::new(p)))
                .map_err(DecodeFailed::Store)
        }),
        checkpoint: Checkpoint::Export(page.checkpoint),
        end: page.end_of_stream,
        requested_at,
        position,
        received_at,
    }
}

/// The page's sideloaded identities by user id.
fn identities_by_user(all: Vec<Record>) -> HashMap<i64, Vec<serde_json::Value>> {
    let mut by_user: HashMap<i64, Vec<serde_json::Value>> = HashMap::new();
    for identity in all {
        if let Some(user) = identity.get("user_id").and_then(serde_json::Value::as_i64) {
            by_user.entry(user).or_default().push(identity);
        }
    }
    by_user
}

/// Gives a user record its identities from the page's `identities` sideload (an empty
/// array when it has none), as `identities`: the store moves them to their own table and
/// replaces the user's stored ones. Without the sideload nothing is attached (and the
/// stored identities are left alone).
fn attach_identities(record: &mut Record, by_user: &mut HashMap<i64, Vec<serde_json::Value>>) {
    let id = record.get("id").and_then(serde_json::Value::as_i64);
    if let (Some(id), Some(o)) = (id, record.as_object_mut()) {
        let mine = by_user.remove(&id).unwrap_or_default();
        o.insert("identities".into(), serde_json::Value::Array(mine));
    }
}

/// The client clock in Unix seconds.
pub(super) fn unix_now(client: &Client) -> i64 {
    i64::try_from(client.clock().now().unix_secs()).unwrap_or(i64::MAX)
}

impl Ctx<'_> {
    pub(crate) fn stopped(&self) -> bool {
        self.cancel.is_cancelled() || self.stop.is_cancelled()
    }

    pub(super) async fn wait_stopped(&self) {
        tokio::select! {
            () = self.cancel.cancelled() => {}
            () = self.stop.cancelled() => {}
        }
    }

    fn start<T: ExportRecord + Send + 'static>(
        &self,
        req: ExportRequest<T>,
        from: Option<&Checkpoint>,
    ) -> ExportRequest<T> {
        let req = req.per_page(self.options.per_page);
        match from.and_then(Checkpoint::export) {
            Some(cp) => req.resume(cp.clone()),
            None => req.start_time(self.options.since),
        }
    }

    /// Pages of `stream`, decoded into records on a task of their own, one page ahead.
    fn fetcher(
        &self,
        client: &Client,
        stream: Stream,
        from: Option<&Checkpoint>,
    ) -> (mpsc::Receiver<Result<Fetched, zdkit::Error>>, AbortOnDrop) {
        let inc = client.incremental();
        let (tx, rx) = mpsc::channel(1);
        // Tables with typed columns are prepared on the fetching side when the store can.
        let prepare = self
            .store
            .preparer()
            .filter(|_| stream.family().is_none())
            .map(|p| (p, stream));
        let task = match stream {
            Stream::Tickets => {
                let mut req = self.start(inc.tickets().decode_as::<TicketJson>(), from);
                if self.options.ticket_metrics {
                    req = req.include(&[SideloadName::MetricSets]);
                }
                spawn_fetch(client, req, tx, prepare)
            }
            Stream::Users => {
                let mut req = self.start(inc.users().decode_as::<UserJson>(), from);
                if self.options.user_identities {
                    req = req.include(&[SideloadName::Identities]);
                }
                spawn_fetch(client, req, tx, prepare)
            }
            Stream::Organizations => spawn_fetch(
                client,
                self.start(inc.organizations().decode_as::<OrganizationJson>(), from),
                tx,
                prepare,
            ),
            // The one exported catalogue family (`FamilyStream::is_export`).
            Stream::Family(_) => spawn_fetch(
                client,
                self.start(inc.ticket_metric_events(), from),
                tx,
                prepare,
            ),
            _ => {
                let mut req = self.start(inc.ticket_events(), from);
                if self.options.with_comments {
                    req = req.include(&[SideloadName::CommentEvents]);
                }
                spawn_fetch(client, req, tx, prepare)
            }
        };
        (rx, AbortOnDrop(task))
    }

    /// An incremental export from `from` (or `since`) to `end_of_stream`.
    pub(crate) async fn export_stream(
        &self,
        stream: Stream,
        from: Option<Checkpoint>,
    ) -> Result<StreamReport, SyncError> {
        let mut report = StreamReport::new(stream, from.clone());
        self.progress.event(&ProgressEvent::StreamStarted {
            stream,
            resume_from: from.as_ref(),
        });
        if self.stopped() {
            return Ok(self.finish(report));
        }
        let (client, mut waits) = super::pace::observed(self.client);
        // Every export draws from the one incremental-exports bucket.
        let mut pacer = Pacer::for_path(self.client, "/api/v2/incremental/");
        let (mut rx, mut fetch) = self.fetcher(&client, stream, from.as_ref());
        loop {
            let next = tokio::select! {
                biased;
                () = self.wait_stopped() => break,
                next = rx.recv() => next,
                Ok(()) = waits.changed() => {
                    self.report_wait(stream, &mut pacer, &mut report, &mut waits);
                    continue;
                }
            };
            let Some(page) = next else {
                // The fetcher sends until the page that says `end_of_stream` (which ends
                // this loop first) or an error: a closed channel means it died.
                return Err(SyncError::Worker {
                    stream,
                    task: "fetch",
                    cause: fetch.cause().await,
                });
            };
            let page = page.map_err(|source| SyncError::Client { stream, source })?;
            let end = page.end;
            let decoded = page
                .records
                .await
                .map_err(|e| SyncError::Worker {
                    stream,
                    task: "decode",
                    cause: super::join_cause(e),
                })?
                .map_err(|e| match e {
                    DecodeFailed::Client(source) => SyncError::Client { stream, source },
                    DecodeFailed::Store(source) => SyncError::Store { stream, source },
                })?;
            let checkpoint = page.checkpoint.clone();
            let stats = match decoded {
                Decoded::Records(records) => self.store.apply_page(stream, records, checkpoint),
                Decoded::Prepared(p) => self.store.apply_prepared(stream, *p, checkpoint),
            }
            .await
            .map_err(|source| SyncError::Store { stream, source })?;
            report.pages += 1;
            report.records += stats.received as u64;
            report.written += stats.written;
            report.comments_written += stats.comments_written;
            report.metrics_written += stats.metrics_written;
            report.identities_written += stats.identities_written;
            if end {
                // The last page of an export holds every change up to the request but
                // the most recent minute: a time export's `end_time` (its newest record)
                // can be far older when nothing changed since, so it is a lower bound.
                let lagged = page.requested_at.saturating_sub(EXPORT_LAG_SECS);
                report.complete_up_to = Some(match &page.checkpoint {
                    Checkpoint::Export(zdkit::export::Checkpoint::Time(t)) => (*t).max(lagged),
                    _ => lagged,
                });
            }
            report.checkpoint = Some(page.checkpoint);
            report.complete = end;
            let pace = pacer.page(
                page.received_at,
                PageFacts {
                    records: stats.received as u64,
                    position: page.position,
                    end,
                    pages_left: None,
                },
            );
            self.progress.event(&ProgressEvent::PageWritten {
                stream,
                page: stats,
                totals: &report,
                pace: &pace,
            });
            if end || self.stopped() {
                break;
            }
        }
        Ok(self.finish(report))
    }

    /// A full list (groups, ticket fields), written in one page with a `Done` checkpoint.
    pub(crate) async fn list_stream(&self, stream: Stream) -> Result<StreamReport, SyncError> {
        let mut report = StreamReport::new(stream, None);
        self.progress.event(&ProgressEvent::StreamStarted {
            stream,
            resume_from: None,
        });
        if self.stopped() {
            return Ok(self.finish(report));
        }
        let at = i64::try_from(self.client.clock().now().unix_secs()).unwrap_or(i64::MAX);
        let (client, mut waits) = super::pace::observed(self.client);
        let path = match stream {
            Stream::Groups => "/api/v2/groups",
            _ => "/api/v2/ticket_fields",
        };
        let mut pacer = Pacer::for_path(self.client, path);
        let fetch = async {
            match stream {
                Stream::Groups => list_all(client.groups().list()).await,
                _ => list_all(client.ticket_fields().list()).await,
            }
        };
        tokio::pin!(fetch);
        let (records, pages) = loop {
            tokio::select! {
                biased;
                () = self.wait_stopped() => return Ok(self.finish(report)),
                r = &mut fetch => break r.map_err(|source| SyncError::Client { stream, source })?,
                Ok(()) = waits.changed() => {
                    self.report_wait(stream, &mut pacer, &mut report, &mut waits);
                }
            }
        };
        let checkpoint = Checkpoint::Done { at };
        let stats = self
            .store
            .apply_page(stream, records, checkpoint.clone())
            .await
            .map_err(|source| SyncError::Store { stream, source })?;
        report.pages = pages;
        report.records = stats.received as u64;
        report.written = stats.written;
        report.checkpoint = Some(checkpoint);
        report.complete = true;
        report.complete_up_to = Some(at);
        let pace = pacer.page(
            self.client.clock().now(),
            PageFacts {
                records: stats.received as u64,
                position: None,
                end: true,
                pages_left: None,
            },
        );
        self.progress.event(&ProgressEvent::PageWritten {
            stream,
            page: stats,
            totals: &report,
            pace: &pace,
        });
        Ok(self.finish(report))
    }

    /// Reports the wait just announced on `waits` as [`ProgressEvent::Waiting`] and counts
    /// it in the stream's totals.
    pub(super) fn report_wait(
        &self,
        stream: Stream,
        pacer: &mut Pacer,
        report: &mut StreamReport,
        waits: &mut tokio::sync::watch::Receiver<Option<zdkit::ratelimit::BudgetWait>>,
    ) {
        let Some(wait) = waits.borrow_and_update().clone() else {
            return;
        };
        let pace = pacer.wait(&wait);
        report.waited = pacer.waited();
        report.waited_on = Some(wait.bucket.clone());
        self.progress.event(&ProgressEvent::Waiting {
            stream,
            wait: &wait,
            totals: report,
            pace: &pace,
        });
    }

    pub(super) fn finish(&self, report: StreamReport) -> StreamReport {
        self.progress.event(&ProgressEvent::StreamFinished {
            stream: report.stream,
            totals: &report,
        });
        report
    }
}

fn spawn_fetch<T: ExportRecord + IntoRecord + Send + 'static>(
    client: &Client,
    req: ExportRequest<T>,
    tx: mpsc::Sender<Result<Fetched, zdkit::Error>>,
    prepare: Option<(Preparer, Stream)>,
) -> tokio::task::JoinHandle<()> {
    let client = client.clone();
    let identities = req
        .params()
        .include
        .as_deref()
        .is_some_and(|i| i.split(',').any(|n| n == "identities"));
    tokio::spawn(async move {
        let mut pages = req.stream_pages();
        // Request the next page only once the channel is empty, i.e. the writer has taken
        // the previous one: at most two pages in memory (one being written, one fetched).
        while let Ok(slot) = tx.reserve().await {
            let requested_at = unix_now(&client);
            let Some(page) = pages.next().await else {
                break;
            };
            let page = page.map(|p| {
                let now = client.clock().now();
                fetched(p, requested_at, now, identities, prepare.clone())
            });
            let last = page.as_ref().map_or(true, |p| p.end);
            slot.send(page);
            if last {
                break;
            }
        }
    })
}

/// The most records a whole-list stream (groups, ticket fields) holds in memory before it
/// gives up: far above any real account, far below memory trouble on a server that
/// invents pages forever (the library's walk already stops cycles and empty runs).
const MAX_LIST_RECORDS: usize = 200_000;

/// Every page of a list: the records and the number of pages.
async fn list_all<T: Resource + IntoRecord + Send + 'static>(
    req: ListRequest<T>,
) -> Result<(Vec<Record>, u64), zdkit::Error> {
    let mut pages = req.page_size(100).pages();
    let mut records = Vec::new();
    let mut n = 0;
    while let Some(page) = pages.try_next().await? {
        n += 1;
        records.extend(to_records(page.items)?);
        if records.len() > MAX_LIST_RECORDS {
            return Err(zdkit::Error::Incomplete(format!(
                "the list still had more after {} records in {n} pages; giving up",
                records.len()
            )));
        }
    }
    Ok((records, n))
}
