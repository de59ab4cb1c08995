//! Fits a doctrine's vote branch (`[branches.votes]`) to what a subject did: the weights of
//! its peers, of the Assembly, of its own precedent, its standing values of yes and of
//! abstaining, and per tag, by penalised maximum likelihood. Roots are never fitted: an
//! option a root forbids is not a choice in the likelihood, and a case whose recorded
//! answer a root forbids is left out (and counted).
//!
//! The model is the engine's own score turned into probabilities: for each vote case,
//! `P(o) ∝ exp(offset(o) + θ·φ(o))` over the admissible options, where `offset` is the
//! doctrine's hand-set score (value, relations, balance, lean) and `θ·φ` the vote branch
//! ([`crate::engine::vote_term_of_case`], whose features are [`VoteDesign`]). The penalty is
//! `λ_peer·Σ w_j² + λ·Σ (other weights)²`. It is convex, and minimised by L-BFGS from zero,
//! so a fit is deterministic. `λ_peer` is chosen on a time split inside the training cases:
//! fitted on the first 80% by date, scored on the last 20%, then refitted on all.

use crate::case::{Tag, TagSet};
use crate::country::Iso3;
use crate::doctrine::VoteBranch;
use crate::engine::VoteDesign;

/// One vote case ready for fitting.
#[derive(Clone, Debug)]
pub struct FitCase {
    /// The hand-set score of each option (value + relations + balance + lean).
    pub offset: [f64; 3],
    /// Which options the roots allow.
    pub allowed: [bool; 3],
    /// The vote branch's features over the candidate peers.
    pub design: VoteDesign,
    /// Index of what the subject did.
    pub actual: usize,
}

/// Settings of a fit.
#[derive(Clone, Debug)]
pub struct FitConfig {
    /// Candidate values of the penalty on peer weights; the best on the time split is used.
    pub lambda_peers: Vec<f64>,
    /// Penalty on the other weights.
    pub lambda_other: f64,
    /// At most this many peers are kept (the largest weights), then the fit is redone.
    pub max_peers: usize,
    /// A tag's weights are fitted only if at least this many cases carry it.
    pub min_tag_cases: usize,
    /// Fit the precedent weight (needs precedents in the design).
    pub precedent: bool,
    /// Peers' weights are at least 0 (a peer is only ever company kept). By default a
    /// weight may be negative: the subject tends to vote otherwise than that state.
    pub nonneg_peers: bool,
}

impl Default for FitConfig {
    fn default() -> Self {
        FitConfig {
            lambda_peers: vec![0.3, 1.0, 3.0, 10.0, 30.0],
            lambda_other: 0.1,
            max_peers: 48,
            min_tag_cases: 8,
            precedent: true,
            nonneg_peers: false,
        }
    }
}

/// What a fit found.
#[derive(Clone, Debug)]
pub struct FitResult {
    /// The fitted vote branch (its `fit` provenance is the caller's to fill in).
    pub branch: VoteBranch,
    /// The penalty on peer weights chosen on the time split.
    pub lambda_peers: f64,
    /// Accuracy of the fitted engine on the training cases.
    pub in_sample: f64,
    /// Accuracy on the last 20% when fitted on the first 80% (the choice of λ).
    pub validation: f64,
    /// Cases the fit used.
    pub used: usize,
    /// Cases left out because a root forbids what the subject did.
    pub forbidden_actual: usize,
    /// Mean negative log-likelihood per case at the optimum (penalty excluded).
    pub log_loss: f64,
    /// Iterations of the optimiser in the final fit (at most 4,000).
    pub iterations: usize,
}

/// Why a fit cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FitError {
    /// No vote case with an `actual` dated before the cut.
    #[error(
        "no vote case to fit to (need cases of kind un_vote with `actual`, dated before --until)"
    )]
    NoCases,
    /// Fewer than 20 vote cases (how many there are).
    #[error("only {0} vote cases: a fit needs at least 20")]
    TooFew(usize),
}

/// The parameter layout: which weights are free.
struct Layout {
    peers: Vec<Iso3>,
    tags: Vec<Tag>,
    precedent: bool,
}

impl Layout {
    const FIXED: usize = 4; // yes, abstain, assembly, precedent

    fn len(&self) -> usize {
        Self::FIXED + self.peers.len() + 2 * self.tags.len()
    }

