//! The validated doctrine: roots with their clauses, the trunk, the branches and the lean
//! specification, every name already resolved to its vocabulary type.

use std::fmt;

use super::FitInfo;
use crate::case::{Kind, Opt, Tag, TagSet, Tier};
use crate::country::Iso3;

/// The three pillars of Vietnamese-style diplomacy that carry a decision.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pillar {
    /// Party-to-party channels.
    Party,
    /// The state's own diplomacy and government.
    State,
    /// People-to-people ties (exchanges, aid, culture).
    People,
}

impl Pillar {
    /// The pillar's name in doctrine files and JSON: `party`, `state` or `people`.
    pub fn as_str(self) -> &'static str {
        match self {
            Pillar::Party => "party",
            Pillar::State => "state",
            Pillar::People => "people",
        }
    }

    /// The pillar of a name, exactly as [`Pillar::as_str`] spells it.
    pub fn parse(s: &str) -> Option<Pillar> {
        match s {
            "party" => Some(Pillar::Party),
            "state" => Some(Pillar::State),
            "people" => Some(Pillar::People),
            _ => None,
        }
    }
}

impl fmt::Display for Pillar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A condition on a case party (the target or the counterpart).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PartyCond {
    /// No condition.
    Any,
    /// The case names one.
    Present,
    /// The case names none.
    Absent,
    /// It is one of the doctrine's poles.
    Pole,
    /// It is named and is not a pole.
    NotPole,
}

impl PartyCond {
    pub(super) fn parse(s: &str) -> Option<PartyCond> {
        Some(match s {
            "any" => PartyCond::Any,
            "present" => PartyCond::Present,
            "none" => PartyCond::Absent,
            "pole" => PartyCond::Pole,
            "not_pole" => PartyCond::NotPole,
            _ => return None,
        })
    }

    /// The condition as a doctrine file writes it: `any`, `present`, `none`, `pole` or
    /// `not_pole`.
    pub fn as_str(self) -> &'static str {
        match self {
            PartyCond::Any => "any",
            PartyCond::Present => "present",
            PartyCond::Absent => "none",
            PartyCond::Pole => "pole",
            PartyCond::NotPole => "not_pole",
        }
    }
}

/// One `forbid` clause of a root: the options it rules out and the conditions on the case.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// The case's kind is one of these (at least one).
    pub kinds: Vec<Kind>,
    /// The option is one of these (at least one, each an option of a listed kind).
    pub options: Vec<Opt>,
    /// The case has at least one of these tags (empty: no condition).
    pub tags_any: TagSet,
    /// The case has all of these tags.
    pub tags_all: TagSet,
    /// The case has none of these tags.
    pub tags_none: TagSet,
    /// A condition on the case's target.
    pub target: PartyCond,
    /// The target is one of these states (empty: no condition).
    pub target_in: Vec<Iso3>,
    /// A condition on the case's counterpart.
    pub counterpart: PartyCond,
    /// The counterpart is one of these states (empty: no condition).
    pub counterpart_in: Vec<Iso3>,
    /// A partnership offer of one of these tiers (empty: no condition; non-empty only with
    /// kind `partnership`).
    pub tiers: Vec<Tier>,
    /// The option is the kind's first (yes, join, grant, buy, accept, protest) and the
    /// case names a target: taking it is acting against that state.
    pub against_target: bool,
    /// The option is what one pole wants while another pole wants the opposite.
    pub sides_in_split: bool,
    /// Only a contested vote: the share of yes among the votes recorded is below this, or
    /// unknown. A measure nearly the whole Assembly adopts is not a side.
    pub support_below: Option<f64>,
}

impl Clause {
    /// The clause's conditions beyond its kinds and options, in words (empty: always).
    pub fn conditions(&self) -> Vec<String> {
        let mut v = Vec::new();
        let mut list = |name: &str, items: Vec<String>| {
            if !items.is_empty() {
                v.push(format!("{name} {}", items.join("|")));
            }
        };
        let tags = |s: TagSet| s.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        let codes = |l: &[Iso3]| l.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        list("tags any of", tags(self.tags_any));
        list("tags all of", tags(self.tags_all));
        list("tags none of", tags(self.tags_none));
        if self.target != PartyCond::Any {
            list("target", vec![self.target.as_str().to_string()]);
        }
        list("target in", codes(&self.target_in));
        if self.counterpart != PartyCond::Any {
            list("counterpart", vec![self.counterpart.as_str().to_string()]);
        }
        list("counterpart in", codes(&self.counterpart_in));
        list("tier", self.tiers.iter().map(|t| t.to_string()).collect());
        if self.against_target {
            v.push("acting against the target".into());
        }
        if self.sides_in_split {
            v.push("siding with one pole against another".into());
        }
        if let Some(x) = self.support_below {
            v.push(format!(
                "a contested vote (yes below {:.0}% of the votes recorded, or unknown)",
                x * 100.0
            ));
        }
        v
    }

