//! Every error body.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn authentication_failures() {
    let sim = start(100).await;
    let none = sim.send(sim.client.get(sim.url("/api/v2/tickets"))).await;
    assert_error(&none, 401, "Couldn't authenticate you");
    assert_eq!(none.text, r#"{"error":"Couldn't authenticate you"}"#);
    assert_eq!(
        none.header("www-authenticate"),
        Some("Basic realm=\"Web Password\"")
    );

    let bad = sim
        .send(
            sim.client
                .get(sim.url("/api/v2/tickets"))
                .basic_auth("admin@example.com/token", Some("nope")),
        )
        .await;
    assert_error(&bad, 401, "Couldn't authenticate you");
    let unknown = sim
        .send(
            sim.client
                .get(sim.url("/api/v2/tickets"))
                .basic_auth("ghost@example.com/token", Some(TOKEN)),
        )
        .await;
    assert_error(&unknown, 401, "Couldn't authenticate you");
    // Password auth is off by default.
    let pw = sim
        .send(
            sim.client
                .get(sim.url("/api/v2/tickets"))
                .basic_auth(ADMIN, Some("secret")),
        )
        .await;
    assert_error(&pw, 401, "Couldn't authenticate you");

    let bearer = sim
        .send(
            sim.client
                .get(sim.url("/api/v2/tickets"))
                .bearer_auth("wrong"),
        )
        .await;
    assert_error(&bearer, 401, "invalid_token");
    assert!(bearer.body["error_description"]
        .as_str()
        .unwrap()
        .contains("expired, revoked, malformed"));

    let ok = sim
        .send(
            sim.client
                .get(sim.url("/api/v2/users/me"))
                .bearer_auth("zd-sim-oauth"),
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["user"]["id"], 1);
    assert_eq!(ok.body["user"]["role"], "admin");
}

#[tokio::test]
async fn password_auth_when_enabled() {
    let mut config = zdkit_sim::SimConfig::with_tickets(100);
    config.password = Some("secret".into());
    let sim = start_with(config).await;
    let ok = sim
        .send(
            sim.client
                .get(sim.url("/api/v2/users/me"))
                .basic_auth("agent1@example.com", Some("secret")),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["user"]["role"], "agent");
    let bad = sim
        .send(
            sim.client
                .get(sim.url("/api/v2/users/me"))
                .basic_auth("agent1@example.com", Some("wrong")),
        )
        .await;
    assert_error(&bad, 401, "Couldn't authenticate you");
}

#[tokio::test]
async fn permission_failures() {
    let sim = start(100).await;
    let end_user = |m: Method, p: &str| {
        sim.client
            .request(m, sim.url(p))
            .basic_auth("enduser@example.com/token", Some(TOKEN))
    };
    let me = sim.send(end_user(Method::GET, "/api/v2/users/me")).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["user"]["role"], "end-user");
    let tickets = sim.send(end_user(Method::GET, "/api/v2/tickets")).await;
    assert_error(&tickets, 403, "Forbidden");
    assert_eq!(
        tickets.body["description"],
        "You do not have access to this page. Please contact the account owner of this help desk for further help."
    );

    let agent = sim
        .send(
            sim.client
                .get(sim.url("/api/v2/incremental/tickets/cursor?start_time=0"))
                .basic_auth("agent2@example.com/token", Some(TOKEN)),
        )
        .await;
    assert_error(&agent, 403, "Forbidden");

    let ro = |m: Method, p: &str| {
        sim.client
            .request(m, sim.url(p))
            .bearer_auth("zd-sim-oauth-readonly")
    };
    assert_eq!(
        sim.send(ro(Method::GET, "/api/v2/tickets/1"))
            .await
            .status
            .as_u16()
            / 100,
        2
    );
    let write = sim
        .send(ro(Method::PUT, "/api/v2/tickets/2").json(&json!({"ticket": {"priority": "low"}})))
        .await;
    assert_error(&write, 403, "Forbidden");
}

#[tokio::test]
async fn not_found_and_invalid_endpoint() {
    let sim = start(100).await;
    let r = sim.get("/api/v2/tickets/999999").await;
    assert_error(&r, 404, "RecordNotFound");
    assert_eq!(
        r.text,
        r#"{"description":"Not found","error":"RecordNotFound"}"#
    );
    // A segment that is not a number matches no route (docs/design/simulator-catalogue.md).
    assert_error(
        &sim.get("/api/v2/tickets/abc.json").await,
        404,
        "InvalidEndpoint",
    );
    assert_error(&sim.get("/api/v2/users/0").await, 404, "RecordNotFound");
    let r = sim.get("/api/v2/no_such_thing").await;
    assert_error(&r, 404, "InvalidEndpoint");
    assert_error(&sim.get("/totally/elsewhere").await, 404, "InvalidEndpoint");
    let r = sim
        .send(sim.req(Method::PATCH, "/api/v2/tickets/count"))
        .await;
    assert_error(&r, 404, "InvalidEndpoint");
}

