//! [`SimConfig`]: the size of the generated account, its credentials, plan and clock.

use zdkit_clock::SharedClock;

use crate::faults::FaultPlan;
use crate::limits::Plan;

/// The simulator's configuration.
///
/// Defaults: plan [`Plan::Enterprise`], 10,000 tickets, 1,000 users (tickets/10 clamped to
/// 50..=100,000), 100 organizations (users/10, at least 10), seed 1, time scale 1, no
/// clock (a `ScaledClock` at `time_scale` starting at the wall-clock time),
/// `admin@example.com` / API token `zd-sim-token`, OAuth tokens `zd-sim-oauth` and
/// `zd-sim-oauth-readonly`, end-user `enduser@example.com`, password auth off, no
/// background traffic, no faults, oversize pages clamped ([`OversizePage::Clamp`]).
#[derive(Clone)]
pub struct SimConfig {
    /// The plan (account and endpoint rate limits).
    pub plan: Plan,
    /// How many tickets are generated (ids `1..=tickets`).
    pub tickets: u64,
    /// How many users are generated (ids `1..=users`; at least 12 are used).
    pub users: u64,
    /// How many organizations are generated (ids `1..=organizations`; at least 1).
    pub organizations: u64,
    /// The share of generated tickets (percent) archived at the start: the share of
    /// closed tickets is raised or lowered so that this many are closed and older than
    /// [`Quirks::archive_after_days`] (at most the share of tickets that old). `None`:
    /// the default status mix (30% closed, about 26% archived with the 120-day default).
    pub archived_percent: Option<f64>,
    /// With `archived_percent`: the archived tickets are the *oldest* generated ones
    /// (every live ticket last updated before a cut-off is closed; no ticket between the
    /// cut-off and the archive age is), as in Zendesk, where every solved ticket is closed
    /// within 28 days and archived 120 days after it closed
    /// (<https://support.zendesk.com/hc/en-us/articles/4408887617050>), so an account's
    /// archived tickets are its old history. `false` (the default): closed tickets are
    /// spread over the whole history, a share of every period.
    pub archived_oldest: bool,
    /// The seed every generated record derives from.
    pub seed: u64,
    /// Virtual seconds per real second of the default clock.
    pub time_scale: f64,
    /// The clock; `None` means a `ScaledClock` running at `time_scale`.
    pub clock: Option<SharedClock>,
    /// The admin's email (user 1).
    pub admin_email: String,
    /// The API token (`email/token:TOKEN`), valid with any user's email.
    pub api_token: String,
    /// An OAuth bearer token acting as the admin.
    pub oauth_token: String,
    /// An OAuth bearer token acting as the admin with read scope only (writes get 403).
    pub readonly_oauth_token: String,
    /// The email of a generated end-user, for permission tests.
    pub end_user_email: String,
    /// The password of `email:password` Basic auth; `None` disables password auth.
    pub password: Option<String>,
    /// Requests per minute of simulated other API consumers.
    pub background_rpm: u32,
    /// The fault plan.
    pub faults: FaultPlan,
    /// How the catalogue families' lists answer a `page[size]` above their maximum.
    pub oversize_page: OversizePage,
    /// Zendesk's behaviours that integrations trip over (archiving, search lag, …).
    pub quirks: Quirks,
}

/// How a list answers `page[size]` (or `per_page`) above the family's documented maximum
/// (100 almost everywhere). Zendesk's reference says "a maximum of 100 records per page"
/// without saying what a larger request gets; see `docs/design/simulator-catalogue.md`.
/// Default [`OversizePage::Clamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OversizePage {
    /// Serve a page of the maximum size.
    #[default]
    Clamp,
    /// Answer 400 `InvalidPaginationParameter`.
    Reject,
}

