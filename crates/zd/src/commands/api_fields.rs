//! `zd api`'s field syntax, the same as `gh api`'s:
//!
//! * `-f key=value`: a raw string, always sent as a JSON string (or query text).
//! * `-F key=value`: a typed value: `true`, `false`, `null` and JSON numbers become JSON
//!   literals (kept digit for digit: `12345678901234567890` is never rounded), `@file`
//!   reads the value from a file and `@-` from stdin; anything else is a string.
//! * Keys nest: `a[b][c]=v`; `a[]=v` appends to an array; `a[][k]=v` builds an array of
//!   objects (a new object starts when `k` is already set in the last one, so
//!   `custom_fields[][id]=1 custom_fields[][value]=x custom_fields[][id]=2 …` is two
//!   objects); `-F 'a[]'` with no `=` is an empty array.
//!
//! For GET, HEAD and DELETE (or with `--input`) fields are query parameters, keys sent as
//! written; otherwise they build the JSON body. The body is a tree of exact JSON text,
//! serialised without passing numbers through a float.

use std::io::Read;

use crate::report::{CliError, Exit};

/// One parsed `-f`/`-F` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The key as written (`ticket[custom_fields][][id]`).
    pub key: String,
    /// The value.
    pub value: FieldValue,
}

/// A field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A JSON string.
    Str(String),
    /// A JSON literal (`true`, `false`, `null` or a number), exactly as typed.
    Literal(String),
    /// An empty array (`-F 'key[]'`).
    EmptyArray,
}

impl FieldValue {
    /// The text sent in a query string.
    pub fn query_text(&self) -> &str {
        match self {
            FieldValue::Str(s) | FieldValue::Literal(s) => s,
            FieldValue::EmptyArray => "",
        }
    }
}

/// Where `@-` and `@file` are read from (a seam for tests).
pub trait Files {
    /// The contents of `path` (`-` for stdin).
    fn read(&mut self, path: &str) -> std::io::Result<Vec<u8>>;
}

/// The real file system and stdin.
#[derive(Debug, Default)]
pub struct RealFiles {
    stdin_used: bool,
}

impl Files for RealFiles {
    fn read(&mut self, path: &str) -> std::io::Result<Vec<u8>> {
        if path == "-" {
            if std::mem::replace(&mut self.stdin_used, true) {
                return Err(std::io::Error::other("stdin (`@-`) can be read only once"));
            }
            let mut buf = Vec::new();
            std::io::stdin().lock().read_to_end(&mut buf)?;
            return Ok(buf);
        }
        std::fs::read(path)
    }
}

fn usage(msg: String) -> anyhow::Error {
    CliError::new(Exit::Usage, msg).into()
}

