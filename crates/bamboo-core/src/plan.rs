//! Plans that rebalance: after the engine's choice, a dated agenda of offsetting moves
//! (`[[trunk.move]]` in a doctrine) that keeps the projected lean within bounds over the
//! horizon at least cost and restores each displeased pole's relation.
//!
//! **The lean model** is the engine's own (`docs/doctrine.md`): the composite of the
//! signals that have data. Month by month over the horizon, the signals are those known the
//! day before the decision, with the decision's own effect, visits ageing out of the window
//! as their dates pass, and each planned move's effect from its month on: a visit adds a
//! visit, a partnership step raises the tier, an arms or trade step moves shares toward the
//! counterpart, votes with the counterpart add roll calls of agreement. Nothing dated on or
//! after the decision is read.
//!
//! **The bound** is the doctrine's `max_lean`, or the lean before the decision when that is
//! already higher: the engine tolerates an existing lean and penalises deepening it, so a
//! plan must offset the decision's push, not undo the years before it.
//!
//! **The search** is exact: every multiset of (move, pole) of at most `max_moves` moves, each
//! occurrence scheduled as early as its lead time and spacing allow (a move's effect only
//! ever helps from its month on), branch and bound on cost. The three cheapest feasible
//! agendas are ranked (ties: fewer moves, then the lower peak lean). Moves a root forbids
//! toward a pole are never candidates.

use crate::case::{parse_kind, parse_tag, parse_tier, FieldError, Kind, Opt, TagSet, Tier};
use crate::country::Iso3;
use crate::date::Date;
use crate::doctrine::{CompiledDoctrine, Party, Pillar, Signal, MAX_POLES, N_SIGNALS};
use crate::engine::{clause_matches, pleased, Context, Decision, Situation};
use crate::ledger::{EventKind, Ledger};

/// `[trunk.planning]`: the planner's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Planning {
    /// Months ahead the plan looks (default 12).
    pub horizon_months: u32,
    /// Relation a pole loses when a decision displeases it fully (it wanted the opposite);
    /// half when the choice is one step from what it wanted (default 0.2).
    pub displeasure: f64,
    /// At most this many moves in an agenda (default 5).
    pub max_moves: usize,
    /// Pairs of rival poles: a choice that gives one of them what it wants displeases the
    /// other, even when the case records no position for it.
    pub rivals: Vec<(Iso3, Iso3)>,
    /// How much of `displeasure` a rival's gain costs (default 0.5).
    pub rival_share: f64,
    /// How much a decision of each kind weighs with a displeased pole, indexed by
    /// `Kind as usize` (default 1).
    pub salience: [f64; Kind::COUNT],
    /// The lean must be within the bound from this month to the horizon (default 3): the
    /// time the trunk is given to act.
    pub settle_months: u32,
}

impl Default for Planning {
    fn default() -> Self {
        Planning {
            horizon_months: 12,
            displeasure: 0.2,
            max_moves: 5,
            rivals: Vec::new(),
            rival_share: 0.5,
            salience: [1.0; Kind::COUNT],
            settle_months: 3,
        }
    }
}

/// What a move does to the lean signals of its counterpart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Effect {
    /// Leader-level visits added.
    pub visits: f64,
    /// The partnership tier reached, if the move is a step up.
    pub tier: Option<Tier>,
    /// Arms-import share moved toward the counterpart (a fraction).
    pub arms: f64,
    /// Trade share moved toward the counterpart (a fraction).
    pub trade: f64,
    /// Roll calls of agreement with the counterpart added to the UN signal.
    pub un_votes: f64,
}

/// One offsetting move of the doctrine's catalogue (`[[trunk.move]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    /// Its name in the catalogue (unique).
    pub id: String,
    /// What it is, with `{toward}` for the counterpart ("Host {toward}'s leader").
    pub what: String,
    /// The kind of decision it is, for the roots (none: no root can forbid it).
    pub kind: Option<Kind>,
    /// Its tags, for the roots.
    pub tags: TagSet,
    /// The pillars that carry it (party, state, people).
    pub pillars: Vec<Pillar>,
    /// What it costs, in units of diplomatic capital.
    pub cost: f64,
    /// The months it takes to prepare: its first occurrence is this many months after the
    /// decision (at least 1).
    pub lead_months: u32,
    /// At most once per this many months toward the same pole.
    pub every_months: u32,
    /// The poles it can go to (empty: all).
    pub toward: Vec<Iso3>,
    /// Relation restored with the counterpart.
    pub relation: f64,
    /// What it does to the lean signals of its counterpart.
    pub effect: Effect,
    /// Where the move and its numbers come from.
    pub sources: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// The doctrine's input: `[[trunk.move]]` and `[trunk.planning]`.
// ---------------------------------------------------------------------------------------

/// `[trunk.planning]` as read.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanningInput {
    /// Months ahead the plan looks ([`Planning::horizon_months`]).
    #[serde(default)]
    pub horizon_months: Option<u32>,
    /// Relation lost to a full displeasure ([`Planning::displeasure`]).
    #[serde(default)]
    pub displeasure: Option<f64>,
    /// At most this many moves in an agenda ([`Planning::max_moves`]).
    #[serde(default)]
    pub max_moves: Option<usize>,
    /// Pairs of rival poles, by code ([`Planning::rivals`]).
    #[serde(default)]
    pub rivals: Vec<[String; 2]>,
    /// How much of the displeasure a rival's gain costs ([`Planning::rival_share`]).
    #[serde(default)]
    pub rival_share: Option<f64>,
    /// Weight of a decision of each kind, by kind name ([`Planning::salience`]).
    #[serde(default)]
    pub salience: std::collections::BTreeMap<String, f64>,
    /// From this month on the lean must be within the bound ([`Planning::settle_months`]).
    #[serde(default)]
    pub settle_months: Option<u32>,
}

/// One `[[trunk.move]]` as read.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// [`Move::id`].
    pub id: String,
    /// [`Move::what`].
    pub what: String,
    /// The kind name ([`Move::kind`]).
    #[serde(default)]
    pub kind: Option<String>,
    /// Tag names ([`Move::tags`]).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Pillar names ([`Move::pillars`]).
    pub pillars: Vec<String>,
    /// [`Move::cost`] (0 to 1000).
    pub cost: f64,
    /// [`Move::lead_months`] (at most 60).
    #[serde(default)]
    pub lead_months: u32,
    /// [`Move::every_months`] (at most 60).
    #[serde(default)]
    pub every_months: u32,
    /// Pole codes ([`Move::toward`]; empty: all).
    #[serde(default)]
    pub toward: Vec<String>,
    /// [`Move::relation`] (0 to 10).
    #[serde(default)]
    pub relation: f64,
    /// [`Effect::visits`] (0 to 10).
    #[serde(default)]
    pub visits: f64,
    /// The tier name ([`Effect::tier`]).
    #[serde(default)]
    pub tier: Option<String>,
    /// [`Effect::arms`] (0 to 1).
    #[serde(default)]
    pub arms: f64,
    /// [`Effect::trade`] (0 to 1).
    #[serde(default)]
    pub trade: f64,
    /// [`Effect::un_votes`] (0 to 100).
    #[serde(default)]
    pub un_votes: f64,
    /// [`Move::sources`].
    #[serde(default)]
    pub sources: Vec<String>,
}

fn ranged(field: &str, x: f64, lo: f64, hi: f64) -> Result<f64, FieldError> {
    if x.is_finite() && x >= lo && x <= hi {
        Ok(x)
    } else {
        Err(FieldError::new(
            field,
            format!("must be a number from {lo} to {hi}"),
        ))
    }
}

/// Checks `[trunk.planning]`.
pub fn validate_planning(p: &PlanningInput, poles: &[Iso3]) -> Result<Planning, FieldError> {
    let d = Planning::default();
    let horizon_months = p.horizon_months.unwrap_or(d.horizon_months);
    if !(1..=60).contains(&horizon_months) {
        return Err(FieldError::new(
            "trunk.planning.horizon_months",
            "must be from 1 to 60 months",
        ));
    }
    let max_moves = p.max_moves.unwrap_or(d.max_moves);
    if !(1..=8).contains(&max_moves) {
        return Err(FieldError::new(
            "trunk.planning.max_moves",
            "must be from 1 to 8 (the search is exact)",
        ));
    }
    let mut rivals = Vec::new();
    for (i, pair) in p.rivals.iter().enumerate() {
        let mut two = [Iso3::from_static("AAA"); 2];
        for (k, c) in pair.iter().enumerate() {
            let code = Iso3::parse(c)
                .map_err(|e| FieldError::at("trunk.planning.rivals", i, e.to_string()))?;
            if !poles.contains(&code) {
                return Err(FieldError::at(
                    "trunk.planning.rivals",
                    i,
                    format!("{code} is not a pole of the doctrine"),
                ));
            }
            two[k] = code;
        }
        if two[0] == two[1] {
            return Err(FieldError::at(
                "trunk.planning.rivals",
                i,
                "a pole is not its own rival",
            ));
        }
        rivals.push((two[0], two[1]));
    }
    let mut salience = d.salience;
    for (k, x) in &p.salience {
        let field = format!("trunk.planning.salience.{k}");
        let kind = parse_kind(k).map_err(|e| FieldError::new(&field, e))?;
        salience[kind as usize] = ranged(&field, *x, 0.0, 10.0)?;
    }
    let settle_months = p.settle_months.unwrap_or(d.settle_months);
    if settle_months > horizon_months {
        return Err(FieldError::new(
            "trunk.planning.settle_months",
            format!("must be at most the horizon ({horizon_months} months)"),
        ));
    }
    Ok(Planning {
        horizon_months,
        salience,
        settle_months,
        displeasure: ranged(
            "trunk.planning.displeasure",
            p.displeasure.unwrap_or(d.displeasure),
            0.0,
            10.0,
        )?,
        max_moves,
        rivals,
        rival_share: ranged(
            "trunk.planning.rival_share",
            p.rival_share.unwrap_or(d.rival_share),
            0.0,
            1.0,
        )?,
    })
}

