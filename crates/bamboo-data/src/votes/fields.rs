//! The field readers every vote format shares: ids, dates, sessions, flags, vote words,
//! ISO3 codes, and the record loop that checks each row's width. Every error names the
//! file, the line and the field.

use std::borrow::Cow;

use bamboo_core::store::StoreError;
use bamboo_core::{Date, Iso3, Vote};

use super::{FileReport, Loaded};
use crate::countries::Countries;
use crate::csv::{check_width, CsvReader, Header};
use crate::error::DataError;

/// Parses an id written as an integer, or as a float with a zero fraction (`3.0`).
pub(super) fn parse_id(s: &str) -> Option<u64> {
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

pub(super) fn id_field(l: &Loaded, line: usize, field: &str, s: &str) -> Result<u64, DataError> {
    parse_id(s).ok_or_else(|| {
        DataError::field(&l.path, line, field, format!("`{s}` is not a whole number"))
    })
}

pub(super) fn date_field(l: &Loaded, line: usize, field: &str, s: &str) -> Result<Date, DataError> {
    Date::parse(s).map_err(|e| DataError::field(&l.path, line, field, e.to_string()))
}

/// A session: a regular session's number, or `None` for a special or emergency special
/// session (`S-27`, `ES-11`), which has no regular number.
pub(super) fn session_field(l: &Loaded, line: usize, s: &str) -> Result<Option<u32>, DataError> {
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
pub(super) fn flag_field(
    l: &Loaded,
    line: usize,
    field: &str,
    s: &str,
) -> Result<Option<bool>, DataError> {
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

pub(super) fn opt_text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty() && t != "NA").then(|| t.to_string())
}

pub(super) fn store_err(l: &Loaded, line: usize, e: StoreError) -> DataError {
    DataError::field(&l.path, line, "rcid", e.to_string())
}

/// Runs `f` on every record after the header, with the header.
pub(super) fn for_records<'a>(
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

pub(super) fn report(l: &Loaded, records: usize, non_votes: usize) -> FileReport {
    FileReport {
        path: l.path.clone(),
        format: l.format,
        records,
        non_votes,
    }
}

pub(super) fn vote_word(
    l: &Loaded,
    line: usize,
    field: &str,
    s: &str,
) -> Result<Option<Vote>, DataError> {
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

pub(super) fn iso3_field(
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
        assert_eq!(parse_id("1234567890123456"), None);
    }
}
