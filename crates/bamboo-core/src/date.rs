//! Calendar dates (proleptic Gregorian), parsed strictly from ISO 8601 `YYYY-MM-DD`.

use std::fmt;

/// A calendar date. Ordered chronologically.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a string is not a valid ISO 8601 date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid date: {why} (expected YYYY-MM-DD)")]
pub struct BadDate {
    /// The text that was read, cut to 40 characters with `…` when longer.
    pub text: String,
    /// What is wrong with it (`wrong shape`, `month out of range 1-12`, ...).
    pub why: &'static str,
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

impl Date {
    /// A date from its parts, checked (month 1-12, day within the month, year 1-9999).
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, &'static str> {
        if !(1..=9999).contains(&year) {
            return Err("year out of range 1-9999");
        }
        if !(1..=12).contains(&month) {
            return Err("month out of range 1-12");
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err("day out of range for the month");
        }
        Ok(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD` exactly: ten characters, nothing before or after (no time part,
    /// no zone, no spaces), in every reader.
    pub fn parse(s: &str) -> Result<Date, BadDate> {
        let bad = |why| BadDate {
            // Quoted in error messages: a long value is cut, never echoed whole.
            text: if s.chars().count() > 40 {
                format!("{}…", s.chars().take(40).collect::<String>())
            } else {
                s.to_string()
            },
            why,
        };
        let b = s.as_bytes();
        if b.len() > 10 && b.get(10).is_some_and(|c| matches!(c, b'T' | b't' | b' ')) {
            return Err(bad("a date has no time part"));
        }
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad("wrong shape"));
        }
        let num = |r: std::ops::Range<usize>| -> Result<u32, BadDate> {
            let part = &b[r];
            if !part.iter().all(u8::is_ascii_digit) {
                return Err(bad("non-digit characters"));
            }
            Ok(part.iter().fold(0u32, |a, c| a * 10 + u32::from(c - b'0')))
        };
        let (y, m, dd) = (num(0..4)?, num(5..7)?, num(8..10)?);
        Date::new(y as i32, m as u8, dd as u8).map_err(bad)
    }

    /// The year, 1 to 9999.
    pub fn year(&self) -> i32 {
        self.year
    }
    /// The month, 1 (January) to 12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// The day of the month, from 1 to the month's length.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before), for differences between dates.
    pub fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// The year as a fraction (e.g. 2022-07-02 ≈ 2022.5), for charts.
    pub fn fractional_year(&self) -> f64 {
        let start = Date::new(self.year, 1, 1)
            .map(|d| d.days_since_epoch())
            .unwrap_or(0);
        let len = if is_leap(self.year) { 366.0 } else { 365.0 };
        f64::from(self.year) + (self.days_since_epoch() - start) as f64 / len
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl std::str::FromStr for Date {
    type Err = BadDate;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Date::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_dates() {
        let d = Date::parse("2022-03-02").unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2022, 3, 2));
        assert_eq!(d.to_string(), "2022-03-02");
        assert_eq!(Date::parse("2024-02-29").unwrap().day(), 29);
    }

    #[test]
    fn a_time_part_or_anything_around_the_date_is_refused() {
        for bad in [
            "2024-01-01T00:00:00Z",
            "2024-01-01Tgarbage",
            "2024-01-01 00:00:00",
            "2024-01-01T",
            " 2024-01-01",
            "2024-01-01 ",
            "2024-01-01\n",
            "+2024-01-01",
            "2024-01-01Z",
        ] {
            let e = Date::parse(bad).unwrap_err();
            assert!(e.to_string().contains("expected YYYY-MM-DD"), "{bad}: {e}");
        }
        let e = Date::parse(&"9".repeat(100_000)).unwrap_err().to_string();
        assert!(e.len() < 120, "a long value is not echoed whole: {e}");
    }

    #[test]
    fn rejects_malformed_dates() {
        for bad in [
            "2023-02-29",
            "2022-13-01",
            "2022-00-10",
            "22-03-02",
            "2022/03/02",
            "2022-3-2",
            "",
            "abcd-ef-gh",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    use proptest::prelude::*;

    proptest! {
        /// Every valid date prints and parses back to itself, and order matches day counts.
        #[test]
        fn round_trips_and_orders(y in 1i32..=9999, m in 1u8..=12, d in 1u8..=31, y2 in 1i32..=9999) {
            if let Ok(a) = Date::new(y, m, d) {
                let text = a.to_string();
                prop_assert_eq!(Date::parse(&text).unwrap(), a);
                let b = Date::new(y2, m, 1).unwrap();
                prop_assert_eq!(a.cmp(&b), a.days_since_epoch().cmp(&b.days_since_epoch()));
            } else {
                prop_assert!(d > 28);
            }
        }

        /// Arbitrary text never panics the parser, and anything accepted is a real date.
        #[test]
        fn never_panics(s in "\\PC{0,14}") {
            if let Ok(d) = Date::parse(&s) {
                prop_assert!(Date::new(d.year(), d.month(), d.day()).is_ok());
            }
        }
    }

    #[test]
    fn epoch_days_are_consistent() {
        assert_eq!(Date::parse("1970-01-01").unwrap().days_since_epoch(), 0);
        assert_eq!(Date::parse("2000-03-01").unwrap().days_since_epoch(), 11017);
        assert!(Date::parse("1946-01-01").unwrap().days_since_epoch() < 0);
    }
}
