//! Charts as SVG, drawn by `bamboo-report` from the same numbers the JSON endpoints give:
//! a state's alignment with the poles over time (also `bamboo chart balance`), the
//! agreement heatmap of one year's states, optionally within one region, and a
//! simulation's fan chart beside its outcome distributions (also `bamboo chart simulate`).

use bamboo_core::alignment::{span_label, BalanceRow, By};
use bamboo_core::dyads::YearBits;
use bamboo_core::metrics::Metric;
use bamboo_core::Iso3;
use bamboo_core::VoteStore;
use bamboo_data::Countries;
use bamboo_report::{Annotation, ColorScale, Heatmap, LineChart, Series};

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
    balance_chart(countries, provenance, subject, poles, rows, metric, by).to_svg()
}

/// Several states' balance charts as small multiples, two columns, on one shared scale
/// (`series` names each panel: a state's short name and code, or a group's mean).
pub fn balance_multiples_svg(
    countries: &Countries,
    provenance: &str,
    series: &[(String, Iso3, Vec<BalanceRow>)],
    poles: &[Iso3],
    metric: Metric,
    by: By,
    note: &str,
) -> String {
    let (lo, hi) = series
        .iter()
        .flat_map(|(_, _, rows)| {
            rows.iter()
                .flat_map(|r| r.reading.alignments.iter().filter_map(|a| a.1))
        })
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let charts: Vec<String> = series
        .iter()
        .map(|(label, subject, rows)| {
            let mut c =
                balance_chart(countries, "", *subject, poles, rows, metric, by).size(560.0, 340.0);
            c.title = label.clone();
            c.subtitle = None;
            if !matches!(metric, Metric::Agreement | Metric::Coincidence) && lo.is_finite() {
                c = c.y_range(lo.min(0.0), hi.max(0.0));
            }
            c.to_svg()
        })
        .collect();
    bamboo_report::grid(
        &format!(
            "UN General Assembly {} with {}: {} panels",
            metric.name(),
            poles
                .iter()
                .map(|p| countries.short_name(*p))
                .collect::<Vec<_>>()
                .join(", "),
            charts.len()
        ),
        &format!(
            "{}. Per {}; gaps where undefined; the span of each panel's largest lean is marked. {note}{provenance}",
            metric.definition(),
            by.label()
        ),
        &charts,
        2,
    )
}

fn balance_chart(
    countries: &Countries,
    provenance: &str,
    subject: Iso3,
    poles: &[Iso3],
    rows: &[BalanceRow],
    metric: Metric,
    by: By,
) -> LineChart {
    // A trailing window is drawn at its last year (the subtitle says "trailing"), a year
    // at itself, the whole span at its middle.
    let mid = move |r: &BalanceRow| match by {
        By::Window(_) => f64::from(r.to),
        _ => f64::from(r.from + r.to) / 2.0,
    };
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
        by.label(),
        provenance
    ))
    .x_label("Year")
    .y_label(match metric {
        Metric::Agreement => "Agreement (1 = voted alike)".to_string(),
        m => m.name().to_string(),
    });
    if matches!(
        metric,
        Metric::Agreement | Metric::Coincidence | Metric::Ideal
    ) {
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
    chart
}

/// The simulation chart (also `bamboo chart simulate`): the subject's lean over time under
/// each doctrine as a fan chart, beside the distributions of every outcome.
pub fn simulation_chart_svg(r: &bamboo_sim::SimReport, w: &bamboo_sim::World) -> String {
    use bamboo_report::{
        side_by_side, DistributionChart, DistributionPanel, FanChart, FanGroup, FanPoint, Summary,
    };
    let mut fan = FanChart::new(format!("{}: lean over time under each doctrine", r.subject))
        .subtitle(format!(
            "{} runs × {} years, seed {}, polarisation {:.2} → {:.2}. Lean = max − min of composite alignment with {} ({} weights). Bands: 5–95% and 25–75% of runs; line: median.",
            r.runs,
            r.years,
            r.seed,
            r.polarisation.0,
            r.polarisation.1,
            r.poles.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "),
            w.yardstick
        ))
        .x_label("Year")
        .y_label("Lean (0 = equidistant)")
        .y_range(0.0, 1.0);
    for d in &r.doctrines {
        let pts = d
            .lean_path
            .iter()
            .map(|b| FanPoint::new(f64::from(b.year), [b.p5, b.p25, b.p50, b.p75, b.p95]))
            .collect();
        fan = fan.group(FanGroup::new(d.name.clone(), pts));
    }
    let summary = |s: &bamboo_sim::Summary| Summary {
        min: s.min,
        p5: s.p5,
        p25: s.p25,
        median: s.p50,
        p75: s.p75,
        p95: s.p95,
        max: s.max,
        mean: s.mean,
    };
    let mut dist = DistributionChart::new(format!("{}: outcomes over {} runs", r.subject, r.runs))
        .subtitle(
            "Boxes 25–75%, whiskers 5–95%, circles min and max, diamond the mean.".to_string(),
        );
    // One panel per outcome with quantiles, from the one list of outcomes
    // (`bamboo_sim::OUTCOMES`; `p_break` is a probability, not a distribution).
    for def in bamboo_sim::OUTCOMES.iter().filter(|d| d.summary) {
        let mut p = DistributionPanel::new(def.label).y_label(def.unit);
        for d in &r.doctrines {
            if let Some(s) = def.of(&d.outcomes) {
                p = p.group(d.name.clone(), summary(s));
            }
        }
        dist = dist.panel(p);
    }
    side_by_side(
        &format!(
            "{}: {} doctrines compared — {}",
            w.name,
            r.doctrines.len(),
            r.subject
        ),
        &r.reading,
        &[fan.to_svg(), dist.to_svg()],
    )
}

