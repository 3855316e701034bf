//! `zd macros apply ID --ticket N`: what macro ID would change on ticket N
//! (`client.macros().apply_to_ticket(..)`, which saves nothing), shown field by field
//! against the ticket as it is; `--apply` sends the change as a ticket update
//! (`MacroResult::to_update`), naming the account first like every write.

use clap::{Args, Subcommand};
use serde_json::{json, Map, Value};
use zdkit::models::{MacroId, TicketId};

use super::resources::{ListFormat, Sink};
use super::tickets::confirm;
use crate::config::{GlobalArgs, Settings};
use crate::output;

/// `zd macros` subcommands.
#[derive(Debug, Subcommand)]
pub enum MacrosCommand {
    /// Show what a macro would change on a ticket; `--apply` makes the change.
    Apply(ApplyArgs),
}

/// Arguments of `zd macros apply`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  zd macros apply 360001 --ticket 42            # show the change, send nothing
  zd macros apply 360001 --ticket 42 --apply    # make it (asks on a terminal)

The change is one row per field the macro sets (field, before, after), plus the comment
it adds. Nothing is sent without --apply.")]
pub struct ApplyArgs {
    /// The macro id.
    id: MacroId,
    /// The ticket to apply it to.
    #[arg(long, value_name = "N")]
    ticket: TicketId,
    /// Send the change (a ticket update).
    #[arg(long)]
    apply: bool,
    /// Don't ask for confirmation (required with --apply when stdin is not a terminal).
    #[arg(short, long)]
    yes: bool,
    /// Output format [default: table on a terminal, jsonl when piped].
    #[arg(long, value_enum)]
    format: Option<ListFormat>,
}

/// The rows `{field, before, after}` of what changes, then the comment.
pub fn change_rows(
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    comment: Option<&Map<String, Value>>,
) -> Vec<Value> {
    const SKIP: [&str; 4] = ["url", "updated_at", "generated_timestamp", "via"];
    let mut rows: Vec<Value> = after
        .iter()
        .filter(|(k, v)| !SKIP.contains(&k.as_str()) && before.get(*k) != Some(*v))
        .map(|(k, v)| json!({"field": k, "before": before.get(k).cloned().unwrap_or(Value::Null), "after": v}))
        .collect();
    if let Some(c) = comment {
        let body = c
            .get("body")
            .or_else(|| c.get("html_body"))
            .cloned()
            .unwrap_or(Value::Null);
        if !body.is_null() {
            let public = c.get("public").and_then(Value::as_bool).unwrap_or(true);
            let field = if public {
                "comment (public)"
            } else {
                "comment (internal)"
            };
            rows.push(json!({"field": field, "before": null, "after": body}));
        }
    }
    rows
}

/// Run `zd macros`.
pub async fn run(global: &GlobalArgs, cmd: MacrosCommand) -> anyhow::Result<()> {
    let MacrosCommand::Apply(args) = cmd;
    let settings = Settings::resolve(global)?;
    let client = settings.client()?;
    let result = client
        .macros()
        .apply_to_ticket(args.id, args.ticket)
        .await?;
    let before = match serde_json::to_value(client.tickets().get(args.ticket).await?)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let after = result.ticket.clone().unwrap_or_default();
    let rows = change_rows(&before, &after, result.comment.as_ref());
    let mut sink = Sink::new(
        args.format,
        vec!["field".into(), "before".into(), "after".into()],
    );
    for r in &rows {
        sink.push(r)?;
    }
    sink.finish()?;
    if !args.apply {
        output::note(&format!(
            "macro {} on ticket {}: {} change(s) shown, nothing sent (add --apply to make them)",
            args.id,
            args.ticket,
            rows.len()
        ));
        return Ok(());
    }
    if rows.is_empty() {
        output::note("the macro changes nothing on this ticket; nothing sent");
        return Ok(());
    }
    confirm(
        &settings,
        &format!("applying macro {} to ticket {}", args.id, args.ticket),
        args.yes,
    )?;
    let update = result.to_update()?;
    client.tickets().update(args.ticket, &update).await?;
    output::note(&format!(
        "applied macro {} to ticket {}",
        args.id, args.ticket
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_the_changed_fields_and_the_comment() {
        let before = json!({"id": 1, "status": "open", "priority": "low", "url": "a"});
        let after = json!({"id": 1, "status": "solved", "priority": "low", "url": "b"});
        let comment = json!({"body": "Done", "public": false});
        let rows = change_rows(
            before.as_object().unwrap(),
            after.as_object().unwrap(),
            comment.as_object(),
        );
        assert_eq!(
            rows,
            [
                json!({"field": "status", "before": "open", "after": "solved"}),
                json!({"field": "comment (internal)", "before": null, "after": "Done"}),
            ]
        );
    }
}
