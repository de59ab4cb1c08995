//! [`FanChart`]: per-x quantile fans (5–95 % light band, 25–75 % darker band,
//! median line) for several groups, e.g. simulated futures per doctrine.

use std::fmt::Write as _;

use crate::frame::{Annotation, Frame, FrameSpec, LegendEntry, Swatch};
use crate::line::{min_max, path_data, segments, valid_range};
use crate::svg::{self, f2, fmt_value, xml_escape};
use crate::ticks::Scale;

/// Quantiles of a distribution at one x (e.g. one simulated year).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FanPoint {
    /// Position on the x axis (usually a year).
    pub x: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl FanPoint {
    /// A point from `x` and the quantiles `[p5, p25, p50, p75, p95]`.
    pub fn new(x: f64, q: [f64; 5]) -> Self {
        FanPoint {
            x,
            p5: q[0],
            p25: q[1],
            p50: q[2],
            p75: q[3],
            p95: q[4],
        }
    }

    fn is_valid(&self) -> bool {
        [self.x, self.p5, self.p25, self.p50, self.p75, self.p95]
            .iter()
            .all(|v| v.is_finite())
    }
}

/// One group's fan, e.g. one doctrine. Points with any non-finite value
/// break the fan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FanGroup {
    /// Legend name.
    pub name: String,
    /// Quantiles per x, in drawing order.
    pub points: Vec<FanPoint>,
}

impl FanGroup {
    /// A group from its name and points.
    pub fn new(name: impl Into<String>, points: Vec<FanPoint>) -> Self {
        FanGroup {
            name: name.into(),
            points,
        }
    }
}

/// A fan chart rendered to SVG with [`FanChart::to_svg`]. Groups are overlaid
/// in one plot: all light 5–95 % bands first, then the 25–75 % bands, then the
/// median lines (each with its own colour and dash pattern) on top.
///
/// ```
/// use bamboo_report::{FanChart, FanGroup, FanPoint};
/// let g = FanGroup::new("Hedge", (2025..2030).map(|y| FanPoint::new(y as f64, [0.3, 0.4, 0.5, 0.6, 0.7])).collect());
/// let svg = FanChart::new("Alignment with China").y_label("Agreement").group(g).to_svg();
/// assert!(svg.contains("Hedge"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FanChart {
    /// Chart title.
    pub title: String,
    /// Optional subtitle (source/definition).
    pub subtitle: Option<String>,
    /// X-axis title.
    pub x_label: String,
    /// Y-axis title.
    pub y_label: String,
    /// Fixed x range; `None` = data extent.
    pub x_range: Option<(f64, f64)>,
    /// Fixed y range; `None` = data extent rounded out to nice ticks.
    pub y_range: Option<(f64, f64)>,
    /// The fans.
    pub groups: Vec<FanGroup>,
    /// Bands, reference lines and event markers.
    pub annotations: Vec<Annotation>,
    /// Nominal width in px.
    pub width: f64,
    /// Nominal height in px.
    pub height: f64,
}

impl Default for FanChart {
    fn default() -> Self {
        FanChart {
            title: String::new(),
            subtitle: None,
            x_label: String::new(),
            y_label: String::new(),
            x_range: None,
            y_range: None,
            groups: Vec::new(),
            annotations: Vec::new(),
            width: 820.0,
            height: 480.0,
        }
    }
}

/// Key explaining the bands, shown under the legend.
const FAN_NOTE: &str = "Light band: 5th–95th percentile; dark band: 25th–75th; line: median.";

impl FanChart {
    /// An empty chart with a title and default size (820×480).
    pub fn new(title: impl Into<String>) -> Self {
        FanChart {
            title: title.into(),
            ..Default::default()
        }
    }

    /// Sets the subtitle.
    pub fn subtitle(mut self, s: impl Into<String>) -> Self {
        self.subtitle = Some(s.into());
        self
    }

