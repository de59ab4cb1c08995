//! [`DistributionChart`]: box plots from summary statistics (so callers can
//! stream summaries), one panel per outcome, panels laid out in a grid.

use std::fmt::Write as _;

use crate::line::valid_range;
use crate::svg::{
    self, f2, fmt_value, xml_escape, Anchor, Svg, TextStyle, AXIS, GRID, INK, INK_SOFT,
};
use crate::text;
use crate::ticks::{nice_domain, nice_ticks, widen_if_flat, Scale};

/// Summary statistics of one distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Minimum.
    pub min: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub median: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Maximum.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

impl Summary {
    /// Computes a summary from raw samples (non-finite samples are ignored;
    /// percentiles use linear interpolation between order statistics).
    /// Returns `None` when there is no finite sample.
    pub fn from_samples(samples: &[f64]) -> Option<Summary> {
        let mut v: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let q = |p: f64| {
            let pos = p * (v.len() - 1) as f64;
            let i = pos.floor() as usize;
            let f = pos - i as f64;
            match v.get(i + 1) {
                Some(&next) => v[i] + (next - v[i]) * f,
                None => v[i],
            }
        };
        let mean = v.iter().map(|x| x / v.len() as f64).sum();
        Some(Summary {
            min: v[0],
            p5: q(0.05),
            p25: q(0.25),
            median: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
            max: v[v.len() - 1],
            mean,
        })
    }

    fn values(&self) -> [f64; 8] {
        [
            self.min,
            self.p5,
            self.p25,
            self.median,
            self.p75,
            self.p95,
            self.max,
            self.mean,
        ]
    }

    fn is_valid(&self) -> bool {
        self.values().iter().all(|v| v.is_finite())
    }
}

/// One group's summary within a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSummary {
    /// Group name, e.g. a doctrine. Groups with the same name share a colour
    /// across panels.
    pub group: String,
    /// The statistics.
    pub summary: Summary,
}

/// One outcome: a panel with one box per group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DistributionPanel {
    /// Panel title, e.g. `"Alignment with China in 2050"`.
    pub outcome: String,
    /// Y-axis title / unit (empty = none).
    pub y_label: String,
    /// Fixed y range; `None` = min..max of all groups, rounded out.
    pub y_range: Option<(f64, f64)>,
    /// Boxes, left to right.
    pub groups: Vec<GroupSummary>,
}

impl DistributionPanel {
    /// An empty panel for `outcome`.
    pub fn new(outcome: impl Into<String>) -> Self {
        DistributionPanel {
            outcome: outcome.into(),
            ..Default::default()
        }
    }

    /// Sets the y-axis title.
    pub fn y_label(mut self, s: impl Into<String>) -> Self {
        self.y_label = s.into();
        self
    }

    /// Fixes the y range.
    pub fn y_range(mut self, lo: f64, hi: f64) -> Self {
        self.y_range = Some((lo, hi));
        self
    }

    /// Adds a group's summary.
    pub fn group(mut self, name: impl Into<String>, summary: Summary) -> Self {
        self.groups.push(GroupSummary {
            group: name.into(),
            summary,
        });
        self
    }
}

/// Side-by-side box plots, rendered to SVG with
/// [`DistributionChart::to_svg`]: box = 25th–75th percentile with the median
/// line, whiskers = 5th–95th percentile, open circles = min and max,
/// diamond = mean. A key explaining the glyphs is drawn under the panels.
///
/// ```
/// use bamboo_report::{DistributionChart, DistributionPanel, Summary};
/// let s = Summary::from_samples(&[0.1, 0.4, 0.5, 0.6, 0.9]).unwrap();
/// let svg = DistributionChart::new("Outcomes in 2050")
///     .panel(DistributionPanel::new("Agreement with China").group("Hedge", s))
///     .to_svg();
/// assert!(svg.contains("Hedge"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionChart {
    /// Chart title.
    pub title: String,
    /// Optional subtitle.
    pub subtitle: Option<String>,
    /// One panel per outcome.
    pub panels: Vec<DistributionPanel>,
    /// Panels per row; `None` = up to 3.
    pub columns: Option<usize>,
    /// Height of each panel's plot area in px.
    pub panel_height: f64,
}

