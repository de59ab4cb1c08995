//! The country table: ISO 3166-1 rows from `countries.csv`, plus the stable codes bamboo
//! gives to states that no longer exist, and the mapping from the unvotes data's codes.
//!
//! Choices (documented in the README's data section):
//! - unvotes' ISO2 codes map through `countries.csv` (`iso2` → `iso3`); Namibia's `NA` is a
//!   code, never a missing value.
//! - Dissolved states keep codes of their own, the ISO 3166-3 ones where they exist:
//!   `DD` → `DDR` (East Germany), `YD` → `YMD` (South Yemen), `CS` → `CSK`
//!   (Czechoslovakia), `YU` → `YUG` (Yugoslavia), and `ZAN` for Zanzibar, which has no ISO
//!   code and voted beside Tanganyika (`TZ`) in 1963-64, so it cannot share Tanzania's.
//! - Three rows have a name but no code. "Federal Republic of Germany" → `DEU` and
//!   "Yemen Arab Republic" → `YEM`: each is the state that continued into the present
//!   one, never voted on the same roll call as it, and this mirrors how the data already
//!   codes the Soviet Union as `RU`. "Zanzibar" → `ZAN`, as above.
//! - The China seat before 25 October 1971 is coded `TWN` (Republic of China) by the data.

use std::collections::HashMap;
use std::path::Path;

use bamboo_core::Iso3;

use crate::csv::{check_width, CsvReader, Header};
use crate::error::DataError;
use crate::source::read_text;

/// One country (or former state).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Country {
    pub iso3: Iso3,
    pub iso2: Option<String>,
    pub name: String,
    /// The everyday name (`Vietnam`, `Russia`), where the table gives one.
    pub common_name: String,
    pub region: String,
    pub subregion: String,
    pub un_member: bool,
    /// True for the states that no longer exist (DDR, YMD, CSK, YUG, ZAN).
    pub historical: bool,
    /// The UN's short and formal names and the unvotes name, where the table gives them
    /// (for reading titles that name the state).
    #[serde(skip)]
    pub other_names: Vec<String>,
}

impl Country {
    /// Every name the table gives the state: official, common, UN short and formal, unvotes.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [self.name.as_str(), self.common_name.as_str()]
            .into_iter()
            .chain(self.other_names.iter().map(String::as_str))
            .filter(|n| !n.trim().is_empty())
    }
}

/// Former states that vote in the data but are not ISO 3166-1 rows:
/// (code, unvotes ISO2 or "", name, region, subregion).
pub const HISTORICAL: [(&str, &str, &str, &str, &str); 5] = [
    (
        "DDR",
        "DD",
        "German Democratic Republic",
        "Europe",
        "Western Europe",
    ),
    (
        "YMD",
        "YD",
        "Yemen People's Republic (South Yemen)",
        "Asia",
        "Western Asia",
    ),
    ("CSK", "CS", "Czechoslovakia", "Europe", "Eastern Europe"),
    ("YUG", "YU", "Yugoslavia", "Europe", "Southern Europe"),
    ("ZAN", "", "Zanzibar", "Africa", "Eastern Africa"),
];

/// unvotes rows with an empty `country_code`, by name.
pub const UNCODED_NAMES: [(&str, &str); 3] = [
    ("Federal Republic of Germany", "DEU"),
    ("Yemen Arab Republic", "YEM"),
    ("Zanzibar", "ZAN"),
];

/// The country table.
#[derive(Clone, Debug, Default)]
pub struct Countries {
    rows: Vec<Country>,
    by_iso3: HashMap<Iso3, usize>,
    by_iso2: HashMap<String, Iso3>,
}

impl Countries {
    /// Reads `countries.csv` and adds the historical states.
    pub fn load(path: &Path) -> Result<Countries, DataError> {
        let text = read_text(path)?;
        let mut r = CsvReader::new(&text, path);
        let mut rec = Vec::new();
        r.next_record(&mut rec)?.ok_or_else(|| {
            DataError::field(
                path,
                1,
                "header",
                "the file is empty (expected the header iso3,iso2,name,…)",
            )
        })?;
        let h = Header::new(&rec);
        let (i3, i2, name, region, sub, member) = (
            h.require("iso3", path)?,
            h.require("iso2", path)?,
            h.require("name", path)?,
            h.require("region", path)?,
            h.require("subregion", path)?,
            h.require("un_member", path)?,
        );
        let common = h.find("common_name");
        let others = ["unterm_short", "unterm_formal", "unvotes_name"].map(|k| h.find(k));
        let mut c = Countries::default();
        while let Some(line) = r.next_record(&mut rec)? {
            check_width(&rec, &h, path, line)?;
            let iso3 = Iso3::parse(&rec[i3])
                .map_err(|e| DataError::field(path, line, "iso3", e.to_string()))?;
            let iso2 = rec[i2].trim();
            c.push(Country {
                iso3,
                iso2: (!iso2.is_empty()).then(|| iso2.to_string()),
                name: rec[name].to_string(),
                common_name: common.map(|i| rec[i].to_string()).unwrap_or_default(),
                region: rec[region].to_string(),
                subregion: rec[sub].to_string(),
                un_member: rec[member].trim() == "1",
                historical: false,
                other_names: others
                    .iter()
                    .flatten()
                    .map(|&i| rec[i].trim().to_string())
                    .filter(|n| !n.is_empty())
                    .collect(),
            });
        }
        for (code, iso2, name, region, sub) in HISTORICAL {
            c.push(Country {
                iso3: Iso3::parse(code).expect("HISTORICAL lists three-letter codes"),
                iso2: (!iso2.is_empty()).then(|| iso2.to_string()),
                name: name.into(),
                common_name: name.into(),
                region: region.into(),
                subregion: sub.into(),
                un_member: false,
                historical: true,
                other_names: Vec::new(),
            });
        }
        Ok(c)
    }

