//! Ticket writes: create (with `Idempotency-Key`), update (`safe_update`), delete, and
//! the bulk endpoints that return a `job_status`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post, put};
use axum::{Extension, Router};
use serde_json::Value;

use crate::auth::Caller;
use crate::data::comments::Audit;
use crate::data::jobs::{JobOp, MAX_INFLIGHT};
use crate::data::tickets::{Ticket, TicketOut};
use crate::data::{writes, IdemEntry};
use crate::error::{raw_json_response, ApiError, Obj};
use crate::extract::{Base, PathIds, ZJson, Q};
use crate::state::SimState;

/// Idempotency keys live this long (virtual milliseconds).
const IDEMPOTENCY_TTL_MS: u64 = 2 * 3600 * 1000;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/tickets", post(create))
        .route("/api/v2/tickets/{id}", put(update).delete(destroy))
        .route("/api/v2/tickets/create_many", post(create_many))
        .route("/api/v2/tickets/update_many", put(update_many))
        .route("/api/v2/tickets/destroy_many", delete(destroy_many))
}

fn ticket_and_audit(base: &str, t: &Ticket, a: &Audit) -> Obj {
    let audit = serde_json::json!({
        "id": a.id, "ticket_id": a.ticket_id, "created_at": crate::data::gen::iso(a.created_at),
        "author_id": a.author_id, "metadata": {"system": {}, "custom": {}},
        "via": {"channel": a.channel, "source": {"from": {}, "to": {}, "rel": null}},
        "events": a.events_json(base),
    });
    Obj::new()
        .field("ticket", &TicketOut::plain(t, base))
        .field("audit", &audit)
}

/// The `ticket` of a write body (an object).
fn ticket_input(body: &Value) -> Result<Value, ApiError> {
    super::write_body::record(body, "ticket").map(|t| Value::Object(t.clone()))
}

async fn create(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    Base(base): Base,
    headers: HeaderMap,
    q: Q,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    if q.bool("async") {
        let input = ticket_input(&body)?;
        let now_ms = st.now_ms();
        let mut db = st.write();
        if let Err(e) = db.jobs.capacity(now_ms) {
            let mut resp = e.into_response();
            resp.headers_mut()
                .insert("zendesk-ratelimit-inflight-jobs", inflight_header(0));
            return Ok(resp);
        }
        let id = db.tickets.alloc_id();
        let job = db
            .jobs
            .enqueue(
                st.seeds(),
                now_ms,
                caller.user_id,
                "create_ticket",
                JobOp::CreateAsync(id, input),
            )?
            .to_json(&base, now_ms);
        let remaining = MAX_INFLIGHT.saturating_sub(db.jobs.inflight(now_ms).len());
        drop(db);
        let mut resp = Obj::new()
            .field("ticket", &serde_json::json!({"id": id}))
            .field("job_status", &job)
            .respond(StatusCode::ACCEPTED);
        resp.headers_mut().insert(
            "zendesk-ratelimit-inflight-jobs",
            inflight_header(remaining),
        );
        return Ok(resp);
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let input = &ticket_input(&body)?;
    let canonical = serde_json::to_vec(&canonical(&body)).unwrap_or_default();
    let s = st.seeds();
    let now_ms = st.now_ms();
    let mut db = st.write();
    if let Some(key) = &key {
        db.idempotency
            .retain(|_, e| now_ms < e.created_ms + IDEMPOTENCY_TTL_MS);
        if let Some(e) = db.idempotency.get(key) {
            if e.request != canonical {
                return Err(ApiError::IdempotentRequestError);
            }
            return Ok(created_response(e.body.clone(), &e.location, Some("hit")));
        }
    }
    let (t, a) = writes::create_ticket(&mut db, s, now_ms / 1000, caller.user_id, input)?;
    let bytes = ticket_and_audit(&base, &t, &a).into_bytes();
    let location = format!("{base}/api/v2/tickets/{}.json", t.id);
    if let Some(key) = key {
        db.idempotency.insert(
            key,
            IdemEntry {
                request: canonical,
                created_ms: now_ms,
                body: bytes.clone(),
                location: location.clone(),
            },
        );
        return Ok(created_response(bytes, &location, Some("miss")));
    }
    Ok(created_response(bytes, &location, None))
}

fn created_response(body: Vec<u8>, location: &str, lookup: Option<&'static str>) -> Response {
    let mut resp = raw_json_response(StatusCode::CREATED, body);
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert("location", v);
    }
    if let Some(l) = lookup {
        resp.headers_mut()
            .insert("x-idempotency-lookup", HeaderValue::from_static(l));
    }
    resp
}

