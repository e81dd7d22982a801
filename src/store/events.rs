//! Item events: appended, one item's history, every history in order of
//! items, and each item's latest note.

use super::Db;
use super::db::{NOTED, TAKEN, scope, seen};
use super::rows::*;
use super::sql::{Cursor, Value};
use crate::domain::history::Seen;
use crate::domain::model::{Code, Event, Item, ItemId, Note};
use crate::error::Result;
use chrono::NaiveDate;
use std::collections::HashMap;

/// Each item's events in the order they hold, of the items of one
/// strategy (`?1`) or all, that a view takes (see [`seen`]).
pub(super) fn history_sql(code: Option<&Code>) -> String {
    format!(
        "SELECT {EVENT_COLUMNS}, s.code FROM event e JOIN item i ON i.id = e.item_id \
         JOIN strategy s ON s.id = i.strategy_id \
         WHERE {} AND {TAKEN} ORDER BY e.item_id, e.effective, e.at, e.id",
        scope(code)
    )
}

/// Each item's notes in the order they hold, so the last of an item is its
/// latest; for the whole portfolio that is the order of the notes' index.
pub(super) fn notes_sql(code: Option<&Code>) -> String {
    let order = "ORDER BY e.item_id, e.effective, e.at, e.id";
    match code {
        Some(_) => format!(
            "SELECT e.item_id, e.effective, e.note FROM event e \
             JOIN item i ON i.id = e.item_id JOIN strategy s ON s.id = i.strategy_id \
             WHERE s.code = ?1 AND {NOTED} AND {TAKEN} {order}"
        ),
        None => format!(
            "SELECT e.item_id, e.effective, e.note FROM event e \
             WHERE CAST(?1 AS TEXT) IS NULL AND {NOTED} AND {TAKEN} {order}"
        ),
    }
}

impl Db<'_> {
    /// Appends an event; `event.id` is kept when `keep_id`, else assigned.
    pub fn insert_event(&self, event: &Event, keep_id: bool) -> Result<i64> {
        let values = event_values(event, keep_id.then_some(event.id), self.command()?);
        self.insert_as(insert_event_sql(keep_id), &values, keep_id)
    }

    /// One item's history, in the order recorded.
    pub fn events_of(&self, item: ItemId) -> Result<Vec<Event>> {
        let sql =
            format!("SELECT {EVENT_COLUMNS} FROM event e WHERE e.item_id = ?1 ORDER BY e.at, e.id");
        self.query(&sql, &[item.0.into()], event_row)
    }

    /// The events of one strategy's items (or all items) that a view
    /// takes (all when `None`), with the code of the item's strategy,
    /// grouped by item, each item's in the order they hold.
    pub fn history(&self, code: Option<&Code>, view: Option<Seen>) -> Result<Vec<(Code, Event)>> {
        let (day, known) = seen(view);
        self.query(
            &history_sql(code),
            &[code.map(Code::as_str).into(), day.into(), known.into()],
            history_row,
        )
    }

    /// Calls `f` with each item numbered `from` or more that `wanted`
    /// picks, and its history in the order it holds, one item at a time, so any
    /// number of items can be checked in little memory. Rows of other
    /// items are stepped over without being read.
    pub fn each_history(
        &self,
        from: i64,
        wanted: impl Fn(i64) -> bool,
        mut f: impl FnMut(Item, Vec<Event>),
    ) -> Result<()> {
        let item_columns = item_columns();
        let items_sql = format!(
            "SELECT {item_columns} FROM item i JOIN strategy s ON s.id = i.strategy_id \
             WHERE i.id >= ?1 ORDER BY i.id"
        );
        let events_sql = format!(
            "SELECT {EVENT_COLUMNS} FROM event e WHERE e.item_id >= ?1 \
             ORDER BY e.item_id, e.effective, e.at, e.id"
        );
        let from = [Value::Int(from)];
        self.rows(&items_sql, &from, |items| {
            self.rows(&events_sql, &from, |events| {
                // The event row under the cursor: its item, and whether it was read.
                let item_of =
                    |row: Option<super::sql::Row>| row.map(|r| r.get::<i64>(1)).transpose();
                let mut event_item = item_of(events.next()?)?;
                while let Some(row) = items.next()? {
                    let id: i64 = row.get(0)?;
                    let keep = wanted(id);
                    let item = keep.then(|| item_row(&row)).transpose()?;
                    let mut history = Vec::new();
                    while let Some(e) = event_item.filter(|e| *e <= id) {
                        if keep && e == id {
                            let row = events.current().expect("a row is under the cursor");
                            history.push(event_row(&row)?);
                        }
                        event_item = item_of(events.next()?)?;
                    }
                    if let Some(item) = item {
                        f(item, history);
                    }
                }
                Ok(())
            })
        })
    }

    /// The events of every item that a view takes, with the code of the
    /// item's strategy, grouped by item (by number), each item's in the
    /// order they hold; read as `f` goes.
    pub fn each_history_event<R>(
        &self,
        view: Seen,
        f: impl FnOnce(&mut Cursor<(Code, Event)>) -> Result<R>,
    ) -> Result<R> {
        let (day, known) = seen(Some(view));
        let values = [Value::Null, day.into(), known.into()];
        self.cursor(&history_sql(None), &values, history_row, f)
    }

    /// Every event, by number, read as `f` goes.
    pub fn each_event<R>(&self, f: impl FnOnce(&mut Cursor<Event>) -> Result<R>) -> Result<R> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM event e ORDER BY e.id");
        self.cursor(&sql, &[], event_row, f)
    }

    /// The latest note on each item of a strategy (or all) that a view
    /// takes (all when `None`): of the changes with a note, the one that
    /// holds from the latest day (the latest recorded within it).
    pub fn latest_notes(
        &self,
        code: Option<&Code>,
        view: Option<Seen>,
    ) -> Result<HashMap<ItemId, Note>> {
        let (day, known) = seen(view);
        let mut latest = HashMap::new();
        self.each_row(
            &notes_sql(code),
            &[code.map(Code::as_str).into(), day.into(), known.into()],
            |r| {
                let item = ItemId(r.get(0)?);
                let on: NaiveDate = super::rows::parsed(r, 1)?;
                // A later row of the same item holds later.
                latest.insert(
                    item,
                    Note {
                        text: r.get(2)?,
                        on,
                    },
                );
                Ok(())
            },
        )?;
        Ok(latest)
    }
}
