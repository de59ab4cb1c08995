//! Ledger files in TOML: a `[ledger]` header naming the subject, then `[[event]]` tables
//! (`date`, `kind`, `actors`, `title`, `sources`; `tier` for partnerships, `votes` for
//! votes). Reading refuses unknown keys and names the file, the event, the field and the
//! line; writing produces a file that reads back to the same events.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use bamboo_core::event::{validate_event, EventInput, LedgerEvent};
use bamboo_core::Iso3;

use crate::error::DataError;
use crate::source::read_text;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerFile {
    ledger: Header,
    #[serde(default)]
    event: Vec<RawEvent>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    subject: String,
    #[serde(default)]
    #[allow(dead_code)]
    sources: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    date: String,
    kind: String,
    actors: Vec<String>,
    title: String,
    sources: Vec<String>,
    #[serde(default)]
    tier: Option<String>,
    #[serde(default)]
    votes: BTreeMap<String, String>,
}

/// A ledger file's subject and events, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct LedgerFileContents {
    pub subject: Iso3,
    pub events: Vec<LedgerEvent>,
}

/// The 1-based line of the `n`-th (0-based) `[[event]]` header in `src`, if present.
fn event_line(src: &str, n: usize) -> Option<usize> {
    src.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[event]]"))
        .nth(n)
        .map(|(i, _)| i + 1)
}

/// Parses the text of a ledger file.
pub fn parse_ledger(file: &Path, src: &str) -> Result<LedgerFileContents, DataError> {
    let raw: LedgerFile = toml::from_str(src).map_err(|e| {
        let line = e.span().map_or(1, |s| {
            src[..s.start.min(src.len())].matches('\n').count() + 1
        });
        DataError::Record {
            path: file.to_path_buf(),
            line,
            problem: e.message().to_string(),
        }
    })?;
    let header_line = src
        .lines()
        .position(|l| l.trim_start().starts_with("subject"))
        .map_or(1, |i| i + 1);
    let subject = Iso3::parse(&raw.ledger.subject)
        .map_err(|e| DataError::field(file, header_line, "ledger.subject", e.to_string()))?;
    let mut events = Vec::with_capacity(raw.event.len());
    for (i, r) in raw.event.into_iter().enumerate() {
        let line = event_line(src, i).unwrap_or(1);
        let label = format!("event #{} ({} {})", i + 1, r.date, r.title);
        let input = EventInput {
            date: r.date,
            kind: r.kind,
            actors: r.actors,
            title: r.title,
            sources: r.sources,
            tier: r.tier,
            votes: r.votes.into_iter().collect(),
        };
        let e = validate_event(&input).map_err(|e| {
            DataError::field(file, line, &format!("{label}: {}", e.field), e.message)
        })?;
        if !e.actors.contains(&subject) {
            return Err(DataError::field(
                file,
                line,
                &format!("{label}: actors"),
                format!("the ledger is about {subject}, who is not among the actors"),
            ));
        }
        events.push(e);
    }
    Ok(LedgerFileContents { subject, events })
}

/// Reads a ledger file.
pub fn read_ledger(path: &Path) -> Result<LedgerFileContents, DataError> {
    parse_ledger(path, &read_text(path)?)
}

/// The ledger files of a folder (`*.toml`), sorted by name; none if it does not exist.
pub fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, DataError> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(DataError::Io {
                path: dir.to_path_buf(),
                source,
            })
        }
    };
    let mut out = Vec::new();
    for entry in rd {
        let p = entry
            .map_err(|source| DataError::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .path();
        if p.extension().is_some_and(|e| e == "toml") && p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

/// Writes events as a ledger file about `subject`, one `[[event]]` per event in the order
/// given. [`parse_ledger`] reads it back to the same events.
pub fn write_ledger(subject: Iso3, note: &str, events: &[LedgerEvent]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "[ledger]\nsubject = {}", quoted(subject.as_str()));
    if !note.is_empty() {
        let _ = writeln!(s, "note = {}", quoted(note));
    }
    for e in events {
        let _ = write!(
            s,
            "\n[[event]]\ndate = \"{}\"\nkind = \"{}\"\nactors = {}\ntitle = {}\n",
            e.date,
            e.kind,
            list(e.actors.iter().map(|a| quoted(a.as_str()))),
            quoted(&e.title)
        );
        if let Some(t) = e.tier {
            let _ = writeln!(s, "tier = \"{}\"", t.as_str());
        }
        if !e.votes.is_empty() {
            let votes: Vec<String> = e
                .votes
                .iter()
                .map(|(c, v)| format!("{c} = \"{}\"", v.as_str()))
                .collect();
            let _ = writeln!(s, "votes = {{ {} }}", votes.join(", "));
        }
        let _ = writeln!(s, "sources = {}", list(e.sources.iter().map(|x| quoted(x))));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[ledger]
subject = "VNM"

[[event]]
date = "2023-09-10"
kind = "partnership"
actors = ["VNM", "USA"]
tier = "comprehensive_strategic"
title = "US CSP"
sources = ["seed:003"]

[[event]]
date = "2022-03-02"
kind = "vote"
actors = ["VNM"]
title = "ES-11/1 \"quoted\""
sources = ["seed:000", "https://digitallibrary.un.org/record/3965290"]
votes = { VNM = "abstain", USA = "yes", RUS = "no" }
"#;

    #[test]
    fn reads_events_in_file_order() {
        let l = parse_ledger(Path::new("l.toml"), GOOD).unwrap();
        assert_eq!(l.subject, Iso3::from_static("VNM"));
        assert_eq!(l.events.len(), 2);
        assert_eq!(l.events[1].votes.len(), 3);
        assert_eq!(l.events[1].title, "ES-11/1 \"quoted\"");
    }

    #[test]
    fn written_files_read_back_to_the_same_events() {
        let l = parse_ledger(Path::new("l.toml"), GOOD).unwrap();
        let text = write_ledger(l.subject, "exported", &l.events);
        let back = parse_ledger(Path::new("out.toml"), &text).unwrap();
        assert_eq!(back, l);
    }

    #[test]
    fn errors_name_file_event_field_and_line() {
        let e = parse_ledger(
            Path::new("l.toml"),
            &GOOD.replace("\"comprehensive_strategic\"", "\"best\""),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("l.toml:5: field `event #1 (2023-09-10 US CSP): tier`"),
            "{e}"
        );
        let e = parse_ledger(Path::new("l.toml"), &GOOD.replace("tier =", "level ="))
            .unwrap_err()
            .to_string();
        assert!(e.contains("l.toml:9") && e.contains("level"), "{e}");
        let e = parse_ledger(
            Path::new("l.toml"),
            &GOOD.replace("[\"VNM\", \"USA\"]", "[\"USA\"]"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not among the actors"), "{e}");
    }
}
