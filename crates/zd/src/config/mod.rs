//! Where the connection settings come from. The precedence itself is the library's one
//! resolver (`zdkit::config`); this file adds the layers only the CLI has: flags and the
//! profiles of the config file.
//!
//! Precedence, highest first:
//! * flags;
//! * when the profile is chosen explicitly (`--profile`, `--config` or `ZD_PROFILE`): that
//!   profile, then the environment **without** its account, email and secret (another
//!   account's credentials are never mixed in; the ignored variables are named on stderr);
//! * otherwise: the `ZENDESK_*` environment, then the file's default profile.
//!
//! Secrets never come from a command-line value: only from the environment, a file named
//! by a flag, or the config file.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use serde::Deserialize;
pub use zdkit::config::{Key, Layer, Resolved, SecretKind, Source, Sourced};
use zdkit::ratelimit::RedisStore;
use zdkit::{Client, ClientBuilder, Lane, RetryPolicy, ScaledClock};

use crate::output;
use crate::report::{CliError, Exit};

/// The connection flags every command accepts.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// The account subdomain (`acme` for acme.zendesk.com) [env: ZENDESK_SUBDOMAIN].
    #[arg(long, global = true, value_name = "NAME")]
    pub subdomain: Option<String>,
    /// A full base URL instead of a subdomain (a simulator, a proxy) [env: ZENDESK_BASE_URL].
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// The user's email, for API-token (or password) auth [env: ZENDESK_EMAIL].
    #[arg(long, global = true, value_name = "EMAIL")]
    pub email: Option<String>,
    /// Read the API token from this file (one trailing newline is ignored).
    #[arg(long, global = true, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Read an OAuth access token from this file (one trailing newline is ignored).
    #[arg(long, global = true, value_name = "FILE")]
    pub oauth_token_file: Option<PathBuf>,
    /// The config file [env: ZD_CONFIG] [default: ~/.config/zd/config.toml].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The profile of the config file [env: ZD_PROFILE] [default: the file's
    /// `default_profile`, else `default`].
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Run the client's clock K times faster, to talk to `zd sim --time-scale K`
    /// [env: ZD_TIME_SCALE].
    #[arg(long, global = true, value_name = "K")]
    pub time_scale: Option<String>,
    /// Don't wait for rate-limit budget or on a 429: fail with exit code 6 and the wait.
    #[arg(long, global = true)]
    pub no_wait: bool,
    /// `--plan` and `--headroom`.
    #[command(flatten)]
    pub pacing: crate::pacing::PacingArgs,
    /// Share one rate-limit budget with every process using this Redis and account:
    /// `redis://HOST:PORT[/DB]` [env: ZD_BUDGET_URL] [config: budget].
    #[arg(long, global = true, value_name = "URL")]
    pub budget: Option<String>,
    /// The requests' priority lane: interactive, normal or background [env: ZD_PRIORITY]
    /// [default: background for `zd sync`, normal otherwise].
    #[arg(long, global = true, value_name = "LANE")]
    pub priority: Option<String>,
    /// How requests spend each rate-limit window: `even` (spread until the reset) or
    /// `eager` (as fast as the server takes them, never past what it says remains)
    /// [env: ZD_PACING] [config: pacing] [default: eager for interactive, even otherwise].
    #[arg(long = "pacing", global = true, value_name = "MODE")]
    pub pacing_mode: Option<String>,
}

/// The config file: `default_profile = "..."` and `[profiles.NAME]` tables whose keys are
/// those of [`Key`] (`subdomain`, `base_url`, `email`, `api_token`, `token_file`, ...).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The profile used when none is named.
    pub default_profile: Option<String>,
    /// The profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, toml::Table>,
}

impl ConfigFile {
    /// The layer of profile `name`: every key checked against [`Key`], values as text.
    pub fn layer(&self, name: &str) -> anyhow::Result<Option<Layer>> {
        let Some(table) = self.profiles.get(name) else {
            return Ok(None);
        };
        let mut layer = Layer::new();
        for (k, v) in table {
            let key = Key::from_name(k).ok_or_else(|| {
                usage(format!(
                    "unknown key {} in [profiles.{name}] of the config file; valid keys: {}",
                    zdkit::text::quote(k),
                    Key::names()
                ))
            })?;
            let text = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => {
                    return Err(usage(format!(
                        "[profiles.{name}] {k} must be a string or a number"
                    )))
                }
            };
            layer.set(
                key,
                text,
                Source::Config {
                    profile: name.to_owned(),
                    key: key.name(),
                },
            );
        }
        Ok(Some(layer))
    }

    /// Whether any profile holds a secret inline (not through a `*_file` key).
    fn holds_secret(&self) -> bool {
        self.profiles.values().any(|t| {
            t.keys()
                .any(|k| Key::from_name(k).is_some_and(|k| k.spec().secret))
        })
    }
}

