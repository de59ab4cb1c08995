//! [`Heatmap`]: a matrix of optional values as coloured cells, with a colour
//! scale legend; missing cells are hatched grey and explained in the legend.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::line::valid_range;
use crate::svg::{self, f2, fmt_value, xml_escape, Anchor, Svg, TextStyle, INK, INK_SOFT};
use crate::text;
use crate::ticks::{nice_ticks, widen_if_flat, Scale};

/// How values map to colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColorScale {
    /// Perceptually uniform, colour-blind-safe sequential scale (viridis):
    /// dark purple (low) → teal → yellow (high).
    Viridis,
    /// Diverging red → white → blue (ColorBrewer RdBu), white at `center`.
    Diverging {
        /// Value drawn white (e.g. 0 for a difference, 0.5 for a share).
        center: f64,
    },
}

impl ColorScale {
    /// `#rrggbb` for `v` in the range `[lo, hi]` (clamped).
    pub fn color(&self, v: f64, lo: f64, hi: f64) -> String {
        let s = Scale::new(lo, hi, 0.0, 1.0);
        let t = match *self {
            ColorScale::Viridis => s.unit(v),
            ColorScale::Diverging { center } => {
                let c = if center.is_finite() {
                    center.clamp(lo, hi)
                } else {
                    (lo + hi) / 2.0
                };
                if v <= c {
                    0.5 * Scale::new(lo, c, 0.0, 1.0).unit(v)
                } else {
                    0.5 + 0.5 * Scale::new(c, hi, 0.0, 1.0).unit(v)
                }
            }
        };
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let stops: &[[u8; 3]] = match self {
            ColorScale::Viridis => &VIRIDIS,
            ColorScale::Diverging { .. } => &RDBU,
        };
        let (r, g, b) = interpolate(stops, t);
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    fn name(&self) -> &'static str {
        match self {
            ColorScale::Viridis => "viridis: dark purple = low, yellow = high",
            ColorScale::Diverging { .. } => "diverging: red = low, white = centre, blue = high",
        }
    }
}

const VIRIDIS: [[u8; 3]; 9] = [
    [0x44, 0x01, 0x54],
    [0x47, 0x2d, 0x7b],
    [0x3b, 0x52, 0x8b],
    [0x2c, 0x72, 0x8e],
    [0x21, 0x91, 0x8c],
    [0x28, 0xae, 0x80],
    [0x5e, 0xc9, 0x62],
    [0xad, 0xdc, 0x30],
    [0xfd, 0xe7, 0x25],
];

const RDBU: [[u8; 3]; 9] = [
    [0xb2, 0x18, 0x2b],
    [0xd6, 0x60, 0x4d],
    [0xf4, 0xa5, 0x82],
    [0xfd, 0xdb, 0xc7],
    [0xf7, 0xf7, 0xf7],
    [0xd1, 0xe5, 0xf0],
    [0x92, 0xc5, 0xde],
    [0x43, 0x93, 0xc3],
    [0x21, 0x66, 0xac],
];

