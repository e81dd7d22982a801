//! The database as one transaction sees it, and rows read as a query goes.

use super::sql::{Conn, Cursor, Row, Rows, Value};
use crate::domain::history::Seen;
use crate::domain::model::{Code, format_timestamp};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use std::cell::Cell;

/// The database as seen from inside one transaction.
pub struct Db<'c> {
    pub(super) conn: Conn<'c>,
    /// Who is changing it, for the command their changes are recorded
    /// under (none for an upgrade, which records no command).
    doer: Option<&'c Doer>,
    /// That command's number, once it has recorded something.
    command: Cell<Option<i64>>,
    /// Whether a record was stored under a number of its own choosing
    /// since PostgreSQL's counters were last moved past such numbers.
    numbered: Cell<bool>,
}

/// A person running a command that may change the database.
#[derive(Debug, Clone)]
pub struct Doer {
    pub by: String,
    pub at: DateTime<Utc>,
    /// The command, as typed: `item update`.
    pub name: &'static str,
}
/// The condition for one strategy (bound as ?1) or for all. Two texts, not
/// `?1 IS NULL OR …`, so the one-strategy query is planned on the code's
/// index instead of a scan.
pub(super) fn scope(code: Option<&Code>) -> &'static str {
    match code {
        Some(_) => "s.code = ?1",
        None => "CAST(?1 AS TEXT) IS NULL",
    }
}

/// `?2` for `e.at < ?2`: the cutoff, or a text after every timestamp.
pub(super) fn before(cutoff: Option<DateTime<Utc>>) -> String {
    cutoff.map_or_else(|| "~".to_string(), format_timestamp)
}

/// The events of `event e` a view takes, given [`seen`] as `?2` and `?3`.
pub(super) const TAKEN: &str = "e.effective <= ?2 AND e.at < ?3";

/// The notes of `e` a view shows: not an undo's own, nor those of a
/// command taken back by an undo recorded before `?3` (so a report as it
/// could be printed before the undo still shows them).
pub(super) const NOTED: &str = "e.note IS NOT NULL AND e.action <> 'undone' \
     AND (e.command IS NULL OR NOT EXISTS (SELECT 1 FROM command c \
     JOIN command u ON u.id = c.undone_by WHERE c.id = e.command AND u.at < ?3))";

/// `?2` and `?3` of [`TAKEN`]: the last day whose changes a view takes,
/// and the moment before which they were recorded; everything for `None`.
pub(super) fn seen(view: Option<Seen>) -> (String, String) {
    match view {
        Some(v) => (v.day.to_string(), before(v.known)),
        None => ("9999-12-31".to_string(), before(None)),
    }
}

impl<'c> Db<'c> {
    pub(crate) fn new(conn: &'c rusqlite::Connection) -> Self {
        Db::on(Conn::Lite(conn), None)
    }

    /// The database on `conn` as `doer` changes it.
    pub(super) fn on(conn: Conn<'c>, doer: Option<&'c Doer>) -> Self {
        Db {
            conn,
            doer,
            command: Cell::new(None),
            numbered: Cell::new(false),
        }
    }

    /// The number of the command this transaction's changes are recorded
    /// under, made on its first change (a command that changes nothing
    /// leaves no trace); none without a doer.
    pub fn command(&self) -> Result<Option<i64>> {
        let Some(doer) = self.doer else {
            return Ok(None);
        };
        if let Some(n) = self.command.get() {
            return Ok(Some(n));
        }
        let n = self.insert(
            "INSERT INTO command (at, by, name) VALUES (?1, ?2, ?3)",
            &[
                format_timestamp(doer.at).into(),
                doer.by.as_str().into(),
                doer.name.into(),
            ],
        )?;
        self.command.set(Some(n));
        Ok(Some(n))
    }

