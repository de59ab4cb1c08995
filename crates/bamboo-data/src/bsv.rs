//! The reference ideal points of Bailey, Strezhnev and Voeten (BSV, JCR 2017):
//! `ideal-points/bsv-ideal-points-all-2020.csv.gz`, sessions 1-74, for checking bamboo's own
//! estimates.
//!
//! The file's traps (from the data README): it is Latin-1, not UTF-8 (the `ô` of "Côte
//! d’Ivoire" is the one byte `0xF4`, its apostrophe the Windows-1252 byte `0x92`), so it
//! is decoded byte for byte; and its `iso3c` values for former
//! states are its own (both Yemens are `YAR`). States are therefore identified by the
//! Correlates of War code `ccode`, mapped to the codes the vote reader gives them: through
//! `countries.csv`'s `cow_code` column, and for states that are not rows there by
//! [`HISTORICAL_COW`] (see the README's country-code table).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bamboo_core::Iso3;

use crate::csv::{check_width, CsvReader, Header};
use crate::error::DataError;
use crate::source::read_bytes;

/// The file, relative to the data folder.
pub const BSV_FILE: &str = "ideal-points/bsv-ideal-points-all-2020.csv.gz";

/// COW codes of states without a row of their own in `countries.csv`, and the code bamboo's
/// vote reader gives each (with the file's own `iso3c`, for the record):
/// 260 German Federal Republic → DEU (the file: DEU), 265 German Democratic Republic → DDR
/// (DDR), 315 Czechoslovakia → CSK (CSK), 345 Yugoslavia, later Serbia → YUG (YUG; the
/// unvotes data codes Serbia `YU` through 2019), 678 Yemen Arab Republic → YEM (YAR),
/// 680 Yemen People's Republic → YMD (YAR, as the README warns).
pub const HISTORICAL_COW: [(u32, &str); 6] = [
    (260, "DEU"),
    (265, "DDR"),
    (315, "CSK"),
    (345, "YUG"),
    (678, "YEM"),
    (680, "YMD"),
];

/// One state-session of the reference estimates.
#[derive(Clone, Debug, PartialEq)]
pub struct BsvPoint {
    /// The state, in the vote reader's codes.
    pub state: Iso3,
    pub ccode: u32,
    pub session: u32,
    /// Votes the estimate rests on (`NVotes`).
    pub votes: u32,
    /// The posterior mean (`IdealPoint`).
    pub ideal: f64,
    /// The posterior 5% and 95% quantiles.
    pub q5: f64,
    pub q95: f64,
    /// The file's `iso3c` and `Countryname` (decoded from Latin-1).
    pub iso3c: String,
    pub name: String,
}

/// The reference estimates, with where they were read from.
#[derive(Clone, Debug)]
pub struct Bsv {
    pub path: PathBuf,
    pub points: Vec<BsvPoint>,
}

impl Bsv {
    /// The point of a state in a session.
    pub fn get(&self, state: Iso3, session: u32) -> Option<&BsvPoint> {
        self.points
            .iter()
            .find(|p| p.state == state && p.session == session)
    }
}

