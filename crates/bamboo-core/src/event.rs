//! Ledger events: dated, sourced facts in a state's relations (visits, partnerships,
//! agreements, votes, trade, arms, incidents, exercises), and the checks that turn a raw
//! event (strings, as a reader or an HTTP client gave it) into a valid one.
//!
//! This mirrors the event model of the doctrine work (`ledger.rs` on that branch) so that
//! the server, the SQLite ledger and the engine share one type; when that work merges, this
//! module gives way to it.

use std::fmt;

use crate::country::Iso3;
use crate::date::Date;
use crate::vote::Vote;

/// A problem with one field of an input record: the field's name, the position within a
/// list field where there is one, and what is wrong with what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub index: Option<usize>,
    pub message: String,
}

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

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "field `{}[{i}]`: {}", self.field, self.message),
            None => write!(f, "field `{}`: {}", self.field, self.message),
        }
    }
}

impl std::error::Error for FieldError {}

/// A partnership tier, from the lowest to the highest.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
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
        match self {
            Tier::Comprehensive => "comprehensive",
            Tier::Strategic => "strategic",
            Tier::ComprehensiveStrategic => "comprehensive_strategic",
        }
    }

    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// What kind of event a ledger entry records.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// A leader-level visit, in either direction.
    Visit,
    /// Relations raised to a tier (field `tier`).
    Partnership,
    /// A signed agreement other than a partnership (treaty, FTA, memorandum).
    Agreement,
    /// A recorded UN vote (field `votes` gives how the subject and others voted).
    Vote,
    /// A trade fact (volume, a pact entering into force).
    Trade,
    /// An arms transfer or deal.
    Arms,
    /// An act against the subject's sovereignty, or a clash.
    Incident,
    /// A joint military exercise.
    Exercise,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::Visit,
        EventKind::Partnership,
        EventKind::Agreement,
        EventKind::Vote,
        EventKind::Trade,
        EventKind::Arms,
        EventKind::Incident,
        EventKind::Exercise,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Visit => "visit",
            EventKind::Partnership => "partnership",
            EventKind::Agreement => "agreement",
            EventKind::Vote => "vote",
            EventKind::Trade => "trade",
            EventKind::Arms => "arms",
            EventKind::Incident => "incident",
            EventKind::Exercise => "exercise",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One dated, sourced event.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LedgerEvent {
    pub date: Date,
    pub kind: EventKind,
    /// The states involved (ISO3), the subject usually first.
    pub actors: Vec<Iso3>,
    pub title: String,
    pub sources: Vec<String>,
    /// For `partnership`: the tier reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// For `vote`: how states voted (the subject among them), sorted by country.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub votes: Vec<(Iso3, Vote)>,
}

/// A ledger event as a reader found it.
#[derive(Clone, Debug, Default)]
pub struct EventInput {
    pub date: String,
    pub kind: String,
    pub actors: Vec<String>,
    pub title: String,
    pub sources: Vec<String>,
    pub tier: Option<String>,
    pub votes: Vec<(String, String)>,
}

