//! Wire shapes of the read endpoints.

use crate::support::*;

#[tokio::test]
async fn ticket_list_cursor_and_offset_shapes() {
    let sim = start(300).await;
    let r = sim
        .get("/api/v2/tickets.json?page[size]=5&include=users,groups,organizations,comment_count")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let tickets = r.body["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 5);
    assert!(tickets
        .iter()
        .all(|t| t["comment_count"].as_u64().unwrap() >= 1));
    assert_eq!(r.body["meta"]["has_more"], true);
    let next = r.body["links"]["next"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{}/api/v2/tickets?", sim.base)),
        "{next}"
    );
    assert!(next.contains("include=users"), "{next}");
    let users = r.body["users"].as_array().unwrap();
    let user_ids: Vec<u64> = users.iter().map(|u| u["id"].as_u64().unwrap()).collect();
    let mut dedup = user_ids.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(
        dedup.len(),
        user_ids.len(),
        "users sideload is deduplicated"
    );
    for t in tickets {
        assert!(user_ids.contains(&t["requester_id"].as_u64().unwrap()));
    }
    assert!(r.body["groups"].is_array() && r.body["organizations"].is_array());

    let page2 = sim.get(next).await;
    let first2 = page2.body["tickets"][0]["id"].as_u64().unwrap();
    assert!(first2 > tickets[4]["id"].as_u64().unwrap());
    let prev = sim.get(page2.body["links"]["prev"].as_str().unwrap()).await;
    let prev_ids: Vec<u64> = prev.body["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    let first_ids: Vec<u64> = tickets.iter().map(|t| t["id"].as_u64().unwrap()).collect();
    assert_eq!(prev_ids, first_ids);

    for _ in 0..2 {
        let body = serde_json::json!({"ticket": {"comment": "x", "external_id": "dup-ext"}});
        sim.json(reqwest::Method::POST, "/api/v2/tickets", body)
            .await;
    }
    let by_ext = sim.get("/api/v2/tickets?external_id=dup-ext").await;
    let found: Vec<u64> = by_ext.body["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(found, vec![301, 302]);
    let off = sim
        .get("/api/v2/tickets?page=2&per_page=7&sort_order=desc")
        .await;
    assert_eq!(off.body["tickets"].as_array().unwrap().len(), 7);
    // Live and not archived.
    let listed = sim.listed_ticket_ids().await.len() as u64;
    assert_eq!(off.body["count"], listed);
    assert!(off.body["next_page"].as_str().unwrap().contains("page=3"));
    assert!(off.body["previous_page"]
        .as_str()
        .unwrap()
        .contains("page=1"));
    let ids: Vec<u64> = off.body["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]));

    // Sorting by other fields, both pagination styles.
    let mut url = "/api/v2/tickets?page[size]=100&sort=-status".to_string();
    let mut ranks = Vec::new();
    let order = ["new", "open", "pending", "hold", "solved", "closed"];
    loop {
        let r = sim.get(&url).await;
        assert_eq!(r.status, 200, "{}", r.text);
        ranks.extend(
            r.body["tickets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| order.iter().position(|s| *s == t["status"]).unwrap()),
        );
        if r.body["meta"]["has_more"] != true {
            break;
        }
        url = r.body["links"]["next"].as_str().unwrap().to_string();
    }
    assert_eq!(ranks.len() as u64, listed);
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]));
    let by_created = sim
        .get("/api/v2/tickets?sort_by=created_at&per_page=50&page=2")
        .await;
    let created: Vec<&str> = by_created.body["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["created_at"].as_str().unwrap())
        .collect();
    assert_eq!(created.len(), 50);
    assert!(created.windows(2).all(|w| w[0] <= w[1]));
    assert_error(
        &sim.get("/api/v2/tickets?sort_by=subject").await,
        400,
        "InvalidPaginationParameter",
    );

    let desc = sim
        .get("/api/v2/tickets?page[size]=3&sort=-updated_at")
        .await;
    let ts: Vec<u64> = desc.body["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["generated_timestamp"].as_u64().unwrap())
        .collect();
    assert!(ts.windows(2).all(|w| w[0] >= w[1]));
}

#[tokio::test]
async fn show_count_show_many_comments_audits() {
    let sim = start(300).await;
    let truth = sim.truth("tickets").await;
    let live: Vec<u64> = truth.iter().filter(|t| !t.3).map(|t| t.0).collect();
    let deleted: Vec<u64> = truth.iter().filter(|t| t.3).map(|t| t.0).collect();
    assert!(!deleted.is_empty(), "a few generated tickets are deleted");
    let id = live[0];
    let r = sim
        .get(&format!("/api/v2/tickets/{id}.json?include=users"))
        .await;
    assert_eq!(r.body["ticket"]["id"], id);
    assert!(r.body["users"].is_array());
    assert_error(
        &sim.get(&format!("/api/v2/tickets/{}", deleted[0])).await,
        404,
        "RecordNotFound",
    );

    let c = sim.get("/api/v2/tickets/count").await;
    assert_eq!(c.body["count"]["value"], live.len() as u64);
    assert_eq!(c.body["count"]["refreshed_at"], "2023-11-14T22:13:20Z");

    let many = sim
        .get(&format!(
            "/api/v2/tickets/show_many?ids={},{},{}",
            live[1], deleted[0], live[2]
        ))
        .await;
    assert_eq!(many.body["tickets"].as_array().unwrap().len(), 2);
    let too_many: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    assert_eq!(
        sim.get(&format!(
            "/api/v2/tickets/show_many?ids={}",
            too_many.join(",")
        ))
        .await
        .status,
        400
    );

    let comments = sim.get(&format!("/api/v2/tickets/{id}/comments")).await;
    let list = comments.body["comments"].as_array().unwrap();
    assert!(!list.is_empty());
    assert_eq!(list[0]["body"], r.body["ticket"]["description"]);
    assert_eq!(list[0]["type"], "Comment");
    let with_users = sim
        .get(&format!("/api/v2/tickets/{id}/comments?include=users"))
        .await;
    let authors: std::collections::BTreeSet<u64> = with_users.body["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["author_id"].as_u64().unwrap())
        .collect();
    let users: std::collections::BTreeSet<u64> = with_users.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_u64().unwrap())
        .collect();
    assert_eq!(authors, users);
    let audits = sim
        .get(&format!("/api/v2/tickets/{id}/audits?page[size]=1"))
        .await;
    assert_eq!(audits.body["audits"][0]["ticket_id"], id);
    assert_eq!(audits.body["audits"][0]["events"][0]["type"], "Comment");
    assert!(audits.body["meta"].is_object());
}

#[tokio::test]
async fn a_ticket_with_many_comments_pages_through_all_of_them() {
    let sim = start(2000).await;
    let mut found = None;
    for id in 1..=2000u64 {
        let r = sim
            .get(&format!("/api/v2/tickets/{id}?include=comment_count"))
            .await;
        if r.status == 200 && r.body["ticket"]["comment_count"].as_u64().unwrap() > 100 {
            found = Some((id, r.body["ticket"]["comment_count"].as_u64().unwrap()));
            break;
        }
    }
    let (id, n) = found.expect("1% of tickets have many comments");
    let mut url = format!("/api/v2/tickets/{id}/comments?page[size]=100");
    let mut seen = Vec::new();
    loop {
        let r = sim.get(&url).await;
        seen.extend(
            r.body["comments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_u64().unwrap()),
        );
        if r.body["meta"]["has_more"] != true {
            break;
        }
        url = r.body["links"]["next"].as_str().unwrap().to_string();
    }
    assert_eq!(seen.len() as u64, n);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
}

#[tokio::test]
async fn users_orgs_groups_fields() {
    let sim = start(1000).await;
    let me = sim.get("/api/v2/users/me").await;
    assert_eq!(me.body["user"]["email"], "admin@example.com");
    let users = sim.get("/api/v2/users?page[size]=100").await;
    assert_eq!(users.body["users"].as_array().unwrap().len(), 100);
    let roles: Vec<&str> = users.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["role"].as_str().unwrap())
        .collect();
    assert!(roles.contains(&"agent") && roles.contains(&"end-user"));
    let emails: std::collections::HashSet<&str> = users.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails.len(), 100, "emails are unique");
    let agents = sim
        .get("/api/v2/users?role[]=agent&role[]=admin&page[size]=5")
        .await;
    let first: Vec<u64> = agents.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_u64().unwrap())
        .collect();
    assert_eq!(first, vec![1, 2, 3, 4, 5]);
    let rest = sim
        .get(agents.body["links"]["next"].as_str().unwrap())
        .await;
    let rest: Vec<u64> = rest.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_u64().unwrap())
        .collect();
    assert_eq!(rest, vec![6, 7, 8, 9]);
    let end_users = sim.get("/api/v2/users?role=end-user&per_page=100").await;
    assert_eq!(end_users.body["count"], 91);
    assert!(end_users.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["role"] == "end-user"));
    let orgs = sim.get("/api/v2/organizations.json?per_page=5").await;
    assert_eq!(orgs.body["organizations"].as_array().unwrap().len(), 5);
    assert_eq!(orgs.body["count"], 10);
    let org = sim.get("/api/v2/organizations/3").await;
    assert_eq!(org.body["organization"]["id"], 3);
    let groups = sim.get("/api/v2/groups").await;
    assert_eq!(groups.body["groups"].as_array().unwrap().len(), 10);
    assert_eq!(sim.get("/api/v2/groups/2").await.body["group"]["id"], 2);
    let fields = sim.get("/api/v2/ticket_fields").await;
    let list = fields.body["ticket_fields"].as_array().unwrap();
    assert_eq!(list.len(), 15);
    let ids: Vec<u64> = list.iter().map(|f| f["id"].as_u64().unwrap()).collect();
    let t = sim.get("/api/v2/tickets/1").await;
    let t = if t.status == 200 {
        t
    } else {
        sim.get("/api/v2/tickets/2").await
    };
    for cf in t.body["ticket"]["custom_fields"].as_array().unwrap() {
        assert!(
            ids.contains(&cf["id"].as_u64().unwrap()),
            "custom field ids are ticket field ids"
        );
    }
    let paged = sim.get("/api/v2/ticket_fields?page[size]=4").await;
    assert_eq!(paged.body["ticket_fields"].as_array().unwrap().len(), 4);
    assert_eq!(paged.body["meta"]["has_more"], true);
}

