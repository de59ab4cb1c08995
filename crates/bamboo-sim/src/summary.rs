//! Streaming, mergeable summaries: memory stays flat in the number of runs.
//!
//! - [`Sketch`]: a log-bucket quantile sketch (after DDSketch) with relative accuracy
//!   0.5%; merging adds integer counts, so it is exact under any merge order.
//! - [`UnitHist`]: a fixed 1,000-bin histogram on 0..1, for the lean of every year.
//! - [`ExactSum`]: sums kept as integers in units of 2^-40, so adding and merging are exact,
//!   associative and commutative: the mean is the same however the runs were split, on any
//!   number of threads, shards or machines, merged in any order.
//!
//! All three serialise exactly (floats as their bits), so that a shard's partial state can
//! be written to a file and merged elsewhere into the report one process would give.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Fractional bits of [`ExactSum`]: values are kept to 2^-40 (about 9.1e-13), far below the
/// report's 6 decimals.
pub const SUM_FRAC_BITS: i32 = 40;

/// An exact sum of finite `f64` values: each value is rounded once to a multiple of 2^-40
/// and the multiples are added as 128-bit integers, so the total never depends on the order
/// or grouping of the additions. The range is ±1.5e26 (sums saturate beyond it; the
/// simulation's values and run counts stay below 1e20).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExactSum(i128);

impl ExactSum {
    /// Adds `x`, rounded to a multiple of 2^-40; a value that is not finite is skipped.
    pub fn add(&mut self, x: f64) {
        if x.is_finite() {
            // Scaling by a power of two is exact; `as` saturates.
            let units = (x * f64::powi(2.0, SUM_FRAC_BITS)).round() as i128;
            self.0 = self.0.saturating_add(units);
        }
    }

    /// Adds another sum; exact, so the order of merges does not matter.
    pub fn merge(&mut self, o: &ExactSum) {
        self.0 = self.0.saturating_add(o.0);
    }

    /// The sum as the nearest `f64`.
    pub fn value(&self) -> f64 {
        self.0 as f64 * f64::powi(2.0, -SUM_FRAC_BITS)
    }
}

impl Serialize for ExactSum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A decimal string: JSON numbers beyond 2^53 are not read alike everywhere.
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for ExactSum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse::<i128>().map(ExactSum).map_err(|_| {
            serde::de::Error::custom(format!(
                "`{text}` is not an exact sum (a whole number as a string)"
            ))
        })
    }
}

/// `f64` fields serialised as their bit patterns, so they read back exactly.
pub mod f64_bits {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `x` as the `u64` of its IEEE 754 bits.
    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(x.to_bits())
    }

    /// Reads the `u64` written by [`serialize`] back into the same `f64`, bit for bit.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        u64::deserialize(d).map(f64::from_bits)
    }
}

/// Relative accuracy of [`Sketch`] quantiles.
pub const ALPHA: f64 = 0.005;

/// A mergeable quantile sketch of finite values: counts in logarithmic buckets of relative
/// width [`ALPHA`] (positive and negative values apart, values within 1e-9 of zero
/// counted as zero), with the exact count, sum ([`ExactSum`]), minimum and maximum.
/// Memory grows with the spread of the values, not with their number.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sketch {
    #[serde(with = "buckets")]
    pos: BTreeMap<i32, u64>,
    #[serde(with = "buckets")]
    neg: BTreeMap<i32, u64>,
    zero: u64,
    count: u64,
    sum: ExactSum,
    #[serde(with = "f64_bits")]
    min: f64,
    #[serde(with = "f64_bits")]
    max: f64,
}

