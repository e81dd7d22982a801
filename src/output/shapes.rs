//! The JSON shapes of the SPEC. Field order here is the order printed;
//! absent values are `null`, never missing.

use crate::domain::fields::{FieldValue, ITEM_FIELDS, ItemField, STRATEGY_FIELDS};
use crate::domain::model::{Change, Event, Item, Strategy, StrategyEvent, format_timestamp};
use crate::domain::text::TextRule;
use crate::domain::vocab::Action;
use crate::output::Cell;
use chrono::NaiveDate;
use serde::Serialize;

/// A strategy in JSON: every field of the table of strategy fields,
/// under its name, in its order.
#[derive(Debug, Clone, Copy)]
pub struct StrategyJson<'a>(&'a Strategy);

impl<'a> From<&'a Strategy> for StrategyJson<'a> {
    fn from(s: &'a Strategy) -> Self {
        StrategyJson(s)
    }
}

impl Serialize for StrategyJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(STRATEGY_FIELDS.len()))?;
        for f in STRATEGY_FIELDS {
            map.serialize_entry(f.name, &(f.get)(self.0))?;
        }
        map.end()
    }
}

/// An item in JSON, with its health on a day: every field of the table of
/// fields, under its name, in its order.
#[derive(Debug, Clone, Copy)]
pub struct ItemJson<'a> {
    item: &'a Item,
    on: NaiveDate,
}

impl<'a> ItemJson<'a> {
    /// The item with its health on day `on`.
    pub fn new(item: &'a Item, on: NaiveDate) -> Self {
        ItemJson { item, on }
    }
}

impl Serialize for ItemJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(ITEM_FIELDS.len()))?;
        for f in ITEM_FIELDS {
            map.serialize_entry(f.name, &(f.get)(self.item, self.on))?;
        }
        map.end()
    }
}

/// A column of a list of items: its header, and how an item's cell in it
/// is made on a given day.
#[derive(Clone, Copy)]
pub enum ItemColumn {
    /// A field of the table of fields, under its own name.
    Field(&'static ItemField),
    /// A column made for the list (days overdue).
    Made(&'static str, fn(&Item, NaiveDate) -> Cell),
}

impl ItemColumn {
    pub fn name(&self) -> &'static str {
        match self {
            ItemColumn::Field(f) => f.name,
            ItemColumn::Made(name, _) => name,
        }
    }

    pub fn cell(&self, item: &Item, on: NaiveDate) -> Cell {
        match self {
            ItemColumn::Field(f) => match (f.get)(item, on) {
                FieldValue::None => Cell::Empty,
                FieldValue::Int(n) => Cell::Int(n),
                FieldValue::Text(t) if f.rule() == TextRule::Prose => Cell::Prose(t.to_string()),
                FieldValue::Text(t) => Cell::from(t),
                FieldValue::Progress(p) => Cell::Bar(p.get()),
                FieldValue::Health(h) => Cell::Health(h),
                other => Cell::opt(other.text()),
            },
            ItemColumn::Made(_, cell) => cell(item, on),
        }
    }
}

/// Every column of an item in a list, in the order CSV writes them: the
/// columns `item list` writes as CSV and `import FILE.csv` reads back.
pub fn item_columns() -> impl Iterator<Item = ItemColumn> {
    ITEM_FIELDS.iter().filter(|f| f.csv).map(ItemColumn::Field)
}

#[derive(Debug, Serialize)]
pub struct EventJson<'a> {
    pub id: i64,
    pub item: i64,
    pub at: String,
    pub effective: NaiveDate,
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
            effective: e.effective,
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
    pub effective: NaiveDate,
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
            effective: e.effective,
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
