//! One run of the world: every year, situations are drawn for every middle state, each
//! state answers through the real doctrine engine ([`bamboo_core::engine::decide`]), the
//! poles react, and relations, shares, the economy and the lean move. See
//! `docs/simulation.md` for each mechanism and parameter.

use bamboo_core::case::Kind;
use bamboo_core::doctrine::{CompiledDoctrine, Party, Signal, MAX_POLES, N_SIGNALS};
use bamboo_core::engine::{
    clause_matches, decide, pleased, vote_term, Assembly, Context, Situation,
};

use crate::events::{draw_year, incident, Event};
use crate::rng::{Rng, Stream};
use crate::world::{level_tier, tier_level, Mechanics, StateSpec, World};

/// Incident slots per disputing pole and year (each used with probability hazard / slots).
const INCIDENT_SLOTS: usize = 4;

/// One middle state's evolving position. Arrays are indexed like the world's poles.
#[derive(Clone, Debug)]
pub struct Agent {
    /// Each pole's attitude toward the state, 0..1 (clamped after every change).
    pub q: [f64; MAX_POLES],
    /// Each pole's starting attitude, toward which `q` drifts back every year.
    pub q0: [f64; MAX_POLES],
    /// Whether the relationship with each pole is broken: set when `q` falls below the
    /// floor, cleared when it climbs above `recover`.
    pub broken: [bool; MAX_POLES],
    /// Partnership tier level with each pole (0 none .. 3 comprehensive strategic).
    pub tier: [u8; MAX_POLES],
    /// Recent leader visits with each pole: a count that decays by `1 − 1 / visit_memory`
    /// a year.
    pub visits: [f64; MAX_POLES],
    /// Recent incidents suffered from each pole, decaying as `visits` do; they lower the
    /// relationship value the engine sees.
    pub incidents_recent: [f64; MAX_POLES],
    /// Running UN agreement with each pole, 0..1 (a mean over about `un_memory` votes).
    pub un: [f64; MAX_POLES],
    /// Share of the state's trade with each pole, 0..1 (renormalised when they sum above 1).
    pub trade: [f64; MAX_POLES],
    /// Share of the state's arms imports from each pole, 0..1.
    pub arms: [f64; MAX_POLES],
    /// Whether the state is allied with each pole (ends at a break).
    pub allied: [bool; MAX_POLES],
    /// Whether the state hosts a base of each pole (ends at a break).
    pub bases: [bool; MAX_POLES],
    /// Extra incident hazard from each pole earned by ignoring its incidents.
    pub emboldened: [f64; MAX_POLES],
    /// Whether the state has a sovereignty dispute with each pole (the world's, fixed).
    pub disputes: [bool; MAX_POLES],
    // This year's accounts, settled at the year's end.
    pleased_sum: [f64; MAX_POLES],
    displeased_sum: [f64; MAX_POLES],
    // Outcomes.
    /// Cumulative economic gain so far, in points (about 1% of the state's trade each).
    pub econ: f64,
    /// Incidents suffered so far.
    pub incidents: u32,
    /// Relationships broken so far (a relationship that mends and breaks again counts again).
    pub breaks: u32,
    /// Decisions the engine made for this state so far.
    pub decisions: u32,
    /// Of those, the decisions that no yardstick root forbids (autonomy is `kept / decisions`).
    pub kept: u32,
}

impl Agent {
    /// A state at its world-file starting position, with no outcome yet.
    pub fn new(s: &StateSpec) -> Agent {
        Agent {
            q: s.relations,
            q0: s.relations,
            broken: [false; MAX_POLES],
            tier: s.tier,
            visits: [0.0; MAX_POLES],
            incidents_recent: [0.0; MAX_POLES],
            un: s.un,
            trade: s.trade,
            arms: s.arms,
            allied: [false; MAX_POLES],
            bases: [false; MAX_POLES],
            emboldened: [0.0; MAX_POLES],
            disputes: s.disputes,
            pleased_sum: [0.0; MAX_POLES],
            displeased_sum: [0.0; MAX_POLES],
            econ: 0.0,
            incidents: 0,
            breaks: 0,
            decisions: 0,
            kept: 0,
        }
    }

