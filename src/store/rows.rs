//! Each record's columns, and how a row becomes a record and a record its
//! bound parameters: one place per table, shared by every query of it.

use super::sql::{Cell, Row, Value, bad_column};
use crate::domain::fields::{FieldInput, FieldValue, ITEM_FIELDS, ItemField, STRATEGY_FIELDS};
use crate::domain::model::{
    Change, Code, Event, Item, ItemId, Strategy, StrategyEvent, format_timestamp, parse_timestamp,
};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use std::fmt::Display;
use std::str::FromStr;
use std::sync::OnceLock;

/// Reads a text column through the domain's own parser, so a stored value
/// that the code cannot understand is an error, never a guess.
pub(super) fn parsed_opt<T: FromStr>(row: &Row, idx: usize) -> Result<Option<T>>
where
    T::Err: Display,
{
    row.text(idx)?
        .map(|s| {
            s.parse()
                .map_err(|e: T::Err| bad_column(idx, format!("{s}: {e}")))
        })
        .transpose()
}

pub(super) fn parsed<T: FromStr>(row: &Row, idx: usize) -> Result<T>
where
    T::Err: Display,
{
    parsed_opt(row, idx)?.ok_or_else(|| bad_column(idx, "is NULL in a column that needs a value"))
}

pub(super) fn timestamp(row: &Row, idx: usize) -> Result<DateTime<Utc>> {
    let s: &str = row.get(idx)?;
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
pub(super) fn strategy_row(row: &Row) -> Result<Strategy> {
    let mut strategy = Strategy::unread();
    for (idx, field) in STRATEGY_FIELDS.iter().enumerate() {
        let text = row.text(idx)?;
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
pub(super) fn item_row(row: &Row) -> Result<Item> {
    let mut item = Item::unread();
    for (idx, field) in stored_fields().enumerate() {
        let set = field.set.expect("every stored field can be set");
        let value = match row.cell(idx)? {
            Cell::Null => None,
            Cell::Int(n) => Some(FieldInput::Int(n)),
            Cell::Text(t) => Some(FieldInput::Text(t)),
        };
        set(&mut item, value).map_err(|e| bad_column(idx, e))?;
    }
    Ok(item)
}

/// An insert of one strategy event to the strategy `strategy` (an SQL
/// expression of `?1`): time, the day it holds from, who, action, changes,
/// note and command as `?2` to `?8`, then its number when `numbered` (else
/// the database hands out the next).
pub(super) fn insert_strategy_event_sql(strategy: &str, numbered: bool) -> String {
    let (id, mark) = if numbered { (", id", ", ?9") } else { ("", "") };
    format!(
        "INSERT INTO strategy_event \
         (strategy_id, at, effective, by, action, changes, note, command{id}) \
         VALUES ({strategy}, ?2, ?3, ?4, ?5, ?6, ?7, ?8{mark})"
    )
}

/// The values of [`insert_strategy_event_sql`], its strategy first.
pub(super) fn strategy_event_values<'a>(
    strategy: Value<'a>,
    event: &'a StrategyEvent,
    number: Option<i64>,
    command: Option<i64>,
) -> Vec<Value<'a>> {
    let change = Recorded {
        at: event.at,
        effective: event.effective,
        by: &event.by,
        action: event.action.as_str(),
        changes: &event.changes,
        note: event.note.as_deref(),
    };
    change.values(strategy, number, command)
}

/// What every change of either history records, bound in the order both
/// inserts take it.
struct Recorded<'a> {
    at: DateTime<Utc>,
    effective: NaiveDate,
    by: &'a str,
    action: &'static str,
    changes: &'a [Change],
    note: Option<&'a str>,
}

