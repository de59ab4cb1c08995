//! The doctrine engine. Its hot path, [`decide`], answers one compact [`Situation`] under a
//! [`CompiledDoctrine`] and a [`Context`] without allocating; [`explain()`] then turns the
//! [`Decision`] into the rich advice (violations by name, the multi-pillar plan, the lean
//! and every branch term with its numbers).
//!
//! How it decides (see `docs/doctrine.md` for a worked example):
//!
//! 1. **Roots forbid.** Every root clause that matches (kind, option, tags, target,
//!    counterpart, tier, acting against the target, siding in a split of the poles) makes
//!    the option inadmissible. Nothing permits: a forbid always wins.
//! 2. **Branches rank** the admissible options by
//!    `score = value + relations + balance + lean`:
//!    - `value = dir(option) · Σ_interest w_i · (stance_i(kind) + Σ_tag stance_i(tag))`,
//!      with `dir` = +1 for taking the measure (yes, accept, join, grant, buy, protest,
//!      force), −1 for voting no or ignoring an incident, 0 for abstaining or declining;
//!    - `relations = Σ_actor weight · relation(actor) · pleased(actor, option)`, over the
//!      poles whose position is known and the counterpart; `pleased` is +1 for the option
//!      the actor wants, −1 for another one (for votes `1 − |code − wanted code|`, so an
//!      abstention is 0 to both sides); `weight` is 1 for votes and the counterpart and
//!      `bystander` for other poles;
//!    - `balance = −w_balance · (max − min of the poles' agreement with the option)`,
//!      agreement being `(1 + pleased) / 2`, over poles whose position is known (two at
//!      least): the bamboo's refusal to break with any great power in a split;
//!    - `lean = −w_lean · (excess(lean_after) − excess(lean_before))`, with
//!      `excess(x) = max(0, x − max_lean)` and the composite lean of [`Context`].
//! 3. **Choice.** The admissible option with the highest score (ties: the lower lean after,
//!    then the earlier option). If every option is forbidden, the engine still answers with
//!    the *least-violating* option (the smallest total weight of violated roots, then the
//!    highest score, then the earlier option) and flags the decision as `forced`.

mod context;
mod explain;

pub use context::{build_context, prepare, ContextInputs, ContextMemo, Evidence, SignalReading};
pub use explain::{
    explain, explain_advice, round4, Advice, LeanChange, OptionAdvice, PlanStep, Term, Trace,
    TraceOption,
};

use crate::case::{Case, Kind, Opt, Side, TagSet, Tier};
use crate::country::{CodeSet, Iso3};
use crate::doctrine::{CompiledClause, Signal, VoteBranch};
use crate::doctrine::{CompiledDoctrine, Party, PartyCond, MAX_ACTORS, MAX_POLES, N_SIGNALS};

/// A case lowered for the hot path: kinds and options as enums, tags as a bit set,
/// countries as actor indices of the doctrine, positions as the option each pole wants.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Situation {
    /// What kind of situation the case is; it fixes the options and their order.
    pub kind: Kind,
    /// The case's tags, one bit per tag of the vocabulary.
    pub tags: TagSet,
    /// The partnership tier offered, for a `partnership` case.
    pub tier: Option<Tier>,
    /// The state the measure is aimed at: a doctrine actor by index (poles first), another
    /// state, or none.
    pub target: Party,
    /// The state on the other side of the decision (the visitor, the partner, the
    /// supplier, the offender), as for `target`.
    pub counterpart: Party,
    /// The option index each pole wants (−1: the case does not say).
    pub pole_want: [i8; MAX_POLES],
    /// The option index the counterpart wants, when it is not a pole (−1: unknown).
    pub counterpart_want: i8,
    /// What the doctrine's vote branch adds to each option (zeros for other kinds, or
    /// when the doctrine has no vote branch): see [`vote_term`].
    pub vote_term: [f64; 3],
    /// The share of yes among the votes the case records (−1: unknown), for roots that
    /// apply only to contested votes.
    pub support: f64,
}

impl Situation {
    /// Lowers a case for a doctrine. The subject's own position, if a case lists it, is
    /// ignored: it is the answer, not an input.
    pub fn new(d: &CompiledDoctrine, case: &Case) -> Situation {
        Situation::with_precedent(d, case, None)
    }

    /// [`Situation::new`], with the subject's precedent for the case (its vote on the most
    /// similar earlier resolution, which the vote branch may weigh).
    pub fn with_precedent(d: &CompiledDoctrine, case: &Case, precedent: Option<Opt>) -> Situation {
        let idx = |o: Option<Opt>| -> i8 {
            o.and_then(|o| case.kind.option_index(o))
                .map_or(-1, |i| i as i8)
        };
        let mut pole_want = [-1i8; MAX_POLES];
        for (i, p) in d.poles().iter().enumerate() {
            pole_want[i] = idx(case.wanted_by(*p));
        }
        let counterpart = d.party(case.counterpart);
        let counterpart_want = match (counterpart, case.counterpart) {
            (Party::Actor(i), _) if (i as usize) < d.n_poles() => -1,
            (_, Some(c)) => idx(case.wanted_by(c)),
            _ => -1,
        };
        Situation {
            kind: case.kind,
            tags: case.tags,
            tier: case.tier,
            target: d.party(case.target),
            counterpart,
            pole_want,
            counterpart_want,
            vote_term: vote_term_of_case(&d.branches().votes, case, precedent),
            support: match case.kind {
                Kind::UnVote => Assembly::of(case).shares.map_or(-1.0, |s| s[0]),
                _ => -1.0,
            },
        }
    }
}

/// What a vote case says about the Assembly as a whole, for the vote branch.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Assembly {
    /// The shares of yes, no and abstain among the votes the case records for the others
    /// (from its positions when they are complete, else from its tally); `None` when it
    /// has neither.
    pub shares: Option<[f64; 3]>,
    /// The case lists every state that voted (its positions cover its tally), so a state
    /// it does not list did not vote.
    pub complete: bool,
}

