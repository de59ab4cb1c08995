//! A doctrine file's shape as a reader deserialises it (`docs/doctrine.md`), unknown keys
//! refused. Nothing here is checked yet: [`super::validate_doctrine`] does that.

use std::collections::BTreeMap;

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
