//! `zd tickets update-many` and `zd tickets create`: bulk writes from a CSV or JSON-lines
//! file, with a results file naming every record that failed and why; a rerun skips what
//! already succeeded.
//!
//! * `update-many`: `PUT /api/v2/tickets/update_many` jobs of 100, each waited for; the
//!   job's per-ticket results go to the results file.
//! * `create`: one `POST /api/v2/tickets` per record with an `Idempotency-Key` (the
//!   record's `idempotency_key` field, else a digest of the record), so a rerun after a
//!   crash cannot create a ticket twice. (Zendesk's idempotency keys exist only for single
//!   creates, not for `create_many` jobs.)

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use zdkit::models::{NewTicket, TicketUpdate};

use crate::bulk_input::{self, Record};
use crate::config::{GlobalArgs, Settings};
use crate::output;
use crate::report::{CliError, Exit};

/// `zd tickets` subcommands.
#[derive(Debug, Subcommand)]
pub enum TicketsCommand {
    /// Update tickets in jobs of 100 (each record: `id` plus the fields to change).
    UpdateMany(BulkArgs),
    /// Create tickets, one request each with an idempotency key (each record needs a
    /// `comment`).
    Create(BulkArgs),
}

/// Arguments of the bulk commands.
#[derive(Debug, Args)]
#[command(
    after_help = "Input: CSV with a header row (file name ending in .csv), or JSON lines.
CSV columns are field names, nested with brackets (comment[body], comment[public]);
tags columns are split on spaces; `null` clears a field.

Results: one JSON line per record ({line, key, ok, id, status, error, details}) in
--results (default INPUT.results.jsonl). A rerun skips every record recorded as ok."
)]
pub struct BulkArgs {
    /// The input file (CSV or JSON lines).
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    /// The results file [default: INPUT.results.jsonl].
    #[arg(long, value_name = "FILE")]
    results: Option<PathBuf>,
    /// Check the input and show what would be sent; send nothing.
    #[arg(long)]
    dry_run: bool,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

/// One line of the results file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    /// The record's line in the input.
    pub line: usize,
    /// `id:N` for updates, the idempotency key for creates.
    pub key: String,
    /// Whether the record was written.
    pub ok: bool,
    /// The ticket id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Zendesk's per-record status (`Updated`, `Created`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The error code or message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The error details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

fn outcome(line: usize, key: &str, ok: bool) -> Outcome {
    Outcome {
        line,
        key: key.to_owned(),
        ok,
        id: None,
        status: None,
        error: None,
        details: None,
    }
}

/// The results file: earlier successes are kept, everything else is written anew.
struct Results {
    path: PathBuf,
    file: Option<std::fs::File>,
    done: HashSet<String>,
}

impl Results {
    fn open(path: PathBuf, dry_run: bool) -> anyhow::Result<Results> {
        let mut kept = Vec::new();
        if let Ok(text) = std::fs::read_to_string(&path) {
            for l in text.lines().filter(|l| !l.trim().is_empty()) {
                if let Ok(o) = serde_json::from_str::<Outcome>(l) {
                    if o.ok {
                        kept.push(o);
                    }
                }
            }
        }
        let done = kept.iter().map(|o| o.key.clone()).collect();
        if dry_run {
            return Ok(Results {
                path,
                file: None,
                done,
            });
        }
        let mut file = std::fs::File::create(&path)
            .map_err(|e| CliError::new(Exit::Usage, format!("writing {}: {e}", path.display())))?;
        for o in &kept {
            writeln!(file, "{}", serde_json::to_string(o)?)?;
        }
        Ok(Results {
            path,
            file: Some(file),
            done,
        })
    }

