//! Reads ledger files: a `[ledger]` header and `[[event]]` tables (date, kind, actors,
//! title, sources; `tier` for partnerships, `votes` for votes). Unknown keys are refused.

use std::collections::BTreeMap;
use std::path::Path;

use bamboo_core::ledger::{validate_event, EventInput, Ledger};
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
}
