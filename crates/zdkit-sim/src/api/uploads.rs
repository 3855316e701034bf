//! `POST /api/v2/uploads?filename=`: files that a later comment attaches with
//! `"uploads": [token]`; `GET /api/v2/attachments/{id}`; the content URL.

use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;

use crate::data::gen::hash;
use crate::data::uploads::Attachment;
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, Q};
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/uploads", post(upload))
        .route("/api/v2/attachments/{id}", get(show))
        .route("/attachments/token/{token}", get(content))
        .route("/attachments/token/{token}/", get(content))
}

async fn upload(
    State(st): State<SimState>,
    Base(base): Base,
    headers: HeaderMap,
    q: Q,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|e| ApiError::BadRequest {
        error: "InvalidRequestBody".to_string(),
        description: e.body_text(),
    })?;
    let file_name = q
        .get("filename")
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("filename", "BlankValue", "Filename: cannot be blank"))?
        .to_string();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/binary")
        .to_string();
    let mut db = st.write();
    let uploads = &mut db.uploads;
    uploads.next_id += 1;
    let id = uploads.next_id;
    let token = match q.get("token") {
        Some(t) if uploads.tokens.contains_key(t) => t.to_string(),
        _ => format!("{:016x}", hash(st.seeds().seed, 7, id, 1)),
    };
    let attachment = Attachment {
        id,
        token: token.clone(),
        file_name,
        content_type,
        size: body.len() as u64,
    };
    uploads.files.insert(id, (attachment.clone(), body));
    uploads.tokens.entry(token.clone()).or_default().push(id);
    let all: Vec<_> = uploads
        .attachments(&token)
        .iter()
        .map(|a| a.to_json(&base))
        .collect();
    let expires = crate::data::gen::iso(st.now_secs() + 3 * 86_400);
    Ok(Obj::new()
        .field(
            "upload",
            &serde_json::json!({"token": token, "expires_at": expires, "attachment": attachment.to_json(&base), "attachments": all}),
        )
        .respond(StatusCode::CREATED))
}

async fn show(
    State(st): State<SimState>,
    Base(base): Base,
    p: PathIds,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let db = st.read();
    let (a, _) = db.uploads.files.get(&id).ok_or(ApiError::RecordNotFound)?;
    Ok(Obj::new().field("attachment", &a.to_json(&base)).ok())
}

async fn content(State(st): State<SimState>, p: PathIds, q: Q) -> Result<Response, ApiError> {
    let token = p.0.first().cloned().unwrap_or_default();
    let db = st.read();
    let ids = db
        .uploads
        .tokens
        .get(&token)
        .ok_or(ApiError::RecordNotFound)?;
    let name = q.get("name");
    let (a, bytes) = ids
        .iter()
        .filter_map(|id| db.uploads.files.get(id))
        .find(|(a, _)| name.is_none_or(|n| n == a.file_name))
        .ok_or(ApiError::RecordNotFound)?;
    let mut resp = bytes.clone().into_response();
    if let Ok(v) = HeaderValue::from_str(&a.content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    Ok(resp)
}
