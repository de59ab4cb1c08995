//! The ledger: dated, sourced events in a subject's relations (visits, partnerships,
//! agreements, votes, trade, arms, incidents, exercises).
//!
//! The engine reads the ledger *as of* a case's date: only events strictly before it. The
//! same event type is what a server stores (at least `date, kind, actors, title, sources`).

use std::fmt;

use crate::case::{parse_tier, FieldError, Tier};
use crate::country::Iso3;
use crate::date::Date;
use crate::vote::Vote;

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
    /// Every kind, in the order error messages list them.
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

    /// The kind's name in ledger files and JSON (`visit`, `partnership`, ...).
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

    /// The kind of a name, exactly as [`EventKind::as_str`] spells it.
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
    /// The day it happened; a case reads only events dated strictly before its own date.
    pub date: Date,
    /// What kind of event it is.
    pub kind: EventKind,
    /// The states involved (ISO3), the subject usually first; at least one, each once.
    pub actors: Vec<Iso3>,
    /// A one-line description (never empty).
    pub title: String,
    /// Where the fact comes from (URLs or citations; at least one, none empty).
    pub sources: Vec<String>,
    /// For `partnership`: the tier reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// For `vote`: how states voted (the subject among them), sorted by country.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub votes: Vec<(Iso3, Vote)>,
}

impl LedgerEvent {
    /// Whether the event involves both `a` and `b`.
    pub fn involves(&self, a: Iso3, b: Iso3) -> bool {
        self.actors.contains(&a) && self.actors.contains(&b)
    }

    /// The vote a state cast, for a `vote` event.
    pub fn vote_of(&self, c: Iso3) -> Option<Vote> {
        self.votes
            .binary_search_by_key(&c, |v| v.0)
            .ok()
            .map(|i| self.votes[i].1)
    }
}

/// A ledger event as a reader found it.
#[derive(Clone, Debug, Default)]
pub struct EventInput {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// An [`EventKind`] name.
    pub kind: String,
    /// ISO3 codes.
    pub actors: Vec<String>,
    /// The description.
    pub title: String,
    /// The sources.
    pub sources: Vec<String>,
    /// For `partnership` only (and required there): the tier's name.
    pub tier: Option<String>,
    /// For `vote` only (and required there): (ISO3 code, `yes` / `no` / `abstain`) pairs.
    pub votes: Vec<(String, String)>,
}

/// Checks one event and lowers it.
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
        (Some(t), EventKind::Partnership) => {
            Some(parse_tier(t).map_err(|m| FieldError::new("tier", m))?)
        }
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

/// A subject's events, sorted by date (ties keep file order).
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    /// The state whose relations the ledger records, when the file names it.
    pub subject: Option<Iso3>,
    events: Vec<LedgerEvent>,
}

impl Ledger {
    /// A ledger of `events`, sorted by date (stable, so same-day events keep their order).
    pub fn new(subject: Option<Iso3>, mut events: Vec<LedgerEvent>) -> Ledger {
        events.sort_by_key(|e| e.date);
        Ledger { subject, events }
    }

    /// Every event, sorted by date.
    pub fn events(&self) -> &[LedgerEvent] {
        &self.events
    }

    /// The events dated strictly before `date`: what was known when a decision dated
    /// `date` was taken. An event on the day itself is excluded, so a case's own outcome
    /// can never inform its answer.
    pub fn before(&self, date: Date) -> &[LedgerEvent] {
        let n = self.events.partition_point(|e| e.date < date);
        &self.events[..n]
    }

    /// Whether the ledger has no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(date: &str, kind: &str) -> EventInput {
        EventInput {
            date: date.into(),
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
    fn before_is_strict() {
        let l = Ledger::new(
            None,
            vec![
                validate_event(&ev("2023-09-10", "partnership")).unwrap(),
                validate_event(&ev("2016-05-23", "visit")).unwrap(),
            ],
        );
        let d = Date::parse("2023-09-10").unwrap();
        assert_eq!(l.before(d).len(), 1);
        assert_eq!(l.before(d)[0].kind, EventKind::Visit);
    }

    #[test]
    fn event_rules_name_their_field() {
        let mut e = ev("2023-09-10", "partnership");
        e.tier = None;
        assert_eq!(validate_event(&e).unwrap_err().field, "tier");
        let mut e = ev("2023-09-10", "visit");
        e.kind = "summit".into();
        assert_eq!(validate_event(&e).unwrap_err().field, "kind");
        let mut e = ev("2023-09-10", "vote");
        e.votes.push(("USA".into(), "maybe".into()));
        assert_eq!(validate_event(&e).unwrap_err().field, "votes");
        let mut e = ev("2023-09-10", "visit");
        e.actors.push("vn".into());
        assert_eq!(validate_event(&e).unwrap_err().field, "actors");
    }
}
