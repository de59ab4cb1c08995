//! The checks of a vote query, written once for the CLI's flags and the API's parameters:
//! the default poles, `--by`/`by=` (one parser for `window 5`, `window:5`, `window=5` and
//! `window+5`), the span and its clamp to the data, and the span a window or total really
//! covers for one state.
//!
//! Errors name the input as its caller spells it ([`Spelling`]): `--by` on the command
//! line, ``parameter `by` `` in a query string.

use bamboo_core::alignment::{By, SeriesSpec};
use bamboo_core::{Iso3, VoteStore};

/// The poles when none are given (the spec's default).
pub const DEFAULT_POLES: [Iso3; 3] = [
    Iso3::from_static("USA"),
    Iso3::from_static("CHN"),
    Iso3::from_static("RUS"),
];

/// [`DEFAULT_POLES`] as typed (the CLI's default value).
pub const DEFAULT_POLES_TEXT: &str = "USA,CHN,RUS";

/// The longest window, in years.
pub const MAX_WINDOW: u32 = 100;

/// How the caller names an input in an error.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Spelling {
    /// A command-line flag: `--by`, `--from 1900`.
    Flag,
    /// A query-string parameter: ``parameter `by` ``, `from=1900`.
    Param,
}

impl Spelling {
    /// The input's name: `--by` or ``parameter `by` ``.
    pub fn name(self, field: &str) -> String {
        match self {
            Spelling::Flag => format!("--{field}"),
            Spelling::Param => format!("parameter `{field}`"),
        }
    }

    /// The input with its value: `--from 1900` or `from=1900`.
    pub fn given(self, field: &str, value: impl std::fmt::Display) -> String {
        match self {
            Spelling::Flag => format!("--{field} {value}"),
            Spelling::Param => format!("{field}={value}"),
        }
    }
}

/// A query that cannot be answered: the message names the input and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

fn err<T>(m: String) -> Result<T, QueryError> {
    Err(QueryError(m))
}

/// `--by`/`by=`: `year`, `total`, or `window N`, also written `window:N`, `window=N` or
/// `window+N` (`+` is how a URL writes a space, so `by=window+5` copied from a link works
/// on the command line too).
pub fn parse_by(text: &str, sp: Spelling) -> Result<By, QueryError> {
    let name = sp.name("by");
    let words: Vec<&str> = text
        .split([' ', ':', '=', '+'])
        .filter(|s| !s.is_empty())
        .collect();
    match words.as_slice() {
        ["year"] => Ok(By::Year),
        ["total"] => Ok(By::Total),
        ["window", n] => match n.parse::<u32>() {
            Ok(n) if (1..=MAX_WINDOW).contains(&n) => Ok(By::Window(n)),
            _ => err(format!(
                "{name}: the window must be a whole number of years from 1 to {MAX_WINDOW}, got `{n}`"
            )),
        },
        ["window"] => err(format!(
            "{name}: window needs a number of years, e.g. window 5 (also written window:5)"
        )),
        _ => err(format!(
            "{name}: `{}` is not allowed; use year, total or window N (also written window:N)",
            text.trim()
        )),
    }
}

/// Checks `poles`: at least two, and not the subject itself.
pub fn check_poles(poles: &[Iso3], subject: Option<Iso3>, sp: Spelling) -> Result<(), QueryError> {
    let name = sp.name("poles");
    if poles.len() < 2 {
        return err(format!(
            "{name} needs at least two states, e.g. {}",
            sp.given("poles", DEFAULT_POLES_TEXT)
        ));
    }
    if let Some(s) = subject.filter(|s| poles.contains(s)) {
        return err(format!(
            "{name}: {s} is the subject itself; list the other powers (default: {DEFAULT_POLES_TEXT})"
        ));
    }
    Ok(())
}

/// The span from `from` and `to`, defaulting to the data's span and clamped to it (a span
/// reaching past the data is the data's span: `from 1900` reads from 1946), with the window
/// checked against it. Only the inputs given are named in an error: `to 1940` alone is
/// before the data, not after a `from` nobody gave.
pub fn span(
    store: &VoteStore,
    from: Option<i32>,
    to: Option<i32>,
    by: By,
    sp: Spelling,
) -> Result<SeriesSpec, QueryError> {
    let Some((lo, hi)) = store.year_span() else {
        return err("the loaded data has no roll calls".into());
    };
    match (from, to) {
        (Some(f), Some(t)) if f > t => {
            return err(format!(
                "{} is after {}",
                sp.given("from", f),
                sp.given("to", t)
            ))
        }
        (_, Some(t)) if t < lo => {
            return err(format!(
                "{} is before the first roll call of the data: it covers {lo}-{hi}",
                sp.given("to", t)
            ))
        }
        (Some(f), _) if f > hi => {
            return err(format!(
                "{} is after the last roll call of the data: it covers {lo}-{hi}",
                sp.given("from", f)
            ))
        }
        _ => {}
    }
    let from = from.map_or(lo, |f| f.max(lo));
    let to = to.map_or(hi, |t| t.min(hi));
    if let By::Window(n) = by {
        let years = to - from + 1;
        if n as i32 > years {
            return err(format!(
                "{}: a {n}-year window is longer than the span {from}-{to} ({years} years): no {n}-year window fits; use a window of at most {years} years, or total",
                sp.name("by")
            ));
        }
    }
    Ok(SeriesSpec { from, to, by })
}