#[tokio::test]
async fn admin_health_reset_and_ground_truth() {
    let sim = start(100).await;
    let health = sim.send(sim.client.get(sim.url("/__sim/health"))).await;
    assert_eq!(health.body["status"], "ok");
    assert_eq!(health.body["now"], T0);
    let before = sim.truth("tickets").await;
    sim.json(
        reqwest::Method::POST,
        "/api/v2/tickets",
        serde_json::json!({"ticket": {"comment": "x"}}),
    )
    .await;
    sim.json(
        reqwest::Method::POST,
        "/api/v2/users",
        serde_json::json!({"user": {"name": "U"}}),
    )
    .await;
    assert_eq!(sim.truth("tickets").await.len(), before.len() + 1);
    let r = sim.send(sim.client.post(sim.url("/__sim/reset"))).await;
    assert_eq!(r.status, 200);
    assert_eq!(sim.truth("tickets").await, before);
    for kind in ["users", "organizations", "groups", "ticket_fields"] {
        let rows = sim.truth(kind).await;
        assert!(!rows.is_empty(), "{kind}");
        assert!(rows.windows(2).all(|w| w[0].0 < w[1].0));
    }
    assert_eq!(sim.truth("users").await.len(), 50);
    let r = sim
        .send(sim.client.get(sim.url("/__sim/ground-truth/nope")))
        .await;
    assert_error(&r, 404, "InvalidEndpoint");
}
