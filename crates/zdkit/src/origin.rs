//! The origin check: the one place that turns a path or a link into the URL a request is
//! sent to, and refuses anything that would send credentials to another origin.
//!
//! Every request goes through [`resolve`] (called by the pipeline before anything is
//! sent, whatever built the URL: a typed resource, `client.get(..)`, a next-page link),
//! so the `Authorization` header can only ever reach the configured base URL.
//!
//! Rules (each refusal is an error naming the offending text):
//! * ASCII control characters and whitespace (TAB, LF, CR, space, DEL) anywhere are
//!   refused: URL parsers silently *strip* TAB and LF, so `/<TAB>/evil.example/x` would
//!   otherwise become the scheme-relative `//evil.example/x`.
//! * A backslash anywhere is refused: the WHATWG URL parser reads `\` as `/` in http(s)
//!   URLs, so `/\evil.example/x` is scheme-relative too. (A real URL encodes it as `%5C`.)
//! * A scheme-relative `//host/...` is refused outright.
//! * A full `http(s)://` URL must have the configured scheme, host and port (default ports
//!   made explicit, host case-folded: what the URL parser normalises) and no user info.
//! * A path `/...` is appended to the base URL's path prefix: with the base
//!   `https://proxy.example/zendesk/`, `/api/v2/tickets` becomes
//!   `https://proxy.example/zendesk/api/v2/tickets`. Full URLs (what Zendesk sends in
//!   `links.next`) are used as they are, after the origin check.
//! * Anything else (`api/v2/x`, `mailto:`) is refused.

use url::Url;

use crate::error::Error;

/// Why a link was refused (without the link itself; [`refusal`] adds it).
fn unsafe_reason(link: &str) -> Option<&'static str> {
    if link
        .bytes()
        .any(|b| b.is_ascii_control() || b == b' ' || b == 0x7f)
    {
        return Some("it contains a control character or whitespace");
    }
    if link.contains('\\') {
        return Some("it contains a backslash");
    }
    if link.starts_with("//") {
        return Some("it is scheme-relative (`//host/...`), i.e. names another host");
    }
    None
}

/// `scheme://host:port` with the default port made explicit.
fn origin_of(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// True when `url` has the scheme, host and port of `base`.
pub fn same_origin(base: &Url, url: &Url) -> bool {
    url.scheme() == base.scheme()
        && url.host() == base.host()
        && url.port_or_known_default() == base.port_or_known_default()
}

fn refused(what: &str, text: &str, why: &str, base: &Url) -> String {
    format!(
        "refusing {what} {}: {why}; credentials are only sent to {}",
        crate::text::escape_control(&format!("{text:?}")),
        origin_of(base)
    )
}

/// Resolve `path` (a `/path?query` or a full URL) against `base`, applying every rule of
/// the module docs. The error is [`Error::InvalidRequest`] naming `path`.
pub fn resolve(base: &Url, path: &str) -> Result<Url, Error> {
    resolve_as(base, path, "the URL").map_err(Error::InvalidRequest)
}

/// Check a link a server sent (a next page, an `after_url`) before following it; the
/// error is [`Error::Incomplete`] naming the link (the walk cannot go on safely).
pub fn check_link(base: &Url, link: &str) -> Result<Url, Error> {
    resolve_as(base, link, "to follow the link").map_err(Error::Incomplete)
}

fn resolve_as(base: &Url, path: &str, what: &str) -> Result<Url, String> {
    if let Some(why) = unsafe_reason(path) {
        return Err(refused(what, path, why, base));
    }
    let url = if path.starts_with("http://") || path.starts_with("https://") {
        Url::parse(path).map_err(|e| refused(what, path, &format!("bad URL: {e}"), base))?
    } else if path.starts_with('/') {
        let prefix = base.path().trim_end_matches('/');
        let joined = format!("{}{prefix}{path}", origin_of(base));
        Url::parse(&joined).map_err(|e| refused(what, path, &format!("bad path: {e}"), base))?
    } else {
        return Err(refused(
            what,
            path,
            "it must start with `/` (e.g. /api/v2/tickets) or be a full URL on the configured host",
            base,
        ));
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused(what, path, "it carries user info", base));
    }
    if !same_origin(base, &url) {
        return Err(refused(what, path, "another origin", base));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn smuggled_links_are_refused_naming_the_link() {
        let b = base("http://127.0.0.1:9999");
        for evil in [
            "//127.0.0.2:9999/api/v2/tickets",
            "/\\127.0.0.2:9999/api/v2/tickets",
            "/\t/127.0.0.2:9999/api/v2/tickets",
            "/\n/127.0.0.2:9999/api/v2/tickets",
            "http://127.0.0.1:9998/api/v2/x",
            "https://127.0.0.1:9999/api/v2/x",
            "http://user:pw@127.0.0.1:9999/api/v2/x",
            "http:\\\\127.0.0.2/x",
            "api/v2/x",
            "javascript:alert(1)",
        ] {
            let e = check_link(&b, evil).unwrap_err().to_string();
            assert!(e.contains("refusing"), "{evil:?}: {e}");
            let shown = format!("{evil:?}");
            assert!(
                e.contains(&*crate::text::escape_control(&shown)),
                "{evil:?}: {e}"
            );
            assert!(resolve(&b, evil).is_err(), "{evil:?}");
        }
    }

    #[test]
    fn same_origin_after_normalisation_is_accepted() {
        let b = base("https://acme.zendesk.com/");
        assert!(check_link(&b, "https://ACME.zendesk.com:443/api/v2/x?a=1").is_ok());
        assert_eq!(
            resolve(&b, "/api/v2/tickets?x=1").unwrap().as_str(),
            "https://acme.zendesk.com/api/v2/tickets?x=1"
        );
    }

    #[test]
    fn a_base_url_keeps_its_path_prefix() {
        let b = base("http://127.0.0.1:9999/zendesk/");
        assert_eq!(
            resolve(&b, "/api/v2/tickets").unwrap().as_str(),
            "http://127.0.0.1:9999/zendesk/api/v2/tickets"
        );
        let b = base("http://127.0.0.1:9999/zendesk");
        assert_eq!(
            resolve(&b, "/api/v2/tickets").unwrap().as_str(),
            "http://127.0.0.1:9999/zendesk/api/v2/tickets"
        );
        // Full URLs are used as sent.
        assert_eq!(
            resolve(&b, "http://127.0.0.1:9999/zendesk/api/v2/x?p=2")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9999/zendesk/api/v2/x?p=2"
        );
    }
}
