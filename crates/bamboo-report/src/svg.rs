//! Low-level SVG writing shared by all charts: escaping, fixed-decimal number
//! formatting, the accessible document shell, palette, dashes and markers.

use std::fmt::Write as _;

/// Sans-serif font stack used by every chart.
pub(crate) const FONT_STACK: &str =
    "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', system-ui, sans-serif";

/// Main text colour (near-black, high contrast on white).
pub(crate) const INK: &str = "#1a1a1a";
/// Secondary text colour (axis labels, subtitles); ≥ 7:1 contrast on white.
pub(crate) const INK_SOFT: &str = "#4d4d4d";
/// Grid line colour.
pub(crate) const GRID: &str = "#e3e3e3";
/// Axis line colour.
pub(crate) const AXIS: &str = "#8c8c8c";

/// The Okabe–Ito colour-blind-safe palette, ordered so that the first colours
/// contrast well on white (yellow, the weakest on white, comes last).
pub const PALETTE: [&str; 8] = [
    "#0072B2", // blue
    "#D55E00", // vermillion
    "#009E73", // bluish green
    "#CC79A7", // reddish purple
    "#E69F00", // orange
    "#56B4E9", // sky blue
    "#000000", // black
    "#F0E442", // yellow
];

/// Dash patterns paired with the palette so series differ without colour.
pub(crate) const DASHES: [&str; 6] = ["", "7 4", "2 3", "10 3 2 3", "4 2", "12 3 2 3 2 3"];

/// Colour for series `i`.
pub(crate) fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Dash pattern for series `i` (empty = solid).
pub(crate) fn dash(i: usize) -> &'static str {
    DASHES[i % DASHES.len()]
}

/// ` stroke-dasharray="…"` attribute for series `i`, or nothing when solid.
pub(crate) fn dash_attr(i: usize) -> String {
    let d = dash(i);
    if d.is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{d}\"")
    }
}

/// Marker shapes, cycled per series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
    Cross,
}

const MARKERS: [Marker; 6] = [
    Marker::Circle,
    Marker::Square,
    Marker::TriangleUp,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Cross,
];

/// Marker shape for series `i`.
pub(crate) fn marker(i: usize) -> Marker {
    MARKERS[i % MARKERS.len()]
}

/// Appends a marker of `shape` centred on (x, y) with half-size `r`.
pub(crate) fn write_marker(out: &mut String, shape: Marker, x: f64, y: f64, r: f64, fill: &str) {
    let (xs, ys) = (f2(x), f2(y));
    match shape {
        Marker::Circle => {
            let _ = write!(
                out,
                "<circle cx=\"{xs}\" cy=\"{ys}\" r=\"{}\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
                f2(r)
            );
        }
        Marker::Square => {
            let s = r * 0.9;
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
                f2(x - s),
                f2(y - s),
                f2(2.0 * s),
                f2(2.0 * s)
            );
        }
        Marker::TriangleUp | Marker::TriangleDown => {
            let k = if shape == Marker::TriangleUp {
                1.0
            } else {
                -1.0
            };
            let r = r * 1.15;
            let _ = write!(
                out,
                "<path d=\"M{} {}L{} {}L{} {}Z\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
                f2(x),
                f2(y - k * r),
                f2(x + r * 0.95),
                f2(y + k * r * 0.7),
                f2(x - r * 0.95),
                f2(y + k * r * 0.7)
            );
        }
        Marker::Diamond => {
            let r = r * 1.2;
            let _ = write!(
                out,
                "<path d=\"M{} {}L{} {}L{} {}L{} {}Z\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
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
        Marker::Cross => {
            let _ = write!(
                out,
                "<path d=\"M{} {}L{} {}M{} {}L{} {}\" stroke=\"{fill}\" stroke-width=\"2\" fill=\"none\"/>",
                f2(x - r),
                f2(y - r),
                f2(x + r),
                f2(y + r),
                f2(x - r),
                f2(y + r),
                f2(x + r),
                f2(y - r)
            );
        }
    }
}

/// Escapes text for XML content and attribute values. Characters that XML 1.0
/// forbids (most C0 controls, U+FFFE, U+FFFF) become U+FFFD.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Formats a coordinate with exactly two decimals. Non-finite values become
/// `0.00`, magnitudes are clamped to ±10⁷ px and `-0.00` is normalised.
pub(crate) fn f2(v: f64) -> String {
    let v = if v.is_finite() {
        v.clamp(-1e7, 1e7)
    } else {
        0.0
    };
    let s = format!("{v:.2}");
    if s == "-0.00" {
        "0.00".to_string()
    } else {
        s
    }
}

/// Formats a data value for human-readable text (descriptions, tooltips).
pub(crate) fn fmt_value(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e9).contains(&a) {
        return format!("{v:.2e}");
    }
    if v.fract() == 0.0 {
        return format!("{v:.0}");
    }
    fmt_fixed(v, decimals)
}