impl Assembly {
    /// Reads a vote case's positions and tally.
    pub fn of(case: &Case) -> Assembly {
        let p = &case.positions;
        let listed = [p.yes.len(), p.no.len(), p.abstain.len()].map(|n| n as f64);
        let n_listed: f64 = listed.iter().sum();
        let tally = case.tally.and_then(|t| Some([t.yes?, t.no?, t.abstain?]));
        let recorded = tally.map(|t| t.iter().map(|&x| f64::from(x)).sum::<f64>());
        // The tally counts the subject too: a listing of all the others is one short.
        let complete = recorded.is_some_and(|r| r > 0.0 && n_listed + 1.0 >= 0.9 * r);
        let norm = |v: [f64; 3]| -> Option<[f64; 3]> {
            let s: f64 = v.iter().sum();
            (s > 0.0).then(|| v.map(|x| x / s))
        };
        // A partial listing is not a sample of the Assembly (a case lists the states it
        // cares about), so only a complete listing or the recorded totals give shares.
        let shares = if complete {
            norm(listed)
        } else {
            tally.and_then(|t| norm(t.map(f64::from)))
        };
        Assembly { shares, complete }
    }

    /// `A(o)`: the pleasure of the recorded shares with option `i` of a vote,
    /// `Σ_c share_c · pleased(c, i)` (0 when nothing is recorded).
    pub fn pleasure(&self, i: usize) -> f64 {
        self.shares.map_or(0.0, |sh| {
            (0..3).map(|c| sh[c] * pleased(Kind::UnVote, i, c)).sum()
        })
    }
}

/// The features of the vote branch for one vote: for each option, the value that
/// multiplies each weight. `vote_term` is exactly their dot product with the weights (a
/// test holds it so), which is what `doctrine fit` relies on.
#[derive(Clone, Debug, PartialEq)]
pub struct VoteDesign {
    /// `dir(o)`: +1 yes, −1 no, 0 abstain (multiplies `yes` and each tag's `yes`).
    pub dir: [f64; 3],
    /// `[o = abstain]` (multiplies `abstain` and each tag's `abstain`).
    pub abstains: [f64; 3],
    /// `A(o)` (multiplies `assembly`).
    pub assembly: [f64; 3],
    /// `pleased(prev, o)`, 0 without a precedent (multiplies `precedent`).
    pub precedent: [f64; 3],
    /// `P_j(o)` for each peer of the branch, in the branch's order.
    pub peers: Vec<[f64; 3]>,
    /// The case's tags: each one's `yes` multiplies `dir` and its `abstain` `abstains`.
    pub tags: TagSet,
}

const DIR: [f64; 3] = [1.0, -1.0, 0.0];
const ABSTAINS: [f64; 3] = [0.0, 0.0, 1.0];

/// The option index of a vote side.
fn vote_index(side: Side) -> Option<usize> {
    match side {
        Side::Yes => Some(0),
        Side::No => Some(1),
        Side::Abstain => Some(2),
        _ => None,
    }
}

/// The vote branch's features for a case over a list of peers (sorted by code).
pub fn vote_design(peers: &[Iso3], case: &Case, precedent: Option<Opt>) -> VoteDesign {
    let asm = Assembly::of(case);
    let a = [0, 1, 2].map(|i| asm.pleasure(i));
    let unlisted = if asm.complete { [0.0; 3] } else { a };
    let peers = peers
        .iter()
        .map(|&c| match case.positions.side_of(c).and_then(vote_index) {
            Some(w) => [0, 1, 2].map(|i| pleased(Kind::UnVote, i, w)),
            None if c == case.subject => [0.0; 3],
            None => unlisted,
        })
        .collect();
    VoteDesign {
        dir: DIR,
        abstains: ABSTAINS,
        assembly: a,
        precedent: precedent_pleasure(precedent),
        peers,
        tags: case.tags,
    }
}

/// `pleased(prev, o)` for each option of a vote (zeros without a precedent).
fn precedent_pleasure(precedent: Option<Opt>) -> [f64; 3] {
    match precedent.and_then(|o| Kind::UnVote.option_index(o)) {
        Some(w) => [0, 1, 2].map(|i| pleased(Kind::UnVote, i, w)),
        None => [0.0; 3],
    }
}

/// What the vote branch adds to each option of a case (zeros for other kinds):
/// `yes·dir(o) + abstain·[o = abstain] + assembly·A(o) + Σ_j w_j·P_j(o) + Σ_t (yes_t·dir(o)
/// + abstain_t·[o = abstain])`, with `P_j(o) = pleased(vote_j, o)` for a peer the case
/// lists and, when the case does not list every voter, `A(o)` for one it does not.
pub fn vote_term_of_case(vb: &VoteBranch, case: &Case, precedent: Option<Opt>) -> [f64; 3] {
    if case.kind != Kind::UnVote || vb.is_empty() {
        return [0.0; 3];
    }
    let asm = Assembly::of(case);
    let listed = [
        (&case.positions.yes, 0usize),
        (&case.positions.no, 1),
        (&case.positions.abstain, 2),
    ]
    .into_iter()
    .flat_map(|(l, w)| l.iter().map(move |c| (*c, w)))
    .filter(|(c, _)| *c != case.subject);
    let mut t = vote_term(vb, case.tags, listed, &asm);
    if vb.precedent != 0.0 {
        for (ti, p) in t.iter_mut().zip(precedent_pleasure(precedent)) {
            *ti += vb.precedent * p;
        }
    }
    t
}

