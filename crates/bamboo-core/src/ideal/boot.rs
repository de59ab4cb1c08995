//! Standard errors by parametric bootstrap: votes redrawn from the fitted model (the same
//! roll calls and the same states present, each vote a fresh draw of its category), the
//! model refitted from the estimate, and the spread of each position across replicates.
//!
//! Draws come from a counter-based generator keyed by (seed, replicate, vote), so a
//! replicate's votes do not depend on the order in which replicates run: the result is
//! the same for the same seed on any number of threads.

use rayon::prelude::*;

use super::design::Design;
use super::em::{iterate, State};
use super::normal::cdf;
use super::IdealOptions;

/// SplitMix64's finaliser: a bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform number in `[0, 1)` for (seed, replicate, vote).
pub(crate) fn uniform(seed: u64, replicate: u32, vote: u64) -> f64 {
    let k = mix(seed ^ mix(u64::from(replicate).wrapping_add(0x9E37_79B9_7F4A_7C15)));
    let z = mix(k ^ vote.wrapping_mul(0xD1B5_4A32_D192_ED03));
    (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Votes drawn from the fitted model: category 0 (yes) with probability `Φ(−μ)`, 1
/// (abstain) with `Φ(g − μ) − Φ(−μ)`, else 2 (no), `μ = a + b x`.
pub(crate) fn simulate(d: &Design, fit: &State, seed: u64, replicate: u32) -> Vec<u8> {
    let per_item: Vec<Vec<u8>> = (0..d.items())
        .into_par_iter()
        .map(|j| {
            let (a, b, g) = (fit.a[j], fit.b[j], fit.g[j]);
            d.votes(j)
                .map(|t| {
                    let mu = a + b * fit.x[d.vote_cell[t] as usize];
                    let u = uniform(seed, replicate, t as u64);
                    if u < cdf(-mu) {
                        0
                    } else if u < cdf(g - mu) {
                        1
                    } else {
                        2
                    }
                })
                .collect()
        })
        .collect();
    per_item.concat()
}

/// What the bootstrap found.
pub(crate) struct Boot {
    /// Standard deviation of each cell's position over the replicates.
    pub se: Vec<f64>,
    /// EM iterations each replicate took.
    pub iterations: Vec<u32>,
    /// Replicates that stopped at the iteration limit.
    pub unconverged: u32,
}

/// Runs `opts.bootstrap` replicates.
pub(crate) fn bootstrap(d: &Design, fit: &State, opts: &IdealOptions) -> Boot {
    let ropts = IdealOptions {
        tol: opts.boot_tol,
        ..opts.clone()
    };
    let reps: Vec<(Vec<f64>, u32, bool)> = (0..opts.bootstrap)
        .into_par_iter()
        .map(|r| {
            let cats = simulate(d, fit, opts.seed, r);
            let mut st = fit.clone();
            let run = iterate(d, &mut st, &cats, &ropts);
            (st.x, run.iterations, run.converged)
        })
        .collect();
    let n = reps.len();
    let mut se = vec![0.0; d.cells()];
    if n >= 2 {
        for (c, s) in se.iter_mut().enumerate() {
            let mean = reps.iter().map(|r| r.0[c]).sum::<f64>() / n as f64;
            let ss = reps
                .iter()
                .map(|r| (r.0[c] - mean) * (r.0[c] - mean))
                .sum::<f64>();
            *s = (ss / (n - 1) as f64).sqrt();
        }
    }
    Boot {
        se,
        iterations: reps.iter().map(|r| r.1).collect(),
        unconverged: reps.iter().filter(|r| !r.2).count() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniforms_are_uniform_and_keyed() {
        let n = 200_000u64;
        let mut bins = [0u32; 10];
        for t in 0..n {
            let u = uniform(7, 3, t);
            assert!((0.0..1.0).contains(&u));
            bins[(u * 10.0) as usize] += 1;
        }
        for b in bins {
            assert!((f64::from(b) - 20_000.0).abs() < 600.0, "{bins:?}");
        }
        assert_eq!(uniform(7, 3, 11), uniform(7, 3, 11));
        assert_ne!(uniform(7, 3, 11), uniform(7, 4, 11));
        assert_ne!(uniform(7, 3, 11), uniform(8, 3, 11));
    }
}