/// Formats a data value with exactly `decimals` decimals (scientific notation
/// from 10⁹ up); `-0.00` is normalised to `0.00`.
pub(crate) fn fmt_fixed(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    if v.abs() >= 1e9 {
        return format!("{v:.2e}");
    }
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_string()
    } else {
        s
    }
}

/// A deterministic element-id prefix derived from the chart kind, title and
/// description (FNV-1a; the description summarises the data), so several
/// charts can be inlined into one HTML page without clashing ids.
pub(crate) fn id_prefix(kind: &str, title: &str, desc: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in kind
        .bytes()
        .chain([0u8])
        .chain(title.bytes())
        .chain([0u8])
        .chain(desc.bytes())
    {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{kind}-{h:08x}")
}

/// Text anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// Style of a text element.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextStyle {
    pub size: f64,
    pub anchor: Anchor,
    pub bold: bool,
    pub fill: &'static str,
    /// Rotation in degrees about the anchor point.
    pub rotate: f64,
    /// White outline behind the glyphs, for labels drawn over data.
    pub halo: bool,
}

impl TextStyle {
    pub(crate) fn new(size: f64) -> Self {
        TextStyle {
            size,
            anchor: Anchor::Start,
            bold: false,
            fill: INK,
            rotate: 0.0,
            halo: false,
        }
    }
    pub(crate) fn anchor(mut self, a: Anchor) -> Self {
        self.anchor = a;
        self
    }
    pub(crate) fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    pub(crate) fn fill(mut self, f: &'static str) -> Self {
        self.fill = f;
        self
    }
    pub(crate) fn rotate(mut self, deg: f64) -> Self {
        self.rotate = deg;
        self
    }
    pub(crate) fn halo(mut self) -> Self {
        self.halo = true;
        self
    }
}

/// An SVG document under construction.
pub(crate) struct Svg {
    out: String,
}

impl Svg {
    /// Starts a document with the accessible shell: `role="img"`,
    /// `aria-labelledby` pointing at `<title>` and `<desc>`, a viewBox and a
    /// white background.
    pub(crate) fn new(width: f64, height: f64, id: &str, title: &str, desc: &str) -> Svg {
        let mut out = String::with_capacity(16 * 1024);
        let (w, h) = (f2(width), f2(height));
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"{FONT_STACK}\">\n\
             <title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n\
             <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
            xml_escape(title),
            xml_escape(desc)
        );
        Svg { out }
    }

    /// Appends raw, already-escaped markup.
    pub(crate) fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Mutable access to the buffer, for `write!`.
    pub(crate) fn buf(&mut self) -> &mut String {
        &mut self.out
    }

    /// Appends a text element (content is escaped here).
    pub(crate) fn text(&mut self, x: f64, y: f64, content: &str, st: TextStyle) {
        let (xs, ys) = (f2(x), f2(y));
        let _ = write!(
            self.out,
            "<text x=\"{xs}\" y=\"{ys}\" font-size=\"{}\" fill=\"{}\"",
            f2(st.size),
            st.fill
        );
        if st.anchor != Anchor::Start {
            let _ = write!(self.out, " text-anchor=\"{}\"", st.anchor.as_str());
        }
        if st.bold {
            self.out.push_str(" font-weight=\"bold\"");
        }
        if st.halo {
            self.out
                .push_str(" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"");
        }
        if st.rotate != 0.0 {
            let _ = write!(
                self.out,
                " transform=\"rotate({} {xs} {ys})\"",
                f2(st.rotate)
            );
        }
        let _ = writeln!(self.out, ">{}</text>", xml_escape(content));
    }

    /// Appends a straight line.
    #[allow(clippy::too_many_arguments)] // plain coordinates read best at call sites
    pub(crate) fn line(
        &mut self,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        stroke: &str,
        width: f64,
        extra: &str,
    ) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"{extra}/>",
            f2(x1),
            f2(y1),
            f2(x2),
            f2(y2),
            f2(width)
        );
    }

    /// Appends a rectangle.
    pub(crate) fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, extra: &str) {
        let _ = writeln!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{extra}/>",
            f2(x),
            f2(y),
            f2(w.max(0.0)),
            f2(h.max(0.0))
        );
    }

    /// Closes the document and returns it.
    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// Title block shared by all charts: wrapped bold title plus optional grey
