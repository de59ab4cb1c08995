//! Doctrines as data: roots (forbids), a trunk (how a decision is carried across the party,
//! state and people pillars, and offset toward those it displeases) and branches (weights
//! that rank what the roots allow). See `docs/doctrine.md` for the file format.
//!
//! A doctrine arrives as a [`DoctrineInput`] (deserialised by a reader, unknown keys
//! refused), is checked by [`validate_doctrine`] into a [`Doctrine`], and is compiled by
//! [`CompiledDoctrine::new`] into bit masks and small arrays for the engine's hot path.

use std::collections::BTreeMap;
use std::fmt;

use crate::case::{parse_kind, parse_option, parse_tag, parse_tier, FieldError, Kind, Opt};
use crate::case::{Tag, TagSet, Tier};
use crate::country::Iso3;

/// At most this many poles (great powers the lean is read against).
pub const MAX_POLES: usize = 8;
/// At most this many named actors (poles, states with a declared relation, states a root
/// names); they are addressed by index in the hot path.
pub const MAX_ACTORS: usize = 64;
/// At most this many roots (violations are a `u64` bit set).
pub const MAX_ROOTS: usize = 64;

// ---------------------------------------------------------------------------------------
// Input: the file's shape, deserialised with unknown keys refused.
// ---------------------------------------------------------------------------------------

/// A doctrine file as read.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoctrineInput {
    pub doctrine: HeaderInput,
    #[serde(default)]
    pub root: Vec<RootInput>,
    #[serde(default)]
    pub trunk: TrunkInput,
    pub branches: BranchesInput,
    #[serde(default)]
    pub lean: LeanInput,
}

#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderInput {
    pub name: String,
    pub subject: String,
    pub poles: Vec<String>,
    #[serde(default)]
    pub ledger: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    /// This doctrine answers for its subject when a request names none.
    #[serde(default)]
    pub default: bool,
}

#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootInput {
    pub id: String,
    pub principle: String,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub weight: Option<f64>,
    pub forbid: Vec<ClauseInput>,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseInput {
    pub kind: Vec<String>,
    pub option: Vec<String>,
    #[serde(default)]
    pub tags_any: Vec<String>,
    #[serde(default)]
    pub tags_all: Vec<String>,
    #[serde(default)]
    pub tags_none: Vec<String>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub target_in: Vec<String>,
    #[serde(default)]
    pub counterpart: Option<String>,
    #[serde(default)]
    pub counterpart_in: Vec<String>,
    #[serde(default)]
    pub tier: Vec<String>,
    #[serde(default)]
    pub against_target: bool,
    #[serde(default)]
    pub sides_in_split: bool,
    #[serde(default)]
    pub support_below: Option<f64>,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrunkInput {
    #[serde(default)]
    pub carry: Vec<StepInput>,
    #[serde(default)]
    pub offset: Vec<OffsetInput>,
    /// The catalogue of offsetting moves the planner draws on (`[[trunk.move]]`).
    #[serde(default, rename = "move")]
    pub moves: Vec<crate::plan::MoveInput>,
    /// The planner's settings (`[trunk.planning]`).
    #[serde(default)]
    pub planning: Option<crate::plan::PlanningInput>,
}

#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    pub pillar: String,
    pub action: String,
}

#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffsetInput {
    pub pillar: String,
    pub action: String,
    #[serde(default)]
    pub toward: Vec<String>,
}

#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchesInput {
    pub interests: BTreeMap<String, f64>,
    #[serde(default)]
    pub balance: f64,
    #[serde(default)]
    pub lean_weight: f64,
    #[serde(default = "one")]
    pub max_lean: f64,
    #[serde(default = "half")]
    pub bystander: f64,
    #[serde(default)]
    pub default_relation: f64,
    #[serde(default)]
    pub relations: BTreeMap<String, f64>,
    #[serde(default)]
    pub relation_inputs: RelationInputsInput,
    #[serde(default)]
    pub kinds: BTreeMap<String, BTreeMap<String, f64>>,
    #[serde(default)]
    pub tags: BTreeMap<String, BTreeMap<String, f64>>,
    /// How the doctrine weighs a UN vote beyond the roots (`[branches.votes]`).
    #[serde(default)]
    pub votes: Option<VotesInput>,
}

