//! [`Collection<T>`]: the one generic handler of a resource family (kube-rs's `Api<K>`).
//!
//! Everything a family's plumbing needs — its path, its JSON keys, how its lists page,
//! which operations it has, how its writes answer — comes from its row in the catalogue
//! ([`zdkit_catalog::Family`]). A family with a typed model implements [`Record`] (done
//! by the `family!` declarations in [`crate::resources::families`]) and gets
//! `client.macros()`, `client.brands()`, …; any family can also be read generically as
//! `serde_json::Value` with [`Client::family`], which is what a sync of the whole
//! catalogue uses. The per-family code is its model and whatever is really special
//! (`macros().apply(..)`, `views().count(..)`, tags, signing secrets).
//!
//! Operations a family does not have are refused before anything is sent
//! ([`Error::InvalidRequest`]), with the family's name in the message.
//!
//! ```
//! # fn demo() -> Result<(), zdkit::Error> {
//! let client = zdkit::Client::builder().subdomain("acme").build()?;
//! let macros = client.macros();
//! assert_eq!(macros.path(), "/api/v2/macros");
//! assert!(macros.family().ops.update);
//! // The same family, untyped.
//! let raw = client.family("macros").unwrap();
//! assert_eq!(raw.family().plural, "macros");
//! # Ok(()) }
//! # demo().unwrap();
//! ```

use std::fmt;
use std::marker::PhantomData;

use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use zdkit_catalog::{Family, Op};

use super::{ids_param, ListRequest};
use crate::error::Error;
use crate::jobs::{bulk, JobHandle};
use crate::models::{Count, Envelope, Resource, SideloadName, Wrapped};
use crate::request::RequestSpec;
use crate::Client;

/// A family with a typed model: its catalogue row is named by [`Record::FAMILY`], its
/// JSON keys by [`Resource`] (tested equal to the catalogue's).
pub trait Record: Resource + Clone + fmt::Debug + Send + Sync + 'static {
    /// The family's [`zdkit_catalog::Family::name`].
    const FAMILY: &'static str;
    /// Whether `get` goes through the client's TTL cache ([`crate::cache`]); writes
    /// through the collection invalidate it.
    const CACHED: bool = false;

    /// The family's catalogue row.
    fn family() -> &'static Family {
        match zdkit_catalog::family(Self::FAMILY) {
            Some(f) => f,
            None => unreachable!("every Record names a catalogue family (tested)"),
        }
    }
}

/// What a bulk write answered: background jobs (one per chunk of 100) or, for families
/// whose bulk writes answer directly (macros, triggers, views), the records.
#[derive(Debug)]
pub enum Bulk<T> {
    /// One job per chunk; wait with [`JobHandle::wait`] or [`crate::jobs::wait_all`].
    Jobs(Vec<JobHandle>),
    /// The records the server answered with (empty for deletes).
    Done(Vec<T>),
}

/// The generic handler of one family: list, show, show_many, count, search, create,
/// update, delete and the bulk writes, as the catalogue row allows. Made by the family
/// accessors (`client.macros()`), [`Client::collection`] or [`Client::family`].
#[derive(Clone)]
pub struct Collection<T> {
    pub(crate) client: Client,
    family: &'static Family,
    /// `/api/v2/{path}`, parents filled in.
    base: String,
    marker: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Collection<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Collection")
            .field("family", &self.family.name)
            .field("base", &self.base)
            .finish()
    }
}

impl Client {
    /// The typed collection of `T`'s family (the accessors such as [`Client::macros`] are
    /// shorthands for this).
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let brands = client.collection::<zdkit::models::Brand>();
    /// assert_eq!(brands.path(), "/api/v2/brands");
    /// ```
    pub fn collection<T: Record>(&self) -> Collection<T> {
        Collection::at_family(self, T::family())
    }

    /// Any catalogue family, read as `serde_json::Value` (by its name, plural, singular
    /// or path: `sla_policies`, `slas/policies`). `None` for a name the catalogue lacks.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let schedules = client.family("schedules").unwrap();
    /// assert_eq!(schedules.path(), "/api/v2/business_hours/schedules");
    /// assert!(client.family("nope").is_none());
    /// ```
    pub fn family(&self, name: &str) -> Option<Collection<Value>> {
        zdkit_catalog::family(name).map(|f| Collection::at_family(self, f))
    }
}

impl<T> Collection<T> {
    fn at_family(client: &Client, family: &'static Family) -> Self {
        Collection {
            client: client.clone(),
            family,
            base: format!("/api/v2/{}", family.path),
            marker: PhantomData,
        }
    }

