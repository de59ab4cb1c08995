//! Ideal points: every state's position on one dimension in every General Assembly
//! session, from a dynamic ordinal item-response model of yes / abstain / no fitted to all
//! sessions at once, with standard errors by parametric bootstrap.
//!
//! The model and estimator are in `ideal/em.rs` (variational EM after emIRT's `ordIRT`
//! and `dynIRT`, Imai, Lo and Olmsted, APSR 2016); the bootstrap in `ideal/boot.rs`. Here:
//! the options, the sessions, and the fitted points with what can be asked of them
//! (a state's series, a session's points, a position as of a date, and the ideal-point
//! distance between two states as an alignment measure, in `ideal/measure.rs`).
//!
//! **Sessions.** A roll call belongs to the session its source names (the unvotes data, and
//! UN Digital Library exports for regular sessions). Otherwise (Voeten's 2020-2024 files,
//! emergency special sessions) it is derived from the date by [`session_from_date`]: the
//! regular session N opens in September of year 1945 + N, and a roll call before that
//! opening belongs to session N − 1.
//!
//! **Scale.** Positions have mean 0 and standard deviation 1 over all state-sessions of the
//! fit, and the orienting state (the United States, as in Bailey, Strezhnev and Voeten) is
//! positive. Absences are missing, never votes; roll calls on which every vote was the
//! same are left out (they say nothing about positions).

mod boot;
mod design;
mod em;
pub mod measure;
pub mod normal;

use std::collections::HashMap;

use crate::country::Iso3;
use crate::date::Date;
use crate::store::{RollCall, VoteStore};

pub use measure::{
    ideal_balance_series, ideal_dyads, ideal_series, IdealDyad, IdealPair, IdealRow,
};

/// The two-sided 90% normal quantile, for `lo90` and `hi90`.
pub const Z90: f64 = 1.644_853_626_951_472_2;

/// The bootstrap replicates of a fit unless asked otherwise (`bamboo ideal`, `bamboo serve`'s
/// `/api/ideal`).
pub const DEFAULT_BOOTSTRAP: u32 = 30;
/// The bootstrap's seed unless asked otherwise.
pub const DEFAULT_SEED: u64 = 1;

/// How to fit.
#[derive(Clone, Debug, PartialEq)]
pub struct IdealOptions {
    /// The state whose positions are made positive (the United States).
    pub orient: Iso3,
    /// (predecessor, successor) pairs whose votes continue one random walk, where the data
    /// codes one state differently over time; a link is ignored if both voted in the
    /// same session.
    pub links: Vec<(Iso3, Iso3)>,
    /// The random walk's standard deviation per session, in units of a session's spread;
    /// `None` estimates it by EM. Fixed at 0.3 by default, a prior as Bailey, Strezhnev and
    /// Voeten fix theirs: EM gives 0.15 on the UN data, but on votes simulated from known
    /// paths its estimate came out a third below the truth and the intervals too narrow.
    pub walk_sd: Option<f64>,
    /// The population prior on every state-session, `x_it ~ N(0, pop_sd²)`, beside the
    /// random walk (sessions are standardised to SD 1, so 1 matches them).
    pub pop_sd: f64,
    /// The prior standard deviation of the items' intercepts `a_j`.
    pub item_sd: f64,
    /// The prior standard deviation of the items' discriminations `b_j`.
    pub disc_sd: f64,
    /// Stop when no position moves by more than this in one iteration.
    pub tol: f64,
    /// The most EM iterations of one fit (the estimate, or one bootstrap replicate).
    pub max_iter: u32,
    /// Over-relaxation of each EM update (1 = plain EM; 1.3 cuts the iterations by about
    /// 40% here, and a run falls back to plain steps should one ever overshoot).
    pub relax: f64,
    /// Bootstrap replicates for the standard errors (fewer than 2: no standard errors).
    pub bootstrap: u32,
    /// The tolerance of a bootstrap replicate's refit (it starts at the estimate and moves
    /// by about a standard error; at 1e-2 the standard errors are within 0.1% (median) of
    /// fully converged refits here).
    pub boot_tol: f64,
    /// The bootstrap's seed.
    pub seed: u64,
    /// Only roll calls dated strictly before this date (a fit with no look-ahead).
    pub before: Option<Date>,
}

