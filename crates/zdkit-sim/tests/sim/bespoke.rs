//! The bespoke parts next to the generic engine: tags, views' counts and tickets, macros'
//! apply, and the catalogue's endpoint limits.

use reqwest::Method;
use serde_json::json;
use zdkit_sim::limits::Plan;

use crate::support::*;

#[tokio::test]
async fn tags_count_live_tickets_and_follow_writes() {
    let sim = start(300).await;
    let r = sim.get("/api/v2/tags").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let tags = r.body["tags"].as_array().unwrap().clone();
    assert!(!tags.is_empty());
    let counts: Vec<u64> = tags.iter().map(|t| t["count"].as_u64().unwrap()).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most used first: {counts:?}"
    );
    // The counts agree with the tickets themselves.
    let vip = tags.iter().find(|t| t["name"] == "vip").unwrap()["count"]
        .as_u64()
        .unwrap();
    let mut seen = 0;
    for id in 1..=300 {
        let t = sim.get(&format!("/api/v2/tickets/{id}/tags")).await;
        if t.status == 200
            && t.body["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == "vip")
        {
            seen += 1;
        }
    }
    assert_eq!(seen, vip);
    let mut open = 0;
    for id in 1..=300 {
        let t = sim.get(&format!("/api/v2/tickets/{id}")).await;
        if t.status == 200 && t.body["ticket"]["status"] != "closed" {
            open = id;
            break;
        }
    }
    let set = sim
        .json(
            Method::POST,
            &format!("/api/v2/tickets/{open}/tags"),
            json!({"tags": ["Brand New", "vip"]}),
        )
        .await;
    assert_eq!(set.status, 201, "{}", set.text);
    {
        assert_eq!(set.body["tags"], json!(["brand_new", "vip"]));
        let add = sim
            .json(
                Method::PUT,
                &format!("/api/v2/tickets/{open}/tags"),
                json!({"tags": ["zeta"]}),
            )
            .await;
        assert_eq!(add.body["tags"], json!(["brand_new", "vip", "zeta"]));
        let rm = sim
            .send(
                sim.req(Method::DELETE, &format!("/api/v2/tickets/{open}/tags"))
                    .json(&json!({"tags": ["vip"]})),
            )
            .await;
        assert_eq!(rm.status, 204);
        let now = sim.get(&format!("/api/v2/tickets/{open}/tags")).await;
        assert_eq!(now.body["tags"], json!(["brand_new", "zeta"]));
        let after = sim.get("/api/v2/tags?per_page=100").await;
        let has = |name: &str| {
            after.body["tags"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["name"] == name)
                .map(|t| t["count"].as_u64().unwrap())
        };
        assert_eq!(has("brand_new"), Some(1));
    }
    let u = sim
        .json(
            Method::PUT,
            "/api/v2/users/12/tags",
            json!({"tags": ["gold"]}),
        )
        .await;
    assert!(
        u.body["tags"].as_array().unwrap().contains(&json!("gold")),
        "{}",
        u.text
    );
    let o = sim
        .json(
            Method::POST,
            "/api/v2/organizations/2/tags",
            json!({"tags": ["big"]}),
        )
        .await;
    assert_eq!(o.status, 201, "{}", o.text);
    assert_eq!(
        sim.get("/api/v2/organizations/2/tags").await.body["tags"],
        json!(["big"])
    );
    assert_error(
        &sim.get("/api/v2/tickets/999999/tags").await,
        404,
        "RecordNotFound",
    );
}

#[tokio::test]
async fn views_count_and_list_the_tickets_they_match() {
    let sim = start(300).await;
    let views = sim.get("/api/v2/views?per_page=100").await;
    let pending = views.body["views"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["title"] == "Pending tickets")
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let count = sim.get(&format!("/api/v2/views/{pending}/count")).await;
    assert_eq!(count.status, 200, "{}", count.text);
    let n = count.body["view_count"]["value"].as_u64().unwrap();
    assert!(n > 0);
    assert_eq!(count.body["view_count"]["fresh"], true);
    let mut seen = Vec::new();
    let mut url = format!("/api/v2/views/{pending}/tickets?page[size]=7");
    loop {
        let r = sim.get(&url).await;
        assert_eq!(r.status, 200, "{}", r.text);
        for t in r.body["tickets"].as_array().unwrap() {
            assert_eq!(t["status"], "pending");
            seen.push(t["id"].as_u64().unwrap());
        }
        if r.body["meta"]["has_more"] != json!(true) {
            break;
        }
        url = r.body["links"]["next"].as_str().unwrap().to_string();
    }
    assert_eq!(seen.len() as u64, n);
    let off = sim
        .get(&format!("/api/v2/views/{pending}/tickets?per_page=5"))
        .await;
    assert_eq!(off.body["count"].as_u64().unwrap(), n);
    let ex = sim
        .get(&format!("/api/v2/views/{pending}/execute?per_page=3"))
        .await;
    assert_eq!(ex.status, 200, "{}", ex.text);
    assert_eq!(ex.body["rows"].as_array().unwrap().len(), 3.min(n as usize));
    assert!(!ex.body["columns"].as_array().unwrap().is_empty());
    let many = sim
        .get(&format!("/api/v2/views/count_many?ids={pending},1"))
        .await;
    assert_eq!(
        many.body["view_counts"].as_array().unwrap().len(),
        2,
        "{}",
        many.text
    );
    assert_error(
        &sim.get("/api/v2/views/9999/count").await,
        404,
        "RecordNotFound",
    );
    let active = sim.get("/api/v2/views/active").await;
    assert!(active.body["views"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["active"] == true));
}

