//! `zd limits`: the account rate limit and every endpoint bucket reported, from one cheap
//! request (`GET /api/v2/users/me`); `--watch` refreshes it on the client's clock.

use std::time::Duration;

use anyhow::Context;
use clap::Args;
use serde_json::{json, Value};
use zdkit::ratelimit::{RateLimitHeaders, Window};

use crate::config::{GlobalArgs, Settings};
use crate::output::{self, Format};
use crate::report::{CliError, Exit};

/// Arguments of `zd limits`.
#[derive(Debug, Args)]
pub struct LimitsArgs {
    /// Refresh every SECS seconds (default 10, between 0.1 and 86400) until interrupted;
    /// on a terminal the table is redrawn in place, and keeps updating from the client's
    /// own view while a refresh waits for budget.
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "10")]
    watch: Option<f64>,
    /// With --watch: stop after this many refreshes.
    #[arg(long, value_name = "N", requires = "watch")]
    count: Option<u64>,
    /// Also probe the incremental-export and search-export buckets (one request each,
    /// from buckets of 10 and 100 a minute), so their limits show.
    #[arg(long)]
    probe: bool,
    /// Print JSON (one document per refresh).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The shortest and longest `--watch` intervals.
pub const WATCH_RANGE: (f64, f64) = (0.1, 86_400.0);

/// A validated `--watch` interval.
pub fn watch_interval(secs: f64) -> anyhow::Result<Duration> {
    if !(secs.is_finite() && (WATCH_RANGE.0..=WATCH_RANGE.1).contains(&secs)) {
        return Err(CliError::new(
            Exit::Usage,
            format!(
                "--watch {}: give a number of seconds between {} and {}",
                // 1e300 as itself, not as 301 digits.
                if secs.abs() < 1e9 {
                    format!("{secs}")
                } else {
                    format!("{secs:e}")
                },
                WATCH_RANGE.0,
                WATCH_RANGE.1
            ),
        )
        .into());
    }
    Ok(Duration::from_secs_f64(secs))
}

fn window_json(name: &str, w: &Window) -> Value {
    json!({
        "bucket": name,
        "limit": w.limit,
        "remaining": w.remaining,
        "used": w.limit.zip(w.remaining).map(|(l, r)| l.saturating_sub(r)),
        "resets_in_secs": w.reset.map(|d| d.as_secs()),
    })
}

/// The account and every bucket in `h` as JSON rows.
pub fn rows(h: &RateLimitHeaders) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(a) = &h.account {
        out.push(window_json("account", a));
    }
    for (name, w) in &h.buckets {
        out.push(window_json(name, w));
    }
    out
}

fn cell(v: &Value, key: &str, suffix: &str) -> String {
    match v.get(key) {
        Some(Value::Null) | None => "-".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(x) => format!("{x}{suffix}"),
    }
}

fn render_table(rows: &[Value]) -> String {
    let mut t = vec![vec![
        "bucket".to_owned(),
        "limit".to_owned(),
        "remaining".to_owned(),
        "used".to_owned(),
        "resets in".to_owned(),
    ]];
    for r in rows {
        t.push(vec![
            cell(r, "bucket", ""),
            cell(r, "limit", ""),
            cell(r, "remaining", ""),
            cell(r, "used", ""),
            cell(r, "resets_in_secs", "s"),
        ]);
    }
    output::table(&t)
}

/// `rows` (from the last response's headers) plus every other bucket the client has
/// learned during this run (its limiter's view), sorted account first.
pub fn merged_rows(mut rows: Vec<Value>, learned: &[zdkit::BucketStats]) -> Vec<Value> {
    for b in learned {
        if b.limit.is_none() || rows.iter().any(|r| r["bucket"] == b.bucket.as_str()) {
            continue;
        }
        rows.push(json!({
            "bucket": b.bucket,
            "limit": b.limit,
            "remaining": b.remaining,
            "used": b.limit.zip(b.remaining).map(|(l, r)| l.saturating_sub(r)),
            "resets_in_secs": null,
            "waits": b.waits,
        }));
    }
    rows.sort_by_key(|r| {
        (
            r["bucket"] != "account",
            r["bucket"].as_str().map(str::to_owned),
        )
    });
    rows
}

