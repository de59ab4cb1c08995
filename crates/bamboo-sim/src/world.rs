//! The world a simulation runs in: the poles, the middle states with their doctrines and
//! starting positions, the scenario of rivalry over time, and the mechanics' parameters.
//! `WorldInput` is the TOML form (documented in `docs/simulation.md`); [`World::new`]
//! validates it into plain numbers, with errors that name the field. The settable numbers
//! (scenario and mechanics) are defined once, with their ranges, in [`crate::params`].

use std::collections::BTreeMap;

use bamboo_core::case::Tier;
use bamboo_core::doctrine::MAX_POLES;
use bamboo_core::Iso3;

use crate::params::param;
pub use crate::params::{Mechanics, MechanicsInput, MAX_PARAMETER};

/// The most middle states a world may hold.
pub const MAX_STATES: usize = 32;

/// A world file, as written.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldInput {
    /// `[world]`: the name, the poles, the start year, the doctrines compared.
    pub world: HeaderInput,
    /// `[scenario]`: polarisation over time and the rate of situations.
    pub scenario: ScenarioInput,
    /// `[mechanics]`: the parameters of reactions and consequences; a key not given keeps
    /// its default.
    #[serde(default)]
    pub mechanics: MechanicsInput,
    /// The `[[state]]` tables: the middle states, in the file's order.
    #[serde(rename = "state", default)]
    pub states: Vec<StateInput>,
}

/// The `[world]` table, as written.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderInput {
    /// The world's name, shown in reports.
    pub name: String,
    /// What the world represents, one paragraph (may be empty).
    #[serde(default)]
    pub description: String,
    /// The great powers, as ISO3 codes: 2 to `MAX_POLES`, each once. Every doctrine used in
    /// the world must name the same poles in the same order.
    pub poles: Vec<String>,
    /// The first simulated year (labels only).
    pub start_year: i32,
    /// The doctrine compared by default, and the subject's doctrine names.
    #[serde(default)]
    pub compare: Vec<String>,
    /// The doctrine whose roots define autonomy and whose lean weights define the lean
    /// outcome, the same yardstick for every doctrine compared.
    pub yardstick: String,
    /// Where the world's numbers come from (citations, free text).
    #[serde(default)]
    pub sources: Vec<String>,
}

/// The `[scenario]` table, as written; ranges are those of [`crate::params`].
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
    /// The jump in polarisation from `shock_year` on, -1..1 (0 when not given).
    #[serde(default)]
    pub shock_size: f64,
}

/// One `[[state]]` table, as written: a middle state and its starting position.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateInput {
    /// The state's ISO3 code; not a pole, and each state once.
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
    /// Where: the dotted path of the field (`state[2].trade.CHN`, `scenario.volatility`), or a
    /// parameter's name when it was set by name ([`World::set`]).
    pub field: String,
    /// What is wrong and, where there is one, what is allowed.
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
    /// Polarisation (rivalry between the poles, 0..1) in the first year.
    pub polarisation_start: f64,
    /// Polarisation in the last year, 0..1; [`Scenario::planned`] moves linearly in between.
    pub polarisation_end: f64,
    /// Standard deviation of the yearly noise on polarisation, 0..0.5.
    pub volatility: f64,
    /// Expected situations per middle state and year, 0.5..100 (incidents come on top).
    pub events_per_year: f64,
    /// The shock: from this year (0-based) on, polarisation is higher by this much (-1..1).
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

/// One middle state's starting position. Arrays are indexed like the world's poles.
#[derive(Clone, Debug, PartialEq)]
pub struct StateSpec {
    /// The state (never a pole).
    pub iso3: Iso3,
    /// The name of the doctrine it follows; for the subject, the default one, replaced by
    /// each compared doctrine in turn.
    pub doctrine: String,
    /// Whether this is the subject, the state whose doctrines are compared.
    pub subject: bool,
    /// Per pole, whether the state has a sovereignty dispute with it (the source of
    /// incidents).
    pub disputes: [bool; MAX_POLES],
    /// Per pole, its starting attitude toward the state, 0..1.
    pub relations: [f64; MAX_POLES],
    /// Per pole, the starting UN agreement with it, 0..1.
    pub un: [f64; MAX_POLES],
    /// Per pole, the starting partnership tier: 0 = none, else `Tier as usize + 1`
    /// (comprehensive 1, strategic 2, CSP 3) — see [`tier_level`].
    pub tier: [u8; MAX_POLES],
    /// Per pole, the starting share of the state's trade, 0..1 (summing to at most 1).
    pub trade: [f64; MAX_POLES],
    /// Per pole, the starting share of the state's arms imports, 0..1 (summing to at most 1).
    pub arms: [f64; MAX_POLES],
    /// Where the starting numbers come from (at least one).
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
    /// The world's name, shown in reports.
    pub name: String,
    /// What the world represents (may be empty).
    pub description: String,
    /// The great powers, 2 to `MAX_POLES`, distinct; every per-pole array is indexed in
    /// this order.
    pub poles: Vec<Iso3>,
    /// The calendar year of simulated year 0 (1..=9999; labels only).
    pub start_year: i32,
    /// The doctrines compared for the subject when none are named.
    pub compare: Vec<String>,
    /// The doctrine whose roots define autonomy and whose lean weights define the lean
    /// outcome, for every doctrine compared.
    pub yardstick: String,
    /// Polarisation over time and the rate of situations.
    pub scenario: Scenario,
    /// The parameters of reactions and consequences, each in its range.
    pub mechanics: Mechanics,
    /// The middle states, 1 to [`MAX_STATES`], distinct, in the file's order.
    pub states: Vec<StateSpec>,
    /// Index of the subject in `states`.
    pub subject: usize,
    /// Where the world's numbers come from.
    pub sources: Vec<String>,
}

