//! Background jobs (bulk ticket writes): queued for 1 virtual second, then working about
//! one second per 50 records, then completed. Progress is computed lazily from the clock;
//! the writes are applied when a job completes (on the first request after that moment).

use serde_json::{json, Value};

use super::gen::{hash, iso};
use super::{coll, user_writes, writes};
use super::{Db, Seeds, KIND_JOB};
use crate::error::ApiError;

/// At most this many queued-or-working jobs.
pub(crate) const MAX_INFLIGHT: usize = 30;

/// What a job does when it completes.
#[derive(Debug, Clone)]
pub(crate) enum JobOp {
    /// `tickets/create_many`.
    Create(Vec<Value>),
    /// `tickets/update_many`; `safe_since` = enqueue time for the `?ids=` form.
    Update(Vec<(u64, Value)>, Option<u64>),
    /// `tickets/destroy_many`.
    Destroy(Vec<u64>),
    /// `POST /tickets?async=true`: the ticket, with its id reserved at enqueue.
    CreateAsync(u64, Value),
    /// `users/create_or_update_many`.
    UpsertUsers(Vec<Value>),
    /// `create_many` of a generic family (catalogue name).
    CollCreate(&'static zdkit_catalog::Family, Vec<Value>),
    /// `destroy_many` of a generic family.
    CollDestroy(&'static zdkit_catalog::Family, Vec<u64>),
    /// `users/update_many` or `organizations/update_many` (the family's name).
    UpdateRecords(&'static str, Vec<(u64, Value)>),
}

/// A job.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub id: String,
    pub job_type: &'static str,
    pub created_ms: u64,
    pub total: u64,
    pub caller: u64,
    pub op: Option<JobOp>,
    pub results: Option<Vec<Value>>,
}

impl Job {
    fn started_ms(&self) -> u64 {
        self.created_ms + 1000
    }

    /// When the job completes (virtual milliseconds).
    pub(crate) fn done_ms(&self) -> u64 {
        self.started_ms() + 1000 * self.total.div_ceil(50).max(1)
    }

    /// `queued`, `working` or `completed` at `now_ms`.
    pub(crate) fn status(&self, now_ms: u64) -> &'static str {
        if now_ms < self.started_ms() {
            "queued"
        } else if now_ms < self.done_ms() || self.results.is_none() {
            "working"
        } else {
            "completed"
        }
    }

    /// The wire form at `now_ms`.
    pub(crate) fn to_json(&self, base: &str, now_ms: u64) -> Value {
        let status = self.status(now_ms);
        let (progress, message, results) = match status {
            "queued" => (Value::Null, Value::Null, Value::Null),
            "working" => {
                let span = self.done_ms() - self.started_ms();
                let done = now_ms.saturating_sub(self.started_ms()).min(span);
                (
                    json!(self.total * done / span),
                    json!("Working"),
                    Value::Null,
                )
            }
            _ => (
                json!(self.total),
                json!(format!(
                    "Completed at {}",
                    iso(self.done_ms() / 1000)
                        .replace('T', " ")
                        .replace('Z', " +0000")
                )),
                json!(self.results),
            ),
        };
        json!({
            "id": self.id,
            "url": format!("{base}/api/v2/job_statuses/{}.json", self.id),
            "job_type": self.job_type,
            "status": status,
            "total": self.total,
            "progress": progress,
            "message": message,
            "results": results,
        })
    }
}

/// All jobs, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    pub list: Vec<Job>,
    counter: u64,
}

impl Jobs {
    /// The jobs queued or working at `now_ms`.
    pub(crate) fn inflight(&self, now_ms: u64) -> Vec<&Job> {
        self.list
            .iter()
            .filter(|j| j.status(now_ms) != "completed")
            .collect()
    }

