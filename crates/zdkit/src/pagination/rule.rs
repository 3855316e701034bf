//! The one next-page rule: a [`Walk`] decides, page after page, where the next page is,
//! for each page-info type Zendesk uses, and refuses to go anywhere unsafe or endless.
//!
//! | page info | continue while | next position |
//! | --- | --- | --- |
//! | cursor list (`meta`, `links`; also search export) | `meta.has_more == true` | `links.next`, else `page[after]=<after_cursor>` |
//! | offset list (`next_page`, `count`; plain search) | `next_page` non-null | `next_page` |
//! | cursor export (`after_cursor`, `after_url`, `end_of_stream`) | `end_of_stream == false` | `cursor=<after_cursor>` (raw: `after_url`) |
//! | time export (`end_time`, `next_page`, `end_of_stream`) | `end_of_stream == false` | `start_time=<end_time>` (raw: `next_page`) |
//!
//! Every walk (typed streams, exports, the sync engine through them, and `zd api
//! --paginate` through [`Walk::raw`]) goes through the same checks:
//! * every link is origin-checked ([`crate::origin::check_link`]) before it is followed:
//!   scheme-relative, backslash and control-character-smuggled links are refused;
//! * a cycle of any length is an error: every followed URL and every cursor is remembered
//!   (as a 64-bit hash: 16 bytes a page) and a repeat stops the walk;
//! * a time export's `end_time` must strictly increase;
//! * a run of more than [`WalkLimits::max_empty_run`] empty pages that still claim more is
//!   an error (a fresh cursor each time never ends otherwise);
//! * more than [`WalkLimits::max_pages`] pages is an error (bounded memory and time on a
//!   server that invents pages forever).
//!
//! Each refusal is an [`Error::Incomplete`] naming what repeated or which link was refused.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use serde_json::Value;
use url::Url;

use crate::error::Error;
use crate::export::Checkpoint;
use crate::models::ListInfo;

/// Bounds of one walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkLimits {
    /// Consecutive empty pages that still say "more" before the walk gives up. Default 50.
    pub max_empty_run: u32,
    /// Pages before the walk gives up. Default 1,000,000 (a billion records at 1,000 a
    /// page; the remembered positions then take 16 MB).
    pub max_pages: u64,
}

impl Default for WalkLimits {
    fn default() -> Self {
        WalkLimits {
            max_empty_run: 50,
            max_pages: 1_000_000,
        }
    }
}

/// Where the next page of a list is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextPage {
    /// Request this URL next (`links.next` or `next_page`), already origin-checked.
    Url(String),
    /// Re-send the first request with `page[after]=<cursor>` (no `links.next` given).
    After(String),
    /// The list is complete.
    Done,
}

/// What an export page says about the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportStep {
    /// Request from this checkpoint next.
    Next(Checkpoint),
    /// `end_of_stream`: the export is complete for now; resume later from this.
    End(Checkpoint),
}

/// The state of one paginated walk (see the module docs). Create one per walk with the
/// client's base URL, tell it the first request with [`Walk::start`], then feed it each
/// page.
#[derive(Debug, Clone)]
pub struct Walk {
    base: Url,
    limits: WalkLimits,
    seen: HashSet<u64, BuildHasherDefault<IdentityHasher>>,
    pages: u64,
    empty_run: u32,
    /// The position just requested (a checkpoint, for exports).
    at: Option<Checkpoint>,
}

/// The values are already hashes.
#[derive(Default)]
struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

fn hash(kind: u8, s: &str) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one((kind, s))
}

impl Walk {
    /// A walk of pages served from `base` (the client's [`crate::Client::base_url`]).
    pub fn new(base: &Url) -> Self {
        Self::with_limits(base, WalkLimits::default())
    }

    /// A walk with explicit bounds.
    pub fn with_limits(base: &Url, limits: WalkLimits) -> Self {
        Walk {
            base: base.clone(),
            limits,
            seen: HashSet::default(),
            pages: 0,
            empty_run: 0,
            at: None,
        }
    }

    /// Record the first request (a path or URL) so a link back to it counts as a cycle.
    pub fn start(&mut self, first: &str) {
        if let Ok(url) = crate::origin::resolve(&self.base, first) {
            self.seen.insert(hash(b'u', url.as_str()));
        }
    }

    /// Record the first position of an export.
    pub fn start_at(&mut self, at: Checkpoint) {
        if let Checkpoint::Cursor(c) = &at {
            self.seen.insert(hash(b'c', c));
        }
        self.at = Some(at);
    }

