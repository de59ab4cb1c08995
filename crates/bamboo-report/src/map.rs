//! [`Choropleth`]: a world map of regions filled by value or category, in the Equal Earth
//! projection (equal-area), with a legend, notes and accessible titles per region.
//!
//! It knows nothing of states or votes: callers pass regions as (longitude, latitude)
//! polygons with an id, a label and a fill. A region with no polygon, or one too small to
//! see at the map's scale, is also drawn as a dot at its label point. Regions without data
//! are hatched, never coloured as a value; regions outside what is measured get a plain
//! light grey, so the two are never confused.

use std::fmt::Write as _;

use crate::heatmap::ColorScale;
use crate::svg::{self, f2, xml_escape, Anchor, Svg, TextStyle, INK, INK_SOFT};
use crate::text;

/// Equal Earth (Šavrič, Patterson and Jenny 2018): longitude and latitude in degrees to
/// projected coordinates on the unit sphere (x within ±2.7066, y within ±1.3174; y up).
pub fn equal_earth(lon: f64, lat: f64) -> (f64, f64) {
    const A1: f64 = 1.340264;
    const A2: f64 = -0.081106;
    const A3: f64 = 0.000893;
    const A4: f64 = 0.003796;
    let (l, p) = (lon.to_radians(), lat.to_radians());
    let t = ((3f64).sqrt() / 2.0 * p.sin()).asin();
    let (t2, t6) = (t * t, t.powi(6));
    let x = 2.0 * (3f64).sqrt() * l * t.cos()
        / (3.0 * (9.0 * A4 * t6 * t2 + 7.0 * A3 * t6 + 3.0 * A2 * t2 + A1));
    let y = t * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
    (x, y)
}

/// How a region is filled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fill {
    /// A value on the legend's colour scale.
    Value(f64),
    /// Category `i` of the legend.
    Category(usize),
    /// Measured, but no value: hatched.
    NoData,
    /// Not measured at all (e.g. not a member of what is mapped): plain light grey.
    Outside,
}

/// One region: a state, or any area.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// An id for scripts (`data-id`), e.g. an ISO3 code; may be empty.
    pub id: String,
    /// The region's name, shown in its tooltip.
    pub label: String,
    /// Polygons, each an outer ring then holes, of (longitude, latitude) points.
    pub polygons: Vec<Vec<Vec<(f64, f64)>>>,
    /// Where to put a dot when the region has no polygon or is too small to see.
    pub dot: Option<(f64, f64)>,
    /// How it is filled.
    pub fill: Fill,
    /// The value as text for the tooltip (`lean 0.57 [0.45, 0.68]`).
    pub detail: String,
}

/// A legend category: its label and colour (`#rrggbb`).
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// The words in the legend.
    pub label: String,
    /// Its fill, `#rrggbb`.
    pub colour: String,
}

/// What the legend explains.
#[derive(Debug, Clone, PartialEq)]
pub enum Legend {
    /// A continuous scale from `lo` to `hi`.
    Scale {
        /// The colour scale.
        scale: ColorScale,
        /// The value drawn at the scale's low end (lower values are clamped).
        lo: f64,
        /// The value drawn at the high end.
        hi: f64,
        /// What the value is, in words.
        label: String,
    },
    /// Categories, in order.
    Categories(Vec<Category>),
}

/// A world choropleth rendered with [`Choropleth::to_svg`].
///
/// ```
/// use bamboo_report::{Choropleth, ColorScale, Fill, Legend, Region};
/// let square = vec![vec![vec![(100.0, 10.0), (110.0, 10.0), (110.0, 20.0), (100.0, 20.0)]]];
/// let svg = Choropleth::new("A map")
///     .legend(Legend::Scale { scale: ColorScale::Viridis, lo: 0.0, hi: 1.0, label: "lean".into() })
///     .region(Region { id: "VNM".into(), label: "Vietnam".into(), polygons: square, dot: None,
///                      fill: Fill::Value(0.6), detail: "0.60".into() })
///     .to_svg();
/// assert!(svg.contains("data-id=\"VNM\""));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Choropleth {
    /// The bold title.
    pub title: String,
    /// A grey line under the title.
    pub subtitle: Option<String>,
    /// Small print under the legend.
    pub notes: Vec<String>,
    /// What is drawn, in order (later regions on top).
    pub regions: Vec<Region>,
    /// What the colours mean.
    pub legend: Legend,
    /// The legend's words for hatched regions.
    pub no_data_label: String,
    /// The legend's words for plain grey regions.
    pub outside_label: String,
    /// The width in px (the height follows the map).
    pub width: f64,
    /// Regions whose projected area is below this many square pixels also get a dot.
    pub min_area_px: f64,
}

