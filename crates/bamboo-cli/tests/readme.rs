//! The README's short tour names only files that exist: every argument of a `$B …` line
//! that is a path (has a `/` or ends in `.toml`, `.csv` or `.csv.gz`) exists, relative to
//! the workspace root as the tour runs there, except the files it writes (`-o FILE`).

use std::path::Path;

#[test]
fn every_path_in_the_readme_tour_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let tour = readme
        .split("## A short tour")
        .nth(1)
        .and_then(|t| t.split("```").nth(1))
        .expect("the README has a short tour in a code block");
    let mut checked = std::collections::BTreeSet::new();
    let mut missing = Vec::new();
    for line in tour.lines().filter(|l| l.starts_with("$B ")) {
        let words: Vec<&str> = line.split('#').next().unwrap().split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let written = i > 0 && matches!(words[i - 1], "-o" | "--output");
            let looks =
                w.contains('/') || [".toml", ".csv", ".csv.gz"].iter().any(|x| w.ends_with(x));
            if !looks || written || w.starts_with('-') {
                continue;
            }
            checked.insert(*w);
            if !root.join(w).exists() {
                missing.push(format!("{w} (in `{line}`)"));
            }
        }
    }
    // Not vacuous: the reader saw a file of each kind the tour feeds bamboo (the votes of
    // 2022, a doctrine, case files, the record, a world).
    for kind in [
        "../shared/data/unga/",
        "data/doctrines/",
        "../shared/cases/",
        "data/cases/",
        "data/worlds/",
    ] {
        assert!(
            checked.iter().any(|w| w.starts_with(kind)),
            "no {kind}… among the tour's files: {checked:?}"
        );
    }
    assert!(
        missing.is_empty(),
        "the tour names files that do not exist: {missing:?}"
    );
}

/// The README's sentence on output formats holds: the commands it says take `--format`
/// accept it, and those it says take `--json` accept that (and not `--format`).
#[test]
fn the_readme_says_which_commands_take_format_and_which_json() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let format = "The measuring commands (`align`, `balance`, `dyads`, `ideal`, `atlas`, `shifts`, `predict`, `cases from-votes`) print a table by default and take `--format csv` or `--format json`";
    let json = "`advise`, `backtest` and `simulate` print text and take `--json` instead";
    assert!(
        flat.contains(format) && flat.contains(json),
        "the README's sentence changed: update this test with it"
    );
    let help = |cmd: &[&str]| {
        let mut args = cmd.to_vec();
        args.push("--help");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_bamboo"))
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{cmd:?} --help");
        String::from_utf8(out.stdout).unwrap()
    };
    for cmd in [
        &["align"][..],
        &["balance"],
        &["dyads"],
        &["ideal"],
        &["atlas"],
        &["shifts"],
        &["predict"],
        &["cases", "from-votes"],
    ] {
        assert!(help(cmd).contains("--format"), "{cmd:?} takes no --format");
    }
    for cmd in ["advise", "backtest", "simulate"] {
        let h = help(&[cmd]);
        assert!(h.contains("--json") && !h.contains("--format"), "{cmd}");
    }
}
