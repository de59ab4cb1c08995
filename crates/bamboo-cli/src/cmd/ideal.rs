//! `bamboo ideal`: every state's ideal point in every General Assembly session, from one
//! fit of all sessions, with bootstrap standard errors; and `--metric ideal` for `align`,
//! `balance` and `dyads` (ideal-point distance read as alignment).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Result};
use bamboo_core::alignment::{span_label, SeriesSpec};
use bamboo_core::ideal::{ideal_dyads, ideal_series, measure, IdealPoints};
use bamboo_core::Iso3;
use bamboo_data::ideal::{self as fit_io, Query};
use rayon::prelude::*;

use crate::load::Loaded;
use crate::output::{fixed, push_num, table, write_to, Format};
use crate::Cli;

/// The most bootstrap replicates one run may ask for.
pub const MAX_BOOTSTRAP: u32 = 2000;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// First year: sessions that opened in this year or later (default: the first).
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year: sessions that opened in this year or earlier (default: the last).
    #[arg(long)]
    pub to: Option<i32>,
    /// Only these states (ISO3 codes, comma-separated or repeated; default: every state).
    #[arg(long, value_name = "ISO3")]
    pub state: Vec<String>,
    /// Parametric bootstrap replicates for the standard errors (0: none; at least 2 for
    /// standard errors).
    #[arg(long, default_value_t = bamboo_core::ideal::DEFAULT_BOOTSTRAP)]
    pub bootstrap: u32,
    /// The bootstrap's seed: the same seed gives the same bytes on any number of threads.
    #[arg(long, default_value_t = bamboo_core::ideal::DEFAULT_SEED)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Fits the loaded votes, saying how long it took under `--verbose`.
