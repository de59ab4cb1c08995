//! The flags that narrow what a measuring command reads and how sure it says it is:
//! `--issue` / `--important` (which roll calls), `--group` / `--average` (which states),
//! and `--ci` / `--replicates` / `--seed` (bootstrap intervals). Shared by `align`,
//! `balance`, `dyads`, `atlas`, `shifts` and the charts.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use bamboo_core::bootstrap::Bootstrap;
use bamboo_core::groups::{Group, Groups};
use bamboo_core::select::{RollCallFilter, Selection};
use bamboo_core::{Date, Iso3};

use crate::load::Loaded;

/// `--issue` and `--important`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only roll calls on these of Voeten's issues, comma-separated: me (Palestinian
    /// conflict), nu (nuclear weapons), di (arms control and disarmament), hr (human
    /// rights), co (colonialism), ec (economic development). Imported UN Digital Library
    /// votes get their codes from data/record/tags.toml.
    #[arg(long, value_name = "me,nu,di,hr,co,ec")]
    pub issue: Option<String>,
    /// Only roll calls the source flags as important votes (unvotes, 1983-2017).
    #[arg(long)]
    pub important: bool,
}

impl FilterArgs {
    /// The filter, checked before any data is loaded.
    pub fn filter(&self) -> Result<RollCallFilter> {
        let issues = match &self.issue {
            None => 0,
            Some(s) => {
                RollCallFilter::parse_issues(s).map_err(|e| anyhow::anyhow!("--issue: {e}"))?
            }
        };
        Ok(RollCallFilter {
            issues,
            important: self.important,
        })
    }

    /// The roll calls the flags keep in the loaded data.
    pub fn selection(&self, data: &Loaded) -> Result<Selection> {
        selection(data, self.filter()?)
    }
}

/// `--metric ideal` reads one fit of every roll call, so it takes no roll-call filter and
/// no bootstrap over roll calls (the fit's own intervals are in `bamboo ideal`): an error
/// that says so, rather than an answer that silently ignores the flags.
pub fn ideal_alone(filter: &FilterArgs, ci: bool) -> Result<()> {
    if filter.issue.is_some() || filter.important {
        bail!("--metric ideal reads one fit of every roll call: it cannot be combined with --issue or --important (use a vote metric: agreement, s, kappa, pi, coincidence)");
    }
    if ci {
        bail!("--metric ideal has no bootstrap over roll calls: its standard errors and 90% intervals are in `bamboo ideal` (se, lo90, hi90)");
    }
    Ok(())
}

/// The roll calls a filter keeps (the curated vocabulary is read only for an issue filter).
pub fn selection(data: &Loaded, filter: RollCallFilter) -> Result<Selection> {
    if filter.is_all() {
        return Ok(Selection::all());
    }
    let rules = bamboo_data::record::load_rules(None, &data.countries)?;
    Ok(Selection::new(&data.store, filter, &rules))
}

/// Checks that a selection keeps at least one roll call of a span, with an error that
/// says what the filter is and where its roll calls are.
pub fn require_roll_calls(data: &Loaded, sel: &Selection, from: i32, to: i32) -> Result<usize> {
    let n = sel.count(data.store.span_roll_calls(from..=to));
    if n == 0 {
        let span = bamboo_core::alignment::span_label(from, to);
        if sel.filter.important {
            bail!(
                "--important: no roll call in {span} carries the important-vote flag{}; the source flags important votes in 1983-2017 only",
                if sel.filter.issues != 0 { " on the issues asked" } else { "" }
            );
        }
        bail!(
            "no roll call in {span} is kept by the filter ({}); widen the span or the filter",
            sel.filter.label()
        );
    }
    Ok(n)
}

/// `--ci`, `--replicates` and `--seed`.
#[derive(clap::Args, Debug, Clone)]
pub struct BootArgs {
    /// Print a bootstrap interval of this coverage (percent) beside each figure, e.g. 90.
    #[arg(long, value_name = "PERCENT")]
    pub ci: Option<f64>,
    /// Bootstrap replicates per period.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub replicates: usize,
    /// The bootstrap's seed (the same seed gives the same intervals).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl Default for BootArgs {
    fn default() -> Self {
        BootArgs {
            ci: None,
            replicates: 1000,
            seed: 1,
        }
    }
}

/// The most replicates one run may ask for (memory grows with replicates × states).
pub const MAX_REPLICATES: usize = 100_000;

impl BootArgs {
    /// The bootstrap if `--ci` was given (or `default` is), checked.
    pub fn bootstrap(&self, default: Option<f64>) -> Result<Option<Bootstrap>> {
        let Some(level) = self.ci.or(default) else {
            return Ok(None);
        };
        if !(level.is_finite() && level > 0.0 && level < 100.0) {
            bail!("--ci {level}: the coverage is a percentage between 0 and 100 (exclusive), e.g. --ci 90");
        }
        if !(1..=MAX_REPLICATES).contains(&self.replicates) {
            bail!(
                "--replicates {}: use a whole number from 1 to {MAX_REPLICATES} (1000 is plenty for a 90% interval)",
                self.replicates
            );
        }
        Ok(Some(Bootstrap {
            replicates: self.replicates,
            seed: self.seed,
            level,
        }))
    }
}

/// `--group`, `--average` and `--groups-file`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct GroupArgs {
    /// Only the states that were members of this group (ASEAN, BRICS, EU, G77, NAM, NATO,
    /// SCO, …; see data/groups.toml) on the date of each period's last roll call.
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,
    /// Also read the group as one: the mean of its members.
    #[arg(long, requires = "group")]
    pub average: bool,
    /// Read the groups from this file instead of the built-in data/groups.toml.
    #[arg(long, value_name = "FILE")]
    pub groups_file: Option<PathBuf>,
}

impl GroupArgs {
    /// The group asked for, if any.
    pub fn group(&self, data: &Loaded) -> Result<Option<Group>> {
        let Some(code) = &self.group else {
            return Ok(None);
        };
        let groups = load_groups(data, self.groups_file.as_deref())?;
        match groups.get(code) {
            Some(g) => Ok(Some(g.clone())),
            None => bail!(
                "--group `{code}` is not a group of {}; use one of: {}",
                self.groups_file.as_ref().map_or_else(
                    || "data/groups.toml".to_string(),
                    |p| p.display().to_string()
                ),
                groups.codes().join(", ")
            ),
        }
    }
}

/// The groups of the built-in file, or of `file`.
pub fn load_groups(data: &Loaded, file: Option<&std::path::Path>) -> Result<Groups> {
    bamboo_data::groups::load_groups(file, &data.countries)
        .with_context(|| "cannot read the groups".to_string())
}

/// The members of a group on the date of the last roll call the selection keeps in a
/// span (the span's last day when it has none).
pub fn members_for(data: &Loaded, sel: &Selection, g: &Group, from: i32, to: i32) -> Vec<Iso3> {
    let last = sel
        .indices(data.store.span_roll_calls(from..=to))
        .last()
        .map(|i| data.store.roll_calls()[i].date)
        .unwrap_or_else(|| {
            Date::new(to, 12, 31).unwrap_or_else(|_| data.store.roll_calls()[0].date)
        });
    g.members_on(last)
}
