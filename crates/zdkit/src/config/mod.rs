//! The one layered configuration resolver.
//!
//! A configuration is a stack of [`Layer`]s, highest precedence first: each holds the values
//! one source gave (command-line flags, the `ZENDESK_*` environment, a profile of a config
//! file) and remembers where each came from ([`Source`]). [`Resolved::from_layers`] picks,
//! for every [`Key`], the value of the highest layer that has it, with two grouping rules
//! so that values of two accounts are never mixed:
//!
//! * the **account** (`base_url` / `subdomain`) comes whole from the highest layer that sets
//!   either (within one layer `base_url` wins);
//! * the **secret** (`api_token`, `oauth_token`, `password`, `token_file`,
//!   `oauth_token_file`) comes whole from the highest layer that sets any; a layer setting
//!   two is an error naming both.
//!
//! [`Client::from_env`](crate::Client::from_env) is this resolver over the environment
//! alone; the `zd` CLI stacks its flags and config-file profiles around it.
//!
//! Adding a key: one [`Key`] variant and its row in [`Key::ALL`] / [`Key::spec`]; read it
//! with [`Resolved::get`] or [`Resolved::parse`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{Client, ClientBuilder, Credentials, Error, RateLimitPolicy, ScaledClock, Secret};

/// A configuration key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Key {
    /// The account subdomain (`acme` for acme.zendesk.com).
    Subdomain,
    /// A full base URL instead of a subdomain.
    BaseUrl,
    /// The user's email (API-token and password auth).
    Email,
    /// An API token.
    ApiToken,
    /// A file holding an API token.
    TokenFile,
    /// An OAuth access token.
    OAuthToken,
    /// A file holding an OAuth access token.
    OAuthTokenFile,
    /// A password (deprecated by Zendesk).
    Password,
    /// The client clock's speed-up (talking to `zd sim --time-scale K`).
    TimeScale,
    /// The account's plan, where pacing starts ([`crate::Plan`]'s names or a limit per
    /// minute).
    Plan,
    /// The share of each rate-limit window left for others (`0.1` or `10%`).
    Headroom,
    /// The shared rate-limit budget, `redis://HOST:PORT[/DB]`.
    Budget,
    /// The requests' priority lane (`interactive`, `normal`, `background`).
    Priority,
    /// Unix seconds anchoring a scaled clock, so processes share one virtual time.
    TimeOrigin,
    /// How every lane spends each window's budget (`even`, `eager`).
    Pacing,
}

/// What kind of value a key holds, for the grouping rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Which account: taken whole from one layer.
    Account,
    /// Who: the email. Dropped with the account when a layer is [`Layer::without_identity`].
    Identity,
    /// The secret: taken whole from one layer.
    Secret,
    /// Anything else: per key.
    Other,
}

/// The static facts about a key.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    /// The name in a config-file profile and, with `_` → `-`, of the `zd` flag.
    pub name: &'static str,
    /// The environment variable, if any.
    pub env: Option<&'static str>,
    /// The grouping rule.
    pub group: Group,
    /// Whether the value is a secret (never printed).
    pub secret: bool,
}

