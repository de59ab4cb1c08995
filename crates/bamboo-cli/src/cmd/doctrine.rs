//! `bamboo doctrine check D`: validates a doctrine (and the ledger it names) against every
//! vocabulary, and prints which roots can forbid each kind × option, so what a doctrine
//! "never allows" can be read at a glance.

use std::path::PathBuf;

use anyhow::{Context, Result};
use bamboo_core::case::Kind;
use bamboo_core::doctrine::{Clause, PartyCond};

use crate::output::write_to;
use crate::Cli;

#[derive(clap::Subcommand, Debug)]
pub enum Doctrine {
    /// Check a doctrine file and show what its roots forbid.
    Check(CheckArgs),
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The doctrine file.
    #[arg(value_name = "FILE")]
    pub doctrine: PathBuf,
}

/// The conditions of a clause beyond its kind and option, in words ("always" if none).
fn conditions(c: &Clause) -> String {
    let mut v = Vec::new();
    let tags = |name: &str, s: bamboo_core::case::TagSet, v: &mut Vec<String>| {
        if !s.is_empty() {
            let t: Vec<_> = s.iter().map(|t| t.as_str()).collect();
            v.push(format!("{name} {}", t.join("|")));
        }
    };
    tags("tags any of", c.tags_any, &mut v);
    tags("tags all of", c.tags_all, &mut v);
    tags("tags none of", c.tags_none, &mut v);
    if c.target != PartyCond::Any {
        v.push(format!("target {}", c.target.as_str()));
    }
    if !c.target_in.is_empty() {
        let t: Vec<_> = c.target_in.iter().map(|x| x.to_string()).collect();
        v.push(format!("target in {}", t.join("|")));
    }
    if c.counterpart != PartyCond::Any {
        v.push(format!("counterpart {}", c.counterpart.as_str()));
    }
    if !c.counterpart_in.is_empty() {
        let t: Vec<_> = c.counterpart_in.iter().map(|x| x.to_string()).collect();
        v.push(format!("counterpart in {}", t.join("|")));
    }
    if !c.tiers.is_empty() {
        let t: Vec<_> = c.tiers.iter().map(|x| x.as_str()).collect();
        v.push(format!("tier {}", t.join("|")));
    }
    if c.against_target {
        v.push("acting against the target".into());
    }
    if c.sides_in_split {
        v.push("siding with one pole against another".into());
    }
    if v.is_empty() {
        "always".into()
    } else {
        format!("if {}", v.join(", "))
    }
}

pub fn run(_cli: &Cli, cmd: &Doctrine) -> Result<()> {
    let Doctrine::Check(args) = cmd;
    let d = bamboo_data::doctrine::read_doctrine(&args.doctrine)?;
    let ledger = match bamboo_data::doctrine::ledger_path(&args.doctrine, &d.doctrine) {
        Some(p) => {
            let l = bamboo_data::ledger::read_ledger(&p)?;
            Some((p, l.events().len()))
        }
        None => None,
    };
    let doc = &d.doctrine;
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
            d.actors.len()
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
