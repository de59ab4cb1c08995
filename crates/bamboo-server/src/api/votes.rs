//! The vote endpoints: health, countries, a state's alignment with others, its balance
//! between poles, and every dyad of a year (optionally within one region).
//!
//! The JSON has the shape of the CLI's `--format json` for the same question (`subject`,
//! `definitions`, `source`, `rows`), so what a reader learns from one serves the other.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use bamboo_core::alignment::{balance_series_in, series_in, By, SeriesSpec};
use bamboo_core::atlas::Reading;
use bamboo_core::bootstrap::{Bootstrap, Estimate};
use bamboo_core::dyads::YearBits;
use bamboo_core::ideal::{ideal_balance_series, ideal_series};
use bamboo_core::metrics::Metric;
use bamboo_core::select::Selection;
use bamboo_core::Iso3;

use crate::api::atlas::{bootstrap, filter, require_roll_calls, selection};
use crate::api::blocking;

/// Why `metric=ideal` refuses a roll-call filter or `ci`.
const IDEAL_ALONE: &str = "metric=ideal reads one fit of every roll call: it takes neither issue/important nor ci (the fit's own intervals are in /api/ideal)";
use crate::error::ApiError;
use crate::params::{country, Params};
use crate::state::AppState;

/// The poles when none are given (the spec's default).
pub const DEFAULT_POLES: [Iso3; 3] = [
    Iso3::from_static("USA"),
    Iso3::from_static("CHN"),
    Iso3::from_static("RUS"),
];

/// `GET /api/health`: liveness, what is loaded, and the limits.
pub async fn health(State(st): State<AppState>, p: Params) -> Result<Json<Value>, ApiError> {
    p.allow(&[])?;
    let v = st.votes();
    let (lo, hi) = v.store.year_span().unwrap_or((0, 0));
    let ledger = st.ledger().status().await?;
    Ok(Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "data": {
            "roll_calls": v.store.roll_calls().len(),
            "votes": v.store.vote_count(),
            "countries": v.store.countries().len(),
            "years": [lo, hi],
            "source": bamboo_data::text::source_json(&v.provenance),
        },
        "ledger": ledger,
        "simulations": {
            "running": st.catalog().sim.running(),
            "waiting": st.catalog().sim.waiting(),
        },
        "features": crate::api::features(&st),
        "limits": st.limits(),
    })))
}

/// `GET /api/countries`: the country table, with the years each state voted.
pub async fn countries(State(st): State<AppState>, p: Params) -> Result<Json<Value>, ApiError> {
    p.allow(&[])?;
    let v = st.votes();
    let list: Vec<Value> = v
        .countries
        .all()
        .iter()
        .map(|c| {
            let span = v
                .store
                .country_index(c.iso3)
                .and_then(|i| v.store.voting_span(i));
            json!({
                "iso3": c.iso3,
                "name": c.name,
                "short_name": v.countries.short_name(c.iso3),
                "region": c.region,
                "subregion": c.subregion,
                "un_member": c.un_member,
                "historical": c.historical,
                "voted": span.map(|(a, b)| json!([a.year(), b.year()])),
            })
        })
        .collect();
    let mut regions: Vec<&str> = v
        .countries
        .all()
        .iter()
        .map(|c| c.region.as_str())
        .filter(|r| !r.is_empty())
        .collect();
    regions.sort_unstable();
    regions.dedup();
    Ok(Json(json!({ "regions": regions, "countries": list })))
}

