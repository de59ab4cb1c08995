//! Reads case files (`shared/spec/cases.md`): one or more `[[case]]` tables, unknown keys
//! refused, every rule checked by `bamboo_core::case::validate_case`; errors name the file,
//! the case id, the key and the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bamboo_core::case::{
    validate_case_owned, Case, CaseInput, CodeText, FieldError, PositionsInput, Tally,
};

use crate::toml_input::{
    from_field_error, from_json_error, from_toml_error, read, Diagnostic, InputError, Spans,
};

/// A case file as written (also read by the fast plain-form reader, `case_plain`, which
/// gives the positions' codes parsed: `C = Iso3`).
#[derive(serde::Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaseFile<C = String> {
    #[serde(default)]
    pub(crate) case: Vec<RawCase<C>>,
}

#[derive(serde::Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCase<C = String> {
    pub(crate) id: String,
    pub(crate) date: String,
    pub(crate) subject: String,
    pub(crate) kind: String,
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) target: Option<String>,
    #[serde(default)]
    pub(crate) counterpart: Option<String>,
    #[serde(default)]
    pub(crate) tier: Option<String>,
    #[serde(default)]
    pub(crate) tags: Vec<String>,
    pub(crate) sources: Vec<String>,
    #[serde(default)]
    pub(crate) actual: Option<String>,
    #[serde(default)]
    pub(crate) positions: Option<RawPositions<C>>,
    #[serde(default)]
    pub(crate) tally: Option<RawTally>,
}

#[derive(serde::Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPositions<C = String> {
    pub(crate) yes: Option<Vec<C>>,
    pub(crate) no: Option<Vec<C>>,
    pub(crate) abstain: Option<Vec<C>>,
    pub(crate) support: Option<Vec<C>>,
    pub(crate) oppose: Option<Vec<C>>,
}

impl<C> Default for RawPositions<C> {
    fn default() -> Self {
        RawPositions {
            yes: None,
            no: None,
            abstain: None,
            support: None,
            oppose: None,
        }
    }
}

#[derive(serde::Deserialize, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTally {
    pub(crate) yes: Option<u32>,
    pub(crate) no: Option<u32>,
    pub(crate) abstain: Option<u32>,
}

impl<C> From<RawCase<C>> for CaseInput<C> {
    fn from(r: RawCase<C>) -> CaseInput<C> {
        CaseInput {
            id: r.id,
            date: r.date,
            subject: r.subject,
            kind: r.kind,
            title: r.title,
            target: r.target,
            counterpart: r.counterpart,
            tier: r.tier,
            tags: r.tags,
            sources: r.sources,
            actual: r.actual,
            positions: r.positions.map(|p| PositionsInput {
                yes: p.yes,
                no: p.no,
                abstain: p.abstain,
                support: p.support,
                oppose: p.oppose,
            }),
            tally: r.tally.map(|t| Tally {
                yes: t.yes,
                no: t.no,
                abstain: t.abstain,
            }),
        }
    }
}

/// Parses the text of a case file (`file` is used in errors only). A file in the plain
/// form (one key a line, as `bamboo cases from-votes` and [`cases_toml`] write it) is read
/// by a fast reader of that form; any other, and any that reader would not take, by
/// `toml`. Either way the text is parsed once, and parsed again with spans only to locate
/// an error.
pub fn parse_cases(file: &Path, src: &str) -> Result<Vec<Case>, InputError> {
    if let Some(raw) = crate::case_plain::parse(src) {
        return lower(file, raw, &Spans::new(src));
    }
    let raw: CaseFile = toml::from_str(src)
        .map_err(|e| InputError::invalid(from_toml_error(file, src, &e, Some("case"))))?;
    lower(file, raw, &Spans::new(src))
}

/// Every located problem of a case file, not only the first (the dashboard's editor marks
/// them all). Empty when [`parse_cases`] accepts the file. When it does not, each
/// `[[case]]` block is parsed on its own, preceded by as many blank lines as come before it
/// so that every line keeps its number, and the problems of all blocks are returned in
/// order; a problem only the whole file shows (a duplicate id, text before the first
/// `[[case]]`) is returned alone, exactly as [`parse_cases`] reports it.
pub fn case_file_problems(file: &Path, src: &str) -> Vec<Diagnostic> {
    let first = match parse_cases(file, src) {
        Ok(_) => return Vec::new(),
        Err(e) => e.diagnostic().cloned(),
    };
    let lines: Vec<&str> = src.split('\n').collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim() == "[[case]]")
        .collect();
    let mut out = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let block = format!("{}{}", "\n".repeat(s), lines[s..end].join("\n"));
        if let Err(e) = parse_cases(file, &block) {
            if let Some(d) = e.diagnostic() {
                out.push(d.clone());
            }
        }
    }
    if out.is_empty() {
        out.extend(first);
    }
    out
}