    /// The engine's context for this state under doctrine `d`: relationship values as the
    /// ledger path computes them (base + tier + visits − incidents) and the lean signals.
    pub fn context(&self, d: &CompiledDoctrine, m: &Mechanics, n: usize) -> Context {
        let mut cx = Context::neutral(d);
        let doc = d.doctrine();
        let ri = doc.branches.relation_inputs;
        let sat = doc.lean.saturation.max(1e-9);
        for k in 0..n {
            let tierv = level_tier(self.tier[k]).map_or(0.0, |t| doc.lean.tiers[t as usize]);
            let v = (self.visits[k] / sat).min(1.0);
            let inc = (self.incidents_recent[k] / sat).min(1.0);
            cx.relations[k] =
                d.base_relation()[k] + ri.tier * tierv + ri.visits * v - ri.incidents * inc;
            let mut sig = [0.0; N_SIGNALS];
            sig[Signal::Un as usize] = self.un[k];
            sig[Signal::Tier as usize] = tierv;
            sig[Signal::Trade as usize] = self.trade[k];
            sig[Signal::Arms as usize] = self.arms[k];
            sig[Signal::Visits as usize] = v;
            cx.signals[k] = sig;
            cx.un_n[k] = m.un_memory;
        }
        cx.available = [true; N_SIGNALS];
        cx
    }
}

/// The engine situation for an event (poles are the doctrine's first actors, in the
/// world's order: checked when the simulation starts).
pub fn situation(e: &Event) -> Situation {
    Situation {
        kind: e.kind,
        tags: e.tags,
        tier: e.tier,
        target: e.target.map_or(Party::None, |t| Party::Actor(t as u8)),
        counterpart: Party::Actor(e.counterpart as u8),
        pole_want: e.wants,
        counterpart_want: -1,
        vote_term: [0.0; 3],
        support: -1.0,
    }
}

/// The vote branch's term for a simulated vote: the simulation knows the poles' votes and
/// nothing of the rest of the Assembly, so only the poles that are peers, the standing
/// values and the tags count.
pub fn vote_term_for(d: &CompiledDoctrine, e: &Event) -> [f64; 3] {
    if e.kind != Kind::UnVote || d.branches().votes.is_empty() {
        return [0.0; 3];
    }
    let listed = d
        .poles()
        .iter()
        .zip(e.wants)
        .filter(|(_, w)| *w >= 0)
        .map(|(p, w)| (*p, w as usize));
    let asm = Assembly {
        shares: None,
        complete: false,
    };
    vote_term(&d.branches().votes, e.tags, listed, &asm)
}