/// [`vote_term_of_case`] from its parts: the peers' known votes (option index each wants)
/// and what is known of the Assembly. A simulator passes the poles it knows, with no shares.
pub fn vote_term(
    vb: &VoteBranch,
    tags: TagSet,
    listed: impl Iterator<Item = (Iso3, usize)>,
    asm: &Assembly,
) -> [f64; 3] {
    let a = [0, 1, 2].map(|i| asm.pleasure(i));
    let mut t = [0.0; 3];
    let mut listed_w = 0.0;
    // Most listed states are not peers (a vote lists about 190, a fitted branch has at
    // most 48): a bit each tells which to look up.
    let mut peers = CodeSet::default();
    for p in &vb.peers {
        peers.insert(p.0);
    }
    for (c, w) in listed {
        if !peers.contains(c) {
            continue;
        }
        if let Some(x) = vb.peer(c) {
            listed_w += x;
            for (i, ti) in t.iter_mut().enumerate() {
                *ti += x * pleased(Kind::UnVote, i, w);
            }
        }
    }
    if !asm.complete {
        let rest: f64 = vb.peers.iter().map(|p| p.1).sum::<f64>() - listed_w;
        for (ti, ai) in t.iter_mut().zip(a) {
            *ti += rest * ai;
        }
    }
    let (mut ty, mut ta) = (vb.yes, vb.abstain);
    let mut bits = tags.0;
    while bits != 0 {
        let k = bits.trailing_zeros() as usize;
        ty += vb.tag_yes[k];
        ta += vb.tag_abstain[k];
        bits &= bits - 1;
    }
    for i in 0..3 {
        t[i] += vb.assembly * a[i] + ty * DIR[i] + ta * ABSTAINS[i];
    }
    t
}

/// What the engine knows about the world at the moment of a decision: relationship values
/// per actor and the lean signals per pole. The ledger/data path ([`build_context`]) and a
/// simulator fill the same plain struct.
#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    /// Relationship value of each actor of the doctrine (index as in `actors`).
    pub relations: [f64; MAX_ACTORS],
    /// Each pole's value of each signal, in 0..1 (index as in `poles`, then [`Signal`]).
    pub signals: [[f64; N_SIGNALS]; MAX_POLES],
    /// How many roll calls stand behind each pole's UN agreement (a vote adds one more).
    pub un_n: [f64; MAX_POLES],
    /// Which signals have data; the composite uses only these.
    pub available: [bool; N_SIGNALS],
}

impl Context {
    /// A context with every relation at the doctrine's base value and no signal.
    pub fn neutral(d: &CompiledDoctrine) -> Context {
        let mut relations = [0.0; MAX_ACTORS];
        relations[..d.actors().len()].copy_from_slice(d.base_relation());
        Context {
            relations,
            signals: [[0.0; N_SIGNALS]; MAX_POLES],
            un_n: [0.0; MAX_POLES],
            available: [false; N_SIGNALS],
        }
    }

    /// The relationship value of a party (the default for states the doctrine does not
    /// name, 0 for none).
    pub fn relation(&self, d: &CompiledDoctrine, p: Party) -> f64 {
        match p {
            Party::Actor(i) => self.relations[i as usize],
            Party::Other => d.branches().default_relation,
            Party::None => 0.0,
        }
    }

    /// Each pole's composite alignment, and the lean (max − min); `None` when no signal is
    /// available.
    pub fn composite(
        &self,
        d: &CompiledDoctrine,
        signals: &[[f64; N_SIGNALS]; MAX_POLES],
    ) -> Option<([f64; MAX_POLES], f64)> {
        let w = &d.lean_spec().weights;
        let total: f64 = (0..N_SIGNALS)
            .filter(|&s| self.available[s])
            .map(|s| w[s])
            .sum();
        if total <= 0.0 || d.n_poles() < 2 {
            return None;
        }
        let mut c = [0.0; MAX_POLES];
        let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
        for (p, cp) in c.iter_mut().enumerate().take(d.n_poles()) {
            let mut acc = 0.0;
            for s in 0..N_SIGNALS {
                if self.available[s] {
                    acc += w[s] * signals[p][s];
                }
            }
            *cp = acc / total;
            hi = hi.max(*cp);
            lo = lo.min(*cp);
        }
        Some((c, hi - lo))
    }

    /// The composite lean now.
    pub fn lean(&self, d: &CompiledDoctrine) -> Option<f64> {
        self.composite(d, &self.signals).map(|c| c.1)
    }
}

/// One option's evaluation.
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct OptionScore {
    /// Bit `r` set: root `r` forbids the option.
    pub violations: u64,
    /// `dir(option) · M`: the option's direction (+1 takes the measure up, −1 against it,
    /// 0 neither) times what the situation is worth to the doctrine's interests.
    pub value: f64,
    /// `Σ weight · relation(actor) · pleased(actor, option)` over the poles whose wish is
    /// known and the counterpart.
    pub relations: f64,
    /// `−w_balance · spread` of the poles' agreement with the option (0 with fewer than two
    /// known wishes); never positive.
    pub balance: f64,
    /// `−w_lean · (excess(after) − excess(before))`: negative when the option deepens a
    /// lean beyond `max_lean`, positive when it reduces one, 0 without lean signals.
    pub lean: f64,
    /// The vote branch's term ([`vote_term`]).
    pub votes: f64,
    /// `value + relations + balance + lean + votes`, what the choice ranks by.
    pub score: f64,
    /// The composite lean after the option (`None`: no signal has data).
    pub lean_after: Option<f64>,
}

/// The engine's answer, fixed-size and `Copy`.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Decision {
    /// The situation's kind, which names the options `choice` and `options` index.
    pub kind: Kind,
    /// Index of the chosen option among the kind's options.
    pub choice: u8,
    /// Every option was forbidden; the choice is the least-violating one.
    pub forced: bool,
    /// The composite lean as of the decision (max − min of the poles' composite
    /// alignment); `None` when no signal has data.
    pub lean_before: Option<f64>,
    /// Each option's evaluation, in the kind's option order; entries past
    /// [`Decision::n_options`] are unused (zero).
    pub options: [OptionScore; 3],
}

