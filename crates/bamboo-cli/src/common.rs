//! What several subcommands share: loading the data named by the global flags, parsing
//! country lists and time spans, with errors that say what is allowed; where the ledger
//! database and the curated data live.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use bamboo_core::alignment::{By, SeriesSpec};
use bamboo_core::metrics::Metric;
use bamboo_core::{Iso3, VoteStore};
use bamboo_data::ledger::read_ledger;
use bamboo_data::ledger_db::LedgerDb;
use bamboo_data::toml_input::toml_files;
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

/// The span, slicing, measure and format flags shared by `align`, `balance` and
/// `chart balance`.
#[derive(clap::Args, Debug, Clone)]
pub struct SpanArgs {
    /// First year (default: the first year of the data).
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year (default: the last year of the data).
    #[arg(long)]
    pub to: Option<i32>,
    /// Time slices: `year`, `window N` (trailing N-year windows) or `total`.
    #[arg(long, num_args = 1..=2, default_values = ["year"], value_name = "year|window N|total")]
    pub by: Vec<String>,
    /// The alignment measure: agreement (the spec's default), s, kappa, pi, coincidence, or
    /// ideal (1 - ideal-point distance / range, from `bamboo ideal`). Tables show it; CSV
    /// and JSON from `align` carry every vote-based measure, or with `ideal` its columns.
    #[arg(long, default_value = "agreement")]
    pub metric: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::output::Format,
    /// Which roll calls to read (`--issue`, `--important`).
    #[command(flatten)]
    pub filter: crate::filters::FilterArgs,
}

impl Default for SpanArgs {
    fn default() -> Self {
        SpanArgs {
            from: None,
            to: None,
            by: vec!["year".into()],
            metric: "agreement".into(),
            format: crate::output::Format::Table,
            filter: crate::filters::FilterArgs::default(),
        }
    }
}

/// Checked span flags, ready to use.
pub struct Resolved {
    pub spec: SeriesSpec,
    pub by: By,
    pub metric: Metric,
}

impl SpanArgs {
    /// Checks the flags that need no data (before any is loaded, so a typo fails fast).
    pub fn check(&self) -> Result<(By, Metric)> {
        self.filter.filter()?;
        Ok((parse_by(&self.by)?, parse_metric(&self.metric)?))
    }

    /// Checks everything against the loaded data.
    pub fn resolve(&self, store: &VoteStore) -> Result<Resolved> {
        let (by, metric) = self.check()?;
        Ok(Resolved {
            spec: span(store, self.from, self.to, by)?,
            by,
            metric,
        })
    }
}

/// The `--by` flag: `year`, `total`, `window N` (also `window:N`, `window=N`).
pub fn parse_by(words: &[String]) -> Result<By> {
    let joined = words.join(" ");
    let w: Vec<&str> = joined
        .split([' ', ':', '='])
        .filter(|s| !s.is_empty())
        .collect();
    match w.as_slice() {
        ["year"] => Ok(By::Year),
        ["total"] => Ok(By::Total),
        ["window", n] => match n.parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => Ok(By::Window(n)),
            _ => bail!("--by window N: N must be a whole number of years from 1 to 100, got `{n}`"),
        },
        ["window"] => bail!("--by window needs a number of years, e.g. --by window 5"),
        _ => bail!("--by `{joined}` is not allowed; use year, total or window N"),
    }
}

/// The `--metric` flag.
pub fn parse_metric(s: &str) -> Result<Metric> {
    Metric::parse(s).with_context(|| {
        format!(
            "--metric `{s}` is not allowed; use one of: {}",
            Metric::ALL.map(|m| m.name()).join(", ")
        )
    })
}

/// The span from `--from`/`--to`, defaulting to the data's span and checked against it.
pub fn span(store: &VoteStore, from: Option<i32>, to: Option<i32>, by: By) -> Result<SeriesSpec> {
    let (lo, hi) = store
        .year_span()
        .context("the loaded data has no roll calls")?;
    // Name only the flags that were given: `--to 1940` alone is before the data, not after
    // a `--from` nobody typed.
    match (from, to) {
        (Some(f), Some(t)) if f > t => bail!("--from {f} is after --to {t}"),
        (_, Some(t)) if t < lo => {
            bail!("--to {t} is before the first roll call of the data: it covers {lo}-{hi}")
        }
        (Some(f), _) if f > hi => {
            bail!("--from {f} is after the last roll call of the data: it covers {lo}-{hi}")
        }
        _ => {}
    }
    // A span reaching past the data is the data's span, as the server reads it.
    let from = from.map_or(lo, |f| f.max(lo));
    let to = to.map_or(hi, |t| t.min(hi));
    if let By::Window(n) = by {
        let years = to - from + 1;
        if n as i32 > years {
            bail!("--by window {n} is longer than the span {from}-{to} ({years} years): no {n}-year window fits; use a window of at most {years} years, or --by total");
        }
    }
    Ok(SeriesSpec { from, to, by })
}

