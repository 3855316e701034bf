//! Zendesk error bodies (zendesk-api.md §2): the classic
//! `{"error", "description", "details"}` envelope and the JSON:API-style
//! `{"errors": [{code, title, detail, …}]}` one. The one typed error body: the client
//! decodes every non-2xx JSON body into [`ErrorBody`] and takes [`crate::ApiError`]'s code,
//! description and per-field details from it.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

/// One problem with one field of a 422 `RecordInvalid` (`details.<field>[]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldError {
    /// The error code (`BlankValue`, `DuplicateValue`, …); Zendesk's docs sometimes call
    /// it `type` (`blank`, `invalid`), accepted here too.
    #[serde(alias = "type", default)]
    pub error: Option<String>,
    /// The human text.
    #[serde(default)]
    pub description: Option<String>,
    /// The custom field id, for custom fields reported under `base`.
    #[serde(default)]
    pub field_key: Option<Value>,
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
    /// The error code: `error` if it is a string, else `error.title` if it is an object,
    /// else the first `errors[].code`, else its `title`.
    pub fn code(&self) -> Option<&str> {
        let from_error = match &self.error {
            Some(Value::String(s)) => Some(s.as_str()),
            Some(Value::Object(o)) => o.get("title").and_then(Value::as_str),
            _ => None,
        };
        from_error.or_else(|| {
            let first = self.errors.as_ref()?.first()?;
            first.code.as_deref().or(first.title.as_deref())
        })
    }

    /// The human-readable message: `error.message` (the object form), else
    /// `description`, else `error_description` (OAuth), else the first
    /// `errors[].detail`, else its `title`.
    pub fn message(&self) -> Option<&str> {
        if let Some(Value::Object(o)) = &self.error {
            if let Some(m) = o.get("message").and_then(Value::as_str) {
                return Some(m);
            }
        }
        if let Some(d) = self
            .description
            .as_deref()
            .or(self.error_description.as_deref())
        {
            return Some(d);
        }
        let first = self.errors.as_ref()?.first()?;
        first.detail.as_deref().or(first.title.as_deref())
    }

    /// The validation problems of `details`, typed: field name (or `base`) → problems. A
    /// field given one object instead of a list counts as a list of one; entries that do
    /// not decode are skipped.
    pub fn field_errors(&self) -> BTreeMap<String, Vec<FieldError>> {
        let mut out = BTreeMap::new();
        for (field, problems) in self.details.iter().flatten() {
            let list = match problems {
                Value::Array(items) => items
                    .iter()
                    .filter_map(|i| serde_json::from_value::<FieldError>(i.clone()).ok())
                    .collect(),
                other => serde_json::from_value::<FieldError>(other.clone())
                    .map(|e| vec![e])
                    .unwrap_or_default(),
            };
            out.insert(field.clone(), list);
        }
        out
    }
}
