//! `bamboo predict [--votes FILE]... [--from DATE] [--to DATE] [--subject ISO3]...
//! [--given-positions | --blind] [--format table|csv|json] [-o FILE]`: forecasts each
//! state's vote on each roll call, with probabilities, from the roll calls dated before it
//! (`bamboo_core::forecast`), and scores the forecasts (accuracy, Brier score, log loss)
//! beside the baselines.
//!
//! Which roll calls: those of the `--votes` files, if any are given, else every roll call of
//! the loaded data; in both cases within `--from`/`--to`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use bamboo_core::forecast::{forecast, ForecastConfig, ForecastReport, Mode, Score};
use bamboo_core::record::case_id;
use bamboo_core::Iso3;

use crate::cmd::cases::date_bound;
use crate::load::Loaded;
use crate::output::{write_to, Format};
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// First day of the roll calls to forecast (YYYY-MM-DD or YYYY).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day of the roll calls to forecast (YYYY-MM-DD or YYYY).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Forecast only these states (ISO3 or names; repeatable or comma-separated). Default:
    /// every state that voted in the year before the roll call, or on it.
    #[arg(long = "subject", value_name = "ISO3")]
    pub subjects: Vec<String>,
    /// The other states' votes on the same roll call are known (the default).
    #[arg(long, conflicts_with = "blind")]
    pub given_positions: bool,
    /// Nothing about the roll call is known but its title, tags and date.
    #[arg(long)]
    pub blind: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

const DEFINITIONS: &[(&str, &str)] = &[
    ("p_yes, p_no, p_abstain", "the forecast probabilities of each vote; they sum to 1"),
    ("predicted", "the vote with the highest probability"),
    ("actual", "the recorded vote; empty where the state did not vote"),
    ("accuracy", "share of forecasts whose predicted vote is the actual one"),
    ("brier", "mean of sum over votes of (p - [vote = actual])^2: 0 is perfect, 2 the worst"),
    ("log_loss", "mean of -ln p(actual), p floored at 1e-6"),
    ("given positions", "evidence: the state's 10 nearest neighbours by agreement over the 5 years before (weights exp(10 (agreement - 1))), its base rates over those years, its vote on the most similar earlier resolution (title words, Jaccard >= 0.5), and the shares of the others' votes; combined by a multinomial logit fitted on the 5 years before the first forecast"),
    ("blind", "evidence: the state's base rates, its rates on earlier roll calls of the same issue codes, and its vote on the most similar earlier resolution; combined the same way"),
    ("baselines", "always-first: yes; majority: the plurality of the others' votes (blind: the state's own most frequent vote); neighbour: the vote of the state that agreed most with it over the 5 years before (abstain where it did not vote); last-similar: its vote on the most similar earlier resolution, else yes. A baseline's probabilities are 0.9 on its answer and 0.05 on each other vote"),
];

fn fmt(x: Option<f64>) -> String {
    x.map_or(String::new(), |v| format!("{v:.4}"))
}

pub fn run(cli: &Cli, a: &Args) -> Result<()> {
    let from = a
        .from
        .as_deref()
        .map(|s| date_bound("--from", s, false))
        .transpose()?;
    let to =
        a.to.as_deref()
            .map(|s| date_bound("--to", s, true))
            .transpose()?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            bail!("--from {f} is after --to {t}; give a span that runs forward");
        }
    }
    let loaded = Loaded::from_cli(cli)?;
    let subjects: Vec<Iso3> = loaded.countries_list(&a.subjects, "--subject")?;
    let store = &loaded.store;
    // The roll calls to forecast: those of the --votes files, if any, else all.
    let extra_sources: Vec<u16> = if cli.votes.is_empty() {
        Vec::new()
    } else {
        store
            .sources()
            .iter()
            .enumerate()
            .filter(|(_, s)| cli.votes.iter().any(|v| v.display().to_string() == **s))
            .map(|(i, _)| i as u16)
            .collect()
    };
    let targets: Vec<usize> = (0..store.roll_calls().len())
        .filter(|&i| {
            let rc = &store.roll_calls()[i];
            (extra_sources.is_empty() || extra_sources.contains(&rc.source))
                && from.is_none_or(|f| rc.date >= f)
                && to.is_none_or(|t| rc.date <= t)
        })
        .collect();
    if targets.is_empty() {
        bail!(
            "no roll call to forecast{}: check --from/--to{}",
            if cli.votes.is_empty() {
                ""
            } else {
                " in the --votes files"
            },
            if cli.votes.is_empty() {
                String::new()
            } else {
                " (a roll call the data already holds is counted once, under the data's file)"
                    .into()
            }
        );
    }
    let rules = bamboo_data::record::load_rules(None, &loaded.countries)?;
    let cfg = ForecastConfig {
        mode: if a.blind {
            Mode::Blind
        } else {
            Mode::GivenPositions
        },
        ..ForecastConfig::default()
    };
    let report = forecast(store, Some(&rules), &targets, &subjects, &cfg);
    let source = loaded.provenance();
    write_to(a.output.as_deref(), |w| match a.format {
        Format::Csv => write_csv(w, store, &report),
        Format::Json => write_json(w, store, &report, &source),
        Format::Table => write_table(w, store, &report, &source, targets.len()),
    })
    .context("writing the forecasts")
}

