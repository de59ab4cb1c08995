//! Reads the curated groups of states (`data/groups.toml`: ASEAN, BRICS, the EU, NATO,
//! SCO, G77, NAM, …) into core's [`Groups`], built into the binary; a file given on the
//! command line replaces it. Every membership names its source; every state must be in
//! the country table; dates are strict `YYYY-MM-DD`.

use std::collections::BTreeMap;
use std::path::Path;

use bamboo_core::case::FieldError;
use bamboo_core::groups::{Group, Groups, Membership};
use bamboo_core::{Date, Iso3};

use crate::countries::Countries;
use crate::toml_input::{from_field_error, from_toml_error, read, InputError, Spans};

/// The shipped table: (path in the repository, text).
pub const GROUPS: (&str, &str) = (
    "data/groups.toml",
    include_str!("../../../data/groups.toml"),
);

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileInput {
    group: Vec<GroupInput>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupInput {
    code: String,
    name: String,
    #[serde(default)]
    note: Option<String>,
    /// Short names of the sources the members cite, with the full citation.
    sources: BTreeMap<String, String>,
    member: Vec<MemberInput>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberInput {
    /// One state, or several that share dates and a source.
    states: Vec<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    source: String,
}

fn date(field: &str, s: &Option<String>) -> Result<Option<Date>, FieldError> {
    s.as_deref()
        .map(|t| Date::parse(t).map_err(|e| FieldError::new(field, e.to_string())))
        .transpose()
}

fn groups(input: &FileInput, countries: &Countries) -> Result<Groups, FieldError> {
    let mut out = Groups::default();
    for (gi, g) in input.group.iter().enumerate() {
        let base = format!("group[{gi}]");
        if g.code.trim().is_empty() || g.code.contains([',', ' ']) {
            return Err(FieldError::new(
                &format!("{base}.code"),
                "a group code is one word without commas (e.g. ASEAN)",
            ));
        }
        if out.get(&g.code).is_some() {
            return Err(FieldError::new(
                &format!("{base}.code"),
                format!("the group `{}` is defined twice", g.code),
            ));
        }
        for (k, v) in &g.sources {
            if v.trim().is_empty() {
                return Err(FieldError::new(
                    &format!("{base}.sources.{k}"),
                    "a source needs its citation",
                ));
            }
        }
        let mut members = Vec::new();
        for (mi, m) in g.member.iter().enumerate() {
            let mb = format!("{base}.member[{mi}]");
            let source = g.sources.get(&m.source).ok_or_else(|| {
                FieldError::new(
                    &format!("{mb}.source"),
                    format!(
                        "`{}` is not one of the group's sources ({})",
                        m.source,
                        g.sources.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            let (from, to) = (
                date(&format!("{mb}.from"), &m.from)?,
                date(&format!("{mb}.to"), &m.to)?,
            );
            if let (Some(f), Some(t)) = (from, to) {
                if t <= f {
                    return Err(FieldError::new(
                        &format!("{mb}.to"),
                        format!("{t} is not after `from` ({f})"),
                    ));
                }
            }
            if m.states.is_empty() {
                return Err(FieldError::new(&format!("{mb}.states"), "names no state"));
            }
            for (si, s) in m.states.iter().enumerate() {
                let c = Iso3::parse(s)
                    .ok()
                    .filter(|c| countries.get(*c).is_some())
                    .ok_or_else(|| {
                        FieldError::at(
                            &format!("{mb}.states"),
                            si,
                            format!("`{s}` is not a code of the country table (ISO3, e.g. VNM)"),
                        )
                    })?;
                members.push(Membership {
                    state: c,
                    from,
                    to,
                    source: source.clone(),
                });
            }
        }
        out.groups.push(Group {
            code: g.code.trim().to_string(),
            name: g.name.clone(),
            note: g.note.clone(),
            members,
        });
    }
    Ok(out)
}

/// Parses a groups file (its text, and the path used in errors).
pub fn parse_groups(file: &Path, src: &str, countries: &Countries) -> Result<Groups, InputError> {
    let raw: FileInput = toml::from_str(src)
        .map_err(|e| InputError::invalid(from_toml_error(file, src, &e, None)))?;
    groups(&raw, countries)
        .map_err(|e| InputError::invalid(from_field_error(file, &Spans::new(src), "", None, &e)))
}

/// The shipped groups, or those of `file`.
pub fn load_groups(file: Option<&Path>, countries: &Countries) -> Result<Groups, InputError> {
    match file {
        None => parse_groups(Path::new(GROUPS.0), GROUPS.1, countries),
        Some(f) => parse_groups(f, &read(f)?, countries),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn countries() -> Countries {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("countries.csv");
        std::fs::write(
            &p,
            "iso3,iso2,name,common_name,region,subregion,un_member\nVNM,VN,Viet Nam,Vietnam,Asia,South-eastern Asia,1\nIDN,ID,Indonesia,Indonesia,Asia,South-eastern Asia,1\n",
        )
        .unwrap();
        Countries::load(&p).unwrap()
    }

    #[test]
    fn reads_members_with_dates_and_sources() {
        let src = r#"
[[group]]
code = "ASEAN"
name = "Association of Southeast Asian Nations"
sources = { bangkok = "Bangkok Declaration, 8 August 1967" , sec = "ASEAN Secretariat" }
member = [
  { states = ["IDN"], from = "1967-08-08", source = "bangkok" },
  { states = ["VNM"], from = "1995-07-28", source = "sec" },
]
"#;
        let g = parse_groups(Path::new("g.toml"), src, &countries()).unwrap();
        let a = g.get("asean").unwrap();
        assert_eq!(a.members.len(), 2);
        assert_eq!(a.members_on(Date::parse("1990-01-01").unwrap()).len(), 1);
        assert_eq!(a.members[1].source, "ASEAN Secretariat");
    }

    #[test]
    fn errors_name_the_line_and_key() {
        let bad_state = "[[group]]\ncode = \"X\"\nname = \"x\"\nsources = { s = \"src\" }\nmember = [\n  { states = [\"ZZZ\"], source = \"s\" },\n]\n";
        let e = parse_groups(Path::new("g.toml"), bad_state, &countries())
            .unwrap_err()
            .to_string();
        assert!(e.contains("g.toml") && e.contains("ZZZ"), "{e}");
        let bad_source = "[[group]]\ncode = \"X\"\nname = \"x\"\nsources = { s = \"src\" }\nmember = [\n  { states = [\"VNM\"], source = \"t\" },\n]\n";
        let e = parse_groups(Path::new("g.toml"), bad_source, &countries())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`t` is not one of the group's sources (s)"),
            "{e}"
        );
        let bad_date = "[[group]]\ncode = \"X\"\nname = \"x\"\nsources = { s = \"src\" }\nmember = [\n  { states = [\"VNM\"], from = \"1995-13-01\", source = \"s\" },\n]\n";
        let e = parse_groups(Path::new("g.toml"), bad_date, &countries())
            .unwrap_err()
            .to_string();
        assert!(e.contains("1995-13-01"), "{e}");
    }

    /// The shipped file reads against the real country table, and every group the issue
    /// names is in it with its recorded accessions.
    #[test]
    fn shipped_groups_read() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/countries.csv");
        let c = Countries::load(&root).unwrap();
        let g = load_groups(None, &c).unwrap();
        for code in ["ASEAN", "BRICS", "G77", "EU", "NATO", "SCO", "NAM"] {
            assert!(g.get(code).is_some(), "{code} missing");
        }
        let d = |s| Date::parse(s).unwrap();
        let asean = g.get("ASEAN").unwrap();
        assert_eq!(asean.members_on(d("1968-01-01")).len(), 5);
        assert_eq!(asean.members_on(d("1996-01-01")).len(), 7);
        assert_eq!(asean.members_on(d("2000-01-01")).len(), 10);
        let nato = g.get("NATO").unwrap();
        assert!(!nato
            .members_on(d("2023-01-01"))
            .contains(&Iso3::from_static("FIN")));
        assert!(nato
            .members_on(d("2023-06-01"))
            .contains(&Iso3::from_static("FIN")));
        assert!(nato
            .members_on(d("2024-06-01"))
            .contains(&Iso3::from_static("SWE")));
        assert_eq!(nato.members_on(d("2024-06-01")).len(), 32);
        let eu = g.get("EU").unwrap();
        assert_eq!(eu.members_on(d("2019-06-01")).len(), 28);
        assert_eq!(eu.members_on(d("2021-06-01")).len(), 27);
        assert_eq!(g.get("BRICS").unwrap().members_on(d("2024-06-01")).len(), 9);
        assert_eq!(g.get("SCO").unwrap().members_on(d("2024-01-01")).len(), 9);
    }
}