impl Default for IdealOptions {
    fn default() -> Self {
        IdealOptions {
            orient: Iso3::from_static("USA"),
            links: Vec::new(),
            walk_sd: Some(0.3),
            pop_sd: 1.0,
            item_sd: 5.0,
            disc_sd: 1.0,
            tol: 1e-4,
            max_iter: 1000,
            relax: 1.3,
            bootstrap: DEFAULT_BOOTSTRAP,
            boot_tol: 1e-2,
            seed: DEFAULT_SEED,
            before: None,
        }
    }
}

/// Why ideal points cannot be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IdealError {
    /// Every roll call read is empty or unanimous: nothing to fit.
    #[error("no contested roll call to fit (every loaded roll call is empty or unanimous)")]
    NoRollCalls,
    /// The orienting state ([`IdealOptions::orient`]) cast no vote on a contested roll call.
    #[error("{0}, the state that fixes the direction, never voted on a contested roll call")]
    NoOrient(Iso3),
}

/// One session of the fit.
#[derive(Copy, Clone, Debug, PartialEq, serde::Serialize)]
pub struct SessionInfo {
    /// The regular session's number.
    pub session: u32,
    /// The year it opened (1945 + session).
    pub year: i32,
    /// Contested roll calls fitted.
    pub roll_calls: usize,
    /// The date of the first of those roll calls.
    pub first: Date,
    /// The date of the last of those roll calls.
    pub last: Date,
}

/// One state's position in one session.
#[derive(Copy, Clone, Debug, PartialEq, serde::Serialize)]
pub struct IdealPoint {
    /// The state.
    pub state: Iso3,
    /// The session.
    pub session: u32,
    /// The year the session opened.
    pub year: i32,
    /// The position: each session's are standardised to mean 0 and SD 1 over the states
    /// that voted in it, the orienting state positive. Smoothed: it reads the votes of
    /// every session, later ones included.
    pub ideal: f64,
    /// The bootstrap standard error (`None` without a bootstrap of at least 2 replicates).
    pub se: Option<f64>,
    /// Votes (yes, abstain or no) the state cast on the session's contested roll calls.
    pub votes: u32,
}

impl IdealPoint {
    /// The lower end of the 90% interval, `ideal − 1.645 se`.
    pub fn lo90(&self) -> Option<f64> {
        self.se.map(|s| self.ideal - Z90 * s)
    }

    /// The upper end of the 90% interval, `ideal + 1.645 se`.
    pub fn hi90(&self) -> Option<f64> {
        self.se.map(|s| self.ideal + Z90 * s)
    }
}

/// How the fit went.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FitInfo {
    /// Contested roll calls fitted.
    pub roll_calls: usize,
    /// Votes (yes, abstain or no) on them.
    pub votes: usize,
    /// States with at least one point.
    pub states: usize,
    /// EM iterations of the estimate.
    pub iterations: u32,
    /// Whether the estimate stopped by [`FitInfo::tol`] rather than the iteration limit.
    pub converged: bool,
    /// The tolerance on the largest change of a position in one iteration.
    pub tol: f64,
    /// The random walk's standard deviation per session (estimated unless fixed).
    pub walk_sd: f64,
    /// Whether `walk_sd` was estimated by EM (`IdealOptions::walk_sd` = `None`).
    pub walk_estimated: bool,
    /// Bootstrap replicates behind the standard errors (0: none).
    pub bootstrap: u32,
    /// The bootstrap's seed.
    pub seed: u64,
    /// Mean EM iterations of the bootstrap replicates (0 without a bootstrap).
    pub boot_iterations_mean: f64,
    /// Largest EM iterations of a bootstrap replicate.
    pub boot_iterations_max: u32,
    /// Bootstrap replicates that stopped at the iteration limit.
    pub boot_unconverged: u32,
    /// Links between codes of one state that the fit used.
    pub links: Vec<(Iso3, Iso3)>,
}