    /// Sets the x-axis title.
    pub fn x_label(mut self, s: impl Into<String>) -> Self {
        self.x_label = s.into();
        self
    }

    /// Sets the y-axis title.
    pub fn y_label(mut self, s: impl Into<String>) -> Self {
        self.y_label = s.into();
        self
    }

    /// Fixes the x range.
    pub fn x_range(mut self, lo: f64, hi: f64) -> Self {
        self.x_range = Some((lo, hi));
        self
    }

    /// Fixes the y range.
    pub fn y_range(mut self, lo: f64, hi: f64) -> Self {
        self.y_range = Some((lo, hi));
        self
    }

    /// Adds a group.
    pub fn group(mut self, g: FanGroup) -> Self {
        self.groups.push(g);
        self
    }

    /// Adds an annotation.
    pub fn annotate(mut self, a: Annotation) -> Self {
        self.annotations.push(a);
        self
    }

    /// Sets the nominal size in px.
    pub fn size(mut self, width: f64, height: f64) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Renders the chart as a standalone SVG document. Deterministic; with no
    /// valid point it renders a "No data" message.
    pub fn to_svg(&self) -> String {
        let valid: Vec<&FanPoint> = self
            .groups
            .iter()
            .flat_map(|g| g.points.iter().filter(|p| p.is_valid()))
            .collect();
        if valid.is_empty() {
            return svg::empty_chart("fan", &self.title, self.subtitle.as_deref(), "Fan chart");
        }
        let (x_domain, x_integer, y_domain, y_fixed) = self.domains(&valid);
        let legend = self.legend();
        let notes = vec![FAN_NOTE.to_string()];
        let spec = FrameSpec {
            kind: "fan",
            title: &self.title,
            subtitle: self.subtitle.as_deref(),
            x_label: &self.x_label,
            y_label: &self.y_label,
            width: self.width,
            height: self.height,
            x_domain,
            x_integer,
            y_domain,
            y_fixed,
            annotations: &self.annotations,
            legend: &legend,
            legend_notes: &notes,
            desc: self.describe(),
        };
        let mut f = Frame::begin(&spec);
        let (xs, ys) = (f.x, f.y);
        let clip = f.clip.clone();
        let runs = self.runs();
        let out = f.svg.buf();
        let _ = writeln!(out, "<g class=\"fans\"{clip}>");
        draw_bands(out, &runs, &xs, &ys);
        self.draw_medians(out, &runs, &xs, &ys);
        out.push_str("</g>\n");
        f.finish(&spec)
    }

    /// The x domain (and whether it is whole numbers), and the y domain (and whether it
    /// was given, rather than taken from the data and the annotations).
    fn domains(&self, valid: &[&FanPoint]) -> ((f64, f64), bool, (f64, f64), bool) {
        let xs: Vec<f64> = valid.iter().map(|p| p.x).collect();
        let x_domain = valid_range(self.x_range).unwrap_or_else(|| min_max(&xs));
        let x_integer = xs.iter().all(|x| x.fract() == 0.0 && x.abs() < 1e15)
            && x_domain.0.fract() == 0.0
            && x_domain.1.fract() == 0.0;
        let (y_domain, y_fixed) = match valid_range(self.y_range) {
            Some(r) => (r, true),
            None => {
                let mut all: Vec<f64> = valid
                    .iter()
                    .flat_map(|p| [p.p5, p.p25, p.p50, p.p75, p.p95])
                    .collect();
                all.extend(self.annotations.iter().flat_map(|a| a.y_extent()));
                (min_max(&all), false)
            }
        };
        (x_domain, x_integer, y_domain, y_fixed)
    }

    /// One legend entry per group, marked when the group has no valid point.
    fn legend(&self) -> Vec<LegendEntry> {
        self.groups
            .iter()
            .enumerate()
            .map(|(i, g)| LegendEntry {
                label: if g.points.iter().any(FanPoint::is_valid) {
                    g.name.clone()
                } else {
                    format!("{} (no data)", g.name)
                },
                swatch: Swatch::Fan(i),
            })
            .collect()
    }

