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

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{Map, Value};
use zdkit::models::{NewTicket, TicketUpdate};

use crate::bulk_input::{self, Record};
use crate::bulk_results::{JobLine, Outcome, Results};
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
    /// Add tags to tickets (`zd tickets tag 12 13 vip urgent`): ids first, then tags.
    Tag(super::ticket_tags::TagArgs),
    /// Remove tags from tickets (`zd tickets untag 12 spam`).
    Untag(super::ticket_tags::TagArgs),
}

/// Arguments of the bulk commands.
#[derive(Debug, Args)]
#[command(
    after_help = "Input: CSV with a header row (file name ending in .csv), or JSON lines.
CSV columns are field names, nested with brackets (comment[body], comment[public]);
custom_fields[ID] sets a custom field (the cell is sent as text, exactly); tags columns
are split on spaces; `null` clears a field. An unknown column is refused with the list of
valid ones. A UTF-8 byte-order mark is accepted. --dry-run prints the first request body.

Results: one JSON line per record ({line, key, ok, id, status, error, details}) in
--results (default INPUT.results.jsonl), and one line per job the moment it is submitted
({job, keys, lines}). A rerun skips every record recorded as ok and polls the jobs an
interrupted run submitted instead of sending their records again.

Before sending, the account is named; on a terminal zd asks for confirmation. Without a
terminal (scripts, CI) pass --yes, or nothing is sent."
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
    /// Don't ask for confirmation (required when stdin is not a terminal).
    #[arg(short, long)]
    yes: bool,
}

/// Name the account about to be written and ask for confirmation: on a terminal a `y`
/// answer, elsewhere `--yes` (without it nothing is sent).
pub(crate) fn confirm(settings: &Settings, what: &str, yes: bool) -> anyhow::Result<()> {
    let account = settings.announce_write(what);
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(
            Exit::Usage,
            format!("stdin is not a terminal: pass --yes to confirm writing to {account}; nothing was sent"),
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
        Err(CliError::new(Exit::Other, "not confirmed; nothing was sent").into())
    }
}