impl Default for DistributionChart {
    fn default() -> Self {
        DistributionChart {
            title: String::new(),
            subtitle: None,
            panels: Vec::new(),
            columns: None,
            panel_height: 220.0,
        }
    }
}

const PAD: f64 = 16.0;
const GROUP_FONT: f64 = 11.0;
/// Height of a panel's title above its plot.
const PANEL_TITLE_H: f64 = 28.0;

impl DistributionChart {
    /// An empty chart with a title.
    pub fn new(title: impl Into<String>) -> Self {
        DistributionChart {
            title: title.into(),
            ..Default::default()
        }
    }

    /// Sets the subtitle.
    pub fn subtitle(mut self, s: impl Into<String>) -> Self {
        self.subtitle = Some(s.into());
        self
    }

    /// Adds a panel.
    pub fn panel(mut self, p: DistributionPanel) -> Self {
        self.panels.push(p);
        self
    }

    /// Sets the number of panels per row.
    pub fn columns(mut self, n: usize) -> Self {
        self.columns = Some(n);
        self
    }

    /// Renders the chart as a standalone SVG document. Deterministic; with no
    /// valid summary it renders a "No data" message.
    pub fn to_svg(&self) -> String {
        let any = self
            .panels
            .iter()
            .any(|p| p.groups.iter().any(|g| g.summary.is_valid()));
        if !any {
            return svg::empty_chart(
                "dist",
                &self.title,
                self.subtitle.as_deref(),
                "Distribution chart",
            );
        }
        // Stable colour per group name, by first appearance.
        let mut names: Vec<&str> = Vec::new();
        for g in self.panels.iter().flat_map(|p| &p.groups) {
            if !names.contains(&g.group.as_str()) {
                names.push(&g.group);
            }
        }
        let l = self.layout();
        let desc = self.describe();
        let id = svg::id_prefix("dist", &self.title, &desc);
        let mut s = Svg::new(l.width, l.height, &id, &self.title, &desc);
        svg::title_block(
            &mut s,
            PAD,
            PAD - 4.0,
            l.width - 2.0 * PAD,
            &self.title,
            self.subtitle.as_deref(),
        );
        for (pi, p) in self.panels.iter().enumerate() {
            self.draw_panel(&mut s, &l, pi, p, &id, &names);
        }
        draw_key(&mut s, PAD, l.key_y + 10.0, l.width - 2.0 * PAD);
        s.finish()
    }

    /// The grid of panels: bands, axes, labels and the document's size.
    fn layout(&self) -> DistLayout {
        let n = self.panels.len();
        let cols = self.columns.unwrap_or(3).clamp(1, n.max(1)).min(n);
        let rows = n.div_ceil(cols);
        let max_groups = self
            .panels
            .iter()
            .map(|p| p.groups.len())
            .max()
            .unwrap_or(1)
            .max(1);
        let band = (380.0 / max_groups as f64).clamp(44.0, 90.0);
        let plot_w = band * max_groups as f64;
        let plot_h = if self.panel_height.is_finite() {
            self.panel_height.clamp(100.0, 1000.0)
        } else {
            220.0
        };
        let axes = self.panel_axes(plot_h);
        let tick_w = axes
            .iter()
            .flat_map(|a| a.2.labels())
            .map(|l| text::width(&l, 11.0))
            .fold(0.0, f64::max);
        let has_ylabel = self.panels.iter().any(|p| !p.y_label.is_empty());
        let inner_left = (if has_ylabel { 20.0 } else { 0.0 }) + tick_w + 10.0;

        // Group labels: horizontal when they fit, otherwise rotated.
        let labels = self.group_labels();
        let label_w = labels
            .iter()
            .flatten()
            .map(|l| text::width(l, GROUP_FONT))
            .fold(0.0, f64::max);
        let horizontal = label_w <= band - 6.0;
        let label_h = if horizontal {
            GROUP_FONT + 8.0
        } else {
            label_w * 0.643 + GROUP_FONT + 8.0 // sin 40°
        };
        // Rotated labels hang down-left of their box: keep the first one
        // inside the panel.
        let inner_left = if horizontal {
            inner_left
        } else {
            inner_left.max(label_w * 0.766 + GROUP_FONT * 0.4 - band / 2.0)
        };
        let cell_w = inner_left + plot_w + 24.0;
        let cell_h = PANEL_TITLE_H + plot_h + label_h + 14.0;

        let content_w = cols as f64 * cell_w - 24.0;
        let width = (content_w + 2.0 * PAD).max(480.0);
        let title_h =
            svg::title_block_height(width - 2.0 * PAD, &self.title, self.subtitle.as_deref());
        let grid_top = PAD + title_h + 6.0;
        let key_y = grid_top + rows as f64 * cell_h + 4.0;
        let (_, key_rows) = key_layout(width - 2.0 * PAD);
        let height = key_y + key_rows as f64 * 20.0 + 8.0 + PAD;
        DistLayout {
            cols,
            band,
            plot_w,
            plot_h,
            axes,
            inner_left,
            labels,
            horizontal,
            cell_w,
            cell_h,
            width,
            height,
            grid_top,
            key_y,
        }
    }