#[tokio::test]
async fn malformed_bodies_and_params() {
    let sim = start(100).await;
    let r = sim
        .send(
            sim.req(Method::POST, "/api/v2/tickets")
                .header("content-type", "application/json")
                .body("{\"ticket\": {"),
        )
        .await;
    assert_error(&r, 400, "InvalidJSON");
    let r = sim
        .send(
            sim.req(Method::PUT, "/api/v2/tickets/1.json")
                .body("not json"),
        )
        .await;
    assert_error(&r, 400, "InvalidJSON");
    assert_error(
        &sim.get("/api/v2/tickets?page=abc").await,
        400,
        "InvalidParameter",
    );
    assert_error(
        &sim.get("/api/v2/tickets?page[size]=abc").await,
        400,
        "InvalidPaginationParameter",
    );
    assert_error(
        &sim.get("/api/v2/tickets?page[size]=101").await,
        400,
        "InvalidPaginationParameter",
    );
    assert_error(
        &sim.get("/api/v2/tickets?page[size]=10&page[after]=garbage")
            .await,
        400,
        "InvalidPaginationParameter",
    );
    assert_error(
        &sim.get("/api/v2/tickets?page[size]=10&sort=subject").await,
        400,
        "InvalidPaginationParameter",
    );
    assert_error(
        &sim.get("/api/v2/tickets/show_many?ids=1,x").await,
        400,
        "InvalidParameter",
    );
    assert_error(
        &sim.get("/api/v2/tickets?page=%ZZ").await,
        400,
        "InvalidParameter",
    );
}

#[tokio::test]
async fn offset_depth_limit() {
    let sim = start(100).await;
    let r = sim.get("/api/v2/tickets?page=101&per_page=1").await;
    assert_error(&r, 400, "InvalidPaginationDepth");
    assert!(r.body["errors"][0]["title"]
        .as_str()
        .unwrap()
        .contains("page 100"));
    assert_eq!(
        sim.get("/api/v2/tickets?page=100&per_page=100")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn validation_errors() {
    let sim = start(100).await;
    let r = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"subject": "no comment"}}),
        )
        .await;
    assert_error(&r, 422, "RecordInvalid");
    assert_eq!(r.body["details"]["description"][0]["error"], "BlankValue");
    let r = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"comment": {"body": "x"}, "priority": "meh", "status": "weird"}}),
        )
        .await;
    assert_error(&r, 422, "RecordInvalid");
    assert_eq!(r.body["details"]["priority"][0]["error"], "InvalidValue");
    assert_eq!(r.body["details"]["status"][0]["error"], "InvalidValue");
    let r = sim
        .json(
            Method::POST,
            "/api/v2/users",
            json!({"user": {"name": "Dup", "email": "Admin@Example.com"}}),
        )
        .await;
    assert_error(&r, 422, "RecordInvalid");
    assert_eq!(r.body["details"]["email"][0]["error"], "DuplicateValue");
    let r = sim
        .json(
            Method::POST,
            "/api/v2/users",
            json!({"user": {"email": "new@example.com"}}),
        )
        .await;
    assert_eq!(r.body["details"]["name"][0]["error"], "BlankValue");
}

#[tokio::test]
async fn incremental_start_time_errors() {
    let sim = start(100).await;
    let now = sim.now();
    let r = sim
        .get(&format!(
            "/api/v2/incremental/tickets/cursor?start_time={}",
            now - 30
        ))
        .await;
    assert_error(&r, 422, "InvalidValue");
    assert_eq!(
        r.body["description"],
        "Too recent start_time. Use a start_time older than 1 minute"
    );
    assert_error(
        &sim.get(&format!(
            "/api/v2/incremental/tickets?start_time={}",
            now + 3600
        ))
        .await,
        422,
        "InvalidValue",
    );
    assert_error(
        &sim.get("/api/v2/incremental/tickets").await,
        400,
        "InvalidValue",
    );
    assert_error(
        &sim.get("/api/v2/incremental/tickets/cursor?cursor=bogus")
            .await,
        400,
        "InvalidPaginationParameter",
    );
    assert_eq!(
        sim.get(&format!(
            "/api/v2/incremental/tickets?start_time={}",
            now - 61
        ))
        .await
        .status,
        200
    );
}
