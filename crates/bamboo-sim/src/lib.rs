//! bamboo-sim: a seeded Monte Carlo simulation of great-power pressure in which the middle
//! states' choices come from the real doctrine engine. Pure: no I/O, no printing, no
//! global or unseeded randomness.
//!
//! [`simulate`] runs the same seeds through each compared doctrine for the subject state
//! (common random numbers), in parallel over fixed chunks of runs that are merged in
//! order, so the report is byte-identical on 1 thread or many; summaries are streamed, so
//! memory stays flat in the number of runs.

pub mod events;
pub mod rng;
pub mod run;
pub mod summary;
pub mod world;

use bamboo_core::doctrine::CompiledDoctrine;
use bamboo_core::Iso3;
use rayon::prelude::*;

pub use run::{run_once, Agent, RunResult};
pub use summary::{Sketch, UnitHist};
pub use world::{World, WorldError, WorldInput};

/// Runs per chunk: the unit of parallel work and of ordered merging.
pub const CHUNK: u32 = 32;
/// The most runs and years a simulation accepts.
pub const MAX_RUNS: u32 = 10_000_000;
pub const MAX_YEARS: u32 = 200;

/// How much to simulate.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    pub runs: u32,
    pub years: u32,
    pub seed: u64,
}

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
    #[error("--runs must be at least 1 (got {0})")]
    NoRuns(u32),
    #[error("--runs {0} is more than the limit of {MAX_RUNS}")]
    TooManyRuns(u32),
    #[error("--years must be between 1 and {MAX_YEARS} (got {0})")]
    Years(u32),
    #[error("no doctrine to compare")]
    NoDoctrines,
    #[error("doctrine `{name}` has poles {found}, but the world's poles are {world}; a doctrine used in a world must name the same poles in the same order")]
    Poles {
        name: String,
        found: String,
        world: String,
    },
    #[error("the world has {states} states but {doctrines} state doctrines were given")]
    StateCount { states: usize, doctrines: usize },
    /// The caller asked to stop (see [`simulate_until`]) before the simulation finished.
    #[error("the simulation was stopped before it finished")]
    Stopped,
}

/// Five quantiles of a yearly distribution.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Band {
    pub year: i32,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

