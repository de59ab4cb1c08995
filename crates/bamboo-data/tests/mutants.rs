//! Fuzz targets for every reader: mutations of the real shipped files (cases, doctrines,
//! ledgers, the world, vote tables, the country table) must give a valid result or a
//! located one-line error, never a panic or a hang. A fixed-seed quick run is part of
//! `cargo test`; a longer one is `BAMBOO_MUTANTS=5000 cargo test -p bamboo-data --test
//! mutants --release -- --nocapture` (any seed with `BAMBOO_MUTANTS_SEED`).

#![allow(clippy::print_stderr)] // prints each target's tally

mod mutate;
use mutate as mutants;

use std::path::{Path, PathBuf};

use mutants::{line_is_located, run, Outcome, Tally};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn data() -> PathBuf {
    root().join("../shared/data")
}

fn base(rel: &str) -> (String, Vec<u8>) {
    let p = root().join(rel);
    let b = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    (rel.rsplit('/').next().unwrap().to_string(), b)
}

/// The first `lines` lines of a (gzipped) shared data file.
fn head(rel: &str, lines: usize) -> (String, Vec<u8>) {
    let p = data().join(rel);
    let bytes = bamboo_data::source::read_bytes(&p).unwrap();
    let text: Vec<&[u8]> = bytes.split_inclusive(|&c| c == b'\n').take(lines).collect();
    let name = rel.rsplit('/').next().unwrap().trim_end_matches(".gz");
    (name.to_string(), text.concat())
}

/// The mutant's text, or a located rejection of it as the reader would give for a file
/// that is not UTF-8.
fn text(label: &str, b: Vec<u8>) -> Result<String, Outcome> {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join(label);
    std::fs::write(&p, &b).unwrap();
    match bamboo_data::toml_input::read(&p) {
        Ok(s) => Ok(s),
        Err(e) => Err(judge_input(&e)),
    }
}

fn judge_input(e: &bamboo_data::InputError) -> Outcome {
    let line = e.to_string();
    match e.diagnostic() {
        Some(d)
            if d.line.is_some()
                && d.field.as_deref().is_some_and(|f| !f.is_empty())
                && !d.message.trim().is_empty()
                && !line.contains('\n') =>
        {
            Outcome::Located
        }
        _ => Outcome::Unlocated(line),
    }
}

const MAX_MAGNITUDE: f64 = bamboo_core::doctrine::MAX_MAGNITUDE;

fn finite_in_range(what: &str, xs: impl IntoIterator<Item = f64>) -> Result<(), String> {
    for x in xs {
        if !x.is_finite() || x.abs() > MAX_MAGNITUDE {
            return Err(format!("{what} holds {x}"));
        }
    }
    Ok(())
}

fn report(t: &Tally) {
    report_at(t, 0.99);
}

fn report_at(t: &Tally, share: f64) {
    eprintln!("{}", t.summary());
    t.check(share);
}

const QUICK: usize = 250;

#[test]
fn case_files() {
    let bases = vec![
        base("../shared/cases/vietnam.toml"),
        base("data/cases/vietnam-record.toml"),
        base("data/cases/india.toml"),
    ];
    let t = run("case", &bases, mutants::count(QUICK), b'=', |label, b| {
        let src = match text(label, b) {
            Ok(s) => s,
            Err(o) => return o,
        };
        match bamboo_data::case::parse_cases(Path::new(label), &src) {
            Ok(_) => Outcome::Valid,
            Err(e) => judge_input(&e),
        }
    });
    report(&t);
}

#[test]
fn case_files_as_json() {
    // The server's JSON form of the same cases.
    let bases: Vec<(String, Vec<u8>)> = ["../shared/cases/vietnam.toml", "data/cases/india.toml"]
        .iter()
        .map(|rel| {
            let src = std::fs::read_to_string(root().join(rel)).unwrap();
            let v: toml::Value = toml::from_str(&src).unwrap();
            let json = serde_json::to_string_pretty(&v).unwrap();
            (
                format!("{}.json", rel.rsplit('/').next().unwrap()),
                json.into_bytes(),
            )
        })
        .collect();
    let t = run(
        "case (JSON)",
        &bases,
        mutants::count(QUICK),
        b':',
        |label, b| {
            let src = match text(label, b) {
                Ok(s) => s,
                Err(o) => return o,
            };
            match bamboo_data::case::parse_cases_json(Path::new(label), &src) {
                Ok(_) => Outcome::Valid,
                Err(e) => judge_input(&e),
            }
        },
    );
    report(&t);
}

#[test]
fn doctrine_files() {
    let bases: Vec<_> = [
        "vietnam",
        "india",
        "neutral",
        "align-usa",
        "bandwagon-china",
    ]
    .iter()
    .map(|n| base(&format!("data/doctrines/{n}.toml")))
    .collect();
    let t = run(
        "doctrine",
        &bases,
        mutants::count(QUICK),
        b'=',
        |label, b| {
            let src = match text(label, b) {
                Ok(s) => s,
                Err(o) => return o,
            };
            match bamboo_data::doctrine::parse_compiled(Path::new(label), &src) {
                Ok(d) => {
                    let b = d.branches();
                    let nums = b
                        .interests
                        .iter()
                        .map(|x| x.1)
                        .chain(b.relations.iter().map(|x| x.1))
                        .chain(b.kinds.iter().flat_map(|k| k.1.clone()))
                        .chain(b.tags.iter().flat_map(|k| k.1.clone()))
                        .chain([
                            b.default_relation,
                            b.balance,
                            b.lean_weight,
                            b.max_lean,
                            b.bystander,
                            b.relation_inputs.tier,
                            b.relation_inputs.visits,
                            b.relation_inputs.incidents,
                            d.lean_spec().saturation,
                        ])
                        .chain(d.lean_spec().weights)
                        .chain(d.lean_spec().tiers)
                        .chain(d.root_weights().iter().copied())
                        .chain(d.kind_values().iter().copied())
                        .chain(d.tag_values().iter().copied());
                    match finite_in_range("the doctrine", nums) {
                        Ok(()) => Outcome::Valid,
                        Err(e) => Outcome::BadResult(e),
                    }
                }
                Err(e) => judge_input(&e),
            }
        },
    );
    report(&t);
}

