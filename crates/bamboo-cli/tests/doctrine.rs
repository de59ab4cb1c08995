//! Drives the real `bamboo` binary on the real doctrine, ledger, case and data files:
//! backtest accuracy, the spec's JSON shapes, determinism, the four nos, errors that name
//! file, line and key, no look-ahead, the ledger-only path and a second subject.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared() -> PathBuf {
    root().join("../shared")
}

fn p(rel: &str) -> String {
    root().join(rel).to_string_lossy().into_owned()
}

fn bamboo(args: &[&str]) -> Output {
    let data = shared().join("data");
    Command::new(env!("CARGO_BIN_EXE_bamboo"))
        .arg("--data")
        .arg(&data)
        .args(args)
        .env_remove("BAMBOO_DATA")
        .output()
        .expect("run bamboo")
}

fn ok(args: &[&str]) -> String {
    let o = bamboo(args);
    assert!(
        o.status.success(),
        "bamboo {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn fail(args: &[&str]) -> String {
    let o = bamboo(args);
    assert!(!o.status.success(), "bamboo {args:?} should fail");
    String::from_utf8(o.stderr).unwrap()
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).expect("valid JSON")
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn shared_cases() -> String {
    shared()
        .join("cases/vietnam.toml")
        .to_string_lossy()
        .into_owned()
}

const VN: &str = "data/doctrines/vietnam.toml";

#[test]
fn vietnam_backtest_gets_all_twelve_shared_cases_right() {
    let out = ok(&["backtest", "--doctrine", &p(VN), &shared_cases(), "--json"]);
    let v = json(&out);
    // The spec's keys, then the breakdowns.
    assert_eq!(
        keys(&v),
        [
            "accuracy",
            "baseline_notes",
            "baselines",
            "by_option",
            "by_tag",
            "by_year",
            "cases",
            "confusion",
            "correct",
            "decisive",
            "results"
        ]
    );
    let order: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("  \"") && l.contains("\":"))
        .map(|l| l.trim().split('"').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        order[..5],
        ["cases", "correct", "accuracy", "baselines", "results"],
        "the spec's keys come first, in its order"
    );
    assert_eq!(v["cases"], 12);
    assert_eq!(v["correct"], 12, "{out}");
    assert_eq!(v["accuracy"], 1.0);
    assert_eq!(
        keys(&v["baselines"]),
        [
            "always-first",
            "follow:CHN",
            "follow:RUS",
            "follow:USA",
            "last-similar",
            "majority",
            "neighbour"
        ]
    );
    for r in v["results"].as_array().unwrap() {
        assert_eq!(keys(r), ["actual", "correct", "id", "predicted"]);
    }
}

#[test]
fn held_out_record_beats_every_baseline() {
    let out = ok(&[
        "backtest",
        "--doctrine",
        &p(VN),
        &p("data/cases/vietnam-record.toml"),
        "--json",
    ]);
    let v = json(&out);
    // BENCHMARKS.md, "Backtest accuracy": 0.9608 on the 51 cases of the record, 49 right.
    assert_eq!(
        (v["correct"].as_u64(), v["cases"].as_u64()),
        (Some(49), Some(51)),
        "{out}"
    );
    let acc = v["accuracy"].as_f64().unwrap();
    for (name, b) in v["baselines"].as_object().unwrap() {
        assert!(acc > b.as_f64().unwrap(), "{name} beats the doctrine");
    }
}

