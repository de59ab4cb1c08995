//! `bamboo align A B C …`: the first state's alignment with each of the others over time.

use anyhow::{bail, Result};
use bamboo_core::alignment::{series, AlignRow, By};
use bamboo_core::metrics::{Measures, Metric};
use serde_json::json;

use crate::common::{Loaded, Resolved, SpanArgs};
use crate::output::{fixed, push_num, table, write_to, Format};
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The subject state, then the states to compare it with (ISO3 codes, e.g. VNM USA CHN RUS).
    #[arg(required = true, num_args = 2.., value_name = "ISO3")]
    pub countries: Vec<String>,
    #[command(flatten)]
    pub span: SpanArgs,
}

pub fn span_label(from: i32, to: i32) -> String {
    if from == to {
        from.to_string()
    } else {
        format!("{from}-{to}")
    }
}

/// The CSV columns of every measure, after `from,to,a,b`.
pub const MEASURE_COLUMNS: &str = "n,agreement,s,s2,kappa,kappa1,pi,coincidence";

pub fn push_measures(line: &mut String, m: &Measures) {
    line.push_str(&m.n.to_string());
    for v in [
        m.agreement,
        m.s,
        m.s2,
        m.kappa,
        m.kappa1,
        m.pi,
        m.coincidence,
    ] {
        line.push(',');
        push_num(line, v);
    }
}

pub fn measures_json(m: &Measures) -> serde_json::Value {
    json!({
        "n": m.n, "agreement": m.agreement, "s": m.s, "s2": m.s2, "kappa": m.kappa,
        "kappa1": m.kappa1, "pi": m.pi, "coincidence": m.coincidence,
    })
}

pub fn definitions() -> serde_json::Value {
    json!({
        "n": "roll calls on which both states voted (absences and non-members dropped)",
        "agreement": Metric::Agreement.definition(),
        "s": Metric::S.definition(),
        "s2": "S with δ_ab = (|a-b|/2)^2 (r=2)",
        "kappa": Metric::Kappa.definition(),
        "kappa1": "κ with δ_ab = |a-b|/2 (r=1)",
        "pi": Metric::Pi.definition(),
        "coincidence": Metric::Coincidence.definition(),
    })
}

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    args.span.check()?;
    let data = Loaded::from_cli(cli)?;
    let list = data.countries_list(&args.countries, "align")?;
    if list.len() < 2 {
        bail!("align needs a subject and at least one other state, e.g. `bamboo align VNM USA CHN RUS`");
    }
    let (subject, others) = (list[0], &list[1..]);
    let Resolved { spec, by, metric } = args.span.resolve(&data.store)?;
    let rows = series(&data.store, subject, others, spec)?;
    write_to(None, |w| {
        match args.span.format {
            Format::Csv => {
                let mut s = format!("from,to,a,b,{MEASURE_COLUMNS}\n");
                for r in &rows {
                    for (b, m) in &r.with {
                        s.push_str(&format!("{},{},{},{},", r.from, r.to, subject, b));
                        push_measures(&mut s, m);
                        s.push('\n');
                    }
                }
                w.write_all(s.as_bytes())?;
            }
            Format::Json => {
                let v = json!({
                    "subject": subject,
                    "others": others,
                    "by": by_json(by),
                    "definitions": definitions(),
                    "source": data.provenance(),
                    "rows": rows.iter().map(|r| json!({
                        "from": r.from, "to": r.to, "roll_calls": r.roll_calls,
                        "with": r.with.iter().map(|(c, m)| {
                            let mut o = measures_json(m);
                            o["country"] = json!(c);
                            o
                        }).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                });
                serde_json::to_writer_pretty(&mut *w, &v)?;
                writeln!(w)?;
            }
            Format::Table => {
                writeln!(
                    w,
                    "{} ({}): {} with each state, by {}\n",
                    data.countries.short_name(subject),
                    subject,
                    metric.name(),
                    by_label(by)
                )?;
                w.write_all(render_table(&rows, others, metric).as_bytes())?;
                writeln!(
                    w,
                    "\n{}; (n) = roll calls both voted on",
                    metric.definition()
                )?;
                writeln!(w, "{}", data.provenance())?;
            }
        }
        Ok(())
    })
}

fn render_table(rows: &[AlignRow], others: &[bamboo_core::Iso3], metric: Metric) -> String {
    let mut headers = vec!["years".to_string(), "roll calls".to_string()];
    headers.extend(others.iter().map(|o| o.to_string()));
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut cells = vec![span_label(r.from, r.to), r.roll_calls.to_string()];
            cells.extend(
                r.with
                    .iter()
                    .map(|(_, m)| format!("{} ({})", fixed(metric.of(m), 3), m.n)),
            );
            cells
        })
        .collect();
    table(&headers, &body)
}

pub fn by_label(by: By) -> String {
    match by {
        By::Year => "year".into(),
        By::Total => "whole span".into(),
        By::Window(n) => format!("trailing {n}-year window"),
    }
}

pub fn by_json(by: By) -> serde_json::Value {
    match by {
        By::Year => json!("year"),
        By::Total => json!("total"),
        By::Window(n) => json!({"window": n}),
    }
}
