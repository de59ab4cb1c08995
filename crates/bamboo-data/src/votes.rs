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

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use bamboo_core::store::{Issue, RollCall, StoreError, VoteStore, VoteStoreBuilder};
use bamboo_core::{Date, Iso3, Vote};

use crate::countries::{Countries, UNCODED_NAMES};
use crate::csv::{check_width, CsvReader, Header};
use crate::error::DataError;
use crate::locate::DataDir;
use crate::source::read_text;

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
            Format::UnvotesRollCalls => read_unvotes_roll_calls(l, &mut b, src)?,
            Format::VoetenRollCalls => read_voeten_roll_calls(l, &mut b, src)?,
            Format::UnvotesIssues => read_issues(l, &mut b)?,
            Format::UnvotesVotes => read_unvotes_votes(l, &mut b, countries)?,
            Format::VoetenVotes => read_voeten_votes(l, &mut b, countries, src)?,
            Format::Undl => read_undl(l, countries, src, &mut imported)?,
            Format::Resolution => read_resolution(l, countries, src, &mut imported)?,
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

/// Parses an id written as an integer, or as a float with a zero fraction (`3.0`).
fn parse_id(s: &str) -> Option<u64> {
    let s = s.trim();
    let int = match s.split_once('.') {
        Some((i, f)) if f.bytes().all(|c| c == b'0') => i,
        Some(_) => return None,
        None => s,
    };
    if int.is_empty() || !int.bytes().all(|c| c.is_ascii_digit()) || int.len() > 15 {
        return None;
    }
    int.parse().ok()
}

fn id_field(l: &Loaded, line: usize, field: &str, s: &str) -> Result<u64, DataError> {
    parse_id(s).ok_or_else(|| {
        DataError::field(&l.path, line, field, format!("`{s}` is not a whole number"))
    })
}

fn date_field(l: &Loaded, line: usize, field: &str, s: &str) -> Result<Date, DataError> {
    Date::parse(s).map_err(|e| DataError::field(&l.path, line, field, e.to_string()))
}

/// A session: a regular session's number, or `None` for a special or emergency special
/// session (`S-27`, `ES-11`), which has no regular number.
fn session_field(l: &Loaded, line: usize, s: &str) -> Result<Option<u32>, DataError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Some(n) = parse_id(s) {
        return u32::try_from(n).map(Some).map_err(|_| {
            DataError::field(&l.path, line, "session", format!("`{s}` is too large"))
        });
    }
    let special = s
        .strip_prefix("ES-")
        .or_else(|| s.strip_prefix("S-"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()));
    if special {
        return Ok(None);
    }
    Err(DataError::field(
        &l.path,
        line,
        "session",
        format!(
            "`{s}` is not a session; allowed: a number (76), or S-N / ES-N for special sessions"
        ),
    ))
}

/// A 0/1 flag (also `0.0`/`1.0`); empty or `NA` means the source does not say.
fn flag_field(l: &Loaded, line: usize, field: &str, s: &str) -> Result<Option<bool>, DataError> {
    match s.trim() {
        "" | "NA" => Ok(None),
        "0" | "0.0" => Ok(Some(false)),
        "1" | "1.0" => Ok(Some(true)),
        other => Err(DataError::field(
            &l.path,
            line,
            field,
            format!("flag `{other}` is not allowed; use 0 or 1 (or leave it empty)"),
        )),
    }
}

fn opt_text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty() && t != "NA").then(|| t.to_string())
}

fn store_err(l: &Loaded, line: usize, e: StoreError) -> DataError {
    DataError::field(&l.path, line, "rcid", e.to_string())
}

