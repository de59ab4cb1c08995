//! The world a simulation runs in: the poles, the middle states with their doctrines and
//! starting positions, the scenario of rivalry over time, and the mechanics' parameters.
//! `WorldInput` is the TOML form (documented in `docs/simulation.md`); [`World::new`]
//! validates it into plain numbers, with errors that name the field.

use std::collections::BTreeMap;

use bamboo_core::case::Tier;
use bamboo_core::doctrine::MAX_POLES;
use bamboo_core::Iso3;

/// The most middle states a world may hold.
pub const MAX_STATES: usize = 32;

/// A world file, as written.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldInput {
    pub world: HeaderInput,
    pub scenario: ScenarioInput,
    #[serde(default)]
    pub mechanics: MechanicsInput,
    #[serde(rename = "state", default)]
    pub states: Vec<StateInput>,
}

#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub poles: Vec<String>,
    /// The first simulated year (labels only).
    pub start_year: i32,
    /// The doctrine compared by default, and the subject's doctrine names.
    #[serde(default)]
    pub compare: Vec<String>,
    /// The doctrine whose roots define autonomy and whose lean weights define the lean
    /// outcome, the same yardstick for every doctrine compared.
    pub yardstick: String,
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioInput {
    /// Polarisation (rivalry between the poles, 0..1) in the first year.
    pub polarisation_start: f64,
    /// Polarisation in the last year; it moves linearly in between.
    pub polarisation_end: f64,
    /// Standard deviation of the yearly noise on polarisation.
    #[serde(default)]
    pub volatility: f64,
    /// Expected situations per middle state and year (incidents come on top).
    pub events_per_year: f64,
    /// Optional shock: in this year (0-based) polarisation jumps by `shock_size`.
    #[serde(default)]
    pub shock_year: Option<u32>,
    #[serde(default)]
    pub shock_size: f64,
}

/// Mechanics parameters; every one has a documented default.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MechanicsInput {
    pub reaction: Option<f64>,
    pub salience_base: Option<f64>,
    pub salience_polarisation: Option<f64>,
    pub relation_drift: Option<f64>,
    pub floor: Option<f64>,
    pub recover: Option<f64>,
    pub break_trade_loss: Option<f64>,
    pub break_hostility: Option<f64>,
    pub trade_growth: Option<f64>,
    pub reward_budget: Option<f64>,
    pub coercion: Option<f64>,
    pub pact_gain: Option<f64>,
    pub trade_step: Option<f64>,
    pub arms_step: Option<f64>,
    pub incident_rate: Option<f64>,
    pub alliance_deterrence: Option<f64>,
    pub base_deterrence: Option<f64>,
    pub arms_deterrence: Option<f64>,
    pub appeasement: Option<f64>,
    pub force_escalation: Option<f64>,
    pub protest_cost: Option<f64>,
    pub incident_cost: Option<f64>,
    pub un_memory: Option<f64>,
    pub visit_memory: Option<f64>,
    pub plan_relation: Option<f64>,
    pub plan_cost: Option<f64>,
}

#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateInput {
    pub iso3: String,
    /// The doctrine this state follows (a name under `data/doctrines/`). For the subject
    /// it is the default; `--doctrines` replaces it.
    pub doctrine: String,
    /// The state whose doctrine is compared. Exactly one state is the subject.
    #[serde(default)]
    pub subject: bool,
    /// Poles with which the state has a sovereignty dispute (sources of incidents).
    #[serde(default)]
    pub disputes: Vec<String>,
    /// Each pole's starting attitude toward the state, 0..1.
    pub relations: BTreeMap<String, f64>,
    /// Starting UN agreement with each pole, 0..1.
    pub un: BTreeMap<String, f64>,
    /// Starting partnership tier with each pole.
    #[serde(default)]
    pub tier: BTreeMap<String, String>,
    /// Starting share of the state's trade with each pole, 0..1 (the rest is with others).
    pub trade: BTreeMap<String, f64>,
    /// Starting share of the state's arms imports from each pole, 0..1.
    pub arms: BTreeMap<String, f64>,
    /// Where the starting numbers come from.
    pub sources: Vec<String>,
}

/// A world-file problem: the field and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct WorldError {
    pub field: String,
    pub message: String,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> WorldError {
    WorldError {
        field: field.into(),
        message: message.into(),
    }
}

