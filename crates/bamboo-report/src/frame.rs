//! The shared x/y plot frame used by [`crate::LineChart`] and
//! [`crate::FanChart`]: layout, grid, axes, annotations and legend.

use std::fmt::Write as _;

use crate::svg::{self, f2, Anchor, Svg, TextStyle, AXIS, GRID, INK_SOFT};
use crate::text;
use crate::ticks::{nice_domain, nice_ticks, widen_if_flat, Scale, Ticks};

/// A reference drawn behind the data of a [`crate::LineChart`] or
/// [`crate::FanChart`].
#[derive(Debug, Clone, PartialEq)]
pub enum Annotation {
    /// A shaded horizontal band between two y values, e.g. a "tolerated
    /// lean" zone, with an optional short label drawn inside it.
    Band {
        /// Lower edge (y units).
        from: f64,
        /// Upper edge (y units).
        to: f64,
        /// Label drawn at the band's top-left corner.
        label: Option<String>,
    },
    /// A dashed horizontal reference line, e.g. a threshold.
    HLine {
        /// Position (y units).
        y: f64,
        /// Label drawn above the line at its right end.
        label: Option<String>,
    },
    /// A vertical event marker, e.g. `2008 CSP China`. The label is drawn
    /// above the plot area (staggered onto extra rows when labels collide).
    Event {
        /// Position (x units, e.g. a year).
        x: f64,
        /// Short label.
        label: String,
    },
}

impl Annotation {
    /// A shaded band between `from` and `to` (order does not matter).
    pub fn band(from: f64, to: f64, label: impl Into<String>) -> Self {
        let label = label.into();
        Annotation::Band {
            from,
            to,
            label: (!label.is_empty()).then_some(label),
        }
    }

    /// A horizontal reference line at `y`.
    pub fn hline(y: f64, label: impl Into<String>) -> Self {
        let label = label.into();
        Annotation::HLine {
            y,
            label: (!label.is_empty()).then_some(label),
        }
    }

    /// A vertical event marker at `x` with a short label.
    pub fn event(x: f64, label: impl Into<String>) -> Self {
        Annotation::Event {
            x,
            label: label.into(),
        }
    }

    /// The y values this annotation wants visible (for automatic y ranges).
    pub(crate) fn y_extent(&self) -> Vec<f64> {
        match self {
            Annotation::Band { from, to, .. } => vec![*from, *to],
            Annotation::HLine { y, .. } => vec![*y],
            Annotation::Event { .. } => vec![],
        }
        .into_iter()
        .filter(|v| v.is_finite())
        .collect()
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Annotation::Band { from, to, label } => format!(
                "shaded band from {} to {}{}",
                svg::fmt_value(from.min(*to), 2),
                svg::fmt_value(from.max(*to), 2),
                label
                    .as_ref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default()
            ),
            Annotation::HLine { y, label } => format!(
                "reference line at {}{}",
                svg::fmt_value(*y, 2),
                label
                    .as_ref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default()
            ),
            Annotation::Event { x, label } => {
                format!("event at {}: {label}", svg::fmt_value(*x, 2))
            }
        }
    }
}

/// What a legend entry's swatch looks like.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// Series `i`: its colour, dash and marker.
    Line(usize),
    /// Fan group `i`: outer and inner band plus median line.
    Fan(usize),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub(crate) struct LegendEntry {
    pub label: String,
    pub swatch: Swatch,
}

/// The widest an event label may be before it is shortened (room for a label such as
/// `largest lean 0.72 toward CHN (1989-1991)`; labels that would overrun are flipped
/// left of their marker or stacked into rows).
const EVENT_LABEL_MAX: f64 = 320.0;
const PAD: f64 = 16.0;
const SWATCH_W: f64 = 30.0;
const ENTRY_H: f64 = 20.0;
const LEGEND_LABEL_MAX: f64 = 190.0;
const TICK_FONT: f64 = 12.0;
const AXIS_FONT: f64 = 13.0;
const NOTE_FONT: f64 = 11.0;
const EVENT_ROW_H: f64 = 15.0;

