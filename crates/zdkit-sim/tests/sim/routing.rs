//! No literal path is answered by an `{id}` route: every literal GET path of the OAS and
//! of the catalogue is either served or answered `InvalidEndpoint`, never `RecordNotFound`
//! (which would tell a client that a record is missing).

use crate::support::*;

const OAS_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/zendesk-oas/support-api-oas.yaml"
);

fn literal_paths() -> Vec<String> {
    let text = std::fs::read_to_string(OAS_PATH).expect("the OAS file (shared/ beside the repo)");
    let root: serde_yaml::Value = serde_yaml::from_str(&text).expect("the OAS parses");
    let mut out: Vec<String> = root["paths"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, item)| item.get("get").is_some())
        .filter_map(|(k, _)| k.as_str())
        .filter(|p| p.starts_with("/api/v2/") && !p.contains('{'))
        .map(str::to_string)
        .collect();
    for f in zdkit_catalog::FAMILIES {
        for (m, p) in f.endpoints() {
            if m == zdkit_catalog::Method::Get && !p.contains('{') {
                out.push(format!("/api/v2/{p}"));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[tokio::test]
async fn no_literal_path_is_answered_as_a_missing_record() {
    let sim = start(200).await;
    let paths = literal_paths();
    assert!(paths.len() > 120, "{} literal paths", paths.len());
    let mut shadowed = Vec::new();
    for p in &paths {
        let r = sim.get(p).await;
        if r.body["error"] == "RecordNotFound" {
            shadowed.push(p.clone());
        }
    }
    assert!(
        shadowed.is_empty(),
        "{} literal paths answered RecordNotFound:\n{}",
        shadowed.len(),
        shadowed.join("\n")
    );
}

#[tokio::test]
async fn served_literal_paths_answer_their_own_shape() {
    let sim = start(200).await;
    for (path, key) in [
        ("/api/v2/users/count", "count"),
        ("/api/v2/organizations/count", "count"),
        ("/api/v2/groups/count", "count"),
        ("/api/v2/ticket_fields/count", "count"),
        ("/api/v2/organizations/show_many?ids=1,2", "organizations"),
        (
            "/api/v2/organizations/search?external_id=org-3",
            "organizations",
        ),
        (
            "/api/v2/organizations/autocomplete?name=ac",
            "organizations",
        ),
        ("/api/v2/users/autocomplete?name=agent", "users"),
        ("/api/v2/users/12/related", "user_related"),
        ("/api/v2/groups/assignable", "groups"),
        ("/api/v2/group_memberships/assignable", "group_memberships"),
    ] {
        let r = sim.get(path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert!(r.body.get(key).is_some(), "{path}: {}", r.text);
    }
    let r = sim
        .get("/api/v2/organizations/search?external_id=org-3")
        .await;
    assert_eq!(r.body["organizations"][0]["id"], 3);
    // A bogus literal is an unknown endpoint; a missing numeric id is a missing record.
    assert_error(
        &sim.get("/api/v2/users/bogus").await,
        404,
        "InvalidEndpoint",
    );
    assert_error(
        &sim.get("/api/v2/users/99999999").await,
        404,
        "RecordNotFound",
    );
}