/// Checks the move catalogue: every name against its vocabulary, every number in range.
pub fn validate_moves(
    input: &[MoveInput],
    poles: &[Iso3],
    subject: Iso3,
) -> Result<Vec<Move>, FieldError> {
    if input.len() > 32 {
        return Err(FieldError::new("trunk.move", "at most 32 moves"));
    }
    let mut out: Vec<Move> = Vec::with_capacity(input.len());
    for (i, m) in input.iter().enumerate() {
        let f = |k: &str| format!("trunk.move[{i}].{k}");
        if m.id.trim().is_empty() {
            return Err(FieldError::new(&f("id"), "must not be empty"));
        }
        if out.iter().any(|x| x.id == m.id) {
            return Err(FieldError::new(
                &f("id"),
                format!("move id `{}` is used twice", m.id),
            ));
        }
        if m.what.trim().is_empty() {
            return Err(FieldError::new(&f("what"), "must not be empty"));
        }
        let kind = m
            .kind
            .as_deref()
            .map(|k| parse_kind(k).map_err(|e| FieldError::new(&f("kind"), e)))
            .transpose()?;
        if kind.is_some_and(|k| matches!(k, Kind::Incident)) {
            return Err(FieldError::new(
                &f("kind"),
                "an incident is not a move the subject makes",
            ));
        }
        let mut tags = TagSet::EMPTY;
        for (j, t) in m.tags.iter().enumerate() {
            tags.insert(parse_tag(t).map_err(|e| FieldError::at(&f("tags"), j, e))?);
        }
        if m.pillars.is_empty() {
            return Err(FieldError::new(
                &f("pillars"),
                "name at least one pillar (party, state or people)",
            ));
        }
        let mut pillars = Vec::new();
        for (j, p) in m.pillars.iter().enumerate() {
            let pl = Pillar::parse(p).ok_or_else(|| {
                FieldError::at(
                    &f("pillars"),
                    j,
                    format!("unknown pillar `{p}` (expected party, state or people)"),
                )
            })?;
            if !pillars.contains(&pl) {
                pillars.push(pl);
            }
        }
        let mut toward = Vec::new();
        for (j, t) in m.toward.iter().enumerate() {
            let c = Iso3::parse(t).map_err(|e| FieldError::at(&f("toward"), j, e.to_string()))?;
            if !poles.contains(&c) {
                return Err(FieldError::at(
                    &f("toward"),
                    j,
                    format!("{c} is not a pole of the doctrine (moves offset poles)"),
                ));
            }
            if c == subject {
                return Err(FieldError::at(&f("toward"), j, "the subject itself"));
            }
            toward.push(c);
        }
        let tier = m
            .tier
            .as_deref()
            .map(|t| parse_tier(t).map_err(|e| FieldError::new(&f("tier"), e)))
            .transpose()?;
        if m.lead_months > 60 || m.every_months > 60 {
            return Err(FieldError::new(
                &f(if m.lead_months > 60 {
                    "lead_months"
                } else {
                    "every_months"
                }),
                "must be at most 60 months",
            ));
        }
        out.push(Move {
            id: m.id.clone(),
            what: m.what.clone(),
            kind,
            tags,
            pillars,
            cost: ranged(&f("cost"), m.cost, 0.0, 1000.0)?,
            lead_months: m.lead_months,
            every_months: m.every_months,
            toward,
            relation: ranged(&f("relation"), m.relation, 0.0, 10.0)?,
            effect: Effect {
                visits: ranged(&f("visits"), m.visits, 0.0, 10.0)?,
                tier,
                arms: ranged(&f("arms"), m.arms, 0.0, 1.0)?,
                trade: ranged(&f("trade"), m.trade, 0.0, 1.0)?,
                un_votes: ranged(&f("un_votes"), m.un_votes, 0.0, 100.0)?,
            },
            sources: m.sources.clone(),
        });
    }
    Ok(out)
}

/// A planned move.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Step {
    /// Months after the decision (1 = the month after).
    pub month: u32,
    /// The first day of that month.
    pub date: Date,
    /// The move's id in the catalogue.
    #[serde(rename = "move")]
    pub move_id: String,
    /// The pole it goes to.
    pub toward: Iso3,
    /// What it is, with the pole named.
    pub what: String,
    /// The pillars that carry it.
    pub pillars: Vec<Pillar>,
    /// What it costs.
    pub cost: f64,
    /// Why it is there: the constraint or the cost it answers.
    pub why: String,
    /// The roots that could forbid a move of its kind, none of which does.
    pub roots_respected: Vec<String>,
}

/// One agenda: its moves, cost and the lean path it gives.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Agenda {
    /// 1 for the best.
    pub rank: usize,
    /// The sum of its moves' costs.
    pub cost: f64,
    /// Its moves, in the order they happen (month, then pole, then move).
    pub steps: Vec<Step>,
    /// The projected lean, month 0 (right after the decision) to the horizon.
    pub lean: Vec<f64>,
    /// Relation needed and restored, per displeased pole.
    pub relations: Vec<Restored>,
    /// The lean stays within the bound from the first month a move can act.
    pub within_bound: bool,
}

/// A displeased pole's relation: what the choice cost and what an agenda gives back.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Restored {
    /// The pole.
    pub pole: Iso3,
    /// The relation the choice cost it.
    pub needed: f64,
    /// The relation the agenda restores.
    pub restored: f64,
}

/// A move a root rules out toward a pole.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Ruled {
    /// The move's id in the catalogue.
    #[serde(rename = "move")]
    pub move_id: String,
    /// The pole it would go to.
    pub toward: Iso3,
    /// The roots that forbid it, in the order of their clauses.
    pub roots: Vec<String>,
}

/// The planner's answer for one decision.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Plan {
    /// Months ahead the plan looks.
    pub horizon_months: u32,
    /// `max(max_lean, lean before the decision)`.
    pub bound: Option<f64>,
    /// The projected lean with no move, month 0 to the horizon (empty: no lean signal).
    pub lean_without: Vec<f64>,
    /// The poles the choice displeases and the relation each lost.
    pub displeased: Vec<Restored>,
    /// Ranked agendas, best first (at most three).
    pub agendas: Vec<Agenda>,
    /// The moves some root forbids toward a pole (never candidates).
    pub ruled_out: Vec<Ruled>,
    /// Why no agenda meets the constraints, when none does (the agendas then come as close
    /// as any can).
    pub why_not: Option<String>,
}

impl Plan {
    /// The chosen agenda.
    pub fn best(&self) -> Option<&Agenda> {
        self.agendas.first()
    }
}

/// `date` plus `m` months, on the first of the month.
pub fn month_start(date: Date, m: u32) -> Date {
    let total = date.year() * 12 + i32::from(date.month()) - 1 + m as i32;
    Date::new(total.div_euclid(12), (total.rem_euclid(12) + 1) as u8, 1).unwrap_or(date)
}

/// Everything the projection needs, fixed for one decision.
///
/// A schedule is projected in one pass: its moves are applied once each, in the order of
/// the schedule, and the signals carried forward from month to month, so a path costs
/// O(horizon + moves) rather than re-applying the whole plan for every month. The schedule
/// must be chronological (months non-decreasing): the moves that act by month `m` are then a
/// prefix of it, and the signals at month `m` are exactly those of applying that prefix, in
/// order, to the signals after the decision (the affine arms, trade and UN updates do not
/// commute, so the order is part of the numbers). The planner orders every schedule by
/// (month, pole, move), the order in which the moves happen.
struct Projection<'a> {
    d: &'a CompiledDoctrine,
    n: usize,
    horizon: usize,
    available: [bool; N_SIGNALS],
    weights: [f64; N_SIGNALS],
    /// Signals right after the decision, visits excluded (they are counted per month).
    base: [[f64; N_SIGNALS]; MAX_POLES],
    /// Visits in the window at each month, per pole (counts, before saturation).
    visits: Vec<[f64; MAX_POLES]>,
    /// Whether a month's visits differ from the month before's (month 0: true).
    visits_change: Vec<bool>,
    saturation: f64,
    un_n: [f64; MAX_POLES],
    /// The sum of the available signals' weights.
    total: f64,
}

/// Whether a schedule is in chronological order (what [`Projection`] reads).
fn chronological(plan: &Schedule) -> bool {
    plan.windows(2).all(|w| w[0].2 <= w[1].2)
}

/// Orders a schedule as the planner projects and reports it: by month, then pole, then move.
fn sort_schedule(plan: &mut [(usize, usize, u32)]) {
    plan.sort_unstable_by_key(|x| (x.2, x.1, x.0));
}

impl Projection<'_> {
    /// Applies one move's effect toward pole `p` to the signals (all but visits, which are
    /// counted per month).
    fn apply(&self, sig: &mut [[f64; N_SIGNALS]; MAX_POLES], e: &Effect, p: usize) {
        if let Some(t) = e.tier {
            let v = self.d.lean_spec().tiers[t as usize];
            let x = &mut sig[p][Signal::Tier as usize];
            *x = x.max(v);
        }
        for (signal, step) in [(Signal::Arms, e.arms), (Signal::Trade, e.trade)] {
            if step > 0.0 {
                for (q, row) in sig.iter_mut().enumerate().take(self.n) {
                    let x = &mut row[signal as usize];
                    *x = *x * (1.0 - step) + if q == p { step } else { 0.0 };
                }
            }
        }
        if e.un_votes > 0.0 {
            let k0 = self.un_n[p];
            let x = &mut sig[p][Signal::Un as usize];
            *x = (*x * k0 + e.un_votes) / (k0 + e.un_votes);
        }
    }

    /// Walks a chronological schedule month by month from month 0 to the horizon, and hands
    /// `each` the signals of every month from `from` on (visits with saturation), or `None`
    /// for a month whose signals are those of the month before (no move acts in it and the
    /// window holds the same visits).
    fn walk(
        &self,
        plan: &Schedule,
        moves: &[Move],
        from: usize,
        mut each: impl FnMut(usize, Option<&[[f64; N_SIGNALS]; MAX_POLES]>),
    ) {
        debug_assert!(chronological(plan), "{plan:?}");
        let mut sig = self.base;
        let mut acted = 0;
        for m in 0..=self.horizon {
            let before = acted;
            while acted < plan.len() && plan[acted].2 as usize <= m {
                let (k, p, _) = plan[acted];
                self.apply(&mut sig, &moves[k].effect, p);
                acted += 1;
            }
            if m < from {
                continue;
            }
            if m > from && acted == before && !self.visits_change[m] {
                each(m, None);
                continue;
            }
            // The window's visits at this month, then the planned ones in schedule order.
            let mut visits = self.visits[m];
            for &(k, p, _) in &plan[..acted] {
                visits[p] += moves[k].effect.visits;
            }
            for (row, v) in sig.iter_mut().zip(&visits).take(self.n) {
                row[Signal::Visits as usize] = (v / self.saturation).min(1.0);
            }
            each(m, Some(&sig));
        }
    }

    /// Each pole's composite of the available signals.
    fn composites(&self, sig: &[[f64; N_SIGNALS]; MAX_POLES]) -> [f64; MAX_POLES] {
        let mut out = [0.0; MAX_POLES];
        for (c, row) in out.iter_mut().zip(sig).take(self.n) {
            *c = (0..N_SIGNALS)
                .filter(|&s| self.available[s])
                .map(|s| self.weights[s] * row[s])
                .sum::<f64>()
                / self.total;
        }
        out
    }

    /// The lean of composites: the highest pole's less the lowest's.
    fn spread(&self, c: &[f64; MAX_POLES]) -> f64 {
        let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
        for &x in c.iter().take(self.n) {
            hi = hi.max(x);
            lo = lo.min(x);
        }
        hi - lo
    }

    /// The projected lean of a chronological schedule, month 0 to the horizon.
    fn path(&self, plan: &Schedule, moves: &[Move]) -> Vec<f64> {
        let mut out: Vec<f64> = Vec::with_capacity(self.horizon + 1);
        self.walk(plan, moves, 0, |_, sig| {
            let x = match sig {
                Some(sig) => self.spread(&self.composites(sig)),
                None => out[out.len() - 1],
            };
            out.push(x);
        });
        out
    }

    /// Each pole's composite at every month from `from` to the horizon, into `out` (one
    /// row a month), for a chronological schedule.
    fn composites_from(
        &self,
        plan: &Schedule,
        moves: &[Move],
        from: usize,
        out: &mut [[f64; MAX_POLES]],
    ) {
        self.walk(plan, moves, from, |m, sig| {
            out[m - from] = match sig {
                Some(sig) => self.composites(sig),
                None => out[m - from - 1],
            };
        });
    }
}

/// The peak excess over `bound` of the lean whose composites are `rows` (one a month): the
/// same number as folding the [`Projection::path`] of those months, month by month in the
/// same order.
fn peak_excess(proj: &Projection, rows: &[[f64; MAX_POLES]], bound: f64) -> f64 {
    rows.iter()
        .map(|c| (proj.spread(c) - bound).max(0.0))
        .fold(0.0, f64::max)
}

