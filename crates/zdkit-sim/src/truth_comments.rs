//! `GET /__sim/ground-truth/comments`: every comment ever written on any ticket (deleted
//! tickets' included), as `[id, created_at, ticket_id, ticket_deleted, ticket_archived]`
//! rows ordered by ticket then comment, for tests that check a mirror's comments exactly.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::data::table::Record as _;
use crate::error::JSON_CONTENT_TYPE;
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new().route("/__sim/ground-truth/comments", get(comments))
}

async fn comments(State(st): State<SimState>) -> Response {
    let s = st.seeds();
    let db = st.read();
    let mut out = String::from(
        "{\"fields\":[\"id\",\"created_at\",\"ticket_id\",\"ticket_deleted\",\"ticket_archived\"],\"comments\":[",
    );
    let mut first = true;
    for id in 1..=db.tickets.max_id() {
        let Some(t) = db.tickets.get_any(s, id) else {
            continue;
        };
        let deleted = t.deleted();
        let archived = st.is_archived(&db, id);
        for a in db.ticket_audits(s, &t) {
            let Some(c) = &a.comment else { continue };
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&format!(
                "[{},{},{id},{deleted},{archived}]",
                c.id, c.created_at
            ));
        }
    }
    out.push_str("]}");
    let mut resp = Response::new(axum::body::Body::from(out));
    resp.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    resp
}
