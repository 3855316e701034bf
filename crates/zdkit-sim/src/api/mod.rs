//! The Zendesk API: one module per resource, each with its `router()`.

mod comments;
mod definitions;
mod generic;
pub(crate) mod generic_list;
mod generic_read;
mod generic_write;
mod incremental;
mod jobs;
mod literals;
mod macros;
mod metric_events;
mod org_writes;
mod orgs;
pub(crate) mod paging;
mod search;
mod search_export;
mod search_query;
mod tags;
mod ticket_audits;
mod ticket_writes;
mod tickets;
mod uploads;
mod users;
mod views;
pub(crate) mod webhooks;
mod write_body;

use std::collections::BTreeSet;

use axum::Router;

use serde_json::Value;

use crate::data::extras;
use crate::data::tickets::{Ticket, TicketOut};
use crate::data::users::User;
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
        .merge(org_writes::router())
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
        .merge(definitions::router())
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

/// The ticket sideloads the simulator serves (`include=`), for tickets, show_many,
/// show, the incremental ticket export and search (`tickets(...)`):
/// * `users`, `groups`, `organizations`: top-level arrays of the records the tickets
///   point at (deduplicated, ascending id);
/// * `metric_sets`, `ticket_metrics`: top-level arrays of the tickets' metric sets
///   (`TicketMetricObject`); on the incremental export `metric_sets` instead embeds a
///   `metric_set` in each ticket, which is what Zendesk does and tap-zendesk reads;
/// * `last_audits`: a top-level array of each ticket's latest audit (not on exports);
/// * `dates`: a `dates` object embedded in each ticket;
/// * `comment_count`: a `comment_count` number embedded in each ticket.
///
/// Unknown names are ignored, as Zendesk does.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sideloads {
    users: bool,
    groups: bool,
    organizations: bool,
    metric_sets: bool,
    ticket_metrics: bool,
    last_audits: bool,
    dates: bool,
    comment_count: bool,
    /// Embed `metric_set` per ticket instead of a top-level array (incremental export).
    embed_metrics: bool,
}

impl Sideloads {
    /// The sideloads named in `inc`.
    pub(crate) fn parse(inc: &[String]) -> Self {
        let has = |name: &str| inc.iter().any(|i| i == name);
        Sideloads {
            users: has("users"),
            groups: has("groups"),
            organizations: has("organizations"),
            metric_sets: has("metric_sets"),
            ticket_metrics: has("ticket_metrics"),
            last_audits: has("last_audits"),
            dates: has("dates"),
            comment_count: has("comment_count"),
            embed_metrics: false,
        }
    }

    /// As on the incremental ticket export: `metric_set` embedded, no `last_audits`.
    pub(crate) fn for_export(mut self) -> Self {
        self.embed_metrics = true;
        self.last_audits = false;
        self
    }
}

/// Serializes tickets with their sideloads ([`Sideloads`]) under `key`.
pub(crate) fn tickets_with_sideloads(
    obj: Obj,
    key: &str,
    db: &Db,
    s: &Seeds,
    base: &str,
    list: &[Ticket],
    inc: &[String],
) -> Obj {
    render_tickets(obj, key, db, s, base, list, Sideloads::parse(inc))
}

/// `{"ticket": …}` of `show`, with its sideloads.
pub(crate) fn ticket_with_sideloads(
    obj: Obj,
    db: &Db,
    s: &Seeds,
    base: &str,
    t: &Ticket,
    inc: &[String],
) -> Obj {
    let side = Sideloads::parse(inc);
    let obj = obj.field("ticket", &ticket_out(s, base, t, side));
    sideloads_with(obj, db, s, base, std::slice::from_ref(t), side)
}

fn ticket_out<'a>(s: &Seeds, base: &'a str, t: &'a Ticket, side: Sideloads) -> TicketOut<'a> {
    TicketOut {
        t,
        base,
        comment_count: side.comment_count,
        metric_set: (side.embed_metrics && side.metric_sets && !t.deleted)
            .then(|| extras::metric_set(s, t, base)),
        dates: side.dates.then(|| extras::dates(s, t)),
    }
}

