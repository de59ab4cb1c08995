//! `bamboo dyads`: every pair of states (a < b by ISO3) in every year with at least one
//! shared roll call, with n, agreement, S (r = 1), κ (r = 2) and π. Years are computed and
//! formatted in parallel a batch at a time and written in order as each batch is done, so
//! memory stays flat in the number of years. JSON is the envelope of the other commands
//! (`definitions`, `source`) with the pairs as `rows`.

use std::path::PathBuf;

use anyhow::Result;
use bamboo_core::dyads::{Dyad, YearBits};
use bamboo_core::Iso3;
use rayon::prelude::*;

use crate::filters::{members_for, require_roll_calls, FilterArgs, GroupArgs};
use crate::load::Loaded;
use crate::output::{write_to, Format};
use crate::span_args::span;
use crate::Cli;

/// The CSV header, exactly as the issue specifies.
pub const HEADER: &str = "year,a,b,n,agreement,s,kappa,pi\n";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// First year (default: the first year of the data).
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year (default: the last year of the data).
    #[arg(long)]
    pub to: Option<i32>,
    /// One year only (the same as --from Y --to Y).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub year: Option<i32>,
    /// `ideal`: every pair's ideal-point distance and alignment per session instead
    /// (`year,session,a,b,x_a,x_b,distance,ideal`). Without it, every vote-based measure.
    #[arg(long, value_name = "ideal")]
    pub metric: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Only pairs of members of a group (in each year, the members on its last roll call).
    #[command(flatten)]
    pub group: GroupArgs,
}

fn push_opt(s: &mut String, x: Option<f64>, rb: &mut ryu::Buffer) {
    if let Some(v) = x {
        s.push_str(rb.format(v));
    }
}

/// Formats one year's dyads as CSV rows.
pub fn csv_rows(dyads: &[Dyad], codes: &[Iso3]) -> String {
    let mut s = String::with_capacity(dyads.len() * 80);
    let mut rb = ryu::Buffer::new();
    let mut ib = itoa::Buffer::new();
    for d in dyads {
        let m = d.table.measures();
        s.push_str(ib.format(d.year));
        s.push(',');
        s.push_str(codes[d.a as usize].as_str());
        s.push(',');
        s.push_str(codes[d.b as usize].as_str());
        s.push(',');
        s.push_str(ib.format(m.n));
        s.push(',');
        push_opt(&mut s, m.agreement, &mut rb);
        s.push(',');
        push_opt(&mut s, m.s, &mut rb);
        s.push(',');
        push_opt(&mut s, m.kappa, &mut rb);
        s.push(',');
        push_opt(&mut s, m.pi, &mut rb);
        s.push('\n');
    }
    s
}

/// One year's rows of the JSON `rows` list: `\n    {...}` each, separated by commas (the
/// caller puts a comma between years).
fn json_rows(dyads: &[Dyad], codes: &[Iso3]) -> String {
    let mut s = String::with_capacity(dyads.len() * 120);
    for (i, d) in dyads.iter().enumerate() {
        let m = d.table.measures();
        if i > 0 {
            s.push(',');
        }
        let v = serde_json::json!({
            "year": d.year, "a": codes[d.a as usize], "b": codes[d.b as usize], "n": m.n,
            "agreement": m.agreement, "s": m.s, "kappa": m.kappa, "pi": m.pi,
        });
        s.push_str("\n    ");
        s.push_str(&v.to_string());
    }
    s
}

/// What each column means (the same words as `GET /api/dyads`).
pub fn definitions_json(filter: &bamboo_core::select::RollCallFilter) -> serde_json::Value {
    use bamboo_core::metrics::Metric;
    serde_json::json!({
        "year": "the calendar year of the roll calls",
        "a": "the first state of the pair (ISO3, a < b)",
        "b": "the second state of the pair",
        "filter": filter.definition(),
        "n": "roll calls on which both states voted",
        "agreement": Metric::Agreement.definition(),
        "s": "Signorino-Ritter S (r=1)",
        "kappa": "Cohen's weighted κ (r=2)",
        "pi": Metric::Pi.definition(),
    })
}

