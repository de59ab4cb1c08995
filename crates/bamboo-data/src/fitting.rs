//! `doctrine fit` on real cases: lowers cases through an [`Advisor`] (its ledger, data and
//! precedents, as of each case's date) into the fitter's design, fits the vote branch, and
//! scores the fitted doctrine on the cases fitted to and on those held out after them.

use bamboo_core::backtest::BacktestReport;
use bamboo_core::case::{Case, Kind};
use bamboo_core::doctrine::{CompiledDoctrine, FitInfo, VoteBranch};
use bamboo_core::engine::{decide, prepare, vote_design};
use bamboo_core::fit::{fit_votes, rounded, FitCase, FitConfig, FitResult};
use bamboo_core::Iso3;

use crate::advisor::{AdviseError, Advisor};

/// A fit and how the fitted doctrine scores.
pub struct FitOutcome {
    pub result: FitResult,
    /// The doctrine with the fitted (rounded) vote branch.
    pub advisor: Advisor,
    /// The fitted doctrine on the cases it was fitted to (votes and every other kind).
    pub train: BacktestReport,
    /// On the cases held out (dated on or after the end of the fit), if any.
    pub test: Option<BacktestReport>,
    /// How many states were candidate peers.
    pub candidates: usize,
}

/// Why a fit failed.
#[derive(Debug, thiserror::Error)]
pub enum FitFailure {
    #[error(transparent)]
    Advise(#[from] AdviseError),
    #[error(transparent)]
    Fit(#[from] bamboo_core::fit::FitError),
    #[error("the fitted doctrine is not valid: {0}")]
    Invalid(String),
}

/// The states that voted on at least `share` of the vote cases: the candidate peers.
pub fn candidate_peers(cases: &[&Case], subject: Iso3, share: f64) -> Vec<Iso3> {
    let mut count: std::collections::BTreeMap<Iso3, usize> = Default::default();
    for c in cases {
        let p = &c.positions;
        for x in p.yes.iter().chain(&p.no).chain(&p.abstain) {
            if *x != subject {
                *count.entry(*x).or_default() += 1;
            }
        }
    }
    let need = (cases.len() as f64 * share).ceil() as usize;
    count
        .into_iter()
        .filter(|(_, n)| *n >= need.max(1))
        .map(|(c, _)| c)
        .collect()
}

/// Fits the advisor's doctrine's vote branch to the vote cases of `train` (in date order),
/// and scores the result on `train` and `test`. `what` says what the cases are, for the
/// provenance written into the doctrine.
pub fn fit(
    advisor: &Advisor,
    train: &[Case],
    test: &[Case],
    cfg: &FitConfig,
    what: &str,
) -> Result<FitOutcome, FitFailure> {
    // The hand-set doctrine alone: its scores are the offsets the vote branch adds to.
    let mut bare = advisor.doctrine.doctrine().clone();
    bare.branches.votes = VoteBranch::default();
    let bare = CompiledDoctrine::new(bare).map_err(|e| FitFailure::Invalid(e.to_string()))?;
    let mut votes: Vec<&Case> = train
        .iter()
        .filter(|c| c.kind == Kind::UnVote && c.actual.is_some())
        .collect();
    votes.sort_by_key(|c| c.date);
    let subject = advisor.doctrine.subject();
    let candidates = candidate_peers(&votes, subject, 0.3);
    let ev = advisor.evidence();
    let mut fit_cases = Vec::with_capacity(votes.len());
    for c in &votes {
        let (s, cx, inputs) = prepare(&bare, &advisor.ledger, &ev, c);
        let dec = decide(&bare, &s, &cx);
        let Some(actual) = c.actual.and_then(|a| c.kind.option_index(a)) else {
            continue;
        };
        fit_cases.push(FitCase {
            offset: [0, 1, 2].map(|i| dec.options[i].score),
            allowed: [0, 1, 2].map(|i| dec.options[i].violations == 0),
            design: vote_design(&candidates, c, inputs.precedent.as_ref().map(|p| p.vote)),
            actual,
        });
    }
    let result = fit_votes(&candidates, &fit_cases, cfg)?;
    let mut branch = rounded(&result.branch);
    let (first, last) = (
        votes
            .first()
            .map(|c| c.date.to_string())
            .unwrap_or_default(),
        votes.last().map(|c| c.date.to_string()).unwrap_or_default(),
    );
    branch.fit = Some(FitInfo {
        cases: what.to_string(),
        n: result.used as u32,
        from: first,
        to: last,
        method: format!(
            "penalised maximum likelihood (L-BFGS), lambda_peers {} chosen on a time split (validation accuracy {:.4}), lambda_other {}, at most {} peers",
            result.lambda_peers, result.validation, cfg.lambda_other, cfg.max_peers
        ),
        in_sample: bamboo_core::engine::round4(result.in_sample),
    });
    let mut doc = advisor.doctrine.doctrine().clone();
    doc.branches.votes = branch;
    let fitted = CompiledDoctrine::new(doc).map_err(|e| FitFailure::Invalid(e.to_string()))?;
    let mut fitted_advisor = advisor.clone();
    fitted_advisor.doctrine = fitted;
    let (train_report, _) = fitted_advisor.backtest(train)?;
    let test_report = if test.is_empty() {
        None
    } else {
        Some(fitted_advisor.backtest(test)?.0)
    };
    Ok(FitOutcome {
        result,
        advisor: fitted_advisor,
        train: train_report,
        test: test_report,
        candidates: candidates.len(),
    })
}
