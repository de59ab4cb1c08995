//! The curated files the server answers from: every shipped doctrine (`doctrines/*.toml`),
//! loaded once at start with its ledger and the public data, and the sample case files
//! (`cases/*.toml`) the dashboard offers. Which doctrine answers for a subject when a
//! request names none is declared in the doctrines themselves (`default = true`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bamboo_core::Iso3;
use bamboo_data::advisor::{AdviseError, Advisor};
use bamboo_data::toml_input::toml_files;
use bamboo_data::{DataDir, InputError};

use crate::data::VoteData;
use crate::sim::{SimCatalog, SimCatalogError};

/// Why the curated files cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Advise(#[from] AdviseError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("both {a} and {b} are marked `default = true` for {subject}; mark one")]
    TwoDefaults { subject: Iso3, a: String, b: String },
    #[error(transparent)]
    Sim(#[from] SimCatalogError),
}

/// A shipped doctrine, ready to answer.
pub struct DoctrineEntry {
    /// The file's stem: what `?doctrine=` names (`vietnam`).
    pub name: String,
    pub advisor: Advisor,
}

/// A sample case file.
pub struct SampleCases {
    pub name: String,
    pub toml: String,
}

/// The shipped doctrines and sample cases, and the simulation worlds.
pub struct Catalog {
    /// The curated folder, when one was found.
    pub root: Option<PathBuf>,
    pub doctrines: Vec<DoctrineEntry>,
    pub cases: Vec<SampleCases>,
    /// The worlds and doctrines built into the binary, for simulations.
    pub sim: Arc<SimCatalog>,
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Catalog {
    /// No curated folder: no doctrines to advise from, no sample cases; simulations still
    /// work (their data is built in).
    pub fn without_curated() -> Result<Catalog, CatalogError> {
        Ok(Catalog {
            root: None,
            doctrines: Vec::new(),
            cases: Vec::new(),
            sim: Arc::new(SimCatalog::shipped()?),
        })
    }

    /// Loads every doctrine under `root/doctrines` (with its ledger, the votes and the
    /// subject's trade and arms flows from `data`) and every case file under `root/cases`.
    pub fn load(root: &Path, data: &DataDir, votes: &VoteData) -> Result<Catalog, CatalogError> {
        let mut doctrines: Vec<DoctrineEntry> = Vec::new();
        for f in toml_files(&root.join("doctrines"))? {
            let advisor =
                Advisor::open(&f, None)?.with_data(data, votes.store.clone(), &votes.countries)?;
            let name = stem(&f);
            if advisor.doctrine.is_default() {
                let subject = advisor.doctrine.subject();
                if let Some(other) = doctrines.iter().find(|d| {
                    d.advisor.doctrine.is_default() && d.advisor.doctrine.subject() == subject
                }) {
                    return Err(CatalogError::TwoDefaults {
                        subject,
                        a: other.name.clone(),
                        b: name,
                    });
                }
            }
            doctrines.push(DoctrineEntry { name, advisor });
        }
        let mut cases = Vec::new();
        for f in toml_files(&root.join("cases"))? {
            let toml = bamboo_data::toml_input::read(&f)?;
            cases.push(SampleCases {
                name: stem(&f),
                toml,
            });
        }
        Ok(Catalog {
            root: Some(root.to_path_buf()),
            doctrines,
            cases,
            sim: Arc::new(SimCatalog::shipped()?),
        })
    }

    /// A doctrine by name.
    pub fn doctrine(&self, name: &str) -> Option<&DoctrineEntry> {
        self.doctrines.iter().find(|d| d.name == name)
    }

    /// The doctrine marked default for a subject.
    pub fn default_for(&self, subject: Iso3) -> Option<&DoctrineEntry> {
        self.doctrines
            .iter()
            .find(|d| d.advisor.doctrine.is_default() && d.advisor.doctrine.subject() == subject)
    }

    pub fn names(&self) -> Vec<&str> {
        self.doctrines.iter().map(|d| d.name.as_str()).collect()
    }
}