/// The span a series of `subject` really covers: with a window or the total, the years of
/// the span in which the subject voted, so that no row is labelled with years in which it
/// cast no vote (a window 1973-1977 holding Vietnam's 1977 alone). An error when no window
/// of the asked length fits the subject's votes, or it cast none in the span. By year the
/// span is unchanged: a year without its votes is no row.
pub fn subject_span(
    store: &VoteStore,
    subject: Iso3,
    spec: SeriesSpec,
    sp: Spelling,
) -> Result<SeriesSpec, QueryError> {
    if spec.by == By::Year {
        return Ok(spec);
    }
    let Some((first, last)) = store
        .country_index(subject)
        .and_then(|i| store.voting_span(i))
        .map(|(a, b)| (a.year(), b.year()))
    else {
        return err(format!("{subject} cast no vote in the loaded roll calls"));
    };
    let (from, to) = (spec.from.max(first), spec.to.min(last));
    if from > to {
        return err(format!(
            "{subject} cast no vote in {}-{} (it voted in {first}-{last})",
            spec.from, spec.to
        ));
    }
    if let By::Window(n) = spec.by {
        let years = to - from + 1;
        if n as i32 > years {
            return err(format!(
                "{}: {subject} voted in {from}-{to} of the span ({years} years): no {n}-year window fits its votes; use a window of at most {years} years, or total",
                sp.name("by")
            ));
        }
    }
    Ok(SeriesSpec { from, to, ..spec })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_parser_reads_every_spelling_of_a_window() {
        for s in [
            "window 5",
            "window:5",
            "window=5",
            "window+5",
            " window  5 ",
        ] {
            for sp in [Spelling::Flag, Spelling::Param] {
                assert_eq!(parse_by(s, sp), Ok(By::Window(5)), "{s}");
            }
        }
        assert_eq!(parse_by("year", Spelling::Flag), Ok(By::Year));
        assert_eq!(parse_by("total", Spelling::Param), Ok(By::Total));
    }

    #[test]
    fn a_bad_by_names_the_input_as_the_caller_spells_it() {
        let e = parse_by("decade", Spelling::Flag).unwrap_err().0;
        assert!(e.starts_with("--by: `decade`"), "{e}");
        assert!(e.contains("use year, total or window N"), "{e}");
        let e = parse_by("decade", Spelling::Param).unwrap_err().0;
        assert!(e.starts_with("parameter `by`"), "{e}");
        assert!(e.contains("window:N"), "{e}");
        for s in ["window 0", "window 101", "window five", "window:-3"] {
            let e = parse_by(s, Spelling::Flag).unwrap_err().0;
            assert!(e.contains("from 1 to 100"), "{s}: {e}");
        }
        let e = parse_by("window", Spelling::Flag).unwrap_err().0;
        assert!(e.contains("needs a number of years"), "{e}");
    }

    #[test]
    fn the_default_poles_are_the_typed_default() {
        let typed: Vec<&str> = DEFAULT_POLES_TEXT.split(',').collect();
        let poles: Vec<&str> = DEFAULT_POLES.iter().map(|p| p.as_str()).collect();
        assert_eq!(typed, poles);
    }

    #[test]
    fn poles_need_two_and_not_the_subject() {
        let usa = Iso3::from_static("USA");
        let vnm = Iso3::from_static("VNM");
        let e = check_poles(&[usa], Some(vnm), Spelling::Param)
            .unwrap_err()
            .0;
        assert!(e.contains("`poles`") && e.contains("two"), "{e}");
        let e = check_poles(&[vnm, usa], Some(vnm), Spelling::Flag)
            .unwrap_err()
            .0;
        assert!(e.contains("subject itself"), "{e}");
        assert!(check_poles(&DEFAULT_POLES, Some(vnm), Spelling::Flag).is_ok());
    }
}
