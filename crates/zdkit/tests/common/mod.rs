//! A tiny scripted HTTP/1.1 server for scenario tests: raw TCP, so it can also hang up
//! mid-request and truncate bodies. (Stands in for zdkit-sim until the simulator serves.)
#![allow(dead_code)]

pub mod lockstep;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zdkit::{ManualClock, SharedClock, Timestamp};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Timestamp,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Action {
    Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close the connection without answering.
    Hangup,
    /// Declare `declared` bytes of body, send `body`, close.
    Truncate {
        status: u16,
        declared: usize,
        body: Vec<u8>,
    },
}

pub fn json(status: u16, body: &str) -> Action {
    Action::Reply {
        status,
        headers: vec![(
            "content-type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body: body.as_bytes().to_vec(),
    }
}

pub fn with_header(action: Action, name: &str, value: &str) -> Action {
    match action {
        Action::Reply {
            status,
            mut headers,
            body,
        } => {
            headers.push((name.into(), value.into()));
            Action::Reply {
                status,
                headers,
                body,
            }
        }
        other => other,
    }
}

type Handler = dyn Fn(&Recorded) -> Action + Send + Sync;

pub struct Mock {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Recorded>>>,
}

impl Mock {
    /// Serve `handler` on 127.0.0.1:0, stamping requests with `clock`.
    pub async fn start(
        clock: SharedClock,
        handler: impl Fn(&Recorded) -> Action + Send + Sync + 'static,
    ) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log2 = log.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let (h, l, c) = (handler.clone(), log2.clone(), clock.clone());
                tokio::spawn(async move { serve_conn(sock, h, l, c).await });
            }
        });
        Mock { addr, log }
    }

    /// Serve `actions` in order; afterwards every request gets a readable 599.
    pub async fn script(clock: SharedClock, actions: Vec<Action>) -> Mock {
        let queue = Mutex::new(VecDeque::from(actions));
        Mock::start(clock, move |r| {
            queue.lock().unwrap().pop_front().unwrap_or_else(|| {
                json(599, &format!(r#"{{"error":"route not hit","description":"no scripted reply for {} {}"}}"#, r.method, r.path))
            })
        })
        .await
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }
}

async fn serve_conn(
    mut sock: TcpStream,
    handler: Arc<Handler>,
    log: Arc<Mutex<Vec<Recorded>>>,
    clock: SharedClock,
) {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        // Read one request head.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 8192];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let method = first.next().unwrap_or("").to_owned();
        let path = first.next().unwrap_or("").to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + len {
            let mut chunk = [0u8; 8192];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[head_end..head_end + len].to_vec();
        buf.drain(..head_end + len);
        let rec = Recorded {
            method,
            path,
            headers,
            body,
            at: clock.now(),
        };
        let action = handler(&rec);
        log.lock().unwrap().push(rec);
        match action {
            Action::Reply {
                status,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                if !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("x-zendesk-request-id"))
                {
                    out.push_str("x-zendesk-request-id: req-0123456789abcdef\r\n");
                }
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&body);
                if sock.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Action::Hangup => return,
            Action::Truncate {
                status,
                declared,
                body,
            } => {
                let mut bytes =
                    format!("HTTP/1.1 {status} X\r\ncontent-length: {declared}\r\n\r\n")
                        .into_bytes();
                bytes.extend_from_slice(&body);
                let _ = sock.write_all(&bytes).await;
                return;
            }
        }
    }
}

pub const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_040);

pub fn clock() -> ManualClock {
    ManualClock::auto_advancing(T0)
}
