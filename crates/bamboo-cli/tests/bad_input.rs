//! Bad input gives one clear error line (file, line, problem), a non-zero exit, and leaves
//! nothing half-written.

mod common;

use common::*;
use std::io::{Read, Write};

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// One bad input: an optional vote file (name, text) passed as `--votes`, the arguments,
/// the fragments the error line must contain and those it must not.
struct Bad {
    file: Option<(&'static str, &'static str)>,
    args: &'static [&'static str],
    says: &'static [&'static str],
    not: &'static [&'static str],
}

/// The bad inputs that need no more than a file and a command line, in one table; those
/// that need more set-up (a truncated stream, a missing folder, an output to protect, a
/// limit) are the functions below.
const BAD: &[Bad] = &[
    Bad { file: None, args: &["--votes", "/no/such/votes.csv", "balance", "VNM"], says: &["/no/such/votes.csv: cannot read file"], not: &[] },
    Bad {
        file: Some(("bad_vote.csv", "undl_id,ms_code,ms_name,ms_vote,date,session,resolution,title\n1,VNM,VIET NAM,Y,2022-03-02,ES-11,A/RES/ES-11/1,t\n1,USA,UNITED STATES,maybe,2022-03-02,ES-11,A/RES/ES-11/1,t\n")),
        args: &["balance", "VNM"],
        says: &["bad_vote.csv:3: field `ms_vote`: unknown vote value `maybe`", "allowed: Y"],
        not: &[],
    },
    Bad {
        file: Some(("v.csv", "rcid,date,country_iso3,vote_code,vote\n99999,2022-01-01,VNM,7,maybe\n")),
        args: &["balance", "VNM"],
        says: &["v.csv:2: field `vote_code`: unknown vote value `7`"],
        not: &[],
    },
    Bad {
        file: Some(("bad_date.csv", "undl_id,ms_code,ms_name,ms_vote,date,session,resolution,title\n1,VNM,VIET NAM,Y,2022-13-45,ES-11,A/RES/ES-11/1,t\n")),
        args: &["balance", "VNM"],
        says: &["bad_date.csv:2: field `date`: `2022-13-45` is not a valid date"],
        not: &[],
    },
    Bad {
        file: Some(("bad_code.csv", "resolution,date,country_iso3,vote,source_name\nA/RES/X,2022-03-02,VNM,yes,Viet Nam\nA/RES/X,2022-03-02,ZZZ,yes,Nowhere\n")),
        args: &["balance", "VNM"],
        says: &["bad_code.csv:3: field `country_iso3`: unknown country code `ZZZ`"],
        not: &[],
    },
    Bad {
        file: Some(("what.csv", "foo,bar\n1,2\n")),
        args: &["balance", "VNM"],
        says: &["what.csv:1: unrecognised header `foo,bar`", "undl_id,ms_code"],
        not: &[],
    },
    Bad { file: None, args: &["align", "VNM", "XYZ"], says: &["unknown country code `XYZ`"], not: &[] },
    // Checked before the port is taken or the ledger database is created.
    Bad { file: None, args: &["serve", "--addr", "127.0.0.1:0", "--ideal-bootstrap", "1"], says: &["--ideal-bootstrap 1: use 0 (no standard errors) or 2 to 2000 replicates"], not: &[] },
    Bad { file: None, args: &["balance", "Vietnam"], says: &["did you mean VNM"], not: &[] },
    Bad { file: None, args: &["balance", "VNM", "--poles", "USA,QQQ"], says: &["--poles", "`QQQ`"], not: &[] },
    Bad { file: None, args: &["align", "VNM", "USA", "--by", "decade"], says: &["use year, total or window N"], not: &[] },
    Bad { file: None, args: &["align", "VNM", "USA", "--by", "window", "0"], says: &["from 1 to 100"], not: &[] },
    Bad { file: None, args: &["align", "VNM", "USA", "--from", "2010", "--to", "2000"], says: &["--from 2010 is after --to 2000"], not: &[] },
    Bad { file: None, args: &["align", "VNM", "USA", "--metric", "cosine"], says: &["agreement, s, kappa, pi, coincidence"], not: &[] },
    Bad {
        file: None,
        args: &["balance", "VNM", "--from", "1900", "--to", "1910"],
        says: &["--to 1910 is before the first roll call of the data: it covers 1946-"],
        not: &[],
    },
    // Only the flags given are named: `--to 1940` alone is not after a `--from 1946`.
    Bad { file: None, args: &["balance", "VNM", "--to", "1940"], says: &["--to 1940 is before the first roll call"], not: &["--from"] },
    Bad { file: None, args: &["balance", "VNM", "--from", "2031"], says: &["--from 2031 is after the last roll call"], not: &["--to"] },
    // A window longer than the span is an error, not `(no rows)` and exit 0.
    Bad { file: None, args: &["balance", "VNM", "--by", "window", "100"], says: &["no 100-year window fits"], not: &[] },
];

