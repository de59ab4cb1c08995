//! Regressions of the readers found by an attack on bamboo's inputs: each test names the
//! defect it keeps fixed. Every rejection must be one line naming the file, the line and the
//! key.

use std::path::{Path, PathBuf};

use bamboo_data::Diagnostic;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shipped(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

/// The diagnostic of a rejection, checked to be located (line and key) and on one line.
fn located(e: bamboo_data::InputError) -> Diagnostic {
    let d = e.diagnostic().cloned().unwrap_or_else(|| panic!("{e}"));
    let text = e.to_string();
    assert!(!text.contains('\n'), "one line: {text}");
    assert!(d.line.is_some(), "no line: {text}");
    assert!(d.field.is_some(), "no key: {text}");
    assert!(!d.message.trim().is_empty(), "empty message: {text}");
    d
}

fn case_err(src: &str) -> Diagnostic {
    located(bamboo_data::case::parse_cases(Path::new("c.toml"), src).unwrap_err())
}

fn ledger_err(src: &str) -> Diagnostic {
    located(bamboo_data::ledger::parse_ledger(Path::new("l.toml"), src).unwrap_err())
}

// Defect 11: dates are strict ISO 8601 `YYYY-MM-DD` in every reader.
#[test]
fn dates_with_a_time_part_are_refused_in_cases_and_ledgers() {
    let cases = shipped("../shared/cases/vietnam.toml");
    let ledger = shipped("data/ledger/vietnam.toml");
    for bad in [
        "2008-05-30T00:00:00Z",
        "2008-05-30Tgarbage",
        "2008-05-30 12:00",
    ] {
        let d = case_err(&cases.replacen("\"2008-05-30\"", &format!("\"{bad}\""), 1));
        assert_eq!((d.line, d.field.as_deref()), (Some(7), Some("date")), "{d}");
        assert!(d.message.contains("expected YYYY-MM-DD"), "{d}");
        let d = ledger_err(&ledger.replacen("\"2001-03-01\"", &format!("\"{bad}\""), 1));
        assert_eq!(d.field.as_deref(), Some("date"), "{d}");
        assert_eq!(d.line, Some(11), "{d}");
    }
}

#[test]
fn a_toml_date_value_is_refused_with_how_to_write_it() {
    let cases = shipped("../shared/cases/vietnam.toml");
    for bad in ["2008-05-30", "2008-05-30T00:00:00Z", "1979-05-27T07:32:00"] {
        let d = case_err(&cases.replacen("\"2008-05-30\"", bad, 1));
        assert_eq!((d.line, d.field.as_deref()), (Some(7), Some("date")), "{d}");
        assert!(d.message.contains("\"YYYY-MM-DD\""), "{d}");
    }
}
