//! Decoding response bodies with errors that name the JSON path.

use serde::de::DeserializeOwned;

/// A response body that did not decode into the expected model.
///
/// The one decode error of the crate: [`decode`] fills the path, message and excerpt; the
/// client ([`crate::Error::Decode`]) adds the response's status and request id. `Display`
/// escapes the server's text ([`crate::text::escape_control`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "could not decode the response at `{}`: {} (body starts: {excerpt:?})",
    crate::text::escape_control(path),
    crate::text::escape_control(message)
)]
pub struct DecodeError {
    /// Where decoding failed, e.g. `tickets[3].status` (`.` for the root).
    pub path: String,
    /// What went wrong (serde's message, with line and column).
    pub message: String,
    /// The first [`EXCERPT_LEN`] characters of the body, for logs.
    pub excerpt: String,
    /// The HTTP status of the response, when the body came from one.
    pub status: Option<u16>,
    /// `X-Zendesk-Request-Id` of the response, when known.
    pub request_id: Option<String>,
}

/// Longest excerpt kept in a [`DecodeError`], in characters.
pub const EXCERPT_LEN: usize = 200;

/// Decodes a JSON body into `T`. On failure the error names the JSON path.
///
/// The fast path is a plain `serde_json::from_slice`; only a failing body is decoded a
/// second time with `serde_path_to_error` to find the path, so successful decodes pay
/// nothing for it.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    match serde_json::from_slice::<T>(bytes) {
        Ok(v) => Ok(v),
        Err(first) => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) => (e.path().to_string(), e.into_inner().to_string()),
                // Only trailing data can fail the first pass but not this one.
                Ok(_) => (".".to_owned(), first.to_string()),
            };
            Err(DecodeError {
                path,
                message,
                excerpt: excerpt(bytes, EXCERPT_LEN),
                status: None,
                request_id: None,
            })
        }
    }
}

/// The first `max` characters of `bytes` as text (lossy UTF-8), with `…` when cut.
pub fn excerpt(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(max.saturating_mul(4))]);
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// [`decode`] with a seed (a runtime key, for instance): the same fast path, and a second
/// pass with `serde_path_to_error` only on failure.
pub(crate) fn decode_seed<'de, S>(bytes: &'de [u8], seed: S) -> Result<S::Value, DecodeError>
where
    S: serde::de::DeserializeSeed<'de> + Clone,
{
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let first = seed
        .clone()
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    match first {
        Ok(v) => Ok(v),
        Err(first) => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let mut track = serde_path_to_error::Track::new();
            let (path, message) = match seed
                .deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track))
            {
                Err(e) => (track.path().to_string(), e.to_string()),
                Ok(_) => (".".to_owned(), first.to_string()),
            };
            Err(DecodeError {
                path,
                message,
                excerpt: excerpt(bytes, EXCERPT_LEN),
                status: None,
                request_id: None,
            })
        }
    }
}
