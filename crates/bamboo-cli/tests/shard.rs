//! `bamboo simulate --shard K/N --json` and `bamboo simulate merge` through the real binary:
//! the merge of every shard is byte-identical to one process's `--json` for several N and
//! in any order, and gaps, overlaps, foreign parts and bad flags are refused with the file
//! named.

mod common;

use common::*;
use std::path::{Path, PathBuf};

const SIM: [&str; 7] = ["--runs", "37", "--years", "6", "--seed", "11", "--quiet"];

fn shard(dir: &Path, k: u32, n: u32, extra: &[&str]) -> PathBuf {
    let out = dir.join(format!("part-{k}-of-{n}.json"));
    let spec = format!("{k}/{n}");
    let mut args = vec!["simulate"];
    args.extend(SIM);
    args.extend(extra);
    args.extend(["--shard", &spec, "--json", "-o", out.to_str().unwrap()]);
    ok(bamboo(&args));
    out
}

fn merge(parts: &[PathBuf]) -> std::process::Output {
    let mut args = vec!["simulate".to_string(), "merge".to_string()];
    args.extend(parts.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    bamboo(&refs)
}

#[test]
fn merged_shards_are_byte_identical_to_one_process_for_any_n() {
    let mut args = vec!["simulate"];
    args.extend(SIM);
    args.push("--json");
    let whole = bamboo(&args);
    assert!(whole.status.success(), "{}", stderr(&whole));
    let t = tempfile::tempdir().unwrap();
    // N = 1, 2, 3 and 40 (more shards than runs: some shards are empty).
    for n in [1u32, 2, 3, 40] {
        let mut parts: Vec<PathBuf> = (1..=n).map(|k| shard(t.path(), k, n, &[])).collect();
        parts.reverse(); // any order
        let merged = merge(&parts);
        assert!(merged.status.success(), "N={n}: {}", stderr(&merged));
        assert_eq!(
            String::from_utf8_lossy(&merged.stdout),
            String::from_utf8_lossy(&whole.stdout),
            "N={n}"
        );
    }
    // `-o` writes the same bytes to a file.
    let parts: Vec<PathBuf> = (1..=2).map(|k| shard(t.path(), k, 2, &[])).collect();
    let out = t.path().join("merged.json");
    let mut a = vec!["simulate", "merge", "-o", out.to_str().unwrap()];
    let names: Vec<String> = parts.iter().map(|p| p.display().to_string()).collect();
    a.extend(names.iter().map(String::as_str));
    ok(bamboo(&a));
    assert_eq!(std::fs::read(&out).unwrap(), whole.stdout);
}

#[test]
fn gaps_overlaps_and_foreign_parts_are_refused_naming_the_file() {
    let t = tempfile::tempdir().unwrap();
    let p: Vec<PathBuf> = (1..=3).map(|k| shard(t.path(), k, 3, &[])).collect();
    let e = fails(merge(&[p[0].clone(), p[2].clone()]));
    assert!(e.contains("do not cover every run"), "{e}");
    let e = fails(merge(&[
        p[0].clone(),
        p[1].clone(),
        p[1].clone(),
        p[2].clone(),
    ]));
    assert!(
        e.contains("part-2-of-3.json") && e.contains("overlaps"),
        "{e}"
    );
    // A part of another simulation (another seed) is named by its file.
    let other = t.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let foreign = shard(&other, 2, 3, &["--doctrines", "vietnam,neutral"]);
    let e = fails(merge(&[p[0].clone(), foreign, p[2].clone()]));
    assert!(e.contains("other/part-2-of-3.json"), "{e}");
    // A file that is not a partial report: file, line and what is wrong.
    let bad = t.path().join("bad.json");
    std::fs::write(&bad, "{\"format\": 3}\n").unwrap();
    let e = fails(merge(&[bad]));
    assert!(e.contains("bad.json:1"), "{e}");
    let e = fails(merge(&[t.path().join("missing.json")]));
    assert!(e.contains("missing.json"), "{e}");
}

#[test]
fn bad_shard_flags_are_refused_before_anything_runs() {
    for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
        let e = fails(bamboo(&["simulate", "--shard", bad, "--json"]));
        assert!(
            e.contains("--shard") && e.contains("1 <= K <= N"),
            "{bad}: {e}"
        );
    }
    // --shard needs --json (a partial report has no text form).
    let e = fails(bamboo(&["simulate", "--shard", "1/2"]));
    assert!(e.contains("--json"), "{e}");
}