const MARGIN: f64 = 16.0;
const DOT_R: f64 = 3.2;
const NO_DATA_FILL: &str = "#e6e6e6";
const HATCH: &str = "#8c8c8c";
const OUTSIDE_FILL: &str = "#f2f2f2";
const BORDER: &str = "#ffffff";

impl Choropleth {
    /// An empty map with a title.
    pub fn new(title: impl Into<String>) -> Self {
        Choropleth {
            title: title.into(),
            subtitle: None,
            notes: Vec::new(),
            regions: Vec::new(),
            legend: Legend::Categories(Vec::new()),
            no_data_label: "No data".into(),
            outside_label: "Not measured".into(),
            width: 960.0,
            min_area_px: 10.0,
        }
    }

    /// A grey line under the title.
    pub fn subtitle(mut self, s: impl Into<String>) -> Self {
        self.subtitle = Some(s.into());
        self
    }

    /// A line of small print under the legend (source, definitions, caveats).
    pub fn note(mut self, s: impl Into<String>) -> Self {
        self.notes.push(s.into());
        self
    }

    /// Adds a region.
    pub fn region(mut self, r: Region) -> Self {
        self.regions.push(r);
        self
    }

    /// Sets what the colours mean.
    pub fn legend(mut self, l: Legend) -> Self {
        self.legend = l;
        self
    }

    /// The legend's words for hatched regions and for plain grey ones.
    pub fn labels(mut self, no_data: impl Into<String>, outside: impl Into<String>) -> Self {
        self.no_data_label = no_data.into();
        self.outside_label = outside.into();
        self
    }

    /// Sets the width in px (320 to 4000).
    pub fn width(mut self, w: f64) -> Self {
        self.width = w.clamp(320.0, 4000.0);
        self
    }

    fn colour(&self, f: Fill) -> Option<String> {
        match (f, &self.legend) {
            (Fill::Value(v), Legend::Scale { scale, lo, hi, .. }) if v.is_finite() => {
                Some(scale.color(v, *lo, *hi))
            }
            (Fill::Category(i), Legend::Categories(c)) => c.get(i).map(|c| c.colour.clone()),
            (Fill::Outside, _) => Some(OUTSIDE_FILL.into()),
            _ => None,
        }
    }

