//! `zd sync`: mirror the account into SQLite or PostgreSQL (a thin call into
//! `zdkit_sync::engine`); `--simulate` syncs an in-process simulator instead.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use zdkit::{
    Client, ClientStats, Clock, Credentials, RateLimitPolicy, ScaledClock, SharedClock, SystemClock,
};
use zdkit_sim::limits::Plan;
use zdkit_sim::{SimConfig, SimState};
use zdkit_sync::backfill::{self, BackfillOptions, CommentsPlan, Plan as BackfillPlan};
use zdkit_sync::engine::{sync, CancelToken, StreamReport, SyncError, SyncOptions, SyncReport};
use zdkit_sync::store::{self, Store, Stream};

use super::sync_controls::{self, format_utc, parse_duration, parse_since};
use super::sync_progress::{ProgressMode, Reporter};
use crate::config::{GlobalArgs, Settings};
use crate::output;
use crate::report::{CliError, Exit};

/// The default time scale of `--simulate` (virtual seconds per real second): the
/// enterprise plan's 10/min export limit then costs 0.1 s of real time per request.
const SIMULATE_TIME_SCALE: f64 = 600.0;

/// Arguments of `zd sync`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    command: Option<SyncCommand>,
    /// Where to write: `sqlite:PATH`, a file path, or `postgres://USER@HOST/DB[?schema=S]`.
    #[arg(long, value_name = "URL", default_value = "sqlite:zendesk.db")]
    to: String,
    /// Streams without a stored checkpoint export changes since this time: a date
    /// (2024-01-01), a time (2024-01-01T08:00:00Z), a duration back from now (30d) or
    /// Unix seconds. A stored checkpoint wins (`zd sync reset STREAM` starts over).
    #[arg(long, value_name = "WHEN")]
    since: Option<String>,
    /// Keep running: sync, wait this long (15m, 1h), sync again, until Ctrl-C or SIGTERM.
    #[arg(long, value_name = "DURATION")]
    every: Option<String>,
    /// The streams to sync, by name (`tickets,macros,sla_policies`; `all` for every
    /// stream, ticket events included). Default: every stream but ticket events.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    streams: Vec<String>,
    /// Streams to leave out (names as for --streams).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    skip: Vec<String>,
    /// Also sync ticket events (one row per ticket update).
    #[arg(long)]
    with_events: bool,
    /// Also sync ticket events with their comments (`include=comment_events`).
    #[arg(long)]
    with_comments: bool,
    /// No progress on stderr.
    #[arg(short, long)]
    quiet: bool,
    /// How progress is shown on stderr: bars on a terminal and lines otherwise (auto),
    /// lines, JSON lines (json: one object per page, wait and stream), or none.
    #[arg(long, value_enum, value_name = "MODE", default_value = "auto")]
    progress: ProgressMode,
    /// Request no sideloads: tickets without `metric_sets` (no ticket_metrics rows) and
    /// users without `identities` (no identities rows); smaller export pages.
    #[arg(long)]
    no_sideloads: bool,
    /// Leave out these sideloads (`metric_sets`, `identities`).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    no_sideload: Vec<String>,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Start a simulator in-process and sync it (a demo that needs no account).
    #[arg(long)]
    simulate: bool,
    /// With --simulate: how many tickets the simulator generates.
    #[arg(long, default_value_t = 10_000, requires = "simulate")]
    tickets: u64,
    /// With --simulate: the simulated plan (its rate limits apply, on the scaled clock).
    #[arg(long, default_value = "enterprise", requires = "simulate")]
    plan: Plan,
    /// With --simulate: the seed of the generated data.
    #[arg(long, default_value_t = 1, requires = "simulate")]
    seed: u64,
    /// With --simulate: the share of generated tickets archived, in percent (as `zd sim
    /// --archived-percent`; default: 30% closed, about 26% archived).
    #[arg(long, requires = "simulate", value_parser = super::sim::parse_percent)]
    archived_percent: Option<f64>,
    /// With --simulate --archived-percent: the archived tickets are the oldest ones, as
    /// in Zendesk (as `zd sim --archived-oldest`).
    #[arg(long, requires = "archived_percent")]
    archived_oldest: bool,
    /// A first sync (from the beginning, no --since) of tickets, users and organizations
    /// backfills through search export beside the incremental export, at the sum of both
    /// budgets (docs/design/backfill.md). Records deleted more than --backfill-margin
    /// before the start are then not in the mirror (the export from 0 has them as deleted
    /// rows). A stream already synced tails its export as before.
    #[arg(long, conflicts_with = "since")]
    backfill: bool,
    /// With --backfill: leave out the search-export route (what is left is the single
    /// export chain), for accounts where search export misbehaves.
    #[arg(long, requires = "backfill")]
    no_search_export: bool,
    /// With --backfill: leave out the incremental route; it starts on the next run, from
    /// the backfill's start minus the margin (the mirror is exact after that run).
    #[arg(long, requires = "backfill")]
    no_backfill_incremental: bool,
    /// Seconds before the backfill's start at which its incremental export starts (must
    /// exceed the search index's lag).
    #[arg(long, value_name = "SECS", default_value_t = 3_600)]
    backfill_margin: i64,
    /// Search-export walkers running at once during a backfill.
    #[arg(long, value_name = "N", default_value_t = zdkit_sync::backfill::BackfillOptions::default().concurrency)]
    backfill_concurrency: usize,
    /// With --backfill: print the plan (routes, buckets, expected time) and stop: no data
    /// is requested (only the plan's counting requests) and nothing is written.
    #[arg(long, requires = "backfill")]
    plan_only: bool,
    /// With --backfill --with-comments: no comment routes (the ticket events come from
    /// the single ticket-events export).
    #[arg(long, requires = "backfill")]
    no_comment_routes: bool,
    /// With --backfill --with-comments: leave out the account-wide audits walk
    /// (`/api/v2/ticket_audits`).
    #[arg(long, requires = "backfill")]
    no_audits_walk: bool,
    /// With --backfill --with-comments: leave out the per-ticket audits of archived
    /// tickets (the ticket-events export covers them alone).
    #[arg(long, requires = "backfill")]
    no_archived_audits: bool,
    /// With --with-comments or --with-events: after the sync, fetch the audits of every
    /// archived ticket in the store whose comments (events) are missing, one
    /// `GET /api/v2/tickets/{id}/audits` each (500/min and the account limit),
    /// checkpointed; a rerun fetches only tickets still missing them (docs/design/sync.md).
    #[arg(long, conflicts_with = "no_archived_audits")]
    archived_audits: bool,
}

