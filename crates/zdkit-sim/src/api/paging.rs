//! Cursor and offset pagination over a [`Table`].

use base64::Engine;
use serde_json::json;

use crate::data::table::{Generate, Table};
use crate::data::Seeds;
use crate::error::{ApiError, Obj};
use crate::extract::{enc, Q};

/// A position in a sort order: `(sort value, id)`; for id order the sort value is 0.
pub(crate) type Key = (u64, u64);

/// The parameters that select a page (dropped when building links).
const PAGING: &[&str] = &[
    "page[size]",
    "page[after]",
    "page[before]",
    "page",
    "per_page",
    "cursor",
    "start_time",
];

/// The sort orders a table supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortBy {
    /// By id.
    Id,
    /// By `updated_at` (= `generated_timestamp` in the simulator), then id.
    UpdatedAt,
}

/// How a list is paged.
#[derive(Debug, Clone)]
pub(crate) enum Mode {
    /// `page[size]` with `page[after]` / `page[before]`.
    Cursor {
        size: usize,
        after: Option<Key>,
        before: Option<Key>,
    },
    /// `page` / `per_page`.
    Offset { page: u64, per_page: u64 },
}

/// Encodes a cursor.
pub(crate) fn cursor_token(tag: &str, k: Key) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{tag}:{}:{}", k.0, k.1))
}

/// Decodes a cursor made by [`cursor_token`] with the same tag.
pub(crate) fn parse_cursor(tag: &str, token: &str) -> Option<Key> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.split(':');
    if parts.next()? != tag {
        return None;
    }
    let a = parts.next()?.parse().ok()?;
    let b = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((a, b))
}

fn bad(detail: impl Into<String>) -> ApiError {
    ApiError::InvalidPaginationParameter(detail.into())
}

/// Reads the paging mode; `tag` scopes cursors to one list and sort.
pub(crate) fn mode(q: &Q, tag: &str, max_size: usize) -> Result<Mode, ApiError> {
    if let Some(size) = q.get("page[size]") {
        let size = crate::extract::parse_uint(size)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| bad(format!("page[size] must be a number, got {size:?}")))?;
        if size == 0 || size > max_size {
            return Err(bad(format!("page[size] must be between 1 and {max_size}")));
        }
        let key = |name: &str| -> Result<Option<Key>, ApiError> {
            match q.get(name) {
                None | Some("") => Ok(None),
                // An empty tag only detects the mode; the caller parses again with its tag.
                Some(_) if tag.is_empty() => Ok(None),
                Some(t) => parse_cursor(tag, t)
                    .map(Some)
                    .ok_or_else(|| bad(format!("{name} is not a valid cursor"))),
            }
        };
        return Ok(Mode::Cursor {
            size,
            after: key("page[after]")?,
            before: key("page[before]")?,
        });
    }
    if q.get("page[after]").is_some() || q.get("page[before]").is_some() {
        return Err(bad("page[after] and page[before] require page[size]"));
    }
    let page = q.u64("page")?.unwrap_or(1);
    let per_page = q.u64("per_page")?.unwrap_or(100).clamp(1, 100);
    if page == 0 {
        return Err(bad("page must be 1 or more"));
    }
    if page > 100 || page.saturating_mul(per_page) > 10_000 {
        return Err(ApiError::InvalidPaginationDepth);
    }
    Ok(Mode::Offset { page, per_page })
}

/// Walks live records from `from` (exclusive) in the given direction, at most `n`,
/// keeping only the ids for which `keep` holds (e.g. not archived).
pub(crate) fn walk_where<T: Generate>(
    t: &Table<T>,
    s: &Seeds,
    by: SortBy,
    ascending: bool,
    from: Option<Key>,
    n: usize,
    keep: &dyn Fn(u64) -> bool,
) -> Vec<Key> {
    match (by, ascending) {
        (SortBy::Id, true) => t
            .ids_after(s, from.map_or(0, |k| k.1))
            .filter(|&id| keep(id))
            .take(n)
            .map(|id| (0, id))
            .collect(),
        (SortBy::Id, false) => t
            .ids_before(s, from.map_or(u64::MAX, |k| k.1))
            .filter(|&id| keep(id))
            .take(n)
            .map(|id| (0, id))
            .collect(),
        (SortBy::UpdatedAt, true) => t
            .order_after(s, from.unwrap_or((0, 0)))
            .filter(|k| t.is_live(s, k.1) && keep(k.1))
            .take(n)
            .collect(),
        (SortBy::UpdatedAt, false) => {
            let mut from = from.unwrap_or((u64::MAX, u64::MAX));
            let mut out = Vec::new();
            loop {
                let chunk = t.order_before(s, from);
                let Some(&last) = chunk.last() else { break };
                out.extend(
                    chunk
                        .iter()
                        .copied()
                        .filter(|k| t.is_live(s, k.1) && keep(k.1)),
                );
                if out.len() >= n {
                    break;
                }
                from = last;
            }
            out.truncate(n);
            out
        }
    }
}