    /// φ(o) for every option of a case, into `out` (3 × len).
    fn features(&self, c: &FitCase, peer_cols: &[usize], out: &mut [f64]) {
        let n = self.len();
        out.iter_mut().for_each(|x| *x = 0.0);
        for o in 0..3 {
            let row = &mut out[o * n..(o + 1) * n];
            row[0] = c.design.dir[o];
            row[1] = c.design.abstains[o];
            row[2] = c.design.assembly[o];
            row[3] = if self.precedent {
                c.design.precedent[o]
            } else {
                0.0
            };
            for (k, &col) in peer_cols.iter().enumerate() {
                row[Self::FIXED + k] = c.design.peers[col][o];
            }
            let base = Self::FIXED + self.peers.len();
            for (k, t) in self.tags.iter().enumerate() {
                if c.design.tags.contains(*t) {
                    row[base + k] = c.design.dir[o];
                    row[base + self.tags.len() + k] = c.design.abstains[o];
                }
            }
        }
    }
}

/// Prepared design: features of every case, flattened.
struct Problem {
    n: usize,
    /// 3 × n features per case.
    x: Vec<f64>,
    offset: Vec<[f64; 3]>,
    allowed: Vec<[bool; 3]>,
    actual: Vec<usize>,
    penalty: Vec<f64>,
}

impl Problem {
    fn new(layout: &Layout, cases: &[&FitCase], peer_cols: &[usize], lp: f64, lo: f64) -> Problem {
        let n = layout.len();
        let mut x = vec![0.0; cases.len() * 3 * n];
        for (i, c) in cases.iter().enumerate() {
            layout.features(c, peer_cols, &mut x[i * 3 * n..(i + 1) * 3 * n]);
        }
        let mut penalty = vec![lo; n];
        for p in penalty
            .iter_mut()
            .skip(Layout::FIXED)
            .take(layout.peers.len())
        {
            *p = lp;
        }
        if !layout.precedent {
            penalty[3] = 1e9; // pinned at 0
        }
        Problem {
            n,
            x,
            offset: cases.iter().map(|c| c.offset).collect(),
            allowed: cases.iter().map(|c| c.allowed).collect(),
            actual: cases.iter().map(|c| c.actual).collect(),
            penalty,
        }
    }

    fn scores(&self, i: usize, theta: &[f64]) -> [f64; 3] {
        let n = self.n;
        let mut s = self.offset[i];
        for (o, so) in s.iter_mut().enumerate() {
            let row = &self.x[(i * 3 + o) * n..(i * 3 + o + 1) * n];
            *so += row.iter().zip(theta).map(|(a, b)| a * b).sum::<f64>();
        }
        s
    }

    /// Penalised negative log-likelihood and its gradient.
    fn value_grad(&self, theta: &[f64], grad: &mut [f64]) -> f64 {
        let n = self.n;
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut nll = 0.0;
        for i in 0..self.actual.len() {
            let s = self.scores(i, theta);
            let m = (0..3)
                .filter(|&o| self.allowed[i][o])
                .map(|o| s[o])
                .fold(f64::NEG_INFINITY, f64::max);
            let mut z = 0.0;
            let mut p = [0.0; 3];
            for o in 0..3 {
                if self.allowed[i][o] {
                    p[o] = (s[o] - m).exp();
                    z += p[o];
                }
            }
            let a = self.actual[i];
            nll += -(s[a] - m) + z.ln();
            for (o, po) in p.iter().enumerate() {
                let w = po / z - if o == a { 1.0 } else { 0.0 };
                if w == 0.0 {
                    continue;
                }
                let row = &self.x[(i * 3 + o) * n..(i * 3 + o + 1) * n];
                for (g, r) in grad.iter_mut().zip(row) {
                    *g += w * r;
                }
            }
        }
        let mut pen = 0.0;
        for k in 0..n {
            pen += self.penalty[k] * theta[k] * theta[k];
            grad[k] += 2.0 * self.penalty[k] * theta[k];
        }
        nll + pen
    }

    fn nll(&self, theta: &[f64]) -> f64 {
        let mut g = vec![0.0; self.n];
        let total = self.value_grad(theta, &mut g);
        let pen: f64 = (0..self.n)
            .map(|k| self.penalty[k] * theta[k] * theta[k])
            .sum();
        total - pen
    }

    fn accuracy(&self, theta: &[f64]) -> f64 {
        let mut hit = 0;
        for i in 0..self.actual.len() {
            let s = self.scores(i, theta);
            let best = best_option(&s, &self.allowed[i]);
            hit += usize::from(best == self.actual[i]);
        }
        hit as f64 / self.actual.len().max(1) as f64
    }
}