/// Everything the frame needs to lay itself out.
pub(crate) struct FrameSpec<'a> {
    pub kind: &'static str,
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub width: f64,
    pub height: f64,
    pub x_domain: (f64, f64),
    pub x_integer: bool,
    pub y_domain: (f64, f64),
    /// When true the y domain is used as given; otherwise it is extended to
    /// nice ticks.
    pub y_fixed: bool,
    pub annotations: &'a [Annotation],
    pub legend: &'a [LegendEntry],
    pub legend_notes: &'a [String],
    pub desc: String,
}

/// A laid-out frame with its document; the chart draws data into `svg`
/// between [`Frame::begin`] and [`Frame::finish`].
pub(crate) struct Frame {
    pub svg: Svg,
    pub x: Scale,
    pub y: Scale,
    /// `clip-path="url(#…)"` attribute clipping to the plot area.
    pub clip: String,
    legend_at: LegendPlacement,
    /// Band and reference-line labels, drawn over the data in `finish`.
    labels: Vec<(f64, f64, String, Anchor)>,
}

#[derive(Debug, Clone, Copy)]
enum LegendPlacement {
    None,
    Right { x: f64, y: f64, w: f64 },
    Below { x: f64, y: f64, w: f64 },
}

struct Layout {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x_dom: (f64, f64),
    y_dom: (f64, f64),
    x_ticks: Ticks,
    y_ticks: Ticks,
    legend_at: LegendPlacement,
    /// (x pixel, label, row, anchor) for each visible event.
    events: Vec<(f64, String, usize, Anchor)>,
    event_rows: usize,
}

/// Legend label for a legend below the plot, where the full width is free.
fn below_label(l: &str, avail: f64) -> String {
    text::truncate(l, (avail - SWATCH_W - 30.0).max(40.0), 12.0)
}

fn legend_label(l: &str) -> String {
    text::truncate(l, LEGEND_LABEL_MAX, 12.0)
}

fn legend_right_width(spec: &FrameSpec<'_>) -> f64 {
    let lw = spec
        .legend
        .iter()
        .map(|e| text::width(&legend_label(&e.label), 12.0))
        .fold(0.0, f64::max);
    let w = SWATCH_W + 8.0 + lw;
    if spec.legend_notes.is_empty() {
        w
    } else {
        w.max(150.0)
    }
}

fn notes_lines(spec: &FrameSpec<'_>, w: f64) -> Vec<String> {
    spec.legend_notes
        .iter()
        .flat_map(|n| text::wrap(n, w, NOTE_FONT, false))
        .collect()
}

/// Height of the legend when placed below the plot in `avail` px width.
fn legend_below_height(spec: &FrameSpec<'_>, avail: f64) -> f64 {
    if spec.legend.is_empty() && spec.legend_notes.is_empty() {
        return 0.0;
    }
    let rows = flow_rows(spec, avail).len() as f64;
    let notes = notes_lines(spec, avail).len() as f64;
    rows * ENTRY_H + notes * 14.0 + 8.0
}

/// Entries per row for a legend below the plot.
fn flow_rows(spec: &FrameSpec<'_>, avail: f64) -> Vec<Vec<(usize, f64)>> {
    let mut rows: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut used = f64::INFINITY;
    for (i, e) in spec.legend.iter().enumerate() {
        let w = SWATCH_W + 8.0 + text::width(&below_label(&e.label, avail), 12.0) + 22.0;
        if used + w > avail && used > 0.0 {
            rows.push(Vec::new());
            used = 0.0;
        }
        if let Some(r) = rows.last_mut() {
            r.push((i, used));
        }
        used += w;
    }
    rows
}

