//! Bulk operations and background jobs.
//!
//! The bulk methods (`client.tickets().update_many(..)`, `.create_many(..)`,
//! `.destroy_many(..)`, `client.users().create_or_update_many(..)`) take any number of
//! records, split them into requests of at most 100, and return one [`JobHandle`] per
//! request. Enqueueing respects Zendesk's limit of 30 queued/running jobs: on
//! `TooManyJobs` it waits (on the client's clock, with backoff) and tries again, up to
//! [`JobOptions::timeout`]. [`JobHandle::wait`] polls with backoff through the client's
//! pipeline (so polls draw from the rate-limit budget like any request) and returns the
//! typed per-record results, failures included.
//!
//! ```no_run
//! # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
//! use zdkit::models::{TicketId, TicketStatus, TicketUpdate};
//! let updates: Vec<TicketUpdate> = (1..=250)
//!     .map(|id| TicketUpdate { id: Some(TicketId(id)), status: Some(TicketStatus::Solved), ..Default::default() })
//!     .collect();
//! let jobs = client.tickets().update_many(&updates).await?; // 3 jobs
//! for outcome in zdkit::jobs::wait_all(&jobs).await? {
//!     for f in outcome.failures() { eprintln!("{:?}: {:?}", f.id, f.details); }
//! }
//! # Ok(()) }
//! ```

use std::time::Duration;

use http::Method;

use crate::error::Error;
use crate::models::{
    Envelope, JobResult, JobStatus, JobStatusId, NewTicket, NewUser, TicketId, TicketUpdate,
    Wrapped,
};
use crate::request::RequestSpec;
use crate::resources::{ids_param, TicketsHandler, UsersHandler};
use crate::Client;

/// The most records per bulk request.
pub const BULK_LIMIT: usize = 100;

/// How enqueueing and waiting behave.
///
/// Defaults: first poll after 1 s, backoff ×2 up to 30 s between polls, give up after
/// 10 minutes (per enqueue and per wait).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobOptions {
    /// The first wait (before the first poll, or the first re-enqueue).
    pub initial_delay: Duration,
    /// The longest wait between polls.
    pub max_delay: Duration,
    /// Give up after this long ([`Error::Incomplete`]).
    pub timeout: Duration,
}

impl Default for JobOptions {
    fn default() -> Self {
        JobOptions {
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            timeout: Duration::from_secs(600),
        }
    }
}

impl JobOptions {
    fn next_delay(&self, d: Duration) -> Duration {
        (d * 2).min(self.max_delay)
    }
}

/// A queued background job.
#[derive(Debug, Clone)]
pub struct JobHandle {
    client: Client,
    /// The job status returned when the job was enqueued.
    pub enqueued: JobStatus,
    /// How many records this job covers.
    pub records: usize,
}

/// A finished job with its per-record results.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JobOutcome {
    /// The final job status (`completed`, `failed` or `killed`).
    pub status: JobStatus,
}

impl JobOutcome {
    /// Every per-record result.
    ///
    /// ```no_run
    /// # async fn demo(job: zdkit::jobs::JobHandle) -> zdkit::Result<()> {
    /// for r in job.wait().await?.results() { println!("{:?} {:?}", r.id, r.status); }
    /// # Ok(()) }
    /// ```
    pub fn results(&self) -> &[JobResult] {
        self.status.result_list()
    }

    /// The results that failed (`success: false` or an `error`).
    ///
    /// ```no_run
    /// # async fn demo(job: zdkit::jobs::JobHandle) -> zdkit::Result<()> {
    /// for f in job.wait().await?.failures() { println!("{:?}: {:?}", f.id, f.details); }
    /// # Ok(()) }
    /// ```
    pub fn failures(&self) -> impl Iterator<Item = &JobResult> {
        self.status.failures()
    }

    /// `true` if the job completed and no record failed.
    ///
    /// ```no_run
    /// # async fn demo(job: zdkit::jobs::JobHandle) -> zdkit::Result<()> {
    /// assert!(job.wait().await?.is_success());
    /// # Ok(()) }
    /// ```
    pub fn is_success(&self) -> bool {
        matches!(self.status.status, Some(crate::models::JobState::Completed))
            && self.failures().next().is_none()
    }
}

fn is_too_many_jobs(e: &Error) -> bool {
    e.api()
        .is_some_and(|a| a.code.as_deref() == Some("TooManyJobs"))
}

