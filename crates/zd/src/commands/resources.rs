//! `zd list RESOURCE` and `zd get RESOURCE ID...`, in the spirit of `kubectl get`: any
//! family of the resource catalogue (`zdkit_catalog`), by its plural API name (`macros`,
//! `ticket_forms`, `sla_policies` for `slas/policies`) or its singular, every page streamed
//! through the library's next-page rule. Table on a terminal, JSON lines when piped.
//! JSON and JSON lines pass each record through as the server's JSON text
//! ([`zdkit::resources::Collection::raw`]): only the paging fields are parsed.

use std::io::{BufWriter, Stdout, Write};

use clap::{Args, ValueEnum};
use futures_util::TryStreamExt;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::Value;
use zdkit_catalog::Family;

use crate::config::{GlobalArgs, Settings};
use crate::output;
use crate::report::{CliError, Exit};

/// Output formats of `zd list` and `zd get`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// An aligned table of `--columns`.
    Table,
    /// One JSON array.
    Json,
    /// One JSON document per line.
    Jsonl,
    /// CSV of `--columns` with a header row.
    Csv,
}

/// Arguments of `zd list`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  zd list macros
  zd list tickets --limit 20 --sort -updated_at --columns id,status,subject
  zd list sla_policies --format json
  zd list ticket_forms --format csv > forms.csv")]
pub struct ListArgs {
    /// The resource: its plural API name (`tickets`, `group_memberships`, `sla_policies`)
    /// or its singular.
    resource: String,
    /// Stop after N records (default: every page).
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Sort: a field, `-field` for descending (what the family supports).
    #[arg(long, value_name = "FIELD", allow_hyphen_values = true)]
    sort: Option<String>,
    /// Output format [default: table on a terminal, jsonl when piped].
    #[arg(long, value_enum)]
    format: Option<ListFormat>,
    /// Columns for table and CSV (comma-separated; nested with `.`: `via.channel`).
    #[arg(long, value_name = "A,B,..", value_delimiter = ',')]
    columns: Vec<String>,
}

/// Arguments of `zd get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The resource (as for `zd list`).
    resource: String,
    /// One or more ids.
    #[arg(required = true)]
    ids: Vec<String>,
    /// Output format [default: table on a terminal, jsonl when piped].
    #[arg(long, value_enum)]
    format: Option<ListFormat>,
    /// Columns for table and CSV.
    #[arg(long, value_name = "A,B,..", value_delimiter = ',')]
    columns: Vec<String>,
}

/// The family a user named: plural, singular, path, `-` for `_`.
pub fn resolve(name: &str) -> anyhow::Result<&'static Family> {
    let norm = name.trim().trim_matches('/').replace('-', "_");
    zdkit_catalog::family(&norm)
        .filter(|f| !f.name.is_empty())
        .ok_or_else(|| {
            let mut known: Vec<&str> = zdkit_catalog::FAMILIES
                .iter()
                .filter(|f| f.ops.list && f.parent.is_none() && !f.name.is_empty())
                .map(|f| f.name)
                .collect();
            known.sort_unstable();
            CliError {
                exit: Exit::Usage,
                message: format!("unknown resource {name:?}"),
                hint: Some(format!("resources: {}", known.join(", "))),
            }
            .into()
        })
}

/// The default columns: `id` and the first naming fields the records have.
pub fn default_columns(first: Option<&Value>) -> Vec<String> {
    const PREFERRED: [&str; 10] = [
        "id",
        "name",
        "title",
        "subject",
        "status",
        "email",
        "active",
        "position",
        "value",
        "created_at",
    ];
    match first.and_then(Value::as_object) {
        Some(o) => PREFERRED
            .iter()
            .filter(|k| o.contains_key(**k))
            .take(5)
            .map(|k| (*k).to_owned())
            .collect(),
        None => vec!["id".to_owned()],
    }
}

/// One cell of `column` (nested with `.`); `table` shows lists of strings as words.
fn cell(record: &Value, column: &str, table: bool) -> String {
    let mut v = record;
    for part in column.split('.') {
        match v.get(part) {
            Some(x) => v = x,
            None => return String::new(),
        }
    }
    let text = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        // A list of strings (tags, domain names) reads as words in a table.
        Value::Array(a) if table && a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    };
    zdkit::text::escape_control(&text).into_owned()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Writes records as they arrive (tables are buffered to align their columns), through
/// one buffer flushed after each page ([`Sink::flush`]) and at the end.
pub(crate) struct Sink {
    format: ListFormat,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    out: BufWriter<Stdout>,
    pub(crate) count: u64,
}

