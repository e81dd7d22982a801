//! The commands that changed the database, and what removals kept: what
//! `strat undo` reads to take a command back.

use super::Db;
use super::rows::*;
use crate::domain::model::{Code, Event, ItemId, StrategyEvent, parse_timestamp};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

/// A command as its row records it.
#[derive(Debug, Clone)]
pub struct CommandRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub by: String,
    pub name: String,
}

/// What a removal kept of an item or a strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// `item` or `strategy`.
    pub kind: String,
    /// The item's number or the strategy's code.
    pub name: String,
    /// The record, as the document `export` writes for it.
    pub record: String,
    /// The command of each of its events, as JSON.
    pub commands: String,
}

impl Db<'_> {
    /// The latest command of `by` not yet taken back, other than an undo.
    pub fn last_command_of(&self, by: &str) -> Result<Option<CommandRow>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT id, at, by, name FROM command \
                 WHERE by = ?1 AND undone_by IS NULL AND name <> 'undo' \
                 ORDER BY id DESC LIMIT 1",
            )?
            .query_row([by], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                ))
            })
            .optional()?;
        row.map(|(id, at, by, name)| {
            let at = parse_timestamp(&at).map_err(|e| Error::storage(e.to_string()))?;
            Ok(CommandRow { id, at, by, name })
        })
        .transpose()
    }

    /// Records that `command` was taken back by `undo`.
    pub fn mark_undone(&self, command: i64, undo: i64) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE command SET undone_by = ?2 WHERE id = ?1")?
            .execute(params![command, undo])?;
        Ok(())
    }

    /// The item events `command` recorded, in the order recorded.
    pub fn events_of_command(&self, command: i64) -> Result<Vec<Event>> {
        let sql =
            format!("SELECT {EVENT_COLUMNS} FROM event e WHERE e.command = ?1 ORDER BY e.at, e.id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([command], event_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The strategy events `command` recorded, in the order recorded.
    pub fn strategy_events_of_command(&self, command: i64) -> Result<Vec<StrategyEvent>> {
        let sql = format!(
            "SELECT {STRATEGY_EVENT_COLUMNS} FROM strategy_event e \
             JOIN strategy s ON s.id = e.strategy_id WHERE e.command = ?1 ORDER BY e.at, e.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([command], strategy_event_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The changes to `item` recorded by commands after `command`, with
    /// the command of each.
    pub fn item_changes_after(&self, item: ItemId, command: i64) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM event e WHERE e.item_id = ?1 AND e.command > ?2 \
             ORDER BY e.at, e.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![item.0, command], event_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The changes to strategy `code` recorded by commands after `command`.
    pub fn strategy_changes_after(&self, code: &Code, command: i64) -> Result<Vec<StrategyEvent>> {
        let sql = format!(
            "SELECT {STRATEGY_EVENT_COLUMNS} FROM strategy_event e \
             JOIN strategy s ON s.id = e.strategy_id WHERE s.code = ?1 AND e.command > ?2 \
             ORDER BY e.at, e.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![code.as_str(), command], strategy_event_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The command each of an item's events was recorded by, by event.
    pub fn commands_of_events(&self, item: ItemId) -> Result<Vec<(i64, Option<i64>)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, command FROM event WHERE item_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([item.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The command each of a strategy's events was recorded by, by event.
    pub fn commands_of_strategy_events(&self, code: &Code) -> Result<Vec<(i64, Option<i64>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, e.command FROM strategy_event e JOIN strategy s ON s.id = e.strategy_id \
             WHERE s.code = ?1 ORDER BY e.id",
        )?;
        let rows = stmt.query_map([code.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Keeps what this command is removing, for undo.
    pub fn keep_removed(&self, kept: &Kept) -> Result<()> {
        let Some(command) = self.command()? else {
            return Ok(());
        };
        self.conn
            .prepare_cached(
                "INSERT INTO removed (command, kind, name, record, commands) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                command,
                kept.kind,
                kept.name,
                kept.record,
                kept.commands
            ])?;
        Ok(())
    }

    /// What `command` removed, in the order it removed it.
    pub fn removed_by(&self, command: i64) -> Result<Vec<Kept>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, name, record, commands FROM removed WHERE command = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([command], |r| {
            Ok(Kept {
                kind: r.get(0)?,
                name: r.get(1)?,
                record: r.get(2)?,
                commands: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Appends an event of an item brought back, under its own number and
    /// the command that first recorded it.
    pub fn restore_event(&self, event: &Event, command: Option<i64>) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(INSERT_EVENT_SQL)?;
        bind_event(&mut stmt, event, Some(event.id), command)?;
        stmt.raw_execute()?;
        Ok(())
    }

    /// Appends an event of a strategy brought back, under its own number
    /// and the command that first recorded it.
    pub fn restore_strategy_event(
        &self,
        event: &StrategyEvent,
        command: Option<i64>,
    ) -> Result<()> {
        self.conn
            .prepare_cached(&insert_strategy_event_sql(
                "(SELECT id FROM strategy WHERE code = ?2)",
            ))?
            .execute(params![
                event.id,
                event.strategy.as_str(),
                crate::domain::model::format_timestamp(event.at),
                event.effective.to_string(),
                event.by,
                event.action.as_str(),
                changes_text(&event.changes),
                event.note,
                command,
            ])?;
        Ok(())
    }
}
