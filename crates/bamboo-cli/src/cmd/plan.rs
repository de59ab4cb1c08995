//! `bamboo plan --doctrine D CASEFILE [--horizon 12m] [--json] [--aftermath]`: after the
//! engine's choice, the dated agenda of offsetting moves (`bamboo_core::plan`): which moves,
//! toward whom, carried by which pillars together, in what order and how soon, the lean
//! month by month with and without them, and two alternatives. `--aftermath` compares each
//! plan's first offset with what the subject did next according to its ledger.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use bamboo_core::plan::{courted_next, first_offset, Plan};

use crate::cmd::advise::{load_engine, EngineArgs};
use crate::output::write_to;
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The doctrine file (its `[[trunk.move]]` catalogue is what the planner schedules).
    /// A file, or the name of a shipped doctrine (vietnam, india, indonesia, align-usa,
    /// bandwagon-china, neutral), read from ./data.
    #[arg(long, value_name = "FILE|NAME", value_parser = crate::ledger_setup::doctrine_arg)]
    pub doctrine: PathBuf,
    /// Case files (TOML, shared/spec/cases.md).
    #[arg(value_name = "CASEFILE", required = true)]
    pub cases: Vec<PathBuf>,
    /// How far ahead: months, written `12m` or `12` (default: the doctrine's).
    #[arg(long, value_name = "MONTHS")]
    pub horizon: Option<String>,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// JSON: per case, the choice and the planner's full answer.
    #[arg(long)]
    pub json: bool,
    /// Score each plan's first offset against what the ledger says the subject did next
    /// (cases with `actual` only), beside courting the pole with the lowest relation.
    #[arg(long)]
    pub aftermath: bool,
}

/// `12m`, `12` → 12; 1 to 60.
pub fn parse_horizon(s: &str) -> Result<u32> {
    let t = s.trim();
    let n = t.strip_suffix('m').unwrap_or(t);
    match n.parse::<u32>() {
        Ok(m) if (1..=60).contains(&m) => Ok(m),
        _ => bail!("--horizon {s}: allowed 1 to 60 months, written 12m or 12"),
    }
}

fn path_line(label: &str, path: &[f64], bound: Option<f64>) -> String {
    let cells: Vec<String> = path
        .iter()
        .enumerate()
        .map(|(m, x)| {
            let over = bound.is_some_and(|b| *x > b + 1e-9);
            format!("{m}:{x:.3}{}", if over { "*" } else { "" })
        })
        .collect();
    format!("  {label:<14} {}", cells.join(" "))
}

fn render(w: &mut dyn Write, id: &str, choice: &str, p: &Plan) -> Result<()> {
    writeln!(w, "== {id}: choice {choice}")?;
    if p.displeased.is_empty() {
        writeln!(w, "  displeased poles: none")?;
    } else {
        let d: Vec<String> = p
            .displeased
            .iter()
            .map(|r| format!("{} (relation -{:.3})", r.pole, r.needed))
            .collect();
        writeln!(w, "  displeased poles: {}", d.join(", "))?;
    }
    match p.bound {
        Some(b) => writeln!(
            w,
            "  lean bound {b:.3} (max_lean, or the lean before the choice if higher); month:lean over {} months, * above the bound",
            p.horizon_months
        )?,
        None => writeln!(w, "  no lean signal has data: the plan restores relations only")?,
    }
    if !p.lean_without.is_empty() {
        writeln!(
            w,
            "{}",
            path_line("without moves", &p.lean_without, p.bound)
        )?;
    }
    if let Some(why) = &p.why_not {
        writeln!(
            w,
            "  no agenda meets every constraint: {why}; the closest is shown"
        )?;
    }
    if p.agendas.is_empty() && p.why_not.is_none() {
        writeln!(
            w,
            "  no offset needed: no pole is displeased and the lean stays within the bound"
        )?;
    }
    for a in &p.agendas {
        writeln!(
            w,
            "  agenda {} (cost {}, {} moves{}):",
            a.rank,
            a.cost,
            a.steps.len(),
            if a.within_bound {
                ""
            } else {
                ", lean above the bound"
            }
        )?;
        for st in &a.steps {
            writeln!(
                w,
                "    month {:>2} ({})  {:<7} -> {}  [{}]  {}",
                st.month,
                st.date,
                st.move_id,
                st.toward,
                bamboo_core::plan::pillar_names(&st.pillars),
                st.what
            )?;
            writeln!(w, "{:>20}why: {}", "", st.why)?;
        }
        if let Some(st) = a.steps.first() {
            writeln!(
                w,
                "{:>20}roots respected by every move: {}",
                "",
                st.roots_respected.join(", ")
            )?;
        }
        let r: Vec<String> = a
            .relations
            .iter()
            .map(|x| format!("{} {:.3}/{:.3}", x.pole, x.restored, x.needed))
            .collect();
        if !r.is_empty() {
            writeln!(w, "    relations restored/needed: {}", r.join(", "))?;
        }
        if !a.lean.is_empty() {
            writeln!(w, "{}", path_line("with moves", &a.lean, p.bound))?;
        }
    }
    for r in &p.ruled_out {
        writeln!(
            w,
            "  ruled out: {} toward {} (forbidden by {})",
            r.move_id,
            r.toward,
            r.roots.join(", ")
        )?;
    }
    writeln!(w)?;
    Ok(())
}

