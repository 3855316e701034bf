//! A table of records generated from their id, with an overlay of writes and an order
//! index by `(generated_timestamp, id)` for incremental exports.

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;

use super::Seeds;

mod by_created;

/// A record kept in a [`Table`].
pub(crate) trait Record: Clone {
    /// The id.
    fn id(&self) -> u64;
    /// The `generated_timestamp` (Unix seconds).
    fn ts(&self) -> u64;
    /// Whether the record is (soft-)deleted.
    fn deleted(&self) -> bool {
        false
    }
    /// The `updated_at` (Unix seconds); the `generated_timestamp` unless the record says
    /// otherwise (a system update that changed no field moves only the latter).
    fn updated(&self) -> u64 {
        self.ts()
    }
    /// The `created_at` (Unix seconds); never changes (default: the timestamp).
    fn created(&self) -> u64 {
        self.ts()
    }
}

/// A record that can be generated from `(seed, id)`.
pub(crate) trait Generate: Record {
    /// The generated record `id` (1..=base count).
    fn generate(s: &Seeds, id: u64) -> Self;
    /// The generated record's timestamp, cheaply; non-decreasing in id.
    fn base_ts(s: &Seeds, id: u64) -> u64;
    /// Whether the generated record is deleted, cheaply.
    fn base_deleted(_s: &Seeds, _id: u64) -> bool {
        false
    }
    /// The generated record's `updated_at`, cheaply (default: its timestamp).
    fn base_updated(s: &Seeds, id: u64) -> u64 {
        Self::base_ts(s, id)
    }
    /// The generated record's `created_at`, cheaply (default: its timestamp).
    fn base_created(s: &Seeds, id: u64) -> u64 {
        Self::base_ts(s, id)
    }
}

/// Generated records `1..=base` plus an overlay of written records.
#[derive(Debug)]
pub(crate) struct Table<T> {
    base: u64,
    next_id: u64,
    over: HashMap<u64, T>,
    /// The version each written record had before its latest write (what a lagging
    /// search index still shows, [`Table::get_indexed`]).
    prev: HashMap<u64, T>,
    order: BTreeSet<(u64, u64)>,
    /// The `created_at` order (search export).
    created: by_created::CreatedIndex,
    live: u64,
}

impl<T: Generate> Table<T> {
    /// A table of `base` generated records.
    pub(crate) fn new(s: &Seeds, base: u64) -> Self {
        let deleted = (1..=base).filter(|&id| T::base_deleted(s, id)).count() as u64;
        Table {
            base,
            next_id: base + 1,
            over: HashMap::new(),
            prev: HashMap::new(),
            order: BTreeSet::new(),
            created: by_created::CreatedIndex::default(),
            live: base - deleted,
        }
    }

    /// How many live (not deleted) records there are.
    pub(crate) fn live_count(&self) -> u64 {
        self.live
    }

    /// The largest id ever used.
    pub(crate) fn max_id(&self) -> u64 {
        self.next_id - 1
    }

    /// Takes a fresh id.
    pub(crate) fn alloc_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The record, deleted or not.
    pub(crate) fn get_any(&self, s: &Seeds, id: u64) -> Option<T> {
        if let Some(r) = self.over.get(&id) {
            return Some(r.clone());
        }
        (id >= 1 && id <= self.base).then(|| T::generate(s, id))
    }

    /// The record when it exists and is not deleted.
    pub(crate) fn get(&self, s: &Seeds, id: u64) -> Option<T> {
        self.get_any(s, id).filter(|r| !r.deleted())
    }

    /// The live record, generating a base record with `generate` (e.g. a cheaper partial
    /// form) instead of the full generator.
    pub(crate) fn get_with(&self, s: &Seeds, id: u64, generate: fn(&Seeds, u64) -> T) -> Option<T> {
        match self.over.get(&id) {
            Some(r) => Some(r.clone()).filter(|r| !r.deleted()),
            None => {
                (id >= 1 && id <= self.base && !T::base_deleted(s, id)).then(|| generate(s, id))
            }
        }
    }

    /// The live record as a lagging search index sees it: the newest version written at
    /// or before `cutoff` (Unix seconds). The latest write if it is that old; else the
    /// version it replaced, if that one is; else the generated record (when there is one
    /// and it was not deleted) or nothing. Exact when a record was written at most twice
    /// within the lag; with more writes inside the window the oldest of them is not kept
    /// and the generated record (or nothing) stands in for it.
    pub(crate) fn get_indexed(
        &self,
        s: &Seeds,
        id: u64,
        cutoff: u64,
        generate: fn(&Seeds, u64) -> T,
    ) -> Option<T> {
        let generated =
            || (id >= 1 && id <= self.base && !T::base_deleted(s, id)).then(|| generate(s, id));
        match self.over.get(&id) {
            Some(r) if r.ts() <= cutoff => Some(r.clone()).filter(|r| !r.deleted()),
            Some(_) => match self.prev.get(&id) {
                Some(p) if p.ts() <= cutoff => Some(p.clone()).filter(|p| !p.deleted()),
                _ => generated(),
            },
            None => generated(),
        }
    }

