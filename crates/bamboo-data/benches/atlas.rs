//! Criterion benchmarks of the atlas on the real shared data: the bootstrap of every state
//! against three poles for one year (the bit-sliced replicates alone, then the whole atlas
//! with ranks, medians and the change since the year before), a five-year span, and the
//! map's decoding of the world outlines.
//!
//! Run: `cargo bench -p bamboo-data --bench atlas` (data from BAMBOO_DATA or ../shared/data).

use std::path::PathBuf;

use bamboo_core::atlas::{atlas, AlignmentSource, AtlasQuery, Period, VoteAlignment};
use bamboo_core::bootstrap::Bootstrap;
use bamboo_core::metrics::Metric;
use bamboo_core::select::Selection;
use bamboo_core::Iso3;
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
    let (store, countries, _) = load_store(&dir, &[]).expect("load");
    let sel = Selection::all();
    let src = VoteAlignment {
        store: &store,
        selection: &sel,
        metric: Metric::Agreement,
    };
    let poles = ["USA", "CHN", "RUS"]
        .map(|p| Iso3::parse(p).unwrap())
        .to_vec();
    let boot = Bootstrap::default();
    let y2021 = Period::year(2021);
    let states: Vec<Iso3> = src
        .states(y2021)
        .into_iter()
        .filter(|s| !poles.contains(s))
        .collect();
    let mut g = c.benchmark_group("atlas");
    g.sample_size(20);
    g.bench_function("draws_2021_190_states_3_poles_1000_replicates", |b| {
        b.iter(|| src.draws(y2021, &states, &poles, &boot).reps.len())
    });
    let query = |p: Period, previous: Option<Period>| AtlasQuery {
        period: p,
        previous,
        poles: poles.clone(),
        boot,
        only: None,
        average: None,
    };
    g.bench_function("atlas_2021_1000_replicates_with_change", |b| {
        b.iter(|| {
            atlas(&src, &query(y2021, Some(Period::year(2020))))
                .rows
                .len()
        })
    });
    g.bench_function("atlas_2015_2019_span_1000_replicates", |b| {
        let q = query(
            Period {
                from: 2015,
                to: 2019,
            },
            None,
        );
        b.iter(|| atlas(&src, &q).rows.len())
    });
    g.bench_function("kappa_atlas_2021_1000_replicates", |b| {
        let k = VoteAlignment {
            store: &store,
            selection: &sel,
            metric: Metric::Kappa,
        };
        b.iter(|| atlas(&k, &query(y2021, None)).rows.len())
    });
    g.bench_function("world_map_decode_110m_and_50m", |b| {
        b.iter(|| {
            bamboo_data::geo::world_map(&dir, &countries)
                .expect("outlines")
                .shapes
                .len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
