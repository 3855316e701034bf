//! `zd limits`: the account rate limit and every endpoint bucket reported, from one cheap
//! request (`GET /api/v2/users/me`); `--watch` refreshes it on the client's clock.

use std::time::Duration;

use clap::Args;
use serde_json::{json, Value};
use zdkit::ratelimit::{RateLimitHeaders, Window};

use crate::config::{GlobalArgs, Settings};
use crate::output::{self, Format};
use crate::report::{CliError, Exit};

/// Arguments of `zd limits`.
#[derive(Debug, Args)]
pub struct LimitsArgs {
    /// Refresh every SECS seconds (default 10) until interrupted.
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "10")]
    watch: Option<f64>,
    /// With --watch: stop after this many refreshes.
    #[arg(long, value_name = "N", requires = "watch")]
    count: Option<u64>,
    /// Print JSON (one document per refresh).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
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

/// Run `zd limits`.
pub async fn run(global: &GlobalArgs, args: LimitsArgs) -> anyhow::Result<()> {
    let every = match args.watch {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            return Err(
                CliError::new(Exit::Usage, "--watch needs a positive number of seconds").into(),
            )
        }
        Some(s) => Some(Duration::from_secs_f64(s)),
        None => None,
    };
    let client = Settings::resolve(global)?.client()?;
    let mut n = 0u64;
    loop {
        n += 1;
        let resp = client.get("/api/v2/users/me").send().await?;
        let rows = rows(resp.rate_limit());
        if args.json || args.format == Format::Json {
            output::json_line(&json!({ "buckets": rows, "request_id": resp.request_id() }))?;
        } else {
            if every.is_some() {
                output::line(&format!("refresh {n}"))?;
            }
            if rows.is_empty() {
                output::line("no rate-limit headers in the response")?;
            } else {
                output::raw(render_table(&rows).as_bytes())?;
            }
        }
        match every {
            Some(d) if args.count.is_none_or(|c| n < c) => client.clock().sleep(d).await,
            _ => return Ok(()),
        }
    }
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
}