/// Parses the same structure as JSON, `{"case": [{...}, ...]}` (the server accepts it
/// beside TOML). Keys, rules and messages are those of [`parse_cases`]; lines are the
/// JSON's where the JSON parser gives one.
pub fn parse_cases_json(file: &Path, src: &str) -> Result<Vec<Case>, InputError> {
    let raw: CaseFile = serde_json::from_str(src)
        .map_err(|e| InputError::invalid(from_json_error(file, src, &e, Some("case"))))?;
    lower(file, raw, &Spans::new(""))
}

fn lower<C: CodeText + Send>(
    file: &Path,
    raw: CaseFile<C>,
    spans: &Spans,
) -> Result<Vec<Case>, InputError> {
    if raw.case.is_empty() {
        return Err(InputError::invalid(Diagnostic {
            file: file.to_path_buf(),
            line: None,
            entry: None,
            entry_kind: "case",
            field: Some("case".into()),
            message: "holds no [[case]] table".into(),
        }));
    }
    // Each case is validated on its own, in parallel; the errors are then taken in order,
    // so the one reported is the first case's, as when they were validated one by one.
    use rayon::prelude::*;
    let checked: Vec<(String, Result<Case, FieldError>)> = raw
        .case
        .into_par_iter()
        .with_min_len(64)
        .map(|r| {
            let id = r.id.clone();
            (id, validate_case_owned(CaseInput::from(r)))
        })
        .collect();
    let mut out: Vec<Case> = Vec::with_capacity(checked.len());
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, (id, checked)) in checked.into_iter().enumerate() {
        let case = checked.map_err(|e| {
            InputError::invalid(from_field_error(
                file,
                spans,
                &format!("case[{i}]"),
                Some(("case", id.clone())),
                &e,
            ))
        })?;
        if let Some(first) = seen.insert(case.id.clone(), i) {
            return Err(InputError::invalid(Diagnostic {
                file: file.to_path_buf(),
                line: spans.line(&format!("case[{i}].id")),
                entry: Some(case.id.clone()),
                entry_kind: "case",
                field: Some("id".into()),
                message: format!("the id is used twice (first by case #{})", first + 1),
            }));
        }
        out.push(case);
    }
    Ok(out)
}

/// Reads one case file.
pub fn read_cases(path: &Path) -> Result<Vec<Case>, InputError> {
    parse_cases(path, &read(path)?)
}

/// Reads several case files; ids must be unique across all of them.
pub fn read_case_files(paths: &[PathBuf]) -> Result<Vec<Case>, InputError> {
    let mut all: Vec<Case> = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for p in paths {
        let src = read(p)?;
        let cases = parse_cases(p, &src)?;
        let spans = Spans::new(&src);
        for (i, c) in cases.iter().enumerate() {
            if let Some(first) = seen.insert(c.id.clone(), p.clone()) {
                return Err(InputError::invalid(Diagnostic {
                    file: p.clone(),
                    line: spans.line(&format!("case[{i}].id")),
                    entry: Some(c.id.clone()),
                    entry_kind: "case",
                    field: Some("id".into()),
                    message: format!(
                        "the id is already used in {} (ids must be unique across the files loaded together)",
                        first.display()
                    ),
                }));
            }
        }
        all.extend(cases);
    }
    Ok(all)
}

/// A TOML string literal (basic string, escaped as TOML requires).
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn toml_list(items: impl IntoIterator<Item = String>) -> String {
    let v: Vec<String> = items.into_iter().map(|s| toml_str(&s)).collect();
    format!("[{}]", v.join(", "))
}

