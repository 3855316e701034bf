//! Lists of generic families: the catalogue's paging (cursor `page[size]`/`page[after]`/
//! `page[before]` with `meta`/`links`, offset `page`/`per_page` with `next_page`/`count`,
//! or everything at once), its sorts and filters, and sideloads of users, groups and
//! organizations.

use std::cmp::Ordering;

use base64::Engine;
use serde_json::{json, Map, Value};
use zdkit_catalog::{Family, PageDefault, Seed};

use super::paging::{self, Envelope};
use crate::data::coll::{Coll, Ctx};
use crate::data::gen;
use crate::error::{ApiError, Obj};
use crate::extract::Q;

/// Query parameters that select a page (dropped from generated links).
const PAGING: &[&str] = &[
    "page[size]",
    "page[after]",
    "page[before]",
    "page",
    "per_page",
];

pub(crate) use crate::config::OversizePage as Oversize;

/// The paging a request asks for.
#[derive(Debug, Clone)]
pub(crate) enum Paging {
    Cursor {
        size: usize,
        after: Option<(SortVal, u64)>,
        before: Option<(SortVal, u64)>,
    },
    Offset {
        page: u64,
        per_page: u64,
    },
    All,
}

/// A sort value: null < numbers < strings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SortVal {
    Null,
    Num(f64),
    Str(String),
}

impl SortVal {
    fn cmp(&self, other: &SortVal) -> Ordering {
        match (self, other) {
            (SortVal::Null, SortVal::Null) => Ordering::Equal,
            (SortVal::Null, _) => Ordering::Less,
            (_, SortVal::Null) => Ordering::Greater,
            (SortVal::Num(a), SortVal::Num(b)) => a.total_cmp(b),
            (SortVal::Num(_), SortVal::Str(_)) => Ordering::Less,
            (SortVal::Str(_), SortVal::Num(_)) => Ordering::Greater,
            (SortVal::Str(a), SortVal::Str(b)) => a.cmp(b),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            SortVal::Null => Value::Null,
            SortVal::Num(n) => json!(n),
            SortVal::Str(s) => json!(s),
        }
    }

    fn from_json(v: &Value) -> SortVal {
        match v {
            Value::Null => SortVal::Null,
            Value::Number(n) => SortVal::Num(n.as_f64().unwrap_or(0.0)),
            Value::Bool(b) => SortVal::Num(f64::from(u8::from(*b))),
            Value::String(s) => SortVal::Str(s.clone()),
            other => SortVal::Str(other.to_string()),
        }
    }
}

/// A sort: the field name as the API spells it and the direction.
#[derive(Debug, Clone)]
pub(crate) struct Sort {
    pub field: String,
    pub desc: bool,
}

fn bad(detail: impl Into<String>) -> ApiError {
    ApiError::InvalidPaginationParameter(detail.into())
}

fn size_param(q: &Q, name: &str, max: u32, oversize: Oversize) -> Result<Option<u64>, ApiError> {
    let Some(v) = q.get(name) else {
        return Ok(None);
    };
    let n: u64 = v
        .trim()
        .parse()
        .map_err(|_| bad(format!("{name} must be a number, got {v:?}")))?;
    if n == 0 {
        return Err(bad(format!("{name} must be between 1 and {max}")));
    }
    if n > u64::from(max) {
        return match oversize {
            Oversize::Clamp => Ok(Some(u64::from(max))),
            Oversize::Reject => Err(bad(format!("{name} must be between 1 and {max}"))),
        };
    }
    Ok(Some(n))
}

fn cursor_key(tag: &str, token: &str) -> Result<(SortVal, u64), ApiError> {
    let invalid = || bad("page[after] / page[before] is not a valid cursor for this list");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| invalid())?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    match v.as_array().map(Vec::as_slice) {
        Some([Value::String(t), val, id]) if t == tag => {
            Ok((SortVal::from_json(val), id.as_u64().ok_or_else(invalid)?))
        }
        _ => Err(invalid()),
    }
}