/// Runs `f` on every record after the header, with the header.
fn for_records<'a>(
    l: &'a Loaded,
    mut f: impl FnMut(&Header, &[Cow<'a, str>], usize) -> Result<(), DataError>,
) -> Result<usize, DataError> {
    let mut r = CsvReader::new(&l.text, &l.path);
    let mut rec = Vec::new();
    r.next_record(&mut rec)?;
    let h = Header::new(&rec);
    let mut n = 0;
    while let Some(line) = r.next_record(&mut rec)? {
        check_width(&rec, &h, &l.path, line)?;
        f(&h, &rec, line)?;
        n += 1;
    }
    Ok(n)
}

fn report(l: &Loaded, records: usize, non_votes: usize) -> FileReport {
    FileReport {
        path: l.path.clone(),
        format: l.format,
        records,
        non_votes,
    }
}

fn read_unvotes_roll_calls(
    l: &Loaded,
    b: &mut VoteStoreBuilder,
    src: u16,
) -> Result<FileReport, DataError> {
    let mut cols = None;
    let n = for_records(l, |h, rec, line| {
        let &mut [session, unres, short, descr, important, amend, para] =
            cols.get_or_insert_with(|| {
                [
                    "session",
                    "unres",
                    "short",
                    "descr",
                    "importantvote",
                    "amend",
                    "para",
                ]
                .map(|c| h.find(c))
            });
        let rcid = id_field(l, line, "rcid", &rec[0])?;
        let date = date_field(l, line, "date", &rec[3])?;
        let session = match session {
            Some(i) => session_field(l, line, &rec[i])?,
            None => None,
        };
        let flag = |col: Option<usize>, name: &str| -> Result<Option<bool>, DataError> {
            col.map_or(Ok(None), |i| flag_field(l, line, name, &rec[i]))
        };
        let text = |col: Option<usize>| col.and_then(|i| opt_text(&rec[i]));
        let mut rc = RollCall::new(rcid, date, src);
        rc.session = session;
        rc.resolution = text(unres);
        rc.description = text(descr);
        // Some roll calls have no short title but a description: the description titles them.
        rc.title = text(short).or_else(|| rc.description.clone());
        rc.important = flag(important, "importantvote")?;
        rc.amendment = flag(amend, "amend")?;
        rc.paragraph = flag(para, "para")?;
        b.add_roll_call(rc).map_err(|e| store_err(l, line, e))
    })?;
    Ok(report(l, n, 0))
}

fn read_voeten_roll_calls(
    l: &Loaded,
    b: &mut VoteStoreBuilder,
    src: u16,
) -> Result<FileReport, DataError> {
    let n = for_records(l, |_, rec, line| {
        let rcid = id_field(l, line, "rcid", &rec[0])?;
        let date = date_field(l, line, "date", &rec[1])?;
        let mut issues = 0u8;
        for (k, issue) in Issue::ALL.iter().enumerate() {
            match rec[2 + k].trim() {
                "1" => issues |= 1 << *issue as u8,
                "0" | "" => {}
                other => {
                    return Err(DataError::field(
                        &l.path,
                        line,
                        issue.code(),
                        format!("issue flag `{other}` is not allowed; use 0 or 1"),
                    ))
                }
            }
        }
        let mut rc = RollCall::new(rcid, date, src);
        rc.issues = issues;
        b.add_roll_call(rc).map_err(|e| store_err(l, line, e))
    })?;
    Ok(report(l, n, 0))
}

fn read_issues(l: &Loaded, b: &mut VoteStoreBuilder) -> Result<FileReport, DataError> {
    let n = for_records(l, |_, rec, line| {
        let rcid = id_field(l, line, "rcid", &rec[0])?;
        let issue = Issue::from_code(rec[1].trim()).ok_or_else(|| {
            DataError::field(
                &l.path,
                line,
                "short_name",
                format!(
                    "unknown issue code `{}`; allowed: me, nu, di, hr, co, ec",
                    rec[1].trim()
                ),
            )
        })?;
        if !b.add_issue(rcid, issue) {
            return Err(DataError::field(
                &l.path,
                line,
                "rcid",
                format!("roll call {rcid} is not defined by any roll-call file loaded with it"),
            ));
        }
        Ok(())
    })?;
    Ok(report(l, n, 0))
}

fn vote_word(l: &Loaded, line: usize, field: &str, s: &str) -> Result<Option<Vote>, DataError> {
    match s.trim() {
        "yes" => Ok(Some(Vote::Yes)),
        "abstain" => Ok(Some(Vote::Abstain)),
        "no" => Ok(Some(Vote::No)),
        "absent" | "not_member" | "non_voting" => Ok(None),
        other => Err(DataError::field(
            &l.path,
            line,
            field,
            format!("unknown vote value `{other}`; allowed: yes, no, abstain (and absent, not_member, non_voting for non-votes)"),
        )),
    }
}

/// ISO2 → ISO3 lookups are on the hot path of the largest file: a direct table indexed by
/// the two letters, and a small list for the rows that carry only a name.
struct Iso2Cache<'c> {
    countries: &'c Countries,
    table: Vec<Option<Iso3>>,
}

impl<'c> Iso2Cache<'c> {
    fn new(countries: &'c Countries) -> Self {
        Iso2Cache {
            countries,
            table: vec![None; 26 * 26],
        }
    }