fn layout(spec: &FrameSpec<'_>, assumed_rows: usize) -> Layout {
    let mut width = spec.width.max(320.0);
    let mut height = spec.height.max(240.0);
    let title_h = svg::title_block_height(width - 2.0 * PAD, spec.title, spec.subtitle);

    // Legend placement: right unless it would eat more than 30 % of the width.
    let has_legend = !spec.legend.is_empty() || !spec.legend_notes.is_empty();
    let right_w = legend_right_width(spec);
    let legend_right = has_legend && right_w <= width * 0.3;
    let right = if legend_right {
        width - PAD - right_w - 20.0
    } else {
        width - PAD - 14.0
    };
    let legend_h = if has_legend && !legend_right {
        legend_below_height(spec, width - 2.0 * PAD)
    } else {
        0.0
    };
    let top = PAD + title_h + assumed_rows as f64 * EVENT_ROW_H + 10.0;
    let x_axis_h = if spec.x_label.is_empty() { 24.0 } else { 46.0 };
    let mut bottom = height - PAD - x_axis_h - legend_h;
    let min_plot_h = 160.0;
    if bottom - top < min_plot_h {
        height += min_plot_h - (bottom - top);
        bottom = top + min_plot_h;
    }
    if legend_right {
        let needed = spec.legend.len() as f64 * ENTRY_H
            + notes_lines(spec, right_w).len() as f64 * 14.0
            + 12.0;
        if top + needed > height - PAD {
            height = top + needed + PAD;
        }
    }

    // Y ticks depend on the plot height only.
    let plot_h = bottom - top;
    let y_max_ticks = ((plot_h / 42.0).floor() as usize).clamp(2, 10);
    let (y_dom, y_ticks) = if spec.y_fixed {
        let (a, b) = widen_if_flat(spec.y_domain.0, spec.y_domain.1, false);
        ((a, b), nice_ticks(a, b, y_max_ticks, false))
    } else {
        let (a, b, t) = nice_domain(spec.y_domain.0, spec.y_domain.1, y_max_ticks);
        ((a, b), t)
    };
    let y_label_w = y_ticks
        .labels()
        .iter()
        .map(|l| text::width(l, TICK_FONT))
        .fold(0.0, f64::max);
    let y_title_w = if spec.y_label.is_empty() {
        0.0
    } else {
        AXIS_FONT + 10.0
    };
    let left = PAD + y_title_w + y_label_w + 10.0;
    if right - left < 120.0 {
        width += 120.0 - (right - left);
    }
    let right = if legend_right {
        width - PAD - right_w - 20.0
    } else {
        width - PAD - 14.0
    };

    // X ticks: as many as fit without labels touching.
    let x_dom = widen_if_flat(spec.x_domain.0, spec.x_domain.1, spec.x_integer);
    let plot_w = right - left;
    let mut n = 12usize;
    let x_ticks = loop {
        let t = nice_ticks(x_dom.0, x_dom.1, n, spec.x_integer);
        let lw = t
            .labels()
            .iter()
            .map(|l| text::width(l, TICK_FONT))
            .fold(0.0, f64::max);
        let span = x_dom.1 - x_dom.0;
        let step_px = if t.values.len() > 1 && span.is_finite() && span > 0.0 {
            plot_w * t.step / span
        } else {
            f64::INFINITY
        };
        if step_px >= lw + 12.0 || n <= 2 {
            break t;
        }
        n -= 1;
    };

    // Event labels: staggered rows above the plot.
    let xs = Scale::new(x_dom.0, x_dom.1, left, right);
    let mut evs: Vec<(f64, &str)> = spec
        .annotations
        .iter()
        .filter_map(|a| match a {
            Annotation::Event { x, label } if x.is_finite() => {
                let u = xs.unit(*x);
                (-1e-9..=1.0 + 1e-9)
                    .contains(&u)
                    .then(|| (xs.map(*x), label.as_str()))
            }
            _ => None,
        })
        .collect();
    evs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut row_ends: Vec<f64> = Vec::new();
    let mut events = Vec::new();
    for (px, label) in evs {
        let label = text::truncate(label, EVENT_LABEL_MAX, NOTE_FONT);
        let w = text::width(&label, NOTE_FONT);
        let (x0, x1, anchor) = if px + 3.0 + w <= width - PAD {
            (px - 3.0, px + 3.0 + w, Anchor::Start)
        } else {
            (px - 3.0 - w, px + 3.0, Anchor::End)
        };
        let row = match row_ends.iter().position(|&end| end + 8.0 <= x0) {
            Some(r) => r,
            None => {
                row_ends.push(f64::NEG_INFINITY);
                row_ends.len() - 1
            }
        };
        row_ends[row] = x1;
        events.push((px, label, row, anchor));
    }
    let event_rows = row_ends.len();

    let legend_at = if !has_legend {
        LegendPlacement::None
    } else if legend_right {
        LegendPlacement::Right {
            x: width - PAD - right_w,
            y: top,
            w: right_w,
        }
    } else {
        LegendPlacement::Below {
            x: PAD,
            y: bottom + x_axis_h + 6.0,
            w: width - 2.0 * PAD,
        }
    };

    Layout {
        width,
        height,
        left,
        right,
        top,
        bottom,
        x_dom,
        y_dom,
        x_ticks,
        y_ticks,
        legend_at,
        events,
        event_rows,
    }
}

