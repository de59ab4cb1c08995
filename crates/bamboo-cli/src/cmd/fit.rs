//! `bamboo doctrine fit --doctrine D [--cases FILE...] [--record] --until DATE [-o FILE]`:
//! fits a doctrine's vote branch (peers, Assembly, precedent, standing values, tags) to the
//! subject's record before a date, never its roots; reports accuracy in sample and on the
//! cases after the date (a time split) against the baselines, and writes the doctrine with
//! the fitted `[branches.votes]`, every value saying what it was fitted to.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use bamboo_core::backtest::BacktestReport;
use bamboo_core::case::Case;
use bamboo_core::fit::FitConfig;

use crate::cmd::advise::{load_engine, EngineArgs};
use crate::cmd::backtest::gather_cases;
use crate::cmd::cases::{date_bound, RecordArgs};
use crate::output::write_to;
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct FitArgs {
    /// The doctrine whose vote branch is fitted (its roots, trunk and other branches stay).
    /// A file, or the name of a shipped doctrine (vietnam, india, indonesia, align-usa,
    /// bandwagon-china, neutral), read from ./data.
    #[arg(long, value_name = "FILE|NAME", value_parser = crate::ledger_setup::doctrine_arg)]
    pub doctrine: PathBuf,
    /// Case files to fit to (and to test on, for cases dated on or after --until).
    #[arg(long = "cases", value_name = "FILE", num_args = 1.., required_unless_present = "record")]
    pub cases: Vec<PathBuf>,
    /// Also use every recorded UN vote of the doctrine's subject in the loaded data.
    #[arg(long)]
    pub record: bool,
    /// Fit to cases dated before this day (YYYY-MM-DD or YYYY); later cases are held out.
    #[arg(long, value_name = "DATE")]
    pub until: String,
    /// With --record: the first day of the fit (default: 12 years before --until) and the
    /// last day of the held-out test (default: the end of the data).
    #[command(flatten)]
    pub span: RecordArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// At most this many peers are kept.
    #[arg(long, default_value_t = 48, value_name = "N")]
    pub max_peers: usize,
    /// Candidate penalties on the peers' weights (comma-separated); the one that scores
    /// best on the last fifth of the fitted cases, fitted on the rest, is used.
    #[arg(long, value_delimiter = ',', default_values_t = [0.3, 1.0, 3.0, 10.0, 30.0], value_name = "L,L,...")]
    pub lambda_peers: Vec<f64>,
    /// Keep every peer's weight at 0 or above (a peer is only ever company kept). By
    /// default a weight may be negative: the subject tends to vote otherwise than that state.
    #[arg(long)]
    pub nonneg_peers: bool,
    /// The penalty on the other weights (standing values, Assembly, precedent, tags).
    #[arg(long, default_value_t = 0.1, value_name = "L")]
    pub lambda_other: f64,
    /// Write the doctrine with the fitted vote branch here (atomically).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn line(w: &mut dyn Write, label: &str, r: &BacktestReport) -> Result<()> {
    let best = r.best_baseline();
    writeln!(
        w,
        "{label}: {} cases, accuracy {:.4}{}",
        r.cases,
        r.accuracy,
        best.map_or(String::new(), |(n, b)| format!(
            " (best baseline {n} {b:.4}, {:+.1} points)",
            (r.accuracy - b) * 100.0
        ))
    )?;
    let all: Vec<String> = r
        .baselines
        .iter()
        .map(|(n, b)| format!("{n} {b:.4}"))
        .collect();
    writeln!(w, "  baselines: {}", all.join(", "))?;
    Ok(())
}