/// Windows-1252's characters for bytes 0x80-0x9F, where Latin-1 has control codes (the
/// five bytes Windows-1252 leaves undefined keep their Latin-1 meaning).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Latin-1 text to UTF-8: every byte is the code point of the same value, except that
/// 0x80-0x9F are read as Windows-1252, the superset such files are written in (the
/// reference file's "Côte d’Ivoire" has the apostrophe 0x92).
fn latin1(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// The COW → ISO3 map: `countries.csv`'s `cow_code` column plus [`HISTORICAL_COW`].
pub fn cow_map(countries_csv: &Path) -> Result<HashMap<u32, Iso3>, DataError> {
    let text = crate::source::read_text(countries_csv)?;
    let mut r = CsvReader::new(&text, countries_csv);
    let mut rec = Vec::new();
    r.next_record(&mut rec)?.ok_or_else(|| DataError::Record {
        path: countries_csv.to_path_buf(),
        line: 1,
        problem: "the file is empty".into(),
    })?;
    let h = Header::new(&rec);
    let (i3, cow) = (
        h.require("iso3", countries_csv)?,
        h.require("cow_code", countries_csv)?,
    );
    let mut map = HashMap::new();
    while let Some(line) = r.next_record(&mut rec)? {
        check_width(&rec, &h, countries_csv, line)?;
        let c = rec[cow].trim();
        if c.is_empty() {
            continue;
        }
        let code: u32 = c.parse().map_err(|_| {
            DataError::field(
                countries_csv,
                line,
                "cow_code",
                format!("`{c}` is not a whole number"),
            )
        })?;
        let iso = Iso3::parse(&rec[i3])
            .map_err(|e| DataError::field(countries_csv, line, "iso3", e.to_string()))?;
        map.insert(code, iso);
    }
    for (code, iso) in HISTORICAL_COW {
        map.insert(
            code,
            Iso3::parse(iso).expect("HISTORICAL_COW lists three-letter codes"),
        );
    }
    Ok(map)
}

/// Reads the reference file; states by `ccode` through `cow`.
pub fn read_bsv(path: &Path, cow: &HashMap<u32, Iso3>) -> Result<Bsv, DataError> {
    let text = latin1(&read_bytes(path)?);
    let mut r = CsvReader::new(&text, path);
    let mut rec = Vec::new();
    r.next_record(&mut rec)?.ok_or_else(|| DataError::Record {
        path: path.to_path_buf(),
        line: 1,
        problem: "the file is empty".into(),
    })?;
    let h = Header::new(&rec);
    let col = |n: &str| h.require(n, path);
    let (ccode, session, nvotes, ideal, q5, q95, iso3c, name) = (
        col("ccode")?,
        col("session")?,
        col("nvotes")?,
        col("idealpoint")?,
        col("q5%")?,
        col("q95%")?,
        col("iso3c")?,
        col("countryname")?,
    );
    let mut points = Vec::new();
    let mut seen: HashMap<(Iso3, u32), usize> = HashMap::new();
    while let Some(line) = r.next_record(&mut rec)? {
        check_width(&rec, &h, path, line)?;
        let int = |i: usize, f: &str| -> Result<u32, DataError> {
            rec[i].trim().parse::<u32>().map_err(|_| {
                DataError::field(
                    path,
                    line,
                    f,
                    format!("`{}` is not a whole number", rec[i].trim()),
                )
            })
        };
        let num = |i: usize, f: &str| -> Result<f64, DataError> {
            rec[i]
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    DataError::field(
                        path,
                        line,
                        f,
                        format!("`{}` is not a finite number", rec[i].trim()),
                    )
                })
        };
        let cc = int(ccode, "ccode")?;
        let state = *cow.get(&cc).ok_or_else(|| {
            DataError::field(
                path,
                line,
                "ccode",
                format!(
                    "COW code {cc} ({}) is not in countries.csv's cow_code column nor among the former states {}",
                    rec[name].trim(),
                    HISTORICAL_COW.map(|(c, s)| format!("{c}={s}")).join(", ")
                ),
            )
        })?;
        let s = int(session, "session")?;
        if let Some(first) = seen.insert((state, s), line) {
            return Err(DataError::field(
                path,
                line,
                "ccode",
                format!("{state} has a second row for session {s} (the first is on line {first})"),
            ));
        }
        points.push(BsvPoint {
            state,
            ccode: cc,
            session: s,
            votes: int(nvotes, "NVotes")?,
            ideal: num(ideal, "IdealPoint")?,
            q5: num(q5, "Q5%")?,
            q95: num(q95, "Q95%")?,
            iso3c: rec[iso3c].trim().to_string(),
            name: rec[name].trim().to_string(),
        });
    }
    Ok(Bsv {
        path: path.to_path_buf(),
        points,
    })
}

