//! Golden check: fixed charts rendered to pinned bytes (length and FNV-1a 64 hash per chart,
//! in `tests/golden/digests.txt`), so a refactor of a renderer that changes one byte fails
//! here. After an intended change of the output, rewrite the digests with
//! `BAMBOO_BLESS=1 cargo test -p bamboo-report --test golden` and look at the charts it
//! writes to `target/tmp/golden/`.

use std::fmt::Write as _;

mod samples;

use bamboo_report::{
    Annotation, ColorScale, DistributionChart, DistributionPanel, FanChart, FanGroup, Heatmap,
    LineChart, Series,
};

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn heatmap(n: usize, m: usize) -> Heatmap {
    Heatmap::new(format!("{n} × {m} grid"))
        .subtitle("Made-up values; every eleventh cell missing")
        .rows(samples::names("Country", n))
        .columns(samples::names("State number", m))
        .values(samples::grid_values(n, m))
        .value_label("Agreement")
}

fn line() -> LineChart {
    let years: Vec<f64> = (1977..=2021).map(f64::from).collect();
    let s = |a: f64, p: f64, gap: bool| {
        years
            .iter()
            .map(|&y| {
                let v = (!gap || !(1992.0..=1994.0).contains(&y)).then(|| 0.5 + a * (y / p).sin());
                (y, v)
            })
            .collect::<Vec<_>>()
    };
    LineChart::new("Agreement with the great powers")
        .subtitle("Share of roll calls voted the same way")
        .x_label("Year")
        .y_label("Agreement")
        .series(Series::new("USA", s(0.2, 3.0, false)))
        .series(Series::new("CHN", s(0.3, 4.0, false)))
        .series(Series::new("RUS", s(0.25, 5.0, true)))
        .annotate(Annotation::band(0.4, 0.6, "tolerated lean"))
        .annotate(Annotation::hline(0.75, "threshold"))
        .annotate(Annotation::event(1995.0, "1995 US ties"))
        .annotate(Annotation::event(1996.0, "1996 a second event close by"))
        .annotate(Annotation::event(
            2020.0,
            "2020 an event near the right edge",
        ))
}

fn fan() -> FanChart {
    let mut c = FanChart::new("Projected agreement with China")
        .x_label("Year")
        .y_label("Agreement")
        .annotate(Annotation::hline(0.5, "even"))
        .annotate(Annotation::event(2030.0, "2030 review"));
    for (i, name) in ["Bandwagon", "Hedge", "Balance & <other>"]
        .iter()
        .enumerate()
    {
        let mut pts = samples::fan_points(i, 25);
        if i == 1 {
            for t in [10, 12] {
                pts[t].p50 = f64::NAN; // breaks the fan, leaving a single point at t = 11
            }
        }
        c = c.group(FanGroup::new(*name, pts));
    }
    c.group(FanGroup::new("Empty", vec![]))
}

fn distribution() -> DistributionChart {
    let mk = samples::summary;
    let mut bad = mk(0.0, 1.0);
    bad.median = f64::NAN;
    DistributionChart::new("Outcomes by doctrine")
        .subtitle("1,000 runs each")
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
                .group("Bandwagon with a long name", mk(4.0, 2.0))
                .group("Broken", bad),
        )
        .panel(DistributionPanel::new("Empty outcome"))
        .panel(DistributionPanel::new("Fourth").group("Hedge", mk(-1.0, 0.2)))
}

fn charts() -> Vec<(&'static str, String)> {
    vec![
        ("heatmap_small", {
            let mut h = heatmap(4, 5);
            h.range = Some((0.0, 1.0));
            h.to_svg()
        }),
        ("heatmap_diverging", {
            heatmap(12, 9)
                .scale(ColorScale::Diverging { center: 0.5 })
                .axis_labels("Columns", "Rows")
                .to_svg()
        }),
        ("heatmap_medium", heatmap(60, 60).to_svg()),
        ("heatmap_large", heatmap(193, 193).range(0.0, 1.0).to_svg()),
        ("line", line().to_svg()),
        ("line_narrow", line().size(480.0, 420.0).to_svg()),
        ("fan", fan().to_svg()),
        ("fan_narrow", fan().size(420.0, 300.0).to_svg()),
        ("distribution", distribution().to_svg()),
        (
            "distribution_two_columns",
            distribution().columns(2).to_svg(),
        ),
    ]
}

#[test]
fn charts_render_the_pinned_bytes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/digests.txt");
    let mut now = String::new();
    let out = concat!(env!("CARGO_TARGET_TMPDIR"), "/golden");
    let _ = std::fs::create_dir_all(out);
    for (name, svg) in charts() {
        let _ = writeln!(now, "{name} {} {:016x}", svg.len(), fnv1a(svg.as_bytes()));
        let _ = std::fs::write(format!("{out}/{name}.svg"), &svg);
    }
    if std::env::var_os("BAMBOO_BLESS").is_some() {
        std::fs::write(path, &now).unwrap();
        return;
    }
    let pinned = std::fs::read_to_string(path).unwrap();
    for (want, got) in pinned.lines().zip(now.lines()) {
        assert_eq!(
            want, got,
            "the chart's bytes changed (name, length, hash); the new one is in {out}"
        );
    }
    assert_eq!(
        pinned.lines().count(),
        now.lines().count(),
        "charts added or removed"
    );
}
