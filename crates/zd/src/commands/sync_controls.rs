//! The pipeline controls of `zd sync`: `--since` and `--every` values, and
//! `zd sync reset STREAM...`.

use std::io::IsTerminal;
use std::time::Duration;

use clap::Args;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use zdkit_sync::store::{self, Stream};

use crate::output;
use crate::report::{CliError, Exit};

/// A duration like `30s`, `15m`, `12h`, `30d`, `2w` (a whole number and a unit).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration; write e.g. 30s, 15m, 12h, 30d"))?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => {
            return Err(format!(
                "`{s}`: unknown unit `{unit}`; use s, m, h, d or w (e.g. 15m, 30d)"
            ))
        }
    };
    n.checked_mul(secs)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("`{s}` is too long"))
}

/// A `--since` value as Unix seconds: a date (`2024-01-01`, midnight UTC), an RFC 3339
/// time (`2024-01-01T08:00:00Z`), a duration back from `now` (`30d`), or Unix seconds.
pub fn parse_since(s: &str, now: i64) -> Result<i64, String> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map_err(|_| format!("`{s}` is too large"));
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let date = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = time::Date::parse(s, &date) {
        return Ok(d.midnight().assume_utc().unix_timestamp());
    }
    match parse_duration(s) {
        Ok(d) => Ok(now.saturating_sub(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))),
        Err(_) => Err(format!(
            "`{s}` is not a time: write a date (2024-01-01), a time (2024-01-01T08:00:00Z), \
             a duration back from now (30d, 12h) or Unix seconds"
        )),
    }
}

/// The sideloads `--no-sideloads` and `--no-sideload a,b` leave out of `options`
/// (`metric_sets`: ticket metrics; `identities`: user identities). An unknown name is an
/// error naming the known ones.
pub fn apply_sideloads(
    options: &mut zdkit_sync::SyncOptions,
    none: bool,
    names: &[String],
) -> Result<(), String> {
    if none {
        options.ticket_metrics = false;
        options.user_identities = false;
    }
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        match name {
            "metric_sets" => options.ticket_metrics = false,
            "identities" => options.user_identities = false,
            other => {
                return Err(format!(
                    "unknown sideload `{}` (sideloads: metric_sets, identities)",
                    zdkit::text::escape_control(other)
                ))
            }
        }
    }
    Ok(())
}

/// `YYYY-MM-DD HH:MM:SS UTC` of Unix seconds.
pub fn format_utc(secs: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Arguments of `zd sync reset`.
#[derive(Debug, Args)]
pub struct ResetArgs {
    /// The streams to forget (names as for `zd sync --streams`).
    #[arg(required = true, value_name = "STREAM")]
    streams: Vec<String>,
    /// The store: `sqlite:PATH`, a file path, or `postgres://USER@HOST/DB[?schema=S]`.
    #[arg(long, value_name = "URL", default_value = "sqlite:zendesk.db")]
    to: String,
    /// Don't ask for confirmation (required when stdin is not a terminal).
    #[arg(short, long)]
    yes: bool,
}

/// `zd sync reset STREAM...`: deletes each stream's checkpoint and rows, after
/// confirmation, so the next `zd sync` starts it from the beginning (or `--since`).
pub async fn reset(args: ResetArgs) -> anyhow::Result<()> {
    let mut streams = Vec::new();
    for name in &args.streams {
        let s: Stream = name.trim().parse().map_err(|_| {
            let known: Vec<&str> = Stream::every().map(Stream::as_str).collect();
            CliError {
                exit: Exit::Usage,
                message: format!(
                    "unknown stream `{}`",
                    zdkit::text::escape_control(name.trim())
                ),
                hint: Some(format!("streams: {}", known.join(", "))),
            }
        })?;
        if !streams.contains(&s) {
            streams.push(s);
        }
    }
    let store = store::open(&args.to)
        .await
        .map_err(|e| CliError::new(Exit::Usage, e.chain()))?;
    let account = store
        .account()
        .await?
        .map_or_else(|| "no account yet".to_owned(), |a| format!("mirroring {a}"));
    let mut what = Vec::new();
    for s in &streams {
        let mut rows = 0;
        for t in s.tables() {
            rows += store.count(t).await?;
        }
        what.push(format!(
            "{s} ({rows} rows in {})",
            s.tables()
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    output::note(&format!(
        "zd sync reset: deleting the checkpoint and rows of {} in {} ({account})",
        what.join("; "),
        store.location()
    ));
    confirm(args.yes)?;
    for s in streams {
        let n = store
            .reset(s)
            .await
            .map_err(|e| CliError::new(Exit::Other, e.chain()))?;
        output::line(&format!(
            "reset {s}: {n} rows deleted; the next zd sync starts it from the beginning"
        ))?;
    }
    Ok(())
}

fn confirm(yes: bool) -> anyhow::Result<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(
            Exit::Usage,
            "stdin is not a terminal: pass --yes to confirm; nothing was deleted",
        )
        .into());
    }
    {
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "proceed? [y/N] ");
        let _ = err.flush();
    }
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(CliError::new(Exit::Other, "not confirmed; nothing was deleted").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_dates_times_durations_and_unix_seconds() {
        let now = 1_704_153_600; // 2024-01-02T00:00:00Z
        assert_eq!(parse_since("2024-01-01", now), Ok(1_704_067_200));
        assert_eq!(parse_since("2024-01-01T08:00:00Z", now), Ok(1_704_096_000));
        assert_eq!(parse_since("30d", now), Ok(now - 30 * 86_400));
        assert_eq!(parse_since("12h", now), Ok(now - 12 * 3_600));
        assert_eq!(parse_since("1700000000", now), Ok(1_700_000_000));
        assert!(parse_since("yesterday", now)
            .unwrap_err()
            .contains("not a time"));
        assert!(parse_since("2024-13-01", now).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_secs(1_209_600)));
        assert!(parse_duration("15").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("99999999999999999w").is_err());
        assert_eq!(format_utc(1_704_096_000), "2024-01-01 08:00:00 UTC");
    }
}