pub fn run(cli: &Cli, a: &Args) -> Result<()> {
    let horizon = a.horizon.as_deref().map(parse_horizon).transpose()?;
    let cases = bamboo_data::case::read_case_files(&a.cases)?;
    let mut engine = load_engine(cli, &a.doctrine, &a.engine)?;
    if engine.doctrine.trunk().moves.is_empty() {
        bail!(
            "{}: the doctrine has no [[trunk.move]] catalogue, so there is nothing to plan (see docs/planning.md)",
            a.doctrine.display()
        );
    }
    engine.horizon = horizon;
    let mut answers = Vec::with_capacity(cases.len());
    for c in &cases {
        answers.push(engine.plan_case(c)?);
    }
    let d = &engine.doctrine;
    let h = horizon.unwrap_or(d.trunk().planning.horizon_months);
    write_to(None, |w| {
        if a.aftermath {
            let (mut n, mut pole, mut kind, mut base) = (0, 0, 0, 0);
            writeln!(
                w,
                "aftermath: the plan's first offset against the next courting event in the ledger within {h} months (toward a pole the choice did not please)\n"
            )?;
            for (c, x) in cases.iter().zip(&answers) {
                if c.actual.is_none() {
                    continue;
                }
                let Some((next, cat, when, title)) =
                    courted_next(d, &engine.ledger, c.date, h, &x.pleased)
                else {
                    continue;
                };
                n += 1;
                let first = first_offset(d, &x.plan);
                let pm = first.is_some_and(|f| f.0 == next);
                let km = first.is_some_and(|f| f.0 == next && f.1 == cat);
                let bm = x.lowest == Some(next);
                pole += usize::from(pm);
                kind += usize::from(km);
                base += usize::from(bm);
                writeln!(
                    w,
                    "{}  next: {next} {cat} on {when} ({title})\n    plan: {}  baseline: {}",
                    c.id,
                    first.map_or("no offset".to_string(), |f| format!(
                        "{} {} in month {}{}",
                        f.0,
                        f.1,
                        f.2,
                        if pm { " (pole right)" } else { "" }
                    )),
                    x.lowest.map_or("none".into(), |p| format!(
                        "{p}{}",
                        if bm { " (right)" } else { "" }
                    ))
                )?;
            }
            let pct = |k: usize| if n == 0 { 0.0 } else { k as f64 / n as f64 };
            writeln!(
                w,
                "\ncases with an aftermath: {n}\nfirst offset to the pole courted next: {pole}/{n} = {:.3}\nand of the same kind: {kind}/{n} = {:.3}\nbaseline (court the pole with the lowest relation): {base}/{n} = {:.3}",
                pct(pole),
                pct(kind),
                pct(base)
            )?;
            return Ok(());
        }
        if a.json {
            w.write_all(bamboo_data::advisor::plan_json(&answers)?.as_bytes())?;
            return Ok(());
        }
        writeln!(
            w,
            "doctrine: {} ({}); horizon {h} months\ninputs: {}\n",
            d.name(),
            a.doctrine.display(),
            engine.provenance
        )?;
        for x in &answers {
            render(w, &x.advice.id, x.advice.choice.as_str(), &x.plan)?;
        }
        writeln!(
            w,
            "The planner: every multiset of at most {} moves of the doctrine's catalogue, each scheduled as early as its lead time and spacing allow, cheapest first; constraints: each displeased pole's relation restored, and the projected lean (the engine's composite, month by month, from what was known the day before) within the bound from the first month a move can act. docs/planning.md.",
            d.trunk().planning.max_moves
        )?;
        Ok(())
    })
    .context("writing the plans")
}
