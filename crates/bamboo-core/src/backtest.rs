//! Backtests: scores predicted answers against what the subject really did, beside the
//! spec's baselines (`follow:X` for each pole, and `always-first`).

use crate::case::{Case, Kind, Opt, Side};
use crate::country::Iso3;
use crate::engine::round4;

/// Why a set of cases cannot be backtested.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BacktestError {
    #[error("case `{id}` has no `actual`: a backtest needs what the subject really did")]
    MissingActual { id: String },
    #[error("case `{id}`: `actual = \"{actual}\"` is not an option of kind `{kind}`")]
    NotAnOption {
        id: String,
        actual: String,
        kind: Kind,
    },
    #[error("{cases} cases but {predictions} predictions")]
    Mismatch { cases: usize, predictions: usize },
    #[error("no cases to backtest")]
    Empty,
}

/// One case's line.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CaseResult {
    pub id: String,
    pub actual: Opt,
    pub predicted: Opt,
    pub correct: bool,
}

/// The backtest report, in the spec's shape.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BacktestReport {
    pub cases: usize,
    pub correct: usize,
    pub accuracy: f64,
    /// Baseline name and accuracy, poles first (in the doctrine's order), then
    /// `always-first`. Serialised as a JSON object.
    #[serde(serialize_with = "as_map")]
    pub baselines: Vec<(String, f64)>,
    pub results: Vec<CaseResult>,
}

fn as_map<S: serde::Serializer>(v: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(v.len()))?;
    for (k, x) in v {
        m.serialize_entry(k, x)?;
    }
    m.end()
}

/// The answer of the `follow:X` baseline: for a vote, X's vote (abstain where the case
/// does not give it); otherwise the first option when X is the counterpart or supports,
/// the second when X opposes, and the first otherwise. An explicit listing wins over being
/// the counterpart.
pub fn follow(case: &Case, x: Iso3) -> Opt {
    let opts = case.kind.options();
    match case.positions.side_of(x) {
        Some(Side::Yes) => Opt::Yes,
        Some(Side::No) => Opt::No,
        Some(Side::Abstain) => Opt::Abstain,
        None if case.kind == Kind::UnVote => Opt::Abstain,
        Some(Side::Oppose) => opts[1],
        Some(Side::Support) | None => opts[0],
    }
}

/// The answer of the `always-first` baseline.
pub fn always_first(case: &Case) -> Opt {
    case.kind.options()[0]
}

/// The recorded answer of a case, or the error that makes it unusable for a backtest.
pub fn actual_of(case: &Case) -> Result<Opt, BacktestError> {
    let a = case.actual.ok_or_else(|| BacktestError::MissingActual {
        id: case.id.clone(),
    })?;
    if case.kind.option_index(a).is_none() {
        return Err(BacktestError::NotAnOption {
            id: case.id.clone(),
            actual: a.to_string(),
            kind: case.kind,
        });
    }
    Ok(a)
}

/// Checks that every case can be backtested (all have a valid `actual`).
pub fn check_cases(cases: &[Case]) -> Result<(), BacktestError> {
    if cases.is_empty() {
        return Err(BacktestError::Empty);
    }
    cases.iter().try_for_each(|c| actual_of(c).map(|_| ()))
}

/// Scores predictions (one per case, same order) and the baselines for `poles`.
pub fn score(
    cases: &[Case],
    predicted: &[Opt],
    poles: &[Iso3],
) -> Result<BacktestReport, BacktestError> {
    check_cases(cases)?;
    if cases.len() != predicted.len() {
        return Err(BacktestError::Mismatch {
            cases: cases.len(),
            predictions: predicted.len(),
        });
    }
    let mut results = Vec::with_capacity(cases.len());
    let mut correct = 0;
    for (c, &p) in cases.iter().zip(predicted) {
        let a = actual_of(c)?;
        correct += usize::from(a == p);
        results.push(CaseResult {
            id: c.id.clone(),
            actual: a,
            predicted: p,
            correct: a == p,
        });
    }
    let n = cases.len() as f64;
    let acc = |f: &dyn Fn(&Case) -> Opt| -> f64 {
        let hits = cases.iter().filter(|c| c.actual == Some(f(c))).count();
        round4(hits as f64 / n)
    };
    let mut baselines: Vec<(String, f64)> = poles
        .iter()
        .map(|&x| (format!("follow:{x}"), acc(&|c| follow(c, x))))
        .collect();
    baselines.push(("always-first".into(), acc(&always_first)));
    Ok(BacktestReport {
        cases: cases.len(),
        correct,
        accuracy: round4(correct as f64 / n),
        baselines,
        results,
    })
}

impl BacktestReport {
    /// The best baseline's accuracy.
    pub fn best_baseline(&self) -> Option<(&str, f64)> {
        self.baselines
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, v)| (k.as_str(), *v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{validate_case, CaseInput, PositionsInput};

    fn case(kind: &str, actual: Option<&str>, pos: Option<PositionsInput>) -> Case {
        validate_case(&CaseInput {
            id: format!("c-{kind}"),
            date: "2022-01-01".into(),
            subject: "VNM".into(),
            kind: kind.into(),
            title: "t".into(),
            counterpart: Some("USA".into()),
            sources: vec!["s".into()],
            actual: actual.map(String::from),
            positions: pos,
            ..CaseInput::default()
        })
        .unwrap()
    }

    #[test]
    fn baselines_follow_the_spec() {
        let usa = Iso3::from_static("USA");
        let chn = Iso3::from_static("CHN");
        let v = case(
            "un_vote",
            Some("abstain"),
            Some(PositionsInput {
                yes: Some(vec!["USA".into()]),
                ..Default::default()
            }),
        );
        assert_eq!(follow(&v, usa), Opt::Yes);
        assert_eq!(follow(&v, chn), Opt::Abstain);
        let s = case(
            "visit",
            Some("accept"),
            Some(PositionsInput {
                oppose: Some(vec!["CHN".into()]),
                ..Default::default()
            }),
        );
        assert_eq!(follow(&s, usa), Opt::Accept);
        assert_eq!(follow(&s, chn), Opt::Decline);
        let r = score(&[v, s], &[Opt::Abstain, Opt::Decline], &[usa, chn]).unwrap();
        assert_eq!((r.correct, r.accuracy), (1, 0.5));
        assert_eq!(r.baselines[0], ("follow:USA".into(), 0.5));
        assert_eq!(r.baselines[1], ("follow:CHN".into(), 0.5));
        assert_eq!(r.baselines[2], ("always-first".into(), 0.5));
    }

    #[test]
    fn a_missing_actual_is_an_error() {
        let c = case("visit", None, None);
        assert!(matches!(
            score(&[c], &[Opt::Accept], &[]),
            Err(BacktestError::MissingActual { .. })
        ));
    }
}