    /// `TooManyJobs` when 30 jobs are queued or working.
    pub(crate) fn capacity(&self, now_ms: u64) -> Result<(), ApiError> {
        let inflight = self.inflight(now_ms);
        if inflight.len() >= MAX_INFLIGHT {
            return Err(ApiError::TooManyJobs {
                job_class: "TicketBulkUpdateJob".to_string(),
                current_job_ids: inflight.iter().map(|j| j.id.clone()).collect(),
            });
        }
        Ok(())
    }

    /// Enqueues a job, or fails with `TooManyJobs`.
    pub(crate) fn enqueue(
        &mut self,
        s: &Seeds,
        now_ms: u64,
        caller: u64,
        job_type: &'static str,
        op: JobOp,
    ) -> Result<&Job, ApiError> {
        self.capacity(now_ms)?;
        self.counter += 1;
        let id = format!(
            "{:016x}{:016x}",
            hash(s.seed, KIND_JOB, self.counter, 1),
            hash(s.seed, KIND_JOB, self.counter, 2)
        );
        let total = match &op {
            JobOp::Create(v) => v.len(),
            JobOp::Update(v, _) => v.len(),
            JobOp::Destroy(v) => v.len(),
            JobOp::UpsertUsers(v) => v.len(),
            JobOp::CreateAsync(..) => 1,
            JobOp::CollCreate(_, v) => v.len(),
            JobOp::CollDestroy(_, v) => v.len(),
            JobOp::UpdateRecords(_, v) => v.len(),
        } as u64;
        self.list.push(Job {
            id,
            job_type,
            created_ms: now_ms,
            total,
            caller,
            op: Some(op),
            results: None,
        });
        Ok(self.list.last().expect("just pushed"))
    }

    /// The earliest completion among jobs not yet applied.
    pub(crate) fn next_due(&self) -> u64 {
        self.list
            .iter()
            .filter(|j| j.results.is_none())
            .map(Job::done_ms)
            .min()
            .unwrap_or(u64::MAX)
    }

    /// Empties the list.
    pub(crate) fn clear(&mut self) {
        self.list.clear();
    }
}

