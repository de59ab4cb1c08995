//! `bamboo atlas`: every state of one period against the poles, in one table, each figure
//! with its bootstrap interval: alignment with each pole, lean, balance, the pole leaned
//! toward (a tie where the intervals overlap), rank by balance, the change since the
//! previous period, and the UN-wide median beside every row.

use std::path::PathBuf;

use anyhow::{bail, Result};
use bamboo_app::views::{atlas_definitions, compute_atlas, AtlasAsk};
use bamboo_core::atlas::{Atlas, AtlasRow, Measure, Period};
use bamboo_core::bootstrap::Estimate;
use bamboo_core::Iso3;

use crate::filters::{require_roll_calls, BootArgs, FilterArgs, GroupArgs};
use crate::load::Loaded;
use crate::output::{fixed, push_num, table, write_to, Format};
use crate::span_args::span;
use crate::Cli;
use bamboo_app::query::DEFAULT_POLES_TEXT as DEFAULT_POLES;

/// The order of the rows.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Sort {
    /// By ISO3 code.
    #[default]
    State,
    /// By rank (the most balanced first).
    Rank,
    /// By lean, largest first.
    Lean,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// One year (default: the last year of the data).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub year: Option<i32>,
    /// First year of a span (with --to: one atlas over the whole span).
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year of a span.
    #[arg(long)]
    pub to: Option<i32>,
    /// The poles, comma-separated.
    #[arg(long, default_value = DEFAULT_POLES)]
    pub poles: String,
    /// The alignment measure: agreement (the spec's default), s, kappa, pi, coincidence, or
    /// ideal (1 - ideal-point distance / range; intervals from the fit's standard errors).
    #[arg(long, default_value = "agreement")]
    pub metric: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub group: GroupArgs,
    #[command(flatten)]
    pub boot: BootArgs,
    #[arg(long, value_enum, default_value_t)]
    pub sort: Sort,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `--metric`, as a measure the atlas can read.
pub fn parse_measure(s: &str) -> Result<Measure> {
    Measure::parse(s).ok_or_else(|| {
        anyhow::anyhow!(
            "--metric `{s}` is not allowed; use one of: {}",
            Measure::names().join(", ")
        )
    })
}

/// The poles of `--poles`, at least two.
pub fn parse_poles(data: &Loaded, text: &str) -> Result<Vec<Iso3>> {
    let poles = data.countries_list(&[text.to_string()], "--poles")?;
    if poles.len() < 2 {
        bail!("--poles needs at least two states, e.g. --poles USA,CHN,RUS");
    }
    Ok(poles)
}

/// The question the flags ask, checked against the data.
pub fn ask(cli: &Cli, args: &Args) -> Result<(Loaded, AtlasAsk, bamboo_core::select::Selection)> {
    let measure = parse_measure(&args.metric)?;
    args.filter.filter()?;
    if measure == Measure::Ideal {
        crate::filters::ideal_alone(&args.filter, false)?;
    }
    let boot = args.boot.bootstrap(Some(90.0))?.expect("a default level");
    let data = Loaded::from_cli(cli)?;
    let poles = parse_poles(&data, &args.poles)?;
    let (from, to) = match (args.year, args.from, args.to) {
        (Some(y), _, _) => (Some(y), Some(y)),
        (None, None, None) => {
            let last = data.store.year_span().map(|s| s.1);
            (last, last)
        }
        (None, f, t) => (f, t),
    };
    let spec = span(&data.store, from, to, bamboo_core::alignment::By::Total)?;
    let sel = args.filter.selection(&data)?;
    require_roll_calls(&data, &sel, spec.from, spec.to)?;
    let group = args.group.group(&data)?;
    let ask = AtlasAsk {
        period: Period {
            from: spec.from,
            to: spec.to,
        },
        poles,
        measure,
        filter: sel.filter,
        group,
        average: args.group.average,
        boot,
    };
    Ok((data, ask, sel))
}

fn order(sort: Sort) -> bamboo_core::atlas::table::Order {
    use bamboo_core::atlas::table::Order;
    match sort {
        Sort::State => Order::State,
        Sort::Rank => Order::Rank,
        Sort::Lean => Order::Lean,
    }
}

fn sorted(a: &Atlas, sort: Sort) -> Vec<&AtlasRow> {
    bamboo_core::atlas::table::sorted(a, order(sort))
}

/// `--format csv`: the atlas's one table (`bamboo_core::atlas::table`), which the Python
/// package also gives, as text: numbers shortest round-trip, missing values empty.
fn csv(a: &Atlas, sort: Sort) -> String {
    use bamboo_core::atlas::table::{table, Cell};
    let t = table(a, &sorted(a, sort));
    let names: Vec<&str> = t.columns.iter().map(|c| c.0.as_str()).collect();
    let mut s = names.join(",");
    s.push('\n');
    for row in &t.rows {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            match cell {
                Cell::Int(x) => {
                    if let Some(x) = x {
                        s.push_str(itoa::Buffer::new().format(*x));
                    }
                }
                Cell::Num(x) => push_num(&mut s, *x),
                Cell::Text(x) => s.push_str(x.as_deref().unwrap_or("")),
            }
        }
        s.push('\n');
    }
    s
}

