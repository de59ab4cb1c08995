//! The atlas: every state of one period against the poles, with bootstrap intervals:
//! its alignment with each pole, lean, balance, the pole leaned toward (or a tie where
//! the intervals overlap), its rank by balance among all states, the change since the
//! previous period, and the UN-wide median beside it.
//!
//! Where the alignments come from is an [`AlignmentSource`]: today the vote measures of
//! `metrics.rs` over the selected roll calls ([`VoteAlignment`]). Every figure downstream is
//! computed from its [`Draws`] alone, so another measure (ideal-point distance, with draws
//! from its own parametric bootstrap) is one more implementation of the trait.

use crate::bootstrap::{interval, median, pair_draws, Bootstrap, Draws, Estimate};
use crate::country::Iso3;
use crate::date::Date;
use crate::groups::Group;
use crate::metrics::Metric;
use crate::select::{RollCallFilter, Selection};
use crate::store::VoteStore;

pub mod table;

/// A span of years, both ends included.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Period {
    /// The first year.
    pub from: i32,
    /// The last year (not before `from`).
    pub to: i32,
}

impl Period {
    /// The period of the single year `y`.
    pub fn year(y: i32) -> Period {
        Period { from: y, to: y }
    }

    /// The period as printed: `2019`, or `2015-2019`.
    pub fn label(&self) -> String {
        crate::alignment::span_label(self.from, self.to)
    }

    /// How many years it holds (at least 1).
    pub fn len(&self) -> i32 {
        self.to - self.from + 1
    }

    /// Never empty: a period holds at least one year.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// Where a period's alignments come from: the seam for more kinds of measure.
pub trait AlignmentSource: Sync {
    /// The measure's short name (`agreement`), for headers and JSON.
    fn name(&self) -> String;
    /// Its definition, printed beside every output.
    fn definition(&self) -> String;
    /// The states with at least one observation in the period, sorted by code.
    fn states(&self, period: Period) -> Vec<Iso3>;
    /// The period's observations (roll calls) whoever took part.
    fn observations(&self, period: Period) -> usize;
    /// The date of the period's last observation (group membership is read on it).
    fn last_date(&self, period: Period) -> Option<Date>;
    /// The measure for every (row, column) pair, with the bootstrap's replicates.
    fn draws(&self, period: Period, rows: &[Iso3], cols: &[Iso3], boot: &Bootstrap) -> Draws;
    /// A state's own position in the period, for a measure that has one (ideal points: the
    /// mean over the period's sessions), with its standard error; `None` for the votes.
    fn position(&self, _state: Iso3, _period: Period) -> Option<(f64, Option<f64>)> {
        None
    }
}

/// Alignment from the votes: a measure of `metrics.rs` over the selected roll calls.
pub struct VoteAlignment<'a> {
    /// The roll calls and votes.
    pub store: &'a VoteStore,
    /// The roll calls the measure reads.
    pub selection: &'a Selection,
    /// The measure (never [`Metric::Ideal`]).
    pub metric: Metric,
}

impl VoteAlignment<'_> {
    /// The selected roll calls of a period, as store indices.
    pub fn roll_calls(&self, period: Period) -> Vec<usize> {
        self.selection
            .indices(self.store.span_roll_calls(period.from..=period.to))
            .collect()
    }
}

