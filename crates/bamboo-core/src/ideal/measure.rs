//! Ideal-point distance as an alignment measure, beside the vote-based ones.
//!
//! For two states in one session, the distance is `|x_a − x_b|` and the alignment read from
//! it is `1 − |x_a − x_b| / R`, where `R` is the range (max − min) of every position in
//! the fit: 1 for the same position, 0 for the two most distant positions of any state in
//! any session. One scale for all sessions keeps years comparable, which is what a dynamic
//! model is for. A year reads the session that opened in it (year 2019: the 74th session);
//! a span of years averages the distance over the sessions in which both states have a
//! position.

use crate::alignment::{By, SeriesError, SeriesSpec};
use crate::balance::{balance, BalanceReading};
use crate::country::Iso3;

use super::IdealPoints;

/// The definition printed beside every ideal-point alignment.
pub fn definition(range: f64) -> String {
    format!(
        "ideal = 1 - |x_a - x_b| / R, x = the states' ideal points (bamboo ideal) in the session that opened that year, R = {range:.4} = the range of all ideal points in the fit; a span averages |x_a - x_b| over the sessions where both have a point"
    )
}

/// Ideal-point distance and alignment for one pair over a span of years.
#[derive(Copy, Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct IdealPair {
    /// Sessions in which both states have a position.
    pub sessions: u32,
    /// The mean `|x_a − x_b|` over those sessions (`None` when there are none).
    pub distance: Option<f64>,
    /// `1 − distance / R`.
    pub alignment: Option<f64>,
}

impl IdealPoints {
    /// The ideal-point distance and alignment of `a` and `b` over the sessions that opened
    /// in `from ..= to`.
    pub fn pair(&self, a: Iso3, b: Iso3, from: i32, to: i32) -> IdealPair {
        let mut sum = 0.0;
        let mut n = 0u32;
        for pa in self
            .state_points(a)
            .filter(|p| (from..=to).contains(&p.year))
        {
            if let Some(pb) = self.get(b, pa.session) {
                sum += (pa.ideal - pb.ideal).abs();
                n += 1;
            }
        }
        let distance = (n > 0).then(|| sum / f64::from(n));
        IdealPair {
            sessions: n,
            distance,
            alignment: distance.map(|d| 1.0 - d / self.range),
        }
    }

    /// Contested roll calls in the sessions that opened in `from ..= to`.
    pub fn roll_calls_in(&self, from: i32, to: i32) -> usize {
        self.sessions()
            .iter()
            .filter(|s| (from..=to).contains(&s.year))
            .map(|s| s.roll_calls)
            .sum()
    }
}

/// One span and the subject's ideal-point alignment with each other state.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IdealRow {
    pub from: i32,
    pub to: i32,
    /// Contested roll calls in the span's sessions.
    pub roll_calls: usize,
    pub with: Vec<(Iso3, IdealPair)>,
}

fn spans(spec: SeriesSpec) -> Result<Vec<(i32, i32)>, SeriesError> {
    if spec.from > spec.to {
        return Err(SeriesError::EmptySpan {
            from: spec.from,
            to: spec.to,
        });
    }
    Ok(match spec.by {
        By::Year => (spec.from..=spec.to).map(|y| (y, y)).collect(),
        By::Total => vec![(spec.from, spec.to)],
        By::Window(0) => return Err(SeriesError::ZeroWindow),
        By::Window(w) => {
            let w = w as i32;
            (spec.from + w - 1..=spec.to)
                .map(|y| (y - w + 1, y))
                .collect()
        }
    })
}

/// The subject's ideal-point alignment with each of `others` over time, sliced as the
/// vote-based series are; spans where it shares no session with any of them are left out.
pub fn ideal_series(
    ip: &IdealPoints,
    subject: Iso3,
    others: &[Iso3],
    spec: SeriesSpec,
) -> Result<Vec<IdealRow>, SeriesError> {
    for &c in std::iter::once(&subject).chain(others) {
        if ip.state_points(c).next().is_none() {
            return Err(SeriesError::NeverVoted(c));
        }
    }
    Ok(spans(spec)?
        .into_iter()
        .map(|(lo, hi)| IdealRow {
            from: lo,
            to: hi,
            roll_calls: ip.roll_calls_in(lo, hi),
            with: others
                .iter()
                .map(|&o| (o, ip.pair(subject, o, lo, hi)))
                .collect(),
        })
        .filter(|r| r.with.iter().any(|(_, p)| p.sessions > 0))
        .collect())
}

/// The subject's lean and balance between `poles`, read from ideal-point alignment: the
/// same [`balance`] as the vote-based measures. In each row, `n` holds the sessions shared
/// with each pole and `roll_calls` the contested roll calls of the span's sessions.
pub fn ideal_balance_series(
    ip: &IdealPoints,
    subject: Iso3,
    poles: &[Iso3],
    spec: SeriesSpec,
) -> Result<Vec<crate::alignment::BalanceRow>, SeriesError> {
    Ok(ideal_series(ip, subject, poles, spec)?
        .into_iter()
        .map(|r| crate::alignment::BalanceRow {
            from: r.from,
            to: r.to,
            roll_calls: r.roll_calls,
            n: r.with.iter().map(|(c, p)| (*c, p.sessions)).collect(),
            reading: reading(&r.with),
        })
        .collect())
}

fn reading(with: &[(Iso3, IdealPair)]) -> BalanceReading {
    balance(with.iter().map(|(c, p)| (*c, p.alignment)).collect())
}

/// One pair of states in one session.
#[derive(Copy, Clone, Debug, PartialEq, serde::Serialize)]
pub struct IdealDyad {
    pub year: i32,
    pub session: u32,
    pub a: Iso3,
    pub b: Iso3,
    pub x_a: f64,
    pub x_b: f64,
    pub distance: f64,
    pub alignment: f64,
}

/// Every pair `a < b` (by code) of states with a position, in every session that opened in
/// `from ..= to`, in (session, a, b) order.
pub fn ideal_dyads(ip: &IdealPoints, from: i32, to: i32) -> Vec<Vec<IdealDyad>> {
    use rayon::prelude::*;
    let sessions: Vec<u32> = ip
        .sessions()
        .iter()
        .filter(|s| (from..=to).contains(&s.year))
        .map(|s| s.session)
        .collect();
    sessions
        .par_iter()
        .map(|&s| {
            let pts = ip.session_points(s);
            let mut out = Vec::with_capacity(pts.len() * pts.len().saturating_sub(1) / 2);
            for (i, pa) in pts.iter().enumerate() {
                for pb in &pts[i + 1..] {
                    let d = (pa.ideal - pb.ideal).abs();
                    out.push(IdealDyad {
                        year: pa.year,
                        session: s,
                        a: pa.state,
                        b: pb.state,
                        x_a: pa.ideal,
                        x_b: pb.ideal,
                        distance: d,
                        alignment: 1.0 - d / ip.range(),
                    });
                }
            }
            out
        })
        .collect()
}
