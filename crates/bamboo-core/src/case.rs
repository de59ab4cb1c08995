//! Cases: the decisions a state faced (`shared/spec/cases.md`), as validated domain types.
//!
//! A case arrives as a [`CaseInput`] (plain strings, as a reader found them) and becomes a
//! [`Case`] through [`validate_case`], which checks every rule of the contract and names the
//! offending field in its [`CaseError`]. Readers turn the field into a file and line.

use std::collections::BTreeSet;
use std::fmt;

use crate::country::Iso3;
use crate::date::Date;

/// The kind of situation a case puts to the subject.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    UnVote = 0,
    Visit = 1,
    Partnership = 2,
    Alliance = 3,
    Basing = 4,
    Sanctions = 5,
    ArmsDeal = 6,
    TradePact = 7,
    Exercise = 8,
    Incident = 9,
}

/// One answer a case allows. The set is global; each kind allows a few of them
/// ([`Kind::options`]), in the order the spec lists them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Opt {
    Yes = 0,
    No = 1,
    Abstain = 2,
    Accept = 3,
    Decline = 4,
    Join = 5,
    Grant = 6,
    Buy = 7,
    Protest = 8,
    Force = 9,
    Ignore = 10,
}

impl Opt {
    pub const ALL: [Opt; 11] = [
        Opt::Yes,
        Opt::No,
        Opt::Abstain,
        Opt::Accept,
        Opt::Decline,
        Opt::Join,
        Opt::Grant,
        Opt::Buy,
        Opt::Protest,
        Opt::Force,
        Opt::Ignore,
    ];

    pub fn as_str(self) -> &'static str {
        [
            "yes", "no", "abstain", "accept", "decline", "join", "grant", "buy", "protest",
            "force", "ignore",
        ][self as usize]
    }

    pub fn parse(s: &str) -> Option<Opt> {
        Opt::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// This option as a bit in a `u16` mask.
    pub const fn bit(self) -> u16 {
        1 << self as u16
    }
}

impl fmt::Display for Opt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::UnVote,
        Kind::Visit,
        Kind::Partnership,
        Kind::Alliance,
        Kind::Basing,
        Kind::Sanctions,
        Kind::ArmsDeal,
        Kind::TradePact,
        Kind::Exercise,
        Kind::Incident,
    ];

    pub fn as_str(self) -> &'static str {
        [
            "un_vote",
            "visit",
            "partnership",
            "alliance",
            "basing",
            "sanctions",
            "arms_deal",
            "trade_pact",
            "exercise",
            "incident",
        ][self as usize]
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

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

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! serialize_as_str {
    ($($t:ty),*) => {$(
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    )*};
}

serialize_as_str!(Kind, Opt, Tag, Tier);

/// The tag vocabulary of the spec.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tag {
    UseOfForce = 0,
    TerritorialIntegrity,
    Sovereignty,
    NonInterference,
    Humanitarian,
    HumanRights,
    CountrySpecific,
    MembershipSuspension,
    Reparations,
    PeaceProcess,
    SelfDetermination,
    Nuclear,
    Disarmament,
    Development,
    Sanctions,
    Trade,
    Investment,
    Infrastructure,
    Security,
    Maritime,
    Multilateralism,
    Defence,
}

impl Tag {
    pub const ALL: [Tag; 22] = [
        Tag::UseOfForce,
        Tag::TerritorialIntegrity,
        Tag::Sovereignty,
        Tag::NonInterference,
        Tag::Humanitarian,
        Tag::HumanRights,
        Tag::CountrySpecific,
        Tag::MembershipSuspension,
        Tag::Reparations,
        Tag::PeaceProcess,
        Tag::SelfDetermination,
        Tag::Nuclear,
        Tag::Disarmament,
        Tag::Development,
        Tag::Sanctions,
        Tag::Trade,
        Tag::Investment,
        Tag::Infrastructure,
        Tag::Security,
        Tag::Maritime,
        Tag::Multilateralism,
        Tag::Defence,
    ];

    pub fn as_str(self) -> &'static str {
        [
            "use_of_force",
            "territorial_integrity",
            "sovereignty",
            "non_interference",
            "humanitarian",
            "human_rights",
            "country_specific",
            "membership_suspension",
            "reparations",
            "peace_process",
            "self_determination",
            "nuclear",
            "disarmament",
            "development",
            "sanctions",
            "trade",
            "investment",
            "infrastructure",
            "security",
            "maritime",
            "multilateralism",
            "defence",
        ][self as usize]
    }

    pub fn parse(s: &str) -> Option<Tag> {
        Tag::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of tags as a bit set (one `u32`), so matching is a mask test.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TagSet(pub u32);

impl TagSet {
    pub const EMPTY: TagSet = TagSet(0);

    pub fn insert(&mut self, t: Tag) {
        self.0 |= 1 << t as u32;
    }

    pub fn contains(self, t: Tag) -> bool {
        self.0 & (1 << t as u32) != 0
    }

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

/// The tier of a partnership offer.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    Comprehensive = 0,
    Strategic = 1,
    ComprehensiveStrategic = 2,
}

impl Tier {
    pub const ALL: [Tier; 3] = [
        Tier::Comprehensive,
        Tier::Strategic,
        Tier::ComprehensiveStrategic,
    ];

    pub fn as_str(self) -> &'static str {
        ["comprehensive", "strategic", "comprehensive_strategic"][self as usize]
    }

    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where other states stood. For `un_vote` the sides are the three votes; for every other
/// kind they are `support` (wants the first option) and `oppose` (wants it not taken).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Positions {
    pub yes: Vec<Iso3>,
    pub no: Vec<Iso3>,
    pub abstain: Vec<Iso3>,
    pub support: Vec<Iso3>,
    pub oppose: Vec<Iso3>,
}

