//! The unvotes tables (Voeten, Merdzanovic and Strezhnev's R package, roll calls
//! 1946-2019): roll calls (`rcid,session,importantvote,date,unres,…`), their issue codes
//! (`rcid,short_name,issue`) and the votes (`rcid,country,country_code,vote`), whose
//! countries are ISO2 codes, or names alone for a few historical states.

use bamboo_core::store::{Issue, RollCall, VoteStoreBuilder};
use bamboo_core::Iso3;

use super::fields::{
    date_field, flag_field, for_records, id_field, opt_text, report, session_field, store_err,
    vote_word,
};
use super::{FileReport, Loaded};
use crate::countries::{Countries, UNCODED_NAMES};
use crate::error::DataError;

pub(super) fn read_roll_calls(
    l: &Loaded,
    b: &mut VoteStoreBuilder,
    src: u16,
) -> Result<FileReport, DataError> {
    let mut cols = None;
    let n = for_records(l, |h, rec, line| {
        let &mut [session, unres, short, descr, important, amend, para] =
            cols.get_or_insert_with(|| {
                [
                    "session",
                    "unres",
                    "short",
                    "descr",
                    "importantvote",
                    "amend",
                    "para",
                ]
                .map(|c| h.find(c))
            });
        let rcid = id_field(l, line, "rcid", &rec[0])?;
        let date = date_field(l, line, "date", &rec[3])?;
        let session = match session {
            Some(i) => session_field(l, line, &rec[i])?,
            None => None,
        };
        let flag = |col: Option<usize>, name: &str| -> Result<Option<bool>, DataError> {
            col.map_or(Ok(None), |i| flag_field(l, line, name, &rec[i]))
        };
        let text = |col: Option<usize>| col.and_then(|i| opt_text(&rec[i]));
        let mut rc = RollCall::new(rcid, date, src);
        rc.session = session;
        rc.resolution = text(unres);
        rc.description = text(descr);
        // Some roll calls have no short title but a description: the description titles them.
        rc.title = text(short).or_else(|| rc.description.clone());
        rc.important = flag(important, "importantvote")?;
        rc.amendment = flag(amend, "amend")?;
        rc.paragraph = flag(para, "para")?;
        b.add_roll_call(rc).map_err(|e| store_err(l, line, e))
    })?;
    Ok(report(l, n, 0))
}

pub(super) fn read_issues(l: &Loaded, b: &mut VoteStoreBuilder) -> Result<FileReport, DataError> {
    let n = for_records(l, |_, rec, line| {
        let rcid = id_field(l, line, "rcid", &rec[0])?;
        let issue = Issue::from_code(rec[1].trim()).ok_or_else(|| {
            DataError::field(
                &l.path,
                line,
                "short_name",
                format!(
                    "unknown issue code `{}`; allowed: me, nu, di, hr, co, ec",
                    rec[1].trim()
                ),
            )
        })?;
        if !b.add_issue(rcid, issue) {
            return Err(DataError::field(
                &l.path,
                line,
                "rcid",
                format!("roll call {rcid} is not defined by any roll-call file loaded with it"),
            ));
        }
        Ok(())
    })?;
    Ok(report(l, n, 0))
}

/// ISO2 → ISO3 lookups are on the hot path of the largest file: a direct table indexed by
/// the two letters, and a small list for the rows that carry only a name.
pub(super) struct Iso2Cache<'c> {
    countries: &'c Countries,
    table: Vec<Option<Iso3>>,
}

impl<'c> Iso2Cache<'c> {
    pub(super) fn new(countries: &'c Countries) -> Self {
        Iso2Cache {
            countries,
            table: vec![None; 26 * 26],
        }
    }

    pub(super) fn get(&mut self, code: &str, name: &str) -> Option<Iso3> {
        let b = code.as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_uppercase) {
            let k = usize::from(b[0] - b'A') * 26 + usize::from(b[1] - b'A');
            if let Some(c) = self.table[k] {
                return Some(c);
            }
            let c = self.countries.from_iso2(code)?;
            self.table[k] = Some(c);
            return Some(c);
        }
        if code.is_empty() {
            return UNCODED_NAMES
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, c)| Iso3::parse(c).ok());
        }
        None
    }
}

pub(super) fn read_votes(
    l: &Loaded,
    b: &mut VoteStoreBuilder,
    countries: &Countries,
) -> Result<FileReport, DataError> {
    let mut cache = Iso2Cache::new(countries);
    let mut non_votes = 0;
    let n = for_records(l, |_, rec, line| {
        let rcid = id_field(l, line, "rcid", &rec[0])?;
        let code = rec[2].trim();
        let country = cache.get(code, rec[1].trim()).ok_or_else(|| {
            DataError::field(
                &l.path,
                line,
                "country_code",
                format!(
                    "unknown country code `{code}` for `{}`; allowed: ISO2 codes of countries.csv, historical DD, YD, CS, YU, or an empty code for {}",
                    rec[1].trim(),
                    UNCODED_NAMES.map(|(n, _)| n).join(", ")
                ),
            )
        })?;
        match vote_word(l, line, "vote", &rec[3])? {
            Some(v) => b.add_vote(rcid, country, v).map_err(|e| {
                DataError::field(
                    &l.path,
                    line,
                    "rcid",
                    format!("{e}: load the roll-call table beside it"),
                )
            }),
            None => {
                non_votes += 1;
                Ok(())
            }
        }
    })?;
    Ok(report(l, n, non_votes))
}
