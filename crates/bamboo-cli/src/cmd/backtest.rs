//! `bamboo backtest --doctrine D CASEFILE... [--json]`: answers cases that record what the
//! subject really did, and scores the doctrine beside the spec's baselines.

use std::path::PathBuf;

use anyhow::{Context, Result};
use bamboo_core::backtest::check_cases;
use bamboo_data::advisor::backtest_json;

use crate::cmd::advise::{load_engine, render_text, EngineArgs};
use crate::output::write_to;
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The doctrine file.
    #[arg(long, value_name = "FILE")]
    pub doctrine: PathBuf,
    /// Case files; every case needs `actual`. Ids must be unique across files.
    #[arg(value_name = "CASEFILE", required = true)]
    pub cases: Vec<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Print JSON exactly in the shape of shared/spec/cases.md.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    let cases = bamboo_data::case::read_case_files(&args.cases)?;
    check_cases(&cases).map_err(|e| crate::common::locate_case_error(e, &args.cases))?;
    let engine = load_engine(cli, &args.doctrine, &args.engine)?;
    let (report, answers) = engine
        .backtest(&cases)
        .map_err(|e| crate::common::locate_case_error(e, &args.cases))?;
    if engine.votes.is_none() {
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
            engine.doctrine.doctrine.name,
            args.doctrine.display(),
            engine.provenance
        )?;
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
        writeln!(
            w,
            "\naccuracy: {}/{} = {:.4}",
            report.correct, report.cases, report.accuracy
        )?;
        for (name, acc) in &report.baselines {
            writeln!(w, "baseline {name}: {acc:.4}")?;
        }
        if let Some((name, best)) = report.best_baseline() {
            writeln!(
                w,
                "margin over the best baseline ({name}): {:+.1} points",
                (report.accuracy - best) * 100.0
            )?;
        }
        let wrong: Vec<_> = report
            .results
            .iter()
            .zip(&answers)
            .zip(&cases)
            .filter(|((r, _), _)| !r.correct)
            .collect();
        if !wrong.is_empty() {
            writeln!(w, "\nwrong answers, with the engine's explanation:\n")?;
            for ((r, (a, t)), c) in wrong {
                writeln!(w, "actual: {}", r.actual.as_str())?;
                render_text(w, c, a, t)?;
            }
        }
        Ok(())
    })
    .context("writing the backtest")
}
