//! Router tests of `GET /api/rollcalls` on the real data: its totals give back the figure
//! `/api/align` and `/api/balance` give for the same pair and span (a year, a window, an
//! issue), the listed roll calls add up to the totals, pages follow one another without a
//! gap or a repeat, and every bad parameter gets a 400 that names it.

mod common;

use common::*;
use serde_json::Value;

fn close(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-12,
        _ => a == b,
    }
}

/// Every roll call of the list, `limit` a page (`uri` asks for them), page after page
/// (asserting the totals never change).
async fn all_pages(app: &axum::Router, uri: &str, limit: u64) -> (Value, Vec<Value>) {
    let first = get(app, uri).await;
    assert_eq!(first.status, 200, "{uri}: {}", first.text());
    let first = first.json();
    let mut rows: Vec<Value> = first["rows"].as_array().unwrap().clone();
    let mut next = first["next"].clone();
    // Every page but the last full (these listings are far below the byte limit): as many
    // pages as the listing needs at `limit` a page, and no more.
    let want_pages = first["listed"].as_u64().unwrap().div_ceil(limit).max(1);
    let mut pages = 1;
    while let Some(c) = next.as_str() {
        let page = get(app, &format!("{uri}&cursor={c}")).await.json();
        assert_eq!(page["totals"], first["totals"], "page {pages}");
        rows.extend(page["rows"].as_array().unwrap().iter().cloned());
        next = page["next"].clone();
        pages += 1;
        assert!(pages <= want_pages, "{uri}: more than {want_pages} pages");
    }
    assert_eq!(pages, want_pages, "{uri}");
    (first, rows)
}