/// The layout, redone with room for the event-label rows above the plot until the
/// number of rows settles (at most three more passes).
fn settled_layout(spec: &FrameSpec<'_>) -> Layout {
    let mut l = layout(spec, 0);
    for _ in 0..3 {
        if l.event_rows == 0 {
            break;
        }
        let again = layout(spec, l.event_rows);
        let stable = again.event_rows <= l.event_rows;
        l = again;
        if stable {
            break;
        }
    }
    l
}

/// Grid lines at every tick.
fn draw_grid(s: &mut Svg, l: &Layout, xs: &Scale, ys: &Scale) {
    s.raw("<g class=\"grid\">\n");
    for &v in &l.y_ticks.values {
        let py = ys.map(v);
        s.line(l.left, py, l.right, py, GRID, 1.0, "");
    }
    for &v in &l.x_ticks.values {
        let px = xs.map(v);
        s.line(px, l.top, px, l.bottom, GRID, 1.0, "");
    }
    s.raw("</g>\n");
}

/// Bands and reference lines, behind the data. Returns their labels, which
/// [`Frame::finish`] draws on top.
fn draw_references(
    s: &mut Svg,
    spec: &FrameSpec<'_>,
    l: &Layout,
    ys: &Scale,
) -> Vec<(f64, f64, String, Anchor)> {
    let pw = l.right - l.left;
    let mut labels = Vec::new();
    for a in spec.annotations {
        match a {
            Annotation::Band { from, to, label } if from.is_finite() && to.is_finite() => {
                let (y0, y1) = (ys.map(from.max(*to)), ys.map(from.min(*to)));
                let (y0c, y1c) = (y0.max(l.top), y1.min(l.bottom));
                if y1c > y0c {
                    s.rect(
                        l.left,
                        y0c,
                        pw,
                        y1c - y0c,
                        "#7f7f7f",
                        " fill-opacity=\"0.13\"",
                    );
                    if let Some(label) = label {
                        let label = text::truncate(label, pw - 12.0, NOTE_FONT);
                        let ty = if y1c - y0c >= 18.0 {
                            y0c + 13.0
                        } else {
                            y0c - 4.0
                        };
                        labels.push((l.left + 6.0, ty, label, Anchor::Start));
                    }
                }
            }
            Annotation::HLine { y, label } if y.is_finite() => {
                let py = ys.map(*y);
                if py >= l.top - 0.5 && py <= l.bottom + 0.5 {
                    s.line(
                        l.left,
                        py,
                        l.right,
                        py,
                        "#595959",
                        1.2,
                        " stroke-dasharray=\"5 4\"",
                    );
                    if let Some(label) = label {
                        let label = text::truncate(label, pw - 12.0, NOTE_FONT);
                        labels.push((l.right - 4.0, py - 4.0, label, Anchor::End));
                    }
                }
            }
            _ => {}
        }
    }
    labels
}

