//! Finding the shared data folder: `--data DIR`, else `BAMBOO_DATA`, else `../shared/data`
//! or `./data` relative to the working directory, whichever holds `unga/`.

use std::path::{Path, PathBuf};

use crate::error::DataError;

/// The environment variable that names the data folder.
pub const ENV_VAR: &str = "BAMBOO_DATA";

/// A located data folder (one that holds `unga/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataDir {
    pub root: PathBuf,
    /// How it was found, for messages and provenance: `--data`, `BAMBOO_DATA` or `default`.
    pub how: &'static str,
}

impl DataDir {
    /// Locates the data folder. An explicit flag or variable must point at a real data
    /// folder (an error says what is missing); the defaults are tried in order.
    pub fn locate(
        flag: Option<&Path>,
        env: Option<&str>,
        cwd: &Path,
    ) -> Result<DataDir, DataError> {
        if let Some(p) = flag {
            return DataDir::check(p.to_path_buf(), "--data");
        }
        if let Some(e) = env.filter(|e| !e.is_empty()) {
            return DataDir::check(PathBuf::from(e), ENV_VAR);
        }
        let candidates = [cwd.join("../shared/data"), cwd.join("data")];
        for c in &candidates {
            if c.join("unga").is_dir() {
                return Ok(DataDir {
                    root: c.canonicalize().unwrap_or_else(|_| c.clone()),
                    how: "default",
                });
            }
        }
        Err(DataError::NotFound {
            tried: format!(
                "no --data flag, {ENV_VAR} unset, no unga/ in {} or {}",
                candidates[0].display(),
                candidates[1].display()
            ),
        })
    }

    /// Locates the folder from the process environment and working directory.
    pub fn from_env(flag: Option<&Path>) -> Result<DataDir, DataError> {
        let env = std::env::var(ENV_VAR).ok();
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        DataDir::locate(flag, env.as_deref(), &cwd)
    }

    fn check(root: PathBuf, how: &'static str) -> Result<DataDir, DataError> {
        let problem = match std::fs::metadata(&root) {
            Ok(m) if m.is_dir() => None,
            Ok(_) => Some(format!("the data folder given by {how} is not a folder")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Some(format!("the data folder given by {how} does not exist"))
            }
            // Permission denied on a parent, say: not the same as a missing folder.
            Err(e) => Some(format!(
                "the data folder given by {how} cannot be reached: {}",
                crate::text::one_line(&e.to_string())
            )),
        };
        if let Some(problem) = problem {
            return Err(DataError::Layout {
                path: root,
                problem,
            });
        }
        if !root.join("unga").is_dir() {
            return Err(DataError::Layout {
                path: root,
                problem: format!(
                    "the data folder given by {how} has no unga/ subfolder with the UN vote tables"
                ),
            });
        }
        let root = root.canonicalize().unwrap_or(root);
        Ok(DataDir { root, how })
    }

    pub fn unga(&self) -> PathBuf {
        self.root.join("unga")
    }

    pub fn countries_csv(&self) -> PathBuf {
        self.root.join("countries.csv")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_beats_env_beats_default() {
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a");
        let b = t.path().join("b");
        std::fs::create_dir_all(a.join("unga")).unwrap();
        std::fs::create_dir_all(b.join("unga")).unwrap();
        let d = DataDir::locate(Some(&a), b.to_str(), t.path()).unwrap();
        assert_eq!((d.root, d.how), (a.clone(), "--data"));
        let d = DataDir::locate(None, b.to_str(), t.path()).unwrap();
        assert_eq!(d.how, ENV_VAR);
        std::fs::create_dir_all(t.path().join("data/unga")).unwrap();
        let d = DataDir::locate(None, None, t.path()).unwrap();
        assert_eq!(d.how, "default");
    }

    #[test]
    fn missing_data_says_how_to_provide_it() {
        let t = tempfile::tempdir().unwrap();
        let e = DataDir::locate(None, None, t.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("--data") && e.contains("BAMBOO_DATA"), "{e}");
        let e = DataDir::locate(Some(&t.path().join("nope")), None, t.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not exist"), "{e}");
        let e = DataDir::locate(Some(t.path()), None, t.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no unga/"), "{e}");
    }

    /// A file, a missing folder and a folder behind a path that cannot be walked are three
    /// different errors (the last used to be called missing).
    #[test]
    fn a_file_and_an_unreachable_folder_are_not_called_missing() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join("data.csv");
        std::fs::write(&file, "x").unwrap();
        let e = DataDir::locate(Some(&file), None, t.path())
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("the data folder given by --data is not a folder"),
            "{e}"
        );
        // A path through the file cannot be walked (ENOTDIR), whoever runs the test.
        let e = DataDir::locate(Some(&file.join("data")), None, t.path())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the data folder given by --data cannot be reached: "),
            "{e}"
        );
        assert!(!e.contains("does not exist"), "{e}");
    }
}
