//! The atlas and shifts as the CLI and the API both give them: one function computes each
//! from its request and one writes its JSON, so `bamboo atlas --format json` and
//! `GET /api/atlas` give the same numbers in the same shape (only the source line differs:
//! the CLI names the folder it read).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use bamboo_core::atlas::{
    AlignmentSource, Atlas, Measure, Period, Reading, Summary, VoteAlignment,
};
use bamboo_core::bootstrap::{Bootstrap, Estimate};
use bamboo_core::groups::Group;
use bamboo_core::select::{RollCallFilter, Selection};
use bamboo_core::shifts::{shifts, ShiftQuery, Shifts};
use bamboo_core::{Iso3, VoteStore};
use bamboo_data::Countries;

// The atlas's question and its computation are core's, shared with the Python package.
pub use bamboo_core::atlas::{compute_atlas, AtlasAsk};

/// A value with its interval.
pub fn estimate_json(e: &Estimate) -> Value {
    json!({ "value": e.value, "lo": e.lo, "hi": e.hi })
}

fn period_json(p: &Period) -> Value {
    json!({ "from": p.from, "to": p.to })
}

/// The filter as JSON: the issue codes asked and the important flag.
pub fn filter_json(f: &RollCallFilter) -> Value {
    json!({ "issues": f.issue_codes(), "important": f.important })
}

/// The bootstrap's settings as JSON.
pub fn bootstrap_json(b: &Bootstrap) -> Value {
    json!({ "replicates": b.replicates, "seed": b.seed, "level": b.level })
}

/// The definitions of lean, balance and the pole leaned toward, as every balance-like
/// output gives them.
pub const LEAN: &str = "max alignment - min alignment over the poles (0 = equidistant); undefined unless every pole is defined";
pub const TOWARD: &str =
    "the pole with the largest alignment (the first pole listed on an exact tie)";
pub const TIE: &str = "the poles whose interval overlaps the interval of the pole leaned toward, that pole first; empty when the direction of the lean is clear";
pub const TOWARD_SHARE: &str =
    "the share of bootstrap replicates in which the pole leaned toward is the closest";

fn reading_json(r: &Reading, poles: &[Iso3]) -> Value {
    json!({
        "alignments": poles.iter().zip(&r.alignments).zip(&r.n).map(|((p, e), n)| json!({
            "pole": p, "n": n, "value": e.value, "lo": e.lo, "hi": e.hi,
        })).collect::<Vec<_>>(),
        "lean": estimate_json(&r.lean),
        "balance": estimate_json(&r.balance),
        "toward": r.toward,
        "tie": r.tie,
        "toward_share": r.toward_share,
    })
}

fn summary_json(s: &Summary, poles: &[Iso3]) -> Value {
    json!({
        "states": s.states,
        "alignments": poles.iter().zip(&s.alignments).map(|(p, e)| json!({
            "pole": p, "value": e.value, "lo": e.lo, "hi": e.hi,
        })).collect::<Vec<_>>(),
        "lean": estimate_json(&s.lean),
        "balance": estimate_json(&s.balance),
        "toward": s.toward,
    })
}