    /// Pages received so far.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    fn count(&mut self, items: usize, more: bool) -> Result<(), Error> {
        self.pages += 1;
        if !more {
            return Ok(());
        }
        if self.pages >= self.limits.max_pages {
            return Err(Error::Incomplete(format!(
                "pagination gave up after {} pages (the page limit); the server keeps saying there is more",
                self.pages
            )));
        }
        if items == 0 {
            self.empty_run += 1;
            if self.empty_run > self.limits.max_empty_run {
                return Err(Error::Incomplete(format!(
                    "pagination gave up after {} empty pages in a row that each claimed more",
                    self.empty_run
                )));
            }
        } else {
            self.empty_run = 0;
        }
        Ok(())
    }

    fn follow(&mut self, link: &str) -> Result<String, Error> {
        let url = crate::origin::check_link(&self.base, link)?;
        if !self.seen.insert(hash(b'u', url.as_str())) {
            return Err(Error::Incomplete(format!(
                "pagination loops: the next-page link {} was already followed",
                crate::text::escape_control(&format!("{link:?}"))
            )));
        }
        Ok(url.into())
    }

    fn cursor(&mut self, cursor: &str, what: &str) -> Result<(), Error> {
        if !self.seen.insert(hash(b'c', cursor)) {
            return Err(Error::Incomplete(format!(
                "pagination loops: the {what} {} came back again",
                crate::text::escape_control(&format!("{cursor:?}"))
            )));
        }
        Ok(())
    }

    /// The rule of cursor lists (`meta` + `links`, search export included).
    pub fn cursor_list(
        &mut self,
        has_more: Option<bool>,
        after_cursor: Option<&str>,
        next: Option<&str>,
        items: usize,
    ) -> Result<NextPage, Error> {
        let more = has_more == Some(true);
        self.count(items, more)?;
        if !more {
            return Ok(NextPage::Done);
        }
        if let Some(c) = after_cursor {
            self.cursor(c, "after_cursor")?;
        }
        match (next, after_cursor) {
            (Some(next), _) => self.follow(next).map(NextPage::Url),
            (None, Some(c)) => Ok(NextPage::After(c.to_owned())),
            (None, None) => Err(Error::Incomplete(
                "a page says has_more but gives neither links.next nor an after_cursor".into(),
            )),
        }
    }

    /// The rule of offset lists (`next_page`).
    pub fn offset_list(
        &mut self,
        next_page: Option<&str>,
        items: usize,
    ) -> Result<NextPage, Error> {
        self.count(items, next_page.is_some())?;
        match next_page {
            Some(next) => self.follow(next).map(NextPage::Url),
            None => Ok(NextPage::Done),
        }
    }

    /// The rule of an ordinary list page: cursor when `meta` is present, the time-export
    /// rule when `end_of_stream` is (a list answered as a time-based export, following
    /// its `next_page`), else offset.
    pub fn list(&mut self, info: &ListInfo, items: usize) -> Result<NextPage, Error> {
        if let (None, Some(eos)) = (&info.meta, info.end_of_stream) {
            return match self.time_export(info.end_time, eos, items)? {
                ExportStep::End(_) => Ok(NextPage::Done),
                ExportStep::Next(_) => match info.next_page.as_deref() {
                    Some(next) => self.follow(next).map(NextPage::Url),
                    None => Err(Error::Incomplete(
                        "the export page is not the end but names no next page".into(),
                    )),
                },
            };
        }
        match &info.meta {
            Some(meta) => self.cursor_list(
                meta.has_more,
                meta.after_cursor.as_deref(),
                info.links.as_ref().and_then(|l| l.next.as_deref()),
                items,
            ),
            None => self.offset_list(info.next_page.as_deref(), items),
        }
    }

    /// The rule of cursor exports. The position requested is the one given to
    /// [`Walk::start_at`] or returned by the previous step.
    pub fn cursor_export(
        &mut self,
        after_cursor: Option<&str>,
        end_of_stream: bool,
        items: usize,
    ) -> Result<ExportStep, Error> {
        self.count(items, !end_of_stream)?;
        let requested = self.at.clone().unwrap_or(Checkpoint::Time(0));
        let step = match (after_cursor, end_of_stream) {
            (Some(a), true) => ExportStep::End(Checkpoint::Cursor(a.to_owned())),
            // No new cursor at the end: resume from where this request started.
            (None, true) => ExportStep::End(requested),
            (Some(a), false) => {
                self.cursor(a, "export cursor")?;
                ExportStep::Next(Checkpoint::Cursor(a.to_owned()))
            }
            (None, false) => {
                return Err(Error::Incomplete(
                    "the export page has no after_cursor but is not the end of the stream".into(),
                ))
            }
        };
        if let ExportStep::Next(c) = &step {
            self.at = Some(c.clone());
        }
        Ok(step)
    }

    /// The rule of time exports: `end_time` must move past the `start_time` requested.
    pub fn time_export(
        &mut self,
        end_time: Option<i64>,
        end_of_stream: bool,
        items: usize,
    ) -> Result<ExportStep, Error> {
        self.count(items, !end_of_stream)?;
        let requested = match &self.at {
            Some(Checkpoint::Time(t)) => *t,
            _ => 0,
        };
        let step = match (end_time, end_of_stream) {
            (Some(e), true) => ExportStep::End(Checkpoint::Time(e)),
            (None, true) => ExportStep::End(Checkpoint::Time(requested)),
            (Some(e), false) if e > requested => ExportStep::Next(Checkpoint::Time(e)),
            (e, false) => {
                return Err(Error::Incomplete(format!(
                "the export stopped advancing: end_time {e:?} after start_time {requested} before end_of_stream"
            )))
            }
        };
        if let ExportStep::Next(c) = &step {
            self.at = Some(c.clone());
        }
        Ok(step)
    }

    /// The rule for a page as raw JSON (`zd api --paginate`): picks the page-info type from
    /// the keys present and applies its rule, following the link the page gives. Returns
    /// the next URL to request, origin-checked, or `None` at the end.
    ///
    /// ```
    /// use zdkit::pagination::Walk;
    /// let base = url::Url::parse("https://acme.zendesk.com").unwrap();
    /// let mut walk = Walk::new(&base);
    /// walk.start("/api/v2/tickets");
    /// let page = serde_json::json!({"tickets": [{"id": 1}], "meta": {"has_more": true,
    ///     "after_cursor": "a1"}, "links": {"next": "//evil.example/api/v2/tickets"}});
    /// assert!(walk.raw(&page).unwrap_err().to_string().contains("evil.example"));
    /// ```
    pub fn raw(&mut self, page: &Value) -> Result<Option<String>, Error> {
        let s = |p: &str| page.pointer(p).and_then(Value::as_str);
        let items = items_in(page);
        if let Some(eos) = page.get("end_of_stream") {
            let eos = eos.as_bool().unwrap_or(true);
            let is_cursor = page.get("after_cursor").is_some() || page.get("after_url").is_some();
            let step = if is_cursor {
                self.cursor_export(s("/after_cursor"), eos, items)?
            } else {
                let end_time = page.get("end_time").and_then(Value::as_i64);
                self.time_export(end_time, eos, items)?
            };
            return match step {
                ExportStep::End(_) => Ok(None),
                ExportStep::Next(_) => {
                    let link = if is_cursor {
                        s("/after_url")
                    } else {
                        s("/next_page")
                    };
                    let link = link.ok_or_else(|| {
                        Error::Incomplete(
                            "the export page is not the end but names no next page".into(),
                        )
                    })?;
                    self.follow(link).map(Some)
                }
            };
        }
        if let Some(meta) = page.get("meta").filter(|m| m.get("has_more").is_some()) {
            let next = self.cursor_list(
                meta.get("has_more").and_then(Value::as_bool),
                meta.get("after_cursor").and_then(Value::as_str),
                s("/links/next"),
                items,
            )?;
            return match next {
                NextPage::Url(u) => Ok(Some(u)),
                NextPage::Done => Ok(None),
                NextPage::After(c) => Err(Error::Incomplete(format!(
                    "the page says has_more but has no links.next; continue with page[after]={}",
                    crate::text::escape_control(&c)
                ))),
            };
        }
        match self.offset_list(s("/next_page"), items)? {
            NextPage::Url(u) => Ok(Some(u)),
            _ => Ok(None),
        }
    }
}