/// Whether `s` is a JSON number literal (`-1`, `2.5e3`, `12345678901234567890`).
pub fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[int_start] == b'0') {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Parse `-f` (raw, `typed == false`) or `-F` (typed) `key=value`.
pub fn parse_field(raw: &str, typed: bool, files: &mut dyn Files) -> anyhow::Result<Field> {
    let flag = if typed { "-F" } else { "-f" };
    let Some((key, value)) = raw.split_once('=') else {
        if typed && raw.ends_with("[]") && raw.len() > 2 {
            return Ok(Field {
                key: raw.to_owned(),
                value: FieldValue::EmptyArray,
            });
        }
        return Err(usage(format!(
            "{flag} {raw:?} is not KEY=VALUE (`-F 'key[]'` sends an empty array)"
        )));
    };
    if key.is_empty() {
        return Err(usage(format!("{flag} {raw:?} has an empty key")));
    }
    let value = if !typed {
        FieldValue::Str(value.to_owned())
    } else if let Some(path) = value.strip_prefix('@') {
        let bytes = files.read(path).map_err(|e| {
            usage(format!(
                "{flag} {key}: reading {}: {e}",
                if path == "-" { "stdin" } else { path }
            ))
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| usage(format!("{flag} {key}: {path} is not UTF-8 text")))?;
        FieldValue::Str(text)
    } else if matches!(value, "true" | "false" | "null") || is_json_number(value) {
        FieldValue::Literal(value.to_owned())
    } else {
        FieldValue::Str(value.to_owned())
    };
    Ok(Field {
        key: key.to_owned(),
        value,
    })
}

/// A JSON body under construction; leaves hold exact JSON text.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Not set yet.
    Empty,
    /// Serialised JSON text of a scalar.
    Leaf(String),
    /// An array.
    Arr(Vec<Node>),
    /// An object, in insertion order.
    Obj(Vec<(String, Node)>),
}

impl Node {
    fn obj_entry(&mut self, key: &str) -> Option<&mut Node> {
        if matches!(self, Node::Empty) {
            *self = Node::Obj(Vec::new());
        }
        let Node::Obj(entries) = self else {
            return None;
        };
        let i = match entries.iter().position(|(k, _)| k == key) {
            Some(i) => i,
            None => {
                entries.push((key.to_owned(), Node::Empty));
                entries.len() - 1
            }
        };
        Some(&mut entries[i].1)
    }

    fn has_path(&self, segs: &[String]) -> bool {
        match (self, segs.split_first()) {
            (Node::Empty, _) => false,
            (_, None) => true,
            (Node::Obj(e), Some((s, rest))) => e
                .iter()
                .find(|(k, _)| k == s)
                .is_some_and(|(_, n)| n.has_path(rest)),
            (Node::Arr(_), Some(_)) => true,
            (Node::Leaf(_), Some(_)) => true,
        }
    }

    /// Serialise as compact JSON.
    pub fn to_json(&self, out: &mut String) {
        match self {
            Node::Empty => out.push_str("null"),
            Node::Leaf(s) => out.push_str(s),
            Node::Arr(items) => {
                out.push('[');
                for (i, n) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    n.to_json(out);
                }
                out.push(']');
            }
            Node::Obj(entries) => {
                out.push('{');
                for (i, (k, n)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&json_string(k));
                    out.push(':');
                    n.to_json(out);
                }
                out.push('}');
            }
        }
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// Split `a[b][][c]` into `["a", "b", "", "c"]`.
pub fn key_segments(key: &str) -> anyhow::Result<Vec<String>> {
    let bad = || usage(format!("malformed field key {key:?} (expected a[b][]…)"));
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() || head.contains(']') {
        return Err(bad());
    }
    let mut segs = vec![head.to_owned()];
    while !rest.is_empty() {
        if !rest.starts_with('[') {
            return Err(bad());
        }
        let close = rest.find(']').ok_or_else(bad)?;
        let seg = &rest[1..close];
        if seg.contains('[') {
            return Err(bad());
        }
        segs.push(seg.to_owned());
        rest = &rest[close + 1..];
    }
    Ok(segs)
}

/// Set `key` (`a`, `a[b][c]`, `a[]`) in a JSON object: the same key syntax, for callers
/// that build `serde_json` values (CSV columns of the bulk commands).
pub fn set_nested(
    root: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
    value: serde_json::Value,
) -> anyhow::Result<()> {
    use serde_json::{Map, Value};
    let bad = || usage(format!("malformed field key {key:?}"));
    let segs = key_segments(key)?;
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
        return Err(usage(format!("field {key:?} given twice")));
    }
    *slot = value;
    Ok(())
}