/// Zendesk's behaviours that integrations trip over, each switchable
/// (`docs/design/simulator-quirks.md`). `Quirks::none()` turns every one off.
///
/// Defaults: tickets closed more than 120 days ago are archived; search sees writes 180
/// seconds late; search export cursors live 3,600 seconds; no search export slowdown
/// (set `search_export_archived_ms` to make pages holding archived tickets slow; one that
/// would take more than 10,000 ms is then answered 504); generated tickets' `updated_at` trails `generated_timestamp` for
/// about one in six (system updates that touch no field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quirks {
    /// Closed tickets whose last update is more than this many days old are archived:
    /// absent from `GET /tickets` (and the account-wide ticket audits), still served by
    /// show, incremental exports and search export. 0 turns archiving off.
    pub archive_after_days: u64,
    /// Seconds before a write is visible to search and search export (the search index
    /// lags). 0 makes search see writes at once.
    pub search_lag_secs: u64,
    /// Seconds a search export cursor stays valid (Zendesk: one hour); 0: forever.
    pub search_cursor_ttl_secs: u64,
    /// Virtual milliseconds a search export page takes per archived ticket on it.
    pub search_export_archived_ms: u64,
    /// A search export page that would take longer than this (virtual ms) is answered
    /// 504 after this long, as Zendesk's gateway does; 0 never gives up.
    pub search_export_timeout_ms: u64,
    /// Whether generated tickets may have `updated_at` older than `generated_timestamp`
    /// (and a write that changes no field bumps only `generated_timestamp`).
    pub split_updated_at: bool,
}

impl Default for Quirks {
    fn default() -> Self {
        Quirks {
            archive_after_days: 120,
            search_lag_secs: 180,
            search_cursor_ttl_secs: 3600,
            search_export_archived_ms: 0,
            search_export_timeout_ms: 10_000,
            split_updated_at: true,
        }
    }
}

impl Quirks {
    /// Every quirk off: nothing archived, search sees writes at once, cursors never
    /// expire, no slowdown, `updated_at` always equals `generated_timestamp`.
    pub fn none() -> Self {
        Quirks {
            archive_after_days: 0,
            search_lag_secs: 0,
            search_cursor_ttl_secs: 0,
            search_export_archived_ms: 0,
            search_export_timeout_ms: 0,
            split_updated_at: false,
        }
    }
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("plan", &self.plan)
            .field("tickets", &self.tickets)
            .field("users", &self.users)
            .field("organizations", &self.organizations)
            .field("archived_percent", &self.archived_percent)
            .field("archived_oldest", &self.archived_oldest)
            .field("seed", &self.seed)
            .field("time_scale", &self.time_scale)
            .field("clock", &self.clock)
            .field("admin_email", &self.admin_email)
            .field("end_user_email", &self.end_user_email)
            .field("password_auth", &self.password.is_some())
            .field("background_rpm", &self.background_rpm)
            .field("quirks", &self.quirks)
            .finish_non_exhaustive()
    }
}

/// The default number of users for `tickets` tickets: tickets/10 clamped to 50..=100,000.
pub fn default_users(tickets: u64) -> u64 {
    (tickets / 10).clamp(50, 100_000)
}

/// The default number of organizations for `users` users: users/10, at least 10.
pub fn default_organizations(users: u64) -> u64 {
    (users / 10).max(10)
}

impl SimConfig {
    /// The default configuration with `tickets` tickets and users/organizations derived
    /// from it.
    pub fn with_tickets(tickets: u64) -> Self {
        let users = default_users(tickets);
        SimConfig {
            tickets,
            users,
            organizations: default_organizations(users),
            ..SimConfig::default()
        }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        let tickets = 10_000;
        let users = default_users(tickets);
        SimConfig {
            plan: Plan::Enterprise,
            tickets,
            users,
            organizations: default_organizations(users),
            archived_percent: None,
            archived_oldest: false,
            seed: 1,
            time_scale: 1.0,
            clock: None,
            admin_email: "admin@example.com".to_string(),
            api_token: "zd-sim-token".to_string(),
            oauth_token: "zd-sim-oauth".to_string(),
            readonly_oauth_token: "zd-sim-oauth-readonly".to_string(),
            end_user_email: "enduser@example.com".to_string(),
            password: None,
            background_rpm: 0,
            faults: FaultPlan::default(),
            oversize_page: OversizePage::default(),
            quirks: Quirks::default(),
        }
    }
}
