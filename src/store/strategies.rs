//! Strategies and the history of their own details.

use super::Db;
use super::db::{Cursor, NOTED, TAKEN, scope, seen};
use super::rows::*;
use crate::domain::history::Seen;
use crate::domain::model::{Code, Strategy, StrategyEvent, format_timestamp};
use crate::error::Result;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params, params_from_iter};
use std::collections::HashMap;

impl Db<'_> {
    pub fn strategy(&self, code: &Code) -> Result<Option<Strategy>> {
        let sql = format!(
            "SELECT {} FROM strategy s WHERE s.code = ?1",
            strategy_columns()
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([code.as_str()], strategy_row)
            .optional()?)
    }

    /// All strategies, oldest period first.
    pub fn strategies(&self) -> Result<Vec<Strategy>> {
        let sql = format!(
            "SELECT {} FROM strategy s ORDER BY s.starts, s.code",
            strategy_columns()
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], strategy_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn insert_strategy(&self, s: &Strategy) -> Result<()> {
        self.conn
            .prepare_cached(insert_strategy_sql())?
            .execute(params_from_iter(
                strategy_values(s).into_iter().chain([Value::Null]),
            ))?;
        Ok(())
    }

    pub fn update_strategy(&self, s: &Strategy) -> Result<()> {
        self.conn
            .prepare_cached(update_strategy_sql())?
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

    /// Appends a strategy event; `event.id` is kept when `keep_id`.
    pub fn insert_strategy_event(&self, event: &StrategyEvent, keep_id: bool) -> Result<i64> {
        let number = keep_id.then_some(event.id);
        let strategy = "(SELECT id FROM strategy WHERE code = ?2)";
        self.put_strategy_event(strategy, event.strategy.as_str(), event, number)
    }

    /// Appends a strategy event under `number` (or the next free one) to
    /// the strategy `strategy` (an SQL expression of `?2`, bound to
    /// `param`); returns its number.
    pub(super) fn put_strategy_event(
        &self,
        strategy: &str,
        param: impl rusqlite::ToSql,
        event: &StrategyEvent,
        number: Option<i64>,
    ) -> Result<i64> {
        self.conn
            .prepare_cached(&insert_strategy_event_sql(strategy))?
            .execute(params![
                number,
                param,
                format_timestamp(event.at),
                event.effective.to_string(),
                event.by,
                event.action.as_str(),
                changes_text(&event.changes),
                event.note,
                self.command()?,
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The latest note on each strategy that a view takes (all when
    /// `None`): the one that holds from the latest day, the latest recorded
    /// within it.
    pub fn strategy_notes(&self, view: Option<Seen>) -> Result<HashMap<Code, StrategyEvent>> {
        let sql = format!(
            "SELECT {STRATEGY_EVENT_COLUMNS} \
             FROM strategy_event e JOIN strategy s ON s.id = e.strategy_id \
             WHERE e.action = 'noted' AND {NOTED} AND ?1 IS NULL AND {TAKEN} \
             ORDER BY s.id, e.effective, e.at, e.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let (day, known) = seen(view);
        let rows = stmt.query_map(params![None::<&str>, day, known], strategy_event_row)?;
        let mut latest = HashMap::new();
        for e in rows {
            let e = e?;
            latest.insert(e.strategy.clone(), e);
        }
        Ok(latest)
    }

    /// Makes the strategy event numbered `event`, a creation, hold from the
    /// earlier of its day and its strategy's start, as a new strategy does.
    pub fn hold_creation_from_start(&self, event: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE strategy_event SET effective = min(effective, \
                 (SELECT starts FROM strategy s WHERE s.id = strategy_id)) WHERE id = ?1",
            )?
            .execute([event])?;
        Ok(())
    }

    /// The history of one strategy's details (or all) that a view takes
    /// (all when `None`), grouped by strategy, each in the order it holds.
    pub fn strategy_history(
        &self,
        code: Option<&Code>,
        view: Option<Seen>,
    ) -> Result<Vec<StrategyEvent>> {
        let sql = format!(
            "SELECT {STRATEGY_EVENT_COLUMNS} \
             FROM strategy_event e JOIN strategy s ON s.id = e.strategy_id \
             WHERE {} AND {TAKEN} ORDER BY s.id, e.effective, e.at, e.id",
            scope(code)
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let (day, known) = seen(view);
        let rows = stmt.query_map(
            params![code.map(Code::as_str), day, known],
            strategy_event_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Strategies that have no history yet, oldest first.
    pub fn strategies_without_history(&self) -> Result<Vec<Strategy>> {
        let strategy_columns = strategy_columns();
        let sql = format!(
            "SELECT {strategy_columns} FROM strategy s WHERE NOT EXISTS \
             (SELECT 1 FROM strategy_event e WHERE e.strategy_id = s.id) ORDER BY s.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], strategy_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every strategy event, by number, read as `f` goes. (Their strategies'
    /// own numbers follow the order an import meets them in, so they cannot
    /// order an export that must come back the same.)
    pub fn each_strategy_event<R>(
        &self,
        f: impl FnOnce(&mut Cursor<StrategyEvent>) -> Result<R>,
    ) -> Result<R> {
        let sql = format!(
            "SELECT {STRATEGY_EVENT_COLUMNS} \
             FROM strategy_event e JOIN strategy s ON s.id = e.strategy_id ORDER BY e.id"
        );
        self.cursor(&sql, [], strategy_event_row, f)
    }
}
