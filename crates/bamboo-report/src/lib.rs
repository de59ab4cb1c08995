//! bamboo-report: charts and tables rendered to strings. No I/O.
//!
//! Every renderer is pure and deterministic: the same input gives the same
//! bytes. Charts are standalone, accessible SVG documents (`role="img"`,
//! `<title>`, `<desc>`, `aria-labelledby`, white background, viewBox,
//! sans-serif text ≥ 11 px, colour-blind-safe Okabe–Ito palette plus dash
//! patterns and markers). Empty inputs render a "No data" chart rather than
//! panicking.
//!
//! * [`LineChart`] — series over years, gaps for missing values,
//!   [`Annotation`]s (bands, reference lines, events).
//! * [`Heatmap`] — matrix of values with a colour-scale legend.
//! * [`FanChart`] — quantile fans (5–95 %, 25–75 %, median) per group.
//! * [`DistributionChart`] — box plots from summary statistics, one panel per
//!   outcome.
//! * [`Choropleth`] — a world map in the Equal Earth projection, filled by value or
//!   category, hatched where there is no data, dots for regions too small to see.
//! * [`Table`] — aligned plain-text tables; [`csv_escape`] / [`csv_row`] for
//!   CSV.

#![warn(missing_docs)]

mod compose;
mod distribution;
mod fan;
mod frame;
mod heatmap;
mod line;
mod map;
mod svg;
mod table;
mod text;
mod ticks;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testutil;
// The sample data the golden check draws, shared with the unit tests: the file names the
// crate as its users do.
#[cfg(test)]
extern crate self as bamboo_report;
#[cfg(test)]
#[path = "../tests/samples/mod.rs"]
mod samples;

pub use compose::{grid, side_by_side};
pub use distribution::{DistributionChart, DistributionPanel, GroupSummary, Summary};
pub use fan::{FanChart, FanGroup, FanPoint};
pub use frame::Annotation;
pub use heatmap::{ColorScale, Heatmap};
pub use line::{LineChart, Series};
pub use map::{equal_earth, lighten, Category, Choropleth, Fill, Legend, Region};
pub use svg::{xml_escape, PALETTE};
pub use table::{csv_escape, csv_row, write_csv_row, Align, Table};
pub use ticks::{nice_domain, nice_ticks, Ticks};
