//! A compact binary form of a [`VoteStore`], for the loader's cache: the store's facts (the
//! sources, countries, roll calls and votes) and nothing derived, so decoding rebuilds the
//! indices exactly as [`VoteStoreBuilder::build`](crate::store::VoteStoreBuilder::build)
//! made them. Pure: bytes in, bytes out.
//!
//! Layout (little-endian): magic `BAMBOOVS`, a format version, then the sections in order.
//! Strings are a u32 length and UTF-8 bytes; options a tag byte. The decoder checks every
//! length and value it reads and refuses anything else, so a damaged file is an error, never
//! a wrong store.

use super::{Cast, RollCall, VoteStore};
use crate::country::Iso3;
use crate::date::Date;
use crate::vote::Vote;

const MAGIC: &[u8; 8] = b"BAMBOOVS";
/// Bump whenever the layout or the meaning of a field changes.
pub const VERSION: u32 = 1;

/// Why bytes are not a vote store.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a bamboo vote store ({0})")]
pub struct DecodeError(pub &'static str);

/// Appends values to a byte buffer.
#[derive(Default)]
pub struct Writer {
    /// The bytes written so far.
    pub buf: Vec<u8>,
}

impl Writer {
    /// One byte.
    pub fn u8(&mut self, x: u8) {
        self.buf.push(x);
    }
    /// Two bytes, little-endian.
    pub fn u16(&mut self, x: u16) {
        self.buf.extend_from_slice(&x.to_le_bytes());
    }
    /// Four bytes, little-endian.
    pub fn u32(&mut self, x: u32) {
        self.buf.extend_from_slice(&x.to_le_bytes());
    }
    /// Eight bytes, little-endian.
    pub fn u64(&mut self, x: u64) {
        self.buf.extend_from_slice(&x.to_le_bytes());
    }
    /// The length in bytes as a `u32`, then the UTF-8 bytes.
    pub fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.buf.extend_from_slice(s.as_bytes());
    }
    /// A tag byte (0 none, 1 some), then the text when there is one.
    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }
    /// One byte: 0 none, 1 false, 2 true.
    pub fn opt_bool(&mut self, b: Option<bool>) {
        self.u8(match b {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
    }
    /// One byte: 0 false, 1 true.
    pub fn bool(&mut self, b: bool) {
        self.u8(u8::from(b));
    }
    /// The code's three ASCII letters.
    pub fn code(&mut self, c: Iso3) {
        self.buf.extend_from_slice(c.as_str().as_bytes());
    }
}

/// Reads values back, checking every length.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError("truncated"))?;
        let s = self
            .buf
            .get(self.pos..end)
            .ok_or(DecodeError("truncated"))?;
        self.pos = end;
        Ok(s)
    }
    /// Whether every byte has been read (trailing bytes make a store invalid).
    pub fn done(&self) -> bool {
        self.pos == self.buf.len()
    }
    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    /// One byte; an error at the end of the buffer, as for every read.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    /// Two bytes, little-endian.
    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().map_err(|_| DecodeError("u16"))?,
        ))
    }
    /// Four bytes, little-endian.
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| DecodeError("u32"))?,
        ))
    }
    /// Eight bytes, little-endian.
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().map_err(|_| DecodeError("u64"))?,
        ))
    }
    /// A text written by [`Writer::str`]; an error if it is not UTF-8.
    pub fn str(&mut self) -> Result<String, DecodeError> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| DecodeError("text that is not UTF-8"))
    }
    /// An optional text written by [`Writer::opt_str`]; an error on another tag.
    pub fn opt_str(&mut self) -> Result<Option<String>, DecodeError> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.str().map(Some),
            _ => Err(DecodeError("option tag")),
        }
    }
    /// An optional flag written by [`Writer::opt_bool`]; an error on a byte above 2.
    pub fn opt_bool(&mut self) -> Result<Option<bool>, DecodeError> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(false)),
            2 => Ok(Some(true)),
            _ => Err(DecodeError("flag")),
        }
    }
    /// A flag written by [`Writer::bool`]; an error on a byte above 1.
    pub fn bool(&mut self) -> Result<bool, DecodeError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError("flag")),
        }
    }
    /// A country code written by [`Writer::code`]; an error unless three letters.
    pub fn code(&mut self) -> Result<Iso3, DecodeError> {
        let b = self.take(3)?;
        let s = std::str::from_utf8(b).map_err(|_| DecodeError("country code"))?;
        Iso3::parse(s).map_err(|_| DecodeError("country code"))
    }
}

