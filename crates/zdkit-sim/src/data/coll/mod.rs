//! The generic collection store: one [`Coll`] per catalogue family the generic engine
//! serves. Records `1..=base` are generated on demand from `(seed, id)` by the family's
//! seed generator (`seed.rs`); writes live in an overlay (`BTreeMap`, `None` = deleted),
//! exactly like [`super::table::Table`] but with JSON records, since these families have
//! no behaviour beyond storage.

pub(crate) mod ids;
pub(crate) mod seed;
mod seed_more;
pub(crate) mod writes;

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};
use zdkit_catalog::{Family, Seed};

use super::{Db, Seeds};

/// Ids of records created through the API in families whose base grows with another
/// table (ticket metrics, identities) start here, so they never collide with base ids.
pub(crate) const DERIVED_FIRST_ID: u64 = 1 << 40;

/// Read access to everything a generator may look at.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub s: &'a Seeds,
    pub db: &'a Db,
}

/// One family's records.
#[derive(Debug)]
pub(crate) struct Coll {
    pub fam: &'static Family,
    /// Written records (`Some`) and deletions (`None`), by id.
    over: BTreeMap<u64, Option<Map<String, Value>>>,
    next_id: u64,
}

impl Coll {
    fn new(fam: &'static Family) -> Self {
        let next_id = match fam.seed {
            Seed::Fixed(n) => u64::from(n) + 1,
            _ => DERIVED_FIRST_ID,
        };
        Coll {
            fam,
            over: BTreeMap::new(),
            next_id,
        }
    }

    /// How many generated records there are (ids `1..=base`).
    pub(crate) fn base(&self, cx: Ctx<'_>) -> u64 {
        match self.fam.seed {
            Seed::Fixed(n) => u64::from(n),
            Seed::PerTicket => cx.db.tickets.max_id(),
            Seed::PerParent(_) => cx.db.users.max_id(),
            Seed::Configured | Seed::Derived => 0,
        }
    }

    /// Whether the family is small enough to be listed by materializing it (fixed seed).
    pub(crate) fn small(&self) -> bool {
        matches!(self.fam.seed, Seed::Fixed(_))
    }

    /// The live record `id` (without its `url`).
    pub(crate) fn get(&self, cx: Ctx<'_>, id: u64) -> Option<Map<String, Value>> {
        match self.over.get(&id) {
            Some(r) => r.clone(),
            None if id >= 1 && id <= self.base(cx) => seed::generate(self.fam, cx, id),
            None => None,
        }
    }

    /// Live ids ascending (strictly after `after`), or descending (strictly before it).
    /// Ids of the generated range may still have no record (the generator decides).
    pub(crate) fn ids<'a>(
        &'a self,
        cx: Ctx<'_>,
        from: Option<u64>,
        descending: bool,
    ) -> Box<dyn Iterator<Item = u64> + 'a> {
        let base = self.base(cx);
        let over = &self.over;
        let not_deleted = move |id: &u64| !matches!(over.get(id), Some(None));
        if descending {
            let before = from.unwrap_or(u64::MAX);
            let written = over
                .range(base.saturating_add(1)..before)
                .rev()
                .filter(|(_, v)| v.is_some())
                .map(|(k, _)| *k);
            let generated = (1..before.min(base.saturating_add(1)))
                .rev()
                .filter(not_deleted);
            Box::new(written.chain(generated))
        } else {
            let after = from.unwrap_or(0);
            let generated = (after.saturating_add(1)..=base).filter(not_deleted);
            let start = after.max(base).saturating_add(1);
            let written = over
                .range(start..)
                .filter(|(_, v)| v.is_some())
                .map(|(k, _)| *k);
            Box::new(generated.chain(written))
        }
    }

    /// Every live record, ascending id (small families only).
    pub(crate) fn all(&self, cx: Ctx<'_>) -> Vec<(u64, Map<String, Value>)> {
        self.ids(cx, None, false)
            .filter_map(|id| self.get(cx, id).map(|r| (id, r)))
            .collect()
    }

    /// Takes a fresh id.
    pub(crate) fn alloc_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Stores a written record.
    pub(crate) fn put(&mut self, id: u64, rec: Map<String, Value>) {
        self.over.insert(id, Some(rec));
    }

    /// Deletes record `id`.
    pub(crate) fn remove(&mut self, id: u64) {
        self.over.insert(id, None);
    }

    /// Written records whose `field` equals `value` (for parent-scoped families).
    pub(crate) fn written_where<'a>(
        &'a self,
        field: &'a str,
        value: &'a Value,
    ) -> impl Iterator<Item = u64> + 'a {
        self.over
            .iter()
            .filter(move |(_, r)| r.as_ref().is_some_and(|r| r.get(field) == Some(value)))
            .map(|(k, _)| *k)
    }

    /// Whether id `id` was deleted or overwritten.
    pub(crate) fn is_written(&self, id: u64) -> bool {
        self.over.contains_key(&id)
    }
}

/// Every generic family's store, by family name.
#[derive(Debug)]
pub(crate) struct Colls(HashMap<&'static str, Coll>);

impl Colls {
    /// The generated state of every generic family of the catalogue.
    pub(crate) fn new() -> Self {
        Colls(
            zdkit_catalog::generic()
                .map(|f| (f.name, Coll::new(f)))
                .collect(),
        )
    }

    /// The store of family `name` (a generic family of the catalogue).
    pub(crate) fn get(&self, name: &str) -> Option<&Coll> {
        self.0.get(name)
    }

    /// The store of family `name`, for writing.
    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Coll> {
        self.0.get_mut(name)
    }
}
