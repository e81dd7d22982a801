//! The queries, all with bound parameters, all run inside a transaction
//! opened by [`super::Store`].

use crate::domain::dates::{Period, parse_iso};
use crate::domain::model::{
    Change, Code, Event, Item, ItemId, Strategy, StrategyEvent, Written, format_timestamp,
    parse_timestamp, write_date, write_timestamp,
};
use crate::domain::plain::{changes_json, stored_changes};
use crate::domain::vocab::Status;
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{Type, Value};
use rusqlite::{Connection, OptionalExtension, Row, Statement, params, params_from_iter};
use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;

/// The next free numbers, see [`Db::next_ids`].
pub struct NextIds {
    pub item: i64,
    pub event: i64,
    pub strategy_event: i64,
}

/// One column of a foreign key, as `pragma_foreign_key_list` gives it.
struct LinkColumn {
    child: String,
    link: i64,
    parent: String,
    from: String,
    to: Option<String>,
}

/// The rows of `child` whose `from` names no row of `parent` by `to`.
fn missing_parents_sql(child: &str, from: &str, parent: &str, to: &str) -> String {
    // Names cannot be bound parameters; these come from the schema.
    let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    format!(
        "SELECT c.rowid FROM {child} c WHERE c.{from} IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM {parent} p WHERE p.{to} = c.{from})",
        child = quote(child),
        parent = quote(parent),
        from = quote(from),
        to = quote(to),
    )
}

/// The database as seen from inside one transaction.
pub struct Db<'c> {
    conn: &'c Connection,
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

/// A strategy's columns in the order its insert and update bind them.
fn strategy_values(s: &Strategy) -> [Value; 11] {
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

/// Binds an item as the parameters `first` onwards of an insert of
/// [`insert_items_sql`] (or the update of [`Db::update_item`]), in the
/// order of the table: its number last, when the statement gives numbers.
fn bind_item(
    stmt: &mut Statement,
    first: usize,
    item: &Item,
    number: Numbering,
) -> rusqlite::Result<()> {
    // Dates and times are written on the stack: SQLite copies what it is
    // given at once.
    let date = |d: Option<NaiveDate>| d.map(write_date);
    stmt.raw_bind_parameter(first, item.strategy.as_str())?;
    stmt.raw_bind_parameter(first + 1, &item.reference)?;
    stmt.raw_bind_parameter(first + 2, &item.title)?;
    stmt.raw_bind_parameter(first + 3, &item.description)?;
    stmt.raw_bind_parameter(first + 4, &item.theme)?;
    stmt.raw_bind_parameter(first + 5, &item.owner)?;
    stmt.raw_bind_parameter(first + 6, item.status.as_str())?;
    stmt.raw_bind_parameter(first + 7, item.progress.get())?;
    stmt.raw_bind_parameter(first + 8, date(item.start).as_ref().map(Written::as_str))?;
    stmt.raw_bind_parameter(first + 9, date(item.due).as_ref().map(Written::as_str))?;
    stmt.raw_bind_parameter(
        first + 10,
        date(item.completed_on).as_ref().map(Written::as_str),
    )?;
    stmt.raw_bind_parameter(first + 11, item.rag_override.map(|r| r.as_str()))?;
    stmt.raw_bind_parameter(first + 12, &item.rag_reason)?;
    stmt.raw_bind_parameter(first + 13, item.carried_from.map(|l| l.0))?;
    stmt.raw_bind_parameter(first + 14, item.carried_to.map(|l| l.0))?;
    stmt.raw_bind_parameter(first + 15, write_timestamp(item.created_at).as_str())?;
    stmt.raw_bind_parameter(first + 16, write_timestamp(item.updated_at).as_str())?;
    match number {
        Numbering::Given(id) => stmt.raw_bind_parameter(first + 17, id),
        Numbering::BySqlite => Ok(()),
    }
}

/// An insert of `rows` items, each bound by [`bind_item`]; as
/// [`insert_events_sql`], `INSERT OR FAIL` when SQLite numbers them.
fn insert_items_sql(rows: usize, numbered: bool) -> String {
    let (verb, columns, id) = if numbered {
        ("INSERT", ", id", ", ?")
    } else {
        ("INSERT OR FAIL", "", "")
    };
    let row = format!(
        "((SELECT id FROM strategy WHERE code = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?{id})"
    );
    format!(
        "{verb} INTO item (strategy_id, ref, title, description, theme, owner, status, progress, \
         start, due, completed_on, rag_override, rag_reason, carried_from, carried_to, created_at, \
         updated_at{columns}) VALUES {}",
        vec![row; rows].join(", ")
    )
}

/// The columns of an event that take work to write out: its time and its
/// changes, as stored. A bulk load has them written by the thread that
/// reads the file, so the thread that writes the database only binds them.
pub struct EventText {
    at: String,
    changes: String,
}

impl EventText {
    pub fn of(event: &Event) -> EventText {
        EventText::with_stored(event, None, None)
    }

    /// As [`EventText::of`], with the text of the event's time and of its
    /// changes when they are already at hand as stored: the text
    /// [`read_timestamp`](crate::domain::model::read_timestamp) kept, and
    /// text [`stored_changes`] read.
    pub fn with_stored(event: &Event, at: Option<String>, changes: Option<String>) -> EventText {
        debug_assert!(
            at.as_ref()
                .is_none_or(|at| *at == format_timestamp(event.at))
        );
        EventText {
            at: at.unwrap_or_else(|| format_timestamp(event.at)),
            changes: changes.unwrap_or_else(|| changes_json(&event.changes)),
        }
    }
}

/// Binds an event, with its [`EventText`], as the parameters `first`
/// onwards of an insert of [`insert_events_sql`]: its number last, when
/// the statement gives numbers (NULL for a new one).
fn bind_event(
    stmt: &mut Statement,
    first: usize,
    event: &Event,
    text: &EventText,
    number: Numbering,
) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(first, event.item.0)?;
    stmt.raw_bind_parameter(first + 1, &text.at)?;
    stmt.raw_bind_parameter(first + 2, &event.by)?;
    stmt.raw_bind_parameter(first + 3, event.action.as_str())?;
    stmt.raw_bind_parameter(first + 4, &text.changes)?;
    stmt.raw_bind_parameter(first + 5, &event.note)?;
    match number {
        Numbering::Given(id) => stmt.raw_bind_parameter(first + 6, id),
        Numbering::BySqlite => Ok(()),
    }
}

