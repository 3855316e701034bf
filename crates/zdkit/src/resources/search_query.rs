//! [`SearchQuery`]: a Zendesk search query built term by term, or parsed from what a
//! person typed.

use std::fmt;

use time::Date;

/// A Zendesk search query, built term by term.
///
/// ```
/// use zdkit::resources::SearchQuery;
/// let d = time::macros::date!(2024 - 01 - 01);
/// let q = SearchQuery::tickets().status("open").tag("vip").created_after(d).requester("jo@example.com");
/// assert_eq!(q.to_string(), "type:ticket status:open tags:vip created>2024-01-01 requester:jo@example.com");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    kind: Option<&'static str>,
    terms: Vec<String>,
}

fn quoted(v: &str) -> String {
    if v.is_empty() || v.contains(char::is_whitespace) || v.contains('"') {
        format!("\"{}\"", v.replace('"', ""))
    } else {
        v.to_owned()
    }
}

fn day(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl SearchQuery {
    /// Search tickets (`type:ticket`).
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().to_string(), "type:ticket");
    /// ```
    pub fn tickets() -> Self {
        Self::of("ticket")
    }
    /// Search users (`type:user`).
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::users().to_string(), "type:user");
    /// ```
    pub fn users() -> Self {
        Self::of("user")
    }
    /// Search organizations (`type:organization`).
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::organizations().to_string(), "type:organization");
    /// ```
    pub fn organizations() -> Self {
        Self::of("organization")
    }
    /// Search groups (`type:group`).
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::groups().to_string(), "type:group");
    /// ```
    pub fn groups() -> Self {
        Self::of("group")
    }
    /// Search every type.
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::any().tag("vip").to_string(), "tags:vip");
    /// ```
    pub fn any() -> Self {
        Self::default()
    }

    /// A query typed by a person (`"type:ticket status:open printer"`): a `type:` term
    /// outside quotes naming tickets, users, organizations or groups becomes the query's
    /// type (what search export needs); the rest is kept verbatim.
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// let q = SearchQuery::parse(r#"status:open type:user "type:x in quotes""#);
    /// assert_eq!(q.kind(), Some("user"));
    /// assert_eq!(q.terms_only(), r#"status:open "type:x in quotes""#);
    /// assert_eq!(SearchQuery::parse("printer").kind(), None);
    /// ```
    pub fn parse(raw: &str) -> Self {
        let mut q = SearchQuery::default();
        let mut rest: Vec<&str> = Vec::new();
        let mut in_quotes = false;
        for token in raw.split_whitespace() {
            let kind = match token.strip_prefix("type:") {
                Some("ticket") if !in_quotes => Some("ticket"),
                Some("user") if !in_quotes => Some("user"),
                Some("organization") if !in_quotes => Some("organization"),
                Some("group") if !in_quotes => Some("group"),
                _ => None,
            };
            if token.matches('"').count() % 2 == 1 {
                in_quotes = !in_quotes;
            }
            match kind {
                Some(k) if q.kind.is_none() => q.kind = Some(k),
                _ => rest.push(token),
            }
        }
        if !rest.is_empty() {
            q.terms.push(rest.join(" "));
        }
        q
    }

    /// The same query with its type set (`ticket`, `user`, `organization`, `group`;
    /// anything else leaves it unchanged).
    ///
    /// ```
    /// let q = zdkit::resources::SearchQuery::parse("printer").with_kind("ticket");
    /// assert_eq!(q.to_string(), "type:ticket printer");
    /// ```
    pub fn with_kind(mut self, kind: &str) -> Self {
        self.kind = match kind {
            "ticket" => Some("ticket"),
            "user" => Some("user"),
            "organization" => Some("organization"),
            "group" => Some("group"),
            _ => self.kind,
        };
        self
    }

    fn of(kind: &'static str) -> Self {
        SearchQuery {
            kind: Some(kind),
            terms: Vec::new(),
        }
    }

    fn kv(mut self, key: &str, op: &str, value: &str) -> Self {
        self.terms.push(format!("{key}{op}{}", quoted(value)));
        self
    }

    /// `status:<s>` (`open`, `pending`, …).
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().status("open").to_string(), "type:ticket status:open");
    /// ```
    pub fn status(self, s: impl fmt::Display) -> Self {
        self.kv("status", ":", &s.to_string())
    }
    /// `status<<s>` (e.g. `status<solved`: not yet solved).
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().status_below("solved").to_string(), "type:ticket status<solved");
    /// ```
    pub fn status_below(self, s: impl fmt::Display) -> Self {
        self.kv("status", "<", &s.to_string())
    }
    /// `priority:<p>`.
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().priority("urgent").to_string(), "type:ticket priority:urgent");
    /// ```
    pub fn priority(self, p: impl fmt::Display) -> Self {
        self.kv("priority", ":", &p.to_string())
    }
    /// `tags:<t>`.
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().tag("vip").to_string(), "type:ticket tags:vip");
    /// ```
    pub fn tag(self, t: &str) -> Self {
        self.kv("tags", ":", t)
    }
    /// `requester:<email or id or me>`.
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().requester("jo@example.com").to_string(), "type:ticket requester:jo@example.com");
    /// ```
    pub fn requester(self, who: impl fmt::Display) -> Self {
        self.kv("requester", ":", &who.to_string())
    }
    /// `assignee:<email, id, me or none>`.
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().assignee("none").to_string(), "type:ticket assignee:none");
    /// ```
    pub fn assignee(self, who: impl fmt::Display) -> Self {
        self.kv("assignee", ":", &who.to_string())
    }
    /// `group:<id or name>`.
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().group("Tier 1").to_string(), "type:ticket group:\"Tier 1\"");
    /// ```
    pub fn group(self, g: impl fmt::Display) -> Self {
        self.kv("group", ":", &g.to_string())
    }
    /// `organization:<id or name>`.
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().organization(42).to_string(), "type:ticket organization:42");
    /// ```
    pub fn organization(self, o: impl fmt::Display) -> Self {
        self.kv("organization", ":", &o.to_string())
    }
    /// `external_id:<id>`.
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::users().external_id("crm-1").to_string(), "type:user external_id:crm-1");
    /// ```
    pub fn external_id(self, id: &str) -> Self {
        self.kv("external_id", ":", id)
    }
    /// `created>YYYY-MM-DD` (after that day).
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().created_after(time::macros::date!(2024 - 01 - 31)).to_string(), "type:ticket created>2024-01-31");
    /// ```
    pub fn created_after(self, d: Date) -> Self {
        self.kv("created", ">", &day(d))
    }
    /// `created<YYYY-MM-DD` (before that day).
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().created_before(time::macros::date!(2024 - 01 - 31)).to_string(), "type:ticket created<2024-01-31");
    /// ```
    pub fn created_before(self, d: Date) -> Self {
        self.kv("created", "<", &day(d))
    }
    /// `updated>YYYY-MM-DD`.
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().updated_after(time::macros::date!(2024 - 01 - 31)).to_string(), "type:ticket updated>2024-01-31");
    /// ```
    pub fn updated_after(self, d: Date) -> Self {
        self.kv("updated", ">", &day(d))
    }
    /// `updated<YYYY-MM-DD`.
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().updated_before(time::macros::date!(2024 - 01 - 31)).to_string(), "type:ticket updated<2024-01-31");
    /// ```
    pub fn updated_before(self, d: Date) -> Self {
        self.kv("updated", "<", &day(d))
    }
    /// Any raw term, added as is (`"printer fire"`, `-tags:spam`).
    ///
    /// ```
    /// use zdkit::resources::SearchQuery;
    /// assert_eq!(SearchQuery::tickets().term("-tags:spam").to_string(), "type:ticket -tags:spam");
    /// ```
    pub fn term(mut self, raw: impl Into<String>) -> Self {
        self.terms.push(raw.into());
        self
    }

    /// The query without its `type:` term (what search export wants, with `filter[type]`).
    ///
    /// ```
    /// assert_eq!(zdkit::resources::SearchQuery::tickets().tag("a").terms_only(), "tags:a");
    /// ```
    pub fn terms_only(&self) -> String {
        self.terms.join(" ")
    }

    /// The `type:` value, if any.
    ///
    /// ```
    /// assert_eq!(zdkit::resources::SearchQuery::users().kind(), Some("user"));
    /// ```
    pub fn kind(&self) -> Option<&'static str> {
        self.kind
    }
}

impl fmt::Display for SearchQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        if let Some(k) = self.kind {
            write!(f, "type:{k}")?;
            first = false;
        }
        for t in &self.terms {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(t)?;
            first = false;
        }
        Ok(())
    }
}