    /// The map as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        let w = self.width;
        let inner = w - 2.0 * MARGIN;
        let head = svg::title_block_height(inner, &self.title, self.subtitle.as_deref());
        // Projected bounds of what is drawn (dots included).
        let mut pts = self
            .regions
            .iter()
            .flat_map(|r| r.polygons.iter().flatten().flatten().copied().chain(r.dot))
            .map(|(lon, lat)| equal_earth(lon, lat))
            .peekable();
        let (mut x0, mut x1, mut y0, mut y1) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        if pts.peek().is_none() {
            return svg::empty_chart("map", &self.title, self.subtitle.as_deref(), "A world map");
        }
        for (x, y) in pts {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        let k = inner / (x1 - x0).max(1e-9);
        // A little sea above and below what is drawn.
        let pad = 8.0 / k;
        let (y0, y1) = (y0 - pad, y1 + pad);
        let map_h = (y1 - y0) * k;
        let top = MARGIN + head + 4.0;
        let px = |lon: f64, lat: f64| {
            let (x, y) = equal_earth(lon, lat);
            (MARGIN + (x - x0) * k, top + (y1 - y) * k)
        };
        let legend_top = top + map_h + 14.0;
        let legend_h = self.legend_height(inner);
        let notes: Vec<String> = self
            .notes
            .iter()
            .flat_map(|n| text::wrap(n, inner, 11.0, false))
            .collect();
        let height = legend_top + legend_h + 8.0 + 15.0 * notes.len() as f64 + MARGIN;

        let measured = self
            .regions
            .iter()
            .filter(|r| !matches!(r.fill, Fill::Outside))
            .count();
        let with_value = self
            .regions
            .iter()
            .filter(|r| matches!(r.fill, Fill::Value(_) | Fill::Category(_)))
            .count();
        let desc = format!(
            "World map in the Equal Earth projection: {with_value} of {measured} regions have a value, {} hatched for no data. {}",
            measured - with_value,
            self.notes.join(" ")
        );
        let id = svg::id_prefix("map", &self.title, &desc);
        let mut doc = Svg::new(w, height, &id, &self.title, &desc);
        svg::title_block(
            &mut doc,
            MARGIN,
            MARGIN - 4.0,
            inner,
            &self.title,
            self.subtitle.as_deref(),
        );
        let _ = writeln!(
            doc.buf(),
            "<defs><pattern id=\"{id}-hatch\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"5\" height=\"5\" fill=\"{NO_DATA_FILL}\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"{HATCH}\" stroke-width=\"1.4\"/></pattern></defs>"
        );
        let hatch = format!("url(#{id}-hatch)");
        // The sphere's outline, as a frame.
        let mut frame = String::new();
        for i in 0..=72 {
            let lat = -90.0 + 2.5 * f64::from(i);
            let (x, y) = px(180.0, lat);
            let _ = write!(
                frame,
                "{}{} {}",
                if i == 0 { "M" } else { "L" },
                f1(x),
                f1(y)
            );
        }
        for i in 0..=72 {
            let lat = 90.0 - 2.5 * f64::from(i);
            let (x, y) = px(-180.0, lat);
            let _ = write!(frame, "L{} {}", f1(x), f1(y));
        }
        let _ = writeln!(
            doc.buf(),
            "<clipPath id=\"{id}-clip\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>\n<g clip-path=\"url(#{id}-clip)\"><path d=\"{frame}Z\" fill=\"#f7fbff\" stroke=\"#c8d4e0\" stroke-width=\"0.8\"/></g>",
            f2(MARGIN),
            f2(top),
            f2(inner),
            f2(map_h)
        );
        let mut dots = String::new();
        doc.raw("<g stroke-linejoin=\"round\">\n");
        for r in &self.regions {
            let fill = self.colour(r.fill).unwrap_or_else(|| hatch.clone());
            let mut d = String::new();
            let mut area = 0.0;
            for poly in &r.polygons {
                let parts = poly.iter().enumerate().flat_map(|(ri, ring)| {
                    cut_antimeridian(ring).into_iter().map(move |p| (ri, p))
                });
                for (ri, ring) in parts {
                    let mut last = (f64::NAN, f64::NAN);
                    let mut ring_px = Vec::with_capacity(ring.len());
                    for &(lon, lat) in &ring {
                        let (x, y) = px(lon, lat);
                        let q = ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0);
                        if q != last {
                            ring_px.push(q);
                            last = q;
                        }
                    }
                    if ring_px.len() < 3 {
                        continue;
                    }
                    if ri == 0 {
                        area += shoelace(&ring_px).abs();
                    }
                    for (i, (x, y)) in ring_px.iter().enumerate() {
                        let _ =
                            write!(d, "{}{} {}", if i == 0 { "M" } else { "L" }, f1(*x), f1(*y));
                    }
                    d.push('Z');
                }
            }
            let tip = if r.detail.is_empty() {
                r.label.clone()
            } else {
                format!("{}: {}", r.label, r.detail)
            };
            let data_id = if r.id.is_empty() {
                String::new()
            } else {
                format!(" data-id=\"{}\"", xml_escape(&r.id))
            };
            if !d.is_empty() {
                let _ = writeln!(
                    doc.buf(),
                    "<path{data_id} d=\"{d}\" fill=\"{fill}\" fill-rule=\"evenodd\" stroke=\"{BORDER}\" stroke-width=\"0.5\"><title>{}</title></path>",
                    xml_escape(&tip)
                );
            }
            if (d.is_empty() || area < self.min_area_px) && r.fill != Fill::Outside {
                if let Some((lon, lat)) = r.dot {
                    let (x, y) = px(lon, lat);
                    let _ = writeln!(
                        dots,
                        "<circle{data_id} cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" stroke=\"{INK}\" stroke-width=\"0.7\"><title>{}</title></circle>",
                        f1(x),
                        f1(y),
                        f1(DOT_R),
                        xml_escape(&tip)
                    );
                }
            }
        }
        doc.raw("</g>\n<g>\n");
        doc.raw(&dots);
        doc.raw("</g>\n");
        self.draw_legend(&mut doc, legend_top, inner, &hatch);
        let mut y = legend_top + legend_h + 8.0;
        for line in &notes {
            y += 15.0;
            doc.text(MARGIN, y - 3.0, line, TextStyle::new(11.0).fill(INK_SOFT));
        }
        doc.finish()
    }

    fn legend_height(&self, inner: f64) -> f64 {
        match &self.legend {
            Legend::Scale { .. } => {
                if self.scale_swatches_below(inner) {
                    68.0
                } else {
                    46.0
                }
            }
            Legend::Categories(c) => {
                let rows = self.category_rows(c, inner).len().max(1) as f64;
                rows * 22.0 + 24.0
            }
        }
    }

    /// Where the scale legend's bar ends, and whether its two swatches go on a row below.
    fn scale_swatches_below(&self, inner: f64) -> bool {
        let Legend::Scale { label, .. } = &self.legend else {
            return false;
        };
        let bar_end = text::width_bold(label, 12.0) + 12.0 + (inner * 0.45).min(360.0) + 28.0;
        let swatches = [&self.no_data_label, &self.outside_label]
            .iter()
            .map(|l| 22.0 + text::width(l, 12.0) + 18.0)
            .sum::<f64>();
        bar_end + swatches > inner
    }

    fn category_rows<'a>(&self, cats: &'a [Category], inner: f64) -> Vec<Vec<&'a Category>> {
        let mut rows: Vec<Vec<&Category>> = vec![Vec::new()];
        let mut x = 0.0;
        for c in cats {
            let w = 22.0 + text::width(&c.label, 12.0) + 18.0;
            if x + w > inner && !rows.last().is_some_and(Vec::is_empty) {
                rows.push(Vec::new());
                x = 0.0;
            }
            rows.last_mut()
                .expect("rows starts with one row and only grows")
                .push(c);
            x += w;
        }
        rows
    }

    fn draw_legend(&self, doc: &mut Svg, top: f64, inner: f64, hatch: &str) {
        let swatch = |doc: &mut Svg, x: f64, y: f64, fill: &str, label: &str| -> f64 {
            doc.rect(
                x,
                y,
                16.0,
                12.0,
                fill,
                " stroke=\"#8c8c8c\" stroke-width=\"0.6\"",
            );
            doc.text(x + 22.0, y + 10.5, label, TextStyle::new(12.0));
            22.0 + text::width(label, 12.0) + 18.0
        };
        match &self.legend {
            Legend::Scale {
                scale,
                lo,
                hi,
                label,
            } => {
                let bar_w = (inner * 0.45).min(360.0);
                doc.text(MARGIN, top + 10.0, label, TextStyle::new(12.0).bold());
                let x0 = MARGIN + text::width_bold(label, 12.0) + 12.0;
                let steps = 60;
                for i in 0..steps {
                    let t = (f64::from(i) + 0.5) / f64::from(steps);
                    let v = lo + t * (hi - lo);
                    doc.rect(
                        x0 + bar_w * f64::from(i) / f64::from(steps),
                        top,
                        bar_w / f64::from(steps) + 0.3,
                        12.0,
                        &scale.color(v, *lo, *hi),
                        "",
                    );
                }
                for (t, v) in [(0.0, *lo), (0.5, (lo + hi) / 2.0), (1.0, *hi)] {
                    let x = x0 + bar_w * t;
                    doc.line(x, top + 12.0, x, top + 16.0, INK_SOFT, 1.0, "");
                    doc.text(
                        x,
                        top + 28.0,
                        &svg::fmt_fixed(v, 2),
                        TextStyle::new(11.0).anchor(Anchor::Middle).fill(INK_SOFT),
                    );
                }
                let (mut x, y) = if self.scale_swatches_below(inner) {
                    (MARGIN, top + 42.0)
                } else {
                    (x0 + bar_w + 28.0, top)
                };
                x += swatch(doc, x, y, hatch, &self.no_data_label);
                swatch(doc, x, y, OUTSIDE_FILL, &self.outside_label);
            }
            Legend::Categories(cats) => {
                let rows = self.category_rows(cats, inner);
                let mut y = top;
                for row in &rows {
                    let mut x = MARGIN;
                    for c in row {
                        x += swatch(doc, x, y, &c.colour, &c.label);
                    }
                    y += 22.0;
                }
                let mut x = MARGIN;
                x += swatch(doc, x, y, hatch, &self.no_data_label);
                swatch(doc, x, y, OUTSIDE_FILL, &self.outside_label);
            }
        }
    }
}

