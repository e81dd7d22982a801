//! Each record's columns, and how a row becomes a record and a record its
//! bound parameters: one place per table, shared by every query of it.

use crate::domain::dates::{Period, parse_iso};
use crate::domain::model::{
    Change, Code, Event, Item, ItemId, Strategy, StrategyEvent, format_timestamp, parse_timestamp,
};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{Type, Value};
use rusqlite::{Row, Statement, ToSql};
use std::fmt::Display;
use std::str::FromStr;

pub(super) fn bad_column(idx: usize, msg: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, msg.into())
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
    value.ok_or_else(|| bad_column(idx, "is NULL in a column that needs a value".into()))
}

pub(super) fn parsed<T: FromStr>(row: &Row, idx: usize) -> rusqlite::Result<T>
where
    T::Err: Display,
{
    required(idx, parsed_opt(row, idx)?)
}

pub(super) fn date_opt(row: &Row, idx: usize) -> rusqlite::Result<Option<NaiveDate>> {
    text_ref(row, idx)?
        .map(|s| parse_iso(s).map_err(|e| bad_column(idx, format!("{s}: {e}"))))
        .transpose()
}

pub(super) fn date(row: &Row, idx: usize) -> rusqlite::Result<NaiveDate> {
    required(idx, date_opt(row, idx)?)
}

pub(super) fn timestamp(row: &Row, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s = required(idx, text_ref(row, idx)?)?;
    parse_timestamp(s).map_err(|e| bad_column(idx, e))
}

pub(super) const STRATEGY_COLUMNS: &str = "s.code, s.title, s.status, s.starts, s.ends, s.decision, \
     s.adopted, s.lead, s.department, (SELECT p.code FROM strategy p WHERE p.id = s.supersedes), \
     s.description";

pub(super) fn strategy_row(row: &Row) -> rusqlite::Result<Strategy> {
    let period = Period::new(date(row, 3)?, date(row, 4)?).map_err(|e| bad_column(4, e.0))?;
    Ok(Strategy {
        code: parsed(row, 0)?,
        title: row.get(1)?,
        status: parsed(row, 2)?,
        period,
        decision: row.get(5)?,
        adopted: date_opt(row, 6)?,
        lead: row.get(7)?,
        department: row.get(8)?,
        supersedes: parsed_opt(row, 9)?,
        description: row.get(10)?,
    })
}

pub(super) const ITEM_COLUMNS: &str = "i.id, s.code, i.ref, i.title, i.description, i.theme, i.owner, \
     i.status, i.progress, i.start, i.due, i.completed_on, i.rag_override, i.rag_reason, \
     i.carried_from, i.carried_to, i.created_at, i.updated_at";

pub(super) fn item_row(row: &Row) -> rusqlite::Result<Item> {
    let progress: i64 = row.get(8)?;
    Ok(Item {
        id: ItemId(row.get(0)?),
        strategy: parsed(row, 1)?,
        reference: row.get(2)?,
        title: row.get(3)?,
        description: row.get(4)?,
        theme: row.get(5)?,
        owner: row.get(6)?,
        status: parsed(row, 7)?,
        progress: crate::domain::model::Progress::new(progress).map_err(|e| bad_column(8, e))?,
        start: date_opt(row, 9)?,
        due: date_opt(row, 10)?,
        completed_on: date_opt(row, 11)?,
        rag_override: parsed_opt(row, 12)?,
        rag_reason: row.get(13)?,
        carried_from: row.get::<_, Option<i64>>(14)?.map(ItemId),
        carried_to: row.get::<_, Option<i64>>(15)?.map(ItemId),
        created_at: timestamp(row, 16)?,
        updated_at: timestamp(row, 17)?,
    })
}

/// An insert of one strategy event: its number `?1`, its strategy
/// `strategy` (an SQL expression of `?2`), then time, who, action, changes
/// and note.
pub(super) fn insert_strategy_event_sql(strategy: &str) -> String {
    format!(
        "INSERT INTO strategy_event (id, strategy_id, at, by, action, changes, note) \
         VALUES (?1, {strategy}, ?3, ?4, ?5, ?6, ?7)"
    )
}

/// An insert of one strategy, bound as [`strategy_values`] and its number
/// (`?12`, NULL for SQLite to choose).
pub(super) const INSERT_STRATEGY_SQL: &str = "INSERT INTO strategy (code, title, status, starts, ends, decision, adopted, lead, \
     department, supersedes, description, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
     (SELECT id FROM strategy WHERE code = ?10), ?11, ?12)";

/// A strategy's columns in the order its insert and update bind them.
pub(super) fn strategy_values(s: &Strategy) -> [Value; 11] {
    let text = |s: &Option<String>| s.clone().map_or(Value::Null, Value::Text);
    [
        Value::Text(s.code.to_string()),
        Value::Text(s.title.clone()),
        Value::Text(s.status.to_string()),
        Value::Text(s.period.starts().to_string()),
        Value::Text(s.period.ends().to_string()),
        text(&s.decision),
        s.adopted
            .map_or(Value::Null, |d| Value::Text(d.to_string())),
        text(&s.lead),
        text(&s.department),
        s.supersedes
            .as_ref()
            .map_or(Value::Null, |c| Value::Text(c.to_string())),
        text(&s.description),
    ]
}

