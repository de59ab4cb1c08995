//! `bamboo chart balance` draws a well-formed, labelled, accessible SVG from the real data.

mod common;

use common::*;

#[test]
fn balance_chart_is_a_labelled_svg() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("vnm.svg");
    ok(bamboo(&[
        "chart",
        "balance",
        "VNM",
        "-o",
        out.to_str().unwrap(),
    ]));
    let svg = std::fs::read_to_string(&out).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    let all = texts.join(" ");
    for needle in [
        "Vietnam (VNM)",
        "US (USA)",
        "China (CHN)",
        "Russia (RUS)",
        "Year",
        "1977",
        "2021",
        "largest lean",
    ] {
        assert!(all.contains(needle), "missing {needle:?} in chart text");
    }
    // One polyline/path per pole with data.
    assert!(svg.matches("<path").count() >= 3);
}

#[test]
fn chart_to_stdout_and_bad_subject() {
    let svg = ok(bamboo(&[
        "chart", "balance", "VNM", "--from", "2010", "--to", "2019",
    ]));
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"));
    let e = fails(bamboo(&["chart", "balance", "QQQ", "-o", "/tmp/never.svg"]));
    assert!(e.contains("unknown country code `QQQ`"), "{e}");
}
