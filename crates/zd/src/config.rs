//! Where the connection settings come from: flags, then the environment, then a profile of
//! the config file. Secrets never come from a command-line value: only from the
//! environment, a file named by a flag, or the config file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use serde::Deserialize;
use zdkit::{Client, ClientBuilder, Credentials, RateLimitPolicy, RetryPolicy, ScaledClock};

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
    pub time_scale: Option<f64>,
    /// Don't wait for rate-limit budget or on a 429: fail with exit code 6 and the wait.
    #[arg(long, global = true)]
    pub no_wait: bool,
}

/// One profile of the config file. Every key is optional; flags and the environment win.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The account subdomain.
    pub subdomain: Option<String>,
    /// A full base URL.
    pub base_url: Option<String>,
    /// The user's email.
    pub email: Option<String>,
    /// The API token (keep the file private: `chmod 600`).
    pub api_token: Option<String>,
    /// A file holding the API token.
    pub token_file: Option<PathBuf>,
    /// An OAuth access token.
    pub oauth_token: Option<String>,
    /// A file holding an OAuth access token.
    pub oauth_token_file: Option<PathBuf>,
    /// A password (deprecated by Zendesk).
    pub password: Option<String>,
    /// The client clock's speed-up.
    pub time_scale: Option<f64>,
}

/// The config file: `default_profile = "..."` and `[profiles.NAME]` tables.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The profile used when none is named.
    pub default_profile: Option<String>,
    /// The profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A file named by a flag or the config.
    File(PathBuf),
    /// A key of a config-file profile.
    Config {
        /// The profile.
        profile: String,
        /// The key.
        key: &'static str,
    },
    /// The built-in default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(n) => write!(f, "flag --{n}"),
            Source::Env(n) => write!(f, "env {n}"),
            Source::File(p) => write!(f, "file {}", p.display()),
            Source::Config { profile, key } => write!(f, "config [profiles.{profile}] {key}"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Its origin.
    pub source: Source,
}

fn sourced<T>(value: T, source: Source) -> Sourced<T> {
    Sourced { value, source }
}

/// The kind of secret found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// An API token (Basic `email/token:TOKEN`).
    ApiToken,
    /// An OAuth access token (Bearer).
    OAuth,
    /// A password (Basic `email:password`, deprecated).
    Password,
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SecretKind::ApiToken => "api token",
            SecretKind::OAuth => "oauth token",
            SecretKind::Password => "password",
        })
    }
}

/// The effective settings after every source was consulted.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file consulted (whether or not it exists).
    pub config_path: Option<Sourced<PathBuf>>,
    /// Whether the config file exists.
    pub config_found: bool,
    /// The profile used.
    pub profile: Sourced<String>,
    /// The base URL, when given.
    pub base_url: Option<Sourced<String>>,
    /// The subdomain, when given.
    pub subdomain: Option<Sourced<String>>,
    /// The email, when given.
    pub email: Option<Sourced<String>>,
    /// The secret and its kind, when given (never printed).
    pub secret: Option<Sourced<(SecretKind, zdkit::Secret)>>,
    /// The client clock's speed-up.
    pub time_scale: Sourced<f64>,
    /// Don't-wait mode.
    pub no_wait: bool,
}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    CliError::new(Exit::Usage, msg).into()
}

/// Read a secret from a file, dropping one trailing newline (editors add it); any other
/// whitespace is kept so `Credentials::check` can report it.
fn read_secret_file(path: &Path) -> anyhow::Result<String> {
    let mut s = std::fs::read_to_string(path)
        .map_err(|e| usage(format!("reading the secret file {}: {e}", path.display())))?;
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    Ok(s)
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

fn parse_scale(raw: &str, what: &str) -> anyhow::Result<f64> {
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|k| k.is_finite() && *k > 0.0)
        .ok_or_else(|| usage(format!("{what}={raw:?} is not a positive number")))
}

impl Settings {
    /// Resolve from the process environment.
    pub fn resolve(args: &GlobalArgs) -> anyhow::Result<Settings> {
        Self::resolve_with(args, &|k| std::env::var(k).ok())
    }

