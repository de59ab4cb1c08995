//! bamboo-data: readers and writers for bamboo's inputs. It finds the shared data folder,
//! reads UN General Assembly vote tables in every supported format, and the ISO 3166
//! country table, and keeps the ledger of events (TOML files and a SQLite database).
//! Everything it reads becomes `bamboo-core` domain types; every error
//! names the file, the line and the field.

pub mod countries;
pub mod csv;
pub mod error;
pub mod ledger_db;
pub mod ledger_toml;
pub mod locate;
pub mod source;
pub mod votes;

pub use countries::{Countries, Country};
pub use error::DataError;
pub use locate::DataDir;
