//! The simulator's data: records generated from `(seed, id)` on demand, plus an overlay
//! of writes. Nothing is allocated per record at start, so a million tickets cost nothing
//! until they are read.

pub(crate) mod coll;
pub(crate) mod comments;
pub(crate) mod extras;
pub(crate) mod gen;
pub(crate) mod jobs;
pub(crate) mod org_writes;
pub(crate) mod orgs;
pub(crate) mod table;
pub(crate) mod tickets;
pub(crate) mod uploads;
pub(crate) mod user_writes;
pub(crate) mod users;
pub(crate) mod writes;

use std::collections::{BTreeSet, HashMap};
use std::ops::Not;

use comments::Audit;
use orgs::{Group, Organization, TicketField};
use table::Table;
use tickets::Ticket;
use users::User;

pub(crate) const KIND_TICKET: u64 = 1;
pub(crate) const KIND_USER: u64 = 2;
pub(crate) const KIND_ORG: u64 = 3;
pub(crate) const KIND_GROUP: u64 = 4;
pub(crate) const KIND_FIELD: u64 = 5;
pub(crate) const KIND_JOB: u64 = 6;

/// Everything generation depends on.
#[derive(Debug, Clone)]
pub(crate) struct Seeds {
    pub seed: u64,
    /// The simulator's start (Unix seconds of virtual time).
    pub t0: u64,
    pub tickets: u64,
    pub users: u64,
    pub organizations: u64,
    pub groups: u64,
    /// Agents are users 2..=agents+1 (user 1 is the admin).
    pub agents: u64,
    pub admin_email: String,
    pub end_user_email: String,
    /// Generated tickets may have `updated_at` < `generated_timestamp`
    /// ([`crate::config::Quirks::split_updated_at`]).
    pub split_updated: bool,
    /// Basis points of generated tickets that are closed (`None`: the default status
    /// mix, 30% closed); set from [`crate::SimConfig::archived_percent`].
    pub closed_bp: Option<u64>,
    /// `(cut-off, archive limit)` when the archived tickets are the oldest
    /// ([`crate::SimConfig::archived_oldest`]): a generated ticket last updated before the
    /// cut-off is closed, one updated between it and the archive limit is not.
    pub closed_before: Option<(u64, u64)>,
}

impl Seeds {
    /// The first end-user id (the configured end-user); customers follow.
    pub(crate) fn first_customer(&self) -> u64 {
        self.agents + 2
    }
}

/// A cached response of an idempotent ticket creation.
#[derive(Debug, Clone)]
pub(crate) struct IdemEntry {
    pub request: Vec<u8>,
    pub created_ms: u64,
    pub body: Vec<u8>,
    pub location: String,
}

/// All mutable data.
#[derive(Debug)]
pub(crate) struct Db {
    pub tickets: Table<Ticket>,
    pub users: Table<User>,
    pub orgs: Table<Organization>,
    pub groups: Table<Group>,
    pub fields: Table<TicketField>,
    /// Written audits per ticket, oldest first.
    pub audits: HashMap<u64, Vec<Audit>>,
    /// Written audits in export order: `(created_at, audit id, ticket id)`.
    pub audit_order: BTreeSet<(u64, u64, u64)>,
    /// Emails of users created through the API (lower case).
    pub user_emails: HashMap<String, u64>,
    /// External ids set through the API (lower case).
    pub user_externals: HashMap<String, u64>,
    pub idempotency: HashMap<String, IdemEntry>,
    pub jobs: jobs::Jobs,
    pub uploads: uploads::Uploads,
    /// The generic families of the catalogue.
    pub colls: coll::Colls,
    /// Webhook signing secrets set by a reset (record number → secret).
    pub webhook_secrets: HashMap<u64, String>,
    /// Ticket changes of the write in progress, drained when the write guard is released
    /// (`crate::delivery`: webhook events).
    pub ticket_changes: Vec<writes::TicketChange>,
    /// Tag counts of the generated (unwritten) tickets, computed on first use.
    pub tag_base: std::sync::OnceLock<Vec<(&'static str, u64)>>,
}

impl Db {
    /// The generated state.
    pub(crate) fn new(s: &Seeds) -> Self {
        Db {
            tickets: Table::new(s, s.tickets),
            users: Table::new(s, s.users),
            orgs: Table::new(s, s.organizations),
            groups: Table::new(s, s.groups),
            fields: Table::new(s, orgs::FIELD_COUNT),
            audits: HashMap::new(),
            audit_order: BTreeSet::new(),
            user_emails: HashMap::new(),
            user_externals: HashMap::new(),
            idempotency: HashMap::new(),
            jobs: jobs::Jobs::default(),
            uploads: uploads::Uploads::default(),
            colls: coll::Colls::new(),
            webhook_secrets: HashMap::new(),
            ticket_changes: Vec::new(),
            tag_base: std::sync::OnceLock::new(),
        }
    }

    /// The user with this email (case-insensitive).
    pub(crate) fn user_by_email(&self, s: &Seeds, email: &str) -> Option<User> {
        let lower = email.to_ascii_lowercase();
        if let Some(&id) = self.user_emails.get(&lower) {
            return self.users.get(s, id);
        }
        let id = users::gen_id_for_email(s, &lower)?;
        self.users.get(s, id).filter(|u| {
            u.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(&lower))
        })
    }

    /// The user with this external id (case-insensitive).
    pub(crate) fn user_by_external(&self, s: &Seeds, ext: &str) -> Option<User> {
        let lower = ext.to_ascii_lowercase();
        if let Some(&id) = self.user_externals.get(&lower) {
            if let Some(u) = self.users.get(s, id) {
                if u.external_id
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(&lower))
                {
                    return Some(u);
                }
            }
        }
        let id = users::gen_id_for_external(s, &lower)?;
        self.users.get(s, id).filter(|u| {
            u.external_id
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(&lower))
        })
    }

    /// Whether ticket `id` is archived at `now`: it exists, is not deleted, is closed, and
    /// was last updated more than `after_days` days before `now` (0: nothing is archived).
    /// Cheap for generated tickets (no generation). Archived tickets are absent from
    /// `GET /tickets` and the account-wide ticket audits, and present in show,
    /// incremental exports and search export, as in Zendesk.
    pub(crate) fn is_archived(&self, s: &Seeds, id: u64, now: u64, after_days: u64) -> bool {
        if after_days == 0 {
            return false;
        }
        let limit = after_days.saturating_mul(86_400);
        let old = |updated: u64| now.saturating_sub(updated) > limit;
        match self.tickets.overlay(id) {
            Some(t) => !t.deleted && t.status == "closed" && old(t.updated_at),
            None => {
                id >= 1
                    && id <= s.tickets
                    && <Ticket as table::Generate>::base_deleted(s, id).not()
                    && tickets::gen_status(s, id) == "closed"
                    && old(<Ticket as table::Generate>::base_updated(s, id))
            }
        }
    }

    /// Every audit of ticket `t` (generated, then written), oldest first.
    pub(crate) fn ticket_audits(&self, s: &Seeds, t: &Ticket) -> Vec<Audit> {
        let mut out = if t.gen_comments > 0 {
            // Generated audits come from the ticket as it was generated.
            let base = <Ticket as table::Generate>::generate(s, t.id);
            comments::generated_audits(s, &base)
        } else {
            Vec::new()
        };
        if let Some(extra) = self.audits.get(&t.id) {
            out.extend(extra.iter().cloned());
        }
        out
    }
}
