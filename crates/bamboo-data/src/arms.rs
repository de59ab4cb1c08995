//! Reads SIPRI arms transfers (`<data>/arms/*.csv.gz`: `supplier, recipient, year,
//! tiv_musd, …`, SIPRI names) into [`Flows`]: the subject's arms imports by supplier, in
//! trend-indicator values (TIV, a volume measure).
//!
//! SIPRI names map to ISO3 through [`SIPRI_NAMES`] first (the names SIPRI spells its own
//! way), then the `name` and `common_name` of the country table. Continuity rules, as in
//! the UN vote data: the Soviet Union is Russia (`RUS`); North Yemen (Yemen Arab Republic)
//! is Yemen; other dissolved states keep the project's historical codes (`CSK`, `DDR`,
//! `YUG`, `YMD`). Non-state actors (SIPRI marks them `*`), organisations (`**`), unknown
//! parties, South Vietnam and unrecognised entities (Biafra, Katanga, Northern Cyprus) are
//! no state: their volumes count in a recipient's total but belong to no supplier, and
//! they are never the subject.

use std::collections::HashMap;
use std::path::Path;

use bamboo_core::flows::Flows;
use bamboo_core::Iso3;

use crate::countries::Countries;
use crate::csv::{check_width, CsvReader, Header};
use crate::error::DataError;
use crate::source::read_text;
use crate::trade::{csv_files, number, year};

/// SIPRI names that the country table does not spell the same way.
pub const SIPRI_NAMES: &[(&str, &str)] = &[
    ("Soviet Union", "RUS"),
    ("Viet Nam", "VNM"),
    ("United States", "USA"),
    ("United Kingdom", "GBR"),
    ("Turkey", "TUR"),
    ("UAE", "ARE"),
    ("DR Congo", "COD"),
    ("Cote d'Ivoire", "CIV"),
    ("Bosnia-Herzegovina", "BIH"),
    ("Saint Vincent", "VCT"),
    ("Kosovo", "XKX"),
    ("Libya GNC", "LBY"),
    ("North Yemen", "YEM"),
    ("Yemen Arab Republic", "YEM"),
    ("South Yemen", "YMD"),
    ("Czechoslovakia", "CSK"),
    ("East Germany (GDR)", "DDR"),
    ("Yugoslavia", "YUG"),
];

/// SIPRI names that are not states at all.
const NOT_STATES: &[&str] = &["South Vietnam", "Biafra", "Katanga", "Northern Cyprus"];

/// Lower-cased state names of the country table, to ISO3.
pub fn name_index(countries: &Countries) -> HashMap<String, Iso3> {
    let mut out = HashMap::new();
    for c in countries.all() {
        for n in [&c.name, &c.common_name] {
            if !n.is_empty() {
                out.entry(n.to_lowercase()).or_insert(c.iso3);
            }
        }
    }
    out
}

/// The ISO3 code of a SIPRI name, if it is a state (see the module's rules).
pub fn sipri_iso3(name: &str, names: &HashMap<String, Iso3>) -> Option<Iso3> {
    let name = name.trim();
    if name.ends_with('*') || name.starts_with("Unknown") || NOT_STATES.contains(&name) {
        return None;
    }
    if let Some((_, c)) = SIPRI_NAMES.iter().find(|(n, _)| *n == name) {
        return Iso3::parse(c).ok();
    }
    names.get(&name.to_lowercase()).copied()
}

/// Reads the subject's arms imports from `<data>/arms`. `None` when no file has rows for
/// the subject.
pub fn read_arms(
    data_dir: &Path,
    countries: &Countries,
    subject: Iso3,
) -> Result<Option<Flows>, DataError> {
    let names = name_index(countries);
    let mut flows = Flows::new(Some(subject), "SIPRI TIV, millions");
    let mut any = false;
    for file in csv_files(&data_dir.join("arms"))? {
        let text = read_text(&file)?;
        let mut r = CsvReader::new(&text, &file);
        let mut rec = Vec::new();
        if r.next_record(&mut rec)?.is_none() {
            continue;
        }
        let h = Header::new(&rec);
        let [cs, cr, cy, ct] = [
            h.require("supplier", &file)?,
            h.require("recipient", &file)?,
            h.require("year", &file)?,
            h.require("tiv_musd", &file)?,
        ];
        while let Some(line) = r.next_record(&mut rec)? {
            check_width(&rec, &h, &file, line)?;
            if sipri_iso3(&rec[cr], &names) != Some(subject) {
                continue;
            }
            let y = year(&rec[cy], &file, line)?;
            let tiv = number(&rec[ct], &file, line, "tiv_musd")?;
            flows.add(y, sipri_iso3(&rec[cs], &names), tiv);
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
        let c = |s| Some(Iso3::from_static(s));
        assert_eq!(sipri_iso3("Soviet Union", &names), c("RUS"));
        assert_eq!(sipri_iso3("Russia", &names), c("RUS"));
        assert_eq!(sipri_iso3("Viet Nam", &names), c("VNM"));
        assert_eq!(sipri_iso3("Khmer Rouge (Cambodia)*", &names), None);
        assert_eq!(sipri_iso3("NATO**", &names), None);
        assert_eq!(sipri_iso3("Unknown supplier(s)", &names), None);
        assert_eq!(sipri_iso3("South Vietnam", &names), None);
    }
}
