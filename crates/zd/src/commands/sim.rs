//! `zd sim`: serve the simulator on a local port.

use std::io::Write;

use anyhow::Context;
use clap::Args;
use zdkit_sim::limits::Plan;
use zdkit_sim::{SimConfig, SimState};

/// Arguments of `zd sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The plan: team, growth, professional, enterprise, enterprise-plus, high-volume, unlimited.
    #[arg(long, default_value = "enterprise")]
    plan: Plan,
    /// How many tickets to generate.
    #[arg(long, default_value_t = 10_000)]
    tickets: u64,
    /// How many users to generate (default: tickets/10, clamped to 50..=100000).
    #[arg(long)]
    users: Option<u64>,
    /// How many organizations to generate (default: users/10, at least 10).
    #[arg(long)]
    organizations: Option<u64>,
    /// The seed of the generated data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Virtual seconds per real second.
    #[arg(long, default_value = "1")]
    time_scale: String,
    /// A JSON fault plan.
    #[arg(long)]
    faults: Option<std::path::PathBuf>,
    /// Requests per minute of simulated other API consumers.
    #[arg(long, default_value_t = 0)]
    background_rpm: u32,
    /// Accept `email:password` Basic auth (deprecated by Zendesk; off by default). The
    /// password is `ZD_SIM_PASSWORD`, or `zd-sim-password`.
    #[arg(long)]
    password_auth: bool,
    /// Closed tickets last updated more than this many days ago are archived: not in
    /// `GET /tickets`, still in show, exports and search export (0: never).
    #[arg(long, default_value_t = 120)]
    archive_after_days: u64,
    /// The share of generated tickets archived at the start, in percent (e.g. 30): sets
    /// how many generated tickets are closed (default: 30% closed, about 26% archived).
    #[arg(long, value_parser = parse_percent)]
    archived_percent: Option<f64>,
    /// With --archived-percent: the archived tickets are the oldest ones, as in Zendesk
    /// (solved tickets close within 28 days and archive 120 days later), instead of a
    /// share of every period.
    #[arg(long, requires = "archived_percent")]
    archived_oldest: bool,
    /// Seconds before a write is visible to search and search export (0: at once).
    #[arg(long, default_value_t = 180)]
    search_lag_secs: u64,
    /// Seconds a search export cursor stays valid (0: forever).
    #[arg(long, default_value_t = 3600)]
    search_cursor_ttl_secs: u64,
    /// Virtual milliseconds a search export page takes per archived ticket on it (with
    /// --search-export-timeout-ms: big pages of archived tickets time out, e.g. 40 ms
    /// makes a 1,000-ticket page with 30% archived take 12 s, over the 10 s default).
    #[arg(long, default_value_t = 0)]
    search_export_archived_ms: u64,
    /// A search export page slower than this (virtual ms) gets 504 (0: never).
    #[arg(long, default_value_t = 10_000)]
    search_export_timeout_ms: u64,
    /// Keep `updated_at` equal to `generated_timestamp` on every generated ticket (by
    /// default about one in six had a system update that moved only the latter).
    #[arg(long)]
    no_split_updated_at: bool,
    /// Turn every quirk off (archiving, search lag, cursor expiry, slowdown, split
    /// `updated_at`); the individual flags are then ignored.
    #[arg(long)]
    no_quirks: bool,
}

/// A percentage in `0..=100`.
pub(crate) fn parse_percent(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("{s:?} is not a percentage between 0 and 100")),
    }
}

/// Runs the simulator until interrupted.
pub async fn run(args: SimArgs) -> anyhow::Result<()> {
    let time_scale = zdkit::config::parse_time_scale(&args.time_scale, "--time-scale")
        .map_err(|e| crate::report::CliError::new(crate::report::Exit::Usage, e.to_string()))?;
    let mut config = SimConfig::with_tickets(args.tickets);
    if let Some(users) = args.users {
        config.users = users;
        config.organizations = zdkit_sim::config::default_organizations(users);
    }
    if let Some(orgs) = args.organizations {
        config.organizations = orgs;
    }
    config.archived_percent = args.archived_percent;
    config.archived_oldest = args.archived_oldest;
    config.plan = args.plan;
    config.seed = args.seed;
    config.time_scale = time_scale;
    config.background_rpm = args.background_rpm;
    config.quirks = if args.no_quirks {
        zdkit_sim::Quirks::none()
    } else {
        zdkit_sim::Quirks {
            archive_after_days: args.archive_after_days,
            search_lag_secs: args.search_lag_secs,
            search_cursor_ttl_secs: args.search_cursor_ttl_secs,
            search_export_archived_ms: args.search_export_archived_ms,
            search_export_timeout_ms: args.search_export_timeout_ms,
            split_updated_at: !args.no_split_updated_at,
        }
    };
    // The simulator's credentials are settable, but like every secret in zd they come from
    // the environment, never from argv (where `ps` and shell history would show them).
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if args.password_auth {
        config.password = Some(env("ZD_SIM_PASSWORD").unwrap_or_else(|| "zd-sim-password".into()));
    }
    if let Some(t) = env("ZD_SIM_API_TOKEN") {
        config.api_token = t;
    }
    if let Some(t) = env("ZD_SIM_OAUTH_TOKEN") {
        config.oauth_token = t;
    }
    if let Some(t) = env("ZD_SIM_READONLY_OAUTH_TOKEN") {
        config.readonly_oauth_token = t;
    }
    if let Some(path) = &args.faults {
        config.faults = zdkit_sim::faults::FaultPlan::from_json_file(path)
            .with_context(|| format!("reading the fault plan {}", path.display()))?;
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("binding 127.0.0.1:{}", args.port))?;
    let port = listener.local_addr()?.port();
    let state = SimState::new(config.clone());
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://127.0.0.1:{port}")?;
    writeln!(
        out,
        "api token: {}/token:{}",
        config.admin_email, config.api_token
    )?;
    writeln!(
        out,
        "end-user api token: {}/token:{}",
        config.end_user_email, config.api_token
    )?;
    writeln!(out, "oauth token: {}", config.oauth_token)?;
    writeln!(
        out,
        "read-only oauth token: {}",
        config.readonly_oauth_token
    )?;
    if let Some(pw) = &config.password {
        writeln!(out, "password: {}:{pw}", config.admin_email)?;
    }
    out.flush()?;
    drop(out);
    tokio::select! {
        r = zdkit_sim::serve(listener, state) => r.context("serving")?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