/// The fitted ideal points.
#[derive(Clone, Debug)]
pub struct IdealPoints {
    sessions: Vec<SessionInfo>,
    /// Sorted by (session, state).
    points: Vec<IdealPoint>,
    /// The filtered (votes up to and including the session) position and SD per point.
    filtered: Vec<(f64, f64)>,
    /// Per session (index in `sessions`), its points.
    session_ranges: Vec<std::ops::Range<usize>>,
    /// Per state, its points' indices in session order.
    by_state: HashMap<Iso3, Vec<usize>>,
    range: f64,
    info: FitInfo,
}

/// The session of a roll call: the one its source names, else the one derived from its
/// date.
pub fn session_of(rc: &RollCall) -> u32 {
    rc.session.unwrap_or_else(|| session_from_date(rc.date))
}

/// The year session `s` opened.
pub fn session_year(s: u32) -> i32 {
    1945 + s as i32
}

/// The day the regular session of `year` opens, by the General Assembly's rules of
/// procedure (rule 1): the Tuesday of the third week of September, counting from the first
/// week that holds at least one working day; from 2023 on, of the second such week (the
/// 78th session opened on 5 September 2023). Before 2002 the sessions opened on other
/// days in September; roll calls of those years carry their session in the data.
/// `None` for a year no [`Date`] holds (outside 1-9999).
pub fn session_opening(year: i32) -> Option<Date> {
    let sep1 = Date::new(year, 9, 1).ok()?;
    // 1970-01-01 was a Thursday; 0 = Monday.
    let weekday = (sep1.days_since_epoch() + 3).rem_euclid(7);
    // Monday of the week holding 1 September, then the first week with a working day.
    let mut monday = 1 - weekday;
    if weekday >= 5 {
        monday += 7;
    }
    let week = if year >= 2023 { 1 } else { 2 };
    // The second or third Tuesday: between the 8th and the 21st.
    let day = monday + 7 * week + 1;
    Date::new(year, 9, day as u8).ok()
}

/// The session a date falls in: the regular session N opens in September of year
/// 1945 + N ([`session_opening`]); a date before that opening belongs to session N − 1.
/// Dates before the second session are the first session's.
pub fn session_from_date(d: Date) -> u32 {
    let y = d.year();
    // `d` is a date, so its year has an opening.
    let s = if session_opening(y).is_some_and(|open| d >= open) {
        y - 1945
    } else {
        y - 1946
    };
    s.max(1) as u32
}

/// Fits the model to every contested roll call of the store (or those before
/// `opts.before`), then bootstraps the standard errors.
pub fn fit(store: &VoteStore, opts: &IdealOptions) -> Result<IdealPoints, IdealError> {
    let d = design::Design::build(store, opts);
    if d.items() == 0 {
        return Err(IdealError::NoRollCalls);
    }
    if d.orient_cells.iter().all(Option::is_none) {
        return Err(IdealError::NoOrient(opts.orient));
    }
    let cats = &d.vote_cat;
    let mut st = em::start(&d, cats, opts);
    let run = em::iterate(&d, &mut st, cats, opts);
    // The direction: the orienting state positive on average.
    let orient: Vec<f64> = d
        .orient_cells
        .iter()
        .flatten()
        .map(|&c| st.x[c as usize])
        .collect();
    if orient.iter().sum::<f64>() < 0.0 {
        st.x.iter_mut().for_each(|x| *x = -*x);
        st.xf.iter_mut().for_each(|x| *x = -*x);
        st.b.iter_mut().for_each(|b| *b = -*b);
    }
    let boot = (opts.bootstrap >= 2).then(|| boot::bootstrap(&d, &st, opts));
    let points: Vec<IdealPoint> = (0..d.cells())
        .map(|c| {
            let s = d.sessions[d.cell_session[c] as usize];
            IdealPoint {
                state: d.cell_code[c],
                session: s.session,
                year: s.year,
                ideal: st.x[c],
                se: boot.as_ref().map(|b| b.se[c]),
                votes: d.cell_votes[c],
            }
        })
        .collect();
    let filtered = (0..d.cells())
        .map(|c| (st.xf[c], st.vf[c].sqrt()))
        .collect();
    let mut by_state: HashMap<Iso3, Vec<usize>> = HashMap::new();
    for (k, p) in points.iter().enumerate() {
        by_state.entry(p.state).or_default().push(k);
    }
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.ideal), hi.max(p.ideal))
        });
    let info = FitInfo {
        roll_calls: d.items(),
        votes: d.vote_cat.len(),
        states: by_state.len(),
        iterations: run.iterations,
        converged: run.converged,
        tol: opts.tol,
        walk_sd: st.walk2.sqrt(),
        walk_estimated: opts.walk_sd.is_none(),
        bootstrap: if boot.is_some() { opts.bootstrap } else { 0 },
        seed: opts.seed,
        boot_iterations_mean: boot.as_ref().map_or(0.0, |b| {
            b.iterations.iter().map(|&i| f64::from(i)).sum::<f64>() / b.iterations.len() as f64
        }),
        boot_iterations_max: boot
            .as_ref()
            .map_or(0, |b| b.iterations.iter().copied().max().unwrap_or(0)),
        boot_unconverged: boot.as_ref().map_or(0, |b| b.unconverged),
        links: d.links.clone(),
    };
    Ok(IdealPoints {
        session_ranges: d.session_cells.clone(),
        sessions: d.sessions,
        points,
        filtered,
        by_state,
        range: hi - lo,
        info,
    })
}

