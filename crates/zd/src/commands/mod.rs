//! One module per subcommand, plus command-line parsing that refuses secrets.

pub mod api;
pub mod api_fields;
pub mod api_output;
pub mod completions;
pub mod config_cmd;
pub mod doctor;
pub mod explain;
pub mod limits;
pub mod macros;
pub mod resources;
pub mod search;
pub mod sim;
pub mod sync;
pub mod sync_controls;
pub mod sync_progress;
pub mod ticket_tags;
pub mod tickets;

use std::io::Write;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};

use crate::report::Exit;
use crate::Cli;

/// The message for any attempt to pass a secret as an argument.
pub const NO_SECRETS_ON_COMMAND_LINE: &str = "secrets are never accepted on the command line \
(they would show in `ps` and shell history): use ZENDESK_API_TOKEN (or ZENDESK_OAUTH_TOKEN), \
--token-file / --oauth-token-file, or the config file";

/// Whether an unknown flag looks like it was meant to carry a secret.
fn is_secret_flag(arg: &str) -> bool {
    let name = arg.split('=').next().unwrap_or(arg).to_ascii_lowercase();
    name.starts_with('-')
        && ["token", "password", "passwd", "secret", "api-key", "apikey"]
            .iter()
            .any(|w| name.contains(w))
        && !name.ends_with("-file")
}

/// Parse the command line. On error, print clap's message with any `--flag=value` value
/// redacted (it may be a secret) and return the exit code (0 for `--help`).
pub fn parse_cli() -> Result<Cli, Exit> {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    match parsed {
        Ok((mut cli, m)) => {
            if let (crate::Command::Api(a), Some(("api", sub))) = (&mut cli.command, m.subcommand())
            {
                a.record_field_order(sub);
            }
            Ok(cli)
        }
        Err(e) => {
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
                || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            {
                let _ = e.print();
                return Err(if e.exit_code() == 0 {
                    Exit::Ok
                } else {
                    Exit::Usage
                });
            }
            let bad = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(s)) => Some(s.clone()),
                _ => None,
            };
            let mut err = std::io::stderr().lock();
            if let Some(arg) = &bad {
                if e.kind() == ErrorKind::UnknownArgument && is_secret_flag(arg) {
                    let name = arg.split('=').next().unwrap_or(arg);
                    let _ = writeln!(err, "error: {name}: {NO_SECRETS_ON_COMMAND_LINE}");
                    return Err(Exit::Usage);
                }
            }
            let mut text = e.render().to_string();
            if let Some(arg) = bad.filter(|a| a.contains('=')) {
                let name = arg.split('=').next().unwrap_or(&arg);
                text = text.replace(&arg, &format!("{name}=…"));
            }
            let _ = err.write_all(text.as_bytes());
            Err(Exit::Usage)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_flags_are_recognised() {
        for a in [
            "--token",
            "--token=abc",
            "--api-token",
            "--oauth-token=x",
            "--password",
        ] {
            assert!(super::is_secret_flag(a), "{a}");
        }
        for a in ["--token-file", "--verbose", "token"] {
            assert!(!super::is_secret_flag(a), "{a}");
        }
    }
}