fn cursor_token(tag: &str, key: &(SortVal, u64)) -> String {
    let v = json!([tag, key.0.to_json(), key.1]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

/// The default sort of a family's lists (`cursor`: of its cursor lists).
fn default_sort(f: &Family, cursor: bool) -> &'static str {
    let sorts = if cursor {
        f.cursor_sorts
    } else {
        f.offset_sorts
    };
    if sorts.contains(&"position") {
        "position"
    } else if cursor && f.cursor_sorts == ["created_at"] {
        "created_at"
    } else {
        "id"
    }
}

/// Reads the paging mode and the sort of a list request.
pub(crate) fn parse(f: &Family, q: &Q, oversize: Oversize) -> Result<(Paging, Sort), ApiError> {
    let p = f.paging;
    let max = p.max_page_size;
    let wants_cursor = ["page[size]", "page[after]", "page[before]"]
        .iter()
        .any(|k| q.get(k).is_some());
    let wants_offset = q.get("page").is_some() || q.get("per_page").is_some();
    let cursor = if wants_cursor && p.cursor {
        true
    } else if wants_offset && p.offset {
        false
    } else {
        match p.default {
            PageDefault::Cursor => true,
            PageDefault::Offset => false,
            PageDefault::All => {
                return Ok((Paging::All, offset_sort(f, q)?));
            }
        }
    };
    if cursor {
        let sort = cursor_sort(f, q)?;
        let tag = tag(f, &sort);
        let size = size_param(q, "page[size]", max, oversize)?.unwrap_or(100.min(u64::from(max)));
        let key = |name: &str| match q.get(name) {
            None | Some("") => Ok(None),
            Some(t) => cursor_key(&tag, t).map(Some),
        };
        Ok((
            Paging::Cursor {
                size: size as usize,
                after: key("page[after]")?,
                before: key("page[before]")?,
            },
            sort,
        ))
    } else {
        let page = q.u64("page")?.unwrap_or(1);
        let per_page =
            size_param(q, "per_page", max, Oversize::Clamp)?.unwrap_or(100.min(u64::from(max)));
        if page == 0 {
            return Err(bad("page must be 1 or more"));
        }
        if page > 100 || page.saturating_mul(per_page) > 10_000 {
            return Err(ApiError::InvalidPaginationDepth);
        }
        Ok((Paging::Offset { page, per_page }, offset_sort(f, q)?))
    }
}

fn cursor_sort(f: &Family, q: &Q) -> Result<Sort, ApiError> {
    let raw = q.get("sort").unwrap_or_else(|| default_sort(f, true));
    let (desc, field) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    if field != "id" && !f.cursor_sorts.contains(&field) {
        return Err(bad(format!(
            "sort={raw} is not supported on {}; supported: id{}",
            f.name,
            f.cursor_sorts
                .iter()
                .map(|s| format!(", {s}"))
                .collect::<String>()
        )));
    }
    Ok(Sort {
        field: field.to_string(),
        desc,
    })
}

fn offset_sort(f: &Family, q: &Q) -> Result<Sort, ApiError> {
    let field = q.get("sort_by").unwrap_or_else(|| default_sort(f, false));
    if field != "id" && !f.offset_sorts.contains(&field) {
        return Err(bad(format!(
            "sort_by={field} is not supported on {}",
            f.name
        )));
    }
    // "asc for alphabetical and position sort, desc for all others" (business rules).
    let rules = f.offset_sorts.contains(&"usage_1h");
    let desc = match q.get("sort_order").map(str::to_ascii_lowercase).as_deref() {
        None => rules && !matches!(field, "alphabetical" | "position" | "id"),
        Some("asc") => false,
        Some("desc") => true,
        Some(o) => return Err(bad(format!("sort_order={o} is not valid (asc or desc)"))),
    };
    Ok(Sort {
        field: field.to_string(),
        desc,
    })
}

fn tag(f: &Family, sort: &Sort) -> String {
    format!(
        "{}:{}{}",
        f.name,
        if sort.desc { "-" } else { "" },
        sort.field
    )
}

/// The sort value of a record.
fn sort_val(rec: &Map<String, Value>, field: &str) -> SortVal {
    let v = match field {
        "alphabetical" => rec.get("title").or_else(|| rec.get("name")),
        other => rec.get(other),
    };
    match v {
        Some(Value::String(s)) if field == "alphabetical" || field == "name" => {
            SortVal::Str(s.to_lowercase())
        }
        Some(v) => SortVal::from_json(v),
        None if field.starts_with("usage_") => SortVal::Num(0.0),
        None => SortVal::Null,
    }
}

fn num(v: &str) -> Option<u64> {
    let t = v.trim();
    t.parse::<u64>()
        .ok()
        .or_else(|| {
            t.parse::<f64>()
                .ok()
                .filter(|x| *x >= 0.0)
                .map(|x| x as u64)
        })
        .or_else(|| gen::parse_date(t))
}

fn created(rec: &Map<String, Value>) -> Option<u64> {
    rec.get("created_at")
        .and_then(Value::as_str)
        .and_then(gen::parse_date)
}

/// Whether a record passes the list filters of the request (filters on fields the
/// record does not have are accepted and ignored).
pub(crate) fn keep(f: &Family, q: &Q, rec: &Map<String, Value>) -> bool {
    for name in f.filters {
        let values: Vec<&str> =
            q.0.iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect();
        let Some(&v) = values.last() else { continue };
        let ok = match *name {
            "since" | "start_time" => match (num(v), created(rec)) {
                (Some(t), Some(c)) => c >= t,
                _ => true,
            },
            "end_time" => match (num(v), created(rec)) {
                (Some(t), Some(c)) => c <= t,
                _ => true,
            },
            "score" => score_matches(v, rec),
            "type[]" => {
                let ty = rec.get("type").and_then(Value::as_str).unwrap_or("");
                values
                    .iter()
                    .flat_map(|v| v.split(','))
                    .any(|t| t.trim() == ty)
            }
            "filter[name_contains]" => rec
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.to_lowercase().contains(&v.to_lowercase())),
            "filter[status]" => rec.get("status").and_then(Value::as_str) == Some(v),
            "status_categories" => {
                let c = rec
                    .get("status_category")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                v.split(',').any(|x| x.trim() == c)
            }
            field => match rec.get(field) {
                Some(Value::Bool(b)) => match v.to_ascii_lowercase().as_str() {
                    "true" | "1" => *b,
                    "false" | "0" => !*b,
                    _ => true,
                },
                Some(Value::Number(n)) => num(v).is_none_or(|x| n.as_u64() == Some(x)),
                Some(Value::String(s)) => s == v,
                _ => true,
            },
        };
        if !ok {
            return false;
        }
    }
    true
}

