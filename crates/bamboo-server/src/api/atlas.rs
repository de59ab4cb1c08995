//! The atlas endpoints: every state of a period against the poles (`/api/atlas`), a
//! state's shifts (`/api/shifts/{iso3}`), the groups of states (`/api/groups`) and the
//! world map (`/api/chart/map.svg`); and the query parameters the measuring routes share
//! with them: `issue`, `important` (which roll calls), `ci`, `replicates`, `seed`
//! (bootstrap intervals), `group`, `average` (which states).
//!
//! The numbers come from the same functions as `bamboo atlas`, `bamboo shifts` and
//! `bamboo chart map` (`bamboo_app::views`, `bamboo_app::map`).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};

use bamboo_core::atlas::{Measure, Period};
use bamboo_core::bootstrap::Bootstrap;
use bamboo_core::groups::Group;
use bamboo_core::select::{RollCallFilter, Selection};
use bamboo_core::Iso3;

use crate::blocking::blocking;
use crate::error::ApiError;
use crate::params::{country, Params};
use crate::state::AppState;
use bamboo_app::doc::json_text;
use bamboo_app::map::{map_svg, MapMeasure, MapMeasureText};
use bamboo_app::query::DEFAULT_POLES;
use bamboo_app::views::{compute_atlas, compute_shifts, shifts_json, AtlasAsk, ShiftsAsk};

/// The most bootstrap replicates one request may ask for (422 beyond).
pub const MAX_REPLICATES: usize = 2000;

/// The parameters of the roll-call filter.
pub const FILTER_PARAMS: [&str; 2] = ["issue", "important"];
/// The parameters of the bootstrap.
pub const BOOT_PARAMS: [&str; 3] = ["ci", "replicates", "seed"];

/// A yes/no parameter: `true`, `false`, `1`, `0`, `yes`, `no` (absent: false).
pub fn flag(p: &Params, name: &str) -> Result<bool, ApiError> {
    match p.get(name).map(str::to_ascii_lowercase).as_deref() {
        None => Ok(false),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(v) => Err(ApiError::bad_request(format!(
            "parameter `{name}`: `{v}` is not allowed; use true or false"
        ))),
    }
}

/// `issue` and `important`.
pub fn filter(p: &Params) -> Result<RollCallFilter, ApiError> {
    let issues = match p.get("issue") {
        None => 0,
        Some(v) => RollCallFilter::parse_issues(v)
            .map_err(|e| ApiError::bad_request(format!("parameter `issue`: {e}")))?,
    };
    Ok(RollCallFilter {
        issues,
        important: flag(p, "important")?,
    })
}

/// The roll calls a filter keeps in the loaded data.
pub fn selection(st: &AppState, f: RollCallFilter) -> Result<Selection, ApiError> {
    if f.is_all() {
        return Ok(Selection::all());
    }
    let v = st.votes();
    let rules = bamboo_data::record::load_rules(None, &v.countries)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Selection::new(&v.store, f, &rules))
}

/// 422 when a selection keeps no roll call of a span.
pub fn require_roll_calls(
    st: &AppState,
    sel: &Selection,
    from: i32,
    to: i32,
) -> Result<(), ApiError> {
    if sel.count(st.votes().store.span_roll_calls(from..=to)) > 0 {
        return Ok(());
    }
    let span = bamboo_core::alignment::span_label(from, to);
    Err(ApiError::unprocessable(if sel.filter.important {
        format!("parameter `important`: no roll call in {span} carries the important-vote flag; the source flags important votes in 1983-2017 only")
    } else {
        format!(
            "no roll call in {span} is kept by the filter ({}); widen the span or the filter",
            sel.filter.label()
        )
    }))
}