impl AlignmentSource for VoteAlignment<'_> {
    fn name(&self) -> String {
        self.metric.name().to_string()
    }

    fn definition(&self) -> String {
        format!(
            "{}; {}",
            self.metric.definition(),
            self.selection.filter.definition()
        )
    }

    fn states(&self, period: Period) -> Vec<Iso3> {
        let mut seen = vec![false; self.store.countries().len()];
        for i in self.roll_calls(period) {
            for c in self.store.votes(i) {
                seen[c.country as usize] = true;
            }
        }
        // Store indices order like codes, so this is sorted.
        self.store
            .countries()
            .iter()
            .zip(seen)
            .filter_map(|(c, s)| s.then_some(*c))
            .collect()
    }

    fn observations(&self, period: Period) -> usize {
        self.selection
            .count(self.store.span_roll_calls(period.from..=period.to))
    }

    fn last_date(&self, period: Period) -> Option<Date> {
        self.roll_calls(period)
            .last()
            .map(|&i| self.store.roll_calls()[i].date)
    }

    fn draws(&self, period: Period, rows: &[Iso3], cols: &[Iso3], boot: &Bootstrap) -> Draws {
        let idx = |c: &Iso3| self.store.country_index(*c);
        let rows: Vec<Option<u16>> = rows.iter().map(idx).collect();
        let cols: Vec<Option<u16>> = cols.iter().map(idx).collect();
        pair_draws(
            self.store,
            &self.roll_calls(period),
            &rows,
            &cols,
            self.metric,
            boot,
            &Bootstrap::period_stream(period.from, period.to),
        )
    }
}

/// The measures the atlas, the map and shifts can read, each an [`AlignmentSource`].
///
/// The vote measures of `metrics.rs`, and ideal-point alignment (`--metric ideal`), whose
/// source is built from a fit ([`crate::ideal::measure::IdealAlignment`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Never `Votes(Metric::Ideal)`: [`Measure::parse`] gives [`Measure::Ideal`] for it.
    Votes(Metric),
    /// Ideal-point alignment, read from a fit.
    Ideal,
}

impl Measure {
    /// Every name `--metric` accepts.
    pub fn names() -> Vec<&'static str> {
        Metric::ALL.iter().map(|m| m.name()).collect()
    }

    /// The measure of a `--metric` name ([`Metric::parse`]).
    pub fn parse(s: &str) -> Option<Measure> {
        Metric::parse(s).map(Measure::of)
    }

    /// The measure of a metric.
    pub fn of(m: Metric) -> Measure {
        if m == Metric::Ideal {
            Measure::Ideal
        } else {
            Measure::Votes(m)
        }
    }

    /// Its metric's name ([`Metric::name`]).
    pub fn name(&self) -> &'static str {
        match self {
            Measure::Votes(m) => m.name(),
            Measure::Ideal => Metric::Ideal.name(),
        }
    }

    /// The metric it reads.
    pub fn metric(&self) -> Metric {
        match self {
            Measure::Votes(m) => *m,
            Measure::Ideal => Metric::Ideal,
        }
    }

    /// Whether the measure lies in 0..1 (agreement, coincidence), for fixed chart scales.
    pub fn unit_range(&self) -> bool {
        matches!(
            self,
            Measure::Votes(Metric::Agreement | Metric::Coincidence) | Measure::Ideal
        )
    }

    /// The source of its alignments: over the roll calls a selection keeps, or, for
    /// [`Measure::Ideal`], from the fit (`None` when no fit is given).
    pub fn source<'a>(
        &self,
        store: &'a VoteStore,
        selection: &'a Selection,
        ideal: Option<&'a crate::ideal::IdealPoints>,
    ) -> Option<Box<dyn AlignmentSource + 'a>> {
        match *self {
            Measure::Votes(metric) => Some(Box::new(VoteAlignment {
                store,
                selection,
                metric,
            })),
            Measure::Ideal => ideal.map(|points| {
                Box::new(crate::ideal::measure::IdealAlignment { points })
                    as Box<dyn AlignmentSource + 'a>
            }),
        }
    }
}

/// The period before `p` to compare it with: for one year, the closest earlier year (up to
/// five back) with observations; for a span, the span of the same length just before it.
pub fn previous_period(src: &dyn AlignmentSource, p: Period, first_year: i32) -> Option<Period> {
    if p.from == p.to {
        (1..=5)
            .map(|k| Period::year(p.from - k))
            .take_while(|q| q.from >= first_year)
            .find(|q| src.observations(*q) > 0)
    } else {
        let q = Period {
            from: p.from - p.len(),
            to: p.from - 1,
        };
        (q.to >= first_year && src.observations(q) > 0).then_some(q)
    }
}

