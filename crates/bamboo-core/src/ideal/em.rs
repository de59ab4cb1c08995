//! The estimator: EM for the dynamic ordinal probit model, after emIRT's `ordIRT` and
//! `dynIRT` (Imai, Lo and Olmsted 2016), with the states' paths as the missing data.
//!
//! **Model**, for state `i` in session `t` and roll call `j` of that session:
//! `y*_ij = a_j + b_j x_it + ε`, `ε ~ N(0, 1)`; the vote is *yes* if `y* < 0`, *abstain* if
//! `0 ≤ y* < g_j` and *no* if `y* ≥ g_j` (one gap `g_j ≥ 0` per roll call; without
//! abstentions `g_j = 0`, a binary probit). Absences are missing. The prior on a state's
//! path is a Gaussian random walk, `x_i,t+1 − x_it ~ N(0, ω²)` per session, times a
//! population prior `x_it ~ N(0, σ²)` for every session the state voted in (a stationary
//! Gaussian Markov field, which keeps a lone state at an end of the spectrum from
//! drifting away without bound); items have `a_j ~ N(0, σ_a²)`, `b_j ~ N(0, σ_b²)`.
//!
//! **Identification.** A shift or stretch of every position in one session, undone by that
//! session's items, fits the votes exactly as well. Each session is therefore
//! standardised: mean 0 and standard deviation 1 over the states that voted in it (the
//! items absorb the change). Distances are thus in units of each session's spread; a
//! drift or polarisation of the whole Assembly is not measured (that needs roll calls
//! matched across sessions, as Bailey, Strezhnev and Voeten do).
//!
//! **One iteration**, from the current items and positions:
//! 1. **M-step.** Each roll call's `(a_j, b_j, g_j)` takes one Newton step on its expected
//!    log-posterior, `Σ_i E[ℓ(a_j + b_j x_it)] + ln p(a_j, b_j)`, where
//!    `ℓ = ln P(vote | μ, g_j)` and `E[ℓ] ≈ ℓ(a_j + b_j x̂) − ½ w b_j² V` under the
//!    positions' current Gaussian (mean `x̂`, variance `V`, `w = −ℓ''`): a generalised EM
//!    step, in parallel over sessions.
//! 2. **E-step.** The posterior of each state's whole path given the items is approximated
//!    by a Gaussian (Laplace): each state-session's votes give a Gaussian
//!    pseudo-observation, precision `Σ w b_j²` and information `Σ b_j (ℓ' + w b_j x̂)`, the
//!    second-order expansion of their log-likelihood; one Kalman filter and
//!    Rauch-Tung-Striebel smoother pass per state then gives every session's `x̂` and `V`
//!    (in parallel over states). emIRT's EM instead augments each vote with its latent
//!    utility, which amounts to `w = 1`: the same fixed point, reached far more slowly
//!    for states whose votes the model predicts well, such as a lone state at an end.
//! 3. Each session is standardised; if ω is not fixed (it is by default, see
//!    `IdealOptions::walk_sd`), ω² is re-estimated from the smoothed paths,
//!    `E[(x_t+1 − x_t)²]`.
//!
//! Both updates are over-relaxed (`x ← x + r (x_new − x)`, `r = 1.3` by default), which
//! speeds up EM's linear convergence; a run falls back to plain steps should a step ever
//! grow the change. It stops when no position moved by more than the tolerance in an
//! iteration. Every parallel step writes per-session or per-state results that are
//! collected in order and summed sequentially, so the result is the same on any number
//! of threads.

use rayon::prelude::*;

use super::design::{Chain, Design};
use super::normal::{hazard, truncated};
use super::IdealOptions;

/// The largest cutpoint gap: a roll call with no *no* votes would push `g` without bound.
const G_MAX: f64 = 10.0;

/// Parameters and positions.
#[derive(Clone, Debug)]
pub(crate) struct State {
    pub a: Vec<f64>,
    pub b: Vec<f64>,
    pub g: Vec<f64>,
    /// Smoothed position and variance per cell (from all of the state's votes).
    pub x: Vec<f64>,
    pub v: Vec<f64>,
    /// Filtered position and variance per cell (from its votes up to that session).
    pub xf: Vec<f64>,
    pub vf: Vec<f64>,
    pub walk2: f64,
}

