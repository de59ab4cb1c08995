//! The fit's data layout, built once from a [`VoteStore`]: the contested roll calls
//! ("items") grouped by session, their votes as (cell, category) pairs, the cells (one per
//! state and session with votes) and the chains of cells that one random walk joins.

use std::collections::HashMap;
use std::ops::Range;

use crate::country::Iso3;
use crate::date::Date;
use crate::store::VoteStore;
use crate::vote::Vote;

use super::{session_of, session_year, IdealOptions, SessionInfo};

/// One state's path: the session numbers `first ..= first + len − 1` it spans, and its
/// cells as (position on the path, cell index), ascending.
#[derive(Clone, Debug)]
pub(crate) struct Chain {
    pub first: u32,
    pub len: u32,
    pub cells: Vec<(u32, u32)>,
}

/// Everything the estimator reads, flat and indexed.
#[derive(Clone, Debug)]
pub(crate) struct Design {
    pub sessions: Vec<SessionInfo>,
    /// Per cell, sorted by (session, state): the voting state's code, its session's index
    /// in `sessions`, and how many votes it cast on contested roll calls.
    pub cell_code: Vec<Iso3>,
    pub cell_session: Vec<u32>,
    pub cell_votes: Vec<u32>,
    /// Cells of each session (by index in `sessions`).
    pub session_cells: Vec<Range<usize>>,
    /// Items sorted by (session, date, rcid); each item's votes are
    /// `item_offsets[j] .. item_offsets[j + 1]`.
    pub item_offsets: Vec<usize>,
    pub item_session: Vec<u32>,
    /// Items of each session.
    pub session_items: Vec<Range<usize>>,
    /// Per vote: its cell and category (0 yes, 1 abstain, 2 no).
    pub vote_cell: Vec<u32>,
    pub vote_cat: Vec<u8>,
    pub chains: Vec<Chain>,
    /// The cell of the orienting state in each session, if it voted.
    pub orient_cells: Vec<Option<u32>>,
    /// Links used (predecessor, successor), after dropping any whose states overlap.
    pub links: Vec<(Iso3, Iso3)>,
}

impl Design {
    pub fn items(&self) -> usize {
        self.item_session.len()
    }

    pub fn cells(&self) -> usize {
        self.cell_code.len()
    }

    pub fn votes(&self, j: usize) -> Range<usize> {
        self.item_offsets[j]..self.item_offsets[j + 1]
    }

    /// Builds the layout. Roll calls on which every vote was the same carry no information
    /// about positions and are left out.
    pub fn build(store: &VoteStore, opts: &IdealOptions) -> Design {
        let kept = contested(store, opts);
        let mut session_numbers: Vec<u32> = kept.iter().map(|k| k.0).collect();
        session_numbers.dedup();
        let voted = sessions_voted(store, &kept);
        let (chain_of, links) = link_chains(store, opts, &kept, &voted);
        let cells = Cells::build(store, &kept, &session_numbers, &chain_of);
        let items = Items::build(store, &kept, &session_numbers, &chain_of, &cells);
        let chains = chains_over_sessions(&cells, &items.sessions);
        let orient_cells = cells
            .session_cells
            .iter()
            .map(|r| {
                r.clone()
                    .find(|&c| cells.code[c] == opts.orient)
                    .map(|c| c as u32)
            })
            .collect();
        Design {
            sessions: items.sessions,
            cell_code: cells.code,
            cell_session: cells.session,
            cell_votes: items.cell_votes,
            session_cells: cells.session_cells,
            item_offsets: items.offsets,
            item_session: items.session,
            session_items: items.session_items,
            vote_cell: items.vote_cell,
            vote_cat: items.vote_cat,
            chains,
            orient_cells,
            links,
        }
    }
}