fn score_matches(v: &str, rec: &Map<String, Value>) -> bool {
    let score = rec.get("score").and_then(Value::as_str).unwrap_or("");
    let commented = rec.get("comment").is_some_and(|c| !c.is_null());
    let (base, comment) = if let Some(b) = v.strip_suffix("_with_comment") {
        (b, Some(true))
    } else if let Some(b) = v.strip_suffix("_without_comment") {
        (b, Some(false))
    } else {
        (v, None)
    };
    let base_ok = match base {
        "received" => matches!(score, "good" | "bad"),
        other => score == other,
    };
    base_ok && comment.is_none_or(|c| c == commented)
}

/// A page of records, ready to render.
pub(crate) struct Page {
    pub items: Vec<(u64, Map<String, Value>)>,
    pub has_more: bool,
    pub count: u64,
    /// Whether a `page[before]` request produced this page (its order was reversed).
    pub first: Option<(SortVal, u64)>,
    pub last: Option<(SortVal, u64)>,
}

/// Pages a materialized, filtered list (small families and parent-scoped lists).
pub(crate) fn page_of(
    mut all: Vec<(u64, Map<String, Value>)>,
    paging: &Paging,
    sort: &Sort,
) -> Page {
    let key = |(id, r): &(u64, Map<String, Value>)| (sort_val(r, &sort.field), *id);
    let cmp = |a: &(SortVal, u64), b: &(SortVal, u64)| {
        let o = a.0.cmp(&b.0).then(a.1.cmp(&b.1));
        if sort.desc {
            o.reverse()
        } else {
            o
        }
    };
    if sort.field != "id" || sort.desc {
        all.sort_by(|a, b| cmp(&key(a), &key(b)));
    }
    let count = all.len() as u64;
    let (items, has_more): (Vec<_>, bool) = match paging {
        Paging::All => (all, false),
        Paging::Offset { page, per_page } => {
            let start = ((page - 1) * per_page) as usize;
            let end = start.saturating_add(*per_page as usize).min(all.len());
            let has_more = end < all.len();
            (
                all.into_iter()
                    .skip(start)
                    .take(end.saturating_sub(start))
                    .collect(),
                has_more,
            )
        }
        Paging::Cursor {
            size,
            after,
            before,
        } => match (after, before) {
            (None, Some(b)) => {
                let end = all
                    .iter()
                    .position(|r| cmp(&key(r), b) != Ordering::Less)
                    .unwrap_or(all.len());
                let start = end.saturating_sub(*size);
                (
                    all.into_iter().skip(start).take(end - start).collect(),
                    start > 0,
                )
            }
            _ => {
                let start = after.as_ref().map_or(0, |a| {
                    all.iter()
                        .position(|r| cmp(&key(r), a) == Ordering::Greater)
                        .unwrap_or(all.len())
                });
                let end = (start + size).min(all.len());
                let has_more = end < all.len();
                (
                    all.into_iter().skip(start).take(end - start).collect(),
                    has_more,
                )
            }
        },
    };
    Page {
        first: items.first().map(key),
        last: items.last().map(key),
        items,
        has_more,
        count,
    }
}

