//! Each record's columns, and how a row becomes a record and a record its
//! bound parameters: one place per table, shared by every query of it.

use crate::domain::fields::{FieldInput, FieldValue, ITEM_FIELDS, ItemField, STRATEGY_FIELDS};
use crate::domain::model::{
    Change, Code, Event, Item, ItemId, Strategy, StrategyEvent, format_timestamp, parse_timestamp,
};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{Type, Value, ValueRef};
use rusqlite::{Row, Statement, ToSql};
use std::fmt::Display;
use std::str::FromStr;
use std::sync::OnceLock;

pub(super) fn bad_column(idx: usize, msg: impl ToString) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, msg.to_string().into())
}

/// A text column (or NULL), borrowed from the row: no copy is made of
/// values that are parsed at once.
pub(super) fn text_ref<'r>(row: &'r Row, idx: usize) -> rusqlite::Result<Option<&'r str>> {
    row.get_ref(idx)?
        .as_str_or_null()
        .map_err(|e| bad_column(idx, e.to_string()))
}

/// Reads a text column through the domain's own parser, so a stored value
/// that the code cannot understand is an error, never a guess.
pub(super) fn parsed_opt<T: FromStr>(row: &Row, idx: usize) -> rusqlite::Result<Option<T>>
where
    T::Err: Display,
{
    text_ref(row, idx)?
        .map(|s| {
            s.parse()
                .map_err(|e: T::Err| bad_column(idx, format!("{s}: {e}")))
        })
        .transpose()
}

pub(super) fn required<T>(idx: usize, value: Option<T>) -> rusqlite::Result<T> {
    value.ok_or_else(|| bad_column(idx, "is NULL in a column that needs a value"))
}

pub(super) fn parsed<T: FromStr>(row: &Row, idx: usize) -> rusqlite::Result<T>
where
    T::Err: Display,
{
    required(idx, parsed_opt(row, idx)?)
}

pub(super) fn timestamp(row: &Row, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s = required(idx, text_ref(row, idx)?)?;
    parse_timestamp(s).map_err(|e| bad_column(idx, e))
}

/// The SQL of `supersedes`, which holds the number of the strategy whose
/// code a strategy names: the code read from the number, and the number
/// found from the code bound as `?n`.
const SUPERSEDED_CODE: &str = "(SELECT p.code FROM strategy p WHERE p.id = s.supersedes)";

fn superseded_number(n: usize) -> String {
    format!("(SELECT id FROM strategy WHERE code = ?{n})")
}

/// A strategy's columns as queries of `strategy s` select them, in the
/// order of the table of strategy fields.
pub(super) fn strategy_columns() -> &'static str {
    static COLUMNS: OnceLock<String> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        let columns: Vec<String> = STRATEGY_FIELDS
            .iter()
            .map(|f| match f.name {
                "supersedes" => SUPERSEDED_CODE.to_string(),
                name => format!("s.{name}"),
            })
            .collect();
        columns.join(", ")
    })
}

/// A strategy from a row of [`strategy_columns`], each field set through
/// the table of strategy fields.
pub(super) fn strategy_row(row: &Row) -> rusqlite::Result<Strategy> {
    let mut strategy = Strategy::unread();
    for (idx, field) in STRATEGY_FIELDS.iter().enumerate() {
        let text = text_ref(row, idx)?;
        (field.set)(&mut strategy, text.map(FieldInput::Text)).map_err(|e| bad_column(idx, e))?;
    }
    Ok(strategy)
}

/// An item's stored fields, in the order queries select them: its number,
/// its strategy's code, then the rest as the table of fields lists them.
fn stored_fields() -> impl Iterator<Item = &'static ItemField> {
    ITEM_FIELDS.iter().filter(|f| f.stored)
}

/// The fields [`bind_item`] binds as `?2` onwards: all stored but the
/// number and the strategy, which each statement places itself.
fn bound_fields() -> impl Iterator<Item = &'static ItemField> {
    stored_fields().filter(|f| f.name != "id" && f.name != "strategy")
}

