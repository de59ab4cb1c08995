//! Shifts: the years in which a state's agreement with a pole moved beyond its interval,
//! and the roll calls that drove each move.
//!
//! For each year `t` the state's agreement with the pole is compared with its baseline,
//! the `window` years before `t` pooled (its own usual pattern). A year is a shift when
//! the two 90% bootstrap intervals (at the chosen level) do not overlap: the year's
//! agreement moved beyond the baseline's interval, and the baseline's beyond the year's.
//! After a shift the baseline restarts at the shift's year (the new pattern is the usual
//! one from then on), so a lasting move is one shift, not one per year of the window.
//!
//! The move is then taken apart exactly. In the baseline, the state answered each of the
//! pole's votes (yes, abstain, no) in some mix; that mix gives each roll call of year `t`
//! an expected score `e_r` (the agreement the state's usual pattern would have scored on
//! it). With `s_r` the score it did get (1 same vote, 0.5 one step apart, 0 opposite):
//!
//! `a_t − a_base = Σ_r (s_r − e_r) / n_t  +  (Σ_r e_r / n_t − a_base)`
//!
//! The first sum is the state's behaviour (it broke with its pattern); the second is the
//! agenda (the pole voted yes, abstain or no in other proportions). The roll calls that
//! drove the move are those where the state's vote broke with its usual answer to the
//! pole's vote, in the direction of the move, largest `s_r − e_r` first.

use crate::atlas::Period;
use crate::bootstrap::{pair_draws, Bootstrap, Estimate};
use crate::country::Iso3;
use crate::metrics::Metric;
use crate::select::Selection;
use crate::store::VoteStore;
use crate::vote::Vote;

/// What to look for.
#[derive(Clone, Debug, PartialEq)]
pub struct ShiftQuery {
    /// The state whose agreement is followed.
    pub state: Iso3,
    /// The pole it is read against.
    pub pole: Iso3,
    /// The first year to test (a year is tested when it and its baseline have roll calls
    /// both voted on).
    pub from: i32,
    /// The last year to test.
    pub to: i32,
    /// Years in the baseline (fewer just after a shift, when the baseline restarts).
    pub window: u32,
    /// Replicates, level and seed of the intervals.
    pub boot: Bootstrap,
    /// Most driving roll calls listed per shift.
    pub top: usize,
}

/// A roll call that drove a move.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Driver {
    /// Index into the store's roll calls.
    #[serde(skip)]
    pub index: usize,
    /// The roll call's id.
    pub rcid: u64,
    /// Its date.
    pub date: crate::Date,
    /// Its resolution symbol, where the source gives one.
    pub resolution: Option<String>,
    /// Its title (else its description), where the source gives one.
    pub title: Option<String>,
    /// The state's vote.
    pub vote: Vote,
    /// The pole's vote.
    pub pole_vote: Vote,
    /// The state's most frequent answer to this vote of the pole in the baseline (the
    /// earlier vote on a tie).
    pub usual: Vote,
    /// How often it gave that answer there, 0..1.
    pub usual_share: f64,
    /// `s_r − e_r`: how far this roll call's score is from what the usual pattern scores.
    pub deviation: f64,
    /// Its part in the move, `(s_r − e_r) / n_t`.
    pub contribution: f64,
}

/// One year in which the agreement moved beyond its interval.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Shift {
    /// The year that moved.
    pub year: i32,
    /// The years it was compared with.
    pub baseline: Period,
    /// The agreement over the baseline, with its interval.
    pub before: Estimate,
    /// The agreement in the year, with its interval.
    pub after: Estimate,
    /// `after − before`, with the interval of independent replicates.
    pub change: Estimate,
    /// Roll calls both voted on in the year.
    pub n: u32,
    /// Roll calls both voted on in the baseline.
    pub n_baseline: u32,
    /// The state's behaviour, `Σ_r (s_r − e_r) / n_t`: one part of the exact split of
    /// `change.value` (`behaviour + agenda`).
    pub behaviour: f64,
    /// The agenda, `Σ_r e_r / n_t − a_base`: the other part.
    pub agenda: f64,
    /// Roll calls where the state broke with its usual answer, in the direction of the move.
    pub breaks: usize,
    /// The largest of those breaks (at most [`ShiftQuery::top`]), largest deviation first.
    pub drivers: Vec<Driver>,
}

