//! A recorded vote, coded after Voeten: yes = 1, abstain = 2, no = 3.

/// One state's recorded position on a roll call. Absence and non-membership are not
/// votes: they are represented by the absence of a `Vote`, never by a variant.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    /// In favour (code 1).
    Yes = 1,
    /// Present and abstaining (code 2).
    Abstain = 2,
    /// Against (code 3).
    No = 3,
}

impl Vote {
    /// All votes in coding order.
    pub const ALL: [Vote; 3] = [Vote::Yes, Vote::Abstain, Vote::No];

    /// The ordinal code (1, 2 or 3).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The zero-based index (0, 1 or 2), for tables.
    pub fn index(self) -> usize {
        self as usize - 1
    }

    /// The vote with ordinal code 1, 2 or 3.
    pub fn from_code(c: u8) -> Option<Vote> {
        match c {
            1 => Some(Vote::Yes),
            2 => Some(Vote::Abstain),
            3 => Some(Vote::No),
            _ => None,
        }
    }

    /// The vote's name in output and input files: `yes`, `abstain` or `no`.
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Yes => "yes",
            Vote::Abstain => "abstain",
            Vote::No => "no",
        }
    }
}
