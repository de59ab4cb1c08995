//! `bamboo advise --doctrine D CASEFILE [--json] [--trace] [--no-data]`: what the doctrine
//! advises for each case, with the roots that ruled options out, the branch terms, the
//! multi-pillar plan and the lean. Also the shared [`Engine`] that `backtest` uses.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use bamboo_core::case::Case;
use bamboo_core::doctrine::CompiledDoctrine;
use bamboo_core::engine::{build_context, decide, explain, Advice, Evidence, Situation, Trace};
use bamboo_core::flows::Flows;
use bamboo_core::ledger::Ledger;
use bamboo_core::VoteStore;
use bamboo_data::DataDir;

use crate::output::write_to;
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The doctrine file (TOML, see docs/doctrine.md).
    #[arg(long, value_name = "FILE")]
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
#[derive(clap::Args, Debug)]
pub struct EngineArgs {
    /// Answer from the ledger alone, without the data folder (UN votes, trade, arms).
    #[arg(long)]
    pub no_data: bool,
    /// The ledger file; default: the one the doctrine names.
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
}

/// A doctrine, its ledger and the public data, ready to answer cases.
pub struct Engine {
    pub doctrine: CompiledDoctrine,
    pub ledger: Ledger,
    pub votes: Option<VoteStore>,
    pub trade: Option<Flows>,
    pub arms: Option<Flows>,
    /// Where the data came from, or why there is none.
    pub provenance: String,
}

impl Engine {
    /// Reads the doctrine, its ledger and (unless `--no-data`) the data folder. An explicit
    /// `--data` that cannot be read is an error; a data folder that cannot be found by
    /// default means the engine answers from the ledger alone, and says so.
    pub fn load(cli: &Cli, doctrine: &Path, args: &EngineArgs) -> Result<Engine> {
        let d = bamboo_data::doctrine::read_doctrine(doctrine)?;
        let ledger_path = args
            .ledger
            .clone()
            .or_else(|| bamboo_data::doctrine::ledger_path(doctrine, &d.doctrine));
        let ledger = match &ledger_path {
            Some(p) => bamboo_data::ledger::read_ledger(p)?,
            None => Ledger::default(),
        };
        if let Some(s) = ledger.subject {
            if s != d.subject() {
                bail!(
                    "{}: the ledger is about {s} but the doctrine's subject is {}",
                    ledger_path.unwrap_or_default().display(),
                    d.subject()
                );
            }
        }
        let mut engine = Engine {
            doctrine: d,
            ledger,
            votes: None,
            trade: None,
            arms: None,
            provenance: String::new(),
        };
        if args.no_data {
            engine.provenance =
                "no data folder (--no-data): answering from the ledger alone".into();
            return Ok(engine);
        }
        let explicit = cli.data.is_some()
            || std::env::var(bamboo_data::locate::ENV_VAR).is_ok_and(|v| !v.is_empty());
        let dir = match DataDir::from_env(cli.data.as_deref()) {
            Ok(dir) => dir,
            Err(e) if !explicit => {
                engine.provenance =
                    format!("no data folder ({e}): answering from the ledger alone");
                return Ok(engine);
            }
            Err(e) => return Err(e.into()),
        };
        let (store, countries, _) = bamboo_data::votes::load_store(&dir, &cli.votes)?;
        let subject = engine.doctrine.subject();
        engine.trade = bamboo_data::trade::read_trade(&dir.root, subject)?;
        engine.arms = bamboo_data::arms::read_arms(&dir.root, &countries, subject)?;
        engine.votes = Some(store);
        engine.provenance = format!("data folder {} (from {})", dir.root.display(), dir.how);
        Ok(engine)
    }

    pub fn evidence(&self) -> Evidence<'_> {
        Evidence {
            votes: self.votes.as_ref(),
            trade: self.trade.as_ref(),
            arms: self.arms.as_ref(),
        }
    }

    /// Answers one case.
    pub fn advise(&self, case: &Case) -> Result<(Advice, Trace)> {
        let d = &self.doctrine;
        if case.subject != d.subject() {
            bail!(
                "case `{}` is about {} but the doctrine `{}` is about {}",
                case.id,
                case.subject,
                d.doctrine.name,
                d.subject()
            );
        }
        let s = Situation::new(d, case);
        let (cx, inputs) = build_context(d, &self.ledger, &self.evidence(), case.date);
        let dec = decide(d, &s, &cx);
        Ok(explain(d, case, &s, &inputs, &dec))
    }
}

#[derive(serde::Serialize)]
struct Traced<'a> {
    #[serde(flatten)]
    advice: &'a Advice,
    trace: &'a Trace,
}

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    let engine = Engine::load(cli, &args.doctrine, &args.engine)?;
    let cases = bamboo_data::case::read_cases(&args.cases)?;
    let answers = cases
        .iter()
        .map(|c| engine.advise(c))
        .collect::<Result<Vec<_>>>()?;
    if engine.votes.is_none() {
        eprintln!("bamboo: note: {}", engine.provenance);
    }
    write_to(None, |w| {
        if args.json {
            let text = if args.trace {
                let v: Vec<Traced> = answers
                    .iter()
                    .map(|(a, t)| Traced {
                        advice: a,
                        trace: t,
                    })
                    .collect();
                serde_json::to_string_pretty(&v)?
            } else {
                let v: Vec<&Advice> = answers.iter().map(|(a, _)| a).collect();
                serde_json::to_string_pretty(&v)?
            };
            writeln!(w, "{text}")?;
        } else {
            writeln!(
                w,
                "doctrine: {} ({})\ninputs: {}\n",
                engine.doctrine.doctrine.name,
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
