//! Bootstrap intervals over roll calls: how sure a pair's measure is, given which roll
//! calls happened to be held.
//!
//! A replicate draws the period's `R` roll calls `R` times with replacement (so each roll
//! call gets a count, multinomial with equal chances) and recomputes every pair's joint
//! table from the counts. One replicate's counts serve every pair of the period, so the
//! replicates keep the correlation between a state's alignments with different poles
//! (which lean and "toward" need) and between states (which ranks and medians need).
//!
//! The counting is bit-sliced. For each pair the nine cells of its joint table are nine
//! fixed bit masks over the period's roll calls (the roll calls on which the two voted
//! `a` and `b`); a replicate writes its counts as bit planes (`count = Σ 2^k · plane_k`),
//! so a weighted cell is `Σ_k 2^k · popcount(mask & plane_k)`: a few `AND` + `popcount`
//! per machine word of 64 roll calls, and no pass over the votes at all.
//!
//! Draws are seeded and counter-based: replicate `b` of the period `from..=to` draws from a
//! generator named by (seed, from, to, b), never from the thread that ran it or from the
//! other pairs asked, so the same question gives the same interval on any number of
//! threads, and the period's intervals do not depend on which states were asked about.

use rayon::prelude::*;

use crate::metrics::{JointTable, Metric};
use crate::store::VoteStore;

/// SplitMix64's finaliser: a bijective 64-bit mixer.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A SplitMix64 generator: small, fast, and good enough to draw roll-call indices.
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    /// The generator named by its coordinates.
    pub fn named(seed: u64, parts: &[u64]) -> SplitMix {
        let mut h = mix(seed ^ 0x0062_6f6f_7473_7472); // "bootstr"
        for &p in parts {
            h = mix(h ^ p);
        }
        SplitMix(h)
    }

    /// The next 64 bits (SplitMix64: the state advances by the golden-ratio step, then is
    /// mixed).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A uniform index in `0..n` (Lemire's multiply-shift; the bias is below 2⁻⁵⁰ here).
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A uniform number in `[0, 1)`.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// How to bootstrap: replicates, seed and the interval's level.
#[derive(Copy, Clone, Debug, PartialEq, serde::Serialize)]
pub struct Bootstrap {
    /// Replicates per period (0: point estimates only).
    pub replicates: usize,
    /// The seed of every replicate's draws (the same seed, the same intervals).
    pub seed: u64,
    /// The interval's coverage in percent (90: the 5th to the 95th percentile).
    pub level: f64,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap {
            replicates: 1000,
            seed: 1,
            level: 90.0,
        }
    }
}

impl Bootstrap {
    /// The definition printed beside intervals.
    pub fn definition(&self) -> String {
        format!(
            "{}% interval = the {} and {} percentiles of {} bootstrap replicates (seed {}): each replicate draws the period's roll calls with replacement, as many as there are, and recomputes every figure from the same draw",
            fmt_level(self.level),
            fmt_level((100.0 - self.level) / 2.0),
            fmt_level(100.0 - (100.0 - self.level) / 2.0),
            self.replicates,
            self.seed
        )
    }

    /// The period's stream name, from its first and last year.
    pub fn period_stream(from: i32, to: i32) -> [u64; 2] {
        [from as u64, to as u64]
    }
}

