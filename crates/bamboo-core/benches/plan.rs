//! The planner: `plan()` after the engine's choice on the twelve shared Vietnam cases under
//! the Vietnam doctrine (its catalogue of nine moves toward three poles, at most five moves
//! over twelve months), one benchmark per case plus the whole set. Run: `cargo bench -p
//! bamboo-core --bench plan`. The context is filled once (as the engine bench fills it) and
//! the ledger is empty; the decision is made once per case; only the plan is timed.

use std::hint::black_box;
use std::path::Path;

use bamboo_core::case::{validate_case, Case, CaseInput, PositionsInput};
use bamboo_core::doctrine::{validate_doctrine, CompiledDoctrine, DoctrineInput};
use bamboo_core::engine::{decide, Context, Decision, Situation};
use bamboo_core::ledger::Ledger;
use bamboo_core::plan::plan;
use criterion::{criterion_group, criterion_main, Criterion};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

// The bench reads its inputs from the repository and the shared data: bamboo-core's ban on
// `std::fs` (its `clippy.toml`) keeps the library pure, not its benchmarks.
#[allow(clippy::disallowed_methods)]
fn doctrine() -> CompiledDoctrine {
    let text = std::fs::read_to_string(root().join("data/doctrines/vietnam.toml")).unwrap();
    let input: DoctrineInput = toml::from_str(&text).unwrap();
    CompiledDoctrine::new(validate_doctrine(&input).unwrap()).unwrap()
}

#[allow(clippy::disallowed_methods)] // reads the shared cases (see `doctrine`)
fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(root().join("../shared/cases/vietnam.toml")).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let s = |t: &toml::Table, k: &str| t.get(k).and_then(|v| v.as_str()).map(String::from);
    let list = |v: Option<&toml::Value>| {
        v.and_then(|v| v.as_array()).map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect::<Vec<_>>()
        })
    };
    doc["case"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let t = c.as_table().unwrap();
            let positions = t
                .get("positions")
                .and_then(|p| p.as_table())
                .map(|p| PositionsInput {
                    yes: list(p.get("yes")),
                    no: list(p.get("no")),
                    abstain: list(p.get("abstain")),
                    support: list(p.get("support")),
                    oppose: list(p.get("oppose")),
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
                tags: list(t.get("tags")).unwrap_or_default(),
                sources: list(t.get("sources")).unwrap_or_default(),
                positions,
                ..CaseInput::default()
            })
            .unwrap()
        })
        .collect()
}

/// The engine bench's context: every signal known, the lean toward China (so plans that
/// displease a pole must also keep the lean within the bound).
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
    cx
}

fn bench(c: &mut Criterion) {
    let d = doctrine();
    let cx = context(&d);
    let ledger = Ledger::default();
    let cases = cases();
    let decided: Vec<(Situation, Decision)> = cases
        .iter()
        .map(|k| {
            let s = Situation::new(&d, k);
            let dec = decide(&d, &s, &cx);
            (s, dec)
        })
        .collect();
    let mut g = c.benchmark_group("plan");
    for (k, (s, dec)) in cases.iter().zip(&decided) {
        g.bench_function(k.id.as_str(), |b| {
            b.iter(|| plan(black_box(&d), s, &cx, dec, &ledger, k.date, None))
        });
    }
    g.bench_function("all-12-cases", |b| {
        b.iter(|| {
            let mut n = 0;
            for (k, (s, dec)) in cases.iter().zip(&decided) {
                n += plan(&d, black_box(s), &cx, dec, &ledger, k.date, None)
                    .agendas
                    .len();
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
