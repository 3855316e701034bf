//! Tickets: generation from `(seed, id)` and wire serialization.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

use super::gen::{self, hash, pick, MAX_TICKET_AGE_SECS};
use super::table::{Generate, Record};
use super::{Seeds, KIND_TICKET};

/// Ticket statuses, in workflow order.
pub(crate) const STATUSES: &[&str] = &["new", "open", "pending", "hold", "solved", "closed"];
/// Ticket priorities, ascending.
pub(crate) const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];
/// Ticket types.
pub(crate) const TYPES: &[&str] = &["problem", "incident", "question", "task"];
/// Via channels used by generated tickets.
pub(crate) const CHANNELS: &[&str] = &["web", "email", "api", "chat", "mobile"];

/// Interns a status/priority/type value from one of the lists above.
pub(crate) fn intern(list: &[&'static str], v: &str) -> Option<&'static str> {
    list.iter().copied().find(|s| *s == v)
}

/// A ticket.
#[derive(Clone, Debug)]
pub(crate) struct Ticket {
    pub id: u64,
    pub external_id: Option<String>,
    pub kind: Option<&'static str>,
    pub subject: String,
    pub description: String,
    pub priority: Option<&'static str>,
    pub status: &'static str,
    pub requester_id: u64,
    pub submitter_id: u64,
    pub assignee_id: Option<u64>,
    pub organization_id: Option<u64>,
    pub group_id: Option<u64>,
    pub collaborator_ids: Vec<u64>,
    pub tags: Vec<String>,
    pub custom_fields: Vec<(u64, Value)>,
    pub channel: &'static str,
    pub due_at: Option<u64>,
    pub created_at: u64,
    pub updated_at: u64,
    pub ts: u64,
    pub deleted: bool,
    /// Total comments (generated + written).
    pub comments: u32,
    /// Comments generated for this id (the written ones come after).
    pub gen_comments: u32,
}

impl Record for Ticket {
    fn id(&self) -> u64 {
        self.id
    }
    fn ts(&self) -> u64 {
        self.ts
    }
    fn deleted(&self) -> bool {
        self.deleted
    }
    fn updated(&self) -> u64 {
        self.updated_at
    }
    fn created(&self) -> u64 {
        self.created_at
    }
}

/// The number of comments generated for ticket `id`: usually 1–4, 1% of tickets 120–250.
pub(crate) fn gen_comment_count(s: &Seeds, id: u64) -> u32 {
    let h = hash(s.seed, KIND_TICKET, id, 2);
    if h % 100 == 0 {
        120 + (h >> 8) as u32 % 131
    } else {
        1 + (h >> 8) as u32 % 4
    }
}

/// The organization of generated user `user_id` (None for some).
pub(crate) fn user_org(s: &Seeds, user_id: u64) -> Option<u64> {
    let h = hash(s.seed, super::KIND_USER, user_id, 3);
    (user_id > s.first_customer() && h % 5 != 0).then(|| 1 + (h >> 8) % s.organizations)
}

impl Generate for Ticket {
    fn base_ts(s: &Seeds, id: u64) -> u64 {
        gen::spread_ts(s.seed, KIND_TICKET, s.t0, id, s.tickets)
    }

    fn base_deleted(s: &Seeds, id: u64) -> bool {
        hash(s.seed, KIND_TICKET, id, 1) % 100 < 3
    }

    fn generate(s: &Seeds, id: u64) -> Self {
        build(s, id, true)
    }

    fn base_updated(s: &Seeds, id: u64) -> u64 {
        let ts = Ticket::base_ts(s, id);
        gen_updated_at(s, id, ts, gen_created_at(s, id, ts))
    }

    fn base_created(s: &Seeds, id: u64) -> u64 {
        gen_created_at(s, id, Ticket::base_ts(s, id))
    }
}

/// The share of closed tickets (basis points) that makes `percent` % of the generated
/// tickets archived at `t0`: archived tickets are the closed, not deleted ones last
/// updated more than `after_days` days before `t0`, so the closed share is `percent`
/// divided by the share of such old, live tickets (counted, one cheap pass). `None` when
/// archiving is off or no ticket is old enough; capped at every old ticket closed.
pub(crate) fn closed_bp_for(s: &Seeds, percent: f64, after_days: u64) -> Option<u64> {
    if after_days == 0 || s.tickets == 0 || !percent.is_finite() || percent <= 0.0 {
        return None;
    }
    let limit = s.t0.saturating_sub(after_days.saturating_mul(86_400));
    let old = (1..=s.tickets)
        .filter(|&id| !Ticket::base_deleted(s, id) && Ticket::base_updated(s, id) < limit)
        .count();
    if old == 0 {
        return None;
    }
    let bp = percent.min(100.0) / 100.0 * s.tickets as f64 / old as f64 * 10_000.0;
    Some((bp.round() as u64).min(10_000))
}

/// `(cut-off, archive limit)` that makes `percent` % of the generated tickets archived at
/// `t0` and those the oldest ([`crate::SimConfig::archived_oldest`]): the live tickets
/// last updated more than `after_days` before `t0`, oldest first, up to `percent` % of
/// all tickets (every old ticket when fewer are that old). One pass and a sort.
pub(crate) fn closed_before_for(s: &Seeds, percent: f64, after_days: u64) -> Option<(u64, u64)> {
    if after_days == 0 || s.tickets == 0 || !percent.is_finite() || percent <= 0.0 {
        return None;
    }
    let limit = s.t0.saturating_sub(after_days.saturating_mul(86_400));
    let mut old: Vec<u64> = (1..=s.tickets)
        .filter(|&id| !Ticket::base_deleted(s, id))
        .map(|id| Ticket::base_updated(s, id))
        .filter(|&u| u < limit)
        .collect();
    if old.is_empty() {
        return None;
    }
    old.sort_unstable();
    let want = ((percent.min(100.0) / 100.0 * s.tickets as f64).round() as usize).max(1);
    let cutoff = old.get(want - 1).map_or(limit, |u| (u + 1).min(limit));
    Some((cutoff, limit))
}

/// When generated ticket `id` (timestamp `ts`) was created.
fn gen_created_at(s: &Seeds, id: u64, ts: u64) -> u64 {
    ts.saturating_sub(hash(s.seed, KIND_TICKET, id, 4) % MAX_TICKET_AGE_SECS)
}

/// The `updated_at` of generated ticket `id`: its timestamp, except for about one ticket
/// in six whose last change was a system update that touched no field (SLA or metric
/// recalculation, a user merge), which moved `generated_timestamp` but not `updated_at`.
fn gen_updated_at(s: &Seeds, id: u64, ts: u64, created_at: u64) -> u64 {
    let h = hash(s.seed, KIND_TICKET, id, 30);
    if !s.split_updated || h % 6 != 0 {
        return ts;
    }
    let room = ts.saturating_sub(created_at).min(6 * 3600);
    ts - (1 + (h >> 8) % room.max(1)).min(room)
}

/// The status of generated ticket `id`, cheaply.
pub(crate) fn gen_status(s: &Seeds, id: u64) -> &'static str {
    let h = hash(s.seed, KIND_TICKET, id, 5);
    if let Some((cutoff, limit)) = s.closed_before {
        let updated = Ticket::base_updated(s, id);
        if updated < cutoff {
            return "closed";
        }
        if updated < limit {
            // Old enough to be archived were it closed: it is not.
            return gen_status_of(h % 70);
        }
        return gen_status_of(h % 100);
    }
    let r = match s.closed_bp {
        None => h % 100,
        // A set share of closed tickets; the others keep the default mix.
        Some(bp) if (h >> 20) % 10_000 < bp => return "closed",
        Some(_) => h % 70,
    };
    gen_status_of(r)
}

/// The status of a draw in `0..100` of the default mix (70 and above: closed).
fn gen_status_of(r: u64) -> &'static str {
    match r {
        0..=4 => "new",
        5..=24 => "open",
        25..=34 => "pending",
        35..=39 => "hold",
        40..=69 => "solved",
        _ => "closed",
    }
}