#[test]
fn advise_json_has_exactly_the_spec_keys_and_is_byte_identical() {
    let args = ["advise", "--doctrine", &p(VN), &shared_cases(), "--json"];
    let a = ok(&args);
    let b = ok(&args);
    assert_eq!(a, b, "same inputs must give byte-identical JSON");
    let v = json(&a);
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 12);
    for x in arr {
        assert_eq!(
            keys(x),
            ["choice", "explanation", "id", "lean", "options", "plan"]
        );
        assert_eq!(keys(&x["lean"]), ["after", "before"]);
        for o in x["options"].as_array().unwrap() {
            assert_eq!(keys(o), ["admissible", "option", "score", "violations"]);
        }
        for s in x["plan"].as_array().unwrap() {
            assert_eq!(keys(s), ["action", "pillar", "toward"]);
            let pillar = s["pillar"].as_str().unwrap();
            assert!(["party", "state", "people"].contains(&pillar));
        }
    }
    // ES-11/1: yes is ruled out by no-siding; the plan offsets toward both displeased poles.
    let es = arr
        .iter()
        .find(|x| x["id"] == "2022-03-02-unga-es11-1")
        .unwrap();
    assert_eq!(es["choice"], "abstain");
    assert_eq!(es["options"][0]["violations"][0], "no-siding");
    let toward: Vec<&str> = es["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["toward"].as_str().unwrap())
        .collect();
    assert!(
        toward.contains(&"USA") && toward.contains(&"RUS"),
        "{toward:?}"
    );
    let pillars: Vec<&str> = es["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["pillar"].as_str().unwrap())
        .collect();
    for want in ["party", "state", "people"] {
        assert!(pillars.contains(&want), "{pillars:?}");
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let f = dir.join(name);
    std::fs::write(&f, text).unwrap();
    f.to_string_lossy().into_owned()
}

const FOUR_NOS: &str = r#"
[[case]]
id = "alliance"
date = "2020-01-01"
subject = "VNM"
kind = "alliance"
counterpart = "USA"
title = "Alliance offer"
sources = ["test"]

[[case]]
id = "siding-vote"
date = "2020-01-01"
subject = "VNM"
kind = "un_vote"
target = "CHN"
title = "A measure aimed at a great power"
sources = ["test"]
[case.positions]
yes = ["USA"]
no = ["CHN"]

[[case]]
id = "siding-sanctions"
date = "2020-01-01"
subject = "VNM"
kind = "sanctions"
counterpart = "CHN"
target = "USA"
title = "A call to join sanctions"
sources = ["test"]

[[case]]
id = "base"
date = "2020-01-01"
subject = "VNM"
kind = "basing"
counterpart = "CHN"
title = "Base request"
sources = ["test"]

[[case]]
id = "force"
date = "2020-01-01"
subject = "VNM"
kind = "incident"
counterpart = "USA"
title = "An incident"
tags = ["sovereignty"]
sources = ["test"]
"#;

#[test]
fn each_of_the_four_nos_forbids_what_it_should() {
    let dir = tempfile::tempdir().unwrap();
    let cases = write(dir.path(), "nos.toml", FOUR_NOS);
    let v = json(&ok(&["advise", "--doctrine", &p(VN), &cases, "--json"]));
    let expect = [
        ("alliance", "join", "no-alliance", "decline"),
        ("siding-vote", "yes", "no-siding", "abstain"),
        ("siding-sanctions", "join", "no-siding", "decline"),
        ("base", "grant", "no-bases", "decline"),
        ("force", "force", "no-force", "protest"),
    ];
    for (id, option, root, choice) in expect {
        let x = v
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap();
        assert_eq!(x["choice"], choice, "{id}");
        for o in x["options"].as_array().unwrap() {
            let violations: Vec<&str> = o["violations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            if o["option"] == option {
                assert_eq!(o["admissible"], false, "{id}");
                assert!(violations.contains(&root), "{id}: {violations:?}");
            } else {
                assert!(!violations.contains(&root), "{id}: {root} forbids too much");
            }
        }
    }
}

#[test]
fn when_every_option_is_forbidden_the_least_violating_one_is_chosen_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let doctrine = std::fs::read_to_string(root().join(VN))
        .unwrap()
        .replace("../ledger/vietnam.toml", &p("data/ledger/vietnam.toml"));
    let doctrine = format!(
        "{doctrine}\n[[root]]\nid = \"no-protest\"\nprinciple = \"test\"\nweight = 0.5\n[[root.forbid]]\nkind = [\"incident\"]\noption = [\"protest\"]\n"
    );
    // Roots must come before [branches] in a TOML file, so rebuild the document order.
    let (head, rest) = doctrine.split_once("[branches]").unwrap();
    let (branches, extra) = rest.split_once("\n[[root]]\nid = \"no-protest\"").unwrap();
    let text = format!("{head}[[root]]\nid = \"no-protest\"{extra}\n[branches]{branches}");
    let d = write(dir.path(), "all-forbidden.toml", &text);
    let cases = write(dir.path(), "nos.toml", FOUR_NOS);
    let out = ok(&["advise", "--doctrine", &d, &cases, "--json"]);
    let v = json(&out);
    let x = v
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "force")
        .unwrap();
    assert!(x["options"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["admissible"] == false));
    assert_eq!(x["choice"], "protest", "the lightest violation wins");
    assert!(x["explanation"]
        .as_str()
        .unwrap()
        .contains("Every option is forbidden"));
}

