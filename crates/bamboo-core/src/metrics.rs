//! Pairwise alignment metrics, exactly as defined in `shared/spec/metrics.md`.
//!
//! Everything is computed from a [`JointTable`]: the 3 × 3 counts of how state i and state
//! j voted on the roll calls where both voted (complete cases). Because counts add up, a
//! table for a span of years is the sum of the yearly tables, and the order of roll calls
//! cannot matter. Each measure is formed from integer sums and divided once at the end, so
//! the results are as exact as an `f64` allows.

// The 3 × 3 tables read most clearly as index arithmetic over a and b.
#![allow(clippy::needless_range_loop)]

use crate::vote::Vote;

/// Counts `c[a][b]` of roll calls where state i voted `a` and state j voted `b`
/// (indices 0 = yes, 1 = abstain, 2 = no).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct JointTable {
    /// `c[a][b]`: roll calls where i voted `a` and j voted `b` (0 yes, 1 abstain, 2 no).
    pub c: [[u32; 3]; 3],
}

/// The alignment measures for one pair over one set of roll calls. `None` means the
/// measure is undefined (for instance `n = 0`); it is never reported as 0.
#[derive(Copy, Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Measures {
    /// Roll calls where both voted.
    pub n: u32,
    /// Voeten's agreement index: mean of `1 − |v_i − v_j| / 2`.
    pub agreement: Option<f64>,
    /// Signorino–Ritter S with r = 1 (equals `2 · agreement − 1`).
    pub s: Option<f64>,
    /// Signorino–Ritter S with r = 2.
    pub s2: Option<f64>,
    /// Cohen's weighted κ with squared distances (r = 2), Häge's default.
    pub kappa: Option<f64>,
    /// Cohen's weighted κ with absolute distances (r = 1).
    pub kappa1: Option<f64>,
    /// Scott's π (nominal).
    pub pi: Option<f64>,
    /// Votes-only coincidence: identical / (identical + opposite) over yes/no pairs.
    pub coincidence: Option<f64>,
}

/// Distances `δ_ab` scaled to integers: r = 1 gives `|a − b| / 2` times 2, r = 2 gives
/// `(|a − b| / 2)²` times 4.
const D1: [[u64; 3]; 3] = [[0, 1, 2], [1, 0, 1], [2, 1, 0]];
const D1_SCALE: f64 = 2.0;
const D2: [[u64; 3]; 3] = [[0, 1, 4], [1, 0, 1], [4, 1, 0]];
const D2_SCALE: f64 = 4.0;

impl JointTable {
    /// Adds one roll call on which i voted `a` and j voted `b`.
    pub fn add(&mut self, a: Vote, b: Vote) {
        self.c[a.index()][b.index()] += 1;
    }

    /// Builds a table from two parallel vote sequences, dropping incomplete cases.
    pub fn from_votes(i: &[Option<Vote>], j: &[Option<Vote>]) -> JointTable {
        let mut t = JointTable::default();
        for (a, b) in i.iter().zip(j) {
            if let (Some(a), Some(b)) = (a, b) {
                t.add(*a, *b);
            }
        }
        t
    }

    /// The table with i and j swapped.
    pub fn transpose(&self) -> JointTable {
        let mut t = JointTable::default();
        for a in 0..3 {
            for b in 0..3 {
                t.c[b][a] = self.c[a][b];
            }
        }
        t
    }

    /// Cell-wise sum (the table for the union of two disjoint sets of roll calls).
    pub fn merge(&mut self, other: &JointTable) {
        for a in 0..3 {
            for b in 0..3 {
                self.c[a][b] += other.c[a][b];
            }
        }
    }

    /// The number of complete cases.
    pub fn n(&self) -> u32 {
        self.c.iter().flatten().sum()
    }

    fn rows(&self) -> [u64; 3] {
        [0, 1, 2].map(|a| self.c[a].iter().map(|&x| u64::from(x)).sum())
    }

