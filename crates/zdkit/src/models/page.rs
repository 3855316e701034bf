//! List pages, single-resource envelopes and sideloads.
//!
//! Zendesk keys a list by the plural resource name (`{"tickets": […], "meta": …}`) and a
//! single resource by the singular (`{"ticket": {…}}`). [`Resource`] names both, and
//! [`Page`] / [`Envelope`] are generic over it: their `Deserialize` reads the items from
//! the [`Resource::PLURAL`] (or [`Resource::SINGULAR`]) key, the pagination keys into the
//! info type `I`, and every other key into [`Sideloads`] (typed where we know the
//! resource, verbatim JSON otherwise). One pass, no buffering, and `Serialize` writes the
//! same object back.
//!
//! Which page type to use:
//!
//! | endpoint style | type | stop when |
//! | --- | --- | --- |
//! | list with `page[size]` (cursor) or `page`/`per_page` (offset), search, show_many | [`ListPage<T>`] | `meta.has_more` false (cursor) or `next_page` null (offset) |
//! | `/incremental/{tickets,users}/cursor` | [`IncrementalCursorPage<T>`] | `end_of_stream`; keep `after_cursor()` to resume |
//! | `/incremental/{tickets,users,organizations,ticket_events}` (time-based) | [`IncrementalTimePage<T>`] | `end_of_stream`; keep `end_time()` to resume |
//!
//! Where the next page is, and whether a link may be followed at all, is decided by the
//! one next-page rule, [`crate::pagination::Walk`], never by these types.
//!
//! ```
//! use zdkit::models::{decode, ListPage, Ticket, TicketId, UserId};
//!
//! let body = br#"{"tickets":[{"id":1,"requester_id":7,"status":"open"}],
//!   "users":[{"id":7,"name":"Bob Bobberson"}],
//!   "meta":{"has_more":true,"after_cursor":"eyJv","before_cursor":null},
//!   "links":{"next":"https://acme.zendesk.com/api/v2/tickets.json?page%5Bafter%5D=eyJv","prev":null}}"#;
//! let page: ListPage<Ticket> = decode(body)?;
//! assert_eq!(page.items[0].id, TicketId(1));
//! let requester = page.sideloads.user(UserId(7)).and_then(|u| u.name.as_deref());
//! assert_eq!(requester, Some("Bob Bobberson"));
//! assert!(page.has_more());
//! assert_eq!(page.after_cursor(), Some("eyJv"));
//! let next = page.info.links.as_ref().and_then(|l| l.next.as_deref());
//! assert!(next.is_some_and(|u| u.contains("page%5Bafter%5D=eyJv")));
//! // Re-encoding gives back the same JSON (including `before_cursor: null`).
//! let again = serde_json::to_value(&page).unwrap();
//! assert_eq!(again, serde_json::from_slice::<serde_json::Value>(body).unwrap());
//! # Ok::<(), zdkit::models::DecodeError>(())
//! ```

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::sideloads::Sideloads;
use super::wire::{Key, WireFields};

/// A Zendesk resource that appears in envelopes and list pages.
pub trait Resource: DeserializeOwned + Serialize {
    /// Key of the single-resource envelope (`"ticket"`).
    const SINGULAR: &'static str;
    /// Key of the list (`"tickets"`).
    const PLURAL: &'static str;
    /// The id type.
    type Id;
    /// This resource's id.
    fn id(&self) -> Self::Id;
}

model! {
    /// Cursor pagination `meta`: `{"has_more", "after_cursor", "before_cursor"}`.
    pub struct CursorMeta {
        /// More pages follow.
        opt has_more: bool,
        /// Cursor for `page[after]`.
        opt after_cursor: String,
        /// Cursor for `page[before]`.
        opt before_cursor: String,
    }
}

model! {
    /// Cursor pagination `links`: `{"next", "prev"}` (full URLs).
    pub struct Links {
        /// Next page URL.
        opt next: String,
        /// Previous page URL.
        opt prev: String,
    }
}

model! {
    @info
    /// Pagination keys of an ordinary list: cursor (`meta`, `links`) and/or offset
    /// (`next_page`, `previous_page`, `count`), plus search's `facets` and the
    /// `end_of_stream`/`end_time` of a list Zendesk answers as a time-based export.
    pub struct ListInfo {
        /// Cursor pagination metadata.
        opt meta: CursorMeta,
        /// Cursor pagination links.
        opt links: Links,
        /// Offset pagination: next page URL (`null` on the last page).
        opt next_page: String,
        /// Offset pagination: previous page URL.
        opt previous_page: String,
        /// Offset pagination: total number of records.
        opt count: u64,
        /// Search: facets (usually `null`).
        opt facets: Value,
        /// A time-based list (`incremental/ticket_metric_events` without `page[size]`):
        /// no more pages for now.
        opt end_of_stream: bool,
        /// A time-based list: the `start_time` of the next page.
        opt end_time: i64,
    }
}

