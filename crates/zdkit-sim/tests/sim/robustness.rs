//! No input makes the simulator panic or answer outside the Zendesk error shapes.

use reqwest::Method;

use crate::support::*;

const PATHS: &[&str] = &[
    "/api/v2/tickets",
    "/api/v2/tickets/1",
    "/api/v2/tickets/show_many",
    "/api/v2/tickets/1/comments",
    "/api/v2/tickets/1/audits",
    "/api/v2/users",
    "/api/v2/users/search",
    "/api/v2/users/show_many",
    "/api/v2/organizations",
    "/api/v2/groups",
    "/api/v2/ticket_fields",
    "/api/v2/incremental/tickets/cursor",
    "/api/v2/incremental/tickets",
    "/api/v2/incremental/users/cursor",
    "/api/v2/incremental/users",
    "/api/v2/incremental/organizations",
    "/api/v2/incremental/ticket_events",
    "/api/v2/job_statuses",
    "/api/v2/job_statuses/show_many",
    "/api/v2/search",
    "/api/v2/search/count",
    "/api/v2/search/export",
];

const QUERIES: &[&str] = &[
    "",
    "page=0",
    "page=-1",
    "page=18446744073709551615&per_page=18446744073709551615",
    "per_page=0",
    "page[size]=0",
    "page[size]=99999999999999999999",
    "page[size]=5&page[before]=",
    "page[size]=5&page[after]=%00%FF",
    "page[size]=5&page[before]=dDowOjA",
    "sort=-updated_at&page[size]=3",
    "sort_by=updated_at&sort_order=sideways",
    "ids=,,,&external_ids=,",
    "start_time=18446744073709551615",
    "start_time=0&per_page=0",
    "start_time=0&cursor=%22%22",
    "cursor=bWFsZm9ybWVk",
    "query=&filter[type]=nope",
    "query=created>notadate",
    "query=status<=%22open&per_page=1",
    "query=type:ticket%20%22unterminated&page=2",
    "query=%E2%9C%93%20requester:me%20assignee:none",
    "include=users,groups,organizations,comment_count,comment_events,bogus",
];

#[tokio::test]
async fn odd_parameters_never_break_the_server() {
    let sim = start(200).await;
    for path in PATHS {
        // A fresh rate-limit window per path: every request must reach its handler.
        sim.advance(60);
        for query in QUERIES {
            let url = format!("{path}?{query}");
            let r = sim.get(&url).await;
            let code = r.status.as_u16();
            assert!(code < 500 && code != 429, "GET {url}: {code} {}", r.text);
            assert!(r.body.is_object(), "GET {url}: not JSON: {}", r.text);
            assert_eq!(
                r.header("content-type"),
                Some("application/json; charset=utf-8"),
                "GET {url}"
            );
            if code >= 400 {
                assert!(
                    r.body.get("error").is_some() || r.body.get("errors").is_some(),
                    "GET {url}: {}",
                    r.text
                );
            }
        }
    }
}

#[tokio::test]
async fn odd_bodies_never_break_the_server() {
    let sim = start(50).await;
    let bodies = [
        "",
        "null",
        "[]",
        "{\"ticket\": null}",
        "{\"ticket\": []}",
        "{\"ticket\": {\"comment\": 5, \"tags\": 7, \"custom_fields\": {\"id\": 1}}}",
        "{\"ticket\": {\"comment\": \"x\", \"requester\": {\"email\": 3}, \"assignee_id\": \"abc\"}}",
        "{\"ticket\": {\"comment\": \"x\", \"custom_fields\": [{\"id\": 99999, \"value\": 1}, 5]}}",
        "{\"tickets\": \"nope\", \"user\": {\"name\": []}}",
        "{\"user\": {\"name\": \"N\", \"email\": \"not-an-email\", \"role\": 5}}",
        "\u{0}\u{1}",
    ];
    let targets = [
        (Method::POST, "/api/v2/tickets"),
        (Method::PUT, "/api/v2/tickets/2"),
        (Method::POST, "/api/v2/tickets/create_many"),
        (Method::PUT, "/api/v2/tickets/update_many"),
        (Method::PUT, "/api/v2/tickets/update_many?ids=1,2"),
        (Method::POST, "/api/v2/users"),
        (Method::PUT, "/api/v2/users/12"),
        (Method::POST, "/api/v2/users/create_or_update"),
    ];
    for (method, path) in &targets {
        sim.advance(60);
        for body in &bodies {
            let r = sim
                .send(
                    sim.req(method.clone(), path)
                        .header("content-type", "application/json")
                        .body(body.to_string()),
                )
                .await;
            let code = r.status.as_u16();
            assert!(
                code < 500 && code != 429,
                "{method} {path} {body:?}: {code} {}",
                r.text
            );
            assert!(r.body.is_object(), "{method} {path} {body:?}: {}", r.text);
        }
    }
    // Jobs made from odd bodies complete without breaking anything.
    sim.advance(10);
    let r = sim.get("/api/v2/job_statuses").await;
    assert_eq!(r.status, 200);
    for job in r.body["job_statuses"].as_array().unwrap() {
        assert_eq!(job["status"], "completed");
    }
}
