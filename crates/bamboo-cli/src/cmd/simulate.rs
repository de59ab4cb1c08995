//! `bamboo simulate`: many seeded futures of great-power pressure, the subject's doctrine
//! against others, every choice made by the real doctrine engine (`bamboo-sim`).

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use bamboo_data::simulation::Sweep;
use bamboo_sim::{simulate, SimConfig, SimReport, Summary, World, OUTCOMES};

use crate::output::{table, write_to};
use crate::Cli;

/// What to simulate: shared by `simulate` and `chart simulate`.
#[derive(clap::Args, Debug, Clone)]
pub struct SimArgs {
    /// The world: a shipped name (default) or a world file.
    #[arg(long, value_name = "NAME|FILE", default_value = bamboo_data::simulation::DEFAULT_WORLD)]
    pub world: String,
    /// The doctrines to compare for the subject, comma-separated: shipped names or files
    /// (default: the world's `compare` list).
    #[arg(long, value_name = "A,B,...")]
    pub doctrines: Option<String>,
    /// Runs per doctrine (the same seeds for each doctrine).
    #[arg(long, default_value_t = SimConfig::DEFAULT.runs)]
    pub runs: u32,
    /// Years per run.
    #[arg(long, default_value_t = SimConfig::DEFAULT.years)]
    pub years: u32,
    #[arg(long, default_value_t = SimConfig::DEFAULT.seed)]
    pub seed: u64,
    /// Set a world parameter before simulating, e.g. `--set volatility=0.1` (repeatable;
    /// the names and ranges are those of `--sweep`, docs/simulation.md).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// No progress bar (there is none either when stderr is not a terminal).
    #[arg(long)]
    pub quiet: bool,
}

impl SimArgs {
    /// The world and doctrines named, read, with every `--set` applied (checked as a world
    /// file's value is).
    pub fn prepare(&self) -> Result<Prepared> {
        let mut prep = Prepared::new(&self.world, self.doctrines.as_deref())?;
        for s in &self.set {
            let (key, value) = s
                .split_once('=')
                .and_then(|(k, v)| Some((k.trim(), v.trim().parse::<f64>().ok()?)))
                .with_context(|| {
                    format!("--set `{s}`: expected KEY=VALUE with a number, such as volatility=0.1")
                })?;
            prep.set(key, value)
                .map_err(|e| anyhow::anyhow!("--set {e}"))?;
        }
        Ok(prep)
    }

    pub fn config(&self) -> SimConfig {
        SimConfig {
            runs: self.runs,
            years: self.years,
            seed: self.seed,
        }
    }
}

#[derive(clap::Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// A sensitivity sweep over one world parameter, e.g. `polarisation=0.2,0.5,0.8`; writes
    /// a tidy CSV, or with --json one report per value.
    #[arg(long, value_name = "KEY=V1,V2,...")]
    pub sweep: Option<String>,
    /// Run only slice K of N of the runs (1-based: 1/4 … 4/4) and write its partial
    /// report, for `bamboo simulate merge` (with --json).
    #[arg(long, value_name = "K/N", conflicts_with = "sweep")]
    pub shard: Option<String>,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum Action {
    /// Merge the partial reports of every shard (`--shard K/N --json`) into the report one
    /// process gives: byte for byte `bamboo simulate --json` with the same flags.
    Merge(MergeArgs),
}

