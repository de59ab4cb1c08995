//! The plan memo of a batch of cases against planning each case afresh, on the real
//! record: Vietnam's recorded General Assembly votes of 2015-2024 (where a year's votes
//! share their context, so most plans are asked for again on another date) and the shipped
//! curated cases, answered by the shipped Vietnam doctrine with the shared data. The batch
//! ([`Advisor::advice_all`], with the memo) must give every case the advice that
//! [`Advisor::advice_with`] (no memo) gives it alone, byte for byte.

use std::path::Path;
use std::sync::Arc;

use bamboo_core::record::RecordQuery;
use bamboo_core::{Date, Iso3};
use bamboo_data::advisor::Advisor;
use bamboo_data::DataDir;

#[test]
fn a_batch_with_the_memo_answers_as_each_case_alone() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = here.join("../../../shared/data");
    assert!(
        root.join("unga").is_dir(),
        "the shared data is missing at {}: the tests run on the real data",
        root.display()
    );
    let dir = DataDir::locate(Some(&root), None, Path::new(".")).unwrap();
    let (store, countries, _) = bamboo_data::votes::load_store(&dir, &[]).unwrap();
    let rules = bamboo_data::record::load_rules(None, &countries).unwrap();
    let mut cases = bamboo_core::record::cases_from_votes(
        &store,
        &rules,
        &RecordQuery {
            subject: Iso3::from_static("VNM"),
            from: Date::parse("2015-01-01").ok(),
            to: None,
        },
    );
    let recorded = cases.len();
    for f in [
        here.join("../../data/cases/vietnam-record.toml"),
        here.join("../../../shared/cases/vietnam.toml"),
    ] {
        cases.extend(bamboo_data::case::read_cases(&f).unwrap());
    }
    let advisor = Advisor::open(&here.join("../../data/doctrines/vietnam.toml"), None)
        .unwrap()
        .with_data(&dir, Arc::new(store), &countries)
        .unwrap();
    let batch = advisor.advice_all(&cases).unwrap();
    assert_eq!(batch.len(), cases.len());
    let mut planned = 0;
    for (case, memo) in cases.iter().zip(&batch) {
        let alone = advisor.advice_with(case, &advisor.ledger).unwrap();
        assert_eq!(
            serde_json::to_string(memo).unwrap(),
            serde_json::to_string(&alone).unwrap(),
            "case {}",
            case.id
        );
        planned += usize::from(!alone.plan.is_empty());
    }
    // Most of the record needs a plan: the comparison is about plans, not empty ones.
    assert!(
        recorded > 400 && planned > recorded / 2,
        "{recorded} votes, {planned} planned"
    );
}