    fn get(&mut self, code: &str, name: &str) -> Option<Iso3> {
        let b = code.as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_uppercase) {
            let k = usize::from(b[0] - b'A') * 26 + usize::from(b[1] - b'A');
            if let Some(c) = self.table[k] {
                return Some(c);
            }
            let c = self.countries.from_iso2(code)?;
            self.table[k] = Some(c);
            return Some(c);
        }
        if code.is_empty() {
            return UNCODED_NAMES
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, c)| Iso3::parse(c).ok());
        }
        None
    }
}

fn read_unvotes_votes(
    l: &Loaded,
    b: &mut VoteStoreBuilder,
    countries: &Countries,
) -> Result<FileReport, DataError> {
    let mut cache = Iso2Cache::new(countries);
    let mut non_votes = 0;
    let n = for_records(l, |_, rec, line| {
        let rcid = id_field(l, line, "rcid", &rec[0])?;
        let code = rec[2].trim();
        let country = cache.get(code, rec[1].trim()).ok_or_else(|| {
            DataError::field(
                &l.path,
                line,
                "country_code",
                format!(
                    "unknown country code `{code}` for `{}`; allowed: ISO2 codes of countries.csv, historical DD, YD, CS, YU, or an empty code for {}",
                    rec[1].trim(),
                    UNCODED_NAMES.map(|(n, _)| n).join(", ")
                ),
            )
        })?;
        match vote_word(l, line, "vote", &rec[3])? {
            Some(v) => b.add_vote(rcid, country, v).map_err(|e| {
                DataError::field(
                    &l.path,
                    line,
                    "rcid",
                    format!("{e}: load the roll-call table beside it"),
                )
            }),
            None => {
                non_votes += 1;
                Ok(())
            }
        }
    })?;
    Ok(report(l, n, non_votes))
}

fn iso3_field(
    l: &Loaded,
    line: usize,
    field: &str,
    s: &str,
    countries: &Countries,
) -> Result<Iso3, DataError> {
    countries
        .resolve(s)
        .map_err(|e| DataError::field(&l.path, line, field, e))
}

fn read_voeten_votes(
    l: &Loaded,
    b: &mut VoteStoreBuilder,
    countries: &Countries,
    src: u16,
) -> Result<FileReport, DataError> {
    let mut non_votes = 0;
    let mut known: HashMap<String, Iso3> = HashMap::new();
    let n = for_records(l, |_, rec, line| {
        let rcid = id_field(l, line, "rcid", &rec[0])?;
        let date = date_field(l, line, "date", &rec[1])?;
        let code = rec[2].trim();
        let country = match known.get(code) {
            Some(c) => *c,
            None => {
                let c = iso3_field(l, line, "country_iso3", code, countries)?;
                known.insert(code.to_string(), c);
                c
            }
        };
        let by_code = match rec[3].trim() {
            "1" => Some(Vote::Yes),
            "2" => Some(Vote::Abstain),
            "3" => Some(Vote::No),
            "8" | "9" => None,
            other => {
                return Err(DataError::field(
                    &l.path,
                    line,
                    "vote_code",
                    format!("unknown vote value `{other}`; allowed: 1 yes, 2 abstain, 3 no, 8 absent, 9 not a member"),
                ))
            }
        };
        let by_word = vote_word(l, line, "vote", &rec[4])?;
        if by_code != by_word {
            return Err(DataError::field(
                &l.path,
                line,
                "vote",
                format!(
                    "`{}` contradicts vote_code `{}`",
                    rec[4].trim(),
                    rec[3].trim()
                ),
            ));
        }
        // The votes file carries dates, so it can stand without its roll-call table; where
        // the table is loaded too, the dates must agree.
        b.add_roll_call(RollCall::new(rcid, date, src))
            .map_err(|e| DataError::field(&l.path, line, "date", e.to_string()))?;
        match by_code {
            Some(v) => b
                .add_vote(rcid, country, v)
                .map_err(|e| store_err(l, line, e)),
            None => {
                non_votes += 1;
                Ok(())
            }
        }
    })?;
    Ok(report(l, n, non_votes))
}