    fn cols(&self) -> [u64; 3] {
        [0, 1, 2].map(|b| (0..3).map(|a| u64::from(self.c[a][b])).sum())
    }

    /// `Σ δ_ab c_ab` for a scaled distance table.
    fn observed(&self, d: &[[u64; 3]; 3]) -> u64 {
        let mut s = 0;
        for a in 0..3 {
            for b in 0..3 {
                s += d[a][b] * u64::from(self.c[a][b]);
            }
        }
        s
    }

    /// `Σ δ_ab r_a c_b` (chance disagreement times n²) for a scaled distance table.
    fn expected(&self, d: &[[u64; 3]; 3]) -> u64 {
        let (r, c) = (self.rows(), self.cols());
        let mut s = 0;
        for a in 0..3 {
            for b in 0..3 {
                s += d[a][b] * r[a] * c[b];
            }
        }
        s
    }

    /// S with distance exponent r (1 or 2): `1 − 2 Σ δ_ab p_ab`.
    fn s_r(&self, d: &[[u64; 3]; 3], scale: f64) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| 1.0 - 2.0 * self.observed(d) as f64 / (scale * f64::from(n)))
    }

    /// Weighted κ with distance exponent r: `1 − D_o / D_e`, undefined when `D_e = 0`.
    fn kappa_r(&self, d: &[[u64; 3]; 3]) -> Option<f64> {
        let n = u64::from(self.n());
        let de = self.expected(d);
        if n == 0 || de == 0 {
            return None;
        }
        // D_o / D_e = (Σ δ c_ab / n) / (Σ δ r_a c_b / n²) = n Σ δ c_ab / Σ δ r_a c_b.
        Some(1.0 - (n as f64 * self.observed(d) as f64) / de as f64)
    }

    /// Every measure of the spec for this table.
    pub fn measures(&self) -> Measures {
        let n = self.n();
        if n == 0 {
            return Measures::default();
        }
        let nf = f64::from(n);
        let agreement = 1.0 - self.observed(&D1) as f64 / (D1_SCALE * nf);
        // Scott's π: p_o = Σ c_aa / n, p_e = Σ ((r_a + c_a) / 2n)², undefined if p_e = 1.
        let (r, c) = (self.rows(), self.cols());
        let diag: u64 = (0..3).map(|a| u64::from(self.c[a][a])).sum();
        let pe_num: u64 = (0..3).map(|a| (r[a] + c[a]) * (r[a] + c[a])).sum();
        let four_n2 = 4 * u64::from(n) * u64::from(n);
        let pi = (pe_num != four_n2).then(|| {
            // (p_o − p_e) / (1 − p_e) with both scaled by 4n².
            let po = 4 * u64::from(n) * diag;
            (po as f64 - pe_num as f64) / (four_n2 - pe_num) as f64
        });
        let same = u64::from(self.c[0][0]) + u64::from(self.c[2][2]);
        let opposite = u64::from(self.c[0][2]) + u64::from(self.c[2][0]);
        let coincidence = (same + opposite > 0).then(|| same as f64 / (same + opposite) as f64);
        Measures {
            n,
            agreement: Some(agreement),
            s: self.s_r(&D1, D1_SCALE),
            s2: self.s_r(&D2, D2_SCALE),
            kappa: self.kappa_r(&D2),
            kappa1: self.kappa_r(&D1),
            pi,
            coincidence,
        }
    }
}

/// Which measure a report reads; agreement by default, as in the spec's balance section.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Voeten's agreement index ([`Measures::agreement`]), 0..1.
    #[default]
    Agreement,
    /// Signorino–Ritter S with r = 1 ([`Measures::s`]), -1..1.
    S,
    /// Cohen's weighted κ with squared distances ([`Measures::kappa`]), at most 1.
    Kappa,
    /// Scott's π ([`Measures::pi`]), at most 1.
    Pi,
    /// Votes-only coincidence ([`Measures::coincidence`]), 0..1.
    Coincidence,
    /// Ideal-point alignment (`crate::ideal::measure`): not a function of the joint table,
    /// so [`Metric::of`] gives `None` for it and callers read it from a fit.
    Ideal,
}

