//! The backtest's added baselines, each computed only from what was known before a case
//! (and the positions the case itself gives):
//!
//! - `majority`: the plurality of the other states' votes (for other kinds, of the states
//!   that support or oppose, the counterpart counted as a supporter);
//! - `neighbour`: follow the state that agreed most with the subject over the five years
//!   before the case (agreement as `shared/spec/metrics.md` defines it, among the states
//!   that shared at least half of the subject's roll calls of those years), with the spec's
//!   `follow:X` rule;
//! - `last-similar`: the subject's answer on the most similar earlier decision: for a vote,
//!   the earlier roll call (in the vote data) whose title shares the most words with the
//!   case's, at least half of them (Jaccard ≥ 0.5), or, where either has no title, the
//!   latest earlier one with the same non-empty tags; for other kinds, the earlier case of
//!   the same kind with the most tags, title words and counterpart in common.
//!
//! Where a baseline finds nothing to go on (no neighbour in the data, no similar decision),
//! it answers the first option, like `always-first`; the report says how often.

use std::collections::HashMap;

use crate::backtest::follow;
use crate::case::{Case, Kind, Opt, TagSet};
use crate::country::Iso3;
use crate::date::Date;
use crate::record::{normalise, source_codes_issues, RecordRules};
use crate::store::VoteStore;
use crate::vote::Vote;

/// What the baselines may read beyond the cases: the vote data and the record rules (for
/// the tags of earlier roll calls). Both optional.
#[derive(Copy, Clone, Default)]
pub struct History<'a> {
    /// The roll calls and votes: `neighbour` finds its neighbour in them (without them it
    /// answers the first option), and `last-similar` a vote's precedent (without them, it
    /// looks among the earlier cases).
    pub votes: Option<&'a VoteStore>,
    /// Gives earlier roll calls their tags, for `last-similar` without titles.
    pub rules: Option<&'a RecordRules>,
}

/// The `majority` baseline.
pub fn majority(case: &Case) -> Opt {
    let opts = case.kind.options();
    let p = &case.positions;
    if case.kind == Kind::UnVote {
        let listed = [p.yes.len(), p.no.len(), p.abstain.len()];
        let counts = if listed.iter().sum::<usize>() > 0 {
            listed.map(|n| n as u64)
        } else if let Some(t) = case.tally {
            [t.yes, t.no, t.abstain].map(|x| u64::from(x.unwrap_or(0)))
        } else {
            [0; 3]
        };
        // Ties go to the earlier option (yes, no, abstain).
        let mut best = 0;
        for i in 1..3 {
            if counts[i] > counts[best] {
                best = i;
            }
        }
        return opts[best];
    }
    let mut support = p.support.len();
    if let Some(c) = case.counterpart {
        if case.positions.side_of(c).is_none() {
            support += 1;
        }
    }
    if p.oppose.len() > support {
        opts[1]
    } else {
        opts[0]
    }
}

/// Words of a title for similarity: normalised, without the words every title shares.
fn title_words(title: &str) -> Vec<String> {
    const STOP: &[&str] = &[
        "a",
        "an",
        "and",
        "the",
        "of",
        "in",
        "on",
        "to",
        "for",
        "by",
        "with",
        "its",
        "at",
        "as",
        "or",
        "from",
        "resolution",
        "adopted",
        "general",
        "assembly",
        "united",
        "nations",
        "draft",
        "amendment",
        "amendments",
        "vote",
        "report",
    ];
    let mut w: Vec<String> = normalise(title)
        .split(' ')
        .filter(|x| !x.is_empty() && !STOP.contains(x))
        .map(str::to_string)
        .collect();
    w.sort();
    w.dedup();
    w
}

/// One of the subject's earlier votes, indexed for similarity.
#[derive(Clone, Debug)]
struct PastVote {
    date: Date,
    /// Index of the roll call in the store.
    roll_call: usize,
    words: Vec<u32>,
    tags: TagSet,
    vote: Opt,
}

/// The subject's most similar earlier vote: its precedent for a case.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Precedent {
    /// How the subject voted then.
    pub vote: Opt,
    /// The earlier roll call's date (before the case's).
    pub date: Date,
    /// The roll call's index in the store it was found in.
    #[serde(skip)]
    pub roll_call: usize,
    /// The earlier roll call's title (or resolution symbol, or nothing).
    pub title: Option<String>,
    /// How it was matched: `title` (Jaccard similarity of title words) or `tags`.
    pub by: &'static str,
    /// The Jaccard similarity of the titles (1 for a match by tags).
    pub similarity: f64,
}