/// The roots that forbid a move toward a pole, by index, in the order their clauses come
/// (none for a move with no kind: a decision no root can forbid). A move no root forbids is
/// checked against, and respects, every root of the doctrine.
fn forbidding_roots(d: &CompiledDoctrine, mv: &Move, pole: usize) -> Vec<u8> {
    let mut forbid = Vec::new();
    if let Some(kind) = mv.kind {
        let mut pole_want = [-1i8; MAX_POLES];
        pole_want[pole] = 0;
        let s = Situation {
            kind,
            tags: mv.tags,
            tier: mv.effect.tier,
            target: Party::None,
            counterpart: Party::Actor(pole as u8),
            pole_want,
            counterpart_want: -1,
            vote_term: [0.0; 3],
            support: -1.0,
        };
        let first = kind.options()[0];
        for (r, c) in d.clauses() {
            if !forbid.contains(r) && clause_matches(c, &s, d.n_poles(), 0, first) {
                forbid.push(*r);
            }
        }
    }
    forbid
}

/// The months in which the `count`-th occurrences of a move fall, earliest first.
fn months(mv: &Move, count: usize, horizon: u32) -> Option<Vec<u32>> {
    let first = mv.lead_months.max(1);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let m = first + i as u32 * mv.every_months.max(1);
        if m > horizon {
            return None;
        }
        out.push(m);
    }
    Some(out)
}

/// Whether `count` repeats of a move fit within the horizon (`months` gives `Some`).
fn fits(mv: &Move, count: usize, horizon: u32) -> bool {
    count == 0
        || u64::from(mv.lead_months.max(1)) + (count as u64 - 1) * u64::from(mv.every_months.max(1))
            <= u64::from(horizon)
}

/// What [`plan_needs`] is asked for a decision: the relation each pole must get back, the
/// signals after the choice, each month's visits in the window, and the horizon.
#[allow(clippy::type_complexity)]
fn needs(
    d: &CompiledDoctrine,
    s: &Situation,
    cx: &Context,
    dec: &Decision,
    ledger: &Ledger,
    date: Date,
    horizon: Option<u32>,
) -> (
    [f64; MAX_POLES],
    [[f64; N_SIGNALS]; MAX_POLES],
    Vec<[f64; MAX_POLES]>,
    u32,
) {
    let doc = d.doctrine();
    let cfg = &doc.trunk.planning;
    let h = horizon.unwrap_or(cfg.horizon_months).clamp(1, 60);
    let n = d.n_poles();
    let ci = dec.choice as usize;

    // Who is displeased, and by how much: the poles whose recorded wish the choice goes
    // against, and the rivals of a pole the choice gives what it wants.
    let mut needed = [0.0; MAX_POLES];
    let gains: Vec<usize> = (0..n)
        .filter(|&p| s.pole_want[p] >= 0 && pleased(s.kind, ci, s.pole_want[p] as usize) >= 1.0)
        .collect();
    for (p, pole) in d.poles().iter().enumerate() {
        let w = s.pole_want[p];
        let amount = if w >= 0 {
            let pl = pleased(s.kind, ci, w as usize);
            cfg.displeasure * (1.0 - pl) / 2.0
        } else if gains.iter().any(|&g| {
            let other = d.poles()[g];
            cfg.rivals
                .iter()
                .any(|&(a, b)| (a == other && b == *pole) || (b == other && a == *pole))
        }) {
            cfg.displeasure * cfg.rival_share
        } else {
            0.0
        };
        let amount = amount * cfg.salience[s.kind as usize];
        if amount > 0.0 {
            needed[p] = amount;
        }
    }

    // The projection: signals after the decision, visits per month.
    let after = crate::engine::signals_after_choice(d, s, cx, ci);
    let window = doc.lean.window_years as i32;
    let past = ledger.before(date);
    let mut visits = vec![[0.0; MAX_POLES]; h as usize + 1];
    for (m, row) in visits.iter_mut().enumerate() {
        let at = month_start(date, m as u32);
        let from = Date::new(at.year() - window, at.month(), at.day()).unwrap_or(at);
        for e in past {
            if e.kind != EventKind::Visit || e.date < from {
                continue;
            }
            for (p, pole) in d.poles().iter().enumerate() {
                if e.involves(doc.subject, *pole) {
                    row[p] += 1.0;
                }
            }
        }
        // The decision's own visit, if it is one (accepting a visit adds one).
        if s.kind == Kind::Visit && ci == 0 {
            if let Party::Actor(p) = s.counterpart {
                if (p as usize) < n {
                    row[p as usize] += 1.0;
                }
            }
        }
    }
    (needed, after, visits, h)
}

/// Plans the offsets of a decision. `ledger` is read strictly before `date`.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    d: &CompiledDoctrine,
    s: &Situation,
    cx: &Context,
    dec: &Decision,
    ledger: &Ledger,
    date: Date,
    horizon: Option<u32>,
) -> Plan {
    let (needed, after, visits, h) = needs(d, s, cx, dec, ledger, date, horizon);
    plan_needs(d, cx, needed, after, visits, date, h, true)
}

/// The plans already made for one doctrine's decisions, each kept under everything
/// [`plan_needs`] reads but the date (the needs, the signals after the choice, the visits
/// of each month, the horizon, the signals available, the UN counts and the lean before),
/// floats by their bits. Decisions of a year share their context, and the votes of a year
/// displease the same poles by the same amounts: of Vietnam's 4,326 recorded votes of
/// 1946-2024 as cases, 3,976 search for an agenda and only 1,475 of those searches differ.
///
/// A kept plan is handed back with its steps' dates moved to the asking decision's months,
/// the only part of a plan that reads the date, so [`PlanMemo::plan`] returns exactly
/// what [`plan`] would. It borrows its doctrine, so it cannot outlive it or be asked about
/// another; it is shared between threads (a lock around the table) and holds at most
/// [`PlanMemo::CAPACITY`] plans, forgetting them all when full.
#[derive(Debug)]
pub struct PlanMemo<'d> {
    doctrine: &'d CompiledDoctrine,
    plans: std::sync::Mutex<std::collections::HashMap<NeedsKey, Plan>>,
}

/// Everything [`plan_needs`] reads for a decision but the doctrine and the date.
#[derive(Debug, PartialEq, Eq, Hash)]
struct NeedsKey {
    needed: [u64; MAX_POLES],
    after: [[u64; N_SIGNALS]; MAX_POLES],
    visits: Vec<[u64; MAX_POLES]>,
    h: u32,
    available: [bool; N_SIGNALS],
    un_n: [u64; MAX_POLES],
    lean: Option<u64>,
}

impl<'d> PlanMemo<'d> {
    /// The most plans kept at once.
    pub const CAPACITY: usize = 8192;

