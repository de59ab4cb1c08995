//! "Nice" axis ticks (steps of 1, 2 or 5 × 10ⁿ), tick-label formatting and a
//! linear scale that survives extreme finite inputs.

/// A set of axis ticks with the step that produced them.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    /// Tick positions in data units, ascending.
    pub values: Vec<f64>,
    /// Distance between consecutive ticks (0 for a single tick).
    pub step: f64,
    /// Decimals needed to print the ticks distinctly.
    pub decimals: usize,
}

impl Ticks {
    /// Tick labels: fixed decimals, or scientific notation for very large or
    /// very small magnitudes. Never uses thousands separators, so years print
    /// as `1990`.
    pub fn labels(&self) -> Vec<String> {
        let max_abs = self.values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let sci = max_abs >= 1e7 || (self.step > 0.0 && self.step < 1e-4);
        self.values
            .iter()
            .map(|&v| {
                if sci {
                    if v == 0.0 {
                        "0".to_string()
                    } else {
                        format!("{v:.2e}")
                    }
                } else {
                    let d = self.decimals;
                    let s = format!("{v:.d$}");
                    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
                        s[1..].to_string()
                    } else {
                        s
                    }
                }
            })
            .collect()
    }
}

/// Chooses at most `max_ticks` (at least 2 are allowed) evenly spaced "nice"
/// ticks inside `[lo, hi]`, with a step of 1, 2 or 5 × 10ⁿ. With
/// `integer = true` the step is at least 1 (use it for years).
///
/// ```
/// let t = bamboo_report::nice_ticks(1946.0, 2021.0, 10, true);
/// assert_eq!(t.values, vec![1950.0, 1960.0, 1970.0, 1980.0, 1990.0, 2000.0, 2010.0, 2020.0]);
/// let t = bamboo_report::nice_ticks(0.0, 1.0, 6, false);
/// assert_eq!(t.labels(), vec!["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
/// ```
pub fn nice_ticks(lo: f64, hi: f64, max_ticks: usize, integer: bool) -> Ticks {
    let empty = Ticks {
        values: Vec::new(),
        step: 0.0,
        decimals: 0,
    };
    if !lo.is_finite() || !hi.is_finite() {
        return empty;
    }
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let max_ticks = max_ticks.max(2);
    if lo == hi {
        return Ticks {
            values: vec![lo],
            step: 0.0,
            decimals: decimals_for(lo),
        };
    }
    let span = {
        let s = hi - lo;
        if s.is_finite() {
            s
        } else {
            f64::MAX
        }
    };
    let mut exp = (span / max_ticks as f64).log10().floor() as i32 - 1;
    for _ in 0..12 {
        for m in [1.0, 2.0, 5.0] {
            let (step, decimals) = step_of(m, exp);
            if !step.is_finite() || step <= 0.0 {
                continue;
            }
            if integer && step < 1.0 {
                continue;
            }
            let k0 = (lo / step - 1e-9).ceil();
            let k1 = (hi / step + 1e-9).floor();
            let count = k1 - k0 + 1.0;
            if count <= max_ticks as f64 {
                let values: Vec<f64> = (0..count.max(0.0) as usize)
                    .map(|i| value_at(k0 + i as f64, m, exp))
                    .collect();
                return Ticks {
                    values,
                    step,
                    decimals: if integer { 0 } else { decimals },
                };
            }
        }
        exp += 1;
    }
    Ticks {
        values: vec![lo, hi],
        step: span,
        decimals: 0,
    }
}

/// Extends `[lo, hi]` outward to the nearest nice ticks and returns the new
/// domain with its ticks (for value axes, which should start and end on a
/// tick).
pub fn nice_domain(lo: f64, hi: f64, max_ticks: usize) -> (f64, f64, Ticks) {
    let (lo, hi) = widen_if_flat(lo, hi, false);
    let t = nice_ticks(lo, hi, max_ticks, false);
    if t.step <= 0.0 || !t.step.is_finite() || t.values.is_empty() {
        return (lo, hi, t);
    }
    // Same step, one more tick at either end when the data pokes past the
    // outermost tick. A value sitting on a tick stays on it.
    let first = t.values[0];
    let last = t.values[t.values.len() - 1];
    let tol = t.step * 1e-9;
    let mut values = t.values.clone();
    if lo < first - tol {
        values.insert(0, first - t.step);
    }
    if hi > last + tol {
        values.push(last + t.step);
    }
    if values.iter().any(|v| !v.is_finite()) {
        return (lo, hi, t);
    }
    let (dlo, dhi) = (values[0], values[values.len() - 1]);
    (dlo, dhi, Ticks { values, ..t })
}

/// Makes a degenerate range usable: equal bounds are widened by 1 (integer
/// data) or by 10 % of the magnitude (at least 0.5).
pub(crate) fn widen_if_flat(lo: f64, hi: f64, integer: bool) -> (f64, f64) {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if lo < hi {
        return (lo, hi);
    }
    let d = if integer {
        1.0
    } else {
        (lo.abs() * 0.1).max(0.5)
    };
    let (a, b) = (lo - d, hi + d);
    if a < b {
        (a, b)
    } else {
        // d vanished against a huge magnitude.
        (lo - lo.abs() * 0.1, hi + hi.abs() * 0.1)
    }
}