/// subtitle. Returns the y coordinate just below the block.
pub(crate) fn title_block(
    svg: &mut Svg,
    x: f64,
    top: f64,
    max_w: f64,
    title: &str,
    subtitle: Option<&str>,
) -> f64 {
    let mut y = top;
    for line in crate::text::wrap(title, max_w, 18.0, true) {
        y += 22.0;
        svg.text(x, y - 4.0, &line, TextStyle::new(18.0).bold());
    }
    if let Some(sub) = subtitle {
        for line in crate::text::wrap(sub, max_w, 12.0, false) {
            y += 17.0;
            svg.text(x, y - 3.0, &line, TextStyle::new(12.0).fill(INK_SOFT));
        }
    }
    y + 6.0
}

/// Height that [`title_block`] will take.
pub(crate) fn title_block_height(max_w: f64, title: &str, subtitle: Option<&str>) -> f64 {
    let n_title = crate::text::wrap(title, max_w, 18.0, true).len() as f64;
    let n_sub = subtitle.map_or(0, |s| crate::text::wrap(s, max_w, 12.0, false).len()) as f64;
    n_title * 22.0 + n_sub * 17.0 + 6.0
}

/// Writes a centred "No data" message for an empty chart and returns the
/// finished document.
pub(crate) fn empty_chart(kind: &str, title: &str, subtitle: Option<&str>, what: &str) -> String {
    let (w, h) = (640.0, 360.0);
    let desc = format!("{what} with no data to plot.");
    let id = id_prefix(kind, title, &desc);
    let mut svg = Svg::new(w, h, &id, title, &desc);
    let below = title_block(&mut svg, 16.0, 12.0, w - 32.0, title, subtitle);
    svg.rect(
        16.0,
        below + 8.0,
        w - 32.0,
        h - below - 24.0,
        "#fafafa",
        " stroke=\"#d0d0d0\" stroke-width=\"1\"",
    );
    svg.text(
        w / 2.0,
        (below + h) / 2.0,
        "No data",
        TextStyle::new(16.0).anchor(Anchor::Middle).fill(INK_SOFT),
    );
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            xml_escape("A & B <c> \"d\" 'e'"),
            "A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos;"
        );
        assert_eq!(xml_escape("a\u{0}b"), "a\u{FFFD}b");
        assert_eq!(xml_escape("Côte d’Ivoire"), "Côte d’Ivoire");
    }

    #[test]
    fn f2_is_fixed_and_normalised() {
        assert_eq!(f2(1.0), "1.00");
        assert_eq!(f2(-0.001), "0.00");
        assert_eq!(f2(f64::NAN), "0.00");
        assert_eq!(f2(1e300), "10000000.00");
        assert_eq!(f2(2.345678), "2.35");
    }

    #[test]
    fn values_format_readably() {
        assert_eq!(fmt_value(1977.0, 2), "1977");
        assert_eq!(fmt_value(0.456, 2), "0.46");
        assert_eq!(fmt_value(-0.0001, 2), "0.00");
        assert_eq!(fmt_value(1e12, 2), "1.00e12");
        assert_eq!(fmt_value(f64::NAN, 2), "n/a");
        assert_eq!(fmt_fixed(2.9e-10, 2), "0.00");
        assert_eq!(fmt_fixed(-2.9e-10, 2), "0.00");
        assert_eq!(fmt_fixed(1.0, 2), "1.00");
        assert_eq!(fmt_fixed(3e12, 2), "3.00e12");
    }

    #[test]
    fn id_prefix_is_stable_and_distinct() {
        assert_eq!(id_prefix("line", "a", "d"), id_prefix("line", "a", "d"));
        assert_ne!(id_prefix("line", "a", "d"), id_prefix("line", "b", "d"));
        assert_ne!(id_prefix("line", "a", "d"), id_prefix("heat", "a", "d"));
        assert_ne!(id_prefix("line", "a", "d"), id_prefix("line", "a", "e"));
    }
}
