//! The world's parameters, written once: every number of a world's `[scenario]` and
//! `[mechanics]` that can be set after reading (by a sweep, a design's point or an API
//! request), each with its name, meaning, allowed range, default, and how to read and set
//! it on a [`World`]. The mechanics' struct, its TOML form and its defaults are generated
//! from the same lines by the `mechanics!` macro, so the reader's keys, `--sweep`, sweep
//! designs, the API and the dashboard all take these names and refuse values outside these
//! ranges with the same message ([`Param::check`]).

use crate::world::{World, WorldError};

/// Where a parameter lives in a world file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    /// `[scenario]`: the rivalry over time.
    Scenario,
    /// `[mechanics]`: how the poles and the states react.
    Mechanics,
}

/// One settable parameter of a world.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// Its key, in a world file and everywhere else (`--sweep`, designs, the API).
    pub name: &'static str,
    /// What it means.
    pub doc: &'static str,
    /// Where it lives in a world file.
    pub section: Section,
    /// The allowed range's lower end, included.
    pub min: f64,
    /// The allowed range's upper end, included.
    pub max: f64,
    /// Its value when a world file leaves it out; `None`: every world file gives it.
    pub default: Option<f64>,
    get: fn(&World) -> f64,
    put: fn(&mut World, f64),
}

impl Param {
    /// The value in a world.
    pub fn get(&self, w: &World) -> f64 {
        (self.get)(w)
    }

    /// `x` if it is a finite number in the range; else the error, under `field`.
    pub fn check(&self, field: &str, x: f64) -> Result<f64, WorldError> {
        if x.is_finite() && (self.min..=self.max).contains(&x) {
            Ok(x)
        } else {
            Err(WorldError {
                field: field.to_string(),
                message: format!("{x} is outside {}..{}", self.min, self.max),
            })
        }
    }

    /// Sets the value without any check (see [`World::set`]).
    pub(crate) fn put(&self, w: &mut World, x: f64) {
        (self.put)(w, x)
    }
}

/// The largest value of any mechanics parameter (docs/simulation.md): far beyond any
/// sensible setting, small enough that no sum or product of them overflows.
pub const MAX_PARAMETER: f64 = 1000.0;

/// Generates [`Mechanics`], its TOML form [`MechanicsInput`], their defaults and the
/// mechanics' entries of [`PARAMETERS`] from one line per parameter:
/// `name = default, min..=max, "meaning";`.
macro_rules! mechanics {
    ($( $name:ident = $default:literal, $min:literal ..= $max:literal, $doc:literal; )+) => {
        /// The mechanics' parameters (see `docs/simulation.md`); generated with their
        /// defaults and ranges from the table in `params.rs`.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Mechanics {
            $( #[doc = $doc] pub $name: f64, )+
        }

        impl Default for Mechanics {
            fn default() -> Self {
                Mechanics { $( $name: $default, )+ }
            }
        }

        /// `[mechanics]` as written: every key optional, unknown keys refused.
        #[derive(Clone, Debug, Default, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct MechanicsInput {
            $( #[doc = $doc] pub $name: Option<f64>, )+
        }

        impl Mechanics {
            /// Sets the parameter `name` (no check; false: no such mechanics parameter).
            pub(crate) fn put(&mut self, name: &str, x: f64) -> bool {
                match name {
                    $( stringify!($name) => self.$name = x, )+
                    _ => return false,
                }
                true
            }
        }

        impl MechanicsInput {
            /// The keys given, by name.
            pub fn given(&self) -> Vec<(&'static str, f64)> {
                let mut out = Vec::new();
                $( if let Some(x) = self.$name { out.push((stringify!($name), x)); } )+
                out
            }
        }

        const MECHANICS: &[Param] = &[
            $( Param {
                name: stringify!($name),
                doc: $doc,
                section: Section::Mechanics,
                min: $min,
                max: $max,
                default: Some($default),
                get: |w| w.mechanics.$name,
                put: |w, x| w.mechanics.$name = x,
            }, )+
        ];
    };
}

mechanics! {
    reaction = 0.03, 0.0..=1000.0, "Change of a pole's attitude per fully pleasing (or displeasing) choice at salience 1.";
    salience_base = 0.5, 0.0..=1000.0, "Salience of a choice to the poles at polarisation 0: salience = salience_base + salience_polarisation · p.";
    salience_polarisation = 1.0, 0.0..=1000.0, "Added salience of a choice per unit of polarisation.";
    relation_drift = 0.1, 0.0..=1.0, "Yearly pull of each attitude back toward its starting value (memory fades).";
    floor = 0.2, 0.0..=1.0, "An attitude below it breaks the relationship.";
    recover = 0.35, 0.0..=1.0, "A broken relationship mends above it (at least floor).";
    break_trade_loss = 0.5, 0.0..=1.0, "Share of trade with a pole lost for good when the relationship breaks.";
    break_hostility = 0.5, 0.0..=1000.0, "Extra incident hazard from a pole while the relationship with it is broken.";
    trade_growth = 0.06, 0.0..=1000.0, "Yearly growth of trade with a pole per unit of attitude above 0.5 (shrinks below).";
    reward_budget = 2.0, 0.0..=1000.0, "Each pole's yearly reward (investment, in economic points) shared among the region's choices that pleased it.";
    coercion = 1.0, 0.0..=1000.0, "Economic loss per displeasing choice, per unit of salience and of trade with the pole.";
    pact_gain = 1.0, 0.0..=1000.0, "Economic gain of joining a trade pact, per unit of trade with the lead pole.";
    trade_step = 0.05, 0.0..=1.0, "How far a pact (or sanctions) moves trade shares toward the counterpart.";
    arms_step = 0.15, 0.0..=1.0, "How far an arms purchase moves arms shares toward the seller.";
    incident_rate = 0.8, 0.0..=1000.0, "Yearly incident hazard per disputing pole at polarisation 1 and neutral attitude.";
    alliance_deterrence = 0.5, 0.0..=1.0, "Factor by which an alliance with another pole cuts a rival's incident hazard.";
    base_deterrence = 0.5, 0.0..=1.0, "Factor by which hosting another pole's base cuts a rival's incident hazard.";
    arms_deterrence = 0.2, 0.0..=1.0, "Hazard cut per unit of arms share from other poles.";
    appeasement = 0.3, 0.0..=1000.0, "Extra hazard from a pole after an incident of its was ignored (per ignored incident).";
    force_escalation = 0.15, 0.0..=1000.0, "Attitude drop of a pole met with force (besides its displeasure).";
    protest_cost = 0.0, 0.0..=1000.0, "Economic cost of protesting an incident.";
    incident_cost = 0.5, 0.0..=1000.0, "Economic cost of suffering an incident.";
    un_memory = 60.0, 1.0..=1000.0, "Effective number of UN votes behind the running agreement.";
    visit_memory = 3.0, 1.0..=1000.0, "Years over which visits and incidents are remembered.";
    plan_relation = 0.25, 0.0..=1000.0, "A planning doctrine's offsets: attitude a pole regains per unit of a planned move's `relation`.";
    plan_cost = 0.05, 0.0..=1000.0, "Economic points a unit of a planned move's `cost` takes.";
}

