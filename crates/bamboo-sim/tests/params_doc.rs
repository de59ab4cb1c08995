//! The parameter table of `docs/simulation.md` against the one definition of the world's
//! parameters (`bamboo_sim::params`): the same names in the same order, with the same
//! section, default and range, so the documentation cannot drift from the code.

use bamboo_sim::params::{parameters, Section};

const DOC: &str = include_str!("../../../docs/simulation.md");

/// A number as the table writes it (`0.5`, `1`, `-1`).
fn num(x: f64) -> String {
    format!("{x}")
}

#[test]
fn the_documented_parameters_are_the_defined_ones() {
    let rows: Vec<Vec<String>> = DOC
        .lines()
        .skip_while(|l| !l.starts_with("| parameter | section | default | range |"))
        .skip(2)
        .take_while(|l| l.starts_with("| `"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().trim_matches('`').to_string())
                .collect()
        })
        .collect();
    let defined: Vec<_> = parameters().collect();
    assert_eq!(rows.len(), defined.len(), "{rows:?}");
    for (row, p) in rows.iter().zip(defined) {
        assert_eq!(row[0], p.name);
        let section = match p.section {
            Section::Scenario => "scenario",
            Section::Mechanics => "mechanics",
        };
        assert_eq!(row[1], section, "{}", p.name);
        if let Some(d) = p.default {
            assert_eq!(row[2], num(d), "{}'s default", p.name);
        }
        assert_eq!(
            row[3],
            format!("{}..{}", num(p.min), num(p.max)),
            "{}'s range",
            p.name
        );
    }
}
