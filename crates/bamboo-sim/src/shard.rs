//! Shards that merge exactly: a simulation's runs split into slices (`--shard K/N`, Dask
//! tasks, Slurm array jobs), each slice's partial state written out, and the partials merged
//! into the report that one process would give, byte for byte.
//!
//! Exactness comes from the accumulators: quantile sketches and histograms hold integer
//! counts, minima and maxima are exact, and sums are [`ExactSum`](crate::summary::ExactSum)s (integers in units of
//! 2^-40). Every merge is therefore associative and commutative, so the report does not
//! depend on how the runs were split, on which machine a slice ran, or in which order the
//! partials are merged. Run `r` always draws from the streams named by (seed, r), whatever
//! slice it is in.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use bamboo_core::Iso3;

use crate::summary::f64_bits;
use crate::{
    check, reading, round6, run_once, Band, DoctrineResult, OtherState, Outcomes, RunResult,
    SimConfig, SimDoctrines, SimError, SimReport, Sketch, Summary, UnitHist, World, CHUNK,
};

/// The format tag of a partial report; a partial of another format is refused.
pub const PARTIAL_FORMAT: &str = "bamboo-simulate-partial/1";

/// Streamed accumulators for one compared doctrine: one entry per state where per state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acc {
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

    /// Whether the shape fits `states` states and `years` years (a partial read from a
    /// file may not).
    fn fits(&self, states: usize, years: u32) -> bool {
        [
            self.econ.len(),
            self.incidents.len(),
            self.breaks.len(),
            self.autonomy.len(),
            self.any_break.len(),
        ]
        .iter()
        .all(|&n| n == states)
            && self.lean.len() == years as usize
    }
}

/// Everything a report says beside the accumulated numbers: the same in every slice of
/// one simulation (a merge checks it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frame {
    /// The world's name.
    pub world: String,
    /// The state whose doctrines are compared.
    pub subject: Iso3,
    /// Index of the subject among the states.
    pub subject_index: usize,
    /// The world's poles, in its order.
    pub poles: Vec<Iso3>,
    /// The calendar year of simulated year 0.
    pub start_year: i32,
    /// The scheduled polarisation of the first year (exact, kept as its bits).
    #[serde(with = "f64_bits")]
    pub polarisation_start: f64,
    /// The scheduled polarisation of the last year (exact, kept as its bits).
    #[serde(with = "f64_bits")]
    pub polarisation_end: f64,
    /// The compared doctrines' names, in order.
    pub doctrines: Vec<String>,
    /// Every state with its doctrine, in the world's order.
    pub states: Vec<(Iso3, String)>,
}

impl Frame {
    /// The frame of a simulation of `w` with these doctrines and configuration.
    pub fn new(w: &World, docs: &SimDoctrines, cfg: &SimConfig) -> Frame {
        Frame {
            world: w.name.clone(),
            subject: w.subject().iso3,
            subject_index: w.subject,
            poles: w.poles.clone(),
            start_year: w.start_year,
            polarisation_start: w.scenario.planned(0, cfg.years),
            polarisation_end: w.scenario.planned(cfg.years.saturating_sub(1), cfg.years),
            doctrines: docs.compared.iter().map(|(n, _)| n.clone()).collect(),
            states: w
                .states
                .iter()
                .map(|s| (s.iso3, s.doctrine.clone()))
                .collect(),
        }
    }
}

/// The partial state of the runs `first_run..end_run` of one simulation: what a shard
/// writes and [`merge`] reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partial {
    /// [`PARTIAL_FORMAT`].
    pub format: String,
    /// The version of bamboo that computed it (partials of different versions do not mix).
    pub version: String,
    /// A fingerprint of the inputs (world, doctrines, parameters) given by the caller:
    /// partials of different inputs do not mix.
    pub inputs: String,
    /// The whole simulation's runs per doctrine (not only this slice's).
    pub runs: u32,
    /// Years per run.
    pub years: u32,
    /// The simulation's seed.
    pub seed: u64,
    /// `[K, N]`: the K-th of N slices (1-based).
    pub shard: [u32; 2],
    /// The first run of the slice (0-based, included).
    pub first_run: u32,
    /// The run after the slice's last (excluded): it holds `first_run..end_run`.
    pub end_run: u32,
    /// What the report says beside the numbers; the same in every slice.
    pub frame: Frame,
    /// One accumulator per compared doctrine, in the frame's order.
    pub accumulators: Vec<Acc>,
}