/// A planning doctrine's year-end offsets: the attitude each pole lost to this year's
/// displeasing choices is what the planner must restore, with the doctrine's own move
/// catalogue and lean bound (`bamboo_core::plan::plan_needs`); the chosen agenda's moves
/// then act: attitude back (`plan_relation` per unit of a move's relation), their cost
/// paid (`plan_cost` per unit), and their lean effects (visits, tier, shares, votes).
pub fn carry_out_plan(a: &mut Agent, d: &CompiledDoctrine, m: &Mechanics, n: usize, year: u32) {
    use bamboo_core::plan::{month_start, plan_needs};
    if m.plan_relation <= 0.0 {
        return;
    }
    let mut needed = [0.0; MAX_POLES];
    for (x, lost) in needed.iter_mut().zip(&a.displeased_sum).take(n) {
        *x = m.reaction * lost / m.plan_relation;
    }
    if needed.iter().all(|&x| x <= 1e-9) {
        return;
    }
    let cx = a.context(d, m, n);
    let h = d.trunk().planning.horizon_months;
    let visits = vec![a.visits; h as usize + 1];
    // A calendar date only places the months; nothing is read from it.
    let date = bamboo_core::Date::new(2000 + year as i32, 1, 1).unwrap_or_else(|_| {
        month_start(bamboo_core::Date::new(2000, 1, 1).expect("a valid date"), 0)
    });
    // Restoring relations (the lean is an outcome here, not a constraint) is separable by
    // pole: one exact search per displeased pole, each within the doctrine's max_moves.
    let mut steps = Vec::new();
    for k in 0..n {
        if needed[k] <= 1e-9 {
            continue;
        }
        let mut one = [0.0; MAX_POLES];
        one[k] = needed[k];
        let plan = plan_needs(d, &cx, one, cx.signals, visits.clone(), date, h, false);
        if let Some(a) = plan.best() {
            steps.extend(a.steps.iter().cloned());
        }
    }
    let moves = &d.trunk().moves;
    for st in &steps {
        let Some(mv) = moves.iter().find(|x| x.id == st.move_id) else {
            continue;
        };
        let Some(k) = d.poles().iter().position(|p| *p == st.toward) else {
            continue;
        };
        a.q[k] += m.plan_relation * mv.relation;
        a.econ -= m.plan_cost * mv.cost;
        let e = &mv.effect;
        a.visits[k] += e.visits;
        if let Some(t) = e.tier {
            a.tier[k] = a.tier[k].max(tier_level(t));
        }
        if e.trade > 0.0 {
            shift(&mut a.trade, n, k, e.trade);
        }
        if e.arms > 0.0 {
            shift(&mut a.arms, n, k, e.arms);
        }
        if e.un_votes > 0.0 {
            a.un[k] = (a.un[k] * m.un_memory + e.un_votes) / (m.un_memory + e.un_votes);
        }
    }
    settle_breaks(a, m, n);
}

/// The roots of `d` (as a bit set) that forbid option `i` of a situation.
pub fn violations(d: &CompiledDoctrine, s: &Situation, i: usize) -> u64 {
    let o = s.kind.options()[i];
    let mut v = 0u64;
    for (r, c) in d.clauses() {
        if clause_matches(c, s, d.n_poles(), i, o) {
            v |= 1 << r;
        }
    }
    v
}

/// Moves shares toward pole `k` by `step` (every share shrinks by `1 − step`).
fn shift(shares: &mut [f64; MAX_POLES], n: usize, k: usize, step: f64) {
    for (j, x) in shares.iter_mut().enumerate().take(n) {
        *x = *x * (1.0 - step) + if j == k { step } else { 0.0 };
    }
}

/// Applies a choice: the poles react, and the state's position moves. Returns nothing; the
/// agent's year accounts collect what is settled at the year's end.
pub fn apply(a: &mut Agent, e: &Event, choice: usize, p: f64, m: &Mechanics, n: usize) {
    let sal = m.salience_base + m.salience_polarisation * p;
    for k in 0..n {
        let w = e.wants[k];
        if w < 0 {
            continue;
        }
        let pl = pleased(e.kind, choice, w as usize);
        a.q[k] += m.reaction * sal * pl;
        if pl > 0.0 {
            a.pleased_sum[k] += pl * sal;
        } else if pl < 0.0 {
            a.displeased_sum[k] += -pl * sal;
        }
        if e.kind == Kind::UnVote {
            let agree = (1.0 + pl) / 2.0;
            a.un[k] = (a.un[k] * m.un_memory + agree) / (m.un_memory + 1.0);
        }
    }
    let cp = e.counterpart;
    match (e.kind, choice) {
        (Kind::Partnership, 0) => {
            if let Some(t) = e.tier {
                a.tier[cp] = a.tier[cp].max(tier_level(t));
            }
        }
        (Kind::Visit, 0) => a.visits[cp] += 1.0,
        (Kind::TradePact, 0) => {
            shift(&mut a.trade, n, cp, m.trade_step);
            a.econ += m.pact_gain;
        }
        (Kind::ArmsDeal, 0) => shift(&mut a.arms, n, cp, m.arms_step),
        (Kind::Basing, 0) => a.bases[cp] = true,
        (Kind::Alliance, 0) => a.allied[cp] = true,
        (Kind::Sanctions, 0) => {
            // Joining sanctions cuts trade with the target.
            if let Some(t) = e.target {
                a.trade[t] *= 1.0 - m.trade_step;
            }
        }
        (Kind::Incident, 0) => a.econ -= m.protest_cost,
        (Kind::Incident, 1) => {
            a.q[cp] -= m.force_escalation;
            a.emboldened[cp] = 0.0;
        }
        (Kind::Incident, 2) => a.emboldened[cp] += m.appeasement,
        _ => {}
    }
    settle_breaks(a, m, n);
}

