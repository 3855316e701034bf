//! Job statuses of bulk operations (zendesk-api.md §8.2).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::ids::JobStatusId;
use super::page::Resource;

string_enum! {
    /// `job_status.status`.
    pub enum JobState {
        /// `queued`
        Queued = "queued",
        /// `working`
        Working = "working",
        /// `completed`
        Completed = "completed",
        /// `failed`
        Failed = "failed",
        /// `killed`
        Killed = "killed",
    }
}

impl JobState {
    /// `true` once the job will not change any more (`completed`, `failed`, `killed`).
    /// Unknown states count as not finished.
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            JobState::Completed | JobState::Failed | JobState::Killed
        )
    }
}

model! {
    /// One entry of a job's `results` array. One struct covers the documented shapes:
    ///
    /// * created: `{"id": 245, "index": 0}` (or `{"id", "status": "Created"}`),
    /// * updated/deleted: `{"id", "action": "update", "success": true, "status": "Updated"}`,
    /// * failed: `{"id", "action", "success": false, "error", "details"}`,
    ///
    /// plus `email`/`external_id` on user jobs; anything else stays in `extra`.
    pub struct JobResult {
        /// The id of the record the entry is about.
        opt id: u64,
        /// Position in the request (bulk create).
        opt index: u64,
        /// `create`, `update`, `delete`, …
        opt action: String,
        /// Success flag (absent on create results).
        opt success: bool,
        /// `Created`, `Updated`, `Deleted`, …
        opt status: String,
        /// Failure code.
        opt error: String,
        /// Failure details.
        opt details: String,
        /// User jobs: email.
        opt email: String,
        /// User jobs: external id.
        opt external_id: String,
        /// User jobs: account id.
        opt account_id: u64,
    }
}

impl JobResult {
    /// `success` if present, otherwise "no `error`".
    pub fn is_success(&self) -> bool {
        self.success.unwrap_or(self.error.is_none())
    }
}

model! {
    /// The object form of `results` (permanent deletion): `{"success": true}`.
    pub struct JobSummary {
        /// Whether the job succeeded.
        opt success: bool,
    }
}

/// `job_status.results`: a list of per-record entries, or a summary object.
#[derive(Debug, Clone, PartialEq)]
pub enum JobResults {
    /// Per-record results.
    List(Vec<JobResult>),
    /// `{"success": …}`.
    Summary(JobSummary),
}

impl Serialize for JobResults {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            JobResults::List(l) => l.serialize(s),
            JobResults::Summary(o) => o.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for JobResults {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JobResults;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of job results or an object")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<JobResults, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(JobResults::List)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<JobResults, A::Error> {
                JobSummary::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(JobResults::Summary)
            }
        }
        d.deserialize_any(V)
    }
}

model! {
    /// A background job (`{"job_status": {…}}`).
    pub struct JobStatus {
        /// Job id (a string).
        req id: JobStatusId,
        /// API URL to poll.
        opt url: String,
        /// Job type (not enumerated by Zendesk).
        opt job_type: String,
        /// State.
        opt status: JobState,
        /// Number of tasks.
        opt total: u64,
        /// Tasks done.
        opt progress: u64,
        /// Human-readable message.
        opt message: String,
        /// Results (null while queued).
        opt results: JobResults,
    }
}

impl JobStatus {
    /// `true` once the job is `completed`, `failed` or `killed`.
    pub fn is_finished(&self) -> bool {
        self.status.as_ref().is_some_and(JobState::is_finished)
    }

    /// The per-record results (empty for the summary form or while queued).
    pub fn result_list(&self) -> &[JobResult] {
        match &self.results {
            Some(JobResults::List(l)) => l,
            _ => &[],
        }
    }

    /// The per-record results that failed.
    pub fn failures(&self) -> impl Iterator<Item = &JobResult> {
        self.result_list().iter().filter(|r| !r.is_success())
    }
}

impl Resource for JobStatus {
    const SINGULAR: &'static str = "job_status";
    const PLURAL: &'static str = "job_statuses";
    type Id = JobStatusId;
    fn id(&self) -> JobStatusId {
        self.id.clone()
    }
}