/// `ci`, `replicates` and `seed`: the bootstrap, if `ci` is given (or `default` is).
pub fn bootstrap(p: &Params, default: Option<f64>) -> Result<Option<Bootstrap>, ApiError> {
    let level = match p.get("ci") {
        None => default,
        Some(v) => Some(v.parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0 && *x < 100.0).ok_or_else(|| {
            ApiError::bad_request(format!(
                "parameter `ci`: `{v}` is not allowed; the coverage is a percentage between 0 and 100 (exclusive), e.g. ci=90"
            ))
        })?),
    };
    let Some(level) = level else {
        if p.get("replicates").is_some() || p.get("seed").is_some() {
            return Err(ApiError::bad_request(
                "parameters `replicates` and `seed` need `ci` (e.g. ci=90)",
            ));
        }
        return Ok(None);
    };
    let replicates = match p.int("replicates")? {
        None => 1000,
        Some(n) if (1..=MAX_REPLICATES as i64).contains(&n) => n as usize,
        Some(n) => {
            return Err(ApiError::unprocessable(format!(
            "parameter `replicates`: {n} is not allowed; use 1 to {MAX_REPLICATES} on this server"
        )))
        }
    };
    let seed = match p.int("seed")? {
        None => 1,
        Some(s) if s >= 0 => s as u64,
        Some(s) => {
            return Err(ApiError::bad_request(format!(
                "parameter `seed`: {s} is not allowed; use a whole number from 0"
            )))
        }
    };
    Ok(Some(Bootstrap {
        replicates,
        seed,
        level,
    }))
}

/// `group` (a code of data/groups.toml), if given.
pub fn group(st: &AppState, p: &Params) -> Result<Option<Group>, ApiError> {
    let Some(code) = p.get("group") else {
        if flag(p, "average")? {
            return Err(ApiError::bad_request(
                "parameter `average` needs `group` (e.g. group=ASEAN&average=true)",
            ));
        }
        return Ok(None);
    };
    let groups = bamboo_data::groups::load_groups(None, &st.votes().countries)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    groups.get(code).cloned().map(Some).ok_or_else(|| {
        ApiError::bad_request(format!(
            "parameter `group`: `{code}` is not a group; use one of: {}",
            groups.codes().join(", ")
        ))
    })
}

/// The fit an atlas question reads with `metric=ideal` (the one `/api/ideal` serves, with
/// its bootstrap), computed on the first request that needs it.
fn ideal_for(
    st: &AppState,
    ask: &AtlasAsk,
) -> Result<Option<std::sync::Arc<bamboo_core::ideal::IdealPoints>>, ApiError> {
    if ask.measure != Measure::Ideal {
        return Ok(None);
    }
    if !ask.filter.is_all() {
        return Err(ApiError::unprocessable(
            "metric=ideal reads one fit of every roll call: it cannot be combined with issue or important",
        ));
    }
    st.ideal()
        .full_blocking(&st.votes().store, crate::api::ideal::wait(st))
        .map(Some)
}

/// `metric`, as a measure the atlas reads.
fn measure(p: &Params) -> Result<Measure, ApiError> {
    let Some(v) = p.get("metric") else {
        return Ok(Measure::Votes(bamboo_core::metrics::Metric::Agreement));
    };
    Measure::parse(v).ok_or_else(|| {
        ApiError::bad_request(format!(
            "parameter `metric`: `{v}` is not allowed; use one of: {}",
            Measure::names().join(", ")
        ))
    })
}

/// `poles`, at least two (default USA,CHN,RUS).
fn poles(st: &AppState, p: &Params) -> Result<Vec<Iso3>, ApiError> {
    let poles = p
        .countries("poles", &st.votes().countries)?
        .unwrap_or_else(|| DEFAULT_POLES.to_vec());
    if poles.len() < 2 {
        return Err(ApiError::bad_request(
            "parameter `poles` needs at least two states, e.g. poles=USA,CHN,RUS",
        ));
    }
    Ok(poles)
}

