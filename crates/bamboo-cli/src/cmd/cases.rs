//! `bamboo cases from-votes --subject ISO3 [--from DATE] [--to DATE] [-o FILE]`: every
//! recorded General Assembly vote of a state as a spec case (`shared/spec/cases.md`), with
//! the other states' votes, the totals, tags from the curated tables in `data/record/` and
//! a target where the title names one. The same cases feed `backtest --record` and
//! `doctrine fit --record` in memory, without a file.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use bamboo_core::case::Case;
use bamboo_core::record::{RecordQuery, RecordRules};
use bamboo_core::{Date, Iso3};

use crate::load::Loaded;
use crate::output::write_to;
use crate::Cli;

#[derive(clap::Subcommand, Debug)]
pub enum Cases {
    /// One spec case for every roll call on which the subject voted yes, no or abstain.
    FromVotes(FromVotesArgs),
}

/// The record flags shared by `cases from-votes`, `backtest` and `doctrine fit`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RecordArgs {
    /// First day included: YYYY-MM-DD, or YYYY for 1 January.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day included: YYYY-MM-DD, or YYYY for 31 December.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// A folder with `tags.toml` and `targets.toml` to use instead of the shipped tables
    /// (data/record/).
    #[arg(long, value_name = "DIR")]
    pub record_rules: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct FromVotesArgs {
    /// The state whose votes become cases (ISO3 or a name).
    #[arg(long, value_name = "ISO3")]
    pub subject: String,
    #[command(flatten)]
    pub record: RecordArgs,
    /// Write the case file here (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// `toml` (a case file) or `json` (the same keys, as the API takes them).
    #[arg(long, value_enum, default_value_t = CaseFormat::Toml)]
    pub format: CaseFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CaseFormat {
    Toml,
    Json,
}

/// Parses a date bound: `YYYY-MM-DD`, or a bare year (its first day for `--from`, its last
/// for `--to`).
pub fn date_bound(flag: &str, s: &str, end: bool) -> Result<Date> {
    let t = s.trim();
    if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = t.parse()?;
        let d = if end {
            Date::new(y, 12, 31)
        } else {
            Date::new(y, 1, 1)
        };
        return d.map_err(|e| anyhow::anyhow!("{flag} {s}: {e}"));
    }
    Date::parse(t).map_err(|e| anyhow::anyhow!("{flag} {s}: {e}; allowed: YYYY-MM-DD or YYYY"))
}

impl RecordArgs {
    /// The checked span (before any data is loaded, so a typo fails fast).
    pub fn span(&self) -> Result<(Option<Date>, Option<Date>)> {
        let from = self
            .from
            .as_deref()
            .map(|s| date_bound("--from", s, false))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|s| date_bound("--to", s, true))
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                bail!("--from {f} is after --to {t}; give a span that runs forward");
            }
        }
        Ok((from, to))
    }

    /// The record rules: the shipped tables, or the folder given.
    pub fn rules(&self, loaded: &Loaded) -> Result<RecordRules> {
        Ok(bamboo_data::record::load_rules(
            self.record_rules.as_deref(),
            &loaded.countries,
        )?)
    }

    /// The subject's record as cases, from the loaded data.
    pub fn cases(&self, loaded: &Loaded, subject: Iso3) -> Result<Vec<Case>> {
        let (from, to) = self.span()?;
        let rules = self.rules(loaded)?;
        let cases = bamboo_core::record::cases_from_votes(
            &loaded.store,
            &rules,
            &RecordQuery { subject, from, to },
        );
        if cases.is_empty() {
            bail!(
                "{subject} recorded no vote (yes, no or abstain) in the loaded data{}",
                span_text(from, to)
            );
        }
        Ok(cases)
    }
}

fn span_text(from: Option<Date>, to: Option<Date>) -> String {
    match (from, to) {
        (None, None) => String::new(),
        (Some(f), None) => format!(" from {f}"),
        (None, Some(t)) => format!(" up to {t}"),
        (Some(f), Some(t)) => format!(" from {f} to {t}"),
    }
}

pub fn run(cli: &Cli, c: &Cases) -> Result<()> {
    match c {
        Cases::FromVotes(a) => from_votes(cli, a),
    }
}

fn from_votes(cli: &Cli, a: &FromVotesArgs) -> Result<()> {
    a.record.span()?;
    let loaded = Loaded::from_cli(cli)?;
    let subject = loaded.country(&a.subject, "--subject")?;
    let cases = a.record.cases(&loaded, subject)?;
    let text = match a.format {
        CaseFormat::Json => bamboo_data::case::cases_json(&cases),
        CaseFormat::Toml => {
            let (first, last) = (cases[0].date, cases[cases.len() - 1].date);
            let (lo, hi) = loaded.store.year_span().unwrap_or((0, 0));
            let header = format!(
                "Every recorded UN General Assembly vote of {subject} ({}), {first} to {last}: {} cases.\n\
                 Written by `bamboo cases from-votes` from {} roll calls of {lo}-{hi} in {} vote files;\n\
                 tags and targets from the curated tables in data/record/. Positions are every other\n\
                 state's recorded vote; the tally is the recorded totals; `actual` is {subject}'s vote.",
                loaded.countries.short_name(subject),
                cases.len(),
                loaded.store.roll_calls().len(),
                loaded.store.sources().len(),
            );
            bamboo_data::case::cases_toml(&cases, &header)
        }
    };
    write_to(a.output.as_deref(), |w| {
        w.write_all(text.as_bytes())?;
        Ok(())
    })
    .context("writing the cases")
}
