//! The evidence behind one point of an alignment or balance series: the roll calls of its
//! span that a selection keeps, how the subject and each other state voted on each, and
//! the totals that give the point's figure back (the joint table of the roll calls both
//! voted on, so agreement = the sum of the per-roll-call scores / the roll calls both
//! voted on, and every other measure follows from the same table).
//!
//! It reads the store roll call by roll call, independently of [`crate::alignment`]'s
//! yearly tables, so a test can check one against the other.

use crate::alignment::SeriesError;
use crate::country::Iso3;
use crate::metrics::JointTable;
use crate::select::Selection;
use crate::store::VoteStore;
use crate::vote::Vote;

/// How two votes compare: alike, half-way (one abstained, the other did not) or opposite.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Accord {
    /// The same vote (score 1).
    Alike,
    /// One abstained and the other did not (score 0.5).
    Half,
    /// Yes against no (score 0).
    Opposite,
}

impl Accord {
    /// The accord of two votes.
    pub fn of(a: Vote, b: Vote) -> Accord {
        match a.index().abs_diff(b.index()) {
            0 => Accord::Alike,
            1 => Accord::Half,
            _ => Accord::Opposite,
        }
    }

    /// The roll call's agreement score, `1 − |v_a − v_b| / 2`: 1, 0.5 or 0.
    pub fn score(self) -> f64 {
        match self {
            Accord::Alike => 1.0,
            Accord::Half => 0.5,
            Accord::Opposite => 0.0,
        }
    }

    /// The accord's name in output: `alike`, `half` or `opposite`.
    pub fn as_str(self) -> &'static str {
        match self {
            Accord::Alike => "alike",
            Accord::Half => "half",
            Accord::Opposite => "opposite",
        }
    }
}

/// One roll call of the span: its index in the store and every side's vote (`None`: did
/// not vote).
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The roll call's index in [`VoteStore::roll_calls`].
    pub index: usize,
    /// The subject's vote.
    pub subject: Option<Vote>,
    /// One per other state, in the order asked.
    pub others: Vec<Option<Vote>>,
}

/// The totals of the subject with one other state over the span.
#[derive(Clone, Debug, PartialEq)]
pub struct PairTotals {
    /// The other state.
    pub other: Iso3,
    /// The 3 × 3 counts over the roll calls both voted on.
    pub table: JointTable,
    /// Roll calls both voted on alike.
    pub alike: u32,
    /// Roll calls both voted on, one abstaining and the other not.
    pub half: u32,
    /// Roll calls both voted on, yes against no.
    pub opposite: u32,
    /// Roll calls on which only the subject voted.
    pub only_subject: u32,
    /// Roll calls on which only the other voted.
    pub only_other: u32,
    /// Roll calls on which neither voted.
    pub neither: u32,
}

impl PairTotals {
    /// Roll calls both voted on.
    pub fn both(&self) -> u32 {
        self.alike + self.half + self.opposite
    }

    /// The sum of the scores of the roll calls both voted on (alike 1, half 0.5).
    pub fn score_sum(&self) -> f64 {
        f64::from(self.alike) + f64::from(self.half) / 2.0
    }

    /// Agreement: the sum of the scores / the roll calls both voted on (`None` for none);
    /// the metric's own `table.measures().agreement` up to the last bit of an `f64`.
    pub fn agreement(&self) -> Option<f64> {
        let n = self.both();
        (n > 0).then(|| self.score_sum() / f64::from(n))
    }
}

/// The roll calls of a span and the totals of the subject with each other state.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// The first year of the span.
    pub from: i32,
    /// The last year of the span.
    pub to: i32,
    /// Roll calls of the span the selection keeps (whoever voted): a series row's
    /// `roll_calls`.
    pub roll_calls: usize,
    /// The roll calls listed: those on which the subject and at least one other state
    /// voted, or with `absent`, every kept roll call on which anyone of them voted.
    pub calls: Vec<Call>,
    /// The subject's totals with each other state, in the order asked (over every kept
    /// roll call, listed or not).
    pub totals: Vec<PairTotals>,
}

