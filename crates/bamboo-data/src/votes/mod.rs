//! Loading UN General Assembly roll calls and votes from every format bamboo reads, and
//! merging them into one [`VoteStore`].
//!
//! The format of each file is detected from its header:
//!
//! | format | header starts with | holds |
//! | --- | --- | --- |
//! | unvotes roll calls | `rcid,session,importantvote,date,unres` | roll calls 1946-2019 |
//! | unvotes issues | `rcid,short_name,issue` | issue codes of roll calls |
//! | unvotes votes | `rcid,country,country_code,vote` | votes; ISO2 codes |
//! | Voeten roll calls | `rcid,date,me,nu,di,hr,co,ec` | roll calls 2020-2021 |
//! | Voeten votes | `rcid,date,country_iso3,vote_code,vote` | votes; 8, 9 = absent, non-member |
//! | UN Digital Library | `undl_id,ms_code,ms_name,ms_vote,date` | self-contained; `X` = non-voting |
//! | one resolution | `resolution,date,country_iso3,vote` | self-contained, e.g. ES-11/1 |
//!
//! Absences and non-members are never votes. Self-contained files (UNDL, one resolution)
//! may repeat roll calls already loaded; a repeated roll call is recognised by date and
//! resolution symbol, or, where the loaded one has no symbol, by identical votes, and is
//! then skipped rather than counted twice.
//!
//! One module per format reads its rows (`unvotes`, `voeten`, `undl`, `resolution`,
//! sharing the field readers of `fields`); this module detects the formats, orders the
//! files and merges them.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use bamboo_core::store::{RollCall, StoreError, VoteStore, VoteStoreBuilder};
use bamboo_core::{Date, Iso3, Vote};

use crate::countries::Countries;
use crate::csv::{CsvReader, Header};
use crate::error::DataError;
use crate::locate::DataDir;
use crate::source::read_text;

mod fields;
mod resolution;
mod undl;
mod unvotes;
mod voeten;

use fields::parse_id;
use unvotes::Iso2Cache;

/// The id ranges of imported roll calls (UN Digital Library records, one-resolution
/// tables): defined in core, beside the stable case ids made from them.
pub use bamboo_core::record::{RESOLUTION_RCID_BASE, UNDL_RCID_BASE};

/// The formats a vote file can be in.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    UnvotesRollCalls,
    UnvotesIssues,
    UnvotesVotes,
    VoetenRollCalls,
    VoetenVotes,
    Undl,
    Resolution,
}

impl Format {
    const HEADERS: [(Format, &'static [&'static str]); 7] = [
        (
            Format::UnvotesRollCalls,
            &["rcid", "session", "importantvote", "date", "unres"],
        ),
        (Format::UnvotesIssues, &["rcid", "short_name", "issue"]),
        (
            Format::UnvotesVotes,
            &["rcid", "country", "country_code", "vote"],
        ),
        (
            Format::VoetenRollCalls,
            &["rcid", "date", "me", "nu", "di", "hr", "co", "ec"],
        ),
        (
            Format::VoetenVotes,
            &["rcid", "date", "country_iso3", "vote_code", "vote"],
        ),
        (
            Format::Undl,
            &["undl_id", "ms_code", "ms_name", "ms_vote", "date"],
        ),
        (
            Format::Resolution,
            &["resolution", "date", "country_iso3", "vote"],
        ),
    ];

    /// Detects the format from a header.
    pub fn detect(h: &Header) -> Option<Format> {
        Format::HEADERS
            .iter()
            .find(|(_, cols)| h.starts_with(cols))
            .map(|(f, _)| *f)
    }

    fn expected() -> String {
        Format::HEADERS
            .iter()
            .map(|(_, c)| c.join(","))
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// Files of this format define roll calls without needing another file.
    fn defines_roll_calls(self) -> bool {
        matches!(self, Format::UnvotesRollCalls | Format::VoetenRollCalls)
    }
}

/// What a load read, for provenance and `--verbose` messages.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct LoadReport {
    pub files: Vec<FileReport>,
    /// Imported roll calls skipped because the store already had them.
    pub duplicate_roll_calls: usize,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct FileReport {
    pub path: PathBuf,
    pub format: Format,
    pub records: usize,
    /// Rows that record an absence or non-membership (not votes).
    pub non_votes: usize,
}

/// A file read into memory with its detected format.
struct Loaded {
    path: PathBuf,
    text: String,
    format: Format,
}

fn read_and_detect(path: &Path) -> Result<Loaded, DataError> {
    let text = read_text(path)?;
    let format = {
        let mut r = CsvReader::new(&text, path);
        let mut rec = Vec::new();
        if r.next_record(&mut rec)?.is_none() {
            return Err(DataError::field(
                path,
                1,
                "header",
                "the file is empty (expected a CSV header)",
            ));
        }
        let h = Header::new(&rec);
        Format::detect(&h).ok_or_else(|| DataError::UnknownFormat {
            path: path.to_path_buf(),
            header: h.names().join(","),
            expected: Format::expected(),
        })?
    };
    Ok(Loaded {
        path: path.to_path_buf(),
        text,
        format,
    })
}

