//! Compiles a validated [`Doctrine`] for the engine's hot path: actors by index (poles
//! first), the roots' clauses flattened into bit masks, and the branches' stances folded
//! into one value per kind and per tag.

use super::model::{Branches, Doctrine, LeanSpec, PartyCond, Root, Trunk};
use super::{MAX_ACTORS, MAX_POLES, MAX_ROOTS};
use crate::case::{FieldError, Kind, Tag};
use crate::country::Iso3;

/// A party of a case as the hot path sees it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Party {
    /// The case names no such party.
    None,
    /// An actor of the doctrine (index into [`CompiledDoctrine::actors`]).
    Actor(u8),
    /// A state the doctrine does not name.
    Other,
}

/// A clause as masks.
#[derive(Copy, Clone, Debug)]
pub struct CompiledClause {
    /// The clause's kinds, bit `Kind as u16` each ([`Kind::bit`]).
    pub kinds: u16,
    /// The clause's options, bit `Opt as u16` each ([`crate::case::Opt::bit`]).
    pub options: u16,
    /// [`Clause::tags_any`](super::Clause::tags_any) as a [`crate::case::TagSet`]'s bits.
    pub tags_any: u32,
    /// [`Clause::tags_all`](super::Clause::tags_all)'s bits.
    pub tags_all: u32,
    /// [`Clause::tags_none`](super::Clause::tags_none)'s bits.
    pub tags_none: u32,
    /// The condition on the target.
    pub target: PartyCond,
    /// The states the target must be among, bit `i` for actor `i` (0: no condition).
    pub target_in: u64,
    /// The condition on the counterpart.
    pub counterpart: PartyCond,
    /// The states the counterpart must be among, by actor bit (0: no condition).
    pub counterpart_in: u64,
    /// The tiers, bit `Tier as u8` each (0: no condition).
    pub tiers: u8,
    /// [`Clause::against_target`](super::Clause::against_target).
    pub against_target: bool,
    /// [`Clause::sides_in_split`](super::Clause::sides_in_split).
    pub sides_in_split: bool,
    /// 2.0 when the clause has no such condition (every share is below it).
    pub support_below: f64,
}

/// A doctrine compiled for the engine: actors by index, stances folded into one number per
/// kind and per tag, roots as masks. Built once, shared by every decision.
///
/// Its fields hold invariants the hot path relies on (poles first among the actors, one
/// base relation per actor, clause root indices below the number of roots), so they are
/// private: [`CompiledDoctrine::new`] is the only way to build one, and getters read it.
#[derive(Clone, Debug)]
pub struct CompiledDoctrine {
    doctrine: Doctrine,
    /// Poles first (in declared order), then every other named state, sorted.
    actors: Vec<Iso3>,
    n_poles: usize,
    /// Declared base relation of each actor (the default for states named only by roots).
    base_relation: Vec<f64>,
    /// `Σ_i w_i · stance_i` for each kind, indexed by `Kind as usize`.
    kind_value: [f64; Kind::COUNT],
    /// `Σ_i w_i · stance_i` for each tag, indexed by `Tag as usize`.
    tag_value: [f64; Tag::COUNT],
    /// Each root's clauses, flattened: `(root index, clause)`.
    clauses: Vec<(u8, CompiledClause)>,
    root_weight: Vec<f64>,
}

