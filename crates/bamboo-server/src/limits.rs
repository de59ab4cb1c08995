//! What the server refuses to do, so that no request can make it hang or exhaust memory: a
//! leaf that the connection loop, the middleware and the simulation queue all read.

use std::time::Duration;

/// What the server refuses to do, so that no request can make it hang or exhaust memory.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Limits {
    /// The largest request body accepted, in bytes (413 beyond).
    pub body_bytes: usize,
    /// The longest a request may take before it is stopped (408).
    #[serde(serialize_with = "millis")]
    pub request_timeout: Duration,
    /// The longest a client may take to send a request's headers (the connection is closed
    /// after it; an idle keep-alive connection too).
    #[serde(serialize_with = "millis")]
    pub header_timeout: Duration,
    /// The most connections served at once (one more is answered 503 and closed).
    pub max_connections: usize,
    /// The longest request URI accepted, in bytes (414 beyond).
    pub uri_bytes: usize,
    /// The most cases one advise or backtest request may carry (422 beyond).
    pub max_cases: usize,
    /// The most simulated runs (replicates) per doctrine one request may ask for (422 beyond).
    pub sim_max_runs: u32,
    /// The most years one simulation may cover (422 beyond).
    pub sim_max_years: u32,
    /// The most doctrines one simulation may compare (422 beyond).
    pub sim_max_doctrines: usize,
    /// The most work one simulation may ask for, runs × years × doctrines (422 beyond):
    /// 240,000 run-years take about 1.3 s on this project's 2-core machine (release build,
    /// measured in BENCHMARKS.md).
    pub sim_max_work: u64,
    /// The most simulations waiting for the one running (503 with `Retry-After` beyond).
    pub sim_queue: usize,
    /// The most ledger events one page of a listing holds (`next` gives the next page).
    pub max_events: usize,
    /// The most bytes of JSON events one page of a listing holds.
    pub max_answer_bytes: usize,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(5),
            max_connections: 512,
            uri_bytes: 8 * 1024,
            max_cases: 500,
            sim_max_runs: 2000,
            sim_max_years: 50,
            sim_max_doctrines: 4,
            sim_max_work: 240_000,
            sim_queue: 2,
            max_events: 500,
            max_answer_bytes: 1024 * 1024,
        }
    }
}
