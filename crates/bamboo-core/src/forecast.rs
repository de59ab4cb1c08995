//! Vote forecasts: each state's vote on a roll call, with probabilities for yes, no and
//! abstain, learned only from roll calls dated before it.
//!
//! Two settings:
//!
//! - **given positions**: the other states' votes on the same roll call are known (the
//!   state itself is left out). The evidence is (1) its nearest neighbours' votes: the
//!   `k` states that agreed most with it over the five years before, weighted by
//!   `exp(τ·(agreement − 1))`; (2) its own base rates over those years; (3) its precedent:
//!   its vote on the most similar earlier resolution (title words, Jaccard ≥ 0.5); (4) the
//!   shares of the others' votes;
//! - **blind**: nothing about the roll call is known but its title, tags and date: the
//!   evidence is the state's base rates, its rates on earlier roll calls of the same issues,
//!   and its precedent.
//!
//! The pieces are combined by a multinomial logit, `P(o) ∝ exp(θ·φ(o))`, whose few weights
//! `θ` are fitted on the roll calls of the years before the first one forecast (each
//! computed, like the forecasts, from what was known before it). Nothing dated on or after a
//! roll call informs its forecast, except, with given positions, the others' votes on it.

// Small dense numerical loops (3 options × 5 features) read best with indices.
#![allow(clippy::needless_range_loop)]

use rayon::prelude::*;

use crate::case::Opt;
use crate::country::Iso3;
use crate::date::Date;
use crate::record::{normalise, source_codes_issues, RecordRules};
use crate::store::VoteStore;

/// Which evidence a forecast may use.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The other states' votes on the roll call are known (`given-positions`).
    GivenPositions,
    /// Only the roll call's title, tags and date are known (`blind`).
    Blind,
}

/// Settings of the forecaster.
#[derive(Clone, Debug)]
pub struct ForecastConfig {
    /// Which evidence may be used.
    pub mode: Mode,
    /// Years of history behind neighbours and base rates.
    pub window_years: i32,
    /// Neighbours consulted.
    pub k: usize,
    /// Sharpness of the neighbour weights.
    pub tau: f64,
    /// Years of roll calls before the first forecast on which `θ` is fitted.
    pub train_years: i32,
}

impl Default for ForecastConfig {
    fn default() -> Self {
        ForecastConfig {
            mode: Mode::GivenPositions,
            window_years: 5,
            k: 10,
            tau: 10.0,
            train_years: 2,
        }
    }
}

/// Option order of the forecasts: yes, no, abstain (as `un_vote`'s options).
pub const OPTIONS: [Opt; 3] = [Opt::Yes, Opt::No, Opt::Abstain];

/// One state's forecast on one roll call.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// Index of the roll call in the store.
    pub roll_call: usize,
    /// The state whose vote is forecast.
    pub state: Iso3,
    /// P(yes), P(no), P(abstain).
    pub p: [f64; 3],
    /// The most probable vote (the first of [`OPTIONS`] on a tie).
    pub predicted: Opt,
    /// What the state did, when the store records a vote.
    pub actual: Option<Opt>,
    /// The baselines' answers: always-first, majority, neighbour (given positions only),
    /// last-similar.
    pub baselines: [Option<Opt>; 4],
}

/// Accuracy, Brier score and log loss of a set of forecasts.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Score {
    /// Forecasts scored (those with a recorded vote).
    pub n: usize,
    /// The share predicted right; `None` for no forecast.
    pub accuracy: Option<f64>,
    /// Mean over forecasts of Σ_o (p_o − [o = actual])² (0 best, 2 worst).
    pub brier: Option<f64>,
    /// Mean of −ln p(actual), with p floored at 1e-6.
    pub log_loss: Option<f64>,
}

/// The forecasts and how they score.
#[derive(Clone, Debug)]
pub struct ForecastReport {
    /// The evidence used.
    pub mode: Mode,
    /// Every forecast, by roll call date.
    pub forecasts: Vec<Forecast>,
    /// How the model's probabilities score.
    pub model: Score,
    /// `(name, score)`; a baseline's probabilities are 0.9 on its answer, 0.05 on each other.
    pub baselines: Vec<(String, Score)>,
    /// The fitted combination weights, named.
    pub weights: Vec<(String, f64)>,
    /// What `θ` was fitted on: first and last date, and the number of (state, roll call)
    /// examples.
    pub trained_on: Option<(Date, Date, usize)>,
}

