//! Shards merge exactly: the runs split into any number of slices, each slice's partial
//! state serialised to JSON and read back, merged in any order, give the report of one
//! process to the byte; parts that do not belong together are refused.

use bamboo_core::doctrine::{validate_doctrine, CompiledDoctrine, DoctrineInput};
use bamboo_sim::world::{World, WorldInput};
use bamboo_sim::{merge, simulate, simulate_shard, MergeError, Partial, SimConfig, SimDoctrines};

fn doctrine(src: &str) -> CompiledDoctrine {
    let input: DoctrineInput = toml::from_str(src).unwrap();
    CompiledDoctrine::new(validate_doctrine(&input).unwrap()).unwrap()
}

fn world() -> World {
    let input: WorldInput =
        toml::from_str(include_str!("../../../data/worlds/default.toml")).unwrap();
    World::new(input).unwrap()
}

fn compiled() -> Vec<(String, CompiledDoctrine)> {
    [
        (
            "vietnam",
            include_str!("../../../data/doctrines/vietnam.toml"),
        ),
        (
            "align-usa",
            include_str!("../../../data/doctrines/align-usa.toml"),
        ),
        (
            "bandwagon-china",
            include_str!("../../../data/doctrines/bandwagon-china.toml"),
        ),
        (
            "neutral",
            include_str!("../../../data/doctrines/neutral.toml"),
        ),
    ]
    .iter()
    .map(|(n, s)| (n.to_string(), doctrine(s)))
    .collect()
}

fn docs<'a>(w: &World, c: &'a [(String, CompiledDoctrine)]) -> SimDoctrines<'a> {
    let get = |n: &str| &c.iter().find(|(m, _)| m == n).unwrap().1;
    SimDoctrines {
        compared: w.compare.iter().map(|n| (n.clone(), get(n))).collect(),
        states: w.states.iter().map(|s| get(&s.doctrine)).collect(),
        yardstick: get(&w.yardstick),
    }
}

fn parts(w: &World, d: &SimDoctrines, cfg: &SimConfig, n: u32) -> Vec<Partial> {
    (1..=n)
        .map(|k| {
            let p = simulate_shard(w, d, cfg, (k, n), "test", &|_| {}, &|| false).unwrap();
            // Through JSON and back, as a shard's file would be.
            serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap()
        })
        .collect()
}

#[test]
fn any_number_of_shards_in_any_order_merges_to_the_one_process_report() {
    let w = world();
    let c = compiled();
    let d = docs(&w, &c);
    // 75 runs: slices of uneven sizes that do not fall on chunk boundaries.
    let cfg = SimConfig {
        runs: 75,
        years: 9,
        seed: 11,
    };
    let whole = serde_json::to_string_pretty(&simulate(&w, &d, &cfg, &|_| {}).unwrap()).unwrap();
    for n in [1, 2, 3, 7, 75, 80] {
        let mut ps = parts(&w, &d, &cfg, n);
        let merged = serde_json::to_string_pretty(&merge(&ps).unwrap()).unwrap();
        assert_eq!(merged, whole, "{n} shards");
        ps.reverse();
        let reversed = serde_json::to_string_pretty(&merge(&ps).unwrap()).unwrap();
        assert_eq!(reversed, whole, "{n} shards, reversed");
    }
}

#[test]
fn parts_that_do_not_belong_together_are_refused() {
    let w = world();
    let c = compiled();
    let d = docs(&w, &c);
    let cfg = SimConfig {
        runs: 20,
        years: 4,
        seed: 3,
    };
    let ps = parts(&w, &d, &cfg, 4);
    // A missing shard.
    let e = merge(&[ps[0].clone(), ps[1].clone(), ps[3].clone()]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the parts do not cover every run: runs 10..15 are in no part"
    );
    // A shard twice.
    let e = merge(&[
        ps[0].clone(),
        ps[1].clone(),
        ps[1].clone(),
        ps[2].clone(),
        ps[3].clone(),
    ])
    .unwrap_err();
    assert!(matches!(e, MergeError::Coverage { .. }), "{e}");
    assert!(e.to_string().contains("twice"), "{e}");
    // Another seed.
    let other = parts(&w, &d, &SimConfig { seed: 4, ..cfg }, 4);
    let e = merge(&[
        ps[0].clone(),
        ps[1].clone(),
        other[2].clone(),
        ps[3].clone(),
    ])
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "part 3: runs/years/seed is 20/4/4 but part 1's is 20/4/3; merge only the parts of one simulation"
    );
    // Other inputs.
    let mut x = ps[2].clone();
    x.inputs = "other".into();
    let e = merge(&[ps[0].clone(), ps[1].clone(), x, ps[3].clone()]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("part 3: the inputs' fingerprint is other"),
        "{e}"
    );
    // Damaged accumulators.
    let mut x = ps[0].clone();
    x.accumulators.pop();
    let e = merge(&[x, ps[1].clone(), ps[2].clone(), ps[3].clone()]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("part 1: its accumulators do not fit"),
        "{e}"
    );
    assert_eq!(merge(&[]).unwrap_err(), MergeError::Empty);
    // A bad K/N.
    let e = simulate_shard(&w, &d, &cfg, (5, 4), "t", &|_| {}, &|| false).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("--shard 5/4: K must be from 1 to N"),
        "{e}"
    );
}
