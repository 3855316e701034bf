//! `list`, `get`, `search`, `tickets tag|untag` and `macros apply` tests.
use serde_json::Value;

use super::support::*;

fn jsonl(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn list_serves_the_catalogue_families() {
    let sim = Sim::start();
    let env = admin(&sim);
    let mut failed = Vec::new();
    for f in zdkit_catalog::FAMILIES
        .iter()
        .filter(|f| f.ops.list && f.parent.is_none() && !f.name.is_empty())
    {
        let r = run(&env, &["list", f.name, "--format", "jsonl", "--limit", "5"]);
        let records = if r.code == 0 {
            jsonl(&r.stdout)
        } else {
            Vec::new()
        };
        let ok = r.code == 0
            && records.len() <= 5
            && (f.name == "job_statuses" || !records.is_empty())
            && records
                .iter()
                .all(|v| v.get("id").is_some() || v.get("name").is_some());
        if !ok {
            failed.push(format!(
                "{}: exit {} {} records: {}",
                f.name,
                r.code,
                records.len(),
                r.stderr.lines().next().unwrap_or("")
            ));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

/// The done-when audit: `zd list` and `zd get` of every catalogue family in every format
/// (table, json, jsonl, csv) agree on the records.
#[test]
fn list_and_get_every_family_in_every_format() {
    let sim = Sim::start();
    let env = admin(&sim);
    let mut failed = Vec::new();
    for f in zdkit_catalog::FAMILIES
        .iter()
        .filter(|f| f.ops.list && f.parent.is_none() && !f.name.is_empty())
    {
        let mut fail = |what: String| failed.push(format!("{}: {what}", f.name));
        let list = |format: &str| run(&env, &["list", f.name, "--format", format, "--limit", "3"]);
        let r = list("jsonl");
        if r.code != 0 {
            fail(format!("list jsonl: exit {}: {}", r.code, r.stderr));
            continue;
        }
        let records = jsonl(&r.stdout);
        if records.is_empty() && f.name != "job_statuses" {
            fail("list jsonl: no record".into());
            continue;
        }
        let r = list("json");
        match serde_json::from_str::<Value>(&r.stdout) {
            Ok(Value::Array(a)) if r.code == 0 && a == records => {}
            _ => fail(format!("list json: exit {}: {}", r.code, r.stdout)),
        }
        for format in ["table", "csv"] {
            let r = list(format);
            let lines = r.stdout.lines().count();
            if r.code != 0 || lines != records.len() + 1 {
                fail(format!(
                    "list {format}: exit {}, {lines} lines: {}",
                    r.code, r.stdout
                ));
            }
        }
        let Some(first) = records.first().filter(|_| f.ops.show) else {
            continue;
        };
        let id = match &first["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let get = |format: &str| run(&env, &["get", f.name, &id, "--format", format]);
        let r = get("jsonl");
        let got = if r.code == 0 {
            jsonl(&r.stdout)
        } else {
            Vec::new()
        };
        if got.len() != 1 || got[0]["id"] != first["id"] {
            fail(format!(
                "get {id} jsonl: exit {}: {}{}",
                r.code, r.stdout, r.stderr
            ));
            continue;
        }
        let r = get("json");
        match serde_json::from_str::<Value>(&r.stdout) {
            Ok(Value::Array(a)) if r.code == 0 && a == got => {}
            _ => fail(format!("get json: exit {}: {}", r.code, r.stdout)),
        }
        for format in ["table", "csv"] {
            let r = get(format);
            let lines = r.stdout.lines().count();
            if r.code != 0 || lines != 2 || !r.stdout.contains(id.as_str()) {
                fail(format!(
                    "get {format}: exit {}, {lines} lines: {}",
                    r.code, r.stdout
                ));
            }
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn list_and_get_every_output_format_on_a_catalogue_family() {
    let sim = Sim::start();
    let env = admin(&sim);
    let all = run(&env, &["list", "macros", "--format", "jsonl"]);
    all.expect(0);
    let macros = jsonl(&all.stdout);
    assert!(macros.len() > 5);

    let r = run(
        &env,
        &["list", "macros", "--format", "json", "--limit", "4"],
    );
    r.expect(0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v.as_array().unwrap(), &macros[..4]);

    // Default columns: id and the naming fields the records have.
    let r = run(
        &env,
        &["list", "macros", "--format", "table", "--limit", "3"],
    );
    r.expect(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    assert!(
        lines[0].starts_with("id") && lines[0].contains("title"),
        "{}",
        lines[0]
    );
    let title = macros[0]["title"].as_str().unwrap();
    assert!(lines[1].contains(title), "{}", r.stdout);

    let r = run(
        &env,
        &[
            "list",
            "macros",
            "--format",
            "csv",
            "--columns",
            "id,title,active",
            "--limit",
            "2",
        ],
    );
    r.expect(0);
    let rows: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(rows[0], "id,title,active");
    assert!(
        rows[1].starts_with(&format!("{},", macros[0]["id"])),
        "{}",
        r.stdout
    );
    assert_eq!(rows.len(), 3);

    let r = run(
        &env,
        &[
            "list",
            "macros",
            "--format",
            "table",
            "--columns",
            "id,actions.0.field",
            "--limit",
            "1",
        ],
    );
    r.expect(0);
    assert!(
        r.stdout.lines().next().unwrap().contains("actions.0.field"),
        "{}",
        r.stdout
    );

    // Piped output defaults to JSON lines; get takes several ids.
    let id0 = macros[0]["id"].to_string();
    let id1 = macros[1]["id"].to_string();
    let r = run(&env, &["get", "macros", &id0, &id1]);
    r.expect(0);
    assert_eq!(jsonl(&r.stdout), &macros[..2]);
    let r = run(
        &env,
        &[
            "get",
            "macro",
            &id0,
            "--format",
            "csv",
            "--columns",
            "id,title",
        ],
    );
    r.expect(0);
    assert_eq!(r.stdout.lines().count(), 2);
    run(&env, &["get", "macros", "999999"]).expect(4);
    run(&env, &["get", "macros", "1/../2"]).expect(2);
    // Offset-only sorts page by offset; a family answered in one response lists whole.
    let r = run(
        &env,
        &["list", "macros", "--sort", "-position", "--format", "jsonl"],
    );
    r.expect(0);
    assert_eq!(jsonl(&r.stdout).len(), macros.len());
    let r = run(&env, &["list", "sla_policies", "--format", "jsonl"]);
    r.expect(0);
    assert!(!r.stdout.is_empty());
}

#[test]
fn search_stops_at_the_cap_and_export_goes_beyond() {
    let mut config = zdkit_sim::SimConfig::with_tickets(1_050);
    config.quirks.archive_after_days = 0;
    config.quirks.search_lag_secs = 0;
    let sim = Sim::with(config);
    let env = admin(&sim);
    let r = run(&env, &["search", "type:ticket", "--format", "jsonl"]);
    r.expect(1);
    assert_eq!(r.stdout.lines().count(), 1000);
    assert!(r.stderr.contains("1000-result cap"), "{}", r.stderr);
    assert!(r.stderr.contains("--export"), "{}", r.stderr);
    let r = run(
        &env,
        &["search", "status:open", "--export", "--format", "jsonl"],
    );
    r.expect(0);
    let hits = jsonl(&r.stdout);
    assert!(!hits.is_empty());
    assert!(hits
        .iter()
        .all(|h| h["status"] == "open" && h["result_type"] == "ticket"));
    let r = run(
        &env,
        &["search", "type:ticket", "--export", "--format", "jsonl"],
    );
    r.expect(0);
    // Beyond the cap: every ticket search finds (deleted ones are not searchable).
    assert!(
        r.stdout.lines().count() > 1000,
        "{}",
        r.stdout.lines().count()
    );
    let r = run(
        &env,
        &[
            "search",
            "type:user",
            "--limit",
            "3",
            "--format",
            "csv",
            "--columns",
            "id,result_type",
        ],
    );
    r.expect(0);
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>()[1..]
            .iter()
            .filter(|l| l.ends_with(",user"))
            .count(),
        3
    );
}

#[test]
fn tickets_tag_and_untag_change_only_the_named_tags() {
    let sim = Sim::start();
    let env = admin(&sim);
    let before = jsonl(&run(&env, &["get", "tickets", "5"]).stdout)[0]["tags"].clone();
    // Without a terminal nothing is sent unless --yes.
    let r = run(&env, &["tickets", "tag", "5", "6", "vip", "urgent"]);
    r.expect(2);
    assert!(r.stderr.contains("--yes"), "{}", r.stderr);
    let r = run(
        &env,
        &["tickets", "tag", "5", "6", "vip", "urgent", "--yes"],
    );
    r.expect(0);
    assert!(
        r.stderr.contains(&sim.url) || r.stderr.contains("127.0.0.1"),
        "names the account: {}",
        r.stderr
    );
    let rows = jsonl(&r.stdout);
    assert_eq!(rows.len(), 2);
    // Piped: each ticket's tags as a JSON array, the same as the ticket shows them.
    let listed: Vec<&str> = rows[0]["tags"]
        .as_array()
        .unwrap_or_else(|| panic!("tags are an array: {}", rows[0]))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        listed.contains(&"vip") && listed.contains(&"urgent"),
        "{listed:?}"
    );
    let r = run(
        &env,
        &["tickets", "tag", "6", "vip", "--yes", "--format", "table"],
    );
    r.expect(0);
    let row = r.stdout.lines().nth(1).unwrap_or_default();
    assert!(
        row.contains("vip") && row.contains("urgent"),
        "{}",
        r.stdout
    );
    assert!(
        !row.contains('[') && !row.contains('"'),
        "a table shows words: {}",
        r.stdout
    );
    let t = &jsonl(&run(&env, &["get", "tickets", "5"]).stdout)[0];
    let tags: Vec<&str> = t["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(tags.contains(&"vip") && tags.contains(&"urgent"));
    for old in before.as_array().unwrap() {
        assert!(tags.contains(&old.as_str().unwrap()), "kept {old}");
    }
    run(&env, &["tickets", "untag", "5", "vip", "--yes"]).expect(0);
    let t = &jsonl(&run(&env, &["get", "tickets", "5"]).stdout)[0];
    let tags: Vec<&str> = t["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        !tags.contains(&"vip") && tags.contains(&"urgent"),
        "{tags:?}"
    );
    run(&env, &["tickets", "tag", "vip", "--yes"]).expect(2);
}

#[test]
fn macros_apply_shows_the_change_and_sends_it_only_with_apply() {
    let sim = Sim::start();
    let env = admin(&sim);
    let macros = jsonl(&run(&env, &["list", "macros", "--format", "jsonl"]).stdout);
    let solve = macros
        .iter()
        .find(|m| {
            m["actions"].as_array().is_some_and(|a| {
                a.iter()
                    .any(|x| x["field"] == "status" && x["value"] == "solved")
            })
        })
        .expect("a seeded macro that solves");
    let tickets = jsonl(&run(&env, &["list", "tickets", "--format", "jsonl"]).stdout);
    let open = tickets
        .iter()
        .find(|t| t["status"] == "open")
        .expect("an open ticket");
    let (mid, tid) = (solve["id"].to_string(), open["id"].to_string());
    let r = run(&env, &["macros", "apply", &mid, "--ticket", &tid]);
    r.expect(0);
    let rows = jsonl(&r.stdout);
    assert!(
        rows.iter()
            .any(|r| r["field"] == "status" && r["before"] == "open" && r["after"] == "solved"),
        "{rows:?}"
    );
    assert!(r.stderr.contains("nothing sent"), "{}", r.stderr);
    let t = &jsonl(&run(&env, &["get", "tickets", &tid]).stdout)[0];
    assert_eq!(t["status"], "open", "nothing was saved");
    run(
        &env,
        &["macros", "apply", &mid, "--ticket", &tid, "--apply"],
    )
    .expect(2);
    let r = run(
        &env,
        &[
            "macros", "apply", &mid, "--ticket", &tid, "--apply", "--yes",
        ],
    );
    r.expect(0);
    assert!(r.stderr.contains("applied macro"), "{}", r.stderr);
    let t = &jsonl(&run(&env, &["get", "tickets", &tid]).stdout)[0];
    assert_eq!(t["status"], "solved");
    run(&env, &["macros", "apply", "999999", "--ticket", &tid]).expect(4);
}

#[test]
fn list_jsonl_passes_records_through_byte_for_byte() {
    use super::hostile::{env_for, Hostile};
    use zdkit_sim::hostile::Reply;
    let h = Hostile::new();
    let server = h.server();
    // Unknown fields, a u64 beyond i64, a number spelling a parse would change (2.50),
    // escapes kept as sent.
    let r1 = r#"{"id":12345678901234567890,"subject":"big \u001b[2J","x_unknown":{"n":[1,2.50,-0.0,"\u00e9\n"]}}"#;
    let r2 = r#"{"id":2,"via":{"channel":"web"},"zz":null}"#;
    let next = format!("{}/api/v2/tickets.json?page%5Bafter%5D=c1", server.url());
    let page1 = format!(
        r#"{{"tickets":[{r1},{r2}],"meta":{{"has_more":true,"after_cursor":"c1"}},"links":{{"next":"{next}"}}}}"#
    );
    // A pretty-printed page: a record's whitespace newlines must not split its line.
    let page2 = "{\n  \"tickets\": [\n    {\n      \"id\": 3,\n      \"big\": 98765432109876543210\n    }\n  ],\n  \"meta\": {\"has_more\": false, \"after_cursor\": null},\n  \"links\": {\"next\": null}\n}\n";
    let page1_body = page1.clone();
    server.handler(move |req| {
        let body = if req.path_and_query().contains("c1") {
            page2.to_owned()
        } else {
            page1_body.clone()
        };
        Reply::status(200)
            .header("Content-Type", "application/json")
            .body(body)
    });
    let r = run(&env_for(&server), &["list", "tickets", "--format", "jsonl"]);
    r.expect(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert_eq!(lines[0], r1);
    assert_eq!(lines[1], r2);
    let third: Value = serde_json::from_str(lines[2]).unwrap();
    assert_eq!(third["id"], 3);
    assert!(
        lines[2].contains("\"big\": 98765432109876543210"),
        "{}",
        lines[2]
    );

    let r = run(
        &env_for(&server),
        &["list", "tickets", "--format", "json", "--limit", "2"],
    );
    r.expect(0);
    assert_eq!(r.stdout, format!("[\n{r1},\n{r2}\n]\n"));
}