#[test]
fn malformed_case_files_name_file_case_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(shared().join("cases/vietnam.toml")).unwrap();
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let text = good.replace(
        "tags = [\"sanctions\", \"use_of_force\"]",
        "tags = [\"sanctions\", \"war\"]",
    );
    let bad_tag = write(dir.path(), "bad-tag.toml", &text);
    let e = fail(&["advise", "--doctrine", &p(VN), &bad_tag]);
    let line = line_of(&text, "\"war\"");
    assert!(e.contains(&format!("bad-tag.toml:{line}:")), "{e}");
    assert!(
        e.contains("case `2022-03-07-join-sanctions-on-russia`"),
        "{e}"
    );
    assert!(
        e.contains("key `tags[1]`") && e.contains("unknown tag `war`"),
        "{e}"
    );

    let text = good.replace(
        "tier = \"comprehensive_strategic\"\ncounterpart = \"RUS\"",
        "teir = \"comprehensive_strategic\"\ncounterpart = \"RUS\"",
    );
    let unknown_key = write(dir.path(), "unknown-key.toml", &text);
    let e = fail(&["advise", "--doctrine", &p(VN), &unknown_key]);
    let line = line_of(&text, "teir");
    assert!(e.contains(&format!("unknown-key.toml:{line}:")), "{e}");
    assert!(
        e.contains("case `2012-07-27-russia-csp`") && e.contains("key `teir`"),
        "{e}"
    );

    let text = good.replace("actual = \"protest\"", "actual = \"accept\"");
    let bad_actual = write(dir.path(), "bad-actual.toml", &text);
    let e = fail(&["backtest", "--doctrine", &p(VN), &bad_actual]);
    let hd = text.find("id = \"2014-05-02-hd981-oil-rig\"").unwrap();
    let line = text[..hd].lines().count()
        + text[hd..]
            .lines()
            .position(|l| l.starts_with("actual"))
            .unwrap()
        + 1;
    assert!(e.contains(&format!("bad-actual.toml:{line}:")), "{e}");
    assert!(e.contains("key `actual`"), "{e}");
}

#[test]
fn a_case_without_actual_is_an_error_for_backtest() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(shared().join("cases/vietnam.toml")).unwrap();
    let f = write(
        dir.path(),
        "no-actual.toml",
        &good.replace("actual = \"protest\"\n", ""),
    );
    let e = fail(&["backtest", "--doctrine", &p(VN), &f]);
    assert!(
        e.contains("2014-05-02-hd981-oil-rig") && e.contains("actual"),
        "{e}"
    );
    // advise does not need it.
    ok(&["advise", "--doctrine", &p(VN), &f]);
}

#[test]
fn malformed_doctrines_name_file_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(root().join(VN)).unwrap();
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let cases = [
        (
            "option = [\"grant\"]",
            "option = [\"garnt\"]",
            "root[2].forbid[0].option[0]",
        ),
        (
            "[branches.tags.trade]",
            "[branches.tags.trad]",
            "branches.tags.trad",
        ),
        (
            "target = \"pole\"",
            "target = \"superpower\"",
            "root[1].forbid[0].target",
        ),
        (
            "max_lean = 0.35",
            "max_lean = 0.35\nmax_leen = 1",
            "max_leen",
        ),
    ];
    for (from, to, key) in cases {
        let text = good.replace(from, to);
        let f = write(dir.path(), "bad.toml", &text);
        let e = fail(&["doctrine", "check", &f]);
        let line = line_of(&text, to.lines().last().unwrap());
        assert!(e.contains(&format!("bad.toml:{line}:")), "{key}: {e}");
        assert!(e.contains(&format!("key `{key}`")), "{key}: {e}");
    }
    let e = fail(&["doctrine", "check", &p("data/doctrines/missing.toml")]);
    assert!(e.contains("missing.toml"), "{e}");
}

