//! Connecting: the `?schema=` parameter, the password-free location used in messages, and
//! advice for each way opening can fail.

use std::error::Error as StdError;
use std::fmt::Write as _;

use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;
use tokio_postgres::Config;

use crate::store::{Result, StoreError};

/// Splits the `schema=NAME` parameter off a URL; checks NAME is a plain identifier.
pub(super) fn split_schema(url: &str) -> Result<(String, Option<String>)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), None));
    };
    let mut schema = None;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("schema=") {
            Some(name) => schema = Some(name.to_owned()),
            None => rest.push(pair),
        }
    }
    if let Some(name) = &schema {
        let ok = name.len() <= 63
            && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(StoreError::BadLocation {
                location: redact(url),
                reason: format!(
                    "schema `{name}` must be 1 to 63 lowercase letters, digits or `_`, \
                     not starting with a digit"
                ),
            });
        }
    }
    let base = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    Ok((base, schema))
}

/// The URL without its password, for messages.
pub(super) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = rest.split_once('/').map_or((rest, ""), |(a, t)| (a, t));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let slash = if rest.contains('/') { "/" } else { "" };
            format!("{scheme}://{user}@{host}{slash}{tail}")
        }
        None => url.to_owned(),
    }
}

/// `postgres://user@host:port/db?schema=s` from the parsed configuration.
pub(super) fn describe(config: &Config, schema: Option<&str>) -> String {
    let mut s = String::from("postgres://");
    if let Some(user) = config.get_user() {
        let _ = write!(s, "{user}@");
    }
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                Host::Tcp(name) => name.clone(),
                #[cfg(unix)]
                Host::Unix(path) => path.display().to_string(),
            };
            let port = config
                .get_ports()
                .get(i)
                .or(config.get_ports().first())
                .copied();
            format!("{host}:{}", port.unwrap_or(5432))
        })
        .collect();
    s.push_str(&hosts.join(","));
    let _ = write!(
        s,
        "/{}",
        config.get_dbname().or(config.get_user()).unwrap_or("")
    );
    if let Some(schema) = schema {
        let _ = write!(s, "?schema={schema}");
    }
    s
}

/// The error and its causes, `a: b: c`, without repeats.
pub(super) fn chain(e: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}

/// An open-time failure with advice.
pub(super) fn open_error(location: &str, e: &tokio_postgres::Error) -> StoreError {
    let code = e.code();
    let reason = chain(e);
    let hint = if code == Some(&SqlState::INVALID_PASSWORD)
        || code == Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION)
    {
        "authentication failed: check the user and password in the URL \
         (postgres://USER:PASSWORD@HOST:PORT/DB)"
    } else if code == Some(&SqlState::INVALID_CATALOG_NAME) {
        "the database does not exist: create it (createdb NAME) or name another in the URL"
    } else if code == Some(&SqlState::INSUFFICIENT_PRIVILEGE) {
        "the user may not create tables here: grant it CREATE on the database or schema, \
         or pick a schema it owns with ?schema=NAME"
    } else if code == Some(&SqlState::INVALID_SCHEMA_NAME) {
        "no schema to create the tables in: add ?schema=NAME to the URL"
    } else if code == Some(&SqlState::READ_ONLY_SQL_TRANSACTION) {
        "the server is read-only (a standby?): point --to at the primary"
    } else if code.is_none() && reason.to_ascii_lowercase().contains("tls") {
        "this build connects without TLS: allow plain connections or add sslmode=disable"
    } else if code.is_none() {
        "is PostgreSQL running and reachable at that host and port? check the URL given \
         with --to (postgres://USER@HOST:PORT/DB)"
    } else {
        "check the URL given with --to and the server's log"
    };
    StoreError::Open {
        location: location.to_owned(),
        reason,
        hint: hint.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_parameter_is_split_off() {
        let (base, schema) = split_schema("postgres://u@h/db?schema=zd_1&sslmode=disable").unwrap();
        assert_eq!(base, "postgres://u@h/db?sslmode=disable");
        assert_eq!(schema.as_deref(), Some("zd_1"));
        let (base, schema) = split_schema("postgres://u@h/db").unwrap();
        assert_eq!((base.as_str(), schema), ("postgres://u@h/db", None));
        let err = split_schema("postgres://u:secret@h/db?schema=Bad;drop")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("lowercase") && !err.contains("secret"),
            "{err}"
        );
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:pw@h:5/db?x=1"),
            "postgres://u@h:5/db?x=1"
        );
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
    }

    #[test]
    fn location_is_described_without_password() {
        let config: Config = "postgres://bob:pw@db.example:6543/mirror".parse().unwrap();
        assert_eq!(
            describe(&config, Some("s")),
            "postgres://bob@db.example:6543/mirror?schema=s"
        );
    }
}
