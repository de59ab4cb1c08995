//! `bamboo advise --doctrine D CASEFILE [--json] [--trace] [--no-data]`: what the doctrine
//! advises for each case, with the roots that ruled options out, the branch terms, the
//! multi-pillar plan and the lean. Also the loading of the [`Engine`] that `backtest`
//! uses; the engine itself is `bamboo_data::advisor::Advisor`, which the server shares.

use std::io::Write;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use anyhow::{Context, Result};
use bamboo_core::case::Case;
use bamboo_core::engine::{Advice, Trace};
use bamboo_data::advisor::Advisor;
use bamboo_data::DataDir;

use crate::output::write_to;
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The doctrine file (TOML, see docs/doctrine.md).
    /// A file, or the name of a shipped doctrine (vietnam, india, indonesia, align-usa,
    /// bandwagon-china, neutral), read from ./data.
    #[arg(long, value_name = "FILE|NAME", value_parser = crate::ledger_setup::doctrine_arg)]
    pub doctrine: PathBuf,
    /// The case file (TOML, see shared/spec/cases.md).
    #[arg(value_name = "CASEFILE")]
    pub cases: PathBuf,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Print JSON exactly in the shape of shared/spec/cases.md.
    #[arg(long)]
    pub json: bool,
    /// With --json, add a `trace` object to each answer: every input and term as data.
    #[arg(long, requires = "json")]
    pub trace: bool,
}

/// Flags shared by `advise` and `backtest`.
#[derive(clap::Args, Debug, Default)]
pub struct EngineArgs {
    /// Answer from the ledger alone, without the data folder (UN votes, trade, arms).
    #[arg(long)]
    pub no_data: bool,
    /// The ledger file; default: the one the doctrine names.
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
}

/// A doctrine, its ledger and the public data, ready to answer cases (shared with the
/// server's `POST /api/advise`).
pub type Engine = Advisor;

/// Reads the doctrine, its ledger and (unless `--no-data`) the data folder. An explicit
/// `--data` that cannot be read is an error; a data folder that cannot be found by default
/// means the engine answers from the ledger alone, and says so.
pub fn load_engine(cli: &Cli, doctrine: &Path, args: &EngineArgs) -> Result<Engine> {
    let mut engine = Advisor::open(doctrine, args.ledger.as_deref())?;
    if args.no_data {
        engine.provenance = "answering from the ledger alone (--no-data)".into();
        return Ok(engine);
    }
    let explicit = cli.data.is_some()
        || std::env::var(bamboo_data::locate::ENV_VAR).is_ok_and(|v| !v.is_empty());
    let dir = match DataDir::from_env(cli.data.as_deref()) {
        Ok(dir) => dir,
        Err(e) if !explicit => {
            engine.provenance = format!("answering from the ledger alone: {e}");
            return Ok(engine);
        }
        Err(e) => return Err(e.into()),
    };
    let (store, countries, _, _) =
        bamboo_data::cache::load_store(&dir, &cli.votes, &crate::load::cache_dir(cli))?;
    Ok(engine.with_data(&dir, Arc::new(store), &countries)?)
}

#[derive(serde::Serialize)]
struct Traced<'a> {
    #[serde(flatten)]
    advice: &'a Advice,
    trace: &'a Trace,
}

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    // Start-up (doctrine, vote store, record index) and reading the cases are independent:
    // run them side by side. Errors come in the order they would one after the other.
    let (engine, cases) = rayon::join(
        || load_engine(cli, &args.doctrine, &args.engine),
        || bamboo_data::case::read_cases(&args.cases),
    );
    let engine = engine?;
    let cases = cases?;
    let located = |e| crate::case_errors::locate_case_error(e, std::slice::from_ref(&args.cases));
    // Without data the text output says so in its `inputs:` line; JSON has no such line,
    // so the note goes to stderr then (once, not in both).
    let note = || {
        if engine.votes.is_none() && args.json {
            crate::output::note!("bamboo: note: {}", engine.provenance);
        }
    };
    if args.json && !args.trace {
        // The advice alone: no trace is built, since none is printed, and the answers are
        // written a chunk at a time. A case about another subject, the only error an answer
        // can have, is found before anything is written.
        engine.check_subjects(&cases).map_err(located)?;
        note();
        return write_to(None, |w| {
            Ok(engine.write_advice_json_with(&cases, &engine.ledger, w)?)
        })
        .context("writing the advice");
    }
    let answers = engine.advise_all(&cases).map_err(located)?;
    note();
    write_to(None, |w| {
        if args.json {
            let v: Vec<Traced> = answers
                .iter()
                .map(|(a, t)| Traced {
                    advice: a,
                    trace: t,
                })
                .collect();
            w.write_all((serde_json::to_string_pretty(&v)? + "\n").as_bytes())?;
        } else {
            writeln!(
                w,
                "doctrine: {} ({})\ninputs: {}\n",
                engine.doctrine.name(),
                args.doctrine.display(),
                engine.provenance
            )?;
            for ((a, t), c) in answers.iter().zip(&cases) {
                render_text(w, c, a, t)?;
            }
        }
        Ok(())
    })
    .context("writing the advice")
}

/// The readable account of one answer.
pub fn render_text(w: &mut dyn Write, c: &Case, a: &Advice, t: &Trace) -> Result<()> {
    writeln!(w, "== {} ({}, {}): {}", c.id, c.kind, c.date, c.title)?;
    let flag = if t.forced {
        "  [NO ADMISSIBLE OPTION: least-violating choice]"
    } else {
        ""
    };
    writeln!(w, "choice: {}{flag}", a.choice)?;
    for o in &t.options {
        let roots = if o.violations.is_empty() {
            "admissible".to_string()
        } else {
            format!(
                "forbidden by {}",
                o.violations
                    .iter()
                    .map(|h| format!("{} ({})", h.root, h.clause))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        };
        let terms: Vec<String> = o
            .terms
            .iter()
            .map(|x| format!("{} {:+.4}", x.name, x.value))
            .collect();
        writeln!(
            w,
            "  {:<8} score {:>8.4}  [{}]  {roots}",
            o.option.as_str(),
            o.score,
            terms.join(", ")
        )?;
        for x in o.terms.iter().filter(|x| x.value != 0.0) {
            writeln!(w, "             {}: {}", x.name, x.detail)?;
        }
    }
    if !t.measure.is_empty() {
        let m: Vec<String> = t
            .measure
            .iter()
            .map(|x| format!("{} {:+.4}", x.name, x.value))
            .collect();
        writeln!(w, "  measure: {}", m.join(", "))?;
    }
    match (a.lean.before, a.lean.after) {
        (Some(b), Some(f)) => writeln!(w, "lean: {b:.4} -> {f:.4}")?,
        _ => writeln!(w, "lean: undefined (no signal had data)")?,
    }
    for r in &t.inputs.signals {
        let vals: Vec<String> = r
            .values
            .iter()
            .map(|(p, v)| format!("{p} {v:.3}"))
            .collect();
        writeln!(
            w,
            "  signal {:<6} w {:<5} {}{}",
            r.signal.as_str(),
            r.weight,
            if r.available {
                vals.join(", ")
            } else {
                "unavailable".into()
            },
            format_args!(" ({})", r.source)
        )?;
    }
    if !a.plan.is_empty() {
        writeln!(w, "plan:")?;
        for p in &a.plan {
            writeln!(w, "  [{} -> {}] {}", p.pillar, p.toward, p.action)?;
        }
    }
    for n in &t.inputs.notes {
        writeln!(w, "note: {n}")?;
    }
    writeln!(w)?;
    Ok(())
}
