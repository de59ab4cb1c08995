//! Equal bytes: for each question both faces answer, the real `bamboo` binary
//! (`--format json`, or the SVG of `bamboo chart`) and the real `bamboo serve` on a loopback
//! port give the same bytes. Both print what one `bamboo_app` function made; a field added
//! on one side, a different clamp of the span or a different parse of `--by` shows here.
//!
//! The pairs are spelled as a user would type each: `--by window 5` against `by=window:5`,
//! `--from 1900` against `from=1900` (both read from 1946, the first year of the data).

mod common;

use common::server::{bamboo, http, Server, TOKEN};
use common::workspace_root;

/// `(CLI arguments, API path)`: the same question.
const PAIRS: &[(&[&str], &str)] = &[
    (
        &[
            "align", "VNM", "USA", "CHN", "--from", "2015", "--to", "2019", "--format", "json",
        ],
        "/api/align?a=VNM&b=USA,CHN&from=2015&to=2019",
    ),
    (
        &[
            "align",
            "VNM",
            "USA",
            "--from",
            "2010",
            "--to",
            "2019",
            "--by",
            "window",
            "3",
            "--ci",
            "90",
            "--replicates",
            "50",
            "--format",
            "json",
        ],
        "/api/align?a=VNM&b=USA&from=2010&to=2019&by=window:3&ci=90&replicates=50",
    ),
    (
        &[
            "align", "GBR", "USA", "--from", "1900", "--to", "1950", "--by", "total", "--format",
            "json",
        ],
        "/api/align?a=GBR&b=USA&from=1900&to=1950&by=total",
    ),
    (
        &[
            "balance", "VNM", "--from", "1900", "--by", "window", "5", "--format", "json",
        ],
        "/api/balance/VNM?from=1900&by=window%2B5",
    ),
    (
        &[
            "balance", "--by", "total", "VNM", "--issue", "hr", "--format", "json",
        ],
        "/api/balance/VNM?by=total&issue=hr",
    ),
    (
        &[
            "balance",
            "VNM",
            "--poles",
            "USA,CHN",
            "--from",
            "2015",
            "--ci",
            "90",
            "--replicates",
            "50",
            "--format",
            "json",
        ],
        "/api/balance/VNM?poles=USA,CHN&from=2015&ci=90&replicates=50",
    ),
    (
        &[
            "atlas",
            "--year",
            "2019",
            "--ci",
            "90",
            "--replicates",
            "50",
            "--format",
            "json",
        ],
        "/api/atlas?year=2019&ci=90&replicates=50",
    ),
    (
        &[
            "atlas",
            "--year",
            "2019",
            "--replicates",
            "50",
            "--sort",
            "rank",
            "--format",
            "json",
        ],
        "/api/atlas?year=2019&replicates=50&sort=rank",
    ),
    (
        &[
            "atlas",
            "--year",
            "2015",
            "--replicates",
            "50",
            "--sort",
            "lean",
            "--format",
            "json",
        ],
        "/api/atlas?year=2015&replicates=50&sort=lean",
    ),
    (
        &[
            "shifts",
            "VNM",
            "--from",
            "2005",
            "--to",
            "2019",
            "--replicates",
            "100",
            "--ci",
            "90",
            "--format",
            "json",
        ],
        "/api/shifts/VNM?from=2005&to=2019&replicates=100&ci=90",
    ),
    (
        &[
            "chart", "balance", "VNM", "--from", "1990", "--by", "window", "5",
        ],
        "/api/chart/balance/VNM.svg?from=1990&by=window:5",
    ),
    (
        &[
            "chart",
            "map",
            "--year",
            "2019",
            "--ci",
            "90",
            "--replicates",
            "50",
        ],
        "/api/chart/map.svg?year=2019&ci=90&replicates=50",
    ),
    (
        &[
            "chart",
            "map",
            "--year",
            "2019",
            "--measure",
            "agreement:CHN",
            "--ci",
            "90",
            "--replicates",
            "50",
        ],
        "/api/chart/map.svg?year=2019&measure=agreement:CHN&ci=90&replicates=50",
    ),
];

/// The first line on which two texts differ, for the failure message.
fn first_difference(a: &str, b: &str) -> String {
    for (k, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            let cut = |s: &str| s.chars().take(300).collect::<String>();
            return format!("line {}:\n  CLI: {}\n  API: {}", k + 1, cut(x), cut(y));
        }
    }
    format!(
        "one is a prefix of the other ({} and {} bytes)",
        a.len(),
        b.len()
    )
}