/// A relationship whose attitude falls below the floor breaks (once, until it mends above
/// `recover`), with lasting costs: trade lost for good and the partnership tier undone.
pub fn settle_breaks(a: &mut Agent, m: &Mechanics, n: usize) {
    for k in 0..n {
        a.q[k] = a.q[k].clamp(0.0, 1.0);
        if !a.broken[k] && a.q[k] < m.floor {
            a.broken[k] = true;
            a.breaks += 1;
            a.trade[k] *= 1.0 - m.break_trade_loss;
            a.tier[k] = 0;
            a.allied[k] = false;
            a.bases[k] = false;
        } else if a.broken[k] && a.q[k] > m.recover {
            a.broken[k] = false;
        }
    }
}

/// The yearly incident hazard from disputing pole `k` at polarisation `p`.
pub fn hazard(a: &Agent, k: usize, p: f64, m: &Mechanics, n: usize) -> f64 {
    if !a.disputes[k] {
        return 0.0;
    }
    let mut h = m.incident_rate * p * (1.5 - a.q[k]);
    if a.broken[k] {
        h *= 1.0 + m.break_hostility;
    }
    h *= 1.0 + a.emboldened[k];
    // Protection bought from the other poles deters, as does arms from anyone else.
    let others = |f: &[bool; MAX_POLES]| (0..n).any(|j| j != k && f[j]);
    if others(&a.allied) {
        h *= 1.0 - m.alliance_deterrence;
    }
    if others(&a.bases) {
        h *= 1.0 - m.base_deterrence;
    }
    let armed: f64 = (0..n).filter(|&j| j != k).map(|j| a.arms[j]).sum();
    h *= 1.0 - m.arms_deterrence * armed.min(1.0);
    h.max(0.0)
}

/// The end of a year: rewards shared among the region's pleasing choices, coercion for the
/// displeasing ones, trade growing or shrinking with attitudes, rivals' resentment of
/// alliances and bases, attitudes drifting back, and memories fading.
pub fn settle_year(agents: &mut [Agent], p: f64, m: &Mechanics, n: usize) {
    let sal = m.salience_base + m.salience_polarisation * p;
    for k in 0..n {
        let total: f64 = agents.iter().map(|a| a.pleased_sum[k]).sum();
        for a in agents.iter_mut() {
            if total > 0.0 {
                a.econ += m.reward_budget * a.pleased_sum[k] / total;
            }
            a.econ -= m.coercion * a.displeased_sum[k] * a.trade[k];
        }
    }
    for a in agents.iter_mut() {
        for k in 0..n {
            let g = m.trade_growth * (2.0 * a.q[k] - 1.0);
            a.econ += 100.0 * a.trade[k] * g;
            a.trade[k] = (a.trade[k] * (1.0 + g)).max(0.0);
            // A rival resents an alliance with, or a base for, another pole.
            if (0..n).any(|j| j != k && (a.allied[j] || a.bases[j])) {
                a.q[k] -= m.reaction * sal;
            }
            a.q[k] += m.relation_drift * (a.q0[k] - a.q[k]);
            let keep = 1.0 - 1.0 / m.visit_memory;
            a.visits[k] *= keep;
            a.incidents_recent[k] *= keep;
            a.emboldened[k] *= 0.5;
            a.pleased_sum[k] = 0.0;
            a.displeased_sum[k] = 0.0;
        }
        let total: f64 = a.trade[..n].iter().sum();
        if total > 1.0 {
            for x in &mut a.trade[..n] {
                *x /= total;
            }
        }
        settle_breaks(a, m, n);
    }
}