/// Writes cases as a case file in the spec's form (`shared/spec/cases.md`), which
/// [`parse_cases`] reads back to the same cases. `header` becomes comment lines on top.
pub fn cases_toml(cases: &[Case], header: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for l in header.lines() {
        let _ = writeln!(out, "# {l}");
    }
    for c in cases {
        let _ = writeln!(out, "\n[[case]]");
        let _ = writeln!(out, "id = {}", toml_str(&c.id));
        let _ = writeln!(out, "date = {}", toml_str(&c.date.to_string()));
        let _ = writeln!(out, "subject = {}", toml_str(c.subject.as_str()));
        let _ = writeln!(out, "kind = {}", toml_str(c.kind.as_str()));
        let _ = writeln!(out, "title = {}", toml_str(&c.title));
        if let Some(t) = c.target {
            let _ = writeln!(out, "target = {}", toml_str(t.as_str()));
        }
        if let Some(t) = c.counterpart {
            let _ = writeln!(out, "counterpart = {}", toml_str(t.as_str()));
        }
        if let Some(t) = c.tier {
            let _ = writeln!(out, "tier = {}", toml_str(t.as_str()));
        }
        if !c.tags.is_empty() {
            let _ = writeln!(
                out,
                "tags = {}",
                toml_list(c.tags.iter().map(|t| t.as_str().to_string()))
            );
        }
        let _ = writeln!(out, "sources = {}", toml_list(c.sources.iter().cloned()));
        if let Some(a) = c.actual {
            let _ = writeln!(out, "actual = {}", toml_str(a.as_str()));
        }
        let p = &c.positions;
        if !p.is_empty() {
            let _ = writeln!(out, "\n[case.positions]");
            for (k, list) in [
                ("yes", &p.yes),
                ("no", &p.no),
                ("abstain", &p.abstain),
                ("support", &p.support),
                ("oppose", &p.oppose),
            ] {
                if !list.is_empty() {
                    let _ = writeln!(
                        out,
                        "{k} = {}",
                        toml_list(list.iter().map(|c| c.as_str().to_string()))
                    );
                }
            }
        }
        if let Some(t) = &c.tally {
            let _ = writeln!(out, "\n[case.tally]");
            for (k, v) in [("yes", t.yes), ("no", t.no), ("abstain", t.abstain)] {
                if let Some(v) = v {
                    let _ = writeln!(out, "{k} = {v}");
                }
            }
        }
    }
    out
}

/// The cases as JSON in the form the server accepts (`{"case": [...]}`, the keys of the
/// TOML form), which [`parse_cases_json`] reads back to the same cases.
pub fn cases_json(cases: &[Case]) -> String {
    use serde_json::{json, Map, Value};
    let list: Vec<Value> = cases
        .iter()
        .map(|c| {
            let mut m = Map::new();
            m.insert("id".into(), json!(c.id));
            m.insert("date".into(), json!(c.date.to_string()));
            m.insert("subject".into(), json!(c.subject.as_str()));
            m.insert("kind".into(), json!(c.kind.as_str()));
            m.insert("title".into(), json!(c.title));
            if let Some(t) = c.target {
                m.insert("target".into(), json!(t.as_str()));
            }
            if let Some(t) = c.counterpart {
                m.insert("counterpart".into(), json!(t.as_str()));
            }
            if let Some(t) = c.tier {
                m.insert("tier".into(), json!(t.as_str()));
            }
            if !c.tags.is_empty() {
                let tags: Vec<&str> = c.tags.iter().map(|t| t.as_str()).collect();
                m.insert("tags".into(), json!(tags));
            }
            m.insert("sources".into(), json!(c.sources));
            if let Some(a) = c.actual {
                m.insert("actual".into(), json!(a.as_str()));
            }
            let p = &c.positions;
            if !p.is_empty() {
                let mut pm = Map::new();
                for (k, list) in [
                    ("yes", &p.yes),
                    ("no", &p.no),
                    ("abstain", &p.abstain),
                    ("support", &p.support),
                    ("oppose", &p.oppose),
                ] {
                    if !list.is_empty() {
                        let v: Vec<&str> = list.iter().map(|c| c.as_str()).collect();
                        pm.insert(k.into(), json!(v));
                    }
                }
                m.insert("positions".into(), Value::Object(pm));
            }
            if let Some(t) = &c.tally {
                let mut tm = Map::new();
                for (k, v) in [("yes", t.yes), ("no", t.no), ("abstain", t.abstain)] {
                    if let Some(v) = v {
                        tm.insert(k.into(), json!(v));
                    }
                }
                m.insert("tally".into(), Value::Object(tm));
            }
            Value::Object(m)
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&json!({ "case": list })).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_problem_of_a_case_file_with_its_line() {
        let src = "[[case]]\nid = \"a\"\ndate = \"2020-01-01\"\nsubject = \"VNM\"\nkind = \"un_vote\"\ntitle = \"x\"\nsources = [\"s\"]\nbogus = 1\n\n[[case]]\nid = \"b\"\ndate = \"2020-01-02\"\nsubject = \"VNM\"\nkind = \"un_vote\"\ntitle = \"y\"\nsources = [\"s\"]\n\n[[case]]\nid = \"c\"\ndate = \"2020-13-01\"\nsubject = \"VNM\"\nkind = \"un_vote\"\ntitle = \"z\"\nsources = [\"s\"]\n";
        let f = Path::new("f.toml");
        let all = case_file_problems(f, src);
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[0].line, Some(8));
        assert_eq!(all[0].field.as_deref(), Some("bogus"));
        assert_eq!(all[1].line, Some(20));
        assert_eq!(all[1].field.as_deref(), Some("date"));
        // The first is what parse_cases reports.
        let one = parse_cases(f, src).unwrap_err();
        assert_eq!(one.diagnostic().unwrap().line, Some(8));
        // A good file has none; a duplicate id (only the whole file shows it) is reported alone.
        let good = src
            .replace("bogus = 1\n", "")
            .replace("2020-13-01", "2020-12-01");
        assert!(case_file_problems(f, &good).is_empty());
        let dup = good.replace("id = \"b\"", "id = \"a\"");
        let d = case_file_problems(f, &dup);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].to_string(),
            parse_cases(f, &dup).unwrap_err().to_string()
        );
    }

    use super::*;

    const GOOD: &str = r#"