/// Every year tested, for a chart or a table of the whole series.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct YearTest {
    /// The year tested.
    pub year: i32,
    /// The years it was compared with.
    pub baseline: Period,
    /// The agreement over the baseline.
    pub before: Estimate,
    /// The agreement in the year.
    pub after: Estimate,
    /// Whether the two intervals are both defined and do not overlap.
    pub shift: bool,
}

/// The result of [`shifts`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Shifts {
    /// Every year tested, in order.
    pub years: Vec<YearTest>,
    /// The years that shifted, in order, taken apart.
    pub shifts: Vec<Shift>,
}

/// Score of a pair of votes: 1 same, 0.5 one step apart, 0 opposite.
fn score(a: Vote, b: Vote) -> f64 {
    1.0 - f64::from((a.code() as i8 - b.code() as i8).unsigned_abs()) / 2.0
}

/// Finds the shifts of `q.state`'s agreement with `q.pole` over the selected roll calls.
pub fn shifts(store: &VoteStore, sel: &Selection, q: &ShiftQuery) -> Shifts {
    let (Some(si), Some(pi)) = (store.country_index(q.state), store.country_index(q.pole)) else {
        return Shifts {
            years: Vec::new(),
            shifts: Vec::new(),
        };
    };
    let level = q.boot.level;
    let rcs_of = |p: Period| -> Vec<usize> {
        sel.indices(store.span_roll_calls(p.from..=p.to))
            .filter(|&i| store.vote_of(i, si).is_some() && store.vote_of(i, pi).is_some())
            .collect()
    };
    let draws = |p: Period, rcs: &[usize]| {
        pair_draws(
            store,
            rcs,
            &[Some(si)],
            &[Some(pi)],
            Metric::Agreement,
            &q.boot,
            &Bootstrap::period_stream(p.from, p.to),
        )
    };
    let mut years = Vec::new();
    let mut found: Vec<Shift> = Vec::new();
    for t in q.from..=q.to {
        let now = Period::year(t);
        let rt = rcs_of(now);
        if rt.is_empty() {
            continue;
        }
        // After a shift the state's usual pattern is the new one: the baseline restarts.
        let restart = found.last().map_or(i32::MIN, |s| s.year);
        let base = Period {
            from: (t - q.window as i32).max(restart),
            to: t - 1,
        };
        let rb = rcs_of(base);
        if rb.is_empty() {
            continue;
        }
        let (dn, db) = (draws(now, &rt), draws(base, &rb));
        let after = Estimate::from_values(dn.point(0, 0), dn.reps.clone(), level);
        let before = Estimate::from_values(db.point(0, 0), db.reps.clone(), level);
        let shift = !after.overlaps(&before) && after.lo.is_some() && before.lo.is_some();
        years.push(YearTest {
            year: t,
            baseline: base,
            before,
            after,
            shift,
        });
        if !shift {
            continue;
        }
        // The change's own interval, from the replicates of both (independent streams).
        let change = Estimate::from_values(
            dn.point(0, 0) - db.point(0, 0),
            dn.reps.iter().zip(&db.reps).map(|(a, b)| a - b).collect(),
            level,
        );
        // The state's answers to each of the pole's votes in the baseline.
        let mut mix = [[0u32; 3]; 3]; // mix[pole vote][state vote]
        for &i in &rb {
            let (s, p) = (
                store.vote_of(i, si).unwrap_or(Vote::Yes),
                store.vote_of(i, pi).unwrap_or(Vote::Yes),
            );
            mix[p.index()][s.index()] += 1;
        }
        let a_base = before.value.unwrap_or(0.0);
        let expected = |p: Vote| -> (f64, Vote, f64) {
            let row = mix[p.index()];
            let total: u32 = row.iter().sum();
            if total == 0 {
                return (a_base, p, 0.0);
            }
            let e = Vote::ALL
                .iter()
                .map(|&s| f64::from(row[s.index()]) * score(s, p))
                .sum::<f64>()
                / f64::from(total);
            let (mut usual, mut most) = (Vote::Yes, 0);
            for s in Vote::ALL {
                if row[s.index()] > most {
                    (usual, most) = (s, row[s.index()]);
                }
            }
            (e, usual, f64::from(most) / f64::from(total))
        };
        let nt = rt.len() as f64;
        let (mut behaviour, mut expected_sum) = (0.0, 0.0);
        let direction = change.value.unwrap_or(0.0).signum();
        let mut drivers = Vec::new();
        for &i in &rt {
            let (s, p) = (
                store.vote_of(i, si).unwrap_or(Vote::Yes),
                store.vote_of(i, pi).unwrap_or(Vote::Yes),
            );
            let (e, usual, share) = expected(p);
            let dev = score(s, p) - e;
            behaviour += dev / nt;
            expected_sum += e;
            if s != usual && dev * direction > 0.0 {
                let rc = &store.roll_calls()[i];
                drivers.push(Driver {
                    index: i,
                    rcid: rc.rcid,
                    date: rc.date,
                    resolution: rc.resolution.clone(),
                    title: rc.title.clone().or_else(|| rc.description.clone()),
                    vote: s,
                    pole_vote: p,
                    usual,
                    usual_share: share,
                    deviation: dev,
                    contribution: dev / nt,
                });
            }
        }
        drivers.sort_by(|a, b| {
            b.deviation
                .abs()
                .total_cmp(&a.deviation.abs())
                .then(a.date.cmp(&b.date))
                .then(a.rcid.cmp(&b.rcid))
        });
        let breaks = drivers.len();
        drivers.truncate(q.top);
        found.push(Shift {
            year: t,
            baseline: base,
            before,
            after,
            change,
            n: rt.len() as u32,
            n_baseline: rb.len() as u32,
            behaviour,
            agenda: expected_sum / nt - a_base,
            breaks,
            drivers,
        });
    }
    Shifts {
        years,
        shifts: found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{RollCall, VoteStoreBuilder};
    use crate::Date;

    /// A state that votes with the pole for years, then turns against it on half the votes:
    /// the turn is found, decomposed exactly, and its drivers are the votes it broke on.
    #[test]
    fn finds_a_turn_and_its_drivers() {
        let (x, p) = (Iso3::from_static("XXX"), Iso3::from_static("POL"));
        let mut b = VoteStoreBuilder::new();
        let mut id = 0u64;
        for year in 2000..=2005 {
            for i in 0..80 {
                let d = Date::new(year, 1 + (i % 12) as u8, 1 + (i % 28) as u8).unwrap();
                let mut rc = RollCall::new(id, d, 0);
                rc.title = Some(format!("resolution {id}"));
                b.add_roll_call(rc).unwrap();
                let pv = if i % 3 == 0 { Vote::No } else { Vote::Yes };
                b.add_vote(id, p, pv).unwrap();
                // Mostly with the pole (a little noise); from 2004 opposite on every 2nd vote.
                let xv = if year >= 2004 && i % 2 == 0 {
                    if pv == Vote::Yes {
                        Vote::No
                    } else {
                        Vote::Yes
                    }
                } else if i % 17 == 0 {
                    Vote::Abstain
                } else {
                    pv
                };
                b.add_vote(id, x, xv).unwrap();
                id += 1;
            }
        }
        let store = b.build().unwrap();
        let q = ShiftQuery {
            state: x,
            pole: p,
            from: 2001,
            to: 2005,
            window: 3,
            boot: Bootstrap {
                replicates: 300,
                seed: 1,
                level: 90.0,
            },
            top: 5,
        };
        let r = shifts(&store, &Selection::all(), &q);
        let years: Vec<i32> = r.shifts.iter().map(|s| s.year).collect();
        assert_eq!(years, vec![2004], "{:?}", r.years);
        let s = &r.shifts[0];
        assert!(s.change.value.unwrap() < -0.4);
        // The decomposition is exact.
        let total = s.after.value.unwrap() - s.before.value.unwrap();
        assert!((s.behaviour + s.agenda - total).abs() < 1e-12);
        assert!(s.behaviour < -0.4 && s.agenda.abs() < 0.05);
        // The 40 turned votes, and the 2 odd abstentions (i = 17, 51) that break with the
        // usual answer too.
        assert_eq!(s.breaks, 42);
        assert_eq!(s.drivers.len(), 5);
        for d in &s.drivers {
            assert_ne!(d.vote, d.usual);
            assert!(d.contribution < 0.0 && d.title.is_some());
        }
        // 2005 is read against 2004 alone (the baseline restarts after a shift): no new shift.
        assert_eq!(r.years.len(), 5);
        assert_eq!(
            r.years[4].baseline,
            Period {
                from: 2004,
                to: 2004
            }
        );
    }
}