/// The default ledger database: `$XDG_DATA_HOME/bamboo/ledger.sqlite3`, else
/// `~/.local/share/bamboo/ledger.sqlite3`.
pub fn default_db_path() -> Result<PathBuf> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(x) => PathBuf::from(x),
        None => match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(h) => PathBuf::from(h).join(".local/share"),
            None => bail!(
                "cannot tell where to keep the ledger: neither XDG_DATA_HOME nor HOME is set; pass --db FILE"
            ),
        },
    };
    Ok(base.join("bamboo").join("ledger.sqlite3"))
}

/// The curated data shipped with bamboo (`ledger/`, `doctrines/`, `cases/`): `flag` if
/// given, else `./data` when it holds any of them (the working directory is a checkout).
pub fn curated_dir(flag: Option<&Path>) -> Option<PathBuf> {
    let holds = |d: &Path| {
        ["ledger", "doctrines", "cases"]
            .iter()
            .any(|s| d.join(s).is_dir())
    };
    let dir = flag.map_or_else(|| PathBuf::from("data"), Path::to_path_buf);
    holds(&dir).then(|| dir.canonicalize().unwrap_or(dir))
}

/// The curated ledger files (`ledger/*.toml` of the curated folder) as seed batches.
pub fn seed_batches(
    curated: &Path,
) -> Result<Vec<(String, Vec<bamboo_core::ledger::LedgerEvent>)>> {
    let mut batches = Vec::new();
    for f in toml_files(&curated.join("ledger"))? {
        let contents = read_ledger(&f)?;
        let name = f
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        batches.push((format!("seed:{name}"), contents.events().to_vec()));
    }
    Ok(batches)
}

/// Opens (creating and migrating) the ledger database. A database never seeded is seeded
/// from the curated `ledger/*.toml` when there are any, all files in one transaction; with
/// none (outside a checkout) it stays unseeded, says so, and is seeded the first time it is
/// opened with curated files, or by `bamboo ledger seed`.
pub fn open_ledger(path: &Path, curated: Option<&Path>) -> Result<LedgerDb> {
    let (mut db, _report) = LedgerDb::open(path)?;
    if db.seeding()?.is_some() {
        return Ok(db);
    }
    let batches = match curated {
        Some(dir) => seed_batches(dir)?,
        None => Vec::new(),
    };
    match db.seed(&batches)? {
        Some(r) => tracing::info!(
            events = r.added,
            already_present = r.already_present,
            files = batches.len(),
            db = %path.display(),
            "ledger seeded from the curated ledger files"
        ),
        None => tracing::warn!(
            db = %path.display(),
            events = db.count()?,
            "the ledger is not seeded: no curated ledger files (data/ledger/*.toml) were found; run `bamboo ledger seed --curated DIR` to seed it"
        ),
    }
    Ok(db)
}

/// An error the engine found with one case (a subject the doctrine is not about, a missing
/// or wrong `actual`), located in the case files it came from: file, line, case and key.
/// Other errors pass unchanged.
pub fn locate_case_error(e: impl Into<anyhow::Error>, files: &[PathBuf]) -> anyhow::Error {
    use bamboo_core::backtest::BacktestError;
    use bamboo_data::advisor::AdviseError;
    let e: anyhow::Error = e.into();
    let (id, key) = match e
        .downcast_ref::<AdviseError>()
        .map(|a| match a {
            AdviseError::Backtest(b) => Err(b),
            other => Ok(other),
        })
        .or_else(|| e.downcast_ref::<BacktestError>().map(Err))
    {
        Some(Ok(AdviseError::CaseSubject { id, .. })) => (id.clone(), "subject"),
        Some(Err(BacktestError::MissingActual { id })) => (id.clone(), "actual"),
        Some(Err(BacktestError::NotAnOption { id, .. })) => (id.clone(), "actual"),
        _ => return e,
    };
    // The message without the case id, which the location names.
    let message = e.to_string();
    let message = message
        .strip_prefix(&format!("case `{id}`: "))
        .or_else(|| message.strip_prefix(&format!("case `{id}` ")))
        .unwrap_or(&message)
        .to_string();
    match bamboo_data::toml_input::locate_case_in_files(files, &id, key, &message) {
        Some(located) => located.into(),
        None => e,
    }
}
