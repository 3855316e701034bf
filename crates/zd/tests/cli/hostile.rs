//! `zd` against hostile servers (`zdkit_sim::hostile`): items of issue 9, each test named
//! after what broke.
use super::support::*;
use zdkit_sim::hostile::{HostileServer, Reply};

/// Hostile servers living in their own runtime while the binary runs.
pub struct Hostile {
    pub rt: tokio::runtime::Runtime,
}

impl Hostile {
    pub fn new() -> Hostile {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        Hostile { rt }
    }

    pub fn server(&self) -> HostileServer {
        self.rt.block_on(HostileServer::start())
    }
}

pub fn env_for(server: &HostileServer) -> Vec<(&'static str, String)> {
    vec![
        ("ZENDESK_BASE_URL", server.url()),
        ("ZENDESK_EMAIL", "admin@example.com".into()),
        ("ZENDESK_API_TOKEN", "zd-sim-token".into()),
    ]
}

// Item 1: `zd api --paginate` followed `//host`, `/\host`, TAB- and LF-smuggled links.
#[test]
fn api_paginate_refuses_smuggled_links_and_sends_nothing_elsewhere() {
    let h = Hostile::new();
    let other = h.server();
    let host = other.authority();
    for link in [
        format!("//{host}/api/v2/tickets"),
        format!("/\\{host}/api/v2/tickets"),
        format!("/\t/{host}/api/v2/tickets"),
        format!("/\n/{host}/api/v2/tickets"),
    ] {
        let server = h.server();
        server.route(
            "/api/v2/tickets",
            Reply::json(&serde_json::json!({"tickets": [{"id": 1}],
                "meta": {"has_more": true, "after_cursor": "c1"}, "links": {"next": link}})),
        );
        let r = run(&env_for(&server), &["api", "GET", "tickets", "--paginate"]);
        assert_ne!(r.code, 0, "{link:?}: {}", r.all());
        assert!(r.stderr.contains("refusing"), "{link:?}: {}", r.stderr);
    }
    // `zd api GET //host/x` is refused before anything is sent.
    let server = h.server();
    let r = run(
        &env_for(&server),
        &["api", "GET", &format!("//{host}/api/v2/users/me")],
    );
    assert_ne!(r.code, 0, "{}", r.all());
    assert_eq!(server.request_count(), 0);
    assert!(other.requests().is_empty(), "{:?}", other.requests());
}
