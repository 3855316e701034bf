//! A record read from its JSON text without building its tree ([`Obj`]): the top-level
//! members are found in one scan and each stays a slice of the text until a column asks
//! for it. The columns of a ticket need a few dozen small values out of a record of a
//! kilobyte or more, so the page's typed columns come out of the text the server sent
//! instead of a `serde_json::Value` tree built, walked and re-serialized for each record
//! (BENCHMARKS.md, "Sync").

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use super::Record;

/// A record for the preparer: its JSON text and, for a user of an export with the
/// `identities` sideload, its identities (which go to their own table).
#[derive(Debug, Clone)]
pub struct RecordText {
    pub(crate) text: Box<str>,
    pub(crate) identities: Option<Vec<Record>>,
}

impl RecordText {
    /// A record as the server sent it (already checked to be valid JSON).
    pub fn new(text: Box<RawValue>) -> Self {
        RecordText {
            text: text.into(),
            identities: None,
        }
    }

    /// Gives a user its identities (an empty list when the sideload has none for it: its
    /// stored identities are then marked deleted).
    pub fn with_identities(mut self, identities: Vec<Record>) -> Self {
        self.identities = Some(identities);
        self
    }
}

impl From<Record> for RecordText {
    /// A record tree as text; an `identities` array in it (attached from the sideload)
    /// is taken out as the user's identities.
    fn from(mut record: Record) -> Self {
        let identities = record
            .as_object_mut()
            .and_then(|o| o.remove("identities"))
            .map(|ids| match ids {
                Value::Array(items) => items,
                _ => Vec::new(),
            });
        RecordText {
            // Serializing a `Value` into memory cannot fail.
            text: serde_json::to_string(&record).unwrap_or_default().into(),
            identities,
        }
    }
}

/// A JSON object's top-level members, borrowed from its text, in the order sent.
pub(crate) struct Obj<'a> {
    text: &'a str,
    members: Vec<(Cow<'a, str>, &'a str)>,
}

impl fmt::Debug for Obj<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Obj")
            .field("members", &self.members.len())
            .finish()
    }
}

/// What kind of JSON value `text` (valid JSON) holds, for messages.
pub(crate) fn json_kind(text: &str) -> &'static str {
    match text.trim_start().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

impl<'a> Obj<'a> {
    /// The members of the JSON object `text`, or why it is not one.
    pub(crate) fn parse(text: &'a str) -> Result<Obj<'a>, String> {
        if !text.trim_start().starts_with('{') {
            return Err(format!("expected a JSON object, got {}", json_kind(text)));
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let members = de
            .deserialize_map(MembersVisitor)
            .and_then(|m| de.end().map(|()| m))
            .map_err(|e| format!("unreadable JSON object: {e}"))?;
        Ok(Obj { text, members })
    }

    /// The object's whole text.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// The text of member `key` (the last one when the key repeats, as a parsed tree
    /// keeps it).
    pub(crate) fn get(&self, key: &str) -> Option<&'a str> {
        self.members
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    }

    /// Member `key` unless it is missing or `null`.
    pub(crate) fn present(&self, key: &str) -> Option<&'a str> {
        self.get(key).filter(|v| *v != "null")
    }

    /// Member `key` as a 64-bit integer (`None` for any other value, as
    /// `Value::as_i64`).
    pub(crate) fn i64(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(as_i64)
    }

    /// Member `key` as a boolean.
    pub(crate) fn bool(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(as_bool)
    }

    /// Member `key` as a string (unescaped).
    pub(crate) fn str(&self, key: &str) -> Option<Cow<'a, str>> {
        self.get(key).and_then(as_str)
    }

    /// Member `key` as an object.
    pub(crate) fn obj(&self, key: &str) -> Option<Obj<'a>> {
        self.get(key).and_then(|v| Obj::parse(v).ok())
    }

    /// Member `key`'s elements when it is an array.
    pub(crate) fn array(&self, key: &str) -> Option<Vec<&'a str>> {
        self.get(key).and_then(as_array)
    }

    /// The object's text without the members named in `drop` (the text itself when it
    /// has none of them).
    pub(crate) fn text_without(&self, drop: &[&str]) -> Cow<'a, str> {
        if !self.members.iter().any(|(k, _)| drop.contains(&k.as_ref())) {
            return Cow::Borrowed(self.text);
        }
        let mut out = String::with_capacity(self.text.len());
        out.push('{');
        for (k, v) in self
            .members
            .iter()
            .filter(|(k, _)| !drop.contains(&k.as_ref()))
        {
            if out.len() > 1 {
                out.push(',');
            }
            // Serializing a string into memory cannot fail.
            out.push_str(&serde_json::to_string(k.as_ref()).unwrap_or_default());
            out.push(':');
            out.push_str(v);
        }
        out.push('}');
        Cow::Owned(out)
    }
}

