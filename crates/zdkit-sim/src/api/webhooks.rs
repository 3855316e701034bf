//! Webhooks beyond the generic collection: each webhook's signing secret
//! (`GET /api/v2/webhooks/{id}/signing_secret`, and `POST` to reset it). Secrets are
//! derived from `(seed, webhook, generation)`, so they are stable until reset.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use base64::Engine;
use serde_json::json;

use super::paging::{envelope, Envelope};
use crate::data::coll::{ids, Ctx};
use crate::data::gen::hash;
use crate::data::gen::iso;
use crate::data::{Db, Seeds};
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds, Q};
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route(
            "/api/v2/webhooks/{id}/signing_secret",
            get(show_secret).post(reset_secret),
        )
        .route("/api/v2/webhooks/{id}/invocations", get(invocations))
}

/// `GET /api/v2/webhooks/{id}/invocations`: the deliveries of this webhook (the last
/// `delivery::INVOCATIONS_KEPT`), newest first, on one cursor page.
async fn invocations(
    State(st): State<SimState>,
    Base(base): Base,
    q: Q,
    p: PathIds,
) -> Result<Response, ApiError> {
    let wire = {
        let db = st.read();
        let n = webhook(&st, &db, &p)?;
        ids::render(family(), n)
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let list: Vec<serde_json::Value> = st
        .outbox()
        .invocations(&wire)
        .iter()
        .map(|i| {
            json!({"id": i.id, "created_at": iso(i.created_at),
                   "latest_completed_at": i.completed_at.map(iso),
                   "status": i.status, "status_code": i.status_code})
        })
        .collect();
    let e = Envelope::Cursor {
        size: crate::delivery::INVOCATIONS_KEPT,
        has_more: false,
        after: None,
        before: None,
        legacy: false,
    };
    let path = format!("/api/v2/webhooks/{wire}/invocations");
    Ok(envelope(
        Obj::new().field("invocations", &list),
        &e,
        &base,
        &path,
        &q,
        &[],
    )
    .ok())
}

fn family() -> &'static zdkit_catalog::Family {
    zdkit_catalog::family("webhooks").expect("the catalogue has webhooks")
}

fn derive(s: &Seeds, n: u64, generation: u64) -> String {
    let mut bytes = Vec::with_capacity(32);
    for i in 0..4 {
        bytes.extend_from_slice(&hash(s.seed, 0x5EC2E7, n, generation * 8 + i).to_le_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The signing secret of webhook record `n` (what deliveries are signed with).
pub(crate) fn secret(db: &Db, s: &Seeds, n: u64) -> String {
    db.webhook_secrets
        .get(&n)
        .cloned()
        .unwrap_or_else(|| derive(s, n, 0))
}

fn webhook(st: &SimState, db: &Db, p: &PathIds) -> Result<u64, ApiError> {
    let f = family();
    let n =
        p.0.first()
            .and_then(|s| ids::parse(f, s))
            .ok_or(ApiError::RecordNotFound)?;
    let cx = Ctx { s: st.seeds(), db };
    db.colls
        .get(f.name)
        .and_then(|c| c.get(cx, n))
        .map(|_| n)
        .ok_or(ApiError::RecordNotFound)
}

fn body(secret: &str) -> Obj {
    Obj::new().field(
        "signing_secret",
        &json!({"algorithm": "SHA256", "secret": secret}),
    )
}

async fn show_secret(State(st): State<SimState>, p: PathIds) -> Result<Response, ApiError> {
    let db = st.read();
    let n = webhook(&st, &db, &p)?;
    Ok(body(&secret(&db, st.seeds(), n)).ok())
}

async fn reset_secret(State(st): State<SimState>, p: PathIds) -> Result<Response, ApiError> {
    let mut db = st.write();
    let n = webhook(&st, &db, &p)?;
    let generation = st.now_ms() / 1000 + u64::from(db.webhook_secrets.contains_key(&n));
    let new = derive(st.seeds(), n, generation);
    db.webhook_secrets.insert(n, new.clone());
    Ok(body(&new).respond(StatusCode::CREATED))
}
