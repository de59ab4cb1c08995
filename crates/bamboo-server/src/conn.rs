//! The connection loop: accepts TCP connections and serves HTTP/1.1 on each, bounded.
//!
//! - At most [`Limits::max_connections`] connections are served at once; one more is
//!   answered `503` (JSON, `Retry-After`) and closed (in a flood, beyond 256 such answers at
//!   once, closed without one), so a flood of connections cannot starve the others or
//!   exhaust file descriptors.
//! - A client has [`Limits::header_timeout`] to send a request's headers (this also closes
//!   an idle keep-alive connection): a connection that never finishes its headers (slowloris)
//!   is closed, not held. The request timeout then bounds the rest of the request.
//! - Requests hyper itself refuses before they reach the router (a malformed request line or
//!   header: 400; headers beyond the read buffer: 431; a URI beyond hyper's limit: 414) come
//!   out of hyper with an empty body; [`JsonErrorIo`] gives them the same JSON
//!   `{"error": ...}` body as every other error.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::limits::Limits;

/// The most bytes of a request's line and headers (431 beyond).
pub const MAX_HEAD_BYTES: usize = 32 * 1024;

/// The most connections being answered 503 at once (each for at most about a second).
const MAX_REFUSALS: usize = 256;

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting, closes idle
/// connections and waits for the requests in flight (each bounded by the request timeout).
pub async fn serve_connections(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let refusals = Arc::new(tokio::sync::Semaphore::new(MAX_REFUSALS));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors or a connection reset while queued: wait a
                    // little and go on accepting (never a busy loop, never an exit).
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, limit = limits.max_connections, "connection refused: too many connections");
            // The 503 answers are bounded too: in a flood, the rest are closed at once.
            if let Ok(refusing) = refusals.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    refuse(stream).await;
                    drop(refusing);
                });
            }
            continue;
        };
        let svc = TowerToHyperService::new(app.clone());
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .max_header_size(MAX_HEAD_BYTES)
            .serve_connection(JsonErrorIo::new(TokioIo::new(stream)), svc);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, "connection ended: {e}");
            }
            drop(slot);
        });
    }
    drop(listener);
    // Requests in flight are bounded by the request timeout; a connection still sending its
    // headers by the header timeout.
    let bound = limits.request_timeout + limits.header_timeout + Duration::from_secs(1);
    if tokio::time::timeout(bound, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open at shutdown were dropped");
    }
    Ok(())
}

/// The answer to a connection beyond the limit: a 503 in JSON, then close. The request is
/// read first (briefly), so that the client sees the answer rather than a reset.
async fn refuse(mut stream: TcpStream) {
    let body = r#"{"error":"the server has as many connections as it serves at once; try again in a moment"}"#;
    let resp = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await;
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let _ = stream.write_all(resp.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

/// A connection's bytes, with the answers hyper writes on its own for requests it could not
/// parse (400, 414, 431, with `content-length: 0`) given a JSON body. Everything else passes
/// through unchanged: the router's own error answers always carry a JSON body, so an empty
/// 400, 414 or 431 can only be hyper's.
pub struct JsonErrorIo<T> {
    inner: T,
    /// A rewritten answer still to be written, and how much of it is.
    pending: Vec<u8>,
    written: usize,
}

impl<T> JsonErrorIo<T> {
    pub fn new(inner: T) -> Self {
        JsonErrorIo {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

/// The JSON answer for a response head hyper wrote without a body, if it is one of its own
/// parse-error answers.
pub fn rewrite_parse_error(buf: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(buf).ok()?;
    let head_end = text.find("\r\n\r\n")?;
    if head_end + 4 != text.len() {
        return None;
    }
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| text.strip_prefix("HTTP/1.0 "))?;
    let message = match status.get(..3)? {
        "400" => "the request is not valid HTTP/1.1 (a malformed request line or header); nothing was done",
        "414" => "the request's URI is longer than this server accepts",
        "431" => "the request's headers are larger than this server accepts (32 KiB, 100 headers at most)",
        _ => return None,
    };
    let lower = text.to_ascii_lowercase();
    let cl = lower.find("\r\ncontent-length: 0\r\n")?;
    let body = serde_json::json!({ "error": message }).to_string();
    let mut out = String::with_capacity(text.len() + body.len() + 100);
    out.push_str(&text[..cl]);
    out.push_str(&format!(
        "\r\ncontent-type: application/json\r\nx-content-type-options: nosniff\r\ncontent-length: {}\r\n",
        body.len()
    ));
    out.push_str(&text[cl + "\r\ncontent-length: 0\r\n".len()..head_end]);
    out.push_str("\r\n\r\n");
    out.push_str(&body);
    Some(out.into_bytes())
}

impl<T: Write + Unpin> JsonErrorIo<T> {
    /// Writes what is pending; Ready(Ok) once all of it is out.
    fn flush_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = match Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            };
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: Read + Unpin> Read for JsonErrorIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: Write + Unpin> Write for JsonErrorIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if !this.pending.is_empty() {
            match this.flush_pending(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        if let Some(json) = rewrite_parse_error(buf) {
            this.pending = json;
            this.written = 0;
            // Accepted whole; written out by this and the next calls, and by flush.
            if let Poll::Ready(Err(e)) = this.flush_pending(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match this.flush_pending(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match this.flush_pending(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_shutdown(cx),
            other => other,
        }
    }

    // One buffer per write, so that a whole response head is seen at once.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_empty_error_answers_get_a_json_body_and_others_pass() {
        let head = "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(rewrite_parse_error(head.as_bytes()).unwrap()).unwrap();
        let (h, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(h.starts_with("HTTP/1.1 431 "));
        assert!(h.contains("content-type: application/json"));
        assert!(h.contains(&format!("content-length: {}", body.len())));
        assert!(h.contains("date: Mon"));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(v["error"].as_str().unwrap().contains("headers are larger"));
        for pass in [
            // The router's own answers have bodies.
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 20\r\n\r\n",
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{\"error\":\"x\"}",
            "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n",
        ] {
            assert!(rewrite_parse_error(pass.as_bytes()).is_none(), "{pass}");
        }
    }
}
