//! What an export page's items become: the JSON objects the store keeps ([`Record`]).
//!
//! The big exports (tickets, users, organizations) are decoded straight into JSON records
//! ([`TicketJson`], [`UserJson`], [`OrganizationJson`], read with
//! [`ExportRequest::decode_as`](zdkit::export::ExportRequest::decode_as)): each record's
//! text is kept as sent and handed to the store's preparer as text ([`RecordText`]),
//! which reads the typed columns out of it without building its tree; no typed model is
//! built and then re-encoded, and every field Zendesk sent is kept exactly as sent. The
//! other streams decode into zdkit's models, which keep unknown fields, and are
//! re-encoded ([`IntoRecord`]).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use zdkit::export::ExportRecord;
use zdkit::models::Resource;

use crate::store::{Record, RecordText};

/// An export item that becomes a JSON record.
pub(crate) trait IntoRecord: Sized {
    /// The record, as Zendesk sent it.
    fn into_record(self) -> Result<Record, zdkit::Error>;

    /// The record as text for the store's preparer (the text as sent where it is kept).
    fn into_text(self) -> Result<RecordText, zdkit::Error> {
        self.into_record().map(RecordText::from)
    }
}

/// A zdkit model: its modelled fields are serialized, and its unknown fields (`extra`)
/// are moved into the record as they are instead of being copied value by value.
macro_rules! model_into_record {
    ($($t:ty),*) => {$(
        impl IntoRecord for $t {
            fn into_record(mut self) -> Result<Record, zdkit::Error> {
                let extra = std::mem::take(&mut self.extra);
                let mut record = serde_json::to_value(&self).map_err(|e| {
                    zdkit::Error::InvalidRequest(format!("re-encoding a record: {e}"))
                })?;
                if let Some(object) = record.as_object_mut() {
                    // As the model's own `Serialize` does: unknown fields after the
                    // modelled ones (a map keeps the later of two equal keys).
                    for (k, v) in extra {
                        object.insert(k, v);
                    }
                }
                Ok(record)
            }
        }
    )*};
}
model_into_record!(
    zdkit::models::Ticket,
    zdkit::models::User,
    zdkit::models::Organization,
    zdkit::models::TicketEvent,
    zdkit::models::Identity,
    zdkit::models::Group,
    zdkit::models::TicketField,
    zdkit::models::TicketMetricEvent
);

/// The records of a page, in order.
pub(crate) fn to_records<T: IntoRecord>(items: Vec<T>) -> Result<Vec<Record>, zdkit::Error> {
    items.into_iter().map(IntoRecord::into_record).collect()
}

/// The fields of a record the export itself needs (its key and stamp), read from the
/// record's text without building its tree; every other field is skipped.
#[derive(Deserialize)]
struct KeyFields {
    id: Option<Value>,
    generated_timestamp: Option<Value>,
    updated_at: Option<Value>,
}

/// A record's text, checked as the typed models check it: a JSON object with an unsigned
/// 64-bit integer `id`. Returns the text, the id and the stamp (`generated_timestamp`
/// when `gts`, else `updated_at`, in Unix seconds).
fn checked<'de, D: Deserializer<'de>>(
    d: D,
    what: &str,
    gts: bool,
) -> Result<(Box<RawValue>, u64, Option<i64>), D::Error> {
    use serde::de::Error;
    let raw = Box::<RawValue>::deserialize(d)?;
    if !raw.get().starts_with('{') {
        return Err(D::Error::custom(format!(
            "a {what} that is not a JSON object"
        )));
    }
    let key: KeyFields = serde_json::from_str(raw.get()).map_err(D::Error::custom)?;
    let id = match key.id {
        Some(id) => id.as_u64().ok_or_else(|| {
            D::Error::custom(format!(
                "a {what} whose `id` is not an unsigned 64-bit integer: {id}"
            ))
        })?,
        None => return Err(D::Error::custom(format!("a {what} without an `id`"))),
    };
    // As the typed models read it (zdkit's rule and timestamp parser).
    let updated_at = key
        .updated_at
        .as_ref()
        .and_then(Value::as_str)
        .and_then(|t| zdkit::models::timestamp::parse(t).ok());
    let gts = gts
        .then(|| key.generated_timestamp.as_ref().and_then(Value::as_i64))
        .flatten();
    let stamp = zdkit::export::export_stamp(gts, updated_at);
    Ok((raw, id, stamp))
}

macro_rules! json_record {
    ($(#[$doc:meta])* $name:ident, $singular:literal, $plural:literal, gts: $gts:literal) => {
        $(#[$doc])*
        ///
        /// Held as the text Zendesk sent (compact: a page waits for its turn as text, not
        /// as JSON trees) and parsed into its [`Record`] when the store takes it.
        #[derive(Debug)]
        pub(crate) struct $name {
            raw: Box<RawValue>,
            id: u64,
            stamp: Option<i64>,
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.raw.serialize(s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let (raw, id, stamp) = checked(d, $singular, $gts)?;
                Ok($name { raw, id, stamp })
            }
        }

        impl Resource for $name {
            const SINGULAR: &'static str = $singular;
            const PLURAL: &'static str = $plural;
            type Id = u64;
            fn id(&self) -> u64 {
                self.id
            }
        }

        impl ExportRecord for $name {
            fn export_key(&self) -> (u64, Option<i64>) {
                (self.id, self.stamp)
            }
        }

        impl IntoRecord for $name {
            fn into_record(self) -> Result<Record, zdkit::Error> {
                // The text was validated when the page was decoded.
                serde_json::from_str(self.raw.get()).map_err(|e| {
                    zdkit::Error::InvalidRequest(format!("re-reading a {}: {e}", $singular))
                })
            }

            fn into_text(self) -> Result<RecordText, zdkit::Error> {
                Ok(RecordText::new(self.raw))
            }
        }
    };
}

json_record!(
    /// A ticket of the ticket export as sent (its embedded `metric_set` included); its
    /// stamp is `generated_timestamp`, else `updated_at`, as for the typed model.
    TicketJson,
    "ticket",
    "tickets",
    gts: true
);
json_record!(
    /// A user of the users export as sent.
    UserJson,
    "user",
    "users",
    gts: false
);
json_record!(
    /// An organization of the organizations export as sent.
    OrganizationJson,
    "organization",
    "organizations",
    gts: false
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_records_keep_every_field_and_key_like_the_models() {
        let text = r#"{"id": 7, "generated_timestamp": 9, "updated_at": "2024-01-02T03:04:05Z",
            "subject": "s", "future_field": {"x": [1, 2.5, null]},
            "big": 12345678901234567890, "metric_set": {"id": 3, "ticket_id": 7}}"#;
        let t: TicketJson = serde_json::from_str(text).unwrap();
        assert_eq!(t.export_key(), (7, Some(9)));
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(t.into_record().unwrap(), v);
        let u: UserJson =
            serde_json::from_str(r#"{"id": 1, "updated_at": "2024-01-02T03:04:05+01:00"}"#)
                .unwrap();
        assert_eq!(u.export_key(), (1, Some(1_704_161_045)));
        let o: OrganizationJson = serde_json::from_str(r#"{"id": 2}"#).unwrap();
        assert_eq!(o.export_key(), (2, None));
        // As the typed models: an unsigned integer `id` is required.
        for bad in [
            r#"{"id": "7"}"#,
            r#"{"id": -1}"#,
            r#"{"subject": "x"}"#,
            "[1]",
        ] {
            let err = serde_json::from_str::<TicketJson>(bad).unwrap_err();
            assert!(err.to_string().contains("a ticket"), "{bad}: {err}");
        }
    }
}
