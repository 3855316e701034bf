//! Zendesk plans and their account-wide request limits (reference §3.1).

use std::fmt;
use std::str::FromStr;

/// A Zendesk plan: decides the account-wide requests-per-minute limit and whether the
/// High Volume API add-on is in effect (which raises several endpoint limits).
///
/// Default: [`Plan::Enterprise`] (700 requests/minute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Plan {
    /// Suite/Support Team: 200 requests/minute.
    Team,
    /// Suite Growth: 400 requests/minute.
    Growth,
    /// Suite/Support Professional: 400 requests/minute.
    Professional,
    /// Suite/Support Enterprise: 700 requests/minute.
    #[default]
    Enterprise,
    /// Suite Enterprise Plus: 2500 requests/minute, High Volume API built in.
    EnterprisePlus,
    /// Any qualifying plan with the High Volume API add-on: 2500 requests/minute.
    HighVolume,
    /// No limit to reach: only the account bucket, advertised at
    /// [`UNLIMITED_RPM`](super::rules::UNLIMITED_RPM) requests/minute in the usual headers,
    /// and no endpoint bucket (for throughput benchmarks).
    Unlimited,
}

impl Plan {
    /// Every plan, in the order of their `FromStr` names.
    pub const ALL: [Plan; 7] = [
        Plan::Team,
        Plan::Growth,
        Plan::Professional,
        Plan::Enterprise,
        Plan::EnterprisePlus,
        Plan::HighVolume,
        Plan::Unlimited,
    ];

    /// The account-wide limit in requests per minute; `None` for [`Plan::Unlimited`].
    pub fn account_rpm(self) -> Option<u32> {
        match self {
            Plan::Team => Some(200),
            Plan::Growth | Plan::Professional => Some(400),
            Plan::Enterprise => Some(700),
            Plan::EnterprisePlus | Plan::HighVolume => Some(2500),
            Plan::Unlimited => None,
        }
    }

    /// Whether the High Volume API add-on is in effect ([`Plan::EnterprisePlus`],
    /// [`Plan::HighVolume`]).
    pub fn high_volume(self) -> bool {
        matches!(self, Plan::EnterprisePlus | Plan::HighVolume)
    }

    /// The command-line name (`team`, `growth`, …, `enterprise-plus`, `high-volume`,
    /// `unlimited`).
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Team => "team",
            Plan::Growth => "growth",
            Plan::Professional => "professional",
            Plan::Enterprise => "enterprise",
            Plan::EnterprisePlus => "enterprise-plus",
            Plan::HighVolume => "high-volume",
            Plan::Unlimited => "unlimited",
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A plan name that [`Plan::from_str`] does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown plan {0:?}: expected one of team, growth, professional, enterprise, enterprise-plus, high-volume, unlimited")]
pub struct UnknownPlan(pub String);

impl FromStr for Plan {
    type Err = UnknownPlan;

    /// Parses the command-line name, case-insensitively; `_` is accepted for `-`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        Plan::ALL
            .into_iter()
            .find(|p| p.as_str() == norm)
            .ok_or_else(|| UnknownPlan(s.to_string()))
    }
}

impl serde::Serialize for Plan {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Plan {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Plan::ALL {
            assert_eq!(p.to_string().parse::<Plan>(), Ok(p));
        }
        assert_eq!("Enterprise_Plus".parse::<Plan>(), Ok(Plan::EnterprisePlus));
        assert!("essential".parse::<Plan>().is_err());
    }

    #[test]
    fn limits_per_plan() {
        let rpm: Vec<_> = Plan::ALL.iter().map(|p| p.account_rpm()).collect();
        assert_eq!(
            rpm,
            [
                Some(200),
                Some(400),
                Some(400),
                Some(700),
                Some(2500),
                Some(2500),
                None
            ]
        );
        assert_eq!(Plan::default(), Plan::Enterprise);
        assert!(Plan::HighVolume.high_volume() && Plan::EnterprisePlus.high_volume());
        assert!(!Plan::Enterprise.high_volume() && !Plan::Unlimited.high_volume());
    }

    #[test]
    fn serde_uses_cli_names() {
        let v = serde_json::to_string(&Plan::HighVolume).unwrap();
        assert_eq!(v, "\"high-volume\"");
        let p: Plan = serde_json::from_str("\"team\"").unwrap();
        assert_eq!(p, Plan::Team);
    }
}
