//! JSON text to a [`Value`] without rounding a number.
//!
//! `serde_json::Value` holds an integer as `i64`/`u64` and anything else as an `f64`, so
//! `123456789012345678901234` or `3.14159265358979323846` would be sent rounded. (The
//! `arbitrary_precision` feature would change every decode of the workspace, so it stays
//! off.) Here the text is walked value by value as [`RawValue`]s, and each number token is
//! compared with what `Value` makes of it:
//!
//! * held exactly (every `i64`/`u64`, e.g. `12345678901234567890`, and decimals a double
//!   prints back to the same value): kept as a number;
//! * otherwise, as a `custom_fields[…].value`: sent as a string of its exact digits (Zendesk
//!   takes numeric custom field values as strings, as the CSV columns send them);
//! * otherwise: an error naming the JSON path, so nothing is ever sent rounded.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// One step of a JSON path.
enum Seg {
    Key(String),
    Index(usize),
}

fn path_text(path: &[Seg]) -> String {
    let mut out = String::new();
    for s in path {
        match s {
            Seg::Key(k) if out.is_empty() => out.push_str(k),
            Seg::Key(k) => {
                let _ = write!(out, ".{k}");
            }
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// Parse one JSON document, keeping every number exact (see the module docs). Errors are
/// `invalid JSON: …` or name the path of a number that cannot be sent exactly.
pub fn parse(text: &str) -> Result<Value, String> {
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    convert(raw, &mut Vec::new())
}

fn convert(raw: &RawValue, path: &mut Vec<Seg>) -> Result<Value, String> {
    let text = raw.get().trim();
    let invalid = |e: serde_json::Error| format!("invalid JSON: {e}");
    match text.as_bytes().first() {
        Some(b'{') => {
            let entries: BTreeMap<String, &RawValue> =
                serde_json::from_str(text).map_err(invalid)?;
            let mut map = Map::new();
            for (k, v) in entries {
                path.push(Seg::Key(k));
                let value = convert(v, path)?;
                let Some(Seg::Key(k)) = path.pop() else {
                    unreachable!("pushed a key")
                };
                map.insert(k, value);
            }
            Ok(Value::Object(map))
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(invalid)?;
            let mut out = Vec::with_capacity(items.len());
            for (i, v) in items.into_iter().enumerate() {
                path.push(Seg::Index(i));
                out.push(convert(v, path)?);
                path.pop();
            }
            Ok(Value::Array(out))
        }
        Some(b'-' | b'0'..=b'9') => number(text, path),
        _ => serde_json::from_str(text).map_err(invalid),
    }
}

fn number(token: &str, path: &[Seg]) -> Result<Value, String> {
    if let Ok(v) = serde_json::from_str::<Value>(token) {
        if holds_exactly(token, &v) {
            return Ok(v);
        }
    }
    if let [.., Seg::Key(list), Seg::Index(_), Seg::Key(value)] = path {
        if list == "custom_fields" && value == "value" {
            return Ok(Value::String(token.to_owned()));
        }
    }
    Err(format!(
        "{}: the number {token} cannot be sent exactly (it fits neither a 64-bit integer nor a double); write it as a string if Zendesk takes one there",
        path_text(path)
    ))
}

/// Whether `v` (what `Value` made of `token`) is the same number as `token`.
fn holds_exactly(token: &str, v: &Value) -> bool {
    if !token.contains(['.', 'e', 'E']) {
        // An integer stays an integer: one beyond u64/i64 would become a float.
        return v.is_i64() || v.is_u64();
    }
    match (decimal(token), decimal(&v.to_string())) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// A decimal number text as (negative, significant digits, power of ten); zero is
/// `(false, "", 0)` whatever its sign or spelling.
fn decimal(s: &str) -> Option<(bool, String, i64)> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().ok()?),
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut exp = exp.checked_sub(i64::try_from(frac.len()).ok()?)?;
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Some((false, String::new(), 0));
    }
    let kept = digits.trim_end_matches('0');
    exp = exp.checked_add(i64::try_from(digits.len() - kept.len()).ok()?)?;
    Some((neg, kept.to_owned(), exp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_a_value_holds_stay_numbers_digit_for_digit() {
        let v = parse(
            r#"{"id": 12345678901234567890, "a": [-9223372036854775808, 0.1, 2.50, 1.5e3, -0.0, 1e300]}"#,
        )
        .unwrap();
        assert_eq!(v["id"].as_u64(), Some(12_345_678_901_234_567_890));
        assert_eq!(
            v.to_string(),
            r#"{"a":[-9223372036854775808,0.1,2.5,1500.0,-0.0,1e+300],"id":12345678901234567890}"#
        );
    }

    #[test]
    fn custom_field_values_too_big_for_a_number_are_sent_as_exact_strings() {
        let v = parse(
            r#"{"id": 7, "custom_fields": [{"id": 1, "value": 123456789012345678901234567890},
                {"id": 2, "value": -12345678901234567890}, {"id": 3, "value": 3.14159265358979323846264},
                {"id": 4, "value": 12345678901234567890}]}"#,
        )
        .unwrap();
        assert_eq!(
            v["custom_fields"],
            json!([{"id": 1, "value": "123456789012345678901234567890"},
                {"id": 2, "value": "-12345678901234567890"},
                {"id": 3, "value": "3.14159265358979323846264"},
                {"id": 4, "value": 12_345_678_901_234_567_890_u64}])
        );
    }

    #[test]
    fn elsewhere_an_inexact_number_is_refused_with_its_path() {
        let e = parse(r#"{"id": 123456789012345678901}"#).unwrap_err();
        assert!(
            e.starts_with("id: the number 123456789012345678901 "),
            "{e}"
        );
        let e = parse(r#"{"metadata": {"x": [1, 1e400]}}"#).unwrap_err();
        assert!(e.starts_with("metadata.x[1]: the number 1e400 "), "{e}");
        let e = parse(r#"{"comment": {"body": "x", "n": 0.1000000000000000055511151231257827}}"#)
            .unwrap_err();
        assert!(e.starts_with("comment.n: "), "{e}");
    }

    #[test]
    fn strings_escapes_and_bad_json() {
        let v = parse(r#" {"a\"b": "\u00e9\n", "t": true, "n": null, "a\"b": "last"} "#).unwrap();
        assert_eq!(v, json!({"a\"b": "last", "t": true, "n": null}));
        assert!(parse("{bad").unwrap_err().starts_with("invalid JSON: "));
        assert!(parse("[1,]").unwrap_err().starts_with("invalid JSON: "));
        assert_eq!(parse("[]").unwrap(), json!([]));
    }
}
