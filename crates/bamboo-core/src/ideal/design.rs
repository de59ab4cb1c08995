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
        // Contested roll calls with their session numbers.
        let mut kept: Vec<(u32, usize)> = Vec::new();
        for (i, rc) in store.roll_calls().iter().enumerate() {
            if opts.before.is_some_and(|d| rc.date >= d) {
                continue;
            }
            let votes = store.votes(i);
            let mut seen = [false; 3];
            for c in votes {
                seen[c.vote.index()] = true;
            }
            if seen.iter().filter(|&&s| s).count() >= 2 {
                kept.push((session_of(rc), i));
            }
        }
        // Store roll calls are sorted by (date, rcid): a stable sort by session keeps that
        // order inside each session.
        kept.sort_by_key(|&(s, _)| s);

        // Sessions, and which sessions each store country voted in.
        let mut session_numbers: Vec<u32> = kept.iter().map(|k| k.0).collect();
        session_numbers.dedup();
        let session_pos: HashMap<u32, u32> = session_numbers
            .iter()
            .enumerate()
            .map(|(k, &s)| (s, k as u32))
            .collect();
        let n_countries = store.countries().len();
        let mut voted: Vec<Vec<u32>> = vec![Vec::new(); n_countries];
        for &(s, i) in &kept {
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

        // Chains: each country its own, except a linked successor, which continues its
        // predecessor's path, unless both voted on the same roll call (two states, then).
        let mut chain_of: Vec<u32> = (0..n_countries as u32).collect();
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
        // Votes per (session, chain, country), to name each cell by the code that cast
        // most of its votes.
        let mut counts: HashMap<(u32, u32), Vec<(u32, u16)>> = HashMap::new();
        for &(s, i) in &kept {
            for c in store.votes(i) {
                let e = counts.entry((s, chain_of[c.country as usize])).or_default();
                match e.iter_mut().find(|(_, k)| *k == c.country) {
                    Some(x) => x.0 += 1,
                    None => e.push((1, c.country)),
                }
            }
        }
        // Cells sorted by (session, code): country indices order like codes.
        let mut cell_index: HashMap<(u32, u32), u32> = HashMap::new();
        let mut cell_code = Vec::new();
        let mut cell_session = Vec::new();
        let mut cell_chain_raw = Vec::new();
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
            let start = cell_code.len();
            for (shown, ch) in here {
                cell_index.insert((s, ch), cell_code.len() as u32);
                cell_code.push(store.countries()[shown as usize]);
                cell_session.push(k as u32);
                cell_chain_raw.push(ch);
            }
            session_cells.push(start..cell_code.len());
        }
        let mut cell_votes = vec![0u32; cell_code.len()];
        // Chains numbered densely in order of their first cell.
        let mut dense: HashMap<u32, u32> = HashMap::new();
        let cell_chain: Vec<u32> = cell_chain_raw
            .iter()
            .map(|ch| {
                let next = dense.len() as u32;
                *dense.entry(*ch).or_insert(next)
            })
            .collect();
        let n_chains = dense.len();

        // Items and votes.
        let mut item_offsets = vec![0usize];
        let mut item_session = Vec::with_capacity(kept.len());
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
            item_session.push(k);
            for c in store.votes(i) {
                let cell = cell_index[&(s, chain_of[c.country as usize])];
                vote_cell.push(cell);
                vote_cat.push(match c.vote {
                    Vote::Yes => 0,
                    Vote::Abstain => 1,
                    Vote::No => 2,
                });
                cell_votes[cell as usize] += 1;
            }
            item_offsets.push(vote_cell.len());
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
            .collect::<Vec<_>>();

        // Chains over session numbers.
        let mut chains: Vec<Chain> = vec![
            Chain {
                first: u32::MAX,
                len: 0,
                cells: Vec::new(),
            };
            n_chains
        ];
        for (cell, &ch) in cell_chain.iter().enumerate() {
            let s = sessions[cell_session[cell] as usize].session;
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
        let orient_cells = session_cells
            .iter()
            .map(|r| {
                r.clone()
                    .find(|&c| cell_code[c] == opts.orient)
                    .map(|c| c as u32)
            })
            .collect();
        Design {
            sessions,
            cell_code,
            cell_session,
            cell_votes,
            session_cells,
            item_offsets,
            item_session,
            session_items,
            vote_cell,
            vote_cat,
            chains,
            orient_cells,
            links,
        }
    }
}
