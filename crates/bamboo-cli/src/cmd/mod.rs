//! One module per subcommand; each has its clap `Args` and a `run`.

pub mod advise;
pub mod align;
pub mod atlas;
pub mod backtest;
pub mod balance;
pub mod cases;
pub mod chart;
pub mod doctrine;
pub mod dyads;
pub mod fit;
pub mod ideal;
pub mod ledger;
pub mod overview;
pub mod plan;
pub mod predict;
pub mod serve;
pub mod shifts;
pub mod simulate;
pub mod sweep;