/// Event markers: a dashed vertical line each, labelled in its row above the plot.
fn draw_events(s: &mut Svg, l: &Layout) {
    for (px, label, row, anchor) in &l.events {
        let ty = l.top - 6.0 - (l.event_rows - 1 - row) as f64 * EVENT_ROW_H;
        s.line(
            *px,
            ty + 3.0,
            *px,
            l.bottom,
            "#595959",
            1.0,
            " stroke-dasharray=\"3 3\"",
        );
        let tx = if *anchor == Anchor::Start {
            px + 3.0
        } else {
            px - 3.0
        };
        s.text(
            tx,
            ty,
            label,
            TextStyle::new(NOTE_FONT).fill(INK_SOFT).anchor(*anchor),
        );
    }
}

/// Axes, ticks, tick labels and axis titles.
fn draw_axes(s: &mut Svg, spec: &FrameSpec<'_>, l: &Layout, xs: &Scale, ys: &Scale) {
    let (pw, ph) = (l.right - l.left, l.bottom - l.top);
    s.raw("<g class=\"axes\">\n");
    s.line(l.left, l.bottom, l.right, l.bottom, AXIS, 1.0, "");
    s.line(l.left, l.top, l.left, l.bottom, AXIS, 1.0, "");
    for (v, lab) in l.y_ticks.values.iter().zip(l.y_ticks.labels()) {
        let py = ys.map(*v);
        s.line(l.left - 4.0, py, l.left, py, AXIS, 1.0, "");
        s.text(
            l.left - 7.0,
            py + 4.0,
            &lab,
            TextStyle::new(TICK_FONT).anchor(Anchor::End).fill(INK_SOFT),
        );
    }
    for (v, lab) in l.x_ticks.values.iter().zip(l.x_ticks.labels()) {
        let px = xs.map(*v);
        s.line(px, l.bottom, px, l.bottom + 4.0, AXIS, 1.0, "");
        s.text(
            px,
            l.bottom + 18.0,
            &lab,
            TextStyle::new(TICK_FONT)
                .anchor(Anchor::Middle)
                .fill(INK_SOFT),
        );
    }
    if !spec.x_label.is_empty() {
        let lab = text::truncate(spec.x_label, pw, AXIS_FONT);
        s.text(
            (l.left + l.right) / 2.0,
            l.bottom + 40.0,
            &lab,
            TextStyle::new(AXIS_FONT).anchor(Anchor::Middle),
        );
    }
    if !spec.y_label.is_empty() {
        let lab = text::truncate(spec.y_label, ph, AXIS_FONT);
        s.text(
            PAD + AXIS_FONT - 2.0,
            (l.top + l.bottom) / 2.0,
            &lab,
            TextStyle::new(AXIS_FONT)
                .anchor(Anchor::Middle)
                .rotate(-90.0),
        );
    }
    s.raw("</g>\n");
}

impl Frame {
    /// Lays out and draws title, grid, bands, reference lines, event markers
    /// and axes; the caller then draws data (clipped with `self.clip`) and
    /// calls [`Frame::finish`].
    pub(crate) fn begin(spec: &FrameSpec<'_>) -> Frame {
        let l = settled_layout(spec);
        let id = svg::id_prefix(spec.kind, spec.title, &spec.desc);
        let mut s = Svg::new(l.width, l.height, &id, spec.title, &spec.desc);
        svg::title_block(
            &mut s,
            PAD,
            PAD - 4.0,
            l.width - 2.0 * PAD,
            spec.title,
            spec.subtitle,
        );

        let xs = Scale::new(l.x_dom.0, l.x_dom.1, l.left, l.right);
        let ys = Scale::new(l.y_dom.0, l.y_dom.1, l.bottom, l.top);
        let (pw, ph) = (l.right - l.left, l.bottom - l.top);
        let _ = writeln!(
            s.buf(),
            "<defs><clipPath id=\"{id}-clip\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath></defs>",
            f2(l.left),
            f2(l.top - 1.0),
            f2(pw),
            f2(ph + 2.0)
        );
        let clip = format!(" clip-path=\"url(#{id}-clip)\"");
        // The plot's scales, for a reader that draws over the chart (the dashboard's
        // interval bands and point targets): x maps x-domain onto x-range, y likewise.
        let _ = writeln!(
            s.buf(),
            "<g class=\"plot-area\" data-x-domain=\"{} {}\" data-x-range=\"{} {}\" data-y-domain=\"{} {}\" data-y-range=\"{} {}\"/>",
            l.x_dom.0,
            l.x_dom.1,
            f2(l.left),
            f2(l.right),
            l.y_dom.0,
            l.y_dom.1,
            f2(l.bottom),
            f2(l.top)
        );
        draw_grid(&mut s, &l, &xs, &ys);
        let labels = draw_references(&mut s, spec, &l, &ys);
        draw_events(&mut s, &l);
        draw_axes(&mut s, spec, &l, &xs, &ys);
        Frame {
            svg: s,
            x: xs,
            y: ys,
            clip,
            legend_at: l.legend_at,
            labels,
        }
    }

