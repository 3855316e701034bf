//! Wire-format plumbing shared by every model: the [`Presence`] record, the borrowed
//! map [`Key`] and the [`WireFields`] trait the `model!` macro implements.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer};

/// Which fields of a model were *absent* from the JSON it was decoded from.
///
/// Zendesk distinguishes a missing key (partial sideloaded objects, older API versions)
/// from an explicit `null`. Models expose plain `Option<T>` fields; this record remembers
/// which `None`s were absent so that re-serializing writes `null` only where the input
/// had `null`. A field that holds `Some(_)` is always written.
///
/// [`Presence::default`] is "everything absent", so a model built in code with
/// `..Default::default()` serializes only the fields that were set (plus required ones).
/// Note that model equality (`PartialEq`) compares the presence record too.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Presence {
    absent: u64,
}

impl Presence {
    /// Every field absent (the default).
    pub const ALL_ABSENT: Presence = Presence { absent: u64::MAX };
    /// Every field present: `None` fields serialize as `null`.
    pub const ALL_PRESENT: Presence = Presence { absent: 0 };

    /// Marks field number `bit` (declaration order) as present.
    #[inline]
    pub fn mark_present(&mut self, bit: u32) {
        self.absent &= !(1u64 << bit);
    }

    /// `true` if field number `bit` (declaration order) was absent.
    #[inline]
    pub fn is_absent(&self, bit: u32) -> bool {
        self.absent & (1u64 << bit) != 0
    }
}

impl Default for Presence {
    fn default() -> Self {
        Presence::ALL_ABSENT
    }
}

impl fmt::Debug for Presence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Presence({:#x})", !self.absent)
    }
}

/// A JSON object key, borrowed from the input when possible (no allocation for known
/// fields).
#[derive(Debug)]
pub struct Key<'de>(pub Cow<'de, str>);

impl Key<'_> {
    /// The owned key (allocates only if it was borrowed).
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl std::ops::Deref for Key<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A struct whose fields are decoded one JSON key at a time and written into an
/// enclosing map. Implemented by the `model!` macro for every model and page-info type;
/// the page and envelope types ([`Page`](crate::models::Page),
/// [`Envelope`](crate::models::Envelope)) use it to share one JSON object between the
/// items, the pagination metadata and the sideloads.
pub trait WireFields: Default {
    /// If `key` is one of this struct's fields, decodes the next map value into it and
    /// returns `true`; otherwise returns `false` without consuming the value.
    fn decode_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error>;

    /// Called after the map ended: fails if a required field was missing.
    fn finish<E: de::Error>(&self) -> Result<(), E>;

    /// Writes the present fields into `map`.
    fn encode_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
}