/// The scenario of rivalry over time.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub polarisation_start: f64,
    pub polarisation_end: f64,
    pub volatility: f64,
    pub events_per_year: f64,
    pub shock: Option<(u32, f64)>,
}

impl Scenario {
    /// The scheduled polarisation in year `y` of `years` (before noise).
    pub fn planned(&self, y: u32, years: u32) -> f64 {
        let t = if years > 1 {
            f64::from(y) / f64::from(years - 1)
        } else {
            0.0
        };
        let mut p = self.polarisation_start + t * (self.polarisation_end - self.polarisation_start);
        if let Some((sy, size)) = self.shock {
            if y >= sy {
                p += size;
            }
        }
        p.clamp(0.0, 1.0)
    }
}

/// The mechanics' parameters, with defaults (see `docs/simulation.md`).
#[derive(Clone, Debug, PartialEq)]
pub struct Mechanics {
    /// Change of a pole's attitude per fully pleasing (or displeasing) choice at salience 1.
    pub reaction: f64,
    /// Salience of a choice to the poles: `salience_base + salience_polarisation · p`.
    pub salience_base: f64,
    pub salience_polarisation: f64,
    /// Yearly pull of each attitude back toward its starting value (memory fades).
    pub relation_drift: f64,
    /// An attitude below `floor` breaks the relationship; it mends above `recover`.
    pub floor: f64,
    pub recover: f64,
    /// Share of trade with a pole lost for good when the relationship breaks.
    pub break_trade_loss: f64,
    /// Extra incident hazard from a pole while the relationship with it is broken.
    pub break_hostility: f64,
    /// Yearly growth of trade with a pole per unit of attitude above 0.5 (shrinks below).
    pub trade_growth: f64,
    /// Each pole's yearly reward (investment, in economic points) shared among the region's
    /// choices that pleased it.
    pub reward_budget: f64,
    /// Economic loss per displeasing choice, per unit of salience and of trade with the pole.
    pub coercion: f64,
    /// Economic gain of joining a trade pact, per unit of trade with the lead pole.
    pub pact_gain: f64,
    /// How far a pact or an arms purchase moves trade or arms shares toward the counterpart.
    pub trade_step: f64,
    pub arms_step: f64,
    /// Yearly incident hazard per disputing pole at polarisation 1 and neutral attitude.
    pub incident_rate: f64,
    /// Factor by which an alliance, a base, or arms from another pole cut a rival's hazard.
    pub alliance_deterrence: f64,
    pub base_deterrence: f64,
    pub arms_deterrence: f64,
    /// Extra hazard from a pole after an incident of its was ignored (per ignored incident).
    pub appeasement: f64,
    /// Attitude drop of a pole met with force (besides its displeasure).
    pub force_escalation: f64,
    /// Economic cost of protesting (nil) and of suffering an incident.
    pub protest_cost: f64,
    pub incident_cost: f64,
    /// Effective number of UN votes behind the running agreement; visits remembered.
    pub un_memory: f64,
    pub visit_memory: f64,
    /// A planning doctrine's offsets: attitude a pole regains per unit of a move's
    /// `relation`, and economic points a unit of a move's `cost` takes.
    pub plan_relation: f64,
    pub plan_cost: f64,
}

impl Default for Mechanics {
    fn default() -> Self {
        Mechanics {
            reaction: 0.03,
            salience_base: 0.5,
            salience_polarisation: 1.0,
            relation_drift: 0.1,
            floor: 0.2,
            recover: 0.35,
            break_trade_loss: 0.5,
            break_hostility: 0.5,
            trade_growth: 0.06,
            reward_budget: 2.0,
            coercion: 1.0,
            pact_gain: 1.0,
            trade_step: 0.05,
            arms_step: 0.15,
            incident_rate: 0.8,
            alliance_deterrence: 0.5,
            base_deterrence: 0.5,
            arms_deterrence: 0.2,
            appeasement: 0.3,
            force_escalation: 0.15,
            protest_cost: 0.0,
            incident_cost: 0.5,
            un_memory: 60.0,
            visit_memory: 3.0,
            plan_relation: 0.25,
            plan_cost: 0.05,
        }
    }
}

