//! A doctrine with everything it reads (its ledger, and the UN votes, trade and arms flows
//! of the data folder), ready to answer cases. `bamboo advise`/`backtest` and the server's
//! `POST /api/advise`/`backtest` both answer through [`Advisor`], and both print JSON with
//! [`advice_json`] and [`backtest_json`], so the same case file gives the same bytes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bamboo_core::backtest::{check_cases, score, BacktestError, BacktestReport};
use bamboo_core::baselines::History;
use bamboo_core::baselines::RecordIndex;
use bamboo_core::case::{Case, Opt};
use bamboo_core::doctrine::CompiledDoctrine;
use bamboo_core::engine::{
    decide, explain, explain_advice, prepare, Advice, ContextInputs, ContextMemo, Decision,
    Evidence, Situation, Trace,
};
use bamboo_core::flows::Flows;
use bamboo_core::ledger::Ledger;
use bamboo_core::plan::{Plan, PlanMemo};
use bamboo_core::record::RecordRules;
use bamboo_core::{Iso3, VoteStore};

use crate::countries::Countries;
use crate::error::DataError;
use crate::locate::DataDir;
use crate::toml_input::InputError;

/// How an answer is worded from a prepared, decided and planned case.
type Wording<T> =
    fn(&CompiledDoctrine, &Case, &Situation, &ContextInputs, &Decision, Option<&Plan>) -> T;

/// What the answers of one batch (one doctrine, ledger and evidence) share: each date's
/// context and the doctrine's plans, which give the answers of answering each case alone.
struct Batch<'a> {
    contexts: ContextMemo<'a>,
    plans: PlanMemo<'a>,
}

impl<'a> Batch<'a> {
    fn new(advisor: &'a Advisor, ledger: &'a Ledger) -> Batch<'a> {
        Batch {
            contexts: ContextMemo::new(&advisor.doctrine, ledger, advisor.evidence()),
            plans: PlanMemo::new(&advisor.doctrine),
        }
    }
}

