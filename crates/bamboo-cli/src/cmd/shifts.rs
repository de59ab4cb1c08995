//! `bamboo shifts ISO3 [--pole P]`: the years in which a state's agreement with a pole
//! moved beyond its interval (against its own usual pattern, the years before), and under
//! each the roll calls where the state broke with that pattern, with their titles where
//! the source has them.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Result};
use bamboo_app::views::{compute_shifts, shifts_definitions, shifts_json, ShiftsAsk};
use bamboo_core::shifts::Shifts;
use bamboo_core::Iso3;

use crate::filters::{require_roll_calls, BootArgs, FilterArgs};
use crate::load::Loaded;
use crate::output::{push_num, table, write_to, Format};
use crate::span_args::span;
use crate::Cli;
use bamboo_app::query::DEFAULT_POLES_TEXT as DEFAULT_POLES;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The state (ISO3, e.g. VNM).
    #[arg(value_name = "ISO3")]
    pub country: String,
    /// The pole (or poles, comma-separated) to read against (default: USA,CHN,RUS).
    #[arg(long, value_name = "ISO3")]
    pub pole: Option<String>,
    /// First year tested (default: the first year of the data).
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year tested (default: the last year of the data).
    #[arg(long)]
    pub to: Option<i32>,
    /// Years in the baseline (the state's usual pattern).
    #[arg(long, default_value_t = 3, value_name = "YEARS")]
    pub window: u32,
    /// The most driving roll calls listed under each shift.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub top: usize,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub boot: BootArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    args.filter.filter()?;
    if !(1..=20).contains(&args.window) {
        bail!("--window {}: use 1 to 20 years", args.window);
    }
    if !(1..=1000).contains(&args.top) {
        bail!("--top {}: use 1 to 1000 roll calls", args.top);
    }
    let boot = args.boot.bootstrap(Some(90.0))?.expect("a default level");
    let data = Loaded::from_cli(cli)?;
    let state = data.country(&args.country, "shifts")?;
    let poles: Vec<Iso3> = data.countries_list(
        &[args.pole.clone().unwrap_or_else(|| DEFAULT_POLES.into())],
        "--pole",
    )?;
    if poles.contains(&state) {
        bail!("--pole: {state} is the state itself; name another state");
    }
    if data.store.country_index(state).is_none() {
        bail!("{state} cast no vote in the loaded roll calls");
    }
    let spec = span(
        &data.store,
        args.from,
        args.to,
        bamboo_core::alignment::By::Year,
    )?;
    let sel = args.filter.selection(&data)?;
    require_roll_calls(&data, &sel, spec.from, spec.to)?;
    let ask = ShiftsAsk {
        state,
        poles,
        from: spec.from,
        to: spec.to,
        window: args.window,
        top: args.top,
        filter: sel.filter,
        boot,
    };
    let result = compute_shifts(&data.store, &sel, &ask);
    if result.iter().all(|(_, s)| s.years.is_empty()) {
        bail!(
            "{state} shared no roll call with {} in {}-{} after a baseline of {} years; widen the span",
            ask.poles.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "),
            spec.from,
            spec.to,
            args.window
        );
    }
    write_to(args.output.as_deref(), |w| match args.format {
        Format::Json => {
            let v = shifts_json(&ask, &result, &data.countries, &data.provenance());
            serde_json::to_writer_pretty(&mut *w, &v)?;
            writeln!(w)?;
            Ok(())
        }
        Format::Csv => write_csv(w, state, &result),
        Format::Table => write_table(w, &data, &ask, &result),
    })
}