impl Decision {
    /// The chosen option.
    pub fn choice(&self) -> Opt {
        self.kind.options()[self.choice as usize]
    }

    /// How many options the kind has (2 or 3): how many of `options` are filled.
    pub fn n_options(&self) -> usize {
        self.kind.options().len()
    }
}

/// The ordinal vote code of an option index of `un_vote` (yes 1, no 3, abstain 2).
const VOTE_CODE: [i8; 3] = [1, 3, 2];

/// +1 / 0 / −1: how much an option takes up the measure.
#[inline]
fn direction(kind: Kind, i: usize) -> f64 {
    match kind {
        Kind::UnVote => [1.0, -1.0, 0.0][i],
        Kind::Incident => [1.0, 1.0, -1.0][i],
        _ => [1.0, 0.0, 0.0][i],
    }
}

/// How much an actor that wants option `w` is pleased by option `i`: 1, 0 or −1.
#[inline]
pub fn pleased(kind: Kind, i: usize, w: usize) -> f64 {
    if kind == Kind::UnVote {
        1.0 - f64::from((VOTE_CODE[i] - VOTE_CODE[w]).abs())
    } else if i == w {
        1.0
    } else {
        -1.0
    }
}

#[inline]
fn opposed(kind: Kind, i: usize, w: usize) -> bool {
    if kind == Kind::UnVote {
        (VOTE_CODE[i] - VOTE_CODE[w]).abs() == 2
    } else {
        i != w
    }
}

#[inline]
fn party_ok(cond: PartyCond, set: u64, p: Party, n_poles: usize) -> bool {
    let cond_ok = match cond {
        PartyCond::Any => true,
        PartyCond::Present => p != Party::None,
        PartyCond::Absent => p == Party::None,
        PartyCond::Pole => matches!(p, Party::Actor(i) if (i as usize) < n_poles),
        PartyCond::NotPole => match p {
            Party::Actor(i) => (i as usize) >= n_poles,
            Party::Other => true,
            Party::None => false,
        },
    };
    cond_ok && (set == 0 || matches!(p, Party::Actor(i) if set & (1 << i) != 0))
}

/// Whether option `i` puts the subject with one pole against another.
#[inline]
fn sides_in_split(s: &Situation, n_poles: usize, i: usize) -> bool {
    let wants = &s.pole_want[..n_poles];
    wants.contains(&(i as i8))
        && wants
            .iter()
            .any(|&w| w >= 0 && opposed(s.kind, i, w as usize))
}

/// Whether a clause forbids option `i` (of option `o`) in situation `s`.
#[inline]
pub fn clause_matches(c: &CompiledClause, s: &Situation, n_poles: usize, i: usize, o: Opt) -> bool {
    let t = s.tags.0;
    c.kinds & s.kind.bit() != 0
        && c.options & o.bit() != 0
        && (c.tags_any == 0 || t & c.tags_any != 0)
        && t & c.tags_all == c.tags_all
        && t & c.tags_none == 0
        && (c.tiers == 0 || s.tier.is_some_and(|x| c.tiers & (1 << x as u8) != 0))
        && party_ok(c.target, c.target_in, s.target, n_poles)
        && party_ok(c.counterpart, c.counterpart_in, s.counterpart, n_poles)
        && (!c.against_target || (i == 0 && s.target != Party::None))
        && (!c.sides_in_split || sides_in_split(s, n_poles, i))
        && (s.support < 0.0 || s.support < c.support_below)
}

/// The signals after taking option `i` of a situation (for the planner's projection).
pub fn signals_after_choice(
    d: &CompiledDoctrine,
    s: &Situation,
    cx: &Context,
    i: usize,
) -> [[f64; N_SIGNALS]; MAX_POLES] {
    signals_after(d, s, cx, i)
}

/// The signals after taking option `i`: what the option itself changes.
#[inline]
fn signals_after(
    d: &CompiledDoctrine,
    s: &Situation,
    cx: &Context,
    i: usize,
) -> [[f64; N_SIGNALS]; MAX_POLES] {
    let mut sig = cx.signals;
    let n = d.n_poles();
    let lean = &d.lean_spec();
    let cp_pole = match s.counterpart {
        Party::Actor(p) if (p as usize) < n => Some(p as usize),
        _ => None,
    };
    let shift = |sig: &mut [[f64; N_SIGNALS]; MAX_POLES], signal: Signal, step: f64| {
        // A purchase or pact of relative size `step`: every share shrinks by (1 − step)
        // and the counterpart's grows by `step` (a non-pole counterpart only dilutes).
        for (p, row) in sig.iter_mut().enumerate().take(n) {
            let x = &mut row[signal as usize];
            *x = *x * (1.0 - step) + if cp_pole == Some(p) { step } else { 0.0 };
        }
    };
    match (s.kind, i) {
        (Kind::UnVote, _) => {
            for (p, row) in sig.iter_mut().enumerate().take(n) {
                let w = s.pole_want[p];
                if w >= 0 {
                    let agree = (1.0 + pleased(Kind::UnVote, i, w as usize)) / 2.0;
                    let k = cx.un_n[p];
                    row[Signal::Un as usize] = (row[Signal::Un as usize] * k + agree) / (k + 1.0);
                }
            }
        }
        (Kind::Partnership, 0) => {
            if let Some(p) = cp_pole {
                let t = lean.tiers[s.tier.map_or(0, |t| t as usize)];
                let x = &mut sig[p][Signal::Tier as usize];
                *x = x.max(t);
            }
        }
        (Kind::Visit, 0) => {
            if let Some(p) = cp_pole {
                let x = &mut sig[p][Signal::Visits as usize];
                *x = (*x + 1.0 / lean.saturation).min(1.0);
            }
        }
        (Kind::ArmsDeal, 0) if s.counterpart != Party::None => {
            shift(&mut sig, Signal::Arms, lean.arms_step)
        }
        (Kind::TradePact, 0) if s.counterpart != Party::None => {
            shift(&mut sig, Signal::Trade, lean.trade_step)
        }
        _ => {}
    }
    sig
}

