//! Reads the curated tables that turn recorded votes into cases (`data/record/tags.toml`
//! and `data/record/targets.toml`), built into the binary; `--record-rules DIR` style
//! overrides read the same files from a folder. Country names for targets come from
//! `countries.csv`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bamboo_core::case::{parse_tag, FieldError, TagSet};
use bamboo_core::record::{
    cases_from_votes, Phrase, PhraseRule, RecordQuery, RecordRules, TargetPattern, Targets,
    Vocabulary,
};
use bamboo_core::store::Issue;
use bamboo_core::{Iso3, VoteStore};

use crate::countries::Countries;
use crate::toml_input::{from_field_error, from_toml_error, read, InputError, Spans};

/// The shipped tables: (path in the repository, text).
pub const TAGS: (&str, &str) = (
    "data/record/tags.toml",
    include_str!("../../../data/record/tags.toml"),
);
pub const TARGETS: (&str, &str) = (
    "data/record/targets.toml",
    include_str!("../../../data/record/targets.toml"),
);

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TagsInput {
    issues: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    subject: Vec<RuleInput>,
    #[serde(default)]
    title: Vec<TitleRuleInput>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleInput {
    terms: Vec<String>,
    #[serde(default)]
    issues: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TitleRuleInput {
    words: Vec<String>,
    #[serde(default)]
    issues: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsInput {
    pattern: Vec<PatternInput>,
    #[serde(default)]
    aliases: BTreeMap<String, String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternInput {
    text: String,
    #[serde(default)]
    tags: Vec<String>,
}

fn tag_list(field: &str, list: &[String]) -> Result<TagSet, FieldError> {
    let mut t = TagSet::EMPTY;
    for (i, s) in list.iter().enumerate() {
        t.insert(parse_tag(s).map_err(|m| FieldError::at(field, i, m))?);
    }
    Ok(t)
}

fn issue_list(field: &str, list: &[String]) -> Result<u8, FieldError> {
    let mut bits = 0u8;
    for (i, s) in list.iter().enumerate() {
        let issue = Issue::from_code(s).ok_or_else(|| {
            FieldError::at(
                field,
                i,
                format!("unknown issue code `{s}` (expected me, nu, di, hr, co or ec)"),
            )
        })?;
        bits |= 1 << issue as u8;
    }
    Ok(bits)
}

fn phrases(field: &str, list: &[String]) -> Result<Vec<Phrase>, FieldError> {
    if list.is_empty() {
        return Err(FieldError::new(field, "names no phrase"));
    }
    list.iter()
        .enumerate()
        .map(|(i, s)| Phrase::new(s).ok_or_else(|| FieldError::at(field, i, "holds no word")))
        .collect()
}

fn vocabulary(input: &TagsInput) -> Result<Vocabulary, FieldError> {
    let mut v = Vocabulary::default();
    for (code, tags) in &input.issues {
        let field = format!("issues.{code}");
        let issue = Issue::from_code(code).ok_or_else(|| {
            FieldError::new(
                &field,
                format!("unknown issue code `{code}` (expected me, nu, di, hr, co or ec)"),
            )
        })?;
        v.issue_tags[issue as usize] = tag_list(&field, tags)?;
    }
    for (i, r) in input.subject.iter().enumerate() {
        let base = format!("subject[{i}]");
        v.subjects.push(PhraseRule {
            phrases: phrases(&format!("{base}.terms"), &r.terms)?,
            issues: issue_list(&format!("{base}.issues"), &r.issues)?,
            tags: tag_list(&format!("{base}.tags"), &r.tags)?,
        });
    }
    for (i, r) in input.title.iter().enumerate() {
        let base = format!("title[{i}]");
        v.titles.push(PhraseRule {
            phrases: phrases(&format!("{base}.words"), &r.words)?,
            issues: issue_list(&format!("{base}.issues"), &r.issues)?,
            tags: tag_list(&format!("{base}.tags"), &r.tags)?,
        });
    }
    Ok(v)
}

/// Every name of every state in the country table, and the aliases.
fn names(
    countries: &Countries,
    aliases: &BTreeMap<String, String>,
) -> Result<Vec<(String, Iso3)>, FieldError> {
    let mut out = Vec::new();
    for c in countries.all() {
        for n in c.names() {
            // The UN short names end in "(the)" where English puts an article before them.
            let n = n.trim_end_matches(" (the)");
            out.push((n.to_string(), c.iso3));
            // "Iran (Islamic Republic of)" is also written "Islamic Republic of Iran".
            if let Some((head, tail)) = n.split_once(" (") {
                let inner = tail.trim_end_matches(')').trim();
                if inner != "the" && !inner.is_empty() {
                    out.push((format!("{inner} {head}"), c.iso3));
                }
            }
        }
    }
    for (name, code) in aliases {
        let field = format!("aliases.{name}");
        let c = Iso3::parse(code).map_err(|e| FieldError::new(&field, e.to_string()))?;
        if countries.get(c).is_none() {
            return Err(FieldError::new(
                &field,
                format!("{c} is not in the country table"),
            ));
        }
        out.push((name.clone(), c));
    }
    Ok(out)
}

fn targets(input: &TargetsInput, countries: &Countries) -> Result<Targets, FieldError> {
    let mut pats = Vec::new();
    for (i, p) in input.pattern.iter().enumerate() {
        let base = format!("pattern[{i}]");
        let tags = tag_list(&format!("{base}.tags"), &p.tags)?;
        pats.push(
            TargetPattern::new(&p.text, tags)
                .map_err(|e| FieldError::new(&format!("{base}.text"), e.to_string()))?,
        );
    }
    Ok(Targets::new(pats, &names(countries, &input.aliases)?))
}

fn located(file: &Path, src: &str, e: &FieldError) -> InputError {
    InputError::invalid(from_field_error(file, &Spans::new(src), "", None, e))
}

/// Parses the two tables (texts and the paths used in errors).
pub fn parse_rules(
    tags: (&Path, &str),
    target_table: (&Path, &str),
    countries: &Countries,
) -> Result<RecordRules, InputError> {
    let (tf, ts) = tags;
    let raw: TagsInput =
        toml::from_str(ts).map_err(|e| InputError::invalid(from_toml_error(tf, ts, &e, None)))?;
    let vocabulary = vocabulary(&raw).map_err(|e| located(tf, ts, &e))?;
    let (gf, gs) = target_table;
    let raw: TargetsInput =
        toml::from_str(gs).map_err(|e| InputError::invalid(from_toml_error(gf, gs, &e, None)))?;
    let targets = targets(&raw, countries).map_err(|e| located(gf, gs, &e))?;
    Ok(RecordRules {
        vocabulary,
        targets,
    })
}

/// The shipped rules, or the two files of `dir` (`tags.toml`, `targets.toml`) when given.
pub fn load_rules(dir: Option<&Path>, countries: &Countries) -> Result<RecordRules, InputError> {
    match dir {
        None => parse_rules(
            (Path::new(TAGS.0), TAGS.1),
            (Path::new(TARGETS.0), TARGETS.1),
            countries,
        ),
        Some(d) => {
            let (tp, gp): (PathBuf, PathBuf) = (d.join("tags.toml"), d.join("targets.toml"));
            let (ts, gs) = (read(&tp)?, read(&gp)?);
            parse_rules((&tp, &ts), (&gp, &gs), countries)
        }
    }
}

/// The cases of a subject's record (see [`cases_from_votes`]).
pub fn record_cases(
    store: &VoteStore,
    rules: &RecordRules,
    q: &RecordQuery,
) -> Vec<bamboo_core::case::Case> {
    cases_from_votes(store, rules, q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bamboo_core::case::Tag;
    use bamboo_core::store::RollCall;
    use bamboo_core::Date;

    fn rules() -> RecordRules {
        let countries = Countries::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/countries.csv"),
        )
        .expect("the shared country table");
        load_rules(None, &countries).unwrap()
    }

    fn label(
        rules: &RecordRules,
        title: &str,
        subjects: Option<&str>,
    ) -> bamboo_core::record::Labels {
        let mut rc = RollCall::new(1, Date::parse("2019-12-18").unwrap(), 0);
        rc.title = Some(title.into());
        rc.subjects = subjects.map(String::from);
        rules.label(&rc, subjects.is_none())
    }

    /// The shipped tables, on titles as the unvotes tables and the UN Digital Library give
    /// them, with the real country table.
    #[test]
    fn shipped_targets_on_real_titles() {
        let r = rules();
        let t = |title: &str| label(&r, title, None).target.map(|m| m.target.to_string());
        assert_eq!(
            t("Situation of human rights in the Islamic Republic of Iran").as_deref(),
            Some("IRN")
        );
        assert_eq!(t("Situation of human rights in the Syrian Arab Republic : resolution / adopted by the General Assembly").as_deref(), Some("SYR"));
        assert_eq!(
            t("Situation of human rights of Rohingya Muslims and other minorities in Myanmar")
                .as_deref(),
            Some("MMR")
        );
        assert_eq!(
            t("Situation of human rights in the Democratic People's Republic of Korea").as_deref(),
            Some("PRK")
        );
        assert_eq!(t("Necessity of ending the economic, commercial and financial embargo imposed by the United States of America against Cuba").as_deref(), Some("USA"));
        assert_eq!(t("Suspension of the rights of membership of the Russian Federation in the Human Rights Council").as_deref(), Some("RUS"));
        assert_eq!(t("Israeli practices affecting the human rights of the Palestinian people in the Occupied Palestinian Territory, including East Jerusalem").as_deref(), Some("ISR"));
        assert_eq!(t("Situation of human rights in the Autonomous Republic of Crimea and the city of Sevastopol, Ukraine"), None);
        assert_eq!(t("The situation in Afghanistan"), None);
        assert_eq!(t("Aggression against Ukraine"), None);
    }

    #[test]
    fn shipped_tags_on_real_titles_and_subject_terms() {
        let r = rules();
        let l = label(
            &r,
            "Situation of human rights in the Islamic Republic of Iran",
            None,
        );
        assert!(l.tags.contains(Tag::CountrySpecific) && l.tags.contains(Tag::HumanRights));
        let l = label(&r, "Necessity of ending the economic, commercial and financial embargo imposed by the United States of America against Cuba", None);
        assert!(l.tags.contains(Tag::Sanctions));
        // A UN Digital Library record: no issue codes of its own, so the subject terms and
        // words give them (hr from "HUMAN RIGHTS"), and tags.
        let l = label(
            &r,
            "Aggression against Ukraine",
            Some("POLITICAL AND LEGAL QUESTIONS, MAINTENANCE OF PEACE AND SECURITY, AGGRESSION"),
        );
        assert!(
            l.tags.contains(Tag::UseOfForce) && l.tags.contains(Tag::Security),
            "{:?}",
            l.tags
        );
        let l = label(
            &r,
            "Status of internally displaced persons and refugees from Abkhazia, Georgia",
            Some("HUMANITARIAN AID AND RELIEF, PROTECTION OF AND ASSISTANCE TO REFUGEES AND DISPLACED PERSONS, HUMAN RIGHTS"),
        );
        assert_eq!(l.issues, 1 << bamboo_core::store::Issue::HumanRights as u8);
        assert!(l.tags.contains(Tag::Humanitarian) && l.tags.contains(Tag::HumanRights));
        let l = label(
            &r,
            "Assistance to Palestine refugees",
            Some("PALESTINE REFUGEES"),
        );
        assert_eq!(l.issues, 1 << bamboo_core::store::Issue::MiddleEast as u8);
        assert!(l.tags.contains(Tag::SelfDetermination));
    }

    /// No rule names a resolution, a date or a title: no symbol and no date in the tables.
    #[test]
    fn the_tables_name_no_resolution_or_date() {
        for (path, text) in [TAGS, TARGETS] {
            for (n, line) in text.lines().enumerate() {
                let code = line.split('#').next().unwrap_or("");
                assert!(
                    !code.contains("A/RES") && !code.contains("RES/"),
                    "{path}:{}: {line}",
                    n + 1
                );
                let digits: Vec<&str> = code
                    .split(|c: char| !c.is_ascii_digit())
                    .filter(|d| d.len() == 4)
                    .collect();
                assert!(
                    digits.is_empty(),
                    "{path}:{}: a year in a rule: {line}",
                    n + 1
                );
            }
        }
    }

    #[test]
    fn a_bad_table_is_located() {
        let countries = Countries::default();
        let e = parse_rules(
            (Path::new("t.toml"), "[issues]\nhr = [\"human_rights\"]\n\n[[title]]\nwords = [\"x\"]\ntags = [\"no_such_tag\"]\n"),
            (Path::new(TARGETS.0), TARGETS.1),
            &countries,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("t.toml:6:") && e.contains("no_such_tag"),
            "{e}"
        );
    }
}