/// The definition of every field of the atlas.
pub fn atlas_definitions(
    a: &Atlas,
    ask: &AtlasAsk,
    measure: &str,
) -> BTreeMap<&'static str, String> {
    let mut d = BTreeMap::new();
    d.insert("alignment", measure.to_string());
    d.insert(
        "n",
        "roll calls on which the state and the pole both voted".into(),
    );
    d.insert("lean", LEAN.into());
    d.insert("balance", "1 - lean".into());
    d.insert("toward", TOWARD.into());
    d.insert("tie", TIE.into());
    d.insert("toward_share", TOWARD_SHARE.into());
    d.insert(
        "rank",
        format!("rank by balance among the {} states with a defined lean in the period (1 = the most balanced, ties share a rank; the poles are not ranked), with rank_lo-rank_hi its interval over the replicates, widened where needed to hold the rank itself (ranks near either end are biased in replicates)", a.ranked),
    );
    d.insert(
        "median",
        "the median over every state that voted in the period (the poles excluded) of each figure, with its interval from the same replicates; lean_vs_median = the state's lean - the median lean".into(),
    );
    d.insert(
        "change",
        match &a.previous {
            Some(p) => format!("the figure in this period minus the figure in {} (the closest earlier year with roll calls, or for a span the span of equal length before it); its interval comes from independent replicates of the two periods", p.label()),
            None => "no earlier period with roll calls to compare with".into(),
        },
    );
    if ask.measure == Measure::Ideal {
        d.insert(
            "n",
            "sessions in which the state and the pole both have an ideal point".into(),
        );
        d.insert(
            "interval",
            format!(
                "{}% interval = the {} and {} percentiles of {} replicates (seed {}): {}",
                ask.boot.level,
                (100.0 - ask.boot.level) / 2.0,
                100.0 - (100.0 - ask.boot.level) / 2.0,
                ask.boot.replicates,
                ask.boot.seed,
                bamboo_core::ideal::measure::IDEAL_INTERVALS.trim_start_matches("intervals: ")
            ),
        );
        d.insert(
            "roll_calls",
            "the contested roll calls of the sessions that opened in the period, which the fit read".into(),
        );
    } else {
        d.insert("interval", ask.boot.definition());
        d.insert("roll_calls", ask.filter.definition());
    }
    if let Some(g) = &ask.group {
        d.insert("group", g.definition());
        if ask.average {
            d.insert(
                "average",
                format!("the mean over the members of {} of each pole's alignment and of the members' leans (balance = 1 - that mean), with intervals from the same replicates; toward = the pole with the largest mean alignment", g.code),
            );
        }
    }
    d
}

/// The atlas's JSON with its state rows in `order` (core's `atlas::table::sorted`: by code,
/// by rank, or by lean), as `bamboo atlas --sort` and `GET /api/atlas?sort=` both give it.
pub fn atlas_json_sorted(
    a: &Atlas,
    ask: &AtlasAsk,
    countries: &Countries,
    provenance: &str,
    order: bamboo_core::atlas::table::Order,
) -> Value {
    let mut v = atlas_json(a, ask, countries, provenance);
    let states: Vec<&str> = bamboo_core::atlas::table::sorted(a, order)
        .iter()
        .map(|r| r.state.as_str())
        .collect();
    if let Some(rows) = v["rows"].as_array_mut() {
        rows.sort_by_key(|r| states.iter().position(|s| r["state"].as_str() == Some(*s)));
    }
    v
}

/// The atlas as JSON (the CLI's `--format json` and `GET /api/atlas`).
pub fn atlas_json(a: &Atlas, ask: &AtlasAsk, countries: &Countries, provenance: &str) -> Value {
    let src_def = match ask.measure {
        Measure::Votes(m) => m.definition().to_string(),
        Measure::Ideal => a.definition.clone(),
    };
    let median_lean = a.median.lean.value;
    json!({
        "period": period_json(&a.period),
        "previous": a.previous.as_ref().map(period_json),
        "roll_calls": a.observations,
        "metric": ask.measure.name(),
        "poles": a.poles.iter().map(|p| json!({"iso3": p, "name": countries.short_name(*p)})).collect::<Vec<_>>(),
        "filter": filter_json(&ask.filter),
        "group": ask.group.as_ref().map(|g| json!({
            "code": g.code, "name": g.name,
            "members": a.rows.iter().map(|r| r.state).collect::<Vec<_>>(),
        })),
        "bootstrap": bootstrap_json(&ask.boot),
        "ranked": a.ranked,
        "definitions": atlas_definitions(a, ask, &src_def),
        "source": bamboo_data::text::source_json(provenance),
        "median": summary_json(&a.median, &a.poles),
        "average": a.average.as_ref().map(|(code, s)| {
            let mut v = summary_json(s, &a.poles);
            v["group"] = json!(code);
            v
        }),
        "rows": a.rows.iter().map(|r| {
            let mut v = reading_json(&r.reading, &a.poles);
            v["state"] = json!(r.state);
            v["name"] = json!(countries.short_name(r.state));
            v["rank"] = json!(r.rank);
            v["rank_lo"] = json!(r.rank_lo);
            v["rank_hi"] = json!(r.rank_hi);
            v["lean_vs_median"] = json!(r.reading.lean.value.zip(median_lean).map(|(x, m)| x - m));
            v["change"] = match (&r.change, &a.previous) {
                (Some(c), Some(p)) => json!({
                    "since": period_json(p),
                    "alignments": a.poles.iter().zip(&c.alignments).map(|(p, e)| json!({
                        "pole": p, "value": e.value, "lo": e.lo, "hi": e.hi,
                    })).collect::<Vec<_>>(),
                    "lean": estimate_json(&c.lean),
                }),
                _ => Value::Null,
            };
            v
        }).collect::<Vec<_>>(),
    })
}