/// A scale factor in at most 4 decimals, trailing zeros dropped.
fn fmt_scale(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Path data of runs (row, first column, length) in the cells' unit space: `M` at a new
/// row, a relative `m` along it; a run is a stroke through the row's middle, or with
/// `filled` a closed rectangle.
fn write_runs(out: &mut String, runs: &[(usize, usize, usize)], filled: bool) {
    let mut at: Option<(usize, usize)> = None; // (row, column the pen is at)
    for &(r, c, n) in runs {
        match at {
            Some((row, x)) if row == r && !filled => {
                let _ = write!(out, "m{} 0", c - x);
            }
            _ if filled => {
                let _ = write!(out, "M{c} {r}");
            }
            _ => {
                let _ = write!(out, "M{c} {r}.5");
            }
        }
        if filled {
            let _ = write!(out, "h{n}v1h-{n}z");
        } else {
            let _ = write!(out, "h{n}");
        }
        at = Some((r, c + n));
    }
}

fn interpolate(stops: &[[u8; 3]], t: f64) -> (u8, u8, u8) {
    let n = stops.len() - 1;
    let pos = t * n as f64;
    let i = (pos.floor() as usize).min(n - 1);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (stops[i], stops[i + 1]);
    (mix(a[0], b[0]), mix(a[1], b[1]), mix(a[2], b[2]))
}

/// Relative luminance of a `#rrggbb` colour (0 = black, 1 = white).
fn luminance(hex: &str) -> f64 {
    let c = |i: usize| {
        let v = f64::from(u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0))
            / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
}

/// Fill of missing cells (under the hatch).
const MISSING_FILL: &str = "#d9d9d9";
/// Hatch line colour.
const HATCH: &str = "#8c8c8c";
/// Per-cell tooltips are drawn while they take at most about this many bytes (a 50 × 50
/// matrix of long names), and left out above, so that a heatmap of every UN member stays
/// a few hundred KB; the `<desc>` and the legend describe every heatmap.
const TOOLTIP_BUDGET: usize = 300_000;

/// A heatmap rendered to SVG with [`Heatmap::to_svg`]. Cell size adapts to
/// the matrix (about 640 px across, 3–36 px per cell); axis labels are
/// thinned so they never overlap, and column labels are rotated when they do
/// not fit horizontally.
///
/// ```
/// use bamboo_report::Heatmap;
/// let svg = Heatmap::new("Agreement")
///     .rows(vec!["VNM".into(), "LAO".into()])
///     .columns(vec!["USA".into(), "CHN".into()])
///     .values(vec![vec![Some(0.3), Some(0.9)], vec![None, Some(0.95)]])
///     .range(0.0, 1.0)
///     .to_svg();
/// assert!(svg.contains("Missing"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// Chart title.
    pub title: String,
    /// Optional subtitle (source/definition).
    pub subtitle: Option<String>,
    /// One label per row (top to bottom).
    pub row_labels: Vec<String>,
    /// One label per column (left to right).
    pub col_labels: Vec<String>,
    /// `values[row][col]`; ragged rows are padded with missing cells.
    pub values: Vec<Vec<Option<f64>>>,
    /// Colour range; `None` = data min..max.
    pub range: Option<(f64, f64)>,
    /// Colour mapping.
    pub scale: ColorScale,
    /// Legend title, e.g. `"Agreement"`.
    pub value_label: String,
    /// Title under the column labels (empty = none).
    pub x_label: String,
    /// Title left of the row labels (empty = none).
    pub y_label: String,
    /// Fixed cell size in px; `None` = automatic.
    pub cell_size: Option<f64>,
    /// Decimals for values in cell labels and tooltips.
    pub decimals: usize,
    /// Print values in cells: `None` = when cells are large enough,
    /// `Some(false)` = never, `Some(true)` = whenever the text fits.
    pub show_values: Option<bool>,
}

impl Default for Heatmap {
    fn default() -> Self {
        Heatmap {
            title: String::new(),
            subtitle: None,
            row_labels: Vec::new(),
            col_labels: Vec::new(),
            values: Vec::new(),
            range: None,
            scale: ColorScale::Viridis,
            value_label: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            cell_size: None,
            decimals: 2,
            show_values: None,
        }
    }
}

const PAD: f64 = 16.0;

/// Where the grid and its labels go.
struct GridLayout {
    nr: usize,
    nc: usize,
    cell: f64,
    font: f64,
    /// Every how many rows / columns a label is drawn.
    row_step: usize,
    col_step: usize,
    row_labels: Vec<String>,
    col_labels: Vec<String>,
    /// Column labels horizontal (they fit in a cell) rather than rotated.
    horizontal: bool,
    /// Height taken by the column labels under the grid.
    col_extent: f64,
    /// Top-left corner and size of the grid.
    gx: f64,
    gy: f64,
    gw: f64,
    gh: f64,
}

/// Where the colour legend goes, and the document's size.
struct LegendLayout {
    lx: f64,
    ly: f64,
    bar_h: f64,
    ticks: crate::Ticks,
    tick_labels: Vec<String>,
    title: Vec<String>,
    missing: bool,
    width: f64,
    height: f64,
}

impl Heatmap {
    /// An empty heatmap with a title.
    pub fn new(title: impl Into<String>) -> Self {
        Heatmap {
            title: title.into(),
            ..Default::default()
        }
    }

    /// Sets the subtitle.
    pub fn subtitle(mut self, s: impl Into<String>) -> Self {
        self.subtitle = Some(s.into());
        self
    }

    /// Sets the row labels.
    pub fn rows(mut self, labels: Vec<String>) -> Self {
        self.row_labels = labels;
        self
    }

    /// Sets the column labels.
    pub fn columns(mut self, labels: Vec<String>) -> Self {
        self.col_labels = labels;
        self
    }

    /// Sets the matrix, `values[row][col]`.
    pub fn values(mut self, values: Vec<Vec<Option<f64>>>) -> Self {
        self.values = values;
        self
    }

