//! Erik Voeten's later files (roll calls 2020 on): roll calls with one 0/1 column per
//! issue (`rcid,date,me,nu,di,hr,co,ec`) and votes with ISO3 codes and both a vote code
//! and a word (`rcid,date,country_iso3,vote_code,vote`; 8 = absent, 9 = not a member).

use std::collections::HashMap;

use bamboo_core::store::{Issue, RollCall, VoteStoreBuilder};
use bamboo_core::{Iso3, Vote};

use super::fields::{date_field, for_records, id_field, iso3_field, report, store_err, vote_word};
use super::{FileReport, Loaded};
use crate::countries::Countries;
use crate::error::DataError;

pub(super) fn read_roll_calls(
    l: &Loaded,
    b: &mut VoteStoreBuilder,
    src: u16,
) -> Result<FileReport, DataError> {
    let n = for_records(l, |_, rec, line| {
        let rcid = id_field(l, line, "rcid", &rec[0])?;
        let date = date_field(l, line, "date", &rec[1])?;
        let mut issues = 0u8;
        for (k, issue) in Issue::ALL.iter().enumerate() {
            match rec[2 + k].trim() {
                "1" => issues |= 1 << *issue as u8,
                "0" | "" => {}
                other => {
                    return Err(DataError::field(
                        &l.path,
                        line,
                        issue.code(),
                        format!("issue flag `{other}` is not allowed; use 0 or 1"),
                    ))
                }
            }
        }
        let mut rc = RollCall::new(rcid, date, src);
        rc.issues = issues;
        b.add_roll_call(rc).map_err(|e| store_err(l, line, e))
    })?;
    Ok(report(l, n, 0))
}

pub(super) fn read_votes(
    l: &Loaded,
    b: &mut VoteStoreBuilder,
    countries: &Countries,
    src: u16,
) -> Result<FileReport, DataError> {
    let mut non_votes = 0;
    let mut known: HashMap<String, Iso3> = HashMap::new();
    let n = for_records(l, |_, rec, line| {
        let rcid = id_field(l, line, "rcid", &rec[0])?;
        let date = date_field(l, line, "date", &rec[1])?;
        let code = rec[2].trim();
        let country = match known.get(code) {
            Some(c) => *c,
            None => {
                let c = iso3_field(l, line, "country_iso3", code, countries)?;
                known.insert(code.to_string(), c);
                c
            }
        };
        let by_code = match rec[3].trim() {
            "1" => Some(Vote::Yes),
            "2" => Some(Vote::Abstain),
            "3" => Some(Vote::No),
            "8" | "9" => None,
            other => {
                return Err(DataError::field(
                    &l.path,
                    line,
                    "vote_code",
                    format!("unknown vote value `{other}`; allowed: 1 yes, 2 abstain, 3 no, 8 absent, 9 not a member"),
                ))
            }
        };
        let by_word = vote_word(l, line, "vote", &rec[4])?;
        if by_code != by_word {
            return Err(DataError::field(
                &l.path,
                line,
                "vote",
                format!(
                    "`{}` contradicts vote_code `{}`",
                    rec[4].trim(),
                    rec[3].trim()
                ),
            ));
        }
        // The votes file carries dates, so it can stand without its roll-call table; where
        // the table is loaded too, the dates must agree.
        b.add_roll_call(RollCall::new(rcid, date, src))
            .map_err(|e| DataError::field(&l.path, line, "date", e.to_string()))?;
        match by_code {
            Some(v) => b
                .add_vote(rcid, country, v)
                .map_err(|e| store_err(l, line, e)),
            None => {
                non_votes += 1;
                Ok(())
            }
        }
    })?;
    Ok(report(l, n, non_votes))
}
