//! `bamboo align A B C …`: the first state's alignment with each of the others over time.

use anyhow::{bail, Result};
use bamboo_app::doc::{align_json, json_text, AlignQuery};
use bamboo_app::query::Spelling;
use bamboo_core::alignment::{series_in, span_label, AlignRow};
use bamboo_core::bootstrap::Estimate;
use bamboo_core::metrics::{measure_definitions, Measures, Metric};
use serde_json::json;

use crate::filters::{require_roll_calls, BootArgs};
use crate::load::Loaded;
use crate::output::{fixed, push_num, table, write_to, Format};
use crate::span_args::{Resolved, SpanArgs};
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The subject state, then the states to compare it with (ISO3 codes, e.g. VNM USA CHN RUS).
    #[arg(required = true, num_args = 2.., value_name = "ISO3")]
    pub countries: Vec<String>,
    #[command(flatten)]
    pub boot: BootArgs,
    #[command(flatten)]
    pub span: SpanArgs,
    /// One block per issue of Voeten's six (me, nu, di, hr, co, ec): the same series on
    /// the roll calls of each issue alone.
    #[arg(long, conflicts_with_all = ["issue", "ci"])]
    pub by_issue: bool,
}

/// Voeten's six issue codes, in the order `--by-issue` prints them, with their names.
const ISSUES: [(&str, &str); 6] = [
    ("me", "the Palestinian conflict"),
    ("nu", "nuclear weapons"),
    ("di", "arms control and disarmament"),
    ("hr", "human rights"),
    ("co", "colonialism"),
    ("ec", "economic development"),
];

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
    let boot = args.boot.bootstrap(None)?;
    let data = Loaded::from_cli(cli)?;
    let list = data.countries_list(&args.countries, "align")?;
    if list.len() < 2 {
        bail!("align needs a subject and at least one other state, e.g. `bamboo align VNM USA CHN RUS`");
    }
    let (subject, others) = (list[0], &list[1..]);
    let Resolved { spec, by, metric } = args.span.resolve(&data.store)?;
    if metric == Metric::Ideal {
        crate::filters::ideal_alone(&args.span.filter, boot.is_some())?;
        return crate::cmd::ideal::align(cli, &data, subject, others, spec, args.span.format);
    }
    if args.by_issue {
        return by_issue(&data, args, subject, others, spec, metric);
    }
    let sel = args.span.filter.selection(&data)?;
    require_roll_calls(&data, &sel, spec.from, spec.to)?;
    let q = AlignQuery {
        subject,
        others: others.to_vec(),
        spec,
        metric,
        boot,
    };
    let a = bamboo_app::doc::align(&data.store, &sel, &q, Spelling::Flag)?;
    let (rows, cis, boot) = (&a.rows, &a.cis, &q.boot);
    write_to(None, |w| {
        match args.span.format {
            Format::Csv => {
                let mut s = format!("from,to,a,b,{MEASURE_COLUMNS}");
                if cis.is_some() {
                    s.push_str(&format!(",{m}_lo,{m}_hi", m = metric.name()));
                }
                s.push('\n');
                for (k, r) in rows.iter().enumerate() {
                    for (j, (b, m)) in r.with.iter().enumerate() {
                        s.push_str(&format!("{},{},{},{},", r.from, r.to, subject, b));
                        push_measures(&mut s, m);
                        if let Some(c) = &cis {
                            s.push(',');
                            push_num(&mut s, c[k][j].lo);
                            s.push(',');
                            push_num(&mut s, c[k][j].hi);
                        }
                        s.push('\n');
                    }
                }
                w.write_all(s.as_bytes())?;
            }
            Format::Json => {
                let text = json_text(&align_json(&q, &sel, &a, &data.provenance()));
                w.write_all(text.as_bytes())?;
            }
            Format::Table => {
                writeln!(
                    w,
                    "{} ({}): {} with each state, by {}{}\n",
                    data.countries.short_name(subject),
                    subject,
                    metric.name(),
                    by.label(),
                    if sel.filter.is_all() {
                        String::new()
                    } else {
                        format!(" ({})", sel.filter.label())
                    }
                )?;
                w.write_all(render_table(rows, others, metric, cis.as_deref()).as_bytes())?;
                writeln!(
                    w,
                    "\n{}; (n) = roll calls both voted on",
                    metric.definition()
                )?;
                if let Some(b) = &boot {
                    writeln!(w, "[lo, hi] = {}", b.definition())?;
                }
                if !sel.filter.is_all() {
                    writeln!(w, "{}", sel.filter.definition())?;
                }
                writeln!(w, "{}", data.provenance())?;
            }
        }
        Ok(())
    })
}

