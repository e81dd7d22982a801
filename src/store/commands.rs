//! The commands that changed the database, and what removals kept: what
//! `strat undo` reads to take a command back.

use super::Db;
use super::rows::*;
use super::sql::Value;
use crate::domain::model::{Code, Event, ItemId, StrategyEvent};
use crate::error::Result;
use chrono::{DateTime, Utc};

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
        let row = self.query_opt(
            "SELECT id, at, by, name FROM command \
             WHERE by = ?1 AND undone_by IS NULL AND name <> 'undo' \
             ORDER BY id DESC LIMIT 1",
            &[by.into()],
            |r| {
                Ok(CommandRow {
                    id: r.get(0)?,
                    at: timestamp(r, 1)?,
                    by: r.get(2)?,
                    name: r.get(3)?,
                })
            },
        )?;
        Ok(row)
    }

    /// Records that `command` was taken back by `undo`.
    pub fn mark_undone(&self, command: i64, undo: i64) -> Result<()> {
        self.execute(
            "UPDATE command SET undone_by = ?2 WHERE id = ?1",
            &[command.into(), undo.into()],
        )?;
        Ok(())
    }

    /// The item events `command` recorded, in the order recorded.
    pub fn events_of_command(&self, command: i64) -> Result<Vec<Event>> {
        let sql =
            format!("SELECT {EVENT_COLUMNS} FROM event e WHERE e.command = ?1 ORDER BY e.at, e.id");
        self.query(&sql, &[command.into()], event_row)
    }

    /// The strategy events `command` recorded, in the order recorded.
    pub fn strategy_events_of_command(&self, command: i64) -> Result<Vec<StrategyEvent>> {
        let sql = format!(
            "SELECT {STRATEGY_EVENT_COLUMNS} FROM strategy_event e \
             JOIN strategy s ON s.id = e.strategy_id WHERE e.command = ?1 ORDER BY e.at, e.id"
        );
        self.query(&sql, &[command.into()], strategy_event_row)
    }

    /// The changes to `item` recorded by commands after `command`, with
    /// the command of each.
    pub fn item_changes_after(&self, item: ItemId, command: i64) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM event e WHERE e.item_id = ?1 AND e.command > ?2 \
             ORDER BY e.at, e.id"
        );
        self.query(&sql, &[item.0.into(), command.into()], event_row)
    }

    /// The changes to strategy `code` recorded by commands after `command`.
    pub fn strategy_changes_after(&self, code: &Code, command: i64) -> Result<Vec<StrategyEvent>> {
        let sql = format!(
            "SELECT {STRATEGY_EVENT_COLUMNS} FROM strategy_event e \
             JOIN strategy s ON s.id = e.strategy_id WHERE s.code = ?1 AND e.command > ?2 \
             ORDER BY e.at, e.id"
        );
        self.query(
            &sql,
            &[code.as_str().into(), command.into()],
            strategy_event_row,
        )
    }

    /// The command each of an item's events was recorded by, by event.
    pub fn commands_of_events(&self, item: ItemId) -> Result<Vec<(i64, Option<i64>)>> {
        self.query(
            "SELECT id, command FROM event WHERE item_id = ?1 ORDER BY id",
            &[item.0.into()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// The command each of a strategy's events was recorded by, by event.
    pub fn commands_of_strategy_events(&self, code: &Code) -> Result<Vec<(i64, Option<i64>)>> {
        self.query(
            "SELECT e.id, e.command FROM strategy_event e JOIN strategy s ON s.id = e.strategy_id \
             WHERE s.code = ?1 ORDER BY e.id",
            &[code.as_str().into()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Keeps what this command is removing, for undo.
    pub fn keep_removed(&self, kept: &Kept) -> Result<()> {
        let Some(command) = self.command()? else {
            return Ok(());
        };
        self.insert(
            "INSERT INTO removed (command, kind, name, record, commands) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            &[
                command.into(),
                kept.kind.as_str().into(),
                kept.name.as_str().into(),
                kept.record.as_str().into(),
                kept.commands.as_str().into(),
            ],
        )?;
        Ok(())
    }

    /// What `command` removed, in the order it removed it.
    pub fn removed_by(&self, command: i64) -> Result<Vec<Kept>> {
        self.query(
            "SELECT kind, name, record, commands FROM removed WHERE command = ?1 ORDER BY id",
            &[command.into()],
            |r| {
                Ok(Kept {
                    kind: r.get(0)?,
                    name: r.get(1)?,
                    record: r.get(2)?,
                    commands: r.get(3)?,
                })
            },
        )
    }

    /// Appends an event of an item brought back, under its own number and
    /// the command that first recorded it.
    pub fn restore_event(&self, event: &Event, command: Option<i64>) -> Result<()> {
        let values = event_values(event, Some(event.id), command);
        self.insert_as(insert_event_sql(true), &values, true)?;
        Ok(())
    }

    /// Appends an event of a strategy brought back, under its own number
    /// and the command that first recorded it.
    pub fn restore_strategy_event(
        &self,
        event: &StrategyEvent,
        command: Option<i64>,
    ) -> Result<()> {
        let strategy = Value::from(event.strategy.as_str());
        let select = "(SELECT id FROM strategy WHERE code = ?1)";
        self.put_strategy_event(select, strategy, event, Some(event.id), command)?;
        Ok(())
    }
}
