//! Typed Zendesk resources. Every model keeps unknown fields and every enum has an
//! `Unknown(String)` fallback, so nothing Zendesk adds is lost.