    /// The family nested under the parent record `parent` (`users/{user_id}/identities`).
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let ids = client.family("identities").unwrap().under(7);
    /// assert_eq!(ids.path(), "/api/v2/users/7/identities");
    /// ```
    pub fn under(mut self, parent: impl fmt::Display) -> Self {
        if let Some(p) = self.family.parent {
            self.base = format!(
                "/api/v2/{}",
                self.family
                    .path
                    .replace(&format!("{{{}}}", p.param), &parent.to_string())
            );
        }
        self
    }

    /// The family's catalogue row.
    pub fn family(&self) -> &'static Family {
        self.family
    }

    /// The collection's path (`/api/v2/macros`).
    pub fn path(&self) -> &str {
        &self.base
    }

    /// The client this collection sends through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The same family with each record kept as its raw JSON text
    /// ([`serde_json::value::RawValue`]): a page is parsed only for its paging fields
    /// and sideloads, its records are validated and copied but neither decoded nor
    /// re-encoded, so unknown fields and big integers pass through exactly. For
    /// pass-through output (`zd list --format jsonl`).
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let raw = client.family("tickets").unwrap().raw();
    /// assert_eq!(raw.path(), "/api/v2/tickets");
    /// ```
    pub fn raw(&self) -> Collection<Box<serde_json::value::RawValue>> {
        Collection {
            client: self.client.clone(),
            family: self.family,
            base: self.base.clone(),
            marker: PhantomData,
        }
    }

    /// The collection path, if the family supports `op` and its parent is filled in.
    pub(super) fn require(&self, op: Op) -> Result<&str, Error> {
        if !self.family.ops.has(op) {
            return Err(Error::InvalidRequest(format!(
                "{} has no {op:?} operation",
                self.family.name
            )));
        }
        if let Some(p) = self.family.parent.filter(|_| self.base.contains('{')) {
            return Err(Error::InvalidRequest(format!(
                "{} live under {}: use .under(ID)",
                self.family.name, p.family
            )));
        }
        Ok(&self.base)
    }

    /// `{base}/{id}` for `op`; ids with `/`, `?`, `#`, `%` or whitespace are refused.
    fn record_path(&self, op: Op, id: &dyn fmt::Display) -> Result<String, Error> {
        let base = self.require(op)?;
        Ok(format!("{base}/{}", segment(id)?))
    }

    /// The path of the family's action `name` (`macros/{macro_id}/apply`), its
    /// parameters filled from `params` (`("macro_id", &7)`); a parameter left out is an
    /// error.
    ///
    /// ```
    /// # let client = zdkit::Client::builder().subdomain("acme").build().unwrap();
    /// let p = client.macros().action_path("apply_to_ticket", &[("ticket_id", &5), ("macro_id", &7)]);
    /// assert_eq!(p.unwrap(), "/api/v2/tickets/5/macros/7/apply");
    /// assert!(client.macros().action_path("nope", &[]).is_err());
    /// ```
    pub fn action_path(
        &self,
        name: &str,
        params: &[(&str, &dyn fmt::Display)],
    ) -> Result<String, Error> {
        let action = self.family.action(name).ok_or_else(|| {
            Error::InvalidRequest(format!("{} has no action {name:?}", self.family.name))
        })?;
        let mut path = format!("/api/v2/{}", action.path);
        for (k, v) in params {
            path = path.replace(&format!("{{{k}}}"), &segment(*v)?);
        }
        if path.contains('{') {
            return Err(Error::InvalidRequest(format!(
                "{} {name}: a parameter of {} is missing",
                self.family.name, action.path
            )));
        }
        Ok(path)
    }
}

/// One path segment: refuses what would change the path or the query.
fn segment(id: &dyn fmt::Display) -> Result<String, Error> {
    let s = id.to_string();
    if s.is_empty() || s.contains(['/', '?', '#', '%', '\\']) || s.chars().any(char::is_whitespace)
    {
        return Err(Error::InvalidRequest(format!("invalid id {s:?}")));
    }
    Ok(s)
}

