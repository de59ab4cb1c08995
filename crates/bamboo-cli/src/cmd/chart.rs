//! `bamboo chart …`: charts drawn by `bamboo-report` and written as SVG files. The chart is
//! built by the same function that serves `/api/chart/balance/{iso3}.svg`.

use std::path::PathBuf;

use anyhow::Result;

use crate::cmd::balance;
use crate::common::{parse_by, parse_metric};
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
}

pub fn run(cli: &Cli, chart: &Chart) -> Result<()> {
    match chart {
        Chart::Balance { args, output } => balance_chart(cli, args, output.as_deref()),
    }
}

fn balance_chart(cli: &Cli, args: &balance::Args, output: Option<&std::path::Path>) -> Result<()> {
    let (data, subject, poles, rows) = balance::compute(cli, args)?;
    let svg = bamboo_server::charts::balance_chart_svg(
        &data.countries,
        &data.provenance(),
        subject,
        &poles,
        &rows,
        parse_metric(&args.metric)?,
        parse_by(&args.by)?,
    );
    write_to(output, |w| {
        w.write_all(svg.as_bytes())?;
        Ok(())
    })
}