/// Cuts a ring that crosses the antimeridian (a step of more than 180° in longitude, as
/// Fiji, Russia's Chukotka and Antarctica have in Natural Earth's outlines) into the parts
/// on either side of it, each closed along the ±180° meridian. Rings that do not cross are
/// returned as they are; a ring around a pole is left whole.
pub fn cut_antimeridian(ring: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    if ring.len() < 3 || !ring.windows(2).any(|w| (w[1].0 - w[0].0).abs() > 180.0) {
        return vec![ring.to_vec()];
    }
    // Unwrap the longitudes so that no step is longer than 180°.
    let mut un = Vec::with_capacity(ring.len());
    let mut shift = 0.0;
    for (i, &(lon, lat)) in ring.iter().enumerate() {
        if i > 0 {
            let prev = ring[i - 1].0;
            if lon - prev > 180.0 {
                shift -= 360.0;
            } else if prev - lon > 180.0 {
                shift += 360.0;
            }
        }
        un.push((lon + shift, lat));
    }
    // A ring around a pole does not come back to where it started.
    let (first, last) = (un[0].0, un[un.len() - 1].0);
    if (last - first).abs() > 180.0 {
        return vec![ring.to_vec()];
    }
    let hi = un.iter().fold(f64::NEG_INFINITY, |b, p| b.max(p.0));
    let edge = if hi > 180.0 { 180.0 } else { -180.0 };
    let inside = clip(&un, edge, hi > 180.0);
    let outside: Vec<(f64, f64)> = clip(&un, edge, hi <= 180.0)
        .into_iter()
        .map(|(x, y)| (x - 2.0 * edge, y))
        .collect();
    [inside, outside]
        .into_iter()
        .filter(|r| r.len() >= 3)
        .collect()
}