    /// Per-panel y axes (domain and ticks), so every panel's ticks are known before
    /// the widest tick label sets the panels' left margin.
    fn panel_axes(&self, plot_h: f64) -> Vec<(f64, f64, crate::Ticks)> {
        self.panels
            .iter()
            .map(|p| {
                let max_ticks = ((plot_h / 36.0) as usize).clamp(2, 8);
                if let Some((a, b)) = valid_range(p.y_range) {
                    return (a, b, nice_ticks(a, b, max_ticks, false));
                }
                let vals: Vec<f64> = p
                    .groups
                    .iter()
                    .filter(|g| g.summary.is_valid())
                    .flat_map(|g| g.summary.values())
                    .collect();
                if vals.is_empty() {
                    return (0.0, 1.0, nice_ticks(0.0, 1.0, max_ticks, false));
                }
                let (a, b) = crate::line::min_max(&vals);
                let (a, b) = widen_if_flat(a, b, false);
                nice_domain(a, b, max_ticks)
            })
            .collect()
    }

    /// Every group's label, truncated, per panel.
    fn group_labels(&self) -> Vec<Vec<String>> {
        self.panels
            .iter()
            .map(|p| {
                p.groups
                    .iter()
                    .map(|g| text::truncate(&g.group, 130.0, GROUP_FONT))
                    .collect()
            })
            .collect()
    }

    /// Panel `pi`: its title, y axis, grid and one box per group.
    fn draw_panel(
        &self,
        s: &mut Svg,
        l: &DistLayout,
        pi: usize,
        p: &DistributionPanel,
        id: &str,
        names: &[&str],
    ) {
        let (row, col) = (pi / l.cols, pi % l.cols);
        let ox = PAD + col as f64 * l.cell_w;
        let oy = l.grid_top + row as f64 * l.cell_h;
        let left = ox + l.inner_left;
        let top = oy + PANEL_TITLE_H;
        let bottom = top + l.plot_h;
        let (lo, hi, ticks) = &l.axes[pi];
        let ys = Scale::new(*lo, *hi, bottom, top);
        let _ = writeln!(
            s.buf(),
            "<g class=\"panel\"><title>{}</title>",
            xml_escape(&p.outcome)
        );
        let title = text::truncate(&p.outcome, l.cell_w - 24.0, 13.0);
        s.text(ox, oy + 15.0, &title, TextStyle::new(13.0).bold());
        draw_y_axis(s, l, p, ticks, &ys, (ox, left, top, bottom));
        let clip_id = format!("{id}-clip{pi}");
        let _ = writeln!(
            s.buf(),
            "<defs><clipPath id=\"{clip_id}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath></defs>",
            f2(left),
            f2(top - 6.0),
            f2(l.plot_w + 6.0),
            f2(l.plot_h + 12.0)
        );
        if p.groups.is_empty() {
            s.text(
                left + l.plot_w / 2.0,
                (top + bottom) / 2.0,
                "No data",
                TextStyle::new(12.0).anchor(Anchor::Middle).fill(INK_SOFT),
            );
        }
        let colour_of = |name: &str| names.iter().position(|n| *n == name).unwrap_or(0);
        for (gi, g) in p.groups.iter().enumerate() {
            let cx = left + (gi as f64 + 0.5) * l.band;
            draw_group_label(s, &l.labels[pi][gi], l.horizontal, cx, bottom);
            if !g.summary.is_valid() {
                s.text(
                    cx,
                    (top + bottom) / 2.0,
                    "n/a",
                    TextStyle::new(11.0).anchor(Anchor::Middle).fill(INK_SOFT),
                );
                continue;
            }
            let c = svg::colour(colour_of(&g.group));
            let bw = (l.band * 0.42).min(40.0);
            draw_box(s, &g.summary, cx, bw, &ys, c, &clip_id, &g.group);
        }
        s.raw("</g>\n");
    }

