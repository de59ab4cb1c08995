//! A doctrine with everything it reads (its ledger, and the UN votes, trade and arms flows
//! of the data folder), ready to answer cases. `bamboo advise`/`backtest` and the server's
//! `POST /api/advise`/`backtest` both answer through [`Advisor`], and both print JSON with
//! [`advice_json`] and [`backtest_json`], so the same case file gives the same bytes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bamboo_core::backtest::{check_cases, score, BacktestError, BacktestReport};
use bamboo_core::case::Case;
use bamboo_core::doctrine::CompiledDoctrine;
use bamboo_core::engine::{build_context, decide, explain, Advice, Evidence, Situation, Trace};
use bamboo_core::flows::Flows;
use bamboo_core::ledger::Ledger;
use bamboo_core::{Iso3, VoteStore};

use crate::countries::Countries;
use crate::error::DataError;
use crate::locate::DataDir;
use crate::toml_input::InputError;

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
}

/// A doctrine, its ledger and the public data, ready to answer cases.
pub struct Advisor {
    pub doctrine: CompiledDoctrine,
    pub ledger: Ledger,
    pub votes: Option<Arc<VoteStore>>,
    pub trade: Option<Flows>,
    pub arms: Option<Flows>,
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
            .or_else(|| crate::doctrine::ledger_path(doctrine, &d.doctrine));
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
        self.votes = Some(votes);
        self.provenance = format!("data folder {} (from {})", dir.root.display(), dir.how);
        Ok(self)
    }

    pub fn evidence(&self) -> Evidence<'_> {
        Evidence {
            votes: self.votes.as_deref(),
            trade: self.trade.as_ref(),
            arms: self.arms.as_ref(),
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
        let d = &self.doctrine;
        if case.subject != d.subject() {
            return Err(AdviseError::CaseSubject {
                id: case.id.clone(),
                case_subject: case.subject,
                doctrine: d.doctrine.name.clone(),
                subject: d.subject(),
            });
        }
        let s = Situation::new(d, case);
        let (cx, inputs) = build_context(d, ledger, &self.evidence(), case.date);
        let dec = decide(d, &s, &cx);
        Ok(explain(d, case, &s, &inputs, &dec))
    }

    /// Answers every case, in order.
    pub fn advise_all(&self, cases: &[Case]) -> Result<Vec<(Advice, Trace)>, AdviseError> {
        self.advise_all_with(cases, &self.ledger)
    }

    /// Answers every case, in order, reading `ledger`.
    pub fn advise_all_with(
        &self,
        cases: &[Case],
        ledger: &Ledger,
    ) -> Result<Vec<(Advice, Trace)>, AdviseError> {
        cases.iter().map(|c| self.advise_with(c, ledger)).collect()
    }

    /// Answers cases that record what the subject did, and scores the answers beside the
    /// baselines. Every case needs a valid `actual`.
    pub fn backtest(
        &self,
        cases: &[Case],
    ) -> Result<(BacktestReport, Vec<(Advice, Trace)>), AdviseError> {
        self.backtest_with(cases, &self.ledger)
    }

    /// [`Advisor::backtest`] reading `ledger`.
    pub fn backtest_with(
        &self,
        cases: &[Case],
        ledger: &Ledger,
    ) -> Result<(BacktestReport, Vec<(Advice, Trace)>), AdviseError> {
        check_cases(cases)?;
        let answers = self.advise_all_with(cases, ledger)?;
        let predicted: Vec<_> = answers.iter().map(|(a, _)| a.choice).collect();
        let report = score(cases, &predicted, self.doctrine.poles())?;
        Ok((report, answers))
    }
}

/// The JSON of `bamboo advise --json`: the answers as a pretty-printed array, one line end.
pub fn advice_json(answers: &[(Advice, Trace)]) -> Result<String, AdviseError> {
    let v: Vec<&Advice> = answers.iter().map(|(a, _)| a).collect();
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
