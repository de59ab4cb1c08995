//! Where the ledger database and the curated data live, and opening (and first seeding)
//! the ledger database: `bamboo ledger` and `bamboo serve`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use bamboo_data::ledger::read_ledger;
use bamboo_data::ledger_db::LedgerDb;
use bamboo_data::toml_input::toml_files;

/// The default ledger database: `$XDG_DATA_HOME/bamboo/ledger.sqlite3`, else
/// `~/.local/share/bamboo/ledger.sqlite3`.
pub fn default_db_path() -> Result<PathBuf> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(x) => PathBuf::from(x),
        None => match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(h) => PathBuf::from(h).join(".local/share"),
            None => bail!(
                "cannot tell where to keep the ledger: neither XDG_DATA_HOME nor HOME is set; pass --db FILE"
            ),
        },
    };
    Ok(base.join("bamboo").join("ledger.sqlite3"))
}

/// The curated data shipped with bamboo (`ledger/`, `doctrines/`, `cases/`): `flag` if
/// given, else `./data` when it holds any of them (the working directory is a checkout).
pub fn curated_dir(flag: Option<&Path>) -> Option<PathBuf> {
    let holds = |d: &Path| {
        ["ledger", "doctrines", "cases"]
            .iter()
            .any(|s| d.join(s).is_dir())
    };
    let dir = flag.map_or_else(|| PathBuf::from("data"), Path::to_path_buf);
    holds(&dir).then(|| dir.canonicalize().unwrap_or(dir))
}

/// The curated ledger files (`ledger/*.toml` of the curated folder) as seed batches.
pub fn seed_batches(
    curated: &Path,
) -> Result<Vec<(String, Vec<bamboo_core::ledger::LedgerEvent>)>> {
    let mut batches = Vec::new();
    for f in toml_files(&curated.join("ledger"))? {
        let contents = read_ledger(&f)?;
        let name = f
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        batches.push((format!("seed:{name}"), contents.events().to_vec()));
    }
    Ok(batches)
}

/// Opens (creating and migrating) the ledger database. A database never seeded is seeded
/// from the curated `ledger/*.toml` when there are any, all files in one transaction; with
/// none (outside a checkout) it stays unseeded, says so, and is seeded the first time it is
/// opened with curated files, or by `bamboo ledger seed`.
pub fn open_ledger(path: &Path, curated: Option<&Path>) -> Result<LedgerDb> {
    let (mut db, _report) = LedgerDb::open(path)?;
    if db.seeding()?.is_some() {
        return Ok(db);
    }
    let batches = match curated {
        Some(dir) => seed_batches(dir)?,
        None => Vec::new(),
    };
    match db.seed(&batches)? {
        Some(r) => tracing::info!(
            events = r.added,
            already_present = r.already_present,
            files = batches.len(),
            db = %path.display(),
            "ledger seeded from the curated ledger files"
        ),
        None => tracing::warn!(
            db = %path.display(),
            events = db.count()?,
            "the ledger is not seeded: no curated ledger files (data/ledger/*.toml) were found; run `bamboo ledger seed --curated DIR` to seed it"
        ),
    }
    Ok(db)
}

/// `--doctrine`: a path, or the name of a shipped doctrine (`vietnam`, `india`, …, as
/// `--doctrines` and the API take them). A name is read from the curated folder (`./data`)
/// so that the ledger it names resolves beside it; anything with a `/` or a `.toml` is a
/// path, left for the reader to report if it cannot be read.
pub fn doctrine_arg(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    if p.exists()
        || s.contains('/')
        || s.contains(std::path::MAIN_SEPARATOR)
        || s.ends_with(".toml")
    {
        return Ok(p);
    }
    let names = bamboo_data::shipped::doctrine_names().join(", ");
    let Some((rel, _)) = bamboo_data::shipped::doctrine(s) else {
        return Err(format!(
            "no file `{s}` and no shipped doctrine of that name: give a path, or one of: {names}"
        ));
    };
    let inside = rel.strip_prefix("data/").unwrap_or(rel);
    match curated_dir(None) {
        Some(d) if d.join(inside).is_file() => Ok(d.join(inside)),
        _ => Err(format!(
            "`{s}` is a shipped doctrine, but it is read with its ledger from the curated folder ./data, which is not here: run from a checkout of bamboo, or give the file's path ({rel})"
        )),
    }
}