/// One middle state's starting position. Arrays are indexed like the world's poles.
#[derive(Clone, Debug, PartialEq)]
pub struct StateSpec {
    pub iso3: Iso3,
    pub doctrine: String,
    pub subject: bool,
    pub disputes: [bool; MAX_POLES],
    pub relations: [f64; MAX_POLES],
    pub un: [f64; MAX_POLES],
    /// 0 = none, else `Tier as usize + 1` (comprehensive 1, strategic 2, CSP 3) — see [`tier_level`].
    pub tier: [u8; MAX_POLES],
    pub trade: [f64; MAX_POLES],
    pub arms: [f64; MAX_POLES],
    pub sources: Vec<String>,
}

/// The level of a tier: comprehensive 1, strategic 2, comprehensive strategic 3.
pub fn tier_level(t: Tier) -> u8 {
    match t {
        Tier::Comprehensive => 1,
        Tier::Strategic => 2,
        Tier::ComprehensiveStrategic => 3,
    }
}

/// The tier of a level (1..=3).
pub fn level_tier(l: u8) -> Option<Tier> {
    match l {
        1 => Some(Tier::Comprehensive),
        2 => Some(Tier::Strategic),
        3 => Some(Tier::ComprehensiveStrategic),
        _ => None,
    }
}

/// A validated world.
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    pub name: String,
    pub description: String,
    pub poles: Vec<Iso3>,
    pub start_year: i32,
    pub compare: Vec<String>,
    pub yardstick: String,
    pub scenario: Scenario,
    pub mechanics: Mechanics,
    pub states: Vec<StateSpec>,
    /// Index of the subject in `states`.
    pub subject: usize,
    pub sources: Vec<String>,
}

/// The yearly volatility of polarisation: 0..0.5, checked the same way in a world file and
/// in a sweep (a sweep once clamped 0.6 to 0.5 and labelled the row 0.6).
fn volatility(field: &str, x: f64) -> Result<f64, WorldError> {
    let v = nonneg(field, x)?;
    if v > 0.5 {
        return Err(err(
            field,
            format!("{v} is larger than 0.5; polarisation lives in 0..1"),
        ));
    }
    Ok(v)
}

fn unit(field: &str, x: f64) -> Result<f64, WorldError> {
    if x.is_finite() && (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(err(field, format!("{x} is outside 0..1")))
    }
}

/// The largest value of any mechanics parameter (docs/simulation.md): far beyond any
/// sensible setting, small enough that no sum or product of them overflows.
pub const MAX_PARAMETER: f64 = 1000.0;

fn nonneg(field: &str, x: f64) -> Result<f64, WorldError> {
    if x.is_finite() && (0.0..=MAX_PARAMETER).contains(&x) {
        Ok(x)
    } else {
        Err(err(
            field,
            format!("{x} is not allowed: a number from 0 to {MAX_PARAMETER}"),
        ))
    }
}

