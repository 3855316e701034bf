//! Model tests: every fixture decodes and re-encodes to the same JSON value.
//!
//! Fixtures live in `crates/zdkit/tests/fixtures/` (copies of the MIT-licensed go-zendesk
//! and node-zendesk recordings, plus our own in `zdkit/`); see the README there.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use time::macros::datetime;

use super::*;

include!("../../tests/support/export_page.rs");

fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// Decodes `bytes` as `T`, re-encodes it and asserts the JSON value is unchanged.
fn round_trip<T: DeserializeOwned + Serialize>(what: &str, bytes: &[u8]) -> T {
    let model: T = decode(bytes).unwrap_or_else(|e| panic!("{what}: {e} (excerpt: {})", e.excerpt));
    let original: Value = serde_json::from_slice(bytes).expect("fixture is JSON");
    let again = serde_json::to_value(&model).expect("serializes");
    if again != original {
        panic!(
            "{what}: round trip changed the JSON\n{}",
            diff(&original, &again, "$")
        );
    }
    model
}

fn diff(a: &Value, b: &Value, path: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut out = String::new();
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) if p == q => {}
                    (Some(p), Some(q)) => out += &diff(p, q, &format!("{path}.{k}")),
                    (p, q) => out += &format!("{path}.{k}: {p:?} vs {q:?}\n"),
                }
            }
            out
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .filter(|(_, (p, q))| p != q)
            .map(|(i, (p, q))| diff(p, q, &format!("{path}[{i}]")))
            .collect(),
        _ => format!("{path}: {a} vs {b}\n"),
    }
}

fn rt<T: DeserializeOwned + Serialize>(rel: &str) -> T {
    round_trip(rel, &fixture(rel))
}

