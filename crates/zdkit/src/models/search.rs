//! Search results (zendesk-api.md §9) and counts.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use time::OffsetDateTime;

use super::organization::{Group, Organization};
use super::page::Resource;
use super::ticket::Ticket;
use super::user::User;

/// One item of `GET /api/v2/search` (`results`), dispatched on `result_type`.
///
/// The `result_type` key is kept in the inner model's `extra` so that re-serializing
/// writes it back unchanged. Other result types (`topic`, `article`, …) and results
/// that fail to decode as their type are kept as `Unknown(Value)`.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchResult {
    /// `result_type: "ticket"`.
    Ticket(Box<Ticket>),
    /// `result_type: "user"`.
    User(Box<User>),
    /// `result_type: "organization"`.
    Organization(Box<Organization>),
    /// `result_type: "group"`.
    Group(Box<Group>),
    /// Anything else, verbatim.
    Unknown(Value),
}

impl SearchResult {
    /// The `result_type` string.
    pub fn result_type(&self) -> Option<&str> {
        let extra = match self {
            SearchResult::Ticket(t) => &t.extra,
            SearchResult::User(u) => &u.extra,
            SearchResult::Organization(o) => &o.extra,
            SearchResult::Group(g) => &g.extra,
            SearchResult::Unknown(v) => return v.get("result_type").and_then(Value::as_str),
        };
        extra.get("result_type").and_then(Value::as_str)
    }
}

impl Serialize for SearchResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SearchResult::Ticket(t) => t.serialize(s),
            SearchResult::User(u) => u.serialize(s),
            SearchResult::Organization(o) => o.serialize(s),
            SearchResult::Group(g) => g.serialize(s),
            SearchResult::Unknown(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for SearchResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let kind = v.get("result_type").and_then(Value::as_str).unwrap_or("");
        fn typed<T: serde::de::DeserializeOwned>(v: &Value) -> Option<T> {
            T::deserialize(v).ok()
        }
        let out = match kind {
            "ticket" => typed(&v).map(|t| SearchResult::Ticket(Box::new(t))),
            "user" => typed(&v).map(|u| SearchResult::User(Box::new(u))),
            "organization" => typed(&v).map(|o| SearchResult::Organization(Box::new(o))),
            "group" => typed(&v).map(|g| SearchResult::Group(Box::new(g))),
            _ => None,
        };
        Ok(out.unwrap_or(SearchResult::Unknown(v)))
    }
}

impl Resource for SearchResult {
    const SINGULAR: &'static str = "result";
    const PLURAL: &'static str = "results";
    /// Search mixes resource types, so the id is the raw number (if any).
    type Id = Option<u64>;
    fn id(&self) -> Option<u64> {
        match self {
            SearchResult::Ticket(t) => Some(t.id.0),
            SearchResult::User(u) => Some(u.id.0),
            SearchResult::Organization(o) => Some(o.id.0),
            SearchResult::Group(g) => Some(g.id.0),
            SearchResult::Unknown(v) => v.get("id").and_then(Value::as_u64),
        }
    }
}

model! {
    /// The object form of a count: `{"value": 102, "refreshed_at": "…"}`.
    pub struct RefreshedCount {
        /// The (approximate) count.
        opt value: u64,
        /// When it was computed.
        ts refreshed_at: OffsetDateTime,
    }
}

/// The `count` of a count endpoint: a plain number (`/search/count`) or an object
/// (`/tickets/count`).
#[derive(Debug, Clone, PartialEq)]
pub enum CountValue {
    /// `6`
    Number(u64),
    /// `{"value": 102, "refreshed_at": "…"}`
    Refreshed(RefreshedCount),
}

impl CountValue {
    /// The number, whichever form it came in.
    pub fn value(&self) -> Option<u64> {
        match self {
            CountValue::Number(n) => Some(*n),
            CountValue::Refreshed(r) => r.value,
        }
    }
}

impl Default for CountValue {
    fn default() -> Self {
        CountValue::Number(0)
    }
}

impl Serialize for CountValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CountValue::Number(n) => s.serialize_u64(*n),
            CountValue::Refreshed(r) => r.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for CountValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CountValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a count number or object")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<CountValue, E> {
                Ok(CountValue::Number(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CountValue, A::Error> {
                RefreshedCount::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(CountValue::Refreshed)
            }
        }
        d.deserialize_any(V)
    }
}

model! {
    /// A count response: `{"count": 6}` or `{"count": {"value": 102, "refreshed_at": "…"}}`.
    pub struct Count {
        /// The count.
        req count: CountValue,
    }
}

impl Count {
    /// The number, whichever form it came in.
    pub fn value(&self) -> Option<u64> {
        self.count.value()
    }
}
