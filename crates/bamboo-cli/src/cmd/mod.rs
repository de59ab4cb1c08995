//! One module per subcommand; each has its clap `Args` and a `run`.

pub mod align;
pub mod balance;
pub mod chart;
pub mod dyads;
pub mod overview;