    /// The whole clause in words: kinds, options and conditions.
    pub fn describe(&self) -> String {
        let kinds: Vec<&str> = self.kinds.iter().map(|k| k.as_str()).collect();
        let opts: Vec<&str> = self.options.iter().map(|o| o.as_str()).collect();
        let mut parts = vec![
            format!("kind {}", kinds.join("|")),
            format!("option {}", opts.join("|")),
        ];
        parts.extend(self.conditions());
        parts.join(", ")
    }
}

/// A root: a fixed principle that forbids options.
#[derive(Clone, Debug, PartialEq)]
pub struct Root {
    /// The name reported in `violations` (unique within the doctrine).
    pub id: String,
    /// What the root stands for, in words.
    pub principle: String,
    /// Citations.
    pub sources: Vec<String>,
    /// Severity, used only to find the least-violating option when all are forbidden
    /// (above 0, at most `MAX_MAGNITUDE`; 1 when not given).
    pub weight: f64,
    /// The root matches an option if any of these clauses does (at least one).
    pub clauses: Vec<Clause>,
}

/// A step that carries a decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The pillar that acts.
    pub pillar: Pillar,
    /// What it does: a template that may use `{choice}`, `{title}`, `{toward}`,
    /// `{subject}` and `{id}`.
    pub action: String,
}

/// An offset toward a displeased actor; `toward` empty means any actor.
#[derive(Clone, Debug, PartialEq)]
pub struct Offset {
    /// The pillar that acts.
    pub pillar: Pillar,
    /// What it does: a template, as [`Step::action`].
    pub action: String,
    /// The displeased actors it applies to (empty: every one).
    pub toward: Vec<Iso3>,
}

/// How a decision is carried out and offset: the plan of an answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trunk {
    /// `[[trunk.carry]]`: the steps that carry the decision, toward the counterpart (else
    /// the target, else the subject).
    pub carry: Vec<Step>,
    /// `[[trunk.offset]]`: the steps toward each actor the choice displeases.
    pub offsets: Vec<Offset>,
    /// Offsetting moves for the planner (empty: the plan is the offsets' template).
    pub moves: Vec<crate::plan::Move>,
    /// `[trunk.planning]`: the planner's settings (its defaults when not given).
    pub planning: crate::plan::Planning,
}

/// How ledger facts move a relationship value (per unit of each signal).
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct RelationInputs {
    /// Added per unit of the tier's signal value (`[lean.tiers]`) reached with the state.
    pub tier: f64,
    /// Added per unit of visits in the window, `min(1, count / saturation)`.
    pub visits: f64,
    /// Subtracted per unit of incidents in the window, `min(1, count / saturation)`.
    pub incidents: f64,
}

/// `[branches]`, validated: the weights that rank what the roots allow (see
/// `docs/doctrine.md`, "How the engine decides").
#[derive(Clone, Debug, PartialEq)]
pub struct Branches {
    /// Interest names and weights, in name order.
    pub interests: Vec<(String, f64)>,
    /// Stance of the doctrine on a situation of each kind, per interest (indexed like
    /// `interests`); zeros where not declared.
    pub kinds: Vec<(Kind, Vec<f64>)>,
    /// Stance on each tag, per interest.
    pub tags: Vec<(Tag, Vec<f64>)>,
    /// Base relationship value of each listed state, in code order (every pole is listed).
    pub relations: Vec<(Iso3, f64)>,
    /// The base relationship value of a state not listed.
    pub default_relation: f64,
    /// How the ledger moves a relationship value from its base.
    pub relation_inputs: RelationInputs,
    /// Weight of the equidistance term (0..=`MAX_MAGNITUDE`).
    pub balance: f64,
    /// Weight of the lean term (0..=`MAX_MAGNITUDE`).
    pub lean_weight: f64,
    /// The lean tolerated without cost: only lean above it is penalised (1 when not given).
    pub max_lean: f64,
    /// Weight of a pole's wish when it is not the counterpart, in non-vote kinds (0.5 when
    /// not given).
    pub bystander: f64,
    /// The vote branch (all zeros when the doctrine declares none).
    pub votes: VoteBranch,
}

