//! `zd search QUERY`: plain search (`client.search().query(..)`), which Zendesk stops at
//! 1,000 results: at the cap zd prints what it got, says so, and exits non-zero
//! suggesting `--export`; `--export` uses search export (`client.search().export(..)`),
//! which has no cap but needs one type (`type:ticket` in the query, or `--type`).

use clap::Args;
use futures_util::TryStreamExt;
use zdkit::resources::search::SEARCH_CAP;
use zdkit::resources::SearchQuery;

use super::resources::{ListFormat, Sink};
use crate::config::{GlobalArgs, Settings};
use crate::report::{CliError, Exit};

/// Arguments of `zd search`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  zd search 'type:ticket status:open printer'
  zd search 'tags:vip' --type user --columns id,name,email
  zd search 'status<solved' --type ticket --export --format jsonl > open.jsonl

Plain search returns at most 1,000 results; when a query matches more, zd prints the
first 1,000, says so and exits with code 1: rerun with --export (search export has no
cap and pages by cursor).")]
pub struct SearchArgs {
    /// The query, in Zendesk's search syntax (several words are joined with spaces).
    #[arg(required = true)]
    query: Vec<String>,
    /// Only this type: ticket, user, organization or group (search export needs one;
    /// default ticket with --export).
    #[arg(long = "type", value_name = "TYPE", value_parser = ["ticket", "user", "organization", "group"])]
    kind: Option<String>,
    /// Use search export: every result, no 1,000 cap.
    #[arg(long)]
    export: bool,
    /// Stop after N results.
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Plain search: sort by this field (`-field` for descending).
    #[arg(long, value_name = "FIELD", allow_hyphen_values = true)]
    sort: Option<String>,
    /// Output format [default: table on a terminal, jsonl when piped].
    #[arg(long, value_enum)]
    format: Option<ListFormat>,
    /// Columns for table and CSV (comma-separated; nested with `.`).
    #[arg(long, value_name = "A,B,..", value_delimiter = ',')]
    columns: Vec<String>,
}

/// Run `zd search`.
pub async fn run(global: &GlobalArgs, args: SearchArgs) -> anyhow::Result<()> {
    let mut q = SearchQuery::parse(&args.query.join(" "));
    if let Some(k) = &args.kind {
        q = q.with_kind(k);
    } else if args.export && q.kind().is_none() {
        q = q.with_kind("ticket");
    }
    let client = Settings::resolve(global)?.client()?;
    let mut stream = if args.export {
        client.search().export(&q).stream()
    } else {
        let mut r = client.search().query(&q);
        if let Some(s) = &args.sort {
            let desc = s.starts_with('-');
            r = r.sort_by(s.trim_start_matches('-')).ascending(!desc);
        }
        r.stream()
    };
    let mut sink = Sink::new(args.format, args.columns);
    let result = loop {
        if args.limit.is_some_and(|l| sink.count >= l) {
            break Ok(());
        }
        match stream.try_next().await {
            Ok(Some(hit)) => sink.push(&serde_json::to_value(&hit)?)?,
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    let seen = sink.count;
    sink.finish()?;
    match result {
        Ok(()) => Ok(()),
        Err(zdkit::Error::Incomplete(msg)) if !args.export && seen >= SEARCH_CAP => Err(CliError {
            exit: Exit::Other,
            message: format!(
                "stopped at Zendesk's {SEARCH_CAP}-result cap of plain search ({msg})"
            ),
            hint: Some("rerun with --export for every result (search export has no cap)".into()),
        }
        .into()),
        Err(e) => Err(e.into()),
    }
}
