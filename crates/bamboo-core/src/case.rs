//! Cases: the decisions a state faced (`shared/spec/cases.md`), as validated domain types.
//!
//! A case arrives as a [`CaseInput`] (plain strings, as a reader found them) and becomes a
//! [`Case`] through [`validate_case`], which checks every rule of the contract and names the
//! offending field in its [`CaseError`]. Readers turn the field into a file and line.

use std::fmt;

use crate::country::{CodeSet, Iso3};
use crate::date::Date;

/// Defines a vocabulary of the spec (`shared/spec/cases.md`) from one list of variants and
/// their names: the enum (discriminants `0..COUNT`, in the spec's order), `ALL`, `COUNT`,
/// `NAMES`, `as_str`, `parse`, and the `Display`, `FromStr` and `Serialize` impls that read
/// and write the names. Nothing else may list the variants or count them.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal, $listed:literal) {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// How many there are.
            pub const COUNT: usize = [$($text),+].len();
            /// Every one, in the spec's order (`ALL[x as usize] == x`).
            pub const ALL: [$name; Self::COUNT] = [$($name::$variant),+];
            /// The spec's names, indexed like `ALL`.
            pub const NAMES: [&'static str; Self::COUNT] = [$($text),+];

            /// The spec's name.
            pub const fn as_str(self) -> &'static str {
                Self::NAMES[self as usize]
            }

            /// The one named `s` (exactly as the spec spells it).
            pub fn parse(s: &str) -> Option<$name> {
                Self::NAMES.iter().position(|n| *n == s).map(|i| Self::ALL[i])
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            /// What was wrong, listing the valid names.
            type Err = String;

            fn from_str(s: &str) -> Result<$name, String> {
                $name::parse(s).ok_or_else(|| {
                    format!(
                        concat!("unknown ", $what, " `{}` (", $listed, ": {})"),
                        s,
                        Self::NAMES.join(", ")
                    )
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// The kind of situation a case puts to the subject.
    pub enum Kind ("kind", "expected one of") {
        /// A recorded vote in a UN body (yes, no, abstain; counterpart: the main sponsor).
        UnVote = "un_vote",
        /// A foreign leader seeks a visit or invites the subject's (accept, decline).
        Visit = "visit",
        /// An offer to raise relations to a tier, the case's `tier` (accept, decline).
        Partnership = "partnership",
        /// An invitation to a military alliance or mutual-defence pact (join, decline).
        Alliance = "alliance",
        /// A request to station forces or open a military base (grant, decline).
        Basing = "basing",
        /// A call to join sanctions against the case's `target` (join, decline).
        Sanctions = "sanctions",
        /// An offer of a major arms purchase (buy, decline; counterpart: the supplier).
        ArmsDeal = "arms_deal",
        /// A trade agreement, economic bloc or initiative (join, decline).
        TradePact = "trade_pact",
        /// An invitation to a joint military exercise (join, decline).
        Exercise = "exercise",
        /// An act against the subject's sovereignty (protest, force, ignore; counterpart:
        /// the state that acted).
        Incident = "incident",
    }
}

vocabulary! {
    /// One answer a case allows. The set is global; each kind allows a few of them
    /// ([`Kind::options`]), in the order the spec lists them.
    pub enum Opt ("option", "expected one of") {
        /// Vote in favour (`un_vote`).
        Yes = "yes",
        /// Vote against (`un_vote`).
        No = "no",
        /// Abstain (`un_vote`).
        Abstain = "abstain",
        /// Take up a visit or a partnership.
        Accept = "accept",
        /// Turn down any offer or call (every kind but `un_vote` and `incident`).
        Decline = "decline",
        /// Join an alliance, sanctions, a trade pact or an exercise.
        Join = "join",
        /// Grant a basing request.
        Grant = "grant",
        /// Buy in an arms deal.
        Buy = "buy",
        /// Protest an incident.
        Protest = "protest",
        /// Answer an incident with force.
        Force = "force",
        /// Let an incident pass.
        Ignore = "ignore",
    }
}

vocabulary! {
    /// The tag vocabulary of the spec.
    pub enum Tag ("tag", "the vocabulary is") {
        /// The use or threat of armed force.
        UseOfForce = "use_of_force",
        /// A state's borders and territory.
        TerritorialIntegrity = "territorial_integrity",
        /// A state's authority over its own affairs, territory and choices.
        Sovereignty = "sovereignty",
        /// Interference in another state's internal affairs.
        NonInterference = "non_interference",
        /// Humanitarian relief, access and the protection of civilians.
        Humanitarian = "humanitarian",
        /// Human rights: a state's record, or rights in general.
        HumanRights = "human_rights",
        /// Aimed at one named country (a country-specific resolution).
        CountrySpecific = "country_specific",
        /// Suspending a state from a body's membership.
        MembershipSuspension = "membership_suspension",
        /// Reparations for damage or injury.
        Reparations = "reparations",
        /// A peace process or settlement.
        PeaceProcess = "peace_process",
        /// A people's self-determination.
        SelfDetermination = "self_determination",
        /// Nuclear weapons and material.
        Nuclear = "nuclear",
        /// Arms control and disarmament.
        Disarmament = "disarmament",
        /// Economic development.
        Development = "development",
        /// Sanctions: imposing, joining or ending them.
        Sanctions = "sanctions",
        /// Trade: agreements, tariffs, market access.
        Trade = "trade",
        /// Investment and finance from abroad.
        Investment = "investment",
        /// Infrastructure (building and financing it).
        Infrastructure = "infrastructure",
        /// Security and defence cooperation in general.
        Security = "security",
        /// The sea: maritime claims, navigation, the law of the sea.
        Maritime = "maritime",
        /// Multilateral institutions and cooperation.
        Multilateralism = "multilateralism",
        /// Defence (armed forces, military ties).
        Defence = "defence",
    }
}

vocabulary! {
    /// The tier of a partnership offer (the spec lists them highest first; here they rise).
    pub enum Tier ("tier", "expected one of") {
        /// Comprehensive partnership: the lowest tier.
        Comprehensive = "comprehensive",
        /// Strategic partnership: the middle tier.
        Strategic = "strategic",
        /// Comprehensive strategic partnership: the highest tier.
        ComprehensiveStrategic = "comprehensive_strategic",
    }
}

// The masks the hot path matches with: kinds and options in a `u16`, tags in a `u32`
// ([`TagSet`]), tiers in a `u8`.
const _: () = assert!(Kind::COUNT <= 16 && Opt::COUNT <= 16);
const _: () = assert!(Tag::COUNT <= 32 && Tier::COUNT <= 8);

impl Opt {
    /// This option as a bit in a `u16` mask.
    pub const fn bit(self) -> u16 {
        1 << self as u16
    }
}

impl Kind {
    /// The options of this kind, in the spec's order (the first is "the first option").
    pub const fn options(self) -> &'static [Opt] {
        match self {
            Kind::UnVote => &[Opt::Yes, Opt::No, Opt::Abstain],
            Kind::Visit | Kind::Partnership => &[Opt::Accept, Opt::Decline],
            Kind::Alliance | Kind::Sanctions | Kind::TradePact | Kind::Exercise => {
                &[Opt::Join, Opt::Decline]
            }
            Kind::Basing => &[Opt::Grant, Opt::Decline],
            Kind::ArmsDeal => &[Opt::Buy, Opt::Decline],
            Kind::Incident => &[Opt::Protest, Opt::Force, Opt::Ignore],
        }
    }

    /// The index of `o` among this kind's options.
    pub fn option_index(self, o: Opt) -> Option<usize> {
        self.options().iter().position(|&x| x == o)
    }

    /// This kind as a bit in a `u16` mask.
    pub const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of tags as a bit set (one `u32`), so matching is a mask test.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TagSet(pub u32);

impl TagSet {
    /// No tag.
    pub const EMPTY: TagSet = TagSet(0);

    /// Adds `t` (bit `t as u32`).
    pub fn insert(&mut self, t: Tag) {
        self.0 |= 1 << t as u32;
    }

    /// Whether `t` is in the set.
    pub fn contains(self, t: Tag) -> bool {
        self.0 & (1 << t as u32) != 0
    }

    /// Whether the set has no tag.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The tags in vocabulary order.
    pub fn iter(self) -> impl Iterator<Item = Tag> {
        Tag::ALL.into_iter().filter(move |t| self.contains(*t))
    }
}

impl FromIterator<Tag> for TagSet {
    fn from_iter<I: IntoIterator<Item = Tag>>(it: I) -> Self {
        let mut s = TagSet::EMPTY;
        for t in it {
            s.insert(t);
        }
        s
    }
}

/// Where other states stood. For `un_vote` the sides are the three votes; for every other
/// kind they are `support` (wants the first option) and `oppose` (wants it not taken).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Positions {
    /// `un_vote`: the states that voted yes.
    pub yes: Vec<Iso3>,
    /// `un_vote`: the states that voted no.
    pub no: Vec<Iso3>,
    /// `un_vote`: the states that abstained.
    pub abstain: Vec<Iso3>,
    /// Other kinds: the states that want the subject to take the first option.
    pub support: Vec<Iso3>,
    /// Other kinds: the states that want the first option not taken.
    pub oppose: Vec<Iso3>,
}

/// A side in [`Positions`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Side {
    /// Listed in `yes`.
    Yes,
    /// Listed in `no`.
    No,
    /// Listed in `abstain`.
    Abstain,
    /// Listed in `support`.
    Support,
    /// Listed in `oppose`.
    Oppose,
}

impl Positions {
    /// The side a state is listed on, if any.
    pub fn side_of(&self, c: Iso3) -> Option<Side> {
        let lists = [
            (&self.yes, Side::Yes),
            (&self.no, Side::No),
            (&self.abstain, Side::Abstain),
            (&self.support, Side::Support),
            (&self.oppose, Side::Oppose),
        ];
        lists
            .into_iter()
            .find(|(l, _)| l.contains(&c))
            .map(|(_, s)| s)
    }

    /// Whether no state is listed on any side.
    pub fn is_empty(&self) -> bool {
        self.yes.is_empty()
            && self.no.is_empty()
            && self.abstain.is_empty()
            && self.support.is_empty()
            && self.oppose.is_empty()
    }
}

/// The recorded totals of a UN vote.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Votes in favour, where recorded.
    pub yes: Option<u32>,
    /// Votes against, where recorded.
    pub no: Option<u32>,
    /// Abstentions, where recorded.
    pub abstain: Option<u32>,
}

