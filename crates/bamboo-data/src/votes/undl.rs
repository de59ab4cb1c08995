//! The UN Digital Library's voting export (`undl_id,ms_code,ms_name,ms_vote,date,…`):
//! self-contained, one row per member state and record, `Y`/`N`/`A`, `X` = non-voting,
//! with the record's session, symbol, title, subjects and totals where it gives them.

use std::collections::HashMap;

use bamboo_core::store::RollCall;
use bamboo_core::Vote;

use super::fields::{
    date_field, for_records, id_field, iso3_field, opt_text, parse_id, report, session_field,
};
use super::{FileReport, Imported, Loaded, UNDL_RCID_BASE};
use crate::countries::Countries;
use crate::error::DataError;

pub(super) fn read(
    l: &Loaded,
    countries: &Countries,
    src: u16,
    out: &mut Vec<Imported>,
) -> Result<FileReport, DataError> {
    let mut by_id: HashMap<u64, usize> = HashMap::new();
    let mut non_votes = 0;
    let mut cols = None;
    let first = out.len();
    let n = for_records(l, |h, rec, line| {
        let &mut [session, resolution, title, subjects, t_yes, t_no, t_abstain] = cols
            .get_or_insert_with(|| {
                [
                    "session",
                    "resolution",
                    "title",
                    "subjects",
                    "total_yes",
                    "total_no",
                    "total_abstentions",
                ]
                .map(|c| h.find(c))
            });
        let undl_id = id_field(l, line, "undl_id", &rec[0])?;
        let date = date_field(l, line, "date", &rec[4])?;
        let vote = match rec[3].trim() {
            "Y" | "y" => Some(Vote::Yes),
            "N" | "n" => Some(Vote::No),
            "A" | "a" => Some(Vote::Abstain),
            "X" | "x" | "" => None,
            other => {
                return Err(DataError::field(
                    &l.path,
                    line,
                    "ms_vote",
                    format!("unknown vote value `{other}`; allowed: Y (yes), N (no), A (abstain), X (non-voting)"),
                ))
            }
        };
        let country = iso3_field(l, line, "ms_code", &rec[1], countries)?;
        let k = match by_id.get(&undl_id) {
            Some(&k) => {
                if out[k].rc.date != date {
                    return Err(DataError::field(
                        &l.path,
                        line,
                        "date",
                        format!(
                            "record {undl_id} was dated {} earlier in this file",
                            out[k].rc.date
                        ),
                    ));
                }
                k
            }
            None => {
                let session = match session {
                    Some(i) => session_field(l, line, &rec[i])?,
                    None => None,
                };
                let mut rc = RollCall::new(UNDL_RCID_BASE + undl_id, date, src);
                rc.session = session;
                rc.resolution = resolution.and_then(|i| opt_text(&rec[i]));
                rc.title = title.and_then(|i| opt_text(&rec[i]));
                rc.subjects = subjects.and_then(|i| opt_text(&rec[i]));
                let count = |col: Option<usize>, name: &str| -> Result<Option<u32>, DataError> {
                    let Some(i) = col else { return Ok(None) };
                    let t = rec[i].trim();
                    if t.is_empty() || t == "NA" {
                        return Ok(None);
                    }
                    parse_id(t)
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|&n| n <= 1000)
                        .map(Some)
                        .ok_or_else(|| {
                            DataError::field(
                                &l.path,
                                line,
                                name,
                                format!(
                                    "`{t}` is not a count of votes (a whole number, at most 1000)"
                                ),
                            )
                        })
                };
                let totals = (
                    count(t_yes, "total_yes")?,
                    count(t_no, "total_no")?,
                    count(t_abstain, "total_abstentions")?,
                );
                if let (Some(y), Some(n), Some(a)) = totals {
                    rc.tally = Some([y, n, a]);
                }
                out.push(Imported {
                    rc,
                    votes: Vec::new(),
                    path: l.path.clone(),
                    line,
                });
                by_id.insert(undl_id, out.len() - 1);
                out.len() - 1
            }
        };
        match vote {
            Some(v) => out[k].votes.push((country, v)),
            None => non_votes += 1,
        }
        Ok(())
    })?;
    debug_assert!(out.len() >= first);
    Ok(report(l, n, non_votes))
}
