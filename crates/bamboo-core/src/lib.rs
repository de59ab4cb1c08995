//! bamboo-core: the pure domain of bamboo (countries, dates, votes, alignment metrics,
//! balance between poles, doctrine and engine). It does no I/O: readers live in
//! `bamboo-data`, printing in `bamboo-report` and the CLI.
#![warn(missing_docs)]

pub mod alignment;
pub mod atlas;
pub mod backtest;
pub mod balance;
pub mod baselines;
pub mod bootstrap;
pub mod case;
pub mod country;
pub mod date;
pub mod doctrine;
pub mod dyads;
pub mod engine;
pub mod evidence;
pub mod fit;
pub mod flows;
pub mod forecast;
pub mod groups;
pub mod ideal;
pub mod ledger;
pub mod metrics;
pub mod plan;
pub mod record;
pub mod select;
pub mod shifts;
pub mod store;
pub mod vote;

pub use country::Iso3;
pub use date::Date;
pub use metrics::{JointTable, Measures};
pub use store::{RollCall, VoteStore, VoteStoreBuilder};
pub use vote::Vote;
