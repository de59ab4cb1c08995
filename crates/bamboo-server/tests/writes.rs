//! Router tests of the write path and the guards: the token, event validation, body size
//! and time limits, simulation limits, and the JSON shape of axum's own rejections.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bamboo_data::ledger_db::LedgerDb;
use bamboo_server::{app, Limits};
use common::*;
use serde_json::json;

fn event() -> serde_json::Value {
    json!({
        "date": "2016-05-23",
        "kind": "visit",
        "actors": ["VNM", "USA"],
        "title": "US President visits Hanoi; arms embargo lifted",
        "sources": ["https://obamawhitehouse.archives.gov/the-press-office/2016/05/23"],
    })
}

#[tokio::test]
async fn writes_need_the_token_and_reads_do_not() {
    let app = router();
    let a = post_json(&app, "/api/ledger/events", &event(), None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.error().contains("Authorization: Bearer"), "{}", a.error());
    assert!(a.headers.get(header::WWW_AUTHENTICATE).is_some());
    let a = post_json(
        &app,
        "/api/ledger/events",
        &event(),
        Some("wrong-token-wrong-token"),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.error().contains("wrong"), "{}", a.error());
    let a = send(
        &app,
        Request::post("/api/ledger/events")
            .header(header::AUTHORIZATION, format!("Basic {TOKEN}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(event().to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.error().contains("Bearer <token>"));
    // Nothing was written by the refused requests.
    let list = get(&app, "/api/ledger/events").await.json();
    assert_eq!(list["count"], 0);
}

#[tokio::test]
async fn a_recorded_event_is_answered_201_and_listed() {
    let app = router();
    let a = post_json(&app, "/api/ledger/events", &event(), Some(TOKEN)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let v = a.json();
    let id = v["id"].as_i64().unwrap();
    assert_eq!(
        a.headers[header::LOCATION],
        format!("/api/ledger/events/{id}")
    );
    assert_eq!(v["origin"], "api");
    assert_eq!(v["actors"], json!(["VNM", "USA"]));
    let one = get(&app, &format!("/api/ledger/events/{id}")).await.json();
    assert_eq!(one, v);
    let again = post_json(&app, "/api/ledger/events", &event(), Some(TOKEN)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.error().contains(&format!("/api/ledger/events/{id}")));
    let mut vote = json!({
        "date": "2022-03-02", "kind": "vote", "actors": ["VNM"], "title": "ES-11/1",
        "sources": ["UN Digital Library record 3965290"],
        "votes": {"VNM": "abstain", "USA": "yes", "RUS": "no"},
    });
    let a = post_json(&app, "/api/ledger/events", &vote, Some(TOKEN)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    assert_eq!(a.json()["votes"]["RUS"], "no");
    vote["title"] = json!("another");
    vote["kind"] = json!("partnership");
    vote.as_object_mut().unwrap().remove("votes");
    vote["tier"] = json!("comprehensive_strategic");
    assert_eq!(
        post_json(&app, "/api/ledger/events", &vote, Some(TOKEN))
            .await
            .status,
        StatusCode::CREATED
    );
    let list = get(&app, "/api/ledger/events?actor=USA").await.json();
    assert_eq!(list["count"], 1);
    let list = get(&app, "/api/ledger/events?from=2020-01-01").await.json();
    assert_eq!(list["count"], 2);
    let list = get(&app, "/api/ledger/events?limit=1").await.json();
    assert_eq!(
        (list["count"].as_u64(), list["truncated"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(list["events"][0]["date"], "2016-05-23", "sorted by date");
}

#[tokio::test]
async fn invalid_events_name_the_field() {
    let app = router();
    let cases: Vec<(&str, serde_json::Value, &str)> = vec![
        ("kind", json!("summit"), "visit, partnership"),
        ("kind", json!(3), "string"),
        ("date", json!("23/05/2016"), "YYYY-MM-DD"),
        ("date", json!("2016-02-30"), "day"),
        ("actors", json!(["VNM", "US"]), "three-letter"),
        (
            "actors",
            json!(["VNM", "XYZ"]),
            "unknown country code `XYZ`",
        ),
        ("actors", json!([]), "no state"),
        ("actors", json!("VNM"), "list"),
        ("sources", json!([]), "at least one"),
        ("sources", json!([""]), "non-empty"),
        ("title", json!("  "), "empty"),
        ("tier", json!("strategic"), "partnership"),
        ("votes", json!({"VNM": "yes"}), "vote"),
        ("colour", json!("red"), "allowed: date, kind"),
    ];
    for (field, value, words) in cases {
        let mut e = event();
        e[field] = value.clone();
        let a = post_json(&app, "/api/ledger/events", &e, Some(TOKEN)).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}: {}",
            a.text()
        );
        let v = a.json();
        assert_eq!(v["field"], field, "{field}={value}: {v}");
        let msg = v["error"].as_str().unwrap();
        assert!(msg.contains(&format!("`{field}")), "{msg}");
        assert!(
            msg.contains(words),
            "{field}={value}: `{msg}` should say `{words}`"
        );
    }
    for missing in ["date", "kind", "actors", "title", "sources"] {
        let mut e = event();
        e.as_object_mut().unwrap().remove(missing);
        let a = post_json(&app, "/api/ledger/events", &e, Some(TOKEN)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(a.json()["field"], missing);
        assert!(a.error().contains("required"));
    }
    assert_eq!(get(&app, "/api/ledger/events").await.json()["count"], 0);
}

#[tokio::test]
async fn axum_rejections_become_json_errors() {
    let app = router();
    let send_raw = |ct: Option<&'static str>, body: &'static str| {
        let mut r = Request::post("/api/ledger/events")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        if let Some(ct) = ct {
            r = r.header(header::CONTENT_TYPE, ct);
        }
        r.body(Body::from(body)).unwrap()
    };
    let a = send(&app, send_raw(Some("application/json"), "{\"date\": ")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.error().contains("JSON"), "{}", a.error());
    let a = send(&app, send_raw(Some("text/plain"), "{}")).await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        a.error().contains("Content-Type: application/json"),
        "{}",
        a.error()
    );
    let a = send(&app, send_raw(None, "{}")).await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let a = send(&app, send_raw(Some("application/json"), "[1, 2]")).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.error().contains("one JSON object"));
}

#[tokio::test]
async fn bodies_beyond_the_limit_get_413_json() {
    let limits = Limits {
        body_bytes: 1000,
        ..Limits::default()
    };
    let app = app(state_with(limits, LedgerDb::open_in_memory().unwrap().0));
    let mut e = event();
    e["title"] = json!("x".repeat(2000));
    let a = post_json(&app, "/api/ledger/events", &e, Some(TOKEN)).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.error().contains("1000 bytes"), "{}", a.error());
    // Without a Content-Length (a stream), the limit holds as the body is read.
    let chunks: Vec<Result<String, std::io::Error>> =
        (0..20).map(|_| Ok("x".repeat(100))).collect();
    let a = send(
        &app,
        Request::post("/api/advise")
            .header(header::CONTENT_TYPE, "application/toml")
            .body(Body::from_stream(futures_stream(chunks)))
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
    a.error();
}

fn futures_stream(
    items: Vec<Result<String, std::io::Error>>,
) -> impl tokio_stream::Stream<Item = Result<String, std::io::Error>> + Send + 'static {
    tokio_stream::iter(items)
}

#[tokio::test]
async fn a_request_that_never_finishes_is_stopped_with_408_json() {
    let limits = Limits {
        request_timeout: Duration::from_millis(200),
        ..Limits::default()
    };
    let app = app(state_with(limits, LedgerDb::open_in_memory().unwrap().0));
    // A client that sends headers and then nothing: the body never completes.
    let (_tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(1);
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    let t = std::time::Instant::now();
    let a = send(
        &app,
        Request::post("/api/ledger/events")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::REQUEST_TIMEOUT);
    assert!(a.error().contains("200 ms"), "{}", a.error());
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn simulations_beyond_the_limits_get_422_and_never_run() {
    let app = router();
    let lim = Limits::default();
    for (field, value, words) in [
        ("runs", json!(lim.sim_max_runs + 1), "limit"),
        ("runs", json!(0), "1 to"),
        ("runs", json!(-5), "whole number"),
        ("years", json!(10_000), "limit"),
        (
            "doctrines",
            json!([
                "vietnam",
                "neutral",
                "align-usa",
                "bandwagon-china",
                "india"
            ]),
            "limit",
        ),
        ("doctrines", json!("vietnam"), "list"),
        ("doctrines", json!(["vietnam", "vietnam"]), "twice"),
        (
            "doctrines",
            json!(["atlantis"]),
            "no shipped doctrine `atlantis`",
        ),
        ("doctrines", json!(["india"]), "is about IND"),
        ("world", json!("mars"), "default"),
        ("world", json!("../../etc/passwd"), "no shipped world"),
        ("seed", json!("x"), "whole number"),
        ("speed", json!(1), "allowed"),
    ] {
        let mut body = json!({"doctrines": ["vietnam"], "runs": 100, "years": 10, "seed": 1});
        body[field] = value.clone();
        let a = post_json(&app, "/api/simulate", &body, None).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}: {}",
            a.text()
        );
        assert_eq!(a.json()["field"], field);
        assert!(a.error().contains(words), "{field}={value}: {}", a.error());
    }
    // Each number within its limit, the product beyond the work limit.
    let body = json!({"runs": lim.sim_max_runs, "years": lim.sim_max_years, "doctrines": ["vietnam", "neutral", "align-usa", "bandwagon-china"]});
    let a = post_json(&app, "/api/simulate", &body, None).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert!(a.error().contains("run-years"), "{}", a.error());
    let a = get(&app, "/api/chart/simulate.svg?runs=999999").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.error().contains("limit"), "{}", a.error());
}

#[tokio::test]
async fn a_simulation_answers_a_report_and_its_chart() {
    let app = router();
    let body = json!({"runs": 16, "years": 5, "seed": 3, "doctrines": ["vietnam", "neutral"]});
    let a = post_json(&app, "/api/simulate", &body, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let v = a.json();
    assert_eq!(v["runs"], 16);
    assert_eq!(v["subject"], "VNM");
    assert_eq!(v["doctrines"].as_array().unwrap().len(), 2);
    assert_eq!(v["doctrines"][0]["lean_path"].as_array().unwrap().len(), 5);
    let again = post_json(&app, "/api/simulate", &body, None).await;
    assert_eq!(again.body, a.body, "the same seed gives the same bytes");
    let c = get(
        &app,
        "/api/chart/simulate.svg?runs=16&years=5&seed=3&doctrines=vietnam,neutral",
    )
    .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text());
    assert!(c.text().starts_with("<svg") && c.text().contains("vietnam"));
    let w = get(&app, "/api/worlds").await.json();
    let d = &w["worlds"][0];
    assert_eq!(d["name"], "default");
    assert!(d["doctrines"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "vietnam"));
    assert!(!d["doctrines"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "india"));
}

#[tokio::test]
async fn advise_checks_its_content_type() {
    let app = router();
    let a = send(
        &app,
        Request::post("/api/advise")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("x"))
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(a.error().contains("application/toml"));
    let a = send(
        &app,
        Request::post("/api/advise").body(Body::from("x")).unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
