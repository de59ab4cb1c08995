//! `bamboo atlas`, `shifts`, `chart map` and `--group` as a user runs them, on the real
//! data: the atlas's figures are the balance command's figures with intervals around them,
//! every output carries its definitions and source, group membership follows its dates,
//! the map draws every state it has data for, and bad flags get one located line.

mod common;

use common::*;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(bamboo(args))).expect("valid JSON")
}

#[test]
fn the_atlas_is_the_balance_with_intervals() {
    let a = json(&[
        "atlas",
        "--year",
        "2021",
        "--replicates",
        "200",
        "--format",
        "json",
    ]);
    for key in [
        "alignment",
        "lean",
        "interval",
        "tie",
        "rank",
        "median",
        "change",
    ] {
        assert!(a["definitions"][key].is_string(), "definition of {key}");
    }
    assert!(
        a["source"].as_str().unwrap().contains("UNGA roll calls")
            && !a["source"].as_str().unwrap().starts_with("source")
    );
    let rows = a["rows"].as_array().unwrap();
    // Every state of 2021 but the three poles: all 193 members voted (Voeten's file).
    assert_eq!(rows.len(), 193 - 3, "every voting state of 2021");
    assert!(rows
        .iter()
        .all(|r| !["USA", "CHN", "RUS"].contains(&r["state"].as_str().unwrap())));
    let b = json(&[
        "balance", "VNM", "--from", "2021", "--to", "2021", "--format", "json",
    ]);
    let want = &b["rows"][0];
    let vnm = rows.iter().find(|r| r["state"] == "VNM").unwrap();
    for (k, pole) in ["USA", "CHN", "RUS"].iter().enumerate() {
        let e = &vnm["alignments"][k];
        assert_eq!(e["pole"], *pole);
        let v = e["value"].as_f64().unwrap();
        let w = want["alignments"][k]["alignment"].as_f64().unwrap();
        assert!((v - w).abs() < 1e-12, "{pole}: atlas {v}, balance {w}");
        assert_eq!(e["n"], want["alignments"][k]["n"]);
        let (lo, hi) = (e["lo"].as_f64().unwrap(), e["hi"].as_f64().unwrap());
        assert!(lo <= v && v <= hi && lo < hi, "{e}");
    }
    let lean = vnm["lean"]["value"].as_f64().unwrap();
    assert!((lean - want["lean"].as_f64().unwrap()).abs() < 1e-12);
    // The median row: a median of every state's lean sits inside the range of leans.
    let median = a["median"]["lean"]["value"].as_f64().unwrap();
    let leans: Vec<f64> = rows
        .iter()
        .filter_map(|r| r["lean"]["value"].as_f64())
        .collect();
    let below = leans.iter().filter(|&&l| l <= median).count();
    assert!(below * 2 >= leans.len() && (leans.len() - below + 1) * 2 >= leans.len());
    // Same seed, same bytes; CSV has the intervals as columns.
    let csv = ok(bamboo(&[
        "atlas",
        "--year",
        "2021",
        "--replicates",
        "200",
        "--format",
        "csv",
    ]));
    assert_eq!(
        csv,
        ok(bamboo(&[
            "atlas",
            "--year",
            "2021",
            "--replicates",
            "200",
            "--format",
            "csv"
        ]))
    );
    assert!(csv.starts_with("from,to,kind,state,roll_calls,n_USA,USA,USA_lo,USA_hi,"));
    assert!(csv.lines().any(|l| l.starts_with("2021,2021,state,VNM,")));
}

