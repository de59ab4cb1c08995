//! `bamboo sweep DESIGN -o DIR`: every point of a design (full factorial, Latin hypercube or
//! explicit points; `docs/sweeps.md`) simulated in turn with a progress bar, each point's
//! report and row written as soon as it is done, a rerun resuming where the last stopped.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;
use bamboo_data::design::Design;
use bamboo_data::sweep::{run_point, SweepDir};

use crate::output::note;
use crate::Cli;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The design file (TOML).
    #[arg(value_name = "DESIGN.toml")]
    pub design: PathBuf,
    /// The output directory: `points/NNNNNN.json` and `.csv` per point, `sweep.csv` at the
    /// end. A rerun into the same directory skips the points already written.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// No progress bar and no summary line.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(_cli: &Cli, args: &Args) -> Result<()> {
    let design = Design::read(&args.design)?;
    let dir = SweepDir::open(&args.output, &design)?;
    let todo: Vec<u64> = dir.todo().collect();
    let runs = u64::from(design.input.runs);
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        let b = indicatif::ProgressBar::new(todo.len() as u64 * runs);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} sweeping [{bar:40}] {msg} ({eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    };
    let total = design.len();
    for (i, &n) in todo.iter().enumerate() {
        bar.set_message(format!("point {}/{} of this run", i + 1, todo.len()));
        let p = design.point(n);
        let r = run_point(&design, &p, &|k| bar.inc(k))?;
        dir.write_point(&p, &r)?;
    }
    bar.finish_and_clear();
    let table = dir.finish()?;
    if !args.quiet {
        note!(
            "bamboo sweep: {total} points ({} run now, {} already done), table {}",
            todo.len(),
            total - todo.len() as u64,
            table.display()
        );
    }
    Ok(())
}
