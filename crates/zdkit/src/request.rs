//! Raw requests: [`RequestBuilder`] for any path, and the [`Response`] every request
//! returns. Typed resources build a `RequestSpec` and call `Client::execute`, the same
//! pipeline (auth, limiter, retry) the raw builders use.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{decode_json, Error};
use crate::ratelimit::{BucketSpec, RateLimitHeaders, RequestClass};
use crate::Client;

/// Everything the pipeline needs to send one logical request (retries included).
#[derive(Clone)]
pub(crate) struct RequestSpec {
    pub(crate) method: Method,
    /// `/api/v2/...` (relative to the base URL) or a full URL on the configured host.
    pub(crate) path: String,
    /// An encoded query string (no leading `?`), appended to any query in `path`.
    pub(crate) query: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    pub(crate) idempotency_key: Option<String>,
    /// Extra buckets beyond the method + path classification.
    pub(crate) extra_buckets: Vec<BucketSpec>,
    /// Replace the classification entirely.
    pub(crate) class: Option<RequestClass>,
    /// The lane, when not the client's default.
    pub(crate) lane: Option<crate::ratelimit::Lane>,
    /// The retry policy, when not the client's (its budget and RNG stay the client's).
    pub(crate) retry: Option<crate::RetryPolicy>,
}

impl fmt::Debug for RequestSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSpec")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("idempotency_key", &self.idempotency_key.is_some())
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .finish()
    }
}

impl RequestSpec {
    /// A request with no query, body or extra headers.
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Self {
        RequestSpec {
            method,
            path: path.into(),
            query: String::new(),
            headers: HeaderMap::new(),
            body: None,
            idempotency_key: None,
            extra_buckets: Vec::new(),
            class: None,
            lane: None,
            retry: None,
        }
    }

    /// Append `query` (anything `serde_urlencoded` serialises: a struct, `&[(k, v)]`).
    pub(crate) fn query<Q: Serialize + ?Sized>(&mut self, query: &Q) -> Result<(), Error> {
        let encoded = serde_urlencoded::to_string(query)
            .map_err(|e| Error::InvalidRequest(format!("query: {e}")))?;
        if !encoded.is_empty() {
            if !self.query.is_empty() {
                self.query.push('&');
            }
            self.query.push_str(&encoded);
        }
        Ok(())
    }

    /// Set a JSON body.
    pub(crate) fn json<B: Serialize + ?Sized>(&mut self, body: &B) -> Result<(), Error> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| Error::InvalidRequest(format!("body: {e}")))?;
        self.body = Some(Bytes::from(bytes));
        Ok(())
    }

    /// Send `Idempotency-Key: key` (makes a POST safe to retry after a 5xx or reset).
    pub(crate) fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Also draw from `bucket` (beyond what method + path select).
    pub(crate) fn with_bucket(mut self, bucket: BucketSpec) -> Self {
        self.extra_buckets.push(bucket);
        self
    }
}

/// A raw request to any path, sent through the client's pipeline (auth, rate limiter,
/// retries). Made by [`Client::get`], [`Client::post`], [`Client::put`],
/// [`Client::delete`] and [`Client::request`].
#[must_use = "a request does nothing until .send() is awaited"]
pub struct RequestBuilder {
    client: Client,
    spec: RequestSpec,
    error: Option<Error>,
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("spec", &self.spec)
            .finish()
    }
}

impl RequestBuilder {
    pub(crate) fn new(client: Client, method: Method, path: &str) -> Self {
        RequestBuilder {
            client,
            spec: RequestSpec::new(method, path),
            error: None,
        }
    }

    fn keep(&mut self, r: Result<(), Error>) {
        if let Err(e) = r {
            self.error.get_or_insert(e);
        }
    }

    /// Add query parameters (a `Serialize` struct or `&[("key", "value")]`).
    pub fn query<Q: Serialize + ?Sized>(mut self, query: &Q) -> Self {
        let r = self.spec.query(query);
        self.keep(r);
        self
    }

    /// Send `body` as JSON (`Content-Type: application/json`).
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        let r = self.spec.json(body);
        self.keep(r);
        self
    }

    /// Send `bytes` as the JSON body, as they are (already serialised, so numbers beyond
    /// what `f64` holds stay exact). Not checked: the server judges it.
    pub fn json_bytes(mut self, bytes: impl Into<Bytes>) -> Self {
        self.spec.body = Some(bytes.into());
        self
    }

    /// Add a header. `Authorization` cannot be overridden here.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) if n != http::header::AUTHORIZATION => {
                self.spec.headers.append(n, v);
            }
            (Ok(n), Ok(_)) => self.keep(Err(Error::InvalidRequest(format!(
                "set credentials on the client, not the `{n}` header"
            )))),
            _ => self.keep(Err(Error::InvalidRequest(format!(
                "invalid header `{name}`"
            )))),
        }
        self
    }

    /// Send `Idempotency-Key: key`. Zendesk documents it for ticket creation; it also
    /// makes a POST safe to retry after a 5xx or a broken connection.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.spec = self.spec.with_idempotency_key(key);
        self
    }

    /// Also draw from this rate-limit bucket (beyond those the path selects).
    pub fn bucket(mut self, spec: BucketSpec) -> Self {
        self.spec = self.spec.with_bucket(spec);
        self
    }

    /// Send in this lane instead of the client's default
    /// ([`RateLimitPolicy::lane`](crate::RateLimitPolicy::lane)).
    pub fn lane(mut self, lane: crate::ratelimit::Lane) -> Self {
        self.spec.lane = Some(lane);
        self
    }

    /// Retry this request by `policy` instead of the client's (attempts, timeouts,
    /// backoff, time limit; the retry budget stays the client's, shared).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let once = client.retry_policy().clone().timeout_attempts(1);
    /// let r = client.get("/api/v2/tickets/1").retry(once).send().await?;
    /// # let _ = r; Ok(()) }
    /// ```
    pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
        self.spec.retry = Some(policy);
        self
    }

    /// Send the request and wait for the response (retries included). Any status other
    /// than 2xx is an [`Error::Api`].
    pub async fn send(self) -> Result<Response, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.client.execute(self.spec).await
    }
}

/// A successful (2xx) response with its body read.
#[derive(Clone)]
pub struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) request_id: Option<String>,
    pub(crate) rate_limit: RateLimitHeaders,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("attempts", &self.attempts)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// `X-Zendesk-Request-Id`.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The rate-limit headers of this response.
    pub fn rate_limit(&self) -> &RateLimitHeaders {
        &self.rate_limit
    }

    /// The raw body.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// How many attempts it took (1 = no retry).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Decode the body as JSON; a failure names the JSON path ([`Error::Decode`]).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_json(&self.body, self.status, self.request_id.as_deref())
    }

    /// Decode the body as a page whose items are under `key`.
    pub(crate) fn page<T: DeserializeOwned, I: crate::models::WireFields>(
        &self,
        key: &'static str,
    ) -> Result<crate::models::Page<T, I>, Error> {
        crate::models::decode_page(&self.body, key)
            .map_err(|e| crate::error::decode_failed(e, self.status, self.request_id.as_deref()))
    }

    /// Decode the body as an envelope whose item is under `key`.
    pub(crate) fn envelope<T: DeserializeOwned>(
        &self,
        key: &'static str,
    ) -> Result<crate::models::Envelope<T>, Error> {
        crate::models::decode_envelope(&self.body, key)
            .map_err(|e| crate::error::decode_failed(e, self.status, self.request_id.as_deref()))
    }
}
