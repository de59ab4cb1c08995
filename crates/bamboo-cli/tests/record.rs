//! The full record as the normal test: `cases from-votes`, `backtest --record`,
//! `doctrine fit` and `predict`, through the real binary on the real shared data.

mod common;

use common::*;
use serde_json::Value;

fn json(o: std::process::Output) -> Value {
    serde_json::from_str(&ok(o)).expect("valid JSON")
}

fn best_baseline(r: &Value) -> (String, f64) {
    r["baselines"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
}

/// Every recorded vote of Vietnam in 2017-2019 becomes a case: 308 of them, with every
/// other state's vote, the totals, tags and targets; the file reads back and scores the
/// same as the cases made in memory.
#[test]
fn vietnam_2017_2019_record_as_cases() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("vnm.toml");
    ok(bamboo(&[
        "cases",
        "from-votes",
        "--subject",
        "VNM",
        "--from",
        "2017",
        "--to",
        "2019",
        "-o",
        f.to_str().unwrap(),
    ]));
    let text = std::fs::read_to_string(&f).unwrap();
    let doc: toml::Value = toml::from_str(&text).unwrap();
    let cases = doc["case"].as_array().unwrap();
    assert_eq!(cases.len(), 308);
    let mut ids: Vec<&str> = cases.iter().map(|c| c["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 308, "ids are unique");
    for c in cases {
        assert_eq!(c["subject"].as_str(), Some("VNM"));
        assert_eq!(c["kind"].as_str(), Some("un_vote"));
        let p = &c["positions"];
        let listed: usize = ["yes", "no", "abstain"]
            .iter()
            .map(|k| p.get(k).and_then(|v| v.as_array()).map_or(0, |a| a.len()))
            .sum();
        let tally: i64 = ["yes", "no", "abstain"]
            .iter()
            .map(|k| c["tally"][k].as_integer().unwrap())
            .sum();
        assert_eq!(
            listed as i64 + 1,
            tally,
            "{}: the others plus Vietnam",
            c["id"]
        );
        for k in ["yes", "no", "abstain"] {
            if let Some(a) = p.get(k).and_then(|v| v.as_array()) {
                assert!(!a.iter().any(|x| x.as_str() == Some("VNM")));
            }
        }
        assert!(
            !c["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s.as_str().unwrap().contains('/')),
            "sources carry file names, never local paths"
        );
    }
    let find = |needle: &str| {
        cases
            .iter()
            .find(|c| c["title"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no case titled like {needle}"))
    };
    let iran = find("human rights in the Islamic Republic of Iran");
    assert_eq!(iran["target"].as_str(), Some("IRN"));
    let tags: Vec<&str> = iran["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"human_rights") && tags.contains(&"country_specific"),
        "{tags:?}"
    );
    assert_eq!(iran["actual"].as_str(), Some("no"));
    let cuba = find("embargo imposed by the United States of America against Cuba");
    assert_eq!(cuba["target"].as_str(), Some("USA"));
    assert_eq!(cuba["actual"].as_str(), Some("yes"));
    // The file and the in-memory record give the same backtest.
    let from_file = json(bamboo(&[
        "backtest",
        "--doctrine",
        "data/doctrines/vietnam.toml",
        f.to_str().unwrap(),
        "--json",
    ]));
    let in_memory = json(bamboo(&[
        "backtest",
        "--doctrine",
        "data/doctrines/vietnam.toml",
        "--record",
        "--from",
        "2017",
        "--to",
        "2019",
        "--json",
    ]));
    assert_eq!(from_file, in_memory);
}

/// The UN Digital Library's 2022 records become cases with their record ids, titles and
/// subject terms as tags; the suspension of Russia names its target.
#[test]
fn undl_records_become_cases_with_subject_tags_and_targets() {
    let v = json(bamboo(&[
        "cases",
        "from-votes",
        "--subject",
        "VNM",
        "--from",
        "2022-03-01",
        "--to",
        "2022-04-30",
        "--format",
        "json",
    ]));
    let cases = v["case"].as_array().unwrap();
    let ids: Vec<&str> = cases.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["undl-3959039", "undl-3965954", "undl-3967778"]);
    assert_eq!(cases[0]["actual"], "abstain");
    assert_eq!(cases[0]["tally"]["yes"], 141);
    let tags: Vec<&str> = cases[0]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"use_of_force") && tags.contains(&"security"),
        "{tags:?}"
    );
    assert_eq!(cases[2]["target"], "RUS");
    assert_eq!(cases[2]["actual"], "no");
    let tags: Vec<&str> = cases[2]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(tags.contains(&"membership_suspension"), "{tags:?}");
}

/// The shipped doctrines hold on the ordinary record: each is right on the full record of
/// 2017-2019 and of 2022 to June 2024 more often than every baseline, by at least 5 points
/// on 2022-2024, and stays at or above 0.95 for Vietnam and Indonesia. (Their vote weights
/// were fitted to these years: these are in-sample scores; BENCHMARKS.md gives the held-out
/// ones.)
#[test]
fn shipped_doctrines_beat_every_baseline_on_the_full_record() {
    for (doctrine, floor) in [("vietnam", 0.95), ("india", 0.9), ("indonesia", 0.95)] {
        for (from, to, margin) in [("2017", "2019", 0.0), ("2022", "2024", 0.05)] {
            let r = json(bamboo(&[
                "backtest",
                "--doctrine",
                &format!("data/doctrines/{doctrine}.toml"),
                "--record",
                "--from",
                from,
                "--to",
                to,
                "--json",
            ]));
            let acc = r["accuracy"].as_f64().unwrap();
            let (name, best) = best_baseline(&r);
            assert!(acc >= floor, "{doctrine} {from}-{to}: {acc}");
            assert!(
                acc > best + margin,
                "{doctrine} {from}-{to}: {acc} against {name} {best}"
            );
            // The breakdowns add up.
            let years: u64 = r["by_year"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["cases"].as_u64().unwrap())
                .sum();
            assert_eq!(years, r["cases"].as_u64().unwrap());
            let conf: u64 = r["confusion"]["counts"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|row| row.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()))
                .sum();
            assert_eq!(conf, r["cases"].as_u64().unwrap());
        }
    }
}

/// `doctrine fit` fits before a date and tests after it; the doctrine it writes reads back,
/// says what every fitted value was fitted to, and saw nothing dated after the cut.
#[test]
fn doctrine_fit_writes_a_doctrine_that_says_what_it_was_fitted_to() {
    let t = tempfile::tempdir().unwrap();
    // The doctrine's ledger is found relative to the doctrine file: write it beside a copy.
    let out = t.path().join("vietnam-fitted.toml");
    let text = ok(bamboo(&[
        "doctrine",
        "fit",
        "--doctrine",
        "data/doctrines/vietnam.toml",
        "--record",
        "--until",
        "2017-01-01",
        "--to",
        "2019-12-31",
        "-o",
        out.to_str().unwrap(),
    ]));
    assert!(
        text.contains("in sample:") && text.contains("held out (2017-01-01 on): 308 cases"),
        "{text}"
    );
    let fitted = std::fs::read_to_string(&out).unwrap();
    let doc: toml::Value = toml::from_str(&fitted).unwrap();
    let fit = &doc["branches"]["votes"]["fit"];
    assert!(fit["to"].as_str().unwrap() < "2017-01-01", "{fit}");
    // Vietnam's recorded votes of the twelve years before the cut (2005-2016), counted in
    // un_votes.csv: 991.
    assert_eq!(fit["n"].as_integer(), Some(991));
    let peers = doc["branches"]["votes"]["peers"].as_table().unwrap();
    assert!(!peers.is_empty());
    let block: Vec<&str> = fitted
        .lines()
        .skip_while(|l| *l != "[branches.votes.peers]")
        .take_while(|l| !l.is_empty())
        .collect();
    for (code, _) in peers {
        let line = block
            .iter()
            .find(|l| l.starts_with(&format!("{code} = ")))
            .unwrap();
        assert!(line.contains("# fitted to"), "{line}");
    }
    // The roots are the hand-written ones, untouched.
    let orig: toml::Value = toml::from_str(
        &std::fs::read_to_string(workspace_root().join("data/doctrines/vietnam.toml")).unwrap(),
    )
    .unwrap();
    assert_eq!(doc["root"], orig["root"]);
    // It checks, with its ledger beside it as the relative path says.
    std::fs::create_dir(t.path().join("doctrines")).unwrap();
    std::fs::create_dir(t.path().join("ledger")).unwrap();
    std::fs::copy(
        workspace_root().join("data/ledger/vietnam.toml"),
        t.path().join("ledger/vietnam.toml"),
    )
    .unwrap();
    let beside = t.path().join("doctrines/vietnam.toml");
    std::fs::write(&beside, &fitted).unwrap();
    assert!(ok(bamboo(&["doctrine", "check", beside.to_str().unwrap()])).contains(": ok"));
}

#[test]
fn bad_record_flags_are_refused() {
    for (args, needle) in [
        (vec!["cases", "from-votes", "--subject", "XYZ"], "--subject"),
        (
            vec![
                "cases",
                "from-votes",
                "--subject",
                "VNM",
                "--from",
                "2019-13-01",
            ],
            "--from 2019-13-01",
        ),
        (
            vec![
                "cases",
                "from-votes",
                "--subject",
                "VNM",
                "--from",
                "2020",
                "--to",
                "2019",
            ],
            "is after --to",
        ),
        (
            vec![
                "cases",
                "from-votes",
                "--subject",
                "VNM",
                "--from",
                "1950",
                "--to",
                "1960",
            ],
            "recorded no vote",
        ),
        (
            vec!["predict", "--from", "2030"],
            "no roll call to forecast",
        ),
        (
            vec![
                "doctrine",
                "fit",
                "--doctrine",
                "data/doctrines/vietnam.toml",
                "--record",
                "--until",
                "soon",
            ],
            "--until soon",
        ),
        (
            vec![
                "doctrine",
                "fit",
                "--doctrine",
                "data/doctrines/vietnam.toml",
                "--record",
                "--until",
                "2017",
                "--max-peers",
                "0",
            ],
            "--max-peers 0",
        ),
        (
            vec![
                "backtest",
                "--doctrine",
                "data/doctrines/vietnam.toml",
                "--record",
                "--no-data",
            ],
            "--no-data",
        ),
    ] {
        let e = fails(bamboo(&args));
        assert!(e.contains(needle), "{args:?}: {e}");
    }
}

/// With the others' positions, forecasts of 2019 are right 96.5% of the time, and
/// calibrated: in each band of stated confidence, the share right is within 2 points of
/// the mean confidence.
#[test]
fn forecasts_of_2019_are_accurate_and_calibrated() {
    let v = json(bamboo(&[
        "predict", "--from", "2019", "--to", "2019", "--format", "json",
    ]));
    // Every vote cast in 2019 (16,174 in un_votes.csv) is forecast. BENCHMARKS.md gives
    // 0.951 for 2017-2019; 2019 alone scores 0.965 (the figures are pinned: a change of the
    // model shows here, and must be explained).
    assert_eq!(v["model"]["n"], 16_174);
    let acc = v["model"]["accuracy"].as_f64().unwrap();
    assert_eq!(acc, 0.965, "{}", v["model"]);
    for (k, b) in v["baselines"].as_object().unwrap() {
        assert!(acc > b["accuracy"].as_f64().unwrap(), "{k}");
        assert!(
            v["model"]["brier"].as_f64().unwrap() < b["brier"].as_f64().unwrap(),
            "{k}"
        );
    }
    let mut bands = [(0.0f64, 0usize, 0usize); 4]; // (sum of confidence, n, right)
    let edges = [0.4, 0.6, 0.8, 0.95, 1.01];
    for f in v["forecasts"].as_array().unwrap() {
        let Some(actual) = f["actual"].as_str() else {
            continue;
        };
        let p = [
            f["p_yes"].as_f64().unwrap(),
            f["p_no"].as_f64().unwrap(),
            f["p_abstain"].as_f64().unwrap(),
        ];
        let conf = p.iter().copied().fold(0.0, f64::max);
        let band = (0..4).find(|&b| conf >= edges[b] && conf < edges[b + 1]);
        if let Some(b) = band {
            bands[b].0 += conf;
            bands[b].1 += 1;
            bands[b].2 += usize::from(f["predicted"].as_str() == Some(actual));
        }
    }
    // Measured: 0.013, 0.016 and 0.003 apart in the bands 0.6-0.8, 0.8-0.95 and 0.95 on
    // (591, 2,685 and 12,763 forecasts); the band below 0.6 has too few (130) to read.
    for (sum, n, right) in bands {
        if n >= 300 {
            let (mean, hit) = (sum / n as f64, right as f64 / n as f64);
            assert!(
                (mean - hit).abs() < 0.02,
                "confidence {mean:.3} against {hit:.3} over {n}"
            );
        }
    }
    // Blind: 0.9552, 15 points above always-first (0.8047); BENCHMARKS.md gives 0.928
    // against 0.807 for 2017-2019.
    let b = json(bamboo(&[
        "predict", "--blind", "--from", "2019", "--to", "2019", "--format", "json",
    ]));
    assert_eq!(b["baselines"]["always-first"]["accuracy"], 0.8047);
    assert_eq!(b["model"]["accuracy"], 0.9552, "{}", b["model"]);
}

/// Nothing dated on or after a vote informs its forecast: the forecasts of 2019 are the
/// same bytes with the data of 2020-2024 removed.
#[test]
fn forecasts_do_not_look_ahead() {
    let until_2019 = data_dir_with(&[
        "unga/un_roll_calls.csv.gz",
        "unga/un_roll_call_issues.csv.gz",
        "unga/un_votes.csv.gz",
    ]);
    for mode in [&["--given-positions"][..], &["--blind"][..]] {
        let mut args = vec![
            "predict",
            "--from",
            "2019-10-01",
            "--to",
            "2019-12-31",
            "--format",
            "csv",
        ];
        args.extend_from_slice(mode);
        let full = ok(bamboo(&args));
        let cut = ok(bamboo_in(until_2019.path(), &args));
        // A forecast for each of the 193 members on each of the 90 roll calls of 2019 (all
        // in October-December), and the header.
        assert_eq!(full.lines().count(), 1 + 193 * 90, "{mode:?}");
        assert_eq!(full, cut, "{mode:?}");
    }
}
