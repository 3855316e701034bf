//! The Zendesk resource catalogue: one declarative table of the resource families of the
//! Support API, read by the simulator (to serve them), the client (to type them) and the
//! sync engine (to mirror them).
//!
//! A [`Family`] row says where a family lives (`path`), how its JSON is keyed (`singular`,
//! `plural`), what its ids are, which operations it has ([`Ops`]), how its lists page
//! ([`Paging`]), which sorts, sideloads and endpoint rate limits ([`Limit`]) apply, and how
//! many records a simulator seeds ([`Seed`]). Operations that are not plain CRUD (macros'
//! `apply`, views' `count`, tags on tickets, …) are [`Action`]s of their family.
//!
//! Facts come from Zendesk's OpenAPI file (every path here is checked against it by this
//! crate's tests, except the few families Zendesk documents outside that file, which say
//! where their documentation is in [`Family::source`]) and the public API reference pages.
//!
//! ```
//! let f = zdkit_catalog::family("group_memberships").unwrap();
//! assert_eq!(f.plural, "group_memberships");
//! assert_eq!(f.show_path().as_deref(), Some("group_memberships/{group_membership_id}"));
//! assert!(f.ops.create_many && !f.ops.update);
//! ```

mod families;

pub use families::FAMILIES;

/// What an id of a family is on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// A JSON integer (Zendesk ids go up to about 2^53; use `u64`).
    Integer,
    /// A JSON string (webhook ids are ULID-like strings; locale ids can be codes too).
    String,
}

/// An HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name as HTTP spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// The generic operations a family may support. Each maps to a fixed path shape
/// (see [`Family::op_path`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Op {
    /// `GET {path}`
    List,
    /// `GET {path}/{id}`
    Show,
    /// `GET {path}/show_many?ids=1,2`
    ShowMany,
    /// `GET {path}/count` → `{"count": {"value", "refreshed_at"}}`
    Count,
    /// `POST {path}` with `{singular: {...}}`
    Create,
    /// `PUT` (or `PATCH`, see [`Family::update_method`]) `{path}/{id}`
    Update,
    /// `DELETE {path}/{id}`
    Delete,
    /// `POST {path}/create_many` with `{plural: [...]}` (a job, or a direct answer)
    CreateMany,
    /// `PUT {path}/update_many`
    UpdateMany,
    /// `DELETE {path}/destroy_many?ids=1,2`
    DestroyMany,
    /// `GET {path}/search?query=` (offset pagination only)
    Search,
}

impl Op {
    /// Every operation, in a fixed order.
    pub const ALL: [Op; 11] = [
        Op::List,
        Op::Show,
        Op::ShowMany,
        Op::Count,
        Op::Create,
        Op::Update,
        Op::Delete,
        Op::CreateMany,
        Op::UpdateMany,
        Op::DestroyMany,
        Op::Search,
    ];
}

/// Which generic operations a family supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub struct Ops {
    pub list: bool,
    pub show: bool,
    pub show_many: bool,
    pub count: bool,
    pub create: bool,
    pub update: bool,
    pub delete: bool,
    pub create_many: bool,
    pub update_many: bool,
    pub destroy_many: bool,
    pub search: bool,
}

impl Ops {
    /// No operation (start of a `..Ops::NONE` literal).
    pub const NONE: Ops = Ops {
        list: false,
        show: false,
        show_many: false,
        count: false,
        create: false,
        update: false,
        delete: false,
        create_many: false,
        update_many: false,
        destroy_many: false,
        search: false,
    };
    /// List and show only.
    pub const READ: Ops = Ops {
        list: true,
        show: true,
        ..Ops::NONE
    };
    /// List, show, create, update and delete.
    pub const CRUD: Ops = Ops {
        list: true,
        show: true,
        create: true,
        update: true,
        delete: true,
        ..Ops::NONE
    };

    /// Whether `op` is supported.
    pub fn has(&self, op: Op) -> bool {
        match op {
            Op::List => self.list,
            Op::Show => self.show,
            Op::ShowMany => self.show_many,
            Op::Count => self.count,
            Op::Create => self.create,
            Op::Update => self.update,
            Op::Delete => self.delete,
            Op::CreateMany => self.create_many,
            Op::UpdateMany => self.update_many,
            Op::DestroyMany => self.destroy_many,
            Op::Search => self.search,
        }
    }