impl JobHandle {
    /// A handle to a job enqueued earlier, perhaps by another process (a bulk write that
    /// was interrupted after submitting it): `GET /api/v2/job_statuses/{id}` once. Zendesk
    /// keeps job statuses for about a day; an expired one answers 404.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let job = zdkit::jobs::JobHandle::resume(&client, "8b726e606741012ffc2d782bcb7848fe", 100).await?;
    /// let outcome = job.wait().await?;
    /// # let _ = outcome; Ok(()) }
    /// ```
    pub async fn resume(client: &Client, id: &str, records: usize) -> Result<JobHandle, Error> {
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::InvalidRequest(format!(
                "{id:?} is not a job status id"
            )));
        }
        let spec = RequestSpec::new(Method::GET, format!("/api/v2/job_statuses/{id}"));
        let env: Envelope<JobStatus> = client.execute(spec).await?.json()?;
        Ok(JobHandle {
            client: client.clone(),
            enqueued: env.item,
            records,
        })
    }

    /// The job id.
    ///
    /// ```no_run
    /// # fn demo(job: zdkit::jobs::JobHandle) {
    /// println!("job {}", job.id());
    /// # }
    /// ```
    pub fn id(&self) -> &JobStatusId {
        &self.enqueued.id
    }

    /// `GET /api/v2/job_statuses/{id}` once.
    ///
    /// ```no_run
    /// # async fn demo(job: zdkit::jobs::JobHandle) -> zdkit::Result<()> {
    /// let s = job.status().await?;
    /// println!("{:?} {:?}/{:?}", s.status, s.progress, s.total);
    /// # Ok(()) }
    /// ```
    pub async fn status(&self) -> Result<JobStatus, Error> {
        let spec = RequestSpec::new(
            Method::GET,
            format!("/api/v2/job_statuses/{}", self.enqueued.id),
        );
        let env: Envelope<JobStatus> = self.client.execute(spec).await?.json()?;
        Ok(env.item)
    }

    /// Poll until the job finishes, with the default [`JobOptions`].
    ///
    /// ```no_run
    /// # async fn demo(job: zdkit::jobs::JobHandle) -> zdkit::Result<()> {
    /// let outcome = job.wait().await?;
    /// println!("{} results, ok: {}", outcome.results().len(), outcome.is_success());
    /// # Ok(()) }
    /// ```
    pub async fn wait(&self) -> Result<JobOutcome, Error> {
        self.wait_with(JobOptions::default()).await
    }

    /// Poll until the job finishes: waits `initial_delay`, doubling up to `max_delay`,
    /// all on the client's clock; [`Error::Incomplete`] after `timeout`.
    ///
    /// ```no_run
    /// # async fn demo(job: zdkit::jobs::JobHandle) -> zdkit::Result<()> {
    /// use std::time::Duration;
    /// let opts = zdkit::jobs::JobOptions { timeout: Duration::from_secs(60), ..Default::default() };
    /// let outcome = job.wait_with(opts).await?;
    /// # let _ = outcome; Ok(()) }
    /// ```
    pub async fn wait_with(&self, opts: JobOptions) -> Result<JobOutcome, Error> {
        if self.enqueued.is_finished() {
            return Ok(JobOutcome {
                status: self.enqueued.clone(),
            });
        }
        let clock = self.client.clock().clone();
        let deadline = clock.now() + opts.timeout;
        let mut delay = opts.initial_delay;
        loop {
            let now = clock.now();
            if now >= deadline {
                return Err(Error::Incomplete(format!(
                    "job {} did not finish within {:?}",
                    self.enqueued.id, opts.timeout
                )));
            }
            clock.sleep(delay.min(deadline.saturating_since(now))).await;
            let s = self.status().await?;
            if s.is_finished() {
                return Ok(JobOutcome { status: s });
            }
            delay = opts.next_delay(delay);
        }
    }
}

/// Wait for every job, in order.
///
/// ```no_run
/// # async fn demo(jobs: Vec<zdkit::jobs::JobHandle>) -> zdkit::Result<()> {
/// let outcomes = zdkit::jobs::wait_all(&jobs).await?;
/// let failed: usize = outcomes.iter().map(|o| o.failures().count()).sum();
/// # let _ = failed; Ok(()) }
/// ```
pub async fn wait_all(jobs: &[JobHandle]) -> Result<Vec<JobOutcome>, Error> {
    let mut out = Vec::with_capacity(jobs.len());
    for j in jobs {
        out.push(j.wait().await?);
    }
    Ok(out)
}

/// Send one bulk request, waiting and retrying while Zendesk has 30 jobs in flight.
async fn enqueue(
    client: &Client,
    spec: RequestSpec,
    records: usize,
    opts: JobOptions,
) -> Result<JobHandle, Error> {
    let clock = client.clock().clone();
    let deadline = clock.now() + opts.timeout;
    let mut delay = opts.initial_delay;
    loop {
        match client.execute(spec.clone()).await {
            Ok(resp) => {
                let env: Envelope<JobStatus> = resp.json()?;
                return Ok(JobHandle {
                    client: client.clone(),
                    enqueued: env.item,
                    records,
                });
            }
            Err(e) if is_too_many_jobs(&e) && clock.now() + delay < deadline => {
                let wait = e.retry_after().unwrap_or(delay).max(delay);
                tracing::debug!(
                    wait_ms = wait.as_millis() as u64,
                    "30 jobs in flight: waiting to enqueue"
                );
                clock.sleep(wait).await;
                delay = opts.next_delay(delay);
            }
            Err(e) => return Err(e),
        }
    }
}

