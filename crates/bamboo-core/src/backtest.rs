//! Backtests: scores predicted answers against what the subject really did, beside the
//! spec's baselines (`follow:X` for each pole, and `always-first`).

use crate::baselines::History;
use crate::case::{Case, Kind, Opt, Side, Tag};
use crate::country::Iso3;
use crate::engine::round4;

/// Why a set of cases cannot be backtested.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BacktestError {
    /// A case records no `actual`.
    #[error("case `{id}` has no `actual`: a backtest needs what the subject really did")]
    MissingActual {
        /// The case's id.
        id: String,
    },
    /// A case's `actual` is not an option of its kind.
    #[error("case `{id}`: `actual = \"{actual}\"` is not an option of kind `{kind}`")]
    NotAnOption {
        /// The case's id.
        id: String,
        /// The recorded answer.
        actual: String,
        /// The case's kind.
        kind: Kind,
    },
    /// Not one prediction per case.
    #[error("{cases} cases but {predictions} predictions")]
    Mismatch {
        /// The cases given.
        cases: usize,
        /// The predictions given.
        predictions: usize,
    },
    /// No case at all.
    #[error("no cases to backtest")]
    Empty,
}

/// One case's line.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CaseResult {
    /// The case's id.
    pub id: String,
    /// What the subject really did.
    pub actual: Opt,
    /// What the doctrine answered.
    pub predicted: Opt,
    /// Whether they are the same.
    pub correct: bool,
}

/// The backtest report: the spec's keys (`cases`, `correct`, `accuracy`, `baselines`,
/// `results`), then the breakdowns an analyst needs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BacktestReport {
    /// How many cases were scored (at least 1).
    pub cases: usize,
    /// How many the doctrine answered as the subject did.
    pub correct: usize,
    /// `correct / cases`, rounded to 4 decimals.
    pub accuracy: f64,
    /// Baseline name and accuracy: `follow:X` for each pole (in the doctrine's order),
    /// `always-first`, then `majority`, `neighbour` and `last-similar`. Serialised as a
    /// JSON object.
    #[serde(serialize_with = "as_map")]
    pub baselines: Vec<(String, f64)>,
    /// One line per case, in the cases' order.
    pub results: Vec<CaseResult>,
    /// Accuracy per year of the case date.
    pub by_year: Vec<Group>,
    /// Accuracy over the cases that carry each tag (a case counts under each of its tags).
    pub by_tag: Vec<Group>,
    /// Accuracy per actual answer (the recall of each option).
    pub by_option: Vec<Group>,
    /// Actual against predicted answers, over the options that occur as either.
    pub confusion: Confusion,
    /// Precision and recall of the answers that carry a doctrine: abstaining and voting no.
    pub decisive: Vec<PrecisionRecall>,
    /// How the added baselines were computed for these cases.
    pub baseline_notes: Vec<String>,
}

/// Cases and correct answers in one group.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Group {
    /// What the group is: a year, a tag or an option, as text.
    pub key: String,
    /// Cases in the group.
    pub cases: usize,
    /// Of those, the ones answered correctly.
    pub correct: usize,
    /// `correct / cases`, rounded to 4 decimals.
    pub accuracy: f64,
}

/// Counts of (actual, predicted): `counts[i][j]` cases answered `labels[j]` whose actual
/// answer was `labels[i]`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Confusion {
    /// The options that occur as an actual or a predicted answer, in option order.
    pub labels: Vec<Opt>,
    /// `counts[i][j]`: cases whose actual answer was `labels[i]`, answered `labels[j]`.
    pub counts: Vec<Vec<usize>>,
}

/// Precision (of the predictions of an option, the share that were right) and recall (of
/// the cases where it was the answer, the share predicted); `null` when undefined.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PrecisionRecall {
    /// The option (`abstain` or `no`).
    pub option: Opt,
    /// Cases whose actual answer it was.
    pub actual: usize,
    /// Cases the doctrine answered with it.
    pub predicted: usize,
    /// Cases where it was both.
    pub correct: usize,
    /// `correct / predicted`, rounded to 4 decimals; `None` when never predicted.
    pub precision: Option<f64>,
    /// `correct / actual`, rounded to 4 decimals; `None` when never the answer.
    pub recall: Option<f64>,
}

