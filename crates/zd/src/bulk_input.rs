//! Bulk input files: CSV (a header row, one record per line) or JSON lines (one object per
//! line). Every malformed row is reported with its line number before anything is sent.
//!
//! CSV cells are strings, except: `null` (clears a field), columns `id` / `*_id` (numbers),
//! `public` / `safe_update` (booleans), `tags` / `additional_tags` / `remove_tags` (split on
//! spaces), nested keys like `comment[body]` (as in `zd api -f`), and `custom_fields[ID]`
//! (one column per ticket field: `{"id": ID, "value": cell}`, the cell kept as text, so big
//! numbers stay exact; Zendesk takes numeric field values as strings). A `comment` given
//! as a string becomes `{"body": …}` in both formats. A UTF-8 byte-order mark at the start
//! of either format is ignored.
//!
//! JSON lines keep every number exact (see [`exact`]): a number that a 64-bit integer or a
//! double cannot hold digit for digit is sent as its exact digits in a string where
//! Zendesk takes one (a `custom_fields` value), and refused with its JSON path anywhere
//! else; it is never rounded.

use std::path::Path;

use serde_json::{Map, Value};

use crate::commands::api::set_nested;

mod exact;

/// One input record and the line it came from.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line number in the input file.
    pub line: usize,
    /// The record's fields.
    pub fields: Map<String, Value>,
}

/// Split one CSV line (RFC 4180 quoting, `""` escapes; no line breaks inside quotes).
pub fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            '"' if quoted => {
                quoted = false;
                if !matches!(chars.peek(), None | Some(',')) {
                    return Err("text after a closing quote".into());
                }
            }
            '"' if at_start => quoted = true,
            ',' if !quoted => {
                out.push(std::mem::take(&mut cell));
                at_start = true;
                continue;
            }
            c => cell.push(c),
        }
        at_start = false;
    }
    if quoted {
        return Err("unterminated quote (line breaks inside a cell are not supported)".into());
    }
    out.push(cell);
    Ok(out)
}

fn csv_value(column: &str, cell: &str) -> Value {
    let leaf = column
        .rsplit('[')
        .next()
        .unwrap_or(column)
        .trim_end_matches(']');
    if cell == "null" {
        return Value::Null;
    }
    match leaf {
        "tags" | "additional_tags" | "remove_tags" => Value::Array(
            cell.split_whitespace()
                .map(|t| Value::String(t.to_owned()))
                .collect(),
        ),
        "public" | "safe_update" => match cell {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(cell.to_owned()),
        },
        l if l == "id" || l.ends_with("_id") => cell
            .parse::<u64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(cell.to_owned())),
        _ => Value::String(cell.to_owned()),
    }
}

fn normalize(mut fields: Map<String, Value>) -> Map<String, Value> {
    if let Some(Value::String(body)) = fields.get("comment").cloned() {
        let mut c = Map::new();
        c.insert("body".into(), Value::String(body));
        fields.insert("comment".into(), Value::Object(c));
    }
    fields
}

fn parse_csv(text: &str, errors: &mut Vec<String>) -> Vec<Record> {
    let mut lines = text.lines().enumerate();
    let header = loop {
        match lines.next() {
            Some((_, l)) if l.trim().is_empty() => continue,
            Some((i, l)) => match split_csv(l) {
                Ok(h) => {
                    break h
                        .into_iter()
                        .map(|c| c.trim().to_owned())
                        .collect::<Vec<_>>()
                }
                Err(e) => {
                    errors.push(format!("line {}: header: {e}", i + 1));
                    return Vec::new();
                }
            },
            None => return Vec::new(),
        }
    };
    if let Some(c) = header.iter().find(|c| c.is_empty()) {
        errors.push(format!("line 1: empty column name {c:?} in the header"));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, l) in lines {
        if l.trim().is_empty() {
            continue;
        }
        let line = i + 1;
        let cells = match split_csv(l) {
            Ok(c) => c,
            Err(e) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        if cells.len() != header.len() {
            errors.push(format!(
                "line {line}: {} cells, but the header has {} columns",
                cells.len(),
                header.len()
            ));
            continue;
        }
        let mut fields = Map::new();
        let mut ok = true;
        let mut custom = Vec::new();
        for (col, cell) in header.iter().zip(&cells) {
            if cell.is_empty() {
                continue;
            }
            if let Some(id) = custom_field_column(col) {
                match id {
                    Some(id) => custom.push(serde_json::json!({
                        "id": id,
                        "value": if cell == "null" { Value::Null } else { Value::String(cell.clone()) },
                    })),
                    None => {
                        errors.push(format!(
                            "line {line}: column {col:?}: write custom_fields[ID] with the ticket field's numeric id"
                        ));
                        ok = false;
                    }
                }
                continue;
            }
            if let Err(e) = set_nested(&mut fields, col, csv_value(col, cell)) {
                errors.push(format!("line {line}: {e:#}"));
                ok = false;
            }
        }
        if !custom.is_empty() {
            fields.insert("custom_fields".into(), Value::Array(custom));
        }
        if ok {
            out.push(Record {
                line,
                fields: normalize(fields),
            });
        }
    }
    out
}

/// `custom_fields[ID]`: `Some(Some(id))`; `custom_fields[…]` with a bad id: `Some(None)`.
fn custom_field_column(col: &str) -> Option<Option<u64>> {
    let inner = col.strip_prefix("custom_fields[")?.strip_suffix(']')?;
    Some(inner.parse::<u64>().ok().filter(|id| *id > 0))
}

fn parse_jsonl(text: &str, errors: &mut Vec<String>) -> Vec<Record> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        match exact::parse(t) {
            Ok(Value::Object(fields)) => out.push(Record {
                line: i + 1,
                fields: normalize(fields),
            }),
            Ok(_) => errors.push(format!("line {}: not a JSON object", i + 1)),
            Err(e) => errors.push(format!("line {}: {e}", i + 1)),
        }
    }
    out
}

