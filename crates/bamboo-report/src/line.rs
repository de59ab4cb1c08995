//! [`LineChart`]: one or more series over x (usually years), with gaps for
//! missing values, reference bands/lines and event markers.

use std::fmt::Write as _;

use crate::frame::{Annotation, Frame, FrameSpec, LegendEntry, Swatch};
use crate::svg::{self, f2, fmt_value, xml_escape};

/// One named line: `(x, y)` points in drawing order; `None` (or a non-finite
/// value) is a missing value and breaks the line there.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// Legend name, e.g. `"USA"`.
    pub name: String,
    /// Points in order; x is usually a year.
    pub points: Vec<(f64, Option<f64>)>,
}

impl Series {
    /// A series from its name and points.
    pub fn new(name: impl Into<String>, points: Vec<(f64, Option<f64>)>) -> Self {
        Series {
            name: name.into(),
            points,
        }
    }

    /// Points with finite x and a finite y value.
    fn valid(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.points.iter().filter_map(|&(x, y)| match y {
            Some(y) if x.is_finite() && y.is_finite() => Some((x, y)),
            _ => None,
        })
    }
}

/// A line chart rendered to SVG with [`LineChart::to_svg`].
///
/// ```
/// use bamboo_report::{Annotation, LineChart, Series};
/// let svg = LineChart::new("Agreement with the USA")
///     .subtitle("Share of UN General Assembly votes cast the same way")
///     .x_label("Year")
///     .y_label("Agreement")
///     .y_range(0.0, 1.0)
///     .series(Series::new("Viet Nam", vec![(1990.0, Some(0.3)), (1991.0, None), (1992.0, Some(0.35))]))
///     .annotate(Annotation::event(1995.0, "1995 normalisation"))
///     .to_svg();
/// assert!(svg.starts_with("<svg"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Chart title (also the SVG `<title>`).
    pub title: String,
    /// Optional second line, e.g. data source or definition.
    pub subtitle: Option<String>,
    /// X-axis title (empty = none).
    pub x_label: String,
    /// Y-axis title (empty = none).
    pub y_label: String,
    /// Fixed x range; `None` = data extent.
    pub x_range: Option<(f64, f64)>,
    /// Fixed y range, e.g. `Some((0.0, 1.0))`; `None` = data extent rounded
    /// out to nice ticks. Values outside a fixed range are clipped.
    pub y_range: Option<(f64, f64)>,
    /// The lines.
    pub series: Vec<Series>,
    /// Bands, reference lines and event markers.
    pub annotations: Vec<Annotation>,
    /// Nominal width in px (the document may grow to fit).
    pub width: f64,
    /// Nominal height in px (the document may grow to fit).
    pub height: f64,
}

impl Default for LineChart {
    fn default() -> Self {
        LineChart {
            title: String::new(),
            subtitle: None,
            x_label: String::new(),
            y_label: String::new(),
            x_range: None,
            y_range: None,
            series: Vec::new(),
            annotations: Vec::new(),
            width: 820.0,
            height: 480.0,
        }
    }
}