/// One state's reading against the poles, with intervals.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Reading {
    /// Observations behind each pole's alignment.
    pub n: Vec<u32>,
    /// Alignment with each pole, in the poles' order.
    pub alignments: Vec<Estimate>,
    /// Max − min of the alignments (undefined unless every pole's is).
    pub lean: Estimate,
    /// `1 − lean`, its interval the lean's mirrored.
    pub balance: Estimate,
    /// The pole with the largest alignment (point estimate).
    pub toward: Option<Iso3>,
    /// When the interval of `toward`'s alignment overlaps another pole's: those poles,
    /// `toward` first. Empty when the lean's direction is clear.
    pub tie: Vec<Iso3>,
    /// The share of replicates in which `toward` is the closest pole.
    pub toward_share: Option<f64>,
}

fn lean_of(values: &[f64]) -> f64 {
    if values.iter().any(|v| !v.is_finite()) || values.len() < 2 {
        return f64::NAN;
    }
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    hi - lo
}

/// The first index of the largest value (the first pole on an exact tie, as `balance`).
fn argmax(values: &[f64]) -> Option<usize> {
    if values.iter().any(|v| !v.is_finite()) || values.is_empty() {
        return None;
    }
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    Some(best)
}

/// The reading of one row of draws against the poles (the columns).
pub fn reading(d: &Draws, row: usize, poles: &[Iso3], level: f64) -> Reading {
    let k = d.cols;
    let point: Vec<f64> = (0..k).map(|j| d.point(row, j)).collect();
    let alignments: Vec<Estimate> = (0..k)
        .map(|j| {
            Estimate::from_values(
                point[j],
                (0..d.replicates).map(|b| d.rep(b, row, j)).collect(),
                level,
            )
        })
        .collect();
    let rep_vals = |b: usize| -> Vec<f64> { (0..k).map(|j| d.rep(b, row, j)).collect() };
    let lean = Estimate::from_values(
        lean_of(&point),
        (0..d.replicates).map(|b| lean_of(&rep_vals(b))).collect(),
        level,
    );
    let top = argmax(&point);
    let toward = top.map(|t| poles[t]);
    let mut tie = Vec::new();
    if let Some(t) = top {
        for j in 0..k {
            if j != t && alignments[t].overlaps(&alignments[j]) {
                if tie.is_empty() {
                    tie.push(poles[t]);
                }
                tie.push(poles[j]);
            }
        }
    }
    let toward_share = top.and_then(|t| {
        let decided: Vec<Option<usize>> = (0..d.replicates).map(|b| argmax(&rep_vals(b))).collect();
        let m = decided.iter().flatten().count();
        (m > 0).then(|| decided.iter().filter(|x| **x == Some(t)).count() as f64 / m as f64)
    });
    Reading {
        n: (0..k).map(|j| d.n[row * k + j]).collect(),
        alignments,
        balance: lean.complement(),
        lean,
        toward,
        tie,
        toward_share,
    }
}

/// The change of a state's alignments and lean from one period to the next, with
/// intervals from independent replicates of the two periods.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Change {
    /// Each pole's alignment now minus before, in the poles' order.
    pub alignments: Vec<Estimate>,
    /// The lean now minus before (positive: leaning more).
    pub lean: Estimate,
}

