//! `zd api METHOD PATH`: any request through the client's full pipeline (auth, pacing,
//! retries), with typed fields, extra headers and pagination.
//!
//! Output: the response body on stdout (pretty JSON on a terminal, as received otherwise);
//! `--paginate` prints each page and `--items` each item of each page as one JSON document
//! per line. `-i` prints the status line and headers on stderr, so stdout stays valid JSON.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use http::Method;
use serde_json::{Map, Value};

use crate::config::{GlobalArgs, Settings};
use crate::output;
use crate::report::{CliError, Exit};

/// Arguments of `zd api`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  zd api GET /api/v2/users/me
  zd api GET tickets -f 'page[size]=100' --items
  zd api POST tickets -f 'ticket[subject]=Hi' -f 'ticket[comment][body]=Hello' -f ticket[priority]=high
  zd api PUT tickets/1 --input body.json
  zd api GET /api/v2/incremental/tickets/cursor -f start_time=0 --paginate

A PATH without a leading `/` is taken relative to /api/v2/.")]
pub struct ApiArgs {
    /// The HTTP method (GET, POST, PUT, PATCH, DELETE).
    method: String,
    /// The path (`/api/v2/tickets`, `tickets`) or a full URL on the configured host.
    path: String,
    /// A field `key=value`: JSON numbers, true/false/null are typed, anything else is a
    /// string; `a[b]=x` nests and `a[]=x` appends. GET and DELETE (or with --input): query
    /// parameters; otherwise the JSON body.
    #[arg(short = 'f', long = "field", value_name = "KEY=VALUE")]
    fields: Vec<String>,
    /// The JSON request body from a file (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,
    /// An extra header `Name: value` (repeatable; not Authorization).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Send this `Idempotency-Key` (makes a POST safe to retry).
    #[arg(long, value_name = "KEY")]
    idempotency_key: Option<String>,
    /// Follow every page (cursor `links.next`, offset `next_page`, incremental `after_url`)
    /// and print each page as one JSON line.
    #[arg(long)]
    paginate: bool,
    /// Print every item of every page (the page's main array) as one JSON line. Implies
    /// --paginate.
    #[arg(long)]
    items: bool,
    /// Print the status line and response headers on stderr.
    #[arg(short = 'i', long = "include")]
    include: bool,
}

/// Turn `tickets/1` into `/api/v2/tickets/1`; leave `/…` and full URLs alone.
pub fn normalize_path(path: &str) -> String {
    if path.starts_with('/') || path.starts_with("http://") || path.starts_with("https://") {
        path.to_owned()
    } else if path.starts_with("api/") {
        format!("/{path}")
    } else {
        format!("/api/v2/{path}")
    }
}

/// A field value, typed like `gh api -F`: numbers, booleans and null become JSON.
pub fn typed_value(raw: &str) -> Value {
    match raw {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        _ => match serde_json::from_str::<Value>(raw) {
            Ok(v @ Value::Number(_)) if !raw.starts_with('+') => v,
            _ => Value::String(raw.to_owned()),
        },
    }
}

fn split_field(field: &str) -> anyhow::Result<(&str, &str)> {
    field
        .split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| {
            CliError::new(Exit::Usage, format!("field {field:?} is not KEY=VALUE")).into()
        })
}