/// Checks one event and lowers it. The first problem found is returned, naming its field.
pub fn validate_event(input: &EventInput) -> Result<LedgerEvent, FieldError> {
    let date = Date::parse(&input.date).map_err(|e| FieldError::new("date", e.to_string()))?;
    let kind = EventKind::parse(&input.kind).ok_or_else(|| {
        let all: Vec<_> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        FieldError::new(
            "kind",
            format!(
                "unknown event kind `{}` (expected one of: {})",
                input.kind,
                all.join(", ")
            ),
        )
    })?;
    if input.actors.is_empty() {
        return Err(FieldError::new("actors", "lists no state"));
    }
    let mut actors = Vec::with_capacity(input.actors.len());
    for (i, a) in input.actors.iter().enumerate() {
        let c = Iso3::parse(a).map_err(|e| FieldError::at("actors", i, e.to_string()))?;
        if actors.contains(&c) {
            return Err(FieldError::at("actors", i, format!("{c} is listed twice")));
        }
        actors.push(c);
    }
    if input.title.trim().is_empty() {
        return Err(FieldError::new("title", "must not be empty"));
    }
    if input.sources.is_empty() || input.sources.iter().any(|s| s.trim().is_empty()) {
        return Err(FieldError::new(
            "sources",
            "every event needs at least one non-empty source",
        ));
    }
    let tier = match (&input.tier, kind) {
        (Some(t), EventKind::Partnership) => Some(Tier::parse(t).ok_or_else(|| {
            FieldError::new(
                "tier",
                format!(
                    "unknown tier `{t}` (expected one of: {})",
                    Tier::ALL.map(Tier::as_str).join(", ")
                ),
            )
        })?),
        (Some(_), _) => {
            return Err(FieldError::new(
                "tier",
                format!("is only for kind `partnership`, not `{kind}`"),
            ))
        }
        (None, EventKind::Partnership) => {
            return Err(FieldError::new(
                "tier",
                "a partnership event must say which tier",
            ))
        }
        (None, _) => None,
    };
    if kind != EventKind::Vote && !input.votes.is_empty() {
        return Err(FieldError::new(
            "votes",
            format!("is only for kind `vote`, not `{kind}`"),
        ));
    }
    let mut votes = Vec::with_capacity(input.votes.len());
    for (c, v) in &input.votes {
        let code = Iso3::parse(c).map_err(|e| FieldError::new("votes", e.to_string()))?;
        let vote = match v.as_str() {
            "yes" => Vote::Yes,
            "no" => Vote::No,
            "abstain" => Vote::Abstain,
            other => {
                return Err(FieldError::new(
                    "votes",
                    format!("`{other}` for {code} is not a vote (yes, no, abstain)"),
                ))
            }
        };
        votes.push((code, vote));
    }
    votes.sort_by_key(|v| v.0);
    if votes.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(FieldError::new("votes", "a state is listed twice"));
    }
    if kind == EventKind::Vote && votes.is_empty() {
        return Err(FieldError::new(
            "votes",
            "a vote event must record at least the subject's vote",
        ));
    }
    Ok(LedgerEvent {
        date,
        kind,
        actors,
        title: input.title.clone(),
        sources: input.sources.clone(),
        tier,
        votes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: &str) -> EventInput {
        EventInput {
            date: "2023-09-10".into(),
            kind: kind.into(),
            actors: vec!["VNM".into(), "USA".into()],
            title: "t".into(),
            sources: vec!["seed:003".into()],
            tier: (kind == "partnership").then(|| "comprehensive_strategic".into()),
            votes: if kind == "vote" {
                vec![("VNM".into(), "abstain".into())]
            } else {
                vec![]
            },
        }
    }

    #[test]
    fn every_kind_validates() {
        for k in EventKind::ALL {
            let e = validate_event(&ev(k.as_str())).unwrap();
            assert_eq!(e.kind, k);
        }
    }

    #[test]
    fn event_rules_name_their_field() {
        let check = |f: &dyn Fn(&mut EventInput), field: &str| {
            let mut e = ev("visit");
            f(&mut e);
            assert_eq!(validate_event(&e).unwrap_err().field, field);
        };
        check(&|e| e.date = "2023-13-01".into(), "date");
        check(&|e| e.kind = "summit".into(), "kind");
        check(&|e| e.actors.push("vn".into()), "actors");
        check(&|e| e.actors.push("usa".into()), "actors");
        check(&|e| e.actors.clear(), "actors");
        check(&|e| e.title = " ".into(), "title");
        check(&|e| e.sources.clear(), "sources");
        check(&|e| e.sources.push("".into()), "sources");
        check(&|e| e.tier = Some("strategic".into()), "tier");
        check(&|e| e.votes.push(("VNM".into(), "yes".into())), "votes");
        let mut e = ev("partnership");
        e.tier = None;
        assert_eq!(validate_event(&e).unwrap_err().field, "tier");
        let mut e = ev("vote");
        e.votes.push(("USA".into(), "maybe".into()));
        assert_eq!(validate_event(&e).unwrap_err().field, "votes");
        let e = validate_event(&{
            let mut e = ev("visit");
            e.actors.push("xyz".into());
            e.actors.push("vnm".into());
            e
        })
        .unwrap_err();
        assert_eq!((e.field.as_str(), e.index), ("actors", Some(3)));
    }
}