/// Redraws a block of lines in place on a terminal.
#[derive(Debug, Default)]
struct Screen {
    lines: usize,
}

impl Screen {
    fn draw(&mut self, text: &str, in_place: bool) -> anyhow::Result<()> {
        let mut out = String::new();
        if in_place && self.lines > 0 {
            out.push_str(&format!("\x1b[{}A\x1b[J", self.lines));
        }
        out.push_str(text);
        self.lines = text.lines().count();
        output::raw(out.as_bytes())?;
        Ok(())
    }
}

async fn probe(client: &zdkit::Client) -> anyhow::Result<()> {
    let start = client
        .clock()
        .now()
        .unix_secs()
        .saturating_sub(300)
        .to_string();
    client
        .get("/api/v2/incremental/tickets/cursor")
        .query(&[("start_time", start.as_str())])
        .send()
        .await
        .context("probing the incremental-export bucket")?;
    client
        .get("/api/v2/search/export")
        .query(&[
            ("query", "status<closed"),
            ("filter[type]", "ticket"),
            ("page[size]", "1"),
        ])
        .send()
        .await
        .context("probing the search-export bucket")?;
    Ok(())
}

/// Run `zd limits`.
pub async fn run(global: &GlobalArgs, args: LimitsArgs) -> anyhow::Result<()> {
    let every = args.watch.map(watch_interval).transpose()?;
    let settings = Settings::resolve(global)?;
    let client = settings.client()?;
    let shared = settings.budget_store()?;
    if args.probe {
        probe(&client).await?;
    }
    let json_out = args.json || args.format == Format::Json;
    let in_place = every.is_some() && output::stdout_is_terminal();
    let mut screen = Screen::default();
    let mut n = 0u64;
    let mut pending = None;
    loop {
        let mut request = pending.take().unwrap_or_else(|| {
            let c = client.clone();
            Box::pin(async move { c.get("/api/v2/users/me").send().await })
        });
        // While a refresh waits for budget, keep drawing the client's own view.
        let answered = match every {
            None => Some(request.as_mut().await?),
            Some(d) => {
                tokio::select! {
                    r = request.as_mut() => Some(r?),
                    () = client.clock().sleep(d) => {
                        pending = Some(request);
                        None
                    }
                }
            }
        };
        n += 1;
        let header_rows = answered
            .as_ref()
            .map(|r| rows(r.rate_limit()))
            .unwrap_or_default();
        let rows = merged_rows(header_rows, &client.stats().buckets);
        let waiting = answered.is_none();
        let budget = match &shared {
            Some(store) => Some(store.shared_state().await.map_err(|e| e.to_string())),
            None => None,
        };
        if json_out {
            let mut v = json!({
                "buckets": rows,
                "request_id": answered.as_ref().and_then(|r| r.request_id()),
                "waiting_for_budget": waiting,
            });
            if let Some(b) = &budget {
                v["shared"] = shared_json(b, client.clock().now());
            }
            output::json_line(&v)?;
        } else {
            let mut text = String::new();
            if let Some(d) = every {
                text.push_str(&format!(
                    "zd limits: refresh {n}, every {:.1}s{}\n",
                    d.as_secs_f64(),
                    if waiting {
                        " (waiting for budget; showing the client's view)"
                    } else {
                        ""
                    }
                ));
            }
            if rows.is_empty() {
                text.push_str("no rate-limit headers in the response\n");
            } else {
                text.push_str(&render_table(&rows));
            }
            if let Some(b) = &budget {
                text.push_str(&render_shared(b, client.clock().now()));
            }
            screen.draw(&text, in_place)?;
        }
        match every {
            Some(d) if args.count.is_none_or(|c| n < c) => {
                if !waiting {
                    client.clock().sleep(d).await;
                }
            }
            _ => return Ok(()),
        }
    }
}

