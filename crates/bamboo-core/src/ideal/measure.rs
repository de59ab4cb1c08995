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
    /// The first year of the span (sessions that opened from it on).
    pub from: i32,
    /// The last year of the span.
    pub to: i32,
    /// Contested roll calls in the span's sessions.
    pub roll_calls: usize,
    /// The subject's distance and alignment with each other state, in the order asked.
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
    /// The year the session opened.
    pub year: i32,
    /// The session.
    pub session: u32,
    /// The first state (the lower code).
    pub a: Iso3,
    /// The second state.
    pub b: Iso3,
    /// `a`'s ideal point in the session.
    pub x_a: f64,
    /// `b`'s ideal point in the session.
    pub x_b: f64,
    /// `|x_a − x_b|`.
    pub distance: f64,
    /// `1 − distance / R`, `R` the range of every position in the fit ([`IdealPoints::range`]).
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

/// Ideal-point alignment as an atlas source ([`crate::atlas::AlignmentSource`]): the point
/// is [`IdealPoints::pair`]'s alignment over the sessions that opened in the period, and
/// each replicate draws every state's position in every session from `N(ideal, se)`, the
/// fit's own bootstrap standard error (a point without one is taken as known), keyed by
/// (seed, replicate, state, session) so a state's draw is the same in every pair it is in.
pub struct IdealAlignment<'a> {
    /// The fit, with its standard errors.
    pub points: &'a IdealPoints,
}

/// The definition of the ideal source's intervals, beside [`definition`].
pub const IDEAL_INTERVALS: &str = "intervals: each replicate draws every state's ideal point in every session from N(ideal, se), se = the fit's parametric bootstrap standard error (bamboo ideal), and recomputes the alignment";

impl IdealAlignment<'_> {
    fn sessions(&self, period: crate::atlas::Period) -> impl Iterator<Item = u32> + '_ {
        self.points
            .sessions()
            .iter()
            .filter(move |s| (period.from..=period.to).contains(&s.year))
            .map(|s| s.session)
    }

    /// A state's positions in the period's sessions, `(ideal, se)` by session index.
    fn track(&self, state: Iso3, sessions: &[u32]) -> Vec<Option<(f64, f64)>> {
        sessions
            .iter()
            .map(|&s| {
                self.points
                    .get(state, s)
                    .map(|p| (p.ideal, p.se.unwrap_or(0.0)))
            })
            .collect()
    }
}

fn state_key(state: Iso3, session: u32) -> u64 {
    let b = state.as_str().as_bytes();
    (u64::from(b[0]) << 40 | u64::from(b[1]) << 32 | u64::from(b[2]) << 24) ^ u64::from(session)
}

impl crate::atlas::AlignmentSource for IdealAlignment<'_> {
    fn name(&self) -> String {
        "ideal".to_string()
    }

    fn definition(&self) -> String {
        format!("{}; {IDEAL_INTERVALS}", definition(self.points.range()))
    }

    fn states(&self, period: crate::atlas::Period) -> Vec<Iso3> {
        let sessions: Vec<u32> = self.sessions(period).collect();
        let mut out: Vec<Iso3> = sessions
            .iter()
            .flat_map(|&s| self.points.session_points(s).iter().map(|p| p.state))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    fn observations(&self, period: crate::atlas::Period) -> usize {
        self.points.roll_calls_in(period.from, period.to)
    }

    fn last_date(&self, period: crate::atlas::Period) -> Option<crate::date::Date> {
        self.points
            .sessions()
            .iter()
            .filter(|s| (period.from..=period.to).contains(&s.year))
            .map(|s| s.last)
            .max()
    }

    fn position(&self, state: Iso3, period: crate::atlas::Period) -> Option<(f64, Option<f64>)> {
        let ps: Vec<_> = self
            .points
            .state_points(state)
            .filter(|p| (period.from..=period.to).contains(&p.year))
            .collect();
        if ps.is_empty() {
            return None;
        }
        let n = ps.len() as f64;
        let x = ps.iter().map(|p| p.ideal).sum::<f64>() / n;
        // The standard error of a mean of the sessions' points, taking them as independent.
        let se = ps
            .iter()
            .map(|p| p.se.map(|s| s * s))
            .sum::<Option<f64>>()
            .map(|v| v.sqrt() / n);
        Some((x, se))
    }

    fn draws(
        &self,
        period: crate::atlas::Period,
        rows: &[Iso3],
        cols: &[Iso3],
        boot: &crate::bootstrap::Bootstrap,
    ) -> crate::bootstrap::Draws {
        let sessions: Vec<u32> = self.sessions(period).collect();
        let range = self.points.range();
        let row_tracks: Vec<_> = rows.iter().map(|&s| self.track(s, &sessions)).collect();
        let col_tracks: Vec<_> = cols.iter().map(|&s| self.track(s, &sessions)).collect();
        // One replicate's position of a state in a session (replicate None: the estimate).
        let at = |state: Iso3, k: usize, (x, se): (f64, f64), b: Option<usize>| match b {
            None => x,
            Some(b) => {
                x + se * super::boot::normal(boot.seed, b as u32, state_key(state, sessions[k]))
            }
        };
        let value = |i: usize, j: usize, b: Option<usize>| -> (f64, u32) {
            let (mut sum, mut n) = (0.0, 0u32);
            for k in 0..sessions.len() {
                if let (Some(pa), Some(pb)) = (row_tracks[i][k], col_tracks[j][k]) {
                    sum += (at(rows[i], k, pa, b) - at(cols[j], k, pb, b)).abs();
                    n += 1;
                }
            }
            if n == 0 {
                (f64::NAN, 0)
            } else {
                (1.0 - sum / f64::from(n) / range, n)
            }
        };
        let (nr, nc) = (rows.len(), cols.len());
        let mut point = Vec::with_capacity(nr * nc);
        let mut n = Vec::with_capacity(nr * nc);
        for i in 0..nr {
            for j in 0..nc {
                let (v, m) = value(i, j, None);
                point.push(v);
                n.push(m);
            }
        }
        let mut reps = Vec::with_capacity(boot.replicates * nr * nc);
        for b in 0..boot.replicates {
            for i in 0..nr {
                for j in 0..nc {
                    reps.push(value(i, j, Some(b)).0);
                }
            }
        }
        crate::bootstrap::Draws {
            rows: nr,
            cols: nc,
            replicates: boot.replicates,
            point,
            n,
            reps,
        }
    }
}
