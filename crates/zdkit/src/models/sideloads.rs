//! Sideloaded records (`?include=…`, zendesk-api.md §5) and the `include` names.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::de::{DeserializeOwned, MapAccess};
use serde::ser::SerializeMap;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::audit::Audit;
use super::ids::{GroupId, OrganizationId, TicketId, UserId};
use super::organization::{Group, Organization};
use super::records::{Identity, TicketMetric};
use super::user::User;
use super::wire::Key;

string_enum! {
    @fallback Custom
    /// A value for `include=` (sideloading, zendesk-api.md §5).
    pub enum SideloadName {
        /// `users`
        Users = "users",
        /// `groups`
        Groups = "groups",
        /// `organizations`
        Organizations = "organizations",
        /// `last_audits`
        LastAudits = "last_audits",
        /// `metric_sets`
        MetricSets = "metric_sets",
        /// `metric_events` (single ticket)
        MetricEvents = "metric_events",
        /// `dates`
        Dates = "dates",
        /// `sharing_agreements`
        SharingAgreements = "sharing_agreements",
        /// `comment_count` (a per-ticket property, not an array)
        CommentCount = "comment_count",
        /// `comment_events` (incremental ticket events)
        CommentEvents = "comment_events",
        /// `incident_counts`
        IncidentCounts = "incident_counts",
        /// `ticket_forms`
        TicketForms = "ticket_forms",
        /// `slas` (single ticket)
        Slas = "slas",
        /// `brands`
        Brands = "brands",
        /// `custom_statuses`
        CustomStatuses = "custom_statuses",
        /// `abilities`
        Abilities = "abilities",
        /// `roles`
        Roles = "roles",
        /// `identities`
        Identities = "identities",
        /// `open_ticket_count` (a map keyed by user id)
        OpenTicketCount = "open_ticket_count",
    }
}

impl SideloadName {
    /// Joins names for the `include` query parameter (`users,groups`).
    pub fn join(names: &[SideloadName]) -> String {
        let mut out = String::new();
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(n.as_str());
        }
        out
    }
}

/// A lazily built id → position index over a sideload list.
#[derive(Default)]
struct LazyIndex(OnceLock<HashMap<u64, usize>>);

impl Clone for LazyIndex {
    fn clone(&self) -> Self {
        LazyIndex::default()
    }
}

impl PartialEq for LazyIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for LazyIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "built"
        } else {
            "unbuilt"
        })
    }
}

impl LazyIndex {
    fn find<'a, T>(&self, items: &'a [T], id: u64, key: impl Fn(&T) -> u64) -> Option<&'a T> {
        let index = self.0.get_or_init(|| {
            let mut m = HashMap::with_capacity(items.len());
            for (i, t) in items.iter().enumerate() {
                m.entry(key(t)).or_insert(i);
            }
            m
        });
        let hit = index.get(&id).and_then(|&i| items.get(i))?;
        if key(hit) == id {
            Some(hit)
        } else {
            // The list was modified after the index was built.
            items.iter().find(|t| key(t) == id)
        }
    }
}

/// The sideloaded records of a response (`?include=users,groups,…`), and every other
/// top-level key that is neither the items nor pagination.
///
/// `users`, `groups`, `organizations`, `last_audits`, `identities` (users) and
/// `metric_sets` (tickets) are typed; everything else (`ticket_forms`, `custom_statuses`,
/// `open_ticket_count`, keys Zendesk adds later) is kept verbatim in `extra`. A typed list that is `None` was absent.
/// Lookups by id build a hash index on first use; if you modify the lists afterwards,
/// call [`Sideloads::reset_index`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sideloads {
    /// `users`.
    pub users: Option<Vec<User>>,
    /// `groups`.
    pub groups: Option<Vec<Group>>,
    /// `organizations`.
    pub organizations: Option<Vec<Organization>>,
    /// `last_audits`.
    pub last_audits: Option<Vec<Audit>>,
    /// `identities` (users, `include=identities`).
    pub identities: Option<Vec<Identity>>,
    /// `metric_sets` (tickets, `include=metric_sets`).
    pub metric_sets: Option<Vec<TicketMetric>>,
    /// Every other top-level key, verbatim (a typed key that was `null` is kept here).
    pub extra: Map<String, Value>,
    user_index: LazyIndex,
    group_index: LazyIndex,
    organization_index: LazyIndex,
    metric_index: LazyIndex,
}

impl Sideloads {
    /// The sideloaded user with this id.
    pub fn user(&self, id: UserId) -> Option<&User> {
        self.user_index
            .find(self.users.as_deref()?, id.0, |u| u.id.0)
    }

    /// The sideloaded group with this id.
    pub fn group(&self, id: GroupId) -> Option<&Group> {
        self.group_index
            .find(self.groups.as_deref()?, id.0, |g| g.id.0)
    }

    /// The sideloaded organization with this id.
    pub fn organization(&self, id: OrganizationId) -> Option<&Organization> {
        self.organization_index
            .find(self.organizations.as_deref()?, id.0, |o| o.id.0)
    }