    fn describe(&self) -> String {
        let mut d = format!(
            "Distribution chart with {} panels; boxes span the 25th–75th percentile with the median, \
             whiskers the 5th–95th percentile, circles min and max, diamonds the mean.",
            self.panels.len()
        );
        for p in &self.panels {
            let _ = write!(d, " {}", p.outcome);
            if !p.y_label.is_empty() {
                let _ = write!(d, " ({})", p.y_label);
            }
            d.push(':');
            if p.groups.is_empty() {
                d.push_str(" no data.");
            }
            for (k, g) in p.groups.iter().enumerate() {
                let sep = if k + 1 == p.groups.len() { "." } else { ";" };
                let s = &g.summary;
                if s.is_valid() {
                    let _ = write!(
                        d,
                        " {} median {} (5–95%: {} to {}, mean {}){sep}",
                        g.group,
                        fmt_value(s.median, 2),
                        fmt_value(s.p5, 2),
                        fmt_value(s.p95, 2),
                        fmt_value(s.mean, 2)
                    );
                } else {
                    let _ = write!(d, " {} no data{sep}", g.group);
                }
            }
        }
        d
    }
}

/// Where a chart's panels go, and the document's size.
struct DistLayout {
    cols: usize,
    /// Width of one group's band in a panel.
    band: f64,
    plot_w: f64,
    plot_h: f64,
    /// Per panel: y domain and ticks.
    axes: Vec<(f64, f64, crate::Ticks)>,
    /// From a panel's left edge to its plot area.
    inner_left: f64,
    /// Per panel, per group: the truncated label.
    labels: Vec<Vec<String>>,
    /// Group labels horizontal (they fit their band) rather than rotated.
    horizontal: bool,
    /// Size of one panel with its margins.
    cell_w: f64,
    cell_h: f64,
    width: f64,
    height: f64,
    grid_top: f64,
    key_y: f64,
}

/// A panel's y grid, tick labels, axis lines and y-axis title; `at` is the panel's left edge,
/// and its plot area's left, top and bottom.
fn draw_y_axis(
    s: &mut Svg,
    l: &DistLayout,
    p: &DistributionPanel,
    ticks: &crate::Ticks,
    ys: &Scale,
    at: (f64, f64, f64, f64),
) {
    let (ox, left, top, bottom) = at;
    for (v, t) in ticks.values.iter().zip(ticks.labels()) {
        let py = ys.map(*v);
        s.line(left, py, left + l.plot_w, py, GRID, 1.0, "");
        s.text(
            left - 6.0,
            py + 4.0,
            &t,
            TextStyle::new(11.0).anchor(Anchor::End).fill(INK_SOFT),
        );
    }
    s.line(left, top, left, bottom, AXIS, 1.0, "");
    s.line(left, bottom, left + l.plot_w, bottom, AXIS, 1.0, "");
    if !p.y_label.is_empty() {
        s.text(
            ox + 12.0,
            (top + bottom) / 2.0,
            &text::truncate(&p.y_label, l.plot_h, 12.0),
            TextStyle::new(12.0).anchor(Anchor::Middle).rotate(-90.0),
        );
    }
}