/// The contested roll calls (at least two different answers) before `opts.before`, as
/// (session number, store index), sorted by session. Store roll calls are sorted by
/// (date, rcid): the stable sort by session keeps that order inside each session.
fn contested(store: &VoteStore, opts: &IdealOptions) -> Vec<(u32, usize)> {
    let mut kept: Vec<(u32, usize)> = Vec::new();
    for (i, rc) in store.roll_calls().iter().enumerate() {
        if opts.before.is_some_and(|d| rc.date >= d) {
            continue;
        }
        let mut seen = [false; 3];
        for c in store.votes(i) {
            seen[c.vote.index()] = true;
        }
        if seen.iter().filter(|&&s| s).count() >= 2 {
            kept.push((session_of(rc), i));
        }
    }
    kept.sort_by_key(|&(s, _)| s);
    kept
}

/// The sessions each store country voted in (on kept roll calls), ascending.
fn sessions_voted(store: &VoteStore, kept: &[(u32, usize)]) -> Vec<Vec<u32>> {
    let mut voted: Vec<Vec<u32>> = vec![Vec::new(); store.countries().len()];
    for &(s, i) in kept {
        for c in store.votes(i) {
            let v = &mut voted[c.country as usize];
            if v.last() != Some(&s) {
                v.push(s);
            }
        }
    }
    for v in &mut voted {
        v.sort_unstable();
        v.dedup();
    }
    voted
}

/// The chain of each store country: its own, except a linked successor, which continues
/// its predecessor's path, unless both voted on the same roll call (two states, then).
/// Also the links used.
fn link_chains(
    store: &VoteStore,
    opts: &IdealOptions,
    kept: &[(u32, usize)],
    voted: &[Vec<u32>],
) -> (Vec<u32>, Vec<(Iso3, Iso3)>) {
    let mut chain_of: Vec<u32> = (0..store.countries().len() as u32).collect();
    let mut links = Vec::new();
    for &(from, to) in &opts.links {
        let (Some(a), Some(b)) = (store.country_index(from), store.country_index(to)) else {
            continue;
        };
        let together = kept
            .iter()
            .any(|&(_, i)| store.vote_of(i, a).is_some() && store.vote_of(i, b).is_some());
        if !together && !voted[a as usize].is_empty() && !voted[b as usize].is_empty() {
            let (root, old) = (chain_of[a as usize], chain_of[b as usize]);
            for c in chain_of.iter_mut().filter(|c| **c == old) {
                *c = root;
            }
            links.push((from, to));
        }
    }
    (chain_of, links)
}

/// The cells: one per (session, chain) with votes, sorted by (session, code).
struct Cells {
    index: HashMap<(u32, u32), u32>,
    code: Vec<Iso3>,
    session: Vec<u32>,
    /// Each cell's chain, numbered densely in order of the chains' first cells.
    chain: Vec<u32>,
    n_chains: usize,
    session_cells: Vec<Range<usize>>,
}

impl Cells {
    fn build(
        store: &VoteStore,
        kept: &[(u32, usize)],
        session_numbers: &[u32],
        chain_of: &[u32],
    ) -> Cells {
        // Votes per (session, chain, country), to name each cell by the code that cast
        // most of its votes.
        let mut counts: HashMap<(u32, u32), Vec<(u32, u16)>> = HashMap::new();
        for &(s, i) in kept {
            for c in store.votes(i) {
                let e = counts.entry((s, chain_of[c.country as usize])).or_default();
                match e.iter_mut().find(|(_, k)| *k == c.country) {
                    Some(x) => x.0 += 1,
                    None => e.push((1, c.country)),
                }
            }
        }
        // Cells sorted by (session, code): country indices order like codes.
        let mut index: HashMap<(u32, u32), u32> = HashMap::new();
        let mut code = Vec::new();
        let mut session = Vec::new();
        let mut chain_raw = Vec::new();
        let mut session_cells = Vec::new();
        for (k, &s) in session_numbers.iter().enumerate() {
            let mut here: Vec<(u16, u32)> = counts
                .iter()
                .filter(|((ss, _), _)| *ss == s)
                .map(|((_, ch), list)| {
                    let shown = list.iter().max().expect("a cell has votes").1;
                    (shown, *ch)
                })
                .collect();
            here.sort_unstable();
            let start = code.len();
            for (shown, ch) in here {
                index.insert((s, ch), code.len() as u32);
                code.push(store.countries()[shown as usize]);
                session.push(k as u32);
                chain_raw.push(ch);
            }
            session_cells.push(start..code.len());
        }
        let mut dense: HashMap<u32, u32> = HashMap::new();
        let chain: Vec<u32> = chain_raw
            .iter()
            .map(|ch| {
                let next = dense.len() as u32;
                *dense.entry(*ch).or_insert(next)
            })
            .collect();
        Cells {
            index,
            code,
            session,
            chain,
            n_chains: dense.len(),
            session_cells,
        }
    }
}