/// Sketch buckets as `[[index, count], ...]` (JSON object keys would have to be strings).
mod buckets {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(m: &BTreeMap<i32, u64>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(m.iter().map(|(k, v)| (*k, *v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<i32, u64>, D::Error> {
        Ok(Vec::<(i32, u64)>::deserialize(d)?.into_iter().collect())
    }
}

fn gamma() -> f64 {
    (1.0 + ALPHA) / (1.0 - ALPHA)
}

impl Sketch {
    /// Counts `x`; a value that is not finite is skipped.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        // One zero: `min`/`max` of -0.0 and 0.0 would depend on the order of the values.
        let x = if x == 0.0 { 0.0 } else { x };
        if self.count == 0 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.count += 1;
        self.sum.add(x);
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

    /// Adds another sketch's contents; exact, so the order of merges does not matter.
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
        self.sum.merge(&o.sum);
        self.zero += o.zero;
        for (k, v) in &o.pos {
            *self.pos.entry(*k).or_insert(0) += v;
        }
        for (k, v) in &o.neg {
            *self.neg.entry(*k).or_insert(0) += v;
        }
    }

    /// How many values were counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The mean of the values counted (from the exact sum); `None` when there are none.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum.value() / self.count as f64)
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

/// A 1,000-bin histogram on 0..1 (values outside are clamped). Serialised sparsely, as
/// `[[bin, count], ...]` of the bins that are not empty.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitHist {
    bins: Vec<u32>,
    count: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SparseHist {
    count: u64,
    bins: Vec<(u32, u32)>,
}

impl Serialize for UnitHist {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SparseHist {
            count: self.count,
            bins: self
                .bins
                .iter()
                .enumerate()
                .filter(|(_, &b)| b > 0)
                .map(|(i, &b)| (i as u32, b))
                .collect(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for UnitHist {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let sparse = SparseHist::deserialize(d)?;
        let mut h = UnitHist::default();
        let mut total = 0u64;
        for (i, b) in sparse.bins {
            let slot = h.bins.get_mut(i as usize).ok_or_else(|| {
                D::Error::custom(format!("histogram bin {i} is beyond {UNIT_BINS}"))
            })?;
            *slot = slot.saturating_add(b);
            total += u64::from(b);
        }
        if total != sparse.count {
            return Err(D::Error::custom(format!(
                "histogram count {} is not the sum of its bins ({total})",
                sparse.count
            )));
        }
        h.count = total;
        Ok(h)
    }
}

/// The bins of a [`UnitHist`]: each is 0.001 wide.
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
    /// Counts `x` in its bin, clamped to 0..1 (1 falls in the last bin); a value that is not
    /// finite is skipped.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        let i = ((x.clamp(0.0, 1.0) * UNIT_BINS as f64) as usize).min(UNIT_BINS - 1);
        self.bins[i] += 1;
        self.count += 1;
    }

    /// Adds another histogram's counts, bin by bin.
    pub fn merge(&mut self, o: &UnitHist) {
        for (a, b) in self.bins.iter_mut().zip(&o.bins) {
            *a += b;
        }
        self.count += o.count;
    }

    /// How many values were counted.
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

    #[test]
    fn exact_sums_do_not_depend_on_order_or_grouping() {
        let xs = [0.1, 1e-3, 12345.678, -0.7, 1.0 / 3.0, 2.5e-9, -99.25];
        let mut forward = ExactSum::default();
        xs.iter().for_each(|&x| forward.add(x));
        let mut backward = ExactSum::default();
        xs.iter().rev().for_each(|&x| backward.add(x));
        let (mut a, mut b) = (ExactSum::default(), ExactSum::default());
        xs[..3].iter().for_each(|&x| a.add(x));
        xs[3..].iter().for_each(|&x| b.add(x));
        b.merge(&a);
        assert_eq!(forward, backward);
        assert_eq!(forward, b);
        let naive: f64 = xs.iter().sum();
        assert!((forward.value() - naive).abs() < 1e-9);
    }

    #[test]
    fn sketches_and_histograms_read_back_exactly() {
        let mut s = Sketch::default();
        let mut h = UnitHist::default();
        for i in 0..500 {
            let x = (f64::from(i) * 0.37).sin() * 40.0;
            s.add(x);
            h.add(x.abs() / 40.0);
        }
        s.add(-0.0);
        let s2: Sketch = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        let h2: UnitHist = serde_json::from_str(&serde_json::to_string(&h).unwrap()).unwrap();
        assert_eq!(s, s2);
        assert_eq!(h, h2);
        // A histogram whose count is not the sum of its bins is refused.
        assert!(serde_json::from_str::<UnitHist>(r#"{"count":3,"bins":[[1,2]]}"#).is_err());
        assert!(serde_json::from_str::<UnitHist>(r#"{"count":1,"bins":[[1000,1]]}"#).is_err());
    }

    proptest! {
        /// Sums merged in any split are exactly the sum added in one.
        #[test]
        fn exact_sum_merge_is_exact(xs in prop::collection::vec(-1e6f64..1e6, 0..200), cut in 0usize..200) {
            let cut = cut.min(xs.len());
            let mut all = ExactSum::default();
            xs.iter().for_each(|&x| all.add(x));
            let (mut a, mut b) = (ExactSum::default(), ExactSum::default());
            xs[cut..].iter().for_each(|&x| b.add(x));
            xs[..cut].iter().for_each(|&x| a.add(x));
            b.merge(&a);
            prop_assert_eq!(all, b);
        }

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
            prop_assert_eq!(&a, &all);
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