/// Why a doctrine cannot be loaded or cannot answer.
#[derive(Debug, thiserror::Error)]
pub enum AdviseError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("{}: the ledger is about {ledger_subject} but the doctrine's subject is {doctrine_subject}", ledger.display())]
    LedgerSubject {
        ledger: PathBuf,
        ledger_subject: Iso3,
        doctrine_subject: Iso3,
    },
    #[error(
        "case `{id}` is about {case_subject} but the doctrine `{doctrine}` is about {subject}"
    )]
    CaseSubject {
        id: String,
        case_subject: Iso3,
        doctrine: String,
        subject: Iso3,
    },
    #[error(transparent)]
    Backtest(#[from] BacktestError),
    #[error("JSON output failed: {0}")]
    Json(#[from] serde_json::Error),
    #[error("writing the answers: {0}")]
    Write(#[from] std::io::Error),
}

/// A doctrine, its ledger and the public data, ready to answer cases.
#[derive(Clone)]
pub struct Advisor {
    pub doctrine: CompiledDoctrine,
    pub ledger: Ledger,
    pub votes: Option<Arc<VoteStore>>,
    pub trade: Option<Flows>,
    pub arms: Option<Flows>,
    /// The record rules (tags of earlier roll calls, for the `last-similar` baseline).
    pub rules: Option<RecordRules>,
    /// The subject's votes in `votes`, indexed for precedents.
    pub record: Option<RecordIndex>,
    /// The planner's horizon in months (default: the doctrine's).
    pub horizon: Option<u32>,
    /// Where the data came from, or why there is none.
    pub provenance: String,
}

impl Advisor {
    /// Reads a doctrine and its ledger (`ledger` overrides the one the doctrine names),
    /// without the public data: [`Advisor::with_data`] adds it.
    pub fn open(doctrine: &Path, ledger: Option<&Path>) -> Result<Advisor, AdviseError> {
        let d = crate::doctrine::read_doctrine(doctrine)?;
        let ledger_path = ledger
            .map(Path::to_path_buf)
            .or_else(|| crate::doctrine::ledger_path(doctrine, d.doctrine()));
        let ledger = match &ledger_path {
            Some(p) => crate::ledger::read_ledger_about(p, d.subject(), doctrine)?,
            None => Ledger::default(),
        };
        if let Some(s) = ledger.subject {
            if s != d.subject() {
                return Err(AdviseError::LedgerSubject {
                    ledger: ledger_path.unwrap_or_default(),
                    ledger_subject: s,
                    doctrine_subject: d.subject(),
                });
            }
        }
        Ok(Advisor {
            doctrine: d,
            ledger,
            votes: None,
            trade: None,
            arms: None,
            rules: None,
            record: None,
            horizon: None,
            provenance: String::new(),
        })
    }

    /// Adds the public data: the loaded votes, and the subject's trade and arms flows read
    /// from the data folder.
    pub fn with_data(
        mut self,
        dir: &DataDir,
        votes: Arc<VoteStore>,
        countries: &Countries,
    ) -> Result<Advisor, AdviseError> {
        let subject = self.doctrine.subject();
        self.trade = crate::trade::read_trade(&dir.root, subject)?;
        self.arms = crate::arms::read_arms(&dir.root, countries, subject)?;
        let rules = crate::record::load_rules(None, countries)?;
        self.record = RecordIndex::new(&votes, Some(&rules), subject);
        self.rules = Some(rules);
        self.votes = Some(votes);
        self.provenance = format!("data folder {} (from {})", dir.root.display(), dir.how);
        Ok(self)
    }

    pub fn evidence(&self) -> Evidence<'_> {
        Evidence {
            votes: self.votes.as_deref(),
            trade: self.trade.as_ref(),
            arms: self.arms.as_ref(),
            record: self.record.as_ref(),
        }
    }

    /// Answers one case from the doctrine's own ledger.
    pub fn advise(&self, case: &Case) -> Result<(Advice, Trace), AdviseError> {
        self.advise_with(case, &self.ledger)
    }

    /// Answers one case reading `ledger` instead of the doctrine's own (the server's live
    /// ledger, say).
    pub fn advise_with(
        &self,
        case: &Case,
        ledger: &Ledger,
    ) -> Result<(Advice, Trace), AdviseError> {
        self.answer_with(case, ledger, explain, None)
    }

    /// [`Advisor::advise_with`]'s advice alone, the same bytes, without building the trace
    /// (its detail texts and copies), for answers that print the advice alone.
    pub fn advice_with(&self, case: &Case, ledger: &Ledger) -> Result<Advice, AdviseError> {
        self.answer_with(case, ledger, explain_advice, None)
    }

    /// Prepares, decides and plans one case, then words the answer with `words`
    /// ([`explain`] or [`explain_advice`]). A batch of cases passes what it shares (made
    /// for `ledger`), which gives the same answers as answering each case afresh.
    fn answer_with<T>(
        &self,
        case: &Case,
        ledger: &Ledger,
        words: Wording<T>,
        batch: Option<&Batch<'_>>,
    ) -> Result<T, AdviseError> {
        let d = &self.doctrine;
        self.check_subject(case)?;
        let (s, cx, inputs) = match batch {
            Some(b) => b.contexts.prepare(case),
            None => prepare(d, ledger, &self.evidence(), case),
        };
        let dec = decide(d, &s, &cx);
        let planned = (!d.trunk().moves.is_empty()).then(|| match batch {
            Some(b) => b.plans.plan(&s, &cx, &dec, ledger, case.date, self.horizon),
            None => bamboo_core::plan::plan(d, &s, &cx, &dec, ledger, case.date, self.horizon),
        });
        Ok(words(d, case, &s, &inputs, &dec, planned.as_ref()))
    }

    /// Answers one case with the planner's full answer and what the aftermath test needs:
    /// the poles the choice pleased and the pole with the lowest relation among the others.
    pub fn plan_case(&self, case: &Case) -> Result<PlanAnswer, AdviseError> {
        self.plan_case_with(case, &self.ledger, self.horizon)
    }

    /// [`Advisor::plan_case`] reading `ledger` (the server's live ledger, say) over
    /// `horizon` months (`None`: the doctrine's).
    pub fn plan_case_with(
        &self,
        case: &Case,
        ledger: &Ledger,
        horizon: Option<u32>,
    ) -> Result<PlanAnswer, AdviseError> {
        let d = &self.doctrine;
        self.check_subject(case)?;
        let (s, cx, inputs) = prepare(d, ledger, &self.evidence(), case);
        let dec = decide(d, &s, &cx);
        let planned = bamboo_core::plan::plan(d, &s, &cx, &dec, ledger, case.date, horizon);
        let pleased = bamboo_core::plan::pleased_poles(d, &s, &dec);
        let lowest = bamboo_core::plan::lowest_relation_pole(d, &cx, &pleased);
        let (advice, trace) = explain(
            d,
            case,
            &s,
            &inputs,
            &dec,
            (!d.trunk().moves.is_empty()).then_some(&planned),
        );
        Ok(PlanAnswer {
            advice,
            trace,
            plan: planned,
            pleased,
            lowest,
        })
    }

    /// A case about another state than the doctrine's subject is an error (the only one an
    /// answer can have).
    fn check_subject(&self, case: &Case) -> Result<(), AdviseError> {
        let d = &self.doctrine;
        if case.subject == d.subject() {
            return Ok(());
        }
        Err(AdviseError::CaseSubject {
            id: case.id.clone(),
            case_subject: case.subject,
            doctrine: d.name().to_string(),
            subject: d.subject(),
        })
    }

    /// The first case, in order, about another state than the doctrine's subject.
    pub fn check_subjects(&self, cases: &[Case]) -> Result<(), AdviseError> {
        cases.iter().try_for_each(|c| self.check_subject(c))
    }

    /// Writes every case's advice to `w` as [`advice_json`] would print
    /// [`Advisor::advice_all_with`]'s answers, the same bytes, without holding them all: the
    /// cases are answered and serialised in parallel, [`WRITE_CHUNK`] at a time, and each
    /// chunk written before the next is answered. The only error an answer can have (a case
    /// about another subject) is looked for in every case before anything is written, so an
    /// error writes nothing; an error of `w` itself is returned as it happens.
    pub fn write_advice_json_with(
        &self,
        cases: &[Case],
        ledger: &Ledger,
        w: &mut dyn std::io::Write,
    ) -> Result<(), AdviseError> {
        use rayon::prelude::*;
        self.check_subjects(cases)?;
        let mut out = PrettyArray::new(w);
        let batch = Batch::new(self, ledger);
        for chunk in cases.chunks(WRITE_CHUNK) {
            let parts: Vec<Result<String, AdviseError>> = chunk
                .par_iter()
                .with_min_len(16)
                .map(|c| {
                    let advice = self.answer_with(c, ledger, explain_advice, Some(&batch))?;
                    Ok(pretty_element(&advice)?)
                })
                .collect();
            for part in parts {
                out.push(&part?)?;
            }
        }
        out.finish()
    }

    /// Every case's advice alone, in order ([`Advisor::advise_all`]'s advice, the same bytes,
    /// without the traces).
    pub fn advice_all(&self, cases: &[Case]) -> Result<Vec<Advice>, AdviseError> {
        self.advice_all_with(cases, &self.ledger)
    }

    /// [`Advisor::advice_all`] reading `ledger`, in parallel like
    /// [`Advisor::advise_all_with`] (the error is the first case's in order).
    pub fn advice_all_with(
        &self,
        cases: &[Case],
        ledger: &Ledger,
    ) -> Result<Vec<Advice>, AdviseError> {
        self.all_with(cases, ledger, explain_advice)
    }

    /// Answers every case, in order.
    pub fn advise_all(&self, cases: &[Case]) -> Result<Vec<(Advice, Trace)>, AdviseError> {
        self.advise_all_with(cases, &self.ledger)
    }

    /// Answers every case, in order, reading `ledger`. Cases are answered in parallel
    /// (each is independent); the error, if any, is that of the first case in order that
    /// fails, as if they had been answered one by one.
    pub fn advise_all_with(
        &self,
        cases: &[Case],
        ledger: &Ledger,
    ) -> Result<Vec<(Advice, Trace)>, AdviseError> {
        self.all_with(cases, ledger, explain)
    }

    /// Every case answered by [`Advisor::answer_with`] with `words`, in parallel and in
    /// order; the error is that of the first case in order that fails.
    fn all_with<T: Send>(
        &self,
        cases: &[Case],
        ledger: &Ledger,
        words: Wording<T>,
    ) -> Result<Vec<T>, AdviseError> {
        use rayon::prelude::*;
        let batch = Batch::new(self, ledger);
        let answers: Vec<Result<T, AdviseError>> = cases
            .par_iter()
            .with_min_len(16)
            .map(|c| self.answer_with(c, ledger, words, Some(&batch)))
            .collect();
        answers.into_iter().collect()
    }

    /// The engine's choice for each case (no explanation, no plan: the fast path of a
    /// backtest).
    pub fn choices_with(&self, cases: &[Case], ledger: &Ledger) -> Result<Vec<Opt>, AdviseError> {
        let d = &self.doctrine;
        let ev = self.evidence();
        cases
            .iter()
            .map(|case| {
                self.check_subject(case)?;
                let (s, cx, _) = prepare(d, ledger, &ev, case);
                Ok(decide(d, &s, &cx).choice())
            })
            .collect()
    }

    /// Answers cases that record what the subject did, and scores the answers beside the
    /// baselines. Every case needs a valid `actual`. Returns the report and each case's
    /// choice; [`Advisor::advise`] explains any of them.
    pub fn backtest(&self, cases: &[Case]) -> Result<(BacktestReport, Vec<Opt>), AdviseError> {
        self.backtest_with(cases, &self.ledger)
    }

    /// [`Advisor::backtest`] reading `ledger`.
    pub fn backtest_with(
        &self,
        cases: &[Case],
        ledger: &Ledger,
    ) -> Result<(BacktestReport, Vec<Opt>), AdviseError> {
        check_cases(cases)?;
        let predicted = self.choices_with(cases, ledger)?;
        let history = History {
            votes: self.votes.as_deref(),
            rules: self.rules.as_ref(),
        };
        let report = score(cases, &predicted, self.doctrine.poles(), &history)?;
        Ok((report, predicted))
    }
}

/// A case answered with its plan (see [`Advisor::plan_case`]).
pub struct PlanAnswer {
    pub advice: Advice,
    pub trace: Trace,
    pub plan: bamboo_core::plan::Plan,
    pub pleased: Vec<Iso3>,
    pub lowest: Option<Iso3>,
}

/// The JSON of `bamboo advise --json`: the answers as a pretty-printed array, one line end.
pub fn advice_json(answers: &[Advice]) -> Result<String, AdviseError> {
    use rayon::prelude::*;
    let parts: Vec<String> = answers
        .par_iter()
        .with_min_len(16)
        .map(pretty_element)
        .collect::<Result<_, _>>()?;
    let mut bytes = Vec::with_capacity(parts.iter().map(|p| p.len() + 4).sum::<usize>() + 4);
    let mut out = PrettyArray::new(&mut bytes);
    for p in &parts {
        out.push(p)?;
    }
    out.finish()?;
    Ok(String::from_utf8(bytes).expect("serde_json writes UTF-8"))
}

/// How many cases [`Advisor::write_advice_json_with`] answers before writing them.
pub const WRITE_CHUNK: usize = 1024;

/// `x` pretty-printed as an element of a pretty-printed array: serde_json's pretty output
/// with every line after the first indented two more spaces, which is how its printer nests
/// an element. Printed so at once, by serde_json's own pretty formatter already one level
/// down (it has opened an array, written nowhere), not printed and then re-indented.
fn pretty_element<T: serde::Serialize>(x: &T) -> Result<String, serde_json::Error> {
    use serde_json::ser::{Formatter, PrettyFormatter};
    let mut nested = PrettyFormatter::new();
    nested
        .begin_array(&mut std::io::sink())
        .map_err(serde_json::Error::io)?;
    // An answer prints to about 2 kB: room for it at once, not grown from nothing.
    let mut bytes = Vec::with_capacity(4096);
    x.serialize(&mut serde_json::Serializer::with_formatter(
        &mut bytes, nested,
    ))?;
    Ok(String::from_utf8(bytes).expect("serde_json writes UTF-8"))
}

/// A pretty-printed JSON array written element by element, byte for byte as
/// `serde_json::to_string_pretty` prints the whole array, then a line end.
struct PrettyArray<'w> {
    w: &'w mut dyn std::io::Write,
    empty: bool,
}