/// `--by-issue`: the series once per issue, in one output.
fn by_issue(
    data: &Loaded,
    args: &Args,
    subject: bamboo_core::Iso3,
    others: &[bamboo_core::Iso3],
    spec: bamboo_core::alignment::SeriesSpec,
    metric: Metric,
) -> Result<()> {
    // The years the subject voted in, as for the series of every roll call.
    let spec = bamboo_app::query::subject_span(&data.store, subject, spec, Spelling::Flag)?;
    let mut blocks = Vec::new();
    for (code, name) in ISSUES {
        let filter = bamboo_core::select::RollCallFilter {
            issues: bamboo_core::select::RollCallFilter::parse_issues(code)
                .map_err(|e| anyhow::anyhow!("--by-issue: {e}"))?,
            important: args.span.filter.important,
        };
        let sel = crate::filters::selection(data, filter)?;
        let rows = series_in(&data.store, subject, others, spec, &sel)?;
        blocks.push((code, name, sel, rows));
    }
    write_to(None, |w| {
        match args.span.format {
            Format::Csv => {
                let mut s = format!("issue,from,to,a,b,{MEASURE_COLUMNS}\n");
                for (code, _, _, rows) in &blocks {
                    for r in rows {
                        for (b, m) in &r.with {
                            s.push_str(&format!("{code},{},{},{},{},", r.from, r.to, subject, b));
                            push_measures(&mut s, m);
                            s.push('\n');
                        }
                    }
                }
                w.write_all(s.as_bytes())?;
            }
            Format::Json => {
                let v = json!({
                    "subject": subject,
                    "others": others,
                    "by": spec.by,
                    "definitions": measure_definitions(),
                    "source": bamboo_data::text::source_json(&data.provenance()),
                    "by_issue": blocks.iter().map(|(code, name, sel, rows)| json!({
                        "issue": code,
                        "name": name,
                        "roll_calls": sel.filter.definition(),
                        "rows": rows.iter().map(|r| json!({
                            "from": r.from, "to": r.to, "roll_calls": r.roll_calls,
                            "with": r.with.iter().map(|(c, m)| {
                                let mut o = json!(m);
                                o["country"] = json!(c);
                                o
                            }).collect::<Vec<_>>(),
                        })).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                });
                serde_json::to_writer_pretty(&mut *w, &v)?;
                writeln!(w)?;
            }
            Format::Table => {
                writeln!(
                    w,
                    "{} ({}): {} with each state, by {}, one block per issue\n",
                    data.countries.short_name(subject),
                    subject,
                    metric.name(),
                    spec.by.label(),
                )?;
                for (code, name, _, rows) in &blocks {
                    writeln!(w, "{code}: {name}")?;
                    if rows.iter().all(|r| r.roll_calls == 0) {
                        writeln!(w, "  (no roll calls on this issue in the span)\n")?;
                        continue;
                    }
                    w.write_all(render_table(rows, others, metric, None).as_bytes())?;
                    writeln!(w)?;
                }
                writeln!(w, "{}; (n) = roll calls both voted on", metric.definition())?;
                for (code, _, sel, _) in &blocks {
                    writeln!(w, "{code}: {}", sel.filter.definition())?;
                }
                writeln!(w, "{}", data.provenance())?;
            }
        }
        Ok(())
    })
}

fn render_table(
    rows: &[AlignRow],
    others: &[bamboo_core::Iso3],
    metric: Metric,
    cis: Option<&[Vec<Estimate>]>,
) -> String {
    let mut headers = vec!["years".to_string(), "roll calls".to_string()];
    headers.extend(others.iter().map(|o| o.to_string()));
    let body: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let mut cells = vec![span_label(r.from, r.to), r.roll_calls.to_string()];
            cells.extend(r.with.iter().enumerate().map(
                |(j, (_, m))| match cis.map(|c| &c[k][j]) {
                    Some(Estimate {
                        lo: Some(lo),
                        hi: Some(hi),
                        ..
                    }) => {
                        format!("{} [{lo:.2}, {hi:.2}] ({})", fixed(metric.of(m), 3), m.n)
                    }
                    _ => format!("{} ({})", fixed(metric.of(m), 3), m.n),
                },
            ));
            cells
        })
        .collect();
    table(&headers, &body)
}
