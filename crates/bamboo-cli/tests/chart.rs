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
    // One line per pole, drawn through its years (the markers alone are not a line): a
    // series group titled by the pole with an unfilled path through all 48 years Vietnam
    // voted in, 1977 (its first vote, the data's README) to 2024 (the data's last year).
    for pole in ["US (USA)", "China (CHN)", "Russia (RUS)"] {
        let series = doc
            .descendants()
            .find(|n| {
                n.attribute("class") == Some("series")
                    && n.children()
                        .any(|t| t.has_tag_name("title") && t.text() == Some(pole))
            })
            .unwrap_or_else(|| panic!("no series titled {pole}"));
        let points = series
            .children()
            .filter(|p| p.has_tag_name("path") && p.attribute("fill") == Some("none"))
            .filter_map(|p| p.attribute("d"))
            .map(|d| d.matches(['M', 'L']).count())
            .max()
            .unwrap_or(0);
        assert_eq!(points, 2024 - 1977 + 1, "{pole}'s line");
    }
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
