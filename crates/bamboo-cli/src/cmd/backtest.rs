//! `bamboo backtest --doctrine D [CASEFILE...] [--record [--from DATE] [--to DATE]] [--json]`:
//! answers cases that record what the subject really did, and scores the doctrine beside
//! the spec's baselines and the added ones (`majority`, `neighbour`, `last-similar`), with
//! accuracy per year, tag and option, a confusion matrix and the precision and recall of
//! abstentions and no votes. `--record` adds every recorded UN vote of the doctrine's
//! subject as a case, made in memory from the loaded vote data (as `cases from-votes`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use bamboo_core::backtest::{check_cases, BacktestReport};
use bamboo_core::case::Case;
use bamboo_core::record::RecordQuery;
use bamboo_data::advisor::backtest_json;

use crate::cmd::advise::{load_engine, render_text, EngineArgs};
use crate::cmd::cases::RecordArgs;
use crate::output::write_to;
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The doctrine file.
    /// A file, or the name of a shipped doctrine (vietnam, india, indonesia, align-usa,
    /// bandwagon-china, neutral), read from ./data.
    #[arg(long, value_name = "FILE|NAME", value_parser = crate::ledger_setup::doctrine_arg)]
    pub doctrine: PathBuf,
    /// Case files; every case needs `actual`. Ids must be unique across files.
    #[arg(value_name = "CASEFILE", required_unless_present = "record")]
    pub cases: Vec<PathBuf>,
    /// Add every recorded UN vote of the doctrine's subject in the loaded vote data (within
    /// --from/--to) as a case.
    #[arg(long)]
    pub record: bool,
    #[command(flatten)]
    pub span: RecordArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Print JSON: the spec's keys (cases, correct, accuracy, baselines, results), then the
    /// breakdowns.
    #[arg(long)]
    pub json: bool,
    /// How many wrong answers to print with their explanation (default: all when there are
    /// at most 100 cases, else 40).
    #[arg(long, value_name = "N")]
    pub misses: Option<usize>,
}

/// The cases of the files and, with `--record`, the subject's record.
pub fn gather_cases(
    cli: &Cli,
    files: &[PathBuf],
    record: Option<&RecordArgs>,
    engine: &crate::cmd::advise::Engine,
) -> Result<Vec<Case>> {
    let mut cases = bamboo_data::case::read_case_files(files)?;
    if let Some(r) = record {
        let (from, to) = r.span()?;
        let (Some(store), Some(rules)) = (engine.votes.as_deref(), engine.rules.as_ref()) else {
            bail!("--record needs the vote data, but {}", engine.provenance);
        };
        let own;
        let rules = match &r.record_rules {
            Some(dir) => {
                let data = bamboo_data::DataDir::from_env(cli.data.as_deref())?;
                let countries = bamboo_data::Countries::load(&data.countries_csv())?;
                own = bamboo_data::record::load_rules(Some(dir), &countries)?;
                &own
            }
            None => rules,
        };
        let subject = engine.doctrine.subject();
        let rec =
            bamboo_core::record::cases_from_votes(store, rules, &RecordQuery { subject, from, to });
        if rec.is_empty() {
            bail!("{subject} recorded no vote in the loaded data within the span given");
        }
        for c in &rec {
            if cases.iter().any(|x| x.id == c.id) {
                bail!(
                    "case id `{}` is both in a case file and in the record; drop one of them",
                    c.id
                );
            }
        }
        cases.extend(rec);
    }
    Ok(cases)
}

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    args.span.span()?;
    if args.record && args.engine.no_data {
        bail!("--record reads the vote data, which --no-data leaves out; drop one of them");
    }
    let pre = bamboo_data::case::read_case_files(&args.cases)?;
    if !args.record {
        check_cases(&pre).map_err(|e| crate::case_errors::locate_case_error(e, &args.cases))?;
    }
    let engine = load_engine(cli, &args.doctrine, &args.engine)?;
    let cases = gather_cases(cli, &args.cases, args.record.then_some(&args.span), &engine)?;
    let (report, _) = engine
        .backtest(&cases)
        .map_err(|e| crate::case_errors::locate_case_error(e, &args.cases))?;
    // Once: in the text's `inputs:` line, or on stderr beside JSON.
    if engine.votes.is_none() && args.json {
        crate::output::note!("bamboo: note: {}", engine.provenance);
    }
    write_to(None, |w| {
        if args.json {
            w.write_all(backtest_json(&report)?.as_bytes())?;
            return Ok(());
        }
        writeln!(
            w,
            "doctrine: {} ({})\ninputs: {}\n",
            engine.doctrine.name(),
            args.doctrine.display(),
            engine.provenance
        )?;
        if let Some(f) = &engine.doctrine.branches().votes.fit {
            let inside = cases
                .iter()
                .filter(|c| {
                    let d = c.date.to_string();
                    d >= f.from && d <= f.to
                })
                .count();
            if inside > 0 {
                writeln!(
                    w,
                    "note: {inside} of {} cases are dated within {} to {}, the period the doctrine's vote weights were fitted to: for them the score is in sample\n",
                    cases.len(),
                    f.from,
                    f.to
                )?;
            }
        }
        let long = report.results.len() > 100;
        if !long {
            let width = report
                .results
                .iter()
                .map(|r| r.id.len())
                .max()
                .unwrap_or(2)
                .max(2);
            writeln!(w, "{:<width$}  {:<8} {:<9} ok", "id", "actual", "predicted")?;
            for r in &report.results {
                writeln!(
                    w,
                    "{:<width$}  {:<8} {:<9} {}",
                    r.id,
                    r.actual.as_str(),
                    r.predicted.as_str(),
                    if r.correct { "yes" } else { "NO" }
                )?;
            }
            writeln!(w)?;
        }
        render_summary(w, &report)?;
        let wrong: Vec<_> = report
            .results
            .iter()
            .zip(&cases)
            .filter(|(r, _)| !r.correct)
            .collect();
        let limit = args.misses.unwrap_or(if long { 40 } else { usize::MAX });
        if !wrong.is_empty() && limit > 0 {
            writeln!(
                w,
                "\nwrong answers ({} of {}), with the engine's explanation{}:\n",
                wrong.len(),
                report.cases,
                if wrong.len() > limit {
                    format!(" (the first {limit}; --misses N shows more)")
                } else {
                    String::new()
                }
            )?;
            for (r, c) in wrong.into_iter().take(limit) {
                let (a, t) = engine.advise(c)?;
                writeln!(w, "actual: {}", r.actual.as_str())?;
                render_text(w, c, &a, &t)?;
            }
        }
        Ok(())
    })
    .context("writing the backtest")
}