/// Set one field in the body tree (see the module documentation for the rules).
pub fn insert(root: &mut Node, field: &Field) -> anyhow::Result<()> {
    let key = &field.key;
    let segs = key_segments(key)?;
    let conflict = || usage(format!("field {key:?} conflicts with an earlier field"));
    let mut slot: &mut Node = root;
    let mut i = 0;
    let last_seg_is_append = segs.last().is_some_and(String::is_empty);
    if matches!(field.value, FieldValue::EmptyArray) && !last_seg_is_append {
        return Err(conflict());
    }
    // For an empty array the final `[]` names the array itself.
    let end = if matches!(field.value, FieldValue::EmptyArray) {
        segs.len() - 1
    } else {
        segs.len()
    };
    while i < end {
        let seg = &segs[i];
        if seg.is_empty() {
            if matches!(slot, Node::Empty) {
                *slot = Node::Arr(Vec::new());
            }
            let Node::Arr(items) = slot else {
                return Err(conflict());
            };
            let rest = &segs[i + 1..end];
            // `a[][k]=v`: continue the last object unless it already has `k`.
            let reuse = !rest.is_empty()
                && items
                    .last()
                    .is_some_and(|n| matches!(n, Node::Obj(_)) && !n.has_path(rest));
            if !reuse {
                items.push(Node::Empty);
            }
            slot = items.last_mut().ok_or_else(conflict)?;
        } else {
            slot = slot.obj_entry(seg).ok_or_else(conflict)?;
        }
        i += 1;
    }
    if !matches!(slot, Node::Empty) {
        return Err(usage(format!("field {key:?} given twice")));
    }
    *slot = match &field.value {
        FieldValue::Str(s) => Node::Leaf(json_string(s)),
        FieldValue::Literal(l) => Node::Leaf(l.clone()),
        FieldValue::EmptyArray => Node::Arr(Vec::new()),
    };
    Ok(())
}

/// The JSON body of `fields`.
pub fn body(fields: &[Field]) -> anyhow::Result<String> {
    let mut root = Node::Obj(Vec::new());
    for f in fields {
        insert(&mut root, f)?;
    }
    let mut out = String::new();
    root.to_json(&mut out);
    Ok(out)
}