impl World {
    /// Validates a world file's contents.
    pub fn new(input: WorldInput) -> Result<World, WorldError> {
        let h = input.world;
        if !(1..=9999).contains(&h.start_year) {
            return Err(err(
                "world.start_year",
                format!("{} is not a year from 1 to 9999", h.start_year),
            ));
        }
        if h.poles.len() < 2 || h.poles.len() > MAX_POLES {
            return Err(err(
                "world.poles",
                format!("needs 2 to {MAX_POLES} poles, found {}", h.poles.len()),
            ));
        }
        let mut poles = Vec::new();
        for (i, p) in h.poles.iter().enumerate() {
            let c = Iso3::parse(p).map_err(|e| err(format!("world.poles[{i}]"), e.to_string()))?;
            if poles.contains(&c) {
                return Err(err(
                    format!("world.poles[{i}]"),
                    format!("{c} is listed twice"),
                ));
            }
            poles.push(c);
        }
        let pole_index = |field: &str, s: &str| -> Result<usize, WorldError> {
            let c = Iso3::parse(s).map_err(|e| err(field, e.to_string()))?;
            poles.iter().position(|p| *p == c).ok_or_else(|| {
                err(
                    field,
                    format!(
                        "{c} is not a pole of this world (poles: {})",
                        poles
                            .iter()
                            .map(|p| p.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
        };
        let s = input.scenario;
        let scenario = Scenario {
            polarisation_start: unit("scenario.polarisation_start", s.polarisation_start)?,
            polarisation_end: unit("scenario.polarisation_end", s.polarisation_end)?,
            volatility: volatility("scenario.volatility", s.volatility)?,
            events_per_year: {
                let e = nonneg("scenario.events_per_year", s.events_per_year)?;
                if !(0.5..=100.0).contains(&e) {
                    return Err(err(
                        "scenario.events_per_year",
                        format!("{e} is outside 0.5..100"),
                    ));
                }
                e
            },
            shock: match s.shock_year {
                Some(y) => {
                    if !(s.shock_size.is_finite() && (-1.0..=1.0).contains(&s.shock_size)) {
                        return Err(err(
                            "scenario.shock_size",
                            format!("{} is outside -1..1", s.shock_size),
                        ));
                    }
                    Some((y, s.shock_size))
                }
                None => None,
            },
        };
        let mechanics = mechanics(input.mechanics)?;
        if input.states.is_empty() {
            return Err(err("state", "a world needs at least one [[state]]"));
        }
        if input.states.len() > MAX_STATES {
            return Err(err(
                "state",
                format!("at most {MAX_STATES} states, found {}", input.states.len()),
            ));
        }
        let mut states = Vec::new();
        for (k, st) in input.states.into_iter().enumerate() {
            let f = |name: &str| format!("state[{k}].{name}");
            let iso3 = Iso3::parse(&st.iso3).map_err(|e| err(f("iso3"), e.to_string()))?;
            if poles.contains(&iso3) {
                return Err(err(
                    f("iso3"),
                    format!("{iso3} is a pole; middle states must not be poles"),
                ));
            }
            if states.iter().any(|s: &StateSpec| s.iso3 == iso3) {
                return Err(err(f("iso3"), format!("{iso3} is listed twice")));
            }
            if st.doctrine.trim().is_empty() {
                return Err(err(f("doctrine"), "names no doctrine"));
            }
            let n = poles.len();
            let per_pole = |name: &str,
                            m: &BTreeMap<String, f64>,
                            check: fn(&str, f64) -> Result<f64, WorldError>|
             -> Result<[f64; MAX_POLES], WorldError> {
                let mut out = [0.0; MAX_POLES];
                let mut seen = [false; MAX_POLES];
                for (code, &v) in m {
                    let i = pole_index(&format!("{}.{code}", f(name)), code)?;
                    out[i] = check(&format!("{}.{code}", f(name)), v)?;
                    seen[i] = true;
                }
                if let Some(i) = (0..n).find(|&i| !seen[i]) {
                    return Err(err(
                        f(name),
                        format!("gives no value for the pole {}", poles[i]),
                    ));
                }
                Ok(out)
            };
            let relations = per_pole("relations", &st.relations, unit)?;
            let un = per_pole("un", &st.un, unit)?;
            let trade = per_pole("trade", &st.trade, unit)?;
            let arms = per_pole("arms", &st.arms, unit)?;
            for (name, v) in [("trade", &trade), ("arms", &arms)] {
                let total: f64 = v.iter().sum();
                if total > 1.0 + 1e-9 {
                    return Err(err(
                        f(name),
                        format!("shares add up to {total:.3}, more than 1"),
                    ));
                }
            }
            let mut tier = [0u8; MAX_POLES];
            for (code, t) in &st.tier {
                let i = pole_index(&format!("{}.{code}", f("tier")), code)?;
                tier[i] = match t.as_str() {
                    "none" => 0,
                    other => tier_level(Tier::parse(other).ok_or_else(|| {
                        err(
                            format!("{}.{code}", f("tier")),
                            format!("unknown tier `{other}`; allowed: none, comprehensive, strategic, comprehensive_strategic"),
                        )
                    })?),
                };
            }
            let mut disputes = [false; MAX_POLES];
            for (j, d) in st.disputes.iter().enumerate() {
                disputes[pole_index(&format!("{}[{j}]", f("disputes")), d)?] = true;
            }
            if st.sources.is_empty() {
                return Err(err(
                    f("sources"),
                    "every state's starting numbers need a source",
                ));
            }
            states.push(StateSpec {
                iso3,
                doctrine: st.doctrine,
                subject: st.subject,
                disputes,
                relations,
                un,
                tier,
                trade,
                arms,
                sources: st.sources,
            });
        }
        let subjects: Vec<usize> = states
            .iter()
            .enumerate()
            .filter(|(_, s)| s.subject)
            .map(|(i, _)| i)
            .collect();
        if subjects.len() != 1 {
            return Err(err(
                "state.subject",
                format!(
                    "exactly one state must have subject = true, found {}",
                    subjects.len()
                ),
            ));
        }
        if h.yardstick.trim().is_empty() {
            return Err(err("world.yardstick", "names no doctrine"));
        }
        Ok(World {
            name: h.name,
            description: h.description,
            poles,
            start_year: h.start_year,
            compare: h.compare,
            yardstick: h.yardstick,
            scenario,
            mechanics,
            subject: subjects[0],
            states,
            sources: h.sources,
        })
    }

    /// The subject state.
    pub fn subject(&self) -> &StateSpec {
        &self.states[self.subject]
    }

    /// Applies `key=value` to a world parameter, for sweeps: `polarisation_start`,
    /// `polarisation_end`, `polarisation` (both), `volatility`, `events_per_year`,
    /// `shock_size`, or any mechanics parameter by name.
    pub fn set(&mut self, key: &str, value: f64) -> Result<(), WorldError> {
        let field = format!("--sweep {key}");
        match key {
            "polarisation" => {
                self.scenario.polarisation_start = unit(&field, value)?;
                self.scenario.polarisation_end = value;
            }
            "polarisation_start" => self.scenario.polarisation_start = unit(&field, value)?,
            "polarisation_end" => self.scenario.polarisation_end = unit(&field, value)?,
            "volatility" => self.scenario.volatility = volatility(&field, value)?,
            "events_per_year" => {
                if !(0.5..=100.0).contains(&value) {
                    return Err(err(field, format!("{value} is outside 0.5..100")));
                }
                self.scenario.events_per_year = value;
            }
            "shock_size" => {
                if !(value.is_finite() && (-1.0..=1.0).contains(&value)) {
                    return Err(err(field, format!("{value} is outside -1..1")));
                }
                let y = self.scenario.shock.map_or(0, |s| s.0);
                self.scenario.shock = Some((y, value));
            }
            _ => {
                let m = &mut self.mechanics;
                let slot: &mut f64 = match key {
                    "reaction" => &mut m.reaction,
                    "salience_base" => &mut m.salience_base,
                    "salience_polarisation" => &mut m.salience_polarisation,
                    "relation_drift" => &mut m.relation_drift,
                    "floor" => &mut m.floor,
                    "recover" => &mut m.recover,
                    "break_trade_loss" => &mut m.break_trade_loss,
                    "break_hostility" => &mut m.break_hostility,
                    "trade_growth" => &mut m.trade_growth,
                    "reward_budget" => &mut m.reward_budget,
                    "coercion" => &mut m.coercion,
                    "pact_gain" => &mut m.pact_gain,
                    "trade_step" => &mut m.trade_step,
                    "arms_step" => &mut m.arms_step,
                    "incident_rate" => &mut m.incident_rate,
                    "alliance_deterrence" => &mut m.alliance_deterrence,
                    "base_deterrence" => &mut m.base_deterrence,
                    "arms_deterrence" => &mut m.arms_deterrence,
                    "appeasement" => &mut m.appeasement,
                    "force_escalation" => &mut m.force_escalation,
                    "protest_cost" => &mut m.protest_cost,
                    "incident_cost" => &mut m.incident_cost,
                    "un_memory" => &mut m.un_memory,
                    "visit_memory" => &mut m.visit_memory,
                    "plan_relation" => &mut m.plan_relation,
                    "plan_cost" => &mut m.plan_cost,
                    _ => {
                        return Err(err(
                            field,
                            format!("unknown parameter; allowed: polarisation, polarisation_start, polarisation_end, volatility, events_per_year, shock_size, or a mechanics parameter ({})", MECHANICS_KEYS.join(", ")),
                        ))
                    }
                };
                *slot = nonneg(&field, value)?;
                validate_mechanics(m).map_err(|e| err(field, e.message))?;
            }
        }
        Ok(())
    }
}

/// Names of the mechanics parameters, as in world files and `--sweep`.
pub const MECHANICS_KEYS: [&str; 26] = [
    "reaction",
    "salience_base",
    "salience_polarisation",
    "relation_drift",
    "floor",
    "recover",
    "break_trade_loss",
    "break_hostility",
    "trade_growth",
    "reward_budget",
    "coercion",
    "pact_gain",
    "trade_step",
    "arms_step",
    "incident_rate",
    "alliance_deterrence",
    "base_deterrence",
    "arms_deterrence",
    "appeasement",
    "force_escalation",
    "protest_cost",
    "incident_cost",
    "un_memory",
    "visit_memory",
    "plan_relation",
    "plan_cost",
];

fn mechanics(m: MechanicsInput) -> Result<Mechanics, WorldError> {
    let d = Mechanics::default();
    let pick = |name: &str, v: Option<f64>, dv: f64| -> Result<f64, WorldError> {
        match v {
            Some(x) => nonneg(&format!("mechanics.{name}"), x),
            None => Ok(dv),
        }
    };
    let out = Mechanics {
        reaction: pick("reaction", m.reaction, d.reaction)?,
        salience_base: pick("salience_base", m.salience_base, d.salience_base)?,
        salience_polarisation: pick(
            "salience_polarisation",
            m.salience_polarisation,
            d.salience_polarisation,
        )?,
        relation_drift: pick("relation_drift", m.relation_drift, d.relation_drift)?,
        floor: pick("floor", m.floor, d.floor)?,
        recover: pick("recover", m.recover, d.recover)?,
        break_trade_loss: pick("break_trade_loss", m.break_trade_loss, d.break_trade_loss)?,
        break_hostility: pick("break_hostility", m.break_hostility, d.break_hostility)?,
        trade_growth: pick("trade_growth", m.trade_growth, d.trade_growth)?,
        reward_budget: pick("reward_budget", m.reward_budget, d.reward_budget)?,
        coercion: pick("coercion", m.coercion, d.coercion)?,
        pact_gain: pick("pact_gain", m.pact_gain, d.pact_gain)?,
        trade_step: pick("trade_step", m.trade_step, d.trade_step)?,
        arms_step: pick("arms_step", m.arms_step, d.arms_step)?,
        incident_rate: pick("incident_rate", m.incident_rate, d.incident_rate)?,
        alliance_deterrence: pick(
            "alliance_deterrence",
            m.alliance_deterrence,
            d.alliance_deterrence,
        )?,
        base_deterrence: pick("base_deterrence", m.base_deterrence, d.base_deterrence)?,
        arms_deterrence: pick("arms_deterrence", m.arms_deterrence, d.arms_deterrence)?,
        appeasement: pick("appeasement", m.appeasement, d.appeasement)?,
        force_escalation: pick("force_escalation", m.force_escalation, d.force_escalation)?,
        protest_cost: pick("protest_cost", m.protest_cost, d.protest_cost)?,
        incident_cost: pick("incident_cost", m.incident_cost, d.incident_cost)?,
        un_memory: pick("un_memory", m.un_memory, d.un_memory)?,
        visit_memory: pick("visit_memory", m.visit_memory, d.visit_memory)?,
        plan_relation: pick("plan_relation", m.plan_relation, d.plan_relation)?,
        plan_cost: pick("plan_cost", m.plan_cost, d.plan_cost)?,
    };
    validate_mechanics(&out)?;
    Ok(out)
}

fn validate_mechanics(m: &Mechanics) -> Result<(), WorldError> {
    for (name, v) in [
        ("floor", m.floor),
        ("recover", m.recover),
        ("relation_drift", m.relation_drift),
        ("break_trade_loss", m.break_trade_loss),
        ("trade_step", m.trade_step),
        ("arms_step", m.arms_step),
        ("alliance_deterrence", m.alliance_deterrence),
        ("base_deterrence", m.base_deterrence),
        ("arms_deterrence", m.arms_deterrence),
    ] {
        unit(&format!("mechanics.{name}"), v)?;
    }
    if m.recover < m.floor {
        return Err(err(
            "mechanics.recover",
            format!(
                "{} is below floor {}: a broken relationship could never mend above its floor",
                m.recover, m.floor
            ),
        ));
    }
    if m.un_memory < 1.0 || m.visit_memory < 1.0 {
        return Err(err("mechanics.un_memory", "memories must be at least 1"));
    }
    Ok(())
}
