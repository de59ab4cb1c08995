//! The chart endpoints: `GET /api/chart/balance/{iso3}.svg`, `/api/chart/heatmap.svg` and
//! `/api/chart/simulate.svg`. They check the request and answer the SVG that
//! `bamboo_app::charts` draws (the same function `bamboo chart` calls).

use axum::extract::{Path, State};
use axum::response::Response;

use bamboo_app::charts::{balance_chart_svg, heatmap_svg, simulation_chart_svg};

use crate::answer::svg;
use crate::api::votes::{balance_query, year_and_region};
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::params::Params;
use crate::state::AppState;

/// `GET /api/chart/balance/{iso3}.svg?poles=&from=&to=&by=&metric=`.
pub async fn balance(
    State(st): State<AppState>,
    Path(file): Path<String>,
    p: Params,
) -> Result<Response, ApiError> {
    let p = p.allow(&["poles", "from", "to", "by", "metric", "issue", "important"])?;
    let iso3 = file.strip_suffix(".svg").ok_or_else(|| {
        let stem = file.split('.').next().unwrap_or(&file);
        ApiError::not_found(format!(
            "charts are SVG: ask for /api/chart/balance/{stem}.svg"
        ))
    })?;
    let iso3 = iso3.to_string();
    let body = blocking(move || {
        let q = balance_query(&st, &iso3, &p)?;
        let v = st.votes();
        let provenance = if q.selection.filter.is_all() {
            v.provenance.clone()
        } else {
            format!("Read on {}. {}", q.selection.filter.label(), v.provenance)
        };
        Ok(balance_chart_svg(
            &v.countries,
            &provenance,
            q.subject,
            &q.poles,
            &q.series.rows,
            q.metric,
            q.by,
        ))
    })
    .await?;
    Ok(svg(body))
}

/// `GET /api/chart/heatmap.svg?year=&region=`: agreement of every pair of states that voted
/// that year, neighbours (same subregion) side by side.
pub async fn heatmap(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let p = p.allow(&["year", "region"])?;
    let body = blocking(move || {
        let (year, region) = year_and_region(&st, &p)?;
        let v = st.votes();
        Ok(heatmap_svg(
            &v.store,
            &v.countries,
            &v.provenance,
            year,
            region.as_deref(),
        ))
    })
    .await?;
    Ok(svg(body))
}

/// `GET /api/chart/simulate.svg?world=&doctrines=&runs=&years=&seed=`: the simulation chart
/// of the same request as `POST /api/simulate` (the same limits; one run serves both).
pub async fn simulation(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let p = p.allow(&crate::sim::SIM_FIELDS)?;
    let sim = st.catalog().sim.clone();
    let req = sim.request_from_params(&p, st.limits())?;
    let world = req.world.clone();
    let report = sim.run(req, st.limits()).await?;
    let body = blocking(move || {
        let w = sim
            .world(&world)
            .ok_or_else(|| ApiError::internal("checked world vanished"))?;
        Ok(simulation_chart_svg(&report, w))
    })
    .await?;
    Ok(svg(body))
}