/// The shared budget (`--budget`): every bucket, and who used what, per lane.
fn shared_json(
    b: &Result<zdkit::ratelimit::SharedBudget, String>,
    now: zdkit::Timestamp,
) -> serde_json::Value {
    match b {
        Err(e) => json!({ "error": e }),
        Ok(b) => json!({
            "buckets": b.buckets.iter().map(|s| json!({
                "bucket": s.bucket, "limit": s.limit, "remaining": s.remaining,
                "in_flight": s.in_flight,
                "resets_in_s": s.reset_at.saturating_since(now).as_secs(),
            })).collect::<Vec<_>>(),
            "clients": b.clients.iter().map(|c| json!({
                "id": c.id, "lane": c.lane.as_str(), "granted_in_window": c.granted_in_window,
                "granted_total": c.granted_total,
                "idle_s": now.saturating_since(c.last_seen).as_secs(),
            })).collect::<Vec<_>>(),
        }),
    }
}

fn render_shared(
    b: &Result<zdkit::ratelimit::SharedBudget, String>,
    now: zdkit::Timestamp,
) -> String {
    let b = match b {
        Err(e) => return format!("shared budget: {}\n", zdkit::text::escape_control(e)),
        Ok(b) => b,
    };
    let mut rows = vec![vec![
        "SHARED BUCKET".to_owned(),
        "LIMIT".to_owned(),
        "REMAINING".to_owned(),
        "IN FLIGHT".to_owned(),
        "RESETS".to_owned(),
    ]];
    for s in &b.buckets {
        rows.push(vec![
            zdkit::text::escape_control(&s.bucket).into_owned(),
            s.limit.map_or("?".to_owned(), |l| l.to_string()),
            s.remaining.to_string(),
            s.in_flight.to_string(),
            format!("{}s", s.reset_at.saturating_since(now).as_secs()),
        ]);
    }
    let mut out = output::table(&rows);
    let mut rows = vec![vec![
        "CLIENT".to_owned(),
        "LANE".to_owned(),
        "THIS WINDOW".to_owned(),
        "TOTAL".to_owned(),
        "IDLE".to_owned(),
    ]];
    for c in &b.clients {
        rows.push(vec![
            zdkit::text::escape_control(&c.id).into_owned(),
            c.lane.to_string(),
            c.granted_in_window.to_string(),
            c.granted_total.to_string(),
            format!("{}s", now.saturating_since(c.last_seen).as_secs()),
        ]);
    }
    out.push_str(&output::table(&rows));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_include_account_and_buckets() {
        let mut h = http::HeaderMap::new();
        h.insert("x-rate-limit", "700".parse().unwrap());
        h.insert("x-rate-limit-remaining", "650".parse().unwrap());
        h.insert(
            "zendesk-ratelimit-tickets-index",
            "total=100; remaining=99; resets=41".parse().unwrap(),
        );
        let r = rows(&RateLimitHeaders::parse(&h));
        assert_eq!(r.len(), 2);
        assert_eq!(r[0]["used"], 50);
        assert_eq!(r[1]["bucket"], "tickets-index");
        let t = render_table(&r);
        assert!(t.contains("tickets-index  100"), "{t}");
        assert!(t.contains("41s"), "{t}");
    }

    #[test]
    fn learned_buckets_are_merged_after_the_header_rows() {
        let header = vec![window_json(
            "account",
            &Window {
                limit: Some(700),
                remaining: Some(600),
                reset: None,
            },
        )];
        let stat = |name: &str, limit: Option<u32>, remaining: Option<u32>| {
            let mut b = zdkit::BucketStats::default();
            b.bucket = name.into();
            b.limit = limit;
            b.remaining = remaining;
            b
        };
        let learned = vec![
            stat("incremental-exports", Some(10), Some(9)),
            stat("account", Some(700), None),
            stat("never-reported", None, None),
        ];
        let r = merged_rows(header, &learned);
        let names: Vec<&str> = r.iter().map(|v| v["bucket"].as_str().unwrap()).collect();
        assert_eq!(names, ["account", "incremental-exports"]);
        assert_eq!(r[1]["used"], 1);
    }

    #[test]
    fn watch_intervals_are_validated() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e300, 0.01, 86_401.0] {
            assert!(watch_interval(bad).is_err(), "{bad}");
        }
        assert_eq!(watch_interval(2.5).unwrap(), Duration::from_millis(2500));
    }
}