/// The admissible option with the highest score (ties to the earlier), as the engine.
fn best_option(s: &[f64; 3], allowed: &[bool; 3]) -> usize {
    let mut best: Option<usize> = None;
    for o in 0..3 {
        if allowed[o] && best.is_none_or(|b| s[o] > s[b] + 1e-12) {
            best = Some(o);
        }
    }
    best.unwrap_or(0)
}

/// Minimises over `x ≥ lower` (per coordinate; `-∞` for a free one) by the spectral
/// projected gradient method (Birgin, Martínez and Raydan 2000): Barzilai-Borwein steps,
/// projection onto the bounds, and a non-monotone Armijo line search over the last 10
/// values. Deterministic from the start at zero.
fn spg(p: &Problem, lower: &[f64], max_iter: usize) -> (Vec<f64>, usize) {
    let n = p.n;
    let project = |x: &mut [f64]| {
        for (xi, lo) in x.iter_mut().zip(lower) {
            if *xi < *lo {
                *xi = *lo;
            }
        }
    };
    let mut x = vec![0.0; n];
    project(&mut x);
    let mut g = vec![0.0; n];
    let mut f = p.value_grad(&x, &mut g);
    let mut recent = std::collections::VecDeque::from([f]);
    let mut lambda = 1.0 / (1.0 + g.iter().fold(0.0f64, |a, b| a.max(b.abs())));
    let mut it = 0;
    let mut xn = vec![0.0; n];
    let mut gn = vec![0.0; n];
    while it < max_iter {
        // The projected gradient step's displacement, and the stopping test on it.
        let mut d = vec![0.0; n];
        let mut dmax = 0.0f64;
        for k in 0..n {
            let t = (x[k] - g[k]).max(lower[k]);
            dmax = dmax.max((t - x[k]).abs());
        }
        if dmax < 1e-7 {
            break;
        }
        for k in 0..n {
            d[k] = (x[k] - lambda * g[k]).max(lower[k]) - x[k];
        }
        let slope = dot(&g, &d);
        let fmax = recent.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut step = 1.0;
        let mut fnew;
        loop {
            for k in 0..n {
                xn[k] = x[k] + step * d[k];
            }
            fnew = p.value_grad(&xn, &mut gn);
            if fnew <= fmax + 1e-4 * step * slope || step < 1e-14 {
                break;
            }
            step *= 0.5;
        }
        let s: Vec<f64> = (0..n).map(|k| xn[k] - x[k]).collect();
        let y: Vec<f64> = (0..n).map(|k| gn[k] - g[k]).collect();
        let sy = dot(&s, &y);
        lambda = if sy > 1e-16 {
            (dot(&s, &s) / sy).clamp(1e-10, 1e10)
        } else {
            1e10
        };
        let improved = f - fnew;
        std::mem::swap(&mut x, &mut xn);
        std::mem::swap(&mut g, &mut gn);
        f = fnew;
        recent.push_back(f);
        if recent.len() > 10 {
            recent.pop_front();
        }
        it += 1;
        if improved.abs() < 1e-14 * (1.0 + f.abs()) && dmax < 1e-5 {
            break;
        }
    }
    (x, it)
}

/// Minimises with L-BFGS (memory 10, backtracking Armijo line search).
#[allow(dead_code)]
fn lbfgs(p: &Problem, max_iter: usize) -> (Vec<f64>, usize) {
    let n = p.n;
    let mut x = vec![0.0; n];
    let mut g = vec![0.0; n];
    let mut f = p.value_grad(&x, &mut g);
    let m = 10;
    let mut ss: Vec<Vec<f64>> = Vec::new();
    let mut ys: Vec<Vec<f64>> = Vec::new();
    let mut it = 0;
    while it < max_iter {
        let gmax = g.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        if gmax < 1e-6 * (1.0 + f.abs()).sqrt() {
            break;
        }
        // Two-loop recursion.
        let mut q = g.clone();
        let mut alpha = vec![0.0; ss.len()];
        for k in (0..ss.len()).rev() {
            let rho = 1.0 / dot(&ys[k], &ss[k]);
            alpha[k] = rho * dot(&ss[k], &q);
            axpy(-alpha[k], &ys[k], &mut q);
        }
        if let (Some(s), Some(y)) = (ss.last(), ys.last()) {
            let gamma = dot(s, y) / dot(y, y);
            q.iter_mut().for_each(|v| *v *= gamma);
        } else {
            let scale = 1.0 / (1.0 + gmax);
            q.iter_mut().for_each(|v| *v *= scale);
        }
        for k in 0..ss.len() {
            let rho = 1.0 / dot(&ys[k], &ss[k]);
            let beta = rho * dot(&ys[k], &q);
            axpy(alpha[k] - beta, &ss[k], &mut q);
        }
        let d: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&g, &d);
        let d = if slope >= 0.0 {
            // Not a descent direction: restart along the gradient.
            ss.clear();
            ys.clear();
            let d: Vec<f64> = g.iter().map(|v| -v / (1.0 + gmax)).collect();
            slope = dot(&g, &d);
            d
        } else {
            d
        };
        let mut step = 1.0;
        let mut xn = vec![0.0; n];
        let mut gn = vec![0.0; n];
        let mut fnew;
        loop {
            for k in 0..n {
                xn[k] = x[k] + step * d[k];
            }
            fnew = p.value_grad(&xn, &mut gn);
            if fnew <= f + 1e-4 * step * slope || step < 1e-12 {
                break;
            }
            step *= 0.5;
        }
        let s: Vec<f64> = (0..n).map(|k| xn[k] - x[k]).collect();
        let y: Vec<f64> = (0..n).map(|k| gn[k] - g[k]).collect();
        let improved = f - fnew;
        x = xn;
        g = gn;
        f = fnew;
        it += 1;
        if dot(&s, &y) > 1e-12 {
            ss.push(s);
            ys.push(y);
            if ss.len() > m {
                ss.remove(0);
                ys.remove(0);
            }
        }
        if improved.abs() < 1e-12 * (1.0 + f.abs()) {
            break;
        }
    }
    (x, it)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// Fits the vote branch. `peers` are the candidate peers (the columns of every case's