#[test]
fn ledger_files() {
    let bases = vec![
        base("data/ledger/vietnam.toml"),
        base("data/ledger/india.toml"),
    ];
    let t = run("ledger", &bases, mutants::count(QUICK), b'=', |label, b| {
        let src = match text(label, b) {
            Ok(s) => s,
            Err(o) => return o,
        };
        match bamboo_data::ledger::parse_ledger(Path::new(label), &src) {
            Ok(_) => Outcome::Valid,
            Err(e) => judge_input(&e),
        }
    });
    report(&t);
}

#[test]
fn world_files() {
    let bases = vec![base("data/worlds/default.toml")];
    let t = run("world", &bases, mutants::count(QUICK), b'=', |label, b| {
        let src = match text(label, b) {
            Ok(s) => s,
            Err(o) => return o,
        };
        match bamboo_data::world::parse_world(Path::new(label), &src) {
            Ok(w) => {
                if !(1..=9999).contains(&w.start_year) {
                    return Outcome::BadResult(format!("start_year {}", w.start_year));
                }
                let m = &w.mechanics;
                let mut nums = vec![
                    w.scenario.polarisation_start,
                    w.scenario.polarisation_end,
                    w.scenario.volatility,
                    w.scenario.events_per_year,
                    m.reaction,
                    m.salience_base,
                    m.salience_polarisation,
                    m.relation_drift,
                    m.floor,
                    m.recover,
                    m.break_trade_loss,
                    m.break_hostility,
                    m.trade_growth,
                    m.reward_budget,
                    m.coercion,
                    m.pact_gain,
                    m.trade_step,
                    m.arms_step,
                    m.incident_rate,
                    m.alliance_deterrence,
                    m.base_deterrence,
                    m.arms_deterrence,
                    m.appeasement,
                    m.force_escalation,
                    m.protest_cost,
                    m.incident_cost,
                    m.un_memory,
                    m.visit_memory,
                ];
                nums.extend(w.scenario.shock.map(|s| s.1));
                for s in &w.states {
                    nums.extend(
                        s.relations
                            .iter()
                            .chain(&s.un)
                            .chain(&s.trade)
                            .chain(&s.arms),
                    );
                }
                match finite_in_range("the world", nums) {
                    Ok(()) => Outcome::Valid,
                    Err(e) => Outcome::BadResult(e),
                }
            }
            Err(e) => judge_input(&e),
        }
    });
    report(&t);
}

/// A data error, judged by its one line (`FILE:LINE: field `x`: …`).
fn judge_data(e: &bamboo_data::DataError, file: &Path) -> Outcome {
    let line = e.to_string();
    if line_is_located(&line, &file.display().to_string()) {
        Outcome::Located
    } else {
        Outcome::Unlocated(line)
    }
}

#[test]
fn vote_files() {
    let countries = bamboo_data::Countries::load(&data().join("countries.csv")).unwrap();
    let bases = vec![
        head("unga-es11/es11_1_votes_2022.csv", 200),
        head("unga/voeten_roll_calls_2020_2021.csv", 200),
        head("unga/undl_ga_votes_2022_jan_oct.csv", 120),
        head("unga/un_roll_calls.csv.gz", 120),
        head("unga/un_votes.csv.gz", 300),
        head("unga/un_roll_call_issues.csv.gz", 200),
    ];
    let countries = std::sync::Arc::new(countries);
    let roll_calls = data().join("unga/un_roll_calls.csv.gz");
    let t = run(
        "vote file",
        &bases,
        mutants::count(QUICK),
        b',',
        move |label, b| {
            let t = tempfile::tempdir().unwrap();
            let p = t.path().join(label);
            std::fs::write(&p, &b).unwrap();
            // Votes and issues need their roll calls.
            let mut files = vec![p.clone()];
            if label.starts_with("un_votes") || label.starts_with("un_roll_call_issues") {
                files.insert(0, roll_calls.clone());
            }
            match bamboo_data::votes::load_files(&files, &countries) {
                Ok(_) => Outcome::Valid,
                Err(e) => judge_data(&e, &p),
            }
        },
    );
    report(&t);
}

#[test]
fn country_table() {
    let bases = vec![base("../shared/data/countries.csv")];
    let t = run(
        "countries",
        &bases,
        mutants::count(QUICK / 2),
        b',',
        |label, b| {
            let t = tempfile::tempdir().unwrap();
            let p = t.path().join(label);
            std::fs::write(&p, &b).unwrap();
            match bamboo_data::Countries::load(&p) {
                Ok(_) => Outcome::Valid,
                Err(e) => judge_data(&e, &p),
            }
        },
    );
    report(&t);
}