impl CompiledDoctrine {
    /// Compiles a doctrine. A [`Doctrine`] from [`super::validate_doctrine`] always
    /// compiles unless it names more than [`MAX_ACTORS`] states; one built by hand is also
    /// held to the limits the hot path's fixed-size arrays and bit sets need.
    pub fn new(doctrine: Doctrine) -> Result<CompiledDoctrine, FieldError> {
        if doctrine.poles.len() > MAX_POLES {
            return Err(FieldError::new(
                "doctrine.poles",
                format!("at most {MAX_POLES} poles"),
            ));
        }
        if doctrine.roots.len() > MAX_ROOTS {
            return Err(FieldError::new(
                "root",
                format!("at most {MAX_ROOTS} roots"),
            ));
        }
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
        let mut kind_value = [0.0; Kind::COUNT];
        for (k, v) in &b.kinds {
            kind_value[*k as usize] = fold(v);
        }
        let mut tag_value = [0.0; Tag::COUNT];
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

    /// The validated doctrine this was compiled from.
    #[inline]
    pub fn doctrine(&self) -> &Doctrine {
        &self.doctrine
    }

    /// The doctrine's name.
    pub fn name(&self) -> &str {
        &self.doctrine.name
    }

    /// The state the doctrine advises.
    #[inline]
    pub fn subject(&self) -> Iso3 {
        self.doctrine.subject
    }

    /// Whether this doctrine answers for its subject when a request names none.
    pub fn is_default(&self) -> bool {
        self.doctrine.default
    }

    /// The roots, in declared order (bit `r` of a violation set is `roots()[r]`).
    #[inline]
    pub fn roots(&self) -> &[Root] {
        &self.doctrine.roots
    }

    /// The trunk: carrying steps, offsets, moves and planning settings.
    #[inline]
    pub fn trunk(&self) -> &Trunk {
        &self.doctrine.trunk
    }

    /// The branches: interests, stances, relations and weights.
    #[inline]
    pub fn branches(&self) -> &Branches {
        &self.doctrine.branches
    }

    /// How the composite lean is built.
    #[inline]
    pub fn lean_spec(&self) -> &LeanSpec {
        &self.doctrine.lean
    }

    /// The poles, in declared order (the first [`CompiledDoctrine::n_poles`] actors).
    #[inline]
    pub fn poles(&self) -> &[Iso3] {
        &self.actors[..self.n_poles]
    }

    /// Every named state by index: the poles first (declared order), then the others
    /// (sorted).
    #[inline]
    pub fn actors(&self) -> &[Iso3] {
        &self.actors
    }

    /// How many poles lead [`CompiledDoctrine::actors`].
    #[inline]
    pub fn n_poles(&self) -> usize {
        self.n_poles
    }

    /// Each actor's declared base relation (the default relation where none is declared),
    /// indexed like [`CompiledDoctrine::actors`].
    #[inline]
    pub fn base_relation(&self) -> &[f64] {
        &self.base_relation
    }

    /// What a situation of this kind is worth: `Σ_i w_i · stance_i(kind)`.
    #[inline]
    pub fn kind_value(&self, k: Kind) -> f64 {
        self.kind_value[k as usize]
    }

    /// [`CompiledDoctrine::kind_value`] of every kind, indexed by `Kind as usize`.
    #[inline]
    pub fn kind_values(&self) -> &[f64; Kind::COUNT] {
        &self.kind_value
    }

    /// What a tag adds to a situation's worth: `Σ_i w_i · stance_i(tag)`, indexed by
    /// `Tag as usize` (so a tag set's bits index it directly).
    #[inline]
    pub fn tag_values(&self) -> &[f64; Tag::COUNT] {
        &self.tag_value
    }

    /// [`CompiledDoctrine::tag_values`] of one tag.
    #[inline]
    pub fn tag_value(&self, t: Tag) -> f64 {
        self.tag_value[t as usize]
    }

    /// Every root's clauses as masks, flattened in root order: `(root index, clause)`.
    #[inline]
    pub fn clauses(&self) -> &[(u8, CompiledClause)] {
        &self.clauses
    }

    /// Each root's weight (severity), indexed like [`CompiledDoctrine::roots`].
    #[inline]
    pub fn root_weights(&self) -> &[f64] {
        &self.root_weight
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Opt, Tier};
    use crate::doctrine::{validate_doctrine, DoctrineInput};

    fn compiled(text: &str) -> CompiledDoctrine {
        let input: DoctrineInput = toml::from_str(text).unwrap();
        CompiledDoctrine::new(validate_doctrine(&input).unwrap()).unwrap()
    }

    const DOCTRINE: &str = r#"
        [doctrine]
        name = "c"
        subject = "VNM"
        poles = ["USA", "CHN"]

        [[root]]
        id = "a"
        principle = "p"
        weight = 3.0
        [[root.forbid]]
        kind = ["alliance", "basing"]
        option = ["join", "grant"]
        [[root.forbid]]
        kind = ["un_vote"]
        option = ["yes", "no"]
        tags_all = ["sanctions", "trade"]
        target_in = ["RUS", "PRK"]
        support_below = 0.5

        [[root]]
        id = "b"
        principle = "q"
        [[root.forbid]]
        kind = ["partnership"]
        option = ["accept"]
        tier = ["strategic", "comprehensive"]
        counterpart = "not_pole"

        [[trunk.offset]]
        pillar = "people"
        action = "x"
        toward = ["KHM", "VNM"]

        [branches]
        interests = { autonomy = 2.0, economy = 0.5 }
        default_relation = 0.1
        relations = { USA = 0.4, CHN = 0.6, JPN = -0.3 }
        kinds = { alliance = { autonomy = -1.0, economy = 1.0 }, visit = { economy = 0.2 } }
        tags = { trade = { economy = 2.0 }, sovereignty = { autonomy = 1.5, economy = -1.0 } }
    "#;

    fn iso(s: &'static str) -> Iso3 {
        Iso3::from_static(s)
    }

    #[test]
    fn actors_are_the_poles_then_every_other_named_state_sorted_without_the_subject() {
        let d = compiled(DOCTRINE);
        // Relations (JPN), roots (RUS, PRK) and offsets (KHM; VNM is the subject).
        let want = ["USA", "CHN", "JPN", "KHM", "PRK", "RUS"].map(iso);
        assert_eq!(d.actors(), want);
        assert_eq!(d.n_poles(), 2);
        assert_eq!(d.poles(), [iso("USA"), iso("CHN")]);
        assert_eq!(
            d.base_relation(),
            [0.4, 0.6, -0.3, 0.1, 0.1, 0.1],
            "declared, else the default"
        );
        assert_eq!(d.party(None), Party::None);
        assert_eq!(d.party(Some(iso("CHN"))), Party::Actor(1));
        assert_eq!(d.party(Some(iso("RUS"))), Party::Actor(5));
        assert_eq!(d.party(Some(iso("FRA"))), Party::Other);
        assert_eq!(
            d.party(Some(iso("VNM"))),
            Party::Other,
            "the subject is no actor"
        );
    }

    #[test]
    fn stances_fold_into_one_value_per_kind_and_per_tag() {
        let d = compiled(DOCTRINE);
        assert_eq!(d.kind_value(Kind::Alliance), -2.0 + 0.5 * 1.0);
        assert_eq!(d.kind_value(Kind::Visit), 0.5 * 0.2);
        assert_eq!(d.kind_value(Kind::UnVote), 0.0);
        assert_eq!(d.tag_value(Tag::Trade), 0.5 * 2.0);
        assert_eq!(d.tag_value(Tag::Sovereignty), 2.0 * 1.5 - 0.5);
        assert_eq!(
            d.tag_values()[Tag::Sovereignty as usize],
            d.tag_value(Tag::Sovereignty)
        );
        let declared = [Kind::Alliance, Kind::Visit];
        for k in Kind::ALL.into_iter().filter(|k| !declared.contains(k)) {
            assert_eq!(d.kind_values()[k as usize], 0.0, "{k}");
        }
        assert_eq!(d.tag_values().iter().filter(|v| **v != 0.0).count(), 2);
    }

    #[test]
    fn roots_flatten_into_masks_in_root_order() {
        let d = compiled(DOCTRINE);
        assert_eq!(d.roots().len(), 2);
        assert_eq!(d.root_weights(), [3.0, 1.0]);
        let roots: Vec<u8> = d.clauses().iter().map(|c| c.0).collect();
        assert_eq!(roots, [0, 0, 1], "each clause keeps its root's index");
        let c = &d.clauses()[0].1;
        assert_eq!(c.kinds, Kind::Alliance.bit() | Kind::Basing.bit());
        assert_eq!(c.options, Opt::Join.bit() | Opt::Grant.bit());
        assert_eq!((c.tags_any, c.tags_all, c.tags_none, c.tiers), (0, 0, 0, 0));
        assert_eq!((c.target_in, c.counterpart_in), (0, 0));
        assert_eq!(
            c.support_below, 2.0,
            "no condition: every share is below it"
        );
        let c = &d.clauses()[1].1;
        assert_eq!(
            c.tags_all,
            (1 << Tag::Sanctions as u32) | (1 << Tag::Trade as u32)
        );
        assert_eq!(
            c.target_in,
            (1 << 4) | (1 << 5),
            "PRK and RUS by actor index"
        );
        assert_eq!(c.target, PartyCond::Any);
        assert_eq!(c.support_below, 0.5);
        let c = &d.clauses()[2].1;
        assert_eq!(
            c.tiers,
            (1 << Tier::Strategic as u8) | (1 << Tier::Comprehensive as u8)
        );
        assert_eq!(c.counterpart, PartyCond::NotPole);
    }

    #[test]
    fn the_getters_read_the_validated_doctrine() {
        let d = compiled(DOCTRINE);
        assert_eq!(d.name(), "c");
        assert_eq!(d.subject(), iso("VNM"));
        assert!(!d.is_default());
        assert_eq!(d.branches().default_relation, 0.1);
        assert_eq!(d.trunk().offsets.len(), 1);
        assert_eq!(d.lean_spec().window_years, 5);
        assert_eq!(d.doctrine().roots[1].id, "b");
    }

    #[test]
    fn a_doctrine_without_roots_has_no_clauses() {
        let text = DOCTRINE.split("[[root]]").next().unwrap().to_string()
            + &DOCTRINE[DOCTRINE.find("[branches]").unwrap()..];
        let d = compiled(&text);
        assert!(d.clauses().is_empty() && d.root_weights().is_empty());
        assert_eq!(d.actors().len(), 3, "USA, CHN and the related JPN");
    }

    #[test]
    fn too_many_states_poles_or_roots_are_refused() {
        let input: DoctrineInput = toml::from_str(DOCTRINE).unwrap();
        let valid = validate_doctrine(&input).unwrap();
        let mut many = valid.clone();
        // 26 × 3 codes, far more than MAX_ACTORS.
        for a in b'A'..=b'Z' {
            for b in [b'A', b'B', b'C'] {
                let code = Iso3::parse(std::str::from_utf8(&[b'X', a, b]).unwrap()).unwrap();
                many.branches.relations.push((code, 0.0));
            }
        }
        let e = CompiledDoctrine::new(many).unwrap_err();
        assert_eq!(e.field, "branches.relations");
        assert!(e.message.contains("at most 64 named states"), "{e}");
        // A doctrine built by hand, past validation, is held to the hot path's limits too.
        let mut poles = valid.clone();
        for c in ["RUS", "IND", "JPN", "FRA", "GBR", "DEU", "BRA"] {
            poles.poles.push(Iso3::from_static(c));
        }
        assert_eq!(
            CompiledDoctrine::new(poles).unwrap_err().field,
            "doctrine.poles"
        );
        let mut roots = valid;
        let r = roots.roots[0].clone();
        roots.roots = vec![r; MAX_ROOTS + 1];
        assert_eq!(CompiledDoctrine::new(roots).unwrap_err().field, "root");
    }
}