fn step_of(m: f64, exp: i32) -> (f64, usize) {
    if exp >= 0 {
        (m * 10f64.powi(exp), 0)
    } else {
        (m / 10f64.powi(-exp), (-exp) as usize)
    }
}

/// `k · m · 10^exp`, computed to avoid 0.30000000000000004-style drift.
fn value_at(k: f64, m: f64, exp: i32) -> f64 {
    if exp >= 0 {
        k * m * 10f64.powi(exp)
    } else {
        (k * m) / 10f64.powi(-exp)
    }
}

fn decimals_for(v: f64) -> usize {
    if v.fract() == 0.0 {
        0
    } else {
        2
    }
}

/// Linear map from a data interval onto a pixel interval. Values outside the
/// domain map outside the range (callers clip); the span is computed in a way
/// that cannot overflow for finite inputs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    pub(crate) fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        Scale { d0, d1, r0, r1 }
    }

    /// Position in [0, 1] (unclamped) of `v` in the domain.
    pub(crate) fn unit(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        let t = if span.is_finite() {
            (v - self.d0) / span
        } else {
            (v / 2.0 - self.d0 / 2.0) / (self.d1 / 2.0 - self.d0 / 2.0)
        };
        if t.is_finite() {
            t
        } else {
            0.5
        }
    }

    pub(crate) fn map(&self, v: f64) -> f64 {
        let t = self.unit(v).clamp(-1e4, 1e4);
        self.r0 + t * (self.r1 - self.r0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_1946_2021_get_decade_ticks() {
        let t = nice_ticks(1946.0, 2021.0, 10, true);
        assert_eq!(t.values.first(), Some(&1950.0));
        assert_eq!(t.values.last(), Some(&2020.0));
        assert_eq!(t.step, 10.0);
        assert_eq!(t.labels()[0], "1950");
        // Room for only 4 labels → 20- or 25-year steps, still integers.
        let t = nice_ticks(1946.0, 2021.0, 4, true);
        assert!(t.values.len() <= 4);
        assert!(t.values.iter().all(|v| v.fract() == 0.0));
    }

    #[test]
    fn short_year_spans_never_get_fractional_ticks() {
        let t = nice_ticks(2019.0, 2021.0, 10, true);
        assert_eq!(t.values, vec![2019.0, 2020.0, 2021.0]);
        assert_eq!(t.labels(), vec!["2019", "2020", "2021"]);
    }

    #[test]
    fn unit_interval_ticks() {
        let t = nice_ticks(0.0, 1.0, 6, false);
        assert_eq!(t.values, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let t = nice_ticks(0.0, 1.0, 11, false);
        assert_eq!(t.values.len(), 11);
        assert_eq!(t.labels()[3], "0.3");
    }

    #[test]
    fn nice_domain_extends_to_ticks() {
        let (lo, hi, t) = nice_domain(0.21, 0.94, 6);
        assert!(lo <= 0.21 && hi >= 0.94);
        assert_eq!(t.values.first(), Some(&lo));
        assert_eq!(t.values.last(), Some(&hi));
        let (lo, hi, _) = nice_domain(5.0, 5.0, 6);
        assert!(lo < 5.0 && hi > 5.0);
        // Minimum exactly on a tick: no extra tick below it.
        let (lo, hi, t) = nice_domain(0.0, 15.7, 5);
        assert_eq!((lo, hi), (0.0, 20.0));
        assert_eq!(t.values, vec![0.0, 5.0, 10.0, 15.0, 20.0]);
        // Same step after extension: the domain ends on a tick.
        let (lo, hi, t) = nice_domain(7.0, 116.0, 5);
        assert_eq!(t.values.first(), Some(&lo));
        assert_eq!(t.values.last(), Some(&hi));
        assert!(hi >= 116.0 && lo <= 7.0);
    }

    #[test]
    fn negative_and_extreme_ranges() {
        let t = nice_ticks(-1.0, 1.0, 5, false);
        assert_eq!(t.labels(), vec!["-1.0", "-0.5", "0.0", "0.5", "1.0"]);
        let t = nice_ticks(-f64::MAX, f64::MAX, 5, false);
        assert!(!t.values.is_empty() && t.values.len() <= 5);
        assert!(t.values.iter().all(|v| v.is_finite()));
        let t = nice_ticks(1e-12, 2e-12, 5, false);
        assert!(t.labels().iter().all(|l| l.contains('e')));
        assert!(nice_ticks(f64::NAN, 1.0, 5, false).values.is_empty());
    }

    #[test]
    fn scale_survives_huge_spans() {
        let s = Scale::new(-f64::MAX, f64::MAX, 0.0, 100.0);
        assert!((s.map(0.0) - 50.0).abs() < 1e-9);
        let s = Scale::new(0.0, 1.0, 100.0, 0.0);
        assert_eq!(s.map(0.25), 75.0);
    }
}