/// The columns of [`stored_fields`] as a query of `item i JOIN strategy s`
/// selects them: `i.id, s.code, i.ref, …`.
pub(super) fn item_columns() -> &'static str {
    static COLUMNS: OnceLock<String> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        let columns: Vec<String> = stored_fields()
            .map(|f| match f.name {
                "strategy" => "s.code".to_string(),
                name => format!("i.{name}"),
            })
            .collect();
        columns.join(", ")
    })
}

/// The columns of [`bound_fields`], as an insert names them.
pub(super) fn bound_columns() -> &'static str {
    static COLUMNS: OnceLock<String> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        bound_fields()
            .map(|f| f.name)
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// An item from a row of [`item_columns`], each field set through the
/// table of fields, so a value the domain cannot read is an error.
pub(super) fn item_row(row: &Row) -> rusqlite::Result<Item> {
    let mut item = Item::unread();
    for (idx, field) in stored_fields().enumerate() {
        let set = field.set.expect("every stored field can be set");
        let value = match row.get_ref(idx)? {
            ValueRef::Null => None,
            ValueRef::Integer(n) => Some(FieldInput::Int(n)),
            ValueRef::Text(t) => Some(FieldInput::Text(
                std::str::from_utf8(t).map_err(|e| rusqlite::Error::Utf8Error(idx, e))?,
            )),
            other => return Err(bad_column(idx, format!("holds {:?}", other.data_type()))),
        };
        set(&mut item, value).map_err(|e| bad_column(idx, e))?;
    }
    Ok(item)
}

/// An insert of one strategy event: its number `?1`, its strategy
/// `strategy` (an SQL expression of `?2`), then time, the day it holds
/// from, who, action, changes and note.
pub(super) fn insert_strategy_event_sql(strategy: &str) -> String {
    format!(
        "INSERT INTO strategy_event \
         (id, strategy_id, at, effective, by, action, changes, note, command) \
         VALUES (?1, {strategy}, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    )
}

/// An insert of one strategy, bound as [`strategy_values`] and its number
/// after them (NULL for SQLite to choose).
pub(super) fn insert_strategy_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let names: Vec<&str> = STRATEGY_FIELDS.iter().map(|f| f.name).collect();
        let values: Vec<String> = STRATEGY_FIELDS
            .iter()
            .enumerate()
            .map(|(n, f)| match f.name {
                "supersedes" => superseded_number(n + 1),
                _ => format!("?{}", n + 1),
            })
            .collect();
        format!(
            "INSERT INTO strategy ({}, id) VALUES ({}, ?{})",
            names.join(", "),
            values.join(", "),
            names.len() + 1
        )
    })
}

/// The update of every field of the strategy whose code is `?1` (a code
/// never changes), bound as [`strategy_values`].
pub(super) fn update_strategy_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let set: Vec<String> = STRATEGY_FIELDS
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name != "code")
            .map(|(n, f)| match f.name {
                "supersedes" => format!("supersedes = {}", superseded_number(n + 1)),
                name => format!("{name} = ?{}", n + 1),
            })
            .collect();
        format!("UPDATE strategy SET {} WHERE code = ?1", set.join(", "))
    })
}

/// A strategy's fields as its insert and update bind them, in the order
/// of the table of strategy fields.
pub(super) fn strategy_values(s: &Strategy) -> Vec<Value> {
    STRATEGY_FIELDS
        .iter()
        .map(|f| (f.get)(s).text().map_or(Value::Null, Value::Text))
        .collect()
}

/// An insert of one item whose strategy is `strategy` (an SQL expression
/// of `?1`), bound by [`bind_item`].
pub(super) fn insert_item_sql(strategy: &str) -> String {
    let n = bound_fields().count();
    let marks: Vec<String> = (2..=n + 2).map(|n| format!("?{n}")).collect();
    format!(
        "INSERT INTO item (strategy_id, {}, id) VALUES ({strategy}, {})",
        bound_columns(),
        marks.join(", ")
    )
}