#[test]
fn every_bad_input_of_the_table_gets_its_error_line() {
    let t = tempfile::tempdir().unwrap();
    let mut wrong = Vec::new();
    for case in BAD {
        let mut args: Vec<String> = Vec::new();
        if let Some((name, text)) = case.file {
            let p = write(t.path(), name, text);
            args.extend(["--votes".to_string(), p.to_str().unwrap().to_string()]);
        }
        args.extend(case.args.iter().map(|a| a.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let e = fails(bamboo(&refs));
        let missing: Vec<&&str> = case.says.iter().filter(|w| !e.contains(**w)).collect();
        let present: Vec<&&str> = case.not.iter().filter(|w| e.contains(**w)).collect();
        if !missing.is_empty() || !present.is_empty() {
            wrong.push(format!(
                "{:?}: {e}\n  lacks {missing:?}, has {present:?}",
                case.args
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn truncated_gzip() {
    let t = tempfile::tempdir().unwrap();
    let full = std::fs::read(data_dir().join("unga/un_votes.csv.gz")).unwrap();
    let p = t.path().join("un_votes_cut.csv.gz");
    std::fs::File::create(&p)
        .unwrap()
        .write_all(&full[..full.len() / 3])
        .unwrap();
    let e = fails(bamboo(&["--votes", p.to_str().unwrap(), "balance", "VNM"]));
    assert!(e.contains("un_votes_cut.csv.gz:"), "{e}");
    assert!(e.contains("truncated"), "{e}");
    // The line is where the stream stopped: the lines a decompressor gives whole from the
    // cut file (counted here with flate2, apart from bamboo's reader), plus the one cut.
    let mut text = Vec::new();
    let _ = flate2::read::GzDecoder::new(&full[..full.len() / 3]).read_to_end(&mut text);
    let whole = text.iter().filter(|&&b| b == b'\n').count();
    // (Python's zlib, fed the same third of the file, gives 285,147 whole lines too.)
    assert_eq!(whole, 285_147);
    let line: usize = e
        .split("csv.gz:")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(line, whole + 1, "{e}");
}

#[test]
fn no_data_folder_says_how_to_provide_one() {
    let t = tempfile::tempdir().unwrap();
    let e = fails(bamboo_raw(&["balance", "VNM"], t.path()));
    assert!(e.contains("--data") && e.contains("BAMBOO_DATA"), "{e}");
    let e = fails(bamboo_raw(
        &["--data", t.path().to_str().unwrap(), "balance", "VNM"],
        t.path(),
    ));
    assert!(e.contains("no unga/"), "{e}");
}

/// A span reaching past the data reads as the data's span, in the CLI as in the API.
#[test]
fn a_span_past_the_data_is_clamped_to_it() {
    let csv = ok(bamboo(&[
        "align", "GBR", "USA", "--from", "1900", "--to", "1950", "--by", "total", "--format", "csv",
    ]));
    let row = csv.lines().nth(1).unwrap();
    assert!(row.starts_with("1946,1950,GBR,USA,"), "{row}");
}

/// An output file is written whole or not at all.
#[test]
fn failed_output_leaves_no_partial_file() {
    let t = tempfile::tempdir().unwrap();
    let target = t.path().join("missing_dir/out.csv");
    let e = fails(bamboo(&[
        "dyads",
        "--year",
        "2019",
        "--format",
        "csv",
        "-o",
        target.to_str().unwrap(),
    ]));
    assert!(e.contains("missing_dir"), "{e}");
    assert!(!target.exists());
    // An existing file is replaced only by a complete one.
    let keep = write(t.path(), "keep.csv", "old\n");
    let bad = tempfile::tempdir().unwrap();
    let p = write(bad.path(), "x.csv", "foo\n");
    fails(bamboo(&[
        "--votes",
        p.to_str().unwrap(),
        "dyads",
        "--year",
        "2019",
        "--format",
        "csv",
        "-o",
        keep.to_str().unwrap(),
    ]));
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "old\n");
}

// Defect 4: every input has a size limit (--max-input-bytes); an endless file fails fast.
#[test]
fn an_endless_ledger_or_vote_file_fails_at_the_limit() {
    if !std::path::Path::new("/dev/zero").exists() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let doctrine = std::fs::read_to_string(workspace_root().join("data/doctrines/vietnam.toml"))
        .unwrap()
        .replace(
            "ledger = \"../ledger/vietnam.toml\"",
            "ledger = \"/dev/zero\"",
        );
    assert!(doctrine.contains("/dev/zero"));
    let d = write(t.path(), "zero.toml", &doctrine);
    let e = fails(bamboo(&["doctrine", "check", d.to_str().unwrap()]));
    assert!(
        e.contains("/dev/zero: the file is larger than the input limit of 64 MiB"),
        "{e}"
    );
    assert!(e.contains("--max-input-bytes"), "{e}");
    // Linked into unga/ beside the real tables.
    let data = data_dir_with(&["unga/un_votes.csv.gz", "unga/un_roll_calls.csv.gz"]);
    std::os::unix::fs::symlink("/dev/zero", data.path().join("unga/zero.csv")).unwrap();
    let e = fails(bamboo_in(data.path(), &["balance", "VNM"]));
    assert!(
        e.contains("zero.csv: the file is larger than the input limit"),
        "{e}"
    );
    // The flag lowers (or raises) the limit for every file.
    let e = fails(bamboo(&["--max-input-bytes", "4096", "balance", "VNM"]));
    assert!(
        e.contains("larger than the input limit of 4096 bytes"),
        "{e}"
    );
}

// Defect 4: a huge value is quoted in an error by its first 80 characters, not whole.
#[test]
fn a_huge_value_is_not_echoed_whole() {
    let t = tempfile::tempdir().unwrap();
    let big = "q".repeat(5_000_000);
    let cases = std::fs::read_to_string(workspace_root().join("../shared/cases/vietnam.toml"))
        .unwrap()
        .replacen("kind = \"partnership\"", &format!("kind = \"{big}\""), 1);
    let c = write(t.path(), "big.toml", &cases);
    let e = fails(bamboo(&[
        "advise",
        "--doctrine",
        "data/doctrines/vietnam.toml",
        "--no-data",
        c.to_str().unwrap(),
    ]));
    assert!(
        e.contains("big.toml:9: case `2008-05-30-china-csp`: key `kind`"),
        "{e}"
    );
    // The value is quoted by its first 80 characters (bamboo_data::text::MAX_QUOTED) and
    // its length, never whole.
    let cut = format!("{}… (5000000 characters)", "q".repeat(80));
    assert!(e.contains(&cut), "{}", &e[..e.len().min(500)]);
    assert!(!e.contains(&"q".repeat(81)), "{} characters", e.len());
}

// Defect 5: weights of 1.7e308 passed `doctrine check` and gave inf/NaN scores.
#[test]
fn absurd_weights_are_refused_by_check_and_by_advise() {
    let t = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(workspace_root().join("data/doctrines/vietnam.toml"))
        .unwrap()
        .replace(
            "ledger = \"../ledger/vietnam.toml\"",
            &format!(
                "ledger = \"{}\"",
                workspace_root().join("data/ledger/vietnam.toml").display()
            ),
        )
        .replacen("balance = 1.5", "balance = 1.7e308", 1);
    let line = 1 + src
        .lines()
        .position(|l| l.starts_with("balance = 1.7e308"))
        .unwrap();
    let d = write(t.path(), "huge.toml", &src);
    let e = fails(bamboo(&["doctrine", "check", d.to_str().unwrap()]));
    assert!(
        e.contains(&format!(
            "huge.toml:{line}: key `branches.balance`: 170000000000000000"
        )),
        "{e}"
    );
    assert!(e.contains("a number from 0 to 1000"), "{e}");
    let e = fails(bamboo(&[
        "advise",
        "--doctrine",
        d.to_str().unwrap(),
        "--no-data",
        "../shared/cases/vietnam.toml",
    ]));
    assert!(e.contains("key `branches.balance`"), "{e}");
    let e = fails(bamboo(&[
        "simulate",
        "--sweep",
        "shock_size=5",
        "--runs",
        "10",
    ]));
    assert!(
        e.contains("shock_size") && e.contains("outside -1..1"),
        "{e}"
    );
}

// Defect 6: `doctrine check` said ok for a doctrine about ZZZ whose ledger is about VNM.
#[test]
fn doctrine_check_finds_what_advise_finds() {
    let t = tempfile::tempdir().unwrap();
    let ledger = workspace_root().join("data/ledger/vietnam.toml");
    let src = std::fs::read_to_string(workspace_root().join("data/doctrines/vietnam.toml"))
        .unwrap()
        .replace(
            "ledger = \"../ledger/vietnam.toml\"",
            &format!("ledger = \"{}\"", ledger.display()),
        )
        .replacen("subject = \"VNM\"", "subject = \"ZZZ\"", 1);
    let d = write(t.path(), "zzz.toml", &src);
    let check = fails(bamboo(&["doctrine", "check", d.to_str().unwrap()]));
    let advise = fails(bamboo(&[
        "advise",
        "--doctrine",
        d.to_str().unwrap(),
        "../shared/cases/vietnam.toml",
    ]));
    assert_eq!(check, advise, "the check and advise refuse it alike");
    assert!(
        check.contains("ledger/vietnam.toml:5: key `ledger.subject`: the ledger is about VNM"),
        "{check}"
    );
    assert!(check.contains("is about ZZZ"), "{check}");
}

// Defect 10: an OS error is printed once.
#[test]
fn an_os_error_is_printed_once() {
    let e = fails(bamboo(&[
        "advise",
        "--doctrine",
        "data/doctrines/vietnam.toml",
        "/no/such/cases.toml",
    ]));
    assert_eq!(e.matches("No such file or directory").count(), 1, "{e}");
    assert!(e.contains("/no/such/cases.toml: cannot read"), "{e}");
}

/// A sweep checks each value as a world file's value is checked (it once clamped
/// volatility 0.6 to 0.5 and labelled the row 0.6), and `--json` with `--sweep` gives JSON,
/// one report per value, not the CSV it used to write silently.
#[test]
fn sweeps_check_values_and_honour_json() {
    let e = fails(bamboo(&[
        "simulate",
        "--sweep",
        "volatility=0.3,0.6,0.9",
        "--runs",
        "10",
        "--years",
        "2",
    ]));
    // Every value refused is named, with the range a world file allows.
    assert!(
        e.contains("--sweep volatility: 0.6 is outside 0..0.5; 0.9 is outside 0..0.5"),
        "{e}"
    );
    assert!(!e.contains("0.3 is"), "{e}");
    let e = fails(bamboo(&[
        "simulate",
        "--set",
        "volatility=0.6",
        "--runs",
        "10",
    ]));
    assert!(e.contains("--set volatility: 0.6 is outside 0..0.5"), "{e}");
    let v: serde_json::Value = serde_json::from_str(&ok(bamboo(&[
        "simulate",
        "--json",
        "--sweep",
        "volatility=0.1,0.4",
        "--runs",
        "10",
        "--years",
        "2",
    ])))
    .expect("JSON");
    assert_eq!(v["parameter"], "volatility");
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    // Each report is the one `simulate --json` prints for a world with that value.
    let one: serde_json::Value = serde_json::from_str(&ok(bamboo(&[
        "simulate", "--json", "--runs", "10", "--years", "2",
    ])))
    .unwrap();
    assert_eq!(points[0]["value"], 0.1);
    assert_eq!(
        points[0]["report"]["doctrines"].as_array().unwrap().len(),
        one["doctrines"].as_array().unwrap().len()
    );
    assert_ne!(points[0]["report"], points[1]["report"]);
}

/// `chart balance --format csv` was accepted and ignored.
#[test]
fn chart_balance_refuses_a_format() {
    let e = fails(bamboo(&["chart", "balance", "VNM", "--format", "csv"]));
    assert!(
        e.contains("chart balance draws SVG and takes no --format"),
        "{e}"
    );
    assert!(e.contains("bamboo balance --format csv"), "{e}");
}