impl Key {
    /// Every key, in display order.
    pub const ALL: &'static [Key] = &[
        Key::Subdomain,
        Key::BaseUrl,
        Key::Email,
        Key::ApiToken,
        Key::TokenFile,
        Key::OAuthToken,
        Key::OAuthTokenFile,
        Key::Password,
        Key::TimeScale,
        Key::Plan,
        Key::Headroom,
        Key::Budget,
        Key::Priority,
        Key::TimeOrigin,
        Key::Pacing,
    ];

    /// The key's name, environment variable and grouping rule.
    pub const fn spec(self) -> KeySpec {
        const fn k(
            name: &'static str,
            env: Option<&'static str>,
            group: Group,
            secret: bool,
        ) -> KeySpec {
            KeySpec {
                name,
                env,
                group,
                secret,
            }
        }
        match self {
            Key::Subdomain => k(
                "subdomain",
                Some("ZENDESK_SUBDOMAIN"),
                Group::Account,
                false,
            ),
            Key::BaseUrl => k("base_url", Some("ZENDESK_BASE_URL"), Group::Account, false),
            Key::Email => k("email", Some("ZENDESK_EMAIL"), Group::Identity, false),
            Key::ApiToken => k("api_token", Some("ZENDESK_API_TOKEN"), Group::Secret, true),
            Key::TokenFile => k("token_file", None, Group::Secret, false),
            Key::OAuthToken => k(
                "oauth_token",
                Some("ZENDESK_OAUTH_TOKEN"),
                Group::Secret,
                true,
            ),
            Key::OAuthTokenFile => k("oauth_token_file", None, Group::Secret, false),
            Key::Password => k("password", Some("ZENDESK_PASSWORD"), Group::Secret, true),
            Key::TimeScale => k("time_scale", Some("ZD_TIME_SCALE"), Group::Other, false),
            Key::Plan => k("plan", Some("ZD_PLAN"), Group::Other, false),
            Key::Headroom => k("headroom", Some("ZD_HEADROOM"), Group::Other, false),
            Key::Budget => k("budget", Some("ZD_BUDGET_URL"), Group::Other, false),
            Key::Priority => k("priority", Some("ZD_PRIORITY"), Group::Other, false),
            Key::TimeOrigin => k("time_origin", Some("ZD_TIME_ORIGIN"), Group::Other, false),
            Key::Pacing => k("pacing", Some("ZD_PACING"), Group::Other, false),
        }
    }

    /// The config-file name of the key.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The key with this config-file name.
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// The config-file names of every key, comma-separated (for "valid keys are …").
    pub fn names() -> String {
        Key::ALL
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag (or a value the program set explicitly).
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
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Its origin.
    pub source: Source,
}

impl<T> Sourced<T> {
    /// A value from `source`.
    pub fn new(value: T, source: Source) -> Self {
        Sourced { value, source }
    }
}

/// The values one source gave. `Debug` redacts secret keys.
#[derive(Clone, Default)]
pub struct Layer {
    values: BTreeMap<Key, Sourced<String>>,
}

impl fmt::Debug for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in &self.values {
            if k.spec().secret {
                m.entry(&k.name(), &format_args!("[redacted] ({})", v.source));
            } else {
                m.entry(&k.name(), &format_args!("{:?} ({})", v.value, v.source));
            }
        }
        m.finish()
    }
}

impl Layer {
    /// An empty layer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set `key` (an empty value counts as unset).
    pub fn set(&mut self, key: Key, value: impl Into<String>, source: Source) -> &mut Self {
        let value = value.into();
        if !value.is_empty() {
            self.values.insert(key, Sourced::new(value, source));
        }
        self
    }

    /// The value of `key`, if this layer sets it.
    pub fn get(&self, key: Key) -> Option<&Sourced<String>> {
        self.values.get(&key)
    }

    /// Whether the layer sets nothing.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The `ZENDESK_*` / `ZD_*` variables of every key that has one (empty ones unset).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Layer {
        let mut layer = Layer::new();
        for &key in Key::ALL {
            if let Some(name) = key.spec().env {
                if let Some(v) = var(name) {
                    layer.set(key, v, Source::Env(name));
                }
            }
        }
        layer
    }

    /// This layer without the account, the email and the secret (what another, explicitly
    /// chosen account must not inherit), and the keys dropped.
    pub fn without_identity(mut self) -> (Layer, Vec<Sourced<Key>>) {
        let mut dropped = Vec::new();
        self.values.retain(|k, v| {
            let keep = k.spec().group == Group::Other;
            if !keep {
                dropped.push(Sourced::new(*k, v.source.clone()));
            }
            keep
        });
        (self, dropped)
    }
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

