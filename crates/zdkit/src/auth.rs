//! Credentials, redacting secret types, and [`Credentials::check`].

use std::fmt;

use base64::Engine as _;
use http::HeaderValue;

/// A secret string (token, password). `Debug` and `Display` print `[redacted]`; the value
/// is reachable only through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself. Call only to put it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

/// How the client authenticates. `Debug` never shows a secret.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// API token: `Authorization: Basic base64("{email}/token:{token}")`.
    ApiToken {
        /// The agent's email address (without `/token`; the client adds it).
        email: String,
        /// The API token.
        token: Secret,
    },
    /// OAuth access token: `Authorization: Bearer {token}`.
    OAuth {
        /// The access token.
        token: Secret,
    },
    /// Email and password (deprecated by Zendesk; being removed from all accounts).
    Password {
        /// The user's email address.
        email: String,
        /// The password.
        password: Secret,
    },
}

/// What [`Credentials::check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FindingKind {
    /// A value is empty.
    Empty {
        /// `email`, `token` or `password`.
        field: &'static str,
    },
    /// The email already ends in `/token` (the client adds it itself).
    EmailHasTokenSuffix,
    /// Whitespace or a newline inside a value (usually a copy-paste accident).
    Whitespace {
        /// `email`, `token` or `password`.
        field: &'static str,
    },
    /// The email has no `@`.
    EmailMalformed,
    /// An API token that looks like an OAuth access token (64 hex characters).
    LooksLikeOAuthToken,
    /// An OAuth token that looks like a Zendesk API token (40 alphanumerics, not all hex).
    LooksLikeApiToken,
}

/// One problem found in credentials before any request, with its fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialFinding {
    /// What was found.
    pub kind: FindingKind,
    /// What is wrong, in one line (never contains the secret).
    pub message: String,
    /// How to fix it, in one line.
    pub fix: String,
    /// `true` when the credentials certainly cannot work (the builder refuses them);
    /// `false` for heuristics (the builder logs a warning).
    pub fatal: bool,
}

impl fmt::Display for CredentialFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (fix: {})", self.message, self.fix)
    }
}

fn finding(kind: FindingKind, fatal: bool, message: &str, fix: &str) -> CredentialFinding {
    CredentialFinding {
        kind,
        message: message.to_owned(),
        fix: fix.to_owned(),
        fatal,
    }
}