/// Why a shard cannot run, or partials cannot be merged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// `K/N` with `N` = 0, `K` = 0 or `K` > `N`.
    #[error("--shard {k}/{n}: K must be from 1 to N and N at least 1 (e.g. --shard 1/4 ... --shard 4/4)")]
    Shard {
        /// The slice asked for (1-based).
        k: u32,
        /// The number of slices.
        n: u32,
    },
    /// Nothing was given to merge.
    #[error("no partial report to merge")]
    Empty,
    /// A part that does not fit the others; `part` is its label (a file name, or `part N`).
    #[error("{part}: {problem}")]
    Part {
        /// The part's label.
        part: String,
        /// What does not fit (its format, version, inputs, parameters, frame or shape).
        problem: String,
    },
    /// The parts' runs leave a gap or overlap.
    #[error("the parts do not cover every run: {problem}")]
    Coverage {
        /// The first gap or overlap, by run numbers.
        problem: String,
    },
}

/// The runs of slice `k` of `n` (1-based): `runs·(k−1)/n .. runs·k/n`, so the slices
/// partition `0..runs` and differ in size by at most one run.
pub fn shard_range(runs: u32, k: u32, n: u32) -> Result<(u32, u32), MergeError> {
    if n == 0 || k == 0 || k > n {
        return Err(MergeError::Shard { k, n });
    }
    let at = |i: u32| (u64::from(runs) * u64::from(i) / u64::from(n)) as u32;
    Ok((at(k - 1), at(k)))
}

