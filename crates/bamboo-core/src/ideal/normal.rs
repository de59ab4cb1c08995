//! The standard normal distribution as the ideal-point model needs it: the density, the
//! distribution and survival functions, the hazard `φ(x) / Q(x)`, and the moments of a
//! standard normal truncated to an interval, all stable far into the tails (the E-step
//! meets votes that the current parameters find very unlikely).

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// `1 / √(2π)`.
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// The standard normal density `φ(x)`.
#[inline]
pub fn pdf(x: f64) -> f64 {
    INV_SQRT_2PI * (-0.5 * x * x).exp()
}

/// The standard normal distribution function `Φ(x)`.
#[inline]
pub fn cdf(x: f64) -> f64 {
    sf(-x)
}

/// The survival function `Q(x) = 1 − Φ(x)`, accurate in both tails (relative error below
/// 1e-9; see [`hazard`]).
#[inline]
pub fn sf(x: f64) -> f64 {
    if x >= 0.0 {
        pdf(x) / hazard(x)
    } else if x >= LO {
        1.0 / table().r(x)
    } else {
        1.0 - sf(-x)
    }
}

/// `Q(x)` from `libm`'s `erfc`: the reference for [`sf`], and what its table is built from.
pub fn sf_exact(x: f64) -> f64 {
    0.5 * libm::erfc(x * FRAC_1_SQRT_2)
}

/// `h(x) = φ(x) / Q(x)` from [`sf_exact`], with the asymptotic series beyond 25.
pub fn hazard_exact(x: f64) -> f64 {
    if x > HI {
        asymptotic_hazard(x)
    } else {
        pdf(x) / sf_exact(x)
    }
}

/// `h(x) ≈ x / (1 − 1/x² + 3/x⁴ − 15/x⁶ + 105/x⁸ − 945/x¹⁰)`, below 1e-13 relative error for
/// `x > 25`.
fn asymptotic_hazard(x: f64) -> f64 {
    let r = 1.0 / (x * x);
    x / (1.0 - r * (1.0 - r * (3.0 - r * (15.0 - r * (105.0 - r * 945.0)))))
}

/// The tabulated range and step of the hazard.
const LO: f64 = -8.0;
const HI: f64 = 25.0;
const PER_UNIT: f64 = 64.0;

/// Cubic Hermite tables, with the derivatives known in closed form, nodes every 1/64: of
/// `h` itself (`h' = h (h − x)`) from −8 to 25, and for `x < 0` of `R(x) = 1/Q(x)`
/// (`R' = h R`), from which `Q` keeps its relative accuracy.
struct Table {
    /// (value, derivative) at `LO + k/64`, `k = 0 ..= 512` (up to 0).
    r: Vec<(f64, f64)>,
    /// (value, derivative) at `LO + k/64`, `k = 0 ..= 2112` (up to 25).
    h: Vec<(f64, f64)>,
}

fn table() -> &'static Table {
    static T: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let node = |k: usize, from: f64| from + k as f64 / PER_UNIT;
        let neg = (-LO * PER_UNIT) as usize;
        let pos = (HI * PER_UNIT) as usize;
        Table {
            r: (0..=neg)
                .map(|k| {
                    let x = node(k, LO);
                    let r = 1.0 / sf_exact(x);
                    (r, hazard_exact(x) * r)
                })
                .collect(),
            h: (0..=neg + pos)
                .map(|k| {
                    let x = node(k, LO);
                    let h = hazard_exact(x);
                    (h, h * (h - x))
                })
                .collect(),
        }
    })
}

#[inline]
fn hermite(tab: &[(f64, f64)], from: f64, x: f64) -> f64 {
    let u = (x - from) * PER_UNIT;
    let k = (u as usize).min(tab.len() - 2);
    let t = u - k as f64;
    let (f0, d0) = tab[k];
    let (f1, d1) = tab[k + 1];
    let dx = 1.0 / PER_UNIT;
    let t2 = t * t;
    let t3 = t2 * t;
    (2.0 * t3 - 3.0 * t2 + 1.0) * f0
        + (t3 - 2.0 * t2 + t) * dx * d0
        + (3.0 * t2 - 2.0 * t3) * f1
        + (t3 - t2) * dx * d1
}

