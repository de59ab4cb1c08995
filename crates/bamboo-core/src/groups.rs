//! Groups of states (ASEAN, BRICS, the EU, NATO, …) with who was a member when, as the
//! curated `data/groups.toml` records them (read by `bamboo-data`). A group selects the
//! states that were members on a date; measures read on a period use the date of its
//! last roll call.

use crate::country::Iso3;
use crate::date::Date;

/// One state's membership: from the day it joined (inclusive) to the day it left
/// (exclusive), either end open.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Membership {
    /// The member.
    pub state: Iso3,
    /// The day it joined, included. `None`: the group's list gives no date; the state
    /// counts as a member from the start.
    pub from: Option<Date>,
    /// The day it left, excluded; `None` while it is still a member.
    pub to: Option<Date>,
    /// Where the fact comes from.
    pub source: String,
}

impl Membership {
    /// Whether the state was a member on day `d` (`from <= d < to`, open ends open).
    pub fn on(&self, d: Date) -> bool {
        self.from.is_none_or(|f| f <= d) && self.to.is_none_or(|t| d < t)
    }
}

/// A group and its members over time.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Group {
    /// The code typed on the command line (`ASEAN`), matched without regard to case.
    pub code: String,
    /// The group's full name (`Association of Southeast Asian Nations`).
    pub name: String,
    /// What the file says about how it records the group (e.g. a list without dates).
    pub note: Option<String>,
    /// Every membership, in the file's order; a state that left and rejoined has one
    /// per spell.
    pub members: Vec<Membership>,
}

impl Group {
    /// The members on a date, sorted by code, each once.
    pub fn members_on(&self, d: Date) -> Vec<Iso3> {
        let mut v: Vec<Iso3> = self
            .members
            .iter()
            .filter(|m| m.on(d))
            .map(|m| m.state)
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Every state that was ever a member, sorted.
    pub fn ever(&self) -> Vec<Iso3> {
        let mut v: Vec<Iso3> = self.members.iter().map(|m| m.state).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Whether the group records dates (false for lists "as of" a date).
    pub fn dated(&self) -> bool {
        self.members.iter().any(|m| m.from.is_some())
    }

    /// The definition printed beside results read for this group.
    pub fn definition(&self) -> String {
        let mut s = format!(
            "{} ({}): the states that were members on the date of the period's last roll call, as data/groups.toml records them with their sources",
            self.code, self.name
        );
        if let Some(n) = &self.note {
            s.push_str("; ");
            s.push_str(n);
        }
        s
    }
}

/// Every group of the curated file.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Groups {
    /// The groups, in the file's order.
    pub groups: Vec<Group>,
}

impl Groups {
    /// A group by its code, in any case.
    pub fn get(&self, code: &str) -> Option<&Group> {
        let c = code.trim();
        self.groups.iter().find(|g| g.code.eq_ignore_ascii_case(c))
    }

    /// The codes, as the file lists them.
    pub fn codes(&self) -> Vec<&str> {
        self.groups.iter().map(|g| g.code.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &'static str, from: Option<&str>, to: Option<&str>) -> Membership {
        Membership {
            state: Iso3::from_static(s),
            from: from.map(|d| Date::parse(d).unwrap()),
            to: to.map(|d| Date::parse(d).unwrap()),
            source: "test".into(),
        }
    }

    #[test]
    fn membership_by_date() {
        let g = Group {
            code: "EU".into(),
            name: "European Union".into(),
            note: None,
            members: vec![
                m("FRA", Some("1958-01-01"), None),
                m("GBR", Some("1973-01-01"), Some("2020-02-01")),
            ],
        };
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(
            g.members_on(d("1972-12-31")),
            vec![Iso3::from_static("FRA")]
        );
        assert_eq!(g.members_on(d("2020-01-31")).len(), 2);
        assert_eq!(g.members_on(d("2020-02-01")).len(), 1);
        let gs = Groups { groups: vec![g] };
        assert!(gs.get("eu").is_some() && gs.get("ASEAN").is_none());
        assert!(gs.groups[0].dated());
    }
}
