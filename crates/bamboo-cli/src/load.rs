//! Loading the vote data the global flags name (`--data`, `--votes`, `--no-cache`,
//! `BAMBOO_DATA`), through the vote cache, with `--verbose` lines saying what was read.

use std::time::Instant;

use anyhow::Result;
use bamboo_core::{Iso3, VoteStore};
use bamboo_data::votes::LoadReport;
use bamboo_data::{Countries, DataDir};

use crate::Cli;

/// The vote cache the flags and the environment ask for.
pub fn cache_dir(cli: &Cli) -> bamboo_data::cache::CacheDir {
    if cli.no_cache {
        bamboo_data::cache::CacheDir::off()
    } else {
        bamboo_data::cache::CacheDir::from_env()
    }
}

/// What the cache did, for `--verbose`.
pub fn cache_line(u: &bamboo_data::cache::CacheUse) -> String {
    use bamboo_data::cache::CacheUse;
    match u {
        CacheUse::Off => "vote cache: off (--no-cache or BAMBOO_NO_CACHE)".into(),
        CacheUse::Hit(p) => format!("vote cache: read {}", p.display()),
        CacheUse::Written(p) => format!(
            "vote cache: the tables were read and cached in {}",
            p.display()
        ),
        CacheUse::Unwritten(why) => format!("vote cache: the tables were read; not cached ({why})"),
    }
}

/// The loaded vote data and where it came from.
pub struct Loaded {
    pub dir: DataDir,
    pub store: VoteStore,
    pub countries: Countries,
    pub report: LoadReport,
}

impl Loaded {
    /// Locates and loads the data named by `--data`, `BAMBOO_DATA` or the defaults.
    pub fn from_cli(cli: &Cli) -> Result<Loaded> {
        let t = Instant::now();
        let dir = DataDir::from_env(cli.data.as_deref())?;
        let (store, countries, report, cached) =
            bamboo_data::cache::load_store(&dir, &cli.votes, &cache_dir(cli))?;
        if cli.verbose {
            crate::output::note!("{}", cache_line(&cached));
            for f in &report.files {
                crate::output::note!(
                    "read {} ({:?}): {} records, {} non-votes",
                    f.path.display(),
                    f.format,
                    f.records,
                    f.non_votes
                );
            }
            crate::output::note!(
                "{} roll calls, {} votes, {} countries in {:.0} ms (data folder from {}: {})",
                store.roll_calls().len(),
                store.vote_count(),
                store.countries().len(),
                t.elapsed().as_secs_f64() * 1e3,
                dir.how,
                dir.root.display()
            );
        }
        Ok(Loaded {
            dir,
            store,
            countries,
            report,
        })
    }

    /// Resolves a country typed on the command line, with a clear error naming the flag.
    pub fn country(&self, text: &str, what: &str) -> Result<Iso3> {
        self.countries
            .resolve(text)
            .map_err(|e| anyhow::anyhow!("{what}: {e}"))
    }

    /// A comma- or space-separated list of countries.
    pub fn countries_list(&self, items: &[String], what: &str) -> Result<Vec<Iso3>> {
        let mut out = Vec::new();
        for it in items
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let c = self.country(it, what)?;
            if !out.contains(&c) {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// One line that says where the numbers came from.
    pub fn provenance(&self) -> String {
        bamboo_data::votes::provenance(&self.store, &self.report)
    }
}
