//! Full walks checked against `/__sim/ground-truth`.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn cursor_list_walk_returns_every_live_ticket_once() {
    let sim = start(2500).await;
    // Some writes first: an update moves nothing in id order; a delete removes one.
    sim.json(
        Method::PUT,
        "/api/v2/tickets/5",
        json!({"ticket": {"priority": "high"}}),
    )
    .await;
    sim.send(sim.req(Method::DELETE, "/api/v2/tickets/6")).await;
    sim.json(
        Method::POST,
        "/api/v2/tickets",
        json!({"ticket": {"comment": "new one"}}),
    )
    .await;
    let mut url = "/api/v2/tickets?page[size]=100".to_string();
    let mut seen: Vec<u64> = Vec::new();
    for _ in 0..100 {
        let r = sim.get(&url).await;
        assert_eq!(r.status, 200, "{}", r.text);
        seen.extend(
            r.body["tickets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_u64().unwrap()),
        );
        if r.body["meta"]["has_more"] != true {
            break;
        }
        url = r.body["links"]["next"].as_str().unwrap().to_string();
    }
    let truth = sim.listed_ticket_ids().await;
    assert_eq!(seen, truth);
    assert!(!seen.contains(&6));
    assert_eq!(*seen.last().unwrap(), 2501);
}

#[tokio::test]
async fn incremental_cursor_walk_is_exact() {
    let sim = start(2500).await;
    sim.advance(100);
    let r = sim
        .json(
            Method::PUT,
            "/api/v2/tickets/7",
            json!({"ticket": {"priority": "low", "comment": "bump"}}),
        )
        .await;
    let seven_live = r.status == 200;
    sim.send(sim.req(Method::DELETE, "/api/v2/tickets/8")).await;
    sim.advance(61);
    let mut url = "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=1000".to_string();
    let mut seen: HashMap<u64, (u64, String)> = HashMap::new();
    let mut last_ts = 0;
    let mut pages = 0;
    loop {
        let r = sim.get(&url).await;
        assert_eq!(r.status, 200, "{}", r.text);
        pages += 1;
        for t in r.body["tickets"].as_array().unwrap() {
            let id = t["id"].as_u64().unwrap();
            let ts = t["generated_timestamp"].as_u64().unwrap();
            assert!(ts >= last_ts, "export order");
            last_ts = ts;
            let dup = seen.insert(id, (ts, t["status"].as_str().unwrap().to_string()));
            assert!(dup.is_none(), "ticket {id} twice");
        }
        assert!(r.body["before_cursor"].is_null() && r.body["before_url"].is_null());
        if r.body["end_of_stream"] == true {
            break;
        }
        url = r.body["after_url"].as_str().unwrap().to_string();
    }
    assert!(pages >= 3);
    let truth = sim.truth("tickets").await;
    assert_eq!(seen.len(), truth.len());
    for (id, _updated, ts, deleted) in truth {
        let (got_ts, status) = &seen[&id];
        assert_eq!(*got_ts, ts, "ticket {id}");
        assert_eq!(status == "deleted", deleted, "ticket {id}");
    }
    if seven_live {
        assert_eq!(seen[&7].0, T0 + 100);
    }

    // Resuming from the final cursor later yields exactly the new changes.
    let r = sim.get(&url).await;
    let resume = r.body["after_url"].as_str().unwrap().to_string();
    let r = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"comment": "later"}}),
        )
        .await;
    let new_id = r.body["ticket"]["id"].as_u64().unwrap();
    let r = sim.get(&resume).await;
    assert_eq!(
        r.body["tickets"].as_array().unwrap().len(),
        0,
        "inside the exclusion window"
    );
    sim.advance(61);
    let r = sim.get(&resume).await;
    let ids: Vec<u64> = r.body["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![new_id]);
    assert_eq!(r.body["end_of_stream"], true);
}

#[tokio::test]
async fn incremental_exclude_deleted_and_sideloads() {
    let sim = start(300).await;
    let r = sim.get("/api/v2/incremental/tickets/cursor?start_time=0&exclude_deleted=true&include=users,groups").await;
    let tickets = r.body["tickets"].as_array().unwrap();
    assert!(tickets.iter().all(|t| t["status"] != "deleted"));
    let live = sim.truth("tickets").await.iter().filter(|t| !t.3).count();
    assert_eq!(tickets.len(), live);
    assert!(r.body["users"].as_array().unwrap().len() > 10);
    assert!(r.body["groups"].is_array());
    let all = sim
        .get("/api/v2/incremental/tickets/cursor?start_time=0")
        .await;
    assert!(all.body["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["status"] == "deleted"));
}
