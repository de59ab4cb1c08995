//! Builds the engine's [`Context`] for a case date from the ledger and, where it covers the
//! years before the date, the public data (UN votes, trade and arms flows).
//!
//! No look-ahead: every input is dated strictly before the case date. Ledger events are
//! read through [`Ledger::before`]; UN roll calls are taken from the window
//! `[date − window_years, date)`; trade and arms flows from whole years before the case's
//! year. Relationship values come from the ledger only, so they are the same with or
//! without the data folder; the data only sharpens the lean.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::baselines::{Precedent, RecordIndex};
use crate::case::{Case, Kind};
use crate::country::Iso3;
use crate::date::Date;
use crate::doctrine::{CompiledDoctrine, Signal, MAX_ACTORS, MAX_POLES, N_SIGNALS};
use crate::engine::{Context, Situation};
use crate::flows::Flows;
use crate::ledger::{EventKind, Ledger, LedgerEvent};
use crate::store::VoteStore;
use crate::vote::Vote;

/// The public data available to the engine; every part is optional.
#[derive(Copy, Clone, Debug, Default)]
pub struct Evidence<'a> {
    /// UN roll calls and votes: the `un` signal reads those of the window before the case
    /// date (ledger votes take over after the last roll call).
    pub votes: Option<&'a VoteStore>,
    /// The subject's bilateral trade by partner and year, for the `trade` signal (unused
    /// when it is another state's).
    pub trade: Option<&'a Flows>,
    /// The subject's arms imports by supplier and year (SIPRI TIV), for the `arms` signal
    /// (unused when they are another state's).
    pub arms: Option<&'a Flows>,
    /// The subject's record of votes in `votes`, indexed by title, for precedents.
    pub record: Option<&'a RecordIndex>,
}

impl Evidence<'_> {
    /// No votes, trade or arms data: the context rests on the ledger alone (the record
    /// index is not counted, as it only serves precedents).
    pub fn is_empty(&self) -> bool {
        self.votes.is_none() && self.trade.is_none() && self.arms.is_none()
    }
}

/// One signal as read for a case: whether it had data, where from, and each pole's value.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SignalReading {
    /// Which lean signal this is.
    pub signal: Signal,
    /// Its weight in the composite (`[lean.signals]`; 0: read, but not used).
    pub weight: f64,
    /// It had a value for every pole; an unavailable signal is left out of the composite
    /// and of the context (its values there are 0).
    pub available: bool,
    /// Where the values come from and over which dates, or why there are none, in words.
    pub source: String,
    /// Each pole's value, in the doctrine's pole order; empty when not available. UN
    /// agreement, shares and saturated visits lie in 0..1; a tier is its `[lean.tiers]`
    /// value (defaults 1/3, 2/3, 1; 0 for none).
    pub values: Vec<(Iso3, f64)>,
}

/// One actor's relationship value and what it is made of.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RelationReading {
    /// The state, one of the doctrine's actors (poles first).
    pub actor: Iso3,
    /// The doctrine's base relation with it (`[branches.relations]`).
    pub base: f64,
    /// The `[lean.tiers]` value of the highest partnership tier the ledger records with it
    /// (0 for none), at any date before the case.
    pub tier: f64,
    /// Leader-level visits in the window, as `min(1, count / saturation)`: 0..1.
    pub visits: f64,
    /// Incidents in the window, as `min(1, count / saturation)`: 0..1.
    pub incidents: f64,
    /// The relationship value the engine uses: `base + w_tier · tier + w_visits · visits −
    /// w_incidents · incidents`, with the weights of `[branches.relation_inputs]`.
    pub value: f64,
}