/// Mean and quantiles of an outcome over runs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Summary {
    pub mean: f64,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    fn of(s: &Sketch) -> Summary {
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

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OtherState {
    pub iso3: Iso3,
    pub doctrine: String,
    pub economic_gain: f64,
    pub incidents: f64,
    pub breaks: f64,
    pub autonomy: f64,
    pub p_break: f64,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SimReport {
    pub runs: u32,
    pub years: u32,
    pub seed: u64,
    /// Total engine decisions, every state, run and doctrine.
    pub decisions: u64,
    pub world: String,
    pub subject: Iso3,
    pub poles: Vec<Iso3>,
    pub start_year: i32,
    pub polarisation: (f64, f64),
    pub doctrines: Vec<DoctrineResult>,
    /// A one-line reading of the result.
    pub reading: String,
}

/// Streamed accumulators for one doctrine.
#[derive(Clone, Default)]
struct Acc {
    econ: Vec<Sketch>,
    incidents: Vec<Sketch>,
    breaks: Vec<Sketch>,
    autonomy: Vec<Sketch>,
    any_break: Vec<u64>,
    final_lean: Sketch,
    lean: Vec<UnitHist>,
    decisions: u64,
}

impl Acc {
    fn new(states: usize, years: u32) -> Acc {
        Acc {
            econ: vec![Sketch::default(); states],
            incidents: vec![Sketch::default(); states],
            breaks: vec![Sketch::default(); states],
            autonomy: vec![Sketch::default(); states],
            any_break: vec![0; states],
            final_lean: Sketch::default(),
            lean: vec![UnitHist::default(); years as usize],
            decisions: 0,
        }
    }

    fn add(&mut self, r: &RunResult) {
        for (s, a) in r.agents.iter().enumerate() {
            self.econ[s].add(a.econ);
            self.incidents[s].add(f64::from(a.incidents));
            self.breaks[s].add(f64::from(a.breaks));
            self.autonomy[s].add(if a.decisions > 0 {
                f64::from(a.kept) / f64::from(a.decisions)
            } else {
                1.0
            });
            self.any_break[s] += u64::from(a.breaks > 0);
        }
        for (h, &l) in self.lean.iter_mut().zip(&r.lean) {
            h.add(l);
        }
        self.final_lean.add(r.lean.last().copied().unwrap_or(0.0));
        self.decisions += r.decisions;
    }

    fn merge(&mut self, o: &Acc) {
        for s in 0..self.econ.len() {
            self.econ[s].merge(&o.econ[s]);
            self.incidents[s].merge(&o.incidents[s]);
            self.breaks[s].merge(&o.breaks[s]);
            self.autonomy[s].merge(&o.autonomy[s]);
            self.any_break[s] += o.any_break[s];
        }
        self.final_lean.merge(&o.final_lean);
        for (a, b) in self.lean.iter_mut().zip(&o.lean) {
            a.merge(b);
        }
        self.decisions += o.decisions;
    }
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
    let nd = docs.compared.len();
    let chunks: Vec<u32> = (0..cfg.runs.div_ceil(CHUNK)).collect();
    let mut total: Vec<Acc> = vec![Acc::new(w.states.len(), cfg.years); nd];
    // Work in batches of chunks so that memory stays bounded however many runs there are;
    // within a batch chunks run in parallel and are merged in chunk order.
    let batch = (rayon::current_num_threads() * 4).max(8);
    for group in chunks.chunks(batch) {
        if stop() {
            return Err(SimError::Stopped);
        }
        let accs: Vec<Option<Vec<Acc>>> = group
            .par_iter()
            .map(|&c| {
                if stop() {
                    return None;
                }
                let lo = c * CHUNK;
                let hi = (lo + CHUNK).min(cfg.runs);
                let mut accs = vec![Acc::new(w.states.len(), cfg.years); nd];
                let mut state_docs = docs.states.clone();
                for run in lo..hi {
                    for (di, (_, d)) in docs.compared.iter().enumerate() {
                        state_docs[w.subject] = d;
                        let r = run_once(
                            w,
                            &state_docs,
                            docs.yardstick,
                            cfg.seed,
                            u64::from(run),
                            cfg.years,
                        );
                        accs[di].add(&r);
                    }
                }
                progress(u64::from(hi - lo));
                Some(accs)
            })
            .collect();
        for a in accs {
            let Some(a) = a else {
                return Err(SimError::Stopped);
            };
            for (t, x) in total.iter_mut().zip(&a) {
                t.merge(x);
            }
        }
    }
    let runs = f64::from(cfg.runs);
    let doctrines: Vec<DoctrineResult> = docs
        .compared
        .iter()
        .zip(&total)
        .map(|((name, _), acc)| {
            let s = w.subject;
            DoctrineResult {
                name: name.clone(),
                outcomes: Outcomes {
                    economic_gain: Summary::of(&acc.econ[s]),
                    incidents: Summary::of(&acc.incidents[s]),
                    breaks: Summary::of(&acc.breaks[s]),
                    autonomy: Summary::of(&acc.autonomy[s]),
                    final_lean: Summary::of(&acc.final_lean),
                    p_break: round6(acc.any_break[s] as f64 / runs),
                },
                lean_path: acc
                    .lean
                    .iter()
                    .enumerate()
                    .map(|(y, h)| {
                        let q = |x| round6(h.quantile(x).unwrap_or(0.0));
                        Band {
                            year: w.start_year + y as i32,
                            p5: q(0.05),
                            p25: q(0.25),
                            p50: q(0.5),
                            p75: q(0.75),
                            p95: q(0.95),
                        }
                    })
                    .collect(),
                decisions: acc.decisions,
                others: w
                    .states
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != s)
                    .map(|(i, st)| OtherState {
                        iso3: st.iso3,
                        doctrine: st.doctrine.clone(),
                        economic_gain: round6(acc.econ[i].mean().unwrap_or(0.0)),
                        incidents: round6(acc.incidents[i].mean().unwrap_or(0.0)),
                        breaks: round6(acc.breaks[i].mean().unwrap_or(0.0)),
                        autonomy: round6(acc.autonomy[i].mean().unwrap_or(0.0)),
                        p_break: round6(acc.any_break[i] as f64 / runs),
                    })
                    .collect(),
            }
        })
        .collect();
    let decisions = doctrines.iter().map(|d| d.decisions).sum();
    let polarisation = (
        w.scenario.planned(0, cfg.years),
        w.scenario.planned(cfg.years - 1, cfg.years),
    );
    let reading = reading(&doctrines, w.subject().iso3, cfg.years, polarisation);
    Ok(SimReport {
        runs: cfg.runs,
        years: cfg.years,
        seed: cfg.seed,
        decisions,
        world: w.name.clone(),
        subject: w.subject().iso3,
        poles: w.poles.clone(),
        start_year: w.start_year,
        polarisation: (round6(polarisation.0), round6(polarisation.1)),
        doctrines,
        reading,
    })
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
