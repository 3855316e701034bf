//! The bodies of write requests, one reading for every family: the record of
//! `{"ticket": {...}}`-style bodies and the updates of an `update_many` body.

use serde_json::{Map, Value};

use super::ticket_writes::too_many;
use crate::error::ApiError;
use crate::extract::Q;

/// The record under `key` of a write body (`{"user": {...}}`), or `BlankValue`
/// ("User: is missing") when it is absent or not an object.
pub(crate) fn record<'a>(body: &'a Value, key: &str) -> Result<&'a Map<String, Value>, ApiError> {
    body.get(key).and_then(Value::as_object).ok_or_else(|| {
        let mut label = key.replace('_', " ");
        if let Some(first) = label.get(0..1) {
            label.replace_range(0..1, &first.to_uppercase());
        }
        ApiError::invalid(key, "BlankValue", format!("{label}: is missing"))
    })
}

/// The updates of an `update_many` body: `?ids=` with `{singular: change}` (one change
/// for all: the `bool` is `true`), or `{plural: [{id, ...}, ...]}`; at most 100.
pub(crate) fn updates(
    q: &Q,
    body: &Value,
    singular: &str,
    plural: &str,
) -> Result<(Vec<(u64, Value)>, bool), ApiError> {
    let what = format!("{plural}/update_many");
    if let Some(ids) = q.ids("ids")? {
        if ids.len() > 100 {
            return Err(too_many(&what));
        }
        let change = Value::Object(record(body, singular)?.clone());
        return Ok((
            ids.into_iter().map(|id| (id, change.clone())).collect(),
            true,
        ));
    }
    let items = body
        .get(plural)
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::invalid(plural, "BlankValue", format!("{plural}: is missing")))?;
    if items.len() > 100 {
        return Err(too_many(&what));
    }
    let items = items
        .iter()
        .map(|item| {
            let id = item
                .get("id")
                .and_then(Value::as_u64)
                .ok_or_else(|| ApiError::invalid("id", "BlankValue", "Id: is missing"))?;
            Ok((id, item.clone()))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok((items, false))
}
