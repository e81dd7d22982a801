//! The one error type: a kind (which sets the exit code), a message that
//! says what was wrong, and a hint that says what to do.

use std::fmt;

/// What sort of failure stopped a command; each maps to the SPEC's exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bad usage or a bad input value (exit 2).
    Invalid,
    /// No such strategy or item (exit 3).
    NotFound,
    /// The change clashes with what is stored (exit 4).
    Conflict,
    /// The database cannot be used: locked, damaged, full, newer (exit 5).
    Storage,
    /// A rule of the schema refused a write (exit 1: the code should have
    /// refused the value first). An import names the record instead.
    Refused,
    /// Writing the output failed (exit 1; a closed pipe is not an error).
    Output,
    /// Something the code should have prevented (exit 1).
    Bug,
}

/// Everything that can stop a command.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
    message: String,
    hint: Option<String>,
    /// For output errors: what the system said, to tell a closed pipe.
    io: Option<std::io::ErrorKind>,
    /// SQLite could not read or write a file (a full disk is one cause).
    disk_io: bool,
    /// Another writer's changes stopped the command: it may run again.
    retry: bool,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// At most this many record problems are printed; the count says the rest.
const SHOWN_PROBLEMS: usize = 20;

impl Error {
    /// An error of `kind`. A message of several lines keeps its first as
    /// the message and the rest as the hint.
    pub fn new(kind: Kind, message: impl Into<String>) -> Error {
        let message: String = message.into();
        let (message, hint) = match message.split_once('\n') {
            Some((m, h)) => (m.to_string(), Some(h.to_string())),
            None => (message, None),
        };
        Error {
            kind,
            message,
            hint,
            io: None,
            disk_io: false,
            retry: false,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(Kind::Invalid, message)
    }

    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(Kind::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Error {
        Error::new(Kind::Conflict, message)
    }

    pub fn storage(message: impl Into<String>) -> Error {
        Error::new(Kind::Storage, message)
    }

    /// A write another writer's changes stopped (exit 5 should it be
    /// stopped every time it runs).
    pub fn retryable(message: impl Into<String>) -> Error {
        let mut e = Error::storage(message);
        e.retry = true;
        e
    }

    /// True when running the command again may succeed.
    pub fn is_retryable(&self) -> bool {
        self.retry
    }

    pub fn bug(message: impl Into<String>) -> Error {
        Error {
            kind: Kind::Bug,
            message: format!("internal error: {}", message.into()),
            hint: Some("Please report this with the command you ran.".into()),
            io: None,
            disk_io: false,
            retry: false,
        }
    }

    /// Several bad records of one input file (exit 2), each named by its
    /// place; the first [`SHOWN_PROBLEMS`] are listed.
    pub fn bad_records(problems: Vec<String>) -> Error {
        let mut message = format!(
            "the file has {} bad record field{}; nothing was imported:",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
        for p in problems.iter().take(SHOWN_PROBLEMS) {
            message.push_str("\n  ");
            message.push_str(p);
        }
        if problems.len() > SHOWN_PROBLEMS {
            message.push_str(&format!(
                "\n  … and {} more",
                problems.len() - SHOWN_PROBLEMS
            ));
        }
        Error {
            kind: Kind::Invalid,
            message,
            hint: None,
            io: None,
            disk_io: false,
            retry: false,
        }
    }

    /// The same error, saying what to do in `hint`.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// True when SQLite could not read or write one of its files, which
    /// may be a full disk ([`crate::store::explain_disk_io`] tells).
    pub fn is_disk_io(&self) -> bool {
        self.disk_io
    }

    /// True for output that stopped because its reader went away
    /// (`strat report | head`), which is not a failure.
    pub fn is_closed_pipe(&self) -> bool {
        self.io == Some(std::io::ErrorKind::BrokenPipe)
    }

    /// The exit code the SPEC gives this kind of failure.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            Kind::Invalid => 2,
            Kind::NotFound => 3,
            Kind::Conflict => 4,
            Kind::Storage => 5,
            Kind::Refused | Kind::Output | Kind::Bug => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n{hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        let mut out = Error::new(Kind::Output, format!("cannot write output: {e}"));
        out.io = Some(e.kind());
        out
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode as C;
        let Some(code) = e.sqlite_error_code() else {
            return match e {
                // A stored value strat cannot read: the file was damaged,
                // or changed by another tool.
                rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::InvalidColumnType(..)
                | rusqlite::Error::IntegralValueOutOfRange(..)
                | rusqlite::Error::Utf8Error(..) => Error::storage(format!(
                    "the database holds a value strat cannot read ({e}); it is damaged\n\
                     Run strat check to see what, or restore it from a backup."
                )),
                _ => Error::bug(format!("database call failed: {e}")),
            };
        };
        match code {
            C::DatabaseBusy | C::DatabaseLocked => Error::storage(
                "the database stayed locked by another strat process past the wait\n\
                 Try again in a moment.",
            ),
            C::NotADatabase | C::DatabaseCorrupt => Error::storage(
                "the database file is damaged or is not a strat database\n\
                 Restore it from a backup, or point --db at the right file.",
            ),
            C::ReadOnly => Error::storage(
                "the database is read-only\nCheck the file's permissions, or work on a copy.",
            ),
            C::DiskFull => Error::storage(
                "the disk is full; nothing was changed\nFree some space and try again.",
            ),
            C::CannotOpen | C::PermissionDenied | C::SystemIoFailure => {
                let mut out = Error::storage(format!(
                    "cannot read or write the database: {e}\nCheck the path and its permissions."
                ));
                out.disk_io = true;
                out
            }
            // strat writes only links it has just checked or made, so a
            // link that fails is to a record the file has lost.
            C::ConstraintViolation
                if matches!(
                    &e,
                    rusqlite::Error::SqliteFailure(f, _)
                        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
                ) =>
            {
                Error::storage(
                    "the database links to a record it no longer holds; it is damaged\n\
                     Run strat check to see what, or restore it from a backup.",
                )
            }
            C::ConstraintViolation => Error::new(
                Kind::Refused,
                format!("a rule of the database refused the change: {e}"),
            ),
            _ => Error::bug(format!("database call failed: {e}")),
        }
    }
}

impl From<crate::domain::Invalid> for Error {
    /// A value the domain refused is bad input.
    fn from(e: crate::domain::Invalid) -> Self {
        Error::invalid(e.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::bug(format!("JSON encoding failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_and_its_hint_print_as_two_lines() {
        let e =
            Error::not_found("no strategy with code 'x'\nSee the codes with: strat strategy list");
        assert_eq!(e.kind(), Kind::NotFound);
        assert_eq!(e.message(), "no strategy with code 'x'");
        assert_eq!(
            e.to_string(),
            "no strategy with code 'x'\nSee the codes with: strat strategy list"
        );
        assert_eq!(e.exit_code(), 3);
        let many = Error::bad_records((0..25).map(|n| format!("items[{n}]: bad")).collect());
        assert_eq!(many.exit_code(), 2);
        assert!(many.to_string().ends_with("… and 5 more"), "{many}");
    }

    #[test]
    fn sqlite_failures_are_told_apart_by_their_codes() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER CHECK (n > 0))")
            .unwrap();
        let refused: Error = conn
            .execute("INSERT INTO t VALUES (0)", [])
            .unwrap_err()
            .into();
        assert_eq!(refused.kind(), Kind::Refused);
        let closed: Error = std::io::Error::from(std::io::ErrorKind::BrokenPipe).into();
        assert!(closed.is_closed_pipe());
    }
}