/// The evidence behind the point of `subject` with `others` over the years `from..=to`,
/// over the roll calls `sel` keeps. With `absent`, the list also holds the roll calls on
/// which one side did not vote (the totals are the same either way).
pub fn evidence(
    store: &VoteStore,
    subject: Iso3,
    others: &[Iso3],
    from: i32,
    to: i32,
    sel: &Selection,
    absent: bool,
) -> Result<Evidence, SeriesError> {
    if from > to {
        return Err(SeriesError::EmptySpan { from, to });
    }
    let a = store
        .country_index(subject)
        .ok_or(SeriesError::NeverVoted(subject))?;
    let bs = others
        .iter()
        .map(|&o| store.country_index(o).ok_or(SeriesError::NeverVoted(o)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut totals: Vec<PairTotals> = others
        .iter()
        .map(|&o| PairTotals {
            other: o,
            table: JointTable::default(),
            alike: 0,
            half: 0,
            opposite: 0,
            only_subject: 0,
            only_other: 0,
            neither: 0,
        })
        .collect();
    let mut calls = Vec::new();
    let mut roll_calls = 0;
    for i in sel.indices(store.span_roll_calls(from..=to)) {
        roll_calls += 1;
        let x = store.vote_of(i, a);
        let ys: Vec<Option<Vote>> = bs.iter().map(|&b| store.vote_of(i, b)).collect();
        for (t, y) in totals.iter_mut().zip(&ys) {
            match (x, *y) {
                (Some(x), Some(y)) => {
                    t.table.add(x, y);
                    match Accord::of(x, y) {
                        Accord::Alike => t.alike += 1,
                        Accord::Half => t.half += 1,
                        Accord::Opposite => t.opposite += 1,
                    }
                }
                (Some(_), None) => t.only_subject += 1,
                (None, Some(_)) => t.only_other += 1,
                (None, None) => t.neither += 1,
            }
        }
        let any_other = ys.iter().any(Option::is_some);
        let keep = if absent {
            x.is_some() || any_other
        } else {
            x.is_some() && any_other
        };
        if keep {
            calls.push(Call {
                index: i,
                subject: x,
                others: ys,
            });
        }
    }
    Ok(Evidence {
        from,
        to,
        roll_calls,
        calls,
        totals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alignment::{series, By, SeriesSpec};
    use crate::store::{RollCall, VoteStoreBuilder};
    use crate::Date;

    fn c(s: &'static str) -> Iso3 {
        Iso3::from_static(s)
    }

    /// VNM, CHN, USA on four roll calls of 2000 (USA absent on the fourth) and one of 2001.
    fn store() -> VoteStore {
        let mut b = VoteStoreBuilder::new();
        use Vote::*;
        let data: [(u64, &str, [Option<Vote>; 3]); 5] = [
            (1, "2000-01-01", [Some(Yes), Some(Yes), Some(No)]),
            (2, "2000-02-01", [Some(Abstain), Some(Yes), Some(No)]),
            (3, "2000-03-01", [Some(No), Some(No), Some(Yes)]),
            (4, "2000-04-01", [Some(Yes), Some(Yes), None]),
            (5, "2001-01-01", [None, Some(Yes), Some(Yes)]),
        ];
        for (id, d, votes) in data {
            b.add_roll_call(RollCall::new(id, Date::parse(d).unwrap(), 0))
                .unwrap();
            for (code, v) in [c("VNM"), c("CHN"), c("USA")].into_iter().zip(votes) {
                if let Some(v) = v {
                    b.add_vote(id, code, v).unwrap();
                }
            }
        }
        b.build().unwrap()
    }

    #[test]
    fn totals_give_the_series_figure_back() {
        let s = store();
        let others = [c("USA"), c("CHN")];
        let e = evidence(&s, c("VNM"), &others, 2000, 2001, &Selection::all(), false).unwrap();
        assert_eq!(e.roll_calls, 5);
        // Roll call 5: VNM absent, so not listed without `absent`.
        assert_eq!(
            e.calls.iter().map(|k| k.index).collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
        let usa = &e.totals[0];
        assert_eq!(
            (
                usa.alike,
                usa.half,
                usa.opposite,
                usa.only_subject,
                usa.only_other
            ),
            (0, 1, 2, 1, 1)
        );
        assert!((usa.agreement().unwrap() - 0.5 / 3.0).abs() < 1e-15);
        let chn = &e.totals[1];
        assert_eq!((chn.alike, chn.half, chn.opposite), (3, 1, 0));
        assert_eq!(chn.agreement(), Some(3.5 / 4.0));
        let rows = series(
            &s,
            c("VNM"),
            &others,
            SeriesSpec {
                from: 2000,
                to: 2001,
                by: By::Total,
            },
        )
        .unwrap();
        for (t, (_, m)) in e.totals.iter().zip(&rows[0].with) {
            assert_eq!(t.table.measures(), *m);
            assert!((t.agreement().unwrap() - m.agreement.unwrap()).abs() < 1e-12);
        }
        let all = evidence(&s, c("VNM"), &others, 2000, 2001, &Selection::all(), true).unwrap();
        assert_eq!(all.calls.len(), 5);
        assert_eq!(all.totals, e.totals);
    }

    #[test]
    fn accord_and_errors() {
        assert_eq!(Accord::of(Vote::Yes, Vote::No), Accord::Opposite);
        assert_eq!(Accord::of(Vote::No, Vote::Abstain).score(), 0.5);
        let s = store();
        assert_eq!(
            evidence(
                &s,
                c("RUS"),
                &[c("USA")],
                2000,
                2000,
                &Selection::all(),
                false
            ),
            Err(SeriesError::NeverVoted(c("RUS")))
        );
        assert!(evidence(
            &s,
            c("VNM"),
            &[c("USA")],
            2001,
            2000,
            &Selection::all(),
            false
        )
        .is_err());
    }
}
