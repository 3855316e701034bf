//! Typed resource handlers (octocrab's shape): `client.tickets().list().sort("-updated_at")
//! .page_size(100)` ends in `.send()` (one page), `.pages()` (every page, with sideloads)
//! or `.stream()` (every item). One file per resource:
//!
//! * [`tickets`]: [`TicketsHandler`] — list, get, show_many, create (idempotent), update
//!   (`safe_update`), delete, count, comments, audits, bulk jobs.
//! * [`users`]: [`UsersHandler`] — list, get, me, create, update, create_or_update,
//!   search by email, create-or-get.
//! * [`search`]: [`SearchHandler`] and the [`SearchQuery`] builder.
//! * Every other family — organizations, groups, ticket fields, macros, views, triggers,
//!   brands, webhooks, … — is a [`Collection<T>`]: the one generic handler, driven by the
//!   family's catalogue row ([`collection`]), typed by the declarations in [`families`];
//!   family-specific operations in [`rules`] (macros, views), [`tags`] and [`specials`];
//!   channels, content and settings families in [`families_more`].
//!   [`Client::family`] reads any catalogue family as `serde_json::Value`.
//!
//! The query of a list is the [`ListQuery`] struct: it derives `Serialize`, so what you
//! see is exactly the query string sent (and it is unit-tested without a network).

pub mod collection;
pub mod families;
pub mod families_more;
mod list;
pub mod rules;
pub mod search;
mod search_query;
pub mod specials;
pub mod tags;
pub mod tickets;
mod update_many;
pub mod users;

use std::fmt;

use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use search::{SearchExport, SearchHandler, SearchQuery, SearchRequest};
pub use tickets::{CreateTicket, Created, TicketsHandler};
pub use users::{UserUpsert, UsersHandler};

pub use collection::{Bulk, Collection, Record};
pub use list::{ListQuery, ListRequest, MAX_PAGE_SIZE};
pub use tags::Taggable;

use crate::error::Error;
use crate::request::RequestSpec;
use crate::Client;

/// Joins ids with commas (`ids=1,2,3`).
pub(crate) fn ids_param<I: fmt::Display>(ids: &[I]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// `GET path?query` decoded as `R`.
pub(crate) async fn get_json<R: DeserializeOwned, Q: Serialize + ?Sized>(
    client: &Client,
    path: String,
    query: &Q,
) -> Result<R, Error> {
    let mut spec = RequestSpec::new(Method::GET, path);
    spec.query(query)?;
    client.execute(spec).await?.json()
}

/// A write with a JSON body, returning the raw response.
pub(crate) async fn write<B: Serialize + ?Sized>(
    client: &Client,
    method: Method,
    path: String,
    body: Option<&B>,
) -> Result<crate::Response, Error> {
    let mut spec = RequestSpec::new(method, path);
    if let Some(b) = body {
        spec.json(b)?;
    }
    client.execute(spec).await
}
