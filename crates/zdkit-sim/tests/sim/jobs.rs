//! Bulk endpoints and job statuses in virtual time.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn job_moves_queued_working_completed_with_the_clock() {
    let sim = start(500).await;
    let ids: Vec<u64> = sim
        .truth("tickets")
        .await
        .iter()
        .filter(|t| !t.3)
        .take(60)
        .map(|t| t.0)
        .collect();
    let list = ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
    let r = sim
        .json(
            Method::PUT,
            &format!("/api/v2/tickets/update_many.json?ids={list}"),
            json!({"ticket": {"status": "open", "additional_tags": ["bulk"]}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.header("zendesk-ratelimit-inflight-jobs"),
        Some("total=30; remaining=29; resets=60")
    );
    let job = &r.body["job_status"];
    assert_eq!(job["status"], "queued");
    assert!(job["results"].is_null());
    let id = job["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    let url = format!("/api/v2/job_statuses/{id}");
    assert_eq!(
        job["url"],
        format!("{}/api/v2/job_statuses/{id}.json", sim.base)
    );

    sim.advance(1);
    let w = sim.get(&url).await;
    assert_eq!(w.body["job_status"]["status"], "working");
    assert_eq!(w.body["job_status"]["total"], 60);
    // Not applied yet.
    let t = sim.get(&format!("/api/v2/tickets/{}", ids[0])).await;
    assert!(!t.body["ticket"]["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("bulk")));

    sim.advance(2);
    let c = sim.get(&url).await;
    let job = &c.body["job_status"];
    assert_eq!(job["status"], "completed", "{}", c.text);
    assert_eq!(job["progress"], 60);
    let results = job["results"].as_array().unwrap();
    assert_eq!(results.len(), 60);
    let ok = results.iter().filter(|r| r["success"] == true).count();
    let failed: Vec<_> = results.iter().filter(|r| r["success"] == false).collect();
    assert!(ok > 0);
    for r in &results[..] {
        if r["success"] == true {
            assert_eq!(r["status"], "Updated");
            assert_eq!(r["action"], "update");
        }
    }
    for f in failed {
        assert!(f["error"].is_string() && f["details"].is_string(), "{f}");
    }
    let t = sim.get(&format!("/api/v2/tickets/{}", ids[0])).await;
    if t.body["ticket"]["status"] != "closed" {
        assert!(
            t.body["ticket"]["tags"]
                .as_array()
                .unwrap()
                .contains(&json!("bulk")),
            "{}",
            t.text
        );
    }
    let listing = sim.get("/api/v2/job_statuses").await;
    assert_eq!(listing.body["job_statuses"][0]["id"], id.as_str());
    let many = sim
        .get(&format!("/api/v2/job_statuses/show_many?ids={id},nope"))
        .await;
    assert_eq!(many.body["job_statuses"].as_array().unwrap().len(), 1);
    assert_error(
        &sim.get("/api/v2/job_statuses/nope").await,
        404,
        "RecordNotFound",
    );
}

#[tokio::test]
async fn create_many_and_destroy_many() {
    let sim = start(100).await;
    let r = sim
        .json(
            Method::POST,
            "/api/v2/tickets/create_many",
            json!({"tickets": [{"comment": "a"}, {"subject": "no comment"}, {"comment": "c"}]}),
        )
        .await;
    let id = r.body["job_status"]["id"].as_str().unwrap().to_string();
    sim.advance(2);
    let job = sim.get(&format!("/api/v2/job_statuses/{id}")).await.body["job_status"].clone();
    assert_eq!(job["status"], "completed");
    assert_eq!(job["results"][0], json!({"id": 101, "index": 0}));
    assert_eq!(job["results"][1]["success"], false);
    assert_eq!(job["results"][2], json!({"id": 102, "index": 2}));
    let r = sim
        .send(sim.req(Method::DELETE, "/api/v2/tickets/destroy_many?ids=101,102"))
        .await;
    let id = r.body["job_status"]["id"].as_str().unwrap().to_string();
    sim.advance(2);
    let job = sim.get(&format!("/api/v2/job_statuses/{id}")).await.body["job_status"].clone();
    assert_eq!(job["results"][0]["success"], true);
    assert_error(&sim.get("/api/v2/tickets/101").await, 404, "RecordNotFound");
    let big: Vec<serde_json::Value> = (0..101).map(|_| json!({"comment": "x"})).collect();
    assert_eq!(
        sim.json(
            Method::POST,
            "/api/v2/tickets/create_many",
            json!({"tickets": big})
        )
        .await
        .status,
        400
    );
    let batch = sim
        .json(
            Method::PUT,
            "/api/v2/tickets/update_many",
            json!({"tickets": [{"id": 1, "priority": "low"}, {"id": 99999, "priority": "low"}]}),
        )
        .await;
    let id = batch.body["job_status"]["id"].as_str().unwrap().to_string();
    sim.advance(2);
    let job = sim.get(&format!("/api/v2/job_statuses/{id}")).await.body["job_status"].clone();
    assert_eq!(job["results"][1]["success"], false);
    assert_eq!(job["results"][1]["error"], "RecordNotFound");
}

#[tokio::test]
async fn at_most_thirty_jobs_in_flight() {
    let sim = start(100).await;
    for i in 0..30 {
        let r = sim
            .send(sim.req(
                Method::DELETE,
                &format!("/api/v2/tickets/destroy_many?ids={}", i + 1),
            ))
            .await;
        assert_eq!(r.status, 200, "job {i}: {}", r.text);
    }
    let r = sim
        .send(sim.req(Method::DELETE, "/api/v2/tickets/destroy_many?ids=40"))
        .await;
    assert_error(&r, 429, "TooManyJobs");
    assert_eq!(r.body["current_job_ids"].as_array().unwrap().len(), 30);
    assert!(r.body["description"]
        .as_str()
        .unwrap()
        .starts_with("Too many "));
    assert_eq!(
        r.header("zendesk-ratelimit-inflight-jobs"),
        Some("total=30; remaining=0; resets=60")
    );
    sim.advance(2);
    let r = sim
        .send(sim.req(Method::DELETE, "/api/v2/tickets/destroy_many?ids=40"))
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn job_list_is_newest_first_with_stable_cursors() {
    let sim = start(100).await;
    let mut ids = Vec::new();
    for i in 1..=3 {
        let r = sim
            .send(sim.req(
                Method::DELETE,
                &format!("/api/v2/tickets/destroy_many?ids={i}"),
            ))
            .await;
        ids.push(r.body["job_status"]["id"].as_str().unwrap().to_string());
    }
    let first = sim.get("/api/v2/job_statuses?page[size]=2").await;
    let page: Vec<&str> = first.body["job_statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(page, vec![ids[2].as_str(), ids[1].as_str()]);
    assert_eq!(first.body["meta"]["has_more"], true);
    // A new job does not shift the cursor.
    sim.send(sim.req(Method::DELETE, "/api/v2/tickets/destroy_many?ids=4"))
        .await;
    let next = sim.get(first.body["links"]["next"].as_str().unwrap()).await;
    let page: Vec<&str> = next.body["job_statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(page, vec![ids[0].as_str()]);
    assert_eq!(next.body["meta"]["has_more"], false);
}

#[tokio::test]
async fn users_create_or_update_many() {
    let sim = start(100).await;
    let body = json!({"users": [
        {"name": "Renamed", "email": "customer20@example.com"},
        {"name": "Brand New", "email": "brand.new@example.com", "external_id": "bn-1"},
        {"email": "no-name@example.com"},
    ]});
    let r = sim
        .json(Method::POST, "/api/v2/users/create_or_update_many", body)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.body["job_status"]["id"].as_str().unwrap().to_string();
    sim.advance(2);
    let job = sim.get(&format!("/api/v2/job_statuses/{id}")).await.body["job_status"].clone();
    assert_eq!(job["status"], "completed");
    let results = job["results"].as_array().unwrap();
    assert_eq!(results[0]["id"], 20);
    assert_eq!(results[0]["status"], "Updated");
    assert_eq!(results[1]["status"], "Created");
    assert_eq!(results[2]["success"], false);
    assert_eq!(
        sim.get("/api/v2/users/20").await.body["user"]["name"],
        "Renamed"
    );
    let created = results[1]["id"].as_u64().unwrap();
    assert_eq!(
        sim.get(&format!("/api/v2/users/{created}")).await.body["user"]["external_id"],
        "bn-1"
    );
}

#[tokio::test]
async fn async_ticket_creation() {
    let sim = start(100).await;
    let r = sim
        .json(
            Method::POST,
            "/api/v2/tickets.json?async=true",
            json!({"ticket": {"comment": "later", "subject": "Async"}}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let id = r.body["ticket"]["id"].as_u64().unwrap();
    assert_eq!(id, 101);
    assert_eq!(r.body["job_status"]["status"], "queued");
    // A synchronous create meanwhile gets the next id.
    let sync = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"comment": "now"}}),
        )
        .await;
    assert_eq!(sync.body["ticket"]["id"], 102);
    assert_error(
        &sim.get(&format!("/api/v2/tickets/{id}")).await,
        404,
        "RecordNotFound",
    );
    sim.advance(2);
    let t = sim.get(&format!("/api/v2/tickets/{id}")).await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["ticket"]["subject"], "Async");
    let job = sim
        .get(&format!(
            "/api/v2/job_statuses/{}",
            r.body["job_status"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(job.body["job_status"]["results"][0]["id"], id);
}
