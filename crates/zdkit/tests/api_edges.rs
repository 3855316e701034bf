//! Edge cases of the typed API against small scripted servers (axum): things the
//! simulator never does — a cursor that does not advance, an empty last page after
//! `has_more: true`, values and fields a future Zendesk may add.

use futures_util::TryStreamExt;
use serde_json::{json, Value};
use zdkit::models::{TicketId, TicketStatus, TicketUpdate};
use zdkit::{Client, ManualClock, Timestamp};

const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_040);

async fn serve(app: axum::Router) -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Client::builder()
        .base_url(url)
        .clock(ManualClock::auto_advancing(T0).shared())
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_export_whose_cursor_does_not_advance_errors_instead_of_looping() {
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/api/v2/incremental/tickets/cursor",
        get(|| async {
            axum::Json(json!({"tickets": [{"id": 1, "generated_timestamp": 5}],
                "after_cursor": "same", "end_of_stream": false}))
        }),
    );
    let c = serve(app).await;
    let mut s = c.incremental().tickets().start_time(0).stream_pages();
    assert!(s.try_next().await.unwrap().is_some(), "first page");
    let e = s.try_next().await.unwrap_err();
    assert!(matches!(e, zdkit::Error::Incomplete(_)), "{e}");
    assert!(e.to_string().contains("same"), "{e}");
}

#[tokio::test]
async fn a_time_export_whose_end_time_does_not_advance_errors() {
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/api/v2/incremental/organizations",
        get(|| async {
            axum::Json(json!({"organizations": [{"id": 1}], "end_time": 100,
                "count": 1, "end_of_stream": false}))
        }),
    );
    let c = serve(app).await;
    let r: Result<Vec<_>, _> = c
        .incremental()
        .organizations()
        .start_time(100)
        .stream()
        .try_collect()
        .await;
    assert!(matches!(r, Err(zdkit::Error::Incomplete(_))));
}

#[tokio::test]
async fn an_empty_last_page_after_has_more_ends_the_list_normally() {
    use axum::extract::RawQuery;
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/api/v2/tickets",
        get(|RawQuery(q): RawQuery| async move {
            let q = q.unwrap_or_default();
            let body = if q.contains("page%5Bafter%5D=c1") || q.contains("page[after]=c1") {
                json!({"tickets": [], "meta": {"has_more": false, "after_cursor": null},
                    "links": {"next": null}})
            } else {
                // No links.next: the client re-sends its request with page[after].
                json!({"tickets": [{"id": 1}, {"id": 2}],
                    "meta": {"has_more": true, "after_cursor": "c1"}})
            };
            axum::Json(body)
        }),
    );
    let c = serve(app).await;
    let ids: Vec<u64> = c
        .tickets()
        .list()
        .stream()
        .map_ok(|t| t.id.0)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [1, 2]);
    assert_eq!(c.stats().requests, 2);
}

/// A stand-in for a future Zendesk: a ticket with a status and a field zdkit does not
/// know; PUT echoes what it receives.
async fn future_zendesk() -> Client {
    use axum::routing::get;
    let ticket = json!({"ticket": {"id": 5, "status": "escalated", "priority": "p0",
        "subject": "s", "x_new_field": {"nested": [1, 2]}, "requester_id": 7}});
    let app = axum::Router::new().route(
        "/api/v2/tickets/5",
        get(move || {
            let t = ticket.clone();
            async move { axum::Json(t) }
        })
        .put(|axum::Json(body): axum::Json<Value>| async move { axum::Json(body) }),
    );
    serve(app).await
}

#[tokio::test]
async fn unknown_enum_values_and_fields_survive_a_write_round_trip() {
    let c = future_zendesk().await;
    let t = c.tickets().get(TicketId(5)).await.unwrap();
    assert!(t.status.as_ref().is_some_and(TicketStatus::is_unknown));
    assert_eq!(t.extra["x_new_field"], json!({"nested": [1, 2]}));
    // Write back what was read (status and unknown field included) via an update.
    let mut change = TicketUpdate {
        id: Some(t.id),
        status: t.status.clone(),
        ..Default::default()
    };
    change.extra = t.extra.clone();
    let back = c.tickets().update(t.id, &change).await.unwrap().item;
    assert_eq!(back.status.as_ref().map(|s| s.as_str()), Some("escalated"));
    assert_eq!(back.extra["x_new_field"], json!({"nested": [1, 2]}));
    // And the raw model re-encodes to exactly what it decoded.
    let raw = c
        .put("/api/v2/tickets/5")
        .json(&zdkit::models::Wrapped::new("ticket", &t))
        .send()
        .await
        .unwrap();
    let echoed: Value = raw.json().unwrap();
    assert_eq!(echoed["ticket"]["priority"], "p0");
    assert_eq!(echoed["ticket"]["status"], "escalated");
    assert_eq!(echoed["ticket"]["x_new_field"], json!({"nested": [1, 2]}));
}
