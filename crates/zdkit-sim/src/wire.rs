//! The connection layer under hyper: requests as people type them, and no empty 400s.
//!
//! * **Raw characters in the request target.** `curl -g
//!   '.../search/export?query=created>2024-01-01'` sends `>` unencoded, and so do other
//!   hand-written clients with `<`, `"` or a backtick; real Zendesk answers such
//!   requests, but the `http` crate rejects them, and hyper then answers an empty 400.
//!   [`Conn`] percent-encodes those bytes (and any control or non-ASCII byte) in the
//!   request line before hyper parses it, which is what a browser or a careful client
//!   would have sent: `>` becomes `%3E` and decodes back to `>`.
//! * **Rejections with a body.** A request hyper still rejects (a malformed request line
//!   or header) gets hyper's empty `400 Bad Request`; [`Conn`] replaces that with a
//!   Zendesk-shaped JSON body, `{"error":"InvalidRequest","description":…}`.
//!
//! Only the request line is rewritten: [`Conn`] follows HTTP/1.1 framing (`Content-Length`
//! bodies are passed through untouched) and, on anything it does not model (a chunked
//! body, an upgrade, a line too long), passes the rest of the connection through as is.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The longest header line whose contents [`Conn`] reads (longer ones pass through).
const MAX_LINE: usize = 8 * 1024;

/// A listener whose connections are [`Conn`]s.
#[derive(Debug)]
pub(crate) struct Listener(pub TcpListener);

impl axum::serve::Listener for Listener {
    type Io = Conn<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((io, addr)) => {
                    let _ = io.set_nodelay(true);
                    return (Conn::new(io), addr);
                }
                Err(e) => {
                    // Out of file descriptors and the like: let other tasks run, then retry.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::task::yield_now().await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// Where the reader is in the HTTP/1.1 request stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The method (or blank lines before a request).
    Method,
    /// The request target: bytes hyper would reject are percent-encoded.
    Target,
    /// The rest of the request line.
    Version,
    /// Header lines.
    Headers,
    /// `n` body bytes left.
    Body(u64),
    /// Anything not modelled: pass everything through.
    Raw,
}

/// A connection whose request lines are made acceptable to hyper and whose empty 400s
/// get a JSON body (see the module docs).
#[derive(Debug)]
pub(crate) struct Conn<T> {
    io: T,
    state: State,
    /// Rewritten bytes not yet handed to the reader.
    out: Vec<u8>,
    out_pos: usize,
    /// The current header line (up to [`MAX_LINE`]).
    line: Vec<u8>,
    content_length: u64,
    chunked: bool,
    /// A rewritten response not yet fully written.
    pending: Vec<u8>,
    pending_pos: usize,
}

impl<T> Conn<T> {
    pub(crate) fn new(io: T) -> Self {
        Conn {
            io,
            state: State::Method,
            out: Vec::new(),
            out_pos: 0,
            line: Vec::new(),
            content_length: 0,
            chunked: false,
            pending: Vec::new(),
            pending_pos: 0,
        }
    }
}

/// Whether hyper (the `http` crate) rejects byte `b` in a request target.
fn needs_encoding(b: u8) -> bool {
    matches!(b, 0..=0x1f | b'"' | b'<' | b'>' | b'`' | 0x7f..=0xff) && b != b'\r'
}

fn push_encoded(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
}

impl<T> Conn<T> {
    /// Rewrites `input` (bytes just read) into `self.out`.
    fn feed(&mut self, input: &[u8]) {
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            match self.state {
                State::Raw => {
                    self.out.extend_from_slice(&input[i..]);
                    return;
                }
                State::Body(n) => {
                    let take = usize::try_from(n)
                        .unwrap_or(usize::MAX)
                        .min(input.len() - i);
                    self.out.extend_from_slice(&input[i..i + take]);
                    i += take;
                    let left = n - take as u64;
                    self.state = if left == 0 {
                        State::Method
                    } else {
                        State::Body(left)
                    };
                    continue;
                }
                State::Method => {
                    self.out.push(b);
                    if b == b' ' {
                        self.state = State::Target;
                    }
                }
                State::Target => {
                    if b == b' ' {
                        self.out.push(b);
                        self.state = State::Version;
                    } else if b == b'\n' {
                        // No version (HTTP/0.9): let hyper reject it.
                        self.out.push(b);
                        self.state = State::Raw;
                    } else if needs_encoding(b) {
                        push_encoded(&mut self.out, b);
                    } else {
                        self.out.push(b);
                    }
                }
                State::Version => {
                    self.out.push(b);
                    if b == b'\n' {
                        self.state = State::Headers;
                        self.line.clear();
                        self.content_length = 0;
                        self.chunked = false;
                    }
                }
                State::Headers => {
                    self.out.push(b);
                    if b == b'\n' {
                        self.end_header_line();
                    } else if self.line.len() < MAX_LINE {
                        self.line.push(b);
                    }
                }
            }
            i += 1;
        }
    }

    fn end_header_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        if line.is_empty() {
            self.state = if self.chunked {
                State::Raw
            } else if self.content_length > 0 {
                State::Body(self.content_length)
            } else {
                State::Method
            };
            return;
        }
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            return;
        };
        let name = &line[..colon];
        let value = String::from_utf8_lossy(&line[colon + 1..]);
        let value = value.trim();
        if name.eq_ignore_ascii_case(b"content-length") {
            match value.parse::<u64>() {
                Ok(n) => self.content_length = n,
                Err(_) => self.state = State::Raw,
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding")
            || name.eq_ignore_ascii_case(b"upgrade")
        {
            self.chunked = true;
        }
    }
}

