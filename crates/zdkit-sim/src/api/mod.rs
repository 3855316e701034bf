//! The Zendesk API: one module per resource, each with its `router()`.

mod comments;
mod generic;
pub(crate) mod generic_list;
mod incremental;
mod jobs;
mod literals;
mod macros;
mod metric_events;
mod orgs;
pub(crate) mod paging;
mod search;
mod search_query;
mod tags;
mod ticket_audits;
mod ticket_writes;
mod tickets;
mod uploads;
mod users;
mod views;
pub(crate) mod webhooks;

use std::collections::BTreeSet;

use axum::Router;

use crate::data::tickets::{Ticket, TicketOut};
use crate::data::{Db, Seeds};
use crate::error::Obj;
use crate::state::SimState;

/// Every `/api/v2` route.
pub(crate) fn router() -> Router<SimState> {
    Router::new()
        .merge(tickets::router())
        .merge(ticket_writes::router())
        .merge(comments::router())
        .merge(users::router())
        .merge(orgs::router())
        .merge(incremental::router())
        .merge(jobs::router())
        .merge(search::router())
        .merge(uploads::router())
        .merge(generic::router())
        .merge(literals::router())
        .merge(webhooks::router())
        .merge(tags::router())
        .merge(views::router())
        .merge(macros::router())
        .merge(ticket_audits::router())
        .merge(metric_events::router())
}

/// The name of the `i`-th path parameter in the simulator's routes: `id`, `id2`, `id3`.
/// (The router needs one name per position under a common prefix.)
pub(crate) fn param_name(i: usize) -> String {
    if i == 0 {
        "id".to_string()
    } else {
        format!("id{}", i + 1)
    }
}

/// A catalogue path template (`users/{user_id}/identities/{user_identity_id}`) with the
/// router's parameter names (`users/{id}/identities/{id2}`).
pub(crate) fn axum_path(template: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push('{');
        out.push_str(&param_name(i));
        out.push('}');
        i += 1;
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Serializes tickets with their sideloads (`include=users,groups,organizations`,
/// `comment_count`) under `key`.
pub(crate) fn tickets_with_sideloads(
    obj: Obj,
    key: &str,
    db: &Db,
    s: &Seeds,
    base: &str,
    list: &[Ticket],
    inc: &[String],
) -> Obj {
    let cc = inc.iter().any(|i| i == "comment_count");
    let out: Vec<TicketOut<'_>> = list
        .iter()
        .map(|t| TicketOut {
            t,
            base,
            comment_count: cc,
        })
        .collect();
    let obj = obj.field(key, &out);
    sideloads(obj, db, s, base, list, inc)
}

/// Appends the `users`, `groups` and `organizations` sideload arrays (deduplicated).
pub(crate) fn sideloads(
    mut obj: Obj,
    db: &Db,
    s: &Seeds,
    base: &str,
    list: &[Ticket],
    inc: &[String],
) -> Obj {
    let has = |name: &str| inc.iter().any(|i| i == name);
    if has("users") {
        let mut ids = BTreeSet::new();
        for t in list {
            ids.insert(t.requester_id);
            ids.insert(t.submitter_id);
            ids.extend(t.assignee_id);
            ids.extend(t.collaborator_ids.iter().copied());
        }
        let users: Vec<_> = ids
            .into_iter()
            .filter_map(|id| db.users.get(s, id))
            .map(|u| u.to_json(base))
            .collect();
        obj = obj.field("users", &users);
    }
    if has("groups") {
        let ids: BTreeSet<u64> = list.iter().filter_map(|t| t.group_id).collect();
        let groups: Vec<_> = ids
            .into_iter()
            .filter_map(|id| db.groups.get(s, id))
            .map(|g| g.to_json(base))
            .collect();
        obj = obj.field("groups", &groups);
    }
    if has("organizations") {
        let ids: BTreeSet<u64> = list.iter().filter_map(|t| t.organization_id).collect();
        let orgs: Vec<_> = ids
            .into_iter()
            .filter_map(|id| db.orgs.get(s, id))
            .map(|o| o.to_json(base))
            .collect();
        obj = obj.field("organizations", &orgs);
    }
    obj
}