fn write_csv(w: &mut dyn Write, store: &bamboo_core::VoteStore, r: &ForecastReport) -> Result<()> {
    writeln!(w, "id,date,state,predicted,p_yes,p_no,p_abstain,actual")?;
    for f in &r.forecasts {
        let rc = &store.roll_calls()[f.roll_call];
        writeln!(
            w,
            "{},{},{},{},{:.6},{:.6},{:.6},{}",
            case_id(rc),
            rc.date,
            f.state,
            f.predicted,
            f.p[0],
            f.p[1],
            f.p[2],
            f.actual.map_or(String::new(), |a| a.to_string())
        )?;
    }
    Ok(())
}

fn score_json(s: &Score) -> serde_json::Value {
    serde_json::json!({"n": s.n, "accuracy": s.accuracy, "brier": s.brier, "log_loss": s.log_loss})
}

fn write_json(
    w: &mut dyn Write,
    store: &bamboo_core::VoteStore,
    r: &ForecastReport,
    source: &str,
) -> Result<()> {
    use serde_json::json;
    let rows: Vec<serde_json::Value> = r
        .forecasts
        .iter()
        .map(|f| {
            let rc = &store.roll_calls()[f.roll_call];
            json!({
                "id": case_id(rc),
                "date": rc.date.to_string(),
                "state": f.state.as_str(),
                "predicted": f.predicted.as_str(),
                "p_yes": bamboo_core::engine::round4(f.p[0]),
                "p_no": bamboo_core::engine::round4(f.p[1]),
                "p_abstain": bamboo_core::engine::round4(f.p[2]),
                "actual": f.actual.map(|a| a.as_str()),
            })
        })
        .collect();
    let baselines: serde_json::Map<String, serde_json::Value> = r
        .baselines
        .iter()
        .map(|(n, s)| (n.clone(), score_json(s)))
        .collect();
    let defs: serde_json::Map<String, serde_json::Value> = DEFINITIONS
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let v = json!({
        "mode": r.mode,
        "model": score_json(&r.model),
        "baselines": baselines,
        "weights": r.weights.iter().map(|(n, x)| json!({"feature": n, "weight": x})).collect::<Vec<_>>(),
        "trained_on": r.trained_on.map(|(a, b, n)| json!({"from": a.to_string(), "to": b.to_string(), "examples": n})),
        "forecasts": rows,
        "definitions": defs,
        "source": bamboo_data::text::source_json(source),
    });
    serde_json::to_writer_pretty(&mut *w, &v)?;
    writeln!(w)?;
    Ok(())
}

fn write_table(
    w: &mut dyn Write,
    store: &bamboo_core::VoteStore,
    r: &ForecastReport,
    source: &str,
    n_rc: usize,
) -> Result<()> {
    let mode = match r.mode {
        Mode::GivenPositions => "given the other states' positions",
        Mode::Blind => "blind (title, tags and date only)",
    };
    writeln!(
        w,
        "forecasts of {} votes on {n_rc} roll calls, {mode}",
        r.forecasts.len()
    )?;
    if let Some((a, b, n)) = r.trained_on {
        writeln!(w, "weights fitted on {n} votes of {a} to {b}:")?;
        for (name, x) in &r.weights {
            writeln!(w, "  {name:<28} {x:+.4}")?;
        }
    }
    writeln!(
        w,
        "\n{:<14} {:>7} {:>9} {:>8} {:>9}",
        "", "n", "accuracy", "brier", "log loss"
    )?;
    let line = |w: &mut dyn Write, name: &str, s: &Score| -> Result<()> {
        writeln!(
            w,
            "{name:<14} {:>7} {:>9} {:>8} {:>9}",
            s.n,
            fmt(s.accuracy),
            fmt(s.brier),
            fmt(s.log_loss)
        )?;
        Ok(())
    };
    line(w, "model", &r.model)?;
    for (n, s) in &r.baselines {
        line(w, n, s)?;
    }
    // With few forecasts (one or a few states), list them.
    if r.forecasts.len() <= 400 {
        writeln!(
            w,
            "\n{:<18} {:<10} {:<5} {:<9} {:>6} {:>6} {:>8}  actual",
            "id", "date", "state", "predicted", "p_yes", "p_no", "p_abst"
        )?;
        for f in &r.forecasts {
            let rc = &store.roll_calls()[f.roll_call];
            writeln!(
                w,
                "{:<18} {:<10} {:<5} {:<9} {:>6.3} {:>6.3} {:>8.3}  {}",
                case_id(rc),
                rc.date.to_string(),
                f.state,
                f.predicted,
                f.p[0],
                f.p[1],
                f.p[2],
                f.actual.map_or("–".to_string(), |a| a.to_string())
            )?;
        }
    }
    writeln!(w)?;
    for (k, v) in DEFINITIONS {
        writeln!(w, "{k}: {v}")?;
    }
    writeln!(w, "{source}")?;
    Ok(())
}