/// A validated case.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The case's id, trimmed and not empty (unique within everything loaded together:
    /// the readers check that).
    pub id: String,
    /// The day of the decision; its context reads only what was known before it.
    pub date: Date,
    /// The deciding state.
    pub subject: Iso3,
    /// The kind of situation, which fixes the options.
    pub kind: Kind,
    /// A one-line description (not empty).
    pub title: String,
    /// The state a measure is aimed at, if any.
    pub target: Option<Iso3>,
    /// The state that offers, calls, hosts or acted; for `un_vote` the main sponsor, and
    /// optional only there.
    pub counterpart: Option<Iso3>,
    /// For `partnership`: the tier offered (only there).
    pub tier: Option<Tier>,
    /// The case's tags.
    pub tags: TagSet,
    /// Where the case comes from (at least one, none empty).
    pub sources: Vec<String>,
    /// What the subject really did, an option of the kind; required by backtests.
    pub actual: Option<Opt>,
    /// Where other states stood (each state on one side at most).
    pub positions: Positions,
    /// For `un_vote`: the recorded totals, each at most [`MAX_TALLY`].
    pub tally: Option<Tally>,
}

impl Case {
    /// The options of the case's kind.
    pub fn options(&self) -> &'static [Opt] {
        self.kind.options()
    }

    /// The option a state wants the subject to take, as the case records it: its vote for
    /// `un_vote`; otherwise the first option for the counterpart (unless listed as opposing)
    /// and for states in `support`, the second option for states in `oppose`. For an
    /// `incident` the counterpart is the state that acted, so it wants the last option
    /// (`ignore`) unless it is listed. `None` when the case says nothing about the state.
    pub fn wanted_by(&self, c: Iso3) -> Option<Opt> {
        let opts = self.kind.options();
        match self.positions.side_of(c) {
            Some(Side::Yes) => Some(Opt::Yes),
            Some(Side::No) => Some(Opt::No),
            Some(Side::Abstain) => Some(Opt::Abstain),
            Some(Side::Support) => Some(opts[0]),
            Some(Side::Oppose) => Some(opts[1]),
            None if self.kind != Kind::UnVote && self.counterpart == Some(c) => {
                if self.kind == Kind::Incident {
                    opts.last().copied()
                } else {
                    Some(opts[0])
                }
            }
            None => None,
        }
    }
}

