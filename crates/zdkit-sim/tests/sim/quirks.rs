//! Zendesk's quirks, parameters as real clients send them, headers and sideloads
//! (docs/design/simulator-quirks.md), on the manual clock.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zdkit_clock::{ManualClock, Timestamp};
use zdkit_sim::{Quirks, SimConfig, SimState};

use crate::support::*;

const DAY: u64 = 86_400;

fn ids(v: &Value, key: &str) -> Vec<u64> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn numbers_as_floats_iso_start_times_and_placeholder_cursors() {
    let sim = start(300).await;
    let plain = sim
        .get("/api/v2/incremental/tickets/cursor.json?start_time=946684800")
        .await;
    assert_eq!(plain.status, 200, "{}", plain.text);
    // singer tap-zendesk: datetime.timestamp() is a float.
    for q in [
        "start_time=946684800.0",
        "start_time=%20946684800%20",
        "start_time=2000-01-01T00:00:00Z",
        "start_time=2000-01-01T00:00:00+00:00",
        "start_time=2000-01-01T00:00:00%2B00:00",
        "start_time=2000-01-01",
        // node-zendesk 6.0.1 exportCursor
        "start_time=946684800&cursor=undefined&page[size]=100",
        "start_time=946684800&cursor=null",
        "start_time=946684800&cursor=",
    ] {
        let r = sim
            .get(&format!("/api/v2/incremental/tickets/cursor.json?{q}"))
            .await;
        assert_eq!(r.status, 200, "{q}: {}", r.text);
        assert_eq!(ids(&r.body, "tickets"), ids(&plain.body, "tickets"), "{q}");
    }
    // zenpy 2.0.24 sends ISO to the organizations export.
    let orgs = sim
        .get("/api/v2/incremental/organizations.json?start_time=2000-01-01T00:00:00Z")
        .await;
    assert_eq!(orgs.status, 200, "{}", orgs.text);
    assert!(!ids(&orgs.body, "organizations").is_empty());
    let per_page = sim
        .get("/api/v2/incremental/tickets.json?start_time=0&per_page=10.0")
        .await;
    assert_eq!(per_page.body["tickets"].as_array().unwrap().len(), 10);
    for bad in [
        "start_time=-1",
        "start_time=NaN",
        "start_time=inf",
        "start_time=yesterday",
    ] {
        let r = sim
            .get(&format!("/api/v2/incremental/tickets/cursor?{bad}"))
            .await;
        assert_error(&r, 400, "InvalidParameter");
    }
    // Upper-case sort_order.
    let desc = sim
        .get("/api/v2/tickets?sort_by=id&sort_order=DESC&per_page=5")
        .await;
    assert_eq!(desc.status, 200, "{}", desc.text);
    let got = ids(&desc.body, "tickets");
    assert!(got.windows(2).all(|w| w[0] > w[1]), "{got:?}");
    let users = sim
        .get("/api/v2/users?sort_by=id&sort_order=Desc&per_page=5")
        .await;
    assert_eq!(users.status, 200, "{}", users.text);
}