/// Subcommands of `zd sync`.
#[derive(Debug, Subcommand)]
enum SyncCommand {
    /// Forget streams: delete their checkpoints and rows (after confirmation), so the
    /// next sync starts them from the beginning.
    Reset(sync_controls::ResetArgs),
}

/// The simulator of `--simulate`, kept alive for the sync.
struct Simulated {
    plan: Plan,
    time_scale: f64,
    tickets: u64,
    seed: u64,
    _server: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn simulate(g: &GlobalArgs, args: &SyncArgs) -> anyhow::Result<(Client, Simulated)> {
    let time_scale = crate::config::time_scale_override(g)?.unwrap_or(SIMULATE_TIME_SCALE);
    let clock: SharedClock = Arc::new(ScaledClock::new(time_scale));
    let config = SimConfig {
        plan: args.plan,
        seed: args.seed,
        archived_percent: args.archived_percent,
        archived_oldest: args.archived_oldest,
        time_scale,
        clock: Some(clock.clone()),
        ..SimConfig::with_tickets(args.tickets)
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .context("starting the simulator on 127.0.0.1")?;
    let url = format!("http://{}", listener.local_addr()?);
    let creds = Credentials::api_token(config.admin_email.clone(), config.api_token.clone());
    let server = tokio::spawn(zdkit_sim::serve(listener, SimState::new(config)));
    let mut builder = Client::builder()
        .base_url(url)
        .credentials(creds)
        .clock(clock);
    if args.plan == Plan::Unlimited {
        // The unlimited plan sends no rate-limit headers to learn from: don't pace by the
        // client's default export limit.
        builder = builder.rate_limit_policy(RateLimitPolicy::disabled());
    }
    let client = builder.build()?;
    Ok((
        client,
        Simulated {
            plan: args.plan,
            time_scale,
            tickets: args.tickets,
            seed: args.seed,
            _server: server,
        },
    ))
}

impl Simulated {
    /// The account identity a store records for this simulator: its generated data
    /// depends on the seed and the size only, not on the port it listens on.
    fn identity(&self) -> String {
        format!("zd-sim:seed={},tickets={}", self.seed, self.tickets)
    }
}

/// Runs `zd sync`.
pub async fn run(g: &GlobalArgs, args: SyncArgs) -> anyhow::Result<()> {
    if let Some(SyncCommand::Reset(r)) = args.command {
        return sync_controls::reset(r).await;
    }
    let usage = |e: String| anyhow::Error::new(CliError::new(Exit::Usage, e));
    let every = args
        .every
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(usage)?;
    // The store first: a store that cannot be opened fails before any request.
    let store = store::open(&args.to).await.map_err(|e| {
        CliError::new(
            Exit::Usage,
            format!("{}\n(nothing was requested from Zendesk)", e.chain()),
        )
    })?;
    let (client, simulated, account) = if args.simulate {
        let (c, s) = simulate(g, &args).await?;
        let account = format!("{} (an in-process simulator)", s.identity());
        (c, Some(s), account)
    } else {
        let settings = Settings::resolve(g)?;
        // Nobody waits for a mirror: background, unless --priority says otherwise.
        (
            settings.client_in(zdkit::Lane::Background)?,
            None,
            settings.account_description(),
        )
    };
    let now = i64::try_from(client.clock().now().unix_secs()).unwrap_or(i64::MAX);
    let since = match &args.since {
        Some(s) => parse_since(s, now).map_err(usage)?,
        None => 0,
    };
    if !args.quiet {
        output::note(&format!(
            "zd sync: mirroring {account} into {}",
            store.location()
        ));
    }
    let mut options = SyncOptions {
        since,
        with_comments: args.with_comments,
        streams: select_streams(&args.streams, &args.skip)?,
        ..SyncOptions::default()
    };
    // A simulator starts on a fresh port each run: the store records the simulated
    // account (its seed and size), so a rerun into the same store continues it.
    options.account = simulated.as_ref().map(Simulated::identity);
    sync_controls::apply_sideloads(&mut options, args.no_sideloads, &args.no_sideload)
        .map_err(usage)?;
    if (args.with_events || args.with_comments) && !options.streams.contains(&Stream::TicketEvents)
    {
        options.streams.push(Stream::TicketEvents);
    }
    if args.archived_audits {
        if !(args.with_events || args.with_comments) {
            return Err(usage(
                "--archived-audits needs --with-comments (or --with-events): it completes \
                 the ticket events and comments of archived tickets"
                    .to_owned(),
            ));
        }
        options.archived_audits = Some(zdkit_sync::audits::ArchivedAuditsOptions::default());
    }
    if args.backfill && args.since.is_none() {
        options.backfill = Some(BackfillOptions {
            margin_secs: args.backfill_margin.max(0),
            concurrency: args.backfill_concurrency.max(1),
            incremental: !args.no_backfill_incremental,
            search_export: !args.no_search_export,
            comments: !args.no_comment_routes,
            comment_audits: !args.no_audits_walk,
            archived_audits: !args.no_archived_audits,
            ..BackfillOptions::default()
        });
    }
    if args.plan_only {
        return plan_only(&client, &*store, &options, args.json).await;
    }
    let cancel = CancelToken::new();
    let signals = listen_for_stop(cancel.clone(), args.quiet);
    let run = Run {
        client: &client,
        store: &*store,
        options: &options,
        args: &args,
        simulated: simulated.as_ref(),
        account: &account,
        cancel: &cancel,
    };
    let mut first = true;
    let result = loop {
        let outcome = run.once(first).await;
        first = false;
        let Some(every) = every else {
            break outcome;
        };
        if cancel.is_cancelled() {
            break outcome;
        }
        if let Err(e) = &outcome {
            output::note(&format!("zd sync: this run failed: {e:#}"));
        }
        if !args.quiet {
            let next = now_secs(&client)
                .saturating_add(i64::try_from(every.as_secs()).unwrap_or(i64::MAX));
            output::note(&format!(
                "zd sync: next run at {} (--every {}); Ctrl-C or SIGTERM stops",
                format_utc(next),
                args.every.as_deref().unwrap_or_default()
            ));
        }
        // The wait goes through the client's clock (scaled under --simulate).
        tokio::select! {
            () = client.clock().sleep(every) => {}
            () = cancel.cancelled() => {
                if !args.quiet {
                    output::note("zd sync: stopped between runs");
                }
                break outcome;
            }
        }
    };
    signals.abort();
    result
}

/// `--plan-only`: the plan a sync would run now, printed; nothing written.
async fn plan_only(
    client: &Client,
    store: &dyn Store,
    options: &SyncOptions,
    json: bool,
) -> anyhow::Result<()> {
    let plan = backfill::plan(client, store, options)
        .await
        .map_err(anyhow::Error::new)?;
    if json {
        output::json_pretty(&json!({ "plan": plan.as_ref().map(plan_json) }))?;
        return Ok(());
    }
    match plan {
        Some(p) => output::line(&p.to_string())?,
        None => output::line(
            "no backfill: every stream resumes or tails its incremental export (a first \
             sync from the beginning backfills with --backfill, unless --since is given)",
        )?,
    }
    Ok(())
}

fn plan_json(p: &BackfillPlan) -> Value {
    json!({
        "streams": p.streams.iter().map(|s| json!({
            "stream": s.stream.as_str(),
            "started_at": format_utc(s.started_at),
            "since": format_utc(s.since),
            "resumed": s.resumed,
            "slices": s.slices.len(),
            "slices_left": s.slices.iter().filter(|m| !m.done).count(),
            "expected_records": s.expected_records(),
            "search_requests": s.search_requests(),
        })).collect::<Vec<_>>(),
        "routes": [
            {"route": "search export", "bucket": "search-export", "per_minute": p.search_per_minute,
             "requests": p.search_requests(), "concurrency": p.concurrency},
            {"route": "incremental export", "bucket": "incremental-exports",
             "per_minute": p.incremental_per_minute, "requests": p.incremental_requests()},
        ],
        "search_requests": p.search_requests(),
        "comments": p.comments.as_ref().map(comments_plan_json),
        "expected_secs": p.expected_secs(),
    })
}

fn comments_plan_json(c: &CommentsPlan) -> Value {
    let (secs, per_ticket) = c.forecast();
    json!({
        "started_at": format_utc(c.mark.started_at),
        "since": format_utc(c.mark.since),
        "archived_before": format_utc(c.mark.archived_before),
        "resumed": c.resumed,
        "tickets": c.tickets,
        "archived_tickets": c.archived,
        "comments_per_ticket": c.comments_per_ticket,
        "sampled_tickets": c.sampled,
        "split_at": format_utc(c.split_at),
        "routes": [
            {"route": "audits walk", "bucket": "account", "per_minute": c.account_per_minute,
             "requests": c.walk_requests(), "enabled": c.walk},
            {"route": "archived audits", "bucket": "ticket-audits",
             "per_minute": c.ticket_audits_per_minute, "requests": per_ticket,
             "enabled": c.per_ticket},
            {"route": "ticket-events export (prefix)", "bucket": "incremental-exports",
             "per_minute": c.incremental_per_minute, "requests": c.prefix_requests(),
             "tickets": c.tickets_before_split},
            {"route": "ticket-events export (tail)", "bucket": "incremental-exports",
             "per_minute": c.incremental_per_minute, "requests": 2},
        ],
        "expected_secs": secs,
        "export_only_secs": c.export_only_secs(),
    })
}

fn now_secs(client: &Client) -> i64 {
    i64::try_from(client.clock().now().unix_secs()).unwrap_or(i64::MAX)
}

/// Cancels on the first Ctrl-C or SIGTERM (the sync stops after its current page, a wait
/// between runs ends); a second Ctrl-C exits at once (130).
fn listen_for_stop(cancel: CancelToken, quiet: bool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        #[cfg(unix)]
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        #[cfg(unix)]
        let terminated = async {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let terminated = std::future::pending::<()>();
        tokio::select! {
            r = tokio::signal::ctrl_c() => {
                if r.is_err() {
                    return;
                }
            }
            () = terminated => {}
        }
        if !quiet {
            output::note("zd sync: stopping after the current page (Ctrl-C again to abort)");
        }
        cancel.cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    })
}

/// What every run of one `zd sync` shares.
struct Run<'a> {
    client: &'a Client,
    store: &'a dyn Store,
    options: &'a SyncOptions,
    args: &'a SyncArgs,
    simulated: Option<&'a Simulated>,
    account: &'a str,
    cancel: &'a CancelToken,
}

