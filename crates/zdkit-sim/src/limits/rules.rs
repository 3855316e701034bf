//! Which limits a request is charged to: the account bucket and the endpoint buckets of
//! reference §3.2, with their sizes per plan.

use http::Method;

use super::Plan;

/// The default size of the `tickets-index` bucket (requests per minute).
///
/// Zendesk documents 100/min for sandbox and trial accounts and "N/A" for production;
/// production responses have been seen with `total=100000`, which is what we send by
/// default. Change it with [`super::RateLimiter::set_tickets_index_rpm`].
pub const DEFAULT_TICKETS_INDEX_RPM: u32 = 100_000;

/// What the limiter needs to know about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    /// The HTTP method.
    pub method: Method,
    /// The normalized path: no query, no `.json` suffix, no trailing slash.
    pub path: String,
    /// The authenticated user, when known (`None` is treated as user 0).
    pub user_id: Option<u64>,
    /// The ticket id of a `PUT /api/v2/tickets/{id}`, parsed from the path.
    pub ticket_id: Option<u64>,
}

impl RequestKey {
    /// Builds the key of a request: normalizes `raw_path` (see [`normalize_path`]) and parses
    /// the ticket id of ticket updates.
    pub fn new(method: Method, raw_path: &str, user_id: Option<u64>) -> Self {
        let path = normalize_path(raw_path);
        let ticket_id = if method == Method::PUT {
            path.strip_prefix("/api/v2/tickets/")
                .and_then(|rest| rest.parse::<u64>().ok())
        } else {
            None
        };
        RequestKey {
            method,
            path,
            user_id,
            ticket_id,
        }
    }
}

/// Strips the query string, a trailing slash and a `.json` suffix:
/// `/api/v2/tickets/7.json?x=1` → `/api/v2/tickets/7`.
pub fn normalize_path(raw: &str) -> String {
    let mut p = raw.split(['?', '#']).next().unwrap_or_default();
    while p.len() > 1 && p.ends_with('/') {
        p = &p[..p.len() - 1];
    }
    let p = p.strip_suffix(".json").unwrap_or(p);
    if p.is_empty() {
        "/".to_string()
    } else {
        p.to_string()
    }
}

/// One limit a request is charged to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rule {
    /// The public bucket name (`account`, or the `Zendesk-RateLimit-<bucket>` suffix).
    pub bucket: &'static str,
    /// Which limit of the bucket (a bucket such as `tickets-update` has two).
    pub sub: &'static str,
    /// Requests allowed per window.
    pub limit: u32,
    /// The window length in seconds (windows are aligned to multiples of it since the epoch).
    pub window: u64,
    /// What the limit is keyed by inside the account: `(0, 0)` for account-wide limits.
    pub scope: (u64, u64),
    /// The noun of the 429 description ("incremental export API requests").
    pub noun: &'static str,
}

impl Rule {
    /// Whether this is the account-wide bucket (plain-text 429, `X-Rate-Limit` headers).
    pub fn is_account(&self) -> bool {
        self.bucket == ACCOUNT
    }
}

/// The name of the account-wide bucket.
pub const ACCOUNT: &str = "account";

/// The account limit [`Plan::Unlimited`] advertises (requests per minute): high enough
/// never to be reached on one machine, and sent in the headers so that a client that
/// learns its limits from them (rather than falling back to a default) runs at full speed.
pub const UNLIMITED_RPM: u32 = 10_000_000;

/// The rules `req` is charged to on `plan`; empty outside `/api/v2/`; only the account
/// rule (at [`UNLIMITED_RPM`]) on [`Plan::Unlimited`]. The account rule comes first.
pub(crate) fn rules_for(req: &RequestKey, plan: Plan, tickets_index_rpm: u32) -> Vec<Rule> {
    let mut out = Vec::new();
    let unlimited = plan.account_rpm().is_none();
    let account_rpm = plan.account_rpm().unwrap_or(UNLIMITED_RPM);
    let Some(rest) = req.path.strip_prefix("/api/v2/") else {
        return out;
    };
    let hv = plan.high_volume();
    let user = req.user_id.unwrap_or(0);
    let rule = |bucket, sub, limit, window, scope, noun| Rule {
        bucket,
        sub,
        limit,
        window,
        scope,
        noun,
    };
    out.push(rule(
        ACCOUNT,
        ACCOUNT,
        account_rpm,
        60,
        (0, 0),
        "API requests",
    ));
    if unlimited {
        return out;
    }
    let segs: Vec<&str> = rest.split('/').collect();
    let get = req.method == Method::GET;
    let put = req.method == Method::PUT;
    match segs.as_slice() {
        ["incremental", ..] => out.push(rule(
            "incremental-exports",
            "incremental-exports",
            if hv { 30 } else { 10 },
            60,
            (0, 0),
            "incremental export API requests",
        )),
        ["tickets"] if get => out.push(rule(
            "tickets-index",
            "tickets-index",
            tickets_index_rpm,
            60,
            (0, 0),
            "list tickets API requests",
        )),
        ["tickets", _] if put => {
            if let Some(ticket) = req.ticket_id {
                out.push(rule(
                    "tickets-update",
                    "tickets-update-user-ticket",
                    30,
                    600,
                    (user, ticket),
                    "ticket update API requests for this ticket and user",
                ));
                out.push(rule(
                    "tickets-update",
                    "tickets-update-account",
                    if hv { 300 } else { 100 },
                    60,
                    (0, 0),
                    "ticket update API requests",
                ));
            }
        }
        ["search"] if get => out.push(rule(
            "search-index",
            "search-index",
            2500,
            60,
            (0, 0),
            "search API requests",
        )),
        ["search", "export"] if get => out.push(rule(
            "search-export",
            "search-export",
            100,
            60,
            (0, 0),
            "search export API requests",
        )),
        ["deleted_tickets"] if get => out.push(rule(
            "deleted-tickets-index",
            "deleted-tickets-index",
            10,
            60,
            (0, 0),
            "deleted tickets list API requests",
        )),
        ["users", id] if put => {
            let profile = id.parse::<u64>().unwrap_or(0);
            push_create_update_user(&mut out, Some(profile));
        }
        ["users", "create_or_update"] if req.method == Method::POST => {
            push_create_update_user(&mut out, None);
        }
        _ => {}
    }
    super::catalogue::push(req, &segs, &mut out);
    out
}

