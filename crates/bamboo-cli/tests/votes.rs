//! Integration tests of the vote commands (`align`, `balance`, `dyads`) on the real shared
//! data, through the real binary.

mod common;

use common::*;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(bamboo(args))).expect("valid JSON")
}

/// Vietnam's 2019 agreement, against values computed independently in Python from the raw
/// unvotes CSVs (mean of 1 - |a - b| / 2 over the roll calls both voted on).
#[test]
fn vietnam_2019_agreement_with_china_us_russia() {
    let v = json(&[
        "align", "VNM", "CHN", "USA", "RUS", "--from", "2019", "--to", "2019", "--format", "json",
    ]);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let with = rows[0]["with"].as_array().unwrap();
    let expect = [
        ("CHN", 86, 0.8895348837209303),
        ("USA", 88, 0.21022727272727273),
        ("RUS", 84, 0.7738095238095238),
    ];
    for (w, (code, n, agreement)) in with.iter().zip(expect) {
        assert_eq!(w["country"], code);
        assert_eq!(w["n"], n);
        assert!(
            (w["agreement"].as_f64().unwrap() - agreement).abs() < 1e-12,
            "{w}"
        );
        // S = 2 agreement - 1 on this coding.
        assert!((w["s"].as_f64().unwrap() - (2.0 * agreement - 1.0)).abs() < 1e-12);
    }
}

#[test]
fn dyads_2019_row_count_and_header() {
    let out = ok(bamboo(&["dyads", "--year", "2019", "--format", "csv"]));
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("year,a,b,n,agreement,s,kappa,pi"));
    let rows: Vec<&str> = lines.collect();
    // 193 members voted in 2019; every pair shared a roll call: 193·192/2.
    assert_eq!(rows.len(), 18528);
    // a < b, sorted.
    let keys: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            let f: Vec<&str> = r.split(',').collect();
            (f[1], f[2])
        })
        .collect();
    assert!(keys.iter().all(|(a, b)| a < b));
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn namibia_and_former_states_survive() {
    // East Germany voted in 1985: it is paired with every other state that voted.
    let out = ok(bamboo(&["dyads", "--year", "1985", "--format", "csv"]));
    let pairs: Vec<(&str, &str)> = out
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1], f[2])
        })
        .collect();
    let states: std::collections::BTreeSet<&str> =
        pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    // The states with a vote on a roll call of 1985 in un_votes.csv (counted with Python's
    // csv module, codes mapped as benches/peer_numpy_dyads.py maps them): 158.
    assert_eq!(states.len(), 158, "states in 1985");
    let with_ddr = pairs
        .iter()
        .filter(|&&(a, b)| a == "DDR" || b == "DDR")
        .count();
    assert_eq!(with_ddr, states.len() - 1, "DDR's pairs in 1985");
    let out = ok(bamboo(&["dyads", "--year", "1990", "--format", "csv"]));
    assert!(out
        .lines()
        .any(|l| l.split(',').nth(1) == Some("NAM") || l.split(',').nth(2) == Some("NAM")));
    // 1964 had no recorded votes (the Article 19 crisis): the header only.
    let out = ok(bamboo(&["dyads", "--year", "1964", "--format", "csv"]));
    assert_eq!(out, "year,a,b,n,agreement,s,kappa,pi\n");
    let out = ok(bamboo(&["dyads", "--year", "1963", "--format", "csv"]));
    assert!(out.contains(",ZAN,") && out.contains(",TZA,"));
}

