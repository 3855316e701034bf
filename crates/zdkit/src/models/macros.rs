//! The three macros the data model is built from:
//!
//! * `id_type!` — a newtype id (`u64`, or `String` for job status ids) with transparent
//!   serde, `Display`, `FromStr` and `From`.
//! * `string_enum!` — a string enum with an `Unknown(String)` fallback that round-trips
//!   the original string exactly.
//! * `model!` — a response model: typed known fields, unknown fields kept in `extra`,
//!   and a [`Presence`](crate::models::Presence) record so that a field that was absent
//!   stays absent and a field that was `null` stays `null` when re-serialized. The
//!   generated `Deserialize` is a hand-rolled map visitor (no `#[serde(flatten)]`, which
//!   buffers every field and is several times slower).

/// Declares a newtype id. `id_type!(Name)` wraps a `u64` (`Copy`); `id_type!(string Name)`
/// wraps a `String`.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// The raw numeric id.
            pub const fn get(self) -> u64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        impl From<u64> for $name {
            fn from(id: u64) -> Self {
                $name(id)
            }
        }

        impl From<$name> for u64 {
            fn from(id: $name) -> u64 {
                id.0
            }
        }
    };
    ($(#[$meta:meta])* string $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The raw id string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name(s.to_owned()))
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }
    };
}

