//! Decoding response bodies with errors that name the JSON path.

use serde::de::DeserializeOwned;

/// A response body that did not decode into the expected model.
///
/// Self-contained so the client's error type can wrap it (`#[from] DecodeError`) or copy
/// its fields.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not decode the response at `{path}`: {message}")]
pub struct DecodeError {
    /// Where decoding failed, e.g. `tickets[3].status` (`.` for the root).
    pub path: String,
    /// What went wrong (serde's message, with line and column).
    pub message: String,
    /// The first ~200 characters of the body, for logs.
    pub excerpt: String,
}

/// Longest excerpt kept in a [`DecodeError`], in bytes (cut at a character boundary).
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
                excerpt: excerpt(bytes),
            })
        }
    }
}

/// The first [`EXCERPT_LEN`] bytes of `bytes` as text (lossy UTF-8, never split inside a
/// character).
pub fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.len() <= EXCERPT_LEN {
        return text.into_owned();
    }
    let mut end = EXCERPT_LEN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}
