//! `bamboo chart …`: charts drawn by `bamboo-report` and written as SVG files. The balance
//! chart is built by the same function that serves `/api/chart/balance/{iso3}.svg`.

use std::path::PathBuf;

use anyhow::Result;

use crate::cmd::balance;
use crate::output::write_to;
use crate::Cli;

#[derive(clap::Subcommand, Debug)]
pub enum Chart {
    /// A line chart of a state's alignment with each pole over time.
    Balance {
        #[command(flatten)]
        args: balance::Args,
        /// The SVG file to write (default: stdout).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// A fan chart of the subject's lean over time per doctrine, beside the distributions
    /// of every outcome.
    Simulate {
        #[command(flatten)]
        sim: crate::cmd::simulate::SimArgs,
        /// The SVG file to write (default: stdout).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

pub fn run(cli: &Cli, chart: &Chart) -> Result<()> {
    match chart {
        Chart::Balance { args, output } => balance_chart(cli, args, output.as_deref()),
        Chart::Simulate { sim, output } => simulate_chart(sim, output.as_deref()),
    }
}

fn balance_chart(cli: &Cli, args: &balance::Args, output: Option<&std::path::Path>) -> Result<()> {
    let c = balance::compute(cli, args)?;
    if c.boot.is_some() {
        anyhow::bail!("chart balance draws no intervals; use `bamboo balance --ci 90` for them, or leave --ci out");
    }
    let provenance = c.data.provenance();
    let svg = if c.subjects.len() == 1 && c.average.is_none() && c.group.is_none() {
        bamboo_server::charts::balance_chart_svg(
            &c.data.countries,
            &provenance,
            c.subjects[0].state,
            &c.poles,
            &c.subjects[0].rows,
            c.metric,
            c.by,
        )
    } else {
        let mut panels: Vec<(
            String,
            bamboo_core::Iso3,
            Vec<bamboo_core::alignment::BalanceRow>,
        )> = Vec::new();
        if let (Some(rows), Some(g)) = (&c.average, &c.group) {
            panels.push((
                format!("{} mean of its members", g.code),
                c.poles[0],
                rows.iter()
                    .map(|(p, m, s)| mean_as_row(p, m.len(), s, &c.poles))
                    .collect(),
            ));
        }
        for s in &c.subjects {
            panels.push((
                format!("{} ({})", c.data.countries.short_name(s.state), s.state),
                s.state,
                s.rows.clone(),
            ));
        }
        let mut note = String::new();
        if !c.selection.filter.is_all() {
            note.push_str(&format!("{}. ", c.selection.filter.label()));
        }
        if let Some(g) = &c.group {
            note.push_str(&format!("{}. ", g.definition()));
        }
        bamboo_server::charts::balance_multiples_svg(
            &c.data.countries,
            &provenance,
            &panels,
            &c.poles,
            c.metric,
            c.by,
            &note,
        )
    };
    write_to(output, |w| {
        w.write_all(svg.as_bytes())?;
        Ok(())
    })
}

/// A group's mean in one span, as a balance row (n = the members averaged).
fn mean_as_row(
    p: &bamboo_core::atlas::Period,
    members: usize,
    s: &bamboo_core::atlas::Summary,
    poles: &[bamboo_core::Iso3],
) -> bamboo_core::alignment::BalanceRow {
    bamboo_core::alignment::BalanceRow {
        from: p.from,
        to: p.to,
        roll_calls: 0,
        n: poles.iter().map(|&q| (q, members as u32)).collect(),
        reading: bamboo_core::balance::BalanceReading {
            alignments: poles
                .iter()
                .zip(&s.alignments)
                .map(|(&q, e)| (q, e.value))
                .collect(),
            lean: s.lean.value,
            balance: s.balance.value,
            toward: s.toward,
        },
    }
}

fn simulate_chart(
    sim: &crate::cmd::simulate::SimArgs,
    output: Option<&std::path::Path>,
) -> Result<()> {
    let prep = crate::cmd::simulate::Prepared::new(&sim.world, sim.doctrines.as_deref())?;
    let r = prep.run(&prep.world, sim.config(), sim.quiet)?;
    let svg = bamboo_server::charts::simulation_chart_svg(&r, &prep.world);
    write_to(output, |out| {
        out.write_all(svg.as_bytes())?;
        Ok(())
    })
}
