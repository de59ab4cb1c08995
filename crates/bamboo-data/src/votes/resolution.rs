//! A table of one resolution's votes (`resolution,date,country_iso3,vote`), e.g. an
//! emergency special session's: self-contained; rows with the same symbol and date are one
//! roll call.

use std::collections::HashMap;

use bamboo_core::store::RollCall;
use bamboo_core::Date;

use super::fields::{date_field, for_records, iso3_field, report, vote_word};
use super::{FileReport, Imported, Loaded, RESOLUTION_RCID_BASE};
use crate::countries::Countries;
use crate::error::DataError;

pub(super) fn read(
    l: &Loaded,
    countries: &Countries,
    src: u16,
    out: &mut Vec<Imported>,
) -> Result<FileReport, DataError> {
    let mut by_key: HashMap<(String, Date), usize> = HashMap::new();
    let mut non_votes = 0;
    let n = for_records(l, |_, rec, line| {
        let symbol = rec[0].trim().to_string();
        if symbol.is_empty() {
            return Err(DataError::field(
                &l.path,
                line,
                "resolution",
                "the resolution symbol is empty",
            ));
        }
        let date = date_field(l, line, "date", &rec[1])?;
        let country = iso3_field(l, line, "country_iso3", &rec[2], countries)?;
        let vote = vote_word(l, line, "vote", &rec[3])?;
        let next = RESOLUTION_RCID_BASE + out.len() as u64;
        let k = *by_key.entry((symbol.clone(), date)).or_insert_with(|| {
            let mut rc = RollCall::new(next, date, src);
            rc.resolution = Some(symbol);
            out.push(Imported {
                rc,
                votes: Vec::new(),
                path: l.path.clone(),
                line,
            });
            out.len() - 1
        });
        match vote {
            Some(v) => out[k].votes.push((country, v)),
            None => non_votes += 1,
        }
        Ok(())
    })?;
    Ok(report(l, n, non_votes))
}