    /// An empty memo for `doctrine`'s decisions.
    pub fn new(doctrine: &'d CompiledDoctrine) -> PlanMemo<'d> {
        PlanMemo {
            doctrine,
            plans: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// How many plans are kept.
    pub fn len(&self) -> usize {
        self.table().len()
    }

    /// Whether no plan is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn table(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<NeedsKey, Plan>> {
        // A panic while the lock was held left at worst a missing entry: the table is
        // still sound.
        self.plans
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// [`plan`] for the memo's doctrine, from a kept plan where one was made for the same
    /// needs.
    pub fn plan(
        &self,
        s: &Situation,
        cx: &Context,
        dec: &Decision,
        ledger: &Ledger,
        date: Date,
        horizon: Option<u32>,
    ) -> Plan {
        let d = self.doctrine;
        let (needed, after, visits, h) = needs(d, s, cx, dec, ledger, date, horizon);
        let bits = |x: [f64; MAX_POLES]| x.map(f64::to_bits);
        let key = NeedsKey {
            needed: bits(needed),
            after: after.map(|row| row.map(f64::to_bits)),
            visits: visits.iter().map(|&v| bits(v)).collect(),
            h,
            available: cx.available,
            un_n: bits(cx.un_n),
            lean: cx.lean(d).map(f64::to_bits),
        };
        if let Some(kept) = self.table().get(&key) {
            let mut plan = kept.clone();
            for a in &mut plan.agendas {
                for step in &mut a.steps {
                    step.date = month_start(date, step.month);
                }
            }
            return plan;
        }
        let plan = plan_needs(d, cx, needed, after, visits, date, h, true);
        let mut table = self.table();
        if table.len() >= Self::CAPACITY {
            table.clear();
        }
        table.insert(key, plan.clone());
        plan
    }
}

/// The planner's search for given needs: the relation each pole must get back (`needed`),
/// the signals after whatever came before (`after`), and each month's count of visits in
/// the window (`visits[m][pole]`, months 0 to `h`). [`plan`] fills these from a decision and
/// the ledger; a simulator fills them from its own state.
///
/// With `keep_lean` false the lean is projected and reported but not a constraint (a
/// simulator's yearly offsets restore relations; the lean is one of its outcomes).
#[allow(clippy::too_many_arguments)]
pub fn plan_needs(
    d: &CompiledDoctrine,
    cx: &Context,
    needed: [f64; MAX_POLES],
    after: [[f64; N_SIGNALS]; MAX_POLES],
    visits: Vec<[f64; MAX_POLES]>,
    date: Date,
    h: u32,
    keep_lean: bool,
) -> Plan {
    let doc = d.doctrine();
    let cfg = &doc.trunk.planning;
    let moves = &doc.trunk.moves;
    let n = d.n_poles();
    let displeased: Vec<Restored> = (0..n)
        .filter(|&p| needed[p] > 0.0)
        .map(|p| Restored {
            pole: d.poles()[p],
            needed: crate::engine::round4(needed[p]),
            restored: 0.0,
        })
        .collect();
    let proj = Projection {
        d,
        n,
        horizon: h as usize,
        available: cx.available,
        weights: doc.lean.weights,
        base: after,
        visits_change: (0..visits.len())
            .map(|m| {
                m == 0
                    || visits[m][..n]
                        .iter()
                        .zip(&visits[m - 1][..n])
                        .any(|(a, b)| a.to_bits() != b.to_bits())
            })
            .collect(),
        visits,
        saturation: doc.lean.saturation,
        un_n: cx.un_n,
        total: (0..N_SIGNALS)
            .filter(|&s| cx.available[s])
            .map(|s| doc.lean.weights[s])
            .sum(),
    };
    let lean_known = cx.lean(d).is_some();
    let lean_without = if lean_known {
        proj.path(&[], moves)
    } else {
        Vec::new()
    };
    let bound = cx.lean(d).map(|l0| l0.max(doc.branches.max_lean));

    // Candidates: (move, pole) pairs no root forbids.
    let mut ruled_out = Vec::new();
    let mut items: Vec<(usize, usize)> = Vec::new();
    for (k, mv) in moves.iter().enumerate() {
        for (p, pole) in d.poles().iter().enumerate() {
            if !mv.toward.is_empty() && !mv.toward.contains(pole) {
                continue;
            }
            let forbid = forbidding_roots(d, mv, p);
            if forbid.is_empty() {
                items.push((k, p));
            } else {
                ruled_out.push(Ruled {
                    move_id: mv.id.clone(),
                    toward: *pole,
                    roots: forbid
                        .iter()
                        .map(|&r| d.roots()[r as usize].id.clone())
                        .collect(),
                });
            }
        }
    }
    // Every candidate respects every root (those that some root forbids are ruled out).
    let every_root: Vec<String> = d.roots().iter().map(|r| r.id.clone()).collect();

    let first_act = cfg.settle_months.min(h) as usize;
    let excess = |path: &[f64]| -> f64 {
        match bound {
            Some(b) => path
                .iter()
                .skip(first_act)
                .map(|x| (x - b).max(0.0))
                .fold(0.0, f64::max),
            None => 0.0,
        }
    };
    let needs_lean = keep_lean && !lean_without.is_empty() && excess(&lean_without) > 1e-12;
    let needs_relation = needed.iter().any(|&x| x > 0.0);

    // A move can only help by restoring a displeased pole's relation or, when the lean is
    // to be mended, by moving a lean signal toward a pole that is not the one leaned to.
    let leaned_to = if needs_lean && lean_known {
        let mut best = (0usize, f64::NEG_INFINITY);
        let total: f64 = (0..N_SIGNALS)
            .filter(|&s| proj.available[s])
            .map(|s| proj.weights[s])
            .sum();
        for p in 0..n {
            let c: f64 = (0..N_SIGNALS)
                .filter(|&s| proj.available[s])
                .map(|s| proj.weights[s] * proj.base[p][s])
                .sum::<f64>()
                / total.max(1e-12);
            if c > best.1 {
                best = (p, c);
            }
        }
        Some(best.0)
    } else {
        None
    };
    items.retain(|(k, p)| {
        let e = &moves[*k].effect;
        let moves_lean =
            e.visits > 0.0 || e.tier.is_some() || e.arms > 0.0 || e.trade > 0.0 || e.un_votes > 0.0;
        needed[*p] > 0.0 || (needs_lean && moves_lean && leaned_to != Some(*p))
    });
    // Branch and bound over multisets of items (counts per item).
    let (best, fallback) = if (needs_lean || needs_relation) && !items.is_empty() {
        let check_lean = keep_lean && lean_known && bound.is_some();
        search(&Problem {
            items: &items,
            moves,
            h,
            needed,
            n,
            needs_lean,
            check_lean,
            proj: &proj,
            bound: bound.unwrap_or(0.0),
            first_act,
            depth: cfg.max_moves,
        })
    } else {
        (Vec::new(), None)
    };

    // Build the agendas.
    let build = |c: &[usize], rank: usize| -> Agenda {
        let mut plain: Vec<(usize, usize, u32)> = Vec::new();
        let mut restored = [0.0; MAX_POLES];
        for (i, &k) in c.iter().enumerate() {
            let (mi, p) = &items[i];
            for m in months(&moves[*mi], k, h).unwrap_or_default() {
                plain.push((*mi, *p, m));
            }
            restored[*p] += moves[*mi].relation * k as f64;
        }
        sort_schedule(&mut plain);
        let path = if lean_known {
            proj.path(&plain, moves)
        } else {
            Vec::new()
        };
        let steps = plain
            .iter()
            .enumerate()
            .map(|(j, &(mi, p, m))| {
                let mv = &moves[mi];
                let pole = d.poles()[p];
                let mut why = Vec::new();
                if needed[p] > 0.0 {
                    why.push(format!(
                        "restores {pole}'s relation ({} of the {} the choice cost)",
                        crate::engine::round4(mv.relation),
                        crate::engine::round4(needed[p])
                    ));
                }
                if needs_lean && lean_known {
                    // What this step does to the lean: the path without it.
                    let others: Vec<(usize, usize, u32)> = plain
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| *k != j)
                        .map(|(_, x)| *x)
                        .collect();
                    let without = proj.path(&others, moves);
                    let gain = (0..path.len())
                        .skip(first_act)
                        .map(|k| without[k] - path[k])
                        .fold(0.0, f64::max);
                    if gain > 1e-9 {
                        why.push(format!(
                            "lowers the projected lean by up to {gain:.3}, toward the bound {:.3} (without any move it reaches {:.3})",
                            bound.unwrap_or(0.0),
                            lean_without.iter().copied().fold(0.0, f64::max)
                        ));
                    }
                }
                if why.is_empty() {
                    why.push("part of the cheapest agenda that meets the constraints".into());
                }
                why.push(format!("cost {}", mv.cost));
                Step {
                    month: m,
                    date: month_start(date, m),
                    move_id: mv.id.clone(),
                    toward: pole,
                    what: mv.what.replace("{toward}", pole.as_str()),
                    pillars: mv.pillars.clone(),
                    cost: mv.cost,
                    why: why.join("; "),
                    roots_respected: every_root.clone(),
                }
            })
            .collect();
        let cost: f64 = plain.iter().map(|x| moves[x.0].cost).sum();
        Agenda {
            rank,
            cost: crate::engine::round4(cost),
            steps,
            within_bound: excess(&path) <= 1e-12,
            lean: path.iter().map(|x| crate::engine::round4(*x)).collect(),
            relations: displeased
                .iter()
                .map(|r| {
                    let p = d.poles().iter().position(|x| *x == r.pole).unwrap_or(0);
                    Restored {
                        pole: r.pole,
                        needed: r.needed,
                        restored: crate::engine::round4(restored[p]),
                    }
                })
                .collect(),
        }
    };
    let mut why_not = None;
    let agendas: Vec<Agenda> = if !needs_lean && !needs_relation {
        Vec::new()
    } else if !best.is_empty() {
        best.iter()
            .enumerate()
            .map(|(r, b)| build(&b.2, r + 1))
            .collect()
    } else {
        let reason = if items.is_empty() {
            "the doctrine has no move that its roots allow toward any pole".to_string()
        } else {
            let fb = fallback.as_ref();
            let mut parts = Vec::new();
            if fb.is_some_and(|f| f.0 > 1e-12) {
                parts.push(format!(
                    "no agenda of at most {} moves within {h} months restores every displeased pole's relation",
                    cfg.max_moves
                ));
            }
            if fb.is_some_and(|f| f.1 > 1e-12) {
                parts.push(format!(
                    "none keeps the projected lean within {:.3} (the closest peaks {:.3} above it)",
                    bound.unwrap_or(0.0),
                    fb.map_or(0.0, |f| f.1)
                ));
            }
            parts.join("; ")
        };
        why_not = Some(reason);
        fallback
            .as_ref()
            .map(|f| vec![build(&f.3, 1)])
            .unwrap_or_default()
    };
    Plan {
        horizon_months: h,
        bound: bound.map(crate::engine::round4),
        lean_without: lean_without
            .iter()
            .map(|x| crate::engine::round4(*x))
            .collect(),
        displeased,
        agendas,
        ruled_out,
        why_not,
    }
}

/// What the search reads, fixed for one decision.
struct Problem<'a> {
    /// The candidate (move, pole) pairs.
    items: &'a [(usize, usize)],
    moves: &'a [Move],
    /// The horizon in months.
    h: u32,
    /// The relation each pole must get back.
    needed: [f64; MAX_POLES],
    /// The number of poles.
    n: usize,
    /// Whether the lean must be mended (it is over the bound with no move).
    needs_lean: bool,
    /// Whether the lean is a constraint at all.
    check_lean: bool,
    proj: &'a Projection<'a>,
    /// The bound on the lean (read when `check_lean`).
    bound: f64,
    /// The first month the bound holds from.
    first_act: usize,
    /// The most moves an agenda holds.
    depth: usize,
}

/// The cheapest agendas that meet the constraints (at most three, cheapest first; not one
/// holding another) and, when none does, the one that comes closest.
fn search(pb: &Problem) -> (Vec<Found>, Option<Closest>) {
    let (items, moves, depth) = (pb.items, pb.moves, pb.depth);
    let mut search = Search {
        pb,
        best: Vec::new(),
        fallback: None,
        counts: vec![0; items.len()],
        restored: [0.0; MAX_POLES],
        schedule: Vec::with_capacity(depth),
        suffix: Vec::new(),
        gains: Vec::new(),
        reach: if pb.needs_lean && pb.check_lean {
            Reach0::Later
        } else {
            Reach0::Off
        },
        only_feasible: true,
        dropped: false,
        guess: f64::INFINITY,
        nodes: 0,
        rows: Vec::new(),
        excess: Vec::new(),
    };
    search.prepare();
    // Deepening on cost: search for agendas costing at most a guess, from the least
    // any agenda can cost, doubling it until three are found (then they are the three
    // cheapest of all), and at last with no guess at all.
    let cheapest = items
        .iter()
        .map(|&(k, _)| moves[k].cost)
        .fold(f64::INFINITY, f64::min);
    let mut guess = (1.5 * search.lower_bound(0)).max(2.0 * cheapest);
    for phase in 0.. {
        if phase >= GUESSES || guess.is_nan() || guess <= 0.0 {
            guess = f64::INFINITY;
        }
        search.guess = guess;
        search.best.clear();
        search.fallback = None;
        search.dropped = false;
        search.dfs(0, depth, 0.0, true, 0);
        if search.best.len() == 3 || guess == f64::INFINITY {
            break;
        }
        guess *= 2.0;
    }
    if search.best.is_empty() {
        if search.dropped {
            // The branches dropped for holding no agenda that meets the constraints
            // may hold the one that comes closest: the same search without dropping
            // them, as if it had never run.
            search.only_feasible = false;
            search.fallback = None;
            search.dfs(0, depth, 0.0, true, 0);
        }
        // Nothing meets every constraint: search again without the bound, for the agenda
        // that comes closest.
        search.dfs(0, depth, 0.0, false, 0);
    }
    (search.best, search.fallback)
}

/// A schedule: (move index, pole index, month) per planned move.
type Schedule = [(usize, usize, u32)];
/// A feasible agenda found: (cost, moves, counts per item).
type Found = (f64, usize, Vec<usize>);
/// The closest agenda when none is feasible: (relation shortfall, lean excess, cost, counts).
type Closest = (f64, f64, f64, Vec<usize>);

/// Inserts `copies` copies of `g` into `list`, the largest values so far sorted largest
/// first (at most 8), keeping the `list.len()` largest.
fn insert_largest(list: &mut [f64], g: f64, copies: usize) {
    let mut merged = [0.0; 8];
    let (mut a, mut c) = (0, 0);
    for slot in merged.iter_mut().take(list.len()) {
        if c < copies && (a >= list.len() || g > list[a]) {
            *slot = g;
            c += 1;
        } else {
            *slot = list[a];
            a += 1;
        }
    }
    list.copy_from_slice(&merged[..list.len()]);
}

/// Each run of `depth` values (sorted largest first) as its `depth + 1` prefix sums: entry
/// `l` the sum of the `l` largest.
fn prefix_sums(lists: &[f64], depth: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(lists.len() / depth * (depth + 1));
    for list in lists.chunks(depth) {
        let mut s = 0.0;
        out.push(0.0);
        for g in list {
            s += g;
            out.push(s);
        }
    }
    out
}

/// [`Reach`]'s lists (per item index, pole and month, the `depth` largest gains, largest
/// first) as its tables: per item index and number of moves `l`, per month and pole, the sum
/// of the `l` largest.
fn by_node(lists: &[f64], n: usize, months: usize, depth: usize) -> Vec<f64> {
    let nodes = lists.len() / (n * months * depth);
    let mut out = vec![0.0; nodes * (depth + 1) * months * n];
    for i in 0..nodes {
        for p in 0..n {
            for m in 0..months {
                let list = &lists[((i * n + p) * months + m) * depth..][..depth];
                let mut s = 0.0;
                for (l, g) in list.iter().enumerate() {
                    s += g;
                    out[((i * (depth + 1) + l + 1) * months + m) * n + p] = s;
                }
            }
        }
    }
    out
}

/// How far the items from each index on can move each pole's composite, per month: what
/// lets the search drop a branch none of whose agendas can bring the lean within the bound.
///
/// Every move raises its counterpart's composite and only arms and trade steps lower the
/// others', each by at most a fixed amount per occurrence (the bounds below hold for any
/// signals in [0, 1], which these stay in). So after any `l` more moves from items `i..`,
/// pole `b`'s composite at a month is at most its composite now plus the `l` largest raises
/// among the occurrences of those items toward `b` that act by then, and pole `a`'s at least
/// its composite now less the `l` largest cuts; the lean is at least the difference.
struct Reach {
    n: usize,
    /// Months from the first that counts to the horizon.
    months: usize,
    /// The most moves an agenda holds.
    depth: usize,
    /// `up[((i * (depth + 1) + l) * months + m) * n + p]`: the sum of the `l` largest raises
    /// of pole `p`'s composite by month `first + m` among occurrences of items `i..` (so a
    /// node reads one run of `months * n`).
    up: Vec<f64>,
    /// The same for the cuts of pole `p`'s composite (arms and trade steps toward others).
    down: Vec<f64>,
}

/// The margin by which the bound on the lean must be exceeded before a branch is dropped:
/// far above the rounding of composites (about 1e-16), so only branches whose every agenda
/// peaks more than 1e-12 over the bound (infeasible) are dropped.
const REACH_MARGIN: f64 = 1e-9;

impl Reach {
    /// The bounds for `items` over months `first..=horizon`, or `None` when the signals are
    /// not all where the bounds hold (a share or agreement outside [0, 1], say).
    fn new(
        proj: &Projection,
        items: &[(usize, usize)],
        moves: &[Move],
        first: usize,
        depth: usize,
    ) -> Option<Reach> {
        let n = proj.n;
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        let shares_ok = (0..n).all(|p| {
            [Signal::Un, Signal::Arms, Signal::Trade]
                .iter()
                .all(|&s| unit(proj.base[p][s as usize]))
        });
        let ok = shares_ok
            && proj.total.is_finite()
            && proj.total > 0.0
            && proj.weights.iter().all(|w| w.is_finite() && *w >= 0.0)
            && proj.saturation > 0.0
            && proj.un_n[..n].iter().all(|k| k.is_finite() && *k >= 0.0)
            && (1..=8).contains(&depth)
            && first <= proj.horizon;
        if !ok {
            return None;
        }
        let months = proj.horizon - first + 1;
        let w = |s: Signal| {
            if proj.available[s as usize] {
                proj.weights[s as usize] / proj.total
            } else {
                0.0
            }
        };
        let block = n * months * depth;
        // The `depth` largest gains per (pole, month), item by item from the last.
        let mut up = vec![0.0; (items.len() + 1) * block];
        let mut down = vec![0.0; (items.len() + 1) * block];
        for i in (0..items.len()).rev() {
            let (head, tail) = up.split_at_mut((i + 1) * block);
            head[i * block..].copy_from_slice(&tail[..block]);
            let (head, tail) = down.split_at_mut((i + 1) * block);
            head[i * block..].copy_from_slice(&tail[..block]);
            let (k, p) = items[i];
            let mv = &moves[k];
            let e = &mv.effect;
            let base = &proj.base[p];
            let mut raise = w(Signal::Visits) * e.visits / proj.saturation
                + w(Signal::Arms) * e.arms
                + w(Signal::Trade) * e.trade;
            if let Some(t) = e.tier {
                let v = proj.d.lean_spec().tiers[t as usize];
                raise += w(Signal::Tier) * (v - base[Signal::Tier as usize]).max(0.0);
            }
            if e.un_votes > 0.0 {
                let k0 = proj.un_n[p];
                raise += w(Signal::Un) * (1.0 - base[Signal::Un as usize]) * e.un_votes
                    / (k0 + e.un_votes);
            }
            let cut = w(Signal::Arms) * e.arms + w(Signal::Trade) * e.trade;
            if raise <= 0.0 && cut <= 0.0 {
                continue;
            }
            let first_month = mv.lead_months.max(1) as usize;
            let every = mv.every_months.max(1) as usize;
            for m in 0..months {
                let at = first + m;
                if at < first_month {
                    continue;
                }
                let copies = ((at - first_month) / every + 1).min(depth);
                let at_pole = |q: usize| i * block + (q * months + m) * depth;
                if raise > 0.0 {
                    let o = at_pole(p);
                    insert_largest(&mut up[o..o + depth], raise, copies);
                }
                if cut > 0.0 {
                    for q in (0..n).filter(|&q| q != p) {
                        let o = at_pole(q);
                        insert_largest(&mut down[o..o + depth], cut, copies);
                    }
                }
            }
        }
        Some(Reach {
            n,
            months,
            depth,
            up: by_node(&up, n, months, depth),
            down: by_node(&down, n, months, depth),
        })
    }

