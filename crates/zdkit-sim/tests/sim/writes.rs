//! Ticket and user writes: create, update, delete, idempotency, safe_update.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn create_update_delete_ticket() {
    let sim = start(100).await;
    sim.advance(10);
    let r = sim
        .json(Method::POST, "/api/v2/tickets.json", json!({"ticket": {"subject": "Printer on fire", "priority": "urgent", "tags": ["b", "a"],
            "comment": {"body": "The smoke is very colorful."}, "custom_fields": [{"id": 8, "value": "745"}]}}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["ticket"]["id"].as_u64().unwrap();
    assert_eq!(id, 101);
    assert_eq!(
        r.header("location"),
        Some(format!("{}/api/v2/tickets/101.json", sim.base).as_str())
    );
    assert_eq!(r.body["ticket"]["status"], "new");
    assert_eq!(r.body["ticket"]["tags"], json!(["a", "b"]));
    assert_eq!(
        r.body["ticket"]["description"],
        "The smoke is very colorful."
    );
    assert_eq!(r.body["ticket"]["requester_id"], 1);
    assert_eq!(r.body["ticket"]["generated_timestamp"], T0 + 10);
    assert_eq!(
        r.body["ticket"]["url"],
        format!("{}/api/v2/tickets/101.json", sim.base)
    );
    assert_eq!(r.body["audit"]["events"][0]["type"], "Comment");
    assert!(r.body["ticket"]["custom_fields"]
        .as_array()
        .unwrap()
        .contains(&json!({"id": 8, "value": "745"})));

    sim.advance(5);
    let r = sim.json(Method::PUT, &format!("/api/v2/tickets/{id}"), json!({"ticket": {"status": "solved", "comment": {"body": "Thanks!", "public": false}}})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["ticket"]["status"], "solved");
    assert_eq!(r.body["ticket"]["updated_at"], "2023-11-14T22:13:35Z");
    let events = r.body["audit"]["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["type"] == "Change"
        && e["field_name"] == "status"
        && e["value"] == "solved"
        && e["previous_value"] == "new"));
    let comments = sim.get(&format!("/api/v2/tickets/{id}/comments")).await;
    assert_eq!(comments.body["comments"].as_array().unwrap().len(), 2);
    assert_eq!(comments.body["comments"][1]["public"], false);

    let r = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"status": "closed", "comment": "done"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let closed = r.body["ticket"]["id"].as_u64().unwrap();
    let r = sim
        .json(
            Method::PUT,
            &format!("/api/v2/tickets/{closed}"),
            json!({"ticket": {"priority": "low"}}),
        )
        .await;
    assert_error(&r, 422, "RecordInvalid");
    assert_eq!(
        r.body["details"]["status"][0]["description"],
        "Status: closed prevents ticket update"
    );

    let r = sim
        .send(sim.req(Method::DELETE, &format!("/api/v2/tickets/{id}")))
        .await;
    assert_eq!(r.status, 204);
    assert_error(
        &sim.get(&format!("/api/v2/tickets/{id}")).await,
        404,
        "RecordNotFound",
    );
    let truth = sim.truth("tickets").await;
    assert!(truth.iter().find(|t| t.0 == id).unwrap().3);
}

#[tokio::test]
async fn idempotency_key_miss_hit_conflict_expiry() {
    let sim = start(50).await;
    let body = json!({"ticket": {"comment": {"body": "once"}}});
    let post = |key: &str, b: &serde_json::Value| {
        sim.send(
            sim.req(Method::POST, "/api/v2/tickets")
                .header("Idempotency-Key", key)
                .json(b),
        )
    };
    let first = post("k1", &body).await;
    assert_eq!(first.status, 201);
    assert_eq!(first.header("x-idempotency-lookup"), Some("miss"));
    let again = post("k1", &body).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("x-idempotency-lookup"), Some("hit"));
    assert_eq!(again.text, first.text);
    assert_eq!(again.header("location"), first.header("location"));
    // Key order in the JSON does not make a different request.
    let reordered = sim
        .send(
            sim.req(Method::POST, "/api/v2/tickets")
                .header("Idempotency-Key", "k2")
                .header("content-type", "application/json")
                .body(r#"{"ticket":{"priority":"low","comment":{"public":true,"body":"b"}}}"#),
        )
        .await;
    assert_eq!(reordered.header("x-idempotency-lookup"), Some("miss"));
    let same = sim
        .send(
            sim.req(Method::POST, "/api/v2/tickets")
                .header("Idempotency-Key", "k2")
                .header("content-type", "application/json")
                .body(r#"{"ticket":{"comment":{"body":"b","public":true},"priority":"low"}}"#),
        )
        .await;
    assert_eq!(same.header("x-idempotency-lookup"), Some("hit"));
    assert_eq!(same.text, reordered.text);
    let other = post("k1", &json!({"ticket": {"comment": {"body": "different"}}})).await;
    assert_error(&other, 400, "IdempotentRequestError");
    assert_eq!(
        sim.get("/api/v2/tickets/count").await.body["count"]["value"],
        sim_live_base(&sim).await + 2
    );

    sim.advance(2 * 3600 - 1);
    assert_eq!(
        post("k1", &body).await.header("x-idempotency-lookup"),
        Some("hit")
    );
    sim.advance(1);
    let after = post("k1", &body).await;
    assert_eq!(after.header("x-idempotency-lookup"), Some("miss"));
    assert_ne!(after.body["ticket"]["id"], first.body["ticket"]["id"]);
}

async fn sim_live_base(sim: &Sim) -> u64 {
    sim.truth("tickets")
        .await
        .iter()
        .filter(|t| t.0 <= 50 && !t.3)
        .count() as u64
}

#[tokio::test]
async fn safe_update_conflict() {
    let sim = start(50).await;
    let r = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"comment": "c"}}),
        )
        .await;
    let id = r.body["ticket"]["id"].as_u64().unwrap();
    let t = sim.get(&format!("/api/v2/tickets/{id}")).await;
    let stamp = t.body["ticket"]["updated_at"].as_str().unwrap().to_string();
    sim.advance(30);
    let stale = json!({"ticket": {"subject": "x", "safe_update": true, "updated_stamp": "2001-01-01T00:00:00Z"}});
    let r = sim
        .json(Method::PUT, &format!("/api/v2/tickets/{id}"), stale)
        .await;
    assert_error(&r, 409, "UpdateConflict");
    let fresh = json!({"ticket": {"subject": "y", "safe_update": false, "updated_stamp": stamp}});
    let r = sim
        .json(Method::PUT, &format!("/api/v2/tickets/{id}"), fresh.clone())
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The same stamp is now outdated.
    let r = sim
        .json(Method::PUT, &format!("/api/v2/tickets/{id}"), fresh)
        .await;
    assert_error(&r, 409, "UpdateConflict");
}