/// The hot path: evaluates every option of the situation and chooses. No allocation.
pub fn decide(d: &CompiledDoctrine, s: &Situation, cx: &Context) -> Decision {
    let opts = s.kind.options();
    let sh = Shared::of(d, s, cx);
    let mut out = [OptionScore::default(); 3];
    for (i, &o) in opts.iter().enumerate() {
        out[i] = score_option(d, s, cx, &sh, i, o);
    }
    let (choice, forced) = choose(d, &out[..opts.len()]);
    Decision {
        kind: s.kind,
        choice: choice as u8,
        forced,
        lean_before: sh.lean_before,
        options: out,
    }
}

/// What [`decide`] reads once per situation and then shares between its options.
#[derive(Copy, Clone, Debug)]
struct Shared {
    /// How many poles the doctrine has.
    n_poles: usize,
    /// `M`, what the situation is worth to the doctrine ([`situation_measure`]).
    measure: f64,
    /// The composite lean before the choice (`None`: no signal has data).
    lean_before: Option<f64>,
    /// The counterpart's relationship value when its wish is known (its own, not a
    /// pole's), else 0.
    cp_rel: f64,
    /// The counterpart's pole index, or −1 when it is not a pole.
    cp_pole: i32,
}

impl Shared {
    #[inline]
    fn of(d: &CompiledDoctrine, s: &Situation, cx: &Context) -> Shared {
        let n_poles = d.n_poles();
        Shared {
            n_poles,
            measure: situation_measure(d, s),
            lean_before: cx.lean(d),
            cp_rel: if s.counterpart_want >= 0 {
                cx.relation(d, s.counterpart)
            } else {
                0.0
            },
            cp_pole: match s.counterpart {
                Party::Actor(p) if (p as usize) < n_poles => p as i32,
                _ => -1,
            },
        }
    }
}

/// `M = kind value + Σ_tags tag value` (each already weighted by the interests), the tags
/// added in bit order.
#[inline]
fn situation_measure(d: &CompiledDoctrine, s: &Situation) -> f64 {
    let mut measure = d.kind_value(s.kind);
    let mut tags = s.tags.0;
    while tags != 0 {
        let t = tags.trailing_zeros() as usize;
        measure += d.tag_values()[t];
        tags &= tags - 1;
    }
    measure
}

/// One option's violations and branch terms.
#[inline]
fn score_option(
    d: &CompiledDoctrine,
    s: &Situation,
    cx: &Context,
    sh: &Shared,
    i: usize,
    o: Opt,
) -> OptionScore {
    let violations = violations(d, s, sh.n_poles, i, o);
    let value = direction(s.kind, i) * sh.measure;
    let (relations, balance) = relations_and_balance(d, s, cx, sh, i);
    let (lean, lean_after) = lean_term(d, s, cx, sh.lean_before, i);
    let votes = s.vote_term[i];
    OptionScore {
        violations,
        value,
        relations,
        balance,
        lean,
        votes,
        score: value + relations + balance + lean + votes,
        lean_after,
    }
}

/// The roots that forbid option `i` (of option `o`), as a bit set of root indices.
#[inline]
fn violations(d: &CompiledDoctrine, s: &Situation, n_poles: usize, i: usize, o: Opt) -> u64 {
    let mut violations = 0u64;
    for (r, c) in d.clauses() {
        if clause_matches(c, s, n_poles, i, o) {
            violations |= 1 << r;
        }
    }
    violations
}

/// The relations term of option `i` (each known pole's wish, then the counterpart's) and
/// the balance term (minus the spread of the poles' agreement, two known poles at least).
#[inline]
fn relations_and_balance(
    d: &CompiledDoctrine,
    s: &Situation,
    cx: &Context,
    sh: &Shared,
    i: usize,
) -> (f64, f64) {
    let b = d.branches();
    let mut relations = 0.0;
    let (mut hi, mut lo, mut known) = (f64::NEG_INFINITY, f64::INFINITY, 0u32);
    for p in 0..sh.n_poles {
        let w = s.pole_want[p];
        if w < 0 {
            continue;
        }
        let pl = pleased(s.kind, i, w as usize);
        let weight = if s.kind == Kind::UnVote || sh.cp_pole == p as i32 {
            1.0
        } else {
            b.bystander
        };
        relations += weight * cx.relations[p] * pl;
        let agree = (1.0 + pl) / 2.0;
        hi = hi.max(agree);
        lo = lo.min(agree);
        known += 1;
    }
    if s.counterpart_want >= 0 {
        relations += sh.cp_rel * pleased(s.kind, i, s.counterpart_want as usize);
    }
    let balance = if known >= 2 {
        -b.balance * (hi - lo)
    } else {
        0.0
    };
    (relations, balance)
}

/// The lean term of option `i` and the lean after it: `−lean_weight · (excess(after) −
/// excess(before))`, `excess(x) = max(0, x − max_lean)`; `(0, None)` when no signal has data.
#[inline]
fn lean_term(
    d: &CompiledDoctrine,
    s: &Situation,
    cx: &Context,
    before: Option<f64>,
    i: usize,
) -> (f64, Option<f64>) {
    let b = d.branches();
    let excess = |x: f64| (x - b.max_lean).max(0.0);
    match before {
        Some(l0) => {
            let sig = signals_after(d, s, cx, i);
            let l1 = cx.composite(d, &sig).map_or(l0, |c| c.1);
            (-b.lean_weight * (excess(l1) - excess(l0)), Some(l1))
        }
        None => (0.0, None),
    }
}