#[test]
fn models_round_trip_go_zendesk_fixtures() {
    let t: TicketEnvelope = rt("go-zendesk/GET/ticket.json");
    assert_eq!(t.item.id, TicketId(2));
    assert_eq!(t.item.status, Some(TicketStatus::Solved));
    assert_eq!(
        t.item.via.as_ref().and_then(|v| v.channel.clone()),
        Some(ViaChannel::Email)
    );
    assert_eq!(t.item.created_at, Some(datetime!(2019-06-03 02:23:47 UTC)));
    assert_eq!(t.item.ticket_type, None);
    let t: TicketEnvelope = rt("go-zendesk/GET/ticket_custom_field.json");
    assert_eq!(
        t.item.custom_field(TicketFieldId(360005657121)),
        Some(&json!(["list", "of", "values"]))
    );
    assert_eq!(
        t.item.custom_field(TicketFieldId(360005657122)),
        None,
        "null value"
    );
    let _: ListPage<Ticket> = rt("go-zendesk/GET/tickets.json");
    let _: ListPage<Ticket> = rt("go-zendesk/GET/ticket_show_many.json");
    let _: Vec<Ticket> = rt("go-zendesk/ticket_result.json");
    let _: TicketEnvelope = rt("go-zendesk/POST/ticket.json");
    let _: TicketEnvelope = rt("go-zendesk/PUT/ticket.json");

    let a: AuditEnvelope = rt("go-zendesk/GET/ticket_audit.json");
    let events = a.item.events.as_deref().unwrap_or_default();
    assert!(events[0].is_comment());
    assert_eq!(events[1].event_type, Some(AuditEventType::Change));
    assert_eq!(events[1].previous_value, Some(json!("new")));
    let audits: ListPage<Audit> = rt("go-zendesk/GET/ticket_audits.json");
    assert_eq!(audits.info.count, Some(1));
    assert!(!audits.has_more());

    let c: ListPage<Comment> = rt("go-zendesk/GET/ticket_comments.json");
    assert_eq!(c.items.len(), 2);
    assert_eq!(c.after_cursor(), Some("xxx"));

    let f: TicketFieldEnvelope = rt("go-zendesk/GET/ticket_field.json");
    assert_eq!(f.item.field_type, Some(TicketFieldType::Subject));
    let fields: ListPage<TicketField> = rt("go-zendesk/GET/ticket_fields.json");
    let tagger = fields
        .items
        .iter()
        .find(|f| f.field_type == Some(TicketFieldType::Tagger));
    let options = tagger
        .and_then(|f| f.custom_field_options.as_ref())
        .expect("tagger options");
    assert_eq!(options[0].value.as_deref(), Some("opt1"));
    let _: Envelope<TicketField> = rt("go-zendesk/POST/ticket_fields.json");
    let _: Envelope<TicketField> = rt("go-zendesk/PUT/ticket_field.json");

    let u: UserEnvelope = rt("go-zendesk/GET/user.json");
    assert_eq!(u.item.role, Some(UserRole::EndUser));
    assert_eq!(
        u.item.ticket_restriction,
        Some(TicketRestriction::Requested)
    );
    assert_eq!(
        u.item
            .photo
            .as_ref()
            .and_then(|p| p.thumbnails.as_ref())
            .map(Vec::len),
        Some(1)
    );
    let _: ListPage<User> = rt("go-zendesk/GET/users.json");
    let _: UserEnvelope = rt("go-zendesk/POST/users.json");
    let _: UserEnvelope = rt("go-zendesk/PUT/user.json");

    let _: OrganizationEnvelope = rt("go-zendesk/GET/organization.json");
    let _: ListPage<Organization> = rt("go-zendesk/GET/organizations.json");
    let _: OrganizationEnvelope = rt("go-zendesk/POST/organization.json");
    let _: OrganizationEnvelope = rt("go-zendesk/PUT/organization.json");

    let g: GroupEnvelope = rt("go-zendesk/GET/group.json");
    assert_eq!(g.item.deleted, Some(false));
    assert_eq!(g.item.description, None, "absent");
    let _: ListPage<Group> = rt("go-zendesk/GET/groups.json");
    let _: GroupEnvelope = rt("go-zendesk/POST/groups.json");
    let _: GroupEnvelope = rt("go-zendesk/PUT/groups.json");

    let s: ListPage<SearchResult> = rt("go-zendesk/GET/search_ticket.json");
    assert!(matches!(s.items[0], SearchResult::Ticket(_)));
    let s: ListPage<SearchResult> = rt("go-zendesk/GET/search_user.json");
    assert!(s.items.iter().all(|r| matches!(r, SearchResult::User(_))));
    let s: ListPage<SearchResult> = rt("go-zendesk/GET/search_group.json");
    assert!(matches!(s.items[0], SearchResult::Group(_)));
    let n: Count = rt("go-zendesk/GET/search_count_ticket.json");
    assert_eq!(n.value(), Some(10));

    let a: Envelope<Attachment> = {
        // Attachments are not a listed resource; decode the inner object directly.
        let v: Value =
            serde_json::from_slice(&fixture("go-zendesk/GET/attachment.json")).expect("json");
        let inner = serde_json::to_vec(&v["attachment"]).expect("json");
        let att: Attachment = round_trip("attachment", &inner);
        Envelope {
            item: att,
            info: NoInfo,
            sideloads: Sideloads::default(),
        }
    };
    assert_eq!(
        a.item.extra.get("name"),
        Some(&json!("myfile.dat")),
        "unknown field kept"
    );
}

impl Resource for Attachment {
    const SINGULAR: &'static str = "attachment";
    const PLURAL: &'static str = "attachments";
    type Id = Option<AttachmentId>;
    fn id(&self) -> Option<AttachmentId> {
        self.id
    }
}

#[test]
fn models_round_trip_node_zendesk_recordings() {
    let dir = format!("{}/tests/fixtures/node-zendesk", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir).expect("dir").flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let recorded: Value =
            serde_json::from_slice(&std::fs::read(entry.path()).expect("read")).expect("json");
        for (i, interaction) in recorded.as_array().expect("list").iter().enumerate() {
            let body = serde_json::to_vec(&interaction["body"]).expect("json");
            let what = format!(
                "{name}#{i} {} {}",
                interaction["method"], interaction["path"]
            );
            let obj = interaction["body"].as_object().expect("object body");
            if obj.contains_key("error") {
                let e: ErrorBody = round_trip(&what, &body);
                assert_eq!(e.code(), Some("RecordNotFound"), "{what}");
            } else if obj.contains_key("job_status") {
                let j: JobStatusEnvelope = round_trip(&what, &body);
                if j.item.is_finished() {
                    assert!(!j.item.result_list().is_empty(), "{what}");
                    assert_eq!(j.item.failures().count(), 0, "{what}");
                }
            } else if obj.contains_key("organizations") {
                let p: ListPage<Organization> = round_trip(&what, &body);
                assert_eq!(
                    p.items.len() as u64,
                    p.info.count.unwrap_or(p.items.len() as u64),
                    "{what}"
                );
            } else if obj.contains_key("organization") {
                let _: OrganizationEnvelope = round_trip(&what, &body);
            } else {
                panic!("{what}: unexpected body");
            }
            checked += 1;
        }
    }
    assert!(checked >= 45, "only {checked} recordings checked");
}

