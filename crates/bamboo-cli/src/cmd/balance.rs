//! `bamboo balance X [Y …] [--poles USA,CHN,RUS]`: lean, balance and the pole leaned
//! toward, for one state or several in one table (or a group's members, `--group`), with
//! bootstrap intervals on `--ci`.

use std::io::Write;

use anyhow::{bail, Result};
use bamboo_app::doc::{balance_json, balance_series, BalanceDoc, BalanceSeries};
use bamboo_app::query::{check_poles, Spelling, DEFAULT_POLES_TEXT};
use bamboo_app::views::group_means;
use bamboo_core::alignment::{span_label, BalanceRow, By};
use bamboo_core::atlas::{Period, Summary};
use bamboo_core::bootstrap::Bootstrap;
use bamboo_core::groups::Group;
use bamboo_core::metrics::Metric;
use bamboo_core::select::Selection;
use bamboo_core::Iso3;

use crate::filters::{require_roll_calls, BootArgs, GroupArgs};
use crate::load::Loaded;
use crate::output::{fixed, push_num, table, write_to, Format};
use crate::span_args::{Resolved, SpanArgs};
use crate::Cli;

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// The states whose balance to read (ISO3, e.g. VNM; several give one table).
    #[arg(value_name = "ISO3", required_unless_present = "group")]
    pub countries: Vec<String>,
    /// The poles, comma-separated.
    #[arg(long, default_value = DEFAULT_POLES_TEXT)]
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
            poles: DEFAULT_POLES_TEXT.into(),
            ..Args::default()
        }
    }
}

/// One state's series, with its intervals when asked.
pub type Subject = BalanceSeries;

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
    /// The fit, with `--metric ideal`.
    pub ideal: Option<bamboo_core::ideal::IdealPoints>,
}

/// Computes the series for a command line's arguments (shared with `chart balance`).
pub fn compute(cli: &Cli, args: &Args) -> Result<Computed> {
    args.span.check()?;
    let boot = args.boot.bootstrap(None)?;
    let data = Loaded::from_cli(cli)?;
    let poles = data.countries_list(std::slice::from_ref(&args.poles), "--poles")?;
    check_poles(&poles, None, Spelling::Flag)?;
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
    for &s in &states {
        check_poles(&poles, Some(s), Spelling::Flag)?;
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
        let series = balance_series(
            &data.store,
            &selection,
            state,
            &poles,
            spec,
            metric,
            // The intervals are drawn below, for the rows kept.
            None,
            ideal.as_ref(),
            Spelling::Flag,
        );
        let series = match series {
            Ok(r) => r,
            // A member that never voted (in the loaded data, or in the span, or long enough
            // for the window) has no series, which is not an error for a group; a state
            // named on the command line must have one.
            Err(_) if !explicit.contains(&state) && group.is_some() => continue,
            Err(e) => return Err(e.into()),
        };
        let BalanceSeries { rows, .. } = series;
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
        // The intervals of the rows kept.
        let readings = boot.as_ref().map(|b| {
            bamboo_app::views::balance_readings(
                &data.store,
                &selection,
                state,
                &poles,
                &rows,
                metric,
                b,
            )
        });
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
        ideal,
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
    write_to(None, |w| match args.span.format {
        Format::Csv => write_csv(w, &c),
        Format::Json => write_json(w, &c),
        Format::Table => write_table(w, &c),
    })
}

/// Several states (or a group) in one answer, which adds a state column.
fn many(c: &Computed) -> bool {
    c.subjects.len() > 1 || c.group.is_some()
}

/// One row per span, state and pole; the group's mean rows after, with `--average`.
fn write_csv(w: &mut dyn Write, c: &Computed) -> Result<()> {
    let Computed {
        poles,
        subjects,
        boot,
        group,
        average,
        ..
    } = c;
    let with_ci = boot.is_some();
    let mut s = String::from("from,to,country,pole,n,alignment,lean,balance,toward");
    if with_ci {
        s.push_str(
            ",alignment_lo,alignment_hi,lean_lo,lean_hi,balance_lo,balance_hi,tie,toward_share",
        );
    }
    s.push('\n');
    for sub in subjects {
        for (k, r) in sub.rows.iter().enumerate() {
            let reading = sub.readings.as_ref().map(|x| &x[k]);
            for (j, ((p, a), (_, n))) in r.reading.alignments.iter().zip(&r.n).enumerate() {
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
                    for v in [e.lo, e.hi, m.lean.lo, m.lean.hi, m.balance.lo, m.balance.hi] {
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
    Ok(())
}

fn write_json(w: &mut dyn Write, c: &Computed) -> Result<()> {
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
        ideal,
        ..
    } = c;
    let many = many(c);
    let text = bamboo_app::doc::json_text(&balance_json(&BalanceDoc {
        countries: &data.countries,
        provenance: &data.provenance(),
        poles,
        metric: *metric,
        by: *by,
        selection,
        boot: boot.as_ref(),
        series: subjects,
        many,
        ideal: ideal.as_ref(),
        group: group.as_ref(),
        average: average.as_deref(),
    }));
    w.write_all(text.as_bytes())?;
    Ok(())
}

/// The text table, then every definition behind its numbers and the data's provenance.
fn write_table(w: &mut dyn Write, c: &Computed) -> Result<()> {
    let Computed {
        data,
        poles,
        subjects,
        by,
        selection,
        boot,
        group,
        average,
        definition,
        n_means,
        fit_line,
        ..
    } = c;
    let many = many(c);
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
            c.extend(
                m.alignments
                    .iter()
                    .map(|e| format!("{} ({})", ci_cell(e.value, e.lo, e.hi), members.len())),
            );
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
    Ok(())
}