/// Baseline names, in the order of [`Forecast::baselines`].
pub const BASELINES: [&str; 4] = ["always-first", "majority", "neighbour", "last-similar"];

const FLOOR: f64 = 1e-3;

/// Agreement between every pair of states over a window of roll calls, as integer sums:
/// `shared[a][b]` roll calls both voted on, `agree2[a][b]` the sum of `2 − |code_a − code_b|`.
struct Window {
    n: usize,
    shared: Vec<u32>,
    agree2: Vec<u32>,
    /// Each state's own votes in the window per option (yes, no, abstain).
    own: Vec<[u32; 3]>,
    /// Each state's neighbours, computed on first use.
    near: Vec<Option<Vec<(usize, f64)>>>,
}

impl Window {
    fn new(store: &VoteStore, lo: usize, hi: usize) -> Window {
        let n = store.countries().len();
        let m = hi.saturating_sub(lo);
        let words = m.div_ceil(64).max(1);
        // Bit sets per country and vote code (1 yes, 2 abstain, 3 no).
        let mut bits = vec![0u64; n * 3 * words];
        let mut own = vec![[0u32; 3]; n];
        for (r, i) in (lo..hi).enumerate() {
            let (w, bit) = (r / 64, 1u64 << (r % 64));
            for c in store.votes(i) {
                let k = c.country as usize;
                let v = c.vote.code() as usize - 1;
                bits[(k * 3 + v) * words + w] |= bit;
                own[k][opt_slot(c.vote.code())] += 1;
            }
        }
        let mut shared = vec![0u32; n * n];
        let mut agree2 = vec![0u32; n * n];
        let slice = |k: usize, v: usize| &bits[(k * 3 + v) * words..(k * 3 + v + 1) * words];
        for a in 0..n {
            if own[a].iter().sum::<u32>() == 0 {
                continue;
            }
            for b in a + 1..n {
                if own[b].iter().sum::<u32>() == 0 {
                    continue;
                }
                let (mut s, mut g) = (0u32, 0u32);
                for x in 0..3 {
                    let ax = slice(a, x);
                    for y in 0..3 {
                        let by = slice(b, y);
                        let c: u32 = ax.iter().zip(by).map(|(p, q)| (p & q).count_ones()).sum();
                        s += c;
                        g += c * (2 - (x as i32 - y as i32).unsigned_abs());
                    }
                }
                shared[a * n + b] = s;
                shared[b * n + a] = s;
                agree2[a * n + b] = g;
                agree2[b * n + a] = g;
            }
        }
        Window {
            n,
            shared,
            agree2,
            own,
            near: vec![None; n],
        }
    }

    fn agreement(&self, a: usize, b: usize) -> Option<f64> {
        let s = self.shared[a * self.n + b];
        (s > 0).then(|| f64::from(self.agree2[a * self.n + b]) / (2.0 * f64::from(s)))
    }

    /// The states that shared at least half of `a`'s roll calls, by agreement (highest
    /// first; ties to more shared roll calls, then the lower index).
    fn neighbours(&mut self, a: usize) -> &[(usize, f64)] {
        if self.near[a].is_none() {
            self.near[a] = Some(self.rank(a));
        }
        self.near[a].as_deref().unwrap_or_default()
    }

    fn rank(&self, a: usize) -> Vec<(usize, f64)> {
        let own: u32 = self.own[a].iter().sum();
        let mut v: Vec<(usize, f64, u32)> = (0..self.n)
            .filter(|&b| b != a && 2 * self.shared[a * self.n + b] >= own && own > 0)
            .filter_map(|b| Some((b, self.agreement(a, b)?, self.shared[a * self.n + b])))
            .collect();
        v.sort_by(|x, y| y.1.total_cmp(&x.1).then(y.2.cmp(&x.2)).then(x.0.cmp(&y.0)));
        v.into_iter().map(|(b, g, _)| (b, g)).collect()
    }

    fn base(&self, a: usize) -> [f64; 3] {
        let o = self.own[a];
        let t = f64::from(o.iter().sum::<u32>()) + 3.0;
        o.map(|x| (f64::from(x) + 1.0) / t)
    }
}

/// yes 0, no 1, abstain 2 from a vote code (1 yes, 2 abstain, 3 no).
fn opt_slot(code: u8) -> usize {
    match code {
        1 => 0,
        3 => 1,
        _ => 2,
    }
}

