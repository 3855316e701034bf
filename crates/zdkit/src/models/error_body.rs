//! Zendesk error bodies (zendesk-api.md §2): the classic
//! `{"error", "description", "details"}` envelope and the JSON:API-style
//! `{"errors": [{code, title, detail, …}]}` one. The client's error type can decode a
//! non-2xx JSON body into [`ErrorBody`] to extract a code and message.

use serde_json::{Map, Value};

model! {
    /// One entry of `details.<field>`: `{"description", "error" | "type", "field_key"?}`.
    pub struct ErrorDetail {
        /// Human-readable message.
        opt description: String,
        /// Code (`BlankValue`, `InvalidValue`, `DuplicateValue`, …).
        opt error: String,
        /// Older form of the code (`blank`, `invalid`).
        opt detail_type: String = "type",
        /// Custom field id (under `base`).
        opt field_key: Value,
    }
}

model! {
    /// One item of a JSON:API-style `errors` array.
    pub struct ApiError {
        /// Code (`InvalidPaginationDepth`, …).
        opt code: String,
        /// Title.
        opt title: String,
        /// Detail.
        opt detail: String,
        /// HTTP status as a string.
        opt status: String,
        /// Source pointer.
        opt source: Value,
        /// Error id.
        opt id: String,
    }
}

model! {
    /// A Zendesk error body, either envelope.
    pub struct ErrorBody {
        /// A code string (`RecordInvalid`), or an object (`{"title", "message"}`) on
        /// some 403s.
        opt error: Value,
        /// Human-readable description.
        opt description: String,
        /// OAuth errors: description.
        opt error_description: String,
        /// Validation details: field name (or `base`) → problems.
        opt details: Map<String, Value>,
        /// JSON:API-style errors.
        opt errors: Vec<ApiError>,
    }
}

impl ErrorBody {
    /// The error code: `error` if it is a string, `error.title` if an object, else the
    /// first `errors[].code`.
    pub fn code(&self) -> Option<&str> {
        match &self.error {
            Some(Value::String(s)) => Some(s),
            Some(Value::Object(o)) => o.get("title").and_then(Value::as_str),
            _ => self.errors.as_ref()?.first()?.code.as_deref(),
        }
    }

    /// The human-readable message: `description`, `error.message`,
    /// `error_description` or the first `errors[].detail`/`title`.
    pub fn message(&self) -> Option<&str> {
        if let Some(d) = &self.description {
            return Some(d);
        }
        if let Some(Value::Object(o)) = &self.error {
            if let Some(m) = o.get("message").and_then(Value::as_str) {
                return Some(m);
            }
        }
        if let Some(d) = &self.error_description {
            return Some(d);
        }
        let first = self.errors.as_ref()?.first()?;
        first.detail.as_deref().or(first.title.as_deref())
    }

    /// The validation problems of `details`, typed (entries that do not decode are
    /// skipped).
    pub fn field_errors(&self) -> Vec<(&str, ErrorDetail)> {
        let mut out = Vec::new();
        for (field, list) in self.details.iter().flatten() {
            for item in list.as_array().into_iter().flatten() {
                if let Ok(d) = serde_json::from_value::<ErrorDetail>(item.clone()) {
                    out.push((field.as_str(), d));
                }
            }
        }
        out
    }
}