impl Metric {
    /// Every metric, in the order they are listed to users.
    pub const ALL: [Metric; 6] = [
        Metric::Agreement,
        Metric::S,
        Metric::Kappa,
        Metric::Pi,
        Metric::Coincidence,
        Metric::Ideal,
    ];

    /// The metric's name in flags, parameters and output (`agreement`, `s`, `kappa`, `pi`,
    /// `coincidence`, `ideal`).
    pub fn name(self) -> &'static str {
        match self {
            Metric::Agreement => "agreement",
            Metric::S => "s",
            Metric::Kappa => "kappa",
            Metric::Pi => "pi",
            Metric::Coincidence => "coincidence",
            Metric::Ideal => "ideal",
        }
    }

    /// The metric of a [`Metric::name`], exactly as spelt (lower case); `None` for any
    /// other text.
    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == s)
    }

    /// Reads this measure from a set of measures (`None` for [`Metric::Ideal`], which
    /// the joint table does not hold).
    pub fn of(self, m: &Measures) -> Option<f64> {
        match self {
            Metric::Agreement => m.agreement,
            Metric::S => m.s,
            Metric::Kappa => m.kappa,
            Metric::Pi => m.pi,
            Metric::Coincidence => m.coincidence,
            Metric::Ideal => None,
        }
    }

    /// Whether the measure is read from the pair's votes (all but [`Metric::Ideal`]).
    pub fn from_votes(self) -> bool {
        self != Metric::Ideal
    }

    /// The definition, as printed beside reports so every number can be traced.
    pub fn definition(self) -> &'static str {
        match self {
            Metric::Agreement => "agreement = mean of 1 - |v_i - v_j|/2 over roll calls both voted on (yes=1, abstain=2, no=3)",
            Metric::S => "S = 1 - 2·Σ δ_ab p_ab, δ_ab = |a-b|/2 (Signorino-Ritter, r=1)",
            Metric::Kappa => "κ = 1 - D_o/D_e with δ_ab = (|a-b|/2)^2 (Cohen's weighted kappa, r=2)",
            Metric::Pi => "π = (p_o - p_e)/(1 - p_e), p_e = Σ((p_a. + p_.a)/2)^2 (Scott's pi)",
            Metric::Coincidence => "coincidence = identical/(identical + opposite) over roll calls where both voted yes or no",
            Metric::Ideal => "ideal = 1 - |x_a - x_b|/R, x = the states' ideal points (bamboo ideal) in the session that opened that year, R = the range of all ideal points in the fit; a span averages |x_a - x_b| over the sessions where both have a point",
        }
    }
}

/// The definition of every field of [`Measures`], by field name, for outputs that carry
/// all of them (a map, so it serialises as an object in key order).
pub fn measure_definitions() -> std::collections::BTreeMap<&'static str, &'static str> {
    [
        (
            "n",
            "roll calls on which both states voted (absences and non-members dropped)",
        ),
        ("agreement", Metric::Agreement.definition()),
        ("s", Metric::S.definition()),
        ("s2", "S with δ_ab = (|a-b|/2)^2 (r=2)"),
        ("kappa", Metric::Kappa.definition()),
        ("kappa1", "κ with δ_ab = |a-b|/2 (r=1)"),
        ("pi", Metric::Pi.definition()),
        ("coincidence", Metric::Coincidence.definition()),
    ]
    .into_iter()
    .collect()
}

/// Herfindahl–Hirschman concentration `Σ s_k²` of partner shares (each in 0..1).
pub fn hhi(shares: &[f64]) -> f64 {
    shares.iter().map(|s| s * s).sum()
}