fn title_words(title: &str) -> Vec<u32> {
    // Hashing keeps the index allocation-light; collisions are astronomically rare and
    // would only merge two words.
    const STOP: &[&str] = &[
        "a",
        "an",
        "and",
        "the",
        "of",
        "in",
        "on",
        "to",
        "for",
        "by",
        "with",
        "its",
        "at",
        "as",
        "or",
        "from",
        "resolution",
        "adopted",
        "general",
        "assembly",
        "united",
        "nations",
        "draft",
        "amendment",
        "amendments",
        "vote",
        "report",
    ];
    let mut v: Vec<u32> = normalise(title)
        .split(' ')
        .filter(|w| !w.is_empty() && !STOP.contains(w))
        .map(|w| {
            let mut h: u32 = 2166136261;
            for b in w.bytes() {
                h = (h ^ u32::from(b)).wrapping_mul(16777619);
            }
            h
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Every titled roll call of the store, for precedents.
struct Titles {
    words: Vec<Vec<u32>>,
    postings: std::collections::HashMap<u32, Vec<u32>>,
}

impl Titles {
    fn new(store: &VoteStore) -> Titles {
        let mut postings: std::collections::HashMap<u32, Vec<u32>> = Default::default();
        let words: Vec<Vec<u32>> = store
            .roll_calls()
            .iter()
            .enumerate()
            .map(|(i, rc)| {
                let w = rc.title.as_deref().map(title_words).unwrap_or_default();
                for &x in &w {
                    postings.entry(x).or_default().push(i as u32);
                }
                w
            })
            .collect();
        Titles { words, postings }
    }

    /// The earlier roll calls whose titles share at least half their words with roll
    /// call `r`'s (Jaccard ≥ 0.5), most similar first, then latest first.
    fn similar(&self, store: &VoteStore, r: usize) -> Vec<usize> {
        let w = &self.words[r];
        if w.is_empty() {
            return Vec::new();
        }
        let date = store.roll_calls()[r].date;
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<(f64, usize)> = Vec::new();
        for x in w {
            for &k in self.postings.get(x).into_iter().flatten() {
                let k = k as usize;
                if store.roll_calls()[k].date >= date || !seen.insert(k) {
                    continue;
                }
                let o = &self.words[k];
                let inter = w.iter().filter(|a| o.binary_search(a).is_ok()).count();
                let j = inter as f64 / (w.len() + o.len() - inter) as f64;
                if j >= 0.5 {
                    out.push((j, k));
                }
            }
        }
        out.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        out.into_iter().map(|x| x.1).collect()
    }
}

/// The features of one (state, roll call) for each option, and the baselines' answers.
struct Example {
    phi: [[f64; 5]; 3],
    baselines: [Option<usize>; 4],
    actual: Option<usize>,
}

/// Roll calls to forecast (store indices), each with the states to forecast.
type Jobs = Vec<(usize, Vec<u16>)>;

/// What every forecast reads: the store, its titles and each roll call's issue codes.
struct Context<'a> {
    store: &'a VoteStore,
    titles: &'a Titles,
    /// Each roll call's issue codes (the source's, or read from its words).
    issues: Vec<u8>,
    cfg: &'a ForecastConfig,
}

impl Context<'_> {
    /// The window of history before `date`: its roll-call range and pair agreements.
    fn window(&self, date: Date) -> (usize, usize, Window) {
        let years = self.cfg.window_years;
        let from = Date::new(date.year() - years, date.month(), date.day().min(28)).unwrap_or(date);
        let rcs = self.store.roll_calls();
        let lo = rcs.partition_point(|r| r.date < from);
        let hi = rcs.partition_point(|r| r.date < date);
        (lo, hi, Window::new(self.store, lo, hi))
    }

    /// The examples of several roll calls held on one date, each for its states.
    fn examples_on(&self, date: Date, jobs: &[(usize, Vec<u16>)]) -> Vec<(usize, u16, Example)> {
        let mut w = self.window(date);
        let mut out = Vec::new();
        for (r, states) in jobs {
            for (s, e) in self.examples(*r, states, &mut w) {
                out.push((*r, s, e));
            }
        }
        out
    }

    /// The examples of roll call `r` for the states `states` (store indices).
    fn examples(
        &self,
        r: usize,
        states: &[u16],
        w: &mut (usize, usize, Window),
    ) -> Vec<(u16, Example)> {
        let store = self.store;
        let similar = self.titles.similar(store, r);
        let issues = self.issues[r];
        let (lo, hi) = (w.0, w.1);
        // Issue base rates (blind): each state's votes on the window's roll calls that
        // carry the same issue codes.
        let same_issue: Vec<usize> = if self.cfg.mode == Mode::Blind {
            (lo..hi).filter(|&i| self.issues[i] == issues).collect()
        } else {
            Vec::new()
        };
        let window = &mut w.2;
        let others: Vec<(usize, usize)> = store
            .votes(r)
            .iter()
            .map(|c| (c.country as usize, opt_slot(c.vote.code())))
            .collect();
        let vote_on = |b: usize| store.vote_of(r, b as u16).map(|v| opt_slot(v.code()));
        let mut out = Vec::with_capacity(states.len());
        for &s in states {
            let si = s as usize;
            let actual = store.vote_of(r, s).map(|v| opt_slot(v.code()));
            let base = window.base(si);
            let prec = similar
                .iter()
                .find_map(|&k| store.vote_of(k, s).map(|v| opt_slot(v.code())));
            let yes_ind = [1.0, 0.0, 0.0];
            let mut phi = [[0.0; 5]; 3];
            let mut baselines = [Some(0), None, None, Some(prec.unwrap_or(0))];
            match self.cfg.mode {
                Mode::GivenPositions => {
                    let mut cnt = [0.0f64; 3];
                    for &(c, v) in &others {
                        if c != si {
                            cnt[v] += 1.0;
                        }
                    }
                    let total: f64 = cnt.iter().sum();
                    let mut maj = 0;
                    for v in 1..3 {
                        if cnt[v] > cnt[maj] {
                            maj = v;
                        }
                    }
                    baselines[1] = Some(maj);
                    let neigh = window.neighbours(si);
                    // The spec's follow rule: the top neighbour's vote, abstain where absent.
                    baselines[2] = Some(neigh.first().map_or(0, |&(b, _)| vote_on(b).unwrap_or(2)));
                    let mut p = [FLOOR; 3];
                    let mut used = 0;
                    for &(b, g) in neigh {
                        if used == self.cfg.k {
                            break;
                        }
                        if let Some(v) = vote_on(b) {
                            p[v] += (self.cfg.tau * (g - 1.0)).exp();
                            used += 1;
                        }
                    }
                    let z: f64 = p.iter().sum();
                    for o in 0..3 {
                        phi[o][0] = (p[o] / z).ln();
                        phi[o][1] = base[o].ln();
                        phi[o][2] = f64::from(u8::from(prec == Some(o)));
                        phi[o][3] = if total > 0.0 { cnt[o] / total } else { 0.0 };
                        phi[o][4] = yes_ind[o];
                    }
                }
                Mode::Blind => {
                    let mut own = [1.0f64; 3];
                    for &i in &same_issue {
                        if let Some(v) = store.vote_of(i, s) {
                            own[opt_slot(v.code())] += 1.0;
                        }
                    }
                    let z: f64 = own.iter().sum();
                    let mut maj = 0;
                    for v in 1..3 {
                        if base[v] > base[maj] {
                            maj = v;
                        }
                    }
                    baselines[1] = Some(maj);
                    for o in 0..3 {
                        phi[o][0] = base[o].ln();
                        phi[o][1] = (own[o] / z).ln();
                        phi[o][2] = f64::from(u8::from(prec == Some(o)));
                        phi[o][3] = 0.0;
                        phi[o][4] = yes_ind[o];
                    }
                }
            }
            out.push((
                s,
                Example {
                    phi,
                    baselines,
                    actual,
                },
            ));
        }
        out
    }
}

fn softmax(phi: &[[f64; 5]; 3], theta: &[f64; 5]) -> [f64; 3] {
    let s = phi.map(|f| f.iter().zip(theta).map(|(a, b)| a * b).sum::<f64>());
    let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e = s.map(|x| (x - m).exp());
    let z: f64 = e.iter().sum();
    e.map(|x| x / z)
}

/// Fits `θ` by Newton's method on the penalised multinomial log-likelihood (5 weights).
fn fit_theta(examples: &[&Example]) -> [f64; 5] {
    let mut theta = [0.0; 5];
    for _ in 0..50 {
        let mut g = [0.0; 5];
        let mut h = [[0.0; 5]; 5];
        for e in examples {
            let Some(a) = e.actual else { continue };
            let p = softmax(&e.phi, &theta);
            let mut mean = [0.0; 5];
            for o in 0..3 {
                for k in 0..5 {
                    mean[k] += p[o] * e.phi[o][k];
                }
            }
            for k in 0..5 {
                g[k] += e.phi[a][k] - mean[k];
            }
            for o in 0..3 {
                for k in 0..5 {
                    let dk = e.phi[o][k] - mean[k];
                    for l in 0..5 {
                        h[k][l] += p[o] * dk * (e.phi[o][l] - mean[l]);
                    }
                }
            }
        }
        // Ridge: keeps the system solvable when a feature is constant.
        for k in 0..5 {
            g[k] -= 0.01 * theta[k];
            h[k][k] += 0.01;
        }
        let step = solve5(h, g);
        let mut max = 0.0f64;
        for k in 0..5 {
            theta[k] += step[k];
            max = max.max(step[k].abs());
        }
        if max < 1e-9 {
            break;
        }
    }
    theta
}

/// Solves a 5×5 symmetric positive-definite system by Gaussian elimination with pivoting.
fn solve5(mut a: [[f64; 5]; 5], mut b: [f64; 5]) -> [f64; 5] {
    for c in 0..5 {
        let p = (c..5)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        if a[c][c].abs() < 1e-300 {
            continue;
        }
        for r in c + 1..5 {
            let f = a[r][c] / a[c][c];
            for k in c..5 {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = [0.0; 5];
    for r in (0..5).rev() {
        let mut s = b[r];
        for k in r + 1..5 {
            s -= a[r][k] * x[k];
        }
        x[r] = if a[r][r].abs() < 1e-300 {
            0.0
        } else {
            s / a[r][r]
        };
    }
    x
}

fn score(rows: &[(usize, [f64; 3])]) -> Score {
    let n = rows.len();
    if n == 0 {
        return Score {
            n,
            accuracy: None,
            brier: None,
            log_loss: None,
        };
    }
    let (mut hit, mut brier, mut ll) = (0usize, 0.0, 0.0);
    for &(a, p) in rows {
        let best = (0..3).fold(0, |b, o| if p[o] > p[b] + 1e-15 { o } else { b });
        hit += usize::from(best == a);
        for (o, po) in p.iter().enumerate() {
            let t = f64::from(u8::from(o == a));
            brier += (po - t) * (po - t);
        }
        ll -= p[a].max(1e-6).ln();
    }
    let r = |x: f64| crate::engine::round4(x);
    Score {
        n,
        accuracy: Some(r(hit as f64 / n as f64)),
        brier: Some(r(brier / n as f64)),
        log_loss: Some(r(ll / n as f64)),
    }
}

fn one_hot(o: usize) -> [f64; 3] {
    let mut p = [0.05; 3];
    p[o] = 0.9;
    p
}

/// The names of the combination weights, for a mode.
pub fn weight_names(mode: Mode) -> [&'static str; 5] {
    match mode {
        Mode::GivenPositions => [
            "ln P(neighbours' votes)",
            "ln base rate",
            "precedent",
            "share of the others' votes",
            "yes",
        ],
        Mode::Blind => [
            "ln base rate",
            "ln rate on the same issues",
            "precedent",
            "(unused)",
            "yes",
        ],
    }
}

/// Forecasts every state in `states` (or, when empty, every state that voted in the year
/// before the roll call, or on it) on each roll call of `targets` (store indices).
pub fn forecast(
    store: &VoteStore,
    rules: Option<&RecordRules>,
    targets: &[usize],
    states: &[Iso3],
    cfg: &ForecastConfig,
) -> ForecastReport {
    let titles = Titles::new(store);
    let issues = store
        .roll_calls()
        .iter()
        .map(|rc| match rules {
            Some(r) => r.label(rc, source_codes_issues(rc)).issues,
            None => rc.issues,
        })
        .collect();
    let cx = Context {
        store,
        titles: &titles,
        issues,
        cfg,
    };
    let wanted: Vec<u16> = states
        .iter()
        .filter_map(|s| store.country_index(*s))
        .collect();
    let states_for = |r: usize| -> Vec<u16> {
        if !wanted.is_empty() {
            return wanted.clone();
        }
        // Members: every state that voted in the year before, or on the roll call itself.
        let date = store.roll_calls()[r].date;
        let from = Date::new(date.year() - 1, date.month(), date.day().min(28)).unwrap_or(date);
        let rcs = store.roll_calls();
        let lo = rcs.partition_point(|x| x.date < from);
        let hi = rcs.partition_point(|x| x.date < date);
        let mut seen = vec![false; store.countries().len()];
        for i in (lo..hi).chain(std::iter::once(r)) {
            for c in store.votes(i) {
                seen[c.country as usize] = true;
            }
        }
        (0..seen.len() as u16)
            .filter(|&k| seen[k as usize])
            .collect()
    };
    // Roll calls grouped by date, so each date's window is built once; dates run in
    // parallel and are collected in order, so the result never depends on the threads.
    let by_date = |rcs: Jobs| -> Vec<(usize, u16, Example)> {
        let mut groups: Vec<(Date, Jobs)> = Vec::new();
        for (r, st) in rcs {
            let d = store.roll_calls()[r].date;
            match groups.last_mut() {
                Some((gd, g)) if *gd == d => g.push((r, st)),
                _ => groups.push((d, vec![(r, st)])),
            }
        }
        groups
            .par_iter()
            .map(|(d, jobs)| cx.examples_on(*d, jobs))
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect()
    };

    // Fit θ on the roll calls of the years before the first target.
    let first = targets.iter().map(|&r| store.roll_calls()[r].date).min();
    let mut training: Vec<Example> = Vec::new();
    let mut trained_on = None;
    if let Some(first) = first {
        let from = Date::new(
            first.year() - cfg.train_years,
            first.month(),
            first.day().min(28),
        )
        .unwrap_or(first);
        let rcs = store.roll_calls();
        let lo = rcs.partition_point(|x| x.date < from);
        let hi = rcs.partition_point(|x| x.date < first);
        let jobs: Jobs = (lo..hi)
            .map(|r| {
                let voters = store.votes(r).iter().map(|c| c.country);
                let pick: Vec<u16> = if wanted.is_empty() {
                    voters.collect()
                } else {
                    voters.filter(|v| wanted.contains(v)).collect()
                };
                (r, pick)
            })
            .collect();
        training = by_date(jobs).into_iter().map(|(_, _, e)| e).collect();
        if hi > lo {
            trained_on = Some((rcs[lo].date, rcs[hi - 1].date, training.len()));
        }
    }
    let refs: Vec<&Example> = training.iter().collect();
    let theta = if refs.iter().any(|e| e.actual.is_some()) {
        fit_theta(&refs)
    } else {
        // No history: the neighbours (or base rates) alone.
        [1.0, 0.0, 0.0, 0.0, 0.0]
    };

    let mut sorted: Vec<usize> = targets.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let jobs: Jobs = sorted.iter().map(|&r| (r, states_for(r))).collect();
    let mut forecasts = Vec::new();
    for (r, s, e) in by_date(jobs) {
        let p = softmax(&e.phi, &theta);
        let best = (0..3).fold(0, |b, o| if p[o] > p[b] + 1e-15 { o } else { b });
        forecasts.push(Forecast {
            roll_call: r,
            state: store.countries()[s as usize],
            p,
            predicted: OPTIONS[best],
            actual: e.actual.map(|a| OPTIONS[a]),
            baselines: e.baselines.map(|b| b.map(|x| OPTIONS[x])),
        });
    }
    let slot = |o: Opt| OPTIONS.iter().position(|&x| x == o).unwrap_or(0);
    let known: Vec<&Forecast> = forecasts.iter().filter(|f| f.actual.is_some()).collect();
    let model = score(
        &known
            .iter()
            .map(|f| (slot(f.actual.unwrap_or(Opt::Yes)), f.p))
            .collect::<Vec<_>>(),
    );
    let mut baselines = Vec::new();
    for (k, name) in BASELINES.iter().enumerate() {
        let rows: Vec<(usize, [f64; 3])> = known
            .iter()
            .filter_map(|f| {
                let b = f.baselines[k]?;
                Some((slot(f.actual?), one_hot(slot(b))))
            })
            .collect();
        if !rows.is_empty() {
            baselines.push((name.to_string(), score(&rows)));
        }
    }
    ForecastReport {
        mode: cfg.mode,
        forecasts,
        model,
        baselines,
        weights: weight_names(cfg.mode)
            .iter()
            .zip(theta)
            .filter(|(n, _)| !n.starts_with('('))
            .map(|(n, t)| (n.to_string(), crate::engine::round4(t)))
            .collect(),
        trained_on,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{RollCall, VoteStoreBuilder};
    use crate::vote::Vote;

    fn c(s: &str) -> Iso3 {
        Iso3::parse(s).unwrap()
    }

    /// A store where A always votes as B, C always opposite B, over six years.
    fn store(extra_after: Option<Vote>) -> VoteStore {
        let mut b = VoteStoreBuilder::new();
        let mut id = 0;
        for y in 2010..=2016 {
            for k in 0..12u64 {
                let date = Date::new(y, 10, 1 + k as u8).unwrap();
                let mut rc = RollCall::new(id, date, 0);
                rc.title = Some(format!("Resolution number {k} on topic {}", k % 4));
                b.add_roll_call(rc).unwrap();
                let v = [Vote::Yes, Vote::No, Vote::Abstain][((id * 7) % 3) as usize];
                let opposite = match v {
                    Vote::Yes => Vote::No,
                    Vote::No => Vote::Yes,
                    Vote::Abstain => Vote::Abstain,
                };
                b.add_vote(id, c("BBB"), v).unwrap();
                b.add_vote(id, c("AAA"), v).unwrap();
                b.add_vote(id, c("CCC"), opposite).unwrap();
                b.add_vote(id, c("DDD"), Vote::Yes).unwrap();
                id += 1;
            }
        }
        if let Some(v) = extra_after {
            // Votes after the target date, which must change nothing.
            let rc = RollCall::new(id, Date::new(2017, 1, 5).unwrap(), 0);
            b.add_roll_call(rc).unwrap();
            b.add_vote(id, c("AAA"), v).unwrap();
            b.add_vote(id, c("BBB"), Vote::Abstain).unwrap();
        }
        b.build().unwrap()
    }

    fn targets(s: &VoteStore) -> Vec<usize> {
        (0..s.roll_calls().len())
            .filter(|&i| s.roll_calls()[i].date.year() == 2016)
            .collect()
    }

    #[test]
    fn a_faithful_neighbour_is_followed() {
        let s = store(None);
        let r = forecast(
            &s,
            None,
            &targets(&s),
            &[c("AAA")],
            &ForecastConfig::default(),
        );
        assert_eq!(r.forecasts.len(), 12);
        for f in &r.forecasts {
            assert_eq!(Some(f.predicted), f.actual, "{f:?}");
            assert!((f.p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        assert_eq!(r.model.accuracy, Some(1.0));
    }

    /// Nothing dated on or after a roll call informs its forecast: appending later votes
    /// (even contradicting ones) leaves every probability unchanged.
    #[test]
    fn later_votes_change_nothing() {
        let a = store(None);
        let b = store(Some(Vote::No));
        let cfg = ForecastConfig::default();
        let ra = forecast(&a, None, &targets(&a), &[], &cfg);
        let rb = forecast(&b, None, &targets(&b), &[], &cfg);
        assert_eq!(ra.forecasts.len(), rb.forecasts.len());
        for (x, y) in ra.forecasts.iter().zip(&rb.forecasts) {
            assert_eq!(x.p, y.p);
        }
        for mode in [Mode::Blind] {
            let cfg = ForecastConfig {
                mode,
                ..ForecastConfig::default()
            };
            let ra = forecast(&a, None, &targets(&a), &[], &cfg);
            let rb = forecast(&b, None, &targets(&b), &[], &cfg);
            for (x, y) in ra.forecasts.iter().zip(&rb.forecasts) {
                assert_eq!(x.p, y.p);
            }
        }
    }

    #[test]
    fn scores_are_computed_from_the_definitions() {
        let s = score(&[(0, [0.5, 0.25, 0.25]), (1, [0.5, 0.25, 0.25])]);
        assert_eq!(s.accuracy, Some(0.5));
        // (0.25 + 0.0625 + 0.0625) and (0.25 + 0.5625 + 0.0625), averaged.
        assert_eq!(s.brier, Some(0.625));
        assert_eq!(
            s.log_loss,
            Some(crate::engine::round4((-(0.5f64.ln()) - 0.25f64.ln()) / 2.0))
        );
    }
}