/// A country code in a case's positions as a reader found it: the text (checked by
/// [`Iso3::parse`]), or a code a reader has already parsed with it (a fast reader of a
/// large file gives the codes so, without a text for each of its many thousand codes).
pub trait CodeText {
    /// The code, or why the text is not one.
    fn code(&self) -> Result<Iso3, crate::country::BadCode>;
}

impl CodeText for String {
    fn code(&self) -> Result<Iso3, crate::country::BadCode> {
        Iso3::parse(self)
    }
}

impl CodeText for Iso3 {
    fn code(&self) -> Result<Iso3, crate::country::BadCode> {
        Ok(*self)
    }
}

/// A case as a reader found it: strings not yet checked against the contract. The
/// positions' codes are texts (`C = String`) or codes already parsed (`C = Iso3`).
#[derive(Clone, Debug, Default)]
pub struct CaseInput<C = String> {
    /// [`Case::id`], before trimming.
    pub id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// An ISO3 code.
    pub subject: String,
    /// A [`Kind`] name.
    pub kind: String,
    /// [`Case::title`].
    pub title: String,
    /// An ISO3 code, if given.
    pub target: Option<String>,
    /// An ISO3 code, if given (required for every kind but `un_vote`).
    pub counterpart: Option<String>,
    /// A [`Tier`] name, for `partnership` only.
    pub tier: Option<String>,
    /// [`Tag`] names.
    pub tags: Vec<String>,
    /// [`Case::sources`].
    pub sources: Vec<String>,
    /// An [`Opt`] name that must be an option of the kind, if given.
    pub actual: Option<String>,
    /// `[case.positions]`, if given.
    pub positions: Option<PositionsInput<C>>,
    /// `[case.tally]`, for `un_vote` only.
    pub tally: Option<Tally>,
}

