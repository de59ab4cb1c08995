//! The load benchmark behind BENCHMARKS.md: `POST /api/advise` with the 12 cases of
//! `shared/cases/vietnam.toml`, at concurrency 32, against the real server (`app` served by
//! `serve` on 127.0.0.1, client and server in one process on the same cores), after a
//! warm-up. Bounded: BAMBOO_LOAD_REQUESTS requests (default 10,000), 300 s at most.
//!
//! Run: `cargo bench -p bamboo-server --bench load`. With `BAMBOO_LOAD_ADDR=127.0.0.1:PORT`
//! it loads a `bamboo serve` already running there instead (client and server then in
//! separate processes).

#![allow(clippy::print_stdout)] // prints its results for the person who ran it

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/load.rs"]
mod load;

use std::time::Duration;

use axum::body::Bytes;
use bamboo_data::ledger_db::LedgerDb;
use bamboo_server::Limits;

fn main() {
    // `cargo bench` passes --bench; a plain `cargo test --benches` passes nothing.
    let requests: usize = std::env::var("BAMBOO_LOAD_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let cases = std::fs::read(common::workspace_root().join("../shared/cases/vietnam.toml"))
            .expect("../shared/cases/vietnam.toml");
        let state = common::state_with(Limits::default(), LedgerDb::open_in_memory().unwrap().0);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(bamboo_server::serve(
            listener,
            state,
            std::future::pending(),
        ));
        let body = Bytes::from(cases);
        let warm = load::run(
            addr,
            "/api/advise",
            "application/toml",
            body.clone(),
            500,
            32,
            Duration::from_secs(60),
        )
        .await;
        assert_eq!(warm.errors, 0, "warm-up: {:?}", warm.first_error);
        let r = load::run(
            addr,
            "/api/advise",
            "application/toml",
            body,
            requests,
            32,
            Duration::from_secs(300),
        )
        .await;
        println!("POST /api/advise (12 cases): {}", r.summary());
        assert_eq!(r.errors, 0, "first error: {:?}", r.first_error);
        // Reads, for comparison: a balance series as JSON, its chart, one year's heatmap.
        for path in [
            "/api/balance/VNM",
            "/api/chart/balance/VNM.svg",
            "/api/chart/heatmap.svg?year=2021&region=Asia",
        ] {
            let n = requests / 5;
            let r = load::run(
                addr,
                path,
                "",
                Bytes::new(),
                n,
                32,
                Duration::from_secs(300),
            )
            .await;
            println!("GET {path}: {}", r.summary());
            assert_eq!(r.errors, 0, "first error: {:?}", r.first_error);
        }
    });
}