/// A share or an attitude: a finite number from 0 to 1.
fn unit(field: &str, x: f64) -> Result<f64, WorldError> {
    if x.is_finite() && (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(err(field, format!("{x} is outside 0..1")))
    }
}

/// A parameter of the table, checked under `section.name`.
fn checked(section: &str, name: &str, x: f64) -> Result<f64, WorldError> {
    let p = param(name).expect("scenario() names only parameters of the table");
    p.check(&format!("{section}.{name}"), x)
}

/// `[world]`: the start year and the poles, each a state once.
fn poles(h: &HeaderInput) -> Result<Vec<Iso3>, WorldError> {
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
    Ok(poles)
}

/// `[scenario]`, every number checked against its parameter's range.
fn scenario(s: &ScenarioInput) -> Result<Scenario, WorldError> {
    let c = |name: &str, x: f64| checked("scenario", name, x);
    Ok(Scenario {
        polarisation_start: c("polarisation_start", s.polarisation_start)?,
        polarisation_end: c("polarisation_end", s.polarisation_end)?,
        volatility: c("volatility", s.volatility)?,
        events_per_year: c("events_per_year", s.events_per_year)?,
        shock: match s.shock_year {
            Some(y) => Some((y, c("shock_size", s.shock_size)?)),
            None => None,
        },
    })
}

/// `[mechanics]`: the defaults, with every key given checked against its range, then the
/// checks between parameters.
fn mechanics(m: &MechanicsInput) -> Result<Mechanics, WorldError> {
    let mut w = Mechanics::default();
    for (name, x) in m.given() {
        let p = param(name).expect("given() yields the table's mechanics names");
        let x = p.check(&format!("mechanics.{name}"), x)?;
        w.put(name, x);
    }
    validate_mechanics(&w)?;
    Ok(w)
}

/// The checks between mechanics parameters (each is in its range already).
fn validate_mechanics(m: &Mechanics) -> Result<(), WorldError> {
    if m.recover < m.floor {
        return Err(err(
            "mechanics.recover",
            format!(
                "{} is below floor {}: a broken relationship could never mend above its floor",
                m.recover, m.floor
            ),
        ));
    }
    Ok(())
}

/// The poles of a world, to find a pole named in a state's tables.
struct Poles<'a>(&'a [Iso3]);