/// `[branches.votes]`, validated: what a UN vote's company and subject are worth.
///
/// For option `o` of a vote, the branch adds
///
/// ```text
/// yes·dir(o) + abstain·[o = abstain] + assembly·A(o) + precedent·pleased(prev, o)
///   + Σ_j w_j·P_j(o) + Σ_{t ∈ tags} (yes_t·dir(o) + abstain_t·[o = abstain])
/// ```
///
/// with `dir` = +1 yes, −1 no, 0 abstain; `A(o)` the recorded shares' pleasure
/// `Σ_c share_c · pleased(c, o)`; `P_j(o)` = `pleased(vote_j, o)` for a peer whose vote the
/// case gives, and, when the case lists only some states, `A(o)` for a peer it does not;
/// `prev` the subject's vote on the most similar earlier resolution (the term is 0 when
/// there is none).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VoteBranch {
    /// Standing value of voting yes (times `dir(o)`: negative favours no).
    pub yes: f64,
    /// Standing value of abstaining.
    pub abstain: f64,
    /// Weight of the Assembly's company, `A(o)`.
    pub assembly: f64,
    /// Weight of the subject's own precedent.
    pub precedent: f64,
    /// Each peer's weight `w_j`, sorted by code.
    pub peers: Vec<(Iso3, f64)>,
    /// `yes_t` per tag, indexed by `Tag as usize` (0 for a tag not declared).
    pub tag_yes: [f64; Tag::COUNT],
    /// `abstain_t` per tag, indexed by `Tag as usize`.
    pub tag_abstain: [f64; Tag::COUNT],
    /// Where fitted weights came from; never read to decide.
    pub fit: Option<FitInfo>,
}

impl VoteBranch {
    /// Whether the branch adds anything.
    pub fn is_empty(&self) -> bool {
        self.yes == 0.0
            && self.abstain == 0.0
            && self.assembly == 0.0
            && self.precedent == 0.0
            && self.peers.is_empty()
            && self.tag_yes.iter().all(|&x| x == 0.0)
            && self.tag_abstain.iter().all(|&x| x == 0.0)
    }

    /// A peer's weight, if it is one.
    pub fn peer(&self, c: Iso3) -> Option<f64> {
        self.peers
            .binary_search_by_key(&c, |p| p.0)
            .ok()
            .map(|i| self.peers[i].1)
    }
}

/// The signals a composite lean can be built from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    /// Agreement in recorded UN votes (Voeten's index).
    Un = 0,
    /// Partnership tier reached.
    Tier = 1,
    /// Share of the subject's trade.
    Trade = 2,
    /// Share of the subject's arms imports.
    Arms = 3,
    /// Leader-level visits in the window, saturating.
    Visits = 4,
}

/// How many [`Signal`]s there are (the length of every per-signal array).
pub const N_SIGNALS: usize = 5;

impl Signal {
    /// Every signal, in index order (`ALL[s as usize] == s`).
    pub const ALL: [Signal; N_SIGNALS] = [
        Signal::Un,
        Signal::Tier,
        Signal::Trade,
        Signal::Arms,
        Signal::Visits,
    ];

    /// The signal's name in doctrine files and JSON (`un`, `tier`, `trade`, `arms`,
    /// `visits`).
    pub fn as_str(self) -> &'static str {
        ["un", "tier", "trade", "arms", "visits"][self as usize]
    }

    /// The signal of a name, exactly as [`Signal::as_str`] spells it.
    pub fn parse(s: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// How the composite lean is built.
#[derive(Clone, Debug, PartialEq)]
pub struct LeanSpec {
    /// How many years back the inputs are read, 1 to 100 (5 when not given).
    pub window_years: u32,
    /// Counts (visits, incidents) saturate at this many in the window.
    pub saturation: f64,
    /// Weight of each signal, indexed by [`Signal`] (0 = not used); a doctrine that
    /// declares none has `un` alone at 1, the spec's lean.
    pub weights: [f64; N_SIGNALS],
    /// Signal value of each tier, indexed by [`Tier`].
    pub tiers: [f64; Tier::COUNT],
    /// How far one arms purchase moves arms shares toward the supplier.
    pub arms_step: f64,
    /// How far joining a trade pact moves trade shares toward the lead state.
    pub trade_step: f64,
}

/// A validated doctrine.
#[derive(Clone, Debug, PartialEq)]
pub struct Doctrine {
    /// A title.
    pub name: String,
    /// The deciding state; a case about another state is refused.
    pub subject: Iso3,
    /// The great powers the lean is read against, 2 to `MAX_POLES`, distinct; every
    /// per-pole array follows this order.
    pub poles: Vec<Iso3>,
    /// Path of the subject's ledger, relative to the doctrine file.
    pub ledger: Option<String>,
    /// Free text on what the doctrine is.
    pub summary: Option<String>,
    /// Citations.
    pub sources: Vec<String>,
    /// The doctrine a server answers with for this subject when a request names none (at
    /// most one shipped doctrine per subject says so).
    pub default: bool,
    /// The forbids, in the file's order (at most `MAX_ROOTS`).
    pub roots: Vec<Root>,
    /// How a decision is carried and offset.
    pub trunk: Trunk,
    /// The weights that rank the admissible options.
    pub branches: Branches,
    /// How the composite lean is built.
    pub lean: LeanSpec,
}