/// A subject's record of votes in a store, indexed by title words, to find the most similar
/// earlier vote of a case: the `last-similar` baseline, and the precedent a doctrine's vote
/// branch may weigh. Only roll calls dated strictly before a case are ever consulted.
#[derive(Clone, Debug)]
pub struct RecordIndex {
    past: Vec<PastVote>,
    titles: Vec<Option<String>>,
    vocab: HashMap<String, u32>,
    /// Word id → indices into `past` (ascending, hence by date).
    postings: Vec<Vec<u32>>,
}

impl RecordIndex {
    /// Indexes the subject's votes; `None` when the subject never voted in the store.
    pub fn new(
        store: &VoteStore,
        rules: Option<&RecordRules>,
        subject: Iso3,
    ) -> Option<RecordIndex> {
        let si = store.country_index(subject)?;
        let mut vocab: HashMap<String, u32> = HashMap::new();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let mut past = Vec::new();
        let mut titles = Vec::new();
        // The words and tags of each roll call the subject voted on, read in parallel (the
        // tags are the costly part: every phrase of the vocabulary against every title);
        // then indexed in order.
        use rayon::prelude::*;
        let read: Vec<(usize, Vote, Vec<String>, TagSet)> = (0..store.roll_calls().len())
            .into_par_iter()
            .with_min_len(64)
            .filter_map(|i| {
                let v = store.vote_of(i, si)?;
                let rc = &store.roll_calls()[i];
                let words = rc.title.as_deref().map(title_words).unwrap_or_default();
                let tags =
                    rules.map_or(TagSet::EMPTY, |r| r.label(rc, source_codes_issues(rc)).tags);
                Some((i, v, words, tags))
            })
            .collect();
        for (i, v, words, tags) in read {
            let rc = &store.roll_calls()[i];
            let k = past.len() as u32;
            let mut words: Vec<u32> = words
                .into_iter()
                .map(|w| {
                    let n = vocab.len() as u32;
                    *vocab.entry(w).or_insert(n)
                })
                .collect();
            words.sort_unstable();
            for &w in &words {
                if w as usize >= postings.len() {
                    postings.resize(w as usize + 1, Vec::new());
                }
                postings[w as usize].push(k);
            }
            titles.push(rc.title.clone().or_else(|| rc.resolution.clone()));
            past.push(PastVote {
                date: rc.date,
                roll_call: i,
                words,
                tags,
                vote: match v {
                    Vote::Yes => Opt::Yes,
                    Vote::No => Opt::No,
                    Vote::Abstain => Opt::Abstain,
                },
            });
        }
        Some(RecordIndex {
            past,
            titles,
            vocab,
            postings,
        })
    }

    fn precedent(&self, k: usize, by: &'static str, similarity: f64) -> Precedent {
        let p = &self.past[k];
        Precedent {
            vote: p.vote,
            date: p.date,
            roll_call: p.roll_call,
            title: self.titles[k].clone(),
            by,
            similarity,
        }
    }

    /// The subject's vote on the most similar roll call dated before `case.date`: the one
    /// whose title shares the most words with the case's (Jaccard ≥ 0.5, ties to the
    /// latest), or, where either has no title, the latest with the same non-empty tags.
    pub fn most_similar(&self, case: &Case) -> Option<Precedent> {
        let before = self.past.partition_point(|p| p.date < case.date);
        let case_words = title_words(&case.title);
        let n_case_words = case_words.len();
        let mut words: Vec<u32> = case_words
            .iter()
            .filter_map(|w| self.vocab.get(w).copied())
            .collect();
        words.sort_unstable();
        if n_case_words > 0 {
            // How many of the case's words each earlier vote's title shares: its count over
            // the postings of those words (each lists a vote once, in order, so the earlier
            // ones are a prefix). The votes are scored in the order they are first met.
            // The counts live in a buffer of the thread's, all zero between calls (only the
            // entries met are set, and they are cleared after), so a case does not zero a
            // count for every earlier vote.
            thread_local! {
                static SHARED: std::cell::RefCell<Vec<u32>> =
                    const { std::cell::RefCell::new(Vec::new()) };
            }
            let best = SHARED.with_borrow_mut(|shared| {
                if shared.len() < before {
                    shared.resize(before, 0);
                }
                let mut met: Vec<u32> = Vec::new();
                for &w in &words {
                    let list = &self.postings[w as usize];
                    let earlier = list.partition_point(|&k| (k as usize) < before);
                    for &k in &list[..earlier] {
                        if shared[k as usize] == 0 {
                            met.push(k);
                        }
                        shared[k as usize] += 1;
                    }
                }
                let mut best: Option<(f64, u32)> = None;
                for &k in &met {
                    let p = &self.past[k as usize];
                    // Jaccard over all the case's words (those the index never saw count in
                    // the union).
                    let inter = shared[k as usize] as usize;
                    shared[k as usize] = 0;
                    let sim = inter as f64 / (n_case_words + p.words.len() - inter) as f64;
                    if best.is_none_or(|(s, bk)| {
                        sim > s + 1e-12 || ((sim - s).abs() <= 1e-12 && k > bk)
                    }) {
                        best = Some((sim, k));
                    }
                }
                best
            });
            if let Some((s, k)) = best {
                if s >= 0.5 {
                    return Some(self.precedent(k as usize, "title", s));
                }
            }
        }
        // No title to compare: the latest earlier vote with the same non-empty tags.
        if case.tags.is_empty() {
            return None;
        }
        let untitled_case = n_case_words == 0;
        self.past[..before]
            .iter()
            .rposition(|p| p.tags == case.tags && (untitled_case || p.words.is_empty()))
            .map(|k| self.precedent(k, "tags", 1.0))
    }
}

