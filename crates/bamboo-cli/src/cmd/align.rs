//! `bamboo align A B C …`: the first state's alignment with each of the others over time.

use anyhow::{bail, Result};
use bamboo_core::alignment::{series, span_label, AlignRow};
use bamboo_core::metrics::{measure_definitions, Measures, Metric};
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

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    args.span.check()?;
    let data = Loaded::from_cli(cli)?;
    let list = data.countries_list(&args.countries, "align")?;
    if list.len() < 2 {
        bail!("align needs a subject and at least one other state, e.g. `bamboo align VNM USA CHN RUS`");
    }
    let (subject, others) = (list[0], &list[1..]);
    let Resolved { spec, by, metric } = args.span.resolve(&data.store)?;
    if metric == Metric::Ideal {
        return crate::cmd::ideal::align(cli, &data, subject, others, spec, args.span.format);
    }
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
                    "by": by,
                    "definitions": measure_definitions(),
                    "source": data.provenance(),
                    "rows": rows.iter().map(|r| json!({
                        "from": r.from, "to": r.to, "roll_calls": r.roll_calls,
                        "with": r.with.iter().map(|(c, m)| {
                            let mut o = json!(m);
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
                    by.label()
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