    /// Whether no agenda that adds at most `left` moves from items `i..` to the schedule
    /// whose composites are `rows` (months from the first that counts) can keep the lean
    /// within `bound`.
    fn out_of_reach(&self, i: usize, left: usize, rows: &[[f64; MAX_POLES]], bound: f64) -> bool {
        let n = self.n;
        let o = (i * (self.depth + 1) + left.min(self.depth)) * self.months * n;
        let up = self.up[o..o + self.months * n].chunks_exact(n);
        let down = self.down[o..o + self.months * n].chunks_exact(n);
        rows.iter().zip(up.zip(down)).any(|(c, (u, d))| {
            let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
            for ((&x, &u), &d) in c.iter().zip(u).zip(d) {
                hi = hi.max(x - d);
                lo = lo.min(x + u);
            }
            hi - lo - bound > REACH_MARGIN
        })
    }
}

/// The exact search over multisets of (move, pole) items.
///
/// Depth first over the items in order, fewer occurrences first, as the plain branch and
/// bound: an agenda is scored where the relations it restores first suffice (and, when the
/// lean must be mended, where it first meets every constraint), and the cheapest three
/// that meet the constraints are kept, none holding another. Branches are dropped that
/// hold nothing the answer can contain:
/// - on cost: what the relations still needed cost at least, against the third-cheapest
///   agenda found or the guess of [`search`] (agendas dearer than both cannot be among the
///   three cheapest);
/// - while dropping branches that meet no constraint is allowed (`only_feasible`): a branch
///   that cannot restore every relation within the moves left, or (when the lean must be
///   mended) cannot bring the lean within the bound ([`Reach`]). Such branches only give the
///   closest agenda, which is read when no agenda meets the constraints; [`search`] then
///   searches again without dropping them.
///
/// A node's schedule is projected at most once ("slots": a child that adds no move shares
/// its parent's projection), and a node's run of children that add no move (the next item
/// zero times, then the next, ...) is walked as a loop rather than recursed into.
struct Search<'a> {
    /// What is searched: the items, moves, constraints and projection.
    pb: &'a Problem<'a>,
    best: Vec<Found>,
    fallback: Option<Closest>,
    counts: Vec<usize>,
    restored: [f64; MAX_POLES],
    schedule: Vec<(usize, usize, u32)>,
    /// `suffix[i][p]`: the least cost per unit of relation toward pole `p` among items
    /// `i..` (infinity where none goes to `p`).
    suffix: Vec<[f64; MAX_POLES]>,
    /// `gains[(i * n + p) * (depth + 1) + l]`: the most relation `l` moves from items `i..`
    /// restore toward pole `p`.
    gains: Vec<f64>,
    /// The pruning on the lean: built once the search has visited [`REACH_AFTER`] nodes
    /// (a search smaller than that is cheaper without it), when the lean must be mended
    /// and the bounds hold.
    reach: Reach0,
    /// Whether branches that hold no agenda meeting the constraints are dropped (they can
    /// only give the closest agenda, read when none meets them).
    only_feasible: bool,
    /// Whether such a branch was dropped.
    dropped: bool,
    /// Agendas costing more are not sought (infinity: all are).
    guess: f64,
    /// Nodes visited.
    nodes: usize,
    /// Per slot, the composites of its schedule from `first_act` to the horizon (a row a
    /// month)...
    rows: Vec<[f64; MAX_POLES]>,
    /// ... their peak excess over the bound, and whether both are those of the slot's
    /// current schedule.
    excess: Vec<(f64, bool)>,
}

/// The state of the pruning on the lean.
enum Reach0 {
    /// Not used in this search.
    Off,
    /// To be built once the search is large enough.
    Later,
    /// In use.
    On(Reach),
}

/// How many guesses of the cost the search makes before it looks at every cost.
const GUESSES: usize = 4;

/// The nodes a search visits before it builds its pruning on the lean.
const REACH_AFTER: usize = 64;

