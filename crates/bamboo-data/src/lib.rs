//! bamboo-data: readers and writers for bamboo's inputs. It finds the shared data folder,
//! reads UN General Assembly vote tables in every supported format, the ISO 3166 country
//! table, trade and arms flows, and the project's TOML inputs (cases, doctrines, ledgers), and keeps
//! the ledger database (SQLite).
//! Everything it reads becomes `bamboo-core` domain types; every error names the file,
//! the line and the field.

pub mod advisor;
pub mod arms;
pub mod bsv;
pub mod cache;
pub mod case;
mod case_plain;
pub mod countries;
pub mod csv;
pub mod design;
pub mod doctrine;
pub mod error;
pub mod fitting;
pub mod geo;
pub mod groups;
pub mod ideal;
pub mod ledger;
pub mod ledger_db;
pub mod locate;
pub mod record;
pub mod shipped;
pub mod simulation;
pub mod source;
pub mod sweep;
pub mod text;
pub mod toml_input;
pub mod trade;
pub mod votes;
pub mod world;

pub use countries::{Countries, Country};
pub use error::DataError;
pub use locate::DataDir;
pub use toml_input::{Diagnostic, InputError};