#[test]
fn groups_follow_their_membership_dates() {
    // Vietnam joined ASEAN on 28 July 1995 (data/groups.toml).
    let csv = ok(bamboo(&[
        "balance", "--group", "ASEAN", "--from", "1994", "--to", "1995", "--format", "csv",
    ]));
    let vnm: Vec<&str> = csv.lines().filter(|l| l.contains(",VNM,")).collect();
    assert!(!vnm.is_empty());
    assert!(vnm.iter().all(|l| l.starts_with("1995,1995,")), "{vnm:?}");
    assert!(csv.lines().any(|l| l.starts_with("1994,1994,IDN,")));
    let a = json(&[
        "atlas",
        "--year",
        "2021",
        "--group",
        "ASEAN",
        "--average",
        "--replicates",
        "100",
        "--format",
        "json",
    ]);
    let states: Vec<&str> = a["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 10, "{states:?}");
    assert!(
        states.contains(&"VNM") && !states.contains(&"TLS"),
        "{states:?}"
    );
    assert!(a["average"].is_object(), "the group's mean");
}

#[test]
fn shifts_name_the_roll_calls_that_drove_them() {
    let v = json(&["shifts", "VNM", "--pole", "USA", "--format", "json"]);
    assert!(v["definitions"].is_object() && v["source"].is_string());
    let csv = ok(bamboo(&[
        "shifts", "VNM", "--pole", "USA", "--format", "csv",
    ]));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<String>> = lines
        .map(parse_csv_line)
        .filter(|r| r.len() == header.len())
        .collect();
    assert!(!rows.is_empty());
    for r in &rows {
        // Each shift moved beyond its interval: the change's interval excludes 0, and the
        // behaviour and agenda parts add up to the change.
        let (lo, hi) = (num(&r[col("change_lo")]), num(&r[col("change_hi")]));
        assert!(lo > 0.0 || hi < 0.0, "{r:?}");
        let parts = num(&r[col("behaviour")]) + num(&r[col("agenda")]);
        assert!((parts - num(&r[col("change")])).abs() < 1e-9, "{r:?}");
        // A driving roll call is one where the state broke with its usual answer; a shift
        // with none (the agenda moved) has one row with no roll call.
        if r[col("rcid")].is_empty() {
            assert_eq!(r[col("breaks")], "0", "{r:?}");
        } else {
            assert_ne!(r[col("vote")], r[col("usual")], "{r:?}");
        }
    }
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
}

fn parse_csv_line(l: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = l.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[test]
fn the_map_draws_every_state_with_data() {
    let svg = ok(bamboo(&[
        "chart",
        "map",
        "--year",
        "2021",
        "--replicates",
        "50",
    ]));
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "an SVG"
    );
    let a = json(&[
        "atlas",
        "--year",
        "2021",
        "--replicates",
        "50",
        "--format",
        "json",
    ]);
    // Every state of the atlas is on the map, as a shape or a dot.
    for r in a["rows"].as_array().unwrap() {
        let s = r["state"].as_str().unwrap();
        assert!(
            svg.contains(&format!("data-id=\"{s}\"")),
            "{s} is missing from the map"
        );
    }
    assert!(svg.contains("<circle"), "small states as dots");
    assert!(svg.contains("source: "), "a source line");
    assert!(
        !svg.contains(&data_dir().display().to_string()),
        "no local path"
    );
}

#[test]
fn bad_flags_give_one_line() {
    let e = fails(bamboo(&["atlas", "--metric", "cosine"]));
    assert!(e.contains("coincidence, ideal"), "{e}");
    let e = fails(bamboo(&["atlas", "--group", "XYZ"]));
    assert!(e.contains("ASEAN"), "{e}");
    let e = fails(bamboo(&["atlas", "--issue", "zz"]));
    assert!(e.contains("--issue"), "{e}");
    let e = fails(bamboo(&["chart", "map", "--measure", "lean:CHN"]));
    assert!(e.contains("--measure"), "{e}");
    let e = fails(bamboo(&["shifts", "Vietnam"]));
    assert!(e.contains("did you mean VNM"), "{e}");
}

/// `align --ci`: each row's interval is the one the atlas gives the same pair in the same
/// period (one bootstrap of the period's roll calls, the same seed), and it holds the value.
#[test]
fn align_intervals_are_the_atlas_intervals() {
    let v = json(&[
        "align",
        "VNM",
        "USA",
        "CHN",
        "--from",
        "2021",
        "--to",
        "2021",
        "--ci",
        "90",
        "--replicates",
        "200",
        "--format",
        "json",
    ]);
    assert!(v["definitions"]["hi"]
        .as_str()
        .unwrap()
        .contains("200 bootstrap replicates"));
    let a = json(&[
        "atlas",
        "--year",
        "2021",
        "--replicates",
        "200",
        "--format",
        "json",
    ]);
    let vnm = a["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["state"] == "VNM")
        .unwrap();
    let with = v["rows"][0]["with"].as_array().unwrap();
    for (k, pole) in ["USA", "CHN"].iter().enumerate() {
        let w = &with[k];
        assert_eq!(w["country"], *pole);
        let e = &vnm["alignments"][k];
        assert_eq!(e["pole"], *pole);
        let (lo, hi) = (w["lo"].as_f64().unwrap(), w["hi"].as_f64().unwrap());
        let x = w["agreement"].as_f64().unwrap();
        assert!(lo <= x && x <= hi && lo < hi, "{w}");
        assert!((lo - e["lo"].as_f64().unwrap()).abs() < 1e-12, "{w} vs {e}");
        assert!((hi - e["hi"].as_f64().unwrap()).abs() < 1e-12, "{w} vs {e}");
    }
}