/// Ticket `id` without its custom field values and description (for search filters
/// that do not need them); the subject is still there.
pub(crate) fn generate_light(s: &Seeds, id: u64) -> Ticket {
    build(s, id, false)
}

fn build(s: &Seeds, id: u64, full: bool) -> Ticket {
    {
        let h = |salt: u64| hash(s.seed, KIND_TICKET, id, salt);
        let ts = Ticket::base_ts(s, id);
        let created_at = gen_created_at(s, id, ts);
        let status = gen_status(s, id);
        let customers = s.users - s.first_customer() + 1;
        let requester_id = s.first_customer() + h(6) % customers;
        let assigned = status != "new" || h(7) % 2 == 0;
        let noun = pick(gen::NOUNS, h(8));
        let problem = pick(gen::PROBLEMS, h(9));
        let subject = format!("{} {}", capitalize(noun), problem);
        let n_tags = h(10) % 4;
        let mut tags: Vec<String> = Vec::with_capacity(n_tags as usize);
        for i in 0..n_tags {
            let t = pick(gen::TAGS, h(11 + i));
            if !tags.iter().any(|x| x == t) {
                tags.push(t.to_string());
            }
        }
        tags.sort();
        let gen_comments = gen_comment_count(s, id);
        Ticket {
            id,
            external_id: (h(20) % 5 == 0).then(|| format!("crm-{id}")),
            kind: (h(21) % 10 >= 3).then(|| pick(TYPES, h(22))),
            description: if full {
                comment_body(s, id, 0)
            } else {
                String::new()
            },
            subject,
            priority: (h(23) % 10 >= 3).then(|| pick(PRIORITIES, h(24))),
            status,
            requester_id,
            submitter_id: requester_id,
            assignee_id: assigned.then(|| 1 + h(25) % (s.agents + 1)),
            organization_id: user_org(s, requester_id),
            group_id: assigned.then(|| 1 + h(26) % s.groups),
            collaborator_ids: if h(27) % 10 == 0 {
                vec![s.first_customer() + h(28) % customers]
            } else {
                Vec::new()
            },
            tags,
            custom_fields: if full {
                gen_custom_fields(s, id)
            } else {
                Vec::new()
            },
            channel: pick(CHANNELS, h(29)),
            due_at: None,
            created_at,
            updated_at: gen_updated_at(s, id, ts, created_at),
            ts,
            deleted: Ticket::base_deleted(s, id),
            comments: gen_comments,
            gen_comments,
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The body of generated comment `idx` of ticket `id`.
pub(crate) fn comment_body(s: &Seeds, id: u64, idx: u32) -> String {
    let h = hash(s.seed, KIND_TICKET, id, 1000 + u64::from(idx));
    let noun = pick(gen::NOUNS, h);
    let problem = pick(gen::PROBLEMS, h >> 8);
    if idx == 0 {
        format!("Hello, my {noun} is {problem}. Can you help?")
    } else if idx % 2 == 1 {
        format!("Thanks for reaching out about the {noun}. We are looking into it.")
    } else {
        format!("The {noun} is still {problem}.")
    }
}

/// The ids of the custom ticket fields and their types.
pub(crate) const CUSTOM_FIELDS: &[(u64, &str, &str)] = &[
    (8, "text", "Order number"),
    (9, "textarea", "Internal notes"),
    (10, "checkbox", "Escalated"),
    (11, "date", "Follow-up date"),
    (12, "integer", "Units"),
    (13, "decimal", "Amount"),
    (14, "tagger", "Product"),
    (15, "multiselect", "Channels"),
];
/// Options of the tagger field.
pub(crate) const PRODUCT_OPTIONS: &[&str] = &["product_basic", "product_plus", "product_pro"];
/// Options of the multiselect field.
pub(crate) const CHANNEL_OPTIONS: &[&str] = &["channel_phone", "channel_email", "channel_chat"];

fn gen_custom_fields(s: &Seeds, id: u64) -> Vec<(u64, Value)> {
    CUSTOM_FIELDS
        .iter()
        .map(|&(fid, kind, _)| {
            let h = hash(s.seed, KIND_TICKET, id, 500 + fid);
            let v = if h % 3 == 0 {
                Value::Null
            } else {
                match kind {
                    "text" => json!(format!("ORD-{}", h % 100_000)),
                    "textarea" => json!("Customer called twice."),
                    "checkbox" => json!(h % 2 == 0),
                    "date" => json!(gen::iso(Ticket::base_ts(s, id) + 86_400 * (h % 30))[..10].to_string()),
                    "integer" => json!((h % 500).to_string()),
                    "decimal" => json!(format!("{}.{:02}", h % 1000, (h >> 16) % 100)),
                    "tagger" => json!(pick(PRODUCT_OPTIONS, h >> 4)),
                    _ => json!([pick(CHANNEL_OPTIONS, h >> 4)]),
                }
            };
            (fid, v)
        })
        .collect()
}

/// A ticket rendered for the wire.
pub(crate) struct TicketOut<'a> {
    pub t: &'a Ticket,
    pub base: &'a str,
    pub comment_count: bool,
    /// The embedded `metric_set` (`include=metric_sets` on the incremental export).
    pub metric_set: Option<super::extras::MetricSet<'a>>,
    /// The embedded `dates` (`include=dates`).
    pub dates: Option<Value>,
}

impl<'a> TicketOut<'a> {
    /// The plain wire form of `t` (no embedded sideloads).
    pub(crate) fn plain(t: &'a Ticket, base: &'a str) -> Self {
        TicketOut {
            t,
            base,
            comment_count: false,
            metric_set: None,
            dates: None,
        }
    }
}

struct Fields<'a>(&'a [(u64, Value)]);

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        struct Field<'a>(u64, &'a Value);
        impl Serialize for Field<'_> {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                let mut m = ser.serialize_map(Some(2))?;
                m.serialize_entry("id", &self.0)?;
                m.serialize_entry("value", self.1)?;
                m.end()
            }
        }
        let mut seq = ser.serialize_seq(Some(self.0.len()))?;
        for (id, value) in self.0 {
            seq.serialize_element(&Field(*id, value))?;
        }
        seq.end()
    }
}

