//! `bamboo ideal` and `--metric ideal` as a user runs them, on the real data: the columns
//! and their definitions, the same bytes for the same seed on any number of threads, the
//! JSON the server also answers, one-line errors, and ideal-point alignment traced back
//! to the points it is read from.

mod common;

use std::collections::HashMap;
use std::process::Command;

use common::*;

fn ideal_with_threads(threads: &str, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_bamboo"))
        .arg("--data")
        .arg(data_dir())
        .arg("ideal")
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .env_remove("BAMBOO_DATA")
        .output()
        .unwrap();
    ok(o)
}

fn num(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("`{s}` is not a number"))
}

#[test]
fn csv_table_and_json() {
    let csv = ok(bamboo(&[
        "ideal",
        "--state",
        "VNM,USA",
        "--from",
        "2019",
        "--to",
        "2021",
        "--bootstrap",
        "3",
        "--format",
        "csv",
    ]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("state,session,year,ideal,se,lo90,hi90,votes")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 6, "{csv}");
    for r in &rows {
        let (x, se, lo, hi) = (num(r[3]), num(r[4]), num(r[5]), num(r[6]));
        assert!(se > 0.0 && lo < x && x < hi, "{r:?}");
        assert!((hi - lo - 2.0 * 1.644_853_626_951_472_2 * se).abs() < 1e-9);
        assert_eq!(num(r[2]) as i64, 1945 + num(r[1]) as i64);
        // The votes each cast on the session's roll calls, counted in the raw files (the
        // published points of Bailey, Strezhnev and Voeten give the same 91 and 89 for
        // session 74), and the signs of those published points: the US positive, Vietnam
        // negative.
        let votes = match (r[0], r[1]) {
            ("USA", "74") => 91,
            ("USA", "75") => 96,
            ("USA", "76") => 82,
            ("VNM", "74") => 89,
            ("VNM", "75") => 95,
            ("VNM", "76") => 82,
            other => panic!("{other:?}"),
        };
        assert_eq!(r[7], votes.to_string(), "votes: {r:?}");
        assert_eq!(x > 0.0, r[0] == "USA", "{r:?}");
    }
    assert_eq!(
        rows.iter().map(|r| (r[0], r[1])).collect::<Vec<_>>(),
        [
            ("USA", "74"),
            ("USA", "75"),
            ("USA", "76"),
            ("VNM", "74"),
            ("VNM", "75"),
            ("VNM", "76")
        ]
    );

    let table = ok(bamboo(&[
        "ideal",
        "--state",
        "VNM",
        "--from",
        "2023",
        "--bootstrap",
        "0",
    ]));
    assert!(
        table.contains("Ideal points, sessions that opened in 2023: 1 states, 1 state-sessions"),
        "{table}"
    );
    assert!(table.contains("VNM         78  2023"), "{table}");
    for col in [
        "state:",
        "session:",
        "year:",
        "ideal:",
        "se: empty: no bootstrap",
        "lo90:",
        "hi90:",
        "votes:",
        "fit: ",
        "source: ",
    ] {
        assert!(table.contains(col), "`{col}` missing:\n{table}");
    }

    let v: serde_json::Value = serde_json::from_str(&ok(bamboo(&[
        "ideal",
        "--state",
        "CHN",
        "--bootstrap",
        "2",
        "--format",
        "json",
    ])))
    .unwrap();
    for col in [
        "state", "session", "year", "ideal", "se", "lo90", "hi90", "votes",
    ] {
        assert!(v["definitions"][col].is_string(), "{col}");
    }
    assert!(
        v["source"].as_str().unwrap().contains("UNGA roll calls")
            && !v["source"].as_str().unwrap().starts_with("source")
    );
    assert_eq!(v["fit"]["bootstrap"], 2);
    assert_eq!(v["fit"]["converged"], true);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(
        rows.first().unwrap()["session"],
        26,
        "the PRC sits from the 26th session"
    );
    assert_eq!(rows.last().unwrap()["session"], 78);
}

#[test]
fn same_seed_same_bytes_on_any_number_of_threads() {
    let args = [
        "--state",
        "IND,BRA",
        "--from",
        "2010",
        "--bootstrap",
        "3",
        "--seed",
        "7",
        "--format",
        "json",
    ];
    let one = ideal_with_threads("1", &args);
    let two = ideal_with_threads("2", &args);
    assert_eq!(one, two);
    let other = ideal_with_threads(
        "2",
        &[
            "--state",
            "IND,BRA",
            "--from",
            "2010",
            "--bootstrap",
            "3",
            "--seed",
            "8",
            "--format",
            "json",
        ],
    );
    assert_ne!(one, other, "another seed, other standard errors");
}

/// `GET /api/ideal` on a real `bamboo serve` answers the bytes of `bamboo ideal --format
/// json` with the same bootstrap (`--ideal-bootstrap 4 --ideal-seed 7` against
/// `--bootstrap 4 --seed 7`: a few replicates, not the default 30, which takes minutes in a
/// debug build; both flags default to the same constants of bamboo-core). The server
/// answers 503 while its fit is computing: ask again.
#[test]
fn the_servers_json_is_the_clis_bytes() {
    let t = tempfile::tempdir().unwrap();
    let root = workspace_root();
    let server = server::Server::start_with(
        &t.path().join("l.sqlite3"),
        &root,
        Some(server::TOKEN),
        &["--ideal-bootstrap", "4", "--ideal-seed", "7"],
    );
    let ask = || {
        server::http(
            server.addr,
            "GET",
            "/api/ideal?state=IND,BRA&from=2010",
            &[],
            b"",
        )
    };
    // Starts the server's fit, then the CLI's beside it.
    let first = ask();
    let cli = ideal_with_threads(
        "2",
        &[
            "--state",
            "IND,BRA",
            "--from",
            "2010",
            "--format",
            "json",
            "--bootstrap",
            "4",
            "--seed",
            "7",
        ],
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1200);
    let mut api = first;
    while api.status == 503 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(500));
        api = ask();
    }
    assert_eq!(api.status, 200, "{}", String::from_utf8_lossy(&api.body));
    assert!(
        api.body == cli.as_bytes(),
        "GET /api/ideal differs from `bamboo ideal --format json`"
    );
    // Not vacuous: India and Brazil in each session that opened from 2010 to 2023.
    let v = api.json();
    assert_eq!(v["fit"]["bootstrap"], 4);
    assert_eq!(v["fit"]["seed"], 7);
    assert_eq!(v["rows"].as_array().unwrap().len(), 2 * 14);
}

