//! `zd api`'s output: the response (pretty and coloured on a terminal, filtered with
//! `--jq`), and with `-v`/`-i` the request and response heads, secrets redacted and server
//! text escaped.

use http::Method;
use serde_json::Value;

use crate::jq::{self, Jq};
use crate::output;
use crate::report::{CliError, Exit};

fn esc(s: &str) -> String {
    zdkit::text::escape_control(s).into_owned()
}

/// Headers whose values are never shown.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

pub(crate) fn print_head(status: u16, headers: &http::HeaderMap, prefix: &str) {
    output::note(&format!("{prefix}HTTP {status}"));
    for (k, v) in headers {
        let shown = if SECRET_HEADERS.contains(&k.as_str()) {
            "[redacted]".to_owned()
        } else {
            zdkit::text::escape_control(&String::from_utf8_lossy(v.as_bytes())).into_owned()
        };
        output::note(&format!("{prefix}{k}: {shown}"));
    }
    output::note(prefix.trim_end());
}

/// `-v`: the request as it goes out (method, full URL with the query, headers), the
/// credentials shown only by their scheme.
pub(crate) fn print_request(
    client: &zdkit::Client,
    method: &Method,
    url: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    body: Option<&[u8]>,
    auth_scheme: &str,
) {
    let mut full = match client.base_url().join(url) {
        Ok(u) => u,
        Err(_) => {
            output::note(&format!("> {method} {}", esc(url)));
            return;
        }
    };
    if !query.is_empty() {
        full.query_pairs_mut().extend_pairs(query);
    }
    output::note(&format!("> {method} {}", esc(full.as_str())));
    for (k, v) in full.query_pairs() {
        output::note(&format!("> query {} = {}", esc(&k), esc(&v)));
    }
    output::note(&format!("> authorization: {auth_scheme} [redacted]"));
    if body.is_some() {
        output::note("> content-type: application/json");
    }
    for (n, v) in headers {
        let shown = if SECRET_HEADERS.contains(&n.to_ascii_lowercase().as_str()) {
            "[redacted]".to_owned()
        } else {
            esc(v)
        };
        output::note(&format!("> {n}: {shown}"));
    }
    if let Some(b) = body {
        output::note(&format!("> ({} bytes of JSON)", b.len()));
    }
    output::note(">");
}

/// How responses are printed.
pub(crate) struct Printer {
    pub(crate) jq: Option<Jq>,
    pub(crate) silent: bool,
    pub(crate) terminal: bool,
    pub(crate) color: bool,
}

impl Printer {
    fn style(&self, pretty: bool) -> jq::Style {
        jq::Style {
            pretty,
            color: self.color,
            raw_strings: self.jq.is_some(),
            terminal: self.terminal,
        }
    }

    /// A whole response body (no pagination).
    pub(crate) fn body(&self, bytes: &[u8]) -> anyhow::Result<()> {
        if self.silent || bytes.is_empty() {
            return Ok(());
        }
        let parsed = jq::parse(bytes);
        if let Some(f) = &self.jq {
            let v = parsed.map_err(|e| {
                CliError::new(
                    Exit::Server,
                    format!("--jq: the response is not JSON ({e})"),
                )
            })?;
            return self.filter(f, v, self.terminal);
        }
        match parsed {
            Ok(v) if self.terminal => {
                let mut out = std::io::stdout().lock();
                jq::write(&mut out, &v, self.style(true))?;
                Ok(())
            }
            Err(_) if self.terminal => {
                let text = String::from_utf8_lossy(bytes);
                output::line(&zdkit::text::escape_control_multiline(text.trim_end()))?;
                Ok(())
            }
            _ => {
                output::raw(bytes)?;
                if !bytes.ends_with(b"\n") {
                    output::raw(b"\n")?;
                }
                Ok(())
            }
        }
    }

    /// One page or item as one JSON line (filtered with --jq).
    pub(crate) fn line(&self, v: &Value) -> anyhow::Result<()> {
        if self.silent {
            return Ok(());
        }
        match &self.jq {
            Some(f) => {
                let bytes = serde_json::to_vec(v)?;
                let v = jq::parse(&bytes).map_err(|e| anyhow::anyhow!("re-reading a page: {e}"))?;
                self.filter(f, v, false)
            }
            None if self.terminal => {
                let text = serde_json::to_string(v)?;
                Ok(output::line(&zdkit::text::escape_json_text(&text))?)
            }
            None => Ok(output::json_line(v)?),
        }
    }

    fn filter(&self, f: &Jq, v: jaq_json::Val, pretty: bool) -> anyhow::Result<()> {
        let style = self.style(pretty);
        let mut out = std::io::stdout().lock();
        f.run(v, |o| jq::write(&mut out, o, style))
    }
}
