//! `GET /api/ideal` and `metric=ideal` on the real data, through the router: the fit's
//! points as they are, ideal-point alignment by its definition from them, errors a person
//! can act on, the fit computed once and a 503 while it is not ready. (That the API and
//! `bamboo ideal --format json` give the same bytes is checked on the real binaries, in
//! bamboo-cli's tests/ideal.rs.)

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use bamboo_core::Iso3;
use bamboo_data::ledger_db::LedgerDb;
use bamboo_server::{app, Limits};
use common::*;

/// A router whose fit bootstraps 3 replicates (seed 1), with room for a debug build.
fn ideal_router(timeout: Duration) -> axum::Router {
    let st = state_with(
        Limits {
            request_timeout: timeout,
            ..Limits::default()
        },
        LedgerDb::open_in_memory().unwrap().0,
    );
    st.ideal().configure(3, 1);
    app(st)
}

/// `a` and `b` equal to the last bits or nearly (serde_json reads floats back best effort).
fn near(a: &serde_json::Value, b: f64) -> bool {
    a.as_f64()
        .is_some_and(|a| (a - b).abs() <= 1e-12 * b.abs().max(1.0))
}

#[tokio::test]
async fn answers_the_points_of_the_fit() {
    let app = ideal_router(Duration::from_secs(300));
    let a = get(&app, "/api/ideal?state=VNM,usa&from=2019").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert!(a.content_type().starts_with("application/json"));
    let v = a.json();
    assert_eq!(v["fit"]["bootstrap"], 3);
    // The sessions that opened in 2019-2023 (the 74th opened in September 2019; the votes of
    // 2024 belong to the 78th), each state's in order, the states by code.
    let rows = v["rows"].as_array().unwrap();
    let keys: Vec<(&str, u64)> = rows
        .iter()
        .map(|r| (r["state"].as_str().unwrap(), r["session"].as_u64().unwrap()))
        .collect();
    let want: Vec<(&str, u64)> = ["USA", "VNM"]
        .into_iter()
        .flat_map(|s| (74..=78).map(move |n| (s, n)))
        .collect();
    assert_eq!(keys, want);
    // Each row is the fit's point, read from the fit itself, with its 90% interval.
    let fit = bamboo_data::ideal::fit(&votes().store, 3, 1).unwrap();
    for r in rows {
        let state = Iso3::parse(r["state"].as_str().unwrap()).unwrap();
        let session = r["session"].as_u64().unwrap() as u32;
        let p = fit.get(state, session).unwrap();
        let se = p.se.unwrap();
        assert_eq!(r["year"], 1945 + session, "{r}");
        assert!(near(&r["ideal"], p.ideal) && near(&r["se"], se), "{r}");
        let z90 = 1.644_853_626_951_472_2;
        assert!(near(&r["lo90"], p.ideal - z90 * se), "{r}");
        assert!(near(&r["hi90"], p.ideal + z90 * se), "{r}");
        assert_eq!(r["votes"], p.votes, "{r}");
        // The sign is fixed so that the United States is positive (as in the published
        // ideal points of Bailey, Strezhnev and Voeten); three replicates give an SE.
        if state == Iso3::from_static("USA") {
            assert!(p.ideal > 0.0, "{r}");
        }
        assert!(se > 0.0, "{r}");
    }

    // Errors name the parameter and what is allowed; the fit is not recomputed.
    for (uri, status, needle) in [
        (
            "/api/ideal?year=2019",
            StatusCode::BAD_REQUEST,
            "unknown parameter `year`; allowed: from, to, state",
        ),
        (
            "/api/ideal?state=Vietnam",
            StatusCode::BAD_REQUEST,
            "did you mean VNM",
        ),
        (
            "/api/ideal?state=ATA",
            StatusCode::UNPROCESSABLE_ENTITY,
            "ATA has no ideal point",
        ),
        (
            "/api/ideal?from=2030",
            StatusCode::BAD_REQUEST,
            "no session opened in or after 2030; the fit's sessions opened in 1946-2023",
        ),
        (
            "/api/ideal?from=2020&to=2010",
            StatusCode::BAD_REQUEST,
            "is empty",
        ),
        (
            "/api/ideal?from=abc",
            StatusCode::BAD_REQUEST,
            "`abc` is not a whole number",
        ),
    ] {
        let e = get(&app, uri).await;
        assert_eq!(e.status, status, "{uri}: {}", e.text());
        assert!(e.error().contains(needle), "{uri}: {}", e.error());
    }
}