/// Pages a large family in id order without materializing it (ticket metrics).
pub(crate) fn page_big(c: &Coll, cx: Ctx<'_>, paging: &Paging, desc: bool) -> Page {
    let take = |from: Option<u64>, desc: bool, n: usize| -> Vec<(u64, Map<String, Value>)> {
        c.ids(cx, from, desc)
            .filter_map(|id| c.get(cx, id).map(|r| (id, r)))
            .take(n)
            .collect()
    };
    let count = match c.fam.seed {
        Seed::PerTicket => cx.db.tickets.live_count(),
        _ => c.base(cx),
    };
    let key = |(id, _): &(u64, Map<String, Value>)| (SortVal::Num(*id as f64), *id);
    let (items, has_more) = match paging {
        Paging::All => (take(None, desc, 100), true),
        Paging::Offset { page, per_page } => {
            let skip = ((page - 1) * per_page) as usize;
            let mut v: Vec<_> = take(None, desc, skip + *per_page as usize + 1)
                .into_iter()
                .skip(skip)
                .collect();
            let more = v.len() > *per_page as usize;
            v.truncate(*per_page as usize);
            (v, more)
        }
        Paging::Cursor {
            size,
            after,
            before,
        } => match (after, before) {
            (None, Some(b)) => {
                let mut v = take(Some(b.1), !desc, size + 1);
                let more = v.len() > *size;
                v.truncate(*size);
                v.reverse();
                (v, more)
            }
            _ => {
                let mut v = take(after.as_ref().map(|a| a.1), desc, size + 1);
                let more = v.len() > *size;
                v.truncate(*size);
                (v, more)
            }
        },
    };
    Page {
        first: items.first().map(key),
        last: items.last().map(key),
        items,
        has_more,
        count,
    }
}

/// Appends the pagination fields of `page` to `obj` (written by [`paging::envelope`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish(
    obj: Obj,
    f: &Family,
    paging: &Paging,
    sort: &Sort,
    page: &Page,
    base: &str,
    path: &str,
    q: &Q,
) -> Obj {
    let e = match paging {
        Paging::Cursor { size, .. } => {
            let tag = tag(f, sort);
            Envelope::Cursor {
                size: *size,
                has_more: page.has_more,
                after: page.last.as_ref().map(|k| cursor_token(&tag, k)),
                before: page.first.as_ref().map(|k| cursor_token(&tag, k)),
                legacy: f.paging.legacy_cursor_fields,
            }
        }
        Paging::Offset { page: n, per_page } => Envelope::Offset {
            page: *n,
            per_page: *per_page,
            has_more: page.has_more,
            count: page.count,
        },
        Paging::All => Envelope::All { count: page.count },
    };
    paging::envelope(obj, &e, base, path, q, PAGING)
}