impl Search<'_> {
    fn prepare(&mut self) {
        let (n, depth) = (self.pb.n, self.pb.depth);
        let mut s = vec![[f64::INFINITY; MAX_POLES]; self.pb.items.len() + 1];
        // The `depth` largest relations per occurrence toward each pole, items `i..`.
        let mut top = vec![0.0; (self.pb.items.len() + 1) * n * depth];
        for i in (0..self.pb.items.len()).rev() {
            s[i] = s[i + 1];
            let (head, tail) = top.split_at_mut((i + 1) * n * depth);
            head[i * n * depth..].copy_from_slice(&tail[..n * depth]);
            let (mi, p) = self.pb.items[i];
            let mv = &self.pb.moves[mi];
            if mv.relation > 0.0 {
                s[i][p] = s[i][p].min(mv.cost / mv.relation);
                let copies = (1..=depth)
                    .take_while(|&c| fits(mv, c, self.pb.h))
                    .last()
                    .unwrap_or(0);
                let o = (i * n + p) * depth;
                insert_largest(&mut top[o..o + depth], mv.relation, copies);
            }
        }
        self.suffix = s;
        self.gains = prefix_sums(&top, depth);
        if self.pb.check_lean {
            let months = self.pb.h as usize - self.pb.first_act + 1;
            self.rows = vec![[0.0; MAX_POLES]; (self.pb.items.len() + 1) * months];
            self.excess = vec![(0.0, false); self.pb.items.len() + 1];
        }
    }

    fn cap(&self) -> f64 {
        if self.best.len() < 3 {
            f64::INFINITY
        } else {
            self.best[2].0
        }
    }

    fn deficit(&self, p: usize) -> f64 {
        (self.pb.needed[p] - self.restored[p]).max(0.0)
    }

    /// A lower bound on the cost still needed to restore every relation with items `i..`
    /// (infinite when some deficit cannot be covered).
    fn lower_bound(&self, i: usize) -> f64 {
        (0..self.pb.n)
            .map(|p| {
                let d = self.deficit(p);
                if d <= 1e-12 {
                    0.0
                } else {
                    d * self.suffix[i][p]
                }
            })
            .sum()
    }

    /// Whether `left` moves from items `i..` cannot restore every relation still needed:
    /// each pole's deficit takes at least as many moves as its largest restorations need.
    /// (A margin far above rounding: only branches short by more than 1e-9 are dropped.)
    fn beyond_moves(&self, i: usize, left: usize) -> bool {
        let mut moves = 0;
        for p in 0..self.pb.n {
            let d = self.deficit(p);
            if d <= 1e-12 {
                continue;
            }
            let o = (i * self.pb.n + p) * (self.pb.depth + 1);
            let sums = &self.gains[o..=o + self.pb.depth];
            match sums.iter().position(|&g| g >= d - 1e-9) {
                Some(k) => moves += k,
                None => return true,
            }
        }
        moves > left
    }

    /// The peak excess of the lean over the bound for the current counts, whose projection
    /// is kept in `slot` (projected now unless it already is).
    fn lean_excess(&mut self, slot: usize) -> f64 {
        if self.excess[slot].1 {
            return self.excess[slot].0;
        }
        self.schedule.clear();
        for (i, &k) in self.counts.iter().enumerate() {
            let (mi, p) = self.pb.items[i];
            let mv = &self.pb.moves[mi];
            // The months of `months(mv, k, h)`, which dfs only gives counts it accepts.
            let first = mv.lead_months.max(1);
            for j in 0..k {
                self.schedule
                    .push((mi, p, first + j as u32 * mv.every_months.max(1)));
            }
        }
        sort_schedule(&mut self.schedule);
        let months = self.pb.h as usize - self.pb.first_act + 1;
        let rows = &mut self.rows[slot * months..(slot + 1) * months];
        self.pb
            .proj
            .composites_from(&self.schedule, self.pb.moves, self.pb.first_act, rows);
        let ex = peak_excess(self.pb.proj, rows, self.pb.bound);
        self.excess[slot] = (ex, true);
        ex
    }

    /// Whether no agenda of this branch (the current counts plus at most `left` moves from
    /// items `i..`) can keep the lean within the bound.
    fn out_of_reach(&mut self, i: usize, left: usize, slot: usize) -> bool {
        if matches!(self.reach, Reach0::Later) && self.nodes >= REACH_AFTER {
            self.reach = match Reach::new(
                self.pb.proj,
                self.pb.items,
                self.pb.moves,
                self.pb.first_act,
                self.pb.depth,
            ) {
                Some(r) => Reach0::On(r),
                None => Reach0::Off,
            };
        }
        if !matches!(self.reach, Reach0::On(_)) {
            return false;
        }
        self.lean_excess(slot);
        let months = self.pb.h as usize - self.pb.first_act + 1;
        let rows = &self.rows[slot * months..(slot + 1) * months];
        match &self.reach {
            Reach0::On(r) => r.out_of_reach(i, left, rows, self.pb.bound),
            _ => false,
        }
    }

    /// Whether a node (items `i..` still to choose from, the current counts chosen) is
    /// dropped.
    fn pruned(&mut self, i: usize, left: usize, cost: f64, slot: usize) -> bool {
        self.nodes += 1;
        if cost + self.lower_bound(i) > self.cap().min(self.guess) + 1e-12 {
            return true;
        }
        if !self.only_feasible {
            return false;
        }
        // A branch that holds no agenda meeting the constraints: one that cannot restore
        // every relation within the moves left, or (when the lean must be mended) cannot
        // bring the lean within the bound.
        let dropped = self.beyond_moves(i, left)
            || (!matches!(self.reach, Reach0::Off) && self.out_of_reach(i, left, slot));
        self.dropped |= dropped;
        dropped
    }

    /// The branch of the current counts with items `i..` still to choose from, `left` moves
    /// left, at `cost`; `prune` off: every agenda (for the closest one).
    ///
    /// The node and its run of children that add no move ((i + 1, same counts), (i + 2,
    /// same counts), ...) are checked in turn as the recursive search would check them on
    /// its way down, then the children that add moves are searched, the deepest first, as
    /// it would on its way back up.
    fn dfs(&mut self, i: usize, left: usize, cost: f64, prune: bool, slot: usize) {
        if prune && self.pruned(i, left, cost, slot) {
            return;
        }
        let satisfied = (0..self.pb.n).all(|p| self.deficit(p) <= 1e-12);
        if i == self.pb.items.len() || left == 0 || (satisfied && !self.pb.needs_lean) {
            self.eval(cost, slot);
            return;
        }
        // Once the moves chosen so far meet every constraint, adding more only costs more
        // (and a superset is no alternative): stop here. (Evaluated once: the run of
        // children that add no move would evaluate the same counts again, to no effect.)
        let evaluated = prune && satisfied;
        if evaluated && self.eval(cost, slot) {
            return;
        }
        // The run: nodes i + 1, i + 2, ... (the same counts) until one is dropped or there
        // is no item left; nodes i..end are expanded. Each check only gets stricter along
        // the run (fewer items left: a higher least cost, fewer relations and less reach),
        // so the first node dropped is found by galloping and bisection.
        let len = self.pb.items.len();
        let end = if prune {
            let (mut lo, mut step) = (i, 1);
            // `lo` passes; find `hi` > lo that is dropped (or len + 1: none is).
            let mut hi = loop {
                let j = (lo + step).min(len + 1);
                if j > len || self.pruned(j, left, cost, slot) {
                    break j;
                }
                lo = j;
                step *= 2;
            };
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if self.pruned(mid, left, cost, slot) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            hi
        } else {
            len + 1
        };
        let end = if end > len {
            // The run reaches the last item: the counts themselves, as an agenda.
            if !evaluated {
                self.eval(cost, slot);
            }
            len
        } else {
            end
        };
        for j in (i..end).rev() {
            let (mi, p) = self.pb.items[j];
            let mv = &self.pb.moves[mi];
            let most = (0..=left)
                .take_while(|&c| c == 0 || fits(mv, c, self.pb.h))
                .last()
                .unwrap_or(0);
            // Fewer first, so the cheap agendas are found early and the bound bites.
            for c in 1..=most {
                self.counts[j] = c;
                let before = self.restored[p];
                self.restored[p] = before + mv.relation * c as f64;
                // A child that adds moves has a schedule of its own, projected when needed.
                if let Some(x) = self.excess.get_mut(j + 1) {
                    x.1 = false;
                }
                self.dfs(j + 1, left - c, cost + c as f64 * mv.cost, prune, j + 1);
                self.restored[p] = before;
            }
            self.counts[j] = 0;
        }
    }

    /// Scores the current counts; true when they meet every constraint.
    fn eval(&mut self, cost: f64, slot: usize) -> bool {
        let shortfall: f64 = (0..self.pb.n).map(|p| self.deficit(p)).sum();
        if shortfall > 1e-12 {
            // Infeasible: it can only become the fallback, which is read only when no
            // agenda is feasible, and only if its shortfall is not worse than the
            // fallback's. Otherwise its lean (the costly part) cannot change anything.
            let hopeless = !self.best.is_empty()
                || self
                    .fallback
                    .as_ref()
                    .is_some_and(|(s0, ..)| shortfall - s0 > 1e-12);
            if hopeless {
                return false;
            }
        }
        let n_moves: usize = self.counts.iter().sum();
        let ex = if self.pb.check_lean {
            self.lean_excess(slot)
        } else {
            0.0
        };
        let c = &self.counts;
        if shortfall <= 1e-12 && ex <= 1e-12 {
            // An agenda that holds another feasible one plus more moves is no
            // alternative: keep the smaller.
            let contains =
                |big: &[usize], small: &[usize]| big.iter().zip(small).all(|(x, y)| x >= y);
            if self.best.iter().any(|e| contains(c, &e.2)) {
                return true;
            }
            self.best.retain(|e| !contains(&e.2, c));
            self.best.push((cost, n_moves, c.clone()));
            self.best
                .sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
            self.best.truncate(3);
            true
        } else {
            let better = match &self.fallback {
                None => true,
                Some((s0, e0, c0, _)) => {
                    shortfall < s0 - 1e-12
                        || ((shortfall - s0).abs() <= 1e-12
                            && (ex < e0 - 1e-12 || ((ex - e0).abs() <= 1e-12 && cost < c0 - 1e-12)))
                }
            };
            if better {
                self.fallback = Some((shortfall, ex, cost, c.clone()));
            }
            false
        }
    }
}

/// The plain pillar list of a move, for messages.
pub fn pillar_names(p: &[Pillar]) -> String {
    p.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" + ")
}

/// The option a move's kind stands for (its first).
pub fn move_option(mv: &Move) -> Option<Opt> {
    mv.kind.map(|k| k.options()[0])
}

/// What kind of move or event a step is, for comparing plans with what happened.
pub fn category_of_move(mv: &Move) -> &'static str {
    match mv.kind {
        Some(Kind::Visit) => "visit",
        Some(Kind::Partnership) => "partnership",
        Some(Kind::TradePact) => "agreement",
        Some(Kind::ArmsDeal) => "arms",
        Some(Kind::Exercise) => "exercise",
        Some(_) => "other",
        None if mv.pillars == [Pillar::Party] => "party",
        None if mv.pillars == [Pillar::People] => "people",
        None if mv.effect.un_votes > 0.0 => "vote",
        None => "other",
    }
}

/// The category of a ledger event that courts a state, if it is one.
pub fn category_of_event(k: EventKind) -> Option<&'static str> {
    match k {
        EventKind::Visit => Some("visit"),
        EventKind::Partnership => Some("partnership"),
        EventKind::Agreement | EventKind::Trade => Some("agreement"),
        EventKind::Arms => Some("arms"),
        EventKind::Exercise => Some("exercise"),
        EventKind::Vote | EventKind::Incident => None,
    }
}

/// The next courting event of the ledger after a decision, within the horizon, toward a pole
/// the decision did not please: `(pole, category, date, title)`.
pub fn courted_next(
    d: &CompiledDoctrine,
    ledger: &Ledger,
    date: Date,
    horizon: u32,
    pleased_poles: &[Iso3],
) -> Option<(Iso3, &'static str, Date, String)> {
    let end = month_start(date, horizon + 1);
    ledger
        .events()
        .iter()
        .filter(|e| e.date > date && e.date < end)
        .find_map(|e| {
            let cat = category_of_event(e.kind)?;
            let pole = d
                .poles()
                .iter()
                .find(|p| e.involves(d.subject(), **p) && !pleased_poles.contains(p))?;
            Some((*pole, cat, e.date, e.title.clone()))
        })
}

/// The poles a choice gives what they want.
pub fn pleased_poles(d: &CompiledDoctrine, s: &Situation, dec: &Decision) -> Vec<Iso3> {
    let ci = dec.choice as usize;
    (0..d.n_poles())
        .filter(|&p| s.pole_want[p] >= 0 && pleased(s.kind, ci, s.pole_want[p] as usize) >= 1.0)
        .map(|p| d.poles()[p])
        .collect()
}

/// The baseline of the aftermath test: court the pole with the lowest relation, among those
/// the choice did not please.
pub fn lowest_relation_pole(d: &CompiledDoctrine, cx: &Context, pleased: &[Iso3]) -> Option<Iso3> {
    (0..d.n_poles())
        .filter(|&p| !pleased.contains(&d.poles()[p]))
        .min_by(|&a, &b| cx.relations[a].total_cmp(&cx.relations[b]).then(a.cmp(&b)))
        .map(|p| d.poles()[p])
}

