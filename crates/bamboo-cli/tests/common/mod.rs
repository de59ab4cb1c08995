//! Helpers for the integration tests: run the real `bamboo` binary on the real shared data.
#![allow(dead_code)]

pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The shared data folder beside the project (`../shared/data` from the workspace root).
pub fn data_dir() -> PathBuf {
    let root = workspace_root();
    let d = root.join("../shared/data");
    assert!(
        d.join("unga").is_dir(),
        "the shared data is missing at {}: the tests run on the real data",
        d.display()
    );
    d
}

/// A data folder holding only some of the shared files (`countries.csv` and the given
/// paths, relative to the shared data), as symbolic links in a temporary directory: for
/// tests that need the data as it stood before a later file.
pub fn data_dir_with(files: &[&str]) -> tempfile::TempDir {
    let src = data_dir();
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir(t.path().join("unga")).unwrap();
    for f in std::iter::once("countries.csv").chain(files.iter().copied()) {
        std::os::unix::fs::symlink(src.join(f), t.path().join(f)).unwrap();
    }
    t
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs bamboo with `--data` pointing at the shared data, from the workspace root.
pub fn bamboo(args: &[&str]) -> Output {
    bamboo_in(&data_dir(), args)
}

/// Runs bamboo with `--data` pointing at `data`, from the workspace root.
pub fn bamboo_in(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bamboo"))
        .arg("--data")
        .arg(data)
        .args(args)
        .current_dir(workspace_root())
        .env_remove("BAMBOO_DATA")
        .output()
        .expect("run bamboo")
}

/// Runs bamboo with exactly these arguments and working directory, no BAMBOO_DATA.
pub fn bamboo_raw(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bamboo"))
        .args(args)
        .current_dir(cwd)
        .env_remove("BAMBOO_DATA")
        .output()
        .expect("run bamboo")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Asserts success and returns stdout.
pub fn ok(o: Output) -> String {
    assert!(o.status.success(), "bamboo failed: {}", stderr(&o));
    stdout(&o)
}

/// Asserts a failure with exactly one error line, and returns it.
pub fn fails(o: Output) -> String {
    assert!(
        !o.status.success(),
        "bamboo should have failed; stdout: {}",
        stdout(&o)
    );
    let e = stderr(&o);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 1, "expected one error line, got: {e}");
    assert!(lines[0].starts_with("bamboo: error: "), "{e}");
    lines[0].to_string()
}

/// Says on stderr that a check was skipped, and why. Written to the process's stderr
/// itself, not through `eprintln!`, which the test harness captures and shows only for a
/// failing test: `cargo test` prints this line where the skipped test passes.
pub fn skip(why: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    // A test that cannot say it was skipped still passes: nothing to do if stderr is gone.
    let _ = writeln!(err, "skipped: {why}");
}
