//! Router tests of advice and backtests on the shipped doctrines and case files: the
//! default doctrine comes from the data, TOML and JSON bodies give the same answer, and bad
//! cases are refused naming the case and the key.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bamboo_data::ledger_db::LedgerDb;
use bamboo_server::Limits;
use common::*;

fn cases_file(name: &str) -> String {
    std::fs::read_to_string(workspace_root().join("data/cases").join(name)).unwrap()
}

async fn post_toml(app: &axum::Router, uri: &str, body: &str) -> Answer {
    send(
        app,
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/toml")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn advice_uses_the_subjects_default_doctrine_declared_in_data() {
    let app = router();
    let a = post_toml(&app, "/api/advise", &cases_file("vietnam-record.toml")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.headers["bamboo-doctrine"], "vietnam");
    let v = a.json();
    let answers = v.as_array().unwrap();
    // One answer per case of the file.
    let cases = cases_file("vietnam-record.toml")
        .matches("[[case]]")
        .count();
    assert_eq!(answers.len(), cases);
    for x in answers {
        for k in ["id", "choice", "options", "plan", "lean", "explanation"] {
            assert!(x.get(k).is_some(), "answer lacks `{k}`: {x}");
        }
    }
    assert!(
        a.text().ends_with("]\n"),
        "the CLI's bytes end in one newline"
    );
    let a = post_toml(&app, "/api/advise", &cases_file("india.toml")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.headers["bamboo-doctrine"], "india");
    let a = post_toml(
        &app,
        "/api/advise?doctrine=neutral",
        &cases_file("vietnam-record.toml"),
    )
    .await;
    assert_eq!(a.headers["bamboo-doctrine"], "neutral");
}

#[tokio::test]
async fn the_same_cases_as_json_get_the_same_bytes() {
    let app = router();
    let toml_text = cases_file("vietnam-record.toml");
    let value: toml::Value = toml::from_str(&toml_text).unwrap();
    let json_text = serde_json::to_string(&value).unwrap();
    let a = post_toml(&app, "/api/advise", &toml_text).await;
    let b = send(
        &app,
        Request::post("/api/advise")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json_text))
            .unwrap(),
    )
    .await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.text());
    assert_eq!(a.body, b.body);
}

#[tokio::test]
async fn backtest_scores_against_the_record_with_baselines() {
    let app = router();
    let a = post_toml(&app, "/api/backtest", &cases_file("vietnam-record.toml")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let v = a.json();
    // BENCHMARKS.md, "Backtest accuracy": 0.9608 on the 51 cases of the record, 49 right
    // (what `bamboo backtest` gives for the same file).
    assert_eq!(v["cases"], 51);
    assert_eq!(v["correct"], 49);
    assert!(v["baselines"]["always-first"].is_number());
    assert_eq!(
        v["results"].as_array().unwrap().len() as u64,
        v["cases"].as_u64().unwrap()
    );
}

#[tokio::test]
async fn bad_cases_and_doctrines_are_refused_naming_what_is_wrong() {
    let app = router();
    let good = cases_file("vietnam-record.toml");
    let a = post_toml(&app, "/api/advise?doctrine=nope", &good).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.error().contains("vietnam"), "{}", a.error());
    let a = post_toml(
        &app,
        "/api/advise",
        &good.replacen("kind = \"un_vote\"", "kind = \"summit\"", 1),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = a.error();
    assert!(
        e.contains("request body") && e.contains("kind") && e.contains("summit"),
        "{e}"
    );
    let a = post_toml(&app, "/api/advise", &good.replacen("title =", "titel =", 1)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.error().contains("titel"), "{}", a.error());
    let a = post_toml(&app, "/api/advise", "").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.error().contains("[[case]]"), "{}", a.error());
    let a = post_toml(&app, "/api/advise?doctrine=india", &good).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.error().contains("is about VNM"), "{}", a.error());
    let a = post_toml(
        &app,
        "/api/backtest",
        &good.replace("actual = ", "# actual = "),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.error().contains("actual"), "{}", a.error());
    let a = post_toml(&app, "/api/advise?ledger=web", &good).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.error().contains("`ledger`"));
    let cases = good.matches("[[case]]").count();
    let few = bamboo_server::app(state_with(
        Limits {
            max_cases: cases - 1,
            ..Limits::default()
        },
        LedgerDb::open_in_memory().unwrap().0,
    ));
    let a = post_toml(&few, "/api/advise", &good).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.error().contains("limit"), "{}", a.error());
}