/// Reads the reference file of a data folder.
pub fn load_bsv(dir: &crate::DataDir) -> Result<Bsv, DataError> {
    let cow = cow_map(&dir.countries_csv())?;
    read_bsv(&dir.root.join(BSV_FILE), &cow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn cow() -> HashMap<u32, Iso3> {
        let mut m: HashMap<u32, Iso3> = [(2, "USA"), (437, "CIV"), (679, "YEM")]
            .into_iter()
            .map(|(c, s)| (c, Iso3::parse(s).unwrap()))
            .collect();
        for (c, s) in HISTORICAL_COW {
            m.insert(c, Iso3::parse(s).unwrap());
        }
        m
    }

    const HEADER: &[u8] = b"Row,ccode,session,NVotes,IdealPoint,QO%,Q5%,Q10%,Q50%,Q90%,Q95%,Q100%,iso3c,Countryname\n";

    fn file(body: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("bsv.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(HEADER).unwrap();
        enc.write_all(body).unwrap();
        std::fs::write(&p, enc.finish().unwrap()).unwrap();
        (t, p)
    }

    #[test]
    fn latin1_names_and_both_yemens() {
        let (_t, p) = file(
            b"1,437,20,50,-0.5,-1,-0.8,-0.7,-0.5,-0.3,-0.2,0,CIV,C\xf4te d\x92Ivoire\n\
              2,678,20,40,-0.9,-1,-1.1,-1,-0.9,-0.8,-0.7,0,YAR,Yemen Arab Republic\n\
              3,680,22,13,-1.5,-2,-1.9,-1.8,-1.5,-1.2,-1.1,0,YAR,Yemen People's Republic\n\
              4,679,46,73,-1.2,-2,-1.4,-1.3,-1.2,-1.1,-1.0,0,YEM,Yemen\n",
        );
        let b = read_bsv(&p, &cow()).unwrap();
        assert_eq!(b.points[0].name, "Côte d’Ivoire");
        assert_eq!(b.points[0].state, Iso3::from_static("CIV"));
        // Both Yemens are YAR in the file; South Yemen (680) is YMD, North (678) YEM.
        assert_eq!(b.points[1].state, Iso3::from_static("YEM"));
        assert_eq!(b.points[2].state, Iso3::from_static("YMD"));
        assert_eq!(b.points[2].iso3c, "YAR");
        assert_eq!(b.points[3].state, Iso3::from_static("YEM"));
        assert_eq!(b.get(Iso3::from_static("YEM"), 46).unwrap().votes, 73);
    }

    #[test]
    fn errors_name_line_and_field() {
        let (_t, p) = file(b"1,999,20,50,-0.5,-1,-0.8,-0.7,-0.5,-0.3,-0.2,0,XXX,Nowhere\n");
        let e = read_bsv(&p, &cow()).unwrap_err().to_string();
        assert!(
            e.contains(":2: field `ccode`: COW code 999 (Nowhere)"),
            "{e}"
        );
        let (_t, p) = file(b"1,2,20,50,abc,-1,-0.8,-0.7,-0.5,-0.3,-0.2,0,USA,United States\n");
        let e = read_bsv(&p, &cow()).unwrap_err().to_string();
        assert!(
            e.contains(":2: field `IdealPoint`: `abc` is not a finite number"),
            "{e}"
        );
        let (_t, p) = file(
            b"1,2,20,50,1,-1,-0.8,-0.7,-0.5,-0.3,-0.2,0,USA,United States\n\
              2,2,20,50,1,-1,-0.8,-0.7,-0.5,-0.3,-0.2,0,USA,United States\n",
        );
        let e = read_bsv(&p, &cow()).unwrap_err().to_string();
        assert!(
            e.contains(
                ":3: field `ccode`: USA has a second row for session 20 (the first is on line 2)"
            ),
            "{e}"
        );
    }
}