/// Declares a string enum with an `Unknown(String)` fallback.
///
/// ```text
/// string_enum! {
///     /// Doc.
///     pub enum Color { /// Red.
///         Red = "red", /// Blue.
///         Blue = "blue" }
/// }
/// ```
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        string_enum! {
            @fallback Unknown
            $(#[$meta])*
            pub enum $name { $( $(#[$vmeta])* $variant = $wire, )+ }
        }
    };
    (
        @fallback $Unknown:ident
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of zdkit does not know; the original string is kept
            /// verbatim and serialized back unchanged.
            $Unknown(String),
        }

        impl $name {
            /// The wire string (`Unknown` returns the original string).
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::$Unknown(s) => s.as_str(),
                }
            }

            /// Maps a wire string to a variant (never fails: unknown strings become
            /// `Unknown`).
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )+
                    other => $name::$Unknown(other.to_owned()),
                }
            }

            /// `true` for the fallback variant (a string this version does not know).
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::$Unknown(_))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::from_wire(s))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name::from_wire(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from_wire(v))
                    }
                    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<$name, E> {
                        Ok(match v.as_str() {
                            $( $wire => $name::$variant, )+
                            _ => $name::$Unknown(v),
                        })
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

/// Declares a response model (see the module docs). Field kinds:
///
/// * `req name: T` — required: decoding fails if the key is missing; field type `T`.
/// * `opt name: T` — optional and nullable: field type `Option<T>`.
/// * `ts name: OffsetDateTime` — like `opt`, parsed and written by
///   [`timestamp`](crate::models::timestamp).
///
/// `= "wire"` after the type renames the JSON key (`opt ticket_type: TicketType = "type"`).
/// `model! { @info ... }` declares a struct with the same machinery but without `extra`
/// and without serde impls: the page types use those for their metadata.
macro_rules! model {
    (
        $(#[$smeta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $kind:ident $field:ident : $ty:ty $(= $key:literal)? ),* $(,)?
        }
    ) => {
        $(#[$smeta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: model!(@ty $kind $ty), )*
            /// Fields this version of zdkit does not model, kept verbatim.
            pub extra: serde_json::Map<String, serde_json::Value>,
            /// Which optional fields were absent (not `null`) in the decoded JSON; absent
            /// fields whose value is still `None` are not written back.
            pub presence: $crate::models::Presence,
        }

        model!(@fields $name { $( $kind $field : $ty $(= $key)? ),* });

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let mut m = s.serialize_map(None)?;
                $crate::models::WireFields::encode_fields(self, &mut m)?;
                for (k, v) in &self.extra {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<$crate::models::Key<'de>>()? {
                            if !$crate::models::WireFields::decode_field(&mut out, &key, &mut map)? {
                                let value = map.next_value::<serde_json::Value>()?;
                                out.extra.insert(key.into_string(), value);
                            }
                        }
                        $crate::models::WireFields::finish::<A::Error>(&out)?;
                        Ok(out)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
    (
        @info
        $(#[$smeta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $kind:ident $field:ident : $ty:ty $(= $key:literal)? ),* $(,)?
        }
    ) => {
        $(#[$smeta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: model!(@ty $kind $ty), )*
            /// Which fields were absent (not `null`) in the decoded JSON.
            pub presence: $crate::models::Presence,
        }

        model!(@fields $name { $( $kind $field : $ty $(= $key)? ),* });
    };

    (@fields $name:ident { $( $kind:ident $field:ident : $ty:ty $(= $key:literal)? ),* }) => {
        impl $crate::models::WireFields for $name {
            fn decode_field<'de, A: serde::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> Result<bool, A::Error> {
                #[allow(non_camel_case_types, dead_code)]
                enum Bit { $( $field, )* __Count }
                const _: () = assert!((Bit::__Count as u32) <= 64, "too many fields");
                match key {
                    $(
                        model!(@key $field $($key)?) => {
                            self.$field = model!(@de $kind $ty, map);
                            self.presence.mark_present(Bit::$field as u32);
                            Ok(true)
                        }
                    )*
                    _ => Ok(false),
                }
            }

            fn finish<E: serde::de::Error>(&self) -> Result<(), E> {
                #[allow(non_camel_case_types, dead_code)]
                enum Bit { $( $field, )* __Count }
                $( model!(@check $kind self, Bit::$field as u32, model!(@key $field $($key)?)); )*
                Ok(())
            }

            fn encode_fields<M: serde::ser::SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
                #[allow(non_camel_case_types, dead_code)]
                enum Bit { $( $field, )* __Count }
                $( model!(@ser $kind self, m, $field, Bit::$field as u32, model!(@key $field $($key)?)); )*
                Ok(())
            }
        }
    };

    (@ty req $ty:ty) => { $ty };
    (@ty opt $ty:ty) => { Option<$ty> };
    (@ty ts $ty:ty) => { Option<$ty> };

    (@key $field:ident $key:literal) => { $key };
    (@key $field:ident) => { stringify!($field) };

    (@de req $ty:ty, $map:ident) => { $map.next_value::<$ty>()? };
    (@de opt $ty:ty, $map:ident) => { $map.next_value::<Option<$ty>>()? };
    (@de ts $ty:ty, $map:ident) => { $map.next_value::<$crate::models::timestamp::OptTimestamp>()?.0 };

    (@check req $self:ident, $bit:expr, $key:expr) => {
        if $self.presence.is_absent($bit) {
            return Err(E::missing_field($key));
        }
    };
    (@check opt $self:ident, $bit:expr, $key:expr) => {};
    (@check ts $self:ident, $bit:expr, $key:expr) => {};

    (@ser req $self:ident, $m:ident, $field:ident, $bit:expr, $key:expr) => {
        $m.serialize_entry($key, &$self.$field)?;
    };
    (@ser opt $self:ident, $m:ident, $field:ident, $bit:expr, $key:expr) => {
        match &$self.$field {
            Some(v) => $m.serialize_entry($key, v)?,
            None if !$self.presence.is_absent($bit) => $m.serialize_entry($key, &())?,
            None => {}
        }
    };
    (@ser ts $self:ident, $m:ident, $field:ident, $bit:expr, $key:expr) => {
        match &$self.$field {
            Some(v) => $m.serialize_entry($key, &$crate::models::timestamp::Timestamp(v))?,
            None if !$self.presence.is_absent($bit) => $m.serialize_entry($key, &())?,
            None => {}
        }
    };
}
