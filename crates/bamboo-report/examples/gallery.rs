//! Writes sample charts and tables to a directory (default `/tmp/bamboo-gallery`) for eyeballing.
//!
//! Run: `cargo run -p bamboo-report --example gallery [-- OUT_DIR]`, then e.g.
//! `rsvg-convert -o line.png line.svg` to look at them.

#![allow(clippy::print_stdout)] // prints its results for the person who ran it

use bamboo_report::{
    Annotation, ColorScale, DistributionChart, DistributionPanel, FanChart, FanGroup, FanPoint,
    Heatmap, LineChart, Series, Summary, Table,
};

/// Tiny deterministic pseudo-random generator (xorshift) for sample noise.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Roughly normal noise with standard deviation `sd`.
    fn noise(&mut self, sd: f64) -> f64 {
        (self.next() + self.next() + self.next() - 1.5) * 2.0 * sd
    }
}

const COUNTRIES: [(&str, u8); 30] = [
    ("United States", 0),
    ("United Kingdom", 0),
    ("France", 0),
    ("Germany", 0),
    ("Japan", 0),
    ("Canada", 0),
    ("Australia", 0),
    ("Israel", 0),
    ("Poland", 0),
    ("Korea, Republic of", 0),
    ("Russian Federation", 1),
    ("China", 1),
    ("Belarus", 1),
    ("Iran", 1),
    ("Syria", 1),
    ("Cuba", 1),
    ("Democratic People's Republic of Korea", 1),
    ("Viet Nam", 1),
    ("India", 2),
    ("Brazil", 2),
    ("South Africa", 2),
    ("Indonesia", 2),
    ("Egypt", 2),
    ("Nigeria", 2),
    ("Mexico", 2),
    ("Türkiye", 2),
    ("Saudi Arabia", 2),
    ("Côte d'Ivoire", 2),
    ("Bosnia & Herzegovina", 0),
    ("South Sudan", 2),
];

fn heatmap() -> Heatmap {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let base = [[0.9, 0.35, 0.55], [0.35, 0.9, 0.8], [0.55, 0.8, 0.85]];
    let n = COUNTRIES.len();
    let mut m = vec![vec![None; n]; n];
    for i in 0..n {
        for j in i..n {
            let v = if i == j {
                Some(1.0)
            } else if COUNTRIES[i].0 == "South Sudan" || COUNTRIES[j].0 == "South Sudan" {
                None // not a member for most of the period
            } else {
                let b = base[COUNTRIES[i].1 as usize][COUNTRIES[j].1 as usize];
                Some(f64::clamp(b + rng.noise(0.06), 0.0, 1.0))
            };
            m[i][j] = v;
            m[j][i] = v;
        }
    }
    let names: Vec<String> = COUNTRIES.iter().map(|c| c.0.to_string()).collect();
    Heatmap::new("Pairwise UN voting agreement, 1991–2021")
        .subtitle("Share of roll-call votes cast the same way; South Sudan joined in 2011 (too few votes, shown missing)")
        .rows(names.clone())
        .columns(names)
        .values(m)
        .range(0.0, 1.0)
        .value_label("Agreement")
}

fn big_heatmap() -> Heatmap {
    let mut rng = Rng(42);
    let n = 200;
    let values = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    if (i * 31 + j * 17) % 53 == 0 {
                        None
                    } else {
                        Some(((i as f64 - j as f64).abs() / n as f64) * -2.0 + 1.0 + rng.noise(0.1))
                    }
                })
                .collect()
        })
        .collect();
    Heatmap::new("200 × 200 stress test (difference from centre, diverging scale)")
        .rows((0..n).map(|i| format!("Country {i:03}")).collect())
        .columns((0..n).map(|i| format!("C{i:03}")).collect())
        .values(values)
        .scale(ColorScale::Diverging { center: 0.0 })
        .value_label("Score")
        .axis_labels("Counterpart", "State")
}

fn fan() -> FanChart {
    let doctrines = [
        ("Bandwagon with China", 0.88, 0.002),
        ("Hedge", 0.84, -0.002),
        ("Balance with the USA", 0.82, -0.009),
        ("Strict neutrality", 0.85, -0.004),
    ];
    let mut chart = FanChart::new("Viet Nam: simulated agreement with China under four doctrines")
        .subtitle(
            "10,000 simulated futures per doctrine, 2022–2051; percentiles of yearly agreement",
        )
        .x_label("Year")
        .y_label("Agreement with China")
        .y_range(0.0, 1.0)
        .annotate(Annotation::hline(0.5, "even split"));
    for (name, start, drift) in doctrines {
        let pts = (0..30)
            .map(|t| {
                let t = f64::from(t);
                let m = (start + drift * t).clamp(0.0, 1.0);
                let s = 0.015 + 0.0045 * t;
                let q = [
                    m - 1.64 * s,
                    m - 0.67 * s,
                    m,
                    m + 0.67 * s,
                    (m + 1.64 * s).min(1.0),
                ];
                FanPoint::new(2022.0 + t, q)
            })
            .collect();
        chart = chart.group(FanGroup::new(name, pts));
    }
    chart
}

