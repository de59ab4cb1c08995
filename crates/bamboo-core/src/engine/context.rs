//! Builds the engine's [`Context`] for a case date from the ledger and, where it covers the
//! years before the date, the public data (UN votes, trade and arms flows).
//!
//! No look-ahead: every input is dated strictly before the case date. Ledger events are
//! read through [`Ledger::before`]; UN roll calls are taken from the window
//! `[date − window_years, date)`; trade and arms flows from whole years before the case's
//! year. Relationship values come from the ledger only, so they are the same with or
//! without the data folder; the data only sharpens the lean.

use crate::baselines::{Precedent, RecordIndex};
use crate::case::{Case, Kind};
use crate::country::Iso3;
use crate::date::Date;
use crate::doctrine::{CompiledDoctrine, Signal, MAX_ACTORS, N_SIGNALS};
use crate::engine::{Context, Situation};
use crate::flows::Flows;
use crate::ledger::{EventKind, Ledger};
use crate::store::VoteStore;
use crate::vote::Vote;

/// The public data available to the engine; every part is optional.
#[derive(Copy, Clone, Debug, Default)]
pub struct Evidence<'a> {
    pub votes: Option<&'a VoteStore>,
    pub trade: Option<&'a Flows>,
    pub arms: Option<&'a Flows>,
    /// The subject's record of votes in `votes`, indexed by title, for precedents.
    pub record: Option<&'a RecordIndex>,
}

impl Evidence<'_> {
    pub fn is_empty(&self) -> bool {
        self.votes.is_none() && self.trade.is_none() && self.arms.is_none()
    }
}

/// One signal as read for a case: whether it had data, where from, and each pole's value.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SignalReading {
    pub signal: Signal,
    pub weight: f64,
    pub available: bool,
    pub source: String,
    pub values: Vec<(Iso3, f64)>,
}

/// One actor's relationship value and what it is made of.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RelationReading {
    pub actor: Iso3,
    pub base: f64,
    pub tier: f64,
    pub visits: f64,
    pub incidents: f64,
    pub value: f64,
}

/// Everything the context was built from, for explanations.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ContextInputs {
    pub as_of: Date,
    pub ledger_events: usize,
    /// True when no public data was given: the answer rests on the ledger alone.
    pub ledger_only: bool,
    pub signals: Vec<SignalReading>,
    pub relations: Vec<RelationReading>,
    pub notes: Vec<String>,
    /// For a vote: the subject's most similar earlier vote, if the data holds one.
    pub precedent: Option<Precedent>,
}

/// `date` moved back by whole years (29 February becomes the 28th).
fn years_before(date: Date, years: u32) -> Date {
    let y = date.year() - years as i32;
    Date::new(y, date.month(), date.day())
        .or_else(|_| Date::new(y, date.month(), 28))
        .unwrap_or(date)
}

fn vote_agreement(a: Vote, b: Vote) -> f64 {
    1.0 - f64::from((a.code() as i8 - b.code() as i8).unsigned_abs()) / 2.0
}