    /// Draws band/reference-line labels over the data, then the legend, and
    /// closes the document.
    pub(crate) fn finish(mut self, spec: &FrameSpec<'_>) -> String {
        let s = &mut self.svg;
        for (x, y, label, anchor) in &self.labels {
            s.text(
                *x,
                *y,
                label,
                TextStyle::new(NOTE_FONT)
                    .fill(INK_SOFT)
                    .anchor(*anchor)
                    .halo(),
            );
        }
        match self.legend_at {
            LegendPlacement::None => {}
            LegendPlacement::Right { x, y, w } => {
                s.raw("<g class=\"legend\">\n");
                let mut cy = y + 10.0;
                for e in spec.legend {
                    swatch(s, e.swatch, x, cy);
                    s.text(
                        x + SWATCH_W + 8.0,
                        cy + 4.0,
                        &legend_label(&e.label),
                        TextStyle::new(12.0),
                    );
                    cy += ENTRY_H;
                }
                cy += 4.0;
                for line in notes_lines(spec, w) {
                    s.text(x, cy + 4.0, &line, TextStyle::new(NOTE_FONT).fill(INK_SOFT));
                    cy += 14.0;
                }
                s.raw("</g>\n");
            }
            LegendPlacement::Below { x, y, w } => {
                s.raw("<g class=\"legend\">\n");
                let rows = flow_rows(spec, w);
                let mut cy = y + 10.0;
                for row in &rows {
                    for &(i, off) in row {
                        let e = &spec.legend[i];
                        swatch(s, e.swatch, x + off, cy);
                        s.text(
                            x + off + SWATCH_W + 8.0,
                            cy + 4.0,
                            &below_label(&e.label, w),
                            TextStyle::new(12.0),
                        );
                    }
                    cy += ENTRY_H;
                }
                for line in notes_lines(spec, w) {
                    s.text(x, cy + 4.0, &line, TextStyle::new(NOTE_FONT).fill(INK_SOFT));
                    cy += 14.0;
                }
                s.raw("</g>\n");
            }
        }
        self.svg.finish()
    }
}

/// Draws a legend swatch whose left edge is `x`, vertically centred on `cy`.
fn swatch(s: &mut Svg, sw: Swatch, x: f64, cy: f64) {
    match sw {
        Swatch::Line(i) => {
            let c = svg::colour(i);
            s.line(
                x,
                cy,
                x + SWATCH_W,
                cy,
                c,
                2.25,
                &format!("{} stroke-linecap=\"butt\"", svg::dash_attr(i)),
            );
            svg::write_marker(s.buf(), svg::marker(i), x + SWATCH_W / 2.0, cy, 3.75, c);
            s.raw("\n");
        }
        Swatch::Fan(i) => {
            let c = svg::colour(i);
            s.rect(x, cy - 8.0, SWATCH_W, 16.0, c, " fill-opacity=\"0.16\"");
            s.rect(x, cy - 4.5, SWATCH_W, 9.0, c, " fill-opacity=\"0.32\"");
            s.line(x, cy, x + SWATCH_W, cy, c, 2.25, &svg::dash_attr(i));
        }
    }
}