impl Table {
    #[inline]
    fn r(&self, x: f64) -> f64 {
        hermite(&self.r, LO, x)
    }
}

/// The hazard (inverse Mills ratio) `h(x) = φ(x) / Q(x)`, for every finite `x`: it tends to
/// 0 as `x → −∞` and to `x` as `x → ∞`. Between −8 and 25 it is read from a cubic
/// Hermite table: for `x ≥ 0` within 1e-9 of it relatively, for `x < 0` (where `h < 0.8`)
/// within 1e-10 absolutely (tested against `libm`), which is all the likelihood's
/// derivatives need; below −8, `Q(x) = 1` to double precision, so `h = φ`; beyond 25,
/// the asymptotic series.
#[inline]
pub fn hazard(x: f64) -> f64 {
    if x > HI {
        asymptotic_hazard(x)
    } else if x >= LO {
        hermite(&table().h, LO, x).max(0.0)
    } else {
        pdf(x)
    }
}

/// `ln Q(x)`, stable in the upper tail.
pub fn ln_sf(x: f64) -> f64 {
    if x > 5.0 {
        -0.5 * x * x - 0.5 * (2.0 * PI).ln() - hazard(x).ln()
    } else {
        sf(x).ln()
    }
}

/// A standard normal truncated to `(a, b)`: its mean and variance, and the first two
/// derivatives of `ln Z`, `Z = Φ(b) − Φ(a)`, with respect to either end (for the
/// cutpoint's Newton step). Ends may be infinite.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Truncated {
    /// The truncated distribution's mean.
    pub mean: f64,
    /// Its variance.
    pub var: f64,
    /// `∂ ln Z / ∂a = −φ(a)/Z`.
    pub d_lo: f64,
    /// `∂² ln Z / ∂a² = a φ(a)/Z − (φ(a)/Z)²`.
    pub d2_lo: f64,
    /// `∂ ln Z / ∂b = φ(b)/Z`.
    pub d_hi: f64,
    /// `∂² ln Z / ∂b² = −b φ(b)/Z − (φ(b)/Z)²`.
    pub d2_hi: f64,
}

impl Truncated {
    fn from_ratios(a: f64, b: f64, pa: f64, pb: f64) -> Truncated {
        // pa = φ(a)/Z, pb = φ(b)/Z; an infinite end has ratio 0 and a·pa = 0.
        let apa = if a.is_finite() { a * pa } else { 0.0 };
        let bpb = if b.is_finite() { b * pb } else { 0.0 };
        let mean = pa - pb;
        Truncated {
            mean,
            var: (1.0 + apa - bpb - mean * mean).max(0.0),
            d_lo: -pa,
            d2_lo: apa - pa * pa,
            d_hi: pb,
            d2_hi: -bpb - pb * pb,
        }
    }

    /// A narrow interval, where the density is nearly linear across it: the moments of a
    /// uniform distribution with a first-order tilt (the exact formulas cancel there).
    fn narrow(a: f64, b: f64) -> Truncated {
        let w = b - a;
        let mid = 0.5 * (a + b);
        let w2 = w * w;
        Truncated {
            mean: mid - mid * w2 / 12.0,
            var: w2 / 12.0,
            d_lo: -1.0 / w - 0.5 * mid,
            d2_lo: -1.0 / w2,
            d_hi: 1.0 / w - 0.5 * mid,
            d2_hi: -1.0 / w2,
        }
    }
}

/// Ratios `(φ(a)/Z, φ(b)/Z)` for `0 ≤ a < b`, both finite: with
/// `r = Q(b)/Q(a) = e^{−(b²−a²)/2} h(a)/h(b)`, `Z = Q(a)(1 − r)` never cancels.
fn upper_ratios(a: f64, b: f64) -> (f64, f64) {
    let (ha, hb) = (hazard(a), hazard(b));
    let q = -0.5 * (b - a) * (b + a);
    let r = q.exp() * ha / hb;
    let one_minus_r = if r < 0.5 {
        1.0 - r
    } else {
        -(q + (ha / hb).ln()).exp_m1()
    };
    (ha / one_minus_r, hb * r / one_minus_r)
}

