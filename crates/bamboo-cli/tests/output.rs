//! Where output goes: a closed pipe is success, never a panic (`bamboo | head -c 10`), and
//! `-o` writes devices in place, follows links, keeps modes and names no temporary file.

mod common;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::process::{Command, Stdio};

use common::*;

/// `bamboo … | head -c 10` in a shell with `pipefail`: bamboo's own exit status.
fn piped_into_head(args: &str) -> (i32, String) {
    let bin = env!("CARGO_BIN_EXE_bamboo");
    let data = data_dir();
    let script = format!(
        "set -o pipefail; '{bin}' --data '{}' {args} 2>\"$ERR\" | head -c 10 >/dev/null",
        data.display()
    );
    let t = tempfile::tempdir().unwrap();
    let err = t.path().join("stderr");
    let st = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env("ERR", &err)
        .current_dir(workspace_root())
        .status()
        .expect("run bash");
    (
        st.code().unwrap_or(-1),
        std::fs::read_to_string(&err).unwrap_or_default(),
    )
}

#[test]
fn a_closed_pipe_is_success_for_every_command() {
    for args in [
        "",
        "balance VNM",
        "align VNM USA CHN --format csv",
        "dyads --year 2019 --format csv",
        "doctrine check data/doctrines/vietnam.toml",
        "advise --doctrine data/doctrines/vietnam.toml ../shared/cases/vietnam.toml",
        "simulate --runs 20 --years 5 --quiet",
    ] {
        let (code, err) = piped_into_head(args);
        assert_eq!(code, 0, "`bamboo {args} | head -c 10` exited {code}: {err}");
        assert!(!err.contains("panicked"), "{args}: {err}");
    }
}

#[test]
fn output_to_a_device_writes_it_in_place() {
    let out = bamboo(&[
        "dyads",
        "--year",
        "2019",
        "--format",
        "csv",
        "-o",
        "/dev/null",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let m = std::fs::symlink_metadata("/dev/null").unwrap();
    assert!(
        m.file_type().is_char_device(),
        "/dev/null must stay a device"
    );
    if std::path::Path::new("/dev/full").exists() {
        let e = fails(bamboo(&["dyads", "--year", "2019", "-o", "/dev/full"]));
        assert!(e.contains("/dev/full: write failed"), "{e}");
        assert_eq!(e.matches("No space left on device").count(), 1, "{e}");
        let m = std::fs::symlink_metadata("/dev/full").unwrap();
        assert!(
            m.file_type().is_char_device(),
            "/dev/full must stay a device"
        );
    }
}

#[test]
fn output_through_a_symlink_replaces_the_target_and_keeps_modes() {
    let t = tempfile::tempdir().unwrap();
    let real = t.path().join("real.csv");
    std::fs::write(&real, "old").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = t.path().join("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    ok(bamboo(&[
        "dyads",
        "--year",
        "2019",
        "--format",
        "csv",
        "-o",
        link.to_str().unwrap(),
    ]));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .starts_with("year,a,b"));
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "an existing file keeps its mode");
    // A new file under umask 022 is 0644, as the shell would make it.
    let new = t.path().join("new.csv");
    let st = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "umask 022; '{}' --data '{}' dyads --year 2019 --format csv -o '{}'",
            env!("CARGO_BIN_EXE_bamboo"),
            data_dir().display(),
            new.display()
        ))
        .current_dir(workspace_root())
        .stderr(Stdio::inherit())
        .status()
        .unwrap();
    assert!(st.success());
    let mode = std::fs::metadata(&new).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
    // Nothing else was left in the folder.
    let mut names: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["link.csv", "new.csv", "real.csv"]);
}

#[test]
fn an_unwritable_output_names_the_file_not_a_temporary_one() {
    let t = tempfile::Builder::new()
        .prefix("out-test")
        .tempdir()
        .unwrap();
    let p = t.path().join("missing-folder/out.csv");
    let e = fails(bamboo(&[
        "dyads",
        "--year",
        "2019",
        "-o",
        p.to_str().unwrap(),
    ]));
    assert!(e.contains("out.csv: cannot create a file in"), "{e}");
    assert!(!e.contains(".tmp") && !e.contains(".bamboo-"), "{e}");
    assert_eq!(e.matches("No such file or directory").count(), 1, "{e}");
}