    /// The supported operations, in [`Op::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = Op> + '_ {
        Op::ALL.into_iter().filter(|op| self.has(*op))
    }

    /// Whether any write operation is supported.
    pub fn writes(&self) -> bool {
        self.create
            || self.update
            || self.delete
            || self.create_many
            || self.update_many
            || self.destroy_many
    }
}

/// What a list answers when the request names no pagination parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageDefault {
    /// Offset pagination (`page=1`, `per_page=100`; `next_page`/`previous_page`/`count`).
    Offset,
    /// Cursor pagination with the default page size (`meta`/`links`).
    Cursor,
    /// Every record in one response (with `next_page: null`, `previous_page: null`, `count`).
    All,
}

/// How a family's list pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Paging {
    /// `page[size]` / `page[after]` / `page[before]`, answered with `meta` and `links`.
    pub cursor: bool,
    /// `page` / `per_page`, answered with `next_page`, `previous_page` and `count`.
    pub offset: bool,
    /// What a request without paging parameters gets.
    pub default: PageDefault,
    /// The largest `page[size]` / `per_page` documented (100 almost everywhere).
    pub max_page_size: u32,
    /// The response also carries the older cursor fields `after_cursor`, `before_cursor`,
    /// `after_url`, `before_url` at the top level (the OAS shape of `GET /ticket_audits`).
    pub legacy_cursor_fields: bool,
}

impl Paging {
    /// Cursor (recommended) and offset, offset by default, 100 per page: the most common
    /// wording in the reference ("Cursor pagination (recommended) / Offset pagination").
    pub const BOTH: Paging = Paging {
        cursor: true,
        offset: true,
        default: PageDefault::Offset,
        max_page_size: 100,
        legacy_cursor_fields: false,
    };
    /// Cursor only; a request without `page[size]` gets the first cursor page of 100.
    pub const CURSOR: Paging = Paging {
        cursor: true,
        offset: false,
        default: PageDefault::Cursor,
        max_page_size: 100,
        legacy_cursor_fields: false,
    };
    /// Offset only.
    pub const OFFSET: Paging = Paging {
        cursor: false,
        offset: true,
        default: PageDefault::Offset,
        max_page_size: 100,
        legacy_cursor_fields: false,
    };
    /// Not paginated: every record in one response.
    pub const NONE: Paging = Paging {
        cursor: false,
        offset: false,
        default: PageDefault::All,
        max_page_size: 100,
        legacy_cursor_fields: false,
    };
}

/// What a rate limit is counted per, inside the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitScope {
    /// One counter for the whole account.
    Account,
    /// One counter per record addressed by the path's id (per view, per organization).
    PerRecord,
    /// One counter per (authenticated user, record) pair (per view per agent).
    PerUserRecord,
}

/// Where an endpoint limit applies: a generic operation or a named [`Action`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitOn {
    /// A generic operation of the family.
    Op(Op),
    /// An action, by [`Action::name`].
    Action(&'static str),
}

/// An endpoint-specific rate limit (reference "Rate limits", endpoint table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limit {
    /// The operation or action it applies to.
    pub on: LimitOn,
    /// The bucket name, as it appears after `Zendesk-RateLimit-` in headers.
    pub bucket: &'static str,
    /// Requests allowed per window.
    pub limit: u32,
    /// The window length in seconds.
    pub window_secs: u32,
    /// What the counter is keyed by.
    pub scope: LimitScope,
    /// Whether Zendesk documents a header name for it; when `false` the bucket name is
    /// ours (chosen from the endpoint's name) and clients must not rely on it.
    pub documented_header: bool,
}

/// An operation of a family outside the generic ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Action {
    /// A short name, unique within the family (`apply`, `count`, `tickets`).
    pub name: &'static str,
    /// The method.
    pub method: Method,
    /// The path template under `/api/v2/`, with the OAS's parameter names.
    pub path: &'static str,
    /// The top-level key of the answer, if it is a JSON object with one main key.
    pub key: Option<&'static str>,
    /// Whether the OAS file has this path and method (checked by the tests).
    pub in_oas: bool,
}

