//! Extractors whose rejections are Zendesk-shaped: JSON bodies, query strings, the host.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use bytes::Bytes;
use serde_json::Value;

use crate::error::ApiError;

/// A JSON request body; malformed JSON is a 400 with a Zendesk-shaped body.
#[derive(Debug)]
pub(crate) struct ZJson(pub Value);

impl<S: Send + Sync> FromRequest<S> for ZJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest {
                error: "InvalidRequestBody".to_string(),
                description: e.body_text(),
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ZJson(Value::Object(Default::default())));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => Ok(ZJson(v)),
            Err(e) => Err(ApiError::BadRequest {
                error: "InvalidJSON".to_string(),
                description: format!("The request body is not valid JSON: {e}"),
            }),
        }
    }
}

/// The decoded query string, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Q(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Q {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let raw = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
            .map(Q)
            .map_err(|_| ApiError::BadRequest {
                error: "InvalidParameter".to_string(),
                description: "The query string could not be decoded".to_string(),
            })
    }
}

impl Q {
    /// The last value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `name` as an unsigned integer (400 when not one), read as real clients send it
    /// (see [`parse_uint`]).
    pub(crate) fn u64(&self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => parse_uint(v)
                .map(Some)
                .ok_or_else(|| ApiError::bad_param(name, v)),
        }
    }

    /// `name` unless it is one of the placeholders JavaScript and Python clients send for
    /// "no value": empty, `undefined`, `null`, `None` (node-zendesk 6.0.1's
    /// `exportCursor` sends `cursor=undefined` next to `start_time`).
    pub(crate) fn present(&self, name: &str) -> Option<&str> {
        self.get(name)
            .filter(|v| !matches!(v.trim(), "" | "undefined" | "null" | "None"))
    }

    /// `start_time` as Unix seconds: an integer, a float (`946684800.0`, as
    /// `datetime.timestamp()` gives it) or an ISO-8601 date-time (`2000-01-01T00:00:00Z`,
    /// as zenpy 2.0.24 sends it to `incremental/organizations`); 400 otherwise.
    pub(crate) fn start_time(&self) -> Result<Option<u64>, ApiError> {
        match self.present("start_time") {
            None => Ok(None),
            Some(v) => parse_uint(v)
                .or_else(|| parse_iso(v))
                .map(Some)
                .ok_or_else(|| ApiError::bad_param("start_time", v)),
        }
    }

    /// `name` as a boolean (`true`/`false`/`1`/`0`).
    pub(crate) fn bool(&self, name: &str) -> bool {
        matches!(self.get(name), Some("true" | "1"))
    }

    /// A comma-separated list of ids (400 when one is not a number).
    pub(crate) fn ids(&self, name: &str) -> Result<Option<Vec<u64>>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    s.trim()
                        .parse::<u64>()
                        .map_err(|_| ApiError::bad_param(name, v))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
        }
    }

    /// The `include` sideloads.
    pub(crate) fn includes(&self) -> Vec<String> {
        self.get("include")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The largest float read as an integer (2^53: beyond it floats skip integers).
const MAX_EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

/// A non-negative integer as real clients send it: `100`, ` 100 ` (spaces around it),
/// `946684800.0` or `1.5e3` (floats: the fraction is dropped, as Zendesk's Ruby
/// `to_i` does). `None` for anything else (negative, not finite, above 2^53, text).
pub(crate) fn parse_uint(v: &str) -> Option<u64> {
    let t = v.trim();
    if let Ok(n) = t.parse::<u64>() {
        return Some(n);
    }
    // Only plain decimal notation: `inf`, `NaN` and hex are not numbers here.
    if !t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    let f: f64 = t.parse().ok()?;
    (f.is_finite() && (0.0..MAX_EXACT_FLOAT).contains(&f)).then(|| f.trunc() as u64)
}

/// An ISO-8601 date or date-time as Unix seconds: `2000-01-01`, `2000-01-01T00:00:00Z`,
/// `2000-01-01T00:00:00+00:00`, `2000-01-01T00:00:00` (UTC assumed), fractions allowed.
/// A `+` that form decoding turned into a space is put back.
pub(crate) fn parse_iso(v: &str) -> Option<u64> {
    let t = v.trim().replace(' ', "+");
    let t = match t.get(10..11) {
        Some("T") | Some("t") if t.len() == 19 => format!("{t}Z"),
        _ => t,
    };
    crate::data::gen::parse_date(&t)
}

/// `http://{Host}`: the base of every URL the simulator generates.
#[derive(Debug, Clone)]
pub(crate) struct Base(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Base {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let host = parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or("localhost");
        Ok(Base(format!("http://{host}")))
    }
}

/// Percent-encodes a query value.
pub(crate) fn enc(v: &str) -> String {
    serde_urlencoded::to_string([("", v)])
        .map(|s| s[1..].to_string())
        .unwrap_or_default()
}

/// The path parameters as strings; a bad path is a 404.
#[derive(Debug)]
pub(crate) struct PathIds(pub Vec<String>);

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<Vec<String>>::from_request_parts(parts, state)
            .await
            .map(|p| PathIds(p.0))
            .map_err(|_| ApiError::RecordNotFound)
    }
}

impl PathIds {
    /// Parameter `i` as a numeric id: 404 `RecordNotFound` for a number that names no
    /// record, but 404 `InvalidEndpoint` for a segment that is not a number at all
    /// (`/users/bogus`): Zendesk's routes only match numeric ids, so a literal path the
    /// simulator does not serve must not look like a missing record.
    pub(crate) fn id(&self, i: usize) -> Result<u64, ApiError> {
        let s = self.0.get(i).ok_or(ApiError::RecordNotFound)?;
        match s.parse() {
            Ok(id) => Ok(id),
            Err(_) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                Err(ApiError::RecordNotFound)
            }
            Err(_) => Err(ApiError::InvalidEndpoint),
        }
    }
}
