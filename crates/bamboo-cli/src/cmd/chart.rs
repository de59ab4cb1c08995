//! `bamboo chart …`: charts drawn by `bamboo-report` and written as SVG files. The balance
//! chart is built by the same function that serves `/api/chart/balance/{iso3}.svg`.

use std::path::PathBuf;

use anyhow::Result;

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
    /// A world map of one period: every state's lean, balance, pole leaned toward, or
    /// alignment with one pole (`--measure agreement:CHN`).
    Map {
        #[command(flatten)]
        args: MapArgs,
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
        Chart::Map { args, output } => map_chart(cli, args, output.as_deref()),
    }
}

/// The flags of `chart map`.
#[derive(clap::Args, Debug)]
pub struct MapArgs {
    /// The year to map (default: the last year of the data).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub year: Option<i32>,
    /// First year of a span to map as one period.
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year of a span.
    #[arg(long)]
    pub to: Option<i32>,
    /// What to colour: lean, balance, toward, or a measure with one pole (agreement:CHN).
    #[arg(
        long,
        default_value = "lean",
        value_name = "lean|balance|toward|ideal|METRIC:ISO3"
    )]
    pub measure: String,
    /// The poles, comma-separated (for lean, balance and toward).
    #[arg(long, default_value = bamboo_app::query::DEFAULT_POLES_TEXT)]
    pub poles: String,
    /// The alignment measure behind lean, balance and toward.
    #[arg(long, default_value = "agreement")]
    pub metric: String,
    #[command(flatten)]
    pub filter: crate::filters::FilterArgs,
    #[command(flatten)]
    pub group: crate::filters::GroupArgs,
    #[command(flatten)]
    pub boot: crate::filters::BootArgs,
}

fn map_chart(cli: &Cli, m: &MapArgs, output: Option<&std::path::Path>) -> Result<()> {
    use bamboo_app::map::{MapMeasure, MapMeasureText};
    let text = MapMeasure::parse(&m.measure).map_err(|e| anyhow::anyhow!("--measure: {e}"))?;
    let metric = match &text {
        MapMeasureText::Alignment { metric, .. } => {
            if m.metric != "agreement" && m.metric != metric.name() {
                anyhow::bail!(
                    "--measure {} names the measure {}, --metric says {}: give one",
                    m.measure,
                    metric.name(),
                    m.metric
                );
            }
            metric.name().to_string()
        }
        MapMeasureText::Ideal => {
            if m.metric != "agreement" && m.metric != "ideal" {
                anyhow::bail!(
                    "--measure ideal maps the ideal points themselves; --metric {} names another measure: leave it out",
                    m.metric
                );
            }
            "ideal".to_string()
        }
        _ => m.metric.clone(),
    };
    let atlas_args = crate::cmd::atlas::Args {
        year: m.year,
        from: m.from,
        to: m.to,
        poles: m.poles.clone(),
        metric,
        filter: m.filter.clone(),
        group: m.group.clone(),
        boot: m.boot.clone(),
        sort: crate::cmd::atlas::Sort::State,
        format: crate::output::Format::Table,
        output: None,
    };
    let (data, mut ask, sel) = crate::cmd::atlas::ask(cli, &atlas_args)?;
    let measure = match text {
        MapMeasureText::Lean => MapMeasure::Lean,
        MapMeasureText::Balance => MapMeasure::Balance,
        MapMeasureText::Toward => MapMeasure::Toward,
        MapMeasureText::Ideal => MapMeasure::Ideal,
        MapMeasureText::Alignment { pole, .. } => {
            let p = data.country(&pole, "--measure")?;
            // Every state's alignment with this one state: it is the only pole.
            ask.poles = vec![p];
            MapMeasure::Alignment(p)
        }
    };
    let world = bamboo_data::geo::world_map(&data.dir, &data.countries)?;
    let fit = crate::cmd::atlas::ideal_fit(cli, &data, &ask)?;
    let atlas = bamboo_app::views::compute_atlas(&data.store, &sel, &ask, fit.as_ref())
        .map_err(anyhow::Error::msg)?;
    let svg = bamboo_app::map::map_svg(
        &world,
        &data.countries,
        &atlas,
        &ask,
        measure,
        &data.provenance(),
    );
    write_to(output, |w| {
        w.write_all(svg.as_bytes())?;
        Ok(())
    })
}

