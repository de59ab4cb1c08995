//! `bamboo chart …`: charts drawn by `bamboo-report` and written as SVG files.

use std::path::PathBuf;

use anyhow::Result;
use bamboo_report::{Annotation, LineChart, Series};

use crate::cmd::balance;
use crate::output::write_to;
use crate::Cli;

#[derive(clap::Subcommand, Debug)]
pub enum Chart {
    /// A line chart of a state's alignment with each pole over time.
    Balance {
        #[command(flatten)]
        args: balance::Args,
        /// The SVG file to write (default: stdout).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// A fan chart of the subject's lean over time per doctrine, beside the distributions
    /// of every outcome.
    Simulate {
        #[command(flatten)]
        sim: crate::cmd::simulate::SimArgs,
        /// The SVG file to write (default: stdout).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

pub fn run(cli: &Cli, chart: &Chart) -> Result<()> {
    match chart {
        Chart::Balance { args, output } => balance_chart(cli, args, output.as_deref()),
        Chart::Simulate { sim, output } => simulate_chart(sim, output.as_deref()),
    }
}

fn balance_chart(cli: &Cli, args: &balance::Args, output: Option<&std::path::Path>) -> Result<()> {
    let balance::Computed {
        data,
        subject,
        poles,
        rows,
        by,
        metric,
    } = balance::compute(cli, args)?;
    let mid = |r: &bamboo_core::alignment::BalanceRow| f64::from(r.from + r.to) / 2.0;
    let (lo, hi) = (
        rows.first().map_or(0, |r| r.from),
        rows.last().map_or(0, |r| r.to),
    );
    let mut chart = LineChart::new(format!(
        "{} ({subject}): UN General Assembly {} with {}, {lo}–{hi}",
        data.countries.short_name(subject),
        metric.name(),
        poles
            .iter()
            .map(|p| data.countries.short_name(*p))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .subtitle(format!(
        "{}. Per {}; gaps where undefined. {}",
        metric.definition(),
        crate::cmd::align::by_label(by),
        data.provenance()
    ))
    .x_label("Year")
    .y_label(match metric {
        bamboo_core::metrics::Metric::Agreement => "Agreement (1 = voted alike)".to_string(),
        m => m.name().to_string(),
    });
    if matches!(
        metric,
        bamboo_core::metrics::Metric::Agreement | bamboo_core::metrics::Metric::Coincidence
    ) {
        chart = chart.y_range(0.0, 1.0);
    }
    for (k, p) in poles.iter().enumerate() {
        let points = rows
            .iter()
            .map(|r| (mid(r), r.reading.alignments[k].1))
            .collect();
        chart = chart.series(Series::new(
            format!("{} ({p})", data.countries.short_name(*p)),
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
                crate::cmd::align::span_label(r.from, r.to)
            ),
        ));
    }
    let svg = chart.to_svg();
    write_to(output, |w| {
        w.write_all(svg.as_bytes())?;
        Ok(())
    })
}

fn simulate_chart(
    sim: &crate::cmd::simulate::SimArgs,
    output: Option<&std::path::Path>,
) -> Result<()> {
    use bamboo_report::{
        side_by_side, DistributionChart, DistributionPanel, FanChart, FanGroup, FanPoint, Summary,
    };
    let prep = crate::cmd::simulate::Prepared::new(&sim.world, sim.doctrines.as_deref())?;
    let r = prep.run(&prep.world, sim.config(), sim.quiet)?;
    let w = &prep.world;
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
    type Pick = fn(&bamboo_sim::Outcomes) -> &bamboo_sim::Summary;
    let panels: [(&str, &str, Pick); 5] = [
        ("Economic gain", "points", |o| &o.economic_gain),
        ("Incidents suffered", "count", |o| &o.incidents),
        ("Relationship breaks", "count", |o| &o.breaks),
        ("Autonomy", "share of roots kept", |o| &o.autonomy),
        ("Lean, final year", "0 = equidistant", |o| &o.final_lean),
    ];
    for (title, unit, pick) in panels {
        let mut p = DistributionPanel::new(title).y_label(unit);
        for d in &r.doctrines {
            p = p.group(d.name.clone(), summary(pick(&d.outcomes)));
        }
        dist = dist.panel(p);
    }
    let svg = side_by_side(
        &format!(
            "{}: {} doctrines compared — {}",
            w.name,
            r.doctrines.len(),
            r.subject
        ),
        &r.reading,
        &[fan.to_svg(), dist.to_svg()],
    );
    write_to(output, |out| {
        out.write_all(svg.as_bytes())?;
        Ok(())
    })
}