#[test]
fn models_cursor_walk_follows_links_until_has_more_is_false() {
    let recorded: Value =
        serde_json::from_slice(&fixture("node-zendesk/pagination_test_execute.json"))
            .expect("json");
    let pages: Vec<ListPage<Organization>> = recorded
        .as_array()
        .expect("list")
        .iter()
        .map(|i| serde_json::from_value(i["body"].clone()).expect("page"))
        .collect();
    let (last, rest) = pages.split_last().expect("pages");
    for p in rest {
        assert!(p.has_more());
        assert!(p
            .info
            .links
            .as_ref()
            .and_then(|l| l.next.as_deref())
            .expect("next")
            .contains("page%5Bafter%5D"));
    }
    assert!(!last.has_more());
    assert_eq!(
        last.info.links.as_ref().and_then(|l| l.next.as_deref()),
        None
    );
}

#[test]
fn models_unknown_status_and_unknown_fields_survive_a_round_trip() {
    let env: TicketEnvelope = rt("zdkit/ticket_unknowns.json");
    let t = &env.item;
    assert_eq!(
        t.status,
        Some(TicketStatus::Unknown("archived_v2".to_owned()))
    );
    assert_eq!(
        t.priority,
        Some(TicketPriority::Unknown("critical_v2".to_owned()))
    );
    assert_eq!(t.ticket_type, Some(TicketType::Incident));
    assert_eq!(t.extra["ai_summary"]["confidence"], json!(0.93));
    assert_eq!(t.extra["brand_new_flag"], json!(false));
    let via = t.via.as_ref().expect("via");
    assert_eq!(
        via.channel,
        Some(ViaChannel::Unknown("carrier_pigeon".to_owned()))
    );
    assert_eq!(via.extra["pigeon_id"], json!(42));
    assert_eq!(
        t.satisfaction_rating.as_ref().and_then(|r| r.score.clone()),
        Some(SatisfactionScore::Unknown("meh".to_owned()))
    );
    // A custom field entry without `value` stays without it.
    let cf = &t.custom_fields.as_ref().expect("custom fields")[2];
    assert_eq!(cf.value, None);
    assert_eq!(
        serde_json::to_value(cf).expect("json"),
        json!({"id": 27650})
    );
    // The write response's audit is typed, and an unknown event type is kept whole.
    let audit = env.info.audit.as_ref().expect("audit");
    let events = audit.events.as_ref().expect("events");
    assert_eq!(events[2].value, Some(json!(["a", "b"])));
    assert_eq!(
        events[3].event_type,
        Some(AuditEventType::Unknown("HologramEvent".to_owned()))
    );
    assert_eq!(events[3].extra["projector"], json!("north"));
    // Sideloads: typed users, verbatim custom_statuses.
    assert_eq!(
        env.sideloads
            .user(UserId(20978392))
            .and_then(|u| u.name.as_deref()),
        Some("Jo Doe")
    );
    assert_eq!(
        env.sideloads
            .raw(&SideloadName::CustomStatuses)
            .map(|v| v[0]["id"].clone()),
        Some(json!(123))
    );
    // Re-encoding an Unknown writes the original string.
    assert_eq!(
        serde_json::to_string(&t.status).expect("json"),
        "\"archived_v2\""
    );
}

