//! Types and rules with no I/O: what a status, a health, a date or a
//! summary is, and how they are computed.

pub mod dates;
pub mod health;
pub mod history;
pub mod model;
pub mod summary;
pub mod vocab;

use chrono::{DateTime, NaiveDate, Utc};

/// The day and moment a command runs at; `STRAT_TODAY` may pin the day.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}