#[test]
fn bad_flags_give_one_line() {
    let e = fails(bamboo(&["ideal", "--bootstrap", "1"]));
    assert!(
        e.contains("--bootstrap 1: use 0 (no standard errors) or 2 to 2000"),
        "{e}"
    );
    let e = fails(bamboo(&["ideal", "--from", "2030", "--bootstrap", "0"]));
    assert!(
        e.contains("no session opened in or after 2030; the fit's sessions opened in 1946-2023"),
        "{e}"
    );
    assert!(
        e.contains("the votes of early 2024 belong to the session that opened in 2023"),
        "{e}"
    );
    let e = fails(bamboo(&["ideal", "--from", "2020", "--to", "2010"]));
    assert!(e.contains("--from 2020 is after --to 2010"), "{e}");
    let e = fails(bamboo(&["ideal", "--state", "Vietnam"]));
    assert!(e.contains("did you mean VNM"), "{e}");
    let e = fails(bamboo(&["ideal", "--state", "ATA", "--bootstrap", "0"]));
    assert!(e.contains("ATA has no ideal point"), "{e}");
    let e = fails(bamboo(&["dyads", "--metric", "kappa"]));
    assert!(
        e.contains("--metric `kappa` is not allowed for dyads: use `ideal`"),
        "{e}"
    );
    let e = fails(bamboo(&["align", "VNM", "USA", "--metric", "ideals"]));
    assert!(e.contains("coincidence, ideal"), "{e}");
    // The fit reads every roll call: an issue filter or a vote bootstrap is refused, not
    // silently ignored.
    let e = fails(bamboo(&[
        "balance", "VNM", "--metric", "ideal", "--issue", "hr",
    ]));
    assert!(e.contains("cannot be combined with --issue"), "{e}");
    let e = fails(bamboo(&[
        "align", "VNM", "USA", "--metric", "ideal", "--ci", "90",
    ]));
    assert!(
        e.contains("its standard errors and 90% intervals are in `bamboo ideal`"),
        "{e}"
    );
    let e = fails(bamboo(&["atlas", "--metric", "ideal", "--important"]));
    assert!(
        e.contains("cannot be combined with --issue or --important"),
        "{e}"
    );
}