async fn update(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    Base(base): Base,
    p: PathIds,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let input = &ticket_input(&body)?;
    let s = st.seeds();
    let now = st.now_secs();
    let mut db = st.write();
    let (t, a) = writes::update_ticket(&mut db, s, now, caller.user_id, id, input)?;
    Ok(ticket_and_audit(&base, &t, &a).ok())
}

async fn destroy(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    p: PathIds,
) -> Result<Response, ApiError> {
    let id = p.id(0)?;
    let now = st.now_secs();
    writes::delete_ticket(&mut st.write(), st.seeds(), now, caller.user_id, id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) fn too_many(what: &str) -> ApiError {
    ApiError::BadRequest {
        error: "TooManyValues".to_string(),
        description: format!("{what}: at most 100 records per request"),
    }
}

fn inflight_header(remaining: usize) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "total={MAX_INFLIGHT}; remaining={remaining}; resets=60"
    ))
    .unwrap_or(HeaderValue::from_static("total=30; remaining=0; resets=60"))
}

/// Enqueues a job and answers with its `job_status` and the in-flight header.
pub(crate) fn enqueue(
    st: &SimState,
    caller: &Caller,
    base: &str,
    job_type: &'static str,
    op: JobOp,
) -> Response {
    let now_ms = st.now_ms();
    let mut db = st.write();
    let result = db
        .jobs
        .enqueue(st.seeds(), now_ms, caller.user_id, job_type, op)
        .map(|j| j.to_json(base, now_ms));
    let remaining = MAX_INFLIGHT.saturating_sub(db.jobs.inflight(now_ms).len());
    drop(db);
    let mut resp = match result {
        Ok(job) => Obj::new().field("job_status", &job).ok(),
        Err(e) => e.into_response(),
    };
    resp.headers_mut().insert(
        "zendesk-ratelimit-inflight-jobs",
        inflight_header(remaining),
    );
    resp
}

async fn create_many(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    Base(base): Base,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let items = body
        .get("tickets")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| ApiError::invalid("tickets", "BlankValue", "Tickets: is missing"))?;
    if items.len() > 100 {
        return Err(too_many("create_many"));
    }
    Ok(enqueue(
        &st,
        &caller,
        &base,
        "bulk_create",
        JobOp::Create(items),
    ))
}

async fn update_many(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    Base(base): Base,
    q: Q,
    ZJson(body): ZJson,
) -> Result<Response, ApiError> {
    let (items, same) = super::write_body::updates(&q, &body, "ticket", "tickets")?;
    // One change for many ids applies to the tickets as they are when it runs.
    let op = JobOp::Update(items, same.then(|| st.now_secs()));
    Ok(enqueue(&st, &caller, &base, "bulk_update", op))
}

async fn destroy_many(
    State(st): State<SimState>,
    Extension(caller): Extension<Caller>,
    Base(base): Base,
    q: Q,
) -> Result<Response, ApiError> {
    let ids = q
        .ids("ids")?
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::invalid("ids", "BlankValue", "Ids: is missing"))?;
    if ids.len() > 100 {
        return Err(too_many("destroy_many"));
    }
    Ok(enqueue(
        &st,
        &caller,
        &base,
        "bulk_delete",
        JobOp::Destroy(ids),
    ))
}

/// The body with object keys sorted at every level, so that key order (which JSON does not
/// give meaning to) does not make two requests differ.
fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}
