//! Every typed family against the in-process simulator: its typed list (one page, every
//! page, every item), show, and a write; then what is special about each family.

mod common;

use futures_util::TryStreamExt;
use serde_json::{json, Value};
use zdkit::models::*;
use zdkit::resources::{Bulk, Collection, Record};
use zdkit::{Client, Credentials, ManualClock, SharedClock};
use zdkit_sim::{SimConfig, SimState};

async fn sim() -> Client {
    let clock: SharedClock = ManualClock::auto_advancing(common::T0).shared();
    let state = SimState::new(SimConfig {
        clock: Some(clock.clone()),
        tickets: 60,
        users: 40,
        organizations: 8,
        ..SimConfig::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(zdkit_sim::serve(listener, state));
    Client::builder()
        .base_url(&url)
        .credentials(Credentials::api_token("admin@example.com", "zd-sim-token"))
        .clock(clock)
        .build()
        .unwrap()
}

/// List three ways (first page, pages, items) and show the first record; returns the
/// records.
async fn read<T: Record>(c: &Collection<T>) -> Vec<T>
where
    T::Id: std::fmt::Display + PartialEq + std::fmt::Debug,
{
    let name = c.family().name;
    let first = c
        .list()
        .page_size(5)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let all: Vec<T> = c.list().page_size(5).stream().try_collect().await.unwrap();
    let pages: Vec<ListPage<T>> = c.list().page_size(5).pages().try_collect().await.unwrap();
    assert!(!all.is_empty(), "{name}: the simulator seeds records");
    assert_eq!(
        pages.iter().map(|p| p.items.len()).sum::<usize>(),
        all.len(),
        "{name}"
    );
    assert_eq!(first.items[0].id(), all[0].id(), "{name}");
    if c.family().ops.show {
        let one = c
            .get(all[0].id())
            .await
            .unwrap_or_else(|e| panic!("{name} get: {e}"));
        assert_eq!(one.id(), all[0].id(), "{name}");
    }
    all
}

/// Create, update, show the update, delete (where the family has them).
async fn write<T: Record>(c: &Collection<T>, new: Value, change: Value, check: &str)
where
    T::Id: std::fmt::Display + PartialEq + std::fmt::Debug,
{
    let name = c.family().name;
    let made = c
        .create(&new)
        .await
        .unwrap_or_else(|e| panic!("{name} create: {e}"));
    let v = serde_json::to_value(&made).unwrap();
    if c.family().ops.update {
        let updated = c
            .update(made.id(), &change)
            .await
            .unwrap_or_else(|e| panic!("{name} update: {e}"));
        let u = serde_json::to_value(&updated).unwrap();
        assert_eq!(u[check], change[check], "{name}: {u}");
        let again = serde_json::to_value(c.get(made.id()).await.unwrap()).unwrap();
        assert_eq!(again[check], change[check], "{name}");
    } else {
        assert_eq!(v[check], new[check], "{name}: {v}");
    }
    if c.family().ops.delete {
        c.delete(made.id())
            .await
            .unwrap_or_else(|e| panic!("{name} delete: {e}"));
        let e = c.get(made.id()).await.unwrap_err();
        assert_eq!(
            e.api().map(|a| a.kind.clone()),
            Some(zdkit::ErrorKind::NotFound),
            "{name}"
        );
    }
}

#[tokio::test]
async fn rules_families_list_show_and_write() {
    let cl = sim().await;
    read(&cl.macros()).await;
    let actions = json!([{"field": "status", "value": "solved"}]);
    write(
        &cl.macros(),
        json!({"title": "M", "actions": actions}),
        json!({"title": "M2"}),
        "title",
    )
    .await;
    read(&cl.triggers()).await;
    let cond = json!({"all": [{"field": "status", "operator": "is", "value": "new"}], "any": []});
    write(
        &cl.triggers(),
        json!({"title": "T", "conditions": cond, "actions": actions}),
        json!({"title": "T2"}),
        "title",
    )
    .await;
    read(&cl.trigger_categories()).await;
    write(
        &cl.trigger_categories(),
        json!({"name": "C"}),
        json!({"name": "C2"}),
        "name",
    )
    .await;
    read(&cl.automations()).await;
    write(
        &cl.automations(),
        json!({"title": "A", "conditions": cond, "actions": actions}),
        json!({"active": false}),
        "active",
    )
    .await;
    read(&cl.views()).await;
    write(
        &cl.views(),
        json!({"title": "V", "all": cond["all"]}),
        json!({"title": "V2"}),
        "title",
    )
    .await;
    read(&cl.sla_policies()).await;
    write(
        &cl.sla_policies(),
        json!({"title": "S", "filter": cond}),
        json!({"title": "S2"}),
        "title",
    )
    .await;
}

#[tokio::test]
async fn account_families_list_show_and_write() {
    let cl = sim().await;
    read(&cl.ticket_forms()).await;
    write(
        &cl.ticket_forms(),
        json!({"name": "F"}),
        json!({"name": "F2"}),
        "name",
    )
    .await;
    read(&cl.brands()).await;
    write(
        &cl.brands(),
        json!({"name": "B", "subdomain": "bee"}),
        json!({"name": "B2"}),
        "name",
    )
    .await;
    read(&cl.custom_statuses()).await;
    write(
        &cl.custom_statuses(),
        json!({"status_category": "open", "agent_label": "L"}),
        json!({"agent_label": "L2"}),
        "agent_label",
    )
    .await;
    read(&cl.custom_roles()).await;
    write(
        &cl.custom_roles(),
        json!({"name": "R"}),
        json!({"name": "R2"}),
        "name",
    )
    .await;
    let locales = read(&cl.locales()).await;
    assert!(locales.iter().any(|l| l.locale.is_some()));
    read(&cl.user_fields()).await;
    write(
        &cl.user_fields(),
        json!({"type": "text", "title": "U", "key": "uf_new"}),
        json!({"title": "U2"}),
        "title",
    )
    .await;
    read(&cl.organization_fields()).await;
    write(
        &cl.organization_fields(),
        json!({"type": "text", "title": "O", "key": "of_new"}),
        json!({"title": "O2"}),
        "title",
    )
    .await;
    read(&cl.webhooks()).await;
    let hook = json!({"name": "W", "endpoint": "https://example.test/h", "http_method": "POST",
        "request_format": "json", "status": "active", "subscriptions": ["conditional_ticket_events"]});
    write(&cl.webhooks(), hook, json!({"name": "W2"}), "name").await;
}

#[tokio::test]
async fn membership_and_record_families_list_show_and_write() {
    let cl = sim().await;
    let gms = read(&cl.group_memberships()).await;
    let g = gms[0].group_id.unwrap();
    let agents: Vec<User> = cl
        .users()
        .list()
        .filter("role", "agent")
        .stream()
        .try_collect()
        .await
        .unwrap();
    let free = agents
        .iter()
        .find(|u| {
            !gms.iter()
                .any(|m| m.user_id == Some(u.id) && m.group_id == Some(g))
        })
        .expect("an agent outside the group");
    write(
        &cl.group_memberships(),
        json!({"user_id": free.id, "group_id": g}),
        json!({}),
        "group_id",
    )
    .await;
    let oms = read(&cl.organization_memberships()).await;
    let o = OrganizationId(8);
    let user = (2..40u64)
        .map(UserId)
        .find(|u| {
            !oms.iter()
                .any(|m| m.user_id == Some(*u) && m.organization_id == Some(o))
        })
        .unwrap();
    write(
        &cl.organization_memberships(),
        json!({"user_id": user, "organization_id": o}),
        json!({}),
        "organization_id",
    )
    .await;
    let ids = cl.users().identities(UserId(3));
    read(&ids).await;
    write(
        &ids,
        json!({"type": "email", "value": "new3@example.test"}),
        json!({"verified": true}),
        "verified",
    )
    .await;
    read(&cl.satisfaction_ratings()).await;
    read(&cl.ticket_metrics()).await;
    read(&cl.activities()).await;
    read(&cl.ticket_audits()).await;
    read(&cl.ticket_metric_events()).await;
    read(&cl.tags()).await;
    read(&cl.groups()).await;
    read(&cl.ticket_fields()).await;
    read(&cl.organizations()).await;
}

#[tokio::test]
async fn channel_content_and_settings_families_list_show_and_write() {
    let cl = sim().await;
    let reasons = read(&cl.satisfaction_reasons()).await;
    assert!(reasons.iter().all(|r| r.value.is_some()));
    let items = read(&cl.dynamic_content_items()).await;
    assert!(items[0].variants.as_ref().is_some_and(|v| !v.is_empty()));
    write(
        &cl.dynamic_content_items(),
        json!({"name": "Promo", "default_locale_id": 1,
            "variants": [{"locale_id": 1, "default": true, "content": "Sale"}]}),
        json!({"name": "Promo2"}),
        "name",
    )
    .await;
    let addrs = read(&cl.recipient_addresses()).await;
    assert!(addrs.iter().all(|a| a
        .forwarding_status
        .as_ref()
        .is_some_and(|s| !s.is_unknown())));
    write(
        &cl.recipient_addresses(),
        json!({"email": "sales@acme.example.com", "name": "Sales"}),
        json!({"name": "Sales team"}),
        "name",
    )
    .await;
    let shares = read(&cl.sharing_agreements()).await;
    assert!(shares.iter().all(|a| a.direction.is_some()));
    write(
        &cl.sharing_agreements(),
        json!({"remote_subdomain": "partner9", "name": "P9"}),
        json!({"name": "P9b"}),
        "name",
    )
    .await;
    let targets = read(&cl.targets()).await;
    assert_eq!(targets[0].target_type, Some(TargetType::Email));
    write(
        &cl.targets(),
        json!({"type": "email_target", "title": "Ops", "email": "ops@example.test",
            "subject": "Ticket"}),
        json!({"title": "Ops2"}),
        "title",
    )
    .await;
    let numbers = read(&cl.phone_numbers()).await;
    assert!(numbers[0]
        .capabilities
        .as_ref()
        .is_some_and(|c| c.voice == Some(true)));
    write(
        &cl.phone_numbers(),
        json!({"token": "abc123"}),
        json!({"nickname": "Main line"}),
        "nickname",
    )
    .await;
    let schedules = read(&cl.schedules()).await;
    let first = &schedules[0].intervals.as_ref().unwrap()[0];
    assert_eq!(first.day_and_minutes(), Some((1, 540, 1020)));
    write(
        &cl.schedules(),
        json!({"name": "Night shift", "time_zone": "London"}),
        json!({"name": "Night"}),
        "name",
    )
    .await;
    let policies = read(&cl.group_sla_policies()).await;
    assert_eq!(policies[0].id.as_str().len(), 26, "ULID-like string ids");
    write(
        &cl.group_sla_policies(),
        json!({"title": "G", "filter": {"all": []},
            "policy_metrics": [{"priority": "low", "metric": "group_ownership_time", "target": 60}]}),
        json!({"title": "G2"}),
        "title",
    )
    .await;
}

#[tokio::test]
async fn the_generic_handler_reads_every_listable_family_as_json() {
    let cl = sim().await;
    for f in zdkit::catalog::FAMILIES
        .iter()
        .filter(|f| f.ops.list && f.parent.is_none())
    {
        let c = cl.family(f.name).unwrap();
        let page = c
            .list()
            .page_size(3)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", f.name));
        if f.name == "job_statuses" {
            continue;
        }
        assert!(!page.items.is_empty(), "{}", f.name);
        if f.ops.show {
            let id = match &page.items[0]["id"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let one = c
                .get(&id)
                .await
                .unwrap_or_else(|e| panic!("{} {id}: {e}", f.name));
            assert_eq!(one["id"], page.items[0]["id"], "{}", f.name);
        }
    }
}

#[tokio::test]
async fn macros_apply_and_views_count_tickets_execute() {
    let cl = sim().await;
    let m = cl
        .macros()
        .create(
            &json!({"title": "Solve", "actions": [{"field": "status", "value": "solved"},
            {"field": "comment_value", "value": "Done."}]}),
        )
        .await
        .unwrap();
    let r = cl.macros().apply(m.id).await.unwrap();
    assert_eq!(r.ticket.as_ref().unwrap()["status"], "solved");
    let all: Vec<Ticket> = cl.tickets().list().stream().try_collect().await.unwrap();
    let open = all
        .iter()
        .find(|t| matches!(t.status, Some(TicketStatus::Open | TicketStatus::New)))
        .unwrap()
        .id;
    let r = cl.macros().apply_to_ticket(m.id, open).await.unwrap();
    let update = r.to_update().unwrap();
    assert_eq!(update.status, Some(TicketStatus::Solved));
    let before = cl.tickets().get(open).await.unwrap().status;
    assert!(
        before.is_some_and(|s| s != TicketStatus::Solved),
        "nothing saved"
    );
    cl.tickets().update(open, &update).await.unwrap();
    assert_eq!(
        cl.tickets().get(open).await.unwrap().status,
        Some(TicketStatus::Solved)
    );

    let solved = json!({"field": "status", "operator": "is", "value": "solved"});
    let v = cl
        .views()
        // Zendesk takes `all`/`any` on create and answers `conditions`; the simulator
        // stores the body as given, so send both.
        .create(&json!({"title": "Solved", "all": [solved], "conditions": {"all": [solved], "any": []}}))
        .await
        .unwrap();
    let n = cl.views().ticket_count(v.id).await.unwrap();
    let tickets: Vec<Ticket> = cl
        .views()
        .tickets(v.id)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(n.value, Some(tickets.len() as u64));
    assert!(tickets
        .iter()
        .all(|t| t.status == Some(TicketStatus::Solved)));
    assert!(tickets.iter().any(|t| t.id == open));
    let rows: Vec<ViewRow> = cl
        .views()
        .execute(v.id)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), tickets.len());
}

#[tokio::test]
async fn tags_on_tickets_users_and_organizations() {
    let cl = sim().await;
    let tags = cl.tags();
    let now = tags.set(TicketId(2), &["a", "b"]).await.unwrap();
    assert_eq!(now, ["a", "b"]);
    assert_eq!(
        tags.add(TicketId(2), &["c"]).await.unwrap(),
        ["a", "b", "c"]
    );
    tags.remove(TicketId(2), &["a"]).await.unwrap();
    assert_eq!(tags.of(TicketId(2)).await.unwrap(), ["b", "c"]);
    assert!(tags
        .add(UserId(4), &["vip"])
        .await
        .unwrap()
        .contains(&"vip".to_string()));
    assert!(tags
        .of(UserId(4))
        .await
        .unwrap()
        .contains(&"vip".to_string()));
    tags.set(OrganizationId(2), &["gold"]).await.unwrap();
    assert_eq!(tags.of(OrganizationId(2)).await.unwrap(), ["gold"]);
}

#[tokio::test]
async fn organizations_users_webhooks_and_ratings_specials() {
    let cl = sim().await;
    let orgs = cl.organizations();
    let two = orgs
        .show_many(&[OrganizationId(1), OrganizationId(2), OrganizationId(999)])
        .await
        .unwrap();
    assert_eq!(two.len(), 2);
    let o1 = orgs.get(OrganizationId(1)).await.unwrap();
    if let Some(ext) = &o1.external_id {
        let found = orgs.search_external_id(ext).send().await.unwrap();
        assert_eq!(found.items[0].id, o1.id);
    }
    let name = o1.name.clone().unwrap();
    let found = orgs.autocomplete(&name[..3]).send().await.unwrap();
    assert!(found.items.iter().any(|o| o.id == o1.id), "{name}");
    let related = cl.users().related(UserId(2)).await.unwrap();
    assert!(related.requested_tickets.is_some());

    let hooks: Vec<Webhook> = cl.webhooks().list().stream().try_collect().await.unwrap();
    let s = cl.webhooks().signing_secret(&hooks[0].id).await.unwrap();
    assert!(!s.secret.expose().is_empty());
    assert!(!format!("{s:?}").contains(s.secret.expose()), "redacted");
    let s2 = cl
        .webhooks()
        .reset_signing_secret(&hooks[0].id)
        .await
        .unwrap();
    assert_ne!(s.secret, s2.secret);

    let n = cl.satisfaction_ratings().count().await.unwrap();
    assert!(n.value().unwrap_or(0) > 0);
    let bulk = cl
        .group_memberships()
        .destroy_many(&[GroupMembershipId(1)])
        .await
        .unwrap();
    assert!(matches!(bulk, Bulk::Jobs(ref j) if j.len() == 1));
}

#[tokio::test]
async fn typed_sideloads_of_users_and_tickets_look_up_by_id() {
    let cl = sim().await;
    let page = cl
        .users()
        .list()
        .page_size(10)
        .include(&[SideloadName::Identities, SideloadName::Organizations])
        .send()
        .await
        .unwrap();
    assert!(page.sideloads.identities.is_some(), "identities are typed");
    let u = &page.items[0];
    let mine: Vec<&Identity> = page.sideloads.identities_of(u.id).collect();
    assert!(!mine.is_empty(), "user {} has identities", u.id);
    assert!(mine.iter().all(|i| i.user_id == Some(u.id)));
    let page = cl
        .tickets()
        .list()
        .page_size(10)
        .include(&[SideloadName::MetricSets, SideloadName::LastAudits])
        .send()
        .await
        .unwrap();
    let t = &page.items[0];
    let m = page
        .sideloads
        .metric_set(t.id)
        .expect("a metric set per ticket");
    assert_eq!(m.ticket_id, Some(t.id));
    assert!(page.sideloads.last_audit(t.id).is_some());
}