/// The effective settings after every source was consulted. Derefs to the library's
/// [`Resolved`] (`base_url`, `subdomain`, `email`, `secret`, `missing()`, ...).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file consulted (whether or not it exists).
    pub config_path: Option<Sourced<PathBuf>>,
    /// Whether the config file exists.
    pub config_found: bool,
    /// The profile used.
    pub profile: Sourced<String>,
    /// Environment variables ignored because the profile was chosen explicitly.
    pub ignored: Vec<Sourced<Key>>,
    /// Warnings about the configuration (a readable config file holding a secret).
    pub warnings: Vec<String>,
    /// The resolved values.
    pub resolved: Resolved,
    /// The client clock's speed-up.
    pub time_scale: Sourced<f64>,
    /// The plan pacing starts from (`--plan`, `ZD_PLAN`, the profile's `plan`).
    pub plan: Option<Sourced<zdkit::Plan>>,
    /// The headroom (`--headroom`, `ZD_HEADROOM`, the profile's `headroom`).
    pub headroom: Option<Sourced<f64>>,
    /// Don't-wait mode.
    pub no_wait: bool,
}

impl std::ops::Deref for Settings {
    type Target = Resolved;
    fn deref(&self) -> &Resolved {
        &self.resolved
    }
}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    CliError::new(Exit::Usage, msg).into()
}

/// A library configuration error as a usage error.
fn config_err(e: zdkit::Error) -> anyhow::Error {
    match e {
        zdkit::Error::Config(m) => usage(m),
        other => other.into(),
    }
}

fn default_config_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(x) = env("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(x).join("zd").join("config.toml"));
    }
    env("HOME").map(|h| {
        PathBuf::from(h)
            .join(".config")
            .join("zd")
            .join("config.toml")
    })
}

/// The time scale given by `--time-scale` or `ZD_TIME_SCALE`, validated (commands that
/// run their own simulator use it without the rest of the configuration).
pub fn time_scale_override(args: &GlobalArgs) -> anyhow::Result<Option<f64>> {
    let env = std::env::var("ZD_TIME_SCALE")
        .ok()
        .filter(|v| !v.is_empty());
    match (&args.time_scale, env) {
        (Some(k), _) => Ok(Some(
            zdkit::config::parse_time_scale(k, "--time-scale").map_err(config_err)?,
        )),
        (None, Some(k)) => Ok(Some(
            zdkit::config::parse_time_scale(&k, "ZD_TIME_SCALE").map_err(config_err)?,
        )),
        (None, None) => Ok(None),
    }
}

/// A warning when `path` holds a secret and others may read it (Unix mode & 0o077).
#[cfg(unix)]
fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "warning: the config file {} holds a secret and others can read it (mode {mode:o}); run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn permission_warning(_path: &Path) -> Option<String> {
    None
}