/// The length of the largest array at the top level of a raw page (its records).
fn items_in(page: &Value) -> usize {
    page.as_object()
        .map(|o| {
            o.values()
                .filter_map(Value::as_array)
                .map(Vec::len)
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn walk() -> Walk {
        let mut w = Walk::new(&Url::parse("http://h").unwrap());
        w.start("/api/v2/tickets?page%5Bsize%5D=1");
        w
    }

    #[test]
    fn cursor_lists_follow_links_next_while_has_more() {
        let mut w = walk();
        assert_eq!(
            w.cursor_list(Some(true), Some("a1"), Some("http://h/p?after=a1"), 1)
                .unwrap(),
            NextPage::Url("http://h/p?after=a1".into())
        );
        assert_eq!(
            w.cursor_list(Some(false), Some("a2"), Some("http://h/next"), 1)
                .unwrap(),
            NextPage::Done
        );
        let mut w = walk();
        assert_eq!(
            w.cursor_list(Some(true), Some("a2"), None, 0).unwrap(),
            NextPage::After("a2".into())
        );
        assert!(w.cursor_list(Some(true), None, None, 0).is_err());
    }

    #[test]
    fn two_alternating_cursors_are_a_loop() {
        let mut w = walk();
        w.cursor_list(Some(true), Some("a"), Some("http://h/p?c=a"), 1)
            .unwrap();
        w.cursor_list(Some(true), Some("b"), Some("http://h/p?c=b"), 1)
            .unwrap();
        let e = w
            .cursor_list(Some(true), Some("a"), Some("http://h/p?c=a"), 1)
            .unwrap_err();
        assert!(e.to_string().contains("loops"), "{e}");
        // A link back to the first request is a loop too.
        let mut w = walk();
        assert!(w
            .offset_list(Some("http://h/api/v2/tickets?page%5Bsize%5D=1"), 1)
            .is_err());
    }

    #[test]
    fn a_run_of_empty_pages_with_has_more_ends() {
        let mut w = walk();
        let mut err = None;
        for i in 0..1000 {
            let c = format!("c{i}");
            if let Err(e) = w.cursor_list(Some(true), Some(&c), None, 0) {
                err = Some(e);
                break;
            }
        }
        let e = err.expect("gave up");
        assert!(e.to_string().contains("51 empty pages"), "{e}");
    }

    #[test]
    fn a_page_cap_bounds_endless_walks() {
        let limits = WalkLimits {
            max_empty_run: 5,
            max_pages: 10,
        };
        let mut w = Walk::with_limits(&Url::parse("http://h").unwrap(), limits);
        let r: Result<Vec<_>, _> = (0..20)
            .map(|i| w.cursor_list(Some(true), Some(&format!("c{i}")), None, 1))
            .collect();
        assert!(r.unwrap_err().to_string().contains("10 pages"));
    }

    #[test]
    fn foreign_links_are_refused() {
        for evil in [
            "//127.0.0.2/x",
            "/\\127.0.0.2/x",
            "/\t/127.0.0.2/x",
            "http://other/x",
        ] {
            let mut w = walk();
            assert!(w.offset_list(Some(evil), 1).is_err(), "{evil:?}");
            let mut w = walk();
            assert!(w.raw(&json!({"x": [1], "next_page": evil})).is_err());
        }
    }

    #[test]
    fn exports_stop_at_end_of_stream_and_refuse_to_loop() {
        let mut w = walk();
        w.start_at(Checkpoint::Time(0));
        assert_eq!(
            w.cursor_export(Some("a"), false, 1).unwrap(),
            ExportStep::Next(Checkpoint::Cursor("a".into()))
        );
        assert_eq!(
            w.cursor_export(Some("b"), false, 1).unwrap(),
            ExportStep::Next(Checkpoint::Cursor("b".into()))
        );
        assert!(w.cursor_export(Some("a"), false, 1).is_err());
        let mut w = walk();
        w.start_at(Checkpoint::Cursor("a".into()));
        assert_eq!(
            w.cursor_export(Some("a"), true, 0).unwrap(),
            ExportStep::End(Checkpoint::Cursor("a".into()))
        );
        let mut w = walk();
        w.start_at(Checkpoint::Cursor("a".into()));
        assert_eq!(
            w.cursor_export(None, true, 0).unwrap(),
            ExportStep::End(Checkpoint::Cursor("a".into()))
        );
        let mut w = walk();
        w.start_at(Checkpoint::Time(100));
        assert_eq!(
            w.time_export(Some(200), false, 1).unwrap(),
            ExportStep::Next(Checkpoint::Time(200))
        );
        assert!(w.time_export(Some(200), false, 1).is_err());
        let mut w = walk();
        w.start_at(Checkpoint::Time(100));
        assert_eq!(
            w.time_export(Some(100), true, 0).unwrap(),
            ExportStep::End(Checkpoint::Time(100))
        );
    }

    #[test]
    fn raw_pages_of_every_style() {
        let mut w = walk();
        assert_eq!(
            w.raw(
                &json!({"meta":{"has_more":true,"after_cursor":"x"},"links":{"next":"http://h/u"}})
            )
            .unwrap()
            .as_deref(),
            Some("http://h/u")
        );
        assert_eq!(
            w.raw(&json!({"meta":{"has_more":false},"links":{"next":"http://h/v"}}))
                .unwrap(),
            None
        );
        let mut w = walk();
        assert_eq!(
            w.raw(&json!({"next_page":"http://h/p"}))
                .unwrap()
                .as_deref(),
            Some("http://h/p")
        );
        assert_eq!(w.raw(&json!({"next_page":null})).unwrap(), None);
        let mut w = walk();
        assert_eq!(
            w.raw(
                &json!({"end_of_stream":false,"after_cursor":"c","after_url":"http://h/a","x":[1]})
            )
            .unwrap()
            .as_deref(),
            Some("http://h/a")
        );
        let mut w = walk();
        assert_eq!(
            w.raw(&json!({"end_of_stream":false,"end_time":5,"next_page":"http://h/n","x":[1]}))
                .unwrap()
                .as_deref(),
            Some("http://h/n")
        );
        assert_eq!(
            w.raw(&json!({"end_of_stream":true,"end_time":6,"next_page":"http://h/n2"}))
                .unwrap(),
            None
        );
    }
}
