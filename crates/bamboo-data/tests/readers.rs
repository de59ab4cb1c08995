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

fn doctrine_err(src: &str) -> Diagnostic {
    located(bamboo_data::doctrine::parse_compiled(Path::new("d.toml"), src).unwrap_err())
}

// Defect 5: non-finite and absurd numbers are refused wherever a number is read.
#[test]
fn absurd_doctrine_numbers_are_refused_with_key_and_line() {
    let src = shipped("data/doctrines/vietnam.toml");
    let line_of = |needle: &str| src.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    for (from, to, key) in [
        (
            "interests = { economy = 1.0,",
            "interests = { economy = 1.7e308,",
            "branches.interests.economy",
        ),
        ("balance = 1.5", "balance = 1.7e308", "branches.balance"),
        ("CHN = 1.0", "CHN = -1.7e308", "branches.relations.CHN"),
        ("CHN = 1.0", "CHN = nan", "branches.relations.CHN"),
        ("CHN = 1.0", "CHN = inf", "branches.relations.CHN"),
        ("CHN = 1.0", "CHN = 1001", "branches.relations.CHN"),
        ("max_lean = 0.35", "max_lean = 1e300", "branches.max_lean"),
    ] {
        assert!(src.contains(from), "{from}");
        let d = doctrine_err(&src.replacen(from, to, 1));
        assert_eq!(d.field.as_deref(), Some(key), "{d}");
        assert_eq!(d.line, Some(line_of(to.split(" =").next().unwrap())), "{d}");
        assert!(d.message.contains("1000"), "says the range: {d}");
    }
    let d = doctrine_err(&src.replacen(
        "economy = 0.3\nsecurity = 0.2",
        "economy = 1.7e308\nsecurity = 0.2",
        1,
    ));
    assert_eq!(
        d.field.as_deref(),
        Some("branches.kinds.partnership.economy"),
        "{d}"
    );
}

#[test]
fn absurd_world_numbers_are_refused_with_key_and_line() {
    let src = shipped("data/worlds/default.toml");
    let w = |s: &str| located(bamboo_data::world::parse_world(Path::new("w.toml"), s).unwrap_err());
    let d = w(&format!("{src}\n[mechanics]\nreaction = 1.7e308\n"));
    assert_eq!(d.field.as_deref(), Some("mechanics.reaction"), "{d}");
    let d = w(&src.replacen("start_year = 2025", "start_year = 2147483647", 1));
    assert_eq!(d.field.as_deref(), Some("world.start_year"), "{d}");
    assert!(src.contains("start_year = 2025"));
}

#[test]
fn a_tally_beyond_the_assembly_is_refused() {
    let src = "[[case]]\nid = \"a\"\ndate = \"2022-03-02\"\nsubject = \"VNM\"\nkind = \"un_vote\"\ntitle = \"t\"\nsources = [\"s\"]\n[case.tally]\nyes = 4000000000\n";
    let d = case_err(src);
    assert_eq!(
        (d.line, d.field.as_deref()),
        (Some(9), Some("tally.yes")),
        "{d}"
    );
}

// Defect 10: every rejection names the file, the line and the key, on one line, never with
// an empty message.
#[test]
fn type_errors_name_the_key_and_line() {
    let src = shipped("data/doctrines/vietnam.toml");
    let line = 1 + src
        .lines()
        .position(|l| l.starts_with("balance = 1.5"))
        .unwrap();
    let d = doctrine_err(&src.replacen("balance = 1.5", "balance = \"x\"", 1));
    assert_eq!(d.field.as_deref(), Some("branches.balance"), "{d}");
    assert_eq!(d.line, Some(line), "{d}");
    assert!(d.message.contains("expected a number"), "{d}");
    let cases = shipped("../shared/cases/vietnam.toml");
    let d = case_err(&cases.replacen(
        "tags = [\"security\", \"trade\"]",
        "tags = [\"security\", 3]",
        1,
    ));
    assert_eq!(d.field.as_deref(), Some("tags[1]"), "{d}");
    assert_eq!(d.entry.as_deref(), Some("2008-05-30-china-csp"), "{d}");
}

#[test]
fn broken_files_still_name_a_line_and_key() {
    let cases = shipped("../shared/cases/vietnam.toml");
    // Not TOML at all from line 12 on: the key on the line is named.
    let d = case_err(&cases.replacen("title = \"China offers", "title = = \"China offers", 1));
    assert_eq!(d.line, Some(12), "{d}");
    assert_eq!(d.field.as_deref(), Some("case.title"), "{d}");
    // Invalid UTF-8: its line and the key it is in.
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("bad.toml");
    let mut bytes = cases.clone().into_bytes();
    let at = cases.find("China offers").unwrap();
    bytes[at] = 0xff;
    std::fs::write(&p, &bytes).unwrap();
    let d = located(bamboo_data::case::read_cases(&p).unwrap_err());
    assert_eq!(
        (d.line, d.field.as_deref()),
        (Some(12), Some("case.title")),
        "{d}"
    );
    // A file with no case: line 1, key `case`.
    let d = case_err("# nothing here\n");
    assert_eq!((d.line, d.field.as_deref()), (Some(1), Some("case")), "{d}");
    // A message that toml gives on several lines is one line here.
    let d = case_err("[[case]]\nid = \"a\"\ndate = 1979-05-27T07:32:00Z\nsubject = \n");
    assert!(!d.to_string().contains('\n'), "{d}");
}
