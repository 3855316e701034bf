//! Deterministic generation helpers: a splitmix64 hash, word lists, time formatting.

use time::OffsetDateTime;

/// How far back the generated history reaches (about three years).
pub(crate) const SPAN_SECS: u64 = 3 * 365 * 24 * 3600;
/// The newest generated record is this many seconds older than the simulator's start.
pub(crate) const NEWEST_AGE_SECS: u64 = 300;
/// A generated ticket is at most this old when it was last updated (bounds audit times).
pub(crate) const MAX_TICKET_AGE_SECS: u64 = 7 * 24 * 3600;

/// One splitmix64 step.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A pure hash of (seed, kind, id, salt).
pub(crate) fn hash(seed: u64, kind: u64, id: u64, salt: u64) -> u64 {
    mix(mix(mix(seed ^ kind.wrapping_mul(0xA24B_AED4_963E_E407)) ^ id) ^ salt)
}

/// Picks one element of a non-empty list by hash.
pub(crate) fn pick<T: Copy>(list: &[T], h: u64) -> T {
    list[(h % list.len() as u64) as usize]
}

/// Formats Unix seconds as `2024-01-02T03:04:05Z`.
pub(crate) fn iso(secs: u64) -> String {
    let dt = OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(0))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Unix seconds serialized as [`iso`] text without allocating (the wire form of record
/// times on hot paths: export pages, metric sets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Iso(pub u64);

impl Iso {
    /// The 20 bytes of `2024-01-02T03:04:05Z`.
    fn bytes(self) -> [u8; 20] {
        let dt = OffsetDateTime::from_unix_timestamp(i64::try_from(self.0).unwrap_or(0))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let mut b = *b"0000-00-00T00:00:00Z";
        let mut put = |at: usize, width: usize, mut v: u32| {
            for i in (at..at + width).rev() {
                b[i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        // Years past 9999 cannot come from a u64 of plausible seconds; clamp like `{:04}`
        // would not, but keep the fixed width.
        put(0, 4, u32::try_from(dt.year()).unwrap_or(0).min(9999));
        put(5, 2, u32::from(u8::from(dt.month())));
        put(8, 2, u32::from(dt.day()));
        put(11, 2, u32::from(dt.hour()));
        put(14, 2, u32::from(dt.minute()));
        put(17, 2, u32::from(dt.second()));
        b
    }
}

impl serde::Serialize for Iso {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let b = self.bytes();
        // Only ASCII digits and separators were written.
        ser.serialize_str(std::str::from_utf8(&b).unwrap_or("1970-01-01T00:00:00Z"))
    }
}

/// Parses `2024-01-02` or `2024-01-02T03:04:05Z` to Unix seconds.
pub(crate) fn parse_date(s: &str) -> Option<u64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    if s.len() == 10 {
        let d = time::Date::parse(s, &fmt).ok()?;
        return u64::try_from(d.midnight().assume_utc().unix_timestamp()).ok();
    }
    let dt = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    u64::try_from(dt.unix_timestamp()).ok()
}

/// A base timestamp for record `id` of `count` records spread over the history, monotone
/// (non-decreasing) in id; groups of four records sometimes share one timestamp.
pub(crate) fn spread_ts(seed: u64, kind: u64, t0: u64, id: u64, count: u64) -> u64 {
    let start = t0.saturating_sub(SPAN_SECS);
    let span = SPAN_SECS - NEWEST_AGE_SECS;
    let count = count.max(1);
    let at = |i: u64| start + ((i - 1) as u128 * span as u128 / count as u128) as u64;
    let group = (id - 1) / 4;
    if hash(seed, kind, group, 77) % 5 == 0 {
        at(group * 4 + 1)
    } else {
        at(id)
    }
}

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Ada", "Bo", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lea", "Mo",
    "Nia", "Otto", "Pia", "Quin", "Rae", "Sam", "Tao", "Uma", "Vic", "Wes", "Xia", "Yan", "Zoe",
];
pub(crate) const LAST_NAMES: &[&str] = &[
    "Adler", "Berg", "Costa", "Dahl", "Evans", "Fischer", "Garcia", "Holm", "Ito", "Jensen",
    "Khan", "Lopez", "Meyer", "Novak", "Olsen", "Park", "Quist", "Rossi", "Silva", "Tanaka",
];
pub(crate) const NOUNS: &[&str] = &[
    "printer",
    "invoice",
    "password",
    "laptop",
    "order",
    "account",
    "refund",
    "router",
    "license",
    "shipment",
    "subscription",
    "report",
    "badge",
    "headset",
    "dashboard",
    "export",
];
pub(crate) const PROBLEMS: &[&str] = &[
    "not working",
    "on fire",
    "missing",
    "too slow",
    "broken",
    "charged twice",
    "locked",
    "not arriving",
    "wrong",
    "disappeared",
    "out of date",
    "failing",
];
pub(crate) const TAGS: &[&str] = &[
    "vip",
    "billing",
    "hardware",
    "software",
    "refund",
    "feedback",
    "bug",
    "sales",
    "shipping",
    "escalated",
];
pub(crate) const COMPANY: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
];
pub(crate) const COMPANY_KIND: &[&str] = &[
    "Industries",
    "Labs",
    "Systems",
    "Group",
    "Logistics",
    "Foods",
    "Media",
    "Works",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_formats_and_parses_back() {
        assert_eq!(iso(1_704_164_645), "2024-01-02T03:04:05Z");
        assert_eq!(parse_date("2024-01-02T03:04:05Z"), Some(1_704_164_645));
        assert_eq!(parse_date("2024-01-02"), Some(1_704_153_600));
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn iso_serializer_writes_what_iso_formats() {
        for secs in [
            0,
            59,
            1_704_164_645,
            951_782_400,
            4_102_444_799,
            253_402_300_799,
        ] {
            let json = serde_json::to_string(&Iso(secs)).unwrap();
            assert_eq!(json, format!("\"{}\"", iso(secs)), "{secs}");
        }
    }

    #[test]
    fn spread_is_monotone_with_ties() {
        let mut prev = 0;
        let mut ties = 0;
        for id in 1..=10_000 {
            let t = spread_ts(1, 1, 2_000_000_000, id, 10_000);
            assert!(t >= prev);
            if t == prev {
                ties += 1;
            }
            prev = t;
        }
        assert!(ties > 100, "ties: {ties}");
        assert!(prev <= 2_000_000_000 - NEWEST_AGE_SECS);
    }
}