model! {
    @info
    /// Keys of a cursor-based incremental export page (zendesk-api.md §6.3).
    pub struct CursorExportInfo {
        /// Resume cursor: the next page, and after `end_of_stream` the next export.
        opt after_cursor: String,
        /// URL of the next page.
        opt after_url: String,
        /// Cursor of the previous page.
        opt before_cursor: String,
        /// URL of the previous page.
        opt before_url: String,
        /// No more pages for now.
        opt end_of_stream: bool,
    }
}

model! {
    @info
    /// Keys of a time-based incremental export page (zendesk-api.md §6.4).
    pub struct TimeExportInfo {
        /// Number of items in this page.
        opt count: u64,
        /// Epoch seconds: `start_time` of the next page.
        opt end_time: i64,
        /// URL of the next page (present even at the end of the stream).
        opt next_page: String,
        /// No more pages for now.
        opt end_of_stream: bool,
    }
}

/// No extra keys (the default info type of [`Envelope`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NoInfo;

impl WireFields for NoInfo {
    fn decode_field<'de, A: MapAccess<'de>>(
        &mut self,
        _: &str,
        _: &mut A,
    ) -> Result<bool, A::Error> {
        Ok(false)
    }
    fn finish<E: de::Error>(&self) -> Result<(), E> {
        Ok(())
    }
    fn encode_fields<M: SerializeMap>(&self, _: &mut M) -> Result<(), M::Error> {
        Ok(())
    }
}

/// One page of a list: the items (from the `T::PLURAL` key), the pagination info `I`
/// and the sideloads (every other key). Use the aliases [`ListPage`],
/// [`IncrementalCursorPage`] and [`IncrementalTimePage`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page<T, I> {
    /// The items, in response order.
    pub items: Vec<T>,
    /// Pagination keys.
    pub info: I,
    /// Sideloaded records and any other top-level keys.
    pub sideloads: Sideloads,
}

/// An ordinary list page (cursor or offset pagination; search; show_many).
pub type ListPage<T> = Page<T, ListInfo>;
/// A cursor-based incremental export page.
pub type IncrementalCursorPage<T> = Page<T, CursorExportInfo>;
/// A time-based incremental export page.
pub type IncrementalTimePage<T> = Page<T, TimeExportInfo>;

impl<T> Page<T, ListInfo> {
    /// `true` if another page follows: `meta.has_more` under cursor pagination, a
    /// non-null `next_page` under offset pagination.
    pub fn has_more(&self) -> bool {
        match &self.info.meta {
            Some(meta) => meta.has_more.unwrap_or(false),
            None => self.info.next_page.is_some(),
        }
    }

    /// The cursor for `page[after]`, when more pages follow.
    pub fn after_cursor(&self) -> Option<&str> {
        let meta = self.info.meta.as_ref()?;
        if meta.has_more == Some(true) {
            meta.after_cursor.as_deref()
        } else {
            None
        }
    }
}

impl<T> Page<T, CursorExportInfo> {
    /// `true` when `end_of_stream` is true (absent counts as the end, so a malformed page
    /// cannot loop forever).
    pub fn is_end_of_stream(&self) -> bool {
        self.info.end_of_stream.unwrap_or(true)
    }

    /// The cursor to resume from (the next page, or the next export after the end).
    pub fn after_cursor(&self) -> Option<&str> {
        self.info.after_cursor.as_deref()
    }
}

impl<T> Page<T, TimeExportInfo> {
    /// `true` when `end_of_stream` is true (absent counts as the end).
    pub fn is_end_of_stream(&self) -> bool {
        self.info.end_of_stream.unwrap_or(true)
    }

    /// The `start_time` of the next page or the next poll.
    pub fn end_time(&self) -> Option<i64> {
        self.info.end_time
    }
}

impl<T: Serialize, I: WireFields> Page<T, I> {
    fn write<S: Serializer>(&self, key: &str, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry(key, &self.items)?;
        self.info.encode_fields(&mut m)?;
        self.sideloads.encode(&mut m)?;
        m.end()
    }
}

impl<T: Resource, I: WireFields> Serialize for Page<T, I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.write(T::PLURAL, s)
    }
}