/// How many records a simulator seeds for a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Seed {
    /// A fixed number of records, ids `1..=n` (or id strings derived from them).
    Fixed(u32),
    /// `n` records per record of the parent family (identities per user).
    PerParent(u32),
    /// One record per ticket (ticket metrics), so the count follows the ticket count.
    PerTicket,
    /// Sized by the simulator's configuration (tickets, users, organizations).
    Configured,
    /// Derived from other data (tags from tickets, audits from tickets); nothing seeded.
    Derived,
}

/// A family nested under another one (`users/{user_id}/identities`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Parent {
    /// The parent family's [`Family::name`].
    pub family: &'static str,
    /// The parent id's parameter name in [`Family::path`].
    pub param: &'static str,
}

/// An incremental export of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Incremental {
    /// Time-based export path under `/api/v2/` (`incremental/tickets`).
    pub time_path: Option<&'static str>,
    /// Cursor-based export path (`incremental/tickets/cursor`).
    pub cursor_path: Option<&'static str>,
}

/// One Zendesk resource family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Family {
    /// The family's name: the API's plural path name with `/` flattened (`sla_policies`
    /// for `slas/policies`, `phone_numbers` for `channels/voice/phone_numbers`). Also the
    /// sync stream and table name and the CLI's resource name.
    pub name: &'static str,
    /// The collection path under `/api/v2/`, with OAS parameter names for parents.
    pub path: &'static str,
    /// The JSON key of one record (`{"macro": {...}}`).
    pub singular: &'static str,
    /// The JSON key of a list (`{"macros": [...]}`).
    pub plural: &'static str,
    /// The id's parameter name in the OAS (`macro_id`); the show path is `{path}/{id_param}`.
    pub id_param: &'static str,
    /// What ids are on the wire.
    pub id: IdKind,
    /// The parent, for nested families.
    pub parent: Option<Parent>,
    /// The generic operations.
    pub ops: Ops,
    /// The method of [`Op::Update`] (`PUT`, `PATCH` for trigger categories).
    pub update_method: Method,
    /// The status of a successful create (201 mostly; 200 where the OAS says so).
    pub create_status: u16,
    /// Whether `create_many` / `update_many` / `destroy_many` answer with a `job_status`
    /// (a background job) rather than the records.
    pub bulk_is_job: bool,
    /// How lists page.
    pub paging: Paging,
    /// The cursor `sort` values (a leading `-` means descending and is implied for each).
    pub cursor_sorts: &'static [&'static str],
    /// The offset `sort_by` values (with `sort_order=asc|desc`).
    pub offset_sorts: &'static [&'static str],
    /// List filters the family documents (`group_id`, `user_id`, `active`, …).
    pub filters: &'static [&'static str],
    /// `include=` values the family documents.
    pub sideloads: &'static [&'static str],
    /// Fields a create must carry (a missing one is a 422 `RecordInvalid`, `BlankValue`).
    pub required: &'static [&'static str],
    /// Field sets that must be unique across the family (a 422 `DuplicateValue`).
    pub unique: &'static [&'static [&'static str]],
    /// Endpoint-specific rate limits beyond the account bucket.
    pub limits: &'static [Limit],
    /// Operations outside the generic ones.
    pub actions: &'static [Action],
    /// Its incremental export, if Zendesk has one.
    pub incremental: Option<Incremental>,
    /// How many records a simulator seeds.
    pub seed: Seed,
    /// `true` when the simulator serves the family with bespoke code rather than the
    /// generic collection engine (tickets, users, …: behaviour that is really special).
    pub bespoke: bool,
    /// Generic operations Zendesk documents but the OAS file does not list.
    pub oas_gaps: &'static [Op],
    /// Where the family is documented when the OAS file lacks it (`None`: in the OAS).
    pub source: Option<&'static str>,
}

impl Family {
    /// The path of `op` under `/api/v2/`, if the family supports it.
    pub fn op_path(&self, op: Op) -> Option<String> {
        if !self.ops.has(op) {
            return None;
        }
        let p = self.path;
        Some(match op {
            Op::List | Op::Create => p.to_string(),
            Op::Show | Op::Update | Op::Delete => format!("{p}/{{{}}}", self.id_param),
            Op::ShowMany => format!("{p}/show_many"),
            Op::Count => format!("{p}/count"),
            Op::CreateMany => format!("{p}/create_many"),
            Op::UpdateMany => format!("{p}/update_many"),
            Op::DestroyMany => format!("{p}/destroy_many"),
            Op::Search => format!("{p}/search"),
        })
    }