/// `year`, or `from` and `to` (default: the last year of the data).
fn period(st: &AppState, p: &Params) -> Result<Period, ApiError> {
    let store = &st.votes().store;
    let (lo, hi) = store
        .year_span()
        .ok_or_else(|| ApiError::internal("the loaded data has no roll calls"))?;
    if let Some(y) = p.year("year")? {
        if p.get("from").is_some() || p.get("to").is_some() {
            return Err(ApiError::bad_request(
                "give `year`, or `from` and `to`, not both",
            ));
        }
        if !(lo..=hi).contains(&y) {
            return Err(ApiError::bad_request(format!(
                "parameter `year`: {y} has no roll calls; the data covers {lo}-{hi}"
            )));
        }
        return Ok(Period::year(y));
    }
    if p.get("from").is_none() && p.get("to").is_none() {
        return Ok(Period::year(hi));
    }
    let s = p.span(store, bamboo_core::alignment::By::Year)?;
    Ok(Period {
        from: s.from,
        to: s.to,
    })
}

const ATLAS_PARAMS: [&str; 13] = [
    "year",
    "from",
    "to",
    "poles",
    "metric",
    "group",
    "average",
    "issue",
    "important",
    "ci",
    "replicates",
    "seed",
    "sort",
];

/// Reads an atlas question from the query.
fn atlas_ask(st: &AppState, p: &Params) -> Result<(AtlasAsk, Selection), ApiError> {
    let ask = AtlasAsk {
        period: period(st, p)?,
        poles: poles(st, p)?,
        measure: measure(p)?,
        filter: filter(p)?,
        group: group(st, p)?,
        average: flag(p, "average")?,
        boot: bootstrap(p, Some(90.0))?.expect("with a default level there is always a bootstrap"),
    };
    let sel = selection(st, ask.filter)?;
    require_roll_calls(st, &sel, ask.period.from, ask.period.to)?;
    Ok((ask, sel))
}

/// `GET /api/atlas?year=&poles=&metric=&group=&average=&issue=&important=&ci=&replicates=&seed=&sort=`.
pub async fn atlas(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let p = p.allow(&ATLAS_PARAMS)?;
    blocking(move || {
        use bamboo_core::atlas::table::Order;
        let sort = p.get("sort").unwrap_or("state");
        let order = Order::parse(sort).ok_or_else(|| {
            ApiError::bad_request(format!(
                "parameter `sort`: `{sort}` is not allowed; use {}",
                Order::NAMES.join(", ")
            ))
        })?;
        let (ask, sel) = atlas_ask(&st, &p)?;
        let v = st.votes();
        let fit = ideal_for(&st, &ask)?;
        let a = compute_atlas(&v.store, &sel, &ask, fit.as_deref()).map_err(ApiError::internal)?;
        let out =
            bamboo_app::views::atlas_json_sorted(&a, &ask, &v.countries, &v.provenance, order);
        Ok(json_text(&out))
    })
    .await
    .map(crate::answer::json)
}

/// `GET /api/shifts/{iso3}?pole=&from=&to=&window=&top=&issue=&important=&ci=&replicates=&seed=`.
pub async fn shifts(
    State(st): State<AppState>,
    Path(iso3): Path<String>,
    p: Params,
) -> Result<Response, ApiError> {
    let p = p.allow(&[
        "pole",
        "from",
        "to",
        "window",
        "top",
        "issue",
        "important",
        "ci",
        "replicates",
        "seed",
    ])?;
    blocking(move || {
        let v = st.votes();
        let state = country(&iso3, "the country in the path", &v.countries)?;
        let poles = p
            .countries("pole", &v.countries)?
            .unwrap_or_else(|| DEFAULT_POLES.to_vec());
        if poles.contains(&state) {
            return Err(ApiError::bad_request(format!(
                "parameter `pole`: {state} is the state itself; name another state"
            )));
        }
        if v.store.country_index(state).is_none() {
            return Err(ApiError::unprocessable(format!(
                "{state} cast no vote in the loaded roll calls"
            )));
        }
        let window = match p.int("window")? {
            None => 3,
            Some(w) if (1..=20).contains(&w) => w as u32,
            Some(w) => {
                return Err(ApiError::bad_request(format!(
                    "parameter `window`: {w} is not allowed; use 1 to 20 years"
                )))
            }
        };
        let top = match p.int("top")? {
            None => 5,
            Some(t) if (1..=1000).contains(&t) => t as usize,
            Some(t) => {
                return Err(ApiError::bad_request(format!(
                    "parameter `top`: {t} is not allowed; use 1 to 1000"
                )))
            }
        };
        let span = p.span(&v.store, bamboo_core::alignment::By::Year)?;
        let (from, to) = (span.from, span.to);
        let f = filter(&p)?;
        let sel = selection(&st, f)?;
        require_roll_calls(&st, &sel, from, to)?;
        let ask = ShiftsAsk {
            state,
            poles,
            from,
            to,
            window,
            top,
            filter: f,
            boot: bootstrap(&p, Some(90.0))?
                .expect("with a default level there is always a bootstrap"),
        };
        let result = compute_shifts(&v.store, &sel, &ask);
        Ok(json_text(&shifts_json(
            &ask,
            &result,
            &v.countries,
            &v.provenance,
        )))
    })
    .await
    .map(crate::answer::json)
}

