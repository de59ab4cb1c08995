//! bamboo-sim: a seeded Monte Carlo simulation of great-power pressure in which the middle
//! states' choices come from the real doctrine engine. Pure: no I/O, no printing, no
//! global or unseeded randomness.
//!
//! [`simulate`] runs the same seeds through each compared doctrine for the subject state
//! (common random numbers), in parallel over fixed chunks of runs that are merged in
//! order, so the report is byte-identical on 1 thread or many; summaries are streamed, so
//! memory stays flat in the number of runs. [`simulate_shard`] runs one slice of the runs
//! and returns its partial state, and [`merge`] turns the partials of every slice into the
//! report one process would give, exactly (see `shard.rs`).
#![warn(missing_docs)]

pub mod events;
pub mod params;
pub mod rng;
pub mod run;
pub mod shard;
pub mod summary;
pub mod world;

use bamboo_core::doctrine::CompiledDoctrine;
use bamboo_core::Iso3;

pub use run::{run_once, Agent, RunResult};
pub use shard::{
    merge, merge_labelled, shard_range, simulate_shard, MergeError, Partial, ShardError,
};
pub use summary::{Sketch, UnitHist};
pub use world::{World, WorldError, WorldInput};

/// Runs per chunk: the unit of parallel work and of ordered merging.
pub const CHUNK: u32 = 32;
/// The most runs and years a simulation accepts.
pub const MAX_RUNS: u32 = 10_000_000;
/// The most years a simulation accepts (at least 1).
pub const MAX_YEARS: u32 = 200;

/// How much to simulate.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    /// Independent futures per compared doctrine, 1..=[`MAX_RUNS`]; every doctrine meets
    /// the same runs (common random numbers).
    pub runs: u32,
    /// Simulated years per run, 1..=[`MAX_YEARS`].
    pub years: u32,
    /// The seed every stream of draws is named from ([`rng`]): the same seed, the same
    /// report.
    pub seed: u64,
}

impl SimConfig {
    /// What `bamboo simulate`, a sweep design and `POST /api/simulate` run when they are
    /// not told: 1,000 runs of 30 years from seed 1.
    pub const DEFAULT: SimConfig = SimConfig {
        runs: 1000,
        years: 30,
        seed: 1,
    };
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig::DEFAULT
    }
}

/// Which way an outcome is better, for readings that name the best doctrine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// More is better (economic gain, autonomy).
    Higher,
    /// Less is better (incidents, breaks, lean, the chance of a break).
    Lower,
}

/// One reported outcome of a doctrine: its key in [`Outcomes`] and the report's JSON, and
/// how to show it. The list [`OUTCOMES`] is the one every table, chart and CSV of a
/// simulation follows (the dashboard reads it from the API).
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct OutcomeDef {
    /// The outcome's key: a field of [`Outcomes`] and of the report's JSON
    /// (`economic_gain`, `incidents`, `breaks`, `autonomy`, `final_lean`, `p_break`).
    pub name: &'static str,
    /// A label for tables and charts.
    pub label: &'static str,
    /// The unit, for an axis.
    pub unit: &'static str,
    /// Decimals to show (of the percentage when `percent`).
    pub decimals: u8,
    /// Whether the value, a fraction of 1, is shown as a percentage.
    pub percent: bool,
    /// The possible range, when there is one.
    pub range: Option<[f64; 2]>,
    /// Which way is better, for the reading that names the best doctrine.
    pub better: Better,
    /// Whether it has quantiles (a [`Summary`]); `p_break` is one probability.
    pub summary: bool,
}

impl OutcomeDef {
    /// The outcome's summary in a doctrine's outcomes (`None` for `p_break`).
    pub fn of<'a>(&self, o: &'a Outcomes) -> Option<&'a Summary> {
        match self.name {
            "economic_gain" => Some(&o.economic_gain),
            "incidents" => Some(&o.incidents),
            "breaks" => Some(&o.breaks),
            "autonomy" => Some(&o.autonomy),
            "final_lean" => Some(&o.final_lean),
            _ => None,
        }
    }

    /// The outcome's mean (for `p_break`, the probability).
    pub fn mean(&self, o: &Outcomes) -> f64 {
        self.of(o).map_or(o.p_break, |s| s.mean)
    }
}