/// Set `key` (`a`, `a[b][c]`, `a[]`) in `root`.
pub fn set_nested(root: &mut Map<String, Value>, key: &str, value: Value) -> anyhow::Result<()> {
    let bad = || CliError::new(Exit::Usage, format!("malformed field key {key:?}"));
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    let mut segs = vec![head.to_owned()];
    while !rest.is_empty() {
        let close = rest.find(']').ok_or_else(bad)?;
        if !rest.starts_with('[') {
            return Err(bad().into());
        }
        segs.push(rest[1..close].to_owned());
        rest = &rest[close + 1..];
    }
    let mut slot: &mut Value = root.entry(segs[0].clone()).or_insert(Value::Null);
    for seg in &segs[1..] {
        if seg.is_empty() {
            if slot.is_null() {
                *slot = Value::Array(Vec::new());
            }
            let arr = slot.as_array_mut().ok_or_else(bad)?;
            arr.push(Value::Null);
            slot = arr.last_mut().ok_or_else(bad)?;
        } else {
            if slot.is_null() {
                *slot = Value::Object(Map::new());
            }
            slot = slot
                .as_object_mut()
                .ok_or_else(bad)?
                .entry(seg.clone())
                .or_insert(Value::Null);
        }
    }
    if !slot.is_null() {
        return Err(CliError::new(Exit::Usage, format!("field {key:?} given twice")).into());
    }
    *slot = value;
    Ok(())
}

/// The key of a page's main array: the only array, else the one named in the path, else
/// `results`, else the first array.
pub fn items_key(page: &Value, path: &str) -> Option<String> {
    let obj = page.as_object()?;
    let arrays: Vec<&String> = obj
        .iter()
        .filter(|(_, v)| v.is_array())
        .map(|(k, _)| k)
        .collect();
    if arrays.len() <= 1 {
        return arrays.first().map(|k| (*k).clone());
    }
    let path = path.split('?').next().unwrap_or(path);
    let segments: Vec<&str> = path
        .split('/')
        .map(|s| s.trim_end_matches(".json"))
        .collect();
    for seg in segments.iter().rev() {
        if let Some(k) = arrays.iter().find(|k| k.as_str() == *seg) {
            return Some((*k).clone());
        }
    }
    arrays
        .iter()
        .find(|k| k.as_str() == "results")
        .or(arrays.first())
        .map(|k| (*k).clone())
}

fn read_input(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf)
            .context("reading the body from stdin")?;
        return Ok(buf);
    }
    std::fs::read(path)
        .map_err(|e| CliError::new(Exit::Usage, format!("reading {}: {e}", path.display())).into())
}

fn print_head(status: u16, headers: &http::HeaderMap) {
    output::note(&format!("HTTP {status}"));
    for (k, v) in headers {
        let v = String::from_utf8_lossy(v.as_bytes());
        output::note(&format!("{k}: {}", zdkit::text::escape_control(&v)));
    }
    output::note("");
}

/// One JSON document per line; on a terminal with unsafe characters escaped (still JSON).
fn json_line(v: &Value) -> anyhow::Result<()> {
    if output::stdout_is_terminal() {
        output::line(&zdkit::text::escape_json_text(&serde_json::to_string(v)?))?;
    } else {
        output::json_line(v)?;
    }
    Ok(())
}

