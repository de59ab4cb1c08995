//! The `bamboo` binary: parses flags with clap, runs one subcommand, maps errors to a
//! one-line message and a non-zero exit code, and treats a closed pipe as normal.

mod case_errors;
mod cmd;
mod filters;
mod ledger_setup;
mod load;
mod output;
mod span_args;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system's allocator: `advise` on 10,000 cases allocates and
/// frees millions of small strings and vectors, and glibc's malloc was a fifth of its time
/// (BENCHMARKS.md, "`bamboo advise` on 10,000 cases").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// bamboo: measure, advise and simulate "bamboo diplomacy" from real data.
#[derive(Parser, Debug)]
#[command(name = "bamboo", version, about, long_about = None)]
pub struct Cli {
    /// The shared data folder (holding unga/ and countries.csv). Default: $BAMBOO_DATA,
    /// else ../shared/data or ./data relative to the working directory.
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Extra vote files to merge (UN Digital Library export, unvotes or Voeten tables, or a
    /// one-resolution table); the format is detected from the header. Repeatable.
    #[arg(long = "votes", global = true, value_name = "FILE")]
    pub votes: Vec<PathBuf>,

    /// The largest input file read, in bytes after decompression (vote tables, countries,
    /// trade, arms, doctrines, cases, ledgers, worlds). A larger file is refused at once.
    #[arg(long, global = true, value_name = "BYTES", default_value_t = bamboo_data::source::DEFAULT_MAX_INPUT_BYTES)]
    pub max_input_bytes: u64,

    /// Log what is read and how long it takes, to stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Read the vote tables without the binary cache under $XDG_CACHE_HOME/bamboo (or
    /// ~/.cache/bamboo), and leave it as it is. BAMBOO_NO_CACHE=1 does the same.
    #[arg(long, global = true)]
    pub no_cache: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// A state's alignment with each of the others over time.
    Align(cmd::align::Args),
    /// A state's lean and balance between the poles, per year.
    Balance(cmd::balance::Args),
    /// Every pair of states in every year: n, agreement, S, kappa, pi.
    Dyads(cmd::dyads::Args),
    /// Every state's ideal point in every session, with bootstrap standard errors.
    Ideal(cmd::ideal::Args),
    /// Every state against the poles in one period, with bootstrap intervals.
    Atlas(cmd::atlas::Args),
    /// The years a state's agreement with a pole moved beyond its interval, and why.
    Shifts(cmd::shifts::Args),
    /// Draw a chart as SVG.
    #[command(subcommand)]
    Chart(cmd::chart::Chart),
    /// What a doctrine advises for each case in a case file.
    Advise(cmd::advise::Args),
    /// Score a doctrine against what really happened, beside the baselines.
    Backtest(cmd::backtest::Args),
    /// Check a doctrine file.
    #[command(subcommand)]
    Doctrine(cmd::doctrine::Doctrine),
    /// Case files from the record: every recorded UN vote of a state as a spec case.
    #[command(subcommand)]
    Cases(cmd::cases::Cases),
    /// Forecast each state's vote on roll calls, with probabilities, from what came before.
    Predict(cmd::predict::Args),
    /// After the engine's choice, a dated agenda of offsetting moves that keeps the balance.
    Plan(cmd::plan::Args),
    /// Many seeded futures of great-power pressure, doctrine against doctrine.
    Simulate(cmd::simulate::Args),
    /// Simulate every point of a design (factorial, Latin hypercube, explicit points) into a
    /// directory, resuming where a previous run stopped.
    Sweep(cmd::sweep::Args),
    /// Serve the JSON API and the dashboard over HTTP.
    Serve(cmd::serve::Args),
    /// Move ledger events between TOML files and the database.
    #[command(subcommand)]
    Ledger(cmd::ledger::Ledger),
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(span_args::join_window(std::env::args_os()));
    bamboo_data::source::set_max_input_bytes(cli.max_input_bytes);
    if cli.verbose {
        output::note!("bamboo {}", env!("CARGO_PKG_VERSION"));
    }
    let result = match &cli.command {
        Some(Command::Align(a)) => cmd::align::run(&cli, a),
        Some(Command::Balance(a)) => cmd::balance::run(&cli, a),
        Some(Command::Dyads(a)) => cmd::dyads::run(&cli, a),
        Some(Command::Ideal(a)) => cmd::ideal::run(&cli, a),
        Some(Command::Atlas(a)) => cmd::atlas::run(&cli, a),
        Some(Command::Shifts(a)) => cmd::shifts::run(&cli, a),
        Some(Command::Chart(c)) => cmd::chart::run(&cli, c),
        Some(Command::Advise(a)) => cmd::advise::run(&cli, a),
        Some(Command::Backtest(a)) => cmd::backtest::run(&cli, a),
        Some(Command::Doctrine(c)) => cmd::doctrine::run(&cli, c),
        Some(Command::Cases(c)) => cmd::cases::run(&cli, c),
        Some(Command::Predict(a)) => cmd::predict::run(&cli, a),
        Some(Command::Plan(a)) => cmd::plan::run(&cli, a),
        Some(Command::Simulate(a)) => cmd::simulate::run(&cli, a),
        Some(Command::Sweep(a)) => cmd::sweep::run(&cli, a),
        Some(Command::Serve(a)) => cmd::serve::run(&cli, a),
        Some(Command::Ledger(l)) => cmd::ledger::run(l),
        None => cmd::overview::run(&cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            output::note!("bamboo: error: {}", output::error_line(&e));
            ExitCode::FAILURE
        }
    }
}