/// One bulk request per chunk of at most [`BULK_LIMIT`] records.
pub(crate) async fn bulk<R>(
    client: &Client,
    method: Method,
    path: &str,
    records: &[R],
    build: impl Fn(&[R], &mut RequestSpec) -> Result<(), Error>,
) -> Result<Vec<JobHandle>, Error> {
    let mut out = Vec::with_capacity(records.len().div_ceil(BULK_LIMIT));
    for chunk in records.chunks(BULK_LIMIT) {
        let mut spec = RequestSpec::new(method.clone(), path);
        build(chunk, &mut spec)?;
        out.push(enqueue(client, spec, chunk.len(), JobOptions::default()).await?);
    }
    Ok(out)
}

/// The jobs of a tickets bulk write: the catalogue's tickets row has `bulk_is_job`, so
/// [`Collection`](crate::resources::Collection)'s bulk writes answer jobs for it.
fn ticket_jobs(b: crate::resources::Bulk<crate::models::Ticket>) -> Result<Vec<JobHandle>, Error> {
    match b {
        crate::resources::Bulk::Jobs(jobs) => Ok(jobs),
        crate::resources::Bulk::Done(_) => Err(Error::Incomplete(
            "tickets/update_many answered records instead of a job".into(),
        )),
    }
}

impl TicketsHandler {
    fn collection(&self) -> crate::resources::Collection<crate::models::Ticket> {
        self.client.collection()
    }

    /// `PUT /api/v2/tickets/update_many` with `{"tickets": [...]}` (each update carries
    /// its `id`), 100 per job.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::{TicketId, TicketUpdate};
    /// let u = TicketUpdate { id: Some(TicketId(1)), tags: Some(vec!["x".into()]), ..Default::default() };
    /// let jobs = client.tickets().update_many(&[u]).await?;
    /// # let _ = jobs; Ok(()) }
    /// ```
    pub async fn update_many(&self, updates: &[TicketUpdate]) -> Result<Vec<JobHandle>, Error> {
        ticket_jobs(self.collection().update_many(updates).await?)
    }

    /// `PUT /api/v2/tickets/update_many?ids=…` with one change for all, 100 ids per job.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::{TicketId, TicketUpdate};
    /// let change = TicketUpdate { additional_tags: Some(vec!["vip".into()]), ..Default::default() };
    /// let jobs = client.tickets().update_many_same(&[TicketId(1), TicketId(2)], &change).await?;
    /// # let _ = jobs; Ok(()) }
    /// ```
    pub async fn update_many_same(
        &self,
        ids: &[TicketId],
        change: &TicketUpdate,
    ) -> Result<Vec<JobHandle>, Error> {
        ticket_jobs(self.collection().update_many_same(ids, change).await?)
    }

    /// `POST /api/v2/tickets/create_many`, 100 per job.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::{NewComment, NewTicket};
    /// let t = NewTicket::new("Hi", NewComment::text("Hello"));
    /// let jobs = client.tickets().create_many(&[t]).await?;
    /// # let _ = jobs; Ok(()) }
    /// ```
    pub async fn create_many(&self, tickets: &[NewTicket]) -> Result<Vec<JobHandle>, Error> {
        bulk(
            &self.client,
            Method::POST,
            "/api/v2/tickets/create_many",
            tickets,
            |c, spec| spec.json(&Wrapped::new("tickets", c)),
        )
        .await
    }

    /// `DELETE /api/v2/tickets/destroy_many?ids=…`, 100 per job.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::TicketId;
    /// let jobs = client.tickets().destroy_many(&[TicketId(1), TicketId(2)]).await?;
    /// # let _ = jobs; Ok(()) }
    /// ```
    pub async fn destroy_many(&self, ids: &[TicketId]) -> Result<Vec<JobHandle>, Error> {
        bulk(
            &self.client,
            Method::DELETE,
            "/api/v2/tickets/destroy_many",
            ids,
            |c, spec| spec.query(&[("ids", ids_param(c))]),
        )
        .await
    }
}

impl UsersHandler {
    /// `POST /api/v2/users/create_or_update_many`, 100 per job (matched by email or
    /// external id).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::NewUser;
    /// let jobs = client.users().create_or_update_many(&[NewUser::new("Jo", "jo@example.com")]).await?;
    /// # let _ = jobs; Ok(()) }
    /// ```
    pub async fn create_or_update_many(&self, users: &[NewUser]) -> Result<Vec<JobHandle>, Error> {
        bulk(
            &self.client,
            Method::POST,
            "/api/v2/users/create_or_update_many",
            users,
            |c, spec| spec.json(&Wrapped::new("users", c)),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let o = JobOptions::default();
        let mut d = o.initial_delay;
        let mut seen = Vec::new();
        for _ in 0..7 {
            seen.push(d.as_secs());
            d = o.next_delay(d);
        }
        assert_eq!(seen, [1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn chunks_of_100() {
        let n: Vec<u32> = (0..250).collect();
        let sizes: Vec<usize> = n.chunks(BULK_LIMIT).map(<[u32]>::len).collect();
        assert_eq!(sizes, [100, 100, 50]);
    }
}
