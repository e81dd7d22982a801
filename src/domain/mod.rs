//! Types and rules with no I/O: what a status, a health, a date or a
//! summary is, and how they are computed.

pub mod carry;
pub mod dates;
pub mod fields;
pub mod health;
pub mod history;
pub mod model;
pub mod summary;
pub mod text;
pub mod vocab;

use chrono::{DateTime, NaiveDate, Utc};

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