/// The query pairs of `fields` (keys as written; an empty array sends nothing).
pub fn query(fields: &[Field]) -> Vec<(String, String)> {
    fields
        .iter()
        .filter(|f| !matches!(f.value, FieldValue::EmptyArray))
        .map(|f| (f.key.clone(), f.value.query_text().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct FakeFiles(HashMap<&'static str, &'static str>);

    impl Files for FakeFiles {
        fn read(&mut self, path: &str) -> std::io::Result<Vec<u8>> {
            self.0
                .get(path)
                .map(|s| s.as_bytes().to_vec())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
        }
    }

    /// `(flags, expected body or None for a usage error)`: `f:` a raw field, `F:` typed.
    fn body_of(spec: &[&str]) -> anyhow::Result<String> {
        let mut files = FakeFiles(HashMap::from([
            ("body.txt", "line one\nline two\n"),
            ("-", "from stdin"),
        ]));
        let fields = spec
            .iter()
            .map(|s| {
                let (flag, rest) = s.split_at(2);
                parse_field(rest, flag == "F:", &mut files)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        body(&fields)
    }

    #[test]
    fn gh_field_syntax_table() {
        let table: &[(&[&str], Option<&str>)] = &[
            // -f is always a string, whatever it looks like.
            (
                &["f:a=1", "f:b=true", "f:c=null"],
                Some(r#"{"a":"1","b":"true","c":"null"}"#),
            ),
            // -F types literals.
            (
                &["F:a=1", "F:b=true", "F:c=null", "F:d=-2.5e3"],
                Some(r#"{"a":1,"b":true,"c":null,"d":-2.5e3}"#),
            ),
            // Big integers are sent digit for digit, raw or typed.
            (
                &["F:ticket[x]=12345678901234567890123"],
                Some(r#"{"ticket":{"x":12345678901234567890123}}"#),
            ),
            (
                &["f:ticket[x]=12345678901234567890"],
                Some(r#"{"ticket":{"x":"12345678901234567890"}}"#),
            ),
            // Not numbers: leading zero, plus sign, hex, trailing dot.
            (
                &["F:a=007", "F:b=+1", "F:c=0x10", "F:d=1."],
                Some(r#"{"a":"007","b":"+1","c":"0x10","d":"1."}"#),
            ),
            // Nesting and arrays.
            (
                &[
                    "f:ticket[subject]=Hi",
                    "f:ticket[comment][body]=Hello",
                    "f:ticket[tags][]=a",
                    "f:ticket[tags][]=b",
                ],
                Some(r#"{"ticket":{"subject":"Hi","comment":{"body":"Hello"},"tags":["a","b"]}}"#),
            ),
            // Arrays of objects: a new object when the key repeats.
            (
                &[
                    "F:ticket[custom_fields][][id]=360001",
                    "f:ticket[custom_fields][][value]=gold",
                    "F:ticket[custom_fields][][id]=360002",
                    "F:ticket[custom_fields][][value]=12345678901234567890",
                ],
                Some(
                    r#"{"ticket":{"custom_fields":[{"id":360001,"value":"gold"},{"id":360002,"value":12345678901234567890}]}}"#,
                ),
            ),
            (
                &["F:a[][b][c]=1", "F:a[][b][d]=2", "F:a[][b][c]=3"],
                Some(r#"{"a":[{"b":{"c":1,"d":2}},{"b":{"c":3}}]}"#),
            ),
            // Empty array.
            (&["F:ticket[tags][]"], Some(r#"{"ticket":{"tags":[]}}"#)),
            // @file and @- (the contents as a string, never typed).
            (
                &["F:ticket[comment][body]=@body.txt"],
                Some(r#"{"ticket":{"comment":{"body":"line one\nline two\n"}}}"#),
            ),
            (&["F:note=@-"], Some(r#"{"note":"from stdin"}"#)),
            // -f does not read files.
            (&["f:a=@body.txt"], Some(r#"{"a":"@body.txt"}"#)),
            // Values keep `=` and unicode.
            (
                &["f:q=a=b", "f:s=héllo \"x\""],
                Some(r#"{"q":"a=b","s":"héllo \"x\""}"#),
            ),
            // Errors.
            (&["f:novalue"], None),
            (&["F:a"], None),
            (&["f:=x"], None),
            (&["f:a[b=1"], None),
            (&["f:a]=1"], None),
            (&["f:[a]=1"], None),
            (&["F:a=1", "F:a=2"], None),
            (&["F:a=1", "F:a[b]=2"], None),
            (&["F:a[b]=1", "F:a[]=2"], None),
            (&["F:x=@missing.txt"], None),
        ];
        for (spec, want) in table {
            let got = body_of(spec);
            match want {
                Some(w) => {
                    let got = got.unwrap_or_else(|e| panic!("{spec:?}: {e}"));
                    assert_eq!(&got, w, "{spec:?}");
                    let _: serde_json::Value = serde_json::from_str(&got).expect("valid JSON");
                }
                None => {
                    let err = got.expect_err(&format!("{spec:?} should be refused"));
                    let cli = err.downcast_ref::<CliError>().expect("a usage error");
                    assert_eq!(cli.exit, Exit::Usage, "{spec:?}");
                }
            }
        }
    }

    #[test]
    fn query_keeps_keys_as_written() {
        let mut files = FakeFiles(HashMap::new());
        let fields: Vec<Field> = ["page[size]=100", "ids=1,2", "tags[]=a"]
            .iter()
            .map(|s| parse_field(s, false, &mut files).unwrap())
            .collect();
        assert_eq!(
            query(&fields),
            vec![
                ("page[size]".to_owned(), "100".to_owned()),
                ("ids".to_owned(), "1,2".to_owned()),
                ("tags[]".to_owned(), "a".to_owned()),
            ]
        );
    }

    #[test]
    fn json_numbers() {
        for s in [
            "0",
            "-0",
            "1",
            "12345678901234567890123",
            "1.5",
            "-2e10",
            "3E+2",
        ] {
            assert!(is_json_number(s), "{s}");
        }
        for s in [
            "", "-", "01", "+1", "1.", ".5", "1e", "0x1", "1_000", "NaN", "1 ",
        ] {
            assert!(!is_json_number(s), "{s}");
        }
    }
}
