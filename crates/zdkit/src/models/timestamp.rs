//! Zendesk timestamps: RFC 3339, UTC, second precision (`2024-01-02T03:04:05Z`).
//!
//! Use as `#[serde(with = "zdkit::models::timestamp")]` on an `Option<OffsetDateTime>`.
//! Decoding accepts any RFC 3339 timestamp (fractional seconds, offsets); the common
//! `YYYY-MM-DDTHH:MM:SSZ` shape takes a fast path. Encoding always writes UTC with `Z`:
//! whole seconds as `YYYY-MM-DDTHH:MM:SSZ`, and a sub-second value with the shortest
//! fraction that represents it (`.5Z`, `.123Z`). So a timestamp in Zendesk's own
//! format round-trips byte for byte, while a non-canonical input (`+01:00` offset,
//! trailing zeros in the fraction such as `.120Z`) is re-serialized as the same instant
//! in the canonical form — the instant is never changed.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Parses an RFC 3339 timestamp.
pub fn parse(s: &str) -> Result<OffsetDateTime, time::error::Parse> {
    if let Some(t) = parse_fast(s.as_bytes()) {
        return Ok(t);
    }
    OffsetDateTime::parse(s, &Rfc3339)
}

fn parse_fast(b: &[u8]) -> Option<OffsetDateTime> {
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let d = |i: usize| -> Option<u32> {
        let c = b[i].wrapping_sub(b'0');
        (c < 10).then_some(u32::from(c))
    };
    let n2 = |i: usize| Some(d(i)? * 10 + d(i + 1)?);
    let year = n2(0)? * 100 + n2(2)?;
    let month = Month::try_from(u8::try_from(n2(5)?).ok()?).ok()?;
    let date = Date::from_calendar_date(i32::try_from(year).ok()?, month, n2(8)? as u8).ok()?;
    let time = Time::from_hms(n2(11)? as u8, n2(14)? as u8, n2(17)? as u8).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Formats a timestamp the way Zendesk does (see the module docs).
pub fn format(t: &OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return t.format(&Rfc3339).unwrap_or_default();
    }
    let mut s = String::with_capacity(30);
    use fmt::Write as _;
    let _ = write!(
        s,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        year,
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let nanos = t.nanosecond();
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// Serializes an `Option<OffsetDateTime>` (`None` → `null`).
pub fn serialize<S: Serializer>(t: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => Timestamp(t).serialize(s),
        None => s.serialize_none(),
    }
}

/// Deserializes an `Option<OffsetDateTime>` (`null` → `None`).
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    OptTimestamp::deserialize(d).map(|t| t.0)
}

/// Serializes an `Option<Option<OffsetDateTime>>` write-side field: `Some(None)` →
/// `null` (clears the field), `Some(Some(t))` → the timestamp. Pair with
/// `skip_serializing_if = "Option::is_none"`.
pub fn serialize_nullable<S: Serializer>(
    t: &Option<Option<OffsetDateTime>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(Some(t)) => Timestamp(t).serialize(s),
        _ => s.serialize_none(),
    }
}

/// Deserializes an `Option<Option<OffsetDateTime>>`: present `null` → `Some(None)`
/// (use with `#[serde(default)]` so an absent key is `None`).
pub fn deserialize_nullable<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<OffsetDateTime>>, D::Error> {
    OptTimestamp::deserialize(d).map(|t| Some(t.0))
}

/// Borrowing serializer for one timestamp.
#[derive(Debug, Clone, Copy)]
pub struct Timestamp<'a>(pub &'a OffsetDateTime);

impl Serialize for Timestamp<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        if t.offset().is_utc() && t.nanosecond() == 0 && (0..=9999).contains(&t.year()) {
            // Fast path: fixed 20-byte shape, no allocation.
            let mut b = *b"0000-00-00T00:00:00Z";
            let put = |b: &mut [u8; 20], at: usize, v: u32, width: usize| {
                let mut v = v;
                for i in (0..width).rev() {
                    b[at + i] = b'0' + (v % 10) as u8;
                    v /= 10;
                }
            };
            put(&mut b, 0, t.year() as u32, 4);
            put(&mut b, 5, u32::from(u8::from(t.month())), 2);
            put(&mut b, 8, u32::from(t.day()), 2);
            put(&mut b, 11, u32::from(t.hour()), 2);
            put(&mut b, 14, u32::from(t.minute()), 2);
            put(&mut b, 17, u32::from(t.second()), 2);
            // The buffer holds ASCII digits and separators only.
            let text = std::str::from_utf8(&b).map_err(serde::ser::Error::custom)?;
            s.serialize_str(text)
        } else {
            s.serialize_str(&format(t))
        }
    }
}

/// Deserializer for a nullable timestamp (`null` → `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptTimestamp(pub Option<OffsetDateTime>);

impl<'de> Deserialize<'de> for OptTimestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OptTimestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<OptTimestamp, E> {
                Ok(OptTimestamp(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<OptTimestamp, E> {
                Ok(OptTimestamp(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<OptTimestamp, D::Error> {
                d.deserialize_str(V)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OptTimestamp, E> {
                parse(v)
                    .map(|t| OptTimestamp(Some(t)))
                    .map_err(|e| E::custom(format_args!("invalid timestamp {v:?}: {e}")))
            }
        }
        d.deserialize_option(V)
    }
}