fn balance_chart(cli: &Cli, args: &balance::Args, output: Option<&std::path::Path>) -> Result<()> {
    if args.span.format != crate::output::Format::Table {
        anyhow::bail!(
            "chart balance draws SVG and takes no --format; the table, CSV and JSON are `bamboo balance --format {}`",
            if args.span.format == crate::output::Format::Csv { "csv" } else { "json" }
        );
    }
    let c = balance::compute(cli, args)?;
    if c.boot.is_some() {
        anyhow::bail!("chart balance draws no intervals; use `bamboo balance --ci 90` for them, or leave --ci out");
    }
    let provenance = if c.selection.filter.is_all() {
        c.data.provenance()
    } else {
        format!(
            "Read on {}. {}",
            c.selection.filter.label(),
            c.data.provenance()
        )
    };
    let svg = if c.subjects.len() == 1 && c.average.is_none() && c.group.is_none() {
        bamboo_app::charts::balance_chart_svg(
            &c.data.countries,
            &provenance,
            c.subjects[0].state,
            &c.poles,
            &c.subjects[0].rows,
            c.metric,
            c.by,
        )
    } else {
        let mut panels: Vec<(
            String,
            bamboo_core::Iso3,
            Vec<bamboo_core::alignment::BalanceRow>,
        )> = Vec::new();
        if let (Some(rows), Some(g)) = (&c.average, &c.group) {
            panels.push((
                format!("{} mean of its members", g.code),
                c.poles[0],
                rows.iter()
                    .map(|(p, m, s)| mean_as_row(p, m.len(), s, &c.poles))
                    .collect(),
            ));
        }
        for s in &c.subjects {
            panels.push((
                format!("{} ({})", c.data.countries.short_name(s.state), s.state),
                s.state,
                s.rows.clone(),
            ));
        }
        let mut note = String::new();
        if !c.selection.filter.is_all() {
            note.push_str(&format!("{}. ", c.selection.filter.label()));
        }
        if let Some(g) = &c.group {
            note.push_str(&format!("{}. ", g.definition()));
        }
        bamboo_app::charts::balance_multiples_svg(
            &c.data.countries,
            &provenance,
            &panels,
            &c.poles,
            c.metric,
            c.by,
            &note,
        )
    };
    write_to(output, |w| {
        w.write_all(svg.as_bytes())?;
        Ok(())
    })
}

/// A group's mean in one span, as a balance row (n = the members averaged).
fn mean_as_row(
    p: &bamboo_core::atlas::Period,
    members: usize,
    s: &bamboo_core::atlas::Summary,
    poles: &[bamboo_core::Iso3],
) -> bamboo_core::alignment::BalanceRow {
    bamboo_core::alignment::BalanceRow {
        from: p.from,
        to: p.to,
        roll_calls: 0,
        n: poles.iter().map(|&q| (q, members as u32)).collect(),
        reading: bamboo_core::balance::BalanceReading {
            alignments: poles
                .iter()
                .zip(&s.alignments)
                .map(|(&q, e)| (q, e.value))
                .collect(),
            lean: s.lean.value,
            balance: s.balance.value,
            toward: s.toward,
        },
    }
}

fn simulate_chart(
    sim: &crate::cmd::simulate::SimArgs,
    output: Option<&std::path::Path>,
) -> Result<()> {
    use crate::cmd::simulate::RunWithBar;
    let prep = sim.prepare()?;
    let r = prep.run(&prep.world, sim.config(), sim.quiet)?;
    let svg = bamboo_app::charts::simulation_chart_svg(&r, &prep.world);
    write_to(output, |out| {
        out.write_all(svg.as_bytes())?;
        Ok(())
    })
}
