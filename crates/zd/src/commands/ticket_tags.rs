//! `zd tickets tag|untag ID... TAG...`: add or remove tags on tickets through
//! `client.tags().add(..)` / `.remove(..)` (`PUT` / `DELETE tickets/{id}/tags`, which
//! change only the tags named, never the others). Prints each ticket's tags afterwards:
//! a JSON array in JSON and JSON lines, space-separated in a table.

use clap::Args;
use serde_json::json;
use zdkit::models::TicketId;

use super::resources::{ListFormat, Sink};
use super::tickets::confirm;
use crate::config::{GlobalArgs, Settings};
use crate::report::{CliError, Exit};

/// Arguments of `zd tickets tag` and `zd tickets untag`.
#[derive(Debug, Args)]
#[command(
    after_help = "Ticket ids come first, then the tags: `zd tickets tag 12 13 vip urgent`.
A tag that is all digits goes after `--`: `zd tickets tag 12 -- 2024`.
The account is named before writing; without a terminal pass --yes."
)]
pub struct TagArgs {
    /// Ticket ids, then tags.
    #[arg(required = true, num_args = 1.., value_name = "ID... TAG...")]
    words: Vec<String>,
    /// Tags that look like ids (after `--`).
    #[arg(last = true, value_name = "TAG")]
    numeric_tags: Vec<String>,
    /// Don't ask for confirmation (required when stdin is not a terminal).
    #[arg(short, long)]
    yes: bool,
    /// Output format [default: table on a terminal, jsonl when piped].
    #[arg(long, value_enum)]
    format: Option<ListFormat>,
}

/// Splits `words` into the leading ids and the tags.
fn split(
    words: &[String],
    numeric_tags: &[String],
) -> anyhow::Result<(Vec<TicketId>, Vec<String>)> {
    let ids: Vec<TicketId> = words
        .iter()
        .map_while(|w| w.parse::<u64>().ok().filter(|n| *n > 0).map(TicketId))
        .collect();
    let mut tags: Vec<String> = words[ids.len()..].to_vec();
    tags.extend(numeric_tags.iter().cloned());
    if ids.is_empty() {
        return Err(
            CliError::new(Exit::Usage, "name at least one ticket id before the tags").into(),
        );
    }
    if tags.is_empty() {
        return Err(
            CliError::new(Exit::Usage, "name at least one tag after the ticket ids").into(),
        );
    }
    if let Some(bad) = tags
        .iter()
        .find(|t| t.is_empty() || t.contains(char::is_whitespace))
    {
        return Err(CliError::new(Exit::Usage, format!("invalid tag {bad:?}")).into());
    }
    Ok((ids, tags))
}

/// Run `zd tickets tag` (`add`) or `zd tickets untag`.
pub async fn run(global: &GlobalArgs, args: TagArgs, add: bool) -> anyhow::Result<()> {
    let (ids, tags) = split(&args.words, &args.numeric_tags)?;
    let settings = Settings::resolve(global)?;
    let what = format!(
        "{} {} {} {} ticket(s)",
        if add { "adding" } else { "removing" },
        tags.join(" "),
        if add { "to" } else { "from" },
        ids.len()
    );
    confirm(&settings, &what, args.yes)?;
    let client = settings.client()?;
    let tag_refs: Vec<&str> = tags.iter().map(String::as_str).collect();
    let coll = client.tags();
    let mut sink = Sink::new(args.format, vec!["id".into(), "tags".into()]);
    for id in ids {
        let now = if add {
            coll.add(id, &tag_refs).await?
        } else {
            coll.remove(id, &tag_refs).await?;
            coll.of(id).await?
        };
        sink.push(&json!({"id": id, "tags": now}))?;
    }
    sink.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn ids_come_first_then_tags() {
        let (ids, tags) = split(&w(&["12", "13", "vip", "7"]), &[]).unwrap();
        assert_eq!(ids, [TicketId(12), TicketId(13)]);
        assert_eq!(tags, ["vip", "7"]);
        let (_, tags) = split(&w(&["12", "x"]), &w(&["2024"])).unwrap();
        assert_eq!(tags, ["x", "2024"]);
        assert!(split(&w(&["vip", "x"]), &[]).is_err());
        assert!(split(&w(&["1", "2"]), &[]).is_err());
    }
}
