//! `zd explain`: read a failed response as `curl -i` prints it (status line, headers, blank
//! line, body) and explain it with zdkit's own error parsing and hints.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::json;
use zdkit::{ApiError, Clock, ErrorKind, SystemClock};

use crate::output;
use crate::report::{CliError, Exit};

/// Arguments of `zd explain`.
#[derive(Debug, Args)]
#[command(after_help = "Example: curl -si -u me@example.com/token:$TOKEN \
https://acme.zendesk.com/api/v2/tickets/1 | zd explain")]
pub struct ExplainArgs {
    /// The `curl -i` output to read (`-` or absent: stdin).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// The request that got this answer, e.g. `PUT /api/v2/tickets/1` (for the message).
    #[arg(long, value_name = "METHOD PATH")]
    request: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Print the whole error description and field messages (default: each cut to 500
    /// characters). Control characters are escaped either way.
    #[arg(long)]
    full: bool,
}

/// A response parsed from `curl -i` text.
#[derive(Debug)]
pub struct Parsed {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

/// Parse `curl -i` output. Interim blocks (`100 Continue`, a proxy's `200 Connection
/// established`) are skipped: the last status block wins.
pub fn parse_curl(text: &[u8]) -> Result<Parsed, String> {
    let mut rest = text;
    // Skip leading blank lines.
    while rest.first().is_some_and(|b| b.is_ascii_whitespace()) {
        rest = &rest[1..];
    }
    loop {
        if !rest.starts_with(b"HTTP/") {
            return Err(
                "the input does not start with an HTTP status line (save it with `curl -i`)".into(),
            );
        }
        let mut headers = HeaderMap::new();
        let mut status = None;
        let mut pos = 0;
        let mut first = true;
        loop {
            let end = rest[pos..]
                .iter()
                .position(|b| *b == b'\n')
                .map(|i| pos + i);
            let (line, next) = match end {
                Some(e) => (&rest[pos..e], e + 1),
                None => (&rest[pos..], rest.len()),
            };
            let line = String::from_utf8_lossy(line);
            let line = line.trim_end_matches('\r');
            pos = next;
            if first {
                first = false;
                let code = line
                    .split_whitespace()
                    .nth(1)
                    .and_then(|c| c.parse::<u16>().ok())
                    .filter(|c| (100..600).contains(c))
                    .ok_or_else(|| format!("bad status line {line:?}"))?;
                status = Some(code);
                continue;
            }
            if line.is_empty() {
                break;
            }
            let (n, v) = line
                .split_once(':')
                .ok_or_else(|| format!("bad header line {line:?}"))?;
            let name = HeaderName::from_bytes(n.trim().as_bytes())
                .map_err(|_| format!("bad header name {n:?}"))?;
            let value =
                HeaderValue::from_str(v.trim()).map_err(|_| format!("bad header value for {n}"))?;
            headers.append(name, value);
            if pos >= rest.len() {
                break;
            }
        }
        let status = status.ok_or("no status line")?;
        let body = &rest[pos.min(rest.len())..];
        // Another status block follows (100 Continue, a proxy's CONNECT answer): skip.
        if body.starts_with(b"HTTP/") {
            rest = body;
            continue;
        }
        return Ok(Parsed {
            status,
            headers,
            body: body.to_vec(),
        });
    }
}

fn what_to_change(e: &ApiError) -> &'static str {
    match &e.kind {
        ErrorKind::Unauthorized => "the credentials: run `zd doctor` to find which part is wrong",
        ErrorKind::Forbidden => {
            "the user or token: use an agent/admin, or a token with write scope"
        }
        ErrorKind::NotFound => "the id or the path (or the plan does not include this endpoint)",
        ErrorKind::Invalid { .. } => "the request body: fix the fields listed",
        ErrorKind::RateLimited { .. } => "the pace: wait as asked, lower the concurrency",
        ErrorKind::ServerError => {
            "nothing in the request: retry after the wait; quote the request id if it persists"
        }
        ErrorKind::Conflict => "re-read the record and retry with its new state",
        ErrorKind::BadRequest => "the parameters (see the description)",
        ErrorKind::Redirect { .. } => {
            "the base URL: the final https://SUBDOMAIN.zendesk.com address, without SSO in front"
        }
        _ => "see the description",
    }
}

/// Run `zd explain`.
pub fn run(args: ExplainArgs) -> anyhow::Result<()> {
    let mut text = Vec::new();
    match &args.file {
        Some(p) if p.as_os_str() != "-" => {
            text = std::fs::read(p)
                .map_err(|e| CliError::new(Exit::Usage, format!("reading {}: {e}", p.display())))?;
        }
        _ => {
            std::io::stdin()
                .lock()
                .read_to_end(&mut text)
                .context("reading stdin")?;
        }
    }
    let parsed = parse_curl(&text).map_err(|e| CliError::new(Exit::Usage, e))?;
    let (method, path) = match &args.request {
        Some(r) => {
            let (m, p) = r.split_once(' ').unwrap_or(("", r.as_str()));
            (m.to_ascii_uppercase(), p.trim().to_owned())
        }
        None => ("?".to_owned(), "?".to_owned()),
    };
    let now = SystemClock::new().now();
    let class = Exit::of_status(parsed.status);
    if class == Exit::Ok {
        let msg = format!("{} is a success status: nothing to explain", parsed.status);
        if args.json {
            output::json_pretty(
                &json!({"status": parsed.status, "class": "success", "exit_class": 0}),
            )?;
        } else {
            output::line(&msg)?;
        }
        return Ok(());
    }
    let e = ApiError::from_parts(
        parsed.status,
        &parsed.headers,
        parsed.body,
        &method,
        &path,
        now,
    );
    let details = match &e.kind {
        ErrorKind::Invalid { details } => details.clone(),
        _ => Default::default(),
    };
    let limits = super::limits::rows(&e.rate_limit);
    if args.json {
        let fields: serde_json::Map<String, serde_json::Value> = details
            .iter()
            .map(|(k, v)| {
                let list: Vec<_> = v
                    .iter()
                    .map(|f| json!({"error": f.error, "description": f.description, "field_key": f.field_key}))
                    .collect();
                (k.clone(), json!(list))
            })
            .collect();
        output::json_pretty(&json!({
            "status": e.status,
            "class": class.describe(),
            "exit_class": class.code(),
            "code": e.code,
            "description": e.description,
            "fields": fields,
            "retry_after_secs": e.retry_after.map(|d| d.as_secs_f64()),
            "request_id": e.request_id,
            "rate_limit": limits,
            "hint": e.hint(),
            "change": what_to_change(&e),
        }))?;
        return Ok(());
    }
    // Everything below came from the server: escape control characters, cut long text.
    let full = args.full;
    let show = |s: &str| {
        if full {
            zdkit::text::escape_control_multiline(s).into_owned()
        } else {
            zdkit::text::for_display(s, zdkit::text::DISPLAY_MAX_CHARS)
        }
    };
    let mut out = Vec::new();
    out.push(format!(
        "status:       {} — {} (zd exit class {})",
        e.status,
        class.describe(),
        class.code()
    ));
    match (
        e.code.as_deref().map(show),
        e.description.as_deref().map(show),
    ) {
        (Some(c), Some(d)) => out.push(format!("error:        {c}: {d}")),
        (Some(c), None) => out.push(format!("error:        {c}")),
        (None, Some(d)) => out.push(format!("error:        {d}")),
        (None, None) => {}
    }
    if !details.is_empty() {
        out.push("fields:".to_owned());
        for (field, problems) in &details {
            for p in problems {
                let mut s = format!(
                    "  {}: {}",
                    show(field),
                    show(p.error.as_deref().unwrap_or("invalid"))
                );
                if let Some(d) = &p.description {
                    s.push_str(&format!(" — {}", show(d)));
                }
                if let Some(k) = &p.field_key {
                    s.push_str(&format!(" (custom field {})", show(&k.to_string())));
                }
                out.push(s);
            }
        }
    }
    match (e.retry_after, e.status) {
        (Some(d), _) => out.push(format!(
            "wait:         {:.0} s before retrying (Retry-After)",
            d.as_secs_f64().ceil()
        )),
        (None, 429) => {
            out.push("wait:         no Retry-After: wait for the window to reset".to_owned())
        }
        (None, 503) => out.push(
            "wait:         no Retry-After: maintenance or an incident; retry later".to_owned(),
        ),
        _ => {}
    }
    for r in &limits {
        out.push(format!(
            "rate limit:   {} {}/{} remaining, resets in {}",
            r["bucket"].as_str().unwrap_or("?"),
            r["remaining"],
            r["limit"],
            r["resets_in_secs"]
        ));
    }
    match &e.request_id {
        Some(id) => out.push(format!(
            "request id:   {} (quote it to Zendesk support)",
            show(id)
        )),
        None => out.push("request id:   none in the headers (X-Zendesk-Request-Id)".to_owned()),
    }
    out.push(format!("change:       {}", what_to_change(&e)));
    if let Some(h) = e.hint() {
        out.push(format!("hint:         {h}"));
    }
    output::raw((out.join("\n") + "\n").as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_crlf_and_interim_blocks() {
        let t = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/2 422\r\ncontent-type: application/json\r\nx-zendesk-request-id: abc\r\n\r\n{\"error\":\"RecordInvalid\"}";
        let p = parse_curl(t).unwrap();
        assert_eq!(p.status, 422);
        assert_eq!(p.headers["x-zendesk-request-id"], "abc");
        assert_eq!(p.body, b"{\"error\":\"RecordInvalid\"}");
        let p = parse_curl(b"HTTP/1.1 404 Not Found\n").unwrap();
        assert_eq!(p.status, 404);
        assert!(p.body.is_empty());
        assert!(parse_curl(b"{\"error\":1}").is_err());
    }
}