    /// Runs of valid points per group, in data units.
    fn runs(&self) -> Vec<Vec<Vec<FanPoint>>> {
        self.groups
            .iter()
            .map(|g| {
                let mut runs: Vec<Vec<FanPoint>> = vec![Vec::new()];
                for p in &g.points {
                    if p.is_valid() {
                        runs.last_mut()
                            .expect("runs starts with one run and only grows")
                            .push(*p);
                    } else if runs.last().is_some_and(|r| !r.is_empty()) {
                        runs.push(Vec::new());
                    }
                }
                runs.retain(|r| !r.is_empty());
                runs
            })
            .collect()
    }

    /// Each group's median line (markers for isolated points), over the bands.
    fn draw_medians(&self, out: &mut String, runs: &[Vec<Vec<FanPoint>>], xs: &Scale, ys: &Scale) {
        for (i, (g, g_runs)) in self.groups.iter().zip(runs).enumerate() {
            let c = svg::colour(i);
            let segs = segments(g_runs.iter().flat_map(|run| {
                run.iter()
                    .map(|p| Some((xs.map(p.x), ys.map(p.p50))))
                    .chain(std::iter::once(None))
            }));
            let _ = writeln!(
                out,
                "<g class=\"median\"><title>{} (median)</title>",
                xml_escape(&g.name)
            );
            let d = path_data(&segs);
            if !d.is_empty() {
                let _ = writeln!(
                    out,
                    "<path d=\"{d}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2.25\" stroke-linejoin=\"round\"{}/>",
                    svg::dash_attr(i)
                );
            }
            for seg in segs.iter().filter(|s| s.len() == 1) {
                svg::write_marker(out, svg::marker(i), seg[0].0, seg[0].1, 3.75, c);
            }
            out.push_str("</g>\n");
        }
    }

    fn describe(&self) -> String {
        let mut d = format!("Fan chart of {} groups", self.groups.len());
        if !self.x_label.is_empty() || !self.y_label.is_empty() {
            let _ = write!(d, "; x axis: {}, y axis: {}", self.x_label, self.y_label);
        }
        d.push_str(". Bands show the 5th–95th and 25th–75th percentiles, lines the median.");
        for g in &self.groups {
            let v: Vec<&FanPoint> = g.points.iter().filter(|p| p.is_valid()).collect();
            match (v.first(), v.last()) {
                (Some(a), Some(b)) => {
                    let _ = write!(
                        d,
                        " {}: median {} at {} to {} at {}, final 5–95% range {} to {}.",
                        g.name,
                        fmt_value(a.p50, 2),
                        fmt_value(a.x, 2),
                        fmt_value(b.p50, 2),
                        fmt_value(b.x, 2),
                        fmt_value(b.p5, 2),
                        fmt_value(b.p95, 2)
                    );
                }
                _ => {
                    let _ = write!(d, " {}: no data.", g.name);
                }
            }
        }
        d
    }
}

