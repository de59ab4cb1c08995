//! `bamboo simulate`: many seeded futures of great-power pressure, the subject's doctrine
//! against others, every choice made by the real doctrine engine (`bamboo-sim`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use bamboo_core::doctrine::CompiledDoctrine;
use bamboo_sim::{simulate, SimConfig, SimDoctrines, SimReport, Summary, World};

use crate::output::{table, write_to};
use crate::Cli;

/// What to simulate: shared by `simulate` and `chart simulate`.
#[derive(clap::Args, Debug, Clone)]
pub struct SimArgs {
    /// The world: a shipped name (default) or a world file.
    #[arg(long, value_name = "NAME|FILE", default_value = "default")]
    pub world: String,
    /// The doctrines to compare for the subject, comma-separated: shipped names or files
    /// (default: the world's `compare` list).
    #[arg(long, value_name = "A,B,...")]
    pub doctrines: Option<String>,
    /// Runs per doctrine (the same seeds for each doctrine).
    #[arg(long, default_value_t = 1000)]
    pub runs: u32,
    /// Years per run.
    #[arg(long, default_value_t = 30)]
    pub years: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// No progress bar (there is none either when stderr is not a terminal).
    #[arg(long)]
    pub quiet: bool,
}

impl SimArgs {
    pub fn config(&self) -> SimConfig {
        SimConfig {
            runs: self.runs,
            years: self.years,
            seed: self.seed,
        }
    }
}

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    #[command(flatten)]
    pub sim: SimArgs,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// A sensitivity sweep over one world parameter, e.g. `polarisation=0.2,0.5,0.8`; writes
    /// a tidy CSV.
    #[arg(long, value_name = "KEY=V1,V2,...")]
    pub sweep: Option<String>,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn is_path(spec: &str) -> bool {
    spec.ends_with(".toml") || spec.contains('/') || spec.contains('\\')
}

/// Loads a doctrine by shipped name or path; the name is the file stem for paths.
pub fn load_doctrine(spec: &str) -> Result<(String, CompiledDoctrine)> {
    let spec = spec.trim();
    // `NAME:no-plan`: the same doctrine without its move catalogue: it decides alike and
    // plans no offsets (to compare "decide and plan" with "decide only").
    if let Some(base) = spec.strip_suffix(":no-plan") {
        let (_, d) = load_doctrine(base)?;
        let mut doc = d.doctrine.clone();
        doc.trunk.moves.clear();
        let d = CompiledDoctrine::new(doc).map_err(|e| anyhow::anyhow!("{spec}: {e}"))?;
        return Ok((spec.to_string(), d));
    }
    if is_path(spec) {
        let d = bamboo_data::doctrine::read_doctrine(Path::new(spec))?;
        let name = Path::new(spec)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(spec)
            .to_string();
        return Ok((name, d));
    }
    match bamboo_data::shipped::doctrine(spec) {
        Some((path, src)) => Ok((
            spec.to_string(),
            bamboo_data::doctrine::parse_compiled(Path::new(path), src)?,
        )),
        None => bail!(
            "unknown doctrine `{spec}`; use a shipped name ({}) or a path to a doctrine file",
            bamboo_data::shipped::doctrine_names().join(", ")
        ),
    }
}

/// Loads a world by shipped name or path, with where it came from and its text (to
/// locate later errors).
pub fn load_world(spec: &str) -> Result<(World, String, String)> {
    if is_path(spec) {
        let src = bamboo_data::toml_input::read(Path::new(spec))?;
        let w = bamboo_data::world::parse_world(Path::new(spec), &src)?;
        return Ok((w, spec.to_string(), src));
    }
    match bamboo_data::shipped::world(spec) {
        Some((path, src)) => Ok((
            bamboo_data::world::parse_world(Path::new(path), src)?,
            path.to_string(),
            src.to_string(),
        )),
        None => {
            bail!("unknown world `{spec}`; use a shipped name (default) or a path to a world file")
        }
    }
}

/// `file:line: key` of a doctrine name in a world file, for errors: the line that names it
/// under that key, else the key's first line, else the `[world]` header (line 1 without).
fn locate_in_world(file: &str, src: &str, key: &str, name: &str) -> String {
    let needle = format!("\"{name}\"");
    let lines: Vec<&str> = src.lines().collect();
    let line = lines
        .iter()
        .position(|l| l.trim_start().starts_with(key) && l.contains(&needle))
        .or_else(|| lines.iter().position(|l| l.trim_start().starts_with(key)))
        .or_else(|| lines.iter().position(|l| l.trim() == "[world]"))
        .map_or(1, |i| i + 1);
    format!("{file}:{line}: key `{key}`")
}

/// A world with its doctrines compiled, ready to simulate.
pub struct Prepared {
    pub world: World,
    /// Every doctrine needed, by name: the compared ones, the states' and the yardstick.
    pub compiled: Vec<(String, CompiledDoctrine)>,
    pub compared: Vec<String>,
}