#[tokio::test]
async fn macros_apply_shows_the_change_without_saving() {
    let sim = start(100).await;
    let m = sim.get("/api/v2/macros/1").await;
    let status = m.body["macro"]["actions"][0]["value"].clone();
    let r = sim.get("/api/v2/macros/1/apply").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["result"]["ticket"]["status"], status);
    assert_eq!(r.body["result"]["ticket"]["tags"], json!(["macro_1"]));
    assert!(
        r.body["result"]["comment"]["body"].is_string(),
        "{}",
        r.text
    );
    let live = sim.truth("tickets").await.iter().find(|t| !t.3).unwrap().0;
    let before = sim.get(&format!("/api/v2/tickets/{live}")).await;
    let t = sim
        .get(&format!("/api/v2/tickets/{live}/macros/1/apply"))
        .await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["result"]["ticket"]["id"], json!(live));
    assert_eq!(t.body["result"]["ticket"]["status"], status);
    assert!(t.body["result"]["ticket"]["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("macro_1")));
    // Nothing was saved.
    let after = sim.get(&format!("/api/v2/tickets/{live}")).await;
    assert_eq!(before.body, after.body);
    let take = sim.get("/api/v2/macros/3/apply").await;
    assert_eq!(
        take.body["result"]["ticket"]["assignee_id"], 1,
        "current_user is the caller: {}",
        take.text
    );
    assert_error(
        &sim.get("/api/v2/macros/999/apply").await,
        404,
        "RecordNotFound",
    );
}

#[tokio::test]
async fn catalogue_endpoint_limits_are_enforced() {
    let mut config = zdkit_sim::SimConfig::with_tickets(50);
    config.plan = Plan::Enterprise;
    let sim = start_with(config).await;
    // start_with forces the unlimited plan; set the plan back through the admin API.
    let r = sim
        .send(
            sim.client
                .put(sim.url("/__sim/limits"))
                .json(&json!({"plan": "enterprise"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for _ in 0..5 {
        let r = sim.get("/api/v2/views/1/count").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.header("zendesk-ratelimit-views-count").is_some());
    }
    let limited = sim.get("/api/v2/views/1/count").await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.body["error"], "APIRateLimitExceeded");
    assert!(limited.header("retry-after").is_some());
    // Another view has its own counter.
    assert_eq!(sim.get("/api/v2/views/2/count").await.status, 200);
    let tags = sim.get("/api/v2/tags").await;
    assert!(tags
        .header("zendesk-ratelimit-tags-index")
        .unwrap()
        .starts_with("total=2000"));
    let audits = sim.get("/api/v2/tickets/1/audits").await;
    assert!(audits
        .header("zendesk-ratelimit-ticket-audits")
        .unwrap()
        .starts_with("total=500"));
}

#[tokio::test]
async fn account_wide_ticket_audits_walk_every_audit_once() {
    let sim = start(60).await;
    // Every audit of the listed tickets; archived tickets' audits are left out.
    let listed = sim.listed_ticket_ids().await;
    let mut want = std::collections::BTreeSet::new();
    let mut archived_audits = std::collections::BTreeSet::new();
    for id in 1..=60 {
        let r = sim.get(&format!("/api/v2/tickets/{id}/audits")).await;
        if r.status == 200 {
            let ids = r.body["audits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_u64().unwrap());
            if listed.contains(&id) {
                want.extend(ids);
            } else {
                archived_audits.extend(ids);
            }
        }
    }
    assert!(
        !archived_audits.is_empty(),
        "the seed has archived tickets with audits"
    );
    let mut seen = std::collections::BTreeSet::new();
    let mut url = "/api/v2/ticket_audits?page[size]=25".to_string();
    let mut pages = Vec::new();
    loop {
        let r = sim.get(&url).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.body["after_url"].is_string() || r.body["audits"].as_array().unwrap().is_empty());
        for a in r.body["audits"].as_array().unwrap() {
            assert!(seen.insert(a["id"].as_u64().unwrap()), "audit twice: {a}");
        }
        pages.push(r.body.clone());
        if r.body["meta"]["has_more"] != json!(true) {
            break;
        }
        url = r.body["links"]["next"].as_str().unwrap().to_string();
    }
    assert_eq!(seen, want);
    assert!(seen.is_disjoint(&archived_audits));
    // A before-cursor steps back to the previous page.
    if pages.len() >= 2 {
        let back = sim.get(pages[1]["links"]["prev"].as_str().unwrap()).await;
        assert_eq!(back.body["audits"], pages[0]["audits"]);
    }
    assert_error(
        &sim.get("/api/v2/ticket_audits?page[after]=nope").await,
        400,
        "InvalidPaginationParameter",
    );
}

#[tokio::test]
async fn ticket_metric_events_export_in_time_order() {
    let sim = start(3000).await;
    let mut url = "/api/v2/incremental/ticket_metric_events?start_time=0".to_string();
    let mut all = Vec::new();
    for _ in 0..50 {
        let r = sim.get(&url).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let items = r.body["ticket_metric_events"].as_array().unwrap().clone();
        assert_eq!(r.body["count"].as_u64().unwrap() as usize, items.len());
        all.extend(items);
        if r.body["end_of_stream"] == json!(true) {
            break;
        }
        url = r.body["next_page"].as_str().unwrap().to_string();
        sim.advance(7); // stay under the incremental-exports bucket
    }
    let times: Vec<&str> = all.iter().map(|e| e["time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "time order");
    let mut ids: Vec<u64> = all.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    // Every ticket's creation events are there (pages overlap at their boundary times).
    let activates = all
        .iter()
        .filter(|e| e["type"] == "activate" && e["metric"] == "reply_time")
        .map(|e| e["ticket_id"].as_u64().unwrap())
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(activates.len(), 3000, "one reply_time activate per ticket");
    assert_error(
        &sim.get("/api/v2/incremental/ticket_metric_events").await,
        400,
        "InvalidValue",
    );
}

#[tokio::test]
async fn view_tickets_follow_the_views_sort_or_the_requested_one() {
    let sim = start(300).await;
    let view = sim.get("/api/v2/views/1").await;
    let exec = &view.body["view"]["execution"];
    assert_eq!(exec["sort_by"], "updated_at", "{exec}");
    assert_eq!(exec["sort_order"], "desc");
    let walk = |url: String| {
        let sim = &sim;
        async move {
            let mut out = Vec::new();
            let mut url = url;
            loop {
                let r = sim.get(&url).await;
                assert_eq!(r.status, 200, "{}", r.text);
                out.extend(r.body["tickets"].as_array().unwrap().iter().cloned());
                if r.body["meta"]["has_more"] != json!(true) {
                    break;
                }
                url = r.body["links"]["next"].as_str().unwrap().to_string();
            }
            out
        }
    };
    // The view's own sort: most recently updated (generated_timestamp) first, across pages.
    let by_view = walk("/api/v2/views/1/tickets?page[size]=9".into()).await;
    assert!(by_view.len() > 5, "{}", by_view.len());
    let ts: Vec<u64> = by_view
        .iter()
        .map(|t| t["generated_timestamp"].as_u64().unwrap())
        .collect();
    assert!(ts.windows(2).all(|w| w[0] >= w[1]), "{ts:?}");
    // sort_by / sort_order override it, in any case.
    let created =
        walk("/api/v2/views/1/tickets?page[size]=9&sort_by=created_at&sort_order=ASC".into()).await;
    let c: Vec<&str> = created
        .iter()
        .map(|t| t["created_at"].as_str().unwrap())
        .collect();
    assert!(c.windows(2).all(|w| w[0] <= w[1]), "{c:?}");
    assert_eq!(
        created.len(),
        by_view.len(),
        "the same tickets in another order"
    );
    let rank = |p: &serde_json::Value| {
        ["low", "normal", "high", "urgent"]
            .iter()
            .position(|x| p == x)
            .map_or(0, |i| i + 1)
    };
    let prio =
        walk("/api/v2/views/1/tickets?per_page=100&sort_by=priority&sort_order=desc".into()).await;
    let r: Vec<usize> = prio.iter().map(|t| rank(&t["priority"])).collect();
    assert!(r.windows(2).all(|w| w[0] >= w[1]), "{r:?}");
    let by_id = walk("/api/v2/views/1/tickets?page[size]=50&sort_by=id".into()).await;
    let ids: Vec<u64> = by_id.iter().map(|t| t["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    // A cursor of one sort is refused by another.
    let first = sim.get("/api/v2/views/1/tickets?page[size]=5").await;
    let after = first.body["meta"]["after_cursor"].as_str().unwrap();
    assert_error(
        &sim.get(&format!(
            "/api/v2/views/1/tickets?page[size]=5&sort_by=id&page[after]={after}"
        ))
        .await,
        400,
        "InvalidPaginationParameter",
    );
}
