//! The generic collection engine: writes kept in memory, Zendesk-shaped validation,
//! cursor and offset walks, bulk jobs, and the bespoke parts of webhooks.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn validation_errors_are_zendesk_shaped() {
    let sim = start(100).await;
    let r = sim
        .json(
            Method::POST,
            "/api/v2/group_memberships",
            json!({"group_membership": {"user_id": 2}}),
        )
        .await;
    assert_error(&r, 422, "RecordInvalid");
    assert_eq!(
        r.body["details"]["group_id"][0]["error"], "BlankValue",
        "{}",
        r.text
    );
    // An existing pair is a duplicate; an unknown user is invalid.
    let dup = sim
        .json(
            Method::POST,
            "/api/v2/group_memberships",
            json!({"group_membership": {"user_id": 1, "group_id": 1}}),
        )
        .await;
    assert_error(&dup, 422, "RecordInvalid");
    assert_eq!(
        dup.body["details"]["group_id"][0]["error"], "DuplicateValue",
        "{}",
        dup.text
    );
    let bad = sim
        .json(
            Method::POST,
            "/api/v2/group_memberships",
            json!({"group_membership": {"user_id": 99999999, "group_id": 1}}),
        )
        .await;
    assert_eq!(
        bad.body["details"]["user_id"][0]["error"], "InvalidValue",
        "{}",
        bad.text
    );
    let typed = sim
        .json(Method::POST, "/api/v2/macros", json!({"macro": {"title": "x", "actions": [{"field": "status", "value": "open"}], "active": "yes"}}))
        .await;
    assert_eq!(
        typed.body["details"]["active"][0]["error"], "InvalidValue",
        "{}",
        typed.text
    );
    let missing_root = sim
        .json(Method::POST, "/api/v2/macros", json!({"title": "x"}))
        .await;
    assert_error(&missing_root, 400, "ParameterMissing");
    assert_error(
        &sim.get("/api/v2/macros/424242").await,
        404,
        "RecordNotFound",
    );
}

