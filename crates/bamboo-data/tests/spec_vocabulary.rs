//! The vocabularies of `bamboo_core::case` (kinds with their options, tags, tiers) against
//! the contract itself, `shared/spec/cases.md`, read from the file: its kinds table, its tier
//! line and its tag paragraph.

use std::path::Path;

use bamboo_core::case::{Kind, Opt, Tag, Tier};

fn spec() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/cases.md");
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The words in backticks of a piece of text, in order.
fn ticked(s: &str) -> Vec<String> {
    s.split('`').skip(1).step_by(2).map(String::from).collect()
}

/// The lines of the section under `heading`, up to the next heading.
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| l.trim() != heading)
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .collect()
}

#[test]
fn kinds_and_their_options_are_the_specs_table() {
    let text = spec();
    let rows: Vec<Vec<&str>> = section(&text, "## Kinds and their options")
        .into_iter()
        .filter(|l| l.starts_with("| `"))
        .map(|l| l.split('|').map(str::trim).collect())
        .collect();
    let kinds: Vec<String> = rows.iter().map(|r| ticked(r[1])[0].clone()).collect();
    assert_eq!(kinds, Kind::NAMES, "the kinds, in the spec's order");
    let mut every: Vec<String> = Vec::new();
    for (k, r) in Kind::ALL.into_iter().zip(&rows) {
        let opts: Vec<&str> = k.options().iter().map(|o| o.as_str()).collect();
        assert_eq!(
            ticked(r[3]),
            opts,
            "the options of {k}, in the spec's order"
        );
        every.extend(ticked(r[3]));
    }
    every.sort();
    every.dedup();
    let mut names = Opt::NAMES.to_vec();
    names.sort();
    assert_eq!(
        every, names,
        "every option, and only those, belongs to some kind"
    );
}

#[test]
fn tiers_are_the_specs() {
    let text = spec();
    let line = text
        .lines()
        .find(|l| l.starts_with("`tier` (partnership only):"))
        .expect("the spec's tier line");
    let mut spec: Vec<String> = ticked(line.split_once(':').unwrap().1);
    spec.sort();
    let mut ours = Tier::NAMES.to_vec();
    ours.sort();
    assert_eq!(spec, ours);
}

#[test]
fn tags_are_the_specs_vocabulary_in_order() {
    let text = spec();
    let para: Vec<&str> = section(&text, "## Tag vocabulary")
        .into_iter()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(ticked(&para.join(" ")), Tag::NAMES);
}
