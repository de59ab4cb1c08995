//! Reads ledger files: a `[ledger]` header and `[[event]]` tables (date, kind, actors,
//! title, sources; `tier` for partnerships, `votes` for votes). Unknown keys are refused.
//! [`write_ledger`] writes events in the same format, so that they read back the same.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use bamboo_core::ledger::{validate_event, EventInput, Ledger, LedgerEvent};
use bamboo_core::Iso3;

use crate::toml_input::{from_field_error, from_toml_error, read, Diagnostic, InputError, Spans};

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

/// Parses the text of a ledger file.
pub fn parse_ledger(file: &Path, src: &str) -> Result<Ledger, InputError> {
    let raw: LedgerFile = toml::from_str(src)
        .map_err(|e| InputError::invalid(from_toml_error(file, src, &e, Some("event"))))?;
    let spans = Spans::new(src);
    let subject = Iso3::parse(&raw.ledger.subject).map_err(|e| {
        InputError::invalid(Diagnostic {
            file: file.to_path_buf(),
            line: spans.line("ledger.subject"),
            entry: None,
            entry_kind: "",
            field: Some("ledger.subject".into()),
            message: e.to_string(),
        })
    })?;
    let mut events = Vec::with_capacity(raw.event.len());
    for (i, r) in raw.event.into_iter().enumerate() {
        let label = format!("#{} ({} {})", i + 1, r.date, r.title);
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
            InputError::invalid(from_field_error(
                file,
                &spans,
                &format!("event[{i}]"),
                Some(("event", label.clone())),
                &e,
            ))
        })?;
        if let Err(crate::ledger_db::LedgerDbError::TooLarge { field, problem }) =
            crate::ledger_db::check_event_size(&e)
        {
            let top = field.split('[').next().unwrap_or(&field).to_string();
            return Err(InputError::invalid(Diagnostic {
                file: file.to_path_buf(),
                line: spans
                    .line(&format!("event[{i}].{field}"))
                    .or_else(|| spans.line(&format!("event[{i}].{top}"))),
                entry: Some(label),
                entry_kind: "event",
                field: Some(field),
                message: problem,
            }));
        }
        if !e.actors.contains(&subject) {
            return Err(InputError::invalid(Diagnostic {
                file: file.to_path_buf(),
                line: spans.line(&format!("event[{i}].actors")),
                entry: Some(label),
                entry_kind: "event",
                field: Some("actors".into()),
                message: format!("the ledger is about {subject}, who is not among the actors"),
            }));
        }
        events.push(e);
    }
    Ok(Ledger::new(Some(subject), events))
}

/// Reads a ledger file.
pub fn read_ledger(path: &Path) -> Result<Ledger, InputError> {
    parse_ledger(path, &read(path)?)
}

/// A ledger that cannot be read, located where the doctrine names it (`doctrine.ledger`),
/// when it does; otherwise the error unchanged.
fn named_by_doctrine(e: InputError, path: &Path, doctrine: &Path) -> InputError {
    let InputError::Io { source, .. } = &e else {
        return e;
    };
    let Ok(src) = read(doctrine) else {
        return e;
    };
    let spans = Spans::new(&src);
    let named = toml::from_str::<toml::Table>(&src).ok().and_then(|t| {
        t.get("doctrine")?
            .get("ledger")?
            .as_str()
            .map(|l| doctrine.parent().unwrap_or(Path::new(".")).join(l))
    });
    if named.as_deref() != Some(path) {
        return e;
    }
    InputError::invalid(Diagnostic {
        file: doctrine.to_path_buf(),
        line: spans.line("doctrine.ledger"),
        entry: None,
        entry_kind: "",
        field: Some("doctrine.ledger".into()),
        message: format!(
            "names the ledger {}, which cannot be read: {source}",
            path.display()
        ),
    })
}

/// Reads the ledger a doctrine about `subject` names (`doctrine` is the doctrine file, for
/// the message): a ledger about another state is refused at its `subject` line.
pub fn read_ledger_about(
    path: &Path,
    subject: Iso3,
    doctrine: &Path,
) -> Result<Ledger, InputError> {
    let src = read(path).map_err(|e| named_by_doctrine(e, path, doctrine))?;
    let ledger = parse_ledger(path, &src)?;
    match ledger.subject {
        Some(s) if s != subject => Err(InputError::invalid(Diagnostic {
            file: path.to_path_buf(),
            line: Spans::new(&src).line("ledger.subject"),
            entry: None,
            entry_kind: "",
            field: Some("ledger.subject".into()),
            message: format!(
                "the ledger is about {s}, but the doctrine {} that names it is about {subject}; name a ledger about {subject} (or change the doctrine's subject)",
                doctrine.display()
            ),
        })),
        _ => Ok(ledger),
    }
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

/// Writes events as a ledger file about `subject`, one `[[event]]` per event in the order
/// given. [`parse_ledger`] reads it back to the same events (sorted by date, as it sorts).
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
title = "ES-11/1"
sources = ["seed:000"]
votes = { VNM = "abstain", USA = "yes", RUS = "no" }
"#;

    #[test]
    fn reads_and_sorts_events() {
        let l = parse_ledger(Path::new("l.toml"), GOOD).unwrap();
        assert_eq!(l.events().len(), 2);
        assert_eq!(l.events()[0].date.to_string(), "2022-03-02");
    }

    #[test]
    fn errors_name_event_key_and_line() {
        let e = parse_ledger(
            Path::new("l.toml"),
            &GOOD.replace("\"comprehensive_strategic\"", "\"best\""),
        )
        .unwrap_err();
        let d = e.diagnostic().unwrap();
        assert_eq!((d.line, d.field.as_deref()), (Some(9), Some("tier")));
        assert!(
            d.to_string().contains("event `#1 (2023-09-10 US CSP)`"),
            "{d}"
        );
        let e = parse_ledger(Path::new("l.toml"), &GOOD.replace("tier =", "level =")).unwrap_err();
        assert_eq!(e.diagnostic().unwrap().field.as_deref(), Some("level"));
    }

    #[test]
    fn written_files_read_back_to_the_same_events() {
        let l = parse_ledger(
            Path::new("l.toml"),
            &GOOD.replace("ES-11/1", "ES-11/1 \\\"quoted\\\""),
        )
        .unwrap();
        let text = write_ledger(l.subject.unwrap(), "exported", l.events());
        let back = parse_ledger(Path::new("out.toml"), &text).unwrap();
        assert_eq!(back.events(), l.events());
        assert_eq!(back.subject, l.subject);
        assert!(l.events()[0].title.contains('"'));
    }
}