/// The most similar earlier case of the same kind (for kinds the vote data does not hold).
fn similar_case(case: &Case, earlier: &[&Case]) -> Option<Opt> {
    let words = title_words(&case.title);
    let mut best: Option<(f64, Date, Opt)> = None;
    for c in earlier {
        if c.kind != case.kind || c.date >= case.date {
            continue;
        }
        let Some(a) = c.actual else { continue };
        let w = title_words(&c.title);
        let inter = w.iter().filter(|x| words.contains(x)).count();
        let union = words.len() + w.len() - inter;
        let tw = if union == 0 {
            0.0
        } else {
            inter as f64 / union as f64
        };
        let ti = (case.tags.0 & c.tags.0).count_ones();
        let tu = (case.tags.0 | c.tags.0).count_ones();
        let tj = if tu == 0 {
            0.0
        } else {
            f64::from(ti) / f64::from(tu)
        };
        let cp = f64::from(u8::from(
            c.counterpart.is_some() && c.counterpart == case.counterpart,
        ));
        let s = tw + tj + cp;
        if s > 0.0
            && best.is_none_or(|(bs, bd, _)| {
                s > bs + 1e-12 || ((s - bs).abs() <= 1e-12 && c.date > bd)
            })
        {
            best = Some((s, c.date, a));
        }
    }
    best.map(|b| b.2)
}

/// The state that agreed most with `subject` over `[from, to)`.
pub fn nearest_state(store: &VoteStore, subject: Iso3, from: Date, to: Date) -> Option<Iso3> {
    let si = store.country_index(subject)?;
    let lo = store.roll_calls().partition_point(|r| r.date < from);
    let hi = store.roll_calls().partition_point(|r| r.date < to);
    let n = store.countries().len();
    // Per state: roll calls shared, and the sum of 2·agreement (integers: 2, 1 or 0).
    let mut shared = vec![0u32; n];
    let mut agree2 = vec![0u32; n];
    let mut own = 0u32;
    for i in lo..hi {
        let Some(sv) = store.vote_of(i, si) else {
            continue;
        };
        own += 1;
        for c in store.votes(i) {
            if c.country == si {
                continue;
            }
            shared[c.country as usize] += 1;
            agree2[c.country as usize] +=
                2 - u32::from((i16::from(sv.code()) - i16::from(c.vote.code())).unsigned_abs());
        }
    }
    if own == 0 {
        return None;
    }
    let mut best: Option<(u64, u64, usize)> = None;
    for k in 0..n {
        if 2 * shared[k] < own || shared[k] == 0 {
            continue;
        }
        // Compare agree2[k] / shared[k] exactly: cross-multiplied.
        let better = match best {
            None => true,
            Some((a, s, _)) => {
                let lhs = u64::from(agree2[k]) * s;
                let rhs = a * u64::from(shared[k]);
                lhs > rhs || (lhs == rhs && u64::from(shared[k]) > s)
            }
        };
        if better {
            best = Some((u64::from(agree2[k]), u64::from(shared[k]), k));
        }
    }
    best.map(|(_, _, k)| store.countries()[k])
}