/// The balance runs year after year from Vietnam's first vote to the last year of the data,
/// across the seams between the unvotes tables (to 2019), Voeten's files (2020-2021,
/// 2022-2024) and the UN Digital Library export of 2022.
#[test]
fn years_run_seamlessly_from_1977_to_the_end_of_the_data() {
    let v = json(&["balance", "VNM", "--format", "json"]);
    let years: Vec<i64> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["from"].as_i64().unwrap())
        .collect();
    let last = *years.last().unwrap();
    assert_eq!(
        last, 2024,
        "the shared data runs to June 2024 (its README): {years:?}"
    );
    assert_eq!(years, (1977..=last).collect::<Vec<_>>());
    for r in v["rows"].as_array().unwrap() {
        assert!(r["lean"].is_number(), "{r}");
    }
    // In 1980, after the 1979 border war with China, Vietnam voted closest to the USSR; by
    // 2019 it voted closest to China.
    let toward = |y: i64| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["from"] == y)
            .unwrap()["toward"]
            .clone()
    };
    assert_eq!(toward(1980), "RUS");
    assert_eq!(toward(2019), "CHN");
    let out = ok(bamboo(&[
        "dyads", "--from", "2019", "--to", "2024", "--format", "csv",
    ]));
    for y in ["2019,", "2020,", "2021,", "2022,", "2023,", "2024,"] {
        assert!(out.lines().any(|l| l.starts_with(y)), "no rows for {y}");
    }
}

#[test]
fn windows_cover_the_trailing_years() {
    let v = json(&[
        "align", "VNM", "USA", "--from", "2015", "--to", "2019", "--by", "window", "3", "--format",
        "json",
    ]);
    let rows = v["rows"].as_array().unwrap();
    let spans: Vec<(i64, i64)> = rows
        .iter()
        .map(|r| (r["from"].as_i64().unwrap(), r["to"].as_i64().unwrap()))
        .collect();
    assert_eq!(spans, vec![(2015, 2017), (2016, 2018), (2017, 2019)]);
    // The window's n is the sum of the years' n.
    let yearly = json(&[
        "align", "VNM", "USA", "--from", "2015", "--to", "2017", "--format", "json",
    ]);
    let sum: i64 = yearly["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["with"][0]["n"].as_i64().unwrap())
        .sum();
    assert_eq!(rows[0]["with"][0]["n"].as_i64().unwrap(), sum);
}

/// A UN Digital Library export adds the roll calls a data folder lacks. The folder here holds
/// the shared tables up to 2021 only (links in a temporary directory), so 2022 comes from
/// the fixture alone.
#[test]
fn undl_export_is_read_and_merged() {
    let fx = fixture("undl_2022_small.csv");
    let until_2021 = data_dir_with(&[
        "unga/un_roll_calls.csv.gz",
        "unga/un_roll_call_issues.csv.gz",
        "unga/un_votes.csv.gz",
        "unga/voeten_roll_calls_2020_2021.csv",
        "unga/voeten_votes_2020_2021.csv.gz",
    ]);
    let d = until_2021.path();
    let v: Value = serde_json::from_str(&ok(bamboo_in(
        d,
        &[
            "--votes",
            fx.to_str().unwrap(),
            "align",
            "VNM",
            "CHN",
            "USA",
            "NAM",
            "--from",
            "2022",
            "--to",
            "2022",
            "--format",
            "json",
        ],
    )))
    .unwrap();
    let with = &v["rows"][0]["with"];
    // ES-11/1: VNM abstain, CHN abstain, USA yes, NAM abstain; ES-11/3: VNM no, CHN no, USA yes, NAM abstain.
    assert_eq!(with[0]["n"], 2);
    assert_eq!(with[0]["agreement"], 1.0);
    assert_eq!(with[1]["agreement"], 0.25);
    assert_eq!(with[2]["agreement"], 0.75);
    // Venezuela's X (non-voting) is not a vote.
    let out = ok(bamboo_in(
        d,
        &[
            "--votes",
            fx.to_str().unwrap(),
            "dyads",
            "--year",
            "2022",
            "--format",
            "csv",
        ],
    ));
    assert!(!out.contains("VEN"));
    assert_eq!(out.lines().count(), 1 + 10); // 5 voters (USA, RUS, CHN, VNM, NAM): 10 pairs
}

/// The same fixture merged into the full shared data, which already holds ES-11/1 and
/// ES-11/3 (its own UN Digital Library file), changes nothing: both are recognised.
#[test]
fn undl_export_of_votes_already_loaded_changes_nothing() {
    let fx = fixture("undl_2022_small.csv");
    let base = ok(bamboo(&["dyads", "--year", "2022", "--format", "csv"]));
    let with = ok(bamboo(&[
        "--votes",
        fx.to_str().unwrap(),
        "dyads",
        "--year",
        "2022",
        "--format",
        "csv",
    ]));
    assert_eq!(base, with);
}

/// A UNDL export of a roll call that the Voeten data already holds is recognised and
/// skipped, so nothing is counted twice.
#[test]
fn undl_duplicate_of_a_loaded_roll_call_is_skipped() {
    use std::io::Read;
    let data = data_dir();
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(data.join("unga/voeten_votes_2020_2021.csv.gz")).unwrap(),
    )
    .read_to_string(&mut text)
    .unwrap();
    let first_rcid = text
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let mut undl = String::from("undl_id,ms_code,ms_name,ms_vote,date,session,resolution,title\n");
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        if f[0] != first_rcid {
            continue;
        }
        let v = match f[4] {
            "yes" => "Y",
            "no" => "N",
            "abstain" => "A",
            _ => "X",
        };
        undl.push_str(&format!("777,{},{},{},{},75,,copy\n", f[2], f[2], v, f[1]));
    }
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("copy.csv");
    std::fs::write(&p, undl).unwrap();
    let year = &text.lines().nth(1).unwrap().split(',').nth(1).unwrap()[..4];
    let base = ok(bamboo(&["dyads", "--year", year, "--format", "csv"]));
    let with = ok(bamboo(&[
        "--votes",
        p.to_str().unwrap(),
        "dyads",
        "--year",
        year,
        "--format",
        "csv",
    ]));
    assert_eq!(base, with);
}

