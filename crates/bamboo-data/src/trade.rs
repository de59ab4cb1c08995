//! Reads bilateral trade (`<data>/trade/*.csv.gz`, ITPD-E aggregates with columns
//! `year, reporter_iso3, partner_iso3, partner_name, exports_usd, imports_usd, …`) into
//! [`Flows`]: the subject's exports plus imports with each partner, per year.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use bamboo_core::flows::Flows;
use bamboo_core::Iso3;

use crate::toml_input::{Diagnostic, InputError};

/// Splits one CSV line into fields, honouring double quotes (`""` inside quotes is `"`).
pub(crate) fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// The gzipped CSV files of a folder, sorted by name (none if the folder is missing).
pub(crate) fn gz_files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let rd = std::fs::read_dir(dir).map_err(|source| InputError::Io {
        file: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".csv.gz"))
        .collect();
    files.sort();
    Ok(files)
}

/// Opens a gzipped file as buffered lines.
pub(crate) fn gz_lines(
    path: &Path,
) -> Result<impl Iterator<Item = std::io::Result<String>>, InputError> {
    let f = std::fs::File::open(path).map_err(|source| InputError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    Ok(BufReader::new(flate2::read::GzDecoder::new(f)).lines())
}

pub(crate) fn bad_row(file: &Path, line: usize, field: &str, message: String) -> InputError {
    InputError::invalid(Diagnostic {
        file: file.to_path_buf(),
        line: Some(line),
        entry: None,
        entry_kind: "",
        field: Some(field.to_string()),
        message,
    })
}

/// The column index of each wanted name in a header row.
pub(crate) fn columns<const N: usize>(
    file: &Path,
    header: &str,
    names: [&str; N],
) -> Result<[usize; N], InputError> {
    let fields = csv_fields(header);
    let mut out = [0; N];
    for (k, name) in names.iter().enumerate() {
        out[k] = fields
            .iter()
            .position(|f| f.trim() == *name)
            .ok_or_else(|| bad_row(file, 1, name, format!("the header has no column `{name}`")))?;
    }
    Ok(out)
}

/// Reads the subject's trade from `<data>/trade`. `None` when the folder holds no file
/// with rows for the subject.
pub fn read_trade(data_dir: &Path, subject: Iso3) -> Result<Option<Flows>, InputError> {
    let mut flows = Flows::new(Some(subject), "ITPD-E exports + imports, US$");
    let mut any = false;
    for file in gz_files(&data_dir.join("trade"))? {
        let mut lines = gz_lines(&file)?.enumerate();
        let Some((_, header)) = lines.next() else {
            continue;
        };
        let header = header.map_err(|source| InputError::Io {
            file: file.clone(),
            source,
        })?;
        let [cy, cr, cp, ce, ci] = columns(
            &file,
            &header,
            [
                "year",
                "reporter_iso3",
                "partner_iso3",
                "exports_usd",
                "imports_usd",
            ],
        )?;
        for (i, line) in lines {
            let line = line.map_err(|source| InputError::Io {
                file: file.clone(),
                source,
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let f = csv_fields(&line);
            let get = |k: usize| f.get(k).map(|s| s.trim()).unwrap_or("");
            if Iso3::parse(get(cr)).ok() != Some(subject) {
                continue;
            }
            let year: i32 = get(cy).parse().map_err(|_| {
                bad_row(&file, i + 1, "year", format!("`{}` is not a year", get(cy)))
            })?;
            let num = |k: usize, name: &str| -> Result<f64, InputError> {
                let s = get(k);
                if s.is_empty() {
                    return Ok(0.0);
                }
                s.parse()
                    .map_err(|_| bad_row(&file, i + 1, name, format!("`{s}` is not a number")))
            };
            let v = num(ce, "exports_usd")? + num(ci, "imports_usd")?;
            flows.add(year, Iso3::parse(get(cp)).ok(), v);
            any = true;
        }
    }
    Ok(any.then_some(flows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_honour_quotes() {
        assert_eq!(
            csv_fields(r#"2000,VNM,KOR,"Korea, Republic of",1.5,"2""x""#),
            vec!["2000", "VNM", "KOR", "Korea, Republic of", "1.5", "2\"x"]
        );
    }
}