/// A side in [`Positions`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Side {
    Yes,
    No,
    Abstain,
    Support,
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
    pub yes: Option<u32>,
    pub no: Option<u32>,
    pub abstain: Option<u32>,
}

/// A validated case.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub id: String,
    pub date: Date,
    pub subject: Iso3,
    pub kind: Kind,
    pub title: String,
    pub target: Option<Iso3>,
    pub counterpart: Option<Iso3>,
    pub tier: Option<Tier>,
    pub tags: TagSet,
    pub sources: Vec<String>,
    pub actual: Option<Opt>,
    pub positions: Positions,
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

/// A case as a reader found it: strings not yet checked against the contract.
#[derive(Clone, Debug, Default)]
pub struct CaseInput {
    pub id: String,
    pub date: String,
    pub subject: String,
    pub kind: String,
    pub title: String,
    pub target: Option<String>,
    pub counterpart: Option<String>,
    pub tier: Option<String>,
    pub tags: Vec<String>,
    pub sources: Vec<String>,
    pub actual: Option<String>,
    pub positions: Option<PositionsInput>,
    pub tally: Option<Tally>,
}

/// The `[case.positions]` table as read.
#[derive(Clone, Debug, Default)]
pub struct PositionsInput {
    pub yes: Option<Vec<String>>,
    pub no: Option<Vec<String>>,
    pub abstain: Option<Vec<String>>,
    pub support: Option<Vec<String>>,
    pub oppose: Option<Vec<String>>,
}

/// Why an input (a case, a ledger event, a doctrine) breaks its rules: the field (a dotted
/// path such as `positions.yes` or `tags`, with an index when one element is at fault) and
/// what is wrong with it. Readers turn the field into a line of the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub index: Option<usize>,
    pub message: String,
}

/// A case's [`FieldError`].
pub type CaseError = FieldError;

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            index: None,
            message: message.into(),
        }
    }

    pub fn at(field: &str, index: usize, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            index: Some(index),
            message: message.into(),
        }
    }
}

fn names(list: impl IntoIterator<Item = &'static str>) -> String {
    list.into_iter().collect::<Vec<_>>().join(", ")
}

/// Parses a kind name, with an error that lists the valid ones.
pub fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| {
        format!(
            "unknown kind `{s}` (expected one of: {})",
            names(Kind::ALL.map(Kind::as_str))
        )
    })
}

/// Parses a tag, with an error that lists the vocabulary.
pub fn parse_tag(s: &str) -> Result<Tag, String> {
    Tag::parse(s).ok_or_else(|| {
        format!(
            "unknown tag `{s}` (the vocabulary is: {})",
            names(Tag::ALL.map(Tag::as_str))
        )
    })
}

/// Parses an option that must belong to `kind`.
pub fn parse_option(kind: Kind, s: &str) -> Result<Opt, String> {
    match Opt::parse(s) {
        Some(o) if kind.option_index(o).is_some() => Ok(o),
        _ => Err(format!(
            "`{s}` is not an option of kind `{kind}` (expected one of: {})",
            names(kind.options().iter().map(|o| o.as_str()))
        )),
    }
}

/// Parses a partnership tier.
pub fn parse_tier(s: &str) -> Result<Tier, String> {
    Tier::parse(s).ok_or_else(|| {
        format!(
            "unknown tier `{s}` (expected one of: {})",
            names(Tier::ALL.map(Tier::as_str))
        )
    })
}

/// The most votes a tally may count on one side (the General Assembly has 193 members).
pub const MAX_TALLY: u32 = 250;

/// Checks a case against the contract and lowers it into a [`Case`].
pub fn validate_case(input: &CaseInput) -> Result<Case, CaseError> {
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
        id: id.to_string(),
        date,
        subject,
        kind,
        title: input.title.clone(),
        target,
        counterpart,
        tier,
        tags,
        sources: input.sources.clone(),
        actual,
        positions,
        tally: input.tally,
    })
}

fn validate_positions(kind: Kind, p: &PositionsInput) -> Result<Positions, CaseError> {
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
    let mut seen: BTreeSet<Iso3> = BTreeSet::new();
    for (key, list) in allowed {
        let Some(list) = list else { continue };
        let field = format!("positions.{key}");
        let mut codes = Vec::with_capacity(list.len());
        for (i, s) in list.iter().enumerate() {
            let c = Iso3::parse(s).map_err(|e| CaseError::at(&field, i, e.to_string()))?;
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