/// `{"channel": …, "source": {"from": {}, "to": {}, "rel": null}}` without allocating.
struct Via<'a>(&'a str);

impl Serialize for Via<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        struct Empty;
        impl Serialize for Empty {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                ser.serialize_map(Some(0))?.end()
            }
        }
        struct Source;
        impl Serialize for Source {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                let mut m = ser.serialize_map(Some(3))?;
                m.serialize_entry("from", &Empty)?;
                m.serialize_entry("to", &Empty)?;
                m.serialize_entry("rel", &None::<u8>)?;
                m.end()
            }
        }
        let mut m = ser.serialize_map(Some(2))?;
        m.serialize_entry("channel", self.0)?;
        m.serialize_entry("source", &Source)?;
        m.end()
    }
}

/// The custom status id of a status category (the default custom statuses).
pub(crate) fn custom_status_id(status: &str) -> u64 {
    STATUSES
        .iter()
        .position(|s| *s == status)
        .map_or(0, |p| p as u64 + 1)
}

impl Serialize for TicketOut<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let t = self.t;
        let none: Option<u64> = None;
        let empty: [u64; 0] = [];
        let mut m = ser.serialize_map(None)?;
        m.serialize_entry(
            "url",
            &format!("{}/api/v2/tickets/{}.json", self.base, t.id),
        )?;
        m.serialize_entry("id", &t.id)?;
        m.serialize_entry("external_id", &t.external_id)?;
        m.serialize_entry("via", &Via(t.channel))?;
        m.serialize_entry("created_at", &gen::Iso(t.created_at))?;
        m.serialize_entry("updated_at", &gen::Iso(t.updated_at))?;
        m.serialize_entry("generated_timestamp", &t.ts)?;
        m.serialize_entry("type", &t.kind)?;
        m.serialize_entry("subject", &t.subject)?;
        m.serialize_entry("raw_subject", &t.subject)?;
        m.serialize_entry("description", &t.description)?;
        m.serialize_entry("priority", &t.priority)?;
        m.serialize_entry("status", if t.deleted { "deleted" } else { t.status })?;
        m.serialize_entry("custom_status_id", &custom_status_id(t.status))?;
        m.serialize_entry("recipient", &none)?;
        m.serialize_entry("requester_id", &t.requester_id)?;
        m.serialize_entry("submitter_id", &t.submitter_id)?;
        m.serialize_entry("assignee_id", &t.assignee_id)?;
        m.serialize_entry("organization_id", &t.organization_id)?;
        m.serialize_entry("group_id", &t.group_id)?;
        m.serialize_entry("collaborator_ids", &t.collaborator_ids)?;
        m.serialize_entry("follower_ids", &empty)?;
        m.serialize_entry("email_cc_ids", &empty)?;
        m.serialize_entry("forum_topic_id", &none)?;
        m.serialize_entry("problem_id", &none)?;
        m.serialize_entry("has_incidents", &false)?;
        m.serialize_entry("is_public", &true)?;
        m.serialize_entry("due_at", &t.due_at.map(gen::Iso))?;
        m.serialize_entry("tags", &t.tags)?;
        m.serialize_entry("custom_fields", &Fields(&t.custom_fields))?;
        m.serialize_entry("satisfaction_rating", &none)?;
        m.serialize_entry("sharing_agreement_ids", &empty)?;
        m.serialize_entry("fields", &Fields(&t.custom_fields))?;
        m.serialize_entry("followup_ids", &empty)?;
        m.serialize_entry("ticket_form_id", &1)?;
        m.serialize_entry("brand_id", &1)?;
        m.serialize_entry("allow_channelback", &false)?;
        m.serialize_entry("allow_attachments", &true)?;
        m.serialize_entry("from_messaging_channel", &false)?;
        if self.comment_count {
            m.serialize_entry("comment_count", &t.comments)?;
        }
        if let Some(v) = &self.metric_set {
            m.serialize_entry("metric_set", v)?;
        }
        if let Some(v) = &self.dates {
            m.serialize_entry("dates", v)?;
        }
        m.end()
    }
}