fn ci(e: &Estimate, signed: bool) -> String {
    let f = |x: Option<f64>| match (x, signed) {
        (Some(v), true) => format!("{v:+.2}"),
        (v, _) => fixed(v, 2),
    };
    match (e.value, e.lo, e.hi) {
        (None, ..) => "–".into(),
        (Some(_), Some(_), Some(_)) => format!("{} [{}, {}]", f(e.value), f(e.lo), f(e.hi)),
        _ => f(e.value),
    }
}

fn toward_cell(r: &bamboo_core::atlas::Reading) -> String {
    if r.tie.is_empty() {
        r.toward.map_or("–".into(), |t| t.to_string())
    } else {
        format!(
            "tie {}",
            r.tie
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join("~")
        )
    }
}

fn render(a: &Atlas, ask: &AtlasAsk, data: &Loaded, sort: Sort) -> String {
    let mut out = String::new();
    let poles = a
        .poles
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    out.push_str(&format!(
        "Atlas {}: every state's {} with {}, {} roll calls ({}){}\n\n",
        a.period.label(),
        ask.measure.name(),
        poles,
        a.observations,
        ask.filter.label(),
        ask.group
            .as_ref()
            .map(|g| format!("; {} members of {}", a.rows.len(), g.code))
            .unwrap_or_default()
    ));
    let mut headers = vec!["state".to_string(), "name".to_string()];
    headers.extend(a.poles.iter().map(|p| p.to_string()));
    headers.extend(["lean".into(), "toward".into(), "rank".into()]);
    headers.push(match &a.previous {
        Some(p) => format!("Δ lean since {}", p.label()),
        None => "Δ lean".into(),
    });
    let name = |c: Iso3| {
        let n = data.countries.short_name(c);
        if n.chars().count() > 22 {
            format!("{}…", n.chars().take(21).collect::<String>())
        } else {
            n
        }
    };
    let mut body: Vec<Vec<String>> = Vec::new();
    let summary_row = |label: String, m: &bamboo_core::atlas::Summary| {
        let mut c = vec![label, format!("({} states)", m.states)];
        c.extend(m.alignments.iter().map(|e| ci(e, false)));
        c.push(ci(&m.lean, false));
        c.push(m.toward.map_or("–".into(), |t| t.to_string()));
        c.push(String::new());
        c.push(String::new());
        c
    };
    body.push(summary_row("median".into(), &a.median));
    if let Some((code, m)) = &a.average {
        body.push(summary_row(format!("{code} mean"), m));
    }
    for r in sorted(a, sort) {
        let mut c = vec![r.state.to_string(), name(r.state)];
        c.extend(r.reading.alignments.iter().map(|e| ci(e, false)));
        c.push(ci(&r.reading.lean, false));
        c.push(toward_cell(&r.reading));
        c.push(match (r.rank, r.rank_lo, r.rank_hi) {
            (Some(k), Some(lo), Some(hi)) => format!("{k} [{lo}-{hi}]"),
            (Some(k), ..) => k.to_string(),
            _ => "–".into(),
        });
        c.push(
            r.change
                .as_ref()
                .map_or("–".into(), |ch| ci(&ch.lean, true)),
        );
        body.push(c);
    }
    out.push_str(&table(&headers, &body));
    out.push('\n');
    for (k, v) in atlas_definitions(a, ask, &ask_definition(ask, a)) {
        out.push_str(&format!("{k}: {v}\n"));
    }
    out.push_str("[lo, hi] = the interval; tie A~B = the intervals of A and B overlap\n");
    out.push_str(&data.provenance());
    out.push('\n');
    out
}

/// The ideal-point fit an atlas question needs (`--metric ideal`): `bamboo ideal`'s
/// default fit, with 30 bootstrap replicates (seed 1) for the standard errors the atlas's
/// draws come from.
pub fn ideal_fit(
    cli: &Cli,
    data: &Loaded,
    ask: &AtlasAsk,
) -> Result<Option<bamboo_core::ideal::IdealPoints>> {
    if ask.measure != Measure::Ideal {
        return Ok(None);
    }
    Ok(Some(crate::cmd::ideal::fit(cli, data, 30, 1)?))
}

fn ask_definition(ask: &AtlasAsk, a: &Atlas) -> String {
    match ask.measure {
        Measure::Votes(m) => m.definition().to_string(),
        Measure::Ideal => a.definition.clone(),
    }
}

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    let t = std::time::Instant::now();
    let (data, ask, sel) = ask(cli, args)?;
    let fit = ideal_fit(cli, &data, &ask)?;
    let a = compute_atlas(&data.store, &sel, &ask, fit.as_ref()).map_err(anyhow::Error::msg)?;
    if cli.verbose {
        crate::output::note!(
            "atlas of {} states, {} replicates, in {:.0} ms",
            a.rows.len(),
            ask.boot.replicates,
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    if a.rows.is_empty() {
        bail!(
            "no state {} voted in {} on the roll calls kept",
            ask.group
                .as_ref()
                .map(|g| format!("of {}", g.code))
                .unwrap_or_default(),
            a.period.label()
        );
    }
    write_to(args.output.as_deref(), |w| {
        match args.format {
            Format::Csv => w.write_all(csv(&a, args.sort).as_bytes())?,
            Format::Json => {
                let v = bamboo_app::views::atlas_json_sorted(
                    &a,
                    &ask,
                    &data.countries,
                    &data.provenance(),
                    order(args.sort),
                );
                serde_json::to_writer_pretty(&mut *w, &v)?;
                writeln!(w)?;
            }
            Format::Table => w.write_all(render(&a, &ask, &data, args.sort).as_bytes())?,
        }
        Ok(())
    })
}
