//! Search, search count, search export.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn search_filters_count_and_cap() {
    let sim = start(3000).await;
    let r = sim
        .get("/api/v2/search.json?query=type:ticket status:open")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let count = r.body["count"].as_u64().unwrap();
    assert!(count > 100);
    for t in r.body["results"].as_array().unwrap() {
        assert_eq!(t["result_type"], "ticket");
        assert_eq!(t["status"], "open");
    }
    assert!(r.body["next_page"].as_str().unwrap().contains("page=2"));
    let c = sim
        .get("/api/v2/search/count?query=type:ticket status:open")
        .await;
    assert_eq!(c.body, json!({"count": count}));
    let lt = sim
        .get("/api/v2/search?query=type:ticket status<pending")
        .await;
    assert!(lt.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["status"] == "new" || t["status"] == "open"));
    let tagged = sim
        .get("/api/v2/search?query=tags:vip priority:urgent")
        .await;
    for t in tagged.body["results"].as_array().unwrap() {
        assert!(t["tags"].as_array().unwrap().contains(&json!("vip")));
        assert_eq!(t["priority"], "urgent");
    }
    let all = sim.get("/api/v2/search?query=type:ticket").await;
    assert!(
        all.body["count"].as_u64().unwrap() > 1000,
        "count is the true total"
    );
    assert_error(
        &sim.get("/api/v2/search?query=type:ticket&page=11&per_page=100")
            .await,
        422,
        "invalid",
    );
    assert_eq!(
        sim.get("/api/v2/search?query=type:ticket&page=10&per_page=100")
            .await
            .status,
        200
    );

    let recent = sim
        .get(&format!(
            "/api/v2/search?query=type:ticket created>{}",
            "2023-11-01"
        ))
        .await;
    for t in recent.body["results"].as_array().unwrap() {
        assert!(t["created_at"].as_str().unwrap() >= "2023-11-02");
    }
    let ordered = sim
        .get("/api/v2/search?query=type:ticket status:open order_by:created sort:asc&per_page=50")
        .await;
    let created: Vec<&str> = ordered.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["created_at"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] <= w[1]), "{created:?}");
    let by_param = sim
        .get("/api/v2/search?query=type:ticket&sort_by=updated_at&sort_order=desc&per_page=50")
        .await;
    let updated: Vec<&str> = by_param.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["updated_at"].as_str().unwrap())
        .collect();
    assert!(updated.windows(2).all(|w| w[0] >= w[1]), "{updated:?}");
    let users = sim.get("/api/v2/search?query=type:user role:agent").await;
    assert_eq!(users.body["count"], 8);
    assert!(users.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["result_type"] == "user"));
    let groups = sim.get("/api/v2/search?query=type:group billing").await;
    assert_eq!(groups.body["results"][0]["name"], "Billing");

    sim.json(
        Method::POST,
        "/api/v2/tickets",
        json!({"ticket": {"subject": "Zebra crossing", "comment": "x", "requester_id": 12}}),
    )
    .await;
    sim.advance(181); // the search index lags writes by 180 s
    let mine = sim
        .get("/api/v2/search?query=zebra requester:customer12@example.com")
        .await;
    assert_eq!(mine.body["count"], 1);
}

#[tokio::test]
async fn search_export_cursor() {
    let sim = start(1000).await;
    assert_error(
        &sim.get("/api/v2/search/export?query=status:open").await,
        400,
        "InvalidParameter",
    );
    assert_error(
        &sim.get("/api/v2/search/export?query=type:ticket&filter[type]=ticket")
            .await,
        400,
        "InvalidParameter",
    );
    let expected = sim
        .get("/api/v2/search/count?query=type:ticket status:solved")
        .await
        .body["count"]
        .as_u64()
        .unwrap();
    let mut url =
        "/api/v2/search/export?query=status:solved&filter[type]=ticket&page[size]=50".to_string();
    let mut seen = std::collections::HashSet::new();
    loop {
        let r = sim.get(&url).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.body.get("count").is_none());
        for t in r.body["results"].as_array().unwrap() {
            assert!(seen.insert(t["id"].as_u64().unwrap()));
        }
        if r.body["meta"]["has_more"] != true {
            break;
        }
        url = r.body["links"]["next"].as_str().unwrap().to_string();
    }
    assert_eq!(seen.len() as u64, expected);
}