/// How a run of the iterations ended.
#[derive(Copy, Clone, Debug, PartialEq)]
pub(crate) struct Run {
    pub iterations: u32,
    pub converged: bool,
    /// The largest change of a position in the last iteration.
    pub change: f64,
}

/// Prior precisions.
#[derive(Copy, Clone, Debug)]
struct Priors {
    a: f64,
    b: f64,
    pop: f64,
}

impl Priors {
    fn new(opts: &IdealOptions) -> Priors {
        let prec = |s: f64| 1.0 / (s * s);
        Priors {
            a: prec(opts.item_sd),
            b: prec(opts.disc_sd),
            pop: prec(opts.pop_sd),
        }
    }
}

/// A vote's log-likelihood `ℓ = ln P(category | μ, g)` and its derivatives: `d` = ∂ℓ/∂μ,
/// `w` = −∂²ℓ/∂μ² (in (0, 1)), `dg` = ∂ℓ/∂g, `dgg` = ∂²ℓ/∂g², `dmg` = ∂²ℓ/∂μ∂g.
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub(crate) struct Deriv {
    pub d: f64,
    pub w: f64,
    pub dg: f64,
    pub dgg: f64,
    pub dmg: f64,
}

/// The derivatives of one vote's log-likelihood; category 0 yes, 1 abstain, 2 no.
#[inline]
pub(crate) fn deriv(cat: u8, mu: f64, g: f64) -> Deriv {
    match cat {
        0 => {
            // ℓ = ln Φ(−μ).
            let h = hazard(mu);
            Deriv {
                d: -h,
                w: h * (h - mu),
                ..Deriv::default()
            }
        }
        2 => {
            // ℓ = ln Q(g − μ).
            let z = g - mu;
            let h = hazard(z);
            let w = h * (h - z);
            Deriv {
                d: h,
                w,
                dg: -h,
                dgg: -w,
                dmg: w,
            }
        }
        _ => {
            // ℓ = ln(Φ(g − μ) − Φ(−μ)).
            let t = truncated(-mu, g - mu);
            Deriv {
                d: t.mean,
                w: 1.0 - t.var,
                dg: t.d_hi,
                dgg: t.d2_hi,
                dmg: t.d_lo * t.d_hi - t.d2_hi,
            }
        }
    }
}

/// Solves the symmetric positive definite 3 × 3 system `m s = r` (Cholesky); a matrix
/// that is not positive definite falls back to the diagonal.
fn solve3(m: [[f64; 3]; 3], r: [f64; 3]) -> (f64, f64, f64) {
    let diagonal = || (r[0] / m[0][0], r[1] / m[1][1], r[2] / m[2][2].max(1e-12));
    let l00 = m[0][0].sqrt();
    let l10 = m[1][0] / l00;
    let l20 = m[2][0] / l00;
    let d1 = m[1][1] - l10 * l10;
    if d1.is_nan() || d1 <= 0.0 {
        return diagonal();
    }
    let l11 = d1.sqrt();
    let l21 = (m[2][1] - l20 * l10) / l11;
    let d2 = m[2][2] - l20 * l20 - l21 * l21;
    if d2.is_nan() || d2 <= 0.0 {
        return diagonal();
    }
    let l22 = d2.sqrt();
    let y0 = r[0] / l00;
    let y1 = (r[1] - l10 * y0) / l11;
    let y2 = (r[2] - l20 * y0 - l21 * y1) / l22;
    let s2 = y2 / l22;
    let s1 = (y1 - l21 * s2) / l11;
    let s0 = (y0 - l10 * s1 - l20 * s2) / l00;
    (s0, s1, s2)
}

/// Gradient and negated Hessian of one roll call's expected log-posterior in (a, b, g).
#[derive(Copy, Clone, Debug, Default)]
struct ItemStats {
    ga: f64,
    gb: f64,
    gg: f64,
    haa: f64,
    hab: f64,
    hbb: f64,
    hag: f64,
    hbg: f64,
    hgg: f64,
    abstains: bool,
}