/// `design.peers`, sorted by code); `cases` must be in date order.
pub fn fit_votes(
    peers: &[Iso3],
    cases: &[FitCase],
    cfg: &FitConfig,
) -> Result<FitResult, FitError> {
    let usable: Vec<&FitCase> = cases.iter().filter(|c| c.allowed[c.actual]).collect();
    let forbidden_actual = cases.len() - usable.len();
    if usable.is_empty() {
        return Err(FitError::NoCases);
    }
    if usable.len() < 20 {
        return Err(FitError::TooFew(usable.len()));
    }
    let mut tags: Vec<Tag> = Tag::ALL
        .into_iter()
        .filter(|t| {
            usable.iter().filter(|c| c.design.tags.contains(*t)).count() >= cfg.min_tag_cases
        })
        .collect();
    tags.sort();
    let all_cols: Vec<usize> = (0..peers.len()).collect();
    let layout = |cols: &[usize], tags: &[Tag]| Layout {
        peers: cols.iter().map(|&k| peers[k]).collect(),
        tags: tags.to_vec(),
        precedent: cfg.precedent,
    };

    // Choose λ_peer on a time split: first 80% by date to fit, the last 20% to score.
    let cut = usable.len() * 4 / 5;
    let (train, valid) = usable.split_at(cut);
    let full = layout(&all_cols, &tags);
    let bounds = |lay: &Layout| -> Vec<f64> {
        let mut lo = vec![f64::NEG_INFINITY; lay.len()];
        if cfg.nonneg_peers {
            for v in lo.iter_mut().skip(Layout::FIXED).take(lay.peers.len()) {
                *v = 0.0;
            }
        }
        lo
    };
    let mut best: Option<(f64, f64, f64)> = None; // (accuracy, -nll, λ)
    for &lp in &cfg.lambda_peers {
        let pt = Problem::new(&full, train, &all_cols, lp, cfg.lambda_other);
        let (theta, _) = spg(&pt, &bounds(&full), 2000);
        let pv = Problem::new(&full, valid, &all_cols, lp, cfg.lambda_other);
        let (acc, nll) = (pv.accuracy(&theta), pv.nll(&theta));
        let better = match best {
            None => true,
            Some((a, n, _)) => acc > a + 1e-12 || ((acc - a).abs() <= 1e-12 && -nll > n),
        };
        if better {
            best = Some((acc, -nll, lp));
        }
    }
    let (validation, _, lp) = best.unwrap_or((0.0, 0.0, 1.0));

    // Fit on everything; keep the peers that weigh most; refit with those only.
    let p_all = Problem::new(&full, &usable, &all_cols, lp, cfg.lambda_other);
    let (theta, _) = spg(&p_all, &bounds(&full), 2000);
    let mut ranked: Vec<(f64, usize)> = all_cols
        .iter()
        .map(|&k| (theta[Layout::FIXED + k].abs(), k))
        .filter(|(w, _)| *w > 1e-3)
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut kept: Vec<usize> = ranked.iter().take(cfg.max_peers).map(|x| x.1).collect();
    kept.sort_unstable();
    let lay = layout(&kept, &tags);
    let p = Problem::new(&lay, &usable, &kept, lp, cfg.lambda_other);
    let (theta, iterations) = spg(&p, &bounds(&lay), 4000);
    let in_sample = p.accuracy(&theta);
    let log_loss = p.nll(&theta) / usable.len() as f64;

    let mut branch = VoteBranch {
        yes: theta[0],
        abstain: theta[1],
        assembly: theta[2],
        precedent: if cfg.precedent { theta[3] } else { 0.0 },
        ..VoteBranch::default()
    };
    for (k, c) in lay.peers.iter().enumerate() {
        branch.peers.push((*c, theta[Layout::FIXED + k]));
    }
    let base = Layout::FIXED + lay.peers.len();
    for (k, t) in lay.tags.iter().enumerate() {
        branch.tag_yes[*t as usize] = theta[base + k];
        branch.tag_abstain[*t as usize] = theta[base + lay.tags.len() + k];
    }
    Ok(FitResult {
        branch,
        lambda_peers: lp,
        in_sample,
        validation,
        used: usable.len(),
        forbidden_actual,
        log_loss,
        iterations,
    })
}