fn failure(id: Value, action: &str, e: &ApiError) -> Value {
    let body = e.body();
    let error = body
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("Failed")
        .to_string();
    let details = match &body["details"] {
        Value::Object(d) => d
            .values()
            .flat_map(|v| v.as_array().cloned().unwrap_or_default())
            .filter_map(|x| {
                x.get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => body
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    };
    json!({"id": id, "action": action, "success": false, "error": error, "details": details})
}

/// Applies every job whose completion time has come, in completion order.
pub(crate) fn settle(db: &mut Db, s: &Seeds, now_ms: u64) {
    loop {
        let next = db
            .jobs
            .list
            .iter()
            .enumerate()
            .filter(|(_, j)| j.results.is_none() && j.done_ms() <= now_ms)
            .min_by_key(|(_, j)| j.done_ms())
            .map(|(i, _)| i);
        let Some(i) = next else { break };
        let (op, caller, at) = {
            let j = &mut db.jobs.list[i];
            (j.op.take(), j.caller, j.done_ms() / 1000)
        };
        let results = match op {
            Some(JobOp::Create(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| match writes::create_ticket(db, s, at, caller, item) {
                    Ok((t, _)) => json!({"id": t.id, "index": index}),
                    Err(e) => {
                        let mut f = failure(Value::Null, "create", &e);
                        f["index"] = json!(index);
                        f
                    }
                })
                .collect(),
            Some(JobOp::Update(items, safe_since)) => items
                .iter()
                .map(|(id, item)| {
                    let conflict = safe_since
                        .is_some_and(|since| db.tickets.get(s, *id).is_some_and(|t| t.updated_at > since));
                    let r = if conflict {
                        Err(ApiError::UpdateConflict)
                    } else {
                        writes::update_ticket(db, s, at, caller, *id, item)
                    };
                    match r {
                        Ok(_) => json!({"id": id, "action": "update", "success": true, "status": "Updated"}),
                        Err(e) => failure(json!(id), "update", &e),
                    }
                })
                .collect(),
            Some(JobOp::Destroy(ids)) => ids
                .iter()
                .map(|id| match writes::delete_ticket(db, s, at, caller, *id) {
                    Ok(()) => json!({"id": id, "action": "destroy", "success": true, "status": "Deleted"}),
                    Err(e) => failure(json!(id), "destroy", &e),
                })
                .collect(),
            Some(JobOp::CreateAsync(id, item)) => {
                vec![match writes::create_ticket_as(db, s, at, caller, &item, Some(id)) {
                    Ok((t, _)) => json!({"id": t.id, "index": 0}),
                    Err(e) => {
                        let mut f = failure(json!(id), "create", &e);
                        f["index"] = json!(0);
                        f
                    }
                }]
            }
            Some(JobOp::UpsertUsers(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| upsert_user(db, s, at, item, index))
                .collect(),
            Some(JobOp::CollCreate(f, items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    let r = match item.as_object() {
                        Some(input) => coll::writes::create(db, s, at, caller, f, input, None),
                        None => Err(ApiError::invalid("base", "InvalidValue", "Record is invalid")),
                    };
                    match r {
                        Ok((id, _)) => json!({"id": coll::ids::render(f, id), "index": index, "action": "create", "success": true, "status": "Created"}),
                        Err(e) => {
                            let mut f = failure(Value::Null, "create", &e);
                            f["index"] = json!(index);
                            f
                        }
                    }
                })
                .collect(),
            Some(JobOp::CollDestroy(f, ids)) => ids
                .iter()
                .map(|id| match coll::writes::delete(db, s, f, *id) {
                    Ok(()) => json!({"id": coll::ids::render(f, *id), "action": "destroy", "success": true, "status": "Deleted"}),
                    Err(e) => failure(coll::ids::render(f, *id), "destroy", &e),
                })
                .collect(),
            Some(JobOp::UpdateRecords(family, items)) => items
                .iter()
                .map(|(id, item)| {
                    let empty = serde_json::Map::new();
                    let input = item.as_object().unwrap_or(&empty);
                    let r = match family {
                        "users" => user_writes::update_user(db, s, at, *id, input).map(drop),
                        _ => super::org_writes::update_org(db, s, at, *id, input).map(drop),
                    };
                    match r {
                        Ok(()) => json!({"id": id, "action": "update", "success": true, "status": "Updated"}),
                        Err(e) => failure(json!(id), "update", &e),
                    }
                })
                .collect(),
            None => Vec::new(),
        };
        db.jobs.list[i].results = Some(results);
    }
}

/// One `create_or_update_many` item: matched by email, then external id.
fn upsert_user(db: &mut Db, s: &Seeds, at: u64, item: &Value, index: usize) -> Value {
    let Some(input) = item.as_object() else {
        let e = ApiError::invalid("user", "InvalidValue", "User: is invalid");
        let mut f = failure(Value::Null, "create", &e);
        f["index"] = json!(index);
        return f;
    };
    let existing = input
        .get("email")
        .and_then(Value::as_str)
        .and_then(|e| db.user_by_email(s, e))
        .or_else(|| {
            input
                .get("external_id")
                .and_then(Value::as_str)
                .and_then(|e| db.user_by_external(s, e))
        });
    let (action, status, result) = match existing {
        Some(u) => (
            "update",
            "Updated",
            user_writes::update_user(db, s, at, u.id, input),
        ),
        None => (
            "create",
            "Created",
            user_writes::create_user(db, s, at, input),
        ),
    };
    match result {
        Ok(u) => {
            json!({"id": u.id, "index": index, "action": action, "status": status, "success": true,
            "email": u.email, "external_id": u.external_id})
        }
        Err(e) => {
            let mut f = failure(Value::Null, action, &e);
            f["index"] = json!(index);
            f
        }
    }
}
