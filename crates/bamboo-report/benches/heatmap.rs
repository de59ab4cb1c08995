//! Criterion benchmark of the all-states heatmap: 193 × 193 agreement cells (every UN
//! member, as `GET /api/chart/heatmap.svg?year=2021` draws them), with long names and some
//! missing cells, rendered to SVG; it also reports the document's size.
//!
//! Run: `cargo bench -p bamboo-report --bench heatmap`.

#![allow(clippy::print_stderr)] // says how large the SVG is

use bamboo_report::{ColorScale, Heatmap};
use criterion::{criterion_group, criterion_main, Criterion};

/// Every UN member's agreement with every other: smooth within blocks of neighbours, like
/// states grouped by subregion, with a missing pair now and then.
fn all_states(n: usize) -> Heatmap {
    let names: Vec<String> = (0..n)
        .map(|i| format!("Saint Vincent and the Grenadines {i}"))
        .collect();
    let values = (0..n)
        .map(|r| {
            (0..n)
                .map(|c| {
                    if (r * 31 + c * 17) % 401 == 0 {
                        None
                    } else {
                        let block = (r / 12 == c / 12) as u8 as f64;
                        Some((0.55 + 0.3 * block + 0.15 * ((r * c) as f64).sin()).clamp(0.0, 1.0))
                    }
                })
                .collect()
        })
        .collect();
    Heatmap::new(format!(
        "UN General Assembly agreement, 2021: all regions ({n} states)"
    ))
    .subtitle("Share of roll calls voted the same way; abstentions count as half.")
    .rows(names.clone())
    .columns(names)
    .values(values)
    .range(0.0, 1.0)
    .scale(ColorScale::Viridis)
    .value_label("Agreement")
}

fn bench(c: &mut Criterion) {
    let h = all_states(193);
    eprintln!("heatmap 193 × 193: {} bytes", h.to_svg().len());
    let mut g = c.benchmark_group("heatmap");
    g.sample_size(20);
    g.bench_function("all_states_193_to_svg", |b| b.iter(|| h.to_svg().len()));
    let small = all_states(47);
    eprintln!("heatmap 47 × 47: {} bytes", small.to_svg().len());
    g.bench_function("asia_47_to_svg", |b| b.iter(|| small.to_svg().len()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