/// The states that voted in `year` and belong to `region` (all when `None`), ordered by
/// subregion then name, so neighbours sit together in a heatmap; with their indices in
/// `bits`.
pub fn year_members(
    store: &VoteStore,
    countries: &Countries,
    bits: &YearBits,
    region: Option<&str>,
) -> Vec<(Iso3, usize)> {
    let mut out: Vec<(String, String, Iso3, usize)> = bits
        .countries
        .iter()
        .enumerate()
        .filter_map(|(k, &idx)| {
            let code = store.countries()[idx as usize];
            let c = countries.get(code);
            let (reg, sub) = c.map_or(("", ""), |c| (c.region.as_str(), c.subregion.as_str()));
            match region {
                Some(r) if !reg.eq_ignore_ascii_case(r) => None,
                _ => Some((sub.to_string(), countries.short_name(code), code, k)),
            }
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, _, c, k)| (c, k)).collect()
}

/// The agreement heatmap of every pair of states that voted in `year` (within `region`
/// when given), neighbours (same subregion) side by side.
pub fn heatmap_svg(
    store: &VoteStore,
    countries: &Countries,
    provenance: &str,
    year: i32,
    region: Option<&str>,
) -> String {
    let bits = YearBits::new(store, year);
    let members = year_members(store, countries, &bits, region);
    let labels: Vec<String> = members
        .iter()
        .map(|(c, _)| countries.short_name(*c))
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
    let rcs = store.year_roll_calls(year).len();
    let place = region.unwrap_or("all regions");
    Heatmap::new(format!(
        "UN General Assembly agreement, {year}: {place} ({} states)",
        members.len()
    ))
    .subtitle(format!(
        "{}. {rcs} roll calls in {year}; states grouped by subregion. {}",
        Metric::Agreement.definition(),
        provenance
    ))
    .rows(labels.clone())
    .columns(labels)
    .values(values)
    .range(0.0, 1.0)
    .scale(ColorScale::Viridis)
    .value_label("Agreement")
    .to_svg()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(from: i32, to: i32) -> BalanceRow {
        let usa = Iso3::parse("USA").unwrap();
        let chn = Iso3::parse("CHN").unwrap();
        BalanceRow {
            from,
            to,
            roll_calls: 10,
            n: vec![(usa, 10), (chn, 10)],
            reading: bamboo_core::balance::balance(vec![(usa, Some(0.4)), (chn, Some(0.8))]),
        }
    }

    #[test]
    fn a_trailing_window_is_drawn_at_its_last_year() {
        let c = Countries::default();
        let vnm = Iso3::parse("VNM").unwrap();
        let poles = [Iso3::parse("USA").unwrap(), Iso3::parse("CHN").unwrap()];
        let rows = [row(1990, 1994), row(1991, 1995)];
        let chart = balance_chart(&c, "", vnm, &poles, &rows, Metric::Agreement, By::Window(5));
        let xs: Vec<f64> = chart.series[0].points.iter().map(|p| p.0).collect();
        assert_eq!(xs, vec![1994.0, 1995.0]);
        assert!(chart.subtitle.unwrap().contains("trailing 5-year window"));
        let years = [row(1990, 1990), row(1991, 1991)];
        let chart = balance_chart(&c, "", vnm, &poles, &years, Metric::Agreement, By::Year);
        let xs: Vec<f64> = chart.series[0].points.iter().map(|p| p.0).collect();
        assert_eq!(xs, vec![1990.0, 1991.0]);
    }
}
