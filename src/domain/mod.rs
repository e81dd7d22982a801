//! Types and rules with no I/O: what a status, a health, a date or a
//! summary is, and how they are computed.

pub mod carry;
pub mod dates;
pub mod fields;
pub mod health;
pub mod history;
pub mod model;
pub mod picks;
pub mod spelling;
pub mod summary;
pub mod text;
pub mod travel;
pub mod vocab;

use chrono::{DateTime, NaiveDate, Utc};
use std::fmt;

/// A value the domain's rules refuse, and why: what every rule and parser
/// of the domain fails with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(String);

impl Invalid {
    pub fn new(why: impl Into<String>) -> Invalid {
        Invalid(why.into())
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

impl From<String> for Invalid {
    fn from(why: String) -> Invalid {
        Invalid(why)
    }
}

impl From<&str> for Invalid {
    fn from(why: &str) -> Invalid {
        Invalid(why.to_string())
    }
}

/// The day and moment a command runs at; `STRAT_TODAY` may pin the day.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

/// Sets and maps an import fills by the hundred thousand (record numbers,
/// codes, refs): foldhash, seeded afresh by each process, hashes a number
/// in a few instructions where std's SipHash took a twentieth of an import's
/// writing.
pub type FastSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
pub type NumberSet = FastSet<i64>;
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub type NumberMap<V> = FastMap<i64, V>;
