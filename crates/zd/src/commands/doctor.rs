//! `zd doctor`: check the configuration, the credentials' shape, the host, authentication,
//! the user's role, write access of OAuth tokens and the rate limit; each check passes or
//! fails with its fix. Exit 0 when nothing failed, else the exit code of the first failed
//! check (checks run in dependency order, so the first failure is the root cause).
//!
//! Write access is probed only for OAuth tokens, with `PUT /api/v2/tickets/0` and the body
//! `{"ticket":{}}`: ticket 0 cannot exist, so nothing can change; the scope check comes
//! first, so a read-only token gets 403 and a token that may write gets 404.

use clap::Args;
use serde::Serialize;
use serde_json::{json, Value};
use zdkit::{Client, Credentials, FindingKind, RetryPolicy};

use crate::config::{GlobalArgs, SecretKind, Settings};
use crate::output;
use crate::report::{exit_of_zdkit, CliError, Exit};

/// Arguments of `zd doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Fine.
    Pass,
    /// Works, with a caveat.
    Warn,
    /// Broken.
    Fail,
    /// Not run (an earlier check failed).
    Skip,
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The check.
    pub name: &'static str,
    /// Its outcome.
    pub status: Status,
    /// What was found.
    pub detail: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The exit class of a failure.
    #[serde(skip)]
    pub exit: Exit,
}

fn check(name: &'static str, status: Status, detail: impl Into<String>) -> Check {
    Check {
        name,
        status,
        detail: detail.into(),
        fix: None,
        exit: Exit::Ok,
    }
}

fn fail(
    name: &'static str,
    exit: Exit,
    detail: impl Into<String>,
    fix: impl Into<String>,
) -> Check {
    Check {
        name,
        status: Status::Fail,
        detail: detail.into(),
        fix: Some(fix.into()),
        // A failed check never exits 0, whatever class the failure maps to.
        exit: if exit == Exit::Ok { Exit::Other } else { exit },
    }
}

fn with_fix(mut c: Check, fix: impl Into<String>) -> Check {
    c.fix = Some(fix.into());
    c
}

const NOT_ZENDESK: &str =
    "check the subdomain or base URL: this does not look like a Zendesk account";
const RESTRICTED_AGENT: &str = "restricted agent: sees only some tickets; cannot use \
    incremental exports, organizations or users outside its scope";
const AGENT: &str = "agent: cannot use incremental exports or admin settings \
    (ticket fields, triggers); use an admin for `zd sync`";
const END_USER: &str =
    "end user: can read only its own profile and requests; almost every API call answers 403";

/// The likely causes of a 401, most likely first.
fn causes_of_401(kind: SecretKind, findings: &[zdkit::CredentialFinding]) -> String {
    let mut causes: Vec<&str> = Vec::new();
    if findings
        .iter()
        .any(|f| f.kind == FindingKind::LooksLikeOAuthToken)
    {
        causes.push(
            "the API token looks like an OAuth access token: set ZENDESK_OAUTH_TOKEN instead",
        );
    }
    if findings
        .iter()
        .any(|f| f.kind == FindingKind::LooksLikeApiToken)
    {
        causes.push("the OAuth token looks like an API token: set ZENDESK_EMAIL + ZENDESK_API_TOKEN instead");
    }
    match kind {
        SecretKind::ApiToken => causes.extend([
            "the token is wrong, mistyped or was deleted (Admin Center > Apps and integrations > Zendesk API)",
            "the email is not a user of this account (or the user is suspended)",
            "token access is turned off for the account (Zendesk API settings > Token access)",
            "the subdomain points at another account",
            "it is an OAuth token: use ZENDESK_OAUTH_TOKEN",
        ]),
        SecretKind::OAuth => causes.extend([
            "the token expired or was revoked (OAuth tokens can expire; get a new one)",
            "the token belongs to another account: check the subdomain",
            "it is an API token: use ZENDESK_EMAIL + ZENDESK_API_TOKEN",
        ]),
        SecretKind::Password => causes.extend([
            "password access is turned off (Zendesk is removing it from every account): use an API token",
            "the password is wrong, or the user has two-factor authentication",
            "the subdomain points at another account",
        ]),
    }
    causes
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{}) {c}", i + 1))
        .collect::<Vec<_>>()
        .join("; ")
}

