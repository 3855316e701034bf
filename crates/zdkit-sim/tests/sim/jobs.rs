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