/// A shifts question.
#[derive(Clone, Debug)]
pub struct ShiftsAsk {
    pub state: Iso3,
    pub poles: Vec<Iso3>,
    pub from: i32,
    pub to: i32,
    pub window: u32,
    pub top: usize,
    pub filter: RollCallFilter,
    pub boot: Bootstrap,
}

/// The shifts of a state against each pole.
pub fn compute_shifts(store: &VoteStore, sel: &Selection, ask: &ShiftsAsk) -> Vec<(Iso3, Shifts)> {
    ask.poles
        .iter()
        .map(|&pole| {
            let q = ShiftQuery {
                state: ask.state,
                pole,
                from: ask.from,
                to: ask.to,
                window: ask.window,
                boot: ask.boot,
                top: ask.top,
            };
            (pole, shifts(store, sel, &q))
        })
        .collect()
}

/// The definitions of a shifts answer.
pub fn shifts_definitions(ask: &ShiftsAsk) -> BTreeMap<&'static str, String> {
    let mut d = BTreeMap::new();
    d.insert(
        "agreement",
        bamboo_core::metrics::Metric::Agreement
            .definition()
            .to_string(),
    );
    d.insert("baseline", format!("the state's usual pattern: its agreement with the pole over the {} years before (pooled), restarted at the last shift", ask.window));
    d.insert("shift", format!("a year whose agreement's {}% interval does not overlap the baseline's: the agreement moved beyond its interval", ask.boot.level));
    d.insert("change", "agreement in the year - agreement in the baseline, with the interval of independent replicates of both".into());
    d.insert("behaviour", "the part of the change the state's own votes made: the mean over the year's roll calls of (score - the score its usual answer to the pole's vote, as in the baseline, would have got)".into());
    d.insert("agenda", "the rest of the change (behaviour + agenda = change, exactly): the pole voted yes, abstain or no in other proportions than in the baseline".into());
    d.insert("drivers", format!("the roll calls (at most {} per shift, largest deviation first) on which the state's vote differed from its usual answer to the pole's vote, in the direction of the shift; usual = its most frequent vote in the baseline when the pole voted the same way, usual_share how often; contribution = deviation / roll calls of the year", ask.top));
    d.insert(
        "breaks",
        "how many roll calls of the year broke with the usual answer in the direction of the shift"
            .into(),
    );
    d.insert("interval", ask.boot.definition());
    d.insert("roll_calls", ask.filter.definition());
    d
}

