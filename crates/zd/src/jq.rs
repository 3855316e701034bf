//! `--jq EXPR` and JSON display, on jaq (a maintained jq implementation): its values keep
//! numbers exactly as received (a 20-digit id is printed digit for digit), and its writer
//! pretty-prints and colours.
//!
//! The jq language and its standard library, without `env` (the environment holds the API
//! token), `now` (ambient time), `input`/`inputs`, `debug` and `stderr`.

use std::io::{self, Write};

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{data, Compiler, Ctx, Vars};
use jaq_json::write::{Pp, Styles};
use jaq_json::Val;

use crate::report::{CliError, Exit};

type Data = data::JustLut<Val>;

/// Natives left out: the environment holds the API token, `now` is ambient time, and the
/// rest read stdin or write raw text to stderr.
const EXCLUDED: &[&str] = &["env", "now", "input", "inputs", "debug", "stderr"];

/// A compiled jq filter.
pub struct Jq {
    filter: jaq_core::compile::Filter<jaq_core::Native<Data>>,
}

impl std::fmt::Debug for Jq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Jq")
    }
}

fn offset(code: &str, at: &str) -> usize {
    (at.as_ptr() as usize)
        .saturating_sub(code.as_ptr() as usize)
        .min(code.len())
}

impl Jq {
    /// Parse and compile `code`; a syntax error or an undefined name is a usage error
    /// naming the position.
    pub fn compile(code: &str) -> anyhow::Result<Jq> {
        let bad = |msg: String| -> anyhow::Error {
            CliError::new(Exit::Usage, format!("--jq {code:?}: {msg}")).into()
        };
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs())
            .filter(|(name, _, _)| !EXCLUDED.contains(name));
        let loader = Loader::new(defs);
        let arena = Arena::default();
        let modules = loader
            .load(&arena, File { code, path: () })
            .map_err(|errs| {
                let mut msgs = Vec::new();
                for (_, e) in errs {
                    match e {
                        jaq_core::load::Error::Io(v) => {
                            msgs.extend(v.into_iter().map(|(p, m)| format!("{p}: {m}")));
                        }
                        jaq_core::load::Error::Lex(v) => {
                            msgs.extend(v.into_iter().map(|(exp, at)| {
                                format!("expected {} at offset {}", exp.as_str(), offset(code, at))
                            }))
                        }
                        jaq_core::load::Error::Parse(v) => {
                            msgs.extend(v.into_iter().map(|(exp, at)| {
                                format!("expected {} at offset {}", exp.as_str(), offset(code, at))
                            }))
                        }
                    }
                }
                bad(msgs.join("; "))
            })?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errs| {
                let msgs: Vec<String> = errs
                    .into_iter()
                    .flat_map(|(_, v)| v)
                    .map(|(name, what)| format!("undefined {} `{name}`", what.as_str()))
                    .collect();
                bad(msgs.join("; "))
            })?;
        Ok(Jq { filter })
    }

    /// Run the filter on `input`, handing each output to `emit`. A runtime error (`error`,
    /// a type error, `halt`) is an error naming the filter.
    pub fn run(
        &self,
        input: Val,
        mut emit: impl FnMut(&Val) -> io::Result<()>,
    ) -> anyhow::Result<()> {
        let ctx = Ctx::<Data>::new(&self.filter.lut, Vars::new([]));
        for out in self.filter.id.run((ctx, input)) {
            match out {
                Ok(v) => emit(&v)?,
                Err(exn) => {
                    let msg = match exn.get_err() {
                        Ok(e) => format!("jq error: {e}"),
                        Err(exn) => match exn.get_halt() {
                            Ok(code) => format!("jq halted with code {code}"),
                            Err(_) => "jq: break outside its label".to_owned(),
                        },
                    };
                    return Err(CliError::new(Exit::Other, msg).into());
                }
            }
        }
        Ok(())
    }
}

/// Parse one JSON document exactly (big integers and decimals kept as written).
pub fn parse(bytes: &[u8]) -> Result<Val, String> {
    jaq_json::read::parse_single(bytes).map_err(|e| e.to_string())
}

/// How values are written.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Indent (pretty) or compact.
    pub pretty: bool,
    /// ANSI colours.
    pub color: bool,
    /// With `--jq`, print strings raw (like `jq -r`, and `gh api --jq`).
    pub raw_strings: bool,
    /// Writing to a terminal: unsafe characters in strings escaped (`zdkit::text`).
    pub terminal: bool,
}

/// Colour markers: private-use characters stand in for the ANSI styles while the text is
/// made terminal-safe (which would otherwise escape the styles' own `ESC`).
const MARKERS: [char; 10] = [
    '\u{e000}', '\u{e001}', '\u{e002}', '\u{e003}', '\u{e004}', '\u{e005}', '\u{e006}', '\u{e007}',
    '\u{e008}', '\u{e009}',
];

fn marker_styles() -> (Styles, Vec<(String, String)>) {
    let ansi = Styles::ansi();
    let real = [
        &ansi.null,
        &ansi.r#false,
        &ansi.r#true,
        &ansi.num,
        &ansi.str,
        &ansi.arr,
        &ansi.obj,
        &ansi.key,
        &ansi.bstr,
        &ansi.reset,
    ];
    let m = |i: usize| MARKERS[i].to_string();
    let styles = Styles {
        null: m(0),
        r#false: m(1),
        r#true: m(2),
        num: m(3),
        str: m(4),
        arr: m(5),
        obj: m(6),
        key: m(7),
        bstr: m(8),
        reset: m(9),
    };
    let map = real
        .iter()
        .enumerate()
        .map(|(i, r)| (m(i), (*r).clone()))
        .collect();
    (styles, map)
}

