//! One module per subcommand; each has its clap `Args` and a `run`.

pub mod advise;
pub mod align;
pub mod backtest;
pub mod balance;
pub mod chart;
pub mod doctrine;
pub mod dyads;
pub mod ideal;
pub mod ledger;
pub mod overview;
pub mod serve;
pub mod simulate;
