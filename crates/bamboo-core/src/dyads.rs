//! Every pair of states in every year: the dyad kernel behind `bamboo dyads`.
//!
//! For each year the votes are laid out as a bit-sliced matrix: for every country that
//! voted that year, three bit sets (yes, abstain, no) over the year's roll calls. A pair's
//! joint table is then nine `AND` + `popcount` sweeps over a few machine words, and years
//! are independent, so they run in parallel with rayon. Results come back in (year, a, b)
//! order, where country indices order like their ISO3 codes.

use rayon::prelude::*;

use crate::metrics::JointTable;
use crate::select::Selection;
use crate::store::VoteStore;

/// One year's votes, bit-sliced.
pub struct YearBits {
    /// The calendar year of the roll calls.
    pub year: i32,
    /// Store indices of the countries that voted this year, ascending.
    pub countries: Vec<u16>,
    /// 64-bit words per bit set.
    words: usize,
    /// `bits[((k * 3) + v) * words + w]`: country `k` (position in `countries`), vote `v`.
    bits: Vec<u64>,
}

impl YearBits {
    /// Builds the matrix for one year of the store.
    pub fn new(store: &VoteStore, year: i32) -> YearBits {
        YearBits::selected(store, year, &Selection::all())
    }

    /// Builds the matrix for the roll calls of one year that a selection keeps.
    pub fn selected(store: &VoteStore, year: i32, sel: &Selection) -> YearBits {
        let rcs: Vec<usize> = sel.indices(store.year_roll_calls(year)).collect();
        let words = rcs.len().div_ceil(64).max(1);
        // Dense map from store index to position, built from the year's votes.
        let mut pos = vec![u16::MAX; store.countries().len()];
        let mut countries = Vec::new();
        for &i in &rcs {
            for cast in store.votes(i) {
                if pos[cast.country as usize] == u16::MAX {
                    pos[cast.country as usize] = 0;
                    countries.push(cast.country);
                }
            }
        }
        countries.sort_unstable();
        for (k, &c) in countries.iter().enumerate() {
            pos[c as usize] = k as u16;
        }
        let mut bits = vec![0u64; countries.len() * 3 * words];
        for (r, &i) in rcs.iter().enumerate() {
            let (w, bit) = (r / 64, 1u64 << (r % 64));
            for cast in store.votes(i) {
                let k = pos[cast.country as usize] as usize;
                bits[(k * 3 + cast.vote.index()) * words + w] |= bit;
            }
        }
        YearBits {
            year,
            countries,
            words,
            bits,
        }
    }

    fn slice(&self, k: usize, v: usize) -> &[u64] {
        let s = (k * 3 + v) * self.words;
        &self.bits[s..s + self.words]
    }

    /// The joint table of the countries at positions `i` and `j` of [`countries`](Self::countries).
    pub fn table(&self, i: usize, j: usize) -> JointTable {
        let mut t = JointTable::default();
        let a = [self.slice(i, 0), self.slice(i, 1), self.slice(i, 2)];
        let b = [self.slice(j, 0), self.slice(j, 1), self.slice(j, 2)];
        for (x, av) in a.iter().enumerate() {
            for (y, bv) in b.iter().enumerate() {
                t.c[x][y] = av
                    .iter()
                    .zip(bv.iter())
                    .map(|(p, q)| (p & q).count_ones())
                    .sum();
            }
        }
        t
    }

    /// Every pair (a < b) that shared at least one roll call, in (a, b) order.
    pub fn dyads(&self) -> Vec<Dyad> {
        let m = self.countries.len();
        let mut out = Vec::with_capacity(m * m.saturating_sub(1) / 2);
        for i in 0..m {
            for j in i + 1..m {
                let t = self.table(i, j);
                if t.n() > 0 {
                    out.push(Dyad {
                        year: self.year,
                        a: self.countries[i],
                        b: self.countries[j],
                        table: t,
                    });
                }
            }
        }
        out
    }
}

/// A pair of countries (store indices, `a < b`) and their joint table for one year.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Dyad {
    /// The calendar year.
    pub year: i32,
    /// The first country's index in the store (the lower one, so the lower code).
    pub a: u16,
    /// The second country's index in the store, above `a`.
    pub b: u16,
    /// Their joint votes that year, `a` as rows and `b` as columns.
    pub table: JointTable,
}

/// The dyads of every year in `from..=to`, one vector per year in ascending order, computed
/// in parallel.
pub fn dyads_by_year(store: &VoteStore, from: i32, to: i32) -> Vec<Vec<Dyad>> {
    dyads_by_year_in(store, from, to, &Selection::all())
}

/// [`dyads_by_year`] over the roll calls a selection keeps.
pub fn dyads_by_year_in(store: &VoteStore, from: i32, to: i32, sel: &Selection) -> Vec<Vec<Dyad>> {
    let years: Vec<i32> = store.years().filter(|y| (from..=to).contains(y)).collect();
    years
        .par_iter()
        .map(|&y| YearBits::selected(store, y, sel).dyads())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{RollCall, VoteStoreBuilder};
    use crate::{Date, Iso3, Vote};
    use proptest::prelude::*;

    /// Random stores: up to 70 roll calls over two years, up to 12 countries, some absent.
    fn store_strategy() -> impl Strategy<Value = VoteStore> {
        (1usize..70, 2usize..12).prop_flat_map(|(r, c)| {
            prop::collection::vec(prop::collection::vec(0u8..4, c), r).prop_map(move |m| {
                let mut b = VoteStoreBuilder::new();
                let codes: Vec<Iso3> = (0..c)
                    .map(|k| Iso3::parse(&format!("A{}A", (b'Z' - k as u8) as char)).unwrap())
                    .collect();
                for (i, row) in m.iter().enumerate() {
                    let date = Date::new(2000 + (i % 2) as i32, 1 + (i % 12) as u8, 1).unwrap();
                    b.add_roll_call(RollCall::new(i as u64, date, 0)).unwrap();
                    for (k, &v) in row.iter().enumerate() {
                        if let Some(v) = Vote::from_code(v) {
                            b.add_vote(i as u64, codes[k], v).unwrap();
                        }
                    }
                }
                b.build().unwrap()
            })
        })
    }

    proptest! {
        /// The bit-sliced kernel agrees with the plain per-roll-call scan.
        #[test]
        fn bits_match_scan(store in store_strategy()) {
            for year in store.years().collect::<Vec<_>>() {
                let yb = YearBits::new(&store, year);
                for d in yb.dyads() {
                    prop_assert!(d.a < d.b);
                    prop_assert_eq!(d.table, store.pair_table(d.a, d.b, store.year_roll_calls(year)));
                }
                // Pairs that are missing really shared no roll call.
                let n = yb.dyads().len();
                let mut expected = 0;
                for i in 0..store.countries().len() as u16 {
                    for j in i + 1..store.countries().len() as u16 {
                        if store.pair_table(i, j, store.year_roll_calls(year)).n() > 0 {
                            expected += 1;
                        }
                    }
                }
                prop_assert_eq!(n, expected);
            }
        }
    }
}
