//! `bamboo doctrine check D`: validates a doctrine (and the ledger it names) against every
//! vocabulary, and prints which roots can forbid each kind × option, so what a doctrine
//! "never allows" can be read at a glance.

use std::path::PathBuf;

use anyhow::{Context, Result};
use bamboo_core::case::Kind;
use bamboo_core::doctrine::Clause;

use crate::output::write_to;
use crate::Cli;

#[derive(clap::Subcommand, Debug)]
pub enum Doctrine {
    /// Check a doctrine file and show what its roots forbid.
    Check(CheckArgs),
    /// Fit a doctrine's vote branch to a state's record before a date (never its roots).
    Fit(Box<crate::cmd::fit::FitArgs>),
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The doctrine file.
    /// A file, or the name of a shipped doctrine (vietnam, india, indonesia, align-usa,
    /// bandwagon-china, neutral), read from ./data.
    #[arg(value_name = "FILE|NAME", value_parser = crate::ledger_setup::doctrine_arg)]
    pub doctrine: PathBuf,
}

/// A clause's conditions in words ("always" if none).
fn conditions(c: &Clause) -> String {
    let v = c.conditions();
    if v.is_empty() {
        "always".into()
    } else {
        format!("if {}", v.join(", "))
    }
}

pub fn run(cli: &Cli, cmd: &Doctrine) -> Result<()> {
    let args = match cmd {
        Doctrine::Check(args) => args,
        Doctrine::Fit(a) => return crate::cmd::fit::run(cli, a),
    };
    // Loaded exactly as `advise` loads it, so the check finds every error advise would.
    let engine = crate::cmd::advise::load_engine(cli, &args.doctrine, &Default::default())?;
    let d = &engine.doctrine;
    let ledger = bamboo_data::doctrine::ledger_path(&args.doctrine, d.doctrine())
        .map(|p| (p, engine.ledger.events().len()));
    let doc = d.doctrine();
    write_to(None, |w| {
        writeln!(w, "{}: ok", args.doctrine.display())?;
        writeln!(w, "doctrine: {} (subject {})", doc.name, doc.subject)?;
        let poles: Vec<_> = doc.poles.iter().map(|p| p.to_string()).collect();
        writeln!(w, "poles: {}", poles.join(", "))?;
        match ledger {
            Some((p, n)) => writeln!(w, "ledger: {} ({n} events): ok", p.display())?,
            None => writeln!(w, "ledger: none named")?,
        }
        let interests: Vec<_> = doc
            .branches
            .interests
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        writeln!(w, "interests: {}", interests.join(", "))?;
        writeln!(
            w,
            "{} roots, {} carrying steps, {} offsets, {} named states",
            doc.roots.len(),
            doc.trunk.carry.len(),
            doc.trunk.offsets.len(),
            d.actors().len()
        )?;
        writeln!(w, "\nwhat the roots forbid (kind x option):")?;
        for kind in Kind::ALL {
            for &o in kind.options() {
                let mut by = Vec::new();
                for r in &doc.roots {
                    for c in &r.clauses {
                        if c.kinds.contains(&kind) && c.options.contains(&o) {
                            by.push(format!("{} ({})", r.id, conditions(c)));
                        }
                    }
                }
                let what = if by.is_empty() {
                    "-".to_string()
                } else {
                    by.join("; ")
                };
                writeln!(w, "  {:<12} {:<8} {what}", kind.as_str(), o.as_str())?;
            }
        }
        Ok(())
    })
    .context("writing the check")
}
