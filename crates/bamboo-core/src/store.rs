//! The merged store of UN General Assembly roll calls and the votes cast on them.
//!
//! Countries are interned and sorted by code, so a country index orders the same way as its
//! ISO3 code; roll calls are sorted by (date, rcid). Votes are kept flat, grouped by roll
//! call and sorted by country inside each group, which makes a pair's complete cases a
//! merge of two sorted lists and a year's votes one contiguous slice.

use std::collections::HashMap;
use std::ops::RangeInclusive;

pub mod codec;

use crate::country::Iso3;
use crate::date::Date;
use crate::metrics::JointTable;
use crate::vote::Vote;

/// The six issue codes of the unvotes data (`un_roll_call_issues`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Issue {
    /// `me`: the Palestinian conflict.
    MiddleEast = 0,
    /// `nu`: nuclear weapons and material.
    Nuclear = 1,
    /// `di`: arms control and disarmament.
    Disarmament = 2,
    /// `hr`: human rights.
    HumanRights = 3,
    /// `co`: colonialism.
    Colonialism = 4,
    /// `ec`: economic development.
    Economic = 5,
}

impl Issue {
    /// Every issue, in code order (the bit of issue `i` in [`RollCall::issues`] is `1 << i`).
    pub const ALL: [Issue; 6] = [
        Issue::MiddleEast,
        Issue::Nuclear,
        Issue::Disarmament,
        Issue::HumanRights,
        Issue::Colonialism,
        Issue::Economic,
    ];

    /// The two-letter code of the unvotes data (`me`, `nu`, `di`, `hr`, `co`, `ec`).
    pub fn code(self) -> &'static str {
        ["me", "nu", "di", "hr", "co", "ec"][self as usize]
    }

    /// The issue of a two-letter code, exactly as spelt (lower case).
    pub fn from_code(s: &str) -> Option<Issue> {
        Issue::ALL.into_iter().find(|i| i.code() == s)
    }
}

/// One recorded vote of the General Assembly.
#[derive(Clone, Debug, PartialEq)]
pub struct RollCall {
    /// The roll call's id: unvotes/Voeten `rcid`, or an id assigned to an imported record.
    pub rcid: u64,
    /// The day of the vote.
    pub date: Date,
    /// The General Assembly session it belongs to (1 opened in 1946), where the source says.
    pub session: Option<u32>,
    /// Resolution symbol, where the source gives one (e.g. `R/1/66`, `A/RES/ES-11/1`).
    pub resolution: Option<String>,
    /// Short title or description, where the source gives one.
    pub title: Option<String>,
    /// Bit set of [`Issue`]s.
    pub issues: u8,
    /// Index of the source file in [`VoteStore::sources`].
    pub source: u16,
    /// A longer description than the title, where the source gives one (unvotes `descr`).
    pub description: Option<String>,
    /// The UN Digital Library's subject terms, as the source lists them (comma-separated).
    pub subjects: Option<String>,
    /// The source's "important vote" flag (unvotes `importantvote`), where it has one.
    pub important: Option<bool>,
    /// A vote on an amendment (unvotes `amend`), where the source says.
    pub amendment: Option<bool>,
    /// A vote on a paragraph (unvotes `para`), where the source says.
    pub paragraph: Option<bool>,
    /// The recorded totals (yes, no, abstain) where the source states them (UN Digital
    /// Library `total_yes`, `total_no`, `total_abstentions`); otherwise counted from votes.
    pub tally: Option<[u32; 3]>,
}

impl RollCall {
    /// A roll call with only its id, date and source; every descriptive field empty.
    pub fn new(rcid: u64, date: Date, source: u16) -> RollCall {
        RollCall {
            rcid,
            date,
            session: None,
            resolution: None,
            title: None,
            issues: 0,
            source,
            description: None,
            subjects: None,
            important: None,
            amendment: None,
            paragraph: None,
            tally: None,
        }
    }

    /// Fills every empty descriptive field from `other` (the first non-empty value wins).
    pub fn enrich(&mut self, other: RollCall) {
        self.session = self.session.or(other.session);
        self.resolution = self.resolution.take().or(other.resolution);
        self.title = self.title.take().or(other.title);
        self.issues |= other.issues;
        self.description = self.description.take().or(other.description);
        self.subjects = self.subjects.take().or(other.subjects);
        self.important = self.important.or(other.important);
        self.amendment = self.amendment.or(other.amendment);
        self.paragraph = self.paragraph.or(other.paragraph);
        self.tally = self.tally.or(other.tally);
    }

