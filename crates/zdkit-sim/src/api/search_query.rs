//! A useful subset of Zendesk's search query language.

use crate::data::gen::parse_date;
use crate::data::tickets::{Ticket, PRIORITIES, STATUSES};
use crate::data::users::User;
use crate::data::{Db, Seeds};

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn test(self, a: u64, b: u64) -> bool {
        match self {
            Op::Eq => a == b,
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
        }
    }

    /// Compares a timestamp with a day or instant (`Eq` on a day means "that day").
    fn test_time(self, t: u64, at: u64, whole_day: bool) -> bool {
        match (self, whole_day) {
            (Op::Eq, true) => t >= at && t < at + 86_400,
            (Op::Gt, true) => t >= at + 86_400,
            (Op::Le, true) => t < at + 86_400,
            _ => self.test(t, at),
        }
    }
}

/// One condition of a query.
#[derive(Debug, Clone)]
pub(crate) enum Cond {
    Status(Op, u64),
    Priority(Op, u64),
    Tag(String),
    Requester(u64),
    Assignee(Option<u64>),
    Group(u64),
    Organization(u64),
    TicketType(String),
    ExternalId(String),
    Role(String),
    Created(Op, u64, bool),
    Updated(Op, u64, bool),
}

/// A parsed query.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    pub kind: Option<String>,
    /// `order_by:` in the query.
    pub order_by: Option<String>,
    /// `sort:asc|desc` in the query.
    pub sort: Option<String>,
    pub conds: Vec<Cond>,
    pub words: Vec<String>,
}

fn split_op(token: &str) -> Option<(&str, Op, &str)> {
    let i = token.find([':', '<', '>'])?;
    let (key, rest) = token.split_at(i);
    let (op, value) = if let Some(v) = rest.strip_prefix("<=").or_else(|| rest.strip_prefix(":<="))
    {
        (Op::Le, v)
    } else if let Some(v) = rest.strip_prefix(">=").or_else(|| rest.strip_prefix(":>=")) {
        (Op::Ge, v)
    } else if let Some(v) = rest.strip_prefix('<').or_else(|| rest.strip_prefix(":<")) {
        (Op::Lt, v)
    } else if let Some(v) = rest.strip_prefix('>').or_else(|| rest.strip_prefix(":>")) {
        (Op::Gt, v)
    } else {
        (Op::Eq, &rest[1..])
    };
    Some((key, op, value.trim_matches('"')))
}

fn user_ref(db: &Db, s: &Seeds, v: &str) -> u64 {
    if let Ok(id) = v.parse::<u64>() {
        return id;
    }
    if v == "me" {
        return 0;
    }
    db.user_by_email(s, v).map_or(0, |u| u.id)
}

/// Parses a query; `caller` resolves `me`.
pub(crate) fn parse(text: &str, db: &Db, s: &Seeds, caller: u64) -> Result<Query, String> {
    let mut q = Query::default();
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    for token in tokens {
        let Some((key, op, value)) = split_op(&token) else {
            q.words.push(token.trim_matches('"').to_lowercase());
            continue;
        };
        let rank = |list: &[&str]| list.iter().position(|x| *x == value).map(|p| p as u64);
        let date = || {
            parse_date(value)
                .map(|d| (d, value.len() == 10))
                .ok_or(format!("invalid date {value:?}"))
        };
        let cond = match key {
            "order_by" => {
                q.order_by = Some(value.to_lowercase());
                continue;
            }
            "sort" => {
                q.sort = Some(value.to_lowercase());
                continue;
            }
            "type" => {
                q.kind = Some(value.to_lowercase());
                continue;
            }
            "status" => Cond::Status(
                op,
                rank(STATUSES).ok_or(format!("unknown status {value:?}"))?,
            ),
            "priority" => Cond::Priority(
                op,
                rank(PRIORITIES).ok_or(format!("unknown priority {value:?}"))?,
            ),
            "tags" | "tag" => Cond::Tag(value.to_string()),
            "requester" => Cond::Requester(if value == "me" {
                caller
            } else {
                user_ref(db, s, value)
            }),
            "assignee" => match value {
                "none" => Cond::Assignee(None),
                "me" => Cond::Assignee(Some(caller)),
                v => Cond::Assignee(Some(user_ref(db, s, v))),
            },
            "group" => Cond::Group(value.parse().unwrap_or(0)),
            "organization" => Cond::Organization(value.parse().unwrap_or(0)),
            "ticket_type" => Cond::TicketType(value.to_string()),
            "external_id" => Cond::ExternalId(value.to_lowercase()),
            "role" => Cond::Role(value.to_string()),
            "created" | "created_at" => {
                let (d, day) = date()?;
                Cond::Created(op, d, day)
            }
            "updated" | "updated_at" => {
                let (d, day) = date()?;
                Cond::Updated(op, d, day)
            }
            _ => {
                q.words.push(token.trim_matches('"').to_lowercase());
                continue;
            }
        };
        q.conds.push(cond);
    }
    Ok(q)
}

