//! The one error type, its messages and the SPEC's exit codes.

use std::fmt::Write as _;

/// Everything that can stop a command. Each message says what was wrong
/// and, on a second line where it helps, what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad usage or a bad input value (exit 2).
    #[error("{0}")]
    Invalid(String),
    /// Several bad records in one input file (exit 2).
    #[error("{}", list_problems(.0))]
    BadRecords(Vec<String>),
    /// No such strategy or item (exit 3).
    #[error("{0}")]
    NotFound(String),
    /// The change clashes with what is stored (exit 4).
    #[error("{0}")]
    Conflict(String),
    /// The database cannot be used (exit 5).
    #[error("{0}")]
    Storage(String),
    /// Writing the output failed (a closed pipe is not an error; see main).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// A bug: something the code should have prevented (exit 1).
    #[error("internal error: {0}\nPlease report this with the command you ran.")]
    Bug(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// At most this many record problems are printed; the count says the rest.
const SHOWN_PROBLEMS: usize = 20;

fn list_problems(problems: &[String]) -> String {
    let mut out = format!(
        "the file has {} bad record field{}; nothing was imported:",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems.iter().take(SHOWN_PROBLEMS) {
        let _ = write!(out, "\n  {p}");
    }
    if problems.len() > SHOWN_PROBLEMS {
        let _ = write!(out, "\n  … and {} more", problems.len() - SHOWN_PROBLEMS);
    }
    out
}

impl Error {
    /// The exit code the SPEC gives this kind of failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) | Error::BadRecords(_) => 2,
            Error::NotFound(_) => 3,
            Error::Conflict(_) => 4,
            Error::Storage(_) => 5,
            Error::Output(_) | Error::Bug(_) => 1,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode as C;
        let Some(code) = e.sqlite_error_code() else {
            return Error::Bug(format!("database call failed: {e}"));
        };
        match code {
            C::DatabaseBusy | C::DatabaseLocked => Error::Storage(
                "the database stayed locked by another strat process past the wait\n\
                 Try again in a moment."
                    .into(),
            ),
            C::NotADatabase | C::DatabaseCorrupt => Error::Storage(
                "the database file is damaged or is not a strat database\n\
                 Restore it from a backup, or point --db at the right file."
                    .into(),
            ),
            C::ReadOnly => Error::Storage(
                "the database is read-only\nCheck the file's permissions, or work on a copy."
                    .into(),
            ),
            C::DiskFull => Error::Storage(
                "the disk is full; nothing was changed\nFree some space and try again.".into(),
            ),
            C::CannotOpen | C::PermissionDenied | C::SystemIoFailure => Error::Storage(format!(
                "cannot read or write the database: {e}\nCheck the path and its permissions."
            )),
            C::ConstraintViolation => Error::Bug(format!("a database rule was broken: {e}")),
            _ => Error::Bug(format!("database call failed: {e}")),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Bug(format!("JSON encoding failed: {e}"))
    }
}