/// Serializes tickets with the sideloads `side` under `key`.
pub(crate) fn render_tickets(
    obj: Obj,
    key: &str,
    db: &Db,
    s: &Seeds,
    base: &str,
    list: &[Ticket],
    side: Sideloads,
) -> Obj {
    let out: Vec<TicketOut<'_>> = list.iter().map(|t| ticket_out(s, base, t, side)).collect();
    let obj = obj.field(key, &out);
    sideloads_with(obj, db, s, base, list, side)
}

/// Appends the `users`, `groups` and `organizations` sideload arrays (deduplicated).
pub(crate) fn sideloads(
    obj: Obj,
    db: &Db,
    s: &Seeds,
    base: &str,
    list: &[Ticket],
    inc: &[String],
) -> Obj {
    sideloads_with(obj, db, s, base, list, Sideloads::parse(inc))
}

/// Appends the top-level sideload arrays of `side`.
fn sideloads_with(
    mut obj: Obj,
    db: &Db,
    s: &Seeds,
    base: &str,
    list: &[Ticket],
    side: Sideloads,
) -> Obj {
    if side.users {
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
    if side.groups {
        let ids: BTreeSet<u64> = list.iter().filter_map(|t| t.group_id).collect();
        let groups: Vec<_> = ids
            .into_iter()
            .filter_map(|id| db.groups.get(s, id))
            .map(|g| g.to_json(base))
            .collect();
        obj = obj.field("groups", &groups);
    }
    if side.organizations {
        let ids: BTreeSet<u64> = list.iter().filter_map(|t| t.organization_id).collect();
        let orgs: Vec<_> = ids
            .into_iter()
            .filter_map(|id| db.orgs.get(s, id))
            .map(|o| o.to_json(base))
            .collect();
        obj = obj.field("organizations", &orgs);
    }
    let metrics = || -> Vec<extras::MetricSet<'_>> {
        list.iter()
            .filter(|t| !t.deleted)
            .map(|t| extras::metric_set(s, t, base))
            .collect()
    };
    if side.metric_sets && !side.embed_metrics {
        obj = obj.field("metric_sets", &metrics());
    }
    if side.ticket_metrics {
        obj = obj.field("ticket_metrics", &metrics());
    }
    if side.last_audits {
        let audits: Vec<Value> = list
            .iter()
            .filter_map(|t| db.ticket_audits(s, t).pop())
            .map(|a| a.to_json(base))
            .collect();
        obj = obj.field("last_audits", &audits);
    }
    obj
}

/// Serializes users with their sideloads ([`user_sideloads`]) under `key`.
pub(crate) fn users_with_sideloads(
    obj: Obj,
    key: &str,
    db: &Db,
    s: &Seeds,
    base: &str,
    users: &[User],
    inc: &[String],
) -> Obj {
    let out: Vec<Value> = users.iter().map(|u| u.to_json(base)).collect();
    user_sideloads(obj.field(key, &out), db, s, base, users, inc)
}

/// Appends the user sideloads named in `inc`: `identities` (each user's email and phone
/// identities), `organizations` (the users' organizations) and `groups` (the agents'
/// default groups), as top-level arrays, deduplicated. Unknown names are ignored.
pub(crate) fn user_sideloads(
    mut obj: Obj,
    db: &Db,
    s: &Seeds,
    base: &str,
    users: &[User],
    inc: &[String],
) -> Obj {
    let has = |name: &str| inc.iter().any(|i| i == name);
    if has("identities") {
        let ids: Vec<Value> = users
            .iter()
            .flat_map(|u| extras::identities(u, base))
            .collect();
        obj = obj.field("identities", &ids);
    }
    if has("organizations") {
        let ids: BTreeSet<u64> = users.iter().filter_map(|u| u.organization_id).collect();
        let orgs: Vec<_> = ids
            .into_iter()
            .filter_map(|id| db.orgs.get(s, id))
            .map(|o| o.to_json(base))
            .collect();
        obj = obj.field("organizations", &orgs);
    }
    if has("groups") {
        let ids: BTreeSet<u64> = users
            .iter()
            .filter(|u| u.role != "end-user")
            .filter_map(|u| u.default_group_id)
            .collect();
        let groups: Vec<_> = ids
            .into_iter()
            .filter_map(|id| db.groups.get(s, id))
            .map(|g| g.to_json(base))
            .collect();
        obj = obj.field("groups", &groups);
    }
    obj
}