#[test]
fn no_look_ahead_events_on_or_after_the_case_date_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = std::fs::read_to_string(root().join("data/ledger/vietnam.toml")).unwrap();
    let mut future = ledger.clone();
    // Everything dated on the case's own day or later, and loud: it must be ignored.
    for (date, kind, who) in [
        ("2023-09-10", "incident", "USA"),
        ("2023-09-10", "incident", "CHN"),
        ("2023-09-11", "visit", "RUS"),
        ("2030-01-01", "incident", "USA"),
    ] {
        future.push_str(&format!(
            "\n[[event]]\ndate = \"{date}\"\nkind = \"{kind}\"\nactors = [\"VNM\", \"{who}\"]\ntitle = \"future\"\nsources = [\"test\"]\n"
        ));
    }
    let fut = write(dir.path(), "future.toml", &future);
    let cases = dir.path().join("csp.toml");
    let all = std::fs::read_to_string(shared().join("cases/vietnam.toml")).unwrap();
    let start = all.find("[[case]]\nid = \"2023-09-10-usa-csp\"").unwrap();
    let end = all[start + 8..].find("[[case]]").unwrap() + start + 8;
    std::fs::write(&cases, &all[start..end]).unwrap();
    let cases = cases.to_string_lossy().into_owned();
    let base = ["advise", "--doctrine", &p(VN), &cases, "--json", "--trace"];
    let a = ok(&base);
    let mut with_future = base.to_vec();
    with_future.extend(["--ledger", &fut]);
    let b = ok(&with_future);
    assert_eq!(
        a, b,
        "events dated on or after the case date informed the answer"
    );
    // The US partnership made that very day is not yet counted: the tier is still the
    // 2013 comprehensive one.
    let v = json(&a);
    let tier = v[0]["trace"]["inputs"]["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["signal"] == "tier")
        .unwrap()
        .clone();
    assert_eq!(tier["values"][0][0], "USA");
    assert!(
        (tier["values"][0][1].as_f64().unwrap() - 0.33).abs() < 1e-9,
        "{tier}"
    );
}

#[test]
fn without_data_the_engine_answers_from_the_ledger_says_so_and_stays_right() {
    let o = bamboo(&[
        "backtest",
        "--no-data",
        "--doctrine",
        &p(VN),
        &shared_cases(),
        "--json",
    ]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("ledger alone"), "{err}");
    assert_eq!(json(&String::from_utf8_lossy(&o.stdout))["correct"], 12);
    let out = ok(&[
        "advise",
        "--no-data",
        "--doctrine",
        &p(VN),
        &shared_cases(),
        "--json",
    ]);
    for x in json(&out).as_array().unwrap() {
        assert!(x["explanation"].as_str().unwrap().contains("ledger alone"));
    }
}

#[test]
fn the_same_engine_answers_a_second_subject() {
    let out = ok(&[
        "backtest",
        "--doctrine",
        &p("data/doctrines/india.toml"),
        &p("data/cases/india.toml"),
        "--json",
    ]);
    let v = json(&out);
    // BENCHMARKS.md, "Backtest accuracy": 0.960 on India's 25 cases, 24 right.
    assert_eq!(
        (v["correct"].as_u64(), v["cases"].as_u64()),
        (Some(24), Some(25)),
        "{out}"
    );
    // A Vietnamese doctrine refuses an Indian case.
    let e = fail(&["advise", "--doctrine", &p(VN), &p("data/cases/india.toml")]);
    assert!(e.contains("is about IND"), "{e}");
}

#[test]
fn every_shipped_doctrine_checks() {
    for d in [
        "vietnam",
        "india",
        "indonesia",
        "align-usa",
        "bandwagon-china",
        "neutral",
    ] {
        let out = ok(&["doctrine", "check", &p(&format!("data/doctrines/{d}.toml"))]);
        assert!(out.contains(": ok"), "{d}: {out}");
    }
}

#[test]
fn readable_backtest_shows_each_wrong_answer_with_its_explanation() {
    let out = ok(&[
        "backtest",
        "--doctrine",
        &p("data/doctrines/neutral.toml"),
        &shared_cases(),
    ]);
    assert!(out.contains("baseline always-first"), "{out}");
    assert!(out.contains("wrong answers ("), "{out}");
    assert!(out.contains("with the engine's explanation"));
    assert!(out.contains("== 2008-05-30-china-csp"));
}

