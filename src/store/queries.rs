//! The queries, all with bound parameters, all run inside a transaction
//! opened by [`super::Store`].

use crate::domain::carry::Carry;
use crate::domain::dates::{Period, parse_iso};
use crate::domain::model::{
    Change, Code, Event, Item, ItemId, Strategy, StrategyEvent, format_timestamp, parse_timestamp,
};
use crate::domain::vocab::Status;
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{Type, Value};
use rusqlite::{Connection, OptionalExtension, Row, Statement, ToSql, params, params_from_iter};
use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;

/// The database as seen from inside one transaction.
pub struct Db<'c> {
    pub(super) conn: &'c Connection,
}

fn bad_column(idx: usize, msg: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, msg.into())
}

/// A text column (or NULL), borrowed from the row: no copy is made of
/// values that are parsed at once.
fn text_ref<'r>(row: &'r Row, idx: usize) -> rusqlite::Result<Option<&'r str>> {
    row.get_ref(idx)?
        .as_str_or_null()
        .map_err(|e| bad_column(idx, e.to_string()))
}

/// Reads a text column through the domain's own parser, so a stored value
/// that the code cannot understand is an error, never a guess.
fn parsed_opt<T: FromStr>(row: &Row, idx: usize) -> rusqlite::Result<Option<T>>
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

fn required<T>(idx: usize, value: Option<T>) -> rusqlite::Result<T> {
    value.ok_or_else(|| bad_column(idx, "is NULL in a column that needs a value".into()))
}

fn parsed<T: FromStr>(row: &Row, idx: usize) -> rusqlite::Result<T>
where
    T::Err: Display,
{
    required(idx, parsed_opt(row, idx)?)
}

fn date_opt(row: &Row, idx: usize) -> rusqlite::Result<Option<NaiveDate>> {
    text_ref(row, idx)?
        .map(|s| parse_iso(s).map_err(|e| bad_column(idx, format!("{s}: {e}"))))
        .transpose()
}

fn date(row: &Row, idx: usize) -> rusqlite::Result<NaiveDate> {
    required(idx, date_opt(row, idx)?)
}

fn timestamp(row: &Row, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s = required(idx, text_ref(row, idx)?)?;
    parse_timestamp(s).map_err(|e| bad_column(idx, e))
}

/// The condition for one strategy (bound as ?1) or for all. Two texts, not
/// `?1 IS NULL OR …`, so the one-strategy query is planned on the code's
/// index instead of a scan.
fn scope(code: Option<&Code>) -> &'static str {
    match code {
        Some(_) => "s.code = ?1",
        None => "?1 IS NULL",
    }
}

/// Unordered: one strategy's items come by status from its index, and
/// sorting them by number here would copy every row through a sorter.
fn items_sql(code: Option<&Code>) -> String {
    format!(
        "SELECT {ITEM_COLUMNS} FROM item i JOIN strategy s ON s.id = i.strategy_id \
         WHERE {}",
        scope(code)
    )
}

/// Items in one of `statuses` statuses (bound first), of `codes`
/// strategies (bound next; all when none), soonest due first, undated
/// last, then by number.
fn items_by_due_sql(codes: usize, statuses: usize) -> String {
    let marks = |n: usize| vec!["?"; n].join(", ");
    let of = if codes == 0 {
        String::new()
    } else {
        format!("AND s.code IN ({}) ", marks(codes))
    };
    format!(
        "SELECT {ITEM_COLUMNS} FROM item i JOIN strategy s ON s.id = i.strategy_id \
         WHERE i.status IN ({}) {of}ORDER BY i.due IS NULL, i.due, i.id",
        marks(statuses)
    )
}

fn history_sql(code: Option<&Code>) -> String {
    format!(
        "SELECT {EVENT_COLUMNS}, s.code FROM event e JOIN item i ON i.id = e.item_id \
         JOIN strategy s ON s.id = i.strategy_id \
         WHERE {} AND e.at < ?2 ORDER BY e.item_id, e.at, e.id",
        scope(code)
    )
}

/// Unordered: the latest note of each item is picked while reading, which
/// spares sorting every note of the portfolio.
fn notes_sql(code: Option<&Code>) -> String {
    match code {
        Some(_) => "SELECT e.item_id, e.at, e.id, e.note FROM event e \
             JOIN item i ON i.id = e.item_id JOIN strategy s ON s.id = i.strategy_id \
             WHERE s.code = ?1 AND e.note IS NOT NULL AND e.at < ?2"
            .into(),
        None => "SELECT e.item_id, e.at, e.id, e.note FROM event e \
             WHERE ?1 IS NULL AND e.note IS NOT NULL AND e.at < ?2"
            .into(),
    }
}