/// The polarisation of year `y` of a run: the scenario's schedule plus seeded noise.
pub fn polarisation(w: &World, seed: u64, run: u64, y: u32, years: u32) -> f64 {
    let base = w.scenario.planned(y, years);
    if w.scenario.volatility == 0.0 {
        return base;
    }
    let mut r = Rng::stream(seed, run, y, u32::MAX, Stream::Scenario);
    // A centred, unit-variance draw from four uniforms (Irwin–Hall).
    let z = (r.uniform() + r.uniform() + r.uniform() + r.uniform() - 2.0) * (3.0f64).sqrt();
    (base + w.scenario.volatility * z).clamp(0.0, 1.0)
}

/// What one run yields for every state, with the yardstick lean per year of the subject.
pub struct RunResult {
    /// Every middle state at the end of the run, indexed like the world's states.
    pub agents: Vec<Agent>,
    /// The subject's yardstick lean at the end of each year.
    pub lean: Vec<f64>,
    /// The engine decisions of the run, all states.
    pub decisions: u64,
}

/// Runs one world for `years` with the given doctrine per state.
pub fn run_once(
    w: &World,
    doctrines: &[&CompiledDoctrine],
    yardstick: &CompiledDoctrine,
    seed: u64,
    run: u64,
    years: u32,
) -> RunResult {
    let n = w.poles.len();
    let m = &w.mechanics;
    let mut agents: Vec<Agent> = w.states.iter().map(Agent::new).collect();
    let mut events = Vec::with_capacity(64);
    let mut lean = Vec::with_capacity(years as usize);
    let mut decisions = 0u64;
    for y in 0..years {
        let p = polarisation(w, seed, run, y, years);
        for (s, a) in agents.iter_mut().enumerate() {
            let d = doctrines[s];
            let mut rng = Rng::stream(seed, run, y, s as u32, Stream::Events);
            draw_year(
                &mut rng,
                p,
                w.scenario.events_per_year,
                n,
                &a.tier,
                &mut events,
            );
            // Incidents: a fixed number of slots per disputing pole, so draws never shift.
            let mut irng = Rng::stream(seed, run, y, s as u32, Stream::Incidents);
            for k in 0..n {
                let h = hazard(a, k, p, m, n);
                for _ in 0..INCIDENT_SLOTS {
                    let [u0, u1] = irng.uniforms::<2>();
                    if u0 < h / INCIDENT_SLOTS as f64 {
                        events.push(incident(k, p, n, u1));
                    }
                }
            }
            for e in &events {
                if e.kind == Kind::Incident {
                    a.incidents += 1;
                    a.incidents_recent[e.counterpart] += 1.0;
                    a.econ -= m.incident_cost;
                }
                let mut sit = situation(e);
                sit.vote_term = vote_term_for(d, e);
                let cx = a.context(d, m, n);
                let dec = decide(d, &sit, &cx);
                let choice = dec.choice as usize;
                a.decisions += 1;
                decisions += 1;
                if violations(yardstick, &sit, choice) == 0 {
                    a.kept += 1;
                }
                apply(a, e, choice, p, m, n);
            }
        }
        for (s, a) in agents.iter_mut().enumerate() {
            let d = doctrines[s];
            if !d.trunk().moves.is_empty() {
                carry_out_plan(a, d, m, n, y);
            }
        }
        settle_year(&mut agents, p, m, n);
        let subj = &agents[w.subject];
        let cx = subj.context(yardstick, m, n);
        lean.push(cx.lean(yardstick).unwrap_or(0.0));
    }
    RunResult {
        agents,
        lean,
        decisions,
    }
}
