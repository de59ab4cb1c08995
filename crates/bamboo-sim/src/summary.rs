//! Streaming, mergeable summaries: memory stays flat in the number of runs.
//!
//! - [`Sketch`]: a log-bucket quantile sketch (after DDSketch) with relative accuracy
//!   0.5%; merging adds integer counts, so it is exact under any merge order.
//! - [`UnitHist`]: a fixed 1,000-bin histogram on 0..1, for the lean of every year.
//! - Means are sums of `f64` merged in a fixed chunk order, so they are the same on any
//!   number of threads.

use std::collections::BTreeMap;

/// Relative accuracy of [`Sketch`] quantiles.
pub const ALPHA: f64 = 0.005;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sketch {
    pos: BTreeMap<i32, u64>,
    neg: BTreeMap<i32, u64>,
    zero: u64,
    count: u64,
    sum: f64,
    min: f64,
    max: f64,
}

fn gamma() -> f64 {
    (1.0 + ALPHA) / (1.0 - ALPHA)
}

impl Sketch {
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        if self.count == 0 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.count += 1;
        self.sum += x;
        let a = x.abs();
        if a < 1e-9 {
            self.zero += 1;
            return;
        }
        let k = (a.ln() / gamma().ln()).ceil() as i32;
        *if x > 0.0 {
            &mut self.pos
        } else {
            &mut self.neg
        }
        .entry(k)
        .or_insert(0) += 1;
    }

    /// Adds another sketch's contents (the sum is added in call order).
    pub fn merge(&mut self, o: &Sketch) {
        if o.count == 0 {
            return;
        }
        if self.count == 0 {
            self.min = o.min;
            self.max = o.max;
        } else {
            self.min = self.min.min(o.min);
            self.max = self.max.max(o.max);
        }
        self.count += o.count;
        self.sum += o.sum;
        self.zero += o.zero;
        for (k, v) in &o.pos {
            *self.pos.entry(*k).or_insert(0) += v;
        }
        for (k, v) in &o.neg {
            *self.neg.entry(*k).or_insert(0) += v;
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// The q-quantile (0..1), within the relative accuracy, clamped to the observed range.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = (q.clamp(0.0, 1.0) * (self.count - 1) as f64).floor() as u64;
        let g = gamma();
        let value = |k: i32| 2.0 * g.powi(k) / (g + 1.0);
        let mut seen = 0u64;
        // Negative values, most negative first.
        for (k, v) in self.neg.iter().rev() {
            seen += v;
            if seen > rank {
                return Some((-value(*k)).clamp(self.min, self.max));
            }
        }
        seen += self.zero;
        if seen > rank {
            return Some(0.0_f64.clamp(self.min, self.max));
        }
        for (k, v) in &self.pos {
            seen += v;
            if seen > rank {
                return Some(value(*k).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }
}

/// A 1,000-bin histogram on 0..1 (values outside are clamped).
#[derive(Clone, Debug, PartialEq)]
pub struct UnitHist {
    bins: Vec<u32>,
    count: u64,
}

pub const UNIT_BINS: usize = 1000;

impl Default for UnitHist {
    fn default() -> Self {
        UnitHist {
            bins: vec![0; UNIT_BINS],
            count: 0,
        }
    }
}

impl UnitHist {
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        let i = ((x.clamp(0.0, 1.0) * UNIT_BINS as f64) as usize).min(UNIT_BINS - 1);
        self.bins[i] += 1;
        self.count += 1;
    }

    pub fn merge(&mut self, o: &UnitHist) {
        for (a, b) in self.bins.iter_mut().zip(&o.bins) {
            *a += b;
        }
        self.count += o.count;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The q-quantile as the midpoint of its bin (accurate to 0.0005).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = (q.clamp(0.0, 1.0) * (self.count - 1) as f64).floor() as u64;
        let mut seen = 0u64;
        for (i, &b) in self.bins.iter().enumerate() {
            seen += u64::from(b);
            if seen > rank {
                return Some((i as f64 + 0.5) / UNIT_BINS as f64);
            }
        }
        Some(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sketch_quantiles_are_close() {
        let mut s = Sketch::default();
        for i in 1..=1000 {
            s.add(i as f64);
        }
        let q = s.quantile(0.5).unwrap();
        assert!((q - 500.0).abs() / 500.0 < 0.01, "{q}");
        assert_eq!(s.mean(), Some(500.5));
        assert_eq!(s.quantile(0.0), Some(1.0));
    }

    #[test]
    fn sketch_handles_signs_and_zero() {
        let mut s = Sketch::default();
        for x in [-5.0, -1.0, 0.0, 0.0, 2.0, 7.0] {
            s.add(x);
        }
        assert!((s.quantile(0.0).unwrap() + 5.0).abs() < 0.05);
        assert_eq!(s.quantile(0.5), Some(0.0));
        assert!((s.quantile(1.0).unwrap() - 7.0).abs() < 0.05);
    }

    proptest! {
        /// Merging in any split gives the same sketch as adding everything to one.
        #[test]
        fn merge_is_exact(xs in prop::collection::vec(-1e4f64..1e4, 0..200), cut in 0usize..200) {
            let cut = cut.min(xs.len());
            let mut all = Sketch::default();
            xs.iter().for_each(|&x| all.add(x));
            let (mut a, mut b) = (Sketch::default(), Sketch::default());
            xs[..cut].iter().for_each(|&x| a.add(x));
            xs[cut..].iter().for_each(|&x| b.add(x));
            a.merge(&b);
            prop_assert_eq!(a.count(), all.count());
            for q in [0.05, 0.5, 0.95] {
                prop_assert_eq!(a.quantile(q), all.quantile(q));
            }
        }

        #[test]
        fn quantiles_within_relative_accuracy(xs in prop::collection::vec(0.01f64..1e4, 1..300), q in 0.0f64..1.0) {
            let mut s = Sketch::default();
            xs.iter().for_each(|&x| s.add(x));
            let mut sorted = xs.clone();
            sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let exact = sorted[(q * (xs.len() - 1) as f64).floor() as usize];
            let est = s.quantile(q).unwrap();
            prop_assert!((est - exact).abs() <= exact * 2.0 * ALPHA + 1e-9, "{} vs {}", est, exact);
        }

        #[test]
        fn unit_hist_quantile_within_a_bin(xs in prop::collection::vec(0.0f64..1.0, 1..300), q in 0.0f64..1.0) {
            let mut h = UnitHist::default();
            xs.iter().for_each(|&x| h.add(x));
            let mut sorted = xs.clone();
            sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let exact = sorted[(q * (xs.len() - 1) as f64).floor() as usize];
            prop_assert!((h.quantile(q).unwrap() - exact).abs() <= 0.5 / UNIT_BINS as f64 + 1e-12);
        }
    }
}