/// Rounds fitted weights for a doctrine file: 4 decimals, and weights under 5e-4 dropped.
pub fn rounded(b: &VoteBranch) -> VoteBranch {
    let r = |x: f64| crate::engine::round4(x);
    VoteBranch {
        yes: r(b.yes),
        abstain: r(b.abstain),
        assembly: r(b.assembly),
        precedent: r(b.precedent),
        peers: b
            .peers
            .iter()
            .map(|(c, w)| (*c, r(*w)))
            .filter(|(_, w)| *w != 0.0)
            .collect(),
        tag_yes: b.tag_yes.map(r),
        tag_abstain: b.tag_abstain.map(r),
        fit: b.fit.clone(),
    }
}

/// The tags that carry weight in a branch.
pub fn weighted_tags(b: &VoteBranch) -> TagSet {
    Tag::ALL
        .into_iter()
        .filter(|t| b.tag_yes[*t as usize] != 0.0 || b.tag_abstain[*t as usize] != 0.0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(dir_yes_is_right: bool, peer_vote: usize) -> FitCase {
        let pleased = |i: usize, w: usize| -> f64 {
            let code = [1i8, 3, 2];
            1.0 - f64::from((code[i] - code[w]).abs())
        };
        FitCase {
            offset: [0.0; 3],
            allowed: [true; 3],
            design: VoteDesign {
                dir: [1.0, -1.0, 0.0],
                abstains: [0.0, 0.0, 1.0],
                assembly: [0.0; 3],
                precedent: [0.0; 3],
                peers: vec![[0, 1, 2].map(|i| pleased(i, peer_vote))],
                tags: TagSet::EMPTY,
            },
            actual: if dir_yes_is_right { peer_vote } else { 0 },
        }
    }

    /// A subject that always votes as its one peer gets a large positive weight on it, and
    /// the fitted engine reproduces every answer.
    #[test]
    fn a_faithful_peer_gets_the_weight() {
        let mut cases = Vec::new();
        for k in 0..60 {
            cases.push(case(true, [0, 0, 1, 2, 0][k % 5]));
        }
        let peers = [Iso3::from_static("LAO")];
        let r = fit_votes(&peers, &cases, &FitConfig::default()).unwrap();
        assert_eq!(r.branch.peers.len(), 1);
        assert!(r.branch.peers[0].1 > 1.0, "{:?}", r.branch.peers);
        assert_eq!(r.in_sample, 1.0);
        assert_eq!(r.used, 60);
    }

    /// A case whose answer the roots forbid is left out, never fitted toward.
    #[test]
    fn forbidden_answers_are_left_out() {
        let mut cases: Vec<FitCase> = (0..30).map(|k| case(true, k % 3)).collect();
        cases[0].allowed = [true, false, true];
        cases[0].actual = 1;
        let r = fit_votes(&[Iso3::from_static("LAO")], &cases, &FitConfig::default()).unwrap();
        assert_eq!(r.forbidden_actual, 1);
        assert_eq!(r.used, 29);
    }

    #[test]
    fn too_few_cases_is_an_error() {
        let cases: Vec<FitCase> = (0..5).map(|k| case(true, k % 3)).collect();
        assert_eq!(
            fit_votes(&[Iso3::from_static("LAO")], &cases, &FitConfig::default()).unwrap_err(),
            FitError::TooFew(5)
        );
    }
}
