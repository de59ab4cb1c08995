//! `bamboo balance X [Y …] [--poles USA,CHN,RUS]`: lean, balance and the pole leaned
//! toward, for one state or several in one table (or a group's members, `--group`), with
//! bootstrap intervals on `--ci`.

use anyhow::{bail, Result};
use bamboo_core::alignment::{balance_series_in, span_label, BalanceRow, By};
use bamboo_core::atlas::{Period, Reading, Summary};
use bamboo_core::bootstrap::Bootstrap;
use bamboo_core::groups::Group;
use bamboo_core::metrics::Metric;
use bamboo_core::select::Selection;
use bamboo_core::Iso3;
use bamboo_server::views::{
    balance_definitions, balance_readings, balance_row_json, group_means, mean_row_json,
};
use serde_json::json;

use crate::common::{Loaded, Resolved, SpanArgs};
use crate::filters::{require_roll_calls, BootArgs, GroupArgs};
use crate::output::{fixed, push_num, table, write_to, Format};
use crate::Cli;

/// The default poles of the spec.
pub const DEFAULT_POLES: &str = "USA,CHN,RUS";

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// The states whose balance to read (ISO3, e.g. VNM; several give one table).
    #[arg(value_name = "ISO3", required_unless_present = "group")]
    pub countries: Vec<String>,
    /// The poles, comma-separated.
    #[arg(long, default_value = DEFAULT_POLES)]
    pub poles: String,
    #[command(flatten)]
    pub group: GroupArgs,
    #[command(flatten)]
    pub boot: BootArgs,
    #[command(flatten)]
    pub span: SpanArgs,
}

impl Args {
    /// The balance of one state against the default poles, every flag at its default.
    pub fn one(country: &str) -> Args {
        Args {
            countries: vec![country.to_string()],
            poles: DEFAULT_POLES.into(),
            ..Args::default()
        }
    }
}

/// One state's series, with its intervals when asked.
pub struct Subject {
    pub state: Iso3,
    pub rows: Vec<BalanceRow>,
    pub readings: Option<Vec<Reading>>,
}

/// Balance series and everything they were computed from.
pub struct Computed {
    pub data: Loaded,
    pub poles: Vec<Iso3>,
    pub subjects: Vec<Subject>,
    pub by: By,
    pub metric: Metric,
    pub selection: Selection,
    pub boot: Option<Bootstrap>,
    pub group: Option<Group>,
    /// The group's mean per span, when `--average` asks for it.
    pub average: Option<Vec<(Period, Vec<Iso3>, Summary)>>,
    /// The definition of the alignment, and of `n`.
    pub definition: String,
    pub n_means: &'static str,
    /// The fit's line, with `--metric ideal`.
    pub fit_line: Option<String>,
}

