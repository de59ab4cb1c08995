//! Compiles a validated [`Doctrine`] for the engine's hot path: actors by index (poles
//! first), the roots' clauses flattened into bit masks, and the branches' stances folded
//! into one value per kind and per tag.

use super::model::{Doctrine, PartyCond};
use super::MAX_ACTORS;
use crate::case::FieldError;
use crate::country::Iso3;

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
