//! Criterion benchmarks of the ideal-point fit on the real shared data: the estimate of
//! every session 1946-2024 in one fit (no bootstrap), and the fit with a small bootstrap,
//! whose difference is the cost of the replicates.
//!
//! Run: `cargo bench -p bamboo-data --bench ideal` (data from BAMBOO_DATA or ../shared/data).
//! The whole command, with the default 30 replicates: `benches/ideal_command.sh`.

use std::path::PathBuf;
use std::time::Duration;

use bamboo_data::votes::load_store;
use bamboo_data::DataDir;
use criterion::{criterion_group, criterion_main, Criterion};

fn data_dir() -> DataDir {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    DataDir::locate(None, std::env::var("BAMBOO_DATA").ok().as_deref(), &here)
        .expect("the shared data (set BAMBOO_DATA or keep ../shared/data beside the project)")
}

fn bench(c: &mut Criterion) {
    let dir = data_dir();
    let (store, _, _) = load_store(&dir, &[]).expect("load");
    let mut g = c.benchmark_group("ideal");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("fit_1946_2024_estimate", |b| {
        b.iter(|| bamboo_data::ideal::fit(&store, 0, 1).expect("fit"))
    });
    g.bench_function("fit_1946_2024_with_4_replicates", |b| {
        b.iter(|| bamboo_data::ideal::fit(&store, 4, 1).expect("fit"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
