//! Alignment over time: a state's measures with each of several others, per year or per
//! trailing window of years, and its balance between poles. Windows sum the yearly joint
//! tables, so every number is the spec's measure over exactly the roll calls of the span.

use crate::balance::{balance, BalanceReading};
use crate::country::Iso3;
use crate::metrics::{JointTable, Measures, Metric};
use crate::select::Selection;
use crate::store::VoteStore;

/// How to slice time. Serialises as `"year"`, `{"window": N}` or `"total"`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// One row per calendar year.
    Year,
    /// One row per year `y`, over the trailing window `y − N + 1 ..= y` (full windows only).
    Window(u32),
    /// One row for the whole span.
    Total,
}

impl By {
    /// Words for the slicing, as tables and charts say it.
    pub fn label(self) -> String {
        match self {
            By::Year => "year".into(),
            By::Total => "whole span".into(),
            By::Window(n) => format!("trailing {n}-year window"),
        }
    }
}

/// A span of years as printed: `2019`, or `2015-2019`.
pub fn span_label(from: i32, to: i32) -> String {
    if from == to {
        from.to_string()
    } else {
        format!("{from}-{to}")
    }
}

/// The span and slicing of a series.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SeriesSpec {
    /// The first year, included.
    pub from: i32,
    /// The last year, included (not before `from`).
    pub to: i32,
    /// How the years are sliced into rows.
    pub by: By,
}

/// One span of years and the measures of the subject with each other state in it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AlignRow {
    /// First year covered.
    pub from: i32,
    /// Last year covered (the row's year for `By::Year` and windows).
    pub to: i32,
    /// Roll calls held in the span (whoever voted).
    pub roll_calls: usize,
    /// One entry per other state, in the order asked.
    pub with: Vec<(Iso3, Measures)>,
}

/// Why a series cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeriesError {
    /// The subject or another state asked for has no vote in the store.
    #[error("{0} cast no vote in the loaded roll calls")]
    NeverVoted(Iso3),
    /// `from` is after `to`.
    #[error("the span {from}-{to} is empty: --from must not be after --to")]
    EmptySpan {
        /// The first year asked for.
        from: i32,
        /// The last year asked for.
        to: i32,
    },
    /// `By::Window(0)`.
    #[error("a window must cover at least one year")]
    ZeroWindow,
}

fn index(store: &VoteStore, c: Iso3) -> Result<u16, SeriesError> {
    store.country_index(c).ok_or(SeriesError::NeverVoted(c))
}

/// The subject's measures with each of `others` over time.
pub fn series(
    store: &VoteStore,
    subject: Iso3,
    others: &[Iso3],
    spec: SeriesSpec,
) -> Result<Vec<AlignRow>, SeriesError> {
    series_in(store, subject, others, spec, &Selection::all())
}

/// The joint table of two countries over the selected roll calls of a range.
fn selected_table(
    store: &VoteStore,
    a: u16,
    b: u16,
    rcs: std::ops::Range<usize>,
    sel: &Selection,
) -> JointTable {
    if sel.is_all() {
        return store.pair_table(a, b, rcs);
    }
    let mut t = JointTable::default();
    for i in sel.indices(rcs) {
        if let (Some(x), Some(y)) = (store.vote_of(i, a), store.vote_of(i, b)) {
            t.add(x, y);
        }
    }
    t
}

/// [`series`] over the roll calls a selection keeps (by issue, important votes).
pub fn series_in(
    store: &VoteStore,
    subject: Iso3,
    others: &[Iso3],
    spec: SeriesSpec,
    sel: &Selection,
) -> Result<Vec<AlignRow>, SeriesError> {
    if spec.from > spec.to {
        return Err(SeriesError::EmptySpan {
            from: spec.from,
            to: spec.to,
        });
    }
    if spec.by == By::Window(0) {
        return Err(SeriesError::ZeroWindow);
    }
    let a = index(store, subject)?;
    let bs = others
        .iter()
        .map(|&o| index(store, o))
        .collect::<Result<Vec<_>, _>>()?;
    // Yearly tables for every year of the span, then sums over the requested windows.
    let years: Vec<i32> = (spec.from..=spec.to).collect();
    let yearly: Vec<(usize, Vec<JointTable>)> = years
        .iter()
        .map(|&y| {
            let rcs = store.year_roll_calls(y);
            let n = sel.count(rcs.clone());
            (
                n,
                bs.iter()
                    .map(|&b| selected_table(store, a, b, rcs.clone(), sel))
                    .collect(),
            )
        })
        .collect();
    let spans: Vec<(i32, i32)> = match spec.by {
        By::Year => years.iter().map(|&y| (y, y)).collect(),
        By::Total => vec![(spec.from, spec.to)],
        By::Window(w) => {
            let w = w as i32;
            (spec.from + w - 1..=spec.to)
                .map(|y| (y - w + 1, y))
                .collect()
        }
    };
    Ok(spans
        .into_iter()
        .map(|(lo, hi)| {
            let mut tables = vec![JointTable::default(); bs.len()];
            let mut roll_calls = 0;
            for y in lo..=hi {
                let (n, ts) = &yearly[(y - spec.from) as usize];
                roll_calls += n;
                for (t, yt) in tables.iter_mut().zip(ts) {
                    t.merge(yt);
                }
            }
            AlignRow {
                from: lo,
                to: hi,
                roll_calls,
                with: others
                    .iter()
                    .copied()
                    .zip(tables.iter().map(JointTable::measures))
                    .collect(),
            }
        })
        // A year in which nothing was voted (1964, for one), or in which the subject shared
        // no roll call with any of the others (before it joined the UN), is a gap, not a row
        // of blanks.
        .filter(|r| r.roll_calls > 0 && r.with.iter().any(|(_, m)| m.n > 0))
        .collect())
}