impl<T: DeserializeOwned + Send + 'static> Collection<T> {
    /// `GET {path}`: every record, paging as the catalogue says (cursor pages of 100
    /// where the family has them, offset pages or one response otherwise).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let all: Vec<serde_json::Value> =
    ///     client.family("targets").unwrap().list().stream().try_collect().await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub fn list(&self) -> ListRequest<T> {
        let mut r = ListRequest::family(&self.client, self.family, self.base.clone());
        if let Err(e) = self.require(Op::List) {
            r = r.refuse(e.to_string());
        }
        if self.family.path.starts_with("incremental/") {
            // An incremental list needs a start; a list is everything since the epoch.
            r = r.filter("start_time", 0);
        }
        r
    }

    /// `GET {path}/search?query=…` (offset pages; macros, triggers, views, …).
    pub fn search(&self, query: &str) -> ListRequest<T> {
        let path = match self.require(Op::Search) {
            Ok(b) => format!("{b}/search"),
            Err(e) => {
                return ListRequest::keyed(&self.client, String::new(), self.family.plural)
                    .refuse(e.to_string())
            }
        };
        let mut r = ListRequest::keyed(&self.client, path, self.family.plural);
        r.query.page_size = None;
        r.filter("query", query)
    }

    /// `GET {path}/count` → `{"count": {"value", "refreshed_at"}}`.
    pub async fn count(&self) -> Result<Count, Error> {
        let path = format!("{}/count", self.require(Op::Count)?);
        super::get_json(&self.client, path, &()).await
    }

    /// `POST {path}` with `{singular: record}`; answers the created record.
    pub async fn create<B: Serialize + ?Sized>(&self, record: &B) -> Result<T, Error> {
        let path = self.require(Op::Create)?.to_owned();
        self.send_one(
            Method::POST,
            path,
            Some(&Wrapped::new(self.family.singular, record)),
        )
        .await
    }

    /// `POST {path}/create_many` with `{plural: [...]}`, 100 per request.
    pub async fn create_many<B: Serialize>(&self, records: &[B]) -> Result<Bulk<T>, Error> {
        let path = format!("{}/create_many", self.require(Op::CreateMany)?);
        let key = self.family.plural;
        self.bulk(Method::POST, &path, records, |c, spec| {
            spec.json(&Wrapped::new(key, c))
        })
        .await
    }

    pub(super) async fn bulk<R>(
        &self,
        method: Method,
        path: &str,
        records: &[R],
        build: impl Fn(&[R], &mut RequestSpec) -> Result<(), Error>,
    ) -> Result<Bulk<T>, Error> {
        if self.family.bulk_is_job {
            return Ok(Bulk::Jobs(
                bulk(&self.client, method, path, records, build).await?,
            ));
        }
        let mut out = Vec::new();
        for chunk in records.chunks(crate::jobs::BULK_LIMIT) {
            let mut spec = RequestSpec::new(method.clone(), path);
            build(chunk, &mut spec)?;
            let resp = self.client.execute(spec).await?;
            if !resp.bytes().is_empty() && method != Method::DELETE {
                let page: crate::models::ListPage<T> = resp.page(self.family.plural)?;
                out.extend(page.items);
            }
        }
        Ok(Bulk::Done(out))
    }

    async fn send_one<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: String,
        body: Option<&B>,
    ) -> Result<T, Error> {
        let resp = super::write(&self.client, method, path, body).await?;
        Ok(resp.envelope::<T>(self.family.singular)?.item)
    }

    async fn show_at(
        &self,
        id: &dyn fmt::Display,
        include: &[SideloadName],
    ) -> Result<Envelope<T>, Error> {
        let path = self.record_path(Op::Show, id)?;
        let mut spec = RequestSpec::new(Method::GET, path);
        if !include.is_empty() {
            spec.query(&[("include", SideloadName::join(include))])?;
        }
        self.client
            .execute(spec)
            .await?
            .envelope(self.family.singular)
    }

    async fn update_at<B: Serialize + ?Sized>(
        &self,
        id: &dyn fmt::Display,
        change: &B,
    ) -> Result<T, Error> {
        let path = self.record_path(Op::Update, id)?;
        let method = match self.family.update_method {
            zdkit_catalog::Method::Patch => Method::PATCH,
            zdkit_catalog::Method::Post => Method::POST,
            _ => Method::PUT,
        };
        let result = self
            .send_one(
                method,
                path.clone(),
                Some(&Wrapped::new(self.family.singular, change)),
            )
            .await;
        // Invalidate even on failure: the write may have been applied.
        self.client.inner.cache.invalidate(&path);
        result
    }

    async fn delete_at(&self, id: &dyn fmt::Display) -> Result<(), Error> {
        let path = self.record_path(Op::Delete, id)?;
        let result = super::write::<()>(&self.client, Method::DELETE, path.clone(), None).await;
        self.client.inner.cache.invalidate(&path);
        result.map(drop)
    }

    async fn show_many_at<I: fmt::Display>(&self, ids: &[I]) -> Result<Vec<T>, Error> {
        let path = format!("{}/show_many", self.require(Op::ShowMany)?);
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(100) {
            let mut spec = RequestSpec::new(Method::GET, path.clone());
            spec.query(&[("ids", ids_param(chunk))])?;
            let page: crate::models::ListPage<T> =
                self.client.execute(spec).await?.page(self.family.plural)?;
            out.extend(page.items);
        }
        Ok(out)
    }

    async fn destroy_many_at<I: fmt::Display>(&self, ids: &[I]) -> Result<Bulk<T>, Error> {
        let path = format!("{}/destroy_many", self.require(Op::DestroyMany)?);
        let result = self
            .bulk(Method::DELETE, &path, ids, |c, spec| {
                spec.query(&[("ids", ids_param(c))])
            })
            .await;
        for id in ids {
            self.client
                .inner
                .cache
                .invalidate(&format!("{}/{id}", self.base));
        }
        result
    }
}