pub fn fit(cli: &Cli, data: &Loaded, bootstrap: u32, seed: u64) -> Result<IdealPoints> {
    let t = Instant::now();
    let f = fit_io::fit(&data.store, bootstrap, seed)?;
    if cli.verbose {
        let i = f.info();
        crate::output::note!(
            "ideal points: {} roll calls, {} votes, {} EM iterations ({}), {} bootstrap replicates (mean {:.1} iterations) in {:.0} ms",
            i.roll_calls,
            i.votes,
            i.iterations,
            if i.converged { "converged" } else { "NOT converged" },
            i.bootstrap,
            i.boot_iterations_mean,
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    Ok(f)
}

/// One line on how the fit went, for tables.
pub fn fit_line(f: &IdealPoints) -> String {
    let i = f.info();
    format!(
        "fit: {} contested roll calls, {} votes, {} states, {} sessions; {} EM iterations ({}, tolerance {:e}); random walk SD {:.3} per session ({}){}",
        i.roll_calls,
        i.votes,
        i.states,
        f.sessions().len(),
        i.iterations,
        if i.converged { "converged" } else { "not converged" },
        i.tol,
        i.walk_sd,
        if i.walk_estimated { "estimated" } else { "fixed" },
        if i.bootstrap > 1 {
            format!("; {} bootstrap replicates, seed {}", i.bootstrap, i.seed)
        } else {
            String::new()
        }
    )
}

/// Refuses a replicate count the bootstrap cannot use (`flag` names it in the message:
/// `--bootstrap` here, `--ideal-bootstrap` for `bamboo serve`).
pub fn check_bootstrap(flag: &str, n: u32) -> Result<()> {
    if n == 1 || n > MAX_BOOTSTRAP {
        bail!("{flag} {n}: use 0 (no standard errors) or 2 to {MAX_BOOTSTRAP} replicates");
    }
    Ok(())
}

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    check_bootstrap("--bootstrap", args.bootstrap)?;
    if let (Some(a), Some(b)) = (args.from, args.to) {
        if a > b {
            bail!("--from {a} is after --to {b}");
        }
    }
    let data = Loaded::from_cli(cli)?;
    let states = data.countries_list(&args.state, "--state")?;
    let f = fit(cli, &data, args.bootstrap, args.seed)?;
    let q = Query {
        from: args.from,
        to: args.to,
        states,
    };
    let points = fit_io::select(&f, &q).map_err(|e| anyhow::anyhow!("{e}"))?;
    let source = fit_io::source_line(&data.store, &f);
    write_to(args.output.as_deref(), |w| {
        match args.format {
            Format::Csv => w.write_all(fit_io::csv(&points).as_bytes())?,
            Format::Json => w.write_all(fit_io::json_text(&f, &q, &points, &source).as_bytes())?,
            Format::Table => {
                let (lo, hi) = (
                    points.iter().map(|p| p.year).min().unwrap_or(0),
                    points.iter().map(|p| p.year).max().unwrap_or(0),
                );
                let mut states: Vec<Iso3> = points.iter().map(|p| p.state).collect();
                states.dedup();
                writeln!(
                    w,
                    "Ideal points, sessions that opened in {}: {} states, {} state-sessions\n",
                    span_label(lo, hi),
                    states.len(),
                    points.len()
                )?;
                let headers: Vec<String> = bamboo_data::ideal::COLUMNS
                    .split(',')
                    .map(String::from)
                    .collect();
                let body: Vec<Vec<String>> = points
                    .iter()
                    .map(|p| {
                        vec![
                            p.state.to_string(),
                            p.session.to_string(),
                            p.year.to_string(),
                            fixed(Some(p.ideal), 3),
                            fixed(p.se, 3),
                            fixed(p.lo90(), 3),
                            fixed(p.hi90(), 3),
                            p.votes.to_string(),
                        ]
                    })
                    .collect();
                w.write_all(table(&headers, &body).as_bytes())?;
                writeln!(w)?;
                let defs = fit_io::definitions(&f);
                for k in bamboo_data::ideal::COLUMNS.split(',') {
                    writeln!(w, "{k}: {}", defs[k])?;
                }
                writeln!(w, "{}", fit_line(&f))?;
                writeln!(w, "{source}")?;
            }
        }
        Ok(())
    })
}

/// `bamboo align … --metric ideal`: the subject's ideal-point alignment with each other
/// state per span.
pub fn align(
    cli: &Cli,
    data: &Loaded,
    subject: Iso3,
    others: &[Iso3],
    spec: SeriesSpec,
    format: Format,
) -> Result<()> {
    let f = fit(cli, data, 0, 1)?;
    let rows = ideal_series(&f, subject, others, spec)?;
    write_to(None, |w| {
        match format {
            Format::Csv => {
                let mut s = String::from("from,to,a,b,sessions,distance,ideal\n");
                for r in &rows {
                    for (b, p) in &r.with {
                        s.push_str(&format!(
                            "{},{},{},{},{},",
                            r.from, r.to, subject, b, p.sessions
                        ));
                        push_num(&mut s, p.distance);
                        s.push(',');
                        push_num(&mut s, p.alignment);
                        s.push('\n');
                    }
                }
                w.write_all(s.as_bytes())?;
            }
            Format::Json => {
                let v = fit_io::align_json(&f, &data.store, subject, others, spec.by, &rows);
                serde_json::to_writer_pretty(&mut *w, &v)?;
                writeln!(w)?;
            }
            Format::Table => {
                writeln!(
                    w,
                    "{} ({}): ideal-point alignment with each state, by {}\n",
                    data.countries.short_name(subject),
                    subject,
                    spec.by.label()
                )?;
                let mut headers = vec!["years".to_string(), "roll calls".to_string()];
                headers.extend(others.iter().map(|o| o.to_string()));
                let body: Vec<Vec<String>> =
                    rows.iter()
                        .map(|r| {
                            let mut cells =
                                vec![span_label(r.from, r.to), r.roll_calls.to_string()];
                            cells.extend(r.with.iter().map(|(_, p)| {
                                format!("{} ({})", fixed(p.alignment, 3), p.sessions)
                            }));
                            cells
                        })
                        .collect();
                w.write_all(table(&headers, &body).as_bytes())?;
                writeln!(
                    w,
                    "\n{}; (n) = sessions in which both have an ideal point; roll calls = contested roll calls of those sessions",
                    measure::definition(f.range())
                )?;
                writeln!(w, "{}", fit_line(&f))?;
                writeln!(w, "{}", fit_io::source_line(&data.store, &f))?;
            }
        }
        Ok(())
    })
}

/// The header of `bamboo dyads --metric ideal`.
pub const DYAD_HEADER: &str = "year,session,a,b,x_a,x_b,distance,ideal\n";

/// `bamboo dyads --metric ideal`: every pair of states in every session, read from their
/// ideal points.
pub fn dyads(
    cli: &Cli,
    data: &Loaded,
    from: i32,
    to: i32,
    format: Format,
    output: Option<&std::path::Path>,
) -> Result<()> {
    let f = fit(cli, data, 0, 1)?;
    let sessions = ideal_dyads(&f, from, to);
    if sessions.iter().all(Vec::is_empty) {
        bail!(
            "no session opened in {}; ideal points cover sessions that opened in {}-{}",
            span_label(from, to),
            f.sessions().first().map_or(0, |s| s.year),
            f.sessions().last().map_or(0, |s| s.year)
        );
    }
    let chunks: Vec<String> = sessions
        .par_iter()
        .enumerate()
        .map(|(k, ds)| {
            let mut s = String::with_capacity(ds.len() * 72);
            for (i, d) in ds.iter().enumerate() {
                match format {
                    Format::Csv => {
                        s.push_str(&format!("{},{},{},{},", d.year, d.session, d.a, d.b));
                        for (j, x) in [d.x_a, d.x_b, d.distance, d.alignment].iter().enumerate() {
                            if j > 0 {
                                s.push(',');
                            }
                            s.push_str(ryu::Buffer::new().format(*x));
                        }
                        s.push('\n');
                    }
                    Format::Json => {
                        if k > 0 || i > 0 {
                            s.push_str(",\n");
                        }
                        s.push_str("  ");
                        s.push_str(&serde_json::to_string(d).expect("a dyad serialises"));
                    }
                    Format::Table => s.push_str(&format!(
                        "{:>4}  {:>7}  {}  {}  {:>7.3}  {:>7.3}  {:>8.3}  {:>6.3}\n",
                        d.year, d.session, d.a, d.b, d.x_a, d.x_b, d.distance, d.alignment
                    )),
                }
            }
            s
        })
        .collect();
    write_to(output, |w| {
        match format {
            Format::Csv => w.write_all(DYAD_HEADER.as_bytes())?,
            Format::Json => w.write_all(b"[\n")?,
            Format::Table => writeln!(
                w,
                "year  session  a    b        x_a      x_b  distance   ideal\n----  -------  ---  ---  -------  -------  --------  ------"
            )?,
        }
        for c in &chunks {
            w.write_all(c.as_bytes())?;
        }
        match format {
            Format::Json => w.write_all(b"\n]\n")?,
            Format::Table => writeln!(
                w,
                "\nx_a, x_b = ideal points (bamboo ideal; each session standardised to mean 0, SD 1); distance = |x_a - x_b|; {}\n{}\n{}",
                measure::definition(f.range()),
                fit_line(&f),
                fit_io::source_line(&data.store, &f)
            )?,
            Format::Csv => {}
        }
        Ok(())
    })
}
