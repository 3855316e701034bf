//! Uploads (`POST /api/v2/uploads`) and the attachments they become.

use bytes::Bytes;
use serde_json::{json, Value};

/// An uploaded file.
#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    pub id: u64,
    pub token: String,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
}

/// Uploaded files by attachment id, and the attachment ids of each upload token.
#[derive(Debug, Default)]
pub(crate) struct Uploads {
    pub files: std::collections::HashMap<u64, (Attachment, Bytes)>,
    pub tokens: std::collections::HashMap<String, Vec<u64>>,
    pub next_id: u64,
}

impl Uploads {
    /// The attachments of upload `token` (empty for an unknown token).
    pub(crate) fn attachments(&self, token: &str) -> Vec<Attachment> {
        self.tokens
            .get(token)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| self.files.get(id))
                    .map(|f| f.0.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Attachment {
    /// The wire form.
    pub(crate) fn to_json(&self, base: &str) -> Value {
        let content_url = format!(
            "{base}/attachments/token/{}/?name={}",
            self.token,
            crate::extract::enc(&self.file_name)
        );
        json!({
            "url": format!("{base}/api/v2/attachments/{}.json", self.id),
            "id": self.id,
            "file_name": self.file_name,
            "content_url": content_url,
            "mapped_content_url": content_url,
            "content_type": self.content_type,
            "size": self.size,
            "width": null,
            "height": null,
            "inline": false,
            "deleted": false,
            "malware_access_override": false,
            "malware_scan_result": "not_scanned",
            "thumbnails": [],
        })
    }
}