/// Outcome name, unit, and (mean, sd) per doctrine.
type Outcome = (&'static str, &'static str, [(f64, f64); 4]);

fn distributions() -> DistributionChart {
    let mut rng = Rng(7);
    let doctrines = ["Bandwagon", "Hedge", "Balance", "Neutrality"];
    let outcomes: [Outcome; 4] = [
        (
            "Agreement with China, 2051",
            "share of votes",
            [(0.95, 0.04), (0.8, 0.06), (0.6, 0.1), (0.72, 0.08)],
        ),
        (
            "Agreement with the USA, 2051",
            "share of votes",
            [(0.25, 0.05), (0.38, 0.07), (0.55, 0.1), (0.42, 0.06)],
        ),
        (
            "Aid received, 2022–2051",
            "USD bn (2020 prices)",
            [(48.0, 12.0), (55.0, 9.0), (61.0, 20.0), (40.0, 7.0)],
        ),
        (
            "Years in a crisis",
            "years out of 30",
            [(3.0, 2.0), (4.0, 2.5), (6.0, 3.5), (5.0, 2.0)],
        ),
    ];
    let mut chart = DistributionChart::new("Simulated outcomes for Viet Nam by doctrine")
        .subtitle("Distribution over 10,000 simulated futures per doctrine")
        .columns(2);
    for (name, unit, params) in outcomes {
        let mut panel = DistributionPanel::new(name).y_label(unit);
        for (d, (m, sd)) in doctrines.iter().zip(params) {
            let cap = if unit == "share of votes" {
                1.0
            } else {
                f64::MAX
            };
            let samples: Vec<f64> = (0..2000)
                .map(|_| (m + rng.noise(sd)).clamp(0.0, cap))
                .collect();
            let summary = Summary::from_samples(&samples).expect("samples");
            panel = panel.group(*d, summary);
        }
        chart = chart.panel(panel);
    }
    chart
}

/// Awkward inputs: long title, many series with long names (legend below),
/// negative values, automatic y range, a single-point series, events at the edges.
fn edge_line() -> LineChart {
    let mut rng = Rng(99);
    let mut c = LineChart::new(
        "A deliberately long title about voting cohesion & divergence <between> regional groups that must wrap onto two lines",
    )
    .subtitle("Difference in agreement (with USA minus with China); automatic y range")
    .x_label("Year")
    .y_label("USA − CHN agreement")
    .annotate(Annotation::hline(0.0, "no lean"))
    .annotate(Annotation::event(1946.0, "1946 first session"))
    .annotate(Annotation::event(1971.0, "1971 PRC seated"))
    .annotate(Annotation::event(1973.0, "1973 oil crisis"))
    .annotate(Annotation::event(1991.0, "1991 USSR dissolved"))
    .annotate(Annotation::event(2021.0, "2021 end"));
    let groups = [
        "Western European and Others Group",
        "Eastern European Group",
        "Latin American and Caribbean Group",
        "Asia-Pacific Group",
        "African Group",
        "Non-Aligned Movement (core members)",
        "Small island developing states",
    ];
    for (i, g) in groups.iter().enumerate() {
        let mut level = 0.4 - 0.15 * i as f64;
        let pts = (1946..=2021)
            .map(|y| {
                level += rng.noise(0.03);
                let v = if (y + i as i32) % 23 == 0 {
                    None
                } else {
                    Some(level)
                };
                (f64::from(y), v)
            })
            .collect();
        c = c.series(Series::new(*g, pts));
    }
    c.series(Series::new("Single observation", vec![(1990.0, Some(0.1))]))
}

/// Few columns with long labels (rotated), a diverging scale around 0.5.
fn edge_heatmap() -> Heatmap {
    let mut rng = Rng(5);
    let rows: Vec<String> = ["Bandwagon", "Hedge", "Balance", "Neutrality"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let cols: Vec<String> = [
        "Agreement with China",
        "Agreement with the USA",
        "Aid received",
        "Crisis years",
        "Trade openness",
        "Security guarantee",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let values = (0..rows.len())
        .map(|r| {
            (0..cols.len())
                .map(|c| {
                    if r == 2 && c == 4 {
                        None
                    } else {
                        Some(rng.next())
                    }
                })
                .collect()
        })
        .collect();
    Heatmap::new("Probability that a doctrine beats the baseline")
        .rows(rows)
        .columns(cols)
        .values(values)
        .range(0.0, 1.0)
        .scale(ColorScale::Diverging { center: 0.5 })
        .value_label("P(better than baseline)")
}

/// Long group names (rotated labels), one panel, a group with no data.
fn edge_distribution() -> DistributionChart {
    let mut rng = Rng(11);
    let names = [
        "Bandwagon with China",
        "Hedge (status quo)",
        "Balance with the USA",
        "Strict neutrality",
        "Regional bloc first",
        "Multi-alignment",
    ];
    let mut p = DistributionPanel::new("Agreement with China in 2051").y_range(0.0, 1.0);
    for (i, n) in names.iter().enumerate() {
        let m = 0.9 - 0.08 * i as f64;
        let samples: Vec<f64> = (0..500)
            .map(|_| (m + rng.noise(0.07)).clamp(0.0, 1.0))
            .collect();
        p = p.group(*n, Summary::from_samples(&samples).expect("samples"));
    }
    let nan = f64::NAN;
    p = p.group(
        "Isolation",
        Summary {
            min: nan,
            p5: nan,
            p25: nan,
            median: nan,
            p75: nan,
            p95: nan,
            max: nan,
            mean: nan,
        },
    );
    DistributionChart::new("One outcome, many doctrines").panel(p)
}

/// 80 x 80: thinned labels, no cell values, tooltips kept.
fn medium_heatmap() -> Heatmap {
    let mut rng = Rng(3);
    let n = 80;
    let values = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| if i == j { Some(1.0) } else { Some(rng.next()) })
                .collect()
        })
        .collect();
    Heatmap::new("80 × 80 states")
        .rows((0..n).map(|i| format!("State {i}")).collect())
        .columns((0..n).map(|i| format!("S{i}")).collect())
        .values(values)
        .value_label("Agreement")
}