/// `?2` for `e.at < ?2`: the cutoff, or a text after every timestamp.
fn before(cutoff: Option<DateTime<Utc>>) -> String {
    cutoff.map_or_else(|| "~".to_string(), format_timestamp)
}

const STRATEGY_COLUMNS: &str = "s.code, s.title, s.status, s.starts, s.ends, s.decision, \
     s.adopted, s.lead, s.department, (SELECT p.code FROM strategy p WHERE p.id = s.supersedes), \
     s.description";

fn strategy_row(row: &Row) -> rusqlite::Result<Strategy> {
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

const ITEM_COLUMNS: &str = "i.id, s.code, i.ref, i.title, i.description, i.theme, i.owner, \
     i.status, i.progress, i.start, i.due, i.completed_on, i.rag_override, i.rag_reason, \
     i.carried_from, i.carried_to, i.created_at, i.updated_at";

fn item_row(row: &Row) -> rusqlite::Result<Item> {
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
const ITEM_FIELD_COLUMNS: &str = "ref, title, description, theme, owner, status, progress, \
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

fn changes_of(row: &Row, idx: usize) -> rusqlite::Result<Vec<Change>> {
    let text = required(idx, text_ref(row, idx)?)?;
    serde_json::from_str(text).map_err(|e| bad_column(idx, e.to_string()))
}

const EVENT_COLUMNS: &str = "e.id, e.item_id, e.at, e.by, e.action, e.changes, e.note";
const STRATEGY_EVENT_COLUMNS: &str = "e.id, s.code, e.at, e.by, e.action, e.changes, e.note";

fn strategy_event_row(row: &Row) -> rusqlite::Result<StrategyEvent> {
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

/// Rows of a query read one at a time, each made into a `T`: for documents
/// written while they are read, which never hold what they list whole.
pub struct Cursor<'s, T> {
    rows: rusqlite::Rows<'s>,
    make: fn(&Row) -> rusqlite::Result<T>,
}

impl<T> Cursor<'_, T> {
    /// The next row, `None` after the last.
    pub fn fetch(&mut self) -> Result<Option<T>> {
        Ok(match self.rows.next()? {
            Some(row) => Some((self.make)(row)?),
            None => None,
        })
    }
}

/// An event of [`history_sql`] with its item's strategy.
fn history_row(row: &Row) -> rusqlite::Result<(Code, Event)> {
    Ok((parsed(row, 7)?, event_row(row)?))
}

fn event_row(row: &Row) -> rusqlite::Result<Event> {
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

impl<'c> Db<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Db { conn }
    }

    // ---- strategies ----

    pub fn strategy(&self, code: &Code) -> Result<Option<Strategy>> {
        let sql = format!("SELECT {STRATEGY_COLUMNS} FROM strategy s WHERE s.code = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([code.as_str()], strategy_row)
            .optional()?)
    }

    /// All strategies, oldest period first.
    pub fn strategies(&self) -> Result<Vec<Strategy>> {
        let sql = format!("SELECT {STRATEGY_COLUMNS} FROM strategy s ORDER BY s.starts, s.code");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], strategy_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn insert_strategy(&self, s: &Strategy) -> Result<()> {
        self.conn
            .prepare_cached(INSERT_STRATEGY_SQL)?
            .execute(params_from_iter(
                strategy_values(s).into_iter().chain([Value::Null]),
            ))?;
        Ok(())
    }

    pub fn update_strategy(&self, s: &Strategy) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE strategy SET title = ?2, status = ?3, starts = ?4, ends = ?5, \
                 decision = ?6, adopted = ?7, lead = ?8, department = ?9, \
                 supersedes = (SELECT id FROM strategy WHERE code = ?10), description = ?11 \
                 WHERE code = ?1",
            )?
            .execute(params_from_iter(strategy_values(s)))?;
        Ok(())
    }

    /// Removes a strategy with its items and their events.
    pub fn delete_strategy(&self, code: &Code) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM strategy WHERE code = ?1")?
            .execute([code.as_str()])?;
        Ok(())
    }

    /// Items of `code` linked by carry-forward to items of other strategies.
    pub fn links_leaving(&self, code: &Code) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM item i JOIN strategy s ON s.id = i.strategy_id \
             JOIN item o ON o.id IN (i.carried_from, i.carried_to) \
             WHERE s.code = ?1 AND o.strategy_id <> s.id",
            )?
            .query_row([code.as_str()], |r| r.get(0))?)
    }

    pub fn count_items(&self, code: &Code) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM item WHERE strategy_id = \
                 (SELECT id FROM strategy WHERE code = ?1)",
            )?
            .query_row([code.as_str()], |r| r.get(0))?)
    }

    /// SQLite's foreign key check, one line per row pointing nowhere.
    pub fn foreign_key_problems(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "foreign key: {} row {} points to a missing {}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?
                    .map_or("?".into(), |n| n.to_string()),
                r.get::<_, String>(2)?
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The carry-forward links of every item numbered `from` or more that
    /// has one, by number, read through the links' indexes.
    pub fn carries(&self, from: i64) -> Result<Vec<Carry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, carried_from, carried_to FROM item \
             WHERE id >= ?1 AND (carried_from IS NOT NULL OR carried_to IS NOT NULL) ORDER BY id",
        )?;
        let rows = stmt.query_map([from], |r| {
            Ok(Carry {
                id: ItemId(r.get(0)?),
                carried_from: r.get::<_, Option<i64>>(1)?.map(ItemId),
                carried_to: r.get::<_, Option<i64>>(2)?.map(ItemId),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// True when the database holds no strategy at all.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(!self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM strategy)")?
            .query_row([], |r| r.get::<_, bool>(0))?)
    }

    // ---- items ----

    pub fn item(&self, id: ItemId) -> Result<Option<Item>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM item i JOIN strategy s ON s.id = i.strategy_id \
             WHERE i.id = ?1"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([id.0], item_row)
            .optional()?)
    }

    /// The items of one strategy, or of all when `code` is `None`, by number.
    pub fn items(&self, code: Option<&Code>) -> Result<Vec<Item>> {
        let sql = items_sql(code);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([code.map(Code::as_str)], item_row)?;
        let mut items: Vec<Item> = rows.collect::<rusqlite::Result<_>>()?;
        items.sort_by_cached_key(|i| i.id);
        Ok(items)
    }

    /// True when another item of the strategy already uses `reference`.
    pub fn ref_taken(&self, code: &Code, reference: &str, except: Option<ItemId>) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM item i JOIN strategy s ON s.id = i.strategy_id \
                 WHERE s.code = ?1 AND i.ref = ?2 AND i.id IS NOT ?3)",
            )?
            .query_row(
                params![code.as_str(), reference, except.map(|i| i.0)],
                |r| r.get(0),
            )?)
    }

    /// Stores a new item, under its own number when `keep_id` (import into
    /// an empty database), else under the next free one, which is returned.
    pub fn insert_item(&self, item: &Item, keep_id: bool) -> Result<ItemId> {
        let sql = insert_item_sql("(SELECT id FROM strategy WHERE code = ?1)");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let number = keep_id.then_some(item.id.0);
        bind_item(&mut stmt, item.strategy.as_str(), item, number)?;
        stmt.raw_execute()?;
        Ok(ItemId(self.conn.last_insert_rowid()))
    }

    /// Writes every field of an item that already exists. Its number,
    /// strategy and creation time never change.
    pub fn update_item(&self, item: &Item) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE item SET ref = ?2, title = ?3, description = ?4, theme = ?5, owner = ?6, \
             status = ?7, progress = ?8, start = ?9, due = ?10, completed_on = ?11, \
             rag_override = ?12, rag_reason = ?13, carried_from = ?14, carried_to = ?15, \
             updated_at = ?17 WHERE id = ?18 \
             AND strategy_id = (SELECT id FROM strategy WHERE code = ?1) AND created_at = ?16",
        )?;
        bind_item(&mut stmt, item.strategy.as_str(), item, Some(item.id.0))?;
        let n = stmt.raw_execute()?;
        if n != 1 {
            return Err(Error::bug(format!(
                "item {} changed number, strategy or creation time during an update",
                item.id
            )));
        }
        Ok(())
    }

    /// Removes an item and its events.
    pub fn delete_item(&self, id: ItemId) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM item WHERE id = ?1")?
            .execute([id.0])?;
        Ok(())
    }

    // ---- events ----

    /// Appends an event; `event.id` is kept when `keep_id`, else assigned.
    pub fn insert_event(&self, event: &Event, keep_id: bool) -> Result<i64> {
        let mut stmt = self.conn.prepare_cached(INSERT_EVENT_SQL)?;
        bind_event(&mut stmt, event, keep_id.then_some(event.id))?;
        stmt.raw_execute()?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Appends a strategy event; `event.id` is kept when `keep_id`.
    pub fn insert_strategy_event(&self, event: &StrategyEvent, keep_id: bool) -> Result<i64> {
        let sql = insert_strategy_event_sql("(SELECT id FROM strategy WHERE code = ?2)");
        self.conn.prepare_cached(&sql)?.execute(params![
            keep_id.then_some(event.id),
            event.strategy.as_str(),
            format_timestamp(event.at),
            event.by,
            event.action.as_str(),
            changes_text(&event.changes),
            event.note,
        ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The history of one strategy's details (or all), before `cutoff`
    /// when given, grouped by strategy and oldest first.
    pub fn strategy_history(
        &self,
        code: Option<&Code>,
        cutoff: Option<DateTime<Utc>>,
    ) -> Result<Vec<StrategyEvent>> {
        let sql = format!(
            "SELECT {STRATEGY_EVENT_COLUMNS} \
             FROM strategy_event e JOIN strategy s ON s.id = e.strategy_id \
             WHERE {} AND e.at < ?2 ORDER BY s.id, e.at, e.id",
            scope(code)
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![code.map(Code::as_str), before(cutoff)],
            strategy_event_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One item's history, oldest first.
    pub fn events_of(&self, item: ItemId) -> Result<Vec<Event>> {
        let sql =
            format!("SELECT {EVENT_COLUMNS} FROM event e WHERE e.item_id = ?1 ORDER BY e.at, e.id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([item.0], event_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The events of one strategy's items (or all items) with the code of
    /// the item's strategy, before `cutoff` when given, grouped by item and
    /// oldest first within each item.
    pub fn history(
        &self,
        code: Option<&Code>,
        cutoff: Option<DateTime<Utc>>,
    ) -> Result<Vec<(Code, Event)>> {
        let sql = history_sql(code);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![code.map(Code::as_str), before(cutoff)], history_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Items numbered `from` or more that have no history yet.
    pub fn items_without_history(&self, from: i64) -> Result<Vec<Item>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM item i JOIN strategy s ON s.id = i.strategy_id \
             WHERE i.id >= ?1 AND NOT EXISTS (SELECT 1 FROM event e WHERE e.item_id = i.id) \
             ORDER BY i.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([from], item_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Calls `f` with each item numbered `from` or more that `wanted`
    /// picks, and its history, oldest first, one item at a time, so any
    /// number of items can be checked in little memory. Rows of other
    /// items are stepped over without being read.
    pub fn each_history(
        &self,
        from: i64,
        wanted: impl Fn(i64) -> bool,
        mut f: impl FnMut(Item, Vec<Event>),
    ) -> Result<()> {
        let items_sql = format!(
            "SELECT {ITEM_COLUMNS} FROM item i JOIN strategy s ON s.id = i.strategy_id \
             WHERE i.id >= ?1 ORDER BY i.id"
        );
        let events_sql = format!(
            "SELECT {EVENT_COLUMNS} FROM event e WHERE e.item_id >= ?1 \
             ORDER BY e.item_id, e.at, e.id"
        );
        let mut items_stmt = self.conn.prepare(&items_sql)?;
        let mut events_stmt = self.conn.prepare(&events_sql)?;
        use rusqlite::fallible_streaming_iterator::FallibleStreamingIterator;
        let mut items = items_stmt.query([from])?;
        let mut events = events_stmt.query([from])?;
        // The event row under the cursor: its item, and whether it was read.
        let mut event_item = events.next()?.map(|r| r.get::<_, i64>(1)).transpose()?;
        while let Some(row) = items.next()? {
            let id: i64 = row.get(0)?;
            let keep = wanted(id);
            let item = keep.then(|| item_row(row)).transpose()?;
            let mut history = Vec::new();
            while let Some(e) = event_item.filter(|e| *e <= id) {
                if keep && e == id {
                    history.push(event_row(events.get().expect("a row is under the cursor"))?);
                }
                event_item = events.next()?.map(|r| r.get::<_, i64>(1)).transpose()?;
            }
            if let Some(item) = item {
                f(item, history);
            }
        }
        Ok(())
    }

    /// Strategies that have no history yet, oldest first.
    pub fn strategies_without_history(&self) -> Result<Vec<Strategy>> {
        let sql = format!(
            "SELECT {STRATEGY_COLUMNS} FROM strategy s WHERE NOT EXISTS \
             (SELECT 1 FROM strategy_event e WHERE e.strategy_id = s.id) ORDER BY s.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], strategy_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every event, in the order they were recorded (for export).
    /// Every item, by number, read as `f` goes (see [`Cursor`]).
    pub fn each_item<R>(&self, f: impl FnOnce(&mut Cursor<Item>) -> Result<R>) -> Result<R> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM item i JOIN strategy s ON s.id = i.strategy_id \
             ORDER BY i.id"
        );
        self.cursor(&sql, [], item_row, f)
    }

    /// Every item of the strategies `codes` (all when empty) in
    /// `statuses`, soonest due first, those without a due date last, then
    /// by number; read as `f` goes.
    pub fn each_item_by_due<R>(
        &self,
        codes: &[Code],
        statuses: &[Status],
        f: impl FnOnce(&mut Cursor<Item>) -> Result<R>,
    ) -> Result<R> {
        let sql = items_by_due_sql(codes.len(), statuses.len());
        let values = statuses
            .iter()
            .map(|s| s.as_str())
            .chain(codes.iter().map(Code::as_str));
        self.cursor(&sql, params_from_iter(values), item_row, f)
    }

    /// The items `fill` hands over, read back as [`Db::each_item_by_due`]
    /// orders them, as `f` goes. They are held in a temporary table, which
    /// SQLite keeps in a file beside a cache of a few pages: a list sorted
    /// after it is rebuilt (a past day's) need not hold its items in memory.
    /// The table is created and dropped in the caller's transaction, so a
    /// failure anywhere leaves nothing behind.
    pub fn each_held_by_due<R>(
        &self,
        fill: impl FnOnce(&mut dyn FnMut(&Item) -> Result<()>) -> Result<()>,
        f: impl FnOnce(&mut Cursor<Item>) -> Result<R>,
    ) -> Result<R> {
        // The columns in the order bind_item binds them.
        self.conn.execute_batch(
            "CREATE TEMP TABLE held_item (strategy TEXT, ref TEXT, title TEXT, description TEXT, \
             theme TEXT, owner TEXT, status TEXT, progress INTEGER, start TEXT, due TEXT, \
             completed_on TEXT, rag_override TEXT, rag_reason TEXT, carried_from INTEGER, \
             carried_to INTEGER, created_at TEXT, updated_at TEXT, id INTEGER)",
        )?;
        {
            let marks = vec!["?"; 18].join(", ");
            let mut insert = self
                .conn
                .prepare(&format!("INSERT INTO temp.held_item VALUES ({marks})"))?;
            fill(&mut |item| {
                bind_item(&mut insert, item.strategy.as_str(), item, Some(item.id.0))?;
                insert.raw_execute()?;
                Ok(())
            })?;
        }
        let out = self.cursor(
            "SELECT id, strategy, ref, title, description, theme, owner, status, progress, start, \
             due, completed_on, rag_override, rag_reason, carried_from, carried_to, created_at, \
             updated_at FROM temp.held_item ORDER BY due IS NULL, due, id",
            [],
            item_row,
            f,
        )?;
        self.conn.execute_batch("DROP TABLE temp.held_item")?;
        Ok(out)
    }

    /// The events of every item before `cutoff`, with the code of the
    /// item's strategy, grouped by item (by number) and oldest first;
    /// read as `f` goes.
    pub fn each_history_event<R>(
        &self,
        cutoff: DateTime<Utc>,
        f: impl FnOnce(&mut Cursor<(Code, Event)>) -> Result<R>,
    ) -> Result<R> {
        let values = params![None::<&str>, before(Some(cutoff))];
        self.cursor(&history_sql(None), values, history_row, f)
    }

    /// Every event, by number, read as `f` goes.
    pub fn each_event<R>(&self, f: impl FnOnce(&mut Cursor<Event>) -> Result<R>) -> Result<R> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM event e ORDER BY e.id");
        self.cursor(&sql, [], event_row, f)
    }

    /// Every strategy event, grouped by strategy and oldest first (as
    /// [`Db::strategy_history`] lists them), read as `f` goes.
    pub fn each_strategy_event<R>(
        &self,
        f: impl FnOnce(&mut Cursor<StrategyEvent>) -> Result<R>,
    ) -> Result<R> {
        let sql = format!(
            "SELECT {STRATEGY_EVENT_COLUMNS} \
             FROM strategy_event e JOIN strategy s ON s.id = e.strategy_id \
             ORDER BY s.id, e.at, e.id"
        );
        self.cursor(&sql, [], strategy_event_row, f)
    }

    fn cursor<T, R>(
        &self,
        sql: &str,
        values: impl rusqlite::Params,
        make: fn(&Row) -> rusqlite::Result<T>,
        f: impl FnOnce(&mut Cursor<T>) -> Result<R>,
    ) -> Result<R> {
        let mut stmt = self.conn.prepare(sql)?;
        let mut cursor = Cursor {
            rows: stmt.query(values)?,
            make,
        };
        f(&mut cursor)
    }

    /// The latest note on each item of a strategy (or all), before `cutoff`.
    pub fn latest_notes(
        &self,
        code: Option<&Code>,
        cutoff: Option<DateTime<Utc>>,
    ) -> Result<HashMap<ItemId, String>> {
        let sql = notes_sql(code);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![code.map(Code::as_str), before(cutoff)])?;
        // The latest is the one with the greatest (time, number).
        let mut latest: HashMap<ItemId, (String, i64, String)> = HashMap::new();
        while let Some(r) = rows.next()? {
            let (item, at, id) = (
                ItemId(r.get(0)?),
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            );
            match latest.get(&item) {
                Some((a, n, _)) if (a.as_str(), *n) >= (at.as_str(), id) => {}
                _ => {
                    latest.insert(item, (at, id, r.get(3)?));
                }
            }
        }
        Ok(latest
            .into_iter()
            .map(|(item, (_, _, note))| (item, note))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan SQLite chooses for `sql`, one step a line; the first
    /// parameters of `values` are bound.
    fn plan(conn: &Connection, sql: &str, values: &[&str]) -> Vec<String> {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let n = stmt.parameter_count();
        stmt.query_map(params_from_iter(&values[..n]), |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// Asserts that the plan `steps` of query `name` finds the strategy by
    /// its code and its items by their strategy, without scanning a table.
    fn one_strategy_plan(name: &str, steps: &[String]) {
        let text = steps.join("\n");
        assert!(
            !steps.iter().any(|s| s.starts_with("SCAN")),
            "{name} scans:\n{text}"
        );
        assert!(
            text.contains("USING INDEX sqlite_autoindex_strategy_1")
                || text.contains("USING COVERING INDEX sqlite_autoindex_strategy_1"),
            "{name}: strategy not found by code:\n{text}"
        );
        assert!(
            text.contains("item_by_strategy") || text.contains("sqlite_autoindex_item_1"),
            "{name}: items not found by strategy:\n{text}"
        );
    }

    /// The queries one-strategy commands run must reach rows through an
    /// index, never by reading a whole table: their cost follows the
    /// strategy, not the database.
    #[test]
    fn one_strategy_queries_use_indexes() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::schema::prepare(&mut conn, std::path::Path::new(":memory:"), true).unwrap();
        let code: Code = "tech-2020".parse().unwrap();
        let one = Some(&code);
        let cases = [
            ("items", items_sql(one)),
            ("history", history_sql(one)),
            ("latest notes", notes_sql(one)),
        ];
        for (name, sql) in cases {
            let steps = plan(&conn, &sql, &["tech-2020", "~"]);
            one_strategy_plan(name, &steps);
        }
        // Outstanding work binds its statuses before the code.
        let sql = items_by_due_sql(1, 3);
        let steps = plan(
            &conn,
            &sql,
            &["planned", "in-progress", "on-hold", "tech-2020"],
        );
        one_strategy_plan("outstanding", &steps);
        for (name, sql) in [
            (
                "item by number",
                format!(
                    "SELECT {ITEM_COLUMNS} FROM item i JOIN strategy s ON s.id = i.strategy_id WHERE i.id = ?1"
                ),
            ),
            (
                "events of an item",
                format!(
                    "SELECT {EVENT_COLUMNS} FROM event e WHERE e.item_id = ?1 ORDER BY e.at, e.id"
                ),
            ),
        ] {
            let steps = plan(&conn, &sql, &["1"]);
            assert!(
                !steps.iter().any(|s| s.starts_with("SCAN")),
                "{name} scans:\n{}",
                steps.join("\n")
            );
        }
        // Notes come from the small index of noted events, for one strategy
        // and for all (where reading that index whole is the point).
        for scope in [one, None] {
            let text = plan(&conn, &notes_sql(scope), &["tech-2020", "~"]).join("\n");
            assert!(
                text.contains("USING COVERING INDEX event_notes"),
                "notes not read from their index:\n{text}"
            );
        }
    }
}