/// Computes the series for a command line's arguments (shared with `chart balance`).
pub fn compute(cli: &Cli, args: &Args) -> Result<Computed> {
    args.span.check()?;
    let boot = args.boot.bootstrap(None)?;
    let data = Loaded::from_cli(cli)?;
    let poles = data.countries_list(std::slice::from_ref(&args.poles), "--poles")?;
    if poles.len() < 2 {
        bail!("--poles needs at least two states, e.g. --poles USA,CHN,RUS");
    }
    let group = args.group.group(&data)?;
    let mut states = data.countries_list(&args.countries, "balance")?;
    if let Some(g) = &group {
        for s in g.ever() {
            if !states.contains(&s) && !poles.contains(&s) {
                states.push(s);
            }
        }
    }
    if states.is_empty() {
        bail!("balance needs a state (e.g. `bamboo balance VNM`) or --group");
    }
    if let Some(s) = states.iter().find(|s| poles.contains(s)) {
        bail!("--poles: {s} is the subject itself; list the other powers");
    }
    let Resolved { spec, by, metric } = args.span.resolve(&data.store)?;
    let selection = args.span.filter.selection(&data)?;
    require_roll_calls(&data, &selection, spec.from, spec.to)?;
    let explicit = data.countries_list(&args.countries, "balance")?;
    let ideal = if metric == Metric::Ideal {
        crate::filters::ideal_alone(&args.span.filter, boot.is_some())?;
        if args.group.average {
            bail!("--average is a mean of vote-based alignments; with --metric ideal, list the members' rows without --average");
        }
        Some(crate::cmd::ideal::fit(cli, &data, 0, 1)?)
    } else {
        None
    };
    let mut subjects = Vec::new();
    for &state in &states {
        let series = match &ideal {
            Some(f) => bamboo_core::ideal::ideal_balance_series(f, state, &poles, spec),
            None => balance_series_in(&data.store, state, &poles, spec, metric, &selection),
        };
        let rows = match series {
            Ok(r) => r,
            // A member that never voted (in the loaded data) has no series, which is not an
            // error for a group; a state named on the command line must have voted.
            Err(e) if !explicit.contains(&state) && group.is_some() => {
                let _ = e;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        // Group members only in the spans in which they were members.
        let rows: Vec<BalanceRow> = match &group {
            Some(g) if !explicit.contains(&state) => rows
                .into_iter()
                .filter(|r| {
                    last_date(&data, &selection, r.from, r.to)
                        .is_some_and(|d| g.members_on(d).contains(&state))
                })
                .collect(),
            _ => rows,
        };
        if rows.is_empty() && !explicit.contains(&state) {
            continue;
        }
        let readings = boot
            .as_ref()
            .map(|b| balance_readings(&data.store, &selection, state, &poles, &rows, metric, b));
        subjects.push(Subject {
            state,
            rows,
            readings,
        });
    }
    let average = match (&group, args.group.average) {
        (Some(g), true) => {
            let mut spans: Vec<(i32, i32)> = subjects
                .iter()
                .flat_map(|s| s.rows.iter().map(|r| (r.from, r.to)))
                .collect();
            spans.sort_unstable();
            spans.dedup();
            let b = boot.unwrap_or(Bootstrap {
                replicates: 0,
                ..Bootstrap::default()
            });
            Some(group_means(
                &data.store,
                &selection,
                g,
                &poles,
                &spans,
                metric,
                &b,
            ))
        }
        _ => None,
    };
    let (definition, n_means, fit_line) = match &ideal {
        Some(f) => (
            bamboo_core::ideal::measure::definition(f.range()),
            "sessions in which both have an ideal point",
            Some(crate::cmd::ideal::fit_line(f)),
        ),
        None => (
            metric.definition().to_string(),
            "roll calls both voted on",
            None,
        ),
    };
    Ok(Computed {
        data,
        poles,
        subjects,
        by,
        metric,
        selection,
        boot,
        group,
        average,
        definition,
        n_means,
        fit_line,
    })
}

fn last_date(data: &Loaded, sel: &Selection, from: i32, to: i32) -> Option<bamboo_core::Date> {
    sel.indices(data.store.span_roll_calls(from..=to))
        .last()
        .map(|i| data.store.roll_calls()[i].date)
}

fn ci_cell(v: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(lo), Some(hi)) => format!("{} [{lo:.2}, {hi:.2}]", fixed(v, 3)),
        _ => fixed(v, 3),
    }
}

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    let c = compute(cli, args)?;
    let Computed {
        data,
        poles,
        subjects,
        by,
        metric,
        selection,
        boot,
        group,
        average,
        definition,
        n_means,
        fit_line,
    } = &c;
    let many = subjects.len() > 1 || group.is_some();
    let with_ci = boot.is_some();
    write_to(None, |w| {
        match args.span.format {
            Format::Csv => {
                let mut s = String::from("from,to,country,pole,n,alignment,lean,balance,toward");
                if with_ci {
                    s.push_str(",alignment_lo,alignment_hi,lean_lo,lean_hi,balance_lo,balance_hi,tie,toward_share");
                }
                s.push('\n');
                for sub in subjects {
                    for (k, r) in sub.rows.iter().enumerate() {
                        let reading = sub.readings.as_ref().map(|x| &x[k]);
                        for (j, ((p, a), (_, n))) in
                            r.reading.alignments.iter().zip(&r.n).enumerate()
                        {
                            s.push_str(&format!("{},{},{},{},{},", r.from, r.to, sub.state, p, n));
                            push_num(&mut s, *a);
                            s.push(',');
                            push_num(&mut s, r.reading.lean);
                            s.push(',');
                            push_num(&mut s, r.reading.balance);
                            s.push(',');
                            if let Some(t) = r.reading.toward {
                                s.push_str(t.as_str());
                            }
                            if let Some(x) = reading {
                                for v in [
                                    x.alignments[j].lo,
                                    x.alignments[j].hi,
                                    x.lean.lo,
                                    x.lean.hi,
                                    x.balance.lo,
                                    x.balance.hi,
                                ] {
                                    s.push(',');
                                    push_num(&mut s, v);
                                }
                                s.push(',');
                                s.push_str(
                                    &x.tie
                                        .iter()
                                        .map(|p| p.as_str())
                                        .collect::<Vec<_>>()
                                        .join("+"),
                                );
                                s.push(',');
                                push_num(&mut s, x.toward_share);
                            }
                            s.push('\n');
                        }
                    }
                }
                if let (Some(rows), Some(g)) = (average, group) {
                    for (p, members, m) in rows {
                        for (pole, e) in poles.iter().zip(&m.alignments) {
                            s.push_str(&format!(
                                "{},{},{},{},{},",
                                p.from,
                                p.to,
                                g.code,
                                pole,
                                members.len()
                            ));
                            push_num(&mut s, e.value);
                            s.push(',');
                            push_num(&mut s, m.lean.value);
                            s.push(',');
                            push_num(&mut s, m.balance.value);
                            s.push(',');
                            if let Some(t) = m.toward {
                                s.push_str(t.as_str());
                            }
                            if with_ci {
                                for v in
                                    [e.lo, e.hi, m.lean.lo, m.lean.hi, m.balance.lo, m.balance.hi]
                                {
                                    s.push(',');
                                    push_num(&mut s, v);
                                }
                                s.push_str(",,");
                            }
                            s.push('\n');
                        }
                    }
                }
                w.write_all(s.as_bytes())?;
            }
            Format::Json => {
                let series_rows = |sub: &Subject| {
                    sub.rows
                        .iter()
                        .enumerate()
                        .map(|(k, r)| balance_row_json(r, sub.readings.as_ref().map(|x| &x[k])))
                        .collect::<Vec<_>>()
                };
                let mut v = json!({
                    "poles": poles,
                    "metric": metric.name(),
                    "by": by,
                    "definitions": balance_definitions(*metric, &selection.filter, boot.as_ref(), group.as_ref()),
                    "source": bamboo_data::text::source_json(&data.provenance()),
                });
                if let Some(l) = fit_line {
                    v["definitions"]["alignment"] = json!(definition);
                    v["definitions"]["n"] = json!(n_means);
                    v["fit"] = json!(l);
                }
                if many {
                    v["subjects"] = json!(subjects.iter().map(|s| s.state).collect::<Vec<_>>());
                    v["series"] = json!(subjects
                        .iter()
                        .map(|s| json!({
                            "subject": s.state,
                            "name": data.countries.short_name(s.state),
                            "rows": series_rows(s),
                        }))
                        .collect::<Vec<_>>());
                } else {
                    v["subject"] = json!(subjects[0].state);
                    v["rows"] = json!(series_rows(&subjects[0]));
                }
                if !selection.filter.is_all() {
                    v["filter"] = bamboo_server::views::filter_json(&selection.filter);
                }
                if let Some(b) = boot {
                    v["bootstrap"] = bamboo_server::views::bootstrap_json(b);
                }
                if let Some(g) = group {
                    v["group"] = json!({"code": g.code, "name": g.name});
                }
                if let (Some(rows), Some(g)) = (average, group) {
                    v["average"] = json!({
                        "group": g.code,
                        "rows": rows.iter().map(|(p, m, s)| mean_row_json(p, m, s, poles, with_ci)).collect::<Vec<_>>(),
                    });
                }
                serde_json::to_writer_pretty(&mut *w, &v)?;
                writeln!(w)?;
            }
            Format::Table => {
                let who = if many {
                    match group {
                        Some(g) => format!("{} ({} states)", g.code, subjects.len()),
                        None => subjects
                            .iter()
                            .map(|s| s.state.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    }
                } else {
                    format!(
                        "{} ({})",
                        data.countries.short_name(subjects[0].state),
                        subjects[0].state
                    )
                };
                writeln!(
                    w,
                    "{who}: balance between {}, by {}{}\n",
                    poles
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    by.label(),
                    if selection.filter.is_all() {
                        String::new()
                    } else {
                        format!(" ({})", selection.filter.label())
                    }
                )?;
                let mut headers = Vec::new();
                if many {
                    headers.push("state".to_string());
                }
                headers.push("years".to_string());
                headers.extend(poles.iter().map(|p| p.to_string()));
                headers.extend(["lean", "balance", "toward"].map(String::from));
                let mut body: Vec<Vec<String>> = Vec::new();
                if let (Some(rows), Some(g)) = (average, group) {
                    for (p, members, m) in rows {
                        let mut c = vec![format!("{} mean", g.code), p.label()];
                        c.extend(m.alignments.iter().map(|e| {
                            format!("{} ({})", ci_cell(e.value, e.lo, e.hi), members.len())
                        }));
                        c.push(ci_cell(m.lean.value, m.lean.lo, m.lean.hi));
                        c.push(ci_cell(m.balance.value, m.balance.lo, m.balance.hi));
                        c.push(m.toward.map_or("–".into(), |t| t.to_string()));
                        body.push(c);
                    }
                }
                for sub in subjects {
                    for (k, r) in sub.rows.iter().enumerate() {
                        let reading = sub.readings.as_ref().map(|x| &x[k]);
                        let mut c = Vec::new();
                        if many {
                            c.push(sub.state.to_string());
                        }
                        c.push(span_label(r.from, r.to));
                        c.extend(r.reading.alignments.iter().zip(&r.n).enumerate().map(
                            |(j, ((_, a), (_, n)))| match reading {
                                Some(x) => format!(
                                    "{} ({n})",
                                    ci_cell(*a, x.alignments[j].lo, x.alignments[j].hi)
                                ),
                                None => format!("{} ({n})", fixed(*a, 3)),
                            },
                        ));
                        match reading {
                            Some(x) => {
                                c.push(ci_cell(r.reading.lean, x.lean.lo, x.lean.hi));
                                c.push(ci_cell(r.reading.balance, x.balance.lo, x.balance.hi));
                                c.push(if x.tie.is_empty() {
                                    r.reading.toward.map_or("–".into(), |t| t.to_string())
                                } else {
                                    format!(
                                        "tie {}",
                                        x.tie
                                            .iter()
                                            .map(|p| p.as_str())
                                            .collect::<Vec<_>>()
                                            .join("~")
                                    )
                                });
                            }
                            None => {
                                c.push(fixed(r.reading.lean, 3));
                                c.push(fixed(r.reading.balance, 3));
                                c.push(r.reading.toward.map_or("–".into(), |t| t.to_string()));
                            }
                        }
                        body.push(c);
                    }
                }
                w.write_all(table(&headers, &body).as_bytes())?;
                writeln!(w, "\nalignment: {definition}; (n) = {n_means}")?;
                if let Some(l) = fit_line {
                    writeln!(w, "{l}")?;
                }
                writeln!(w, "lean = max - min alignment over the poles (0 = equidistant); balance = 1 - lean; toward = the closest pole")?;
                if let Some(b) = boot {
                    writeln!(
                        w,
                        "[lo, hi] = {}; tie A~B = the intervals of A and B overlap",
                        b.definition()
                    )?;
                }
                if !selection.filter.is_all() {
                    writeln!(w, "{}", selection.filter.definition())?;
                }
                if let Some(g) = group {
                    writeln!(w, "{}", g.definition())?;
                }
                writeln!(w, "{}", data.provenance())?;
            }
        }
        Ok(())
    })
}