#[tokio::test]
async fn writes_are_kept_and_listed() {
    let sim = start(100).await;
    let before = sim.get("/api/v2/brands").await.body["count"]
        .as_u64()
        .unwrap();
    let r = sim
        .json(
            Method::POST,
            "/api/v2/brands",
            json!({"brand": {"name": "Snow", "subdomain": "snow"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["brand"]["id"].as_u64().unwrap();
    assert_eq!(r.body["brand"]["brand_url"], "https://snow.zendesk.com");
    assert!(r
        .header("location")
        .unwrap()
        .ends_with(&format!("/api/v2/brands/{id}.json")));
    let again = sim
        .json(
            Method::POST,
            "/api/v2/brands",
            json!({"brand": {"name": "Snow 2", "subdomain": "SNOW"}}),
        )
        .await;
    assert_eq!(
        again.body["details"]["subdomain"][0]["error"], "DuplicateValue",
        "{}",
        again.text
    );
    let up = sim
        .json(
            Method::PUT,
            &format!("/api/v2/brands/{id}"),
            json!({"brand": {"name": "Snowy"}}),
        )
        .await;
    assert_eq!(up.body["brand"]["name"], "Snowy");
    assert_eq!(up.body["brand"]["subdomain"], "snow");
    let list = sim.get("/api/v2/brands").await;
    assert_eq!(list.body["count"].as_u64().unwrap(), before + 1);
    assert!(list.body["brands"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["name"] == "Snowy"));
    let del = sim
        .send(sim.req(Method::DELETE, &format!("/api/v2/brands/{id}")))
        .await;
    assert_eq!(del.status, 204);
    assert_error(
        &sim.get(&format!("/api/v2/brands/{id}")).await,
        404,
        "RecordNotFound",
    );
    assert_eq!(
        sim.get("/api/v2/brands").await.body["count"]
            .as_u64()
            .unwrap(),
        before
    );
}

async fn walk(sim: &Sim, first: &str, key: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut url = first.to_string();
    for _ in 0..100 {
        let r = sim.get(&url).await;
        assert_eq!(r.status, 200, "{url}: {}", r.text);
        out.extend(
            r.body[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["id"].clone()),
        );
        if r.body["meta"]["has_more"] == json!(true) {
            url = r.body["links"]["next"].as_str().unwrap().to_string();
        } else if let Some(n) = r.body["next_page"].as_str() {
            url = n.to_string();
        } else {
            return out;
        }
    }
    panic!("walk did not end");
}

#[tokio::test]
async fn cursor_and_offset_walks_see_every_record_once() {
    let sim = start(300).await;
    let all = sim.get("/api/v2/group_memberships?per_page=100").await;
    let n = all.body["count"].as_u64().unwrap() as usize;
    assert!(n >= 40, "{}", all.text);
    let cursor = walk(
        &sim,
        "/api/v2/group_memberships?page[size]=7",
        "group_memberships",
    )
    .await;
    let offset = walk(
        &sim,
        "/api/v2/group_memberships?per_page=7",
        "group_memberships",
    )
    .await;
    assert_eq!(cursor.len(), n);
    assert_eq!(cursor, offset);
    // Descending cursor order is the reverse; a before-cursor steps back.
    let desc = walk(
        &sim,
        "/api/v2/triggers?page[size]=3&sort=-position",
        "triggers",
    )
    .await;
    let asc = walk(
        &sim,
        "/api/v2/triggers?page[size]=3&sort=position",
        "triggers",
    )
    .await;
    assert_eq!(
        desc.iter().rev().collect::<Vec<_>>(),
        asc.iter().collect::<Vec<_>>()
    );
    let p1 = sim.get("/api/v2/macros?page[size]=5").await;
    let p2 = sim.get(p1.body["links"]["next"].as_str().unwrap()).await;
    let back = sim.get(p2.body["links"]["prev"].as_str().unwrap()).await;
    assert_eq!(back.body["macros"], p1.body["macros"]);
    // Filters and a bad sort.
    let g3 = sim.get("/api/v2/group_memberships?group_id=3").await;
    assert!(g3.body["group_memberships"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["group_id"] == 3));
    assert_error(
        &sim.get("/api/v2/macros?page[size]=5&sort=bogus").await,
        400,
        "InvalidPaginationParameter",
    );
    assert_error(
        &sim.get("/api/v2/macros?page=101").await,
        400,
        "InvalidPaginationDepth",
    );
    // page[size] above the maximum is clamped by default.
    let big = sim.get("/api/v2/ticket_metrics?page[size]=500").await;
    assert_eq!(
        big.body["ticket_metrics"].as_array().unwrap().len(),
        100,
        "{}",
        big.text
    );
}

#[tokio::test]
async fn oversize_pages_can_be_rejected() {
    let mut config = zdkit_sim::SimConfig::with_tickets(50);
    config.oversize_page = zdkit_sim::config::OversizePage::Reject;
    let sim = start_with(config).await;
    assert_error(
        &sim.get("/api/v2/ticket_metrics?page[size]=500").await,
        400,
        "InvalidPaginationParameter",
    );
}

#[tokio::test]
async fn bulk_memberships_run_as_jobs() {
    let sim = start(100).await;
    let r = sim
        .json(
            Method::POST,
            "/api/v2/organization_memberships/create_many",
            json!({"organization_memberships": [{"user_id": 2, "organization_id": 1}, {"user_id": 3}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let job = r.body["job_status"]["id"].as_str().unwrap().to_string();
    sim.advance(10);
    let done = sim.get(&format!("/api/v2/job_statuses/{job}")).await;
    assert_eq!(
        done.body["job_status"]["status"], "completed",
        "{}",
        done.text
    );
    let results = done.body["job_status"]["results"].as_array().unwrap();
    assert_eq!(results[0]["success"], true, "{}", done.text);
    assert_eq!(results[1]["success"], false, "{}", done.text);
    let id = results[0]["id"].as_u64().unwrap();
    let shown = sim
        .get(&format!("/api/v2/organization_memberships/{id}"))
        .await;
    assert_eq!(shown.body["organization_membership"]["user_id"], 2);
    let del = sim
        .send(sim.req(
            Method::DELETE,
            &format!("/api/v2/organization_memberships/destroy_many?ids={id}"),
        ))
        .await;
    assert_eq!(del.status, 200, "{}", del.text);
    sim.advance(10);
    assert_error(
        &sim.get(&format!("/api/v2/organization_memberships/{id}"))
            .await,
        404,
        "RecordNotFound",
    );
}

#[tokio::test]
async fn webhooks_have_string_ids_and_a_signing_secret_each() {
    let sim = start(50).await;
    let list = sim.get("/api/v2/webhooks").await;
    let hooks = list.body["webhooks"].as_array().unwrap();
    let id = hooks[0]["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 26);
    let s1 = sim
        .get(&format!("/api/v2/webhooks/{id}/signing_secret"))
        .await;
    assert_eq!(s1.body["signing_secret"]["algorithm"], "SHA256");
    let secret = s1.body["signing_secret"]["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let other = hooks[1]["id"].as_str().unwrap();
    let s2 = sim
        .get(&format!("/api/v2/webhooks/{other}/signing_secret"))
        .await;
    assert_ne!(s2.body["signing_secret"]["secret"], json!(secret));
    let reset = sim
        .send(sim.req(
            Method::POST,
            &format!("/api/v2/webhooks/{id}/signing_secret"),
        ))
        .await;
    assert_eq!(reset.status, 201);
    let new = reset.body["signing_secret"]["secret"].as_str().unwrap();
    assert_ne!(new, secret);
    let s3 = sim
        .get(&format!("/api/v2/webhooks/{id}/signing_secret"))
        .await;
    assert_eq!(s3.body["signing_secret"]["secret"], json!(new));
    assert_error(
        &sim.get("/api/v2/webhooks/01ZZZZZZZZZZZZZZZZZZZZZZZZ/signing_secret")
            .await,
        404,
        "RecordNotFound",
    );
}
