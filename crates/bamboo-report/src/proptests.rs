//! Property tests: random finite inputs (and arbitrary strings) always give
//! well-formed, accessible SVG without NaN/inf coordinates.

use proptest::prelude::*;

use crate::{
    Annotation, DistributionChart, DistributionPanel, FanChart, FanGroup, FanPoint, Heatmap,
    LineChart, Series, Summary, Table,
};

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -2.0..2.0f64,
        2 => 1900.0..2100.0f64,
        1 => any::<f64>().prop_filter("finite", |v| v.is_finite()),
        1 => Just(0.0),
    ]
}

fn label() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[A-Za-z &<>'\"]{0,30}", 1 => any::<String>()]
}

fn annotation() -> impl Strategy<Value = Annotation> {
    prop_oneof![
        (finite(), finite(), label()).prop_map(|(a, b, l)| Annotation::band(a, b, l)),
        (finite(), label()).prop_map(|(y, l)| Annotation::hline(y, l)),
        (finite(), label()).prop_map(|(x, l)| Annotation::event(x, l)),
    ]
}

/// Parses and checks the accessible shell and number hygiene.
fn check(svg: &str) -> Result<(), TestCaseError> {
    let doc = roxmltree::Document::parse(svg).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    let root = doc.root_element();
    prop_assert_eq!(root.attribute("role"), Some("img"));
    prop_assert!(root.attribute("viewBox").is_some());
    prop_assert!(doc.descendants().any(|n| n.has_tag_name("title")));
    prop_assert!(doc.descendants().any(|n| n.has_tag_name("desc")));
    for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let size: f64 = n
            .attribute("font-size")
            .unwrap_or("0")
            .parse()
            .unwrap_or(0.0);
        prop_assert!(size >= 11.0, "font-size {}", size);
    }
    for n in doc.descendants().filter(|n| n.is_element()) {
        for a in n.attributes() {
            if matches!(
                a.name(),
                "x" | "y" | "x1" | "x2" | "y1" | "y2" | "width" | "height" | "d" | "cx" | "cy"
            ) {
                prop_assert!(
                    !a.value().contains("NaN") && !a.value().contains("inf"),
                    "{}={}",
                    a.name(),
                    a.value()
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn line_chart_is_always_valid(
        title in label(),
        series in prop::collection::vec(
            (label(), prop::collection::vec((finite(), prop::option::of(finite())), 0..25)),
            0..5,
        ),
        y_range in prop::option::of((finite(), finite())),
        annotations in prop::collection::vec(annotation(), 0..4),
    ) {
        let mut c = LineChart::new(title).x_label("Year").y_label("Agreement");
        c.y_range = y_range;
        c.annotations = annotations;
        for (name, pts) in series {
            c = c.series(Series::new(name, pts));
        }
        let a = c.to_svg();
        check(&a)?;
        prop_assert_eq!(a, c.to_svg());
    }

    #[test]
    fn heatmap_is_always_valid(
        title in label(),
        values in prop::collection::vec(prop::collection::vec(prop::option::of(finite()), 0..10), 0..10),
        rows in prop::collection::vec(label(), 0..10),
        cols in prop::collection::vec(label(), 0..10),
        range in prop::option::of((finite(), finite())),
        diverging in any::<bool>(),
        center in finite(),
    ) {
        let mut h = Heatmap::new(title).rows(rows).columns(cols).values(values).value_label("v");
        h.range = range;
        if diverging {
            h = h.scale(crate::ColorScale::Diverging { center });
        }
        check(&h.to_svg())?;
    }

    #[test]
    fn fan_chart_is_always_valid(
        title in label(),
        groups in prop::collection::vec(
            (label(), prop::collection::vec((finite(), prop::array::uniform5(finite())), 0..15)),
            0..4,
        ),
    ) {
        let mut c = FanChart::new(title);
        for (name, pts) in groups {
            c = c.group(FanGroup::new(name, pts.into_iter().map(|(x, q)| FanPoint::new(x, q)).collect()));
        }
        check(&c.to_svg())?;
    }

    #[test]
    fn distribution_chart_is_always_valid(
        title in label(),
        panels in prop::collection::vec(
            (label(), prop::collection::vec((label(), prop::array::uniform8(finite())), 0..5)),
            0..5,
        ),
        columns in prop::option::of(0usize..5),
    ) {
        let mut c = DistributionChart::new(title);
        c.columns = columns;
        for (name, groups) in panels {
            let mut p = DistributionPanel::new(name);
            for (g, v) in groups {
                let s = Summary { min: v[0], p5: v[1], p25: v[2], median: v[3], p75: v[4], p95: v[5], max: v[6], mean: v[7] };
                p = p.group(g, s);
            }
            c = c.panel(p);
        }
        check(&c.to_svg())?;
    }

    #[test]
    fn table_lines_have_no_trailing_space(
        headers in prop::collection::vec(label(), 0..5),
        rows in prop::collection::vec(prop::collection::vec(label(), 0..6), 0..6),
    ) {
        let mut t = Table::new(headers);
        for r in rows {
            t.push_row(r);
        }
        let out = t.render();
        prop_assert!(out.ends_with('\n'));
        for l in out.lines() {
            prop_assert!(!l.ends_with(' '));
        }
    }
}