fn fmt_level(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// The `q`-quantile (0..=1) of sorted values, linearly interpolated (R's type 7).
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// The percentile interval of replicate values at `level` percent. Undefined (NaN) values
/// are left out; when more than half of the replicates are undefined, so is the interval.
pub fn interval(values: &mut Vec<f64>, level: f64) -> Option<(f64, f64)> {
    let total = values.len();
    values.retain(|v| v.is_finite());
    if values.is_empty() || values.len() * 2 < total {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let tail = (1.0 - level / 100.0) / 2.0;
    Some((quantile(values, tail)?, quantile(values, 1.0 - tail)?))
}

/// The median of the defined values (NaN left out); `None` if there is none.
pub fn median(values: &mut Vec<f64>) -> Option<f64> {
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    quantile(values, 0.5)
}

/// Every pair's nine cell masks over one period's roll calls.
struct PairCells {
    words: usize,
    /// `masks[((pair * 9) + cell) * words + w]`, cell = 3 · a + b.
    masks: Vec<u64>,
}

impl PairCells {
    fn new(store: &VoteStore, rcs: &[usize], rows: &[Option<u16>], cols: &[Option<u16>]) -> Self {
        let words = rcs.len().div_ceil(64).max(1);
        // Each state's three bit sets (yes, abstain, no) over the period's roll calls.
        let bits_of = |c: Option<u16>| -> Vec<u64> {
            let mut b = vec![0u64; 3 * words];
            if let Some(c) = c {
                for (r, &i) in rcs.iter().enumerate() {
                    if let Some(v) = store.vote_of(i, c) {
                        b[v.index() * words + r / 64] |= 1 << (r % 64);
                    }
                }
            }
            b
        };
        let row_bits: Vec<Vec<u64>> = rows.iter().map(|&c| bits_of(c)).collect();
        let col_bits: Vec<Vec<u64>> = cols.iter().map(|&c| bits_of(c)).collect();
        let mut masks = vec![0u64; rows.len() * cols.len() * 9 * words];
        for (i, rb) in row_bits.iter().enumerate() {
            for (j, cb) in col_bits.iter().enumerate() {
                let pair = i * cols.len() + j;
                for a in 0..3 {
                    for b in 0..3 {
                        let at = ((pair * 9) + 3 * a + b) * words;
                        for w in 0..words {
                            masks[at + w] = rb[a * words + w] & cb[b * words + w];
                        }
                    }
                }
            }
        }
        PairCells { words, masks }
    }

    /// The pair's joint table with every roll call counted once.
    fn table(&self, pair: usize) -> JointTable {
        let mut t = JointTable::default();
        for cell in 0..9 {
            let at = ((pair * 9) + cell) * self.words;
            t.c[cell / 3][cell % 3] = self.masks[at..at + self.words]
                .iter()
                .map(|m| m.count_ones())
                .sum();
        }
        t
    }

    /// The pair's joint table with roll calls counted as the planes say.
    fn weighted(&self, pair: usize, planes: &[u64]) -> JointTable {
        let mut t = JointTable::default();
        let k = planes.len() / self.words;
        for cell in 0..9 {
            let at = ((pair * 9) + cell) * self.words;
            let m = &self.masks[at..at + self.words];
            let mut sum = 0u32;
            for p in 0..k {
                let plane = &planes[p * self.words..(p + 1) * self.words];
                let c: u32 = m.iter().zip(plane).map(|(x, y)| (x & y).count_ones()).sum();
                sum += c << p;
            }
            t.c[cell / 3][cell % 3] = sum;
        }
        t
    }
}

/// The measure of a table, or NaN where it is undefined.
#[inline]
fn value(metric: Metric, t: &JointTable) -> f64 {
    if metric == Metric::Agreement {
        // The same sums as `Measures::agreement`, without the other measures.
        let n = t.n();
        if n == 0 {
            return f64::NAN;
        }
        let d = u64::from(t.c[0][1] + t.c[1][0] + t.c[1][2] + t.c[2][1])
            + 2 * u64::from(t.c[0][2] + t.c[2][0]);
        return 1.0 - d as f64 / (2.0 * f64::from(n));
    }
    metric.of(&t.measures()).unwrap_or(f64::NAN)
}

/// The draws of one period for a rectangle of pairs (rows × columns): point values, the
/// roll calls each pair shared, and every replicate's values.
#[derive(Clone, Debug, PartialEq)]
pub struct Draws {
    /// How many row states.
    pub rows: usize,
    /// How many column states (the poles, in the atlas).
    pub cols: usize,
    /// How many replicates `reps` holds.
    pub replicates: usize,
    /// `point[row * cols + col]`, NaN where undefined.
    pub point: Vec<f64>,
    /// Roll calls (or, for another kind of measure, observations) behind each pair.
    pub n: Vec<u32>,
    /// `reps[(b * rows + row) * cols + col]`, NaN where undefined.
    pub reps: Vec<f64>,
}

impl Draws {
    /// The point value of pair (`row`, `col`); NaN where undefined.
    pub fn point(&self, row: usize, col: usize) -> f64 {
        self.point[row * self.cols + col]
    }

    /// Replicate `b`'s value of pair (`row`, `col`); NaN where undefined.
    pub fn rep(&self, b: usize, row: usize, col: usize) -> f64 {
        self.reps[(b * self.rows + row) * self.cols + col]
    }

    /// One replicate's values, rows × columns.
    pub fn replicate(&self, b: usize) -> &[f64] {
        let s = self.rows * self.cols;
        &self.reps[b * s..(b + 1) * s]
    }
}

/// The measure of every (row, column) pair over the roll calls `rcs` of a period, with
/// `boot.replicates` bootstrap replicates drawn from the stream `stream`. A state given
/// as `None` (it never voted) has undefined values throughout.
pub fn pair_draws(
    store: &VoteStore,
    rcs: &[usize],
    rows: &[Option<u16>],
    cols: &[Option<u16>],
    metric: Metric,
    boot: &Bootstrap,
    stream: &[u64],
) -> Draws {
    let cells = PairCells::new(store, rcs, rows, cols);
    let pairs = rows.len() * cols.len();
    let (point, n): (Vec<f64>, Vec<u32>) = (0..pairs)
        .map(|p| {
            let t = cells.table(p);
            (value(metric, &t), t.n())
        })
        .unzip();
    let mut reps = vec![f64::NAN; boot.replicates * pairs];
    let r = rcs.len();
    if r > 0 && pairs > 0 {
        reps.par_chunks_mut(pairs).enumerate().for_each_init(
            || (vec![0u32; r], Vec::<u64>::new()),
            |(counts, planes), (b, out)| {
                let mut rng = SplitMix::named(boot.seed, &[stream, &[b as u64]].concat());
                counts.iter_mut().for_each(|c| *c = 0);
                for _ in 0..r {
                    counts[rng.below(r)] += 1;
                }
                let max = counts.iter().copied().max().unwrap_or(0);
                let k = (32 - max.leading_zeros()) as usize;
                planes.clear();
                planes.resize(k * cells.words, 0);
                for (i, &c) in counts.iter().enumerate() {
                    for p in 0..k {
                        if c >> p & 1 == 1 {
                            planes[p * cells.words + i / 64] |= 1 << (i % 64);
                        }
                    }
                }
                for (p, o) in out.iter_mut().enumerate() {
                    *o = value(metric, &cells.weighted(p, planes));
                }
            },
        );
    }
    Draws {
        rows: rows.len(),
        cols: cols.len(),
        replicates: boot.replicates,
        point,
        n,
        reps,
    }
}

/// A point value with its interval; every part `None` where undefined.
#[derive(Copy, Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// The point value.
    pub value: Option<f64>,
    /// The interval's low end (`None` with no value, or when most replicates are undefined).
    pub lo: Option<f64>,
    /// The interval's high end.
    pub hi: Option<f64>,
}

impl Estimate {
    /// A point value with the percentile interval of its replicate values.
    pub fn from_values(point: f64, mut reps: Vec<f64>, level: f64) -> Estimate {
        let value = point.is_finite().then_some(point);
        let iv = value.and_then(|_| interval(&mut reps, level));
        Estimate {
            value,
            lo: iv.map(|x| x.0),
            hi: iv.map(|x| x.1),
        }
    }

    /// Whether the two intervals share a point (false when either is undefined).
    pub fn overlaps(&self, other: &Estimate) -> bool {
        match (self.lo, self.hi, other.lo, other.hi) {
            (Some(a), Some(b), Some(c), Some(d)) => a <= d && c <= b,
            _ => false,
        }
    }

    /// `1 − x` for the value and both ends (the ends swap).
    pub fn complement(&self) -> Estimate {
        Estimate {
            value: self.value.map(|v| 1.0 - v),
            lo: self.hi.map(|v| 1.0 - v),
            hi: self.lo.map(|v| 1.0 - v),
        }
    }

    /// The interval excludes zero.
    pub fn excludes_zero(&self) -> bool {
        matches!((self.lo, self.hi), (Some(lo), Some(hi)) if lo > 0.0 || hi < 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{RollCall, VoteStoreBuilder};
    use crate::{Date, Iso3, Vote};

    fn store(votes: &[[u8; 3]]) -> VoteStore {
        let mut b = VoteStoreBuilder::new();
        let codes = [
            Iso3::from_static("AAA"),
            Iso3::from_static("BBB"),
            Iso3::from_static("CCC"),
        ];
        for (i, row) in votes.iter().enumerate() {
            let d = Date::new(2000, 1 + (i % 12) as u8, 1).unwrap();
            b.add_roll_call(RollCall::new(i as u64, d, 0)).unwrap();
            for (k, &v) in row.iter().enumerate() {
                if let Some(v) = Vote::from_code(v) {
                    b.add_vote(i as u64, codes[k], v).unwrap();
                }
            }
        }
        b.build().unwrap()
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), Some(3.0));
        assert_eq!(quantile(&v, 0.25), Some(2.0));
        assert_eq!(quantile(&v, 0.1), Some(1.4));
        assert_eq!(quantile(&[], 0.5), None);
        let mut w = vec![f64::NAN, 2.0, 1.0];
        assert_eq!(median(&mut w), Some(1.5));
        // Mostly undefined: no interval.
        let mut u = vec![f64::NAN, f64::NAN, 1.0];
        assert_eq!(interval(&mut u, 90.0), None);
    }

    /// Points equal the plain joint tables; replicates are seeded, thread-independent, and
    /// each is a table over exactly R draws.
    #[test]
    fn points_match_tables_and_replicates_are_deterministic() {
        let votes: Vec<[u8; 3]> = (0..150)
            .map(|i| {
                [
                    1 + (i % 3) as u8,
                    1 + (i * i % 3) as u8 + u8::from(i % 7 == 0),
                    if i % 10 == 0 { 0 } else { 1 + (i % 2) as u8 },
                ]
            })
            .collect();
        let s = store(&votes);
        let rcs: Vec<usize> = (0..s.roll_calls().len()).collect();
        let rows = [Some(0u16), Some(1)];
        let cols = [Some(1u16), Some(2), None];
        let boot = Bootstrap {
            replicates: 64,
            seed: 7,
            level: 90.0,
        };
        let d = pair_draws(&s, &rcs, &rows, &cols, Metric::Kappa, &boot, &[2000, 2000]);
        for (i, r) in rows.iter().enumerate() {
            for (j, c) in cols.iter().enumerate() {
                let t = match (r, c) {
                    (Some(a), Some(b)) => s.pair_table(*a, *b, 0..150),
                    _ => JointTable::default(),
                };
                assert_eq!(d.n[i * 3 + j], t.n());
                let want = Metric::Kappa.of(&t.measures()).unwrap_or(f64::NAN);
                assert!(
                    d.point(i, j).to_bits() == want.to_bits()
                        || (want - d.point(i, j)).abs() < 1e-15
                );
            }
        }
        let again = pair_draws(&s, &rcs, &rows, &cols, Metric::Kappa, &boot, &[2000, 2000]);
        assert_eq!(
            d.reps.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            again.reps.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let serial =
            one.install(|| pair_draws(&s, &rcs, &rows, &cols, Metric::Kappa, &boot, &[2000, 2000]));
        assert_eq!(
            d.reps.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            serial.reps.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        // Another stream draws differently; the unvoting column stays undefined.
        let other = pair_draws(&s, &rcs, &rows, &cols, Metric::Kappa, &boot, &[2001, 2001]);
        assert_ne!(
            d.reps.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            other.reps.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert!(d.rep(5, 1, 2).is_nan());
    }

    /// The bit-plane weighting equals counting each drawn roll call one by one.
    #[test]
    fn weighted_tables_equal_explicit_resamples() {
        let votes: Vec<[u8; 3]> = (0..200)
            .map(|i| [1 + (i * 5 % 3) as u8, 1 + (i * i % 3) as u8, 2])
            .collect();
        let s = store(&votes);
        let rcs: Vec<usize> = (0..200).collect();
        let rows = [Some(0u16)];
        let cols = [Some(1u16)];
        let cells = PairCells::new(&s, &rcs, &rows, &cols);
        let mut rng = SplitMix::named(3, &[1]);
        for _ in 0..20 {
            let mut counts = vec![0u32; 200];
            let mut explicit = JointTable::default();
            for _ in 0..200 {
                let i = rng.below(200);
                counts[i] += 1;
                explicit.add(s.vote_of(i, 0).unwrap(), s.vote_of(i, 1).unwrap());
            }
            let k = (32 - counts.iter().max().unwrap().leading_zeros()) as usize;
            let mut planes = vec![0u64; k * cells.words];
            for (i, &c) in counts.iter().enumerate() {
                for p in 0..k {
                    if c >> p & 1 == 1 {
                        planes[p * cells.words + i / 64] |= 1 << (i % 64);
                    }
                }
            }
            assert_eq!(cells.weighted(0, &planes), explicit);
        }
    }

    #[test]
    fn estimates_compare() {
        let a = Estimate {
            value: Some(0.5),
            lo: Some(0.4),
            hi: Some(0.6),
        };
        let b = Estimate {
            value: Some(0.7),
            lo: Some(0.59),
            hi: Some(0.8),
        };
        let c = Estimate {
            value: Some(0.9),
            lo: Some(0.85),
            hi: Some(0.95),
        };
        assert!(a.overlaps(&b) && !a.overlaps(&c));
        assert_eq!(a.complement().lo, Some(0.4));
        assert!(
            c.excludes_zero()
                && !Estimate {
                    value: Some(0.0),
                    lo: Some(-0.1),
                    hi: Some(0.1)
                }
                .excludes_zero()
        );
    }
}