    /// Whether the search index (at `cutoff`, as [`Table::get_indexed`]) holds `id` as a
    /// live record; cheap for generated records (no generation).
    pub(crate) fn is_indexed_live(&self, s: &Seeds, id: u64, cutoff: u64) -> bool {
        let generated = || id >= 1 && id <= self.base && !T::base_deleted(s, id);
        match self.over.get(&id) {
            Some(r) if r.ts() <= cutoff => !r.deleted(),
            Some(_) => match self.prev.get(&id) {
                Some(p) if p.ts() <= cutoff => !p.deleted(),
                _ => generated(),
            },
            None => generated(),
        }
    }

    /// Whether `id` is a live record (cheap: no generation).
    pub(crate) fn is_live(&self, s: &Seeds, id: u64) -> bool {
        match self.over.get(&id) {
            Some(r) => !r.deleted(),
            None => id >= 1 && id <= self.base && !T::base_deleted(s, id),
        }
    }

    fn key_of(&self, s: &Seeds, id: u64) -> Option<(u64, u64)> {
        match self.over.get(&id) {
            Some(r) => Some((r.ts(), id)),
            None => (id >= 1 && id <= self.base).then(|| (T::base_ts(s, id), id)),
        }
    }

    /// Stores a written record (new or changed).
    pub(crate) fn put(&mut self, s: &Seeds, rec: T) {
        let id = rec.id();
        let was_live = self.is_live(s, id);
        if let Some(old) = self.key_of(s, id) {
            self.order.remove(&old);
        }
        if !rec.deleted() {
            self.live += 1;
        }
        if was_live {
            self.live -= 1;
        }
        self.order.insert((rec.ts(), id));
        self.created.on_put(s, self.over.get(&id), &rec, self.base);
        if let Some(old) = self.over.insert(id, rec) {
            self.prev.insert(id, old);
        }
    }