impl Settings {
    /// The config file path: `--config`, else `ZD_CONFIG`, else
    /// `$XDG_CONFIG_HOME/zd/config.toml` or `~/.config/zd/config.toml`.
    pub fn config_path_for(
        args: &GlobalArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<PathBuf> {
        let env = |k: &str| env(k).filter(|v| !v.is_empty());
        args.config
            .clone()
            .or_else(|| env("ZD_CONFIG").map(PathBuf::from))
            .or_else(|| default_config_path(&env))
    }

    /// Resolve from the process environment; warnings and ignored variables are noted on
    /// stderr.
    pub fn resolve(args: &GlobalArgs) -> anyhow::Result<Settings> {
        let s = Self::resolve_with(args, &|k| std::env::var(k).ok())?;
        for w in &s.warnings {
            output::note(w);
        }
        if !s.ignored.is_empty() {
            let names: Vec<String> = s.ignored.iter().map(|k| k.source.to_string()).collect();
            output::note(&format!(
                "note: profile {:?} chosen by {}: ignoring {}",
                s.profile.value,
                s.profile.source,
                names.join(", ")
            ));
        }
        Ok(s)
    }

    /// Resolve with a custom environment lookup (unit tests).
    pub fn resolve_with(
        args: &GlobalArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Settings> {
        let env = |k: &str| env(k).filter(|v| !v.is_empty());
        // The config file.
        let config_path = match (&args.config, env("ZD_CONFIG")) {
            (Some(p), _) => Some(Sourced::new(p.clone(), Source::Flag("config"))),
            (None, Some(p)) => Some(Sourced::new(PathBuf::from(p), Source::Env("ZD_CONFIG"))),
            (None, None) => default_config_path(&env).map(|p| Sourced::new(p, Source::Default)),
        };
        let (file, config_found) = match &config_path {
            Some(p) if p.value.exists() => {
                let text = std::fs::read_to_string(&p.value)
                    .with_context(|| format!("reading {}", p.value.display()))
                    .map_err(|e| usage(format!("{e:#}")))?;
                let file: ConfigFile = toml::from_str(&text).map_err(|e| {
                    usage(format!(
                        "the config file {} is invalid: {e}",
                        p.value.display()
                    ))
                })?;
                (file, true)
            }
            Some(p) if p.source != Source::Default => {
                return Err(usage(format!(
                    "the config file {} ({}) does not exist",
                    p.value.display(),
                    p.source
                )))
            }
            _ => (ConfigFile::default(), false),
        };
        let mut warnings = Vec::new();
        if let Some(p) = config_path.as_ref().filter(|_| file.holds_secret()) {
            warnings.extend(permission_warning(&p.value));
        }
        let profile = match (&args.profile, env("ZD_PROFILE"), &file.default_profile) {
            (Some(p), _, _) => Sourced::new(p.clone(), Source::Flag("profile")),
            (None, Some(p), _) => Sourced::new(p, Source::Env("ZD_PROFILE")),
            (None, None, Some(p)) => Sourced::new(
                p.clone(),
                Source::Config {
                    profile: p.clone(),
                    key: "default_profile",
                },
            ),
            (None, None, None) => Sourced::new("default".to_owned(), Source::Default),
        };
        let prof = match file.layer(&profile.value)? {
            Some(p) => p,
            None if profile.source == Source::Default => Layer::new(),
            None => {
                let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
                return Err(usage(format!(
                    "no profile {} in the config file (profiles: {})",
                    zdkit::text::quote(&profile.value),
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        };
        if args.token_file.is_some() && args.oauth_token_file.is_some() {
            return Err(usage("pass --token-file or --oauth-token-file, not both"));
        }
        let mut flags = Layer::new();
        let flag_values: [(Key, &'static str, Option<String>); 11] = [
            (Key::Budget, "budget", args.budget.clone()),
            (Key::Pacing, "pacing", args.pacing_mode.clone()),
            (Key::Priority, "priority", args.priority.clone()),
            (Key::Subdomain, "subdomain", args.subdomain.clone()),
            (Key::BaseUrl, "base-url", args.base_url.clone()),
            (Key::Email, "email", args.email.clone()),
            (
                Key::TokenFile,
                "token-file",
                args.token_file.as_ref().map(|p| p.display().to_string()),
            ),
            (
                Key::OAuthTokenFile,
                "oauth-token-file",
                args.oauth_token_file
                    .as_ref()
                    .map(|p| p.display().to_string()),
            ),
            (Key::TimeScale, "time-scale", args.time_scale.clone()),
            (Key::Plan, "plan", args.pacing.plan.clone()),
            (Key::Headroom, "headroom", args.pacing.headroom.clone()),
        ];
        for (key, flag, value) in flag_values {
            if let Some(v) = value {
                flags.set(key, v, Source::Flag(flag));
            }
        }
        let env_layer = Layer::from_env(env);
        // An explicitly chosen profile that exists beats the environment, and takes none
        // of the environment's account, email or secret.
        let explicit = matches!(profile.source, Source::Flag(_) | Source::Env("ZD_PROFILE"))
            || matches!(
                config_path.as_ref().map(|p| &p.source),
                Some(Source::Flag(_))
            );
        let (layers, ignored) = if explicit && !prof.is_empty() {
            let (env_rest, ignored) = env_layer.without_identity();
            (vec![flags, prof, env_rest], ignored)
        } else {
            (vec![flags, env_layer, prof], Vec::new())
        };
        let resolved = Resolved::from_layers(&layers).map_err(config_err)?;
        let time_scale = resolved.time_scale().map_err(config_err)?;
        let plan = resolved.plan().map_err(config_err)?;
        let headroom = resolved.headroom().map_err(config_err)?;
        Ok(Settings {
            config_path,
            config_found,
            profile,
            ignored,
            warnings,
            resolved,
            time_scale,
            plan,
            headroom,
            no_wait: args.no_wait,
        })
    }

    /// The account requests go to, for messages: the base URL or `https://SUB.zendesk.com`.
    pub fn account_label(&self) -> String {
        match (&self.base_url, &self.subdomain) {
            (Some(u), _) => u.value.trim_end_matches('/').to_owned(),
            (None, Some(s)) => format!("https://{}.zendesk.com", s.value),
            (None, None) => "(no account)".to_owned(),
        }
    }

    /// The account and where it was configured: `https://acme.zendesk.com (env
    /// ZENDESK_SUBDOMAIN)`, with the profile when one was used.
    pub fn account_description(&self) -> String {
        let from = self
            .account()
            .map(|a| a.source.to_string())
            .unwrap_or_default();
        format!("{} ({from})", self.account_label())
    }

    /// Name the account a write is about to go to, on stderr (`{what} on ACCOUNT (SOURCE)`):
    /// the one owner of that message for every write command (`zd api` with a writing
    /// method, `zd tickets`). Returns the account's description.
    pub fn announce_write(&self, what: &str) -> String {
        let account = self.account_description();
        crate::output::note(&format!("{what} on {account}"));
        account
    }

    /// A client builder with the account, clock, user agent and don't-wait mode (no
    /// credentials).
    pub fn builder(&self) -> anyhow::Result<ClientBuilder> {
        self.builder_in(Lane::Normal)
    }

    /// The host (and port) keying the shared budget: the account's, never a path.
    fn budget_account(&self) -> String {
        let label = self.account_label();
        let rest = label.split_once("://").map_or(label.as_str(), |(_, r)| r);
        rest.split(['/', '?', '#'])
            .next()
            .unwrap_or(rest)
            .to_owned()
    }

    /// The shared budget URL, when configured.
    pub fn budget_url(&self) -> Option<&Sourced<String>> {
        self.resolved.get(Key::Budget)
    }

    /// The shared budget's store, when a budget URL is configured (not yet contacted).
    pub fn budget_store(&self) -> anyhow::Result<Option<RedisStore>> {
        let Some(url) = self.budget_url() else {
            return Ok(None);
        };
        let policy = self.with_pacing(crate::pacing::policy(
            None,
            self.headroom.as_ref().map(|h| h.value),
            false,
        ))?;
        let store = RedisStore::builder(url.value.clone(), self.budget_account())
            .pacing_of(&policy)
            .headroom(policy.headroom_fraction())
            .background_reserve(policy.background_reserve_fraction())
            .label("zd")
            .build()
            .map_err(|e| usage(format!("{e} (from {})", url.source)))?;
        Ok(Some(store))
    }

    /// `policy` with the pacing of `--pacing` (`ZD_PACING`, the `pacing` key) for every
    /// lane, when given; else each lane's default ([`zdkit::Pacing::default_for`]).
    fn with_pacing(
        &self,
        policy: zdkit::RateLimitPolicy,
    ) -> anyhow::Result<zdkit::RateLimitPolicy> {
        Ok(match self.resolved.pacing().map_err(config_err)? {
            Some(p) => policy.pacing(p.value),
            None => policy,
        })
    }

    /// [`Settings::builder`] with `default` as the lane unless `--priority` (or
    /// `ZD_PRIORITY`, or the `priority` key) says otherwise.
    pub fn builder_in(&self, default: Lane) -> anyhow::Result<ClientBuilder> {
        let mut b = Client::builder().user_agent(concat!("zd/", env!("CARGO_PKG_VERSION")));
        b = match (&self.base_url, &self.subdomain) {
            (Some(u), _) => b.base_url(u.value.clone()),
            (None, Some(s)) => b.subdomain(s.value.clone()),
            (None, None) => return Err(usage(self.missing().join("; "))),
        };
        if self.time_scale.value != 1.0 {
            let origin = self
                .resolved
                .parse(Key::TimeOrigin, |s| {
                    s.trim()
                        .parse::<u64>()
                        .map_err(|_| "not a number of unix seconds".to_owned())
                })
                .map_err(config_err)?;
            let clock = match origin {
                Some(o) => ScaledClock::anchored(
                    zdkit::Timestamp::from_unix_secs(o.value),
                    self.time_scale.value,
                ),
                None => ScaledClock::new(self.time_scale.value),
            };
            b = b.clock(Arc::new(clock));
        }
        let lane = self
            .resolved
            .parse(Key::Priority, |s| s.parse::<Lane>())
            .map_err(config_err)?
            .map_or(default, |l| l.value);
        b = b.rate_limit_policy(
            self.with_pacing(crate::pacing::policy(
                self.plan.as_ref().map(|p| p.value),
                self.headroom.as_ref().map(|h| h.value),
                self.no_wait,
            ))?
            .lane(lane),
        );
        if self.no_wait {
            b = b.retry_policy(RetryPolicy::default().max_elapsed(Duration::from_secs(30)));
        }
        if let Some(store) = self.budget_store()? {
            b = b.budget_store(Arc::new(store));
        }
        Ok(b)
    }

    /// The authenticated client every API command uses. Missing settings are usage errors.
    pub fn client(&self) -> anyhow::Result<Client> {
        self.client_in(Lane::Normal)
    }

    /// [`Settings::client`] with `default` as the lane (see [`Settings::builder_in`]).
    pub fn client_in(&self, default: Lane) -> anyhow::Result<Client> {
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(usage(missing.join("; ")));
        }
        let creds = self
            .credentials()
            .ok_or_else(|| usage("incomplete credentials"))?;
        Ok(self.builder_in(default)?.credentials(creds).build()?)
    }
}

#[cfg(test)]
mod tests;