/// `date` five years earlier (29 February becomes the 28th).
fn five_years_before(d: Date) -> Date {
    let y = d.year() - 5;
    Date::new(y, d.month(), d.day())
        .or_else(|_| Date::new(y, d.month(), 28))
        .unwrap_or(d)
}

/// The answers of the added baselines for every case, in order, and how many of each fell
/// back to the first option for want of anything to go on.
pub struct Answers {
    /// The `majority` baseline's answer per case.
    pub majority: Vec<Opt>,
    /// The `neighbour` baseline's answer per case.
    pub neighbour: Vec<Opt>,
    /// The neighbour followed for each case (`None`: none found).
    pub neighbours: Vec<Option<Iso3>>,
    /// The `last-similar` baseline's answer per case.
    pub last_similar: Vec<Opt>,
    /// Cases for which `neighbour` found no neighbour and took the first option.
    pub neighbour_fallbacks: usize,
    /// Cases for which `last-similar` found no similar decision and took the first option.
    pub similar_fallbacks: usize,
}

/// Computes the added baselines.
pub fn answer(cases: &[Case], history: &History) -> Answers {
    let majority_v: Vec<Opt> = cases.iter().map(majority).collect();
    // Neighbours, once per (subject, date).
    let mut near: HashMap<(Iso3, Date), Option<Iso3>> = HashMap::new();
    let mut neighbours = Vec::with_capacity(cases.len());
    let mut neighbour = Vec::with_capacity(cases.len());
    let mut nfb = 0;
    for c in cases {
        let x = match history.votes {
            Some(store) => *near.entry((c.subject, c.date)).or_insert_with(|| {
                nearest_state(store, c.subject, five_years_before(c.date), c.date)
            }),
            None => None,
        };
        neighbours.push(x);
        neighbour.push(match x {
            Some(x) => follow(c, x),
            None => {
                nfb += 1;
                c.kind.options()[0]
            }
        });
    }
    // Last similar.
    let mut indexes: HashMap<Iso3, Option<RecordIndex>> = HashMap::new();
    let earlier: Vec<&Case> = cases.iter().collect();
    let mut last_similar = Vec::with_capacity(cases.len());
    let mut sfb = 0;
    for c in cases {
        let found = if c.kind == Kind::UnVote {
            match history.votes {
                Some(store) => indexes
                    .entry(c.subject)
                    .or_insert_with(|| RecordIndex::new(store, history.rules, c.subject))
                    .as_ref()
                    .and_then(|ix| ix.most_similar(c))
                    .map(|p| p.vote),
                None => similar_case(c, &earlier),
            }
        } else {
            similar_case(c, &earlier)
        };
        last_similar.push(found.unwrap_or_else(|| {
            sfb += 1;
            c.kind.options()[0]
        }));
    }
    Answers {
        majority: majority_v,
        neighbour,
        neighbours,
        last_similar,
        neighbour_fallbacks: nfb,
        similar_fallbacks: sfb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{validate_case, CaseInput, PositionsInput};
    use crate::store::{RollCall, VoteStoreBuilder};

    fn c(s: &str) -> Iso3 {
        Iso3::parse(s).unwrap()
    }

    fn vote_case(
        id: &str,
        date: &str,
        title: &str,
        yes: &[&str],
        no: &[&str],
        abstain: &[&str],
        actual: &str,
    ) -> Case {
        let l = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect());
        validate_case(&CaseInput {
            id: id.into(),
            date: date.into(),
            subject: "VNM".into(),
            kind: "un_vote".into(),
            title: title.into(),
            sources: vec!["test".into()],
            actual: Some(actual.into()),
            positions: Some(PositionsInput {
                yes: l(yes),
                no: l(no),
                abstain: l(abstain),
                ..Default::default()
            }),
            ..CaseInput::default()
        })
        .unwrap()
    }

    /// Four roll calls in 2015-2016, worked by hand:
    ///
    /// | rcid | date       | title                              | VNM | LAO | USA | TKM |
    /// |------|------------|------------------------------------|-----|-----|-----|-----|
    /// | 1    | 2015-10-01 | Situation of human rights in Iran  | no  | no  | yes | –   |
    /// | 2    | 2015-10-02 | Nuclear disarmament                | yes | yes | no  | yes |
    /// | 3    | 2016-10-01 | The right to food                  | yes | abst| no  | –   |
    /// | 4    | 2016-10-02 | Assistance to Palestine refugees   | yes | yes | no  | –   |
    ///
    /// Agreement with VNM over the four: LAO (1 + 1 + 0.5 + 1) / 4 = 0.875 on 4 shared;
    /// USA (0 + 0 + 0 + 0) / 4 = 0; TKM 1.0 but on 1 of VNM's 4 roll calls, fewer than half:
    /// so the neighbour is LAO.
    fn store() -> VoteStore {
        let mut b = VoteStoreBuilder::new();
        let rows = [
            (
                1,
                "2015-10-01",
                "Situation of human rights in Iran",
                [Some(Vote::No), Some(Vote::No), Some(Vote::Yes), None],
            ),
            (
                2,
                "2015-10-02",
                "Nuclear disarmament",
                [
                    Some(Vote::Yes),
                    Some(Vote::Yes),
                    Some(Vote::No),
                    Some(Vote::Yes),
                ],
            ),
            (
                3,
                "2016-10-01",
                "The right to food",
                [Some(Vote::Yes), Some(Vote::Abstain), Some(Vote::No), None],
            ),
            (
                4,
                "2016-10-02",
                "Assistance to Palestine refugees",
                [Some(Vote::Yes), Some(Vote::Yes), Some(Vote::No), None],
            ),
        ];
        for (id, d, t, votes) in rows {
            let mut rc = RollCall::new(id, Date::parse(d).unwrap(), 0);
            rc.title = Some(t.into());
            b.add_roll_call(rc).unwrap();
            for (k, v) in ["VNM", "LAO", "USA", "TKM"].iter().zip(votes) {
                if let Some(v) = v {
                    b.add_vote(id, c(k), v).unwrap();
                }
            }
        }
        b.build().unwrap()
    }

    #[test]
    fn neighbour_is_the_state_that_agreed_most_on_at_least_half() {
        let s = store();
        let d = Date::parse("2017-01-01").unwrap();
        assert_eq!(
            nearest_state(&s, c("VNM"), five_years_before(d), d),
            Some(c("LAO"))
        );
        // Before 2015-10-02 only roll call 1 counts: TKM did not vote on it, LAO agreed.
        let d = Date::parse("2015-10-02").unwrap();
        assert_eq!(
            nearest_state(&s, c("VNM"), five_years_before(d), d),
            Some(c("LAO"))
        );
        // Nothing before the first roll call.
        let d = Date::parse("2015-10-01").unwrap();
        assert_eq!(nearest_state(&s, c("VNM"), five_years_before(d), d), None);
    }

    #[test]
    fn the_three_baselines_on_a_hand_worked_fixture() {
        let s = store();
        let cases = [
            // Plurality yes 2 (LAO, TKM) against no 1 (USA): majority yes. The neighbour,
            // LAO, votes yes in this case: yes. Most similar earlier title: rcid 1 (Jaccard
            // of {situation, human, rights, iran} with itself = 1), where VNM voted no.
            vote_case(
                "a",
                "2017-10-01",
                "Situation of human rights in Iran",
                &["LAO", "TKM"],
                &["USA"],
                &[],
                "no",
            ),
            // Nobody listed but USA (no): majority no. LAO not listed: abstain (follow rule).
            // "Nuclear disarmament" vs rcid 2: Jaccard {nuclear, disarmament} = 1: yes.
            vote_case(
                "b",
                "2017-10-02",
                "Nuclear disarmament",
                &[],
                &["USA"],
                &[],
                "yes",
            ),
            // No similar title (Jaccard < 0.5 with every earlier one): first option, yes.
            vote_case(
                "c",
                "2017-10-03",
                "Oceans and the law of the sea",
                &["LAO"],
                &[],
                &["USA"],
                "yes",
            ),
        ];
        let h = History {
            votes: Some(&s),
            rules: None,
        };
        let a = answer(&cases, &h);
        assert_eq!(a.majority, vec![Opt::Yes, Opt::No, Opt::Yes]);
        assert_eq!(a.neighbours, vec![Some(c("LAO")); 3]);
        assert_eq!(a.neighbour, vec![Opt::Yes, Opt::Abstain, Opt::Yes]);
        assert_eq!(a.last_similar, vec![Opt::No, Opt::Yes, Opt::Yes]);
        assert_eq!(a.similar_fallbacks, 1);
        // Without the vote data: no neighbour (first option), similarity among the cases.
        let a = answer(&cases, &History::default());
        assert_eq!(a.neighbour_fallbacks, 3);
    }

    #[test]
    fn precedents_are_strictly_earlier() {
        let s = store();
        let ix = RecordIndex::new(&s, None, c("VNM")).unwrap();
        // On the day of rcid 3 itself its own vote is not a precedent: rcid 3 is the same
        // day, so nothing with a similar title is earlier.
        let same_day = vote_case("d", "2016-10-01", "The right to food", &[], &[], &[], "yes");
        assert_eq!(ix.most_similar(&same_day), None);
        let later = vote_case("e", "2016-10-02", "The right to food", &[], &[], &[], "yes");
        let p = ix.most_similar(&later).unwrap();
        assert_eq!((p.vote, p.by, p.similarity), (Opt::Yes, "title", 1.0));
    }

    /// The precedent by title, as it was found before the index counted shared words over
    /// the postings: every earlier vote met through a shared word, its shared words merged
    /// from the two sorted lists.
    fn reference_by_title(ix: &RecordIndex, case: &Case) -> Option<(u32, f64)> {
        let before = ix.past.partition_point(|p| p.date < case.date);
        let n_case_words = title_words(&case.title).len();
        let mut words: Vec<u32> = title_words(&case.title)
            .iter()
            .filter_map(|w| ix.vocab.get(w).copied())
            .collect();
        words.sort_unstable();
        let mut seen = std::collections::HashSet::new();
        let mut best: Option<(f64, u32)> = None;
        for &w in &words {
            for &k in &ix.postings[w as usize] {
                if k as usize >= before || !seen.insert(k) {
                    continue;
                }
                let p = &ix.past[k as usize];
                let (mut i, mut j, mut inter) = (0, 0, 0usize);
                while i < words.len() && j < p.words.len() {
                    match words[i].cmp(&p.words[j]) {
                        std::cmp::Ordering::Less => i += 1,
                        std::cmp::Ordering::Greater => j += 1,
                        std::cmp::Ordering::Equal => {
                            inter += 1;
                            i += 1;
                            j += 1;
                        }
                    }
                }
                let sim = inter as f64 / (n_case_words + p.words.len() - inter) as f64;
                if best
                    .is_none_or(|(s, bk)| sim > s + 1e-12 || ((sim - s).abs() <= 1e-12 && k > bk))
                {
                    best = Some((sim, k));
                }
            }
        }
        best.filter(|b| b.0 >= 0.5).map(|(s, k)| (k, s))
    }

    /// On random records (titles drawn from a few words, so that many share some), the
    /// precedent by title is the one the merge over every met vote finds.
    #[test]
    fn precedents_by_title_are_the_merged_ones() {
        const WORDS: [&str; 9] = [
            "nuclear", "weapons", "human", "rights", "iran", "israel", "food", "sea", "peace",
        ];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut found = 0;
        for round in 0..40 {
            let mut b = VoteStoreBuilder::new();
            let mut titles = Vec::new();
            for id in 1..=(20 + next(60)) {
                let t: Vec<&str> = (0..1 + next(4)).map(|_| WORDS[next(9) as usize]).collect();
                let t = t.join(" ");
                let date = Date::new(2000 + (id / 12) as i32, 1 + (id % 12) as u8, 1).unwrap();
                let mut rc = RollCall::new(id, date, 0);
                rc.title = Some(t.clone());
                b.add_roll_call(rc).unwrap();
                if next(5) > 0 {
                    b.add_vote(
                        id,
                        c("VNM"),
                        [Vote::Yes, Vote::No, Vote::Abstain][next(3) as usize],
                    )
                    .unwrap();
                }
                titles.push(t);
            }
            let s = b.build().unwrap();
            let Some(ix) = RecordIndex::new(&s, None, c("VNM")) else {
                continue;
            };
            for k in 0..20 {
                let title: Vec<&str> = (0..1 + next(4)).map(|_| WORDS[next(9) as usize]).collect();
                let date = format!("{}-06-15", 2000 + next(8));
                let case = vote_case(
                    &format!("c{round}-{k}"),
                    &date,
                    &title.join(" "),
                    &[],
                    &[],
                    &[],
                    "yes",
                );
                let got = ix
                    .most_similar(&case)
                    .filter(|p| p.by == "title")
                    .map(|p| (p.roll_call, p.similarity));
                let want =
                    reference_by_title(&ix, &case).map(|(k, s)| (ix.past[k as usize].roll_call, s));
                assert_eq!(got, want, "{title:?} {date} over {titles:?}");
                found += usize::from(got.is_some());
            }
        }
        assert!(
            found > 100,
            "only {found} precedents by title: the test reads too few"
        );
    }
}