impl<T: Record> Collection<T>
where
    T::Id: fmt::Display,
{
    /// `GET {path}/{id}` (through the TTL cache for [`Record::CACHED`] families).
    pub async fn get(&self, id: T::Id) -> Result<T, Error> {
        if T::CACHED {
            let path = self.record_path(Op::Show, &id)?;
            let env: Envelope<T> = self.client.cached_get(path).await?;
            return Ok(env.item);
        }
        Ok(self.show_at(&id, &[]).await?.item)
    }

    /// `GET {path}/{id}?include=…`: the record with its sideloads (never cached).
    pub async fn get_with(
        &self,
        id: T::Id,
        include: &[SideloadName],
    ) -> Result<Envelope<T>, Error> {
        self.show_at(&id, include).await
    }

    /// `PUT` (or the family's update method) `{path}/{id}` with `{singular: change}`.
    pub async fn update<B: Serialize + ?Sized>(&self, id: T::Id, change: &B) -> Result<T, Error> {
        self.update_at(&id, change).await
    }

    /// `DELETE {path}/{id}`.
    pub async fn delete(&self, id: T::Id) -> Result<(), Error> {
        self.delete_at(&id).await
    }

    /// `GET {path}/show_many?ids=…`, any number of ids (100 per request); missing
    /// records are simply absent.
    pub async fn show_many(&self, ids: &[T::Id]) -> Result<Vec<T>, Error> {
        self.show_many_at(ids).await
    }

    /// `DELETE {path}/destroy_many?ids=…`, 100 per request.
    pub async fn destroy_many(&self, ids: &[T::Id]) -> Result<Bulk<T>, Error> {
        self.destroy_many_at(ids).await
    }
}

impl Collection<Value> {
    /// `GET {path}/{id}`, untyped.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let target = client.family("targets").unwrap().get("3").await?;
    /// println!("{}", target["title"]);
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: &str) -> Result<Value, Error> {
        Ok(self.show_at(&id, &[]).await?.item)
    }

    /// `GET {path}/{id}?include=…`, untyped.
    pub async fn get_with(
        &self,
        id: &str,
        include: &[SideloadName],
    ) -> Result<Envelope<Value>, Error> {
        self.show_at(&id, include).await
    }

    /// Update, untyped (the family's update method).
    pub async fn update<B: Serialize + ?Sized>(
        &self,
        id: &str,
        change: &B,
    ) -> Result<Value, Error> {
        self.update_at(&id, change).await
    }

    /// `DELETE {path}/{id}`, untyped.
    pub async fn delete(&self, id: &str) -> Result<(), Error> {
        self.delete_at(&id).await
    }

    /// `show_many`, untyped.
    pub async fn show_many(&self, ids: &[&str]) -> Result<Vec<Value>, Error> {
        self.show_many_at(ids).await
    }

    /// `destroy_many`, untyped.
    pub async fn destroy_many(&self, ids: &[&str]) -> Result<Bulk<Value>, Error> {
        self.destroy_many_at(ids).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::builder().subdomain("acme").build().unwrap()
    }

    #[test]
    fn paths_come_from_the_catalogue() {
        let c = client();
        assert_eq!(
            c.family("sla_policies").unwrap().path(),
            "/api/v2/slas/policies"
        );
        let id = c.family("identities").unwrap();
        assert!(id.require(Op::List).is_err(), "parent not filled");
        assert!(id.under(3).require(Op::List).is_ok());
        assert!(segment(&"a/b").is_err());
        assert!(segment(&"01HX").is_ok());
    }

    #[tokio::test]
    async fn unsupported_operations_send_nothing() {
        let c = client();
        let e = c
            .family("locales")
            .unwrap()
            .create(&Value::Null)
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::InvalidRequest(ref m) if m.contains("locales")),
            "{e}"
        );
        let e = c
            .family("ticket_audits")
            .unwrap()
            .get("1")
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidRequest(_)), "{e}");
        let e = c.family("job_statuses").unwrap().count().await.unwrap_err();
        assert!(matches!(e, Error::InvalidRequest(_)), "{e}");
        let e = c.family("macros").unwrap().get("1/../2").await.unwrap_err();
        assert!(matches!(e, Error::InvalidRequest(_)), "{e}");
    }
}
