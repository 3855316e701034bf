//! The `zd` command line: a thin dispatcher; each subcommand lives in `commands/`.

mod bulk_input;
mod bulk_results;
mod commands;
mod config;
mod jq;
mod output;
mod pacing;
mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// zdkit's command line.
#[derive(Debug, Parser)]
#[command(
    name = "zd",
    version,
    about = "Zendesk toolkit: sync, API calls and a local simulator",
    after_help = report::EXIT_CODES_HELP
)]
pub struct Cli {
    /// Connection settings shared by every command.
    #[command(flatten)]
    global: config::GlobalArgs,
    /// Trace requests on stderr (-v info, -vv debug, -vvv trace); never shows secrets.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Mirror the account into SQLite or PostgreSQL (`--simulate`: a local demo).
    Sync(commands::sync::SyncArgs),
    /// Run the local Zendesk simulator.
    Sim(commands::sim::SimArgs),
    /// Send any request through the client (auth, pacing, retries) and print the answer.
    Api(commands::api::ApiArgs),
    /// Diagnose the configuration, credentials, role and rate limit.
    Doctor(commands::doctor::DoctorArgs),
    /// Show the account's rate limit and every endpoint bucket seen.
    Limits(commands::limits::LimitsArgs),
    /// List any resource of the catalogue (`zd list macros`), every page streamed.
    List(commands::resources::ListArgs),
    /// Show resources by id (`zd get tickets 1 2`).
    Get(commands::resources::GetArgs),
    /// Search tickets, users, organizations and groups (`--export` beyond 1,000 results).
    Search(commands::search::SearchArgs),
    /// Apply macros (`zd macros apply ID --ticket N`: show the change, `--apply` to send).
    #[command(subcommand)]
    Macros(commands::macros::MacrosCommand),
    /// Explain a failed response saved with `curl -i`.
    Explain(commands::explain::ExplainArgs),
    /// Bulk ticket writes from a CSV or JSON-lines file; tag and untag tickets.
    #[command(subcommand)]
    Tickets(commands::tickets::TicketsCommand),
    /// Inspect the effective configuration.
    #[command(subcommand)]
    Config(commands::config_cmd::ConfigCommand),
    /// Print shell completions.
    Completions(commands::completions::CompletionsArgs),
    /// Print the man page of zd or of one command (`zd man sync`).
    Man(commands::completions::ManArgs),
}

/// Caps glibc's malloc arenas at two before any thread starts. Each thread that allocates
/// otherwise gets an arena of its own (up to 8 per core) that keeps freed pages: on a
/// million-ticket `zd sync` that was ~20 MB of the peak RSS (BENCHMARKS.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only adjusts allocator tunables; it is called once, before any other
    // thread exists, and M_ARENA_MAX is a valid parameter on glibc.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = match commands::parse_cli() {
        Ok(cli) => cli,
        Err(exit) => return ExitCode::from(exit.code()),
    };
    output::init_tracing(cli.verbose);
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(run(cli)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(report::report(&e).code()),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let g = cli.global;
    match cli.command {
        Command::Sync(args) => commands::sync::run(&g, args).await,
        Command::Sim(args) => commands::sim::run(args).await,
        Command::Api(args) => commands::api::run(&g, args, cli.verbose).await,
        Command::Doctor(args) => commands::doctor::run(&g, args).await,
        Command::Limits(args) => commands::limits::run(&g, args).await,
        Command::List(args) => commands::resources::list(&g, args).await,
        Command::Get(args) => commands::resources::get(&g, args).await,
        Command::Search(args) => commands::search::run(&g, args).await,
        Command::Macros(c) => commands::macros::run(&g, c).await,
        Command::Explain(args) => commands::explain::run(args),
        Command::Tickets(c) => commands::tickets::run(&g, c).await,
        Command::Config(c) => commands::config_cmd::run(&g, c),
        Command::Completions(args) => commands::completions::completions(args),
        Command::Man(args) => commands::completions::man(args),
    }
}