    /// Fixes the colour range.
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }

    /// Sets the colour scale.
    pub fn scale(mut self, scale: ColorScale) -> Self {
        self.scale = scale;
        self
    }

    /// Sets the legend title.
    pub fn value_label(mut self, s: impl Into<String>) -> Self {
        self.value_label = s.into();
        self
    }

    /// Sets the axis titles.
    pub fn axis_labels(mut self, x: impl Into<String>, y: impl Into<String>) -> Self {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }

    fn dims(&self) -> (usize, usize) {
        let nr = self.row_labels.len().max(self.values.len());
        let nc = self
            .col_labels
            .len()
            .max(self.values.iter().map(Vec::len).max().unwrap_or(0));
        (nr, nc)
    }

    fn cell(&self, r: usize, c: usize) -> Option<f64> {
        self.values
            .get(r)
            .and_then(|row| row.get(c))
            .copied()
            .flatten()
            .filter(|v| v.is_finite())
    }

    /// Renders the heatmap as a standalone SVG document. Deterministic; an
    /// empty matrix renders a "No data" message.
    pub fn to_svg(&self) -> String {
        let (nr, nc) = self.dims();
        if nr == 0 || nc == 0 {
            return svg::empty_chart("heatmap", &self.title, self.subtitle.as_deref(), "Heatmap");
        }
        let finite: Vec<f64> = (0..nr)
            .flat_map(|r| (0..nc).filter_map(move |c| self.cell(r, c)))
            .collect();
        let n_missing = nr * nc - finite.len();
        let (lo, hi) = valid_range(self.range).unwrap_or_else(|| {
            if finite.is_empty() {
                (0.0, 1.0)
            } else {
                let (a, b) = crate::line::min_max(&finite);
                widen_if_flat(a, b, false)
            }
        });
        let mut g = self.grid_layout(nr, nc);
        let l = self.legend_layout(&mut g, lo, hi, n_missing);

        let desc = self.describe(nr, nc, lo, hi, &finite, n_missing);
        let id = svg::id_prefix("heatmap", &self.title, &desc);
        let mut s = Svg::new(l.width, l.height, &id, &self.title, &desc);
        svg::title_block(
            &mut s,
            PAD,
            PAD - 4.0,
            l.width - 2.0 * PAD,
            &self.title,
            self.subtitle.as_deref(),
        );
        // The hatch twice: in px for the legend, and scaled back to px inside the cells'
        // group, which is scaled to one unit per cell.
        let buf = s.buf();
        buf.push_str("<defs>");
        for (suffix, scale) in [
            ("", String::new()),
            ("-cells", format!("scale({}) ", fmt_scale(1.0 / g.cell))),
        ] {
            let _ = write!(
                buf,
                "<pattern id=\"{id}-hatch{suffix}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
                 patternTransform=\"{scale}rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"{MISSING_FILL}\"/>\
                 <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"{HATCH}\" stroke-width=\"1.5\"/></pattern>"
            );
        }
        buf.push_str("</defs>\n");
        let hatch = format!("url(#{id}-hatch)");
        self.draw_cells(&mut s, &g, lo, hi, &id);
        self.draw_values(&mut s, &g, lo, hi);
        s.rect(
            g.gx,
            g.gy,
            g.gw,
            g.gh,
            "none",
            " stroke=\"#8c8c8c\" stroke-width=\"1\"",
        );
        self.draw_axes(&mut s, &g);
        self.draw_legend(&mut s, &l, lo, hi, &id, &hatch);
        s.finish()
    }

    /// Geometry of the grid: cell size, fonts, thinned and truncated labels, origin.
    fn grid_layout(&self, nr: usize, nc: usize) -> GridLayout {
        let cell = match self.cell_size {
            Some(s) if s.is_finite() && s > 0.0 => s.clamp(1.0, 200.0),
            _ => (640.0 / nr.max(nc) as f64).clamp(3.0, 36.0),
        };
        let font = if cell >= 16.0 { 12.0 } else { 11.0 };
        let row_step = (13.0 / cell).ceil().max(1.0) as usize;
        let labels = |names: &[String], n: usize, max: f64| -> Vec<String> {
            (0..n)
                .map(|k| text::truncate(names.get(k).map_or("", String::as_str), max, font))
                .collect()
        };
        let row_labels = labels(&self.row_labels, nr, 170.0);
        let col_labels = labels(&self.col_labels, nc, 160.0);
        let col_w = col_labels
            .iter()
            .map(|l| text::width(l, font))
            .fold(0.0, f64::max);
        let row_w = row_labels
            .iter()
            .step_by(row_step)
            .map(|l| text::width(l, font))
            .fold(0.0, f64::max);
        let horizontal = col_w <= cell - 4.0;
        let col_step = if horizontal {
            1
        } else {
            (19.0 / cell).ceil().max(1.0) as usize
        };
        let col_extent = if horizontal {
            font + 8.0
        } else {
            col_w * std::f64::consts::FRAC_1_SQRT_2 + font + 6.0
        };
        let y_title = if self.y_label.is_empty() { 0.0 } else { 22.0 };
        let mut gx = PAD + y_title + row_w + 8.0;
        if !horizontal {
            gx = gx.max(PAD + col_w * std::f64::consts::FRAC_1_SQRT_2 - cell / 2.0);
        }
        GridLayout {
            nr,
            nc,
            cell,
            font,
            row_step,
            col_step,
            row_labels,
            col_labels,
            horizontal,
            col_extent,
            gx,
            gy: 0.0,
            gw: cell * nc as f64,
            gh: cell * nr as f64,
        }
    }

    /// Geometry of the colour legend right of the grid, and of the whole document; sets
    /// the grid's top, which depends on the title block's height.
    fn legend_layout(
        &self,
        g: &mut GridLayout,
        lo: f64,
        hi: f64,
        n_missing: usize,
    ) -> LegendLayout {
        let bar_h = g.gh.clamp(120.0, 260.0);
        let ticks = nice_ticks(lo, hi, 6, false);
        let tick_labels = ticks.labels();
        let tick_w = tick_labels
            .iter()
            .map(|l| text::width(l, 11.0))
            .fold(0.0, f64::max);
        let title = text::wrap(&self.value_label, 130.0, 12.0, true);
        let legend_w = (14.0 + 6.0 + tick_w)
            .max(
                title
                    .iter()
                    .map(|l| text::width_bold(l, 12.0))
                    .fold(0.0, f64::max),
            )
            .max(if n_missing > 0 {
                14.0 + 6.0 + text::width("Missing", 11.0)
            } else {
                0.0
            });
        let lx = g.gx + g.gw + 28.0;
        let width = (lx + legend_w + PAD).max(360.0);
        let title_h =
            svg::title_block_height(width - 2.0 * PAD, &self.title, self.subtitle.as_deref());
        g.gy = PAD + title_h + 8.0;
        let legend_bottom =
            g.gy + title.len() as f64 * 15.0 + 6.0 + bar_h + if n_missing > 0 { 34.0 } else { 0.0 };
        let grid_bottom =
            g.gy + g.gh + g.col_extent + if self.x_label.is_empty() { 0.0 } else { 24.0 };
        LegendLayout {
            lx,
            ly: g.gy,
            bar_h,
            ticks,
            tick_labels,
            title,
            missing: n_missing > 0,
            width,
            height: grid_bottom.max(legend_bottom) + PAD,
        }
    }

    /// The cells, compactly: in a group scaled to one unit per cell, one stroked path per
    /// colour whose runs of equal cells in a row are single strokes (`M3 4.5h2`), and one
    /// hatched path of the missing cells; white gaps between large cells are one path of
    /// grid lines. While the tooltips fit [`TOOLTIP_BUDGET`], every cell is its own path
    /// with a `<title>` instead.
    fn draw_cells(&self, s: &mut Svg, g: &GridLayout, lo: f64, hi: f64, id: &str) {
        let _ = writeln!(
            s.buf(),
            "<g class=\"cells\" transform=\"translate({} {}) scale({})\" fill=\"none\">",
            f2(g.gx),
            f2(g.gy),
            fmt_scale(g.cell)
        );
        let hatch = format!("url(#{id}-hatch-cells)");
        if self.tooltip_bytes(g) <= TOOLTIP_BUDGET {
            self.draw_cells_with_tooltips(s, g, lo, hi, &hatch);
        } else {
            self.draw_cells_by_colour(s, g, lo, hi, &hatch);
        }
        s.raw("</g>\n");
        if g.cell >= 10.0 {
            let buf = s.buf();
            buf.push_str("<path class=\"gaps\" d=\"");
            for r in 0..=g.nr {
                let _ = write!(
                    buf,
                    "M{} {}h{}",
                    f2(g.gx),
                    f2(g.gy + r as f64 * g.cell),
                    f2(g.gw)
                );
            }
            for c in 0..=g.nc {
                let _ = write!(
                    buf,
                    "M{} {}v{}",
                    f2(g.gx + c as f64 * g.cell),
                    f2(g.gy),
                    f2(g.gh)
                );
            }
            buf.push_str("\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n");
        }
    }

    /// About how many bytes per-cell tooltips would take (labels, value and markup).
    fn tooltip_bytes(&self, g: &GridLayout) -> usize {
        let len = |v: &[String], n: usize| -> usize { v.iter().take(n).map(String::len).sum() };
        len(&self.row_labels, g.nr) * g.nc
            + len(&self.col_labels, g.nc) * g.nr
            + g.nr * g.nc * (64 + self.decimals)
    }

    /// Every cell its own path with a tooltip naming its row, column and value.
    fn draw_cells_with_tooltips(&self, s: &mut Svg, g: &GridLayout, lo: f64, hi: f64, hatch: &str) {
        let buf = s.buf();
        for r in 0..g.nr {
            for c in 0..g.nc {
                let v = self.cell(r, c);
                match v {
                    Some(v) => {
                        let colour = self.scale.color(v, lo, hi);
                        let _ = write!(buf, "<path d=\"M{c} {r}.5h1\" stroke=\"{colour}\">");
                    }
                    None => {
                        let _ = write!(buf, "<path d=\"M{c} {r}h1v1h-1z\" fill=\"{hatch}\">");
                    }
                }
                let _ = writeln!(
                    buf,
                    "<title>{} × {}: {}</title></path>",
                    xml_escape(self.row_labels.get(r).map_or("", String::as_str)),
                    xml_escape(self.col_labels.get(c).map_or("", String::as_str)),
                    v.map_or("missing".to_string(), |v| svg::fmt_fixed(v, self.decimals))
                );
            }
        }
    }

    /// One path per colour (in order of first appearance), runs of a row as one stroke;
    /// the missing cells as one hatched path.
    fn draw_cells_by_colour(&self, s: &mut Svg, g: &GridLayout, lo: f64, hi: f64, hatch: &str) {
        // Per colour: its runs (row, first column, length).
        let mut order: Vec<String> = Vec::new();
        let mut runs: HashMap<String, Vec<(usize, usize, usize)>> = HashMap::new();
        let mut missing: Vec<(usize, usize, usize)> = Vec::new();
        for r in 0..g.nr {
            let row: Vec<Option<String>> = (0..g.nc)
                .map(|c| self.cell(r, c).map(|v| self.scale.color(v, lo, hi)))
                .collect();
            let mut c = 0;
            while c < g.nc {
                let end = c + row[c..].iter().take_while(|k| **k == row[c]).count();
                match &row[c] {
                    Some(k) => runs
                        .entry(k.clone())
                        .or_insert_with_key(|k| {
                            order.push(k.clone());
                            Vec::new()
                        })
                        .push((r, c, end - c)),
                    None => missing.push((r, c, end - c)),
                }
                c = end;
            }
        }
        let buf = s.buf();
        for colour in &order {
            let _ = write!(buf, "<path stroke=\"{colour}\" d=\"");
            write_runs(buf, &runs[colour], false);
            buf.push_str("\"/>\n");
        }
        if !missing.is_empty() {
            let _ = write!(buf, "<path fill=\"{hatch}\" d=\"");
            write_runs(buf, &missing, true);
            buf.push_str("\"/>\n");
        }
    }

    /// Values printed in the cells, when asked for or when the cells are large enough,
    /// in ink that contrasts with the cell.
    fn draw_values(&self, s: &mut Svg, g: &GridLayout, lo: f64, hi: f64) {
        let value_font = 11.0;
        let show_values = match self.show_values {
            Some(false) => false,
            Some(true) => true,
            None => g.cell >= 30.0,
        };
        if !show_values {
            return;
        }
        s.raw("<g class=\"values\">\n");
        for r in 0..g.nr {
            for c in 0..g.nc {
                let Some(v) = self.cell(r, c) else { continue };
                let label = svg::fmt_fixed(v, self.decimals);
                if text::width(&label, value_font) > g.cell - 4.0 {
                    continue;
                }
                let fill = self.scale.color(v, lo, hi);
                let ink = if luminance(&fill) > 0.36 {
                    INK
                } else {
                    "#ffffff"
                };
                s.text(
                    g.gx + (c as f64 + 0.5) * g.cell,
                    g.gy + (r as f64 + 0.5) * g.cell + value_font * 0.35,
                    &label,
                    TextStyle::new(value_font).anchor(Anchor::Middle).fill(ink),
                );
            }
        }
        s.raw("</g>\n");
    }

    /// Row and column labels (thinned), and the axis titles.
    fn draw_axes(&self, s: &mut Svg, g: &GridLayout) {
        let (gx, gy, cell, font) = (g.gx, g.gy, g.cell, g.font);
        s.raw("<g class=\"axes\">\n");
        for (r, l) in g.row_labels.iter().enumerate().step_by(g.row_step) {
            s.text(
                gx - 5.0,
                gy + (r as f64 + 0.5) * cell + font * 0.35,
                l,
                TextStyle::new(font).anchor(Anchor::End),
            );
        }
        for (c, l) in g.col_labels.iter().enumerate().step_by(g.col_step) {
            let cx = gx + (c as f64 + 0.5) * cell;
            if g.horizontal {
                s.text(
                    cx,
                    gy + g.gh + font + 4.0,
                    l,
                    TextStyle::new(font).anchor(Anchor::Middle),
                );
            } else {
                s.text(
                    cx + font * 0.3,
                    gy + g.gh + 6.0,
                    l,
                    TextStyle::new(font).anchor(Anchor::End).rotate(-45.0),
                );
            }
        }
        if !self.x_label.is_empty() {
            s.text(
                gx + g.gw / 2.0,
                gy + g.gh + g.col_extent + 16.0,
                &text::truncate(&self.x_label, g.gw.max(200.0), 13.0),
                TextStyle::new(13.0).anchor(Anchor::Middle),
            );
        }
        if !self.y_label.is_empty() {
            s.text(
                PAD + 11.0,
                gy + g.gh / 2.0,
                &text::truncate(&self.y_label, g.gh.max(200.0), 13.0),
                TextStyle::new(13.0).anchor(Anchor::Middle).rotate(-90.0),
            );
        }
        s.raw("</g>\n");
    }

    /// The colour legend: title, gradient bar with ticks, and the missing-cell swatch.
    fn draw_legend(&self, s: &mut Svg, l: &LegendLayout, lo: f64, hi: f64, id: &str, hatch: &str) {
        let lx = l.lx;
        s.raw("<g class=\"legend\">\n");
        let mut ly = l.ly;
        for line in &l.title {
            ly += 15.0;
            s.text(lx, ly - 3.0, line, TextStyle::new(12.0).bold());
        }
        ly += 6.0;
        let stops: String = (0..=20)
            .map(|k| {
                let t = k as f64 / 20.0;
                // Top of the bar is the high end.
                let v = hi - t * (hi - lo);
                format!(
                    "<stop offset=\"{}\" stop-color=\"{}\"/>",
                    f2(t),
                    self.scale.color(if v.is_finite() { v } else { lo }, lo, hi)
                )
            })
            .collect();
        let _ = writeln!(
            s.buf(),
            "<defs><linearGradient id=\"{id}-grad\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">{stops}</linearGradient></defs>"
        );
        let outline = " stroke=\"#8c8c8c\" stroke-width=\"1\"";
        s.rect(lx, ly, 14.0, l.bar_h, &format!("url(#{id}-grad)"), outline);
        let bar = Scale::new(lo, hi, ly + l.bar_h, ly);
        for (v, t) in l.ticks.values.iter().zip(&l.tick_labels) {
            let py = bar.map(*v);
            s.line(lx + 14.0, py, lx + 18.0, py, "#595959", 1.0, "");
            s.text(lx + 21.0, py + 4.0, t, TextStyle::new(11.0).fill(INK_SOFT));
        }
        if l.missing {
            let my = ly + l.bar_h + 16.0;
            s.rect(lx, my, 14.0, 14.0, hatch, outline);
            s.text(
                lx + 20.0,
                my + 11.0,
                "Missing",
                TextStyle::new(11.0).fill(INK_SOFT),
            );
        }
        s.raw("</g>\n");
    }

    fn describe(
        &self,
        nr: usize,
        nc: usize,
        lo: f64,
        hi: f64,
        finite: &[f64],
        n_missing: usize,
    ) -> String {
        let list = |v: &[String]| {
            let shown: Vec<&str> = v.iter().take(6).map(String::as_str).collect();
            let more = v.len().saturating_sub(6);
            if more > 0 {
                format!("{} and {more} more", shown.join(", "))
            } else {
                shown.join(", ")
            }
        };
        let mut d = format!("Heatmap of {nr} rows by {nc} columns");
        if !self.row_labels.is_empty() {
            let _ = write!(d, "; rows: {}", list(&self.row_labels));
        }
        if !self.col_labels.is_empty() {
            let _ = write!(d, "; columns: {}", list(&self.col_labels));
        }
        let _ = write!(
            d,
            ". Colour scale {} over {} to {}",
            self.scale.name(),
            fmt_value(lo, 2),
            fmt_value(hi, 2)
        );
        if !self.value_label.is_empty() {
            let _ = write!(d, " ({})", self.value_label);
        }
        if !finite.is_empty() {
            let (a, b) = crate::line::min_max(finite);
            let _ = write!(
                d,
                "; observed values {} to {}",
                fmt_value(a, 2),
                fmt_value(b, 2)
            );
        }
        let _ = write!(d, ". {n_missing} missing cells, shown hatched grey.");
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::parse;

    fn grid(n: usize, m: usize) -> Heatmap {
        let cols = (0..m).map(|i| format!("C{i}")).collect();
        Heatmap::new("grid")
            .rows(crate::samples::names("Country", n))
            .columns(cols)
            .values(crate::samples::grid_values(n, m))
            .range(0.0, 1.0)
    }

    /// Tokens of path data: each command letter with its numbers.
    fn tokens(d: &str) -> Vec<(char, Vec<f64>)> {
        let mut out: Vec<(char, Vec<f64>)> = Vec::new();
        let mut num = String::new();
        let flush = |num: &mut String, out: &mut Vec<(char, Vec<f64>)>| {
            for n in num.split_whitespace() {
                out.last_mut().unwrap().1.push(n.parse().unwrap());
            }
            num.clear();
        };
        for ch in d.chars() {
            if ch.is_ascii_alphabetic() {
                flush(&mut num, &mut out);
                out.push((ch, Vec::new()));
            } else {
                num.push(ch);
            }
        }
        flush(&mut num, &mut out);
        out
    }

    /// The paint of every cell as the SVG draws it, decoded from the cells' paths (in
    /// their unit space); panics on a cell painted twice or a command it does not know.
    fn decode(svg: &str, nr: usize, nc: usize) -> Vec<Vec<Option<String>>> {
        let doc = parse(svg);
        let cells = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("cells"))
            .unwrap();
        let mut grid = vec![vec![None; nc]; nr];
        for p in cells.descendants().filter(|n| n.has_tag_name("path")) {
            let paint = p.attribute("stroke").or(p.attribute("fill")).unwrap();
            let (mut pen, mut start) = ((0.0, 0.0), (0.0, 0.0));
            for (cmd, a) in tokens(p.attribute("d").unwrap()) {
                match cmd {
                    'M' => (pen, start) = ((a[0], a[1]), (a[0], a[1])),
                    'm' => {
                        pen = (pen.0 + a[0], pen.1 + a[1]);
                        start = pen;
                    }
                    'h' => {
                        if a[0] > 0.0 {
                            let r = pen.1 as usize;
                            let (c0, c1) = (pen.0 as usize, (pen.0 + a[0]) as usize);
                            for (c, cell) in grid[r][c0..c1].iter_mut().enumerate() {
                                assert!(cell.is_none(), "cell {r},{} painted twice", c0 + c);
                                *cell = Some(paint.to_string());
                            }
                        }
                        pen.0 += a[0];
                    }
                    'v' => pen.1 += a[0],
                    'z' => pen = start,
                    other => panic!("unexpected path command {other}"),
                }
            }
        }
        grid
    }

    /// Every cell is painted once, in its value's colour or hatched where missing.
    fn assert_cells_drawn(h: &Heatmap, svg: &str) {
        let (nr, nc) = h.dims();
        let (lo, hi) = h.range.unwrap();
        let got = decode(svg, nr, nc);
        let hatch = svg
            .split("url(#")
            .filter_map(|s| s.split_once(')').map(|(id, _)| id))
            .find(|id| id.ends_with("-hatch-cells"))
            .map(|id| format!("url(#{id})"));
        for (r, row) in got.iter().enumerate() {
            for (c, paint) in row.iter().enumerate() {
                let want = match h.cell(r, c) {
                    Some(v) => Some(h.scale.color(v, lo, hi)),
                    None => hatch.clone(),
                };
                assert_eq!(paint, &want, "cell {r},{c}");
            }
        }
    }

    #[test]
    fn well_formed_with_missing_legend() {
        let h = grid(30, 30).value_label("Agreement");
        let svg = h.to_svg();
        let doc = parse(&svg);
        assert!(svg.contains("Missing"));
        assert_cells_drawn(&h, &svg);
        // Small enough for a tooltip per cell, the missing ones too.
        let titles = doc
            .descendants()
            .filter(|n| n.has_tag_name("title") && n.parent().unwrap().has_tag_name("path"))
            .count();
        assert_eq!(titles, 900);
        assert!(svg.contains("<title>Country 0 × C0: missing</title>"));
        assert!(svg.contains("<title>Country 0 × C1: 0.01</title>"));
        let desc = doc
            .descendants()
            .find(|n| n.has_tag_name("desc"))
            .unwrap()
            .text()
            .unwrap();
        assert!(
            desc.contains("30 rows by 30 columns") && desc.contains("missing"),
            "{desc}"
        );
    }

    #[test]
    fn large_matrix_is_one_path_per_colour_with_runs() {
        let h = grid(200, 200);
        let svg = h.to_svg();
        assert_cells_drawn(&h, &svg);
        // Rows of equal values become single strokes, and one path per colour.
        let mut h = Heatmap::new("runs")
            .values(vec![
                vec![Some(0.0), Some(0.0), Some(0.0), None, None, Some(1.0)],
                vec![Some(1.0), Some(0.0), Some(0.0), Some(1.0), Some(1.0), None],
            ])
            .range(0.0, 1.0);
        h.col_labels = (0..150).map(|_| "x".repeat(40)).collect(); // no room for tooltips
        h.row_labels = vec!["y".repeat(40); 150];
        let svg = h.to_svg();
        assert_cells_drawn(&h, &svg);
        let paths: Vec<&str> = svg
            .lines()
            .filter(|l| l.starts_with("<path stroke=") || l.starts_with("<path fill=\"url"))
            .collect();
        assert_eq!(paths.len(), 3, "{paths:?}");
        assert!(paths[0].contains("d=\"M0 0.5h3M1 1.5h2\""), "{}", paths[0]);
    }

    /// A heatmap of every UN member (193 states, long names) in at most 500 KB, and so is
    /// every smaller one: the tooltips are left out before they would pass the budget.
    #[test]
    fn every_size_up_to_all_members_is_under_500_kb() {
        for n in [5, 20, 47, 54, 55, 60, 80, 120, 160, 193, 200] {
            let mut h = grid(n, n);
            h.row_labels = (0..n)
                .map(|i| format!("Saint Vincent and the Grenadines {i}"))
                .collect();
            h.col_labels = h.row_labels.clone();
            let svg = h.to_svg();
            assert!(svg.len() < 500_000, "{n} × {n}: {} bytes", svg.len());
        }
    }

    #[test]
    fn large_matrix_hides_cell_labels_and_thins_axis_labels() {
        let h = grid(200, 200);
        let svg = h.to_svg();
        let doc = parse(&svg);
        assert!(!doc
            .descendants()
            .any(|n| n.attribute("class") == Some("values")));
        let axes = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("axes"))
            .unwrap();
        let n_labels = axes.children().filter(|n| n.has_tag_name("text")).count();
        assert!(n_labels < 200, "{n_labels}");
        // Every axis label at least 11 px.
        for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
            assert!(n.attribute("font-size").unwrap().parse::<f64>().unwrap() >= 11.0);
        }
        // 200 × 200 without per-cell tooltips.
        assert!(!svg.contains("× C0"));
        assert!(!doc
            .descendants()
            .any(|n| n.has_tag_name("title") && n.parent().unwrap().has_tag_name("path")));
    }

    #[test]
    fn small_matrix_shows_values_with_contrast() {
        let h = Heatmap::new("small")
            .rows(vec!["A & B".into(), "<C>".into()])
            .columns(vec!["x".into(), "y".into()])
            .values(vec![vec![Some(0.0), Some(1.0)], vec![Some(0.5)]])
            .range(0.0, 1.0);
        let svg = h.to_svg();
        let doc = parse(&svg);
        let vals: Vec<(&str, &str)> = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name("text") && n.parent().unwrap().attribute("class") == Some("values")
            })
            .map(|n| (n.text().unwrap(), n.attribute("fill").unwrap()))
            .collect();
        assert_eq!(
            vals,
            vec![("0.00", "#ffffff"), ("1.00", INK), ("0.50", "#ffffff")]
        );
        assert!(svg.contains("A &amp; B"));
        // The ragged second row is padded with a missing cell.
        assert!(svg.contains("Missing"));
    }

    #[test]
    fn colour_scales() {
        let v = ColorScale::Viridis;
        assert_eq!(v.color(0.0, 0.0, 1.0), "#440154");
        assert_eq!(v.color(1.0, 0.0, 1.0), "#fde725");
        assert_eq!(v.color(7.0, 0.0, 1.0), "#fde725");
        let d = ColorScale::Diverging { center: 0.0 };
        assert_eq!(d.color(0.0, -1.0, 1.0), "#f7f7f7");
        assert_eq!(d.color(-1.0, -1.0, 1.0), "#b2182b");
        assert_eq!(d.color(0.0, -f64::MAX, f64::MAX), "#f7f7f7");
    }

    #[test]
    fn empty_heatmap_says_no_data() {
        let svg = Heatmap::new("nothing").to_svg();
        parse(&svg);
        assert!(svg.contains("No data"));
        let svg = Heatmap::new("empty rows").rows(vec!["a".into()]).to_svg();
        assert!(svg.contains("No data"));
    }

    #[test]
    fn deterministic() {
        assert_eq!(grid(12, 9).to_svg(), grid(12, 9).to_svg());
    }
}
