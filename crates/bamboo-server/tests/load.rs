//! The load test: thousands of `POST /api/advise` (the 12 cases of
//! `shared/cases/vietnam.toml`) at concurrency 32 against a real server on 127.0.0.1, bounded
//! in count and time, with zero errors allowed. `benches/load.rs` is the same run, longer, in
//! release mode, for the figures in BENCHMARKS.md.

#![allow(clippy::print_stderr)] // says on stderr what it measured or skipped

mod common;
#[path = "common/load.rs"]
mod load;

use std::time::Duration;

use axum::body::Bytes;
use bamboo_data::ledger_db::LedgerDb;
use bamboo_server::Limits;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_advise_requests_at_concurrency_32_without_an_error() {
    let cases = std::fs::read(workspace_root().join("../shared/cases/vietnam.toml")).unwrap();
    let state = state_with(Limits::default(), LedgerDb::open_in_memory().unwrap().0);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bamboo_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let r = load::run(
        addr,
        "/api/advise",
        "application/toml",
        Bytes::from(cases),
        2000,
        32,
        Duration::from_secs(120),
    )
    .await;
    eprintln!("load test: {}", r.summary());
    assert_eq!(r.errors, 0, "first error: {:?}", r.first_error);
    assert_eq!(r.ok, 2000);
    // Graceful shutdown returns once the connections are idle.
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops within 10 s of the shutdown signal")
        .unwrap()
        .unwrap();
}