impl LineChart {
    /// An empty chart with a title and default size (820×480).
    pub fn new(title: impl Into<String>) -> Self {
        LineChart {
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

    /// Fixes the y range, e.g. `0.0, 1.0` for agreement scores.
    pub fn y_range(mut self, lo: f64, hi: f64) -> Self {
        self.y_range = Some((lo, hi));
        self
    }

    /// Adds a series.
    pub fn series(mut self, s: Series) -> Self {
        self.series.push(s);
        self
    }

    /// Adds an annotation (band, reference line or event).
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

    /// Renders the chart as a standalone SVG document. Deterministic; never
    /// panics; a chart without any finite point renders a "No data" message.
    pub fn to_svg(&self) -> String {
        let ys: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.valid().map(|p| p.1))
            .collect();
        if ys.is_empty() {
            return svg::empty_chart("line", &self.title, self.subtitle.as_deref(), "Line chart");
        }
        let xs: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .filter(|x| x.is_finite())
            .collect();
        let x_domain = valid_range(self.x_range).unwrap_or_else(|| min_max(&xs));
        let x_integer = xs.iter().all(|x| x.fract() == 0.0 && x.abs() < 1e15)
            && x_domain.0.fract() == 0.0
            && x_domain.1.fract() == 0.0;
        let (y_domain, y_fixed) = match valid_range(self.y_range) {
            Some(r) => (r, true),
            None => {
                let mut all = ys.clone();
                all.extend(self.annotations.iter().flat_map(|a| a.y_extent()));
                (min_max(&all), false)
            }
        };

        let legend: Vec<LegendEntry> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| LegendEntry {
                label: if s.valid().next().is_some() {
                    s.name.clone()
                } else {
                    format!("{} (no data)", s.name)
                },
                swatch: Swatch::Line(i),
            })
            .collect();
        let spec = FrameSpec {
            kind: "line",
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
            legend_notes: &[],
            desc: self.describe(),
        };
        let mut f = Frame::begin(&spec);
        for (i, s) in self.series.iter().enumerate() {
            draw_series(&mut f, i, s);
        }
        f.finish(&spec)
    }

    fn describe(&self) -> String {
        let mut d = format!("Line chart with {} series", self.series.len());
        if !self.x_label.is_empty() || !self.y_label.is_empty() {
            let _ = write!(
                d,
                "; x axis: {}, y axis: {}",
                or_dash(&self.x_label),
                or_dash(&self.y_label)
            );
        }
        d.push('.');
        for s in &self.series {
            let v: Vec<(f64, f64)> = s.valid().collect();
            let missing = s.points.len() - v.len();
            if v.is_empty() {
                let _ = write!(d, " {}: no data.", s.name);
                continue;
            }
            let (x0, x1) = min_max(&v.iter().map(|p| p.0).collect::<Vec<_>>());
            let (y0, y1) = min_max(&v.iter().map(|p| p.1).collect::<Vec<_>>());
            let _ = write!(
                d,
                " {}: x {} to {}, values {} to {}",
                s.name,
                fmt_value(x0, 2),
                fmt_value(x1, 2),
                fmt_value(y0, 2),
                fmt_value(y1, 2)
            );
            if missing > 0 {
                let _ = write!(d, ", {missing} missing");
            }
            d.push('.');
        }
        if !self.annotations.is_empty() {
            let list: Vec<String> = self.annotations.iter().map(|a| a.describe()).collect();
            let _ = write!(d, " Annotations: {}.", list.join("; "));
        }
        d
    }
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "unlabelled"
    } else {
        s
    }
}

/// A user-supplied range if it is finite and non-empty.
pub(crate) fn valid_range(r: Option<(f64, f64)>) -> Option<(f64, f64)> {
    match r {
        Some((a, b)) if a.is_finite() && b.is_finite() && a != b => Some((a.min(b), a.max(b))),
        _ => None,
    }
}

/// Min and max of a non-empty slice of finite values.
pub(crate) fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

/// Splits points into runs of consecutive valid values (pixel coordinates).
pub(crate) fn segments<I>(points: I) -> Vec<Vec<(f64, f64)>>
where
    I: IntoIterator<Item = Option<(f64, f64)>>,
{
    let mut segs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for p in points {
        match p {
            Some(p) => segs
                .last_mut()
                .expect("segs starts with one segment and only grows")
                .push(p),
            None => {
                if segs.last().is_some_and(|s| !s.is_empty()) {
                    segs.push(Vec::new());
                }
            }
        }
    }
    segs.retain(|s| !s.is_empty());
    segs
}