fn plan_name(limit: u32) -> &'static str {
    match limit {
        0..=200 => "Team-sized",
        201..=400 => "Growth/Professional",
        401..=700 => "Enterprise",
        701..=2500 => "Enterprise Plus or High Volume",
        _ => "a negotiated limit",
    }
}

struct Doctor {
    checks: Vec<Check>,
}

impl Doctor {
    fn push(&mut self, c: Check) {
        self.checks.push(c);
    }

    fn skip(&mut self, names: &[&'static str], why: &str) {
        for n in names {
            self.push(check(n, Status::Skip, why));
        }
    }

    async fn run(global: &GlobalArgs) -> Doctor {
        let mut d = Doctor { checks: Vec::new() };
        let later = [
            "credentials",
            "host",
            "authentication",
            "access",
            "role",
            "write",
            "rate limit",
        ];
        let settings = match Settings::resolve(global) {
            Ok(s) => s,
            Err(e) => {
                d.push(fail(
                    "config",
                    Exit::Usage,
                    format!("{e:#}"),
                    "fix the config file, flags or environment",
                ));
                d.skip(&later, "skipped: fix the configuration first");
                return d;
            }
        };
        let missing = settings.missing();
        if !missing.is_empty() {
            d.push(fail(
                "config",
                Exit::Usage,
                "incomplete",
                missing.join("; "),
            ));
            d.skip(&later, "skipped: fix the configuration first");
            return d;
        }
        let target = settings
            .base_url
            .as_ref()
            .or(settings.subdomain.as_ref())
            .map(|t| format!("{} ({})", t.value, t.source))
            .unwrap_or_default();
        let secret = settings
            .secret
            .as_ref()
            .map(|s| (s.value.0, s.source.to_string()));
        let (kind, secret_src) = secret.unwrap_or((SecretKind::ApiToken, String::new()));
        d.push(check(
            "config",
            Status::Pass,
            format!("account {target}; {kind} from {secret_src}"),
        ));
        let Some(creds) = settings.credentials() else {
            d.skip(&later, "skipped");
            return d;
        };
        let findings = creds.check();
        let scheme = match &creds {
            Credentials::OAuth { .. } => "Bearer token",
            Credentials::Password { .. } => "Basic email:password",
            _ => "Basic email/token:TOKEN",
        };
        let fatal = findings.iter().any(|f| f.fatal);
        if fatal {
            let f: Vec<&zdkit::CredentialFinding> = findings.iter().filter(|f| f.fatal).collect();
            d.push(fail(
                "credentials",
                Exit::Auth,
                f.iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
                f.iter()
                    .map(|f| f.fix.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
        } else if let Some(f) = findings.first() {
            d.push(with_fix(
                check(
                    "credentials",
                    Status::Warn,
                    format!("{scheme}: {}", f.message),
                ),
                f.fix.clone(),
            ));
        } else {
            d.push(check(
                "credentials",
                Status::Pass,
                format!("well formed ({scheme})"),
            ));
        }
        // The host, without credentials.
        let anon = settings
            .builder()
            .map(|b| b.retry_policy(RetryPolicy::none()))
            .and_then(|b| Ok(b.build()?));
        let anon = match anon {
            Ok(c) => c,
            Err(e) => {
                d.push(fail(
                    "host",
                    Exit::Usage,
                    format!("{e:#}"),
                    "fix the subdomain or base URL",
                ));
                d.skip(&later[2..], "skipped: fix the host first");
                return d;
            }
        };
        let host = anon.base_url().to_string();
        match anon.get("/api/v2/users/me").send().await {
            Ok(r) => d.push(check(
                "host",
                Status::Pass,
                format!("{host} answered {}", r.status()),
            )),
            Err(e) => match e.api() {
                Some(a) if matches!(a.status, 401 | 403 | 429) => d.push(check(
                    "host",
                    Status::Pass,
                    format!("{host} answered {}", a.status),
                )),
                Some(a) => {
                    d.push(fail(
                        "host",
                        exit_of_zdkit(&e),
                        format!("{host} answered {} to GET /api/v2/users/me", a.status),
                        NOT_ZENDESK,
                    ));
                    d.skip(&later[2..], "skipped: fix the host first");
                    return d;
                }
                None => {
                    d.push(fail(
                        "host",
                        exit_of_zdkit(&e),
                        format!("{e}"),
                        e.hint().unwrap_or_else(|| "check the network".into()),
                    ));
                    d.skip(&later[2..], "skipped: fix the host first");
                    return d;
                }
            },
        }
        if fatal {
            d.skip(&later[2..], "skipped: fix the credentials first");
            return d;
        }
        let client = match settings.builder().and_then(|b| {
            Ok(b.retry_policy(RetryPolicy::none())
                .credentials(creds)
                .build()?)
        }) {
            Ok(c) => c,
            Err(e) => {
                d.push(fail(
                    "authentication",
                    Exit::Usage,
                    format!("{e:#}"),
                    "fix the credentials",
                ));
                d.skip(&later[3..], "skipped");
                return d;
            }
        };
        d.authenticate(&client, kind, &findings).await;
        d
    }

    async fn authenticate(
        &mut self,
        client: &Client,
        kind: SecretKind,
        findings: &[zdkit::CredentialFinding],
    ) {
        let rest = ["role", "write", "rate limit"];
        let resp = match client.get("/api/v2/users/me").send().await {
            Ok(r) => r,
            Err(e) => {
                let exit = exit_of_zdkit(&e);
                let detail = format!("{e}");
                let fix = if e.status() == Some(401) {
                    format!(
                        "likely causes, most likely first: {}",
                        causes_of_401(kind, findings)
                    )
                } else {
                    e.hint().unwrap_or_default()
                };
                self.push(fail("authentication", exit, detail, fix));
                if e.status() == Some(401) {
                    let access = match kind {
                        SecretKind::ApiToken => {
                            "API token access may be turned off for the account"
                        }
                        SecretKind::Password => {
                            "password access may be turned off (Zendesk is removing it)"
                        }
                        SecretKind::OAuth => "the OAuth token may have expired or been revoked",
                    };
                    self.push(check("access", Status::Warn, access));
                } else {
                    self.skip(&["access"], "skipped");
                }
                self.skip(&rest, "skipped: authentication failed");
                return;
            }
        };
        let body: Value = resp.json().unwrap_or(Value::Null);
        let user = &body["user"];
        if user["id"].is_null() {
            self.push(fail(
                "authentication",
                Exit::Auth,
                "Zendesk answered as for an anonymous visitor: the credentials were ignored",
                "check the credential kind (API token vs OAuth) and the email",
            ));
            self.skip(&["access"], "skipped");
            self.skip(&rest, "skipped: authentication failed");
            return;
        }
        let role = user["role"].as_str().unwrap_or("?").to_owned();
        // Server text: escaped and cut, and a JSON value shown as prose (`7`, `abc`), never
        // in JSON or Debug quoting.
        let shown = |v: &Value| match v {
            Value::String(s) => zdkit::text::for_display(s, 80),
            Value::Number(n) => n.to_string(),
            _ => "?".to_owned(),
        };
        self.push(check(
            "authentication",
            Status::Pass,
            format!(
                "authenticated as {} <{}> (id {}, role {})",
                shown(&user["name"]),
                shown(&user["email"]),
                shown(&user["id"]),
                shown(&user["role"]),
            ),
        ));
        self.push(match kind {
            SecretKind::ApiToken => check("access", Status::Pass, "API token access is enabled"),
            SecretKind::OAuth => check("access", Status::Pass, "the OAuth token is valid"),
            SecretKind::Password => with_fix(
                check(
                    "access",
                    Status::Warn,
                    "password access still works, but Zendesk is removing it",
                ),
                "create an API token and set ZENDESK_API_TOKEN",
            ),
        });
        let end_user = role == "end-user";
        self.push(match role.as_str() {
            "admin" => check("role", Status::Pass, "admin: every endpoint is open"),
            "agent" if user["restricted_agent"].as_bool() == Some(true) => with_fix(
                check("role", Status::Warn, RESTRICTED_AGENT),
                "use an unrestricted agent or an admin for exports and sync",
            ),
            "agent" => check("role", Status::Pass, AGENT),
            "end-user" => fail(
                "role",
                Exit::Auth,
                END_USER,
                "use the email (or token) of an agent or admin",
            ),
            other => with_fix(
                check(
                    "role",
                    Status::Warn,
                    format!("unknown role `{}`", zdkit::text::for_display(other, 80)),
                ),
                "check the user in Admin Center",
            ),
        });
        if kind != SecretKind::OAuth {
            self.push(check(
                "write",
                Status::Pass,
                "API tokens and passwords carry the user's full permissions",
            ));
        } else if end_user {
            self.skip(&["write"], "skipped: end user");
        } else {
            let probe = client
                .put("/api/v2/tickets/0")
                .json(&json!({"ticket": {}}))
                .send()
                .await;
            self.push(match probe {
                Err(e) if e.status() == Some(403) => with_fix(
                    check(
                        "write",
                        Status::Warn,
                        "read-only OAuth token: reads work, every write answers 403",
                    ),
                    "to write, create a token with the `write` scope (or e.g. `tickets:write`)",
                ),
                Err(e) if e.status().is_none() => with_fix(
                    check("write", Status::Warn, format!("could not probe: {e}")),
                    "retry",
                ),
                _ => check(
                    "write",
                    Status::Pass,
                    "the token may write (probe: PUT /api/v2/tickets/0, which cannot exist)",
                ),
            });
        }
        let stats = client.stats();
        let rl = resp.rate_limit();
        self.push(match rl.account {
            Some(w) => {
                let limit = w.limit.or(stats.bucket("account").and_then(|b| b.limit));
                match (limit, w.remaining) {
                    (Some(l), Some(r)) => {
                        let used = l.saturating_sub(r);
                        let mut detail = format!(
                            "{l} requests/min ({}); {used} used in this window, {r} remaining",
                            plan_name(l)
                        );
                        if let Some(reset) = w.reset {
                            detail.push_str(&format!(", resets in {} s", reset.as_secs()));
                        }
                        for (b, bw) in &rl.buckets {
                            let n = |v: Option<u32>| v.map_or("?".to_owned(), |v| v.to_string());
                            detail.push_str(&format!(
                                "; {b}: {}/{} remaining",
                                n(bw.remaining),
                                n(bw.limit)
                            ));
                        }
                        if u64::from(r) * 10 < u64::from(l) {
                            with_fix(
                                check(
                                    "rate limit",
                                    Status::Warn,
                                    format!(
                                        "{detail}: nearly spent by other consumers of the account"
                                    ),
                                ),
                                "wait for the window to reset, or find the other consumers",
                            )
                        } else {
                            check("rate limit", Status::Pass, detail)
                        }
                    }
                    _ => check(
                        "rate limit",
                        Status::Warn,
                        "the account limit headers are incomplete",
                    ),
                }
            }
            None => check(
                "rate limit",
                Status::Warn,
                "no X-Rate-Limit header in the response",
            ),
        });
    }
}

/// Run `zd doctor`.
pub async fn run(global: &GlobalArgs, args: DoctorArgs) -> anyhow::Result<()> {
    let d = Doctor::run(global).await;
    let exit = d
        .checks
        .iter()
        .find(|c| c.status == Status::Fail)
        .map_or(Exit::Ok, |c| {
            if c.exit == Exit::Ok {
                Exit::Other
            } else {
                c.exit
            }
        });
    if args.json {
        output::json_pretty(&json!({
            "ok": exit == Exit::Ok,
            "exit_code": exit.code(),
            "checks": d.checks,
        }))?;
    } else {
        let color = output::stdout_color();
        let mut text = String::new();
        for c in &d.checks {
            let label = match c.status {
                Status::Pass => output::paint("PASS", "32", color),
                Status::Warn => output::paint("WARN", "33", color),
                Status::Fail => output::paint("FAIL", "1;31", color),
                Status::Skip => output::paint("SKIP", "2", color),
            };
            text.push_str(&format!("{label}  {:<15} {}\n", c.name, c.detail));
            if let Some(f) = &c.fix {
                text.push_str(&format!("      {:<15} fix: {f}\n", ""));
            }
        }
        output::raw(text.as_bytes())?;
    }
    if exit == Exit::Ok {
        Ok(())
    } else {
        Err(CliError::silent(exit).into())
    }
}
