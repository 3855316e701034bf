//! Macros beyond the generic collection: what applying one does.
//! `GET /api/v2/macros/{id}/apply` answers the changes the macro makes
//! (`{"result": {"ticket": {...changed fields}, "comment": {...}}}`), and
//! `GET /api/v2/tickets/{ticket_id}/macros/{id}/apply` the whole ticket after those
//! changes. Neither saves anything (Zendesk applies the result with a ticket update).
//! Actions understood: `status`, `priority`, `type`, `group_id`, `assignee_id`
//! (`current_user` is the caller), `subject`, `set_tags` (replace), `current_tags` (add),
//! `remove_tags`, `comment_value` / `comment_value_html`, `comment_mode_is_public`;
//! other actions are ignored.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use crate::auth::Caller;
use crate::data::coll::{ids, Ctx};
use crate::data::tickets::TicketOut;
use crate::error::{ApiError, Obj};
use crate::extract::{Base, PathIds};
use crate::state::SimState;

pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .route("/api/v2/macros/{id}/apply", get(apply))
        .route(
            "/api/v2/tickets/{id}/macros/{id2}/apply",
            get(apply_to_ticket),
        )
}

fn macro_actions(st: &SimState, raw: Option<&String>) -> Result<Vec<Value>, ApiError> {
    let f = zdkit_catalog::family("macros").expect("the catalogue has macros");
    let n = raw
        .and_then(|s| ids::parse(f, s))
        .ok_or(ApiError::RecordNotFound)?;
    let db = st.read();
    let cx = Ctx {
        s: st.seeds(),
        db: &db,
    };
    let m = db
        .colls
        .get("macros")
        .and_then(|c| c.get(cx, n))
        .ok_or(ApiError::RecordNotFound)?;
    Ok(m.get("actions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default())
}

fn words(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn id_value(v: &Value, caller: u64) -> Value {
    match v {
        Value::String(s) if s == "current_user" => json!(caller),
        Value::String(s) if s.is_empty() => Value::Null,
        Value::String(s) => s.parse::<u64>().map_or(json!(s), |n| json!(n)),
        other => other.clone(),
    }
}

/// The ticket changes and the comment of `actions`, given the ticket's current tags.
fn changes(
    actions: &[Value],
    caller: u64,
    tags: Option<&[String]>,
) -> (Map<String, Value>, Option<Value>) {
    let mut t = Map::new();
    let mut body: Option<(String, bool)> = None;
    let mut public = true;
    let mut new_tags: Option<Vec<String>> = tags.map(<[String]>::to_vec);
    let mut added: Vec<String> = Vec::new();
    for a in actions {
        let field = a["field"].as_str().unwrap_or("");
        let value = &a["value"];
        match field {
            "status" | "priority" | "type" | "subject" => {
                t.insert(field.into(), value.clone());
            }
            "group_id" | "assignee_id" => {
                t.insert(field.into(), id_value(value, caller));
            }
            "set_tags" => {
                new_tags = Some(words(value));
                added = words(value);
            }
            "current_tags" => {
                let w = words(value);
                added.extend(w.iter().cloned());
                new_tags.get_or_insert_with(Vec::new).extend(w);
            }
            "remove_tags" => {
                let w = words(value);
                if let Some(list) = new_tags.as_mut() {
                    list.retain(|x| !w.contains(x));
                }
                added.retain(|x| !w.contains(x));
            }
            "comment_value" => body = Some((words_text(value), false)),
            "comment_value_html" => body = Some((words_text(value), true)),
            "comment_mode_is_public" => public = value != "false" && value != &json!(false),
            _ => {}
        }
    }
    let tags_out = match (tags, new_tags) {
        (Some(_), Some(mut list)) => {
            list.sort();
            list.dedup();
            Some(list)
        }
        (None, _) if !added.is_empty() => Some(added),
        _ => None,
    };
    if let Some(list) = tags_out {
        t.insert("tags".into(), json!(list));
    }
    let comment = body.map(|(text, html)| {
        let html_body = if html { text.clone() } else { format!("<div class=\"zd-comment\"><p>{}</p></div>", escape(&text)) };
        json!({"body": text, "html_body": html_body, "scoped_body": [["channel:all", text]], "public": public})
    });
    (t, comment)
}

fn words_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

async fn apply(
    State(st): State<SimState>,
    Extension(c): Extension<Caller>,
    p: PathIds,
) -> Result<Response, ApiError> {
    let actions = macro_actions(&st, p.0.first())?;
    let (ticket, comment) = changes(&actions, c.user_id, None);
    let mut result = Map::new();
    result.insert("ticket".into(), Value::Object(ticket));
    if let Some(c) = comment {
        result.insert("comment".into(), c);
    }
    Ok(Obj::new().field("result", &result).ok())
}

async fn apply_to_ticket(
    State(st): State<SimState>,
    Extension(c): Extension<Caller>,
    Base(base): Base,
    p: PathIds,
) -> Result<Response, ApiError> {
    let tid = p.id(0)?;
    let actions = macro_actions(&st, p.0.get(1))?;
    let t = {
        let db = st.read();
        db.tickets
            .get(st.seeds(), tid)
            .ok_or(ApiError::RecordNotFound)?
    };
    let (changed, comment) = changes(&actions, c.user_id, Some(&t.tags));
    let mut ticket = serde_json::to_value(TicketOut::plain(&t, &base)).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut ticket {
        m.extend(changed);
    }
    let mut result = Map::new();
    result.insert("ticket".into(), ticket);
    if let Some(c) = comment {
        result.insert("comment".into(), c);
    }
    Ok(Obj::new().field("result", &result).ok())
}