impl Run<'_> {
    /// One sync and its summary; an error when it failed, was interrupted or left a
    /// stream behind.
    async fn once(&self, first: bool) -> anyhow::Result<()> {
        let (client, args) = (self.client, self.args);
        let mode = if args.quiet {
            ProgressMode::None
        } else {
            args.progress
        };
        let reporter = Reporter::new(client.clone(), mode);
        let wall = SystemClock::new();
        let (wall0, virt0) = (wall.now(), client.clock().now());
        let stats0 = client.stats();
        let result = sync(client, self.store, self.options, &reporter, self.cancel).await;
        reporter.clear();
        let report = result.map_err(|e| match e {
            SyncError::Preflight(ref s) => CliError::new(
                Exit::Usage,
                format!(
                    "the store is not usable, nothing was requested: {}",
                    s.chain()
                ),
            )
            .into(),
            SyncError::Options(ref m) => {
                CliError::new(Exit::Usage, format!("invalid sync options: {m}")).into()
            }
            other => anyhow::Error::new(other),
        })?;
        let elapsed = wall.now().saturating_since(wall0).as_secs_f64();
        let virtual_elapsed = client.clock().now().saturating_since(virt0).as_secs_f64();
        let stats = stats_since(&client.stats(), &stats0);
        let mut summary = summary(
            self.store,
            &report,
            &stats,
            self.simulated,
            elapsed,
            virtual_elapsed,
        )
        .await?;
        summary["account"] = json!(self.account);
        // --since only applies to streams without a stored checkpoint: say which ignored it.
        let ignored: Vec<&str> = report
            .streams
            .iter()
            .filter(|s| {
                s.resumed_from
                    .as_ref()
                    .is_some_and(|c| c.export().is_some())
            })
            .map(|s| s.stream.as_str())
            .collect();
        if args.since.is_some() && first {
            summary["since_ignored"] = json!(ignored);
            if !ignored.is_empty() && !args.quiet {
                output::note(&format!(
                    "zd sync: --since ignored for {}: their stored checkpoints win \
                     (zd sync reset STREAM starts a stream over)",
                    ignored.join(", ")
                ));
            }
        }
        if args.json {
            output::json_pretty(&summary)?;
        } else {
            output::line(&render(&summary))?;
        }
        if report.cancelled {
            return Err(
                CliError::new(Exit::Other, "interrupted; rerun `zd sync` to resume").into(),
            );
        }
        // The engine reports every dead task as an error; a stream that still did not
        // reach its stop rule is a failed run too, never "caught up".
        let unfinished: Vec<&str> = report
            .streams
            .iter()
            .filter(|r| !r.complete)
            .map(|r| r.stream.as_str())
            .collect();
        if !unfinished.is_empty() {
            return Err(CliError::new(
                Exit::Other,
                format!(
                    "streams not caught up: {}; rerun `zd sync` to resume",
                    unfinished.join(", ")
                ),
            )
            .into());
        }
        Ok(())
    }
}

