//! Endpoint limits declared in the resource catalogue (`zdkit_catalog::Limit`): a
//! ticket's audits 500/min, views count/execute 5/min per view and agent, `views/count_many` 6 per
//! 5 minutes, tags 2000/min, ticket fields 300/min (list) and 75/min (update),
//! organization updates 5/min per organization, ticket deletes 400/min. Limits the
//! hand-written rules already charge (`tickets-index`, `tickets-update`,
//! `create-update-user`, `incremental-exports`) are skipped here.

use std::sync::OnceLock;

use http::Method;
use zdkit_catalog::{LimitOn, LimitScope};

use super::rules::{RequestKey, Rule};

/// Buckets charged by the hand-written rules in `rules.rs`.
const HAND_WRITTEN: &[&str] = &[
    "tickets-index",
    "tickets-update",
    "create-update-user",
    "incremental-exports",
];

struct Compiled {
    method: Method,
    /// Path segments under `/api/v2/`; `None` is a parameter.
    segs: Vec<Option<&'static str>>,
    /// The index of the segment holding the record id (the last parameter), if any.
    record: Option<usize>,
    limit: u32,
    window: u64,
    scope: LimitScope,
    bucket: &'static str,
    noun: &'static str,
}

fn method(m: zdkit_catalog::Method) -> Method {
    match m {
        zdkit_catalog::Method::Get => Method::GET,
        zdkit_catalog::Method::Post => Method::POST,
        zdkit_catalog::Method::Put => Method::PUT,
        zdkit_catalog::Method::Patch => Method::PATCH,
        zdkit_catalog::Method::Delete => Method::DELETE,
    }
}

fn compiled() -> &'static [Compiled] {
    static ALL: OnceLock<Vec<Compiled>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut out = Vec::new();
        for f in zdkit_catalog::FAMILIES {
            for l in f.limits {
                if HAND_WRITTEN.contains(&l.bucket) {
                    continue;
                }
                let (m, path) = match l.on {
                    LimitOn::Op(op) => match f.op_path(op) {
                        Some(p) => (method(f.op_method(op)), p),
                        None => continue,
                    },
                    LimitOn::Action(name) => match f.action(name) {
                        Some(a) => (method(a.method), a.path.to_string()),
                        None => continue,
                    },
                };
                let path: &'static str = Box::leak(path.into_boxed_str());
                let segs: Vec<Option<&'static str>> = path
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then_some(s))
                    .collect();
                let record = segs.iter().rposition(Option::is_none);
                let noun: &'static str = Box::leak(
                    format!("{} API requests", l.bucket.replace('-', " ")).into_boxed_str(),
                );
                out.push(Compiled {
                    method: m,
                    segs,
                    record,
                    limit: l.limit,
                    window: u64::from(l.window_secs),
                    scope: l.scope,
                    bucket: l.bucket,
                    noun,
                });
            }
        }
        out
    })
}

/// Appends the catalogue limits `req` (path under `/api/v2/`, split) is charged to.
pub(super) fn push(req: &RequestKey, segs: &[&str], out: &mut Vec<Rule>) {
    for c in compiled() {
        if c.method != req.method || c.segs.len() != segs.len() {
            continue;
        }
        let matches = c
            .segs
            .iter()
            .zip(segs)
            .all(|(want, got)| want.is_none_or(|w| w == *got));
        if !matches {
            continue;
        }
        let record = c
            .record
            .and_then(|i| segs[i].parse::<u64>().ok())
            .unwrap_or(0);
        let user = req.user_id.unwrap_or(0);
        let scope = match c.scope {
            LimitScope::Account => (0, 0),
            LimitScope::PerRecord => (record, 0),
            LimitScope::PerUserRecord => (user, record),
        };
        out.push(Rule {
            bucket: c.bucket,
            sub: c.bucket,
            limit: c.limit,
            window: c.window,
            scope,
            noun: c.noun,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::rules::{rules_for, DEFAULT_TICKETS_INDEX_RPM};
    use crate::limits::Plan;

    fn rules(method: Method, path: &str, user: u64) -> Vec<(&'static str, u32, u64, (u64, u64))> {
        let key = RequestKey::new(method, path, Some(user));
        rules_for(&key, Plan::Enterprise, DEFAULT_TICKETS_INDEX_RPM)
            .into_iter()
            .skip(1)
            .map(|r| (r.bucket, r.limit, r.window, r.scope))
            .collect()
    }

    #[test]
    fn catalogue_limits_apply_to_their_endpoints() {
        let audits = rules(Method::GET, "/api/v2/ticket_audits", 1);
        assert!(
            audits.is_empty(),
            "the account-wide audits are on the account limit only: {audits:?}"
        );
        assert_eq!(
            rules(Method::GET, "/api/v2/tickets/7/audits.json", 1),
            [("ticket-audits", 500, 60, (0, 0))]
        );
        assert_eq!(
            rules(Method::GET, "/api/v2/views/12/count", 3),
            [("views-count", 5, 60, (3, 12))]
        );
        assert_eq!(
            rules(Method::GET, "/api/v2/views/count_many", 3),
            [("views-count-many", 6, 300, (0, 0))]
        );
        assert_eq!(
            rules(Method::GET, "/api/v2/tags", 1),
            [("tags-index", 2000, 60, (0, 0))]
        );
        assert_eq!(
            rules(Method::PUT, "/api/v2/organizations/4", 1),
            [("organizations-update", 5, 60, (4, 0))]
        );
        assert_eq!(
            rules(Method::GET, "/api/v2/ticket_fields", 1),
            [("ticket-fields-index", 300, 60, (0, 0))]
        );
        // Hand-written buckets are not charged twice; other endpoints have none.
        assert_eq!(rules(Method::GET, "/api/v2/tickets", 1).len(), 1);
        assert!(rules(Method::GET, "/api/v2/views/12", 1).is_empty());
        assert!(rules(Method::GET, "/api/v2/macros", 1).is_empty());
    }
}