#[derive(clap::Args, Debug, Clone)]
pub struct MergeArgs {
    /// The partial reports, in any order (every shard of one simulation, once).
    #[arg(required = true, value_name = "PART.json")]
    pub parts: Vec<PathBuf>,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Parses `--shard K/N`.
pub fn parse_shard(s: &str) -> Result<(u32, u32)> {
    let parsed = s
        .split_once('/')
        .and_then(|(k, n)| Some((k.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?)));
    match parsed {
        Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok((k, n)),
        _ => bail!(
            "--shard `{s}`: expected K/N with 1 <= K <= N, such as --shard 1/4 ... --shard 4/4"
        ),
    }
}

/// `bamboo simulate merge PART...`.
fn merge(args: &MergeArgs) -> Result<()> {
    let mut parts = Vec::with_capacity(args.parts.len());
    let mut labels = Vec::with_capacity(args.parts.len());
    for p in &args.parts {
        parts.push(bamboo_data::simulation::read_partial(p)?);
        labels.push(p.display().to_string());
    }
    let report = bamboo_data::simulation::merge_partials(&parts, &labels)?;
    write_to(args.output.as_deref(), |w| {
        w.write_all(bamboo_data::simulation::report_json(&report).as_bytes())?;
        Ok(())
    })
}

/// World and doctrine loading is shared with the Python package (`bamboo_data::simulation`).
pub use bamboo_data::simulation::Prepared;

/// The progress bar of a simulation on a terminal.
fn progress_bar(runs: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new(runs);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} simulating [{bar:40}] {pos}/{len} runs ({eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    b
}

/// Running a prepared simulation from the command line.
pub trait RunWithBar {
    /// Runs the simulation with a progress bar on a terminal (none when `quiet`).
    fn run(&self, world: &World, cfg: SimConfig, quiet: bool) -> Result<SimReport>;
}

impl RunWithBar for Prepared {
    fn run(&self, world: &World, cfg: SimConfig, quiet: bool) -> Result<SimReport> {
        let bar = progress_bar(u64::from(cfg.runs), quiet);
        let docs = self.doctrines();
        let report = simulate(world, &docs, &cfg, &|n| bar.inc(n))?;
        bar.finish_and_clear();
        Ok(report)
    }
}

fn cell(x: f64, dp: usize) -> String {
    format!("{x:.dp$}")
}

fn outcome_rows(s: &Summary, name: &str, dp: usize, pct: bool) -> Vec<String> {
    let f = |x: f64| {
        if pct {
            format!("{:.1}%", 100.0 * x)
        } else {
            cell(x, dp)
        }
    };
    vec![name.to_string(), f(s.mean), f(s.p5), f(s.p50), f(s.p95)]
}

/// The text report: a table per doctrine, then the reading and the definitions.
pub fn render_text(r: &SimReport, w: &World) -> String {
    let mut out = format!(
        "{}: {} under each doctrine, {} runs × {} years ({}-{}), seed {}, polarisation {:.2} → {:.2}\n{} engine decisions in all (every middle state, run and doctrine)\n",
        w.name,
        r.subject,
        r.runs,
        r.years,
        r.start_year,
        r.start_year + r.years as i32 - 1,
        r.seed,
        r.polarisation.0,
        r.polarisation.1,
        r.decisions
    );
    let headers: Vec<String> = ["outcome", "mean", "5%", "median", "95%"]
        .map(String::from)
        .to_vec();
    for d in &r.doctrines {
        out.push_str(&format!("\n{} ({} for {})\n", d.name, r.subject, d.name));
        let o = &d.outcomes;
        let rows: Vec<Vec<String>> = OUTCOMES
            .iter()
            .filter_map(|def| {
                let s = def.of(o)?;
                Some(outcome_rows(
                    s,
                    &def.label.to_lowercase(),
                    usize::from(def.decimals),
                    def.percent,
                ))
            })
            .collect();
        out.push_str(&table(&headers, &rows));
        out.push_str(&format!(
            "P(at least one break) = {:.1}%\n",
            100.0 * o.p_break
        ));
        if !d.others.is_empty() {
            let others: Vec<String> = d
                .others
                .iter()
                .map(|s| {
                    format!(
                        "{} ({}): gain {:+.1}, incidents {:.1}, P(break) {:.0}%",
                        s.iso3,
                        s.doctrine,
                        s.economic_gain,
                        s.incidents,
                        100.0 * s.p_break
                    )
                })
                .collect();
            out.push_str(&format!("neighbours, same runs: {}\n", others.join("; ")));
        }
    }
    out.push_str(&format!("\nReading: {}\n", r.reading));
    out.push_str(&format!(
        "\nDefinitions (docs/simulation.md): economic gain = cumulative points over the horizon (trade growth with each pole by its attitude, shared rewards for pleasing choices, coercion for displeasing ones, pacts, incident costs); incidents = acts against the subject's sovereignty; a break = a pole's attitude below {:.2}; autonomy = share of decisions keeping every root of the `{}` doctrine; lean = max − min of the composite alignment with the poles ({} weights). Intervals are 5th-95th percentiles over runs.\n",
        w.mechanics.floor, w.yardstick, w.yardstick
    ));
    out
}

pub fn run(_cli: &Cli, args: &Args) -> Result<()> {
    if let Some(Action::Merge(m)) = &args.action {
        return merge(m);
    }
    // A bad --shard fails before anything is read.
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    if shard.is_some() && !args.json {
        bail!(
            "--shard writes a partial report, which is JSON only: add --json (and -o part-K.json)"
        );
    }
    let prep = args.sim.prepare()?;
    let cfg = args.sim.config();
    if let Some((k, n)) = shard {
        let (lo, hi) = bamboo_sim::shard_range(cfg.runs, k, n)?;
        let bar = progress_bar(u64::from(hi - lo), args.sim.quiet);
        let part = prep.simulate_shard(&cfg, k, n, &|r| bar.inc(r))?;
        bar.finish_and_clear();
        return write_to(args.output.as_deref(), |w| {
            w.write_all(bamboo_data::simulation::partial_json(&part).as_bytes())?;
            Ok(())
        });
    }
    if let Some(sweep) = &args.sweep {
        let sweep = Sweep::parse(sweep)?;
        // Every value is checked before any runs.
        let worlds = sweep
            .worlds(&prep.world)
            .map_err(|e| anyhow::anyhow!("--sweep {e}"))?;
        let mut points = Vec::with_capacity(worlds.len());
        for (v, w) in sweep.values.iter().zip(&worlds) {
            points.push((*v, prep.run(w, cfg, args.sim.quiet)?));
        }
        let text = if args.json {
            // One report per value, each exactly what `simulate --json` prints for that world.
            bamboo_data::simulation::sweep_json(&sweep.parameter, &points)
        } else {
            bamboo_data::simulation::sweep_csv(&sweep.parameter, &points)
        };
        return write_to(args.output.as_deref(), |w| {
            w.write_all(text.as_bytes())?;
            Ok(())
        });
    }
    let report = prep.run(&prep.world, cfg, args.sim.quiet)?;
    write_to(args.output.as_deref(), |w| {
        if args.json {
            w.write_all(bamboo_data::simulation::report_json(&report).as_bytes())?;
        } else {
            w.write_all(render_text(&report, &prep.world).as_bytes())?;
        }
        Ok(())
    })
}