/// 64 hex characters: the shape of Zendesk OAuth access tokens seen in the wild.
fn looks_like_oauth(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// 40 ASCII alphanumerics, not all hex digits: the shape of Zendesk API tokens.
/// (Requiring a non-hex character keeps a 40-hex-digit value from being misjudged.)
fn looks_like_api_token(token: &str) -> bool {
    token.len() == 40
        && token.bytes().all(|b| b.is_ascii_alphanumeric())
        && token.bytes().any(|b| !b.is_ascii_hexdigit())
}

impl Credentials {
    /// API-token credentials for `email` (without `/token`).
    pub fn api_token(email: impl Into<String>, token: impl Into<Secret>) -> Self {
        Credentials::ApiToken {
            email: email.into(),
            token: token.into(),
        }
    }

    /// OAuth bearer-token credentials.
    pub fn oauth(token: impl Into<Secret>) -> Self {
        Credentials::OAuth {
            token: token.into(),
        }
    }

    /// Email and password. Deprecated by Zendesk (removed for new accounts since
    /// 2024-07-31); logs a warning. Use only when asked for explicitly.
    pub fn password(email: impl Into<String>, password: impl Into<Secret>) -> Self {
        tracing::warn!(
            "password authentication is deprecated by Zendesk and being removed; use an API token or OAuth"
        );
        Credentials::Password {
            email: email.into(),
            password: password.into(),
        }
    }

    /// Find mistakes before any request is made. Heuristics are conservative:
    /// * an API token of exactly 64 hex characters is flagged as probably an OAuth token;
    /// * an OAuth token of exactly 40 alphanumerics with a non-hex letter is flagged as
    ///   probably an API token.
    ///
    /// Either finding is a warning (`fatal: false`); empty values, whitespace and an email
    /// ending in `/token` are fatal.
    pub fn check(&self) -> Vec<CredentialFinding> {
        let mut out = Vec::new();
        let check_value = |field: &'static str, v: &str, out: &mut Vec<CredentialFinding>| {
            if v.is_empty() {
                out.push(finding(
                    FindingKind::Empty { field },
                    true,
                    &format!("the {field} is empty"),
                    &format!("set the {field} (check the environment variable is exported)"),
                ));
            } else if v.chars().any(char::is_whitespace) {
                out.push(finding(
                    FindingKind::Whitespace { field },
                    true,
                    &format!("the {field} contains whitespace or a newline"),
                    &format!("remove spaces and line breaks around the {field} (a trailing newline from a file?)"),
                ));
            }
        };
        let check_email = |email: &str, out: &mut Vec<CredentialFinding>| {
            check_value("email", email, out);
            if email.ends_with("/token") {
                out.push(finding(
                    FindingKind::EmailHasTokenSuffix,
                    true,
                    "the email ends in `/token`",
                    "pass the bare email address; the client appends `/token` itself",
                ));
            } else if !email.is_empty() && !email.contains('@') {
                out.push(finding(
                    FindingKind::EmailMalformed,
                    false,
                    "the email has no `@`",
                    "use the agent's email address",
                ));
            }
        };
        match self {
            Credentials::ApiToken { email, token } => {
                check_email(email, &mut out);
                check_value("token", token.expose(), &mut out);
                if looks_like_oauth(token.expose()) {
                    out.push(finding(
                        FindingKind::LooksLikeOAuthToken,
                        false,
                        "the API token looks like an OAuth access token (64 hex characters)",
                        "use Credentials::oauth(token) (ZENDESK_OAUTH_TOKEN) for OAuth tokens",
                    ));
                }
            }
            Credentials::OAuth { token } => {
                check_value("token", token.expose(), &mut out);
                if looks_like_api_token(token.expose()) {
                    out.push(finding(
                        FindingKind::LooksLikeApiToken,
                        false,
                        "the OAuth token looks like a Zendesk API token (40 letters and digits)",
                        "use Credentials::api_token(email, token) (ZENDESK_EMAIL + ZENDESK_API_TOKEN)",
                    ));
                }
            }
            Credentials::Password { email, password } => {
                check_email(email, &mut out);
                if password.expose().is_empty() {
                    out.push(finding(
                        FindingKind::Empty { field: "password" },
                        true,
                        "the password is empty",
                        "set the password",
                    ));
                }
            }
        }
        out
    }

    /// The `Authorization` header value, marked sensitive.
    pub(crate) fn header_value(&self) -> Result<HeaderValue, crate::Error> {
        let raw = match self {
            Credentials::ApiToken { email, token } => {
                let pair = format!("{email}/token:{}", token.expose());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
            Credentials::OAuth { token } => format!("Bearer {}", token.expose()),
            Credentials::Password { email, password } => {
                let pair = format!("{email}:{}", password.expose());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
        };
        let mut value = HeaderValue::from_str(&raw).map_err(|_| {
            crate::Error::Config(
                "the credentials contain characters not allowed in a header".into(),
            )
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const API: &str = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd";
    const OAUTH: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn kinds(c: &Credentials) -> Vec<FindingKind> {
        c.check().into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn secrets_redact_in_debug_and_display() {
        let c = Credentials::api_token("a@example.com", "s3cr3tT0k3n");
        assert!(!format!("{c:?}").contains("s3cr3t"));
        let s = Secret::new("hunter2");
        assert_eq!(s.to_string(), "[redacted]");
        assert!(!format!("{s:?}").contains("hunter2"));
        let p = Credentials::password("a@example.com", "hunter2");
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn good_credentials_have_no_findings() {
        assert!(Credentials::api_token("a@example.com", API)
            .check()
            .is_empty());
        assert!(Credentials::oauth(OAUTH).check().is_empty());
    }

    #[test]
    fn check_finds_each_mistake() {
        assert_eq!(
            kinds(&Credentials::api_token("a@example.com/token", API)),
            vec![FindingKind::EmailHasTokenSuffix]
        );
        assert_eq!(
            kinds(&Credentials::api_token("a@example.com", format!("{API}\n"))),
            vec![FindingKind::Whitespace { field: "token" }]
        );
        assert_eq!(
            kinds(&Credentials::api_token("a @example.com", API)),
            vec![FindingKind::Whitespace { field: "email" }]
        );
        assert_eq!(
            kinds(&Credentials::api_token("", "")),
            vec![
                FindingKind::Empty { field: "email" },
                FindingKind::Empty { field: "token" }
            ]
        );
        assert_eq!(
            kinds(&Credentials::api_token("a@example.com", OAUTH)),
            vec![FindingKind::LooksLikeOAuthToken]
        );
        assert_eq!(
            kinds(&Credentials::oauth(API)),
            vec![FindingKind::LooksLikeApiToken]
        );
        assert_eq!(
            kinds(&Credentials::oauth("")),
            vec![FindingKind::Empty { field: "token" }]
        );
        // Conservative: a 40-hex-digit OAuth token is not flagged.
        assert!(Credentials::oauth(&OAUTH[..40]).check().is_empty());
        for f in Credentials::api_token("a@example.com/token", format!("{API} ")).check() {
            assert!(!f.message.contains(API) && !f.fix.contains(API));
            assert!(!f.fix.is_empty());
        }
    }

    #[test]
    fn header_values_are_sensitive_and_well_formed() {
        let v = Credentials::api_token("agent@example.com", "s3cr3tT0k3n")
            .header_value()
            .unwrap();
        assert!(v.is_sensitive());
        assert_eq!(v, "Basic YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46czNjcjN0VDBrM24=");
        let p = Credentials::password("agent@example.com", "hunter2")
            .header_value()
            .unwrap();
        assert_eq!(p, "Basic YWdlbnRAZXhhbXBsZS5jb206aHVudGVyMg==");
        assert_eq!(
            Credentials::oauth("abc").header_value().unwrap(),
            "Bearer abc"
        );
    }
}