fn date_parts(d: Date) -> u32 {
    (d.year() as u32) << 9 | u32::from(d.month()) << 5 | u32::from(d.day())
}

fn date_of(x: u32) -> Result<Date, DecodeError> {
    Date::new((x >> 9) as i32, ((x >> 5) & 0xf) as u8, (x & 0x1f) as u8)
        .map_err(|_| DecodeError("date"))
}

impl VoteStore {
    /// The store as bytes (see the module's layout).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.buf.extend_from_slice(MAGIC);
        w.u32(VERSION);
        w.u32(self.sources.len() as u32);
        for s in &self.sources {
            w.str(s);
        }
        w.u32(self.countries.len() as u32);
        for c in &self.countries {
            w.code(*c);
        }
        w.u32(self.roll_calls.len() as u32);
        for rc in &self.roll_calls {
            w.u64(rc.rcid);
            w.u32(date_parts(rc.date));
            match rc.session {
                None => w.u8(0),
                Some(s) => {
                    w.u8(1);
                    w.u32(s);
                }
            }
            w.opt_str(rc.resolution.as_deref());
            w.opt_str(rc.title.as_deref());
            w.u8(rc.issues);
            w.u16(rc.source);
            w.opt_str(rc.description.as_deref());
            w.opt_str(rc.subjects.as_deref());
            w.opt_bool(rc.important);
            w.opt_bool(rc.amendment);
            w.opt_bool(rc.paragraph);
            match rc.tally {
                None => w.u8(0),
                Some(t) => {
                    w.u8(1);
                    t.iter().for_each(|x| w.u32(*x));
                }
            }
        }
        // Votes, grouped by roll call as the store keeps them.
        for i in 0..self.roll_calls.len() {
            let v = self.votes(i);
            w.u32(v.len() as u32);
            for c in v {
                w.u16(c.country);
                w.u8(c.vote.code());
            }
        }
        w.buf
    }

    /// The store back from [`VoteStore::encode`]'s bytes, with its indices rebuilt.
    pub fn decode(bytes: &[u8]) -> Result<VoteStore, DecodeError> {
        let mut r = Reader::new(bytes);
        if r.take(8)? != MAGIC {
            return Err(DecodeError("wrong magic"));
        }
        if r.u32()? != VERSION {
            return Err(DecodeError("another format version"));
        }
        let n = r.u32()? as usize;
        let mut sources = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            sources.push(r.str()?);
        }
        let n = r.u32()? as usize;
        if n >= usize::from(u16::MAX) {
            return Err(DecodeError("too many countries"));
        }
        let mut countries = Vec::with_capacity(n);
        for _ in 0..n {
            countries.push(r.code()?);
        }
        if countries.windows(2).any(|w| w[0] >= w[1]) {
            return Err(DecodeError("countries out of order"));
        }
        let n = r.u32()? as usize;
        let mut roll_calls = Vec::with_capacity(n.min(1 << 20));
        for _ in 0..n {
            let rcid = r.u64()?;
            let date = date_of(r.u32()?)?;
            let session = match r.u8()? {
                0 => None,
                1 => Some(r.u32()?),
                _ => return Err(DecodeError("option tag")),
            };
            let resolution = r.opt_str()?;
            let title = r.opt_str()?;
            let issues = r.u8()?;
            let source = r.u16()?;
            if usize::from(source) >= sources.len().max(1) {
                return Err(DecodeError("source index"));
            }
            let description = r.opt_str()?;
            let subjects = r.opt_str()?;
            let important = r.opt_bool()?;
            let amendment = r.opt_bool()?;
            let paragraph = r.opt_bool()?;
            let tally = match r.u8()? {
                0 => None,
                1 => Some([r.u32()?, r.u32()?, r.u32()?]),
                _ => return Err(DecodeError("option tag")),
            };
            roll_calls.push(RollCall {
                rcid,
                date,
                session,
                resolution,
                title,
                issues,
                source,
                description,
                subjects,
                important,
                amendment,
                paragraph,
                tally,
            });
        }
        if roll_calls
            .windows(2)
            .any(|w| (w[0].date, w[0].rcid) >= (w[1].date, w[1].rcid))
        {
            return Err(DecodeError("roll calls out of order"));
        }
        let mut offsets = Vec::with_capacity(roll_calls.len() + 1);
        offsets.push(0u32);
        let mut casts = Vec::new();
        for _ in 0..roll_calls.len() {
            let k = r.u32()? as usize;
            let mut last: Option<u16> = None;
            for _ in 0..k {
                let country = r.u16()?;
                if usize::from(country) >= countries.len() || last.is_some_and(|l| l >= country) {
                    return Err(DecodeError("votes out of order"));
                }
                last = Some(country);
                let vote = Vote::from_code(r.u8()?).ok_or(DecodeError("vote code"))?;
                casts.push(Cast { country, vote });
            }
            offsets.push(u32::try_from(casts.len()).map_err(|_| DecodeError("too many votes"))?);
        }
        if !r.done() {
            return Err(DecodeError("trailing bytes"));
        }
        Ok(VoteStore::assemble(
            sources, countries, roll_calls, offsets, casts,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::VoteStoreBuilder;

    fn store() -> VoteStore {
        let mut b = VoteStoreBuilder::new();
        b.add_source("a.csv");
        b.add_source("b.csv");
        for (id, d) in [(3u64, "2001-05-01"), (1, "2000-01-02"), (2, "2000-01-02")] {
            let mut rc = RollCall::new(id, Date::parse(d).unwrap(), 1);
            rc.title = Some(format!("Roll call {id} — ünïcode"));
            rc.important = Some(id == 2);
            rc.tally = (id == 3).then_some([1, 2, 3]);
            rc.session = Some(55);
            b.add_roll_call(rc).unwrap();
        }
        for (id, c, v) in [
            (1, "VNM", Vote::Yes),
            (1, "CHN", Vote::No),
            (3, "USA", Vote::Abstain),
            (2, "VNM", Vote::No),
        ] {
            b.add_vote(id, Iso3::parse(c).unwrap(), v).unwrap();
        }
        b.build().unwrap()
    }

    #[test]
    fn a_store_round_trips() {
        let s = store();
        let back = VoteStore::decode(&s.encode()).unwrap();
        assert_eq!(back.sources(), s.sources());
        assert_eq!(back.countries(), s.countries());
        assert_eq!(back.roll_calls(), s.roll_calls());
        for i in 0..s.roll_calls().len() {
            assert_eq!(back.votes(i), s.votes(i));
            for c in 0..s.countries().len() as u16 {
                assert_eq!(back.vote_of(i, c), s.vote_of(i, c));
            }
        }
        assert_eq!(
            back.years().collect::<Vec<_>>(),
            s.years().collect::<Vec<_>>()
        );
        assert_eq!(back.encode(), s.encode());
    }

    #[test]
    fn damaged_bytes_are_refused_never_misread() {
        let bytes = store().encode();
        for cut in [0, 7, 8, 12, bytes.len() / 2, bytes.len() - 1] {
            assert!(VoteStore::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut more = bytes.clone();
        more.push(0);
        assert!(VoteStore::decode(&more).is_err());
        let mut v = bytes.clone();
        v[8] = 99;
        assert_eq!(
            VoteStore::decode(&v).unwrap_err(),
            DecodeError("another format version")
        );
        // Flipping any single byte either fails or decodes to a store that encodes to the
        // same flipped bytes (a title letter, say): never a silent inconsistency.
        for k in 0..bytes.len() {
            let mut b = bytes.clone();
            b[k] ^= 0x5a;
            if let Ok(s) = VoteStore::decode(&b) {
                assert_eq!(s.encode(), b, "byte {k}");
            }
        }
    }
}
