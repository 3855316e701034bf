//! `update_many` of a [`Collection`]: `PUT {path}/update_many`, where the catalogue says
//! the family has it (tickets, users, organizations). Zendesk answers each request of up
//! to 100 records with a `job_status` ([`Bulk::Jobs`]); a family whose bulk writes answer
//! directly gets [`Bulk::Done`]. Two forms, as the Ticketing API reference documents for
//! each of those families ("Update Many ..."):
//!
//! * [`Collection::update_many`]: `{plural: [{"id": 1, ...}, ...]}`, one change per
//!   record, each carrying its `id`;
//! * [`Collection::update_many_same`]: `?ids=1,2,3` with `{singular: change}`, one change
//!   for all.

use std::fmt;

use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use zdkit_catalog::Op;

use super::collection::{Bulk, Collection};
use super::ids_param;
use crate::error::Error;
use crate::models::Wrapped;

impl<T: DeserializeOwned + Send + 'static> Collection<T> {
    /// `PUT {path}/update_many` with `{plural: [...]}`, 100 records per request; every
    /// record must carry its `id` (checked before anything is sent).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use serde_json::json;
    /// let orgs = client.organizations();
    /// let jobs = orgs
    ///     .update_many(&[json!({"id": 1, "notes": "VIP"}), json!({"id": 2, "notes": "Trial"})])
    ///     .await?;
    /// if let zdkit::resources::Bulk::Jobs(jobs) = jobs {
    ///     zdkit::jobs::wait_all(&jobs).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn update_many<B: Serialize>(&self, records: &[B]) -> Result<Bulk<T>, Error> {
        let path = format!("{}/update_many", self.require(Op::UpdateMany)?);
        let mut ids = Vec::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            let v = serde_json::to_value(r)
                .map_err(|e| Error::InvalidRequest(format!("update_many: record #{i}: {e}")))?;
            match v.get("id") {
                Some(Value::Number(n)) => ids.push(n.to_string()),
                Some(Value::String(s)) => ids.push(s.clone()),
                _ => {
                    return Err(Error::InvalidRequest(format!(
                        "update_many: record #{i} of {} has no id",
                        self.family().name
                    )))
                }
            }
        }
        let key = self.family().plural;
        let result = self
            .bulk(Method::PUT, &path, records, |c, spec| {
                spec.json(&Wrapped::new(key, c))
            })
            .await;
        self.invalidate(&ids);
        result
    }

    /// `PUT {path}/update_many?ids=…` with `{singular: change}`: one change for every id,
    /// 100 ids per request.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::UserId;
    /// let users = client.collection::<zdkit::models::User>();
    /// let change = serde_json::json!({"tags": ["beta"]});
    /// let jobs = users.update_many_same(&[UserId(4), UserId(5)], &change).await?;
    /// # let _ = jobs; Ok(()) }
    /// ```
    pub async fn update_many_same<I: fmt::Display, B: Serialize + ?Sized>(
        &self,
        ids: &[I],
        change: &B,
    ) -> Result<Bulk<T>, Error> {
        let path = format!("{}/update_many", self.require(Op::UpdateMany)?);
        let body = Wrapped::new(self.family().singular, change);
        let result = self
            .bulk(Method::PUT, &path, ids, |c, spec| {
                spec.query(&[("ids", ids_param(c))])?;
                spec.json(&body)
            })
            .await;
        let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        self.invalidate(&ids);
        result
    }

    /// Drops the cached show of each id (the write may have been applied even when it
    /// failed).
    fn invalidate(&self, ids: &[String]) {
        for id in ids {
            self.client
                .inner
                .cache
                .invalidate(&format!("{}/{id}", self.path()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refused_before_sending() {
        let c = crate::Client::builder().subdomain("acme").build().unwrap();
        let e = c
            .locales()
            .update_many(&[serde_json::json!({"id": 1})])
            .await;
        assert!(matches!(e, Err(Error::InvalidRequest(ref m)) if m.contains("UpdateMany")));
        let e = c
            .organizations()
            .update_many(&[serde_json::json!({"notes": "x"})])
            .await;
        assert!(matches!(e, Err(Error::InvalidRequest(ref m)) if m.contains("no id")));
    }
}
