//! The fuzz targets as a user meets them: mutants of the shipped case, doctrine, ledger and
//! world files given to the real binary (`advise`, `doctrine check`, `ledger import`,
//! `simulate --world`). Each run exits 0, or 1 with exactly one line
//! `bamboo: error: FILE:LINE: … key `…`: …` on stderr; never a panic (101), a signal or a
//! hang. A few mutants per reader in `cargo test` (each is a process); more with
//! `BAMBOO_MUTANTS=N` (the readers' own targets in bamboo-data run thousands a second).

#![allow(clippy::print_stderr)] // prints each target's tally

mod common;
#[path = "../../bamboo-data/tests/mutate/mod.rs"]
mod mutate;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::workspace_root;
use mutate::{line_is_located, run, Outcome};

const QUICK: usize = 40;

/// Runs bamboo in `cwd` (no data folder found from there) and judges the outcome for the
/// mutant file `file`.
fn judge(cwd: &Path, args: &[&str], file: &Path) -> Outcome {
    let o = Command::new(env!("CARGO_BIN_EXE_bamboo"))
        .args(args)
        .current_dir(cwd)
        .env_remove("BAMBOO_DATA")
        .env_remove("BAMBOO_TOKEN")
        .output()
        .expect("run bamboo");
    match o.status.code() {
        Some(0) => return Outcome::Valid,
        Some(1) => {}
        other => {
            return Outcome::BadResult(format!(
                "exit {other:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            ))
        }
    }
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.contains("note:")).collect();
    let [line] = lines.as_slice() else {
        return Outcome::Unlocated(format!("{} lines: {err}", lines.len()));
    };
    let Some(rest) = line.strip_prefix("bamboo: error: ") else {
        return Outcome::Unlocated(line.to_string());
    };
    if line_is_located(rest, &file.display().to_string()) {
        Outcome::Located
    } else {
        Outcome::Unlocated(line.to_string())
    }
}

/// A scratch folder laid out like `data/`, with the real ledgers beside the mutants so that
/// a doctrine's `ledger = "../ledger/…"` resolves.
fn scratch() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let root = workspace_root();
    for sub in ["doctrines", "cases", "worlds", "ledger", "mutants"] {
        std::fs::create_dir_all(t.path().join(sub)).unwrap();
    }
    for l in ["vietnam", "india"] {
        std::fs::copy(
            root.join(format!("data/ledger/{l}.toml")),
            t.path().join(format!("ledger/{l}.toml")),
        )
        .unwrap();
    }
    t
}

fn base(rel: &str) -> (String, Vec<u8>) {
    (
        rel.rsplit('/').next().unwrap().to_string(),
        std::fs::read(workspace_root().join(rel)).unwrap(),
    )
}

/// Writes a mutant under `dir/sub` with a name of its own.
fn put(dir: &Path, sub: &str, label: &str, b: &[u8]) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let p = dir
        .join(sub)
        .join(format!("m{}-{label}", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&p, b).unwrap();
    p
}

fn report(t: &mutate::Tally) {
    eprintln!("{}", t.summary());
    t.check(0.99);
}

#[test]
fn case_files_through_advise() {
    let s = scratch();
    let dir = s.path().to_path_buf();
    let doctrine = workspace_root().join("data/doctrines/vietnam.toml");
    let bases = vec![
        base("../shared/cases/vietnam.toml"),
        base("data/cases/india.toml"),
    ];
    let t = run(
        "bamboo advise",
        &bases,
        mutate::count(QUICK),
        b'=',
        move |label, b| {
            let p = put(&dir, "cases", label, &b);
            judge(
                &dir,
                &[
                    "advise",
                    "--no-data",
                    "--doctrine",
                    doctrine.to_str().unwrap(),
                    p.to_str().unwrap(),
                ],
                &p,
            )
        },
    );
    report(&t);
}

#[test]
fn doctrine_files_through_check() {
    let s = scratch();
    let dir = s.path().to_path_buf();
    let bases = vec![
        base("data/doctrines/vietnam.toml"),
        base("data/doctrines/india.toml"),
        base("data/doctrines/neutral.toml"),
    ];
    let t = run(
        "bamboo doctrine check",
        &bases,
        mutate::count(QUICK),
        b'=',
        move |label, b| {
            let p = put(&dir, "doctrines", label, &b);
            // A rejection may rightly be about the ledger the doctrine names, in its own file.
            match judge(&dir, &["doctrine", "check", p.to_str().unwrap()], &p) {
                Outcome::Unlocated(l) if l.contains("/ledger/") && l.contains(": key `") => {
                    Outcome::Located
                }
                other => other,
            }
        },
    );
    report(&t);
}

#[test]
fn ledger_files_through_import() {
    let s = scratch();
    let dir = s.path().to_path_buf();
    let bases = vec![
        base("data/ledger/vietnam.toml"),
        base("data/ledger/india.toml"),
    ];
    let t = run(
        "bamboo ledger import",
        &bases,
        mutate::count(QUICK),
        b'=',
        move |label, b| {
            let p = put(&dir, "mutants", label, &b);
            let db = dir.join(format!(
                "{}.sqlite3",
                p.file_name().unwrap().to_string_lossy()
            ));
            judge(
                &dir,
                &[
                    "ledger",
                    "import",
                    "--db",
                    db.to_str().unwrap(),
                    p.to_str().unwrap(),
                ],
                &p,
            )
        },
    );
    report(&t);
}

#[test]
fn world_files_through_simulate() {
    let s = scratch();
    let dir = s.path().to_path_buf();
    let bases = vec![base("data/worlds/default.toml")];
    let t = run(
        "bamboo simulate --world",
        &bases,
        mutate::count(QUICK),
        b'=',
        move |label, b| {
            let p = put(&dir, "worlds", label, &b);
            judge(
                &dir,
                &[
                    "simulate",
                    "--world",
                    p.to_str().unwrap(),
                    "--runs",
                    "4",
                    "--years",
                    "3",
                    "--quiet",
                ],
                &p,
            )
        },
    );
    report(&t);
}
