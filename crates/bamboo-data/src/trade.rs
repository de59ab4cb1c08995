//! Reads bilateral trade (`<data>/trade/*.csv.gz`, ITPD-E aggregates with columns
//! `year, reporter_iso3, partner_iso3, partner_name, exports_usd, imports_usd, …`) into
//! [`Flows`]: the subject's exports plus imports with each partner, per year.

use std::path::{Path, PathBuf};

use bamboo_core::flows::Flows;
use bamboo_core::Iso3;

use crate::csv::{check_width, CsvReader, Header};
use crate::error::DataError;
use crate::source::read_text;

/// The `.csv` and `.csv.gz` files of a folder, sorted by name (none if it is missing).
pub(crate) fn csv_files(dir: &Path) -> Result<Vec<PathBuf>, DataError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let rd = std::fs::read_dir(dir).map_err(|source| DataError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".csv") || n.ends_with(".csv.gz")
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Parses a number field; empty counts as 0.
pub(crate) fn number(s: &str, path: &Path, line: usize, field: &str) -> Result<f64, DataError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(0.0);
    }
    s.parse()
        .map_err(|_| DataError::field(path, line, field, format!("`{s}` is not a number")))
}

/// Parses a year field.
pub(crate) fn year(s: &str, path: &Path, line: usize) -> Result<i32, DataError> {
    s.trim()
        .parse()
        .map_err(|_| DataError::field(path, line, "year", format!("`{s}` is not a year")))
}

/// Reads the subject's trade from `<data>/trade`. `None` when no file has rows for it.
pub fn read_trade(data_dir: &Path, subject: Iso3) -> Result<Option<Flows>, DataError> {
    let mut flows = Flows::new(Some(subject), "ITPD-E exports + imports, US$");
    let mut any = false;
    for file in csv_files(&data_dir.join("trade"))? {
        let text = read_text(&file)?;
        let mut r = CsvReader::new(&text, &file);
        let mut rec = Vec::new();
        if r.next_record(&mut rec)?.is_none() {
            continue;
        }
        let h = Header::new(&rec);
        let [cy, cr, cp, ce, ci] = [
            h.require("year", &file)?,
            h.require("reporter_iso3", &file)?,
            h.require("partner_iso3", &file)?,
            h.require("exports_usd", &file)?,
            h.require("imports_usd", &file)?,
        ];
        while let Some(line) = r.next_record(&mut rec)? {
            check_width(&rec, &h, &file, line)?;
            if Iso3::parse(&rec[cr]).ok() != Some(subject) {
                continue;
            }
            let y = year(&rec[cy], &file, line)?;
            let v = number(&rec[ce], &file, line, "exports_usd")?
                + number(&rec[ci], &file, line, "imports_usd")?;
            flows.add(y, Iso3::parse(&rec[cp]).ok(), v);
            any = true;
        }
    }
    Ok(any.then_some(flows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_table() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("trade")).unwrap();
        std::fs::write(
            dir.path().join("trade/t.csv"),
            "year,reporter_iso3,partner_iso3,partner_name,exports_usd,imports_usd\n\
             2000,VNM,CHN,China,1,2\n2000,VNM,KOR,\"Korea, Republic of\",1,0\n2000,THA,CHN,China,9,9\n",
        )
        .unwrap();
        let f = read_trade(dir.path(), Iso3::from_static("VNM"))
            .unwrap()
            .unwrap();
        assert_eq!(f.share(Iso3::from_static("CHN"), 2000, 2000), Some(0.75));
        assert!(read_trade(dir.path(), Iso3::from_static("IND"))
            .unwrap()
            .is_none());
    }
}
