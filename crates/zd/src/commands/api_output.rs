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

/// A page's top level with every array replaced by as many `null`s as it has elements:
/// what the next-page rule reads (links, cursors, `has_more`, counts) without building
/// the records. Decoding skips the records' content (`IgnoredAny`), so `--paginate` does
/// not parse each page whole.
pub(crate) fn light_page(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
    use serde::Deserialize;

    struct Field(Value);

    impl<'de> Deserialize<'de> for Field {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Field;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a JSON value")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field, A::Error> {
                    let mut n = 0usize;
                    while seq.next_element::<IgnoredAny>()?.is_some() {
                        n += 1;
                    }
                    Ok(Field(Value::Array(vec![Value::Null; n])))
                }
                fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Field, A::Error> {
                    Value::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Field)
                }
                fn visit_bool<E>(self, v: bool) -> Result<Field, E> {
                    Ok(Field(Value::Bool(v)))
                }
                fn visit_i64<E>(self, v: i64) -> Result<Field, E> {
                    Ok(Field(Value::from(v)))
                }
                fn visit_u64<E>(self, v: u64) -> Result<Field, E> {
                    Ok(Field(Value::from(v)))
                }
                fn visit_f64<E>(self, v: f64) -> Result<Field, E> {
                    Ok(Field(Value::from(v)))
                }
                fn visit_str<E>(self, v: &str) -> Result<Field, E> {
                    Ok(Field(Value::String(v.to_owned())))
                }
                fn visit_string<E>(self, v: String) -> Result<Field, E> {
                    Ok(Field(Value::String(v)))
                }
                fn visit_unit<E>(self) -> Result<Field, E> {
                    Ok(Field(Value::Null))
                }
                fn visit_none<E>(self) -> Result<Field, E> {
                    Ok(Field(Value::Null))
                }
            }
            d.deserialize_any(V)
        }
    }

    let top: serde_json::Map<String, Value> = {
        let m: std::collections::BTreeMap<String, Field> = serde_json::from_slice(bytes)?;
        m.into_iter().map(|(k, v)| (k, v.0)).collect()
    };
    Ok(Value::Object(top))
}

impl Printer {
    /// One whole page, as one JSON line: the bytes as received when they are one line
    /// already and go to a pipe; otherwise re-written exactly (jaq keeps every number).
    pub(crate) fn page_line(&self, bytes: &[u8]) -> anyhow::Result<()> {
        if self.silent {
            return Ok(());
        }
        if self.jq.is_none() && !self.terminal && !bytes.contains(&b'\n') {
            let mut out = std::io::stdout().lock();
            std::io::Write::write_all(&mut out, bytes)?;
            std::io::Write::write_all(&mut out, b"\n")?;
            return Ok(());
        }
        let v = jq::parse(bytes)
            .map_err(|e| CliError::new(Exit::Server, format!("the page is not JSON ({e})")))?;
        match &self.jq {
            Some(f) => self.filter(f, v, false),
            None => {
                let mut out = std::io::stdout().lock();
                jq::write(&mut out, &v, self.style(false))?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn light_pages_keep_pagination_fields_and_count_items() {
        let page = br#"{"tickets":[{"id":1,"big":123456789012345678901234},{"id":2}],
            "meta":{"has_more":true,"after_cursor":"c2"},"links":{"next":"/api/v2/tickets?page[after]=c2"},
            "count":2,"end_of_stream":false,"after_url":null}"#;
        let v = light_page(page).unwrap();
        assert_eq!(v["tickets"], json!([null, null]));
        assert_eq!(v["meta"]["after_cursor"], "c2");
        assert_eq!(v["links"]["next"], "/api/v2/tickets?page[after]=c2");
        assert_eq!(v["count"], 2);
        assert_eq!(v["after_url"], Value::Null);
        assert!(light_page(b"{\"a\":").is_err());
        assert!(light_page(b"[1,2]").is_err());
    }
}