impl<'de, T: Resource, I: WireFields> Deserialize<'de> for Page<T, I> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (items, info, sideloads) = d.deserialize_map(BodyVisitor::<Vec<T>, I> {
            key: T::PLURAL,
            marker: PhantomData,
        })?;
        Ok(Page {
            items,
            info,
            sideloads,
        })
    }
}

/// A single-resource envelope: the item (from the `T::SINGULAR` key), extra keys `I`
/// (e.g. the `audit` of a ticket write, see
/// [`TicketEnvelope`](crate::models::TicketEnvelope)) and sideloads.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Envelope<T, I = NoInfo> {
    /// The resource.
    pub item: T,
    /// Extra typed keys.
    pub info: I,
    /// Sideloaded records and any other top-level keys.
    pub sideloads: Sideloads,
}

impl<T, I> Envelope<T, I> {
    /// The resource, dropping the rest.
    pub fn into_inner(self) -> T {
        self.item
    }
}

impl<T: Resource, I: WireFields> Serialize for Envelope<T, I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry(T::SINGULAR, &self.item)?;
        self.info.encode_fields(&mut m)?;
        self.sideloads.encode(&mut m)?;
        m.end()
    }
}

impl<'de, T: Resource, I: WireFields> Deserialize<'de> for Envelope<T, I> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (item, info, sideloads) = d.deserialize_map(BodyVisitor::<T, I> {
            key: T::SINGULAR,
            marker: PhantomData,
        })?;
        Ok(Envelope {
            item,
            info,
            sideloads,
        })
    }
}

struct BodyVisitor<P, I> {
    key: &'static str,
    marker: PhantomData<fn() -> (P, I)>,
}

impl<'de, P: Deserialize<'de>, I: WireFields> Visitor<'de> for BodyVisitor<P, I> {
    type Value = (P, I, Sideloads);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with a `{}` key", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut primary = None;
        let mut info = I::default();
        let mut sideloads = Sideloads::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if &*key == self.key {
                primary = Some(map.next_value::<P>()?);
            } else if !info.decode_field(&key, &mut map)? {
                sideloads.decode_entry(key, &mut map)?;
            }
        }
        info.finish::<A::Error>()?;
        let primary = primary.ok_or_else(|| de::Error::missing_field(self.key))?;
        Ok((primary, info, sideloads))
    }
}

/// Decodes a page whose items are under `key`, for any item type (a typed model, or
/// `serde_json::Value` for a family read generically from the catalogue). Same single
/// pass as the [`Page`] `Deserialize` impl; a failure names the JSON path.
///
/// ```
/// use zdkit::models::{decode_page, ListPage};
/// let page: ListPage<serde_json::Value> =
///     decode_page(br#"{"macros":[{"id":1}],"next_page":null,"count":1}"#, "macros")?;
/// assert_eq!(page.items[0]["id"], 1);
/// assert_eq!(page.info.count, Some(1));
/// # Ok::<(), zdkit::models::DecodeError>(())
/// ```
pub fn decode_page<T: DeserializeOwned, I: WireFields>(
    bytes: &[u8],
    key: &'static str,
) -> Result<Page<T, I>, super::decode::DecodeError> {
    let (items, info, sideloads) = super::decode::decode_seed(
        bytes,
        BodyVisitor::<Vec<T>, I> {
            key,
            marker: PhantomData,
        },
    )?;
    Ok(Page {
        items,
        info,
        sideloads,
    })
}

/// Decodes a single-resource envelope whose item is under `key`, for any item type
/// (see [`decode_page`]).
///
/// ```
/// use zdkit::models::{decode_envelope, Envelope};
/// let env: Envelope<serde_json::Value> = decode_envelope(br#"{"macro":{"id":1}}"#, "macro")?;
/// assert_eq!(env.item["id"], 1);
/// # Ok::<(), zdkit::models::DecodeError>(())
/// ```
pub fn decode_envelope<T: DeserializeOwned, I: WireFields>(
    bytes: &[u8],
    key: &'static str,
) -> Result<Envelope<T, I>, super::decode::DecodeError> {
    let (item, info, sideloads) = super::decode::decode_seed(
        bytes,
        BodyVisitor::<T, I> {
            key,
            marker: PhantomData,
        },
    )?;
    Ok(Envelope {
        item,
        info,
        sideloads,
    })
}

impl<P, I> Clone for BodyVisitor<P, I> {
    fn clone(&self) -> Self {
        BodyVisitor {
            key: self.key,
            marker: PhantomData,
        }
    }
}

impl<'de, P: Deserialize<'de>, I: WireFields> de::DeserializeSeed<'de> for BodyVisitor<P, I> {
    type Value = (P, I, Sideloads);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}
