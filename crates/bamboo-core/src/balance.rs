//! Balance between poles (`shared/spec/metrics.md`): lean = max − min of a state's
//! alignments with the poles; balance = 1 − lean; it leans toward the pole it is closest to.

use crate::country::Iso3;

/// A state's reading against the poles over one window.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BalanceReading {
    /// Alignment with each pole, in the order the poles were given (`None` if undefined).
    pub alignments: Vec<(Iso3, Option<f64>)>,
    /// `max a_i − min a_i`; `None` unless every pole's alignment is defined.
    pub lean: Option<f64>,
    /// `1 − lean`.
    pub balance: Option<f64>,
    /// The pole with the largest alignment (the first one on a tie).
    pub toward: Option<Iso3>,
}

/// Computes lean, balance and the pole leaned toward. Every pole must have a defined
/// alignment for lean to be defined: a missing pole would make the state look balanced
/// between the others only.
pub fn balance(alignments: Vec<(Iso3, Option<f64>)>) -> BalanceReading {
    let defined: Option<Vec<(Iso3, f64)>> =
        alignments.iter().map(|(c, a)| a.map(|a| (*c, a))).collect();
    let (lean, toward) = match defined {
        Some(d) if d.len() >= 2 => {
            let mut best = d[0];
            let mut lo = d[0].1;
            for &(c, a) in &d[1..] {
                if a > best.1 {
                    best = (c, a);
                }
                lo = lo.min(a);
            }
            (Some(best.1 - lo), Some(best.0))
        }
        _ => (None, None),
    };
    BalanceReading {
        alignments,
        lean,
        balance: lean.map(|l| 1.0 - l),
        toward,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &'static str) -> Iso3 {
        Iso3::from_static(s)
    }

    #[test]
    fn lean_is_spread_and_toward_is_max() {
        let r = balance(vec![
            (c("USA"), Some(0.3)),
            (c("CHN"), Some(0.9)),
            (c("RUS"), Some(0.8)),
        ]);
        assert!((r.lean.unwrap() - 0.6).abs() < 1e-12);
        assert!((r.balance.unwrap() - 0.4).abs() < 1e-12);
        assert_eq!(r.toward, Some(c("CHN")));
    }

    #[test]
    fn undefined_pole_makes_lean_undefined() {
        let r = balance(vec![(c("USA"), Some(0.3)), (c("CHN"), None)]);
        assert_eq!(r.lean, None);
        assert_eq!(r.toward, None);
    }
}