fn group(key: String, hits: &[bool]) -> Group {
    let correct = hits.iter().filter(|&&h| h).count();
    Group {
        key,
        cases: hits.len(),
        correct,
        accuracy: round4(correct as f64 / hits.len().max(1) as f64),
    }
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

/// Scores predictions (one per case, same order) and the baselines for `poles`; the added
/// baselines read `history` (see [`crate::baselines`]).
pub fn score(
    cases: &[Case],
    predicted: &[Opt],
    poles: &[Iso3],
    history: &History,
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
    let acc = |f: &dyn Fn(usize, &Case) -> Opt| -> f64 {
        let hits = cases
            .iter()
            .enumerate()
            .filter(|(i, c)| c.actual == Some(f(*i, c)))
            .count();
        round4(hits as f64 / n)
    };
    let mut baselines: Vec<(String, f64)> = poles
        .iter()
        .map(|&x| (format!("follow:{x}"), acc(&|_, c| follow(c, x))))
        .collect();
    baselines.push(("always-first".into(), acc(&|_, c| always_first(c))));
    let added = crate::baselines::answer(cases, history);
    baselines.push(("majority".into(), acc(&|i, _| added.majority[i])));
    baselines.push(("neighbour".into(), acc(&|i, _| added.neighbour[i])));
    baselines.push(("last-similar".into(), acc(&|i, _| added.last_similar[i])));
    let mut baseline_notes = Vec::new();
    let mut followed: Vec<(Iso3, usize)> = Vec::new();
    for x in added.neighbours.iter().flatten() {
        match followed.iter_mut().find(|f| f.0 == *x) {
            Some(f) => f.1 += 1,
            None => followed.push((*x, 1)),
        }
    }
    followed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let list: Vec<String> = followed.iter().map(|(x, k)| format!("{x} ({k})")).collect();
    baseline_notes.push(format!(
        "neighbour followed {}{}",
        if list.is_empty() {
            "no state".to_string()
        } else {
            list.join(", ")
        },
        if added.neighbour_fallbacks > 0 {
            format!(
                "; {} cases had no neighbour in the vote data and took the first option",
                added.neighbour_fallbacks
            )
        } else {
            String::new()
        }
    ));
    baseline_notes.push(format!(
        "last-similar found an earlier similar decision for {} of {} cases; the rest took the first option",
        cases.len() - added.similar_fallbacks,
        cases.len()
    ));

    // Breakdowns.
    let hits: Vec<bool> = results.iter().map(|r| r.correct).collect();
    let mut by_year: Vec<Group> = Vec::new();
    let mut years: Vec<i32> = cases.iter().map(|c| c.date.year()).collect();
    years.sort_unstable();
    years.dedup();
    for y in years {
        let h: Vec<bool> = cases
            .iter()
            .zip(&hits)
            .filter(|(c, _)| c.date.year() == y)
            .map(|(_, h)| *h)
            .collect();
        by_year.push(group(y.to_string(), &h));
    }
    let mut by_tag = Vec::new();
    for t in Tag::ALL {
        let h: Vec<bool> = cases
            .iter()
            .zip(&hits)
            .filter(|(c, _)| c.tags.contains(t))
            .map(|(_, h)| *h)
            .collect();
        if !h.is_empty() {
            by_tag.push(group(t.to_string(), &h));
        }
    }
    let mut labels: Vec<Opt> = results
        .iter()
        .flat_map(|r| [r.actual, r.predicted])
        .collect();
    labels.sort();
    labels.dedup();
    let mut by_option = Vec::new();
    let mut counts = vec![vec![0usize; labels.len()]; labels.len()];
    for r in &results {
        let i = labels.iter().position(|&l| l == r.actual).unwrap_or(0);
        let j = labels.iter().position(|&l| l == r.predicted).unwrap_or(0);
        counts[i][j] += 1;
    }
    for l in &labels {
        let h: Vec<bool> = results
            .iter()
            .filter(|r| r.actual == *l)
            .map(|r| r.correct)
            .collect();
        if !h.is_empty() {
            by_option.push(group(l.to_string(), &h));
        }
    }
    let decisive = [Opt::Abstain, Opt::No]
        .into_iter()
        .filter(|_| cases.iter().any(|c| c.kind == Kind::UnVote))
        .map(|o| {
            let actual = results.iter().filter(|r| r.actual == o).count();
            let pred = results.iter().filter(|r| r.predicted == o).count();
            let corr = results
                .iter()
                .filter(|r| r.actual == o && r.predicted == o)
                .count();
            PrecisionRecall {
                option: o,
                actual,
                predicted: pred,
                correct: corr,
                precision: (pred > 0).then(|| round4(corr as f64 / pred as f64)),
                recall: (actual > 0).then(|| round4(corr as f64 / actual as f64)),
            }
        })
        .collect();
    Ok(BacktestReport {
        cases: cases.len(),
        correct,
        accuracy: round4(correct as f64 / n),
        baselines,
        results,
        by_year,
        by_tag,
        by_option,
        confusion: Confusion { labels, counts },
        decisive,
        baseline_notes,
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
        let r = score(
            &[v, s],
            &[Opt::Abstain, Opt::Decline],
            &[usa, chn],
            &History::default(),
        )
        .unwrap();
        assert_eq!((r.correct, r.accuracy), (1, 0.5));
        assert_eq!(r.baselines[0], ("follow:USA".into(), 0.5));
        assert_eq!(r.baselines[1], ("follow:CHN".into(), 0.5));
        assert_eq!(r.baselines[2], ("always-first".into(), 0.5));
    }

    #[test]
    fn a_missing_actual_is_an_error() {
        let c = case("visit", None, None);
        assert!(matches!(
            score(&[c], &[Opt::Accept], &[], &History::default()),
            Err(BacktestError::MissingActual { .. })
        ));
    }
}
