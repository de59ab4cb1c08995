//! bamboo-data: readers and writers for vote tables, countries, cases, doctrines, ledgers
//! and trade and arms flows.

pub mod arms;
pub mod case;
pub mod doctrine;
pub mod ledger;
pub mod toml_input;
pub mod trade;

pub use toml_input::{Diagnostic, InputError};
