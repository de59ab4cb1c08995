//! The vote cache as a user meets it, on a copy of the real data folder: the second run
//! reads the cache and prints the same bytes as a run without it; a changed input (even
//! with its size and modification time put back) is read again, never served stale; a
//! damaged or foreign cache file is ignored and replaced; `--no-cache` and
//! `BAMBOO_NO_CACHE=1` leave the cache alone.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).unwrap();
            // The shared data is read-only; the copy must be writable for the test.
            let mut p = fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            p.set_readonly(false);
            fs::set_permissions(&target, p).unwrap();
        }
    }
}

struct Setup {
    _tmp: tempfile::TempDir,
    data: PathBuf,
    cache: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let cache = tmp.path().join("cache");
    copy_dir(&data_dir(), &data);
    Setup {
        _tmp: tmp,
        data,
        cache,
    }
}

fn run(s: &Setup, extra_env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bamboo"));
    c.arg("--data")
        .arg(&s.data)
        .args(args)
        .env("XDG_CACHE_HOME", &s.cache)
        .env_remove("BAMBOO_DATA")
        .env_remove("BAMBOO_NO_CACHE");
    for (k, v) in extra_env {
        c.env(k, v);
    }
    c.output().expect("run bamboo")
}

fn entries(s: &Setup) -> Vec<PathBuf> {
    match fs::read_dir(s.cache.join("bamboo")) {
        Err(_) => Vec::new(),
        Ok(d) => d.map(|e| e.unwrap().path()).collect(),
    }
}

const ALIGN: &[&str] = &[
    "-v", "align", "VNM", "USA", "CHN", "--from", "2020", "--to", "2023", "--format", "csv",
];

#[test]
fn a_cached_load_gives_the_same_bytes_and_a_changed_input_is_read_again() {
    let s = setup();
    let first = run(&s, &[], ALIGN);
    let out1 = ok(first.clone());
    assert!(stderr(&first).contains("vote cache: the tables were read and cached in"));
    assert_eq!(entries(&s).len(), 1, "one entry: {:?}", entries(&s));

    let second = run(&s, &[], ALIGN);
    assert!(
        stderr(&second).contains("vote cache: read "),
        "{}",
        stderr(&second)
    );
    assert_eq!(ok(second), out1, "the cache gives the same bytes");
    let uncached = run(&s, &[], &[&["--no-cache"], ALIGN].concat());
    assert!(stderr(&uncached).contains("vote cache: off"));
    assert_eq!(ok(uncached), out1);

    // Mark one 2022 roll call as a human-rights vote without changing the file's size,
    // and put its modification time back: the cache must notice (by the change time, then
    // the contents).
    const HR: &[&str] = &[
        "-v", "align", "VNM", "USA", "--from", "2022", "--to", "2022", "--issue", "hr", "--format",
        "csv",
    ];
    let hr1 = ok(run(&s, &[], HR));
    let f = s.data.join("unga/voeten_roll_calls_2022_2024.csv");
    let before = fs::metadata(&f).unwrap().modified().unwrap();
    let text = fs::read_to_string(&f).unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.split(',').nth(1).is_some_and(|d| d.starts_with("2022-"))
                && l.ends_with(",0,0,0,0,0,0")
        })
        .unwrap()
        .to_string();
    let marked = format!("{},0,0,0,1,0,0", &line[..line.len() - 12]);
    assert_eq!(marked.len(), line.len());
    fs::write(&f, text.replacen(&line, &marked, 1)).unwrap();
    fs::File::options()
        .write(true)
        .open(&f)
        .unwrap()
        .set_modified(before)
        .unwrap();
    assert_eq!(fs::metadata(&f).unwrap().len() as usize, text.len());

    let third = run(&s, &[], HR);
    assert!(
        stderr(&third).contains("vote cache: the tables were read and cached in"),
        "a changed input is read again: {}",
        stderr(&third)
    );
    let out3 = ok(third);
    assert_ne!(out3, hr1, "one more human-rights roll call in 2022");
    let truth = ok(run(&s, &[("BAMBOO_NO_CACHE", "1")], HR));
    assert_eq!(out3, truth, "and gives what a load without the cache gives");
    let fourth = run(&s, &[], HR);
    assert!(stderr(&fourth).contains("vote cache: read "));
    assert_eq!(ok(fourth), truth);
}

