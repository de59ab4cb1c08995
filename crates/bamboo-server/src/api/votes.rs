//! The vote endpoints: health, countries, a state's alignment with others, its balance
//! between poles, and every dyad of a year (optionally within one region).
//!
//! The JSON has the shape of the CLI's `--format json` for the same question (`subject`,
//! `definitions`, `source`, `rows`), so what a reader learns from one serves the other.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};

use bamboo_app::charts::year_members;
use bamboo_app::doc::{self, json_text, AlignQuery, BalanceDoc, BalanceSeries};
use bamboo_app::query::{check_poles, Spelling, DEFAULT_POLES};
use bamboo_core::alignment::By;
use bamboo_core::bootstrap::Bootstrap;
use bamboo_core::dyads::YearBits;
use bamboo_core::ideal::ideal_series;
use bamboo_core::metrics::Metric;
use bamboo_core::select::Selection;
use bamboo_core::Iso3;

use crate::api::atlas::{bootstrap, filter, require_roll_calls, selection};
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::params::{bad, country, Params};
use crate::state::AppState;

/// Why `metric=ideal` refuses a roll-call filter or `ci`.
const IDEAL_ALONE: &str = "metric=ideal reads one fit of every roll call: it takes neither issue/important nor ci (the fit's own intervals are in /api/ideal)";

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
        "features": st.features(),
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

/// `GET /api/align?a=VNM&b=USA,CHN,RUS&from=&to=&by=&metric=`: the document of
/// `bamboo align --format json` (`bamboo_app::doc::align_json`), byte for byte.
pub async fn align(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
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
        let spec = p.span(&v.store, by)?;
        if metric == Metric::Ideal {
            if !filter(&p)?.is_all() || bootstrap(&p, None)?.is_some() {
                return Err(ApiError::unprocessable(IDEAL_ALONE.to_string()));
            }
            let fit = st
                .ideal()
                .estimate_blocking(&st.votes().store, crate::api::ideal::wait(&st))?;
            let rows = ideal_series(&fit, subject, &others, spec)
                .map_err(|e| ApiError::unprocessable(e.to_string()))?;
            return Ok(json_text(&bamboo_data::ideal::align_json(
                &fit, &v.store, subject, &others, by, &rows,
            )));
        }
        let sel = selection(&st, filter(&p)?)?;
        require_roll_calls(&st, &sel, spec.from, spec.to)?;
        let q = AlignQuery {
            subject,
            others,
            spec,
            metric,
            boot: bootstrap(&p, None)?,
        };
        let a = doc::align(&v.store, &sel, &q, Spelling::Param)
            .map_err(|e| ApiError::unprocessable(e.0))?;
        Ok(json_text(&doc::align_json(&q, &sel, &a, &v.provenance)))
    })
    .await
    .map(crate::answer::json)
}

/// The rows of a balance question, shared by the JSON and the chart.
pub struct BalanceQuery {
    pub subject: Iso3,
    pub poles: Vec<Iso3>,
    pub metric: Metric,
    pub by: By,
    pub series: BalanceSeries,
    /// With `metric=ideal`: the fit the alignments were read from.
    pub ideal: Option<std::sync::Arc<bamboo_core::ideal::IdealPoints>>,
    /// The roll calls read (by issue, important votes).
    pub selection: Selection,
    /// The bootstrap, when `ci` asks for intervals.
    pub boot: Option<Bootstrap>,
}

/// Reads `poles, from, to, by, metric` and computes the balance series of `iso3`.
pub fn balance_query(st: &AppState, iso3: &str, p: &Params) -> Result<BalanceQuery, ApiError> {
    let v = st.votes();
    let subject = country(iso3, "the country in the path", &v.countries)?;
    let poles = p
        .countries("poles", &v.countries)?
        .unwrap_or_else(|| DEFAULT_POLES.to_vec());
    check_poles(&poles, Some(subject), Spelling::Param).map_err(bad)?;
    let by = p.by()?;
    let metric = p.metric()?;
    let spec = p.span(&v.store, by)?;
    let sel = selection(st, filter(p)?)?;
    require_roll_calls(st, &sel, spec.from, spec.to)?;
    let boot = bootstrap(p, None)?;
    let ideal = if metric == Metric::Ideal {
        if !sel.filter.is_all() || boot.is_some() {
            return Err(ApiError::unprocessable(IDEAL_ALONE.to_string()));
        }
        Some(
            st.ideal()
                .estimate_blocking(&st.votes().store, crate::api::ideal::wait(st))?,
        )
    } else {
        None
    };
    let series = doc::balance_series(
        &v.store,
        &sel,
        subject,
        &poles,
        spec,
        metric,
        boot.as_ref(),
        ideal.as_deref(),
        Spelling::Param,
    )
    .map_err(|e| ApiError::unprocessable(e.0))?;
    Ok(BalanceQuery {
        subject,
        poles,
        metric,
        by,
        series,
        ideal,
        selection: sel,
        boot,
    })
}

/// `GET /api/balance/{iso3}?poles=&from=&to=&by=&metric=`: the document of
/// `bamboo balance ISO3 --format json` (`bamboo_app::doc::balance_json`), byte for byte.
pub async fn balance(
    State(st): State<AppState>,
    Path(iso3): Path<String>,
    p: Params,
) -> Result<Response, ApiError> {
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
        Ok(json_text(&doc::balance_json(&BalanceDoc {
            countries: &v.countries,
            provenance: &v.provenance,
            poles: &q.poles,
            metric: q.metric,
            by: q.by,
            selection: &q.selection,
            boot: q.boot.as_ref(),
            series: std::slice::from_ref(&q.series),
            many: false,
            ideal: q.ideal.as_deref(),
            group: None,
            average: None,
        })))
    })
    .await
    .map(crate::answer::json)
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
        let mut members = year_members(&v.store, &v.countries, &bits, region.as_deref());
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
            "filter": bamboo_app::views::filter_json(&sel.filter),
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
