//! `bamboo sweep DESIGN -o DIR` through the real binary: a point's report is the bytes
//! `bamboo simulate --json` prints for the same world, the table has one row per point, a
//! rerun after an interruption resumes to the same table, and bad designs are refused with
//! their file, line and key, before anything is written.

mod common;

use common::*;
use std::path::Path;

const DESIGN: &str = "runs = 9\nyears = 4\nseed = 5\ndoctrines = [\"vietnam\", \"neutral\"]\n\n[factorial]\npolarisation = [0.3, 0.7]\nvolatility = [0.1, 0.2]\n";

fn sweep(design: &Path, out: &Path) -> std::process::Output {
    bamboo(&[
        "sweep",
        design.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
}

#[test]
fn a_point_is_what_simulate_gives_and_a_rerun_resumes_to_the_same_table() {
    let t = tempfile::tempdir().unwrap();
    let design = t.path().join("d.toml");
    std::fs::write(&design, DESIGN).unwrap();
    let out = t.path().join("out");
    let o = sweep(&design, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("4 points (4 run now, 0 already done)"),
        "{}",
        stderr(&o)
    );
    let table = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5, "{table}");
    assert!(lines[0].starts_with(
        "point,polarisation,volatility,vietnam.economic_gain.mean,vietnam.economic_gain.p5,"
    ));
    assert!(lines[3].starts_with("3,0.7,0.1,"), "{}", lines[3]);

    // Point 3 (polarisation 0.7, volatility 0.1) is the world with those values, simulated.
    let src = std::fs::read_to_string(workspace_root().join("data/worlds/default.toml")).unwrap();
    let mut w = src.clone();
    for (from, to) in [
        ("polarisation_start = 0.4", "polarisation_start = 0.7"),
        ("polarisation_end = 0.8", "polarisation_end = 0.7"),
        ("volatility = 0.05", "volatility = 0.1"),
    ] {
        assert!(w.contains(from), "{from}");
        w = w.replace(from, to);
    }
    let wf = t.path().join("default.toml");
    std::fs::write(&wf, w).unwrap();
    let direct = ok(bamboo(&[
        "simulate",
        "--world",
        wf.to_str().unwrap(),
        "--doctrines",
        "vietnam,neutral",
        "--runs",
        "9",
        "--years",
        "4",
        "--seed",
        "5",
        "--json",
    ]));
    assert_eq!(
        std::fs::read_to_string(out.join("points/000003.json")).unwrap(),
        direct
    );

    // An interrupted sweep: point 2 lost (its row never written), a temporary file left.
    std::fs::remove_file(out.join("points/000002.csv")).unwrap();
    std::fs::remove_file(out.join("sweep.csv")).unwrap();
    std::fs::write(out.join("points/.000002.json.99.tmp"), "{").unwrap();
    let o = sweep(&design, &out);
    assert!(
        stderr(&o).contains("4 points (1 run now, 3 already done)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("sweep.csv")).unwrap(),
        table
    );

    // Another design into the same directory is refused.
    std::fs::write(&design, DESIGN.replace("runs = 9", "runs = 10")).unwrap();
    let e = fails(sweep(&design, &out));
    assert!(
        e.contains("design.json") && e.contains("another design"),
        "{e}"
    );
}

#[test]
fn latin_hypercube_and_explicit_points() {
    let t = tempfile::tempdir().unwrap();
    let design = t.path().join("lhs.toml");
    std::fs::write(&design, "runs = 3\nyears = 2\ndoctrines = [\"vietnam\"]\n[latin_hypercube]\npoints = 5\nseed = 9\nranges = { polarisation = [0.2, 0.8], reaction = [0.1, 0.5] }\n").unwrap();
    let out = t.path().join("lhs");
    ok(sweep(&design, &out));
    let table = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(table.lines().count(), 6);
    assert!(table.starts_with("point,polarisation,reaction,"));
    let pts = t.path().join("pts.toml");
    std::fs::write(&pts, "runs = 3\nyears = 2\ndoctrines = [\"vietnam\"]\n[[point]]\npolarisation = 0.25\n[[point]]\npolarisation = 0.75\n").unwrap();
    let out = t.path().join("pts");
    ok(sweep(&pts, &out));
    let table = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(
        table.lines().nth(2).unwrap().starts_with("2,0.75,"),
        "{table}"
    );
}

#[test]
fn bad_designs_are_located_and_write_nothing() {
    let t = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[factorial]\npolarisation = [0.3, 1.4]\n",
            "d.toml:2: key `factorial.polarisation`",
            "outside 0..1",
        ),
        (
            "[factorial]\npolarisation = [0.3]\ncolour = [1]\n",
            "d.toml:3: key `factorial.colour`",
            "unknown parameter",
        ),
        (
            "runs = \"many\"\n[factorial]\npolarisation = [0.3]\n",
            "d.toml:1",
            "runs",
        ),
        (
            "years = 300\n[factorial]\npolarisation = [0.3]\n",
            "d.toml:1: key `years`",
            "outside 1..200",
        ),
        (
            "doctrines = [\"nope\"]\n[factorial]\npolarisation = [0.3]\n",
            "d.toml: key `world`",
            "unknown doctrine `nope`",
        ),
    ];
    for (i, (src, at, msg)) in cases.iter().enumerate() {
        let dir = t.path().join(format!("c{i}"));
        std::fs::create_dir(&dir).unwrap();
        let d = dir.join("d.toml");
        std::fs::write(&d, src).unwrap();
        let out = dir.join("out");
        let e = fails(sweep(&d, &out));
        let e = e.replace(&format!("{}/", dir.display()), "");
        assert!(e.contains(at) && e.contains(msg), "{src}\n→ {e}");
        assert!(!out.exists(), "{src}: wrote {}", out.display());
    }
    let e = fails(sweep(&t.path().join("missing.toml"), &t.path().join("o")));
    assert!(e.contains("missing.toml"), "{e}");
}