impl Prepared {
    pub fn new(world: &str, doctrines: Option<&str>) -> Result<Prepared> {
        let (world, file, src) = load_world(world)?;
        let compared: Vec<String> = match doctrines {
            Some(list) => list
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            None => world.compare.clone(),
        };
        if compared.is_empty() {
            bail!(
                "{}: lists no doctrine to compare: list them in the world's `compare` or pass --doctrines A,B",
                locate_in_world(&file, &src, "compare", "")
            );
        }
        // Every doctrine needed, each spec loaded once, with where it was named.
        let mut wanted: Vec<(String, String)> = Vec::new();
        for spec in &compared {
            let whence = match doctrines {
                Some(_) => "--doctrines".to_string(),
                None => locate_in_world(&file, &src, "compare", spec),
            };
            wanted.push((spec.clone(), whence));
        }
        for s in &world.states {
            wanted.push((
                s.doctrine.clone(),
                locate_in_world(&file, &src, "doctrine", &s.doctrine),
            ));
        }
        wanted.push((
            world.yardstick.clone(),
            locate_in_world(&file, &src, "yardstick", &world.yardstick),
        ));
        let mut compiled: Vec<(String, CompiledDoctrine)> = Vec::new();
        for (spec, whence) in wanted {
            if compiled.iter().any(|(n, _)| *n == spec) {
                continue;
            }
            let (_, d) = load_doctrine(&spec).with_context(|| whence.clone())?;
            compiled.push((spec, d));
        }
        Ok(Prepared {
            world,
            compiled,
            compared,
        })
    }

    fn get(&self, spec: &str) -> &CompiledDoctrine {
        &self
            .compiled
            .iter()
            .find(|(n, _)| n == spec)
            .expect("compiled above")
            .1
    }

    /// The doctrines as the simulator takes them. Compared doctrines are named by their
    /// shipped name or file stem.
    pub fn doctrines(&self) -> SimDoctrines<'_> {
        SimDoctrines {
            compared: self
                .compared
                .iter()
                .map(|spec| {
                    let name = if is_path(spec) {
                        Path::new(spec)
                            .file_stem()
                            .and_then(|s| s.to_str())
                            .unwrap_or(spec)
                            .to_string()
                    } else {
                        spec.clone()
                    };
                    (name, self.get(spec))
                })
                .collect(),
            states: self
                .world
                .states
                .iter()
                .map(|s| self.get(&s.doctrine))
                .collect(),
            yardstick: self.get(&self.world.yardstick),
        }
    }

    /// Runs the simulation with a progress bar on a terminal (none when `quiet`).
    pub fn run(&self, world: &World, cfg: SimConfig, quiet: bool) -> Result<SimReport> {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            indicatif::ProgressBar::hidden()
        } else {
            let b = indicatif::ProgressBar::new(u64::from(cfg.runs));
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} simulating [{bar:40}] {pos}/{len} runs ({eta} left)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b
        };
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
        let rows = vec![
            outcome_rows(&o.economic_gain, "economic gain (points)", 1, false),
            outcome_rows(&o.incidents, "incidents suffered", 1, false),
            outcome_rows(&o.breaks, "relationship breaks", 2, false),
            outcome_rows(&o.autonomy, "autonomy (roots kept)", 1, true),
            outcome_rows(&o.final_lean, "lean, final year", 3, false),
        ];
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

/// Parses `key=v1,v2,...`.
pub fn parse_sweep(s: &str) -> Result<(String, Vec<f64>)> {
    let (key, values) = s.split_once('=').with_context(|| {
        format!("--sweep `{s}`: expected KEY=V1,V2,... such as polarisation=0.2,0.5,0.8")
    })?;
    let vals = values
        .split(',')
        .map(|v| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .with_context(|| format!("--sweep {key}: `{}` is not a number", v.trim()))
        })
        .collect::<Result<Vec<_>>>()?;
    if vals.is_empty() || vals.len() > 50 {
        bail!("--sweep {key}: give 1 to 50 values");
    }
    Ok((key.trim().to_string(), vals))
}

pub fn run(_cli: &Cli, args: &Args) -> Result<()> {
    let prep = Prepared::new(&args.sim.world, args.sim.doctrines.as_deref())?;
    let cfg = args.sim.config();
    if let Some(sweep) = &args.sweep {
        let (key, values) = parse_sweep(sweep)?;
        // Check every value before running any.
        let worlds = values
            .iter()
            .map(|&v| {
                let mut w = prep.world.clone();
                w.set(&key, v).map(|_| w)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut csv = String::from("parameter,value,doctrine,outcome,mean,p5,p50,p95\n");
        for (v, w) in values.iter().zip(&worlds) {
            let r = prep.run(w, cfg, args.sim.quiet)?;
            for d in &r.doctrines {
                let o = &d.outcomes;
                for (name, s) in [
                    ("economic_gain", &o.economic_gain),
                    ("incidents", &o.incidents),
                    ("breaks", &o.breaks),
                    ("autonomy", &o.autonomy),
                    ("final_lean", &o.final_lean),
                ] {
                    csv.push_str(&format!(
                        "{key},{v},{},{name},{},{},{},{}\n",
                        d.name, s.mean, s.p5, s.p50, s.p95
                    ));
                }
                csv.push_str(&format!("{key},{v},{},p_break,{},,,\n", d.name, o.p_break));
            }
        }
        return write_to(args.output.as_deref(), |w| {
            w.write_all(csv.as_bytes())?;
            Ok(())
        });
    }
    let report = prep.run(&prep.world, cfg, args.sim.quiet)?;
    write_to(args.output.as_deref(), |w| {
        if args.json {
            serde_json::to_writer_pretty(&mut *w, &report)?;
            writeln!(w)?;
        } else {
            w.write_all(render_text(&report, &prep.world).as_bytes())?;
        }
        Ok(())
    })
}