fn read_undl(
    l: &Loaded,
    countries: &Countries,
    src: u16,
    out: &mut Vec<Imported>,
) -> Result<FileReport, DataError> {
    let mut by_id: HashMap<u64, usize> = HashMap::new();
    let mut non_votes = 0;
    let mut cols = None;
    let first = out.len();
    let n = for_records(l, |h, rec, line| {
        let &mut [session, resolution, title, subjects, t_yes, t_no, t_abstain] = cols
            .get_or_insert_with(|| {
                [
                    "session",
                    "resolution",
                    "title",
                    "subjects",
                    "total_yes",
                    "total_no",
                    "total_abstentions",
                ]
                .map(|c| h.find(c))
            });
        let undl_id = id_field(l, line, "undl_id", &rec[0])?;
        let date = date_field(l, line, "date", &rec[4])?;
        let vote = match rec[3].trim() {
            "Y" | "y" => Some(Vote::Yes),
            "N" | "n" => Some(Vote::No),
            "A" | "a" => Some(Vote::Abstain),
            "X" | "x" | "" => None,
            other => {
                return Err(DataError::field(
                    &l.path,
                    line,
                    "ms_vote",
                    format!("unknown vote value `{other}`; allowed: Y (yes), N (no), A (abstain), X (non-voting)"),
                ))
            }
        };
        let country = iso3_field(l, line, "ms_code", &rec[1], countries)?;
        let k = match by_id.get(&undl_id) {
            Some(&k) => {
                if out[k].rc.date != date {
                    return Err(DataError::field(
                        &l.path,
                        line,
                        "date",
                        format!(
                            "record {undl_id} was dated {} earlier in this file",
                            out[k].rc.date
                        ),
                    ));
                }
                k
            }
            None => {
                let session = match session {
                    Some(i) => session_field(l, line, &rec[i])?,
                    None => None,
                };
                let mut rc = RollCall::new(UNDL_RCID_BASE + undl_id, date, src);
                rc.session = session;
                rc.resolution = resolution.and_then(|i| opt_text(&rec[i]));
                rc.title = title.and_then(|i| opt_text(&rec[i]));
                rc.subjects = subjects.and_then(|i| opt_text(&rec[i]));
                let count = |col: Option<usize>, name: &str| -> Result<Option<u32>, DataError> {
                    let Some(i) = col else { return Ok(None) };
                    let t = rec[i].trim();
                    if t.is_empty() || t == "NA" {
                        return Ok(None);
                    }
                    parse_id(t)
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|&n| n <= 1000)
                        .map(Some)
                        .ok_or_else(|| {
                            DataError::field(
                                &l.path,
                                line,
                                name,
                                format!(
                                    "`{t}` is not a count of votes (a whole number, at most 1000)"
                                ),
                            )
                        })
                };
                let totals = (
                    count(t_yes, "total_yes")?,
                    count(t_no, "total_no")?,
                    count(t_abstain, "total_abstentions")?,
                );
                if let (Some(y), Some(n), Some(a)) = totals {
                    rc.tally = Some([y, n, a]);
                }
                out.push(Imported {
                    rc,
                    votes: Vec::new(),
                    path: l.path.clone(),
                    line,
                });
                by_id.insert(undl_id, out.len() - 1);
                out.len() - 1
            }
        };
        match vote {
            Some(v) => out[k].votes.push((country, v)),
            None => non_votes += 1,
        }
        Ok(())
    })?;
    debug_assert!(out.len() >= first);
    Ok(report(l, n, non_votes))
}

fn read_resolution(
    l: &Loaded,
    countries: &Countries,
    src: u16,
    out: &mut Vec<Imported>,
) -> Result<FileReport, DataError> {
    let mut by_key: HashMap<(String, Date), usize> = HashMap::new();
    let mut non_votes = 0;
    let n = for_records(l, |_, rec, line| {
        let symbol = rec[0].trim().to_string();
        if symbol.is_empty() {
            return Err(DataError::field(
                &l.path,
                line,
                "resolution",
                "the resolution symbol is empty",
            ));
        }
        let date = date_field(l, line, "date", &rec[1])?;
        let country = iso3_field(l, line, "country_iso3", &rec[2], countries)?;
        let vote = vote_word(l, line, "vote", &rec[3])?;
        let next = RESOLUTION_RCID_BASE + out.len() as u64;
        let k = *by_key.entry((symbol.clone(), date)).or_insert_with(|| {
            let mut rc = RollCall::new(next, date, src);
            rc.resolution = Some(symbol);
            out.push(Imported {
                rc,
                votes: Vec::new(),
                path: l.path.clone(),
                line,
            });
            out.len() - 1
        });
        match vote {
            Some(v) => out[k].votes.push((country, v)),
            None => non_votes += 1,
        }
        Ok(())
    })?;
    Ok(report(l, n, non_votes))
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
    fn ids_accept_integer_floats_only() {
        assert_eq!(parse_id("3.0"), Some(3));
        assert_eq!(parse_id("42"), Some(42));
        assert_eq!(parse_id("3.5"), None);
        assert_eq!(parse_id(""), None);
        assert_eq!(parse_id("-1"), None);
    }

    #[test]
    fn symbols_compare_loosely() {
        assert_eq!(symbol_key("A/RES/ES-11/1"), symbol_key(" a/res/es-11/1"));
    }
}