    /// Every row of a query, each made into a `T`.
    pub(super) fn query<T>(
        &self,
        sql: &str,
        values: &[Value],
        mut make: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each_row(sql, values, |row| {
            out.push(make(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Calls `f` with each row of a query in turn.
    pub(super) fn each_row(
        &self,
        sql: &str,
        values: &[Value],
        mut f: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        match self.conn {
            Conn::Lite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
                while let Some(row) = rows.next()? {
                    f(&Row::Lite(row))?;
                }
                Ok(())
            }
            Conn::Pg(session) => {
                let rows = session.borrow_mut().query(sql, values)?;
                rows.iter().try_for_each(|row| f(&Row::Pg(row)))
            }
        }
    }

    /// The first row of a query, if any, made into a `T`.
    pub(super) fn query_opt<T>(
        &self,
        sql: &str,
        values: &[Value],
        make: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut make = Some(make);
        let mut out = None;
        self.each_row(sql, values, |row| {
            if let Some(make) = make.take() {
                out = Some(make(row)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The one value a query selects.
    pub(super) fn query_value<T: for<'r> super::sql::FromCell<'r>>(
        &self,
        sql: &str,
        values: &[Value],
    ) -> Result<T> {
        self.query_opt(sql, values, |r| r.get(0))?
            .ok_or_else(|| Error::bug(format!("a query gave no row: {sql}")))
    }

    /// Runs a statement; returns how many rows it changed.
    pub(super) fn execute(&self, sql: &str, values: &[Value]) -> Result<usize> {
        match self.conn {
            Conn::Lite(conn) => Ok(conn
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(values))?),
            Conn::Pg(session) => session.borrow_mut().execute(sql, values),
        }
    }

    /// Runs an insert into a table with an `id`; returns the row's number.
    pub(super) fn insert(&self, sql: &str, values: &[Value]) -> Result<i64> {
        match self.conn {
            Conn::Lite(conn) => {
                conn.prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(values))?;
                Ok(conn.last_insert_rowid())
            }
            Conn::Pg(session) => session.borrow_mut().insert(sql, values),
        }
    }

    /// [`Db::insert`], of a record under its own number when `numbered`,
    /// else under the next the database hands out. (SQLite's counters
    /// follow every number stored; PostgreSQL's are moved past those
    /// stored by hand before one is handed out, and at the end.)
    pub(super) fn insert_as(&self, sql: &str, values: &[Value], numbered: bool) -> Result<i64> {
        if numbered {
            self.numbered.set(true);
        } else {
            self.settle_numbers()?;
        }
        self.insert(sql, values)
    }

    /// Moves PostgreSQL's counters past the numbers stored by hand so far.
    pub(super) fn settle_numbers(&self) -> Result<()> {
        if let (Conn::Pg(session), true) = (self.conn, self.numbered.get()) {
            super::postgres::settle_numbers(&mut session.borrow_mut())?;
            self.numbered.set(false);
        }
        Ok(())
    }

    /// Runs statements that bind nothing.
    pub(super) fn batch(&self, sql: &str) -> Result<()> {
        match self.conn {
            Conn::Lite(conn) => Ok(conn.execute_batch(sql)?),
            Conn::Pg(session) => session.borrow_mut().batch(sql),
        }
    }

    /// The rows of a query, for `f` to step through.
    pub(super) fn rows<R>(
        &self,
        sql: &str,
        values: &[Value],
        f: impl FnOnce(&mut Rows) -> Result<R>,
    ) -> Result<R> {
        match self.conn {
            Conn::Lite(conn) => {
                let mut stmt = conn.prepare(sql)?;
                let mut rows = Rows::Lite(stmt.query(rusqlite::params_from_iter(values))?);
                f(&mut rows)
            }
            Conn::Pg(session) => {
                let cursor = session.borrow_mut().declare(sql, values)?;
                let mut rows = Rows::Pg {
                    session,
                    cursor: cursor.clone(),
                    buffer: Default::default(),
                    current: None,
                    done: false,
                };
                let out = f(&mut rows)?;
                // An open cursor keeps its tables from being dropped.
                session.borrow_mut().batch(&format!("CLOSE {cursor}"))?;
                Ok(out)
            }
        }
    }

    pub(super) fn cursor<T, R>(
        &self,
        sql: &str,
        values: &[Value],
        make: fn(&Row) -> Result<T>,
        f: impl FnOnce(&mut Cursor<T>) -> Result<R>,
    ) -> Result<R> {
        self.rows(sql, values, |rows| f(&mut Cursor { rows, make }))
    }

    /// True when the database holds no strategy at all.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(!self.query_value::<bool>("SELECT EXISTS (SELECT 1 FROM strategy)", &[])?)
    }
}
