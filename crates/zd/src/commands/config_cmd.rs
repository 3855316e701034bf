//! `zd config show`: the effective configuration, where each value came from, secrets
//! redacted.

use clap::{Args, Subcommand};
use serde_json::json;

use anyhow::Context;

use crate::config::{GlobalArgs, Settings, Sourced};
use crate::output;
use crate::report::{CliError, Exit};

/// `zd config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration (secrets redacted) and the origin of each value.
    Show(ShowArgs),
    /// Write a commented config file template (mode 0600) at the config path
    /// (`--config`, ZD_CONFIG, else ~/.config/zd/config.toml).
    Init(InitArgs),
}

/// Arguments of `zd config init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace an existing file.
    #[arg(long)]
    force: bool,
}

/// The template `zd config init` writes: every key, commented out, with its meaning.
pub const TEMPLATE: &str = r#"# zd configuration (TOML). Precedence, highest first: command-line flags, the
# environment (ZENDESK_*), this file's profile. Keep this file private (mode 0600): it
# may hold a secret. `zd config show` prints the effective values and where each came from.

# The profile used when neither --profile nor ZD_PROFILE names one.
default_profile = "default"

[profiles.default]
# The account: a subdomain (acme for acme.zendesk.com) or a full base URL (a simulator).
# subdomain = "acme"
# base_url = "http://127.0.0.1:8080"

# The user for API-token (or password) authentication.
# email = "agent@example.com"

# One secret, of one kind. Prefer a file readable only by you.
# token_file = "~/.config/zd/token"        # an API token, in a file
# api_token = "..."                        # an API token, inline
# oauth_token_file = "~/.config/zd/oauth"  # an OAuth access token, in a file
# oauth_token = "..."                      # an OAuth access token, inline
# password = "..."                         # deprecated by Zendesk

# Rate limiting. The plan pacing starts from before Zendesk's headers teach the real
# limit: team (200/min), growth, professional (400), enterprise (700), enterprise-plus,
# high-volume (2500), or a number per minute. Default: 200/min until headers arrive.
# plan = "enterprise"
# The share of each window left unused for other integrations: 0.1 or "10%" (max 0.5).
# headroom = 0.02

# Run the client clock this many times faster (only to talk to `zd sim --time-scale K`).
# time_scale = 1.0

# More accounts: one table each, chosen with --profile NAME.
# [profiles.sandbox]
# subdomain = "acme1700000000"
# email = "agent@example.com"
# token_file = "~/.config/zd/sandbox-token"
"#;

/// Write `TEMPLATE` at `path` with mode 0600 (parents created); an existing file is kept
/// unless `force`.
pub fn write_template(path: &std::path::Path, force: bool) -> anyhow::Result<()> {
    use std::io::Write;
    if path.exists() && !force {
        return Err(CliError {
            exit: Exit::Usage,
            message: format!("{} exists; not overwritten", path.display()),
            hint: Some("pass --force to replace it".to_owned()),
        }
        .into());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        let mut f = opts
            .open(path)
            .with_context(|| format!("writing {}", path.display()))?;
        // An existing file keeps its mode on open: set it.
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        f.write_all(TEMPLATE.as_bytes())?;
    }
    #[cfg(not(unix))]
    {
        let mut f = opts
            .open(path)
            .with_context(|| format!("writing {}", path.display()))?;
        f.write_all(TEMPLATE.as_bytes())?;
    }
    Ok(())
}

/// Arguments of `zd config show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn entry<T: ToString>(v: &Option<Sourced<T>>) -> (String, String) {
    match v {
        Some(s) => (s.value.to_string(), s.source.to_string()),
        None => ("(not set)".to_owned(), String::new()),
    }
}

