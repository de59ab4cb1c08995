//! Fuzz targets for every request body: mutations of real bodies (the shipped cases as TOML
//! and JSON for advise and backtest, a simulation request, a ledger event) sent to the real
//! router. Each answer must be a success or a JSON error that names the field or the line
//! and key, never a 5xx, a panic or a hang. The quick fixed-seed run is part of `cargo test`;
//! `BAMBOO_MUTANTS=5000 cargo test -p bamboo-server --test mutants --release -- --nocapture`
//! runs longer (any seed with `BAMBOO_MUTANTS_SEED`).

#![allow(clippy::print_stderr)] // prints each target's tally

mod common;
#[path = "../../bamboo-data/tests/mutate/mod.rs"]
mod mutate;

use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use bamboo_data::ledger_db::LedgerDb;
use bamboo_server::{app, Limits};
use common::*;
use mutate::{run, Outcome};

const QUICK: usize = 200;

/// Small simulations only, so that a valid mutant costs milliseconds.
fn router_for_mutants() -> Router {
    app(state_with(
        Limits {
            sim_max_work: 5_000,
            ..Limits::default()
        },
        LedgerDb::open_in_memory().unwrap().0,
    ))
}

/// Sends one body and judges the answer.
fn judge(app: &Router, path: &str, content_type: &str, body: Vec<u8>, token: bool) -> Outcome {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut r = Request::post(path).header(header::CONTENT_TYPE, content_type);
    if token {
        r = r.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    }
    let body_copy = body.clone();
    let a = rt.block_on(send(app, r.body(Body::from(body)).unwrap()));
    let s = a.status.as_u16();
    if s < 400 {
        return Outcome::Valid;
    }
    if s >= 500 {
        return Outcome::BadResult(format!(
            "{s}: {} BODY={:?}",
            a.text(),
            String::from_utf8_lossy(&body_copy[..body_copy.len().min(200)])
        ));
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&a.body) else {
        return Outcome::BadResult(format!("{s} not JSON: {}", a.text()));
    };
    let msg = v["error"].as_str().unwrap_or("");
    if msg.trim().is_empty() || msg.contains('\n') {
        return Outcome::Unlocated(format!("{s}: {v}"));
    }
    let has_field = v["field"].as_str().is_some_and(|f| !f.is_empty());
    // A body too broken for any field (not UTF-8 at its start, say) still names the line.
    let has_line = msg.starts_with("request body:") && msg.contains("key `");
    if has_field || has_line || is_whole_request_problem(s, msg) {
        Outcome::Located
    } else {
        Outcome::Unlocated(format!(
            "{s}: {msg} BODY={:?}",
            String::from_utf8_lossy(&body_copy[..body_copy.len().min(120)])
        ))
    }
}

/// Problems with the request as a whole, not one of its fields, which therefore name none:
/// a simulation beyond the work limit (runs × years × doctrines), too many cases, an event
/// already recorded (409).
fn is_whole_request_problem(status: u16, msg: &str) -> bool {
    status == 409
        || (status == 422
            && (msg.contains("run-years is beyond") || msg.contains("cases is beyond")))
}

fn report(t: &mutate::Tally) {
    report_at(t, 0.99);
}

fn report_at(t: &mutate::Tally, share: f64) {
    eprintln!("{}", t.summary());
    t.check(share);
}

/// Small JSON bodies cut before their first complete key (`{"da`) hold no key to name: the
/// error names the line only.
const SMALL_JSON_SHARE: f64 = 0.97;

fn shipped(rel: &str) -> Vec<u8> {
    std::fs::read(workspace_root().join(rel)).unwrap()
}

fn cases_json(rel: &str) -> Vec<u8> {
    let v: toml::Value = toml::from_str(&String::from_utf8(shipped(rel)).unwrap()).unwrap();
    serde_json::to_string_pretty(&v).unwrap().into_bytes()
}

#[test]
fn advise_bodies() {
    let app = router_for_mutants();
    let bases = vec![
        (
            "vietnam.toml".to_string(),
            shipped("../shared/cases/vietnam.toml"),
        ),
        ("india.toml".to_string(), shipped("data/cases/india.toml")),
    ];
    let t = run(
        "POST /api/advise (TOML)",
        &bases,
        mutate::count(QUICK),
        b'=',
        move |_, b| judge(&app, "/api/advise", "application/toml", b, false),
    );
    report(&t);
}

#[test]
fn advise_bodies_as_json() {
    let app = router_for_mutants();
    let bases = vec![(
        "vietnam.json".to_string(),
        cases_json("../shared/cases/vietnam.toml"),
    )];
    let t = run(
        "POST /api/advise (JSON)",
        &bases,
        mutate::count(QUICK),
        b':',
        move |_, b| judge(&app, "/api/advise", "application/json", b, false),
    );
    report(&t);
}

#[test]
fn backtest_bodies() {
    let app = router_for_mutants();
    let bases = vec![(
        "vietnam-record.toml".to_string(),
        shipped("data/cases/vietnam-record.toml"),
    )];
    let t = run(
        "POST /api/backtest",
        &bases,
        mutate::count(QUICK / 2),
        b'=',
        move |_, b| judge(&app, "/api/backtest", "application/toml", b, false),
    );
    report(&t);
}

#[test]
fn simulate_bodies() {
    let app = router_for_mutants();
    let base = serde_json::to_string_pretty(&serde_json::json!({
        "world": "default",
        "doctrines": ["vietnam", "neutral"],
        "runs": 40,
        "years": 5,
        "seed": 7,
    }))
    .unwrap();
    let bases = vec![("simulate.json".to_string(), base.into_bytes())];
    let t = run(
        "POST /api/simulate",
        &bases,
        mutate::count(QUICK),
        b':',
        move |_, b| judge(&app, "/api/simulate", "application/json", b, false),
    );
    report_at(&t, SMALL_JSON_SHARE);
}

#[test]
fn ledger_event_bodies() {
    let app = router_for_mutants();
    let bases: Vec<(String, Vec<u8>)> = [
        serde_json::json!({
            "date": "2016-05-23", "kind": "visit", "actors": ["VNM", "USA"],
            "title": "US President visits Hanoi", "sources": ["https://example.org/a", "seed:003"],
        }),
        serde_json::json!({
            "date": "2022-03-02", "kind": "vote", "actors": ["VNM"], "title": "ES-11/1",
            "sources": ["seed:000"], "votes": {"VNM": "abstain", "USA": "yes", "RUS": "no"},
        }),
        serde_json::json!({
            "date": "2023-09-10", "kind": "partnership", "actors": ["VNM", "USA"],
            "tier": "comprehensive_strategic", "title": "US CSP", "sources": ["seed:003"],
        }),
    ]
    .iter()
    .enumerate()
    .map(|(i, v)| {
        (
            format!("event{i}.json"),
            serde_json::to_string_pretty(v).unwrap().into_bytes(),
        )
    })
    .collect();
    let t = run(
        "POST /api/ledger/events",
        &bases,
        mutate::count(QUICK),
        b':',
        move |_, b| judge(&app, "/api/ledger/events", "application/json", b, true),
    );
    report_at(&t, SMALL_JSON_SHARE);
}
