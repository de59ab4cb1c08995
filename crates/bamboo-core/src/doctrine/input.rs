//! A doctrine file's shape as a reader deserialises it (`docs/doctrine.md`), unknown keys
//! refused. Nothing here is checked yet: [`super::validate_doctrine`] does that.

use std::collections::BTreeMap;

/// A doctrine file as read.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoctrineInput {
    /// `[doctrine]`: the name, subject and poles.
    pub doctrine: HeaderInput,
    /// The `[[root]]` tables: the forbids.
    #[serde(default)]
    pub root: Vec<RootInput>,
    /// `[trunk]`: how a decision is carried and offset.
    #[serde(default)]
    pub trunk: TrunkInput,
    /// `[branches]`: the weights that rank.
    pub branches: BranchesInput,
    /// `[lean]`: how the composite lean is built (its defaults when absent).
    #[serde(default)]
    pub lean: LeanInput,
}

/// `[doctrine]` as read ([`super::Doctrine`]'s first fields).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderInput {
    /// A title.
    pub name: String,
    /// The deciding state's ISO3 code.
    pub subject: String,
    /// The poles' ISO3 codes, 2 to `MAX_POLES`.
    pub poles: Vec<String>,
    /// The subject's ledger file, relative to the doctrine file.
    #[serde(default)]
    pub ledger: Option<String>,
    /// Free text.
    #[serde(default)]
    pub summary: Option<String>,
    /// Citations.
    #[serde(default)]
    pub sources: Vec<String>,
    /// This doctrine answers for its subject when a request names none.
    #[serde(default)]
    pub default: bool,
}

/// One `[[root]]` as read ([`super::Root`]).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootInput {
    /// The root's unique name.
    pub id: String,
    /// What it stands for.
    pub principle: String,
    /// Citations.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Severity (> 0; 1 when not given).
    #[serde(default)]
    pub weight: Option<f64>,
    /// `[[root.forbid]]`: the clauses, at least one.
    pub forbid: Vec<ClauseInput>,
}

/// One `[[root.forbid]]` clause as read ([`super::Clause`], whose fields say what each
/// condition means).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseInput {
    /// Kind names (required).
    pub kind: Vec<String>,
    /// Option names (required).
    pub option: Vec<String>,
    /// Tag names: at least one present.
    #[serde(default)]
    pub tags_any: Vec<String>,
    /// Tag names: all present.
    #[serde(default)]
    pub tags_all: Vec<String>,
    /// Tag names: none present.
    #[serde(default)]
    pub tags_none: Vec<String>,
    /// `any` (the default), `present`, `none`, `pole` or `not_pole`.
    #[serde(default)]
    pub target: Option<String>,
    /// ISO3 codes the target must be among.
    #[serde(default)]
    pub target_in: Vec<String>,
    /// As `target`, for the counterpart.
    #[serde(default)]
    pub counterpart: Option<String>,
    /// ISO3 codes the counterpart must be among.
    #[serde(default)]
    pub counterpart_in: Vec<String>,
    /// Tier names (kind `partnership` only).
    #[serde(default)]
    pub tier: Vec<String>,
    /// Taking the kind's first option acts against the case's target.
    #[serde(default)]
    pub against_target: bool,
    /// The option sides with one pole against another.
    #[serde(default)]
    pub sides_in_split: bool,
    /// A contested vote: the share of yes is below this (0..1), or unknown.
    #[serde(default)]
    pub support_below: Option<f64>,
}

/// `[trunk]` as read ([`super::Trunk`]).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrunkInput {
    /// `[[trunk.carry]]` steps.
    #[serde(default)]
    pub carry: Vec<StepInput>,
    /// `[[trunk.offset]]` steps.
    #[serde(default)]
    pub offset: Vec<OffsetInput>,
    /// The catalogue of offsetting moves the planner draws on (`[[trunk.move]]`).
    #[serde(default, rename = "move")]
    pub moves: Vec<crate::plan::MoveInput>,
    /// The planner's settings (`[trunk.planning]`).
    #[serde(default)]
    pub planning: Option<crate::plan::PlanningInput>,
}

/// One `[[trunk.carry]]` step as read ([`super::Step`]).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// `party`, `state` or `people`.
    pub pillar: String,
    /// The action's template.
    pub action: String,
}

/// One `[[trunk.offset]]` as read ([`super::Offset`]).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffsetInput {
    /// `party`, `state` or `people`.
    pub pillar: String,
    /// The action's template.
    pub action: String,
    /// ISO3 codes of the displeased actors it applies to (empty: every one).
    #[serde(default)]
    pub toward: Vec<String>,
}

/// `[branches]` as read ([`super::Branches`], whose fields say what each weight does).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchesInput {
    /// Interest names and weights (at least one).
    pub interests: BTreeMap<String, f64>,
    /// Weight of the equidistance term (0 when not given).
    #[serde(default)]
    pub balance: f64,
    /// Weight of the lean term (0 when not given).
    #[serde(default)]
    pub lean_weight: f64,
    /// The lean tolerated without cost (1 when not given).
    #[serde(default = "one")]
    pub max_lean: f64,
    /// Weight of a bystander pole's wish (0.5 when not given).
    #[serde(default = "half")]
    pub bystander: f64,
    /// The relation of a state not listed (0 when not given).
    #[serde(default)]
    pub default_relation: f64,
    /// Base relation per ISO3 code (every pole needs one).
    #[serde(default)]
    pub relations: BTreeMap<String, f64>,
    /// `[branches.relation_inputs]`.
    #[serde(default)]
    pub relation_inputs: RelationInputsInput,
    /// `[branches.kinds.K]`: per kind name, the stance per declared interest.
    #[serde(default)]
    pub kinds: BTreeMap<String, BTreeMap<String, f64>>,
    /// `[branches.tags.T]`: per tag name, the stance per declared interest.
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

/// `[branches.votes.tags.T]` as read: how a measure carrying tag `T` moves the vote.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct VoteTagInput {
    /// Value of yes (negative: of no) when the measure carries the tag.
    #[serde(default)]
    pub yes: f64,
    /// Value of abstaining when the measure carries the tag.
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
    /// The first case date used (an ISO date).
    pub from: String,
    /// The last case date used (an ISO date); the fit saw nothing dated later.
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

/// `[branches.relation_inputs]` as read ([`super::RelationInputs`]); each 0 when not given.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationInputsInput {
    /// Per unit of the tier reached.
    #[serde(default)]
    pub tier: f64,
    /// Per unit of visits.
    #[serde(default)]
    pub visits: f64,
    /// Per unit of incidents (subtracted).
    #[serde(default)]
    pub incidents: f64,
}

/// `[lean]` as read ([`super::LeanSpec`]).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeanInput {
    /// Years read back (5 when not given).
    #[serde(default = "five")]
    pub window_years: u32,
    /// Where visit and incident counts saturate (3 when not given).
    #[serde(default = "three")]
    pub saturation: f64,
    /// Weight per signal name (`un`, `tier`, `trade`, `arms`, `visits`).
    #[serde(default)]
    pub signals: BTreeMap<String, f64>,
    /// Signal value per tier name (defaults 1/3, 2/3, 1).
    #[serde(default)]
    pub tiers: BTreeMap<String, f64>,
    /// `arms` and `trade`: the fraction (0..1) one purchase or pact moves shares.
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