/// Run `zd config`.
pub fn run(global: &GlobalArgs, cmd: ConfigCommand) -> anyhow::Result<()> {
    let args = match cmd {
        ConfigCommand::Show(args) => args,
        ConfigCommand::Init(init) => {
            let path =
                Settings::config_path_for(global, &|k| std::env::var(k).ok()).ok_or_else(|| {
                    CliError::new(
                        Exit::Usage,
                        "no config path: pass --config FILE or set HOME",
                    )
                })?;
            write_template(&path, init.force)?;
            output::note(&format!(
                "wrote {} (mode 0600); edit it, then run `zd config show`",
                path.display()
            ));
            return Ok(());
        }
    };
    let s = Settings::resolve(global)?;
    let config_file = s.config_path.as_ref().map(|p| Sourced {
        value: format!(
            "{}{}",
            p.value.display(),
            if s.config_found { "" } else { " (not found)" }
        ),
        source: p.source.clone(),
    });
    let secret = s.secret.as_ref().map(|x| Sourced {
        value: format!("{} [redacted]", x.value.0),
        source: x.source.clone(),
    });
    let profile = Some(s.profile.clone());
    let time_scale = Some(s.time_scale.clone());
    let plan = s.plan.as_ref().map(|p| Sourced {
        value: format!("{:?}", p.value).to_ascii_lowercase(),
        source: p.source.clone(),
    });
    let headroom = s.headroom.clone();
    let rows: Vec<(&str, (String, String))> = vec![
        ("config_file", entry(&config_file)),
        ("profile", entry(&profile)),
        ("base_url", entry(&s.base_url)),
        ("subdomain", entry(&s.subdomain)),
        ("email", entry(&s.email)),
        ("credentials", entry(&secret)),
        ("time_scale", entry(&time_scale)),
        ("plan", entry(&plan)),
        ("headroom", entry(&headroom)),
    ];
    let missing = s.missing();
    let ignored: Vec<String> = s
        .ignored
        .iter()
        .map(|i| {
            format!(
                "{} from {}: profile {:?} was chosen by {}",
                i.value, i.source, s.profile.value, s.profile.source
            )
        })
        .collect();
    if args.json {
        let mut obj = serde_json::Map::new();
        for (k, (v, src)) in &rows {
            obj.insert(
                (*k).to_owned(),
                json!({"value": v, "source": (!src.is_empty()).then_some(src)}),
            );
        }
        obj.insert("missing".to_owned(), json!(missing));
        obj.insert("ignored".to_owned(), json!(ignored));
        output::json_pretty(&serde_json::Value::Object(obj))?;
    } else {
        let mut table = vec![vec!["key".into(), "value".into(), "from".into()]];
        for (k, (v, src)) in rows {
            table.push(vec![k.to_owned(), v, src]);
        }
        output::raw(output::table(&table).as_bytes())?;
        for m in missing {
            output::note(&format!("missing: {m}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_with_every_key_and_is_private() {
        // Uncommenting every `# key = value` line gives a valid file the resolver accepts.
        let head = TEMPLATE.split("# More accounts").next().unwrap();
        let uncommented: String = head
            .lines()
            .map(|l| {
                let t = l.trim_start_matches("# ");
                if t.contains(" = ") && !t.starts_with("base_url") {
                    t.split("  #").next().unwrap_or(t).to_owned()
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let parsed: Result<crate::config::ConfigFile, _> = toml::from_str(TEMPLATE);
        assert!(parsed.is_ok(), "{parsed:?}");
        let all: toml::Value = toml::from_str(&uncommented).unwrap();
        let keys: Vec<&String> = all["profiles"]["default"]
            .as_table()
            .unwrap()
            .keys()
            .collect();
        for k in [
            "subdomain",
            "email",
            "plan",
            "headroom",
            "time_scale",
            "token_file",
        ] {
            assert!(keys.iter().any(|x| *x == k), "{k} missing from {keys:?}");
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/config.toml");
        write_template(&p, false).unwrap();
        assert!(write_template(&p, false).is_err());
        write_template(&p, true).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
}