/// Runs slice `shard = (K, N)` of the simulation and returns its partial state. `inputs`
/// is the caller's fingerprint of the inputs, checked again when merging.
pub fn simulate_shard(
    w: &World,
    docs: &SimDoctrines,
    cfg: &SimConfig,
    shard: (u32, u32),
    inputs: &str,
    progress: &(dyn Fn(u64) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Partial, ShardError> {
    check(w, docs, cfg)?;
    let (lo, hi) = shard_range(cfg.runs, shard.0, shard.1)?;
    let accumulators = run_range(w, docs, cfg, lo, hi, progress, stop)?;
    Ok(Partial {
        format: PARTIAL_FORMAT.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        inputs: inputs.to_string(),
        runs: cfg.runs,
        years: cfg.years,
        seed: cfg.seed,
        shard: [shard.0, shard.1],
        first_run: lo,
        end_run: hi,
        frame: Frame::new(w, docs, cfg),
        accumulators,
    })
}

/// Why a shard did not run: the simulation's own errors, or a bad `K/N`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShardError {
    /// The simulation cannot start (its configuration or doctrines), or was stopped.
    #[error(transparent)]
    Sim(#[from] SimError),
    /// The `K/N` is not a slice ([`MergeError::Shard`]).
    #[error(transparent)]
    Merge(#[from] MergeError),
}

/// Merges the partials of every slice of one simulation into its report: the same report,
/// to the byte, as the simulation run in one process. The parts may come in any order;
/// they must share format, version, inputs, parameters and frame, and their runs must
/// cover `0..runs` exactly once. Errors name a part as `part N` (from 1).
pub fn merge(parts: &[Partial]) -> Result<SimReport, MergeError> {
    merge_labelled(parts, &|i| format!("part {}", i + 1))
}

/// [`merge`], with errors naming part `i` as `label(i)` (its file, say).
pub fn merge_labelled(
    parts: &[Partial],
    label: &dyn Fn(usize) -> String,
) -> Result<SimReport, MergeError> {
    let first = parts.first().ok_or(MergeError::Empty)?;
    let bad = |i: usize, problem: String| MergeError::Part {
        part: label(i),
        problem,
    };
    for (i, p) in parts.iter().enumerate() {
        if p.format != PARTIAL_FORMAT {
            return Err(bad(
                i,
                format!(
                    "format `{}` is not a partial report of this bamboo (`{PARTIAL_FORMAT}`)",
                    p.format
                ),
            ));
        }
        let differs = |what: &str, a: String, b: String| {
            bad(
                i,
                format!(
                    "{what} is {a} but {}'s is {b}; merge only the parts of one simulation",
                    label(0)
                ),
            )
        };
        if p.version != first.version {
            return Err(differs(
                "bamboo version",
                p.version.clone(),
                first.version.clone(),
            ));
        }
        if (p.runs, p.years, p.seed) != (first.runs, first.years, first.seed) {
            return Err(differs(
                "runs/years/seed",
                format!("{}/{}/{}", p.runs, p.years, p.seed),
                format!("{}/{}/{}", first.runs, first.years, first.seed),
            ));
        }
        if p.inputs != first.inputs || p.frame != first.frame {
            return Err(differs(
                "the inputs' fingerprint",
                p.inputs.clone(),
                first.inputs.clone(),
            ));
        }
        let states = p.frame.states.len();
        if p.frame.subject_index >= states
            || p.accumulators.len() != p.frame.doctrines.len()
            || !p.accumulators.iter().all(|a| a.fits(states, p.years))
            || p.first_run > p.end_run
            || p.end_run > p.runs
        {
            return Err(bad(
                i,
                "its accumulators do not fit its world, doctrines and years (a damaged file?)"
                    .into(),
            ));
        }
    }
    // The runs must be covered exactly once.
    let mut spans: Vec<(u32, u32, usize)> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| (p.first_run, p.end_run, i))
        .filter(|(a, b, _)| a < b)
        .collect();
    spans.sort_unstable();
    let mut next = 0u32;
    for (a, b, i) in &spans {
        if *a > next {
            return Err(MergeError::Coverage {
                problem: format!("runs {next}..{a} are in no part"),
            });
        }
        if *a < next {
            return Err(MergeError::Coverage {
                problem: format!(
                    "{} (runs {a}..{b}) overlaps runs before {next} of another part; is a shard there twice?",
                    label(*i)
                ),
            });
        }
        next = *b;
    }
    if next != first.runs {
        return Err(MergeError::Coverage {
            problem: format!("runs {next}..{} are in no part", first.runs),
        });
    }
    let cfg = SimConfig {
        runs: first.runs,
        years: first.years,
        seed: first.seed,
    };
    let mut total = first.accumulators.clone();
    for p in &parts[1..] {
        for (t, a) in total.iter_mut().zip(&p.accumulators) {
            t.merge(a);
        }
    }
    Ok(finish(&first.frame, &cfg, &total))
}

/// Runs `lo..hi` of the simulation (already checked), in parallel over fixed chunks of
/// runs, into one accumulator per compared doctrine.
pub(crate) fn run_range(
    w: &World,
    docs: &SimDoctrines,
    cfg: &SimConfig,
    lo: u32,
    hi: u32,
    progress: &(dyn Fn(u64) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<Acc>, SimError> {
    let nd = docs.compared.len();
    let chunks: Vec<u32> = (0..(hi - lo).div_ceil(CHUNK)).collect();
    let mut total: Vec<Acc> = vec![Acc::new(w.states.len(), cfg.years); nd];
    // Work in batches of chunks so that memory stays bounded however many runs there are.
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
                let a = lo + c * CHUNK;
                let b = (a + CHUNK).min(hi);
                let mut accs = vec![Acc::new(w.states.len(), cfg.years); nd];
                let mut state_docs = docs.states.clone();
                for run in a..b {
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
                progress(u64::from(b - a));
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
    Ok(total)
}

/// The report from the accumulators of every run.
pub(crate) fn finish(frame: &Frame, cfg: &SimConfig, total: &[Acc]) -> SimReport {
    let runs = f64::from(cfg.runs);
    let s = frame.subject_index;
    let doctrines: Vec<DoctrineResult> = frame
        .doctrines
        .iter()
        .zip(total)
        .map(|(name, acc)| DoctrineResult {
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
                        year: frame.start_year + y as i32,
                        p5: q(0.05),
                        p25: q(0.25),
                        p50: q(0.5),
                        p75: q(0.75),
                        p95: q(0.95),
                    }
                })
                .collect(),
            decisions: acc.decisions,
            others: frame
                .states
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != s)
                .map(|(i, (iso3, doctrine))| OtherState {
                    iso3: *iso3,
                    doctrine: doctrine.clone(),
                    economic_gain: round6(acc.econ[i].mean().unwrap_or(0.0)),
                    incidents: round6(acc.incidents[i].mean().unwrap_or(0.0)),
                    breaks: round6(acc.breaks[i].mean().unwrap_or(0.0)),
                    autonomy: round6(acc.autonomy[i].mean().unwrap_or(0.0)),
                    p_break: round6(acc.any_break[i] as f64 / runs),
                })
                .collect(),
        })
        .collect();
    let decisions = doctrines.iter().map(|d| d.decisions).sum();
    let polarisation = (frame.polarisation_start, frame.polarisation_end);
    let reading = reading(&doctrines, frame.subject, cfg.years, polarisation);
    SimReport {
        runs: cfg.runs,
        years: cfg.years,
        seed: cfg.seed,
        decisions,
        world: frame.world.clone(),
        subject: frame.subject,
        poles: frame.poles.clone(),
        start_year: frame.start_year,
        polarisation: (round6(polarisation.0), round6(polarisation.1)),
        doctrines,
        reading,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges_partition_the_runs() {
        for runs in [1u32, 7, 32, 100, 1001] {
            for n in 1..=9u32 {
                let mut next = 0;
                for k in 1..=n {
                    let (a, b) = shard_range(runs, k, n).unwrap();
                    assert_eq!(a, next);
                    assert!(b - a <= runs / n + 1);
                    next = b;
                }
                assert_eq!(next, runs);
            }
        }
        assert!(shard_range(10, 0, 4).is_err());
        assert!(shard_range(10, 5, 4).is_err());
        assert!(shard_range(10, 1, 0).is_err());
    }
}