/// A group's label under its box: centred, or rotated when labels do not fit.
fn draw_group_label(s: &mut Svg, label: &str, horizontal: bool, cx: f64, bottom: f64) {
    if horizontal {
        s.text(
            cx,
            bottom + GROUP_FONT + 5.0,
            label,
            TextStyle::new(GROUP_FONT).anchor(Anchor::Middle),
        );
    } else {
        s.text(
            cx + 3.0,
            bottom + 10.0,
            label,
            TextStyle::new(GROUP_FONT).anchor(Anchor::End).rotate(-40.0),
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_box(
    s: &mut Svg,
    sm: &Summary,
    cx: f64,
    bw: f64,
    ys: &Scale,
    c: &str,
    clip_id: &str,
    name: &str,
) {
    let y = |v: f64| ys.map(v);
    let out = s.buf();
    let _ = write!(
        out,
        "<g clip-path=\"url(#{clip_id})\"><title>{}: median {}, 25–75% {} to {}, 5–95% {} to {}, min {}, max {}, mean {}</title>",
        xml_escape(name),
        fmt_value(sm.median, 2),
        fmt_value(sm.p25, 2),
        fmt_value(sm.p75, 2),
        fmt_value(sm.p5, 2),
        fmt_value(sm.p95, 2),
        fmt_value(sm.min, 2),
        fmt_value(sm.max, 2),
        fmt_value(sm.mean, 2)
    );
    let cap = bw * 0.45;
    // Whiskers with caps.
    let _ = write!(
        out,
        "<path d=\"M{cx} {a}L{cx} {b}M{cx} {c2}L{cx} {d}M{l} {a}L{r} {a}M{l} {d}L{r} {d}\" stroke=\"{c}\" stroke-width=\"1.5\" fill=\"none\"/>",
        cx = f2(cx),
        a = f2(y(sm.p5)),
        b = f2(y(sm.p25)),
        c2 = f2(y(sm.p75)),
        d = f2(y(sm.p95)),
        l = f2(cx - cap / 2.0),
        r = f2(cx + cap / 2.0),
    );
    // Box and median.
    let (top, bot) = (y(sm.p75).min(y(sm.p25)), y(sm.p75).max(y(sm.p25)));
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{c}\" fill-opacity=\"0.22\" stroke=\"{c}\" stroke-width=\"1.5\"/>",
        f2(cx - bw / 2.0),
        f2(top),
        f2(bw),
        f2((bot - top).max(0.0))
    );
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{m}\" x2=\"{}\" y2=\"{m}\" stroke=\"{c}\" stroke-width=\"3\"/>",
        f2(cx - bw / 2.0),
        f2(cx + bw / 2.0),
        m = f2(y(sm.median))
    );
    // Min and max.
    for v in [sm.min, sm.max] {
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"2.75\" fill=\"#ffffff\" stroke=\"{c}\" stroke-width=\"1.25\"/>",
            f2(cx),
            f2(y(v))
        );
    }
    // Mean.
    write_diamond(out, cx, y(sm.mean));
    out.push_str("</g>\n");
}

fn write_diamond(out: &mut String, x: f64, y: f64) {
    let r = 4.5;
    let _ = write!(
        out,
        "<path d=\"M{} {}L{} {}L{} {}L{} {}Z\" fill=\"{INK}\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
        f2(x),
        f2(y - r),
        f2(x + r),
        f2(y),
        f2(x),
        f2(y + r),
        f2(x - r),
        f2(y)
    );
}

/// Glyph-key entries, in order.
const KEY: [&str; 4] = [
    "box: 25th–75th percentile, bar: median",
    "whiskers: 5th–95th percentile",
    "min / max",
    "mean",
];

/// Flow layout of the key in `avail` px: (x offset, row) per entry and the
/// number of rows.
fn key_layout(avail: f64) -> (Vec<(f64, usize)>, usize) {
    let mut out = Vec::new();
    let (mut x, mut row) = (0.0, 0usize);
    for label in KEY {
        let w = 20.0 + text::width(label, 11.0);
        if x > 0.0 && x + w > avail {
            x = 0.0;
            row += 1;
        }
        out.push((x, row));
        x += w + 18.0;
    }
    (out, row + 1)
}