/// Reads the ledger and the data as of `date` into a context for the doctrine.
pub fn build_context(
    d: &CompiledDoctrine,
    ledger: &Ledger,
    ev: &Evidence,
    date: Date,
) -> (Context, ContextInputs) {
    let doc = d.doctrine();
    let subject = doc.subject;
    let w = doc.lean.window_years;
    let from = years_before(date, w);
    let past = ledger.before(date);
    let in_window = |e: &&crate::ledger::LedgerEvent| e.date >= from;
    let sat = doc.lean.saturation;
    let mut cx = Context::neutral(d);
    let mut notes = Vec::new();
    if ev.is_empty() {
        notes.push(
            "no data folder: answered from the ledger alone (UN votes, trade and arms data unused)"
                .to_string(),
        );
    }

    // Ledger-derived readings for every actor: tier, visits, incidents.
    let n_act = d.actors().len();
    let mut tier = [0.0; MAX_ACTORS];
    let mut visits = [0.0; MAX_ACTORS];
    let mut incidents = [0.0; MAX_ACTORS];
    for e in past {
        for (a, actor) in d.actors().iter().enumerate() {
            if !e.involves(subject, *actor) {
                continue;
            }
            match e.kind {
                EventKind::Partnership => {
                    let t = e.tier.map_or(0.0, |t| doc.lean.tiers[t as usize]);
                    tier[a] = f64::max(tier[a], t);
                }
                EventKind::Visit if in_window(&e) => visits[a] += 1.0,
                EventKind::Incident if in_window(&e) => incidents[a] += 1.0,
                _ => {}
            }
        }
    }
    let ri = doc.branches.relation_inputs;
    let mut relations = Vec::with_capacity(n_act);
    for a in 0..n_act {
        let v = (visits[a] / sat).min(1.0);
        let inc = (incidents[a] / sat).min(1.0);
        let value = d.base_relation()[a] + ri.tier * tier[a] + ri.visits * v - ri.incidents * inc;
        cx.relations[a] = value;
        relations.push(RelationReading {
            actor: d.actors()[a],
            base: d.base_relation()[a],
            tier: tier[a],
            visits: v,
            incidents: inc,
            value,
        });
    }

    let poles = d.poles();
    let np = poles.len();
    let ledger_has = !ledger.is_empty();
    let mut readings = Vec::with_capacity(N_SIGNALS);
    let mut push = |cx: &mut Context, s: Signal, available: bool, source: String, vals: &[f64]| {
        cx.available[s as usize] = available;
        for (p, row) in cx.signals.iter_mut().enumerate().take(np) {
            row[s as usize] = if available { vals[p] } else { 0.0 };
        }
        readings.push(SignalReading {
            signal: s,
            weight: doc.lean.weights[s as usize],
            available,
            source,
            values: if available {
                poles.iter().copied().zip(vals.iter().copied()).collect()
            } else {
                Vec::new()
            },
        });
    };

    // UN agreement: roll calls in the window, then ledger votes past the data's end.
    let mut sum = [0.0; MAX_ACTORS];
    let mut n = [0.0; MAX_ACTORS];
    let mut parts = Vec::new();
    let mut data_end: Option<Date> = None;
    if let Some(store) = ev.votes {
        let rcs = store.roll_calls();
        data_end = rcs.last().map(|r| r.date);
        let lo = rcs.partition_point(|r| r.date < from);
        let hi = rcs.partition_point(|r| r.date < date);
        if let Some(si) = store.country_index(subject) {
            for (p, pole) in poles.iter().enumerate() {
                if let Some(pi) = store.country_index(*pole) {
                    let t = store.pair_table(si, pi, lo..hi);
                    if let Some(a) = t.measures().agreement {
                        sum[p] += a * f64::from(t.n());
                        n[p] += f64::from(t.n());
                    }
                }
            }
        }
        if hi > lo {
            parts.push(format!(
                "{} UN roll calls {}..{}",
                hi - lo,
                rcs[lo].date,
                rcs[hi - 1].date
            ));
        }
    }
    let mut ledger_votes = 0;
    for e in past.iter().filter(in_window) {
        if e.kind != EventKind::Vote || data_end.is_some_and(|end| e.date <= end) {
            continue;
        }
        let Some(sv) = e.vote_of(subject) else {
            continue;
        };
        ledger_votes += 1;
        for (p, pole) in poles.iter().enumerate() {
            if let Some(pv) = e.vote_of(*pole) {
                sum[p] += vote_agreement(sv, pv);
                n[p] += 1.0;
            }
        }
    }
    if ledger_votes > 0 {
        parts.push(format!("{ledger_votes} ledger vote(s)"));
    }
    let un_ok = (0..np).all(|p| n[p] > 0.0);
    let un_vals: Vec<f64> = (0..np)
        .map(|p| if n[p] > 0.0 { sum[p] / n[p] } else { 0.0 })
        .collect();
    cx.un_n[..np].copy_from_slice(&n[..np]);
    let src = if un_ok {
        format!("agreement over {} ({from}..{date})", parts.join(" + "))
    } else {
        format!("no recorded votes shared with every pole in {from}..{date}")
    };
    push(&mut cx, Signal::Un, un_ok, src, &un_vals);

    // Tier: the highest partnership tier reached with each pole.
    let tier_vals: Vec<f64> = tier[..np].to_vec();
    let src = if ledger_has {
        "highest partnership tier in the ledger before the date".to_string()
    } else {
        "no ledger".to_string()
    };
    push(&mut cx, Signal::Tier, ledger_has, src, &tier_vals);

    // Trade and arms: shares over whole years before the case's year.
    let (y0, y1) = (date.year() - w as i32, date.year() - 1);
    for (signal, flows, what) in [
        (Signal::Trade, ev.trade, "trade"),
        (Signal::Arms, ev.arms, "arms imports"),
    ] {
        let usable = flows.filter(|f| f.subject == Some(subject));
        let years = usable.map(|f| f.years_in(y0, y1)).unwrap_or_default();
        let (ok, src, vals) = match usable {
            Some(f) if !years.is_empty() => {
                let vals: Vec<f64> = poles
                    .iter()
                    .map(|p| f.share(*p, y0, y1).unwrap_or(0.0))
                    .collect();
                let (a, b) = (years[0], years[years.len() - 1]);
                (
                    true,
                    format!("share of {what}, {a}-{b} ({})", f.measure),
                    vals,
                )
            }
            Some(f) => {
                let cover = f
                    .year_span()
                    .map_or("none".to_string(), |(a, b)| format!("{a}-{b}"));
                (
                    false,
                    format!("{what} data covers {cover}, none in {y0}-{y1}"),
                    Vec::new(),
                )
            }
            None if flows.is_some() => (
                false,
                format!("{what} data is not about {subject}"),
                Vec::new(),
            ),
            None => (false, format!("no {what} data"), Vec::new()),
        };
        push(&mut cx, signal, ok, src, &vals);
    }

    // Visits: leader-level visits in the window, saturating.
    let visit_vals: Vec<f64> = (0..np).map(|p| (visits[p] / sat).min(1.0)).collect();
    let src = if ledger_has {
        format!("ledger visits {from}..{date}, saturating at {sat}")
    } else {
        "no ledger".to_string()
    };
    push(&mut cx, Signal::Visits, ledger_has, src, &visit_vals);

    (
        cx,
        ContextInputs {
            as_of: date,
            ledger_events: past.len(),
            ledger_only: ev.is_empty(),
            signals: readings,
            relations,
            notes,
            precedent: None,
        },
    )
}

/// Everything the engine reads for one case: the situation (with the precedent, for a
/// vote), the context as of the case date, and what both were built from.
pub fn prepare(
    d: &CompiledDoctrine,
    ledger: &Ledger,
    ev: &Evidence,
    case: &Case,
) -> (Situation, Context, ContextInputs) {
    let (cx, mut inputs) = build_context(d, ledger, ev, case.date);
    let precedent = match (case.kind, ev.record) {
        (Kind::UnVote, Some(ix)) => ix.most_similar(case),
        _ => None,
    };
    let s = Situation::with_precedent(d, case, precedent.as_ref().map(|p| p.vote));
    inputs.precedent = precedent;
    (s, cx, inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_before_handles_leap_days() {
        let d = Date::parse("2024-02-29").unwrap();
        assert_eq!(years_before(d, 1).to_string(), "2023-02-28");
        assert_eq!(years_before(d, 4).to_string(), "2020-02-29");
    }
}