impl Query {
    /// Whether objects of `kind` can match.
    pub(crate) fn wants(&self, kind: &str) -> bool {
        self.kind.as_deref().is_none_or(|k| k == kind)
    }

    /// Whether the ticket matches.
    pub(crate) fn ticket(&self, t: &Ticket) -> bool {
        let status = STATUSES.iter().position(|x| *x == t.status).unwrap_or(0) as u64;
        self.conds.iter().all(|c| match c {
            Cond::Status(op, r) => op.test(status, *r),
            Cond::Priority(op, r) => t
                .priority
                .and_then(|p| PRIORITIES.iter().position(|x| *x == p))
                .is_some_and(|p| op.test(p as u64, *r)),
            Cond::Tag(tag) => t.tags.iter().any(|x| x == tag),
            Cond::Requester(id) => t.requester_id == *id,
            Cond::Assignee(a) => t.assignee_id == *a,
            Cond::Group(g) => t.group_id == Some(*g),
            Cond::Organization(o) => t.organization_id == Some(*o),
            Cond::TicketType(k) => t.kind == Some(k.as_str()),
            Cond::ExternalId(e) => t
                .external_id
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(e)),
            Cond::Role(_) => false,
            Cond::Created(op, d, day) => op.test_time(t.created_at, *d, *day),
            Cond::Updated(op, d, day) => op.test_time(t.updated_at, *d, *day),
        }) && self.words.iter().all(|w| {
            t.subject.to_lowercase().contains(w.as_str())
                || t.description.to_lowercase().contains(w.as_str())
        })
    }

    /// Whether the user matches.
    pub(crate) fn user(&self, u: &User) -> bool {
        self.conds.iter().all(|c| match c {
            Cond::Tag(tag) => u.tags.iter().any(|x| x == tag),
            Cond::ExternalId(e) => u
                .external_id
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(e)),
            Cond::Role(r) => u.role == r,
            Cond::Organization(o) => u.organization_id == Some(*o),
            Cond::Created(op, d, day) => op.test_time(u.created_at, *d, *day),
            Cond::Updated(op, d, day) => op.test_time(u.updated_at, *d, *day),
            _ => false,
        }) && self.words.iter().all(|w| {
            u.name.to_lowercase().contains(w.as_str())
                || u.email
                    .as_deref()
                    .is_some_and(|e| e.to_lowercase().contains(w.as_str()))
        })
    }

    /// Whether an organization or group with this name, tags and times matches.
    pub(crate) fn named(
        &self,
        name: &str,
        tags: &[String],
        created: u64,
        updated: u64,
        external_id: Option<&str>,
    ) -> bool {
        self.conds.iter().all(|c| match c {
            Cond::Tag(tag) => tags.iter().any(|x| x == tag),
            Cond::ExternalId(e) => external_id.is_some_and(|x| x.eq_ignore_ascii_case(e)),
            Cond::Created(op, d, day) => op.test_time(created, *d, *day),
            Cond::Updated(op, d, day) => op.test_time(updated, *d, *day),
            _ => false,
        }) && self
            .words
            .iter()
            .all(|w| name.to_lowercase().contains(w.as_str()))
    }
}
