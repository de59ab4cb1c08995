//! Which roll calls a measure reads: all of them, or only those on some of Voeten's six
//! issues (`--issue me,nu,di,hr,co,ec`), or only those flagged as important votes
//! (`--important`).
//!
//! A source that codes issues (unvotes, Voeten) keeps its own codes. A source that codes
//! none (a UN Digital Library export, a one-resolution table) gets the codes that the
//! curated vocabulary (`data/record/tags.toml`, read into [`RecordRules`]) derives from its
//! subject terms and title words, the same codes `cases from-votes` uses for its tags, so
//! an issue filter means the same on every source. The important-vote flag is the
//! source's own; a roll call whose source does not say is not selected by `--important`.

use std::ops::Range;

use crate::record::{source_codes_issues, RecordRules};
use crate::store::{Issue, RollCall, VoteStore};

/// What to keep. The default keeps every roll call.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RollCallFilter {
    /// Bit set of [`Issue`]s: a roll call is kept if it has any of them. 0 = no issue filter.
    pub issues: u8,
    /// Keep only roll calls the source flags as important votes.
    pub important: bool,
}

/// Why a filter cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// A listed code is none of the six (the code as given).
    #[error("`{0}` is not an issue code; use any of me (Palestinian conflict), nu (nuclear weapons), di (arms control and disarmament), hr (human rights), co (colonialism), ec (economic development), comma-separated")]
    UnknownIssue(String),
    /// The list is empty (or only commas and spaces).
    #[error("no issue code given; use any of me, nu, di, hr, co, ec, comma-separated")]
    NoIssue,
}

impl RollCallFilter {
    /// Parses a comma-separated list of issue codes (`me,nu`); case and spaces are ignored.
    pub fn parse_issues(text: &str) -> Result<u8, FilterError> {
        let mut bits = 0u8;
        for part in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let i = Issue::from_code(&part.to_ascii_lowercase())
                .ok_or_else(|| FilterError::UnknownIssue(part.to_string()))?;
            bits |= 1 << i as u8;
        }
        if bits == 0 {
            return Err(FilterError::NoIssue);
        }
        Ok(bits)
    }

    /// Whether every roll call is kept.
    pub fn is_all(&self) -> bool {
        self.issues == 0 && !self.important
    }

    /// The issue codes, in Voeten's order (`["me", "hr"]`).
    pub fn issue_codes(&self) -> Vec<&'static str> {
        Issue::ALL
            .into_iter()
            .filter(|i| self.issues & (1 << *i as u8) != 0)
            .map(Issue::code)
            .collect()
    }

    /// Words for the filter, as tables and charts say it (`all roll calls`, or
    /// `roll calls on hr or me, important votes only`).
    pub fn label(&self) -> String {
        if self.is_all() {
            return "all roll calls".into();
        }
        let mut parts = Vec::new();
        if self.issues != 0 {
            parts.push(format!("roll calls on {}", self.issue_codes().join(" or ")));
        }
        if self.important {
            parts.push("important votes only".into());
        }
        parts.join(", ")
    }

    /// The definition of what the filter keeps, for the `definitions` of an output.
    pub fn definition(&self) -> String {
        let mut s = String::from("roll calls read: ");
        s.push_str(&self.label());
        if self.issues != 0 {
            s.push_str("; issue codes are Voeten's (me Palestinian conflict, nu nuclear weapons, di arms control and disarmament, hr human rights, co colonialism, ec economic development): the source's own codes for unvotes and Voeten's tables, and for imported UN Digital Library votes the codes that data/record/tags.toml derives from their subject terms and title words; a roll call with any of the codes asked is kept");
        }
        if self.important {
            s.push_str("; important = the source's important-vote flag (the US State Department's list, in unvotes for 1983-2017); roll calls whose source carries no flag are left out");
        }
        s
    }
}

/// The issue codes of one roll call: its source's own, or, where the source codes none,
/// the ones the vocabulary derives from its subject terms and title words.
pub fn issues_of(rc: &RollCall, rules: &RecordRules) -> u8 {
    if source_codes_issues(rc) {
        rc.issues
    } else {
        rules.vocabulary.read(rc).issues
    }
}

/// The roll calls of a store that a filter keeps, as one flag per roll call.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    /// `None`: every roll call. Else one flag per roll call of the store.
    keep: Option<Vec<bool>>,
    /// The filter the flags were computed from (for labels and definitions).
    pub filter: RollCallFilter,
}

