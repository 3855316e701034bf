//! `zd api [METHOD] PATH`: any request through the client's full pipeline (auth, pacing,
//! retries), with `gh api`'s field syntax (`api_fields`), extra headers, pagination and
//! `--jq` (see docs/design/cli-api.md).
//!
//! Output: the response body on stdout (pretty, coloured JSON on a terminal, as received
//! otherwise); `--paginate` prints each page and `--items` each item of each page as one
//! JSON document per line. `-i` prints the status line and headers on stderr, `-v` the
//! request too, so stdout stays valid JSON.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use http::Method;
use serde_json::Value;

pub use super::api_fields::set_nested;
use super::api_fields::{self, parse_field, Field, RealFiles};
use super::api_output::{light_page, print_head, print_request, Printer};
use crate::config::{GlobalArgs, Settings};
use crate::jq::Jq;
use crate::output;
use crate::report::{CliError, Exit};

/// Arguments of `zd api`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  zd api /api/v2/users/me
  zd api tickets -f 'page[size]=100' --items --jq '.id'
  zd api -X POST tickets -f 'ticket[subject]=Hi' -f 'ticket[comment][body]=Hello' -F ticket[assignee_id]=42
  zd api -X PUT tickets/1 -F 'ticket[custom_fields][][id]=360001' -f 'ticket[custom_fields][][value]=gold'
  zd api -X PUT tickets/1 -F 'ticket[comment][body]=@note.txt'
  zd api -X PUT tickets/1 --input body.json
  zd api incremental/tickets/cursor -f start_time=0 --paginate