/// The columns of an item after its strategy and before its number, in
/// the order [`bind_item`] binds them (as `?2` to `?17`).
pub(super) const ITEM_FIELD_COLUMNS: &str = "ref, title, description, theme, owner, status, progress, \
     start, due, completed_on, rag_override, rag_reason, carried_from, carried_to, created_at, \
     updated_at";

/// An insert of one item whose strategy is `strategy` (an SQL expression
/// of `?1`), bound by [`bind_item`].
pub(super) fn insert_item_sql(strategy: &str) -> String {
    let marks: Vec<String> = (2..=18).map(|n| format!("?{n}")).collect();
    format!(
        "INSERT INTO item (strategy_id, {ITEM_FIELD_COLUMNS}, id) VALUES ({strategy}, {})",
        marks.join(", ")
    )
}

/// Binds an item as an insert of [`insert_item_sql`] (or the update of
/// [`Db::update_item`]) takes it: its strategy as `?1`, its fields as `?2`
/// to `?17`, and its number as `?18` (NULL for SQLite to choose one).
pub(super) fn bind_item(
    stmt: &mut Statement,
    strategy: impl ToSql,
    item: &Item,
    number: Option<i64>,
) -> rusqlite::Result<()> {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    stmt.raw_bind_parameter(1, strategy)?;
    stmt.raw_bind_parameter(2, &item.reference)?;
    stmt.raw_bind_parameter(3, &item.title)?;
    stmt.raw_bind_parameter(4, &item.description)?;
    stmt.raw_bind_parameter(5, &item.theme)?;
    stmt.raw_bind_parameter(6, &item.owner)?;
    stmt.raw_bind_parameter(7, item.status.as_str())?;
    stmt.raw_bind_parameter(8, item.progress.get())?;
    stmt.raw_bind_parameter(9, date(item.start))?;
    stmt.raw_bind_parameter(10, date(item.due))?;
    stmt.raw_bind_parameter(11, date(item.completed_on))?;
    stmt.raw_bind_parameter(12, item.rag_override.map(|r| r.as_str()))?;
    stmt.raw_bind_parameter(13, &item.rag_reason)?;
    stmt.raw_bind_parameter(14, item.carried_from.map(|l| l.0))?;
    stmt.raw_bind_parameter(15, item.carried_to.map(|l| l.0))?;
    stmt.raw_bind_parameter(16, format_timestamp(item.created_at))?;
    stmt.raw_bind_parameter(17, format_timestamp(item.updated_at))?;
    stmt.raw_bind_parameter(18, number)
}

/// An insert of one event of `item_id`, `?1` to `?7` (see [`bind_event`]).
pub(super) const INSERT_EVENT_SQL: &str = "INSERT INTO event (item_id, at, by, action, changes, note, id) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// Binds an event as [`INSERT_EVENT_SQL`] takes it; `number` NULL lets
/// SQLite choose the next.
pub(super) fn bind_event(
    stmt: &mut Statement,
    event: &Event,
    number: Option<i64>,
) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(1, event.item.0)?;
    stmt.raw_bind_parameter(2, format_timestamp(event.at))?;
    stmt.raw_bind_parameter(3, &event.by)?;
    stmt.raw_bind_parameter(4, event.action.as_str())?;
    stmt.raw_bind_parameter(5, changes_text(&event.changes))?;
    stmt.raw_bind_parameter(6, &event.note)?;
    stmt.raw_bind_parameter(7, number)
}

/// Changes as the `changes` column holds them: a compact JSON list.
pub(super) fn changes_text(changes: &[Change]) -> String {
    serde_json::to_string(changes).expect("a list of texts always serializes")
}

pub(super) fn changes_of(row: &Row, idx: usize) -> rusqlite::Result<Vec<Change>> {
    let text = required(idx, text_ref(row, idx)?)?;
    serde_json::from_str(text).map_err(|e| bad_column(idx, e.to_string()))
}

pub(super) const EVENT_COLUMNS: &str = "e.id, e.item_id, e.at, e.by, e.action, e.changes, e.note";

pub(super) const STRATEGY_EVENT_COLUMNS: &str =
    "e.id, s.code, e.at, e.by, e.action, e.changes, e.note";

pub(super) fn strategy_event_row(row: &Row) -> rusqlite::Result<StrategyEvent> {
    Ok(StrategyEvent {
        id: row.get(0)?,
        strategy: parsed(row, 1)?,
        at: timestamp(row, 2)?,
        by: row.get(3)?,
        action: parsed(row, 4)?,
        changes: changes_of(row, 5)?,
        note: row.get(6)?,
    })
}

/// An event of [`history_sql`] with its item's strategy.
pub(super) fn history_row(row: &Row) -> rusqlite::Result<(Code, Event)> {
    Ok((parsed(row, 7)?, event_row(row)?))
}

pub(super) fn event_row(row: &Row) -> rusqlite::Result<Event> {
    Ok(Event {
        id: row.get(0)?,
        item: ItemId(row.get(1)?),
        at: timestamp(row, 2)?,
        by: row.get(3)?,
        action: parsed(row, 4)?,
        changes: changes_of(row, 5)?,
        note: row.get(6)?,
    })
}