/// The accuracy, the baselines and the breakdowns, as text.
fn render_summary(w: &mut dyn Write, report: &BacktestReport) -> Result<()> {
    writeln!(
        w,
        "accuracy: {}/{} = {:.4}",
        report.correct, report.cases, report.accuracy
    )?;
    for (name, acc) in &report.baselines {
        writeln!(
            w,
            "baseline {name:<14} {acc:.4}  ({:+.1} points)",
            (report.accuracy - acc) * 100.0
        )?;
    }
    if let Some((name, best)) = report.best_baseline() {
        writeln!(
            w,
            "margin over the best baseline ({name}): {:+.1} points",
            (report.accuracy - best) * 100.0
        )?;
    }
    for n in &report.baseline_notes {
        writeln!(w, "  {n}")?;
    }
    let groups =
        |w: &mut dyn Write, title: &str, g: &[bamboo_core::backtest::Group]| -> Result<()> {
            if g.len() > 1 || title == "by option" {
                writeln!(w, "\n{title}:")?;
                for x in g {
                    writeln!(
                        w,
                        "  {:<22} {:>5}/{:<5} {:.4}",
                        x.key, x.correct, x.cases, x.accuracy
                    )?;
                }
            }
            Ok(())
        };
    groups(w, "by year", &report.by_year)?;
    groups(
        w,
        "by tag (a case counts under each of its tags)",
        &report.by_tag,
    )?;
    groups(
        w,
        "by option (recall of each actual answer)",
        &report.by_option,
    )?;
    let c = &report.confusion;
    writeln!(w, "\nconfusion (rows: actual, columns: predicted):")?;
    write!(w, "  {:<9}", "")?;
    for l in &c.labels {
        write!(w, " {:>8}", l.as_str())?;
    }
    writeln!(w)?;
    for (l, row) in c.labels.iter().zip(&c.counts) {
        write!(w, "  {:<9}", l.as_str())?;
        for x in row {
            write!(w, " {x:>8}")?;
        }
        writeln!(w)?;
    }
    for d in &report.decisive {
        let f = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v:.4}"));
        writeln!(
            w,
            "{}: precision {} ({} of {} predicted), recall {} ({} of {} actual)",
            d.option,
            f(d.precision),
            d.correct,
            d.predicted,
            f(d.recall),
            d.correct,
            d.actual
        )?;
    }
    writeln!(
        w,
        "\nbaselines: follow:X votes as X voted (abstains where X's vote is not given); always-first takes the first option; majority the plurality of the others' votes; neighbour follows the state that agreed most with the subject over the five years before the case; last-similar repeats the subject's vote on the most similar earlier resolution (title words, else tags). Each uses only what was known before the case, and the positions the case gives."
    )?;
    Ok(())
}