/// The `[case.positions]` table as read. A `un_vote` takes only `yes`, `no` and `abstain`;
/// every other kind only `support` and `oppose`.
#[derive(Clone, Debug)]
pub struct PositionsInput<C = String> {
    /// ISO3 codes that voted yes.
    pub yes: Option<Vec<C>>,
    /// ISO3 codes that voted no.
    pub no: Option<Vec<C>>,
    /// ISO3 codes that abstained.
    pub abstain: Option<Vec<C>>,
    /// ISO3 codes that want the first option taken.
    pub support: Option<Vec<C>>,
    /// ISO3 codes that want it not taken.
    pub oppose: Option<Vec<C>>,
}

impl<C> Default for PositionsInput<C> {
    fn default() -> Self {
        PositionsInput {
            yes: None,
            no: None,
            abstain: None,
            support: None,
            oppose: None,
        }
    }
}

/// Why an input (a case, a ledger event, a doctrine) breaks its rules: the field (a dotted
/// path such as `positions.yes` or `tags`, with an index when one element is at fault) and
/// what is wrong with it. Readers turn the field into a line of the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field's dotted path (`positions.yes`, `tags`, `tally.no`).
    pub field: String,
    /// The index of the element at fault in a list field (from 0), if one is.
    pub index: Option<usize>,
    /// What is wrong and, where there is one, what is allowed.
    pub message: String,
}

/// A case's [`FieldError`].
pub type CaseError = FieldError;

impl FieldError {
    /// An error in the whole of `field`.
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            index: None,
            message: message.into(),
        }
    }

    /// An error in element `index` (from 0) of the list `field`.
    pub fn at(field: &str, index: usize, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            index: Some(index),
            message: message.into(),
        }
    }
}

/// Parses a kind name, with an error that lists the valid ones.
pub fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse()
}

/// Parses a tag, with an error that lists the vocabulary.
pub fn parse_tag(s: &str) -> Result<Tag, String> {
    s.parse()
}

