//! Router tests of the hardening issue's server defects: the auth scheme's case, stored
//! event sizes, bounded listings with a cursor, simulation cancellation and the bounded
//! simulation queue. (Process-level attacks are in bamboo-cli's `tests/serve_attacks.rs`
//! and `e2e/attack.py`.)

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bamboo_data::ledger_db::LedgerDb;
use bamboo_server::{app, Limits};
use common::*;
use serde_json::json;

fn event(title: &str) -> serde_json::Value {
    json!({
        "date": "2016-05-23",
        "kind": "visit",
        "actors": ["VNM", "USA"],
        "title": title,
        "sources": ["https://example.org/a"],
    })
}

fn post_with(auth: &str, body: &serde_json::Value) -> Request<Body> {
    Request::post("/api/ledger/events")
        .header(header::AUTHORIZATION, auth)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

// Defect 12: `bearer` was accepted and `BEARER` refused; auth schemes are case-insensitive.
#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = router();
    for (i, scheme) in ["Bearer", "bearer", "BEARER", "bEaReR"].iter().enumerate() {
        let a = send(
            &app,
            post_with(&format!("{scheme} {TOKEN}"), &event(&format!("v{i}"))),
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{scheme}: {}", a.text());
    }
    let a = send(&app, post_with(&format!("Basic {TOKEN}"), &event("x"))).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
}

// Defect 8: a stored event's size is capped at write time.
#[tokio::test]
async fn an_oversized_event_is_refused_naming_the_field() {
    let app = router();
    let mut e = event(&"t".repeat(600));
    let a = post_json(&app, "/api/ledger/events", &e, Some(TOKEN)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert_eq!(a.json()["field"], "title");
    e["title"] = json!("ok");
    e["sources"] = json!(vec!["s".repeat(1999); 21]);
    let a = post_json(&app, "/api/ledger/events", &e, Some(TOKEN)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert_eq!(a.json()["field"], "sources");
    assert_eq!(get(&app, "/api/ledger/events").await.json()["count"], 0);
}

// Defect 8: listings are bounded in events and bytes and page with a cursor.
#[tokio::test]
async fn listings_page_with_a_cursor_within_the_byte_limit() {
    let limits = Limits {
        max_events: 50,
        max_answer_bytes: 64 * 1024,
        ..Limits::default()
    };
    let (mut db, _) = LedgerDb::open_in_memory().unwrap();
    let events: Vec<_> = (0..130)
        .map(|i| {
            bamboo_core::ledger::validate_event(&bamboo_core::ledger::EventInput {
                date: format!("2020-02-{:02}", 1 + i % 28),
                kind: "visit".into(),
                actors: vec!["VNM".into(), "USA".into()],
                title: format!("visit {i}"),
                sources: vec![format!("https://example.org/{}", "p".repeat(1500))],
                ..Default::default()
            })
            .unwrap()
        })
        .collect();
    db.import(&events, "test").unwrap();
    let app = app(state_with(limits, db));
    let a = get(&app, "/api/ledger/events?limit=51").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let mut cursor: Option<String> = None;
    let mut ids = Vec::new();
    let mut full: Option<(usize, usize)> = None;
    for _ in 0..40 {
        let uri = match &cursor {
            Some(c) => format!("/api/ledger/events?cursor={c}"),
            None => "/api/ledger/events".into(),
        };
        let a = get(&app, &uri).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        let v = a.json();
        // The limits set above: at most 50 events, and their JSON (each with its comma, as
        // the server counts it) within 64 KiB; the rest of the answer is its small envelope.
        let page = v["events"].as_array().unwrap();
        assert!(page.len() <= 50 && v["count"] == page.len());
        let size = |e: &serde_json::Value| e.to_string().len() + 1;
        let bytes: usize = page.iter().map(size).sum();
        assert!(bytes <= 64 * 1024, "{bytes} bytes of events");
        // And the page before was as full as the limits let it be: 50 events, or no room
        // for this page's first.
        if let (Some((n, b)), Some(e)) = (full, page.first()) {
            assert!(
                n == 50 || b + size(e) > 64 * 1024,
                "a page of {n} events, {b} bytes, cut short"
            );
        }
        full = Some((page.len(), bytes));
        ids.extend(
            v["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_i64().unwrap()),
        );
        match v["next"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let mut sorted = ids.clone();
    sorted.dedup();
    assert_eq!(ids.len(), 130, "every event once");
    assert_eq!(sorted.len(), 130);
    let a = get(&app, "/api/ledger/events?cursor=2020-02-01~x").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json()["field"], "cursor");
}

fn max_sim(seed: u64) -> serde_json::Value {
    json!({"runs": 2000, "years": 30, "seed": seed,
           "doctrines": ["vietnam", "neutral", "align-usa", "bandwagon-china"]})
}

// Defect 2: a dropped or timed-out simulation request stops its work; the gate bounds the
// work computing, not the requests waiting; the queue is bounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_simulations_stop_and_the_queue_is_bounded() {
    let st = state_with(
        Limits {
            sim_queue: 1,
            ..Limits::default()
        },
        LedgerDb::open_in_memory().unwrap().0,
    );
    let sim = st.catalog().sim.clone();
    let app = Arc::new(app(st));
    // Requests dropped after 300 ms (a client that went away): never more than one computes.
    let mut tasks = Vec::new();
    for k in 0..4 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let body = max_sim(10 + k);
            let fut = post_json(&app, "/api/simulate", &body, None);
            let _ = tokio::time::timeout(Duration::from_millis(300), fut).await;
        }));
    }
    let t0 = Instant::now();
    let mut most = 0;
    while t0.elapsed() < Duration::from_millis(350) {
        most = most.max(sim.running());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert!(most <= 1, "{most} simulations computed at once");
    let t1 = Instant::now();
    while sim.running() > 0 || sim.waiting() > 0 {
        assert!(
            t1.elapsed() < Duration::from_secs(5),
            "abandoned simulations kept computing"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // One computing and one waiting: the next is refused with 503 and Retry-After.
    let a1 = app.clone();
    let first = tokio::spawn(async move {
        let body = max_sim(50);
        let _ = tokio::time::timeout(
            Duration::from_millis(1500),
            post_json(&a1, "/api/simulate", &body, None),
        )
        .await;
    });
    let a2 = app.clone();
    let second = tokio::spawn(async move {
        let body = max_sim(51);
        let _ = tokio::time::timeout(
            Duration::from_millis(1500),
            post_json(&a2, "/api/simulate", &body, None),
        )
        .await;
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let a = post_json(&app, "/api/simulate", &max_sim(52), None).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.text());
    assert_eq!(a.headers.get(header::RETRY_AFTER).unwrap(), "2");
    assert!(a.error().contains("busy"));
    // The chart asks through the same queue.
    let a = get(&app, "/api/chart/simulate.svg?runs=2000&years=30&seed=53").await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.text());
    first.await.unwrap();
    second.await.unwrap();
}

// Defect 2: the request timeout (408) stops the simulation too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_simulation_stops() {
    let st = state_with(
        Limits {
            request_timeout: Duration::from_millis(300),
            ..Limits::default()
        },
        LedgerDb::open_in_memory().unwrap().0,
    );
    let sim = st.catalog().sim.clone();
    let app = app(st);
    let a = post_json(&app, "/api/simulate", &max_sim(77), None).await;
    assert_eq!(a.status, StatusCode::REQUEST_TIMEOUT);
    let t = Instant::now();
    while sim.running() > 0 {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "the timed-out simulation kept computing"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