#[tokio::test]
async fn doctrines_and_sample_cases_are_listed() {
    let v = get(&router(), "/api/doctrines").await.json();
    let ds = v["doctrines"].as_array().unwrap();
    let vn = ds.iter().find(|d| d["name"] == "vietnam").unwrap();
    assert_eq!(vn["default"], true);
    assert_eq!(vn["subject"], "VNM");
    assert!(vn["roots"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "no-alliance"));
    assert_eq!(
        ds.iter()
            .filter(|d| d["default"] == true && d["subject"] == "VNM")
            .count(),
        1
    );
    let v = get(&router(), "/api/cases").await.json();
    assert!(v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "vietnam-record"));
    let h = get(&router(), "/api/health").await.json();
    assert_eq!(h["features"]["advise"], true);
}

#[tokio::test]
async fn plans_are_dated_agendas_with_both_lean_paths() {
    let app = router();
    let a = post_toml(
        &app,
        "/api/plan?horizon=6",
        &cases_file("vietnam-record.toml"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.headers["bamboo-doctrine"], "vietnam");
    let v = a.json();
    let answers = v.as_array().unwrap();
    // One answer per case of the file.
    let cases = cases_file("vietnam-record.toml")
        .matches("[[case]]")
        .count();
    assert_eq!(answers.len(), cases);
    let mut steps = 0;
    for x in answers {
        let p = &x["plan"];
        assert_eq!(p["horizon_months"], 6, "{x}");
        let without = p["lean_without"].as_array().unwrap();
        assert!(without.is_empty() || without.len() == 7, "{x}");
        for ag in p["agendas"].as_array().unwrap() {
            assert_eq!(ag["lean"].as_array().unwrap().len(), without.len());
            for s in ag["steps"].as_array().unwrap() {
                let m = s["month"].as_u64().unwrap();
                assert!((0..=6).contains(&m), "{s}");
                assert_eq!(s["date"].as_str().unwrap().len(), 10);
                assert!(!s["pillars"].as_array().unwrap().is_empty());
                steps += 1;
            }
        }
    }
    assert!(steps > 0, "no case of the record needed a move");
    for bad in ["0", "61", "twelve"] {
        let a = post_toml(
            &app,
            &format!("/api/plan?horizon={bad}"),
            &cases_file("vietnam-record.toml"),
        )
        .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}: {}", a.text());
        assert!(a.text().contains("horizon"), "{}", a.text());
    }
    // A doctrine without a catalogue of moves cannot plan, and says so.
    let a = post_toml(
        &app,
        "/api/plan?doctrine=neutral",
        &cases_file("vietnam-record.toml"),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert!(a.text().contains("trunk.move"), "{}", a.text());
}

#[tokio::test]
async fn a_bad_case_file_gets_every_located_error_at_once() {
    let app = router();
    let body = "[[case]]\nid = \"a\"\ndate = \"2020-01-01\"\nsubject = \"VNM\"\nkind = \"un_vote\"\ntitle = \"x\"\nsources = [\"s\"]\nbogus = 1\n\n[[case]]\nid = \"b\"\ndate = \"2020-13-01\"\nsubject = \"VNM\"\nkind = \"un_vote\"\ntitle = \"y\"\nsources = [\"s\"]\n";
    for route in ["/api/advise", "/api/backtest", "/api/plan"] {
        let a = post_toml(&app, route, body).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
        let v = a.json();
        let errors = v["errors"].as_array().expect("an `errors` list");
        assert_eq!(errors.len(), 2, "{v}");
        assert_eq!(errors[0]["line"], 8);
        assert_eq!(errors[0]["field"], "bogus");
        assert_eq!(errors[1]["line"], 12);
        assert_eq!(errors[1]["field"], "date");
        assert_eq!(v["error"], errors[0]["message"]);
    }
}
