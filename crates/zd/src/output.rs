//! Output helpers: data on stdout, progress and logs on stderr, colour only on a terminal
//! (and never with `NO_COLOR`), request tracing with `-v`.

use std::io::{self, IsTerminal, Write};

/// Output format of commands that print records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// JSON (one document).
    #[default]
    Json,
    /// A human table.
    Table,
}

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether to colour stderr.
pub fn stderr_color() -> bool {
    !no_color() && io::stderr().is_terminal()
}

/// Whether to colour stdout.
pub fn stdout_color() -> bool {
    !no_color() && io::stdout().is_terminal()
}

/// Whether stdout is a terminal.
pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// Write one line to stdout.
pub fn line(s: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(s.as_bytes())?;
    out.write_all(b"\n")
}

/// Write raw bytes to stdout.
pub fn raw(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}

/// Write pretty JSON to stdout.
pub fn json_pretty(v: &serde_json::Value) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    out.write_all(b"\n")
}

/// Write compact JSON and a newline to stdout (JSON lines).
pub fn json_line(v: &serde_json::Value) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    out.write_all(b"\n")
}

/// Write one line to stderr (progress, notes). Errors are ignored.
pub fn note(s: &str) {
    let _ = writeln!(io::stderr().lock(), "{s}");
}

/// Paint `s` with an ANSI style when `on`.
pub fn paint(s: &str, style: &str, on: bool) -> String {
    if on {
        format!("\x1b[{style}m{s}\x1b[0m")
    } else {
        s.to_owned()
    }
}

/// Render rows as an aligned table (first row is the header).
pub fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{s:<w$}", w = widths[i]))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Install the stderr tracing subscriber: `-v` info, `-vv` debug, `-vvv` trace, for zd and
/// zdkit only (the HTTP stack below never logs, so headers never reach the log).
pub fn init_tracing(verbose: u8) {
    if verbose == 0 {
        // Long waits are announced even without -v ("waiting 40 s for the `account`
        // bucket; Ctrl-C to stop"): only that target, message only.
        // And the shared budget's warnings (Redis gone, Redis back).
        let filter = tracing_subscriber::EnvFilter::new(format!(
            "{}=info,zdkit::ratelimit::redis=warn",
            zdkit::WAIT_TARGET
        ));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(io::stderr)
            .without_time()
            .with_target(false)
            .with_level(false)
            .with_ansi(false)
            .try_init();
        return;
    }
    let level = match verbose {
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::new(format!(
        "zd={level},zdkit={level},{}=info",
        zdkit::WAIT_TARGET
    ));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(stderr_color())
        .try_init();
}

#[cfg(test)]
mod tests {
    #[test]
    fn tables_align() {
        let t = super::table(&[
            vec!["a".into(), "bb".into()],
            vec!["ccc".into(), "d".into()],
        ]);
        assert_eq!(t, "a    bb\nccc  d\n");
    }
}
