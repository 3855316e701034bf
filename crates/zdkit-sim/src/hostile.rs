//! A hostile server for tests: answers whatever it is told to and records every request.
//!
//! The simulator is a well-behaved Zendesk; this is the opposite. A [`HostileServer`]
//! listens on `127.0.0.1:0` in the test's own runtime and answers each request from, in
//! order:
//! 1. the queue of one-shot replies ([`HostileServer::push`]), first in first out;
//! 2. the fixed reply of the request's path ([`HostileServer::route`], path without query);
//! 3. the handler ([`HostileServer::handler`]), a closure that sees the recorded request;
//! 4. the default: `404 {"error":"InvalidEndpoint"}`.
//!
//! A [`Reply`] sets any status (including 1xx-free oddities like 3xx or 599), any headers
//! (repeated names allowed), any body (bytes, JSON, or a lazily generated stream of any
//! length that is never held in memory) and a delay before the answer (waited on the
//! server's [`SharedClock`], so tests on a manual clock never sleep for real).
//!
//! Every request is recorded ([`Recorded`]: method, path and query, headers, body) before
//! it is answered, so a test can prove that *nothing* reached a second server standing in
//! for "another origin": start two, point the first one's links at the second, and assert
//! `other.requests().is_empty()`.
//!
//! ```no_run
//! # async fn demo() {
//! use zdkit_sim::hostile::{HostileServer, Reply};
//! let server = HostileServer::start().await;
//! server.push(Reply::status(503).header("Retry-After", "18446744073709551615"));
//! server.route("/api/v2/tickets", Reply::json(&serde_json::json!({"tickets": []})));
//! // ... point a client at server.url() ...
//! assert_eq!(server.requests().len(), 0);
//! # }
//! ```

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};
use zdkit_clock::{SharedClock, SystemClock};

/// What the hostile server sends back for one request.
#[derive(Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    body: ReplyBody,
    delay: Duration,
}

#[derive(Clone)]
enum ReplyBody {
    Bytes(Bytes),
    /// `chunk` repeated until `total` bytes were sent (the last chunk cut short).
    Stream {
        chunk: Bytes,
        total: u64,
    },
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = match &self.body {
            ReplyBody::Bytes(b) => format!("{} bytes", b.len()),
            ReplyBody::Stream { total, .. } => format!("stream of {total} bytes"),
        };
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("headers", &self.headers.len())
            .field("body", &body)
            .field("delay", &self.delay)
            .finish()
    }
}

impl Default for Reply {
    fn default() -> Self {
        Reply::status(200)
    }
}

impl Reply {
    /// An empty reply with this status (any number 100–999 the `http` crate accepts).
    pub fn status(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: ReplyBody::Bytes(Bytes::new()),
            delay: Duration::ZERO,
        }
    }

    /// `200` with a JSON body and `Content-Type: application/json`.
    pub fn json(value: &serde_json::Value) -> Self {
        Reply::status(200)
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(value).unwrap_or_default())
    }

    /// A redirect: `status` (e.g. 301, 302, 307) with `Location: location`.
    pub fn redirect(status: u16, location: &str) -> Self {
        Reply::status(status).header("Location", location)
    }

    /// Replace the status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Add a header (repeatable; the value may hold any byte the `http` crate allows).
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_owned(), value.as_ref().to_vec()));
        self
    }

    /// The body, verbatim.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = ReplyBody::Bytes(body.into());
        self
    }

    /// A streamed body of `total` bytes made of `chunk` repeated, generated lazily (a
    /// gigabyte costs the server one chunk of memory).
    pub fn streamed(mut self, chunk: impl Into<Bytes>, total: u64) -> Self {
        let chunk: Bytes = chunk.into();
        let chunk = if chunk.is_empty() {
            Bytes::from_static(b" ")
        } else {
            chunk
        };
        self.body = ReplyBody::Stream { chunk, total };
        self
    }

    /// Wait this long (on the server's clock) before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    fn into_response(self) -> Response {
        let body = match self.body {
            ReplyBody::Bytes(b) => Body::from(b),
            ReplyBody::Stream { chunk, total } => {
                let stream = futures_util::stream::unfold(total, move |left| {
                    let chunk = chunk.clone();
                    async move {
                        if left == 0 {
                            return None;
                        }
                        let n = usize::try_from(left.min(chunk.len() as u64)).unwrap_or(0);
                        Some((Ok::<_, Infallible>(chunk.slice(..n)), left - n as u64))
                    }
                });
                Body::from_stream(stream)
            }
        };
        let mut resp = Response::new(body);
        *resp.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in self.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(&value),
            ) {
                resp.headers_mut().append(n, v);
            }
        }
        resp
    }
}

