//! `bamboo ledger import FILE.toml` and `bamboo ledger export [-o FILE]`: move events
//! between ledger files (TOML) and the SQLite ledger the server uses.

use std::path::PathBuf;

use anyhow::{bail, Result};
use bamboo_core::Iso3;
use bamboo_data::ledger::{read_ledger, write_ledger};
use bamboo_data::ledger_db::EventQuery;

use crate::ledger_setup::{default_db_path, open_ledger};
use crate::output::write_to;

#[derive(clap::Subcommand, Debug)]
pub enum Ledger {
    /// Add the events of a ledger file to the database (events already there are skipped).
    Import {
        /// A ledger file: a [ledger] header naming the subject, then [[event]] tables.
        #[arg(value_name = "FILE.toml")]
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
    /// Seed the database from the curated ledger files (data/ledger/*.toml): adds the
    /// events that are not there yet and records the seed, whatever the database's state
    /// (this also repairs a database marked seeded with nothing in it).
    Seed {
        /// The curated data folder holding ledger/ (default: ./data).
        #[arg(long, value_name = "DIR")]
        curated: Option<PathBuf>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Write the database's events as a ledger file (stdout by default).
    Export {
        /// Write to this file (atomically) instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Only events involving this state, which the file names as its subject. Default:
        /// the state every event involves.
        #[arg(long, value_name = "ISO3")]
        subject: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(clap::Args, Debug)]
pub struct DbArg {
    /// The SQLite ledger file. Default: $XDG_DATA_HOME/bamboo/ledger.sqlite3, else
    /// ~/.local/share/bamboo/ledger.sqlite3.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

impl DbArg {
    fn path(&self) -> Result<PathBuf> {
        match &self.db {
            Some(p) => Ok(p.clone()),
            None => default_db_path(),
        }
    }
}

pub fn run(cmd: &Ledger) -> Result<()> {
    match cmd {
        Ledger::Import { file, db } => {
            let contents = read_ledger(file)?;
            let path = db.path()?;
            // A database opened here for the first time is seeded like the server's, so
            // that importing into a new file gives the same ledger as serving it would.
            let mut ldb = open_ledger(&path, crate::ledger_setup::curated_dir(None).as_deref())?;
            let r = ldb.import(
                contents.events(),
                &format!(
                    "import:{}",
                    file.file_name().map_or_else(
                        || file.display().to_string(),
                        |n| n.to_string_lossy().into_owned()
                    )
                ),
            )?;
            crate::output::note!(
                "bamboo: {} → {}: {} added, {} already present ({} in the ledger)",
                file.display(),
                path.display(),
                crate::output::plural(r.added, "event"),
                r.already_present,
                crate::output::plural(ldb.count()?, "event")
            );
            Ok(())
        }
        Ledger::Seed { curated, db } => {
            let Some(dir) = crate::ledger_setup::curated_dir(curated.as_deref()) else {
                bail!(
                    "{}: no curated data there (a folder holding ledger/*.toml); pass --curated DIR",
                    curated.as_deref().unwrap_or(std::path::Path::new("data")).display()
                );
            };
            let batches = crate::ledger_setup::seed_batches(&dir)?;
            if batches.is_empty() {
                bail!(
                    "{}: holds no ledger files (ledger/*.toml) to seed from",
                    dir.join("ledger").display()
                );
            }
            let path = db.path()?;
            let (mut ldb, _) = bamboo_data::ledger_db::LedgerDb::open(&path)?;
            let before = ldb.seeding()?;
            let r = ldb.reseed(&batches)?;
            crate::output::note!(
                "bamboo: {} seeded from {} ({}): {} added, {} already present ({} in the ledger){}",
                path.display(),
                dir.join("ledger").display(),
                crate::output::plural(batches.len(), "file"),
                crate::output::plural(r.added, "event"),
                r.already_present,
                crate::output::plural(ldb.count()?, "event"),
                match before {
                    Some(b) => format!("; it was seeded before from {b}"),
                    None => String::new(),
                }
            );
            Ok(())
        }
        Ledger::Export {
            output,
            subject,
            db,
        } => {
            let path = db.path()?;
            if !path.exists() {
                bail!(
                    "{}: no ledger database there; start `bamboo serve` or `bamboo ledger import` first, or pass --db",
                    path.display()
                );
            }
            let ldb = open_ledger(&path, None)?;
            let subject = match subject {
                Some(s) => Some(Iso3::parse(s).map_err(|e| anyhow::anyhow!("--subject: {e}"))?),
                None => None,
            };
            let events: Vec<_> = ldb
                .list(&EventQuery {
                    actor: subject,
                    ..EventQuery::default()
                })?
                .into_iter()
                .map(|s| s.event)
                .collect();
            let subject = match subject {
                Some(s) => s,
                None => match events.first() {
                    None => bail!(
                        "{}: the ledger is empty; there is nothing to export",
                        path.display()
                    ),
                    Some(first) => match first
                        .actors
                        .iter()
                        .find(|a| events.iter().all(|e| e.actors.contains(a)))
                    {
                        Some(s) => *s,
                        None => bail!(
                            "the events involve no one state in common, and a ledger file is about one subject; pass --subject ISO3"
                        ),
                    },
                },
            };
            let text = write_ledger(
                subject,
                &format!(
                    "exported by bamboo {} from {}",
                    env!("CARGO_PKG_VERSION"),
                    path.display()
                ),
                &events,
            );
            write_to(output.as_deref(), |w| {
                w.write_all(text.as_bytes())?;
                Ok(())
            })?;
            crate::output::note!(
                "bamboo: {} about {subject} exported",
                crate::output::plural(events.len(), "event")
            );
            Ok(())
        }
    }
}
