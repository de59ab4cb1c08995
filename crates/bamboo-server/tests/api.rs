//! Router tests on the real data, without a socket: the OpenAPI document against the router,
//! the vote endpoints and charts, and that every error is JSON a person can act on.

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use bamboo_server::openapi::OPENAPI_JSON;
use common::*;

fn concrete(path: &str) -> String {
    if path == "/api/chart/simulate.svg" {
        return format!("{path}?runs=4&years=3");
    }
    if path == "/api/ideal" {
        // Refused before the fit starts: the fit has tests of its own (tests/ideal.rs).
        return format!("{path}?unknown=1");
    }
    path.replace("/assets/{file}", "/assets/app.js")
        .replace("{file}", "VNM.svg")
        .replace("{iso3}", "VNM")
        .replace("{id}", "1")
}

#[tokio::test]
async fn openapi_documents_every_route_and_nothing_else() {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let (_, list) = bamboo_server::api::routes(&state());
    let routed: BTreeSet<(String, String)> = list
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = routed.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&routed).collect();
    assert!(
        missing.is_empty(),
        "routes missing from openapi.json: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "openapi.json documents routes the router lacks: {extra:?}"
    );

    // And the recorded list is what the router really answers: no route falls through to
    // the 404 fallback or is refused as the wrong method.
    let app = router();
    for (m, p) in &list {
        let req = Request::builder()
            .method(Method::from_bytes(m.as_bytes()).unwrap())
            .uri(concrete(p))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(if *p == "/api/simulate" {
                r#"{"runs": 4, "years": 3}"#
            } else {
                "{}"
            }))
            .unwrap();
        let a = send(&app, req).await;
        assert_ne!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{m} {p}");
        if a.status == StatusCode::NOT_FOUND {
            assert!(
                !a.error().contains("the API is listed at"),
                "{m} {p} fell through: {}",
                a.text()
            );
        }
    }
}

#[tokio::test]
async fn openapi_is_served_and_every_reference_resolves() {
    let a = get(&router(), "/api/openapi.json").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.content_type(), "application/json");
    let doc = a.json();
    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    if k == "$ref" {
                        out.push(x.as_str().unwrap().to_string());
                    }
                    refs(x, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    // Every reference the walk should find: each `"$ref"` key of the text.
    assert_eq!(all.len(), a.text().matches("\"$ref\"").count());
    assert!(!all.is_empty());
    for r in all {
        let ptr = r.strip_prefix('#').unwrap();
        assert!(doc.pointer(ptr).is_some(), "dangling $ref {r}");
    }
}

#[tokio::test]
async fn health_reports_data_ledger_features_and_limits() {
    let v = get(&router(), "/api/health").await.json();
    assert_eq!(v["status"], "ok");
    // The shared data's README: 6,202 roll calls of unvotes (1946-2019), 174 and 171 of
    // Voeten's files (2020-2021, 2022-2024), the 7 of the UN Digital Library's 2022 file.
    assert_eq!(v["data"]["roll_calls"], 6202 + 174 + 171 + 7);
    assert_eq!(v["data"]["years"][0], 1946);
    assert_eq!(v["limits"]["body_bytes"], 1024 * 1024);
    assert_eq!(v["limits"]["request_timeout"], 10_000);
    assert!(v["features"]["ledger"].as_bool().unwrap());
    assert!(
        !v["data"]["source"].as_str().unwrap().contains('/'),
        "no server paths in open answers"
    );
}