#[test]
fn a_touched_input_with_the_same_contents_is_still_a_hit() {
    let s = setup();
    ok(run(&s, &[], ALIGN));
    let f = s.data.join("unga/voeten_roll_calls_2020_2021.csv");
    let text = fs::read(&f).unwrap();
    fs::write(&f, &text).unwrap();
    let again = run(&s, &[], ALIGN);
    assert!(
        stderr(&again).contains("vote cache: read "),
        "{}",
        stderr(&again)
    );
    // Adding an input (a --votes file) is another entry, never the old one.
    let extra = s.data.join("unga/undl_ga_votes_2022_jan_oct.csv");
    let with = run(
        &s,
        &[],
        &[&["--votes", extra.to_str().unwrap()], ALIGN].concat(),
    );
    assert!(stderr(&with).contains("cached in"), "{}", stderr(&with));
    assert_eq!(entries(&s).len(), 2);
}

#[test]
fn a_damaged_cache_file_is_ignored_and_replaced() {
    let s = setup();
    let out = ok(run(&s, &[], ALIGN));
    let entry = entries(&s).pop().unwrap();
    let mut bytes = fs::read(&entry).unwrap();
    // A flipped bit in the middle (a vote), and then a truncated file.
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x10;
    fs::write(&entry, &bytes).unwrap();
    let r = run(&s, &[], ALIGN);
    assert!(stderr(&r).contains("cached in"), "{}", stderr(&r));
    assert_eq!(ok(r), out);
    let good = fs::read(&entry).unwrap();
    fs::write(&entry, &good[..good.len() / 3]).unwrap();
    let r = run(&s, &[], ALIGN);
    assert!(stderr(&r).contains("cached in"), "{}", stderr(&r));
    assert_eq!(ok(r), out);
    fs::write(&entry, b"not a cache").unwrap();
    assert_eq!(ok(run(&s, &[], ALIGN)), out);
    assert_eq!(
        fs::read(&entry).unwrap(),
        good,
        "replaced by the same entry"
    );
}

#[test]
fn no_cache_leaves_the_cache_alone_and_an_unwritable_cache_is_not_an_error() {
    let s = setup();
    ok(run(&s, &[("BAMBOO_NO_CACHE", "1")], ALIGN));
    ok(run(&s, &[], &[&["--no-cache"], ALIGN].concat()));
    assert!(entries(&s).is_empty(), "{:?}", entries(&s));
    // A cache directory that is a file: the command still answers, and says why under -v.
    fs::create_dir_all(&s.cache).unwrap();
    fs::write(s.cache.join("bamboo"), b"a file, not a folder").unwrap();
    let r = run(&s, &[], ALIGN);
    assert!(stderr(&r).contains("not cached"), "{}", stderr(&r));
    ok(r);
}

#[test]
fn a_rebuilt_binary_replaces_its_entry_instead_of_adding_one() {
    // Each build used to leave a 4.6 MB entry beside the last (the file was named by the
    // binary's size and modification time too), so the cache grew by one entry per build.
    let s = setup();
    let bin = s.cache.parent().unwrap().join("bamboo-copy");
    fs::copy(env!("CARGO_BIN_EXE_bamboo"), &bin).unwrap();
    let run_copy = |bin: &Path| {
        Command::new(bin)
            .arg("--data")
            .arg(&s.data)
            .args(ALIGN)
            .env("XDG_CACHE_HOME", &s.cache)
            .env_remove("BAMBOO_DATA")
            .env_remove("BAMBOO_NO_CACHE")
            .output()
            .expect("run the copied bamboo")
    };
    let first = run_copy(&bin);
    let out = ok(first.clone());
    assert!(stderr(&first).contains("cached in"), "{}", stderr(&first));
    let ours = entries(&s);
    assert_eq!(ours.len(), 1, "{ours:?}");
    // "Rebuild" it: the same path with a new modification time, which is a new program.
    let later =
        fs::metadata(&bin).unwrap().modified().unwrap() + std::time::Duration::from_secs(60);
    fs::File::options()
        .write(true)
        .open(&bin)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let rebuilt = run_copy(&bin);
    assert!(
        stderr(&rebuilt).contains("the tables were read and cached in"),
        "a new program never reads the old one's entry: {}",
        stderr(&rebuilt)
    );
    assert_eq!(ok(rebuilt), out);
    assert_eq!(entries(&s), ours, "the same entry, replaced");
    // A binary at another path has its own entry.
    ok(run(&s, &[], ALIGN));
    assert_eq!(entries(&s).len(), 2, "{:?}", entries(&s));
}
