//! Reads SIPRI arms transfers (`<data>/arms/*.csv.gz`: `supplier, recipient, year,
//! tiv_musd, …`, SIPRI names) into [`Flows`]: the subject's arms imports by supplier, in
//! trend-indicator values (TIV, a volume measure).
//!
//! SIPRI names are mapped to ISO3 by the names of `<data>/countries.csv` (`name`,
//! `common_name`, `unterm_short`, `unvotes_name`), then by [`SIPRI_NAMES`], a table of the
//! names that differ. Continuity rules, as in the UN vote data: the Soviet Union is Russia
//! (`RUS`); historical states keep the project's historical codes (`CSK`, `DDR`, `YUG`,
//! `YMD`); North Yemen is Yemen. Non-state actors (SIPRI marks them `*`), organisations
//! (`**`), unknown parties, South Vietnam and unrecognised entities map to no state: their
//! volumes count in a recipient's total but belong to no supplier.

use std::collections::HashMap;
use std::path::Path;

use bamboo_core::flows::Flows;
use bamboo_core::Iso3;

use crate::toml_input::InputError;
use crate::trade::{bad_row, columns, csv_fields, gz_files, gz_lines};

/// SIPRI names that `countries.csv` does not spell the same way.
pub const SIPRI_NAMES: &[(&str, &str)] = &[
    ("Bosnia-Herzegovina", "BIH"),
    ("Cote d'Ivoire", "CIV"),
    ("Czechoslovakia", "CSK"),
    ("DR Congo", "COD"),
    ("East Germany (GDR)", "DDR"),
    ("Libya GNC", "LBY"),
    ("North Yemen", "YEM"),
    ("Yemen Arab Republic", "YEM"),
    ("South Yemen", "YMD"),
    ("Saint Vincent", "VCT"),
    ("Soviet Union", "RUS"),
    ("UAE", "ARE"),
    ("Yugoslavia", "YUG"),
    ("Viet Nam", "VNM"),
    ("Kosovo", "XKX"),
];

/// Names of states as `countries.csv` spells them, lower-cased, to ISO3.
pub fn country_names(data_dir: &Path) -> Result<HashMap<String, Iso3>, InputError> {
    let file = data_dir.join("countries.csv");
    let mut out = HashMap::new();
    let Ok(src) = std::fs::read_to_string(&file) else {
        return Ok(out);
    };
    let mut lines = src.lines();
    let Some(header) = lines.next() else {
        return Ok(out);
    };
    let [ci, cn, cc, cu, cv] = columns(
        &file,
        header,
        [
            "iso3",
            "name",
            "common_name",
            "unterm_short",
            "unvotes_name",
        ],
    )?;
    for line in lines {
        let f = csv_fields(line);
        let Some(code) = f.get(ci).and_then(|s| Iso3::parse(s).ok()) else {
            continue;
        };
        for k in [cn, cc, cu, cv] {
            if let Some(n) = f.get(k).filter(|s| !s.is_empty()) {
                out.entry(n.to_lowercase()).or_insert(code);
            }
        }
    }
    Ok(out)
}

/// The ISO3 code of a SIPRI name, if it is a state (see the module's rules).
pub fn sipri_iso3(name: &str, names: &HashMap<String, Iso3>) -> Option<Iso3> {
    let name = name.trim();
    if name.ends_with('*') || name.starts_with("Unknown") {
        return None;
    }
    if let Some((_, c)) = SIPRI_NAMES.iter().find(|(n, _)| *n == name) {
        return Iso3::parse(c).ok();
    }
    names.get(&name.to_lowercase()).copied()
}

/// Reads the subject's arms imports from `<data>/arms`. `None` when no file has rows for
/// the subject.
pub fn read_arms(data_dir: &Path, subject: Iso3) -> Result<Option<Flows>, InputError> {
    let names = country_names(data_dir)?;
    let mut flows = Flows::new(Some(subject), "SIPRI TIV, millions");
    let mut any = false;
    for file in gz_files(&data_dir.join("arms"))? {
        let mut lines = gz_lines(&file)?.enumerate();
        let Some((_, header)) = lines.next() else {
            continue;
        };
        let header = header.map_err(|source| InputError::Io {
            file: file.clone(),
            source,
        })?;
        let [cs, cr, cy, ct] = columns(
            &file,
            &header,
            ["supplier", "recipient", "year", "tiv_musd"],
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
            if sipri_iso3(get(cr), &names) != Some(subject) {
                continue;
            }
            let year: i32 = get(cy).parse().map_err(|_| {
                bad_row(&file, i + 1, "year", format!("`{}` is not a year", get(cy)))
            })?;
            let tiv: f64 = get(ct).parse().map_err(|_| {
                bad_row(
                    &file,
                    i + 1,
                    "tiv_musd",
                    format!("`{}` is not a number", get(ct)),
                )
            })?;
            flows.add(year, sipri_iso3(get(cs), &names), tiv);
            any = true;
        }
    }
    Ok(any.then_some(flows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sipri_names_follow_the_documented_rules() {
        let mut names = HashMap::new();
        names.insert("russia".to_string(), Iso3::from_static("RUS"));
        assert_eq!(
            sipri_iso3("Soviet Union", &names),
            Some(Iso3::from_static("RUS"))
        );
        assert_eq!(sipri_iso3("Russia", &names), Some(Iso3::from_static("RUS")));
        assert_eq!(
            sipri_iso3("Viet Nam", &names),
            Some(Iso3::from_static("VNM"))
        );
        assert_eq!(sipri_iso3("Khmer Rouge (Cambodia)*", &names), None);
        assert_eq!(sipri_iso3("NATO**", &names), None);
        assert_eq!(sipri_iso3("Unknown supplier(s)", &names), None);
        assert_eq!(sipri_iso3("South Vietnam", &names), None);
    }
}