    fn push(&mut self, row: Country) {
        if let Some(i2) = &row.iso2 {
            self.by_iso2.insert(i2.clone(), row.iso3);
        }
        self.by_iso3.insert(row.iso3, self.rows.len());
        self.rows.push(row);
    }

    pub fn all(&self) -> &[Country] {
        &self.rows
    }

    pub fn get(&self, c: Iso3) -> Option<&Country> {
        self.by_iso3.get(&c).map(|&i| &self.rows[i])
    }

    /// The display name of a code (the code itself if unknown).
    pub fn name(&self, c: Iso3) -> String {
        self.get(c)
            .map_or_else(|| c.to_string(), |r| r.name.clone())
    }

    /// The everyday name of a code (`Vietnam`, `Russia`), else its official name, else the code.
    pub fn short_name(&self, c: Iso3) -> String {
        match self.get(c) {
            Some(r) if !r.common_name.is_empty() => r.common_name.clone(),
            Some(r) => r.name.clone(),
            None => c.to_string(),
        }
    }

    /// Maps an unvotes ISO2 code (with historical codes) to ISO3.
    pub fn from_iso2(&self, code: &str) -> Option<Iso3> {
        self.by_iso2.get(code).copied()
    }

    /// Resolves a code typed by a user: an ISO3 code in the table, else an error that
    /// says what is allowed and suggests a code when the text matches a name or ISO2 code.
    pub fn resolve(&self, text: &str) -> Result<Iso3, String> {
        let t = text.trim();
        if let Ok(c) = Iso3::parse(t) {
            if self.get(c).is_some() {
                return Ok(c);
            }
        }
        let lower = t.to_lowercase();
        let hint = self
            .rows
            .iter()
            .find(|r| {
                r.name.to_lowercase() == lower
                    || r.common_name.to_lowercase() == lower
                    || r.iso2.as_deref() == Some(&t.to_uppercase())
            })
            .or_else(|| {
                (lower.len() >= 3)
                    .then(|| {
                        self.rows.iter().find(|r| {
                            r.name.to_lowercase().contains(&lower)
                                || r.common_name.to_lowercase().contains(&lower)
                        })
                    })
                    .flatten()
            })
            .map(|r| format!(" (did you mean {} for {}?)", r.iso3, r.name))
            .unwrap_or_default();
        Err(format!(
            "unknown country code `{t}`{hint}; use an ISO 3166-1 alpha-3 code such as VNM, USA, CHN, RUS, or a former state's code (DDR, YMD, CSK, YUG, ZAN)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Countries {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("countries.csv");
        std::fs::write(
            &p,
            "iso3,iso2,name,common_name,region,subregion,un_member\nVNM,VN,Viet Nam,Vietnam,Asia,South-eastern Asia,1\nNAM,NA,Namibia,Namibia,Africa,Southern Africa,1\n",
        )
        .unwrap();
        Countries::load(&p).unwrap()
    }

    #[test]
    fn namibia_survives() {
        let c = table();
        assert_eq!(c.from_iso2("NA"), Some(Iso3::from_static("NAM")));
    }

    #[test]
    fn historical_codes_map() {
        let c = table();
        assert_eq!(c.from_iso2("DD"), Some(Iso3::from_static("DDR")));
        assert_eq!(c.from_iso2("YU"), Some(Iso3::from_static("YUG")));
        assert!(c.get(Iso3::from_static("ZAN")).unwrap().historical);
    }

    #[test]
    fn resolve_suggests_codes() {
        let c = table();
        assert_eq!(c.resolve("vnm"), Ok(Iso3::from_static("VNM")));
        let e = c.resolve("Viet Nam").unwrap_err();
        assert!(e.contains("did you mean VNM"), "{e}");
        assert!(c
            .resolve("Vietnam")
            .unwrap_err()
            .contains("did you mean VNM"));
        let e = c.resolve("XYZ").unwrap_err();
        assert!(e.contains("unknown country code `XYZ`"), "{e}");
    }
}