#[tokio::test]
async fn users_create_update_create_or_update() {
    let sim = start(100).await;
    let r = sim
        .json(
            Method::POST,
            "/api/v2/users",
            json!({"user": {"name": "Jo Doe", "email": "jo@example.com", "external_id": "crm-7"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["user"]["id"].as_u64().unwrap();
    assert_eq!(r.body["user"]["role"], "end-user");
    let r = sim
        .json(
            Method::PUT,
            &format!("/api/v2/users/{id}"),
            json!({"user": {"notes": "vip"}}),
        )
        .await;
    assert_eq!(r.body["user"]["notes"], "vip");
    let r = sim
        .json(
            Method::POST,
            "/api/v2/users/create_or_update",
            json!({"user": {"email": "JO@example.com", "name": "Jo D."}}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["user"]["id"], id);
    assert_eq!(r.body["user"]["name"], "Jo D.");
    let r = sim
        .json(
            Method::POST,
            "/api/v2/users/create_or_update",
            json!({"user": {"external_id": "CRM-7", "name": "By ext"}}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["user"]["id"], id);
    let r = sim
        .json(
            Method::POST,
            "/api/v2/users/create_or_update",
            json!({"user": {"email": "new@example.com", "name": "New"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    let found = sim.get("/api/v2/users/search?query=jo@example.com").await;
    assert_eq!(found.body["users"][0]["id"], id);
    assert_eq!(found.body["count"], 1);
    let found = sim.get("/api/v2/users/search?external_id=crm-7").await;
    assert_eq!(found.body["users"][0]["id"], id);
    // A created user can authenticate with the API token.
    let me = sim
        .send(
            sim.client
                .get(sim.url("/api/v2/users/me"))
                .basic_auth("jo@example.com/token", Some(TOKEN)),
        )
        .await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["user"]["id"], id);
}

#[tokio::test]
async fn uploads_attach_to_comments() {
    let sim = start(50).await;
    let up = sim
        .send(
            sim.req(Method::POST, "/api/v2/uploads.json?filename=notes.txt")
                .header("content-type", "text/plain")
                .body("hello file"),
        )
        .await;
    assert_eq!(up.status, 201, "{}", up.text);
    let token = up.body["upload"]["token"].as_str().unwrap().to_string();
    assert_eq!(up.body["upload"]["attachment"]["size"], 10);
    assert_eq!(up.body["upload"]["attachment"]["file_name"], "notes.txt");
    let second = sim
        .send(
            sim.req(
                Method::POST,
                &format!("/api/v2/uploads?filename=b.bin&token={token}"),
            )
            .body(vec![0u8, 1, 2]),
        )
        .await;
    assert_eq!(second.body["upload"]["token"], token.as_str());
    assert_eq!(
        second.body["upload"]["attachments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let r = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"comment": {"body": "see files", "uploads": [token]}}}),
        )
        .await;
    let id = r.body["ticket"]["id"].as_u64().unwrap();
    let comments = sim.get(&format!("/api/v2/tickets/{id}/comments")).await;
    let attachments = comments.body["comments"][0]["attachments"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(attachments.len(), 2);
    let content = sim
        .get(attachments[0]["content_url"].as_str().unwrap())
        .await;
    assert_eq!(content.text, "hello file");
    assert_eq!(content.header("content-type"), Some("text/plain"));
    let aid = attachments[1]["id"].as_u64().unwrap();
    assert_eq!(
        sim.get(&format!("/api/v2/attachments/{aid}")).await.body["attachment"]["size"],
        3
    );
    assert_error(
        &sim.send(sim.req(Method::POST, "/api/v2/uploads").body("x"))
            .await,
        422,
        "RecordInvalid",
    );
}
