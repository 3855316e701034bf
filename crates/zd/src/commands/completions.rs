//! `zd completions SHELL` and `zd man`: generated from the same clap definitions.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::report::{CliError, Exit};
use crate::Cli;

/// Arguments of `zd completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    shell: Shell,
}

/// Print the completion script for a shell to stdout.
pub fn completions(args: CompletionsArgs) -> anyhow::Result<()> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "zd", &mut buf);
    crate::output::raw(&buf)?;
    Ok(())
}

/// Arguments of `zd man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command (`sync`, `tickets update-many`); none for `zd` itself.
    command: Vec<String>,
}

/// The man page (roff) of `zd` or of one of its commands, named `zd-sync`,
/// `zd-tickets-update-many`, ….
pub fn man_page(path: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut name = "zd".to_owned();
    for part in path {
        let sub = cmd
            .get_subcommands()
            .find(|c| c.get_name() == part || c.get_all_aliases().any(|a| a == part))
            .cloned()
            .ok_or_else(|| {
                let known: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                CliError::new(
                    Exit::Usage,
                    format!("no command `{name} {part}`; commands: {}", known.join(", ")),
                )
            })?;
        name = format!("{name}-{}", sub.get_name());
        cmd = sub;
    }
    // clap names are `'static` (without its `string` feature); this runs once per process.
    let bin_name: &'static str = Box::leak(name.replace('-', " ").into_boxed_str());
    let name: &'static str = Box::leak(name.into_boxed_str());
    let cmd = cmd.name(name).bin_name(bin_name);
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buf)?;
    Ok(buf)
}

/// Print the man page (roff) to stdout.
pub fn man(args: ManArgs) -> anyhow::Result<()> {
    crate::output::raw(&man_page(&args.command)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_command_has_a_man_page() {
        let cmd = Cli::command();
        let mut paths: Vec<Vec<String>> = vec![vec![]];
        for c in cmd.get_subcommands() {
            paths.push(vec![c.get_name().to_owned()]);
            for sub in c.get_subcommands() {
                paths.push(vec![c.get_name().to_owned(), sub.get_name().to_owned()]);
            }
        }
        assert!(paths.len() > 10);
        for p in paths {
            let page = String::from_utf8(man_page(&p).unwrap()).unwrap();
            let name = std::iter::once("zd")
                .chain(p.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join("-");
            let want = format!(".TH {name} ");
            assert!(
                page.contains(&want),
                "{p:?}: {}",
                &page[..200.min(page.len())]
            );
        }
        let e = man_page(&["nosuch".to_owned()]).unwrap_err();
        assert!(e.to_string().contains("sync"), "{e}");
    }
}