/// One span's balance reading.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BalanceRow {
    /// First year covered.
    pub from: i32,
    /// Last year covered.
    pub to: i32,
    /// Roll calls held in the span (whoever voted).
    pub roll_calls: usize,
    /// Roll calls the subject shared with each pole.
    pub n: Vec<(Iso3, u32)>,
    /// Alignment with each pole under the metric, and the lean, balance and pole leaned
    /// toward.
    pub reading: BalanceReading,
}

/// The subject's lean and balance between `poles` over time, read with `metric`.
pub fn balance_series(
    store: &VoteStore,
    subject: Iso3,
    poles: &[Iso3],
    spec: SeriesSpec,
    metric: Metric,
) -> Result<Vec<BalanceRow>, SeriesError> {
    balance_series_in(store, subject, poles, spec, metric, &Selection::all())
}

/// [`balance_series`] over the roll calls a selection keeps.
pub fn balance_series_in(
    store: &VoteStore,
    subject: Iso3,
    poles: &[Iso3],
    spec: SeriesSpec,
    metric: Metric,
    sel: &Selection,
) -> Result<Vec<BalanceRow>, SeriesError> {
    debug_assert!(
        metric.from_votes(),
        "ideal-point balance is read from a fit: crate::ideal::ideal_balance_series"
    );
    Ok(series_in(store, subject, poles, spec, sel)?
        .into_iter()
        .map(|r| BalanceRow {
            from: r.from,
            to: r.to,
            roll_calls: r.roll_calls,
            n: r.with.iter().map(|(c, m)| (*c, m.n)).collect(),
            reading: balance(r.with.iter().map(|(c, m)| (*c, metric.of(m))).collect()),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{RollCall, VoteStoreBuilder};
    use crate::{Date, Vote};

    fn c(s: &'static str) -> Iso3 {
        Iso3::from_static(s)
    }

    fn store() -> VoteStore {
        let mut b = VoteStoreBuilder::new();
        // 2000: VNM=CHN, VNM opposite USA. 2002: all yes. 2001: no roll calls.
        let data = [
            (1, "2000-01-01", [Vote::Yes, Vote::Yes, Vote::No]),
            (2, "2000-06-01", [Vote::No, Vote::No, Vote::Yes]),
            (3, "2002-01-01", [Vote::Yes, Vote::Yes, Vote::Yes]),
        ];
        for (id, d, votes) in data {
            b.add_roll_call(RollCall::new(id, Date::parse(d).unwrap(), 0))
                .unwrap();
            for (code, v) in [c("VNM"), c("CHN"), c("USA")].into_iter().zip(votes) {
                b.add_vote(id, code, v).unwrap();
            }
        }
        b.build().unwrap()
    }

    #[test]
    fn yearly_rows_skip_empty_years() {
        let s = store();
        let spec = SeriesSpec {
            from: 2000,
            to: 2002,
            by: By::Year,
        };
        let rows = series(&s, c("VNM"), &[c("CHN"), c("USA")], spec).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.from).collect::<Vec<_>>(),
            vec![2000, 2002]
        );
        assert_eq!(rows[0].with[0].1.agreement, Some(1.0));
        assert_eq!(rows[0].with[1].1.agreement, Some(0.0));
    }

    #[test]
    fn windows_sum_years() {
        let s = store();
        let spec = SeriesSpec {
            from: 2000,
            to: 2002,
            by: By::Window(3),
        };
        let rows = series(&s, c("VNM"), &[c("USA")], spec).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].from, rows[0].to, rows[0].with[0].1.n),
            (2000, 2002, 3)
        );
        assert!((rows[0].with[0].1.agreement.unwrap() - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn balance_reads_lean() {
        let s = store();
        let spec = SeriesSpec {
            from: 2000,
            to: 2000,
            by: By::Year,
        };
        let rows =
            balance_series(&s, c("VNM"), &[c("USA"), c("CHN")], spec, Metric::Agreement).unwrap();
        assert_eq!(rows[0].reading.lean, Some(1.0));
        assert_eq!(rows[0].reading.toward, Some(c("CHN")));
    }

    #[test]
    fn unknown_state_and_bad_spans_are_errors() {
        let s = store();
        let spec = SeriesSpec {
            from: 2000,
            to: 2002,
            by: By::Year,
        };
        assert_eq!(
            series(&s, c("RUS"), &[c("USA")], spec),
            Err(SeriesError::NeverVoted(c("RUS")))
        );
        let bad = SeriesSpec {
            from: 2003,
            to: 2002,
            by: By::Year,
        };
        assert!(series(&s, c("VNM"), &[c("USA")], bad).is_err());
    }
}
