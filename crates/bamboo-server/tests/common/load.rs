//! A bounded load generator on loopback: `requests` POSTs of one body at a fixed
//! concurrency over keep-alive HTTP/1.1 connections, each request timed. Shared by the load
//! test (`tests/load.rs`) and the load benchmark (`benches/load.rs`).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// What a run measured.
#[derive(Debug)]
pub struct LoadReport {
    pub requests: usize,
    pub concurrency: usize,
    pub ok: usize,
    /// Answers that were not 200, and transport failures, with a sample message.
    pub errors: usize,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    /// Latencies of the successful requests, sorted.
    pub latencies: Vec<Duration>,
}

impl LoadReport {
    pub fn quantile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * q).round() as usize;
        self.latencies[i]
    }

    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    pub fn summary(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        format!(
            "{} requests at concurrency {}: {} ok, {} errors in {:.2} s = {:.0} req/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.requests,
            self.concurrency,
            self.ok,
            self.errors,
            self.elapsed.as_secs_f64(),
            self.throughput(),
            ms(self.quantile(0.5)),
            ms(self.quantile(0.9)),
            ms(self.quantile(0.99)),
            ms(self.latencies.last().copied().unwrap_or_default()),
        )
    }
}

/// Sends `requests` POSTs of `body` (GETs when `body` is empty) to `http://addr{path}` with
/// `concurrency` workers; stops early (counting the rest as errors) once `deadline` has
/// passed.
pub async fn run(
    addr: SocketAddr,
    path: &str,
    content_type: &str,
    body: Bytes,
    requests: usize,
    concurrency: usize,
    deadline: Duration,
) -> LoadReport {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(concurrency)
        .build_http();
    let next = Arc::new(AtomicUsize::new(0));
    let uri: hyper::Uri = format!("http://{addr}{path}").parse().unwrap();
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, next, uri, body) = (client.clone(), next.clone(), uri.clone(), body.clone());
        let ct = content_type.to_string();
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            let mut first_error = None;
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                if start.elapsed() > deadline {
                    errors += 1;
                    first_error.get_or_insert_with(|| "deadline passed".to_string());
                    continue;
                }
                let req = if body.is_empty() {
                    hyper::Request::get(uri.clone()).body(Full::new(Bytes::new()))
                } else {
                    hyper::Request::post(uri.clone())
                        .header("content-type", ct.as_str())
                        .body(Full::new(body.clone()))
                }
                .unwrap();
                let t = Instant::now();
                match client.request(req).await {
                    Ok(resp) => {
                        let status = resp.status();
                        match resp.into_body().collect().await.map(|b| b.to_bytes()) {
                            Ok(b) if status == 200 && !b.is_empty() => lat.push(t.elapsed()),
                            Ok(b) => {
                                errors += 1;
                                first_error.get_or_insert_with(|| {
                                    format!("{status}: {}", String::from_utf8_lossy(&b))
                                });
                            }
                            Err(e) => {
                                errors += 1;
                                first_error.get_or_insert_with(|| e.to_string());
                            }
                        }
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| e.to_string());
                    }
                }
            }
            (lat, errors, first_error)
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    let mut errors = 0;
    let mut first_error = None;
    for w in workers {
        let (l, e, f) = w.await.unwrap();
        latencies.extend(l);
        errors += e;
        if first_error.is_none() {
            first_error = f;
        }
    }
    let elapsed = start.elapsed();
    latencies.sort_unstable();
    LoadReport {
        requests,
        concurrency,
        ok: latencies.len(),
        errors,
        first_error,
        elapsed,
        latencies,
    }
}