/// Sends `raw` on a fresh connection and returns the whole response text.
async fn raw_request(sim: &Sim, raw: &str) -> String {
    let addr = sim.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(raw.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn raw_characters_in_the_query_as_curl_sends_them() {
    let sim = start(200).await;
    let auth = "Authorization: Basic YWRtaW5AZXhhbXBsZS5jb20vdG9rZW46emQtc2ltLXRva2Vu";
    let resp = raw_request(
        &sim,
        &format!(
            "GET /api/v2/search/export?query=created>2000-01-01 HTTP/1.1\r\nHost: x\r\n{auth}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    // Missing filter[type]: a Zendesk 400, so the query itself got through.
    assert!(resp.starts_with("HTTP/1.1 400"), "{resp}");
    assert!(resp.contains("filter[type] is required"), "{resp}");
    let resp = raw_request(
        &sim,
        &format!(
            "GET /api/v2/search/export?filter[type]=ticket&query=created>2000-01-01+created<2100-01-01+\"x\" HTTP/1.1\r\nHost: x\r\n{auth}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    // A request line hyper cannot parse still gets a JSON body.
    let resp = raw_request(&sim, "GET /api/v2/tickets HTTP/1.1\r\nHo st: x\r\n\r\n").await;
    assert!(resp.starts_with("HTTP/1.1 400"), "{resp}");
    let body = resp.split("\r\n\r\n").nth(1).unwrap_or("");
    let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {resp}"));
    assert_eq!(v["error"], "InvalidRequest");
}

#[tokio::test]
async fn real_response_headers_etags_and_unlimited_rate_limit_headers() {
    let sim = start(100).await; // plan unlimited
    let r = sim.get("/api/v2/tickets/1").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-frame-options"), Some("SAMEORIGIN"));
    assert!(r.header("x-zendesk-application-version").is_some());
    assert_eq!(
        r.header("cache-control"),
        Some("max-age=0, private, must-revalidate")
    );
    let etag = r.header("etag").unwrap().to_string();
    assert!(etag.starts_with("W/\""), "{etag}");
    assert_eq!(r.header("x-rate-limit"), Some("10000000"));
    assert_eq!(r.header("ratelimit-limit"), Some("10000000"));
    let again = sim
        .send(
            sim.req(Method::GET, "/api/v2/tickets/1")
                .header("if-none-match", &etag),
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    let other = sim
        .send(
            sim.req(Method::GET, "/api/v2/tickets/2")
                .header("if-none-match", &etag),
        )
        .await;
    assert_eq!(other.status, 200);
    let missing = sim.get("/api/v2/tickets/999999").await;
    assert_eq!(missing.header("cache-control"), Some("no-cache"));
    assert!(missing.header("etag").is_none());
    assert!(missing.header("x-zendesk-application-version").is_some());
}

#[tokio::test]
async fn reset_refills_the_limiter_and_zeroes_stats() {
    let clock = ManualClock::new(Timestamp::from_unix_secs(T0));
    let state = SimState::new(SimConfig {
        clock: Some(clock.shared()),
        tickets: 50,
        plan: zdkit_sim::limits::Plan::Team,
        ..SimConfig::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(zdkit_sim::serve(listener, state));
    let c = reqwest::Client::new();
    let get = |p: &str| {
        c.get(format!("{base}{p}"))
            .basic_auth(format!("{ADMIN}/token"), Some(TOKEN))
            .send()
    };
    for _ in 0..5 {
        get("/api/v2/users/me").await.unwrap();
    }
    let r = get("/api/v2/users/me").await.unwrap();
    assert_eq!(r.headers()["x-rate-limit-remaining"], "194");
    let stats: Value = c
        .get(format!("{base}/__sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["requests"], 6);
    c.post(format!("{base}/__sim/reset")).send().await.unwrap();
    let stats: Value = c
        .get(format!("{base}/__sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["requests"], 0);
    let r = get("/api/v2/users/me").await.unwrap();
    assert_eq!(r.headers()["x-rate-limit-remaining"], "199");
    task.abort();
}

#[tokio::test]
async fn faults_replay_per_client_whatever_the_interleaving() {
    let plan = r#"{"seed": 3, "rules": [{"error_500": 0.3}]}"#;
    let run = |interleave: bool| async move {
        let mut config = SimConfig::with_tickets(50);
        config.faults = zdkit_sim::faults::FaultPlan::from_json_str(plan).unwrap();
        let sim = start_with(config).await;
        let mut a = Vec::new();
        for _ in 0..40 {
            let r = sim
                .send(
                    sim.req(Method::GET, "/api/v2/users/me")
                        .header("x-sim-client", "a"),
                )
                .await;
            a.push(r.status.as_u16());
            if interleave {
                sim.send(
                    sim.req(Method::GET, "/api/v2/users/me")
                        .header("x-sim-client", "b"),
                )
                .await;
            }
        }
        a
    };
    let alone = run(false).await;
    assert!(alone.contains(&500) && alone.contains(&200), "{alone:?}");
    assert_eq!(run(true).await, alone);
}

/// A closed generated ticket and an open one.
async fn closed_and_open(sim: &Sim) -> (u64, u64) {
    let all = sim
        .get("/api/v2/incremental/tickets/cursor?start_time=0")
        .await;
    let tickets = all.body["tickets"].as_array().unwrap();
    let pick = |status: &str| {
        tickets.iter().find(|t| t["status"] == status).unwrap()["id"]
            .as_u64()
            .unwrap()
    };
    (pick("closed"), pick("open"))
}

#[tokio::test]
async fn archived_tickets_are_not_listed_but_shown_exported_and_searched() {
    let sim = start(400).await;
    let truth = sim.get("/__sim/ground-truth/tickets").await;
    let rows = truth.body["tickets"].as_array().unwrap().clone();
    let archived: BTreeSet<u64> = rows
        .iter()
        .filter(|r| r[4] == true)
        .map(|r| r[0].as_u64().unwrap())
        .collect();
    assert!(archived.len() > 20, "{} archived", archived.len());
    let listed: BTreeSet<u64> = sim.listed_ticket_ids().await.into_iter().collect();
    // Cursor and offset lists agree with the ground truth.
    let mut seen = BTreeSet::new();
    let mut url = "/api/v2/tickets?page[size]=100".to_string();
    loop {
        let r = sim.get(&url).await;
        seen.extend(ids(&r.body, "tickets"));
        if r.body["meta"]["has_more"] != true {
            break;
        }
        url = r.body["links"]["next"].as_str().unwrap().to_string();
    }
    assert_eq!(seen, listed);
    assert!(seen.is_disjoint(&archived));
    let offset = sim.get("/api/v2/tickets?per_page=100").await;
    assert_eq!(offset.body["count"].as_u64().unwrap(), listed.len() as u64);
    let a = *archived.iter().next().unwrap();
    let show = sim.get(&format!("/api/v2/tickets/{a}")).await;
    assert_eq!(show.status, 200);
    assert_eq!(show.body["ticket"]["status"], "closed");
    let export = sim
        .get("/api/v2/incremental/tickets/cursor?start_time=0")
        .await;
    assert!(archived.is_subset(&ids(&export.body, "tickets").into_iter().collect()));
    let search = sim
        .get("/api/v2/search/export?filter[type]=ticket&query=status:closed&page[size]=1000")
        .await;
    let found: BTreeSet<u64> = ids(&search.body, "results").into_iter().collect();
    assert!(archived.is_subset(&found));

    // A ticket closed now is archived 120 days later, not before.
    let (_, open) = closed_and_open(&sim).await;
    let r = sim
        .json(
            Method::PUT,
            &format!("/api/v2/tickets/{open}"),
            json!({"ticket": {"status": "closed"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    sim.advance(120 * DAY);
    assert!(sim.listed_ticket_ids().await.contains(&open));
    sim.advance(DAY);
    assert!(!sim.listed_ticket_ids().await.contains(&open));
    assert_eq!(
        sim.get(&format!("/api/v2/tickets/{open}")).await.status,
        200
    );
}

#[tokio::test]
async fn archiving_can_be_turned_off() {
    let mut config = SimConfig::with_tickets(200);
    config.quirks.archive_after_days = 0;
    let sim = start_with(config).await;
    let live = sim.truth("tickets").await.iter().filter(|r| !r.3).count();
    assert_eq!(sim.listed_ticket_ids().await.len(), live);
    let r = sim.get("/api/v2/tickets?per_page=100").await;
    assert_eq!(r.body["count"].as_u64().unwrap(), live as u64);
}

#[tokio::test]
async fn search_sees_writes_after_the_index_lag() {
    let sim = start(200).await;
    let r = sim
        .json(
            Method::POST,
            "/api/v2/tickets",
            json!({"ticket": {"subject": "zebra crossing", "comment": {"body": "x"}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["ticket"]["id"].as_u64().unwrap();
    let q = "/api/v2/search?query=type:ticket zebra";
    let ex = "/api/v2/search/export?filter[type]=ticket&query=zebra";
    assert!(!ids(&sim.get(q).await.body, "results").contains(&id));
    assert!(!ids(&sim.get(ex).await.body, "results").contains(&id));
    assert_eq!(
        sim.get("/api/v2/search/count?query=type:ticket zebra")
            .await
            .body["count"],
        0
    );
    sim.advance(179);
    assert!(!ids(&sim.get(q).await.body, "results").contains(&id));
    sim.advance(2);
    assert!(ids(&sim.get(q).await.body, "results").contains(&id));
    assert!(ids(&sim.get(ex).await.body, "results").contains(&id));

    // An update is seen only after the lag; until then the previous version is found.
    let r = sim
        .json(
            Method::PUT,
            &format!("/api/v2/tickets/{id}"),
            json!({"ticket": {"subject": "giraffe crossing"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let giraffe = "/api/v2/search?query=type:ticket giraffe";
    sim.advance(100);
    assert!(
        ids(&sim.get(q).await.body, "results").contains(&id),
        "the old subject is still indexed"
    );
    assert!(!ids(&sim.get(giraffe).await.body, "results").contains(&id));
    let exported = sim.get(ex).await;
    let old = exported.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned()
        .expect("search export shows the previous version");
    assert_eq!(old["subject"], "zebra crossing");
    sim.advance(81);
    assert!(!ids(&sim.get(q).await.body, "results").contains(&id));
    assert!(ids(&sim.get(giraffe).await.body, "results").contains(&id));
}

#[tokio::test]
async fn search_export_is_by_created_at_with_big_pages_and_expiring_cursors() {
    let sim = start(3000).await;
    let r = sim
        .get("/api/v2/search/export?filter[type]=ticket&query=status<closed&page[size]=1000")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let results = r.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 1000);
    let created: Vec<&str> = results
        .iter()
        .map(|t| t["created_at"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] <= w[1]));
    let next = r.body["links"]["next"].as_str().unwrap().to_string();
    sim.advance(3599);
    let r2 = sim.get(&next).await;
    assert_eq!(r2.status, 200, "{}", r2.text);
    let next2 = r2.body["links"]["next"].as_str().unwrap().to_string();
    sim.advance(3601);
    assert_error(&sim.get(&next2).await, 400, "InvalidPaginationParameter");
    assert_error(
        &sim.get("/api/v2/search/export?filter[type]=ticket&query=x&page[size]=1001")
            .await,
        400,
        "InvalidPaginationParameter",
    );
}

#[tokio::test]
async fn search_export_pages_full_of_archived_tickets_are_slow_then_time_out() {
    let clock = ManualClock::auto_advancing(Timestamp::from_unix_secs(T0));
    let mut config = SimConfig::with_tickets(2000);
    config.clock = Some(clock.shared());
    config.plan = zdkit_sim::limits::Plan::Unlimited;
    config.quirks = Quirks {
        search_export_archived_ms: 100,
        search_export_timeout_ms: 20_000,
        ..Quirks::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(zdkit_sim::serve(listener, SimState::new(config)));
    let c = reqwest::Client::new();
    let get = |size: u32| {
        c.get(format!(
            "{base}/api/v2/search/export?filter[type]=ticket&query=status:closed&page[size]={size}"
        ))
        .basic_auth(format!("{ADMIN}/token"), Some(TOKEN))
        .send()
    };
    let t0 = zdkit_clock::Clock::now(&clock);
    let small = get(10).await.unwrap();
    assert_eq!(small.status(), 200);
    let waited = zdkit_clock::Clock::now(&clock).saturating_since(t0);
    assert!(waited.as_millis() >= 500, "{waited:?}");
    let big = get(1000).await.unwrap();
    assert_eq!(big.status(), 504);
    assert!(big.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    task.abort();
}

#[tokio::test]
async fn updated_at_and_generated_timestamp_differ_when_no_field_changes() {
    let sim = start(600).await;
    let export = sim
        .get("/api/v2/incremental/tickets/cursor?start_time=0")
        .await;
    let tickets = export.body["tickets"].as_array().unwrap();
    let split = tickets
        .iter()
        .filter(|t| {
            let ts = t["generated_timestamp"].as_u64().unwrap();
            let updated = zdkit_sim_iso(t["updated_at"].as_str().unwrap());
            updated < ts
        })
        .count();
    assert!(
        split > tickets.len() / 12 && split < tickets.len() / 3,
        "{split}"
    );
    let (_, open) = closed_and_open(&sim).await;
    let before = sim.get(&format!("/api/v2/tickets/{open}")).await.body["ticket"].clone();
    sim.advance(60);
    let r = sim
        .json(
            Method::PUT,
            &format!("/api/v2/tickets/{open}"),
            json!({"ticket": {"status": before["status"]}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["ticket"]["updated_at"], before["updated_at"]);
    assert_eq!(r.body["ticket"]["generated_timestamp"], sim.now());
    let truth = sim.truth("tickets").await;
    let row = truth.iter().find(|r| r.0 == open).unwrap();
    assert_eq!(row.2, sim.now());
    assert_eq!(row.1, zdkit_sim_iso(before["updated_at"].as_str().unwrap()));
    let r = sim
        .json(
            Method::PUT,
            &format!("/api/v2/tickets/{open}"),
            json!({"ticket": {"subject": "changed"}}),
        )
        .await;
    assert_eq!(r.body["ticket"]["updated_at"], iso(sim.now()));
}

/// Parses `2024-01-02T03:04:05Z`.
fn zdkit_sim_iso(s: &str) -> u64 {
    let dt =
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap();
    dt.unix_timestamp() as u64
}

fn iso(secs: u64) -> String {
    let dt = time::OffsetDateTime::from_unix_timestamp(secs as i64).unwrap();
    dt.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn ticket_sideloads_metric_sets_dates_last_audits() {
    let sim = start(200).await;
    let r = sim
        .get("/api/v2/tickets?page[size]=10&include=metric_sets,dates,last_audits,comment_count")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let tickets = r.body["tickets"].as_array().unwrap();
    let metrics = r.body["metric_sets"].as_array().unwrap();
    assert_eq!(metrics.len(), tickets.len());
    for (t, m) in tickets.iter().zip(metrics) {
        assert_eq!(m["ticket_id"], t["id"]);
        assert!(m["reply_time_in_minutes"]["calendar"].is_u64());
        assert!(t["dates"].is_object());
        assert!(t["comment_count"].is_u64());
    }
    let audits = r.body["last_audits"].as_array().unwrap();
    assert_eq!(audits.len(), tickets.len());
    assert_eq!(audits[0]["ticket_id"], tickets[0]["id"]);
    // tap-zendesk reads ticket.metric_set on the export.
    let ex = sim
        .get("/api/v2/incremental/tickets/cursor?start_time=0&include=metric_sets")
        .await;
    for t in ex.body["tickets"].as_array().unwrap() {
        if t["status"] == "deleted" {
            assert!(t.get("metric_set").is_none());
        } else {
            assert_eq!(t["metric_set"]["ticket_id"], t["id"]);
        }
    }
    assert!(ex.body.get("metric_sets").is_none());
    let one = sim.get("/api/v2/tickets/1?include=ticket_metrics").await;
    assert_eq!(one.body["ticket_metrics"][0]["ticket_id"], 1);
}

#[tokio::test]
async fn user_and_scoped_search_sideloads() {
    let sim = start(500).await;
    let r = sim
        .get("/api/v2/users?page[size]=100&include=identities,organizations,groups")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let users = r.body["users"].as_array().unwrap();
    let identities = r.body["identities"].as_array().unwrap();
    assert!(identities.len() >= users.len());
    for u in users {
        assert!(identities
            .iter()
            .any(|i| i["user_id"] == u["id"] && i["primary"] == true));
        if let Some(o) = u["organization_id"].as_u64() {
            assert!(r.body["organizations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == o));
        }
    }
    assert!(!r.body["groups"].as_array().unwrap().is_empty());
    let s = sim
        .get("/api/v2/search?query=type:ticket status:open&include=tickets(users,organizations)")
        .await;
    assert_eq!(s.status, 200, "{}", s.text);
    let users: BTreeSet<u64> = ids(&s.body, "users").into_iter().collect();
    for t in s.body["results"].as_array().unwrap() {
        assert!(users.contains(&t["requester_id"].as_u64().unwrap()));
    }
    assert!(s.body["organizations"].is_array());
}

#[tokio::test]
async fn archived_oldest_makes_the_oldest_tickets_the_archived_ones() {
    let tickets = 20_000u64;
    let sim = start_with(SimConfig {
        archived_percent: Some(30.0),
        archived_oldest: true,
        ..SimConfig::with_tickets(tickets)
    })
    .await;
    let truth = sim.get("/__sim/ground-truth/tickets").await;
    let rows = truth.body["tickets"].as_array().unwrap();
    let archived: Vec<u64> = rows
        .iter()
        .filter(|r| r[4] == true)
        .map(|r| r[1].as_u64().unwrap())
        .collect();
    let share = 100.0 * archived.len() as f64 / tickets as f64;
    assert!((share - 30.0).abs() < 1.5, "{share:.2}% archived");
    // Every live ticket not archived was last updated after every archived one.
    let newest_archived = archived.iter().max().copied().unwrap();
    let oldest_live = rows
        .iter()
        .filter(|r| r[3] == false && r[4] == false)
        .map(|r| r[1].as_u64().unwrap())
        .min()
        .unwrap();
    assert!(
        newest_archived < oldest_live,
        "archived up to {newest_archived}, a live ticket at {oldest_live}"
    );
}

#[tokio::test]
async fn archived_percent_sets_the_share_of_archived_tickets() {
    for (percent, tickets) in [(Some(30.0), 20_000u64), (Some(60.0), 5_000), (None, 20_000)] {
        let sim = start_with(SimConfig {
            archived_percent: percent,
            ..SimConfig::with_tickets(tickets)
        })
        .await;
        let truth = sim.get("/__sim/ground-truth/tickets").await;
        let rows = truth.body["tickets"].as_array().unwrap();
        let archived = rows.iter().filter(|r| r[4] == true).count() as f64;
        let share = 100.0 * archived / tickets as f64;
        // The default mix: 30% closed, 97% live, 975 of 1,095 days old enough.
        let want = percent.unwrap_or(30.0 * 0.97 * 975.0 / 1095.0);
        assert!(
            (share - want).abs() < 1.5,
            "{percent:?}: {share:.2}% archived, want {want:.2}%"
        );
    }
}