impl ItemStats {
    /// The Newton step's new parameters.
    fn step(&self, (a, b, g): (f64, f64, f64)) -> (f64, f64, f64) {
        let (da, db, dg) = if self.abstains {
            solve3(
                [
                    [self.haa, self.hab, self.hag],
                    [self.hab, self.hbb, self.hbg],
                    [self.hag, self.hbg, self.hgg],
                ],
                [self.ga, self.gb, self.gg],
            )
        } else {
            let det = self.haa * self.hbb - self.hab * self.hab;
            (
                (self.hbb * self.ga - self.hab * self.gb) / det,
                (self.haa * self.gb - self.hab * self.ga) / det,
                0.0,
            )
        };
        // A step longer than one unit is cut back to one: far from the optimum the
        // quadratic model can overshoot.
        let len = da.abs().max(db.abs()).max(dg.abs());
        let k = if len > 1.0 { 1.0 / len } else { 1.0 };
        let g_new = if self.abstains {
            (g + k * dg).clamp(1e-3, G_MAX)
        } else {
            0.0
        };
        (a + k * da, b + k * db, g_new)
    }
}

/// One session's item step: one Newton step for each of its roll calls.
fn session_items(
    d: &Design,
    st: &State,
    cats: &[u8],
    k: usize,
    pri: Priors,
) -> Vec<(f64, f64, f64)> {
    let mut items = Vec::with_capacity(d.session_items[k].len());
    for j in d.session_items[k].clone() {
        let (a, b, g) = (st.a[j], st.b[j], st.g[j]);
        let mut s = ItemStats {
            ga: -pri.a * a,
            gb: -pri.b * b,
            haa: pri.a,
            hbb: pri.b,
            ..ItemStats::default()
        };
        for t in d.votes(j) {
            let cell = d.vote_cell[t] as usize;
            let (x, v) = (st.x[cell], st.v[cell]);
            let cat = cats[t];
            let e = deriv(cat, a + b * x, g);
            s.ga += e.d;
            s.gb += e.d * x - e.w * b * v;
            s.haa += e.w;
            s.hab += e.w * x;
            s.hbb += e.w * (x * x + v);
            if cat != 0 {
                s.gg += e.dg;
                s.hgg -= e.dgg;
                s.hag -= e.dmg;
                s.hbg -= e.dmg * x;
                s.abstains |= cat == 1;
            }
        }
        items.push(s.step((a, b, g)));
    }
    items
}

/// The item step for every roll call, in parallel over sessions.
fn items_pass(d: &Design, st: &mut State, cats: &[u8], pri: Priors, relax: f64) {
    let per_session: Vec<_> = (0..d.sessions.len())
        .into_par_iter()
        .map(|k| session_items(d, st, cats, k, pri))
        .collect();
    for (k, items) in per_session.into_iter().enumerate() {
        for (j, (a, b, g)) in d.session_items[k].clone().zip(items) {
            st.a[j] += relax * (a - st.a[j]);
            st.b[j] += relax * (b - st.b[j]);
            st.g[j] = if g == 0.0 {
                0.0
            } else {
                (st.g[j] + relax * (g - st.g[j])).clamp(1e-3, G_MAX)
            };
        }
    }
}

/// One session's cells' Gaussian pseudo-observations: the second-order expansion of their
/// votes' log-likelihood at the current positions, as (precision, information), with the
/// population prior's precision.
fn session_cells(
    d: &Design,
    st: &State,
    cats: &[u8],
    k: usize,
    pri: Priors,
) -> (Vec<f64>, Vec<f64>) {
    let cells = d.session_cells[k].clone();
    let mut p = vec![pri.pop; cells.len()];
    let mut h = vec![0.0; cells.len()];
    for j in d.session_items[k].clone() {
        let (a, b, g) = (st.a[j], st.b[j], st.g[j]);
        let bb = b * b;
        for t in d.votes(j) {
            let cell = d.vote_cell[t] as usize;
            let x = st.x[cell];
            let e = deriv(cats[t], a + b * x, g);
            let local = cell - cells.start;
            p[local] += e.w * bb;
            h[local] += e.d * b + e.w * bb * x;
        }
    }
    (p, h)
}

