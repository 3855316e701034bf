//! The `zd` command line: a thin dispatcher; each subcommand lives in `commands/`.

mod commands;

use clap::{Parser, Subcommand};

/// zdkit's command line.
#[derive(Debug, Parser)]
#[command(
    name = "zd",
    version,
    about = "Zendesk toolkit: sync, API calls and a local simulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the local Zendesk simulator.
    Sim(commands::sim::SimArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Sim(args) => commands::sim::run(args).await,
        }
    })
}