fn wave(y: f64, a: f64, p: f64) -> f64 {
    (y / p).sin() * a
}

fn vietnam() -> LineChart {
    let mut rng = Rng(0x5eed_1977);
    let years: Vec<f64> = (1977..=2021).map(f64::from).collect();
    // USA: rising from ~0.2 to ~0.45 after normalisation; CHN: high and
    // steady; RUS: high, no data 1992–1994 (transition years).
    let usa = years
        .iter()
        .map(|&y| {
            let trend = if y < 1995.0 {
                0.22
            } else {
                0.22 + 0.2 * ((y - 1995.0) / 26.0)
            };
            (y, Some((trend + rng.noise(0.02)).clamp(0.2, 0.45)))
        })
        .collect();
    let chn = years
        .iter()
        .map(|&y| {
            (
                y,
                Some((0.87 + wave(y, 0.03, 4.0) + rng.noise(0.02)).clamp(0.8, 0.95)),
            )
        })
        .collect();
    let rus = years
        .iter()
        .map(|&y| {
            let v = if (1992.0..=1994.0).contains(&y) {
                None
            } else {
                let base = if y < 1992.0 {
                    0.92
                } else {
                    0.8 + 0.002 * (y - 1995.0)
                };
                Some((base + rng.noise(0.025)).clamp(0.75, 0.95))
            };
            (y, v)
        })
        .collect();
    LineChart::new("Viet Nam: voting agreement with the great powers")
        .subtitle("Share of UN General Assembly roll-call votes cast the same way; abstentions count as half")
        .x_label("Year")
        .y_label("Agreement")
        .y_range(0.0, 1.0)
        .series(Series::new("United States", usa))
        .series(Series::new("China", chn))
        .series(Series::new("Russia / USSR", rus))
        .annotate(Annotation::band(0.4, 0.6, "tolerated lean"))
        .annotate(Annotation::event(1995.0, "1995 US ties"))
        .annotate(Annotation::event(2008.0, "2008 CSP China"))
        .annotate(Annotation::event(2001.0, "2001 SP Russia"))
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/bamboo-gallery".to_string());
    std::fs::create_dir_all(&dir).expect("create output dir");
    let write = |name: &str, body: String| {
        let p = format!("{dir}/{name}");
        std::fs::write(&p, body).expect("write file");
        println!("{p}");
    };
    write("line.svg", vietnam().to_svg());
    write("heatmap.svg", heatmap().to_svg());
    write("fan.svg", fan().to_svg());
    write("distribution.svg", distributions().to_svg());
    write("edge_distribution.svg", edge_distribution().to_svg());
    write("heatmap_medium.svg", medium_heatmap().to_svg());
    write(
        "empty.svg",
        LineChart::new("No votes recorded for this state").to_svg(),
    );
    write("edge_line.svg", edge_line().to_svg());
    write(
        "edge_line_narrow.svg",
        edge_line().size(480.0, 420.0).to_svg(),
    );
    write("edge_heatmap.svg", edge_heatmap().to_svg());
    let table = Table::new(["Country", "USA", "CHN", "RUS", "Votes", "Note"])
        .title("Agreement with the great powers, 2021")
        .row(["Viet Nam", "0.31", "0.88", "0.85", "1,204", ""])
        .row([
            "Korea, Republic of",
            "0.71",
            "0.52",
            "0.40",
            "1,198",
            "treaty ally",
        ])
        .row([
            "Côte d'Ivoire",
            "0.45",
            "0.80",
            "-",
            "987",
            "RUS: too few votes",
        ])
        .row([
            "South Sudan",
            "0.38",
            "0.77",
            "0.69",
            "412",
            "member since 2011",
        ]);
    write("table.txt", table.render());
    write("table.csv", table.to_csv());
    write("heatmap_big.svg", big_heatmap().to_svg());
}
