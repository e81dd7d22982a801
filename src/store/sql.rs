//! What a query needs from either engine: the values bound to it and the
//! rows it gives back. Query text is written once, with SQLite's `?N`
//! marks; the PostgreSQL session rewrites the marks (`postgres::text`).

use super::postgres::Session;
use crate::error::{Error, Result};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;

/// A value bound to a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Text(Cow<'a, str>),
}

impl From<i64> for Value<'_> {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(t: &'a str) -> Self {
        Value::Text(Cow::Borrowed(t))
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(t: &'a String) -> Self {
        Value::Text(Cow::Borrowed(t))
    }
}

impl From<String> for Value<'_> {
    fn from(t: String) -> Self {
        Value::Text(Cow::Owned(t))
    }
}

impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(n) => ValueRef::Integer(*n),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
        }))
    }
}

/// One column's value as a row holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'r> {
    Null,
    Int(i64),
    Text(&'r str),
}

impl Cell<'_> {
    pub fn value(self) -> Value<'static> {
        match self {
            Cell::Null => Value::Null,
            Cell::Int(n) => Value::Int(n),
            Cell::Text(t) => Value::Text(Cow::Owned(t.to_string())),
        }
    }
}

/// A row of either engine.
pub enum Row<'r> {
    Lite(&'r rusqlite::Row<'r>),
    Pg(&'r postgres::Row),
}

/// A stored value strat cannot read: the database was damaged, or changed
/// by another tool.
pub fn bad_column(idx: usize, msg: impl std::fmt::Display) -> Error {
    Error::storage(format!(
        "the database holds a value strat cannot read (column {idx}: {msg}); it is damaged\n\
         Run strat check to see what, or restore it from a backup."
    ))
}

impl<'r> Row<'r> {
    /// Column `idx`, read without copying its text.
    pub fn cell(&self, idx: usize) -> Result<Cell<'r>> {
        match self {
            Row::Lite(row) => {
                use rusqlite::types::ValueRef;
                Ok(match row.get_ref(idx)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(n) => Cell::Int(n),
                    ValueRef::Text(t) => {
                        Cell::Text(std::str::from_utf8(t).map_err(|e| bad_column(idx, e))?)
                    }
                    other => return Err(bad_column(idx, format!("holds {:?}", other.data_type()))),
                })
            }
            Row::Pg(row) => super::postgres::cell(row, idx),
        }
    }

    /// Column `idx` as a `T`.
    pub fn get<T: FromCell<'r>>(&self, idx: usize) -> Result<T> {
        T::from_cell(self.cell(idx)?, idx)
    }

    /// A text column (or NULL).
    pub fn text(&self, idx: usize) -> Result<Option<&'r str>> {
        self.get(idx)
    }
}

/// A Rust value one column can be read as.
pub trait FromCell<'r>: Sized {
    fn from_cell(cell: Cell<'r>, idx: usize) -> Result<Self>;
}

impl<'r> FromCell<'r> for Option<i64> {
    fn from_cell(cell: Cell<'r>, idx: usize) -> Result<Self> {
        match cell {
            Cell::Null => Ok(None),
            Cell::Int(n) => Ok(Some(n)),
            Cell::Text(t) => Err(bad_column(idx, format!("'{t}' is not a number"))),
        }
    }
}

impl<'r> FromCell<'r> for Option<&'r str> {
    fn from_cell(cell: Cell<'r>, idx: usize) -> Result<Self> {
        match cell {
            Cell::Null => Ok(None),
            Cell::Text(t) => Ok(Some(t)),
            Cell::Int(n) => Err(bad_column(idx, format!("{n} is not a text"))),
        }
    }
}

impl<'r> FromCell<'r> for Option<String> {
    fn from_cell(cell: Cell<'r>, idx: usize) -> Result<Self> {
        Ok(Option::<&str>::from_cell(cell, idx)?.map(str::to_string))
    }
}

/// A column that must hold a value.
fn present<T>(idx: usize, value: Option<T>) -> Result<T> {
    value.ok_or_else(|| bad_column(idx, "is NULL in a column that needs a value"))
}

impl<'r> FromCell<'r> for i64 {
    fn from_cell(cell: Cell<'r>, idx: usize) -> Result<Self> {
        present(idx, Option::from_cell(cell, idx)?)
    }
}

impl<'r> FromCell<'r> for &'r str {
    fn from_cell(cell: Cell<'r>, idx: usize) -> Result<Self> {
        present(idx, Option::from_cell(cell, idx)?)
    }
}

impl<'r> FromCell<'r> for String {
    fn from_cell(cell: Cell<'r>, idx: usize) -> Result<Self> {
        present(idx, Option::<String>::from_cell(cell, idx)?)
    }
}

impl<'r> FromCell<'r> for bool {
    fn from_cell(cell: Cell<'r>, idx: usize) -> Result<Self> {
        Ok(i64::from_cell(cell, idx)? != 0)
    }
}

/// The connection a transaction runs on.
#[derive(Clone, Copy)]
pub enum Conn<'c> {
    Lite(&'c rusqlite::Connection),
    Pg(&'c RefCell<Session>),
}

/// The rows of a query, stepped through one at a time.
pub(super) enum Rows<'s> {
    Lite(rusqlite::Rows<'s>),
    Pg {
        session: &'s RefCell<Session>,
        cursor: String,
        buffer: VecDeque<postgres::Row>,
        current: Option<postgres::Row>,
        done: bool,
    },
}

impl Rows<'_> {
    /// The row [`Rows::next`] moved to.
    pub(super) fn current(&self) -> Option<Row<'_>> {
        match self {
            Rows::Lite(rows) => {
                use rusqlite::fallible_streaming_iterator::FallibleStreamingIterator;
                rows.get().map(Row::Lite)
            }
            Rows::Pg { current, .. } => current.as_ref().map(Row::Pg),
        }
    }

    /// Moves to the next row and returns it; `None` after the last.
    pub(super) fn next(&mut self) -> Result<Option<Row<'_>>> {
        match self {
            Rows::Lite(rows) => Ok(rows.next()?.map(Row::Lite)),
            Rows::Pg {
                session,
                cursor,
                buffer,
                current,
                done,
            } => {
                if buffer.is_empty() && !*done {
                    let fetched = session.borrow_mut().fetch(cursor)?;
                    *done = fetched.len() < super::postgres::FETCHED;
                    buffer.extend(fetched);
                }
                *current = buffer.pop_front();
                Ok(current.as_ref().map(Row::Pg))
            }
        }
    }
}

/// Rows of a query read one at a time, each made into a `T`: for documents
/// written while they are read, which never hold what they list whole.
pub struct Cursor<'a, 's, T> {
    pub(super) rows: &'a mut Rows<'s>,
    pub(super) make: fn(&Row) -> Result<T>,
}

impl<T> Cursor<'_, '_, T> {
    /// The next row, `None` after the last.
    pub fn fetch(&mut self) -> Result<Option<T>> {
        let make = self.make;
        match self.rows.next()? {
            Some(row) => Ok(Some(make(&row)?)),
            None => Ok(None),
        }
    }
}