/// hyper's answer to a request it could not parse: `400 Bad Request`, no body.
fn is_empty_400(buf: &[u8]) -> bool {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    head.starts_with("http/1.1 400 ")
        && head.contains("\r\ncontent-length: 0")
        && end + 4 == buf.len()
}

/// The JSON body put in place of hyper's empty 400.
const REJECTED_BODY: &str = r#"{"error":"InvalidRequest","description":"The request could not be parsed: its request line or a header is malformed (characters such as spaces or quotes in a URL must be percent-encoded)."}"#;

fn rejected_response() -> Vec<u8> {
    format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{REJECTED_BODY}",
        REJECTED_BODY.len()
    )
    .into_bytes()
}

impl<T: AsyncRead + Unpin> AsyncRead for Conn<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.out_pos < this.out.len() {
                let n = (this.out.len() - this.out_pos).min(buf.remaining());
                buf.put_slice(&this.out[this.out_pos..this.out_pos + n]);
                this.out_pos += n;
                if this.out_pos == this.out.len() {
                    this.out.clear();
                    this.out_pos = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.state == State::Raw || matches!(this.state, State::Body(_)) {
                // Nothing to rewrite: read straight into the caller's buffer when it can
                // hold it all (bodies are the bulk of the bytes).
                if let State::Body(n) = this.state {
                    if (buf.remaining() as u64) <= n {
                        let before = buf.filled().len();
                        let r = Pin::new(&mut this.io).poll_read(cx, buf);
                        if let Poll::Ready(Ok(())) = r {
                            let got = (buf.filled().len() - before) as u64;
                            this.state = if got == n {
                                State::Method
                            } else {
                                State::Body(n - got)
                            };
                        }
                        return r;
                    }
                } else {
                    return Pin::new(&mut this.io).poll_read(cx, buf);
                }
            }
            let mut tmp = [0u8; 8192];
            let mut rb = ReadBuf::new(&mut tmp);
            match Pin::new(&mut this.io).poll_read(cx, &mut rb) {
                Poll::Ready(Ok(())) => {
                    let filled = rb.filled();
                    if filled.is_empty() {
                        return Poll::Ready(Ok(())); // EOF
                    }
                    let data = filled.to_vec();
                    this.feed(&data);
                }
                other => return other,
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> Conn<T> {
    /// Writes what is left of `pending`; `Ready(Ok)` once it is all out.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.pending_pos < self.pending.len() {
            match Pin::new(&mut self.io).poll_write(cx, &self.pending[self.pending_pos..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => self.pending_pos += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        self.pending.clear();
        self.pending_pos = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Conn<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match this.drain(cx) {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        }
        if is_empty_400(buf) {
            this.pending = rejected_response();
            this.pending_pos = 0;
            // The caller's bytes are accepted; ours go out in their place.
            return match this.drain(cx) {
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                _ => Poll::Ready(Ok(buf.len())),
            };
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match this.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.io).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match this.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.io).poll_shutdown(cx),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(chunks: &[&[u8]]) -> Vec<u8> {
        let mut c = Conn::new(());
        for ch in chunks {
            c.feed(ch);
        }
        c.out
    }

    #[test]
    fn raw_characters_in_the_target_are_percent_encoded() {
        let req = b"GET /api/v2/search/export?query=created>2024-01-01+\"x\"<`y` HTTP/1.1\r\nHost: a\r\n\r\n";
        let out = String::from_utf8(rewrite(&[req])).unwrap();
        assert_eq!(
            out,
            "GET /api/v2/search/export?query=created%3E2024-01-01+%22x%22%3C%60y%60 HTTP/1.1\r\nHost: a\r\n\r\n"
        );
    }

    #[test]
    fn brackets_stay_and_headers_and_bodies_are_untouched() {
        let req: &[u8] = b"POST /x?page[size]=1&q=a>b HTTP/1.1\r\nContent-Length: 7\r\n\r\n{\"a\":>}GET /y?q=<1 HTTP/1.1\r\nX: <>\r\n\r\n";
        // Split at every byte: the state machine must not depend on chunking.
        let chunks: Vec<&[u8]> = req.chunks(1).collect();
        let out = String::from_utf8(rewrite(&chunks)).unwrap();
        assert_eq!(
            out,
            "POST /x?page[size]=1&q=a%3Eb HTTP/1.1\r\nContent-Length: 7\r\n\r\n{\"a\":>}GET /y?q=%3C1 HTTP/1.1\r\nX: <>\r\n\r\n"
        );
    }

    #[test]
    fn chunked_bodies_switch_to_pass_through() {
        let req: &[u8] = b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n<>\"\r\n0\r\n\r\nGET /a<b HTTP/1.1\r\n";
        let out = rewrite(&[req]);
        assert_eq!(out, req);
    }

    #[test]
    fn only_hypers_empty_400_is_replaced() {
        assert!(is_empty_400(
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: x\r\n\r\n"
        ));
        assert!(!is_empty_400(
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n{\"error\":1}"
        ));
        assert!(!is_empty_400(
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
        ));
        let r = String::from_utf8(rejected_response()).unwrap();
        let body = r.split("\r\n\r\n").nth(1).unwrap();
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["error"], "InvalidRequest");
    }
}