/// The items (kept roll calls) with their votes, and the sessions they make.
struct Items {
    offsets: Vec<usize>,
    session: Vec<u32>,
    session_items: Vec<Range<usize>>,
    vote_cell: Vec<u32>,
    vote_cat: Vec<u8>,
    cell_votes: Vec<u32>,
    sessions: Vec<SessionInfo>,
}

impl Items {
    fn build(
        store: &VoteStore,
        kept: &[(u32, usize)],
        session_numbers: &[u32],
        chain_of: &[u32],
        cells: &Cells,
    ) -> Items {
        let session_pos: HashMap<u32, u32> = session_numbers
            .iter()
            .enumerate()
            .map(|(k, &s)| (s, k as u32))
            .collect();
        let mut cell_votes = vec![0u32; cells.code.len()];
        let mut offsets = vec![0usize];
        let mut session = Vec::with_capacity(kept.len());
        let mut session_items = vec![0..0; session_numbers.len()];
        let mut vote_cell = Vec::new();
        let mut vote_cat = Vec::new();
        let mut info: Vec<(usize, Option<Date>, Option<Date>)> =
            vec![(0, None, None); session_numbers.len()];
        for (j, &(s, i)) in kept.iter().enumerate() {
            let k = session_pos[&s];
            let range = &mut session_items[k as usize];
            if range.start == range.end {
                *range = j..j + 1;
            } else {
                range.end = j + 1;
            }
            session.push(k);
            for c in store.votes(i) {
                let cell = cells.index[&(s, chain_of[c.country as usize])];
                vote_cell.push(cell);
                vote_cat.push(match c.vote {
                    Vote::Yes => 0,
                    Vote::Abstain => 1,
                    Vote::No => 2,
                });
                cell_votes[cell as usize] += 1;
            }
            offsets.push(vote_cell.len());
            let date = store.roll_calls()[i].date;
            let e = &mut info[k as usize];
            e.0 += 1;
            e.1 = Some(e.1.map_or(date, |d: Date| d.min(date)));
            e.2 = Some(e.2.map_or(date, |d: Date| d.max(date)));
        }
        let sessions = session_numbers
            .iter()
            .zip(&info)
            .map(|(&s, &(n, first, last))| SessionInfo {
                session: s,
                year: session_year(s),
                roll_calls: n,
                first: first.expect("a kept session has a roll call"),
                last: last.expect("a kept session has a roll call"),
            })
            .collect();
        Items {
            offsets,
            session,
            session_items,
            vote_cell,
            vote_cat,
            cell_votes,
            sessions,
        }
    }
}

/// Each chain's cells over session numbers: its first session, its length, and its cells
/// as (position on the path, cell), ascending.
fn chains_over_sessions(cells: &Cells, sessions: &[SessionInfo]) -> Vec<Chain> {
    let mut chains: Vec<Chain> = vec![
        Chain {
            first: u32::MAX,
            len: 0,
            cells: Vec::new(),
        };
        cells.n_chains
    ];
    for (cell, &ch) in cells.chain.iter().enumerate() {
        let s = sessions[cells.session[cell] as usize].session;
        let c = &mut chains[ch as usize];
        c.first = c.first.min(s);
        c.cells.push((s, cell as u32));
    }
    for c in &mut chains {
        c.cells.sort_unstable();
        let last = c.cells.last().map_or(c.first, |x| x.0);
        c.len = last - c.first + 1;
        for e in &mut c.cells {
            e.0 -= c.first;
        }
    }
    chains
}