[[case]]
id = "a"
date = "2022-03-02"
subject = "VNM"
kind = "un_vote"
title = "A vote"
target = "RUS"
tags = ["use_of_force"]
sources = ["seed:000"]
actual = "abstain"

[case.positions]
yes = ["USA"]
no = ["RUS"]

[case.tally]
yes = 141
no = 5
abstain = 35
"#;

    fn err(src: &str) -> Diagnostic {
        parse_cases(Path::new("x.toml"), src)
            .unwrap_err()
            .diagnostic()
            .cloned()
            .unwrap()
    }

    #[test]
    fn reads_a_valid_file() {
        let c = parse_cases(Path::new("x.toml"), GOOD).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].tally.unwrap().yes, Some(141));
    }

    #[test]
    fn unknown_key_names_case_key_and_line() {
        let d = err(&GOOD.replace("actual = \"abstain\"", "acutal = \"abstain\""));
        assert_eq!(d.line, Some(11));
        assert_eq!(d.entry.as_deref(), Some("a"));
        assert_eq!(d.field.as_deref(), Some("acutal"));
    }

    #[test]
    fn semantic_errors_name_case_key_and_line() {
        let d = err(&GOOD.replace("\"use_of_force\"", "\"war\""));
        assert_eq!((d.line, d.field.as_deref()), (Some(9), Some("tags[0]")));
        assert_eq!(d.entry.as_deref(), Some("a"));
        let d = err(&GOOD.replace("no = [\"RUS\"]", "no = [\"USA\"]"));
        assert_eq!(
            (d.line, d.field.as_deref()),
            (Some(15), Some("positions.no[0]"))
        );
        let d = err(&GOOD.replace("actual = \"abstain\"", "actual = \"accept\""));
        assert_eq!((d.line, d.field.as_deref()), (Some(11), Some("actual")));
        let d = err(&GOOD.replace("kind = \"un_vote\"", "kind = \"vote\""));
        assert_eq!((d.line, d.field.as_deref()), (Some(6), Some("kind")));
        assert!(
            d.to_string().starts_with("x.toml:6: case `a`: key `kind`"),
            "{d}"
        );
    }

    #[test]
    fn unknown_position_side_is_refused() {
        let d = err(&GOOD.replace("no = [\"RUS\"]", "against = [\"RUS\"]"));
        assert_eq!(d.field.as_deref(), Some("against"));
        assert_eq!(d.line, Some(15));
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let two = format!("{GOOD}\n{GOOD}");
        let d = err(&two);
        assert_eq!(d.field.as_deref(), Some("id"));
    }
}