/// The atlas on ideal points: each alignment is 1 - |x_a - x_b| / R from `bamboo ideal`'s
/// points, and the interval, drawn from the points' standard errors, holds it.
#[test]
fn atlas_reads_the_ideal_points() {
    let csv = ok(bamboo(&[
        "ideal", "--from", "2021", "--to", "2021", "--format", "csv",
    ]));
    let all = all_points();
    let (lo, hi) = all
        .values()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let point = |s: &str| {
        let l = csv
            .lines()
            .find(|l| l.starts_with(&format!("{s},76,")))
            .unwrap();
        num(l.split(',').nth(3).unwrap())
    };
    let v: serde_json::Value = serde_json::from_str(&ok(bamboo(&[
        "atlas",
        "--year",
        "2021",
        "--metric",
        "ideal",
        "--replicates",
        "200",
        "--format",
        "json",
    ])))
    .unwrap();
    let defs = v["definitions"].to_string();
    assert!(defs.contains("ideal = 1 - |x_a - x_b| / R"), "{defs}");
    assert!(defs.contains("N(ideal, se)"), "{defs}");
    let rows = v["rows"].as_array().unwrap();
    // Every state of 2021 but the three poles: all 193 members voted (Voeten's file).
    assert_eq!(rows.len(), 193 - 3, "every state of 2021");
    for s in ["VNM", "IDN", "DEU"] {
        let r = rows.iter().find(|r| r["state"] == s).unwrap();
        let al = r["alignments"].as_array().unwrap();
        for (k, p) in ["USA", "CHN", "RUS"].iter().enumerate() {
            let want = 1.0 - (point(s) - point(p)).abs() / (hi - lo);
            let got = &al[k];
            let value = got["value"].as_f64().unwrap();
            assert!((value - want).abs() < 1e-9, "{s} {p}: {got} vs {want}");
            let (l, h) = (got["lo"].as_f64().unwrap(), got["hi"].as_f64().unwrap());
            assert!(
                l < value + 1e-9 && value < h + 1e-9 && l < h,
                "{s} {p}: {got}"
            );
        }
    }
}

#[test]
fn output_file_is_written_whole() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("ideal.csv");
    let o = bamboo(&[
        "ideal",
        "--bootstrap",
        "0",
        "--format",
        "csv",
        "-o",
        p.to_str().unwrap(),
    ]);
    assert!(ok(o).is_empty(), "nothing on stdout");
    let text = std::fs::read_to_string(&p).unwrap();
    let n = text.lines().count() - 1;
    // Every state-session with a vote: 11,354 (state, session) pairs in the raw files, less
    // one, Serbia's single vote of session 74 under its new code (January 2020), which
    // joins Yugoslavia's cell of that session (bamboo_data::ideal::LINKS).
    assert_eq!(n, 11_353, "every state-session");
    assert_eq!(
        std::fs::read_dir(t.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

/// Every point of the fit, by (state, session), from `bamboo ideal`'s CSV.
fn all_points() -> HashMap<(String, u32), f64> {
    let csv = ok(bamboo(&["ideal", "--bootstrap", "0", "--format", "csv"]));
    csv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            ((f[0].to_string(), f[1].parse().unwrap()), num(f[3]))
        })
        .collect()
}

