//! Shared helpers for unit tests: XML parsing and realistic sample charts.

use crate::{Annotation, LineChart, Series};

/// Parses `svg` as XML, panicking with the document on failure.
pub(crate) fn parse(svg: &str) -> roxmltree::Document<'_> {
    match roxmltree::Document::parse(svg) {
        Ok(d) => d,
        Err(e) => panic!("invalid XML: {e}\n{svg}"),
    }
}

/// Agreement of Viet Nam with the USA, China and Russia, 1977–2021 (made-up
/// but realistic values), with a gap in the Russia series.
pub(crate) fn vietnam() -> LineChart {
    let years: Vec<f64> = (1977..=2021).map(f64::from).collect();
    let wave = |y: f64, a: f64, p: f64| (y / p).sin() * a;
    let usa = years
        .iter()
        .map(|&y| {
            (
                y,
                Some(0.2 + 0.25 * ((y - 1977.0) / 44.0) + wave(y, 0.03, 3.0)),
            )
        })
        .collect();
    let chn = years
        .iter()
        .map(|&y| (y, Some(0.87 + wave(y, 0.06, 4.0))))
        .collect();
    let rus = years
        .iter()
        .map(|&y| {
            let v = if (1992.0..=1994.0).contains(&y) {
                None
            } else {
                Some(0.85 + wave(y, 0.09, 5.0))
            };
            (y, v)
        })
        .collect();
    LineChart::new("Viet Nam: voting agreement with the great powers")
        .subtitle("Share of UN General Assembly roll-call votes cast the same way; abstentions count as half")
        .x_label("Year")
        .y_label("Agreement")
        .y_range(0.0, 1.0)
        .series(Series::new("USA", usa))
        .series(Series::new("CHN", chn))
        .series(Series::new("RUS", rus))
        .annotate(Annotation::band(0.4, 0.6, "tolerated lean"))
        .annotate(Annotation::event(1995.0, "1995 US ties"))
        .annotate(Annotation::event(2008.0, "2008 CSP China"))
        .annotate(Annotation::event(2001.0, "2001 SP Russia"))
}