/// The outcomes of a report, in the report's order.
pub const OUTCOMES: [OutcomeDef; 6] = [
    OutcomeDef {
        name: "economic_gain",
        label: "Economic gain (points)",
        unit: "points",
        decimals: 1,
        percent: false,
        range: None,
        better: Better::Higher,
        summary: true,
    },
    OutcomeDef {
        name: "incidents",
        label: "Incidents suffered",
        unit: "count",
        decimals: 1,
        percent: false,
        range: None,
        better: Better::Lower,
        summary: true,
    },
    OutcomeDef {
        name: "breaks",
        label: "Relationship breaks",
        unit: "count",
        decimals: 2,
        percent: false,
        range: None,
        better: Better::Lower,
        summary: true,
    },
    OutcomeDef {
        name: "autonomy",
        label: "Autonomy (roots kept)",
        unit: "share of roots kept",
        decimals: 1,
        percent: true,
        range: Some([0.0, 1.0]),
        better: Better::Higher,
        summary: true,
    },
    OutcomeDef {
        name: "final_lean",
        label: "Lean, final year",
        unit: "0 = equidistant",
        decimals: 3,
        percent: false,
        range: Some([0.0, 1.0]),
        better: Better::Lower,
        summary: true,
    },
    OutcomeDef {
        name: "p_break",
        label: "Chance of at least one break",
        unit: "probability",
        decimals: 1,
        percent: true,
        range: Some([0.0, 1.0]),
        better: Better::Lower,
        summary: false,
    },
];

/// The doctrines of a simulation, already compiled.
pub struct SimDoctrines<'a> {
    /// The doctrines compared for the subject, with their names.
    pub compared: Vec<(String, &'a CompiledDoctrine)>,
    /// Every state's doctrine, indexed like the world's states (the subject's entry is
    /// replaced by each compared doctrine in turn).
    pub states: Vec<&'a CompiledDoctrine>,
    /// The yardstick: its roots define autonomy, its lean weights the lean outcome.
    pub yardstick: &'a CompiledDoctrine,
}

/// Why a simulation cannot start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// `runs` is 0.
    #[error("--runs must be at least 1 (got {0})")]
    NoRuns(u32),
    /// `runs` is above [`MAX_RUNS`].
    #[error("--runs {0} is more than the limit of {MAX_RUNS}")]
    TooManyRuns(u32),
    /// `years` is outside 1..=[`MAX_YEARS`].
    #[error("--years must be between 1 and {MAX_YEARS} (got {0})")]
    Years(u32),
    /// [`SimDoctrines::compared`] is empty.
    #[error("no doctrine to compare")]
    NoDoctrines,
    /// A doctrine (compared, a state's or the yardstick) names other poles, or the same in
    /// another order, than the world.
    #[error("doctrine `{name}` has poles {found}, but the world's poles are {world}; a doctrine used in a world must name the same poles in the same order")]
    Poles {
        /// The doctrine's name.
        name: String,
        /// Its poles, comma-separated.
        found: String,
        /// The world's poles, comma-separated.
        world: String,
    },
    /// [`SimDoctrines::states`] is not one doctrine per state of the world.
    #[error("the world has {states} states but {doctrines} state doctrines were given")]
    StateCount {
        /// The world's middle states.
        states: usize,
        /// The state doctrines given.
        doctrines: usize,
    },
    /// The caller asked to stop (see [`simulate_until`]) before the simulation finished.
    #[error("the simulation was stopped before it finished")]
    Stopped,
}

/// Five quantiles of a yearly distribution over runs (the lean's, from a histogram of
/// 0.001-wide bins, so each within 0.0005), rounded to 6 decimals.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Band {
    /// The calendar year: the world's `start_year` plus the simulated year.
    pub year: i32,
    /// The 5th percentile.
    pub p5: f64,
    /// The 25th percentile.
    pub p25: f64,
    /// The median.
    pub p50: f64,
    /// The 75th percentile.
    pub p75: f64,
    /// The 95th percentile.
    pub p95: f64,
}