/// The first offset of the chosen agenda: its pole and category (the earliest step, ties
/// to the pole listed first).
pub fn first_offset(d: &CompiledDoctrine, p: &Plan) -> Option<(Iso3, &'static str, u32)> {
    let a = p.best()?;
    let st = a.steps.first()?;
    let mv = d.trunk().moves.iter().find(|m| m.id == st.move_id)?;
    Some((st.toward, category_of_move(mv), st.month))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{validate_case, CaseInput, PositionsInput};
    use crate::doctrine::{validate_doctrine, DoctrineInput};
    use crate::engine::decide;

    fn doctrine(moves: &str, roots: &str) -> CompiledDoctrine {
        let text = format!(
            r#"{{
              "doctrine": {{"name": "t", "subject": "VNM", "poles": ["USA", "CHN"]}},
              "root": [{roots}],
              "trunk": {{
                "planning": {{"horizon_months": 12, "displeasure": 0.2, "max_moves": 4, "settle_months": 3}},
                "move": [{moves}]
              }},
              "branches": {{"interests": {{"autonomy": 1.0}},
                           "relations": {{"USA": 0.5, "CHN": 0.5}}}}
            }}"#
        );
        let input: DoctrineInput = serde_json::from_str(&text).unwrap();
        CompiledDoctrine::new(validate_doctrine(&input).unwrap()).unwrap()
    }

    const MOVES: &str = r#"
        {"id": "call", "what": "call {toward}", "pillars": ["state"], "cost": 1, "lead_months": 1, "every_months": 3, "relation": 0.06},
        {"id": "summit", "what": "summit with {toward}", "kind": "visit", "pillars": ["state", "party"], "cost": 3, "lead_months": 2, "every_months": 12, "relation": 0.25, "visits": 1},
        {"id": "pact", "what": "pact with {toward}", "kind": "alliance", "pillars": ["state"], "cost": 0.5, "lead_months": 1, "every_months": 12, "relation": 1.0}
    "#;

    fn vote(yes: &[&str], no: &[&str]) -> crate::case::Case {
        let l = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect());
        validate_case(&CaseInput {
            id: "v".into(),
            date: "2020-05-10".into(),
            subject: "VNM".into(),
            kind: "un_vote".into(),
            title: "t".into(),
            sources: vec!["s".into()],
            positions: Some(PositionsInput {
                yes: l(yes),
                no: l(no),
                ..Default::default()
            }),
            ..CaseInput::default()
        })
        .unwrap()
    }

    #[test]
    fn months_start_on_the_first() {
        let d = Date::parse("2023-09-10").unwrap();
        assert_eq!(month_start(d, 0).to_string(), "2023-09-01");
        assert_eq!(month_start(d, 4).to_string(), "2024-01-01");
        assert_eq!(month_start(d, 15).to_string(), "2024-12-01");
    }

    /// USA wanted yes, the choice is no (opposite: the full 0.2 to restore; CHN wanted no).
    /// Hand-worked: four calls cost 4 but the spacing of three months allows months 1, 4, 7,
    /// 10 (0.24); a summit costs 3 for 0.25: the summit is cheapest. The pact would cost 0.5
    /// but an alliance is forbidden by the root, so it is ruled out toward both poles.
    #[test]
    fn the_cheapest_agenda_that_restores_the_relation_and_roots_rule_out_moves() {
        let root = r#"{"id": "no-alliance", "principle": "p", "forbid": [{"kind": ["alliance"], "option": ["join"]}]}"#;
        let d = doctrine(MOVES, root);
        let case = vote(&["USA"], &["CHN"]);
        let s = Situation::new(&d, &case);
        let cx = Context::neutral(&d);
        let mut dec = decide(&d, &s, &cx);
        dec.choice = 1; // no
        let p = plan(&d, &s, &cx, &dec, &Ledger::default(), case.date, None);
        assert_eq!(p.displeased.len(), 1);
        assert_eq!(p.displeased[0].pole.as_str(), "USA");
        assert_eq!(p.displeased[0].needed, 0.2);
        let best = p.best().unwrap();
        assert_eq!(best.steps.len(), 1);
        assert_eq!(best.steps[0].move_id, "summit");
        assert_eq!(best.steps[0].month, 2);
        assert_eq!(best.steps[0].pillars, vec![Pillar::State, Pillar::Party]);
        assert_eq!(best.cost, 3.0);
        assert!(p.why_not.is_none());
        assert_eq!(p.ruled_out.len(), 2, "{:?}", p.ruled_out);
        assert!(p
            .ruled_out
            .iter()
            .all(|r| r.move_id == "pact" && r.roots == ["no-alliance"]));
        // The alternatives are not supersets of the best one.
        for a in &p.agendas[1..] {
            assert!(!a.steps.iter().any(|s| s.move_id == "summit"), "{a:?}");
        }
        // Abstaining is one step from yes and from no: half as much to restore, with each.
        dec.choice = 2;
        let p = plan(&d, &s, &cx, &dec, &Ledger::default(), case.date, None);
        assert_eq!(p.displeased.len(), 2);
        assert!(p.displeased.iter().all(|r| r.needed == 0.1));
        assert_eq!(
            p.best().unwrap().cost,
            4.0,
            "two calls toward each, months 1 and 4"
        );
    }

    /// Nothing to restore and no lean: no agenda, and no reason needed.
    #[test]
    fn a_choice_that_displeases_no_pole_needs_no_plan() {
        let d = doctrine(MOVES, "");
        let case = vote(&["USA", "CHN"], &[]);
        let s = Situation::new(&d, &case);
        let cx = Context::neutral(&d);
        let dec = decide(&d, &s, &cx);
        let p = plan(&d, &s, &cx, &dec, &Ledger::default(), case.date, None);
        assert!(p.agendas.is_empty() && p.why_not.is_none() && p.displeased.is_empty());
    }

    /// The memo hands back the plan [`plan`] makes, for a decision it has planned before
    /// (the same needs on another date: the steps' dates move with it) and for one with other
    /// needs (another choice, another ledger), keeping one plan per distinct need.
    #[test]
    fn the_memo_plans_as_plan_does() {
        let d = doctrine(MOVES, "");
        let memo = PlanMemo::new(&d);
        let cx = Context::neutral(&d);
        let visited = Ledger::new(
            None,
            vec![crate::ledger::LedgerEvent {
                date: Date::parse("2019-06-01").unwrap(),
                kind: EventKind::Visit,
                actors: vec![Iso3::from_static("VNM"), Iso3::from_static("USA")],
                title: "a visit".into(),
                sources: vec!["test".into()],
                tier: None,
                votes: Vec::new(),
            }],
        );
        let mut fresh = Vec::new();
        for (date, choice, ledger) in [
            ("2020-05-10", 1u8, &Ledger::default()),
            ("2021-11-30", 1, &Ledger::default()),
            ("2020-05-10", 0, &Ledger::default()),
            ("2020-05-10", 1, &visited),
            ("2023-01-31", 1, &Ledger::default()),
        ] {
            let mut case = vote(&["USA"], &["CHN"]);
            case.date = Date::parse(date).unwrap();
            let s = Situation::new(&d, &case);
            let mut dec = decide(&d, &s, &cx);
            dec.choice = choice;
            let p = plan(&d, &s, &cx, &dec, ledger, case.date, None);
            assert_eq!(memo.plan(&s, &cx, &dec, ledger, case.date, None), p);
            fresh.push(p);
        }
        // The second decision is the first's on another date: its plan differs only in its
        // steps' dates, which the memo had to move.
        let dates = |p: &Plan| {
            p.best()
                .map(|a| a.steps.iter().map(|st| st.date).collect::<Vec<_>>())
        };
        assert_ne!(dates(&fresh[0]), dates(&fresh[1]));
        assert!(fresh[1].best().is_some_and(|a| !a.steps.is_empty()));
        // Three needs: USA displeased (three dates), USA pleased, USA displeased after a visit.
        assert_eq!(memo.len(), 3);
    }

    /// A need beyond what the catalogue can do within the horizon: the plan says why, and
    /// shows the agenda that comes closest.
    #[test]
    fn an_impossible_need_is_explained() {
        let d = doctrine(
            r#"{"id": "call", "what": "call {toward}", "pillars": ["state"], "cost": 1, "lead_months": 1, "every_months": 6, "relation": 0.01}"#,
            "",
        );
        let case = vote(&["USA"], &["CHN"]);
        let s = Situation::new(&d, &case);
        let cx = Context::neutral(&d);
        let mut dec = decide(&d, &s, &cx);
        dec.choice = 1;
        let p = plan(&d, &s, &cx, &dec, &Ledger::default(), case.date, None);
        assert!(
            p.why_not
                .as_deref()
                .unwrap()
                .contains("restores every displeased pole"),
            "{p:?}"
        );
        assert_eq!(
            p.best().unwrap().steps.len(),
            2,
            "months 1 and 7: all the horizon allows"
        );
    }

    #[test]
    fn bad_moves_are_refused_with_their_field() {
        let bad = [
            (
                r#"{"id": "x", "what": "w", "pillars": ["army"], "cost": 1}"#,
                "trunk.move[0].pillars",
            ),
            (
                r#"{"id": "x", "what": "w", "pillars": ["state"], "cost": -1}"#,
                "trunk.move[0].cost",
            ),
            (
                r#"{"id": "x", "what": "w", "pillars": ["state"], "cost": 1, "toward": ["FRA"]}"#,
                "trunk.move[0].toward",
            ),
            (
                r#"{"id": "x", "what": "w", "pillars": ["state"], "cost": 1, "kind": "incident"}"#,
                "trunk.move[0].kind",
            ),
            (
                r#"{"id": "x", "what": "w", "pillars": ["state"], "cost": 1, "arms": 2}"#,
                "trunk.move[0].arms",
            ),
        ];
        for (m, field) in bad {
            let text = format!(
                r#"{{"doctrine": {{"name": "t", "subject": "VNM", "poles": ["USA", "CHN"]}},
                  "trunk": {{"move": [{m}]}},
                  "branches": {{"interests": {{"a": 1.0}}, "relations": {{"USA": 0.5, "CHN": 0.5}}}}}}"#
            );
            let input: DoctrineInput = serde_json::from_str(&text).unwrap();
            let e = validate_doctrine(&input).unwrap_err();
            assert_eq!(e.field, field, "{m}: {e}");
        }
    }

    // -----------------------------------------------------------------------------------
    // The oracles: the straightforward projection (every month re-applies the whole plan)
    // and the plain branch and bound, as they were before the fast ones; random problems
    // must give the same numbers and the same agendas.
    // -----------------------------------------------------------------------------------

    /// The lean at month `m`: the plan's moves of month `m` or before applied to the signals
    /// after the decision, in the plan's order.
    fn reference_lean(pr: &Projection, m: usize, plan: &Schedule, moves: &[Move]) -> f64 {
        let mut sig = pr.base;
        let mut visits = pr.visits[m];
        for &(k, p, month) in plan {
            if (month as usize) > m {
                continue;
            }
            let e = &moves[k].effect;
            visits[p] += e.visits;
            if let Some(t) = e.tier {
                let v = pr.d.lean_spec().tiers[t as usize];
                let x = &mut sig[p][Signal::Tier as usize];
                *x = x.max(v);
            }
            for (signal, step) in [(Signal::Arms, e.arms), (Signal::Trade, e.trade)] {
                if step > 0.0 {
                    for (q, row) in sig.iter_mut().enumerate().take(pr.n) {
                        let x = &mut row[signal as usize];
                        *x = *x * (1.0 - step) + if q == p { step } else { 0.0 };
                    }
                }
            }
            if e.un_votes > 0.0 {
                let k0 = pr.un_n[p];
                let x = &mut sig[p][Signal::Un as usize];
                *x = (*x * k0 + e.un_votes) / (k0 + e.un_votes);
            }
        }
        for p in 0..pr.n {
            sig[p][Signal::Visits as usize] = (visits[p] / pr.saturation).min(1.0);
        }
        let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
        for row in sig.iter().take(pr.n) {
            let c: f64 = (0..N_SIGNALS)
                .filter(|&s| pr.available[s])
                .map(|s| pr.weights[s] * row[s])
                .sum::<f64>()
                / pr.total;
            hi = hi.max(c);
            lo = lo.min(c);
        }
        hi - lo
    }

    fn reference_path(pr: &Projection, plan: &Schedule, moves: &[Move]) -> Vec<f64> {
        (0..=pr.horizon)
            .map(|m| reference_lean(pr, m, plan, moves))
            .collect()
    }

    /// The plain branch and bound (the search before its prunings on moves, on the lean
    /// and its guesses of the cost), with the oracle's projection of each agenda in month
    /// order.
    struct Plain<'a> {
        pb: &'a Problem<'a>,
        best: Vec<Found>,
        fallback: Option<Closest>,
        counts: Vec<usize>,
        restored: [f64; MAX_POLES],
        suffix: Vec<[f64; MAX_POLES]>,
    }

    impl Plain<'_> {
        fn run(pb: &Problem) -> (Vec<Found>, Option<Closest>) {
            let mut s = vec![[f64::INFINITY; MAX_POLES]; pb.items.len() + 1];
            for i in (0..pb.items.len()).rev() {
                s[i] = s[i + 1];
                let (mi, p) = pb.items[i];
                let mv = &pb.moves[mi];
                if mv.relation > 0.0 {
                    s[i][p] = s[i][p].min(mv.cost / mv.relation);
                }
            }
            let mut x = Plain {
                pb,
                best: Vec::new(),
                fallback: None,
                counts: vec![0; pb.items.len()],
                restored: [0.0; MAX_POLES],
                suffix: s,
            };
            x.dfs(0, pb.depth, 0.0, true);
            if x.best.is_empty() {
                x.dfs(0, pb.depth, 0.0, false);
            }
            (x.best, x.fallback)
        }

        fn cap(&self) -> f64 {
            if self.best.len() < 3 {
                f64::INFINITY
            } else {
                self.best[2].0
            }
        }

        fn deficit(&self, p: usize) -> f64 {
            (self.pb.needed[p] - self.restored[p]).max(0.0)
        }

        fn lower_bound(&self, i: usize) -> f64 {
            (0..self.pb.n)
                .map(|p| {
                    let d = self.deficit(p);
                    if d <= 1e-12 {
                        0.0
                    } else {
                        d * self.suffix[i][p]
                    }
                })
                .sum()
        }

        fn dfs(&mut self, i: usize, left: usize, cost: f64, prune: bool) {
            if prune && cost + self.lower_bound(i) > self.cap() + 1e-12 {
                return;
            }
            let satisfied = (0..self.pb.n).all(|p| self.deficit(p) <= 1e-12);
            if i == self.pb.items.len() || left == 0 || (satisfied && !self.pb.needs_lean) {
                self.eval(cost);
                return;
            }
            if prune && satisfied && self.eval(cost) {
                return;
            }
            let (mi, p) = self.pb.items[i];
            let mv = &self.pb.moves[mi];
            let most = (0..=left)
                .take_while(|&c| c == 0 || fits(mv, c, self.pb.h))
                .last()
                .unwrap_or(0);
            for c in 0..=most {
                self.counts[i] = c;
                self.restored[p] += mv.relation * c as f64;
                self.dfs(i + 1, left - c, cost + c as f64 * mv.cost, prune);
                self.restored[p] -= mv.relation * c as f64;
            }
            self.counts[i] = 0;
        }

        fn eval(&mut self, cost: f64) -> bool {
            let pb = self.pb;
            let shortfall: f64 = (0..pb.n).map(|p| self.deficit(p)).sum();
            if shortfall > 1e-12
                && (!self.best.is_empty()
                    || self
                        .fallback
                        .as_ref()
                        .is_some_and(|(s0, ..)| shortfall - s0 > 1e-12))
            {
                return false;
            }
            let mut schedule = Vec::new();
            let mut n_moves = 0;
            for (i, &k) in self.counts.iter().enumerate() {
                let (mi, p) = pb.items[i];
                schedule.extend(
                    months(&pb.moves[mi], k, pb.h)
                        .unwrap()
                        .into_iter()
                        .map(|m| (mi, p, m)),
                );
                n_moves += k;
            }
            sort_schedule(&mut schedule);
            let ex = if pb.check_lean {
                (pb.first_act..=pb.h as usize)
                    .map(|m| (reference_lean(pb.proj, m, &schedule, pb.moves) - pb.bound).max(0.0))
                    .fold(0.0, f64::max)
            } else {
                0.0
            };
            let c = self.counts.clone();
            if shortfall <= 1e-12 && ex <= 1e-12 {
                let contains =
                    |big: &[usize], small: &[usize]| big.iter().zip(small).all(|(x, y)| x >= y);
                if self.best.iter().any(|e| contains(&c, &e.2)) {
                    return true;
                }
                self.best.retain(|e| !contains(&e.2, &c));
                self.best.push((cost, n_moves, c));
                self.best
                    .sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
                self.best.truncate(3);
                true
            } else {
                let better = match &self.fallback {
                    None => true,
                    Some((s0, e0, c0, _)) => {
                        shortfall < s0 - 1e-12
                            || ((shortfall - s0).abs() <= 1e-12
                                && (ex < e0 - 1e-12
                                    || ((ex - e0).abs() <= 1e-12 && cost < c0 - 1e-12)))
                    }
                };
                if better {
                    self.fallback = Some((shortfall, ex, cost, c));
                }
                false
            }
        }
    }

    /// A small generator of random problems (splitmix64).
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        /// Uniform in [0, 1).
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn chance(&mut self, p: f64) -> bool {
            self.unit() < p
        }
        /// Zero, a round number or an arbitrary one up to `hi`.
        fn amount(&mut self, hi: f64) -> f64 {
            match self.below(4) {
                0 => 0.0,
                1 => (self.below(4) as f64 + 1.0) * hi / 4.0,
                _ => self.unit() * hi,
            }
        }
    }

    fn random_moves(g: &mut Gen, count: usize) -> Vec<Move> {
        (0..count)
            .map(|k| Move {
                id: format!("m{k}"),
                what: "w {toward}".into(),
                kind: None,
                tags: TagSet::EMPTY,
                pillars: vec![Pillar::State],
                cost: [0.5, 1.0, 2.0, 3.0, 4.0][g.below(5) as usize] + g.amount(1.0),
                lead_months: g.below(7) as u32,
                every_months: [0, 1, 3, 6, 12][g.below(5) as usize],
                toward: Vec::new(),
                relation: g.amount(0.3),
                effect: Effect {
                    visits: if g.chance(0.4) { g.amount(2.0) } else { 0.0 },
                    tier: g
                        .chance(0.2)
                        .then(|| Tier::ALL[g.below(Tier::COUNT as u64) as usize]),
                    arms: if g.chance(0.3) { g.amount(0.3) } else { 0.0 },
                    trade: if g.chance(0.3) { g.amount(0.3) } else { 0.0 },
                    un_votes: if g.chance(0.3) { g.amount(5.0) } else { 0.0 },
                },
                sources: Vec::new(),
            })
            .collect()
    }

    /// A projection over `h` months of `n` poles with random signals (within [0, 1] unless
    /// `wild`), weights, windows of visits and UN counts.
    fn random_projection<'a>(
        g: &mut Gen,
        d: &'a CompiledDoctrine,
        n: usize,
        h: usize,
        wild: bool,
    ) -> Projection<'a> {
        let mut available = [false; N_SIGNALS];
        let mut weights = [0.0; N_SIGNALS];
        for s in 0..N_SIGNALS {
            available[s] = g.chance(0.7);
            weights[s] = g.amount(2.0);
        }
        available[g.below(N_SIGNALS as u64) as usize] = true;
        let mut base = [[0.0; N_SIGNALS]; MAX_POLES];
        for row in base.iter_mut().take(n) {
            for x in row.iter_mut() {
                *x = if wild && g.chance(0.1) {
                    g.unit() * 3.0 - 1.0
                } else {
                    g.amount(1.0)
                };
            }
        }
        let mut visits = Vec::with_capacity(h + 1);
        let mut row = [0.0; MAX_POLES];
        for x in row.iter_mut().take(n) {
            *x = g.below(4) as f64;
        }
        for _ in 0..=h {
            if g.chance(0.2) {
                let p = g.below(n as u64) as usize;
                row[p] = (row[p] + [1.0, -1.0][g.below(2) as usize]).max(0.0);
            }
            visits.push(row);
        }
        let mut un_n = [0.0; MAX_POLES];
        for x in un_n.iter_mut().take(n) {
            *x = g.below(40) as f64;
        }
        let total = (0..N_SIGNALS)
            .filter(|&s| available[s])
            .map(|s| weights[s])
            .sum::<f64>();
        Projection {
            d,
            n,
            horizon: h,
            available,
            weights,
            base,
            visits_change: (0..visits.len())
                .map(|m| {
                    m == 0
                        || visits[m][..n]
                            .iter()
                            .zip(&visits[m - 1][..n])
                            .any(|(a, b)| a.to_bits() != b.to_bits())
                })
                .collect(),
            visits,
            saturation: [1.0, 2.0, 3.0, 0.7][g.below(4) as usize],
            un_n,
            // A total of zero (no weight on the available signals) is a lean of NaN, as in
            // the engine; the oracle and the fast path must agree on it too.
            total,
        }
    }

    fn same_bits(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(600))]

        /// The one-pass projection gives the oracle's lean, bit for bit, at every month of
        /// any schedule in month order (however the moves of a month are ordered), and the
        /// peak excess the search reads is the oracle's.
        #[test]
        fn the_fast_projection_is_the_reference_one(seed in proptest::prelude::any::<u64>()) {
            let d = doctrine(MOVES, "");
            let mut g = Gen(seed);
            let n = 1 + g.below(4) as usize;
            let h = 1 + g.below(24) as usize;
            let pr = random_projection(&mut g, &d, n, h, true);
            let count = 1 + g.below(6) as usize;
            let moves = random_moves(&mut g, count);
            let mut plan: Vec<(usize, usize, u32)> = (0..g.below(10))
                .map(|_| {
                    (
                        g.below(moves.len() as u64) as usize,
                        g.below(n as u64) as usize,
                        g.below(h as u64 + 2) as u32,
                    )
                })
                .collect();
            if g.chance(0.5) {
                sort_schedule(&mut plan);
            } else {
                // Month order only, the moves of a month in any order.
                plan.sort_by_key(|x| x.2);
            }
            let fast = pr.path(&plan, &moves);
            let slow = reference_path(&pr, &plan, &moves);
            proptest::prop_assert!(same_bits(&fast, &slow), "{fast:?}\n{slow:?}");
            let from = g.below(h as u64 + 1) as usize;
            let bound = g.unit();
            let mut rows = vec![[0.0; MAX_POLES]; h + 1 - from];
            pr.composites_from(&plan, &moves, from, &mut rows);
            let fast = peak_excess(&pr, &rows, bound);
            let slow = slow[from..].iter().map(|x| (x - bound).max(0.0)).fold(0.0, f64::max);
            proptest::prop_assert_eq!(fast.to_bits(), slow.to_bits());
        }

        /// The search with its prunings (on the moves left, on the lean, its guesses of the
        /// cost, one projection per node) finds exactly the agendas of the plain branch and
        /// bound, and the same closest agenda when none meets the constraints (the plain
        /// search also keeps one when some do, which is never read).
        #[test]
        fn the_pruned_search_is_the_plain_one(seed in proptest::prelude::any::<u64>()) {
            let d = doctrine(MOVES, "");
            let mut g = Gen(seed);
            let n = 2 + g.below(2) as usize;
            let h = 3 + g.below(10) as u32;
            let wild = g.chance(0.1);
            let pr = random_projection(&mut g, &d, n, h as usize, wild);
            let count = 2 + g.below(5) as usize;
            let moves = random_moves(&mut g, count);
            let mut items = Vec::new();
            for k in 0..moves.len() {
                for p in 0..n {
                    if g.chance(0.7) {
                        items.push((k, p));
                    }
                }
            }
            let mut needed = [0.0; MAX_POLES];
            for x in needed.iter_mut().take(n) {
                if g.chance(0.6) {
                    *x = g.amount(0.25);
                }
            }
            let first_act = g.below(u64::from(h) + 1) as usize;
            let lean_without = pr.path(&[], &moves);
            let bound = lean_without[first_act..].iter().copied().fold(0.0, f64::max)
                * (0.8 + 0.4 * g.unit());
            let check_lean = g.chance(0.8);
            let needs_lean = check_lean
                && lean_without[first_act..].iter().any(|x| x - bound > 1e-12);
            let pb = Problem {
                items: &items,
                moves: &moves,
                h,
                needed,
                n,
                needs_lean,
                check_lean,
                proj: &pr,
                bound,
                first_act,
                depth: 2 + g.below(4) as usize,
            };
            let (best, fallback) = search(&pb);
            let (best0, fallback0) = Plain::run(&pb);
            proptest::prop_assert_eq!(&best, &best0);
            // The closest agenda is read only when none meets the constraints.
            let counts = |f: &Option<Closest>| f.as_ref().map(|f| f.3.clone());
            if best0.is_empty() {
                proptest::prop_assert_eq!(counts(&fallback), counts(&fallback0));
            }
            if let (true, Some(a), Some(b)) = (best0.is_empty(), &fallback, &fallback0) {
                proptest::prop_assert!((a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12);
                proptest::prop_assert_eq!(a.2, b.2);
            }
        }
    }
}