/// A JSON value's text as a 64-bit integer.
pub(crate) fn as_i64(v: &str) -> Option<i64> {
    match v.as_bytes().first() {
        Some(b'-' | b'0'..=b'9') => v.parse().ok(),
        _ => None,
    }
}

/// A JSON value's text as a boolean.
pub(crate) fn as_bool(v: &str) -> Option<bool> {
    match v {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// A JSON value's text as a string, unescaped (borrowed when it has no escapes).
pub(crate) fn as_str(v: &str) -> Option<Cow<'_, str>> {
    let inner = v.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(v).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// A JSON value's text as the elements of an array.
pub(crate) fn as_array(v: &str) -> Option<Vec<&str>> {
    if !v.starts_with('[') {
        return None;
    }
    let items: Vec<&RawValue> = serde_json::from_str(v).ok()?;
    Some(items.into_iter().map(RawValue::get).collect())
}

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Vec<(Cow<'de, str>, &'de str)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(32));
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value: &'de RawValue = map.next_value()?;
            members.push((key, value.get()));
        }
        Ok(members)
    }
}

/// A key, borrowed from the text unless it has escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(KeySeed)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_read_as_a_tree_reads_them() {
        let text = r#"{"id": 7, "s": "a\"b", "e\u0041": 1, "n": null, "b": true,
            "big": 12345678901234567890, "f": 1.5, "o": {"x": [1, {"y": 2}]},
            "a": ["p", 2], "id": 8}"#;
        let o = Obj::parse(text).unwrap();
        let tree: Value = serde_json::from_str(text).unwrap();
        assert_eq!(o.i64("id"), tree["id"].as_i64());
        assert_eq!(
            o.i64("id"),
            Some(8),
            "the last of a repeated key, as a tree keeps"
        );
        assert_eq!(o.str("s").as_deref(), tree["s"].as_str());
        assert_eq!(o.i64("eA"), Some(1), "escaped keys are unescaped");
        assert_eq!(o.present("n"), None);
        assert_eq!(o.get("n"), Some("null"));
        assert_eq!(o.bool("b"), Some(true));
        assert_eq!(o.i64("big"), tree["big"].as_i64());
        assert_eq!(o.i64("f"), None);
        assert_eq!(o.str("id"), None);
        assert_eq!(
            o.obj("o").unwrap().array("x").unwrap(),
            ["1", r#"{"y": 2}"#]
        );
        assert_eq!(o.array("a").unwrap(), [r#""p""#, "2"]);
        assert!(o.array("s").is_none());
        assert!(o.get("missing").is_none());
    }

    #[test]
    fn text_without_drops_members_and_keeps_the_rest() {
        let text = r#"{"id":1,"metric_set":{"id":2},"k\"q":"v","z":[1]}"#;
        let o = Obj::parse(text).unwrap();
        assert!(matches!(o.text_without(&["absent"]), Cow::Borrowed(t) if t == text));
        let cut = o.text_without(&["metric_set"]);
        let tree: Value = serde_json::from_str(&cut).unwrap();
        assert_eq!(tree, serde_json::json!({"id": 1, "k\"q": "v", "z": [1]}));
    }

    #[test]
    fn non_objects_are_refused_with_their_kind() {
        for (text, kind) in [("[1]", "an array"), ("3", "a number"), ("null", "null")] {
            let err = Obj::parse(text).unwrap_err();
            assert!(err.contains(kind), "{text}: {err}");
        }
        assert!(Obj::parse("{\"a\": 1} x").is_err());
    }

    #[test]
    fn records_become_text_and_identities_move_out() {
        let r = serde_json::json!({"id": 1, "identities": [{"id": 5}], "name": "n"});
        let t = RecordText::from(r);
        assert_eq!(t.identities, Some(vec![serde_json::json!({"id": 5})]));
        let back: Value = serde_json::from_str(&t.text).unwrap();
        assert_eq!(back, serde_json::json!({"id": 1, "name": "n"}));
        let plain = RecordText::from(serde_json::json!({"id": 2}));
        assert!(plain.identities.is_none());
    }
}