impl Poles<'_> {
    fn index(&self, field: &str, s: &str) -> Result<usize, WorldError> {
        let c = Iso3::parse(s).map_err(|e| err(field, e.to_string()))?;
        self.0.iter().position(|p| *p == c).ok_or_else(|| {
            err(
                field,
                format!(
                    "{c} is not a pole of this world (poles: {})",
                    self.0
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    }

    /// A number per pole, every pole given one, each checked as a share (0..1).
    fn shares(
        &self,
        field: &str,
        m: &BTreeMap<String, f64>,
    ) -> Result<[f64; MAX_POLES], WorldError> {
        let mut out = [0.0; MAX_POLES];
        let mut seen = [false; MAX_POLES];
        for (code, &v) in m {
            let at = format!("{field}.{code}");
            let i = self.index(&at, code)?;
            out[i] = unit(&at, v)?;
            seen[i] = true;
        }
        if let Some(i) = (0..self.0.len()).find(|&i| !seen[i]) {
            return Err(err(
                field,
                format!("gives no value for the pole {}", self.0[i]),
            ));
        }
        Ok(out)
    }

    /// The starting tier with each pole (0 where none is given).
    fn tiers(
        &self,
        field: &str,
        m: &BTreeMap<String, String>,
    ) -> Result<[u8; MAX_POLES], WorldError> {
        let mut tier = [0u8; MAX_POLES];
        for (code, t) in m {
            let at = format!("{field}.{code}");
            let i = self.index(&at, code)?;
            tier[i] = match t.as_str() {
                "none" => 0,
                other => tier_level(Tier::parse(other).ok_or_else(|| {
                    err(
                        &at,
                        format!("unknown tier `{other}`; allowed: none, comprehensive, strategic, comprehensive_strategic"),
                    )
                })?),
            };
        }
        Ok(tier)
    }
}

/// `[[state]]` number `k`, checked against the poles and the states before it.
fn state(
    k: usize,
    st: StateInput,
    poles: &Poles,
    before: &[StateSpec],
) -> Result<StateSpec, WorldError> {
    let f = |name: &str| format!("state[{k}].{name}");
    let iso3 = Iso3::parse(&st.iso3).map_err(|e| err(f("iso3"), e.to_string()))?;
    if poles.0.contains(&iso3) {
        return Err(err(
            f("iso3"),
            format!("{iso3} is a pole; middle states must not be poles"),
        ));
    }
    if before.iter().any(|s| s.iso3 == iso3) {
        return Err(err(f("iso3"), format!("{iso3} is listed twice")));
    }
    if st.doctrine.trim().is_empty() {
        return Err(err(f("doctrine"), "names no doctrine"));
    }
    let relations = poles.shares(&f("relations"), &st.relations)?;
    let un = poles.shares(&f("un"), &st.un)?;
    let trade = poles.shares(&f("trade"), &st.trade)?;
    let arms = poles.shares(&f("arms"), &st.arms)?;
    for (name, v) in [("trade", &trade), ("arms", &arms)] {
        let total: f64 = v.iter().sum();
        if total > 1.0 + 1e-9 {
            return Err(err(
                f(name),
                format!("shares add up to {total:.3}, more than 1"),
            ));
        }
    }
    let tier = poles.tiers(&f("tier"), &st.tier)?;
    let mut disputes = [false; MAX_POLES];
    for (j, d) in st.disputes.iter().enumerate() {
        disputes[poles.index(&format!("{}[{j}]", f("disputes")), d)?] = true;
    }
    if st.sources.is_empty() {
        return Err(err(
            f("sources"),
            "every state's starting numbers need a source",
        ));
    }
    Ok(StateSpec {
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
    })
}

/// The index of the one state marked `subject = true`.
fn subject(states: &[StateSpec]) -> Result<usize, WorldError> {
    let subjects: Vec<usize> = states
        .iter()
        .enumerate()
        .filter(|(_, s)| s.subject)
        .map(|(i, _)| i)
        .collect();
    match subjects[..] {
        [one] => Ok(one),
        _ => Err(err(
            "state.subject",
            format!(
                "exactly one state must have subject = true, found {}",
                subjects.len()
            ),
        )),
    }
}

impl World {
    /// Validates a world file's contents: the header and poles, the scenario and the
    /// mechanics (every number against its parameter's range, [`crate::params`]), each
    /// state, the subject and the yardstick.
    pub fn new(input: WorldInput) -> Result<World, WorldError> {
        let h = input.world;
        let poles = poles(&h)?;
        let scenario = scenario(&input.scenario)?;
        let mechanics = mechanics(&input.mechanics)?;
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
            let s = state(k, st, &Poles(&poles), &states)?;
            states.push(s);
        }
        let subject = subject(&states)?;
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
            subject,
            states,
            sources: h.sources,
        })
    }

    /// The subject state.
    pub fn subject(&self) -> &StateSpec {
        &self.states[self.subject]
    }

    /// The value of a parameter ([`crate::params`]) in this world.
    pub fn get(&self, key: &str) -> Option<f64> {
        param(key).map(|p| p.get(self))
    }

    /// Sets a parameter of [`crate::params`] by name (a sweep's value, a design's point, an
    /// API request's override), checked exactly as a world file's value is: its range,
    /// then the checks between parameters. The error's field is the parameter's name (the
    /// caller says where it was given: `--sweep volatility`, `parameters.volatility`); on
    /// error the world is unchanged.
    pub fn set(&mut self, key: &str, value: f64) -> Result<(), WorldError> {
        let p = param(key).ok_or_else(|| crate::params::unknown(key))?;
        let x = p.check(key, value)?;
        let before = (self.scenario.clone(), self.mechanics.clone());
        p.put(self, x);
        if let Err(e) = validate_mechanics(&self.mechanics) {
            (self.scenario, self.mechanics) = before;
            return Err(err(key, e.message));
        }
        Ok(())
    }
}
