//! Charts as SVG, drawn by `bamboo-report` from the same numbers the JSON endpoints give:
//! a state's alignment with the poles over time (also `bamboo chart balance`), and the
//! agreement heatmap of one year's states, optionally within one region.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use bamboo_core::alignment::{BalanceRow, By};
use bamboo_core::dyads::YearBits;
use bamboo_core::metrics::Metric;
use bamboo_core::Iso3;
use bamboo_data::Countries;
use bamboo_report::{Annotation, ColorScale, Heatmap, LineChart, Series};

use crate::api::blocking;
use crate::api::votes::{balance_query, year_and_region, year_members};
use crate::error::ApiError;
use crate::params::Params;
use crate::state::AppState;

/// Words for a time slicing, as a chart's subtitle says it.
pub fn by_label(by: By) -> String {
    match by {
        By::Year => "year".into(),
        By::Total => "whole span".into(),
        By::Window(n) => format!("trailing {n}-year window"),
    }
}

fn span_label(from: i32, to: i32) -> String {
    if from == to {
        from.to_string()
    } else {
        format!("{from}-{to}")
    }
}

/// The line chart of a state's alignment with each pole over time, with the span of its
/// largest lean marked.
pub fn balance_chart_svg(
    countries: &Countries,
    provenance: &str,
    subject: Iso3,
    poles: &[Iso3],
    rows: &[BalanceRow],
    metric: Metric,
    by: By,
) -> String {
    let mid = |r: &BalanceRow| f64::from(r.from + r.to) / 2.0;
    let (lo, hi) = (
        rows.first().map_or(0, |r| r.from),
        rows.last().map_or(0, |r| r.to),
    );
    let mut chart = LineChart::new(format!(
        "{} ({subject}): UN General Assembly {} with {}, {lo}–{hi}",
        countries.short_name(subject),
        metric.name(),
        poles
            .iter()
            .map(|p| countries.short_name(*p))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .subtitle(format!(
        "{}. Per {}; gaps where undefined. {}",
        metric.definition(),
        by_label(by),
        provenance
    ))
    .x_label("Year")
    .y_label(match metric {
        Metric::Agreement => "Agreement (1 = voted alike)".to_string(),
        m => m.name().to_string(),
    });
    if matches!(metric, Metric::Agreement | Metric::Coincidence) {
        chart = chart.y_range(0.0, 1.0);
    }
    for (k, p) in poles.iter().enumerate() {
        let points = rows
            .iter()
            .map(|r| (mid(r), r.reading.alignments[k].1))
            .collect();
        chart = chart.series(Series::new(
            format!("{} ({p})", countries.short_name(*p)),
            points,
        ));
    }
    // Mark the span of the largest lean, so the chart reads as a balance chart.
    if let Some(r) = rows
        .iter()
        .filter(|r| r.reading.lean.is_some())
        .max_by(|a, b| {
            a.reading
                .lean
                .partial_cmp(&b.reading.lean)
                .unwrap_or(std::cmp::Ordering::Equal)
        })
    {
        chart = chart.annotate(Annotation::event(
            mid(r),
            format!(
                "largest lean {:.2} toward {} ({})",
                r.reading.lean.unwrap_or(0.0),
                r.reading.toward.map_or("–".into(), |t| t.to_string()),
                span_label(r.from, r.to)
            ),
        ));
    }
    chart.to_svg()
}

fn svg(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// `GET /api/chart/balance/{iso3}.svg?poles=&from=&to=&by=&metric=`.
pub async fn balance(
    State(st): State<AppState>,
    Path(file): Path<String>,
    p: Params,
) -> Result<Response, ApiError> {
    let p = p.allow(&["poles", "from", "to", "by", "metric"])?;
    let iso3 = file.strip_suffix(".svg").ok_or_else(|| {
        ApiError::not_found(format!(
            "charts are SVG: ask for /api/chart/balance/{file}.svg"
        ))
    })?;
    let iso3 = iso3.to_string();
    let body = blocking(move || {
        let q = balance_query(&st, &iso3, &p)?;
        let v = st.votes();
        Ok(balance_chart_svg(
            &v.countries,
            &v.provenance,
            q.subject,
            &q.poles,
            &q.rows,
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
        let bits = YearBits::new(&v.store, year);
        let members = year_members(&st, &bits, region.as_deref());
        let labels: Vec<String> = members
            .iter()
            .map(|(c, _)| v.countries.short_name(*c))
            .collect();
        let values: Vec<Vec<Option<f64>>> = members
            .iter()
            .map(|&(_, a)| {
                members
                    .iter()
                    .map(|&(_, b)| bits.table(a, b).measures().agreement)
                    .collect()
            })
            .collect();
        let rcs = v.store.year_roll_calls(year).len();
        let place = region.as_deref().unwrap_or("all regions");
        Ok(Heatmap::new(format!(
            "UN General Assembly agreement, {year}: {place} ({} states)",
            members.len()
        ))
        .subtitle(format!(
            "{}. {rcs} roll calls in {year}; states grouped by subregion. {}",
            Metric::Agreement.definition(),
            v.provenance
        ))
        .rows(labels.clone())
        .columns(labels)
        .values(values)
        .range(0.0, 1.0)
        .scale(ColorScale::Viridis)
        .value_label("Agreement")
        .to_svg())
    })
    .await?;
    Ok(svg(body))
}