impl Selection {
    /// Every roll call.
    pub fn all() -> Selection {
        Selection {
            keep: None,
            filter: RollCallFilter::default(),
        }
    }

    /// The roll calls of `store` that `filter` keeps. `rules` gives imported votes their
    /// issue codes; it is read only when the filter names issues.
    pub fn new(store: &VoteStore, filter: RollCallFilter, rules: &RecordRules) -> Selection {
        if filter.is_all() {
            return Selection::all();
        }
        let keep = store
            .roll_calls()
            .iter()
            .map(|rc| {
                (filter.issues == 0 || issues_of(rc, rules) & filter.issues != 0)
                    && (!filter.important || rc.important == Some(true))
            })
            .collect();
        Selection {
            keep: Some(keep),
            filter,
        }
    }

    /// Whether roll call `i` (an index into the store's roll calls) is kept.
    pub fn contains(&self, i: usize) -> bool {
        self.keep.as_ref().is_none_or(|k| k[i])
    }

    /// Whether every roll call is kept.
    pub fn is_all(&self) -> bool {
        self.keep.is_none()
    }

    /// The kept roll calls of a range of indices.
    pub fn indices(&self, range: Range<usize>) -> impl Iterator<Item = usize> + '_ {
        range.filter(move |&i| self.contains(i))
    }

    /// How many roll calls of a range are kept.
    pub fn count(&self, range: Range<usize>) -> usize {
        match &self.keep {
            None => range.len(),
            Some(k) => k[range].iter().filter(|&&x| x).count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Phrase, PhraseRule, Vocabulary, UNDL_RCID_BASE};
    use crate::store::VoteStoreBuilder;
    use crate::{Date, Iso3, Vote};

    #[test]
    fn parses_issue_lists() {
        assert_eq!(RollCallFilter::parse_issues("hr"), Ok(1 << 3));
        assert_eq!(RollCallFilter::parse_issues(" ME, nu ,"), Ok(0b11));
        assert!(matches!(
            RollCallFilter::parse_issues("hr,xx"),
            Err(FilterError::UnknownIssue(s)) if s == "xx"
        ));
        assert_eq!(
            RollCallFilter::parse_issues(" , "),
            Err(FilterError::NoIssue)
        );
        let f = RollCallFilter {
            issues: 0b1001,
            important: true,
        };
        assert_eq!(f.issue_codes(), vec!["me", "hr"]);
        assert_eq!(f.label(), "roll calls on me or hr, important votes only");
    }

    /// Coded roll calls keep their codes (even none); imported ones get the vocabulary's.
    #[test]
    fn imported_votes_get_the_vocabularys_codes() {
        let mut b = VoteStoreBuilder::new();
        let d = Date::parse("2022-03-02").unwrap();
        let mut coded = RollCall::new(1, d, 0);
        coded.title = Some("Human rights in somewhere".into());
        coded.important = Some(true);
        let mut imported = RollCall::new(UNDL_RCID_BASE + 5, d, 1);
        imported.subjects = Some("HUMAN RIGHTS ADVANCEMENT".into());
        let mut other = RollCall::new(UNDL_RCID_BASE + 6, d, 1);
        other.subjects = Some("FISHERIES".into());
        for rc in [coded, imported, other] {
            let id = rc.rcid;
            b.add_roll_call(rc).unwrap();
            b.add_vote(id, Iso3::from_static("VNM"), Vote::Yes).unwrap();
        }
        let store = b.build().unwrap();
        let rules = RecordRules {
            vocabulary: Vocabulary {
                subjects: vec![PhraseRule {
                    phrases: vec![Phrase::new("human rights").unwrap()],
                    issues: 1 << Issue::HumanRights as u8,
                    tags: Default::default(),
                }],
                ..Default::default()
            },
            targets: Default::default(),
        };
        let hr = RollCallFilter {
            issues: 1 << Issue::HumanRights as u8,
            important: false,
        };
        let s = Selection::new(&store, hr, &rules);
        let kept: Vec<u64> = s
            .indices(0..3)
            .map(|i| store.roll_calls()[i].rcid)
            .collect();
        // The coded roll call has no hr code of its own: its title does not make it one.
        assert_eq!(kept, vec![UNDL_RCID_BASE + 5]);
        let imp = RollCallFilter {
            issues: 0,
            important: true,
        };
        let s = Selection::new(&store, imp, &rules);
        assert_eq!(s.count(0..3), 1);
        assert!(Selection::all().contains(2) && Selection::all().is_all());
    }
}
