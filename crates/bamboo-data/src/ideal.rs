//! The ideal-point fit as bamboo runs it (the options the CLI and the server share) and
//! its output as CSV and JSON, so that `bamboo ideal --format json` and `GET /api/ideal`
//! print the same bytes for the same question.

use std::collections::BTreeMap;

use bamboo_core::ideal::{IdealError, IdealOptions, IdealPoint, IdealPoints, Z90};
use bamboo_core::{Iso3, VoteStore};
use serde_json::{json, Value};

/// Codes of one state that the data changes over time, joined into one random walk:
/// the unvotes data codes Serbia `YU` (as Yugoslavia) through 2019, Voeten's files `SRB`.
pub const LINKS: [(&str, &str); 1] = [("YUG", "SRB")];

/// The CSV header of `bamboo ideal`.
pub const COLUMNS: &str = "state,session,year,ideal,se,lo90,hi90,votes";

/// The options of bamboo's fit: the core defaults (the United States positive, a random
/// walk of SD 0.3 per session, 30 bootstrap replicates, seed 1) with [`LINKS`].
pub fn options() -> IdealOptions {
    IdealOptions {
        links: LINKS
            .iter()
            .map(|(a, b)| {
                let code = |c| Iso3::parse(c).expect("LINKS lists three-letter codes");
                (code(a), code(b))
            })
            .collect(),
        ..IdealOptions::default()
    }
}

/// Fits every roll call of the store with bamboo's options, `bootstrap` replicates and
/// `seed`.
pub fn fit(store: &VoteStore, bootstrap: u32, seed: u64) -> Result<IdealPoints, IdealError> {
    bamboo_core::ideal::fit(
        store,
        &IdealOptions {
            bootstrap,
            seed,
            ..options()
        },
    )
}

/// Which points to print: sessions that opened in `from ..= to`, of `states` (all when
/// empty).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pub from: Option<i32>,
    pub to: Option<i32>,
    pub states: Vec<Iso3>,
}

/// Why a query has no answer, with what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    #[error("the span {from}-{to} is empty: `from` must not be after `to`")]
    Reversed { from: i32, to: i32 },
    #[error("no session opened {asked}; the fit's sessions opened in {first}-{last} (a year is the year a session opened: the votes of early {after} belong to the session that opened in {last})")]
    NoSession {
        /// The span as asked: "in 2030-2035", "in or after 2030", "in or before 1900".
        asked: String,
        first: i32,
        last: i32,
        after: i32,
    },
    #[error("{0} has no ideal point: it never voted on a contested roll call in the loaded data")]
    NoState(Iso3),
}

/// The selected points, sorted by (state, session).
pub fn select<'a>(fit: &'a IdealPoints, q: &Query) -> Result<Vec<&'a IdealPoint>, QueryError> {
    let sessions = fit.sessions();
    let (first, last) = (
        sessions.first().map_or(0, |s| s.year),
        sessions.last().map_or(0, |s| s.year),
    );
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from > to {
            return Err(QueryError::Reversed { from, to });
        }
    }
    let from = q.from.unwrap_or(first);
    let to = q.to.unwrap_or(last);
    if !sessions.iter().any(|s| (from..=to).contains(&s.year)) {
        let asked = match (q.from, q.to) {
            (Some(a), Some(b)) if a == b => format!("in {a}"),
            (Some(a), Some(b)) => format!("in {a}-{b}"),
            (Some(a), None) => format!("in or after {a}"),
            (None, Some(b)) => format!("in or before {b}"),
            (None, None) => "at all".to_string(),
        };
        return Err(QueryError::NoSession {
            asked,
            first,
            last,
            after: last + 1,
        });
    }
    for &s in &q.states {
        if fit.state_points(s).next().is_none() {
            return Err(QueryError::NoState(s));
        }
    }
    let mut out: Vec<&IdealPoint> = fit
        .points()
        .iter()
        .filter(|p| (from..=to).contains(&p.year))
        .filter(|p| q.states.is_empty() || q.states.contains(&p.state))
        .collect();
    out.sort_by_key(|p| (p.state, p.session));
    Ok(out)
}

/// The definition of every column.
pub fn definitions(fit: &IdealPoints) -> BTreeMap<&'static str, String> {
    let info = fit.info();
    [
        ("state", "the state, ISO 3166-1 alpha-3 (former states DDR, YMD, CSK, YUG, ZAN)".to_string()),
        ("session", "the General Assembly's regular session: as the source gives it, else from the date (session N opens in September of 1945 + N; a vote before that opening belongs to session N - 1)".into()),
        ("year", "1945 + session: the year the session opened".into()),
        ("ideal", "the state's position on the one dimension of a dynamic ordinal item-response model of yes < abstain < no, every session fitted at once by EM, each state's positions a random walk across sessions; each session standardised to mean 0 and SD 1 over the states voting in it; the United States positive".into()),
        ("se", if info.bootstrap > 1 {
            format!("the root-mean-square error of ideal over {} parametric bootstrap replicates (each draws every state's positions from the fit's posterior and every vote from the model, refits, and compares; seed {})", info.bootstrap, info.seed)
        } else {
            "empty: no bootstrap was run".into()
        }),
        ("lo90", format!("ideal - {Z90:.3} se: the normal 90% interval's lower end")),
        ("hi90", format!("ideal + {Z90:.3} se: the normal 90% interval's upper end")),
        ("votes", "yes, abstain or no votes the state cast on the session's contested roll calls (unanimous roll calls are left out; absences are missing, never votes)".into()),
    ]
    .into_iter()
    .collect()
}

