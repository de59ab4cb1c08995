//! The engine's hot path: `decide()` on the twelve shared Vietnam cases under the Vietnam
//! doctrine, one benchmark per case plus the whole set. Run: `cargo bench -p bamboo-core
//! --bench engine`. The context is filled once per case (as a simulator would fill it);
//! only the decision is timed.

use std::hint::black_box;
use std::path::Path;

use bamboo_core::case::{validate_case, Case, CaseInput, PositionsInput};
use bamboo_core::doctrine::{validate_doctrine, CompiledDoctrine, DoctrineInput, Signal};
use bamboo_core::engine::{decide, Context, Situation};
use criterion::{criterion_group, criterion_main, Criterion};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

// The bench reads its inputs from the repository and the shared data: the `clippy.toml`
// ban on `std::fs` keeps bamboo-core's library pure, not its benchmarks.
#[allow(clippy::disallowed_methods)]
fn doctrine() -> CompiledDoctrine {
    let text = std::fs::read_to_string(root().join("data/doctrines/vietnam.toml")).unwrap();
    let input: DoctrineInput = toml::from_str(&text).unwrap();
    CompiledDoctrine::new(validate_doctrine(&input).unwrap()).unwrap()
}

fn strings(v: Option<&toml::Value>) -> Option<Vec<String>> {
    v.and_then(|v| v.as_array()).map(|a| {
        a.iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect()
    })
}

#[allow(clippy::disallowed_methods)] // reads the shared cases (see `doctrine`)
fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(root().join("../shared/cases/vietnam.toml")).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let s = |t: &toml::Table, k: &str| t.get(k).and_then(|v| v.as_str()).map(String::from);
    doc["case"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let t = c.as_table().unwrap();
            let pos = t
                .get("positions")
                .and_then(|p| p.as_table())
                .map(|p| PositionsInput {
                    yes: strings(p.get("yes")),
                    no: strings(p.get("no")),
                    abstain: strings(p.get("abstain")),
                    support: strings(p.get("support")),
                    oppose: strings(p.get("oppose")),
                });
            validate_case(&CaseInput {
                id: s(t, "id").unwrap(),
                date: s(t, "date").unwrap(),
                subject: s(t, "subject").unwrap(),
                kind: s(t, "kind").unwrap(),
                title: s(t, "title").unwrap(),
                target: s(t, "target"),
                counterpart: s(t, "counterpart"),
                tier: s(t, "tier"),
                tags: strings(t.get("tags")).unwrap_or_default(),
                sources: strings(t.get("sources")).unwrap_or_default(),
                actual: s(t, "actual"),
                positions: pos,
                tally: None,
            })
            .unwrap()
        })
        .collect()
}

/// A context with every lean signal available, so the lean terms are computed too.
fn context(d: &CompiledDoctrine) -> Context {
    let mut cx = Context::neutral(d);
    cx.available = [true; 5];
    let rows = [
        [0.25, 0.33, 0.15, 0.06, 0.67],
        [0.86, 1.0, 0.25, 0.0, 0.33],
        [0.76, 1.0, 0.01, 0.56, 0.0],
    ];
    for (p, r) in rows.iter().enumerate() {
        cx.signals[p] = *r;
        cx.un_n[p] = 488.0;
    }
    let _ = Signal::Un;
    cx
}

fn bench(c: &mut Criterion) {
    let d = doctrine();
    let cx = context(&d);
    let cases = cases();
    let sits: Vec<Situation> = cases.iter().map(|k| Situation::new(&d, k)).collect();
    let mut g = c.benchmark_group("decide");
    for (k, s) in cases.iter().zip(&sits) {
        g.bench_function(k.id.as_str(), |b| {
            b.iter(|| decide(black_box(&d), black_box(s), black_box(&cx)))
        });
    }
    g.bench_function("all-12-cases", |b| {
        b.iter(|| {
            let mut n = 0u32;
            for s in &sits {
                n += u32::from(decide(&d, black_box(s), &cx).choice);
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