#[test]
fn models_null_and_absent_fields_round_trip_distinctly() {
    let input = json!({"id": 1, "assignee_id": null, "subject": "s", "due_at": null});
    let t: Ticket = serde_json::from_value(input.clone()).expect("ticket");
    assert_eq!(t.assignee_id, None);
    assert_eq!(t.group_id, None);
    assert_eq!(
        serde_json::to_value(&t).expect("json"),
        input,
        "null stays null, absent stays absent"
    );

    // Setting a field that was null or absent writes it.
    let mut t2 = t.clone();
    t2.assignee_id = Some(UserId(7));
    t2.group_id = Some(GroupId(3));
    let v = serde_json::to_value(&t2).expect("json");
    assert_eq!(v["assignee_id"], json!(7));
    assert_eq!(v["group_id"], json!(3));
    // Clearing a field that was present writes null; clearing an absent one omits it.
    let mut t3 = t.clone();
    t3.subject = None;
    let v = serde_json::to_value(&t3).expect("json");
    assert_eq!(v.get("subject"), Some(&Value::Null));

    // A model built in code writes only what is set (plus the required id).
    let built = Ticket {
        id: TicketId(9),
        status: Some(TicketStatus::Open),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&built).expect("json"),
        json!({"id": 9, "status": "open"})
    );

    // Missing required id is an error that names the field.
    let err = decode::<Ticket>(br#"{"subject": "x"}"#).expect_err("no id");
    assert!(err.message.contains("missing field `id`"), "{err}");
}

