//! Full refresh of a catalogue family that has no change cursor: walk the whole list
//! (cursor pages where the family has them, offset pages otherwise, or its one response),
//! commit each page with a [`Checkpoint::Refresh`] naming the next page, and let the page
//! that completes the walk mark the rows the walk did not see deleted (the store does it
//! in the same transaction). A killed walk resumes at its stored next page with the same
//! walk number, so rows it had already seen stay seen.
//!
//! A family the account does not have (403 or 404 on the first page: a plan without SLA
//! policies, an account without Talk) is reported [`StreamReport::unavailable`] and leaves
//! its table as it was; it does not fail the run.

use serde_json::Value;
use zdkit_catalog::PageDefault;

use super::pace::{Pacer, PageFacts};
use super::streams::Ctx;
use super::{ProgressEvent, StreamReport, SyncError};
use crate::store::{Checkpoint, FamilyStream, Stream};

/// The first request of a walk: the family's path with its page-size parameter (`size`,
/// capped at the family's largest).
pub(crate) fn first_page(f: FamilyStream, size: u32) -> String {
    let fam = f.family();
    let size = size.clamp(1, fam.paging.max_page_size.clamp(1, 100));
    let query = match fam.paging.default {
        PageDefault::Cursor => format!("?page%5Bsize%5D={size}"),
        PageDefault::Offset if fam.paging.cursor => format!("?page%5Bsize%5D={size}"),
        PageDefault::Offset => format!("?per_page={size}"),
        PageDefault::All => String::new(),
    };
    format!("/api/v2/{}{query}", fam.path)
}

/// Statuses that say the family is not on this account (first page of a fresh walk).
fn unavailable(e: &zdkit::Error) -> bool {
    matches!(e.status(), Some(403 | 404))
}

/// Statuses that say a stored next-page URL no longer works (an expired cursor).
fn stale(e: &zdkit::Error) -> bool {
    matches!(e.status(), Some(400 | 404 | 422))
}

impl Ctx<'_> {
    /// One full refresh of `family`, resumed from `from` when it was interrupted.
    pub(super) async fn refresh_stream(
        &self,
        family: FamilyStream,
        from: Option<Checkpoint>,
    ) -> Result<StreamReport, SyncError> {
        let stream = Stream::Family(family);
        let mut report = StreamReport::new(stream, from.clone());
        self.progress.event(&ProgressEvent::StreamStarted {
            stream,
            resume_from: from.as_ref(),
        });
        let first = first_page(family, self.options.per_page);
        let (walk_no, mut resumed) = match &from {
            Some(Checkpoint::Refresh {
                walk,
                next: Some(next),
            }) => (*walk, Some(next.clone())),
            Some(Checkpoint::Refresh { walk, next: None }) => (walk.saturating_add(1), None),
            _ => (1, None),
        };
        let client_err = |source| SyncError::Client { stream, source };
        let base = self.client.base_url();
        let mut walk = zdkit::pagination::Walk::new(base);
        let mut url = match &resumed {
            // A stored link is checked again: the store is not the server, but neither is
            // it this process.
            Some(next) => zdkit::origin::check_link(base, next)
                .map_err(client_err)?
                .to_string(),
            None => first.clone(),
        };
        walk.start(&url);
        let started = super::streams::unix_now(self.client);
        let resumed_walk = resumed.is_some();
        let (client, mut waits) = super::pace::observed(self.client);
        let mut pacer = Pacer::for_path(self.client, &first);
        loop {
            if self.stopped() {
                break;
            }
            let request = client.get(&url).send();
            tokio::pin!(request);
            let got = loop {
                tokio::select! {
                    biased;
                    () = self.wait_stopped() => return Ok(self.finish(report)),
                    r = &mut request => break r.and_then(|r| r.json::<Value>()),
                    Ok(()) = waits.changed() => {
                        self.report_wait(stream, &mut pacer, &mut report, &mut waits);
                    }
                }
            };
            let mut page = match got {
                Ok(p) => p,
                Err(e) if resumed.is_some() && report.pages == 0 && stale(&e) => {
                    // The stored position expired: walk again from the first page, under
                    // the same walk number (what was seen stays seen).
                    tracing::warn!(stream = %stream, error = %e, "stored page no longer valid; restarting the walk");
                    resumed = None;
                    url = first.clone();
                    walk = zdkit::pagination::Walk::new(base);
                    walk.start(&url);
                    continue;
                }
                Err(e) if from.is_none() && report.pages == 0 && unavailable(&e) => {
                    report.unavailable = Some(e.to_string());
                    report.complete = true;
                    break;
                }
                Err(e) => return Err(client_err(e)),
            };
            let plural = family.family().plural;
            let records = match page.get_mut(plural).map(Value::take) {
                Some(Value::Array(items)) => items,
                _ => {
                    return Err(client_err(zdkit::Error::Incomplete(format!(
                        "the {} page has no `{plural}` array",
                        family.name()
                    ))))
                }
            };
            // The next-page rule reads the page's paging fields (the records are taken
            // out, so count them back in by hand).
            let items = records.len();
            // Offset pages say how many records the list has: the pages left follow.
            let total = page.get("count").and_then(Value::as_u64);
            page[plural] = Value::Array(Vec::new());
            let next = next_page(&mut walk, &page, items, base, &first).map_err(client_err)?;
            let end = next.is_none();
            // Stored as a path on the account (`/api/v2/macros?page[after]=…`): the link
            // was origin-checked, and a path stays valid if the base URL is spelled anew.
            let origin = base.as_str().trim_end_matches('/');
            let checkpoint = Checkpoint::Refresh {
                walk: walk_no,
                next: next
                    .as_deref()
                    .map(|n| n.strip_prefix(origin).unwrap_or(n).to_owned()),
            };
            let stats = self
                .store
                .apply_page(stream, records, checkpoint.clone())
                .await
                .map_err(|source| SyncError::Store { stream, source })?;
            report.pages += 1;
            report.records += stats.received as u64;
            report.written += stats.written;
            report.checkpoint = Some(checkpoint);
            report.complete = end;
            // A walk resumed from an earlier run holds pages of that run: no claim.
            if end && !resumed_walk {
                report.complete_up_to = Some(started);
            }
            let pages_left = total.filter(|_| items > 0 && !resumed_walk).map(|n| {
                let left = n.saturating_sub(report.records);
                left.div_ceil(items as u64)
            });
            let pace = pacer.page(
                self.client.clock().now(),
                PageFacts {
                    records: stats.received as u64,
                    position: None,
                    end,
                    pages_left,
                },
            );
            self.progress.event(&ProgressEvent::PageWritten {
                stream,
                page: stats,
                totals: &report,
                pace: &pace,
            });
            match next {
                Some(n) => url = n,
                None => break,
            }
        }
        Ok(self.finish(report))
    }
}