/// One page of keys plus what the response needs to describe it.
#[derive(Debug)]
pub(crate) struct Page {
    pub keys: Vec<Key>,
    pub has_more: bool,
    pub mode: Mode,
    /// Total live records (offset mode).
    pub count: u64,
}

/// Selects a page of `t` in `by` order (`descending` for `-field` / `sort_order=desc`).
pub(crate) fn page<T: Generate>(
    t: &Table<T>,
    s: &Seeds,
    mode: Mode,
    by: SortBy,
    descending: bool,
) -> Page {
    page_where(t, s, mode, by, descending, &|_| true, None)
}

/// [`page`] over the ids for which `keep` holds; `count` is the offset-mode total
/// (default: every live record).
pub(crate) fn page_where<T: Generate>(
    t: &Table<T>,
    s: &Seeds,
    mode: Mode,
    by: SortBy,
    descending: bool,
    keep: &dyn Fn(u64) -> bool,
    count: Option<u64>,
) -> Page {
    let walk = |by, asc, from, n| walk_where(t, s, by, asc, from, n, keep);
    let asc = !descending;
    match &mode {
        Mode::Cursor {
            size,
            after,
            before,
        } => {
            let (mut keys, rev) = match (after, before) {
                (None, Some(b)) => (walk(by, !asc, Some(*b), size + 1), true),
                _ => (walk(by, asc, *after, size + 1), false),
            };
            let has_more = keys.len() > *size;
            keys.truncate(*size);
            if rev {
                keys.reverse();
            }
            Page {
                keys,
                has_more,
                mode,
                count: 0,
            }
        }
        Mode::Offset { page, per_page } => {
            let skip = ((page - 1) * per_page) as usize;
            let mut keys: Vec<Key> = walk(by, asc, None, skip + *per_page as usize + 1)
                .into_iter()
                .skip(skip)
                .collect();
            let has_more = keys.len() > *per_page as usize;
            keys.truncate(*per_page as usize);
            Page {
                keys,
                has_more,
                mode,
                count: count.unwrap_or_else(|| t.live_count()),
            }
        }
    }
}

/// The pagination fields of a response, whatever list produced it: the one writer of
/// Zendesk's two envelopes (cursor `meta`/`links`, offset `next_page`/`previous_page`/
/// `count`) for the core lists here and the catalogue families (`generic_list`).
#[derive(Debug)]
pub(crate) enum Envelope {
    /// Cursor pagination: the cursors of the page's last and first records.
    Cursor {
        size: usize,
        has_more: bool,
        after: Option<String>,
        before: Option<String>,
        /// Also the top-level `after_cursor`/`before_cursor`/`after_url`/`before_url`
        /// (ticket audits and the other lists that still send them).
        legacy: bool,
    },
    /// Offset pagination.
    Offset {
        page: u64,
        per_page: u64,
        has_more: bool,
        count: u64,
    },
    /// Everything on one page (`next_page: null`).
    All { count: u64 },
}

/// The link to another page: the request's query without its paging parameters
/// (`drop`), plus `extra`.
fn url(base: &str, path: &str, q: &Q, drop: &[&str], extra: &[(&str, String)]) -> String {
    let mut parts: Vec<String> =
        q.0.iter()
            .filter(|(k, _)| !drop.contains(&k.as_str()))
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
    parts.extend(extra.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))));
    format!("{base}{path}?{}", parts.join("&"))
}