    /// The written records (new, changed or deleted), in no particular order.
    pub(crate) fn written(&self) -> impl Iterator<Item = &T> + '_ {
        self.over.values()
    }

    /// Whether record `id` was written (changed, deleted or created through the API).
    pub(crate) fn is_written_id(&self, id: u64) -> bool {
        self.over.contains_key(&id)
    }

    /// The number of generated records (ids `1..=base`).
    pub(crate) fn base_count(&self) -> u64 {
        self.base
    }

    /// Iterates live ids ascending, strictly after `after`.
    pub(crate) fn ids_after<'a>(
        &'a self,
        s: &'a Seeds,
        after: u64,
    ) -> impl Iterator<Item = u64> + 'a {
        (after.saturating_add(1)..=self.max_id()).filter(move |&id| self.is_live(s, id))
    }

    /// Iterates live ids descending, strictly before `before`.
    pub(crate) fn ids_before<'a>(
        &'a self,
        s: &'a Seeds,
        before: u64,
    ) -> impl Iterator<Item = u64> + 'a {
        (1..before.min(self.next_id))
            .rev()
            .filter(move |&id| self.is_live(s, id))
    }

    /// Iterates `(generated_timestamp, id)` of every record (deleted ones too) in export
    /// order, strictly after `after`.
    pub(crate) fn order_after<'a>(&'a self, s: &'a Seeds, after: (u64, u64)) -> OrderIter<'a, T> {
        // First base id whose key is > after: keys strictly increase with id.
        let (mut lo, mut hi) = (1u64, self.base + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if (T::base_ts(s, mid), mid) > after {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        OrderIter {
            table: self,
            seeds: s,
            next_base: lo,
            over: self.order.range((Bound::Excluded(after), Bound::Unbounded)),
            peek: None,
        }
    }

    /// Iterates `(generated_timestamp, id)` in reverse export order, strictly before
    /// `before`.
    pub(crate) fn order_before<'a>(&'a self, s: &'a Seeds, before: (u64, u64)) -> Vec<(u64, u64)> {
        // Only used for short reverse pages: collect the overlay part, then walk the base.
        let (mut lo, mut hi) = (1u64, self.base + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if (T::base_ts(s, mid), mid) >= before {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let over: Vec<(u64, u64)> = self.order.range(..before).rev().copied().collect();
        let base = (1..lo)
            .rev()
            .filter(|id| !self.over.contains_key(id))
            .map(|id| (T::base_ts(s, id), id));
        let mut out = Vec::new();
        let mut oi = over.into_iter().peekable();
        let mut bi = base.peekable();
        // Merge descending; the caller stops early by taking what it needs.
        loop {
            let next = match (oi.peek(), bi.peek()) {
                (Some(a), Some(b)) => {
                    if a > b {
                        oi.next()
                    } else {
                        bi.next()
                    }
                }
                (Some(_), None) => oi.next(),
                (None, Some(_)) => bi.next(),
                (None, None) => None,
            };
            match next {
                Some(k) => out.push(k),
                None => break,
            }
            if out.len() > 1001 {
                break;
            }
        }
        out
    }

    /// `(updated_at, generated_timestamp, deleted)` of record `id`, cheaply.
    pub(crate) fn truth(&self, s: &Seeds, id: u64) -> Option<(u64, u64, bool)> {
        match self.over.get(&id) {
            Some(r) => Some((r.updated(), r.ts(), r.deleted())),
            None => (id >= 1 && id <= self.base).then(|| {
                (
                    T::base_updated(s, id),
                    T::base_ts(s, id),
                    T::base_deleted(s, id),
                )
            }),
        }
    }

    /// The written record `id`, if it was written (no generation).
    pub(crate) fn overlay(&self, id: u64) -> Option<&T> {
        self.over.get(&id)
    }
}

/// Iterator over a table in `(generated_timestamp, id)` order.
pub(crate) struct OrderIter<'a, T> {
    table: &'a Table<T>,
    seeds: &'a Seeds,
    next_base: u64,
    over: std::collections::btree_set::Range<'a, (u64, u64)>,
    peek: Option<(u64, u64)>,
}

impl<T: Generate> Iterator for OrderIter<'_, T> {
    type Item = (u64, u64);

    fn next(&mut self) -> Option<(u64, u64)> {
        while self.next_base <= self.table.base && self.table.over.contains_key(&self.next_base) {
            self.next_base += 1;
        }
        let base = (self.next_base <= self.table.base)
            .then(|| (T::base_ts(self.seeds, self.next_base), self.next_base));
        if self.peek.is_none() {
            self.peek = self.over.next().copied();
        }
        match (base, self.peek) {
            (Some(b), Some(o)) if o < b => {
                self.peek = None;
                Some(o)
            }
            (Some(b), _) => {
                self.next_base += 1;
                Some(b)
            }
            (None, Some(o)) => {
                self.peek = None;
                Some(o)
            }
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug)]
    struct Rec {
        id: u64,
        ts: u64,
        deleted: bool,
    }

    impl Record for Rec {
        fn id(&self) -> u64 {
            self.id
        }
        fn ts(&self) -> u64 {
            self.ts
        }
        fn deleted(&self) -> bool {
            self.deleted
        }
    }

    impl Generate for Rec {
        fn generate(s: &Seeds, id: u64) -> Self {
            Rec {
                id,
                ts: Self::base_ts(s, id),
                deleted: Self::base_deleted(s, id),
            }
        }
        fn base_ts(_: &Seeds, id: u64) -> u64 {
            100 + id / 3 * 10 // groups of three share a timestamp
        }
        fn base_deleted(_: &Seeds, id: u64) -> bool {
            id % 7 == 0
        }
    }

    fn seeds() -> Seeds {
        Seeds {
            seed: 1,
            t0: 10_000,
            tickets: 0,
            users: 20,
            organizations: 1,
            groups: 1,
            agents: 8,
            admin_email: String::new(),
            end_user_email: String::new(),
            split_updated: false,
            closed_bp: None,
            closed_before: None,
        }
    }

    /// The reference: every record's key, sorted.
    fn expected(t: &Table<Rec>, s: &Seeds) -> Vec<(u64, u64)> {
        let mut keys: Vec<(u64, u64)> = (1..=t.max_id())
            .filter_map(|id| t.get_any(s, id))
            .map(|r| (r.ts, r.id))
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn order_iterators_match_a_sorted_reference_through_writes() {
        let s = seeds();
        let mut t: Table<Rec> = Table::new(&s, 200);
        assert_eq!(t.live_count(), 200 - 200 / 7);
        let mut x = 7u64;
        for step in 0..300u64 {
            x = crate::data::gen::mix(x);
            let now = 5_000 + step;
            if x % 5 == 0 {
                let id = t.alloc_id();
                t.put(
                    &s,
                    Rec {
                        id,
                        ts: now,
                        deleted: false,
                    },
                );
            } else {
                let id = 1 + x % t.max_id();
                let deleted = x % 11 == 0;
                t.put(
                    &s,
                    Rec {
                        id,
                        ts: now,
                        deleted,
                    },
                );
            }
            if step % 50 != 0 {
                continue;
            }
            let all = expected(&t, &s);
            let live = (1..=t.max_id()).filter(|&id| t.is_live(&s, id)).count() as u64;
            assert_eq!(t.live_count(), live);
            for from in [
                (0, 0),
                all[all.len() / 3],
                all[all.len() - 1],
                (5_000 + step, 0),
            ] {
                let got: Vec<_> = t.order_after(&s, from).collect();
                let want: Vec<_> = all.iter().copied().filter(|k| *k > from).collect();
                assert_eq!(got, want, "after {from:?}");
                let got = t.order_before(&s, from);
                let mut want: Vec<_> = all.iter().copied().filter(|k| *k < from).collect();
                want.reverse();
                assert_eq!(got, want, "before {from:?}");
            }
        }
    }
}