/// Read a CSV (by its `.csv` extension) or JSON-lines file: the well-formed records, and
/// every problem found (`line N: …`).
pub fn read(path: &Path) -> (Vec<Record>, Vec<String>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return (Vec::new(), vec![format!("reading {}: {e}", path.display())]),
    };
    // Spreadsheet exports (Excel "CSV UTF-8") start with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut errors = Vec::new();
    let csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let records = if csv {
        parse_csv(text, &mut errors)
    } else {
        parse_jsonl(text, &mut errors)
    };
    (records, errors)
}

/// Sort `line N: …` messages by line number.
pub fn sort_by_line(errors: &mut [String]) {
    let line = |e: &String| -> usize {
        e.strip_prefix("line ")
            .and_then(|r| r.split(':').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    errors.sort_by_key(line);
}

/// A stable 128-bit hex digest of a record (two FNV-1a passes), for idempotency keys.
pub fn digest(fields: &Map<String, Value>) -> String {
    // serde_json's Map is ordered by key, so the text is canonical.
    let text = serde_json::to_string(fields).unwrap_or_default();
    let fnv = |seed: u64| {
        text.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!(
        "{:016x}{:016x}",
        fnv(0xcbf2_9ce4_8422_2325),
        fnv(0x6c62_272e_07bb_0142)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_cells_quotes_and_types() {
        assert_eq!(
            split_csv(r#"a,"b,c","d ""e""",,"#).unwrap(),
            vec!["a", "b,c", "d \"e\"", "", ""]
        );
        assert!(split_csv(r#"a,"b"#).is_err());
        let mut errors = Vec::new();
        let r = parse_csv(
            "id,status,tags,comment,assignee_id\n1,solved,a b,hello,null\n\n2,open,,,7\n3,open\n",
            &mut errors,
        );
        assert_eq!(
            errors,
            vec!["line 5: 2 cells, but the header has 5 columns"]
        );
        assert_eq!(r.len(), 2);
        assert_eq!(
            Value::Object(r[0].fields.clone()),
            json!({"id":1,"status":"solved","tags":["a","b"],"comment":{"body":"hello"},"assignee_id":null})
        );
        assert_eq!(r[1].line, 4);
    }

    #[test]
    fn custom_field_columns_keep_big_numbers_exact() {
        let mut errors = Vec::new();
        let r = parse_csv(
            "id,custom_fields[360001],custom_fields[42]\n7,12345678901234567890123,null\n",
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            Value::Object(r[0].fields.clone()),
            json!({"id": 7, "custom_fields": [
                {"id": 360001, "value": "12345678901234567890123"},
                {"id": 42, "value": null}
            ]})
        );
        let r = parse_csv("id,custom_fields[x]\n7,1\n", &mut errors);
        assert!(
            r.is_empty() && errors[0].contains("custom_fields[ID]"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("a.csv", "\u{feff}id,status\n1,open\n"),
            ("a.jsonl", "\u{feff}{\"id\":1}\n"),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            let (r, errors) = read(&p);
            assert!(errors.is_empty(), "{name}: {errors:?}");
            assert_eq!(r[0].fields["id"], 1, "{name}");
        }
    }

    #[test]
    fn jsonl_reports_line_numbers() {
        let mut errors = Vec::new();
        let r = parse_jsonl("{\"id\":1}\n# note\n[1]\n{bad\n", &mut errors);
        assert_eq!(r.len(), 1);
        assert_eq!(errors.len(), 2);
        assert!(errors[0].starts_with("line 3:") && errors[1].starts_with("line 4:"));
    }

    #[test]
    fn digest_is_stable_and_distinct() {
        let a = json!({"b":1,"a":2}).as_object().unwrap().clone();
        let b = json!({"a":2,"b":1}).as_object().unwrap().clone();
        assert_eq!(digest(&a), digest(&b));
        assert_eq!(digest(&a).len(), 32);
        assert_ne!(digest(&a), digest(json!({"a":3}).as_object().unwrap()));
    }
}