/// `GET /api/align?a=VNM&b=USA,CHN,RUS&from=&to=&by=&metric=`.
pub async fn align(State(st): State<AppState>, p: Params) -> Result<Json<Value>, ApiError> {
    let p = p.allow(&[
        "a",
        "b",
        "from",
        "to",
        "by",
        "metric",
        "issue",
        "important",
        "ci",
        "replicates",
        "seed",
    ])?;
    blocking(move || {
        let v = st.votes();
        let subject = p.country("a", &v.countries)?.ok_or_else(|| {
            ApiError::bad_request("parameter `a` is required: the subject state, e.g. a=VNM")
        })?;
        let others = p
            .countries("b", &v.countries)?
            .filter(|o| !o.is_empty())
            .unwrap_or_else(|| {
                DEFAULT_POLES
                    .into_iter()
                    .filter(|c| *c != subject)
                    .collect()
            });
        let by = p.by()?;
        let metric = p.metric()?;
        let (from, to) = p.span(&v.store)?;
        if metric == Metric::Ideal {
            if !filter(&p)?.is_all() || bootstrap(&p, None)?.is_some() {
                return Err(ApiError::unprocessable(IDEAL_ALONE.to_string()));
            }
            let fit = st
                .ideal()
                .estimate_blocking(&st, crate::api::ideal::wait(&st))?;
            let rows = ideal_series(&fit, subject, &others, SeriesSpec { from, to, by })
                .map_err(|e| ApiError::unprocessable(e.to_string()))?;
            return Ok(bamboo_data::ideal::align_json(
                &fit, &v.store, subject, &others, by, &rows,
            ));
        }
        let sel = selection(&st, filter(&p)?)?;
        require_roll_calls(&st, &sel, from, to)?;
        let boot = bootstrap(&p, None)?;
        let rows = series_in(
            &v.store,
            subject,
            &others,
            SeriesSpec { from, to, by },
            &sel,
        )
        .map_err(|e| ApiError::unprocessable(e.to_string()))?;
        let cis: Option<Vec<Vec<Estimate>>> = boot.as_ref().map(|b| {
            crate::views::align_intervals(&v.store, &sel, subject, &others, &rows, metric, b)
        });
        let definitions = crate::views::align_definitions(metric, &sel.filter, boot.as_ref());
        let mut out = json!({
            "subject": subject,
            "others": others,
            "by": by,
            "metric": metric.name(),
            "definitions": definitions,
            "source": bamboo_data::text::source_json(&v.provenance),
            "rows": rows.iter().enumerate().map(|(k, r)| json!({
                "from": r.from, "to": r.to, "roll_calls": r.roll_calls,
                "with": r.with.iter().enumerate().map(|(j, (c, m))| {
                    let mut o = json!(m);
                    o["country"] = json!(c);
                    if let Some(ci) = &cis {
                        o["lo"] = json!(ci[k][j].lo);
                        o["hi"] = json!(ci[k][j].hi);
                    }
                    o
                }).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        if let Some(b) = &boot {
            out["bootstrap"] = crate::views::bootstrap_json(b);
        }
        if !sel.filter.is_all() {
            out["filter"] = crate::views::filter_json(&sel.filter);
        }
        Ok(out)
    })
    .await
    .map(Json)
}

/// The rows of a balance question, shared by the JSON and the chart.
pub struct BalanceQuery {
    pub subject: Iso3,
    pub poles: Vec<Iso3>,
    pub metric: Metric,
    pub by: By,
    pub rows: Vec<bamboo_core::alignment::BalanceRow>,
    /// With `metric=ideal`: the fit the alignments were read from.
    pub ideal: Option<std::sync::Arc<bamboo_core::ideal::IdealPoints>>,
    /// The roll calls read (by issue, important votes).
    pub selection: Selection,
    /// The bootstrap, when `ci` asks for intervals, and each row's reading with them.
    pub boot: Option<Bootstrap>,
    pub readings: Option<Vec<Reading>>,
}

/// Reads `poles, from, to, by, metric` and computes the balance series of `iso3`.
pub fn balance_query(st: &AppState, iso3: &str, p: &Params) -> Result<BalanceQuery, ApiError> {
    let v = st.votes();
    let subject = country(iso3, "the country in the path", &v.countries)?;
    let poles = p
        .countries("poles", &v.countries)?
        .unwrap_or_else(|| DEFAULT_POLES.to_vec());
    if poles.len() < 2 {
        return Err(ApiError::bad_request(
            "parameter `poles` needs at least two states, e.g. poles=USA,CHN,RUS",
        ));
    }
    if poles.contains(&subject) {
        return Err(ApiError::bad_request(format!(
            "parameter `poles`: {subject} is the subject itself; list the other powers (default: USA,CHN,RUS)"
        )));
    }
    let by = p.by()?;
    let metric = p.metric()?;
    let (from, to) = p.span(&v.store)?;
    let sel = selection(st, filter(p)?)?;
    let spec = SeriesSpec { from, to, by };
    require_roll_calls(st, &sel, from, to)?;
    let boot = bootstrap(p, None)?;
    let (rows, ideal) = if metric == Metric::Ideal {
        if !sel.filter.is_all() || boot.is_some() {
            return Err(ApiError::unprocessable(IDEAL_ALONE.to_string()));
        }
        let fit = st
            .ideal()
            .estimate_blocking(st, crate::api::ideal::wait(st))?;
        let rows = ideal_balance_series(&fit, subject, &poles, spec);
        (rows, Some(fit))
    } else {
        (
            balance_series_in(&v.store, subject, &poles, spec, metric, &sel),
            None,
        )
    };
    let rows = rows.map_err(|e| ApiError::unprocessable(e.to_string()))?;
    let readings = boot
        .as_ref()
        .map(|b| crate::views::balance_readings(&v.store, &sel, subject, &poles, &rows, metric, b));
    Ok(BalanceQuery {
        subject,
        poles,
        metric,
        by,
        rows,
        ideal,
        selection: sel,
        boot,
        readings,
    })
}

/// `GET /api/balance/{iso3}?poles=&from=&to=&by=&metric=`.
pub async fn balance(
    State(st): State<AppState>,
    Path(iso3): Path<String>,
    p: Params,
) -> Result<Json<Value>, ApiError> {
    let p = p.allow(&[
        "poles",
        "from",
        "to",
        "by",
        "metric",
        "issue",
        "important",
        "ci",
        "replicates",
        "seed",
    ])?;
    blocking(move || {
        let q = balance_query(&st, &iso3, &p)?;
        let v = st.votes();
        let mut out = json!({
            "subject": q.subject,
            "name": v.countries.short_name(q.subject),
            "poles": q.poles.iter().map(|c| json!({"iso3": c, "name": v.countries.short_name(*c)})).collect::<Vec<_>>(),
            "metric": q.metric.name(),
            "by": q.by,
            "definitions": crate::views::balance_definitions(q.metric, &q.selection.filter, q.boot.as_ref(), None),
            "source": bamboo_data::text::source_json(&v.provenance),
            "rows": q.rows.iter().enumerate().map(|(k, r)| crate::views::balance_row_json(r, q.readings.as_ref().map(|x| &x[k]))).collect::<Vec<_>>(),
        });
        if let Some(fit) = &q.ideal {
            out["definitions"]["alignment"] =
                json!(bamboo_core::ideal::measure::definition(fit.range()));
            out["definitions"]["n"] = json!("sessions in which both have an ideal point");
            out["fit"] = bamboo_data::ideal::fit_json(fit);
        }
        if let Some(b) = &q.boot {
            out["bootstrap"] = crate::views::bootstrap_json(b);
        }
        if !q.selection.filter.is_all() {
            out["filter"] = crate::views::filter_json(&q.selection.filter);
        }
        Ok(out)
    })
    .await
    .map(Json)
}

/// The states that voted in `year` and belong to `region` (all when `None`), ordered by
/// subregion then name, so neighbours sit together in a heatmap; with their store indices.
pub fn year_members(st: &AppState, bits: &YearBits, region: Option<&str>) -> Vec<(Iso3, usize)> {
    let v = st.votes();
    let mut out: Vec<(String, String, Iso3, usize)> = bits
        .countries
        .iter()
        .enumerate()
        .filter_map(|(k, &idx)| {
            let code = v.store.countries()[idx as usize];
            let c = v.countries.get(code);
            let (reg, sub) = c.map_or(("", ""), |c| (c.region.as_str(), c.subregion.as_str()));
            match region {
                Some(r) if !reg.eq_ignore_ascii_case(r) => None,
                _ => Some((sub.to_string(), v.countries.short_name(code), code, k)),
            }
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, _, c, k)| (c, k)).collect()
}

/// Checks `year` (required) and `region` (optional, a region of countries.csv).
pub fn year_and_region(st: &AppState, p: &Params) -> Result<(i32, Option<String>), ApiError> {
    let v = st.votes();
    let (lo, hi) = v.store.year_span().unwrap_or((0, 0));
    let year = p.year("year")?.ok_or_else(|| {
        ApiError::bad_request(format!(
            "parameter `year` is required, e.g. year={hi} (the data covers {lo}-{hi})"
        ))
    })?;
    if !(lo..=hi).contains(&year) || v.store.year_roll_calls(year).is_empty() {
        return Err(ApiError::bad_request(format!(
            "parameter `year`: there are no recorded votes in {year}; the data covers {lo}-{hi} (no recorded votes in 1964)"
        )));
    }
    let region = match p.get("region") {
        None => None,
        Some(r) => {
            let mut known: Vec<&str> = v
                .countries
                .all()
                .iter()
                .map(|c| c.region.as_str())
                .filter(|r| !r.is_empty())
                .collect();
            known.sort_unstable();
            known.dedup();
            match known.iter().find(|k| k.eq_ignore_ascii_case(r)) {
                Some(k) => Some(k.to_string()),
                None => {
                    return Err(ApiError::bad_request(format!(
                        "parameter `region`: `{r}` is not a region; use one of: {}",
                        known.join(", ")
                    )))
                }
            }
        }
    };
    Ok((year, region))
}

/// `GET /api/dyads?year=2019&region=Asia`: every pair (a < b) that shared a roll call.
pub async fn dyads(State(st): State<AppState>, p: Params) -> Result<Json<Value>, ApiError> {
    let p = p.allow(&["year", "region", "issue", "important", "group"])?;
    blocking(move || {
        let (year, region) = year_and_region(&st, &p)?;
        let v = st.votes();
        let sel = selection(&st, filter(&p)?)?;
        require_roll_calls(&st, &sel, year, year)?;
        let group = crate::api::atlas::group(&st, &p)?;
        let bits = YearBits::selected(&v.store, year, &sel);
        let mut members = year_members(&st, &bits, region.as_deref());
        if let Some(g) = &group {
            let last = sel
                .indices(v.store.year_roll_calls(year))
                .last()
                .map(|i| v.store.roll_calls()[i].date);
            let inside = last.map_or_else(Vec::new, |d| g.members_on(d));
            members.retain(|m| inside.contains(&m.0));
        }
        members.sort_by_key(|m| m.0);
        let mut dyads = Vec::new();
        for (i, &(a, ka)) in members.iter().enumerate() {
            for &(b, kb) in &members[i + 1..] {
                let m = bits.table(ka, kb).measures();
                if m.n == 0 {
                    continue;
                }
                dyads.push(json!({
                    "a": a, "b": b, "n": m.n, "agreement": m.agreement, "s": m.s,
                    "kappa": m.kappa, "pi": m.pi,
                }));
            }
        }
        Ok(json!({
            "year": year,
            "region": region,
            "group": group.as_ref().map(|g| &g.code),
            "filter": crate::views::filter_json(&sel.filter),
            "roll_calls": sel.count(v.store.year_roll_calls(year)),
            "countries": members.iter().map(|(c, _)| c).collect::<Vec<_>>(),
            "definitions": {
                "n": "roll calls on which both states voted",
                "agreement": Metric::Agreement.definition(),
                "s": "Signorino-Ritter S (r=1)",
                "kappa": "Cohen's weighted κ (r=2)",
                "pi": Metric::Pi.definition(),
            },
            "source": bamboo_data::text::source_json(&v.provenance),
            "dyads": dyads,
        }))
    })
    .await
    .map(Json)
}

/// The most cases one `GET /api/record/{iso3}` answers (narrow the span for more).
pub const MAX_RECORD_CASES: usize = 5000;

/// A date parameter: `YYYY-MM-DD`, or a year (its first day, or its last for an end).
fn date_param(p: &Params, name: &str, end: bool) -> Result<Option<bamboo_core::Date>, ApiError> {
    let Some(s) = p.get(name) else {
        return Ok(None);
    };
    let t = s.trim();
    let d = if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = t.parse().unwrap_or(0);
        bamboo_core::Date::new(y, if end { 12 } else { 1 }, if end { 31 } else { 1 })
            .map_err(|e| e.to_string())
    } else {
        bamboo_core::Date::parse(t).map_err(|e| e.to_string())
    };
    d.map(Some).map_err(|e| {
        ApiError::bad_request(format!(
            "parameter `{name}`: {e}; allowed: YYYY-MM-DD or YYYY"
        ))
    })
}

/// `GET /api/record/{iso3}?from=&to=`: every recorded UN vote of a state as spec cases,
/// byte for byte `bamboo cases from-votes --subject ISO3 --format json`.
pub async fn record(
    State(st): State<AppState>,
    Path(iso3): Path<String>,
    p: Params,
) -> Result<(axum::http::HeaderMap, String), ApiError> {
    let p = p.allow(&["from", "to"])?;
    blocking(move || {
        let v = st.votes();
        let subject = country(&iso3, "the country in the path", &v.countries)?;
        let (from, to) = (date_param(&p, "from", false)?, date_param(&p, "to", true)?);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(ApiError::bad_request(format!(
                    "parameter `from` ({f}) is after `to` ({t})"
                )));
            }
        }
        let rules = bamboo_data::record::load_rules(None, &v.countries)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let cases = bamboo_core::record::cases_from_votes(
            &v.store,
            &rules,
            &bamboo_core::record::RecordQuery { subject, from, to },
        );
        if cases.is_empty() {
            return Err(ApiError::unprocessable(format!(
                "{subject} recorded no vote (yes, no or abstain) in the loaded data within the span"
            )));
        }
        if cases.len() > MAX_RECORD_CASES {
            return Err(ApiError::unprocessable(format!(
                "{} cases: at most {MAX_RECORD_CASES} per answer; narrow `from` and `to`",
                cases.len()
            )));
        }
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        );
        Ok((h, bamboo_data::case::cases_json(&cases)))
    })
    .await
}
