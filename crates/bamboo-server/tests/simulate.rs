//! Router tests of a steered simulation: `POST /api/simulate` with world parameters set and
//! one swept, checked with the messages a world file and `--sweep` get; `GET /api/worlds`
//! gives every parameter's range and the outcome list the dashboard draws from; unknown
//! fields are refused with their line.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::json;

/// Every world parameter, as docs/simulation.md lists them: the scenario's, then the
/// mechanics'. Written out here, not read from bamboo-sim, so a parameter lost from the table
/// (or one added without its documentation) fails these tests.
const WORLD_PARAMETERS: [&str; 32] = [
    "polarisation",
    "polarisation_start",
    "polarisation_end",
    "volatility",
    "events_per_year",
    "shock_size",
    "reaction",
    "salience_base",
    "salience_polarisation",
    "relation_drift",
    "floor",
    "recover",
    "break_trade_loss",
    "break_hostility",
    "trade_growth",
    "reward_budget",
    "coercion",
    "pact_gain",
    "trade_step",
    "arms_step",
    "incident_rate",
    "alliance_deterrence",
    "base_deterrence",
    "arms_deterrence",
    "appeasement",
    "force_escalation",
    "protest_cost",
    "incident_cost",
    "un_memory",
    "visit_memory",
    "plan_relation",
    "plan_cost",
];

async fn post_text(app: &axum::Router, text: &str) -> Answer {
    send(
        app,
        Request::post("/api/simulate")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(text.to_string()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn parameters_change_the_result_and_are_checked_like_a_world_file() {
    let app = router();
    let base = json!({"runs": 24, "years": 6, "seed": 3, "doctrines": ["vietnam"]});
    let plain = post_json(&app, "/api/simulate", &base, None).await;
    assert_eq!(plain.status, StatusCode::OK, "{}", plain.text());
    let mut body = base.clone();
    body["parameters"] = json!({"incident_rate": 0.0});
    let calm = post_json(&app, "/api/simulate", &body, None).await;
    assert_eq!(calm.status, StatusCode::OK, "{}", calm.text());
    let incidents = |a: &Answer| a.json()["doctrines"][0]["outcomes"]["incidents"]["mean"].as_f64();
    assert!(incidents(&plain).unwrap() > 0.0, "{}", plain.text());
    assert_eq!(
        incidents(&calm),
        Some(0.0),
        "no incident hazard, no incidents"
    );
    for (params, field, words) in [
        (
            json!({"volatility": 0.6}),
            "parameters.volatility",
            "0.6 is outside 0..0.5",
        ),
        (
            json!({"un_memory": 0.5}),
            "parameters.un_memory",
            "0.5 is outside 1..1000",
        ),
        (json!({"floor": 0.5}), "parameters.floor", "below floor 0.5"),
        (
            json!({"gravity": 1}),
            "parameters.gravity",
            "unknown parameter; allowed: polarisation,",
        ),
    ] {
        let mut body = base.clone();
        body["parameters"] = params.clone();
        let a = post_json(&app, "/api/simulate", &body, None).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{params}");
        assert_eq!(a.json()["field"], field, "{params}: {}", a.text());
        assert!(a.error().contains(words), "{params}: {}", a.error());
    }
    // The chart's GET takes the parameters by name, with the same checks.
    let c = get(
        &app,
        "/api/chart/simulate.svg?runs=8&years=3&incident_rate=0",
    )
    .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text());
    let c = get(
        &app,
        "/api/chart/simulate.svg?runs=8&years=3&volatility=0.9",
    )
    .await;
    assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(c.error().contains("0.9 is outside 0..0.5"), "{}", c.error());
}

#[tokio::test]
async fn a_sweep_answers_one_report_per_value_within_the_work_limit() {
    let app = router();
    let body = json!({"runs": 16, "years": 4, "seed": 5, "doctrines": ["vietnam", "neutral"],
        "sweep": {"parameter": "polarisation", "values": [0.2, 0.9]}});
    let a = post_json(&app, "/api/simulate", &body, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let v = a.json();
    assert_eq!(v["parameter"], "polarisation");
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[1]["value"], 0.9);
    assert_eq!(points[1]["report"]["polarisation"], json!([0.9, 0.9]));
    assert_eq!(
        points[0]["report"]["doctrines"].as_array().unwrap().len(),
        2
    );
    // Every value out of range is named, not clamped.
    let body = json!({"runs": 4, "years": 2, "sweep": {"parameter": "volatility", "values": [0.3, 0.6, 0.9]}});
    let a = post_json(&app, "/api/simulate", &body, None).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json()["field"], "sweep.values");
    assert!(
        a.error()
            .contains("volatility: 0.6 is outside 0..0.5; 0.9 is outside 0..0.5"),
        "{}",
        a.error()
    );
    let body = json!({"sweep": {"parameter": "gravity", "values": [1]}});
    let a = post_json(&app, "/api/simulate", &body, None).await;
    assert_eq!(a.json()["field"], "sweep.parameter", "{}", a.text());
    // The points count in the work: 2,000 runs × 30 years × 1 doctrine × 5 values.
    let body = json!({"runs": 2000, "years": 30, "doctrines": ["vietnam"],
        "sweep": {"parameter": "coercion", "values": [0, 1, 2, 3, 4]}});
    let a = post_json(&app, "/api/simulate", &body, None).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.error().contains("× 5 sweep values = 300000 run-years"),
        "{}",
        a.error()
    );
}