pub fn run(cli: &Cli, a: &FitArgs) -> Result<()> {
    let until = date_bound("--until", &a.until, false)?;
    a.span.span()?;
    if a.record && a.engine.no_data {
        bail!("--record reads the vote data, which --no-data leaves out; drop one of them");
    }
    if a.max_peers == 0 || a.max_peers > 200 {
        bail!("--max-peers {}: allowed 1 to 200", a.max_peers);
    }
    let engine = load_engine(cli, &a.doctrine, &a.engine)?;
    let mut span = a.span.clone();
    if a.record && span.from.is_none() {
        let y = until.year() - 12;
        span.from = Some(format!(
            "{y}-{:02}-{:02}",
            until.month(),
            until.day().min(28)
        ));
    }
    let all = gather_cases(cli, &a.cases, a.record.then_some(&span), &engine)?;
    bamboo_core::backtest::check_cases(&all)?;
    let (train, test): (Vec<Case>, Vec<Case>) = all.into_iter().partition(|c| c.date < until);
    if train.is_empty() {
        bail!("no case is dated before --until {until}: nothing to fit to");
    }
    let subject = engine.doctrine.subject();
    let what = if a.record {
        format!(
            "every recorded UNGA vote of {subject} in the vote data{}",
            if a.cases.is_empty() {
                ""
            } else {
                ", and the case files given"
            }
        )
    } else {
        "the case files given".to_string()
    };
    if a.lambda_peers.is_empty()
        || a.lambda_peers
            .iter()
            .chain([&a.lambda_other])
            .any(|l| !(l.is_finite() && *l >= 0.0 && *l <= 1e6))
    {
        bail!("--lambda-peers and --lambda-other: allowed numbers from 0 to 1e6");
    }
    let cfg = FitConfig {
        max_peers: a.max_peers,
        lambda_peers: a.lambda_peers.clone(),
        lambda_other: a.lambda_other,
        nonneg_peers: a.nonneg_peers,
        ..FitConfig::default()
    };
    let out = bamboo_data::fitting::fit(&engine, &train, &test, &cfg, &what)?;
    let r = &out.result;
    let fit = out
        .advisor
        .doctrine
        .branches()
        .votes
        .fit
        .clone()
        .unwrap_or_default();
    let text = {
        let mut notes = vec![
            "The company this state keeps in the General Assembly: weights fitted by `bamboo doctrine fit`".to_string(),
            format!("to {} vote cases ({}), dated {} to {}; nothing later was seen.", fit.n, fit.cases, fit.from, fit.to),
            format!("Method: {}.", fit.method),
            format!(
                "In sample: accuracy {:.4} on the vote cases; {} case(s) left out because a root forbids what the subject did.",
                r.in_sample, r.forbidden_actual
            ),
            "Terms: see docs/doctrine.md (the vote branch). The roots above are hand-written and never fitted.".to_string(),
        ];
        if let Some(t) = &out.test {
            notes.push(format!(
                "Held out ({} cases dated {until} or later): accuracy {:.4}.",
                t.cases, t.accuracy
            ));
        }
        let src = std::fs::read_to_string(&a.doctrine)
            .with_context(|| format!("{}: cannot read", a.doctrine.display()))?;
        let n_train = fit.n;
        bamboo_data::doctrine::with_vote_branch(
            &a.doctrine,
            &src,
            &out.advisor.doctrine.branches().votes,
            &notes,
            &|c| {
                let voted = train
                    .iter()
                    .filter(|x| x.positions.side_of(c).is_some())
                    .count();
                format!("fitted to {n_train} votes; {c} voted on {voted}")
            },
        )?
    };
    // The written doctrine must read back to the same one.
    bamboo_data::doctrine::parse_compiled(&a.doctrine, &text)
        .context("the fitted doctrine does not read back (a bug: please report it)")?;
    if let Some(o) = &a.output {
        write_to(Some(o), |w| {
            w.write_all(text.as_bytes())?;
            Ok(())
        })
        .context("writing the fitted doctrine")?;
    }
    write_to(None, |w| {
        writeln!(
            w,
            "doctrine: {} ({})\nfitted: {} vote cases of {subject}, {} to {} ({} candidate peers, {} kept; lambda_peers {} chosen on a time split, validation accuracy {:.4}; {} iterations)",
            engine.doctrine.name(),
            a.doctrine.display(),
            r.used,
            fit.from,
            fit.to,
            out.candidates,
            out.advisor.doctrine.branches().votes.peers.len(),
            r.lambda_peers,
            r.validation,
            r.iterations
        )?;
        if r.forbidden_actual > 0 {
            writeln!(
                w,
                "note: {} case(s) left out: a root forbids what {subject} did",
                r.forbidden_actual
            )?;
        }
        line(w, "in sample", &out.train)?;
        match &out.test {
            Some(t) => line(w, &format!("held out ({until} on)"), t)?,
            None => writeln!(w, "held out: no case dated {until} or later")?,
        }
        match &a.output {
            Some(o) => writeln!(w, "wrote {}", o.display())?,
            None => writeln!(w, "(give -o FILE to write the fitted doctrine)")?,
        }
        Ok(())
    })
}