/// `GET /api/groups`: every group of data/groups.toml with its members and their sources.
pub async fn groups(State(st): State<AppState>, p: Params) -> Result<Json<Value>, ApiError> {
    p.allow(&[])?;
    let v = st.votes();
    let g = bamboo_data::groups::load_groups(None, &v.countries)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(json!({
        "source": "data/groups.toml (built into the server)",
        "groups": g.groups.iter().map(|g| json!({
            "code": g.code, "name": g.name, "note": g.note, "dated": g.dated(),
            "members": g.members.iter().map(|m| json!({
                "state": m.state, "name": v.countries.short_name(m.state),
                "from": m.from.map(|d| d.to_string()), "to": m.to.map(|d| d.to_string()), "source": m.source,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })))
}

/// `GET /api/chart/map.svg?year=&measure=&poles=&metric=&group=&issue=&important=&ci=&replicates=&seed=`.
pub async fn map(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let p = p.allow(&[
        "year",
        "from",
        "to",
        "measure",
        "poles",
        "metric",
        "group",
        "issue",
        "important",
        "ci",
        "replicates",
        "seed",
    ])?;
    let body = blocking(move || {
        let text = MapMeasure::parse(p.get("measure").unwrap_or("lean"))
            .map_err(|e| ApiError::bad_request(format!("parameter `measure`: {e}")))?;
        let v = st.votes();
        let (mut ask, sel) = atlas_ask(&st, &p)?;
        let measure = match text {
            MapMeasureText::Lean => MapMeasure::Lean,
            MapMeasureText::Balance => MapMeasure::Balance,
            MapMeasureText::Toward => MapMeasure::Toward,
            MapMeasureText::Ideal => {
                if p.get("metric").is_some_and(|m| m != "ideal") {
                    return Err(ApiError::bad_request(
                        "parameters `measure` and `metric` name two measures; give one",
                    ));
                }
                ask.measure = Measure::Ideal;
                MapMeasure::Ideal
            }
            MapMeasureText::Alignment { metric, pole } => {
                if p.get("metric").is_some_and(|m| m != metric.name()) {
                    return Err(ApiError::bad_request(
                        "parameters `measure` and `metric` name two measures; give one",
                    ));
                }
                let pole = country(&pole, "measure", &v.countries)?;
                ask.measure = metric;
                ask.poles = vec![pole];
                MapMeasure::Alignment(pole)
            }
        };
        let world = v.geo.get(&v.countries).map_err(ApiError::internal)?;
        let fit = ideal_for(&st, &ask)?;
        let a = compute_atlas(&v.store, &sel, &ask, fit.as_deref()).map_err(ApiError::internal)?;
        Ok(map_svg(
            world,
            &v.countries,
            &a,
            &ask,
            measure,
            &v.provenance,
        ))
    })
    .await?;
    Ok(crate::answer::svg(body))
}