/// Everything the context was built from, for explanations.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ContextInputs {
    /// The case date: every input is dated strictly before it.
    pub as_of: Date,
    /// How many ledger events are dated before `as_of` (all of them were read).
    pub ledger_events: usize,
    /// True when no public data was given: the answer rests on the ledger alone.
    pub ledger_only: bool,
    /// Every lean signal, in [`Signal::ALL`] order (un, tier, trade, arms, visits), read
    /// or not.
    pub signals: Vec<SignalReading>,
    /// One relationship value per actor of the doctrine, in its actor order (poles first).
    pub relations: Vec<RelationReading>,
    /// Remarks every explanation repeats (e.g. that no data folder was given).
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
    let (subject, poles) = (doc.subject, d.poles());
    let w = doc.lean.window_years;
    let from = years_before(date, w);
    let past = ledger.before(date);
    let mut cx = Context::neutral(d);

    let counts = ledger_counts(d, past, from);
    let relations = relation_readings(d, &counts, &mut cx);

    let ledger_has = !ledger.is_empty();
    let sat = doc.lean.saturation;
    let (y0, y1) = (date.year() - w as i32, date.year() - 1);
    let (un, un_n) = un_reading(ev.votes, past, subject, poles, from, date);
    cx.un_n[..poles.len()].copy_from_slice(&un_n[..poles.len()]);
    let signals = [
        (Signal::Un, un),
        (Signal::Tier, tier_reading(&counts, poles.len(), ledger_has)),
        (
            Signal::Trade,
            flow_reading(ev.trade, "trade", subject, poles, y0, y1),
        ),
        (
            Signal::Arms,
            flow_reading(ev.arms, "arms imports", subject, poles, y0, y1),
        ),
        (
            Signal::Visits,
            visits_reading(&counts, poles.len(), sat, ledger_has, from, date),
        ),
    ];
    let mut readings = Vec::with_capacity(N_SIGNALS);
    for (s, r) in signals {
        readings.push(record(d, &mut cx, s, r));
    }

    (
        cx,
        ContextInputs {
            as_of: date,
            ledger_events: past.len(),
            ledger_only: ev.is_empty(),
            signals: readings,
            relations,
            notes: no_data_notes(ev),
            precedent: None,
        },
    )
}

/// The note an explanation carries when no public data was given.
fn no_data_notes(ev: &Evidence) -> Vec<String> {
    if ev.is_empty() {
        vec![
            "no data folder: answered from the ledger alone (UN votes, trade and arms data unused)"
                .to_string(),
        ]
    } else {
        Vec::new()
    }
}

/// What the ledger says of each actor (indexed as the doctrine's actors) before the date:
/// the signal value of the highest partnership tier reached (0 for none; partnerships of
/// any date count), and the raw counts of visits and incidents dated on or after `from`.
#[derive(Clone, Debug, PartialEq)]
struct LedgerCounts {
    tier: [f64; MAX_ACTORS],
    visits: [f64; MAX_ACTORS],
    incidents: [f64; MAX_ACTORS],
}

/// Ledger-derived readings for every actor: tier, visits, incidents. `past` holds the
/// events before the case date; the window opens at `from`.
fn ledger_counts(d: &CompiledDoctrine, past: &[LedgerEvent], from: Date) -> LedgerCounts {
    let doc = d.doctrine();
    let subject = doc.subject;
    let mut c = LedgerCounts {
        tier: [0.0; MAX_ACTORS],
        visits: [0.0; MAX_ACTORS],
        incidents: [0.0; MAX_ACTORS],
    };
    for e in past {
        for (a, actor) in d.actors().iter().enumerate() {
            if !e.involves(subject, *actor) {
                continue;
            }
            match e.kind {
                EventKind::Partnership => {
                    let t = e.tier.map_or(0.0, |t| doc.lean.tiers[t as usize]);
                    c.tier[a] = f64::max(c.tier[a], t);
                }
                EventKind::Visit if e.date >= from => c.visits[a] += 1.0,
                EventKind::Incident if e.date >= from => c.incidents[a] += 1.0,
                _ => {}
            }
        }
    }
    c
}

/// Each actor's relationship value, `base + w_tier · tier + w_visits · min(1, visits / sat)
/// − w_incidents · min(1, incidents / sat)`, written into `cx.relations`, and what each
/// value is made of.
fn relation_readings(
    d: &CompiledDoctrine,
    c: &LedgerCounts,
    cx: &mut Context,
) -> Vec<RelationReading> {
    let doc = d.doctrine();
    let sat = doc.lean.saturation;
    let ri = doc.branches.relation_inputs;
    let n_act = d.actors().len();
    let mut relations = Vec::with_capacity(n_act);
    for a in 0..n_act {
        let v = (c.visits[a] / sat).min(1.0);
        let inc = (c.incidents[a] / sat).min(1.0);
        let value = d.base_relation()[a] + ri.tier * c.tier[a] + ri.visits * v - ri.incidents * inc;
        cx.relations[a] = value;
        relations.push(RelationReading {
            actor: d.actors()[a],
            base: d.base_relation()[a],
            tier: c.tier[a],
            visits: v,
            incidents: inc,
            value,
        });
    }
    relations
}