    /// Whether the roll call is marked with issue `i`.
    pub fn has_issue(&self, i: Issue) -> bool {
        self.issues & (1 << i as u8) != 0
    }
}

/// A vote as stored: the country's index in [`VoteStore::countries`] and its position.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Cast {
    /// The voting country's index in [`VoteStore::countries`].
    pub country: u16,
    /// How it voted.
    pub vote: Vote,
}

/// Why a set of roll calls and votes cannot form a store.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// Two sources give the same roll call id different dates.
    #[error("roll call {rcid} is defined twice, with different dates ({first} and {second})")]
    ConflictingRollCall {
        /// The roll call's id.
        rcid: u64,
        /// The date it was first added with.
        first: Date,
        /// The other date.
        second: Date,
    },
    /// A country is recorded with two different votes on one roll call.
    #[error("{country} has two different votes on roll call {rcid} ({first} and {second})")]
    ConflictingVote {
        /// The roll call's id.
        rcid: u64,
        /// The country.
        country: Iso3,
        /// One vote, by name ([`Vote::as_str`]), in coding order.
        first: &'static str,
        /// The other vote, by name.
        second: &'static str,
    },
    /// A vote is added before (or without) its roll call.
    #[error("a vote refers to roll call {rcid}, which is not defined")]
    UnknownRollCall {
        /// The id the vote names.
        rcid: u64,
    },
    /// Country indices are `u16`: the store holds at most 65,535 countries.
    #[error("more than 65,535 distinct countries")]
    TooManyCountries,
}

/// Collects roll calls and votes from any number of sources, then freezes them.
#[derive(Default)]
pub struct VoteStoreBuilder {
    sources: Vec<String>,
    roll_calls: Vec<RollCall>,
    by_rcid: HashMap<u64, u32>,
    countries: Vec<Iso3>,
    votes: Vec<(u32, u16, Vote)>,
    /// The last (rcid, index) and (code, index) looked up: votes come grouped by roll
    /// call, so most lookups hit these and skip hashing.
    last_rc: Option<(u64, u32)>,
    /// Country index by the code's three letters (26³ slots), filled lazily.
    code_slots: Vec<u16>,
}

impl VoteStoreBuilder {
    /// An empty builder: no source, roll call or vote.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a source (usually a file path) and returns its index.
    pub fn add_source(&mut self, name: impl Into<String>) -> u16 {
        self.sources.push(name.into());
        (self.sources.len() - 1) as u16
    }

    /// Whether a roll call with this id is already known.
    pub fn has_roll_call(&self, rcid: u64) -> bool {
        self.by_rcid.contains_key(&rcid)
    }

    /// The roll calls added so far.
    pub fn roll_calls(&self) -> &[RollCall] {
        &self.roll_calls
    }

    /// Adds a roll call. Adding the same id again with the same date merges the
    /// descriptive fields (the first non-empty value wins).
    pub fn add_roll_call(&mut self, rc: RollCall) -> Result<(), StoreError> {
        if let Some(&i) = self.by_rcid.get(&rc.rcid) {
            let old = &mut self.roll_calls[i as usize];
            if old.date != rc.date {
                return Err(StoreError::ConflictingRollCall {
                    rcid: rc.rcid,
                    first: old.date,
                    second: rc.date,
                });
            }
            old.enrich(rc);
            return Ok(());
        }
        self.by_rcid.insert(rc.rcid, self.roll_calls.len() as u32);
        self.roll_calls.push(rc);
        Ok(())
    }

    /// Fills the empty descriptive fields of a known roll call from `other` (an imported
    /// record of the same roll call, say); returns false if the roll call is unknown.
    pub fn enrich(&mut self, rcid: u64, other: RollCall) -> bool {
        match self.by_rcid.get(&rcid) {
            Some(&i) => {
                self.roll_calls[i as usize].enrich(other);
                true
            }
            None => false,
        }
    }

    /// Marks issues on a known roll call; returns false if the roll call is unknown.
    pub fn add_issue(&mut self, rcid: u64, issue: Issue) -> bool {
        match self.by_rcid.get(&rcid) {
            Some(&i) => {
                self.roll_calls[i as usize].issues |= 1 << issue as u8;
                true
            }
            None => false,
        }
    }