/// The totals equal /api/align's measures for the same question, and the rows add up to them.
async fn check_against_align(rc_query: &str, align_query: &str) {
    let app = router();
    let (ev, rows) = all_pages(&app, &format!("/api/rollcalls?{rc_query}&limit=37"), 37).await;
    let align = get(&app, &format!("/api/align?{align_query}")).await;
    assert_eq!(align.status, 200, "{}", align.text());
    let align = align.json();
    let row = align["rows"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(row["from"], ev["from"], "{rc_query}");
    assert_eq!(row["to"], ev["to"], "{rc_query}");
    assert_eq!(row["roll_calls"], ev["roll_calls"], "{rc_query}");
    assert_eq!(rows.len() as u64, ev["listed"].as_u64().unwrap());
    let totals = ev["totals"].as_array().unwrap();
    let with = row["with"].as_array().unwrap();
    assert_eq!(totals.len(), with.len());
    for (j, (t, w)) in totals.iter().zip(with).enumerate() {
        assert_eq!(t["country"], w["country"]);
        assert_eq!(t["n"], w["n"], "{rc_query}: n with {}", w["country"]);
        for m in ["agreement", "s", "kappa", "pi", "coincidence"] {
            assert!(
                close(&t["measures"][m], &w[m]),
                "{rc_query}: {m} with {}: {} vs align {}",
                w["country"],
                t["measures"][m],
                w[m]
            );
        }
        assert!(close(&t["agreement"], &w["agreement"]));
        // Traced from the list: the rows both voted on, their scores, their sum.
        let both: Vec<&Value> = rows
            .iter()
            .filter(|r| !r["vote"].is_null() && !r["with"][j]["vote"].is_null())
            .collect();
        assert_eq!(both.len() as u64, t["n"].as_u64().unwrap());
        let sum: f64 = both
            .iter()
            .map(|r| r["with"][j]["score"].as_f64().unwrap())
            .sum();
        assert!((sum - t["score_sum"].as_f64().unwrap()).abs() < 1e-9);
        let agreement = w["agreement"].as_f64().unwrap();
        assert!((sum / both.len() as f64 - agreement).abs() < 1e-12);
        let alike = both
            .iter()
            .filter(|r| r["with"][j]["accord"] == "alike")
            .count();
        assert_eq!(alike as u64, t["alike"].as_u64().unwrap());
    }
    // The listing order: by date, then roll call id, each once.
    let keys: Vec<(String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["date"].as_str().unwrap().to_string(),
                r["rcid"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted);
}

#[tokio::test]
async fn a_years_totals_are_aligns_figure() {
    check_against_align(
        "country=VNM&other=USA,CHN,RUS&from=2019&to=2019",
        "a=VNM&b=USA,CHN,RUS&from=2019&to=2019",
    )
    .await;
}

#[tokio::test]
async fn a_windows_totals_are_aligns_figure() {
    check_against_align(
        "country=IND&other=USA,RUS&from=1986&to=1990",
        "a=IND&b=USA,RUS&from=1986&to=1990&by=window:5",
    )
    .await;
}

#[tokio::test]
async fn an_issues_totals_are_aligns_figure() {
    check_against_align(
        "country=VNM&other=USA,CHN&from=2010&to=2012&issue=hr",
        "a=VNM&b=USA,CHN&from=2010&to=2012&by=total&issue=hr",
    )
    .await;
}

#[tokio::test]
async fn the_balance_point_is_traced_to_its_roll_calls() {
    let app = router();
    let b = get(&app, "/api/balance/BRA?from=2000&to=2000").await.json();
    let row = &b["rows"][0];
    let ev = get(&app, "/api/rollcalls?country=BRA&from=2000&to=2000")
        .await
        .json();
    // The default others are the default poles, in the same order.
    for (a, t) in row["alignments"]
        .as_array()
        .unwrap()
        .iter()
        .zip(ev["totals"].as_array().unwrap())
    {
        assert_eq!(a["pole"], t["country"]);
        assert_eq!(a["n"], t["n"]);
        assert!(close(&a["alignment"], &t["agreement"]), "{a} vs {t}");
    }
    // Each row names the roll call and each side's vote.
    let r = &ev["rows"][0];
    for k in [
        "rcid",
        "date",
        "session",
        "resolution",
        "title",
        "issues",
        "vote",
    ] {
        assert!(r.get(k).is_some(), "{k} missing from {r}");
    }
    assert!(r["with"][0]["accord"].is_string());
}

#[tokio::test]
async fn pages_follow_each_other_and_absent_lists_more() {
    let app = router();
    let a = get(
        &app,
        "/api/rollcalls?country=VNM&other=USA&from=2019&to=2019&limit=10",
    )
    .await
    .json();
    assert_eq!(a["count"], 10);
    assert_eq!(a["truncated"], true);
    let next = a["next"].as_str().unwrap();
    let last = &a["rows"][9];
    assert_eq!(
        next,
        format!("{}~{}", last["date"].as_str().unwrap(), last["rcid"])
    );
    let b = get(
        &app,
        &format!("/api/rollcalls?country=VNM&other=USA&from=2019&to=2019&limit=10&cursor={next}"),
    )
    .await
    .json();
    assert!(b["rows"][0]["rcid"] != last["rcid"]);
    assert!(b["rows"][0]["date"].as_str() >= last["date"].as_str());
    // The whole year on one page: the same rows as the pages.
    let (_, paged) = all_pages(
        &app,
        "/api/rollcalls?country=VNM&other=USA&from=2019&to=2019&limit=10",
        10,
    )
    .await;
    let one = get(
        &app,
        "/api/rollcalls?country=VNM&other=USA&from=2019&to=2019",
    )
    .await
    .json();
    assert_eq!(one["next"], Value::Null);
    assert_eq!(&paged, one["rows"].as_array().unwrap());
    // Taiwan stopped voting in 1971: with absent, the roll calls it missed are listed too,
    // with a null vote, and the totals do not change.
    let q = "/api/rollcalls?country=TWN&other=USA&from=1971&to=1971";
    let both = get(&app, q).await.json();
    let all = get(&app, &format!("{q}&absent=true")).await.json();
    assert!(
        all["listed"].as_u64() > both["listed"].as_u64(),
        "{} vs {}",
        all["listed"],
        both["listed"]
    );
    assert_eq!(all["totals"], both["totals"]);
    assert!(all["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["vote"].is_null() && r["with"][0]["score"].is_null()));
}

/// (query, status, the field at fault, words the message must contain)
const BAD: &[(&str, u16, Option<&str>, &[&str])] = &[
    (
        "",
        400,
        Some("country"),
        &["`country`", "required", "country=VNM"],
    ),
    ("country=Vietnm", 400, Some("country"), &["`country`"]),
    (
        "country=VNM&other=XYZ",
        400,
        Some("other"),
        &["`other`", "XYZ"],
    ),
    (
        "country=VNM&other=VNM",
        400,
        Some("other"),
        &["`other`", "itself"],
    ),
    (
        "country=VNM&from=2020&to=2010",
        400,
        Some("from"),
        &["after"],
    ),
    (
        "country=VNM&from=1800&to=1900",
        400,
        Some("from"),
        &["1946"],
    ),
    (
        "country=VNM&to=abc",
        400,
        Some("to"),
        &["`to`", "whole number"],
    ),
    (
        "country=VNM&limit=0",
        400,
        Some("limit"),
        &["`limit`", "500"],
    ),
    (
        "country=VNM&limit=501",
        400,
        Some("limit"),
        &["`limit`", "next"],
    ),
    (
        "country=VNM&cursor=yesterday",
        400,
        Some("cursor"),
        &["`cursor`", "next"],
    ),
    (
        "country=VNM&issue=xx",
        400,
        Some("issue"),
        &["`issue`", "hr"],
    ),
    (
        "country=VNM&important=maybe",
        400,
        Some("important"),
        &["`important`", "true"],
    ),
    (
        "country=VNM&absent=2",
        400,
        Some("absent"),
        &["`absent`", "true"],
    ),
    (
        "country=VNM&colour=red",
        400,
        None,
        &["`colour`", "allowed"],
    ),
    (
        "country=VNM&year=2019&important=true&from=2021&to=2021",
        400,
        None,
        &["`year`"],
    ),
    (
        "country=VNM&important=true&from=2021&to=2021",
        422,
        None,
        &["important", "1983-2017"],
    ),
];

#[tokio::test]
async fn bad_parameters_are_located() {
    let app = router();
    for (q, status, field, words) in BAD {
        let a = get(&app, &format!("/api/rollcalls?{q}")).await;
        assert_eq!(a.status.as_u16(), *status, "{q}: {}", a.text());
        let e = a.error();
        for w in *words {
            assert!(e.contains(w), "{q}: `{e}` should mention `{w}`");
        }
        if let Some(f) = field {
            assert_eq!(a.json()["field"], *f, "{q}: {}", a.text());
        }
    }
}