fn change(now: &Draws, r: usize, before: &Draws, q: usize, level: f64) -> Change {
    let k = now.cols;
    let b = now.replicates.min(before.replicates);
    let diff = |x: f64, y: f64| x - y;
    let alignments = (0..k)
        .map(|j| {
            Estimate::from_values(
                diff(now.point(r, j), before.point(q, j)),
                (0..b)
                    .map(|i| diff(now.rep(i, r, j), before.rep(i, q, j)))
                    .collect(),
                level,
            )
        })
        .collect();
    let lean_now = |i: usize| lean_of(&(0..k).map(|j| now.rep(i, r, j)).collect::<Vec<_>>());
    let lean_before = |i: usize| lean_of(&(0..k).map(|j| before.rep(i, q, j)).collect::<Vec<_>>());
    let pn: Vec<f64> = (0..k).map(|j| now.point(r, j)).collect();
    let pb: Vec<f64> = (0..k).map(|j| before.point(q, j)).collect();
    Change {
        alignments,
        lean: Estimate::from_values(
            lean_of(&pn) - lean_of(&pb),
            (0..b).map(|i| lean_now(i) - lean_before(i)).collect(),
            level,
        ),
    }
}

/// The UN-wide median (or a group's mean) of every state's figures, with intervals.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Summary {
    /// States it summarises.
    pub states: usize,
    /// The summary of each pole's alignment, in the poles' order.
    pub alignments: Vec<Estimate>,
    /// The summary of the states' leans (not the lean of the summary alignments).
    pub lean: Estimate,
    /// `1 − lean`.
    pub balance: Estimate,
    /// The pole with the largest summary alignment.
    pub toward: Option<Iso3>,
}

/// The mean over some rows (a group read as one) of every figure, with intervals.
pub fn group_mean(d: &Draws, rows: &[usize], poles: &[Iso3], level: f64) -> Summary {
    summarise(d, rows, poles, level, mean)
}