The method is GET unless -X says otherwise (`zd api POST tickets` also works). A PATH without
a leading `/` is taken relative to /api/v2/. Fields (`gh api`'s syntax): -f sends a raw
string; -F types true/false/null and numbers (kept digit for digit), reads @FILE or @- (stdin),
and `-F 'key[]'` is an empty array. Keys nest: a[b]=v, a[]=v appends, a[][k]=v builds an array
of objects. For GET, HEAD and DELETE (or with --input) fields are query parameters.
A write (POST, PUT, PATCH, DELETE) first names the account it goes to, on stderr.")]
pub struct ApiArgs {
    /// `[METHOD] PATH`: the path (`/api/v2/tickets`, `tickets`) or a full URL on the
    /// configured host, optionally preceded by the method.
    #[arg(value_name = "[METHOD] PATH", num_args = 1..=2, required = true)]
    target: Vec<String>,
    /// The HTTP method: GET (default), POST, PUT, PATCH, DELETE, HEAD.
    #[arg(short = 'X', long = "method", value_name = "METHOD")]
    method: Option<String>,
    /// A raw string field `key=value` (see below).
    #[arg(short = 'f', long = "raw-field", value_name = "KEY=VALUE")]
    raw_fields: Vec<String>,
    /// A typed field `key=value`: true/false/null and numbers as JSON, `@file`, `@-`.
    #[arg(short = 'F', long = "field", value_name = "KEY=VALUE")]
    fields: Vec<String>,
    /// The order of -f and -F on the command line (filled by `commands::parse_cli`).
    #[arg(skip)]
    pub(crate) field_order: Vec<(usize, bool)>,
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
    /// --paginate. On plain search (capped at 1,000 results) a query that matches more is
    /// an error once the cap is reached: use `search/export`.
    #[arg(long)]
    items: bool,
    /// Filter each response (each item with --items) with this jq expression; strings are
    /// printed raw.
    #[arg(short = 'q', long = "jq", value_name = "EXPR")]
    jq: Option<String>,
    /// Print nothing on success (the exit code tells).
    #[arg(long, conflicts_with = "jq")]
    silent: bool,
    /// Print the status line and response headers on stderr.
    #[arg(short = 'i', long = "include")]
    include: bool,
}

impl ApiArgs {
    /// Record where each `-f`/`-F` value sat on the command line, so `a[][k]` fields
    /// mixing both keep their order.
    pub(crate) fn record_field_order(&mut self, m: &clap::ArgMatches) {
        let idx =
            |id: &str| -> Vec<usize> { m.indices_of(id).map(|i| i.collect()).unwrap_or_default() };
        let mut order: Vec<(usize, bool, usize)> = Vec::new();
        for (n, i) in idx("raw_fields").into_iter().enumerate() {
            order.push((i, false, n));
        }
        for (n, i) in idx("fields").into_iter().enumerate() {
            order.push((i, true, n));
        }
        order.sort_unstable();
        self.field_order = order.into_iter().map(|(_, t, n)| (n, t)).collect();
    }

    /// Every field, parsed, in command-line order.
    fn parsed_fields(&self) -> anyhow::Result<Vec<Field>> {
        let mut files = RealFiles::default();
        let order: Vec<(usize, bool)> =
            if self.field_order.len() == self.raw_fields.len() + self.fields.len() {
                self.field_order.clone()
            } else {
                (0..self.raw_fields.len())
                    .map(|n| (n, false))
                    .chain((0..self.fields.len()).map(|n| (n, true)))
                    .collect()
            };
        order
            .into_iter()
            .map(|(n, typed)| {
                let raw = if typed {
                    &self.fields[n]
                } else {
                    &self.raw_fields[n]
                };
                parse_field(raw, typed, &mut files)
            })
            .collect()
    }
}

/// The methods `zd api` sends.
pub const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// A method name, case-insensitive; anything else is a usage error listing the valid ones.
pub fn parse_method(raw: &str) -> anyhow::Result<Method> {
    let up = raw.to_ascii_uppercase();
    if !METHODS.contains(&up.as_str()) {
        return Err(CliError::new(
            Exit::Usage,
            format!("unknown method {raw:?}: use one of {}", METHODS.join(", ")),
        )
        .into());
    }
    Method::from_bytes(up.as_bytes())
        .map_err(|_| CliError::new(Exit::Usage, format!("invalid method {raw:?}")).into())
}

/// The method and path of `[METHOD] PATH` plus `-X`.
pub fn method_and_path(target: &[String], flag: Option<&str>) -> anyhow::Result<(Method, String)> {
    let usage = |m: String| -> anyhow::Error { CliError::new(Exit::Usage, m).into() };
    match (target, flag) {
        ([path], m) => {
            if METHODS.contains(&path.as_str()) {
                return Err(usage(format!("`zd api {path}`: the PATH is missing")));
            }
            Ok((
                m.map(parse_method).transpose()?.unwrap_or(Method::GET),
                path.clone(),
            ))
        }
        ([m, path], None) => Ok((parse_method(m)?, path.clone())),
        ([m, path], Some(x)) => {
            let (a, b) = (parse_method(m)?, parse_method(x)?);
            if a != b {
                return Err(usage(format!("two methods given: {m} and -X {x}")));
            }
            Ok((a, path.clone()))
        }
        _ => Err(usage("expected `zd api [METHOD] PATH`".to_owned())),
    }
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

/// Endpoints whose pages stop at a result cap, and where to go instead.
fn result_cap(path: &str) -> Option<(u64, &'static str)> {
    let p = path.split('?').next().unwrap_or(path);
    let p = p.strip_suffix(".json").unwrap_or(p);
    (p.ends_with("/api/v2/search") || p == "search").then_some((
        zdkit::resources::search::SEARCH_CAP,
        "zd api search/export -f query=QUERY -f 'filter[type]=ticket' --items",
    ))
}

/// Run `zd api`.
pub async fn run(global: &GlobalArgs, args: ApiArgs, verbose: u8) -> anyhow::Result<()> {
    let (method, path) = method_and_path(&args.target, args.method.as_deref())?;
    let paginate = args.paginate || args.items;
    if paginate && method != Method::GET {
        return Err(CliError::new(Exit::Usage, "--paginate and --items need GET").into());
    }
    let jq = args.jq.as_deref().map(Jq::compile).transpose()?;
    let path = normalize_path(&path);
    let as_query =
        args.input.is_some() || matches!(method, Method::GET | Method::DELETE | Method::HEAD);
    let fields = args.parsed_fields()?;
    let query = if as_query {
        api_fields::query(&fields)
    } else {
        Vec::new()
    };
    let raw_body = match &args.input {
        Some(p) => {
            let b = read_input(p)?;
            serde_json::from_slice::<serde::de::IgnoredAny>(&b).map_err(|e| {
                CliError::new(Exit::Usage, format!("the request body is not JSON: {e}"))
            })?;
            Some(b)
        }
        None if !as_query && !fields.is_empty() => Some(api_fields::body(&fields)?.into_bytes()),
        None => None,
    };
    let mut headers = Vec::new();
    for h in &args.headers {
        let (n, v) = h.split_once(':').ok_or_else(|| {
            CliError::new(Exit::Usage, format!("header {h:?} is not `Name: value`"))
        })?;
        headers.push((n.trim().to_owned(), v.trim().to_owned()));
    }
    let settings = Settings::resolve(global)?;
    let auth_scheme = match settings.secret.as_ref().map(|s| &s.value.0) {
        Some(crate::config::SecretKind::OAuth) => "Bearer",
        Some(_) => "Basic",
        None => "(none)",
    };
    let client = settings.client()?;
    if !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) {
        // A write names the account it goes to (issue 9 item 11), before anything is sent.
        settings.announce_write(&format!(
            "zd api: {method} {}",
            zdkit::text::for_display(&path, 200)
        ));
    }
    let plan_known = settings.plan.is_some();
    let printer = Printer {
        jq,
        silent: args.silent,
        terminal: output::stdout_is_terminal(),
        color: output::stdout_color(),
    };
    let cap = if args.items { result_cap(&path) } else { None };
    let mut emitted: u64 = 0;
    let mut total: Option<u64> = None;
    let mut next = Some(path.clone());
    let mut first = true;
    // The library's one next-page rule: origin check, cycle and empty-run detection.
    let mut walk = zdkit::pagination::Walk::new(client.base_url());
    walk.start(&path);
    while let Some(url) = next.take() {
        let mut req = client.request(method.clone(), &url);
        let sent_query: &[(String, String)] = if first { &query } else { &[] };
        if !sent_query.is_empty() {
            req = req.query(sent_query);
        }
        for (n, v) in &headers {
            req = req.header(n, v);
        }
        if let Some(k) = &args.idempotency_key {
            req = req.idempotency_key(k.clone());
        }
        if let Some(b) = &raw_body {
            req = req.json_bytes(b.clone());
        }
        if verbose > 0 {
            print_request(
                &client,
                &method,
                &url,
                sent_query,
                &headers,
                raw_body.as_deref(),
                auth_scheme,
            );
        }
        first = false;
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                if let (true, Some(a)) = (args.include || verbose > 0, e.api()) {
                    output::note(&format!("HTTP {}", a.status));
                }
                return Err(e.into());
            }
        };
        if args.include || verbose > 0 {
            print_head(
                resp.status(),
                resp.headers(),
                if verbose > 0 { "< " } else { "" },
            );
        }
        if !paginate {
            return printer.body(resp.bytes());
        }
        crate::pacing::note_if_headerless(resp.rate_limit(), plan_known);
        // Pages are not built whole: the next-page rule reads a light copy (arrays as
        // element counts), and `--paginate` prints the bytes as received.
        let bytes = resp.bytes();
        let light = light_page(bytes).map_err(|e| {
            CliError::new(
                Exit::Server,
                format!("the page from {url} is not JSON: {e}"),
            )
        })?;
        if args.items {
            let page: Value = resp.json()?;
            let key = items_key(&page, &url);
            let Some(items) = key
                .as_ref()
                .and_then(|k| page.get(k))
                .and_then(Value::as_array)
            else {
                let keys: Vec<&str> = page
                    .as_object()
                    .map(|o| o.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                return Err(CliError {
                    exit: Exit::Usage,
                    message: format!(
                        "--items: {url} returned no list (keys: {})",
                        keys.join(", ")
                    ),
                    hint: Some("it returns one record: drop --items".to_owned()),
                }
                .into());
            };
            for item in items {
                printer.line(item)?;
            }
            emitted = emitted.saturating_add(items.len() as u64);
            if total.is_none() {
                total = page.get("count").and_then(Value::as_u64);
            }
        } else {
            printer.page_line(bytes)?;
        }
        next = walk.raw(&light)?;
        if let Some((limit, instead)) = cap {
            let more = total.is_some_and(|t| t > emitted);
            if more && (emitted >= limit || next.is_none()) {
                return Err(CliError {
                    exit: Exit::Server,
                    message: format!(
                        "plain search stops at {limit} results: printed {emitted} of {}",
                        total.unwrap_or(emitted)
                    ),
                    hint: Some(format!("the export endpoint has no cap: {instead}")),
                }
                .into());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn methods_default_to_get_and_typos_are_usage_errors() {
        let t = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let (m, p) = method_and_path(&t(&["/api/v2/tickets/1"]), None).unwrap();
        assert_eq!((m, p.as_str()), (Method::GET, "/api/v2/tickets/1"));
        let (m, _) = method_and_path(&t(&["tickets"]), Some("post")).unwrap();
        assert_eq!(m, Method::POST);
        let (m, _) = method_and_path(&t(&["PUT", "tickets/1"]), None).unwrap();
        assert_eq!(m, Method::PUT);
        assert!(method_and_path(&t(&["PUT", "tickets/1"]), Some("PUT")).is_ok());
        for (target, flag) in [
            (t(&["GTE", "tickets"]), None),
            (t(&["tickets"]), Some("PSOT")),
            (t(&["PUT", "tickets/1"]), Some("POST")),
            (t(&["GET"]), None),
        ] {
            let e = method_and_path(&target, flag).unwrap_err();
            assert_eq!(
                e.downcast_ref::<CliError>().unwrap().exit,
                Exit::Usage,
                "{target:?}"
            );
        }
    }

    #[test]
    fn search_is_capped_and_export_is_not() {
        assert!(result_cap("/api/v2/search").is_some());
        assert!(result_cap("/api/v2/search.json?query=x").is_some());
        assert!(result_cap("/api/v2/search/export").is_none());
        assert!(result_cap("/api/v2/tickets").is_none());
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
