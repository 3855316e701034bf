//! One error enum rendering Zendesk-shaped error bodies.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The content type of every JSON response.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// An error answered with a Zendesk-shaped body.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// 404 `RecordNotFound`.
    #[error("record not found")]
    RecordNotFound,
    /// 404 `InvalidEndpoint` (unknown path).
    #[error("invalid endpoint")]
    InvalidEndpoint,
    /// 422 `RecordInvalid` with `details` (field → list of `{description, error}`).
    #[error("record invalid")]
    RecordInvalid(Map<String, Value>),
    /// 400 `InvalidPaginationDepth` (offset pagination past page 100 / 10,000 records).
    #[error("offset pagination too deep")]
    InvalidPaginationDepth,
    /// 400 `InvalidPaginationParameter`.
    #[error("invalid pagination parameter: {0}")]
    InvalidPaginationParameter(String),
    /// 409 `UpdateConflict` (`safe_update` stamp mismatch).
    #[error("update conflict")]
    UpdateConflict,
    /// 400 `IdempotentRequestError` (same key, different request).
    #[error("idempotency key reused with a different request")]
    IdempotentRequestError,
    /// 429 `TooManyJobs`.
    #[error("too many jobs")]
    TooManyJobs {
        /// The job class named in the description.
        job_class: String,
        /// The ids of the queued or working jobs.
        current_job_ids: Vec<String>,
    },
    /// 403 Forbidden.
    #[error("forbidden")]
    Forbidden,
    /// 401 for bad or missing Basic credentials.
    #[error("could not authenticate")]
    Unauthorized,
    /// 401 for a bad OAuth bearer token.
    #[error("invalid token")]
    InvalidToken,
    /// 400 with an `error` code and a description (malformed JSON, bad parameters).
    #[error("bad request: {error}: {description}")]
    BadRequest {
        /// The `error` code.
        error: String,
        /// The `description`.
        description: String,
    },
    /// 422: a search page past the 1,000-result cap.
    #[error("search response limit")]
    SearchResponseLimit,
    /// 422 `InvalidValue` with a description.
    #[error("invalid value: {0}")]
    InvalidValue(String),
}

impl ApiError {
    /// A 422 `RecordInvalid` with one detail.
    pub fn invalid(field: &str, error: &str, description: impl Into<String>) -> Self {
        let mut details = Map::new();
        details.insert(
            field.to_string(),
            json!([{"description": description.into(), "error": error}]),
        );
        ApiError::RecordInvalid(details)
    }

    /// A 400 for a malformed parameter.
    pub fn bad_param(name: &str, value: &str) -> Self {
        ApiError::BadRequest {
            error: "InvalidParameter".to_string(),
            description: format!("Invalid value for parameter {name}: {value:?}"),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::RecordNotFound | ApiError::InvalidEndpoint => StatusCode::NOT_FOUND,
            ApiError::RecordInvalid(_)
            | ApiError::SearchResponseLimit
            | ApiError::InvalidValue(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::InvalidPaginationDepth
            | ApiError::InvalidPaginationParameter(_)
            | ApiError::IdempotentRequestError
            | ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::UpdateConflict => StatusCode::CONFLICT,
            ApiError::TooManyJobs { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::Unauthorized | ApiError::InvalidToken => StatusCode::UNAUTHORIZED,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        match self {
            ApiError::RecordNotFound => {
                json!({"error": "RecordNotFound", "description": "Not found"})
            }
            ApiError::InvalidEndpoint => {
                json!({"error": "InvalidEndpoint", "description": "Not found"})
            }
            ApiError::RecordInvalid(details) => json!({
                "error": "RecordInvalid",
                "description": "Record validation errors",
                "details": details,
            }),
            ApiError::InvalidPaginationDepth => json!({"errors": [{
                "code": "InvalidPaginationDepth",
                "title": "Pagination requests using Offset Pagination are limited to page 100 or up to 10000 records (page * per_page)",
                "detail": "There are limits to the page depth in Offset Pagination. Please use Cursor Pagination instead: switch to page[size] and page[after].",
                "status": "400",
            }]}),
            ApiError::InvalidPaginationParameter(detail) => json!({"errors": [{
                "code": "InvalidPaginationParameter",
                "title": "Invalid pagination parameter",
                "detail": detail,
                "status": "400",
            }]}),
            ApiError::UpdateConflict => json!({
                "error": "UpdateConflict",
                "description": "Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.",
            }),
            ApiError::IdempotentRequestError => json!({
                "error": "IdempotentRequestError",
                "description": "Request parameters don't match the given idempotency key",
            }),
            ApiError::TooManyJobs {
                job_class,
                current_job_ids,
            } => json!({
                "error": "TooManyJobs",
                "description": format!("Too many {job_class} jobs are currently queued or running. Try again later."),
                "current_job_ids": current_job_ids,
            }),
            ApiError::Forbidden => json!({
                "error": "Forbidden",
                "description": "You do not have access to this page. Please contact the account owner of this help desk for further help.",
            }),
            ApiError::Unauthorized => json!({"error": "Couldn't authenticate you"}),
            ApiError::InvalidToken => json!({
                "error": "invalid_token",
                "error_description": "The access token provided is expired, revoked, malformed or invalid for other reasons.",
            }),
            ApiError::BadRequest { error, description } => {
                json!({"error": error, "description": description})
            }
            ApiError::SearchResponseLimit => json!({
                "error": "invalid",
                "description": "Invalid search: Requested response size was greater than Search Response Limits",
            }),
            ApiError::InvalidValue(description) => {
                json!({"error": "InvalidValue", "description": description})
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = json_response(self.status(), &self.body());
        match self {
            ApiError::Unauthorized => {
                resp.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"Web Password\""),
                );
            }
            ApiError::InvalidToken => {
                resp.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"Zendesk\", error=\"invalid_token\""),
                );
            }
            _ => {}
        }
        resp
    }
}

/// A JSON response with `Content-Type: application/json; charset=utf-8`.
pub(crate) fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    raw_json_response(status, bytes)
}

/// A response of already-serialized JSON.
pub(crate) fn raw_json_response(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut resp = (status, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    resp
}

/// Builds a JSON object field by field, serializing each value straight to text.
#[derive(Debug, Default)]
pub(crate) struct Obj(Vec<u8>);

impl Obj {
    /// An empty object.
    pub(crate) fn new() -> Self {
        Obj(b"{".to_vec())
    }

    /// Appends `"key": value`.
    pub(crate) fn field(mut self, key: &str, value: &impl Serialize) -> Self {
        if self.0.len() > 1 {
            self.0.push(b',');
        }
        // Serializing a &str or a Serialize value to a Vec cannot fail for our types;
        // fall back to null rather than panic.
        let _ = serde_json::to_writer(&mut self.0, key);
        self.0.push(b':');
        if serde_json::to_writer(&mut self.0, value).is_err() {
            self.0.extend_from_slice(b"null");
        }
        self
    }

    /// Finishes the object as a 200 response.
    pub(crate) fn ok(self) -> Response {
        self.respond(StatusCode::OK)
    }

    /// Finishes the object as a response with `status`.
    pub(crate) fn respond(mut self, status: StatusCode) -> Response {
        self.0.push(b'}');
        raw_json_response(status, self.0)
    }

    /// Finishes the object as bytes.
    pub(crate) fn into_bytes(mut self) -> Vec<u8> {
        self.0.push(b'}');
        self.0
    }
}
