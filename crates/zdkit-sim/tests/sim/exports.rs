//! Time-based exports: ties, the exclusion window, users, organizations, ticket events.

use std::collections::{BTreeMap, HashSet};

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn time_based_export_includes_all_ties_and_walks_everything() {
    let sim = start(400).await;
    let truth = sim.truth("tickets").await;
    let mut by_ts: BTreeMap<u64, usize> = BTreeMap::new();
    for t in &truth {
        *by_ts.entry(t.2).or_default() += 1;
    }
    assert!(by_ts.values().any(|&n| n >= 2), "generated data has ties");
    let mut start = 0;
    let mut seen = HashSet::new();
    let mut pages = 0;
    loop {
        let r = sim
            .get(&format!(
                "/api/v2/incremental/tickets.json?start_time={start}&per_page=3"
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        pages += 1;
        let tickets = r.body["tickets"].as_array().unwrap();
        assert_eq!(r.body["count"], tickets.len());
        let end = r.body["end_time"].as_u64().unwrap();
        if let Some(last) = tickets.last() {
            let last_ts = last["generated_timestamp"].as_u64().unwrap();
            // Every record sharing the last timestamp is in this page.
            let in_page = tickets
                .iter()
                .filter(|t| t["generated_timestamp"] == last_ts)
                .count();
            assert_eq!(in_page, by_ts[&last_ts], "ties at {last_ts}");
            assert!(tickets.len() >= 3 || r.body["end_of_stream"] == true);
        }
        for t in tickets {
            seen.insert(t["id"].as_u64().unwrap());
        }
        assert_eq!(
            r.body["next_page"].as_str().unwrap(),
            format!(
                "{}/api/v2/incremental/tickets?per_page=3&start_time={end}",
                sim.base
            )
        );
        if r.body["end_of_stream"] == true {
            break;
        }
        assert!(end >= start);
        start = end;
        assert!(pages < 1000);
    }
    assert_eq!(seen.len(), truth.len());
}

#[tokio::test]
async fn exclusion_window_hides_the_last_minute() {
    let sim = start(100).await;
    let r = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"comment": "fresh"}}),
        )
        .await;
    let id = r.body["ticket"]["id"].as_u64().unwrap();
    let start = T0 - 100;
    let url = format!("/api/v2/incremental/tickets?start_time={start}");
    let ids = |r: &Resp| {
        r.body["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    assert!(!ids(&sim.get(&url).await).contains(&id));
    sim.advance(59);
    assert!(
        !ids(&sim.get(&url).await).contains(&id),
        "59 s old: excluded"
    );
    sim.advance(1);
    assert!(
        ids(&sim.get(&url).await).contains(&id),
        "60 s old: exported"
    );
}

#[tokio::test]
async fn users_and_organizations_exports() {
    let sim = start(1000).await;
    let r = sim
        .get("/api/v2/incremental/users/cursor?start_time=0&per_page=40")
        .await;
    assert_eq!(r.body["users"].as_array().unwrap().len(), 40);
    assert_eq!(r.body["end_of_stream"], false);
    let mut url = r.body["after_url"].as_str().unwrap().to_string();
    let mut n = 40;
    loop {
        let r = sim.get(&url).await;
        n += r.body["users"].as_array().unwrap().len();
        if r.body["end_of_stream"] == true {
            break;
        }
        url = r.body["after_url"].as_str().unwrap().to_string();
    }
    assert_eq!(n, sim.truth("users").await.len());
    let t = sim.get("/api/v2/incremental/users?start_time=0").await;
    assert_eq!(t.body["users"].as_array().unwrap().len(), 100);
    assert_eq!(t.body["end_of_stream"], true);
    let o = sim
        .get("/api/v2/incremental/organizations?start_time=0&per_page=1000")
        .await;
    assert_eq!(o.body["organizations"].as_array().unwrap().len(), 10);
    assert!(o.body["end_time"].is_u64());
}

#[tokio::test]
async fn ticket_events_with_and_without_comment_events() {
    let sim = start(200).await;
    sim.advance(5);
    let created = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"comment": "first"}}),
        )
        .await;
    let tid = created.body["ticket"]["id"].as_u64().unwrap();
    let r = sim
        .json(
            Method::PUT,
            &format!("/api/v2/tickets/{tid}"),
            json!({"ticket": {"priority": "high", "comment": "ping"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    sim.advance(61);
    let r = sim
        .get("/api/v2/incremental/ticket_events?start_time=0&per_page=50")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let events = r.body["ticket_events"].as_array().unwrap();
    assert!(events.len() >= 50);
    let ts: Vec<u64> = events
        .iter()
        .map(|e| e["timestamp"].as_u64().unwrap())
        .collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]));
    let child = &events[0]["child_events"];
    assert!(child
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["comment_present"] == true));
    let mut start = 0;
    let mut all = Vec::new();
    loop {
        let r = sim
            .get(&format!(
                "/api/v2/incremental/ticket_events?start_time={start}&include=comment_events"
            ))
            .await;
        let page = r.body["ticket_events"].as_array().unwrap().clone();
        let end = r.body["end_time"].as_u64().unwrap();
        all.extend(
            page.into_iter()
                .filter(|e| e["timestamp"].as_u64().unwrap() >= start),
        );
        if r.body["end_of_stream"] == true {
            break;
        }
        start = end;
    }
    let mine = all
        .iter()
        .find(|e| {
            e["ticket_id"] == tid
                && e["child_events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["body"] == "ping")
        })
        .expect("the update's audit");
    assert_eq!(mine["timestamp"], T0 + 5);
    let children = mine["child_events"].as_array().unwrap();
    assert!(children
        .iter()
        .any(|c| c["event_type"] == "Comment" && c["body"] == "ping"));
    assert!(children
        .iter()
        .any(|c| c["field_name"] == "priority" && c["value"] == "high"));
}
