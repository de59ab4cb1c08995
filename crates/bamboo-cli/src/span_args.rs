//! The span, slicing, measure and format flags of `align`, `balance` and `chart balance`
//! (and the span of `atlas`, `shifts`, `dyads`), checked by `bamboo_app::query` exactly as
//! the API checks its parameters.

use std::ffi::OsString;

use anyhow::{Context, Result};
use bamboo_app::query::Spelling;
use bamboo_core::alignment::{By, SeriesSpec};
use bamboo_core::metrics::Metric;
use bamboo_core::VoteStore;

/// The span, slicing, measure and format flags shared by `align`, `balance` and
/// `chart balance`.
#[derive(clap::Args, Debug, Clone)]
pub struct SpanArgs {
    /// First year (default: the first year of the data).
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year (default: the last year of the data).
    #[arg(long)]
    pub to: Option<i32>,
    /// Time slices: `year`, `window N` (trailing N-year windows, also written `window:N`)
    /// or `total`. One value: `--by total VNM` reads VNM as a state (`main` joins
    /// `--by window N` into `--by window:N` before the flags are parsed).
    #[arg(long, default_value = "year", value_name = "year|window N|total")]
    pub by: String,
    /// The alignment measure: agreement (the spec's default), s, kappa, pi, coincidence, or
    /// ideal (1 - ideal-point distance / range, from `bamboo ideal`). Tables show it; CSV
    /// and JSON from `align` carry every vote-based measure, or with `ideal` its columns.
    #[arg(long, default_value = "agreement")]
    pub metric: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::output::Format,
    /// Which roll calls to read (`--issue`, `--important`).
    #[command(flatten)]
    pub filter: crate::filters::FilterArgs,
}

impl Default for SpanArgs {
    fn default() -> Self {
        SpanArgs {
            from: None,
            to: None,
            by: "year".into(),
            metric: "agreement".into(),
            format: crate::output::Format::Table,
            filter: crate::filters::FilterArgs::default(),
        }
    }
}

/// Checked span flags, ready to use.
pub struct Resolved {
    pub spec: SeriesSpec,
    pub by: By,
    pub metric: Metric,
}

impl SpanArgs {
    /// Checks the flags that need no data (before any is loaded, so a typo fails fast).
    pub fn check(&self) -> Result<(By, Metric)> {
        self.filter.filter()?;
        Ok((parse_by(&self.by)?, parse_metric(&self.metric)?))
    }

    /// Checks everything against the loaded data.
    pub fn resolve(&self, store: &VoteStore) -> Result<Resolved> {
        let (by, metric) = self.check()?;
        Ok(Resolved {
            spec: span(store, self.from, self.to, by)?,
            by,
            metric,
        })
    }
}

/// The `--by` flag (one parser for the CLI and the API: `bamboo_app::query::parse_by`).
pub fn parse_by(text: &str) -> Result<By> {
    Ok(bamboo_app::query::parse_by(text, Spelling::Flag)?)
}

/// The command line with `--by window N` (two words) joined into `--by window:N`, so that
/// `--by` takes one value and never swallows the word after it (`balance --by total VNM`).
pub fn join_window(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let number = |n: Option<&OsString>| {
        n.and_then(|n| n.to_str())
            .filter(|n| n.parse::<i64>().is_ok())
            .map(str::to_string)
    };
    let mut out = Vec::new();
    let mut it = args.into_iter().peekable();
    while let Some(a) = it.next() {
        if a == "--" {
            // Everything after `--` is a value, as typed.
            out.push(a);
            out.extend(it);
            break;
        }
        if a == "--by" && it.peek().is_some_and(|w| w == "window") {
            let w = it.next().unwrap_or_default();
            out.push(a);
            match number(it.peek()) {
                Some(n) => {
                    it.next();
                    out.push(format!("window:{n}").into());
                }
                None => out.push(w),
            }
        } else if a == "--by=window" {
            match number(it.peek()) {
                Some(n) => {
                    it.next();
                    out.push(format!("--by=window:{n}").into());
                }
                None => out.push(a),
            }
        } else {
            out.push(a);
        }
    }
    out
}

/// The `--metric` flag.
pub fn parse_metric(s: &str) -> Result<Metric> {
    Metric::parse(s).with_context(|| {
        format!(
            "--metric `{s}` is not allowed; use one of: {}",
            Metric::ALL.map(|m| m.name()).join(", ")
        )
    })
}

/// The span from `--from`/`--to`, defaulting to the data's span and clamped to it, with
/// the window checked against it: `bamboo_app::query::span`, as the API reads `from`/`to`.
pub fn span(store: &VoteStore, from: Option<i32>, to: Option<i32>, by: By) -> Result<SeriesSpec> {
    Ok(bamboo_app::query::span(
        store,
        from,
        to,
        by,
        Spelling::Flag,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(line: &str) -> String {
        let v = join_window(line.split(' ').map(OsString::from));
        v.iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_two_word_window_is_joined_and_nothing_else_is_touched() {
        assert_eq!(
            joined("bamboo balance --by window 5 VNM"),
            "bamboo balance --by window:5 VNM"
        );
        assert_eq!(
            joined("bamboo balance --by=window 5 VNM"),
            "bamboo balance --by=window:5 VNM"
        );
        assert_eq!(
            joined("bamboo balance --by total VNM"),
            "bamboo balance --by total VNM"
        );
        assert_eq!(
            joined("bamboo balance --by window VNM"),
            "bamboo balance --by window VNM"
        );
        assert_eq!(
            joined("bamboo balance -- --by window 5"),
            "bamboo balance -- --by window 5"
        );
    }
}
