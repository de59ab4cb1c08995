//! The queries of `align` and `balance` and their JSON documents, written once: the CLI's
//! `--format json` and the API's `GET /api/align` and `GET /api/balance/{iso3}` print the
//! text [`json_text`] makes of the same [`align_json`] or [`balance_json`] value, so the
//! two give the same bytes for the same question.

use serde_json::{json, Value};

use bamboo_core::alignment::{balance_series_in, series_in, AlignRow, BalanceRow, SeriesSpec};
use bamboo_core::atlas::{Period, Reading, Summary};
use bamboo_core::bootstrap::{Bootstrap, Estimate};
use bamboo_core::groups::Group;
use bamboo_core::ideal::IdealPoints;
use bamboo_core::metrics::Metric;
use bamboo_core::select::Selection;
use bamboo_core::{Iso3, VoteStore};
use bamboo_data::Countries;

use crate::query::{subject_span, QueryError, Spelling};
use crate::views::{
    align_definitions, align_intervals, balance_definitions, balance_readings, balance_row_json,
    bootstrap_json, filter_json, mean_row_json,
};

/// A JSON document as both faces print it: pretty, with a final newline.
pub fn json_text(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// An alignment question over the roll calls of a selection.
#[derive(Clone, Debug)]
pub struct AlignQuery {
    pub subject: Iso3,
    pub others: Vec<Iso3>,
    /// The span, as [`crate::query::span`] checked it.
    pub spec: SeriesSpec,
    pub metric: Metric,
    pub boot: Option<Bootstrap>,
}

/// An alignment series and, with a bootstrap, the interval of the metric per row and state.
pub struct AlignAnswer {
    /// The span the rows cover (see [`subject_span`]).
    pub spec: SeriesSpec,
    pub rows: Vec<AlignRow>,
    pub cis: Option<Vec<Vec<Estimate>>>,
}

/// Computes an alignment series.
pub fn align(
    store: &VoteStore,
    sel: &Selection,
    q: &AlignQuery,
    sp: Spelling,
) -> Result<AlignAnswer, QueryError> {
    let spec = subject_span(store, q.subject, q.spec, sp)?;
    let rows =
        series_in(store, q.subject, &q.others, spec, sel).map_err(|e| QueryError(e.to_string()))?;
    let cis = q
        .boot
        .as_ref()
        .map(|b| align_intervals(store, sel, q.subject, &q.others, &rows, q.metric, b));
    Ok(AlignAnswer { spec, rows, cis })
}

/// The JSON of an alignment series.
pub fn align_json(q: &AlignQuery, sel: &Selection, a: &AlignAnswer, provenance: &str) -> Value {
    let mut out = json!({
        "subject": q.subject,
        "others": q.others,
        "by": q.spec.by,
        "metric": q.metric.name(),
        "definitions": align_definitions(q.metric, &sel.filter, q.boot.as_ref()),
        "source": bamboo_data::text::source_json(provenance),
        "rows": a.rows.iter().enumerate().map(|(k, r)| json!({
            "from": r.from, "to": r.to, "roll_calls": r.roll_calls,
            "with": r.with.iter().enumerate().map(|(j, (c, m))| {
                let mut o = json!(m);
                o["country"] = json!(c);
                if let Some(ci) = &a.cis {
                    o["lo"] = json!(ci[k][j].lo);
                    o["hi"] = json!(ci[k][j].hi);
                }
                o
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    if let Some(b) = &q.boot {
        out["bootstrap"] = bootstrap_json(b);
    }
    if !sel.filter.is_all() {
        out["filter"] = filter_json(&sel.filter);
    }
    out
}

/// One state's balance series, with its intervals when a bootstrap asks for them.
#[derive(Clone, Debug)]
pub struct BalanceSeries {
    pub state: Iso3,
    pub rows: Vec<BalanceRow>,
    pub readings: Option<Vec<Reading>>,
}

/// The balance series of `subject` between `poles` over `spec` (narrowed to the years it
/// voted in, see [`subject_span`]), read with `metric`, or from `ideal` with
/// `--metric ideal`.
#[allow(clippy::too_many_arguments)]
pub fn balance_series(
    store: &VoteStore,
    sel: &Selection,
    subject: Iso3,
    poles: &[Iso3],
    spec: SeriesSpec,
    metric: Metric,
    boot: Option<&Bootstrap>,
    ideal: Option<&IdealPoints>,
    sp: Spelling,
) -> Result<BalanceSeries, QueryError> {
    let spec = subject_span(store, subject, spec, sp)?;
    let rows = match ideal {
        Some(f) => bamboo_core::ideal::ideal_balance_series(f, subject, poles, spec),
        None => balance_series_in(store, subject, poles, spec, metric, sel),
    }
    .map_err(|e| QueryError(e.to_string()))?;
    let readings = boot.map(|b| balance_readings(store, sel, subject, poles, &rows, metric, b));
    Ok(BalanceSeries {
        state: subject,
        rows,
        readings,
    })
}

/// Everything a balance document says.
pub struct BalanceDoc<'a> {
    pub countries: &'a Countries,
    pub provenance: &'a str,
    pub poles: &'a [Iso3],
    pub metric: Metric,
    pub by: bamboo_core::alignment::By,
    pub selection: &'a Selection,
    pub boot: Option<&'a Bootstrap>,
    /// One series (`subject`, `rows`), or several (`subjects`, `series`).
    pub series: &'a [BalanceSeries],
    /// Several series are listed as such even when only one is left (a group's members).
    pub many: bool,
    pub ideal: Option<&'a IdealPoints>,
    pub group: Option<&'a Group>,
    /// The group's mean per span.
    pub average: Option<&'a [(Period, Vec<Iso3>, Summary)]>,
}

/// The JSON of a balance question.
pub fn balance_json(d: &BalanceDoc) -> Value {
    let rows = |s: &BalanceSeries| {
        s.rows
            .iter()
            .enumerate()
            .map(|(k, r)| balance_row_json(r, s.readings.as_ref().map(|x| &x[k])))
            .collect::<Vec<_>>()
    };
    let mut v = json!({
        "poles": d.poles.iter().map(|c| json!({"iso3": c, "name": d.countries.short_name(*c)})).collect::<Vec<_>>(),
        "metric": d.metric.name(),
        "by": d.by,
        "definitions": balance_definitions(d.metric, &d.selection.filter, d.boot, d.group),
        "source": bamboo_data::text::source_json(d.provenance),
    });
    match (d.many, d.series) {
        (false, [s]) => {
            v["subject"] = json!(s.state);
            v["name"] = json!(d.countries.short_name(s.state));
            v["rows"] = json!(rows(s));
        }
        _ => {
            v["subjects"] = json!(d.series.iter().map(|s| s.state).collect::<Vec<_>>());
            v["series"] = json!(d
                .series
                .iter()
                .map(|s| json!({
                    "subject": s.state,
                    "name": d.countries.short_name(s.state),
                    "rows": rows(s),
                }))
                .collect::<Vec<_>>());
        }
    }
    if let Some(fit) = d.ideal {
        v["definitions"]["alignment"] = json!(bamboo_core::ideal::measure::definition(fit.range()));
        v["definitions"]["n"] = json!("sessions in which both have an ideal point");
        v["fit"] = bamboo_data::ideal::fit_json(fit);
    }
    if let Some(b) = d.boot {
        v["bootstrap"] = bootstrap_json(b);
    }
    if !d.selection.filter.is_all() {
        v["filter"] = filter_json(&d.selection.filter);
    }
    if let Some(g) = d.group {
        v["group"] = json!({"code": g.code, "name": g.name});
    }
    if let (Some(rows), Some(g)) = (d.average, d.group) {
        v["average"] = json!({
            "group": g.code,
            "rows": rows.iter().map(|(p, m, s)| mean_row_json(p, m, s, d.poles, d.boot.is_some())).collect::<Vec<_>>(),
        });
    }
    v
}
