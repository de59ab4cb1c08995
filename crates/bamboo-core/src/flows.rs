//! Bilateral flows of one subject with its partners per year (trade volume, arms imports),
//! read as partner shares over a span of years.

use std::collections::BTreeMap;

use crate::country::Iso3;

/// Yearly volumes between a subject and each partner. Volumes that cannot be attributed to
/// a state (non-state suppliers, unknown partners) count in the year's total but belong to
/// no partner, so shares stay shares of the whole.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flows {
    /// The state whose flows these are (`None` when the source does not say).
    pub subject: Option<Iso3>,
    /// What the volumes measure, for explanations (e.g. "trade, US$").
    pub measure: String,
    years: BTreeMap<i32, YearFlows>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct YearFlows {
    total: f64,
    by_partner: BTreeMap<Iso3, f64>,
}

impl Flows {
    /// No flows yet for `subject`, measured as `measure` says.
    pub fn new(subject: Option<Iso3>, measure: impl Into<String>) -> Flows {
        Flows {
            subject,
            measure: measure.into(),
            years: BTreeMap::new(),
        }
    }

    /// Adds a volume for a year; `partner = None` adds to the total only.
    pub fn add(&mut self, year: i32, partner: Option<Iso3>, volume: f64) {
        if !(volume.is_finite() && volume > 0.0) {
            return;
        }
        let y = self.years.entry(year).or_default();
        y.total += volume;
        if let Some(p) = partner {
            *y.by_partner.entry(p).or_insert(0.0) += volume;
        }
    }

    /// The first and last year with data.
    pub fn year_span(&self) -> Option<(i32, i32)> {
        Some((*self.years.keys().next()?, *self.years.keys().next_back()?))
    }

    /// The years with data in `from..=to`.
    pub fn years_in(&self, from: i32, to: i32) -> Vec<i32> {
        if from > to {
            return Vec::new();
        }
        self.years.range(from..=to).map(|(y, _)| *y).collect()
    }

    /// A partner's share of the total over `from..=to` (sums, then divides). `None` when
    /// the span has no volume at all.
    pub fn share(&self, partner: Iso3, from: i32, to: i32) -> Option<f64> {
        if from > to {
            return None;
        }
        let (mut part, mut total) = (0.0, 0.0);
        for y in self.years.range(from..=to).map(|(_, y)| y) {
            total += y.total;
            part += y.by_partner.get(&partner).copied().unwrap_or(0.0);
        }
        (total > 0.0).then(|| part / total)
    }

    /// Every partner's share over `from..=to`, largest first (ties by code).
    pub fn shares(&self, from: i32, to: i32) -> Vec<(Iso3, f64)> {
        if from > to {
            return Vec::new();
        }
        let mut sum: BTreeMap<Iso3, f64> = BTreeMap::new();
        let mut total = 0.0;
        for y in self.years.range(from..=to).map(|(_, y)| y) {
            total += y.total;
            for (p, v) in &y.by_partner {
                *sum.entry(*p).or_insert(0.0) += v;
            }
        }
        if total <= 0.0 {
            return Vec::new();
        }
        let mut out: Vec<(Iso3, f64)> = sum.into_iter().map(|(p, v)| (p, v / total)).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_sum_over_years_and_keep_unattributed_volume_in_the_total() {
        let (chn, usa) = (Iso3::from_static("CHN"), Iso3::from_static("USA"));
        let mut f = Flows::new(None, "test");
        f.add(2000, Some(chn), 3.0);
        f.add(2000, Some(usa), 1.0);
        f.add(2001, Some(chn), 1.0);
        f.add(2001, None, 5.0);
        assert_eq!(f.share(chn, 2000, 2000), Some(0.75));
        assert_eq!(f.share(chn, 2000, 2001), Some(0.4));
        assert_eq!(f.share(chn, 2002, 2005), None);
        assert_eq!(f.shares(2000, 2001)[0].0, chn);
    }
}