/// One state's path: Kalman filter then RTS smoother, from a flat start. Returns, per cell
/// of the chain, (cell, smoothed mean, smoothed variance, filtered mean, filtered
/// variance), and the sum of `E[(x_t+1 − x_t)²]` over the path's steps.
#[allow(clippy::type_complexity)]
fn smooth(
    chain: &Chain,
    p: &[f64],
    h: &[f64],
    walk2: f64,
) -> (Vec<(u32, f64, f64, f64, f64)>, f64) {
    let n = chain.len as usize;
    let mut mf = vec![0.0; n];
    let mut vf = vec![0.0; n];
    let mut vpred = vec![f64::INFINITY; n];
    let mut obs = chain.cells.iter().peekable();
    for t in 0..n {
        let (m0, v0) = if t == 0 {
            (0.0, f64::INFINITY)
        } else {
            (mf[t - 1], vf[t - 1] + walk2)
        };
        vpred[t] = v0;
        match obs.peek() {
            Some(&&(pos, cell)) if pos as usize == t => {
                obs.next();
                let (pc, hc) = (p[cell as usize], h[cell as usize]);
                if v0.is_finite() {
                    let v = 1.0 / (1.0 / v0 + pc);
                    mf[t] = v * (m0 / v0 + hc);
                    vf[t] = v;
                } else {
                    mf[t] = hc / pc;
                    vf[t] = 1.0 / pc;
                }
            }
            _ => {
                mf[t] = m0;
                vf[t] = v0;
            }
        }
    }
    let mut ms = mf.clone();
    let mut vs = vf.clone();
    let mut walk = 0.0;
    for t in (0..n.saturating_sub(1)).rev() {
        let j = vf[t] / vpred[t + 1];
        ms[t] = mf[t] + j * (ms[t + 1] - mf[t]);
        vs[t] = vf[t] + j * j * (vs[t + 1] - vpred[t + 1]);
        let dm = ms[t + 1] - ms[t];
        walk += dm * dm + vs[t + 1] + vs[t] - 2.0 * j * vs[t + 1];
    }
    let out = chain
        .cells
        .iter()
        .map(|&(pos, cell)| {
            let t = pos as usize;
            (cell, ms[t], vs[t], mf[t], vf[t])
        })
        .collect();
    (out, walk)
}

/// Draws every state's path from the Gaussian (Laplace) posterior of the current fit,
/// given the items: a Kalman filter forward, then backward sampling (Frühwirth-Schnatter
/// 1994). `normal(chain, position)` gives the standard normal draws. Returns a position
/// per cell.
pub(crate) fn sample_paths(
    d: &Design,
    st: &State,
    cats: &[u8],
    opts: &IdealOptions,
    normal: impl Fn(usize, usize) -> f64 + Sync,
) -> Vec<f64> {
    let pri = Priors::new(opts);
    let per_session: Vec<_> = (0..d.sessions.len())
        .into_par_iter()
        .map(|k| session_cells(d, st, cats, k, pri))
        .collect();
    let mut p = Vec::with_capacity(d.cells());
    let mut h = Vec::with_capacity(d.cells());
    for (sp, sh) in per_session {
        p.extend(sp);
        h.extend(sh);
    }
    let walk2 = st.walk2;
    let draws: Vec<Vec<(u32, f64)>> = d
        .chains
        .par_iter()
        .enumerate()
        .map(|(ci, chain)| {
            let n = chain.len as usize;
            let (mut mf, mut vf, mut vpred) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            let mut obs = chain.cells.iter().peekable();
            for t in 0..n {
                let (m0, v0) = if t == 0 {
                    (0.0, f64::INFINITY)
                } else {
                    (mf[t - 1], vf[t - 1] + walk2)
                };
                vpred[t] = v0;
                match obs.peek() {
                    Some(&&(pos, cell)) if pos as usize == t => {
                        obs.next();
                        let (pc, hc) = (p[cell as usize], h[cell as usize]);
                        let v = if v0.is_finite() {
                            1.0 / (1.0 / v0 + pc)
                        } else {
                            1.0 / pc
                        };
                        mf[t] = v * (if v0.is_finite() { m0 / v0 } else { 0.0 } + hc);
                        vf[t] = v;
                    }
                    _ => {
                        mf[t] = m0;
                        vf[t] = v0;
                    }
                }
            }
            let mut x = vec![0.0; n];
            x[n - 1] = mf[n - 1] + vf[n - 1].sqrt() * normal(ci, n - 1);
            for t in (0..n - 1).rev() {
                let j = vf[t] / vpred[t + 1];
                let mean = mf[t] + j * (x[t + 1] - mf[t]);
                let var = (vf[t] * (1.0 - j)).max(0.0);
                x[t] = mean + var.sqrt() * normal(ci, t);
            }
            chain
                .cells
                .iter()
                .map(|&(pos, cell)| (cell, x[pos as usize]))
                .collect()
        })
        .collect();
    let mut out = vec![0.0; d.cells()];
    for list in draws {
        for (cell, x) in list {
            out[cell as usize] = x;
        }
    }
    out
}