/// The glyph key under the panels, wrapped to `avail` px.
fn draw_key(s: &mut Svg, x0: f64, y0: f64, avail: f64) {
    let st = TextStyle::new(11.0).fill(INK_SOFT);
    let c = "#595959";
    let (pos, _) = key_layout(avail);
    for (k, (label, (dx, row))) in KEY.iter().zip(pos).enumerate() {
        let (x, y) = (x0 + dx, y0 + row as f64 * 20.0);
        match k {
            0 => {
                s.rect(
                    x,
                    y - 7.0,
                    14.0,
                    14.0,
                    c,
                    " fill-opacity=\"0.22\" stroke=\"#595959\" stroke-width=\"1.5\"",
                );
                s.line(x, y, x + 14.0, y, c, 3.0, "");
            }
            1 => s.raw(&format!(
                "<path d=\"M{a} {t}L{a} {b}M{l} {t}L{r} {t}M{l} {b}L{r} {b}\" stroke=\"{c}\" stroke-width=\"1.5\" fill=\"none\"/>\n",
                a = f2(x + 7.0),
                t = f2(y - 7.0),
                b = f2(y + 7.0),
                l = f2(x + 4.0),
                r = f2(x + 10.0)
            )),
            2 => s.raw(&format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"2.75\" fill=\"#ffffff\" stroke=\"{c}\" stroke-width=\"1.25\"/>\n",
                f2(x + 7.0),
                f2(y)
            )),
            _ => {
                let mut d = String::new();
                write_diamond(&mut d, x + 7.0, y);
                d.push('\n');
                s.raw(&d);
            }
        }
        s.text(x + 20.0, y + 4.0, label, st);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::parse;

    fn sample() -> DistributionChart {
        let mk = crate::samples::summary;
        DistributionChart::new("Outcomes by doctrine")
            .panel(
                DistributionPanel::new("Agreement with China")
                    .y_range(0.0, 1.0)
                    .group("Hedge", mk(0.7, 0.05))
                    .group("Balance", mk(0.5, 0.1)),
            )
            .panel(
                DistributionPanel::new("Aid received")
                    .y_label("USD bn")
                    .group("Balance", mk(3.0, 1.0))
                    .group("Hedge", mk(2.0, 0.5))
                    .group("Bandwagon & co", mk(4.0, 2.0)),
            )
            .panel(DistributionPanel::new("Empty outcome"))
    }

    #[test]
    fn well_formed_panels_and_key() {
        let svg = sample().to_svg();
        let doc = parse(&svg);
        assert_eq!(
            doc.descendants()
                .filter(|n| n.attribute("class") == Some("panel"))
                .count(),
            3
        );
        assert!(svg.contains("whiskers: 5th–95th percentile"));
        assert!(svg.contains("Bandwagon &amp; co"));
        // "Hedge" has the same colour in both panels.
        let hedge: Vec<&str> = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name("g")
                    && n.first_child()
                        .and_then(|t| t.text())
                        .is_some_and(|t| t.starts_with("Hedge:"))
            })
            .map(|g| {
                g.children()
                    .find(|n| n.has_tag_name("rect"))
                    .unwrap()
                    .attribute("fill")
                    .unwrap()
            })
            .collect();
        assert_eq!(hedge.len(), 2);
        assert_eq!(hedge[0], hedge[1]);
    }

    #[test]
    fn summary_from_samples() {
        let s = Summary::from_samples(&[5.0, 1.0, 3.0, 2.0, 4.0, f64::NAN]).unwrap();
        assert_eq!((s.min, s.median, s.max, s.mean), (1.0, 3.0, 5.0, 3.0));
        assert_eq!(s.p25, 2.0);
        assert!((s.p5 - 1.2).abs() < 1e-12);
        assert!(Summary::from_samples(&[]).is_none());
        let one = Summary::from_samples(&[7.0]).unwrap();
        assert_eq!(one.p95, 7.0);
    }

    #[test]
    fn empty_and_deterministic() {
        let svg = DistributionChart::new("nothing").to_svg();
        parse(&svg);
        assert!(svg.contains("No data"));
        assert_eq!(sample().to_svg(), sample().to_svg());
    }
}