impl IdealPoints {
    /// The sessions fitted, ascending.
    pub fn sessions(&self) -> &[SessionInfo] {
        &self.sessions
    }

    /// Every point, sorted by (session, state).
    pub fn points(&self) -> &[IdealPoint] {
        &self.points
    }

    /// How the fit went.
    pub fn info(&self) -> &FitInfo {
        &self.info
    }

    /// `max − min` of all positions: the scale of [`measure`]'s alignment.
    pub fn range(&self) -> f64 {
        self.range
    }

    /// The points of one session, sorted by state (empty if the session was not fitted).
    pub fn session_points(&self, session: u32) -> &[IdealPoint] {
        match self.sessions.binary_search_by_key(&session, |s| s.session) {
            Ok(k) => &self.points[self.session_ranges[k].clone()],
            Err(_) => &[],
        }
    }

    /// The session that opened in `year`, if it was fitted.
    pub fn session_in_year(&self, year: i32) -> Option<&SessionInfo> {
        self.sessions.iter().find(|s| s.year == year)
    }

    /// One state's points, in session order.
    pub fn state_points(&self, state: Iso3) -> impl Iterator<Item = &IdealPoint> + '_ {
        self.by_state
            .get(&state)
            .into_iter()
            .flatten()
            .map(|&k| &self.points[k])
    }

    /// The states with at least one point, sorted.
    pub fn states(&self) -> Vec<Iso3> {
        let mut s: Vec<Iso3> = self.by_state.keys().copied().collect();
        s.sort_unstable();
        s
    }

    /// A state's point in a session.
    pub fn get(&self, state: Iso3, session: u32) -> Option<&IdealPoint> {
        let idx = self.by_state.get(&state)?;
        idx.binary_search_by_key(&session, |&k| self.points[k].session)
            .ok()
            .map(|i| &self.points[idx[i]])
    }

    /// A state's position as known before `date`, for evidence that must not look ahead:
    /// the filtered estimate (from its votes up to and including that session, not later
    /// ones) of the last session whose roll calls all fall before `date`, with its
    /// posterior standard deviation. The item parameters still come from the whole fit;
    /// for none of the future at all, fit with [`IdealOptions::before`].
    pub fn position(&self, state: Iso3, date: Date) -> Option<(f64, f64)> {
        let idx = self.by_state.get(&state)?;
        idx.iter()
            .rev()
            .find(|&&k| {
                let s = self.points[k].session;
                self.sessions
                    .binary_search_by_key(&s, |x| x.session)
                    .is_ok_and(|i| self.sessions[i].last < date)
            })
            .map(|&k| self.filtered[k])
    }
}

#[cfg(test)]
mod tests;