/// The standard normal truncated to `(a, b)`, `a < b` (either may be infinite).
pub fn truncated(a: f64, b: f64) -> Truncated {
    debug_assert!(a < b, "empty interval ({a}, {b})");
    if b == f64::INFINITY {
        if a == f64::NEG_INFINITY {
            return Truncated::from_ratios(a, b, 0.0, 0.0);
        }
        return Truncated::from_ratios(a, b, hazard(a), 0.0);
    }
    if a == f64::NEG_INFINITY {
        // φ(b)/Φ(b) = φ(−b)/Q(−b).
        return Truncated::from_ratios(a, b, 0.0, hazard(-b));
    }
    if b - a < 1e-4 {
        return Truncated::narrow(a, b);
    }
    if a >= 0.0 {
        let (pa, pb) = upper_ratios(a, b);
        Truncated::from_ratios(a, b, pa, pb)
    } else if b <= 0.0 {
        // Reflect: t → −t maps (a, b) to (−b, −a) in the upper half.
        let (pb, pa) = upper_ratios(-b, -a);
        Truncated::from_ratios(a, b, pa, pb)
    } else {
        // Q(b) = φ(b)/h(b) and Φ(a) = Q(−a) = φ(a)/h(−a), with b, −a > 0.
        let (pa, pb) = (pdf(a), pdf(b));
        let z = 1.0 - pb / hazard(b) - pa / hazard(-a);
        Truncated::from_ratios(a, b, pa / z, pb / z)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Moments by brute-force quadrature (Simpson on a fine grid), for comparison.
    fn quadrature(a: f64, b: f64) -> (f64, f64, f64) {
        let lo = a.max(-12.0);
        let hi = b.min(12.0);
        let n = 20_000;
        let h = (hi - lo) / n as f64;
        let (mut z, mut m1, mut m2) = (0.0, 0.0, 0.0);
        for k in 0..=n {
            let t = lo + h * k as f64;
            let w = if k == 0 || k == n {
                1.0
            } else if k % 2 == 1 {
                4.0
            } else {
                2.0
            };
            let f = pdf(t) * w;
            z += f;
            m1 += f * t;
            m2 += f * t * t;
        }
        let z = z * h / 3.0;
        let m1 = m1 * h / 3.0 / z;
        let m2 = m2 * h / 3.0 / z;
        (z, m1, m2 - m1 * m1)
    }

    #[test]
    #[allow(clippy::print_stderr)] // reports the worst error it found
    fn table_matches_libm() {
        let mut worst: (f64, f64) = (0.0, 0.0);
        let mut worst_abs: (f64, f64) = (0.0, 0.0);
        let mut x = -40.0;
        while x < 40.0 {
            let (fast, exact) = (hazard(x), hazard_exact(x));
            if x >= 0.0 {
                let rel = ((fast - exact) / exact).abs();
                if rel > worst.0 {
                    worst = (rel, x);
                }
            } else {
                let abs = (fast - exact).abs();
                if abs > worst_abs.0 {
                    worst_abs = (abs, x);
                }
                assert!(fast >= 0.0);
            }
            let (q, qe) = (sf(x), sf_exact(x));
            if qe > 1e-300 {
                assert!(((q - qe) / qe).abs() < 1e-9, "sf({x}) = {q} vs {qe}");
            }
            x += 0.001_37;
        }
        eprintln!(
            "hazard: worst relative error {:e} at {} (x >= 0), absolute {:e} at {} (x < 0)",
            worst.0, worst.1, worst_abs.0, worst_abs.1
        );
        assert!(
            worst_abs.0 < 1e-10,
            "worst absolute error {:e}",
            worst_abs.0
        );
        assert!(
            worst.0 < 1e-9,
            "hazard's worst relative error {:e} at {}",
            worst.0,
            worst.1
        );
    }

    #[test]
    fn distribution_values() {
        assert!((cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-10);
        assert!((sf(8.0) - 6.220_960_574_271_785e-16).abs() < 1e-28);
        // The hazard joins its asymptote smoothly.
        let direct = pdf(25.0) / sf_exact(25.0);
        assert!((asymptotic_hazard(25.0) - direct).abs() / direct < 1e-12);
        assert!((hazard(-40.0)).abs() < 1e-300);
    }

    #[test]
    fn one_sided_moments() {
        // E[t | t > 0] = √(2/π), Var = 1 − 2/π.
        let t = truncated(0.0, f64::INFINITY);
        assert!((t.mean - (2.0 / PI).sqrt()).abs() < 1e-14);
        assert!((t.var - (1.0 - 2.0 / PI)).abs() < 1e-14);
        let u = truncated(f64::NEG_INFINITY, 0.0);
        assert!((u.mean + (2.0 / PI).sqrt()).abs() < 1e-14);
        // Far in the tail: E[t | t > 30] ≈ 30 + 1/30.
        let far = truncated(30.0, f64::INFINITY);
        assert!((far.mean - 30.0333).abs() < 1e-3 && far.var > 0.0 && far.var < 0.01);
        let far = truncated(f64::NEG_INFINITY, -30.0);
        assert!((far.mean + 30.0333).abs() < 1e-3);
    }

    #[test]
    fn matches_quadrature() {
        for &(a, b) in &[
            (-1.0, 0.5),
            (0.0, 1.0),
            (2.0, 3.5),
            (-4.0, -3.0),
            (-0.3, 0.2),
            (f64::NEG_INFINITY, 1.5),
            (0.7, f64::INFINITY),
            (5.0, 5.5),
        ] {
            let t = truncated(a, b);
            let (_, m, v) = quadrature(a, b);
            assert!((t.mean - m).abs() < 1e-7, "({a}, {b}): {} vs {m}", t.mean);
            assert!((t.var - v).abs() < 1e-7, "({a}, {b}): {} vs {v}", t.var);
        }
    }

    #[test]
    fn derivatives_match_differences() {
        let ln_z = |a: f64, b: f64| (cdf(b) - cdf(a)).ln();
        for &(a, b) in &[(-1.0, 0.5), (0.2, 1.3), (-2.0, -0.5)] {
            let t = truncated(a, b);
            let e = 1e-5;
            let db = (ln_z(a, b + e) - ln_z(a, b - e)) / (2.0 * e);
            let d2b = (ln_z(a, b + e) - 2.0 * ln_z(a, b) + ln_z(a, b - e)) / (e * e);
            let da = (ln_z(a + e, b) - ln_z(a - e, b)) / (2.0 * e);
            let d2a = (ln_z(a + e, b) - 2.0 * ln_z(a, b) + ln_z(a - e, b)) / (e * e);
            assert!((t.d_hi - db).abs() < 1e-6);
            assert!((t.d2_hi - d2b).abs() < 1e-3);
            assert!((t.d_lo - da).abs() < 1e-6);
            assert!((t.d2_lo - d2a).abs() < 1e-3);
        }
    }

    #[test]
    fn narrow_intervals_join_the_exact_formulas() {
        let exact = truncated(0.3, 0.3 + 1.01e-4);
        let narrow = Truncated::narrow(0.3, 0.3 + 1.01e-4);
        assert!((exact.mean - narrow.mean).abs() < 1e-9);
        assert!((exact.d_hi - narrow.d_hi).abs() / narrow.d_hi < 1e-4);
    }

    proptest! {
        #[test]
        fn mean_inside_and_variance_bounded(a in -40.0f64..40.0, w in 1e-6f64..20.0) {
            let b = a + w;
            let t = truncated(a, b);
            prop_assert!(t.mean.is_finite() && t.var.is_finite());
            prop_assert!(t.mean >= a - 1e-9 && t.mean <= b + 1e-9, "{a} {b} {:?}", t);
            prop_assert!(t.var >= 0.0 && t.var <= 1.0 + 1e-12);
            prop_assert!(t.var <= w * w / 4.0 + 1e-9);
            prop_assert!(t.d2_hi <= 1e-9 && t.d2_lo <= 1e-9, "ln Z is concave in each end");
        }

        #[test]
        fn tails_finite(a in -60.0f64..60.0) {
            let up = truncated(a, f64::INFINITY);
            let down = truncated(f64::NEG_INFINITY, a);
            prop_assert!(up.mean >= a && up.mean.is_finite());
            prop_assert!(down.mean <= a && down.mean.is_finite());
            prop_assert!(up.var >= 0.0 && down.var >= 0.0);
        }
    }
}