/// One signal as read, before it goes into the context: whether it had data, where from,
/// and each pole's value in pole order (empty or ignored when unavailable).
#[derive(Clone, Debug, PartialEq)]
struct Reading {
    available: bool,
    source: String,
    values: Vec<f64>,
}

/// Writes a reading into the context (each pole's value, 0 when unavailable, and whether
/// the signal is available) and returns it as the inputs report it.
fn record(d: &CompiledDoctrine, cx: &mut Context, s: Signal, r: Reading) -> SignalReading {
    let poles = d.poles();
    cx.available[s as usize] = r.available;
    for (p, row) in cx.signals.iter_mut().enumerate().take(poles.len()) {
        row[s as usize] = if r.available { r.values[p] } else { 0.0 };
    }
    SignalReading {
        signal: s,
        weight: d.doctrine().lean.weights[s as usize],
        available: r.available,
        source: r.source,
        values: if r.available {
            poles
                .iter()
                .copied()
                .zip(r.values.iter().copied())
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// Agreement with each pole summed over votes: `sum[p] / n[p]` is the mean.
#[derive(Clone, Debug, PartialEq)]
struct Agreement {
    sum: [f64; MAX_POLES],
    n: [f64; MAX_POLES],
    /// What the votes were, for the reading's source.
    parts: Vec<String>,
}

/// UN agreement: roll calls in `[from, date)`, then ledger votes past the data's end. The
/// reading is available when every pole shares at least one vote with the subject; the
/// second value is how many votes stand behind each pole's agreement.
fn un_reading(
    votes: Option<&VoteStore>,
    past: &[LedgerEvent],
    subject: Iso3,
    poles: &[Iso3],
    from: Date,
    date: Date,
) -> (Reading, [f64; MAX_POLES]) {
    let np = poles.len();
    let mut agr = Agreement {
        sum: [0.0; MAX_POLES],
        n: [0.0; MAX_POLES],
        parts: Vec::new(),
    };
    let data_end =
        votes.and_then(|store| un_from_store(store, subject, poles, from, date, &mut agr));
    un_from_ledger(past, subject, poles, from, data_end, &mut agr);
    let (sum, n) = (&agr.sum, &agr.n);
    let available = (0..np).all(|p| n[p] > 0.0);
    let values: Vec<f64> = (0..np)
        .map(|p| if n[p] > 0.0 { sum[p] / n[p] } else { 0.0 })
        .collect();
    let source = if available {
        format!("agreement over {} ({from}..{date})", agr.parts.join(" + "))
    } else {
        format!("no recorded votes shared with every pole in {from}..{date}")
    };
    let reading = Reading {
        available,
        source,
        values,
    };
    (reading, agr.n)
}

/// Adds the store's roll calls in `[from, date)` to the agreement (each pole's agreement
/// weighted by the roll calls it shares with the subject); returns the date of the store's
/// last roll call, where the ledger's votes take over.
fn un_from_store(
    store: &VoteStore,
    subject: Iso3,
    poles: &[Iso3],
    from: Date,
    date: Date,
    agr: &mut Agreement,
) -> Option<Date> {
    let rcs = store.roll_calls();
    let lo = rcs.partition_point(|r| r.date < from);
    let hi = rcs.partition_point(|r| r.date < date);
    if let Some(si) = store.country_index(subject) {
        for (p, pole) in poles.iter().enumerate() {
            if let Some(pi) = store.country_index(*pole) {
                let t = store.pair_table(si, pi, lo..hi);
                if let Some(a) = t.measures().agreement {
                    agr.sum[p] += a * f64::from(t.n());
                    agr.n[p] += f64::from(t.n());
                }
            }
        }
    }
    if hi > lo {
        agr.parts.push(format!(
            "{} UN roll calls {}..{}",
            hi - lo,
            rcs[lo].date,
            rcs[hi - 1].date
        ));
    }
    rcs.last().map(|r| r.date)
}

/// Adds the ledger's `vote` events dated on or after `from` and after the data's end (all
/// of them without data) to the agreement, one vote each: `1 − |code difference| / 2`.
fn un_from_ledger(
    past: &[LedgerEvent],
    subject: Iso3,
    poles: &[Iso3],
    from: Date,
    data_end: Option<Date>,
    agr: &mut Agreement,
) {
    let mut ledger_votes = 0;
    for e in past.iter().filter(|e| e.date >= from) {
        if e.kind != EventKind::Vote || data_end.is_some_and(|end| e.date <= end) {
            continue;
        }
        let Some(sv) = e.vote_of(subject) else {
            continue;
        };
        ledger_votes += 1;
        for (p, pole) in poles.iter().enumerate() {
            if let Some(pv) = e.vote_of(*pole) {
                agr.sum[p] += vote_agreement(sv, pv);
                agr.n[p] += 1.0;
            }
        }
    }
    if ledger_votes > 0 {
        agr.parts.push(format!("{ledger_votes} ledger vote(s)"));
    }
}

/// Tier: the highest partnership tier reached with each pole (available with any ledger).
fn tier_reading(c: &LedgerCounts, np: usize, ledger_has: bool) -> Reading {
    Reading {
        available: ledger_has,
        source: if ledger_has {
            "highest partnership tier in the ledger before the date".to_string()
        } else {
            "no ledger".to_string()
        },
        values: c.tier[..np].to_vec(),
    }
}

/// Trade or arms: each pole's share of the subject's flows over the whole years
/// `y0..=y1`, when the flows are the subject's and have a year in that span.
fn flow_reading(
    flows: Option<&Flows>,
    what: &str,
    subject: Iso3,
    poles: &[Iso3],
    y0: i32,
    y1: i32,
) -> Reading {
    let usable = flows.filter(|f| f.subject == Some(subject));
    let years = usable.map(|f| f.years_in(y0, y1)).unwrap_or_default();
    let (available, source, values) = match usable {
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
    Reading {
        available,
        source,
        values,
    }
}

/// Visits: leader-level visits in the window, saturating at `sat` (available with any
/// ledger).
fn visits_reading(
    c: &LedgerCounts,
    np: usize,
    sat: f64,
    ledger_has: bool,
    from: Date,
    date: Date,
) -> Reading {
    Reading {
        available: ledger_has,
        source: if ledger_has {
            format!("ledger visits {from}..{date}, saturating at {sat}")
        } else {
            "no ledger".to_string()
        },
        values: (0..np).map(|p| (c.visits[p] / sat).min(1.0)).collect(),
    }
}

/// Everything the engine reads for one case: the situation (with the precedent, for a
/// vote), the context as of the case date, and what both were built from.
pub fn prepare(
    d: &CompiledDoctrine,
    ledger: &Ledger,
    ev: &Evidence,
    case: &Case,
) -> (Situation, Context, ContextInputs) {
    let (cx, inputs) = build_context(d, ledger, ev, case.date);
    situate(d, ev, case, cx, inputs)
}

/// [`prepare`] for a batch of decisions read from one doctrine, ledger and evidence: the
/// context of each date is built once and shared by the cases of that date (of Vietnam's
/// 4,326 recorded votes as cases, 521 dates). A context reads only the date, so
/// [`ContextMemo::prepare`] returns exactly what [`prepare`] would. The memo borrows what
/// it reads, so it cannot be asked about another ledger; it is shared between threads (a
/// lock around the table, the context built outside it) and holds at most
/// [`ContextMemo::CAPACITY`] contexts, forgetting them all when full.
#[derive(Debug)]
pub struct ContextMemo<'a> {
    doctrine: &'a CompiledDoctrine,
    ledger: &'a Ledger,
    ev: Evidence<'a>,
    contexts: Mutex<HashMap<Date, Arc<(Context, ContextInputs)>>>,
}

impl<'a> ContextMemo<'a> {
    /// The most contexts kept at once.
    pub const CAPACITY: usize = 4096;

    /// An empty memo for decisions of `doctrine` read from `ledger` and `ev`.
    pub fn new(doctrine: &'a CompiledDoctrine, ledger: &'a Ledger, ev: Evidence<'a>) -> Self {
        ContextMemo {
            doctrine,
            ledger,
            ev,
            contexts: Mutex::new(HashMap::new()),
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<Date, Arc<(Context, ContextInputs)>>> {
        // A panic while the lock was held left at worst a missing entry.
        self.contexts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many contexts are kept.
    pub fn len(&self) -> usize {
        self.table().len()
    }

    /// Whether no context is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// [`prepare`] for `case`, its date's context built once.
    pub fn prepare(&self, case: &Case) -> (Situation, Context, ContextInputs) {
        let kept = self.table().get(&case.date).cloned();
        let shared = match kept {
            Some(x) => x,
            None => {
                let built = Arc::new(build_context(
                    self.doctrine,
                    self.ledger,
                    &self.ev,
                    case.date,
                ));
                let mut t = self.table();
                if t.len() >= Self::CAPACITY {
                    t.clear();
                }
                t.insert(case.date, Arc::clone(&built));
                built
            }
        };
        let (cx, inputs) = (shared.0.clone(), shared.1.clone());
        situate(self.doctrine, &self.ev, case, cx, inputs)
    }
}

/// The situation of `case` in the context of its date, with the case's precedent.
fn situate(
    d: &CompiledDoctrine,
    ev: &Evidence,
    case: &Case,
    cx: Context,
    mut inputs: ContextInputs,
) -> (Situation, Context, ContextInputs) {
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
    use crate::case::{Opt, Tier};
    use crate::doctrine::{validate_doctrine, DoctrineInput};
    use crate::store::{RollCall, VoteStoreBuilder};

    fn c(s: &'static str) -> Iso3 {
        Iso3::from_static(s)
    }

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    /// Vietnam between USA, CHN and RUS, plus JPN (an actor that is not a pole), with
    /// relation inputs, a saturation of 2 and the default tier values (1/3, 2/3, 1).
    fn doctrine() -> CompiledDoctrine {
        let text = r#"{
          "doctrine": {"name": "t", "subject": "VNM", "poles": ["USA", "CHN", "RUS"]},
          "branches": {"interests": {"autonomy": 1.0},
                       "relations": {"USA": 0.5, "CHN": 0.5, "RUS": 0.5, "JPN": 0.1},
                       "relation_inputs": {"tier": 0.3, "visits": 0.2, "incidents": 0.6}},
          "lean": {"window_years": 5, "saturation": 2.0,
                   "signals": {"un": 1.0, "tier": 1.0, "visits": 1.0}}
        }"#;
        let input: DoctrineInput = serde_json::from_str(text).unwrap();
        CompiledDoctrine::new(validate_doctrine(&input).unwrap()).unwrap()
    }

    fn event(date: &str, kind: EventKind, actors: &[&'static str]) -> LedgerEvent {
        LedgerEvent {
            date: day(date),
            kind,
            actors: actors.iter().map(|a| c(a)).collect(),
            title: "t".into(),
            sources: vec!["s".into()],
            tier: None,
            votes: Vec::new(),
        }
    }

    fn partnership(date: &str, with: &'static str, tier: Tier) -> LedgerEvent {
        LedgerEvent {
            tier: Some(tier),
            ..event(date, EventKind::Partnership, &["VNM", with])
        }
    }

    fn vote(date: &str, votes: &[(&'static str, Vote)]) -> LedgerEvent {
        let mut votes: Vec<(Iso3, Vote)> = votes.iter().map(|(k, v)| (c(k), *v)).collect();
        votes.sort_by_key(|v| v.0);
        LedgerEvent {
            votes,
            ..event(date, EventKind::Vote, &["VNM"])
        }
    }

    fn actor(d: &CompiledDoctrine, a: &'static str) -> usize {
        d.actors().iter().position(|x| *x == c(a)).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn the_ledger_gives_the_highest_tier_ever_and_counts_in_the_window() {
        let d = doctrine();
        let past = [
            partnership("2001-01-01", "USA", Tier::ComprehensiveStrategic),
            partnership("2013-07-25", "USA", Tier::Comprehensive),
            partnership("2016-01-01", "CHN", Tier::Strategic),
            event("2014-12-31", EventKind::Visit, &["VNM", "USA"]),
            event("2015-01-01", EventKind::Visit, &["VNM", "USA"]),
            event("2019-06-01", EventKind::Visit, &["USA", "VNM", "JPN"]),
            event("2018-03-01", EventKind::Incident, &["VNM", "CHN"]),
            // Not the subject's: ignored.
            event("2018-03-02", EventKind::Incident, &["USA", "CHN"]),
            event("2018-03-03", EventKind::Exercise, &["VNM", "RUS"]),
        ];
        let k = ledger_counts(&d, &past, day("2015-01-01"));
        let (usa, chn, rus, jpn) = (
            actor(&d, "USA"),
            actor(&d, "CHN"),
            actor(&d, "RUS"),
            actor(&d, "JPN"),
        );
        // A later, lower tier does not lower it; a partnership before the window counts.
        assert_eq!(k.tier[usa], 1.0);
        assert!(close(k.tier[chn], 2.0 / 3.0));
        assert_eq!(k.tier[rus], 0.0);
        // The visit of 2014-12-31 is before the window; one event may involve two actors.
        assert_eq!(
            (k.visits[usa], k.visits[jpn], k.visits[chn]),
            (2.0, 1.0, 0.0)
        );
        assert_eq!(
            (k.incidents[chn], k.incidents[usa], k.incidents[rus]),
            (1.0, 0.0, 0.0)
        );
    }

    #[test]
    fn a_relation_is_its_base_moved_by_tier_visits_and_incidents_saturating() {
        let d = doctrine();
        let (usa, chn, jpn) = (actor(&d, "USA"), actor(&d, "CHN"), actor(&d, "JPN"));
        let mut k = LedgerCounts {
            tier: [0.0; MAX_ACTORS],
            visits: [0.0; MAX_ACTORS],
            incidents: [0.0; MAX_ACTORS],
        };
        k.tier[usa] = 1.0;
        k.visits[usa] = 5.0; // saturates at 2
        k.incidents[chn] = 1.0;
        k.visits[jpn] = 1.0;
        let mut cx = Context::neutral(&d);
        let r = relation_readings(&d, &k, &mut cx);
        assert_eq!(r.len(), d.actors().len());
        // 0.5 + 0.3 · 1 + 0.2 · min(1, 5 / 2)
        assert_eq!(r[usa].visits, 1.0);
        assert!(close(r[usa].value, 1.0) && close(cx.relations[usa], 1.0));
        // 0.5 − 0.6 · 1 / 2
        assert_eq!(r[chn].incidents, 0.5);
        assert!(close(r[chn].value, 0.2) && close(cx.relations[chn], 0.2));
        // 0.1 + 0.2 · 1 / 2
        assert!(close(r[jpn].value, 0.2) && r[jpn].actor == c("JPN") && r[jpn].base == 0.1);
    }

    #[test]
    fn un_agreement_from_ledger_votes_alone_is_the_mean_vote_agreement() {
        let poles = [c("USA"), c("CHN"), c("RUS")];
        let (from, date) = (day("2015-01-01"), day("2020-01-01"));
        let past = [
            // Before the window: ignored.
            vote(
                "2014-06-01",
                &[
                    ("VNM", Vote::Yes),
                    ("USA", Vote::No),
                    ("CHN", Vote::No),
                    ("RUS", Vote::No),
                ],
            ),
            vote(
                "2016-06-01",
                &[
                    ("VNM", Vote::Abstain),
                    ("USA", Vote::Yes),
                    ("CHN", Vote::Abstain),
                    ("RUS", Vote::No),
                ],
            ),
            vote(
                "2017-06-01",
                &[("VNM", Vote::Yes), ("USA", Vote::Yes), ("CHN", Vote::No)],
            ),
            // The subject did not vote: ignored.
            vote("2018-06-01", &[("USA", Vote::Yes), ("RUS", Vote::Yes)]),
        ];
        let (r, n) = un_reading(None, &past, c("VNM"), &poles, from, date);
        assert!(r.available);
        // USA (0.5 + 1) / 2, CHN (1 + 0) / 2, RUS 0.5 on its one shared vote.
        assert_eq!(r.values, vec![0.75, 0.5, 0.5]);
        assert_eq!(n[..3], [2.0, 2.0, 1.0]);
        assert_eq!(
            r.source,
            "agreement over 2 ledger vote(s) (2015-01-01..2020-01-01)"
        );
        // A pole with no shared vote makes the reading unavailable.
        let (r, n) = un_reading(None, &past[2..], c("VNM"), &poles, from, date);
        assert!(!r.available);
        assert_eq!(n[..3], [1.0, 1.0, 0.0]);
        assert_eq!(
            r.source,
            "no recorded votes shared with every pole in 2015-01-01..2020-01-01"
        );
    }

    #[test]
    fn un_agreement_reads_the_store_in_the_window_then_ledger_votes_after_its_end() {
        let mut b = VoteStoreBuilder::new();
        let rows = [
            (1, "2014-12-31", Vote::No),      // before the window
            (2, "2016-10-01", Vote::Yes),     // VNM yes: agreement 1
            (3, "2017-10-01", Vote::No),      // VNM yes: agreement 0
            (4, "2018-10-01", Vote::Abstain), // VNM yes: agreement 0.5
        ];
        for (id, date, usa) in rows {
            b.add_roll_call(RollCall::new(id, day(date), 0)).unwrap();
            b.add_vote(id, c("VNM"), Vote::Yes).unwrap();
            b.add_vote(id, c("USA"), usa).unwrap();
        }
        let store = b.build().unwrap();
        let poles = [c("USA")];
        let past = [
            // On or before the store's last roll call: the store has it already.
            vote("2018-10-01", &[("VNM", Vote::Yes), ("USA", Vote::No)]),
            vote("2019-01-01", &[("VNM", Vote::Yes), ("USA", Vote::Yes)]),
        ];
        let (from, date) = (day("2015-01-01"), day("2018-10-01"));
        // The case's own day is excluded: roll calls 2 and 3, then the ledger vote after
        // 2018-10-01 (a context is built with the ledger before the date; this one is
        // handed over whole to see the cut at the store's end).
        let (r, n) = un_reading(Some(&store), &past, c("VNM"), &poles, from, date);
        assert_eq!(n[0], 3.0);
        assert!(close(r.values[0], 2.0 / 3.0), "{:?}", r.values);
        assert_eq!(
            r.source,
            "agreement over 2 UN roll calls 2016-10-01..2017-10-01 + 1 ledger vote(s) (2015-01-01..2018-10-01)"
        );
        // A pole the store does not know reads from the ledger alone.
        let (r, n) = un_reading(
            Some(&store),
            &past,
            c("VNM"),
            &[c("USA"), c("CHN")],
            from,
            date,
        );
        assert!(!r.available && n[1] == 0.0);
    }

    #[test]
    fn flows_give_shares_over_whole_years_or_say_why_not() {
        let poles = [c("USA"), c("CHN")];
        let mut f = Flows::new(Some(c("VNM")), "trade, US$");
        f.add(2012, Some(c("USA")), 100.0); // before the span
        f.add(2014, Some(c("USA")), 30.0);
        f.add(2014, Some(c("CHN")), 50.0);
        f.add(2016, None, 20.0);
        let r = flow_reading(Some(&f), "trade", c("VNM"), &poles, 2013, 2017);
        assert!(r.available);
        assert_eq!(r.values, vec![0.3, 0.5]);
        assert_eq!(r.source, "share of trade, 2014-2016 (trade, US$)");
        let r = flow_reading(Some(&f), "trade", c("VNM"), &poles, 2017, 2021);
        assert!(!r.available && r.values.is_empty());
        assert_eq!(r.source, "trade data covers 2012-2016, none in 2017-2021");
        let r = flow_reading(Some(&f), "arms imports", c("IND"), &poles, 2013, 2017);
        assert_eq!(
            (r.available, r.source.as_str()),
            (false, "arms imports data is not about IND")
        );
        let r = flow_reading(None, "arms imports", c("VNM"), &poles, 2013, 2017);
        assert_eq!(
            (r.available, r.source.as_str()),
            (false, "no arms imports data")
        );
    }

    #[test]
    fn the_context_carries_every_signal_in_order_zero_where_unavailable() {
        let d = doctrine();
        let ledger = Ledger::new(
            Some(c("VNM")),
            vec![
                partnership("2016-01-01", "CHN", Tier::Strategic),
                event("2018-01-01", EventKind::Visit, &["VNM", "USA"]),
                vote(
                    "2018-06-01",
                    &[
                        ("VNM", Vote::Yes),
                        ("USA", Vote::Yes),
                        ("CHN", Vote::No),
                        ("RUS", Vote::Abstain),
                    ],
                ),
                // On the case date: not yet known.
                event("2020-01-01", EventKind::Visit, &["VNM", "USA"]),
            ],
        );
        let (cx, inputs) = build_context(&d, &ledger, &Evidence::default(), day("2020-01-01"));
        let order: Vec<Signal> = inputs.signals.iter().map(|r| r.signal).collect();
        assert_eq!(order, Signal::ALL);
        assert_eq!(cx.available, [true, true, false, false, true]);
        let (usa, chn, rus) = (actor(&d, "USA"), actor(&d, "CHN"), actor(&d, "RUS"));
        let un = Signal::Un as usize;
        assert_eq!(
            (
                cx.signals[usa][un],
                cx.signals[chn][un],
                cx.signals[rus][un]
            ),
            (1.0, 0.0, 0.5)
        );
        assert_eq!(cx.un_n[..3], [1.0, 1.0, 1.0]);
        assert!(close(cx.signals[chn][Signal::Tier as usize], 2.0 / 3.0));
        assert_eq!(cx.signals[usa][Signal::Visits as usize], 0.5);
        assert!(cx
            .signals
            .iter()
            .all(|row| row[Signal::Trade as usize] == 0.0));
        assert_eq!(inputs.signals[2].source, "no trade data");
        assert!(inputs.signals[2].values.is_empty());
        assert_eq!(inputs.signals[0].weight, 1.0);
        assert_eq!(inputs.signals[2].weight, 0.0);
        assert_eq!(inputs.ledger_events, 3);
        assert!(inputs.ledger_only && inputs.notes.len() == 1);
        // 0.5 + 0.2 · 1 / 2 for the visit; CHN 0.5 + 0.3 · 2/3.
        assert!(close(cx.relations[usa], 0.6) && close(cx.relations[chn], 0.7));
        // An empty ledger: no tier, no visits, said so.
        let (cx, inputs) = build_context(
            &d,
            &Ledger::default(),
            &Evidence::default(),
            day("2020-01-01"),
        );
        assert_eq!(cx.available, [false; N_SIGNALS]);
        assert_eq!(inputs.signals[1].source, "no ledger");
        assert_eq!(cx.relations[..4], d.base_relation()[..4]);
    }

    /// The memo prepares each case as [`prepare`] does: cases of one date share the date's
    /// context but keep their own precedent (titles that match different earlier votes),
    /// and a case of another date gets that date's context.
    #[test]
    fn the_context_memo_prepares_as_prepare_does() {
        use crate::case::{validate_case, CaseInput, PositionsInput};
        let d = doctrine();
        let mut b = VoteStoreBuilder::new();
        let rolls = [
            (1, "2016-10-01", "nuclear disarmament", Vote::Yes, Vote::No),
            (
                2,
                "2017-10-01",
                "human rights in a state",
                Vote::No,
                Vote::Yes,
            ),
            (
                3,
                "2019-10-01",
                "the embargo against cuba",
                Vote::Yes,
                Vote::No,
            ),
        ];
        for (id, date, title, vnm, usa) in rolls {
            let mut rc = RollCall::new(id, day(date), 0);
            rc.title = Some(title.into());
            b.add_roll_call(rc).unwrap();
            b.add_vote(id, c("VNM"), vnm).unwrap();
            b.add_vote(id, c("USA"), usa).unwrap();
            b.add_vote(id, c("CHN"), vnm).unwrap();
        }
        let store = b.build().unwrap();
        let record = RecordIndex::new(&store, None, c("VNM")).unwrap();
        let ev = Evidence {
            votes: Some(&store),
            record: Some(&record),
            ..Evidence::default()
        };
        let ledger = Ledger::new(
            Some(c("VNM")),
            vec![
                event("2018-01-01", EventKind::Visit, &["VNM", "USA"]),
                event("2019-12-01", EventKind::Visit, &["VNM", "CHN"]),
            ],
        );
        let case = |date: &str, title: &str| {
            validate_case(&CaseInput {
                id: title.into(),
                date: date.into(),
                subject: "VNM".into(),
                kind: "un_vote".into(),
                title: title.into(),
                sources: vec!["s".into()],
                positions: Some(PositionsInput {
                    yes: Some(vec!["USA".to_string()]),
                    ..Default::default()
                }),
                ..CaseInput::default()
            })
            .unwrap()
        };
        let cases = [
            case("2019-06-01", "nuclear disarmament now"),
            case("2019-06-01", "human rights in a state"),
            case("2020-06-01", "nuclear disarmament now"),
            case("2019-06-01", "the embargo against cuba"),
        ];
        let memo = ContextMemo::new(&d, &ledger, ev);
        let mut answers = Vec::new();
        for k in cases {
            let fresh = prepare(&d, &ledger, &ev, &k);
            let kept = memo.prepare(&k);
            assert_eq!(kept.1, fresh.1, "{}", k.id);
            assert_eq!(kept.2, fresh.2, "{}", k.id);
            assert_eq!(kept.0, fresh.0, "{}", k.id);
            answers.push(fresh);
        }
        assert_eq!(memo.len(), 2, "one context per date");
        // What the memo had to keep apart: one date's cases with different precedents,
        // and the same title on two dates with different contexts.
        let vote_of = |i: usize| answers[i].2.precedent.as_ref().map(|p| p.vote);
        assert_eq!((vote_of(0), vote_of(1)), (Some(Opt::Yes), Some(Opt::No)));
        assert_eq!(vote_of(3), None, "roll call 3 is after 2019-06-01");
        assert_ne!(answers[0].1, answers[2].1);
    }

    #[test]
    fn years_before_handles_leap_days() {
        let d = Date::parse("2024-02-29").unwrap();
        assert_eq!(years_before(d, 1).to_string(), "2023-02-28");
        assert_eq!(years_before(d, 4).to_string(), "2020-02-29");
    }
}