/// Mean and quantiles of an outcome over runs, each rounded to 6 decimals. The mean is
/// taken from an exact sum (the same on any number of threads or shards); the quantiles
/// come from a [`Sketch`] (0.5% relative accuracy, within the observed range). With no
/// runs, all are 0.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Summary {
    /// The mean over runs.
    pub mean: f64,
    /// The 5th percentile.
    pub p5: f64,
    /// The 25th percentile.
    pub p25: f64,
    /// The median.
    pub p50: f64,
    /// The 75th percentile.
    pub p75: f64,
    /// The 95th percentile.
    pub p95: f64,
    /// The smallest value of any run.
    pub min: f64,
    /// The largest value of any run.
    pub max: f64,
}

impl Summary {
    pub(crate) fn of(s: &Sketch) -> Summary {
        let q = |x| round6(s.quantile(x).unwrap_or(0.0));
        Summary {
            mean: round6(s.mean().unwrap_or(0.0)),
            p5: q(0.05),
            p25: q(0.25),
            p50: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
            min: q(0.0),
            max: q(1.0),
        }
    }
}

/// Rounds to 6 decimals for stable, readable output.
pub fn round6(x: f64) -> f64 {
    let r = (x * 1e6).round() / 1e6;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// The outcomes of one state under one doctrine, over all runs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Outcomes {
    /// Cumulative economic gain over the horizon, in points (about 1% of the state's trade).
    pub economic_gain: Summary,
    /// Security incidents suffered (acts against its sovereignty).
    pub incidents: Summary,
    /// Relationships with a pole that broke.
    pub breaks: Summary,
    /// Share of decisions that kept every root of the yardstick doctrine.
    pub autonomy: Summary,
    /// The yardstick lean at the end of the last year.
    pub final_lean: Summary,
    /// Probability of at least one break.
    pub p_break: f64,
}

/// One compared doctrine's results.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DoctrineResult {
    /// The name the caller gave the doctrine (the CLI: a shipped name such as `vietnam` or
    /// `vietnam:no-plan`, or a file's stem).
    pub name: String,
    /// The subject's outcomes.
    pub outcomes: Outcomes,
    /// The subject's yardstick lean per year: 5-95% and 25-75% bands and the median.
    pub lean_path: Vec<Band>,
    /// Decisions the engine made in these runs (all states).
    pub decisions: u64,
    /// The other middle states' outcomes in the same runs.
    pub others: Vec<OtherState>,
}

/// A middle state other than the subject, in the runs of one compared doctrine: its means
/// over runs (rounded to 6 decimals), defined as the subject's [`Outcomes`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OtherState {
    /// The state.
    pub iso3: Iso3,
    /// The doctrine it follows (the world's, the same whatever the subject's).
    pub doctrine: String,
    /// Mean cumulative economic gain, in points.
    pub economic_gain: f64,
    /// Mean count of incidents suffered.
    pub incidents: f64,
    /// Mean count of broken relationships.
    pub breaks: f64,
    /// Mean share (0..1) of its decisions that kept every yardstick root.
    pub autonomy: f64,
    /// The share of runs (0..1) with at least one break.
    pub p_break: f64,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SimReport {
    /// Runs per compared doctrine ([`SimConfig::runs`]).
    pub runs: u32,
    /// Years per run ([`SimConfig::years`]).
    pub years: u32,
    /// The seed ([`SimConfig::seed`]).
    pub seed: u64,
    /// Total engine decisions, every state, run and doctrine.
    pub decisions: u64,
    /// The world's name.
    pub world: String,
    /// The state whose doctrines are compared.
    pub subject: Iso3,
    /// The world's poles, in its order.
    pub poles: Vec<Iso3>,
    /// The calendar year of simulated year 0.
    pub start_year: i32,
    /// The scheduled polarisation (before noise) of the first and the last year.
    pub polarisation: (f64, f64),
    /// One result per compared doctrine, in the order they were given.
    pub doctrines: Vec<DoctrineResult>,
    /// A one-line reading of the result.
    pub reading: String,
}

