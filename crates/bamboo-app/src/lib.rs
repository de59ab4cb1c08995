//! bamboo-app: the application layer the CLI and the server share. The queries behind each
//! command and endpoint, their checks ([`query`]: the poles, the span and its clamp to the
//! data, `--by`/`by=`), their JSON ([`views`], [`doc`]), provenance (as
//! `bamboo_data::votes::provenance` derives it) and the chart adapters ([`charts`],
//! [`map`]) that turn answers into `bamboo-report` drawings.
//!
//! No HTTP, no printing, no clap: `bamboo-cli` turns flags, and `bamboo-server` query
//! strings, into the same calls, so `bamboo balance VNM --format json` and
//! `GET /api/balance/VNM` give the same bytes.

pub mod charts;
pub mod doc;
pub mod map;
pub mod query;
pub mod views;