/// Standardises `x` per session over its cells, in place.
pub(crate) fn standardise_positions(d: &Design, x: &mut [f64]) {
    for cells in &d.session_cells {
        let n = cells.len() as f64;
        let m = x[cells.clone()].iter().sum::<f64>() / n;
        let sd = (x[cells.clone()]
            .iter()
            .map(|v| (v - m) * (v - m))
            .sum::<f64>()
            / n)
            .sqrt();
        if sd > 0.0 {
            for v in &mut x[cells.clone()] {
                *v = (*v - m) / sd;
            }
        }
    }
}

/// Standardises each session's positions (mean 0, SD 1 over its cells); its roll calls
/// absorb the change (`μ = a + b x` is unchanged). Returns the mean variance factor.
fn standardise(d: &Design, st: &mut State) -> f64 {
    let mut factor = 0.0;
    for (k, cells) in d.session_cells.iter().enumerate() {
        let n = cells.len() as f64;
        let m = st.x[cells.clone()].iter().sum::<f64>() / n;
        let var = st.x[cells.clone()]
            .iter()
            .map(|x| (x - m) * (x - m))
            .sum::<f64>()
            / n;
        if var.is_nan() || var <= 0.0 {
            continue;
        }
        let s = var.sqrt();
        for c in cells.clone() {
            st.x[c] = (st.x[c] - m) / s;
            st.xf[c] = (st.xf[c] - m) / s;
            st.v[c] /= var;
            st.vf[c] /= var;
        }
        for j in d.session_items[k].clone() {
            st.a[j] += st.b[j] * m;
            st.b[j] *= s;
        }
        factor += var * n;
    }
    factor / st.x.len() as f64
}

/// One iteration; returns the largest change of a position.
fn step(
    d: &Design,
    st: &mut State,
    cats: &[u8],
    opts: &IdealOptions,
    pri: Priors,
    relax: f64,
) -> f64 {
    // M-step first, from the current positions; then the E-step with the new items.
    items_pass(d, st, cats, pri, relax);
    let per_session: Vec<_> = (0..d.sessions.len())
        .into_par_iter()
        .map(|k| session_cells(d, st, cats, k, pri))
        .collect();
    let mut p = Vec::with_capacity(d.cells());
    let mut h = Vec::with_capacity(d.cells());
    for (sp, sh) in per_session {
        p.extend(sp);
        h.extend(sh);
    }
    let walk2 = st.walk2;
    let paths: Vec<_> = d
        .chains
        .par_iter()
        .map(|c| smooth(c, &p, &h, walk2))
        .collect();
    let (mut walk, mut steps) = (0.0, 0.0);
    let old = st.x.clone();
    for (chain, (cells, w)) in d.chains.iter().zip(paths) {
        walk += w;
        steps += f64::from(chain.len - 1);
        for (cell, ms, vs, mf, vf) in cells {
            let c = cell as usize;
            st.x[c] += relax * (ms - st.x[c]);
            st.v[c] = vs;
            st.xf[c] = mf;
            st.vf[c] = vf;
        }
    }
    let var = standardise(d, st);
    if opts.walk_sd.is_none() && steps > 0.0 {
        st.walk2 = (walk / var / steps).max(1e-6);
    }
    st.x.iter()
        .zip(&old)
        .map(|(x, o)| (x - o).abs())
        .fold(0.0, f64::max)
}

/// Runs EM iterations from `st` on the votes `cats` until no position moves by more than
/// `opts.tol`, or `opts.max_iter` iterations.
pub(crate) fn iterate(d: &Design, st: &mut State, cats: &[u8], opts: &IdealOptions) -> Run {
    let pri = Priors::new(opts);
    let mut run = Run {
        iterations: 0,
        converged: false,
        change: f64::INFINITY,
    };
    let mut relax = opts.relax;
    while run.iterations < opts.max_iter {
        run.iterations += 1;
        let change = step(d, st, cats, opts, pri, relax);
        // Over-relaxation speeds up the linear convergence near the optimum; should a step
        // ever grow the change instead, the rest of the run takes plain EM steps.
        if change > 2.0 * run.change {
            relax = 1.0;
        }
        run.change = change;
        if change < opts.tol {
            run.converged = true;
            break;
        }
    }
    run
}