    fn record(&mut self, o: &Outcome) -> anyhow::Result<()> {
        if let Some(f) = &mut self.file {
            writeln!(f, "{}", serde_json::to_string(o)?)?;
        }
        Ok(())
    }
}

fn default_results(input: &Path) -> PathBuf {
    let mut s = input.as_os_str().to_owned();
    s.push(".results.jsonl");
    PathBuf::from(s)
}

fn malformed(mut errors: Vec<String>, input: &Path) -> anyhow::Error {
    bulk_input::sort_by_line(&mut errors);
    for e in &errors {
        output::note(&format!("{}: {e}", input.display()));
    }
    CliError::new(
        Exit::Usage,
        format!(
            "{} malformed record(s) in {}; nothing was sent",
            errors.len(),
            input.display()
        ),
    )
    .into()
}

/// Check every update; the key is `id:N`.
fn updates(records: &[Record]) -> Result<Vec<(usize, String, TicketUpdate)>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<u64, usize> = HashMap::new();
    for r in records {
        match serde_json::from_value::<TicketUpdate>(Value::Object(r.fields.clone())) {
            Ok(u) => match u.id {
                None => errors.push(format!("line {}: no ticket `id`", r.line)),
                Some(id) => {
                    if let Some(first) = seen.insert(id.0, r.line) {
                        errors.push(format!(
                            "line {}: ticket {} already updated on line {first}",
                            r.line, id.0
                        ));
                    }
                    out.push((r.line, format!("id:{}", id.0), u));
                }
            },
            Err(e) => errors.push(format!("line {}: {e}", r.line)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Check every new ticket; the key is its `idempotency_key` or a digest of the record.
fn creates(records: &[Record]) -> Result<Vec<(usize, String, NewTicket)>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in records {
        let mut fields: Map<String, Value> = r.fields.clone();
        let key = match fields.remove("idempotency_key") {
            Some(Value::String(k)) if !k.is_empty() => k,
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                errors.push(format!(
                    "line {}: `idempotency_key` must be a string",
                    r.line
                ));
                continue;
            }
            None => format!("zd-{}", bulk_input::digest(&fields)),
        };
        if let Some(first) = seen.insert(key.clone(), r.line) {
            errors.push(format!(
                "line {}: same record (idempotency key) as line {first}",
                r.line
            ));
            continue;
        }
        match serde_json::from_value::<NewTicket>(Value::Object(fields)) {
            Ok(t) if t.comment.body.is_none() && t.comment.html_body.is_none() => {
                errors.push(format!("line {}: a new ticket needs a `comment`", r.line))
            }
            Ok(t) => out.push((r.line, key, t)),
            Err(e) => errors.push(format!("line {}: {e}", r.line)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn progress(total: usize, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
        pb.set_style(style);
    }
    pb
}

fn finish(
    verb: &str,
    total: usize,
    skipped: usize,
    failed: usize,
    results: &Path,
) -> anyhow::Result<()> {
    output::note(&format!(
        "{verb} {} of {total} record(s); {skipped} skipped (already done), {failed} failed; results in {}",
        total - failed,
        results.display()
    ));
    if failed > 0 {
        return Err(CliError::new(
            Exit::Invalid,
            format!("{failed} record(s) failed: see {}", results.display()),
        )
        .into());
    }
    Ok(())
}

/// Run `zd tickets`.
pub async fn run(global: &GlobalArgs, cmd: TicketsCommand) -> anyhow::Result<()> {
    let (args, create) = match cmd {
        TicketsCommand::UpdateMany(a) => (a, false),
        TicketsCommand::Create(a) => (a, true),
    };
    let (records, mut errors) = bulk_input::read(&args.input);
    let results_path = args
        .results
        .clone()
        .unwrap_or_else(|| default_results(&args.input));
    if create {
        let all = match creates(&records) {
            Ok(all) if errors.is_empty() => all,
            Ok(_) => return Err(malformed(errors, &args.input)),
            Err(more) => {
                errors.extend(more);
                return Err(malformed(errors, &args.input));
            }
        };
        let mut results = Results::open(results_path, args.dry_run)?;
        let todo: Vec<_> = all
            .into_iter()
            .filter(|(_, k, _)| !results.done.contains(k))
            .collect();
        let skipped = records.len() - todo.len();
        if args.dry_run {
            output::line(&format!(
                "would create {} ticket(s), one request each ({skipped} already done)",
                todo.len()
            ))?;
            return Ok(());
        }
        let client = Settings::resolve(global)?.client()?;
        let pb = progress(todo.len(), args.quiet);
        let mut failed = 0;
        let total = todo.len();
        for (line, key, ticket) in todo {
            let mut o = outcome(line, &key, true);
            match client
                .tickets()
                .create(ticket)
                .idempotency_key(key.clone())
                .send()
                .await
            {
                Ok(c) => {
                    o.id = Some(c.value.item.id.0);
                    o.status = Some(
                        if c.idempotency_hit {
                            "Replayed"
                        } else {
                            "Created"
                        }
                        .into(),
                    );
                }
                Err(e)
                    if e.api()
                        .is_some_and(|a| (400..500).contains(&a.status) && a.status != 429) =>
                {
                    let a = e.api().map(|a| (a.code.clone(), a.description.clone()));
                    let (code, description) = a.unwrap_or_default();
                    o.ok = false;
                    o.error = code.or(Some(e.to_string()));
                    o.details = description;
                    failed += 1;
                }
                Err(e) => {
                    pb.abandon();
                    return Err(anyhow::Error::from(e).context(format!(
                        "stopped at line {line}; rerun to continue (the idempotency keys make it safe)"
                    )));
                }
            }
            results.record(&o)?;
            pb.inc(1);
        }
        pb.finish_and_clear();
        return finish("created", total, skipped, failed, &results.path);
    }
    let all = match updates(&records) {
        Ok(all) if errors.is_empty() => all,
        Ok(_) => return Err(malformed(errors, &args.input)),
        Err(more) => {
            errors.extend(more);
            return Err(malformed(errors, &args.input));
        }
    };
    let mut results = Results::open(results_path, args.dry_run)?;
    let todo: Vec<_> = all
        .into_iter()
        .filter(|(_, k, _)| !results.done.contains(k))
        .collect();
    let skipped = records.len() - todo.len();
    let jobs = todo.len().div_ceil(zdkit::jobs::BULK_LIMIT);
    if args.dry_run {
        output::line(&format!(
            "would update {} ticket(s) in {jobs} job(s) of at most {} ({skipped} already done)",
            todo.len(),
            zdkit::jobs::BULK_LIMIT
        ))?;
        return Ok(());
    }
    let client = Settings::resolve(global)?.client()?;
    let pb = progress(todo.len(), args.quiet);
    let mut failed = 0;
    for chunk in todo.chunks(zdkit::jobs::BULK_LIMIT) {
        let batch: Vec<TicketUpdate> = chunk.iter().map(|(_, _, u)| u.clone()).collect();
        let handles = client.tickets().update_many(&batch).await?;
        let mut by_id = HashMap::new();
        let mut job_message = None;
        for h in &handles {
            let done = h.wait().await?;
            job_message = job_message.or(done.status.message.clone());
            for r in done.results() {
                if let Some(id) = r.id {
                    by_id.insert(id, r.clone());
                }
            }
        }
        for (line, key, u) in chunk {
            let id = u.id.map(|i| i.0).unwrap_or_default();
            let mut o = outcome(*line, key, false);
            o.id = Some(id);
            match by_id.get(&id) {
                Some(r) => {
                    o.ok = r.is_success();
                    o.status = r.status.clone();
                    o.error = r.error.clone();
                    o.details = r.details.clone();
                }
                None => {
                    o.error = Some("NoResult".into());
                    o.details = job_message
                        .clone()
                        .or(Some("the job reported nothing for this ticket".into()));
                }
            }
            if !o.ok {
                failed += 1;
            }
            results.record(&o)?;
            pb.inc(1);
        }
    }
    pb.finish_and_clear();
    finish("updated", todo.len(), skipped, failed, &results.path)
}