    /// The method of `op`.
    pub fn op_method(&self, op: Op) -> Method {
        match op {
            Op::List | Op::Show | Op::ShowMany | Op::Count | Op::Search => Method::Get,
            Op::Create | Op::CreateMany => Method::Post,
            Op::Update => self.update_method,
            Op::UpdateMany => Method::Put,
            Op::Delete | Op::DestroyMany => Method::Delete,
        }
    }

    /// The show path (`macros/{macro_id}`), if the family has show.
    pub fn show_path(&self) -> Option<String> {
        self.op_path(Op::Show)
    }

    /// The endpoint limits that apply to `op`.
    pub fn limits_for(&self, on: LimitOn) -> impl Iterator<Item = &Limit> + '_ {
        self.limits.iter().filter(move |l| l.on == on)
    }

    /// The action named `name`.
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.name == name)
    }

    /// Every (method, path) the family serves: its generic operations and its actions.
    pub fn endpoints(&self) -> Vec<(Method, String)> {
        let mut out: Vec<(Method, String)> = self
            .ops
            .iter()
            .filter_map(|op| Some((self.op_method(op), self.op_path(op)?)))
            .collect();
        out.extend(self.actions.iter().map(|a| (a.method, a.path.to_string())));
        if let Some(inc) = self.incremental {
            out.extend(inc.time_path.map(|p| (Method::Get, p.to_string())));
            out.extend(inc.cursor_path.map(|p| (Method::Get, p.to_string())));
        }
        out
    }
}

/// The family called `name` (its [`Family::name`]; the singular key, the plural key and
/// the API path are accepted too: `sla_policy`, `slas/policies`).
pub fn family(name: &str) -> Option<&'static Family> {
    let name = name.trim_matches('/');
    FAMILIES.iter().find(|f| f.name == name).or_else(|| {
        FAMILIES
            .iter()
            .find(|f| f.path == name || f.plural == name || f.singular == name)
    })
}

/// The families the simulator's generic collection engine serves (not [`Family::bespoke`]).
pub fn generic() -> impl Iterator<Item = &'static Family> {
    FAMILIES.iter().filter(|f| !f.bespoke)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_paths_and_keys_are_unique() {
        let mut names = std::collections::HashSet::new();
        let mut paths = std::collections::HashSet::new();
        for f in FAMILIES {
            assert!(names.insert(f.name), "duplicate family name {}", f.name);
            assert!(paths.insert(f.path), "duplicate family path {}", f.path);
            assert!(
                !f.path.starts_with('/') && !f.path.ends_with('/'),
                "{}",
                f.name
            );
            let mut actions = std::collections::HashSet::new();
            for a in f.actions {
                assert!(
                    actions.insert(a.name),
                    "{}: duplicate action {}",
                    f.name,
                    a.name
                );
            }
            for l in f.limits {
                match l.on {
                    LimitOn::Op(op) => assert!(f.ops.has(op), "{}: limit on {op:?}", f.name),
                    LimitOn::Action(a) => assert!(f.action(a).is_some(), "{}: {a}", f.name),
                }
                assert!(l.limit > 0 && l.window_secs > 0);
            }
            if let Some(p) = f.parent {
                assert!(family(p.family).is_some(), "{}: parent", f.name);
                assert!(f.path.contains(&format!("{{{}}}", p.param)), "{}", f.name);
            }
        }
    }

    #[test]
    fn paging_is_consistent() {
        for f in FAMILIES {
            let p = f.paging;
            match p.default {
                PageDefault::Offset => assert!(p.offset, "{}", f.name),
                PageDefault::Cursor => assert!(p.cursor, "{}", f.name),
                PageDefault::All => {}
            }
            if !p.cursor {
                assert!(f.cursor_sorts.is_empty(), "{}: cursor sorts", f.name);
            }
            assert!(p.max_page_size >= 1);
        }
    }

    #[test]
    fn lookup_by_any_name() {
        assert_eq!(family("slas/policies").unwrap().name, "sla_policies");
        assert_eq!(family("sla_policy").unwrap().name, "sla_policies");
        assert_eq!(family("identities").unwrap().name, "identities");
        assert!(family("nope").is_none());
        assert!(generic().count() >= 25);
    }
}