/// One row per driving roll call, under its shift (a shift with no listed driver still has
/// one row, with the roll-call columns empty).
fn write_csv(w: &mut dyn Write, state: Iso3, result: &[(Iso3, Shifts)]) -> Result<()> {
    let mut s = String::from("state,pole,year,baseline_from,baseline_to,before,before_lo,before_hi,after,after_lo,after_hi,change,change_lo,change_hi,behaviour,agenda,breaks,rcid,date,resolution,title,vote,pole_vote,usual,usual_share,contribution\n");
    for (pole, sh) in result {
        for x in &sh.shifts {
            let mut head = format!(
                "{state},{pole},{},{},{}",
                x.year, x.baseline.from, x.baseline.to
            );
            for e in [&x.before, &x.after, &x.change] {
                for v in [e.value, e.lo, e.hi] {
                    head.push(',');
                    push_num(&mut head, v);
                }
            }
            head.push(',');
            push_num(&mut head, Some(x.behaviour));
            head.push(',');
            push_num(&mut head, Some(x.agenda));
            head.push_str(&format!(",{}", x.breaks));
            if x.drivers.is_empty() {
                s.push_str(&head);
                s.push_str(",,,,,,,,,\n");
            }
            for d in &x.drivers {
                s.push_str(&head);
                let mut tail = format!(
                    ",{},{},{},{},{},{},{},",
                    d.rcid,
                    d.date,
                    bamboo_report::csv_escape(d.resolution.as_deref().unwrap_or("")),
                    bamboo_report::csv_escape(d.title.as_deref().unwrap_or("")),
                    d.vote.as_str(),
                    d.pole_vote.as_str(),
                    d.usual.as_str()
                );
                push_num(&mut tail, Some(d.usual_share));
                tail.push(',');
                push_num(&mut tail, Some(d.contribution));
                s.push_str(&tail);
                s.push('\n');
            }
        }
    }
    w.write_all(s.as_bytes())?;
    Ok(())
}

/// Per pole, each shift with the roll calls that drove it; then the definitions and the
/// data's provenance.
fn write_table(
    w: &mut dyn Write,
    data: &Loaded,
    ask: &ShiftsAsk,
    result: &[(Iso3, Shifts)],
) -> Result<()> {
    let state = ask.state;
    writeln!(
        w,
        "{} ({state}): shifts in agreement, {}-{}, against a {}-year baseline ({})\n",
        data.countries.short_name(state),
        ask.from,
        ask.to,
        ask.window,
        ask.filter.label()
    )?;
    let pct = |x: Option<f64>| x.map_or("–".into(), |v| format!("{v:.2}"));
    let est = |e: &bamboo_core::bootstrap::Estimate, signed: bool| {
        let f = |x: Option<f64>| match (x, signed) {
            (Some(v), true) => format!("{v:+.2}"),
            _ => pct(x),
        };
        format!("{} [{}, {}]", f(e.value), f(e.lo), f(e.hi))
    };
    for (pole, sh) in result {
        writeln!(
            w,
            "with {} ({pole}): {} shift{} in {} years tested",
            data.countries.short_name(*pole),
            sh.shifts.len(),
            if sh.shifts.len() == 1 { "" } else { "s" },
            sh.years.len()
        )?;
        for x in &sh.shifts {
            writeln!(
                w,
                "\n  {}: {} → {} (baseline {}), change {}; behaviour {:+.3}, agenda {:+.3}; {} roll calls broke the pattern",
                x.year,
                est(&x.before, false),
                est(&x.after, false),
                x.baseline.label(),
                est(&x.change, true),
                x.behaviour,
                x.agenda,
                x.breaks
            )?;
            if x.drivers.is_empty() {
                writeln!(w, "    no roll call broke with the usual answer in this direction: the move is the agenda's")?;
                continue;
            }
            let headers: Vec<String> = [
                "date",
                "resolution",
                "vote",
                "pole",
                "usual",
                "part",
                "title",
            ]
            .map(String::from)
            .to_vec();
            let body: Vec<Vec<String>> = x
                .drivers
                .iter()
                .map(|d| {
                    let title = d
                        .title
                        .clone()
                        .unwrap_or_else(|| "(no title in the source)".into());
                    let title = if title.chars().count() > 70 {
                        format!("{}…", title.chars().take(69).collect::<String>())
                    } else {
                        title
                    };
                    vec![
                        d.date.to_string(),
                        d.resolution
                            .clone()
                            .unwrap_or_else(|| format!("rcid {}", d.rcid)),
                        d.vote.as_str().into(),
                        d.pole_vote.as_str().into(),
                        format!("{} ({:.0}%)", d.usual.as_str(), 100.0 * d.usual_share),
                        format!("{:+.3}", d.contribution),
                        title,
                    ]
                })
                .collect();
            for line in table(&headers, &body).lines() {
                writeln!(w, "    {line}")?;
            }
        }
        writeln!(w)?;
    }
    for (k, v) in shifts_definitions(ask) {
        writeln!(w, "{k}: {v}")?;
    }
    writeln!(w, "{}", data.provenance())?;
    Ok(())
}