/// Binds an item as an insert of [`insert_item_sql`] (or the update of
/// [`Db::update_item`]) takes it: its strategy as `?1`, its fields as `?2`
/// onwards, and its number last (NULL for SQLite to choose one). Returns
/// how many parameters it bound.
pub(super) fn bind_item(
    stmt: &mut Statement,
    strategy: impl ToSql,
    item: &Item,
    number: Option<i64>,
) -> rusqlite::Result<usize> {
    stmt.raw_bind_parameter(1, strategy)?;
    let mut at = 2;
    for field in bound_fields() {
        // No stored field is computed for a day.
        match (field.get)(item, NaiveDate::MIN) {
            FieldValue::None => stmt.raw_bind_parameter(at, rusqlite::types::Null)?,
            FieldValue::Int(n) => stmt.raw_bind_parameter(at, n)?,
            FieldValue::Text(t) => stmt.raw_bind_parameter(at, t)?,
            FieldValue::Progress(p) => stmt.raw_bind_parameter(at, p.get())?,
            other => stmt.raw_bind_parameter(at, other.text())?,
        }
        at += 1;
    }
    stmt.raw_bind_parameter(at, number)?;
    Ok(at)
}

/// An insert of one event of `item_id`, `?1` to `?8` (see [`bind_event`]).
pub(super) const INSERT_EVENT_SQL: &str = "INSERT INTO event \
     (item_id, at, effective, by, action, changes, note, id, command) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// Binds an event as [`INSERT_EVENT_SQL`] takes it; `number` NULL lets
/// SQLite choose the next; `command` is the command recording it.
pub(super) fn bind_event(
    stmt: &mut Statement,
    event: &Event,
    number: Option<i64>,
    command: Option<i64>,
) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(9, command)?;
    stmt.raw_bind_parameter(1, event.item.0)?;
    stmt.raw_bind_parameter(2, format_timestamp(event.at))?;
    stmt.raw_bind_parameter(3, event.effective.to_string())?;
    stmt.raw_bind_parameter(4, &event.by)?;
    stmt.raw_bind_parameter(5, event.action.as_str())?;
    stmt.raw_bind_parameter(6, changes_text(&event.changes))?;
    stmt.raw_bind_parameter(7, &event.note)?;
    stmt.raw_bind_parameter(8, number)
}

/// Changes as the `changes` column holds them: a compact JSON list.
pub(super) fn changes_text(changes: &[Change]) -> String {
    serde_json::to_string(changes).expect("a list of texts always serializes")
}

pub(super) fn changes_of(row: &Row, idx: usize) -> rusqlite::Result<Vec<Change>> {
    let text = required(idx, text_ref(row, idx)?)?;
    serde_json::from_str(text).map_err(|e| bad_column(idx, e.to_string()))
}

pub(super) const EVENT_COLUMNS: &str =
    "e.id, e.item_id, e.at, e.effective, e.by, e.action, e.changes, e.note";

pub(super) const STRATEGY_EVENT_COLUMNS: &str =
    "e.id, s.code, e.at, e.effective, e.by, e.action, e.changes, e.note";

pub(super) fn strategy_event_row(row: &Row) -> rusqlite::Result<StrategyEvent> {
    Ok(StrategyEvent {
        id: row.get(0)?,
        strategy: parsed(row, 1)?,
        at: timestamp(row, 2)?,
        effective: parsed(row, 3)?,
        by: row.get(4)?,
        action: parsed(row, 5)?,
        changes: changes_of(row, 6)?,
        note: row.get(7)?,
    })
}

/// An event of [`history_sql`] with its item's strategy.
pub(super) fn history_row(row: &Row) -> rusqlite::Result<(Code, Event)> {
    Ok((parsed(row, 8)?, event_row(row)?))
}

pub(super) fn event_row(row: &Row) -> rusqlite::Result<Event> {
    Ok(Event {
        id: row.get(0)?,
        item: ItemId(row.get(1)?),
        at: timestamp(row, 2)?,
        effective: parsed(row, 3)?,
        by: row.get(4)?,
        action: parsed(row, 5)?,
        changes: changes_of(row, 6)?,
        note: row.get(7)?,
    })
}