/// Parses an option that must belong to `kind`.
pub fn parse_option(kind: Kind, s: &str) -> Result<Opt, String> {
    match Opt::parse(s) {
        Some(o) if kind.option_index(o).is_some() => Ok(o),
        _ => Err(format!(
            "`{s}` is not an option of kind `{kind}` (expected one of: {})",
            kind.options()
                .iter()
                .map(|o| o.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Parses a partnership tier.
pub fn parse_tier(s: &str) -> Result<Tier, String> {
    s.parse()
}

/// The most votes a tally may count on one side (the General Assembly has 193 members).
pub const MAX_TALLY: u32 = 250;

/// Checks a case against the contract and lowers it into a [`Case`].
pub fn validate_case<C: CodeText>(input: &CaseInput<C>) -> Result<Case, CaseError> {
    let mut case = checked(input)?;
    case.id = input.id.trim().to_string();
    case.title = input.title.clone();
    case.sources = input.sources.clone();
    Ok(case)
}

/// [`validate_case`] taking the input, whose texts then move into the case instead of
/// being copied (a reader of thousands of cases has no other use for them).
pub fn validate_case_owned<C: CodeText>(input: CaseInput<C>) -> Result<Case, CaseError> {
    let mut case = checked(&input)?;
    case.id = if input.id.trim().len() == input.id.len() {
        input.id
    } else {
        input.id.trim().to_string()
    };
    case.title = input.title;
    case.sources = input.sources;
    Ok(case)
}

/// Every check of [`validate_case`], and the case lowered but for its id, title and
/// sources (left empty: the caller copies or moves them in).
fn checked<C: CodeText>(input: &CaseInput<C>) -> Result<Case, CaseError> {
    let id = input.id.trim();
    if id.is_empty() {
        return Err(CaseError::new("id", "must not be empty"));
    }
    let date = Date::parse(&input.date).map_err(|e| CaseError::new("date", e.to_string()))?;
    let subject =
        Iso3::parse(&input.subject).map_err(|e| CaseError::new("subject", e.to_string()))?;
    let kind = parse_kind(&input.kind).map_err(|m| CaseError::new("kind", m))?;
    if input.title.trim().is_empty() {
        return Err(CaseError::new("title", "must not be empty"));
    }
    let code = |field: &str, s: &Option<String>| -> Result<Option<Iso3>, CaseError> {
        s.as_deref()
            .map(|s| Iso3::parse(s).map_err(|e| CaseError::new(field, e.to_string())))
            .transpose()
    };
    let target = code("target", &input.target)?;
    let counterpart = code("counterpart", &input.counterpart)?;
    if counterpart.is_none() && kind != Kind::UnVote {
        return Err(CaseError::new(
            "counterpart",
            format!("is required for kind `{kind}`"),
        ));
    }
    let tier = match (&input.tier, kind) {
        (Some(t), Kind::Partnership) => Some(parse_tier(t).map_err(|m| CaseError::new("tier", m))?),
        (Some(_), _) => {
            return Err(CaseError::new(
                "tier",
                format!("is only for kind `partnership`, not `{kind}`"),
            ))
        }
        (None, _) => None,
    };
    let mut tags = TagSet::EMPTY;
    for (i, t) in input.tags.iter().enumerate() {
        tags.insert(parse_tag(t).map_err(|m| CaseError::at("tags", i, m))?);
    }
    if input.sources.is_empty() || input.sources.iter().any(|s| s.trim().is_empty()) {
        return Err(CaseError::new(
            "sources",
            "every case needs at least one non-empty source",
        ));
    }
    let actual = input
        .actual
        .as_deref()
        .map(|a| parse_option(kind, a).map_err(|m| CaseError::new("actual", m)))
        .transpose()?;
    let positions = match &input.positions {
        Some(p) => validate_positions(kind, p)?,
        None => Positions::default(),
    };
    if input.tally.is_some() && kind != Kind::UnVote {
        return Err(CaseError::new(
            "tally",
            format!("is only for kind `un_vote`, not `{kind}`"),
        ));
    }
    if let Some(t) = &input.tally {
        for (k, n) in [("yes", t.yes), ("no", t.no), ("abstain", t.abstain)] {
            if n.is_some_and(|n| n > MAX_TALLY) {
                return Err(CaseError::new(
                    &format!("tally.{k}"),
                    format!(
                        "{} is more votes than there are states; at most {MAX_TALLY}",
                        n.unwrap_or(0)
                    ),
                ));
            }
        }
    }
    Ok(Case {
        id: String::new(),
        date,
        subject,
        kind,
        title: String::new(),
        target,
        counterpart,
        tier,
        tags,
        sources: Vec::new(),
        actual,
        positions,
        tally: input.tally,
    })
}

fn validate_positions<C: CodeText>(
    kind: Kind,
    p: &PositionsInput<C>,
) -> Result<Positions, CaseError> {
    let vote_keys = [("yes", &p.yes), ("no", &p.no), ("abstain", &p.abstain)];
    let stance_keys = [("support", &p.support), ("oppose", &p.oppose)];
    let (allowed, refused, hint) = if kind == Kind::UnVote {
        (&vote_keys[..], &stance_keys[..], "yes, no, abstain")
    } else {
        (&stance_keys[..], &vote_keys[..], "support, oppose")
    };
    if let Some((k, _)) = refused.iter().find(|(_, v)| v.is_some()) {
        return Err(CaseError::new(
            &format!("positions.{k}"),
            format!("is not a side for kind `{kind}` (expected: {hint})"),
        ));
    }
    let mut out = Positions::default();
    let mut seen = CodeSet::default();
    for (key, list) in allowed {
        let Some(list) = list else { continue };
        let field = format!("positions.{key}");
        let mut codes = Vec::with_capacity(list.len());
        for (i, s) in list.iter().enumerate() {
            let c = s
                .code()
                .map_err(|e| CaseError::at(&field, i, e.to_string()))?;
            if !seen.insert(c) {
                return Err(CaseError::at(
                    &field,
                    i,
                    format!("{c} is listed on more than one side (or twice)"),
                ));
            }
            codes.push(c);
        }
        match *key {
            "yes" => out.yes = codes,
            "no" => out.no = codes,
            "abstain" => out.abstain = codes,
            "support" => out.support = codes,
            _ => out.oppose = codes,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Moving the texts in gives the case that copying them gives, a padded id trimmed.
    #[test]
    fn the_owned_input_gives_the_same_case() {
        for id in ["x", "  padded id "] {
            let mut i = input();
            i.id = id.into();
            let borrowed = validate_case(&i).unwrap();
            assert_eq!(borrowed.id, id.trim());
            assert_eq!(validate_case_owned(i).unwrap(), borrowed);
        }
        let mut bad = input();
        bad.sources = vec![" ".into()];
        assert_eq!(
            validate_case_owned(bad.clone()).unwrap_err(),
            validate_case(&bad).unwrap_err()
        );
    }

    proptest::proptest! {
        /// The bit set of codes says what a `BTreeSet` says of each insertion, first and
        /// last codes of the alphabet included.
        #[test]
        fn the_code_set_is_a_set(codes in proptest::collection::vec("[A-Z]{3}|AAA|ZZZ", 0..300)) {
            let mut bits = CodeSet::default();
            let mut tree = std::collections::BTreeSet::new();
            for c in &codes {
                let c = Iso3::parse(c).unwrap();
                proptest::prop_assert_eq!(bits.insert(c), tree.insert(c));
            }
        }
    }

    fn input() -> CaseInput {
        CaseInput {
            id: "x".into(),
            date: "2022-03-02".into(),
            subject: "VNM".into(),
            kind: "un_vote".into(),
            title: "A vote".into(),
            target: Some("RUS".into()),
            tags: vec!["use_of_force".into()],
            sources: vec!["seed:000".into()],
            actual: Some("abstain".into()),
            ..CaseInput::default()
        }
    }

    /// Each vocabulary lists every variant once, in discriminant order, and reads back the
    /// names it writes (by `parse`, `FromStr`, `Display` and serde alike).
    macro_rules! check_vocabulary {
        ($t:ty, $n:expr, $what:literal) => {{
            assert_eq!(<$t>::COUNT, $n);
            assert_eq!(<$t>::ALL.len(), <$t>::COUNT);
            for (i, x) in <$t>::ALL.into_iter().enumerate() {
                assert_eq!(x as usize, i, "{x:?} is out of order");
                let name = <$t>::NAMES[i];
                assert_eq!(x.as_str(), name);
                assert_eq!(x.to_string(), name);
                assert_eq!(<$t>::parse(name), Some(x));
                assert_eq!(name.parse::<$t>(), Ok(x));
                assert_eq!(serde_json::to_string(&x).unwrap(), format!("\"{name}\""));
                assert!(!<$t>::NAMES[..i].contains(&name), "{name} is listed twice");
            }
            let e = "Nope".parse::<$t>().unwrap_err();
            assert!(
                e.starts_with(concat!("unknown ", $what, " `Nope` (")),
                "{e}"
            );
            assert!(e.ends_with(&format!("{})", <$t>::NAMES.join(", "))), "{e}");
            assert_eq!(
                <$t>::parse(&<$t>::NAMES[0].to_uppercase()),
                None,
                "names are exact"
            );
        }};
    }

    #[test]
    fn the_vocabularies_are_written_once_and_read_back() {
        check_vocabulary!(Kind, 10, "kind");
        check_vocabulary!(Opt, 11, "option");
        check_vocabulary!(Tag, 22, "tag");
        check_vocabulary!(Tier, 3, "tier");
        let e = parse_tag("war").unwrap_err();
        assert!(e.contains("(the vocabulary is: use_of_force, "), "{e}");
    }

    /// The vocabularies as `shared/spec/cases.md` writes them (its kinds table, the tier
    /// line and the tag paragraph, copied here; `bamboo-data`'s `spec_vocabulary` test reads
    /// the spec file itself).
    #[test]
    fn the_vocabularies_are_the_specs() {
        let kinds = [
            ("un_vote", "yes no abstain"),
            ("visit", "accept decline"),
            ("partnership", "accept decline"),
            ("alliance", "join decline"),
            ("basing", "grant decline"),
            ("sanctions", "join decline"),
            ("arms_deal", "buy decline"),
            ("trade_pact", "join decline"),
            ("exercise", "join decline"),
            ("incident", "protest force ignore"),
        ];
        assert_eq!(Kind::NAMES, kinds.map(|k| k.0));
        for (k, (_, opts)) in Kind::ALL.into_iter().zip(kinds) {
            let names: Vec<&str> = k.options().iter().map(|o| o.as_str()).collect();
            assert_eq!(names.join(" "), opts, "{k}");
        }
        let mut every: Vec<&str> = kinds.iter().flat_map(|k| k.1.split(' ')).collect();
        every.sort();
        every.dedup();
        let mut opts = Opt::NAMES.to_vec();
        opts.sort();
        assert_eq!(opts, every, "every option belongs to a kind");
        let mut tiers = Tier::NAMES.to_vec();
        tiers.sort();
        assert_eq!(
            tiers,
            ["comprehensive", "comprehensive_strategic", "strategic"]
        );
        let tags = "use_of_force territorial_integrity sovereignty non_interference humanitarian \
            human_rights country_specific membership_suspension reparations peace_process \
            self_determination nuclear disarmament development sanctions trade investment \
            infrastructure security maritime multilateralism defence";
        assert_eq!(
            Tag::NAMES.join(" "),
            tags.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn a_valid_case_lowers() {
        let c = validate_case(&input()).unwrap();
        assert_eq!(c.kind, Kind::UnVote);
        assert_eq!(c.actual, Some(Opt::Abstain));
        assert!(c.tags.contains(Tag::UseOfForce));
    }

    #[test]
    fn each_rule_names_its_field() {
        let check = |f: &dyn Fn(&mut CaseInput), field: &str| {
            let mut i = input();
            f(&mut i);
            let e = validate_case(&i).unwrap_err();
            assert_eq!(e.field, field, "{e}");
        };
        check(&|i| i.kind = "vote".into(), "kind");
        check(&|i| i.actual = Some("accept".into()), "actual");
        check(&|i| i.tags.push("war".into()), "tags");
        check(&|i| i.date = "2022-02-30".into(), "date");
        check(&|i| i.tier = Some("strategic".into()), "tier");
        check(
            &|i| {
                i.kind = "visit".into();
                i.actual = None;
            },
            "counterpart",
        );
        check(
            &|i| {
                i.positions = Some(PositionsInput {
                    support: Some(vec!["USA".into()]),
                    ..Default::default()
                })
            },
            "positions.support",
        );
        check(
            &|i| {
                i.positions = Some(PositionsInput {
                    yes: Some(vec!["USA".into()]),
                    no: Some(vec!["USA".into()]),
                    ..Default::default()
                })
            },
            "positions.no",
        );
        check(&|i| i.sources.clear(), "sources");
    }

    #[test]
    fn counterpart_supports_its_own_offer_and_an_incident_actor_wants_it_ignored() {
        let mut i = input();
        i.kind = "visit".into();
        i.counterpart = Some("RUS".into());
        i.actual = None;
        i.positions = Some(PositionsInput {
            oppose: Some(vec!["USA".into()]),
            ..Default::default()
        });
        let c = validate_case(&i).unwrap();
        assert_eq!(c.wanted_by(Iso3::from_static("RUS")), Some(Opt::Accept));
        assert_eq!(c.wanted_by(Iso3::from_static("USA")), Some(Opt::Decline));
        assert_eq!(c.wanted_by(Iso3::from_static("CHN")), None);
        i.kind = "incident".into();
        i.counterpart = Some("CHN".into());
        i.positions = None;
        let c = validate_case(&i).unwrap();
        assert_eq!(c.wanted_by(Iso3::from_static("CHN")), Some(Opt::Ignore));
    }
}