/// Whether an insert gives each row's number (`None` for a new one) or
/// leaves every number to SQLite.
#[derive(Clone, Copy)]
enum Numbering {
    Given(Option<i64>),
    BySqlite,
}

/// An insert of `rows` events, each bound by [`bind_event`]. Without
/// numbers it is `INSERT OR FAIL`: SQLite then need not keep a journal to
/// undo a statement that fails halfway, which a load, undone whole on any
/// failure, never needs. (A statement that gives numbers keeps one
/// whatever its conflict clause, for the check that a number is a number.)
fn insert_events_sql(rows: usize, numbered: bool) -> String {
    let (verb, columns, row) = if numbered {
        ("INSERT", ", id", "(?, ?, ?, ?, ?, ?, ?)")
    } else {
        ("INSERT OR FAIL", "", "(?, ?, ?, ?, ?, ?)")
    };
    format!(
        "{verb} INTO event (item_id, at, by, action, changes, note{columns}) VALUES {}",
        vec![row; rows].join(", ")
    )
}

/// Events and items written by one statement in a bulk load: SQLite's
/// work for a statement (cursors, the AUTOINCREMENT counter) is then shared
/// by them.
const EVENT_BATCH: usize = 32;
const ITEM_BATCH: usize = 16;

/// The inserts of a bulk load, prepared once for all its rows: looking a
/// statement up in the connection's cache for each row cost a tenth of
/// an import's writing. Rows wait to be written a batch at a time;
/// [`Inserts::flush`] writes those still waiting.
pub struct Inserts<'c> {
    conn: &'c Connection,
    item: Statement<'c>,
    /// [`ITEM_BATCH`] items numbered by SQLite.
    next_items: Statement<'c>,
    event: Statement<'c>,
    events: Statement<'c>,
    /// As `events`, for a batch whose numbers are those SQLite would give.
    next_events: Statement<'c>,
    /// Items whose numbers are those SQLite gives them.
    waiting_items: Vec<Item>,
    waiting: Vec<(Event, EventText, bool)>,
    /// The numbers SQLite gives the next item and event written without
    /// one: one past the highest it has handed out in the table.
    next_item: i64,
    next_event: i64,
}