/// Appends the pagination fields of `e` to `obj`; links keep the request's query minus
/// the parameters in `drop`.
pub(crate) fn envelope(
    obj: Obj,
    e: &Envelope,
    base: &str,
    path: &str,
    q: &Q,
    drop: &[&str],
) -> Obj {
    let link = |extra: &[(&str, String)]| url(base, path, q, drop, extra);
    match e {
        Envelope::Cursor {
            size,
            has_more,
            after,
            before,
            legacy,
        } => {
            let size = size.to_string();
            let next = after
                .as_ref()
                .map(|c| link(&[("page[after]", c.clone()), ("page[size]", size.clone())]));
            let prev = before
                .as_ref()
                .map(|c| link(&[("page[before]", c.clone()), ("page[size]", size.clone())]));
            let mut obj = obj
                .field(
                    "meta",
                    &json!({"has_more": has_more, "after_cursor": after, "before_cursor": before}),
                )
                .field("links", &json!({"next": next, "prev": prev}));
            if *legacy {
                obj = obj
                    .field("after_cursor", after)
                    .field("before_cursor", before)
                    .field("after_url", &next)
                    .field("before_url", &prev);
            }
            obj
        }
        Envelope::Offset {
            page,
            per_page,
            has_more,
            count,
        } => {
            let at = |n: u64| link(&[("page", n.to_string()), ("per_page", per_page.to_string())]);
            obj.field("next_page", &has_more.then(|| at(page + 1)))
                .field("previous_page", &(*page > 1).then(|| at(page - 1)))
                .field("count", count)
        }
        Envelope::All { count } => obj
            .field("next_page", &None::<String>)
            .field("previous_page", &None::<String>)
            .field("count", count),
    }
}

/// `next_page: null, previous_page: null, count` ([`Envelope::All`]) on an object: the
/// envelope of the one-page answers (`show_many`, `update_many`, autocomplete, …).
pub(crate) trait OnePage {
    /// Appends the one-page envelope with `count` records.
    fn one_page(self, count: u64) -> Obj;
}

impl OnePage for Obj {
    fn one_page(self, count: u64) -> Obj {
        envelope(self, &Envelope::All { count }, "", "", &Q::default(), &[])
    }
}

/// Appends the pagination fields (`meta`/`links`, or `next_page`/`previous_page`/`count`).
pub(crate) fn finish(obj: Obj, p: &Page, tag: &str, base: &str, path: &str, q: &Q) -> Obj {
    let e = match &p.mode {
        Mode::Cursor { size, .. } => Envelope::Cursor {
            size: *size,
            has_more: p.has_more,
            after: p.keys.last().map(|k| cursor_token(tag, *k)),
            before: p.keys.first().map(|k| cursor_token(tag, *k)),
            legacy: false,
        },
        Mode::Offset { page, per_page } => Envelope::Offset {
            page: *page,
            per_page: *per_page,
            has_more: p.has_more,
            count: p.count,
        },
    };
    envelope(obj, &e, base, path, q, PAGING)
}

/// Parses the cursor `sort` parameter (`id`, `-id`, `updated_at`, `-updated_at`).
pub(crate) fn cursor_sort(q: &Q, allow_updated: bool) -> Result<(SortBy, bool), ApiError> {
    let s = q.get("sort").unwrap_or("id");
    let (desc, field) = match s.strip_prefix('-') {
        Some(f) => (true, f),
        None => (false, s),
    };
    match field {
        "id" => Ok((SortBy::Id, desc)),
        "updated_at" if allow_updated => Ok((SortBy::UpdatedAt, desc)),
        _ => Err(bad(format!("sort={s} is not supported by the simulator"))),
    }
}

/// `sort_order`: `asc` (default) or `desc`, any case (`DESC` is what several clients
/// send); 400 otherwise.
pub(crate) fn sort_order(q: &Q) -> Result<bool, ApiError> {
    match q
        .present("sort_order")
        .map(|o| o.trim().to_ascii_lowercase())
    {
        None => Ok(false),
        Some(o) if o == "asc" => Ok(false),
        Some(o) if o == "desc" => Ok(true),
        Some(o) => Err(bad(format!("sort_order={o} is not valid"))),
    }
}

