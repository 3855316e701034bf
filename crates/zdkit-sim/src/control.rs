//! The run-time controls of `/__sim/`: clock, faults, stats and limits.
//!
//! * `GET /__sim/clock` → `{"now": <unix secs>, "now_f64": <unix secs>, "scale": <f64>,
//!   "advanceable": <bool>}`; `POST {"advance_secs": N}` jumps virtual time forward (only
//!   when the simulator built its own `ScaledClock`; 409 for a clock passed in
//!   `SimConfig::clock`, which its owner advances).
//! * `GET /__sim/faults` → the [`FaultPlan`]; `PUT`/`POST` a plan to replace it (storm
//!   windows restart from now); 400 on an invalid plan.
//! * `GET /__sim/stats` → [`Stats::snapshot`](crate::stats::Stats::snapshot);
//!   `DELETE`/`POST` zeroes it.
//! * `GET /__sim/limits` → [`LimitsSnapshot`](crate::limits::LimitsSnapshot);
//!   `PUT`/`POST {"plan"?, "background_rpm"?, "tickets_index_rpm"?, "reset"?}` changes the
//!   settings; `DELETE` refills every bucket.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::FaultPlan;
use crate::limits::Plan;
use crate::state::SimState;

/// The clock, faults, stats and limits routes.
pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/__sim/clock", get(clock).post(advance))
        .route(
            "/__sim/faults",
            get(faults).put(set_faults).post(set_faults),
        )
        .route(
            "/__sim/stats",
            get(stats).delete(reset_stats).post(reset_stats),
        )
        .route(
            "/__sim/limits",
            get(limits)
                .put(set_limits)
                .post(set_limits)
                .delete(reset_limits),
        )
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn bad(status: StatusCode, error: &str, description: impl std::fmt::Display) -> Response {
    let body = json!({"error": error, "description": description.to_string()});
    (status, Json(body)).into_response()
}

fn clock_json(st: &SimState) -> Value {
    let now = st.clock().now();
    json!({
        "now": now.unix_secs(),
        "now_f64": now.unix_secs_f64(),
        "scale": st.clock().time_scale(),
        "advanceable": st.clock_advanceable(),
    })
}

async fn clock(State(st): State<SimState>) -> Json<Value> {
    Json(clock_json(&st))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    advance_secs: f64,
}

async fn advance(State(st): State<SimState>, body: Bytes) -> Response {
    let req: Advance = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad(StatusCode::BAD_REQUEST, "InvalidValue", e),
    };
    let Ok(by) = Duration::try_from_secs_f64(req.advance_secs) else {
        return bad(
            StatusCode::BAD_REQUEST,
            "InvalidValue",
            "advance_secs must be a non-negative number",
        );
    };
    if !st.advance_clock(by) {
        return bad(
            StatusCode::CONFLICT,
            "ClockNotAdvanceable",
            "the clock was passed in SimConfig::clock; advance it directly",
        );
    }
    Json(clock_json(&st)).into_response()
}

async fn faults(State(st): State<SimState>) -> Json<FaultPlan> {
    Json(lock(st.faults()).plan().clone())
}

async fn set_faults(State(st): State<SimState>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    match FaultPlan::from_json_str(&text) {
        Ok(plan) => {
            lock(st.faults()).set_plan(plan.clone(), st.clock().now());
            Json(plan).into_response()
        }
        Err(e) => bad(StatusCode::BAD_REQUEST, "InvalidFaultPlan", e),
    }
}

async fn stats(State(st): State<SimState>) -> Json<Value> {
    Json(st.stats().snapshot())
}

async fn reset_stats(State(st): State<SimState>) -> Json<Value> {
    st.stats().reset();
    Json(st.stats().snapshot())
}

fn limits_json(st: &SimState) -> Value {
    let snap = lock(st.limiter()).snapshot(st.clock().now());
    serde_json::to_value(snap).unwrap_or_default()
}

async fn limits(State(st): State<SimState>) -> Json<Value> {
    Json(limits_json(&st))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsUpdate {
    plan: Option<Plan>,
    background_rpm: Option<u32>,
    tickets_index_rpm: Option<u32>,
    #[serde(default)]
    reset: bool,
}

async fn set_limits(State(st): State<SimState>, body: Bytes) -> Response {
    let update: LimitsUpdate = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => return bad(StatusCode::BAD_REQUEST, "InvalidValue", e),
    };
    {
        let mut l = lock(st.limiter());
        let mut s = l.settings();
        s.plan = update.plan.unwrap_or(s.plan);
        s.background_rpm = update.background_rpm.unwrap_or(s.background_rpm);
        s.tickets_index_rpm = update.tickets_index_rpm.unwrap_or(s.tickets_index_rpm);
        l.set_settings(s);
        if update.reset {
            l.reset();
        }
    }
    Json(limits_json(&st)).into_response()
}

async fn reset_limits(State(st): State<SimState>) -> Json<Value> {
    lock(st.limiter()).reset();
    Json(limits_json(&st))
}