/// The vote files of a data folder: every `.csv` or `.csv.gz` in `unga/`, sorted by name.
pub fn unga_files(dir: &DataDir) -> Result<Vec<PathBuf>, DataError> {
    let unga = dir.unga();
    let entries = std::fs::read_dir(&unga).map_err(|source| DataError::Io {
        path: unga.clone(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.ends_with(".csv") || n.ends_with(".csv.gz")
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(DataError::Layout {
            path: unga,
            problem: "holds no .csv or .csv.gz vote tables".into(),
        });
    }
    Ok(files)
}

/// One line saying where the vote data came from, derived from what was loaded (never
/// written by hand): every file that defined roll calls, with its format, its roll calls
/// and their years, and how many files were read in all. File names only, no folders, so
/// a chart or a JSON answer carries no local path.
pub fn provenance(store: &VoteStore, report: &LoadReport) -> String {
    let (lo, hi) = store.year_span().unwrap_or((0, 0));
    let mut per: Vec<(usize, i32, i32)> = vec![(0, i32::MAX, i32::MIN); store.sources().len()];
    for rc in store.roll_calls() {
        if let Some(e) = per.get_mut(rc.source as usize) {
            let y = rc.date.year();
            *e = (e.0 + 1, e.1.min(y), e.2.max(y));
        }
    }
    let label = |f: Format| match f {
        Format::UnvotesRollCalls => "unvotes",
        Format::VoetenRollCalls => "Voeten",
        Format::Undl => "UN Digital Library export",
        Format::Resolution => "one-resolution table",
        Format::UnvotesIssues | Format::UnvotesVotes | Format::VoetenVotes => "votes",
    };
    let parts: Vec<String> = per
        .iter()
        .enumerate()
        .filter(|(_, e)| e.0 > 0)
        .map(|(i, &(n, a, b))| {
            let src = &store.sources()[i];
            let name = Path::new(src)
                .file_name()
                .map_or_else(|| src.clone(), |n| n.to_string_lossy().into_owned());
            let format = report
                .files
                .iter()
                .find(|f| f.path.display().to_string() == *src)
                .map_or("votes", |f| label(f.format));
            let years = if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            };
            format!("{years} {name} ({format}, {n} roll calls)")
        })
        .collect();
    format!(
        "source: {} UNGA roll calls {lo}-{hi} from {} files: {}",
        store.roll_calls().len(),
        report.files.len(),
        parts.join("; ")
    )
}

/// Loads the country table and every vote table of a data folder, plus `extra` vote files.
pub fn load_store(
    dir: &DataDir,
    extra: &[PathBuf],
) -> Result<(VoteStore, Countries, LoadReport), DataError> {
    let mut files = unga_files(dir)?;
    files.extend(extra.iter().cloned());
    let countries_path = dir.countries_csv();
    let (countries, loaded) = rayon::join(
        || Countries::load(&countries_path),
        || {
            files
                .par_iter()
                .map(|p| read_and_detect(p))
                .collect::<Vec<_>>()
        },
    );
    let countries = countries?;
    let loaded = loaded.into_iter().collect::<Result<Vec<_>, _>>()?;
    let (store, report) = merge(&loaded, &countries)?;
    Ok((store, countries, report))
}

/// Loads the given vote files (any formats) against a country table.
pub fn load_files(
    files: &[PathBuf],
    countries: &Countries,
) -> Result<(VoteStore, LoadReport), DataError> {
    let loaded = files
        .par_iter()
        .map(|p| read_and_detect(p))
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    merge(&loaded, countries)
}

fn merge(loaded: &[Loaded], countries: &Countries) -> Result<(VoteStore, LoadReport), DataError> {
    let mut b = VoteStoreBuilder::new();
    let mut report = LoadReport::default();
    // Roll-call definitions first, then issues, then votes, then self-contained files.
    let rank = |f: Format| match f {
        f if f.defines_roll_calls() => 0,
        Format::UnvotesIssues => 1,
        Format::UnvotesVotes | Format::VoetenVotes => 2,
        _ => 3,
    };
    let mut order: Vec<&Loaded> = loaded.iter().collect();
    order.sort_by_key(|l| rank(l.format));
    let mut imported: Vec<Imported> = Vec::new();
    for l in order {
        let src = b.add_source(l.path.display().to_string());
        let fr = match l.format {
            Format::UnvotesRollCalls => unvotes::read_roll_calls(l, &mut b, src)?,
            Format::VoetenRollCalls => voeten::read_roll_calls(l, &mut b, src)?,
            Format::UnvotesIssues => unvotes::read_issues(l, &mut b)?,
            Format::UnvotesVotes => unvotes::read_votes(l, &mut b, countries)?,
            Format::VoetenVotes => voeten::read_votes(l, &mut b, countries, src)?,
            Format::Undl => undl::read(l, countries, src, &mut imported)?,
            Format::Resolution => resolution::read(l, countries, src, &mut imported)?,
        };
        report.files.push(fr);
    }
    report.duplicate_roll_calls = add_imported(&mut b, imported)?;
    let store = b.build().map_err(|e| {
        if let Some(located) = locate_conflict(loaded, countries, &e) {
            return located;
        }
        DataError::Layout {
            // A conflict between files: name the folder they came from.
            path: loaded
                .first()
                .and_then(|l| l.path.parent().map(Path::to_path_buf))
                .unwrap_or_default(),
            problem: e.to_string(),
        }
    })?;
    Ok((store, report))
}

/// A roll call from a self-contained file, held until every other file is in.
struct Imported {
    rc: RollCall,
    votes: Vec<(Iso3, Vote)>,
    path: PathBuf,
    line: usize,
}

/// Normalises a resolution symbol for comparison (`A/RES/ES-11/1` ~ `a/res/es-11/1 `).
fn symbol_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// Adds imported roll calls, skipping those the builder already holds. Returns how many
/// were skipped.
fn add_imported(b: &mut VoteStoreBuilder, imported: Vec<Imported>) -> Result<usize, DataError> {
    if imported.is_empty() {
        return Ok(0);
    }
    let dates: HashSet<Date> = imported.iter().map(|i| i.rc.date).collect();
    let mut existing: HashMap<u64, HashMap<Iso3, Vote>> = b.votes_on_dates(&dates);
    // A loaded roll call absorbs at most one record of each imported file (two records of
    // one file on the same day are two roll calls), but records of several files that
    // repeat it: two exports that both hold ES-11/1 count it once.
    let mut taken: HashSet<(u64, PathBuf)> = HashSet::new();
    let mut skipped = 0;
    for imp in imported {
        let candidates: Vec<&RollCall> = b
            .roll_calls()
            .iter()
            .filter(|rc| rc.date == imp.rc.date && !taken.contains(&(rc.rcid, imp.path.clone())))
            .collect();
        let dup = candidates.iter().find(|rc| {
            match (&rc.resolution, &imp.rc.resolution) {
                (Some(a), Some(b)) => symbol_key(a) == symbol_key(b),
                // No symbol to compare: the same roll call if every shared country voted
                // the same way and the voter lists overlap almost entirely.
                _ => {
                    let theirs = existing.get(&rc.rcid);
                    let theirs = match theirs {
                        Some(t) if !t.is_empty() => t,
                        _ => return false,
                    };
                    let mut common = 0;
                    for (c, v) in &imp.votes {
                        match theirs.get(c) {
                            Some(w) if w == v => common += 1,
                            Some(_) => return false,
                            None => {}
                        }
                    }
                    let need = (theirs.len().min(imp.votes.len()) * 9).div_ceil(10);
                    common > 0 && common >= need
                }
            }
        });
        if let Some(rc) = dup {
            let rcid = rc.rcid;
            taken.insert((rcid, imp.path.clone()));
            // The record adds what the loaded roll call lacks: Voeten's later files have no
            // titles, symbols or subject terms, an export of the same vote does.
            b.enrich(rcid, imp.rc);
            skipped += 1;
            continue;
        }
        let Imported {
            rc,
            votes,
            path,
            line,
        } = imp;
        let rcid = rc.rcid;
        b.add_roll_call(rc).map_err(|e| DataError::Record {
            path: path.clone(),
            line,
            problem: e.to_string(),
        })?;
        for (c, v) in &votes {
            b.add_vote(rcid, *c, *v).map_err(|e| DataError::Record {
                path: path.clone(),
                line,
                problem: e.to_string(),
            })?;
        }
        existing.insert(rcid, votes.into_iter().collect());
        taken.insert((rcid, path));
    }
    Ok(skipped)
}

/// A state's two votes on one roll call, found when the tables are merged, located at the
/// row that gave the second one (file, line, `vote`).
fn locate_conflict(loaded: &[Loaded], countries: &Countries, e: &StoreError) -> Option<DataError> {
    let StoreError::ConflictingVote { rcid, country, .. } = e else {
        return None;
    };
    let mut last = None;
    for l in loaded {
        if !matches!(l.format, Format::UnvotesVotes | Format::VoetenVotes) {
            continue;
        }
        let mut cache = Iso2Cache::new(countries);
        let mut r = CsvReader::new(&l.text, &l.path);
        let mut rec = Vec::new();
        r.next_record(&mut rec).ok()?;
        while let Ok(Some(line)) = r.next_record(&mut rec) {
            if rec.len() < 4 || parse_id(rec[0].trim()) != Some(*rcid) {
                continue;
            }
            let c = match l.format {
                Format::UnvotesVotes => cache.get(rec[2].trim(), rec[1].trim()),
                _ => Iso3::parse(rec[2].trim()).ok(),
            };
            if c == Some(*country) {
                last = Some((l.path.clone(), line));
            }
        }
    }
    let (path, line) = last?;
    Some(DataError::field(&path, line, "vote", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_compare_loosely() {
        assert_eq!(symbol_key("A/RES/ES-11/1"), symbol_key(" a/res/es-11/1"));
    }
}
