//! Criterion benchmarks of the simulation on the default world: engine decisions per second
//! for a whole simulation (all four doctrines, every middle state), and one run.
//!
//! Run: `cargo bench -p bamboo-sim --bench simulate`.

use bamboo_core::doctrine::{validate_doctrine, CompiledDoctrine, DoctrineInput};
use bamboo_sim::{run_once, simulate, SimConfig, SimDoctrines, World, WorldInput};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn doctrine(src: &str) -> CompiledDoctrine {
    let input: DoctrineInput = toml::from_str(src).expect("doctrine TOML");
    CompiledDoctrine::new(validate_doctrine(&input).expect("valid")).expect("compiles")
}

fn bench(c: &mut Criterion) {
    let world = World::new(
        toml::from_str::<WorldInput>(include_str!("../../../data/worlds/default.toml"))
            .expect("world TOML"),
    )
    .expect("valid world");
    let compiled = [
        (
            "vietnam",
            doctrine(include_str!("../../../data/doctrines/vietnam.toml")),
        ),
        (
            "align-usa",
            doctrine(include_str!("../../../data/doctrines/align-usa.toml")),
        ),
        (
            "bandwagon-china",
            doctrine(include_str!("../../../data/doctrines/bandwagon-china.toml")),
        ),
        (
            "neutral",
            doctrine(include_str!("../../../data/doctrines/neutral.toml")),
        ),
    ];
    let get = |n: &str| &compiled.iter().find(|(m, _)| *m == n).expect("shipped").1;
    let docs = SimDoctrines {
        compared: world.compare.iter().map(|n| (n.clone(), get(n))).collect(),
        states: world.states.iter().map(|s| get(&s.doctrine)).collect(),
        yardstick: get(&world.yardstick),
    };
    let cfg = SimConfig {
        runs: 200,
        years: 30,
        seed: 7,
    };
    let decisions = simulate(&world, &docs, &cfg, &|_| {})
        .expect("runs")
        .decisions;
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(decisions));
    g.bench_function("default_world_200_runs_30_years_4_doctrines", |b| {
        b.iter(|| {
            simulate(&world, &docs, &cfg, &|_| {})
                .expect("runs")
                .decisions
        })
    });
    g.finish();
    let mut g = c.benchmark_group("run");
    let one = run_once(&world, &docs.states, docs.yardstick, 7, 0, 30).decisions;
    g.throughput(Throughput::Elements(one));
    g.bench_function("one_run_30_years_4_states", |b| {
        b.iter(|| run_once(&world, &docs.states, docs.yardstick, 7, 0, 30).decisions)
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
