//! The ideal-point fit as bamboo runs it (the options the CLI and the server share) and
//! its output, so that `bamboo ideal --format json` and `GET /api/ideal` print the same
//! bytes.

use bamboo_core::ideal::IdealOptions;
use bamboo_core::Iso3;

/// Codes of one state that the data changes over time, joined into one random walk:
/// the unvotes data codes Serbia `YU` (as Yugoslavia) through 2019, Voeten's files `SRB`.
pub const LINKS: [(&str, &str); 1] = [("YUG", "SRB")];

/// The options of bamboo's fit: the core defaults (the United States positive) with
/// [`LINKS`].
pub fn options() -> IdealOptions {
    IdealOptions {
        links: LINKS
            .iter()
            .map(|(a, b)| (Iso3::parse(a).expect("code"), Iso3::parse(b).expect("code")))
            .collect(),
        ..IdealOptions::default()
    }
}