/// All light 5–95 % bands, then all darker 25–75 % bands; a run of one point is a bar.
fn draw_bands(out: &mut String, runs: &[Vec<Vec<FanPoint>>], xs: &Scale, ys: &Scale) {
    for (layer, opacity) in [(0, "0.14"), (1, "0.26")] {
        for (i, g_runs) in runs.iter().enumerate() {
            let c = svg::colour(i);
            for run in g_runs {
                if run.len() == 1 {
                    let p = run[0];
                    let (x, y0, y1) = if layer == 0 {
                        (xs.map(p.x), ys.map(p.p5), ys.map(p.p95))
                    } else {
                        (xs.map(p.x), ys.map(p.p25), ys.map(p.p75))
                    };
                    let w = if layer == 0 { 6.0 } else { 10.0 };
                    let _ = writeln!(
                        out,
                        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{c}\" fill-opacity=\"{opacity}\"/>",
                        f2(x - w / 2.0),
                        f2(y0.min(y1)),
                        f2(w),
                        f2((y1 - y0).abs())
                    );
                    continue;
                }
                let _ = write!(out, "<path d=\"");
                if layer == 0 {
                    band_path(out, run, xs, ys, |p| p.p95, |p| p.p5);
                } else {
                    band_path(out, run, xs, ys, |p| p.p75, |p| p.p25);
                }
                // A faint outline keeps overlapping fans apart.
                let _ = writeln!(
                    out,
                    "\" fill=\"{c}\" fill-opacity=\"{opacity}\" stroke=\"{c}\" stroke-opacity=\"{}\" stroke-width=\"0.75\"/>",
                    if layer == 0 { "0.55" } else { "0" }
                );
            }
        }
    }
}

/// Path data of a band: along the upper edge, back along the lower one.
fn band_path(
    out: &mut String,
    run: &[FanPoint],
    xs: &Scale,
    ys: &Scale,
    hi: fn(&FanPoint) -> f64,
    lo: fn(&FanPoint) -> f64,
) {
    let mut d = String::new();
    for (k, p) in run.iter().enumerate() {
        d.push(if k == 0 { 'M' } else { 'L' });
        let _ = write!(d, "{} {} ", f2(xs.map(p.x)), f2(ys.map(hi(p))));
    }
    for p in run.iter().rev() {
        let _ = write!(d, "L{} {} ", f2(xs.map(p.x)), f2(ys.map(lo(p))));
    }
    d.push('Z');
    out.push_str(&d);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::parse;

    fn doctrines() -> FanChart {
        let mut c = FanChart::new("Projected agreement with China")
            .x_label("Year")
            .y_label("Agreement")
            .y_range(0.0, 1.0);
        for (i, name) in ["Bandwagon", "Hedge", "Balance", "Neutral & <other>"]
            .iter()
            .enumerate()
        {
            c = c.group(FanGroup::new(*name, crate::samples::fan_points(i, 30)));
        }
        c
    }

    #[test]
    fn well_formed_with_bands_and_medians() {
        let svg = doctrines().to_svg();
        let doc = parse(&svg);
        let fills = doc
            .descendants()
            .filter(|n| n.has_tag_name("path") && n.attribute("fill-opacity").is_some())
            .count();
        assert_eq!(fills, 8);
        let medians = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("median"))
            .count();
        assert_eq!(medians, 4);
        assert!(svg.contains("Neutral &amp; &lt;other&gt;"));
        assert!(svg.contains("5th–95th"));
    }

    #[test]
    fn invalid_point_breaks_fan() {
        let mut pts: Vec<FanPoint> = (0..6)
            .map(|t| FanPoint::new(t as f64, [0.0, 1.0, 2.0, 3.0, 4.0]))
            .collect();
        pts[2].p50 = f64::NAN;
        let svg = FanChart::new("gap").group(FanGroup::new("a", pts)).to_svg();
        let doc = parse(&svg);
        let median = doc
            .descendants()
            .find(|n| n.has_tag_name("path") && n.attribute("fill") == Some("none"))
            .unwrap();
        assert_eq!(median.attribute("d").unwrap().matches('M').count(), 2);
    }

    #[test]
    fn empty_and_deterministic() {
        let svg = FanChart::new("none").to_svg();
        assert!(svg.contains("No data"));
        parse(&svg);
        assert_eq!(doctrines().to_svg(), doctrines().to_svg());
        let single = FanChart::new("one")
            .group(FanGroup::new(
                "a",
                vec![FanPoint::new(1.0, [0.0, 1.0, 2.0, 3.0, 4.0])],
            ))
            .to_svg();
        parse(&single);
    }
}