    /// The votes already added on roll calls held on any of `dates`, by rcid, for
    /// recognising a roll call that another file repeats.
    pub fn votes_on_dates(
        &self,
        dates: &std::collections::HashSet<Date>,
    ) -> HashMap<u64, HashMap<Iso3, Vote>> {
        let mut out: HashMap<u64, HashMap<Iso3, Vote>> = HashMap::new();
        for rc in &self.roll_calls {
            if dates.contains(&rc.date) {
                out.entry(rc.rcid).or_default();
            }
        }
        for &(rc, c, v) in &self.votes {
            let rc = &self.roll_calls[rc as usize];
            if let Some(m) = out.get_mut(&rc.rcid) {
                m.insert(self.countries[c as usize], v);
            }
        }
        out
    }

    fn intern(&mut self, c: Iso3) -> Result<u16, StoreError> {
        let b = c.as_str().as_bytes();
        let slot = (usize::from(b[0] - b'A') * 26 + usize::from(b[1] - b'A')) * 26
            + usize::from(b[2] - b'A');
        if self.code_slots.is_empty() {
            self.code_slots = vec![u16::MAX; 26 * 26 * 26];
        }
        if self.code_slots[slot] != u16::MAX {
            return Ok(self.code_slots[slot]);
        }
        let i = u16::try_from(self.countries.len())
            .ok()
            .filter(|&i| i != u16::MAX)
            .ok_or(StoreError::TooManyCountries)?;
        self.countries.push(c);
        self.code_slots[slot] = i;
        Ok(i)
    }

    /// Adds a vote on a roll call that must already have been added.
    pub fn add_vote(&mut self, rcid: u64, country: Iso3, vote: Vote) -> Result<(), StoreError> {
        let rc = match self.last_rc {
            Some((id, i)) if id == rcid => i,
            _ => {
                let i = *self
                    .by_rcid
                    .get(&rcid)
                    .ok_or(StoreError::UnknownRollCall { rcid })?;
                self.last_rc = Some((rcid, i));
                i
            }
        };
        let c = self.intern(country)?;
        self.votes.push((rc, c, vote));
        Ok(())
    }

    /// Sorts and checks everything. Identical duplicate votes are kept once; conflicting
    /// ones are an error.
    pub fn build(self) -> Result<VoteStore, StoreError> {
        let VoteStoreBuilder {
            sources,
            roll_calls,
            countries,
            mut votes,
            ..
        } = self;
        // Country indices sorted by code.
        let mut order: Vec<u16> = (0..countries.len() as u16).collect();
        order.sort_by_key(|&i| countries[i as usize]);
        let mut country_rank = vec![0u16; countries.len()];
        for (rank, &i) in order.iter().enumerate() {
            country_rank[i as usize] = rank as u16;
        }
        let sorted_countries: Vec<Iso3> = order.iter().map(|&i| countries[i as usize]).collect();
        // Roll calls sorted by (date, rcid).
        let mut rc_order: Vec<u32> = (0..roll_calls.len() as u32).collect();
        rc_order.sort_by_key(|&i| (roll_calls[i as usize].date, roll_calls[i as usize].rcid));
        let mut rc_rank = vec![0u32; roll_calls.len()];
        for (rank, &i) in rc_order.iter().enumerate() {
            rc_rank[i as usize] = rank as u32;
        }
        let mut slots: Vec<Option<RollCall>> = roll_calls.into_iter().map(Some).collect();
        let sorted_rcs: Vec<RollCall> = rc_order
            .iter()
            .map(|&i| {
                slots[i as usize]
                    .take()
                    .expect("each roll call is taken once")
            })
            .collect();
        for v in &mut votes {
            *v = (rc_rank[v.0 as usize], country_rank[v.1 as usize], v.2);
        }
        votes.sort_unstable_by_key(|&(rc, c, vote)| (rc, c, vote));
        let mut casts = Vec::with_capacity(votes.len());
        let mut offsets = vec![0u32; sorted_rcs.len() + 1];
        let mut last: Option<(u32, u16, Vote)> = None;
        for &(rc, c, vote) in &votes {
            if let Some((lrc, lc, lv)) = last {
                if lrc == rc && lc == c {
                    if lv != vote {
                        return Err(StoreError::ConflictingVote {
                            rcid: sorted_rcs[rc as usize].rcid,
                            country: sorted_countries[c as usize],
                            first: lv.as_str(),
                            second: vote.as_str(),
                        });
                    }
                    continue;
                }
            }
            casts.push(Cast { country: c, vote });
            offsets[rc as usize + 1] += 1;
            last = Some((rc, c, vote));
        }
        for i in 0..sorted_rcs.len() {
            offsets[i + 1] += offsets[i];
        }
        Ok(VoteStore::assemble(
            sources,
            sorted_countries,
            sorted_rcs,
            offsets,
            casts,
        ))
    }
}

