//! Placing finished charts side by side in one SVG document (each keeps its own title,
//! description and viewBox as a nested `<svg>`).

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
}