#[tokio::test]
async fn metric_ideal_for_align_balance_and_the_chart() {
    let app = ideal_router(Duration::from_secs(300));
    let a = get(
        &app,
        "/api/align?a=VNM&b=USA,CHN&from=2019&to=2019&metric=ideal",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let v = a.json();
    assert_eq!(v["metric"], "ideal");
    let with = &v["rows"][0]["with"];
    let (us, cn) = (
        with[0]["ideal"].as_f64().unwrap(),
        with[1]["ideal"].as_f64().unwrap(),
    );
    assert!(
        cn > us,
        "Vietnam sits nearer China than the US: {cn} vs {us}"
    );
    assert_eq!(with[0]["sessions"], 1);
    assert!(v["definitions"]["ideal"].as_str().unwrap().contains("R = "));
    // By the definition, from the estimate without a bootstrap (as `bamboo align --metric
    // ideal` fits it): 1 - |x_VNM - x_pole| / R in the session that opened in 2019, R the
    // range of every position.
    let fit = bamboo_data::ideal::fit(&votes().store, 0, 1).unwrap();
    let x = |c: &'static str| fit.get(Iso3::from_static(c), 74).unwrap().ideal;
    for (k, pole) in ["USA", "CHN"].into_iter().enumerate() {
        assert_eq!(with[k]["country"], pole);
        let want = 1.0 - (x("VNM") - x(pole)).abs() / fit.range();
        assert!(
            near(&with[k]["ideal"], want),
            "{pole}: {} vs {want}",
            with[k]
        );
    }

    let b = get(
        &app,
        "/api/balance/VNM?metric=ideal&from=2015&to=2019&by=total",
    )
    .await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.text());
    let v = b.json();
    assert_eq!(v["metric"], "ideal");
    assert_eq!(v["rows"][0]["toward"], "CHN");
    assert_eq!(v["rows"][0]["alignments"][0]["n"], 5, "five sessions");
    assert!(v["definitions"]["n"].as_str().unwrap().contains("sessions"));
    assert_eq!(v["fit"]["bootstrap"], 0, "the estimate, as the CLI fits it");

    let c = get(&app, "/api/chart/balance/VNM.svg?metric=ideal&from=2000").await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text());
    assert!(c.text().starts_with("<svg"));
}

#[tokio::test]
async fn a_fit_not_ready_is_a_503_then_an_answer() {
    // A one-second timeout leaves no time to wait: the first answer is 503, and the fit
    // goes on in the background until a later request gets it.
    let app = ideal_router(Duration::from_secs(1));
    let first = get(&app, "/api/ideal?state=VNM&from=2023").await;
    assert_eq!(
        first.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        first.text()
    );
    assert!(first.error().contains("retry"), "{}", first.error());
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    loop {
        let a = get(&app, "/api/ideal?state=VNM&from=2023").await;
        if a.status == StatusCode::OK {
            assert_eq!(a.json()["rows"].as_array().unwrap().len(), 1);
            break;
        }
        assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            std::time::Instant::now() < deadline,
            "the fit never finished"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The atlas and the map on ideal points read the same fit as `/api/ideal` (its bootstrap
/// standard errors give the intervals); a roll-call filter with it is refused.
#[tokio::test]
async fn the_atlas_reads_the_fit() {
    let app = ideal_router(Duration::from_secs(300));
    let a = get(&app, "/api/atlas?year=2021&metric=ideal&replicates=50").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let v = a.json();
    let fit = bamboo_data::ideal::fit(&votes().store, 3, 1).unwrap();
    let s = fit.session_in_year(2021).unwrap().session;
    let x = |c: &'static str| fit.get(Iso3::from_static(c), s).unwrap().ideal;
    let row = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["state"] == "VNM")
        .unwrap();
    let want = 1.0 - (x("VNM") - x("USA")).abs() / fit.range();
    let got = &row["alignments"][0];
    assert_eq!(got["pole"], "USA");
    assert!(
        (got["value"].as_f64().unwrap() - want).abs() < 1e-12,
        "{got} vs {want}"
    );
    assert!(
        got["lo"].as_f64().unwrap() < got["hi"].as_f64().unwrap(),
        "{got}"
    );
    assert!(v["definitions"]["interval"]
        .as_str()
        .unwrap()
        .contains("N(ideal, se)"));
    let m = get(
        &app,
        "/api/chart/map.svg?year=2021&metric=ideal&replicates=20",
    )
    .await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.text());
    assert!(
        m.text().contains("ideal points (bamboo ideal)"),
        "the map defines its measure"
    );
    let bad = get(&app, "/api/atlas?year=2021&metric=ideal&issue=hr").await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    assert!(bad
        .text()
        .contains("cannot be combined with issue or important"));
}