/// All roll calls and votes, frozen and indexed.
#[derive(Clone, Debug)]
pub struct VoteStore {
    sources: Vec<String>,
    countries: Vec<Iso3>,
    roll_calls: Vec<RollCall>,
    offsets: Vec<u32>,
    casts: Vec<Cast>,
    /// `dense[i * countries.len() + c]`: the code of country `c`'s vote on roll call `i`,
    /// 0 when it did not vote (the same facts as `casts`, for constant-time lookups).
    dense: Vec<u8>,
    /// (year, first roll call, one past the last) for each year that has roll calls.
    years: Vec<(i32, u32, u32)>,
}

impl VoteStore {
    /// A store from its facts, already sorted and grouped (countries by code, roll calls by
    /// date and id, each roll call's votes by country, `offsets` delimiting them): builds the
    /// year index and the dense lookup table.
    fn assemble(
        sources: Vec<String>,
        countries: Vec<Iso3>,
        roll_calls: Vec<RollCall>,
        offsets: Vec<u32>,
        casts: Vec<Cast>,
    ) -> VoteStore {
        let mut years: Vec<(i32, u32, u32)> = Vec::new();
        for (i, rc) in roll_calls.iter().enumerate() {
            let y = rc.date.year();
            match years.last_mut() {
                Some((ly, _, end)) if *ly == y => *end = i as u32 + 1,
                _ => years.push((y, i as u32, i as u32 + 1)),
            }
        }
        // Every (roll call, country) cell as one byte (0 = no vote, else the vote's code),
        // so a lookup is one index instead of a binary search: about 1.3 MB for 1946-2024.
        let width = countries.len();
        let mut dense = vec![0u8; roll_calls.len() * width];
        for i in 0..roll_calls.len() {
            for c in &casts[offsets[i] as usize..offsets[i + 1] as usize] {
                dense[i * width + c.country as usize] = c.vote.code();
            }
        }
        VoteStore {
            sources,
            countries,
            roll_calls,
            offsets,
            casts,
            dense,
            years,
        }
    }

    /// The sources the store was built from, in the order they were added.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// Every country that cast at least one vote, sorted by code.
    pub fn countries(&self) -> &[Iso3] {
        &self.countries
    }

    /// The index of a country, if it ever voted.
    pub fn country_index(&self, c: Iso3) -> Option<u16> {
        self.countries.binary_search(&c).ok().map(|i| i as u16)
    }

    /// Roll calls sorted by date.
    pub fn roll_calls(&self) -> &[RollCall] {
        &self.roll_calls
    }

    /// The number of stored votes.
    pub fn vote_count(&self) -> usize {
        self.casts.len()
    }