/// The spec's reading of an HHI value.
pub fn hhi_band(h: f64) -> &'static str {
    if h < 0.15 {
        "unconcentrated"
    } else if h < 0.25 {
        "moderately concentrated"
    } else {
        "concentrated"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(c: u8) -> Option<Vote> {
        Vote::from_code(c)
    }

    fn approx(a: Option<f64>, b: f64) {
        let a = a.expect("defined");
        assert!((a - b).abs() < 5e-5, "{a} vs {b}");
    }

    /// The test vector of `shared/spec/metrics.md`, to 4 decimals.
    #[test]
    fn spec_test_vector() {
        let i: Vec<_> = [1, 1, 1, 3, 1, 2, 1, 1, 0, 3].map(v).to_vec();
        let j: Vec<_> = [1, 2, 3, 3, 1, 2, 1, 3, 1, 1].map(v).to_vec();
        let m = JointTable::from_votes(&i, &j).measures();
        assert_eq!(m.n, 9);
        approx(m.agreement, 0.6111);
        approx(m.s, 0.2222);
        approx(m.s2, 0.2778);
        approx(m.kappa, 0.0787);
        approx(m.kappa1, 0.1600);
        approx(m.pi, 0.2421);
    }

    #[test]
    fn empty_table_is_undefined_not_zero() {
        let m = JointTable::default().measures();
        assert_eq!(m.n, 0);
        assert_eq!(m.agreement, None);
        assert_eq!(m.kappa, None);
        assert_eq!(m.pi, None);
    }

    #[test]
    fn kappa_undefined_without_expected_disagreement() {
        // Both always vote yes: D_e = 0, p_e = 1.
        let mut t = JointTable::default();
        for _ in 0..5 {
            t.add(Vote::Yes, Vote::Yes);
        }
        let m = t.measures();
        assert_eq!(m.agreement, Some(1.0));
        assert_eq!(m.kappa, None);
        assert_eq!(m.pi, None);
        assert_eq!(m.coincidence, Some(1.0));
    }

    #[test]
    fn coincidence_drops_abstentions() {
        let mut t = JointTable::default();
        t.add(Vote::Yes, Vote::Yes);
        t.add(Vote::Yes, Vote::No);
        t.add(Vote::Abstain, Vote::No);
        assert_eq!(t.measures().coincidence, Some(0.5));
    }

    #[test]
    fn hhi_bands() {
        assert_eq!(hhi_band(hhi(&[0.81, 0.07, 0.03])), "concentrated");
        assert_eq!(hhi_band(hhi(&[0.1; 10])), "unconcentrated");
        assert_eq!(hhi_band(0.2), "moderately concentrated");
    }

    fn votes() -> impl Strategy<Value = (Vec<Option<Vote>>, Vec<Option<Vote>>)> {
        (1usize..60).prop_flat_map(|len| {
            let one =
                prop::collection::vec(prop::option::weighted(0.85, 1u8..=3), len).prop_map(|v| {
                    v.into_iter()
                        .map(|c| c.and_then(Vote::from_code))
                        .collect::<Vec<_>>()
                });
            (one.clone(), one)
        })
    }

    /// A slow, literal transcription of the spec's formulas over shares, for comparison.
    fn literal(
        i: &[Option<Vote>],
        j: &[Option<Vote>],
        r: i32,
    ) -> (Option<f64>, Option<f64>, Option<f64>) {
        let pairs: Vec<(f64, f64)> = i
            .iter()
            .zip(j)
            .filter_map(|(a, b)| Some((f64::from((*a)?.code()), f64::from((*b)?.code()))))
            .collect();
        if pairs.is_empty() {
            return (None, None, None);
        }
        let n = pairs.len() as f64;
        let agreement = pairs
            .iter()
            .map(|(a, b)| 1.0 - (a - b).abs() / 2.0)
            .sum::<f64>()
            / n;
        let delta = |a: f64, b: f64| ((a - b).abs() / 2.0).powi(r);
        let s = 1.0 - 2.0 * pairs.iter().map(|(a, b)| delta(*a, *b)).sum::<f64>() / n;
        let mut pa = [0.0; 3];
        let mut pb = [0.0; 3];
        for (a, b) in &pairs {
            pa[*a as usize - 1] += 1.0 / n;
            pb[*b as usize - 1] += 1.0 / n;
        }
        let d_o = pairs.iter().map(|(a, b)| delta(*a, *b)).sum::<f64>() / n;
        let mut d_e = 0.0;
        for a in 0..3 {
            for b in 0..3 {
                d_e += delta(a as f64, b as f64) * pa[a] * pb[b];
            }
        }
        let kappa = (d_e > 1e-12).then(|| 1.0 - d_o / d_e);
        (Some(agreement), Some(s), kappa)
    }

    proptest! {
        #[test]
        fn symmetric((i, j) in votes()) {
            let a = JointTable::from_votes(&i, &j).measures();
            let b = JointTable::from_votes(&j, &i).measures();
            prop_assert_eq!(a, b);
        }

        #[test]
        fn agreement_is_half_of_one_plus_s((i, j) in votes()) {
            let m = JointTable::from_votes(&i, &j).measures();
            if let (Some(a), Some(s)) = (m.agreement, m.s) {
                prop_assert!((a - (1.0 + s) / 2.0).abs() < 1e-12);
            } else {
                prop_assert_eq!(m.n, 0);
            }
        }

        #[test]
        fn invariant_to_roll_call_order((i, j) in votes(), seed in any::<u64>()) {
            let mut idx: Vec<usize> = (0..i.len()).collect();
            // A deterministic shuffle driven by the seed.
            let mut x = seed | 1;
            for k in (1..idx.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                idx.swap(k, (x % (k as u64 + 1)) as usize);
            }
            let i2: Vec<_> = idx.iter().map(|&k| i[k]).collect();
            let j2: Vec<_> = idx.iter().map(|&k| j[k]).collect();
            prop_assert_eq!(JointTable::from_votes(&i, &j).measures(), JointTable::from_votes(&i2, &j2).measures());
        }

        #[test]
        fn matches_literal_formulas((i, j) in votes()) {
            let m = JointTable::from_votes(&i, &j).measures();
            let (a, s, k2) = literal(&i, &j, 2);
            let (_, s1, k1) = literal(&i, &j, 1);
            let close = |x: Option<f64>, y: Option<f64>| match (x, y) {
                (Some(x), Some(y)) => (x - y).abs() < 1e-9,
                (None, None) => true,
                _ => false,
            };
            prop_assert!(close(m.agreement, a));
            prop_assert!(close(m.s, s1));
            prop_assert!(close(m.s2, s));
            prop_assert!(close(m.kappa, k2), "{:?} {:?}", m.kappa, k2);
            prop_assert!(close(m.kappa1, k1));
        }

        #[test]
        fn measures_are_bounded((i, j) in votes()) {
            let m = JointTable::from_votes(&i, &j).measures();
            for x in [m.agreement, m.coincidence].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&x));
            }
            for x in [m.s, m.s2].into_iter().flatten() {
                prop_assert!((-1.0..=1.0).contains(&x));
            }
            for x in [m.kappa, m.kappa1, m.pi].into_iter().flatten() {
                prop_assert!(x <= 1.0 + 1e-12 && x.is_finite());
            }
        }

        #[test]
        fn merge_equals_concatenation((i, j) in votes(), (k, l) in votes()) {
            let mut t = JointTable::from_votes(&i, &j);
            t.merge(&JointTable::from_votes(&k, &l));
            let ik: Vec<_> = i.iter().chain(&k).copied().collect();
            let jl: Vec<_> = j.iter().chain(&l).copied().collect();
            prop_assert_eq!(t, JointTable::from_votes(&ik, &jl));
        }
    }
}