/// `[branches.votes]`: the company a subject keeps in the General Assembly.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct VotesInput {
    /// Value of voting yes in itself (negative: of voting no).
    #[serde(default)]
    pub yes: f64,
    /// Value of abstaining in itself.
    #[serde(default)]
    pub abstain: f64,
    /// Weight of voting with the Assembly: times the recorded shares' pleasure.
    #[serde(default)]
    pub assembly: f64,
    /// Weight of the subject's own precedent: its vote on the most similar earlier
    /// resolution (from the vote data, strictly before the case).
    #[serde(default)]
    pub precedent: f64,
    /// Weight of each state's company: times its pleasure with the option.
    #[serde(default)]
    pub peers: BTreeMap<String, f64>,
    /// Per tag: `yes` (value of yes, negative: of no) and `abstain`.
    #[serde(default)]
    pub tags: BTreeMap<String, VoteTagInput>,
    /// Where fitted values came from (written by `bamboo doctrine fit`).
    #[serde(default)]
    pub fit: Option<FitInfo>,
}

#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct VoteTagInput {
    #[serde(default)]
    pub yes: f64,
    #[serde(default)]
    pub abstain: f64,
}

/// The provenance of fitted weights: what they were fitted to.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FitInfo {
    /// What the cases were (e.g. "every recorded UNGA vote of VNM").
    pub cases: String,
    /// How many cases the fit used.
    pub n: u32,
    /// First and last case dates used (ISO dates); the fit saw nothing dated later.
    pub from: String,
    pub to: String,
    /// The method and its settings.
    pub method: String,
    /// Accuracy on the cases fitted to.
    pub in_sample: f64,
}

fn one() -> f64 {
    1.0
}
fn half() -> f64 {
    0.5
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationInputsInput {
    #[serde(default)]
    pub tier: f64,
    #[serde(default)]
    pub visits: f64,
    #[serde(default)]
    pub incidents: f64,
}

#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeanInput {
    #[serde(default = "five")]
    pub window_years: u32,
    #[serde(default = "three")]
    pub saturation: f64,
    #[serde(default)]
    pub signals: BTreeMap<String, f64>,
    #[serde(default)]
    pub tiers: BTreeMap<String, f64>,
    #[serde(default)]
    pub steps: BTreeMap<String, f64>,
}

fn five() -> u32 {
    5
}
fn three() -> f64 {
    3.0
}