/// The effective configuration: one value per key, each with its origin.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The base URL, when the account is given as one.
    pub base_url: Option<Sourced<String>>,
    /// The subdomain, when the account is given as one.
    pub subdomain: Option<Sourced<String>>,
    /// The email, when given.
    pub email: Option<Sourced<String>>,
    /// The secret and its kind, when given (never printed).
    pub secret: Option<Sourced<(SecretKind, Secret)>>,
    others: BTreeMap<Key, Sourced<String>>,
}

/// The smallest and largest accepted clock speed-up (beyond them virtual-time arithmetic
/// overflows or a second lasts days).
pub const TIME_SCALE_RANGE: (f64, f64) = (1e-3, 1e6);

/// A headroom: a fraction (`0.1`) or a percentage (`10%`), between 0 and 0.5.
pub fn parse_headroom(raw: &str) -> Result<f64, String> {
    let t = raw.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
        None => t.parse::<f64>(),
    };
    match v {
        Ok(x) if x.is_finite() && (0.0..=0.5).contains(&x) => Ok(x),
        _ => Err(format!(
            "{} is not a headroom: give a fraction between 0 and 0.5 (or 0% to 50%)",
            crate::text::quote(raw)
        )),
    }
}

/// Parse a user-given clock speed-up: a finite number within [`TIME_SCALE_RANGE`].
/// `what` names the input in the error (`ZD_TIME_SCALE`, `--time-scale`).
pub fn parse_time_scale(raw: &str, what: &str) -> Result<f64, Error> {
    let (lo, hi) = TIME_SCALE_RANGE;
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|k| k.is_finite() && (lo..=hi).contains(k))
        .ok_or_else(|| {
            Error::Config(format!(
                "{what}={} is not a number between {lo} and {hi}",
                crate::text::quote(raw)
            ))
        })
}

/// Read a secret from a file, dropping one trailing newline (editors add it); any other
/// whitespace is kept so [`Credentials::check`] can report it.
pub fn read_secret_file(path: &Path) -> Result<String, Error> {
    let mut s = std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("reading the secret file {}: {e}", path.display())))?;
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    Ok(s)
}

impl Resolved {
    /// Resolve a stack of layers, highest precedence first.
    pub fn from_layers(layers: &[Layer]) -> Result<Resolved, Error> {
        let mut out = Resolved::default();
        // The account, whole from one layer.
        if let Some(l) = layers
            .iter()
            .find(|l| l.get(Key::BaseUrl).or(l.get(Key::Subdomain)).is_some())
        {
            out.base_url = l.get(Key::BaseUrl).cloned();
            if out.base_url.is_none() {
                out.subdomain = l.get(Key::Subdomain).cloned();
            }
        }
        // The secret, whole from one layer.
        let secret_keys = || {
            Key::ALL
                .iter()
                .copied()
                .filter(|k| k.spec().group == Group::Secret)
        };
        if let Some(l) = layers
            .iter()
            .find(|l| secret_keys().any(|k| l.get(k).is_some()))
        {
            let set: Vec<(Key, &Sourced<String>)> = secret_keys()
                .filter_map(|k| l.get(k).map(|v| (k, v)))
                .collect();
            if set.len() > 1 {
                let names: Vec<String> = set.iter().map(|(_, v)| v.source.to_string()).collect();
                return Err(Error::Config(format!(
                    "more than one secret is set ({}); keep one",
                    names.join(", ")
                )));
            }
            let (key, v) = set[0];
            let s = |kind, value: String, source| Sourced::new((kind, Secret::new(value)), source);
            out.secret = Some(match key {
                Key::ApiToken => s(SecretKind::ApiToken, v.value.clone(), v.source.clone()),
                Key::OAuthToken => s(SecretKind::OAuth, v.value.clone(), v.source.clone()),
                Key::Password => s(SecretKind::Password, v.value.clone(), v.source.clone()),
                Key::TokenFile | Key::OAuthTokenFile => {
                    let path = PathBuf::from(&v.value);
                    let kind = if key == Key::TokenFile {
                        SecretKind::ApiToken
                    } else {
                        SecretKind::OAuth
                    };
                    s(kind, read_secret_file(&path)?, Source::File(path))
                }
                _ => unreachable!("secret_keys yields secret keys only"),
            });
        }
        // Everything else, per key.
        for &key in Key::ALL {
            let group = key.spec().group;
            if matches!(group, Group::Account | Group::Secret) {
                continue;
            }
            if let Some(v) = layers.iter().find_map(|l| l.get(key)) {
                if key == Key::Email {
                    out.email = Some(v.clone());
                } else {
                    out.others.insert(key, v.clone());
                }
            }
        }
        Ok(out)
    }

