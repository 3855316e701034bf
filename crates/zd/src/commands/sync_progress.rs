//! `zd sync`'s progress on stderr: bars on a terminal, one line per event otherwise, JSON
//! lines with `--progress json`, nothing with `--quiet`. Each stream shows its records,
//! rate, the bucket it waits on and for how long, and its ETA (from the engine's
//! [`StreamPace`]; the format is in docs/design/sync.md).

use std::collections::BTreeMap;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Value};
use zdkit::ratelimit::BudgetWait;
use zdkit::Client;
use zdkit_sync::backfill::{BackfillEvent, RouteTotals};
use zdkit_sync::engine::{Progress, ProgressEvent, StreamPace, StreamReport};
use zdkit_sync::store::Stream;

use super::sync_controls::format_utc;
use crate::output;

/// How progress is shown (`--progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    /// Bars on a terminal, lines otherwise.
    Auto,
    /// One line per event.
    Lines,
    /// One JSON object per event.
    Json,
    /// Nothing.
    None,
}

/// Progress on stderr.
pub struct Reporter {
    client: Client,
    mode: Mode,
}

enum Mode {
    Quiet,
    Lines,
    Json,
    Bars {
        multi: MultiProgress,
        client_bar: ProgressBar,
        bars: Mutex<BTreeMap<Stream, ProgressBar>>,
        search_bar: Mutex<Option<ProgressBar>>,
    },
}

/// Waits shorter than this are not worth a line of their own (they are still counted).
const WAIT_LINE_SECS: f64 = 1.0;

impl Reporter {
    /// A reporter for `mode` (`--quiet` is [`ProgressMode::None`]).
    pub fn new(client: Client, mode: ProgressMode) -> Reporter {
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let mode = match mode {
            ProgressMode::None => Mode::Quiet,
            ProgressMode::Json => Mode::Json,
            ProgressMode::Lines => Mode::Lines,
            ProgressMode::Auto if !terminal => Mode::Lines,
            ProgressMode::Auto => {
                let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
                let client_bar = multi.add(ProgressBar::new_spinner());
                client_bar.set_style(style());
                client_bar.set_prefix("client");
                Mode::Bars {
                    multi,
                    client_bar,
                    bars: Mutex::new(BTreeMap::new()),
                    search_bar: Mutex::new(None),
                }
            }
        };
        Reporter { client, mode }
    }

    fn client_line(&self) -> String {
        let s = self.client.stats();
        format!(
            "{} requests, {:.1}s waiting for budget, {} 429s, {} retries",
            s.requests,
            s.budget_wait().as_secs_f64(),
            s.rate_limited,
            s.retries
        )
    }

    /// Removes the bars (before the summary is printed).
    pub fn clear(&self) {
        if let Mode::Bars { multi, .. } = &self.mode {
            let _ = multi.clear();
        }
    }

    /// The plan before it runs; the search-export route's progress.
    fn backfill_event(&self, event: &BackfillEvent<'_>) {
        let line = match event {
            BackfillEvent::Planned { plan } => plan.to_string(),
            BackfillEvent::SearchPage { totals } => {
                format!("search export: {}", search_line(totals))
            }
            BackfillEvent::CatchUp => {
                "backfill: slices done; the incremental exports catch up".to_owned()
            }
            BackfillEvent::CommentPage { totals, .. } => {
                let n = totals.walk_pages + totals.archived_fetched + totals.prefix_pages;
                if n % 100 != 0 || !matches!(self.mode, Mode::Lines) {
                    return;
                }
                format!(
                    "comments: audits walk {} pages, archived {}/{} per ticket, events export {} pages",
                    totals.walk_pages,
                    totals.archived_fetched,
                    totals.archived_total,
                    totals.prefix_pages
                )
            }
            _ => return,
        };
        match &self.mode {
            Mode::Quiet => {}
            Mode::Lines => output::note(&format!("sync: {line}")),
            Mode::Json => json_line(&json!({"event": "backfill", "message": line})),
            Mode::Bars {
                multi, search_bar, ..
            } => match event {
                BackfillEvent::SearchPage { totals } => {
                    let mut bar = search_bar.lock().unwrap_or_else(|p| p.into_inner());
                    let bar = bar.get_or_insert_with(|| {
                        let b = multi.add(ProgressBar::new_spinner());
                        b.set_style(style());
                        b.set_prefix("search export");
                        b
                    });
                    bar.set_message(search_line(totals));
                    bar.tick();
                }
                _ => multi.suspend(|| output::note(&line)),
            },
        }
    }