#[tokio::test]
async fn countries_carry_regions_and_voting_years() {
    let v = get(&router(), "/api/countries").await.json();
    let vnm = v["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["iso3"] == "VNM")
        .unwrap();
    assert_eq!(vnm["short_name"], "Vietnam");
    assert_eq!(vnm["region"], "Asia");
    assert_eq!(vnm["voted"][0], 1977);
    assert!(v["regions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "Africa"));
}

/// The figures of a year checked against the raw data, counted here from the unvotes CSV
/// (not through bamboo's store or measures): Vietnam voted on 88 of 2019's 90 roll calls
/// with the US, 86 with China; agreement 37/176 = 0.2102 and 76.5/86 = 0.8895.
#[tokio::test]
async fn align_gives_the_figures_of_the_raw_votes() {
    let v = get(&router(), "/api/align?a=vnm&b=USA,CHN&from=2019&to=2019")
        .await
        .json();
    assert_eq!(v["subject"], "VNM");
    let row = &v["rows"][0];
    assert_eq!(row["from"], 2019);
    let year = unvotes_of_year(2019);
    assert_eq!(year.len(), 90, "roll calls of 2019 in un_roll_calls.csv");
    assert_eq!(row["roll_calls"], 90);
    for (k, (iso3, iso2, n, agreement)) in [
        ("USA", "US", 88, 37.0 / 176.0),
        ("CHN", "CN", 86, 76.5 / 86.0),
    ]
    .into_iter()
    .enumerate()
    {
        let with = &row["with"][k];
        assert_eq!(with["country"], iso3);
        assert_eq!(raw_agreement(&year, "VN", iso2), (n, agreement), "{iso3}");
        assert_eq!(with["n"], n, "{iso3}");
        let got = with["agreement"].as_f64().unwrap();
        assert!(
            (got - agreement).abs() < 1e-12,
            "{iso3}: {got} vs {agreement}"
        );
    }
    // Default partners are the poles.
    let v = get(&router(), "/api/align?a=VNM&by=total").await.json();
    assert_eq!(v["others"], serde_json::json!(["USA", "CHN", "RUS"]));
    assert_eq!(v["rows"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn balance_reads_lean_toward_a_pole() {
    let v = get(&router(), "/api/balance/VNM?from=2010&to=2019&by=window:5")
        .await
        .json();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0]["from"], 2010);
    assert_eq!(rows[0]["to"], 2014);
    assert_eq!(rows[5]["toward"], "CHN");
    assert_eq!(v["poles"][0]["iso3"], "USA");
    assert_eq!(v["name"], "Vietnam");
}

#[tokio::test]
async fn dyads_filter_by_region() {
    let v = get(&router(), "/api/dyads?year=2019&region=asia")
        .await
        .json();
    assert_eq!(v["region"], "Asia");
    let countries = v["countries"].as_array().unwrap();
    let n = countries.len();
    // The states of region Asia in countries.csv that voted in 2019 (all 193 members did).
    assert_eq!(n, 47, "Asian states");
    let dyads = v["dyads"].as_array().unwrap();
    assert_eq!(dyads.len(), n * (n - 1) / 2);
    assert!(dyads.iter().all(|d| d["a"].as_str() < d["b"].as_str()));
    let all = get(&router(), "/api/dyads?year=2019").await.json();
    // Every pair of the 193 members, each of which voted in 2019.
    assert_eq!(all["dyads"].as_array().unwrap().len(), 193 * 192 / 2);
}

#[tokio::test]
async fn charts_are_svg_with_titles() {
    let a = get(&router(), "/api/chart/balance/VNM.svg?from=1990").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.content_type(), "image/svg+xml; charset=utf-8");
    let t = a.text();
    assert!(t.starts_with("<svg") && t.contains("Vietnam (VNM)") && t.contains("role=\"img\""));
    let a = get(&router(), "/api/chart/heatmap.svg?year=2019&region=Europe").await;
    assert_eq!(a.status, StatusCode::OK);
    // The rows are Europe's states by name, and no state of another region is among them.
    let t = a.text();
    assert!(
        t.contains(">France<") && t.contains(">Poland<"),
        "{}",
        &t[..300]
    );
    assert!(!t.contains(">Viet Nam<") && !t.contains(">Vietnam<") && !t.contains(">Brazil<"));
    // Issue 11's goal: the heatmap at any size under 500 KB; the largest real one is every
    // state of a recent year (193 × 193; 2.7 MB before the compact drawing).
    let a = get(&router(), "/api/chart/heatmap.svg?year=2021").await;
    assert_eq!(a.status, StatusCode::OK);
    let n = a.text().len();
    assert!(
        (100_000..500_000).contains(&n),
        "the all-states heatmap of 2021 is {n} bytes"
    );
    let a = get(&router(), "/api/chart/balance/VNM.png").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // The message points at the SVG of the same state (it once said `VNM.png.svg`).
    assert!(
        a.error().contains("/api/chart/balance/VNM.svg") && !a.error().contains("png"),
        "{}",
        a.error()
    );
}

/// (uri, status, words the message must contain)
const BAD_REQUESTS: &[(&str, u16, &[&str])] = &[
    ("/nope", 404, &["GET /nope", "/api/openapi.json"]),
    ("/api/balance", 404, &["/api/balance"]),
    ("/api/align", 400, &["`a`", "a=VNM"]),
    ("/api/align?a=Vietnam", 400, &["`a`", "did you mean VNM"]),
    (
        "/api/align?a=VNM&b=USA&colour=red",
        400,
        &["`colour`", "allowed"],
    ),
    ("/api/align?a=VNM&a=USA", 400, &["`a`", "twice"]),
    ("/api/align?a=VNM&from=2020&to=2010", 400, &["after"]),
    ("/api/align?a=VNM&from=1800&to=1900", 400, &["1946"]),
    ("/api/align?a=VNM&by=decade", 400, &["`by`", "window:N"]),
    (
        "/api/align?a=VNM&metric=cosine",
        400,
        &["`metric`", "kappa"],
    ),
    (
        "/api/align?a=VNM&from=abc",
        400,
        &["`from`", "whole number"],
    ),
    ("/api/balance/VNM?poles=USA", 400, &["`poles`", "two"]),
    ("/api/balance/VNM?poles=VNM,USA", 400, &["subject itself"]),
    ("/api/balance/XYZ", 400, &["XYZ", "ISO 3166-1"]),
    ("/api/dyads", 400, &["`year`", "required"]),
    ("/api/dyads?year=1964", 400, &["1964"]),
    (
        "/api/dyads?year=2019&region=Atlantis",
        400,
        &["Atlantis", "Asia"],
    ),
    (
        "/api/chart/heatmap.svg?year=2019&region=Atlantis",
        400,
        &["region"],
    ),
    ("/api/ledger/events?kind=summit", 400, &["`kind`", "visit"]),
    (
        "/api/ledger/events?from=2020-02-30",
        400,
        &["`from`", "YYYY-MM-DD"],
    ),
    ("/api/ledger/events?limit=0", 400, &["`limit`"]),
    ("/api/ledger/events/abc", 400, &["abc"]),
    ("/api/ledger/events/999", 404, &["999"]),
    ("/assets/nope.js", 404, &["nope.js"]),
];

#[tokio::test]
async fn every_bad_request_gets_json_naming_the_problem() {
    let app = router();
    for (uri, status, words) in BAD_REQUESTS {
        let a = get(&app, uri).await;
        assert_eq!(a.status.as_u16(), *status, "{uri}: {}", a.text());
        let e = a.error();
        for w in *words {
            assert!(e.contains(w), "{uri}: `{e}` should mention `{w}`");
        }
    }
}

#[tokio::test]
async fn wrong_method_is_json_and_says_what_is_allowed() {
    let a = send(
        &router(),
        Request::delete("/api/ledger/events")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    let e = a.error();
    assert!(
        e.contains("DELETE") && e.contains("GET") && e.contains("POST"),
        "{e}"
    );
    assert!(a.headers.get(header::ALLOW).is_some());
}

#[tokio::test]
async fn dashboard_is_served_with_a_strict_content_security_policy() {
    let a = get(&router(), "/").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.content_type().starts_with("text/html"));
    let csp = a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe"));
    assert_eq!(a.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let html = a.text();
    assert!(html.contains("/assets/app.js") && html.contains("/assets/app.css"));
    // No resource from another origin: the page works offline.
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "external resource in the page"
    );
    for f in ["app.js", "app.css", "favicon.svg"] {
        let a = get(&router(), &format!("/assets/{f}")).await;
        assert_eq!(a.status, StatusCode::OK, "{f}");
        assert!(!a.body.is_empty(), "{f}");
    }
    // The SVG namespace is a name, not a resource: the script draws charts with it.
    let js = get(&router(), "/assets/app.js")
        .await
        .text()
        .replace("\"http://www.w3.org/2000/svg\"", "SVGNS");
    assert!(
        !js.contains("http://") && !js.contains("https://"),
        "external resource in the script"
    );
}

#[tokio::test]
async fn a_server_error_reveals_nothing_internal() {
    use axum::routing::get as route_get;
    let st = state();
    let inner = axum::Router::new()
        .route(
            "/panic",
            route_get(|| async {
                panic!("secret detail: /home/ops/ledger.sqlite3");
                #[allow(unreachable_code)]
                ""
            }),
        )
        .route(
            "/fail",
            route_get(|| async {
                bamboo_server::ApiError::internal("secret detail: database is locked")
            }),
        )
        .route(
            "/text500",
            route_get(|| async {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "secret detail: stack trace",
                )
            }),
        );
    let app = bamboo_server::wrap(inner, &st);
    for path in ["/panic", "/fail", "/text500"] {
        let a = get(&app, path).await;
        assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        let e = a.error();
        assert!(!a.text().contains("secret"), "{path} leaks: {}", a.text());
        assert!(
            e.starts_with("internal error #") && e.contains("log"),
            "{path}: {e}"
        );
    }
}