/// A record `zd list` can write: parsed (`Value`) or the server's JSON text.
trait Item {
    fn write_to(&self, sink: &mut Sink) -> anyhow::Result<()>;
}

impl Item for Value {
    fn write_to(&self, sink: &mut Sink) -> anyhow::Result<()> {
        sink.push(self)
    }
}

impl Item for Box<RawValue> {
    fn write_to(&self, sink: &mut Sink) -> anyhow::Result<()> {
        sink.push_raw(self)
    }
}

impl Sink {
    pub(crate) fn new(format: Option<ListFormat>, columns: Vec<String>) -> Sink {
        let format = format.unwrap_or(if output::stdout_is_terminal() {
            ListFormat::Table
        } else {
            ListFormat::Jsonl
        });
        Sink {
            format,
            columns,
            rows: Vec::new(),
            out: BufWriter::with_capacity(64 * 1024, std::io::stdout()),
            count: 0,
        }
    }

    pub(crate) fn push(&mut self, record: &Value) -> anyhow::Result<()> {
        if self.count == 0 {
            if self.columns.is_empty() {
                self.columns = default_columns(Some(record));
            }
            if self.format == ListFormat::Csv {
                let head: Vec<String> = self.columns.iter().map(|c| csv_field(c)).collect();
                writeln!(self.out, "{}", head.join(","))?;
            }
        }
        let out = &mut self.out;
        match self.format {
            ListFormat::Jsonl => {
                serde_json::to_writer(&mut *out, record)?;
                out.write_all(b"\n")?;
            }
            ListFormat::Json => {
                out.write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
                serde_json::to_writer(&mut *out, record)?;
            }
            ListFormat::Csv => {
                let row: Vec<String> = self
                    .columns
                    .iter()
                    .map(|c| csv_field(&cell(record, c, false)))
                    .collect();
                writeln!(out, "{}", row.join(","))?;
            }
            ListFormat::Table => {
                self.rows
                    .push(self.columns.iter().map(|c| cell(record, c, true)).collect());
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Whether records are written as the server's JSON text ([`Sink::push_raw`]) rather
    /// than parsed (table and CSV need the fields).
    fn wants_raw(&self) -> bool {
        matches!(self.format, ListFormat::Json | ListFormat::Jsonl)
    }

    /// One record as the server's JSON text, for JSON and JSON lines: written as it came,
    /// byte for byte (unknown fields, big integers and number spellings kept). A JSON
    /// string cannot hold a raw newline (control characters must be escaped), so a `\n`
    /// or `\r` in the text is whitespace between tokens (a pretty-printed body) and
    /// becomes a space: one record per line. Other formats parse the text.
    pub(crate) fn push_raw(&mut self, record: &RawValue) -> anyhow::Result<()> {
        let text = record.get().as_bytes();
        match self.format {
            ListFormat::Jsonl => {}
            ListFormat::Json => {
                self.out
                    .write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
            }
            ListFormat::Csv | ListFormat::Table => {
                return self.push(&serde_json::from_str(record.get())?);
            }
        }
        // `<[u8]>::contains` is memchr: two vectorised scans, where a per-byte closure
        // was a quarter of zd's instructions per page (callgrind, BENCHMARKS.md).
        if text.contains(&b'\n') || text.contains(&b'\r') {
            let flat: Vec<u8> = text
                .iter()
                .map(|&b| if matches!(b, b'\n' | b'\r') { b' ' } else { b })
                .collect();
            self.out.write_all(&flat)?;
        } else {
            self.out.write_all(text)?;
        }
        if self.format == ListFormat::Jsonl {
            self.out.write_all(b"\n")?;
        }
        self.count += 1;
        Ok(())
    }

    /// Writes what is buffered (after each page, so output streams).
    pub(crate) fn flush(&mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        Ok(())
    }

    pub(crate) fn finish(mut self) -> anyhow::Result<()> {
        if self.count == 0 && self.columns.is_empty() {
            // No record to take columns from: a header of `id` still says what is empty.
            self.columns = default_columns(None);
        }
        match self.format {
            ListFormat::Json => {
                self.out
                    .write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
            }
            ListFormat::Table => {
                let mut rows = vec![self.columns.clone()];
                rows.extend(std::mem::take(&mut self.rows));
                self.out.write_all(output::table(&rows).as_bytes())?;
            }
            ListFormat::Csv if self.count == 0 && !self.columns.is_empty() => {
                writeln!(self.out, "{}", self.columns.join(","))?;
            }
            _ => {}
        }
        self.flush()
    }
}

fn needs_parent(f: &Family) -> anyhow::Result<()> {
    if let Some(p) = f.parent {
        return Err(CliError {
            exit: Exit::Usage,
            message: format!("{} live under {} ({})", f.name, p.family, f.path),
            hint: Some(format!(
                "use zd api {} --items",
                f.path.replace(&format!("{{{}}}", p.param), "ID")
            )),
        }
        .into());
    }
    Ok(())
}

/// Run `zd list`: `client.family(name).list()`, every page through the library's pager.
pub async fn list(global: &GlobalArgs, args: ListArgs) -> anyhow::Result<()> {
    let f = resolve(&args.resource)?;
    needs_parent(f)?;
    if !f.ops.list {
        return Err(CliError::new(Exit::Usage, format!("{} cannot be listed", f.name)).into());
    }
    let client = Settings::resolve(global)?.client()?;
    let coll = collection(&client, f);
    let mut sink = Sink::new(args.format, args.columns.clone());
    if sink.wants_raw() {
        write_pages(coll.raw(), &args, &mut sink).await?;
    } else {
        write_pages(coll, &args, &mut sink).await?;
    }
    sink.finish()
}

/// Every page of `coll`'s list into `sink`, up to `--limit` records.
async fn write_pages<T: Item + DeserializeOwned + Send + 'static>(
    coll: zdkit::resources::Collection<T>,
    args: &ListArgs,
    sink: &mut Sink,
) -> anyhow::Result<()> {
    let mut req = coll.list();
    if let Some(s) = &args.sort {
        req = req.sort(s.clone());
    }
    if let Some(l) = args.limit.filter(|l| *l < 100) {
        req = req.page_size(l.max(1) as u32);
    }
    let mut pages = req.pages();
    while let Some(page) = pages.try_next().await? {
        for item in &page.items {
            if args.limit.is_some_and(|l| sink.count >= l) {
                break;
            }
            item.write_to(sink)?;
        }
        sink.flush()?;
        if args.limit.is_some_and(|l| sink.count >= l) {
            break;
        }
    }
    Ok(())
}

fn collection(client: &zdkit::Client, f: &'static Family) -> zdkit::resources::Collection<Value> {
    match client.family(f.name) {
        Some(c) => c,
        None => unreachable!("resolve() found {} in the catalogue", f.name),
    }
}

/// Run `zd get`: `client.family(name).get(id)` for each id.
pub async fn get(global: &GlobalArgs, args: GetArgs) -> anyhow::Result<()> {
    let f = resolve(&args.resource)?;
    needs_parent(f)?;
    if !f.ops.show {
        return Err(CliError::new(Exit::Usage, format!("{} has no show endpoint", f.name)).into());
    }
    let client = Settings::resolve(global)?.client()?;
    let coll = collection(&client, f);
    let mut sink = Sink::new(args.format, args.columns);
    for id in &args.ids {
        let record = coll.get(id).await.map_err(|e| match e {
            zdkit::Error::InvalidRequest(m) => CliError::new(Exit::Usage, m).into(),
            other => anyhow::Error::from(other),
        })?;
        sink.push(&record)?;
    }
    sink.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_resolve_by_plural_singular_and_alias() {
        assert_eq!(resolve("macros").unwrap().name, "macros");
        assert_eq!(resolve("macro").unwrap().name, "macros");
        assert_eq!(resolve("sla_policies").unwrap().path, "slas/policies");
        assert_eq!(resolve("slas/policies").unwrap().name, "sla_policies");
        assert_eq!(resolve("ticket-forms").unwrap().name, "ticket_forms");
        let e = resolve("nosuch").unwrap_err();
        assert!(
            e.downcast_ref::<CliError>()
                .and_then(|c| c.hint.clone())
                .unwrap()
                .contains("macros"),
            "{e}"
        );
    }

    #[test]
    fn columns_and_cells() {
        let r = json!({"id": 1, "title": "T\u{1b}[2J", "active": true, "via": {"channel": "web"}});
        assert_eq!(default_columns(Some(&r)), ["id", "title", "active"]);
        assert_eq!(cell(&r, "via.channel", true), "web");
        assert_eq!(cell(&r, "missing", true), "");
        assert!(!cell(&r, "title", true).contains('\u{1b}'));
        let t = json!({"tags": ["vip", "urgent"]});
        assert_eq!(cell(&t, "tags", true), "vip urgent");
        assert_eq!(cell(&t, "tags", false), r#"["vip","urgent"]"#);
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