/// Checks a configuration and the doctrines against a world.
pub fn check(w: &World, docs: &SimDoctrines, cfg: &SimConfig) -> Result<(), SimError> {
    if cfg.runs == 0 {
        return Err(SimError::NoRuns(cfg.runs));
    }
    if cfg.runs > MAX_RUNS {
        return Err(SimError::TooManyRuns(cfg.runs));
    }
    if !(1..=MAX_YEARS).contains(&cfg.years) {
        return Err(SimError::Years(cfg.years));
    }
    if docs.compared.is_empty() {
        return Err(SimError::NoDoctrines);
    }
    if docs.states.len() != w.states.len() {
        return Err(SimError::StateCount {
            states: w.states.len(),
            doctrines: docs.states.len(),
        });
    }
    let names = |p: &[Iso3]| p.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
    let all = docs
        .compared
        .iter()
        .map(|(n, d)| (n.clone(), *d))
        .chain(
            docs.states
                .iter()
                .enumerate()
                .map(|(i, d)| (w.states[i].doctrine.clone(), *d)),
        )
        .chain(std::iter::once((w.yardstick.clone(), docs.yardstick)));
    for (name, d) in all {
        if d.poles() != w.poles.as_slice() {
            return Err(SimError::Poles {
                name,
                found: names(d.poles()),
                world: names(&w.poles),
            });
        }
    }
    Ok(())
}

/// Runs the simulation. `progress` is called with the number of runs finished (counted
/// once per run, over all doctrines) as chunks complete.
pub fn simulate(
    w: &World,
    docs: &SimDoctrines,
    cfg: &SimConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SimReport, SimError> {
    simulate_until(w, docs, cfg, progress, &|| false)
}

/// [`simulate`] that can be abandoned: `stop` is asked before every chunk of runs (a few
/// tens of milliseconds of work), and once it says `true` no further chunk starts and the
/// result is [`SimError::Stopped`]. The report of a simulation that ran to the end does not
/// depend on `stop` (it only ever ends the work early), so it stays deterministic.
pub fn simulate_until(
    w: &World,
    docs: &SimDoctrines,
    cfg: &SimConfig,
    progress: &(dyn Fn(u64) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<SimReport, SimError> {
    check(w, docs, cfg)?;
    let accs = shard::run_range(w, docs, cfg, 0, cfg.runs, progress, stop)?;
    Ok(shard::finish(&shard::Frame::new(w, docs, cfg), cfg, &accs))
}

/// One line that names the best doctrine on each outcome.
pub fn reading(ds: &[DoctrineResult], subject: Iso3, years: u32, pol: (f64, f64)) -> String {
    if ds.is_empty() {
        return String::new();
    }
    let best = |f: &dyn Fn(&DoctrineResult) -> f64, high: bool| -> &DoctrineResult {
        let mut b = &ds[0];
        for d in &ds[1..] {
            let better = if high { f(d) > f(b) } else { f(d) < f(b) };
            if better {
                b = d;
            }
        }
        b
    };
    let econ = best(&|d| d.outcomes.economic_gain.mean, true);
    let inc = best(&|d| d.outcomes.incidents.mean, false);
    let brk = best(&|d| d.outcomes.p_break, false);
    let aut = best(&|d| d.outcomes.autonomy.mean, true);
    let lean = best(&|d| d.outcomes.final_lean.p50, false);
    format!(
        "{subject} over {years} years, polarisation {:.2} to {:.2}: most economic gain under {} ({:+.1}), fewest incidents under {} ({:.1}), lowest break risk under {} ({:.0}%), most autonomy under {} ({:.0}%), least lean under {} ({:.2}).",
        pol.0,
        pol.1,
        econ.name,
        econ.outcomes.economic_gain.mean,
        inc.name,
        inc.outcomes.incidents.mean,
        brk.name,
        100.0 * brk.outcomes.p_break,
        aut.name,
        100.0 * aut.outcomes.autonomy.mean,
        lean.name,
        lean.outcomes.final_lean.p50,
    )
}