#[test]
fn models_timestamps_null_missing_fractional_and_offsets() {
    let t: Ticket = serde_json::from_value(json!({"id": 1, "created_at": null})).expect("null");
    assert_eq!(t.created_at, None);
    assert_eq!(t.updated_at, None);
    let t: Ticket =
        serde_json::from_value(json!({"id": 1, "created_at": "2024-01-02T03:04:05.123Z"}))
            .expect("frac");
    assert_eq!(t.created_at, Some(datetime!(2024-01-02 03:04:05.123 UTC)));
    // Documented: the instant is kept; the shortest fraction is written.
    assert_eq!(
        serde_json::to_value(&t).expect("json")["created_at"],
        json!("2024-01-02T03:04:05.123Z")
    );
    let t: Ticket =
        serde_json::from_value(json!({"id": 1, "created_at": "2024-01-02T03:04:05.120Z"}))
            .expect("frac");
    assert_eq!(
        serde_json::to_value(&t).expect("json")["created_at"],
        json!("2024-01-02T03:04:05.12Z")
    );
    let t: Ticket =
        serde_json::from_value(json!({"id": 1, "created_at": "2024-01-02T04:04:05+01:00"}))
            .expect("offset");
    assert_eq!(t.created_at, Some(datetime!(2024-01-02 03:04:05 UTC)));
    assert_eq!(
        serde_json::to_value(&t).expect("json")["created_at"],
        json!("2024-01-02T03:04:05Z")
    );
    // Fast path and the general parser agree; bad input is an error naming the value.
    for s in [
        "1999-12-31T23:59:59Z",
        "2024-02-29T00:00:00Z",
        "0001-01-01T00:00:00Z",
    ] {
        let fast = timestamp::parse(s).expect("parse");
        let slow = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .expect("parse");
        assert_eq!(fast, slow);
        assert_eq!(timestamp::format(&fast), s);
    }
    for bad in ["2023-02-29T00:00:00Z", "2024-01-02 03:04:05", "yesterday"] {
        let err = decode::<Ticket>(format!(r#"{{"id":1,"updated_at":"{bad}"}}"#).as_bytes())
            .expect_err(bad);
        assert_eq!(err.path, "updated_at");
        assert!(err.message.contains(bad), "{err}");
    }
}

#[test]
fn models_job_status_mixed_results() {
    let j: JobStatusEnvelope = rt("zdkit/job_status_mixed.json");
    let job = &j.item;
    assert_eq!(
        job.id,
        JobStatusId::from("8b726e606741012ffc2d782bcb7848fe")
    );
    assert_eq!(job.status, Some(JobState::Completed));
    assert!(job.is_finished());
    assert_eq!(job.result_list().len(), 5);
    let failed: Vec<u64> = job.failures().filter_map(|r| r.id).collect();
    assert_eq!(failed, vec![245, 247]);
    assert_eq!(
        job.result_list()[1].error.as_deref(),
        Some("TicketUpdateFailed")
    );
    assert_eq!(job.result_list()[2].index, Some(2));
    assert!(
        job.result_list()[2].is_success(),
        "create results have no success flag"
    );
    assert_eq!(job.result_list()[3].extra["retryable"], json!(true));

    let s: JobStatusEnvelope = rt("zdkit/job_status_summary.json");
    assert!(matches!(
        s.item.results,
        Some(JobResults::Summary(JobSummary {
            success: Some(true),
            ..
        }))
    ));
    let u: JobStatusEnvelope = rt("zdkit/job_status_unknown_state.json");
    assert_eq!(
        u.item.status,
        Some(JobState::Unknown("paused_for_maintenance".to_owned()))
    );
    assert!(!u.item.is_finished());
    assert_eq!(u.item.results, None);
}

#[test]
fn models_error_bodies() {
    let e: ErrorBody = rt("zdkit/error_422.json");
    assert_eq!(e.code(), Some("RecordInvalid"));
    assert_eq!(e.message(), Some("Record validation errors"));
    let fields = e.field_errors();
    assert_eq!(fields.values().map(Vec::len).sum::<usize>(), 3);
    assert!(fields["email"]
        .iter()
        .any(|d| d.error.as_deref() == Some("DuplicateValue")));
    assert!(fields["base"]
        .iter()
        .any(|d| d.error.as_deref() == Some("blank")));
    let e: ErrorBody = rt("zdkit/error_jsonapi_400.json");
    assert_eq!(e.code(), Some("InvalidPaginationDepth"));
    assert!(e
        .message()
        .expect("message")
        .starts_with("There are limits"));
    let e: ErrorBody = rt("zdkit/error_403_object.json");
    assert_eq!(e.code(), Some("Forbidden"));
    assert!(e
        .message()
        .expect("message")
        .starts_with("You do not have access"));
}

#[test]
fn models_thousand_ticket_export_page_with_sideloads() {
    let body = export_page_json(1000);
    assert!(body.len() > 1_000_000, "page is {} bytes", body.len());
    let page: IncrementalCursorPage<Ticket> = round_trip("generated export page", body.as_bytes());
    assert_eq!(page.items.len(), 1000);
    assert!(!page.is_end_of_stream());
    assert!(page
        .info
        .after_url
        .as_deref()
        .is_some_and(|u| u.contains("cursor=MTcw")));
    assert_eq!(page.after_cursor(), Some("MTcwNDE2NDY0NS4wfHwzNTQzNnw="));
    assert_eq!(page.info.before_cursor, None);
    assert!(
        !page.info.presence.is_absent(2),
        "before_cursor was null, not absent"
    );
    for t in &page.items {
        let requester = t.requester_id.expect("requester");
        assert!(
            page.sideloads.user(requester).is_some(),
            "user {requester} sideloaded"
        );
        let org = t.organization_id.expect("org");
        assert_eq!(page.sideloads.organization(org).map(|o| o.id), Some(org));
        assert!(page.sideloads.group(t.group_id.expect("group")).is_some());
        assert!(t.status.as_ref().is_some_and(|s| !s.is_unknown()));
    }
    assert_eq!(
        page.items
            .iter()
            .filter(|t| t.extra.contains_key("ai_summary"))
            .count(),
        100
    );
    assert_eq!(page.sideloads.user(UserId(1)), None);
}

#[test]
fn models_ticket_events_and_time_based_pages() {
    let p: IncrementalTimePage<TicketEvent> = rt("zdkit/ticket_events_page.json");
    assert!(p.is_end_of_stream());
    assert!(
        p.info.next_page.is_some(),
        "next_page is present but the stream ended"
    );
    assert_eq!(p.end_time(), Some(1704164700));
    assert_eq!(p.items[1].updater_id, Some(-1));
    assert_eq!(p.items[1].updater(), None, "-1 is the system");
    let first = &p.items[0];
    assert_eq!(first.updater(), Some(UserId(5031726587)));
    assert_eq!(first.via, Some(json!("Web form")));
    let children = first.child_events.as_ref().expect("children");
    assert_eq!(children[0].body.as_deref(), Some("This is a comment"));
    assert_eq!(children[1].field_name.as_deref(), Some("status"));
    assert_eq!(children[2].extra["added_tags"], json!(["vip"]));
    let second = p.items[1].child_events.as_ref().expect("children");
    assert_eq!(second[0].comment_present, Some(true));
    assert_eq!(
        second[1].event_type,
        Some(AuditEventType::Unknown("SlaTargetChange".to_owned()))
    );

    let u: IncrementalTimePage<User> = rt("zdkit/incremental_users_time.json");
    assert_eq!(
        u.items[1].role,
        Some(UserRole::Unknown("light-agent-ish".to_owned()))
    );
    assert_eq!(
        u.sideloads.raw(&SideloadName::OpenTicketCount),
        Some(&json!({"10001": 3}))
    );
}

#[test]
fn models_search_results_and_counts() {
    let s: ListPage<SearchResult> = rt("zdkit/search_mixed.json");
    let kinds: Vec<_> = s
        .items
        .iter()
        .map(|r| r.result_type().unwrap_or("?"))
        .collect();
    assert_eq!(
        kinds,
        ["group", "ticket", "user", "organization", "article"]
    );
    assert!(matches!(s.items[4], SearchResult::Unknown(_)));
    assert_eq!(s.items[4].id(), Some(77));
    assert_eq!(s.info.count, Some(1234));
    assert_eq!(s.info.facets, None);
    assert!(s.has_more());
    let e: ListPage<SearchResult> = rt("zdkit/search_export.json");
    assert!(e
        .info
        .links
        .as_ref()
        .and_then(|l| l.next.as_deref())
        .expect("next")
        .contains("page%5Bafter%5D"));
    let c: Count = rt("zdkit/ticket_count.json");
    assert_eq!(c.value(), Some(102));
    assert!(matches!(
        c.count,
        CountValue::Refreshed(RefreshedCount {
            refreshed_at: Some(_),
            ..
        })
    ));
}

#[test]
fn models_decode_errors_name_the_json_path() {
    let body = br#"{"tickets":[{"id":1},{"id":2,"via":{"channel":7}}],"count":2}"#;
    let err = decode::<ListPage<Ticket>>(body).expect_err("bad channel");
    assert_eq!(err.path, "tickets[1].via.channel");
    assert!(err.message.contains("ViaChannel"), "{err}");
    assert!(err.to_string().contains("tickets[1].via.channel"));
    let err = decode::<ListPage<Ticket>>(br#"{"users":[]}"#).expect_err("no tickets key");
    assert!(err.message.contains("missing field `tickets`"), "{err}");
    let long = format!(r#"{{"ticket":{{"id":"{}"}}}}"#, "é".repeat(300));
    let err = decode::<TicketEnvelope>(long.as_bytes()).expect_err("string id");
    assert_eq!(err.path, "ticket.id");
    assert!(err.excerpt.chars().count() <= EXCERPT_LEN + 1);
    assert!(err.excerpt.starts_with(r#"{"ticket""#));
    let err = decode::<Ticket>(b"not json").expect_err("garbage");
    assert_eq!(err.path, ".");
}

#[test]
fn models_ids_and_string_enums() {
    let id: TicketId = "35436".parse().expect("id");
    assert_eq!(id, TicketId::from(35436));
    assert_eq!(id.to_string(), "35436");
    assert_eq!(u64::from(id), 35436);
    assert!("x".parse::<UserId>().is_err());
    assert_eq!(
        serde_json::to_string(&GroupId(8119246973690)).expect("json"),
        "8119246973690"
    );
    let job: JobStatusId = serde_json::from_str(r#""V3-abc""#).expect("job id");
    assert_eq!(job.as_str(), "V3-abc");
    for s in [
        "new", "open", "pending", "hold", "solved", "closed", "deleted", "Open", "",
    ] {
        let st: TicketStatus = serde_json::from_value(json!(s)).expect("status");
        assert_eq!(st.as_str(), s);
        assert_eq!(serde_json::to_value(&st).expect("json"), json!(s));
        assert_eq!(st.is_unknown(), matches!(s, "Open" | ""));
    }
    assert_eq!(UserRole::from("end-user"), UserRole::EndUser);
    assert_eq!(
        SideloadName::join(&[SideloadName::Users, SideloadName::Custom("slas".into())]),
        "users,slas"
    );
    assert_eq!(
        SideloadName::from("comment_events"),
        SideloadName::CommentEvents
    );
}

#[test]
fn models_write_payloads_send_only_what_is_set() {
    let t = NewTicket::new("Printer on fire", NewComment::text("Smoke!").public(true));
    assert_eq!(
        serde_json::to_value(t.wrapped()).expect("json"),
        json!({"ticket": {"subject": "Printer on fire", "comment": {"body": "Smoke!", "public": true}}})
    );
    let minimal = NewTicket {
        comment: NewComment::text("x"),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&minimal).expect("json"),
        json!({"comment": {"body": "x"}})
    );

    let u = TicketUpdate {
        status: Some(TicketStatus::Solved),
        assignee_id: Some(None),
        due_at: Some(None),
        additional_tags: Some(vec!["vip".into()]),
        ..Default::default()
    }
    .safe(datetime!(2024-01-02 03:04:05 UTC))
    .custom_field(TicketFieldId(27642), json!("745"));
    let v = serde_json::to_value(u.wrapped()).expect("json");
    assert_eq!(
        v,
        json!({"ticket": {"status": "solved", "assignee_id": null, "due_at": null,
            "additional_tags": ["vip"], "custom_fields": [{"id": 27642, "value": "745"}],
            "safe_update": true, "updated_stamp": "2024-01-02T03:04:05Z"}})
    );
    // The simulator can read payloads back, including explicit nulls.
    let back: TicketUpdate = serde_json::from_value(v["ticket"].clone()).expect("decode");
    assert_eq!(back.assignee_id, Some(None));
    assert_eq!(back.due_at, Some(None));
    assert_eq!(back.group_id, None);
    assert_eq!(
        serde_json::to_value(&back).expect("json"),
        serde_json::to_value(&u).expect("json")
    );

    let user = NewUser::new("Jo", "jo@example.com");
    assert_eq!(
        serde_json::to_value(user.wrapped()).expect("json"),
        json!({"user": {"name": "Jo", "email": "jo@example.com"}})
    );
    let upd = UserUpdate {
        phone: Some(None),
        role: Some(UserRole::Agent),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&upd).expect("json"),
        json!({"phone": null, "role": "agent"})
    );
}

#[test]
fn models_sideloads_null_list_and_stale_index() {
    let body = br#"{"tickets":[],"users":null,"groups":[{"id":1,"name":"a"}]}"#;
    let mut p: ListPage<Ticket> = round_trip("null sideload", body);
    assert_eq!(p.sideloads.users, None);
    assert_eq!(p.sideloads.extra.get("users"), Some(&Value::Null));
    assert!(p.sideloads.group(GroupId(1)).is_some());
    // Modify the list after the index was built: lookups stay correct.
    p.sideloads.groups = Some(vec![Group {
        id: GroupId(2),
        ..Default::default()
    }]);
    assert!(p.sideloads.group(GroupId(1)).is_none());
    p.sideloads.reset_index();
    assert!(p.sideloads.group(GroupId(2)).is_some());
}

proptest::proptest! {
    #[test]
    fn models_timestamp_format_parse_round_trip(secs in -62_135_596_800i64..253_402_300_799i64, nanos in 0u32..1_000_000_000, whole in proptest::bool::ANY) {
        let nanos = if whole { 0 } else { nanos };
        let t = time::OffsetDateTime::from_unix_timestamp(secs).expect("in range")
            + time::Duration::nanoseconds(i64::from(nanos));
        let text = timestamp::format(&t);
        proptest::prop_assert_eq!(timestamp::parse(&text).expect("parses"), t);
        let json = serde_json::to_string(&timestamp::Timestamp(&t)).expect("json");
        proptest::prop_assert_eq!(&json[1..json.len() - 1], text.as_str());
        proptest::prop_assert_eq!(text.len() == 20, nanos == 0);
    }
}
