//! zdkit: a Zendesk REST API client.
//!
//! (Module map is maintained by the client-core work; `models` is the typed data model.)

pub mod models;