impl<'a> Recorded<'a> {
    /// `of` (the item or the strategy), the change, its command, and its
    /// number when it has one.
    fn values(self, of: Value<'a>, number: Option<i64>, command: Option<i64>) -> Vec<Value<'a>> {
        let mut values = vec![
            of,
            format_timestamp(self.at).into(),
            self.effective.to_string().into(),
            self.by.into(),
            self.action.into(),
            changes_text(self.changes).into(),
            self.note.into(),
            command.into(),
        ];
        values.extend(number.map(Value::Int));
        values
    }
}

/// An insert of one strategy, bound as [`strategy_values`], with its
/// number after them when `numbered`.
pub(super) fn insert_strategy_sql(numbered: bool) -> &'static str {
    static SQL: [OnceLock<String>; 2] = [OnceLock::new(), OnceLock::new()];
    SQL[usize::from(numbered)].get_or_init(|| {
        let mut names: Vec<&str> = STRATEGY_FIELDS.iter().map(|f| f.name).collect();
        let mut values: Vec<String> = STRATEGY_FIELDS
            .iter()
            .enumerate()
            .map(|(n, f)| match f.name {
                "supersedes" => superseded_number(n + 1),
                _ => format!("?{}", n + 1),
            })
            .collect();
        if numbered {
            values.push(format!("?{}", names.len() + 1));
            names.push("id");
        }
        format!(
            "INSERT INTO strategy ({}) VALUES ({})",
            names.join(", "),
            values.join(", ")
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
pub(super) fn strategy_values(s: &Strategy) -> Vec<Value<'static>> {
    STRATEGY_FIELDS
        .iter()
        .map(|f| (f.get)(s).text().into())
        .collect()
}

/// An insert of one item whose strategy is `strategy` (an SQL expression
/// of `?1`), bound by [`item_values`], under its own number when
/// `numbered`.
pub(super) fn insert_item_sql(strategy: &str, numbered: bool) -> String {
    let n = bound_fields().count() + usize::from(numbered);
    let marks: Vec<String> = (2..=n + 1).map(|n| format!("?{n}")).collect();
    let id = if numbered { ", id" } else { "" };
    format!(
        "INSERT INTO item (strategy_id, {}{id}) VALUES ({strategy}, {})",
        bound_columns(),
        marks.join(", ")
    )
}

/// An item's values as an insert of [`insert_item_sql`] (or the update of
/// [`Db::update_item`]) takes them: its strategy as `?1`, its fields as
/// `?2` onwards, and its number last, when it has one yet.
pub(super) fn item_values<'a>(
    strategy: Value<'a>,
    item: &'a Item,
    number: Option<i64>,
) -> Vec<Value<'a>> {
    let mut values = Vec::with_capacity(ITEM_FIELDS.len() + 2);
    values.push(strategy);
    for field in bound_fields() {
        // No stored field is computed for a day.
        values.push(match (field.get)(item, NaiveDate::MIN) {
            FieldValue::None => Value::Null,
            FieldValue::Int(n) => Value::Int(n),
            FieldValue::Text(t) => t.into(),
            FieldValue::Progress(p) => Value::Int(p.get().into()),
            other => other.text().into(),
        });
    }
    values.extend(number.map(Value::Int));
    values
}

/// An insert of one event, bound by [`event_values`], under its own number
/// when `numbered`.
pub(super) fn insert_event_sql(numbered: bool) -> &'static str {
    if numbered {
        "INSERT INTO event (item_id, at, effective, by, action, changes, note, command, id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    } else {
        "INSERT INTO event (item_id, at, effective, by, action, changes, note, command) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    }
}

/// An event as [`insert_event_sql`] takes it; `command` is the command
/// recording it, `number` its own number or none for the next.
pub(super) fn event_values(
    event: &Event,
    number: Option<i64>,
    command: Option<i64>,
) -> Vec<Value<'_>> {
    let change = Recorded {
        at: event.at,
        effective: event.effective,
        by: &event.by,
        action: event.action.as_str(),
        changes: &event.changes,
        note: event.note.as_deref(),
    };
    change.values(Value::Int(event.item.0), number, command)
}

/// Changes as the `changes` column holds them: a compact JSON list.
pub(super) fn changes_text(changes: &[Change]) -> String {
    serde_json::to_string(changes).expect("a list of texts always serializes")
}

pub(super) fn changes_of(row: &Row, idx: usize) -> Result<Vec<Change>> {
    let text: &str = row.get(idx)?;
    serde_json::from_str(text).map_err(|e| bad_column(idx, e))
}

pub(super) const EVENT_COLUMNS: &str =
    "e.id, e.item_id, e.at, e.effective, e.by, e.action, e.changes, e.note";

pub(super) const STRATEGY_EVENT_COLUMNS: &str =
    "e.id, s.code, e.at, e.effective, e.by, e.action, e.changes, e.note";

pub(super) fn strategy_event_row(row: &Row) -> Result<StrategyEvent> {
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
pub(super) fn history_row(row: &Row) -> Result<(Code, Event)> {
    Ok((parsed(row, 8)?, event_row(row)?))
}

pub(super) fn event_row(row: &Row) -> Result<Event> {
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