    /// The raw value of a [`Group::Other`] key, with its origin.
    pub fn get(&self, key: Key) -> Option<&Sourced<String>> {
        self.others.get(&key)
    }

    /// A [`Group::Other`] key parsed with `parse`; the error names the value's origin.
    pub fn parse<T>(
        &self,
        key: Key,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<Sourced<T>>, Error> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        parse(&v.value)
            .map(|t| Some(Sourced::new(t, v.source.clone())))
            .map_err(|e| Error::Config(format!("{key} from {}: {e}", v.source)))
    }

    /// The clock speed-up (validated; 1 when unset).
    pub fn time_scale(&self) -> Result<Sourced<f64>, Error> {
        Ok(self
            .parse(Key::TimeScale, |raw| {
                parse_time_scale(raw, "time_scale").map_err(|e| match e {
                    Error::Config(m) => m,
                    other => other.to_string(),
                })
            })?
            .unwrap_or(Sourced::new(1.0, Source::Default)))
    }

    /// The plan pacing starts from, when configured.
    pub fn plan(&self) -> Result<Option<Sourced<crate::Plan>>, Error> {
        self.parse(Key::Plan, |raw| raw.parse::<crate::Plan>())
    }

    /// The headroom, when configured (validated: 0 to 0.5).
    pub fn headroom(&self) -> Result<Option<Sourced<f64>>, Error> {
        self.parse(Key::Headroom, parse_headroom)
    }

    /// The pacing of every lane, when configured (`even` or `eager`).
    pub fn pacing(&self) -> Result<Option<Sourced<crate::Pacing>>, Error> {
        self.parse(Key::Pacing, |raw| raw.parse::<crate::Pacing>())
    }

    /// The rate-limit policy of the configured plan, headroom and pacing (defaults
    /// otherwise).
    pub fn rate_limit_policy(&self) -> Result<RateLimitPolicy, Error> {
        let mut p = RateLimitPolicy::default();
        if let Some(pacing) = self.pacing()? {
            p = p.pacing(pacing.value);
        }
        if let Some(plan) = self.plan()? {
            p = p.plan(plan.value);
        }
        if let Some(h) = self.headroom()? {
            p = p.headroom(h.value);
        }
        Ok(p)
    }

    /// The account as given (a base URL or a subdomain), with its origin.
    pub fn account(&self) -> Option<&Sourced<String>> {
        self.base_url.as_ref().or(self.subdomain.as_ref())
    }

    /// What is missing before a request can be made, with the fix; empty when complete.
    pub fn missing(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.account().is_none() {
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

    /// A client builder with the account and clock, and the credentials when given (a
    /// secret without the email it needs is an error).
    pub fn builder(&self) -> Result<ClientBuilder, Error> {
        let mut b = Client::builder();
        b = match (&self.base_url, &self.subdomain) {
            (Some(u), _) => b.base_url(u.value.clone()),
            (None, Some(s)) => b.subdomain(s.value.clone()),
            (None, None) => return Err(Error::Config(self.missing().remove(0))),
        };
        let scale = self.time_scale()?.value;
        if scale != 1.0 {
            b = b.clock(Arc::new(ScaledClock::new(scale)));
        }
        b = b.rate_limit_policy(self.rate_limit_policy()?);
        match self.credentials() {
            Some(c) => b = b.credentials(c),
            None if self.secret.is_some() => {
                return Err(Error::Config(self.missing().join("; ")));
            }
            None => {}
        }
        Ok(b)
    }
}

#[cfg(test)]
mod tests;