/// Write `v` and a newline. Strings are JSON-escaped; on a terminal every unsafe
/// character (C1 controls, bidirectional overrides) is escaped too, and `raw_strings`
/// output keeps only newlines and tabs.
pub fn write(out: &mut dyn Write, v: &Val, style: Style) -> io::Result<()> {
    if style.raw_strings {
        if let Val::TStr(s) = v {
            let text = String::from_utf8_lossy(s);
            out.write_all(zdkit::text::escape_control_multiline(&text).as_bytes())?;
            return out.write_all(b"\n");
        }
    }
    let indent = style.pretty.then(|| "  ".to_owned());
    if !style.terminal {
        let pp = Pp {
            indent,
            sort_keys: false,
            styles: Styles::default(),
            sep_space: style.pretty,
        };
        jaq_json::write::write(out, &pp, 0, v)?;
        return out.write_all(b"\n");
    }
    let (styles, map) = if style.color {
        marker_styles()
    } else {
        (Styles::default(), Vec::new())
    };
    let pp = Pp {
        indent,
        sort_keys: false,
        styles,
        sep_space: style.pretty,
    };
    let mut buf = Vec::new();
    jaq_json::write::write(&mut buf, &pp, 0, v)?;
    let text = String::from_utf8_lossy(&buf);
    // Server text holding a marker character would be read as a style: no colour then.
    let plain_has_markers = style.color && {
        let mut plain = Vec::new();
        let pp = Pp {
            styles: Styles::default(),
            ..pp.clone()
        };
        jaq_json::write::write(&mut plain, &pp, 0, v)?;
        String::from_utf8_lossy(&plain).contains(&MARKERS[..])
    };
    let mut safe = zdkit::text::escape_json_text(&text).into_owned();
    for (marker, ansi) in &map {
        safe = safe.replace(marker.as_str(), if plain_has_markers { "" } else { ansi });
    }
    out.write_all(safe.as_bytes())?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(code: &str, input: &str) -> Vec<String> {
        let jq = Jq::compile(code).unwrap();
        let mut out = Vec::new();
        jq.run(parse(input.as_bytes()).unwrap(), |v| {
            let mut buf = Vec::new();
            write(
                &mut buf,
                v,
                Style {
                    pretty: false,
                    color: false,
                    raw_strings: false,
                    terminal: false,
                },
            )?;
            out.push(String::from_utf8(buf).unwrap().trim_end().to_owned());
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn filters_select_map_and_keep_big_integers() {
        let page = r#"{"tickets":[{"id":12345678901234567890123,"status":"open","tags":["a"]},
                       {"id":2,"status":"solved","tags":[]}],"count":2}"#;
        assert_eq!(run(".tickets[].id", page), ["12345678901234567890123", "2"]);
        assert_eq!(
            run(r#"[.tickets[] | select(.status == "open") | .id]"#, page),
            ["[12345678901234567890123]"]
        );
        assert_eq!(run(".tickets | map(.tags | length) | add", page), ["1"]);
        assert_eq!(
            run(r#".tickets[0] | keys"#, page),
            [r#"["id","status","tags"]"#]
        );
        assert_eq!(run(".count + 1", page), ["3"]);
        assert_eq!(run(r#".tickets[] | "\(.id):\(.status)""#, page).len(), 2);
    }

    #[test]
    fn errors_are_usage_or_runtime_errors() {
        let e = Jq::compile(".tickets[").unwrap_err();
        assert_eq!(e.downcast_ref::<CliError>().unwrap().exit, Exit::Usage);
        let e = Jq::compile("nosuchfn(1)").unwrap_err();
        assert!(e.to_string().contains("nosuchfn"), "{e}");
        let jq = Jq::compile(r#"error("boom")"#).unwrap();
        let e = jq.run(Val::Null, |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("boom"), "{e}");
    }

    #[test]
    fn raw_strings_escape_control_characters() {
        let mut buf = Vec::new();
        let v = parse(br#""a\u001b[2Jb""#).unwrap();
        write(
            &mut buf,
            &v,
            Style {
                pretty: false,
                color: false,
                raw_strings: true,
                terminal: true,
            },
        )
        .unwrap();
        assert!(!buf.contains(&0x1b), "{buf:?}");
        let mut buf = Vec::new();
        write(
            &mut buf,
            &v,
            Style {
                pretty: true,
                color: true,
                raw_strings: false,
                terminal: true,
            },
        )
        .unwrap();
        let text = String::from_utf8_lossy(&buf);
        assert!(text.contains("\\u001b"), "{text:?}");
        // Colour survives; a C1 CSI from the server does not.
        assert!(
            text.contains("\x1b[0;32m") || text.contains("\x1b[32m"),
            "{text:?}"
        );
        let mut buf = Vec::new();
        let v = parse("\"a\u{9b}2J\"".as_bytes()).unwrap();
        write(
            &mut buf,
            &v,
            Style {
                pretty: false,
                color: true,
                raw_strings: false,
                terminal: true,
            },
        )
        .unwrap();
        assert!(!String::from_utf8_lossy(&buf).contains('\u{9b}'), "{buf:?}");
    }
}
