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
    let balance::Computed {
        data,
        subject,
        poles,
        rows,
        by,
        metric,
        ..
    } = balance::compute(cli, args)?;
    let svg = bamboo_server::charts::balance_chart_svg(
        &data.countries,
        &data.provenance(),
        subject,
        &poles,
        &rows,
        metric,
        by,
    );
    write_to(output, |w| {
        w.write_all(svg.as_bytes())?;
        Ok(())
    })
}

fn simulate_chart(
    sim: &crate::cmd::simulate::SimArgs,
    output: Option<&std::path::Path>,
) -> Result<()> {
    use crate::cmd::simulate::RunWithBar;
    let prep = crate::cmd::simulate::Prepared::new(&sim.world, sim.doctrines.as_deref())?;
    let r = prep.run(&prep.world, sim.config(), sim.quiet)?;
    let svg = bamboo_server::charts::simulation_chart_svg(&r, &prep.world);
    write_to(output, |out| {
        out.write_all(svg.as_bytes())?;
        Ok(())
    })
}