impl<'c> Inserts<'c> {
    fn new(conn: &'c Connection, next: &NextIds) -> Result<Inserts<'c>> {
        Ok(Inserts {
            conn,
            item: conn.prepare(&insert_items_sql(1, true))?,
            next_items: conn.prepare(&insert_items_sql(ITEM_BATCH, false))?,
            event: conn.prepare(&insert_events_sql(1, true))?,
            events: conn.prepare(&insert_events_sql(EVENT_BATCH, true))?,
            next_events: conn.prepare(&insert_events_sql(EVENT_BATCH, false))?,
            waiting_items: Vec::with_capacity(ITEM_BATCH),
            waiting: Vec::with_capacity(EVENT_BATCH),
            next_item: next.item,
            next_event: next.event,
        })
    }

    /// As [`Db::insert_item`]. An export lists items by number, so most
    /// often an item's number is the one SQLite would give it: such items
    /// wait to be written a batch at a time. Any other is written at once,
    /// after those waiting, so that a number taken is the error of its
    /// own item.
    pub fn item(&mut self, item: Item, keep_id: bool) -> Result<()> {
        if !keep_id || item.id.0 == self.next_item {
            self.next_item += 1;
            self.waiting_items.push(item);
            if self.waiting_items.len() == ITEM_BATCH {
                for (n, item) in self.waiting_items.iter().enumerate() {
                    bind_item(&mut self.next_items, 1 + 17 * n, item, Numbering::BySqlite)?;
                }
                self.next_items.raw_execute()?;
                self.waiting_items.clear();
                self.numbered_as_followed("items", self.next_item, ITEM_BATCH)?;
            }
            return Ok(());
        }
        self.write_waiting_items()?;
        bind_item(&mut self.item, 1, &item, Numbering::Given(Some(item.id.0)))?;
        self.item.raw_execute()?;
        self.next_item = self.next_item.max(item.id.0 + 1);
        Ok(())
    }

    /// Writes the items still waiting, one by one, with the numbers SQLite
    /// would have given them.
    fn write_waiting_items(&mut self) -> Result<()> {
        let first = self.next_item - self.waiting_items.len() as i64;
        for (item, id) in self.waiting_items.drain(..).zip(first..) {
            bind_item(&mut self.item, 1, &item, Numbering::Given(Some(id)))?;
            self.item.raw_execute()?;
        }
        Ok(())
    }

    /// Checks that SQLite numbered the `rows` just written as followed
    /// here, up to `next` (excluded): their numbers must be the file's.
    fn numbered_as_followed(&self, what: &str, next: i64, rows: usize) -> Result<()> {
        let last = self.conn.last_insert_rowid();
        if last == next - 1 {
            return Ok(());
        }
        Err(Error::Bug(format!(
            "{what} meant to be numbered {} to {} were numbered up to {last}",
            next - rows as i64,
            next - 1
        )))
    }

    /// As [`Db::insert_event`], once the events waiting are written; `text`
    /// is [`EventText::of`] the event.
    pub fn event(&mut self, event: Event, text: EventText, keep_id: bool) -> Result<()> {
        self.waiting.push((event, text, keep_id));
        if self.waiting.len() == EVENT_BATCH {
            self.write_batch()?;
        }
        Ok(())
    }

    /// Writes a full batch. An export numbers its events in the order it
    /// lists them, so a batch's numbers are most often the very ones SQLite
    /// would give, and are left to it.
    fn write_batch(&mut self) -> Result<()> {
        // SQLite numbers a row given none one past the highest number this
        // table has handed out; followed here row by row.
        let mut as_sqlite_would = true;
        for (event, _, keep_id) in &self.waiting {
            let id = if *keep_id { event.id } else { self.next_event };
            as_sqlite_would &= id == self.next_event;
            self.next_event = self.next_event.max(id + 1);
        }
        let (stmt, width) = if as_sqlite_would {
            (&mut self.next_events, 6)
        } else {
            (&mut self.events, 7)
        };
        for (n, (event, text, keep_id)) in self.waiting.iter().enumerate() {
            let number = if as_sqlite_would {
                Numbering::BySqlite
            } else {
                Numbering::Given(keep_id.then_some(event.id))
            };
            bind_event(stmt, 1 + width * n, event, text, number)?;
        }
        stmt.raw_execute()?;
        self.waiting.clear();
        if as_sqlite_would {
            self.numbered_as_followed("events", self.next_event, EVENT_BATCH)?;
        }
        Ok(())
    }

    /// Writes the items and events still waiting.
    pub fn flush(&mut self) -> Result<()> {
        self.write_waiting_items()?;
        for (event, text, keep_id) in self.waiting.drain(..) {
            let number = Numbering::Given(keep_id.then_some(event.id));
            bind_event(&mut self.event, 1, &event, &text, number)?;
            self.event.raw_execute()?;
        }
        Ok(())
    }
}

const EVENT_COLUMNS: &str = "e.id, e.item_id, e.at, e.by, e.action, e.changes, e.note";
const STRATEGY_EVENT_COLUMNS: &str = "e.id, s.code, e.at, e.by, e.action, e.changes, e.note";

fn strategy_event_row(row: &Row) -> rusqlite::Result<StrategyEvent> {
    let changes: String = row.get(5)?;
    Ok(StrategyEvent {
        id: row.get(0)?,
        strategy: parsed(row, 1)?,
        at: timestamp(row, 2)?,
        by: row.get(3)?,
        action: parsed(row, 4)?,
        changes: serde_json::from_str(&changes).map_err(|e| bad_column(5, e.to_string()))?,
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
    let changes: String = row.get(5)?;
    let changes: Vec<Change> = match stored_changes(&changes) {
        Some(list) => list,
        None => serde_json::from_str(&changes).map_err(|e| bad_column(5, e.to_string()))?,
    };
    Ok(Event {
        id: row.get(0)?,
        item: ItemId(row.get(1)?),
        at: timestamp(row, 2)?,
        by: row.get(3)?,
        action: parsed(row, 4)?,
        changes,
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
            .prepare_cached(
                "INSERT INTO strategy (code, title, status, starts, ends, decision, adopted, lead, \
                 department, supersedes, description) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
                 (SELECT id FROM strategy WHERE code = ?10), ?11)",
            )?
            .execute(params_from_iter(strategy_values(s)))?;
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

    /// The first numbers not yet handed out for items, item events and
    /// strategy events, so an import can number its records before writing.
    pub fn next_ids(&self) -> Result<NextIds> {
        let next = |sql: &str| -> Result<i64> {
            Ok(self.conn.prepare_cached(sql)?.query_row([], |r| r.get(0))?)
        };
        Ok(NextIds {
            item: next(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'item'), 0), \
                 coalesce((SELECT max(id) FROM item), 0)) + 1",
            )?,
            event: next(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'event'), 0), \
                 coalesce((SELECT max(id) FROM event), 0)) + 1",
            )?,
            strategy_event: next(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence \
                 WHERE name = 'strategy_event'), 0), \
                 coalesce((SELECT max(id) FROM strategy_event), 0)) + 1",
            )?,
        })
    }

    /// Gives this connection a larger page cache for a bulk load that keeps
    /// its indexes up to date, so their pages stay in memory instead of
    /// being written out and read back. A load into an empty database, which
    /// builds its out-of-order indexes at the end, writes everything else in
    /// order and needs little more than the usual.
    pub fn bulk_cache(&self, indexes_kept: bool) -> Result<()> {
        let kib = if indexes_kept { 32_000 } else { 8_000 };
        self.conn.pragma_update(None, "cache_size", -kib)?;
        Ok(())
    }

    /// Drops the secondary indexes of `table` for a bulk load into an empty
    /// database and returns their definitions for [`Db::restore_indexes`]:
    /// SQLite builds an index from all its rows at once in about a third of
    /// the time it takes to keep it up to date row by row when rows come in
    /// another order than the index's. Indexes that enforce a UNIQUE
    /// constraint stay.
    pub fn suspend_indexes(&self, table: &str) -> Result<Vec<String>> {
        let indexes: Vec<(String, String)> = self
            .conn
            .prepare(
                "SELECT s.name, s.sql FROM sqlite_schema s \
                 JOIN pragma_index_list(?1) i ON i.name = s.name \
                 WHERE i.origin = 'c' ORDER BY s.rowid",
            )?
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &indexes {
            // A name cannot be a bound parameter; these come from the schema.
            let quoted = name.replace('"', "\"\"");
            self.conn
                .execute_batch(&format!("DROP INDEX \"{quoted}\""))?;
        }
        Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
    }

    /// Builds again the indexes [`Db::suspend_indexes`] dropped, at the end
    /// of a load, when no other thread of this process has work left: SQLite
    /// is let sort the entries in pieces on a thread of its own while this
    /// one goes on reading the table. (The pieces' size follows the page
    /// cache's; pieces of 2 MB kept both threads busiest.)
    pub fn restore_indexes(&self, definitions: &[String]) -> Result<()> {
        if definitions.is_empty() {
            return Ok(());
        }
        let cache: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))?;
        self.conn.pragma_update(None, "threads", 1)?;
        self.conn.pragma_update(None, "cache_size", -2_000)?;
        let built = definitions
            .iter()
            .try_for_each(|sql| self.conn.execute_batch(sql));
        self.conn.pragma_update(None, "threads", 0)?;
        self.conn.pragma_update(None, "cache_size", cache)?;
        Ok(built?)
    }

    /// Lets links between records of one import point forward; the checks
    /// run at commit instead of at each row.
    pub fn defer_foreign_keys(&self) -> Result<()> {
        self.conn.pragma_update(None, "defer_foreign_keys", true)?;
        Ok(())
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

    /// The rows [`Db::foreign_key_problems`] finds, each link looked for
    /// through an index on it where there is one. SQLite's own check reads
    /// each table in its order, and so looks up the items of events listed
    /// by time at random: a tenth of a large import went to it.
    pub fn broken_links(&self) -> Result<Vec<String>> {
        let links: Vec<LinkColumn> = self
            .conn
            .prepare(
                "SELECT t.name, f.id, f.\"table\", f.\"from\", f.\"to\" FROM sqlite_schema t \
                 JOIN pragma_foreign_key_list(t.name) f WHERE t.type = 'table' \
                 ORDER BY t.name, f.id, f.seq",
            )?
            .query_map([], |r| {
                Ok(LinkColumn {
                    child: r.get(0)?,
                    link: r.get(1)?,
                    parent: r.get(2)?,
                    from: r.get(3)?,
                    to: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let simple = links.iter().all(|l| {
            l.to.is_some()
                && links
                    .iter()
                    .filter(|o| o.child == l.child && o.link == l.link)
                    .count()
                    == 1
        });
        if !simple {
            return self.foreign_key_problems();
        }
        let mut problems = Vec::new();
        for l in &links {
            let to = l.to.as_deref().expect("checked above");
            let mut stmt = self
                .conn
                .prepare(&missing_parents_sql(&l.child, &l.from, &l.parent, to))?;
            for row in stmt.query_map([], |r| r.get::<_, i64>(0))? {
                problems.push(format!(
                    "foreign key: {} row {} points to a missing {}",
                    l.child, row?, l.parent
                ));
            }
        }
        Ok(problems)
    }

    /// Carry links one side of which does not name the other, by the item
    /// that names it: (item, the item it names, true when carried to it).
    /// Only items with a link are read, through the links' indexes.
    pub fn one_sided_carries(&self) -> Result<Vec<(ItemId, ItemId, bool)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.carried_to, 1 FROM item a LEFT JOIN item b ON b.id = a.carried_to \
             WHERE a.carried_to IS NOT NULL AND b.carried_from IS NOT a.id \
             UNION ALL \
             SELECT a.id, a.carried_from, 0 FROM item a LEFT JOIN item b ON b.id = a.carried_from \
             WHERE a.carried_from IS NOT NULL AND b.carried_to IS NOT a.id \
             ORDER BY 1, 3 DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((ItemId(r.get(0)?), ItemId(r.get(1)?), r.get(2)?))
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
        let mut stmt = self.conn.prepare_cached(&insert_items_sql(1, true))?;
        bind_item(
            &mut stmt,
            1,
            item,
            Numbering::Given(keep_id.then_some(item.id.0)),
        )?;
        stmt.raw_execute()?;
        Ok(ItemId(self.conn.last_insert_rowid()))
    }

    /// The inserts of a bulk load; `next` is [`Db::next_ids`].
    pub fn inserts(&self, next: &NextIds) -> Result<Inserts<'c>> {
        Inserts::new(self.conn, next)
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
        bind_item(&mut stmt, 1, item, Numbering::Given(Some(item.id.0)))?;
        let n = stmt.raw_execute()?;
        if n != 1 {
            return Err(Error::Bug(format!(
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
        let mut stmt = self.conn.prepare_cached(&insert_events_sql(1, true))?;
        let number = Numbering::Given(keep_id.then_some(event.id));
        bind_event(&mut stmt, 1, event, &EventText::of(event), number)?;
        stmt.raw_execute()?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Appends a strategy event; `event.id` is kept when `keep_id`.
    pub fn insert_strategy_event(&self, event: &StrategyEvent, keep_id: bool) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO strategy_event (id, strategy_id, at, by, action, changes, note) \
                 VALUES (?1, (SELECT id FROM strategy WHERE code = ?2), ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                keep_id.then_some(event.id),
                event.strategy.as_str(),
                format_timestamp(event.at),
                event.by,
                event.action.as_str(),
                changes_json(&event.changes),
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
                bind_item(&mut insert, 1, item, Numbering::Given(Some(item.id.0)))?;
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

    /// Links to missing records are found as SQLite's own check finds
    /// them, and events' items are looked up in item order, from their
    /// index, not in the order of the event table.
    #[test]
    fn broken_links_are_those_sqlite_finds() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::schema::prepare(&mut conn, std::path::Path::new(":memory:"), true).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO strategy (id, code, title, status, starts, ends)
                 VALUES (1, 's-1', 'S', 'draft', '2024-01-01', '2025-12-31');
             INSERT INTO item (id, strategy_id, title, status, progress, carried_from,
                 created_at, updated_at)
                 VALUES (1, 1, 'A', 'planned', 0, NULL, 't', 't'),
                        (2, 9, 'B', 'planned', 0, 77, 't', 't');
             INSERT INTO event (id, item_id, at, by, action, changes)
                 VALUES (1, 1, '2024-01-01T09:00:00.000000Z', 'x', 'created', '[]'),
                        (2, 5, '2024-01-01T09:00:00.000000Z', 'x', 'created', '[]');",
        )
        .unwrap();
        let db = Db::new(&conn);
        let mut ours = db.broken_links().unwrap();
        let mut sqlite = db.foreign_key_problems().unwrap();
        ours.sort();
        sqlite.sort();
        assert_eq!(ours.len(), 3, "{ours:?}");
        assert_eq!(ours, sqlite);
        let steps = plan(
            &conn,
            &missing_parents_sql("event", "item_id", "item", "id"),
            &[],
        );
        assert!(
            steps[0].contains("COVERING INDEX event_by_item"),
            "{steps:?}"
        );
    }

    /// Indexes set aside for a load come back as they were, with what
    /// they index, and the connection's settings are left as found.
    #[test]
    fn suspended_indexes_come_back_whole() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::schema::prepare(&mut conn, std::path::Path::new(":memory:"), true).unwrap();
        let schema = |conn: &Connection| -> Vec<(String, Option<String>)> {
            conn.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let before = schema(&conn);
        conn.pragma_update(None, "cache_size", -5_000).unwrap();
        let db = Db::new(&conn);
        let mut set_aside = db.suspend_indexes("item").unwrap();
        set_aside.extend(db.suspend_indexes("event").unwrap());
        let left = schema(&conn);
        assert!(
            left.iter()
                .all(|(name, _)| !name.starts_with("item_by") && !name.starts_with("event_"))
        );
        assert!(
            left.iter()
                .any(|(name, _)| name == "sqlite_autoindex_item_1")
        );
        conn.execute_batch(
            "INSERT INTO strategy (id, code, title, status, starts, ends)
                 VALUES (1, 's-1', 'S', 'draft', '2024-01-01', '2025-12-31');
             INSERT INTO item (id, strategy_id, title, status, progress, created_at, updated_at)
                 VALUES (1, 1, 'A', 'planned', 0, 't', 't');
             INSERT INTO event (id, item_id, at, by, action, changes, note)
                 VALUES (1, 1, '2024-01-01T09:00:00.000000Z', 'x', 'noted', '[]', 'n');",
        )
        .unwrap();
        db.restore_indexes(&set_aside).unwrap();
        assert_eq!(schema(&conn), before);
        let noted: i64 = conn
            .query_row(
                "SELECT count(*) FROM event INDEXED BY event_notes WHERE note IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(noted, 1);
        let setting =
            |name: &str| -> i64 { conn.pragma_query_value(None, name, |r| r.get(0)).unwrap() };
        assert_eq!((setting("cache_size"), setting("threads")), (-5_000, 0));
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
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