/// How the fit went, as JSON.
pub fn fit_json(fit: &IdealPoints) -> Value {
    let i = fit.info();
    json!({
        "model": "one-dimensional dynamic ordinal probit: y* = a_j + b_j x_it + e, yes if y* < 0, abstain if 0 <= y* < g_j, no otherwise; x_it - x_i,t-1 ~ N(0, walk_sd^2), x_it ~ N(0, 1), a_j ~ N(0, 25), b_j ~ N(0, 1)",
        "estimator": "EM (after emIRT's ordIRT and dynIRT, Imai, Lo and Olmsted 2016): Laplace E-step by Kalman smoothing of each state's path, Newton M-step per roll call",
        "roll_calls": i.roll_calls,
        "votes": i.votes,
        "states": i.states,
        "sessions": fit.sessions().len(),
        "iterations": i.iterations,
        "converged": i.converged,
        "tolerance": i.tol,
        "walk_sd": i.walk_sd,
        "walk_estimated": i.walk_estimated,
        "bootstrap": i.bootstrap,
        "seed": i.seed,
        "bootstrap_iterations_mean": i.boot_iterations_mean,
        "bootstrap_unconverged": i.boot_unconverged,
        "links": i.links.iter().map(|(a, b)| format!("{a}>{b}")).collect::<Vec<_>>(),
    })
}

/// The line saying what the numbers were computed from.
pub fn source_line(store: &VoteStore, fit: &IdealPoints) -> String {
    let (lo, hi) = store.year_span().unwrap_or((0, 0));
    format!(
        "source: {} UNGA roll calls {lo}-{hi} from {} vote files (unvotes 0.3.0, Voeten, UN Digital Library), {} of them contested and fitted, {} votes",
        store.roll_calls().len(),
        store.sources().len(),
        fit.info().roll_calls,
        fit.info().votes,
    )
}

fn push_opt(s: &mut String, x: Option<f64>) {
    if let Some(v) = x {
        s.push_str(ryu::Buffer::new().format(v));
    }
}

/// The CSV of the selected points, with its header.
pub fn csv(points: &[&IdealPoint]) -> String {
    let mut s = String::with_capacity(64 * (points.len() + 1));
    s.push_str(COLUMNS);
    s.push('\n');
    for p in points {
        s.push_str(&format!("{},{},{},", p.state, p.session, p.year));
        s.push_str(ryu::Buffer::new().format(p.ideal));
        for x in [p.se, p.lo90(), p.hi90()] {
            s.push(',');
            push_opt(&mut s, x);
        }
        s.push_str(&format!(",{}\n", p.votes));
    }
    s
}

/// The JSON of the selected points (pretty-printed, ending in a newline): what both
/// `bamboo ideal --format json` and `GET /api/ideal` print.
pub fn json_text(fit: &IdealPoints, q: &Query, points: &[&IdealPoint], source: &str) -> String {
    let v = json!({
        "query": {
            "from": q.from,
            "to": q.to,
            "states": q.states,
        },
        "columns": COLUMNS.split(',').collect::<Vec<_>>(),
        "definitions": definitions(fit),
        "fit": fit_json(fit),
        "source": crate::text::source_json(source),
        "rows": points.iter().map(|p| json!({
            "state": p.state, "session": p.session, "year": p.year, "ideal": p.ideal,
            "se": p.se, "lo90": p.lo90(), "hi90": p.hi90(), "votes": p.votes,
        })).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&v).expect("JSON values serialise");
    s.push('\n');
    s
}

/// The definitions of ideal-point alignment columns (`align`, `balance` with
/// `--metric ideal`).
pub fn pair_definitions(fit: &IdealPoints) -> Value {
    json!({
        "sessions": "sessions (that opened in the span) in which both states have an ideal point",
        "distance": "the mean of |x_a - x_b| over those sessions, x the ideal points of bamboo ideal (each session standardised to mean 0, SD 1)",
        "ideal": bamboo_core::ideal::measure::definition(fit.range()),
    })
}

/// `align … --metric ideal` as JSON: the CLI's and the server's.
pub fn align_json(
    fit: &IdealPoints,
    store: &VoteStore,
    subject: Iso3,
    others: &[Iso3],
    by: bamboo_core::alignment::By,
    rows: &[bamboo_core::ideal::IdealRow],
) -> Value {
    json!({
        "subject": subject,
        "others": others,
        "by": by,
        "metric": "ideal",
        "definitions": pair_definitions(fit),
        "fit": fit_json(fit),
        "source": crate::text::source_json(&source_line(store, fit)),
        "rows": rows.iter().map(|r| json!({
            "from": r.from, "to": r.to, "roll_calls": r.roll_calls,
            "with": r.with.iter().map(|(c, p)| json!({
                "country": c, "sessions": p.sessions, "distance": p.distance, "ideal": p.alignment,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