fn table_rows(dyads: &[Dyad], codes: &[Iso3]) -> String {
    let f = |x: Option<f64>| x.map_or_else(|| "–".to_string(), |v| format!("{v:.4}"));
    let mut s = String::with_capacity(dyads.len() * 60);
    for d in dyads {
        let m = d.table.measures();
        s.push_str(&format!(
            "{:>4}  {}  {}  {:>4}  {:>9}  {:>7}  {:>7}  {:>7}\n",
            d.year,
            codes[d.a as usize],
            codes[d.b as usize],
            m.n,
            f(m.agreement),
            f(m.s),
            f(m.kappa),
            f(m.pi)
        ));
    }
    s
}

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    let ideal = match args.metric.as_deref() {
        None => false,
        Some("ideal") => true,
        Some(m) => anyhow::bail!(
            "--metric `{m}` is not allowed for dyads: use `ideal` for ideal-point distance; without --metric, dyads prints every vote-based measure"
        ),
    };
    args.filter.filter()?;
    if args.group.average {
        anyhow::bail!("dyads --average: a pair of states has no group mean; use --group alone to keep the pairs of its members");
    }
    let data = Loaded::from_cli(cli)?;
    let (from, to) = match args.year {
        Some(y) => (Some(y), Some(y)),
        None => (args.from, args.to),
    };
    let spec = span(&data.store, from, to, bamboo_core::alignment::By::Year)?;
    if ideal {
        crate::filters::ideal_alone(&args.filter, false)?;
        if args.group.group.is_some() {
            anyhow::bail!("dyads --metric ideal reads every state's points; --group is for the vote-based measures");
        }
        return crate::cmd::ideal::dyads(
            cli,
            &data,
            spec.from,
            spec.to,
            args.format,
            args.output.as_deref(),
        );
    }
    let sel = args.filter.selection(&data)?;
    if !sel.is_all() {
        require_roll_calls(&data, &sel, spec.from, spec.to)?;
    }
    let group = args.group.group(&data)?;
    let t = std::time::Instant::now();
    let store = &data.store;
    let codes = store.countries();
    let years: Vec<i32> = store
        .years()
        .filter(|y| (spec.from..=spec.to).contains(y))
        .collect();
    // One year's rows, formatted: its dyads (those of the group's members, with --group).
    let year_text = |y: i32| -> (usize, String) {
        let mut ds = YearBits::selected(store, y, &sel).dyads();
        if let Some(g) = &group {
            let members = members_for(&data, &sel, g, y, y);
            ds.retain(|d| {
                members.contains(&codes[d.a as usize]) && members.contains(&codes[d.b as usize])
            });
        }
        let text = match args.format {
            Format::Csv => csv_rows(&ds, codes),
            Format::Json => json_rows(&ds, codes),
            Format::Table => table_rows(&ds, codes),
        };
        (ds.len(), text)
    };
    // Years are computed and formatted in parallel a few at a time and written in order as
    // each batch is done, so memory holds a batch, never the whole output.
    let batch = 2 * rayon::current_num_threads().max(1);
    let mut rows = 0usize;
    write_to(args.output.as_deref(), |w| {
        match args.format {
            Format::Csv => w.write_all(HEADER.as_bytes())?,
            Format::Json => {
                let head = serde_json::json!({
                    "from": spec.from,
                    "to": spec.to,
                    "filter": { "issues": sel.filter.issue_codes(), "important": sel.filter.important },
                    "group": group.as_ref().map(|g| &g.code),
                    "definitions": definitions_json(&sel.filter),
                    "source": bamboo_data::text::source_json(&data.provenance()),
                });
                // The envelope's keys, then `rows` streamed: `{..., "rows": [` … `]}`.
                let head = serde_json::to_string_pretty(&head)?;
                let head = head.strip_suffix("\n}").unwrap_or(&head);
                w.write_all(head.as_bytes())?;
                w.write_all(b",\n  \"rows\": [")?;
            }
            Format::Table => writeln!(
                w,
                "year  a    b       n  agreement        s    kappa       pi\n----  ---  ---  ----  ---------  -------  -------  -------"
            )?,
        }
        let mut first = true;
        for chunk in years.chunks(batch) {
            let texts: Vec<(usize, String)> = chunk.par_iter().map(|&y| year_text(y)).collect();
            for (n, text) in texts {
                rows += n;
                if n == 0 {
                    continue;
                }
                if args.format == Format::Json && !first {
                    w.write_all(b",")?;
                }
                first = false;
                w.write_all(text.as_bytes())?;
            }
        }
        match args.format {
            Format::Json => w.write_all(if first { b"]\n}\n" } else { b"\n  ]\n}\n" })?,
            Format::Table => writeln!(
                w,
                "\nn = roll calls both voted on; agreement = mean 1-|a-b|/2; s = Signorino-Ritter S (r=1); kappa = Cohen's weighted κ (r=2); pi = Scott's π; – = undefined\n{}",
                data.provenance()
            )?,
            Format::Csv => {}
        }
        Ok(())
    })?;
    if cli.verbose {
        crate::output::note!(
            "{rows} dyad-years computed and written in {:.0} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    Ok(())
}