fn push_create_update_user(out: &mut Vec<Rule>, profile: Option<u64>) {
    if let Some(profile) = profile {
        out.push(Rule {
            bucket: "create-update-user",
            sub: "create-update-user-profile",
            limit: 5,
            window: 60,
            scope: (profile, 0),
            noun: "create or update user API requests for this user",
        });
    }
    out.push(Rule {
        bucket: "create-update-user",
        sub: "create-update-user-account",
        limit: 1,
        window: 1,
        scope: (0, 0),
        noun: "create or update user API requests",
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buckets(method: Method, path: &str, plan: Plan) -> Vec<(&'static str, u32, u64)> {
        let key = RequestKey::new(method, path, Some(1));
        rules_for(&key, plan, DEFAULT_TICKETS_INDEX_RPM)
            .into_iter()
            .map(|r| (r.sub, r.limit, r.window))
            .collect()
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize_path("/api/v2/tickets.json"), "/api/v2/tickets");
        assert_eq!(normalize_path("/api/v2/tickets/"), "/api/v2/tickets");
        assert_eq!(
            normalize_path("/api/v2/tickets/7.json?x=1"),
            "/api/v2/tickets/7"
        );
        assert_eq!(normalize_path("/"), "/");
        assert_eq!(normalize_path(""), "/");
    }

    #[test]
    fn parses_ticket_id_of_puts_only() {
        let k = RequestKey::new(Method::PUT, "/api/v2/tickets/42.json", Some(3));
        assert_eq!(k.ticket_id, Some(42));
        assert_eq!(k.path, "/api/v2/tickets/42");
        let k = RequestKey::new(Method::GET, "/api/v2/tickets/42", Some(3));
        assert_eq!(k.ticket_id, None);
        let k = RequestKey::new(Method::PUT, "/api/v2/tickets/update_many", Some(3));
        assert_eq!(k.ticket_id, None);
    }

    #[test]
    fn classifies_endpoints() {
        use Plan::*;
        assert_eq!(
            buckets(
                Method::GET,
                "/api/v2/incremental/tickets/cursor.json",
                Enterprise
            ),
            [("account", 700, 60), ("incremental-exports", 10, 60)]
        );
        assert_eq!(
            buckets(Method::GET, "/api/v2/incremental/tickets", HighVolume),
            [("account", 2500, 60), ("incremental-exports", 30, 60)]
        );
        assert_eq!(
            buckets(Method::GET, "/api/v2/tickets", Team),
            [("account", 200, 60), ("tickets-index", 100_000, 60)]
        );
        assert_eq!(
            buckets(Method::POST, "/api/v2/tickets", Team),
            [("account", 200, 60)]
        );
        assert_eq!(
            buckets(Method::PUT, "/api/v2/tickets/9", Growth),
            [
                ("account", 400, 60),
                ("tickets-update-user-ticket", 30, 600),
                ("tickets-update-account", 100, 60)
            ]
        );
        assert_eq!(
            buckets(Method::PUT, "/api/v2/tickets/9", EnterprisePlus)[2],
            ("tickets-update-account", 300, 60)
        );
        assert_eq!(
            buckets(Method::GET, "/api/v2/search.json", Enterprise)[1],
            ("search-index", 2500, 60)
        );
        assert_eq!(
            buckets(Method::GET, "/api/v2/search/export", Enterprise)[1],
            ("search-export", 100, 60)
        );
        assert_eq!(
            buckets(Method::GET, "/api/v2/deleted_tickets", Enterprise)[1],
            ("deleted-tickets-index", 10, 60)
        );
        assert_eq!(
            buckets(Method::PUT, "/api/v2/users/5", Enterprise)[1..],
            [
                ("create-update-user-profile", 5, 60),
                ("create-update-user-account", 1, 1)
            ]
        );
        assert_eq!(
            buckets(Method::GET, "/api/v2/incremental/tickets", Unlimited),
            [("account", UNLIMITED_RPM, 60)]
        );
        assert!(buckets(Method::GET, "/__sim/stats", Enterprise).is_empty());
    }
}
