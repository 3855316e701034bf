//! A table's `created_at` order: what search export walks (Zendesk orders its results by
//! `created_at`), so a page costs its own records, not the table.
//!
//! Generated records are indexed once, on first use, as their ids sorted by
//! `(created_at, id)` (8 bytes a record); written records whose `created_at` is not the
//! generated one (created through the API) are kept in a sorted set beside it.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::OnceLock;

use super::{Generate, Table};
use crate::data::Seeds;

/// The `created_at` order of a [`Table`].
#[derive(Default)]
pub(crate) struct CreatedIndex {
    /// Generated ids sorted by `(created_at, id)`, built on first use.
    base: OnceLock<Vec<u64>>,
    /// `(created_at, id)` of written records outside `base`'s order: ids past the
    /// generated ones, or a generated id written with another `created_at`.
    over: BTreeSet<(u64, u64)>,
}

impl std::fmt::Debug for CreatedIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedIndex")
            .field("base", &self.base.get().map(Vec::len))
            .field("over", &self.over.len())
            .finish()
    }
}

impl CreatedIndex {
    /// Before `rec` replaces `old` (the written version, if any) in a table of `base`
    /// generated records.
    pub(super) fn on_put<T: Generate>(&mut self, s: &Seeds, old: Option<&T>, rec: &T, base: u64) {
        if let Some(old) = old {
            self.over.remove(&(old.created(), old.id()));
        }
        let id = rec.id();
        if id == 0 || id > base || rec.created() != T::base_created(s, id) {
            self.over.insert((rec.created(), id));
        }
    }
}

impl<T: Generate> Table<T> {
    fn created_base(&self, s: &Seeds) -> &[u64] {
        self.created.base.get_or_init(|| {
            let mut keys: Vec<(u64, u64)> = (1..=self.base)
                .map(|id| (T::base_created(s, id), id))
                .collect();
            keys.sort_unstable();
            keys.into_iter().map(|(_, id)| id).collect()
        })
    }

    /// `(created_at, id)` of every record (deleted ones and those the search index does
    /// not hold yet included), ascending, strictly after `after`. The first call builds
    /// the index of the generated records (one pass over them).
    pub(crate) fn created_after<'a>(
        &'a self,
        s: &'a Seeds,
        after: (u64, u64),
    ) -> impl Iterator<Item = (u64, u64)> + 'a {
        let ids = self.created_base(s);
        let from = ids.partition_point(|&id| (T::base_created(s, id), id) <= after);
        let base = ids[from..]
            .iter()
            .map(move |&id| (T::base_created(s, id), id))
            // A generated record written with another created_at is in `over` instead.
            .filter(move |&(created, id)| {
                self.over.get(&id).is_none_or(|r| r.created() == created)
            });
        let over = self
            .created
            .over
            .range((Bound::Excluded(after), Bound::Unbounded))
            .copied();
        Merge {
            a: base.peekable(),
            b: over.peekable(),
        }
    }
}

/// Two ascending iterators merged (their items are distinct).
struct Merge<A: Iterator, B: Iterator> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<A, B> Iterator for Merge<A, B>
where
    A: Iterator<Item = (u64, u64)>,
    B: Iterator<Item = (u64, u64)>,
{
    type Item = (u64, u64);

    fn next(&mut self) -> Option<(u64, u64)> {
        match (self.a.peek(), self.b.peek()) {
            (Some(x), Some(y)) if y < x => self.b.next(),
            (Some(_), _) => self.a.next(),
            (None, _) => self.b.next(),
        }
    }
}
