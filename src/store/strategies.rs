//! Strategies and the history of their own details.

use super::Db;
use super::db::{NOTED, TAKEN, scope, seen};
use super::rows::*;
use super::sql::{Cursor, Value};
use crate::domain::history::Seen;
use crate::domain::model::{Code, Strategy, StrategyEvent};
use crate::error::Result;
use std::collections::HashMap;

impl Db<'_> {
    pub fn strategy(&self, code: &Code) -> Result<Option<Strategy>> {
        let sql = format!(
            "SELECT {} FROM strategy s WHERE s.code = ?1",
            strategy_columns()
        );
        self.query_opt(&sql, &[code.as_str().into()], strategy_row)
    }

    /// All strategies, oldest period first.
    pub fn strategies(&self) -> Result<Vec<Strategy>> {
        let sql = format!(
            "SELECT {} FROM strategy s ORDER BY s.starts, s.code",
            strategy_columns()
        );
        self.query(&sql, &[], strategy_row)
    }

    pub fn insert_strategy(&self, s: &Strategy) -> Result<()> {
        self.execute(insert_strategy_sql(false), &strategy_values(s))?;
        Ok(())
    }

    pub fn update_strategy(&self, s: &Strategy) -> Result<()> {
        self.execute(update_strategy_sql(), &strategy_values(s))?;
        Ok(())
    }

    /// Removes a strategy with its items and their events.
    pub fn delete_strategy(&self, code: &Code) -> Result<()> {
        self.execute(
            "DELETE FROM strategy WHERE code = ?1",
            &[code.as_str().into()],
        )?;
        Ok(())
    }

    /// Items of `code` linked by carry-forward to items of other strategies.
    pub fn links_leaving(&self, code: &Code) -> Result<i64> {
        self.query_value(
            "SELECT count(*) FROM item i JOIN strategy s ON s.id = i.strategy_id \
             JOIN item o ON o.id IN (i.carried_from, i.carried_to) \
             WHERE s.code = ?1 AND o.strategy_id <> s.id",
            &[code.as_str().into()],
        )
    }

    pub fn count_items(&self, code: &Code) -> Result<i64> {
        self.query_value(
            "SELECT count(*) FROM item WHERE strategy_id = \
             (SELECT id FROM strategy WHERE code = ?1)",
            &[code.as_str().into()],
        )
    }

    /// Appends a strategy event; `event.id` is kept when `keep_id`.
    pub fn insert_strategy_event(&self, event: &StrategyEvent, keep_id: bool) -> Result<i64> {
        let number = keep_id.then_some(event.id);
        let strategy = "(SELECT id FROM strategy WHERE code = ?1)";
        let command = self.command()?;
        self.put_strategy_event(
            strategy,
            event.strategy.as_str().into(),
            event,
            number,
            command,
        )
    }

    /// Appends a strategy event under `number` (or the next free one) to
    /// the strategy `strategy` (an SQL expression of `?1`, bound to
    /// `param`), recorded by `command`; returns its number.
    pub(super) fn put_strategy_event(
        &self,
        strategy: &str,
        param: Value,
        event: &StrategyEvent,
        number: Option<i64>,
        command: Option<i64>,
    ) -> Result<i64> {
        let sql = insert_strategy_event_sql(strategy, number.is_some());
        let values = strategy_event_values(param, event, number, command);
        self.insert_as(&sql, &values, number.is_some())
    }

    /// The latest note on each strategy that a view takes (all when
    /// `None`): the one that holds from the latest day, the latest recorded
    /// within it.
    pub fn strategy_notes(&self, view: Option<Seen>) -> Result<HashMap<Code, StrategyEvent>> {
        let sql = format!(
            "SELECT {STRATEGY_EVENT_COLUMNS} \
             FROM strategy_event e JOIN strategy s ON s.id = e.strategy_id \
             WHERE e.action = 'noted' AND {NOTED} AND CAST(?1 AS TEXT) IS NULL AND {TAKEN} \
             ORDER BY s.id, e.effective, e.at, e.id"
        );
        let (day, known) = seen(view);
        let mut latest = HashMap::new();
        self.each_row(&sql, &[Value::Null, day.into(), known.into()], |r| {
            let e = strategy_event_row(r)?;
            latest.insert(e.strategy.clone(), e);
            Ok(())
        })?;
        Ok(latest)
    }

    /// Makes the strategy event numbered `event`, a creation, hold from the
    /// earlier of its day and its strategy's start, as a new strategy does.
    pub fn hold_creation_from_start(&self, event: i64) -> Result<()> {
        self.execute(
            "UPDATE strategy_event SET effective = (SELECT CASE WHEN s.starts < effective \
             THEN s.starts ELSE effective END FROM strategy s WHERE s.id = strategy_id) \
             WHERE id = ?1",
            &[event.into()],
        )?;
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
        let (day, known) = seen(view);
        self.query(
            &sql,
            &[code.map(Code::as_str).into(), day.into(), known.into()],
            strategy_event_row,
        )
    }

    /// Strategies that have no history yet, oldest first.
    pub fn strategies_without_history(&self) -> Result<Vec<Strategy>> {
        let strategy_columns = strategy_columns();
        let sql = format!(
            "SELECT {strategy_columns} FROM strategy s WHERE NOT EXISTS \
             (SELECT 1 FROM strategy_event e WHERE e.strategy_id = s.id) ORDER BY s.id"
        );
        self.query(&sql, &[], strategy_row)
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
        self.cursor(&sql, &[], strategy_event_row, f)
    }
}