    /// The votes on roll call `i` (an index into [`roll_calls`](Self::roll_calls)),
    /// sorted by country.
    pub fn votes(&self, i: usize) -> &[Cast] {
        &self.casts[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// The years that have roll calls, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().map(|y| y.0)
    }

    /// The first and last year with roll calls.
    pub fn year_span(&self) -> Option<(i32, i32)> {
        Some((self.years.first()?.0, self.years.last()?.0))
    }

    /// Indices of the roll calls held in `year`.
    pub fn year_roll_calls(&self, year: i32) -> std::ops::Range<usize> {
        match self.years.binary_search_by_key(&year, |y| y.0) {
            Ok(i) => self.years[i].1 as usize..self.years[i].2 as usize,
            Err(_) => 0..0,
        }
    }

    /// Indices of the roll calls held in a span of years.
    pub fn span_roll_calls(&self, years: RangeInclusive<i32>) -> std::ops::Range<usize> {
        let lo = self.years.partition_point(|y| y.0 < *years.start());
        let hi = self.years.partition_point(|y| y.0 <= *years.end());
        if lo >= hi {
            return 0..0;
        }
        self.years[lo].1 as usize..self.years[hi - 1].2 as usize
    }

    /// A country's vote on roll call `i`, if it voted.
    pub fn vote_of(&self, i: usize, country: u16) -> Option<Vote> {
        let w = self.countries.len();
        if usize::from(country) >= w {
            return None;
        }
        Vote::from_code(self.dense[i * w + usize::from(country)])
    }

    /// The joint table of two countries over a range of roll-call indices.
    pub fn pair_table(&self, a: u16, b: u16, rcs: std::ops::Range<usize>) -> JointTable {
        let mut t = JointTable::default();
        for i in rcs {
            if let (Some(x), Some(y)) = (self.vote_of(i, a), self.vote_of(i, b)) {
                t.add(x, y);
            }
        }
        t
    }

    /// The first and last date on which a country voted.
    pub fn voting_span(&self, country: u16) -> Option<(Date, Date)> {
        let first = (0..self.roll_calls.len()).find(|&i| self.vote_of(i, country).is_some())?;
        let last = (0..self.roll_calls.len())
            .rev()
            .find(|&i| self.vote_of(i, country).is_some())?;
        Some((self.roll_calls[first].date, self.roll_calls[last].date))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rc(rcid: u64, date: &str) -> RollCall {
        RollCall::new(rcid, Date::parse(date).unwrap(), 0)
    }

    fn c(s: &'static str) -> Iso3 {
        Iso3::from_static(s)
    }

    #[test]
    fn sorts_countries_and_roll_calls() {
        let mut b = VoteStoreBuilder::new();
        b.add_roll_call(rc(7, "2001-05-01")).unwrap();
        b.add_roll_call(rc(3, "2000-01-01")).unwrap();
        b.add_vote(7, c("VNM"), Vote::Yes).unwrap();
        b.add_vote(7, c("CHN"), Vote::No).unwrap();
        b.add_vote(3, c("USA"), Vote::Abstain).unwrap();
        let s = b.build().unwrap();
        assert_eq!(s.countries(), &[c("CHN"), c("USA"), c("VNM")]);
        assert_eq!(s.roll_calls()[0].rcid, 3);
        assert_eq!(s.year_roll_calls(2001), 1..2);
        assert_eq!(s.span_roll_calls(1990..=2000), 0..1);
        assert_eq!(s.span_roll_calls(2002..=2010), 0..0);
        assert_eq!(s.vote_of(1, 0), Some(Vote::No));
        assert_eq!(s.vote_of(1, 1), None);
    }

    #[test]
    fn conflicting_votes_are_rejected_and_duplicates_merged() {
        let mut b = VoteStoreBuilder::new();
        b.add_roll_call(rc(1, "2000-01-01")).unwrap();
        b.add_vote(1, c("VNM"), Vote::Yes).unwrap();
        b.add_vote(1, c("VNM"), Vote::Yes).unwrap();
        assert_eq!(b.build().unwrap().vote_count(), 1);
        let mut b = VoteStoreBuilder::new();
        b.add_roll_call(rc(1, "2000-01-01")).unwrap();
        b.add_vote(1, c("VNM"), Vote::Yes).unwrap();
        b.add_vote(1, c("VNM"), Vote::No).unwrap();
        assert!(matches!(b.build(), Err(StoreError::ConflictingVote { .. })));
    }

    #[test]
    fn unknown_and_conflicting_roll_calls() {
        let mut b = VoteStoreBuilder::new();
        assert!(b.add_vote(9, c("VNM"), Vote::Yes).is_err());
        b.add_roll_call(rc(1, "2000-01-01")).unwrap();
        assert!(b.add_roll_call(rc(1, "2000-01-02")).is_err());
    }

    #[test]
    fn constant_time_lookups_agree_with_the_sorted_votes() {
        let mut b = VoteStoreBuilder::new();
        let codes = [c("CHN"), c("RUS"), c("USA"), c("VNM"), c("ZAN")];
        for r in 0..40u64 {
            b.add_roll_call(rc(r, &format!("20{:02}-01-01", r % 20)))
                .unwrap();
            for (k, &code) in codes.iter().enumerate() {
                // Some absent, the others voting in a pattern.
                if !(r as usize + k).is_multiple_of(4) {
                    b.add_vote(r, code, Vote::ALL[(r as usize * 7 + k) % 3])
                        .unwrap();
                }
            }
        }
        let s = b.build().unwrap();
        for i in 0..s.roll_calls().len() {
            for k in 0..s.countries().len() as u16 {
                let want = s.votes(i).iter().find(|v| v.country == k).map(|v| v.vote);
                assert_eq!(s.vote_of(i, k), want, "roll call {i}, country {k}");
            }
            assert_eq!(s.vote_of(i, 99), None);
        }
    }
}
