//! Placing finished charts side by side, or in a grid of small multiples, in one SVG
//! document (each keeps its own title, description and viewBox as a nested `<svg>`).

use crate::svg::xml_escape;

/// The width and height declared on a chart's root element.
fn size(svg: &str) -> Option<(f64, f64)> {
    let open = &svg[svg.find("<svg")?..];
    let open = &open[..open.find('>')?];
    let attr = |name: &str| -> Option<f64> {
        let key = format!(" {name}=\"");
        let i = open.find(&key)? + key.len();
        open[i..].split('"').next()?.parse().ok()
    };
    Some((attr("width")?, attr("height")?))
}

/// Lays charts out left to right (top-aligned) under a shared title. Charts that do not
/// declare their size are skipped.
pub fn side_by_side(title: &str, description: &str, charts: &[String]) -> String {
    let gap = 16.0;
    let head = 40.0;
    let sized: Vec<(&String, f64, f64)> = charts
        .iter()
        .filter_map(|c| size(c).map(|(w, h)| (c, w, h)))
        .collect();
    let width =
        sized.iter().map(|s| s.1).sum::<f64>() + gap * (sized.len().saturating_sub(1)) as f64;
    let height = head + sized.iter().map(|s| s.2).fold(0.0, f64::max);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.2}\" height=\"{height:.2}\" viewBox=\"0 0 {width:.2} {height:.2}\" role=\"img\" aria-labelledby=\"composed-title composed-desc\" font-family=\"Helvetica, Arial, 'DejaVu Sans', sans-serif\">\n<title id=\"composed-title\">{}</title>\n<desc id=\"composed-desc\">{}</desc>\n<rect x=\"0\" y=\"0\" width=\"{width:.2}\" height=\"{height:.2}\" fill=\"#ffffff\"/>\n<text x=\"16\" y=\"27\" font-size=\"18\" font-weight=\"bold\" fill=\"#1a1a1a\">{}</text>\n",
        xml_escape(title),
        xml_escape(description),
        xml_escape(title)
    );
    let mut x = 0.0;
    for (svg, w, _) in sized {
        let body = &svg[svg.find("<svg").unwrap_or(0)..];
        // Re-open the child at its place: drop the namespace, add x and y.
        let body = body.replacen(
            "<svg xmlns=\"http://www.w3.org/2000/svg\"",
            &format!("<svg x=\"{x:.2}\" y=\"{head:.2}\""),
            1,
        );
        out.push_str(&body);
        out.push('\n');
        x += w + gap;
    }
    out.push_str("</svg>\n");
    out
}

/// Lays charts out in a grid of `columns` (left to right, then down; each row as tall as
/// its tallest chart) under a shared title and a note: small multiples.
pub fn grid(title: &str, note: &str, charts: &[String], columns: usize) -> String {
    let gap = 12.0;
    let columns = columns.max(1);
    let sized: Vec<(&String, f64, f64)> = charts
        .iter()
        .filter_map(|c| size(c).map(|(w, h)| (c, w, h)))
        .collect();
    let rows: Vec<&[(&String, f64, f64)]> = sized.chunks(columns).collect();
    let col_w = sized.iter().map(|s| s.1).fold(0.0, f64::max);
    let width = (col_w * columns.min(sized.len().max(1)) as f64
        + gap * (columns.min(sized.len().max(1)) - 1) as f64)
        .max(480.0);
    let note_lines = crate::text::wrap(note, width - 32.0, 12.0, false);
    let head = 44.0 + 17.0 * note_lines.len() as f64;
    let heights: Vec<f64> = rows
        .iter()
        .map(|r| r.iter().map(|s| s.2).fold(0.0, f64::max))
        .collect();
    let height = head + heights.iter().sum::<f64>() + gap * rows.len().saturating_sub(1) as f64;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.2}\" height=\"{height:.2}\" viewBox=\"0 0 {width:.2} {height:.2}\" role=\"img\" aria-labelledby=\"grid-title grid-desc\" font-family=\"Helvetica, Arial, 'DejaVu Sans', sans-serif\">\n<title id=\"grid-title\">{}</title>\n<desc id=\"grid-desc\">{}</desc>\n<rect x=\"0\" y=\"0\" width=\"{width:.2}\" height=\"{height:.2}\" fill=\"#ffffff\"/>\n<text x=\"16\" y=\"27\" font-size=\"18\" font-weight=\"bold\" fill=\"#1a1a1a\">{}</text>\n",
        xml_escape(title),
        xml_escape(note),
        xml_escape(title)
    );
    for (i, line) in note_lines.iter().enumerate() {
        out.push_str(&format!(
            "<text x=\"16\" y=\"{:.2}\" font-size=\"12\" fill=\"#4d4d4d\">{}</text>\n",
            44.0 + 17.0 * i as f64,
            xml_escape(line)
        ));
    }
    let mut y = head;
    for (r, row) in rows.iter().enumerate() {
        for (c, (svg, _, _)) in row.iter().enumerate() {
            let x = c as f64 * (col_w + gap);
            let body = &svg[svg.find("<svg").unwrap_or(0)..];
            let body = body.replacen(
                "<svg xmlns=\"http://www.w3.org/2000/svg\"",
                &format!("<svg x=\"{x:.2}\" y=\"{y:.2}\""),
                1,
            );
            out.push_str(&body);
            out.push('\n');
        }
        y += heights[r] + gap;
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LineChart, Series};

    #[test]
    fn composes_two_charts_into_one_document() {
        let a = LineChart::new("A")
            .series(Series::new("s", vec![(1.0, Some(1.0)), (2.0, Some(2.0))]))
            .to_svg();
        let b = LineChart::new("B & C").size(400.0, 300.0).to_svg();
        let svg = side_by_side("Both <charts>", "two charts", &[a, b]);
        let doc = roxmltree::Document::parse(&svg).expect("well-formed");
        let nested = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "svg")
            .count();
        assert_eq!(nested, 3);
        let (w, h) = size(&svg).unwrap();
        assert!(w > 1200.0 && h > 480.0, "{w} {h}");
    }

    #[test]
    fn grids_small_multiples() {
        let c = |t: &str| {
            LineChart::new(t)
                .size(300.0, 200.0)
                .series(Series::new("s", vec![(1.0, Some(1.0)), (2.0, Some(2.0))]))
                .to_svg()
        };
        let charts: Vec<String> = ["A", "B", "C", "D", "E"].iter().map(|t| c(t)).collect();
        let svg = grid("Five <states>", "one note", &charts, 2);
        let doc = roxmltree::Document::parse(&svg).expect("well-formed");
        let nested: Vec<_> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "svg")
            .collect();
        assert_eq!(nested.len(), 6);
        // Three rows of two (the last with one), side by side then down.
        let pos: Vec<(f64, f64)> = nested[1..]
            .iter()
            .map(|n| {
                (
                    n.attribute("x").unwrap().parse().unwrap(),
                    n.attribute("y").unwrap().parse().unwrap(),
                )
            })
            .collect();
        assert_eq!(pos[0].1, pos[1].1);
        assert!(pos[2].1 > pos[0].1 && pos[2].0 == pos[0].0 && pos[1].0 > pos[0].0);
        let (w, _) = size(&svg).unwrap();
        assert!(w >= 612.0, "{w}");
    }
}