#[test]
fn the_cli_and_the_api_give_the_same_bytes() {
    let t = tempfile::tempdir().unwrap();
    let root = workspace_root();
    let server = Server::start(&t.path().join("l.sqlite3"), &root, Some(TOKEN));
    let mut failures = Vec::new();
    for (args, path) in PAIRS {
        let cli = bamboo(args, &root);
        assert!(
            cli.status.success(),
            "bamboo {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&cli.stderr)
        );
        let api = http(server.addr, "GET", path, &[], b"");
        assert_eq!(
            api.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&api.body)
        );
        // Not vacuous: each answer holds what was asked.
        let text = String::from_utf8_lossy(&cli.stdout).into_owned();
        assert!(
            text.len() > 500 && (text.starts_with('{') || text.starts_with("<svg")),
            "bamboo {}: {}",
            args.join(" "),
            &text[..text.len().min(300)]
        );
        if api.body != cli.stdout {
            failures.push(format!(
                "bamboo {} and GET {path} differ at {}",
                args.join(" "),
                first_difference(&text, &String::from_utf8_lossy(&api.body))
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The span is clamped alike, and a window is labelled by the years the state voted in:
/// Vietnam joined the UN in 1977, so its first trailing 5-year window is 1977-1981 on both
/// faces, and a window longer than its years of votes is an error on both (it was
/// `(no rows)` and exit 0 in the CLI, an empty list in the API).
#[test]
fn a_window_covers_only_the_years_the_state_voted_in() {
    let t = tempfile::tempdir().unwrap();
    let root = workspace_root();
    let cli = bamboo(
        &[
            "balance", "VNM", "--from", "1900", "--by", "window", "5", "--format", "json",
        ],
        &root,
    );
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    let first = &v["rows"][0];
    assert_eq!(
        (first["from"].as_i64(), first["to"].as_i64()),
        (Some(1977), Some(1981))
    );
    // Every row's roll calls are those of its own years.
    for r in v["rows"].as_array().unwrap() {
        assert!(r["from"].as_i64() >= Some(1977), "{r}");
        let n = r["alignments"][0]["n"].as_u64().unwrap();
        assert!(n <= r["roll_calls"].as_u64().unwrap(), "{r}");
    }
    let o = bamboo(&["balance", "VNM", "--by", "window", "60"], &root);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("VNM voted in 1977-") && e.contains("no 60-year window fits"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");
    let server = Server::start(&t.path().join("l.sqlite3"), &root, Some(TOKEN));
    let api = http(
        server.addr,
        "GET",
        "/api/balance/VNM?by=window:60",
        &[],
        b"",
    );
    assert_eq!(api.status, 422, "{}", String::from_utf8_lossy(&api.body));
    assert!(
        String::from_utf8_lossy(&api.body).contains("no 60-year window fits"),
        "{}",
        String::from_utf8_lossy(&api.body)
    );
    let api = http(
        server.addr,
        "GET",
        "/api/balance/VNM?by=window:100",
        &[],
        b"",
    );
    assert_eq!(api.status, 400, "{}", String::from_utf8_lossy(&api.body));
    assert!(String::from_utf8_lossy(&api.body).contains("no 100-year window fits"));
}

/// `--by` takes one value: a state after `--by total` is a state, not a second word of
/// `--by` (it was `--by total VNM`: "not allowed").
#[test]
fn by_does_not_swallow_the_next_word() {
    let root = workspace_root();
    let after = bamboo(
        &["balance", "--by", "total", "VNM", "--format", "json"],
        &root,
    );
    assert!(
        after.status.success(),
        "{}",
        String::from_utf8_lossy(&after.stderr)
    );
    let before = bamboo(
        &["balance", "VNM", "--by", "total", "--format", "json"],
        &root,
    );
    assert_eq!(after.stdout, before.stdout);
    let v: serde_json::Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(v["subject"], "VNM");
    assert_eq!(v["rows"].as_array().unwrap().len(), 1);
    // The window's number still follows it, in any spelling.
    let spaced = bamboo(
        &["balance", "--by", "window", "5", "VNM", "--format", "json"],
        &root,
    );
    assert!(
        spaced.status.success(),
        "{}",
        String::from_utf8_lossy(&spaced.stderr)
    );
    for by in ["window:5", "window=5", "window+5"] {
        let o = bamboo(&["balance", "VNM", "--by", by, "--format", "json"], &root);
        assert_eq!(o.stdout, spaced.stdout, "--by {by}");
    }
}
