//! `bamboo chart …`: charts drawn by `bamboo-report` and written as SVG files.

use std::path::PathBuf;

use anyhow::Result;
use bamboo_report::{Annotation, LineChart, Series};

use crate::cmd::balance;
use crate::common::parse_metric;
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
}

pub fn run(cli: &Cli, chart: &Chart) -> Result<()> {
    match chart {
        Chart::Balance { args, output } => balance_chart(cli, args, output.as_deref()),
    }
}

fn balance_chart(cli: &Cli, args: &balance::Args, output: Option<&std::path::Path>) -> Result<()> {
    let (data, subject, poles, rows) = balance::compute(cli, args)?;
    let metric = parse_metric(&args.metric)?;
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
        crate::cmd::align::by_label(crate::common::parse_by(&args.by)?),
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
