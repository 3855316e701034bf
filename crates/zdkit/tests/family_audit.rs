//! The done-when audit of issue 11, table-driven: every family of the catalogue has a
//! typed model whose list (first page, every page, every item) and show work against the
//! simulator, and every writable family has a write checked through its typed
//! collection. A family added to the catalogue without a row here fails the test.

mod common;

use std::fmt::{Debug, Display};

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

/// The write checked for a family.
enum Write {
    /// Read-only in Zendesk.
    None,
    /// Create `new`; then, as the family has them, update with `change` (checking field
    /// `key` in the answer and in a fresh show) and delete (then show is a 404).
    Create(Value, Value, &'static str),
    /// Update the first listed record with `change`, checking field `key`.
    Update(Value, &'static str),
}

type Res = Result<(), String>;

fn json_of<T: serde::Serialize>(r: &T) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// Typed list three ways and show of the first record; then the write.
async fn audit<T: Record>(c: &Collection<T>, write: Write) -> Res
where
    T::Id: Display + PartialEq + Debug,
{
    let f = c.family();
    let e = |what: &str, err: &dyn Display| format!("{what}: {err}");
    let first = c
        .list()
        .page_size(5)
        .send()
        .await
        .map_err(|x| e("list", &x))?;
    let all: Vec<T> = c
        .list()
        .page_size(5)
        .stream()
        .try_collect()
        .await
        .map_err(|x| e("stream", &x))?;
    let pages: Vec<ListPage<T>> = c
        .list()
        .page_size(5)
        .pages()
        .try_collect()
        .await
        .map_err(|x| e("pages", &x))?;
    if all.is_empty() {
        return Err("the simulator lists no record".into());
    }
    if pages.iter().map(|p| p.items.len()).sum::<usize>() != all.len() {
        return Err("pages and stream disagree".into());
    }
    if first.items.first().map(Resource::id) != Some(all[0].id()) {
        return Err("the first page is not the stream's start".into());
    }
    if f.ops.show {
        let one = c.get(all[0].id()).await.map_err(|x| e("show", &x))?;
        if one.id() != all[0].id() {
            return Err(format!("show {} answered {}", all[0].id(), one.id()));
        }
    }
    match write {
        Write::None if f.ops.writes() => Err("writable, but no write is checked".into()),
        Write::None => Ok(()),
        Write::Update(change, key) => {
            let id = all[0].id();
            let u = c.update(id, &change).await.map_err(|x| e("update", &x))?;
            check(&json_of(&u), &change, key, "update")?;
            let again = c.get(all[0].id()).await.map_err(|x| e("show", &x))?;
            check(&json_of(&again), &change, key, "show after update")
        }
        Write::Create(new, change, key) => {
            let made = c.create(&new).await.map_err(|x| e("create", &x))?;
            if f.ops.update {
                let u = c
                    .update(made.id(), &change)
                    .await
                    .map_err(|x| e("update", &x))?;
                check(&json_of(&u), &change, key, "update")?;
                let again = c.get(made.id()).await.map_err(|x| e("show", &x))?;
                check(&json_of(&again), &change, key, "show after update")?;
            } else {
                check(&json_of(&made), &new, key, "create")?;
            }
            if f.ops.delete {
                c.delete(made.id()).await.map_err(|x| e("delete", &x))?;
                match c.get(made.id()).await {
                    Err(x)
                        if x.api().map(|a| a.kind.clone()) == Some(zdkit::ErrorKind::NotFound) => {}
                    other => {
                        return Err(format!(
                            "show after delete: {:?}",
                            other.map(|r| json_of(&r))
                        ))
                    }
                }
            }
            Ok(())
        }
    }
}

fn check(got: &Value, want: &Value, key: &str, what: &str) -> Res {
    if got[key] == want[key] {
        Ok(())
    } else {
        Err(format!("{what}: {key} is {} not {}", got[key], want[key]))
    }
}

fn create(new: Value, change: Value, key: &'static str) -> Write {
    Write::Create(new, change, key)
}

#[tokio::test]
async fn every_catalogue_family_lists_shows_and_writes_typed() {
    let cl = sim().await;
    let actions = json!([{"field": "status", "value": "solved"}]);
    let cond = json!({"all": [{"field": "status", "operator": "is", "value": "new"}], "any": []});
    let mut failed = Vec::new();
    for f in zdkit::catalog::FAMILIES
        .iter()
        .filter(|f| !f.name.is_empty())
    {
        let r: Res = match f.name {
            "tickets" => {
                let new = json!({"subject": "Audit", "comment": {"body": "Hello"}});
                audit(
                    &cl.collection::<Ticket>(),
                    create(new, json!({"subject": "Audit 2"}), "subject"),
                )
                .await
            }
            "users" => {
                audit(
                    &cl.collection::<User>(),
                    Write::Update(json!({"notes": "VIP"}), "notes"),
                )
                .await
            }
            "organizations" => {
                audit(
                    &cl.organizations(),
                    Write::Update(json!({"notes": "Gold"}), "notes"),
                )
                .await
            }
            "groups" => {
                audit(
                    &cl.groups(),
                    Write::Update(json!({"name": "Tier 3"}), "name"),
                )
                .await
            }
            "ticket_fields" => {
                audit(
                    &cl.ticket_fields(),
                    Write::Update(json!({"title": "Topic"}), "title"),
                )
                .await
            }
            "job_statuses" => job_statuses(&cl).await,
            "ticket_audits" => audit(&cl.ticket_audits(), Write::None).await,
            "tags" => audit(&cl.tags(), Write::None).await,
            "ticket_metric_events" => audit(&cl.ticket_metric_events(), Write::None).await,
            "ticket_metrics" => audit(&cl.ticket_metrics(), Write::None).await,
            "group_memberships" => group_memberships(&cl).await,
            "organization_memberships" => organization_memberships(&cl).await,
            "macros" => {
                let new = json!({"title": "M", "actions": actions});
                audit(&cl.macros(), create(new, json!({"title": "M2"}), "title")).await
            }
            "triggers" => {
                let new = json!({"title": "T", "conditions": cond, "actions": actions});
                audit(&cl.triggers(), create(new, json!({"title": "T2"}), "title")).await
            }
            "trigger_categories" => {
                audit(
                    &cl.trigger_categories(),
                    create(json!({"name": "C"}), json!({"name": "C2"}), "name"),
                )
                .await
            }
            "automations" => {
                let new = json!({"title": "A", "conditions": cond, "actions": actions});
                audit(
                    &cl.automations(),
                    create(new, json!({"active": false}), "active"),
                )
                .await
            }
            "views" => {
                let new = json!({"title": "V", "all": cond["all"]});
                audit(&cl.views(), create(new, json!({"title": "V2"}), "title")).await
            }
            "organization_fields" => {
                let new = json!({"type": "text", "title": "O", "key": "of_audit"});
                audit(
                    &cl.organization_fields(),
                    create(new, json!({"title": "O2"}), "title"),
                )
                .await
            }
            "user_fields" => {
                let new = json!({"type": "text", "title": "U", "key": "uf_audit"});
                audit(
                    &cl.user_fields(),
                    create(new, json!({"title": "U2"}), "title"),
                )
                .await
            }
            "sla_policies" => {
                let new = json!({"title": "S", "filter": cond});
                audit(
                    &cl.sla_policies(),
                    create(new, json!({"title": "S2"}), "title"),
                )
                .await
            }
            "group_sla_policies" => {
                let new = json!({"title": "G", "filter": {"all": []}});
                audit(
                    &cl.group_sla_policies(),
                    create(new, json!({"title": "G2"}), "title"),
                )
                .await
            }
            "ticket_forms" => {
                audit(
                    &cl.ticket_forms(),
                    create(json!({"name": "F"}), json!({"name": "F2"}), "name"),
                )
                .await
            }
            "brands" => {
                let new = json!({"name": "B", "subdomain": "bee-audit"});
                audit(&cl.brands(), create(new, json!({"name": "B2"}), "name")).await
            }
            "custom_statuses" => {
                let new = json!({"status_category": "open", "agent_label": "L"});
                audit(
                    &cl.custom_statuses(),
                    create(new, json!({"agent_label": "L2"}), "agent_label"),
                )
                .await
            }
            "custom_roles" => {
                audit(
                    &cl.custom_roles(),
                    create(json!({"name": "R"}), json!({"name": "R2"}), "name"),
                )
                .await
            }
            "locales" => audit(&cl.locales(), Write::None).await,
            "satisfaction_ratings" => audit(&cl.satisfaction_ratings(), Write::None).await,
            "satisfaction_reasons" => audit(&cl.satisfaction_reasons(), Write::None).await,
            "activities" => audit(&cl.activities(), Write::None).await,
            "identities" => {
                let new = json!({"type": "email", "value": "audit3@example.test"});
                let ids = cl.users().identities(UserId(3));
                audit(&ids, create(new, json!({"verified": true}), "verified")).await
            }
            "dynamic_content_items" => {
                let new = json!({"name": "Audit", "default_locale_id": 1,
                    "variants": [{"locale_id": 1, "default": true, "content": "Hi"}]});
                audit(
                    &cl.dynamic_content_items(),
                    create(new, json!({"name": "Audit2"}), "name"),
                )
                .await
            }
            "recipient_addresses" => {
                let new = json!({"email": "audit@acme.example.com"});
                audit(
                    &cl.recipient_addresses(),
                    create(new, json!({"name": "Audit"}), "name"),
                )
                .await
            }
            "sharing_agreements" => {
                let new = json!({"remote_subdomain": "auditpartner"});
                audit(
                    &cl.sharing_agreements(),
                    create(new, json!({"name": "Audit"}), "name"),
                )
                .await
            }
            "targets" => {
                let new = json!({"type": "email_target", "title": "Audit",
                    "email": "audit@example.test", "subject": "S"});
                audit(
                    &cl.targets(),
                    create(new, json!({"title": "Audit2"}), "title"),
                )
                .await
            }
            "webhooks" => {
                let new = json!({"name": "W", "endpoint": "https://example.test/h", "http_method": "POST",
                    "request_format": "json", "status": "active",
                    "subscriptions": ["conditional_ticket_events"]});
                audit(&cl.webhooks(), create(new, json!({"name": "W2"}), "name")).await
            }
            "phone_numbers" => {
                let new = json!({"token": "audit-token"});
                audit(
                    &cl.phone_numbers(),
                    create(new, json!({"nickname": "Audit"}), "nickname"),
                )
                .await
            }
            "schedules" => {
                let new = json!({"name": "Audit", "time_zone": "London"});
                audit(
                    &cl.schedules(),
                    create(new, json!({"name": "Audit2"}), "name"),
                )
                .await
            }
            other => Err(format!("no typed row for {other}: add one to this table")),
        };
        if let Err(e) = r {
            failed.push(format!("{}: {e}", f.name));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

/// Job statuses exist once a bulk write ran: enqueue one, then audit the family.
async fn job_statuses(cl: &Client) -> Res {
    let orgs = cl.organizations();
    let bulk = orgs
        .update_many(&[json!({"id": 2, "notes": "bulk"})])
        .await
        .map_err(|e| format!("organizations update_many: {e}"))?;
    let Bulk::Jobs(jobs) = bulk else {
        return Err("update_many answered no job".into());
    };
    let done = zdkit::jobs::wait_all(&jobs)
        .await
        .map_err(|e| e.to_string())?;
    if !done.iter().all(|o| o.is_success()) {
        return Err(format!("job failed: {done:?}"));
    }
    let o = orgs
        .get(OrganizationId(2))
        .await
        .map_err(|e| e.to_string())?;
    if o.notes.as_deref() != Some("bulk") {
        return Err(format!("update_many not applied: {:?}", o.notes));
    }
    audit(&cl.collection::<JobStatus>(), Write::None).await
}

async fn group_memberships(cl: &Client) -> Res {
    let c = cl.group_memberships();
    let all: Vec<GroupMembership> = c
        .list()
        .stream()
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    let g = all
        .first()
        .and_then(|m| m.group_id)
        .ok_or("no membership")?;
    let agents: Vec<User> = cl
        .users()
        .list()
        .filter("role", "agent")
        .stream()
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    let free = agents
        .iter()
        .find(|u| {
            !all.iter()
                .any(|m| m.user_id == Some(u.id) && m.group_id == Some(g))
        })
        .ok_or("no agent outside the group")?;
    audit(
        &c,
        create(
            json!({"user_id": free.id, "group_id": g}),
            json!({}),
            "group_id",
        ),
    )
    .await
}

async fn organization_memberships(cl: &Client) -> Res {
    let c = cl.organization_memberships();
    let all: Vec<OrganizationMembership> = c
        .list()
        .stream()
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    let o = OrganizationId(8);
    let user = (2..40u64)
        .map(UserId)
        .find(|u| {
            !all.iter()
                .any(|m| m.user_id == Some(*u) && m.organization_id == Some(o))
        })
        .ok_or("no user outside the organization")?;
    let new = json!({"user_id": user, "organization_id": o});
    audit(&c, create(new, json!({}), "organization_id")).await
}

#[tokio::test]
async fn update_many_on_users_and_organizations_runs_as_jobs() {
    let cl = sim().await;
    let users = cl.collection::<User>();
    let Bulk::Jobs(jobs) = users
        .update_many_same(&[UserId(4), UserId(5)], &json!({"notes": "beta"}))
        .await
        .unwrap()
    else {
        panic!("users update_many answers a job")
    };
    let done = zdkit::jobs::wait_all(&jobs).await.unwrap();
    assert!(done.iter().all(|o| o.is_success()), "{done:?}");
    for id in [4, 5] {
        assert_eq!(
            users.get(UserId(id)).await.unwrap().notes.as_deref(),
            Some("beta")
        );
    }
    // One change per record; a record without an id is refused before sending.
    let orgs = cl.organizations();
    let Bulk::Jobs(jobs) = orgs
        .update_many(&[
            json!({"id": 3, "details": "d3"}),
            json!({"id": 4, "details": "d4"}),
        ])
        .await
        .unwrap()
    else {
        panic!("organizations update_many answers a job")
    };
    zdkit::jobs::wait_all(&jobs).await.unwrap();
    assert_eq!(
        orgs.get(OrganizationId(3))
            .await
            .unwrap()
            .details
            .as_deref(),
        Some("d3")
    );
    assert_eq!(
        orgs.get(OrganizationId(4))
            .await
            .unwrap()
            .details
            .as_deref(),
        Some("d4")
    );
    // 250 records are three requests of at most 100.
    let many: Vec<Value> = (0..250).map(|_| json!({"id": 1, "notes": "n"})).collect();
    let Bulk::Jobs(jobs) = orgs.update_many(&many).await.unwrap() else {
        panic!("jobs")
    };
    assert_eq!(jobs.len(), 3);
}