    fn set_bar(&self, stream: Stream, message: String, finish: bool) {
        if let Mode::Bars {
            client_bar, bars, ..
        } = &self.mode
        {
            let bars = bars.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(bar) = bars.get(&stream) {
                if finish {
                    bar.finish_with_message(message);
                } else {
                    bar.set_message(message);
                    bar.tick();
                }
            }
            client_bar.set_message(self.client_line());
            client_bar.tick();
        }
    }
}

fn search_line(t: &RouteTotals) -> String {
    format!(
        "{}/{} slices, {} records, {} pages (page size {}, {} failed pages)",
        t.slices_done, t.slices_total, t.records, t.pages, t.page_size, t.failed_pages
    )
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {prefix:<14} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn json_line(v: &Value) {
    output::note(&v.to_string());
}

/// `45s`, `6m 05s`, `2h 03m`.
pub fn human_secs(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3_600 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{}h {:02}m", s / 3_600, s % 3_600 / 60),
    }
}

/// `12000 records, 12 pages`.
pub fn totals_line(t: &StreamReport) -> String {
    format!("{} records, {} pages", t.records, t.pages)
}

/// The bucket and its rate: `incremental-exports 10/min`.
fn bucket_text(pace: &StreamPace) -> Option<String> {
    let b = pace.bucket.as_ref()?;
    Some(match b.per_minute() {
        Some(n) => format!("{} {}/min", b.bucket, trim_float(n)),
        None => b.bucket.clone(),
    })
}

fn trim_float(n: f64) -> String {
    if (n - n.round()).abs() < 1e-9 {
        format!("{n:.0}")
    } else {
        format!("{n:.1}")
    }
}

/// `ETA 1m 12s (12 pages left at incremental-exports 10/min)`, or what is known of it.
fn eta_text(pace: &StreamPace) -> String {
    let at = bucket_text(pace)
        .map(|b| format!(" at {b}"))
        .unwrap_or_default();
    match (pace.eta_secs, pace.pages_left) {
        (Some(e), Some(n)) => format!("ETA {} ({n} pages left{at})", human_secs(e)),
        (Some(e), None) => format!("ETA {}", human_secs(e)),
        _ => "ETA unknown yet".to_owned(),
    }
}

/// A page's line: records, rate, waiting so far, ETA.
pub fn page_line(t: &StreamReport, pace: &StreamPace) -> String {
    let mut out = totals_line(t);
    if let Some(r) = pace.records_per_sec {
        out.push_str(&format!(" ({r:.0}/s)"));
    }
    if !pace.waited.is_zero() {
        out.push_str(&format!(
            "; {:.1}s waited for {}",
            pace.waited.as_secs_f64(),
            bucket_text(pace).unwrap_or_else(|| "budget".into())
        ));
    }
    if pace.pages_left != Some(0) {
        out.push_str("; ");
        out.push_str(&eta_text(pace));
    }
    out
}

/// A wait's line: the bucket, how long, until when, and the ETA.
pub fn wait_line(t: &StreamReport, wait: &BudgetWait, pace: &StreamPace) -> String {
    format!(
        "waiting {:.1}s for {} (until {}); {}; {}",
        wait.wait.as_secs_f64(),
        bucket_text(pace).unwrap_or_else(|| wait.bucket.clone()),
        format_utc(i64::try_from(wait.until.unix_secs()).unwrap_or(i64::MAX)),
        totals_line(t),
        eta_text(pace),
    )
}