/// The next page of a walk by the library's one rule, given the page (records removed)
/// and how many records it had.
fn next_page(
    walk: &mut zdkit::pagination::Walk,
    page: &Value,
    items: usize,
    base: &url::Url,
    first: &str,
) -> Result<Option<String>, zdkit::Error> {
    let s = |p: &str| page.pointer(p).and_then(Value::as_str);
    if let Some(meta) = page.get("meta").filter(|m| m.get("has_more").is_some()) {
        let next = walk.cursor_list(
            meta.get("has_more").and_then(Value::as_bool),
            meta.get("after_cursor").and_then(Value::as_str),
            s("/links/next"),
            items,
        )?;
        return match next {
            zdkit::pagination::NextPage::Url(u) => Ok(Some(u)),
            zdkit::pagination::NextPage::Done => Ok(None),
            zdkit::pagination::NextPage::After(c) => {
                // No `links.next`: the first request again, after the cursor.
                let mut url = zdkit::origin::resolve(base, first)?;
                url.query_pairs_mut().append_pair("page[after]", &c);
                Ok(Some(url.to_string()))
            }
        };
    }
    match walk.offset_list(s("/next_page"), items)? {
        zdkit::pagination::NextPage::Url(u) => Ok(Some(u)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_pages_follow_the_catalogue_paging() {
        let f = |n: &str| first_page(FamilyStream::get(n).unwrap(), 1000);
        assert_eq!(f("macros"), "/api/v2/macros?page%5Bsize%5D=100");
        assert_eq!(f("sla_policies"), "/api/v2/slas/policies");
        assert_eq!(
            f("phone_numbers"),
            "/api/v2/channels/voice/phone_numbers?per_page=100"
        );
        assert_eq!(f("webhooks"), "/api/v2/webhooks?page%5Bsize%5D=100");
        let macros = FamilyStream::get("macros").unwrap();
        assert_eq!(first_page(macros, 20), "/api/v2/macros?page%5Bsize%5D=20");
    }
}