/// Shifts as JSON (the CLI's `--format json` and `GET /api/shifts/{iso3}`).
pub fn shifts_json(
    ask: &ShiftsAsk,
    result: &[(Iso3, Shifts)],
    countries: &Countries,
    provenance: &str,
) -> Value {
    json!({
        "state": ask.state,
        "name": countries.short_name(ask.state),
        "from": ask.from,
        "to": ask.to,
        "window": ask.window,
        "filter": filter_json(&ask.filter),
        "bootstrap": bootstrap_json(&ask.boot),
        "definitions": shifts_definitions(ask),
        "source": bamboo_data::text::source_json(provenance),
        "poles": result.iter().map(|(pole, s)| json!({
            "pole": pole,
            "name": countries.short_name(*pole),
            "years_tested": s.years.len(),
            "years": s.years.iter().map(|y| json!({
                "year": y.year, "baseline": period_json(&y.baseline),
                "before": estimate_json(&y.before), "after": estimate_json(&y.after), "shift": y.shift,
            })).collect::<Vec<_>>(),
            "shifts": s.shifts.iter().map(|x| json!({
                "year": x.year,
                "baseline": period_json(&x.baseline),
                "before": estimate_json(&x.before),
                "after": estimate_json(&x.after),
                "change": estimate_json(&x.change),
                "n": x.n, "n_baseline": x.n_baseline,
                "behaviour": x.behaviour, "agenda": x.agenda,
                "breaks": x.breaks,
                "drivers": x.drivers.iter().map(|d| json!({
                    "rcid": d.rcid, "date": d.date.to_string(), "resolution": d.resolution, "title": d.title,
                    "vote": d.vote, "pole_vote": d.pole_vote, "usual": d.usual, "usual_share": d.usual_share,
                    "deviation": d.deviation, "contribution": d.contribution,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// A balance series with intervals: each row's reading from the bootstrap of its span.
pub fn balance_readings(
    store: &VoteStore,
    sel: &Selection,
    subject: Iso3,
    poles: &[Iso3],
    rows: &[bamboo_core::alignment::BalanceRow],
    metric: bamboo_core::metrics::Metric,
    boot: &Bootstrap,
) -> Vec<Reading> {
    let src = VoteAlignment {
        store,
        selection: sel,
        metric,
    };
    rows.iter()
        .map(|r| {
            let p = Period {
                from: r.from,
                to: r.to,
            };
            let d = src.draws(p, &[subject], poles, boot);
            bamboo_core::atlas::reading(&d, 0, poles, boot.level)
        })
        .collect()
}

/// The mean of a group's members against the poles in each span (members read on the
/// date of the span's last roll call), with intervals when `boot` has replicates.
pub fn group_means(
    store: &VoteStore,
    sel: &Selection,
    group: &Group,
    poles: &[Iso3],
    spans: &[(i32, i32)],
    metric: bamboo_core::metrics::Metric,
    boot: &Bootstrap,
) -> Vec<(Period, Vec<Iso3>, Summary)> {
    let src = VoteAlignment {
        store,
        selection: sel,
        metric,
    };
    spans
        .iter()
        .filter_map(|&(from, to)| {
            let p = Period { from, to };
            let members: Vec<Iso3> = group
                .members_on(src.last_date(p)?)
                .into_iter()
                .filter(|m| !poles.contains(m))
                .collect();
            let d = src.draws(p, &members, poles, boot);
            let all: Vec<usize> = (0..members.len()).collect();
            let s = bamboo_core::atlas::group_mean(&d, &all, poles, boot.level);
            Some((p, members, s))
        })
        .collect()
}

/// The definitions of a balance output.
pub fn balance_definitions(
    metric: bamboo_core::metrics::Metric,
    filter: &RollCallFilter,
    boot: Option<&Bootstrap>,
    group: Option<&Group>,
) -> BTreeMap<&'static str, String> {
    let mut d = BTreeMap::new();
    d.insert("alignment", metric.definition().to_string());
    d.insert("lean", LEAN.to_string());
    d.insert("balance", "1 - lean".to_string());
    d.insert("toward", "the pole with the largest alignment".to_string());
    if !filter.is_all() {
        d.insert("roll_calls", filter.definition());
    }
    if let Some(b) = boot {
        d.insert("interval", b.definition());
        d.insert("tie", TIE.to_string());
        d.insert("toward_share", TOWARD_SHARE.to_string());
    }
    if let Some(g) = group {
        d.insert("group", g.definition());
        d.insert("average", format!("the mean over the members of {} of each pole's alignment and of the members' leans (balance = 1 - that mean); n = the members averaged", g.code));
    }
    d
}

/// The interval of `metric` between the subject and each other state, per row of an
/// alignment series (`align --ci`, `GET /api/align?ci=`): `[row][other]`.
#[allow(clippy::too_many_arguments)]
pub fn align_intervals(
    store: &VoteStore,
    sel: &Selection,
    subject: Iso3,
    others: &[Iso3],
    rows: &[bamboo_core::alignment::AlignRow],
    metric: bamboo_core::metrics::Metric,
    boot: &Bootstrap,
) -> Vec<Vec<Estimate>> {
    let src = VoteAlignment {
        store,
        selection: sel,
        metric,
    };
    rows.iter()
        .map(|r| {
            let period = Period {
                from: r.from,
                to: r.to,
            };
            let d = src.draws(period, &[subject], others, boot);
            (0..others.len())
                .map(|j| {
                    Estimate::from_values(
                        d.point(0, j),
                        (0..d.replicates).map(|k| d.rep(k, 0, j)).collect(),
                        boot.level,
                    )
                })
                .collect()
        })
        .collect()
}

/// The definitions of an alignment series' JSON: every measure, the interval's ends when
/// there is a bootstrap, and the roll calls read when a filter keeps only some.
pub fn align_definitions(
    metric: bamboo_core::metrics::Metric,
    filter: &RollCallFilter,
    boot: Option<&Bootstrap>,
) -> Value {
    let mut d = json!(bamboo_core::metrics::measure_definitions());
    if let Some(b) = boot {
        d["lo"] = json!(format!(
            "the low end of the {} interval of `{}`",
            b.level,
            metric.name()
        ));
        d["hi"] = json!(format!(
            "the high end of the {} interval of `{}`; {}",
            b.level,
            metric.name(),
            b.definition()
        ));
    }
    if !filter.is_all() {
        d["roll_calls"] = json!(filter.definition());
    }
    d
}

/// One balance row as JSON, with its interval fields when it has a reading.
pub fn balance_row_json(
    r: &bamboo_core::alignment::BalanceRow,
    reading: Option<&Reading>,
) -> Value {
    let mut v = json!({
        "from": r.from, "to": r.to, "roll_calls": r.roll_calls,
        "alignments": r.reading.alignments.iter().zip(&r.n).enumerate().map(|(k, ((p, a), (_, n)))| {
            let mut o = json!({"pole": p, "n": n, "alignment": a});
            if let Some(x) = reading {
                o["lo"] = json!(x.alignments[k].lo);
                o["hi"] = json!(x.alignments[k].hi);
            }
            o
        }).collect::<Vec<_>>(),
        "lean": r.reading.lean, "balance": r.reading.balance, "toward": r.reading.toward,
    });
    if let Some(x) = reading {
        v["lean_lo"] = json!(x.lean.lo);
        v["lean_hi"] = json!(x.lean.hi);
        v["balance_lo"] = json!(x.balance.lo);
        v["balance_hi"] = json!(x.balance.hi);
        v["tie"] = json!(x.tie);
        v["toward_share"] = json!(x.toward_share);
    }
    v
}

/// A group's mean row as JSON, in the shape of a balance row.
pub fn mean_row_json(
    p: &Period,
    members: &[Iso3],
    s: &Summary,
    poles: &[Iso3],
    with_ci: bool,
) -> Value {
    let mut v = json!({
        "from": p.from, "to": p.to, "members": members,
        "alignments": poles.iter().zip(&s.alignments).map(|(pole, e)| {
            let mut o = json!({"pole": pole, "n": members.len(), "alignment": e.value});
            if with_ci {
                o["lo"] = json!(e.lo);
                o["hi"] = json!(e.hi);
            }
            o
        }).collect::<Vec<_>>(),
        "lean": s.lean.value, "balance": s.balance.value, "toward": s.toward,
    });
    if with_ci {
        v["lean_lo"] = json!(s.lean.lo);
        v["lean_hi"] = json!(s.lean.hi);
        v["balance_lo"] = json!(s.balance.lo);
        v["balance_hi"] = json!(s.balance.hi);
    }
    v
}
