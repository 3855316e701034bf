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

    /// `name` as an unsigned integer (400 when not one).
    pub(crate) fn u64(&self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| ApiError::bad_param(name, v)),
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