impl Default for LeanInput {
    fn default() -> Self {
        LeanInput {
            window_years: 5,
            saturation: 3.0,
            signals: BTreeMap::new(),
            tiers: BTreeMap::new(),
            steps: BTreeMap::new(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The validated model.
// ---------------------------------------------------------------------------------------

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
    fn parse(s: &str) -> Option<PartyCond> {
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
    pub tag_yes: [f64; 22],
    pub tag_abstain: [f64; 22],
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
    pub tiers: [f64; 3],
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

// ---------------------------------------------------------------------------------------
// Validation.
// ---------------------------------------------------------------------------------------

fn code(field: &str, s: &str) -> Result<Iso3, FieldError> {
    Iso3::parse(s).map_err(|e| FieldError::new(field, e.to_string()))
}

fn codes(field: &str, list: &[String]) -> Result<Vec<Iso3>, FieldError> {
    list.iter()
        .enumerate()
        .map(|(i, s)| Iso3::parse(s).map_err(|e| FieldError::at(field, i, e.to_string())))
        .collect()
}

fn tags(field: &str, list: &[String]) -> Result<TagSet, FieldError> {
    let mut set = TagSet::EMPTY;
    for (i, s) in list.iter().enumerate() {
        set.insert(parse_tag(s).map_err(|m| FieldError::at(field, i, m))?);
    }
    Ok(set)
}

/// The largest magnitude of any number in a doctrine (weights, stances, relations, lean
/// parameters): sums and products of a few hundred of them stay finite, so a score is never
/// `inf` or `NaN` (docs/doctrine.md).
pub const MAX_MAGNITUDE: f64 = 1000.0;

fn finite(field: &str, x: f64) -> Result<f64, FieldError> {
    if x.is_finite() && x.abs() <= MAX_MAGNITUDE {
        Ok(x)
    } else {
        Err(FieldError::new(
            field,
            format!("{x} is not allowed: a number from -{MAX_MAGNITUDE} to {MAX_MAGNITUDE}"),
        ))
    }
}

fn non_negative(field: &str, x: f64) -> Result<f64, FieldError> {
    if x.is_finite() && (0.0..=MAX_MAGNITUDE).contains(&x) {
        Ok(x)
    } else {
        Err(FieldError::new(
            field,
            format!("{x} is not allowed: a number from 0 to {MAX_MAGNITUDE}"),
        ))
    }
}

/// Checks a doctrine. Every name (kind, option, tag, tier, pillar, signal, interest,
/// country) is checked against its vocabulary, so nothing is silently ignored.
pub fn validate_doctrine(input: &DoctrineInput) -> Result<Doctrine, FieldError> {
    let h = &input.doctrine;
    if h.name.trim().is_empty() {
        return Err(FieldError::new("doctrine.name", "must not be empty"));
    }
    let subject = code("doctrine.subject", &h.subject)?;
    let poles = codes("doctrine.poles", &h.poles)?;
    if poles.len() < 2 || poles.len() > MAX_POLES {
        return Err(FieldError::new(
            "doctrine.poles",
            format!("needs 2 to {MAX_POLES} poles, found {}", poles.len()),
        ));
    }
    for (i, p) in poles.iter().enumerate() {
        if poles[..i].contains(p) || *p == subject {
            return Err(FieldError::at(
                "doctrine.poles",
                i,
                format!("{p} is repeated or is the subject"),
            ));
        }
    }

    let mut roots = Vec::with_capacity(input.root.len());
    if input.root.len() > MAX_ROOTS {
        return Err(FieldError::new(
            "root",
            format!("at most {MAX_ROOTS} roots"),
        ));
    }
    for (r, root) in input.root.iter().enumerate() {
        let base = format!("root[{r}]");
        if root.id.trim().is_empty() {
            return Err(FieldError::new(&format!("{base}.id"), "must not be empty"));
        }
        if roots.iter().any(|x: &Root| x.id == root.id) {
            return Err(FieldError::new(
                &format!("{base}.id"),
                format!("root id `{}` is used twice", root.id),
            ));
        }
        if root.forbid.is_empty() {
            return Err(FieldError::new(
                &format!("{base}.forbid"),
                "a root must forbid something",
            ));
        }
        let mut clauses = Vec::with_capacity(root.forbid.len());
        for (c, cl) in root.forbid.iter().enumerate() {
            clauses.push(validate_clause(&format!("{base}.forbid[{c}]"), cl)?);
        }
        let weight = match root.weight {
            Some(w) if !(w.is_finite() && w > 0.0 && w <= MAX_MAGNITUDE) => {
                return Err(FieldError::new(
                    &format!("{base}.weight"),
                    format!("{w} is not allowed: a number > 0, at most {MAX_MAGNITUDE}"),
                ))
            }
            Some(w) => w,
            None => 1.0,
        };
        roots.push(Root {
            id: root.id.clone(),
            principle: root.principle.clone(),
            sources: root.sources.clone(),
            weight,
            clauses,
        });
    }

    let pillar = |field: &str, s: &str| {
        Pillar::parse(s).ok_or_else(|| {
            FieldError::new(
                field,
                format!("unknown pillar `{s}` (expected party, state or people)"),
            )
        })
    };
    let mut trunk = Trunk::default();
    for (i, s) in input.trunk.carry.iter().enumerate() {
        trunk.carry.push(Step {
            pillar: pillar(&format!("trunk.carry[{i}].pillar"), &s.pillar)?,
            action: s.action.clone(),
        });
    }
    for (i, o) in input.trunk.offset.iter().enumerate() {
        trunk.offsets.push(Offset {
            pillar: pillar(&format!("trunk.offset[{i}].pillar"), &o.pillar)?,
            action: o.action.clone(),
            toward: codes(&format!("trunk.offset[{i}].toward"), &o.toward)?,
        });
    }

    trunk.moves = crate::plan::validate_moves(&input.trunk.moves, &poles, subject)?;
    if let Some(p) = &input.trunk.planning {
        trunk.planning = crate::plan::validate_planning(p, &poles)?;
    }

    let branches = validate_branches(&input.branches, &poles)?;
    if branches.votes.peer(subject).is_some() {
        return Err(FieldError::new(
            &format!("branches.votes.peers.{subject}"),
            "the subject cannot be its own peer",
        ));
    }
    let lean = validate_lean(&input.lean)?;
    Ok(Doctrine {
        name: h.name.clone(),
        subject,
        poles,
        ledger: h.ledger.clone(),
        summary: h.summary.clone(),
        sources: h.sources.clone(),
        default: h.default,
        roots,
        trunk,
        branches,
        lean,
    })
}

fn validate_clause(base: &str, cl: &ClauseInput) -> Result<Clause, FieldError> {
    let f = |k: &str| format!("{base}.{k}");
    if cl.kind.is_empty() {
        return Err(FieldError::new(&f("kind"), "names no kind"));
    }
    let mut kinds = Vec::new();
    for (i, k) in cl.kind.iter().enumerate() {
        kinds.push(parse_kind(k).map_err(|m| FieldError::at(&f("kind"), i, m))?);
    }
    if cl.option.is_empty() {
        return Err(FieldError::new(&f("option"), "names no option"));
    }
    let mut options = Vec::new();
    for (i, o) in cl.option.iter().enumerate() {
        // An option must belong to at least one of the clause's kinds.
        let ok = kinds.iter().find_map(|k| parse_option(*k, o).ok());
        match ok {
            Some(opt) => options.push(opt),
            None => {
                let valid: Vec<&str> = kinds
                    .iter()
                    .flat_map(|k| k.options().iter().map(|o| o.as_str()))
                    .collect();
                return Err(FieldError::at(
                    &f("option"),
                    i,
                    format!(
                        "`{o}` is not an option of the clause's kinds (expected one of: {})",
                        valid.join(", ")
                    ),
                ));
            }
        }
    }
    for (i, k) in kinds.iter().enumerate() {
        if !k.options().iter().any(|o| options.contains(o)) {
            return Err(FieldError::at(
                &f("kind"),
                i,
                format!("the clause forbids no option of kind `{k}`"),
            ));
        }
    }
    let party = |k: &str, s: &Option<String>| -> Result<PartyCond, FieldError> {
        match s {
            None => Ok(PartyCond::Any),
            Some(s) => PartyCond::parse(s).ok_or_else(|| {
                FieldError::new(
                    &f(k),
                    format!(
                        "unknown condition `{s}` (expected any, present, none, pole or not_pole)"
                    ),
                )
            }),
        }
    };
    let mut tiers = Vec::new();
    for (i, t) in cl.tier.iter().enumerate() {
        tiers.push(parse_tier(t).map_err(|m| FieldError::at(&f("tier"), i, m))?);
    }
    if !tiers.is_empty() && !kinds.contains(&Kind::Partnership) {
        return Err(FieldError::new(
            &f("tier"),
            "a tier condition needs kind `partnership`",
        ));
    }
    let support_below = match cl.support_below {
        None => None,
        Some(x) if x.is_finite() && x > 0.0 && x <= 1.0 => {
            if !kinds.contains(&Kind::UnVote) {
                return Err(FieldError::new(
                    &f("support_below"),
                    "a condition on the share of yes votes needs kind `un_vote`",
                ));
            }
            Some(x)
        }
        Some(_) => {
            return Err(FieldError::new(
                &f("support_below"),
                "must be a share of the votes, above 0 and at most 1",
            ))
        }
    };
    Ok(Clause {
        kinds,
        options,
        tags_any: tags(&f("tags_any"), &cl.tags_any)?,
        tags_all: tags(&f("tags_all"), &cl.tags_all)?,
        tags_none: tags(&f("tags_none"), &cl.tags_none)?,
        target: party("target", &cl.target)?,
        target_in: codes(&f("target_in"), &cl.target_in)?,
        counterpart: party("counterpart", &cl.counterpart)?,
        counterpart_in: codes(&f("counterpart_in"), &cl.counterpart_in)?,
        tiers,
        against_target: cl.against_target,
        sides_in_split: cl.sides_in_split,
        support_below,
    })
}

fn stances(
    field: &str,
    names: &[(String, f64)],
    table: &BTreeMap<String, f64>,
) -> Result<Vec<f64>, FieldError> {
    let mut v = vec![0.0; names.len()];
    for (k, x) in table {
        let i = names.iter().position(|(n, _)| n == k).ok_or_else(|| {
            let known: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
            FieldError::new(
                &format!("{field}.{k}"),
                format!(
                    "`{k}` is not a declared interest (declared: {})",
                    known.join(", ")
                ),
            )
        })?;
        v[i] = finite(&format!("{field}.{k}"), *x)?;
    }
    Ok(v)
}

fn validate_branches(b: &BranchesInput, poles: &[Iso3]) -> Result<Branches, FieldError> {
    if b.interests.is_empty() {
        return Err(FieldError::new(
            "branches.interests",
            "declare at least one interest",
        ));
    }
    let mut interests = Vec::new();
    for (k, w) in &b.interests {
        interests.push((
            k.clone(),
            non_negative(&format!("branches.interests.{k}"), *w)?,
        ));
    }
    let mut kinds = Vec::new();
    for (k, table) in &b.kinds {
        let kind = parse_kind(k).map_err(|m| FieldError::new(&format!("branches.kinds.{k}"), m))?;
        kinds.push((
            kind,
            stances(&format!("branches.kinds.{k}"), &interests, table)?,
        ));
    }
    let mut tag_stances = Vec::new();
    for (k, table) in &b.tags {
        let tag = parse_tag(k).map_err(|m| FieldError::new(&format!("branches.tags.{k}"), m))?;
        tag_stances.push((
            tag,
            stances(&format!("branches.tags.{k}"), &interests, table)?,
        ));
    }
    let mut relations = Vec::new();
    for (k, x) in &b.relations {
        let field = format!("branches.relations.{k}");
        relations.push((code(&field, k)?, finite(&field, *x)?));
    }
    for p in poles {
        if !relations.iter().any(|(c, _)| c == p) {
            return Err(FieldError::new(
                "branches.relations",
                format!("pole {p} needs a declared relation"),
            ));
        }
    }
    let ri = &b.relation_inputs;
    let votes = match &b.votes {
        Some(v) => validate_votes(v)?,
        None => VoteBranch::default(),
    };
    Ok(Branches {
        interests,
        kinds,
        tags: tag_stances,
        relations,
        default_relation: finite("branches.default_relation", b.default_relation)?,
        relation_inputs: RelationInputs {
            tier: finite("branches.relation_inputs.tier", ri.tier)?,
            visits: finite("branches.relation_inputs.visits", ri.visits)?,
            incidents: finite("branches.relation_inputs.incidents", ri.incidents)?,
        },
        balance: non_negative("branches.balance", b.balance)?,
        lean_weight: non_negative("branches.lean_weight", b.lean_weight)?,
        max_lean: non_negative("branches.max_lean", b.max_lean)?,
        bystander: non_negative("branches.bystander", b.bystander)?,
        votes,
    })
}

fn validate_votes(v: &VotesInput) -> Result<VoteBranch, FieldError> {
    let mut out = VoteBranch {
        yes: finite("branches.votes.yes", v.yes)?,
        abstain: finite("branches.votes.abstain", v.abstain)?,
        assembly: finite("branches.votes.assembly", v.assembly)?,
        precedent: finite("branches.votes.precedent", v.precedent)?,
        ..VoteBranch::default()
    };
    for (k, w) in &v.peers {
        let field = format!("branches.votes.peers.{k}");
        out.peers.push((code(&field, k)?, finite(&field, *w)?));
    }
    out.peers.sort_by_key(|p| p.0);
    for (k, t) in &v.tags {
        let field = format!("branches.votes.tags.{k}");
        let tag = parse_tag(k).map_err(|m| FieldError::new(&field, m))?;
        out.tag_yes[tag as usize] = finite(&format!("{field}.yes"), t.yes)?;
        out.tag_abstain[tag as usize] = finite(&format!("{field}.abstain"), t.abstain)?;
    }
    if let Some(f) = &v.fit {
        if !(f.in_sample.is_finite() && (0.0..=1.0).contains(&f.in_sample)) {
            return Err(FieldError::new(
                "branches.votes.fit.in_sample",
                "must be an accuracy between 0 and 1",
            ));
        }
        for (k, d) in [("from", &f.from), ("to", &f.to)] {
            crate::date::Date::parse(d)
                .map_err(|e| FieldError::new(&format!("branches.votes.fit.{k}"), e.to_string()))?;
        }
        out.fit = Some(f.clone());
    }
    Ok(out)
}

fn validate_lean(l: &LeanInput) -> Result<LeanSpec, FieldError> {
    if l.window_years == 0 || l.window_years > 100 {
        return Err(FieldError::new(
            "lean.window_years",
            "must be between 1 and 100",
        ));
    }
    if !(l.saturation.is_finite() && l.saturation > 0.0 && l.saturation <= MAX_MAGNITUDE) {
        return Err(FieldError::new(
            "lean.saturation",
            format!("must be a number > 0, at most {MAX_MAGNITUDE}"),
        ));
    }
    let mut weights = [0.0; N_SIGNALS];
    for (k, w) in &l.signals {
        let field = format!("lean.signals.{k}");
        let s = Signal::parse(k).ok_or_else(|| {
            FieldError::new(
                &field,
                format!("unknown signal `{k}` (expected un, tier, trade, arms or visits)"),
            )
        })?;
        weights[s as usize] = non_negative(&field, *w)?;
    }
    if l.signals.is_empty() {
        weights[Signal::Un as usize] = 1.0;
    }
    let mut tiers = [1.0 / 3.0, 2.0 / 3.0, 1.0];
    for (k, v) in &l.tiers {
        let field = format!("lean.tiers.{k}");
        let t = parse_tier(k).map_err(|m| FieldError::new(&field, m))?;
        tiers[t as usize] = non_negative(&field, *v)?;
    }
    let (mut arms_step, mut trade_step) = (0.0, 0.0);
    for (k, v) in &l.steps {
        let field = format!("lean.steps.{k}");
        let v = non_negative(&field, *v)?;
        if v > 1.0 {
            return Err(FieldError::new(&field, "a step is a fraction, at most 1"));
        }
        match k.as_str() {
            "arms" => arms_step = v,
            "trade" => trade_step = v,
            _ => {
                return Err(FieldError::new(
                    &field,
                    format!("unknown step `{k}` (expected arms or trade)"),
                ))
            }
        }
    }
    Ok(LeanSpec {
        window_years: l.window_years,
        saturation: l.saturation,
        weights,
        tiers,
        arms_step,
        trade_step,
    })
}

// ---------------------------------------------------------------------------------------
// Compilation for the hot path.
// ---------------------------------------------------------------------------------------

/// A party of a case as the hot path sees it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Party {
    None,
    /// An actor of the doctrine (index into [`CompiledDoctrine::actors`]).
    Actor(u8),
    /// A state the doctrine does not name.
    Other,
}

/// A clause as masks.
#[derive(Copy, Clone, Debug)]
pub struct CompiledClause {
    pub kinds: u16,
    pub options: u16,
    pub tags_any: u32,
    pub tags_all: u32,
    pub tags_none: u32,
    pub target: PartyCond,
    pub target_in: u64,
    pub counterpart: PartyCond,
    pub counterpart_in: u64,
    pub tiers: u8,
    pub against_target: bool,
    pub sides_in_split: bool,
    /// 2.0 when the clause has no such condition (every share is below it).
    pub support_below: f64,
}

/// A doctrine compiled for the engine: actors by index, stances folded into one number per
/// kind and per tag, roots as masks. Built once, shared by every decision.
#[derive(Clone, Debug)]
pub struct CompiledDoctrine {
    pub doctrine: Doctrine,
    /// Poles first (in declared order), then every other named state, sorted.
    pub actors: Vec<Iso3>,
    pub n_poles: usize,
    /// Declared base relation of each actor (the default for states named only by roots).
    pub base_relation: Vec<f64>,
    /// `Σ_i w_i · stance_i` for each kind, indexed by `Kind as usize`.
    pub kind_value: [f64; 10],
    /// `Σ_i w_i · stance_i` for each tag, indexed by `Tag as usize`.
    pub tag_value: [f64; 22],
    /// Each root's clauses, flattened: `(root index, clause)`.
    pub clauses: Vec<(u8, CompiledClause)>,
    pub root_weight: Vec<f64>,
}

impl CompiledDoctrine {
    pub fn new(doctrine: Doctrine) -> Result<CompiledDoctrine, FieldError> {
        let mut actors: Vec<Iso3> = doctrine.poles.clone();
        let n_poles = actors.len();
        let mut others: Vec<Iso3> = doctrine.branches.relations.iter().map(|r| r.0).collect();
        for root in &doctrine.roots {
            for c in &root.clauses {
                others.extend(c.target_in.iter().chain(&c.counterpart_in));
            }
        }
        for o in &doctrine.trunk.offsets {
            others.extend(&o.toward);
        }
        others.sort();
        others.dedup();
        others.retain(|c| !actors.contains(c) && *c != doctrine.subject);
        actors.extend(others);
        if actors.len() > MAX_ACTORS {
            return Err(FieldError::new(
                "branches.relations",
                format!("at most {MAX_ACTORS} named states"),
            ));
        }
        let b = &doctrine.branches;
        let base_relation = actors
            .iter()
            .map(|a| {
                b.relations
                    .iter()
                    .find(|r| r.0 == *a)
                    .map_or(b.default_relation, |r| r.1)
            })
            .collect();
        let fold = |v: &[f64]| -> f64 { v.iter().zip(&b.interests).map(|(s, (_, w))| s * w).sum() };
        let mut kind_value = [0.0; 10];
        for (k, v) in &b.kinds {
            kind_value[*k as usize] = fold(v);
        }
        let mut tag_value = [0.0; 22];
        for (t, v) in &b.tags {
            tag_value[*t as usize] = fold(v);
        }
        let mask = |list: &[Iso3]| -> u64 {
            list.iter()
                .filter_map(|c| actors.iter().position(|a| a == c))
                .fold(0u64, |m, i| m | (1 << i))
        };
        let mut clauses = Vec::new();
        for (r, root) in doctrine.roots.iter().enumerate() {
            for c in &root.clauses {
                clauses.push((
                    r as u8,
                    CompiledClause {
                        kinds: c.kinds.iter().fold(0, |m, k| m | k.bit()),
                        options: c.options.iter().fold(0, |m, o| m | o.bit()),
                        tags_any: c.tags_any.0,
                        tags_all: c.tags_all.0,
                        tags_none: c.tags_none.0,
                        target: c.target,
                        target_in: mask(&c.target_in),
                        counterpart: c.counterpart,
                        counterpart_in: mask(&c.counterpart_in),
                        tiers: c.tiers.iter().fold(0, |m, t| m | (1 << *t as u8)),
                        against_target: c.against_target,
                        sides_in_split: c.sides_in_split,
                        support_below: c.support_below.unwrap_or(2.0),
                    },
                ));
            }
        }
        let root_weight = doctrine.roots.iter().map(|r| r.weight).collect();
        Ok(CompiledDoctrine {
            doctrine,
            actors,
            n_poles,
            base_relation,
            kind_value,
            tag_value,
            clauses,
            root_weight,
        })
    }

    /// The party a country is for this doctrine.
    pub fn party(&self, c: Option<Iso3>) -> Party {
        match c {
            None => Party::None,
            Some(c) => match self.actors.iter().position(|a| *a == c) {
                Some(i) => Party::Actor(i as u8),
                None => Party::Other,
            },
        }
    }

    pub fn poles(&self) -> &[Iso3] {
        &self.actors[..self.n_poles]
    }

    pub fn subject(&self) -> Iso3 {
        self.doctrine.subject
    }
}
