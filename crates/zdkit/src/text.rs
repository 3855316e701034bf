//! Making server text safe to print: the one owner of control-character escaping and of
//! cutting long text to a readable length.
//!
//! Everything a server sends is untrusted. An error description, a subject or a header
//! value may hold terminal escape sequences (`ESC ] 0 ; title BEL` sets the window title,
//! `ESC [ 2 J` clears the screen), a carriage return or line feed that fakes a log line,
//! a C1 control (`U+009B` is a one-character CSI on many terminals) or a bidirectional
//! override that reorders what the reader sees. Before such text reaches a terminal, pass
//! it through [`escape_control`] (one line: every control escaped) or
//! [`escape_control_multiline`] (keeps `\n` and `\t`, for bodies printed as blocks).
//!
//! Escapes are Rust-style and unambiguous: `\n`, `\r`, `\t`, `\\` is *not* doubled (a
//! backslash is not dangerous), everything else as `\u{..}` (`ESC` → `\u{1b}`).
//! Plain text (the overwhelmingly common case) is returned borrowed, without copying.

use std::borrow::Cow;

/// True for characters that must not reach a terminal raw: C0 controls, DEL, C1 controls,
/// and the Unicode bidirectional embedding/override/isolate controls and line/paragraph
/// separators.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_with(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe_char(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if !is_unsafe_char(c) || keep(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// `s` with every unsafe character ([`is_unsafe_char`]) escaped, newlines and tabs
/// included: the result is one line that cannot move the cursor or fake output.
///
/// ```
/// assert_eq!(zdkit::text::escape_control("a\x1b]0;pwned\x07\nb"), "a\\u{1b}]0;pwned\\u{7}\\nb");
/// assert_eq!(zdkit::text::escape_control("plain"), "plain");
/// ```
pub fn escape_control(s: &str) -> Cow<'_, str> {
    escape_with(s, |_| false)
}

/// Like [`escape_control`] but keeps `\n` and `\t`, for multi-line text printed as a
/// block (a response body). A carriage return is still escaped (it rewrites a line).
pub fn escape_control_multiline(s: &str) -> Cow<'_, str> {
    escape_with(s, |c| c == '\n' || c == '\t')
}

/// Serialized JSON made safe for a terminal *and still valid JSON*: every unsafe character
/// except the structural `\n` of pretty output becomes a JSON escape `\uXXXX` (serde_json
/// already escapes C0 controls inside strings; this catches DEL, C1 controls and the
/// bidirectional controls, which can only occur inside strings).
///
/// ```
/// let json = serde_json::to_string(&serde_json::json!({"s": "a\u{9b}2J"})).unwrap();
/// let safe = zdkit::text::escape_json_text(&json);
/// assert_eq!(safe, r#"{"s":"a\u009b2J"}"#);
/// assert_eq!(serde_json::from_str::<serde_json::Value>(&safe).unwrap()["s"], "a\u{9b}2J");
/// ```
pub fn escape_json_text(json: &str) -> Cow<'_, str> {
    if !json.chars().any(|c| is_unsafe_char(c) && c != '\n') {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe_char(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The default length [`truncate`] cuts displayed server text to, in characters.
pub const DISPLAY_MAX_CHARS: usize = 500;

/// The first `max_chars` characters of `s`; when cut, followed by
/// `… (N more bytes)`. Cuts on a character boundary. Does not escape.
///
/// ```
/// assert_eq!(zdkit::text::truncate("héllo", 2), "hé… (3 more bytes)");
/// assert_eq!(zdkit::text::truncate("ab", 5), "ab");
/// ```
pub fn truncate(s: &str, max_chars: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max_chars) {
        None => Cow::Borrowed(s),
        Some((at, _)) => Cow::Owned(format!("{}… ({} more bytes)", &s[..at], s.len() - at)),
    }
}

/// [`truncate`] then [`escape_control`]: how a library `Display` shows server text.
pub fn for_display(s: &str, max_chars: usize) -> String {
    escape_control(&truncate(s, max_chars)).into_owned()
}

/// A value quoted in a message: in backticks, cut at 200 characters and escaped
/// ([`for_display`]). Messages quote what a user or a server gave this way, not with Rust's
/// `{:?}`, whose quotes and `\"` escapes read as code.
///
/// ```
/// assert_eq!(zdkit::text::quote(r#"a b"c"#), r#"`a b"c`"#);
/// assert_eq!(zdkit::text::quote("x\ty"), "`x\\ty`");
/// ```
pub fn quote(s: &str) -> String {
    format!("`{}`", for_display(s, 200))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_terminal_trick() {
        let hostile = "ok\x1b[2J\x1b]0;title\x07\r\nFAKE LOG\u{9b}31m\u{202e}evil\x7f";
        let out = escape_control(hostile);
        assert!(!out.chars().any(is_unsafe_char), "{out}");
        assert_eq!(
            out,
            "ok\\u{1b}[2J\\u{1b}]0;title\\u{7}\\r\\nFAKE LOG\\u{9b}31m\\u{202e}evil\\u{7f}"
        );
        let multi = escape_control_multiline("a\nb\tc\rd\x1b");
        assert_eq!(multi, "a\nb\tc\\rd\\u{1b}");
        assert!(matches!(escape_control("héllo wörld"), Cow::Borrowed(_)));
    }

    #[test]
    fn truncation_counts_characters_and_names_the_rest() {
        let big = "é".repeat(10_000);
        let cut = truncate(&big, DISPLAY_MAX_CHARS);
        assert!(cut.starts_with(&"é".repeat(500)));
        assert!(
            cut.ends_with("… (19000 more bytes)"),
            "{}",
            &cut[cut.len() - 30..]
        );
        assert_eq!(for_display("a\x1bbcdef", 3), "a\\u{1b}b… (4 more bytes)");
    }
}
