//! The JSON shapes of the SPEC. Field order here is the order printed;
//! absent values are `null`, never missing.

use crate::domain::health::health;
use crate::domain::model::{Change, Event, Item, Strategy, StrategyEvent, format_timestamp};
use crate::domain::vocab::{Action, Health, Rag, Status, StrategyStatus};
use crate::output::Cell;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct StrategyJson<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub status: StrategyStatus,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
    pub decision: Option<&'a str>,
    pub adopted: Option<NaiveDate>,
    pub lead: Option<&'a str>,
    pub department: Option<&'a str>,
    pub supersedes: Option<&'a str>,
    pub description: Option<&'a str>,
}

impl<'a> From<&'a Strategy> for StrategyJson<'a> {
    fn from(s: &'a Strategy) -> Self {
        StrategyJson {
            code: s.code.as_str(),
            title: &s.title,
            status: s.status,
            starts: s.period.starts(),
            ends: s.period.ends(),
            decision: s.decision.as_deref(),
            adopted: s.adopted,
            lead: s.lead.as_deref(),
            department: s.department.as_deref(),
            supersedes: s.supersedes.as_ref().map(|c| c.as_str()),
            description: s.description.as_deref(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ItemJson<'a> {
    pub id: i64,
    pub strategy: &'a str,
    #[serde(rename = "ref")]
    pub reference: Option<&'a str>,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub theme: Option<&'a str>,
    pub owner: Option<&'a str>,
    pub status: Status,
    pub progress: u8,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub health: Health,
    pub rag_override: Option<Rag>,
    pub rag_reason: Option<&'a str>,
    pub carried_from: Option<i64>,
    pub carried_to: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl<'a> ItemJson<'a> {
    /// The item with its health on day `on`.
    pub fn new(i: &'a Item, on: NaiveDate) -> Self {
        ItemJson {
            id: i.id.0,
            strategy: i.strategy.as_str(),
            reference: i.reference.as_deref(),
            title: &i.title,
            description: i.description.as_deref(),
            theme: i.theme.as_deref(),
            owner: i.owner.as_deref(),
            status: i.status,
            progress: i.progress.get(),
            start: i.start,
            due: i.due,
            completed_on: i.completed_on,
            health: health(i, on),
            rag_override: i.rag_override,
            rag_reason: i.rag_reason.as_deref(),
            carried_from: i.carried_from.map(|x| x.0),
            carried_to: i.carried_to.map(|x| x.0),
            created_at: format_timestamp(i.created_at),
            updated_at: format_timestamp(i.updated_at),
        }
    }
}

/// A column of a list of items: its name, and the cell of an item in it
/// on a given day.
pub type ItemColumn = (&'static str, fn(&Item, NaiveDate) -> Cell);

/// Every column of an item in a list, in the order CSV writes them: the
/// columns `item list` writes as CSV and `import FILE.csv` reads back.
pub const ITEM_COLUMNS: [ItemColumn; 17] = [
    ("id", |i, _| Cell::Int(i.id.0)),
    ("strategy", |i, _| Cell::from(i.strategy.as_str())),
    ("ref", |i, _| Cell::opt(i.reference.as_ref())),
    ("title", |i, _| Cell::from(i.title.as_str())),
    ("description", |i, _| Cell::opt(i.description.as_ref())),
    ("theme", |i, _| Cell::opt(i.theme.as_ref())),
    ("owner", |i, _| Cell::opt(i.owner.as_ref())),
    ("status", |i, _| Cell::from(i.status.as_str())),
    ("progress", |i, _| Cell::Bar(i.progress.get())),
    ("start", |i, _| Cell::opt(i.start)),
    ("due", |i, _| Cell::opt(i.due)),
    ("completed_on", |i, _| Cell::opt(i.completed_on)),
    ("health", |i, on| Cell::Health(health(i, on))),
    ("rag_override", |i, _| Cell::opt(i.rag_override)),
    ("rag_reason", |i, _| Cell::opt(i.rag_reason.as_ref())),
    ("created_at", |i, _| {
        Cell::from(format_timestamp(i.created_at))
    }),
    ("updated_at", |i, _| {
        Cell::from(format_timestamp(i.updated_at))
    }),
];

/// The names of [`ITEM_COLUMNS`].
pub const ITEM_CSV_COLUMNS: &[&str] = &{
    let mut names = [""; ITEM_COLUMNS.len()];
    let mut n = 0;
    while n < names.len() {
        names[n] = ITEM_COLUMNS[n].0;
        n += 1;
    }
    names
};

#[derive(Debug, Serialize)]
pub struct EventJson<'a> {
    pub id: i64,
    pub item: i64,
    pub at: String,
    pub by: &'a str,
    pub action: Action,
    pub changes: &'a [Change],
    pub note: Option<&'a str>,
}

impl<'a> From<&'a Event> for EventJson<'a> {
    fn from(e: &'a Event) -> Self {
        EventJson {
            id: e.id,
            item: e.item.0,
            at: format_timestamp(e.at),
            by: &e.by,
            action: e.action,
            changes: &e.changes,
            note: e.note.as_deref(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct StrategyEventJson<'a> {
    pub id: i64,
    pub strategy: &'a str,
    pub at: String,
    pub by: &'a str,
    pub action: Action,
    pub changes: &'a [Change],
    pub note: Option<&'a str>,
}

impl<'a> From<&'a StrategyEvent> for StrategyEventJson<'a> {
    fn from(e: &'a StrategyEvent) -> Self {
        StrategyEventJson {
            id: e.id,
            strategy: e.strategy.as_str(),
            at: format_timestamp(e.at),
            by: &e.by,
            action: e.action,
            changes: &e.changes,
            note: e.note.as_deref(),
        }
    }
}

/// Serialises a shape, which cannot fail for these plain types.
pub fn to_value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}