const SCENARIO: &[Param] = &[
    Param {
        name: "polarisation",
        doc: "Polarisation (rivalry between the poles) in the first and the last year alike: sets polarisation_start and polarisation_end.",
        section: Section::Scenario,
        min: 0.0,
        max: 1.0,
        default: None,
        get: |w| w.scenario.polarisation_start,
        put: |w, x| {
            w.scenario.polarisation_start = x;
            w.scenario.polarisation_end = x;
        },
    },
    Param {
        name: "polarisation_start",
        doc: "Polarisation (rivalry between the poles, 0..1) in the first year.",
        section: Section::Scenario,
        min: 0.0,
        max: 1.0,
        default: None,
        get: |w| w.scenario.polarisation_start,
        put: |w, x| w.scenario.polarisation_start = x,
    },
    Param {
        name: "polarisation_end",
        doc: "Polarisation in the last year; it moves linearly in between.",
        section: Section::Scenario,
        min: 0.0,
        max: 1.0,
        default: None,
        get: |w| w.scenario.polarisation_end,
        put: |w, x| w.scenario.polarisation_end = x,
    },
    Param {
        name: "volatility",
        doc: "Standard deviation of the yearly noise on polarisation (polarisation lives in 0..1).",
        section: Section::Scenario,
        min: 0.0,
        max: 0.5,
        default: Some(0.0),
        get: |w| w.scenario.volatility,
        put: |w, x| w.scenario.volatility = x,
    },
    Param {
        name: "events_per_year",
        doc: "Expected situations per middle state and year (incidents come on top).",
        section: Section::Scenario,
        min: 0.5,
        max: 100.0,
        default: None,
        get: |w| w.scenario.events_per_year,
        put: |w, x| w.scenario.events_per_year = x,
    },
    Param {
        name: "shock_size",
        doc: "A shock: in shock_year (0-based; year 0 when only the size is set) polarisation jumps by this much.",
        section: Section::Scenario,
        min: -1.0,
        max: 1.0,
        default: Some(0.0),
        get: |w| w.scenario.shock.map_or(0.0, |s| s.1),
        put: |w, x| {
            let y = w.scenario.shock.map_or(0, |s| s.0);
            w.scenario.shock = Some((y, x));
        },
    },
];

/// Every settable parameter: the scenario's, then the mechanics'.
pub fn parameters() -> impl Iterator<Item = &'static Param> {
    SCENARIO.iter().chain(MECHANICS)
}

/// A parameter by name.
pub fn param(name: &str) -> Option<&'static Param> {
    parameters().find(|p| p.name == name)
}

/// The names of every parameter, in order.
pub fn names() -> Vec<&'static str> {
    parameters().map(|p| p.name).collect()
}

/// The error for a name that is no parameter, listing what is allowed.
pub fn unknown(field: &str) -> WorldError {
    WorldError {
        field: field.to_string(),
        message: format!("unknown parameter; allowed: {}", names().join(", ")),
    }
}

/// The mechanics' parameters, in order.
pub fn mechanics() -> &'static [Param] {
    MECHANICS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_defaults_in_range() {
        let n = names();
        for (i, a) in n.iter().enumerate() {
            assert!(!n[..i].contains(a), "{a} twice");
        }
        for p in parameters() {
            assert!(p.min <= p.max, "{}", p.name);
            if let Some(d) = p.default {
                assert!(p.check(p.name, d).is_ok(), "{}'s default {d}", p.name);
            }
            assert!(p.max <= MAX_PARAMETER, "{}", p.name);
        }
        let d = Mechanics::default();
        assert_eq!(mechanics().len(), 26);
        assert_eq!(
            param("incident_rate").unwrap().default,
            Some(d.incident_rate)
        );
    }

    #[test]
    fn the_check_names_the_range() {
        let v = param("volatility").unwrap();
        assert_eq!(v.check("x", 0.5), Ok(0.5));
        let e = v.check("--sweep volatility", 0.6).unwrap_err();
        assert_eq!(e.to_string(), "--sweep volatility: 0.6 is outside 0..0.5");
        assert!(v.check("x", f64::NAN).is_err());
        assert!(param("un_memory").unwrap().check("x", 0.5).is_err());
        assert!(unknown("gravity").message.contains("incident_rate"));
    }
}
