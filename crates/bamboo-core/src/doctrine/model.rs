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
    Party,
    State,
    People,
}

impl Pillar {
    pub fn as_str(self) -> &'static str {
        match self {
            Pillar::Party => "party",
            Pillar::State => "state",
            Pillar::People => "people",
        }
    }

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
    pub kinds: Vec<Kind>,
    pub options: Vec<Opt>,
    pub tags_any: TagSet,
    pub tags_all: TagSet,
    pub tags_none: TagSet,
    pub target: PartyCond,
    pub target_in: Vec<Iso3>,
    pub counterpart: PartyCond,
    pub counterpart_in: Vec<Iso3>,
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
    pub id: String,
    pub principle: String,
    pub sources: Vec<String>,
    /// Severity, used only to find the least-violating option when all are forbidden.
    pub weight: f64,
    pub clauses: Vec<Clause>,
}

/// A step that carries a decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub pillar: Pillar,
    pub action: String,
}

/// An offset toward a displeased actor; `toward` empty means any actor.
#[derive(Clone, Debug, PartialEq)]
pub struct Offset {
    pub pillar: Pillar,
    pub action: String,
    pub toward: Vec<Iso3>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trunk {
    pub carry: Vec<Step>,
    pub offsets: Vec<Offset>,
    /// Offsetting moves for the planner (empty: the plan is the offsets' template).
    pub moves: Vec<crate::plan::Move>,
    pub planning: crate::plan::Planning,
}

/// How ledger facts move a relationship value (per unit of each signal).
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct RelationInputs {
    pub tier: f64,
    pub visits: f64,
    pub incidents: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Branches {
    /// Interest names and weights, in name order.
    pub interests: Vec<(String, f64)>,
    /// Stance of the doctrine on a situation of each kind, per interest (indexed like
    /// `interests`); zeros where not declared.
    pub kinds: Vec<(Kind, Vec<f64>)>,
    /// Stance on each tag, per interest.
    pub tags: Vec<(Tag, Vec<f64>)>,
    pub relations: Vec<(Iso3, f64)>,
    pub default_relation: f64,
    pub relation_inputs: RelationInputs,
    pub balance: f64,
    pub lean_weight: f64,
    pub max_lean: f64,
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
    pub yes: f64,
    pub abstain: f64,
    pub assembly: f64,
    pub precedent: f64,
    /// Peers sorted by code.
    pub peers: Vec<(Iso3, f64)>,
    /// `yes_t`, `abstain_t` per tag, indexed by `Tag as usize`.
    pub tag_yes: [f64; Tag::COUNT],
    pub tag_abstain: [f64; Tag::COUNT],
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

pub const N_SIGNALS: usize = 5;

impl Signal {
    pub const ALL: [Signal; N_SIGNALS] = [
        Signal::Un,
        Signal::Tier,
        Signal::Trade,
        Signal::Arms,
        Signal::Visits,
    ];

    pub fn as_str(self) -> &'static str {
        ["un", "tier", "trade", "arms", "visits"][self as usize]
    }

    pub fn parse(s: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// How the composite lean is built.
#[derive(Clone, Debug, PartialEq)]
pub struct LeanSpec {
    pub window_years: u32,
    /// Counts (visits, incidents) saturate at this many in the window.
    pub saturation: f64,
    /// Weight of each signal (0 = not used).
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
    pub name: String,
    pub subject: Iso3,
    pub poles: Vec<Iso3>,
    /// Path of the subject's ledger, relative to the doctrine file.
    pub ledger: Option<String>,
    pub summary: Option<String>,
    pub sources: Vec<String>,
    /// The doctrine a server answers with for this subject when a request names none (at
    /// most one shipped doctrine per subject says so).
    pub default: bool,
    pub roots: Vec<Root>,
    pub trunk: Trunk,
    pub branches: Branches,
    pub lean: LeanSpec,
}