    /// The last audit of a ticket (`include=last_audits`).
    pub fn last_audit(&self, ticket: TicketId) -> Option<&Audit> {
        self.last_audits
            .as_deref()?
            .iter()
            .find(|a| a.ticket_id == Some(ticket))
    }

    /// The sideloaded identities of a user (`include=identities`), in response order.
    ///
    /// ```
    /// use zdkit::models::{decode, ListPage, User, UserId};
    /// let page: ListPage<User> = decode(br#"{"users":[{"id":7}],
    ///   "identities":[{"id":1,"user_id":7,"type":"email","value":"a@b.test"},
    ///                 {"id":2,"user_id":8,"type":"email","value":"c@d.test"}]}"#).unwrap();
    /// let mine: Vec<_> = page.sideloads.identities_of(UserId(7)).collect();
    /// assert_eq!(mine.len(), 1);
    /// assert_eq!(mine[0].value.as_deref(), Some("a@b.test"));
    /// ```
    pub fn identities_of(&self, user: UserId) -> impl Iterator<Item = &Identity> + '_ {
        self.identities
            .iter()
            .flatten()
            .filter(move |i| i.user_id == Some(user))
    }

    /// The sideloaded metric set of a ticket (`include=metric_sets`).
    ///
    /// ```
    /// use zdkit::models::{decode, ListPage, Ticket, TicketId};
    /// let page: ListPage<Ticket> = decode(br#"{"tickets":[{"id":4}],
    ///   "metric_sets":[{"id":33,"ticket_id":4,"replies":2}]}"#).unwrap();
    /// assert_eq!(page.sideloads.metric_set(TicketId(4)).and_then(|m| m.replies), Some(2));
    /// ```
    pub fn metric_set(&self, ticket: TicketId) -> Option<&TicketMetric> {
        self.metric_index
            .find(self.metric_sets.as_deref()?, ticket.0, |m| {
                m.ticket_id.map_or(0, |t| t.0)
            })
    }

    /// A sideload kept verbatim (`metric_sets`, `custom_statuses`, …).
    pub fn raw(&self, name: &SideloadName) -> Option<&Value> {
        self.extra.get(name.as_str())
    }

    /// Decodes a verbatim sideload into `T`.
    pub fn decode_raw<T: DeserializeOwned>(
        &self,
        name: &SideloadName,
    ) -> Option<serde_json::Result<T>> {
        self.raw(name).map(T::deserialize)
    }

    /// `true` if nothing was sideloaded and no other keys were present.
    pub fn is_empty(&self) -> bool {
        self.users.is_none()
            && self.groups.is_none()
            && self.organizations.is_none()
            && self.last_audits.is_none()
            && self.identities.is_none()
            && self.metric_sets.is_none()
            && self.extra.is_empty()
    }

    /// Drops the lookup indexes (call after modifying the lists).
    pub fn reset_index(&mut self) {
        self.user_index = LazyIndex::default();
        self.group_index = LazyIndex::default();
        self.organization_index = LazyIndex::default();
        self.metric_index = LazyIndex::default();
    }

    /// Decodes one top-level entry of a page or envelope.
    pub(crate) fn decode_entry<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        fn typed<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
            slot: &mut Option<Vec<T>>,
            extra: &mut Map<String, Value>,
            key: Key<'de>,
            map: &mut A,
        ) -> Result<(), A::Error> {
            match map.next_value::<Option<Vec<T>>>()? {
                Some(v) => *slot = Some(v),
                None => {
                    extra.insert(key.into_string(), Value::Null);
                }
            }
            Ok(())
        }
        match &*key {
            "users" => typed(&mut self.users, &mut self.extra, key, map),
            "groups" => typed(&mut self.groups, &mut self.extra, key, map),
            "organizations" => typed(&mut self.organizations, &mut self.extra, key, map),
            "last_audits" => typed(&mut self.last_audits, &mut self.extra, key, map),
            "identities" => typed(&mut self.identities, &mut self.extra, key, map),
            "metric_sets" => typed(&mut self.metric_sets, &mut self.extra, key, map),
            _ => {
                let v = map.next_value::<Value>()?;
                self.extra.insert(key.into_string(), v);
                Ok(())
            }
        }
    }

    pub(crate) fn encode<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        if let Some(v) = &self.users {
            m.serialize_entry("users", v)?;
        }
        if let Some(v) = &self.groups {
            m.serialize_entry("groups", v)?;
        }
        if let Some(v) = &self.organizations {
            m.serialize_entry("organizations", v)?;
        }
        if let Some(v) = &self.last_audits {
            m.serialize_entry("last_audits", v)?;
        }
        if let Some(v) = &self.identities {
            m.serialize_entry("identities", v)?;
        }
        if let Some(v) = &self.metric_sets {
            m.serialize_entry("metric_sets", v)?;
        }
        for (k, v) in &self.extra {
            m.serialize_entry(k, v)?;
        }
        Ok(())
    }
}