/// Parses offset `sort_by` / `sort_order`.
pub(crate) fn offset_sort(q: &Q, allow_updated: bool) -> Result<(SortBy, bool), ApiError> {
    let desc = sort_order(q)?;
    match q.get("sort_by").unwrap_or("id") {
        "id" => Ok((SortBy::Id, desc)),
        "updated_at" if allow_updated => Ok((SortBy::UpdatedAt, desc)),
        other => Err(bad(format!(
            "sort_by={other} is not supported by the simulator"
        ))),
    }
}

/// Both sort forms, depending on the mode.
pub(crate) fn sort_for(
    q: &Q,
    mode: &Mode,
    allow_updated: bool,
) -> Result<(SortBy, bool), ApiError> {
    match mode {
        Mode::Cursor { .. } => cursor_sort(q, allow_updated),
        Mode::Offset { .. } => offset_sort(q, allow_updated),
    }
}

/// The cursor tag of a list and sort.
pub(crate) fn tag(list: &str, by: SortBy, desc: bool) -> String {
    format!(
        "{list}{}{}",
        if by == SortBy::Id { "i" } else { "u" },
        if desc { "d" } else { "a" }
    )
}

/// Pages an in-memory list of `len` items (keys are `(0, index)`).
pub(crate) fn vec_page(len: usize, mode: Mode, descending: bool) -> Page {
    let order: Vec<u64> = if descending {
        (0..len as u64).rev().collect()
    } else {
        (0..len as u64).collect()
    };
    let pos = |k: &Key| order.iter().position(|&i| i == k.1);
    match &mode {
        Mode::Cursor {
            size,
            after,
            before,
        } => {
            let (start, end) = match (after, before) {
                (None, Some(b)) => {
                    let end = pos(b).unwrap_or(0);
                    (end.saturating_sub(*size), end)
                }
                (Some(a), _) => {
                    let start = pos(a).map_or(len, |p| p + 1);
                    (start, (start + size).min(len))
                }
                (None, None) => (0, (*size).min(len)),
            };
            let has_more = if matches!((after, before), (None, Some(_))) {
                start > 0
            } else {
                end < len
            };
            let keys = order[start..end].iter().map(|&i| (0, i)).collect();
            Page {
                keys,
                has_more,
                mode,
                count: 0,
            }
        }
        Mode::Offset { page, per_page } => {
            let start = (((page - 1) * per_page) as usize).min(len);
            let end = (start + *per_page as usize).min(len);
            let keys = order[start..end].iter().map(|&i| (0, i)).collect();
            Page {
                keys,
                has_more: end < len,
                mode,
                count: len as u64,
            }
        }
    }
}

/// Pages an ascending list of ids (keys are `(0, id)`, so cursors survive inserts).
pub(crate) fn ids_page(ids: &[u64], mode: Mode, descending: bool) -> Page {
    let keys: Vec<Key> = ids.iter().map(|&id| (0, id)).collect();
    keys_page(&keys, mode, descending)
}

/// Pages an ascending list of keys; cursors are keys, so they survive inserts.
pub(crate) fn keys_page(keys: &[Key], mode: Mode, descending: bool) -> Page {
    let n = keys.len();
    // In display order, the index of the first key strictly after / not before `k`.
    let display = |i: usize| if descending { keys[n - 1 - i] } else { keys[i] };
    let first = |pred: &dyn Fn(Key) -> bool| (0..n).find(|&i| pred(display(i))).unwrap_or(n);
    let (start, end, has_more, count) = match &mode {
        Mode::Cursor {
            size,
            after,
            before,
        } => match (after, before) {
            (None, Some(b)) => {
                let end = first(&|k| if descending { k <= *b } else { k >= *b });
                let start = end.saturating_sub(*size);
                (start, end, start > 0, 0)
            }
            _ => {
                let start = after.map_or(0, |a| first(&|k| if descending { k < a } else { k > a }));
                let end = (start + size).min(n);
                (start, end, end < n, 0)
            }
        },
        Mode::Offset { page, per_page } => {
            let start = (((page - 1) * per_page) as usize).min(n);
            let end = (start + *per_page as usize).min(n);
            (start, end, end < n, n as u64)
        }
    };
    let keys = (start..end).map(display).collect();
    Page {
        keys,
        has_more,
        mode,
        count,
    }
}