/// SVG path data for runs of points: one `M` per run.
pub(crate) fn path_data(segs: &[Vec<(f64, f64)>]) -> String {
    let mut d = String::new();
    for seg in segs.iter().filter(|s| s.len() > 1) {
        for (k, (x, y)) in seg.iter().enumerate() {
            if !d.is_empty() {
                d.push(' ');
            }
            d.push(if k == 0 { 'M' } else { 'L' });
            d.push_str(&f2(*x));
            d.push(' ');
            d.push_str(&f2(*y));
        }
    }
    d
}

fn draw_series(f: &mut Frame, i: usize, s: &Series) {
    let c = svg::colour(i);
    let (xs, ys) = (f.x, f.y);
    let segs = segments(s.points.iter().map(|&(x, y)| match y {
        Some(y) if x.is_finite() && y.is_finite() => Some((xs.map(x), ys.map(y))),
        _ => None,
    }));
    let clip = f.clip.clone();
    let out = f.svg.buf();
    let _ = writeln!(
        out,
        "<g class=\"series\"{clip}><title>{}</title>",
        xml_escape(&s.name)
    );
    let d = path_data(&segs);
    if !d.is_empty() {
        let _ = writeln!(
            out,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2.25\" stroke-linejoin=\"round\" stroke-linecap=\"round\"{}/>",
            svg::dash_attr(i)
        );
    }
    // Markers: every point for short series, otherwise a regular subset
    // (offset per series so markers of different series do not stack), and
    // always isolated points, which have no line.
    let n: usize = segs.iter().map(Vec::len).sum();
    let step = if n <= 24 { 1 } else { n.div_ceil(12) };
    let offset = if step > 1 { (i * 3) % step } else { 0 };
    let mut k = 0usize;
    for seg in &segs {
        for &(x, y) in seg {
            if seg.len() == 1 || k % step == offset {
                svg::write_marker(out, svg::marker(i), x, y, 3.75, c);
            }
            k += 1;
        }
    }
    out.push_str("\n</g>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{parse, vietnam};

    #[test]
    fn renders_well_formed_accessible_svg() {
        let svg = vietnam().to_svg();
        let doc = parse(&svg);
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        assert!(root.attribute("viewBox").is_some());
        let labelled = root.attribute("aria-labelledby").unwrap();
        for id in labelled.split(' ') {
            assert!(
                doc.descendants().any(|n| n.attribute("id") == Some(id)),
                "{id}"
            );
        }
        let desc = doc.descendants().find(|n| n.has_tag_name("desc")).unwrap();
        let desc = desc.text().unwrap();
        assert!(
            desc.contains("USA") && desc.contains("CHN") && desc.contains("RUS"),
            "{desc}"
        );
        assert!(desc.contains("missing"), "{desc}");
        // Fonts readable.
        for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
            let size: f64 = n.attribute("font-size").unwrap().parse().unwrap();
            assert!(size >= 11.0);
        }
    }

    #[test]
    fn missing_value_breaks_the_line() {
        let s = Series::new(
            "A",
            vec![
                (1.0, Some(1.0)),
                (2.0, Some(2.0)),
                (3.0, None),
                (4.0, Some(1.5)),
                (5.0, Some(f64::NAN)),
                (6.0, Some(1.0)),
                (7.0, Some(2.0)),
            ],
        );
        let svg = LineChart::new("gap").series(s).to_svg();
        let doc = parse(&svg);
        let path = doc
            .descendants()
            .find(|n| n.has_tag_name("path") && n.attribute("fill") == Some("none"))
            .unwrap();
        let d = path.attribute("d").unwrap();
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(d.matches('L').count(), 2, "{d}");
        // The isolated point at x = 4 is still shown as a marker.
        let g = path.parent().unwrap();
        assert_eq!(g.children().filter(|n| n.has_tag_name("circle")).count(), 5);
        // Never drops to zero: no y coordinate at the bottom of the plot.
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn segments_and_path() {
        let segs = segments(vec![
            None,
            Some((0.0, 0.0)),
            Some((1.0, 1.0)),
            None,
            None,
            Some((2.0, 2.0)),
        ]);
        assert_eq!(segs.len(), 2);
        assert_eq!(path_data(&segs), "M0.00 0.00 L1.00 1.00");
    }

    #[test]
    fn escapes_text() {
        let svg = LineChart::new("Trade & <aid> \"flows\"")
            .subtitle("Côte d'Ivoire & Bosnia")
            .series(Series::new(
                "A<B & C",
                vec![(1.0, Some(1.0)), (2.0, Some(2.0))],
            ))
            .to_svg();
        let doc = parse(&svg);
        let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap();
        assert_eq!(title.text(), Some("Trade & <aid> \"flows\""));
        assert!(svg.contains("A&lt;B &amp; C"));
    }

    #[test]
    fn year_axis_has_integer_non_overlapping_ticks() {
        let pts = (1946..=2021).map(|y| (y as f64, Some(0.5))).collect();
        let svg = LineChart::new("t")
            .y_range(0.0, 1.0)
            .series(Series::new("a", pts))
            .to_svg();
        let doc = parse(&svg);
        let axes = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("axes"))
            .unwrap();
        let labels: Vec<String> = axes
            .children()
            .filter(|n| n.has_tag_name("text") && n.attribute("text-anchor") == Some("middle"))
            .filter_map(|n| n.text().map(str::to_string))
            .collect();
        assert!(
            labels.contains(&"1950".to_string()) && labels.contains(&"2020".to_string()),
            "{labels:?}"
        );
        assert!(labels
            .iter()
            .all(|l| l.parse::<i32>().is_ok() || !l.chars().all(|c| c.is_ascii_digit())));
        let ylabels: Vec<&str> = axes
            .children()
            .filter(|n| n.has_tag_name("text") && n.attribute("text-anchor") == Some("end"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(ylabels.first(), Some(&"0.0"));
        assert_eq!(ylabels.last(), Some(&"1.0"));
    }

    /// A balance chart's event label ("largest lean … toward … (span)") is shown whole, not
    /// cut to an ellipsis.
    #[test]
    fn event_labels_of_ordinary_length_are_not_shortened() {
        let label = "largest lean 0.72 toward CHN (1989-1991)";
        let svg = vietnam()
            .annotate(Annotation::event(1990.0, label))
            .to_svg();
        assert!(svg.contains(label), "label shortened");
        assert!(!svg.contains("(1989-1…"));
    }

    #[test]
    fn deterministic() {
        assert_eq!(vietnam().to_svg(), vietnam().to_svg());
    }

    #[test]
    fn same_title_different_data_gets_distinct_ids() {
        let a = LineChart::new("Agreement")
            .series(Series::new("VNM", vec![(1.0, Some(0.1)), (2.0, Some(0.2))]));
        let b = LineChart::new("Agreement")
            .series(Series::new("LAO", vec![(1.0, Some(0.1)), (2.0, Some(0.2))]));
        let id = |svg: &str| {
            parse(svg)
                .root_element()
                .attribute("aria-labelledby")
                .unwrap()
                .to_string()
        };
        assert_ne!(id(&a.to_svg()), id(&b.to_svg()));
    }

    #[test]
    fn empty_inputs_say_no_data() {
        for chart in [
            LineChart::new("empty"),
            LineChart::new("all missing").series(Series::new("a", vec![(1.0, None), (2.0, None)])),
            LineChart::new("no points").series(Series::new("a", vec![])),
        ] {
            let svg = chart.to_svg();
            parse(&svg);
            assert!(svg.contains("No data"), "{svg}");
        }
    }

    #[test]
    fn single_point_and_flat_series() {
        let svg = LineChart::new("one")
            .series(Series::new("a", vec![(2000.0, Some(0.5))]))
            .to_svg();
        parse(&svg);
        assert!(svg.contains("<circle"));
        let svg = LineChart::new("flat")
            .series(Series::new("a", vec![(1.0, Some(3.0)), (2.0, Some(3.0))]))
            .to_svg();
        parse(&svg);
    }

    #[test]
    fn annotations_render() {
        let svg = vietnam().to_svg();
        assert!(svg.contains("2008 CSP China"));
        assert!(svg.contains("fill-opacity=\"0.13\""));
        assert!(svg.contains("tolerated lean"));
    }

    #[test]
    fn narrow_chart_puts_legend_below_the_plot() {
        let mut c = LineChart::new("narrow").size(420.0, 320.0).x_label("Year");
        for name in [
            "Western European and Others Group",
            "Eastern European Group",
            "African Group",
        ] {
            c = c.series(Series::new(
                name,
                (2000..2010).map(|y| (f64::from(y), Some(0.5))).collect(),
            ));
        }
        let svg = c.to_svg();
        let doc = parse(&svg);
        let axis_y: f64 = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("axes"))
            .and_then(|g| g.children().find(|n| n.has_tag_name("line")))
            .and_then(|l| l.attribute("y1"))
            .unwrap()
            .parse()
            .unwrap();
        let legend = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("legend"))
            .unwrap();
        for t in legend.children().filter(|n| n.has_tag_name("text")) {
            let y: f64 = t.attribute("y").unwrap().parse().unwrap();
            assert!(y > axis_y + 30.0, "legend text at {y}, x axis at {axis_y}");
        }
        // The document grew or kept its size; the legend fits inside it.
        let h: f64 = doc
            .root_element()
            .attribute("height")
            .unwrap()
            .parse()
            .unwrap();
        assert!(legend
            .children()
            .filter_map(|n| n.attribute("y"))
            .all(|y| y.parse::<f64>().unwrap() < h));
    }

    #[test]
    fn many_series_put_legend_below_and_stay_valid() {
        let mut c = LineChart::new("many");
        for i in 0..14 {
            c = c.series(Series::new(
                format!("A rather long country name number {i}"),
                (0..10).map(|x| (x as f64, Some((x * i) as f64))).collect(),
            ));
        }
        parse(&c.to_svg());
    }

    /// The plot-area element gives the scales: mapping a point through them lands on the
    /// path's vertex (what the dashboard draws its bands and point targets with).
    #[test]
    fn plot_area_gives_the_scales_of_the_points() {
        let c = LineChart::new("scales")
            .y_range(0.0, 1.0)
            .series(Series::new(
                "A",
                vec![
                    (1990.0, Some(0.25)),
                    (1991.0, Some(0.75)),
                    (1995.0, Some(0.5)),
                ],
            ));
        let svg = c.to_svg();
        let doc = parse(&svg);
        let area = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("plot-area"))
            .unwrap();
        let pair = |k: &str| -> (f64, f64) {
            let v: Vec<f64> = area
                .attribute(k)
                .unwrap()
                .split(' ')
                .map(|x| x.parse().unwrap())
                .collect();
            (v[0], v[1])
        };
        let (xd, xr, yd, yr) = (
            pair("data-x-domain"),
            pair("data-x-range"),
            pair("data-y-domain"),
            pair("data-y-range"),
        );
        let map =
            |v: f64, d: (f64, f64), r: (f64, f64)| r.0 + (v - d.0) / (d.1 - d.0) * (r.1 - r.0);
        let path = doc
            .descendants()
            .find(|n| n.has_tag_name("path") && n.attribute("fill") == Some("none"))
            .unwrap();
        let nums: Vec<f64> = path
            .attribute("d")
            .unwrap()
            .split([' ', 'M', 'L'])
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let want = [(1990.0, 0.25), (1991.0, 0.75), (1995.0, 0.5)];
        for (k, (x, y)) in want.iter().enumerate() {
            assert!((map(*x, xd, xr) - nums[2 * k]).abs() < 0.02, "{svg}");
            assert!((map(*y, yd, yr) - nums[2 * k + 1]).abs() < 0.02, "{svg}");
        }
    }
}