#[test]
fn metric_ideal_traces_back_to_the_points() {
    let points = all_points();
    let (lo, hi) = points
        .values()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let range = hi - lo;
    let x = |s: &str, session: u32| points[&(s.to_string(), session)];

    // align: per year, 1 - |x_a - x_b| / R for the session that opened that year.
    let csv = ok(bamboo(&[
        "align", "VNM", "USA", "CHN", "--from", "2018", "--to", "2019", "--metric", "ideal",
        "--format", "csv",
    ]));
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("from,to,a,b,sessions,distance,ideal"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 4);
    for r in &rows {
        let session = num(r[0]) as u32 - 1945;
        let d = (x("VNM", session) - x(r[3], session)).abs();
        assert_eq!(r[4], "1");
        assert!((num(r[5]) - d).abs() < 1e-12, "{r:?}");
        assert!((num(r[6]) - (1.0 - d / range)).abs() < 1e-12, "{r:?}");
    }
    let table = ok(bamboo(&[
        "align", "VNM", "USA", "CHN", "--from", "2015", "--to", "2019", "--by", "total",
        "--metric", "ideal",
    ]));
    assert!(table.contains(&format!("R = {range:.4}")), "{table}");
    assert!(table.contains("(5)"), "five sessions: {table}");

    // balance: the same alignments, lean and the pole leaned toward.
    let v: serde_json::Value = serde_json::from_str(&ok(bamboo(&[
        "balance", "VNM", "--from", "2019", "--to", "2019", "--metric", "ideal", "--format", "json",
    ])))
    .unwrap();
    assert_eq!(v["metric"], "ideal");
    let row = &v["rows"][0];
    let al: Vec<f64> = row["alignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["alignment"].as_f64().unwrap())
        .collect();
    for (k, p) in ["USA", "CHN", "RUS"].iter().enumerate() {
        assert!((al[k] - (1.0 - (x("VNM", 74) - x(p, 74)).abs() / range)).abs() < 1e-12);
    }
    let lean = al.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - al.iter().copied().fold(f64::INFINITY, f64::min);
    assert!((row["lean"].as_f64().unwrap() - lean).abs() < 1e-12);
    assert_ne!(row["toward"], "USA");
    assert!(v["definitions"]["n"].as_str().unwrap().contains("sessions"));

    // dyads: every pair of a session's states.
    let csv = ok(bamboo(&[
        "dyads", "--year", "2019", "--metric", "ideal", "--format", "csv",
    ]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("year,session,a,b,x_a,x_b,distance,ideal")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let states = points.keys().filter(|k| k.1 == 74).count();
    assert_eq!(rows.len(), states * (states - 1) / 2);
    for r in rows.iter().step_by(997) {
        assert!(r[2] < r[3]);
        let (xa, xb) = (x(r[2], 74), x(r[3], 74));
        assert_eq!((num(r[4]), num(r[5])), (xa, xb));
        assert!((num(r[7]) - (1.0 - (xa - xb).abs() / range)).abs() < 1e-12);
    }

    // The balance chart reads the same measure.
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("vnm.svg");
    ok(bamboo(&[
        "chart",
        "balance",
        "VNM",
        "--metric",
        "ideal",
        "--from",
        "2000",
        "-o",
        p.to_str().unwrap(),
    ]));
    let svg = std::fs::read_to_string(&p).unwrap();
    roxmltree::Document::parse(&svg).expect("well-formed SVG");
    assert!(svg.contains("ideal"));
}

/// `chart map --measure ideal`: every state (the poles too) coloured by its own ideal point,
/// the one `bamboo ideal` gives, and states in the order of their points.
#[test]
fn the_map_of_ideal_points() {
    let svg = ok(bamboo(&[
        "chart",
        "map",
        "--year",
        "2021",
        "--measure",
        "ideal",
        "--replicates",
        "20",
    ]));
    assert!(svg.contains("Ideal points in the UN General Assembly, 2021"));
    let csv = ok(bamboo(&[
        "ideal", "--from", "2021", "--to", "2021", "--format", "csv",
    ]));
    for s in ["VNM", "USA", "CHN", "DEU"] {
        let l = csv
            .lines()
            .find(|l| l.starts_with(&format!("{s},76,")))
            .unwrap();
        let x = num(l.split(',').nth(3).unwrap());
        let name_title = svg
            .split("<title>")
            .find(|t| t.contains(&format!("({s}): ideal point")))
            .unwrap_or_else(|| panic!("{s} has no ideal-point title"));
        assert!(
            name_title.contains(&format!("ideal point {x:.2}")),
            "{s}: {name_title}"
        );
    }
    let e = fails(bamboo(&[
        "chart",
        "map",
        "--measure",
        "ideal",
        "--metric",
        "kappa",
    ]));
    assert!(
        e.contains("--measure ideal maps the ideal points themselves"),
        "{e}"
    );
}