/// The JSON of a pace (in `--progress json` lines).
fn pace_json(pace: &StreamPace) -> Value {
    json!({
        "records_per_sec": pace.records_per_sec,
        "bucket": pace.bucket.as_ref().map(|b| b.bucket.clone()),
        "bucket_per_minute": pace.bucket.as_ref().and_then(|b| b.per_minute()),
        "waited_secs": pace.waited.as_secs_f64(),
        "position": pace.position.map(format_utc),
        "pages_left": pace.pages_left,
        "eta_secs": pace.eta_secs,
    })
}

impl Progress for Reporter {
    fn event(&self, event: &ProgressEvent<'_>) {
        if let ProgressEvent::Backfill(b) = event {
            self.backfill_event(b);
            return;
        }
        match (&self.mode, event) {
            (Mode::Quiet, _) => {}
            (Mode::Bars { multi, bars, .. }, ProgressEvent::StreamStarted { stream, .. }) => {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(style());
                bar.set_prefix(stream.as_str());
                bar.set_message("starting");
                bars.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(*stream, bar);
            }
            (
                _,
                ProgressEvent::StreamStarted {
                    stream,
                    resume_from,
                },
            ) => {
                let from = if resume_from.is_some() {
                    "resuming"
                } else {
                    "first run"
                };
                match self.mode {
                    Mode::Json => json_line(&json!({
                        "event": "started", "stream": stream.as_str(),
                        "resumed": resume_from.is_some(),
                    })),
                    _ => output::note(&format!("sync: {stream}: started ({from})")),
                }
            }
            (
                mode,
                ProgressEvent::PageWritten {
                    stream,
                    totals,
                    pace,
                    ..
                },
            ) => match mode {
                Mode::Json => {
                    let mut v = json!({
                        "event": "page", "stream": stream.as_str(),
                        "records": totals.records, "pages": totals.pages,
                    });
                    merge(&mut v, pace_json(pace));
                    json_line(&v);
                }
                Mode::Lines => output::note(&format!(
                    "sync: {stream}: {}; {}",
                    page_line(totals, pace),
                    self.client_line()
                )),
                _ => self.set_bar(*stream, page_line(totals, pace), false),
            },
            (
                mode,
                ProgressEvent::Waiting {
                    stream,
                    wait,
                    totals,
                    pace,
                },
            ) => {
                let totals = *totals;
                match mode {
                    Mode::Json => {
                        let mut v = json!({
                            "event": "waiting", "stream": stream.as_str(),
                            "wait_secs": wait.wait.as_secs_f64(),
                            "until": format_utc(i64::try_from(wait.until.unix_secs()).unwrap_or(i64::MAX)),
                            "lane": wait.lane.as_str(),
                        });
                        merge(&mut v, pace_json(pace));
                        v["bucket"] = json!(wait.bucket);
                        json_line(&v);
                    }
                    Mode::Lines if wait.wait.as_secs_f64() >= WAIT_LINE_SECS => {
                        output::note(&format!(
                            "sync: {stream}: {}",
                            wait_line(totals, wait, pace)
                        ));
                    }
                    Mode::Lines => {}
                    _ => self.set_bar(*stream, wait_line(totals, wait, pace), false),
                }
            }
            (mode, ProgressEvent::StreamFinished { stream, totals }) => {
                let how = if totals.unavailable.is_some() {
                    "not on this account"
                } else if totals.complete {
                    "caught up"
                } else {
                    "stopped"
                };
                match mode {
                    Mode::Json => json_line(&json!({
                        "event": "finished", "stream": stream.as_str(),
                        "complete": totals.complete, "records": totals.records,
                        "pages": totals.pages, "waited_secs": totals.waited.as_secs_f64(),
                        "waited_on": totals.waited_on,
                    })),
                    Mode::Lines => {
                        output::note(&format!("sync: {stream}: {how}, {}", totals_line(totals)))
                    }
                    _ => self.set_bar(*stream, format!("{how}: {}", totals_line(totals)), true),
                }
            }
            _ => {}
        }
    }
}

fn merge(v: &mut Value, extra: Value) {
    if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
        o.extend(e);
    }
}
