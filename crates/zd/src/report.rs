//! The one place errors become exit codes and messages (with the request id and a hint).

use std::fmt;
use std::io::{self, Write};

/// `zd`'s exit codes. Listed in `zd --help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// 0: success (a broken pipe on stdout is success too).
    Ok = 0,
    /// 1: any other failure (a local I/O error, a bug).
    Other = 1,
    /// 2: usage or configuration.
    Usage = 2,
    /// 3: authentication or permission (401, 403, bad credentials).
    Auth = 3,
    /// 4: not found (404).
    NotFound = 4,
    /// 5: the request was rejected as invalid (422, 400, 409, other 4xx).
    Invalid = 5,
    /// 6: rate limited (with `--no-wait`, or when retries gave up).
    RateLimited = 6,
    /// 7: a server error (5xx), a transport failure, an unreadable response or a job that
    /// did not finish.
    Server = 7,
    /// 8: the host answered with a redirect (3xx), which is never followed: wrong
    /// subdomain, http instead of https, or SSO in front.
    Redirect = 8,
}

/// The exit-code table for `zd --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success (a closed pipe on stdout counts as success)
  1  any other failure (local I/O error)
  2  usage or configuration error
  3  authentication or permission (401, 403, malformed credentials)
  4  not found (404)
  5  rejected as invalid (422 validation, 400, 409 and other 4xx)
  6  rate limited (with --no-wait, or after retries gave up)
  7  server error (5xx), transport failure, unreadable response or unfinished job
  8  the host redirected (3xx; never followed): wrong subdomain, http instead of https,
     or SSO in front

Environment: ZENDESK_SUBDOMAIN or ZENDESK_BASE_URL, ZENDESK_EMAIL, ZENDESK_API_TOKEN or
ZENDESK_OAUTH_TOKEN (or the deprecated ZENDESK_PASSWORD), ZD_CONFIG, ZD_PROFILE,
ZD_TIME_SCALE, NO_COLOR. Secrets are never accepted on
the command line: use the environment, --token-file / --oauth-token-file, or the config
file (~/.config/zd/config.toml, [profiles.NAME] tables).";

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The class of an HTTP status.
    pub fn of_status(status: u16) -> Exit {
        match status {
            200..=299 => Exit::Ok,
            300..=399 => Exit::Redirect,
            401 | 403 => Exit::Auth,
            404 => Exit::NotFound,
            429 => Exit::RateLimited,
            400..=499 => Exit::Invalid,
            _ => Exit::Server,
        }
    }

    /// A short name of the class.
    pub fn describe(self) -> &'static str {
        match self {
            Exit::Ok => "success",
            Exit::Other => "other failure",
            Exit::Usage => "usage or configuration",
            Exit::Auth => "authentication or permission",
            Exit::NotFound => "not found",
            Exit::Invalid => "rejected as invalid",
            Exit::RateLimited => "rate limited",
            Exit::Server => "server or transport",
            Exit::Redirect => "redirected",
        }
    }
}

/// An error raised by `zd` itself, with its exit code and an optional hint.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub exit: Exit,
    /// The message.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl CliError {
    /// An error with no hint.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    /// An error that was already reported (doctor's failed checks): exit quietly.
    pub fn silent(exit: Exit) -> Self {
        CliError::new(exit, String::new())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// The exit code of a zdkit error.
pub fn exit_of_zdkit(e: &zdkit::Error) -> Exit {
    match e {
        zdkit::Error::Config(_) | zdkit::Error::InvalidRequest(_) => Exit::Usage,
        zdkit::Error::RateLimited { .. } => Exit::RateLimited,
        zdkit::Error::Api(api) => Exit::of_status(api.status),
        zdkit::Error::Transport(_) | zdkit::Error::Decode(_) | zdkit::Error::Incomplete(_) => {
            Exit::Server
        }
        _ => Exit::Other,
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// The exit code for an error.
pub fn exit_code(err: &anyhow::Error) -> Exit {
    if is_broken_pipe(err) {
        return Exit::Ok;
    }
    for cause in err.chain() {
        if let Some(c) = cause.downcast_ref::<CliError>() {
            return c.exit;
        }
        if let Some(z) = cause.downcast_ref::<zdkit::Error>() {
            return exit_of_zdkit(z);
        }
    }
    Exit::Other
}

/// Print `err` (message, request id, hint) to stderr and return the exit code.
pub fn report(err: &anyhow::Error) -> Exit {
    let exit = exit_code(err);
    if exit == Exit::Ok {
        return exit;
    }
    let mut lines = Vec::new();
    let mut hint = None;
    let mut request_id = None;
    for cause in err.chain() {
        if let Some(c) = cause.downcast_ref::<CliError>() {
            if c.message.is_empty() {
                return exit;
            }
            hint = hint.or(c.hint.clone());
        }
        if let Some(z) = cause.downcast_ref::<zdkit::Error>() {
            hint = hint.or(z.hint());
            request_id = match z {
                zdkit::Error::Api(a) => a.request_id.clone(),
                zdkit::Error::Decode(d) => d.request_id.clone(),
                _ => None,
            };
            if let Some(wait) = z.retry_after() {
                lines.push(format!("retry after: {:.0} s", wait.as_secs_f64().ceil()));
            }
        }
    }
    let color = crate::output::stderr_color();
    let label = if color {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    let mut out = io::stderr().lock();
    let _ = writeln!(out, "{label}: {err:#}");
    if let Some(id) = request_id {
        let _ = writeln!(out, "  request id: {id} (quote it to Zendesk support)");
    }
    for l in lines {
        let _ = writeln!(out, "  {l}");
    }
    if let Some(h) = hint {
        let _ = writeln!(out, "  hint: {h}");
    }
    exit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_classes() {
        for (status, exit) in [
            (200, Exit::Ok),
            (301, Exit::Redirect),
            (302, Exit::Redirect),
            (307, Exit::Redirect),
            (400, Exit::Invalid),
            (401, Exit::Auth),
            (403, Exit::Auth),
            (404, Exit::NotFound),
            (409, Exit::Invalid),
            (422, Exit::Invalid),
            (429, Exit::RateLimited),
            (500, Exit::Server),
            (503, Exit::Server),
        ] {
            assert_eq!(Exit::of_status(status), exit, "{status}");
        }
    }

    #[test]
    fn broken_pipe_is_success_even_with_context() {
        let e = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe)).context("writing");
        assert_eq!(exit_code(&e), Exit::Ok);
        let e = anyhow::Error::from(CliError::new(Exit::NotFound, "x")).context("y");
        assert_eq!(exit_code(&e), Exit::NotFound);
        let e = anyhow::Error::from(zdkit::Error::Config("x".into()));
        assert_eq!(exit_code(&e), Exit::Usage);
    }
}