/// Run `zd api`.
pub async fn run(global: &GlobalArgs, args: ApiArgs) -> anyhow::Result<()> {
    let method = Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| CliError::new(Exit::Usage, format!("invalid method {:?}", args.method)))?;
    let paginate = args.paginate || args.items;
    if paginate && method != Method::GET {
        return Err(CliError::new(Exit::Usage, "--paginate and --items need GET").into());
    }
    let path = normalize_path(&args.path);
    let as_query =
        args.input.is_some() || matches!(method, Method::GET | Method::DELETE | Method::HEAD);
    let mut query: Vec<(String, String)> = Vec::new();
    let mut body = Map::new();
    for f in &args.fields {
        let (k, v) = split_field(f)?;
        if as_query {
            query.push((k.to_owned(), v.to_owned()));
        } else {
            set_nested(&mut body, k, typed_value(v))?;
        }
    }
    let raw_body = match &args.input {
        Some(p) => Some(read_input(p)?),
        None if !body.is_empty() => Some(serde_json::to_vec(&Value::Object(body))?),
        None => None,
    };
    let mut headers = Vec::new();
    for h in &args.headers {
        let (n, v) = h.split_once(':').ok_or_else(|| {
            CliError::new(Exit::Usage, format!("header {h:?} is not `Name: value`"))
        })?;
        headers.push((n.trim().to_owned(), v.trim().to_owned()));
    }
    let client = Settings::resolve(global)?.client()?;
    let mut next = Some(path.clone());
    let mut first = true;
    // The library's one next-page rule: origin check, cycle and empty-run detection.
    let mut walk = zdkit::pagination::Walk::new(client.base_url());
    walk.start(&path);
    while let Some(url) = next.take() {
        let mut req = client.request(method.clone(), &url);
        if first && !query.is_empty() {
            req = req.query(&query);
        }
        for (n, v) in &headers {
            req = req.header(n, v);
        }
        if let Some(k) = &args.idempotency_key {
            req = req.idempotency_key(k.clone());
        }
        if let Some(b) = &raw_body {
            let v: Value = serde_json::from_slice(b).map_err(|e| {
                CliError::new(Exit::Usage, format!("the request body is not JSON: {e}"))
            })?;
            req = req.json(&v);
        }
        first = false;
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                if let (true, Some(a)) = (args.include, e.api()) {
                    output::note(&format!("HTTP {}", a.status));
                }
                return Err(e.into());
            }
        };
        if args.include {
            print_head(resp.status(), resp.headers());
        }
        if !paginate {
            let bytes = resp.bytes();
            // On a terminal, server text is escaped (JSON stays valid JSON); piped output
            // is the body exactly as received.
            let tty = output::stdout_is_terminal();
            match serde_json::from_slice::<Value>(bytes) {
                Ok(v) if tty => output::line(&zdkit::text::escape_json_text(
                    &serde_json::to_string_pretty(&v)?,
                ))?,
                _ if bytes.is_empty() => {}
                _ if tty => {
                    let text = String::from_utf8_lossy(bytes);
                    output::line(&zdkit::text::escape_control_multiline(text.trim_end()))?;
                }
                _ => {
                    output::raw(bytes)?;
                    if !bytes.ends_with(b"\n") {
                        output::raw(b"\n")?;
                    }
                }
            }
            return Ok(());
        }
        let page: Value = resp.json()?;
        if args.items {
            if let Some(key) = items_key(&page, &url) {
                if let Some(items) = page.get(&key).and_then(Value::as_array) {
                    for item in items {
                        json_line(item)?;
                    }
                }
            }
        } else {
            json_line(&page)?;
        }
        next = walk.raw(&page)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_typed_and_nested() {
        let mut m = Map::new();
        for (k, v) in [
            ("ticket[subject]", "Hi"),
            ("ticket[priority]", "high"),
            ("ticket[assignee_id]", "42"),
            ("ticket[tags][]", "a"),
            ("ticket[tags][]", "b"),
            ("ticket[public]", "false"),
            ("x", "null"),
            ("z", "+1"),
        ] {
            set_nested(&mut m, k, typed_value(v)).unwrap();
        }
        assert_eq!(
            Value::Object(m),
            json!({"ticket":{"subject":"Hi","priority":"high","assignee_id":42,
                   "tags":["a","b"],"public":false},"x":null,"z":"+1"})
        );
        let mut m = Map::new();
        set_nested(&mut m, "a", json!(1)).unwrap();
        assert!(set_nested(&mut m, "a", json!(2)).is_err());
        assert!(set_nested(&mut m, "b[c", json!(2)).is_err());
    }

    #[test]
    fn items_key_prefers_the_path() {
        let page = json!({"tickets":[],"users":[],"count":1});
        assert_eq!(
            items_key(&page, "/api/v2/tickets.json?include=users").as_deref(),
            Some("tickets")
        );
        assert_eq!(
            items_key(&json!({"results":[],"facets":[]}), "/api/v2/search").as_deref(),
            Some("results")
        );
        assert_eq!(
            items_key(&json!({"users":[]}), "/x").as_deref(),
            Some("users")
        );
        assert_eq!(normalize_path("tickets/1"), "/api/v2/tickets/1");
        assert_eq!(normalize_path("/api/v2/x"), "/api/v2/x");
    }
}