/// `--doctrine` takes a shipped name as `--doctrines` and the API do: the same advice as
/// from the file's path; an unknown name lists the names; a name outside a checkout says
/// where it is read from (exit 2, clap's usage error).
#[test]
fn doctrine_takes_a_name_or_a_path() {
    let run = |cwd: &Path, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_bamboo"))
            .arg("--data")
            .arg(shared().join("data"))
            .args(args)
            .current_dir(cwd)
            .env_remove("BAMBOO_DATA")
            .output()
            .expect("run bamboo")
    };
    let repo = root();
    let cases = "data/cases/india.toml";
    let by_name = run(&repo, &["advise", "--doctrine", "india", cases, "--json"]);
    let by_path = run(
        &repo,
        &[
            "advise",
            "--doctrine",
            "data/doctrines/india.toml",
            cases,
            "--json",
        ],
    );
    assert!(
        by_name.status.success(),
        "{}",
        String::from_utf8_lossy(&by_name.stderr)
    );
    assert_eq!(by_name.stdout, by_path.stdout);
    assert!(String::from_utf8_lossy(&by_name.stdout).contains("\"choice\""));
    let o = run(&repo, &["backtest", "--doctrine", "nosuch", cases]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("no shipped doctrine of that name") && e.contains("vietnam, align-usa"),
        "{e}"
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let o = run(elsewhere.path(), &["doctrine", "check", "vietnam"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("data/doctrines/vietnam.toml"), "{e}");
}

/// Without a data folder the "ledger alone" note is said once, not nested in itself: in the
/// text's `inputs:` line (not again on stderr), or on stderr beside JSON.
#[test]
fn the_no_data_note_is_said_once() {
    let elsewhere = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_bamboo"))
            .args(args)
            .current_dir(elsewhere.path())
            .env_remove("BAMBOO_DATA")
            .output()
            .expect("run bamboo")
    };
    let (d, c) = (p(VN), shared_cases());
    for cmd in ["advise", "backtest"] {
        let o = run(&[cmd, "--doctrine", &d, &c]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        assert_eq!(
            out.matches("answering from the ledger alone").count(),
            1,
            "{cmd}: {out}"
        );
        assert!(!err.contains("ledger alone"), "{cmd}: {err}");
        assert!(
            !out.contains("no data folder (no data folder"),
            "{cmd}: {out}"
        );
        assert!(
            out.contains("pass --data DIR or set BAMBOO_DATA"),
            "{cmd}: {out}"
        );
        let o = run(&[cmd, "--doctrine", &d, &c, "--json"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            err.matches("answering from the ledger alone").count(),
            1,
            "{cmd}: {err}"
        );
    }
}

/// `advise --json` builds the advice alone, without the trace; it must be the very advice
/// that `--json --trace` prints beside its trace, for every shipped doctrine on the case
/// files of its subject, and on Vietnam's recorded votes of 2017-2019 (the vote branch's
/// terms, precedents and peers).
#[test]
fn the_advice_alone_is_the_advice_beside_the_trace() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir
        .path()
        .join("record.toml")
        .to_string_lossy()
        .into_owned();
    ok(&[
        "cases",
        "from-votes",
        "--subject",
        "VNM",
        "--from",
        "2017",
        "--to",
        "2019",
        "-o",
        &record,
    ]);
    let vietnam = [p("data/cases/vietnam-record.toml"), shared_cases(), record];
    let runs: Vec<(&str, &[String])> = vec![
        ("data/doctrines/vietnam.toml", &vietnam),
        ("data/doctrines/align-usa.toml", &vietnam),
        ("data/doctrines/bandwagon-china.toml", &vietnam),
        ("data/doctrines/neutral.toml", &vietnam),
    ];
    let india = [p("data/cases/india.toml")];
    let runs = runs
        .into_iter()
        .chain([("data/doctrines/india.toml", &india[..])]);
    let mut compared = 0;
    for (doctrine, files) in runs {
        for cases in files {
            let brief = json(&ok(&[
                "advise",
                "--doctrine",
                &p(doctrine),
                cases,
                "--json",
            ]));
            let traced = json(&ok(&[
                "advise",
                "--doctrine",
                &p(doctrine),
                cases,
                "--json",
                "--trace",
            ]));
            let traced: Vec<serde_json::Value> = traced
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    let mut a = a.clone();
                    assert!(a.as_object_mut().unwrap().remove("trace").is_some());
                    a
                })
                .collect();
            let brief = brief.as_array().unwrap();
            assert_eq!(brief.len(), traced.len(), "{doctrine} on {cases}");
            let in_file = std::fs::read_to_string(cases)
                .unwrap()
                .lines()
                .filter(|l| l.trim() == "[[case]]")
                .count();
            assert_eq!(
                brief.len(),
                in_file,
                "{doctrine} on {cases}: an answer per case"
            );
            for (b, t) in brief.iter().zip(&traced) {
                assert_eq!(b, t, "{doctrine} on {cases}: case {}", b["id"]);
            }
            compared += brief.len();
        }
    }
    // Five doctrines ran on every file meant for them: none was skipped.
    assert!(compared >= 5, "compared {compared} answers");
}
