//! `zd config show`: the effective configuration, where each value came from, secrets
//! redacted.

use clap::{Args, Subcommand};
use serde_json::json;

use crate::config::{GlobalArgs, Settings, Sourced};
use crate::output;

/// `zd config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration (secrets redacted) and the origin of each value.
    Show(ShowArgs),
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
    let ConfigCommand::Show(args) = cmd;
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
    let rows: Vec<(&str, (String, String))> = vec![
        ("config_file", entry(&config_file)),
        ("profile", entry(&profile)),
        ("base_url", entry(&s.base_url)),
        ("subdomain", entry(&s.subdomain)),
        ("email", entry(&s.email)),
        ("credentials", entry(&secret)),
        ("time_scale", entry(&time_scale)),
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
