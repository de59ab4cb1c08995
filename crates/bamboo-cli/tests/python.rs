//! The Python package's pytest suite (`python/tests`), run against this build's binary when
//! `BAMBOO_TEST_PYTHON=1` (which `.ci/run` sets after `pip install ./python` and the test
//! dependencies); skipped with a message otherwise, so `cargo test --workspace` needs only
//! Rust.

mod common;

use std::process::Command;

#[test]
fn the_python_package_passes_its_pytest_suite() {
    if std::env::var("BAMBOO_TEST_PYTHON").as_deref() != Ok("1") {
        common::skip(
            "the Python package's tests run with BAMBOO_TEST_PYTHON=1 after `pip install ./python` and `pip install pytest dask distributed` (.ci/run does both)",
        );
        return;
    }
    let root = common::workspace_root();
    let out = Command::new("python3")
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "python/tests",
        ])
        .env("BAMBOO_BIN", env!("CARGO_BIN_EXE_bamboo"))
        .current_dir(&root)
        .output()
        .expect("run python3 -m pytest");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "pytest failed:\n{text}");
    assert!(text.contains(" passed"), "{text}");
    assert!(
        !text.contains(" skipped"),
        "a Python test was skipped:\n{text}"
    );
}