/// Whether `a` ranks above `b`: a higher score (beyond 1e-12), else a lower lean after.
#[inline]
fn better(a: &OptionScore, b: &OptionScore) -> bool {
    if (a.score - b.score).abs() > 1e-12 {
        return a.score > b.score;
    }
    match (a.lean_after, b.lean_after) {
        (Some(x), Some(y)) => x < y - 1e-12,
        _ => false,
    }
}

/// The chosen option's index and whether it was forced: the best admissible option, else
/// the least-violating one.
#[inline]
fn choose(d: &CompiledDoctrine, out: &[OptionScore]) -> (usize, bool) {
    let mut best: Option<usize> = None;
    for i in 0..out.len() {
        if out[i].violations == 0 && best.is_none_or(|j| better(&out[i], &out[j])) {
            best = Some(i);
        }
    }
    match best {
        Some(i) => (i, false),
        None => (least_violating(d, out), true),
    }
}

/// The total weight of the roots in a violation bit set.
#[inline]
fn violation_cost(d: &CompiledDoctrine, violations: u64) -> f64 {
    let mut v = violations;
    let mut c = 0.0;
    while v != 0 {
        c += d.root_weights()[v.trailing_zeros() as usize];
        v &= v - 1;
    }
    c
}

/// The option whose violated roots weigh least (ties within 1e-12: the better one, then
/// the earlier one).
#[inline]
fn least_violating(d: &CompiledDoctrine, out: &[OptionScore]) -> usize {
    let mut j = 0;
    for i in 1..out.len() {
        let (ci, cj) = (
            violation_cost(d, out[i].violations),
            violation_cost(d, out[j].violations),
        );
        if ci < cj - 1e-12 || ((ci - cj).abs() <= 1e-12 && better(&out[i], &out[j])) {
            j = i;
        }
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{validate_case, CaseInput, PositionsInput};
    use crate::doctrine::{validate_doctrine, DoctrineInput};

    fn doctrine(roots: &str) -> CompiledDoctrine {
        doctrine_with(roots, "", "{}")
    }

    /// A Vietnam doctrine with the given roots, extra `branches` keys (each followed by a
    /// comma; one interest, `autonomy` 1, unless they say otherwise) and `lean` table.
    fn doctrine_with(roots: &str, branches: &str, lean: &str) -> CompiledDoctrine {
        let interests = if branches.contains("\"interests\"") {
            ""
        } else {
            r#""interests": {"autonomy": 1.0},"#
        };
        let text = format!(
            r#"{{
              "doctrine": {{"name": "t", "subject": "VNM", "poles": ["USA", "CHN", "RUS"]}},
              "root": [{roots}],
              "branches": {{{interests} "balance": 1.0, {branches}
                           "relations": {{"USA": 0.5, "CHN": 0.5, "RUS": 0.5}}}},
              "lean": {lean}
            }}"#
        );
        let input: DoctrineInput = serde_json::from_str(&text).unwrap();
        CompiledDoctrine::new(validate_doctrine(&input).unwrap()).unwrap()
    }

    /// The pole index of a state in a doctrine.
    fn pole(d: &CompiledDoctrine, c: &'static str) -> usize {
        d.poles()
            .iter()
            .position(|p| *p == Iso3::from_static(c))
            .unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn vote(yes: &[&str], no: &[&str], abstain: &[&str]) -> Case {
        let l = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect());
        validate_case(&CaseInput {
            id: "v".into(),
            date: "2022-01-01".into(),
            subject: "VNM".into(),
            kind: "un_vote".into(),
            title: "t".into(),
            sources: vec!["s".into()],
            positions: Some(PositionsInput {
                yes: l(yes),
                no: l(no),
                abstain: l(abstain),
                ..Default::default()
            }),
            ..CaseInput::default()
        })
        .unwrap()
    }

    const SPLIT: &str = r#"{"id": "no-split", "principle": "p",
        "forbid": [{"kind": ["un_vote"], "option": ["yes", "no", "abstain"], "sides_in_split": true}]}"#;

    #[test]
    fn sides_in_split_forbids_taking_a_side_between_poles_but_not_abstaining() {
        let d = doctrine(SPLIT);
        let cx = Context::neutral(&d);
        let c = vote(&["USA"], &["RUS"], &["CHN"]);
        let dec = decide(&d, &Situation::new(&d, &c), &cx);
        assert_ne!(
            dec.options[0].violations, 0,
            "yes sides with USA against RUS"
        );
        assert_ne!(
            dec.options[1].violations, 0,
            "no sides with RUS against USA"
        );
        assert_eq!(dec.options[2].violations, 0, "abstain is opposed to no one");
        assert_eq!(dec.choice(), Opt::Abstain);
        // No split when the poles agree.
        let c = vote(&["USA", "RUS", "CHN"], &[], &[]);
        let dec = decide(&d, &Situation::new(&d, &c), &cx);
        assert!(dec.options.iter().all(|o| o.violations == 0));
        assert_eq!(dec.choice(), Opt::Yes);
    }

    #[test]
    fn all_forbidden_gives_the_least_violating_option_flagged() {
        let roots = r#"{"id": "a", "principle": "p", "weight": 2.0,
              "forbid": [{"kind": ["un_vote"], "option": ["yes", "no"]}]},
            {"id": "b", "principle": "p", "weight": 1.0,
              "forbid": [{"kind": ["un_vote"], "option": ["abstain", "no"]}]}"#;
        let d = doctrine(roots);
        let c = vote(&["USA"], &["RUS"], &[]);
        let dec = decide(&d, &Situation::new(&d, &c), &Context::neutral(&d));
        assert!(dec.forced);
        assert_eq!(dec.choice(), Opt::Abstain, "weight 1 beats weight 2 and 3");
    }

    /// The vote branch's term is exactly the dot product of its weights with the design
    /// `doctrine fit` fits on, for complete and partial listings, with and without a
    /// precedent.
    #[test]
    #[allow(clippy::needless_range_loop)]
    fn vote_term_is_the_design_times_the_weights() {
        use crate::case::Tag;
        let mut vb = VoteBranch {
            yes: 0.3,
            abstain: -0.7,
            assembly: 0.9,
            precedent: 1.1,
            peers: vec![
                (Iso3::from_static("CHN"), 0.4),
                (Iso3::from_static("CUB"), -0.2),
                (Iso3::from_static("LAO"), 0.8),
                (Iso3::from_static("RUS"), 0.5),
            ],
            ..VoteBranch::default()
        };
        vb.tag_yes[Tag::HumanRights as usize] = -0.25;
        vb.tag_abstain[Tag::HumanRights as usize] = 0.6;
        let mut partial = vote(&["USA"], &["RUS", "CHN"], &["LAO"]);
        partial.tags.insert(Tag::HumanRights);
        partial.tally = Some(crate::case::Tally {
            yes: Some(100),
            no: Some(20),
            abstain: Some(60),
        });
        let mut complete = vote(&["USA", "LAO"], &["RUS"], &["CHN"]);
        complete.tally = Some(crate::case::Tally {
            yes: Some(2),
            no: Some(1),
            abstain: Some(2),
        });
        let peers: Vec<Iso3> = vb.peers.iter().map(|p| p.0).collect();
        for case in [&partial, &complete] {
            for prec in [None, Some(Opt::Abstain), Some(Opt::No)] {
                let t = vote_term_of_case(&vb, case, prec);
                let d = vote_design(&peers, case, prec);
                for i in 0..3 {
                    let mut x = vb.yes * d.dir[i]
                        + vb.abstain * d.abstains[i]
                        + vb.assembly * d.assembly[i]
                        + vb.precedent * d.precedent[i];
                    for (k, (_, w)) in vb.peers.iter().enumerate() {
                        x += w * d.peers[k][i];
                    }
                    for tag in case.tags.iter() {
                        x += vb.tag_yes[tag as usize] * d.dir[i]
                            + vb.tag_abstain[tag as usize] * d.abstains[i];
                    }
                    assert!((x - t[i]).abs() < 1e-12, "option {i}: {x} against {}", t[i]);
                }
            }
        }
        // CUB is unlisted: in the partial listing it counts as the Assembly votes, in the
        // complete one (the tally covers every voter) it did not vote.
        let d = vote_design(&peers, &partial, None);
        assert_eq!(d.peers[1], d.assembly);
        assert!(Assembly::of(&complete).complete);
        let d = vote_design(&peers, &complete, None);
        assert_eq!(d.peers[1], [0.0; 3]);
    }

    #[test]
    fn the_measure_adds_each_tag_to_the_kind_weighted_by_the_interests() {
        let d = doctrine_with(
            "",
            r#""interests": {"autonomy": 2.0},
               "kinds": {"un_vote": {"autonomy": 0.5}},
               "tags": {"sovereignty": {"autonomy": -0.2}, "humanitarian": {"autonomy": 0.05}},"#,
            "{}",
        );
        let mut c = vote(&["USA"], &[], &[]);
        assert!(close(situation_measure(&d, &Situation::new(&d, &c)), 1.0));
        c.tags.insert(crate::case::Tag::Sovereignty);
        assert!(close(situation_measure(&d, &Situation::new(&d, &c)), 0.6));
        c.tags.insert(crate::case::Tag::Humanitarian);
        assert!(close(situation_measure(&d, &Situation::new(&d, &c)), 0.7));
        // The value term is the measure times the option's direction: yes +1, no −1.
        let dec = decide(&d, &Situation::new(&d, &c), &Context::neutral(&d));
        assert!(close(dec.options[0].value, 0.7));
        assert!(close(dec.options[1].value, -0.7));
        assert_eq!(dec.options[2].value, 0.0);
    }

    #[test]
    fn relations_weigh_each_known_wish_and_balance_costs_the_spread() {
        let d = doctrine("");
        let mut cx = Context::neutral(&d);
        cx.relations[pole(&d, "USA")] = 0.8;
        cx.relations[pole(&d, "CHN")] = 0.2;
        cx.relations[pole(&d, "RUS")] = -0.4;
        let s = Situation::new(&d, &vote(&["USA"], &["RUS"], &[]));
        let sh = Shared::of(&d, &s, &cx);
        // Yes pleases USA (+1 · 0.8) and displeases RUS (−1 · −0.4); CHN is unknown. The
        // poles' agreement with yes is 1 and 0: a spread of 1, times the balance weight 1.
        let (rel, bal) = relations_and_balance(&d, &s, &cx, &sh, 0);
        assert!(close(rel, 1.2), "{rel}");
        assert!(close(bal, -1.0), "{bal}");
        let (rel, bal) = relations_and_balance(&d, &s, &cx, &sh, 1);
        assert!(close(rel, -1.2), "{rel}");
        assert!(close(bal, -1.0), "{bal}");
        // An abstention is 0 to both camps, and both agree with it by one half.
        let (rel, bal) = relations_and_balance(&d, &s, &cx, &sh, 2);
        assert_eq!((rel, bal), (0.0, 0.0));
        // One known position: nothing to balance.
        let s = Situation::new(&d, &vote(&["USA"], &[], &[]));
        let sh = Shared::of(&d, &s, &cx);
        assert_eq!(relations_and_balance(&d, &s, &cx, &sh, 0), (0.8, 0.0));
    }

    #[test]
    fn a_bystander_pole_counts_by_the_bystander_weight_and_the_counterpart_fully() {
        let d = doctrine_with("", r#""bystander": 0.25,"#, "{}");
        let mut cx = Context::neutral(&d);
        cx.relations[pole(&d, "USA")] = 0.8;
        cx.relations[pole(&d, "CHN")] = 0.2;
        let mut c = vote(&[], &[], &[]);
        c.kind = Kind::Visit;
        c.counterpart = Some(Iso3::from_static("USA"));
        c.positions.oppose = vec![Iso3::from_static("CHN")];
        let s = Situation::new(&d, &c);
        let sh = Shared::of(&d, &s, &cx);
        // Accepting pleases USA, the counterpart (weight 1), and displeases CHN, a
        // bystander (weight 0.25): 0.8 − 0.25 · 0.2.
        let (rel, bal) = relations_and_balance(&d, &s, &cx, &sh, 0);
        assert!(close(rel, 0.75), "{rel}");
        // Agreement 1 and 0 for accepting, 0 and 1 for declining: a spread of 1 either way.
        assert!(close(bal, -1.0), "{bal}");
        let (rel, _) = relations_and_balance(&d, &s, &cx, &sh, 1);
        assert!(close(rel, -0.75), "{rel}");
    }

    #[test]
    fn the_lean_term_costs_only_the_excess_over_the_tolerated_lean() {
        let d = doctrine_with(
            "",
            r#""lean_weight": 2.0, "max_lean": 0.35,"#,
            r#"{"signals": {"un": 1.0}}"#,
        );
        let mut cx = Context::neutral(&d);
        assert_eq!(
            lean_term(
                &d,
                &Situation::new(&d, &vote(&["USA"], &[], &[])),
                &cx,
                None,
                0
            ),
            (0.0, None)
        );
        cx.available[Signal::Un as usize] = true;
        for (c, x) in [("USA", 0.9), ("CHN", 0.5), ("RUS", 0.5)] {
            cx.signals[pole(&d, c)][Signal::Un as usize] = x;
            cx.un_n[pole(&d, c)] = 1.0;
        }
        let s = Situation::new(&d, &vote(&["USA"], &["CHN", "RUS"], &[]));
        let before = cx.lean(&d);
        assert!(close(before.unwrap(), 0.4));
        // Yes: USA (0.9 + 1) / 2, the others (0.5 + 0) / 2, a lean of 0.7; the excess grows
        // from 0.05 to 0.35, which costs 2 · 0.3.
        let (l, after) = lean_term(&d, &s, &cx, before, 0);
        assert!(
            close(after.unwrap(), 0.7) && close(l, -0.6),
            "{l} {after:?}"
        );
        // No: a lean of 0.3, within the tolerance: the excess of 0.05 is gone, a gain.
        let (l, after) = lean_term(&d, &s, &cx, before, 1);
        assert!(close(after.unwrap(), 0.3) && close(l, 0.1), "{l} {after:?}");
        let dec = decide(&d, &s, &cx);
        assert_eq!(dec.lean_before, before);
        assert!(close(dec.options[1].lean, 0.1));
    }

    fn scored(score: f64, lean_after: Option<f64>, violations: u64) -> OptionScore {
        OptionScore {
            violations,
            score,
            lean_after,
            ..OptionScore::default()
        }
    }

    #[test]
    fn ties_in_score_go_to_the_lower_lean_after_then_the_earlier_option() {
        let a = scored(1.0, Some(0.2), 0);
        let b = scored(1.0 + 1e-13, Some(0.3), 0);
        assert!(
            better(&a, &b) && !better(&b, &a),
            "a tie in score: the lower lean wins"
        );
        let c = scored(1.0 + 1e-9, Some(0.3), 0);
        assert!(
            better(&c, &a),
            "a real difference in score wins over the lean"
        );
        let n = scored(1.0, None, 0);
        assert!(
            !better(&n, &a) && !better(&a, &n),
            "no lean: a tie stays a tie"
        );
        assert_eq!(choose(&doctrine(""), &[b, a]), (1, false));
        assert_eq!(
            choose(&doctrine(""), &[n, a]),
            (0, false),
            "ties: the earlier option"
        );
        // A forbidden option loses to any admissible one, whatever its score.
        assert_eq!(
            choose(&doctrine(""), &[scored(9.0, None, 1), n]),
            (1, false)
        );
    }

    #[test]
    fn the_least_violating_option_weighs_the_roots_it_breaks() {
        let root = |id: &str, w: f64| {
            format!(
                r#"{{"id": "{id}", "principle": "p", "weight": {w}, "forbid": [{{"kind": ["visit"], "option": ["accept"]}}]}}"#
            )
        };
        let d = doctrine(&[root("a", 2.0), root("b", 1.0), root("c", 1.0)].join(","));
        assert_eq!(violation_cost(&d, 0), 0.0);
        assert_eq!(violation_cost(&d, 0b011), 3.0);
        assert_eq!(violation_cost(&d, 0b110), 2.0);
        // Equal weights: the higher score; a lighter violation beats a higher score.
        let out = [
            scored(0.0, None, 0b010),
            scored(0.5, None, 0b100),
            scored(9.0, None, 0b001),
        ];
        assert_eq!(least_violating(&d, &out), 1);
        assert_eq!(choose(&d, &out), (1, true));
        let out = [scored(0.0, None, 0b010), scored(0.5, None, 0b101)];
        assert_eq!(least_violating(&d, &out), 0);
    }

    #[test]
    fn pleased_reads_votes_as_ordered() {
        assert_eq!(pleased(Kind::UnVote, 0, 0), 1.0);
        assert_eq!(pleased(Kind::UnVote, 2, 0), 0.0);
        assert_eq!(pleased(Kind::UnVote, 1, 0), -1.0);
        assert_eq!(pleased(Kind::Visit, 1, 0), -1.0);
    }
}
