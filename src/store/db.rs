//! The database as one transaction sees it, and rows read as a query goes.

use crate::domain::history::Seen;
use crate::domain::model::{Code, format_timestamp};
use crate::error::Result;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row};
use std::cell::Cell;

/// The database as seen from inside one transaction.
pub struct Db<'c> {
    pub(super) conn: &'c Connection,
    /// Who is changing it, for the command their changes are recorded
    /// under (none for an upgrade, which records no command).
    doer: Option<&'c Doer>,
    /// That command's number, once it has recorded something.
    command: Cell<Option<i64>>,
}

/// A person running a command that may change the database.
#[derive(Debug, Clone)]
pub struct Doer {
    pub by: String,
    pub at: DateTime<Utc>,
    /// The command, as typed: `item update`.
    pub name: &'static str,
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

/// The condition for one strategy (bound as ?1) or for all. Two texts, not
/// `?1 IS NULL OR …`, so the one-strategy query is planned on the code's
/// index instead of a scan.
pub(super) fn scope(code: Option<&Code>) -> &'static str {
    match code {
        Some(_) => "s.code = ?1",
        None => "?1 IS NULL",
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
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Db {
            conn,
            doer: None,
            command: Cell::new(None),
        }
    }

    /// The database as `doer` changes it.
    pub(super) fn by(conn: &'c Connection, doer: Option<&'c Doer>) -> Self {
        Db {
            conn,
            doer,
            command: Cell::new(None),
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
        self.conn
            .prepare_cached("INSERT INTO command (at, by, name) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![
                format_timestamp(doer.at),
                doer.by,
                doer.name
            ])?;
        let n = self.conn.last_insert_rowid();
        self.command.set(Some(n));
        Ok(Some(n))
    }

    pub(super) fn cursor<T, R>(
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

    /// True when the database holds no strategy at all.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(!self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM strategy)")?
            .query_row([], |r| r.get::<_, bool>(0))?)
    }
}