/// Sutherland–Hodgman clipping of a ring to `x ≤ edge` (`below`) or `x ≥ edge`.
fn clip(ring: &[(f64, f64)], edge: f64, below: bool) -> Vec<(f64, f64)> {
    let keep = |p: (f64, f64)| if below { p.0 <= edge } else { p.0 >= edge };
    let mut out = Vec::with_capacity(ring.len() + 4);
    for i in 0..ring.len() {
        let (p, q) = (ring[i], ring[(i + 1) % ring.len()]);
        if keep(p) {
            out.push(p);
        }
        if keep(p) != keep(q) {
            let t = (edge - p.0) / (q.0 - p.0);
            out.push((edge, p.1 + t * (q.1 - p.1)));
        }
    }
    out
}

fn shoelace(r: &[(f64, f64)]) -> f64 {
    let n = r.len();
    (0..n)
        .map(|i| {
            let (a, b) = (r[i], r[(i + 1) % n]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum::<f64>()
        / 2.0
}

/// One decimal, `-0.0` normalised.
fn f1(v: f64) -> String {
    let s = format!(
        "{:.1}",
        if v.is_finite() {
            v.clamp(-1e7, 1e7)
        } else {
            0.0
        }
    );
    if s == "-0.0" {
        "0.0".into()
    } else {
        s
    }
}

/// `#rrggbb` mixed toward white by `t` (0 = unchanged, 1 = white).
pub fn lighten(hex: &str, t: f64) -> String {
    let c = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    let mix = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * t.clamp(0.0, 1.0)).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(c(1)), mix(c(3)), mix(c(5)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values of the projection (d3-geo's geoEqualEarthRaw, unit sphere).
    #[test]
    fn equal_earth_matches_reference_points() {
        let (x, y) = equal_earth(180.0, 0.0);
        assert!((x - 2.706_630_0).abs() < 1e-6, "{x}");
        assert!(y.abs() < 1e-12);
        let (x, y) = equal_earth(0.0, 90.0);
        assert!(x.abs() < 1e-12);
        assert!((y - 1.317_362_7).abs() < 1e-6, "{y}");
        // Symmetric, and equal-area: a 10° cell near the equator and one at 60°N keep
        // the ratio of their areas on the sphere (sin 10° − sin 0°) : (sin 70° − sin 60°).
        let (a, b) = (equal_earth(-30.0, -45.0), equal_earth(30.0, 45.0));
        assert!((a.0 + b.0).abs() < 1e-12 && (a.1 + b.1).abs() < 1e-12);
        let cell = |lat0: f64| {
            let n = 200;
            let mut ring = Vec::new();
            for i in 0..=n {
                ring.push(equal_earth(10.0 * f64::from(i) / f64::from(n), lat0));
            }
            for i in 0..=n {
                ring.push(equal_earth(
                    10.0 - 10.0 * f64::from(i) / f64::from(n),
                    lat0 + 10.0,
                ));
            }
            shoelace(&ring).abs()
        };
        let want =
            (10f64.to_radians().sin()) / (70f64.to_radians().sin() - 60f64.to_radians().sin());
        assert!((cell(0.0) / cell(60.0) - want).abs() / want < 1e-3);
    }

    fn square(lon: f64, lat: f64, size: f64) -> Vec<Vec<Vec<(f64, f64)>>> {
        vec![vec![vec![
            (lon, lat),
            (lon + size, lat),
            (lon + size, lat + size),
            (lon, lat + size),
        ]]]
    }

    fn region(id: &str, polygons: Vec<Vec<Vec<(f64, f64)>>>, fill: Fill) -> Region {
        Region {
            id: id.into(),
            label: format!("{id} & co"),
            polygons,
            dot: Some((10.0, 10.0)),
            fill,
            detail: "x".into(),
        }
    }

    #[test]
    fn fills_hatches_dots_and_stays_valid() {
        let svg = Choropleth::new("A <map>")
            .subtitle("sub")
            .note("Source: somewhere")
            .legend(Legend::Scale {
                scale: ColorScale::Viridis,
                lo: 0.0,
                hi: 1.0,
                label: "Lean".into(),
            })
            .labels("No vote", "Not a member")
            .region(region("BIG", square(-60.0, -20.0, 40.0), Fill::Value(1.0)))
            .region(region("NOD", square(60.0, 10.0, 20.0), Fill::NoData))
            .region(region("OUT", square(100.0, 40.0, 20.0), Fill::Outside))
            .region(region("DOT", Vec::new(), Fill::Value(0.0)))
            .region(region("TINY", square(0.0, 0.0, 0.05), Fill::Value(0.5)))
            .to_svg();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed");
        let by_id = |id: &str| {
            doc.descendants()
                .filter(|n| n.attribute("data-id") == Some(id))
                .map(|n| {
                    (
                        n.tag_name().name().to_string(),
                        n.attribute("fill").unwrap_or("").to_string(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(by_id("BIG"), vec![("path".into(), "#fde725".into())]);
        assert!(
            by_id("NOD")[0].1.starts_with("url(#map-"),
            "{:?}",
            by_id("NOD")
        );
        assert_eq!(by_id("OUT")[0].1, OUTSIDE_FILL);
        // No polygon: a dot only. Too small to see: a path and a dot.
        assert_eq!(by_id("DOT"), vec![("circle".into(), "#440154".into())]);
        assert_eq!(
            by_id("TINY")
                .iter()
                .map(|x| x.0.as_str())
                .collect::<Vec<_>>(),
            vec!["path", "circle"]
        );
        assert!(
            svg.contains("No vote")
                && svg.contains("Not a member")
                && svg.contains("Source: somewhere")
        );
        assert!(svg.contains("<title>BIG &amp; co: x</title>"));
        // Deterministic.
        assert_eq!(
            svg,
            Choropleth::new("A <map>")
                .subtitle("sub")
                .note("Source: somewhere")
                .legend(Legend::Scale {
                    scale: ColorScale::Viridis,
                    lo: 0.0,
                    hi: 1.0,
                    label: "Lean".into()
                })
                .labels("No vote", "Not a member")
                .region(region("BIG", square(-60.0, -20.0, 40.0), Fill::Value(1.0)))
                .region(region("NOD", square(60.0, 10.0, 20.0), Fill::NoData))
                .region(region("OUT", square(100.0, 40.0, 20.0), Fill::Outside))
                .region(region("DOT", Vec::new(), Fill::Value(0.0)))
                .region(region("TINY", square(0.0, 0.0, 0.05), Fill::Value(0.5)))
                .to_svg()
        );
    }

    /// A ring across the antimeridian becomes two, one on each side, closed along ±180°.
    #[test]
    fn cuts_rings_at_the_antimeridian() {
        let ring = vec![
            (178.0, -16.0),
            (-179.0, -16.0),
            (-179.0, -18.0),
            (178.0, -18.0),
        ];
        let parts = cut_antimeridian(&ring);
        assert_eq!(parts.len(), 2);
        let east: Vec<f64> = parts[0].iter().map(|p| p.0).collect();
        let west: Vec<f64> = parts[1].iter().map(|p| p.0).collect();
        assert!(east.iter().all(|x| (178.0..=180.0).contains(x)), "{east:?}");
        assert!(
            west.iter().all(|x| (-180.0..=-179.0).contains(x)),
            "{west:?}"
        );
        // Areas add up to the whole (3° × 2° = 2° + 1° wide).
        let a: f64 = parts.iter().map(|r| shoelace(r).abs()).sum();
        assert!((a - 6.0).abs() < 1e-9, "{a}");
        let plain = vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)];
        assert_eq!(cut_antimeridian(&plain), vec![plain.clone()]);
        // Around a pole: left whole.
        let polar: Vec<(f64, f64)> = (0..8)
            .map(|i| (-180.0 + 45.0 * f64::from(i), -80.0))
            .chain([(180.0, -80.0), (180.0, -90.0), (-180.0, -90.0)])
            .collect();
        assert_eq!(cut_antimeridian(&polar).len(), 1);
    }

    #[test]
    fn categories_and_empty_maps() {
        let svg = Choropleth::new("Toward")
            .legend(Legend::Categories(vec![
                Category {
                    label: "United States".into(),
                    colour: "#0072b2".into(),
                },
                Category {
                    label: "China".into(),
                    colour: "#d55e00".into(),
                },
            ]))
            .region(region("A", square(0.0, 0.0, 10.0), Fill::Category(1)))
            .to_svg();
        assert!(svg.contains("fill=\"#d55e00\""));
        roxmltree::Document::parse(&svg).unwrap();
        let empty = Choropleth::new("Nothing").to_svg();
        assert!(empty.contains("No data"));
        assert_eq!(lighten("#000000", 0.5), "#808080");
    }
}