impl<'w> PrettyArray<'w> {
    fn new(w: &'w mut dyn std::io::Write) -> Self {
        PrettyArray { w, empty: true }
    }

    /// Adds one element, already made by [`pretty_element`].
    fn push(&mut self, element: &str) -> std::io::Result<()> {
        let lead: &[u8] = if self.empty { b"[\n  " } else { b",\n  " };
        self.empty = false;
        self.w.write_all(lead)?;
        self.w.write_all(element.as_bytes())
    }

    /// Closes the array (`[]` when nothing was pushed) and ends the line.
    fn finish(self) -> Result<(), AdviseError> {
        let end: &[u8] = if self.empty { b"[]\n" } else { b"\n]\n" };
        Ok(self.w.write_all(end)?)
    }
}

/// The JSON of `bamboo plan --json`: per case, its id, the choice and the planner's full
/// answer, pretty-printed, one line end.
pub fn plan_json(answers: &[PlanAnswer]) -> Result<String, AdviseError> {
    let v: Vec<serde_json::Value> = answers
        .iter()
        .map(|x| {
            serde_json::json!({
                "id": x.advice.id,
                "choice": x.advice.choice,
                "plan": x.plan,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&v)?;
    s.push('\n');
    Ok(s)
}

/// The JSON of `bamboo backtest --json`.
pub fn backtest_json(report: &BacktestReport) -> Result<String, AdviseError> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Something shaped like an answer: strings that need escaping (line ends, quotes,
    /// non-ASCII), numbers, nested arrays (some empty) and nested objects (some empty).
    #[derive(serde::Serialize, Debug, Clone)]
    struct Shaped {
        id: String,
        score: f64,
        steps: Vec<Vec<String>>,
        lean: Option<(f64, f64)>,
        by: std::collections::BTreeMap<String, Vec<u8>>,
    }

    fn shaped() -> impl Strategy<Value = Shaped> {
        (
            "[a-z\\n\"é ]{0,12}",
            -1e3f64..1e3,
            prop::collection::vec(prop::collection::vec("[a-z\\n]{0,5}", 0..3), 0..3),
            prop::option::of((-1.0f64..1.0, -1.0f64..1.0)),
            prop::collection::btree_map("[a-c]{1,2}", prop::collection::vec(0u8..9, 0..3), 0..3),
        )
            .prop_map(|(id, score, steps, lean, by)| Shaped {
                id,
                score,
                steps,
                lean,
                by,
            })
    }

    fn written(items: &[Shaped]) -> String {
        let mut bytes = Vec::new();
        let mut out = PrettyArray::new(&mut bytes);
        for x in items {
            out.push(&pretty_element(x).unwrap()).unwrap();
        }
        out.finish().unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn an_empty_array_is_written_as_serde_writes_it() {
        assert_eq!(written(&[]), "[]\n");
    }

    proptest! {
        /// Element by element, the array is byte for byte serde_json's pretty array.
        #[test]
        fn the_array_written_piecewise_is_serdes_pretty_array(
            items in prop::collection::vec(shaped(), 0..6)
        ) {
            let whole = serde_json::to_string_pretty(&items).unwrap() + "\n";
            prop_assert_eq!(written(&items), whole);
        }
    }
}
