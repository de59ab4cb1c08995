//! Criterion benchmarks of the dyad pipeline on the real shared data: loading every vote
//! table, the bit-sliced kernel over all years, and one year's kernel.
//!
//! Run: `cargo bench -p bamboo-data --bench dyads` (data from BAMBOO_DATA or ../shared/data).

use std::path::PathBuf;

use bamboo_core::dyads::{dyads_by_year, YearBits};
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
    let mut g = c.benchmark_group("dyads");
    g.sample_size(20);
    g.bench_function("load_all_vote_tables", |b| {
        b.iter(|| load_store(&dir, &[]).expect("load"))
    });
    // Through the cache (a fresh one in a temporary folder, written by the first call).
    let cache_home = tempfile::tempdir().expect("temporary folder");
    let cache = bamboo_data::cache::CacheDir(Some(cache_home.path().join("bamboo")));
    bamboo_data::cache::load_store(&dir, &[], &cache).expect("load");
    g.bench_function("load_all_vote_tables_cached", |b| {
        b.iter(|| bamboo_data::cache::load_store(&dir, &[], &cache).expect("load"))
    });
    let (store, _, _) = load_store(&dir, &[]).expect("load");
    g.bench_function("kernel_1946_2019_all_pairs", |b| {
        b.iter(|| {
            let years = dyads_by_year(&store, 1946, 2019);
            years.iter().map(Vec::len).sum::<usize>()
        })
    });
    g.bench_function("kernel_1946_2019_with_measures", |b| {
        b.iter(|| {
            let years = dyads_by_year(&store, 1946, 2019);
            years
                .iter()
                .flatten()
                .map(|d| d.table.measures().kappa.unwrap_or(0.0))
                .sum::<f64>()
        })
    });
    g.bench_function("kernel_one_year_2019", |b| {
        b.iter(|| YearBits::new(&store, 2019).dyads().len())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