/// The client's counters of one run (`now` minus `before`).
fn stats_since(now: &ClientStats, before: &ClientStats) -> ClientStats {
    let mut s = now.clone();
    s.requests = now.requests.saturating_sub(before.requests);
    s.retries = now.retries.saturating_sub(before.retries);
    s.rate_limited = now.rate_limited.saturating_sub(before.rate_limited);
    s
}

/// The streams named by `--streams` (default: [`SyncOptions::default_streams`]; `all`:
/// every stream) minus `--skip`. An unknown name is a usage error listing the valid ones.
fn select_streams(names: &[String], skip: &[String]) -> anyhow::Result<Vec<Stream>> {
    let parse = |name: &str| -> anyhow::Result<Stream> {
        name.trim().parse::<Stream>().map_err(|_| {
            let known: Vec<&str> = Stream::every().map(Stream::as_str).collect();
            CliError {
                exit: Exit::Usage,
                message: format!(
                    "unknown stream `{}`",
                    zdkit::text::escape_control(name.trim())
                ),
                hint: Some(format!("streams: all, {}", known.join(", "))),
            }
            .into()
        })
    };
    let mut streams = if names.is_empty() {
        SyncOptions::default_streams()
    } else if names.iter().any(|n| n.trim() == "all") {
        Stream::every().collect()
    } else {
        names
            .iter()
            .filter(|n| !n.trim().is_empty())
            .map(|n| parse(n))
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    for name in skip.iter().filter(|n| !n.trim().is_empty()) {
        let s = parse(name)?;
        streams.retain(|x| *x != s);
    }
    if streams.is_empty() {
        return Err(CliError::new(Exit::Usage, "no stream left to sync").into());
    }
    Ok(streams)
}

fn stream_json(s: &StreamReport) -> Value {
    json!({
        "stream": s.stream.as_str(),
        "pages": s.pages,
        "records": s.records,
        "written": s.written,
        "comments_written": s.comments_written,
        "complete": s.complete,
        "unavailable": s.unavailable,
        "resumed": s.resumed_from.is_some(),
        "waited_secs": s.waited.as_secs_f64(),
        "waited_on": s.waited_on,
    })
}

async fn summary(
    store: &dyn Store,
    report: &SyncReport,
    stats: &ClientStats,
    simulated: Option<&Simulated>,
    elapsed: f64,
    virtual_elapsed: f64,
) -> anyhow::Result<Value> {
    let s = store.summary().await?;
    let tables: BTreeMap<&str, u64> = s.tables.iter().map(|(t, n)| (t.as_str(), *n)).collect();
    let tickets = report
        .streams
        .iter()
        .find(|r| r.stream == Stream::Tickets)
        .map_or(0, |r| r.records);
    Ok(json!({
        "store": s.location,
        "complete": report.streams.iter().all(|r| r.complete) && !report.cancelled,
        "cancelled": report.cancelled,
        "elapsed_secs": elapsed,
        "virtual_elapsed_secs": virtual_elapsed,
        "tickets_per_sec": if elapsed > 0.0 { tickets as f64 / elapsed } else { 0.0 },
        "streams": report.streams.iter().map(stream_json).collect::<Vec<_>>(),
        "requests": stats.requests,
        "retries": stats.retries,
        "rate_limited": stats.rate_limited,
        "budget_wait_secs": stats.budget_wait().as_secs_f64(),
        "complete_up_to": report.complete_up_to().map(format_utc),
        "backfill": report.backfill.as_ref().map(|b| json!({
            "plan": plan_json(&b.plan),
            "search_pages": b.search.pages,
            "search_records": b.search.records,
            "search_failed_pages": b.search.failed_pages,
            "search_restarts": b.search.restarts,
            "comments": b.comments.as_ref().map(|c| json!({
                "walk_pages": c.walk_pages,
                "walk_audits": c.walk_audits,
                "archived_tickets": c.archived_total,
                "archived_fetched": c.archived_fetched,
                "archived_by_export": c.archived_by_export,
                "prefix_pages": c.prefix_pages,
                "comments_written": c.comments_written,
            })),
            "done": b.done,
        })),
        "archived_audits": report.archived_audits.as_ref().map(|c| json!({
            "archived_tickets": c.archived_total,
            "archived_fetched": c.archived_fetched,
            "comments_written": c.comments_written,
            "done": c.done,
        })),
        // The bulk-load rule: reader-only indexes dropped for this load and built after it.
        "indexes_built_after_load": report.indexes_rebuilt,
        "tables": tables,
        "simulated": simulated.map(|s| json!({
            "plan": s.plan.as_str(),
            "time_scale": s.time_scale,
            "tickets": s.tickets,
        })),
    }))
}

fn render(v: &Value) -> String {
    let mut rows = vec![vec![
        "stream".to_owned(),
        "pages".to_owned(),
        "records".to_owned(),
        "written".to_owned(),
        "status".to_owned(),
    ]];
    for s in v["streams"].as_array().into_iter().flatten() {
        let status = if s["unavailable"].is_string() {
            "not on this account"
        } else if s["complete"] == true {
            "caught up"
        } else {
            "stopped"
        };
        rows.push(vec![
            s["stream"].as_str().unwrap_or("").to_owned(),
            s["pages"].to_string(),
            s["records"].to_string(),
            s["written"].to_string(),
            status.to_owned(),
        ]);
    }
    let mut out = output::table(&rows);
    out.push_str(&format!(
        "\n{} requests, {} retries, {} rate-limited, {:.1}s waiting for budget (client clock); \
         {:.1}s ({:.0}s on the client clock)\naccount: {}\nstore: {}",
        v["requests"],
        v["retries"],
        v["rate_limited"],
        v["budget_wait_secs"].as_f64().unwrap_or(0.0),
        v["elapsed_secs"].as_f64().unwrap_or(0.0),
        v["virtual_elapsed_secs"].as_f64().unwrap_or(0.0),
        v["account"].as_str().unwrap_or(""),
        v["store"].as_str().unwrap_or(""),
    ));
    if let Some(t) = v["complete_up_to"].as_str() {
        out.push_str(&format!(
            "\ncomplete up to {t}; Zendesk exports lag about a minute: later changes arrive on the next run"
        ));
    }
    if let Some(a) = v["archived_audits"].as_object() {
        out.push_str(&format!(
            "\narchived audits: {} of {} archived tickets without their history fetched, \
             {} comments written{}",
            a["archived_fetched"],
            a["archived_tickets"],
            a["comments_written"],
            if a["done"] == true {
                ""
            } else {
                " (unfinished: rerun to resume)"
            }
        ));
    }
    if let Some(sim) = v["simulated"].as_object() {
        out.push_str(&format!(
            "\nsimulated: plan {}, time scale {}, {} tickets",
            sim["plan"].as_str().unwrap_or(""),
            sim["time_scale"],
            sim["tickets"]
        ));
    }
    out
}
