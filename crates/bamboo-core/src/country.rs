//! Country codes: ISO 3166-1 alpha-3, plus stable codes of our own for dissolved states.

use std::fmt;

/// An upper-case, three-letter country code (ISO 3166-1 alpha-3, or a historical code such
/// as `DDR`, `YMD`, `CSK`, `YUG`, `ZAN`). Stored inline; cheap to copy and compare.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Iso3([u8; 3]);

/// Why a string is not a well-formed code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a three-letter country code (expected ISO 3166-1 alpha-3, e.g. VNM)")]
pub struct BadCode(pub String);

impl Iso3 {
    /// Parses three ASCII letters, in either case, into an upper-case code.
    pub fn parse(s: &str) -> Result<Iso3, BadCode> {
        let b = s.trim().as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_alphabetic) {
            return Err(BadCode(s.to_string()));
        }
        Ok(Iso3([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]))
    }

    /// Builds a code from a literal known at compile time; panics on a malformed literal.
    pub const fn from_static(s: &'static str) -> Iso3 {
        let b = s.as_bytes();
        assert!(b.len() == 3);
        let mut i = 0;
        while i < 3 {
            assert!(b[i].is_ascii_uppercase());
            i += 1;
        }
        Iso3([b[0], b[1], b[2]])
    }

    /// The code as a `&str` (always valid ASCII).
    pub fn as_str(&self) -> &str {
        // The bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Iso3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Iso3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iso3({})", self.as_str())
    }
}

impl std::str::FromStr for Iso3 {
    type Err = BadCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Iso3::parse(s)
    }
}

impl serde::Serialize for Iso3 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Iso3 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Iso3::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A set of country codes: one bit for each of the 26³ three-letter codes (2.2 kB, no
/// allocation; a case lists about 190 states, and a file has thousands of cases).
pub(crate) struct CodeSet([u64; CodeSet::WORDS]);

impl CodeSet {
    const WORDS: usize = (26 * 26 * 26usize).div_ceil(64);

    /// Adds `c`; false if it was there already.
    pub(crate) fn insert(&mut self, c: Iso3) -> bool {
        let (word, bit) = Self::at(c);
        let fresh = self.0[word] & bit == 0;
        self.0[word] |= bit;
        fresh
    }

    /// Whether `c` is in the set.
    pub(crate) fn contains(&self, c: Iso3) -> bool {
        let (word, bit) = Self::at(c);
        self.0[word] & bit != 0
    }

    /// The word and bit of `c`.
    fn at(c: Iso3) -> (usize, u64) {
        // A code is three letters A-Z ([`Iso3::parse`] and [`Iso3::from_static`] make sure).
        let letter = |k: usize| usize::from(c.0[k] - b'A');
        let i = letter(0) * 676 + letter(1) * 26 + letter(2);
        (i / 64, 1u64 << (i % 64))
    }
}

impl Default for CodeSet {
    fn default() -> CodeSet {
        CodeSet([0; CodeSet::WORDS])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_upcases() {
        assert_eq!(Iso3::parse("vnm").unwrap().as_str(), "VNM");
        assert_eq!(Iso3::parse(" USA ").unwrap(), Iso3::from_static("USA"));
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parse_accepts_exactly_three_letters(s in "\\PC{0,5}") {
            match Iso3::parse(&s) {
                Ok(c) => {
                    prop_assert_eq!(c.as_str(), s.trim().to_ascii_uppercase());
                    prop_assert_eq!(Iso3::parse(c.as_str()).unwrap(), c);
                }
                Err(_) => prop_assert!(s.trim().len() != 3 || !s.trim().bytes().all(|b| b.is_ascii_alphabetic())),
            }
        }
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in ["", "VN", "VNMM", "V1M", "ÄBC"] {
            assert!(Iso3::parse(bad).is_err(), "{bad}");
        }
    }
}
