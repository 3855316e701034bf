//! Wire forms of generic record ids: integers, or strings for the families whose ids are
//! strings (webhooks and group SLA policies: ULID-like, 26 Crockford base32 characters;
//! trigger categories: decimal strings, as Zendesk sends them).

use serde_json::{json, Value};
use zdkit_catalog::{Family, IdKind};

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn ulid_family(f: &Family) -> bool {
    f.id == IdKind::String && f.name != "trigger_categories"
}

/// The high 64 bits of a family's ULID-like ids: a fixed millisecond timestamp prefix in
/// 2023 plus a per-family tag, so ids of two families never look alike.
fn ulid_high(f: &Family) -> u64 {
    let tag = f
        .name
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    (0x0188_2A5B_3C00u64 << 16) | (tag & 0xFFFF)
}

/// The wire id of record `n` of family `f`.
pub(crate) fn render(f: &Family, n: u64) -> Value {
    match f.id {
        IdKind::Integer => json!(n),
        IdKind::String if !ulid_family(f) => json!(n.to_string()),
        IdKind::String => {
            let v = (u128::from(ulid_high(f)) << 64) | u128::from(n);
            let mut out = [0u8; 26];
            for (i, c) in out.iter_mut().enumerate() {
                let shift = 5 * (25 - i);
                *c = CROCKFORD[((v >> shift) & 31) as usize];
            }
            json!(String::from_utf8_lossy(&out))
        }
    }
}

/// The record number of a wire id given in a path or a query (`None`: not an id of `f`).
pub(crate) fn parse(f: &Family, s: &str) -> Option<u64> {
    let s = s.trim();
    if !ulid_family(f) {
        return s.parse().ok().filter(|&n| n > 0);
    }
    if s.len() != 26 {
        return None;
    }
    let mut v: u128 = 0;
    for c in s.bytes() {
        let c = c.to_ascii_uppercase();
        let d = CROCKFORD.iter().position(|&x| x == c)? as u128;
        v = (v << 5) | d;
    }
    let high = (v >> 64) as u64;
    let n = v as u64;
    (high == ulid_high(f) && n > 0).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for name in [
            "webhooks",
            "group_sla_policies",
            "trigger_categories",
            "macros",
        ] {
            let f = zdkit_catalog::family(name).unwrap();
            for n in [1, 2, 99, 1 << 40] {
                let v = render(f, n);
                let s = match &v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                assert_eq!(parse(f, &s), Some(n), "{name} {s}");
            }
        }
        let w = zdkit_catalog::family("webhooks").unwrap();
        let id = render(w, 7);
        assert_eq!(id.as_str().unwrap().len(), 26);
        assert!(id.as_str().unwrap().starts_with("01"));
        assert_eq!(parse(w, "7"), None);
        let other = zdkit_catalog::family("group_sla_policies").unwrap();
        assert_eq!(parse(other, id.as_str().unwrap()), None);
    }
}