#[test]
fn table_output_explains_its_numbers() {
    let out = ok(bamboo(&[
        "balance", "VNM", "--from", "2018", "--to", "2019",
    ]));
    assert!(out.contains("lean = max - min"), "{out}");
    assert!(out.contains("source:"), "{out}");
    assert!(out.contains("2019"));
}

#[test]
fn default_job_runs_without_arguments_from_the_workspace() {
    let out = ok(bamboo_raw(&[], &workspace_root()));
    assert!(
        out.contains("Vietnam (VNM): balance between USA, CHN, RUS"),
        "{out}"
    );
}

/// Without `BAMBOO_TEST_NUMPY`, the numpy check says it was skipped where `cargo test`
/// shows it: the test binary (this one, run again for that test alone) prints the line on
/// its stderr even though the harness captures what passing tests print.
#[test]
fn the_skipped_numpy_check_says_so_through_the_harness() {
    let me = std::env::current_exe().expect("the test binary's path");
    let out = std::process::Command::new(me)
        .args([
            "--exact",
            "dyads_agree_with_independent_numpy_implementation",
            "--test-threads",
            "1",
        ])
        .env_remove("BAMBOO_TEST_NUMPY")
        .output()
        .expect("run the test binary again");
    let (out_text, err_text) = (stdout(&out), stderr(&out));
    assert!(out.status.success(), "{out_text}{err_text}");
    assert!(out_text.contains("1 passed"), "{out_text}");
    assert!(
        err_text.contains(
            "skipped: dyads_agree_with_independent_numpy_implementation needs python3 with numpy"
        ),
        "the skip is not shown: stdout {out_text:?}, stderr {err_text:?}"
    );
}