/// Ctrl-C while writing: the first one stops before the next submission or while
/// waiting (what was submitted is in the results file), a second one exits at once.
struct Interrupt {
    rx: tokio::sync::watch::Receiver<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Interrupt {
    /// Starts listening; the signal handler is registered before this returns.
    fn listen() -> Interrupt {
        let (tx, rx) = tokio::sync::watch::channel(false);
        #[cfg(unix)]
        let mut sigint =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
        let task = tokio::spawn(async move {
            #[cfg(unix)]
            let first = match sigint.as_mut() {
                Some(s) => s.recv().await.is_some(),
                None => tokio::signal::ctrl_c().await.is_ok(),
            };
            #[cfg(not(unix))]
            let first = tokio::signal::ctrl_c().await.is_ok();
            if first {
                let _ = tx.send(true);
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
        Interrupt { rx, task }
    }

    fn is_set(&self) -> bool {
        *self.rx.borrow()
    }

    /// Completes once Ctrl-C was pressed (at once if it already was).
    async fn wait(&self) {
        let mut rx = self.rx.clone();
        if rx.wait_for(|v| *v).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn interrupted(submitted: &[String], results: &Path) -> anyhow::Error {
    let what = if submitted.is_empty() {
        "no job was submitted".to_owned()
    } else {
        format!(
            "{} job(s) were submitted and keep running on Zendesk ({}); they are recorded in {}",
            submitted.len(),
            submitted.join(", "),
            results.display()
        )
    };
    CliError::new(
        Exit::Other,
        format!("interrupted: {what}; rerun the same command to collect their results (nothing is sent twice)"),
    )
    .into()
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
    let mut unknown = UnknownColumns::default();
    for r in records {
        match serde_json::from_value::<TicketUpdate>(Value::Object(r.fields.clone())) {
            Ok(u) if !u.extra.is_empty() => unknown.add(r.line, u.extra.keys()),
            Ok(u)
                if u.id.is_some()
                    && u == (TicketUpdate {
                        id: u.id,
                        ..Default::default()
                    }) =>
            {
                errors.push(format!(
                    "line {}: nothing to change on ticket {} (only an `id`)",
                    r.line,
                    u.id.map_or(0, |i| i.0)
                ))
            }
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
    unknown.report(&mut errors, TicketUpdate::FIELDS);
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Columns (or JSON keys) that are not a property of the record type: each reported once,
/// at its first line, with the valid names. Sending them would make Zendesk answer
/// "Updated" while nothing changed.
#[derive(Default)]
struct UnknownColumns(Vec<(String, usize)>);

impl UnknownColumns {
    fn add<'a>(&mut self, line: usize, names: impl Iterator<Item = &'a String>) {
        for n in names {
            if !self.0.iter().any(|(k, _)| k == n) {
                self.0.push((n.clone(), line));
            }
        }
    }

    fn report(self, errors: &mut Vec<String>, valid: &[&str]) {
        for (name, line) in self.0 {
            errors.push(format!(
                "line {line}: unknown column {name:?}; valid columns: {}, custom_fields[ID] (CSV)",
                valid.join(", ")
            ));
        }
    }
}

/// Check every new ticket; the key is its `idempotency_key` or a digest of the record.
fn creates(records: &[Record]) -> Result<Vec<(usize, String, NewTicket)>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut unknown = UnknownColumns::default();
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
            Ok(t) if !t.extra.is_empty() => unknown.add(r.line, t.extra.keys()),
            Ok(t) if t.comment.body.is_none() && t.comment.html_body.is_none() => {
                errors.push(format!("line {}: a new ticket needs a `comment`", r.line))
            }
            Ok(t) => out.push((r.line, key, t)),
            Err(e) => errors.push(format!("line {}: {e}", r.line)),
        }
    }
    let mut valid = NewTicket::FIELDS.to_vec();
    valid.push("idempotency_key");
    unknown.report(&mut errors, &valid);
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
        TicketsCommand::Tag(a) => return super::ticket_tags::run(global, a, true).await,
        TicketsCommand::Untag(a) => return super::ticket_tags::run(global, a, false).await,
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
            if let Some((_, key, ticket)) = todo.first() {
                output::line(&format!(
                    "first request: POST /api/v2/tickets (Idempotency-Key: {key})"
                ))?;
                output::json_pretty(&serde_json::json!({ "ticket": ticket }))?;
            }
            return Ok(());
        }
        let settings = Settings::resolve(global)?;
        let client = settings.client()?;
        confirm(
            &settings,
            &format!("creating {} ticket(s)", todo.len()),
            args.yes,
        )?;
        let stop = Interrupt::listen();
        let pb = progress(todo.len(), args.quiet);
        let mut failed = 0;
        let total = todo.len();
        for (n, (line, key, ticket)) in todo.into_iter().enumerate() {
            if stop.is_set() {
                pb.abandon();
                return Err(CliError::new(
                    Exit::Other,
                    format!(
                        "interrupted after {n} of {total} ticket(s), recorded in {}; rerun to continue (the idempotency keys make it safe)",
                        results.path.display()
                    ),
                )
                .into());
            }
            let mut o = Outcome::new(line, &key, true);
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
        .filter(|(_, k, _)| !results.done.contains(k) && !results.is_pending(k))
        .collect();
    let pending: usize = results.pending.iter().map(|j| j.keys.len()).sum();
    let skipped = records.len().saturating_sub(todo.len() + pending);
    let jobs = todo.len().div_ceil(zdkit::jobs::BULK_LIMIT);
    if args.dry_run {
        output::line(&format!(
            "would update {} ticket(s) in {jobs} job(s) of at most {} ({skipped} already done, {pending} in {} submitted job(s) to collect)",
            todo.len(),
            zdkit::jobs::BULK_LIMIT,
            results.pending.len()
        ))?;
        if let Some(chunk) = todo.chunks(zdkit::jobs::BULK_LIMIT).next() {
            let batch: Vec<&TicketUpdate> = chunk.iter().map(|(_, _, u)| u).collect();
            output::line("first request: PUT /api/v2/tickets/update_many")?;
            output::json_pretty(&serde_json::json!({ "tickets": batch }))?;
        }
        return Ok(());
    }
    let settings = Settings::resolve(global)?;
    let client = settings.client()?;
    confirm(
        &settings,
        &format!(
            "updating {} ticket(s) in {jobs} job(s){}",
            todo.len(),
            if pending > 0 {
                format!(" and collecting {} submitted job(s)", results.pending.len())
            } else {
                String::new()
            }
        ),
        args.yes,
    )?;
    let stop = Interrupt::listen();
    let pb = progress(todo.len() + pending, args.quiet);
    let mut failed = 0;
    let mut submitted: Vec<String> = Vec::new();
    // First the jobs an interrupted run submitted: poll them, never resend.
    let mut unknown = Vec::new();
    for job in results.pending.clone() {
        let handle = match zdkit::jobs::JobHandle::resume(&client, &job.job, job.keys.len()).await {
            Ok(h) => h,
            Err(e) if e.status() == Some(404) => {
                unknown.push(job);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let done = tokio::select! {
            d = handle.wait() => d?,
            () = stop.wait() => return Err(interrupted(&submitted, &results.path)),
        };
        let entries: Vec<(usize, String, u64)> = job
            .lines
            .iter()
            .zip(&job.keys)
            .map(|(l, k)| {
                let id = k
                    .strip_prefix("id:")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                (*l, k.clone(), id)
            })
            .collect();
        failed += record_job_results(&mut results, &entries, &done)?;
        pb.inc(entries.len() as u64);
    }
    for chunk in todo.chunks(zdkit::jobs::BULK_LIMIT) {
        if stop.is_set() {
            pb.abandon();
            return Err(interrupted(&submitted, &results.path));
        }
        let batch: Vec<TicketUpdate> = chunk.iter().map(|(_, _, u)| u.clone()).collect();
        // Not raced with Ctrl-C: once sent, the job's id must reach the results file.
        let handles = client.tickets().update_many(&batch).await?;
        let mut start = 0;
        for h in &handles {
            let part = &chunk[start..(start + h.records).min(chunk.len())];
            start += h.records;
            results.record_job(&JobLine {
                job: h.id().to_string(),
                keys: part.iter().map(|(_, k, _)| k.clone()).collect(),
                lines: part.iter().map(|(l, _, _)| *l).collect(),
            })?;
            submitted.push(h.id().to_string());
            output::note(&format!(
                "submitted job {} ({} ticket(s), input lines {}-{})",
                h.id(),
                part.len(),
                part.first().map_or(0, |p| p.0),
                part.last().map_or(0, |p| p.0)
            ));
        }
        let mut start = 0;
        for h in &handles {
            let part = &chunk[start..(start + h.records).min(chunk.len())];
            start += h.records;
            let done = tokio::select! {
                d = h.wait() => d?,
                () = stop.wait() => {
                    pb.abandon();
                    return Err(interrupted(&submitted, &results.path));
                }
            };
            let entries: Vec<(usize, String, u64)> = part
                .iter()
                .map(|(l, k, u)| (*l, k.clone(), u.id.map(|i| i.0).unwrap_or_default()))
                .collect();
            failed += record_job_results(&mut results, &entries, &done)?;
            pb.inc(entries.len() as u64);
        }
    }
    pb.finish_and_clear();
    if !unknown.is_empty() {
        let lines: Vec<String> = unknown
            .iter()
            .flat_map(|j| j.lines.iter().map(|l| l.to_string()))
            .collect();
        let ids: Vec<&str> = unknown.iter().map(|j| j.job.as_str()).collect();
        return Err(CliError::new(
            Exit::Other,
            format!(
                "job(s) {} submitted by an earlier run can no longer be checked (Zendesk keeps job statuses for about a day): check the tickets of input line(s) {} by hand, then delete those job lines from {} to send them again",
                ids.join(", "),
                lines.join(", "),
                results.path.display()
            ),
        )
        .into());
    }
    finish(
        "updated",
        todo.len() + pending,
        skipped,
        failed,
        &results.path,
    )
}

/// Record the outcome of each `(line, key, ticket id)` of a finished job; the number that
/// failed.
fn record_job_results(
    results: &mut Results,
    entries: &[(usize, String, u64)],
    done: &zdkit::JobOutcome,
) -> anyhow::Result<usize> {
    let by_id: HashMap<u64, &zdkit::models::JobResult> = done
        .results()
        .iter()
        .filter_map(|r| r.id.map(|id| (id, r)))
        .collect();
    let job_message = done.status.message.clone();
    let mut failed = 0;
    for (line, key, id) in entries {
        let mut o = Outcome::new(*line, key, false);
        o.id = Some(*id);
        match by_id.get(id) {
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
    }
    Ok(failed)
}