/// Deterministic starting values: per session, the first principal component of the
/// centred votes (power iteration from the orienting state's agreement profile), signed
/// so the orienting state is positive and scaled to SD 1; then five item steps from
/// `a = b = 0` with those positions held fixed.
pub(crate) fn start(d: &Design, cats: &[u8], opts: &IdealOptions) -> State {
    let per_session: Vec<Vec<f64>> = (0..d.sessions.len())
        .into_par_iter()
        .map(|k| principal_component(d, cats, k))
        .collect();
    let mut x = Vec::with_capacity(d.cells());
    for pc in per_session {
        x.extend(pc);
    }
    let n_items = d.items();
    let mut st = State {
        a: vec![0.0; n_items],
        b: vec![0.0; n_items],
        g: (0..n_items)
            .map(|j| {
                if cats[d.votes(j)].contains(&1) {
                    1.0
                } else {
                    0.0
                }
            })
            .collect(),
        v: vec![0.0; x.len()],
        xf: x.clone(),
        vf: vec![0.0; x.len()],
        x,
        walk2: opts.walk_sd.unwrap_or(0.3).powi(2),
    };
    // Items first, from the starting positions held fixed.
    let pri = Priors::new(opts);
    for _ in 0..5 {
        items_pass(d, &mut st, cats, pri, 1.0);
    }
    st
}

/// Session `k`'s first principal component over its cells, standardised.
fn principal_component(d: &Design, cats: &[u8], k: usize) -> Vec<f64> {
    let cells = d.session_cells[k].clone();
    let items = d.session_items[k].clone();
    let n = cells.len();
    // Centred votes, yes = −1, abstain = 0, no = 1.
    let mut y = Vec::with_capacity(d.item_offsets[items.end] - d.item_offsets[items.start]);
    for j in items.clone() {
        let r = d.votes(j);
        let mean = cats[r.clone()]
            .iter()
            .map(|&c| f64::from(c) - 1.0)
            .sum::<f64>()
            / r.len() as f64;
        y.extend(cats[r].iter().map(|&c| f64::from(c) - 1.0 - mean));
    }
    let base = d.item_offsets[items.start];
    let local = |t: usize| d.vote_cell[t] as usize - cells.start;
    let orient = d.orient_cells[k].map(|c| c as usize - cells.start);
    // Start from each state's agreement with the orienting state (else a fixed ramp).
    let mut u = vec![0.0; n];
    match orient {
        Some(o) => {
            for j in items.clone() {
                let r = d.votes(j);
                if let Some(to) = r.clone().find(|&t| local(t) == o) {
                    let yo = y[to - base];
                    for t in r {
                        u[local(t)] += y[t - base] * yo;
                    }
                }
            }
        }
        None => {
            for (i, ui) in u.iter_mut().enumerate() {
                *ui = i as f64 - n as f64 / 2.0;
            }
        }
    }
    let norm = |u: &mut Vec<f64>| {
        let s = u.iter().map(|x| x * x).sum::<f64>().sqrt();
        if s > 0.0 {
            u.iter_mut().for_each(|x| *x /= s);
        }
    };
    norm(&mut u);
    for _ in 0..100 {
        let mut next = vec![0.0; n];
        for j in items.clone() {
            let r = d.votes(j);
            let s: f64 = r.clone().map(|t| y[t - base] * u[local(t)]).sum();
            for t in r {
                next[local(t)] += y[t - base] * s;
            }
        }
        norm(&mut next);
        let diff: f64 = next.iter().zip(&u).map(|(a, b)| (a - b).abs()).sum();
        u = next;
        if diff < 1e-10 {
            break;
        }
    }
    if orient.is_some_and(|o| u[o] < 0.0) {
        u.iter_mut().for_each(|x| *x = -*x);
    }
    let mean = u.iter().sum::<f64>() / n as f64;
    let sd = (u.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64).sqrt();
    u.iter()
        .map(|x| if sd > 0.0 { (x - mean) / sd } else { 0.0 })
        .collect()
}