/// `bamboo dyads` over 1946-2019 agrees with the independent numpy implementation in
/// `benches/peer_numpy_dyads.py` to 1e-9 on every row.
///
/// It needs `python3` with numpy, which a fresh machine with only Rust does not have: it
/// runs when `BAMBOO_TEST_NUMPY=1` (set by `.ci/run` after installing numpy) and otherwise
/// says on stderr that it was skipped.
#[test]
fn dyads_agree_with_independent_numpy_implementation() {
    if std::env::var_os("BAMBOO_TEST_NUMPY").is_none_or(|v| v != "1") {
        skip(
            "dyads_agree_with_independent_numpy_implementation needs python3 with numpy; \
             set BAMBOO_TEST_NUMPY=1 to run it (.ci/run does)",
        );
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let ours = t.path().join("ours.csv");
    let peer = t.path().join("peer.csv");
    ok(bamboo(&[
        "dyads",
        "--to",
        "2019",
        "--format",
        "csv",
        "-o",
        ours.to_str().unwrap(),
    ]));
    let root = workspace_root();
    let status = std::process::Command::new("python3")
        .arg(root.join("benches/peer_numpy_dyads.py"))
        .arg(data_dir())
        .arg("-o")
        .arg(&peer)
        .status()
        .expect("python3 with numpy is needed (.ci/run installs it)");
    assert!(status.success(), "the numpy peer failed");
    let cmp = std::process::Command::new("python3")
        .arg(root.join("benches/compare_dyads.py"))
        .args([&ours, &peer])
        .output()
        .unwrap();
    assert!(
        cmp.status.success(),
        "{}",
        String::from_utf8_lossy(&cmp.stdout)
    );
    assert!(String::from_utf8_lossy(&cmp.stdout).starts_with("819308 rows compared"));
}

/// The source line is derived from what was loaded: every file that defined roll calls,
/// its years and roll calls, summing to the total; and no local path, so a chart drawn here
/// and sent elsewhere does not carry the folder it was drawn in.
#[test]
fn the_source_line_says_what_was_loaded_and_no_local_path() {
    let v = json(&["balance", "VNM", "--from", "2020", "--format", "json"]);
    let source = v["source"].as_str().unwrap().to_string();
    let total: usize = source.split(' ').next().unwrap().parse().unwrap();
    let parts: usize = source
        .split("; ")
        .map(|p| {
            let n = p.rsplit(", ").next().unwrap();
            n.trim_end_matches(" roll calls)").parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(parts, total, "{source}");
    for f in [
        "un_roll_calls.csv.gz (unvotes",
        "voeten_roll_calls_2022_2024.csv (Voeten",
    ] {
        assert!(source.contains(f), "{source}");
    }
    let dir = data_dir().canonicalize().unwrap();
    let svg = ok(bamboo(&["chart", "balance", "VNM"]));
    for path in [dir.display().to_string(), data_dir().display().to_string()] {
        assert!(!source.contains(&path), "{source}");
        assert!(!svg.contains(&path), "the chart names {path}");
    }
}

/// `align --by-issue`: one block per issue, each the same numbers as `--issue` alone.
#[test]
fn align_by_issue_is_one_block_per_issue() {
    let all = ok(bamboo(&[
        "align",
        "VNM",
        "USA",
        "CHN",
        "--from",
        "2018",
        "--to",
        "2019",
        "--by-issue",
        "--format",
        "csv",
    ]));
    let mut lines = all.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("issue,from,to,a,b,n,agreement"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 6 * 2 * 2, "6 issues x 2 years x 2 states");
    for code in ["me", "nu", "di", "hr", "co", "ec"] {
        let one = ok(bamboo(&[
            "align", "VNM", "USA", "CHN", "--from", "2018", "--to", "2019", "--issue", code,
            "--format", "csv",
        ]));
        let want: Vec<String> = one.lines().skip(1).map(|l| format!("{code},{l}")).collect();
        let got: Vec<String> = rows
            .iter()
            .filter(|r| r.starts_with(&format!("{code},")))
            .map(|r| r.to_string())
            .collect();
        assert_eq!(got, want, "{code}");
    }
    let table = ok(bamboo(&[
        "align",
        "VNM",
        "USA",
        "--by-issue",
        "--from",
        "2019",
    ]));
    assert!(table.contains("hr: human rights"), "{table}");
    let o = bamboo(&["align", "VNM", "USA", "--by-issue", "--issue", "hr"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("'--by-issue' cannot be used with '--issue"),
        "{}",
        stderr(&o)
    );
}

/// `dyads` streams its years a batch at a time (a few years per batch, computed in
/// parallel): several years in one run give exactly the bytes of each year run alone, in
/// order, under one header (five years span at least two batches on any machine of up to
/// two threads, as here).
#[test]
fn dyads_over_several_years_are_the_years_alone_in_order() {
    let all = ok(bamboo(&[
        "dyads", "--from", "2015", "--to", "2019", "--format", "csv",
    ]));
    let mut joined = String::from("year,a,b,n,agreement,s,kappa,pi\n");
    for y in 2015..=2019 {
        let one = ok(bamboo(&[
            "dyads",
            "--year",
            &y.to_string(),
            "--format",
            "csv",
        ]));
        joined.push_str(
            one.strip_prefix("year,a,b,n,agreement,s,kappa,pi\n")
                .unwrap(),
        );
    }
    assert_eq!(all.len(), joined.len());
    assert!(all == joined, "the years differ from the years run alone");
}

/// `dyads --format json` is the envelope the other commands print (`definitions` of every
/// column, the `source` line without its `source: ` label), with the CSV's rows as `rows`.
#[test]
fn dyads_json_has_definitions_source_and_the_csv_rows() {
    let v = json(&[
        "dyads", "--from", "2018", "--to", "2019", "--format", "json",
    ]);
    for k in ["year", "a", "b", "n", "agreement", "s", "kappa", "pi"] {
        assert!(
            v["definitions"][k].is_string(),
            "no definition of {k}: {v:?}"
        );
    }
    let source = v["source"].as_str().unwrap();
    assert!(!source.starts_with("source:"), "{source}");
    assert!(source.contains("UNGA roll calls"), "{source}");
    assert_eq!(
        (v["from"].as_i64(), v["to"].as_i64()),
        (Some(2018), Some(2019))
    );
    let csv = ok(bamboo(&[
        "dyads", "--from", "2018", "--to", "2019", "--format", "csv",
    ]));
    let rows = v["rows"].as_array().unwrap();
    let lines: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), lines.len());
    for (r, line) in rows.iter().zip(&lines).step_by(997) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(r["year"].to_string(), f[0]);
        assert_eq!((r["a"].as_str(), r["b"].as_str()), (Some(f[1]), Some(f[2])));
        assert_eq!(r["n"].to_string(), f[3]);
        // serde_json's parser may round the last digit (no `float_roundtrip`): compare
        // numbers, not their text.
        let csv_kappa = f[6].parse::<f64>().ok();
        match (r["kappa"].as_f64(), csv_kappa) {
            (Some(x), Some(y)) => assert!((x - y).abs() < 1e-15, "{line}"),
            (x, y) => assert_eq!(x, y, "{line}"),
        }
    }
    // A span with no pairs still has the envelope, with no rows.
    let none = json(&[
        "dyads", "--year", "1950", "--group", "ASEAN", "--format", "json",
    ]);
    assert_eq!(none["rows"].as_array().map(Vec::len), Some(0));
}

/// JSON's `source` is the source line without its label: `"source": "6554 UNGA roll calls
/// …"`, never `"source": "source: …"` (the label belongs to the tables' last line).
#[test]
fn json_source_does_not_repeat_its_label() {
    for args in [
        &[
            "align", "VNM", "CHN", "--from", "2019", "--to", "2019", "--format", "json",
        ][..],
        &[
            "balance", "VNM", "--from", "2019", "--to", "2019", "--format", "json",
        ],
        &["dyads", "--year", "2019", "--format", "json"],
        &["atlas", "--year", "2019", "--format", "json"],
    ] {
        let v = json(args);
        let source = v["source"]
            .as_str()
            .unwrap_or_else(|| panic!("{args:?}: no source"));
        assert!(!source.starts_with("source"), "{args:?}: {source}");
        assert!(source.contains("UNGA roll calls"), "{args:?}: {source}");
    }
    // The table still labels its source line.
    let table = ok(bamboo(&[
        "align", "VNM", "CHN", "--from", "2019", "--to", "2019",
    ]));
    assert!(table.contains("\nsource: "), "{table}");
}