#[tokio::test]
async fn unknown_fields_are_refused_with_their_line() {
    let app = router();
    let a = post_text(&app, "{\n  \"runs\": 4,\n  \"speed\": 2\n}").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json()["field"], "speed");
    assert!(
        a.error()
            .starts_with("request body:3: key `speed`: is not a simulation field; allowed: world,"),
        "{}",
        a.error()
    );
    let a = post_text(
        &app,
        "{\"sweep\": {\"parameter\": \"coercion\", \"value\": [1]}}",
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.error().contains("value"), "{}", a.error());
}

#[tokio::test]
async fn the_worlds_carry_their_parameters_the_defaults_and_the_outcomes() {
    let app = router();
    let v = get(&app, "/api/worlds").await.json();
    // docs/simulation.md: 1,000 runs of 30 years by default.
    assert_eq!(v["defaults"]["runs"], 1000);
    assert_eq!(v["defaults"]["years"], 30);
    let names: Vec<&str> = v["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    // The report's outcomes, in its order (docs/simulation.md).
    assert_eq!(
        names,
        [
            "economic_gain",
            "incidents",
            "breaks",
            "autonomy",
            "final_lean",
            "p_break"
        ]
    );
    let ps = v["worlds"][0]["parameters"].as_array().unwrap();
    let listed: Vec<&str> = ps.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(listed, WORLD_PARAMETERS);
    let vol = ps.iter().find(|p| p["name"] == "volatility").unwrap();
    assert_eq!(
        (vol["min"].as_f64(), vol["max"].as_f64()),
        (Some(0.0), Some(0.5))
    );
    // The default world's own value, as its file gives it.
    assert_eq!(vol["value"], 0.05);
    let inc = ps.iter().find(|p| p["name"] == "incident_rate").unwrap();
    assert_eq!(inc["default"], 0.8);
    assert_eq!(inc["section"], "mechanics");
}

#[tokio::test]
async fn the_served_openapi_lists_every_world_parameter_with_its_range() {
    let doc = get(&router(), "/api/openapi.json").await.json();
    let props = doc["components"]["schemas"]["WorldParameters"]["properties"]
        .as_object()
        .unwrap();
    let names: Vec<&str> = props.keys().map(String::as_str).collect();
    let mut want = WORLD_PARAMETERS.to_vec();
    want.sort_unstable();
    assert_eq!(names, want);
    assert_eq!(props["volatility"]["maximum"], 0.5);
    assert_eq!(props["un_memory"]["minimum"], 1.0);
    let q = doc["paths"]["/api/chart/simulate.svg"]["get"]["parameters"]
        .as_array()
        .unwrap();
    assert!(q.iter().any(|p| p["name"] == "incident_rate"));
    assert_eq!(
        doc["components"]["schemas"]["SimRequest"]["properties"]["runs"]["default"], 1000,
        "docs/simulation.md: 1,000 runs by default"
    );
}