fn summarise(
    d: &Draws,
    rows: &[usize],
    poles: &[Iso3],
    level: f64,
    how: fn(&mut Vec<f64>) -> Option<f64>,
) -> Summary {
    let k = d.cols;
    let stat = |vals: &mut Vec<f64>| how(vals).unwrap_or(f64::NAN);
    let col = |j: usize, b: Option<usize>| -> f64 {
        let mut v: Vec<f64> = rows
            .iter()
            .map(|&r| b.map_or(d.point(r, j), |b| d.rep(b, r, j)))
            .collect();
        stat(&mut v)
    };
    let lean_col = |b: Option<usize>| -> f64 {
        let mut v: Vec<f64> = rows
            .iter()
            .map(|&r| {
                lean_of(
                    &(0..k)
                        .map(|j| b.map_or(d.point(r, j), |b| d.rep(b, r, j)))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        stat(&mut v)
    };
    let alignments: Vec<Estimate> = (0..k)
        .map(|j| {
            Estimate::from_values(
                col(j, None),
                (0..d.replicates).map(|b| col(j, Some(b))).collect(),
                level,
            )
        })
        .collect();
    let lean = Estimate::from_values(
        lean_col(None),
        (0..d.replicates).map(|b| lean_col(Some(b))).collect(),
        level,
    );
    let points: Vec<f64> = alignments
        .iter()
        .map(|e| e.value.unwrap_or(f64::NAN))
        .collect();
    Summary {
        states: rows.len(),
        toward: argmax(&points).map(|t| poles[t]),
        balance: lean.complement(),
        lean,
        alignments,
    }
}

fn mean(values: &mut Vec<f64>) -> Option<f64> {
    values.retain(|v| v.is_finite());
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// One state's row of the atlas.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AtlasRow {
    /// The state.
    pub state: Iso3,
    /// Its alignments, lean, balance and direction.
    #[serde(flatten)]
    pub reading: Reading,
    /// Rank by balance among every state with a defined lean (1 = the most balanced), with
    /// the interval of its replicate ranks (at the atlas's level), widened where needed to
    /// hold the rank itself.
    pub rank: Option<u32>,
    /// The low end of the rank's interval (at most `rank`).
    pub rank_lo: Option<u32>,
    /// The high end of the rank's interval (at least `rank`).
    pub rank_hi: Option<u32>,
    /// Since the previous period; `None` when there is none or the state was not in it.
    pub change: Option<Change>,
}

/// Which states, and what to summarise.
#[derive(Clone, Debug, PartialEq)]
pub struct AtlasQuery {
    /// The period read.
    pub period: Period,
    /// The period to compare with, if any ([`previous_period`]).
    pub previous: Option<Period>,
    /// The poles, in the order columns follow.
    pub poles: Vec<Iso3>,
    /// Replicates, confidence level and seed of the intervals.
    pub boot: Bootstrap,
    /// Rows to report (all states of the period when `None`); ranks and the median are
    /// always over all of them.
    pub only: Option<Vec<Iso3>>,
    /// A named set of states to average, reported beside the median.
    pub average: Option<(String, Vec<Iso3>)>,
}

/// Every state of a period against the poles.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Atlas {
    /// The period read.
    pub period: Period,
    /// The period compared with, if there was one.
    pub previous: Option<Period>,
    /// Observations (roll calls) in the period.
    pub observations: usize,
    /// The poles, in column order.
    pub poles: Vec<Iso3>,
    /// States ranked (every state with a defined lean, the poles excluded).
    pub ranked: usize,
    /// One row per state asked for (all of the period's but the poles by default), sorted
    /// by code.
    pub rows: Vec<AtlasRow>,
    /// The median over every state of the period (the poles excluded).
    pub median: Summary,
    /// The mean over the members asked for, if any.
    pub average: Option<(String, Summary)>,
    /// The source's definition of its measure ([`AlignmentSource::definition`]).
    #[serde(skip)]
    pub definition: String,
    /// Each state's own position (poles included), where the source has one
    /// ([`AlignmentSource::position`]): `(state, position, se)`, sorted by state.
    #[serde(skip)]
    pub positions: Vec<(Iso3, f64, Option<f64>)>,
}

/// Ranks by lean, ascending (1 = smallest lean); ties share the better rank. NaN: none.
fn ranks(leans: &[f64]) -> Vec<Option<u32>> {
    let mut order: Vec<usize> = (0..leans.len()).filter(|&i| leans[i].is_finite()).collect();
    order.sort_by(|&a, &b| leans[a].total_cmp(&leans[b]));
    let mut out = vec![None; leans.len()];
    for (pos, &i) in order.iter().enumerate() {
        let rank = if pos > 0 && leans[order[pos - 1]] == leans[i] {
            out[order[pos - 1]].unwrap_or(pos as u32 + 1)
        } else {
            pos as u32 + 1
        };
        out[i] = Some(rank);
    }
    out
}

/// The atlas of one period.
pub fn atlas(src: &dyn AlignmentSource, q: &AtlasQuery) -> Atlas {
    let level = q.boot.level;
    let states: Vec<Iso3> = src
        .states(q.period)
        .into_iter()
        .filter(|s| !q.poles.contains(s))
        .collect();
    let d = src.draws(q.period, &states, &q.poles, &q.boot);
    let k = q.poles.len();
    let lean_at = |b: Option<usize>, r: usize| -> f64 {
        lean_of(
            &(0..k)
                .map(|j| b.map_or(d.point(r, j), |b| d.rep(b, r, j)))
                .collect::<Vec<_>>(),
        )
    };
    let point_ranks = ranks(
        &(0..states.len())
            .map(|r| lean_at(None, r))
            .collect::<Vec<_>>(),
    );
    let rep_ranks: Vec<Vec<Option<u32>>> = (0..d.replicates)
        .map(|b| {
            ranks(
                &(0..states.len())
                    .map(|r| lean_at(Some(b), r))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let before = q
        .previous
        .map(|p| (p, src.draws(p, &states, &q.poles, &q.boot)));
    let all: Vec<usize> = (0..states.len()).collect();
    let wanted = |s: &Iso3| q.only.as_ref().is_none_or(|o| o.contains(s));
    let rows = states
        .iter()
        .enumerate()
        .filter(|(_, s)| wanted(s))
        .map(|(r, &state)| {
            let mut rr: Vec<f64> = rep_ranks
                .iter()
                .map(|x| x[r].map_or(f64::NAN, f64::from))
                .collect();
            // Ranks near either end are biased in replicates (some other state is always
            // the most balanced): the interval is widened to hold the rank itself.
            let rank = point_ranks[r];
            let iv = rank.and_then(|k| {
                interval(&mut rr, level)
                    .map(|(lo, hi)| ((lo.floor() as u32).min(k), (hi.ceil() as u32).max(k)))
            });
            AtlasRow {
                state,
                reading: reading(&d, r, &q.poles, level),
                rank,
                rank_lo: iv.map(|x| x.0),
                rank_hi: iv.map(|x| x.1),
                change: before.as_ref().and_then(|(_, bd)| {
                    let had = (0..k).any(|j| bd.n[r * k + j] > 0);
                    had.then(|| change(&d, r, bd, r, level))
                }),
            }
        })
        .collect();
    let average = q.average.as_ref().map(|(name, members)| {
        let idx: Vec<usize> = states
            .iter()
            .enumerate()
            .filter(|(_, s)| members.contains(s))
            .map(|(i, _)| i)
            .collect();
        (name.clone(), summarise(&d, &idx, &q.poles, level, mean))
    });
    let mut positions: Vec<(Iso3, f64, Option<f64>)> = states
        .iter()
        .chain(&q.poles)
        .filter_map(|&s| src.position(s, q.period).map(|(x, se)| (s, x, se)))
        .collect();
    positions.sort_by_key(|p| p.0);
    positions.dedup_by_key(|p| p.0);
    Atlas {
        positions,
        definition: src.definition(),
        period: q.period,
        previous: before.map(|b| b.0),
        observations: src.observations(q.period),
        poles: q.poles.clone(),
        ranked: point_ranks.iter().flatten().count(),
        rows,
        median: summarise(&d, &all, &q.poles, level, median),
        average,
    }
}

/// An atlas question: the period, the poles, the measure, which roll calls and states.
#[derive(Clone, Debug)]
pub struct AtlasAsk {
    /// The period read.
    pub period: Period,
    /// The poles.
    pub poles: Vec<Iso3>,
    /// The measure of alignment.
    pub measure: Measure,
    /// Which roll calls (`--issue`, `--important`); the caller builds the selection from it.
    pub filter: RollCallFilter,
    /// Only the members of this group on the period's last roll call, if given.
    pub group: Option<Group>,
    /// With a group: also report the group's mean beside the median.
    pub average: bool,
    /// Replicates, confidence level and seed of the intervals.
    pub boot: Bootstrap,
}

/// Computes the atlas of a question over the roll calls `sel` keeps.
///
/// With `--metric ideal` the alignments are read from `ideal`, the fit with its bootstrap
/// standard errors; `None` for it is an error that says the fit is needed.
pub fn compute_atlas(
    store: &VoteStore,
    sel: &Selection,
    ask: &AtlasAsk,
    ideal: Option<&crate::ideal::IdealPoints>,
) -> Result<Atlas, String> {
    let src = ask
        .measure
        .source(store, sel, ideal)
        .ok_or_else(|| "the ideal-point measure needs a fit of the ideal points".to_string())?;
    let first = store.year_span().map_or(ask.period.from, |s| s.0);
    let previous = previous_period(src.as_ref(), ask.period, first);
    let members = ask.group.as_ref().map(|g| {
        src.last_date(ask.period)
            .map_or_else(Vec::new, |d| g.members_on(d))
    });
    let q = AtlasQuery {
        period: ask.period,
        previous,
        poles: ask.poles.clone(),
        boot: ask.boot,
        only: members.clone(),
        average: match (&ask.group, members) {
            (Some(g), Some(m)) if ask.average => Some((g.code.clone(), m)),
            _ => None,
        },
    };
    Ok(atlas(src.as_ref(), &q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bootstrap::SplitMix;
    use crate::store::{RollCall, VoteStoreBuilder};
    use crate::Vote;

    fn code(k: usize) -> Iso3 {
        Iso3::parse(&format!(
            "S{}{}",
            (b'A' + (k / 26) as u8) as char,
            (b'A' + (k % 26) as u8) as char
        ))
        .unwrap()
    }

    /// Synthetic votes: a pole votes yes, abstain or no with equal chances; state `k` then
    /// votes as the pole with probability `same`, one step away (abstain against yes or
    /// no; yes or no against abstain) with `half`, else opposite (yes against no, and
    /// against an abstention yes or no, which is one step again). Its true agreement rate
    /// is the expected score: `same + half / 2 + other / 6`.
    fn synthetic(seed: u64, roll_calls: usize, rates: &[(f64, f64)]) -> (VoteStore, Vec<f64>) {
        let mut rng = SplitMix::named(seed, &[]);
        let mut b = VoteStoreBuilder::new();
        let pole = Iso3::from_static("POL");
        for i in 0..roll_calls {
            let d = Date::new(2010, 1 + (i % 12) as u8, 1 + (i % 28) as u8).unwrap();
            b.add_roll_call(RollCall::new(i as u64, d, 0)).unwrap();
            let p = 1 + rng.below(3) as u8;
            b.add_vote(i as u64, pole, Vote::from_code(p).unwrap())
                .unwrap();
            for (k, &(same, half)) in rates.iter().enumerate() {
                let u = rng.unit();
                let either = |rng: &mut SplitMix| if rng.unit() < 0.5 { 1 } else { 3 };
                let v = if u < same {
                    p
                } else if p == 2 {
                    either(&mut rng)
                } else if u < same + half {
                    2
                } else {
                    4 - p
                };
                b.add_vote(i as u64, code(k), Vote::from_code(v).unwrap())
                    .unwrap();
            }
        }
        let truth = rates
            .iter()
            .map(|&(same, half)| same + half / 2.0 + (1.0 - same - half) / 6.0)
            .collect();
        (b.build().unwrap(), truth)
    }

    /// The done-when test of the atlas's intervals: on votes drawn from known agreement
    /// rates, the 90% interval holds the true rate in 85-95% of draws.
    #[test]
    fn intervals_cover_known_agreement_rates() {
        let rates: Vec<(f64, f64)> = (0..20)
            .map(|k| {
                let same = 0.15 + 0.04 * k as f64;
                (same, (1.0 - same) * 0.5)
            })
            .collect();
        let boot = Bootstrap {
            replicates: 400,
            seed: 11,
            level: 90.0,
        };
        let (mut held, mut total) = (0usize, 0usize);
        for dataset in 0..40u64 {
            let (store, truth) = synthetic(1000 + dataset, 100, &rates);
            let sel = Selection::all();
            let src = VoteAlignment {
                store: &store,
                selection: &sel,
                metric: Metric::Agreement,
            };
            let q = AtlasQuery {
                period: Period::year(2010),
                previous: None,
                poles: vec![Iso3::from_static("POL"), code(0)],
                boot,
                only: None,
                average: None,
            };
            // Pole 0 is POL; the rows are every other state (S-codes except the second pole).
            let a = atlas(&src, &q);
            for row in &a.rows {
                let k = (1..rates.len()).find(|&k| code(k) == row.state).unwrap();
                let e = &row.reading.alignments[0];
                total += 1;
                if e.lo.unwrap() <= truth[k] && truth[k] <= e.hi.unwrap() {
                    held += 1;
                }
            }
        }
        let coverage = held as f64 / total as f64;
        assert!(total == 40 * 19, "{total}");
        assert!(
            (0.85..=0.95).contains(&coverage),
            "coverage {coverage:.3} of {total}"
        );
    }

    /// Ranks, ties, the median and changes on a small store where everything is known.
    #[test]
    fn ranks_ties_median_and_change() {
        let mut b = VoteStoreBuilder::new();
        let (usa, chn) = (Iso3::from_static("USA"), Iso3::from_static("CHN"));
        let (aaa, bbb, ccc) = (
            Iso3::from_static("AAA"),
            Iso3::from_static("BBB"),
            Iso3::from_static("CCC"),
        );
        let mut id = 0;
        for year in [2000, 2001] {
            for i in 0..60 {
                let d = Date::new(year, 1 + (i % 12) as u8, 1).unwrap();
                b.add_roll_call(RollCall::new(id, d, 0)).unwrap();
                let (u, c) = if i % 2 == 0 {
                    (Vote::Yes, Vote::No)
                } else {
                    (Vote::No, Vote::Yes)
                };
                b.add_vote(id, usa, u).unwrap();
                b.add_vote(id, chn, c).unwrap();
                // AAA votes with China always; BBB with each half the time; CCC with the US
                // in 2000 and with China in 2001.
                b.add_vote(id, aaa, c).unwrap();
                b.add_vote(id, bbb, if i % 4 < 2 { u } else { c }).unwrap();
                b.add_vote(id, ccc, if year == 2000 { u } else { c })
                    .unwrap();
                id += 1;
            }
        }
        let store = b.build().unwrap();
        let sel = Selection::all();
        let src = VoteAlignment {
            store: &store,
            selection: &sel,
            metric: Metric::Agreement,
        };
        let p = Period::year(2001);
        let prev = previous_period(&src, p, 2000);
        assert_eq!(prev, Some(Period::year(2000)));
        let a = atlas(
            &src,
            &AtlasQuery {
                period: p,
                previous: prev,
                poles: vec![usa, chn],
                boot: Bootstrap {
                    replicates: 200,
                    seed: 1,
                    level: 90.0,
                },
                only: None,
                average: Some(("AB".into(), vec![aaa, bbb])),
            },
        );
        assert_eq!(
            a.rows.iter().map(|r| r.state).collect::<Vec<_>>(),
            vec![aaa, bbb, ccc]
        );
        let row = |s: Iso3| a.rows.iter().find(|r| r.state == s).unwrap();
        assert_eq!(row(bbb).rank, Some(1));
        assert_eq!(row(aaa).rank, Some(2));
        assert_eq!(row(ccc).rank, Some(2));
        assert_eq!(row(aaa).reading.toward, Some(chn));
        assert!(row(aaa).reading.tie.is_empty());
        assert_eq!(row(aaa).reading.toward_share, Some(1.0));
        // BBB agrees 0.5 with both: the intervals overlap, a tie.
        assert_eq!(row(bbb).reading.tie, vec![usa, chn]);
        // CCC moved from the US to China: +1 with China, -1 with the US, lean unchanged.
        let ch = row(ccc).change.as_ref().unwrap();
        assert_eq!(ch.alignments[1].value, Some(1.0));
        assert_eq!(ch.alignments[0].value, Some(-1.0));
        assert_eq!(ch.lean.value, Some(0.0));
        assert_eq!(a.median.alignments[1].value, Some(1.0));
        let (name, avg) = a.average.as_ref().unwrap();
        assert_eq!((name.as_str(), avg.states), ("AB", 2));
        assert_eq!(avg.alignments[1].value, Some(0.75));
        assert_eq!(avg.lean.value, Some(0.5));
        assert_eq!(a.ranked, 3);
    }

    #[test]
    fn ranks_share_ties() {
        assert_eq!(
            ranks(&[0.3, 0.1, 0.3, f64::NAN]),
            vec![Some(2), Some(1), Some(2), None]
        );
    }
}
