//! Doctrines as data: roots (forbids), a trunk (how a decision is carried across the party,
//! state and people pillars, and offset toward those it displeases) and branches (weights
//! that rank what the roots allow). See `docs/doctrine.md` for the file format.
//!
//! A doctrine arrives as a [`DoctrineInput`] (deserialised by a reader, unknown keys
//! refused), is checked by [`validate_doctrine`] into a [`Doctrine`], and is compiled by
//! [`CompiledDoctrine::new`] into bit masks and small arrays for the engine's hot path.
//! One module per stage: `input` (the file's shape), `model` (the validated types),
//! `validate` and `compile`; this module re-exports their public API and holds the limits.

mod compile;
mod input;
mod model;
mod validate;

pub use compile::{CompiledClause, CompiledDoctrine, Party};
pub use input::{
    BranchesInput, ClauseInput, DoctrineInput, FitInfo, HeaderInput, LeanInput, OffsetInput,
    RelationInputsInput, RootInput, StepInput, TrunkInput, VoteTagInput, VotesInput,
};
pub use model::{
    Branches, Clause, Doctrine, LeanSpec, Offset, PartyCond, Pillar, RelationInputs, Root, Signal,
    Step, Trunk, VoteBranch, N_SIGNALS,
};
pub use validate::validate_doctrine;

/// At most this many poles (great powers the lean is read against).
pub const MAX_POLES: usize = 8;
/// At most this many named actors (poles, states with a declared relation, states a root
/// names); they are addressed by index in the hot path.
pub const MAX_ACTORS: usize = 64;
/// At most this many roots (violations are a `u64` bit set).
pub const MAX_ROOTS: usize = 64;
/// The largest magnitude of any number in a doctrine (weights, stances, relations, lean
/// parameters): sums and products of a few hundred of them stay finite, so a score is never
/// `inf` or `NaN` (docs/doctrine.md).
pub const MAX_MAGNITUDE: f64 = 1000.0;
