//! `bamboo balance X [--poles USA,CHN,RUS]`: lean, balance and the pole leaned toward.

use anyhow::{bail, Result};
use bamboo_core::alignment::{balance_series, span_label, BalanceRow, By};
use bamboo_core::metrics::Metric;
use bamboo_core::Iso3;
use serde_json::json;

use crate::common::{Loaded, Resolved, SpanArgs};
use crate::output::{fixed, push_num, table, write_to, Format};
use crate::Cli;

/// The default poles of the spec.
pub const DEFAULT_POLES: &str = "USA,CHN,RUS";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The state whose balance to read (ISO3, e.g. VNM).
    #[arg(value_name = "ISO3")]
    pub country: String,
    /// The poles, comma-separated.
    #[arg(long, default_value = DEFAULT_POLES)]
    pub poles: String,
    #[command(flatten)]
    pub span: SpanArgs,
}

/// A balance series and everything it was computed from.
pub struct Computed {
    pub data: Loaded,
    pub subject: Iso3,
    pub poles: Vec<Iso3>,
    pub rows: Vec<BalanceRow>,
    pub by: By,
    pub metric: Metric,
    /// The definition of the alignment, and of `n`.
    pub definition: String,
    pub n_means: &'static str,
    /// The fit's line, with `--metric ideal`.
    pub fit_line: Option<String>,
}

/// Computes the rows for a command line's arguments (shared with `chart balance`).
pub fn compute(cli: &Cli, args: &Args) -> Result<Computed> {
    args.span.check()?;
    let data = Loaded::from_cli(cli)?;
    let subject = data.country(&args.country, "balance")?;
    let poles = data.countries_list(std::slice::from_ref(&args.poles), "--poles")?;
    if poles.len() < 2 {
        bail!("--poles needs at least two states, e.g. --poles USA,CHN,RUS");
    }
    if poles.contains(&subject) {
        bail!("--poles: {subject} is the subject itself; list the other powers");
    }
    let Resolved { spec, by, metric } = args.span.resolve(&data.store)?;
    let (rows, definition, n_means, fit_line) = if metric == Metric::Ideal {
        let f = crate::cmd::ideal::fit(cli, &data, 0, 1)?;
        (
            bamboo_core::ideal::ideal_balance_series(&f, subject, &poles, spec)?,
            bamboo_core::ideal::measure::definition(f.range()),
            "sessions in which both have an ideal point",
            Some(crate::cmd::ideal::fit_line(&f)),
        )
    } else {
        (
            balance_series(&data.store, subject, &poles, spec, metric)?,
            metric.definition().to_string(),
            "roll calls both voted on",
            None,
        )
    };
    Ok(Computed {
        data,
        subject,
        poles,
        rows,
        by,
        metric,
        definition,
        n_means,
        fit_line,
    })
}

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    let Computed {
        data,
        subject,
        poles,
        rows,
        by,
        metric,
        definition,
        n_means,
        fit_line,
    } = compute(cli, args)?;
    write_to(None, |w| {
        match args.span.format {
            Format::Csv => {
                let mut s = String::from("from,to,country,pole,n,alignment,lean,balance,toward\n");
                for r in &rows {
                    for ((p, a), (_, n)) in r.reading.alignments.iter().zip(&r.n) {
                        s.push_str(&format!("{},{},{},{},{},", r.from, r.to, subject, p, n));
                        push_num(&mut s, *a);
                        s.push(',');
                        push_num(&mut s, r.reading.lean);
                        s.push(',');
                        push_num(&mut s, r.reading.balance);
                        s.push(',');
                        if let Some(t) = r.reading.toward {
                            s.push_str(t.as_str());
                        }
                        s.push('\n');
                    }
                }
                w.write_all(s.as_bytes())?;
            }
            Format::Json => {
                let mut v = json!({
                    "subject": subject,
                    "poles": poles,
                    "metric": metric.name(),
                    "by": by,
                    "definitions": {
                        "alignment": definition,
                        "lean": "max alignment - min alignment over the poles (0 = equidistant); undefined unless every pole is defined",
                        "balance": "1 - lean",
                        "toward": "the pole with the largest alignment",
                    },
                    "source": data.provenance(),
                    "rows": rows.iter().map(|r| json!({
                        "from": r.from, "to": r.to, "roll_calls": r.roll_calls,
                        "alignments": r.reading.alignments.iter().zip(&r.n).map(|((p, a), (_, n))| json!({"pole": p, "n": n, "alignment": a})).collect::<Vec<_>>(),
                        "lean": r.reading.lean, "balance": r.reading.balance, "toward": r.reading.toward,
                    })).collect::<Vec<_>>(),
                });
                if let Some(l) = &fit_line {
                    v["definitions"]["n"] = json!(n_means);
                    v["fit"] = json!(l);
                }
                serde_json::to_writer_pretty(&mut *w, &v)?;
                writeln!(w)?;
            }
            Format::Table => {
                writeln!(
                    w,
                    "{} ({}): balance between {}, by {}\n",
                    data.countries.short_name(subject),
                    subject,
                    poles
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    by.label()
                )?;
                let mut headers = vec!["years".to_string()];
                headers.extend(poles.iter().map(|p| p.to_string()));
                headers.extend(["lean", "balance", "toward"].map(String::from));
                let body: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        let mut c = vec![span_label(r.from, r.to)];
                        c.extend(
                            r.reading
                                .alignments
                                .iter()
                                .zip(&r.n)
                                .map(|((_, a), (_, n))| format!("{} ({n})", fixed(*a, 3))),
                        );
                        c.push(fixed(r.reading.lean, 3));
                        c.push(fixed(r.reading.balance, 3));
                        c.push(r.reading.toward.map_or("–".into(), |t| t.to_string()));
                        c
                    })
                    .collect();
                w.write_all(table(&headers, &body).as_bytes())?;
                writeln!(w, "\nalignment: {definition}; (n) = {n_means}")?;
                writeln!(w, "lean = max - min alignment over the poles (0 = equidistant); balance = 1 - lean; toward = the closest pole")?;
                if let Some(l) = &fit_line {
                    writeln!(w, "{l}")?;
                }
                writeln!(w, "{}", data.provenance())?;
            }
        }
        Ok(())
    })
}