    /// Resolve with a custom environment lookup (unit tests).
    pub fn resolve_with(
        args: &GlobalArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Settings> {
        let env = |k: &str| env(k).filter(|v| !v.is_empty());
        // The config file.
        let config_path = match (&args.config, env("ZD_CONFIG")) {
            (Some(p), _) => Some(sourced(p.clone(), Source::Flag("config"))),
            (None, Some(p)) => Some(sourced(PathBuf::from(p), Source::Env("ZD_CONFIG"))),
            (None, None) => default_config_path(&env).map(|p| sourced(p, Source::Default)),
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
        let profile = match (&args.profile, env("ZD_PROFILE"), &file.default_profile) {
            (Some(p), _, _) => sourced(p.clone(), Source::Flag("profile")),
            (None, Some(p), _) => sourced(p, Source::Env("ZD_PROFILE")),
            (None, None, Some(p)) => sourced(
                p.clone(),
                Source::Config {
                    profile: p.clone(),
                    key: "default_profile",
                },
            ),
            (None, None, None) => sourced("default".to_owned(), Source::Default),
        };
        let prof = match file.profiles.get(&profile.value) {
            Some(p) => p.clone(),
            None if profile.source == Source::Default => Profile::default(),
            None => {
                let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
                return Err(usage(format!(
                    "no profile {:?} in the config file (profiles: {})",
                    profile.value,
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        };
        let pname = profile.value.clone();
        let cfg = |key: &'static str| Source::Config {
            profile: pname.clone(),
            key,
        };
        let pick = |flag: &Option<String>,
                    fname: &'static str,
                    var: &'static str,
                    conf: &Option<String>,
                    key: &'static str| {
            flag.clone()
                .filter(|v| !v.is_empty())
                .map(|v| sourced(v, Source::Flag(fname)))
                .or_else(|| env(var).map(|v| sourced(v, Source::Env(var))))
                .or_else(|| conf.clone().map(|v| sourced(v, cfg(key))))
        };
        let mut base_url = pick(
            &args.base_url,
            "base-url",
            "ZENDESK_BASE_URL",
            &prof.base_url,
            "base_url",
        );
        let mut subdomain = pick(
            &args.subdomain,
            "subdomain",
            "ZENDESK_SUBDOMAIN",
            &prof.subdomain,
            "subdomain",
        );
        // A flag for one of the two beats the environment or config for the other.
        if matches!(subdomain.as_ref().map(|s| &s.source), Some(Source::Flag(_)))
            && !matches!(base_url.as_ref().map(|s| &s.source), Some(Source::Flag(_)))
        {
            base_url = None;
        }
        if base_url.is_some() {
            subdomain = None;
        }
        let email = pick(&args.email, "email", "ZENDESK_EMAIL", &prof.email, "email");
        let secret = Self::secret(args, &env, &prof, &cfg)?;
        let time_scale = match (args.time_scale, env("ZD_TIME_SCALE"), prof.time_scale) {
            (Some(k), _, _) => sourced(
                parse_scale(&k.to_string(), "--time-scale")?,
                Source::Flag("time-scale"),
            ),
            (None, Some(k), _) => sourced(
                parse_scale(&k, "ZD_TIME_SCALE")?,
                Source::Env("ZD_TIME_SCALE"),
            ),
            (None, None, Some(k)) => sourced(
                parse_scale(&k.to_string(), "time_scale")?,
                cfg("time_scale"),
            ),
            (None, None, None) => sourced(1.0, Source::Default),
        };
        Ok(Settings {
            config_path,
            config_found,
            profile,
            base_url,
            subdomain,
            email,
            secret,
            time_scale,
            no_wait: args.no_wait,
        })
    }

    fn secret(
        args: &GlobalArgs,
        env: &dyn Fn(&str) -> Option<String>,
        prof: &Profile,
        cfg: &dyn Fn(&'static str) -> Source,
    ) -> anyhow::Result<Option<Sourced<(SecretKind, zdkit::Secret)>>> {
        let s = |kind, v: String, src| Some(sourced((kind, zdkit::Secret::new(v)), src));
        match (&args.token_file, &args.oauth_token_file) {
            (Some(_), Some(_)) => {
                return Err(usage("pass --token-file or --oauth-token-file, not both"))
            }
            (Some(p), None) => {
                return Ok(s(
                    SecretKind::ApiToken,
                    read_secret_file(p)?,
                    Source::File(p.clone()),
                ))
            }
            (None, Some(p)) => {
                return Ok(s(
                    SecretKind::OAuth,
                    read_secret_file(p)?,
                    Source::File(p.clone()),
                ))
            }
            (None, None) => {}
        }
        let api = env("ZENDESK_API_TOKEN");
        let oauth = env("ZENDESK_OAUTH_TOKEN");
        match (api, oauth) {
            (Some(_), Some(_)) => {
                return Err(usage(
                    "both ZENDESK_API_TOKEN and ZENDESK_OAUTH_TOKEN are set; unset one",
                ))
            }
            (Some(t), None) => {
                return Ok(s(SecretKind::ApiToken, t, Source::Env("ZENDESK_API_TOKEN")))
            }
            (None, Some(t)) => {
                return Ok(s(SecretKind::OAuth, t, Source::Env("ZENDESK_OAUTH_TOKEN")))
            }
            (None, None) => {}
        }
        if let Some(p) = env("ZENDESK_PASSWORD") {
            return Ok(s(SecretKind::Password, p, Source::Env("ZENDESK_PASSWORD")));
        }
        let given = [
            prof.api_token.is_some(),
            prof.token_file.is_some(),
            prof.oauth_token.is_some(),
            prof.oauth_token_file.is_some(),
            prof.password.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(usage(
                "the profile sets more than one of api_token, token_file, oauth_token, oauth_token_file, password; keep one",
            ));
        }
        Ok(if let Some(t) = &prof.api_token {
            s(SecretKind::ApiToken, t.clone(), cfg("api_token"))
        } else if let Some(p) = &prof.token_file {
            s(
                SecretKind::ApiToken,
                read_secret_file(p)?,
                Source::File(p.clone()),
            )
        } else if let Some(t) = &prof.oauth_token {
            s(SecretKind::OAuth, t.clone(), cfg("oauth_token"))
        } else if let Some(p) = &prof.oauth_token_file {
            s(
                SecretKind::OAuth,
                read_secret_file(p)?,
                Source::File(p.clone()),
            )
        } else {
            prof.password
                .as_ref()
                .and_then(|p| s(SecretKind::Password, p.clone(), cfg("password")))
        })
    }

    /// What is missing before a request can be made, with the fix; empty when complete.
    pub fn missing(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.base_url.is_none() && self.subdomain.is_none() {
            out.push(
                "no account: set ZENDESK_SUBDOMAIN (or ZENDESK_BASE_URL), --subdomain, or `subdomain` in the config file"
                    .to_owned(),
            );
        }
        match &self.secret {
            None => out.push(
                "no credentials: set ZENDESK_EMAIL + ZENDESK_API_TOKEN (or ZENDESK_OAUTH_TOKEN), --token-file, or the config file"
                    .to_owned(),
            ),
            Some(s) if s.value.0 != SecretKind::OAuth && self.email.is_none() => out.push(format!(
                "the {} needs an email: set ZENDESK_EMAIL, --email or `email` in the config file",
                s.value.0
            )),
            Some(_) => {}
        }
        out
    }

    /// The credentials, when a secret (and, except for OAuth, an email) is configured.
    pub fn credentials(&self) -> Option<Credentials> {
        let s = self.secret.as_ref()?;
        let email = || self.email.as_ref().map(|e| e.value.clone());
        Some(match s.value.0 {
            SecretKind::ApiToken => Credentials::api_token(email()?, s.value.1.clone()),
            SecretKind::OAuth => Credentials::oauth(s.value.1.clone()),
            SecretKind::Password => Credentials::password(email()?, s.value.1.clone()),
        })
    }

    /// A client builder with the account, clock and don't-wait mode (no credentials).
    pub fn builder(&self) -> anyhow::Result<ClientBuilder> {
        let mut b = Client::builder().user_agent(concat!("zd/", env!("CARGO_PKG_VERSION")));
        b = match (&self.base_url, &self.subdomain) {
            (Some(u), _) => b.base_url(u.value.clone()),
            (None, Some(s)) => b.subdomain(s.value.clone()),
            (None, None) => return Err(usage(self.missing().join("; "))),
        };
        if self.time_scale.value != 1.0 {
            b = b.clock(Arc::new(ScaledClock::new(self.time_scale.value)));
        }
        if self.no_wait {
            b = b
                .rate_limit_policy(RateLimitPolicy::default().wait(false))
                .retry_policy(RetryPolicy::default().max_elapsed(Duration::from_secs(30)));
        }
        Ok(b)
    }

    /// The authenticated client every API command uses. Missing settings are usage errors.
    pub fn client(&self) -> anyhow::Result<Client> {
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(usage(missing.join("; ")));
        }
        let creds = self
            .credentials()
            .ok_or_else(|| usage("incomplete credentials"))?;
        Ok(self.builder()?.credentials(creds).build()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k: &str| m.get(k).cloned()
    }

    #[test]
    fn flags_beat_env_beat_config() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "default_profile = \"p\"\n[profiles.p]\nsubdomain = \"fromfile\"\nemail = \"f@example.com\"\napi_token = \"filetok\"\n",
        )
        .unwrap();
        let p = path.to_str().unwrap();
        let s = Settings::resolve_with(&GlobalArgs::default(), &env(&[("ZD_CONFIG", p)])).unwrap();
        assert_eq!(s.subdomain.as_ref().unwrap().value, "fromfile");
        assert_eq!(s.secret.as_ref().unwrap().value.1.expose(), "filetok");
        assert!(s.missing().is_empty());
        let s = Settings::resolve_with(
            &GlobalArgs::default(),
            &env(&[("ZD_CONFIG", p), ("ZENDESK_SUBDOMAIN", "fromenv")]),
        )
        .unwrap();
        assert_eq!(
            s.subdomain.as_ref().unwrap().source,
            Source::Env("ZENDESK_SUBDOMAIN")
        );
        let args = GlobalArgs {
            subdomain: Some("fromflag".into()),
            ..GlobalArgs::default()
        };
        let s = Settings::resolve_with(
            &args,
            &env(&[("ZD_CONFIG", p), ("ZENDESK_BASE_URL", "http://x")]),
        )
        .unwrap();
        assert_eq!(s.subdomain.as_ref().unwrap().value, "fromflag");
        assert!(s.base_url.is_none());
    }

    #[test]
    fn errors_are_usage_errors() {
        let e = Settings::resolve_with(
            &GlobalArgs::default(),
            &env(&[("ZD_CONFIG", "/nonexistent/zd.toml")]),
        )
        .unwrap_err();
        assert_eq!(crate::report::exit_code(&e), Exit::Usage);
        let e = Settings::resolve_with(
            &GlobalArgs::default(),
            &env(&[("ZENDESK_API_TOKEN", "a"), ("ZENDESK_OAUTH_TOKEN", "b")]),
        )
        .unwrap_err();
        assert!(!format!("{e:#}").contains("ZENDESK_API_TOKEN=a"));
        let s = Settings::resolve_with(&GlobalArgs::default(), &env(&[])).unwrap();
        assert_eq!(s.missing().len(), 2);
    }

    #[test]
    fn token_file_drops_one_newline_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        std::fs::write(&path, "abc\n").unwrap();
        assert_eq!(read_secret_file(&path).unwrap(), "abc");
        std::fs::write(&path, "abc\n\n").unwrap();
        assert_eq!(read_secret_file(&path).unwrap(), "abc\n");
    }
}