/// One request as the hostile server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path only.
    pub path: String,
    /// The raw query string (without `?`), if any.
    pub query: Option<String>,
    /// Every header, in order, names lower-cased, values lossily decoded.
    pub headers: Vec<(String, String)>,
    /// The request body (read up to 16 MiB).
    pub body: Bytes,
}

impl Recorded {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Path plus `?query` when there is one.
    pub fn path_and_query(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }
}

type Handler = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

#[derive(Default)]
struct Script {
    queue: VecDeque<Reply>,
    routes: HashMap<String, Reply>,
    handler: Option<Handler>,
    log: Vec<Recorded>,
}

struct Shared {
    script: Mutex<Script>,
    clock: SharedClock,
}

/// A server on `127.0.0.1:<ephemeral>` that answers what it is told (see the module docs).
/// Dropping it stops the server.
pub struct HostileServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl fmt::Debug for HostileServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostileServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HostileServer {
    /// Start on a fresh port; delays wait on the system clock.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub async fn start() -> Self {
        Self::start_with_clock(SystemClock::shared()).await
    }

    /// Start on a fresh port; [`Reply::delay`]s wait on `clock` (share the client's manual
    /// clock so a delay costs no real time).
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub async fn start_with_clock(clock: SharedClock) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared {
            script: Mutex::new(Script::default()),
            clock,
        });
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        HostileServer { addr, shared, task }
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `host:port`, handy for building scheme-relative links (`//host:port/...`).
    pub fn authority(&self) -> String {
        self.addr.to_string()
    }

    fn script(&self) -> std::sync::MutexGuard<'_, Script> {
        self.shared
            .script
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Answer the next request (whatever its path) with `reply`; queued replies go first,
    /// in order.
    pub fn push(&self, reply: Reply) -> &Self {
        self.script().queue.push_back(reply);
        self
    }

    /// Answer every request for `path` (query ignored) with `reply`, once the queue is empty.
    pub fn route(&self, path: &str, reply: Reply) -> &Self {
        self.script().routes.insert(path.to_owned(), reply);
        self
    }

    /// Answer whatever neither the queue nor a route answers by calling `f`.
    pub fn handler(&self, f: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> &Self {
        self.script().handler = Some(Arc::new(f));
        self
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.script().log.clone()
    }

    /// How many requests arrived so far.
    pub fn request_count(&self) -> usize {
        self.script().log.len()
    }
}

async fn answer(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let rec = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let reply = {
        let mut s = shared
            .script
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.log.push(rec.clone());
        if let Some(r) = s.queue.pop_front() {
            Some(r)
        } else if let Some(r) = s.routes.get(&rec.path) {
            Some(r.clone())
        } else {
            s.handler.clone().map(|h| (h)(&rec))
        }
    };
    let reply = reply.unwrap_or_else(|| {
        Reply::status(404)
            .header("Content-Type", "application/json")
            .body(&br#"{"error":"InvalidEndpoint","description":"Not found"}"#[..])
    });
    if !reply.delay.is_zero() {
        shared.clock.sleep(reply.delay).await;
    }
    reply.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(url: &str) -> (u16, Vec<u8>) {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = client.get(url).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.bytes().await.unwrap().to_vec())
    }

    #[tokio::test]
    async fn queue_then_route_then_handler_then_404_and_everything_is_recorded() {
        let s = HostileServer::start().await;
        s.push(Reply::status(302).header("Location", "https://elsewhere/"));
        s.route("/a", Reply::json(&serde_json::json!({"ok": true})));
        s.handler(|r| Reply::status(201).body(r.path.clone()));
        assert_eq!(get(&format!("{}/a", s.url())).await.0, 302);
        assert_eq!(
            get(&format!("{}/a?x=1", s.url())).await.1,
            br#"{"ok":true}"#
        );
        assert_eq!(get(&format!("{}/b", s.url())).await, (201, b"/b".to_vec()));
        let log = s.requests();
        assert_eq!(log.len(), 3);
        assert_eq!(log[1].query.as_deref(), Some("x=1"));
        assert_eq!(log[1].path_and_query(), "/a?x=1");
        assert!(log[0].header("host").is_some());
    }

    #[tokio::test]
    async fn a_streamed_body_has_exactly_the_asked_length() {
        let s = HostileServer::start().await;
        s.push(Reply::status(200).streamed("abc".repeat(1000), 1_000_001));
        let (_, body) = get(&s.url()).await;
        assert_eq!(body.len(), 1_000_001);
        assert_eq!(&body[..6], b"abcabc");
        assert_eq!(get(&s.url()).await.0, 404);
    }
}
